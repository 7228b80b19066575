"""kernels.rendezvous against the plain-Python reference and hand-built cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_rendezvous as ref
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kernels._geo import destination, haversine_m
from kernels.rendezvous import RENDEZVOUS_FIELDS, rendezvous_groups, rendezvous_pairs

MAKRAN = {
    "max_distance_m": 500.0,
    "max_speed_kn": 3.0,
    "time_step_s": 60,
    "max_interp_gap_s": 7200,
    "max_break_s": 600,
    "min_duration_s": 1800,
}
T0 = 1_720_000_800  # 2024-07-03 10:00:00 UTC, a multiple of 60
MIDNIGHT = 1_720_051_200  # 2024-07-04 00:00:00 UTC
LAT, LON = 24.9, 62.6  # off Gwadar


def build(segments):
    """[(vessel, [(t, lat, lon, sog), ...]), ...] -> kernel arrays."""
    rows = [fix for _, fixes in segments for fix in fixes]
    offsets = np.cumsum([0] + [len(f) for _, f in segments]).astype(np.int64)
    cols = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return (
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.float64),
        np.asarray(cols[2], dtype=np.float64),
        np.asarray(cols[3], dtype=np.float32),
        offsets,
        np.asarray([v for v, _ in segments], dtype=np.int64),
    )


def run(segments, **params):
    """Kernel events as a list of dicts."""
    out = rendezvous_pairs(*build(segments), *{**MAKRAN, **params}.values())
    return [
        dict(zip(RENDEZVOUS_FIELDS, row, strict=True))
        for row in zip(*out, strict=False)
    ]


def at(bearing_deg, dist_m, lat=LAT, lon=LON):
    return destination(lat, lon, bearing_deg, dist_m)


def still(t_start, t_end, lat, lon, sog=0.5, every=60):
    """Fixes of a vessel lying still."""
    return [(t, lat, lon, sog) for t in range(t_start, t_end + 1, every)]


def assert_same_events(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for f in RENDEZVOUS_FIELDS:
            if f in ("min_sep_m", "mean_sep_m"):
                np.testing.assert_allclose(g[f], w[f], rtol=1e-9, atol=1e-6, err_msg=f)
            elif isinstance(w[f], float):
                np.testing.assert_allclose(g[f], w[f], rtol=1e-9, atol=1e-9, err_msg=f)
            else:
                assert g[f] == w[f], f


# ---------------------------------------------------------------------------
# Against the reference


# Strategies built once: building them inside the composite costs more than
# drawing from them. Each lists its most useful value first (Hypothesis
# shrinks and starts towards it), so even simple cases have vessels meeting.
SOG_KN = st.one_of(st.integers(0, 40).map(lambda x: x / 10), st.just(math.nan))
STEP_S = st.sampled_from([60, 0, 7, 30, 61, 90, 150, 299, 400])
BEARING = st.integers(0, 359)
DRIFT_M = st.integers(0, 120)
PARAMS = st.fixed_dictionaries(
    {
        "max_distance_m": st.integers(100, 900).map(float),
        "max_speed_kn": st.sampled_from([2.5, 1.0, 4.0, math.inf]),
        "time_step_s": st.sampled_from([60, 30, 90]),
        "max_interp_gap_s": st.sampled_from([7200, 60, 150, 300]),
        "max_break_s": st.sampled_from([120, 0, 60, 600]),
        "min_duration_s": st.sampled_from([0, 60, 300, 600]),
    }
)


@st.composite
def traffic(draw):
    """A few short segments of a few vessels moving slowly in a 2 km box."""
    n_vessels = draw(st.integers(2, 4))
    segments = []
    for i in range(draw(st.integers(2, 6))):
        vessel = draw(st.sampled_from([i % n_vessels, 0, 1, 2, 3]))
        t = draw(st.integers(-900, 900))  # negative: grid floor/ceil
        lat, lon = at(draw(BEARING), draw(st.integers(0, 600)))
        fixes = []
        for _ in range(draw(st.integers(2, 14))):
            fixes.append((t, lat, lon, draw(SOG_KN)))
            t += draw(STEP_S)
            lat, lon = destination(lat, lon, draw(BEARING), draw(DRIFT_M))
        segments.append((vessel, fixes))
    return segments, draw(PARAMS)


@settings(max_examples=1200)
@given(traffic())
def test_matches_reference(case):
    segments, params = case
    want, (dist_margin, speed_margin) = ref.rendezvous_reference(
        *build(segments), *(params[k] for k in MAKRAN)
    )
    # A separation or speed within rounding of its threshold may go either way.
    assume(dist_margin > 1e-6 and speed_margin > 1e-9)
    assert_same_events(run(segments, **params), want)


def test_reference_cases_have_events():
    """The generated cases are not all empty: the comparison means something."""
    counts = []

    @settings(max_examples=300, database=None)
    @given(traffic())
    def collect(case):
        segments, params = case
        counts.append(
            len(
                ref.rendezvous_reference(
                    *build(segments), *(params[k] for k in MAKRAN)
                )[0]
            )
        )

    collect()
    assert np.mean(np.asarray(counts) > 0) > 0.15
    assert max(counts) >= 3


# ---------------------------------------------------------------------------
# Hand-built cases


@pytest.mark.parametrize("offset_s", [0, 30])  # on and off the grid
@pytest.mark.parametrize(("minutes", "found"), [(29, False), (31, True)])
def test_alongside_29_vs_31_minutes(minutes, found, offset_s):
    start = T0 + offset_s
    lat_b, lon_b = at(90, 200)
    segments = [
        (1, still(T0 - 3600, T0 + 7200, LAT, LON)),
        (2, still(start, start + minutes * 60, lat_b, lon_b, every=30)),
    ]
    events = run(segments)
    assert len(events) == int(found)
    if found:
        (e,) = events
        first = -(-start // 60) * 60
        assert (e["vessel_a"], e["vessel_b"]) == (1, 2)
        assert e["start_s"] == first
        assert e["end_s"] == (start + minutes * 60) // 60 * 60
        assert e["end_s"] - e["start_s"] >= 1800
        np.testing.assert_allclose(e["min_sep_m"], 200.0, atol=1e-6)
        np.testing.assert_allclose(e["mean_sog_a_kn"], 0.5, rtol=1e-6)
        mid = at(90, 100)
        assert haversine_m(e["lat_deg"], e["lon_deg"], *mid) < 0.01


def test_meeting_across_midnight_is_found_whole():
    lat_b, lon_b = at(0, 150)
    segments = [
        (11, still(MIDNIGHT - 7200, MIDNIGHT + 7200, LAT, LON)),
        (12, still(MIDNIGHT - 1200, MIDNIGHT + 2400, lat_b, lon_b)),
    ]
    (e,) = run(segments)
    assert e["start_s"] == MIDNIGHT - 1200
    assert e["end_s"] == MIDNIGHT + 2400
    assert e["n_steps"] == 61


def test_three_vessels_together_share_a_group():
    b = at(0, 200)
    c = at(120, 250)
    far = at(45, 50_000)
    far2 = at(45, 200, *far)
    later = at(270, 100)
    segments = [
        (1, still(T0, T0 + 3600, LAT, LON)),
        (2, still(T0, T0 + 3600, *b)),
        (3, still(T0 + 600, T0 + 4200, *c)),
        (4, still(T0, T0 + 3600, *far)),  # another pair at the same time
        (5, still(T0, T0 + 3600, *far2)),
        (1, still(T0 + 10_800, T0 + 14_400, LAT, LON)),  # vessel 1 again, later
        (6, still(T0 + 10_800, T0 + 14_400, *later)),
    ]
    events = run(segments)
    pairs = {(e["vessel_a"], e["vessel_b"]): e["group"] for e in events}
    assert set(pairs) == {(1, 2), (1, 3), (2, 3), (4, 5), (1, 6)}
    assert pairs[(1, 2)] == pairs[(1, 3)] == pairs[(2, 3)]
    assert len({pairs[(1, 2)], pairs[(4, 5)], pairs[(1, 6)]}) == 3
    assert sorted(set(pairs.values())) == [0, 1, 2]


def test_groups_join_through_a_shared_vessel_in_time():
    va = np.array([1, 2, 3, 1], dtype=np.int64)
    vb = np.array([2, 3, 4, 5], dtype=np.int64)
    start = np.array([0, 100, 200, 1000], dtype=np.int64)
    end = np.array([150, 250, 300, 1100], dtype=np.int64)
    # 1-2 meets 2-3 (shares 2, overlaps), 2-3 meets 3-4; 1-5 is later.
    np.testing.assert_array_equal(rendezvous_groups(va, vb, start, end), [0, 0, 0, 1])
    # Touching intervals count as overlapping; disjoint ones do not.
    np.testing.assert_array_equal(
        rendezvous_groups(va[:2], vb[:2], start[:2], np.array([100, 250])), [0, 0]
    )
    np.testing.assert_array_equal(
        rendezvous_groups(va[:2], vb[:2], start[:2], np.array([99, 250])), [0, 1]
    )


@pytest.mark.parametrize(("away_min", "n_events"), [(5, 1), (10, 1), (11, 2), (20, 2)])
def test_break_merges_up_to_max_break(away_min, n_events):
    near = at(0, 100)
    away = at(0, 3000)
    fixes_b = []
    t = T0
    for phase, minutes in ((near, 60), (away, away_min), (near, 60)):
        for _ in range(minutes):
            fixes_b.append((t, *phase, 0.5))
            t += 60
    segments = [(1, still(T0 - 600, t + 600, LAT, LON)), (2, fixes_b)]
    events = run(segments)
    assert len(events) == n_events
    if n_events == 1:
        (e,) = events
        assert (e["start_s"], e["end_s"]) == (T0, t - 60)
        assert e["n_steps"] == 120  # the break's steps are not counted
    else:
        assert [(e["start_s"], e["end_s"]) for e in events] == [
            (T0, T0 + 59 * 60),
            (T0 + (60 + away_min) * 60, t - 60),
        ]


@pytest.mark.parametrize(("max_gap_s", "found"), [(7200, False), (10_800, True)])
def test_never_interpolates_across_a_gap(max_gap_s, found):
    b = at(0, 100)
    fixes_b = [(T0, *b, 0.2), (T0 + 9000, *b, 0.2)]  # 2.5 h apart, one segment
    segments = [(1, still(T0 - 600, T0 + 9600, LAT, LON)), (2, fixes_b)]
    events = run(segments, max_interp_gap_s=max_gap_s)
    assert len(events) == int(found)
    if found:
        assert (events[0]["start_s"], events[0]["end_s"]) == (T0, T0 + 9000)


def test_a_vessel_never_pairs_with_itself():
    b = at(0, 50)
    same = [(7, still(T0, T0 + 3600, LAT, LON)), (7, still(T0, T0 + 3600, *b))]
    assert run(same) == []
    other = [(7, still(T0, T0 + 3600, LAT, LON)), (8, still(T0, T0 + 3600, *b))]
    assert [(e["vessel_a"], e["vessel_b"]) for e in run(other)] == [(7, 8)]


def test_two_segments_of_one_vessel_near_another_keep_the_closest():
    b1 = at(0, 300)
    b2 = at(0, 100)
    segments = [
        (1, still(T0, T0 + 3600, LAT, LON)),
        (2, still(T0, T0 + 3600, *b1)),
        (2, still(T0, T0 + 3600, *b2)),  # a second transmitter of vessel 2
    ]
    (e,) = run(segments)
    assert e["n_steps"] == 61
    np.testing.assert_allclose([e["min_sep_m"], e["mean_sep_m"]], 100.0, atol=1e-6)


def random_segments(rng, n_vessels=6, n_seg=12):
    segments = []
    for _ in range(n_seg):
        vessel = int(rng.integers(100, 100 + n_vessels))
        t = T0 + int(rng.integers(0, 3600))
        lat, lon = at(rng.uniform(0, 360), rng.uniform(0, 1500))
        fixes = []
        for _ in range(int(rng.integers(5, 80))):
            sog = float(rng.uniform(0, 4)) if rng.random() > 0.2 else math.nan
            fixes.append((t, lat, lon, sog))
            t += int(rng.integers(10, 200))
            lat, lon = destination(lat, lon, rng.uniform(0, 360), rng.uniform(0, 60))
        segments.append((vessel, fixes))
    return segments


@pytest.mark.parametrize("seed", range(5))
def test_symmetric_in_input_order_and_vessel_labels(seed):
    rng = np.random.default_rng(seed)
    segments = random_segments(rng)
    params = {"min_duration_s": 600}
    base = run(segments, **params)
    assert base, "the case should have events"
    assert all(e["vessel_a"] < e["vessel_b"] for e in base)
    shuffled = [segments[i] for i in rng.permutation(len(segments))]
    assert_same_events(run(shuffled, **params), base)
    # Reversing the vessel numbering swaps a and b in every event.
    flipped = run([(1000 - v, f) for v, f in segments], **params)
    mirrored = sorted(
        (
            {
                **e,
                "vessel_a": 1000 - e["vessel_b"],
                "vessel_b": 1000 - e["vessel_a"],
                "mean_sog_a_kn": e["mean_sog_b_kn"],
                "mean_sog_b_kn": e["mean_sog_a_kn"],
            }
            for e in base
        ),
        key=lambda e: (e["start_s"], e["vessel_a"], e["vessel_b"]),
    )
    assert [{k: e[k] for k in RENDEZVOUS_FIELDS if k != "group"} for e in flipped] == [
        pytest.approx({k: e[k] for k in RENDEZVOUS_FIELDS if k != "group"})
        for e in mirrored
    ]


def test_results_do_not_depend_on_where_the_data_starts():
    rng = np.random.default_rng(11)
    segments = random_segments(rng)
    base = run(segments, min_duration_s=600)
    # Another vessel far away a day earlier, its fixes off the grid.
    early = (
        999,
        [(T0 - 86_400 + 17, 10.0, 10.0, 1.0), (T0 - 86_400 + 500, 10.0, 10.0, 1.0)],
    )
    assert_same_events(run([early, *segments], min_duration_s=600), base)
    shifted = [
        (v, [(t + 7 * 3600, la, lo, s) for t, la, lo, s in f]) for v, f in segments
    ]
    moved = run(shifted, min_duration_s=600)
    assert [(e["start_s"] - 7 * 3600, e["end_s"] - 7 * 3600) for e in moved] == [
        (e["start_s"], e["end_s"]) for e in base
    ]


def test_speed_from_positions_when_sog_is_missing():
    b = at(0, 100)
    drifting = [
        (t, *at(90, (t - T0) * 0.1, *b), math.nan) for t in range(T0, T0 + 3601, 60)
    ]
    (e,) = run([(1, still(T0, T0 + 3600, LAT, LON, sog=math.nan)), (2, drifting)])
    np.testing.assert_allclose(e["mean_sog_a_kn"], 0.0, atol=1e-9)
    np.testing.assert_allclose(e["mean_sog_b_kn"], 0.1 / (1852 / 3600), rtol=1e-6)
    fast = [
        (t, *at(90, (t - T0) * 0.2, *b), math.nan) for t in range(T0, T0 + 3601, 60)
    ]
    anchored = still(T0, T0 + 3600, LAT, LON, sog=0.0)
    assert len(run([(1, anchored), (2, drifting)], max_speed_kn=0.3)) == 1
    assert run([(1, anchored), (2, fast)], max_speed_kn=0.3) == []


def test_speed_limit_is_strict_and_can_be_switched_off():
    b = at(0, 100)
    segments = [
        (1, still(T0, T0 + 3600, LAT, LON, sog=3.0)),
        (2, still(T0, T0 + 3600, *b, sog=0.0)),
    ]
    assert run(segments) == []
    assert len(run(segments, max_speed_kn=math.inf)) == 1


def test_distance_threshold_and_antimeridian():
    a = (10.0, 179.9995)
    b = at(90, 120, *a)  # across 180 degrees
    assert b[1] < 0
    segments = [(1, still(T0, T0 + 3600, *a)), (2, still(T0, T0 + 3600, *b))]
    (e,) = run(segments)
    np.testing.assert_allclose(e["min_sep_m"], 120.0, atol=1e-6)
    assert abs(e["lon_deg"]) > 179.99
    assert run(segments, max_distance_m=119.0) == []


def test_empty_and_single_inputs():
    for segments in ([], [(1, [])], [(1, still(T0, T0 + 3600, LAT, LON))]):
        out = rendezvous_pairs(*build(segments), *MAKRAN.values())
        assert len(out) == len(RENDEZVOUS_FIELDS)
        assert all(a.shape == (0,) for a in out)
        assert out[0].dtype == np.int64 and out[5].dtype == np.float64


def test_gothenburg_close_approach(ais_real):
    """Two real ships passing at about 383 m (DMA, 2017-07-05 19:08:26 UTC)."""
    gpd = pytest.importorskip("geopandas")
    df = gpd.read_file(ais_real / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg")
    df = df.sort_values(["MMSI", "t"], kind="stable")
    t = (df["t"].astype("datetime64[s]").astype(np.int64)).to_numpy()
    mmsi = df["MMSI"].to_numpy(np.int64)
    starts = np.flatnonzero(np.r_[True, mmsi[1:] != mmsi[:-1]])
    out = rendezvous_pairs(
        t,
        df.geometry.y.to_numpy(),
        df.geometry.x.to_numpy(),
        df["SOG"].to_numpy(np.float32),
        np.r_[starts, len(df)].astype(np.int64),
        mmsi[starts],
        1000.0,  # metres
        math.inf,  # they pass at speed: no speed limit
        1,  # one-second grid: the ships close at about 20 m/s
        600,
        0,
        0,
    )
    events = [
        dict(zip(RENDEZVOUS_FIELDS, row, strict=True))
        for row in zip(*out, strict=False)
    ]
    assert len(events) == 1
    (e,) = events
    assert (e["vessel_a"], e["vessel_b"]) == (265410000, 265550210)
    assert abs(e["min_sep_m"] - 383.0) < 20.0
    cpa = np.datetime64("2017-07-05T19:08:26").astype("datetime64[s]").astype(np.int64)
    assert abs(e["t_min_sep_s"] - cpa) <= 10
    assert e["mean_sog_a_kn"] > 5 and e["mean_sog_b_kn"] > 5


def test_missing_positions_are_gaps_in_the_grid():
    b = at(0, 100)
    fixes_b = still(T0, T0 + 3600, *b)
    fixes_b[30] = (fixes_b[30][0], math.nan, math.nan, 0.5)  # at T0 + 30 min
    segments = [(1, still(T0, T0 + 3600, LAT, LON)), (2, fixes_b)]
    (e,) = run(segments)
    assert (e["start_s"], e["end_s"], e["n_steps"]) == (T0, T0 + 3600, 60)
    want, _ = ref.rendezvous_reference(*build(segments), *MAKRAN.values())
    assert_same_events([e], want)
    # Without breaks: two halves of 29 minutes, each too short.
    assert run(segments, max_break_s=0) == []
