"""Benchmark the detection kernels on generated tracks (not a timed test).

For N points of generated traffic (``synthetic_tracks``: vessels that sail,
drift and stop, 10 s - 3 min reporting, a few long silences) it reports, per
kernel, the time of one call after compilation (median of several, CPU time
of this process, one thread), points per second, and the ratio to one
streaming pass over time, lat and lon (the memory-bandwidth floor, about
1 ns per point). Compilation is measured apart, in fresh processes: one with
an empty Numba cache (compile time) and one reusing that cache (the second
process start, which with ``cache=True`` loads machine code and compiles
nothing).

Usage::

    python scripts/bench_detect.py                  # 1 M and 10 M points
    python scripts/bench_detect.py --points 1e6 --repeats 7
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from synthetic_tracks import generate_tracks, split_offsets  # noqa: E402

from kernels.dark_gaps import dark_gaps, reception_context  # noqa: E402
from kernels.drift import drift_runs  # noqa: E402
from kernels.loitering import loitering_runs, stop_segments  # noqa: E402

LOITER = (2.0, 2000.0, 3600)  # max speed kn, radius m, min duration s
GAP_S = 7200
STOP = (500.0, 3600)  # max diameter m, min duration s
DRIFT = (1.0, 5.0, 45.0, 600.0, 500.0, 1800.0)  # kn, kn, deg, s, m, s
RECEPTION_M = 20_000.0


@numba.njit(cache=True, nogil=True)
def _stream(t, lat, lon):
    """One pass over the three columns every kernel reads: the floor."""
    acc = 0.0
    for i in range(t.shape[0]):
        acc += lat[i] + lon[i] + t[i]
    return acc


def _median_cpu(fn, args, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn(*args)
        times.append(time.process_time() - t0)
    return float(np.median(times)), out


def bench(n_points: int, repeats: int, seed: int = 1) -> dict:
    d = generate_tracks(n_points, seed)
    t, lat, lon, sog = d["t_s"], d["lat"], d["lon"], d["sog"]
    vessels = d["offsets"]
    segments = split_offsets(t, vessels, GAP_S)
    loiter_args = (t, lat, lon, sog, segments, *LOITER)
    gap_args = (t, lat, lon, vessels, GAP_S)
    stop_args = (t, lat, lon, segments, *STOP)
    # Course and heading: agreeing within a few degrees, except that a third
    # of the slow reports point 60-120 degrees off (a drifting hull).
    rng = np.random.default_rng(seed)
    cog = rng.uniform(0.0, 360.0, len(t)).astype(np.float32)
    off_course = (sog < 5.0) & (rng.random(len(t)) < 0.33)
    turn = np.where(
        off_course, rng.uniform(60.0, 120.0, len(t)), rng.normal(0, 5, len(t))
    )
    heading = ((cog + turn) % 360.0).astype(np.float32)
    drift_args = (t, lat, lon, sog, cog, heading, segments, *DRIFT)
    # Compile (or load) everything first.
    _stream(t[:10], lat[:10], lon[:10])
    loitering_runs(t[:10], lat[:10], lon[:10], sog[:10], np.array([0, 10]), *LOITER)
    dark_gaps(t[:10], lat[:10], lon[:10], np.array([0, 10]), GAP_S)
    stop_segments(t[:10], lat[:10], lon[:10], np.array([0, 10]), *STOP)
    drift_runs(*(a[:10] for a in drift_args[:6]), np.array([0, 10]), *DRIFT)
    floor_s, _ = _median_cpu(_stream, (t, lat, lon), repeats)
    loiter_s, runs = _median_cpu(loitering_runs, loiter_args, repeats)
    gaps_s, gaps = _median_cpu(dark_gaps, gap_args, repeats)
    stops_s, stops = _median_cpu(stop_segments, stop_args, max(3, repeats // 2))
    drift_s, drifts = _median_cpu(drift_runs, drift_args, repeats)
    # Reception context of every gap, at its start and its end.
    row, nxt = gaps[1], gaps[2]
    vessel_of_row = d["mmsi"]
    rec_args_start = (
        t[row],
        t[nxt],
        lat[row],
        lon[row],
        vessel_of_row[row],
        t,
        lat,
        lon,
        vessel_of_row,
        RECEPTION_M,
    )
    reception_context(
        *(a[:1] if isinstance(a, np.ndarray) else a for a in rec_args_start)
    )
    rec_s, heard = _median_cpu(reception_context, rec_args_start, 3)
    return {
        "points": n_points,
        "vessels": len(vessels) - 1,
        "segments": len(segments) - 1,
        "floor_s": floor_s,
        "loitering_s": loiter_s,
        "dark_gaps_s": gaps_s,
        "stop_segments_s": stops_s,
        "reception_s": rec_s,
        "drift_s": drift_s,
        "drifts": len(drifts[0]),
        "runs": len(runs[0]),
        "gaps": len(gaps[0]),
        "stops": len(stops[0]),
        "median_heard": float(np.median(heard)) if len(heard) else float("nan"),
    }


CHILD = """
import json, sys, time
sys.path.insert(0, {repo!r})
import numpy as np
t = np.arange(20, dtype=np.int64) * 600
lat = np.full(20, 25.0); lon = np.full(20, 62.0); sog = np.zeros(20, np.float32)
off = np.array([0, 20], dtype=np.int64)
v = np.zeros(20, dtype=np.int64)
out = {{}}
t0 = time.perf_counter()
import importlib
# The package exports functions named like their modules: import the modules.
L = importlib.import_module("kernels.loitering")
G = importlib.import_module("kernels.dark_gaps")
D = importlib.import_module("kernels.drift")
out["import_s"] = time.perf_counter() - t0
# Numba starts its runtime on the first call of any compiled function.
import numba
t0 = time.perf_counter()
numba.njit(lambda x: x)(1)
out["runtime_s"] = time.perf_counter() - t0
g = (t[:2], t[:2], lat[:2], lon[:2], v[:2])
calls = {{
    "loitering_runs": lambda: L.loitering_runs(t, lat, lon, sog, off, 2.0, 2e3, 3600),
    "dark_gaps": lambda: G.dark_gaps(t, lat, lon, off, 7200),
    "stop_segments": lambda: L.stop_segments(t, lat, lon, off, 500.0, 3600),
    "reception_context": lambda: G.reception_context(*g, t, lat, lon, v, 2e4),
    "drift_runs": lambda: D.drift_runs(
        t, lat, lon, sog, sog, sog, off, 1.0, 5.0, 45.0, 600.0, 500.0, 1800.0
    ),
}}
for name, call in calls.items():
    t0 = time.perf_counter()
    call()
    out[name] = time.perf_counter() - t0
print(json.dumps(out))
"""


def first_calls(cache_dir: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, NUMBA_NUM_THREADS="1")
    res = subprocess.run(
        [sys.executable, "-c", CHILD.format(repo=str(REPO))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=float, nargs="*", default=[1e6, 1e7])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    print("JIT compilation (first call of each kernel in a fresh process):")
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        cold = first_calls(cache)
        warm = first_calls(cache)
    print(f"  {'kernel':20s} {'empty cache':>12s} {'second process':>15s}")
    for name in (
        "loitering_runs",
        "dark_gaps",
        "stop_segments",
        "reception_context",
        "drift_runs",
    ):
        print(f"  {name:20s} {cold[name]:10.2f} s {warm[name] * 1e3:12.1f} ms")
    print(
        f"  (importing the kernel modules: {cold['import_s']:.2f} s, "
        f"{warm['import_s']:.2f} s; Numba runtime start and one tiny "
        f"compile, paid once per process: {warm['runtime_s']:.2f} s)\n"
    )

    print("Throughput after compilation (CPU time, median, one thread):")
    for n in args.points:
        r = bench(int(n), args.repeats)
        n_pts = r["points"]
        print(
            f"\n{n_pts:,} points, {r['vessels']:,} vessels, "
            f"{r['segments']:,} segments; "
            f"one streaming pass over t/lat/lon: {r['floor_s'] * 1e3:.1f} ms "
            f"({r['floor_s'] / n_pts * 1e9:.2f} ns/pt)"
        )
        rows = [
            ("loitering_runs", r["loitering_s"], f"{r['runs']:,} runs"),
            ("dark_gaps", r["dark_gaps_s"], f"{r['gaps']:,} gaps"),
            ("loitering + dark_gaps", r["loitering_s"] + r["dark_gaps_s"], ""),
            ("stop_segments", r["stop_segments_s"], f"{r['stops']:,} stops"),
            ("drift_runs", r["drift_s"], f"{r['drifts']:,} drifts"),
            (
                "reception_context",
                r["reception_s"],
                (
                    f"{r['gaps']:,} gaps x {n_pts:,} reports, "
                    f"median {r['median_heard']:.0f} heard"
                ),
            ),
        ]
        for name, sec, note in rows:
            print(
                f"  {name:22s} {sec * 1e3:9.1f} ms  {sec / n_pts * 1e9:7.1f} ns/pt  "
                f"{n_pts / sec / 1e6:7.1f} M pts/s  "
                f"{sec / r['floor_s']:6.1f} x floor  {note}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
