"""Thresholds and settings, grouped by pipeline stage, with named profiles.

A :class:`Config` holds one frozen dataclass per stage. Profiles are starting
points (``makran``, the default, and ``gfw``, Global Fishing Watch's published
thresholds); a TOML file or keyword overrides change individual values::

    [loitering]
    max_speed_kn = 1.5

    [rendezvous]
    max_distance_m = 300

Units are in the field names: ``_kn`` knots, ``_m`` metres, ``_km`` kilometres,
``_h`` hours, ``_s`` seconds, ``_deg`` degrees.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import ConfigError

__all__ = [
    "PROFILES",
    "Config",
    "DarkRendezvousConfig",
    "DriftConfig",
    "GapConfig",
    "GridConfig",
    "LoiteringConfig",
    "RendezvousConfig",
    "RiskConfig",
    "SegmentConfig",
    "TaskingConfig",
    "load_config",
]


@dataclass(frozen=True)
class SegmentConfig:
    """How tracks are cut into trajectories (see :func:`coastwatch.segment`).

    Attributes
    ----------
    max_gap_h : float
        A silence of at least this many hours within one transmitter's reports
        starts a new segment (the dark-gap threshold, so every dark gap lies
        between two segments of one track).
    identity_separation : bool
        Keep several transmitters that share one MMSI apart.
    max_speed_kn : float
        Fastest plausible implied speed between two fixes of one transmitter,
        knots. Raise it for fast boats.
    max_open_tracks : int
        Transmitters tracked at once per MMSI.
    min_noise_points : int
        Tracks with fewer points than this are flagged as noise (kept).
    time_slack_s : float
        Seconds added to every time difference when judging plausibility and
        fit: receiver clock error and position noise. At ``max_speed_kn`` it
        sets the smallest distance (``max_speed * slack``) that always counts
        as plausible.
    prediction_spread_kn : float
        How fast, in knots, the expected error of a dead-reckoned prediction
        grows with time; a report missing a track's prediction by this speed
        times the elapsed time is one standard deviation off.
    ambiguity_ratio : float
        How many times likelier the best track must be than any other
        plausible one; a closer call is ambiguous and opens a new track.
    movingpandas_compatible : bool
        Reproduce ``movingpandas.ObservationGapSplitter(...).split(gap=...)``:
        no identity separation, split only on gaps strictly longer than
        ``max_gap_h``, and no segment (``segment == -1``) for pieces with one
        distinct time or no movement.
    """

    max_gap_h: float = 2.0
    identity_separation: bool = True
    max_speed_kn: float = 50.0
    max_open_tracks: int = 4
    min_noise_points: int = 3
    time_slack_s: float = 300.0
    prediction_spread_kn: float = 5.0
    ambiguity_ratio: float = 10.0
    movingpandas_compatible: bool = False


@dataclass(frozen=True)
class LoiteringConfig:
    """Loitering: slow for long in a small area, away from ports."""

    max_speed_kn: float = 2.0
    max_radius_m: float = 2000.0
    min_duration_h: float = 1.0
    exclude_ports: bool = True


@dataclass(frozen=True)
class GapConfig:
    """Dark gaps: no position from one vessel identity for a long time.

    A silence is kept as a dark gap only where it cannot be a coverage hole:
    the vessel must have spent at least ``min_switch_off_h`` of it within
    shore reception, learnt from the day's own traffic (see
    :mod:`coastwatch.detection`). That time (``switch_off_h``) is the
    smaller of (a) the hours its straight path between the last and next
    fix spends within reception (``coverage_h``) and (b) the hours it needs,
    at its own top speed, to sail out of reception from where it fell
    silent and back in to where it reappeared (``escape_h``).

    Attributes
    ----------
    min_gap_h : float
        Shortest silence, hours.
    reception_radius_km : float
        Other vessels heard within this distance of a gap's ends during the
        gap are its reception context, km.
    exclude_ports : bool
        Leave out silences that begin and end in a port area or on land.
    min_switch_off_h : float
        Least time within shore reception (see above), hours; 0 keeps every
        silence.
    min_covered_h : float
        Optional extra filter on ``coverage_h`` alone, hours; 0: off.
    coverage_step_deg : float
        Cell size on which reception is learnt, degrees.
    coverage_max_interp_h : float
        Intervals between two reports shorter than this count towards
        reception (as messages owed and heard along the interpolated path),
        hours. Long enough to span the silences between satellite passes
        (else satellite-only water looks well heard from the passes alone).
    coverage_min_owed : float
        Messages a cell must have been owed by vessels of a class before its
        reception is judged (fewer: unknown, counted as outside reception).
    coverage_min_rate : float
        Share of owed messages heard from which a cell counts as within
        shore reception. A passing satellite hears a few per cent; a shore
        receiver hearing one message in seven would already hear a slow
        class B at least once in its half hour of ten messages, but a cell's
        share averages its core with its fringe, so the default asks for
        twice that (measured on simulated days: fewer silences at the fringe
        taken for switch-offs, as many switch-offs found).
    escape_default_speed_kn : float
        Top speed assumed for a vessel that never reported its speed, knots.
    escape_min_speed_kn : float
        Lowest top speed assumed for any vessel, knots.
    reception_window_h : float
        Before and after a gap, the vessel's own reports in this window give
        the share of its messages heard there (``heard_before``,
        ``heard_after``); an end where that share is below
        ``coverage_min_rate`` counts as outside reception (no escape time
        from it), hours.
    """

    min_gap_h: float = 2.0
    reception_radius_km: float = 20.0
    exclude_ports: bool = True
    min_switch_off_h: float = 0.5
    min_covered_h: float = 0.0
    coverage_step_deg: float = 0.1
    coverage_max_interp_h: float = 6.0
    coverage_min_owed: float = 60.0
    coverage_min_rate: float = 0.3
    escape_default_speed_kn: float = 12.0
    escape_min_speed_kn: float = 1.0
    reception_window_h: float = 0.5


@dataclass(frozen=True)
class RendezvousConfig:
    """Rendezvous: two vessels close together and slow for a while."""

    max_distance_m: float = 500.0
    min_duration_h: float = 0.5
    max_speed_kn: float = 3.0
    time_step_s: int = 60
    max_break_s: int = 600
    exclude_ports: bool = True


@dataclass(frozen=True)
class DarkRendezvousConfig:
    """Dark rendezvous: overlapping gaps whose reachable areas meet."""

    min_overlap_h: float = 0.5
    max_speed_kn: float = 12.0
    # A meeting is only worth reporting when it can be placed: gaps longer
    # than this, or a meeting region larger than this, say nothing useful.
    max_gap_h: float = 12.0
    max_area_km2: float = 2500.0


@dataclass(frozen=True)
class DriftConfig:
    """Drift: slow, with course over ground far from heading, sustained.

    The Danish Maritime Authority's abnormal-behaviour rule (its published
    defaults): a report drifts at ``min_sog_kn``-``max_sog_kn`` knots with
    COG and true heading more than ``min_course_heading_deg`` degrees apart;
    a run of drifting reports counts once it has lasted ``min_duration_min``
    minutes and moved more than ``min_distance_m`` metres from where it
    began. A silence longer than ``max_silence_min`` minutes ends a run.
    """

    min_sog_kn: float = 1.0
    max_sog_kn: float = 5.0
    min_course_heading_deg: float = 45.0
    min_duration_min: float = 10.0
    min_distance_m: float = 500.0
    max_silence_min: float = 30.0
    exclude_ports: bool = True


@dataclass(frozen=True)
class RiskConfig:
    """Event risk factors, in log-odds points (see :mod:`coastwatch.risk`).

    Positive values raise the score, negative ones lower it; the score is
    the logistic of the sum. Distances in km, durations in hours.
    """

    base_loitering: float = -3.0
    base_dark_gap: float = -2.5
    base_rendezvous: float = -2.0
    base_dark_rendezvous: float = -1.5
    base_drift: float = -3.0
    loitering_threshold_h: float = 1.0
    gap_threshold_h: float = 2.0
    meeting_threshold_h: float = 0.5
    drift_threshold_h: float = 0.5
    duration_per_doubling: float = 0.4
    duration_max_doublings: float = 3.0
    night: float = 1.5
    offshore_min_km: float = 22.2
    offshore_max_km: float = 150.0
    offshore_band: float = 0.8
    far_offshore_km: float = 200.0
    far_offshore: float = -0.8
    border_km: float = 40.0
    border: float = 0.8
    border_crossing: float = 1.2
    neighbours_min: int = 2
    neighbours_heard: float = 1.2
    nobody_heard: float = -1.5
    # A gap whose vessel was silent at least this long within shore
    # reception (detection's switch_off_h) is no coverage hole: nobody_heard
    # does not apply to it.
    silent_in_reception_h: float = 0.5
    in_port: float = -2.5
    pilot_zone: float = -2.0
    class_b: float = 0.4
    no_static: float = 0.6
    small_vessel: float = 0.3
    bad_mmsi: float = 0.8
    fishing_night_drift: float = -1.5
    fishing_loiter: float = -0.8
    pair_fishing: float = -1.2
    pilot_tug: float = -2.0
    authority: float = -2.5
    big_merchant_waiting: float = -1.0
    speed_check_min_km: float = 5.0
    speed_ratio_high: float = 1.8
    odd_gap_speed: float = 0.7
    reason_threshold: float = 0.3
    link_hours: float = 3.0
    link_km: float = 60.0


@dataclass(frozen=True)
class GridConfig:
    """The risk grid and the daily products (see :mod:`coastwatch.heatmaps`).

    Attributes
    ----------
    lon_min, lon_max, lat_min, lat_max : float
        The default box, degrees (WGS84). The grid covers it and, with
        ``grow_box``, grows to fit data outside it.
    resolution_deg : float
        Cell size of the fine grid, degrees (0.02 deg is about 2 km).
    gap_resolution_deg : float
        Cell size of the coarse grid on which dark gaps are spread along their
        corridor, degrees; a whole multiple of ``resolution_deg``. Traffic for
        the normalised risk is also summed on this grid.
    grow_box : bool
        Grow the box (snapped outward to ``gap_resolution_deg``) to fit tracks
        and events outside it; if False, data outside the box is left out.
    max_cells : int
        Largest fine grid (cells per day) allowed when the box grows.
    traffic_max_interval_h : float
        Longest silence between two fixes of one vessel still counted as
        presence in ``traffic_hours``, hours.
    normalise_hours : float
        ``k`` of the traffic-normalised risk ``risk * k / (k + T)``, with ``T``
        the vessel-hours of traffic in the surrounding coarse cell, hours.
    day_boundary : str
        Where one day ends and the next begins: ``utc`` (UTC midnight) or
        ``pkt_noon`` (12:00 Pakistan time, UTC+5, so a night is never split).
    """

    lon_min: float = 57.5
    lon_max: float = 68.0
    lat_min: float = 22.0
    lat_max: float = 26.0
    resolution_deg: float = 0.02
    gap_resolution_deg: float = 0.1
    grow_box: bool = True
    max_cells: int = 4_000_000
    traffic_max_interval_h: float = 1.0
    normalise_hours: float = 24.0
    day_boundary: str = "utc"


@dataclass(frozen=True)
class TaskingConfig:
    """The patrol tasking list (see :func:`coastwatch.tasking.tasking_list`).

    Attributes
    ----------
    top_k : int
        Targets listed.
    cluster_radius_km : float
        Events (or incidents) within this distance of a target's leading event
        are gathered into that target, km.
    min_box_km : float
        Smallest side of a target's box, km (a single event gets a box this
        size centred on it).
    min_event_risk : float
        Events scored below this (0..1) are left out of the tasking list (they
        still count in the risk grid).
    max_reasons : int
        Events or incidents whose reasons are quoted per target.
    """

    top_k: int = 10
    cluster_radius_km: float = 15.0
    min_box_km: float = 10.0
    min_event_risk: float = 0.05
    max_reasons: int = 3


@dataclass(frozen=True)
class Config:
    """All settings of one run. Build with :func:`load_config`."""

    profile: str = "makran"
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    loitering: LoiteringConfig = field(default_factory=LoiteringConfig)
    gaps: GapConfig = field(default_factory=GapConfig)
    rendezvous: RendezvousConfig = field(default_factory=RendezvousConfig)
    dark_rendezvous: DarkRendezvousConfig = field(default_factory=DarkRendezvousConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    tasking: TaskingConfig = field(default_factory=TaskingConfig)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as nested plain dicts (TOML/JSON ready)."""
        return dataclasses.asdict(self)


# Sources for 'gfw': Global Fishing Watch encounter/loitering/gap definitions,
# see README 'Profiles'. Encounters: <= 500 m for >= 2 h at median speed < 2 kn,
# >= 10 km from anchorages; loitering < 2 kn; AIS gaps >= 6 h.
PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "makran": {},
    "gfw": {
        "loitering": {"max_speed_kn": 2.0, "min_duration_h": 1.0},
        "gaps": {"min_gap_h": 6.0},
        "segment": {"max_gap_h": 6.0},
        "rendezvous": {
            "max_distance_m": 500.0,
            "min_duration_h": 2.0,
            "max_speed_kn": 2.0,
        },
    },
}


def _apply(config: Config, overrides: dict[str, Any], origin: str) -> Config:
    changes: dict[str, Any] = {}
    sections = {f.name for f in fields(Config) if f.name != "profile"}
    for section, values in overrides.items():
        if section == "profile":
            continue
        if section not in sections:
            raise ConfigError(
                f"{origin}: unknown section [{section}] "
                f"(known: {', '.join(sorted(sections))})"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: [{section}] must be a table of settings")
        current = getattr(config, section)
        known = {f.name: f for f in fields(current)}
        typed = {}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(
                    f"{origin}: unknown setting {section}.{key} "
                    f"(known: {', '.join(sorted(known))})"
                )
            default = getattr(current, key)
            typed[key] = _coerce(value, default, f"{origin}: {section}.{key}")
        changes[section] = replace(current, **typed)
    return replace(config, **changes)


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, got {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        return float(value)
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{where} must be text, got {value!r}")
    return value


def load_config(
    path: str | os.PathLike | None = None,
    profile: str | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Config:
    """Build the settings for a run.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A TOML file with ``[section]`` tables of settings, and optionally a
        top-level ``profile = "..."``.
    profile : str, optional
        Profile name (``makran`` or ``gfw``); overrides the file's profile.
        Default ``makran``.
    overrides : dict, optional
        ``{section: {setting: value}}`` applied last.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        On an unreadable or invalid file, an unknown profile, section or
        setting, or a value of the wrong type.
    """
    from_file: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                from_file = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    name = profile or from_file.get("profile") or "makran"
    if name not in PROFILES:
        raise ConfigError(
            f"unknown profile {name!r} (known: {', '.join(sorted(PROFILES))})"
        )
    config = _apply(Config(profile=name), PROFILES[name], f"profile {name}")
    if from_file:
        config = _apply(config, from_file, os.fspath(path))
    if overrides:
        config = _apply(config, overrides, "overrides")
    return config
