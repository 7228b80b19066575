"""The CLI's partitioned options: ingest --partitioned, detect/daily out of core."""

from __future__ import annotations

import json

import pandas as pd
import scale_data

from coastwatch.cli import main
from coastwatch.dataset import TrackDataset


def test_ingest_partitioned_writes_a_dataset_and_its_report(tmp_path, capsys):
    out = tmp_path / "ds"
    status = main(["ingest", str(scale_data.SAMPLE), "-o", str(out), "--partitioned",
                   "--buckets", "3"])  # fmt: skip
    assert status == 0
    ds = TrackDataset.open(out)
    assert ds.buckets == 3 and ds.rows == 115_200
    report = json.loads((out / "read_report.json").read_text())
    assert report["accepted"] == 115_200
    assert "115,200 fixes in 1 day(s) x 3 MMSI bucket(s)" in capsys.readouterr().out


def test_part_rows_splits_each_bucket_into_parts(tmp_path, capsys):
    out = tmp_path / "ds"
    status = main(["ingest", str(scale_data.SAMPLE), "-o", str(out), "--partitioned",
                   "--buckets", "2", "--part-rows", "20000"])  # fmt: skip
    assert status == 0
    ds = TrackDataset.open(out)
    # 115,200 fixes in two buckets of about 57,600: three parts or more each.
    assert all(len(ds.parts(b)) >= 3 for b in range(2))
    for b in range(2):
        assert all(len(ds.read_bucket(b, ["mmsi"], p)) <= 20_000 for p in ds.parts(b))
    status = main(["ingest", str(scale_data.SAMPLE), "-o", str(tmp_path / "bad"),
                   "--partitioned", "--part-rows", "0"])  # fmt: skip
    assert status == 2
    assert "rows per part must be >= 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_scheduler_without_partitioned_is_a_user_error(tmp_path, capsys):
    status = main(["ingest", str(scale_data.SAMPLE), "-o", str(tmp_path / "x.parquet"),
                   "--scheduler", "tcp://127.0.0.1:1"])  # fmt: skip
    assert status == 2
    assert "--scheduler needs --partitioned" in capsys.readouterr().err


def test_detect_partitioned_on_plain_files_gives_the_same_events(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["detect", str(scale_data.SAMPLE), "-o", str(out), "--partitioned",
                   "--buckets", "2", "--window-h", "6"])  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    assert "115,200 positions in 2 MMSI bucket(s), 4 time window(s)" in printed
    events = pd.read_parquet(out / "events.parquet")
    expected = scale_data.reference("sample")[0]
    assert events["event_id"].tolist() == expected["event_id"].tolist()
    report = json.loads((out / "read_report.json").read_text())
    assert report["read"] == 116_990  # the files were read (into a dataset)
    assert sorted(p.name for p in out.iterdir()) == [
        "events.csv",
        "events.geojson",
        "events.parquet",
        "incidents.csv",
        "read_report.json",
    ]  # the temporary dataset is gone
