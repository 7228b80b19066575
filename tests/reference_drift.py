"""Plain-Python reference for kernels.drift: the drift rule read literally."""

from __future__ import annotations

import math

R = 6_371_008.8


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(min(1.0, a)))


def angle_between(a, b):
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def drift_runs(
    t, lat, lon, sog, cog, hdg, offsets, smin, smax, dmin, dur, dist, silence
):
    """List of (segment, start_row, end_row, confirm_row)."""
    out = []
    for s in range(len(offsets) - 1):
        rows = [
            i
            for i in range(offsets[s], offsets[s + 1])
            if not any(
                math.isnan(float(v)) for v in (lat[i], lon[i], sog[i], cog[i], hdg[i])
            )
        ]
        # Split the judged rows into maximal runs of drifting reports.
        runs, current = [], []
        for i in rows:
            drifting = smin <= sog[i] <= smax and angle_between(cog[i], hdg[i]) > dmin
            if drifting and current and t[i] - t[current[-1]] <= silence:
                current.append(i)
                continue
            if current:
                runs.append(current)
            current = [i] if drifting else []
        if current:
            runs.append(current)
        for run in runs:
            a = run[0]
            confirm = [
                i
                for i in run
                if t[i] - t[a] >= dur
                and haversine(lat[a], lon[a], lat[i], lon[i]) > dist
            ]
            if confirm:
                out.append((s, a, run[-1], confirm[0]))
    return out
