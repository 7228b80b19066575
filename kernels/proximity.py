"""Distances from points to sets of small polylines, and segment crossings.

Used for named areas (a port is a point with a radius, a channel a polyline with
a half-width), enforcement bases (points, radius 0) and boundary lines.

Polylines are given flat: vertices ``vert_lat[offsets[k]:offsets[k + 1]]`` (and
``vert_lon``) belong to polyline ``k``; a polyline of one vertex is a point.
Distances to a segment are found in a local flat frame centred on the query
point (east-west degrees scaled by the cosine of its latitude), which picks the
nearest point of the segment; the distance reported is the great-circle distance
to that point.
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, haversine_m
from ._jit import jit

_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0


@jit
def _wrap_deg(d):
    """Longitude difference wrapped to [-180, 180] (inputs within one turn)."""
    if d > 180.0:
        return d - 360.0
    if d < -180.0:
        return d + 360.0
    return d


@jit
def polyline_proximity(
    lat, lon, vert_lat, vert_lon, offsets, radius_m, with_nearest=True
):
    """Nearest polyline of each point, its distance, and the polyline containing it.

    A point is inside polyline ``k`` when its distance to the polyline is at most
    ``radius_m[k]`` (a disc around a single vertex, a corridor of half-width
    ``radius_m[k]`` around a line). Ties go to the lower index.

    Parameters
    ----------
    lat, lon : ndarray, shape (n,), float64
        Query positions, degrees (WGS84), longitudes within [-180, 360].
    vert_lat, vert_lon : ndarray, shape (n_vertices,), float64
        Polyline vertices, degrees, grouped by ``offsets``.
    offsets : ndarray, shape (n_polylines + 1,), int64
        Polyline ``k`` is ``vert_*[offsets[k]:offsets[k + 1]]``; at least one
        vertex each.
    radius_m : ndarray, shape (n_polylines,), float64
        Radius (half-width) of each polyline's area, metres.
    with_nearest : bool, default True
        False skips the nearest polyline (``nearest`` all -1, ``distance_m``
        all NaN) for a faster containment test.

    Returns
    -------
    nearest : ndarray, shape (n,), int64
        Index of the nearest polyline; -1 for NaN positions or no polylines.
    distance_m : ndarray, shape (n,), float64
        Great-circle distance to the nearest polyline, metres; NaN with -1.
    inside : ndarray, shape (n,), int64
        Index of the nearest polyline whose area contains the point, else -1.
    """
    n = lat.shape[0]
    n_lines = offsets.shape[0] - 1
    nearest = np.full(n, -1, dtype=np.int64)
    distance_m = np.full(n, np.nan, dtype=np.float64)
    inside = np.full(n, -1, dtype=np.int64)
    # Bounding boxes let most polylines be skipped once a near one is known.
    box_lat_min = np.empty(n_lines)
    box_lat_max = np.empty(n_lines)
    box_lon_min = np.empty(n_lines)
    box_lon_max = np.empty(n_lines)
    for k in range(n_lines):
        box_lat_min[k] = np.inf
        box_lat_max[k] = -np.inf
        box_lon_min[k] = np.inf
        box_lon_max[k] = -np.inf
        for v in range(offsets[k], offsets[k + 1]):
            box_lat_min[k] = min(box_lat_min[k], vert_lat[v])
            box_lat_max[k] = max(box_lat_max[k], vert_lat[v])
            box_lon_min[k] = min(box_lon_min[k], vert_lon[v])
            box_lon_max[k] = max(box_lon_max[k], vert_lon[v])
    for p in range(n):
        la = lat[p]
        lo = lon[p]
        if math.isnan(la) or math.isnan(lo):
            continue
        kx = math.cos(math.radians(la)) * _M_PER_DEG
        best_d2 = np.inf
        best_in_d2 = np.inf
        best_lat = np.nan
        best_lon = np.nan
        for k in range(n_lines):
            # A lower bound of the distance to the box: skip the polyline when
            # it can be neither nearer than the best so far nor contain p.
            r = radius_m[k]
            west = _wrap_deg(box_lon_min[k] - lo)
            east = _wrap_deg(box_lon_max[k] - lo)
            bx = 0.0
            if west > 0.0 and east > 0.0:
                bx = min(west, east) * kx
            elif west < 0.0 and east < 0.0:
                bx = -max(west, east) * kx
            by = 0.0
            if box_lat_min[k] > la:
                by = (box_lat_min[k] - la) * _M_PER_DEG
            elif box_lat_max[k] < la:
                by = (la - box_lat_max[k]) * _M_PER_DEG
            bound = bx * bx + by * by
            if bound > r * r and (bound > best_d2 or not with_nearest):
                continue
            s = offsets[k]
            e = offsets[k + 1]
            # Closest vertex first: covers single-vertex polylines.
            line_d2 = np.inf
            line_lat = np.nan
            line_lon = np.nan
            for v in range(s, e):
                x = _wrap_deg(vert_lon[v] - lo) * kx
                y = (vert_lat[v] - la) * _M_PER_DEG
                d2 = x * x + y * y
                if d2 < line_d2:
                    line_d2 = d2
                    line_lat = vert_lat[v]
                    line_lon = vert_lon[v]
            for v in range(s, e - 1):
                ax = _wrap_deg(vert_lon[v] - lo) * kx
                ay = (vert_lat[v] - la) * _M_PER_DEG
                dx = _wrap_deg(vert_lon[v + 1] - vert_lon[v]) * kx
                dy = (vert_lat[v + 1] - vert_lat[v]) * _M_PER_DEG
                dd = dx * dx + dy * dy
                if dd <= 0.0:
                    continue
                t = -(ax * dx + ay * dy) / dd
                if t <= 0.0 or t >= 1.0:
                    continue  # the closest point is a vertex, seen above
                qx = ax + t * dx
                qy = ay + t * dy
                d2 = qx * qx + qy * qy
                if d2 < line_d2:
                    line_d2 = d2
                    line_lat = vert_lat[v] + t * (vert_lat[v + 1] - vert_lat[v])
                    line_lon = vert_lon[v] + t * _wrap_deg(
                        vert_lon[v + 1] - vert_lon[v]
                    )
            if with_nearest and line_d2 < best_d2:
                best_d2 = line_d2
                best_lat = line_lat
                best_lon = line_lon
                nearest[p] = k
            if line_d2 <= r * r and line_d2 < best_in_d2:
                best_in_d2 = line_d2
                inside[p] = k
        if nearest[p] >= 0:
            distance_m[p] = haversine_m(la, lo, best_lat, best_lon)
    return nearest, distance_m, inside


@jit
def _orientation(ax, ay, bx, by, cx, cy):
    """Sign of the turn a -> b -> c: +1 left, -1 right, 0 collinear."""
    cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    if cross > 0.0:
        return 1
    if cross < 0.0:
        return -1
    return 0


@jit
def _on_segment(ax, ay, bx, by, cx, cy):
    """True when c, known collinear with a-b, lies within the box of a-b."""
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


@jit
def segment_intersects(ax, ay, bx, by, cx, cy, dx, dy):
    """True when closed segments a-b and c-d share at least one point (plane)."""
    o1 = _orientation(ax, ay, bx, by, cx, cy)
    o2 = _orientation(ax, ay, bx, by, dx, dy)
    o3 = _orientation(cx, cy, dx, dy, ax, ay)
    o4 = _orientation(cx, cy, dx, dy, bx, by)
    if o1 != o2 and o3 != o4:
        return True
    if o1 == 0 and _on_segment(ax, ay, bx, by, cx, cy):
        return True
    if o2 == 0 and _on_segment(ax, ay, bx, by, dx, dy):
        return True
    if o3 == 0 and _on_segment(cx, cy, dx, dy, ax, ay):
        return True
    return o4 == 0 and _on_segment(cx, cy, dx, dy, bx, by)


@jit
def segments_cross_polyline(lat1, lon1, lat2, lon2, vert_lat, vert_lon):
    """Whether each straight segment touches or crosses one polyline.

    Segments and polyline are straight lines in the longitude/latitude plane
    (close to rhumb lines; over the tens to a few hundred kilometres of a gap at
    these latitudes they differ from great circles by well under a kilometre).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : ndarray, shape (n,), float64
        Segment end points, degrees.
    vert_lat, vert_lon : ndarray, shape (m,), float64
        The polyline's vertices in order, degrees; m >= 2.

    Returns
    -------
    ndarray, shape (n,), bool
        True when the segment shares at least one point with the polyline;
        False for segments with a NaN end.
    """
    n = lat1.shape[0]
    m = vert_lat.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    line_lat_min = np.inf
    line_lat_max = -np.inf
    line_lon_min = np.inf
    line_lon_max = -np.inf
    for v in range(m):
        line_lat_min = min(line_lat_min, vert_lat[v])
        line_lat_max = max(line_lat_max, vert_lat[v])
        line_lon_min = min(line_lon_min, vert_lon[v])
        line_lon_max = max(line_lon_max, vert_lon[v])
    for p in range(n):
        a_lat = lat1[p]
        a_lon = lon1[p]
        b_lat = lat2[p]
        b_lon = lon2[p]
        if (
            math.isnan(a_lat)
            or math.isnan(a_lon)
            or math.isnan(b_lat)
            or math.isnan(b_lon)
        ):
            continue
        if (
            max(a_lat, b_lat) < line_lat_min
            or min(a_lat, b_lat) > line_lat_max
            or max(a_lon, b_lon) < line_lon_min
            or min(a_lon, b_lon) > line_lon_max
        ):
            continue
        for v in range(m - 1):
            if segment_intersects(
                a_lon,
                a_lat,
                b_lon,
                b_lat,
                vert_lon[v],
                vert_lat[v],
                vert_lon[v + 1],
                vert_lat[v + 1],
            ):
                out[p] = True
                break
    return out
