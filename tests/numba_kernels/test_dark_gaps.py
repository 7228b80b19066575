"""kernels.dark_gaps: dark gaps and reception context vs references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_loiter as ref
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kernels.dark_gaps import (
    dark_gaps,
    reception_context,
    reception_counts,
    reception_index,
)

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
M_PER_DEG = 111_195.0
KN = 1852.0 / 3600.0


def flat(*tracks):
    """(times, lats, lons) per track -> flat arrays and offsets."""
    offsets = np.cumsum([0] + [len(tr[0]) for tr in tracks]).astype(np.int64)
    t = np.array([x for tr in tracks for x in tr[0]], dtype=np.int64)
    lat = np.array([x for tr in tracks for x in tr[1]], dtype=np.float64)
    lon = np.array([x for tr in tracks for x in tr[2]], dtype=np.float64)
    return t, lat, lon, offsets


def gaps_as_rows(res):
    return list(zip(res[1].tolist(), res[2].tolist(), strict=True))


def assert_gaps_match(t, lat, lon, offsets, min_gap_s):
    got = dark_gaps(t, lat, lon, offsets, min_gap_s)
    exp = ref.dark_gaps(
        t.tolist(), lat.tolist(), lon.tolist(), offsets.tolist(), min_gap_s
    )
    assert got[0].tolist() == [g["track"] for g in exp]
    assert got[1].tolist() == [g["row"] for g in exp]
    assert got[2].tolist() == [g["next_row"] for g in exp]
    for i, key in enumerate(["duration", "distance", "speed"], start=3):
        np.testing.assert_allclose(
            got[i], [g[key] for g in exp], rtol=1e-9, atol=1e-9, err_msg=key
        )
    return got


# ---------------------------------------------------------------------------
# Dark gaps
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("silence_s", "found"),
    [(2 * 3600 - 60, False), (2 * 3600, True), (2 * 3600 + 60, True)],
    ids=["1h59", "exactly 2h (inclusive)", "2h01"],
)
def test_gap_threshold_is_inclusive(silence_s, found):
    t, lat, lon, off = flat(
        ([T0, T0 + 60, T0 + 60 + silence_s], [25.0] * 3, [62.0, 62.0, 62.1])
    )
    res = assert_gaps_match(t, lat, lon, off, 7200)
    assert gaps_as_rows(res) == ([(1, 2)] if found else [])
    if found:
        assert res[3][0] == silence_s
        d = ref.haversine_m(25.0, 62.0, 25.0, 62.1)
        np.testing.assert_allclose(res[4][0], d, rtol=1e-12)
        np.testing.assert_allclose(res[5][0], d / silence_s / KN, rtol=1e-12)


def test_gap_spanning_midnight_and_several_tracks():
    midnight = 1_704_153_600
    a = ([midnight - 3 * 3600, midnight + 2 * 3600], [25.0, 25.2], [62.0, 62.3])
    b = ([midnight - 600, midnight - 300], [24.0, 24.0], [61.0, 61.0])
    c = (
        [midnight, midnight + 10 * 3600, midnight + 10 * 3600 + 60],
        [23.0] * 3,
        [60.0] * 3,
    )
    res = assert_gaps_match(*flat(a, b, c), 7200)
    assert res[0].tolist() == [0, 2]
    assert gaps_as_rows(res) == [(0, 1), (4, 5)]
    assert res[3].tolist() == [5 * 3600, 10 * 3600]
    # Gaps never join two tracks: b ends 300 s before c starts... and a
    # 10 h silence between tracks a and b is not a gap either.
    d = ([T0], [25.0], [62.0])
    e = ([T0 + 36_000], [25.0], [62.0])
    assert len(dark_gaps(*flat(d, e), 7200)[0]) == 0


@pytest.mark.parametrize("where", ["before", "inside", "after", "two inside"])
def test_rows_without_position_are_skipped(where):
    base = [T0, T0 + 600, T0 + 600 + 3 * 3600, T0 + 600 + 3 * 3600 + 600]
    lat = [25.0, 25.01, 25.3, 25.31]
    times, lats = list(base), list(lat)
    # A report without a position inside the silence does not end it.
    extra = {
        "before": [(0, T0 - 60)],
        "inside": [(2, T0 + 600 + 3600)],
        "after": [(4, T0 + 600 + 3 * 3600 + 900)],
        "two inside": [(2, T0 + 4000), (3, T0 + 5000)],
    }[where]
    for pos, when in extra:
        times.insert(pos, when)
        lats.insert(pos, math.nan)
    t, la, lo, off = flat((times, lats, [62.0] * len(times)))
    res = assert_gaps_match(t, la, lo, off, 7200)
    assert len(res[0]) == 1
    row, next_row = gaps_as_rows(res)[0]
    assert t[next_row] - t[row] == 3 * 3600
    assert not (np.isnan(la[row]) or np.isnan(la[next_row]))
    assert np.isfinite(res[4]).all() and np.isfinite(res[5]).all()


def test_single_point_empty_and_equal_times():
    t, lat, lon, off = flat(([T0], [25.0], [62.0]))
    assert len(dark_gaps(t, lat, lon, off, 7200)[0]) == 0
    t, lat, lon, off = flat()
    res = dark_gaps(t, lat, lon, off, 7200)
    assert all(len(a) == 0 for a in res)
    assert res[1].dtype == np.int64 and res[4].dtype == np.float64
    t, lat, lon, off = flat(([T0, T0, T0], [25.0, 25.0, 25.1], [62.0] * 3))
    assert len(dark_gaps(t, lat, lon, off, 7200)[0]) == 0


def test_gap_across_the_antimeridian():
    t, lat, lon, off = flat(([T0, T0 + 4 * 3600], [10.0, 10.0], [179.9, -179.9]))
    res = assert_gaps_match(t, lat, lon, off, 7200)
    np.testing.assert_allclose(
        res[4][0], 0.2 * M_PER_DEG * math.cos(math.radians(10)), rtol=2e-3
    )


@st.composite
def gap_tracks(draw):
    tracks = []
    for _ in range(draw(st.integers(0, 5))):
        n = draw(st.integers(0, 25))
        t = T0 + draw(st.integers(0, 86_400))
        times, lats, lons = [], [], []
        lat = draw(st.floats(-80, 80))
        lon = draw(st.floats(-180, 180))
        for _ in range(n):
            t += draw(st.sampled_from([0, 1, 60, 3600, 7199, 7200, 7201, 20_000]))
            lat = min(max(lat + draw(st.floats(-1, 1)), -89.0), 89.0)
            lon = (lon + draw(st.floats(-2, 2)) + 180.0) % 360.0 - 180.0
            missing = draw(st.integers(0, 9)) == 0
            times.append(t)
            lats.append(math.nan if missing else lat)
            lons.append(lon)
        tracks.append((times, lats, lons))
    return flat(*tracks)


@settings(max_examples=1000)
@given(gap_tracks(), st.sampled_from([7200, 3600, 1]))
def test_dark_gaps_match_reference(arrays, min_gap_s):
    got = assert_gaps_match(*arrays, min_gap_s)
    event(f"gaps: {min(len(got[0]), 3)}")


@settings(max_examples=200)
@given(gap_tracks(), st.integers(-(10**9), 10**9))
def test_gaps_shift_with_time_and_concatenate_per_track(arrays, shift):
    t, lat, lon, off = arrays
    whole = dark_gaps(t, lat, lon, off, 7200)
    shifted = dark_gaps(t + shift, lat, lon, off, 7200)
    for x, y in zip(whole, shifted, strict=True):
        np.testing.assert_array_equal(x, y)
    rows = []
    for k in range(len(off) - 1):
        a, b = off[k], off[k + 1]
        one = np.array([0, b - a], dtype=np.int64)
        rows += (dark_gaps(t[a:b], lat[a:b], lon[a:b], one, 7200)[1] + a).tolist()
    assert whole[1].tolist() == rows


def test_float_seconds_work_like_integers():
    t, lat, lon, off = flat(([T0, T0 + 7200, T0 + 7200 + 7199], [25.0] * 3, [62.0] * 3))
    a = dark_gaps(t, lat, lon, off, 7200)
    b = dark_gaps(t.astype(np.float64) + 0.25, lat, lon, off, 7200.0)
    assert gaps_as_rows(a) == gaps_as_rows(b) == [(0, 1)]


# ---------------------------------------------------------------------------
# Reception context
# ---------------------------------------------------------------------------


def shifted(lat, lon, north_m, east_m):
    return (
        lat + north_m / M_PER_DEG,
        lon + east_m / (M_PER_DEG * math.cos(math.radians(lat))),
    )


def context(gap, reports, radius_m=20_000.0):
    """gap: (t0, t1, lat, lon, vessel); reports: (t, lat, lon, vessel)."""
    g = [
        np.array([x], dtype=d)
        for x, d in zip(gap, [np.int64, np.int64, float, float, np.int64], strict=True)
    ]
    r = [
        np.array([x[i] for x in reports], dtype=d)
        for i, d in enumerate([np.int64, float, float, np.int64])
    ]
    return int(reception_context(*g, *r, radius_m)[0])


GAP = (T0, T0 + 6 * 3600, 25.0, 62.0, 111)


def test_neighbour_inside_radius_and_window_is_counted():
    lat, lon = shifted(25.0, 62.0, 10_000.0, 15_000.0)  # 18 km away
    assert context(GAP, [(T0 + 3600, lat, lon, 222)]) == 1


def test_neighbour_outside_radius_is_not_counted():
    lat, lon = shifted(25.0, 62.0, 0.0, 20_100.0)
    assert context(GAP, [(T0 + 3600, lat, lon, 222)]) == 0
    lat, lon = shifted(25.0, 62.0, 0.0, 19_900.0)
    assert context(GAP, [(T0 + 3600, lat, lon, 222)]) == 1


def test_neighbour_outside_time_window_is_not_counted_and_ends_are_inclusive():
    reports = [(T0 - 1, 25.0, 62.0, 222), (T0 + 6 * 3600 + 1, 25.0, 62.0, 333)]
    assert context(GAP, reports) == 0
    reports = [(T0, 25.0, 62.0, 222), (T0 + 6 * 3600, 25.0, 62.0, 333)]
    assert context(GAP, reports) == 2


def test_the_silent_vessel_itself_is_not_counted():
    assert context(GAP, [(T0 + 60, 25.0, 62.0, 111), (T0 + 90, 25.0, 62.0, 111)]) == 0


def test_several_reports_of_one_neighbour_count_once():
    reports = [(T0 + 60 * i, 25.0 + 0.001 * i, 62.0, 222) for i in range(50)]
    reports += [(T0 + 30 * i, 25.01, 62.01, 333) for i in range(10)]
    assert context(GAP, reports) == 2


def test_nan_positions_are_ignored_and_nan_gap_gives_minus_one():
    assert context(GAP, [(T0 + 60, math.nan, 62.0, 222)]) == 0
    assert (
        context((T0, T0 + 3600, math.nan, 62.0, 111), [(T0 + 60, 25.0, 62.0, 222)])
        == -1
    )


def test_neighbour_across_the_antimeridian_and_near_the_pole():
    gap = (T0, T0 + 3600, 10.0, 179.95, 1)
    assert context(gap, [(T0 + 60, 10.0, -179.95, 2)]) == 1  # ~11 km
    gap = (T0, T0 + 3600, 89.95, 0.0, 1)
    assert context(gap, [(T0 + 60, 89.95, 180.0, 2)]) == 1  # ~11 km over the pole


def test_index_can_be_queried_at_gap_start_and_end():
    reports = [(T0 + 60, 25.0, 62.0, 222), (T0 + 60, 26.0, 63.0, 333)]
    t = np.array([r[0] for r in reports], dtype=np.int64)
    lat = np.array([r[1] for r in reports])
    lon = np.array([r[2] for r in reports])
    vessel = np.array([r[3] for r in reports], dtype=np.int64)
    index = reception_index(t, lat, lon, vessel, 20_000.0)
    g0 = np.array([T0], dtype=np.int64)
    g1 = np.array([T0 + 3600], dtype=np.int64)
    own = np.array([111], dtype=np.int64)
    at_start = reception_counts(index, g0, g1, np.array([25.0]), np.array([62.0]), own)
    at_end = reception_counts(index, g0, g1, np.array([26.0]), np.array([63.0]), own)
    assert at_start.tolist() == [1] and at_end.tolist() == [1]


def test_empty_inputs():
    e_i = np.empty(0, dtype=np.int64)
    e_f = np.empty(0)
    assert reception_context(
        e_i, e_i, e_f, e_f, e_i, e_i, e_f, e_f, e_i, 20_000.0
    ).shape == (0,)
    g = np.array([T0], dtype=np.int64)
    out = reception_context(
        g, g + 3600, np.array([25.0]), np.array([62.0]), g, e_i, e_f, e_f, e_i, 20_000.0
    )
    assert out.tolist() == [0]


@st.composite
def traffic(draw):
    n = draw(st.integers(0, 60))
    n_gaps = draw(st.integers(0, 8))
    lat0 = draw(st.sampled_from([25.0, 0.0, 70.0, -89.9, 89.9]))
    lon0 = draw(st.sampled_from([62.0, 179.99, -179.99, 0.0]))
    spread = draw(st.sampled_from([0.05, 0.3, 2.0]))
    vessels = draw(st.integers(1, 6))

    def pos():
        lat = min(max(lat0 + draw(st.floats(-spread, spread)), -90.0), 90.0)
        lon = (lon0 + draw(st.floats(-spread, spread)) + 180.0) % 360.0 - 180.0
        return lat, lon

    reports = []
    for _ in range(n):
        lat, lon = pos()
        if draw(st.integers(0, 19)) == 0:
            lat = math.nan
        reports.append(
            (
                draw(st.integers(0, 20)) * 1800,
                lat,
                lon,
                1000 + draw(st.integers(0, vessels)),
            )
        )
    gaps = []
    for _ in range(n_gaps):
        lat, lon = pos()
        t0 = draw(st.integers(0, 20)) * 1800
        gaps.append(
            (
                t0,
                t0 + draw(st.integers(0, 10)) * 1800,
                lat,
                lon,
                1000 + draw(st.integers(0, vessels + 1)),
            )
        )
    radius = draw(st.sampled_from([1_000.0, 20_000.0, 100_000.0]))
    return gaps, reports, radius


@settings(max_examples=1000)
@given(traffic())
def test_reception_context_matches_reference(case):
    gaps, reports, radius = case
    cols_g = [
        np.array([g[i] for g in gaps], dtype=d)
        for i, d in enumerate([np.int64, np.int64, float, float, np.int64])
    ]
    cols_r = [
        np.array([r[i] for r in reports], dtype=d)
        for i, d in enumerate([np.int64, float, float, np.int64])
    ]
    got = reception_context(*cols_g, *cols_r, radius)
    exp = ref.reception_context(
        *[c.tolist() for c in cols_g], *[c.tolist() for c in cols_r], radius
    )
    assert got.tolist() == exp
    event(f"heard: {min(max(exp, default=0), 3)}")


def test_reception_context_random_day_matches_reference():
    rng = np.random.default_rng(5)
    n = 3000
    vessel = rng.integers(0, 40, n) * 7 + 200_000_000
    t = rng.integers(0, 86_400, n) + T0
    lat = 25.0 + rng.normal(0, 0.3, n)
    lon = 62.0 + rng.normal(0, 0.3, n)
    g = 60
    gv = rng.choice(vessel, g)
    g0 = rng.integers(0, 80_000, g) + T0
    g1 = g0 + rng.integers(3600, 6 * 3600, g)
    glat = 25.0 + rng.normal(0, 0.3, g)
    glon = 62.0 + rng.normal(0, 0.3, g)
    got = reception_context(g0, g1, glat, glon, gv, t, lat, lon, vessel, 20_000.0)
    exp = ref.reception_context(
        g0.tolist(),
        g1.tolist(),
        glat.tolist(),
        glon.tolist(),
        gv.tolist(),
        t.tolist(),
        lat.tolist(),
        lon.tolist(),
        vessel.tolist(),
        20_000.0,
    )
    assert got.tolist() == exp
    assert 0 < np.mean(got) < 39
