"""Synthetic Makran traffic with ground truth for every event.

:func:`simulate` builds a scenario: realistic daily traffic on the Makran
coast (ships on the lanes and calling at Karachi, Port Qasim, Gwadar and
Chabahar with anchorage waiting and pilots; gillnetters, trawlers working
alone and in pairs, inshore boats, cargo dhows, patrols, fuel speedboats in
Gwatar Bay), planted illicit incidents, the AIS feed a shore and satellite
network would have received from it, and the truth: every loitering, dark
gap, rendezvous and dark rendezvous by the default definitions, computed
from the true trajectories and the true transmitter schedule.
:func:`write_scenario` writes it as MarineCadastre CSV, NMEA 0183 with
NMEA 4.0 tag blocks (encoded with pyais) or canonical Parquet, with the truth
beside it. The same seed gives byte-identical files.

Scenario folder
---------------
::

    DIR/ais/ais_YYYY-MM-DD.{csv,nmea,parquet}[.gz]   the AIS feed, one file a day
    DIR/truth/truth.csv, truth.parquet   truth events (event table + columns below)
    DIR/truth/incidents.csv              the planted incidents
    DIR/truth/vessels.csv                every vessel, with or without AIS
    DIR/truth/transmitter_off.csv        when each transmitter was switched off
    DIR/truth/keyframes.parquet          the true trajectories (see below)
    DIR/scenario.json                    seed, counts, settings, expected read

Read the feed with ``coastwatch.read_tracks("DIR/ais")``.

Truth table
-----------
The event table of :mod:`coastwatch.events` (``risk`` is NaN, ``reasons``
repeats ``behaviour``), plus:

==============  =======  ====================================================
column          dtype    meaning
==============  =======  ====================================================
illicit         bool     part of a planted incident (or of the Gwatar fuel
                         runs, which are smuggling but carry no incident id)
incident_id     str      ``INC-YYYYMMDD-NN`` of the planted incident, else ""
observable      bool     AIS could show it: every vessel carries AIS and, for
                         loitering and rendezvous, each vessel's received
                         reports within the event span at least half of it
                         and at least the kind's minimum duration, with no
                         silence longer than the segmentation gap (2 h); for
                         a dark gap, reports were received before and after
                         it and the vessel spent at least 0.5 h of it within
                         shore reception (``covered_h``); for a dark
                         rendezvous, its gap(s) are observable (and the seen
                         vessel is, as for a rendezvous)
behaviour       str      what was really going on: ``gillnet_drift``,
                         ``anchorage_wait``, ``pair_trawl``,
                         ``fishing_together``, ``patrol_boarding``,
                         ``mother_ship``, ``mother_ship_transfer``,
                         ``night_loiter``, ``meeting``, ``fishing_privacy``
                         (a legitimate switch-off), ``coincident_gaps``, ...
has_ais         bool     every vessel of the event carries AIS
received_share  float64  received / transmitted position reports during the
                         event (the worse vessel of a pair); NaN if none sent
met             bool     dark rendezvous: the two really came within the
                         rendezvous distance during it
dark_vessels    int8     dark rendezvous: 2 (both dark) or 1 (one dark, one
                         seen); 0 for other kinds
vessel_group    str      fleet group of ``mmsi`` (``gillnetter``, ``transit``,
                         ``incident``, ...)
other_group     str      fleet group of ``other_mmsi``, "" for single vessels
covered_h       float64  dark gap: hours of the silence the vessel spent where
                         the best shore receiver would hear at least one of
                         ten messages with probability 0.8 (a switch-off
                         there cannot pass for a coverage hole); dark
                         rendezvous: the smaller of its gaps'; NaN otherwise
==============  =======  ====================================================

Vessels without AIS (inshore boats, speedboats, some dhows and fishing boats)
get a pseudo identity of ten digits, ``1000000000 + k``: outside the MMSI
space, so it never collides with a transmitted identity. Definitions (the
``makran`` profile of :mod:`coastwatch.config` unless another config is
given):

* loitering: true speed over ground below 2 kn and within 2 km of where the
  slow period began, for at least 1 h, evaluated every 10 s; not when its
  mean position lies in a port area;
* dark gap: the transmitter switched off for at least 2 h while the vessel is
  in the scenario, with both the switch-off and switch-on inside the window
  and not both in port areas (a vessel switched off at its berth is not
  dark);
* rendezvous: two vessels within 500 m, both below 3 kn, for at least 30 min
  (breaks of up to 10 min bridged), evaluated every 30 s; moored and
  anchored legs (always in port areas) are left out, and so are events whose
  mean meeting point lies in a port area;
* dark rendezvous, both dark: two true dark gaps overlapping by at least
  30 min such that, at some time during the overlap, some place was
  reachable by both (each within ``max_speed_kn`` x time of its switch-off
  and switch-on positions: the strict test, not merely overlapping
  ellipses); the position is the true meeting point when they met, else the
  centre of the places both could reach; start and end are the overlap;
* dark rendezvous, one dark: another vessel with its transmitter on, slower
  than 3 kn, at places the dark vessel could have reached at those times,
  for at least 30 min (breaks up to 10 min); start and end are that run.

Coverage holes (no receiver in range) are not truth events: they are what
detection has to tell apart from deliberate silence. ``area_km2`` is left
NaN in the truth.

AIS feed
--------
Transmissions follow ITU-R M.1371 nominal intervals: class A 10 s below
14 kn (3 1/3 s for a minute after a course change of 10 degrees or more),
6 s to 23 kn, 2 s above, 3 min at anchor or moored below 3 kn; class B CS
3 min at 2 kn or less, else 30 s; static data (type 5, or 24 A and B) every
6 min. Shore receivers at Karachi, Ormara, Pasni, Gwadar, Jiwani and
Chabahar hear a message with probability 0.95 out to 20 nm (class A) or
8 nm (class B), falling to 0 at 40 nm or 15 nm; a satellite passes every
60-120 min and hears a vessel in a pass with probability 0.6 (A) or 0.3 (B),
halved west of 58.5 E; 0.5 % of receptions are lost (see :class:`AisModel`;
:meth:`AisModel.full_reception` hears everything). The first reception of
a message is a feed row, further receptions are duplicate rows (25 %);
satellite rows arrive 15-90 min late and a few shore rows 5-60 min late, so
files are in arrival order, not time order. GPS noise is 5-10 m (class A)
or 10-30 m (class B) per axis. Each day a few copies of real rows are
planted with latitude 91 / longitude 181, MMSI 0 or an unreadable time
(CSV: an hour of 99; NMEA: a ``c:`` tag that is not a number; Parquet: no
time). Timestamps are whole seconds. ``scenario.json`` says what reading
each file must report (``expected_read``).

Not modelled: weather and monsoon season (traffic is the same in every
month), tides and currents beyond a drift speed, identity tricks (changed
or cloned MMSIs), class B SOTDMA units, message collisions and slot reuse,
receiver outages, vessel-to-vessel interactions other than the planted
ones (no collision avoidance), the Indus delta creeks and other water the
coastline data leaves out (Port Qasim ships berth at the first water of
its channel).

Trajectories
------------
``keyframes.parquet`` (and :attr:`Scenario.keyframes`) hold the exact true
trajectories: between two consecutive keyframes of a vessel it moves in a
straight line (in latitude and longitude) at constant speed, with the
keyframe's ``nav_status`` and ``behaviour``; ``present`` is False while the
vessel is ashore or outside the area. :meth:`Scenario.trajectories` samples
them at any step (10 s by default).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import _sim_ais as ais
from . import _sim_fleet as fleet
from . import _sim_geo as sg
from ._io import atomic_path, write_bytes_atomic, write_text_atomic
from ._sim_paths import ACTIVITIES
from ._sim_truth import merged_off, truth_table
from ._version import __version__
from .config import Config
from .errors import InputError
from .schema import conform_tracks, mmsi_is_valid, sort_tracks

__all__ = [
    "FORMATS",
    "AisModel",
    "Scenario",
    "expected_read",
    "scenario_metadata",
    "simulate",
    "write_scenario",
]

AisModel = ais.AisModel
FORMATS = ("csv", "nmea", "parquet")
MAX_DAYS = 31
MAX_VESSELS = 20_000

_MC_COLUMNS = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
    "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
)


@dataclass
class Scenario:
    """A simulated scenario: truth and the AIS feed derived from it.

    Attributes
    ----------
    day : pandas.Timestamp
        First day (UTC midnight); the window is ``days`` whole UTC days.
    days, seed, vessel_count : int
        As given to :func:`simulate`.
    ais_model : AisModel
        Reception and noise settings used.
    config : Config
        Definitions used for the truth (thresholds).
    vessels : pandas.DataFrame
        One row per vessel (see the module docstring).
    keyframes : pandas.DataFrame
        True trajectories, clipped to the window: ``mmsi``, ``time`` (UTC),
        ``lat``, ``lon`` (degrees), ``nav_status``, ``behaviour``, ``present``.
    transmitter_off : pandas.DataFrame
        ``mmsi``, ``start``, ``end`` (UTC), ``cause``: when transmitters were off.
    tracks : pandas.DataFrame
        The AIS-observed track table (canonical, sorted), the rows any reader
        should accept from the written files (positions to the file's
        precision).
    feed : pandas.DataFrame
        Every feed row in arrival order, duplicates and planted invalid rows
        included: ``mmsi``, ``t`` (seconds into the window), ``lat``, ``lon``,
        ``sog``, ``cog``, ``heading``, ``nav_status``, ``msg_type``,
        ``receiver``, ``arrival`` (seconds), ``row_kind`` (``ok``,
        ``duplicate``, ``position_not_available``, ``mmsi_zero``,
        ``bad_time``), ``tx`` (transmission id).
    static_feed : pandas.DataFrame
        Static messages received (NMEA types 5 and 24): ``mmsi``, ``t``,
        ``part`` (5, 240 for 24A, 241 for 24B), ``receiver``, ``arrival``,
        ``row_kind``, ``tx``.
    truth : pandas.DataFrame
        Truth events (see the module docstring).
    incidents : pandas.DataFrame
        The planted incidents: ``incident_id``, ``kind``, ``start``, ``end``,
        ``lat``, ``lon``, ``region``, ``mmsis`` and ``roles`` (';'-separated),
        ``description``, ``observable_kinds``.
    group_counts : dict
        Vessels per fleet group.
    """

    day: pd.Timestamp
    days: int
    seed: int
    vessel_count: int
    ais_model: ais.AisModel
    config: Config
    vessels: pd.DataFrame
    keyframes: pd.DataFrame
    transmitter_off: pd.DataFrame
    tracks: pd.DataFrame
    feed: pd.DataFrame
    static_feed: pd.DataFrame
    truth: pd.DataFrame
    incidents: pd.DataFrame
    group_counts: dict = field(default_factory=dict)
    _static_info: dict = field(default_factory=dict, repr=False)

    @property
    def start(self) -> pd.Timestamp:
        """First instant of the window (UTC)."""
        return self.day

    @property
    def end(self) -> pd.Timestamp:
        """End of the window (UTC, exclusive)."""
        return self.day + pd.Timedelta(days=self.days)

    def trajectories(self, step_s: float = 10.0) -> pd.DataFrame:
        """True positions of every present vessel every ``step_s`` seconds.

        Parameters
        ----------
        step_s : float
            Sampling step, seconds (> 0).

        Returns
        -------
        pandas.DataFrame
            ``mmsi``, ``timestamp`` (UTC), ``lat``, ``lon`` (degrees), ``sog``
            (knots, the true speed of the leg), ``nav_status``, ``behaviour``;
            sorted by (mmsi, timestamp).
        """
        if not step_s > 0:
            raise InputError(None, f"step_s must be > 0, got {step_s!r}")
        start_ns = self.day.value
        parts = []
        kf = self.keyframes
        t_all = (kf["time"].astype("int64").to_numpy() - start_ns) / 1e9
        for mmsi, idx in kf.groupby("mmsi", sort=True).indices.items():
            t = t_all[idx]
            lat = kf["lat"].to_numpy()[idx]
            lon = kf["lon"].to_numpy()[idx]
            present = kf["present"].to_numpy()[idx]
            beh = kf["behaviour"].to_numpy()[idx]
            status = kf["nav_status"].to_numpy()[idx]
            grid = np.arange(math.ceil(t[0] / step_s) * step_s, t[-1] + 1e-9, step_s)
            if len(grid) == 0:
                continue
            leg = np.clip(np.searchsorted(t, grid, side="right") - 1, 0, len(t) - 2)
            keep = present[leg]
            grid, leg = grid[keep], leg[keep]
            if len(grid) == 0:
                continue
            dt = np.diff(t)
            dist = sg.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
            speed = np.where(dt > 0, dist / np.maximum(dt, 1e-9) / sg.KNOT_M_S, 0.0)
            parts.append(
                pd.DataFrame(
                    {
                        "mmsi": np.full(len(grid), mmsi, dtype=np.int64),
                        "timestamp": pd.to_datetime(
                            start_ns + np.round(grid * 1e9).astype(np.int64), utc=True
                        ),
                        "lat": np.interp(grid, t, lat),
                        "lon": np.interp(grid, t, lon),
                        "sog": speed[leg].astype(np.float32),
                        "nav_status": status[leg],
                        "behaviour": beh[leg],
                    }
                )
            )
        if not parts:
            return pd.DataFrame(
                columns=[
                    "mmsi",
                    "timestamp",
                    "lat",
                    "lon",
                    "sog",
                    "nav_status",
                    "behaviour",
                ]
            )
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------
# Building


def _check_args(day, days, vessels, seed, incidents_per_day) -> pd.Timestamp:
    try:
        start = pd.Timestamp(day)
    except (ValueError, TypeError):
        raise InputError(
            None, f"day must be a date like 2024-01-15, got {day!r}"
        ) from None
    if start.tzinfo is None:
        start = start.tz_localize("UTC")
    start = start.tz_convert("UTC")
    if start != start.normalize():
        raise InputError(None, f"day must be a date (UTC midnight), got {day!r}")
    if not isinstance(days, int | np.integer) or not 1 <= days <= MAX_DAYS:
        raise InputError(
            None, f"days must be a whole number 1..{MAX_DAYS}, got {days!r}"
        )
    if not isinstance(vessels, int | np.integer) or not 10 <= vessels <= MAX_VESSELS:
        raise InputError(
            None, f"vessels must be a whole number 10..{MAX_VESSELS}, got {vessels!r}"
        )
    if not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise InputError(None, f"seed must be a whole number >= 0, got {seed!r}")
    lo, hi = incidents_per_day
    if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi <= 20):
        raise InputError(
            None,
            f"incidents_per_day must be (low, high) with 0 <= low <= high <= 20, "
            f"got {incidents_per_day!r}",
        )
    return start


def simulate(
    day,
    days: int = 1,
    vessels: int = 400,
    seed: int = 0,
    *,
    incidents_per_day: tuple[int, int] = (3, 6),
    ais_model: ais.AisModel | None = None,
    config: Config | None = None,
) -> Scenario:
    """Simulate Makran traffic, its AIS feed and the truth.

    Parameters
    ----------
    day : str or datetime-like
        First UTC day, e.g. ``"2024-01-15"``.
    days : int
        Number of whole UTC days (1..31).
    vessels : int
        Vessels of one day (10..20,000), planted-incident vessels included.
        Groups are scaled from the scenario notes' day of about 376 vessels:
        the local fleet (fishing boats, inshore boats, dhows, harbour craft,
        patrols, speedboats) is the same every day; ships passing through and
        calling at ports are drawn afresh each day.
    seed : int
        Random seed (>= 0); the same seed gives the same scenario.
    incidents_per_day : (int, int)
        Fewest and most planted incidents a day.
    ais_model : AisModel, optional
        Reception and noise settings; default :class:`AisModel()`.
    config : Config, optional
        Definitions for the truth; default the ``makran`` profile.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        On an invalid day, count, seed or incident range.
    """
    start = _check_args(day, days, vessels, seed, incidents_per_day)
    model = ais_model or ais.AisModel()
    config = config or Config()
    t_end = days * fleet.DAY
    plan_vessels, incidents, counts = fleet.plan(
        int(seed), start, int(days), int(vessels), tuple(incidents_per_day)
    )
    feed, static_feed, received, transmitted, static_info = _build_feed(
        plan_vessels, t_end, model, int(seed), start
    )
    truth = truth_table(
        plan_vessels,
        incidents,
        t_end,
        start.value,
        config,
        received,
        transmitted,
        model,
    )
    return Scenario(
        day=start,
        days=int(days),
        seed=int(seed),
        vessel_count=int(vessels),
        ais_model=model,
        config=config,
        vessels=_vessel_table(plan_vessels),
        keyframes=_keyframe_table(plan_vessels, t_end, start),
        transmitter_off=_off_table(plan_vessels, start),
        tracks=_track_table(feed, plan_vessels, start),
        feed=feed,
        static_feed=static_feed,
        truth=truth,
        incidents=_incident_table(incidents, plan_vessels, truth, start),
        group_counts=counts,
        _static_info=static_info,
    )


def _build_feed(vessels, t_end, model, seed, start):
    passes = ais.satellite_passes(t_end, model, np.random.default_rng([seed, 3]))
    n_rec = len(ais.RECEIVERS) + 1
    pos_parts = []
    st_parts = []
    received: dict[int, np.ndarray] = {}
    transmitted: dict[int, np.ndarray] = {}
    static_info = {}
    tx_next = 0
    for v in vessels:
        if not v.ais_class:
            continue
        rng = np.random.default_rng([seed, 5, v.index])
        tx = ais.transmissions(v, t_end, rng)
        n = len(tx["t"])
        transmitted[v.index] = tx["t"]
        sigma = ais.gps_sigma(v.ais_class, model, rng)
        rlat, rlon = ais.add_gps_noise(tx["lat"], tx["lon"], sigma, rng)
        heard_pass = ais.vessel_pass_hearing(passes, v.ais_class, model, rng)
        heard = ais.receive(
            tx["t"], tx["lat"], tx["lon"], v.ais_class, passes, heard_pass, model, rng
        )
        rows, got = _receptions(heard, tx["t"], n_rec, model, rng)
        received[v.index] = tx["t"][got]
        k = rows["tx"]
        pos_parts.append(
            pd.DataFrame(
                {
                    "vessel": np.full(len(k), v.index, dtype=np.int32),
                    "mmsi": np.full(len(k), v.mmsi, dtype=np.int64),
                    "t": tx["t"][k],
                    "lat": np.round(rlat[k], 5),
                    "lon": np.round(rlon[k], 5),
                    "sog": np.round(tx["sog"][k], 1),
                    "cog": np.round(tx["cog"][k], 1) % 360.0,
                    "heading": np.round(tx["heading"][k]) % 360.0,
                    "nav_status": tx["status"][k],
                    "msg_type": tx["msg_type"][k],
                    "receiver": rows["receiver"],
                    "arrival": rows["arrival"],
                    "row_kind": rows["kind"],
                    "tx": tx_next + k,
                }
            )
        )
        tx_next += n
        # Static messages: type 5 (class A) or 24 A and B (class B).
        st_t = tx["static_t"]
        if v.ais_class == "B":
            st_t = np.concatenate([st_t, st_t + 1.0])
            parts = np.concatenate(
                [np.full(len(tx["static_t"]), 240), np.full(len(tx["static_t"]), 241)]
            )
        else:
            parts = np.full(len(st_t), 5)
        if len(st_t):
            sla, slo = v.path.at(st_t)
            heard_s = ais.receive(
                st_t, sla, slo, v.ais_class, passes, heard_pass, model, rng
            )
            srows, _ = _receptions(heard_s, st_t, n_rec, model, rng)
            sk = srows["tx"]
            st_parts.append(
                pd.DataFrame(
                    {
                        "vessel": np.full(len(sk), v.index, dtype=np.int32),
                        "mmsi": np.full(len(sk), v.mmsi, dtype=np.int64),
                        "t": st_t[sk],
                        "part": parts[sk].astype(np.int16),
                        "receiver": srows["receiver"],
                        "arrival": srows["arrival"],
                        "row_kind": srows["kind"],
                        "tx": tx_next + sk,
                    }
                )
            )
            tx_next += len(st_t)
        static_info[v.mmsi] = {
            "name": v.name,
            "ship_type": v.ship_type,
            "length": v.length,
            "ais_class": v.ais_class,
            "imo": int(rng.integers(9_100_000, 9_999_999))
            if v.ship_type >= 70 and v.length > 80
            else 0,
            "callsign": f"AP{int(rng.integers(1000, 9999))}"
            if v.ais_class == "A"
            else "",
        }
    feed = pd.concat(pos_parts, ignore_index=True) if pos_parts else _empty_feed()
    static_feed = (
        pd.concat(st_parts, ignore_index=True) if st_parts else _empty_static()
    )
    feed = _plant_invalid(
        feed, t_end, model, np.random.default_rng([seed, 11]), tx_next
    )
    feed = feed.sort_values(
        ["arrival", "tx", "receiver", "row_kind"], kind="stable"
    ).reset_index(drop=True)
    static_feed = static_feed.sort_values(
        ["arrival", "tx", "receiver"], kind="stable"
    ).reset_index(drop=True)
    for name in list(received):
        received[name] = np.sort(received[name])
        transmitted[name] = np.sort(transmitted[name])
    return feed, static_feed, received, transmitted, static_info


def _receptions(heard, t, n_rec, model, rng):
    """Feed rows from who heard what: the first arrival, plus duplicates."""
    n = len(t)
    delays = ais.arrival_delays(np.tile(np.arange(n_rec), n), rng, model).reshape(
        n, n_rec
    )
    arrival = np.where(heard, t[:, None] + delays, np.inf)
    primary = np.argmin(arrival, axis=1)
    got = heard.any(axis=1)
    dup = heard & (np.arange(n_rec)[None, :] != primary[:, None])
    dup &= rng.uniform(size=heard.shape) < model.duplicate_p
    k_p = np.flatnonzero(got)
    k_d, r_d = np.nonzero(dup)
    k = np.concatenate([k_p, k_d])
    r = np.concatenate([primary[k_p], r_d])
    kind = np.concatenate(
        [
            np.full(len(k_p), ais.ROW_OK, dtype=np.int8),
            np.full(len(k_d), ais.ROW_DUPLICATE, dtype=np.int8),
        ]
    )
    return {
        "tx": k,
        "receiver": r.astype(np.int8),
        "arrival": arrival[k, r],
        "kind": kind,
    }, got


def _empty_feed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "vessel": pd.Series([], dtype=np.int32),
            "mmsi": pd.Series([], dtype=np.int64),
            "t": pd.Series([], dtype=np.float64),
            "lat": pd.Series([], dtype=np.float64),
            "lon": pd.Series([], dtype=np.float64),
            "sog": pd.Series([], dtype=np.float64),
            "cog": pd.Series([], dtype=np.float64),
            "heading": pd.Series([], dtype=np.float64),
            "nav_status": pd.Series([], dtype=np.int8),
            "msg_type": pd.Series([], dtype=np.int8),
            "receiver": pd.Series([], dtype=np.int8),
            "arrival": pd.Series([], dtype=np.float64),
            "row_kind": pd.Series([], dtype=np.int8),
            "tx": pd.Series([], dtype=np.int64),
        }
    )


def _empty_static() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "vessel": pd.Series([], dtype=np.int32),
            "mmsi": pd.Series([], dtype=np.int64),
            "t": pd.Series([], dtype=np.float64),
            "part": pd.Series([], dtype=np.int16),
            "receiver": pd.Series([], dtype=np.int8),
            "arrival": pd.Series([], dtype=np.float64),
            "row_kind": pd.Series([], dtype=np.int8),
            "tx": pd.Series([], dtype=np.int64),
        }
    )


def _plant_invalid(
    feed: pd.DataFrame, t_end: float, model, rng, tx_next: int
) -> pd.DataFrame:
    """Append copies of a few rows per day made invalid in one way each."""
    extra = []
    day = np.floor(feed["t"].to_numpy() / fleet.DAY).astype(np.int64)
    ok = feed["row_kind"].to_numpy() == ais.ROW_OK
    for d in range(math.ceil(t_end / fleet.DAY)):
        pool = np.flatnonzero(ok & (day == d))
        if len(pool) == 0:
            continue
        n = ais.planted_invalid_count(int((day == d).sum()), model)
        for kind in (ais.ROW_NO_POSITION, ais.ROW_MMSI_ZERO, ais.ROW_BAD_TIME):
            pick = np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))
            rows = feed.iloc[pick].copy()
            rows["row_kind"] = np.int8(kind)
            rows["arrival"] = rows["arrival"] + rng.uniform(0.0, 2.0, len(rows))
            rows["tx"] = tx_next + np.arange(len(rows))
            tx_next += len(rows)
            if kind == ais.ROW_NO_POSITION:
                rows["lat"] = 91.0
                rows["lon"] = 181.0
            elif kind == ais.ROW_MMSI_ZERO:
                rows["mmsi"] = 0
            extra.append(rows)
    if not extra:
        return feed
    return pd.concat([feed, *extra], ignore_index=True)


def _vessel_table(vessels) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mmsi": np.array([v.mmsi for v in vessels], dtype=np.int64),
            "name": [v.name for v in vessels],
            "group": [v.group for v in vessels],
            "vessel_type": [v.vessel_type for v in vessels],
            "ship_type": np.array([v.ship_type for v in vessels], dtype=np.int16),
            "length": np.array([v.length for v in vessels], dtype=np.float32),
            "ais_class": [v.ais_class for v in vessels],
            "has_ais": np.array([bool(v.ais_class) for v in vessels]),
            "pseudo_id": np.array([v.mmsi >= fleet.PSEUDO_ID_BASE for v in vessels]),
            "home": [v.home for v in vessels],
            "incident_id": [v.incident_id for v in vessels],
            "role": [v.role for v in vessels],
            "team": np.array([v.team for v in vessels], dtype=np.int32),
            "team_kind": [v.team_kind for v in vessels],
        }
    )


def _keyframe_table(vessels, t_end: float, start: pd.Timestamp) -> pd.DataFrame:
    cols: dict[str, list] = {
        k: [] for k in ("mmsi", "t", "lat", "lon", "status", "act")
    }
    for v in vessels:
        arr = v.path.arrays()
        t = arr["t"]
        if t[-1] <= 0.0 or t[0] >= t_end:
            continue
        inside = (t > 0.0) & (t < t_end)
        times = np.unique(
            np.concatenate([[max(t[0], 0.0)], t[inside], [min(t[-1], t_end)]])
        )
        leg = np.clip(np.searchsorted(t, times, side="right") - 1, 0, len(t) - 1)
        act = arr["activity"][leg].copy()
        if times[-1] >= t_end and len(act) > 1:
            act[-1] = act[-2]
        if not (act != 0).any():
            continue
        cols["mmsi"].append(np.full(len(times), v.mmsi, dtype=np.int64))
        cols["t"].append(times)
        cols["lat"].append(np.interp(times, t, arr["lat"]))
        cols["lon"].append(np.interp(times, t, arr["lon"]))
        cols["status"].append(arr["status"][leg])
        cols["act"].append(act)
    act = np.concatenate(cols["act"])
    times = np.concatenate(cols["t"])
    frame = pd.DataFrame(
        {
            "mmsi": np.concatenate(cols["mmsi"]),
            "time": pd.to_datetime(
                start.value + np.round(times * 1e9).astype(np.int64), utc=True
            ),
            "lat": np.concatenate(cols["lat"]),
            "lon": np.concatenate(cols["lon"]),
            "nav_status": np.concatenate(cols["status"]).astype(np.int8),
            "behaviour": pd.array(np.array(ACTIVITIES, dtype=object)[act], dtype="str"),
            "present": act != 0,
        }
    )
    return frame.sort_values(["mmsi", "time"], kind="stable").reset_index(drop=True)


def _off_table(vessels, start: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for v in vessels:
        for a, b, cause in merged_off(v):
            rows.append(
                (
                    v.mmsi,
                    start.value + round(a * 1e9),
                    start.value + round(b * 1e9),
                    cause,
                )
            )
    frame = pd.DataFrame(rows, columns=["mmsi", "start", "end", "cause"])
    frame["mmsi"] = frame["mmsi"].astype(np.int64)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["cause"] = frame["cause"].astype("str")
    return frame.sort_values(["mmsi", "start"], kind="stable").reset_index(drop=True)


def _track_table(feed: pd.DataFrame, vessels, start: pd.Timestamp) -> pd.DataFrame:
    ok = feed[feed["row_kind"] == ais.ROW_OK]
    by_index = {v.index: v for v in vessels}
    vidx = ok["vessel"].to_numpy()
    names = np.array([by_index[i].name for i in range(len(vessels))], dtype=object)
    types = np.array(
        [by_index[i].ship_type for i in range(len(vessels))], dtype=np.int16
    )
    lengths = np.array(
        [by_index[i].length for i in range(len(vessels))], dtype=np.float32
    )
    classes = np.array(
        [by_index[i].ais_class for i in range(len(vessels))], dtype=object
    )
    frame = pd.DataFrame(
        {
            "mmsi": ok["mmsi"].to_numpy(),
            "timestamp": pd.to_datetime(
                start.value
                + np.floor(ok["t"].to_numpy()).astype(np.int64) * 1_000_000_000,
                utc=True,
            ),
            "lat": ok["lat"].to_numpy(),
            "lon": ok["lon"].to_numpy(),
            "sog": ok["sog"].to_numpy(),
            "cog": ok["cog"].to_numpy(),
            "heading": ok["heading"].to_numpy(),
            "nav_status": ok["nav_status"].to_numpy(),
            "name": names[vidx],
            "ship_type": types[vidx],
            "length": lengths[vidx],
            "transceiver_class": classes[vidx],
        }
    )
    return sort_tracks(conform_tracks(frame))


def _incident_table(
    incidents, vessels, truth: pd.DataFrame, start: pd.Timestamp
) -> pd.DataFrame:
    rows = []
    for inc in incidents:
        kinds = truth.loc[
            (truth["incident_id"] == inc.incident_id) & truth["observable"], "kind"
        ]
        rows.append(
            {
                "incident_id": inc.incident_id,
                "kind": inc.kind,
                "start": start + pd.Timedelta(seconds=round(inc.start)),
                "end": start + pd.Timedelta(seconds=round(inc.end)),
                "lat": round(inc.lat, 5),
                "lon": round(inc.lon, 5),
                "region": inc.region,
                "mmsis": ";".join(str(vessels[i].mmsi) for i in inc.vessels),
                "roles": ";".join(inc.roles),
                "description": inc.description,
                "observable_kinds": ";".join(sorted(set(kinds))),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "incident_id", "kind", "start", "end", "lat", "lon", "region",
            "mmsis", "roles", "description", "observable_kinds",
        ],
    )  # fmt: skip


# --------------------------------------------------------------------------
# Writing


def write_scenario(
    scenario: Scenario,
    out_dir: str | os.PathLike,
    format: str = "csv",
    *,
    compress: bool = False,
    keyframes: bool = True,
) -> list[Path]:
    """Write a scenario folder (feed, truth, scenario.json), atomically per file.

    Parameters
    ----------
    scenario : Scenario
        From :func:`simulate`.
    out_dir : str or os.PathLike
        Folder to write (created if needed; files of the same names are
        replaced).
    format : str
        ``csv`` (MarineCadastre), ``nmea`` (NMEA 0183 with NMEA 4.0 tag
        blocks, static messages 5 and 24 included) or ``parquet``
        (canonical track table).
    compress : bool
        Gzip the CSV or NMEA files (``.gz``, reproducible: no time stamp).
    keyframes : bool
        Also write ``truth/keyframes.parquet``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputError
        For an unknown format.
    """
    if format not in FORMATS:
        raise InputError(
            None, f"format must be one of {', '.join(FORMATS)}, got {format!r}"
        )
    if compress and format == "parquet":
        raise InputError(
            None, "compress applies to csv and nmea (Parquet is compressed)"
        )
    out = Path(out_dir)
    written: list[Path] = []
    expected = {}
    feed = scenario.feed
    day_of = np.floor(feed["t"].to_numpy() / fleet.DAY).astype(np.int64)
    st = scenario.static_feed
    st_day = np.floor(st["t"].to_numpy() / fleet.DAY).astype(np.int64)
    encoder = _NmeaEncoder(scenario) if format == "nmea" else None
    for d in range(scenario.days):
        date = (scenario.day + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        rows = feed[day_of == d]
        suffix = {"csv": ".csv", "nmea": ".nmea", "parquet": ".parquet"}[format]
        path = out / "ais" / f"ais_{date}{suffix}{'.gz' if compress else ''}"
        if format == "csv":
            data = _csv_bytes(rows, scenario)
        elif format == "nmea":
            data = encoder.day_bytes(rows, st[st_day == d])
        else:
            data = _parquet_bytes(rows, scenario)
        if compress:
            data = _gzip(data)
        write_bytes_atomic(path, data)
        written.append(path)
        expected[path.name] = _expected_read(rows, st[st_day == d], format)
    truth_dir = out / "truth"
    truth = scenario.truth
    csv_truth = truth.copy()
    for name in ("start", "end"):
        csv_truth[name] = csv_truth[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    write_text_atomic(truth_dir / "truth.csv", _frame_csv(csv_truth))
    with atomic_path(truth_dir / "truth.parquet") as part:
        pq.write_table(
            pa.Table.from_pandas(truth, preserve_index=False), part, compression="zstd"
        )
    inc = scenario.incidents.copy()
    for name in ("start", "end"):
        inc[name] = inc[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    write_text_atomic(truth_dir / "incidents.csv", _frame_csv(inc))
    write_text_atomic(truth_dir / "vessels.csv", _frame_csv(scenario.vessels))
    off = scenario.transmitter_off.copy()
    for name in ("start", "end"):
        off[name] = off[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    write_text_atomic(truth_dir / "transmitter_off.csv", _frame_csv(off))
    written += [
        truth_dir / n
        for n in (
            "truth.csv",
            "truth.parquet",
            "incidents.csv",
            "vessels.csv",
            "transmitter_off.csv",
        )
    ]
    if keyframes:
        with atomic_path(truth_dir / "keyframes.parquet") as part:
            pq.write_table(
                pa.Table.from_pandas(scenario.keyframes, preserve_index=False),
                part,
                compression="zstd",
            )
        written.append(truth_dir / "keyframes.parquet")
    meta = scenario_metadata(scenario, format, compress, expected)
    write_text_atomic(
        out / "scenario.json", json.dumps(meta, indent=1, sort_keys=True) + "\n"
    )
    written.append(out / "scenario.json")
    return written


def scenario_metadata(
    scenario: Scenario, format: str, compress: bool, expected: dict
) -> dict:
    """The contents of ``scenario.json``."""
    truth = scenario.truth
    counts = {}
    for kind in ("loitering", "dark_gap", "rendezvous", "dark_rendezvous"):
        sel = truth[truth["kind"] == kind]
        counts[kind] = {
            "all": len(sel),
            "observable": int(sel["observable"].sum()),
            "illicit": int(sel["illicit"].sum()),
            "illicit_observable": int((sel["illicit"] & sel["observable"]).sum()),
        }
    vessels = scenario.vessels
    return {
        "generator": "coastwatch.simulate",
        "coastwatch_version": __version__,
        "seed": scenario.seed,
        "day": scenario.day.strftime("%Y-%m-%d"),
        "days": scenario.days,
        "vessels": scenario.vessel_count,
        "window_utc": [
            scenario.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            scenario.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ],
        "format": format,
        "compressed": compress,
        "vessel_identities": len(vessels),
        "vessels_with_ais": int(vessels["has_ais"].sum()),
        "group_counts": {k: int(v) for k, v in scenario.group_counts.items()},
        "incidents": len(scenario.incidents),
        "incident_kinds": scenario.incidents["kind"]
        .value_counts()
        .sort_index()
        .astype(int)
        .to_dict(),
        "truth_counts": counts,
        "feed_rows": len(scenario.feed),
        "track_rows": len(scenario.tracks),
        "expected_read": expected,
        "ais_model": scenario.ais_model.to_dict(),
        "definitions": scenario.config.to_dict(),
        "receivers": [{"name": n, "lat": la, "lon": lo} for n, la, lo in ais.RECEIVERS],
        "regenerate": (
            f"coastwatch simulate --day {scenario.day:%Y-%m-%d} --days {scenario.days} "
            f"--vessels {scenario.vessel_count} --seed {scenario.seed} -o DIR "
            f"--format {format}{' --gzip' if compress else ''}"
            + (
                " --reception full"
                if scenario.ais_model == ais.AisModel.full_reception()
                else ""
            )
        ),
    }


def _expected_read(rows: pd.DataFrame, static_rows: pd.DataFrame, format: str) -> dict:
    kind = rows["row_kind"].to_numpy()
    n_ok = int((kind == ais.ROW_OK).sum())
    n_dup = int((kind == ais.ROW_DUPLICATE).sum())
    rejected = {
        "position_not_available": int((kind == ais.ROW_NO_POSITION).sum()),
        "mmsi_zero": int((kind == ais.ROW_MMSI_ZERO).sum()),
    }
    bad_time = int((kind == ais.ROW_BAD_TIME).sum())
    if format == "parquet":
        rejected["time_missing"] = bad_time
    else:
        rejected["time_unparsable"] = bad_time
    read = len(rows)
    if format == "nmea":
        parts = static_rows["part"].to_numpy()
        n5 = int((parts == 5).sum())
        rejected["not_position_report"] = len(parts)
        rejected["multipart_continuation"] = n5
        read += len(parts) + n5
        # Duplicates are relays of the same sentence (or, when the relay
        # window has passed, exact duplicates): both reasons together.
        rejected["duplicate_relay+duplicate"] = n_dup
    else:
        rejected["duplicate"] = n_dup
    return {"read": read, "accepted": n_ok, "rejected": rejected}


def _gzip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6
    ) as f:
        f.write(data)
    return buf.getvalue()


def _frame_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def _static_arrays(rows: pd.DataFrame, scenario: Scenario):
    vessels = scenario.vessels
    vidx = rows["vessel"].to_numpy()
    names = vessels["name"].to_numpy(dtype=object)[vidx]
    types = vessels["ship_type"].to_numpy()[vidx]
    lengths = vessels["length"].to_numpy()[vidx]
    classes = vessels["ais_class"].to_numpy(dtype=object)[vidx]
    return names, types, lengths, classes


def _time_texts(t: np.ndarray, day: pd.Timestamp) -> pa.Array:
    """ISO 8601 texts (whole seconds) of times in seconds from ``day``."""
    seconds = np.floor(t).astype(np.int64)
    if len(seconds) == 0:
        return pa.array([], type=pa.string())
    first = int(seconds.min())
    span = int(seconds.max()) - first + 1
    # Each second of the span is formatted once; rows take their text by index.
    base = day.value // 1_000_000_000 + first
    table = pc.strftime(
        pa.array(base + np.arange(span), type=pa.timestamp("s")),
        format="%Y-%m-%dT%H:%M:%S",
    )
    return pc.take(table, pa.array(seconds - first))


def _csv_bytes(rows: pd.DataFrame, scenario: Scenario) -> bytes:
    """MarineCadastre CSV of feed rows (arrival order)."""
    names, types, lengths, classes = _static_arrays(rows, scenario)
    stamp = _time_texts(rows["t"].to_numpy(), scenario.day)
    bad = rows["row_kind"].to_numpy() == ais.ROW_BAD_TIME
    if bad.any():
        text = stamp.to_numpy(zero_copy_only=False).astype(object)
        # An hour of 99: unparsable, though it looks like a time.
        text[bad] = [s[:11] + "99" + s[13:] for s in text[bad]]
        stamp = pa.array(text, type=pa.string())
    heading = rows["heading"].to_numpy()
    is_b = classes == "B"
    status = pa.array(
        np.where(is_b, 0, rows["nav_status"].to_numpy()).astype(np.int64), mask=is_b
    )
    table = pa.table(
        {
            "MMSI": pa.array(rows["mmsi"].to_numpy(), type=pa.int64()),
            "BaseDateTime": stamp,
            "LAT": pa.array(rows["lat"].to_numpy()),
            "LON": pa.array(rows["lon"].to_numpy()),
            "SOG": pa.array(rows["sog"].to_numpy()),
            "COG": pa.array(rows["cog"].to_numpy()),
            "Heading": pa.array(
                np.where(np.isnan(heading), 511, heading).astype(np.int64)
            ),
            "VesselName": pa.array(names.astype(str)),
            "IMO": pa.nulls(len(rows), type=pa.string()),
            "CallSign": pa.nulls(len(rows), type=pa.string()),
            "VesselType": pa.array(types.astype(np.int64), mask=types == 0),
            "Status": status,
            "Length": pa.array(lengths.astype(np.float64), mask=~(lengths > 0)),
            "Width": pa.nulls(len(rows), type=pa.float64()),
            "Draft": pa.nulls(len(rows), type=pa.float64()),
            "Cargo": pa.nulls(len(rows), type=pa.int64()),
            "TransceiverClass": pa.array(classes.astype(str)),
        }
    )
    buf = io.BytesIO()
    buf.write((_MC_COLUMNS + "\n").encode())
    pacsv.write_csv(
        table, buf, pacsv.WriteOptions(include_header=False, quoting_style="none")
    )
    return buf.getvalue()


def _parquet_bytes(rows: pd.DataFrame, scenario: Scenario) -> bytes:
    """Canonical Parquet of feed rows (arrival order; invalid rows kept)."""
    names, types, lengths, classes = _static_arrays(rows, scenario)
    t = (
        np.floor(rows["t"].to_numpy()).astype(np.int64) * 1_000_000_000
        + scenario.day.value
    )
    bad = rows["row_kind"].to_numpy() == ais.ROW_BAD_TIME
    mmsi = rows["mmsi"].to_numpy()
    heading = rows["heading"].to_numpy()
    table = pa.table(
        {
            "mmsi": pa.array(mmsi, type=pa.int64()),
            "timestamp": pa.array(t, type=pa.timestamp("ns", tz="UTC"), mask=bad),
            "lat": pa.array(rows["lat"].to_numpy()),
            "lon": pa.array(rows["lon"].to_numpy()),
            "sog": pa.array(rows["sog"].to_numpy().astype(np.float32)),
            "cog": pa.array(rows["cog"].to_numpy().astype(np.float32)),
            "heading": pa.array(heading.astype(np.float32)),
            "nav_status": pa.array(
                np.where(classes == "B", 15, rows["nav_status"].to_numpy()).astype(
                    np.int8
                )
            ),
            "mmsi_valid": pa.array(mmsi_is_valid(mmsi)),
            "name": pa.array(names.astype(str)),
            "ship_type": pa.array(types.astype(np.int16)),
            "length": pa.array(lengths.astype(np.float32)),
            "transceiver_class": pa.array(classes.astype(str)),
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=1 << 20)
    return buf.getvalue()


class _NmeaEncoder:
    """NMEA 0183 sentences with NMEA 4.0 tag blocks, encoded with pyais."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.epoch = scenario.day.value // 1_000_000_000
        self.receivers = ais.receiver_names()
        self.cache: dict[int, tuple[str, ...]] = {}
        self.group = 0

    @staticmethod
    def _tag(fields: str) -> str:
        check = 0
        for ch in fields.encode():
            check ^= ch
        return f"\\{fields}*{check:02X}\\"

    def _position(self, row) -> str:
        from pyais import encode_dict

        cached = self.cache.get(row.tx)
        if cached is not None:
            return cached[0]
        heading = 511 if np.isnan(row.heading) else int(row.heading)
        second = math.floor(row.t) % 60
        if row.msg_type == 18:
            data = {
                "type": 18,
                "mmsi": int(row.mmsi),
                "speed": float(row.sog),
                "accuracy": 0,
                "lon": float(row.lon),
                "lat": float(row.lat),
                "course": float(row.cog),
                "heading": heading,
                "second": second,
                "cs": 1,
                "display": 0,
                "dsc": 1,
                "band": 1,
                "msg22": 1,
            }
            channel = "B"
        else:
            data = {
                "type": int(row.msg_type),
                "mmsi": int(row.mmsi),
                "status": int(row.nav_status),
                "turn": -128,
                "speed": float(row.sog),
                "accuracy": 1,
                "lon": float(row.lon),
                "lat": float(row.lat),
                "course": float(row.cog),
                "heading": heading,
                "second": second,
            }
            channel = "A"
        (sentence,) = encode_dict(
            data, talker_id="AI", sentence_type="VDM", radio_channel=channel
        )
        self.cache[row.tx] = (sentence,)
        return sentence

    def _static(self, row) -> tuple[str, ...]:
        from pyais import encode_dict

        cached = self.cache.get(row.tx)
        if cached is not None:
            return cached
        info = self.scenario._static_info[int(row.mmsi)]
        length = float(info["length"]) if info["length"] > 0 else 0.0
        bow = round(length * 0.8)
        stern = round(length * 0.2)
        beam = max(1, round(length / 7.0))
        name = info["name"][:20]
        if row.part == 5:
            data = {
                "type": 5,
                "mmsi": int(row.mmsi),
                "ais_version": 0,
                "imo": int(info["imo"]),
                "callsign": info["callsign"],
                "shipname": name,
                "ship_type": int(info["ship_type"]),
                "to_bow": bow,
                "to_stern": stern,
                "to_port": beam // 2,
                "to_starboard": beam - beam // 2,
                "epfd": 1,
                "draught": round(min(25.0, max(1.0, length / 25.0)), 1),
                "destination": "",
                "dte": 0,
            }
            seq = int(row.tx) % 10
            out = tuple(
                encode_dict(
                    data,
                    talker_id="AI",
                    sentence_type="VDM",
                    radio_channel="A",
                    seq_id=seq,
                )
            )
        elif row.part == 240:
            data = {"type": 24, "mmsi": int(row.mmsi), "partno": 0, "shipname": name}
            out = tuple(
                encode_dict(
                    data, talker_id="AI", sentence_type="VDM", radio_channel="B"
                )
            )
        else:
            data = {
                "type": 24,
                "mmsi": int(row.mmsi),
                "partno": 1,
                "ship_type": int(info["ship_type"]),
                "vendorid": "",
                "callsign": info["callsign"],
                "to_bow": bow,
                "to_stern": stern,
                "to_port": beam // 2,
                "to_starboard": beam - beam // 2,
            }
            out = tuple(
                encode_dict(
                    data, talker_id="AI", sentence_type="VDM", radio_channel="B"
                )
            )
        self.cache[row.tx] = out
        return out

    def day_bytes(self, rows: pd.DataFrame, static_rows: pd.DataFrame) -> bytes:
        pos = rows.assign(is_static=False)
        st = static_rows.assign(is_static=True)
        merged = pd.concat([pos, st], ignore_index=True, sort=False)
        merged = merged.sort_values(["arrival", "tx", "receiver"], kind="stable")
        lines = []
        for row in merged.itertuples(index=False):
            source = self.receivers[int(row.receiver)]
            t = math.floor(row.t) + self.epoch
            if row.is_static:
                sentences = self._static(row)
                if len(sentences) == 1:
                    lines.append(self._tag(f"s:{source},c:{t}") + sentences[0])
                else:
                    self.group += 1
                    g = self.group
                    n = len(sentences)
                    lines.append(
                        self._tag(f"g:1-{n}-{g},s:{source},c:{t}") + sentences[0]
                    )
                    for k in range(1, n):
                        lines.append(self._tag(f"g:{k + 1}-{n}-{g}") + sentences[k])
                continue
            stamp = f"{t}"
            if row.row_kind == ais.ROW_BAD_TIME:
                stamp = f"{t}"[:4] + "x" + f"{t}"[5:]
            sentence = (
                self._position(row)
                if row.row_kind in (ais.ROW_OK, ais.ROW_DUPLICATE)
                else self._invalid(row)
            )
            lines.append(self._tag(f"s:{source},c:{stamp}") + sentence)
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def _invalid(self, row) -> str:
        # Invalid copies are encoded afresh (their payload differs, except
        # for the bad-time copies, which repeat the original sentence).
        if row.row_kind == ais.ROW_BAD_TIME:
            saved = self.cache.pop(row.tx, None)
            sentence = self._position(row)
            if saved is not None:
                self.cache[row.tx] = saved
            return sentence
        return self._position(row)


def expected_read(scenario: Scenario, format: str) -> dict:
    """What reading the written files should report, per day file.

    Parameters
    ----------
    scenario : Scenario
    format : str
        ``csv``, ``nmea`` or ``parquet``.

    Returns
    -------
    dict
        File name -> ``{"read", "accepted", "rejected": {reason: count}}``;
        for NMEA, duplicates are counted under ``duplicate_relay+duplicate``.
    """
    feed = scenario.feed
    day_of = np.floor(feed["t"].to_numpy() / fleet.DAY).astype(np.int64)
    st = scenario.static_feed
    st_day = np.floor(st["t"].to_numpy() / fleet.DAY).astype(np.int64)
    suffix = {"csv": ".csv", "nmea": ".nmea", "parquet": ".parquet"}[format]
    out = {}
    for d in range(scenario.days):
        date = (scenario.day + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        out[f"ais_{date}{suffix}"] = _expected_read(
            feed[day_of == d], st[st_day == d], format
        )
    return out
