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
    "GapConfig",
    "GridConfig",
    "LoiteringConfig",
    "RendezvousConfig",
    "SegmentConfig",
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
    """Dark gaps: no position from one vessel identity for a long time."""

    min_gap_h: float = 2.0
    reception_radius_km: float = 20.0
    exclude_ports: bool = True


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


@dataclass(frozen=True)
class GridConfig:
    """The risk grid: a regular lon/lat box (degrees)."""

    lon_min: float = 57.5
    lon_max: float = 68.0
    lat_min: float = 22.0
    lat_max: float = 26.0
    resolution_deg: float = 0.02
    gap_resolution_deg: float = 0.1


@dataclass(frozen=True)
class Config:
    """All settings of one run. Build with :func:`load_config`."""

    profile: str = "makran"
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    loitering: LoiteringConfig = field(default_factory=LoiteringConfig)
    gaps: GapConfig = field(default_factory=GapConfig)
    rendezvous: RendezvousConfig = field(default_factory=RendezvousConfig)
    dark_rendezvous: DarkRendezvousConfig = field(default_factory=DarkRendezvousConfig)
    grid: GridConfig = field(default_factory=GridConfig)

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
