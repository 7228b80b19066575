"""A fabricated but plausible day on the Makran coast, for the daily products.

Tracks: merchant ships along the shipping lanes of the shipped landmarks and
fishing boats drifting around points at sea (each boat stays within a radius
smaller than its point's distance to shore, so no fix is ever on land). Events:
about fifty of every kind with risk values, a busy fishing ground of low-risk
look-alikes, and one planted incident near Jiwani: vessel A goes dark just
off Jiwani, reappears about 35 km offshore where it meets vessel B, having
been seen loitering there beforehand.

Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed
gives the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from coastwatch import geo
from coastwatch.events import finalise_events
from coastwatch.schema import conform_tracks, sort_tracks, timestamps_ns

HOUR_NS = 3_600_000_000_000
MINUTE_NS = 60_000_000_000
KM_PER_DEG_LAT = 111.2

# The planted incident (positions at sea, outside every port area).
JIWANI_DARK = (24.96, 61.86)  # where A goes dark, about 10 km SE of Jiwani
MEETING = (24.66, 61.98)  # where A reappears and meets B, ~35 km offshore
VESSEL_A = 463_100_001
VESSEL_B = 422_100_002
LOOK_ALIKE_GROUND = (22.55, 61.20)  # offshore gillnetters, far from other events


@dataclass
class FabricatedDay:
    """Tables of one fabricated day."""

    day: pd.Timestamp
    tracks: pd.DataFrame
    events: pd.DataFrame
    incidents: pd.DataFrame
    planted_event_ids: list[str]
    planted_mmsis: list[int]


def _km_to_deg(lat: float, north_km, east_km):
    dlat = np.asarray(north_km) / KM_PER_DEG_LAT
    dlon = np.asarray(east_km) / (KM_PER_DEG_LAT * np.cos(np.radians(lat)))
    return dlat, dlon


def _sea_anchor(rng, box, min_shore_km=8.0):
    """A random point in ``box`` (lon0, lat0, lon1, lat1) at least that far out."""
    for _ in range(1000):
        lon = rng.uniform(box[0], box[2])
        lat = rng.uniform(box[1], box[3])
        shore = float(geo.shore_distance_km(lat, lon))
        if shore >= min_shore_km and not geo.in_port(lat, lon):
            return lat, lon, shore
    raise RuntimeError(f"no sea point found in {box}")


def _drift(rng, lat0, lon0, radius_km, times_s):
    """An Ornstein-Uhlenbeck drift around (lat0, lon0), never beyond radius_km."""
    n = len(times_s)
    steps = rng.normal(0.0, 0.08, size=(n, 2))  # km per step
    pos = np.zeros((n, 2))
    for i in range(1, n):
        pos[i] = 0.995 * pos[i - 1] + steps[i]
    dist = np.hypot(pos[:, 0], pos[:, 1])
    scale = np.where(dist > radius_km, radius_km / np.maximum(dist, 1e-9), 1.0)
    pos *= scale[:, None]
    dlat, dlon = _km_to_deg(lat0, pos[:, 0], pos[:, 1])
    return lat0 + dlat, lon0 + dlon


def _along(points_latlon, fractions):
    """Positions at the given fractions of a polyline's length (degrees)."""
    pts = np.asarray(points_latlon, dtype=float)
    seg = np.hypot(np.diff(pts[:, 0]), np.diff(pts[:, 1]))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    target = np.clip(fractions, 0.0, 1.0) * cum[-1]
    lat = np.interp(target, cum, pts[:, 0])
    lon = np.interp(target, cum, pts[:, 1])
    return lat, lon


def _lane_length_km(points_latlon) -> float:
    pts = np.asarray(points_latlon, dtype=float)
    dlat = np.diff(pts[:, 0]) * KM_PER_DEG_LAT
    dlon = np.diff(pts[:, 1]) * KM_PER_DEG_LAT * np.cos(np.radians(pts[:-1, 0]))
    return float(np.hypot(dlat, dlon).sum())


def _frame(mmsi, t_ns, lat, lon, sog, ship_type=0, cls="A"):
    n = len(t_ns)
    return pd.DataFrame(
        {
            "mmsi": np.full(n, mmsi, dtype=np.int64),
            "timestamp": pd.to_datetime(np.asarray(t_ns, dtype=np.int64), utc=True),
            "lat": lat,
            "lon": lon,
            "sog": np.asarray(sog, dtype=np.float32),
            "ship_type": ship_type,
            "transceiver_class": cls,
        }
    )


def _waypoint_track(mmsi, waypoints, interval_s, rng, day_ns):
    """Fixes interpolated between (hour_of_day, lat, lon) waypoints."""
    hours = np.array([w[0] for w in waypoints])
    t = np.arange(hours[0] * 3600, hours[-1] * 3600, interval_s, dtype=np.int64)
    t = np.minimum(t + rng.integers(0, 5, size=len(t)), 86_399)
    lat = np.interp(t / 3600.0, hours, [w[1] for w in waypoints])
    lon = np.interp(t / 3600.0, hours, [w[2] for w in waypoints])
    lat = lat + rng.normal(0, 0.0003, size=len(t))
    lon = lon + rng.normal(0, 0.0003, size=len(t))
    return t * 1_000_000_000 + day_ns, lat, lon


def fabricate_tracks(
    seed: int = 0,
    day: str = "2024-03-01",
    n_lane: int = 20,
    n_fishing: int = 40,
    interval_s: int = 60,
) -> pd.DataFrame:
    """Lane and fishing traffic for one UTC day as a canonical track table."""
    rng = np.random.default_rng(seed)
    day_ns = pd.Timestamp(day, tz="UTC").value
    lanes = [
        lane["points_latlon"]
        for lane in geo.landmarks()["shipping_lanes"]
        if "Karachi" in lane["name"]
    ]
    frames = []
    for k in range(n_lane):
        lane = lanes[k % len(lanes)]
        length = _lane_length_km(lane)
        speed_kn = rng.uniform(10.0, 15.0)
        start_s = int(rng.integers(0, 6 * 3600))
        t = np.arange(start_s, 86_400, interval_s, dtype=np.int64)
        t = np.minimum(t + rng.integers(0, 5, size=len(t)), 86_399)
        frac0 = rng.uniform(0.0, 0.3)
        frac = frac0 + (t - start_s) / 3600.0 * speed_kn * 1.852 / length
        keep = frac <= 1.0
        t, frac = t[keep], frac[keep]
        if k % 2:
            frac = 1.0 - frac
        lat, lon = _along(lane, frac)
        inside = lon >= 57.6  # the Hormuz lane starts west of the default box
        t, lat, lon = t[inside], lat[inside], lon[inside]
        off_lat, off_lon = _km_to_deg(24.5, rng.normal(0, 1.5), rng.normal(0, 1.5))
        frames.append(
            _frame(
                538_000_000 + k,
                t * 1_000_000_000 + day_ns,
                lat + off_lat,
                lon + off_lon,
                np.full(len(t), speed_kn),
                ship_type=70,
            )
        )
    grounds = [g["bbox_lonlat"] for g in geo.landmarks()["fishing_grounds"]]
    for k in range(n_fishing):
        lat0, lon0, shore = _sea_anchor(rng, grounds[k % len(grounds)])
        start_s = int(rng.integers(0, 4 * 3600))
        t = np.arange(start_s, 86_400, interval_s, dtype=np.int64)
        t = np.minimum(t + rng.integers(0, 5, size=len(t)), 86_399)
        lat, lon = _drift(rng, lat0, lon0, min(0.6 * shore, 10.0), t)
        sog = np.abs(rng.normal(1.5, 1.0, size=len(t)))
        frames.append(
            _frame(
                463_000_000 + k,
                t * 1_000_000_000 + day_ns,
                lat,
                lon,
                sog,
                ship_type=30,
                cls="B",
            )
        )
    # The planted incident's vessels: A from Jiwani out to the meeting point
    # (silent from 19:10 to 21:40), B from the west to the meeting point.
    lat_a, lon_a = JIWANI_DARK
    lat_m, lon_m = MEETING
    t_a, la_a, lo_a = _waypoint_track(
        VESSEL_A,
        [(14.0, 25.00, 61.84), (19.1, lat_a, lon_a), (19.1667, lat_a, lon_a)],
        interval_s,
        rng,
        day_ns,
    )
    t_a2, la_a2, lo_a2 = _waypoint_track(
        VESSEL_A,
        [(21.6667, lat_m, lon_m), (23.0, lat_m + 0.003, lon_m), (23.99, 24.80, 61.92)],
        interval_s,
        rng,
        day_ns,
    )
    frames.append(
        _frame(
            VESSEL_A,
            np.concatenate([t_a, t_a2]),
            np.concatenate([la_a, la_a2]),
            np.concatenate([lo_a, lo_a2]),
            np.full(len(t_a) + len(t_a2), 2.0),
            cls="B",
        )
    )
    t_b, la_b, lo_b = _waypoint_track(
        VESSEL_B,
        [
            (12.0, 24.50, 61.20),
            (19.0, lat_m - 0.01, lon_m - 0.02),
            (21.6, lat_m, lon_m + 0.002),
            (23.0, lat_m + 0.003, lon_m + 0.002),
            (23.99, 24.45, 61.40),
        ],
        interval_s,
        rng,
        day_ns,
    )
    frames.append(_frame(VESSEL_B, t_b, la_b, lo_b, np.full(len(t_b), 3.0), cls=""))
    tracks = conform_tracks(pd.concat(frames, ignore_index=True))
    return sort_tracks(tracks)


def _event(kind, mmsi, start_ns, hours, lat, lon, risk, reasons, **extra):
    row = {
        "kind": kind,
        "mmsi": int(mmsi),
        "start": pd.Timestamp(int(start_ns), tz="UTC"),
        "end": pd.Timestamp(int(start_ns) + round(hours * 3600) * 10**9, tz="UTC"),
        "lat": float(lat),
        "lon": float(lon),
        "end_lat": float(extra.pop("end_lat", lat)),
        "end_lon": float(extra.pop("end_lon", lon)),
        "risk": float(risk),
        "reasons": reasons,
    }
    row.update(extra)
    return row


def fabricate_events(tracks: pd.DataFrame, seed: int = 0, day="2024-03-01"):
    """About fifty events on the fabricated tracks plus the planted incident.

    Returns
    -------
    events : pandas.DataFrame
        Finalised event table.
    incidents : pandas.DataFrame
        One incident: ``incident_id``, ``risk``, ``event_ids`` (';'-separated),
        ``mmsis``, ``start``, ``end``, ``lat``, ``lon``, ``summary``.
    planted : list of str
        Event ids of the planted incident's events.
    """
    rng = np.random.default_rng(seed + 1)
    day_ns = pd.Timestamp(day, tz="UTC").value
    fishing = tracks[tracks["mmsi"].between(463_000_000, 463_099_999)]
    by_vessel = dict(list(fishing.groupby("mmsi", sort=True)))
    vessels = sorted(by_vessel)
    rows = []

    def fix(mmsi, hour):
        g = by_vessel[mmsi]
        t = day_ns + int(hour * HOUR_NS)
        i = min(np.searchsorted(timestamps_ns(g), t), len(g) - 1)
        return g["lat"].iloc[i], g["lon"].iloc[i], g["timestamp"].iloc[i].value

    for _ in range(14):
        m = vessels[rng.integers(len(vessels))]
        lat, lon, t = fix(m, rng.uniform(4, 18))
        rows.append(
            _event(
                "loitering",
                m,
                t,
                rng.uniform(1, 5),
                lat,
                lon,
                rng.uniform(0.05, 0.45),
                "slow for hours away from port",
                mean_speed_kn=rng.uniform(0.3, 1.8),
            )
        )
    for _ in range(12):
        m = vessels[rng.integers(len(vessels))]
        lat, lon, t = fix(m, rng.uniform(2, 16))
        hours = rng.uniform(2, 6)
        elat, elon = lat + rng.normal(0, 0.08), lon + rng.normal(0, 0.08)
        if geo.is_land(elat, elon):
            elat, elon = lat, lon
        rows.append(
            _event(
                "dark_gap",
                m,
                t,
                hours,
                lat,
                lon,
                rng.uniform(0.1, 0.6),
                "no position for hours at sea",
                end_lat=elat,
                end_lon=elon,
            )
        )
    for _ in range(8):
        i, j = sorted(rng.choice(len(vessels), 2, replace=False))
        lat, lon, t = fix(vessels[i], rng.uniform(3, 20))
        rows.append(
            _event(
                "rendezvous",
                vessels[i],
                t,
                rng.uniform(0.5, 2),
                lat,
                lon,
                rng.uniform(0.1, 0.55),
                "two vessels close and slow",
                other_mmsi=vessels[j],
                min_separation_m=rng.uniform(20, 400),
            )
        )
    for _ in range(4):
        i, j = sorted(rng.choice(len(vessels), 2, replace=False))
        lat, lon, t = fix(vessels[i], rng.uniform(3, 18))
        rows.append(
            _event(
                "dark_rendezvous",
                vessels[i],
                t,
                rng.uniform(1, 3),
                lat,
                lon,
                rng.uniform(0.2, 0.6),
                "both dark, reachable areas meet",
                other_mmsi=vessels[j],
                area_km2=rng.uniform(5, 80),
            )
        )
    # A busy fishing ground: many low-risk look-alikes close together.
    glat, glon = LOOK_ALIKE_GROUND
    for k in range(12):
        dlat, dlon = _km_to_deg(glat, rng.normal(0, 3), rng.normal(0, 3))
        rows.append(
            _event(
                "loitering",
                463_090_000 + k,
                day_ns + int(rng.uniform(0, 10) * HOUR_NS),
                rng.uniform(1, 8),
                glat + dlat,
                glon + dlon,
                rng.uniform(0.03, 0.09),
                "slow for hours; fishing ground at night",
            )
        )
    for _ in range(3):
        i = int(rng.integers(len(vessels)))
        lat, lon, t = fix(vessels[i], rng.uniform(2, 20))
        rows.append(
            _event(
                "drift",
                vessels[i],
                t,
                rng.uniform(0.3, 2),
                lat,
                lon,
                rng.uniform(0.05, 0.3),
                "drifted, course far from heading",
                distance_km=rng.uniform(0.6, 4),
            )
        )
    # The planted incident.
    lat_a, lon_a = JIWANI_DARK
    lat_m, lon_m = MEETING
    planted = [
        _event(
            "loitering",
            VESSEL_B,
            day_ns + 19 * HOUR_NS,
            2.6,
            lat_m - 0.005,
            lon_m - 0.01,
            0.62,
            "slow for 2.6 h, 35 km offshore at night; no static data",
        ),
        _event(
            "dark_gap",
            VESSEL_A,
            day_ns + (19 * 60 + 10) * MINUTE_NS,
            2.5,
            lat_a,
            lon_a,
            0.83,
            "dark 2.5 h at night near Jiwani while neighbours were heard",
            end_lat=lat_m,
            end_lon=lon_m,
            distance_km=35.0,
            implied_speed_kn=7.6,
        ),
        _event(
            "rendezvous",
            VESSEL_B,
            day_ns + (21 * 60 + 40) * MINUTE_NS,
            1.3,
            lat_m,
            lon_m,
            0.91,
            "met an unidentified vessel 35 km offshore right after a dark gap",
            other_mmsi=VESSEL_A,
            min_separation_m=40.0,
        ),
    ]
    events = finalise_events(pd.DataFrame(rows + planted))
    planted_ids = events.loc[
        (events["mmsi"].isin([VESSEL_A, VESSEL_B]))
        & (events["start"] >= pd.Timestamp(day_ns + 19 * HOUR_NS, tz="UTC")),
        "event_id",
    ].tolist()
    members = events[events["event_id"].isin(planted_ids)]
    incidents = pd.DataFrame(
        {
            "incident_id": ["I-20240301-001"],
            "risk": [0.96],
            "event_ids": [";".join(members["event_id"])],
            "mmsis": [f"{VESSEL_A};{VESSEL_B}"],
            "start": [members["start"].min()],
            "end": [members["end"].max()],
            "lat": [lat_m],
            "lon": [lon_m],
            "summary": [
                (
                    f"{VESSEL_A} went dark at 19:10 near Jiwani, met {VESSEL_B} "
                    "35 km offshore at 21:40, stayed with it until 23:00"
                )
            ],
        }
    )
    return events, incidents, planted_ids


def fabricate_day(seed: int = 0, day: str = "2024-03-01", **track_options):
    """Tracks, events and the planted incident of one fabricated day."""
    tracks = fabricate_tracks(seed, day, **track_options)
    events, incidents, planted = fabricate_events(tracks, seed, day)
    return FabricatedDay(
        day=pd.Timestamp(day),
        tracks=tracks,
        events=events,
        incidents=incidents,
        planted_event_ids=planted,
        planted_mmsis=[VESSEL_A, VESSEL_B],
    )


def fabricate_bulk_tracks(n_rows: int, seed: int = 0, day: str = "2024-03-01"):
    """About ``n_rows`` fixes of drifting vessels, fully vectorised (benchmarks).

    Vessels drift around random points of the Makran box; fixes on land are
    kept (only timing matters here).
    """
    rng = np.random.default_rng(seed)
    per_vessel = 1440
    n_vessels = max(1, n_rows // per_vessel)
    day_ns = pd.Timestamp(day, tz="UTC").value
    t = np.arange(per_vessel, dtype=np.int64) * 60 * 1_000_000_000 + day_ns
    lat0 = rng.uniform(22.0, 25.0, n_vessels)
    lon0 = rng.uniform(57.5, 68.0, n_vessels)
    steps = rng.normal(0.0, 0.002, size=(n_vessels, per_vessel, 2)).cumsum(axis=1)
    return pd.DataFrame(
        {
            "mmsi": np.repeat(
                np.arange(n_vessels, dtype=np.int64) + 412_000_000, per_vessel
            ),
            "timestamp": pd.to_datetime(np.tile(t, n_vessels), utc=True),
            "lat": (lat0[:, None] + steps[:, :, 0]).ravel(),
            "lon": (lon0[:, None] + steps[:, :, 1]).ravel(),
        }
    )


@lru_cache(maxsize=4)
def _cached(seed: int, day: str) -> FabricatedDay:
    return fabricate_day(seed, day)


def shared_day(seed: int = 0, day: str = "2024-03-01") -> FabricatedDay:
    """:func:`fabricate_day`, made once per process; tables are fresh copies."""
    made = _cached(seed, day)
    return FabricatedDay(
        day=made.day,
        tracks=made.tracks.copy(),
        events=made.events.copy(),
        incidents=made.incidents.copy(),
        planted_event_ids=list(made.planted_event_ids),
        planted_mmsis=list(made.planted_mmsis),
    )
