import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fabricate_day import VESSEL_A, VESSEL_B, shared_day

from coastwatch import geo
from coastwatch.config import Config, TaskingConfig
from coastwatch.errors import ConfigError, InputError
from coastwatch.events import finalise_events
from coastwatch.tasking import TASKING_COLUMNS, tasking_list, write_tasking

REQUIRED = [
    "rank",
    "lat",
    "lon",
    "min_lat",
    "max_lat",
    "min_lon",
    "max_lon",
    "score",
    "mmsi",
    "mmsis",
    "window_start",
    "window_end",
    "reasons",
    "nearest_base",
    "base_km",
]


def _config(**tasking):
    return replace(Config(), tasking=replace(TaskingConfig(), **tasking))


def _offset(lat, lon, north_km, east_km):
    return (
        lat + north_km / 111.2,
        lon + east_km / (111.2 * math.cos(math.radians(lat))),
    )


def _events(rows):
    out = []
    for k, (kind, mmsi, lat, lon, risk) in enumerate(rows):
        start = pd.Timestamp("2024-03-01T10:00", tz="UTC") + pd.Timedelta(minutes=k)
        out.append(
            {
                "kind": kind,
                "mmsi": mmsi,
                "start": start,
                "end": start + pd.Timedelta(hours=2),
                "lat": lat,
                "lon": lon,
                "risk": risk,
                "reasons": f"reason {k}",
            }
        )
    return finalise_events(pd.DataFrame(out))


def test_planted_incident_ranks_first_with_its_vessels():
    day = shared_day()
    tasking = tasking_list(day.events, day.incidents)
    assert list(tasking["rank"]) == list(range(1, 11))
    top = tasking.iloc[0]
    assert top["incident_ids"] == "I-20240301-001"
    assert top["score"] == pytest.approx(0.96)
    assert top["mmsi"] == VESSEL_A  # dark gap and rendezvous: the most risk
    assert top["mmsis"] == f"{VESSEL_B};{VESSEL_A}"
    assert set(top["event_ids"].split(";")) == set(day.planted_event_ids)
    assert top["kinds"] == "loitering;dark_gap;rendezvous"
    assert top["window_start"] == "2024-03-01T19:00:00Z"
    assert top["window_end"] == "2024-03-01T22:58:00Z"
    assert "went dark at 19:10 near Jiwani" in top["reasons"]
    # The incident's own place, with a box of the minimum size around it.
    assert (top["lat"], top["lon"]) == (24.66, 61.98)
    assert (top["max_lat"] - top["min_lat"]) * 111.2 == pytest.approx(10.0, rel=1e-3)
    name, km = geo.nearest_base(top["lat"], top["lon"])
    assert top["nearest_base"] == name == "Jiwani naval station"
    assert top["base_km"] == pytest.approx(float(km), abs=0.05)
    # Scores never increase down the list.
    assert (np.diff(tasking["score"].to_numpy()) <= 0).all()


def test_without_incidents_the_planted_events_still_lead():
    day = shared_day()
    tasking = tasking_list(day.events)
    top = tasking.iloc[0]
    ids = top["event_ids"].split(";")
    # The rendezvous leads; B's loitering 1 km away joins; the gap began 35 km
    # away near Jiwani and is a target of its own.
    assert [i[0] for i in ids] == ["L", "R"]
    assert top["score"] == pytest.approx(1 - (1 - 0.91) * (1 - 0.62), abs=1e-4)
    assert top["incident_ids"] == ""
    gap_rank = tasking.index[tasking["event_ids"].str.startswith("G-463100001")]
    assert len(gap_rank) == 1 and gap_rank[0] > 0


def test_crowd_of_look_alikes_scores_below_one_strong_signal():
    day = shared_day()
    ev = day.events
    crowd = ev[ev["mmsi"].between(463_090_000, 463_090_099)]
    assert len(crowd) == 12
    tasking = tasking_list(ev, day.incidents, _config(min_event_risk=0.0), top_k=50)
    row = tasking[tasking["event_ids"].str.contains(crowd["event_id"].iloc[0])].iloc[0]
    crowd_ids = set(crowd["event_id"])
    in_target = set(row["event_ids"].split(";"))
    assert len(in_target & crowd_ids) >= 8
    expected = 1 - np.prod(
        1 - ev.loc[ev["event_id"].isin(in_target), "risk"].to_numpy()
    )
    assert row["score"] == pytest.approx(expected, abs=1e-4)
    assert row["score"] < tasking.iloc[0]["score"]


def test_greedy_radius_clusters_score_and_box():
    lat0, lon0 = 24.5, 63.0
    rows = [("rendezvous", 1, lat0, lon0, 0.8)]
    for k, km in enumerate((5.0, 14.0, 16.0)):
        lat, lon = _offset(lat0, lon0, 0.0, km)
        rows.append(("loitering", 10 + k, lat, lon, 0.5))
    rows.append(("dark_gap", 20, *_offset(lat0, lon0, -200.0, 0.0), 0.3))
    rows.append(("loitering", 30, *_offset(lat0, lon0, 100.0, 0.0), 0.01))
    rows.append(("loitering", 31, *_offset(lat0, lon0, 100.0, 50.0), float("nan")))
    events = _events(rows)
    tasking = tasking_list(events)
    assert len(tasking) == 3  # 0.01 and NaN risk are left out
    first = tasking.iloc[0]
    assert first["mmsis"] == "1;10;11"
    assert first["score"] == pytest.approx(1 - 0.2 * 0.5 * 0.5, abs=1e-4)
    assert first["mmsi"] == 1
    # The box holds every anchor; at least 10 km a side.
    assert (
        first["min_lon"] <= lon0 and first["max_lon"] >= _offset(lat0, lon0, 0, 14)[1]
    )
    assert (first["max_lat"] - first["min_lat"]) * 111.2 >= 10.0 - 1e-6
    assert first["min_lat"] <= first["lat"] <= first["max_lat"]
    # The 16 km event leads its own target (0.5), then the far gap (0.3).
    assert tasking["mmsis"].tolist()[1:] == ["12", "20"]
    assert tasking["score"].tolist()[1:] == [0.5, 0.3]
    assert tasking["n_events"].tolist() == [3, 1, 1]
    # top_k and min_event_risk.
    assert len(tasking_list(events, top_k=1)) == 1
    assert len(tasking_list(events, config=_config(min_event_risk=0.0))) == 4
    wide = tasking_list(events, config=_config(cluster_radius_km=20.0))
    assert wide.iloc[0]["mmsis"] == "1;10;11;12"


def test_row_order_does_not_matter():
    day = shared_day()
    one = tasking_list(day.events, day.incidents)
    shuffled = day.events.sample(frac=1.0, random_state=7)
    two = tasking_list(shuffled, day.incidents)
    pd.testing.assert_frame_equal(one, two)


def test_csv_columns_and_geojson_boxes(tmp_path):
    day = shared_day()
    tasking = tasking_list(day.events, day.incidents)
    csv_path, geojson_path = write_tasking(tasking, tmp_path / "a")
    header = csv_path.read_text().splitlines()[0].split(",")
    assert header[: len(REQUIRED)] == REQUIRED
    assert header == list(TASKING_COLUMNS)
    assert header[len(REQUIRED) :] == [
        "n_events",
        "kinds",
        "event_ids",
        "incident_ids",
    ]
    back = pd.read_csv(csv_path, keep_default_na=False)
    assert back["mmsi"].tolist() == tasking["mmsi"].tolist()
    assert back["mmsis"].iloc[0] == f"{VESSEL_B};{VESSEL_A}"
    np.testing.assert_allclose(back["score"], tasking["score"])
    collection = json.loads(geojson_path.read_text())
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(tasking)
    for feature, row in zip(collection["features"], tasking.itertuples(), strict=True):
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon"
        assert ring[0] == ring[-1] and len(ring) == 5
        assert [min(p[0] for p in ring), max(p[1] for p in ring)] == [
            row.min_lon,
            row.max_lat,
        ]
        assert feature["properties"]["rank"] == row.rank
    again = write_tasking(tasking_list(day.events, day.incidents), tmp_path / "b")
    assert csv_path.read_bytes() == again[0].read_bytes()
    assert geojson_path.read_bytes() == again[1].read_bytes()
    assert not list(tmp_path.rglob("*.part"))


def test_empty_inputs_give_an_empty_list_with_all_columns(tmp_path):
    empty = tasking_list(shared_day().events.iloc[:0])
    assert list(empty.columns) == list(TASKING_COLUMNS) and empty.empty
    assert tasking_list(None).empty
    assert tasking_list(shared_day().events, top_k=0).empty
    csv_path, geojson_path = write_tasking(empty, tmp_path)
    assert csv_path.read_text() == ",".join(TASKING_COLUMNS) + "\n"
    assert json.loads(geojson_path.read_text())["features"] == []


def test_incident_scores_fall_back_to_member_risks():
    day = shared_day()
    incidents = day.incidents.drop(columns=["risk", "lat", "lon", "summary"])
    top = tasking_list(day.events, incidents).iloc[0]
    expected = 1 - (1 - 0.62) * (1 - 0.83) * (1 - 0.91)
    assert top["score"] == pytest.approx(expected, abs=1e-4)
    assert top["incident_ids"] == "I-20240301-001"
    # Anchor: the strongest member, the rendezvous.
    assert (top["lat"], top["lon"]) == (24.66, 61.98)
    assert "rendezvous 422100002 & 463100001 (0.91)" in top["reasons"]
    as_list = incidents.assign(event_ids=[day.planted_event_ids])
    assert tasking_list(day.events, as_list).iloc[0]["score"] == top["score"]


def test_tasking_errors():
    events = shared_day().events
    with pytest.raises(ConfigError, match="top_k must be 0 or more, got -1"):
        tasking_list(events, top_k=-1)
    with pytest.raises(ConfigError, match=r"cluster_radius_km and tasking\.min_box_km"):
        tasking_list(events, config=_config(cluster_radius_km=-1.0))
    with pytest.raises(InputError, match=r"lacks required column\(s\) \['risk'\]"):
        tasking_list(events.drop(columns="risk"))
    with pytest.raises(
        InputError, match="incident table lacks required column 'event_ids'"
    ):
        tasking_list(events, pd.DataFrame({"incident_id": ["I-1"]}))
