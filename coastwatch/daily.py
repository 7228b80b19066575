"""The daily products: one folder per day with everything the analyst uses.

``OUT/YYYY-MM-DD/`` holds

================  =============================================================
file              what
================  =============================================================
heatmap.png       the risk map with the patrol targets boxed and numbered
layers.png        traffic, loitering, dark gaps, rendezvous side by side
risk.nc           the risk grid (NetCDF-4, CF-1.8), see :mod:`coastwatch.heatmaps`
tasking.csv       the ranked patrol targets, see :mod:`coastwatch.tasking`
tasking.geojson   the same, target boxes as polygons
events.parquet    the day's scored events (also ``.csv`` and ``.geojson``)
incidents.csv     the day's incidents, when an incident table is given
report.html       the self-contained daily report
summary.json      counts, the day's window, inputs and settings
================  =============================================================

Every file is written atomically, and the same input gives the same bytes
(no clock times are written unless the caller passes timings).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import days as _days
from ._io import write_text_atomic
from ._version import __version__
from .config import Config
from .events import EVENT_KINDS, empty_events, finalise_events, write_events
from .heatmaps import render_heatmap, render_layers, risk_grid, write_netcdf
from .report import render_report
from .schema import timestamps_ns
from .tasking import tasking_list, write_tasking

__all__ = ["DayData", "split_days", "write_day_products"]


@dataclass
class DayData:
    """One day's share of the tables.

    Attributes
    ----------
    day : datetime.date
        The day's label.
    start, end : pandas.Timestamp
        Its UTC window ``[start, end)``.
    tracks, events : pandas.DataFrame
        Fixes with a timestamp in the window; events starting in it.
    incidents : pandas.DataFrame or None
        Incidents starting in it (by ``start``, else by their first event).
    """

    day: object
    start: pd.Timestamp
    end: pd.Timestamp
    tracks: pd.DataFrame
    events: pd.DataFrame
    incidents: pd.DataFrame | None = None


def _event_day_numbers(events: pd.DataFrame, boundary: str) -> np.ndarray:
    start = events["start"]
    if not isinstance(start.dtype, pd.DatetimeTZDtype):
        start = pd.to_datetime(start, utc=True)
    return _days.day_numbers(timestamps_ns(pd.DataFrame({"t": start}), "t"), boundary)


def _incident_day_numbers(incidents, events, event_days, boundary) -> np.ndarray:
    if "start" in incidents:
        return _event_day_numbers(incidents, boundary)
    by_id = dict(zip(events["event_id"], event_days, strict=True))
    out = []
    for raw in incidents["event_ids"]:
        members = raw.split(";") if isinstance(raw, str) else list(raw)
        found = [by_id[e] for e in members if e in by_id]
        out.append(min(found) if found else np.iinfo(np.int64).min)
    return np.asarray(out, dtype=np.int64)


def split_days(
    tracks: pd.DataFrame | None,
    events: pd.DataFrame | None,
    boundary: str = "utc",
    incidents: pd.DataFrame | None = None,
) -> list[DayData]:
    """Cut tracks, events and incidents into days.

    Parameters
    ----------
    tracks : pandas.DataFrame or None
        Track table; each fix goes to the day holding its timestamp.
    events : pandas.DataFrame or None
        Event table; each event goes to the day in which it starts (an event
        running past the boundary stays whole).
    boundary : {'utc', 'pkt_noon'}
        ``utc``: days from UTC midnight. ``pkt_noon``: days from 12:00
        Pakistan time (07:00 UTC), so a night is never split; labelled by the
        date of their evening (see :mod:`coastwatch.days`).
    incidents : pandas.DataFrame, optional
        Incident table; each incident goes to the day of its ``start`` if it
        has one, else of its first member event.

    Returns
    -------
    list of DayData
        Every day with a fix or an event, in date order; row order within
        each table is kept.

    Raises
    ------
    ConfigError
        On an unknown boundary.
    """
    _days.day_numbers(np.empty(0, dtype=np.int64), boundary)  # validates
    track_days = (
        _days.day_numbers(timestamps_ns(tracks), boundary)
        if tracks is not None and len(tracks)
        else np.empty(0, dtype=np.int64)
    )
    event_days = (
        _event_day_numbers(events, boundary)
        if events is not None and len(events)
        else np.empty(0, dtype=np.int64)
    )
    incident_days = (
        _incident_day_numbers(incidents, events, event_days, boundary)
        if incidents is not None and len(incidents) and events is not None
        else None
    )
    numbers = sorted(
        set(np.unique(track_days).tolist()) | set(np.unique(event_days).tolist())
    )
    out = []
    for number in numbers:
        label = _days.label_of_number(number)
        start, end = _days.day_window(label, boundary)
        day_tracks = (
            tracks.iloc[np.flatnonzero(track_days == number)].reset_index(drop=True)
            if tracks is not None and len(tracks)
            else tracks
        )
        day_events = (
            events.iloc[np.flatnonzero(event_days == number)].reset_index(drop=True)
            if events is not None and len(events)
            else events
        )
        day_incidents = (
            incidents.iloc[np.flatnonzero(incident_days == number)].reset_index(
                drop=True
            )
            if incident_days is not None
            else incidents
        )
        out.append(DayData(label, start, end, day_tracks, day_events, day_incidents))
    return out


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _incidents_csv(incidents: pd.DataFrame) -> str:
    frame = incidents.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif frame[col].dtype == object:
            frame[col] = [
                ";".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v
                for v in frame[col]
            ]
    return frame.to_csv(index=False, lineterminator="\n")


def write_day_products(
    day,
    tracks: pd.DataFrame | None,
    events: pd.DataFrame | None,
    incidents: pd.DataFrame | None,
    out_dir: str | os.PathLike,
    config: Config | None = None,
    *,
    inputs: list[str] | None = None,
    timings: dict[str, float] | None = None,
    grid=None,
    track_rows: int | None = None,
) -> dict[str, Path]:
    """Write one day's products into ``out_dir/YYYY-MM-DD/``.

    Parameters
    ----------
    day : date-like
        The day's label (see :mod:`coastwatch.days`).
    tracks : pandas.DataFrame or None
        The day's tracks (for traffic and the incident maps); rows outside
        the day's window are ignored by the grid.
    events : pandas.DataFrame or None
        The day's scored events (event table with ``risk``).
    incidents : pandas.DataFrame or None
        The day's incidents (see :mod:`coastwatch.tasking`).
    out_dir : str or os.PathLike
        Parent folder; the day's folder is created inside it.
    config : Config, optional
        Grid (box, resolution, day boundary) and tasking settings.
    inputs : list of str, optional
        Names of the input files, recorded in ``summary.json``.
    timings : dict, optional
        Seconds per stage, recorded in ``summary.json`` (this makes the file
        differ between runs; leave out for byte-identical output).
    grid : xarray.Dataset, optional
        The day's risk grid if already made (partitioned runs grid the
        tracks piece by piece, see :class:`coastwatch.heatmaps.DayTraffic`);
        ``tracks`` then need only hold the fixes of the vessels in the
        day's events (for the incident maps).
    track_rows : int, optional
        The day's number of fixes, when ``tracks`` holds only some of them.

    Returns
    -------
    dict of str to pathlib.Path
        Keys ``heatmap``, ``layers``, ``risk``, ``tasking_csv``,
        ``tasking_geojson``, ``events_parquet``, ``events_csv``,
        ``events_geojson``, ``incidents`` (only with incidents), ``report``,
        ``summary``.
    """
    config = config or Config()
    label = _days.day_label(day)
    start, end = _days.day_window(label, config.grid.day_boundary)
    folder = Path(out_dir) / f"{label:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    # Canonical row order, so any input order gives the same files.
    events = finalise_events(empty_events() if events is None else events)
    ds = risk_grid(tracks, events, config, days=[label]) if grid is None else grid
    tasking = tasking_list(events, incidents, config)
    paths: dict[str, Path] = {}
    paths["risk"] = write_netcdf(ds, folder / "risk.nc")
    paths["heatmap"] = render_heatmap(ds, label, tasking, folder / "heatmap.png")
    paths["layers"] = render_layers(ds, label, folder / "layers.png")
    paths["tasking_csv"], paths["tasking_geojson"] = write_tasking(tasking, folder)
    (
        paths["events_parquet"],
        paths["events_csv"],
        paths["events_geojson"],
    ) = write_events(events, folder)
    if incidents is not None:
        paths["incidents"] = folder / "incidents.csv"
        write_text_atomic(paths["incidents"], _incidents_csv(incidents))
    day_ds = ds.isel(time=0)
    n_tracks = (
        track_rows if track_rows is not None else (0 if tracks is None else len(tracks))
    )
    summary = {
        "day": f"{label:%Y-%m-%d}",
        "window_start": start,
        "window_end": end,
        "day_boundary": config.grid.day_boundary,
        "coastwatch_version": __version__,
        "inputs": list(inputs or []),
        "track_rows": n_tracks,
        "vessels": int(day_ds["vessel_count"]),
        "events": {kind: int(day_ds[f"{kind}_events"]) for kind in EVENT_KINDS},
        "events_total": len(events),
        "incidents": 0 if incidents is None else len(incidents),
        "targets": len(tasking),
        "top_target": (
            {
                "lat": float(tasking["lat"].iat[0]),
                "lon": float(tasking["lon"].iat[0]),
                "score": float(tasking["score"].iat[0]),
                "mmsi": int(tasking["mmsi"].iat[0]),
                "nearest_base": str(tasking["nearest_base"].iat[0]),
            }
            if len(tasking)
            else None
        ),
        "grid": {
            "lat_min": ds.attrs["geospatial_lat_min"],
            "lat_max": ds.attrs["geospatial_lat_max"],
            "lon_min": ds.attrs["geospatial_lon_min"],
            "lon_max": ds.attrs["geospatial_lon_max"],
            "resolution_deg": ds.attrs["resolution_deg"],
        },
        "timings_s": dict(timings) if timings else None,
        "files": sorted(
            [p.name for p in paths.values()] + ["report.html", "summary.json"]
        ),
        "config": config.to_dict(),
    }
    paths["report"] = render_report(
        label,
        ds,
        events,
        incidents,
        tasking,
        summary,
        folder / "report.html",
        tracks=tracks,
        heatmap_png=paths["heatmap"].read_bytes(),
        layers_png=paths["layers"].read_bytes(),
    )
    paths["summary"] = folder / "summary.json"
    write_text_atomic(
        paths["summary"],
        json.dumps(summary, indent=1, default=_json_default, ensure_ascii=False) + "\n",
    )
    return paths
