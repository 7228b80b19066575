"""MovingPandas' stop criterion as scalar njit helpers.

MovingPandas 0.23 (``TrajectoryStopDetector``, ``geometry_utils.mrr_diagonal``)
decides that a window of points "fits in ``max_diameter``" by

1. a prefilter: the geodesic between the bounding-box corners
   (min lat, min lon) and (max lat, max lon) is ``< 1.5 * max_diameter``;
2. the test: the geodesic length of the segment from vertex 0 to vertex 2 of
   GEOS's minimum-*area* rotated rectangle of the points, fitted in lon/lat
   degrees, is ``< max_diameter``. Two-point windows use the geodesic between
   the two points, collinear windows the one between their extreme points.

All geodesics are on the WGS84 ellipsoid (geopy, i.e. Karney's algorithm).
Here they are Vincenty's inverse formula, which agrees with Karney's to well
under a micrometre at the sub-kilometre lengths that decide stops.

The rectangle follows GEOS >= 3.12 ``MinimumAreaRectangle`` (what shapely 2
calls ``minimum_rotated_rectangle``): the convex hull as a clockwise ring
starting at its lowest (then leftmost) vertex, rotating calipers over its
edges keeping the first edge of strictly smallest area, and the corners
intersected from the rectangle's side lines, so that the same two corners
are measured.
"""

import math

import numpy as np

from ._geo import haversine_m
from ._jit import jit, jit_strict

WGS84_A_M = 6_378_137.0
WGS84_F = 1.0 / 298.257223563
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)

# Spherical and ellipsoidal lengths differ by less than 0.6 % (the radii of
# curvature of WGS84 lie between 6,335 and 6,400 km): beyond a 1 % band around
# a threshold, the haversine decides a comparison on its own.
SPHERE_BAND = 0.01


@jit
def wgs84_geodesic_m(lat1, lon1, lat2, lon2):
    """Geodesic distance in metres on the WGS84 ellipsoid (Vincenty inverse).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float
        Positions in degrees.

    Returns
    -------
    float
        Length of the shortest path on the ellipsoid, metres. Within 1e-7 m
        of Karney's algorithm (geographiclib, geopy) below 10 km; nearly
        antipodal points, where the iteration does not converge, return NaN.
    """
    f = WGS84_F
    big_l = math.radians(lon2 - lon1)
    big_l = math.atan2(math.sin(big_l), math.cos(big_l))
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    # Reduced latitudes.
    u1 = math.atan2((1.0 - f) * math.sin(p1), math.cos(p1))
    u2 = math.atan2((1.0 - f) * math.sin(p2), math.cos(p2))
    su1 = math.sin(u1)
    cu1 = math.cos(u1)
    su2 = math.sin(u2)
    cu2 = math.cos(u2)
    sdu = math.sin(u2 - u1)
    lam = big_l
    s_sig = c_sig = sig = c2a = c2sm = 0.0
    converged = False
    for _ in range(200):
        sl = math.sin(lam)
        # cu1 su2 - su1 cu2 cos(lam), without cancellation for short lines.
        h = math.sin(0.5 * lam)
        y = sdu + 2.0 * su1 * cu2 * h * h
        x = cu2 * sl
        s_sig = math.sqrt(x * x + y * y)
        if s_sig == 0.0:
            return 0.0
        c_sig = su1 * su2 + cu1 * cu2 * math.cos(lam)
        sig = math.atan2(s_sig, c_sig)
        sa = cu1 * cu2 * sl / s_sig
        c2a = 1.0 - sa * sa
        c2sm = c_sig - 2.0 * su1 * su2 / c2a if c2a != 0.0 else 0.0
        cc = f / 16.0 * c2a * (4.0 + f * (4.0 - 3.0 * c2a))
        prev = lam
        lam = big_l + (1.0 - cc) * f * sa * (
            sig + cc * s_sig * (c2sm + cc * c_sig * (-1.0 + 2.0 * c2sm * c2sm))
        )
        if abs(lam - prev) <= 1e-14:
            converged = True
            break
    if not converged:
        return math.nan
    u_sq = c2a * (WGS84_A_M * WGS84_A_M - WGS84_B_M * WGS84_B_M) / (WGS84_B_M**2)
    big_a = 1.0 + u_sq / 16384.0 * (
        4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq))
    )
    big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)))
    d_sig = (
        big_b
        * s_sig
        * (
            c2sm
            + big_b
            / 4.0
            * (
                c_sig * (-1.0 + 2.0 * c2sm * c2sm)
                - big_b
                / 6.0
                * c2sm
                * (-3.0 + 4.0 * s_sig * s_sig)
                * (-3.0 + 4.0 * c2sm * c2sm)
            )
        )
    )
    return WGS84_B_M * big_a * (sig - d_sig)


@jit
def geodesic_below(lat1, lon1, lat2, lon2, limit_m):
    """``wgs84_geodesic_m(...) < limit_m``, the geodesic computed only when
    the haversine falls within 1 % of ``limit_m``."""
    d = haversine_m(lat1, lon1, lat2, lon2)
    if d < limit_m * (1.0 - SPHERE_BAND):
        return True
    if d >= limit_m * (1.0 + SPHERE_BAND):
        return False
    return wgs84_geodesic_m(lat1, lon1, lat2, lon2) < limit_m


# ---------------------------------------------------------------------------
# Exact orientation (GEOS decides collinearity exactly, with double-double
# arithmetic; a plain floating-point cross product would keep vertices that
# GEOS drops, and the calipers then go astray on the near-zero widths)
# ---------------------------------------------------------------------------

_LIMB_BITS = 21
_LIMB_MASK = (1 << _LIMB_BITS) - 1


@jit
def _ulp_exponent(c, u):
    """min(u, exponent of the last mantissa bit of c)."""
    if c == 0.0:
        return u
    _, e = math.frexp(c)
    return min(u, e - 53)


@jit
def _limbs(d):
    """Split an integer |d| < 2^62 into d2 * 2^42 + d1 * 2^21 + d0, with
    0 <= d0, d1 < 2^21."""
    d0 = d & _LIMB_MASK
    d = d >> _LIMB_BITS
    d1 = d & _LIMB_MASK
    d2 = d >> _LIMB_BITS
    return d2, d1, d0


@jit
def _exact_orientation(ax, ay, bx, by, cx, cy):
    """Sign of (b - a) x (c - a), exact, or 2 when the coordinates of one
    axis span too many binary orders of magnitude to be scaled to int64."""
    ux = _ulp_exponent(ax, _ulp_exponent(bx, _ulp_exponent(cx, 2000)))
    uy = _ulp_exponent(ay, _ulp_exponent(by, _ulp_exponent(cy, 2000)))
    if ux == 2000:
        ux = 0
    if uy == 2000:
        uy = 0
    sx = math.ldexp(1.0, -ux)
    sy = math.ldexp(1.0, -uy)
    big = 2.0**60
    if max(abs(ax), abs(bx), abs(cx)) * sx >= big:
        return 2
    if max(abs(ay), abs(by), abs(cy)) * sy >= big:
        return 2
    # Every coordinate is an integer multiple of 2^u on its axis: exact
    # integer differences, then the determinant in 21-bit limbs.
    xa = np.int64(ax * sx)
    ya = np.int64(ay * sy)
    p2, p1, p0 = _limbs(np.int64(bx * sx) - xa)
    q2, q1, q0 = _limbs(np.int64(cy * sy) - ya)
    r2, r1, r0 = _limbs(np.int64(by * sy) - ya)
    s2, s1, s0 = _limbs(np.int64(cx * sx) - xa)
    c0 = p0 * q0 - r0 * s0
    c1 = p1 * q0 + p0 * q1 - r1 * s0 - r0 * s1
    c2 = p2 * q0 + p1 * q1 + p0 * q2 - r2 * s0 - r1 * s1 - r0 * s2
    c3 = p2 * q1 + p1 * q2 - r2 * s1 - r1 * s2
    c4 = p2 * q2 - r2 * s2
    # Carry upwards; every lower coefficient ends in [0, 2^21).
    c1 += c0 >> _LIMB_BITS
    c0 &= _LIMB_MASK
    c2 += c1 >> _LIMB_BITS
    c1 &= _LIMB_MASK
    c3 += c2 >> _LIMB_BITS
    c2 &= _LIMB_MASK
    c4 += c3 >> _LIMB_BITS
    c3 &= _LIMB_MASK
    if c4 > 0:
        return 1
    if c4 < 0:
        return -1
    if c3 > 0 or c2 > 0 or c1 > 0 or c0 > 0:
        return 1
    return 0


@jit
def orientation(ax, ay, bx, by, cx, cy):
    """Orientation of c relative to the directed line a -> b, exactly.

    Returns
    -------
    int
        1 if c is to the left (counter-clockwise), -1 if to the right, 0 if
        the three points are collinear.

    Notes
    -----
    A floating-point filter settles all but near-collinear triples; those
    are decided in exact integer arithmetic on the binary coordinates (like
    GEOS's double-double ``Orientation::index``). Only when one axis mixes
    coordinates of very different binary magnitudes (within ~1e-12 of 0
    beside ordinary values) does it fall back to the floating-point sign.
    """
    left = (bx - ax) * (cy - ay)
    right = (by - ay) * (cx - ax)
    det = left - right
    if left > 0.0:
        if right <= 0.0:
            return 1
    elif left < 0.0:
        if right >= 0.0:
            return -1
    else:
        if right < 0.0:
            return 1
        if right > 0.0:
            return -1
        return 0
    if abs(det) > 1e-14 * (abs(left) + abs(right)):
        return 1 if det > 0.0 else -1
    if cx == bx and cy == by:
        # The rectangle's walks test a line's own endpoint at every step.
        return 0
    o = _exact_orientation(ax, ay, bx, by, cx, cy)
    if o != 2:
        return o
    return 1 if det > 0.0 else (-1 if det < 0.0 else 0)


# ---------------------------------------------------------------------------
# GEOS MinimumAreaRectangle over a clockwise ring
# ---------------------------------------------------------------------------
#
# Strict IEEE arithmetic (``jit_strict``), the formulas in GEOS's order: on
# sliver hulls the areas are rounding noise and on symmetric hulls several
# edges give the same area, and GEOS's choice of edge (hence of the measured
# diagonal) is decided by how its operations round. With fast-math
# contraction, 3.4 % of windows of 3-7 equally spaced AIS-grid points gave
# another diagonal than GEOS; with strict arithmetic none of 20,000 do. The
# callers that compute with the rectangle's numbers, down to the stop kernel,
# are strict too: LLVM inlines these helpers, and a fast-math caller would
# contract their arithmetic again. The hull and point-in-hull tests (exact
# orientation predicate) keep the shared fast-math flags, and so does the
# geodesic threshold test: its rounding differs from geopy's by far less than
# a micrometre, which matters only for a distance equal to the limit.


@jit_strict
def _perpendicular_oriented(ax, ay, bx, by, px, py):
    """Distance from p to the line a-b; negative when p is right of a->b.

    A degenerate line (a == b) gives the distance from a.
    """
    if ax == bx and ay == by:
        return math.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    dx = bx - ax
    dy = by - ay
    len2 = dx * dx + dy * dy
    num = (ay - py) * dx - (ax - px) * dy
    dist = abs(num / len2) * math.sqrt(len2)
    if orientation(ax, ay, bx, by, px, py) < 0:
        return -dist
    return dist


@jit_strict
def _oriented_distance(ax, ay, bx, by, px, py, orient):
    d = _perpendicular_oriented(ax, ay, bx, by, px, py)
    if orient == 0:
        return abs(d)
    return d


@jit_strict
def _further_or_equal(d1, d2, orient):
    if orient == 0:
        return abs(d1) >= abs(d2)
    if orient == 1:
        return d1 >= d2
    return d1 <= d2


@jit_strict
def _furthest_vertex(rx, ry, m, ax, ay, bx, by, start, orient):
    """Walk the ring from ``start`` while the (oriented) distance from the
    line a-b does not decrease; the last vertex reached."""
    max_d = _oriented_distance(ax, ay, bx, by, rx[start], ry[start], orient)
    next_d = max_d
    max_i = start
    next_i = start
    while _further_or_equal(next_d, max_d, orient):
        max_d = next_d
        max_i = next_i
        next_i = max_i + 1
        if next_i >= m:
            next_i = 0
        if next_i == start:
            break
        next_d = _oriented_distance(ax, ay, bx, by, rx[next_i], ry[next_i], orient)
    return max_i


@jit_strict
def _line_points(a, b, c):
    """Two points of the line a x + b y = c, chosen as GEOS does."""
    if abs(b) > abs(a):
        return 0.0, c / b, 1.0, c / b - a / b
    return c / a, 0.0, c / a - b / a, 1.0


@jit_strict
def _intersect(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y):
    """Intersection of the lines p1-p2 and q1-q2 (homogeneous coordinates,
    computed relative to the midpoint of the four points for accuracy)."""
    mx = 0.25 * (p1x + p2x + q1x + q2x)
    my = 0.25 * (p1y + p2y + q1y + q2y)
    p1x -= mx
    p2x -= mx
    q1x -= mx
    q2x -= mx
    p1y -= my
    p2y -= my
    q1y -= my
    q2y -= my
    px = p1y - p2y
    py = p2x - p1x
    pw = p1x * p2y - p2x * p1y
    qx = q1y - q2y
    qy = q2x - q1x
    qw = q1x * q2y - q2x * q1y
    x = py * qw - qy * pw
    y = qx * pw - px * qw
    w = px * qy - qx * py
    return x / w + mx, y / w + my


@jit_strict
def _side_line(a, b, px, py):
    """Points of the line through p with normal (a, b) written GEOS's way:
    a y - b x = c, i.e. the line (-b) x + a y = c."""
    return a * py - b * px


@jit_strict
def min_area_rectangle_corners(rx, ry, m):
    """Corners 0 and 2 of GEOS's minimum-area rectangle of a convex ring.

    Parameters
    ----------
    rx, ry : ndarray of float64, shape (>= m,)
        The ring's vertices (x = lon, y = lat, degrees), clockwise, distinct,
        no three collinear, starting at the lowest (then leftmost) vertex;
        not closed (vertex m is vertex 0).
    m : int
        Number of vertices, >= 3.

    Returns
    -------
    x0, y0, x2, y2 : float
        Corner 0 (on the base edge's line, on its right side) and corner 2
        (opposite), degrees.
    """
    min_area = math.inf
    best_base = best_diam = best_left = best_right = -1
    diam_i = 1
    left_i = 1
    right_i = -1
    for i in range(m):
        j = i + 1 if i + 1 < m else 0
        ax = rx[i]
        ay = ry[i]
        bx = rx[j]
        by = ry[j]
        diam_i = _furthest_vertex(rx, ry, m, ax, ay, bx, by, diam_i, 0)
        px = rx[diam_i]
        py = ry[diam_i]
        # Foot of the perpendicular from the diameter vertex on the base line.
        if (px == ax and py == ay) or (px == bx and py == by):
            fx = px
            fy = py
        else:
            dx = bx - ax
            dy = by - ay
            r = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
            fx = ax + r * dx
            fy = ay + r * dy
        left_i = _furthest_vertex(rx, ry, m, fx, fy, px, py, left_i, 1)
        if i == 0:
            right_i = diam_i
        right_i = _furthest_vertex(rx, ry, m, fx, fy, px, py, right_i, -1)
        width = abs(
            _perpendicular_oriented(fx, fy, px, py, rx[left_i], ry[left_i])
        ) + abs(_perpendicular_oriented(fx, fy, px, py, rx[right_i], ry[right_i]))
        length = math.sqrt((px - fx) * (px - fx) + (py - fy) * (py - fy))
        area = length * width
        if area < min_area:
            min_area = area
            best_base = i
            best_diam = diam_i
            best_left = left_i
            best_right = right_i
    i = best_base
    j = i + 1 if i + 1 < m else 0
    dx = rx[j] - rx[i]
    dy = ry[j] - ry[i]
    base_c = _side_line(dx, dy, rx[i], ry[i])
    opp_c = _side_line(dx, dy, rx[best_diam], ry[best_diam])
    left_c = _side_line(-dy, dx, rx[best_left], ry[best_left])
    right_c = _side_line(-dy, dx, rx[best_right], ry[best_right])
    b0x, b0y, b1x, b1y = _line_points(-dy, dx, base_c)
    o0x, o0y, o1x, o1y = _line_points(-dy, dx, opp_c)
    l0x, l0y, l1x, l1y = _line_points(-dx, -dy, left_c)
    r0x, r0y, r1x, r1y = _line_points(-dx, -dy, right_c)
    if rx[best_right] == rx[i] and ry[best_right] == ry[i]:
        x0 = rx[i]
        y0 = ry[i]
    else:
        x0, y0 = _intersect(b0x, b0y, b1x, b1y, r0x, r0y, r1x, r1y)
    if rx[best_left] == rx[best_diam] and ry[best_left] == ry[best_diam]:
        x2 = rx[best_diam]
        y2 = ry[best_diam]
    else:
        x2, y2 = _intersect(o0x, o0y, o1x, o1y, l0x, l0y, l1x, l1y)
    return x0, y0, x2, y2


@jit
def ccw_hull_to_geos_ring(hull, h, xs, ys, rx, ry):
    """Write a counter-clockwise hull (indices into xs, ys) as GEOS's ring.

    Clockwise, starting at the lowest (then leftmost) vertex, into
    ``rx[:h]``, ``ry[:h]``.
    """
    low = 0
    for u in range(1, h):
        v = hull[u]
        w = hull[low]
        if ys[v] < ys[w] or (ys[v] == ys[w] and xs[v] < xs[w]):
            low = u
    for u in range(h):
        v = hull[(low - u) % h]
        rx[u] = xs[v]
        ry[u] = ys[v]
