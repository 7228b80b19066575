"""Slow, obvious reference for MovingPandas' stop criterion.

MovingPandas 0.23 decides that a window fits when the WGS84 geodesic between
its bounding-box corners is below 1.5 x max_diameter and the WGS84 geodesic
between corners 0 and 2 of GEOS's minimum-area rectangle, fitted in lon/lat
degrees, is below max_diameter (extreme points for two or collinear points).

Restated directly: the convex hull with exact rational arithmetic
(``fractions``), GEOS's ring order (clockwise from the lowest, then leftmost,
vertex), GEOS's rotating calipers in plain floating point (ties between
rectangles of equal area are decided by rounding in GEOS, so the same
formulas are used), line intersections exactly. Geodesics are Karney's
(geographiclib, what geopy uses).
"""

from __future__ import annotations

import math
from fractions import Fraction

import reference_loiter
from geographiclib.geodesic import Geodesic


def geodesic_m(lat1, lon1, lat2, lon2):
    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]


def _cross(o, a, b):
    """Sign of (a - o) x (b - o), exactly (floating point when clearly
    non-zero, rational arithmetic otherwise)."""
    left = (a[0] - o[0]) * (b[1] - o[1])
    right = (a[1] - o[1]) * (b[0] - o[0])
    if abs(left - right) > 1e-12 * (abs(left) + abs(right)):
        return 1 if left > right else -1
    ox, oy = Fraction(o[0]), Fraction(o[1])
    exact = (Fraction(a[0]) - ox) * (Fraction(b[1]) - oy) - (Fraction(a[1]) - oy) * (
        Fraction(b[0]) - ox
    )
    return (exact > 0) - (exact < 0)


def hull_ring(points):
    """Distinct hull vertices of (x, y) points as GEOS orders them:
    clockwise, from the lowest then leftmost vertex, no collinear ones."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ccw = lower[:-1] + upper[:-1]
    if len(ccw) <= 2:
        return [pts[0], pts[-1]]
    start = min(range(len(ccw)), key=lambda i: (ccw[i][1], ccw[i][0]))
    return [ccw[(start - i) % len(ccw)] for i in range(len(ccw))]


def _perpendicular_oriented(a, b, p):
    """Distance from p to the line a-b, negative right of a -> b (GEOS's
    ``LineSegment::distancePerpendicularOriented``)."""
    if a == b:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    dx, dy = b[0] - a[0], b[1] - a[1]
    len2 = dx * dx + dy * dy
    s = ((a[1] - p[1]) * dx - (a[0] - p[0]) * dy) / len2
    dist = abs(s) * math.sqrt(len2)
    return -dist if _cross(a, b, p) < 0 else dist


def _furthest(ring, a, b, start, orient):
    """GEOS's caliper step: from ``start``, advance while the distance from
    the line a-b (absolute for orient 0, signed otherwise, smaller is
    further for orient -1) does not get worse."""

    def dist(i):
        d = _perpendicular_oriented(a, b, ring[i])
        return abs(d) if orient == 0 else d

    def further_or_equal(d1, d2):
        return {0: abs(d1) >= abs(d2), 1: d1 >= d2, -1: d1 <= d2}[orient]

    best_d = next_d = dist(start)
    best = nxt = start
    while further_or_equal(next_d, best_d):
        best_d, best = next_d, nxt
        nxt = (best + 1) % len(ring)
        if nxt == start:
            break
        next_d = dist(nxt)
    return best


def _line_points(a, b, c):
    """Two points of a x + b y = c, picked as GEOS picks them."""
    if abs(b) > abs(a):
        return (0.0, c / b), (1.0, c / b - a / b)
    return (c / a, 0.0), (c / a - b / a, 1.0)


def _intersection(p1, p2, q1, q2):
    """Intersection of the lines p1-p2 and q1-q2, exactly, rounded once."""
    f = [Fraction(v) for v in (*p1, *p2, *q1, *q2)]
    x1, y1, x2, y2, x3, y3, x4, y4 = f
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    a = x1 * y2 - y1 * x2
    b = x3 * y4 - y3 * x4
    return (
        float((a * (x3 - x4) - (x1 - x2) * b) / den),
        float((a * (y3 - y4) - (y1 - y2) * b) / den),
    )


def rectangle_diagonal_corners(ring):
    """Corners 0 and 2 of GEOS's minimum-area rectangle of a clockwise ring.

    GEOS's ``MinimumAreaRectangle::computeConvexRing`` step by step: for each
    edge, the farthest vertex (caliper), the foot of its perpendicular on
    the edge, the extreme vertices left and right of that perpendicular;
    the first edge of strictly smallest area wins. Corner 0 is where the
    edge's line meets the right side, corner 2 where the opposite side
    meets the left side (``Rectangle::createFromSidePts``). Same
    floating-point formulas as GEOS: where two orientations give the same
    area, the rounding decides, as it does in GEOS.
    """
    m = len(ring)
    best = None
    diam = left = 1
    right = None
    for i in range(m):
        a, b = ring[i], ring[(i + 1) % m]
        diam = _furthest(ring, a, b, diam, 0)
        p = ring[diam]
        if p in (a, b):
            foot = p
        else:
            dx, dy = b[0] - a[0], b[1] - a[1]
            r = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)
            foot = (a[0] + r * dx, a[1] + r * dy)
        left = _furthest(ring, foot, p, left, 1)
        if i == 0:
            right = diam
        right = _furthest(ring, foot, p, right, -1)
        width = abs(_perpendicular_oriented(foot, p, ring[left])) + abs(
            _perpendicular_oriented(foot, p, ring[right])
        )
        area = math.sqrt((p[0] - foot[0]) ** 2 + (p[1] - foot[1]) ** 2) * width
        if best is None or area < best[0]:
            best = (area, i, diam, left, right)
    _, i, diam, left, right = best
    a, b = ring[i], ring[(i + 1) % m]
    dx, dy = b[0] - a[0], b[1] - a[1]

    def c_of(u, v, q):
        return u * q[1] - v * q[0]

    base = _line_points(-dy, dx, c_of(dx, dy, a))
    opposite = _line_points(-dy, dx, c_of(dx, dy, ring[diam]))
    left_line = _line_points(-dx, -dy, c_of(-dy, dx, ring[left]))
    right_line = _line_points(-dx, -dy, c_of(-dy, dx, ring[right]))
    c0 = a if ring[right] == a else _intersection(*base, *right_line)
    c2 = (
        ring[diam] if ring[left] == ring[diam] else _intersection(*opposite, *left_line)
    )
    return c0, c2


def window_measures(lat, lon, rows):
    """(bbox-corner geodesic, tested diagonal geodesic), metres."""
    lats = [lat[i] for i in rows]
    lons = [lon[i] for i in rows]
    corner = geodesic_m(min(lats), min(lons), max(lats), max(lons))
    ring = hull_ring(list(zip(lons, lats, strict=True)))
    if len(ring) <= 2:
        (x0, y0), (x2, y2) = ring[0], ring[-1]
    else:
        (x0, y0), (x2, y2) = rectangle_diagonal_corners(ring)
    return corner, geodesic_m(y0, x0, y2, x2)


def movingpandas_fits(lat, lon, rows, max_diameter_m):
    corner, diagonal = window_measures(lat, lon, rows)
    return corner < 1.5 * max_diameter_m and diagonal < max_diameter_m


def stop_segments(t, lat, lon, offsets, max_diameter_m, min_dur):
    """Stops as dicts (as ``reference_loiter.stop_segments``), with
    MovingPandas' criterion deciding the windows; ``diameter`` is still the
    largest great-circle distance between two points of the stop."""
    return reference_loiter.stop_segments(
        t,
        lat,
        lon,
        offsets,
        max_diameter_m,
        min_dur,
        fits=lambda w: movingpandas_fits(lat, lon, w, max_diameter_m),
    )
