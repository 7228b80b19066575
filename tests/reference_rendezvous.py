"""Plain-Python references for the rendezvous kernels (loops and math only).

Slow and obvious on purpose: every grid step compares every pair of
positions, every pair of gaps is tried, and the strict dark-rendezvous
test minimises by exhaustive grids that zoom in. They follow the
definitions in the docstrings of ``kernels/rendezvous.py`` and
``kernels/dark_rendezvous.py``.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
KNOT_M_S = 1852.0 / 3600.0


def haversine(lat1, lon1, lat2, lon2):
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def unit_vector(lat, lon):
    rl = math.radians(lat)
    rn = math.radians(lon)
    return (math.cos(rl) * math.cos(rn), math.cos(rl) * math.sin(rn), math.sin(rl))


def vector_lat_lon(x, y, z):
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def implied_sog(fixes, i, j):
    ti, lai, loi, _ = fixes[i]
    tj, laj, loj, _ = fixes[j]
    return haversine(lai, loi, laj, loj) / ((tj - ti) * KNOT_M_S)


def state_at(fixes, g, max_gap):
    """(lat, lon, sog) of one segment at grid time g, or None."""
    c = None
    for i, fix in enumerate(fixes):
        if fix[0] <= g:
            c = i
    if c is None:
        return None
    t, la, lo, sog = fixes[c]
    if t == g:
        if math.isnan(sog):
            if c + 1 < len(fixes) and 0 < fixes[c + 1][0] - t <= max_gap:
                sog = implied_sog(fixes, c, c + 1)
            elif c >= 1 and 0 < t - fixes[c - 1][0] <= max_gap:
                sog = implied_sog(fixes, c - 1, c)
        return la, lo, sog
    if c + 1 == len(fixes) or fixes[c + 1][0] - t > max_gap:
        return None
    t1, la1, lo1, sog1 = fixes[c + 1]
    w = (g - t) / (t1 - t)
    lat = la + w * (la1 - la)
    dlon = lo1 - lo
    if dlon > 180:
        dlon -= 360
    elif dlon < -180:
        dlon += 360
    lon = lo + w * dlon
    if lon >= 180:
        lon -= 360
    elif lon < -180:
        lon += 360
    if math.isnan(sog) or math.isnan(sog1):
        speed = implied_sog(fixes, c, c + 1)
    else:
        speed = sog + w * (sog1 - sog)
    return lat, lon, speed


def rendezvous_reference(
    t,
    lat,
    lon,
    sog,
    offsets,
    segment_vessel,
    max_distance_m,
    max_speed_kn,
    time_step_s,
    max_interp_gap_s,
    max_break_s,
    min_duration_s,
):
    """Events as a list of dicts sorted by (start_s, vessel_a, vessel_b).

    Also returns ``margins``: the smallest |distance - threshold| (metres) and
    |speed - limit| (knots) seen, so tests can skip inputs that sit on a
    threshold within rounding.
    """
    segments = []
    for s in range(len(offsets) - 1):
        fixes = [
            (int(t[i]), float(lat[i]), float(lon[i]), float(sog[i]))
            for i in range(offsets[s], offsets[s + 1])
        ]
        segments.append((int(segment_vessel[s]), fixes))
    step = time_step_s
    check_speed = math.isfinite(max_speed_kn)
    ks = []
    for _, fixes in segments:
        if fixes:
            ks.append(-((-fixes[0][0]) // step))
            ks.append(fixes[-1][0] // step)
    dist_margin = math.inf
    speed_margin = math.inf
    close = {}  # (va, vb) -> {k: (sep, seg_a, seg_b, sog_a, sog_b, lat_a, lon_a, ...)}
    if ks:
        for k in range(min(ks), max(ks) + 1):
            g = k * step
            points = []
            for s, (vessel, fixes) in enumerate(segments):
                if not fixes or fixes[0][0] > g or fixes[-1][0] < g:
                    continue
                st = state_at(fixes, g, max_interp_gap_s)
                if st is None or math.isnan(st[0]) or math.isnan(st[1]):
                    continue
                if check_speed:
                    if not math.isnan(st[2]):
                        speed_margin = min(speed_margin, abs(st[2] - max_speed_kn))
                    if not st[2] < max_speed_kn:
                        continue
                points.append((s, vessel, *st))
            for i in range(len(points)):
                for j in range(len(points)):
                    si, vi, lai, loi, spi = points[i]
                    sj, vj, laj, loj, spj = points[j]
                    if vi >= vj:
                        continue
                    sep = haversine(lai, loi, laj, loj)
                    dist_margin = min(dist_margin, abs(sep - max_distance_m))
                    if sep > max_distance_m:
                        continue
                    cand = (sep, si, sj, spi, spj, lai, loi, laj, loj)
                    steps = close.setdefault((vi, vj), {})
                    if k not in steps or cand[:3] < steps[k][:3]:
                        steps[k] = cand
    events = []
    for (va, vb), steps in close.items():
        runs = []
        for k in sorted(steps):
            if runs and (k - runs[-1][-1] - 1) * step <= max_break_s:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            if (run[-1] - run[0]) * step < min_duration_s:
                continue
            seps = [steps[k][0] for k in run]
            min_sep = min(seps)
            sx = sy = sz = 0.0
            for k in run:
                _, _, _, _, _, lai, loi, laj, loj = steps[k]
                ua = unit_vector(lai, loi)
                ub = unit_vector(laj, loj)
                mx, my, mz = ua[0] + ub[0], ua[1] + ub[1], ua[2] + ub[2]
                norm = math.sqrt(mx * mx + my * my + mz * mz)
                if norm > 0:
                    mx, my, mz = mx / norm, my / norm, mz / norm
                sx += mx
                sy += my
                sz += mz
            mlat, mlon = vector_lat_lon(sx, sy, sz)
            events.append(
                {
                    "vessel_a": va,
                    "vessel_b": vb,
                    "start_s": run[0] * step,
                    "end_s": run[-1] * step,
                    "n_steps": len(run),
                    "min_sep_m": min_sep,
                    "t_min_sep_s": step
                    * next(k for k in run if steps[k][0] == min_sep),
                    "mean_sep_m": sum(seps) / len(run),
                    "mean_sog_a_kn": sum(steps[k][3] for k in run) / len(run),
                    "mean_sog_b_kn": sum(steps[k][4] for k in run) / len(run),
                    "lat_deg": mlat,
                    "lon_deg": mlon,
                }
            )
    events.sort(key=lambda e: (e["start_s"], e["vessel_a"], e["vessel_b"]))
    # Groups: connected components by brute force over all event pairs.
    label = list(range(len(events)))

    def root(i):
        while label[i] != i:
            i = label[i]
        return i

    for i, a in enumerate(events):
        for j, b in enumerate(events):
            shares = {a["vessel_a"], a["vessel_b"]} & {b["vessel_a"], b["vessel_b"]}
            overlaps = a["start_s"] <= b["end_s"] and b["start_s"] <= a["end_s"]
            if i < j and shares and overlaps:
                ri, rj = root(i), root(j)
                label[max(ri, rj)] = min(ri, rj)
    numbering = {}
    for i, e in enumerate(events):
        e["group"] = numbering.setdefault(root(i), len(numbering))
    return events, (dist_margin, speed_margin)


# ---------------------------------------------------------------------------
# Dark rendezvous


def bearing(lat1, lon1, lat2, lon2):
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.atan2(y, x)


def project(lat0, lon0, lat, lon):
    """Azimuthal equidistant: metres east and north of (lat0, lon0)."""
    rho = haversine(lat0, lon0, lat, lon)
    if rho == 0:
        return 0.0, 0.0
    theta = bearing(lat0, lon0, lat, lon)
    return rho * math.sin(theta), rho * math.cos(theta)


def unproject(lat0, lon0, x, y):
    d = math.hypot(x, y) / EARTH_RADIUS_M
    if d == 0:
        return lat0, lon0
    b = math.atan2(x, y)
    p1 = math.radians(lat0)
    p2 = math.asin(
        math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b)
    )
    l2 = math.radians(lon0) + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1),
        math.cos(d) - math.sin(p1) * math.sin(p2),
    )
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def _frame(gap_a, gap_b):
    """Plane coordinates of the four fixes about their centre."""
    vecs = [unit_vector(g[k], g[k + 1]) for g in (gap_a, gap_b) for k in (2, 5)]
    clat, clon = vector_lat_lon(*(sum(v[i] for v in vecs) for i in range(3)))
    a0 = project(clat, clon, gap_a[2], gap_a[3])
    a1 = project(clat, clon, gap_a[5], gap_a[6])
    b0 = project(clat, clon, gap_b[2], gap_b[3])
    b1 = project(clat, clon, gap_b[5], gap_b[6])
    return clat, clon, a0, a1, b0, b1


def slack_function(gap_a, gap_b, a0, a1, b0, b1, v):
    """F(x, y) = later arrival - earlier departure (seconds), times relative."""
    t_ref = max(gap_a[1], gap_b[1])
    ta0, ta1 = gap_a[1] - t_ref, gap_a[4] - t_ref
    tb0, tb1 = gap_b[1] - t_ref, gap_b[4] - t_ref

    def f(x, y):
        arrive = max(
            ta0 + math.hypot(x - a0[0], y - a0[1]) / v,
            tb0 + math.hypot(x - b0[0], y - b0[1]) / v,
        )
        depart = min(
            ta1 - math.hypot(x - a1[0], y - a1[1]) / v,
            tb1 - math.hypot(x - b1[0], y - b1[1]) / v,
        )
        return arrive - depart

    return f, t_ref


def grid_minimum(f, xlo, xhi, ylo, yhi, n=41, tol=0.005):
    """Minimum of f by an n x n grid that zooms onto its best point."""
    best = (math.inf, 0.0, 0.0)
    while True:
        hx = (xhi - xlo) / (n - 1)
        hy = (yhi - ylo) / (n - 1)
        for i in range(n):
            for j in range(n):
                x = xlo + i * hx
                y = ylo + j * hy
                val = f(x, y)
                if val < best[0]:
                    best = (val, x, y)
        if max(hx, hy) < tol:
            return best
        _, bx, by = best
        xlo, xhi = bx - 2 * hx, bx + 2 * hx
        ylo, yhi = by - 2 * hy, by + 2 * hy


def dark_pairs_reference(gaps, max_speed_kn, min_overlap_s, min_together_s):
    """All pairs of gaps tried; gaps are (vessel, t0, lat0, lon0, t1, lat1, lon1).

    Returns a list of dicts sorted like the kernel, each with the slack
    (``max_together_s``) found by an exhaustive zooming grid, and the area
    and centroid of the meeting region measured on a fine grid.
    """
    v = max_speed_kn * KNOT_M_S
    events = []
    for i, ga in enumerate(gaps):
        for j, gb in enumerate(gaps):
            if ga[0] >= gb[0]:
                continue
            ov0 = max(ga[1], gb[1])
            ov1 = min(ga[4], gb[4])
            if ov1 - ov0 < min_overlap_s:
                continue
            clat, clon, a0, a1, b0, b1 = _frame(ga, gb)
            f, t_ref = slack_function(ga, gb, a0, a1, b0, b1, v)
            # Search the overlap of the two disks circumscribing the ellipses.
            ra = v * (ga[4] - ga[1]) / 2
            rb = v * (gb[4] - gb[1]) / 2
            ma = ((a0[0] + a1[0]) / 2, (a0[1] + a1[1]) / 2)
            mb = ((b0[0] + b1[0]) / 2, (b0[1] + b1[1]) / 2)
            xlo, xhi = max(ma[0] - ra, mb[0] - rb), min(ma[0] + ra, mb[0] + rb)
            ylo, yhi = max(ma[1] - ra, mb[1] - rb), min(ma[1] + ra, mb[1] + rb)
            if xlo > xhi or ylo > yhi:
                continue
            fmin, xs, ys = grid_minimum(f, xlo, xhi, ylo, yhi)
            event = {
                "gap_a": i,
                "gap_b": j,
                "vessel_a": ga[0],
                "vessel_b": gb[0],
                "overlap_start_s": ov0,
                "overlap_end_s": ov1,
                "max_together_s": -fmin,
                "x": xs,
                "y": ys,
                "centre": (clat, clon),
                "f": f,
                "t_ref": t_ref,
                "box": (xlo, xhi, ylo, yhi),
            }
            if -fmin >= min_together_s:
                events.append(event)
    events.sort(
        key=lambda e: (
            e["overlap_start_s"],
            e["vessel_a"],
            e["vessel_b"],
            e["gap_a"],
            e["gap_b"],
        )
    )
    return events


def region_by_grid(event, level, n=200):
    """Area (m^2) and centroid (lat, lon) of {F <= level} on an n x n grid.

    A first pass over the search box finds the region's extent, a second
    pass samples that extent finely. Returns None when no sample falls in.
    """
    f = event["f"]
    xlo, xhi, ylo, yhi = event["box"]
    for _ in range(2):
        hx = (xhi - xlo) / n
        hy = (yhi - ylo) / n
        inside = []
        for i in range(n):
            for j in range(n):
                x = xlo + (i + 0.5) * hx
                y = ylo + (j + 0.5) * hy
                if f(x, y) <= level:
                    inside.append((x, y))
        if not inside:
            return None
        xs = [p[0] for p in inside]
        ys = [p[1] for p in inside]
        area = len(inside) * hx * hy
        cx = sum(xs) / len(xs)
        cy = sum(ys) / len(ys)
        xlo, xhi = min(xs) - hx, max(xs) + hx
        ylo, yhi = min(ys) - hy, max(ys) + hy
    return area, unproject(*event["centre"], cx, cy)


def fix_speed(fixes, c, max_gap):
    t, _, _, sog = fixes[c]
    if not math.isnan(sog):
        return sog
    if c + 1 < len(fixes) and 0 < fixes[c + 1][0] - t <= max_gap:
        return implied_sog(fixes, c, c + 1)
    if c >= 1 and 0 < t - fixes[c - 1][0] <= max_gap:
        return implied_sog(fixes, c - 1, c)
    return math.nan


def dark_seen_reference(
    gaps,
    t,
    lat,
    lon,
    sog,
    offsets,
    segment_vessel,
    max_speed_kn,
    slow_speed_kn,
    min_overlap_s,
    max_break_s,
    max_interp_gap_s,
):
    """Every gap against every fix of every other vessel."""
    v = max_speed_kn * KNOT_M_S
    events = []
    for gi, (vessel, t0, la0, lo0, t1, la1, lo1) in enumerate(gaps):
        if t1 - t0 < min_overlap_s:
            continue
        for s in range(len(offsets) - 1):
            if segment_vessel[s] == vessel:
                continue
            fixes = [
                (int(t[i]), float(lat[i]), float(lon[i]), float(sog[i]))
                for i in range(offsets[s], offsets[s + 1])
            ]
            good = []
            for c, (tc, lac, loc, _) in enumerate(fixes):
                speed = fix_speed(fixes, c, max_interp_gap_s)
                if math.isnan(lac) or math.isnan(loc) or not speed < slow_speed_kn:
                    continue
                if not t0 <= tc <= t1:
                    continue
                if haversine(la0, lo0, lac, loc) > v * (tc - t0):
                    continue
                if haversine(la1, lo1, lac, loc) > v * (t1 - tc):
                    continue
                good.append((tc, lac, loc, speed))
            runs = []
            for g in good:
                if runs and g[0] - runs[-1][-1][0] <= max_break_s:
                    runs[-1].append(g)
                else:
                    runs.append([g])
            for run in runs:
                if run[-1][0] - run[0][0] < min_overlap_s:
                    continue
                vecs = [unit_vector(g[1], g[2]) for g in run]
                mlat, mlon = vector_lat_lon(
                    *(sum(u[i] for u in vecs) for i in range(3))
                )
                spread = max(haversine(mlat, mlon, g[1], g[2]) for g in run)
                events.append(
                    {
                        "gap": gi,
                        "vessel_dark": vessel,
                        "vessel_seen": int(segment_vessel[s]),
                        "start_s": run[0][0],
                        "end_s": run[-1][0],
                        "n_fixes": len(run),
                        "lat_deg": mlat,
                        "lon_deg": mlon,
                        "mean_sog_seen_kn": sum(g[3] for g in run) / len(run),
                        "area_km2": math.pi * spread**2 / 1e6,
                    }
                )
    events.sort(key=lambda e: (e["gap"], e["vessel_seen"], e["start_s"]))
    return events
