"""Offline geographic context for the Makran coast.

Everything here works without a network and from the package's own data files
(``coastwatch/data``, see its ``PROVENANCE.md``): Natural Earth 1:10 M land,
minor islands and land boundaries clipped to lon 55–70 E, lat 20–28 N, a hand-made
Astola Island, computed approximate Pakistani maritime zones and Iran–Pakistan
equidistance line, and compiled landmarks. None of it is fit for navigation or
for legal limits.

Distance to shore
-----------------
:func:`shore_distance_km` reads a precomputed raster of the signed distance to
the nearest coastline (land and islands; negative on land) with nodes every
0.01 degree (about 1.0 km east-west by 1.1 km north-south) over lon 55–70 E,
lat 20–28 N, interpolated bilinearly in a Numba kernel
(:func:`kernels.raster.sample_bilinear`). Node values are geodesic (WGS84)
distances to the nearest coastline point, found with shapely in an azimuthal
equidistant projection centred at 24 N 63 E, stored to 10 m.

The signed distance changes by at most 1 km per km, so bilinear interpolation is
off by at most one cell diagonal (1.5 km) anywhere. Where the raster says a
point is within :data:`NEAR_SHORE_EXACT_KM` (2 km) of the coast, the distance
and the land test are recomputed exactly with shapely; so :func:`is_land` is
exact with respect to the shipped polygons, the distance is exact within about
2 km of the coast, and farther out the raster's error applies. Measured against
exact distances on 20,000 random sea points within 200 km of shore
(``scripts/build_geo_raster.py --check 20000``; ``tests/package/test_geo.py``
checks a 3,000-point sample): raster alone median 2 m, 95th percentile 14 m,
maximum 432 m. The largest errors (up to about 0.5 km)
sit on ridges of the distance field, midway between two coasts, where bilinear
interpolation cuts the peak.

Points on land have distance 0; points outside the shipped box (or with NaN
coordinates) give NaN, never an exception, so track files from anywhere run.
Near the box edge the nearest real coast may lie outside the box; distances
there are to the shipped coastline only.

Ports, bases, border, zones
---------------------------
:func:`port_areas` lists named port areas (ports, anchorages, pilot zones,
fishing and naval harbours, channels), each a disc, a rounded box or a
corridor around a centre line; :func:`in_port`, :func:`port_area_index` and
:func:`nearest_port` query them. :func:`bases` lists Pakistani enforcement
bases for patrol tasking. :func:`border_side`, :func:`crosses_border` and
:func:`border_distance_km` use an approximate Iran–Pakistan line.
:func:`maritime_zone` and :func:`in_territorial_sea` use the approximate
12/24/200 nm zones (normal baselines, plus Astola Island's own belts).
:func:`landing_sites` lists beaches reported as smuggling landing points (not
ports); :func:`landmarks` gives places, shipping lanes and fishing grounds.

All functions take array-likes (or scalars) of latitude and longitude in WGS84
degrees that broadcast together and return arrays of the broadcast shape.
Data are loaded on first use and cached; importing this module reads no file.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd
import shapely

from kernels.proximity import polyline_proximity, segments_cross_polyline
from kernels.raster import sample_bilinear

from .errors import InputError

__all__ = [
    "NEAR_SHORE_EXACT_KM",
    "NM_KM",
    "PORT_KINDS",
    "REGIONS",
    "ZONE_CONTIGUOUS",
    "ZONE_EEZ",
    "ZONE_NONE",
    "ZONE_TERRITORIAL",
    "Region",
    "bases",
    "border_distance_km",
    "border_line",
    "border_side",
    "coastline_paths",
    "crosses_border",
    "great_circle_km",
    "in_port",
    "in_territorial_sea",
    "is_land",
    "land_geometry",
    "landing_sites",
    "landmarks",
    "maritime_zone",
    "maritime_zones",
    "nearest_base",
    "nearest_port",
    "port_area_index",
    "port_area_outlines",
    "port_areas",
    "shore_distance_km",
    "territorial_line",
]

NM_KM = 1.852
NEAR_SHORE_EXACT_KM = 2.0

ZONE_NONE = 0
ZONE_TERRITORIAL = 1
ZONE_CONTIGUOUS = 2
ZONE_EEZ = 3

# The box every shipped layer covers (Natural Earth extracts and the raster).
_BOX_LON = (55.0, 70.0)
_BOX_LAT = (20.0, 28.0)

# Local projection for exact distances and area outlines.
_AEQD = "+proj=aeqd +lat_0=24 +lon_0=63 +datum=WGS84 +units=m +no_defs"

_LAND_FILES = (
    "ne_10m_land_makran.geojson",
    "ne_10m_minor_islands_makran.geojson",
    "astola_island.geojson",
)
_RASTER_FILE = "shore_distance.npz"
_ZONES_FILE = "pak_maritime_zones_approx.geojson"
_BOUNDARY_FILE = "ne_10m_boundary_lines_land_makran.geojson"
_LANDMARKS_FILE = "makran_landmarks.json"

_ZONE_FEATURES = {
    ZONE_TERRITORIAL: "territorial_sea_12nm",
    ZONE_CONTIGUOUS: "contiguous_zone_24nm",
    ZONE_EEZ: "eez_200nm",
}


# --------------------------------------------------------------------------
# Regions


@dataclass(frozen=True)
class Region:
    """A longitude/latitude box in WGS84 degrees (edges included)."""

    name: str
    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(lon_min, lat_min, lon_max, lat_max)``, the shapely/GeoJSON order."""
        return (self.lon_min, self.lat_min, self.lon_max, self.lat_max)

    def contains(self, lat, lon) -> np.ndarray:
        """Boolean array: which points lie in the box (NaN: False)."""
        la, lo, shape = _as_points(lat, lon)
        inside = (
            (la >= self.lat_min)
            & (la <= self.lat_max)
            & (lo >= self.lon_min)
            & (lo <= self.lon_max)
        )
        return inside.reshape(shape)


REGIONS = MappingProxyType(
    {
        # Jask to the Indus delta: the default analysis box.
        "makran": Region("makran", 57.5, 68.0, 22.0, 26.0),
        # Adds Fujairah/Khor Fakkan and Oman; the extent of the shipped data.
        "context": Region("context", 55.0, 70.0, 20.0, 28.0),
        # Bounding box of Pakistan's EEZ (Marine Regions MRGID 8359).
        "eez": Region("eez", 61.4, 68.9, 21.0, 25.6),
    }
)


# --------------------------------------------------------------------------
# Input handling


def _as_points(lat, lon) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Flat contiguous float64 copies of broadcast lat/lon, and their shape."""
    try:
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            None, "lat and lon must be numbers in degrees (array-like or scalar)"
        ) from None
    try:
        la, lo = np.broadcast_arrays(la, lo)
    except ValueError:
        raise InputError(
            None,
            f"lat and lon must have the same shape, got {la.shape} and {lo.shape}",
        ) from None
    shape = la.shape
    return (
        np.ascontiguousarray(la.ravel()),
        np.ascontiguousarray(lo.ravel()),
        shape,
    )


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance between points, km (spherical Earth).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like of float
        WGS84 positions in degrees; broadcast against each other.

    Returns
    -------
    numpy.ndarray of float64
        Distance in km on a sphere of radius 6,371.0088 km (within 0.5 % of
        the WGS84 geodesic); NaN where any input is NaN.
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlon = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2.0 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _in_box(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (
        (lat >= _BOX_LAT[0])
        & (lat <= _BOX_LAT[1])
        & (lon >= _BOX_LON[0])
        & (lon <= _BOX_LON[1])
    )


# --------------------------------------------------------------------------
# Package data


def _data_file(name: str):
    """The packaged data file ``coastwatch/data/<name>`` (a Traversable)."""
    return importlib.resources.files("coastwatch").joinpath("data", name)


def _read_json(name: str):
    with _data_file(name).open("r", encoding="utf-8") as f:
        return json.load(f)


def _read_geometries(name: str) -> list:
    return [
        shapely.geometry.shape(feature["geometry"])
        for feature in _read_json(name)["features"]
    ]


@lru_cache(maxsize=1)
def _projection():
    import pyproj  # only needed for exact distances and outlines

    to_local = pyproj.Transformer.from_crs("EPSG:4326", _AEQD, always_xy=True)
    to_wgs84 = pyproj.Transformer.from_crs(_AEQD, "EPSG:4326", always_xy=True)
    return to_local, to_wgs84, pyproj.Geod(ellps="WGS84")


@lru_cache(maxsize=1)
def land_geometry():
    """Land and islands of the shipped box as one shapely geometry.

    Natural Earth 1:10 M land and minor islands plus a hand-made Astola Island,
    in lon/lat degrees, prepared for fast point tests. Cached: do not modify.

    Returns
    -------
    shapely.MultiPolygon
    """
    parts = [g for name in _LAND_FILES for g in _read_geometries(name)]
    land = shapely.union_all(parts)
    shapely.prepare(land)
    return land


@lru_cache(maxsize=1)
def _coastline():
    """The land boundary without the artificial edges of the clipping box."""
    boundary = shapely.get_parts(shapely.boundary(land_geometry()))
    coords, part = shapely.get_coordinates(boundary, return_index=True)
    start = coords[:-1]
    end = coords[1:]
    same_part = part[:-1] == part[1:]
    on_edge = np.zeros(len(start), dtype=bool)
    for axis, (low, high) in ((0, _BOX_LON), (1, _BOX_LAT)):
        for edge in (low, high):
            on_edge |= (np.abs(start[:, axis] - edge) < 1e-9) & (
                np.abs(end[:, axis] - edge) < 1e-9
            )
    keep = same_part & ~on_edge
    segments = shapely.linestrings(np.stack([start[keep], end[keep]], axis=1))
    return shapely.line_merge(shapely.union_all(segments))


def coastline_paths() -> list[np.ndarray]:
    """Coastlines (mainland, islands, Astola) as paths for plotting.

    Returns
    -------
    list of ndarray, each shape (n, 2), float64
        Columns are longitude and latitude in degrees; the edges of the shipped
        box are not included.
    """
    return [shapely.get_coordinates(part) for part in shapely.get_parts(_coastline())]


@lru_cache(maxsize=1)
def _coast_index():
    """Coast segments in the local projection, with an STRtree over them."""
    to_local, _, _ = _projection()
    parts = shapely.get_parts(_coastline())
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[:-1] == part[1:]
    x, y = to_local.transform(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    a = xy[:-1][same]
    b = xy[1:][same]
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    return tree, a, b


def _exact_signed_distance_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Exact signed distance to the shipped coastline, km (negative on land).

    Finds the nearest coastline point with shapely in the local projection and
    returns the WGS84 geodesic distance to it; NaN outside the box.
    """
    out = np.full(lat.shape, np.nan)
    ok = _in_box(lat, lon)
    if not ok.any():
        return out
    la = lat[ok]
    lo = lon[ok]
    to_local, to_wgs84, geod = _projection()
    tree, a, b = _coast_index()
    result = np.empty(la.shape)
    chunk = 200_000
    for s in range(0, la.size, chunk):
        cla = la[s : s + chunk]
        clo = lo[s : s + chunk]
        px, py = to_local.transform(clo, cla)
        nearest = tree.query_nearest(shapely.points(px, py), all_matches=False)[1]
        sa = a[nearest]
        sb = b[nearest]
        d = sb - sa
        dd = np.einsum("ij,ij->i", d, d)
        t = ((px - sa[:, 0]) * d[:, 0] + (py - sa[:, 1]) * d[:, 1]) / np.where(
            dd > 0, dd, 1.0
        )
        t = np.clip(t, 0.0, 1.0)
        qlon, qlat = to_wgs84.transform(sa[:, 0] + t * d[:, 0], sa[:, 1] + t * d[:, 1])
        _, _, dist_m = geod.inv(clo, cla, qlon, qlat)
        result[s : s + chunk] = dist_m / 1000.0
    # The boundary counts as land: nodes on the clipping box's edge over land
    # must be land, and on the coastline itself the distance is 0 either way.
    land = shapely.intersects_xy(land_geometry(), lo, la)
    result[land] *= -1.0
    out[ok] = result
    return out


@lru_cache(maxsize=1)
def _raster():
    with _data_file(_RASTER_FILE).open("rb") as f, np.load(f) as npz:
        step = float(npz["step_deg"])
        lat0 = float(npz["lat0"])
        lon0 = float(npz["lon0"])
        scale_km = float(npz["scale_km"])
        grid = npz["signed_distance"].astype(np.float32) * np.float32(scale_km)
    grid.setflags(write=False)
    return grid, lat0, lon0, step


def _raster_signed_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    grid, lat0, lon0, step = _raster()
    return sample_bilinear(lat, lon, grid, lat0, lon0, step)


def _signed_distance_km(lat: np.ndarray, lon: np.ndarray, exact: bool) -> np.ndarray:
    if exact:
        return _exact_signed_distance_km(lat, lon)
    sd = _raster_signed_km(lat, lon)
    near = np.flatnonzero(np.abs(sd) < NEAR_SHORE_EXACT_KM)
    if near.size:
        # Land near the coast only needs its sign (distance 0 is reported);
        # the nearest-coast search is kept for the sea points.
        land = shapely.intersects_xy(land_geometry(), lon[near], lat[near])
        sd[near[land]] = 0.0
        sea = near[~land]
        sd[sea] = _exact_signed_distance_km(lat[sea], lon[sea])
    return sd


def shore_distance_km(lat, lon, *, exact: bool = False) -> np.ndarray:
    """Distance from each point to the nearest coastline, km.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; broadcast together.
    exact : bool, default False
        Compute every distance exactly with shapely (about 100x slower) instead
        of from the raster (exact anyway within 2 km of the coast).

    Returns
    -------
    ndarray of float64
        Kilometres (geodesic, WGS84) to the nearest point of the shipped
        coastline, islands included; 0 on land; NaN outside lon 55–70 E,
        lat 20–28 N and for NaN coordinates. Raster error away from the coast:
        see the module docstring.
    """
    la, lo, shape = _as_points(lat, lon)
    return np.maximum(_signed_distance_km(la, lo, exact), 0.0).reshape(shape)


def is_land(lat, lon) -> np.ndarray:
    """Whether each point is on land (Natural Earth land, islands, Astola).

    Exact with respect to the shipped polygons (their boundary counts as
    land): the raster decides points more than 2 km from the coast, shapely the
    rest. False outside the shipped box (land there is unknown) and for NaN
    coordinates.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; broadcast together.

    Returns
    -------
    ndarray of bool
    """
    la, lo, shape = _as_points(lat, lon)
    sd = _raster_signed_km(la, lo)
    land = sd <= -NEAR_SHORE_EXACT_KM
    near = np.abs(sd) < NEAR_SHORE_EXACT_KM
    if near.any():
        land[near] = shapely.intersects_xy(land_geometry(), lo[near], la[near])
    return land.reshape(shape)


# --------------------------------------------------------------------------
# Landmarks, bases, landing sites


@lru_cache(maxsize=1)
def _landmarks():
    return _read_json(_LANDMARKS_FILE)


def landmarks() -> dict:
    """The compiled landmarks file, parsed (a fresh copy on each call).

    Returns
    -------
    dict
        Keys ``places`` (list of dicts: ``name``, ``lat``, ``lon``,
        ``country``, ``kind`` such as ``commercial_port``, ``naval_base``,
        ``msa_base``, ``coast_guard_hq``; ``source``, ``confidence``, ``note``),
        ``shipping_lanes`` (``name``, ``points_latlon``), ``fishing_grounds``
        (``name``, ``bbox_lonlat`` = [lon_min, lat_min, lon_max, lat_max]),
        approximate boundary lines and ``pak_eez_bbox_marine_regions``.
        Positions are WGS84 degrees.
    """
    return copy.deepcopy(_landmarks())


# Pakistani enforcement bases that can send patrols to sea. Positions are the
# landmarks' (see their sources); several are approximate.
_BASES = (
    # name, lat, lon, agency, note
    ("PMSA HQ Karachi", 24.84, 66.98, "PMSA", "approximate position"),
    ("Pakistan Coast Guards HQ Karachi", 24.87, 67.01, "PCG", "approximate"),
    ("PMSA Base Keti Bandar", 24.14, 67.45, "PMSA", "approximate; since 2018"),
    (
        "Jinnah Naval Base, Ormara",
        25.201,
        64.667,
        "PN, PMSA, PCG",
        "PMSA corvettes Hingol and Basol based here since 2017",
    ),
    ("Pasni (PNS Makran)", 25.265, 63.47, "PN, PCG", "town position"),
    ("Gwadar (PNS Akram)", 25.126, 62.323, "PN, PCG", "town position"),
    ("Jiwani naval station", 25.05, 61.75, "PN, PCG", "approximate town position"),
)


@lru_cache(maxsize=1)
def _bases_frame() -> pd.DataFrame:
    return pd.DataFrame(
        list(_BASES), columns=["name", "lat", "lon", "agency", "note"]
    ).astype({"lat": "float64", "lon": "float64"})


def bases() -> pd.DataFrame:
    """Pakistani maritime enforcement bases usable for patrol tasking.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``lat``, ``lon`` (WGS84 degrees), ``agency`` (comma-
        separated: ``PMSA`` Maritime Security Agency, ``PCG`` Coast Guards,
        ``PN`` Navy) and ``note``. A fresh copy on each call.
    """
    return _bases_frame().copy()


def nearest_base(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """The nearest enforcement base of :func:`bases` to each point.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; broadcast together.

    Returns
    -------
    names : ndarray of object
        Base name; None for NaN coordinates.
    distance_km : ndarray of float64
        Great-circle distance to it, km (not a sailing distance); NaN with None.
    """
    la, lo, shape = _as_points(lat, lon)
    frame = _bases_frame()
    vlat = frame["lat"].to_numpy()
    vlon = frame["lon"].to_numpy()
    offsets = np.arange(len(frame) + 1, dtype=np.int64)
    index, dist_m, _ = polyline_proximity(
        la, lo, vlat, vlon, offsets, np.zeros(len(frame))
    )
    names = np.array([None, *frame["name"].tolist()], dtype=object)[index + 1]
    return names.reshape(shape), (dist_m / 1000.0).reshape(shape)


# Beaches and creeks named as landing or departure points for smuggling boats.
# Not ports: vessels here are not excused from anything. Positions are rough
# and are moved onto the nearest point of the shipped coastline.
_LANDING_SITES = (
    # name, lat, lon, country, note
    (
        "Gwatar (Iranian shore of Gwatar Bay)",
        25.17,
        61.52,
        "IRN",
        "departure shore of fuel speedboats into the Dasht delta",
    ),
    (
        "Dasht river delta (east shore of Gwatar Bay)",
        25.17,
        61.72,
        "PAK",
        "fuel unloaded along the banks, about 17 km across the bay from Gwatar",
    ),
    ("Jiwani beaches", 25.03, 61.80, "PAK", "named exit point (UNODC)"),
    ("Pishukan", 25.14, 62.03, "PAK", "named exit point (UNODC)"),
    ("Sur Bandar", 25.18, 62.55, "PAK", "named exit point (UNODC)"),
    ("Kalmat (Khor Kalmat mouth)", 25.37, 64.12, "PAK", "reported trawler area"),
    ("Kund Malir", 25.38, 65.47, "PAK", "among the most used natural jetties"),
)


@lru_cache(maxsize=1)
def _landing_sites_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        list(_LANDING_SITES), columns=["name", "lat", "lon", "country", "note"]
    )
    coast = _coastline()
    snapped = shapely.shortest_line(
        shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy()), coast
    )
    end = shapely.get_coordinates(shapely.get_point(snapped, 1))
    frame["given_lat"] = frame["lat"]
    frame["given_lon"] = frame["lon"]
    frame["lat"] = end[:, 1]
    frame["lon"] = end[:, 0]
    return frame[["name", "lat", "lon", "country", "given_lat", "given_lon", "note"]]


def landing_sites() -> pd.DataFrame:
    """Beaches and creeks reported as smuggling landing or departure points.

    These are not port areas. Positions are rough (low confidence), moved onto
    the nearest point of the shipped coastline.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``lat``, ``lon`` (on the coastline, WGS84 degrees),
        ``country``, ``given_lat``, ``given_lon`` (the rough position before
        snapping) and ``note``.
    """
    return _landing_sites_frame().copy()


# --------------------------------------------------------------------------
# Port areas


@dataclass(frozen=True)
class _PortArea:
    name: str
    kind: str
    country: str
    points: tuple[tuple[float, float], ...]  # (lat, lon) centre or centre line
    radius_km: float
    shape: str
    confidence: str
    note: str


def _east_west(lat: float, lon: float, half_length_km: float):
    """End points of an east-west centre line of the given half length."""
    dlon = half_length_km / (111.32 * math.cos(math.radians(lat)))
    return ((lat, lon - dlon), (lat, lon + dlon))


_PORT_AREAS = (
    _PortArea(
        "Karachi port (Keamari / Manora harbour)",
        "port",
        "PAK",
        ((24.835, 66.982),),
        4.0,
        "circle",
        "high",
        "harbour, Keamari and West Wharf (fish harbour)",
    ),
    _PortArea(
        "Karachi fairway / pilot boarding zone",
        "pilot_zone",
        "PAK",
        ((24.77, 66.95),),
        2.0 * NM_KM,
        "circle",
        "low",
        "2 nm around the estimated fairway buoy, about 2.8 nm off Manora",
    ),
    _PortArea(
        "Karachi outer anchorage",
        "anchorage",
        "PAK",
        # 4 x 6 nm box SW of the fairway, as a rounded box (stadium): a 2 nm
        # east-west centre line with a 2 nm radius.
        _east_west(24.73, 66.90, 1.0 * NM_KM),
        2.0 * NM_KM,
        "stadium",
        "low",
        "rounded box 6 nm E-W x 4 nm N-S centred 24.73 N 66.90 E (estimate)",
    ),
    _PortArea(
        "Port Qasim (Muhammad Bin Qasim)",
        "port",
        "PAK",
        ((24.767, 67.333),),
        3.0,
        "circle",
        "medium",
        "Port Muhammad Bin Qasim; inland of the Natural Earth coast",
    ),
    _PortArea(
        "Port Qasim channel (Phitti Creek)",
        "channel",
        "PAK",
        (
            (24.767, 67.333),
            (24.765, 67.27),
            (24.74, 67.21),
            (24.70, 67.16),
            (24.67, 67.13),
        ),
        1.0,
        "corridor",
        "low",
        "approximate course of the 45 km approach channel, 1 km half-width",
    ),
    _PortArea(
        "Keti Bandar",
        "fishing_harbour",
        "PAK",
        ((24.14, 67.45),),
        3.0,
        "circle",
        "low",
        "Indus delta fishing harbour, PMSA base",
    ),
    _PortArea(
        "Damb (Sonmiani)",
        "fishing_harbour",
        "PAK",
        ((25.40, 66.58),),
        3.0,
        "circle",
        "low",
        "between Sonmiani Bay and Miani Hor",
    ),
    _PortArea(
        "Jinnah Naval Base, Ormara",
        "naval_base",
        "PAK",
        ((25.201, 64.667),),
        3.0,
        "circle",
        "high",
        "",
    ),
    _PortArea(
        "Ormara fish harbour",
        "fishing_harbour",
        "PAK",
        ((25.215, 64.633),),
        2.5,
        "circle",
        "medium",
        "town position",
    ),
    _PortArea(
        "Pasni fish harbour",
        "fishing_harbour",
        "PAK",
        ((25.265, 63.47),),
        3.0,
        "circle",
        "medium",
        "town position",
    ),
    _PortArea(
        "Gwadar port",
        "port",
        "PAK",
        ((25.1225, 62.3202),),
        3.0,
        "circle",
        "high",
        "East Bay berths and the fish harbour",
    ),
    _PortArea(
        "Gwadar East Bay anchorage",
        "anchorage",
        "PAK",
        ((25.14, 62.37),),
        4.0,
        "circle",
        "low",
        "approach and anchorage in East Bay (estimate)",
    ),
    _PortArea(
        "Jiwani",
        "fishing_harbour",
        "PAK",
        ((25.05, 61.74),),
        3.0,
        "circle",
        "low",
        "jetty on the Gwatar Bay side of the headland (estimate)",
    ),
    _PortArea(
        "Chabahar port (Shahid Beheshti)",
        "port",
        "IRN",
        ((25.2911, 60.6375),),
        4.0,
        "circle",
        "high",
        "",
    ),
    _PortArea(
        "Chabahar Bay anchorage",
        "anchorage",
        "IRN",
        ((25.33, 60.52),),
        6.0,
        "circle",
        "low",
        "ships waiting inside Chabahar Bay (estimate)",
    ),
    _PortArea(
        "Konarak",
        "naval_base",
        "IRN",
        ((25.3603, 60.3994),),
        3.0,
        "circle",
        "high",
        "Iranian navy base and fishing harbour",
    ),
    _PortArea(
        "Jask", "port", "IRN", ((25.644, 57.774),), 4.0, "circle", "high", "naval base"
    ),
    _PortArea(
        "Fujairah port", "port", "ARE", ((25.178, 56.357),), 3.0, "circle", "high", ""
    ),
    _PortArea(
        "Khor Fakkan port",
        "port",
        "ARE",
        ((25.362, 56.347),),
        3.0,
        "circle",
        "medium",
        "",
    ),
    _PortArea(
        "Fujairah / Khor Fakkan offshore anchorage",
        "anchorage",
        "ARE",
        ((25.05, 56.43), (25.38, 56.42)),
        5.0,
        "stadium",
        "low",
        "bunkering anchorage, about 40 calls a day (estimate of its extent)",
    ),
    _PortArea("Sohar", "port", "OMN", ((24.35, 56.74),), 4.0, "circle", "medium", ""),
    _PortArea(
        "Muscat (Mina Qaboos)",
        "port",
        "OMN",
        ((23.61, 58.59),),
        3.0,
        "circle",
        "medium",
        "",
    ),
)

PORT_KINDS = (
    "port",
    "anchorage",
    "pilot_zone",
    "channel",
    "fishing_harbour",
    "naval_base",
)


@lru_cache(maxsize=1)
def _port_arrays():
    vlat = np.array([p[0] for a in _PORT_AREAS for p in a.points])
    vlon = np.array([p[1] for a in _PORT_AREAS for p in a.points])
    counts = [len(a.points) for a in _PORT_AREAS]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    radius_m = np.array([a.radius_km * 1000.0 for a in _PORT_AREAS])
    for arr in (vlat, vlon, offsets, radius_m):
        arr.setflags(write=False)
    return vlat, vlon, offsets, radius_m


def port_areas() -> pd.DataFrame:
    """Named port areas: ports, anchorages, pilot zones, harbours, channels.

    Each area is every point within ``radius_km`` of its centre (a disc), of a
    short centre line (``stadium``, a rounded box) or of a longer centre line
    (``corridor``, a channel). Row ``i`` is area ``i`` of :func:`in_port`,
    :func:`port_area_index` and :func:`nearest_port`. Beaches and landing sites
    are deliberately not here (see :func:`landing_sites`).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``kind`` (one of ``port``, ``anchorage``,
        ``pilot_zone``, ``channel``, ``fishing_harbour``, ``naval_base``),
        ``country`` (ISO 3166 alpha-3), ``lat``, ``lon`` (first point of the
        centre line, or the centre, degrees), ``radius_km``, ``shape``
        (``circle``, ``stadium``, ``corridor``), ``n_points``, ``confidence``
        and ``note``.
    """
    rows = [
        {
            "name": a.name,
            "kind": a.kind,
            "country": a.country,
            "lat": a.points[0][0],
            "lon": a.points[0][1],
            "radius_km": a.radius_km,
            "shape": a.shape,
            "n_points": len(a.points),
            "confidence": a.confidence,
            "note": a.note,
        }
        for a in _PORT_AREAS
    ]
    return pd.DataFrame(rows)


def _port_proximity(lat, lon, with_nearest: bool):
    la, lo, shape = _as_points(lat, lon)
    vlat, vlon, offsets, radius_m = _port_arrays()
    nearest, dist_m, inside = polyline_proximity(
        la, lo, vlat, vlon, offsets, radius_m, with_nearest
    )
    return nearest, dist_m, inside, shape


def port_area_index(lat, lon) -> np.ndarray:
    """Which port area contains each point.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; broadcast together.

    Returns
    -------
    ndarray of int64
        Row of :func:`port_areas`; where areas overlap, the one whose centre
        (line) is nearest; -1 outside every area and for NaN coordinates.
    """
    _, _, inside, shape = _port_proximity(lat, lon, with_nearest=False)
    return inside.reshape(shape)


def in_port(lat, lon) -> np.ndarray:
    """Whether each point lies in any port area of :func:`port_areas`.

    Returns
    -------
    ndarray of bool
        False for NaN coordinates.
    """
    return port_area_index(lat, lon) >= 0


def nearest_port(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """The nearest port area of :func:`port_areas` to each point.

    Returns
    -------
    index : ndarray of int64
        Row of :func:`port_areas`; -1 for NaN coordinates.
    distance_km : ndarray of float64
        Great-circle distance to the area's centre or centre line (not its
        edge), km; NaN with -1.
    """
    nearest, dist_m, _, shape = _port_proximity(lat, lon, with_nearest=True)
    return nearest.reshape(shape), (dist_m / 1000.0).reshape(shape)


def port_area_outlines(n_arc: int = 32) -> list[np.ndarray]:
    """Outlines of the port areas, for maps.

    Parameters
    ----------
    n_arc : int, default 32
        Segments per quarter circle.

    Returns
    -------
    list of ndarray, each shape (n, 2), float64
        Closed rings of longitude, latitude (degrees), in :func:`port_areas`
        order.
    """
    import pyproj

    outlines = []
    for area in _PORT_AREAS:
        lat0, lon0 = area.points[0]
        local = pyproj.Transformer.from_crs(
            "EPSG:4326",
            f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m",
            always_xy=True,
        )
        lats = np.array([p[0] for p in area.points])
        lons = np.array([p[1] for p in area.points])
        x, y = local.transform(lons, lats)
        geom = (
            shapely.Point(x[0], y[0])
            if len(x) == 1
            else shapely.LineString(np.column_stack([x, y]))
        )
        ring = shapely.get_coordinates(
            geom.buffer(area.radius_km * 1000.0, quad_segs=n_arc).exterior
        )
        rlon, rlat = local.transform(ring[:, 0], ring[:, 1], direction="INVERSE")
        outlines.append(np.column_stack([rlon, rlat]))
    return outlines


# --------------------------------------------------------------------------
# Iran–Pakistan line

# The line is extended due north and south of its ends by this many degrees of
# latitude; beyond that border_side is 0.
_BORDER_MARGIN_DEG = 0.1
# Northernmost latitude of the land boundary used (where it stops running north).
_LAND_BOUNDARY_NORTH = 25.8


@lru_cache(maxsize=1)
def _border_vertices() -> tuple[np.ndarray, np.ndarray]:
    """Iran–Pakistan line, south to north: (lat, lon) arrays, extended ends.

    North of the coast: the Natural Earth land boundary from its coastal end on
    Gwatar Bay up to 25.8 N. At sea: the computed equidistance line from the
    head of Gwatar Bay to the approximate Iran–Oman–Pakistan tripoint (its
    part over land north of the bay is a method artefact and is dropped).
    """
    land_line = None
    for feature in _read_json(_BOUNDARY_FILE)["features"]:
        props = feature["properties"]
        if {props["adm0_left"], props["adm0_right"]} == {"Iran", "Pakistan"}:
            land_line = shapely.line_merge(shapely.geometry.shape(feature["geometry"]))
    sea_line = None
    for feature in _read_json(_ZONES_FILE)["features"]:
        if feature["properties"]["zone"] == "median_line_iran_pakistan":
            sea_line = shapely.line_merge(shapely.geometry.shape(feature["geometry"]))
    land_xy = shapely.get_coordinates(land_line)
    if land_xy[0, 1] > land_xy[-1, 1]:
        land_xy = land_xy[::-1]
    # From the coastal terminus north while latitude keeps increasing.
    stop = 1
    while (
        stop < len(land_xy)
        and land_xy[stop, 1] > land_xy[stop - 1, 1]
        and land_xy[stop, 1] <= _LAND_BOUNDARY_NORTH
    ):
        stop += 1
    land_xy = land_xy[:stop]
    sea_xy = shapely.get_coordinates(sea_line)
    if sea_xy[0, 1] > sea_xy[-1, 1]:
        sea_xy = sea_xy[::-1]
    sea_xy = sea_xy[sea_xy[:, 1] < land_xy[0, 1]]
    xy = np.vstack([sea_xy, land_xy])
    lat = np.concatenate(
        [[xy[0, 1] - _BORDER_MARGIN_DEG], xy[:, 1], [xy[-1, 1] + _BORDER_MARGIN_DEG]]
    )
    lon = np.concatenate([[xy[0, 0]], xy[:, 0], [xy[-1, 0]]])
    if not np.all(np.diff(lat) > 0):
        raise RuntimeError("Iran–Pakistan line must run strictly south to north")
    lat.setflags(write=False)
    lon.setflags(write=False)
    return lat, lon


def border_line():
    """The approximate Iran–Pakistan line used here, for maps.

    Returns
    -------
    shapely.LineString
        Longitude/latitude degrees, south (Iran–Oman–Pakistan tripoint) to
        north (land boundary at 25.8 N), including the short due-north and
        due-south extensions of :func:`border_side`.
    """
    lat, lon = _border_vertices()
    return shapely.LineString(np.column_stack([lon, lat]))


def border_side(lat, lon) -> np.ndarray:
    """Which side of the approximate Iran–Pakistan line each point is on.

    The line runs south from the land boundary (25.8 N) through Gwatar Bay
    along the computed equidistance line to the tripoint near 23.17 N 61.76 E;
    it is extended 0.1 degree due north and due south.

    Parameters
    ----------
    lat, lon : array_like of float
        WGS84 degrees; broadcast together.

    Returns
    -------
    ndarray of int8
        +1 east of the line (Pakistan side), -1 west (Iran side), 0 on the line,
        outside its latitude span (plus the 0.1 degree extensions), outside
        lon 55–70 E, and for NaN coordinates.
    """
    la, lo, shape = _as_points(lat, lon)
    vlat, vlon = _border_vertices()
    defined = (la >= vlat[0]) & (la <= vlat[-1]) & (lo >= 55.0) & (lo <= 70.0)
    line_lon = np.interp(la, vlat, vlon)
    side = np.where(defined, np.sign(lo - line_lon), 0.0)
    return side.astype(np.int8).reshape(shape)


def crosses_border(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Whether the straight segment between two points meets the line.

    Straight in longitude/latitude (for gaps of up to about 300 km at these
    latitudes within 1 km of a great circle); touching the line counts.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like of float
        Start and end points, WGS84 degrees; broadcast together.

    Returns
    -------
    ndarray of bool
        False for segments with a NaN end.
    """
    try:
        arrays = np.broadcast_arrays(
            *(np.asarray(a, dtype=np.float64) for a in (lat1, lon1, lat2, lon2))
        )
    except ValueError:
        raise InputError(
            None, "lat1, lon1, lat2 and lon2 must have the same shape"
        ) from None
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a.ravel()) for a in arrays]
    vlat, vlon = _border_vertices()
    return segments_cross_polyline(*flat, vlat, vlon).reshape(shape)


def border_distance_km(lat, lon) -> np.ndarray:
    """Distance from each point to the approximate Iran–Pakistan line, km.

    Returns
    -------
    ndarray of float64
        Great-circle distance to the nearest point of :func:`border_line`,
        km; NaN for NaN coordinates.
    """
    la, lo, shape = _as_points(lat, lon)
    vlat, vlon = _border_vertices()
    offsets = np.array([0, len(vlat)], dtype=np.int64)
    _, dist_m, _ = polyline_proximity(
        la, lo, np.asarray(vlat), np.asarray(vlon), offsets, np.zeros(1)
    )
    return (dist_m / 1000.0).reshape(shape)


# --------------------------------------------------------------------------
# Pakistan maritime zones


def _island_belt(island, distance_nm: float):
    """Polygon of the sea within ``distance_nm`` of an island, lon/lat."""
    to_local, to_wgs84, _ = _projection()
    local = shapely.transform(
        island, lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1]))
    )
    belt = local.buffer(distance_nm * NM_KM * 1000.0, quad_segs=32)
    return shapely.transform(
        belt, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )


@lru_cache(maxsize=1)
def _zones() -> dict:
    out = {}
    for feature in _read_json(_ZONES_FILE)["features"]:
        out[feature["properties"]["zone"]] = shapely.geometry.shape(feature["geometry"])
    # The zones were computed without Astola Island, which has its own
    # territorial sea and contiguous zone (UNCLOS art. 121); add its belts.
    (astola,) = _read_geometries("astola_island.geojson")
    for value, nm in ((ZONE_TERRITORIAL, 12.0), (ZONE_CONTIGUOUS, 24.0)):
        name = _ZONE_FEATURES[value]
        out[name] = shapely.union(out[name], _island_belt(astola, nm))
    for geom in out.values():
        shapely.prepare(geom)
    return out


def maritime_zones() -> dict:
    """The approximate Pakistani zones and equidistance lines (shapely).

    Returns
    -------
    dict
        ``territorial_sea_12nm``, ``contiguous_zone_24nm`` (includes the
        territorial sea), ``eez_200nm`` (includes both) as polygons, and
        ``median_line_iran_pakistan``, ``median_line_oman_pakistan``,
        ``median_line_india_pakistan`` as lines; lon/lat degrees. Computed with
        normal baselines from Natural Earth coasts, plus the 12 and 24 nm belts
        of Astola Island (missing from those coasts): not the legal limits.
    """
    return dict(_zones())


def maritime_zone(lat, lon) -> np.ndarray:
    """Pakistani maritime zone of each point (approximate).

    Returns
    -------
    ndarray of int8
        :data:`ZONE_TERRITORIAL` (1) within 12 nm, :data:`ZONE_CONTIGUOUS` (2)
        12–24 nm, :data:`ZONE_EEZ` (3) 24–200 nm, :data:`ZONE_NONE` (0)
        elsewhere, on land and for NaN coordinates.
    """
    la, lo, shape = _as_points(lat, lon)
    zones = _zones()
    code = np.zeros(la.shape, dtype=np.int8)
    eez = zones[_ZONE_FEATURES[ZONE_EEZ]]
    lon_min, lat_min, lon_max, lat_max = eez.bounds
    candidates = np.flatnonzero(
        (la >= lat_min) & (la <= lat_max) & (lo >= lon_min) & (lo <= lon_max)
    )
    # Innermost zone wins: paint outer to inner.
    for value in (ZONE_EEZ, ZONE_CONTIGUOUS, ZONE_TERRITORIAL):
        if candidates.size == 0:
            break
        inside = shapely.contains_xy(
            zones[_ZONE_FEATURES[value]], lo[candidates], la[candidates]
        )
        code[candidates[inside]] = value
        candidates = candidates[inside]
    if code.any():
        at_sea = np.flatnonzero(code)
        code[at_sea[is_land(la[at_sea], lo[at_sea])]] = ZONE_NONE
    return code.reshape(shape)


def in_territorial_sea(lat, lon) -> np.ndarray:
    """Whether each point is in Pakistan's (approximate) 12 nm territorial sea.

    Returns
    -------
    ndarray of bool
    """
    return maritime_zone(lat, lon) == ZONE_TERRITORIAL


@lru_cache(maxsize=1)
def territorial_line():
    """Seaward and lateral limits of the approximate 12 nm territorial sea.

    The polygon's boundary without its parts along the coast, for maps.

    Returns
    -------
    shapely.MultiLineString
        Longitude/latitude degrees.
    """
    territorial = _zones()[_ZONE_FEATURES[ZONE_TERRITORIAL]]
    near_coast = shapely.buffer(_coastline(), 0.005)
    return shapely.difference(shapely.boundary(territorial), near_coast)
