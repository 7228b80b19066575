"""Loitering runs and MovingPandas-style stops on flat track arrays.

Two detectors of "the vessel stayed in a small area for a long time":

* :func:`loitering_runs` -- slow (by SOG, else implied speed) and within a
  radius of where the slow period began. The coastwatch definition.
* :func:`stop_segments` -- MovingPandas' ``TrajectoryStopDetector`` window
  logic, with the honest diameter (largest great-circle distance between any
  two points of the window) instead of MovingPandas' rotated-rectangle
  diagonal in degrees.

Both take rows sorted by (segment, time), delimited by ``offsets``, and
return one entry per event. Rows with a NaN ``lat`` or ``lon`` are skipped
as if absent: they never start, extend, end or break an event, and an
event's first and last rows are always rows with a position.
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, KNOT_M_S, haversine_m
from ._jit import jit

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
def _row_speed_kn(t_s, lat, lon, sog_kn, i, prev_row, seg_end):
    """Reported SOG of row ``i`` if not NaN, else the implied speed.

    ``prev_row`` is the latest earlier row of the segment with a position and
    a strictly earlier time (-1 if none); without one, the first later row
    with a position and a strictly later time is used. NaN if neither exists.
    """
    s = sog_kn[i]
    if not math.isnan(s):
        return float(s)
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


# ---------------------------------------------------------------------------
# Loitering runs
# ---------------------------------------------------------------------------


@jit
def _loiter_segment(
    t_s, lat, lon, sog_kn, a, b, max_speed_kn, max_radius_m, min_duration_s, run_end
):
    """Find the runs of rows ``a:b``; mark ``run_end[start] = end``; count."""
    count = 0
    in_run = False
    start = -1
    last = -1
    anchor_lat = 0.0
    anchor_lon = 0.0
    last_valid = -1
    prev_row = -1
    for i in range(a, b):
        if math.isnan(lat[i]) or math.isnan(lon[i]):
            continue
        if last_valid >= 0 and t_s[last_valid] < t_s[i]:
            prev_row = last_valid
        last_valid = i
        slow = _row_speed_kn(t_s, lat, lon, sog_kn, i, prev_row, b) < max_speed_kn
        if (
            in_run
            and slow
            and haversine_m(anchor_lat, anchor_lon, lat[i], lon[i]) <= max_radius_m
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
      (the run's last row is the row before it) and, if it is slow itself,
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
            speed_sum = 0.0
            dist_max = 0.0
            lat_sum = 0.0
            dlon_sum = 0.0
            m = 0
            last_valid = -1
            for i in range(s, e + 1):
                if math.isnan(lat[i]) or math.isnan(lon[i]):
                    continue
                if last_valid >= 0 and t_s[last_valid] < t_s[i]:
                    prev_row = last_valid
                last_valid = i
                speed_sum += _row_speed_kn(t_s, lat, lon, sog_kn, i, prev_row, b)
                d = haversine_m(alat, alon, lat[i], lon[i])
                if d > dist_max:
                    dist_max = d
                lat_sum += lat[i]
                dlon_sum += _wrap_deg(lon[i] - alon)
                m += 1
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
def _tangent_xy(anchor_lat, anchor_lon, lat, lon):
    """Orthographic projection (metres) onto the tangent plane at the anchor.

    x = R cos(phi) sin(dlambda), y = R (q . north); the y form avoids the
    cancellation of the textbook formula for nearby points.
    """
    p = math.radians(lat)
    pa = math.radians(anchor_lat)
    dl = math.radians(lon - anchor_lon)
    cp = math.cos(p)
    x = EARTH_RADIUS_M * cp * math.sin(dl)
    s = math.sin(0.5 * dl)
    y = EARTH_RADIUS_M * (math.sin(p - pa) + 2.0 * cp * math.sin(pa) * s * s)
    return x, y


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
    single distinct point, 2 for collinear points). ``hull`` needs m + 1
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


# ---------------------------------------------------------------------------
# Stop segments (MovingPandas window logic, honest diameter)
# ---------------------------------------------------------------------------


@jit
def _deque_push_min(dq, head, tail, vals, k):
    while tail > head and vals[dq[tail - 1]] >= vals[k]:
        tail -= 1
    dq[tail] = k
    return tail + 1


@jit
def _deque_push_max(dq, head, tail, vals, k):
    while tail > head and vals[dq[tail - 1]] <= vals[k]:
        tail -= 1
    dq[tail] = k
    return tail + 1


@jit
def _deque_trim(dq, head, lo):
    while dq[head] < lo:
        head += 1
    return head


@jit
def _stop_segment(t_s, lat, lon, a, b, max_diameter_m, min_duration_s, stop_end):
    """MovingPandas stop windows over rows ``a:b``; mark ``stop_end``; count."""
    # Compact the rows with a position; k indexes this compact list.
    m = 0
    for i in range(a, b):
        if not (math.isnan(lat[i]) or math.isnan(lon[i])):
            m += 1
    if m < 2:
        return 0
    row = np.empty(m, dtype=np.int64)
    vlat = np.empty(m, dtype=np.float64)
    vlon = np.empty(m, dtype=np.float64)
    vt = np.empty(m, dtype=t_s.dtype)
    u = 0
    for i in range(a, b):
        if not (math.isnan(lat[i]) or math.isnan(lon[i])):
            row[u] = i
            vlat[u] = lat[i]
            vlon[u] = lon[i]
            vt[u] = t_s[i]
            u += 1
    # Monotonic deques of the window's extreme latitudes and longitudes.
    dq_lat_min = np.empty(m, dtype=np.int64)
    dq_lat_max = np.empty(m, dtype=np.int64)
    dq_lon_min = np.empty(m, dtype=np.int64)
    dq_lon_max = np.empty(m, dtype=np.int64)
    h0 = t0 = h1 = t1 = h2 = t2 = h3 = t3 = 0
    # Tangent-plane coordinates (relative to the current anchor) and hull.
    xs = np.empty(m, dtype=np.float64)
    ys = np.empty(m, dtype=np.float64)
    keys = np.empty(m + 1, dtype=np.int64)
    hull = np.empty(2 * m + 2, dtype=np.int64)
    h = 0
    # A pair of window points at least max_diameter_m apart, if known.
    wit_lo = -1
    # Latitudes this far apart put two points at least max_diameter_m apart
    # (the margin leaves near-ties to the haversine test below).
    lat_span_limit = math.degrees(max_diameter_m / EARTH_RADIUS_M) * (1.0 + 1e-9)
    count = 0
    lo = 0
    is_stopped = False
    for k in range(m):
        t0 = _deque_push_min(dq_lat_min, h0, t0, vlat, k)
        t1 = _deque_push_max(dq_lat_max, h1, t1, vlat, k)
        t2 = _deque_push_min(dq_lon_min, h2, t2, vlon, k)
        t3 = _deque_push_max(dq_lon_max, h3, t3, vlon, k)
        previously_stopped = is_stopped
        if not previously_stopped:
            while k - lo + 1 > 2 and vt[k] - vt[lo] >= min_duration_s:
                lo += 1
            h0 = _deque_trim(dq_lat_min, h0, lo)
            h1 = _deque_trim(dq_lat_max, h1, lo)
            h2 = _deque_trim(dq_lon_min, h2, lo)
            h3 = _deque_trim(dq_lon_max, h3, lo)
        is_stopped = False
        if k > lo:
            if previously_stopped:
                # Growing window: the farthest window point from the new
                # point is a hull vertex (see Notes of stop_segments).
                x, y = _tangent_xy(vlat[lo], vlon[lo], vlat[k], vlon[k])
                xs[k] = x
                ys[k] = y
                far = 0.0
                for u in range(h):
                    d = haversine_m(vlat[hull[u]], vlon[hull[u]], vlat[k], vlon[k])
                    if d > far:
                        far = d
                if far < max_diameter_m:
                    is_stopped = True
                    if not _strictly_inside(hull, h, xs, ys, k):
                        for u in range(h):
                            keys[u] = hull[u]
                        keys[h] = k
                        h = _hull(keys, h + 1, xs, ys, hull)
            else:
                fits = True
                if wit_lo >= lo:
                    fits = False
                elif vlat[dq_lat_max[h1]] - vlat[dq_lat_min[h0]] >= lat_span_limit:
                    fits = False
                    wit_lo = min(dq_lat_max[h1], dq_lat_min[h0])
                else:
                    for pair in range(3):
                        if pair == 0:
                            p, q = dq_lat_min[h0], dq_lat_max[h1]
                        elif pair == 1:
                            p, q = dq_lon_min[h2], dq_lon_max[h3]
                        else:
                            p, q = lo, k
                        d = haversine_m(vlat[p], vlon[p], vlat[q], vlon[q])
                        if d >= max_diameter_m:
                            fits = False
                            wit_lo = min(p, q)
                            break
                if fits:
                    # Exact: hull of the window, then all hull-vertex pairs.
                    for u in range(lo, k + 1):
                        x, y = _tangent_xy(vlat[lo], vlon[lo], vlat[u], vlon[u])
                        xs[u] = x
                        ys[u] = y
                        keys[u - lo] = u
                    h = _hull(keys, k - lo + 1, xs, ys, hull)
                    best_lo = -1
                    for u in range(h):
                        p = hull[u]
                        for v in range(u + 1, h):
                            q = hull[v]
                            d = haversine_m(vlat[p], vlon[p], vlat[q], vlon[q])
                            if d >= max_diameter_m and min(p, q) > best_lo:
                                best_lo = min(p, q)
                    if best_lo >= 0:
                        fits = False
                        wit_lo = best_lo
                is_stopped = fits
        if (
            not is_stopped
            and previously_stopped
            and k > lo
            and vt[k - 1] - vt[lo] >= min_duration_s
        ):
            stop_end[row[lo]] = row[k - 1]
            count += 1
            # Restart the window (and the deques) at the breaking point.
            lo = k
            h0 = t0 - 1
            h1 = t1 - 1
            h2 = t2 - 1
            h3 = t3 - 1
    if is_stopped and vt[m - 1] - vt[lo] >= min_duration_s:
        stop_end[row[lo]] = row[m - 1]
        count += 1
    return count


@jit
def _diameter_m(lat, lon, rows, m, xs, ys, keys, hull):
    """Largest great-circle distance between the points ``rows[:m]``."""
    for u in range(m):
        x, y = _tangent_xy(lat[rows[0]], lon[rows[0]], lat[rows[u]], lon[rows[u]])
        xs[u] = x
        ys[u] = y
        keys[u] = u
    h = _hull(keys, m, xs, ys, hull)
    best = 0.0
    for u in range(h):
        p = rows[hull[u]]
        for v in range(u + 1, h):
            q = rows[hull[v]]
            d = haversine_m(lat[p], lon[p], lat[q], lon[q])
            if d > best:
                best = d
    return best


@jit
def stop_segments(t_s, lat, lon, offsets, max_diameter_m, min_duration_s):
    """Stops found with MovingPandas' window logic and an honest diameter.

    Reproduces ``movingpandas.TrajectoryStopDetector(traj)
    .get_stop_segments(max_diameter, min_duration)`` row for row, except that
    a window fits when the largest great-circle distance between any two of
    its points is below ``max_diameter_m``, where MovingPandas measures one
    diagonal of a minimum-area rectangle fitted in degrees.

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

    Returns
    -------
    segment : ndarray of int64, shape (n_stops,)
        Segment index of the stop.
    start_row, end_row : ndarray of int64, shape (n_stops,)
        First and last row of the stop, both inclusive.
    duration_s : ndarray of float64, shape (n_stops,)
        ``t[end_row] - t[start_row]``, unit of ``t_s``.
    diameter_m : ndarray of float64, shape (n_stops,)
        Largest great-circle distance between two points of the stop, metres.
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

    Diameter. Project the points orthographically onto the tangent plane at
    an anchor point ``a``. For points ``p`` and ``q`` in the hemisphere of
    ``a``, the great-circle distance grows as ``p . q`` falls, and ``p . q
    = (p . a) sqrt(1 - |q_t|^2) + p_t . q_t`` is a concave function of the
    projected ``q_t``. Its minimum over the window is therefore reached at a
    vertex of the 2-D convex hull of the projected points: the farthest
    point from any window point, and both ends of the diameter, are hull
    vertices. This is exact on the sphere, with no planar approximation.

    Cost. While the window grows (stopped), each new point is compared with
    the h hull vertices, and the hull is rebuilt from its h vertices plus the
    point only when the point falls outside it: O(h log h) per point, h
    being typically 5-30 for a GPS cloud, so O(L h log h) for a stop of L
    points instead of MovingPandas' O(L^2). While not stopped, the sliding
    window keeps monotonic deques of its extreme latitudes and longitudes:
    a latitude span, or a distance between the extreme points, first/last
    points or a remembered pair of at least ``max_diameter_m`` proves the
    window too large in O(1) amortised. Only when none does is the hull of
    the window (w points) built, O(w log w) plus O(h^2) pairs; the pair found
    at least ``max_diameter_m`` apart with the newest older end is kept as a
    witness, so it is not rebuilt until that pair leaves the window. A moving
    vessel costs O(1) per point, and a stopped one O(h log h).

    No input validation; serial and ``nogil``.
    """
    n = t_s.shape[0]
    stop_end = np.full(n, -1, dtype=np.int64)
    n_seg = offsets.shape[0] - 1
    total = 0
    longest = 0
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
        )
        longest = max(longest, offsets[k + 1] - offsets[k])
    segment = np.empty(total, dtype=np.int64)
    start_row = np.empty(total, dtype=np.int64)
    end_row = np.empty(total, dtype=np.int64)
    duration_s = np.empty(total, dtype=np.float64)
    diameter_m = np.empty(total, dtype=np.float64)
    centroid_lat = np.empty(total, dtype=np.float64)
    centroid_lon = np.empty(total, dtype=np.float64)
    n_points = np.empty(total, dtype=np.int64)
    rows = np.empty(longest, dtype=np.int64)
    xs = np.empty(longest, dtype=np.float64)
    ys = np.empty(longest, dtype=np.float64)
    keys = np.empty(longest + 1, dtype=np.int64)
    hull = np.empty(2 * longest + 2, dtype=np.int64)
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
                rows[m] = i
                m += 1
                lat_sum += lat[i]
                dlon_sum += _wrap_deg(lon[i] - lon[s])
            segment[out] = k
            start_row[out] = s
            end_row[out] = e
            duration_s[out] = t_s[e] - t_s[s]
            diameter_m[out] = _diameter_m(lat, lon, rows, m, xs, ys, keys, hull)
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
