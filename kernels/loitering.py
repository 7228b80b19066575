"""Loitering runs and MovingPandas-style stops on flat track arrays.

Two detectors of "the vessel stayed in a small area for a long time":

* :func:`loitering_runs` -- slow (by SOG, else implied speed) and within a
  radius of where the slow period began. The coastwatch definition.
* :func:`stop_segments` -- MovingPandas' ``TrajectoryStopDetector`` window
  logic, with the honest diameter (largest great-circle distance between any
  two points of the window) instead of MovingPandas' rotated-rectangle
  diagonal in degrees by default, or with MovingPandas' own test
  (``diameter="movingpandas"``) to reproduce its stops.

Both take rows sorted by (segment, time), delimited by ``offsets``, and
return one entry per event. Rows with a NaN ``lat`` or ``lon`` are skipped
as if absent: they never start, extend, end or break an event, and an
event's first and last rows are always rows with a position.
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, KNOT_M_S, haversine_m
from ._jit import jit, jit_strict
from ._movingpandas import (
    SPHERE_BAND,
    ccw_hull_to_geos_ring,
    geodesic_below,
    min_area_rectangle_corners,
    orientation,
    wgs84_geodesic_m,
)

__all__ = ["loitering_runs", "stop_segments"]


# ---------------------------------------------------------------------------
# Speeds
# ---------------------------------------------------------------------------


@jit
def _implied_speed_kn(t_s, lat, lon, i, j):
    """Speed in knots implied by the positions of rows ``i`` and ``j``."""
    dt = abs(t_s[i] - t_s[j])
    if dt <= 0:
        return np.nan
    return haversine_m(lat[j], lon[j], lat[i], lon[i]) / dt / KNOT_M_S


@jit
def _fallback_speed_kn(t_s, lat, lon, i, prev_row, seg_end):
    """Speed implied by positions, for a row whose SOG is NaN.

    ``prev_row`` is the latest earlier row of the segment with a position and
    a strictly earlier time (-1 if none); without one, the first later row
    with a position and a strictly later time is used. NaN if neither exists.
    Called only on that rare path: helpers taking arrays cost reference
    counting on every call when the compiler does not inline them.
    """
    if prev_row >= 0:
        return _implied_speed_kn(t_s, lat, lon, i, prev_row)
    for k in range(i + 1, seg_end):
        if math.isnan(lat[k]) or math.isnan(lon[k]):
            continue
        if t_s[k] > t_s[i]:
            return _implied_speed_kn(t_s, lat, lon, i, k)
    return np.nan


@jit
def _previous_row(t_s, lat, lon, seg_start, i):
    """Latest row before ``i`` in the segment with a position and t < t[i]."""
    for k in range(i - 1, seg_start - 1, -1):
        if math.isnan(lat[k]) or math.isnan(lon[k]):
            continue
        if t_s[k] < t_s[i]:
            return k
    return -1


@jit
def _wrap_deg(d):
    """Longitude difference wrapped to [-180, 180)."""
    return (d + 540.0) % 360.0 - 180.0


@jit
def _dlon_deg(lon2, lon1):
    """``lon2 - lon1`` in [-180, 180) (no modulo for in-range input)."""
    d = lon2 - lon1
    if d >= 180.0 or d < -180.0:
        d = _wrap_deg(d)
    return d


# ---------------------------------------------------------------------------
# Trig-free bounds on the haversine term
# ---------------------------------------------------------------------------
#
# The great-circle distance d between two points is 2 R asin(sqrt(a)) with
# a = sin^2(dphi / 2) + cos(phi1) cos(phi2) sin^2(dlambda / 2), so d <= r is
# a <= sin^2(r / 2R). With x^2 (1 - x^2 / 3) <= sin^2(x) <= x^2 and cos(phi2)
# within dphi^2 / 2 + |dphi|^3 / 6 of cos(phi1) - sin(phi1) dphi, a is
# bracketed with a few multiplications. A relative margin of 1e-9 absorbs
# rounding; only points whose bracket straddles the threshold fall back to
# the haversine, so every decision equals the haversine comparison.

_MARGIN = 1e-9


@jit
def _hav_bounds(lat1, lon1, sin1, cos1, lat2, lon2):
    """Lower and upper bound of the haversine term ``a`` between two points.

    ``sin1``/``cos1`` are the sine and cosine of ``lat1``. Valid for any
    pair; tight (relative 1e-8) for points a few km apart.
    """
    dphi = math.radians(lat2 - lat1)
    u = 0.5 * dphi
    w = 0.5 * math.radians(_dlon_deg(lon2, lon1))
    u2 = u * u
    w2 = w * w
    ad = abs(dphi)
    c_est = cos1 - sin1 * dphi
    c_err = 0.5 * ad * ad + ad * ad * ad / 6.0
    c_lo = max(c_est - c_err, 0.0)
    c_hi = min(c_est + c_err, 1.0)
    lo = u2 * max(1.0 - u2 / 3.0, 0.0) + cos1 * c_lo * w2 * max(1.0 - w2 / 3.0, 0.0)
    hi = u2 + cos1 * c_hi * w2
    return lo * (1.0 - _MARGIN), hi * (1.0 + _MARGIN)


@jit
def _hav_term_threshold(distance_m):
    """``sin^2(distance / 2R)``: the haversine term at a given distance."""
    s = math.sin(min(0.5 * distance_m / EARTH_RADIUS_M, 0.5 * math.pi))
    return s * s


@jit
def _within(lat1, lon1, sin1, cos1, lat2, lon2, radius_m, a_max):
    """``haversine_m(lat1, lon1, lat2, lon2) <= radius_m``, mostly trig-free."""
    lo, hi = _hav_bounds(lat1, lon1, sin1, cos1, lat2, lon2)
    if hi <= a_max:
        return True
    if lo > a_max:
        return False
    return haversine_m(lat1, lon1, lat2, lon2) <= radius_m


# ---------------------------------------------------------------------------
# Loitering runs
# ---------------------------------------------------------------------------


@jit
def _loiter_segment(
    t_s, lat, lon, sog_kn, a, b, max_speed_kn, max_radius_m, min_duration_s, run_end
):
    """Find the runs of rows ``a:b``; mark ``run_end[start] = end``; count."""
    a_max = _hav_term_threshold(max_radius_m)
    count = 0
    in_run = False
    start = -1
    last = -1
    anchor_lat = 0.0
    anchor_lon = 0.0
    anchor_sin = 0.0
    anchor_cos = 1.0
    last_valid = -1
    prev_row = -1
    for i in range(a, b):
        if math.isnan(lat[i]) or math.isnan(lon[i]):
            continue
        if last_valid >= 0 and t_s[last_valid] < t_s[i]:
            prev_row = last_valid
        last_valid = i
        speed = float(sog_kn[i])
        if math.isnan(speed):
            speed = _fallback_speed_kn(t_s, lat, lon, i, prev_row, b)
        slow = speed < max_speed_kn
        if (
            in_run
            and slow
            and _within(
                anchor_lat,
                anchor_lon,
                anchor_sin,
                anchor_cos,
                lat[i],
                lon[i],
                max_radius_m,
                a_max,
            )
        ):
            last = i
            continue
        if in_run:
            if t_s[last] - t_s[start] >= min_duration_s:
                run_end[start] = last
                count += 1
            in_run = False
        if slow:
            in_run = True
            start = i
            last = i
            anchor_lat = lat[i]
            anchor_lon = lon[i]
            anchor_sin = math.sin(math.radians(anchor_lat))
            anchor_cos = math.cos(math.radians(anchor_lat))
    if in_run and t_s[last] - t_s[start] >= min_duration_s:
        run_end[start] = last
        count += 1
    return count


@jit
def loitering_runs(
    t_s, lat, lon, sog_kn, offsets, max_speed_kn, max_radius_m, min_duration_s
):
    """Periods in which a vessel stays slow within a radius of where it slowed.

    Parameters
    ----------
    t_s : ndarray of int64 (or float64), shape (n,)
        Report times in seconds since 1970-01-01 UTC, non-decreasing within
        each segment.
    lat, lon : ndarray of float64, shape (n,)
        WGS84 position in degrees; NaN where unknown (the row is skipped).
    sog_kn : ndarray of float32 or float64, shape (n,)
        Reported speed over ground in knots; NaN where not available (the
        speed implied from positions is used instead).
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` occupies rows ``offsets[k]:offsets[k + 1]``. Runs never
        cross a segment boundary.
    max_speed_kn : float
        A row is slow when its speed is strictly below this (knots).
    max_radius_m : float
        A run stays within this great-circle distance (metres, inclusive) of
        its anchor, the position of its first row.
    min_duration_s : float
        Shortest run reported (seconds, inclusive): ``t[end] - t[start] >=
        min_duration_s``.

    Returns
    -------
    segment : ndarray of int64, shape (n_runs,)
        Index of the segment (into ``offsets``) holding the run.
    start_row, end_row : ndarray of int64, shape (n_runs,)
        First and last row of the run (both inclusive, both with positions).
    duration_s : ndarray of float64, shape (n_runs,)
        ``t[end_row] - t[start_row]`` in seconds.
    mean_speed_kn : ndarray of float64, shape (n_runs,)
        Arithmetic mean of the row speeds (SOG, else implied) of the run's
        rows with a position, knots.
    max_distance_m : ndarray of float64, shape (n_runs,)
        Largest distance of a run row from the anchor, metres.
    centroid_lat, centroid_lon : ndarray of float64, shape (n_runs,)
        Mean position of the run's rows in degrees (longitudes averaged as
        offsets from the anchor, so runs across the antimeridian work);
        longitude in [-180, 180).
    n_points : ndarray of int64, shape (n_runs,)
        Run rows with a position.

    Notes
    -----
    Definition, applied per segment to the rows that have a position (rows
    with NaN ``lat`` or ``lon`` are skipped as if absent):

    * Row speed: ``sog_kn`` if not NaN; else the great-circle distance from
      the previous row with a strictly earlier time, divided by the time
      between them; for the first time of a segment, the next row with a
      strictly later time is used instead. No such row: speed unknown, which
      is never slow.
    * Scanning in time order, a row extends the current run when it is slow
      and within ``max_radius_m`` of the anchor. Any other row ends the run
      (its last row is the previous row with a position) and, if slow itself,
      starts a new run anchored on its own position. So a vessel that drifts
      out of the radius ends one run and begins the next; a fast row ends the
      run and starts nothing.
    * A run is reported when ``t[end_row] - t[start_row] >= min_duration_s``.

    Runs that span midnight or several days are found whole. Port and
    anchorage exclusion is the caller's job (use the centroid). No input
    validation; serial and ``nogil``, so callers may run it on several
    threads at once. Two passes: detection marks each run's end at its start
    row (one int64 per row), then the statistics are computed over run rows
    only. O(n) time, O(n) extra memory.
    """
    n = t_s.shape[0]
    run_end = np.full(n, -1, dtype=np.int64)
    n_seg = offsets.shape[0] - 1
    total = 0
    for k in range(n_seg):
        total += _loiter_segment(
            t_s,
            lat,
            lon,
            sog_kn,
            offsets[k],
            offsets[k + 1],
            max_speed_kn,
            max_radius_m,
            min_duration_s,
            run_end,
        )
    segment = np.empty(total, dtype=np.int64)
    start_row = np.empty(total, dtype=np.int64)
    end_row = np.empty(total, dtype=np.int64)
    duration_s = np.empty(total, dtype=np.float64)
    mean_speed_kn = np.empty(total, dtype=np.float64)
    max_distance_m = np.empty(total, dtype=np.float64)
    centroid_lat = np.empty(total, dtype=np.float64)
    centroid_lon = np.empty(total, dtype=np.float64)
    n_points = np.empty(total, dtype=np.int64)
    out = 0
    for k in range(n_seg):
        a = offsets[k]
        b = offsets[k + 1]
        for s in range(a, b):
            e = run_end[s]
            if e < 0:
                continue
            prev_row = _previous_row(t_s, lat, lon, a, s)
            alat = lat[s]
            alon = lon[s]
            asin = math.sin(math.radians(alat))
            acos = math.cos(math.radians(alat))
            speed_sum = 0.0
            lat_sum = 0.0
            dlon_sum = 0.0
            best_lo = 0.0
            m = 0
            last_valid = -1
            for i in range(s, e + 1):
                if math.isnan(lat[i]) or math.isnan(lon[i]):
                    continue
                if last_valid >= 0 and t_s[last_valid] < t_s[i]:
                    prev_row = last_valid
                last_valid = i
                speed = float(sog_kn[i])
                if math.isnan(speed):
                    speed = _fallback_speed_kn(t_s, lat, lon, i, prev_row, b)
                speed_sum += speed
                lo, _ = _hav_bounds(alat, alon, asin, acos, lat[i], lon[i])
                best_lo = max(best_lo, lo)
                lat_sum += lat[i]
                dlon_sum += _dlon_deg(lon[i], alon)
                m += 1
            # The farthest row is among those whose upper bound reaches the
            # largest lower bound; usually one or two haversines.
            dist_max = 0.0
            for i in range(s, e + 1):
                if math.isnan(lat[i]) or math.isnan(lon[i]):
                    continue
                _, hi = _hav_bounds(alat, alon, asin, acos, lat[i], lon[i])
                if hi >= best_lo:
                    dist_max = max(dist_max, haversine_m(alat, alon, lat[i], lon[i]))
            segment[out] = k
            start_row[out] = s
            end_row[out] = e
            duration_s[out] = t_s[e] - t_s[s]
            mean_speed_kn[out] = speed_sum / m
            max_distance_m[out] = dist_max
            centroid_lat[out] = lat_sum / m
            centroid_lon[out] = _wrap_deg(alon + dlon_sum / m)
            n_points[out] = m
            out += 1
    return (
        segment,
        start_row,
        end_row,
        duration_s,
        mean_speed_kn,
        max_distance_m,
        centroid_lat,
        centroid_lon,
        n_points,
    )


# ---------------------------------------------------------------------------
# Convex hull in the tangent plane (for exact great-circle diameters)
# ---------------------------------------------------------------------------


@jit
def _cross(ox, oy, ax, ay, bx, by):
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


@jit
def _sort_xy(keys, xs, ys, m):
    """Sort ``keys[:m]`` (indices into xs/ys) by (x, y), in place."""
    if m > 32:
        order = np.argsort(xs[keys[:m]])
        keys[:m] = keys[:m][order]
        # argsort ignores y: fix runs of equal x by insertion sort on y.
        i = 0
        while i < m:
            j = i + 1
            while j < m and xs[keys[j]] == xs[keys[i]]:
                j += 1
            for u in range(i + 1, j):
                v = keys[u]
                w = u - 1
                while w >= i and ys[keys[w]] > ys[v]:
                    keys[w + 1] = keys[w]
                    w -= 1
                keys[w + 1] = v
            i = j
    else:
        for u in range(1, m):
            v = keys[u]
            w = u - 1
            while w >= 0 and (
                xs[keys[w]] > xs[v] or (xs[keys[w]] == xs[v] and ys[keys[w]] > ys[v])
            ):
                keys[w + 1] = keys[w]
                w -= 1
            keys[w + 1] = v


@jit
def _hull(keys, m, xs, ys, hull):
    """Andrew's monotone chain over ``keys[:m]``; writes CCW vertex keys.

    ``keys`` is sorted in place. Returns the number of hull vertices (1 for a
    single distinct point, 2 for collinear points). ``hull`` needs 2 m + 1
    slots.
    """
    _sort_xy(keys, xs, ys, m)
    if m == 1:
        hull[0] = keys[0]
        return 1
    h = 0
    for u in range(m):
        p = keys[u]
        while h >= 2 and (
            _cross(
                xs[hull[h - 2]],
                ys[hull[h - 2]],
                xs[hull[h - 1]],
                ys[hull[h - 1]],
                xs[p],
                ys[p],
            )
            <= 0.0
        ):
            h -= 1
        hull[h] = p
        h += 1
    lower = h + 1
    for u in range(m - 2, -1, -1):
        p = keys[u]
        while h >= lower and (
            _cross(
                xs[hull[h - 2]],
                ys[hull[h - 2]],
                xs[hull[h - 1]],
                ys[hull[h - 1]],
                xs[p],
                ys[p],
            )
            <= 0.0
        ):
            h -= 1
        hull[h] = p
        h += 1
    return max(h - 1, 1)


@jit
def _strictly_inside(hull, h, xs, ys, p):
    """True when point ``p`` is strictly inside the CCW hull."""
    if h < 3:
        return False
    for u in range(h):
        a = hull[u]
        b = hull[u + 1] if u + 1 < h else hull[0]
        if _cross(xs[a], ys[a], xs[b], ys[b], xs[p], ys[p]) <= 0.0:
            return False
    return True


@jit
def _chord2(xs, ys, zs, p, q):
    dx = xs[p] - xs[q]
    dy = ys[p] - ys[q]
    dz = zs[p] - zs[q]
    return dx * dx + dy * dy + dz * dz


# ---------------------------------------------------------------------------
# Stop segments (MovingPandas window logic, honest diameter)
# ---------------------------------------------------------------------------


@jit
def _chord_at_least(c2, lat1, lon1, lat2, lon2, max_diameter_m, c2_lo, c2_hi):
    """``haversine_m(...) >= max_diameter_m``, from the squared chord ``c2``
    (metres^2) unless it falls in the band [c2_lo, c2_hi) around the
    threshold."""
    if c2 >= c2_hi:
        return True
    if c2 < c2_lo:
        return False
    return haversine_m(lat1, lon1, lat2, lon2) >= max_diameter_m


@jit
def _ecef_m(lat, lon):
    """Earth-centred Cartesian coordinates (metres) on the sphere of radius R.

    The Euclidean distance between two such points is the chord
    ``2 R sin(d / 2R)``, increasing with the great-circle distance d.
    """
    p = math.radians(lat)
    l = math.radians(lon)
    c = EARTH_RADIUS_M * math.cos(p)
    return c * math.cos(l), c * math.sin(l), EARTH_RADIUS_M * math.sin(p)


@jit
def _hull_summary(hull, h, ex, ey, ez, xs, ys):
    """Bounding ball (3-D) and inscribed disc (tangent plane) of a hull.

    Every window point lies within ``r_out`` of ``(cx, cy, cz)`` (the hull's
    vertices do, and the farthest window point from any point is a vertex);
    every point of the plane within ``r_in`` of ``(qx, qy)`` is inside the
    hull (``r_in`` is 0 when the hull is a point or a segment).
    """
    cx = cy = cz = qx = qy = 0.0
    for u in range(h):
        v = hull[u]
        cx += ex[v]
        cy += ey[v]
        cz += ez[v]
        qx += xs[v]
        qy += ys[v]
    cx /= h
    cy /= h
    cz /= h
    qx /= h
    qy /= h
    r_out = 0.0
    for u in range(h):
        v = hull[u]
        dx = ex[v] - cx
        dy = ey[v] - cy
        dz = ez[v] - cz
        r_out = max(r_out, math.sqrt(dx * dx + dy * dy + dz * dz))
    r_in = 0.0
    if h >= 3:
        r_in = np.inf
        for u in range(h):
            p = hull[u]
            q = hull[u + 1] if u + 1 < h else hull[0]
            dx = xs[q] - xs[p]
            dy = ys[q] - ys[p]
            length = math.sqrt(dx * dx + dy * dy)
            if length == 0.0:
                r_in = 0.0
                break
            r_in = min(r_in, _cross(xs[p], ys[p], xs[q], ys[q], qx, qy) / length)
        r_in = max(r_in, 0.0)
    return cx, cy, cz, r_out, qx, qy, r_in


@jit
def _hull_widest_pair(hull, h, ex, ey, ez):
    """The two hull vertices farthest apart (largest chord)."""
    best = -1.0
    bp = hull[0]
    bq = hull[0]
    for u in range(h):
        for v in range(u + 1, h):
            c2 = _chord2(ex, ey, ez, hull[u], hull[v])
            if c2 > best:
                best = c2
                bp = hull[u]
                bq = hull[v]
    return bp, bq


@jit
def _stop_segment(
    t_s, lat, lon, a, b, max_diameter_m, min_duration_s, stop_end, stop_diam, wi, wf
):
    """MovingPandas stop windows over rows ``a:b``; count the stops.

    Marks ``stop_end[start] = end`` and ``stop_diam[start] = diameter`` per
    stop. ``wi`` (int64, 4 x max(2P + 2, 640)) and ``wf`` (float64, 6 x 2P)
    are scratch buffers, P being a power of two >= the segment's length,
    allocated once by the caller. Local index j stands for row a + j.
    """
    n_rows = b - a
    st = t_s[a:b]
    slat = lat[a:b]
    slon = lon[a:b]
    keys = wi[0]
    hull = wi[1]
    rep = wi[2]
    ex = wf[0]
    ey = wf[1]
    ez = wf[2]
    xs = wf[3]
    ys = wf[4]
    radius = wf[5]
    a_max = _hav_term_threshold(max_diameter_m)
    chord = 2.0 * EARTH_RADIUS_M * math.sqrt(a_max)
    # Earth-centred coordinates carry ~1e-9 m of rounding: besides the
    # relative margin, chords within a micrometre of the threshold go to the
    # haversine too.
    chord_lo = max(chord * (1.0 - _MARGIN) - 1e-6, 0.0)
    chord_hi = chord * (1.0 + _MARGIN) + 1e-6
    c2_lo = chord_lo * chord_lo
    c2_hi = chord_hi * chord_hi
    # Ball tree over the segment's points in index order (an implicit
    # binary heap; node i covers a power-of-two run of indices): each node
    # holds one of its points and a radius bounding the chord from it to
    # all the others. Rows without a position are empty leaves.
    leaves = 1
    while leaves < n_rows:
        leaves *= 2
    for j in range(leaves):
        node = leaves + j
        if j < n_rows and not (math.isnan(slat[j]) or math.isnan(slon[j])):
            x, y, z = _ecef_m(slat[j], slon[j])
            ex[j] = x
            ey[j] = y
            ez[j] = z
            rep[node] = j
            radius[node] = 0.0
        else:
            rep[node] = -1
            radius[node] = -1.0
    for node in range(leaves - 1, 0, -1):
        left = rep[2 * node]
        right = rep[2 * node + 1]
        if left < 0:
            rep[node] = right
            radius[node] = radius[2 * node + 1]
        elif right < 0:
            rep[node] = left
            radius[node] = radius[2 * node]
        else:
            rep[node] = left
            radius[node] = max(
                radius[2 * node],
                math.sqrt(_chord2(ex, ey, ez, left, right)) + radius[2 * node + 1],
            )
    # Range decomposition and depth-first stack, (node, level) pairs.
    canon = wi[3, :256]
    canon_left = wi[3, 256:384]
    stack = wi[3, 384:640]
    # Hull of the window while stopped, in the tangent plane at its first
    # point (east and north unit vectors), with its bounding ball and disc.
    h = 0
    east_x = east_y = north_x = north_y = north_z = 0.0
    cx = cy = cz = r_out = qx = qy = r_in = 0.0
    # The newest window point with a newer window point at least
    # max_diameter_m away; the window is too wide exactly when wide >= lo.
    wide = -1
    count = 0
    lo = -1
    n_win = 0
    prev = -1
    is_stopped = False
    for k in range(n_rows):
        if math.isnan(slat[k]) or math.isnan(slon[k]):
            continue
        if lo < 0:
            lo = k
        n_win += 1
        previously_stopped = is_stopped
        if not previously_stopped:
            while n_win > 2 and st[k] - st[lo] >= min_duration_s:
                lo += 1
                while math.isnan(slat[lo]) or math.isnan(slon[lo]):
                    lo += 1
                n_win -= 1
        is_stopped = False
        if n_win > 1:
            query_from = -1
            if previously_stopped:
                # Growing window: the farthest window point from the new one
                # is a hull vertex (see Notes of stop_segments); the bounding
                # ball usually shows that none is too far.
                dx = ex[k] - cx
                dy = ey[k] - cy
                dz = ez[k] - cz
                fits = True
                if math.sqrt(dx * dx + dy * dy + dz * dz) + r_out >= chord_lo:
                    for u in range(h):
                        v = hull[u]
                        if _chord_at_least(
                            _chord2(ex, ey, ez, k, v),
                            slat[k],
                            slon[k],
                            slat[v],
                            slon[v],
                            max_diameter_m,
                            c2_lo,
                            c2_hi,
                        ):
                            fits = False
                            break
                if fits:
                    is_stopped = True
                    x = east_x * ex[k] + east_y * ey[k]
                    y = north_x * ex[k] + north_y * ey[k] + north_z * ez[k]
                    xs[k] = x
                    ys[k] = y
                    dx = x - qx
                    dy = y - qy
                    if dx * dx + dy * dy >= r_in * r_in * (
                        1.0 - _MARGIN
                    ) and not _strictly_inside(hull, h, xs, ys, k):
                        for u in range(h):
                            keys[u] = hull[u]
                        keys[h] = k
                        h = _hull(keys, h + 1, xs, ys, hull)
                        cx, cy, cz, r_out, qx, qy, r_in = _hull_summary(
                            hull, h, ex, ey, ez, xs, ys
                        )
                else:
                    # If the stop is too short the window is kept; no pair
                    # before k was too far apart, so the newest wide point
                    # is the newest point far from k.
                    wide = lo - 1
                    query_from = lo
            else:
                # Sliding window: points after `wide` are pairwise closer
                # than max_diameter_m, so the newest wide point is either
                # `wide` or the newest of them far from k.
                query_from = max(wide + 1, lo)
            if 0 <= query_from < k:
                # Rightmost u in [query_from, k) with chord(u, k) at least
                # the threshold. The range splits into O(log) tree nodes,
                # visited right to left; a node entirely within reach of k
                # is skipped, one entirely out of reach gives its last index,
                # others are searched depth first, right child first.
                n_right = 0
                n_left = 0
                lnode = query_from + leaves
                rnode = k + leaves
                level = 0
                while lnode < rnode:
                    if rnode & 1:
                        rnode -= 1
                        canon[n_right] = rnode
                        canon[n_right + 1] = level
                        n_right += 2
                    if lnode & 1:
                        canon_left[n_left] = lnode
                        canon_left[n_left + 1] = level
                        n_left += 2
                        lnode += 1
                    lnode >>= 1
                    rnode >>= 1
                    level += 1
                for u in range(n_left - 2, -1, -2):
                    canon[n_right] = canon_left[u]
                    canon[n_right + 1] = canon_left[u + 1]
                    n_right += 2
                found = False
                for u in range(0, n_right, 2):
                    stack[0] = canon[u]
                    stack[1] = canon[u + 1]
                    sp = 1
                    while sp > 0:
                        sp -= 1
                        node = stack[2 * sp]
                        level = stack[2 * sp + 1]
                        r = radius[node]
                        if r < 0.0:
                            continue
                        c = rep[node]
                        dx = ex[k] - ex[c]
                        dy = ey[k] - ey[c]
                        dz = ez[k] - ez[c]
                        d = math.sqrt(dx * dx + dy * dy + dz * dz)
                        if d + r < chord_lo:
                            continue
                        if level == 0:
                            if _chord_at_least(
                                d * d,
                                slat[k],
                                slon[k],
                                slat[c],
                                slon[c],
                                max_diameter_m,
                                c2_lo,
                                c2_hi,
                            ):
                                wide = c
                                found = True
                                break
                            continue
                        if d - r >= chord_hi:
                            # Every point of the node is out of reach; its
                            # rightmost point is the answer.
                            while level > 0:
                                node = 2 * node + (
                                    1 if radius[2 * node + 1] >= 0.0 else 0
                                )
                                level -= 1
                            wide = rep[node]
                            found = True
                            break
                        stack[2 * sp] = 2 * node
                        stack[2 * sp + 1] = level - 1
                        stack[2 * sp + 2] = 2 * node + 1
                        stack[2 * sp + 3] = level - 1
                        sp += 2
                    if found:
                        break
            if not previously_stopped and wide < lo:
                # The window fits: build its hull for the growing phase.
                rp = math.radians(slat[lo])
                rl = math.radians(slon[lo])
                east_x = -math.sin(rl)
                east_y = math.cos(rl)
                north_x = -math.sin(rp) * math.cos(rl)
                north_y = -math.sin(rp) * math.sin(rl)
                north_z = math.cos(rp)
                m = 0
                for u in range(lo, k + 1):
                    if math.isnan(slat[u]) or math.isnan(slon[u]):
                        continue
                    xs[u] = east_x * ex[u] + east_y * ey[u]
                    ys[u] = north_x * ex[u] + north_y * ey[u] + north_z * ez[u]
                    keys[m] = u
                    m += 1
                h = _hull(keys, m, xs, ys, hull)
                cx, cy, cz, r_out, qx, qy, r_in = _hull_summary(
                    hull, h, ex, ey, ez, xs, ys
                )
                is_stopped = True
        if (
            not is_stopped
            and previously_stopped
            and n_win > 1
            and st[prev] - st[lo] >= min_duration_s
        ):
            # The hull still holds exactly the stop's points (the breaking
            # point was not added).
            p, q = _hull_widest_pair(hull, h, ex, ey, ez)
            stop_end[a + lo] = a + prev
            stop_diam[a + lo] = haversine_m(slat[p], slon[p], slat[q], slon[q])
            count += 1
            # Restart the window at the breaking point.
            lo = k
            n_win = 1
            wide = -1
        prev = k
    if is_stopped and st[prev] - st[lo] >= min_duration_s:
        p, q = _hull_widest_pair(hull, h, ex, ey, ez)
        stop_end[a + lo] = a + prev
        stop_diam[a + lo] = haversine_m(slat[p], slon[p], slat[q], slon[q])
        count += 1
    return count


# ---------------------------------------------------------------------------
# Stop segments with MovingPandas' own criterion
# ---------------------------------------------------------------------------


@jit
def _inside_or_on(hull, h, xs, ys, p):
    """True when point ``p`` is inside the CCW hull or on its boundary."""
    for u in range(h):
        a = hull[u]
        b = hull[u + 1] if u + 1 < h else hull[0]
        if orientation(xs[a], ys[a], xs[b], ys[b], xs[p], ys[p]) < 0:
            return False
    return True


@jit
def _exact_hull(keys, m, xs, ys, hull):
    """Distinct hull vertices of ``keys[:m]``, counter-clockwise, collinear
    points dropped by the exact :func:`orientation` (as GEOS drops them).

    Andrew's monotone chain; ``keys`` is sorted in place, ``hull`` needs
    2 m + 1 slots. Returns the vertex count: 1 when all points coincide, 2
    (the extreme points) when they are collinear.

    The chain is :func:`_hull`'s with another turn test. One chain choosing
    its test by a runtime flag made the MovingPandas mode 40 % slower and
    the honest one 15 % (the flag keeps Numba from inlining either test);
    one taking the test as a jitted-function argument is not cached by
    Numba (its dispatcher-typed signature misses the cache in every new
    process), so each run would compile it again.
    """
    _sort_xy(keys, xs, ys, m)
    # Repeated points would come back as repeated vertices.
    n = 1
    for u in range(1, m):
        if xs[keys[u]] != xs[keys[n - 1]] or ys[keys[u]] != ys[keys[n - 1]]:
            keys[n] = keys[u]
            n += 1
    if n == 1:
        hull[0] = keys[0]
        return 1
    h = 0
    for u in range(n):
        p = keys[u]
        while h >= 2 and (
            orientation(
                xs[hull[h - 2]],
                ys[hull[h - 2]],
                xs[hull[h - 1]],
                ys[hull[h - 1]],
                xs[p],
                ys[p],
            )
            <= 0
        ):
            h -= 1
        hull[h] = p
        h += 1
    lower = h + 1
    for u in range(n - 2, -1, -1):
        p = keys[u]
        while h >= lower and (
            orientation(
                xs[hull[h - 2]],
                ys[hull[h - 2]],
                xs[hull[h - 1]],
                ys[hull[h - 1]],
                xs[p],
                ys[p],
            )
            <= 0
        ):
            h -= 1
        hull[h] = p
        h += 1
    return h - 1


# Slack on the bound below: covers the corners' and the haversine's rounding
# (both relative errors far below 1e-9) many times over.
_SURE_FIT_SLACK = 0.98


@jit
def _rectangle_surely_fits(hull, h, lon, lat, max_diameter_m):
    """True when the hull is so small that, whichever base edge and extreme
    vertices the rectangle fitting picks, :func:`geodesic_below` on its
    corners 0 and 2 returns True through its haversine branch.

    Corner 0 is the foot of a hull vertex R on the line through a vertex
    V with the base direction d, corner 2 the foot of a vertex L on the
    parallel line through a vertex P. In the frame of d and its normal n
    they are (R.d, V.n) and (L.d, P.n), so they lie at most sqrt(2) D apart,
    D being the largest distance between two hull vertices (degrees). Their
    great-circle distance is at most the length on the sphere of the straight
    segment joining them in the (lon, lat) plane, the integral of
    R_E sqrt(dlat^2 + cos^2(lat) dlon^2) <= R_E |c0 - c2| (radians), hence at
    most sqrt(2) R_E D. Below 0.98 times the haversine branch's threshold
    (0.99 x the limit), the decision is True whatever the rounding. Edges
    too short for their squares to stay normal floats, and latitudes near
    the poles, are left to the full test.
    """
    d2 = 0.0
    for u in range(h):
        p = hull[u]
        if abs(lat[p]) > 89.0:
            return False
        q = hull[u + 1] if u + 1 < h else hull[0]
        ex = lon[q] - lon[p]
        ey = lat[q] - lat[p]
        if ex * ex + ey * ey < 1e-200:
            return False
        for v in range(u + 1, h):
            q = hull[v]
            dx = lon[q] - lon[p]
            dy = lat[q] - lat[p]
            d2 = max(d2, dx * dx + dy * dy)
    bound_m = EARTH_RADIUS_M * math.radians(math.sqrt(2.0 * d2))
    return bound_m < _SURE_FIT_SLACK * (1.0 - SPHERE_BAND) * max_diameter_m


@jit_strict
def _movingpandas_fits(hull, h, lon, lat, rx, ry, max_diameter_m):
    """MovingPandas' test on a window whose lon/lat hull is ``hull[:h]``
    (counter-clockwise, as :func:`_hull` writes it).

    One or two hull vertices (one point, two points, collinear points): the
    geodesic between the extreme points. Otherwise the geodesic between
    corners 0 and 2 of GEOS's minimum-area rectangle.
    """
    if h <= 2:
        p = hull[0]
        q = hull[h - 1]
        return geodesic_below(lat[p], lon[p], lat[q], lon[q], max_diameter_m)
    if _rectangle_surely_fits(hull, h, lon, lat, max_diameter_m):
        return True
    ccw_hull_to_geos_ring(hull, h, lon, lat, rx, ry)
    x0, y0, x2, y2 = min_area_rectangle_corners(rx, ry, h)
    return geodesic_below(y0, x0, y2, x2, max_diameter_m)


@jit_strict
def movingpandas_window_measures(lat, lon):
    """MovingPandas' two numbers for one window of points (all of them).

    Parameters
    ----------
    lat, lon : ndarray of float64, shape (n,)
        Positions in degrees, n >= 1, no NaN.

    Returns
    -------
    corner_m : float
        WGS84 geodesic between the bounding-box corners (min lat, min lon)
        and (max lat, max lon), metres; the window can fit only when this is
        below 1.5 x the maximum diameter.
    diagonal_m : float
        WGS84 geodesic between corners 0 and 2 of GEOS's minimum-area
        rectangle fitted in degrees (between the extreme points for one, two
        or collinear points), metres; the window fits when this is below the
        maximum diameter.
    """
    n = lat.shape[0]
    keys = np.arange(n)
    hull = np.empty(2 * n + 1, dtype=np.int64)
    rx = np.empty(n + 1, dtype=np.float64)
    ry = np.empty(n + 1, dtype=np.float64)
    corner = wgs84_geodesic_m(lat.min(), lon.min(), lat.max(), lon.max())
    h = _exact_hull(keys, n, lon, lat, hull)
    if h <= 2:
        p = hull[0]
        q = hull[h - 1]
        return corner, wgs84_geodesic_m(lat[p], lon[p], lat[q], lon[q])
    ccw_hull_to_geos_ring(hull, h, lon, lat, rx, ry)
    x0, y0, x2, y2 = min_area_rectangle_corners(rx, ry, h)
    return corner, wgs84_geodesic_m(y0, x0, y2, x2)


@jit
def _true_diameter_m(slat, slon, s, e, keys, hull, ex, ey, ez, xs, ys):
    """Largest great-circle distance between the rows ``s..e`` with a
    position (row ``s`` has one), metres."""
    rp = math.radians(slat[s])
    rl = math.radians(slon[s])
    east_x = -math.sin(rl)
    east_y = math.cos(rl)
    north_x = -math.sin(rp) * math.cos(rl)
    north_y = -math.sin(rp) * math.sin(rl)
    north_z = math.cos(rp)
    m = 0
    for u in range(s, e + 1):
        if math.isnan(slat[u]) or math.isnan(slon[u]):
            continue
        x, y, z = _ecef_m(slat[u], slon[u])
        ex[u] = x
        ey[u] = y
        ez[u] = z
        xs[u] = east_x * x + east_y * y
        ys[u] = north_x * x + north_y * y + north_z * z
        keys[m] = u
        m += 1
    h = _hull(keys, m, xs, ys, hull)
    p, q = _hull_widest_pair(hull, h, ex, ey, ez)
    return haversine_m(slat[p], slon[p], slat[q], slon[q])


@jit
def _push_extreme(queue, head, tail, values, k, keep_min):
    """Monotone queue step for a sliding minimum (or maximum): drop the
    newest entries that ``k`` supersedes, append ``k``; returns the tail."""
    while tail > head and (
        values[queue[tail - 1]] >= values[k]
        if keep_min
        else values[queue[tail - 1]] <= values[k]
    ):
        tail -= 1
    queue[tail] = k
    return tail + 1


@jit_strict
def _stop_segment_movingpandas(
    t_s, lat, lon, a, b, max_diameter_m, min_duration_s, stop_end, stop_diam, wi, wf
):
    """:func:`_stop_segment` with MovingPandas' criterion; count the stops.

    ``wi`` (int64, 6 x (2L + 2)) and ``wf`` (float64, 7 x (L + 1)) are
    scratch buffers, L being at least the segment's length.
    """
    n_rows = b - a
    st = t_s[a:b]
    slat = lat[a:b]
    slon = lon[a:b]
    keys = wi[0]
    hull = wi[1]
    q_lat_lo = wi[2]
    q_lat_hi = wi[3]
    q_lon_lo = wi[4]
    q_lon_hi = wi[5]
    ex = wf[0]
    ey = wf[1]
    ez = wf[2]
    xs = wf[3]
    ys = wf[4]
    rx = wf[5]
    ry = wf[6]
    corner_limit = 1.5 * max_diameter_m
    # Sliding minima and maxima of lat and lon over the window (monotone
    # queues of row indices, head..tail).
    h1 = t1 = h2 = t2 = h3 = t3 = h4 = t4 = 0
    # Lon/lat hull of the rows lo_h..prev for some lo_h <= lo, when hull_ok.
    h = 0
    hull_ok = False
    count = 0
    lo = -1
    n_win = 0
    prev = -1
    is_stopped = False
    for k in range(n_rows):
        if math.isnan(slat[k]) or math.isnan(slon[k]):
            continue
        if lo < 0:
            lo = k
        n_win += 1
        previously_stopped = is_stopped
        if not previously_stopped:
            while n_win > 2 and st[k] - st[lo] >= min_duration_s:
                lo += 1
                while math.isnan(slat[lo]) or math.isnan(slon[lo]):
                    lo += 1
                n_win -= 1
        t1 = _push_extreme(q_lat_lo, h1, t1, slat, k, True)
        t2 = _push_extreme(q_lat_hi, h2, t2, slat, k, False)
        t3 = _push_extreme(q_lon_lo, h3, t3, slon, k, True)
        t4 = _push_extreme(q_lon_hi, h4, t4, slon, k, False)
        while q_lat_lo[h1] < lo:
            h1 += 1
        while q_lat_hi[h2] < lo:
            h2 += 1
        while q_lon_lo[h3] < lo:
            h3 += 1
        while q_lon_hi[h4] < lo:
            h4 += 1
        is_stopped = False
        if n_win > 1:
            if previously_stopped and h >= 3 and _inside_or_on(hull, h, slon, slat, k):
                # Same hull ring, same bounding box: same decision.
                is_stopped = True
            elif geodesic_below(
                slat[q_lat_lo[h1]],
                slon[q_lon_lo[h3]],
                slat[q_lat_hi[h2]],
                slon[q_lon_hi[h4]],
                corner_limit,
            ):
                # The hull of the rows lo_h..prev, lo_h <= lo, is that of
                # lo..prev as long as the rows left behind hold none of its
                # vertices; then only row k is new.
                oldest = -1
                if hull_ok:
                    oldest = n_rows
                    for u in range(h):
                        oldest = min(oldest, hull[u])
                if oldest >= lo:
                    for u in range(h):
                        keys[u] = hull[u]
                    keys[h] = k
                    m = h + 1
                else:
                    m = 0
                    for u in range(lo, k + 1):
                        if math.isnan(slat[u]) or math.isnan(slon[u]):
                            continue
                        keys[m] = u
                        m += 1
                h = _exact_hull(keys, m, slon, slat, hull)
                hull_ok = True
                is_stopped = _movingpandas_fits(
                    hull, h, slon, slat, rx, ry, max_diameter_m
                )
            else:
                hull_ok = False
        if (
            not is_stopped
            and previously_stopped
            and n_win > 1
            and st[prev] - st[lo] >= min_duration_s
        ):
            stop_end[a + lo] = a + prev
            stop_diam[a + lo] = _true_diameter_m(
                slat, slon, lo, prev, keys, hull, ex, ey, ez, xs, ys
            )
            count += 1
            lo = k
            n_win = 1
            # The diameter used hull and keys as scratch.
            hull_ok = False
        prev = k
    if is_stopped and st[prev] - st[lo] >= min_duration_s:
        stop_end[a + lo] = a + prev
        stop_diam[a + lo] = _true_diameter_m(
            slat, slon, lo, prev, keys, hull, ex, ey, ez, xs, ys
        )
        count += 1
    return count


@jit_strict
def _stop_segments_movingpandas(t_s, lat, lon, offsets, max_diameter_m, min_duration_s):
    """:func:`stop_segments` with ``diameter="movingpandas"``."""
    n = t_s.shape[0]
    stop_end = np.full(n, -1, dtype=np.int64)
    stop_diam = np.empty(n, dtype=np.float64)
    n_seg = offsets.shape[0] - 1
    longest = 0
    for k in range(n_seg):
        longest = max(longest, offsets[k + 1] - offsets[k])
    wi = np.empty((6, 2 * longest + 2), dtype=np.int64)
    wf = np.empty((7, longest + 1), dtype=np.float64)
    total = 0
    for k in range(n_seg):
        total += _stop_segment_movingpandas(
            t_s,
            lat,
            lon,
            offsets[k],
            offsets[k + 1],
            max_diameter_m,
            min_duration_s,
            stop_end,
            stop_diam,
            wi,
            wf,
        )
    return _collect_stops(t_s, lat, lon, offsets, stop_end, stop_diam, total)


STOP_DIAMETERS = ("true", "movingpandas")


def stop_segments(
    t_s, lat, lon, offsets, max_diameter_m, min_duration_s, diameter="true"
):
    """Stops found with MovingPandas' window logic, honest or its own test.

    Runs the window logic of ``movingpandas.TrajectoryStopDetector(traj)
    .get_stop_segments(max_diameter, min_duration)``. By default a window
    fits when the largest great-circle distance between any two of its
    points is below ``max_diameter_m`` (an honest diameter), where
    MovingPandas measures one diagonal of a minimum-area rectangle fitted in
    degrees; ``diameter="movingpandas"`` applies MovingPandas' own test and
    reproduces its stops row for row.

    Parameters
    ----------
    t_s : ndarray of int64 (or float64), shape (n,)
        Report times, non-decreasing within each segment. Only differences
        are compared with ``min_duration_s``, so any unit works if both are
        in it (seconds by convention; nanoseconds for sub-second data).
    lat, lon : ndarray of float64, shape (n,)
        WGS84 position in degrees; rows with NaN are skipped as if absent.
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    max_diameter_m : float
        A window fits when its diameter is strictly below this (metres).
        Must be well below half the Earth's circumference (see Notes).
    min_duration_s : float
        Shortest stop (inclusive), in the unit of ``t_s``.
    diameter : {"true", "movingpandas"}, default "true"
        What "fits within ``max_diameter_m``" means:

        * ``"true"``: the largest great-circle distance (sphere of radius
          6,371,008.8 m) between two points of the window is
          ``< max_diameter_m``.
        * ``"movingpandas"``: MovingPandas 0.23's test, to reproduce its
          stops: the WGS84 geodesic between the bounding-box corners (min
          lat, min lon) and (max lat, max lon) is ``< 1.5 * max_diameter_m``,
          and the WGS84 geodesic between corners 0 and 2 of GEOS's
          minimum-area rectangle of the window's points, fitted in lon/lat
          degrees, is ``< max_diameter_m`` (for two points, or collinear
          ones, the geodesic between the extreme points). This is not a
          diameter: a round cloud passes only up to about 0.7 x
          ``max_diameter_m`` across, and the measured diagonal depends on the
          rectangle's orientation (see Notes).

    Returns
    -------
    segment : ndarray of int64, shape (n_stops,)
        Segment index of the stop.
    start_row, end_row : ndarray of int64, shape (n_stops,)
        First and last row of the stop, both inclusive.
    duration_s : ndarray of float64, shape (n_stops,)
        ``t[end_row] - t[start_row]``, unit of ``t_s``.
    diameter_m : ndarray of float64, shape (n_stops,)
        Largest great-circle distance between two points of the stop, metres
        (in both modes).
    centroid_lat, centroid_lon : ndarray of float64, shape (n_stops,)
        Mean position in degrees (longitude averaged as offsets from the
        first point; in [-180, 180)).
    n_points : ndarray of int64, shape (n_stops,)
        Rows of the stop with a position.

    Notes
    -----
    Window logic, per segment, over the rows with a position (MovingPandas
    0.23 ``TrajectoryStopDetector._process_traj``):

    1. Append the next point. If the previous step was not stopped, drop
       points from the front while the window has more than 2 points and
       spans ``>= min_duration_s``.
    2. The window is *stopped* when it has at least 2 points and its
       diameter is ``< max_diameter_m``.
    3. If the previous step was stopped and this one is not, the stop is the
       window without its newest point. When it spans ``>= min_duration_s``
       it is emitted and the window restarts at the newest point; otherwise
       the window is kept (and trimmed at the next step).
    4. At the segment end, a still-stopped window spanning
       ``>= min_duration_s`` is emitted.

    Distances. Points are compared by their 3-D chord (Earth-centred
    coordinates on the sphere of radius R), which grows with the
    great-circle distance; a chord within 1e-9 (relative) or 1e-6 m of the
    threshold is settled by the haversine itself, so every decision is the
    haversine comparison ``d < max_diameter_m``.

    Sliding window (not stopped). Call a window point *wide* when some
    newer window point is at least ``max_diameter_m`` from it; the window is
    too wide exactly when it holds a wide point, i.e. when the newest wide
    point ``w`` is in it. ``w`` only moves forward, and the points after it
    are pairwise within reach, so each new point k needs one question: the
    newest point after ``w`` out of reach of k. A ball tree over the
    segment's points in time order (built once, O(L)) answers it by
    visiting the O(log L) nodes covering the range from the newest end,
    skipping balls entirely within reach and stopping at the first ball
    entirely out of reach: O(log w) per point for a vessel under way, O(w)
    at worst (points scattered right at the threshold distance).

    Growing window (stopped). Project the window orthographically onto the
    tangent plane at its first point ``a``. For unit vectors ``p``, ``q`` in
    the hemisphere of ``a``, ``p . q = (p . a) sqrt(1 - |q_t|^2) + p_t .
    q_t`` is a concave function of the projected ``q_t``, so its minimum
    over the window -- the farthest point from ``p`` -- is a vertex of the
    2-D convex hull of the projected points (exact on the sphere). A new
    point is checked against a bounding ball of the hull in O(1), and only
    if that is inconclusive against the h hull vertices; it enters the hull
    (rebuilt from h + 1 points) only when it falls outside an inscribed disc
    and the hull. So a stop of L points costs O(L) to O(L h log h), h being
    typically 5-30 for a GPS cloud, where MovingPandas spends O(L^2). The
    stop's diameter is the widest pair of hull vertices, O(h^2) once.

    Memory: O(longest segment) scratch, plus one int64 per row.

    MovingPandas' test (``diameter="movingpandas"``). The bounding box comes
    from sliding minima and maxima (monotone queues, O(1) per point). When
    the corner prefilter passes, the convex hull of the window in lon/lat
    is built with an exact orientation predicate (collinear points dropped
    exactly, as GEOS's double-double predicate drops them), turned into
    GEOS's ring (clockwise from the lowest, then leftmost, vertex) and run
    through GEOS >= 3.12's ``MinimumAreaRectangle`` rotating calipers (first
    edge of strictly smallest area; corners from the side lines), so the
    same diagonal is measured. Geodesics are Vincenty's inverse formula on
    WGS84, within 1e-7 m of geopy's Karney below 10 km, computed only when
    the haversine lies within 1 % of the limit. While stopped, a new point
    inside the hull leaves ring, rectangle and box unchanged (O(h));
    otherwise the hull is rebuilt from its h vertices plus the point, and so
    is a sliding window's while the rows it leaves behind hold none of its
    vertices (else O(w log w), w points in the window). A hull whose widest
    vertex pair D (degrees) gives sqrt(2) R_E D below 0.98 x 0.99 x the
    limit fits without the rectangle: its corners 0 and 2 lie at most
    sqrt(2) D apart whichever edge is picked. On sliver hulls (nearly
    collinear points, areas near 0) and symmetric ones (equal areas) GEOS's
    choice of rectangle is decided by its floating-point rounding -- its
    "diagonal" of a sliver can be half the extent --, so this mode is
    compiled with strict IEEE arithmetic (``jit_strict``) and rounds as GEOS
    does. GEOS intersects the side lines in double-double arithmetic, this
    kernel in double after centring them: the corners agree to about 1e-9 m.

    The honest mode is a fast-math compiled kernel; the MovingPandas mode is
    another, strict IEEE. No input validation beyond ``diameter`` (``ValueError``
    for an unknown value); serial and ``nogil``.
    """
    if diameter == "true":
        return _stop_segments_true(
            t_s, lat, lon, offsets, max_diameter_m, min_duration_s
        )
    if diameter == "movingpandas":
        return _stop_segments_movingpandas(
            t_s, lat, lon, offsets, max_diameter_m, min_duration_s
        )
    raise ValueError(
        f"diameter must be one of {', '.join(map(repr, STOP_DIAMETERS))}, "
        f"not {diameter!r}"
    )


@jit
def _stop_segments_true(t_s, lat, lon, offsets, max_diameter_m, min_duration_s):
    """:func:`stop_segments` with ``diameter="true"``."""
    n = t_s.shape[0]
    stop_end = np.full(n, -1, dtype=np.int64)
    # Written only at stop starts: pages never touched cost nothing.
    stop_diam = np.empty(n, dtype=np.float64)
    n_seg = offsets.shape[0] - 1
    longest = 0
    for k in range(n_seg):
        longest = max(longest, offsets[k + 1] - offsets[k])
    leaves = 1
    while leaves < longest:
        leaves *= 2
    wi = np.empty((4, max(2 * leaves + 2, 640)), dtype=np.int64)
    wf = np.empty((6, 2 * leaves), dtype=np.float64)
    total = 0
    for k in range(n_seg):
        total += _stop_segment(
            t_s,
            lat,
            lon,
            offsets[k],
            offsets[k + 1],
            max_diameter_m,
            min_duration_s,
            stop_end,
            stop_diam,
            wi,
            wf,
        )
    return _collect_stops(t_s, lat, lon, offsets, stop_end, stop_diam, total)


@jit
def _collect_stops(t_s, lat, lon, offsets, stop_end, stop_diam, total):
    """Output arrays of :func:`stop_segments` from the per-row marks."""
    n_seg = offsets.shape[0] - 1
    segment = np.empty(total, dtype=np.int64)
    start_row = np.empty(total, dtype=np.int64)
    end_row = np.empty(total, dtype=np.int64)
    duration_s = np.empty(total, dtype=np.float64)
    diameter_m = np.empty(total, dtype=np.float64)
    centroid_lat = np.empty(total, dtype=np.float64)
    centroid_lon = np.empty(total, dtype=np.float64)
    n_points = np.empty(total, dtype=np.int64)
    out = 0
    for k in range(n_seg):
        for s in range(offsets[k], offsets[k + 1]):
            e = stop_end[s]
            if e < 0:
                continue
            m = 0
            lat_sum = 0.0
            dlon_sum = 0.0
            for i in range(s, e + 1):
                if math.isnan(lat[i]) or math.isnan(lon[i]):
                    continue
                m += 1
                lat_sum += lat[i]
                dlon_sum += _dlon_deg(lon[i], lon[s])
            segment[out] = k
            start_row[out] = s
            end_row[out] = e
            duration_s[out] = t_s[e] - t_s[s]
            diameter_m[out] = stop_diam[s]
            centroid_lat[out] = lat_sum / m
            centroid_lon[out] = _wrap_deg(lon[s] + dlon_sum / m)
            n_points[out] = m
            out += 1
    return (
        segment,
        start_row,
        end_row,
        duration_s,
        diameter_m,
        centroid_lat,
        centroid_lon,
        n_points,
    )
