"""Scale benchmark: Parquet in -> events, grids, heatmaps, tasking out.

Generated Makran traffic (:func:`coastwatch.simulate`, full reception, 2,000
vessels a day: about 5 million fixes a day) is cut to the first N fixes in
time (N = 1, 3, 10, 30 million by default) and run end to end -- read,
segment, detect, score, and per day the risk grid, heatmaps, tasking list
and report -- in three modes:

``memory``
    :func:`coastwatch.run_daily` on the whole table in one process.
``partitioned``
    out of core in one process: :func:`coastwatch.dataset.ingest_partitioned`
    then :func:`coastwatch.partitioned.daily_dataset`.
``dask``
    the same on a ``distributed.LocalCluster`` of ``--workers`` processes
    (one thread each), started before the clock starts.

Each measurement runs in a fresh process; it reports seconds per stage,
fixes per second, and the peak resident memory (``ru_maxrss``) of the
process and of each Dask worker. MovingPandas does the parts it can on the
same fixes (a TrajectoryCollection, ObservationGapSplitter(2 h),
TrajectoryStopDetector(500 m, 1 h)) at ``--mp-sizes``, side by side with
coastwatch's segmentation and stop/loitering detection on those fixes.

The data is generated once into ``--data`` (two simulated days at a time,
about 2 minutes and 5.5 GB of memory per 10 million fixes) and reused.

Usage::

    python scripts/bench_scale.py [--data DIR] [--sizes 1e6 3e6 10e6 30e6]
        [--modes memory partitioned dask] [--workers 2] [--repeat 1]
        [--memory-max 10e6] [--mp-sizes 1e5 1e6] [--mp-timeout 900]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIRST_DAY = "2024-01-15"
VESSELS = 2000
BLOCK_DAYS = 2


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def _generate_block(data: Path, k: int) -> None:
    import pandas as pd

    from coastwatch.readers import write_tracks
    from coastwatch.simulate import AisModel, simulate

    day = pd.Timestamp(FIRST_DAY) + pd.Timedelta(days=BLOCK_DAYS * k)
    scenario = simulate(
        day.strftime("%Y-%m-%d"),
        days=BLOCK_DAYS,
        vessels=VESSELS,
        seed=1 + k,
        ais_model=AisModel.full_reception(),
    )
    write_tracks(scenario.tracks, data / f"block{k}.parquet")


def _blocks(data: Path, rows: int) -> list[Path]:
    """Blocks of two simulated days, generated until they hold ``rows``."""
    import pyarrow.parquet as pq

    out, total, k = [], 0, 0
    while total < rows:
        path = data / f"block{k}.parquet"
        if not path.exists():
            print(f"generating {path.name} (two days, {VESSELS} vessels a day)...")
            subprocess.run(
                [sys.executable, __file__, "--data", str(data), "--block", str(k)],
                check=True,
            )
        out.append(path)
        total += pq.ParquetFile(path).metadata.num_rows
        k += 1
    return out


def input_file(data: Path, rows: int) -> Path:
    """The first ``rows`` fixes in time, as one canonical Parquet file."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = data / f"input-{rows}.parquet"
    if path.exists():
        return path
    blocks = _blocks(data, rows)
    left = rows
    part = path.with_suffix(".part")
    writer = None
    for block in blocks:
        table = pq.read_table(block)
        if table.num_rows > left:
            t = table.column("timestamp").cast(pa.int64()).to_numpy()
            cut = np.sort(t)[left - 1]
            keep = np.flatnonzero(t <= cut)[:left]  # ties at the cut: first read
            table = table.take(keep)
        writer = writer or pq.ParquetWriter(part, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1 << 20)
        left -= table.num_rows
        if left <= 0:
            break
    writer.close()
    part.rename(path)
    return path


def mp_input_file(data: Path, rows: int) -> Path:
    """``rows`` fixes of whole vessels (two days each) from the first block.

    MovingPandas' stop detector needs whole tracks: the first fixes in time
    (``input_file``) hold no hour-long stop at small sizes.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = data / f"mp-input-{rows}.parquet"
    if path.exists():
        return path
    table = pq.read_table(_blocks(data, rows)[0])
    mmsi = table.column("mmsi").to_numpy()
    ids, counts = np.unique(mmsi, return_counts=True)
    k = int(np.searchsorted(np.cumsum(counts), rows))
    table = table.filter(
        pc.is_in(table.column("mmsi"), value_set=pa.array(ids[: k + 1]))
    )
    table = table.sort_by([("mmsi", "ascending"), ("timestamp", "ascending")])
    pq.write_table(table.slice(0, rows), path, compression="zstd")
    return path


# --------------------------------------------------------------------------
# One measurement (run in its own process)
# --------------------------------------------------------------------------


def measure(mode: str, source: Path, out: Path, workers: int) -> dict:
    from coastwatch.config import load_config

    config = load_config()
    result: dict = {"mode": mode, "load_before": os.getloadavg()[0]}
    started = time.perf_counter()
    if mode == "memory":
        from coastwatch.pipeline import run_daily

        run = run_daily(source, out, config)
        result["stages"] = dict(run.timings)
        events, n_days = run.events, len(run.days)
    else:
        from coastwatch.dataset import ingest_partitioned
        from coastwatch.partitioned import daily_dataset

        executor, client = None, None
        if mode == "dask":
            from coastwatch.distributed import DaskExecutor, local_cluster

            t0 = time.perf_counter()
            client = local_cluster(workers)
            client.run(_warm_worker)
            result["cluster_start_s"] = time.perf_counter() - t0
            executor = DaskExecutor(client)
            started = time.perf_counter()
        t0 = time.perf_counter()
        dataset = ingest_partitioned(source, out / "dataset", executor=executor)
        ingest_s = time.perf_counter() - t0
        run = daily_dataset(
            dataset, out / "days", config, executor=executor, work_dir=out
        )
        result["stages"] = {"ingest": ingest_s, **run.timings}
        result["buckets"], result["windows"] = run.buckets, run.windows
        events, n_days = run.events, len(run.days)
        if client is not None:
            from coastwatch.distributed import worker_peak_memory

            result["worker_peak_rss"] = sorted(worker_peak_memory(client).values())
            client.close()
    result["total_s"] = time.perf_counter() - started
    result["peak_rss"] = _peak_rss()
    result["events"] = events["kind"].value_counts().to_dict()
    result["days"] = n_days
    result["load_after"] = os.getloadavg()[0]
    return result


def _warm_worker() -> None:
    """Load the compiled kernels in a worker before the clock starts."""
    import coastwatch.partitioned  # noqa: F401
    import kernels  # noqa: F401


def warm_up(data: Path) -> None:
    """Compile or load every kernel once, on a small run, before timing."""
    from coastwatch.pipeline import run_daily

    small = input_file(data, 50_000)
    out = data / "warm-up"
    run_daily(small, out)
    shutil.rmtree(out, ignore_errors=True)


def measure_movingpandas(source: Path) -> dict:
    """MovingPandas' collection, gap splitter and stop detector vs coastwatch's."""
    import warnings
    from datetime import timedelta

    import geopandas as gpd
    import movingpandas as mpd
    import numpy as np
    import pyarrow.parquet as pq

    from coastwatch.config import load_config
    from coastwatch.detection import find_loitering
    from coastwatch.segmentation import segment
    from kernels.loitering import stop_segments

    tracks = pq.read_table(source).to_pandas()
    config = load_config()
    # Load the compiled kernels before the clock starts.
    small = segment(tracks.iloc[:2000], config)[0]
    find_loitering(small, config)
    stop_segments(
        np.zeros(2, np.int64), np.zeros(2), np.zeros(2), np.array([0, 2]), 500.0, 1
    )
    out = {"rows": len(tracks)}
    # coastwatch: segments (2 h gaps, transmitter separation), stops of
    # 500 m for 1 h (the kernel MovingPandas' detector is compared with), and
    # loitering events.
    t0 = time.perf_counter()
    segmented, _ = segment(tracks, config)
    out["cw_segment_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    t_ns = segmented["timestamp"].to_numpy("datetime64[ns]").view(np.int64)
    seg = segmented["segment"].to_numpy()
    order = np.lexsort((t_ns, seg))
    starts = np.flatnonzero(np.diff(seg[order])) + 1
    offsets = np.concatenate([[0], starts, [len(order)]]).astype(np.int64)
    stops = stop_segments(
        np.ascontiguousarray(t_ns[order]),
        np.ascontiguousarray(segmented["lat"].to_numpy()[order]),
        np.ascontiguousarray(segmented["lon"].to_numpy()[order]),
        offsets,
        500.0,
        3600 * 10**9,
    )
    out["cw_stops_s"] = time.perf_counter() - t0
    out["cw_stops"] = len(stops[0])
    t0 = time.perf_counter()
    out["cw_loitering"] = len(find_loitering(segmented, config))
    out["cw_loitering_s"] = time.perf_counter() - t0
    # MovingPandas.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        frame = tracks[["mmsi", "timestamp", "lat", "lon", "sog"]].copy()
        frame["timestamp"] = frame["timestamp"].dt.tz_localize(None)
        gdf = gpd.GeoDataFrame(
            frame,
            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
            crs="EPSG:4326",
        )
        collection = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi", t="timestamp")
        out["mp_collection_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pieces = mpd.ObservationGapSplitter(collection).split(gap=timedelta(hours=2))
        out["mp_split_s"] = time.perf_counter() - t0
        out["mp_pieces"] = len(pieces.trajectories)
        t0 = time.perf_counter()
        ranges = mpd.TrajectoryStopDetector(pieces).get_stop_time_ranges(
            max_diameter=500.0, min_duration=timedelta(hours=1)
        )
        out["mp_stops_s"] = time.perf_counter() - t0
        out["mp_stops"] = len(ranges)
    out["peak_rss"] = _peak_rss()
    return out


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def _child(args: list[str], timeout: float | None = None) -> dict | None:
    try:
        done = subprocess.run(
            [sys.executable, __file__, *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        print(exc.stdout[-2000:], exc.stderr[-4000:], file=sys.stderr)
        raise
    return json.loads(done.stdout.strip().splitlines()[-1])


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f}"


def _rows(text: str) -> int:
    return int(float(text))


def _table(results: list[dict]) -> str:
    lines = [
        (
            "| rows | mode | total s | rows/s | stages (s) | peak memory GB "
            "(process; workers) | buckets x windows | days | events |"
        ),
        "| ---: | --- | ---: | ---: | --- | --- | --- | ---: | --- |",
    ]
    for r in results:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
        memory = _gb(r["peak_rss"])
        if r.get("worker_peak_rss"):
            memory += "; " + ", ".join(_gb(w) for w in r["worker_peak_rss"])
        layout = f"{r['buckets']} x {r['windows']}" if "buckets" in r else ""
        events = ", ".join(f"{v} {k}" for k, v in sorted(r["events"].items()))
        lines.append(
            f"| {r['rows']:,} | {r['mode']} | {r['total_s']:.1f} | "
            f"{r['rows'] / r['total_s']:,.0f} | {stages} | {memory} | {layout} | "
            f"{r['days']} | {events} |"
        )
    return "\n".join(lines)


def _mp_table(results: list[dict]) -> str:
    lines = [
        (
            "| rows | MovingPandas collection + split + stops (s) | coastwatch "
            "segment + stops (s) | ratio | stops MP / cw | coastwatch loitering (s) |"
        ),
        "| ---: | --- | --- | ---: | --- | ---: |",
    ]
    for r in results:
        if r.get("timed_out"):
            lines.append(
                f"| {r['rows']:,} | did not finish in {r['timeout']:.0f} s | | | | |"
            )
            continue
        mp = r["mp_collection_s"] + r["mp_split_s"] + r["mp_stops_s"]
        cw = r["cw_segment_s"] + r["cw_stops_s"]
        lines.append(
            f"| {r['rows']:,} | {r['mp_collection_s']:.1f} + {r['mp_split_s']:.1f} "
            f"+ {r['mp_stops_s']:.1f} = {mp:.1f} | {r['cw_segment_s']:.2f} + "
            f"{r['cw_stops_s']:.2f} = {cw:.2f} | {mp / cw:,.0f}x | "
            f"{r['mp_stops']} / {r['cw_stops']} | {r['cw_loitering_s']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/coastwatch-bench-scale")
    parser.add_argument("--sizes", nargs="+", default=["1e6", "3e6", "10e6", "30e6"])
    parser.add_argument("--modes", nargs="+", default=["memory", "partitioned", "dask"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--memory-max",
        default="10e6",
        help="largest size run in 'memory' mode (the whole table in RAM)",
    )
    parser.add_argument("--mp-sizes", nargs="*", default=["1e5", "1e6"])
    parser.add_argument("--mp-timeout", type=float, default=900.0)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--block", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--mp-one", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)

    if args.block is not None:
        _generate_block(data, args.block)
        return
    if args.one:
        mode, rows = args.one[0], _rows(args.one[1])
        out = data / f"out-{mode}-{rows}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        result = measure(mode, input_file(data, rows), out, args.workers)
        shutil.rmtree(out, ignore_errors=True)
        result["rows"] = rows
        print(json.dumps(result))
        return
    if args.mp_one:
        source = mp_input_file(data, _rows(args.mp_one))
        print(json.dumps(measure_movingpandas(source)))
        return
    if args.prepare:
        sizes = [_rows(s) for s in args.sizes]
        for n in sizes:
            input_file(data, n)
        for n in (_rows(s) for s in args.mp_sizes):
            mp_input_file(data, n)
        warm_up(data)
        print(json.dumps({"prepared": sizes}))
        return

    # Everything heavy runs in child processes: Linux carries a process's
    # peak memory (ru_maxrss) over into the programs it starts.
    sizes = [_rows(s) for s in args.sizes]
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()}; preparing inputs...")
    _child(
        [
            "--data",
            str(data),
            "--prepare",
            "--sizes",
            *args.sizes,
            "--mp-sizes",
            *args.mp_sizes,
        ]
    )
    results = []
    for n in sizes:
        for mode in args.modes:
            if mode == "memory" and n > _rows(args.memory_max):
                print(f"{n:,} {mode}: skipped (above --memory-max)")
                continue
            runs = [
                _child(
                    [
                        "--data",
                        str(data),
                        "--one",
                        mode,
                        str(n),
                        "--workers",
                        str(args.workers),
                    ]
                )
                for _ in range(args.repeat)
            ]
            best = sorted(runs, key=lambda r: r["total_s"])[len(runs) // 2]
            best["repeats"] = [round(r["total_s"], 1) for r in runs]
            best["peak_repeats"] = [r["peak_rss"] for r in runs]
            results.append(best)
            print(
                f"{n:,} {mode}: {best['total_s']:.1f} s "
                f"(median of {best['repeats']}), peak {_gb(best['peak_rss'])} GB"
                f" (runs {', '.join(f'{p / 1e9:.3f}' for p in best['peak_repeats'])})"
                + (
                    f", workers {[_gb(w) for w in best['worker_peak_rss']]} GB"
                    if best.get("worker_peak_rss")
                    else ""
                )
                + f", load {best['load_before']:.1f}->{best['load_after']:.1f}",
                flush=True,
            )
    mp_results = []
    for text in args.mp_sizes:
        n = _rows(text)
        r = _child(["--data", str(data), "--mp-one", str(n)], args.mp_timeout)
        if r is None:
            r = {"rows": n, "timed_out": True, "timeout": args.mp_timeout}
        mp_results.append(r)
        print(f"MovingPandas {n:,}: {r}", flush=True)
    print()
    print(_table(results))
    if mp_results:
        print()
        print(_mp_table(mp_results))
    if len(sizes) > 1:
        for mode in args.modes:
            mine = {r["rows"]: r for r in results if r["mode"] == mode}
            pairs = [(a, b) for a in mine for b in mine if b == 3 * a]
            for a, b in pairs:
                peaks_a, peaks_b = mine[a]["peak_repeats"], mine[b]["peak_repeats"]
                peak_ratio = statistics.median(peaks_b) / statistics.median(peaks_a)
                print(
                    f"{mode}: {b:,} / {a:,} rows: time x"
                    f"{mine[b]['total_s'] / mine[a]['total_s']:.2f} (medians), "
                    f"peak memory x{peak_ratio:.3f} "
                    f"(medians; {min(peaks_a) / 1e9:.3f}-{max(peaks_a) / 1e9:.3f} "
                    f"against {min(peaks_b) / 1e9:.3f}-{max(peaks_b) / 1e9:.3f} GB)"
                )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"runs": results, "movingpandas": mp_results}, indent=1)
        )


if __name__ == "__main__":
    main()
