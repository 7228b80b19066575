"""The risk grid: tracks and scored events gridded per day into an xarray.Dataset.

Grid
----
A regular longitude/latitude grid (WGS84 degrees). The box is
:class:`~coastwatch.config.GridConfig`'s (lon 57.5–68.0 E, lat 22.0–26.0 N by
default) snapped outward to the coarse resolution. With ``grow_box`` it grows
to fit the data: to the union of the box and the data's extent where they
overlap, to the data's extent alone where they do not (a Danish or US track
file gets a grid around itself, not one reaching to the Makran coast). The
extent covers every event and every track fix except strays: per axis, fixes
farther than max(1 deg, half the central range) beyond the 0.1th..99.9th
percentiles do not grow the box, so a stray position report far away (say at
0 N 0 E) does not blow the grid up; such fixes fall outside the grid and are
left out.

Two resolutions share the box: the fine grid (``lat``, ``lon``;
``resolution_deg``, 0.02 deg, about 2 km) and the coarse grid
(``lat_coarse``, ``lon_coarse``; ``gap_resolution_deg``, 0.1 deg, about 11
km), each coarse cell an exact block of fine cells. Coordinates are cell
centres, ascending.

Variables (per day, all sums over the day's events or fixes)
-------------------------------------------------------------
=========================  ==============  ============================================
variable                   dims            meaning
=========================  ==============  ============================================
traffic_hours              time, lat, lon  vessel-hours of presence: the time between
                                           consecutive fixes of one segment (or of one
                                           MMSI when the table has no ``segment``
                                           column), split half to each fix's cell,
                                           for intervals up to
                                           ``traffic_max_interval_h``; an interval
                                           belongs to the day of its first fix
loitering_hours            time, lat, lon  ``duration_h`` of loitering events, at
                                           their position
gap_count                  time,           dark gaps spread evenly along the straight
                           lat_coarse,     line from where each began to where it
                           lon_coarse      ended (its position in between is unknown,
                                           hence the coarse grid); a gap adds 1 in all
rendezvous_count           time, lat, lon  rendezvous events at their meeting point
dark_rendezvous_count      time, lat, lon  dark rendezvous events at their meeting point
risk                       time, lat, lon  event ``risk`` (0..1) summed per cell: at the
                                           event's position; a dark gap's risk half
                                           where it began, half where it ended
risk_normalised            time, lat, lon  ``risk * k / (k + T)``, ``T`` the traffic
                                           hours of the surrounding coarse cell and
                                           ``k`` = ``normalise_hours`` (24 h): the
                                           same as ``risk`` where few vessels pass,
                                           damped in busy lanes and anchorages, where
                                           events are expected by sheer numbers
<kind>_events              time            events of each kind that day (all of them,
                                           in the grid or not)
vessel_count               time            distinct MMSIs with fixes that day
=========================  ==============  ============================================

Events belong to the day in which they start; days follow the configured
boundary (:mod:`coastwatch.days`). Events with a NaN risk add nothing to the
risk layers. The time coordinate is the UTC start of each day's window, with
CF cell bounds in ``time_bnds``.

Pictures
--------
:func:`render_heatmap` draws one day's risk layer as a map (smoothed, as a
density per 100 km²) under the patrol targets' boxes; :func:`render_layers`
draws traffic, loitering, dark gaps and rendezvous side by side. Both write
PNGs whose bytes depend only on their inputs (and the matplotlib version).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from kernels.gridding import (
    HALF_SECONDS_PER_HOUR,
    grid_dwell_half_seconds,
    grid_lines,
    grid_points,
)

from . import days as _days
from ._io import atomic_path
from ._version import __version__
from .config import Config, GridConfig
from .errors import ConfigError, InputError
from .events import EVENT_KINDS
from .schema import timestamps_ns

__all__ = [
    "DayTraffic",
    "GridSpec",
    "day_grid_spec",
    "day_traffic",
    "grid_spec",
    "render_heatmap",
    "render_layers",
    "risk_grid",
    "track_extent",
    "write_netcdf",
]

_TRACK_COLUMNS = ("mmsi", "timestamp", "lat", "lon")
_EVENT_COLUMNS = ("kind", "mmsi", "start", "lat", "lon", "risk")
_EXTENT_QUANTILES = (0.001, 0.999)
_EXTENT_MARGIN_DEG = 1.0
_EPS = 1e-9


@dataclass(frozen=True)
class GridSpec:
    """A regular lon/lat grid with an exactly nested coarse grid.

    Attributes
    ----------
    lat_min, lon_min : float
        South-west corner, degrees.
    step_deg : float
        Fine cell size, degrees.
    n_lat, n_lon : int
        Fine rows and columns.
    factor : int
        Fine cells per coarse cell along each axis.
    """

    lat_min: float
    lon_min: float
    step_deg: float
    n_lat: int
    n_lon: int
    factor: int

    @property
    def coarse_step_deg(self) -> float:
        """Coarse cell size, degrees."""
        return self.step_deg * self.factor

    @property
    def lat_max(self) -> float:
        """North edge, degrees."""
        return round(self.lat_min + self.n_lat * self.step_deg, 9)

    @property
    def lon_max(self) -> float:
        """East edge, degrees."""
        return round(self.lon_min + self.n_lon * self.step_deg, 9)

    def centres(self, coarse: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre latitudes and longitudes (ascending), degrees."""
        step = self.coarse_step_deg if coarse else self.step_deg
        n_lat = self.n_lat // self.factor if coarse else self.n_lat
        n_lon = self.n_lon // self.factor if coarse else self.n_lon
        lat = np.round(self.lat_min + (np.arange(n_lat) + 0.5) * step, 9)
        lon = np.round(self.lon_min + (np.arange(n_lon) + 0.5) * step, 9)
        return lat, lon

    def kernel_args(self, coarse: bool = False) -> tuple:
        """``(lat_min, lon_min, step_deg, n_lat, n_lon)`` for the grid kernels."""
        if coarse:
            f = self.factor
            return (
                self.lat_min,
                self.lon_min,
                self.coarse_step_deg,
                self.n_lat // f,
                self.n_lon // f,
            )
        return (self.lat_min, self.lon_min, self.step_deg, self.n_lat, self.n_lon)


def _check_grid_config(grid: GridConfig) -> int:
    if not (grid.resolution_deg > 0 and grid.gap_resolution_deg > 0):
        raise ConfigError(
            "grid.resolution_deg and grid.gap_resolution_deg must be positive, got "
            f"{grid.resolution_deg!r} and {grid.gap_resolution_deg!r}"
        )
    factor = round(grid.gap_resolution_deg / grid.resolution_deg)
    if factor < 1 or abs(factor * grid.resolution_deg - grid.gap_resolution_deg) > 1e-9:
        raise ConfigError(
            "grid.gap_resolution_deg must be a whole multiple of grid.resolution_deg, "
            f"got {grid.gap_resolution_deg!r} and {grid.resolution_deg!r}"
        )
    if not (grid.lon_min < grid.lon_max and grid.lat_min < grid.lat_max):
        raise ConfigError(
            "grid box must have lon_min < lon_max and lat_min < lat_max, got lon "
            f"{grid.lon_min!r}..{grid.lon_max!r}, "
            f"lat {grid.lat_min!r}..{grid.lat_max!r}"
        )
    if not (grid.normalise_hours > 0 and grid.traffic_max_interval_h > 0):
        raise ConfigError(
            "grid.normalise_hours and grid.traffic_max_interval_h must be positive, "
            f"got {grid.normalise_hours!r} and {grid.traffic_max_interval_h!r}"
        )
    return factor


def _robust_range(values: np.ndarray) -> tuple[float, float]:
    """Range of the values that lie near the central 99.8 % of them."""
    q0, q1 = np.quantile(values, _EXTENT_QUANTILES)
    margin = max(_EXTENT_MARGIN_DEG, 0.5 * (q1 - q0))
    near = values[(values >= q0 - margin) & (values <= q1 + margin)]
    return float(near.min()), float(near.max())


def track_extent(lat: np.ndarray, lon: np.ndarray):
    """Extent of track fixes, stray fixes left out (see the module docstring).

    Parameters
    ----------
    lat, lon : ndarray of float64
        Fix positions, degrees, any order; NaN rows are ignored.

    Returns
    -------
    tuple of float or None
        ``(lat_min, lat_max, lon_min, lon_max)``, degrees; None without a
        position.
    """
    return _extent(np.asarray(lat, np.float64), np.asarray(lon, np.float64), True)


def _extent(lat, lon, robust: bool):
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    la, lo = lat[ok], lon[ok]
    if robust and len(la) > 1:
        qla = _robust_range(la)
        qlo = _robust_range(lo)
    else:
        qla = (la.min(), la.max())
        qlo = (lo.min(), lo.max())
    return qla[0], qla[1], qlo[0], qlo[1]


def _data_extent(track_lat, track_lon, event_lat, event_lon):
    """(lat_min, lat_max, lon_min, lon_max) of the data, or None if empty."""
    return _union_extent(
        _extent(track_lat, track_lon, True), _extent(event_lat, event_lon, False)
    )


def _union_extent(*parts):
    lows, highs = [], []
    for part in parts:
        if part is None:
            continue
        lows.append((part[0], part[2]))
        highs.append((part[1], part[3]))
    if not lows:
        return None
    lat_min = max(min(v[0] for v in lows), -90.0)
    lon_min = max(min(v[1] for v in lows), -180.0)
    lat_max = min(max(v[0] for v in highs), 90.0)
    lon_max = min(max(v[1] for v in highs), 180.0)
    return lat_min, lat_max, lon_min, lon_max


def grid_spec(grid: GridConfig, extent=None) -> GridSpec:
    """The grid for a box and (optionally) the extent of the data.

    Parameters
    ----------
    grid : GridConfig
        Box and resolutions.
    extent : tuple of float, optional
        ``(lat_min, lat_max, lon_min, lon_max)`` of the data, degrees; with
        ``grid.grow_box`` the box grows to fit it (see the module docstring).

    Returns
    -------
    GridSpec
        Edges snapped outward to multiples of ``gap_resolution_deg``.

    Raises
    ------
    ConfigError
        On an invalid grid configuration, or a grid larger than
        ``grid.max_cells``.
    """
    factor = _check_grid_config(grid)
    lat0, lat1, lon0, lon1 = grid.lat_min, grid.lat_max, grid.lon_min, grid.lon_max
    if extent is not None and grid.grow_box:
        elat0, elat1, elon0, elon1 = extent
        overlaps = elat0 <= lat1 and elat1 >= lat0 and elon0 <= lon1 and elon1 >= lon0
        if overlaps:
            lat0, lat1 = min(lat0, elat0), max(lat1, elat1)
            lon0, lon1 = min(lon0, elon0), max(lon1, elon1)
        else:
            lat0, lat1, lon0, lon1 = elat0, elat1, elon0, elon1
    coarse = grid.gap_resolution_deg
    i_lat0 = math.floor(lat0 / coarse + _EPS)
    i_lon0 = math.floor(lon0 / coarse + _EPS)
    n_lat_c = max(1, math.ceil(lat1 / coarse - _EPS) - i_lat0)
    n_lon_c = max(1, math.ceil(lon1 / coarse - _EPS) - i_lon0)
    cells = n_lat_c * n_lon_c * factor * factor
    if cells > grid.max_cells:
        raise ConfigError(
            f"the data span lat {lat0:.2f}..{lat1:.2f}, lon {lon0:.2f}..{lon1:.2f}: "
            f"{cells} cells at {grid.resolution_deg} deg exceed grid.max_cells "
            f"({grid.max_cells}); raise grid.resolution_deg or set a box with "
            "grid.grow_box = false"
        )
    return GridSpec(
        lat_min=round(i_lat0 * coarse, 9),
        lon_min=round(i_lon0 * coarse, 9),
        step_deg=grid.resolution_deg,
        n_lat=n_lat_c * factor,
        n_lon=n_lon_c * factor,
        factor=factor,
    )


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise InputError(
            None,
            f"{what} table lacks required column(s) {missing}; "
            f"found {list(frame.columns)}",
        )


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return np.ascontiguousarray(
        pd.to_numeric(frame[column], errors="coerce").to_numpy(
            np.float64, na_value=np.nan
        )
    )


def _event_ns(events: pd.DataFrame, column: str = "start") -> np.ndarray:
    values = events[column]
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values, utc=True)
    return timestamps_ns(pd.DataFrame({column: values}), column)


@dataclass
class _Traffic:
    """Track arrays sorted by (group, time), with group boundaries."""

    t_s: np.ndarray
    day: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    same_group_next: np.ndarray  # row i and i + 1 are one group
    mmsi: np.ndarray


def _prepare_traffic(tracks: pd.DataFrame | None, boundary: str) -> _Traffic | None:
    if tracks is None or not len(tracks):
        return None
    _require(tracks, _TRACK_COLUMNS, "track")
    t_ns = timestamps_ns(tracks)
    group = (
        tracks["segment"].to_numpy(np.int64)
        if "segment" in tracks
        else tracks["mmsi"].to_numpy(np.int64)
    )
    lat = _float(tracks, "lat")
    lon = _float(tracks, "lon")
    # Sorted by (group, time) without equal times is used as is; otherwise
    # sort, breaking ties by position so any row order gives the same grid.
    in_order = len(group) < 2 or bool(
        np.all(
            (group[1:] > group[:-1])
            | ((group[1:] == group[:-1]) & (t_ns[1:] > t_ns[:-1]))
        )
    )
    order = None if in_order else np.lexsort((lon, lat, t_ns, group))

    def take(a):
        return np.ascontiguousarray(a if order is None else a[order])

    group = take(group)
    t_ns = take(t_ns)
    return _Traffic(
        t_s=t_ns // 1_000_000_000,
        day=_days.day_numbers(t_ns, boundary),
        lat=take(lat),
        lon=take(lon),
        same_group_next=group[1:] == group[:-1],
        mmsi=take(tracks["mmsi"].to_numpy(np.int64)),
    )


def _traffic_for_day(traffic: _Traffic, day: int, spec: GridSpec, max_dt_s: int):
    """Traffic of one day in half-seconds: intervals whose first fix lies in it."""
    in_day = traffic.day == day
    if not in_day.any():
        return np.zeros((spec.n_lat, spec.n_lon), dtype=np.int64), 0
    # Keep the next fix of the same group after the day's last one, so the
    # interval across the boundary counts (for the day of its first fix).
    rows = in_day.copy()
    rows[1:] |= in_day[:-1] & traffic.same_group_next & ~in_day[1:]
    idx = np.flatnonzero(rows)
    starts = np.flatnonzero(
        np.concatenate(
            [[True], ~traffic.same_group_next[idx[:-1]] | (np.diff(idx) != 1)]
        )
    )
    offsets = np.append(starts, len(idx)).astype(np.int64)
    half_seconds = grid_dwell_half_seconds(
        traffic.t_s[idx],
        traffic.lat[idx],
        traffic.lon[idx],
        offsets,
        max_dt_s,
        *spec.kernel_args(),
    )
    vessels = len(np.unique(traffic.mmsi[in_day]))
    return half_seconds, vessels


@dataclass
class DayTraffic:
    """Traffic layers gridded beforehand, piece by piece (partitioned runs).

    Attributes
    ----------
    extent : tuple of float or None
        :func:`track_extent` of all the tracks.
    half_seconds : dict of int to ndarray
        Day number (:func:`coastwatch.days.day_numbers`) -> int64 grid of
        the fine cells of :func:`day_grid_spec`: vessel presence in
        half-seconds (:func:`day_traffic`), summed over the pieces.
    vessels : dict of int to int
        Day number -> distinct MMSIs with fixes that day, summed over pieces
        holding disjoint sets of vessels.
    """

    extent: tuple | None
    half_seconds: dict
    vessels: dict


def day_grid_spec(
    config: Config | None, tracks_extent, events: pd.DataFrame | None
) -> GridSpec:
    """The grid :func:`risk_grid` uses for tracks of a known extent and events.

    Parameters
    ----------
    config : Config, optional
        Grid settings.
    tracks_extent : tuple of float or None
        :func:`track_extent` of the tracks.
    events : pandas.DataFrame or None
        The event table being gridded with them.

    Returns
    -------
    GridSpec
    """
    config = config or Config()
    return grid_spec(config.grid, _union_extent(tracks_extent, _event_extent(events)))


def _event_extent(events: pd.DataFrame | None):
    if events is None or not len(events):
        return None
    return _extent(
        np.concatenate([_float(events, "lat"), _float(events, "end_lat")]),
        np.concatenate([_float(events, "lon"), _float(events, "end_lon")]),
        False,
    )


def day_traffic(
    tracks: pd.DataFrame | None, spec: GridSpec, day, config: Config | None = None
) -> tuple[np.ndarray, int]:
    """One day's traffic layer of some tracks, exactly summable over pieces.

    Parameters
    ----------
    tracks : pandas.DataFrame or None
        Track rows (``mmsi``, ``timestamp``, ``lat``, ``lon``; ``segment``
        if segmented), as :func:`risk_grid` would get them.
    spec : GridSpec
        The grid (:func:`day_grid_spec`).
    day : date-like
        The day's label.
    config : Config, optional
        ``grid.day_boundary`` and ``grid.traffic_max_interval_h``.

    Returns
    -------
    half_seconds : ndarray of int64, shape (spec.n_lat, spec.n_lon)
        Vessel presence in half-seconds (7200 per hour). Pieces holding
        disjoint sets of segments add up to the grid of their union.
    vessels : int
        Distinct MMSIs with fixes that day.
    """
    config = config or Config()
    traffic = _prepare_traffic(tracks, config.grid.day_boundary)
    if traffic is None:
        return np.zeros((spec.n_lat, spec.n_lon), dtype=np.int64), 0
    max_dt_s = round(config.grid.traffic_max_interval_h * 3600)
    return _traffic_for_day(traffic, _days.number_of_label(day), spec, max_dt_s)


def _event_layers(events: pd.DataFrame, spec: GridSpec) -> dict[str, np.ndarray]:
    kind = events["kind"].to_numpy(dtype=object)
    lat = _float(events, "lat")
    lon = _float(events, "lon")
    end_lat = _float(events, "end_lat")
    end_lon = _float(events, "end_lon")
    risk = _float(events, "risk")
    duration = _float(events, "duration_h")
    fine = spec.kernel_args()
    coarse = spec.kernel_args(coarse=True)

    def points(mask, weight, la=lat, lo=lon):
        return grid_points(
            np.ascontiguousarray(la[mask]),
            np.ascontiguousarray(lo[mask]),
            np.ascontiguousarray(weight[mask]),
            *fine,
        )

    ones = np.ones(len(events))
    gap = kind == "dark_gap"
    loiter = kind == "loitering"
    layers = {
        "loitering_hours": points(loiter, duration),
        "rendezvous_count": points(kind == "rendezvous", ones),
        "dark_rendezvous_count": points(kind == "dark_rendezvous", ones),
        "gap_count": grid_lines(
            np.ascontiguousarray(lat[gap]),
            np.ascontiguousarray(lon[gap]),
            np.ascontiguousarray(end_lat[gap]),
            np.ascontiguousarray(end_lon[gap]),
            np.ones(int(gap.sum())),
            *coarse,
        ),
    }
    # A gap's risk is split between where it began and where it ended (both
    # known places); without an end, all of it stays at the start.
    has_end = gap & np.isfinite(end_lat) & np.isfinite(end_lon)
    start_share = np.where(has_end, 0.5 * risk, risk)
    layers["risk"] = points(np.ones(len(events), dtype=bool), start_share) + points(
        has_end, 0.5 * risk, end_lat, end_lon
    )
    return layers


def _days_present(traffic: _Traffic | None, events: pd.DataFrame | None, boundary):
    found = set()
    if traffic is not None:
        found.update(np.unique(traffic.day).tolist())
    if events is not None and len(events):
        found.update(np.unique(_days.day_numbers(_event_ns(events), boundary)).tolist())
    return sorted(found)


_CRS_ATTRS = {
    "grid_mapping_name": "latitude_longitude",
    "longitude_of_prime_meridian": 0.0,
    "semi_major_axis": 6378137.0,
    "inverse_flattening": 298.257223563,
    "epsg_code": "EPSG:4326",
    "crs_wkt": (
        'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",'
        '6378137,298.257223563,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,'
        'ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],AXIS["geodetic '
        'latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],'
        'AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",'
        '0.0174532925199433]],ID["EPSG",4326]]'
    ),
}

_VARIABLE_ATTRS = {
    "traffic_hours": {
        "long_name": "vessel-hours of AIS presence",
        "units": "h",
        "cell_methods": "time: sum",
    },
    "loitering_hours": {
        "long_name": "hours of loitering events",
        "units": "h",
        "cell_methods": "time: sum",
    },
    "gap_count": {
        "long_name": "dark gaps spread along their start-end corridor",
        "units": "1",
        "cell_methods": "time: sum",
    },
    "rendezvous_count": {
        "long_name": "rendezvous events",
        "units": "1",
        "cell_methods": "time: sum",
    },
    "dark_rendezvous_count": {
        "long_name": "dark rendezvous events",
        "units": "1",
        "cell_methods": "time: sum",
    },
    "risk": {
        "long_name": "event risk score summed per cell",
        "units": "1",
        "cell_methods": "time: sum",
        "comment": "a dark gap's risk is split half to its start, half to its end",
    },
    "risk_normalised": {
        "long_name": "event risk damped by surrounding traffic",
        "units": "1",
        "cell_methods": "time: sum",
        "comment": "risk * k / (k + T): T the traffic_hours summed over the "
        "enclosing coarse cell, k = normalise_hours",
    },
}


def risk_grid(
    tracks: pd.DataFrame | None,
    events: pd.DataFrame | None,
    config: Config | None = None,
    days=None,
    *,
    traffic: DayTraffic | None = None,
) -> xr.Dataset:
    """Grid one or more days of tracks and scored events.

    Parameters
    ----------
    tracks : pandas.DataFrame or None
        Track table (``mmsi``, ``timestamp``, ``lat``, ``lon``; ``segment``
        if segmented). Sorted by (segment or MMSI, time) is fastest; any order
        works.
    events : pandas.DataFrame or None
        Event table (:mod:`coastwatch.events`) with ``risk`` (0..1).
    config : Config, optional
        Uses ``config.grid`` (box, resolutions, normalisation, day boundary).
    days : sequence of date-like, optional
        Day labels to grid (see :mod:`coastwatch.days`); default every day
        with a fix or an event start.
    traffic : DayTraffic, optional
        The tracks' layers gridded beforehand (in pieces, see
        :func:`day_traffic`), in place of ``tracks`` (which must then be
        None): the result is the same as gridding the tracks here.

    Returns
    -------
    xarray.Dataset
        Dims ``time`` (one per day), ``lat``, ``lon``, ``lat_coarse``,
        ``lon_coarse``, ``nv``; the variables of the module docstring, a
        ``crs`` grid-mapping variable and CF-1.8 attributes.

    Raises
    ------
    InputError
        If a table lacks a required column.
    ConfigError
        On an invalid grid configuration or a grid above ``max_cells``.
    """
    config = config or Config()
    grid = config.grid
    boundary = grid.day_boundary
    _days._offset(boundary)
    if events is not None and len(events):
        _require(events, _EVENT_COLUMNS, "event")
    else:
        events = None
    if traffic is not None:
        if tracks is not None:
            raise InputError(None, "risk_grid takes tracks or traffic, not both")
        gridded, prepared = traffic, None
        tracks_extent = traffic.extent
    else:
        gridded, prepared = None, _prepare_traffic(tracks, boundary)
        tracks_extent = (
            _extent(prepared.lat, prepared.lon, True) if prepared is not None else None
        )
    if days is None:
        numbers = _days_present(prepared, events, boundary)
        if gridded is not None:
            numbers = sorted(set(numbers) | set(gridded.half_seconds))
    else:
        numbers = sorted({_days.number_of_label(d) for d in days})
    spec = grid_spec(grid, _union_extent(tracks_extent, _event_extent(events)))
    event_day = (
        _days.day_numbers(_event_ns(events), boundary) if events is not None else None
    )
    max_dt_s = round(grid.traffic_max_interval_h * 3600)
    fine_names = [
        "traffic_hours",
        "loitering_hours",
        "rendezvous_count",
        "dark_rendezvous_count",
        "risk",
        "risk_normalised",
    ]
    n_days = len(numbers)
    fine = {name: np.zeros((n_days, spec.n_lat, spec.n_lon)) for name in fine_names}
    f = spec.factor
    gap = np.zeros((n_days, spec.n_lat // f, spec.n_lon // f))
    counts = {kind: np.zeros(n_days, dtype=np.int64) for kind in EVENT_KINDS}
    vessel_count = np.zeros(n_days, dtype=np.int64)
    for k, number in enumerate(numbers):
        if prepared is not None:
            half_seconds, vessel_count[k] = _traffic_for_day(
                prepared, number, spec, max_dt_s
            )
            fine["traffic_hours"][k] = half_seconds / HALF_SECONDS_PER_HOUR
        elif gridded is not None and number in gridded.half_seconds:
            half_seconds = gridded.half_seconds[number]
            if half_seconds.shape != (spec.n_lat, spec.n_lon):
                raise InputError(
                    None,
                    f"traffic grid of shape {half_seconds.shape} does not fit the "
                    f"day's grid {(spec.n_lat, spec.n_lon)}; grid it on "
                    "day_grid_spec(...)",
                )
            fine["traffic_hours"][k] = half_seconds / HALF_SECONDS_PER_HOUR
            vessel_count[k] = gridded.vessels.get(number, 0)
        if events is not None:
            todays = events[event_day == number]
            if len(todays):
                layers = _event_layers(todays, spec)
                for name, values in layers.items():
                    if name == "gap_count":
                        gap[k] = values
                    else:
                        fine[name][k] = values
                kinds = todays["kind"].value_counts()
                for kind in EVENT_KINDS:
                    counts[kind][k] = int(kinds.get(kind, 0))
        coarse_traffic = (
            fine["traffic_hours"][k]
            .reshape(spec.n_lat // f, f, spec.n_lon // f, f)
            .sum(axis=(1, 3))
        )
        busy = np.repeat(np.repeat(coarse_traffic, f, axis=0), f, axis=1)
        k_h = grid.normalise_hours
        fine["risk_normalised"][k] = fine["risk"][k] * k_h / (k_h + busy)
    return _assemble(spec, numbers, fine, gap, counts, vessel_count, config)


def _assemble(spec, numbers, fine, gap, counts, vessel_count, config) -> xr.Dataset:
    grid = config.grid
    boundary = grid.day_boundary
    windows = [_days.day_window(_days.label_of_number(n), boundary) for n in numbers]
    time = np.array([w[0].tz_convert(None).to_datetime64() for w in windows]).astype(
        "datetime64[ns]"
    )
    bounds = (
        np.array(
            [
                [
                    w[0].tz_convert(None).to_datetime64(),
                    w[1].tz_convert(None).to_datetime64(),
                ]
                for w in windows
            ]
        )
        .astype("datetime64[ns]")
        .reshape(len(numbers), 2)
    )
    lat, lon = spec.centres()
    lat_c, lon_c = spec.centres(coarse=True)
    fine_dims = ("time", "lat", "lon")
    data_vars = {
        name: xr.Variable(
            fine_dims, values, {**_VARIABLE_ATTRS[name], "grid_mapping": "crs"}
        )
        for name, values in fine.items()
    }
    data_vars["gap_count"] = xr.Variable(
        ("time", "lat_coarse", "lon_coarse"),
        gap,
        {**_VARIABLE_ATTRS["gap_count"], "grid_mapping": "crs"},
    )
    for kind in EVENT_KINDS:
        data_vars[f"{kind}_events"] = xr.Variable(
            ("time",),
            counts[kind],
            {
                "long_name": f"{kind.replace('_', ' ')} events starting that day",
                "units": "1",
            },
        )
    data_vars["vessel_count"] = xr.Variable(
        ("time",),
        vessel_count,
        {"long_name": "distinct MMSIs with fixes that day", "units": "1"},
    )
    data_vars["crs"] = xr.Variable((), np.int32(0), dict(_CRS_ATTRS))
    data_vars["time_bnds"] = xr.Variable(("time", "nv"), bounds)
    coords = {
        "time": xr.Variable(
            ("time",),
            time,
            {
                "standard_name": "time",
                "long_name": "start of the day (UTC)",
                "bounds": "time_bnds",
                "axis": "T",
            },
        ),
        "lat": xr.Variable(
            ("lat",),
            lat,
            {
                "standard_name": "latitude",
                "long_name": "latitude of cell centre",
                "units": "degrees_north",
                "axis": "Y",
            },
        ),
        "lon": xr.Variable(
            ("lon",),
            lon,
            {
                "standard_name": "longitude",
                "long_name": "longitude of cell centre",
                "units": "degrees_east",
                "axis": "X",
            },
        ),
        "lat_coarse": xr.Variable(
            ("lat_coarse",),
            lat_c,
            {
                "standard_name": "latitude",
                "long_name": "latitude of coarse cell centre",
                "units": "degrees_north",
            },
        ),
        "lon_coarse": xr.Variable(
            ("lon_coarse",),
            lon_c,
            {
                "standard_name": "longitude",
                "long_name": "longitude of coarse cell centre",
                "units": "degrees_east",
            },
        ),
    }
    attrs = {
        "Conventions": "CF-1.8",
        "title": "coastwatch daily smuggling-risk grid",
        "source": f"coastwatch {__version__}: AIS tracks and scored events",
        "history": f"coastwatch {__version__} coastwatch.heatmaps.risk_grid",
        "comment": (
            "Sums per cell and day. Events belong to the day they start in; "
            "dark gaps are spread along their corridor on the coarse grid. "
            "Positions WGS84; cell centres."
        ),
        "day_boundary": boundary,
        "resolution_deg": spec.step_deg,
        "coarse_resolution_deg": spec.coarse_step_deg,
        "normalise_hours": grid.normalise_hours,
        "traffic_max_interval_h": grid.traffic_max_interval_h,
        "geospatial_lat_min": spec.lat_min,
        "geospatial_lat_max": spec.lat_max,
        "geospatial_lon_min": spec.lon_min,
        "geospatial_lon_max": spec.lon_max,
    }
    return xr.Dataset(data_vars, coords, attrs)


def _encoding(ds: xr.Dataset) -> dict:
    encoding = {}
    for name, var in ds.variables.items():
        if name in ("time", "time_bnds"):
            encoding[name] = {
                "units": "seconds since 1970-01-01 00:00:00",
                "calendar": "standard",
                "dtype": "int64",
            }
        elif var.ndim >= 2 and var.dtype.kind == "f":
            encoding[name] = {
                "dtype": "float32",
                "zlib": True,
                "complevel": 4,
                "shuffle": True,
                "chunksizes": (1, *var.shape[1:]),
                "_FillValue": None,
            }
        elif var.dtype.kind == "f":
            encoding[name] = {"_FillValue": None}
    return encoding


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a risk grid as NetCDF-4 (h5netcdf engine), atomically.

    Gridded floats are stored as compressed float32; times as int64 seconds
    since 1970-01-01 UTC. The file holds no creation or modification times
    (HDF5 object time tracking is off), so the same dataset gives the same
    bytes.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`risk_grid`.
    path : str or os.PathLike
        Target file (its folder is created).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=_encoding(ds))
    return path


# --------------------------------------------------------------------------
# Rendering

_RISK_CMAP = "YlOrRd"
_KIND_LABELS = {
    "loitering": ("loitering", "loitering"),
    "dark_gap": ("dark gap", "dark gaps"),
    "rendezvous": ("rendezvous", "rendezvous"),
    "dark_rendezvous": ("dark rendezvous", "dark rendezvous"),
    "drift": ("drift", "drifts"),
}


def _day_slice(ds: xr.Dataset, day) -> tuple[xr.Dataset, pd.Timestamp, pd.Timestamp]:
    boundary = ds.attrs.get("day_boundary", "utc")
    start, end = _days.day_window(day, boundary)
    key = np.datetime64(start.tz_convert(None).to_datetime64(), "ns")
    if key not in ds["time"].values:
        have = ", ".join(str(_days.day_label(t)) for t in ds["time"].values)
        raise InputError(
            None, f"the risk grid has no day {_days.day_label(day)} (it has: {have})"
        )
    return ds.sel(time=key), start, end


def _box(ds: xr.Dataset) -> tuple[float, float, float, float]:
    return (
        float(ds.attrs["geospatial_lon_min"]),
        float(ds.attrs["geospatial_lon_max"]),
        float(ds.attrs["geospatial_lat_min"]),
        float(ds.attrs["geospatial_lat_max"]),
    )


def _edges(centres: np.ndarray, step: float) -> np.ndarray:
    return np.append(centres - step / 2, centres[-1] + step / 2)


def _window_text(start: pd.Timestamp, end: pd.Timestamp, boundary: str) -> str:
    if boundary == "pkt_noon":
        return (
            f"{start.tz_convert('Asia/Karachi'):%d %b %H:%M}–"
            f"{end.tz_convert('Asia/Karachi'):%d %b %H:%M} PKT"
        )
    return f"{start:%d %b %H:%M}–{end:%d %b %H:%M} UTC"


def _event_counts_text(day_ds: xr.Dataset) -> tuple[int, str]:
    parts, total = [], 0
    for kind in EVENT_KINDS:
        n = int(day_ds[f"{kind}_events"])
        total += n
        if n:
            singular, plural = _KIND_LABELS[kind]
            parts.append(f"{n} {singular if n == 1 else plural}")
    return total, ", ".join(parts) if parts else "none"


def _map_size(box, map_width_in: float, max_height_in: float) -> tuple[float, float]:
    lon0, lon1, lat0, lat1 = box
    from ._mapping import aspect

    height = map_width_in * (lat1 - lat0) * aspect(lat0, lat1) / (lon1 - lon0)
    if height > max_height_in:
        map_width_in *= max_height_in / height
        height = max_height_in
    return map_width_in, height


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def render_heatmap(
    ds: xr.Dataset,
    day,
    targets: pd.DataFrame | None,
    path: str | os.PathLike,
    *,
    variable: str = "risk",
    sigma_km: float = 4.0,
    dpi: int = 120,
) -> Path:
    """Draw one day's risk layer as a map PNG, with the patrol targets boxed.

    The layer is smoothed with a Gaussian of ``sigma_km`` (event positions
    are not exact) and shown as a density: the sum of event risk scores per
    100 km². Land, coastline, labelled ports, Coast Guard / PMSA / Navy
    bases, the approximate Iran–Pakistan line and 12 nm limit are drawn
    beneath; each target's box carries its rank.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`risk_grid`.
    day : date-like
        The day's label.
    targets : pandas.DataFrame or None
        Tasking list (:func:`coastwatch.tasking.tasking_list`): ``rank``,
        ``min_lat``, ``max_lat``, ``min_lon``, ``max_lon``.
    path : str or os.PathLike
        PNG to write (atomically).
    variable : str
        ``risk`` (default) or ``risk_normalised``.
    sigma_km : float
        Smoothing width, km (0: none).
    dpi : int
        Resolution; the figure is 13 inches wide.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``ds`` has no such day or variable.
    """
    from matplotlib.colors import PowerNorm
    from matplotlib.patches import Patch, Rectangle

    from . import _mapping as m

    if variable not in ("risk", "risk_normalised"):
        raise InputError(
            None, f"variable must be 'risk' or 'risk_normalised', got {variable!r}"
        )
    day_ds, start, end = _day_slice(ds, day)
    box = _box(ds)
    step = float(ds.attrs["resolution_deg"])
    lat = ds["lat"].to_numpy()
    lon = ds["lon"].to_numpy()
    values = m.smooth(day_ds[variable].to_numpy(), lat, step, sigma_km)
    cell_km2 = (111.2 * step) ** 2 * np.cos(np.radians(lat))[:, None]
    density = values / cell_km2 * 100.0
    peak = float(density.max()) if density.size else 0.0
    vmax = max(peak, 1e-6)
    shown = np.ma.masked_less(density, 0.02 * vmax if peak > 0 else np.inf)

    map_w, map_h = _map_size(box, 10.4, 7.5)
    top_in, bottom_in, left_in, right_in = 0.95, 0.8, 0.75, 1.45
    fig_w = left_in + map_w + right_in
    fig_h = top_in + map_h + bottom_in
    n_targets = 0 if targets is None else len(targets)
    with m.style():
        fig = m.new_figure(fig_w, fig_h)
        ax = fig.add_axes(
            (left_in / fig_w, bottom_in / fig_h, map_w / fig_w, map_h / fig_h)
        )
        m.setup_map(ax, box)
        handles = m.draw_base(ax, box)
        mesh = ax.pcolormesh(
            _edges(lon, step),
            _edges(lat, step),
            shown,
            cmap=_RISK_CMAP,
            norm=PowerNorm(0.5, vmin=0.0, vmax=vmax),
            shading="flat",
            zorder=3,
            alpha=0.9,
            rasterized=True,
        )
        if n_targets:
            for row in targets.sort_values("rank", ascending=False).itertuples():
                ax.add_patch(
                    Rectangle(
                        (row.min_lon, row.min_lat),
                        row.max_lon - row.min_lon,
                        row.max_lat - row.min_lat,
                        fill=False,
                        ec="black",
                        lw=1.3,
                        zorder=10,
                    )
                )
                ax.annotate(
                    str(int(row.rank)),
                    (row.min_lon, row.max_lat),
                    xytext=(1, 1),
                    textcoords="offset points",
                    ha="right",
                    va="bottom",
                    fontsize=8,
                    fontweight="bold",
                    color="white",
                    zorder=11,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "black", "ec": "none"},
                )
            handles.append(
                Patch(fill=False, ec="black", lw=1.3, label="patrol target (rank)")
            )
        m.scale_bar(ax, box)
        cax = fig.add_axes(
            (
                (left_in + map_w + 0.25) / fig_w,
                bottom_in / fig_h,
                0.16 / fig_w,
                map_h / fig_h,
            )
        )
        bar = fig.colorbar(mesh, cax=cax)
        bar.set_label(
            "risk density: event risk scores per 100 km²\n"
            f"(an event scores 0–1; smoothed over {sigma_km:g} km"
            + ("; damped in busy traffic)" if variable == "risk_normalised" else ")"),
            fontsize=8,
        )
        total, kinds = _event_counts_text(day_ds)
        boundary = ds.attrs.get("day_boundary", "utc")
        fig.text(
            left_in / fig_w,
            1 - 0.22 / fig_h,
            f"Smuggling-risk heatmap — {_days.day_label(day):%A %d %B %Y}",
            fontsize=13,
            fontweight="bold",
            va="top",
            color=m.TEXT,
        )
        fig.text(
            left_in / fig_w,
            1 - 0.55 / fig_h,
            f"{_window_text(start, end, boundary)}  ·  "
            f"{_plural(int(day_ds['vessel_count']), 'vessel')} heard  ·  "
            f"{_plural(total, 'event')} ({kinds})  ·  "
            f"{_plural(n_targets, 'patrol target')} boxed",
            fontsize=9,
            va="top",
            color="#444444",
        )
        fig.legend(
            handles=handles,
            loc="lower left",
            ncol=min(len(handles), 3),
            bbox_to_anchor=(left_in / fig_w, 0.0),
            frameon=False,
            fontsize=8,
            handlelength=2.6,
        )
        m.save_png(fig, path, dpi)
    return Path(path)


def _truncated(name: str, low: float):
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    base = colormaps[name]
    return ListedColormap(base(np.linspace(low, 1.0, 256)), name=f"{name}_from_{low}")


_GAP_CMAP_LOW = 0.3


def _cells(layer: np.ndarray, lat: np.ndarray, lon: np.ndarray):
    rows, cols = np.nonzero(layer > 0)
    return lon[cols], lat[rows], layer[rows, cols]


def render_layers(
    ds: xr.Dataset, day, path: str | os.PathLike, *, dpi: int = 110
) -> Path:
    """Draw one day's layers side by side: traffic, loitering, gaps, rendezvous.

    Four maps of the same box: vessel-hours of traffic per fine cell (log
    colour scale), loitering hours (circle area), dark gaps per coarse cell
    along their corridors, and rendezvous (circles) and dark rendezvous
    (diamonds) per fine cell.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`risk_grid`.
    day : date-like
        The day's label.
    path : str or os.PathLike
        PNG to write (atomically).
    dpi : int
        Resolution; the figure is 13 inches wide.

    Returns
    -------
    pathlib.Path
    """
    from matplotlib.colors import LogNorm
    from matplotlib.lines import Line2D

    from . import _mapping as m

    day_ds, start, end = _day_slice(ds, day)
    gap_cmap = _truncated("Purples", _GAP_CMAP_LOW)
    box = _box(ds)
    step = float(ds.attrs["resolution_deg"])
    coarse = float(ds.attrs["coarse_resolution_deg"])
    lat, lon = ds["lat"].to_numpy(), ds["lon"].to_numpy()
    lat_c, lon_c = ds["lat_coarse"].to_numpy(), ds["lon_coarse"].to_numpy()

    map_w, map_h = _map_size(box, 5.5, 4.5)
    gap_x, gap_y, left, top, bottom, bar = 1.45, 0.6, 0.6, 1.05, 0.35, 0.12
    fig_w = left + 2 * map_w + gap_x + 0.3
    fig_h = top + 2 * map_h + gap_y + bottom
    boundary = ds.attrs.get("day_boundary", "utc")
    with m.style():
        fig = m.new_figure(fig_w, fig_h)

        def panel(i, title):
            col, row = i % 2, i // 2
            x = left + col * (map_w + gap_x)
            y = bottom + (1 - row) * (map_h + gap_y)
            ax = fig.add_axes((x / fig_w, y / fig_h, map_w / fig_w, map_h / fig_h))
            m.setup_map(ax, box)
            m.draw_base(ax, box, label_size=6.5, label_spacing_km=80.0)
            ax.set_title(title, loc="left", fontsize=9.5, fontweight="bold")
            return ax, (x + map_w + 0.08) / fig_w, y / fig_h

        def colorbar(mappable, x, y, label):
            cax = fig.add_axes((x, y, bar / fig_w, map_h / fig_h))
            cb = fig.colorbar(mappable, cax=cax)
            cb.set_label(label, fontsize=7.5)
            cb.ax.tick_params(labelsize=7)

        traffic = day_ds["traffic_hours"].to_numpy()
        ax, x, y = panel(0, "Traffic: vessel-hours per cell")
        tmax = max(float(traffic.max()), 1.0)
        mesh = ax.pcolormesh(
            _edges(lon, step),
            _edges(lat, step),
            np.ma.masked_less_equal(traffic, 0),
            cmap="viridis",
            norm=LogNorm(vmin=min(0.01, tmax / 10), vmax=tmax),
            shading="flat",
            zorder=3,
            rasterized=True,
        )
        colorbar(mesh, x, y, f"hours per {step:g}° cell (log scale)")

        loiter = day_ds["loitering_hours"].to_numpy()
        ax, x, y = panel(1, "Loitering: hours per cell (circle area)")
        px, py, hours = _cells(loiter, lat, lon)
        ax.scatter(
            px,
            py,
            s=12 * hours,
            c="#e6550d",
            alpha=0.6,
            edgecolors="#7f2704",
            linewidths=0.5,
            zorder=6,
        )
        sizes = [1, 4, 12]
        ax.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    color="#e6550d",
                    alpha=0.6,
                    mec="#7f2704",
                    ms=math.sqrt(12 * h),
                    label=f"{h} h",
                )
                for h in sizes
            ],
            loc="lower left",
            fontsize=7,
            frameon=True,
            framealpha=0.85,
            labelspacing=1.0,
            borderpad=0.7,
        )

        gaps = day_ds["gap_count"].to_numpy()
        ax, x, y = panel(2, "Dark gaps along their start–end corridors")
        gmax = max(float(gaps.max()), 1e-6)
        mesh = ax.pcolormesh(
            _edges(lon_c, coarse),
            _edges(lat_c, coarse),
            np.ma.masked_less_equal(gaps, 0),
            cmap=gap_cmap,
            vmin=0,
            vmax=gmax,
            shading="flat",
            zorder=3,
            alpha=0.85,
            rasterized=True,
        )
        colorbar(mesh, x, y, f"gaps per {coarse:g}° cell")

        ax, x, y = panel(3, "Rendezvous (circles) and dark rendezvous (diamonds)")
        handles = []
        for name, marker, colour, label in (
            ("rendezvous_count", "o", "#31a354", "rendezvous"),
            ("dark_rendezvous_count", "D", "#54278f", "dark rendezvous"),
        ):
            px, py, count = _cells(day_ds[name].to_numpy(), lat, lon)
            ax.scatter(
                px,
                py,
                s=28 * count,
                marker=marker,
                c=colour,
                alpha=0.75,
                edgecolors="white",
                linewidths=0.6,
                zorder=6,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    ls="",
                    color=colour,
                    mec="white",
                    ms=6,
                    label=f"{label} ({int(count.sum())})",
                )
            )
        ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.85)

        total, kinds = _event_counts_text(day_ds)
        fig.text(
            left / fig_w,
            1 - 0.2 / fig_h,
            f"Activity layers — {_days.day_label(day):%A %d %B %Y}",
            fontsize=12,
            fontweight="bold",
            va="top",
            color=m.TEXT,
        )
        fig.text(
            left / fig_w,
            1 - 0.5 / fig_h,
            f"{_window_text(start, end, boundary)}  ·  "
            f"{_plural(int(day_ds['vessel_count']), 'vessel')} heard  ·  "
            f"{_plural(total, 'event')} ({kinds})",
            fontsize=8.5,
            va="top",
            color="#444444",
        )
        m.save_png(fig, path, dpi)
    return Path(path)
