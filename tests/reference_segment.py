"""Plain-Python references for ``kernels.segment``: slow, obvious, the spec.

Rows are lists of tuples; every decision is spelled out one step at a time.
"""

from __future__ import annotations

import itertools
import math

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
KNOT_M_S = 1852.0 / 3600.0


def _nan_last_key(x):
    """Sort key putting NaN after every number."""
    return (1, 0.0) if x != x else (0, x)


def vessel_time_order(mmsi, t_ns, lat, lon, sog, cog, break_ties):
    """Rows sorted by mmsi, time, then (break_ties) lat, lon, sog, cog; stable.

    NaN sorts last.
    """
    rows = range(len(mmsi))
    if not break_ties:
        return sorted(rows, key=lambda i: (mmsi[i], t_ns[i]))
    return sorted(
        rows,
        key=lambda i: (
            mmsi[i],
            t_ns[i],
            _nan_last_key(lat[i]),
            _nan_last_key(lon[i]),
            _nan_last_key(sog[i]),
            _nan_last_key(cog[i]),
        ),
    )


def group_offsets(mmsi):
    """Start of every run of equal MMSIs, and the end."""
    offsets = [0]
    for i in range(1, len(mmsi)):
        if mmsi[i] != mmsi[i - 1]:
            offsets.append(i)
    if len(mmsi):
        offsets.append(len(mmsi))
    return offsets


def east_north_m(lat1, lon1, lat2, lon2):
    """Flat-Earth offsets (east, north) in metres at the mean latitude."""
    dlon = lon2 - lon1
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    east = dlon * math.cos(0.5 * (lat1 + lat2) * (math.pi / 180.0)) * M_PER_DEG
    north = (lat2 - lat1) * M_PER_DEG
    return east, north


class _Track:
    def __init__(self, index, segment, t, lat, lon, sog, cog):
        self.index = index
        self.segment = segment
        self.t = t
        self.lat = lat
        self.lon = lon
        self.sog = sog
        self.cog = cog
        self.prev = None  # (t, lat, lon) of the fix before the last one

    def velocity(self):
        """(east, north) in m/s: reported SOG/COG, else implied, else still."""
        if not math.isnan(self.sog) and not math.isnan(self.cog):
            speed = self.sog * KNOT_M_S
            course = self.cog * (math.pi / 180.0)
            return speed * math.sin(course), speed * math.cos(course)
        if self.prev is not None and self.t > self.prev[0]:
            step_s = (self.t - self.prev[0]) * 1e-9
            east, north = east_north_m(self.prev[1], self.prev[2], self.lat, self.lon)
            return east / step_s, north / step_s
        return 0.0, 0.0


def segment_tracks(
    t_ns,
    lat,
    lon,
    sog,
    cog,
    offsets,
    max_gap_ns,
    separate_identities,
    max_speed_kn,
    slack_s,
    spread_kn,
    ambiguity_ratio,
    max_open_tracks,
):
    """Reference of ``kernels.segment.segment_tracks``; same arguments/results.

    Returns lists: segment, track, duplicate, n_segments, n_tracks.
    """
    n = len(t_ns)
    segment = [-1] * n
    track = [-1] * n
    duplicate = [False] * n
    n_segments = []
    n_tracks = []
    max_speed_ms = max_speed_kn * KNOT_M_S
    spread_ms = spread_kn * KNOT_M_S
    log_ambiguity = math.log(ambiguity_ratio)
    capacity = max_open_tracks if separate_identities else 1

    for g in range(len(offsets) - 1):
        open_tracks = []
        segments_so_far = 0
        tracks_so_far = 0
        for i in range(offsets[g], offsets[g + 1]):
            if math.isnan(lat[i]) or math.isnan(lon[i]):
                continue  # not placed
            t = t_ns[i]

            chosen = None
            if not separate_identities:
                if open_tracks:
                    chosen = open_tracks[0]
            else:
                plausible = []
                for tr in open_tracks:
                    reach = max_speed_ms * ((t - tr.t) * 1e-9 + slack_s)
                    east, north = east_north_m(tr.lat, tr.lon, lat[i], lon[i])
                    if east * east + north * north <= reach * reach:
                        plausible.append(tr)
                if len(plausible) == 1:
                    chosen = plausible[0]
                elif len(plausible) > 1:
                    costs = []
                    for tr in plausible:
                        dt_s = (t - tr.t) * 1e-9
                        v_east, v_north = tr.velocity()
                        east, north = east_north_m(tr.lat, tr.lon, lat[i], lon[i])
                        miss = math.hypot(east - v_east * dt_s, north - v_north * dt_s)
                        tau = dt_s + slack_s
                        z = miss / (spread_ms * tau)
                        costs.append((0.5 * z * z + 2.0 * math.log(tau), tr.index, tr))
                    best_cost, _, best = min(costs, key=lambda c: (c[0], c[1]))
                    contenders = [c for c in costs if c[0] - best_cost < log_ambiguity]
                    if len(contenders) > 1:
                        for _, _, tr in contenders:
                            open_tracks.remove(tr)
                    else:
                        chosen = best

            if chosen is None:
                if len(open_tracks) == capacity:
                    stalest = min(open_tracks, key=lambda tr: (tr.t, tr.index))
                    open_tracks.remove(stalest)
                chosen = _Track(
                    tracks_so_far, segments_so_far, t, lat[i], lon[i], sog[i], cog[i]
                )
                open_tracks.append(chosen)
                tracks_so_far += 1
                segments_so_far += 1
            elif t == chosen.t:
                duplicate[i] = True
            else:
                if t - chosen.t > max_gap_ns:
                    chosen.segment = segments_so_far
                    segments_so_far += 1
                chosen.prev = (chosen.t, chosen.lat, chosen.lon)
                chosen.t = t
                chosen.lat = lat[i]
                chosen.lon = lon[i]
                chosen.sog = sog[i]
                chosen.cog = cog[i]
            segment[i] = chosen.segment
            track[i] = chosen.index
        n_segments.append(segments_so_far)
        n_tracks.append(tracks_so_far)
    return segment, track, duplicate, n_segments, n_tracks


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (same sphere as ``kernels._geo``)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def segment_stats(t_ns, lat, lon, sog, segment, duplicate, n_segments):
    """Reference of ``kernels.segment.segment_stats``: one dict per segment."""
    rows = [[] for _ in range(n_segments)]
    for i, s in enumerate(segment):
        if s >= 0:
            rows[s].append(i)
    out = []
    for members in rows:
        moving = [i for i in members if not duplicate[i]]
        speeds = [float(sog[i]) for i in members if not math.isnan(sog[i])]
        out.append(
            {
                "start_ns": t_ns[members[0]],
                "end_ns": t_ns[members[-1]],
                "points": len(members),
                "duplicates": len(members) - len(moving),
                "length_m": sum(
                    haversine_m(lat[a], lon[a], lat[b], lon[b])
                    for a, b in itertools.pairwise(moving)
                ),
                "moved": any(
                    (lat[i], lon[i]) != (lat[moving[0]], lon[moving[0]]) for i in moving
                ),
                "sog_mean_kn": sum(speeds) / len(speeds) if speeds else math.nan,
                "sog_max_kn": max(speeds) if speeds else math.nan,
                "lat_min": min(lat[i] for i in members),
                "lat_max": max(lat[i] for i in members),
                "lon_min": min(lon[i] for i in members),
                "lon_max": max(lon[i] for i in members),
            }
        )
    return out
