"""Plain-Python references for the geographic kernels (loops and math only).

These are the specification: slow and obvious. ``kernels.raster`` and
``kernels.proximity`` must agree with them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
EDGE_TOLERANCE = 1e-9


def bilinear(lat, lon, grid, lat0, lon0, step):
    """Bilinear value of a list-of-rows grid at one point; NaN outside.

    ``grid[i][j]`` is the value at (lat0 + i*step, lon0 + j*step). Points on the
    outer edge (within 1e-9 of a cell) are inside.
    """
    if math.isnan(lat) or math.isnan(lon):
        return math.nan
    n_lat = len(grid)
    n_lon = len(grid[0])
    fi = (lat - lat0) / step
    fj = (lon - lon0) / step
    if fi < -EDGE_TOLERANCE or fi > n_lat - 1 + EDGE_TOLERANCE:
        return math.nan
    if fj < -EDGE_TOLERANCE or fj > n_lon - 1 + EDGE_TOLERANCE:
        return math.nan
    fi = min(max(fi, 0.0), n_lat - 1.0)
    fj = min(max(fj, 0.0), n_lon - 1.0)
    i = min(math.floor(fi), n_lat - 2)
    j = min(math.floor(fj), n_lon - 2)
    u = fi - i
    v = fj - j
    return (
        grid[i][j] * (1 - u) * (1 - v)
        + grid[i][j + 1] * (1 - u) * v
        + grid[i + 1][j] * u * (1 - v)
        + grid[i + 1][j + 1] * u * v
    )


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres on the mean-radius sphere."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def closest_on_polyline(lat, lon, line):
    """Closest point of a polyline [(lat, lon), ...] in a flat frame at (lat, lon).

    Returns (squared flat distance, lat, lon) of that point. Candidates are every
    vertex and the foot of the perpendicular on every segment where it falls
    strictly inside; the first of equal candidates wins.
    """
    kx = math.cos(math.radians(lat)) * M_PER_DEG

    def flat(p):
        return ((p[1] - lon) * kx, (p[0] - lat) * M_PER_DEG)

    candidates = []
    for p in line:
        x, y = flat(p)
        candidates.append((x * x + y * y, p[0], p[1]))
    for a, b in pairwise(line):
        ax, ay = flat(a)
        dx, dy = (b[1] - a[1]) * kx, (b[0] - a[0]) * M_PER_DEG
        dd = dx * dx + dy * dy
        if dd <= 0:
            continue
        t = -(ax * dx + ay * dy) / dd
        if 0 < t < 1:
            qx, qy = ax + t * dx, ay + t * dy
            candidates.append(
                (qx * qx + qy * qy, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            )
    return min(candidates, key=lambda c: c[0])


def polyline_proximity(lat, lon, lines, radii_m):
    """Per point: (nearest index, distance m, containing index) like the kernel.

    ``lines`` is a list of polylines, each a list of (lat, lon). Containment is
    a flat distance within the radius; the nearest containing polyline wins;
    ties go to the lower index. NaN points give (-1, nan, -1).
    """
    if math.isnan(lat) or math.isnan(lon) or not lines:
        return -1, math.nan, -1
    best = None
    best_inside = None
    for k, line in enumerate(lines):
        d2, qlat, qlon = closest_on_polyline(lat, lon, line)
        if best is None or d2 < best[0]:
            best = (d2, k, qlat, qlon)
        if d2 <= radii_m[k] ** 2 and (best_inside is None or d2 < best_inside[0]):
            best_inside = (d2, k)
    distance = haversine_m(lat, lon, best[2], best[3])
    inside = -1 if best_inside is None else best_inside[1]
    return best[1], distance, inside


def _orient(a, b, c):
    """Exact orientation of the turn a -> b -> c (points as (x, y) floats)."""
    ax, ay, bx, by, cx, cy = (Fraction(v) for v in (*a, *b, *c))
    cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return (cross > 0) - (cross < 0)


def _within(a, b, c):
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[
        1
    ] <= max(a[1], b[1])


def segments_meet(a, b, c, d):
    """Whether closed segments a-b and c-d share a point, in exact arithmetic."""
    o1, o2 = _orient(a, b, c), _orient(a, b, d)
    o3, o4 = _orient(c, d, a), _orient(c, d, b)
    if o1 * o2 < 0 and o3 * o4 < 0:
        return True
    if o1 == 0 and _within(a, b, c):
        return True
    if o2 == 0 and _within(a, b, d):
        return True
    if o3 == 0 and _within(c, d, a):
        return True
    return o4 == 0 and _within(c, d, b)


def segment_crosses_polyline(lat1, lon1, lat2, lon2, line):
    """Whether the segment meets the polyline [(lat, lon), ...] (lon/lat plane)."""
    if any(math.isnan(v) for v in (lat1, lon1, lat2, lon2)):
        return False
    a = (lon1, lat1)
    b = (lon2, lat2)
    return any(
        segments_meet(a, b, (p[1], p[0]), (q[1], q[0])) for p, q in pairwise(line)
    )
