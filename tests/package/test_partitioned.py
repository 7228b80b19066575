"""coastwatch.partitioned: out-of-core runs give the single-process answers.

Whatever the bucket count or window length, the event and incident tables
equal those of :func:`coastwatch.run_detect` on the whole table in memory,
and the day folders are byte for byte those of :func:`coastwatch.run_daily`.
Events on partition edges are planted on purpose (``scale_cases``): a
meeting across a day and window edge with its vessels in different buckets,
a 20-hour meeting longer than any halo, a group of three, dark gaps and
loitering across midnight, dark rendezvous.
"""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scale_cases as cases
import scale_data
import xarray as xr

from coastwatch.config import load_config
from coastwatch.daily import split_days
from coastwatch.dataset import TrackDataset, mmsi_buckets
from coastwatch.days import number_of_label
from coastwatch.heatmaps import DayTraffic, day_grid_spec, risk_grid
from coastwatch.partitioned import (
    SerialExecutor,
    _day_extent,
    _day_traffic,
    _DayTask,
    _in_segment_order,
    _pair_batches,
    _planned_windows,
    _windows,
    daily_dataset,
    detect_dataset,
)
from coastwatch.readers import read_tracks
from coastwatch.schema import timestamps_ns
from coastwatch.segmentation import segment


def _assert_same(run, name):
    events, incidents = scale_data.reference(name)
    pd.testing.assert_frame_equal(run.events, events)
    pd.testing.assert_frame_equal(run.incidents, incidents)


@pytest.mark.parametrize(("buckets", "window_h"), [(1, None), (7, 5.0)])
def test_sample_events_identical(buckets, window_h):
    run = detect_dataset(
        scale_data.dataset("sample", buckets), load_config(), window_h=window_h
    )
    assert run.buckets == buckets
    _assert_same(run, "sample")


@pytest.mark.parametrize(("buckets", "window_h"), [(2, 1.0), (5, 2.0), (7, 24.0)])
def test_multiday_events_identical(buckets, window_h):
    run = detect_dataset(
        scale_data.dataset("multiday", buckets), load_config(), window_h=window_h
    )
    assert run.windows >= 48 / window_h  # two days and the halo's window
    _assert_same(run, "multiday")


def _one(events, kind, *mmsis):
    pick = events["kind"] == kind
    for m in mmsis:
        pick &= (events["mmsi"] == m) | (events["other_mmsi"] == m).fillna(False)
    rows = events[pick]
    assert len(rows) >= 1, (kind, mmsis)
    return rows


@pytest.mark.parametrize("window_rows", [3_000, 40_000])
def test_windows_planned_by_rows_give_the_same_events(window_rows):
    # Small budgets: many windows of a few hours, shortened where a dark gap
    # starts, so meetings and dark gaps cross window edges.
    run = detect_dataset(
        scale_data.dataset("multiday", 4), load_config(), window_rows=window_rows
    )
    assert run.windows >= (10 if window_rows == 3_000 else 2)
    _assert_same(run, "multiday")


def test_planned_windows_bound_what_each_window_reads():
    hour0 = 473_688  # 2024-01-15 00:00 UTC, hours since the epoch
    hours = np.arange(hour0, hour0 + 48)
    counts = np.full(48, 100, dtype=np.int64)
    halo = 2 * 3600
    # Every window reads its hours and two on each side: six hours of 100
    # fixes fit 600, so the windows are two hours long, the first four
    # (nothing to read before the data).
    spans = _planned_windows(
        hours, counts, halo, np.empty(0, int), np.empty(0, int), 600
    )
    assert spans[0] == (hour0 * 3600, (hour0 + 4) * 3600)
    assert all(b - a == 2 * 3600 for a, b in spans[1:-1])
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]  # consecutive
    assert spans[-1][1] == (hour0 + 48) * 3600
    # The same counts given per bucket add up.
    split = _planned_windows(
        np.concatenate([hours, hours]),
        np.concatenate([counts // 2, counts // 2]),
        halo,
        np.empty(0, int),
        np.empty(0, int),
        600,
    )
    assert split == spans
    # A dark gap starting at hour 9 needs data to hour 22: the window before
    # it ends where it starts, its own is one hour (reading 15 hours, more
    # than the budget of 12, the least possible), and no other read exceeds
    # the budget.
    start = np.array([(hour0 + 9) * 3600 + 60])
    reach = np.array([(hour0 + 22) * 3600])
    dark = _planned_windows(hours, counts, halo, start, reach, 1200)
    owner = [s for s in dark if s[0] <= start[0] < s[1]]
    assert owner == [((hour0 + 9) * 3600, (hour0 + 10) * 3600)]
    assert dark[0] == (hour0 * 3600, (hour0 + 9) * 3600)
    for a, b in dark:
        read_end = max(b + halo, *(reach[(start >= a) & (start < b)]), 0)
        hours_read = len(
            range(max(a - halo, hour0 * 3600), min(read_end, (hour0 + 48) * 3600), 3600)
        )
        assert hours_read * 100 <= 1200 or b - a == 3600
    # Two busy hours 100 hours apart: windows of one hour each read a
    # busy hour (the budget is smaller than an hour), and hours whose read
    # holds no fix get no window.
    apart = np.array([hour0, hour0 + 100])
    sparse = _planned_windows(
        apart, np.array([5, 5]), halo, np.empty(0, int), np.empty(0, int), 1
    )
    near = [hour0 * 3600 + k * 3600 for k in (0, 1, 2, 98, 99, 100)]
    assert sparse == [(a, a + 3600) for a in near]
    assert (
        _planned_windows(
            np.empty(0, int),
            np.empty(0, int),
            halo,
            np.empty(0, int),
            np.empty(0, int),
            10,
        )
        == []
    )


def test_long_meetings_batched_by_day_and_by_rows_read():
    day = 86_400
    pending = [
        (1, 2, 0, 10),
        (3, 4, 3600, 3610),
        (1, 5, day - 1, day + 9),
        (6, 7, day, day + 10),
    ]
    slow = pd.Series(1e-6, index=range(1, 8))  # a fix every 11 days
    # Within a day of the batch's first start, whatever the window.
    assert _pair_batches(pending, slow, 0, 4_000_000) == [pending[:3], pending[3:]]
    # A batch closes before its first read would pass the rows asked: the
    # first two meetings read 3,620 s of four vessels at a fix a second.
    busy = pd.Series(1.0, index=range(1, 8))
    assert _pair_batches(pending[:2], busy, 0, 14_480) == [pending[:2]]
    assert _pair_batches(pending[:2], busy, 0, 14_479) == [pending[:1], pending[1:2]]
    assert _pair_batches([], busy, 0, 40) == []


def test_edge_events_found_whole_and_once():
    # Buckets 3, windows of 1 h: every planted event crosses an edge.
    assert len(set(mmsi_buckets([cases.MEET_A, cases.MEET_B], 3).tolist())) == 2
    assert len(set(mmsi_buckets([cases.LONG_A, cases.LONG_B], 3).tolist())) == 2
    run = detect_dataset(scale_data.dataset("multiday", 3), load_config(), window_h=1.0)
    events = run.events
    midnight = cases.MIDNIGHT
    meet = _one(events, "rendezvous", cases.MEET_A, cases.MEET_B)
    assert len(meet) == 1  # found once, not once per window
    assert meet["start"].iat[0] < midnight - pd.Timedelta(hours=1)
    assert meet["end"].iat[0] > midnight + pd.Timedelta(hours=1)
    long = _one(events, "rendezvous", cases.LONG_A, cases.LONG_B)
    assert len(long) == 1
    assert long["duration_h"].iat[0] > 19.5
    trio = events[(events["kind"] == "rendezvous") & events["mmsi"].isin(cases.TRIO)]
    assert len(trio) == 3
    assert trio["group"].nunique() == 1
    gap = _one(events, "dark_gap", cases.DARK)
    assert len(gap) == 1
    assert gap["start"].iat[0] < midnight < gap["end"].iat[0]
    drift = _one(events, "loitering", cases.DRIFT)
    assert (drift["start"] < midnight).any() and (drift["end"] > midnight).any()
    dark = _one(events, "dark_rendezvous", *cases.DARK_PAIR)
    assert len(dark) == 1
    seen = _one(events, "dark_rendezvous", cases.SEEN)
    assert len(seen) == 2
    _assert_same(run, "multiday")


def test_daily_products_byte_identical(tmp_path):
    config = load_config()
    ref = scale_data.daily_reference()
    run = daily_dataset(
        scale_data.dataset("sample", 3),
        tmp_path / "part",
        config,
        window_h=5.0,
        inputs=[str(scale_data.SAMPLE)],
    )
    assert list(run.days) == ["2024-01-15"]
    folder = ref / "2024-01-15"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part" / "2024-01-15").iterdir())
    _, mismatch, errors = filecmp.cmpfiles(
        folder, tmp_path / "part" / "2024-01-15", names, shallow=False
    )
    assert mismatch == [] and errors == []


def test_grid_of_a_day_across_partitions_identical():
    # PKT-noon days straddle two UTC day partitions: the day's grid summed
    # from per-bucket pieces equals the grid of the day's whole table.
    config = load_config(overrides={"grid": {"day_boundary": "pkt_noon"}})
    events = scale_data.reference("multiday")[0].assign(risk=0.5)
    tracks, _ = segment(read_tracks(scale_data.source("multiday")), config)
    ds = TrackDataset.open(scale_data.dataset("multiday", 3))
    with tempfile.TemporaryDirectory() as work:
        run = _segmented(ds, config, work)
        for day in split_days(tracks, events, "pkt_noon"):
            expected = risk_grid(day.tracks, day.events, config, days=[day.day])
            extent, rows = _day_extent(_DayTask(run, day.day, config))
            spec = day_grid_spec(config, extent, day.events)
            pieces = [
                _day_traffic(_DayTask(run, day.day, config, b, spec))
                for b in range(ds.buckets)
            ]
            number = number_of_label(day.day)
            traffic = DayTraffic(
                extent,
                {number: sum(p[0] for p in pieces)},
                {number: sum(p[1] for p in pieces)},
            )
            got = risk_grid(None, day.events, config, [day.day], traffic=traffic)
            xr.testing.assert_identical(got, expected)
            assert rows == len(day.tracks)


def _segmented(ds, config, work):
    """The per-vessel pass alone: the segmented fixes of the dataset."""
    from coastwatch.partitioned import _bucket_pass, _BucketTask

    parts = {}
    for b in range(ds.buckets):
        for part in ds.parts(b):
            task = _BucketTask(ds, b, part, config, Path(work), None)
            for label, n in _bucket_pass(task).partitions.items():
                counts = parts.setdefault(label, {})
                counts[b] = counts.get(b, 0) + n
    return TrackDataset(Path(work), ds.buckets, parts, ds.extent, ds.time_range)


def test_window_fixes_sorted_by_segment_and_time_in_place():
    rng = np.random.default_rng(5)
    n = 2_000
    frame = pd.DataFrame(
        {
            "mmsi": rng.integers(1, 4, n) * 100_000_000,
            "timestamp": pd.to_datetime(
                rng.integers(0, 500, n) * 10**9, utc=True
            ).as_unit("ns"),
            "lat": rng.random(n),
            "sog": rng.random(n).astype(np.float32),
            "segment": rng.integers(0, 30, n),
        }
    )
    expected = frame.iloc[
        np.lexsort((timestamps_ns(frame), frame["segment"]))
    ].reset_index(drop=True)
    got = _in_segment_order(frame.copy())
    pd.testing.assert_frame_equal(got, expected)  # values and dtypes
    # Already in order: the same frame back, nothing copied.
    assert _in_segment_order(got) is got


def test_serial_executor_reports_progress():
    seen = []
    executor = SerialExecutor(progress=lambda *a: seen.append(a))
    assert executor.map(lambda x: x * 2, [1, 2, 3], "double") == [2, 4, 6]
    assert seen == [("double", 1, 3), ("double", 2, 3), ("double", 3, 3)]


def test_windows_follow_the_data_and_the_length_asked():
    spans, length = _windows({"2024-01-15": 10, "2024-01-17": 10}, 6 * 3600, 1)
    assert length == 6 * 3600
    day15 = pd.Timestamp("2024-01-15", tz="UTC").value // 10**9
    assert spans[0] == (day15, day15 + 6 * 3600)
    # No window over the empty 16th; four each on the 15th and 17th.
    assert len(spans) == 8
    assert all(b - a == 6 * 3600 for a, b in spans)
    assert spans[4][0] == day15 + 2 * 86_400
    # Default length: windows of about `window_rows` fixes, in whole hours.
    _, auto = _windows({"2024-01-15": 4_000_000}, None, 1_000_000)
    assert auto == 6 * 3600
    _, long = _windows({"2024-01-15": 100}, None, 1_000_000)
    assert long % 86_400 == 0 and long >= 86_400
