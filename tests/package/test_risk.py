import numpy as np
import pandas as pd
import pytest

from coastwatch.events import finalise_events
from coastwatch.risk import chain_incidents, describe_place, score_events


def _event(**values):
    base = {
        "kind": "loitering",
        "mmsi": 463000001,
        "other_mmsi": None,
        "start": pd.Timestamp("2024-03-01T16:30:00Z"),  # 21:30 PKT
        "end": pd.Timestamp("2024-03-01T22:30:00Z"),
        "lat": 24.7,
        "lon": 63.4,
        "end_lat": 24.7,
        "end_lon": 63.4,
        "shore_km": 50.0,
    }
    base.update(values)
    return base


def _score(rows, vessels=None):
    """Score events; rows come back in the order given (finalise sorts)."""
    frame = pd.DataFrame(rows)
    frame["tag"] = range(len(frame))
    events = finalise_events(frame)
    tracks = None
    if vessels is not None:
        tracks = pd.DataFrame(vessels)
    scored = score_events(events, tracks)
    return scored.sort_values("tag").reset_index(drop=True)


VESSELS = {
    "mmsi": [463000001, 463000002, 463000003, 463000004, 463000005],
    "transceiver_class": ["B", "A", "A", "B", "A"],
    "ship_type": [0, 30, 80, 30, 50],
    "length": [np.nan, 18.0, 250.0, 20.0, 25.0],
    "name": ["", "AL NOOR", "BIG TANKER", "SEA STAR", "PILOT 3"],
    "mmsi_valid": [True, True, True, True, True],
    "sog": [8.0, 1.0, 12.0, 3.0, 10.0],
}


def test_scores_are_probabilities_with_reasons():
    scored = _score([_event(), _event(kind="dark_gap")], VESSELS)
    assert scored.risk.between(0, 1).all()
    assert all(r.startswith("463000001 ") for r in scored.reasons)
    assert "+ at night (21:30–03:30 PKT)" in scored.reasons[0]


def test_unknown_vessel_outranks_gillnetter_drifting_overnight():
    scored = _score([_event(), _event(mmsi=463000002)], VESSELS)
    unknown, gillnetter = scored.risk
    assert unknown > gillnetter
    assert "fishing vessel drifting overnight" in scored.reasons[1]


def test_night_offshore_outranks_day_in_anchorage():
    day_anchorage = _event(
        mmsi=463000003,
        start=pd.Timestamp("2024-03-01T05:00:00Z"),
        end=pd.Timestamp("2024-03-01T09:00:00Z"),
        lat=24.73,
        lon=66.90,
        in_port=True,
        shore_km=10.0,
    )
    scored = _score([_event(), day_anchorage], VESSELS)
    assert scored.risk[0] > 5 * scored.risk[1]
    assert "in a port or anchorage area" in scored.reasons[1]
    assert "large merchant ship waiting" in scored.reasons[1]


def test_gap_with_neighbours_heard_outranks_coverage_hole():
    heard = _event(kind="dark_gap", neighbours_start=6, neighbours_end=4)
    hole = _event(kind="dark_gap", neighbours_start=0, neighbours_end=0)
    scored = _score([heard, hole], VESSELS)
    assert scored.risk[0] > scored.risk[1]
    assert "6 other vessels heard nearby while dark" in scored.reasons[0]
    assert "likely a coverage hole" in scored.reasons[1]


def test_border_crossing_and_pilot_lookalike():
    crossing = _event(kind="dark_gap", lat=25.0, lon=61.4, border_crossing=True)
    plain = _event(kind="dark_gap", lat=25.0, lon=63.4)
    pilot = _event(
        kind="rendezvous", mmsi=463000003, other_mmsi=463000005, lat=24.77, lon=66.95
    )
    scored = _score([crossing, plain, pilot], VESSELS)
    assert scored.risk[0] > scored.risk[1]
    assert "crossed the Iran–Pakistan line while dark" in scored.reasons[0]
    assert "pilot boat or tug" in scored.reasons[2]
    assert scored.risk[2] < 0.1


def test_incidents_chain_gap_then_meeting():
    gap = _event(
        kind="dark_gap",
        start=pd.Timestamp("2024-03-01T16:10:00Z"),
        end=pd.Timestamp("2024-03-01T18:00:00Z"),
        lat=25.0,
        lon=61.78,
        end_lat=24.62,
        end_lon=61.88,
    )
    meeting = _event(
        kind="rendezvous",
        other_mmsi=463000004,
        start=pd.Timestamp("2024-03-01T18:20:00Z"),
        end=pd.Timestamp("2024-03-01T19:05:00Z"),
        lat=24.6,
        lon=61.9,
    )
    unrelated = _event(mmsi=463000003, lat=24.7, lon=66.0)
    scored = _score([gap, meeting, unrelated], VESSELS)
    incidents = chain_incidents(scored)
    assert len(incidents) == 2
    top = incidents.iloc[0]
    assert top.n_events == 2 and top.kinds == "dark_gap;rendezvous"
    assert top.mmsis == "463000001;463000004"
    member = scored.risk[scored.kind != "loitering"].to_numpy()
    assert top.score == pytest.approx(1 - np.prod(1 - member))
    assert "went dark near Jiwani" in top.summary and "; then " in top.summary


def test_far_apart_events_do_not_chain():
    a = _event(kind="dark_gap", end_lat=24.7, end_lon=63.4)
    b = _event(
        start=pd.Timestamp("2024-03-01T23:00:00Z"),
        end=pd.Timestamp("2024-03-02T01:00:00Z"),
        lat=24.7,
        lon=66.0,
    )
    assert len(chain_incidents(_score([a, b]))) == 2


def test_describe_place():
    assert describe_place(25.02, 61.80).startswith("near Jiwani")
    assert describe_place(24.9, 63.47).endswith("of Pasni")
    assert describe_place(55.0, 11.0) == "55.00°N 11.00°E"
