"""Who is at sea and what they do: the simulated Makran fleet and incidents.

Each planner gives one vessel a keyframed :class:`~coastwatch._sim_paths.Path`
over the planning horizon (two days of spin-up before the scenario starts, so
that at its first instant vessels are already anchored, drifting, towing or
half-way along a lane) and, for AIS carriers, the times its transmitter is
switched off. Counts, speeds and timings follow the scenario notes of the
project (background traffic, planted incidents, look-alikes); where those are
silent the values are common practice, stated in the code.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _sim_geo as sg
from . import geo
from ._sim_paths import (
    ACT,
    ACTIVITIES,
    AT_ANCHOR,
    FISHING,
    MOORED,
    NOT_UNDER_COMMAND,
    UNDERWAY,
    Path,
)
from .sun import solar_elevation_deg

HOUR = 3600.0
DAY = 86400.0
SPIN_UP_S = 2 * DAY
NM_M = 1852.0

# Background traffic per day in the analysis box (scenario notes, 4.2).
BASE_COUNTS = {
    "transit": 65,
    "karachi_call": 28,
    "karachi_anchored": 8,
    "gwadar_call": 1,
    "chabahar_call": 2,
    "pilot": 4,
    "patrol": 3,
    "gillnetter": 60,
    "trawler": 40,
    "inshore": 120,
    "cargo_dhow": 5,
    "speedboat": 40,
}
# Groups drawn afresh each day (ships passing through); the rest is the
# local fleet, the same boats every day.
TRANSIENT_GROUPS = ("transit", "karachi_call", "gwadar_call", "chabahar_call")

INCIDENT_KINDS = (
    "mother_ship_beach_run",
    "dark_border_transit",
    "night_loiter",
    "ais_rendezvous",
    "dark_meeting",
)
INCIDENT_VESSELS = {
    "mother_ship_beach_run": 2,
    "dark_border_transit": 1,
    "night_loiter": 1,
    "ais_rendezvous": 2,
    "dark_meeting": 2,
}

# Pseudo identities of vessels without AIS: ten digits, outside the MMSI space.
PSEUDO_ID_BASE = 1_000_000_000

# Terrestrial receivers.
RECEIVERS = (
    ("KARACHI", 24.84, 66.98),
    ("ORMARA", 25.19, 64.69),
    ("PASNI", 25.265, 63.47),
    ("GWADAR", 25.126, 62.323),
    ("JIWANI", 25.05, 61.75),
    ("CHABAHAR", 25.29, 60.64),
)

_BOX = geo.REGIONS["makran"]
FISHING_ACTS = [
    ACT[a]
    for a in ("gillnet_set", "gillnet_drift", "gillnet_haul", "trawl", "trawl_turn")
]


@dataclass
class Vessel:
    """One simulated vessel: identity, static data, path and transmitter."""

    index: int
    mmsi: int
    name: str
    group: str
    vessel_type: str
    ship_type: int
    length: float
    ais_class: str
    path: Path
    off: list = field(default_factory=list)  # (start_s, end_s, cause)
    incident_id: str = ""
    role: str = ""
    home: str = ""
    team: int = -1  # vessels fishing as one team share a team id
    team_kind: str = ""
    illicit_background: bool = False


@dataclass
class Incident:
    """A planted illicit incident."""

    incident_id: str
    kind: str
    start: float
    end: float
    lat: float
    lon: float
    region: str
    vessels: list
    roles: list
    description: str


# --------------------------------------------------------------------------
# Identities


_MIDS = {
    "PAK": (463,),
    "IRN": (422,),
    "OMN": (461,),
    "ARE": (470,),
    "IND": (419,),
    "FLAG": (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 636, 538, 563, 564,
             565, 215, 229, 248, 249, 256, 477, 412, 413, 414, 311, 308),
}  # fmt: skip

_SHIP_WORDS = (
    "NORDIC", "PACIFIC", "ATLANTIC", "OCEAN", "GOLDEN", "SILVER", "EASTERN",
    "GULF", "ARABIAN", "CORAL", "JADE", "PEARL", "STAR", "SPIRIT", "GLORY",
    "HARMONY", "FORTUNE", "VOYAGER", "PIONEER", "MERIDIAN", "HORIZON", "BREEZE",
    "EAGLE", "FALCON", "PHOENIX", "LOTUS", "ORCHID", "SUMMIT", "UNITY", "NOBLE",
)  # fmt: skip
_LOCAL_WORDS = (
    "AL MADINA", "AL NOOR", "AL HUSSAINI", "GHAZI", "SAHIL", "SEA PEARL", "BADAR",
    "AL REHMAN", "KHYBER", "MAKRAN", "AL KARIM", "DARYA", "MOUJ", "SHAHEEN",
    "AL FAISAL", "NOOR E SAHIL", "AL MUSTAFA", "JEHANGIR", "AL ABBAS", "SONMIANI",
)  # fmt: skip


class _Identities:
    """Unique MMSIs, pseudo ids and names, drawn from one generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[int] = set()
        self.pseudo = 0

    def mmsi(self, country: str) -> int:
        from .schema import mmsi_is_valid

        mids = _MIDS[country]
        while True:
            mid = int(mids[self.rng.integers(len(mids))])
            value = mid * 1_000_000 + int(self.rng.integers(100_000, 1_000_000))
            if value not in self.used and bool(mmsi_is_valid(np.array([value]))[0]):
                self.used.add(value)
                return value

    def invalid_mmsi(self) -> int:
        # An unassigned MID: a made-up identity, kept by readers and flagged.
        while True:
            value = 100_000_000 + int(self.rng.integers(1_000_000, 99_000_000))
            if value not in self.used:
                self.used.add(value)
                return value

    def pseudo_id(self) -> int:
        self.pseudo += 1
        return PSEUDO_ID_BASE + self.pseudo

    def ship_name(self) -> str:
        a, b = self.rng.choice(len(_SHIP_WORDS), 2, replace=False)
        return f"{_SHIP_WORDS[a]} {_SHIP_WORDS[b]}"

    def local_name(self) -> str:
        word = _LOCAL_WORDS[self.rng.integers(len(_LOCAL_WORDS))]
        return f"{word} {int(self.rng.integers(1, 99))}"


# --------------------------------------------------------------------------
# Geography of the fleet


def _densify(points: np.ndarray, step_m: float) -> np.ndarray:
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        d = float(sg.haversine_m(a[0], a[1], b[0], b[1]))
        n = max(1, math.ceil(d / step_m))
        f = np.arange(1, n + 1) / n
        out.extend(
            np.column_stack([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f])
        )
    return np.array(out)


def _clip_to_box(points: np.ndarray) -> np.ndarray:
    inside = np.asarray(_BOX.contains(points[:, 0], points[:, 1]))
    idx = np.flatnonzero(inside)
    if len(idx) == 0:
        return points[:0]
    # The longest contiguous inside stretch.
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(idx) - 1]])
    k = int(np.argmax(ends - starts))
    return points[idx[starts[k]] : idx[ends[k]] + 1]


class Geography:
    """Lanes, harbours, anchorages and grounds used by the planners."""

    FAIRWAY = (24.77, 66.95)
    QASIM_MOUTH = (24.663, 67.151)
    QASIM_BERTH = (24.748, 67.251)
    RAS_AL_HADD_EXIT = (22.0, 59.9)
    GWATAR_WEST_OF_LINE = (25.02, 61.25)

    def __init__(self):
        lanes = {
            lane["name"]: np.array(lane["points_latlon"])
            for lane in geo.landmarks()["shipping_lanes"]
        }
        l1 = next(v for k, v in lanes.items() if k.startswith("Hormuz TSS"))
        l2 = next(v for k, v in lanes.items() if k.startswith("Hormuz - Karachi"))
        l3 = next(v for k, v in lanes.items() if k.startswith("Hormuz - Gujarat"))
        l4 = next(v for k, v in lanes.items() if k.startswith("Ras al Hadd - Karachi"))
        split = int(
            np.flatnonzero(
                (np.abs(l2[:, 0] - 24.6) < 1e-9) & (np.abs(l2[:, 1] - 63.3) < 1e-9)
            )[0]
        )
        ext = np.array([self.RAS_AL_HADD_EXIT])
        raw = {
            "hormuz_india": np.vstack([l2[: split + 1], l3[1:]]),
            "hormuz_rashadd": np.vstack([l1, ext]),
            "hormuz_karachi": l2,
            "rashadd_karachi": np.vstack([ext, l4]),
            "karachi_india": np.array(
                [[24.77, 66.95], [24.45, 67.0], [23.0, 67.8], [22.4, 68.2]]
            ),
        }
        self.lanes = {k: _clip_to_box(_densify(v, 2000.0)) for k, v in raw.items()}
        self.harbours = self._harbours()
        self.anchorage_spots = {
            "karachi": sg.sea_points_near(24.73, 66.88, 6.0, 3.0, 50.0, step_deg=0.004),
            "gwadar": sg.sea_points_near(25.14, 62.37, 3.5, 1.0, 50.0, step_deg=0.002),
            "chabahar": sg.sea_points_near(
                25.33, 60.52, 5.5, 1.5, 50.0, step_deg=0.003
            ),
        }
        in_area = geo.in_port(
            self.anchorage_spots["karachi"][:, 0], self.anchorage_spots["karachi"][:, 1]
        )
        self.anchorage_spots["karachi"] = self.anchorage_spots["karachi"][in_area]
        ls = geo.landing_sites().set_index("name")
        self.beaches = {
            name: sg.beach_point(row.lat, row.lon) for name, row in ls.iterrows()
        }
        # A few more launch points along the Dasht delta shore, for the fuel runs.
        delta = ls.loc["Dasht river delta (east shore of Gwatar Bay)"]
        pts = sg.sea_points_near(delta.lat, delta.lon, 6.0, 0.3, 0.6, step_deg=0.002)
        self.delta_spots = _routable(pts, delta.lat, delta.lon, keep=10)
        gw = ls.loc["Gwatar (Iranian shore of Gwatar Bay)"]
        pts = sg.sea_points_near(gw.lat, gw.lon, 4.0, 0.3, 0.6, step_deg=0.002)
        self.gwatar_spots = _routable(pts, gw.lat, gw.lon, keep=6)

    @staticmethod
    def _harbours() -> dict:
        areas = geo.port_areas().set_index("name")
        spec = {
            "Karachi": "Karachi port (Keamari / Manora harbour)",
            "Damb": "Damb (Sonmiani)",
            "Ormara": "Ormara fish harbour",
            "Jinnah Naval Base": "Jinnah Naval Base, Ormara",
            "Pasni": "Pasni fish harbour",
            "Gwadar": "Gwadar port",
            "Jiwani": "Jiwani",
            "Chabahar": "Chabahar port (Shahid Beheshti)",
            "Konarak": "Konarak",
        }
        out = {}
        for short, name in spec.items():
            row = areas.loc[name]
            berths = sg.sea_points_near(row.lat, row.lon, row.radius_km, 0.3, 1.5)
            berths = berths[geo.in_port(berths[:, 0], berths[:, 1])]
            out[short] = {
                "lat": row.lat,
                "lon": row.lon,
                "berths": berths,
                "in_port": True,
            }
        # Launch points outside any port area, for boats without AIS.
        # The Indus delta creeks are not in the coastline data: Keti Bandar
        # boats launch from the nearest beach joined to the open sea.
        keti = sg.sea_points_near(24.14, 67.45, 30.0, 0.3, 0.55, step_deg=0.002)
        out["Keti Bandar"] = {
            "lat": 24.14,
            "lon": 67.45,
            "berths": _routable(keti, 24.14, 67.45, keep=1),
            "in_port": False,
        }
        sites = geo.landing_sites().set_index("name")
        for short, name in {
            "Kalmat": "Kalmat (Khor Kalmat mouth)",
            "Kund Malir": "Kund Malir",
            "Sur Bandar": "Sur Bandar",
            "Pishukan": "Pishukan",
        }.items():
            lat, lon = float(sites.loc[name, "lat"]), float(sites.loc[name, "lon"])
            pts = sg.sea_points_near(lat, lon, 6.0, 0.3, 0.6, step_deg=0.001)
            out[short] = {
                "lat": lat,
                "lon": lon,
                "berths": _routable(pts, lat, lon),
                "in_port": False,
            }
        return out

    def berth(self, harbour: str, rng: np.random.Generator) -> tuple[float, float]:
        berths = self.harbours[harbour]["berths"]
        k = int(rng.integers(len(berths)))
        return float(berths[k, 0]), float(berths[k, 1])


# --------------------------------------------------------------------------
# Time of day


class Clock:
    """Scenario time (seconds from its first instant) and nights."""

    def __init__(self, start: pd.Timestamp, days: int):
        self.start = start
        self.days = days
        self.end = days * DAY
        # Civil dusk and dawn at 25 N 63 E, the middle of the coast.
        minutes = np.arange(-4 * 1440, (days + 10) * 1440)
        t_ns = start.value + minutes.astype(np.int64) * 60_000_000_000
        elev = solar_elevation_deg(t_ns, 25.0, 63.0)
        dark = elev < -6.0
        falls = np.flatnonzero(~dark[:-1] & dark[1:]) + 1
        rises = np.flatnonzero(dark[:-1] & ~dark[1:]) + 1
        self.dusks = minutes[falls] * 60.0
        self.dawns = minutes[rises] * 60.0

    def dusk(self, day: int) -> float:
        """Civil dusk on ``day`` (0 = the scenario's first day), seconds."""
        return float(self.dusks[np.searchsorted(self.dusks, day * DAY)])

    def dawn_after(self, t: float) -> float:
        return float(self.dawns[np.searchsorted(self.dawns, t)])

    def day_start(self, day: int) -> float:
        return day * DAY


# --------------------------------------------------------------------------
# Counts


def scale_counts(total: int) -> dict[str, int]:
    """Split ``total`` vessels over the groups in the proportions of a day."""
    base = sum(BASE_COUNTS.values())
    raw = {k: total * v / base for k, v in BASE_COUNTS.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    left = total - sum(counts.values())
    order = sorted(raw, key=lambda k: (-(raw[k] - counts[k]), k))
    for k in order[:left]:
        counts[k] += 1
    return counts


# --------------------------------------------------------------------------
# The planner


class FleetPlanner:
    """Plans every vessel of a scenario."""

    def __init__(self, seed: int, clock: Clock, geography: Geography):
        self.seed = seed
        self.clock = clock
        self.geo = geography
        self.ids = _Identities(self._rng("identities"))
        self.vessels: list[Vessel] = []
        self.incidents: list[Incident] = []
        self.pilot_jobs: list = []  # (start, end, ship path)
        self.teams = 0

    # -- helpers --------------------------------------------------------------

    def _rng(self, *key) -> np.random.Generator:
        """An independent generator per (purpose, index...), stable across runs."""
        words = [self.seed]
        for k in key:
            if isinstance(k, str):
                words.append(int.from_bytes(k.encode()[:8].ljust(8, b"\0"), "little"))
            else:
                words.append(int(k) + 1_000_000)
        return np.random.default_rng(words)

    def _add(self, **kwargs) -> Vessel:
        vessel = Vessel(index=len(self.vessels), **kwargs)
        self.vessels.append(vessel)
        return vessel

    def _horizon(self) -> tuple[float, float]:
        return -SPIN_UP_S, self.clock.end + 6 * HOUR

    # -- ships on the lanes -----------------------------------------------------

    def _lane_offsets(
        self, lane: np.ndarray, rng, side: float, fade_end: bool, fade_start: bool
    ):
        """Waypoints every ~10 km along a lane with a wandering cross-track offset."""
        pts = lane[::5] if len(lane) > 10 else lane
        if not np.allclose(pts[-1], lane[-1]):
            pts = np.vstack([pts, lane[-1]])
        n = len(pts)
        along = np.concatenate(
            [
                [0.0],
                np.cumsum(
                    sg.haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
                ),
            ]
        )
        base = rng.uniform(1.0, 4.0) * NM_M
        wobble = (
            0.4
            * NM_M
            * np.sin(
                2 * np.pi * along / rng.uniform(80e3, 200e3) + rng.uniform(0, 2 * np.pi)
            )
        )
        offset = side * (base + wobble)
        if fade_end:
            offset *= np.clip((along[-1] - along) / 30e3, 0.0, 1.0)
        if fade_start:
            offset *= np.clip(along / 30e3, 0.0, 1.0)
        brg = np.empty(n)
        brg[:-1] = sg.bearing_deg(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        brg[-1] = brg[-2] if n > 1 else 0.0
        # Starboard of the direction of travel.
        la, lo = sg.destination(pts[:, 0], pts[:, 1], brg + 90.0, np.abs(offset))
        la = np.where(
            offset >= 0,
            la,
            sg.destination(pts[:, 0], pts[:, 1], brg - 90.0, np.abs(offset))[0],
        )
        lo = np.where(
            offset >= 0,
            lo,
            sg.destination(pts[:, 0], pts[:, 1], brg - 90.0, np.abs(offset))[1],
        )
        return np.column_stack([la, lo])

    def _ship_identity(self, rng, kind: str | None = None) -> dict:
        kind = kind or str(
            rng.choice(
                ["tanker", "bulk carrier", "container ship", "general cargo"],
                p=[0.4, 0.3, 0.2, 0.1],
            )
        )
        ship_type = {
            "tanker": 80,
            "bulk carrier": 70,
            "container ship": 71,
            "general cargo": 70,
        }[kind]
        length = {
            "tanker": (180, 330),
            "bulk carrier": (150, 290),
            "container ship": (170, 330),
            "general cargo": (90, 180),
        }[kind]
        return {
            "mmsi": self.ids.mmsi("FLAG"),
            "name": self.ids.ship_name(),
            "vessel_type": kind,
            "ship_type": ship_type,
            "length": float(round(rng.uniform(*length))),
            "ais_class": "A",
        }

    def plan_transit(self, k: int, day: int) -> None:
        rng = self._rng("transit", day, k)
        lane_name = str(
            rng.choice(["hormuz_india", "hormuz_rashadd"], p=[40 / 65, 25 / 65])
        )
        lane = self.geo.lanes[lane_name]
        if rng.uniform() < 0.5:
            lane = lane[::-1]
        pts = self._lane_offsets(lane, rng, side=1.0, fade_end=False, fade_start=False)
        speed = rng.uniform(11.0, 15.0)
        length = sg.route_length_m(pts)
        duration = length / (speed * sg.KNOT_M_S)
        # Present in the box at some time of this day.
        day0 = day * DAY
        entry = rng.uniform(day0 - duration, day0 + DAY)
        path = Path.start(entry, *pts[0])
        path.sail(pts, speed, UNDERWAY, "transit", rng)
        path.vanish(path.now + 60.0)
        self._add(group="transit", path=path, home="", **self._ship_identity(rng))

    def plan_karachi_call(self, k: int, day: int) -> None:
        rng = self._rng("karachi", day, k)
        ident = self._ship_identity(rng)
        arriving = rng.uniform() < 0.5
        to_qasim = rng.uniform() < 0.3
        g = self.geo
        day0 = day * DAY
        if arriving:
            lane_name = str(
                rng.choice(["hormuz_karachi", "rashadd_karachi"], p=[0.6, 0.4])
            )
            lane = g.lanes[lane_name]
            pts = self._lane_offsets(
                lane, rng, side=1.0, fade_end=True, fade_start=False
            )
            # Slow down over the last 5 nm (separate leg).
            speed = rng.uniform(11.5, 14.0)
            arrive = rng.uniform(day0 - 4 * HOUR, day0 + DAY)
            length = sg.route_length_m(pts)
            path = Path.start(arrive - length / (speed * sg.KNOT_M_S) - 600.0, *pts[0])
            along = np.concatenate(
                [
                    [0.0],
                    np.cumsum(
                        sg.haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
                    ),
                ]
            )
            cut = int(np.searchsorted(along, along[-1] - 5 * NM_M))
            path.sail(pts[: max(cut, 1)], speed, UNDERWAY, "transit", rng)
            path.sail(
                pts[max(cut - 1, 0) :], rng.uniform(6.0, 8.0), UNDERWAY, "port_approach"
            )
            if to_qasim:
                path.go(
                    *g.QASIM_MOUTH, rng.uniform(6.0, 8.0), UNDERWAY, "port_approach"
                )
                path.stay(path.now + rng.uniform(10, 20) * 60, UNDERWAY, "pilot_wait")
                path.go(
                    *g.QASIM_BERTH, rng.uniform(5.0, 6.0), UNDERWAY, "port_approach"
                )
                path.stay(self._horizon()[1], MOORED, "moored")
            else:
                if rng.uniform() < 0.5:
                    spot = self._anchor_spot("karachi", rng)
                    path.go(*spot, 6.0, UNDERWAY, "port_approach")
                    self._swing(path, path.now + rng.uniform(6, 48) * HOUR, rng)
                    path.go(
                        *g.FAIRWAY, rng.uniform(5.0, 7.0), UNDERWAY, "port_approach"
                    )
                self._pilot_stop(path, rng)
                path.go(
                    *g.berth("Karachi", rng),
                    rng.uniform(5.0, 6.0),
                    UNDERWAY,
                    "port_approach",
                )
                path.stay(self._horizon()[1], MOORED, "moored")
        else:
            depart = rng.uniform(day0, day0 + DAY)
            start = g.QASIM_BERTH if to_qasim else g.berth("Karachi", rng)
            path = Path.start(-SPIN_UP_S, *start)
            path.stay(depart, MOORED, "moored")
            if to_qasim:
                path.go(
                    *g.QASIM_MOUTH, rng.uniform(5.0, 6.0), UNDERWAY, "port_approach"
                )
            else:
                path.go(*g.FAIRWAY, rng.uniform(5.0, 6.0), UNDERWAY, "port_approach")
                # The pilot leaves the ship at the fairway, under way at 4-6 kn.
                t0 = path.now
                dest = g.lanes["karachi_india"][3]
                heading = float(sg.bearing_deg(*g.FAIRWAY, *dest))
                lat, lon = sg.destination(
                    *g.FAIRWAY, heading, rng.uniform(0.8, 1.5) * NM_M
                )
                path.go(
                    float(lat),
                    float(lon),
                    rng.uniform(4.0, 6.0),
                    UNDERWAY,
                    "pilot_boarding",
                )
                self.pilot_jobs.append((t0 + 60.0, path.now - 60.0, path))
            lane_name = str(
                rng.choice(
                    ["hormuz_karachi", "rashadd_karachi", "karachi_india"],
                    p=[0.45, 0.3, 0.25],
                )
            )
            lane = g.lanes[lane_name]
            if lane_name != "karachi_india":
                lane = lane[::-1]
            pts = self._lane_offsets(
                lane, rng, side=1.0, fade_end=False, fade_start=True
            )
            path.go(*pts[0], rng.uniform(8.0, 11.0), UNDERWAY, "transit")
            path.sail(pts, rng.uniform(11.5, 14.5), UNDERWAY, "transit", rng)
            path.vanish(path.now + 60.0)
        self._add(group="karachi_call", path=path, home="Karachi", **ident)

    def _pilot_stop(self, path: Path, rng) -> None:
        """Stop at the fairway for the pilot; the pilot boat comes alongside."""
        wait = rng.uniform(10, 20) * 60
        board = rng.uniform(5, 15) * 60
        t0 = path.now
        centre = path.pos
        path.wander(
            t0 + wait - board, centre, 80.0, (0.2, 0.8), rng, UNDERWAY, "pilot_wait"
        )
        path.wander(
            t0 + wait, centre, 80.0, (0.2, 0.8), rng, UNDERWAY, "pilot_boarding"
        )
        self.pilot_jobs.append((t0 + wait - board, t0 + wait, path))

    def _anchor_spot(self, where: str, rng) -> tuple[float, float]:
        spots = self.geo.anchorage_spots[where]
        k = int(rng.integers(len(spots)))
        return float(spots[k, 0]), float(spots[k, 1])

    def _swing(
        self, path: Path, until: float, rng, radius_m: float | None = None
    ) -> None:
        """Swing around an anchor with the tide (about 0.1 kn), status 1."""
        radius = radius_m if radius_m is not None else rng.uniform(50.0, 200.0)
        alat, alon = path.pos
        phase = rng.uniform(0, 2 * np.pi)
        base = rng.uniform(0, 360.0)
        t = path.now
        step = 1200.0  # the first leg drops back onto the cable over 20 minutes
        while t < until:
            t = min(t + step, until)
            step = 600.0
            ang = math.radians(
                base
                + 150.0 * math.sin(2 * math.pi * t / 44_700.0 + phase)
                + rng.normal(0, 3.0)
            )
            lat, lon = sg.offset_m(
                alat, alon, radius * math.sin(ang), radius * math.cos(ang)
            )
            path.to(t, float(lat), float(lon), AT_ANCHOR, "anchorage_wait")

    def plan_karachi_anchored(self, k: int) -> None:
        rng = self._rng("anchored", k)
        ident = self._ship_identity(rng)
        spot = self._anchor_spot("karachi", rng)
        path = Path.start(-SPIN_UP_S, *spot)
        leave = (
            rng.uniform(0, self.clock.end)
            if rng.uniform() < 0.3
            else self._horizon()[1]
        )
        self._swing(path, leave, rng)
        if leave < self._horizon()[1]:
            path.go(*self.geo.FAIRWAY, rng.uniform(5.0, 7.0), UNDERWAY, "port_approach")
            self._pilot_stop(path, rng)
            path.go(*self.geo.berth("Karachi", rng), 5.5, UNDERWAY, "port_approach")
            path.stay(self._horizon()[1], MOORED, "moored")
        self._add(group="karachi_anchored", path=path, home="Karachi", **ident)

    def plan_port_call(self, port: str, k: int, day: int) -> None:
        rng = self._rng(port, day, k)
        ident = self._ship_identity(
            rng, str(rng.choice(["general cargo", "bulk carrier", "tanker"]))
        )
        lane = self.geo.lanes["hormuz_karachi"]
        if rng.uniform() < 0.5:
            lane = lane[::-1]
        pts = self._lane_offsets(lane, rng, side=1.0, fade_end=False, fade_start=False)
        harbour = "Gwadar" if port == "gwadar" else "Chabahar"
        hb = self.geo.harbours[harbour]
        dist = sg.haversine_m(pts[:, 0], pts[:, 1], hb["lat"], hb["lon"])
        leave_at = int(np.argmin(dist))
        speed = rng.uniform(11.0, 14.0)
        arrive = rng.uniform(day * DAY - 2 * HOUR, (day + 1) * DAY)
        approach = sg.route_length_m(pts[: leave_at + 1]) + float(dist[leave_at])
        path = Path.start(arrive - approach / (speed * sg.KNOT_M_S), *pts[0])
        path.sail(pts[: leave_at + 1], speed, UNDERWAY, "transit", rng)
        spot = self._anchor_spot(port, rng)
        path.go(*spot, rng.uniform(7.0, 9.0), UNDERWAY, "port_approach")
        hours = (2, 12) if port == "gwadar" else (2, 24)
        self._swing(path, path.now + rng.uniform(*hours) * HOUR, rng)
        path.go(*self.geo.berth(harbour, rng), 5.0, UNDERWAY, "port_approach")
        path.stay(self._horizon()[1], MOORED, "moored")
        self._add(group=f"{port}_call", path=path, home=harbour, **ident)

    # -- harbour craft ----------------------------------------------------------

    def plan_pilots(self, count: int) -> None:
        if count <= 0:
            return
        boats = []
        for k in range(count):
            rng = self._rng("pilot", k)
            berth = self.geo.berth("Karachi", rng)
            boats.append(
                {
                    "path": Path.start(-SPIN_UP_S, *berth),
                    "berth": berth,
                    "free": -SPIN_UP_S,
                    "rng": rng,
                }
            )
        jobs = sorted(self.pilot_jobs, key=lambda j: j[0])
        for start, end, ship in jobs:
            if end <= start:
                continue
            # The boat that can be there soonest.
            best = min(range(count), key=lambda i: (boats[i]["free"], i))
            boat = boats[best]
            path: Path = boat["path"]
            rng = boat["rng"]
            speed = rng.uniform(10.0, 15.0)
            ship_lat, ship_lon = ship.at(np.array([start]))
            meet = (float(ship_lat[0]), float(ship_lon[0]))
            route = sg.sea_route(*path.pos, *meet)
            need = sg.route_length_m(route) / (speed * sg.KNOT_M_S)
            if path.now + need > start:
                continue  # no boat free in time: this ship waits for none
            path.stay(
                start - need,
                MOORED if _near(path.pos, boat["berth"]) else UNDERWAY,
                "moored" if _near(path.pos, boat["berth"]) else "waiting",
            )
            path.sail(route, speed, UNDERWAY, "transit")
            angle = rng.uniform(0, 2 * np.pi)
            path.follow(
                ship,
                path.now,
                end,
                35.0 * math.sin(angle),
                35.0 * math.cos(angle),
                UNDERWAY,
                "pilot_boarding",
                step_s=30.0,
            )
            path.go(*boat["berth"], speed, UNDERWAY, "transit")
            boat["free"] = path.now + 300.0
        for k, boat in enumerate(boats):
            path = boat["path"]
            path.stay(self._horizon()[1], MOORED, "moored")
            rng = boat["rng"]
            self._add(
                group="pilot",
                path=path,
                home="Karachi",
                mmsi=self.ids.mmsi("PAK"),
                name=f"KPT PILOT {k + 1}",
                vessel_type="pilot boat",
                ship_type=50,
                length=float(round(rng.uniform(15, 35))),
                ais_class="A",
            )

    # -- fishing ------------------------------------------------------------------

    def _fishing_identity(self, rng, kind: str, ais_probs: tuple[float, float]) -> dict:
        p_b, p_a = ais_probs
        u = rng.uniform()
        ais = "B" if u < p_b else ("A" if u < p_b + p_a else "")
        length = {"gillnetter": (10, 20), "trawler": (15, 25), "inshore boat": (6, 12)}[
            kind
        ]
        return {
            "mmsi": self.ids.mmsi("PAK") if ais else self.ids.pseudo_id(),
            "name": self.ids.local_name(),
            "vessel_type": kind,
            "ship_type": 30,
            "length": float(round(rng.uniform(*length))),
            "ais_class": ais,
        }

    def _team_ais(self, ident: dict, leader: Vessel, rng) -> None:
        """Boats of one owner working as a team mostly carry the same kit."""
        if rng.uniform() >= 0.8 or bool(ident["ais_class"]) == bool(leader.ais_class):
            return
        if leader.ais_class:
            ident["ais_class"] = leader.ais_class
            ident["mmsi"] = self.ids.mmsi("PAK")
        else:
            ident["ais_class"] = ""
            ident["mmsi"] = self.ids.pseudo_id()

    def _in_port_wait(self, path: Path, until: float, ais: bool, harbour: str) -> None:
        if ais and self.geo.harbours[harbour]["in_port"]:
            path.stay(until, MOORED, "moored")
        else:
            path.vanish(until)

    def _legit_switch_offs(self, vessel: Vessel, rng, at_sea: list) -> None:
        """Fishing boats turning AIS off for hours at sea (legitimately)."""
        if not vessel.ais_class:
            return
        for t0, t1 in at_sea:
            span = t1 - t0
            if span < 3 * HOUR:
                continue
            u = rng.uniform()
            if u < 0.3:
                dur = min(rng.uniform(2.2, 8.0) * HOUR, span - 1.0 * HOUR)
                if dur < 2.2 * HOUR:
                    continue
                s = rng.uniform(t0 + 0.5 * HOUR, t1 - 0.5 * HOUR - dur)
                vessel.off.append((s, s + dur, "fishing_privacy"))
            elif u < 0.4:
                dur = rng.uniform(0.3, 1.6) * HOUR
                s = rng.uniform(t0 + 0.5 * HOUR, t1 - 0.5 * HOUR - dur)
                vessel.off.append((s, s + dur, "short_switch_off"))

    def plan_gillnetter(self, k: int, leader: Vessel | None = None) -> Vessel:
        rng = self._rng("gillnet", k)
        ident = self._fishing_identity(rng, "gillnetter", (0.10, 0.0))
        if leader is not None:
            self._team_ais(ident, leader, rng)
        harbour = (
            leader.home
            if leader
            else str(
                rng.choice(
                    ["Karachi", "Pasni", "Gwadar", "Ormara", "Jiwani", "Damb"],
                    p=[0.25, 0.2, 0.2, 0.15, 0.1, 0.1],
                )
            )
        )
        if leader is not None:
            vessel = self._add(
                group="gillnetter",
                path=Path.start(-SPIN_UP_S, *leader.path.pos),
                home=harbour,
                **ident,
            )
            self._copy_team(vessel, leader, rng, "fishing_together")
            return vessel
        ais = bool(ident["ais_class"])
        berth = self.geo.berth(harbour, rng)
        path = Path.start(-SPIN_UP_S, *berth)
        hb = self.geo.harbours[harbour]
        at_sea = []
        day = int(rng.integers(-2, 1))
        end = self._horizon()[1]
        while True:
            depart = day * DAY + rng.uniform(9.5, 12.5) * HOUR
            if depart >= end:
                break
            self._in_port_wait(path, depart, ais, harbour)
            if path.now > depart + 1.0:
                day += 1
                continue
            t_out = path.now
            nights = 1 if rng.uniform() < 0.6 else int(rng.integers(2, 5))
            spot = self._offshore_spot(hb["lat"], hb["lon"], rng, 20 * NM_M, 80 * NM_M)
            path.go(*spot, rng.uniform(7.0, 9.0), UNDERWAY, "transit", rng)
            for night in range(nights):
                dusk = self.clock.dusk(day + night)
                set_start = dusk - rng.uniform(0.3, 0.8) * HOUR
                if path.now < set_start:
                    path.drift(
                        set_start,
                        rng.uniform(0.2, 0.8),
                        rng.uniform(0, 360),
                        rng,
                        UNDERWAY,
                        "waiting",
                    )
                line = rng.uniform(0, 360)
                lat, lon = sg.destination(
                    *path.pos,
                    line,
                    rng.uniform(4.0, 5.0) * sg.KNOT_M_S * rng.uniform(1.0, 1.5) * HOUR,
                )
                if sg.shore_distance_fast(np.array([lat]), np.array([lon]))[0] < 5.0:
                    lat, lon = sg.destination(
                        *path.pos, line + 180.0, 4.5 * sg.KNOT_M_S * 1.2 * HOUR
                    )
                path.go(
                    float(lat),
                    float(lon),
                    rng.uniform(4.0, 5.0),
                    FISHING,
                    "gillnet_set",
                )
                dawn = self.clock.dawn_after(path.now)
                haul = dawn - rng.uniform(0.5, 1.0) * HOUR
                along = (
                    float(sg.bearing_deg(hb["lat"], hb["lon"], *path.pos))
                    + 90.0
                    + (180.0 if rng.uniform() < 0.5 else 0.0)
                )
                path.drift(
                    haul, rng.uniform(0.2, 1.2), along, rng, FISHING, "gillnet_drift"
                )
                path.circle(
                    haul + rng.uniform(1.5, 3.0) * HOUR,
                    rng.uniform(300.0, 600.0),
                    rng.uniform(0.5, 1.5),
                    rng,
                    FISHING,
                    "gillnet_haul",
                )
                if night < nights - 1:
                    nxt = self._offshore_spot(
                        hb["lat"], hb["lon"], rng, 20 * NM_M, 80 * NM_M
                    )
                    path.go(*nxt, rng.uniform(6.0, 8.0), UNDERWAY, "searching", rng)
            path.go(*berth, rng.uniform(7.0, 9.0), UNDERWAY, "transit", rng)
            at_sea.append((t_out, path.now))
            day = day + nights + int(rng.integers(1, 4))
        path.stay(end, MOORED if ais else UNDERWAY, "moored" if ais else "absent")
        vessel = self._add(group="gillnetter", path=path, home=harbour, **ident)
        self._legit_switch_offs(vessel, rng, at_sea)
        return vessel

    def _offshore_spot(self, lat, lon, rng, min_m, max_m) -> tuple[float, float]:
        for _ in range(40):
            brg = rng.uniform(130.0, 230.0)
            la, lo = sg.destination(lat, lon, brg, rng.uniform(min_m, max_m))
            la, lo = float(la), float(lo)
            if not bool(_BOX.contains(la, lo)):
                continue
            if sg.shore_distance_fast(np.array([la]), np.array([lo]))[0] >= 20.0:
                return la, lo
        raise RuntimeError(f"no offshore fishing spot from {lat}, {lon}")

    def _copy_team(self, vessel: Vessel, leader: Vessel, rng, kind: str) -> None:
        """A boat working beside a leader.

        While the leader fishes, the boat keeps a fixed offset of 150-400 m
        from it; between fishing stretches it makes its own way (to its own
        berth, or to where the next stretch begins).
        """
        if leader.team < 0:
            leader.team = self.teams
            leader.team_kind = kind
            self.teams += 1
        vessel.team = leader.team
        vessel.team_kind = kind
        dist = rng.uniform(150.0, 400.0)
        ang = rng.uniform(0, 2 * np.pi)
        east, north = dist * math.sin(ang), dist * math.cos(ang)
        arr = leader.path.arrays()
        t = arr["t"]
        act = arr["activity"][:-1]
        kind_of = np.where(
            np.isin(act, FISHING_ACTS), 2, np.where(np.isin(act, [0, 1]), 1, 0)
        )
        berth = self.geo.berth(leader.home, rng) if leader.home else leader.path.pos
        ais = bool(vessel.ais_class)
        in_port_ok = self.geo.harbours.get(leader.home, {}).get("in_port", False)
        path = Path.start(t[0], *berth)
        runs = np.flatnonzero(np.diff(kind_of)) + 1
        bounds = np.concatenate([[0], runs, [len(act)]])
        at_sea = []
        sea_from = None
        for a, b in itertools.pairwise(bounds):
            t0, t1 = float(t[a]), float(t[b])
            k = kind_of[a]
            if k == 1:
                if sea_from is not None:
                    at_sea.append((sea_from, path.now))
                    sea_from = None
                if not _near(path.pos, berth):
                    path.go(*berth, 8.0, UNDERWAY, "transit")
                if ais and in_port_ok:
                    path.stay(t1, MOORED, "moored")
                else:
                    path.vanish(t1)
                continue
            if sea_from is None:
                sea_from = max(path.now, t0)
            if k == 2:
                la, lo = sg.offset_m(
                    arr["lat"][a : b + 1], arr["lon"][a : b + 1], east, north
                )
                first = (float(la[0]), float(lo[0]))
                if not _near(path.pos, first, 5.0):
                    if path.now < t0 - 60:
                        path.go_arrive(*first, 8.0, t0, UNDERWAY, "transit")
                    else:
                        path.go(*first, 8.0, UNDERWAY, "transit")
                for j in range(a + 1, b + 1):
                    if t[j] > path.now:
                        path.to(
                            float(t[j]),
                            float(la[j - a]),
                            float(lo[j - a]),
                            int(arr["status"][j - 1]),
                            ACTIVITIES[int(arr["activity"][j - 1])],
                        )
            else:
                # Transit stretch: head for where the leader will be at its end.
                if b < len(act) and kind_of[b] == 2:
                    la, lo = sg.offset_m(arr["lat"][b], arr["lon"][b], east, north)
                    target = (float(la), float(lo))
                elif b < len(act) and kind_of[b] == 1:
                    target = berth
                else:
                    target = (float(arr["lat"][b]), float(arr["lon"][b]))
                path.go_arrive(*target, 8.5, t1, UNDERWAY, "transit")
        if sea_from is not None:
            at_sea.append((sea_from, path.now))
        path.stay(
            float(t[-1]),
            MOORED if (ais and in_port_ok) else UNDERWAY,
            "moored" if (ais and in_port_ok) else "absent",
        )
        vessel.path = path
        self._legit_switch_offs(vessel, rng, at_sea)

    def plan_trawler(
        self,
        k: int,
        leader: Vessel | None = None,
        intruder: bool = False,
        pair_leader: bool = False,
    ) -> Vessel:
        rng = self._rng("trawl", k)
        ident = self._fishing_identity(rng, "trawler", (0.20, 0.05))
        if leader is not None:
            self._team_ais(ident, leader, rng)
            vessel = self._add(
                group="trawler",
                path=Path.start(-SPIN_UP_S, *leader.path.pos),
                home=leader.home,
                **ident,
            )
            self._copy_team(vessel, leader, rng, "pair_trawl")
            return vessel
        ais = bool(ident["ais_class"])
        end = self._horizon()[1]
        if intruder:
            return self._plan_intruder(rng, ident)
        harbour = "Karachi" if (ais or rng.uniform() < 0.6) else "Keti Bandar"
        berth = self.geo.berth(harbour, rng)
        path = Path.start(-SPIN_UP_S, *berth)
        at_sea = []
        t = -SPIN_UP_S + rng.uniform(0, 1.5 * DAY)
        while t < end:
            self._in_port_wait(path, t, ais, harbour)
            t_out = path.now
            box = (
                (66.9, 23.5, 68.2, 24.8)
                if rng.uniform() < 0.6
                else (66.2, 24.6, 66.95, 25.45)
            )
            ground = sg.random_sea_point(rng, box, 6.0, 40.0)
            path.go(*ground, rng.uniform(7.0, 9.0), UNDERWAY, "transit", rng)
            trip_end = path.now + rng.uniform(0.8, 3.0) * DAY
            self._tows(path, trip_end, rng, ground, "trawl", pair=pair_leader)
            path.go(*berth, rng.uniform(7.0, 9.0), UNDERWAY, "transit", rng)
            at_sea.append((t_out, path.now))
            t = path.now + rng.uniform(0.5, 2.0) * DAY
        path.stay(end, MOORED if ais else UNDERWAY, "moored" if ais else "absent")
        vessel = self._add(group="trawler", path=path, home=harbour, **ident)
        self._legit_switch_offs(vessel, rng, at_sea)
        return vessel

    def _tow_speed(self, rng, slow: bool) -> float:
        # Keep clear of the 3 kn rendezvous threshold so truth does not hang
        # on a tenth of a knot of GPS noise.
        if slow or rng.uniform() < 0.35:
            return rng.uniform(2.5, 2.8)
        return rng.uniform(3.2, 4.0)

    def _tows(
        self,
        path: Path,
        until: float,
        rng,
        centre,
        activity: str,
        pair: bool,
        min_shore=4.0,
        max_shore=60.0,
    ) -> None:
        heading = rng.uniform(0, 360)
        n_in_series = 0
        while path.now < until - 1800:
            dur = min(rng.uniform(2.0, 4.0) * HOUR, until - path.now)
            speed = self._tow_speed(rng, pair)
            dist = speed * sg.KNOT_M_S * dur
            ok = False
            for turn in (0.0, 40.0, -40.0, 90.0, -90.0, 180.0):
                la, lo = sg.destination(*path.pos, heading + turn, dist)
                d = sg.shore_distance_fast(np.array([la]), np.array([lo]))[0]
                if min_shore <= d <= max_shore and sg.legs_clear(*path.pos, la, lo)[0]:
                    heading += turn
                    ok = True
                    break
            if not ok:
                path.go(*centre, 7.0, UNDERWAY, "transit")
                continue
            path.to(path.now + dur, float(la), float(lo), FISHING, activity)
            # Turn at the end of the tow: a half circle at towing speed.
            side = 1.0 if rng.uniform() < 0.5 else -1.0
            radius = rng.uniform(300.0, 500.0)
            for step in range(1, 5):
                a = math.radians(heading + side * 45.0 * step)
                lat, lon = sg.destination(
                    *path.pos,
                    math.degrees(a),
                    2 * radius * math.sin(math.radians(22.5)),
                )
                path.to(
                    path.now
                    + 2 * radius * math.sin(math.radians(22.5)) / (2.6 * sg.KNOT_M_S),
                    float(lat),
                    float(lon),
                    FISHING,
                    "trawl_turn",
                )
            heading = heading + 180.0 + rng.normal(0, 15.0)
            n_in_series += 1
            if n_in_series >= rng.integers(3, 6):
                n_in_series = 0
                nxt = sg.destination(
                    *path.pos, rng.uniform(0, 360), rng.uniform(2, 10) * NM_M
                )
                d = sg.shore_distance_fast(np.array([nxt[0]]), np.array([nxt[1]]))[0]
                if min_shore <= d <= max_shore:
                    path.go(
                        float(nxt[0]),
                        float(nxt[1]),
                        rng.uniform(7.0, 8.0),
                        UNDERWAY,
                        "transit",
                    )

    def _plan_intruder(self, rng, ident) -> Vessel:
        """A Sindh trawler working the Balochistan 12 nm belt at night."""
        end = self._horizon()[1]
        box = (62.4, 24.9, 65.2, 25.4)
        start = sg.random_sea_point(rng, box, 28.0, 45.0)
        path = Path.start(-SPIN_UP_S, *start)
        day = -2
        while path.now < end:
            dusk = self.clock.dusk(day)
            dawn = self.clock.dawn_after(dusk)
            if path.now < dusk:
                self._tows(
                    path,
                    dusk,
                    rng,
                    start,
                    "trawl",
                    pair=False,
                    min_shore=25.0,
                    max_shore=60.0,
                )
            inshore = sg.random_sea_point(rng, box, 6.0, 15.0)
            path.go(*inshore, rng.uniform(7.0, 9.0), UNDERWAY, "transit")
            self._tows(
                path,
                dawn,
                rng,
                inshore,
                "illegal_trawl",
                pair=False,
                min_shore=4.0,
                max_shore=18.0,
            )
            start = sg.random_sea_point(rng, box, 28.0, 45.0)
            path.go(*start, rng.uniform(7.0, 9.0), UNDERWAY, "transit")
            day += 1
        vessel = self._add(group="trawler", path=path, home="Karachi", **ident)
        vessel.role = "illegal_trawling"
        self._legit_switch_offs(vessel, rng, [(-SPIN_UP_S, end)])
        return vessel

    def plan_inshore(self, k: int, sites: dict) -> None:
        rng = self._rng("inshore", k)
        ident = self._fishing_identity(rng, "inshore boat", (0.0, 0.0))
        harbour = str(rng.choice(list(sites)))
        # Few launch points per harbour, so the day's routes are shared.
        berths = self.geo.harbours[harbour]["berths"]
        b = berths[int(rng.integers(min(3, len(berths))))]
        berth = (float(b[0]), float(b[1]))
        path = Path.start(-SPIN_UP_S, *berth)
        for day in range(-1, self.clock.days + 1):
            if rng.uniform() < 0.15:
                continue  # a day ashore
            depart = day * DAY + rng.uniform(1.0, 5.0) * HOUR
            path.jump(depart, *berth)
            speed = rng.uniform(10.0, 20.0)
            day_sites = sites[harbour][day]
            for _ in range(1 if rng.uniform() < 0.6 else 2):
                site = day_sites[int(rng.integers(len(day_sites)))]
                ang = rng.uniform(0, 2 * np.pi)
                r = rng.uniform(20.0, 180.0)
                spot = sg.offset_m(
                    site[0], site[1], r * math.sin(ang), r * math.cos(ang)
                )
                path.go(*site, speed, UNDERWAY, "transit")
                if sg.legs_clear(*site, *spot)[0]:
                    path.sail([site, spot], speed * 0.5, UNDERWAY, "transit")
                path.wander(
                    path.now + rng.uniform(1.0, 3.0) * HOUR,
                    path.pos,
                    60.0,
                    (0.05, 0.3),
                    rng,
                    UNDERWAY,
                    "inshore_nets",
                )
                path.sail([path.pos, site], speed * 0.5, UNDERWAY, "transit")
            path.go(*berth, speed, UNDERWAY, "transit")
            path.vanish(path.now + 60.0)
        path.vanish(self._horizon()[1])
        self._add(group="inshore", path=path, home=harbour, **ident)

    def inshore_sites(self, rng) -> dict:
        """Net sites per harbour and day (boats of one harbour share them)."""
        homes = [
            "Karachi",
            "Damb",
            "Ormara",
            "Pasni",
            "Gwadar",
            "Jiwani",
            "Keti Bandar",
            "Kalmat",
            "Kund Malir",
            "Sur Bandar",
            "Pishukan",
        ]
        out = {}
        for h in homes:
            hb = self.geo.harbours[h]
            b = hb["berths"][0]
            out[h] = {}
            for day in range(-1, self.clock.days + 1):
                pts = []
                for _ in range(int(rng.integers(3, 7))):
                    for _try in range(30):
                        la, lo = sg.destination(
                            b[0], b[1], rng.uniform(0, 360), rng.uniform(5e3, 25e3)
                        )
                        d = sg.shore_distance_fast(np.array([la]), np.array([lo]))[0]
                        if 2.5 <= d <= 15.0:
                            pts.append((float(la), float(lo)))
                            break
                out[h][day] = pts or [(float(b[0]), float(b[1]))]
        return out

    # -- dhows, patrols, speedboats ----------------------------------------------

    def plan_cargo_dhow(self, k: int) -> None:
        rng = self._rng("dhow", k)
        u = rng.uniform()
        ais = "B" if u < 0.4 else ("A" if u < 0.6 else "")
        home = str(rng.choice(["Gwadar", "Pasni", "Karachi"]))
        ident = {
            "mmsi": self.ids.mmsi("PAK") if ais else self.ids.pseudo_id(),
            "name": self.ids.local_name(),
            "vessel_type": "cargo dhow",
            "ship_type": 70 if ais == "A" else (79 if ais else 0),
            "length": float(round(rng.uniform(20, 45))),
            "ais_class": ais,
        }
        ports = {
            "Muscat": sg.sea_points_near(23.63, 58.6, 6.0, 0.5, 3.0)[0],
            "Chabahar": self.geo.berth("Chabahar", rng),
            "UAE": (25.3, 57.52),
            "Gwadar": self.geo.berth("Gwadar", rng),
            "Pasni": self.geo.berth("Pasni", rng),
            "Karachi": self.geo.berth("Karachi", rng),
        }
        end = self._horizon()[1]
        here = home
        path = Path.start(-SPIN_UP_S, *ports[here])
        while path.now < end:
            stay = rng.uniform(6, 30) * HOUR
            if here in ("UAE", "Muscat"):
                # Beyond the shore receivers: out of the feed for the days
                # the round trip and the stay there take.
                path.vanish(path.now + rng.uniform(2.0, 5.0) * DAY)
            else:
                path.stay(path.now + stay, MOORED, "moored")
            dest = (
                str(rng.choice(["Muscat", "Chabahar", "UAE"]))
                if here in ("Gwadar", "Pasni", "Karachi")
                else home
            )
            route = sg.sea_route(*path.pos, *ports[dest])
            speed = rng.uniform(7.0, 10.0)
            if rng.uniform() < 0.25 and len(route) >= 2:
                # Engine trouble half-way: hours adrift, not under command.
                half = max(1, len(route) // 2)
                path.sail(route[:half], speed, UNDERWAY, "transit", rng)
                if (
                    sg.shore_distance_fast(
                        np.array([path.pos[0]]), np.array([path.pos[1]])
                    )[0]
                    > 10.0
                ):
                    path.drift(
                        path.now + rng.uniform(2, 6) * HOUR,
                        rng.uniform(0.3, 1.2),
                        rng.uniform(0, 360),
                        rng,
                        NOT_UNDER_COMMAND,
                        "engine_failure",
                    )
                path.go(*ports[dest], speed, UNDERWAY, "transit", rng)
            else:
                path.sail(route, speed, UNDERWAY, "transit", rng)
            here = dest
        self._add(group="cargo_dhow", path=path, home=home, **ident)

    def plan_patrol(self, k: int, boardable: list) -> None:
        rng = self._rng("patrol", k)
        base = ["Jinnah Naval Base", "Pasni", "Gwadar"][k % 3]
        berth = self.geo.berth(base, rng)
        path = Path.start(-SPIN_UP_S, *berth)
        vessel = self._add(
            group="patrol",
            path=path,
            home=base,
            mmsi=self.ids.mmsi("PAK"),
            name=f"PMSS {self.ids.local_name().split()[0]} {k + 1}",
            vessel_type="patrol vessel",
            ship_type=55,
            length=float(round(rng.uniform(20, 90))),
            ais_class="A",
        )
        centre = sg.seaward_point(*berth, rng.uniform(15.0, 40.0), rng)
        for day in range(-1, self.clock.days + 1):
            sortie = day * DAY + rng.uniform(0, 24) * HOUR
            if sortie < path.now + 2 * HOUR:
                continue
            path.stay(sortie, MOORED, "moored")
            t_end = sortie + rng.uniform(6, 12) * HOUR
            t_sea = path.now
            board_done = rng.uniform() > 0.5
            station_done = rng.uniform() > 0.35
            while path.now < t_end:
                if not board_done:
                    target = _boarding_target(
                        boardable, path.now + 1 * HOUR, centre, 60e3, rng
                    )
                    board_done = True
                    if target is not None:
                        other, t_from, t_to = target
                        lat, lon = other.path.at(np.array([t_from]))
                        path.go_arrive(
                            float(lat[0]),
                            float(lon[0]),
                            16.0,
                            t_from,
                            UNDERWAY,
                            "patrol",
                        )
                        start = max(path.now, t_from)
                        stop = min(start + rng.uniform(35, 60) * 60, t_to)
                        if stop - start > 20 * 60:
                            ang = rng.uniform(0, 2 * np.pi)
                            dist = rng.uniform(60.0, 120.0)
                            path.follow(
                                other.path,
                                start,
                                stop,
                                dist * math.sin(ang),
                                dist * math.cos(ang),
                                UNDERWAY,
                                "boarding",
                            )
                        continue
                if not station_done and path.now > t_sea + 2 * HOUR:
                    station_done = True
                    path.drift(
                        path.now + rng.uniform(1.0, 2.0) * HOUR,
                        rng.uniform(0.3, 1.0),
                        rng.uniform(0, 360),
                        rng,
                        UNDERWAY,
                        "patrol_station",
                    )
                    continue
                wp = sg.random_sea_point(
                    rng,
                    (
                        centre[1] - 0.25,
                        centre[0] - 0.15,
                        centre[1] + 0.25,
                        centre[0] + 0.15,
                    ),
                    5.0,
                )
                path.go(*wp, rng.uniform(10.0, 18.0), UNDERWAY, "patrol", rng)
            path.go(*berth, rng.uniform(12.0, 16.0), UNDERWAY, "transit")
            if rng.uniform() < 0.2:
                vessel.off.append(
                    (
                        t_sea + 0.5 * HOUR,
                        max(t_sea + 1.0 * HOUR, path.now - 0.5 * HOUR),
                        "patrol_silent",
                    )
                )
        path.stay(self._horizon()[1], MOORED, "moored")

    def plan_speedboats(self, count: int) -> None:
        g = self.geo
        self._speedboats = {}
        for night in range(-1, self.clock.days + 1):
            rng = self._rng("fuel", night)
            convoy_ids = []
            k = 0
            while k < count:
                size = min(int(rng.integers(2, 5)), count - k)
                convoy_ids.append(list(range(k, k + size)))
                k += size
            for members in convoy_ids:
                if rng.uniform() < 0.85:
                    depart = night * DAY + rng.uniform(13.0, 25.0) * HOUR
                else:
                    depart = night * DAY + rng.uniform(1.0, 13.0) * HOUR
                base = g.gwatar_spots[int(rng.integers(len(g.gwatar_spots)))]
                dest = g.delta_spots[int(rng.integers(len(g.delta_spots)))]
                unload = rng.uniform(20, 60) * 60
                for pos, m in enumerate(members):
                    self._speedboat_trip(
                        m,
                        depart + pos * rng.uniform(10, 90),
                        base,
                        dest,
                        unload,
                        pos,
                        rng,
                    )
        for boat in self._speedboats.values():
            boat.path.vanish(self._horizon()[1])

    def _speedboat_trip(self, m, depart, base, dest, unload, pos, rng) -> None:
        if m not in self._speedboats:
            vrng = self._rng("speedboat", m)
            v = self._add(
                group="speedboat",
                path=Path.start(-SPIN_UP_S, float(base[0]), float(base[1])),
                home="Gwatar",
                mmsi=self.ids.pseudo_id(),
                name="",
                vessel_type="fuel speedboat",
                ship_type=0,
                length=float(round(vrng.uniform(8, 12))),
                ais_class="",
            )
            v.illicit_background = True
            self._speedboats[m] = v
        path = self._speedboats[m].path
        if depart < path.now + 600:
            return
        path.jump(depart, float(base[0]), float(base[1]))
        ang = rng.uniform(0, 2 * np.pi) + pos
        dest = (float(dest[0]), float(dest[1]))
        spot = sg.offset_m(
            dest[0], dest[1], 60.0 * pos * math.sin(ang), 60.0 * pos * math.cos(ang)
        )
        speed = rng.uniform(25.0, 35.0)
        path.go(*dest, speed, UNDERWAY, "fuel_run")
        # Side by side with the rest of the convoy, where there is water.
        if pos and sg.legs_clear(*dest, float(spot[0]), float(spot[1]))[0]:
            path.sail(
                [dest, (float(spot[0]), float(spot[1]))], 3.0, UNDERWAY, "fuel_run"
            )
        path.wander(
            path.now + unload,
            path.pos,
            25.0,
            (0.05, 0.3),
            rng,
            UNDERWAY,
            "fuel_unloading",
        )
        back = rng.uniform(25.0, 35.0)
        path.sail([path.pos, dest], 3.0, UNDERWAY, "fuel_run")
        path.go(float(base[0]), float(base[1]), back, UNDERWAY, "fuel_run")
        path.vanish(path.now + 60.0)


def _routable(points: np.ndarray, lat: float, lon: float, keep: int = 12) -> np.ndarray:
    """Up to ``keep`` of ``points`` (spread out) with a sea route to open water."""
    if len(points) == 0:
        raise RuntimeError(f"no berth near {lat}, {lon}")
    rng = np.random.default_rng(0)
    offshore = sg.seaward_point(lat, lon, 30.0, rng)
    picks = points[:: max(1, len(points) // (3 * keep))]
    out = []
    for p in picks:
        try:
            sg.sea_route(float(p[0]), float(p[1]), *offshore)
            sg.entry_nodes(float(p[0]), float(p[1]))
        except RuntimeError:
            continue
        out.append(p)
        if len(out) >= keep:
            break
    if not out:
        raise RuntimeError(f"no berth near {lat}, {lon} connects to the open sea")
    return np.array(out)


def _near(a, b, tol_m: float = 50.0) -> bool:
    return float(sg.haversine_m(a[0], a[1], b[0], b[1])) < tol_m


def _boarding_target(boardable: list, after: float, centre, within_m: float, rng):
    """A slow fishing boat near ``centre`` that a patrol can board after ``after``.

    Half the time the patrol goes for a boat it can see on AIS, if any.
    """
    candidates = []
    for vessel, t0, t1 in boardable:
        if t1 < after + 1.0 * HOUR or t0 > after + 3 * HOUR:
            continue
        start = max(t0, after)
        lat, lon = vessel.path.at(np.array([start]))
        d = sg.dist_m(centre[0], centre[1], float(lat[0]), float(lon[0]))
        if d <= within_m:
            candidates.append((d, vessel.index, vessel, start, t1))
    if not candidates:
        return None
    if rng.uniform() < 0.5 and any(c[2].ais_class for c in candidates):
        candidates = [c for c in candidates if c[2].ais_class]
    _, _, vessel, start, end = min(candidates, key=lambda c: (c[0], c[1]))
    return vessel, start, end


def boardable_legs(vessels: list[Vessel]) -> list:
    """(vessel, start, end) of slow fishing activities long enough to board."""
    out = []
    for v in vessels:
        if v.group not in ("gillnetter", "inshore") or v.team >= 0:
            continue
        arr = v.path.arrays()
        act = arr["activity"][:-1]
        t = arr["t"]
        slow = np.isin(act, [9, 14])  # gillnet_drift, inshore_nets
        if not slow.any():
            continue
        edges = np.flatnonzero(np.diff(np.concatenate([[0], slow.astype(int), [0]])))
        for s, e in zip(edges[::2], edges[1::2], strict=True):
            if t[e] - t[s] >= 1.5 * HOUR:
                out.append((v, float(t[s]), float(t[e])))
    return out


# --------------------------------------------------------------------------
# Planted incidents


def _off_port_times(path: Path, t_from: float, t_to: float, leaving: bool) -> float:
    """First time after ``t_from`` (leaving) or last before ``t_to`` (arriving)
    at which the vessel is outside every port area, with a 5 minute margin."""
    times = np.arange(t_from, t_to, 60.0)
    lat, lon = path.at(times)
    outside = ~geo.in_port(lat, lon)
    if not outside.any():
        return t_from if leaving else t_to
    k = np.flatnonzero(outside)
    return float(times[k[0]] + 300.0) if leaving else float(times[k[-1]] - 300.0)


class IncidentPlanner:
    """Plants the labelled illicit incidents of the scenario notes (4.3)."""

    def __init__(self, fleet: FleetPlanner):
        self.fleet = fleet
        self.geo = fleet.geo
        self.clock = fleet.clock

    def _dhow(self, rng, ais: str, country: str = "PAK", fake_ok: bool = True) -> dict:
        ids = self.fleet.ids
        if not ais:
            mmsi = ids.pseudo_id()
        elif fake_ok and rng.uniform() < 0.25:
            mmsi = ids.invalid_mmsi()
        else:
            mmsi = ids.mmsi(country)
        return {
            "mmsi": mmsi,
            "name": ids.local_name() if ais else "",
            "vessel_type": "cargo dhow",
            "ship_type": (70 if ais == "A" else 79) if ais else 0,
            "length": float(round(rng.uniform(20, 40))),
            "ais_class": ais,
        }

    def _add(
        self, incident_id: str, role: str, path: Path, home: str, ident: dict
    ) -> Vessel:
        vessel = self.fleet._add(group="incident", path=path, home=home, **ident)
        vessel.incident_id = incident_id
        vessel.role = role
        return vessel

    def _far_spot(
        self, lat, lon, rng, min_km, max_km, min_shore_km
    ) -> tuple[float, float]:
        for _ in range(60):
            spot = sg.seaward_point(lat, lon, rng.uniform(min_km, max_km), rng)
            if (
                sg.shore_distance_fast(np.array([spot[0]]), np.array([spot[1]]))[0]
                >= min_shore_km
            ):
                return spot
        raise RuntimeError(f"no offshore spot {min_km}-{max_km} km off {lat}, {lon}")

    def _exit(self, rng) -> tuple[float, float]:
        return (
            (25.3, 57.52)
            if rng.uniform() < 0.5
            else tuple(sg.sea_points_near(23.63, 58.6, 6.0, 0.5, 3.0)[0])
        )

    # -- 1 ------------------------------------------------------------------------

    def mother_ship_beach_run(self, incident_id: str, day: int, rng) -> Incident:
        g = self.geo
        region = "Jiwani" if rng.uniform() < 0.6 else "Pasni"
        if region == "Jiwani":
            names = [
                "Jiwani beaches",
                "Pishukan",
                "Dasht river delta (east shore of Gwatar Bay)",
            ]
            beaches = [g.beaches[n] for n in names]
            town = (25.05, 61.75)
        else:
            beaches = [g.beaches["Kalmat (Khor Kalmat mouth)"]]
            beaches += [
                tuple(p)
                for p in sg.sea_points_near(
                    25.25, 63.62, 8.0, 0.3, 0.5, step_deg=0.002
                )[::40][:3]
            ]
            beaches += [
                tuple(p)
                for p in sg.sea_points_near(
                    25.22, 63.30, 8.0, 0.3, 0.5, step_deg=0.002
                )[::40][:3]
            ]
            town = (25.265, 63.47)
        beaches = [b for b in beaches if not bool(geo.in_port(b[0], b[1]))]
        i1, i2 = rng.choice(len(beaches), 2, replace=False)
        b1, b2 = beaches[int(i1)], beaches[int(i2)]
        wait_spot = self._far_spot(*town, rng, 50.0, 105.0, 46.0)
        day0 = day * DAY
        arrive = day0 + 16 * HOUR + rng.normal(0, 0.5) * HOUR
        depart_small = day0 + 18 * HOUR + rng.normal(0, 0.5) * HOUR
        small_speed = rng.uniform(20.0, 30.0)
        variant_b = rng.uniform() < 0.3
        # Mother ship: along the lane from the west, then off it to wait.
        lane = self.geo.lanes["hormuz_karachi"]
        k = int(np.argmin(np.abs(lane[:, 1] - (wait_spot[1] - 0.6))))
        pts = np.vstack([lane[: k + 1 : 5], lane[k]])
        speed = rng.uniform(8.0, 10.0)
        approach = (
            sg.route_length_m(pts) + float(sg.haversine_m(*lane[k], *wait_spot)) * 1.05
        )
        mother_path = Path.start(arrive - approach / (speed * sg.KNOT_M_S), *pts[0])
        mother_path.sail(pts, speed, UNDERWAY, "transit", rng)
        mother_path.go(*wait_spot, speed, UNDERWAY, "transit")
        # Small boat route out and its meeting time.
        if variant_b:
            harbour = "Jiwani" if region == "Jiwani" else "Pasni"
            start_pt = g.berth(harbour, rng)
        else:
            harbour = ""
            start_pt = b1
        out_route = sg.sea_route(*start_pt, *wait_spot)
        meet = depart_small + sg.route_length_m(out_route) / (small_speed * sg.KNOT_M_S)
        meet_len = rng.uniform(20, 60) * 60
        wait_end = max(
            mother_path.now + rng.uniform(2, 5) * HOUR,
            meet + meet_len + rng.uniform(0.3, 1.0) * HOUR,
        )
        mother_path.wander(
            meet, wait_spot, 700.0, (0.2, 1.0), rng, UNDERWAY, "mother_ship"
        )
        mother_path.wander(
            meet + meet_len,
            mother_path.pos,
            60.0,
            (0.1, 0.6),
            rng,
            UNDERWAY,
            "alongside",
        )
        mother_path.wander(
            wait_end, wait_spot, 700.0, (0.2, 1.0), rng, UNDERWAY, "mother_ship"
        )
        leave_at = mother_path.now
        mother_path.go(
            *self._exit(rng), rng.uniform(8.0, 10.0), UNDERWAY, "transit", rng
        )
        mother_path.vanish(mother_path.now + 60.0)
        ais = "A" if rng.uniform() < 0.6 else "B"
        mother = self._add(
            incident_id, "mother_ship", mother_path, "", self._dhow(rng, ais)
        )
        if rng.uniform() < 0.6:
            off = meet - rng.uniform(30, 90) * 60
            on = meet + meet_len + rng.uniform(1, 3) * HOUR
            mother.off.append((off, on, "incident"))
        # Small boat.
        if variant_b:
            small_path = Path.start(-SPIN_UP_S, *start_pt)
            small_path.stay(depart_small, MOORED, "moored")
        else:
            small_path = Path.start(-SPIN_UP_S, *start_pt)
            small_path.jump(depart_small, *start_pt)
        small_path.sail(out_route, small_speed, UNDERWAY, "beach_run")
        ang = rng.uniform(0, 2 * np.pi)
        d = rng.uniform(25.0, 80.0)
        small_path.follow(
            mother_path,
            small_path.now,
            meet + meet_len,
            d * math.sin(ang),
            d * math.cos(ang),
            UNDERWAY,
            "alongside",
        )
        back = start_pt if variant_b else b2
        small_path.go(*back, rng.uniform(20.0, 30.0), UNDERWAY, "beach_run")
        back_at = small_path.now
        if variant_b:
            small_path.stay(self.fleet._horizon()[1], MOORED, "moored")
            ident = {
                "mmsi": self.fleet.ids.mmsi("PAK"),
                "name": self.fleet.ids.local_name(),
                "vessel_type": "fishing boat",
                "ship_type": 30,
                "length": float(round(rng.uniform(10, 16))),
                "ais_class": "B",
            }
        else:
            small_path.vanish(self.fleet._horizon()[1])
            ident = {
                "mmsi": self.fleet.ids.pseudo_id(),
                "name": "",
                "vessel_type": "speedboat",
                "ship_type": 0,
                "length": float(round(rng.uniform(8, 12))),
                "ais_class": "",
            }
        small = self._add(incident_id, "shore_boat", small_path, harbour, ident)
        if variant_b:
            off = _off_port_times(small_path, depart_small, meet, leaving=True)
            on = _off_port_times(small_path, meet + meet_len, back_at, leaving=False)
            small.off.append((off, on, "incident"))
        lat, lon = mother_path.at(np.array([meet]))
        return Incident(
            incident_id,
            "mother_ship_beach_run",
            min(arrive, depart_small),
            max(leave_at, back_at),
            float(lat[0]),
            float(lon[0]),
            region,
            [mother.index, small.index],
            ["mother_ship", "shore_boat"],
            f"mother ship waits {sg.dist_m(*town, *wait_spot) / NM_M:.0f} nm "
            f"off {region}; "
            f"{'a fishing boat with AIS off' if variant_b else 'a boat without AIS'} "
            f"runs out at {small_speed:.0f} kn and stays alongside "
            f"{meet_len / 60:.0f} min",
        )

    # -- 2 ------------------------------------------------------------------------

    def dark_border_transit(self, incident_id: str, day: int, rng) -> Incident:
        g = self.geo
        for _ in range(100):
            p_off = sg.random_sea_point(rng, (60.9, 24.85, 61.45, 25.08), 6.0, 20.0)
            bd = float(geo.border_distance_km(*p_off))
            if 18.5 <= bd <= 37.0 and geo.border_side(*p_off) == -1:
                break
        speed = rng.uniform(7.0, 10.0)
        for _ in range(200):
            p_on = sg.random_sea_point(rng, (61.9, 24.8, 63.4, 25.25), 8.0, 25.0)
            dist_nm = float(sg.haversine_m(*p_off, *p_on)) / NM_M
            route = sg.sea_route(*p_off, *p_on)
            hours = sg.route_length_m(route) / (speed * sg.KNOT_M_S) / HOUR
            if 30.0 <= dist_nm <= 80.0 and 4.0 <= hours <= 12.0:
                break
        tanker = rng.uniform() < 0.3
        ais = "A" if (tanker or rng.uniform() < 0.6) else "B"
        home = "Chabahar" if rng.uniform() < 0.7 else "Konarak"
        berth = g.berth(home, rng)
        switch_off = day * DAY + rng.uniform(12.0, 20.0) * HOUR
        out = sg.sea_route(*berth, *p_off)
        leave = switch_off - sg.route_length_m(out) / (speed * sg.KNOT_M_S)
        path = Path.start(-SPIN_UP_S, *berth)
        path.stay(leave, MOORED, "moored")
        path.sail(out, speed, UNDERWAY, "transit", None)
        t_off = path.now
        path.sail(route, speed, UNDERWAY, "dark_transit", None)
        t_on = path.now
        dest = g.berth(str(rng.choice(["Gwadar", "Pasni"])), rng)
        path.go(*dest, speed, UNDERWAY, "transit")
        path.stay(self.fleet._horizon()[1], MOORED, "moored")
        if tanker:
            ident = {
                "mmsi": self.fleet.ids.mmsi("IRN"),
                "name": self.fleet.ids.local_name(),
                "vessel_type": "small tanker",
                "ship_type": 80,
                "length": float(round(rng.uniform(60, 90))),
                "ais_class": "A",
            }
        else:
            ident = self._dhow(rng, ais, "IRN")
        vessel = self._add(incident_id, "dark_transit", path, home, ident)
        vessel.off.append((t_off, t_on, "incident"))
        return Incident(
            incident_id,
            "dark_border_transit",
            t_off - HOUR,
            t_on + HOUR,
            p_off[0],
            p_off[1],
            "Iran-Pakistan line",
            [vessel.index],
            ["dark_transit"],
            f"{ident['vessel_type']} from {home} goes dark {bd / 1.852:.0f} nm "
            f"west of the line and reappears {dist_nm:.0f} nm east after {hours:.1f} h",
        )

    # -- 3 ------------------------------------------------------------------------

    def night_loiter(self, incident_id: str, day: int, rng) -> Incident:
        g = self.geo
        region = "Ormara" if rng.uniform() < 0.5 else "Kalmat"
        town = (25.215, 64.633) if region == "Ormara" else (25.37, 64.12)
        spot = self._far_spot(*town, rng, 28.0, 74.0, 25.0)
        dusk = self.clock.dusk(day)
        arrive = dusk - rng.uniform(0.0, 1.0) * HOUR
        stay = rng.uniform(6.0, 10.0) * HOUR
        home = str(rng.choice(["Gwadar", "Pasni", "Ormara", "Karachi"]))
        berth = g.berth(home, rng)
        speed = rng.uniform(8.0, 10.0)
        route = sg.sea_route(*berth, *spot)
        path = Path.start(-SPIN_UP_S, *berth)
        path.stay(
            arrive - sg.route_length_m(route) / (speed * sg.KNOT_M_S), MOORED, "moored"
        )
        path.sail(route, speed, UNDERWAY, "transit")
        start = path.now
        end = start + stay
        circle_at = start + rng.uniform(0.3, 0.6) * stay
        path.wander(circle_at, spot, 700.0, (0.1, 0.8), rng, UNDERWAY, "night_loiter")
        path.circle(
            circle_at + rng.uniform(20, 40) * 60,
            rng.uniform(150.0, 250.0),
            rng.uniform(0.9, 1.2),
            rng,
            UNDERWAY,
            "night_loiter",
        )
        path.wander(end, spot, 700.0, (0.1, 0.8), rng, UNDERWAY, "night_loiter")
        dest = self._exit(rng) if rng.uniform() < 0.5 else g.berth("Karachi", rng)
        path.go(*dest, speed, UNDERWAY, "transit")
        path.vanish(self.fleet._horizon()[1])
        ais = "A" if rng.uniform() < 0.7 else "B"
        ident = self._dhow(rng, ais)
        if rng.uniform() < 0.4:
            ident.update(vessel_type="unknown", ship_type=0, name="")
        vessel = self._add(incident_id, "loiterer", path, home, ident)
        return Incident(
            incident_id,
            "night_loiter",
            start,
            end,
            spot[0],
            spot[1],
            region,
            [vessel.index],
            ["loiterer"],
            f"{ident['vessel_type']} waits {stay / HOUR:.1f} h at night "
            f"{sg.haversine_m(*town, *spot) / NM_M:.0f} nm off {region}; nobody comes",
        )

    # -- 4 and 5 ------------------------------------------------------------------

    def _meeting(self, incident_id: str, day: int, rng, dark: bool) -> Incident:
        g = self.geo
        home = str(rng.choice(["Pasni", "Gwadar", "Ormara", "Jiwani"]))
        hb = g.harbours[home]
        if dark:
            spot = self._far_spot(hb["lat"], hb["lon"], rng, 28.0, 74.0, 25.0)
        else:
            spot = self._far_spot(hb["lat"], hb["lon"], rng, 56.0, 93.0, 50.0)
        meet = self.clock.dusk(day) + rng.uniform(2.0, 5.0 if dark else 6.0) * HOUR
        meet_len = rng.uniform(30, 60) * 60 if dark else rng.uniform(40, 90) * 60
        # The visitor comes from the west or Oman and waits a little.
        west = self._exit(rng)
        v_speed = rng.uniform(7.0, 9.5)
        route = sg.sea_route(*west, *spot)
        v_arrive = meet - rng.uniform(0.0, 0.75) * HOUR
        vpath = Path.start(
            v_arrive - sg.route_length_m(route) / (v_speed * sg.KNOT_M_S), *west
        )
        vpath.sail(route, v_speed, UNDERWAY, "transit")
        vpath.wander(meet, spot, 150.0, (0.1, 0.6), rng, UNDERWAY, "meeting")
        vpath.wander(meet + meet_len, spot, 150.0, (0.1, 0.6), rng, UNDERWAY, "meeting")
        v_leave = vpath.now
        vpath.go(*self._exit(rng), v_speed, UNDERWAY, "transit")
        vpath.vanish(self.fleet._horizon()[1])
        # The local boat leaves its harbour to arrive as the meeting starts.
        berth = g.berth(home, rng)
        l_speed = rng.uniform(7.0, 9.0)
        out = sg.sea_route(*berth, *spot)
        depart = meet - sg.route_length_m(out) / (l_speed * sg.KNOT_M_S)
        lpath = Path.start(-SPIN_UP_S, *berth)
        lpath.stay(depart, MOORED, "moored")
        ang = rng.uniform(0, 2 * np.pi)
        d = rng.uniform(30.0, 150.0)
        east, north = d * math.sin(ang), d * math.cos(ang)
        lat, lon = vpath.at(np.array([meet]))
        first = sg.offset_m(lat[0], lon[0], east, north)
        lpath.go_arrive(
            float(first[0]),
            float(first[1]),
            l_speed,
            meet,
            UNDERWAY,
            "transit",
            MOORED,
            "moored",
        )
        lpath.follow(
            vpath, lpath.now, meet + meet_len, east, north, UNDERWAY, "meeting"
        )
        if dark or rng.uniform() < 0.5:
            back = berth
        else:
            back = g.beaches[
                str(
                    rng.choice(
                        [
                            "Jiwani beaches",
                            "Pishukan",
                            "Sur Bandar",
                            "Kalmat (Khor Kalmat mouth)",
                        ]
                    )
                )
            ]
        lpath.go(*back, l_speed, UNDERWAY, "transit")
        l_back = lpath.now
        if back == berth:
            lpath.stay(self.fleet._horizon()[1], MOORED, "moored")
        else:
            lpath.vanish(self.fleet._horizon()[1])
        if dark:
            v_ident = self._dhow(rng, "B" if rng.uniform() < 0.6 else "A", "OMN")
            l_ident = {
                "mmsi": self.fleet.ids.mmsi("PAK"),
                "name": self.fleet.ids.local_name(),
                "vessel_type": "fishing boat",
                "ship_type": 30,
                "length": float(round(rng.uniform(10, 18))),
                "ais_class": "B",
            }
        else:
            v_ident = self._dhow(rng, "A" if rng.uniform() < 0.3 else "B", "OMN")
            l_ident = self._dhow(rng, "B")
        visitor = self._add(incident_id, "visitor", vpath, "", v_ident)
        local = self._add(incident_id, "local_boat", lpath, home, l_ident)
        if dark:
            l_off = max(
                meet - rng.uniform(1.0, 2.0) * HOUR,
                _off_port_times(lpath, depart, meet, leaving=True),
            )
            l_on = meet + meet_len + rng.uniform(1.0, 2.5) * HOUR
            l_on = min(
                l_on, _off_port_times(lpath, meet + meet_len, l_back, leaving=False)
            )
            local.off.append((l_off, l_on, "incident"))
            v_off = meet - rng.uniform(0.8, 2.0) * HOUR
            v_on = meet + meet_len + rng.uniform(1.0, 3.0) * HOUR
            visitor.off.append((v_off, v_on, "incident"))
        kind = "dark_meeting" if dark else "ais_rendezvous"
        return Incident(
            incident_id,
            kind,
            min(v_arrive, meet) - (1.0 * HOUR if dark else 0.0),
            max(v_leave, meet + meet_len) + (1.0 * HOUR if dark else 0.0),
            float(lat[0]),
            float(lon[0]),
            home,
            [visitor.index, local.index],
            ["visitor", "local_boat"],
            f"two {'dark ' if dark else ''}vessels meet "
            f"{sg.haversine_m(hb['lat'], hb['lon'], *spot) / NM_M:.0f} nm off {home} "
            f"for {meet_len / 60:.0f} min at night",
        )

    def ais_rendezvous(self, incident_id: str, day: int, rng) -> Incident:
        return self._meeting(incident_id, day, rng, dark=False)

    def dark_meeting(self, incident_id: str, day: int, rng) -> Incident:
        return self._meeting(incident_id, day, rng, dark=True)


# --------------------------------------------------------------------------
# Whole scenario


def incident_plan(seed: int, days: int, per_day: tuple[int, int]) -> list[list[str]]:
    """Which incident kinds happen on each day."""
    out = []
    for day in range(days):
        rng = np.random.default_rng([seed, 99, day])
        n = int(rng.integers(per_day[0], per_day[1] + 1))
        kinds = [INCIDENT_KINDS[i] for i in rng.permutation(len(INCIDENT_KINDS))]
        while len(kinds) < n:
            kinds.append(INCIDENT_KINDS[int(rng.integers(len(INCIDENT_KINDS)))])
        out.append(kinds[:n])
    return out


_GEOGRAPHY: Geography | None = None


def geography() -> Geography:
    """The fleet's geography (built once per process)."""
    global _GEOGRAPHY
    if _GEOGRAPHY is None:
        _GEOGRAPHY = Geography()
    return _GEOGRAPHY


def plan(
    seed: int, start: pd.Timestamp, days: int, vessels: int, per_day: tuple[int, int]
) -> tuple[list[Vessel], list[Incident], dict[str, int]]:
    """Plan every vessel and incident of a scenario.

    Returns the vessels (index order), the incidents, and the number of
    vessels per group and day.
    """
    clock = Clock(start, days)
    fleet = FleetPlanner(seed, clock, geography())
    kinds = incident_plan(seed, days, per_day)
    # Incident vessels count towards the day's total.
    incident_vessels = round(
        sum(INCIDENT_VESSELS[k] for d in kinds for k in d) / max(days, 1)
    )
    counts = scale_counts(max(0, vessels - incident_vessels))
    for day in range(days):
        for k in range(counts["transit"]):
            fleet.plan_transit(k, day)
        for k in range(counts["karachi_call"]):
            fleet.plan_karachi_call(k, day)
        for k in range(counts["gwadar_call"]):
            fleet.plan_port_call("gwadar", k, day)
        for k in range(counts["chabahar_call"]):
            fleet.plan_port_call("chabahar", k, day)
    for k in range(counts["karachi_anchored"]):
        fleet.plan_karachi_anchored(k)
    fleet.plan_pilots(counts["pilot"])
    leaders = {}
    for k in range(counts["gillnetter"]):
        leader = leaders.get(k - 1) if k % 7 == 1 else None
        leaders[k] = fleet.plan_gillnetter(k, leader)
    n_trawl = counts["trawler"]
    intruders = set(range(n_trawl - max(0, round(n_trawl * 5 / 40)), n_trawl))
    leaders = {}
    for k in range(n_trawl):
        leader = (
            leaders.get(k - 1)
            if (k % 5 == 1 and k - 1 not in intruders and k not in intruders)
            else None
        )
        pair_leader = (
            k % 5 == 0
            and k + 1 < n_trawl
            and k + 1 not in intruders
            and k not in intruders
        )
        leaders[k] = fleet.plan_trawler(
            k, leader, intruder=k in intruders, pair_leader=pair_leader
        )
    sites = fleet.inshore_sites(fleet._rng("sites"))
    for k in range(counts["inshore"]):
        fleet.plan_inshore(k, sites)
    for k in range(counts["cargo_dhow"]):
        fleet.plan_cargo_dhow(k)
    fleet.plan_speedboats(counts["speedboat"])
    boardable = boardable_legs(fleet.vessels)
    for k in range(counts["patrol"]):
        fleet.plan_patrol(k, boardable)
    planner = IncidentPlanner(fleet)
    for day, day_kinds in enumerate(kinds):
        date = (start + pd.Timedelta(days=day)).strftime("%Y%m%d")
        for n, kind in enumerate(day_kinds):
            rng = np.random.default_rng([seed, 7, day, n])
            incident = getattr(planner, kind)(f"INC-{date}-{n + 1:02d}", day, rng)
            fleet.incidents.append(incident)
    group_counts = dict(counts)
    for g in TRANSIENT_GROUPS:
        group_counts[g] = counts[g] * days
    return fleet.vessels, fleet.incidents, group_counts
