"""Detection and daily products over a partitioned dataset, out of core.

The same answers as :func:`coastwatch.pipeline.run_detect` and
:func:`~coastwatch.pipeline.run_daily` on the whole table in memory, with
memory bounded by a partition instead of the input. The work runs in three
passes of independent tasks (:class:`SerialExecutor` runs them one after
another in this process; :mod:`coastwatch.distributed` runs them on a Dask
cluster):

1. **per part of a bucket** (all days of one part of an MMSI hash bucket:
   every vessel's whole history, at most about ``rows_per_pass`` fixes
   however the vessels fall into buckets): segmentation, loitering,
   dark-gap candidates, reception counts (messages owed and heard) per
   transceiver class, vessel profiles; the segmented fixes are written to
   a work folder laid out like the dataset.
2. **per time window** (all vessels; each window read with a halo of
   ``segment.max_gap_h + rendezvous.max_break_s + 2 steps`` on both sides,
   more after when a meeting or a dark gap runs on): rendezvous starting in
   the window, the one-dark rendezvous of gaps starting in it, and the
   vessels heard near each gap during the window. Windows are planned hour
   by hour from the fixes per hour so that each read, halo and dark gaps
   included, holds about ``window_rows`` fixes: memory does not grow with
   the data's length or a busy day. Meetings that run past a window's read
   are resolved afterwards from their vessels' fixes alone.
3. **per day** (products only): the traffic layer per bucket, summed in
   exact integer half-seconds, then the grid, pictures, tasking and report.

Between passes, small tables are reduced in this process: coverage grids
summed, gap candidates ordered and filtered, heard vessels united, events
ordered, groups renumbered, and everything scored.

Why this is exact: per-vessel results depend only on the vessel's own
reports, all in one bucket. A rendezvous is decided by the pair's positions
on the time grid from ``max_break + step`` before its start to as long
after its end, and a position at a grid time by the fixes at most
``segment.max_gap_h`` around it: with that halo a window computes every
meeting starting in it exactly as the whole table does (and re-reads a
longer halo when a meeting may run past it); each meeting is kept by the
window it starts in, so it is found once. Group ids, which number connected
meetings in time order, are recomputed over all meetings. Reception counts
and traffic times are integer counts, so their sums do not depend on the
order of the pieces; heard vessels are sets.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kernels.dark_gaps import reception_heard, reception_index
from kernels.dark_rendezvous import DARK_SEEN_FIELDS
from kernels.rendezvous import RENDEZVOUS_FIELDS, rendezvous_groups

from . import days as _days
from ._memory import release_memory
from .config import Config, load_config
from .daily import split_days, write_day_products
from .dataset import TrackDataset, _part_file, _partition_dir, mmsi_buckets
from .detection import (
    _Arrays,
    _assemble_events,
    _coverage_counts,
    _coverage_grid,
    _covered_gaps,
    _dark_candidate_gaps,
    _dark_frame,
    _dark_pair_fields,
    _dark_seen_fields,
    _drift,
    _during_gaps,
    _gap_candidates,
    _gap_query,
    _gap_reception_hours,
    _loitering,
    _near_places,
    _rendezvous_fields,
    _rendezvous_frame,
    _with_reception,
)
from .events import empty_events, finalise_events
from .heatmaps import DayTraffic, day_grid_spec, day_traffic, risk_grid, track_extent
from .risk import chain_incidents, score_events, vessel_profiles
from .schema import POSITION_COLUMNS, STATIC_COLUMNS, timestamps_ns
from .segmentation import segment

__all__ = [
    "PARTITIONED_STAGES",
    "PartitionedRun",
    "SerialExecutor",
    "daily_dataset",
    "detect_dataset",
]

PARTITIONED_STAGES = ("vessels", "encounters", "score", "products")
"""The passes of a partitioned run, in order (for progress display)."""

_NS = 1_000_000_000
_DAY_S = 86_400
_WINDOW_ROWS = 4_000_000
# Columns the per-vessel pass reads: what segmentation, detection and the
# vessel profiles use.
_BUCKET_COLUMNS = POSITION_COLUMNS + STATIC_COLUMNS
# Columns of the segmented fixes written for the later passes.
_SEGMENTED_COLUMNS = ("mmsi", "timestamp", "lat", "lon", "sog", "track", "segment")


class SerialExecutor:
    """Runs the tasks of a partitioned run one by one in this process.

    Parameters
    ----------
    progress : callable, optional
        Called as ``progress(label, done, total)`` after each task.
    """

    def __init__(self, progress: Callable[[str, int, int], None] | None = None):
        self.progress = progress

    def map(self, func: Callable, items: Sequence, label: str = "") -> list:
        """``[func(item) for item in items]``, reporting progress."""
        out = []
        for item in items:
            out.append(func(item))
            release_memory()
            if self.progress is not None:
                self.progress(label, len(out), len(items))
        return out


@dataclass
class PartitionedRun:
    """What a partitioned run produced.

    Attributes
    ----------
    events : pandas.DataFrame
        All scored events (the event table).
    incidents : pandas.DataFrame
        All incidents.
    days : dict
        Day label (``YYYY-MM-DD``) -> dict of product paths (daily runs).
    timings : dict
        Seconds per pass (:data:`PARTITIONED_STAGES`).
    rows : int
        Fixes processed.
    buckets, windows : int
        Tasks of the per-vessel and per-window passes.
    """

    events: pd.DataFrame
    incidents: pd.DataFrame
    days: dict[str, dict[str, Path]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    buckets: int = 0
    windows: int = 0


# --------------------------------------------------------------------------
# Pass 1: per part of a bucket
# --------------------------------------------------------------------------


@dataclass
class _BucketTask:
    dataset: TrackDataset
    bucket: int
    # One part of the bucket (its vessels' whole histories): the memory of
    # the pass is bounded by a part, whatever the bucket's size.
    part: int
    config: Config
    work: Path
    coverage_grid: tuple | None


@dataclass
class _BucketResult:
    loitering: pd.DataFrame
    drift: pd.DataFrame
    gaps: pd.DataFrame
    coverage: dict
    profiles: pd.DataFrame
    day_numbers: np.ndarray
    partitions: dict[str, int]
    # Fixes per UTC hour: hour numbers since the epoch, and counts.
    hours: np.ndarray
    hour_counts: np.ndarray
    # Each vessel's fixes per second over its history (mmsi -> rate).
    fix_rates: pd.Series


def _bucket_pass(task: _BucketTask) -> _BucketResult:
    """Segment one part's vessels and find what each vessel alone tells."""
    cfg = task.config
    tracks = task.dataset.read_bucket(task.bucket, _BUCKET_COLUMNS, task.part)
    tracks, _ = segment(tracks, cfg)
    arrays = _Arrays(tracks)
    loitering = _loitering(arrays, cfg)
    drift = _drift(arrays, cfg)
    gaps = _gap_candidates(arrays, cfg)
    present = arrays.class_names[np.unique(arrays.track_class_code)]
    classes = sorted({"", *present.tolist()})
    coverage = _coverage_counts(arrays, cfg.gaps, task.coverage_grid, classes)
    profiles = vessel_profiles(tracks)
    day_numbers = np.unique(_days.day_numbers(arrays.t_ns, cfg.grid.day_boundary))
    partitions = _write_segmented(
        tracks, task.work, task.bucket, task.dataset.buckets, task.part
    )
    hours, hour_counts = np.unique(arrays.t_ns // (3600 * _NS), return_counts=True)
    return _BucketResult(
        loitering,
        drift,
        gaps,
        coverage,
        profiles,
        day_numbers,
        partitions,
        hours,
        hour_counts.astype(np.int64),
        _fix_rates(tracks["mmsi"].to_numpy(), arrays.t_ns),
    )


def _fix_rates(mmsi: np.ndarray, t_ns: np.ndarray) -> pd.Series:
    """Fixes per second of each vessel over its history (an hour at least)."""
    per = pd.DataFrame({"mmsi": mmsi, "t": t_ns}).groupby("mmsi")["t"]
    span_s = np.maximum((per.max() - per.min()) / _NS, 3600.0)
    return per.size() / span_s


def _write_segmented(
    tracks: pd.DataFrame, root: Path, bucket: int, n_buckets: int, part: int
) -> dict[str, int]:
    """Write segmented fixes by UTC day, in time order.

    Time order lets a window's reads skip row groups; the sort is stable, so
    fixes of one segment at one time keep segment()'s order.
    """
    out: dict[str, int] = {}
    if not len(tracks):
        return out
    frame = tracks[list(_SEGMENTED_COLUMNS)]
    t_ns = timestamps_ns(frame)
    order = np.argsort(t_ns, kind="stable")
    day = t_ns[order] // (_DAY_S * _NS)
    frame = frame.iloc[order]
    bounds = np.flatnonzero(np.diff(day)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(day)]])
    for lo, hi in zip(starts, ends, strict=True):
        label = str(np.datetime64(int(day[lo]), "D"))
        folder = _partition_dir(root, label, bucket, n_buckets)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pandas(frame.iloc[lo:hi], preserve_index=False),
            _part_file(folder, part),
            row_group_size=32_768,
            compression="lz4",
            use_dictionary=["mmsi", "track"],
        )
        out[label] = int(hi - lo)
    return out


# --------------------------------------------------------------------------
# Pass 2: per time window
# --------------------------------------------------------------------------


@dataclass
class _WindowTask:
    segmented: TrackDataset
    start_s: int
    end_s: int
    config: Config
    # Gaps overlapping the window: global row, (t0, t1, vessel), start and
    # end positions.
    heard_rows: np.ndarray
    heard_query: tuple
    # Dark-rendezvous candidate gaps starting in the window, and their rows.
    dark_rows: np.ndarray
    dark_gaps: pd.DataFrame


@dataclass
class _WindowResult:
    rendezvous: dict | None
    # Meetings starting in the window that may run past the data read:
    # (vessel_a, vessel_b, start_s, end_s so far), resolved by _pair_pass.
    pending: list[tuple[int, int, int, int]]
    seen: dict | None
    heard: tuple  # (gap row, vessel, 0 start / 1 end)


def _halo_s(cfg: Config) -> int:
    """Data needed on each side of a grid time (see the module docstring)."""
    return (
        int(cfg.segment.max_gap_h * 3600)
        + int(cfg.rendezvous.max_break_s)
        + 2 * int(cfg.rendezvous.time_step_s)
    )


def _last_s(segmented: TrackDataset) -> int:
    """One second after the last fix of the data."""
    if segmented.time_range is None:
        return 0
    return segmented.time_range[1].value // _NS + 1


def _in_segment_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The fixes in (segment, time) order, the order the kernels take.

    Sorted once, column by column, each unsorted column dropped as soon as
    its sorted copy exists: the kernels then use the frame's own columns,
    where sorting on demand would keep sorted copies of time, position and
    speed beside the whole frame (about 50 bytes a fix more at the peak).
    """
    arrays = _Arrays(frame)
    order = arrays.by_segment
    if order is arrays.rows:
        return frame
    del arrays
    columns = {}
    for name in list(frame.columns):
        columns[name] = frame[name].array.take(order)
        del frame[name]
        # A column read may be Arrow's memory; a sorted copy is the heap's,
        # and the next column's copy reuses the one freed before it.
        release_memory(heap=False)
    return pd.DataFrame(columns, copy=False)


def _window_pass(task: _WindowTask) -> _WindowResult:
    """Meetings starting in a window and the gaps' neighbours heard in it."""
    cfg = task.config
    halo = _halo_s(cfg)
    lo = task.start_s - halo
    hi = task.end_s + halo
    if len(task.dark_gaps):
        hi = max(hi, int(_dark_reach_s(task.dark_gaps, cfg)[1].max()))
    frame = _in_segment_order(
        task.segmented.read_time(lo * _NS, hi * _NS, _SEGMENTED_COLUMNS)
    )
    arrays = _Arrays(frame)
    rendezvous, pending = None, []
    if len(frame):
        fields = _rendezvous_fields(arrays, cfg)
        start = fields["start_s"]
        mine = (start >= task.start_s) & (start < task.end_s)
        # A meeting whose end is not a halo away from the end of the data
        # read may run on: it is computed again from its two vessels alone.
        cut = mine & (fields["end_s"] + halo >= hi) & (hi <= _last_s(task.segmented))
        rendezvous = {name: values[mine & ~cut] for name, values in fields.items()}
        pending = list(
            zip(
                fields["vessel_a"][cut].tolist(),
                fields["vessel_b"][cut].tolist(),
                start[cut].tolist(),
                fields["end_s"][cut].tolist(),
                strict=True,
            )
        )
    seen = None
    if len(task.dark_gaps) and len(frame):
        seen = _dark_seen_fields(arrays, task.dark_gaps, cfg)
        seen["gap"] = task.dark_rows[seen["gap"]]
    heard = _heard_in_window(arrays, task, cfg)
    return _WindowResult(rendezvous, pending, seen, heard)


@dataclass
class _PairTask:
    segmented: TrackDataset
    # Meetings of one window that may run past it: (vessel_a, vessel_b,
    # start_s, end_s seen so far).
    pairs: list[tuple[int, int, int, int]]
    config: Config


def _pair_pass(task: _PairTask) -> list[dict]:
    """Long meetings, each from its two vessels' fixes alone.

    A pair's meetings depend on the two vessels' positions only, so the
    kernel run on their fixes finds the meeting as on everyone's. The
    meetings of one window are resolved together: one read of all their
    vessels' fixes per round, the time read growing (doubling) until each
    meeting ends a halo before the end of the data read. Reading pair by
    pair would decode the same files once per meeting.
    """
    cfg = task.config
    halo = _halo_s(cfg)
    last = _last_s(task.segmented)
    starts = {i: start - halo for i, (_, _, start, _) in enumerate(task.pairs)}
    ends = {
        i: start - halo + 2 * (end + 3 * halo - start)
        for i, (_, _, start, end) in enumerate(task.pairs)
    }
    found: dict[int, dict] = {}
    while len(found) < len(task.pairs):
        todo = [i for i in range(len(task.pairs)) if i not in found]
        lo = min(starts[i] for i in todo)
        hi = max(ends[i] for i in todo)
        vessels = sorted({v for i in todo for v in task.pairs[i][:2]})
        buckets = sorted(set(mmsi_buckets(vessels, task.segmented.buckets).tolist()))
        frame = task.segmented.read_time(
            lo * _NS,
            hi * _NS,
            _SEGMENTED_COLUMNS,
            buckets=buckets,
            filters=[("mmsi", "in", vessels)],
        )
        fields = _rendezvous_fields(_Arrays(_in_segment_order(frame)), cfg)
        del frame
        for i in todo:
            a, b, start, _ = task.pairs[i]
            pick = (
                (fields["vessel_a"] == a)
                & (fields["vessel_b"] == b)
                & (fields["start_s"] == start)
            )
            if not pick.any():  # pragma: no cover - the window found it
                raise RuntimeError(f"meeting of {a} and {b} at {start} not found")
            if fields["end_s"][pick][0] + halo < hi or hi > last:
                found[i] = {name: values[pick] for name, values in fields.items()}
            else:
                ends[i] = starts[i] + 2 * (hi - starts[i])
    return [found[i] for i in range(len(task.pairs))]


def _pair_batches(
    pending: list[tuple[int, int, int, int]],
    fix_rates: pd.Series,
    halo_s: int,
    max_rows: int,
) -> list[list[tuple[int, int, int, int]]]:
    """Meetings to resolve, in batches that each read about ``max_rows`` fixes.

    Each batch is one :func:`_pair_pass`: one read of its vessels over its
    time span per round. Windows are hours long, so batching per window
    would decode the same day of fixes once per window. A batch closes when
    its meetings' starts span a day, or when its first read, estimated from
    its vessels' fix rates over the span it reads, would pass ``max_rows``:
    a port full of moored ships meeting one another must not make one read
    of hundreds of vessels over days. ``pending`` is in window order, so
    starts increase batch to batch.
    """
    rates = fix_rates.to_dict()
    batches: list[list[tuple[int, int, int, int]]] = []
    vessels: set[int] = set()
    rate = 0.0  # fixes per second of the batch's vessels
    read_lo = read_hi = 0
    for meeting in pending:
        a, b, start, end = meeting
        lo = start - halo_s
        # The first round's read of _pair_pass.
        hi = lo + 2 * (end + 3 * halo_s - start)
        new = {a, b} - vessels
        added = sum(rates.get(v, 0.0) for v in new)
        if batches and start - batches[-1][0][2] < _DAY_S:
            span = max(read_hi, hi) - min(read_lo, lo)
            if (rate + added) * span <= max_rows:
                batches[-1].append(meeting)
                vessels |= new
                rate += added
                read_lo, read_hi = min(read_lo, lo), max(read_hi, hi)
                continue
        batches.append([meeting])
        vessels = {a, b}
        rate = sum(rates.get(v, 0.0) for v in vessels)
        read_lo, read_hi = lo, hi
    return batches


def _heard_in_window(arrays: _Arrays, task: _WindowTask, cfg: Config) -> tuple:
    empty = (np.empty(0, np.int64),) * 3
    if not len(task.heard_rows) or not len(arrays.tracks):
        return empty
    t0, t1, vessel, lat0, lon0, lat1, lon1 = task.heard_query
    t_s = arrays.t_ns // _NS
    radius = float(cfg.gaps.reception_radius_km * 1000.0)
    inside = (t_s >= task.start_s) & (t_s < task.end_s) & _during_gaps(t_s, t0, t1)
    rows = np.flatnonzero(inside)
    rows = rows[
        _near_places(
            arrays.lat[rows],
            arrays.lon[rows],
            np.concatenate([lat0, lat1]),
            np.concatenate([lon0, lon1]),
            radius,
        )
    ]
    if not len(rows):
        return empty
    index = reception_index(
        np.ascontiguousarray(t_s[rows]),
        np.ascontiguousarray(arrays.lat[rows]),
        np.ascontiguousarray(arrays.lon[rows]),
        np.ascontiguousarray(arrays.identity[rows]),
        radius,
    )
    gaps, vessels, ends = [], [], []
    for end, (lat, lon) in enumerate(((lat0, lon0), (lat1, lon1))):
        g, v = reception_heard(index, t0, t1, lat, lon, vessel)
        gaps.append(task.heard_rows[g])
        vessels.append(v)
        ends.append(np.full(len(g), end, dtype=np.int64))
    return tuple(np.concatenate(parts) for parts in (gaps, vessels, ends))


def _windows(
    partitions: dict[str, int], window_s: int | None, window_rows: int
) -> tuple[list[tuple[int, int]], int]:
    """Time windows ``[start, end)`` in seconds covering the days with fixes."""
    if not partitions:
        return [], 0
    day_numbers = [int(np.datetime64(d, "D").astype(np.int64)) for d in partitions]
    if window_s is None:
        busiest = max(partitions.values())
        window_s = max(3600, int(_DAY_S * window_rows / max(busiest, 1)) // 3600 * 3600)
        if window_s >= _DAY_S:
            window_s = window_s // _DAY_S * _DAY_S
    first = min(day_numbers) * _DAY_S // window_s * window_s
    last = (max(day_numbers) + 1) * _DAY_S
    with_data = set(day_numbers)
    out = []
    for start in range(first, last, window_s):
        end = start + window_s
        if any(d in with_data for d in range(start // _DAY_S, -(-end // _DAY_S))):
            out.append((start, end))
    return out, window_s


def _dark_reach_s(dark: pd.DataFrame, cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    """Start of each dark gap, and the end of the data its window must read.

    The one-dark rendezvous of a gap looks at the other vessels' positions
    until the gap ends, each interpolated from fixes up to
    ``segment.max_gap_h`` later (seconds since the epoch).
    """
    if not len(dark):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    max_interp = int(cfg.segment.max_gap_h * 3600)
    start = timestamps_ns(dark, "start") // _NS
    return start, timestamps_ns(dark, "end") // _NS + max_interp + 1


def _planned_windows(
    hours: np.ndarray,
    counts: np.ndarray,
    halo_s: int,
    dark_start_s: np.ndarray,
    dark_reach_s: np.ndarray,
    window_rows: int,
) -> list[tuple[int, int]]:
    """Consecutive windows of whole hours, each reading about ``window_rows``.

    What a window reads is its own time, ``halo_s`` on both sides and, after
    it, up to the reach of every dark gap starting in it
    (:func:`_dark_reach_s`). Windows grow hour by hour while that read holds
    at most ``window_rows`` fixes (one hour at least), so the memory of the
    window pass stays the same however long or busy the data: a window
    sized by the busiest day alone reads half as much again when a long dark
    gap starts near its end.

    Parameters
    ----------
    hours, counts : ndarray of int64
        UTC hours (since the epoch) with fixes and the fixes in each; an
        hour may appear several times (one entry per part of a bucket).
    halo_s : int
        Data read on each side of a window, seconds.
    dark_start_s, dark_reach_s : ndarray of int64
        Start of each dark gap and the end of the data it needs, seconds
        since the epoch (UTC).
    window_rows : int
        Fixes a window's read aims to hold at most.

    Returns
    -------
    list of (int, int)
        ``[start, end)`` of each window, seconds since the epoch (UTC),
        consecutive from the first hour with fixes to the hour after the
        last; windows whose read holds no fix are left out.
    """
    if not len(hours):
        return []
    first = int(hours.min())
    n_hours = int(hours.max()) + 1 - first
    per_hour = np.bincount(hours - first, weights=counts, minlength=n_hours)
    cum = np.concatenate([[0], np.cumsum(per_hour.astype(np.int64))])

    def rows(lo_s: int, hi_s: int) -> int:
        i = min(max(lo_s // 3600 - first, 0), n_hours)
        j = min(max(-(-hi_s // 3600) - first, 0), n_hours)
        return int(cum[j] - cum[i]) if j > i else 0

    reach = np.full(n_hours, np.iinfo(np.int64).min, dtype=np.int64)
    if len(dark_start_s):
        np.maximum.at(reach, dark_start_s // 3600 - first, dark_reach_s)
    spans = []
    h = 0
    while h < n_hours:
        start = (first + h) * 3600
        end_h, furthest = h + 1, int(reach[h])
        while end_h < n_hours:
            grown = max(furthest, int(reach[end_h]))
            read_end = max((first + end_h + 1) * 3600 + halo_s, grown)
            if rows(start - halo_s, read_end) > window_rows:
                break
            end_h, furthest = end_h + 1, grown
        end = (first + end_h) * 3600
        if rows(start - halo_s, max(end + halo_s, furthest)) > 0:
            spans.append((start, end))
        h = end_h
    return spans


# --------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_events()
    return pd.concat(frames, ignore_index=True)


def _sum_coverage(parts: list[dict]) -> dict:
    out: dict = {}
    for part in parts:
        for cls, (slots, heard) in part.items():
            if cls in out:
                out[cls] = (out[cls][0] + slots, out[cls][1] + heard)
            else:
                out[cls] = (slots.copy(), heard.copy())
    return out


def _merge_rendezvous(parts: list[dict | None]) -> dict | None:
    parts = [p for p in parts if p is not None and len(p["vessel_a"])]
    if not parts:
        return None
    fields = {
        name: np.concatenate([p[name] for p in parts]) for name in RENDEZVOUS_FIELDS
    }
    order = np.lexsort((fields["vessel_b"], fields["vessel_a"], fields["start_s"]))
    fields = {name: values[order] for name, values in fields.items()}
    fields["group"] = rendezvous_groups(
        fields["vessel_a"], fields["vessel_b"], fields["start_s"], fields["end_s"]
    )
    return fields


def _merge_seen(parts: list[dict | None], names) -> dict | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    fields = {name: np.concatenate([p[name] for p in parts]) for name in names}
    # Each gap's runs come from one window, already in kernel order.
    order = np.lexsort((fields["start_s"], fields["vessel_seen"], fields["gap"]))
    return {name: values[order] for name, values in fields.items()}


def _heard_counts(gaps: pd.DataFrame, parts: list[tuple]) -> tuple:
    n = len(gaps)
    counts = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]
    pieces = [p for p in parts if len(p[0])]
    if pieces:
        g, v, e = (np.concatenate([p[k] for p in pieces]) for k in range(3))
        pairs = np.unique(np.stack([e, g, v]), axis=1)
        for end in (0, 1):
            pick = pairs[0] == end
            counts[end] = np.bincount(pairs[1][pick], minlength=n).astype(np.int64)
    for end, (lat, lon) in enumerate((("lat", "lon"), ("end_lat", "end_lon"))):
        unknown = gaps[lat].isna().to_numpy() | gaps[lon].isna().to_numpy()
        counts[end][unknown] = -1
    return tuple(counts)


# --------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------


@dataclass
class _Detected:
    events: pd.DataFrame
    incidents: pd.DataFrame
    segmented: TrackDataset
    day_numbers: list[int]
    rows: int
    windows: int


def _work_dir(work_dir, near: Path) -> tuple[Path, bool]:
    if work_dir is not None:
        path = Path(work_dir)
        path.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="coastwatch-work-", dir=path)), True
    try:
        return Path(tempfile.mkdtemp(prefix=".coastwatch-work-", dir=near)), True
    except OSError:
        return Path(tempfile.mkdtemp(prefix="coastwatch-work-")), True


def _detect(
    ds: TrackDataset,
    cfg: Config,
    executor,
    work: Path,
    window_h: float | None,
    window_rows: int,
    timed: Callable,
) -> _Detected:
    extent = ds.extent
    grid = (
        _coverage_grid(
            np.array(extent[:2]), np.array(extent[2:]), cfg.gaps.coverage_step_deg
        )
        if extent is not None
        else None
    )
    tasks = [
        _BucketTask(ds, b, part, cfg, work, grid)
        for b in range(ds.buckets)
        for part in ds.parts(b) or [0]
    ]
    results = timed("vessels", executor.map, _bucket_pass, tasks, "vessels")

    partitions: dict[str, dict[int, int]] = {}
    for task, result in zip(tasks, results, strict=True):
        for day, n in result.partitions.items():
            counts = partitions.setdefault(day, {})
            counts[task.bucket] = counts.get(task.bucket, 0) + n
    segmented = TrackDataset(
        work, ds.buckets, dict(sorted(partitions.items())), extent, ds.time_range
    )
    day_numbers = sorted(
        set(np.concatenate([r.day_numbers for r in results]).tolist())
        if results
        else set()
    )

    def encounters():
        loitering = _concat([r.loitering for r in results])
        candidates = _concat([r.gaps for r in results])
        if len(candidates):
            key = candidates["mmsi"].to_numpy(np.int64) * 1000 + candidates[
                "track"
            ].to_numpy(np.int64)
            order = np.lexsort((timestamps_ns(candidates, "start"), key))
            candidates = candidates.iloc[order].reset_index(drop=True)
            coverage = _sum_coverage([r.coverage for r in results])
            gaps = _covered_gaps(
                candidates,
                cfg,
                _gap_reception_hours(candidates, coverage, grid, cfg.gaps),
            )
        else:
            gaps = empty_events()
        dark = _dark_candidate_gaps(gaps, cfg).reset_index(drop=True)
        if window_h is None:
            spans = _planned_windows(
                np.concatenate([r.hours for r in results]),
                np.concatenate([r.hour_counts for r in results]),
                _halo_s(cfg),
                *_dark_reach_s(dark, cfg),
                window_rows,
            )
        else:
            per_day = {day: sum(b.values()) for day, b in partitions.items()}
            spans, _ = _windows(per_day, round(window_h * 3600), window_rows)
        window_tasks = _window_tasks(segmented, spans, cfg, gaps, dark)
        found = executor.map(_window_pass, window_tasks, "encounters")
        pairs = [
            _PairTask(segmented, batch, cfg)
            for batch in _pair_batches(
                [m for f in found for m in f.pending],
                pd.concat([r.fix_rates for r in results]),
                _halo_s(cfg),
                window_rows,
            )
        ]
        long_ones = [
            meeting
            for resolved in executor.map(_pair_pass, pairs, "encounters")
            for meeting in resolved
        ]
        rendezvous = _merge_rendezvous([f.rendezvous for f in found] + long_ones)
        parts = [loitering, _concat([r.drift for r in results])]
        if len(gaps):
            gaps = _with_reception(gaps, *_heard_counts(gaps, [f.heard for f in found]))
        parts.append(gaps)
        parts.append(
            _rendezvous_frame(rendezvous, cfg)
            if rendezvous is not None
            else empty_events()
        )
        if len(dark):
            seen = _merge_seen([f.seen for f in found], DARK_SEEN_FIELDS)
            if seen is None:
                seen = {name: np.empty(0) for name in DARK_SEEN_FIELDS}
            parts.append(_dark_frame(_dark_pair_fields(dark, cfg), seen, cfg))
        return _assemble_events(parts), len(window_tasks)

    events, n_windows = timed("encounters", encounters)

    def score():
        profiles = pd.concat([r.profiles for r in results]).sort_index()
        scored = score_events(events, None, cfg, profiles=profiles)
        return scored, chain_incidents(scored, cfg)

    scored, incidents = timed("score", score)
    return _Detected(scored, incidents, segmented, day_numbers, ds.rows, n_windows)


def _window_tasks(segmented, spans, cfg, gaps, dark) -> list[_WindowTask]:
    if len(gaps):
        t0, t1, vessel = _gap_query(gaps)
        positions = tuple(
            gaps[c].to_numpy(np.float64) for c in ("lat", "lon", "end_lat", "end_lon")
        )
    if len(dark):
        dark_t0 = timestamps_ns(dark, "start") // _NS
    tasks = []
    for start, end in spans:
        if len(gaps):
            rows = np.flatnonzero((t1 >= start) & (t0 < end))
            query = (
                t0[rows],
                t1[rows],
                vessel[rows],
                *(p[rows] for p in positions),
            )
        else:
            rows, query = np.empty(0, np.int64), ()
        if len(dark):
            dark_rows = np.flatnonzero((dark_t0 >= start) & (dark_t0 < end))
            dark_part = dark.iloc[dark_rows].reset_index(drop=True)
        else:
            dark_rows, dark_part = np.empty(0, np.int64), empty_events()
        tasks.append(
            _WindowTask(segmented, start, end, cfg, rows, query, dark_rows, dark_part)
        )
    return tasks


def _open(dataset) -> TrackDataset:
    return dataset if isinstance(dataset, TrackDataset) else TrackDataset.open(dataset)


def _timer(stage, timings):
    def timed(name, func, *args, **kwargs):
        if stage is not None:
            stage(name)
        started = time.perf_counter()
        result = func(*args, **kwargs)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        return result

    return timed


def detect_dataset(
    dataset,
    config: Config | None = None,
    *,
    executor=None,
    work_dir: str | os.PathLike | None = None,
    window_h: float | None = None,
    window_rows: int = _WINDOW_ROWS,
    stage: Callable[[str], None] | None = None,
) -> PartitionedRun:
    """Find and score every event of a partitioned dataset, out of core.

    Parameters
    ----------
    dataset : str, os.PathLike or TrackDataset
        A dataset written by :func:`coastwatch.dataset.ingest_partitioned`.
    config : Config, optional
        Settings; default profile ``makran``.
    executor : optional
        Runs the tasks: :class:`SerialExecutor` (default, this process) or
        :class:`coastwatch.distributed.DaskExecutor`.
    work_dir : str or os.PathLike, optional
        Where the segmented fixes are kept during the run (deleted after);
        default a hidden folder beside the dataset. Must be visible to every
        worker.
    window_h : float, optional
        Length of the time windows of the second pass, hours; default
        chosen so that a window holds about ``window_rows`` fixes.
    window_rows : int
        Fixes per window aimed at when ``window_h`` is not given.
    stage : callable, optional
        Called with each pass's name as it starts.

    Returns
    -------
    PartitionedRun
        The events and incidents exactly as :func:`coastwatch.run_detect`
        finds them on the whole table, whatever the bucket count or window
        length.
    """
    cfg = config or load_config()
    ds = _open(dataset)
    executor = executor or SerialExecutor()
    timings: dict[str, float] = {}
    work, _ = _work_dir(work_dir, ds.path.parent)
    try:
        found = _detect(
            ds, cfg, executor, work, window_h, window_rows, _timer(stage, timings)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PartitionedRun(
        found.events,
        found.incidents,
        timings=timings,
        rows=found.rows,
        buckets=ds.buckets,
        windows=found.windows,
    )


# --------------------------------------------------------------------------
# Pass 3: per day
# --------------------------------------------------------------------------


@dataclass
class _DayTask:
    segmented: TrackDataset
    label: object
    config: Config
    bucket: int = -1
    spec: object = None


def _day_span_ns(label, cfg: Config) -> tuple[int, int]:
    start, end = _days.day_window(label, cfg.grid.day_boundary)
    return start.value, end.value


def _day_extent(task: _DayTask):
    lo, hi = _day_span_ns(task.label, task.config)
    frame = task.segmented.read_time(lo, hi, ("lat", "lon"))
    return track_extent(frame["lat"].to_numpy(), frame["lon"].to_numpy()), len(frame)


def _day_traffic(task: _DayTask):
    lo, hi = _day_span_ns(task.label, task.config)
    frame = task.segmented.read_time(
        lo, hi, ("mmsi", "timestamp", "lat", "lon", "segment"), buckets=[task.bucket]
    )
    # The work files are in time order: by segment (stable) they are in the
    # (segment, time) order the gridding takes without sorting again.
    order = np.argsort(frame["segment"].to_numpy(), kind="stable")
    return day_traffic(frame.iloc[order], task.spec, task.label, task.config)


@dataclass
class _DayWrite:
    segmented: TrackDataset
    label: object
    config: Config
    events: pd.DataFrame
    incidents: pd.DataFrame | None
    spec: object
    extent: tuple | None
    rows: int
    out_dir: Path
    inputs: list[str]


def _day_write(task: _DayWrite) -> dict[str, Path]:
    cfg = task.config
    events = finalise_events(task.events)
    # The traffic layer bucket by bucket, each piece added as it is made:
    # in the task, so that no grid of a day outlives it (a year of them
    # would not fit).
    half_seconds, vessel_count = np.int64(0), 0
    for b in range(task.segmented.buckets):
        piece = _day_traffic(_DayTask(task.segmented, task.label, cfg, b, task.spec))
        half_seconds = half_seconds + piece[0]
        vessel_count += piece[1]
        del piece
        release_memory()
    number = _days.number_of_label(task.label)
    traffic = DayTraffic(task.extent, {number: half_seconds}, {number: vessel_count})
    grid = risk_grid(None, events, cfg, days=[task.label], traffic=traffic)
    vessels = set(events["mmsi"].tolist()) | {
        int(v) for v in events["other_mmsi"].dropna().tolist()
    }
    tracks = None
    if vessels:
        lo, hi = _day_span_ns(task.label, cfg)
        tracks = task.segmented.read_time(
            lo,
            hi,
            ("mmsi", "timestamp", "lat", "lon"),
            filters=[("mmsi", "in", sorted(vessels))],
        )
    return write_day_products(
        task.label,
        tracks,
        events,
        task.incidents,
        task.out_dir,
        cfg,
        inputs=task.inputs,
        grid=grid,
        track_rows=task.rows,
    )


def _products(
    found: _Detected,
    cfg: Config,
    executor,
    out_dir: Path,
    wanted: set[str] | None,
    inputs: list[str],
) -> dict[str, dict[str, Path]]:
    boundary = cfg.grid.day_boundary
    # One stand-in fix per day with fixes, so the days are split as the
    # whole track table would be.
    starts = [
        _days.day_window(_days.label_of_number(n), boundary)[0]
        for n in found.day_numbers
    ]
    stand_in = pd.DataFrame({"timestamp": pd.DatetimeIndex(starts)})
    days = [
        d
        for d in split_days(stand_in, found.events, boundary, found.incidents)
        if wanted is None or d.day.isoformat() in wanted
    ]
    seg = found.segmented
    extents = executor.map(
        _day_extent, [_DayTask(seg, d.day, cfg) for d in days], "products"
    )
    specs = [
        day_grid_spec(cfg, extent, finalise_events(d.events))
        for d, (extent, _) in zip(days, extents, strict=True)
    ]
    writes = [
        _DayWrite(
            seg, d.day, cfg, d.events, d.incidents, spec, extent, rows, out_dir, inputs
        )
        for d, spec, (extent, rows) in zip(days, specs, extents, strict=True)
    ]
    written = executor.map(_day_write, writes, "products")
    return {d.day.isoformat(): paths for d, paths in zip(days, written, strict=True)}


def daily_dataset(
    dataset,
    out_dir: str | os.PathLike,
    config: Config | None = None,
    *,
    days: list[str] | None = None,
    executor=None,
    work_dir: str | os.PathLike | None = None,
    window_h: float | None = None,
    window_rows: int = _WINDOW_ROWS,
    inputs: list[str] | None = None,
    stage: Callable[[str], None] | None = None,
) -> PartitionedRun:
    """One products folder per day from a partitioned dataset, out of core.

    Parameters
    ----------
    dataset : str, os.PathLike or TrackDataset
        A partitioned track dataset.
    out_dir : str or os.PathLike
        Parent folder of the ``YYYY-MM-DD`` day folders.
    config : Config, optional
        Settings (``grid.day_boundary`` chooses the days).
    days : list of str, optional
        Only write these days (``YYYY-MM-DD``); default every day with data.
    executor, work_dir, window_h, window_rows, stage
        As for :func:`detect_dataset`.
    inputs : list of str, optional
        Input names for ``summary.json``; default the dataset's path.

    Returns
    -------
    PartitionedRun
        Events, incidents, product paths and timings. The day folders hold
        the same files as :func:`coastwatch.run_daily` writes from the same
        fixes (``summary.json`` names the inputs given).
    """
    cfg = config or load_config()
    ds = _open(dataset)
    executor = executor or SerialExecutor()
    timings: dict[str, float] = {}
    timed = _timer(stage, timings)
    out = Path(out_dir)
    work, _ = _work_dir(work_dir, out.parent if out.parent.exists() else Path.cwd())
    try:
        found = _detect(ds, cfg, executor, work, window_h, window_rows, timed)
        written = timed(
            "products",
            _products,
            found,
            cfg,
            executor,
            out,
            set(days) if days else None,
            list(inputs) if inputs is not None else [os.fspath(ds.path)],
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PartitionedRun(
        found.events,
        found.incidents,
        written,
        timings,
        found.rows,
        ds.buckets,
        found.windows,
    )
