"""coastwatch.geo: package data, shore distance, ports, border, zones, bases."""

import configparser
import fnmatch
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

import coastwatch
from coastwatch import geo
from coastwatch.errors import InputError
from kernels import destination, haversine_m

REPO = Path(__file__).resolve().parents[2]

KARACHI_PORT = (24.835, 66.982)
CHABAHAR = (25.2911, 60.6375)
GWADAR = (25.1225, 62.3202)
JIWANI = (25.05, 61.75)
JASK = (25.644, 57.774)
ASTOLA = (25.1225, 63.8475)
INLAND = (26.0, 63.0)
# 58 km due south of Pasni town: about 50 km from the nearest coast.
OFF_PASNI = (24.7434, 63.47)
COPENHAGEN = (55.68, 12.57)
BOSTON = (42.36, -71.05)


# ---------------------------------------------------------------- package data


def test_data_files_come_from_the_installed_package():
    package_dir = Path(coastwatch.__file__).resolve().parent / "data"
    used = [
        *geo._LAND_FILES,
        geo._RASTER_FILE,
        geo._ZONES_FILE,
        geo._BOUNDARY_FILE,
        geo._LANDMARKS_FILE,
        "PROVENANCE.md",
    ]
    for name in used:
        path = Path(str(geo._data_file(name))).resolve()
        assert path.parent == package_dir, name
        assert path.is_file(), name
        assert "shared" not in path.parts


def test_every_data_file_is_declared_as_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    patterns = [
        p.strip()
        for p in cfg["options.package_data"]["coastwatch"].split(",")
        if p.strip()
    ]
    for path in (REPO / "coastwatch" / "data").iterdir():
        rel = f"data/{path.name}"
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), rel


def test_importing_reads_no_file():
    code = (
        "import coastwatch.geo as g\n"
        "loaders = [g.land_geometry, g._raster, g._zones, g._landmarks, "
        "g._coastline, g._border_vertices]\n"
        "assert all(f.cache_info().currsize == 0 for f in loaders)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)


def test_provenance_credits_natural_earth_and_states_caveats():
    text = geo._data_file("PROVENANCE.md").read_text(encoding="utf-8")
    assert "Natural Earth" in text
    assert "not an official" in text
    assert "Astola" in text


def test_raster_metadata():
    grid, lat0, lon0, step = geo._raster()
    assert (lat0, lon0, step) == (20.0, 55.0, 0.01)
    assert grid.shape == (801, 1501)
    assert grid.dtype == np.float32


# ---------------------------------------------------------------- inputs


def test_shapes_are_preserved_and_broadcast():
    assert geo.shore_distance_km(*OFF_PASNI).shape == ()
    lat = np.full((2, 3), OFF_PASNI[0])
    assert geo.shore_distance_km(lat, OFF_PASNI[1]).shape == (2, 3)
    assert geo.is_land(lat, OFF_PASNI[1]).shape == (2, 3)
    assert geo.port_area_index(lat, OFF_PASNI[1]).shape == (2, 3)
    assert geo.border_side(lat, OFF_PASNI[1]).dtype == np.int8
    assert geo.maritime_zone(lat, OFF_PASNI[1]).shape == (2, 3)
    names, dist = geo.nearest_base(lat, OFF_PASNI[1])
    assert names.shape == dist.shape == (2, 3)
    assert geo.crosses_border(lat, 61.0, lat, 62.0).shape == (2, 3)
    assert geo.shore_distance_km([], []).shape == (0,)


def test_mismatched_shapes_raise():
    with pytest.raises(InputError, match="lat and lon must have the same shape"):
        geo.shore_distance_km([25.0, 25.1], [63.0, 63.1, 63.2])


def test_non_numeric_input_raises():
    with pytest.raises(InputError, match="lat and lon must be numbers in degrees"):
        geo.is_land(["north"], [63.0])


def test_crosses_border_mismatched_shapes_raise():
    with pytest.raises(InputError, match="lat1, lon1, lat2 and lon2 must have"):
        geo.crosses_border([25.0, 25.1], [61.0], [25.0, 25.1, 25.2], [62.0])


# ---------------------------------------------------------------- outside


def test_points_outside_the_region_never_raise():
    lat = np.array([COPENHAGEN[0], BOSTON[0], 91.0, np.nan, 25.0, 19.99])
    lon = np.array([COPENHAGEN[1], BOSTON[1], 181.0, 63.0, np.nan, 63.0])
    assert np.isnan(geo.shore_distance_km(lat, lon)).all()
    assert np.isnan(geo.shore_distance_km(lat, lon, exact=True)).all()
    assert not geo.is_land(lat, lon).any()
    assert not geo.in_port(lat, lon).any()
    assert (geo.border_side(lat, lon) == 0).all()
    assert (geo.maritime_zone(lat, lon) == geo.ZONE_NONE).all()
    index, dist = geo.nearest_port(lat, lon)
    assert index.tolist()[3:5] == [-1, -1]
    assert (dist[:2] > 4000).all()
    names, dist = geo.nearest_base(lat, lon)
    assert names[3] is None and np.isnan(dist[3])


# ---------------------------------------------------------------- shore distance


def random_sea_points(n, seed, max_km=200.0):
    rng = np.random.default_rng(seed)
    lat = rng.uniform(20, 28, 8 * n)
    lon = rng.uniform(55, 70, 8 * n)
    exact = geo._exact_signed_distance_km(lat, lon)
    keep = np.flatnonzero((exact > 0) & (exact <= max_km))[:n]
    assert keep.size == n
    return lat[keep], lon[keep], exact[keep]


def test_raster_error_against_exact_distances():
    # Resolution 0.01 deg. The docstring quotes median 2 m, p95 14 m, max
    # 432 m on 20,000 points; bilinear interpolation of a 1-Lipschitz field can
    # never be off by more than a cell diagonal (1.5 km).
    lat, lon, exact = random_sea_points(3000, seed=11)
    raster = geo._raster_signed_km(lat, lon)
    err_m = np.abs(raster - exact) * 1000
    assert np.median(err_m) < 5
    assert np.percentile(err_m, 95) < 30
    assert err_m.max() < 1000
    served = geo.shore_distance_km(lat, lon)
    assert np.percentile(np.abs(served - exact) * 1000, 95) < 30


def test_near_the_coast_distances_are_exact():
    # Points 0-3 km off the coast: the raster hands them to shapely.
    paths = geo.coastline_paths()
    rng = np.random.default_rng(5)
    vertices = np.vstack(paths)
    pick = vertices[rng.choice(len(vertices), 2000)]
    lon = pick[:, 0] + rng.uniform(-0.03, 0.03, 2000)
    lat = pick[:, 1] + rng.uniform(-0.03, 0.03, 2000)
    inside = geo.REGIONS["context"].contains(lat, lon)
    lat, lon = lat[inside], lon[inside]
    served = geo.shore_distance_km(lat, lon)
    exact = geo.shore_distance_km(lat, lon, exact=True)
    near = exact < geo.NEAR_SHORE_EXACT_KM - 1.6  # surely inside the band
    assert near.sum() > 500
    np.testing.assert_array_equal(served[near], exact[near])


def test_is_land_is_exact_for_the_shipped_polygons():
    rng = np.random.default_rng(6)
    vertices = np.vstack(geo.coastline_paths())
    pick = vertices[rng.choice(len(vertices), 5000)]
    lon = np.concatenate(
        [pick[:, 0] + rng.normal(0, 0.02, 5000), rng.uniform(55, 70, 5000)]
    )
    lat = np.concatenate(
        [pick[:, 1] + rng.normal(0, 0.02, 5000), rng.uniform(20, 28, 5000)]
    )
    inside = geo.REGIONS["context"].contains(lat, lon)
    lat, lon = lat[inside], lon[inside]
    want = shapely.intersects_xy(geo.land_geometry(), lon, lat)
    np.testing.assert_array_equal(geo.is_land(lat, lon), want)
    dist = geo.shore_distance_km(lat, lon)
    assert (dist[want] == 0).all()
    assert (dist[~want] > 0).all()


def test_known_places_on_land():
    # Includes points in the last raster cell at the box's north and east edges.
    for place in (
        INLAND,
        KARACHI_PORT,
        ASTOLA,
        (25.12, 63.85),
        (28.0, 64.0),
        (27.995, 69.995),
        (20.001, 55.62),
    ):
        assert geo.is_land(*place), place
        assert geo.shore_distance_km(*place) == 0.0


def test_astola_island_counts_as_coast():
    # 2-3 km south of Astola the island, not the mainland 25 km north, is nearest.
    lat, lon = destination(ASTOLA[0], ASTOLA[1], 180.0, 3000.0)
    assert not geo.is_land(lat, lon)
    assert 1.0 < geo.shore_distance_km(lat, lon) < 3.0


def test_point_50_km_off_pasni():
    exact = geo.shore_distance_km(*OFF_PASNI, exact=True)
    assert exact == pytest.approx(50.0, abs=0.5)
    assert geo.shore_distance_km(*OFF_PASNI) == pytest.approx(exact, abs=0.05)
    assert not geo.in_port(*OFF_PASNI)
    assert not geo.is_land(*OFF_PASNI)


# ---------------------------------------------------------------- ports


def port_named(fragment):
    names = geo.port_areas()["name"]
    (rows,) = np.flatnonzero(names.str.contains(fragment, regex=False))
    return rows


def test_port_table():
    ports = geo.port_areas()
    assert list(ports.columns) == [
        "name",
        "kind",
        "country",
        "lat",
        "lon",
        "radius_km",
        "shape",
        "n_points",
        "confidence",
        "note",
    ]
    assert set(ports["kind"]) <= set(geo.PORT_KINDS)
    assert (ports["radius_km"] > 0).all()
    assert ports["name"].is_unique
    for fragment in (
        "Karachi port",
        "outer anchorage",
        "pilot",
        "Port Qasim",
        "Gwadar",
        "Pasni",
        "Ormara",
        "Jiwani",
        "Chabahar",
        "Konarak",
        "Jask",
        "Fujairah / Khor Fakkan",
    ):
        assert ports["name"].str.contains(fragment, regex=False).any(), fragment
    # Landing beaches are not ports.
    for beach in geo.landing_sites()["name"]:
        assert beach not in set(ports["name"])
    assert not ports["name"].str.contains("Pishukan|Kalmat|Gwatar").any()


@pytest.mark.parametrize(
    ("point", "fragment"),
    [
        (KARACHI_PORT, "Karachi port"),
        ((24.77, 66.95), "pilot"),
        ((24.73, 66.90), "outer anchorage"),
        ((24.71, 66.86), "outer anchorage"),  # SW corner region of the box
        ((24.70, 67.16), "Port Qasim channel"),
        ((24.767, 67.333), "Port Qasim (Muhammad Bin Qasim)"),
        (GWADAR, "Gwadar port"),
        ((25.15, 62.38), "Gwadar East Bay"),
        ((25.265, 63.47), "Pasni"),
        ((25.201, 64.667), "Jinnah Naval Base"),
        (CHABAHAR, "Chabahar port"),
        ((25.22, 56.44), "Fujairah / Khor Fakkan"),
        (JASK, "Jask"),
    ],
)
def test_points_in_named_port_areas(point, fragment):
    assert geo.in_port(*point)
    assert geo.port_area_index(*point) == port_named(fragment)


def test_points_outside_port_areas():
    lat = np.array([OFF_PASNI[0], 24.50, 25.0, 24.60])
    lon = np.array([OFF_PASNI[1], 66.90, 63.0, 66.60])
    assert not geo.in_port(lat, lon).any()
    assert (geo.port_area_index(lat, lon) == -1).all()


def test_outer_anchorage_is_a_6_by_4_nm_box():
    row = port_named("outer anchorage")
    # 2.9 nm east and 1.9 nm north of the centre: inside; 3.1 / 2.1 nm: outside.
    for bearing, inside_nm, outside_nm in ((90.0, 2.9, 3.1), (0.0, 1.9, 2.1)):
        a = destination(24.73, 66.90, bearing, inside_nm * 1852)
        b = destination(24.73, 66.90, bearing, outside_nm * 1852)
        assert geo.port_area_index(*a) == row
        assert geo.port_area_index(*b) != row


def test_nearest_port_and_its_distance():
    lat, lon = destination(GWADAR[0], GWADAR[1], 200.0, 20_000.0)
    index, dist = geo.nearest_port(lat, lon)
    assert index == port_named("Gwadar port")
    assert dist == pytest.approx(20.0, rel=1e-3)


def test_port_outlines_are_at_the_radius():
    ports = geo.port_areas()
    outlines = geo.port_area_outlines()
    assert len(outlines) == len(ports)
    for (_, row), ring in zip(ports.iterrows(), outlines, strict=True):
        assert np.allclose(ring[0], ring[-1])
        if row["shape"] == "circle":
            d = [haversine_m(row["lat"], row["lon"], la, lo) for lo, la in ring]
            assert np.allclose(d, row["radius_km"] * 1000, rtol=0.01)


# ---------------------------------------------------------------- border


@pytest.mark.parametrize(
    ("point", "side"),
    [
        (CHABAHAR, -1),
        (GWADAR, 1),
        (JIWANI, 1),
        (JASK, -1),
        (KARACHI_PORT, 1),
        ((25.17, 61.52), -1),  # Iranian Gwatar shore
        ((25.17, 61.72), 1),  # Dasht delta
        ((24.0, 61.0), -1),
        ((24.0, 62.5), 1),
        ((22.9, 62.0), 0),  # south of the tripoint plus margin
        ((26.5, 62.0), 0),  # north of the line
        ((25.0, 71.0), 0),  # outside the region
    ],
)
def test_border_side(point, side):
    assert geo.border_side(*point) == side


def test_crosses_border():
    lat1 = np.array([CHABAHAR[0], GWADAR[0], 25.36, 25.17])
    lon1 = np.array([CHABAHAR[1], GWADAR[1], 60.40, 61.52])
    lat2 = np.array([JIWANI[0], 25.265, CHABAHAR[0], 25.17])
    lon2 = np.array([JIWANI[1], 63.47, CHABAHAR[1], 61.72])
    assert geo.crosses_border(lat1, lon1, lat2, lon2).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert not geo.crosses_border(np.nan, 61.0, 25.0, 62.0)


def test_a_change_of_side_is_a_crossing():
    rng = np.random.default_rng(8)
    lat1, lat2 = rng.uniform(23.0, 25.9, (2, 20000))
    lon1, lon2 = rng.uniform(60.5, 63.0, (2, 20000))
    s1 = geo.border_side(lat1, lon1)
    s2 = geo.border_side(lat2, lon2)
    changed = (s1 * s2) == -1
    assert changed.sum() > 1000
    assert geo.crosses_border(lat1, lon1, lat2, lon2)[changed].all()
    same = (s1 * s2) == 1
    # A straight segment may still cross twice where the line bends, but rarely.
    assert geo.crosses_border(lat1, lon1, lat2, lon2)[same].mean() < 0.05


def test_border_distance():
    assert geo.border_distance_km(25.1136, 61.6142) < 3.0  # Gwatar Bay centre
    assert 60 < geo.border_distance_km(*GWADAR) < 80
    assert np.isnan(geo.border_distance_km(np.nan, 61.0))


def test_border_line_runs_south_to_north():
    coords = shapely.get_coordinates(geo.border_line())
    assert (np.diff(coords[:, 1]) > 0).all()
    assert coords[0, 1] == pytest.approx(23.1736 - 0.1)
    assert 25.7 < coords[-1, 1] < 26.0


# ---------------------------------------------------------------- zones


def test_maritime_zones():
    lat = np.array([25.10, 24.85, 23.0, 25.2, INLAND[0], ASTOLA[0], 24.0])
    lon = np.array([62.60, 64.90, 64.0, 60.0, INLAND[1], ASTOLA[1], 58.0])
    want = [
        geo.ZONE_TERRITORIAL,  # 17 km off the coast east of Gwadar
        geo.ZONE_CONTIGUOUS,  # 41 km off Ormara
        geo.ZONE_EEZ,
        geo.ZONE_NONE,  # off Iran
        geo.ZONE_NONE,  # land
        geo.ZONE_NONE,  # Astola Island itself
        geo.ZONE_NONE,  # Gulf of Oman
    ]
    assert geo.maritime_zone(lat, lon).tolist() == want
    assert geo.in_territorial_sea(lat, lon).tolist() == [True] + [False] * 6


def test_territorial_sea_edge_is_12_nm_from_shore():
    lat, lon, exact = random_sea_points(3000, seed=12, max_km=60)
    pakistan = geo.border_side(lat, lon) == 1
    zone = geo.maritime_zone(lat, lon)
    limit = 12 * geo.NM_KM
    # Away from the lateral lines, membership follows the distance to shore.
    clear = pakistan & (np.abs(exact - limit) > 1.5) & (lon > 62.0) & (lon < 67.5)
    assert clear.sum() > 100
    np.testing.assert_array_equal(
        zone[clear] == geo.ZONE_TERRITORIAL, exact[clear] < limit
    )


def test_territorial_line_lies_12_nm_out():
    coords = shapely.get_coordinates(geo.territorial_line())
    dist = geo.shore_distance_km(coords[:, 1], coords[:, 0])
    assert np.median(dist) == pytest.approx(12 * geo.NM_KM, abs=1.0)


# ---------------------------------------------------------------- bases etc.


def test_bases_table():
    b = geo.bases()
    assert list(b.columns) == ["name", "lat", "lon", "agency", "note"]
    assert b["agency"].str.contains("PMSA").any()
    assert b["agency"].str.contains("PCG").any()
    b.loc[0, "name"] = "changed"
    assert geo.bases().loc[0, "name"] != "changed"


def test_nearest_base():
    lat = np.array([25.0, 24.9, 24.7, 25.1])
    lon = np.array([64.667, 62.3, 66.9, 61.5])
    names, dist = geo.nearest_base(lat, lon)
    assert names[0] == "Jinnah Naval Base, Ormara"
    assert "Gwadar" in names[1]
    assert "Karachi" in names[2]
    assert "Jiwani" in names[3]
    assert dist[0] == pytest.approx(
        haversine_m(25.0, 64.667, 25.201, 64.667) / 1000, rel=1e-9
    )


def test_landing_sites_lie_on_the_coast():
    sites = geo.landing_sites()
    assert len(sites) >= 5
    d = geo.shore_distance_km(sites["lat"], sites["lon"], exact=True)
    assert (d < 0.01).all()
    moved = [
        haversine_m(a, b, c, e)
        for a, b, c, e in zip(
            sites["lat"],
            sites["lon"],
            sites["given_lat"],
            sites["given_lon"],
            strict=True,
        )
    ]
    assert max(moved) < 10_000


def test_landmarks_are_a_copy():
    marks = geo.landmarks()
    assert {"places", "shipping_lanes", "fishing_grounds"} <= set(marks)
    kinds = {p["kind"] for p in marks["places"]}
    assert {"naval_base", "msa_base", "coast_guard_hq"} <= kinds
    marks["places"].clear()
    assert geo.landmarks()["places"]


def test_regions():
    assert geo.REGIONS["makran"].bounds == (57.5, 22.0, 68.0, 26.0)
    assert geo.REGIONS["context"].bounds == (55.0, 20.0, 70.0, 28.0)
    assert geo.REGIONS["eez"].bounds == (61.4, 21.0, 68.9, 25.6)
    got = geo.REGIONS["makran"].contains([25.0, 25.0, np.nan], [63.0, 56.4, 63.0])
    assert got.tolist() == [True, False, False]


def test_coastline_paths():
    paths = geo.coastline_paths()
    assert len(paths) > 200  # mainland pieces and islands
    allxy = np.vstack(paths)
    assert allxy.shape[1] == 2
    assert (allxy[:, 0] >= 55).all() and (allxy[:, 0] <= 70).all()
    # No path runs along the clipping box.
    for p in paths:
        seg_on_edge = (np.abs(np.diff(p[:, 0])) == 0) & np.isin(p[1:, 0], [55, 70])
        assert not seg_on_edge.any()
    # Astola's outline is among them.
    assert any(
        math.isclose(p[:, 1].mean(), 25.12, abs_tol=0.02)
        and math.isclose(p[:, 0].mean(), 63.85, abs_tol=0.03)
        for p in paths
    )
