"""Time the daily products on a synthetic day of N position reports.

Usage::

    python scripts/bench_daily.py [--rows 2000000] [--events 500] [--repeat 3]

Vessels drift around random points of the Makran box with a fix a minute;
events are drawn at random positions with random risks. Kernels are compiled
on a small day first, so the times exclude compilation. Prints the median of
``--repeat`` runs per stage, and each as a multiple of a baseline measured in
the same run (sorting the day's rows by vessel and time with numpy), since the
machine is shared and absolute times are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from coastwatch.daily import write_day_products
from coastwatch.events import EVENT_KINDS, finalise_events
from coastwatch.heatmaps import render_heatmap, render_layers, risk_grid, write_netcdf
from coastwatch.report import render_report
from coastwatch.tasking import tasking_list

DAY = "2024-03-01"


def make_tracks(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_vessel = 1440
    n_vessels = max(1, n_rows // per_vessel)
    start = pd.Timestamp(DAY, tz="UTC").value
    t = start + np.arange(per_vessel, dtype=np.int64) * 60 * 10**9
    lat0 = rng.uniform(22.2, 24.8, n_vessels)
    lon0 = rng.uniform(58.0, 67.5, n_vessels)
    steps = rng.normal(0.0, 0.002, size=(n_vessels, per_vessel, 2)).cumsum(axis=1)
    return pd.DataFrame(
        {
            "mmsi": np.repeat(412_000_000 + np.arange(n_vessels), per_vessel),
            "timestamp": pd.to_datetime(np.tile(t, n_vessels), utc=True),
            "lat": (lat0[:, None] + steps[:, :, 0]).ravel(),
            "lon": (lon0[:, None] + steps[:, :, 1]).ravel(),
        }
    )


def make_events(tracks: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(tracks), n, replace=False)
    picked = tracks.iloc[np.sort(rows)]
    kinds = np.array(EVENT_KINDS)[rng.integers(0, 4, n)]
    pair = np.isin(kinds, ["rendezvous", "dark_rendezvous"])
    hours = rng.uniform(0.5, 5.0, n)
    frame = pd.DataFrame(
        {
            "kind": kinds,
            "mmsi": picked["mmsi"].to_numpy(),
            "other_mmsi": np.where(pair, picked["mmsi"].to_numpy() + 1, -1),
            "start": picked["timestamp"].to_numpy("datetime64[ns]"),
            "end": picked["timestamp"].to_numpy("datetime64[ns]")
            + (hours * 3600).astype("timedelta64[s]"),
            "lat": picked["lat"].to_numpy(),
            "lon": picked["lon"].to_numpy(),
            "end_lat": picked["lat"].to_numpy() + rng.normal(0, 0.1, n),
            "end_lon": picked["lon"].to_numpy() + rng.normal(0, 0.1, n),
            "risk": rng.beta(1.2, 6.0, n),
            "reasons": "synthetic",
        }
    )
    frame["other_mmsi"] = frame["other_mmsi"].where(pair).astype("Int64")
    return finalise_events(frame)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    small = make_tracks(20_000)
    small_events = make_events(small, 50)
    with tempfile.TemporaryDirectory() as tmp:
        write_day_products(DAY, small, small_events, None, tmp)  # compile, load

    tracks = make_tracks(args.rows)
    events = make_events(tracks, args.events)
    print(f"{len(tracks):,} rows, {tracks['mmsi'].nunique():,} vessels, "
          f"{len(events)} events; median of {args.repeat}")  # fmt: skip
    mmsi = tracks["mmsi"].to_numpy()
    t_ns = tracks["timestamp"].to_numpy("datetime64[ns]").view(np.int64)
    baseline, _ = timed(lambda: np.lexsort((t_ns, mmsi)), args.repeat)
    results = {"baseline: numpy lexsort of the rows": baseline}
    results["risk_grid"], ds = timed(lambda: risk_grid(tracks, events), args.repeat)
    results["tasking_list"], tasking = timed(lambda: tasking_list(events), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        results["write_netcdf"], _ = timed(
            lambda: write_netcdf(ds, out / "risk.nc"), args.repeat
        )
        results["render_heatmap"], _ = timed(
            lambda: render_heatmap(ds, DAY, tasking, out / "h.png"), args.repeat
        )
        results["render_layers"], _ = timed(
            lambda: render_layers(ds, DAY, out / "l.png"), args.repeat
        )
        heat = (out / "h.png").read_bytes()
        layers = (out / "l.png").read_bytes()
        results["render_report (5 track maps)"], _ = timed(
            lambda: render_report(
                DAY, ds, events, None, tasking, {}, out / "r.html", tracks=tracks,
                heatmap_png=heat, layers_png=layers,
            ),
            args.repeat,
        )  # fmt: skip
        results["write_day_products (all)"], _ = timed(
            lambda: write_day_products(DAY, tracks, events, None, out / "day"),
            args.repeat,
        )
    width = max(len(k) for k in results)
    for name, seconds in results.items():
        print(
            f"{name:<{width}}  {seconds:7.3f} s  {seconds / baseline:7.1f} x baseline"
        )


if __name__ == "__main__":
    main()
