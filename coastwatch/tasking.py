"""The patrol tasking list: where to send boats and aircraft next night.

Targets are built from scored events and, where given, incidents (chains of
events of the same vessels; see the table below):

1. *Units*: each incident is one unit with its member events; every other
   event is a unit of its own. A unit's score is the incident's ``risk``
   (else ``score``, else the noisy-OR of its members' risks) or the event's
   ``risk``; units scoring below ``min_event_risk`` are left out. A unit's
   place (its *anchor*) is the incident's ``lat``/``lon`` if given, else the
   position of its highest-risk event (for a dark gap, where it began).
2. *Targets*: the highest-scoring unit not yet taken leads a new target,
   which gathers every untaken unit whose anchor lies within
   ``cluster_radius_km`` of the leader's; repeated until every unit is
   taken. A target is at most about two radii across: something a patrol
   can search.
3. *Score*: ``1 - prod(1 - s_i)`` over the target's units (noisy-OR): the
   chance that at least one of them is what it looks like, were they
   independent. One strong unit outranks a crowd of weak look-alikes (twelve
   fishing boats loitering at 0.05 score 0.46; one incident at 0.95 scores
   0.95), and agreeing signals add up.
4. Ranked by score (ties: earlier activity first, then position); the top
   ``top_k`` are listed.

Incident table (consumed)
-------------------------
=============  ==========================================================
column         meaning
=============  ==========================================================
incident_id    str, required
event_ids      required: member ``event_id`` values, ';'-separated text or
               a list
risk / score   optional combined score 0..1 (``risk`` preferred)
lat, lon       optional place of the incident, degrees
summary        optional one-line story, quoted in ``reasons``
=============  ==========================================================

Tasking table (produced)
------------------------
==============  ===========================================================
column          meaning
==============  ===========================================================
rank            1 = most urgent
lat, lon        where to go: the score-weighted mean of the units' anchors
min_lat ...     the box to search (``min_lat``, ``max_lat``, ``min_lon``,
                ``max_lon``), degrees; at least ``min_box_km`` a side
score           0..1, noisy-OR of the units' scores
mmsi            the vessel with the most event risk in the target
mmsis           every vessel involved, ';'-separated, ascending
window_start    first event start, ISO 8601 UTC
window_end      last event end, ISO 8601 UTC
reasons         the strongest units' stories, ' | '-separated
nearest_base    nearest Coast Guard / PMSA / Navy base (geo.bases)
base_km         great-circle distance to it, km
n_events        events in the target
kinds           event kinds present, ';'-separated
event_ids       ';'-separated
incident_ids    ';'-separated ('' if none)
==============  ===========================================================
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import geo
from ._io import write_text_atomic
from .config import Config, TaskingConfig
from .errors import ConfigError, InputError
from .events import EVENT_KINDS

__all__ = ["TASKING_COLUMNS", "tasking_list", "write_tasking"]

TASKING_COLUMNS = (
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
    "n_events",
    "kinds",
    "event_ids",
    "incident_ids",
)

_EVENT_COLUMNS = ("event_id", "kind", "mmsi", "start", "end", "lat", "lon", "risk")
_KM_PER_DEG = 111.2
_KIND_WORDS = {
    "loitering": "loitering",
    "dark_gap": "dark gap",
    "rendezvous": "rendezvous",
    "dark_rendezvous": "dark rendezvous",
    "drift": "drift",
}


@dataclass
class _Unit:
    score: float
    lat: float
    lon: float
    rows: list[int]  # positions in the event table
    incident_id: str = ""
    story: str = ""
    first: int = 0  # earliest member start, ns
    order: tuple = field(default_factory=tuple)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in TASKING_COLUMNS})


_DTYPES = {
    "rank": "int64",
    "lat": "float64",
    "lon": "float64",
    "min_lat": "float64",
    "max_lat": "float64",
    "min_lon": "float64",
    "max_lon": "float64",
    "score": "float64",
    "mmsi": "int64",
    "mmsis": "str",
    "window_start": "str",
    "window_end": "str",
    "reasons": "str",
    "nearest_base": "str",
    "base_km": "float64",
    "n_events": "int64",
    "kinds": "str",
    "event_ids": "str",
    "incident_ids": "str",
}


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _member_ids(value) -> list[str]:
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.split(";")) if v]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [str(v) for v in value]


def _noisy_or(scores) -> float:
    scores = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    return float(1.0 - np.prod(1.0 - scores))


def _event_story(ev) -> str:
    who = str(int(ev["mmsi"]))
    other = ev.get("other_mmsi")
    if other is not None and not pd.isna(other):
        who += f" & {int(other)}"
    reasons = str(ev.get("reasons", "") or "").strip()
    text = f"{_KIND_WORDS.get(ev['kind'], ev['kind'])} {who} ({ev['risk']:.2f})"
    return f"{text}: {reasons}" if reasons else text


def _units(
    events: pd.DataFrame, records: list[dict], incidents, cfg: TaskingConfig
) -> list[_Unit]:
    risk = events["risk"].to_numpy(np.float64)
    position = {eid: i for i, eid in enumerate(events["event_id"])}
    taken = np.zeros(len(events), dtype=bool)
    units: list[_Unit] = []
    if incidents is not None and len(incidents):
        for col in ("incident_id", "event_ids"):
            if col not in incidents:
                raise InputError(
                    None,
                    f"incident table lacks required column {col!r}; "
                    f"found {list(incidents.columns)}",
                )
        for inc in incidents.to_dict(orient="records"):
            rows = sorted(
                {position[e] for e in _member_ids(inc["event_ids"]) if e in position}
            )
            if not rows:
                continue
            score = next(
                (
                    float(inc[c])
                    for c in ("risk", "score")
                    if c in inc and not pd.isna(inc[c])
                ),
                _noisy_or(np.nan_to_num(risk[rows])),
            )
            taken[rows] = True
            if score < cfg.min_event_risk:
                continue
            lead = rows[int(np.argmax(np.nan_to_num(risk[rows], nan=-1.0)))]
            lat, lon = events["lat"].iat[lead], events["lon"].iat[lead]
            if np.isfinite(inc.get("lat", np.nan)) and np.isfinite(
                inc.get("lon", np.nan)
            ):
                lat, lon = float(inc["lat"]), float(inc["lon"])
            story = str(inc.get("summary", "") or "").strip() or "; ".join(
                _event_story(records[r]) for r in rows
            )
            units.append(
                _Unit(
                    score,
                    float(lat),
                    float(lon),
                    rows,
                    str(inc["incident_id"]),
                    f"incident {inc['incident_id']} ({score:.2f}): {story}",
                )
            )
    for i in np.flatnonzero(~taken):
        if not (risk[i] >= cfg.min_event_risk):  # NaN risk: unscored, skipped
            continue
        ev = records[i]
        units.append(
            _Unit(
                float(risk[i]),
                float(ev["lat"]),
                float(ev["lon"]),
                [int(i)],
                story=_event_story(ev),
            )
        )
    starts = events["start"].to_numpy("datetime64[ns]").view(np.int64)
    for unit in units:
        first = int(starts[unit.rows].min())
        unit.first = first
        unit.order = (-unit.score, first, unit.lat, unit.lon, unit.incident_id)
    units = [u for u in units if np.isfinite(u.lat) and np.isfinite(u.lon)]
    units.sort(key=lambda u: u.order)
    return units


def _distance_km(lat0, lon0, lat, lon) -> np.ndarray:
    return geo.great_circle_km(lat0, lon0, lat, lon)


def _centre(units: list[_Unit]) -> tuple[float, float]:
    weights = np.maximum([u.score for u in units], 1e-9)
    return (
        float(np.average([u.lat for u in units], weights=weights)),
        float(np.average([u.lon for u in units], weights=weights)),
    )


def _target(
    units: list[_Unit], events: pd.DataFrame, records: list[dict], cfg: TaskingConfig
) -> dict:
    scores = np.array([u.score for u in units])
    lat = np.array([u.lat for u in units])
    lon = np.array([u.lon for u in units])
    c_lat, c_lon = _centre(units)
    half_lat = cfg.min_box_km / 2 / _KM_PER_DEG
    half_lon = half_lat / max(math.cos(math.radians(c_lat)), 1e-6)
    box = (
        min(lat.min(), c_lat - half_lat),
        max(lat.max(), c_lat + half_lat),
        min(lon.min(), c_lon - half_lon),
        max(lon.max(), c_lon + half_lon),
    )
    rows = sorted({r for u in units for r in u.rows})
    members = events.iloc[rows]
    vessel_risk: dict[int, float] = {}
    for ev in (records[r] for r in rows):
        r = 0.0 if pd.isna(ev["risk"]) else float(ev["risk"])
        for m in (ev["mmsi"], ev.get("other_mmsi")):
            if m is not None and not pd.isna(m):
                vessel_risk[int(m)] = vessel_risk.get(int(m), 0.0) + r
    top = min(vessel_risk, key=lambda m: (-vessel_risk[m], m))
    kinds_present = set(members["kind"])
    kinds = [k for k in EVENT_KINDS if k in kinds_present] + sorted(
        kinds_present - set(EVENT_KINDS)
    )
    stories = [u.story for u in units[: cfg.max_reasons]]
    if len(units) > cfg.max_reasons:
        stories.append(f"+{len(units) - cfg.max_reasons} more")
    return {
        "lat": c_lat,
        "lon": c_lon,
        "min_lat": box[0],
        "max_lat": box[1],
        "min_lon": box[2],
        "max_lon": box[3],
        "score": _noisy_or(scores),
        "mmsi": top,
        "mmsis": ";".join(str(m) for m in sorted(vessel_risk)),
        "window_start": _iso(members["start"].min()),
        "window_end": _iso(members["end"].max()),
        "reasons": " | ".join(stories),
        "n_events": len(rows),
        "kinds": ";".join(kinds),
        "event_ids": ";".join(members["event_id"]),
        "incident_ids": ";".join(u.incident_id for u in units if u.incident_id),
    }


def tasking_list(
    events: pd.DataFrame,
    incidents: pd.DataFrame | None = None,
    config: Config | None = None,
    top_k: int | None = None,
) -> pd.DataFrame:
    """Rank patrol targets from scored events and incidents.

    Parameters
    ----------
    events : pandas.DataFrame
        Event table (:mod:`coastwatch.events`) with ``risk`` (0..1); at
        least ``event_id``, ``kind``, ``mmsi``, ``start``, ``end``, ``lat``,
        ``lon``, ``risk``.
    incidents : pandas.DataFrame, optional
        Incident table (see the module docstring).
    config : Config, optional
        Uses ``config.tasking``.
    top_k : int, optional
        Targets to list; default ``config.tasking.top_k`` (10).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TASKING_COLUMNS`, one row per target, by rank.

    Raises
    ------
    InputError
        If a table lacks a required column.
    ConfigError
        If ``top_k`` is negative or a tasking setting is out of range.
    """
    cfg = (config or Config()).tasking
    top_k = cfg.top_k if top_k is None else top_k
    if top_k < 0:
        raise ConfigError(f"top_k must be 0 or more, got {top_k!r}")
    if not (cfg.cluster_radius_km >= 0 and cfg.min_box_km >= 0):
        raise ConfigError(
            "tasking.cluster_radius_km and tasking.min_box_km must be 0 or more, got "
            f"{cfg.cluster_radius_km!r} and {cfg.min_box_km!r}"
        )
    if events is None or not len(events) or top_k == 0:
        return _empty()
    missing = [c for c in _EVENT_COLUMNS if c not in events]
    if missing:
        raise InputError(
            None,
            f"event table lacks required column(s) {missing}; "
            f"found {list(events.columns)}",
        )
    events = events.copy()
    for col in ("start", "end"):
        if not isinstance(events[col].dtype, pd.DatetimeTZDtype):
            events[col] = pd.to_datetime(events[col], utc=True)
    # A fixed order, whatever the input's: by start, then id.
    events = events.sort_values(["start", "event_id"], kind="stable").reset_index(
        drop=True
    )
    records = events.to_dict(orient="records")
    units = _units(events, records, incidents, cfg)
    if not units:
        return _empty()
    lat = np.array([u.lat for u in units])
    lon = np.array([u.lon for u in units])
    free = np.ones(len(units), dtype=bool)
    groups = []
    for lead in range(len(units)):
        if not free[lead]:
            continue
        near = free & (
            _distance_km(lat[lead], lon[lead], lat, lon) <= cfg.cluster_radius_km
        )
        free[near] = False
        members = [units[i] for i in np.flatnonzero(near)]
        score = _noisy_or([u.score for u in members])
        c_lat, c_lon = _centre(members)
        first = min(u.first for u in members)
        groups.append(((-round(score, 12), first, c_lat, c_lon), members))
    groups.sort(key=lambda g: g[0])
    targets = [_target(members, events, records, cfg) for _, members in groups[:top_k]]
    frame = pd.DataFrame(targets)
    names, dist = geo.nearest_base(frame["lat"].to_numpy(), frame["lon"].to_numpy())
    frame["nearest_base"] = [n if n is not None else "" for n in names]
    frame["base_km"] = np.round(dist, 1)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    # Boxes rounded outward so they never shrink below their size.
    frame[["lat", "lon"]] = frame[["lat", "lon"]].round(5)
    for col in ("min_lat", "min_lon"):
        frame[col] = np.floor(frame[col] * 1e5 + 1e-6) / 1e5
    for col in ("max_lat", "max_lon"):
        frame[col] = np.ceil(frame[col] * 1e5 - 1e-6) / 1e5
    frame["score"] = frame["score"].round(4)
    return frame[list(TASKING_COLUMNS)].astype(_DTYPES).reset_index(drop=True)


def _geojson(frame: pd.DataFrame) -> dict:
    features = []
    for row in frame.to_dict(orient="records"):
        ring = [
            [row["min_lon"], row["min_lat"]],
            [row["max_lon"], row["min_lat"]],
            [row["max_lon"], row["max_lat"]],
            [row["min_lon"], row["max_lat"]],
            [row["min_lon"], row["min_lat"]],
        ]
        properties = {
            k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_tasking(
    frame: pd.DataFrame, folder: str | os.PathLike, stem: str = "tasking"
) -> list[Path]:
    """Write the tasking list as CSV and GeoJSON (box polygons), atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`tasking_list`.
    folder : str or os.PathLike
        Output folder (created if needed).
    stem : str
        File name stem; default ``tasking``.

    Returns
    -------
    list of pathlib.Path
        ``stem.csv`` (columns :data:`TASKING_COLUMNS`, header always) and
        ``stem.geojson`` (one Polygon feature per target, WGS84 lon/lat,
        every column as a property).
    """
    folder = Path(folder)
    frame = frame[list(TASKING_COLUMNS)]
    paths = [folder / f"{stem}.csv", folder / f"{stem}.geojson"]
    write_text_atomic(paths[0], frame.to_csv(index=False, lineterminator="\n"))
    write_text_atomic(paths[1], json.dumps(_geojson(frame), indent=1) + "\n")
    return paths
