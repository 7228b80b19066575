"""Keyframed vessel paths for the traffic simulator.

A path is a list of keyframes (time, latitude, longitude); between two
keyframes the vessel moves in a straight line (linear in latitude and
longitude) at constant speed, in one navigational status and one activity.
The true trajectory is this piecewise-linear path: continuous in time and
exact at any instant, so it can be sampled at 10 s, at AIS transmission
times or at any other step.

Times are seconds from the start of the scenario (float64); legs with the
activity ``absent`` are times when the vessel is not in the scenario (ashore,
or outside the simulated area).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import _sim_geo as sg

# Activities: what a vessel is doing on a leg. The names are the truth
# table's ``behaviour`` vocabulary.
ACTIVITIES = (
    "absent",
    "moored",
    "anchorage_wait",
    "transit",
    "port_approach",
    "pilot_wait",
    "pilot_boarding",
    "waiting",
    "gillnet_set",
    "gillnet_drift",
    "gillnet_haul",
    "trawl",
    "trawl_turn",
    "pair_trawl",
    "inshore_nets",
    "patrol",
    "patrol_station",
    "boarding",
    "engine_failure",
    "fuel_run",
    "fuel_unloading",
    "mother_ship",
    "beach_run",
    "alongside",
    "dark_transit",
    "night_loiter",
    "illegal_trawl",
    "fishing_together",
    "searching",
    "meeting",
)
ACT = {name: code for code, name in enumerate(ACTIVITIES)}

# AIS navigational status codes (ITU-R M.1371).
UNDERWAY = 0
AT_ANCHOR = 1
NOT_UNDER_COMMAND = 2
MOORED = 5
FISHING = 7


@dataclass
class Path:
    """Keyframes of one vessel, built forward in time.

    ``status[k]`` and ``activity[k]`` describe the leg from keyframe ``k`` to
    keyframe ``k + 1``.
    """

    t: list = field(default_factory=list)
    lat: list = field(default_factory=list)
    lon: list = field(default_factory=list)
    status: list = field(default_factory=list)
    activity: list = field(default_factory=list)

    @classmethod
    def start(cls, t: float, lat: float, lon: float) -> Path:
        return cls([float(t)], [float(lat)], [float(lon)], [], [])

    @property
    def now(self) -> float:
        return self.t[-1]

    @property
    def pos(self) -> tuple[float, float]:
        return self.lat[-1], self.lon[-1]

    def to(self, t: float, lat: float, lon: float, status: int, activity: str) -> None:
        """Move in a straight line to (lat, lon), arriving at time ``t``."""
        t = float(t)
        if t < self.t[-1] - 1e-6:
            raise ValueError(f"keyframe time goes back: {t} < {self.t[-1]}")
        if t <= self.t[-1] + 1e-6:
            if abs(lat - self.lat[-1]) > 1e-9 or abs(lon - self.lon[-1]) > 1e-9:
                # No time to move: place the keyframe a moment later.
                t = self.t[-1] + 1.0
            else:
                return
        self.t.append(t)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.status.append(int(status))
        self.activity.append(ACT[activity])

    def stay(self, until: float, status: int, activity: str) -> None:
        """Stay where the vessel is until ``until``."""
        if until > self.now:
            self.to(until, *self.pos, status, activity)

    def vanish(self, until: float) -> None:
        """Leave the scenario (ashore, out of the area) until ``until``."""
        if until > self.now:
            self.to(until, *self.pos, UNDERWAY, "absent")

    def jump(self, t: float, lat: float, lon: float) -> None:
        """Be absent until ``t``, then reappear at (lat, lon)."""
        t = max(float(t), self.now + 2.0)
        self.vanish(t - 1.0)
        self.t.append(t)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.status.append(UNDERWAY)
        self.activity.append(ACT["absent"])

    def sail(
        self,
        waypoints: np.ndarray,
        speed_kn: float,
        status: int,
        activity: str,
        rng: np.random.Generator | None = None,
    ) -> None:
        """Follow waypoints (from the current position) at about ``speed_kn``."""
        pts = np.asarray(waypoints, dtype=np.float64)
        for la, lo in pts[1:] if _same(pts[0], self.pos) else pts:
            dist = sg.dist_m(self.lat[-1], self.lon[-1], float(la), float(lo))
            if dist < 1.0:
                continue
            speed = speed_kn if rng is None else speed_kn * rng.uniform(0.97, 1.03)
            self.to(self.now + dist / (speed * sg.KNOT_M_S), la, lo, status, activity)

    def go(
        self,
        lat: float,
        lon: float,
        speed_kn: float,
        status: int,
        activity: str,
        rng: np.random.Generator | None = None,
    ) -> None:
        """Sail a sea route from the current position to (lat, lon)."""
        route = sg.sea_route(*self.pos, lat, lon)
        self.sail(route, speed_kn, status, activity, rng)

    def go_arrive(
        self,
        lat: float,
        lon: float,
        speed_kn: float,
        arrive: float,
        status: int,
        activity: str,
        wait_status: int = UNDERWAY,
        wait_activity: str = "waiting",
    ) -> None:
        """Sail a sea route to (lat, lon), arriving at ``arrive`` if possible.

        Waits in place first when there is time to spare; arrives late
        (sailing at ``speed_kn``) when there is not.
        """
        route = sg.sea_route(*self.pos, lat, lon)
        need = sg.route_length_m(route) / (speed_kn * sg.KNOT_M_S)
        self.stay(arrive - need, wait_status, wait_activity)
        self.sail(route, speed_kn, status, activity)

    def wander(
        self,
        until: float,
        centre: tuple[float, float],
        radius_m: float,
        speed_kn: tuple[float, float],
        rng: np.random.Generator,
        status: int,
        activity: str,
    ) -> None:
        """Move slowly between random points within ``radius_m`` of ``centre``."""
        while self.now < until - 1.0:
            r = radius_m * math.sqrt(rng.uniform())
            a = rng.uniform(0.0, 2.0 * math.pi)
            la, lo = sg.offset_m(centre[0], centre[1], r * math.sin(a), r * math.cos(a))
            speed = rng.uniform(*speed_kn)
            dist = sg.dist_m(*self.pos, float(la), float(lo))
            dt = max(60.0, dist / (speed * sg.KNOT_M_S))
            if self.now + dt > until:
                f = (until - self.now) / dt
                la = self.lat[-1] + (float(la) - self.lat[-1]) * f
                lo = self.lon[-1] + (float(lo) - self.lon[-1]) * f
                dt = until - self.now
            self.to(self.now + dt, float(la), float(lo), status, activity)

    def drift(
        self,
        until: float,
        speed_kn: float,
        bearing: float,
        rng: np.random.Generator,
        status: int,
        activity: str,
        step_s: float = 600.0,
        min_shore_km: float = 3.0,
    ) -> None:
        """Drift with a current of about ``speed_kn`` towards ``bearing``.

        Speed and direction wander a little from step to step; a drift that
        would come within ``min_shore_km`` of the coast turns away from it.
        """
        heading = bearing
        while self.now < until - 1.0:
            dt = min(step_s, until - self.now)
            heading = heading + rng.normal(0.0, 8.0)
            speed = max(0.05, speed_kn * rng.uniform(0.8, 1.2))
            for turn in (0.0, 60.0, -60.0, 120.0, -120.0, 180.0):
                la, lo = sg.destination(
                    self.lat[-1], self.lon[-1], heading + turn, speed * sg.KNOT_M_S * dt
                )
                if shore_fast(la, lo) >= min_shore_km:
                    heading += turn
                    break
            else:
                la, lo = self.pos
            self.to(self.now + dt, float(la), float(lo), status, activity)

    def circle(
        self,
        until: float,
        radius_m: float,
        speed_kn: float,
        rng: np.random.Generator,
        status: int,
        activity: str,
    ) -> None:
        """Circle slowly (as when hauling a net) around a point beside the vessel."""
        a0 = rng.uniform(0.0, 2.0 * math.pi)
        cy, cx = self.pos
        c_lat, c_lon = sg.offset_m(
            cy, cx, -radius_m * math.sin(a0), -radius_m * math.cos(a0)
        )
        step = 2.0 * math.pi / 12.0
        seg_m = 2.0 * radius_m * math.sin(step / 2.0)
        dt = seg_m / (speed_kn * sg.KNOT_M_S)
        direction = 1.0 if rng.uniform() < 0.5 else -1.0
        a = a0
        while self.now < until - 1.0:
            a += direction * step
            la, lo = sg.offset_m(
                c_lat, c_lon, radius_m * math.sin(a), radius_m * math.cos(a)
            )
            if self.now + dt > until:
                f = (until - self.now) / dt
                la = self.lat[-1] + (float(la) - self.lat[-1]) * f
                lo = self.lon[-1] + (float(lo) - self.lon[-1]) * f
                self.to(until, float(la), float(lo), status, activity)
                break
            self.to(self.now + dt, float(la), float(lo), status, activity)

    def follow(
        self,
        other: Path,
        t_from: float,
        t_to: float,
        east_m: float,
        north_m: float,
        status: int,
        activity: str,
        step_s: float = 60.0,
    ) -> None:
        """Keep station beside another vessel (an offset in metres) for a while."""
        times = np.arange(t_from, t_to, step_s)
        times = np.append(times, t_to)
        la, lo = other.at(times)
        la, lo = sg.offset_m(la, lo, east_m, north_m)
        for t, a, b in zip(times.tolist(), la.tolist(), lo.tolist(), strict=True):
            if t <= self.now:
                continue
            self.to(t, a, b, status, activity)

    # -- reading ------------------------------------------------------------

    def at(self, times) -> tuple[np.ndarray, np.ndarray]:
        """Position at the given times (linear between keyframes)."""
        t = np.asarray(self.t)
        return (
            np.interp(times, t, np.asarray(self.lat)),
            np.interp(times, t, np.asarray(self.lon)),
        )

    def activity_at(self, time: float) -> str:
        """The activity of the leg containing ``time``."""
        k = int(np.searchsorted(self.t, time, side="right")) - 1
        k = min(max(k, 0), len(self.activity) - 1)
        return ACTIVITIES[self.activity[k]] if self.activity else "absent"

    def arrays(self) -> dict[str, np.ndarray]:
        """The keyframes as arrays; the last keyframe ends the last leg."""
        n = len(self.t)
        status = np.full(n, UNDERWAY, dtype=np.int8)
        activity = np.zeros(n, dtype=np.int8)
        status[: n - 1] = self.status
        activity[: n - 1] = self.activity
        if n > 1:
            status[-1] = status[-2]
            activity[-1] = activity[-2]
        return {
            "t": np.asarray(self.t, dtype=np.float64),
            "lat": np.asarray(self.lat, dtype=np.float64),
            "lon": np.asarray(self.lon, dtype=np.float64),
            "status": status,
            "activity": activity,
        }


def _same(a, b) -> bool:
    return abs(a[0] - b[0]) < 1e-9 and abs(a[1] - b[1]) < 1e-9


def shore_fast(lat: float, lon: float) -> float:
    """Approximate distance to shore (km) from the routing raster (fast)."""
    return float(sg.shore_distance_fast(np.array([lat]), np.array([lon]))[0])
