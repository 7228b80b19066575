"""The bundled simulated day: the README's main command finds what it plants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xarray as xr

from coastwatch.evaluate import evaluate, read_event_table, read_tasking
from coastwatch.pipeline import run_daily

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "ais_samples"
SAMPLE = SAMPLE / "makran_sim_2024-01-15"


def test_planted_incidents_that_ais_can_show_are_in_the_top_ten(tmp_path):
    run_daily(SAMPLE / "ais", tmp_path)
    day = tmp_path / "2024-01-15"
    truth = read_event_table(SAMPLE / "truth" / "truth.parquet", "truth")
    events = read_event_table(day / "events.parquet")
    tasking = read_tasking(day / "tasking.csv")
    result = evaluate(truth, events, tasking)
    task = result.tasking
    incidents = pd.read_csv(SAMPLE / "truth" / "incidents.csv")
    assert task["incidents"] == len(incidents) == 5
    # Incidents with an observable event (the others involve no AIS, or a
    # meeting heard by nobody) are all ranked in the top 10, and the top 5.
    assert task["observable_incidents"] >= 3
    assert task["top10_observable"] == 1.0
    assert task["top5_observable"] == 1.0
    # The heatmap shows them: where each detected illicit event happened,
    # the day's risk layer holds at least half the day's highest cell risk
    # (out of 106,000 cells, a handful carry any).
    matches = result.matches
    illicit = truth["illicit"].to_numpy(bool)[matches["truth"].to_numpy()]
    found = events.iloc[matches["event"].to_numpy()[illicit]]
    assert len(found) >= 3
    with xr.open_dataset(day / "risk.nc") as grid:
        risk = grid["risk"].isel(time=0).load()
    hot = 0.5 * float(risk.max())
    assert hot > 0
    for ev in found.itertuples():
        near = risk.sel(lat=slice(ev.lat - 0.05, ev.lat + 0.05))
        near = near.sel(lon=slice(ev.lon - 0.05, ev.lon + 0.05))
        assert float(near.max()) >= hot, ev.event_id
