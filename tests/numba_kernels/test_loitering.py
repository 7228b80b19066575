"""kernels.loitering: loitering runs and MovingPandas-style stops vs references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_loiter as ref
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kernels.loitering import loitering_runs, stop_segments

M_PER_DEG = 111_195.0
T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
KN = 1852.0 / 3600.0  # m/s per knot


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


def offset_position(lat0, lon0, north_m, east_m):
    lat = lat0 + north_m / M_PER_DEG
    lon = lon0 + east_m / (M_PER_DEG * math.cos(math.radians(lat0)))
    return lat, (lon + 180.0) % 360.0 - 180.0


def track(points, lat0=25.0, lon0=62.0, t0=T0):
    """Arrays from (t offset s, north m, east m, sog kn) tuples, one segment."""
    t = np.array([t0 + p[0] for p in points], dtype=np.int64)
    pos = [offset_position(lat0, lon0, p[1], p[2]) for p in points]
    lat = np.array([q[0] for q in pos], dtype=np.float64)
    lon = np.array([q[1] for q in pos], dtype=np.float64)
    sog = np.array([p[3] for p in points], dtype=np.float32)
    return t, lat, lon, sog


def concat(*tracks):
    """Concatenate single-segment tracks into flat arrays plus offsets."""
    offsets = np.cumsum([0] + [len(tr[0]) for tr in tracks]).astype(np.int64)
    empty = track([])
    cols = [np.concatenate([empty[i]] + [tr[i] for tr in tracks]) for i in range(4)]
    return (*cols, offsets)


def drift(start_s, hours, speed_kn, step_s=60, heading_deg=90.0, north0=0.0, east0=0.0):
    """Points of a vessel moving steadily, reporting SOG = its speed."""
    out = []
    h = math.radians(heading_deg)
    for i in range(int(hours * 3600 / step_s) + 1):
        d = speed_kn * KN * i * step_s
        out.append(
            (
                start_s + i * step_s,
                north0 + d * math.cos(h),
                east0 + d * math.sin(h),
                speed_kn,
            )
        )
    return out


def path(legs, step_s=300):
    """Continuous points along legs of (hours, speed kn, heading deg); each
    point reports the speed of the leg that brought it there."""
    pts = [(0, 0.0, 0.0, legs[0][1])]
    t, north, east = 0, 0.0, 0.0
    for hours, speed, heading in legs:
        h = math.radians(heading)
        for _ in range(int(hours * 3600 / step_s)):
            t += step_s
            north += speed * KN * step_s * math.cos(h)
            east += speed * KN * step_s * math.sin(h)
            pts.append((t, north, east, speed))
    return pts


def loiter(t, lat, lon, sog, offsets, max_speed_kn=2.0, radius_m=2000.0, min_s=3600):
    return loitering_runs(t, lat, lon, sog, offsets, max_speed_kn, radius_m, min_s)


def runs_as_pairs(res):
    return list(zip(res[1].tolist(), res[2].tolist(), strict=True))


# ---------------------------------------------------------------------------
# Comparison with the references
# ---------------------------------------------------------------------------


def assert_loitering_matches(t, lat, lon, sog, offsets, speed, radius, min_s):
    got = loitering_runs(t, lat, lon, sog, offsets, speed, radius, min_s)
    exp = ref.loitering_runs(
        t.tolist(),
        lat.tolist(),
        lon.tolist(),
        sog.tolist(),
        offsets.tolist(),
        speed,
        radius,
        min_s,
    )
    assert got[0].tolist() == [r["segment"] for r in exp]
    assert got[1].tolist() == [r["start"] for r in exp]
    assert got[2].tolist() == [r["end"] for r in exp]
    assert got[8].tolist() == [r["n_points"] for r in exp]
    if exp:
        for i, key in enumerate(
            ["duration", "mean_speed", "max_dist", "centroid_lat", "centroid_lon"],
            start=3,
        ):
            np.testing.assert_allclose(
                got[i], [r[key] for r in exp], rtol=1e-9, atol=1e-9, err_msg=key
            )
    return got


def assert_stops_match(t, lat, lon, offsets, diameter, min_s):
    got = stop_segments(t, lat, lon, offsets, diameter, min_s)
    exp = ref.stop_segments(
        t.tolist(), lat.tolist(), lon.tolist(), offsets.tolist(), diameter, min_s
    )
    ref.assert_same_stops(got, exp)
    return got


BASES = [(25.0, 62.0), (0.0, 0.0), (59.9, 179.995), (-70.0, -179.99), (84.0, 10.0)]


@st.composite
def segment_points(draw):
    """One segment: steps in time and metres, SOG (NaN sometimes), NaN rows."""
    n = draw(st.integers(0, 30))
    scale = draw(st.sampled_from([0.05, 0.3, 1.0, 3.0]))
    sog_mode = draw(st.sampled_from(["slow", "mixed", "nan"]))
    pts = []
    t = 0
    north = east = 0.0
    for _ in range(n):
        t += draw(st.sampled_from([0, 30, 60, 300, 600, 900, 1800]))
        north += draw(st.integers(-400, 400)) * scale
        east += draw(st.integers(-400, 400)) * scale
        if sog_mode == "nan" or draw(st.integers(0, 5)) == 0:
            sog = math.nan
        elif sog_mode == "slow":
            sog = draw(st.sampled_from([0.0, 0.5, 1.9, 2.0, 2.5]))
        else:
            sog = draw(st.floats(0.0, 6.0, allow_nan=False))
        pts.append((t, north, east, sog, draw(st.integers(0, 14)) == 0))
    return pts


@st.composite
def tracks(draw):
    lat0, lon0 = draw(st.sampled_from(BASES))
    segs = draw(st.lists(segment_points(), min_size=0, max_size=4))
    built = []
    t_start = T0 + draw(st.integers(0, 86_400))
    for pts in segs:
        t, lat, lon, sog = track([p[:4] for p in pts], lat0, lon0, t_start)
        nan_rows = np.array([p[4] for p in pts], dtype=bool)
        lat[nan_rows] = np.nan
        built.append((t, lat, lon, sog))
        t_start = (int(t[-1]) if len(t) else t_start) + 10_000
    return concat(*built)


@settings(max_examples=1000)
@given(
    tracks(),
    st.sampled_from([(2.0, 2000.0, 3600), (2.0, 200.0, 600), (0.5, 50.0, 0)]),
)
def test_loitering_matches_reference(arrays, params):
    got = assert_loitering_matches(*arrays, *params)
    event(f"runs: {min(len(got[0]), 3)}")


@settings(max_examples=1000)
@given(tracks(), st.sampled_from([(500.0, 3600), (100.0, 600), (2000.0, 1800)]))
def test_stop_segments_match_reference(arrays, params):
    t, lat, lon, _, offsets = arrays
    got = assert_stops_match(t, lat, lon, offsets, *params)
    event(f"stops: {min(len(got[0]), 3)}")


def test_random_long_tracks_match_references():
    """Longer tracks than Hypothesis draws: anchor clouds, drifts, transits."""
    rng = np.random.default_rng(11)
    built = []
    for _ in range(12):
        pts, t, north, east = [], 0, 0.0, 0.0
        for _ in range(int(rng.integers(50, 400))):
            t += int(rng.choice([10, 60, 180, 600]))
            phase = (t // 7200) % 3
            step = {0: 5.0, 1: 40.0, 2: 400.0}[int(phase)]
            north += rng.normal(0, step)
            east += rng.normal(0, step)
            sog = float(
                rng.choice([[np.nan, 0.3, 1.0], [np.nan, 1.5, 2.5], [8.0, 9.0]][phase])
            )
            pts.append((t, north, east, sog))
        built.append(track(pts))
    t, lat, lon, sog, offsets = concat(*built)
    lat[rng.random(len(lat)) < 0.02] = np.nan
    runs = assert_loitering_matches(t, lat, lon, sog, offsets, 2.0, 2000.0, 3600)
    stops = assert_stops_match(t, lat, lon, offsets, 500.0, 3600)
    assert len(runs[0]) > 5 and len(stops[0]) > 5


# ---------------------------------------------------------------------------
# Loitering: hand-built cases
# ---------------------------------------------------------------------------


def test_fishing_boat_drifting_then_trawling_ends_where_the_trawl_starts():
    # 3 h drifting at 0.3 kn (1.7 km), then trawling at 3 kn.
    pts = path([(3.0, 0.3, 45.0), (2.0, 3.0, 200.0)], step_s=120)
    t, lat, lon, sog, offsets = concat(track(pts))
    res = loiter(t, lat, lon, sog, offsets)
    drift_end = int(3 * 3600 / 120)  # last row reached while drifting
    assert runs_as_pairs(res) == [(0, drift_end)]
    assert sog[drift_end] < 2.0 <= sog[drift_end + 1]
    assert res[3][0] == 3 * 3600
    np.testing.assert_allclose(res[4][0], 0.3, rtol=1e-6)
    assert res[5][0] < 2000.0


def test_slow_vessel_drifting_out_of_the_radius_ends_the_run():
    pts = drift(0, 5.0, 1.0, step_s=60)  # 1 kn for 5 h: 9.26 km east
    t, lat, lon, sog, offsets = concat(track(pts))
    res = loiter(t, lat, lon, sog, offsets, radius_m=2000.0, min_s=600)
    pairs = runs_as_pairs(res)
    # 2000 m at 1 kn is 3888 s: rows 0..64 are within 2 km of row 0.
    assert pairs[0] == (0, 64)
    assert res[5][0] <= 2000.0 < ref.haversine_m(lat[0], lon[0], lat[65], lon[65])
    # The next run is anchored at the row that left the radius.
    assert pairs[1][0] == 65
    assert all(d <= 2000.0 for d in res[5])


def test_radius_is_inclusive_and_speed_strict():
    still = [(i * 600, 0.0, 0.0, 0.5) for i in range(7)]
    t, lat, lon, sog, offsets = concat(track(still))
    # Distance 0 is within a radius of 0 m: the radius is inclusive.
    assert runs_as_pairs(loiter(t, lat, lon, sog, offsets, radius_m=0.0)) == [(0, 6)]
    # A speed equal to the limit is not slow: the speed test is strict.
    assert len(loiter(t, lat, lon, sog, offsets, max_speed_kn=0.5)[0]) == 0
    t, lat, lon, sog, offsets = concat(track(drift(0, 2.0, 1.0, step_s=600)))
    far = ref.haversine_m(lat[0], lon[0], lat[-1], lon[-1])
    res = loiter(t, lat, lon, sog, offsets, radius_m=far * (1 - 1e-6))
    assert runs_as_pairs(res) == [(0, len(t) - 2)]
    assert len(loiter(t, lat, lon, sog, offsets, max_speed_kn=1.0)[0]) == 0


def test_min_duration_is_inclusive():
    t, lat, lon, sog, offsets = concat(track(drift(0, 1.0, 0.2, step_s=600)))
    assert len(loiter(t, lat, lon, sog, offsets, min_s=3600)[0]) == 1
    assert len(loiter(t, lat, lon, sog, offsets, min_s=3601)[0]) == 0


def test_nan_sog_rows_use_the_implied_speed():
    pts = path([(2.0, 0.5, 0.0), (1.0, 6.0, 0.0)], step_s=300)
    t, lat, lon, sog, offsets = concat(track(pts))
    drift_end = 24  # 2 h of 300 s steps
    sog[:] = np.nan  # no SOG at all: every speed comes from positions
    res = loiter(t, lat, lon, sog, offsets)
    assert runs_as_pairs(res) == [(0, drift_end)]
    np.testing.assert_allclose(res[4][0], 0.5, rtol=2e-3)  # sphere vs flat steps
    # One NaN SOG inside the drift: implied 0.5 kn, the run goes on.
    sog[:] = [p[3] for p in pts]
    sog[5] = np.nan
    assert runs_as_pairs(loiter(t, lat, lon, sog, offsets)) == [(0, drift_end)]
    # A NaN SOG on the first trawling row: implied 6 kn, the run ends before it.
    sog[5] = 0.5
    sog[drift_end + 1] = np.nan
    assert runs_as_pairs(loiter(t, lat, lon, sog, offsets)) == [(0, drift_end)]
    # ...and with a 3 km radius, a slow SOG on that row would have kept it.
    sog[drift_end + 1] = 1.0
    res = loiter(t, lat, lon, sog, offsets, radius_m=3000.0)
    assert runs_as_pairs(res) == [(0, drift_end + 1)]


def test_first_row_without_sog_takes_the_speed_to_the_next_row():
    pts = drift(0, 2.0, 0.5, step_s=600)
    t, lat, lon, sog, offsets = concat(track(pts))
    sog[0] = np.nan
    res = loiter(t, lat, lon, sog, offsets)
    assert runs_as_pairs(res) == [(0, len(pts) - 1)]
    # Alone at its timestamp with no neighbour, the speed is unknown: not slow.
    t1, lat1, lon1, sog1, off1 = concat(track([(0, 0, 0, math.nan)]))
    assert len(loiter(t1, lat1, lon1, sog1, off1, min_s=0)[0]) == 0


@pytest.mark.parametrize("where", ["first", "middle", "last", "two"])
def test_nan_positions_never_start_extend_or_end_a_run(where):
    pts = drift(0, 2.0, 0.5, step_s=600)  # rows 0..12
    t, lat, lon, sog, offsets = concat(track(pts))
    rows = {"first": [0], "middle": [5], "last": [12], "two": [5, 6]}[where]
    lat[rows] = np.nan
    res = assert_loitering_matches(t, lat, lon, sog, offsets, 2.0, 2000.0, 3600)
    ((start, end),) = runs_as_pairs(res)
    assert start == (1 if where == "first" else 0)
    assert end == (11 if where == "last" else 12)
    assert res[8][0] == 13 - len(rows)
    # A NaN-position row with a fast SOG is skipped, not a break.
    sog[rows] = 10.0
    assert runs_as_pairs(loiter(t, lat, lon, sog, offsets)) == [(start, end)]


def test_run_spanning_midnight_is_found_whole():
    start = 1_704_153_600 - 5400  # 2024-01-01T22:30Z
    t, lat, lon, sog, offsets = concat(track(drift(0, 3.0, 0.3), t0=start))
    res = loiter(t, lat, lon, sog, offsets)
    assert runs_as_pairs(res) == [(0, len(t) - 1)]
    assert t[res[1][0]] < 1_704_153_600 < t[res[2][0]]
    assert res[3][0] == 3 * 3600


def test_single_point_track_and_empty_input():
    t, lat, lon, sog, offsets = concat(track([(0, 0, 0, 0.0)]))
    assert len(loiter(t, lat, lon, sog, offsets, min_s=0)[0]) == 1
    assert len(loiter(t, lat, lon, sog, offsets)[0]) == 0
    empty = concat()
    res = loiter(*empty)
    assert all(len(a) == 0 for a in res)
    assert res[1].dtype == np.int64 and res[3].dtype == np.float64
    res = loiter(*concat(track([]), track([])))
    assert len(res[0]) == 0


def test_runs_stay_within_their_segment():
    a = track(drift(0, 2.0, 0.5))
    b = track(drift(0, 2.0, 0.5), t0=T0 + 7200)
    res = loiter(*concat(a, b))
    assert res[0].tolist() == [0, 1]
    assert runs_as_pairs(res) == [
        (0, len(a[0]) - 1),
        (len(a[0]), len(a[0]) + len(b[0]) - 1),
    ]


def test_centroid_across_the_antimeridian():
    pts = [(i * 600, 0.0, (-1) ** i * 300.0, 0.5) for i in range(13)]
    t, lat, lon, sog, offsets = concat(track(pts, lat0=10.0, lon0=179.999))
    assert (lon > 0).any() and (lon < 0).any()
    res = assert_loitering_matches(t, lat, lon, sog, offsets, 2.0, 2000.0, 3600)
    assert len(res[0]) == 1
    assert abs(abs(res[7][0]) - 180.0) < 0.01


@settings(max_examples=200)
@given(tracks(), st.integers(-(10**9), 10**9))
def test_shifting_all_times_changes_nothing(arrays, shift):
    t, lat, lon, sog, offsets = arrays
    a = loiter(t, lat, lon, sog, offsets)
    b = loiter(t + shift, lat, lon, sog, offsets)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    a = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    b = stop_segments(t + shift, lat, lon, offsets, 500.0, 3600)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@settings(max_examples=200)
@given(tracks())
def test_per_segment_results_concatenate(arrays):
    t, lat, lon, sog, offsets = arrays
    whole = loiter(t, lat, lon, sog, offsets)
    whole_stops = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    parts, parts_stops = [], []
    for k in range(len(offsets) - 1):
        a, b = offsets[k], offsets[k + 1]
        one = np.array([0, b - a], dtype=np.int64)
        r = loiter(t[a:b], lat[a:b], lon[a:b], sog[a:b], one)
        parts.append((r[1] + a).tolist())
        s = stop_segments(t[a:b], lat[a:b], lon[a:b], one, 500.0, 3600)
        parts_stops.append((s[1] + a).tolist())
    assert whole[1].tolist() == [r for part in parts for r in part]
    assert whole_stops[1].tolist() == [r for part in parts_stops for r in part]


# ---------------------------------------------------------------------------
# Stop segments: hand-built cases
# ---------------------------------------------------------------------------


def cloud(start_s, hours, radius_m, step_s=120, north0=0.0, east0=0.0, seed=0):
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 / step_s) + 1
    ang = rng.uniform(0, 2 * math.pi, n)
    r = radius_m * np.sqrt(rng.uniform(0, 1, n))
    return [
        (
            start_s + i * step_s,
            north0 + r[i] * math.cos(ang[i]),
            east0 + r[i] * math.sin(ang[i]),
            0.0,
        )
        for i in range(n)
    ]


def test_stop_between_transits_is_found_with_movingpandas_boundaries():
    sail_in = drift(0, 1.0, 10.0, step_s=60, heading_deg=0.0, north0=-18520.0)
    anchored = cloud(3660, 3.0, 150.0, seed=1)
    sail_out = drift(anchored[-1][0] + 60, 1.0, 10.0, step_s=60, heading_deg=90.0)
    t, lat, lon, _, offsets = concat(track(sail_in + anchored + sail_out))
    res = assert_stops_match(t, lat, lon, offsets, 500.0, 3600)
    assert len(res[0]) == 1
    start, end = res[1][0], res[2][0]
    # The stop holds the whole anchorage plus the approach points within
    # reach, and ends before the first sailing point out of reach.
    assert start <= len(sail_in) <= start + 3
    assert len(sail_in) + len(anchored) - 1 <= end <= len(sail_in) + len(anchored) + 3
    assert res[4][0] < 500.0


def test_diameter_is_strict():
    still = [(i * 900, 0.0, 0.0, 0.0) for i in range(6)]
    t, lat, lon, _, offsets = concat(track(still))
    # A diameter of exactly 0 m is not below 0 m: the test is strict.
    assert len(stop_segments(t, lat, lon, offsets, 0.0, 3600)[0]) == 0
    assert runs_as_pairs(stop_segments(t, lat, lon, offsets, 1e-3, 3600)) == [(0, 5)]


def test_round_cloud_wider_than_the_rectangle_rule_allows():
    # 400 points uniformly in a disc of 240 m radius: true diameter < 480 m,
    # which MovingPandas' rectangle diagonal (~sqrt 2 x) would reject.
    t, lat, lon, _, offsets = concat(track(cloud(0, 6.0, 240.0, step_s=54, seed=3)))
    res = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    assert runs_as_pairs(res) == [(0, len(t) - 1)]
    assert 400.0 < res[4][0] < 480.0


def test_too_short_stop_keeps_the_window_like_movingpandas():
    # 40 min at rest, a jump away, then rest again: the first rest is too
    # short to be a stop, and the window is kept and trimmed, not restarted.
    rest1 = cloud(0, 0.66, 20.0, step_s=120, seed=4)
    rest2 = cloud(rest1[-1][0] + 120, 2.0, 20.0, step_s=120, north0=1000.0, seed=5)
    t, lat, lon, _, offsets = concat(track(rest1 + rest2))
    res = assert_stops_match(t, lat, lon, offsets, 500.0, 3600)
    assert runs_as_pairs(res) == [(len(rest1), len(t) - 1)]


def test_stop_segments_spanning_midnight_single_point_and_empty():
    start = 1_704_153_600 - 3600
    t, lat, lon, _, offsets = concat(track(cloud(0, 3.0, 50.0), t0=start))
    res = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    assert runs_as_pairs(res) == [(0, len(t) - 1)]
    t, lat, lon, _, offsets = concat(track([(0, 0, 0, 0.0)]))
    assert len(stop_segments(t, lat, lon, offsets, 500.0, 0)[0]) == 0
    res = stop_segments(*concat()[:3], concat()[4], 500.0, 3600)
    assert all(len(a) == 0 for a in res)


@pytest.mark.parametrize("where", ["first", "middle", "last", "two"])
def test_stop_segments_skip_nan_positions(where):
    t, lat, lon, _, offsets = concat(track(cloud(0, 2.0, 50.0, step_s=600)))
    rows = {"first": [0], "middle": [5], "last": [12], "two": [5, 6]}[where]
    lon[rows] = np.nan
    res = assert_stops_match(t, lat, lon, offsets, 500.0, 3600)
    ((start, end),) = runs_as_pairs(res)
    assert not np.isnan(lon[start]) and not np.isnan(lon[end])


def test_nanosecond_times_give_the_same_stops():
    t, lat, lon, _, offsets = concat(track(cloud(0, 3.0, 50.0, step_s=7)))
    a = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    b = stop_segments(t * 1_000_000_000, lat, lon, offsets, 500.0, 3600 * 10**9)
    assert runs_as_pairs(a) == runs_as_pairs(b)
