"""Drift events: the DMA AisAbnormal labelled cases, the event table, outputs."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest
import reference_drift as ref

import coastwatch
from coastwatch.config import load_config
from coastwatch.detection import detect, find_drift
from coastwatch.errors import InputError
from coastwatch.events import write_events


def _labels(ais_real):
    labels = pd.read_csv(ais_real / "labelled" / "events.csv")
    return labels[labels["event_type"] == "drift"].set_index("event_id")


def _vessel(ais_real, label):
    tracks = coastwatch.read_tracks(ais_real / label["data_file"])
    return tracks[tracks["mmsi"] == int(label["mmsi"])].reset_index(drop=True)


def test_frio_drift_is_detected(ais_real):
    label = _labels(ais_real).loc["dma_drift_frio"]
    assert label["label"] == "positive"
    tracks = _vessel(ais_real, label)
    events = find_drift(tracks)
    assert len(events) == 1
    ev = events.iloc[0]
    assert ev["kind"] == "drift" and ev["mmsi"] == 538004030
    dma_raised = pd.Timestamp(label["event_start_utc"])
    # The drift begins at the first report with COG more than 45 degrees off
    # the heading (16:37:54) and lasts up to DMA's asserted time: a relayed
    # stale report at 16:50:12, with COG and heading close again, ends it.
    assert ev["start"] == pd.Timestamp("2014-09-28T16:37:54.051Z")
    assert ev["start"] <= dma_raised <= ev["end"]
    assert ev["end"] == dma_raised
    assert ev["start"] + pd.Timedelta(minutes=10) <= ev["confirmed_at"] <= dma_raised
    assert ev["distance_km"] > 0.5
    assert 1.0 <= ev["mean_speed_kn"] <= 5.0
    assert ev["course_heading_deg"] > 45.0
    # The reference rule read literally agrees on the whole file.
    t = (tracks["timestamp"].astype("int64") // 10**9).to_numpy()
    want = ref.drift_runs(
        t,
        tracks["lat"].to_numpy(),
        tracks["lon"].to_numpy(),
        tracks["sog"].to_numpy(np.float64),
        tracks["cog"].to_numpy(np.float64),
        tracks["heading"].to_numpy(np.float64),
        [0, len(tracks)],
        1.0, 5.0, 45.0, 600.0, 500.0, 1800.0,
    )  # fmt: skip
    assert [
        (tracks["timestamp"][a], tracks["timestamp"][b]) for _, a, b, _ in want
    ] == [(ev["start"], ev["end"])]


def test_stoc_marcia_slow_movement_is_not_drift(ais_real):
    label = _labels(ais_real).loc["dma_drift_stocmarcia"]
    assert label["label"] == "negative"
    tracks = _vessel(ais_real, label)
    assert len(tracks) > 500
    assert find_drift(tracks).empty
    assert "drift" not in set(detect(tracks)["kind"])


def test_detect_includes_drift_and_kinds_subset(ais_real):
    label = _labels(ais_real).loc["dma_drift_frio"]
    tracks = _vessel(ais_real, label)
    assert list(detect(tracks)["kind"]) == ["drift"]
    assert detect(tracks, kinds=("loitering",)).empty


def test_thresholds_come_from_config(ais_real):
    label = _labels(ais_real).loc["dma_drift_frio"]
    tracks = _vessel(ais_real, label)
    strict = load_config(overrides={"drift": {"min_duration_min": 15.0}})
    assert find_drift(tracks, strict).empty
    loose = load_config(overrides={"drift": {"min_course_heading_deg": 30.0}})
    (ev,) = find_drift(tracks, loose).itertuples()
    assert ev.start < pd.Timestamp("2014-09-28T16:37:54.051Z")


def test_missing_heading_column_is_a_clear_error(ais_real):
    label = _labels(ais_real).loc["dma_drift_frio"]
    tracks = _vessel(ais_real, label).drop(columns=["heading"])
    with pytest.raises(InputError, match="drift needs a 'heading' column"):
        find_drift(tracks)


def test_drift_written_with_times_and_line(ais_real, tmp_path):
    label = _labels(ais_real).loc["dma_drift_frio"]
    events = coastwatch.score_events(detect(_vessel(ais_real, label)))
    assert 0.0 < events["risk"].iloc[0] < 1.0
    assert "drifted" in events["reasons"].iloc[0]
    write_events(events, tmp_path)
    (row,) = csv.DictReader((tmp_path / "events.csv").open())
    assert row["confirmed_at"] == "2014-09-28T16:47:55Z"
    assert row["start"] == "2014-09-28T16:37:54Z"
    feature = json.loads((tmp_path / "events.geojson").read_text())["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["confirmed_at"] == "2014-09-28T16:47:55Z"
    back = pd.read_parquet(tmp_path / "events.parquet")
    assert back["confirmed_at"].iloc[0] == events["confirmed_at"].iloc[0]


def test_mixed_kinds_write_missing_times_as_empty(tmp_path):
    base = {
        "mmsi": [538004030, 538004031],
        "start": pd.to_datetime(["2024-01-15T10:00Z", "2024-01-15T11:00Z"]),
        "end": pd.to_datetime(["2024-01-15T12:00Z", "2024-01-15T11:30Z"]),
        "lat": [25.0, 25.1],
        "lon": [62.0, 62.1],
        "end_lat": [25.0, 25.2],
        "end_lon": [62.0, 62.2],
    }
    from coastwatch.events import finalise_events

    events = finalise_events(
        pd.DataFrame(
            {
                **base,
                "kind": ["loitering", "drift"],
                "confirmed_at": pd.to_datetime([pd.NaT, "2024-01-15T11:10Z"], utc=True),
            }
        )
    )
    write_events(events, tmp_path)
    rows = list(csv.DictReader((tmp_path / "events.csv").open()))
    assert [r["confirmed_at"] for r in rows] == ["", "2024-01-15T11:10:00Z"]
    features = json.loads((tmp_path / "events.geojson").read_text())["features"]
    assert features[0]["properties"]["confirmed_at"] is None
    assert features[0]["geometry"]["type"] == "Point"
    assert features[1]["geometry"]["type"] == "LineString"
    assert not math.isnan(features[1]["geometry"]["coordinates"][1][0])


@pytest.mark.parametrize("buckets", [1, 3])
def test_partitioned_run_finds_the_same_drift(ais_real, tmp_path, buckets):
    from coastwatch.dataset import ingest_partitioned
    from coastwatch.partitioned import detect_dataset
    from coastwatch.pipeline import run_detect

    source = ais_real / "labelled" / "dma_aisabnormal_538004030_drift_20140928.nmea.gz"
    _, events, incidents = run_detect(source, load_config())
    assert "drift" in set(events["kind"])
    dataset = ingest_partitioned(source, tmp_path / "ds", buckets=buckets)
    run = detect_dataset(dataset, load_config(), window_h=0.5)
    pd.testing.assert_frame_equal(run.events, events)
    pd.testing.assert_frame_equal(run.incidents, incidents)


def test_evaluate_counts_but_does_not_score_kinds_the_truth_lacks():
    from coastwatch.evaluate import evaluate

    start = pd.to_datetime(["2024-01-15T10:00Z"])
    end = pd.to_datetime(["2024-01-15T12:00Z"])
    truth = pd.DataFrame(
        {"kind": ["loitering"], "mmsi": [1], "start": start, "end": end}
    )
    events = pd.DataFrame(
        {
            "kind": ["loitering", "drift", "rendezvous"],
            "mmsi": [1, 2, 3],
            "other_mmsi": [pd.NA, pd.NA, 4],
            "start": start.repeat(3),
            "end": end.repeat(3),
        }
    )
    per_kind = evaluate(truth, events).per_kind.set_index("kind")
    assert per_kind.loc["loitering", "f1"] == 1.0
    assert per_kind.loc["drift", "detections"] == 1
    assert math.isnan(per_kind.loc["drift", "precision"])
    assert math.isnan(per_kind.loc["drift", "f1"])
    # Rendezvous is not in this truth either: not scored.
    assert math.isnan(per_kind.loc["rendezvous", "precision"])
