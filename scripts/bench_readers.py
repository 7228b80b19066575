"""Benchmark the track readers: rows/s and peak memory per format.

Builds a >= 1 M-row file per format (MarineCadastre CSV, NMEA with NMEA 4.0
tag blocks and distinct payloads, canonical Parquet) in a temporary folder,
then reads each in a fresh process (so peak memory is that read's alone)
and prints

* ``rows/s``: the first read in that process, with its one-time costs
  (the first use of pyarrow's threads and memory pool, first-touch pages);
* ``again/s``: the same read again in the same process, the throughput a
  program reading file after file sees;
* ``peak MB``: the process's peak resident memory during the first read.

Optionally streams a large CSV through ``coastwatch ingest`` to show that
its memory stays bounded.

Usage::

    python scripts/bench_readers.py                 # 1 M rows per format
    python scripts/bench_readers.py --rows 2000000 --repeat 5
    python scripts/bench_readers.py --ingest-rows 10000000   # memory bound
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

MC_COLUMNS = [
    "MMSI",
    "BaseDateTime",
    "LAT",
    "LON",
    "SOG",
    "COG",
    "Heading",
    "VesselName",
    "IMO",
    "CallSign",
    "VesselType",
    "Status",
    "Length",
    "Width",
    "Draft",
    "Cargo",
    "TransceiverClass",
]


def synthetic_positions(rows: int, vessels: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Random-walk tracks in the Makran box, one day, sorted by time."""
    rng = np.random.default_rng(seed)
    vessel = rng.integers(0, vessels, rows)
    mmsi = 463_000_000 + vessel * 37
    t0 = np.datetime64("2024-03-01T00:00:00", "s")
    seconds = np.sort(rng.integers(0, 86_400, rows))
    lat = 22.5 + 3.0 * (vessel / vessels) + rng.normal(0, 0.01, rows)
    lon = 58.0 + 9.5 * rng.random(vessels)[vessel] + rng.normal(0, 0.01, rows)
    return pd.DataFrame(
        {
            "MMSI": mmsi,
            "BaseDateTime": (t0 + seconds).astype("datetime64[s]").astype(str),
            "LAT": lat.round(5),
            "LON": lon.round(5),
            "SOG": rng.uniform(0, 15, rows).round(1),
            "COG": rng.uniform(0, 360, rows).round(1),
            "Heading": rng.integers(0, 360, rows),
            "VesselName": np.array([f"VESSEL {i}" for i in range(vessels)])[vessel],
            "IMO": "",
            "CallSign": "",
            "VesselType": 70,
            "Status": 0,
            "Length": 120,
            "Width": 20,
            "Draft": 8.5,
            "Cargo": 70,
            "TransceiverClass": "A",
        }
    )[MC_COLUMNS]


def write_marinecadastre(path: Path, rows: int, seed: int = 0) -> None:
    """Write ``rows`` synthetic MarineCadastre rows, in pieces (bounded memory)."""
    piece = 2_000_000
    with open(path, "wb") as out:
        for k, start in enumerate(range(0, rows, piece)):
            frame = synthetic_positions(min(piece, rows - start), seed=seed + k)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            buffer = pa.BufferOutputStream()
            pacsv.write_csv(
                table,
                buffer,
                write_options=pacsv.WriteOptions(
                    include_header=(k == 0), quoting_style="none"
                ),
            )
            out.write(buffer.getvalue().to_pybytes())


def write_nmea(path: Path, rows: int) -> None:
    """Write ``rows`` sentences behind NMEA 4.0 tag blocks, every payload distinct.

    Uses ``bench_nmea.build_file`` (class A/B positions, long-range reports,
    two-sentence static messages), so no relay or repeat makes decoding
    cheaper than on a real feed.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_nmea import build_file

    build_file(path, rows)


def build_inputs(folder: Path, rows: int) -> dict[str, Path]:
    """Create one file per format; return {format: path}."""
    from coastwatch.readers import read_tracks, write_tracks

    files = {
        "marinecadastre": folder / "mc.csv",
        "nmea": folder / "tagblock.nmea",
        "parquet": folder / "tracks.parquet",
    }
    write_marinecadastre(files["marinecadastre"], rows)
    write_nmea(files["nmea"], rows)
    write_tracks(read_tracks(files["marinecadastre"]), files["parquet"])
    return files


_CHILD = r"""
import json, sys, time
from coastwatch import ReadReport, ingest, read_tracks
mode, path, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])


def peak_mb():
    # VmHWM starts afresh at exec, unlike ru_maxrss, which Linux carries
    # over from the parent that built the inputs.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


report = ReadReport()
start = time.perf_counter()
if mode == "read":
    read_tracks(path, report=report, nmea_workers=workers)
else:
    ingest(path, sys.argv[4], report=report, nmea_workers=workers)
seconds = time.perf_counter() - start
peak = peak_mb()
again = None
if mode == "read":
    start = time.perf_counter()
    read_tracks(path, report=ReadReport(), nmea_workers=workers)
    again = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "again_seconds": again, "rows": report.read,
                  "peak_mb": peak}))
"""


def run_child(mode: str, path: Path, workers: int = 1, out: Path | None = None) -> dict:
    """Run one read in a fresh process and return its measurements."""
    args = [sys.executable, "-c", _CHILD, mode, str(path), str(workers)]
    if out is not None:
        args.append(str(out))
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ingest-rows",
        type=int,
        default=0,
        help="also stream a CSV of this many rows through ingest",
    )
    parser.add_argument("--keep", help="build the files in this folder and keep them")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building {args.rows:,}-row inputs in {folder} ...", flush=True)
    files = build_inputs(folder, args.rows)
    print(
        f"{'format':<16}{'workers':>8}{'size MB':>9}{'rows':>11}"
        f"{'median s':>10}{'rows/s':>13}{'again/s':>13}{'peak MB':>9}"
    )
    plan = [("marinecadastre", 1), ("nmea", 1), ("nmea", 2), ("parquet", 1)]
    for fmt, workers in plan:
        path = files[fmt]
        runs = [run_child("read", path, workers) for _ in range(args.repeat)]
        seconds = statistics.median(r["seconds"] for r in runs)
        again = statistics.median(r["again_seconds"] for r in runs)
        rows = runs[0]["rows"]
        peak = max(r["peak_mb"] for r in runs)
        print(
            f"{fmt:<16}{workers:>8}{path.stat().st_size / 1e6:>9.0f}{rows:>11,}"
            f"{seconds:>10.2f}{rows / seconds:>13,.0f}{rows / again:>13,.0f}"
            f"{peak:>9.0f}",
            flush=True,
        )
    if args.ingest_rows:
        big = folder / "big.csv"
        print(f"writing {args.ingest_rows:,}-row CSV ...", flush=True)
        write_marinecadastre(big, args.ingest_rows, seed=7)
        result = run_child("ingest", big, 1, folder / "big.parquet")
        print(
            f"ingest {args.ingest_rows:,} rows "
            f"({big.stat().st_size / 1e9:.2f} GB CSV): "
            f"{result['seconds']:.1f} s, {args.ingest_rows / result['seconds']:,.0f} "
            f"rows/s, peak memory {result['peak_mb']:.0f} MB"
        )
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        os.rmdir(folder)


if __name__ == "__main__":
    main()
