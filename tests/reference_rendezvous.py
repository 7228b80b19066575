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
