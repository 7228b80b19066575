"""coastwatch.dataset: partitioned track datasets (UTC day x MMSI hash bucket)."""

from __future__ import annotations

import itertools
import json
import pickle

import numpy as np
import pandas as pd
import pytest
import scale_data
from hypothesis import given, settings
from hypothesis import strategies as st

from coastwatch.accounting import Quarantine, ReadReport
from coastwatch.dataset import (
    MANIFEST,
    TrackDataset,
    _hash_range,
    _mix32,
    _passes,
    ingest_partitioned,
    is_dataset,
    mmsi_buckets,
    write_dataset,
)
from coastwatch.errors import InputError
from coastwatch.readers import ingest, read_tracks

CSV_HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName\n"


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(
        ["mmsi", "timestamp", "lat", "lon"], kind="stable"
    ).reset_index(drop=True)


def test_buckets_are_a_function_of_the_mmsi_alone():
    mmsi = np.arange(200_000_000, 200_100_000, 7)
    for n in (1, 2, 3, 16, 100):
        b = mmsi_buckets(mmsi, n)
        assert b.min() >= 0 and b.max() < n
        # Monotone in the hash, so any count is a split of hash ranges.
        h = _mix32(mmsi)
        for k in range(n):
            lo, hi = _hash_range(k, n)
            np.testing.assert_array_equal(b == k, (h >= lo) & (h < hi))
        counts = np.bincount(b, minlength=n)
        assert counts.min() > 0.8 * len(mmsi) / n  # uniform over vessels
    # Fixed values: datasets written by any run read back the same way.
    assert mmsi_buckets([1, 2, 3, 538000101], 4).tolist() == [
        int(v) for v in (_mix32(np.array([1, 2, 3, 538000101])) * 4) >> 32
    ]
    assert _mix32(np.array([0]))[0] == 0xE220A839


def test_ingest_keeps_every_row_and_the_report(tmp_path):
    report, quarantine = ReadReport(), Quarantine()
    ds = ingest_partitioned(
        scale_data.SAMPLE,
        tmp_path / "ds",
        buckets=5,
        rows_per_pass=20_000,
        report=report,
        quarantine=quarantine,
    )
    ref_report, ref_quarantine = ReadReport(), Quarantine()
    ref = read_tracks(scale_data.SAMPLE, report=ref_report, quarantine=ref_quarantine)
    assert report.to_dict() == ref_report.to_dict()
    assert sorted(quarantine.rows) == sorted(ref_quarantine.rows)
    got = pd.concat([ds.read_bucket(b) for b in range(5)], ignore_index=True)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(ref))
    assert ds.rows == len(ref) and ds.buckets == 5
    assert ds.days == ["2024-01-15"]
    # Small passes split buckets into several files, each vessel in one.
    files = ds.files("2024-01-15", 0) + ds.files("2024-01-15", 1)
    assert len(files) > 2
    for path in files:
        part = pd.read_parquet(path)
        assert (mmsi_buckets(part["mmsi"], 5) == int(path.parent.name[7:])).all()
        m = part["mmsi"].to_numpy()
        t = part["timestamp"].to_numpy("datetime64[ns]").view(np.int64)
        step_m, step_t = np.diff(m), np.diff(t)
        assert ((step_m > 0) | ((step_m == 0) & (step_t >= 0))).all()  # (mmsi, t)
    meta = json.loads((tmp_path / "ds" / MANIFEST).read_text())
    assert meta["rows"] == len(ref)
    lat = ref["lat"].to_numpy()
    assert meta["extent"][:2] == [lat.min(), lat.max()]
    assert ds.extent == tuple(meta["extent"])
    assert ds.time_range[0] == ref["timestamp"].min()


@pytest.mark.parametrize("writer", ["ingest", "write_dataset"])
def test_parts_hold_whole_vessel_histories_of_bounded_size(tmp_path, writer):
    tracks = read_tracks(scale_data.multiday_file())
    if writer == "ingest":
        ds = ingest_partitioned(
            scale_data.multiday_file(), tmp_path / "ds", buckets=2, rows_per_pass=9_000
        )
    else:
        ds = write_dataset(tracks, tmp_path / "ds", buckets=2, rows_per_pass=9_000)
    per_vessel = tracks["mmsi"].value_counts()
    assert per_vessel.max() < 9_000  # so no part may pass the bound
    seen = set()
    for b in range(2):
        parts = ds.parts(b)
        assert len(parts) >= 3
        whole = ds.read_bucket(b)
        pieces = [ds.read_bucket(b, part=p) for p in parts]
        pd.testing.assert_frame_equal(
            _sorted(pd.concat(pieces, ignore_index=True)), _sorted(whole)
        )
        for piece in pieces:
            assert 0 < len(piece) <= 9_000
            vessels = set(piece["mmsi"].tolist())
            assert not vessels & seen  # a vessel's whole history in one part
            seen |= vessels
            # Every fix of those vessels, whatever the day.
            assert len(piece) == per_vessel[sorted(vessels)].sum()
    assert len(ds.days) >= 2 and seen == set(per_vessel.index)


def test_a_pickled_dataset_leaves_its_file_cache_behind(tmp_path):
    ds = write_dataset(read_tracks(scale_data.SAMPLE), tmp_path / "ds", buckets=3)
    before = ds.read_bucket(1)
    assert ds._files  # listed while reading
    again = pickle.loads(pickle.dumps(ds))
    assert again._files == {} and ds._files  # tasks do not carry the lists
    pd.testing.assert_frame_equal(again.read_bucket(1), before)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 40), st.integers(1, 3)),
        st.integers(1, 30),
        max_size=60,
    ),
    st.integers(1, 50),
    st.integers(0, 20),
    st.integers(21, 41),
)
def test_passes_cover_the_range_in_bounded_parts(counts, bound, lo, hi):
    passes = list(_passes(counts, lo, hi, bound))
    inside = {k: n for k, n in counts.items() if lo <= k[0] < hi}
    if not inside:
        assert passes == []
        return
    assert passes[0][0] == lo and passes[-1][1] == hi
    assert all(a < b for a, b in passes)
    assert all(p[1] == q[0] for p, q in itertools.pairwise(passes))  # no gap
    per_hash: dict[int, int] = {}
    for (h, _), n in inside.items():
        per_hash[h] = per_hash.get(h, 0) + n
    for a, b in passes:
        rows = [n for h, n in per_hash.items() if a <= h < b]
        assert rows  # none empty
        # At most the bound, unless one hash value alone passes it.
        assert sum(rows) <= bound or len(rows) == 1
    # Greedy: a part and the next hash value's rows would pass the bound.
    for (a, b), (_, c) in itertools.pairwise(passes):
        first_next = min(h for h in per_hash if b <= h < c)
        total = sum(n for h, n in per_hash.items() if a <= h < b)
        assert total + per_hash[first_next] > bound


def test_duplicates_across_files_counted_in_the_later_file(tmp_path):
    row = "123456789,2024-01-15T23:59:00,24.5,62.5,1.0,90,511,X\n"
    other = "123456789,2024-01-16T00:01:00,24.5,62.6,1.0,90,511,X\n"
    (tmp_path / "a.csv").write_text(CSV_HEADER + row + other)
    (tmp_path / "b.csv").write_text(CSV_HEADER + row)
    report = ReadReport()
    ds = ingest_partitioned(
        [tmp_path / "a.csv", tmp_path / "b.csv"], tmp_path / "ds", report=report
    )
    ref = ReadReport()
    ingest(
        [tmp_path / "a.csv", tmp_path / "b.csv"], tmp_path / "one.parquet", report=ref
    )
    assert report.to_dict() == ref.to_dict()
    assert report.files[1].rejected["duplicate"] == 1
    # One vessel, two UTC days: two day partitions of its one bucket.
    assert ds.days == ["2024-01-15", "2024-01-16"]
    assert ds.rows_per_bucket() == {0: 2}


def test_read_time_is_half_open_across_days(tmp_path):
    tracks = pd.DataFrame(
        {
            "mmsi": [111000001, 222000002, 111000001, 222000002],
            "timestamp": pd.to_datetime(
                [
                    "2024-01-15 23:00",
                    "2024-01-15 23:30",
                    "2024-01-16 00:00",
                    "2024-01-16 00:30",
                ],
                utc=True,
            ),
            "lat": [24.0, 24.1, 24.2, 24.3],
            "lon": [62.0, 62.1, 62.2, 62.3],
        }
    )
    ds = write_dataset(tracks, tmp_path / "ds", buckets=2)
    start = pd.Timestamp("2024-01-15 23:30", tz="UTC").value
    end = pd.Timestamp("2024-01-16 00:30", tz="UTC").value
    got = ds.read_time(start, end, ["mmsi", "timestamp"])
    assert sorted(got["mmsi"].tolist()) == [111000001, 222000002]
    assert got["timestamp"].min().value == start and got["timestamp"].max().value < end
    only = ds.read_time(start, end, ["mmsi"], filters=[("mmsi", "in", [111000001])])
    assert only["mmsi"].tolist() == [111000001]
    assert ds.read_time(0, 1, ["mmsi", "lat"]).empty


def test_write_dataset_replaces_a_dataset_but_nothing_else(tmp_path):
    tracks = read_tracks(scale_data.SAMPLE)
    first = write_dataset(tracks, tmp_path / "ds", rows_per_bucket=50_000)
    assert first.buckets == 3  # ceil(115,200 / 50,000)
    again = write_dataset(tracks.iloc[:1000], tmp_path / "ds", buckets=1)
    assert again.rows == 1000 and is_dataset(tmp_path / "ds")
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not a partitioned track"):
        write_dataset(tracks, tmp_path / "notes")
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    with pytest.raises(InputError, match="buckets must be >= 1, got 0"):
        write_dataset(tracks, tmp_path / "other", buckets=0)


def test_open_refuses_what_is_not_a_dataset(tmp_path):
    with pytest.raises(InputError, match="not a partitioned track dataset"):
        TrackDataset.open(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(InputError, match="unreadable manifest"):
        TrackDataset.open(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"format": "x", "version": 9}))
    with pytest.raises(InputError, match="unsupported dataset 'x' version 9"):
        TrackDataset.open(tmp_path)


def test_failed_ingest_leaves_nothing_behind(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        ingest_partitioned(tmp_path / "empty.csv", tmp_path / "ds", format="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv"]
