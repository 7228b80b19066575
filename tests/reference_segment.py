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


def segment_summary(
    t_ns, lat, lon, sog, mmsi, offsets, segment, track, duplicate, n_segments,
    n_tracks, id_base, min_noise_points, movingpandas_pieces,
):  # fmt: skip
    """Reference of ``kernels.segment.segment_summary``.

    Returns (row_id list, list of one dict per segment in id order).
    """
    members = {}  # (group, ordinal) -> rows, in row order
    track_size = {}  # (group, track) -> reports
    for g in range(len(offsets) - 1):
        for i in range(offsets[g], offsets[g + 1]):
            if segment[i] >= 0:
                members.setdefault((g, segment[i]), []).append(i)
                track_size[g, track[i]] = track_size.get((g, track[i]), 0) + 1
    summaries = []
    row_id = [-1] * len(t_ns)
    for g in range(len(offsets) - 1):
        for ordinal in range(n_segments[g]):
            rows = members[g, ordinal]
            moving = [i for i in rows if not duplicate[i]]
            speeds = [float(sog[i]) for i in rows if not math.isnan(sog[i])]
            first = moving[0]
            moved = any((lat[i], lon[i]) != (lat[first], lon[first]) for i in moving)
            keep = not movingpandas_pieces or (len(moving) >= 2 and moved)
            seg_id = mmsi[rows[0]] * id_base + ordinal
            for i in rows:
                row_id[i] = seg_id if keep else -1
            summaries.append(
                {
                    "seg_id": seg_id,
                    "seg_mmsi": mmsi[rows[0]],
                    "seg_track": track[rows[0]],
                    "start_ns": t_ns[rows[0]],
                    "end_ns": t_ns[rows[-1]],
                    "points": len(rows),
                    "duplicates": len(rows) - len(moving),
                    "length_m": sum(
                        haversine_m(lat[a], lon[a], lat[b], lon[b])
                        for a, b in itertools.pairwise(moving)
                    ),
                    "sog_mean_kn": sum(speeds) / len(speeds) if speeds else math.nan,
                    "sog_max_kn": max(speeds) if speeds else math.nan,
                    "lat_min": min(lat[i] for i in rows),
                    "lat_max": max(lat[i] for i in rows),
                    "lon_min": min(lon[i] for i in rows),
                    "lon_max": max(lon[i] for i in rows),
                    "noise": track_size[g, track[rows[0]]] < min_noise_points,
                    "keep": keep,
                }
            )
    return row_id, summaries
