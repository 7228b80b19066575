"""From true paths to an AIS feed: transmissions, reception, feed rows.

Transmissions follow the nominal ITU-R M.1371 reporting intervals (class A by
speed, navigational status and turning; class B CS by speed), while the
transmitter is on and the vessel is in the scenario. Each transmission is
heard (or not) by terrestrial receivers, with a probability that falls with
distance, and by a satellite during its passes; a reception can be lost.
The first reception of a transmission becomes a feed row; other receptions
become duplicate rows with some probability. A few invalid rows are planted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from . import _sim_geo as sg
from ._sim_fleet import RECEIVERS, Vessel
from ._sim_paths import ACT, AT_ANCHOR, MOORED

ABSENT = ACT["absent"]
DRIFTING_ACTS = np.array(
    [
        ACT[a]
        for a in (
            "anchorage_wait",
            "gillnet_drift",
            "gillnet_haul",
            "engine_failure",
            "waiting",
            "mother_ship",
            "night_loiter",
            "meeting",
            "alongside",
            "patrol_station",
            "moored",
            "inshore_nets",
            "fuel_unloading",
            "pilot_wait",
        )
    ]
)

# Feed row kinds.
ROW_OK = 0
ROW_DUPLICATE = 1
ROW_NO_POSITION = 2
ROW_MMSI_ZERO = 3
ROW_BAD_TIME = 4
ROW_KINDS = ("ok", "duplicate", "position_not_available", "mmsi_zero", "bad_time")

SATELLITE = "SAT"


@dataclass(frozen=True)
class AisModel:
    """How the true tracks become an AIS feed (all probabilities per message).

    Attributes
    ----------
    terrestrial_p : float
        Reception probability near a shore receiver.
    class_a_full_nm, class_a_zero_nm : float
        Class A: ``terrestrial_p`` out to the first range, falling linearly
        to 0 at the second (nautical miles).
    class_b_full_nm, class_b_zero_nm : float
        The same for class B (lower power, about 15 nm at most).
    satellite_revisit_min : tuple of float
        Minutes between satellite passes (uniform in the range; random phase).
    satellite_pass_min : float
        How long a pass hears the area, minutes.
    satellite_vessel_p_a, satellite_vessel_p_b : float
        Probability that a pass hears a given class A / class B vessel at all.
    satellite_message_p_a, satellite_message_p_b : float
        Probability that a heard vessel's message in the pass is received.
    hormuz_lon : float
        West of this longitude (dense traffic near Hormuz) satellite
        probabilities are multiplied by ``hormuz_factor``.
    hormuz_factor : float
        See ``hormuz_lon``.
    loss_p : float
        Random loss of a reception.
    duplicate_p : float
        Probability that a second (third...) reception of the same message
        is kept in the feed as a duplicate row.
    late_p : float
        Probability that a terrestrial row arrives 5–60 minutes late.
    gps_sigma_a_m, gps_sigma_b_m : tuple of float
        GPS noise (standard deviation per axis, metres) of a vessel's unit,
        uniform in the range per vessel.
    invalid_rate : float
        Planted invalid rows of each kind per feed row (at least
        ``invalid_min`` of each kind per day).
    invalid_min : int
        See ``invalid_rate``.
    """

    terrestrial_p: float = 0.95
    class_a_full_nm: float = 20.0
    class_a_zero_nm: float = 40.0
    class_b_full_nm: float = 8.0
    class_b_zero_nm: float = 15.0
    satellite_revisit_min: tuple[float, float] = (60.0, 120.0)
    satellite_pass_min: float = 10.0
    satellite_vessel_p_a: float = 0.6
    satellite_vessel_p_b: float = 0.3
    satellite_message_p_a: float = 0.15
    satellite_message_p_b: float = 0.4
    hormuz_lon: float = 58.5
    hormuz_factor: float = 0.5
    loss_p: float = 0.005
    duplicate_p: float = 0.25
    late_p: float = 0.002
    gps_sigma_a_m: tuple[float, float] = (5.0, 10.0)
    gps_sigma_b_m: tuple[float, float] = (10.0, 30.0)
    invalid_rate: float = 1e-4
    invalid_min: int = 3

    @classmethod
    def full_reception(cls) -> AisModel:
        """Every transmission received once: no coverage holes, no loss.

        For measuring detectors against the definitions without the
        coverage model in the way; duplicates and invalid rows stay.
        """
        return cls(
            terrestrial_p=1.0,
            class_a_full_nm=10_000.0,
            class_a_zero_nm=10_001.0,
            class_b_full_nm=10_000.0,
            class_b_zero_nm=10_001.0,
            satellite_vessel_p_a=0.0,
            satellite_vessel_p_b=0.0,
            loss_p=0.0,
            # Every receiver hears everything: keep duplicates as rare as
            # a realistic feed has them (about 2 %).
            duplicate_p=0.004,
        )

    def to_dict(self) -> dict:
        """Plain JSON-ready settings."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()
        }


# --------------------------------------------------------------------------
# Reporting intervals


def class_a_interval(speed_kn: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Nominal class A reporting interval, seconds (not changing course)."""
    moored = np.isin(status, (AT_ANCHOR, MOORED))
    out = np.where(speed_kn < 14.0, 10.0, np.where(speed_kn <= 23.0, 6.0, 2.0))
    return np.where(moored & (speed_kn <= 3.0), 180.0, out)


def class_a_turning_interval(speed_kn: np.ndarray) -> np.ndarray:
    """Class A interval while changing course, seconds."""
    return np.where(speed_kn < 14.0, 10.0 / 3.0, np.where(speed_kn <= 23.0, 2.0, 2.0))


def class_b_interval(speed_kn: np.ndarray) -> np.ndarray:
    """Class B CS reporting interval, seconds."""
    return np.where(speed_kn <= 2.0, 180.0, 30.0)


STATIC_INTERVAL_S = 360.0
TURN_DEG = 10.0
TURN_WINDOW_S = 60.0


# --------------------------------------------------------------------------
# Transmissions


def _legs(vessel: Vessel, t_end: float):
    arr = vessel.path.arrays()
    t = arr["t"]
    lat = arr["lat"]
    lon = arr["lon"]
    dt = np.diff(t)
    dist = sg.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    speed = np.where(dt > 0, dist / np.maximum(dt, 1e-9) / sg.KNOT_M_S, 0.0)
    brg = sg.bearing_deg(lat[:-1], lon[:-1], lat[1:], lon[1:])
    act = arr["activity"][:-1]
    status = arr["status"][:-1]
    present = (act != ABSENT) & (t[1:] > 0.0) & (t[:-1] < t_end) & (dt > 0)
    return t, lat, lon, speed, brg, act, status, present


def _on_periods(vessel: Vessel, t, present, t_end) -> list[tuple[float, float]]:
    """Times the vessel is in the scenario with its transmitter on."""
    spans = []
    idx = np.flatnonzero(present)
    if len(idx) == 0:
        return spans
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    for s, e in zip(starts, ends, strict=True):
        spans.append((max(0.0, float(t[s])), min(t_end, float(t[e + 1]))))
    for off0, off1, _ in sorted(vessel.off):
        out = []
        for a, b in spans:
            if off1 <= a or off0 >= b:
                out.append((a, b))
                continue
            if off0 > a:
                out.append((a, off0))
            if off1 < b:
                out.append((off1, b))
        spans = out
    return [(a, b) for a, b in spans if b > a]


def transmissions(vessel: Vessel, t_end: float, rng: np.random.Generator) -> dict:
    """Position transmissions of one vessel in [0, t_end) with true values.

    Returns a dict of arrays: ``t`` (float seconds), ``lat``, ``lon`` (true),
    ``sog`` (knots), ``cog``, ``heading`` (degrees, NaN not available),
    ``status`` (int8), ``msg_type`` (int8), plus ``static_t`` (times of
    static messages).
    """
    t, lat, lon, speed, brg, act, status, present = _legs(vessel, t_end)
    klass = vessel.ais_class
    on = _on_periods(vessel, t, present, t_end)
    empty = {
        "t": np.zeros(0),
        "leg": np.zeros(0, dtype=np.int64),
        "static_t": np.zeros(0),
    }
    if not on:
        return _fill(empty, t, lat, lon, speed, brg, act, status, klass, rng)
    # Pieces of constant interval: legs, with a faster first minute after
    # a course change (class A).
    if klass == "A":
        interval = class_a_interval(speed, status)
        turn = np.zeros(len(speed), dtype=bool)
        change = np.abs((np.diff(brg) + 180.0) % 360.0 - 180.0)
        turn[1:] = (change >= TURN_DEG) & (speed[1:] >= 3.0) & (speed[:-1] >= 3.0)
        turn &= ~np.isin(status, (AT_ANCHOR, MOORED))
        fast = class_a_turning_interval(speed)
    else:
        interval = class_b_interval(speed)
        turn = np.zeros(len(speed), dtype=bool)
        fast = interval
    piece_start = []
    piece_end = []
    piece_int = []
    piece_leg = []
    for k in np.flatnonzero(present).tolist():
        a = max(float(t[k]), 0.0)
        b = min(float(t[k + 1]), t_end)
        if b <= a:
            continue
        if turn[k]:
            m = min(b, a + TURN_WINDOW_S)
            piece_start.append(a)
            piece_end.append(m)
            piece_int.append(fast[k])
            piece_leg.append(k)
            a = m
            if b <= a:
                continue
        piece_start.append(a)
        piece_end.append(b)
        piece_int.append(interval[k])
        piece_leg.append(k)
    ps = np.array(piece_start)
    pe = np.array(piece_end)
    pi = np.array(piece_int)
    # Merge contiguous pieces of one interval into runs.
    new_run = np.ones(len(ps), dtype=bool)
    new_run[1:] = (pi[1:] != pi[:-1]) | (np.abs(ps[1:] - pe[:-1]) > 1e-6)
    run_id = np.cumsum(new_run) - 1
    n_runs = int(run_id[-1]) + 1
    r_start = ps[new_run]
    r_end = np.zeros(n_runs)
    np.maximum.at(r_end, run_id, pe)
    r_int = pi[new_run]
    times = []
    last = -1e18
    for a, b, step in zip(
        r_start.tolist(), r_end.tolist(), r_int.tolist(), strict=True
    ):
        first = last + step
        if first < a:
            first = a + rng.uniform(0.0, step)
        if first >= b:
            continue
        seq = np.arange(first, b, step)
        times.append(seq)
        last = float(seq[-1])
    tt = np.concatenate(times) if times else np.zeros(0)
    # Drop times while the transmitter is off (and outside presence).
    keep = np.zeros(len(tt), dtype=bool)
    for a, b in on:
        keep |= (tt >= a) & (tt < b)
    tt = tt[keep]
    tt = tt + rng.uniform(-0.2, 0.2, len(tt))
    tt = tt[(tt >= 0.0) & (tt < t_end)]
    leg = np.searchsorted(t, tt, side="right") - 1
    leg = np.clip(leg, 0, len(speed) - 1)
    # Static messages every 6 minutes while on.
    st = []
    for a, b in on:
        phase = rng.uniform(0.0, STATIC_INTERVAL_S)
        st.append(np.arange(a + phase, b, STATIC_INTERVAL_S))
    static_t = np.concatenate(st) if st else np.zeros(0)
    out = {"t": tt, "leg": leg, "static_t": static_t}
    return _fill(out, t, lat, lon, speed, brg, act, status, klass, rng)


def _fill(out, t, lat, lon, speed, brg, act, status, klass, rng) -> dict:
    tt = out["t"]
    leg = out["leg"]
    n = len(tt)
    out["lat"] = np.interp(tt, t, lat)
    out["lon"] = np.interp(tt, t, lon)
    if n == 0:
        for name in ("sog", "cog", "heading"):
            out[name] = np.zeros(0, dtype=np.float64)
        out["status"] = np.zeros(0, dtype=np.int8)
        out["msg_type"] = np.zeros(0, dtype=np.int8)
        return out
    sp = speed[leg]
    out["sog"] = np.maximum(0.0, sp + rng.normal(0.0, 0.08, n))
    cog = brg[leg] + rng.normal(0.0, 1.0, n)
    still = sp < 0.2
    cog = np.where(still, rng.uniform(0.0, 360.0, n), cog)
    out["cog"] = cog % 360.0
    # Heading: along the course when making way; anything when drifting.
    leg_offset = rng.normal(0.0, 3.0, len(speed))
    drifting = np.isin(act, DRIFTING_ACTS) | (speed < 1.0)
    leg_offset = np.where(drifting, rng.uniform(-180.0, 180.0, len(speed)), leg_offset)
    heading = (brg[leg] + leg_offset[leg]) % 360.0
    if klass == "B":
        if rng.uniform() < 0.7:
            heading = np.full(n, np.nan)
        out["status"] = np.full(n, 15, dtype=np.int8)
        out["msg_type"] = np.full(n, 18, dtype=np.int8)
    else:
        out["status"] = status[leg].astype(np.int8)
        out["msg_type"] = np.where(rng.uniform(size=n) < 0.1, 3, 1).astype(np.int8)
    out["heading"] = heading
    return out


# --------------------------------------------------------------------------
# Reception


def satellite_passes(t_end: float, model: AisModel, rng: np.random.Generator):
    """Start times of satellite passes over the area, seconds."""
    lo, hi = model.satellite_revisit_min
    starts = []
    t = rng.uniform(0.0, hi * 60.0)
    while t < t_end:
        starts.append(t)
        t += rng.uniform(lo, hi) * 60.0
    return np.array(starts)


def terrestrial_p(dist_nm: np.ndarray, klass: str, model: AisModel) -> np.ndarray:
    """Reception probability of one receiver at a distance, per message."""
    if klass == "A":
        full, zero = model.class_a_full_nm, model.class_a_zero_nm
    else:
        full, zero = model.class_b_full_nm, model.class_b_zero_nm
    frac = np.clip((zero - dist_nm) / (zero - full), 0.0, 1.0)
    return model.terrestrial_p * frac


def receive(
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    klass: str,
    passes: np.ndarray,
    heard_pass: np.ndarray,
    model: AisModel,
    rng: np.random.Generator,
):
    """Which receivers hear each message.

    Returns
    -------
    heard : ndarray of bool, shape (n, n_receivers + 1)
        Column ``r`` for terrestrial receiver ``r``; the last for the satellite.
    """
    n = len(t)
    heard = np.zeros((n, len(RECEIVERS) + 1), dtype=bool)
    if n == 0:
        return heard
    for r, (_, rlat, rlon) in enumerate(RECEIVERS):
        d_nm = sg.haversine_m(lat, lon, rlat, rlon) / 1852.0
        p = terrestrial_p(d_nm, klass, model)
        heard[:, r] = rng.uniform(size=n) < p
    if len(passes):
        k = np.searchsorted(passes, t, side="right") - 1
        in_pass = (k >= 0) & (
            t - passes[np.maximum(k, 0)] < model.satellite_pass_min * 60.0
        )
        msg_p = (
            model.satellite_message_p_a if klass == "A" else model.satellite_message_p_b
        )
        p = np.where(lon < model.hormuz_lon, msg_p * model.hormuz_factor, msg_p)
        hit = in_pass & heard_pass[np.maximum(k, 0)] & (rng.uniform(size=n) < p)
        heard[:, -1] = hit
    heard &= rng.uniform(size=heard.shape) >= model.loss_p
    return heard


def vessel_pass_hearing(
    passes: np.ndarray, klass: str, model: AisModel, rng: np.random.Generator
) -> np.ndarray:
    """For each pass, whether the satellite hears this vessel at all."""
    p = model.satellite_vessel_p_a if klass == "A" else model.satellite_vessel_p_b
    return rng.uniform(size=len(passes)) < p


def receiver_names() -> list[str]:
    """Receiver codes, terrestrial first, satellite last."""
    return [name for name, _, _ in RECEIVERS] + [SATELLITE]


def arrival_delays(
    receiver: np.ndarray, rng: np.random.Generator, model: AisModel
) -> np.ndarray:
    """Seconds between transmission and arrival in the feed, per reception."""
    n = len(receiver)
    sat = receiver == len(RECEIVERS)
    delay = rng.uniform(0.0, 1.0, n)
    delay = np.where(sat, rng.uniform(15.0, 90.0, n) * 60.0, delay)
    late = ~sat & (rng.uniform(size=n) < model.late_p)
    return np.where(late, rng.uniform(5.0, 60.0, n) * 60.0, delay)


def gps_sigma(klass: str, model: AisModel, rng: np.random.Generator) -> float:
    lo, hi = model.gps_sigma_a_m if klass == "A" else model.gps_sigma_b_m
    return float(rng.uniform(lo, hi))


def add_gps_noise(lat, lon, sigma_m: float, rng: np.random.Generator):
    """Reported positions: truth plus Gaussian noise (clipped at 3 sigma)."""
    n = len(lat)
    east = np.clip(rng.normal(0.0, sigma_m, n), -3 * sigma_m, 3 * sigma_m)
    north = np.clip(rng.normal(0.0, sigma_m, n), -3 * sigma_m, 3 * sigma_m)
    return sg.offset_m(lat, lon, east, north)


def planted_invalid_count(rows: int, model: AisModel) -> int:
    """Invalid rows of each kind to plant in a day of ``rows`` feed rows."""
    return max(model.invalid_min, math.ceil(rows * model.invalid_rate))
