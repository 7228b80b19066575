"""coastwatch.distributed: a LocalCluster of 2 worker processes, same answers.

The events, incidents and day folders computed on the cluster equal the
single-process in-memory run's (on the bundled sample and on the generated
multi-day set with its planted edge cases); ingest on the cluster writes
the same dataset and report as in one process; the CLI runs on an existing
scheduler.
"""

from __future__ import annotations

import filecmp
import json

import pandas as pd
import pytest
import scale_data

from coastwatch.accounting import ReadReport
from coastwatch.cli import main
from coastwatch.config import load_config
from coastwatch.dataset import TrackDataset, ingest_partitioned
from coastwatch.distributed import (
    DaskExecutor,
    daily,
    detect,
    ingest,
    local_cluster,
    worker_peak_memory,
)


@pytest.fixture(scope="module")
def client():
    with local_cluster(2) as c:
        yield c


def _assert_same(run, name):
    events, incidents = scale_data.reference(name)
    pd.testing.assert_frame_equal(run.events, events)
    pd.testing.assert_frame_equal(run.incidents, incidents)


def test_two_worker_processes(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(w["nthreads"] == 1 for w in workers.values())
    assert len({w["pid"] for w in workers.values() if "pid" in w} or {1, 2}) == 2


def test_sample_identical_on_the_cluster(client):
    run = detect(scale_data.dataset("sample", 4), client, load_config(), window_h=3.0)
    _assert_same(run, "sample")


def test_multiday_with_edge_cases_identical_on_the_cluster(client):
    seen = []
    run = detect(
        scale_data.dataset("multiday", 3),
        client,
        load_config(),
        window_h=1.0,
        progress=lambda *args: seen.append(args),
    )
    _assert_same(run, "multiday")
    labels = {label for label, _, _ in seen}
    assert {"vessels", "encounters"} <= labels
    # One task per part of each of the three buckets.
    ds = TrackDataset.open(scale_data.dataset("multiday", 3))
    parts = sum(len(ds.parts(b)) for b in range(3))
    assert parts >= 3
    assert ("vessels", parts, parts) in seen


def test_daily_products_identical_on_the_cluster(client, tmp_path):
    config = load_config()
    ref = scale_data.daily_reference()
    run = daily(
        scale_data.dataset("sample", 2),
        tmp_path / "dask",
        client,
        config,
        inputs=[str(scale_data.SAMPLE)],
    )
    assert list(run.days) == ["2024-01-15"]
    for day in run.days:
        folder = ref / day
        names = sorted(p.name for p in folder.iterdir())
        _, mismatch, errors = filecmp.cmpfiles(
            folder, tmp_path / "dask" / day, names, shallow=False
        )
        assert mismatch == [] and errors == []


def test_ingest_on_the_cluster_as_in_one_process(client, tmp_path):
    serial_report, dask_report = ReadReport(), ReadReport()
    serial = ingest_partitioned(
        scale_data.SAMPLE, tmp_path / "serial", buckets=3, report=serial_report
    )
    on_cluster = ingest(
        scale_data.SAMPLE, tmp_path / "dask", client, buckets=3, report=dask_report
    )
    assert dask_report.to_dict() == serial_report.to_dict()
    assert on_cluster.partitions == serial.partitions
    for b in range(3):
        pd.testing.assert_frame_equal(on_cluster.read_bucket(b), serial.read_bucket(b))


def test_cli_on_an_existing_scheduler(client, tmp_path, capsys):
    address = client.scheduler.address
    data = scale_data.dataset("multiday", 2)
    status = main(
        ["detect", str(data), "-o", str(tmp_path / "out"), "--scheduler", address]
    )
    assert status == 0
    printed = capsys.readouterr()
    assert f"Dask scheduler {address}" in printed.err
    assert "dashboard" in printed.err
    events = pd.read_parquet(tmp_path / "out" / "events.parquet")
    expected = scale_data.reference("multiday")[0]
    assert events["event_id"].tolist() == expected["event_id"].tolist()
    report = json.loads((tmp_path / "out" / "read_report.json").read_text())
    assert report["read"] == 0  # a dataset is not read again


def test_executor_keeps_item_order_and_reports_memory(client):
    executor = DaskExecutor(client)
    assert executor.map(abs, [-3, 2, -1], "abs") == [3, 2, 1]
    assert executor.map(abs, [], "abs") == []
    peaks = worker_peak_memory(client)
    assert len(peaks) == 2
    assert all(p > 10_000_000 for p in peaks.values())  # bytes, not kilobytes
    assert isinstance(TrackDataset.open(scale_data.dataset("sample", 2)), TrackDataset)
