"""Event risk: an explainable 0..1 score per event, and incidents.

Each event's score is the logistic of a sum of documented factors (log-odds
points, all in :class:`~coastwatch.config.RiskConfig`); every factor that
moves the score by at least ``reason_threshold`` is named in ``reasons`` in
plain words, strongest first. Factors:

* **kind** -- a base rate per kind (a meeting is more telling than a slow
  vessel);
* **duration** -- log2 of the duration over the kind's detection threshold;
* **night** -- the share of the event with the sun below -6 deg (civil
  twilight) at the event's place, from :mod:`coastwatch.sun`;
* **offshore band** -- outside the 12 nm territorial sea but within reach of
  the coast (where mother ships wait); far offshore (satellite-only
  coverage) counts down;
* **border** -- near the Iran–Pakistan line, or a dark gap whose straight
  line crosses it;
* **vessel** -- class B, small, unknown type, no static data, a malformed
  MMSI;
* **reception context** -- a dark gap while other vessels nearby kept being
  heard is deliberate; one with nobody heard is more likely a coverage hole
  (unless detection showed it silent within shore reception, see
  ``switch_off_h`` in :mod:`coastwatch.detection`);
* **implied speed** -- moving much faster (or slower) while dark than the
  vessel's own usual speed;
* **look-alikes** -- lower the score: a fishing vessel drifting dusk to dawn
  (gill-net pattern), waiting at an anchorage or in port, pilot boats and
  tugs (or the Karachi pilot zone), patrol and SAR craft, two fishing
  vessels together (pair fishing), a large merchant ship waiting.

Incidents chain events of the same vessel(s) that follow each other closely
in time and place (a gap that ends where a meeting starts; loitering then a
meeting; gaps before and after a meeting) into one story with a combined
score (noisy-OR of the member risks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import geo
from .config import Config, RiskConfig
from .schema import timestamps_ns
from .sun import CIVIL_TWILIGHT_DEG, solar_elevation_deg

__all__ = ["chain_incidents", "describe_place", "score_events", "vessel_profiles"]

# AIS ship-and-cargo type codes (ITU-R M.1371 table 53).
_FISHING = (30,)
_PILOT_TUG = (50, 52, 53)
_AUTHORITY = (35, 51, 55)  # military, SAR, law enforcement
_MERCHANT = tuple(range(70, 90))
_PKT = pd.Timedelta(hours=5)


def vessel_profiles(tracks: pd.DataFrame) -> pd.DataFrame:
    """One row per MMSI with what risk needs to know about the vessel.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``mmsi``: ``transceiver_class`` (most common non-empty),
        ``ship_type`` (most common non-zero, else 0), ``length`` (median, m),
        ``name``, ``mmsi_valid``, ``has_static`` (any name, type or length),
        ``usual_speed_kn`` (median SOG while under way, > 3 kn; NaN if never).
    """
    if not len(tracks):
        return pd.DataFrame(
            columns=[
                "transceiver_class",
                "ship_type",
                "length",
                "name",
                "mmsi_valid",
                "has_static",
                "usual_speed_kn",
            ]
        ).rename_axis("mmsi")
    # Numeric columns only: the string columns are counted as integer codes
    # by _mode rather than grouped as strings row by row.
    frame = pd.DataFrame(
        {
            "mmsi": tracks["mmsi"].to_numpy(),
            "length": _column(tracks, "length", np.nan),
            "mmsi_valid": _column(tracks, "mmsi_valid", True),
            "sog": _column(tracks, "sog", np.nan),
        }
    )
    grouped = frame.groupby("mmsi", sort=True)
    out = pd.DataFrame(index=grouped.size().index)
    mmsi = frame["mmsi"].to_numpy()
    out["transceiver_class"] = _mode(mmsi, tracks, "transceiver_class", "").reindex(
        out.index, fill_value=""
    )
    out["ship_type"] = (
        _mode(mmsi, tracks, "ship_type", 0)
        .reindex(out.index, fill_value=0)
        .astype(np.int64)
    )
    out["length"] = grouped["length"].median()
    out["name"] = _mode(mmsi, tracks, "name", "").reindex(out.index, fill_value="")
    out["mmsi_valid"] = grouped["mmsi_valid"].all()
    out["has_static"] = (
        (out["name"] != "") | (out["ship_type"] != 0) | out["length"].notna()
    )
    moving = frame[frame.sog > 3.0]
    out["usual_speed_kn"] = moving.groupby("mmsi")["sog"].median().reindex(out.index)
    return out


def _column(frame: pd.DataFrame, name: str, default) -> np.ndarray:
    if name in frame:
        return frame[name].to_numpy()
    return np.full(len(frame), default)


def _mode(mmsi: np.ndarray, tracks: pd.DataFrame, column: str, skip) -> pd.Series:
    """Per MMSI: the most common value of ``column`` other than ``skip``.

    Ties go to the smallest value; missing values and ``skip`` are not
    counted, and an MMSI with nothing else is left out. Values are counted
    as sorted integer codes, and runs of equal (MMSI, value) rows -- a
    vessel's name or type repeats on every report -- are counted once with
    their length, so only the distinct runs are sorted.
    """
    if column not in tracks or not len(tracks):
        return pd.Series(dtype=object)
    values = tracks[column]
    code, uniques = pd.factorize(values, sort=True)  # code order = value order
    skip_codes = np.flatnonzero(np.asarray(uniques == skip, dtype=bool))
    counted = (code >= 0) & ~np.isin(code, skip_codes)
    rows = np.flatnonzero(counted)
    if not len(rows):
        return pd.Series(dtype=object)
    m, c = mmsi[rows], code[rows]
    starts = np.flatnonzero(
        np.concatenate([[True], (m[1:] != m[:-1]) | (c[1:] != c[:-1])])
    )
    run_length = np.diff(np.append(starts, len(rows)))
    m, c = m[starts], c[starts]
    # Sum the runs per (MMSI, value), then take per MMSI the largest count,
    # ties to the smallest value code.
    pairs = np.lexsort((c, m))
    m, c, run_length = m[pairs], c[pairs], run_length[pairs]
    first = np.flatnonzero(
        np.concatenate([[True], (m[1:] != m[:-1]) | (c[1:] != c[:-1])])
    )
    n = np.add.reduceat(run_length, first)
    m, c = m[first], c[first]
    best = np.lexsort((c, -n, m))
    m, c = m[best], c[best]
    pick = np.concatenate([[True], m[1:] != m[:-1]])
    return pd.Series(
        uniques.take(c[pick]),
        index=pd.Index(m[pick], name="mmsi"),
        name=column,
    )


@dataclass
class _Factors:
    """Log-odds contributions per event, with their reason texts."""

    n: int

    def __post_init__(self):
        self.total = np.zeros(self.n)
        self.parts: list[tuple[np.ndarray, list[str] | str]] = []

    def add(self, points: np.ndarray, text) -> None:
        points = np.nan_to_num(np.asarray(points, dtype=np.float64), nan=0.0)
        if not points.any():
            return
        self.total += points
        self.parts.append((points, text))

    def reasons(self, threshold: float, prefix: list[str]) -> list[str]:
        out = []
        for i in range(self.n):
            items = []
            for points, text in self.parts:
                if abs(points[i]) >= threshold:
                    label = text if isinstance(text, str) else text[i]
                    if label:
                        items.append((-points[i], label))
            items.sort()
            sign = [("+" if p < 0 else "-") + " " + label for p, label in items]
            out.append("; ".join([prefix[i], *sign]) if prefix[i] else "; ".join(sign))
        return out


def score_events(
    events: pd.DataFrame,
    tracks: pd.DataFrame | None = None,
    config: Config | RiskConfig | None = None,
    profiles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every event 0..1 and explain the score in plain words.

    Parameters
    ----------
    events : pandas.DataFrame
        An event table (see :mod:`coastwatch.events`).
    tracks : pandas.DataFrame, optional
        The track table the events came from, for vessel class, type,
        length, static data and usual speed. Without it those factors are
        skipped.
    config : Config or RiskConfig, optional
        Factor weights; default ``RiskConfig()``.
    profiles : pandas.DataFrame, optional
        Precomputed :func:`vessel_profiles` (saves recomputing per day).

    Returns
    -------
    pandas.DataFrame
        A copy of ``events`` with ``risk`` (0..1) and ``reasons`` filled:
        the event's description first, then each factor that moved the
        score, ``+`` raising it and ``-`` lowering it.
    """
    cfg = config.risk if isinstance(config, Config) else (config or RiskConfig())
    out = events.copy()
    n = len(out)
    if n == 0:
        return out
    if profiles is None:
        profiles = vessel_profiles(tracks) if tracks is not None else None
    kind = out["kind"].to_numpy().astype(str)
    duration_h = out["duration_h"].to_numpy(np.float64)
    lat = out["lat"].to_numpy(np.float64)
    lon = out["lon"].to_numpy(np.float64)
    factors = _Factors(n)

    base = {
        "loitering": cfg.base_loitering,
        "dark_gap": cfg.base_dark_gap,
        "rendezvous": cfg.base_rendezvous,
        "dark_rendezvous": cfg.base_dark_rendezvous,
        "drift": cfg.base_drift,
    }
    factors.add(np.array([base.get(k, 0.0) for k in kind]), "")

    threshold_h = np.select(
        [kind == "loitering", kind == "dark_gap", kind == "drift"],
        [cfg.loitering_threshold_h, cfg.gap_threshold_h, cfg.drift_threshold_h],
        cfg.meeting_threshold_h,
    )
    ratio = np.log2(np.maximum(duration_h, 1e-6) / threshold_h)
    factors.add(
        cfg.duration_per_doubling * np.clip(ratio, 0.0, cfg.duration_max_doublings),
        [f"long: {_hours(h)}" for h in duration_h],
    )

    night = _night_share(out)
    night_text = [
        f"at night ({_local(s)}–{_local(e)} PKT)"
        for s, e in zip(out["start"], out["end"], strict=True)
    ]
    factors.add(cfg.night * night, night_text)

    shore = (
        out["shore_km"].to_numpy(np.float64)
        if "shore_km" in out
        else np.full(n, np.nan)
    )
    band = (shore >= cfg.offshore_min_km) & (shore <= cfg.offshore_max_km)
    factors.add(
        np.where(band, cfg.offshore_band, 0.0),
        [f"{s:.0f} km offshore, outside territorial waters" for s in shore],
    )
    factors.add(
        np.where(shore > cfg.far_offshore_km, cfg.far_offshore, 0.0),
        [f"far offshore ({s:.0f} km): patchy coverage" for s in shore],
    )

    border_km = geo.border_distance_km(lat, lon)
    near_border = border_km <= cfg.border_km
    factors.add(
        np.where(near_border, cfg.border, 0.0),
        [f"{b:.0f} km from the Iran–Pakistan line" for b in border_km],
    )
    if "border_crossing" in out:
        crossing = out["border_crossing"].to_numpy(bool) & (kind == "dark_gap")
        factors.add(
            np.where(crossing, cfg.border_crossing, 0.0),
            "crossed the Iran–Pakistan line while dark",
        )

    is_gap = kind == "dark_gap"
    if "neighbours_start" in out:
        heard = np.fmax(
            out["neighbours_start"]
            .astype("Float64")
            .to_numpy(np.float64, na_value=np.nan),
            out["neighbours_end"]
            .astype("Float64")
            .to_numpy(np.float64, na_value=np.nan),
        )
        known = is_gap & np.isfinite(heard)
        factors.add(
            np.where(known & (heard >= cfg.neighbours_min), cfg.neighbours_heard, 0.0),
            [
                f"{np.nan_to_num(h):.0f} other vessels heard nearby while dark"
                for h in heard
            ],
        )
        # Where detection already showed the vessel silent within shore
        # reception, nobody else heard nearby says nothing more about a hole.
        proven = (
            np.nan_to_num(out["switch_off_h"].to_numpy(np.float64), nan=0.0)
            >= cfg.silent_in_reception_h
            if "switch_off_h" in out
            else np.zeros(n, bool)
        )
        factors.add(
            np.where(known & (heard == 0) & ~proven, cfg.nobody_heard, 0.0),
            "no other vessel heard nearby either: likely a coverage hole",
        )

    in_port = out["in_port"].to_numpy(bool) if "in_port" in out else np.zeros(n, bool)
    factors.add(np.where(in_port, cfg.in_port, 0.0), "in a port or anchorage area")
    pilot_zone = _in_pilot_zone(lat, lon)
    factors.add(
        np.where(pilot_zone & ~in_port, cfg.pilot_zone, 0.0),
        "at the Karachi pilot boarding zone",
    )

    prefix = _descriptions(out, profiles)
    if profiles is not None:
        self_ = _profile_columns(profiles, out["mmsi"].to_numpy(np.int64))
        other_mmsi = (
            out["other_mmsi"].astype("Int64").fillna(-1).to_numpy(np.int64)
            if "other_mmsi" in out
            else np.full(n, -1)
        )
        other = _profile_columns(profiles, other_mmsi)
        pair = other_mmsi >= 0
        factors.add(
            np.where(self_["class_b"] | (pair & other["class_b"]), cfg.class_b, 0.0),
            "class B transponder",
        )
        factors.add(
            np.where(
                ~self_["has_static"] | (pair & ~other["has_static"]), cfg.no_static, 0.0
            ),
            "no name, type or size broadcast",
        )
        factors.add(
            np.where(self_["small"] | (pair & other["small"]), cfg.small_vessel, 0.0),
            "small craft",
        )
        factors.add(
            np.where(
                ~self_["mmsi_valid"] | (pair & ~other["mmsi_valid"]), cfg.bad_mmsi, 0.0
            ),
            "malformed or placeholder MMSI",
        )
        # Look-alikes.
        # A fishing boat drifts with its nets: drift is its working pattern.
        slow_kind = (kind == "loitering") | (kind == "drift")
        fishing_night = slow_kind & self_["fishing"] & (night >= 0.5)
        factors.add(
            np.where(fishing_night, cfg.fishing_night_drift, 0.0),
            "fishing vessel drifting overnight (gill-net pattern)",
        )
        fishing_day = slow_kind & self_["fishing"] & (night < 0.5)
        factors.add(
            np.where(fishing_day, cfg.fishing_loiter, 0.0), "fishing vessel working"
        )
        pair_fishing = (
            pair & self_["fishing"] & other["fishing"] & (kind == "rendezvous")
        )
        factors.add(
            np.where(pair_fishing, cfg.pair_fishing, 0.0),
            "two fishing vessels together (pair fishing)",
        )
        service = self_["pilot_tug"] | (pair & other["pilot_tug"])
        factors.add(np.where(service, cfg.pilot_tug, 0.0), "pilot boat or tug")
        authority = self_["authority"] | (pair & other["authority"])
        factors.add(
            np.where(authority, cfg.authority, 0.0), "patrol, SAR or naval craft"
        )
        big = self_["big_merchant"] & slow_kind
        factors.add(
            np.where(big, cfg.big_merchant_waiting, 0.0), "large merchant ship waiting"
        )
        if "implied_speed_kn" in out:
            implied = out["implied_speed_kn"].to_numpy(np.float64)
            usual = self_["usual_speed_kn"]
            moved = (
                out["distance_km"].to_numpy(np.float64) > cfg.speed_check_min_km
                if "distance_km" in out
                else np.zeros(n, bool)
            )
            odd = (
                is_gap
                & moved
                & np.isfinite(usual)
                & (
                    (implied > cfg.speed_ratio_high * usual)
                    | (implied < usual / cfg.speed_ratio_high)
                )
            )
            factors.add(
                np.where(odd, cfg.odd_gap_speed, 0.0),
                [
                    f"moved at {i:.0f} kn while dark, unlike its usual {u:.0f} kn"
                    for i, u in zip(implied, usual, strict=True)
                ],
            )

    out["risk"] = 1.0 / (1.0 + np.exp(-factors.total))
    out["reasons"] = factors.reasons(cfg.reason_threshold, prefix)
    return out


def _profile_columns(profiles: pd.DataFrame, mmsi: np.ndarray) -> dict[str, np.ndarray]:
    pos = profiles.index.get_indexer(mmsi)
    hit = pos >= 0
    take = np.where(hit, pos, 0)

    def col(name, default):
        values = (
            profiles[name].to_numpy()[take]
            if len(profiles)
            else np.full(len(mmsi), default)
        )
        return np.where(hit, values, default)

    ship_type = col("ship_type", 0).astype(np.int64)
    length = col("length", np.nan).astype(np.float64)
    return {
        "class_b": col("transceiver_class", "").astype(str) == "B",
        "has_static": col("has_static", True).astype(bool) | ~hit,
        "small": np.isfinite(length) & (length < 24.0),
        "mmsi_valid": col("mmsi_valid", True).astype(bool),
        "fishing": np.isin(ship_type, _FISHING),
        "pilot_tug": np.isin(ship_type, _PILOT_TUG),
        "authority": np.isin(ship_type, _AUTHORITY),
        "big_merchant": np.isin(ship_type, _MERCHANT) & (length >= 100.0),
        "usual_speed_kn": col("usual_speed_kn", np.nan).astype(np.float64),
    }


def _in_pilot_zone(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    index = geo.port_area_index(lat, lon)
    kinds = geo.port_areas()["kind"].to_numpy()
    return (index >= 0) & (kinds[np.maximum(index, 0)] == "pilot_zone")


def _night_share(events: pd.DataFrame, samples: int = 9) -> np.ndarray:
    """Share of each event's duration with the sun below civil twilight."""
    start = timestamps_ns(events, "start").astype(np.float64)
    end = timestamps_ns(events, "end").astype(np.float64)
    lat = events["lat"].to_numpy(np.float64)
    lon = events["lon"].to_numpy(np.float64)
    fractions = (np.arange(samples) + 0.5) / samples
    times = (start[:, None] + (end - start)[:, None] * fractions[None, :]).astype(
        np.int64
    )
    elevation = solar_elevation_deg(
        times.ravel(), np.repeat(lat, samples), np.repeat(lon, samples)
    ).reshape(times.shape)
    return (elevation < CIVIL_TWILIGHT_DEG).mean(axis=1)


def _hours(h: float) -> str:
    if not np.isfinite(h):
        return "unknown duration"
    if h < 1:
        return f"{h * 60:.0f} min"
    whole = int(h)
    minutes = round((h - whole) * 60)
    return f"{whole} h {minutes:02d} min" if minutes else f"{whole} h"


def _local(ts: pd.Timestamp) -> str:
    return (pd.Timestamp(ts) + _PKT).strftime("%H:%M")


_KIND_WORDS = {
    "loitering": "loitered",
    "dark_gap": "went dark",
    "rendezvous": "met",
    "dark_rendezvous": "may have met while dark",
    "drift": "drifted (engine stopped?)",
}


def describe_place(lat: float, lon: float) -> str:
    """A short place description for a report: 'near Jiwani', '40 km S of Pasni'.

    Parameters
    ----------
    lat, lon : float
        Position, degrees.

    Returns
    -------
    str
        Relative to the nearest named coastal place of the shipped landmarks
        (towns, ports, landing sites); plain coordinates outside the region.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return "position unknown"
    places = _places()
    if not geo.REGIONS["context"].contains(lat, lon):
        ns = "N" if lat >= 0 else "S"
        ew = "E" if lon >= 0 else "W"
        return f"{abs(lat):.2f}°{ns} {abs(lon):.2f}°{ew}"
    d_lat = np.radians(places["lat"].to_numpy() - lat)
    d_lon = np.radians(places["lon"].to_numpy() - lon)
    a = (
        np.sin(d_lat / 2) ** 2
        + np.cos(np.radians(lat))
        * np.cos(np.radians(places["lat"].to_numpy()))
        * np.sin(d_lon / 2) ** 2
    )
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    i = int(np.argmin(km))
    name = places["name"].iloc[i]
    if km[i] < 8:
        return f"near {name}"
    bearing = (
        math.degrees(
            math.atan2(
                math.sin(math.radians(lon - places["lon"].iloc[i]))
                * math.cos(math.radians(lat)),
                math.cos(math.radians(places["lat"].iloc[i]))
                * math.sin(math.radians(lat))
                - math.sin(math.radians(places["lat"].iloc[i]))
                * math.cos(math.radians(lat))
                * math.cos(math.radians(lon - places["lon"].iloc[i])),
            )
        )
        % 360
    )
    compass = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"][
        int((bearing + 22.5) // 45) % 8
    ]
    return f"{km[i]:.0f} km {compass} of {name}"


_PLACE_KINDS = (
    "commercial_port",
    "fishing_harbour",
    "fishing_town",
    "fishing_village",
    "town",
    "naval_base_town",
    "port_naval_base",
    "island",
    "headland",
    "lagoon",
    "bay",
)


def _places() -> pd.DataFrame:
    global _PLACES_CACHE
    if _PLACES_CACHE is None:
        rows = [
            {"name": _short(p["name"]), "lat": p["lat"], "lon": p["lon"]}
            for p in geo.landmarks()["places"]
            if p.get("kind") in _PLACE_KINDS
        ]
        sites = geo.landing_sites()
        rows += [
            {"name": _short(r.name), "lat": r.lat, "lon": r.lon}
            for r in sites.itertuples()
        ]
        _PLACES_CACHE = pd.DataFrame(rows)
    return _PLACES_CACHE


_PLACES_CACHE: pd.DataFrame | None = None


def _short(name: str) -> str:
    name = name.split("(")[0].split("/")[0].split(",")[0].strip()
    for word in (" town", " Port", " port", " fish harbour", " village", " centre"):
        if name.endswith(word):
            name = name[: -len(word)]
    return name.strip()


def _descriptions(events: pd.DataFrame, profiles: pd.DataFrame | None) -> list[str]:
    out = []
    names = profiles["name"] if profiles is not None and len(profiles) else None
    for row in events.itertuples(index=False):
        who = _vessel(int(row.mmsi), names)
        verb = _KIND_WORDS.get(row.kind, row.kind)
        place = describe_place(row.lat, row.lon)
        when = f"{_local(row.start)}–{_local(row.end)} PKT"
        if row.kind in ("rendezvous", "dark_rendezvous") and not pd.isna(
            row.other_mmsi
        ):
            other = _vessel(int(row.other_mmsi), names)
            out.append(f"{who} {verb} {other} {place}, {when}")
        elif row.kind == "dark_gap":
            back = describe_place(row.end_lat, row.end_lon)
            out.append(
                f"{who} went dark {place} at {_local(row.start)} PKT, "
                f"reappeared {back} at {_local(row.end)} PKT"
            )
        else:
            out.append(f"{who} {verb} {place}, {when}")
    return out


def _vessel(mmsi: int, names: pd.Series | None) -> str:
    if names is not None and mmsi in names.index and names[mmsi]:
        return f"{names[mmsi]} ({mmsi})"
    return str(mmsi)


# --------------------------------------------------------------------------
# Incidents
# --------------------------------------------------------------------------

INCIDENT_COLUMNS = (
    "incident_id",
    "score",
    "start",
    "end",
    "lat",
    "lon",
    "mmsis",
    "event_ids",
    "kinds",
    "n_events",
    "summary",
)


def chain_incidents(
    events: pd.DataFrame, config: Config | RiskConfig | None = None
) -> pd.DataFrame:
    """Chain events of the same vessel(s) close in time and place into incidents.

    Two events are linked when they share a vessel, the later one starts at
    most ``link_hours`` after the earlier one ends (or they overlap), and the
    place where the earlier one ended is within ``link_km`` of where the
    later one began. Linked events (transitively) form one incident. Every
    event belongs to exactly one incident; single events are incidents of
    one.

    Parameters
    ----------
    events : pandas.DataFrame
        A scored event table.
    config : Config or RiskConfig, optional
        ``link_hours`` and ``link_km``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INCIDENT_COLUMNS`, sorted by score (highest first),
        then start. ``score`` is the noisy-OR of the member risks,
        ``1 - prod(1 - risk)``; ``summary`` tells the story in order
        ("X went dark at 21:10 PKT near Jiwani; X met Y 40 km S of Pasni,
        22:05–22:50 PKT; ..."); ``mmsis``, ``event_ids`` and ``kinds`` are
        ';'-separated.
    """
    cfg = config.risk if isinstance(config, Config) else (config or RiskConfig())
    n = len(events)
    if n == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in INCIDENT_COLUMNS})
    start = timestamps_ns(events, "start")
    end = timestamps_ns(events, "end")
    mmsi = events["mmsi"].to_numpy(np.int64)
    other = events["other_mmsi"].astype("Int64").fillna(-1).to_numpy(np.int64)
    lat = events["lat"].to_numpy(np.float64)
    lon = events["lon"].to_numpy(np.float64)
    end_lat = np.where(
        np.isfinite(events["end_lat"].to_numpy(np.float64)),
        events["end_lat"].to_numpy(np.float64),
        lat,
    )
    end_lon = np.where(
        np.isfinite(events["end_lon"].to_numpy(np.float64)),
        events["end_lon"].to_numpy(np.float64),
        lon,
    )
    parent = np.arange(n)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_vessel: dict[int, list[int]] = {}
    for i in range(n):
        for v in (mmsi[i], other[i]):
            if v >= 0:
                by_vessel.setdefault(int(v), []).append(i)
    link_ns = int(cfg.link_hours * 3600e9)
    for rows in by_vessel.values():
        rows.sort(key=lambda i: (start[i], end[i], i))
        for a_pos, a in enumerate(rows):
            for b in rows[a_pos + 1 :]:
                if start[b] - end[a] > link_ns:
                    break
                km = _km(end_lat[a], end_lon[a], lat[b], lon[b])
                if km <= cfg.link_km or (
                    start[b] <= end[a]
                    and _km(lat[a], lon[a], lat[b], lon[b]) <= cfg.link_km
                ):
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(n)])
    risk = events["risk"].to_numpy(np.float64) if "risk" in events else np.zeros(n)
    rows = []
    for root in np.unique(roots):
        members = np.flatnonzero(roots == root)
        members = members[np.lexsort((members, start[members]))]
        member_risk = np.nan_to_num(risk[members], nan=0.0)
        score = 1.0 - np.prod(1.0 - np.clip(member_risk, 0.0, 1.0))
        vessels = sorted(
            {int(v) for v in np.concatenate([mmsi[members], other[members]]) if v >= 0}
        )
        ids = events["event_id"].to_numpy()[members]
        kinds = events["kind"].to_numpy()[members]
        summary_parts = (
            [str(r).split(";")[0] for r in events["reasons"].to_numpy()[members]]
            if "reasons" in events
            else []
        )
        best = members[np.argmax(member_risk)]
        rows.append(
            {
                "score": float(score),
                "start": events["start"].iloc[members].min(),
                "end": events["end"].iloc[members].max(),
                "lat": float(lat[best]),
                "lon": float(lon[best]),
                "mmsis": ";".join(str(v) for v in vessels),
                "event_ids": ";".join(str(e) for e in ids),
                "kinds": ";".join(str(k) for k in kinds),
                "n_events": len(members),
                "summary": "; then ".join(p for p in summary_parts if p),
                "_first": str(ids[0]),
            }
        )
    table = pd.DataFrame(rows)
    table["incident_id"] = ["I-" + first[2:] for first in table["_first"]]
    table = table.sort_values(
        ["score", "start", "incident_id"], ascending=[False, True, True]
    )
    return table[list(INCIDENT_COLUMNS)].reset_index(drop=True)


def _km(lat1, lon1, lat2, lon2) -> float:
    if not all(np.isfinite([lat1, lon1, lat2, lon2])):
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))
