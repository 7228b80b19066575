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

each in a fresh child process, printing the median time, the child's peak
resident memory (``resource.getrusage``) and ratios. It checks that the
compatible mode gives MovingPandas' trajectories (count, first and last time).

Usage::

    python scripts/bench_segment.py                 # 1 M and 10 M, MP at 100 k and 1 M
    python scripts/bench_segment.py --sizes 100000 --mp-sizes 100000 --repeats 3
"""

from __future__ import annotations

import argparse
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


def _stage(name: str, n: int, repeats: int, queue) -> None:
    """Run one benchmark stage in this (child) process; report via queue."""
    warnings.filterwarnings("ignore")
    tracks = generate(n)
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result: dict = {"name": name, "n": n}
    if name == "kernel":
        from kernels.segment import group_offsets, segment_tracks, sort_by_vessel_time

        _, mmsi, t, lat, lon, sog, cog = sort_by_vessel_time(*_arrays(tracks), True)
        offsets = group_offsets(mmsi)
        args = (t, lat, lon, sog, cog, offsets, *KERNEL_ARGS)
        start = time.perf_counter()
        segment_tracks(*args)
        result["first_call_s"] = time.perf_counter() - start
        result["times"] = _times(lambda: segment_tracks(*args), repeats)
    elif name == "sort+segment":
        arrays = _arrays(tracks)
        start = time.perf_counter()
        _sort_and_segment(*arrays)
        result["first_call_s"] = time.perf_counter() - start
        result["times"] = _times(lambda: _sort_and_segment(*arrays), repeats)
    elif name in ("coastwatch.segment", "coastwatch.segment(compatible)"):
        from coastwatch.config import SegmentConfig
        from coastwatch.segmentation import segment

        config = SegmentConfig(
            max_gap_h=GAP_H, movingpandas_compatible="compatible" in name
        )
        segment(tracks.iloc[:1000], config)  # load compiled kernels
        result["times"] = _times(lambda: segment(tracks, config), repeats)
        _, summary = segment(tracks, config)
        result["segments"] = len(summary)
        result["signature"] = _signature(
            summary["mmsi"], summary["start"], summary["end"]
        )
    elif name == "movingpandas":
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
            splitter = mpd.ObservationGapSplitter(collection)
            return splitter.split(gap=pd.Timedelta(hours=GAP_H))

        pieces = None

        def keep():
            nonlocal pieces
            pieces = run()

        result["times"] = _times(keep, repeats)
        ids = [int(str(traj.id).split("_")[0]) for traj in pieces]
        result["segments"] = len(ids)
        result["signature"] = _signature(
            ids,
            [traj.get_start_time() for traj in pieces],
            [traj.get_end_time() for traj in pieces],
        )
    result["rss_data_mb"] = rss_data / 1024
    result["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def _signature(mmsi, start, end) -> list[tuple[int, int, int]]:
    def ns(values):
        stamps = pd.DatetimeIndex(values)
        if stamps.tz is not None:
            stamps = stamps.tz_convert("UTC").tz_localize(None)
        return stamps.as_unit("ns").asi8.tolist()

    return sorted(zip(list(map(int, mmsi)), ns(start), ns(end), strict=True))


def _times(func, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


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

    # A fresh Numba cache, so the first kernel call shows the compile time.
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="coastwatch-bench-")
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    print(f"numba cache: {os.environ['NUMBA_CACHE_DIR']} (fresh)")
    print(f"{'stage':34} {'points':>11} {'median s':>10} {'Mpts/s':>8} "
          f"{'first call s':>12} {'data MB':>8} {'peak MB':>8}")  # fmt: skip
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
            first = f"{r['first_call_s']:.3f}" if "first_call_s" in r else ""
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
