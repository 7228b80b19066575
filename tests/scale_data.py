"""Inputs and single-process answers shared by the scale tests (built once).

* the bundled sample day (a gzipped MarineCadastre CSV);
* a generated multi-day set: two simulated days (60 vessels a day) plus the
  hand-built edge cases of :mod:`scale_cases`, as one Parquet file.

The references are :func:`coastwatch.run_detect` on the whole table in
memory: the partitioned and distributed runs must give the same tables.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd
from scale_cases import edge_case_tracks

from coastwatch.config import load_config
from coastwatch.dataset import ingest_partitioned
from coastwatch.pipeline import run_daily, run_detect
from coastwatch.readers import write_tracks
from coastwatch.simulate import simulate

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "ais_samples" / "makran_sim_2024-01-15" / "ais"

_ROOT = Path(tempfile.mkdtemp(prefix="coastwatch-scale-tests-"))
atexit.register(shutil.rmtree, _ROOT, True)


@lru_cache(maxsize=1)
def multiday_file() -> Path:
    """Two simulated days plus the edge cases, as one Parquet file."""
    scenario = simulate("2024-01-15", days=2, vessels=60, seed=7)
    tracks = pd.concat([scenario.tracks, edge_case_tracks()], ignore_index=True)
    path = _ROOT / "multiday" / "tracks.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tracks(tracks, path)
    return path


def source(name: str) -> Path:
    """``sample`` or ``multiday``: the input path."""
    return SAMPLE if name == "sample" else multiday_file()


@lru_cache(maxsize=4)
def reference(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, incidents) of the single-process in-memory run."""
    _, events, incidents = run_detect(source(name), load_config())
    return events, incidents


@lru_cache(maxsize=16)
def dataset(name: str, buckets: int) -> Path:
    """The input ingested as a partitioned dataset of ``buckets`` buckets."""
    out = _ROOT / f"{name}-{buckets}"
    ingest_partitioned(source(name), out, buckets=buckets, rows_per_pass=30_000)
    return out


@lru_cache(maxsize=1)
def daily_reference() -> Path:
    """The day folders :func:`coastwatch.run_daily` writes for the sample."""
    out = _ROOT / "sample-daily"
    run_daily(SAMPLE, out, load_config())
    return out
