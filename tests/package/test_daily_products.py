import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from fabricate_day import VESSEL_A, shared_day
from PIL import Image

from coastwatch import geo
from coastwatch.config import Config, GridConfig
from coastwatch.daily import split_days, write_day_products
from coastwatch.days import day_label, day_numbers, day_window
from coastwatch.errors import ConfigError
from coastwatch.events import EVENT_KINDS, finalise_events
from coastwatch.tasking import TASKING_COLUMNS

PRODUCTS = {
    "heatmap.png",
    "layers.png",
    "risk.nc",
    "tasking.csv",
    "tasking.geojson",
    "events.parquet",
    "events.csv",
    "events.geojson",
    "incidents.csv",
    "report.html",
    "summary.json",
}


def test_fabricated_day_is_plausible():
    day = shared_day()
    tracks, events = day.tracks, day.events
    assert not geo.is_land(tracks["lat"], tracks["lon"]).any()
    assert not geo.is_land(events["lat"], events["lon"]).any()
    assert not geo.is_land(events["end_lat"], events["end_lon"]).any()
    assert 45 <= len(events) <= 60
    assert set(events["kind"]) == set(EVENT_KINDS)
    assert events["risk"].between(0, 1).all()
    assert tracks["timestamp"].dt.floor("D").nunique() == 1
    # The planted incident: A's gap near Jiwani ends where the rendezvous starts.
    planted = events[events["event_id"].isin(day.planted_event_ids)]
    gap = planted[planted["kind"] == "dark_gap"].iloc[0]
    meet = planted[planted["kind"] == "rendezvous"].iloc[0]
    assert gap["mmsi"] == VESSEL_A and meet["other_mmsi"] == VESSEL_A
    assert gap["end"] == meet["start"]
    assert (gap["end_lat"], gap["end_lon"]) == (meet["lat"], meet["lon"])
    name, km = geo.nearest_base(gap["lat"], gap["lon"])
    assert name == "Jiwani naval station" and km < 15
    # A is silent during its gap.
    a = tracks[tracks["mmsi"] == VESSEL_A]["timestamp"]
    assert not ((a > gap["start"]) & (a < gap["end"])).any()


def test_day_products_are_complete_and_byte_identical(tmp_path):
    day = shared_day()
    first = write_day_products(
        "2024-03-01", day.tracks, day.events, day.incidents, tmp_path / "one"
    )
    again = shared_day()
    second = write_day_products(
        dt.date(2024, 3, 1),
        again.tracks.sample(frac=1.0, random_state=1),
        again.events.sample(frac=1.0, random_state=2),
        again.incidents,
        tmp_path / "two",
    )
    folder = tmp_path / "one" / "2024-03-01"
    assert {p.name for p in folder.iterdir()} == PRODUCTS
    assert {p.name for p in first.values()} == PRODUCTS
    assert not list(tmp_path.rglob(".*part"))
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), key
    assert Image.open(first["heatmap"]).size == (1512, 730)
    assert Image.open(first["layers"]).size == (1468, 724)
    summary = json.loads(first["summary"].read_text())
    assert summary["day"] == "2024-03-01"
    assert summary["window_start"] == "2024-03-01T00:00:00Z"
    assert summary["events"] == {
        kind: int((day.events["kind"] == kind).sum()) for kind in EVENT_KINDS
    }
    assert summary["track_rows"] == len(day.tracks)
    assert summary["vessels"] == day.tracks["mmsi"].nunique()
    assert summary["targets"] == 10 and summary["incidents"] == 1
    assert summary["top_target"]["mmsi"] == VESSEL_A
    assert summary["timings_s"] is None
    assert sorted(summary["files"]) == sorted(PRODUCTS)
    assert summary["config"]["grid"]["day_boundary"] == "utc"
    tasking = pd.read_csv(first["tasking_csv"])
    assert list(tasking.columns) == list(TASKING_COLUMNS)
    ds = xr.open_dataset(first["risk"], engine="h5netcdf")
    try:
        assert ds.sizes["time"] == 1
        assert float(ds["risk"].sum()) == pytest.approx(day.events["risk"].sum())
    finally:
        ds.close()
    assert "I-20240301-001" in first["incidents"].read_text()
    assert "target-10" in first["report"].read_text()


def test_day_products_without_events_or_incidents(tmp_path):
    day = shared_day()
    paths = write_day_products("2024-03-01", day.tracks, None, None, tmp_path)
    assert "incidents" not in paths
    assert pd.read_csv(paths["tasking_csv"]).empty
    summary = json.loads(paths["summary"].read_text())
    assert summary["events_total"] == 0 and summary["top_target"] is None
    assert "No targets" in paths["report"].read_text()


def _night_tables():
    times = pd.to_datetime(
        ["2024-03-01T05:00", "2024-03-01T18:00", "2024-03-01T23:30",
         "2024-03-02T02:00", "2024-03-02T08:00"], utc=True,
    )  # fmt: skip
    tracks = pd.DataFrame(
        {"mmsi": 1, "timestamp": times, "lat": 24.5, "lon": 62.0 + np.arange(5) / 100}
    )
    events = finalise_events(
        pd.DataFrame(
            {
                "kind": ["dark_gap", "rendezvous"],
                "mmsi": [1, 1],
                "other_mmsi": [None, 2],
                "start": times[[2, 3]],
                "end": times[[3, 4]],
                "lat": [24.5, 24.6],
                "lon": [62.0, 62.1],
                "risk": [0.7, 0.9],
            }
        )
    )
    incidents = pd.DataFrame(
        {"incident_id": ["I-1"], "event_ids": [";".join(events["event_id"])]}
    )
    return tracks, events, incidents


def test_split_days_utc_and_pkt_noon():
    tracks, events, incidents = _night_tables()
    utc = split_days(tracks, events, "utc", incidents)
    assert [d.day for d in utc] == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert [len(d.tracks) for d in utc] == [3, 2]
    assert [d.events["kind"].tolist() for d in utc] == [["dark_gap"], ["rendezvous"]]
    assert [len(d.incidents) for d in utc] == [1, 0]  # by its first event
    assert utc[1].start == pd.Timestamp("2024-03-02T00:00", tz="UTC")
    night = split_days(tracks, events, "pkt_noon", incidents)
    # 05:00 UTC on 1 March is 10:00 PKT: the morning of the day before.
    assert [d.day for d in night] == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 2),
    ]
    assert [len(d.tracks) for d in night] == [1, 3, 1]
    assert night[1].events["kind"].tolist() == ["dark_gap", "rendezvous"]
    assert len(night[1].incidents) == 1
    assert night[1].start == pd.Timestamp("2024-03-01T07:00", tz="UTC")
    assert night[1].end == pd.Timestamp("2024-03-02T07:00", tz="UTC")
    with_start = incidents.assign(start=pd.Timestamp("2024-03-02T01:00", tz="UTC"))
    assert [
        len(d.incidents) for d in split_days(tracks, events, "utc", with_start)
    ] == [
        0,
        1,
    ]


def test_day_products_with_pkt_noon_boundary(tmp_path):
    tracks, events, incidents = _night_tables()
    config = replace(Config(), grid=replace(GridConfig(), day_boundary="pkt_noon"))
    (night,) = [d for d in split_days(tracks, events, "pkt_noon") if len(d.events)]
    paths = write_day_products(
        night.day, night.tracks, night.events, incidents, tmp_path, config
    )
    assert paths["heatmap"].parent.name == "2024-03-01"
    summary = json.loads(paths["summary"].read_text())
    assert summary["window_start"] == "2024-03-01T07:00:00Z"
    assert summary["events"]["rendezvous"] == 1 and summary["events"]["dark_gap"] == 1
    assert "PKT" in paths["report"].read_text()


def test_day_helpers():
    assert day_label("2024-03-01T17:00") == dt.date(2024, 3, 1)
    start, end = day_window("2024-03-01", "pkt_noon")
    assert start == pd.Timestamp("2024-03-01T07:00", tz="UTC")
    assert end - start == pd.Timedelta(days=1)
    t = pd.Timestamp("2024-03-01T06:59:59", tz="UTC").value
    assert day_numbers([t], "pkt_noon")[0] == day_numbers([t], "utc")[0] - 1
    with pytest.raises(ConfigError, match="day boundary must be one of"):
        split_days(None, None, "midnight")
    with pytest.raises(ConfigError, match="day must be a date such as 2024-03-01"):
        day_label("yesterday-ish")


def test_grid_and_tasking_settings_load_from_toml(tmp_path):
    from coastwatch.config import load_config

    path = tmp_path / "run.toml"
    path.write_text(
        '[grid]\nday_boundary = "pkt_noon"\nnormalise_hours = 12\n'
        "[tasking]\ntop_k = 5\ncluster_radius_km = 20\n"
    )
    config = load_config(path)
    assert config.grid.day_boundary == "pkt_noon"
    assert config.grid.normalise_hours == 12.0
    assert config.tasking.top_k == 5 and config.tasking.cluster_radius_km == 20.0
    with pytest.raises(ConfigError, match=r"unknown setting tasking\.k"):
        load_config(overrides={"tasking": {"k": 3}})
