"""Benchmark the rendezvous kernels on a generated day of Makran traffic.

Traffic in the box lon 57.5–68 E, lat 22–26 N: ships on the shipping lanes
out of the Strait of Hormuz and to Karachi, coastal traffic between ports,
fishing boats drifting and trawling on grounds along the coast, ships at
anchor off the ports, and planted meetings (two vessels alongside, slow, for
40–120 minutes). Some vessels go silent for hours (dark gaps); tracks are cut
into segments at silences longer than 2 h, as segmentation does.

Usage::

    python scripts/bench_rendezvous.py                # 1 M / 500 and 10 M / 5,000
    python scripts/bench_rendezvous.py --small        # 0.1 M / 50 and 1 M / 500
    python scripts/bench_rendezvous.py --fresh-cache  # measure the JIT compile

Prints the compile (or cache load) time, the median wall and CPU time of
each size, the 10x scaling ratio, how many planted meetings were found, and
the dark rendezvous kernels on the gaps of the same traffic. On a shared
machine the CPU time (``time.process_time``) is the steadier measure: wall
time also counts the time other processes hold the cores.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time

import numpy as np

DAY0 = 1_704_067_200  # 2024-01-01 00:00 UTC
DAY = 86_400
KNOT = 1852.0 / 3600.0
R = 6_371_008.8

PORTS = {  # anchorage centres (lat, lon)
    "Karachi": (24.76, 66.88),
    "Port Qasim": (24.70, 67.15),
    "Ormara": (25.16, 64.64),
    "Pasni": (25.22, 63.50),
    "Gwadar": (25.06, 62.36),
    "Jiwani": (25.02, 61.77),
    "Chabahar": (25.26, 60.63),
    "Jask": (25.58, 57.82),
}
LANES = [  # (lat, lon) -> (lat, lon)
    ((25.45, 57.50), (22.30, 68.00)),  # Hormuz -> India west coast
    ((25.30, 57.50), (24.70, 66.95)),  # Hormuz -> Karachi
    ((25.10, 57.50), (23.00, 68.00)),  # Hormuz -> Gujarat
    ((24.60, 66.90), (22.00, 64.00)),  # Karachi -> south
]
FISHING_GROUNDS = [  # (lat, lon) a few tens of km off the coast
    (25.05, 58.50),
    (25.10, 59.50),
    (25.05, 60.40),
    (24.95, 61.50),
    (24.95, 62.60),
    (25.05, 63.20),
    (25.00, 64.20),
    (24.90, 65.20),
    (24.60, 66.40),
    (24.30, 67.00),
]


def _move(lat, lon, bearing_rad, dist_m):
    """Small-distance dead reckoning (equirectangular), degrees."""
    dlat = dist_m * np.cos(bearing_rad) / R
    dlon = dist_m * np.sin(bearing_rad) / (R * np.cos(np.radians(lat)))
    return lat + np.degrees(dlat), lon + np.degrees(dlon)


def _transit(rng):
    (la0, lo0), (la1, lo1) = LANES[rng.integers(len(LANES))]
    if rng.random() < 0.5:
        la0, lo0, la1, lo1 = la1, lo1, la0, lo0
    speed = rng.uniform(10, 16) * KNOT
    length = R * math.hypot(
        math.radians(la1 - la0), math.radians(lo1 - lo0) * math.cos(math.radians(24))
    )
    f0 = rng.uniform(-0.3, 0.9)  # starts before, on or near the end of its lane
    t_enter = DAY0 + max(0.0, -f0) * length / speed
    f0 = max(f0, 0.0)
    t_exit = t_enter + (1 - f0) * length / speed
    off = rng.normal(0, 0.02)
    wt = np.array([t_enter, t_exit])
    wlat = np.array([la0 + f0 * (la1 - la0), la1]) + off
    wlon = np.array([lo0 + f0 * (lo1 - lo0), lo1]) + off
    return wt, wlat, wlon


def _wander(rng, lat, lon, t0, t1, speeds, leg_s, home=None, leash_m=20_000):
    wt = [t0]
    wlat = [lat]
    wlon = [lon]
    t = t0
    while t < t1:
        leg = rng.uniform(*leg_s)
        speed = speeds[rng.integers(len(speeds))] * rng.uniform(0.8, 1.2) * KNOT
        bearing = rng.uniform(0, 2 * np.pi)
        if home is not None:
            dy = (home[0] - lat) * np.pi / 180 * R
            dx = (home[1] - lon) * np.pi / 180 * R * np.cos(np.radians(lat))
            if math.hypot(dx, dy) > leash_m:
                bearing = math.atan2(dx, dy)
        lat, lon = _move(lat, lon, bearing, speed * leg)
        t += leg
        wt.append(t)
        wlat.append(lat)
        wlon.append(lon)
    return np.array(wt), np.array(wlat), np.array(wlon)


def _fishing(rng, ground):
    glat, glon = ground
    lat = glat + rng.normal(0, 0.05)
    lon = glon + rng.normal(0, 0.08)
    return _wander(
        rng,
        lat,
        lon,
        DAY0,
        DAY0 + DAY,
        [0.6, 1.2, 3.5, 7.0],
        (600, 3600),
        home=(glat, glon),
    )


def _berth(rng, port, radius_m):
    """A random anchoring position in the port's anchorage disk."""
    alat, alon = port
    r = radius_m * math.sqrt(rng.random())
    return _move(alat, alon, rng.uniform(0, 2 * np.pi), r)


def _anchored(rng, port, radius_m):
    lat, lon = _berth(rng, port, radius_m)
    return _wander(rng, lat, lon, DAY0, DAY0 + DAY, [0.05, 0.2], (1800, 7200))


def _coastal(rng, radius_m):
    ports = list(PORTS.values())
    a, b = rng.choice(len(ports), 2, replace=False)
    la0, lo0 = _berth(rng, ports[a], radius_m)
    la1, lo1 = _berth(rng, ports[b], radius_m)
    speed = rng.uniform(8, 12) * KNOT
    dist = R * math.hypot(
        math.radians(la1 - la0), math.radians(lo1 - lo0) * math.cos(math.radians(25))
    )
    t_dep = DAY0 + rng.uniform(0, DAY / 2)
    t_arr = t_dep + dist / speed
    wt = np.array([DAY0, t_dep, t_arr, max(t_arr + 60, DAY0 + DAY)])
    return wt, np.array([la0, la0, la1, la1]), np.array([lo0, lo0, lo1, lo1])


def _meeting_pair(rng):
    """Two vessels that come together and stay alongside, slow."""
    mlat = rng.uniform(22.5, 25.0)
    mlon = rng.uniform(58.5, 67.5)
    t_meet = DAY0 + rng.uniform(3 * 3600, DAY - 5 * 3600)
    dur = rng.uniform(40, 120) * 60
    paths = []
    sep_bearing = rng.uniform(0, 2 * np.pi)
    for side in (0, 1):
        speed = rng.uniform(7, 11) * KNOT
        b_in = rng.uniform(0, 2 * np.pi)
        b_out = rng.uniform(0, 2 * np.pi)
        here = _move(mlat, mlon, sep_bearing, 120.0 * side)
        start = _move(here[0], here[1], b_in, speed * (t_meet - DAY0))
        drift = _move(here[0], here[1], sep_bearing + np.pi / 2, 0.8 * KNOT * dur)
        end = _move(drift[0], drift[1], b_out, speed * (DAY0 + DAY - t_meet - dur))
        paths.append(
            (
                np.array([DAY0, t_meet, t_meet + dur, DAY0 + DAY]),
                np.array([start[0], here[0], drift[0], end[0]]),
                np.array([start[1], here[1], drift[1], end[1]]),
            )
        )
    return paths, (t_meet, t_meet + dur)


def generate_traffic(n_vessels, n_points, seed=0):
    """One day of generated Makran traffic as kernel arrays.

    Returns
    -------
    dict
        ``t_s, lat_deg, lon_deg, sog_kn, offsets, segment_vessel`` (sorted by
        segment then time), ``meetings`` (list of (vessel_a, vessel_b,
        start_s, end_s)) and ``gaps`` (the silences longer than 2 h).
    """
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        ["transit", "fishing", "anchored", "coastal"],
        size=n_vessels,
        p=[0.35, 0.35, 0.17, 0.13],
    )
    n_meet = max(1, n_vessels // 40)  # 5 % of vessels meet in pairs
    paths = []
    meetings = []
    for i in range(n_meet):
        pair, (ts, te) = _meeting_pair(rng)
        paths.extend(pair)
        meetings.append((2 * i, 2 * i + 1, ts, te))
    # Densities stay realistic at any fleet size: anchorages grow so that a
    # ship at anchor has about 1.5 km^2 of swinging room, and larger fishing
    # fleets spread over more grounds (about 18 boats per ground).
    n_ports = len(PORTS)
    n_anchored = int((kinds == "anchored").sum() + (kinds == "coastal").sum())
    radius_m = max(3000.0, math.sqrt(n_anchored / n_ports * 1.5e6 / math.pi))
    n_grounds = max(len(FISHING_GROUNDS), int((kinds == "fishing").sum()) // 18)
    base = np.array(FISHING_GROUNDS)
    pos = np.linspace(0, len(base) - 1, n_grounds)
    grounds = np.column_stack(
        [
            np.interp(pos, np.arange(len(base)), base[:, 0])
            - rng.uniform(0, 0.4, n_grounds),
            np.interp(pos, np.arange(len(base)), base[:, 1])
            + rng.normal(0, 0.1, n_grounds),
        ]
    )
    ports = list(PORTS.values())
    for kind in kinds[2 * n_meet :]:
        if kind == "transit":
            paths.append(_transit(rng))
        elif kind == "fishing":
            paths.append(_fishing(rng, grounds[rng.integers(n_grounds)]))
        elif kind == "anchored":
            paths.append(_anchored(rng, ports[rng.integers(n_ports)], radius_m))
        else:
            paths.append(_coastal(rng, radius_m))
    # Points per vessel: moving ships report more often than ships at anchor.
    weight = rng.uniform(0.5, 1.5, n_vessels)
    counts = np.maximum(2, np.round(weight / weight.sum() * n_points)).astype(np.int64)
    ts_all, lat_all, lon_all, sog_all, vessel_all = [], [], [], [], []
    for v, ((wt, wlat, wlon), n) in enumerate(zip(paths, counts, strict=True)):
        t0 = max(wt[0], DAY0)
        t1 = min(wt[-1], DAY0 + DAY)
        if t1 - t0 < 600:
            t0, t1 = DAY0, DAY0 + DAY
            wt = np.array([t0, t1])
            wlat = np.repeat(wlat[:1], 2)
            wlon = np.repeat(wlon[:1], 2)
        t = np.sort(rng.uniform(t0, t1, n)).astype(np.int64)
        if v >= 2 * n_meet and rng.random() < 0.12:  # a dark gap of 2.5-8 h
            g0 = rng.uniform(t0, t1)
            keep = (t < g0) | (t > g0 + rng.uniform(2.5, 8) * 3600)
            t = t[keep]
        lat = np.interp(t, wt, wlat) + rng.normal(0, 5e-5, t.size)
        lon = np.interp(t, wt, wlon) + rng.normal(0, 5e-5, t.size)
        seg = np.searchsorted(wt, t, side="right").clip(1, len(wt) - 1)
        dist = np.hypot(
            np.diff(wlat) * np.pi / 180 * R,
            np.diff(wlon) * np.pi / 180 * R * np.cos(np.radians(wlat[:-1])),
        )
        leg_speed = dist / np.maximum(np.diff(wt), 1) / KNOT
        sog = (leg_speed[seg - 1] + rng.normal(0, 0.1, t.size)).clip(0, None)
        sog[rng.random(t.size) < 0.05] = np.nan
        ts_all.append(t)
        lat_all.append(lat)
        lon_all.append(lon)
        sog_all.append(sog.astype(np.float32))
        vessel_all.append(np.full(t.size, 400_000_000 + v, dtype=np.int64))
    t = np.concatenate(ts_all)
    lat = np.concatenate(lat_all)
    lon = np.concatenate(lon_all)
    sog = np.concatenate(sog_all)
    vessel = np.concatenate(vessel_all)
    # Segments: cut each vessel's track at silences longer than 2 h.
    new_seg = np.ones(t.size, dtype=bool)
    new_seg[1:] = (vessel[1:] != vessel[:-1]) | (np.diff(t) > 7200)
    starts = np.flatnonzero(new_seg)
    offsets = np.append(starts, t.size).astype(np.int64)
    gap_at = np.flatnonzero(new_seg[1:] & (vessel[1:] == vessel[:-1]))
    gaps = {
        "vessel": vessel[gap_at],
        "t0": t[gap_at],
        "lat0": lat[gap_at],
        "lon0": lon[gap_at],
        "t1": t[gap_at + 1],
        "lat1": lat[gap_at + 1],
        "lon1": lon[gap_at + 1],
    }
    meetings = [(400_000_000 + a, 400_000_000 + b, s, e) for a, b, s, e in meetings]
    return {
        "t_s": t,
        "lat_deg": lat,
        "lon_deg": lon,
        "sog_kn": sog,
        "offsets": offsets,
        "segment_vessel": vessel[starts],
        "meetings": meetings,
        "gaps": gaps,
    }


ARGS = (500.0, 3.0, 60, 7200, 600, 1800)


def run(tr):
    from kernels.rendezvous import rendezvous_pairs

    return rendezvous_pairs(
        tr["t_s"],
        tr["lat_deg"],
        tr["lon_deg"],
        tr["sog_kn"],
        tr["offsets"],
        tr["segment_vessel"],
        *ARGS,
    )


def timed(fn, arg, repeat):
    """Median wall and CPU seconds of ``repeat`` calls, and the last result."""
    wall = []
    cpu = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        out = fn(arg)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return float(np.median(wall)), float(np.median(cpu)), out


def found_meetings(tr, out):
    va, vb, start, end = out[0], out[1], out[2], out[3]
    hit = 0
    for a, b, s, e in tr["meetings"]:
        m = (va == a) & (vb == b) & (start <= e) & (end >= s)
        hit += bool(m.any())
    return hit


def run_dark(tr):
    from kernels.dark_rendezvous import dark_rendezvous_pairs, dark_seen_pairs

    g = tr["gaps"]
    two = dark_rendezvous_pairs(
        g["vessel"],
        g["t0"],
        g["lat0"],
        g["lon0"],
        g["t1"],
        g["lat1"],
        g["lon1"],
        12.0,
        1800,
        0.0,
    )
    one = dark_seen_pairs(
        g["vessel"],
        g["t0"],
        g["lat0"],
        g["lon0"],
        g["t1"],
        g["lat1"],
        g["lon1"],
        tr["t_s"],
        tr["lat_deg"],
        tr["lon_deg"],
        tr["sog_kn"],
        tr["offsets"],
        tr["segment_vessel"],
        12.0,
        3.0,
        1800,
        600,
        7200,
    )
    return two, one


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="0.1 M and 1 M points")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--fresh-cache",
        action="store_true",
        help="compile into an empty Numba cache to measure the JIT compile",
    )
    args = parser.parse_args()
    if args.fresh_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-cache-")
    sizes = (
        [(100_000, 50), (1_000_000, 500)]
        if args.small
        else [(1_000_000, 500), (10_000_000, 5_000)]
    )

    tiny = generate_traffic(20, 2_000, seed=1)
    t0 = time.perf_counter()
    run(tiny)
    t1 = time.perf_counter()
    run_dark(tiny)
    t2 = time.perf_counter()
    what = "compile" if args.fresh_cache else "compile or cache load"
    print(
        f"{what} (first call, tiny input): rendezvous {t1 - t0:.2f} s, "
        f"dark rendezvous {t2 - t1:.2f} s"
    )

    results = []
    for n_points, n_vessels in sizes:
        t0 = time.perf_counter()
        tr = generate_traffic(n_vessels, n_points, seed=7)
        gen_s = time.perf_counter() - t0
        n_seg = tr["offsets"].size - 1
        wall, cpu, out = timed(run, tr, args.repeat)
        found = found_meetings(tr, out)
        n_groups = np.unique(out[12]).size
        multi = np.bincount(out[12]).max() if out[12].size else 0
        print(
            f"rendezvous {tr['t_s'].size:>10,} points {n_vessels:>5} vessels "
            f"{n_seg:>5} segments: wall {wall:6.2f} s, cpu {cpu:6.2f} s "
            f"(median of {args.repeat}; {tr['t_s'].size / wall / 1e6:.1f} M points/s "
            f"wall); {out[0].size} events in {n_groups} groups (largest {multi} "
            f"events); planted meetings found {found}/{len(tr['meetings'])} "
            f"(generation {gen_s:.1f} s)"
        )
        dwall, dcpu, (two, one) = timed(run_dark, tr, args.repeat)
        print(
            f"dark rendezvous on {tr['gaps']['t0'].size} gaps: wall {dwall:6.2f} s, "
            f"cpu {dcpu:6.2f} s; {two[0].size} two-dark pairs, "
            f"{one[0].size} one-dark events"
        )
        results.append((tr["t_s"].size, wall, cpu))
        del tr, out
    (n1, w1, c1), (n2, w2, c2) = results
    print(
        f"scaling: {n2 / n1:.1f}x the points cost {w2 / w1:.1f}x the wall time and "
        f"{c2 / c1:.1f}x the CPU time (target <= 12x); largest run wall {w2:.2f} s, "
        f"cpu {c2:.2f} s (target < 20 s for 10 M)"
    )


if __name__ == "__main__":
    main()
