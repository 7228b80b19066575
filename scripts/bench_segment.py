"""Benchmark segmentation: coastwatch kernels and wrapper versus MovingPandas.

Generates simple random vessel tracks in the Arabian Sea (report intervals of
10 s to 3 min, whole-second times, occasional dark gaps of 2.5-8 h, one MMSI in
a hundred broadcast by two transmitters far apart), time-ordered like a
receiver feed, and times

* the segment kernel alone on sorted arrays (compile time reported apart);
* sort + segment on the arrays (sort_by_vessel_time, group_offsets,
  segment_tracks);
* ``coastwatch.segment`` end to end (DataFrame in, tracks + summary out), in
  the default mode and in MovingPandas-compatible mode;
* MovingPandas ``TrajectoryCollection`` + ``ObservationGapSplitter`` (2 h),

each in a fresh child process, printing the median time, the resident memory
after generating the data and the peak during the stage (``resource.getrusage``
after resetting the peak through ``/proc/self/clear_refs``), and ratios. It
checks that the compatible mode gives MovingPandas' trajectories (count,
first and last time).

Usage::

    python scripts/bench_segment.py                 # 1 M and 10 M, MP at 100 k and 1 M
    python scripts/bench_segment.py --sizes 100000 --mp-sizes 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GAP_H = 2.0
POINTS_PER_VESSEL = 1000


def generate(n_points: int, seed: int = 0) -> pd.DataFrame:
    """A time-ordered canonical track table of about ``n_points`` reports."""
    from coastwatch.schema import conform_tracks

    rng = np.random.default_rng(seed)
    n_vessels = max(1, n_points // POINTS_PER_VESSEL)
    sizes = rng.multinomial(n_points - n_vessels, np.full(n_vessels, 1 / n_vessels))
    sizes += 1
    vessel = np.repeat(np.arange(n_vessels), sizes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    first = np.zeros(n_points, dtype=bool)
    first[starts] = True

    interval_s = rng.uniform(10, 180, n_vessels)[vessel]
    dt_s = interval_s * rng.uniform(0.8, 1.2, n_points)
    dark = rng.random(n_points) < 0.002
    dt_s[dark] = rng.uniform(2.5, 8.0, dark.sum()) * 3600
    dt_s[first] = rng.uniform(0, 3600, n_vessels)
    t_s = _cumsum_by_vessel(dt_s, starts)

    speed_kn = rng.uniform(0, 18, n_vessels)[vessel] * rng.uniform(0.9, 1.1, n_points)
    turn = rng.normal(0, 3, n_points)
    turn[first] = rng.uniform(0, 360, n_vessels)
    course = _cumsum_by_vessel(turn, starts) % 360
    step_m = speed_kn * 1852 / 3600 * np.where(first, 0, dt_s)
    lat0 = rng.uniform(20.5, 25.5, n_vessels)[vessel]
    lon0 = rng.uniform(57.0, 68.0, n_vessels)[vessel]
    north = _cumsum_by_vessel(step_m * np.cos(np.radians(course)), starts)
    east = _cumsum_by_vessel(step_m * np.sin(np.radians(course)), starts)
    lat = np.clip(lat0 + north / 111_195, -89, 89)
    lon = (lon0 + east / (111_195 * np.cos(np.radians(lat))) + 180) % 360 - 180

    mmsi_of_vessel = rng.choice(np.arange(400_000_000, 480_000_000), n_vessels, False)
    # One vessel in a hundred shares its MMSI with another, far-away vessel.
    shared = rng.random(n_vessels) < 0.01
    mmsi_of_vessel[shared] = mmsi_of_vessel[rng.integers(0, n_vessels, shared.sum())]

    frame = pd.DataFrame(
        {
            "mmsi": mmsi_of_vessel[vessel],
            "timestamp": pd.to_datetime(
                (np.int64(1_704_067_200) + t_s.astype(np.int64)) * 10**9,
                utc=True,
            ),
            "lat": lat,
            "lon": lon,
            "sog": np.where(rng.random(n_points) < 0.05, np.nan, speed_kn),
            "cog": np.where(rng.random(n_points) < 0.05, np.nan, course),
        }
    )
    order = np.argsort(frame["timestamp"].to_numpy(), kind="stable")
    return conform_tracks(frame.iloc[order].reset_index(drop=True))


def _cumsum_by_vessel(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    offset = np.repeat(
        total[starts] - values[starts], np.diff(np.r_[starts, len(values)])
    )
    return total - offset


def _arrays(tracks: pd.DataFrame):
    from coastwatch.schema import timestamps_ns

    return (
        tracks["mmsi"].to_numpy(),
        np.ascontiguousarray(timestamps_ns(tracks)),
        tracks["lat"].to_numpy(),
        tracks["lon"].to_numpy(),
        tracks["sog"].to_numpy(),
        tracks["cog"].to_numpy(),
    )


KERNEL_ARGS = (GAP_H * 3600 * 10**9 - 1, True, 50.0, 300.0, 5.0, 10.0, 4)


def _sort_and_segment(mmsi, t, lat, lon, sog, cog):
    from kernels.segment import group_offsets, segment_tracks, sort_by_vessel_time

    _, mmsi, t, lat, lon, sog, cog = sort_by_vessel_time(
        mmsi, t, lat, lon, sog, cog, True
    )
    offsets = group_offsets(mmsi)
    return segment_tracks(t, lat, lon, sog, cog, offsets, *KERNEL_ARGS)


def _prepare(name: str, tracks: pd.DataFrame) -> tuple:
    """Import and compile what stage ``name`` needs; return (run, compile s).

    ``run()`` does the timed work and returns (mmsi, start, end) of the
    trajectories where the stage produces them, else None.
    """
    tiny = tracks.iloc[: min(len(tracks), 2000)]
    if name in ("kernel", "sort+segment"):
        from kernels.segment import group_offsets, segment_tracks, sort_by_vessel_time

        start = time.perf_counter()
        _sort_and_segment(*_arrays(tiny))  # compiles every kernel used
        compile_s = time.perf_counter() - start
        if name == "sort+segment":
            arrays = _arrays(tracks)
            return (lambda: _sort_and_segment(*arrays)), compile_s
        _, mmsi, t, lat, lon, sog, cog = sort_by_vessel_time(*_arrays(tracks), True)
        args = (t, lat, lon, sog, cog, group_offsets(mmsi), *KERNEL_ARGS)
        return (lambda: segment_tracks(*args)), compile_s
    if name.startswith("coastwatch.segment"):
        from coastwatch.config import SegmentConfig
        from coastwatch.segmentation import segment

        config = SegmentConfig(
            max_gap_h=GAP_H, movingpandas_compatible="compatible" in name
        )
        start = time.perf_counter()
        segment(tiny, config)
        compile_s = time.perf_counter() - start

        def run():
            summary = segment(tracks, config)[1]
            return summary["mmsi"], summary["start"], summary["end"]

        return run, compile_s
    import geopandas as gpd
    import movingpandas as mpd

    def run():
        gdf = gpd.GeoDataFrame(
            {
                "mmsi": tracks["mmsi"].to_numpy(),
                "timestamp": tracks["timestamp"].dt.tz_localize(None),
            },
            geometry=gpd.points_from_xy(tracks["lon"], tracks["lat"]),
            crs="EPSG:4326",
        )
        collection = mpd.TrajectoryCollection(gdf, "mmsi", t="timestamp")
        pieces = mpd.ObservationGapSplitter(collection).split(
            gap=pd.Timedelta(hours=GAP_H)
        )
        return (
            [int(str(p.id).split("_")[0]) for p in pieces],
            [p.get_start_time() for p in pieces],
            [p.get_end_time() for p in pieces],
        )

    return run, None


def _stage(name: str, n: int, repeats: int, queue) -> None:
    """Run one benchmark stage in this (child) process; report via queue."""
    # A fresh Numba cache per stage, so the compile time is a real compile.
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="coastwatch-bench-")
    warnings.filterwarnings("ignore")
    tracks = generate(n)
    run, compile_s = _prepare(name, tracks)
    gc.collect()
    peak_reset = _reset_peak_rss()
    rss_data_kb = _current_rss_kb()
    times = []
    output = None
    for _ in range(repeats):
        start = time.perf_counter()
        output = run()
        times.append(time.perf_counter() - start)
    result: dict = {
        "name": name,
        "n": n,
        "times": times,
        "compile_s": compile_s,
        "peak_reset": peak_reset,
        "rss_data_mb": rss_data_kb / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if isinstance(output, tuple) and len(output) == 3:
        result["segments"] = len(output[0])
        result["signature"] = _signature(*output)
    queue.put(result)


def _reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux), so the peak is the stage's own."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _current_rss_kb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _signature(mmsi, start, end) -> list[tuple[int, int, int]]:
    def ns(values):
        stamps = pd.DatetimeIndex(values)
        if stamps.tz is not None:
            stamps = stamps.tz_convert("UTC").tz_localize(None)
        return stamps.as_unit("ns").asi8.tolist()

    return sorted(zip(list(map(int, mmsi)), ns(start), ns(end), strict=True))


def _run(name: str, n: int, repeats: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_stage, args=(name, n, repeats, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--mp-sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mp-repeats", type=int, default=1)
    args = parser.parse_args(argv)

    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    print(f"{'stage':34} {'points':>11} {'median s':>10} {'Mpts/s':>8} "
          f"{'compile s':>12} {'RSS MB':>8} {'peak MB':>8}")  # fmt: skip
    results: dict[tuple[str, int], dict] = {}
    sizes = sorted(set(args.sizes) | set(args.mp_sizes))
    for n in sizes:
        stages = []
        if n in args.sizes:
            stages += ["kernel", "sort+segment", "coastwatch.segment"]
        stages += ["coastwatch.segment(compatible)"]
        if n in args.mp_sizes:
            stages += ["movingpandas"]
        for name in stages:
            repeats = args.mp_repeats if name == "movingpandas" else args.repeats
            if name == "movingpandas" and n <= 100_000:
                repeats = max(repeats, 3)
            r = _run(name, n, repeats)
            results[(name, n)] = r
            median = statistics.median(r["times"])
            first = f"{r['compile_s']:.3f}" if r["compile_s"] is not None else ""
            print(
                f"{name:34} {n:>11,} {median:>10.4f} {n / median / 1e6:>8.1f} "
                f"{first:>12} {r['rss_data_mb']:>8.0f} {r['rss_peak_mb']:>8.0f}",
                flush=True,
            )
    print()
    for n in args.mp_sizes:
        mp_r = results[("movingpandas", n)]
        cw_r = results[("coastwatch.segment(compatible)", n)]
        same = mp_r["signature"] == cw_r["signature"]
        mp_t = statistics.median(mp_r["times"])
        print(
            f"{n:,} points: MovingPandas {mp_r['segments']} trajectories, "
            f"coastwatch compatible {cw_r['segments']}: "
            f"{'identical' if same else 'DIFFERENT'} (count, first and last time)"
        )
        for name in ("coastwatch.segment(compatible)", "sort+segment", "kernel"):
            if (name, n) in results:
                t = statistics.median(results[(name, n)]["times"])
                print(f"  MovingPandas / {name}: {mp_t / t:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
