"""Slow, obvious references for the loitering, stop and dark-gap kernels.

Plain per-segment loops over Python lists, ``math`` only. Each function
restates its kernel's definition in the most direct way (brute-force
diameters, linear scans over every report) and returns plain lists.
"""

from __future__ import annotations

import itertools
import math

EARTH_RADIUS_M = 6_371_008.8
KNOT_M_S = 1852.0 / 3600.0


def haversine_m(lat1, lon1, lat2, lon2):
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp * 0.5) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def wrap_deg(d):
    return (d + 540.0) % 360.0 - 180.0


def _valid_rows(lat, lon, a, b):
    return [i for i in range(a, b) if not (math.isnan(lat[i]) or math.isnan(lon[i]))]


def row_speeds_kn(t, lat, lon, sog, rows):
    """Speed of each row in ``rows`` (rows of one segment that have positions)."""
    speeds = []
    for n, i in enumerate(rows):
        if not math.isnan(sog[i]):
            speeds.append(float(sog[i]))
            continue
        earlier = [j for j in rows[:n] if t[j] < t[i]]
        later = [j for j in rows[n + 1 :] if t[j] > t[i]]
        if earlier:
            j = earlier[-1]
        elif later:
            j = later[0]
        else:
            speeds.append(math.nan)
            continue
        d = haversine_m(lat[j], lon[j], lat[i], lon[i])
        speeds.append(d / abs(t[i] - t[j]) / KNOT_M_S)
    return speeds


def loitering_runs(t, lat, lon, sog, offsets, max_speed_kn, max_radius_m, min_dur):
    """Runs as dicts: segment, start, end, duration, mean speed, max distance,
    centroid lat/lon, n points."""
    runs = []
    for k in range(len(offsets) - 1):
        rows = _valid_rows(lat, lon, offsets[k], offsets[k + 1])
        speeds = row_speeds_kn(t, lat, lon, sog, rows)
        members = []  # positions into rows of the current run

        def close(members, k=k, rows=rows, speeds=speeds):
            s, e = rows[members[0]], rows[members[-1]]
            if t[e] - t[s] < min_dur:
                return
            alat, alon = lat[s], lon[s]
            runs.append(
                {
                    "segment": k,
                    "start": s,
                    "end": e,
                    "duration": float(t[e] - t[s]),
                    "mean_speed": sum(speeds[u] for u in members) / len(members),
                    "max_dist": max(
                        haversine_m(alat, alon, lat[rows[u]], lon[rows[u]])
                        for u in members
                    ),
                    "centroid_lat": sum(lat[rows[u]] for u in members) / len(members),
                    "centroid_lon": wrap_deg(
                        alon
                        + sum(wrap_deg(lon[rows[u]] - alon) for u in members)
                        / len(members)
                    ),
                    "n_points": len(members),
                }
            )

        for u, i in enumerate(rows):
            slow = speeds[u] < max_speed_kn  # NaN is never slow
            if members:
                a = rows[members[0]]
                if slow and haversine_m(lat[a], lon[a], lat[i], lon[i]) <= max_radius_m:
                    members.append(u)
                    continue
                close(members)
                members = []
            if slow:
                members = [u]
        if members:
            close(members)
    return runs


def diameter_m(lat, lon, rows):
    best = 0.0
    for u in range(len(rows)):
        for v in range(u + 1, len(rows)):
            p, q = rows[u], rows[v]
            best = max(best, haversine_m(lat[p], lon[p], lat[q], lon[q]))
    return best


def stop_windows(t, rows, min_dur, fits):
    """MovingPandas' TrajectoryStopDetector._process_traj loop over ``rows``.

    ``fits(window_rows)`` decides whether a window of >= 2 points is stopped.
    Returns (start_row, end_row) pairs.
    """
    stops = []
    window = []
    is_stopped = False
    for r in rows:
        window.append(r)
        if not is_stopped:
            first = 0
            while len(window) - first > 2 and t[r] - t[window[first]] >= min_dur:
                first += 1
            window = window[first:]
        previously_stopped = is_stopped
        is_stopped = len(window) > 1 and fits(window)
        broke = not is_stopped and previously_stopped and len(window) > 1
        if broke and t[window[-2]] - t[window[0]] >= min_dur:
            stops.append((window[0], window[-2]))
            window = [window[-1]]
    if is_stopped and t[window[-1]] - t[window[0]] >= min_dur:
        stops.append((window[0], window[-1]))
    return stops


def stop_segments(t, lat, lon, offsets, max_diameter_m, min_dur, fits=None):
    """Stops as dicts: segment, start, end, duration, diameter, centroid, n.

    ``fits(rows)`` decides whether a window fits; by default its largest
    great-circle distance is below ``max_diameter_m``.
    """
    if fits is None:

        def fits(w):
            return diameter_m(lat, lon, w) < max_diameter_m

    out = []
    for k in range(len(offsets) - 1):
        rows = _valid_rows(lat, lon, offsets[k], offsets[k + 1])
        for s, e in stop_windows(t, rows, min_dur, fits):
            members = [i for i in rows if s <= i <= e]
            out.append(
                {
                    "segment": k,
                    "start": s,
                    "end": e,
                    "duration": float(t[e] - t[s]),
                    "diameter": diameter_m(lat, lon, members),
                    "centroid_lat": sum(lat[i] for i in members) / len(members),
                    "centroid_lon": wrap_deg(
                        lon[s]
                        + sum(wrap_deg(lon[i] - lon[s]) for i in members) / len(members)
                    ),
                    "n_points": len(members),
                }
            )
    return out


def dark_gaps(t, lat, lon, offsets, min_gap):
    """Gaps as dicts: track, row, next_row, duration, distance, speed."""
    out = []
    for k in range(len(offsets) - 1):
        rows = _valid_rows(lat, lon, offsets[k], offsets[k + 1])
        for i, j in itertools.pairwise(rows):
            dt = t[j] - t[i]
            if dt >= min_gap:
                d = haversine_m(lat[i], lon[i], lat[j], lon[j])
                out.append(
                    {
                        "track": k,
                        "row": i,
                        "next_row": j,
                        "duration": float(dt),
                        "distance": d,
                        "speed": d / dt / KNOT_M_S,
                    }
                )
    return out


def reception_context(
    gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel, t, lat, lon, vessel, radius_m
):
    """Distinct other vessels heard within radius_m during [t0, t1], per gap."""
    counts = []
    for g in range(len(gap_t0)):
        if math.isnan(gap_lat[g]) or math.isnan(gap_lon[g]):
            counts.append(-1)
            continue
        heard = set()
        for r in range(len(t)):
            if vessel[r] == gap_vessel[g] or math.isnan(lat[r]) or math.isnan(lon[r]):
                continue
            if not gap_t0[g] <= t[r] <= gap_t1[g]:
                continue
            if haversine_m(gap_lat[g], gap_lon[g], lat[r], lon[r]) <= radius_m:
                heard.add(vessel[r])
        counts.append(len(heard))
    return counts


def assert_same_stops(got, exp):
    """``kernels.stop_segments``' arrays hold the records of ``stop_segments``.

    Rows, segments and counts exactly; times, diameters and centroids to
    rounding (the kernel sums in another order).
    """
    import numpy as np

    assert got[0].tolist() == [r["segment"] for r in exp]
    assert got[1].tolist() == [r["start"] for r in exp]
    assert got[2].tolist() == [r["end"] for r in exp]
    assert got[7].tolist() == [r["n_points"] for r in exp]
    if exp:
        for i, key in enumerate(
            ["duration", "diameter", "centroid_lat", "centroid_lon"], start=3
        ):
            np.testing.assert_allclose(
                got[i], [r[key] for r in exp], rtol=1e-9, atol=1e-7, err_msg=key
            )
