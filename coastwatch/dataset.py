"""Partitioned track datasets: Parquet files by UTC day and MMSI hash bucket.

A track table too large for memory is kept as a folder of Parquet files that
later stages read one piece at a time::

    DATASET/
      _coastwatch_dataset.json          the manifest (see below)
      day=2024-01-15/
        bucket=00/part-000.parquet      one part of the bucket's fixes of that UTC day
        bucket=00/part-001.parquet      the next part (other vessels)
        bucket=01/part-000.parquet
        ...
      day=2024-01-16/
        ...

Every fix of one MMSI falls in one bucket, whatever its day, so all of a
vessel's history is read by reading one bucket across the days (per-vessel
work: segments, loitering, gaps); all vessels of a time window are read by
reading the days it touches (work that needs every vessel at once:
rendezvous, reception context). The bucket of an MMSI is
``(h * n_buckets) >> 32`` for ``h`` the high 32 bits of the SplitMix64 mix
of the MMSI: uniform over vessels whatever their number plan, and any bucket
count can be chosen after the data has been seen.

A bucket is written in parts of at most about ``rows_per_pass`` fixes, one
``part-NNN`` file per part and day. A part is a range of the bucket's hash
values (a vessel is never split) and holds the same vessels on every day,
so a vessel's whole history is also read by reading one part across the
days: per-vessel work then needs the memory of one part, however the
vessels fall into buckets. Within a file, rows are sorted by (mmsi,
timestamp); columns are the canonical track table (:mod:`coastwatch.schema`).

The manifest (JSON) records ``format`` (``coastwatch-tracks``), ``version``,
``buckets``, ``rows`` (total), ``partitions`` (rows per day and bucket),
``extent`` (``[lat_min, lat_max, lon_min, lon_max]`` of all fixes, degrees)
and ``time_range`` (first and last fix, ISO 8601 UTC).

:func:`ingest_partitioned` streams track files into a dataset with memory
bounded by a chunk and one pass of ``rows_per_pass`` rows (plus the static
data and per-MMSI counts), exactly as :func:`coastwatch.readers.ingest`
accounts for every row; :func:`write_dataset` writes a track table already
in memory.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._io import write_text_atomic
from ._memory import release_memory
from .accounting import Quarantine, ReadReport
from .errors import InputError
from .readers import (
    CANONICAL_COMPRESSION,
    _expand_sources,
    _finish,
    _merge_static,
    iter_track_chunks,
)
from .schema import TRACK_DTYPES, conform_tracks, empty_tracks, timestamps_ns

__all__ = [
    "MANIFEST",
    "TrackDataset",
    "ingest_partitioned",
    "is_dataset",
    "mmsi_buckets",
    "write_dataset",
]

MANIFEST = "_coastwatch_dataset.json"
_FORMAT = "coastwatch-tracks"
_VERSION = 1
_DAY_NS = 86_400 * 1_000_000_000
_ROW_GROUP = 131_072
# Read order of a run: the hash, then (mmsi, time, reading order).
_RUN_KEYS = ("_hash", "mmsi", "timestamp", "_order")
# Columns worth dictionary encoding: few distinct values. Trying it on
# positions and times costs seconds per million rows for nothing.
_DICTIONARY = ["mmsi", "name", "transceiver_class", "ship_type", "nav_status"]
DEFAULT_ROWS_PER_BUCKET = 2_000_000
"""Bucket size aimed at when the count is not given."""
DEFAULT_ROWS_PER_PASS = 1_000_000
"""Fixes of one part of a bucket (a vessel is never split): per-vessel work on
a part peaks about 0.4 GB above the process's own memory."""


def _mix32(mmsi: np.ndarray) -> np.ndarray:
    """High 32 bits of SplitMix64 of each MMSI, as int64 (0 .. 2**32 - 1)."""
    z = np.asarray(mmsi, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(32)).astype(np.int64)


def mmsi_buckets(mmsi, n_buckets: int) -> np.ndarray:
    """The bucket of each MMSI in a dataset of ``n_buckets`` buckets.

    Parameters
    ----------
    mmsi : array_like of int64
        MMSIs.
    n_buckets : int
        Number of buckets, >= 1.

    Returns
    -------
    ndarray of int64
        ``(h * n_buckets) >> 32`` for ``h`` the high 32 bits of the
        SplitMix64 mix of the MMSI: 0 .. n_buckets - 1, uniform over
        vessels and monotone in ``h``.
    """
    return (_mix32(mmsi) * int(n_buckets)) >> 32


def _hash_range(bucket: int, n_buckets: int) -> tuple[int, int]:
    """Hash values ``[lo, hi)`` of one bucket."""
    lo = -((-bucket << 32) // n_buckets)
    hi = -((-(bucket + 1) << 32) // n_buckets)
    return lo, hi


def _day_label(day_number: int) -> str:
    return str(np.datetime64(int(day_number), "D"))


def _day_number(label: str) -> int:
    return int(np.datetime64(label, "D").astype(np.int64))


def is_dataset(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder holding a partitioned track dataset."""
    return (Path(path) / MANIFEST).is_file()


@dataclass
class TrackDataset:
    """An opened partitioned track dataset (see the module docstring).

    Attributes
    ----------
    path : pathlib.Path
        The dataset folder.
    buckets : int
        Number of MMSI hash buckets.
    partitions : dict
        ``{day label: {bucket: rows}}`` for every file group present.
    extent : tuple of float or None
        ``(lat_min, lat_max, lon_min, lon_max)`` of all fixes, degrees.
    time_range : tuple of pandas.Timestamp or None
        First and last fix (UTC).
    """

    path: Path
    buckets: int
    partitions: dict[str, dict[int, int]]
    extent: tuple[float, float, float, float] | None
    time_range: tuple[pd.Timestamp, pd.Timestamp] | None
    _files: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> TrackDataset:
        """Open the dataset in ``path``.

        Raises
        ------
        InputError
            If ``path`` has no readable manifest of a supported version.
        """
        path = Path(path)
        manifest = path / MANIFEST
        try:
            meta = json.loads(manifest.read_text())
        except FileNotFoundError:
            raise InputError(
                path, f"not a partitioned track dataset (no {MANIFEST})"
            ) from None
        except (OSError, ValueError) as exc:
            raise InputError(manifest, f"unreadable manifest ({exc})") from exc
        if meta.get("format") != _FORMAT or meta.get("version") != _VERSION:
            raise InputError(
                manifest,
                f"unsupported dataset {meta.get('format')!r} version "
                f"{meta.get('version')!r} (expected {_FORMAT!r} version {_VERSION})",
            )
        partitions = {
            day: {int(b): int(n) for b, n in buckets.items()}
            for day, buckets in sorted(meta["partitions"].items())
        }
        extent = tuple(meta["extent"]) if meta.get("extent") else None
        time_range = (
            tuple(pd.Timestamp(t) for t in meta["time_range"])
            if meta.get("time_range")
            else None
        )
        return cls(path, int(meta["buckets"]), partitions, extent, time_range)

    @property
    def rows(self) -> int:
        """Number of fixes in the dataset."""
        return sum(sum(b.values()) for b in self.partitions.values())

    @property
    def days(self) -> list[str]:
        """UTC days with fixes (``YYYY-MM-DD``), in order."""
        return list(self.partitions)

    def __getstate__(self) -> dict:
        # Tasks sent to workers carry the dataset: not its cache of file
        # lists, which grows with days x buckets x parts.
        state = self.__dict__.copy()
        state["_files"] = {}
        return state

    def rows_per_bucket(self) -> dict[int, int]:
        """Fixes per bucket over all days."""
        out: dict[int, int] = {}
        for buckets in self.partitions.values():
            for b, n in buckets.items():
                out[b] = out.get(b, 0) + n
        return dict(sorted(out.items()))

    def files(self, day: str, bucket: int) -> list[Path]:
        """The Parquet files of one day and bucket (may be empty)."""
        key = (day, bucket)
        if key not in self._files:
            folder = _partition_dir(self.path, day, bucket, self.buckets)
            self._files[key] = sorted(folder.glob("part-*.parquet"))
        return self._files[key]

    def parts(self, bucket: int) -> list[int]:
        """The part numbers of one bucket, over all days (may be empty)."""
        return sorted(
            {
                _part_number(p)
                for day in self.partitions
                for p in self.files(day, bucket)
            }
        )

    def read_bucket(
        self,
        bucket: int,
        columns: Sequence[str] | None = None,
        part: int | None = None,
    ):
        """All fixes of one bucket, or of one part of it (every day).

        Rows come day by day, each file in (mmsi, timestamp) order.
        """
        paths = [
            p
            for day in self.partitions
            for p in self.files(day, bucket)
            if part is None or _part_number(p) == part
        ]
        return _read(paths, columns)

    def read_time(
        self,
        start_ns: int,
        end_ns: int,
        columns: Sequence[str] | None = None,
        buckets: Sequence[int] | None = None,
        filters: list | None = None,
    ) -> pd.DataFrame:
        """Fixes with ``start_ns <= timestamp < end_ns`` of all (or some) buckets.

        Rows come day by day and bucket by bucket, each file in (mmsi,
        timestamp) order. ``filters`` are extra pyarrow filters (e.g. on
        ``mmsi``).
        """
        paths = []
        for day in self.partitions:
            number = _day_number(day)
            if number * _DAY_NS >= end_ns or (number + 1) * _DAY_NS <= start_ns:
                continue
            for b in buckets if buckets is not None else range(self.buckets):
                paths.extend(self.files(day, b))
        time_filter = [
            ("timestamp", ">=", pd.Timestamp(int(start_ns), unit="ns", tz="UTC")),
            ("timestamp", "<", pd.Timestamp(int(end_ns), unit="ns", tz="UTC")),
        ]
        return _read(paths, columns, time_filter + list(filters or []))


def _partition_dir(root: Path, day: str, bucket: int, n_buckets: int) -> Path:
    width = max(2, len(str(n_buckets - 1)))
    return root / f"day={day}" / f"bucket={bucket:0{width}d}"


def _part_file(folder: Path, part: int) -> Path:
    """The file of part ``part`` in a day and bucket folder."""
    return folder / f"part-{part:03d}.parquet"


def _part_number(path: Path) -> int:
    return int(path.stem.split("-", 1)[1])


def _read(paths, columns, filters=None) -> pd.DataFrame:
    """Read Parquet files into one table (canonical dtypes where canonical)."""
    tables = [
        pq.read_table(p, columns=list(columns) if columns else None, filters=filters)
        for p in paths
    ]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        frame = empty_tracks()
        extra = [c for c in (columns or []) if c not in frame]
        for name in extra:
            frame[name] = pd.Series([], dtype=np.int64)
        return frame[list(columns)] if columns else frame
    table = pa.concat_tables(tables, promote_options="permissive")
    del tables
    # One block per column, so that a caller can free columns one by one.
    frame = table.to_pandas(split_blocks=True)
    del table
    # The decoded pages and the Arrow table stay in Arrow's pool and the
    # heap once freed (about 70 bytes a fix): handed back now, the caller's
    # work does not land on top of them.
    release_memory()
    return frame


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


@dataclass
class _Written:
    """What the writing of some buckets produced."""

    partitions: dict[str, dict[int, int]] = field(default_factory=dict)
    extent: list[float] | None = None
    t_min: int | None = None
    t_max: int | None = None

    def add(self, frame: pd.DataFrame, day: str, bucket: int) -> None:
        counts = self.partitions.setdefault(day, {})
        counts[bucket] = counts.get(bucket, 0) + len(frame)
        lat = frame["lat"].to_numpy(np.float64)
        lon = frame["lon"].to_numpy(np.float64)
        ok = np.isfinite(lat) & np.isfinite(lon)
        if ok.any():
            box = [lat[ok].min(), lat[ok].max(), lon[ok].min(), lon[ok].max()]
            self.extent = box if self.extent is None else _union(self.extent, box)
        t = timestamps_ns(frame)
        if len(t):
            lo, hi = int(t.min()), int(t.max())
            self.t_min = lo if self.t_min is None else min(self.t_min, lo)
            self.t_max = hi if self.t_max is None else max(self.t_max, hi)

    def merge(self, other: _Written) -> None:
        for day, buckets in other.partitions.items():
            counts = self.partitions.setdefault(day, {})
            for b, n in buckets.items():
                counts[b] = counts.get(b, 0) + n
        if other.extent is not None:
            self.extent = (
                other.extent
                if self.extent is None
                else _union(self.extent, other.extent)
            )
        for name, pick in (("t_min", min), ("t_max", max)):
            theirs = getattr(other, name)
            if theirs is not None:
                mine = getattr(self, name)
                setattr(self, name, theirs if mine is None else pick(mine, theirs))


def _union(a, b):
    return [min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])]


_SCHEMA = pa.Schema.from_pandas(empty_tracks(), preserve_index=False)


def _write_days(
    frame: pd.DataFrame, root: Path, bucket: int, n_buckets: int, part: int
) -> _Written:
    """Write one part of a bucket: its (mmsi, time)-sorted rows, by UTC day."""
    written = _Written()
    if not len(frame):
        return written
    frame = frame[list(TRACK_DTYPES)]
    day = timestamps_ns(frame) // _DAY_NS
    # Sorted by (mmsi, time): order by day keeps that within each day.
    order = np.argsort(day, kind="stable")
    day = day[order]
    frame = frame.iloc[order]
    bounds = np.flatnonzero(np.diff(day)) + 1
    for lo, hi in zip(
        np.concatenate([[0], bounds]),
        np.concatenate([bounds, [len(day)]]),
        strict=True,
    ):
        label = _day_label(day[lo])
        piece = frame.iloc[lo:hi]
        folder = _partition_dir(root, label, bucket, n_buckets)
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(piece, schema=_SCHEMA, preserve_index=False)
        pq.write_table(
            table,
            _part_file(folder, part),
            row_group_size=_ROW_GROUP,
            compression=CANONICAL_COMPRESSION,
            use_dictionary=_DICTIONARY,
        )
        written.add(piece, label, bucket)
    return written


def _write_manifest(root: Path, n_buckets: int, written: _Written) -> None:
    meta = {
        "format": _FORMAT,
        "version": _VERSION,
        "buckets": n_buckets,
        "hash": "bucket = (high 32 bits of splitmix64(mmsi) * buckets) >> 32",
        "rows": sum(sum(b.values()) for b in written.partitions.values()),
        "partitions": {
            day: {str(b): n for b, n in sorted(buckets.items())}
            for day, buckets in sorted(written.partitions.items())
        },
        "extent": [float(v) for v in written.extent] if written.extent else None,
        "time_range": (
            [
                pd.Timestamp(written.t_min, unit="ns", tz="UTC").isoformat(),
                pd.Timestamp(written.t_max, unit="ns", tz="UTC").isoformat(),
            ]
            if written.t_min is not None
            else None
        ),
    }
    write_text_atomic(root / MANIFEST, json.dumps(meta, indent=1) + "\n")


class _Staging:
    """A dataset built beside its destination, moved into place when done."""

    def __init__(self, output: str | os.PathLike):
        self.output = Path(output)
        occupied = self.output.exists() and not is_dataset(self.output)
        if occupied and (not self.output.is_dir() or any(self.output.iterdir())):
            raise InputError(
                self.output,
                "exists and is not a partitioned track dataset; choose a new folder",
            )
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(
            tempfile.mkdtemp(prefix=f".{self.output.name}-", dir=self.output.parent)
        )

    def commit(self) -> None:
        old = None
        if self.output.exists():
            old = self.output.with_name(f".{self.output.name}-old-{os.getpid()}")
            self.output.rename(old)
        self.root.rename(self.output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _check_rows_per_pass(rows_per_pass: int) -> None:
    if rows_per_pass < 1:
        raise InputError(None, f"rows per part must be >= 1, got {rows_per_pass}")


def _choose_buckets(rows: int, buckets: int | None, rows_per_bucket: int) -> int:
    if buckets is not None:
        if buckets < 1:
            raise InputError(None, f"buckets must be >= 1, got {buckets}")
        return int(buckets)
    return max(1, math.ceil(rows / max(1, rows_per_bucket)))


def write_dataset(
    tracks: pd.DataFrame,
    output: str | os.PathLike,
    *,
    buckets: int | None = None,
    rows_per_bucket: int = DEFAULT_ROWS_PER_BUCKET,
    rows_per_pass: int = DEFAULT_ROWS_PER_PASS,
) -> TrackDataset:
    """Write a track table held in memory as a partitioned dataset.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table (canonical columns; others are dropped).
    output : str or os.PathLike
        The dataset folder: new, empty, or an existing dataset (replaced).
    buckets : int, optional
        Number of MMSI hash buckets; default ``ceil(rows / rows_per_bucket)``.
    rows_per_bucket : int
        Bucket size aimed at when ``buckets`` is not given.
    rows_per_pass : int
        Fixes per part of a bucket, as for :func:`ingest_partitioned`.

    Returns
    -------
    TrackDataset
    """
    _check_rows_per_pass(rows_per_pass)
    tracks = conform_tracks(tracks)
    n_buckets = _choose_buckets(len(tracks), buckets, rows_per_bucket)
    mmsi = tracks["mmsi"].to_numpy(np.int64)
    hashes = _mix32(mmsi)
    sizes = pd.DataFrame({"h": hashes, "m": mmsi}).groupby(["h", "m"]).size()
    counts = dict(zip(sizes.index.tolist(), sizes.tolist(), strict=True))
    staging = _Staging(output)
    try:
        written = _Written()
        for b in range(n_buckets):
            lo, hi = _hash_range(b, n_buckets)
            for part, (a, c) in enumerate(_passes(counts, lo, hi, rows_per_pass)):
                piece = tracks.iloc[np.flatnonzero((hashes >= a) & (hashes < c))]
                order = np.lexsort((timestamps_ns(piece), piece["mmsi"].to_numpy()))
                written.merge(
                    _write_days(piece.iloc[order], staging.root, b, n_buckets, part)
                )
        _write_manifest(staging.root, n_buckets, written)
    except BaseException:
        staging.abort()
        raise
    staging.commit()
    return TrackDataset.open(output)


# --------------------------------------------------------------------------
# Ingest: files -> sorted runs -> buckets
# --------------------------------------------------------------------------


@dataclass
class _Runs:
    """Sorted runs spilled by the first pass, with what the second needs."""

    paths: list[Path] = field(default_factory=list)
    # (hash, mmsi) -> rows, to cut buckets into passes of bounded size.
    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    statics: list[pd.DataFrame] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def merge(self, other: _Runs) -> None:
        self.paths.extend(other.paths)
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        self.statics.extend(other.statics)


def _spill(chunk: pd.DataFrame, path: Path, runs: _Runs) -> None:
    chunk = chunk.assign(_hash=_mix32(chunk["mmsi"].to_numpy(np.int64)))
    order = np.lexsort(
        (
            chunk["_order"].to_numpy(),
            timestamps_ns(chunk),
            chunk["mmsi"].to_numpy(),
            chunk["_hash"].to_numpy(),
        )
    )
    chunk = chunk.iloc[order]
    if "_raw" in chunk:
        chunk = chunk.assign(_raw=chunk["_raw"].astype(str))
    pq.write_table(
        pa.Table.from_pandas(chunk, preserve_index=False),
        path,
        row_group_size=65_536,
        compression="lz4",
        use_dictionary=_DICTIONARY,
    )
    runs.paths.append(path)
    # Sorted by (hash, mmsi): each vessel is one run of rows.
    h = chunk["_hash"].to_numpy()
    m = chunk["mmsi"].to_numpy()
    starts = np.flatnonzero(
        np.concatenate([[True], (h[1:] != h[:-1]) | (m[1:] != m[:-1])])
    )
    n = np.diff(np.append(starts, len(m)))
    for key, c in zip(
        zip(h[starts].tolist(), m[starts].tolist(), strict=True),
        n.tolist(),
        strict=True,
    ):
        runs.counts[key] = runs.counts.get(key, 0) + c


# Reading order of all rows: the input path's rank in the high bits, the
# row's rank within the path below (2**40 rows per path).
_ORDER_BITS = 40


@dataclass
class _ReadTask:
    """Read one input path (a file; a zip's members are its files)."""

    path: Path
    rank: int
    runs_dir: Path
    format: str
    columns: dict[str, str] | None
    layer: str | None
    nmea_workers: int
    keep_rejects: bool
    progress: Callable[[int], None] | None = None


@dataclass
class _ReadResult:
    report: ReadReport
    quarantine: Quarantine | None
    runs: _Runs


def _read_path(task: _ReadTask) -> _ReadResult:
    """First pass over one input path: clean, sort and spill its chunks."""
    report = ReadReport()
    quarantine = Quarantine() if task.keep_rejects else None
    runs = _Runs()
    order = task.rank << _ORDER_BITS
    for index, chunk in iter_track_chunks(
        task.path,
        task.format,
        report=report,
        quarantine=quarantine,
        columns=task.columns,
        layer=task.layer,
        nmea_workers=task.nmea_workers,
        static_sink=runs.statics,
        progress=task.progress,
    ):
        chunk["_file"] = np.int32(index)
        chunk["_path"] = np.int32(task.rank)
        chunk["_order"] = np.arange(order, order + len(chunk), dtype=np.int64)
        order += len(chunk)
        name = f"run-{task.rank:06d}-{len(runs.paths):05d}.parquet"
        _spill(chunk, task.runs_dir / name, runs)
        del chunk
        # Each chunk's peak would otherwise land on the freed blocks of the
        # ones before it, and the pass's peak grow with the input's length.
        release_memory()
    return _ReadResult(report, quarantine, runs)


def _read_runs(runs: list[Path], lo: int, hi: int) -> list[pd.DataFrame]:
    """Rows of hash ``lo <= h < hi`` from every run (row groups skipped)."""
    parts = []
    for run in runs:
        table = pq.read_table(run, filters=[("_hash", ">=", lo), ("_hash", "<", hi)])
        if table.num_rows:
            parts.append(table.to_pandas())
        del table
    release_memory()
    return parts


def _passes(counts: dict, lo: int, hi: int, rows_per_pass: int):
    """Hash sub-ranges of ``[lo, hi)`` that hold at most ``rows_per_pass`` rows.

    The MMSIs of one hash value (one vessel, or the rare few whose hashes
    collide) are never split: such a group larger than the bound is a pass
    of its own. Yields ``(start, end)`` in order, covering the hash values
    of every row in ``[lo, hi)``; none is empty.
    """
    per_hash: dict[int, int] = {}
    for (h, _), n in counts.items():
        if lo <= h < hi:
            per_hash[h] = per_hash.get(h, 0) + n
    start, total = lo, 0
    for h in sorted(per_hash):
        n = per_hash[h]
        if total and total + n > rows_per_pass:
            yield start, h
            start, total = h, 0
        total += n
    if total:
        yield start, hi


@dataclass
class _BucketWrite:
    """Second pass over one bucket: merge its rows from all runs and write."""

    runs: list[Path]
    counts: dict
    bucket: int
    n_buckets: int
    root: Path
    rows_per_pass: int
    # Index in the whole report of each path's first file, and every file.
    file_base: np.ndarray
    file_names: list[str]
    static: pd.DataFrame | None
    keep_rejects: bool


@dataclass
class _BucketWritten:
    written: _Written
    report: ReadReport  # duplicates found, per file of the whole report
    quarantine: Quarantine | None


def _write_bucket(task: _BucketWrite) -> _BucketWritten:
    report = ReadReport()
    for name in task.file_names:
        report.add_file(name)
    quarantine = Quarantine() if task.keep_rejects else None
    written = _Written()
    lo, hi = _hash_range(task.bucket, task.n_buckets)
    for part, (a, b) in enumerate(_passes(task.counts, lo, hi, task.rows_per_pass)):
        parts = _read_runs(task.runs, a, b)
        for frame in parts:
            path = frame["_path"].to_numpy(np.int64)
            frame["_file"] = task.file_base[path] + frame["_file"].to_numpy(np.int64)
        frame = _finish(parts, report, quarantine, task.static)
        del parts
        written.merge(_write_days(frame, task.root, task.bucket, task.n_buckets, part))
        del frame
        release_memory()
    return _BucketWritten(written, report, quarantine)


def ingest_partitioned(
    source,
    output: str | os.PathLike,
    format: str = "auto",
    *,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    columns: dict[str, str] | None = None,
    layer: str | None = None,
    nmea_workers: int = 1,
    buckets: int | None = None,
    rows_per_bucket: int = DEFAULT_ROWS_PER_BUCKET,
    rows_per_pass: int = DEFAULT_ROWS_PER_PASS,
    progress: Callable[[int], None] | None = None,
    executor=None,
) -> TrackDataset:
    """Stream track files into a partitioned dataset (day x MMSI bucket).

    The first pass reads the files chunk by chunk (as
    :func:`coastwatch.readers.ingest`), sorts each cleaned chunk by (MMSI
    hash, MMSI, time) and spills it as a run; the second pass reads the
    runs one hash range at a time (a part of the bucket: at most
    ``rows_per_pass`` rows, one vessel never split), removes duplicates,
    joins static data and writes the rows by day into their bucket's
    folder. Memory is bounded by one chunk, one pass and the per-vessel
    counts, not by the input size.

    Parameters
    ----------
    source, format, report, quarantine, columns, layer, nmea_workers
        As for :func:`coastwatch.read_tracks`.
    output : str or os.PathLike
        The dataset folder: new, empty, or an existing dataset (replaced
        when the new one is complete).
    buckets : int, optional
        Number of MMSI hash buckets; default ``ceil(rows /
        rows_per_bucket)``, chosen after the first pass.
    rows_per_bucket : int
        Bucket size aimed at when ``buckets`` is not given.
    rows_per_pass : int
        Rows of one part of a bucket, merged at once in the second pass
        (about 450 bytes each at the peak) and read at once by per-vessel
        work later.
    progress : callable, optional
        Called with input bytes consumed, for a progress bar (serial runs).
    executor : optional
        Runs the tasks (one per input path, then one per bucket): default in
        this process; :class:`coastwatch.distributed.DaskExecutor` on a
        cluster (every worker must see the input files and ``output``).

    Returns
    -------
    TrackDataset
        The dataset written; ``report`` (when given) holds the counts, with
        ``read == accepted + rejected`` per file.
    """
    _check_rows_per_pass(rows_per_pass)
    report = report if report is not None else ReadReport()
    executor = executor or _Serial()
    paths = _expand_sources(source)
    staging = _Staging(output)
    try:
        runs_dir = Path(tempfile.mkdtemp(prefix=".runs-", dir=staging.root))
        serial = isinstance(executor, _Serial)
        read = executor.map(
            _read_path,
            [
                _ReadTask(
                    path,
                    rank,
                    runs_dir,
                    format,
                    columns,
                    layer,
                    nmea_workers,
                    quarantine is not None,
                    progress if serial else None,
                )
                for rank, path in enumerate(paths)
            ],
            "reading",
        )
        runs = _Runs()
        file_base = []
        for result in read:
            file_base.append(len(report.files))
            report.files.extend(result.report.files)
            if quarantine is not None:
                quarantine.extend(result.quarantine.rows)
            runs.merge(result.runs)
        n_buckets = _choose_buckets(runs.rows, buckets, rows_per_bucket)
        static = _merge_static(runs.statics)
        done = executor.map(
            _write_bucket,
            [
                _BucketWrite(
                    runs.paths,
                    {
                        k: n
                        for k, n in runs.counts.items()
                        if _in_bucket(k[0], b, n_buckets)
                    },
                    b,
                    n_buckets,
                    staging.root,
                    rows_per_pass,
                    np.asarray(file_base, dtype=np.int64),
                    [entry.path for entry in report.files],
                    static,
                    quarantine is not None,
                )
                for b in range(n_buckets)
            ],
            "writing",
        )
        written = _Written()
        for result in done:
            written.merge(result.written)
            for entry, found in zip(report.files, result.report.files, strict=True):
                entry.accepted += found.accepted
                entry.rejected.update(found.rejected)
            if quarantine is not None:
                quarantine.extend(result.quarantine.rows)
        shutil.rmtree(runs_dir, ignore_errors=True)
        _write_manifest(staging.root, n_buckets, written)
        report.check()
    except BaseException:
        staging.abort()
        raise
    staging.commit()
    return TrackDataset.open(output)


def _in_bucket(h: int, bucket: int, n_buckets: int) -> bool:
    lo, hi = _hash_range(bucket, n_buckets)
    return lo <= h < hi


class _Serial:
    def map(self, func, items, label=""):
        out = []
        for item in items:
            out.append(func(item))
            release_memory()
        return out
