"""Geometry for the traffic simulator: sea routes, berths, sea points.

Everything a simulated vessel does happens at sea: routes between two points
follow a cheapest path over a 0.01 degree grid of sea nodes (A*, see
:mod:`kernels.sea_route`), pulled straight wherever the straight line keeps
clear of the coast, and every leg of a route is checked to keep at least
:data:`CLEARANCE_KM` from the shipped coastline (:mod:`coastwatch.geo`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely

from kernels.raster import sample_bilinear
from kernels.sea_route import grid_path

from . import geo

EARTH_RADIUS_M = 6_371_008.8
KNOT_M_S = 1852.0 / 3600.0
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0

#: Every straight leg keeps at least this far from the coastline, km.
CLEARANCE_KM = 0.2
#: Legs are checked at points this far apart, metres.
CHECK_STEP_M = 80.0

# The routing grid: lon 57.3–68.2 E, lat 21.8–26.1 N at 0.01 degree.
_GRID_LAT0 = 21.8
_GRID_LON0 = 57.3
_GRID_STEP = 0.01
_GRID_N_LAT = 431
_GRID_N_LON = 1091
# Nodes closer to the coast than this cannot be entered, km: with nodes about
# 1.5 km apart diagonally, a leg between two neighbours then keeps 0.25 km off.
_NODE_MIN_SHORE_KM = 1.0
# Nodes closer than this cost more (up to 3x), so routes keep off the coast.
_NODE_COMFORT_KM = 3.0
# Routes may cost up to this factor more than the cheapest (much faster search).
_ROUTE_WEIGHT = 1.5
# A point of open sea: routes use only water joined to it.
_OPEN_SEA = (23.0, 63.0)
# Straightening a grid path first uses the interpolated node distances, which
# may overstate the distance between nodes by up to about this much, km.
_RASTER_SLACK_KM = 0.8
_FAST_STEP_M = 200.0


# --------------------------------------------------------------------------
# Spherical helpers (numpy, vectorised)


def dist_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (scalars)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) * 0.5) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) * 0.5) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (spherical Earth), element-wise."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def bearing_deg(lat1, lon1, lat2, lon2):
    """Initial great-circle bearing, degrees clockwise from north (0..360)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0


def destination(lat, lon, bearing, distance_m):
    """Point reached after ``distance_m`` on ``bearing`` (degrees), element-wise."""
    d = np.asarray(distance_m, dtype=np.float64) / EARTH_RADIUS_M
    b = np.radians(bearing)
    p1 = np.radians(lat)
    l1 = np.radians(lon)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(
        np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2)
    )
    return np.degrees(p2), np.degrees(l2)


def offset_m(lat, lon, east_m, north_m):
    """Shift points by small east/north offsets in metres (local plane)."""
    lat = np.asarray(lat, dtype=np.float64)
    dlat = np.asarray(north_m) / M_PER_DEG_LAT
    dlon = np.asarray(east_m) / (M_PER_DEG_LON_EQ * np.cos(np.radians(lat)))
    return lat + dlat, np.asarray(lon, dtype=np.float64) + dlon


# --------------------------------------------------------------------------
# Clearance checks


@lru_cache(maxsize=1)
def _land_with_margin():
    """Land grown by :data:`CLEARANCE_KM` (or a little more), prepared."""
    # 0.002 degree is at least 0.2 km along both axes at these latitudes.
    margin_deg = CLEARANCE_KM / (
        M_PER_DEG_LON_EQ / 1000.0 * math.cos(math.radians(26.5))
    )
    zone = shapely.buffer(geo.land_geometry(), margin_deg, quad_segs=4)
    shapely.prepare(zone)
    return zone


def points_clear(lat, lon) -> np.ndarray:
    """Whether each point is at sea and at least :data:`CLEARANCE_KM` off land.

    Points far from the coast by the routing raster are decided by it (it
    overstates a distance by at most 0.75 km); the rest by testing against
    the land grown by the clearance. Points outside the routing grid count as
    clear (no land known there).
    """
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if lat.size == 0:
        return np.zeros(lat.shape, dtype=bool)
    clear = shore_distance_fast(lat, lon) >= CLEARANCE_KM + 0.8
    near = np.flatnonzero(~clear)
    if len(near):
        clear[near] = ~shapely.intersects_xy(_land_with_margin(), lon[near], lat[near])
    return clear


def legs_clear(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Whether each straight leg (linear in lat/lon) keeps clear of the coast.

    Each leg is checked at points at most :data:`CHECK_STEP_M` apart, ends
    included; every check point must be :func:`points_clear`. With 80 m
    steps and a 200 m clearance the leg between two check points cannot
    touch the coast.
    """
    lat1, lon1, lat2, lon2 = (
        np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (lat1, lon1, lat2, lon2)
    )
    n = len(lat1)
    if n == 0:
        return np.zeros(0, dtype=bool)
    length = haversine_m(lat1, lon1, lat2, lon2)
    steps = np.maximum(1, np.ceil(length / CHECK_STEP_M).astype(np.int64))
    counts = steps + 1
    leg = np.repeat(np.arange(n), counts)
    first = np.cumsum(counts) - counts
    k = np.arange(counts.sum()) - np.repeat(first, counts)
    f = k / np.repeat(steps, counts)
    plat = lat1[leg] + (lat2[leg] - lat1[leg]) * f
    plon = lon1[leg] + (lon2[leg] - lon1[leg]) * f
    ok = points_clear(plat, plon)
    bad = np.bincount(leg[~ok], minlength=n)
    return bad == 0


# --------------------------------------------------------------------------
# Routing grid


def _component(passable: np.ndarray, seed: tuple[float, float]) -> np.ndarray:
    """Nodes 4-connected to the node nearest ``seed`` (lat, lon) through
    passable nodes (breadth-first, one frontier at a time)."""
    n_lat, n_lon = passable.shape
    flat = passable.ravel()
    seen = np.zeros(flat.shape, dtype=bool)
    start = round((seed[0] - _GRID_LAT0) / _GRID_STEP) * n_lon + round(
        (seed[1] - _GRID_LON0) / _GRID_STEP
    )
    frontier = np.array([start], dtype=np.int64)
    seen[frontier] = True
    while len(frontier):
        col = frontier % n_lon
        nbrs = np.concatenate(
            [
                frontier[frontier >= n_lon] - n_lon,
                frontier[frontier < (n_lat - 1) * n_lon] + n_lon,
                frontier[col > 0] - 1,
                frontier[col < n_lon - 1] + 1,
            ]
        )
        nbrs = np.unique(nbrs)
        nbrs = nbrs[flat[nbrs] & ~seen[nbrs]]
        seen[nbrs] = True
        frontier = nbrs
    return seen.reshape(passable.shape)


@lru_cache(maxsize=1)
def _routing_grid():
    lat = _GRID_LAT0 + _GRID_STEP * np.arange(_GRID_N_LAT)
    lon = _GRID_LON0 + _GRID_STEP * np.arange(_GRID_N_LON)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    shore = geo.shore_distance_km(la, lo)
    shore = np.where(np.isnan(shore), 100.0, shore)
    factor = 1.0 + 2.0 * np.clip(
        (_NODE_COMFORT_KM - shore) / (_NODE_COMFORT_KM - _NODE_MIN_SHORE_KM), 0.0, 1.0
    )
    passable = shore >= _NODE_MIN_SHORE_KM
    # Pockets of water not joined to the open sea cannot be entered.
    passable &= _component(passable, _OPEN_SEA)
    cost = np.where(passable, factor, np.inf)
    dx = M_PER_DEG_LON_EQ * _GRID_STEP * np.cos(np.radians(lat))
    dy = M_PER_DEG_LAT * _GRID_STEP
    cost = np.ascontiguousarray(cost)
    dx = np.ascontiguousarray(dx)
    shore = np.ascontiguousarray(shore)
    for arr in (cost, dx, shore):
        arr.setflags(write=False)
    return cost, dx, float(dy), shore


def shore_distance_fast(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance to shore (km) interpolated between routing-grid nodes.

    Fast but approximate: may overstate the distance by up to about 0.7 km
    where the coast bends between nodes; 100 km outside the grid.
    """
    *_, shore = _routing_grid()
    d = sample_bilinear(
        np.ascontiguousarray(lat, dtype=np.float64),
        np.ascontiguousarray(lon, dtype=np.float64),
        shore,
        _GRID_LAT0,
        _GRID_LON0,
        _GRID_STEP,
    )
    return np.where(np.isnan(d), 100.0, d)


def _legs_clear_fast(lat1, lon1, lat2, lon2) -> np.ndarray:
    """A quick, conservative version of :func:`legs_clear` on the node raster."""
    *_, shore = _routing_grid()
    n = len(lat1)
    length = haversine_m(lat1, lon1, lat2, lon2)
    steps = np.maximum(1, np.ceil(length / _FAST_STEP_M).astype(np.int64))
    counts = steps + 1
    leg = np.repeat(np.arange(n), counts)
    first = np.cumsum(counts) - counts
    f = (np.arange(counts.sum()) - np.repeat(first, counts)) / np.repeat(steps, counts)
    plat = lat1[leg] + (lat2[leg] - lat1[leg]) * f
    plon = lon1[leg] + (lon2[leg] - lon1[leg]) * f
    d = sample_bilinear(plat, plon, shore, _GRID_LAT0, _GRID_LON0, _GRID_STEP)
    bad = ~(np.isnan(d) | (d >= CLEARANCE_KM + _RASTER_SLACK_KM))
    return np.bincount(leg[bad], minlength=n) == 0


def _node_latlon(index: np.ndarray):
    i = index // _GRID_N_LON
    j = index % _GRID_N_LON
    return _GRID_LAT0 + _GRID_STEP * i, _GRID_LON0 + _GRID_STEP * j


def entry_nodes(lat: float, lon: float, limit: int = 6) -> list[int]:
    """Passable grid nodes joined to (lat, lon) by a clear straight leg.

    Nearest first; several, because the nearest may lie in a pocket of water
    that does not connect to the open sea.
    """
    cost, *_ = _routing_grid()
    fi = (lat - _GRID_LAT0) / _GRID_STEP
    fj = (lon - _GRID_LON0) / _GRID_STEP
    found: list[int] = []
    for radius in (2, 6, 15, 40):
        i0 = max(0, math.floor(fi) - radius)
        i1 = min(_GRID_N_LAT, math.floor(fi) + radius + 2)
        j0 = max(0, math.floor(fj) - radius)
        j1 = min(_GRID_N_LON, math.floor(fj) + radius + 2)
        ii, jj = np.meshgrid(np.arange(i0, i1), np.arange(j0, j1), indexing="ij")
        ii = ii.ravel()
        jj = jj.ravel()
        ok = np.isfinite(cost[ii, jj])
        if not ok.any():
            continue
        ii = ii[ok]
        jj = jj[ok]
        nlat = _GRID_LAT0 + _GRID_STEP * ii
        nlon = _GRID_LON0 + _GRID_STEP * jj
        dist = haversine_m(lat, lon, nlat, nlon)
        order = np.lexsort((jj, ii, dist))[:60]
        clear = legs_clear(
            np.full(len(order), lat), np.full(len(order), lon), nlat[order], nlon[order]
        )
        # Spread the picks: at most one node per 3 x 3 block of nodes.
        blocks: set = set()
        for k in order[clear]:
            key = (int(ii[k]) // 3, int(jj[k]) // 3)
            if key in blocks:
                continue
            blocks.add(key)
            found.append(int(ii[k] * _GRID_N_LON + jj[k]))
            if len(found) >= limit:
                return found
        if found:
            return found
    raise RuntimeError(f"no sea route node reachable from {lat:.5f}, {lon:.5f}")


def _pull_straight(lat: np.ndarray, lon: np.ndarray, check) -> list[int]:
    """Indices of the points of a polyline kept when straight legs skip others.

    Greedy: from each kept point, jump as far ahead as ``check`` allows. The
    reach is found by probing points 1, 2, 4, 8... ahead, then bisecting
    between the last clear probe and the first blocked one. The next point
    is always reachable (consecutive points of a grid path are joined by a
    clear leg), so the walk ends.
    """
    keep = [0]
    anchor = 0
    last = len(lat) - 1

    def clear(targets: np.ndarray) -> np.ndarray:
        n = len(targets)
        return check(
            np.full(n, lat[anchor]), np.full(n, lon[anchor]), lat[targets], lon[targets]
        )

    while anchor < last:
        span = last - anchor
        probes = anchor + np.unique(
            np.minimum(2 ** np.arange(math.ceil(math.log2(span)) + 1), span)
        )
        ok = clear(probes)
        if ok.all():
            reach = last
        else:
            bad = int(np.argmax(~ok))
            good = anchor + 1 if bad == 0 else int(probes[bad - 1])
            blocked = int(probes[bad])
            while blocked - good > 1:
                mid = (good + blocked) // 2
                if clear(np.array([mid]))[0]:
                    good = mid
                else:
                    blocked = mid
            reach = good
        keep.append(int(reach))
        anchor = int(reach)
    return keep


def _straighten(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Straighten a grid path: quickly on the raster, then checked exactly."""
    keep = _pull_straight(lat, lon, _legs_clear_fast)
    ok = legs_clear(lat[keep[:-1]], lon[keep[:-1]], lat[keep[1:]], lon[keep[1:]])
    final = [keep[0]]
    for k in range(len(keep) - 1):
        a, b = keep[k], keep[k + 1]
        if not ok[k]:
            # Rare: the raster overstated the clearance; redo this stretch exactly.
            sub = _pull_straight(lat[a : b + 1], lon[a : b + 1], legs_clear)
            final.extend(a + i for i in sub[1:-1])
        final.append(b)
    return np.column_stack([lat[final], lon[final]])


@lru_cache(maxsize=4096)
def _route_cached(lat1: float, lon1: float, lat2: float, lon2: float) -> np.ndarray:
    if bool(legs_clear(lat1, lon1, lat2, lon2)[0]):
        out = np.array([[lat1, lon1], [lat2, lon2]])
        out.setflags(write=False)
        return out
    cost, dx, dy, _ = _routing_grid()
    starts = entry_nodes(lat1, lon1)
    goals = entry_nodes(lat2, lon2)
    total = np.inf
    for start, goal in [(a, b) for a in starts[:3] for b in goals[:3]]:
        path, total = grid_path(cost, dx, dy, 1.0, start, goal, _ROUTE_WEIGHT)
        if np.isfinite(total):
            break
    if not np.isfinite(total):
        raise RuntimeError(
            f"no sea route from {lat1:.4f}, {lon1:.4f} to {lat2:.4f}, {lon2:.4f}"
        )
    nlat, nlon = _node_latlon(path)
    lat = np.concatenate([[lat1], nlat, [lat2]])
    lon = np.concatenate([[lon1], nlon, [lon2]])
    out = _straighten(lat, lon)
    if not legs_clear(out[:-1, 0], out[:-1, 1], out[1:, 0], out[1:, 1]).all():
        raise RuntimeError(
            f"sea route from {lat1:.4f}, {lon1:.4f} to {lat2:.4f}, {lon2:.4f} "
            "touches the coast"
        )
    out.setflags(write=False)
    return out


def sea_route(lat1: float, lon1: float, lat2: float, lon2: float) -> np.ndarray:
    """Waypoints of a route at sea between two points (both at sea).

    Returns
    -------
    ndarray, shape (k, 2), float64
        Latitude, longitude of the waypoints from start to end inclusive;
        every leg between consecutive waypoints passes :func:`legs_clear`.
    """
    key = tuple(round(float(v), 6) for v in (lat1, lon1, lat2, lon2))
    out = _route_cached(*key).copy()
    out[0] = (lat1, lon1)
    out[-1] = (lat2, lon2)
    return out


def route_length_m(points: np.ndarray) -> float:
    """Length of a polyline of (lat, lon) rows, metres."""
    if len(points) < 2:
        return 0.0
    return float(
        haversine_m(points[:-1, 0], points[:-1, 1], points[1:, 0], points[1:, 1]).sum()
    )


# --------------------------------------------------------------------------
# Places at sea


def sea_points_near(
    lat: float,
    lon: float,
    radius_km: float,
    min_shore_km: float,
    max_shore_km: float,
    step_deg: float = 0.002,
) -> np.ndarray:
    """Grid points within ``radius_km`` of a place whose shore distance fits.

    Returns
    -------
    ndarray, shape (k, 2)
        (lat, lon) rows, nearest to the place first.
    """
    span_lat = radius_km / 110.574
    span_lon = radius_km / (111.32 * math.cos(math.radians(lat)))
    la = np.arange(lat - span_lat, lat + span_lat + 1e-12, step_deg)
    lo = np.arange(lon - span_lon, lon + span_lon + 1e-12, step_deg)
    gla, glo = np.meshgrid(la, lo, indexing="ij")
    gla = gla.ravel()
    glo = glo.ravel()
    dist = haversine_m(lat, lon, gla, glo)
    inside = dist <= radius_km * 1000.0
    gla, glo, dist = gla[inside], glo[inside], dist[inside]
    shore = geo.shore_distance_km(gla, glo)
    ok = (shore >= min_shore_km) & (shore <= max_shore_km)
    gla, glo, dist = gla[ok], glo[ok], dist[ok]
    order = np.lexsort((glo, gla, dist))
    return np.column_stack([gla[order], glo[order]])


def beach_point(
    lat: float, lon: float, offshore_km: float = 0.3
) -> tuple[float, float]:
    """The nearest sea point about ``offshore_km`` off the coast near a place.

    Where a boat is launched from a beach or moored at a jetty.
    """
    for radius in (2.0, 4.0, 8.0):
        pts = sea_points_near(
            lat, lon, radius, offshore_km, offshore_km + 0.25, step_deg=0.001
        )
        if len(pts):
            return float(pts[0, 0]), float(pts[0, 1])
    raise RuntimeError(f"no sea within 8 km of {lat:.4f}, {lon:.4f}")


def random_sea_point(
    rng: np.random.Generator,
    box: tuple[float, float, float, float],
    min_shore_km: float,
    max_shore_km: float = math.inf,
    tries: int = 200,
) -> tuple[float, float]:
    """A random point in ``box`` (lon_min, lat_min, lon_max, lat_max) at sea.

    The point's shore distance lies in [min_shore_km, max_shore_km].
    """
    lon_min, lat_min, lon_max, lat_max = box
    for _ in range(8):
        la = rng.uniform(lat_min, lat_max, tries)
        lo = rng.uniform(lon_min, lon_max, tries)
        shore = shore_distance_fast(la, lo)
        ok = np.flatnonzero(
            (shore >= min_shore_km) & (shore <= max_shore_km) & points_clear(la, lo)
        )
        if len(ok):
            return float(la[ok[0]]), float(lo[ok[0]])
    raise RuntimeError(f"no sea point in {box} at {min_shore_km}-{max_shore_km} km")


def seaward_point(
    lat: float, lon: float, distance_km: float, rng: np.random.Generator
) -> tuple[float, float]:
    """A point about ``distance_km`` offshore of a coastal place.

    Tries bearings around the direction that leads away from the coast and
    keeps the one whose end point is farthest from shore.
    """
    bearings = np.arange(90.0, 271.0, 10.0) + rng.uniform(-5.0, 5.0)
    dist = distance_km * 1000.0 * rng.uniform(0.9, 1.1)
    la, lo = destination(lat, lon, bearings, dist)
    shore = np.where(points_clear(la, lo), shore_distance_fast(la, lo), 0.0)
    k = int(np.argmax(shore))
    return float(la[k]), float(lo[k])
