"""kernels.segment against the plain-Python reference in reference_segment.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_segment as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels._geo import destination, haversine_m
from kernels.segment import (
    group_offsets,
    segment_summary,
    segment_tracks,
    sort_by_vessel_time,
    vessel_time_order,
)

NS = 1_000_000_000
HOUR_NS = 3600 * NS
DEFAULTS = {
    "max_gap_ns": 2 * HOUR_NS - 1,
    "separate_identities": True,
    "max_speed_kn": 50.0,
    "slack_s": 300.0,
    "spread_kn": 5.0,
    "ambiguity_ratio": 10.0,
    "max_open_tracks": 4,
}


def _arrays(rows):
    """(mmsi, t_ns, lat, lon, sog, cog) tuples -> typed arrays."""
    if not rows:
        rows = []
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    return (
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.int64),
        np.asarray(cols[2], dtype=np.float64),
        np.asarray(cols[3], dtype=np.float64),
        np.asarray(cols[4], dtype=np.float32),
        np.asarray(cols[5], dtype=np.float32),
    )


def _sorted(arrays):
    order = vessel_time_order(*arrays, True)
    return tuple(a[order] for a in arrays)


def _run(arrays, **params):
    """Sort, group, segment with the kernel; return (segment, track, dup)."""
    mmsi, t, lat, lon, sog, cog = _sorted(arrays)
    offsets = group_offsets(mmsi)
    p = {**DEFAULTS, **params}
    seg, trk, dup, _, _ = segment_tracks(t, lat, lon, sog, cog, offsets, *p.values())
    return seg, trk, dup, (mmsi, t, lat, lon, sog, cog)


def _run_reference(sorted_arrays, **params):
    mmsi, t, lat, lon, sog, cog = (a.tolist() for a in sorted_arrays)
    offsets = ref.group_offsets(mmsi)
    p = {**DEFAULTS, **params}
    return ref.segment_tracks(t, lat, lon, sog, cog, offsets, *p.values())


def _steady_track(mmsi, lat, lon, sog, cog, start_s, step_s, n):
    """A vessel steaming on a great circle, reporting every ``step_s``."""
    rows = []
    for k in range(n):
        la, lo = destination(lat, lon, cog, sog * 1852.0 / 3600.0 * step_s * k)
        rows.append((mmsi, (start_s + step_s * k) * NS, la, lo, sog, cog))
    return rows


# --------------------------------------------------------------------------
# ordering
# --------------------------------------------------------------------------


def test_order_empty_and_single():
    assert vessel_time_order(*_arrays([]), True).tolist() == []
    one = _arrays([(1, 0, 0.0, 0.0, 0.0, 0.0)])
    assert vessel_time_order(*one, True).tolist() == [0]
    assert group_offsets(np.zeros(0, dtype=np.int64)).tolist() == [0]


def test_order_breaks_ties_by_position_speed_course_nan_last():
    rows = [
        (5, 10, 1.0, 2.0, np.nan, 3.0),
        (5, 10, 1.0, 2.0, 4.0, np.nan),
        (5, 10, 1.0, 2.0, 4.0, 1.0),
        (5, 10, np.nan, 0.0, 0.0, 0.0),
        (5, 10, 0.5, 9.0, 0.0, 0.0),
        (3, 99, 0.0, 0.0, 0.0, 0.0),
        (5, 9, 9.0, 9.0, 9.0, 9.0),
    ]
    assert vessel_time_order(*_arrays(rows), True).tolist() == [5, 6, 4, 2, 1, 0, 3]
    assert vessel_time_order(*_arrays(rows), False).tolist() == [5, 6, 0, 1, 2, 3, 4]


def test_order_of_presorted_input_is_identity():
    rows = [(1, t, 0.0, 0.0, 0.0, 0.0) for t in range(5)] + [(2, 0, 0, 0, 0, 0)]
    assert vessel_time_order(*_arrays(rows), True).tolist() == list(range(6))


def test_order_handles_times_before_1970_and_huge_ranges():
    big = np.iinfo(np.int64).max
    rows = [
        (7, big - 5, 0.0, 0.0, 0.0, 0.0),
        (7, -big, 0.0, 0.0, 0.0, 0.0),  # range overflows int64: fallback
        (2, -3, 0.0, 0.0, 0.0, 0.0),
        (2, -4, 0.0, 0.0, 0.0, 0.0),
    ]
    for break_ties in (True, False):
        order = vessel_time_order(*_arrays(rows), break_ties)
        assert order.tolist() == [3, 2, 1, 0]


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(-(2**40), 2**40) | st.integers(0, 3),
            st.sampled_from([0.0, 1.0, -1.0, math.nan]),
            st.sampled_from([0.0, 2.0, math.nan]),
            st.sampled_from([0.0, 5.0, math.nan]),
            st.sampled_from([0.0, 90.0, math.nan]),
        ),
        max_size=60,
    ),
    st.booleans(),
)
def test_order_matches_reference(rows, break_ties):
    arrays = _arrays(rows)
    got = vessel_time_order(*arrays, break_ties)
    want = ref.vessel_time_order(*(a.tolist() for a in arrays), break_ties)
    assert got.tolist() == want
    sorted_mmsi = arrays[0][got]
    assert group_offsets(sorted_mmsi).tolist() == ref.group_offsets(
        sorted_mmsi.tolist()
    )


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 5),
            st.sampled_from([0.0, 1.0, math.nan]),
            st.floats(-1, 1),
            st.sampled_from([0.0, 5.0, math.nan]),
            st.sampled_from([0.0, 90.0]),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_sort_by_vessel_time_gathers_every_column(rows, break_ties):
    arrays = _arrays(rows)
    order, *sorted_arrays = sort_by_vessel_time(*arrays, break_ties)
    np.testing.assert_array_equal(order, vessel_time_order(*arrays, break_ties))
    for got, original in zip(sorted_arrays, arrays, strict=True):
        np.testing.assert_array_equal(got, original[order])
        assert got.dtype == original.dtype


def test_sort_by_vessel_time_returns_sorted_input_itself():
    arrays = _arrays([(1, 0, 0.0, 0.0, 0.0, 0.0), (1, 5, 1.0, 1.0, 1.0, 1.0)])
    _, *sorted_arrays = sort_by_vessel_time(*arrays, True)
    assert all(a is b for a, b in zip(sorted_arrays, arrays, strict=True))


def test_radix_sort_large_shuffled_input_matches_lexsort():
    rng = np.random.default_rng(7)
    n = 200_000
    mmsi = rng.integers(200_000_000, 800_000_000, 500)[rng.integers(0, 500, n)]
    t = rng.integers(0, 10 * 86400, n) * NS
    lat = rng.normal(size=n)
    lon = rng.normal(size=n)
    sog = rng.random(n).astype(np.float32)
    cog = rng.random(n).astype(np.float32)
    got = vessel_time_order(mmsi, t, lat, lon, sog, cog, True)
    want = np.lexsort((cog, sog, lon, lat, t, mmsi))
    np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------
# segmentation: hand-built cases
# --------------------------------------------------------------------------


def test_empty_input():
    seg, trk, dup, _ = _run(_arrays([]))
    assert len(seg) == len(trk) == len(dup) == 0


def test_single_point_is_one_track_one_segment():
    seg, trk, dup, _ = _run(_arrays([(9, 0, 25.0, 62.0, np.nan, np.nan)]))
    assert (seg.tolist(), trk.tolist(), dup.tolist()) == ([0], [0], [False])


def test_two_ships_sharing_one_mmsi_200_km_apart_are_two_tracks():
    # Off Gwadar and off Karachi, 200 km apart, both reporting every 2 minutes
    # for three hours, interleaved.
    a = _steady_track(463000001, 24.9, 64.6, 10.0, 90.0, 0, 120, 90)
    b = _steady_track(463000001, 24.7, 66.6, 8.0, 270.0, 60, 120, 90)
    assert haversine_m(24.9, 64.6, 24.7, 66.6) > 200_000
    seg, trk, dup, (_, _, _, lon, *_) = _run(_arrays(a + b))
    west = lon < 65.6
    assert set(trk[west]) == {0} and set(trk[~west]) == {1}
    assert set(seg[west]) == {0} and set(seg[~west]) == {1}
    assert not dup.any()


def test_three_transmitters_interleaved():
    a = _steady_track(1, 10.0, 60.0, 12.0, 45.0, 0, 60, 120)
    b = _steady_track(1, 15.0, 65.0, 12.0, 135.0, 20, 60, 120)
    c = _steady_track(1, 20.0, 55.0, 0.0, 0.0, 40, 60, 120)
    seg, trk, _, (_, _, lat, *_) = _run(_arrays(a + b + c))
    for lo_lat, hi_lat, want in ((9, 12, 0), (14, 16, 1), (19, 21, 2)):
        inside = (lat > lo_lat) & (lat < hi_lat)
        assert set(trk[inside]) == {want}
    assert seg.tolist() == trk.tolist()


def test_one_impossible_jump_becomes_a_one_point_track():
    rows = _steady_track(1, 25.0, 60.0, 10.0, 90.0, 0, 60, 30)
    mmsi, t, *_ = rows[15]
    rows[15] = (mmsi, t, 35.0, 60.0, 10.0, 90.0)  # 1,100 km away for a minute
    seg, trk, _, _ = _run(_arrays(rows))
    assert trk.tolist() == [0] * 15 + [1] + [0] * 14
    assert seg.tolist() == [0] * 15 + [1] + [0] * 14


def test_gap_splits_segment_but_keeps_track():
    rows = _steady_track(1, 25.0, 60.0, 10.0, 90.0, 0, 60, 10)
    later = _steady_track(1, 25.0, 61.0, 10.0, 90.0, 3 * 3600, 60, 10)
    seg, trk, _, _ = _run(_arrays(rows + later))
    assert trk.tolist() == [0] * 20
    assert seg.tolist() == [0] * 10 + [1] * 10


@pytest.mark.parametrize(
    ("max_gap_ns", "split"), [(HOUR_NS, False), (HOUR_NS - 1, True)]
)
def test_gap_threshold_is_strict(max_gap_ns, split):
    rows = [(1, 0, 0.0, 0.0, 0.0, 0.0), (1, HOUR_NS, 0.0, 0.001, 0.0, 0.0)]
    seg, _, _, _ = _run(_arrays(rows), max_gap_ns=max_gap_ns)
    assert seg.tolist() == ([0, 1] if split else [0, 0])


def test_duplicate_timestamps_are_flagged_and_do_not_move_the_track():
    rows = [
        (1, 0, 25.0, 60.0, 10.0, 90.0),
        (1, 60 * NS, 25.0, 60.003, 10.0, 90.0),
        (1, 60 * NS, 25.0, 60.003, 10.0, 90.0),
        (1, 60 * NS, 25.0, 60.004, 10.0, 90.0),
        (1, 120 * NS, 25.0, 60.006, 10.0, 90.0),
    ]
    seg, trk, dup, _ = _run(_arrays(rows))
    assert dup.tolist() == [False, False, True, True, False]
    assert trk.tolist() == [0] * 5 and seg.tolist() == [0] * 5


def test_same_time_far_apart_is_two_tracks_not_a_duplicate():
    rows = [(1, 0, 25.0, 60.0, 0.0, 0.0), (1, 0, 10.0, 60.0, 0.0, 0.0)]
    _, trk, dup, _ = _run(_arrays(rows))
    assert trk.tolist() == [0, 1] and not dup.any()


def test_antimeridian_crossing_stays_one_track():
    rows = _steady_track(1, -10.0, 179.9, 15.0, 90.0, 0, 300, 40)
    assert any(r[3] < 0 for r in rows) and any(r[3] > 0 for r in rows)
    seg, trk, _, _ = _run(_arrays(rows))
    assert set(trk.tolist()) == {0} and set(seg.tolist()) == {0}


def test_missing_position_is_not_placed():
    rows = [
        (1, 0, 25.0, 60.0, 0.0, 0.0),
        (1, 60 * NS, np.nan, 60.0, 0.0, 0.0),
        (1, 120 * NS, 25.0, np.nan, 0.0, 0.0),
        (1, 180 * NS, 25.0, 60.0, 0.0, 0.0),
    ]
    seg, trk, _, _ = _run(_arrays(rows))
    assert seg.tolist() == [0, -1, -1, 0] and trk.tolist() == [0, -1, -1, 0]


def test_identity_separation_off_splits_on_gaps_only():
    a = _steady_track(1, 24.9, 64.6, 10.0, 90.0, 0, 120, 20)
    b = _steady_track(1, 10.0, 66.6, 8.0, 270.0, 60, 120, 20)
    seg, trk, _, _ = _run(_arrays(a + b), separate_identities=False)
    assert set(seg.tolist()) == {0} and set(trk.tolist()) == {0}


def test_ambiguous_report_closes_both_contenders_and_opens_a_track():
    # Two still transmitters 1 km apart: at 1 kn they cannot be one vessel.
    # Half an hour later a report midway fits both equally: it opens track 2
    # and closes 0 and 1, so a later report at track 0's spot opens track 3.
    rows = [
        (1, 0, 25.0, 60.0, 0.0, 0.0),
        (1, 5 * NS, 25.0, 60.02, 0.0, 0.0),
        (1, 2005 * NS, 25.0, 60.01, 0.0, 0.0),
        (1, 2010 * NS, 25.0, 60.0, 0.0, 0.0),
    ]
    _, trk, _, _ = _run(_arrays(rows), max_speed_kn=1.0)
    assert trk.tolist() == [0, 1, 2, 3]
    # Without ambiguity checks (ratio 1) the midway report joins a track.
    _, trk, _, _ = _run(_arrays(rows), max_speed_kn=1.0, ambiguity_ratio=1.0)
    assert trk.tolist()[:3] in ([0, 1, 0], [0, 1, 1])


def test_capacity_evicts_the_stalest_track():
    rows = [
        (1, 0, 0.0, 0.0, 0.0, 0.0),
        (1, 10 * NS, 0.0, 20.0, 0.0, 0.0),
        (1, 20 * NS, 0.0, 40.0, 0.0, 0.0),  # third transmitter, capacity 2
        (1, 30 * NS, 0.0, 0.0, 0.0, 0.0),  # track 0 was evicted: new track
        (1, 40 * NS, 0.0, 40.0, 0.0, 0.0),
    ]
    _, trk, _, _ = _run(_arrays(rows), max_open_tracks=2)
    assert trk.tolist() == [0, 1, 2, 3, 2]


def test_implied_velocity_predicts_when_speed_and_course_are_missing():
    # Track A steams east at 20 kn without SOG/COG; track B sits still 6 km
    # beyond where A will be in 10 min, a little closer to the probe than A's
    # last fix. A report at A's dead-reckoned position joins A.
    step = 60
    a = [
        (1, k * step * NS, 0.0, k * step * 20 * 1852 / 3600 / 111_195, np.nan, np.nan)
        for k in range(10)
    ]
    b = [(1, (5 + k * step) * NS, 0.0, 0.16, 0.0, 0.0) for k in range(10)]
    probe_t = 9 * step + 600
    probe_lon = probe_t * 20 * 1852 / 3600 / 111_195
    rows = [*a, *b, (1, probe_t * NS, 0.0, probe_lon, np.nan, np.nan)]
    _, trk, _, (_, t, *_) = _run(_arrays(rows), max_speed_kn=200.0)
    assert trk[np.argmax(t)] == 0


# --------------------------------------------------------------------------
# segmentation: hypothesis against the reference
# --------------------------------------------------------------------------


@st.composite
def shared_mmsi_traffic(draw):
    """Reports of 1-3 MMSIs, each broadcast by 1-3 transmitters, interleaved.

    Time steps mix normal reporting, duplicates, just-under/over gap values
    and long silences; positions drift with occasional impossible jumps;
    SOG and COG are sometimes missing.
    """
    rows = []
    for m in range(draw(st.integers(1, 3))):
        mmsi = 200_000_000 + m
        for _ in range(draw(st.integers(1, 3))):
            lat = draw(st.floats(-60, 60))
            lon = draw(st.sampled_from([-179.95, 179.95, 0.0])) + draw(
                st.floats(-0.04, 0.04)
            )
            t_s = draw(st.integers(0, 3600))
            cog = draw(st.floats(0, 359))
            sog = draw(st.floats(0, 25))
            for _ in range(draw(st.integers(1, 25))):
                step = draw(
                    st.sampled_from([0, 1, 30, 60, 120, 600, 7199, 7200, 7201, 30000])
                )
                t_s += step
                jump = draw(st.sampled_from([0.0] * 8 + [0.5, 5.0]))
                moved = sog * 1852 / 3600 * step
                lat2, lon2 = destination(lat, lon, cog, moved)
                if abs(lat2) < 80:
                    lat, lon = lat2, lon2
                report_sog = draw(st.sampled_from([sog, sog, np.nan]))
                report_cog = draw(st.sampled_from([cog, cog, np.nan]))
                rows.append((mmsi, t_s * NS, lat + jump, lon, report_sog, report_cog))
    draw(st.randoms()).shuffle(rows)
    return rows


PARAMS = st.fixed_dictionaries(
    {
        "max_gap_ns": st.sampled_from([600 * NS, 2 * HOUR_NS - 1, 2 * HOUR_NS]),
        "separate_identities": st.booleans(),
        "max_speed_kn": st.sampled_from([15.0, 50.0, 200.0]),
        "slack_s": st.sampled_from([1.0, 60.0, 300.0]),
        "spread_kn": st.sampled_from([1.0, 5.0]),
        "ambiguity_ratio": st.sampled_from([1.0, 10.0, 1e6]),
        "max_open_tracks": st.integers(1, 4),
    }
)


@settings(max_examples=1000)
@given(shared_mmsi_traffic(), PARAMS)
def test_segment_tracks_matches_reference(rows, params):
    seg, trk, dup, sorted_arrays = _run(_arrays(rows), **params)
    want_seg, want_trk, want_dup, want_nseg, want_ntrk = _run_reference(
        sorted_arrays, **params
    )
    assert trk.tolist() == want_trk
    assert seg.tolist() == want_seg
    assert dup.tolist() == want_dup
    offsets = group_offsets(sorted_arrays[0])
    _, _, _, nseg, ntrk = segment_tracks(
        *sorted_arrays[1:], offsets, *{**DEFAULTS, **params}.values()
    )
    assert nseg.tolist() == want_nseg and ntrk.tolist() == want_ntrk


@settings(max_examples=200)
@given(shared_mmsi_traffic(), PARAMS, st.integers(-(10**18), 10**18))
def test_shifting_all_times_changes_nothing(rows, params, shift_ns):
    shifted = [(m, t + shift_ns, *rest) for m, t, *rest in rows]
    a = _run(_arrays(rows), **params)
    b = _run(_arrays(shifted), **params)
    for x, y in zip(a[:3], b[:3], strict=True):
        np.testing.assert_array_equal(x, y)


@settings(max_examples=200)
@given(shared_mmsi_traffic(), PARAMS)
def test_vessels_segment_independently(rows, params):
    seg, trk, dup, (mmsi, *_) = _run(_arrays(rows), **params)
    for vessel in np.unique(mmsi):
        alone = [r for r in rows if r[0] == vessel]
        s, t, d, _ = _run(_arrays(alone), **params)
        np.testing.assert_array_equal(seg[mmsi == vessel], s)
        np.testing.assert_array_equal(trk[mmsi == vessel], t)
        np.testing.assert_array_equal(dup[mmsi == vessel], d)


SUMMARY_NAMES = (
    "seg_id", "seg_mmsi", "seg_track", "start_ns", "end_ns", "points",
    "duplicates", "length_m", "sog_mean_kn", "sog_max_kn", "lat_min", "lat_max",
    "lon_min", "lon_max", "noise", "keep",
)  # fmt: skip


@settings(max_examples=300)
@given(
    shared_mmsi_traffic(),
    PARAMS,
    st.integers(1, 4),
    st.booleans(),
    st.sampled_from([1_000_000, 1000]),
)
def test_segment_summary_matches_reference(rows, params, min_noise, pieces, id_base):
    mmsi, t, lat, lon, sog, cog = _sorted(_arrays(rows))
    offsets = group_offsets(mmsi)
    p = {**DEFAULTS, **params}
    seg, trk, dup, nseg, ntrk = segment_tracks(
        t, lat, lon, sog, cog, offsets, *p.values()
    )
    args = (t, lat, lon, sog, mmsi, offsets, seg, trk, dup, nseg, ntrk)
    got = segment_summary(*args, id_base, min_noise, pieces)
    want_rows, want = ref.segment_summary(
        *(a.tolist() for a in args), id_base, min_noise, pieces
    )
    assert got[0].tolist() == want_rows
    for name, values in zip(SUMMARY_NAMES, got[1:], strict=True):
        expected = [w[name] for w in want]
        if values.dtype.kind == "f":
            np.testing.assert_allclose(values, expected, rtol=1e-9, atol=1e-6)
        else:
            assert values.tolist() == expected, name


def test_summary_of_hand_built_segments():
    rows = [
        (5, 0, 0.0, 0.0, 1.0, 0.0),
        (5, 60 * NS, 0.0, 0.0, 3.0, 0.0),  # moored: never moves
        (5, 60 * NS, 0.0, 0.0, np.nan, 0.0),  # duplicate
        (5, 4 * HOUR_NS, 0.0, 0.01, np.nan, 0.0),  # after a gap: one report
        (9, 0, 1.0, 1.0, 5.0, 0.0),
        (9, 60 * NS, 1.0, 1.001, 5.0, 0.0),
    ]
    mmsi, t, lat, lon, sog, cog = _sorted(_arrays(rows))
    offsets = group_offsets(mmsi)
    seg, trk, dup, nseg, ntrk = segment_tracks(
        t, lat, lon, sog, cog, offsets, *DEFAULTS.values()
    )
    args = (t, lat, lon, sog, mmsi, offsets, seg, trk, dup, nseg, ntrk)
    names = ("row_id", *SUMMARY_NAMES)
    out = dict(zip(names, segment_summary(*args, 100, 2, False), strict=True))
    assert out["row_id"].tolist() == [500, 500, 500, 501, 900, 900]
    assert out["points"].tolist() == [3, 1, 2]
    assert out["duplicates"].tolist() == [1, 0, 0]
    np.testing.assert_allclose(out["sog_mean_kn"], [2.0, np.nan, 5.0])
    assert out["noise"].tolist() == [False, False, False]
    assert out["length_m"][0] == 0.0
    pieces = dict(zip(names, segment_summary(*args, 100, 2, True), strict=True))
    assert pieces["keep"].tolist() == [False, False, True]
    assert pieces["row_id"].tolist() == [-1, -1, -1, -1, 900, 900]


@settings(max_examples=500)
@given(
    st.floats(-89, 89),
    st.floats(-180, 180),
    st.floats(-89, 89) | st.floats(-1e-3, 1e-3),
    st.floats(-180, 180) | st.floats(-1e-3, 1e-3),
)
def test_step_distance_matches_haversine(lat1, lon1, dlat_or_lat2, dlon_or_lon2):
    from kernels.segment import _great_circle_m

    small = abs(dlat_or_lat2) <= 1e-3 and abs(dlon_or_lon2) <= 1e-3
    lat2 = min(89.0, max(-89.0, lat1 + dlat_or_lat2)) if small else dlat_or_lat2
    lon2 = lon1 + dlon_or_lon2 if small else dlon_or_lon2
    got = _great_circle_m(
        lat1,
        lon1,
        math.cos(math.radians(lat1)),
        lat2,
        lon2,
        math.cos(math.radians(lat2)),
    )
    want = ref.haversine_m(lat1, lon1, lat2, lon2)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-6)
