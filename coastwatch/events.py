"""The event table: one schema for every kind of detection, and its writers.

=====================  ====================  ===========================================
column                 dtype                 meaning (unit)
=====================  ====================  ===========================================
event_id               str                   stable id: kind code, MMSI(s), start time
kind                   str                   loitering, dark_gap, rendezvous,
                                             dark_rendezvous, drift
mmsi                   int64                 the vessel (for pairs, the smaller MMSI)
other_mmsi             Int64 (nullable)      the other vessel of a pair, else missing
start, end             datetime64[ns, UTC]   when the event began and ended
duration_h             float64               end - start, hours
lat, lon               float64               where it happened (gap, drift: where it
                                             began; pairs: mean meeting point), degrees
end_lat, end_lon       float64               where it ended (gap: where the vessel
                                             reappeared), degrees
distance_km            float64               gap: great-circle distance across the
                                             gap; drift: distance drifted
implied_speed_kn       float64               gap: distance / duration, knots
min_separation_m       float64               pairs: closest approach, metres
mean_separation_m      float64               pairs: mean separation, metres
mean_speed_kn          float64               mean speed over ground (pairs: of mmsi)
other_mean_speed_kn    float64               pairs: mean speed of other_mmsi
shore_km               float64               distance to shore at lat/lon, km (NaN
                                             outside the shipped region)
end_shore_km           float64               distance to shore at end_lat/end_lon, km
in_port                bool                  lat/lon inside a port or anchorage area
border_crossing        bool                  gap: straight line crosses the
                                             Iran–Pakistan line
neighbours_start       Int64 (nullable)      gap: other vessels heard within the
                                             reception radius of the start during it
neighbours_end         Int64 (nullable)      gap: the same at the end
group                  Int64 (nullable)      pairs: vessels met as one group (3+)
area_km2               float64               dark rendezvous: area where both could
                                             have been at the same time, km^2
risk                   float64               0..1, from :mod:`coastwatch.risk`
reasons                str                   short human-readable explanation
=====================  ====================  ===========================================

Some kinds add columns after these (e.g. ``track`` and ``coverage_h`` for
gaps; ``confirmed_at`` and ``course_heading_deg`` for drift: see
:mod:`coastwatch.detection`). In CSV, times are ISO 8601 UTC; in GeoJSON,
gaps and drifts are lines from start to end, other kinds points.

Rows are sorted by (start, kind, mmsi, other_mmsi) so the same input always
gives the same file, byte for byte.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._io import atomic_path, write_text_atomic

__all__ = [
    "EVENT_DTYPES",
    "EVENT_KINDS",
    "empty_events",
    "finalise_events",
    "write_events",
]

EVENT_KINDS = ("loitering", "dark_gap", "rendezvous", "dark_rendezvous", "drift")
_KIND_CODE = {
    "loitering": "L",
    "dark_gap": "G",
    "rendezvous": "R",
    "dark_rendezvous": "D",
    "drift": "F",
}

EVENT_DTYPES: dict[str, object] = {
    "event_id": "str",
    "kind": "str",
    "mmsi": np.dtype("int64"),
    "other_mmsi": "Int64",
    "start": pd.DatetimeTZDtype("ns", "UTC"),
    "end": pd.DatetimeTZDtype("ns", "UTC"),
    "duration_h": np.dtype("float64"),
    "lat": np.dtype("float64"),
    "lon": np.dtype("float64"),
    "end_lat": np.dtype("float64"),
    "end_lon": np.dtype("float64"),
    "distance_km": np.dtype("float64"),
    "implied_speed_kn": np.dtype("float64"),
    "min_separation_m": np.dtype("float64"),
    "mean_separation_m": np.dtype("float64"),
    "mean_speed_kn": np.dtype("float64"),
    "other_mean_speed_kn": np.dtype("float64"),
    "shore_km": np.dtype("float64"),
    "end_shore_km": np.dtype("float64"),
    "in_port": np.dtype("bool"),
    "border_crossing": np.dtype("bool"),
    "neighbours_start": "Int64",
    "neighbours_end": "Int64",
    "group": "Int64",
    "area_km2": np.dtype("float64"),
    "risk": np.dtype("float64"),
    "reasons": "str",
}

_DEFAULTS = {
    "other_mmsi": pd.NA,
    "neighbours_start": pd.NA,
    "neighbours_end": pd.NA,
    "group": pd.NA,
    "in_port": False,
    "border_crossing": False,
    "reasons": "",
    "event_id": "",
}


def empty_events() -> pd.DataFrame:
    """Return an empty event table with every column and dtype."""
    return pd.DataFrame(
        {name: pd.Series([], dtype=dtype) for name, dtype in EVENT_DTYPES.items()}
    )


def finalise_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Bring a table of events to the canonical columns, dtypes, ids and order.

    Missing columns get their 'not applicable' value (NaN, missing, False or
    ""); ``duration_h`` is always derived from start and end; ``event_id`` is built
    from kind, MMSI(s) and start time where empty. Extra columns are kept at
    the end.

    Parameters
    ----------
    frame : pandas.DataFrame
        Events with at least ``kind``, ``mmsi``, ``start``, ``end``, ``lat``,
        ``lon``.

    Returns
    -------
    pandas.DataFrame
        The event table, sorted by (start, kind, mmsi, other_mmsi).
    """
    if not len(frame):
        extra = [c for c in frame.columns if c not in EVENT_DTYPES]
        out = empty_events()
        for name in extra:
            out[name] = frame[name]
        return out
    n = len(frame)
    columns = {}
    for name, dtype in EVENT_DTYPES.items():
        if name == "duration_h":  # always derived, never trusted from input
            col = (
                pd.to_datetime(frame["end"], utc=True)
                - pd.to_datetime(frame["start"], utc=True)
            ).dt.total_seconds() / 3600.0
        elif name in frame:
            col = frame[name]
        elif name in _DEFAULTS:
            col = pd.Series([_DEFAULTS[name]] * n, index=frame.index)
        else:
            col = pd.Series(np.full(n, np.nan), index=frame.index)
        if isinstance(dtype, pd.DatetimeTZDtype):
            col = pd.to_datetime(col, utc=True).astype(dtype)
        elif dtype == "str":
            col = col.fillna("").astype("str")
        else:
            col = col.astype(dtype)
        columns[name] = col
    out = pd.DataFrame(columns, index=frame.index)
    for name in frame.columns:
        if name not in EVENT_DTYPES:
            out[name] = frame[name]
    missing_id = out["event_id"] == ""
    if missing_id.any():
        out.loc[missing_id, "event_id"] = _event_ids(out.loc[missing_id])
    other = out["other_mmsi"].fillna(-1).to_numpy(np.int64)
    order = np.lexsort(
        (
            other,
            out["mmsi"].to_numpy(),
            out["kind"].map({k: i for i, k in enumerate(EVENT_KINDS)}).fillna(9),
            _ns(out["start"]),
        )
    )
    return out.iloc[order].reset_index(drop=True)


def _ns(values: pd.Series) -> np.ndarray:
    return (
        values.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy("datetime64[ns]")
        .view(np.int64)
    )


def _event_ids(events: pd.DataFrame) -> list[str]:
    ids = []
    for kind, mmsi, other, start in zip(
        events["kind"],
        events["mmsi"],
        events["other_mmsi"],
        events["start"],
        strict=True,
    ):
        code = _KIND_CODE.get(kind, "X")
        pair = "" if pd.isna(other) else f"-{int(other)}"
        ids.append(f"{code}-{int(mmsi)}{pair}-{start:%Y%m%dT%H%M%S}")
    return ids


def _geojson_features(events: pd.DataFrame) -> list[dict]:
    features = []
    records = events.to_dict(orient="records")
    for record in records:
        properties = {}
        for key, value in record.items():
            if isinstance(value, pd.Timestamp):
                properties[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif (
                value is pd.NA
                or value is pd.NaT
                or (isinstance(value, float) and np.isnan(value))
            ):
                properties[key] = None
            elif isinstance(value, np.generic):
                properties[key] = value.item()
            else:
                properties[key] = value
        lat, lon = record["lat"], record["lon"]
        end_lat, end_lon = record["end_lat"], record["end_lon"]
        if (
            record["kind"] in ("dark_gap", "drift")
            and np.isfinite(end_lat)
            and np.isfinite(end_lon)
        ):
            geometry = {
                "type": "LineString",
                "coordinates": [
                    [_round(lon), _round(lat)],
                    [_round(end_lon), _round(end_lat)],
                ],
            }
        else:
            geometry = {"type": "Point", "coordinates": [_round(lon), _round(lat)]}
        features.append(
            {"type": "Feature", "geometry": geometry, "properties": properties}
        )
    return features


def _round(value: float) -> float:
    return round(float(value), 6)


def write_events(
    events: pd.DataFrame, folder: str | os.PathLike, stem: str = "events"
) -> list[Path]:
    """Write the event table as Parquet, CSV and GeoJSON, each atomically.

    Parameters
    ----------
    events : pandas.DataFrame
        A finalised event table (see :func:`finalise_events`).
    folder : str or os.PathLike
        Output folder (created if needed).
    stem : str
        File name stem; default ``events``.

    Returns
    -------
    list of pathlib.Path
        The files written: ``stem.parquet``, ``stem.csv``, ``stem.geojson``.
        Times are ISO 8601 UTC in CSV and GeoJSON; GeoJSON has a point per
        event and a line from start to end for dark gaps.
    """
    folder = Path(folder)
    paths = [
        folder / f"{stem}.parquet",
        folder / f"{stem}.csv",
        folder / f"{stem}.geojson",
    ]
    with atomic_path(paths[0]) as part:
        pq.write_table(
            pa.Table.from_pandas(events, preserve_index=False), part, compression="zstd"
        )
    csv_frame = events.copy()
    for name in csv_frame.columns:
        if isinstance(csv_frame[name].dtype, pd.DatetimeTZDtype):
            csv_frame[name] = (
                csv_frame[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
            )
    write_text_atomic(paths[1], csv_frame.to_csv(index=False, lineterminator="\n"))
    collection = {"type": "FeatureCollection", "features": _geojson_features(events)}
    write_text_atomic(paths[2], json.dumps(collection, indent=1) + "\n")
    return paths
