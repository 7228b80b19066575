"""Ground truth: every event of the default definitions, from the true paths.

Loitering and rendezvous are found on the true trajectories (sampled every
10 s and 30 s) with the same thresholds as detection (:mod:`coastwatch.config`);
dark gaps come from the true transmitter schedule (a coverage hole is not a
gap); dark rendezvous are pairs of true gaps whose reachable areas meet.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import _sim_geo as sg
from . import geo
from ._sim_fleet import Incident, Vessel
from ._sim_paths import ACT, ACTIVITIES
from .config import Config
from .events import finalise_events

LOITER_STEP_S = 10.0
_IN_PORT_ACTS = np.array([ACT["moored"], ACT["anchorage_wait"]])
PAIR_STEP_S = 30.0
ABSENT = ACT["absent"]

TRUTH_EXTRA_COLUMNS = (
    "illicit",
    "incident_id",
    "observable",
    "behaviour",
    "has_ais",
    "received_share",
    "met",
    "vessel_group",
    "other_group",
    "dark_vessels",
    "covered_h",
)

# A dark gap is observable when the silent vessel spent at least this long
# where a shore station would have heard it: a silence wholly outside shore
# reception looks the same as a coverage hole. Fixed here, apart from the
# detection settings, so tuning a detector never moves the truth.
OBSERVABLE_COVERED_H = 0.5


def _legs(vessel: Vessel):
    arr = vessel.path.arrays()
    t = arr["t"]
    lat = arr["lat"]
    lon = arr["lon"]
    dt = np.diff(t)
    dist = sg.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    speed = np.where(dt > 0, dist / np.maximum(dt, 1e-9) / sg.KNOT_M_S, 0.0)
    act = arr["activity"][:-1]
    present = (act != ABSENT) & (dt > 0)
    return t, lat, lon, speed, act, present


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs of the runs of True in ``mask``."""
    if not mask.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _dominant(codes: np.ndarray) -> str:
    if len(codes) == 0:
        return ""
    values, counts = np.unique(codes, return_counts=True)
    return ACTIVITIES[int(values[np.argmax(counts)])]


# --------------------------------------------------------------------------
# Loitering


def loitering(vessels: list[Vessel], t_end: float, config: Config) -> list[dict]:
    cfg = config.loitering
    out = []
    for v in vessels:
        t, lat, lon, speed, act, present = _legs(v)
        slow = present & (speed < cfg.max_speed_kn) & (t[1:] > 0.0) & (t[:-1] < t_end)
        for a, b in _runs(slow):
            t0 = max(float(t[a]), 0.0)
            t1 = min(float(t[b + 1]), t_end)
            if t1 - t0 < cfg.min_duration_h * 3600.0:
                continue
            ts = np.arange(t0, t1, LOITER_STEP_S)
            if ts[-1] < t1 - 1e-6:
                ts = np.append(ts, t1)
            la = np.interp(ts, t, lat)
            lo = np.interp(ts, t, lon)
            leg = np.clip(np.searchsorted(t, ts, side="right") - 1, a, b)
            sp = speed[leg]
            ac = act[leg]
            i0 = 0
            n = len(ts)
            while i0 < n:
                d = sg.haversine_m(la[i0], lo[i0], la[i0:], lo[i0:])
                outside = np.flatnonzero(d > cfg.max_radius_m)
                j = n - 1 if len(outside) == 0 else i0 + int(outside[0]) - 1
                if ts[j] - ts[i0] >= cfg.min_duration_h * 3600.0:
                    sl = slice(i0, j + 1)
                    out.append(
                        {
                            "kind": "loitering",
                            "vessels": (v.index,),
                            "start_s": float(ts[i0]),
                            "end_s": float(ts[j]),
                            "lat": float(la[sl].mean()),
                            "lon": float(lo[sl].mean()),
                            "end_lat": float(la[j]),
                            "end_lon": float(lo[j]),
                            "mean_speed_kn": float(sp[sl].mean()),
                            "behaviour": _dominant(ac[sl]),
                        }
                    )
                i0 = j + 1
    return out


# --------------------------------------------------------------------------
# Rendezvous


def _pair_samples(vessels: list[Vessel], t_end: float, max_speed_kn: float):
    """Slow positions of every vessel on a common 30 s grid, off port legs."""
    grid = np.arange(0.0, t_end, PAIR_STEP_S)
    cols: dict[str, list] = {k: [] for k in ("v", "k", "lat", "lon", "sp", "act")}
    for v in vessels:
        t, lat, lon, speed, act, present = _legs(v)
        slow = present & (speed < max_speed_kn)
        if not slow.any():
            continue
        # Moored and anchored vessels lie in port areas (by construction),
        # where no rendezvous counts: leave them out early.
        usable = slow & ~np.isin(act, _IN_PORT_ACTS)
        if not usable.any():
            continue
        leg = np.searchsorted(t, grid, side="right") - 1
        ok = (leg >= 0) & (leg < len(usable))
        ok[ok] = usable[leg[ok]]
        k = np.flatnonzero(ok)
        if len(k) == 0:
            continue
        cols["v"].append(np.full(len(k), v.index, dtype=np.int64))
        cols["k"].append(k.astype(np.int64))
        cols["lat"].append(np.interp(grid[k], t, lat))
        cols["lon"].append(np.interp(grid[k], t, lon))
        cols["sp"].append(speed[leg[k]])
        cols["act"].append(act[leg[k]])
    if not cols["v"]:
        return None
    return {name: np.concatenate(parts) for name, parts in cols.items()}


def close_pairs(samples: dict, max_distance_m: float) -> dict | None:
    """All pairs of samples at the same time step within ``max_distance_m``.

    Spatial hashing: cells at least the distance threshold wide; each sample
    is compared with samples of its own and the next cells only (half of
    the 3 x 3 neighbourhood), so each pair comes out once.
    """
    lat = samples["lat"]
    lon = samples["lon"]
    k = samples["k"]
    cell = max_distance_m * 1.05
    y = lat * sg.M_PER_DEG_LAT
    x = lon * sg.M_PER_DEG_LON_EQ * np.cos(np.radians(22.0))  # widest degree here
    cx = np.floor(x / cell).astype(np.int64)
    cy = np.floor(y / cell).astype(np.int64)
    cx -= cx.min() - 1
    cy -= cy.min() - 1
    ny = int(cy.max()) + 3
    nx = int(cx.max()) + 3
    key = (k * nx + cx) * ny + cy
    order = np.argsort(key, kind="stable")
    skey = key[order]
    first: list = []
    second: list = []
    for dx, dy in ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1)):
        target = key + dx * ny + dy
        lo = np.searchsorted(skey, target, side="left")
        hi = np.searchsorted(skey, target, side="right")
        count = hi - lo
        has = np.flatnonzero(count > 0)
        if len(has) == 0:
            continue
        rep = np.repeat(has, count[has])
        starts = np.repeat(lo[has], count[has])
        offs = np.arange(len(rep)) - np.repeat(
            np.cumsum(count[has]) - count[has], count[has]
        )
        other = order[starts + offs]
        if dx == 0 and dy == 0:
            keep = other > rep
            rep = rep[keep]
            other = other[keep]
        first.append(rep)
        second.append(other)
    if not first:
        return None
    i = np.concatenate(first)
    j = np.concatenate(second)
    vi = samples["v"][i]
    vj = samples["v"][j]
    keep = vi != vj
    i, j = i[keep], j[keep]
    d = sg.haversine_m(lat[i], lon[i], lat[j], lon[j])
    keep = d <= max_distance_m
    i, j, d = i[keep], j[keep], d[keep]
    # Order each pair by vessel index.
    swap = samples["v"][i] > samples["v"][j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    return {"i": i, "j": j, "d": d}


def rendezvous(vessels: list[Vessel], t_end: float, config: Config) -> list[dict]:
    cfg = config.rendezvous
    samples = _pair_samples(vessels, t_end, cfg.max_speed_kn)
    if samples is None:
        return []
    pairs = close_pairs(samples, cfg.max_distance_m)
    if pairs is None or len(pairs["i"]) == 0:
        return []
    i, j, d = pairs["i"], pairs["j"], pairs["d"]
    va = samples["v"][i]
    vb = samples["v"][j]
    k = samples["k"][i]
    order = np.lexsort((k, vb, va))
    i, j, d, va, vb, k = i[order], j[order], d[order], va[order], vb[order], k[order]
    max_break = round(cfg.max_break_s / PAIR_STEP_S)
    new = np.ones(len(k), dtype=bool)
    new[1:] = (va[1:] != va[:-1]) | (vb[1:] != vb[:-1]) | (k[1:] - k[:-1] > max_break)
    starts = np.flatnonzero(new)
    ends = np.concatenate([starts[1:], [len(k)]]) - 1
    out = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        t0 = float(k[s]) * PAIR_STEP_S
        t1 = float(k[e]) * PAIR_STEP_S
        if t1 - t0 < cfg.min_duration_h * 3600.0:
            continue
        sl = slice(s, e + 1)
        ii, jj = i[sl], j[sl]
        mid_lat = 0.5 * (samples["lat"][ii] + samples["lat"][jj])
        mid_lon = 0.5 * (samples["lon"][ii] + samples["lon"][jj])
        out.append(
            {
                "kind": "rendezvous",
                "vessels": (int(va[s]), int(vb[s])),
                "start_s": t0,
                "end_s": t1,
                "lat": float(mid_lat.mean()),
                "lon": float(mid_lon.mean()),
                "end_lat": float(mid_lat[-1]),
                "end_lon": float(mid_lon[-1]),
                "min_separation_m": float(d[sl].min()),
                "mean_separation_m": float(d[sl].mean()),
                "mean_speed_kn": float(samples["sp"][ii].mean()),
                "other_mean_speed_kn": float(samples["sp"][jj].mean()),
                "acts": (_dominant(samples["act"][ii]), _dominant(samples["act"][jj])),
            }
        )
    return out


# --------------------------------------------------------------------------
# Dark gaps and dark rendezvous


def _present_at(vessel: Vessel, times: np.ndarray) -> np.ndarray:
    t, *_, _act, present = _legs(vessel)
    leg = np.searchsorted(t, times, side="right") - 1
    ok = (leg >= 0) & (leg < len(present))
    out = np.zeros(len(times), dtype=bool)
    out[ok] = present[leg[ok]]
    # A switch at the very end of a present leg still counts.
    leg2 = np.searchsorted(t, times, side="left") - 1
    ok2 = (leg2 >= 0) & (leg2 < len(present))
    out[ok2] |= present[leg2[ok2]]
    return out


def merged_off(vessel: Vessel) -> list[tuple[float, float, str]]:
    """The vessel's transmitter-off intervals, overlapping ones merged."""
    out: list[list] = []
    for a, b, cause in sorted(vessel.off):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
            if cause == "incident":
                out[-1][2] = cause
        else:
            out.append([a, b, cause])
    return [(a, b, c) for a, b, c in out]


_COVERED_MESSAGE_P = 1.0 - 0.2 ** (1.0 / 10.0)  # 0.149


def _covered_hours(v: Vessel, a: float, b: float, model) -> float:
    """Hours of a gap the vessel spent where a shore station would hear it.

    Counted along the true path, every minute, where the best terrestrial
    receiver would hear at least one of ten messages (a slow class B's
    half hour) with probability >= 0.8, i.e. a per-message probability of
    at least 0.15: a silence there is a switch-off, not a coverage hole.
    """
    if model is None:
        return (b - a) / 3600.0
    from ._sim_ais import terrestrial_p
    from ._sim_fleet import RECEIVERS

    times = np.arange(a + 30.0, b, 60.0)
    if not len(times):
        return 0.0
    la, lo = v.path.at(times)
    best = np.zeros(len(times))
    for _, rlat, rlon in RECEIVERS:
        d_nm = sg.haversine_m(la, lo, rlat, rlon) / 1852.0
        best = np.maximum(best, terrestrial_p(d_nm, v.ais_class, model))
    return float((best >= _COVERED_MESSAGE_P).sum()) / 60.0


def dark_gaps(
    vessels: list[Vessel], t_end: float, config: Config, model=None
) -> list[dict]:
    cfg = config.gaps
    out = []
    for v in vessels:
        if not v.ais_class or not v.off:
            continue
        for a, b, cause in merged_off(v):
            if b - a < cfg.min_gap_h * 3600.0 or a < 0.0 or b > t_end:
                continue
            if not _present_at(v, np.array([a, b])).all():
                continue
            la, lo = v.path.at(np.array([a, b]))
            # At sea: a vessel switched off at its berth is not dark.
            if geo.in_port(la, lo).all():
                continue
            dist_km = float(sg.haversine_m(la[0], lo[0], la[1], lo[1])) / 1000.0
            out.append(
                {
                    "covered_h": _covered_hours(v, a, b, model),
                    "kind": "dark_gap",
                    "vessels": (v.index,),
                    "start_s": a,
                    "end_s": b,
                    "lat": float(la[0]),
                    "lon": float(lo[0]),
                    "end_lat": float(la[1]),
                    "end_lon": float(lo[1]),
                    "distance_km": dist_km,
                    "implied_speed_kn": dist_km * 1000.0 / 1852.0 / ((b - a) / 3600.0),
                    "border_crossing": bool(
                        geo.crosses_border(la[0], lo[0], la[1], lo[1])
                    ),
                    "behaviour": v.role if cause == "incident" else cause,
                }
            )
    return out


def _circle_points(c1, r1, c2, r2):
    """Intersection points of two circles, vectorised over the first axis.

    ``c1``, ``c2`` have shape (n, 2), ``r1``, ``r2`` shape (n,). Returns two
    (n, 2) arrays, NaN where the circles do not cross.
    """
    d_vec = c2 - c1
    d = np.hypot(d_vec[:, 0], d_vec[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        a = (r1 * r1 - r2 * r2 + d * d) / (2.0 * d)
        h = np.sqrt(r1 * r1 - a * a)
        ux = d_vec[:, 0] / d
        uy = d_vec[:, 1] / d
    base = c1 + np.column_stack([a * ux, a * uy])
    off = np.column_stack([-h * uy, h * ux])
    bad = ~np.isfinite(h)[:, None] | (d == 0)[:, None]
    return np.where(bad, np.nan, base + off), np.where(bad, np.nan, base - off)


def _common_points(centres: np.ndarray, radii: np.ndarray, tol_m: float = 1.0):
    """Points common to all discs, per time, if any.

    ``centres`` (n, k, 2) and ``radii`` (n, k) describe k discs at n times.
    Their intersection is convex; when it is not empty it holds a disc's
    centre (a disc inside all others) or a crossing point of two circles
    (a corner of its boundary), so those candidates decide exactly.

    Returns
    -------
    candidates : ndarray, shape (n, m, 2)
    inside : ndarray of bool, shape (n, m)
        Which candidates lie in every disc.
    """
    _, k, _ = centres.shape
    cands = [centres[:, i, :] for i in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            p, q = _circle_points(
                centres[:, i], radii[:, i], centres[:, j], radii[:, j]
            )
            cands += [p, q]
    cand = np.stack(cands, axis=1)
    dist = np.hypot(
        cand[:, :, None, 0] - centres[:, None, :, 0],
        cand[:, :, None, 1] - centres[:, None, :, 1],
    )
    inside = np.all(dist <= radii[:, None, :] + tol_m, axis=2)
    inside &= np.isfinite(cand).all(axis=2)
    return cand, inside


def _two_dark(g1: dict, g2: dict, speed_ms: float, step_s: float = 60.0):
    """Whether two dark vessels could have been at one place at one time.

    Each vessel at time t was within ``speed * (t - t0)`` of its switch-off
    position and ``speed * (t1 - t)`` of its switch-on position. Returns the
    feasible places (degrees) over the overlap, or None.
    """
    t0 = max(g1["start_s"], g2["start_s"])
    t1 = min(g1["end_s"], g2["end_s"])
    times = np.linspace(t0, t1, max(2, math.ceil((t1 - t0) / step_s) + 1))
    lat0 = 0.25 * (g1["lat"] + g1["end_lat"] + g2["lat"] + g2["end_lat"])
    lon0 = 0.25 * (g1["lon"] + g1["end_lon"] + g2["lon"] + g2["end_lon"])
    kx = sg.M_PER_DEG_LON_EQ * math.cos(math.radians(lat0))

    def xy(lat, lon):
        return ((lon - lon0) * kx, (lat - lat0) * sg.M_PER_DEG_LAT)

    fixed = np.array(
        [
            xy(g1["lat"], g1["lon"]),
            xy(g1["end_lat"], g1["end_lon"]),
            xy(g2["lat"], g2["lon"]),
            xy(g2["end_lat"], g2["end_lon"]),
        ]
    )
    centres = np.broadcast_to(fixed, (len(times), 4, 2))
    radii = speed_ms * np.column_stack(
        [
            times - g1["start_s"],
            g1["end_s"] - times,
            times - g2["start_s"],
            g2["end_s"] - times,
        ]
    )
    cand, inside = _common_points(np.ascontiguousarray(centres), radii)
    if not inside.any():
        return None
    pts = cand[inside]
    return lat0 + pts[:, 1] / sg.M_PER_DEG_LAT, lon0 + pts[:, 0] / kx


def dark_rendezvous(
    vessels: list[Vessel], gaps: list[dict], t_end: float, config: Config
) -> list[dict]:
    """Dark rendezvous by the detection definitions, on the true schedule.

    Two dark vessels: their true gaps overlap by at least ``min_overlap_h``
    and there is a place and a time during the overlap both could have
    reached (the strict test; each no faster than ``max_speed_kn``). One
    dark vessel: another vessel with its transmitter on is slower than the
    rendezvous speed limit, at places the dark one could have reached at
    those times, for at least ``min_overlap_h`` (breaks up to the rendezvous
    ``max_break_s``).
    """
    cfg = config.dark_rendezvous
    speed_ms = cfg.max_speed_kn * sg.KNOT_M_S
    min_overlap = cfg.min_overlap_h * 3600.0
    max_pair_m = config.rendezvous.max_distance_m
    out = []
    for x in range(len(gaps)):
        for y in range(x + 1, len(gaps)):
            g1, g2 = gaps[x], gaps[y]
            if g1["vessels"][0] == g2["vessels"][0]:
                continue
            t0 = max(g1["start_s"], g2["start_s"])
            t1 = min(g1["end_s"], g2["end_s"])
            if t1 - t0 < min_overlap:
                continue
            places = _two_dark(g1, g2, speed_ms)
            if places is None:
                continue
            va = vessels[g1["vessels"][0]]
            vb = vessels[g2["vessels"][0]]
            times = np.arange(t0, t1, PAIR_STEP_S)
            la1, lo1 = va.path.at(times)
            la2, lo2 = vb.path.at(times)
            sep = sg.haversine_m(la1, lo1, la2, lo2)
            close = sep <= max_pair_m
            if close.any():
                lat = float(0.5 * (la1[close] + la2[close]).mean())
                lon = float(0.5 * (lo1[close] + lo2[close]).mean())
            else:
                lat, lon = float(places[0].mean()), float(places[1].mean())
            out.append(
                {
                    "kind": "dark_rendezvous",
                    "vessels": tuple(sorted([va.index, vb.index])),
                    "start_s": t0,
                    "end_s": t1,
                    "lat": lat,
                    "lon": lon,
                    "end_lat": lat,
                    "end_lon": lon,
                    "met": bool(close.any()),
                    "gaps": (x, y),
                    "seen": None,
                    "min_separation_m": float(sep.min()) if len(sep) else np.nan,
                }
            )
    out.extend(_one_dark(vessels, gaps, t_end, config))
    return out


def _one_dark(vessels, gaps, t_end, config) -> list[dict]:
    cfg = config.dark_rendezvous
    speed_ms = cfg.max_speed_kn * sg.KNOT_M_S
    min_overlap = cfg.min_overlap_h * 3600.0
    slow = config.rendezvous.max_speed_kn
    max_break = config.rendezvous.max_break_s
    max_pair_m = config.rendezvous.max_distance_m
    seen_vessels = [v for v in vessels if v.ais_class]
    out = []
    for x, g in enumerate(gaps):
        dark = vessels[g["vessels"][0]]
        s, e = g["start_s"], g["end_s"]
        times = np.arange(math.ceil(s / PAIR_STEP_S) * PAIR_STEP_S, e, PAIR_STEP_S)
        if len(times) < 2:
            continue
        reach = 0.5 * speed_ms * (e - s)
        mid_lat = 0.5 * (g["lat"] + g["end_lat"])
        mid_lon = 0.5 * (g["lon"] + g["end_lon"])
        for other in seen_vessels:
            if other.index == dark.index:
                continue
            t, _, _, speed, _, present = _legs(other)
            if t[0] > e or t[-1] < s:
                continue
            la, lo = other.path.at(times)
            if sg.haversine_m(mid_lat, mid_lon, la, lo).min() > reach + 1.0:
                continue
            leg = np.clip(
                np.searchsorted(t, times, side="right") - 1, 0, len(speed) - 1
            )
            ok = present[leg] & (speed[leg] < slow)
            for a, b, _ in merged_off(other):
                ok &= ~((times >= a) & (times <= b))
            ok &= sg.haversine_m(g["lat"], g["lon"], la, lo) <= speed_ms * (times - s)
            ok &= sg.haversine_m(g["end_lat"], g["end_lon"], la, lo) <= speed_ms * (
                e - times
            )
            idx = np.flatnonzero(ok)
            if len(idx) < 2:
                continue
            breaks = np.flatnonzero(np.diff(times[idx]) > max_break)
            starts = np.concatenate([[0], breaks + 1])
            ends = np.concatenate([breaks, [len(idx) - 1]])
            for r0, r1 in zip(starts.tolist(), ends.tolist(), strict=True):
                k = idx[r0 : r1 + 1]
                if times[k[-1]] - times[k[0]] < min_overlap:
                    continue
                dla, dlo = dark.path.at(times[k])
                sep = sg.haversine_m(dla, dlo, la[k], lo[k])
                out.append(
                    {
                        "kind": "dark_rendezvous",
                        "vessels": tuple(sorted([dark.index, other.index])),
                        "start_s": float(times[k[0]]),
                        "end_s": float(times[k[-1]]),
                        "lat": float(la[k].mean()),
                        "lon": float(lo[k].mean()),
                        "end_lat": float(la[k].mean()),
                        "end_lon": float(lo[k].mean()),
                        "met": bool((sep <= max_pair_m).any()),
                        "gaps": (x,),
                        "seen": other.index,
                        "seen_speed_kn": float(speed[leg[k]].mean()),
                        "min_separation_m": float(sep.min()),
                    }
                )
    return out


# --------------------------------------------------------------------------
# Labels, observability, table


def seen_enough(
    received: np.ndarray, start: float, end: float, min_span_s: float, max_hole_s: float
) -> bool:
    """Whether received reports show a vessel through [start, end].

    They must span at least half the interval and at least ``min_span_s``
    (the event's minimum duration), with no silence longer than
    ``max_hole_s`` (the segmentation gap) between them.
    """
    lo = np.searchsorted(received, start, side="left")
    hi = np.searchsorted(received, end, side="right")
    if hi - lo < 2 or end <= start:
        return False
    inside = received[lo:hi]
    span = float(inside[-1] - inside[0])
    if span < max(0.5 * (end - start), min_span_s):
        return False
    return float(np.diff(inside).max()) <= max_hole_s


def _count(times: np.ndarray, start: float, end: float) -> int:
    return int(
        np.searchsorted(times, end, side="right")
        - np.searchsorted(times, start, side="left")
    )


def _pair_behaviour(va: Vessel, vb: Vessel, acts: tuple[str, str]) -> str:
    both = set(acts)
    if va.team >= 0 and va.team == vb.team:
        return va.team_kind
    if "boarding" in both:
        return "patrol_boarding"
    if "pilot_boarding" in both:
        return "pilot_boarding"
    if "alongside" in both:
        return "mother_ship_transfer"
    if "meeting" in both:
        return "meeting"
    if both == {"fuel_unloading"}:
        return "fuel_unloading"
    if both == {"inshore_nets"}:
        return "inshore_nets"
    return "incidental_proximity"


def _labels(
    vs: list[Vessel], start: float, end: float, incidents: dict
) -> tuple[bool, str]:
    ids = {v.incident_id for v in vs}
    if len(ids) == 1 and "" not in ids:
        inc = incidents[next(iter(ids))]
        if start <= inc.end and end >= inc.start:
            return True, inc.incident_id
    if all(v.illicit_background for v in vs):
        return True, ""
    return False, ""


def _gap_observable(gap: dict, received: dict, config: Config) -> bool:
    rec = received.get(gap["vessels"][0], np.zeros(0))
    heard_around = bool((rec < gap["start_s"]).any() and (rec > gap["end_s"]).any())
    return heard_around and gap["covered_h"] >= OBSERVABLE_COVERED_H


def truth_table(
    vessels: list[Vessel],
    incidents: list[Incident],
    t_end: float,
    start_ns: int,
    config: Config,
    received: dict[int, np.ndarray],
    transmitted: dict[int, np.ndarray],
    model=None,
) -> pd.DataFrame:
    """All truth events as an event table with the truth columns.

    A dark gap is observable when the vessel was heard before and after it
    and spent at least ``OBSERVABLE_COVERED_H`` (0.5 h) of it within shore
    reception (see :func:`_covered_hours`); elsewhere a switch-off cannot be
    told from a coverage hole. A dark rendezvous is observable when its gaps
    are.
    """
    loiter = loitering(vessels, t_end, config)
    rdv = rendezvous(vessels, t_end, config)
    gaps = dark_gaps(vessels, t_end, config, model)
    drdv = dark_rendezvous(vessels, gaps, t_end, config)
    by_id = {inc.incident_id: inc for inc in incidents}
    rows = []
    empty = np.zeros(0)
    for ev in loiter + rdv + gaps + drdv:
        vs = [vessels[i] for i in ev["vessels"]]
        start, end = ev["start_s"], ev["end_s"]
        has_ais = all(bool(v.ais_class) for v in vs)
        shares = []
        for v in vs:
            sent = _count(transmitted.get(v.index, empty), start, end)
            got = _count(received.get(v.index, empty), start, end)
            shares.append(got / sent if sent else np.nan)
        share = float(np.nanmin(shares)) if not all(np.isnan(shares)) else np.nan
        if ev["kind"] in ("loitering", "rendezvous"):
            section = (
                config.loitering if ev["kind"] == "loitering" else config.rendezvous
            )
            observable = has_ais and all(
                seen_enough(
                    received.get(v.index, empty),
                    start,
                    end,
                    section.min_duration_h * 3600.0,
                    config.segment.max_gap_h * 3600.0,
                )
                for v in vs
            )
        elif ev["kind"] == "dark_gap":
            observable = has_ais and _gap_observable(ev, received, config)
        else:
            observable = has_ais and all(
                _gap_observable(gaps[k], received, config) for k in ev["gaps"]
            )
            if ev["seen"] is not None:
                observable = observable and seen_enough(
                    received.get(ev["seen"], empty),
                    start,
                    end,
                    config.dark_rendezvous.min_overlap_h * 3600.0,
                    config.segment.max_gap_h * 3600.0,
                )
        illicit, incident_id = _labels(vs, start, end, by_id)
        if ev["kind"] == "rendezvous":
            behaviour = _pair_behaviour(vs[0], vs[1], ev["acts"])
        elif ev["kind"] == "dark_rendezvous":
            behaviour = (
                "dark_meeting"
                if (ev["met"] and illicit)
                else ("met_while_dark" if ev["met"] else "coincident_gaps")
            )
        else:
            behaviour = ev["behaviour"]
        mmsis = [v.mmsi for v in vs]
        order = np.argsort(mmsis)
        a = vs[int(order[0])]
        b = vs[int(order[1])] if len(vs) > 1 else None
        row = {
            "kind": ev["kind"],
            "mmsi": a.mmsi,
            "other_mmsi": b.mmsi if b is not None else pd.NA,
            "start": start_ns + round(start * 1e9),
            "end": start_ns + round(end * 1e9),
            "lat": ev["lat"],
            "lon": ev["lon"],
            "end_lat": ev["end_lat"],
            "end_lon": ev["end_lon"],
            "illicit": bool(illicit),
            "incident_id": incident_id,
            "observable": bool(observable),
            "behaviour": behaviour,
            "has_ais": has_ais,
            "received_share": share,
            "met": bool(ev.get("met", False)),
            "dark_vessels": (
                (1 if ev["seen"] is not None else 2)
                if ev["kind"] == "dark_rendezvous"
                else 0
            ),
            "vessel_group": a.group,
            "other_group": b.group if b is not None else "",
            "covered_h": (
                ev["covered_h"]
                if ev["kind"] == "dark_gap"
                else (
                    min(gaps[k]["covered_h"] for k in ev["gaps"])
                    if ev["kind"] == "dark_rendezvous"
                    else np.nan
                )
            ),
        }
        for name in (
            "distance_km",
            "implied_speed_kn",
            "min_separation_m",
            "mean_separation_m",
            "mean_speed_kn",
            "other_mean_speed_kn",
            "area_km2",
            "border_crossing",
        ):
            if name in ev:
                row[name] = ev[name]
        if b is not None and ev["kind"] == "rendezvous" and order[0] == 1:
            row["mean_speed_kn"], row["other_mean_speed_kn"] = (
                ev["other_mean_speed_kn"],
                ev["mean_speed_kn"],
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame):
        frame["start"] = pd.to_datetime(frame["start"], utc=True)
        frame["end"] = pd.to_datetime(frame["end"], utc=True)
        frame["shore_km"] = geo.shore_distance_km(frame["lat"], frame["lon"])
        frame["end_shore_km"] = geo.shore_distance_km(
            frame["end_lat"], frame["end_lon"]
        )
        frame["in_port"] = geo.in_port(frame["lat"], frame["lon"])
        # Away from ports: events whose place is a port area are not events.
        frame = frame[~frame["in_port"]]
        frame["reasons"] = frame["behaviour"]
        if "border_crossing" in frame:
            frame["border_crossing"] = (
                frame["border_crossing"].fillna(False).astype(bool)
            )
    else:
        for name in TRUTH_EXTRA_COLUMNS:
            frame[name] = pd.Series([], dtype=object)
    events = finalise_events(frame)
    extra = {
        "illicit": bool,
        "incident_id": "str",
        "observable": bool,
        "behaviour": "str",
        "has_ais": bool,
        "received_share": "float64",
        "met": bool,
        "vessel_group": "str",
        "other_group": "str",
        "dark_vessels": "int8",
        "covered_h": "float64",
    }
    for name, dtype in extra.items():
        events[name] = events[name].astype(dtype)
    events["risk"] = np.nan
    return events
