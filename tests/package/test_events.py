import json

import pandas as pd

from coastwatch.events import EVENT_DTYPES, empty_events, finalise_events, write_events


def _events():
    return pd.DataFrame(
        {
            "kind": ["dark_gap", "rendezvous", "loitering"],
            "mmsi": [463000001, 463000002, 463000009],
            "other_mmsi": [None, 463000003, None],
            "start": pd.to_datetime(
                ["2024-03-01T21:10:00Z", "2024-03-01T20:00:00Z", "2024-03-01T20:00:00Z"]
            ),
            "end": pd.to_datetime(
                ["2024-03-02T02:30:00Z", "2024-03-01T20:45:00Z", "2024-03-01T23:00:00Z"]
            ),
            "lat": [25.0, 24.5, 24.9],
            "lon": [61.7, 62.5, 63.0],
            "end_lat": [25.2, 24.5, 24.9],
            "end_lon": [62.0, 62.5, 63.0],
        }
    )


def test_finalise_events_schema_ids_and_order():
    events = finalise_events(_events())
    assert list(events.columns) == list(EVENT_DTYPES)
    assert [str(t) for t in events.dtypes] == [str(t) for t in EVENT_DTYPES.values()]
    # Sorted by start, then kind order (loitering before rendezvous), then MMSI.
    assert events.kind.tolist() == ["loitering", "rendezvous", "dark_gap"]
    assert events.event_id.tolist() == [
        "L-463000009-20240301T200000",
        "R-463000002-463000003-20240301T200000",
        "G-463000001-20240301T211000",
    ]
    assert events.duration_h.round(3).tolist() == [3.0, 0.75, 5.333]
    assert events.other_mmsi.isna().tolist() == [True, False, True]
    assert finalise_events(empty_events()).empty


def test_write_events_is_deterministic(tmp_path):
    events = finalise_events(_events())
    first = write_events(events, tmp_path / "a")
    second = write_events(finalise_events(_events().iloc[::-1]), tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    back = pd.read_parquet(first[0])
    pd.testing.assert_frame_equal(back, events)
    features = json.loads(first[2].read_text())["features"]
    assert [f["geometry"]["type"] for f in features] == ["Point", "Point", "LineString"]
    assert features[2]["geometry"]["coordinates"] == [[61.7, 25.0], [62.0, 25.2]]
    assert features[2]["properties"]["start"] == "2024-03-01T21:10:00Z"
    assert features[0]["properties"]["other_mmsi"] is None
    csv_text = first[1].read_text()
    assert "2024-03-02T02:30:00Z" in csv_text
    assert not list(tmp_path.rglob(".*part"))
