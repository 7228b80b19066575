"""Dark rendezvous: could two vessels have met while at least one was unseen?

A vessel in a dark gap left its last fix p0 at t0 and reached its next fix
p1 at t1, never faster than ``v`` (the maximum speed). At time t it was
somewhere in its *reachable set*: the disk of radius ``v (t - t0)`` around p0
intersected with the disk of radius ``v (t1 - t)`` around p1. Over the whole
gap these sets sweep the ellipse with foci p0 and p1 and major axis
``v (t1 - t0)``.

**Two dark vessels (strict test).** Two vessels could have met if there is a
place x and a time t at which both could have been there: t is at least the
later of their arrival times ``t0 + |x - p0| / v`` and at most the earlier of
their departure times ``t1 - |x - p1| / v``. With

    F(x) = max(arrival_a(x), arrival_b(x)) - min(departure_a(x), departure_b(x))

they could have met at x when ``F(x) <= 0``, and could have spent ``-F(x)``
seconds together there. F is the maximum of four sums of distances, so it is
convex: the *meeting region* ``{x : F(x) <= -min_together_s}`` is convex, and
its lowest point is found reliably by nested golden-section searches. This
is stricter than asking whether the two ellipses intersect: two vessels whose
ellipses overlap may still have passed the common area at different times.
Positions are projected with the azimuthal equidistant projection about the
centre of the four fixes (great-circle distances from the centre are exact;
others are within about 0.1 % at 500 km).

**One dark vessel.** A vessel seen slow during another vessel's gap, at
positions the dark vessel could have reached at those times (inside both
disks, great-circle distances), for at least ``min_overlap_s``.
"""

import math

import numpy as np

from ._geo import (
    EARTH_RADIUS_M,
    KNOT_M_S,
    destination,
    haversine_m,
    initial_bearing_deg,
)
from ._jit import jit

DARK_PAIR_FIELDS = (
    "gap_a",
    "gap_b",
    "vessel_a",
    "vessel_b",
    "overlap_start_s",
    "overlap_end_s",
    "lat_deg",
    "lon_deg",
    "area_km2",
    "max_together_s",
    "meet_start_s",
    "meet_end_s",
)
"""Names of the arrays :func:`dark_rendezvous_pairs` returns, in order."""

DARK_SEEN_FIELDS = (
    "gap",
    "vessel_dark",
    "vessel_seen",
    "start_s",
    "end_s",
    "n_fixes",
    "lat_deg",
    "lon_deg",
    "mean_sog_seen_kn",
    "area_km2",
)
"""Names of the arrays :func:`dark_seen_pairs` returns, in order."""

_INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0
_TOL_M = 0.01  # golden-section and boundary searches stop at 1 cm
_N_RAYS = 128  # vertices of the meeting-region polygon
_CELL_DEG = 0.25  # spatial index of seen fixes (one-dark case)
_N_LON_CELLS = 1440  # 360 / _CELL_DEG
_N_LAT_CELLS = 720  # 180 / _CELL_DEG


@jit
def _centre(lat_a, lon_a, lat_b, lon_b, lat_c, lon_c, lat_d, lon_d):
    """Normalised mean of four points' unit vectors, as (lat, lon) degrees."""
    x = 0.0
    y = 0.0
    z = 0.0
    for lat, lon in ((lat_a, lon_a), (lat_b, lon_b), (lat_c, lon_c), (lat_d, lon_d)):
        rl = math.radians(lat)
        rn = math.radians(lon)
        x += math.cos(rl) * math.cos(rn)
        y += math.cos(rl) * math.sin(rn)
        z += math.sin(rl)
    return math.degrees(math.atan2(z, math.sqrt(x * x + y * y))), math.degrees(
        math.atan2(y, x)
    )


@jit
def _project(lat0, lon0, lat, lon):
    """Azimuthal equidistant projection about (lat0, lon0), metres east/north."""
    rho = haversine_m(lat0, lon0, lat, lon)
    if rho == 0.0:
        return 0.0, 0.0
    theta = math.radians(initial_bearing_deg(lat0, lon0, lat, lon))
    return rho * math.sin(theta), rho * math.cos(theta)


@jit
def _unproject(lat0, lon0, x, y):
    """Inverse of :func:`_project`: (lat, lon) degrees of the plane point."""
    rho = math.sqrt(x * x + y * y)
    if rho == 0.0:
        return lat0, lon0
    return destination(lat0, lon0, math.degrees(math.atan2(x, y)), rho)


@jit
def _meeting_slack(x, y, g):
    """``F(x, y)``: later arrival minus earlier departure, seconds.

    ``g`` is the tuple (ax0, ay0, ta0, ax1, ay1, ta1, bx0, by0, tb0, bx1, by1,
    tb1, v_m_s) of plane positions (m), times (s) and the speed (m/s).
    """
    ax0, ay0, ta0, ax1, ay1, ta1, bx0, by0, tb0, bx1, by1, tb1, v = g
    arrive = max(
        ta0 + math.sqrt((x - ax0) ** 2 + (y - ay0) ** 2) / v,
        tb0 + math.sqrt((x - bx0) ** 2 + (y - by0) ** 2) / v,
    )
    depart = min(
        ta1 - math.sqrt((x - ax1) ** 2 + (y - ay1) ** 2) / v,
        tb1 - math.sqrt((x - bx1) ** 2 + (y - by1) ** 2) / v,
    )
    return arrive - depart


@jit
def _min_over_y(x, ylo, yhi, g):
    a = ylo
    b = yhi
    c = b - _INV_PHI * (b - a)
    d = a + _INV_PHI * (b - a)
    fc = _meeting_slack(x, c, g)
    fd = _meeting_slack(x, d, g)
    while b - a > _TOL_M:
        if fc <= fd:
            b = d
            d = c
            fd = fc
            c = b - _INV_PHI * (b - a)
            fc = _meeting_slack(x, c, g)
        else:
            a = c
            c = d
            fc = fd
            d = a + _INV_PHI * (b - a)
            fd = _meeting_slack(x, d, g)
    if fc <= fd:
        return fc, c
    return fd, d


@jit
def _minimise_slack(xlo, xhi, ylo, yhi, g):
    """Lowest ``F`` over a box: golden section in x over minima in y.

    ``F`` is convex, so its minimum over y is a convex function of x and
    both searches converge (to 1 cm) to the minimum over the box.

    Returns
    -------
    (float, float, float)
        The minimum of F (seconds) and where it is (plane metres).
    """
    a = xlo
    b = xhi
    c = b - _INV_PHI * (b - a)
    d = a + _INV_PHI * (b - a)
    fc, yc = _min_over_y(c, ylo, yhi, g)
    fd, yd = _min_over_y(d, ylo, yhi, g)
    while b - a > _TOL_M:
        if fc <= fd:
            b = d
            d = c
            fd = fc
            yd = yc
            c = b - _INV_PHI * (b - a)
            fc, yc = _min_over_y(c, ylo, yhi, g)
        else:
            a = c
            c = d
            fc = fd
            yc = yd
            d = a + _INV_PHI * (b - a)
            fd, yd = _min_over_y(d, ylo, yhi, g)
    if fc <= fd:
        return fc, c, yc
    return fd, d, yd


@jit
def _ellipse_box(x0, y0, x1, y1, semi_major):
    """Bounding box of the ellipse with foci (x0, y0), (x1, y1)."""
    cx = 0.5 * (x0 + x1)
    cy = 0.5 * (y0 + y1)
    half_focal = 0.5 * math.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2)
    b2 = max(semi_major * semi_major - half_focal * half_focal, 0.0)
    if half_focal > 0.0:
        ux = (x1 - x0) / (2.0 * half_focal)
        uy = (y1 - y0) / (2.0 * half_focal)
    else:
        ux = 1.0
        uy = 0.0
    hx = math.sqrt(semi_major * semi_major * ux * ux + b2 * uy * uy)
    hy = math.sqrt(semi_major * semi_major * uy * uy + b2 * ux * ux)
    return cx - hx, cx + hx, cy - hy, cy + hy


@jit
def _meeting_region(g, level, xs, ys, xlo, xhi, ylo, yhi):
    """Area and centroid of the convex region ``{F <= level}``.

    (xs, ys) lies in the region (the minimiser of F). Along each of 128 rays
    from it the boundary is bracketed by bisection (F is convex, so each ray
    crosses the level once) and kept on the inside; the region is taken as
    the polygon of those points (inscribed, so the area is a slight
    underestimate: about 0.04 % for a disk).

    Returns
    -------
    (float, float, float)
        Area in square metres and centroid (plane metres).
    """
    diag = math.sqrt((xhi - xlo) ** 2 + (yhi - ylo) ** 2)
    px = np.empty(_N_RAYS)
    py = np.empty(_N_RAYS)
    for j in range(_N_RAYS):
        theta = 2.0 * math.pi * j / _N_RAYS
        ux = math.cos(theta)
        uy = math.sin(theta)
        lo = 0.0
        hi = diag
        if _meeting_slack(xs + hi * ux, ys + hi * uy, g) <= level:
            lo = hi
        while hi - lo > _TOL_M:
            mid = 0.5 * (lo + hi)
            if _meeting_slack(xs + mid * ux, ys + mid * uy, g) <= level:
                lo = mid
            else:
                hi = mid
        px[j] = xs + lo * ux
        py[j] = ys + lo * uy
    area2 = 0.0
    cx = 0.0
    cy = 0.0
    for j in range(_N_RAYS):
        k = (j + 1) % _N_RAYS
        cross = px[j] * py[k] - px[k] * py[j]
        area2 += cross
        cx += (px[j] + px[k]) * cross
        cy += (py[j] + py[k]) * cross
    if area2 <= 1e-6:
        return 0.0, xs, ys
    return 0.5 * area2, cx / (3.0 * area2), cy / (3.0 * area2)


@jit
def _pair_test(
    gap_vessel,
    t0_s,
    lat0_deg,
    lon0_deg,
    t1_s,
    lat1_deg,
    lon1_deg,
    i,
    j,
    v,
    min_together_s,
):
    """Strict meeting test of gaps i and j (v in m/s).

    Returns (found, lat, lon, area_m2, max_together_s, meet_start, meet_end).
    """
    nothing = (False, np.nan, np.nan, 0.0, 0.0, 0.0, 0.0)
    clat, clon = _centre(
        lat0_deg[i], lon0_deg[i], lat1_deg[i], lon1_deg[i],
        lat0_deg[j], lon0_deg[j], lat1_deg[j], lon1_deg[j],
    )  # fmt: skip
    ax0, ay0 = _project(clat, clon, lat0_deg[i], lon0_deg[i])
    ax1, ay1 = _project(clat, clon, lat1_deg[i], lon1_deg[i])
    bx0, by0 = _project(clat, clon, lat0_deg[j], lon0_deg[j])
    bx1, by1 = _project(clat, clon, lat1_deg[j], lon1_deg[j])
    # Times relative to the later gap start keep the sums well conditioned.
    t_ref = max(t0_s[i], t0_s[j])
    ta0 = float(t0_s[i] - t_ref)
    ta1 = float(t1_s[i] - t_ref)
    tb0 = float(t0_s[j] - t_ref)
    tb1 = float(t1_s[j] - t_ref)
    g = (ax0, ay0, ta0, ax1, ay1, ta1, bx0, by0, tb0, bx1, by1, tb1, v)
    # F is at least each of its four terms' minima (foci distance over v).
    bound = max(
        ta0 - ta1 + math.sqrt((ax1 - ax0) ** 2 + (ay1 - ay0) ** 2) / v,
        tb0 - tb1 + math.sqrt((bx1 - bx0) ** 2 + (by1 - by0) ** 2) / v,
        ta0 - tb1 + math.sqrt((bx1 - ax0) ** 2 + (by1 - ay0) ** 2) / v,
        tb0 - ta1 + math.sqrt((ax1 - bx0) ** 2 + (ay1 - by0) ** 2) / v,
    )
    if -bound < min_together_s:
        return nothing
    # The region lies in each vessel's ellipse for the time left over.
    axlo, axhi, aylo, ayhi = _ellipse_box(
        ax0, ay0, ax1, ay1, 0.5 * v * (ta1 - ta0 - min_together_s)
    )
    bxlo, bxhi, bylo, byhi = _ellipse_box(
        bx0, by0, bx1, by1, 0.5 * v * (tb1 - tb0 - min_together_s)
    )
    pad = 1.0
    xlo = max(axlo, bxlo) - pad
    xhi = min(axhi, bxhi) + pad
    ylo = max(aylo, bylo) - pad
    yhi = min(ayhi, byhi) + pad
    if xlo > xhi or ylo > yhi:
        return nothing
    fmin, xs, ys = _minimise_slack(xlo, xhi, ylo, yhi, g)
    if -fmin < min_together_s:
        return nothing
    area, cx, cy = _meeting_region(g, -min_together_s, xs, ys, xlo, xhi, ylo, yhi)
    arrive = max(
        ta0 + math.sqrt((cx - ax0) ** 2 + (cy - ay0) ** 2) / v,
        tb0 + math.sqrt((cx - bx0) ** 2 + (cy - by0) ** 2) / v,
    )
    depart = min(
        ta1 - math.sqrt((cx - ax1) ** 2 + (cy - ay1) ** 2) / v,
        tb1 - math.sqrt((cx - bx1) ** 2 + (cy - by1) ** 2) / v,
    )
    mlat, mlon = _unproject(clat, clon, cx, cy)
    return True, mlat, mlon, area, -fmin, arrive + t_ref, depart + t_ref


@jit
def dark_rendezvous_pairs(
    gap_vessel,
    t0_s,
    lat0_deg,
    lon0_deg,
    t1_s,
    lat1_deg,
    lon1_deg,
    max_speed_kn,
    min_overlap_s,
    min_together_s,
):
    """Pairs of dark gaps of different vessels that could have met.

    Parameters
    ----------
    gap_vessel : ndarray of int64, shape (G,)
        Vessel id of each gap.
    t0_s, t1_s : ndarray of int64, shape (G,)
        Times of the last fix before and the first fix after each gap,
        seconds UTC (``t1_s > t0_s``).
    lat0_deg, lon0_deg, lat1_deg, lon1_deg : ndarray of float64, shape (G,)
        Those two fixes, WGS84 degrees.
    max_speed_kn : float
        Fastest either vessel could go while dark, knots
        (``makran``: 12).
    min_overlap_s : int
        The gaps must overlap in time by at least this, seconds
        (``makran``: 1800).
    min_together_s : float
        Both vessels must have been able to spend at least this long at one
        place, seconds; 0 = a meeting of any length (``makran``: 0).

    Returns
    -------
    tuple of ndarray, each of shape (m,), named in :data:`DARK_PAIR_FIELDS`
        gap_a, gap_b : int64
            Row numbers of the two gaps, ``gap_vessel[gap_a] < gap_vessel[gap_b]``.
        vessel_a, vessel_b : int64
            Their vessels.
        overlap_start_s, overlap_end_s : int64
            The time both were dark, seconds UTC.
        lat_deg, lon_deg : float64
            Centroid of the meeting region (the most likely meeting point).
        area_km2 : float64
            Area of the meeting region: how well the place is constrained.
        max_together_s : float64
            The longest the two could have been together at one place.
        meet_start_s, meet_end_s : int64
            When both could have been at the meeting point (rounded, s UTC).

        Sorted by (overlap_start_s, vessel_a, vessel_b, gap_a, gap_b).

    Notes
    -----
    Gaps are swept in order of start time, each against the list of gaps
    still open ``min_overlap_s`` after it starts, so only gaps that overlap
    long enough are paired (no all-pairs loop); a pair is dropped cheaply
    when the two ellipses cannot reach each other, before the strict test
    (about 0.1 ms). Time O(G log G + G A + K) for A gaps open at once and K
    strict tests; memory O(G).
    A vessel whose own gap needs more than ``max_speed_kn`` has no
    reachable set and meets no one.
    """
    n = gap_vessel.shape[0]
    v = max_speed_kn * KNOT_M_S
    order = np.argsort(t0_s, kind="mergesort")
    mid_lat = np.empty(n)
    mid_lon = np.empty(n)
    reach = np.empty(n)
    for i in range(n):
        mid_lat[i], mid_lon[i] = _centre(
            lat0_deg[i], lon0_deg[i], lat1_deg[i], lon1_deg[i],
            lat0_deg[i], lon0_deg[i], lat1_deg[i], lon1_deg[i],
        )  # fmt: skip
        reach[i] = 0.5 * v * (t1_s[i] - t0_s[i])
    active = np.empty(n, dtype=np.int64)
    n_active = 0
    cap = 16
    oi = np.empty((cap, 8), dtype=np.int64)
    of = np.empty((cap, 4))
    n_out = 0
    for r in range(n):
        i = order[r]
        a = 0
        while a < n_active:
            if t1_s[active[a]] - t0_s[i] < min_overlap_s:
                n_active -= 1
                active[a] = active[n_active]
            else:
                a += 1
        for a in range(n_active):
            j = active[a]
            if gap_vessel[j] == gap_vessel[i]:
                continue
            ov_start = t0_s[i]
            ov_end = min(t1_s[i], t1_s[j])
            if ov_end - ov_start < min_overlap_s:
                continue
            # Both ellipses lie within their semi-major axis of the foci's
            # midpoint; the margin covers the projection.
            d = haversine_m(mid_lat[i], mid_lon[i], mid_lat[j], mid_lon[j])
            if d > 1.01 * (reach[i] + reach[j]) + 1000.0:
                continue
            if gap_vessel[j] < gap_vessel[i]:
                ga = j
                gb = i
            else:
                ga = i
                gb = j
            found, mlat, mlon, area, together, m0, m1 = _pair_test(
                gap_vessel, t0_s, lat0_deg, lon0_deg, t1_s, lat1_deg, lon1_deg,
                ga, gb, v, min_together_s,
            )  # fmt: skip
            if not found:
                continue
            if n_out == oi.shape[0]:
                oi2 = np.empty((2 * n_out, 8), dtype=np.int64)
                of2 = np.empty((2 * n_out, 4))
                oi2[:n_out] = oi
                of2[:n_out] = of
                oi = oi2
                of = of2
            oi[n_out, 0] = ga
            oi[n_out, 1] = gb
            oi[n_out, 2] = gap_vessel[ga]
            oi[n_out, 3] = gap_vessel[gb]
            oi[n_out, 4] = ov_start
            oi[n_out, 5] = ov_end
            oi[n_out, 6] = np.int64(round(m0))
            oi[n_out, 7] = np.int64(round(m1))
            of[n_out, 0] = mlat
            of[n_out, 1] = mlon
            of[n_out, 2] = area / 1e6
            of[n_out, 3] = together
            n_out += 1
        active[n_active] = i
        n_active += 1
    oi = oi[:n_out]
    of = of[:n_out]
    srt = np.argsort(oi[:, 1], kind="mergesort")
    for col in (0, 3, 2, 4):
        srt = srt[np.argsort(oi[srt, col], kind="mergesort")]
    return (
        oi[srt, 0].copy(),
        oi[srt, 1].copy(),
        oi[srt, 2].copy(),
        oi[srt, 3].copy(),
        oi[srt, 4].copy(),
        oi[srt, 5].copy(),
        of[srt, 0].copy(),
        of[srt, 1].copy(),
        of[srt, 2].copy(),
        of[srt, 3].copy(),
        oi[srt, 6].copy(),
        oi[srt, 7].copy(),
    )


@jit
def fix_speeds_kn(t_s, lat_deg, lon_deg, sog_kn, offsets, max_interp_gap_s):
    """Speed at every fix: SOG, else the implied speed of a neighbour interval.

    A fix without SOG takes the speed implied by the interval after it, else
    the one before it (intervals of zero length or longer than
    ``max_interp_gap_s`` never count), else NaN. Same rule as the rendezvous
    kernel at a fix.

    Returns
    -------
    ndarray of float64, shape (n,)
        Knots.
    """
    out = np.empty(t_s.shape[0])
    for s in range(offsets.shape[0] - 1):
        lo = offsets[s]
        hi = offsets[s + 1]
        for c in range(lo, hi):
            sog = np.float64(sog_kn[c])
            if math.isnan(sog):
                if c + 1 < hi and 0 < t_s[c + 1] - t_s[c] <= max_interp_gap_s:
                    sog = haversine_m(
                        lat_deg[c], lon_deg[c], lat_deg[c + 1], lon_deg[c + 1]
                    ) / ((t_s[c + 1] - t_s[c]) * KNOT_M_S)
                elif c - 1 >= lo and 0 < t_s[c] - t_s[c - 1] <= max_interp_gap_s:
                    sog = haversine_m(
                        lat_deg[c - 1], lon_deg[c - 1], lat_deg[c], lon_deg[c]
                    ) / ((t_s[c] - t_s[c - 1]) * KNOT_M_S)
            out[c] = sog
    return out


@jit
def dark_seen_pairs(
    gap_vessel,
    t0_s,
    lat0_deg,
    lon0_deg,
    t1_s,
    lat1_deg,
    lon1_deg,
    t_s,
    lat_deg,
    lon_deg,
    sog_kn,
    offsets,
    segment_vessel,
    max_speed_kn,
    slow_speed_kn,
    min_overlap_s,
    max_break_s,
    max_interp_gap_s,
):
    """Vessels seen slow where a dark vessel could have been at the time.

    A fix of another vessel *qualifies* for a gap when it lies in the gap
    (``t0 <= t <= t1``), the other vessel is slow there (speed as in
    :func:`fix_speeds_kn`, ``< slow_speed_kn``) and the position is within
    ``v (t - t0)`` of the dark vessel's last fix and ``v (t1 - t)`` of its
    next one (great-circle metres). Qualifying fixes of one segment no more
    than ``max_break_s`` apart form a run; runs spanning at least
    ``min_overlap_s`` are reported.

    Parameters
    ----------
    gap_vessel, t0_s, lat0_deg, lon0_deg, t1_s, lat1_deg, lon1_deg : ndarray
        The gaps, as in :func:`dark_rendezvous_pairs`.
    t_s, lat_deg, lon_deg, sog_kn, offsets, segment_vessel : ndarray
        The fixes of all vessels by segment, as in
        :func:`kernels.rendezvous.rendezvous_pairs`.
    max_speed_kn : float
        The dark vessel's maximum speed, knots (``makran``: 12).
    slow_speed_kn : float
        The seen vessel must be slower than this, knots (the rendezvous
        speed limit; ``makran``: 3).
    min_overlap_s : int
        Shortest run reported, seconds (``makran``: 1800).
    max_break_s : int
        Longest time between two qualifying fixes of a run, seconds
        (``makran``: 600).
    max_interp_gap_s : int
        Longest interval used for an implied speed, seconds (``makran``:
        7200).

    Returns
    -------
    tuple of ndarray, each of shape (m,), named in :data:`DARK_SEEN_FIELDS`
        gap : int64
            Row of the gap.
        vessel_dark, vessel_seen : int64
            The dark vessel and the vessel seen.
        start_s, end_s : int64
            First and last qualifying fix of the run, seconds UTC.
        n_fixes : int64
            Qualifying fixes in the run.
        lat_deg, lon_deg : float64
            Mean position of the run's fixes (the likely meeting point).
        mean_sog_seen_kn : float64
            Mean speed of the seen vessel over the run, knots.
        area_km2 : float64
            Area of the disk around that point holding all the run's fixes:
            how well the place is constrained.

        Sorted by (gap, vessel_seen, start_s).

    Notes
    -----
    The slow fixes are indexed once by 0.25 degree cell and time, so each
    gap only reads the fixes in the cells its ellipse can reach, in its
    time window. Time O(n + s log s + sum over gaps of the fixes read) for
    s slow fixes; memory O(n) float64 (the speeds) and O(s).
    """
    n = t_s.shape[0]
    v = max_speed_kn * KNOT_M_S
    speed = fix_speeds_kn(t_s, lat_deg, lon_deg, sog_kn, offsets, max_interp_gap_s)
    n_lon_cells = _N_LON_CELLS
    n_lat_cells = _N_LAT_CELLS
    n_slow = 0
    for c in range(n):
        if speed[c] < slow_speed_kn and not (
            math.isnan(lat_deg[c]) or math.isnan(lon_deg[c])
        ):
            n_slow += 1
    slow = np.empty(n_slow, dtype=np.int64)
    key = np.empty(n_slow, dtype=np.int64)
    seg = np.empty(n_slow, dtype=np.int64)
    j = 0
    for s in range(offsets.shape[0] - 1):
        for c in range(offsets[s], offsets[s + 1]):
            if speed[c] < slow_speed_kn and not (
                math.isnan(lat_deg[c]) or math.isnan(lon_deg[c])
            ):
                iy = min(
                    np.int64(math.floor((lat_deg[c] + 90.0) / _CELL_DEG)),
                    n_lat_cells - 1,
                )
                ix = np.int64(math.floor((lon_deg[c] + 180.0) / _CELL_DEG))
                slow[j] = c
                key[j] = iy * n_lon_cells + ix % n_lon_cells
                seg[j] = s
                j += 1
    # One sort by (cell, time, row): the cell in the high bits, then the time
    # since the first slow fix (below 2^40 s), ties kept in row order.
    t_first = t_s[slow].min() if n_slow > 0 else 0
    cell_time = np.empty(n_slow, dtype=np.int64)
    for j in range(n_slow):
        cell_time[j] = (key[j] << 40) | (t_s[slow[j]] - t_first)
    srt = np.argsort(cell_time, kind="mergesort")
    slow = slow[srt]
    key = key[srt]
    # Everything the scan and the runs read, copied in scan order.
    slow_seg = seg[srt]
    slow_vessel = segment_vessel[slow_seg]
    slow_t = t_s[slow]
    slow_lat = lat_deg[slow]
    slow_lon = lon_deg[slow]
    slow_speed = speed[slow]

    buf = np.empty(64, dtype=np.int64)
    oi = np.empty((16, 6), dtype=np.int64)
    of = np.empty((16, 4))
    n_out = 0
    for gi in range(gap_vessel.shape[0]):
        if t1_s[gi] - t0_s[gi] < min_overlap_s:
            continue
        clat, clon = _centre(
            lat0_deg[gi], lon0_deg[gi], lat1_deg[gi], lon1_deg[gi],
            lat0_deg[gi], lon0_deg[gi], lat1_deg[gi], lon1_deg[gi],
        )  # fmt: skip
        reach_m = 0.5 * v * (t1_s[gi] - t0_s[gi]) * 1.01 + 1000.0
        dlat = math.degrees(reach_m / EARTH_RADIUS_M)
        lat_lo = clat - dlat
        lat_hi = clat + dlat
        coslat = math.cos(math.radians(min(89.0, max(abs(lat_lo), abs(lat_hi)))))
        dlon = math.degrees(reach_m / (EARTH_RADIUS_M * coslat))
        iy0 = max(np.int64(math.floor((lat_lo + 90.0) / _CELL_DEG)), 0)
        iy1 = min(np.int64(math.floor((lat_hi + 90.0) / _CELL_DEG)), n_lat_cells - 1)
        ix0 = np.int64(math.floor((clon - dlon + 180.0) / _CELL_DEG))
        ix1 = np.int64(math.floor((clon + dlon + 180.0) / _CELL_DEG))
        if ix1 - ix0 + 1 >= n_lon_cells or max(abs(lat_lo), abs(lat_hi)) > 89.0:
            ix0 = 0
            ix1 = n_lon_cells - 1
        n_buf = 0
        for iy in range(iy0, iy1 + 1):
            for ixr in range(ix0, ix1 + 1):
                k = iy * n_lon_cells + ixr % n_lon_cells
                lo = np.searchsorted(key, k)
                hi = np.searchsorted(key, k, side="right")
                if lo == hi:
                    continue
                # No point of the cell is nearer a fix than the cell centre's
                # distance minus the cell's radius: that bounds when the dark
                # vessel could have been in the cell at all.
                ix = ixr % n_lon_cells
                c_lat = (iy + 0.5) * _CELL_DEG - 90.0
                c_lon = (ix + 0.5) * _CELL_DEG - 180.0
                radius = 0.0
                for corner_lat in (c_lat - 0.5 * _CELL_DEG, c_lat + 0.5 * _CELL_DEG):
                    radius = max(
                        radius,
                        haversine_m(c_lat, c_lon, corner_lat, c_lon - 0.5 * _CELL_DEG),
                    )
                radius = radius * (1.0 + 1e-9) + 1.0
                near0 = haversine_m(lat0_deg[gi], lon0_deg[gi], c_lat, c_lon) - radius
                near1 = haversine_m(lat1_deg[gi], lon1_deg[gi], c_lat, c_lon) - radius
                t_lo = t0_s[gi] + np.int64(math.floor(max(near0, 0.0) / v)) - 1
                t_hi = t1_s[gi] - np.int64(math.floor(max(near1, 0.0) / v)) + 1
                if t_lo > t_hi:
                    continue
                f_lo = lo + np.searchsorted(slow_t[lo:hi], max(t_lo, t0_s[gi]))
                f_hi = lo + np.searchsorted(
                    slow_t[lo:hi], min(t_hi, t1_s[gi]), side="right"
                )
                for f in range(f_lo, f_hi):
                    if slow_vessel[f] == gap_vessel[gi]:
                        continue
                    d0 = haversine_m(
                        lat0_deg[gi], lon0_deg[gi], slow_lat[f], slow_lon[f]
                    )
                    if not (d0 <= v * (slow_t[f] - t0_s[gi])):
                        continue
                    d1 = haversine_m(
                        lat1_deg[gi], lon1_deg[gi], slow_lat[f], slow_lon[f]
                    )
                    if not (d1 <= v * (t1_s[gi] - slow_t[f])):
                        continue
                    if n_buf == buf.shape[0]:
                        buf2 = np.empty(2 * n_buf, dtype=np.int64)
                        buf2[:n_buf] = buf
                        buf = buf2
                    buf[n_buf] = f
                    n_buf += 1
        if n_buf == 0:
            continue
        # Qualifying fixes in (segment, time) order, i.e. by row.
        q = buf[:n_buf][np.argsort(slow[buf[:n_buf]])]
        r0 = 0
        for r in range(1, n_buf + 1):
            if (
                r < n_buf
                and slow_seg[q[r]] == slow_seg[q[r - 1]]
                and slow_t[q[r]] - slow_t[q[r - 1]] <= max_break_s
            ):
                continue
            first = q[r0]
            last = q[r - 1]
            if slow_t[last] - slow_t[first] >= min_overlap_s:
                x = 0.0
                y = 0.0
                z = 0.0
                ssum = 0.0
                for u in range(r0, r):
                    f = q[u]
                    rl = math.radians(slow_lat[f])
                    rn = math.radians(slow_lon[f])
                    x += math.cos(rl) * math.cos(rn)
                    y += math.cos(rl) * math.sin(rn)
                    z += math.sin(rl)
                    ssum += slow_speed[f]
                mlat = math.degrees(math.atan2(z, math.sqrt(x * x + y * y)))
                mlon = math.degrees(math.atan2(y, x))
                spread = 0.0
                for u in range(r0, r):
                    f = q[u]
                    spread = max(
                        spread, haversine_m(mlat, mlon, slow_lat[f], slow_lon[f])
                    )
                if n_out == oi.shape[0]:
                    oi2 = np.empty((2 * n_out, 6), dtype=np.int64)
                    of2 = np.empty((2 * n_out, 4))
                    oi2[:n_out] = oi
                    of2[:n_out] = of
                    oi = oi2
                    of = of2
                oi[n_out, 0] = gi
                oi[n_out, 1] = gap_vessel[gi]
                oi[n_out, 2] = slow_vessel[first]
                oi[n_out, 3] = slow_t[first]
                oi[n_out, 4] = slow_t[last]
                oi[n_out, 5] = r - r0
                of[n_out, 0] = mlat
                of[n_out, 1] = mlon
                of[n_out, 2] = ssum / (r - r0)
                of[n_out, 3] = math.pi * spread * spread / 1e6
                n_out += 1
            r0 = r
    oi = oi[:n_out]
    of = of[:n_out]
    srt = np.argsort(oi[:, 3], kind="mergesort")
    srt = srt[np.argsort(oi[srt, 2], kind="mergesort")]
    srt = srt[np.argsort(oi[srt, 0], kind="mergesort")]
    return (
        oi[srt, 0].copy(),
        oi[srt, 1].copy(),
        oi[srt, 2].copy(),
        oi[srt, 3].copy(),
        oi[srt, 4].copy(),
        oi[srt, 5].copy(),
        of[srt, 0].copy(),
        of[srt, 1].copy(),
        of[srt, 2].copy(),
        of[srt, 3].copy(),
    )
