"""kernels.stop_segments(diameter="movingpandas") against MovingPandas itself.

Three oracles: the plain-Python reference (exact hull, brute-force
rectangles, Karney geodesics), shapely's ``minimum_rotated_rectangle`` with
geopy (MovingPandas' own ``mrr_diagonal``), and MovingPandas'
``TrajectoryStopDetector`` on real and generated tracks.
"""

from __future__ import annotations

import math
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import reference_loiter
import reference_stops_movingpandas as ref
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kernels._movingpandas import orientation, wgs84_geodesic_m
from kernels.loitering import movingpandas_window_measures, stop_segments

M_PER_DEG = 111_195.0
T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
AIS_STEP_DEG = 1.0 / 600_000.0  # AIS positions: 1/10,000 minute
MAX_DIAMETER_M = 500.0
MIN_DURATION = timedelta(hours=1)


def mp_stops(t, lat, lon, offsets, max_diameter_m=MAX_DIAMETER_M, min_s=3600):
    return stop_segments(
        t, lat, lon, offsets, max_diameter_m, min_s, diameter="movingpandas"
    )


def as_pairs(res):
    return list(zip(res[1].tolist(), res[2].tolist(), strict=True))


def track_arrays(points, lat0=25.0, lon0=62.0):
    """(t offset s, north m, east m) tuples -> t, lat, lon, offsets."""
    t = np.array([T0 + p[0] for p in points], dtype=np.int64)
    lat = np.array([lat0 + p[1] / M_PER_DEG for p in points])
    lon = np.array(
        [lon0 + p[2] / (M_PER_DEG * math.cos(math.radians(lat0))) for p in points]
    )
    return t, lat, lon, np.array([0, len(points)], dtype=np.int64)


# ---------------------------------------------------------------------------
# Against the plain-Python reference
# ---------------------------------------------------------------------------


@st.composite
def segments(draw):
    """Up to three segments of a vessel wandering at 20-400 m scales, some
    rows without a position, positions optionally on the AIS grid."""
    lat0 = draw(st.sampled_from([25.0, 0.2, -40.0, 60.0]))
    lon0 = draw(st.sampled_from([62.0, -0.1, 150.0]))
    on_grid = draw(st.booleans())
    t_all, lat_all, lon_all, offsets = [], [], [], [0]
    t = 0
    for _ in range(draw(st.integers(1, 3))):
        scale = draw(st.sampled_from([20.0, 60.0, 150.0, 300.0]))
        north = east = 0.0
        for _ in range(draw(st.integers(0, 35))):
            t += draw(st.sampled_from([0, 60, 300, 600, 900]))
            north += draw(st.floats(-1.0, 1.0)) * scale
            east += draw(st.floats(-1.0, 1.0)) * scale
            lat = lat0 + north / M_PER_DEG
            lon = lon0 + east / (M_PER_DEG * math.cos(math.radians(lat0)))
            if on_grid:
                lat = round(lat / AIS_STEP_DEG) * AIS_STEP_DEG
                lon = round(lon / AIS_STEP_DEG) * AIS_STEP_DEG
            if draw(st.integers(0, 19)) == 0:
                lat = math.nan
            t_all.append(T0 + t)
            lat_all.append(lat)
            lon_all.append(lon)
        offsets.append(len(t_all))
        t += 20_000
    return (
        np.array(t_all, dtype=np.int64),
        np.array(lat_all, dtype=np.float64),
        np.array(lon_all, dtype=np.float64),
        np.array(offsets, dtype=np.int64),
    )


def assert_matches_reference(t, lat, lon, offsets, max_diameter_m, min_s):
    got = mp_stops(t, lat, lon, offsets, max_diameter_m, min_s)
    exp = ref.stop_segments(
        t.tolist(), lat.tolist(), lon.tolist(), offsets.tolist(), max_diameter_m, min_s
    )
    reference_loiter.assert_same_stops(got, exp)
    return got


@settings(max_examples=1000)
@given(segments(), st.sampled_from([(500.0, 3600), (150.0, 1800), (1000.0, 600)]))
def test_movingpandas_mode_matches_reference(arrays, params):
    got = assert_matches_reference(*arrays, *params)
    event(f"stops: {min(len(got[0]), 3)}")


def test_default_mode_is_the_honest_diameter():
    # Without `diameter`, the kernel is the true-diameter detector.
    rng = np.random.default_rng(5)
    pts = [(i * 120, *rng.normal(0, 80, 2)) for i in range(80)]
    t, lat, lon, offsets = track_arrays(pts)
    honest = reference_loiter.stop_segments(
        t.tolist(), lat.tolist(), lon.tolist(), offsets.tolist(), 500.0, 3600
    )
    assert as_pairs(stop_segments(t, lat, lon, offsets, 500.0, 3600)) == [
        (r["start"], r["end"]) for r in honest
    ]


# ---------------------------------------------------------------------------
# The window measures against shapely + geopy (MovingPandas' own code)
# ---------------------------------------------------------------------------


def mp_measures(lat, lon):
    from geopy import distance
    from movingpandas.geometry_utils import mrr_diagonal
    from shapely.geometry import MultiPoint

    corner = distance.distance((lat.min(), lon.min()), (lat.max(), lon.max())).meters
    return corner, mrr_diagonal(MultiPoint(np.column_stack([lon, lat])), True)


@pytest.fixture(scope="module")
def quiet_movingpandas():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import movingpandas  # noqa: F401  (optional-dependency warning)
    return True


@pytest.mark.parametrize("on_grid", [False, True])
def test_window_measures_match_shapely_and_geopy(on_grid, quiet_movingpandas):
    rng = np.random.default_rng(11 + on_grid)
    for _ in range(1500):
        n = int(rng.integers(2, 40))
        lat0 = rng.uniform(-70, 70)
        lon0 = rng.uniform(-179, 179)
        r = 10 ** rng.uniform(0.5, 3.2)
        lat = lat0 + rng.normal(size=n) * r / M_PER_DEG * rng.uniform(0.1, 1)
        lon = lon0 + rng.normal(size=n) * r / M_PER_DEG
        if on_grid:
            lat = np.round(lat / AIS_STEP_DEG) * AIS_STEP_DEG
            lon = np.round(lon / AIS_STEP_DEG) * AIS_STEP_DEG
        corner, diagonal = movingpandas_window_measures(lat, lon)
        exp_corner, exp_diagonal = mp_measures(lat, lon)
        assert corner == pytest.approx(exp_corner, abs=1e-6)
        assert diagonal == pytest.approx(exp_diagonal, abs=1e-6), (lat, lon)


@pytest.mark.parametrize(
    "points",
    [
        # Equally spaced on the AIS grid: collinear in decimal; GEOS's exact
        # predicate keeps the middle point off the hull, so do we.
        [
            (38.723585, 26.015483333333332),
            (38.723668333333336, 26.014008333333333),
            (38.72375166666667, 26.012533333333334),
        ],
        # A hull vertex collinear (exactly, in binary) with its neighbours:
        # dropped, else the calipers meet a zero-width edge.
        [
            (174.77233166666667, -33.592895),
            (174.771005, -33.593131666666665),
            (174.77233166666667, -33.593605),
            (174.77166833333334, -33.59265833333333),
            (174.771005, -33.592895),
            (174.77034166666667, -33.592895),
            (174.77233166666667, -33.59265833333333),
            (174.772995, -33.59265833333333),
        ],
        # Collinear in decimal, a sliver triangle in binary: GEOS's
        # "diagonal" is half the extent, decided by its rounding.
        [
            (-5.574595, 13.884316666666667),
            (-5.571948333333333, 13.886996666666667),
            (-5.573271666666667, 13.885656666666666),
        ],
        # Two points; repeated points; one point repeated.
        [(62.0, 25.0), (62.003, 25.002)],
        [(62.0, 25.0), (62.003, 25.002), (62.0, 25.0), (62.003, 25.002)],
        [(62.0, 25.0)] * 3,
        # Axis-aligned square (every edge gives the same rectangle).
        [(62.0, 25.0), (62.002, 25.0), (62.002, 25.002), (62.0, 25.002)],
    ],
)
def test_window_measures_special_cases(points, quiet_movingpandas):
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    got = movingpandas_window_measures(lat, lon)
    exp = mp_measures(lat, lon)
    np.testing.assert_allclose(got, exp, rtol=0, atol=1e-6)
    corner, diagonal = ref.window_measures(lat.tolist(), lon.tolist(), range(len(lat)))
    np.testing.assert_allclose(got, (corner, diagonal), rtol=0, atol=1e-6)


def test_window_measures_match_geos_on_straight_ais_grid_tracks(quiet_movingpandas):
    # 3-7 equally spaced points on the AIS grid: slivers whose rectangle
    # GEOS picks by rounding (a fast-math build differed on 3.4 % of them).
    rng = np.random.default_rng(42)
    for _ in range(3000):
        start = np.round(rng.uniform([-179, -60], [179, 60]) / AIS_STEP_DEG)
        step = rng.integers(-300, 301, 2)
        pts = (start + np.arange(rng.integers(3, 8))[:, None] * step) * AIS_STEP_DEG
        lon, lat = pts[:, 0].copy(), pts[:, 1].copy()
        got = movingpandas_window_measures(lat, lon)
        np.testing.assert_allclose(got, mp_measures(lat, lon), rtol=0, atol=1e-6)


def test_wgs84_geodesic_matches_geopy_on_random_pairs():
    from geopy import distance

    rng = np.random.default_rng(2)
    for _ in range(3000):
        lat1 = rng.uniform(-89, 89)
        lon1 = rng.uniform(-180, 180)
        d = 10 ** rng.uniform(-2, 4)  # 1 cm to 10 km
        lat2 = lat1 + rng.normal() * d / M_PER_DEG
        lon2 = lon1 + rng.normal() * d / M_PER_DEG
        exp = distance.distance((lat1, lon1), (lat2, lon2)).meters
        assert wgs84_geodesic_m(lat1, lon1, lat2, lon2) == pytest.approx(exp, abs=1e-6)
    assert wgs84_geodesic_m(25.0, 62.0, 25.0, 62.0) == 0.0
    # Across the antimeridian.
    exp = distance.distance((10.0, 179.999), (10.001, -179.999)).meters
    assert wgs84_geodesic_m(10.0, 179.999, 10.001, -179.999) == pytest.approx(exp)


def test_orientation_is_exact_where_the_cross_product_rounds():
    from fractions import Fraction

    rng = np.random.default_rng(3)
    for _ in range(2000):
        a = rng.uniform(-180, 180, 2)
        step = rng.integers(-5, 6, 2) * AIS_STEP_DEG * rng.integers(1, 400)
        pts = [a + k * step for k in range(3)]
        pts[2] = pts[2] + rng.integers(-1, 2, 2) * np.spacing(pts[2])
        (ax, ay), (bx, by), (cx, cy) = pts
        exact = (Fraction(bx) - Fraction(ax)) * (Fraction(cy) - Fraction(ay)) - (
            Fraction(by) - Fraction(ay)
        ) * (Fraction(cx) - Fraction(ax))
        assert orientation(ax, ay, bx, by, cx, cy) == (exact > 0) - (exact < 0)


# ---------------------------------------------------------------------------
# Hand-built stops
# ---------------------------------------------------------------------------


def test_round_cloud_the_rectangle_rule_rejects_is_no_stop():
    # Points in a disc of 240 m radius: true diameter < 480 m, but the
    # rectangle's diagonal is about sqrt(2) x wider.
    rng = np.random.default_rng(3)
    n = 400
    ang = rng.uniform(0, 2 * math.pi, n)
    r = 240.0 * np.sqrt(rng.uniform(0, 1, n))
    pts = [(i * 54, r[i] * math.cos(ang[i]), r[i] * math.sin(ang[i])) for i in range(n)]
    t, lat, lon, offsets = track_arrays(pts)
    assert as_pairs(stop_segments(t, lat, lon, offsets, 500.0, 3600)) == [(0, n - 1)]
    assert as_pairs(mp_stops(t, lat, lon, offsets)) == []
    # Shrunk to 150 m radius the rectangle fits too.
    pts = [(p[0], p[1] * 0.6, p[2] * 0.6) for p in pts]
    t, lat, lon, offsets = track_arrays(pts)
    res = mp_stops(t, lat, lon, offsets)
    assert as_pairs(res) == [(0, n - 1)]
    assert res[4][0] < 300.0  # diameter_m is still the true diameter


def test_diagonal_test_is_strict_and_two_points_use_the_geodesic():
    t = np.array([T0, T0 + 1800, T0 + 3600], dtype=np.int64)
    lat = np.array([25.0, 25.0, 25.0])
    lon = np.array([62.0, 62.0, 62.0])
    offsets = np.array([0, 3], dtype=np.int64)
    assert as_pairs(mp_stops(t, lat, lon, offsets, 0.0, 3600)) == []
    assert as_pairs(mp_stops(t, lat, lon, offsets, 1e-3, 3600)) == [(0, 2)]
    # Two points 300 m apart an hour apart: a stop below 300.5 m, none at 300.
    lat2 = np.array([25.0, 25.0 + 300.0 / M_PER_DEG])
    d = wgs84_geodesic_m(lat2[0], 62.0, lat2[1], 62.0)
    args = (t[[0, 2]], lat2, np.array([62.0, 62.0]), np.array([0, 2]))
    assert as_pairs(mp_stops(*args, d + 1e-6, 3600)) == [(0, 1)]
    assert as_pairs(mp_stops(*args, d, 3600)) == []


def test_unknown_diameter_mode_is_refused():
    t, lat, lon, offsets = track_arrays([(0, 0.0, 0.0)])
    with pytest.raises(
        ValueError, match="diameter must be one of 'true', 'movingpandas', not 'mrr'"
    ):
        stop_segments(t, lat, lon, offsets, 500.0, 3600, diameter="mrr")


def test_modes_agree_on_a_tight_anchorage_and_empty_input():
    rng = np.random.default_rng(8)
    pts = [(i * 60, *rng.normal(0, 15, 2)) for i in range(200)]
    t, lat, lon, offsets = track_arrays(pts)
    honest = stop_segments(t, lat, lon, offsets, 500.0, 3600)
    compat = mp_stops(t, lat, lon, offsets)
    assert as_pairs(honest) == as_pairs(compat) == [(0, 199)]
    np.testing.assert_array_equal(honest[4], compat[4])
    empty = np.empty(0, dtype=np.int64), np.empty(0), np.empty(0)
    res = mp_stops(*empty, np.array([0], dtype=np.int64))
    assert all(len(a) == 0 for a in res)


# ---------------------------------------------------------------------------
# Against MovingPandas' TrajectoryStopDetector
# ---------------------------------------------------------------------------


def movingpandas_comparison(mmsi, timestamp, lat, lon):
    """MovingPandas' stops and the kernel's on MovingPandas' own pieces, as
    (piece, first time, last time) sets."""
    import geopandas as gpd
    import movingpandas as mpd
    import pandas as pd

    gdf = gpd.GeoDataFrame(
        {"mmsi": mmsi, "timestamp": timestamp},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tc = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi", t="timestamp")
        pieces = mpd.ObservationGapSplitter(tc).split(gap=timedelta(hours=2))
        stops = mpd.TrajectoryStopDetector(pieces).get_stop_segments(
            MAX_DIAMETER_M, MIN_DURATION
        )
    theirs = {
        (s.parent.id, s.get_start_time(), s.get_end_time()) for s in stops.trajectories
    }
    ids, times, lats, lons, offsets = [], [], [], [], [0]
    for traj in pieces.trajectories:
        ids.append(traj.id)
        times.append(traj.df.index.as_unit("ns").asi8)
        lats.append(traj.df.geometry.y.to_numpy())
        lons.append(traj.df.geometry.x.to_numpy())
        offsets.append(offsets[-1] + len(traj.df))
    t_ns = np.concatenate(times)
    res = stop_segments(
        t_ns,
        np.concatenate(lats),
        np.concatenate(lons),
        np.asarray(offsets, dtype=np.int64),
        MAX_DIAMETER_M,
        int(MIN_DURATION.total_seconds() * 1e9),
        diameter="movingpandas",
    )
    ours = {
        (ids[k], pd.Timestamp(t_ns[s]), pd.Timestamp(t_ns[e]))
        for k, s, e in zip(res[0], res[1], res[2], strict=True)
    }
    return theirs, ours


def test_same_stops_as_movingpandas_on_boston(ais_real, quiet_movingpandas):
    import geopandas as gpd
    import pandas as pd

    g = gpd.read_file(ais_real / "gpkg" / "us_boston_20140101-07_4vessels.gpkg")
    theirs, ours = movingpandas_comparison(
        g["mmsi"].astype("int64").to_numpy(),
        pd.to_datetime(g["basedatetime"]).to_numpy(),
        g.geometry.y.to_numpy(),
        g.geometry.x.to_numpy(),
    )
    assert theirs
    assert ours == theirs


def test_same_stops_as_movingpandas_on_generated_tracks(
    quiet_movingpandas, monkeypatch
):
    import pandas as pd

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "scripts"))
    from synthetic_tracks import generate_tracks

    d = generate_tracks(12_000, seed=7)
    theirs, ours = movingpandas_comparison(
        d["mmsi"], pd.to_datetime(d["t_s"], unit="s").to_numpy(), d["lat"], d["lon"]
    )
    assert len(theirs) > 20
    assert ours == theirs


def test_small_hull_shortcut_never_changes_the_decision(quiet_movingpandas):
    # A hull is declared fitting, without the rectangle, when sqrt(2) R_E D
    # (D its widest vertex pair, radians) stays below 0.98 x 0.99 x the
    # limit. At the smallest such limit, GEOS's diagonal must still be
    # below it: round clouds, slivers on the AIS grid, near a pole, across
    # the antimeridian and the equator.
    from kernels.loitering import _exact_hull, _rectangle_surely_fits

    rng = np.random.default_rng(5)
    earth_radius_m = 6_371_008.8
    for case in range(2000):
        n = int(rng.integers(3, 30))
        lat0 = [rng.uniform(-88.5, 88.5), 0.0, 25.0, 88.9][case % 4]
        lon0 = [rng.uniform(-180, 180), 179.9995, 62.0, -179.9995][case % 4]
        r = 10 ** rng.uniform(0.0, 2.7)
        if case % 3 == 0:
            steps = rng.integers(-200, 201, 2)
            t = np.arange(n)[:, None] + rng.integers(-1, 2, (n, 1)) * (case % 2)
            pts = t * steps * AIS_STEP_DEG
            lat = np.round((lat0 + pts[:, 1]) / AIS_STEP_DEG) * AIS_STEP_DEG
            lon = np.round((lon0 + pts[:, 0]) / AIS_STEP_DEG) * AIS_STEP_DEG
        else:
            lat = lat0 + rng.normal(size=n) * r / M_PER_DEG * rng.uniform(0.05, 1)
            lon = lon0 + rng.normal(size=n) * r / M_PER_DEG
        keys = np.arange(n)
        hull = np.empty(2 * n + 1, dtype=np.int64)
        h = _exact_hull(keys, n, lon, lat, hull)
        if h < 3:
            continue
        v = hull[:h]
        widest = np.hypot(
            lon[v][:, None] - lon[v][None, :], lat[v][:, None] - lat[v][None, :]
        ).max()
        bound_m = math.sqrt(2.0) * earth_radius_m * math.radians(widest)
        limit = bound_m / (0.98 * 0.99) * (1.0 + 1e-9)
        fits = _rectangle_surely_fits(hull, h, lon, lat, limit)
        assert fits == (abs(lat).max() <= 89.0), (lat, lon)
        if fits:
            _, diagonal = mp_measures(lat, lon)
            assert diagonal < limit, (lat, lon, diagonal, limit)
            assert not _rectangle_surely_fits(hull, h, lon, lat, limit / 1.001)
