"""Generated vessel tracks that sail, drift and stop (for benchmarks and comparisons).

Each vessel reports every 10 s to 3 min (its own base interval, jittered
+-30 %; stopped vessels report at least every 3 min, as AIS class A does at
anchor) and moves through phases:

* sail: 6-15 kn on a slowly wandering heading, 0.5-6 h;
* drift: 0.2-1.8 kn on a freely wandering heading, 0.5-4 h;
* stop: swinging at anchor on a circle of 10-200 m radius with 3-15 m GPS
  noise, 0.5-8 h.

About one report in 2,000 is followed by a silence of 1-8 h, and 2 % of SOG
values are NaN. Positions start in the Makran box (lon 57.5-67.5 E, lat
22-25.5 N); land is ignored. Rows come sorted by (vessel, time).
"""

# ruff: noqa: NPY002  (Numba compiles only the legacy np.random functions)
from __future__ import annotations

import math

import numba
import numpy as np

M_PER_DEG = 111_195.0
T_START = 1_704_067_200  # 2024-01-01T00:00:00Z


@numba.njit(cache=True)
def _generate(n_points, seed):
    np.random.seed(seed)
    t = np.empty(n_points, dtype=np.int64)
    lat = np.empty(n_points, dtype=np.float64)
    lon = np.empty(n_points, dtype=np.float64)
    sog = np.empty(n_points, dtype=np.float32)
    vessel = np.empty(n_points, dtype=np.int64)
    i = 0
    v = 0
    while i < n_points:
        m = min(n_points - i, np.random.randint(300, 4000))
        base_dt = np.random.uniform(10.0, 180.0)
        la = np.random.uniform(22.0, 25.5)
        lo = np.random.uniform(57.5, 67.5)
        heading = np.random.uniform(0.0, 2 * math.pi)
        now = float(T_START) + np.random.uniform(0.0, 86_400.0)
        phase = np.random.randint(0, 3)
        phase_end = now
        speed = 0.0
        anchor_la = la
        anchor_lo = lo
        swing = 50.0
        angle = 0.0
        noise = 5.0
        for _ in range(m):
            if now >= phase_end:
                phase = (phase + 1 + np.random.randint(0, 2)) % 3
                if phase == 0:
                    phase_end = now + np.random.uniform(0.5, 6.0) * 3600
                    speed = np.random.uniform(6.0, 15.0)
                elif phase == 1:
                    phase_end = now + np.random.uniform(0.5, 4.0) * 3600
                    speed = np.random.uniform(0.2, 1.8)
                else:
                    phase_end = now + np.random.uniform(0.5, 8.0) * 3600
                    speed = 0.0
                    swing = np.random.uniform(10.0, 200.0)
                    noise = np.random.uniform(3.0, 15.0)
                    angle = np.random.uniform(0.0, 2 * math.pi)
                    anchor_la = la - swing * math.cos(angle) / M_PER_DEG
                    anchor_lo = lo - swing * math.sin(angle) / (
                        M_PER_DEG * math.cos(math.radians(la))
                    )
            dt = base_dt * np.random.uniform(0.7, 1.3)
            if phase == 2:
                dt = max(dt, 180.0 * np.random.uniform(0.9, 1.1))
            if np.random.random() < 0.0005:
                dt += np.random.uniform(1.0, 8.0) * 3600
            now += dt
            if phase == 2:
                angle += np.random.normal(0.0, 0.05)
                north = swing * math.cos(angle) + np.random.normal(0.0, noise)
                east = swing * math.sin(angle) + np.random.normal(0.0, noise)
                la = anchor_la + north / M_PER_DEG
                lo = anchor_lo + east / (M_PER_DEG * math.cos(math.radians(la)))
                true_speed = abs(np.random.normal(0.0, 0.2))
            else:
                heading += np.random.normal(0.0, 0.02 if phase == 0 else 0.3)
                d = speed * 1852.0 / 3600.0 * dt
                la += d * math.cos(heading) / M_PER_DEG
                lo += d * math.sin(heading) / (M_PER_DEG * math.cos(math.radians(la)))
                true_speed = speed
            if la > 26.5 or la < 21.0:
                heading = math.pi - heading
            t[i] = int(now)
            lat[i] = la
            lon[i] = lo
            if np.random.random() < 0.02:
                sog[i] = np.nan
            else:
                sog[i] = max(0.0, true_speed + np.random.normal(0.0, 0.2))
            vessel[i] = 400_000_000 + v
            i += 1
        v += 1
    return t, lat, lon, sog, vessel


def generate_tracks(n_points: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Return ``n_points`` generated reports as arrays sorted by (vessel, time).

    Keys: ``t_s`` (int64 s UTC), ``lat``, ``lon`` (float64 degrees), ``sog``
    (float32 knots, 2 % NaN), ``mmsi`` (int64) and ``offsets`` (int64, one
    group per vessel).
    """
    t, lat, lon, sog, vessel = _generate(int(n_points), int(seed))
    starts = np.flatnonzero(np.diff(vessel)) + 1
    offsets = np.concatenate(([0], starts, [len(vessel)])).astype(np.int64)
    return {
        "t_s": t,
        "lat": lat,
        "lon": lon,
        "sog": sog,
        "mmsi": vessel,
        "offsets": offsets,
    }


def split_offsets(t_s: np.ndarray, offsets: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Offsets of segments: vessel groups cut where reports are > max_gap_s apart."""
    cut = np.zeros(len(t_s), dtype=bool)
    cut[offsets[:-1]] = True
    gap = np.diff(t_s) > max_gap_s
    cut[1:] |= gap
    starts = np.flatnonzero(cut)
    return np.concatenate((starts, [len(t_s)])).astype(np.int64)
