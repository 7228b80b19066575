"""Run the detection kernels over a track table and return one event table.

:func:`detect` finds every kind; :func:`find_loitering`,
:func:`find_dark_gaps`, :func:`find_rendezvous`,
:func:`find_dark_rendezvous` and :func:`find_drift` find one kind each.
All take a track table (see :mod:`coastwatch.schema`); tables without
``segment``/``track`` columns are segmented first with the same
configuration. The kernels themselves (package
``kernels``) work on plain arrays and can be called by other tools directly.

Definitions (profile ``makran``; every threshold in :mod:`coastwatch.config`):

loitering
    Within one segment, slower than 2 kn (reported SOG, else implied) and
    within 2 km of where the slow period began, for at least 1 h; the
    event's position is the centroid. Centroids in a port, anchorage or
    pilot area are left out by default.
dark gap
    Two consecutive reports of one vessel identity (MMSI and transmitter)
    at least 2 h apart, unless both ends lie in a port or anchorage area (a
    moored vessel) or on land, during which the vessel must have spent at
    least 0.5 h where shore receivers would have heard it: a silence that
    sailing out of reception explains is a coverage hole, not a
    switch-off. Reception is learnt from the day's own traffic (the share
    of the messages vessels owed, by the ITU-R M.1371 reporting intervals,
    that was heard, at least 30 % per 0.1 deg cell and transceiver class);
    the time is the smaller of the straight path's hours within reception
    (``coverage_h``) and the hours needed at the vessel's own top speed to
    leave reception where it fell silent and come back where it reappeared
    (``escape_h``; an end where the vessel itself was heard less than that
    share in the half hour next to the silence gives no time). Reception
    context: other vessels heard within 20 km of
    the start (and of the end) during the gap.
rendezvous
    Two different MMSIs within 500 m for at least 30 min, both slower than
    3 kn, compared on a 60 s grid interpolated within segments; breaks up to
    10 min are bridged; meeting points in port areas are left out.
dark rendezvous
    Two vessels' dark gaps (each at most 12 h) overlapping by at least
    30 min such that both could have been at one place at one time (each no
    faster than 12 kn); or one vessel dark while another was seen slow, for
    at least 30 min, where the dark one could have been at those times. A
    meeting region larger than 2,500 km^2 places nothing and is left out.
drift
    Within one segment, reports at 1-5 kn whose course over ground and true
    heading differ by more than 45 degrees, without a report that does not,
    for at least 10 min and more than 500 m from where the drift began (the
    Danish Maritime Authority's rule): a ship with its engine stopped, set
    by wind and current -- a mother ship waiting offshore does this. Reports
    without SOG, COG or heading are not judged. Drifts that begin in a port
    or anchorage area are left out by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from kernels.coverage import (
    distance_to_uncovered_km,
    path_covered_seconds,
    reception_rates,
)
from kernels.dark_gaps import dark_gaps, reception_counts, reception_index
from kernels.dark_rendezvous import (
    DARK_PAIR_FIELDS,
    DARK_SEEN_FIELDS,
    dark_rendezvous_pairs,
    dark_seen_pairs,
)
from kernels.drift import drift_runs
from kernels.loitering import loitering_runs
from kernels.rendezvous import RENDEZVOUS_FIELDS, rendezvous_pairs

from . import geo
from .config import Config, load_config
from .errors import InputError
from .events import EVENT_DTYPES, EVENT_KINDS, empty_events, finalise_events
from .schema import timestamps_ns
from .segmentation import segment

__all__ = [
    "detect",
    "find_dark_gaps",
    "find_dark_rendezvous",
    "find_drift",
    "find_loitering",
    "find_rendezvous",
]

_NS = 1_000_000_000


@dataclass
class _Arrays:
    """Flat arrays of a segmented track table in two orders.

    ``by_segment``: rows sorted by (segment, time), with ``seg_offsets``;
    ``by_track``: rows sorted by (mmsi, track, time), with ``track_offsets``.
    Index arrays map back to rows of the track table.
    """

    tracks: pd.DataFrame

    @cached_property
    def t_ns(self) -> np.ndarray:
        return timestamps_ns(self.tracks)

    @cached_property
    def lat(self) -> np.ndarray:
        return self.tracks["lat"].to_numpy(np.float64)

    @cached_property
    def lon(self) -> np.ndarray:
        return self.tracks["lon"].to_numpy(np.float64)

    @cached_property
    def sog(self) -> np.ndarray:
        if "sog" not in self.tracks:
            return np.full(len(self.tracks), np.nan)
        return self.tracks["sog"].to_numpy(np.float64)

    @cached_property
    def nav_status(self) -> np.ndarray:
        if "nav_status" not in self.tracks:
            return np.full(len(self.tracks), 15, dtype=np.int64)
        return self.tracks["nav_status"].to_numpy(np.int64)

    @cached_property
    def mmsi(self) -> np.ndarray:
        return self.tracks["mmsi"].to_numpy(np.int64)

    @cached_property
    def identity(self) -> np.ndarray:
        """One int64 per transmitter: MMSI * 1000 + track index."""
        return self.mmsi * 1000 + self.tracks["track"].to_numpy(np.int64)

    @cached_property
    def rows(self) -> np.ndarray:
        """``0..n-1``: the order when the table is already in the wanted order."""
        return np.arange(len(self.tracks))

    def _order(self, key: np.ndarray) -> np.ndarray:
        # segment() leaves most tables sorted by (segment, time) and by
        # (identity, time) already: an O(n) check saves a sort and copies.
        t = self.t_ns
        if len(key) < 2 or bool(
            np.all((key[1:] > key[:-1]) | ((key[1:] == key[:-1]) & (t[1:] >= t[:-1])))
        ):
            return self.rows
        return np.lexsort((t, key))

    @cached_property
    def by_segment(self) -> np.ndarray:
        return self._order(self.tracks["segment"].to_numpy(np.int64))

    @cached_property
    def seg_offsets(self) -> np.ndarray:
        seg = self.tracks["segment"].to_numpy(np.int64)[self.by_segment]
        return _offsets(seg)

    @cached_property
    def by_track(self) -> np.ndarray:
        return self._order(self.identity)

    @cached_property
    def _classes(self) -> tuple[np.ndarray, np.ndarray]:
        return _track_classes(self)

    @property
    def class_names(self) -> np.ndarray:
        """Transceiver class names (object array); ``class_names[0] == ""``."""
        return self._classes[0]

    @property
    def track_class_code(self) -> np.ndarray:
        """Per row: index into :attr:`class_names` of the track's most common class."""
        return self._classes[1]

    def class_code(self, name: str) -> int:
        """Code of transceiver class ``name``; -1 when no row has it."""
        hits = np.flatnonzero(self.class_names == name)
        return int(hits[0]) if len(hits) else -1

    @property
    def track_class(self) -> np.ndarray:
        """Transceiver class per row ("A", "B" or ""), the track's most common."""
        return self.class_names[self.track_class_code]

    @cached_property
    def nominal_interval_s(self) -> np.ndarray:
        """Per row in :attr:`by_track` order: the nominal reporting interval,
        never faster than the transmitter's typical one, seconds.

        Both the vessel's own reception and the coverage grid need it:
        computed once.
        """
        order = self.by_track
        return np.fmax(
            _nominal_interval_s(
                self.track_class_code[order] == self.class_code("B"),
                self.take("sog", order),
                self.nav_status[order],
            ),
            _typical_intervals_s(self.seconds(order), self.identity[order]),
        )

    @cached_property
    def track_offsets(self) -> np.ndarray:
        return _offsets(self.identity[self.by_track])

    def seconds(self, order: np.ndarray) -> np.ndarray:
        t_ns = self.t_ns if order is self.rows else self.t_ns[order]
        return np.ascontiguousarray(t_ns // _NS)

    def take(self, name: str, order: np.ndarray) -> np.ndarray:
        values = getattr(self, name)
        return np.ascontiguousarray(values if order is self.rows else values[order])


def _offsets(keys: np.ndarray) -> np.ndarray:
    if not len(keys):
        return np.zeros(1, dtype=np.int64)
    starts = np.flatnonzero(np.diff(keys)) + 1
    return np.concatenate([[0], starts, [len(keys)]]).astype(np.int64)


def _prepare(tracks: pd.DataFrame, config: Config | None) -> tuple[_Arrays, Config]:
    cfg = config if isinstance(config, Config) else load_config()
    for column in ("mmsi", "timestamp", "lat", "lon"):
        if column not in tracks:
            raise InputError(None, f"track table lacks required column {column!r}")
    if "segment" not in tracks or "track" not in tracks:
        tracks, _ = segment(tracks, cfg)
    return _Arrays(tracks), cfg


def _utc(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(
        np.asarray(ns, dtype=np.int64).view("datetime64[ns]"), tz="UTC"
    )


def _placed(frame: pd.DataFrame, exclude_ports: bool) -> pd.DataFrame:
    """Events with their place columns, less those in a port area if asked."""
    frame = _place_columns(frame)
    if exclude_ports:
        frame = frame[~frame["in_port"].to_numpy(bool)]
    return frame.reset_index(drop=True)


def _place_columns(frame: pd.DataFrame) -> pd.DataFrame:
    lat = frame["lat"].to_numpy(np.float64)
    lon = frame["lon"].to_numpy(np.float64)
    frame["shore_km"] = geo.shore_distance_km(lat, lon)
    frame["end_shore_km"] = geo.shore_distance_km(
        frame["end_lat"].to_numpy(np.float64), frame["end_lon"].to_numpy(np.float64)
    )
    if "in_port" not in frame:
        frame["in_port"] = geo.in_port(lat, lon)
    return frame


# --------------------------------------------------------------------------
# Loitering
# --------------------------------------------------------------------------


def find_loitering(tracks: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """Loitering events: slow for long in a small area.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table; segmented first if it lacks ``segment``/``track``.
    config : Config, optional
        Uses ``loitering`` (speed knots, radius metres, duration hours,
        port exclusion) and ``segment``.

    Returns
    -------
    pandas.DataFrame
        Event table rows of kind ``loitering``: ``lat``/``lon`` the centroid
        of the slow period, ``end_lat``/``end_lon`` the last position,
        ``mean_speed_kn``, plus ``max_distance_m`` (farthest from where the
        slow period began) and ``points``.
    """
    arrays, cfg = _prepare(tracks, config)
    return finalise_events(_loitering(arrays, cfg))


def _loitering(arrays: _Arrays, cfg: Config) -> pd.DataFrame:
    settings = cfg.loitering
    order = arrays.by_segment
    runs = loitering_runs(
        arrays.seconds(order),
        arrays.take("lat", order),
        arrays.take("lon", order),
        arrays.take("sog", order),
        arrays.seg_offsets,
        float(settings.max_speed_kn),
        float(settings.max_radius_m),
        float(settings.min_duration_h * 3600.0),
    )
    (_, start_row, end_row, _, mean_speed, max_distance, c_lat, c_lon, points) = runs
    if not len(start_row):
        return empty_events()
    first = order[start_row]
    last = order[end_row]
    frame = pd.DataFrame(
        {
            "kind": "loitering",
            "mmsi": arrays.mmsi[first],
            "start": _utc(arrays.t_ns[first]),
            "end": _utc(arrays.t_ns[last]),
            "lat": c_lat,
            "lon": c_lon,
            "end_lat": arrays.lat[last],
            "end_lon": arrays.lon[last],
            "mean_speed_kn": mean_speed,
            "max_distance_m": max_distance,
            "points": points,
        }
    )
    return _placed(frame, settings.exclude_ports)


# --------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------


def find_drift(tracks: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """Drift events: slow, with course over ground far from heading, sustained.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table with ``cog`` and ``heading``; segmented first if it
        lacks ``segment``/``track``.
    config : Config, optional
        Uses ``drift`` (speeds knots, angle degrees, duration minutes,
        distance metres, port exclusion) and ``segment``.

    Returns
    -------
    pandas.DataFrame
        Event table rows of kind ``drift``: ``lat``/``lon`` where the drift
        began, ``end_lat``/``end_lon`` where it ended, ``distance_km``
        between them, ``mean_speed_kn`` the mean reported SOG,
        ``confirmed_at`` (UTC) the first report at which the drift had lasted
        and moved enough to count, ``course_heading_deg`` the mean angle
        between COG and heading (degrees) and ``points``.

    Raises
    ------
    InputError
        If ``cog`` or ``heading`` is missing.
    """
    for name in ("cog", "heading"):
        if name not in tracks:
            raise InputError(None, f"drift needs a '{name}' column in the track table")
    arrays, cfg = _prepare(tracks, config)
    return finalise_events(_drift(arrays, cfg))


def _no_drift() -> pd.DataFrame:
    frame = empty_events()
    frame["confirmed_at"] = pd.Series([], dtype=pd.DatetimeTZDtype("ns", "UTC"))
    frame["course_heading_deg"] = pd.Series([], dtype=np.float64)
    frame["points"] = pd.Series([], dtype=np.int64)
    return frame


def _drift(arrays: _Arrays, cfg: Config) -> pd.DataFrame:
    settings = cfg.drift
    tracks = arrays.tracks
    if not len(tracks) or "cog" not in tracks or "heading" not in tracks:
        return _no_drift()
    order = arrays.by_segment
    sog = arrays.take("sog", order)
    cog = np.ascontiguousarray(tracks["cog"].to_numpy(np.float32)[order])
    heading = np.ascontiguousarray(tracks["heading"].to_numpy(np.float32)[order])
    _, start_row, end_row, confirm_row = drift_runs(
        arrays.seconds(order),
        arrays.take("lat", order),
        arrays.take("lon", order),
        sog,
        cog,
        heading,
        arrays.seg_offsets,
        float(settings.min_sog_kn),
        float(settings.max_sog_kn),
        float(settings.min_course_heading_deg),
        float(settings.min_duration_min * 60.0),
        float(settings.min_distance_m),
        float(settings.max_silence_min * 60.0),
    )
    if not len(start_row):
        return _no_drift()
    # Means over the judged reports of each run (rows between its first and
    # last drifting report that carry SOG, COG and heading).
    judged = ~(np.isnan(sog) | np.isnan(cog) | np.isnan(heading))
    difference = np.abs(cog.astype(np.float64) - heading) % 360.0
    difference = np.where(difference > 180.0, 360.0 - difference, difference)
    bounds = np.stack([start_row, end_row + 1], axis=1).ravel()
    weights = np.add.reduceat(judged.astype(np.float64), bounds)[::2]
    mean_sog = np.add.reduceat(np.where(judged, sog, 0.0), bounds)[::2] / weights
    mean_angle = np.add.reduceat(np.where(judged, difference, 0.0), bounds)[::2]
    first = order[start_row]
    last = order[end_row]
    lat, lon = arrays.lat, arrays.lon
    frame = pd.DataFrame(
        {
            "kind": "drift",
            "mmsi": arrays.mmsi[first],
            "start": _utc(arrays.t_ns[first]),
            "end": _utc(arrays.t_ns[last]),
            "lat": lat[first],
            "lon": lon[first],
            "end_lat": lat[last],
            "end_lon": lon[last],
            "distance_km": geo.great_circle_km(
                lat[first], lon[first], lat[last], lon[last]
            ),
            "mean_speed_kn": mean_sog,
            "confirmed_at": _utc(arrays.t_ns[order[confirm_row]]),
            "course_heading_deg": mean_angle / weights,
            "points": (end_row - start_row + 1).astype(np.int64),
        }
    )
    return _placed(frame, settings.exclude_ports)


# --------------------------------------------------------------------------
# Dark gaps
# --------------------------------------------------------------------------


def find_dark_gaps(tracks: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """Dark gaps: long silences of one vessel identity while at sea.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table; segmented first if it lacks ``segment``/``track``.
    config : Config, optional
        Uses ``gaps`` (minimum gap hours, reception radius km, port
        exclusion).

    Returns
    -------
    pandas.DataFrame
        Event rows of kind ``dark_gap``: ``lat``/``lon`` where the silence
        began, ``end_lat``/``end_lon`` where the vessel reappeared,
        ``distance_km``, ``implied_speed_kn``, shore distance at both ends,
        ``in_port`` (start), ``border_crossing``, ``neighbours_start`` and
        ``neighbours_end`` (other transmitters heard within the reception
        radius of each end during the gap), plus ``track`` and
        ``end_in_port``.
    """
    arrays, cfg = _prepare(tracks, config)
    return finalise_events(_dark_gaps(arrays, cfg))


def _dark_gaps(arrays: _Arrays, cfg: Config) -> pd.DataFrame:
    frame = _gap_candidates(arrays, cfg)
    if not len(frame):
        return empty_events()
    settings = cfg.gaps
    grid = _coverage_grid(arrays.lat, arrays.lon, settings.coverage_step_deg)
    counts = _coverage_counts(arrays, settings, grid, np.unique(frame["_class"]))
    hours = _gap_reception_hours(frame, counts, grid, settings)
    frame = _covered_gaps(frame, cfg, hours)
    if not len(frame):
        return frame
    return _with_reception(frame, *_heard_near(arrays, frame, cfg))


def _gap_candidates(arrays: _Arrays, cfg: Config) -> pd.DataFrame:
    """Silences of each transmitter, port/land-bound ones left out.

    Everything about a gap that its own vessel's reports tell; the
    measures that need all the traffic (coverage, reception context) are
    added by :func:`_covered_gaps` and :func:`_with_reception`. Rows in
    (MMSI, track, start) order; the private ``_class`` column is the
    transmitter's transceiver class.
    """
    settings = cfg.gaps
    order = arrays.by_track
    t_s = arrays.seconds(order)
    lat = arrays.take("lat", order)
    lon = arrays.take("lon", order)
    track_k, row, next_row, duration_s, distance_m, speed_kn = dark_gaps(
        t_s, lat, lon, arrays.track_offsets, float(settings.min_gap_h * 3600.0)
    )
    if not len(row):
        return empty_events()
    before = order[row]
    after = order[next_row]
    heard_before, heard_after = _own_reception(
        arrays, settings, t_s, track_k, row, next_row
    )
    frame = pd.DataFrame(
        {
            "kind": "dark_gap",
            "mmsi": arrays.mmsi[before],
            "track": arrays.identity[before] % 1000,
            "start": _utc(arrays.t_ns[before]),
            "end": _utc(arrays.t_ns[after]),
            "lat": arrays.lat[before],
            "lon": arrays.lon[before],
            "end_lat": arrays.lat[after],
            "end_lon": arrays.lon[after],
            "duration_h": duration_s / 3600.0,
            "distance_km": distance_m / 1000.0,
            "implied_speed_kn": speed_kn,
        }
    )
    frame = _place_columns(frame)
    frame["end_in_port"] = geo.in_port(frame["end_lat"], frame["end_lon"])
    start_ashore = frame["in_port"].to_numpy(bool) | geo.is_land(
        frame["lat"], frame["lon"]
    )
    end_ashore = frame["end_in_port"].to_numpy(bool) | geo.is_land(
        frame["end_lat"], frame["end_lon"]
    )
    frame["_class"] = arrays.class_names[arrays.track_class_code[before]]
    frame["_top_speed_kn"] = _top_speeds_kn(arrays, settings, arrays.identity[before])
    frame["heard_before"] = heard_before
    frame["heard_after"] = heard_after
    if settings.exclude_ports:
        frame = frame[~(start_ashore & end_ashore)].reset_index(drop=True)
    if not len(frame):
        return empty_events()
    return frame


def _covered_gaps(frame: pd.DataFrame, cfg: Config, hours: dict) -> pd.DataFrame:
    """Gap candidates judged by reception, with ``border_crossing``.

    ``hours`` holds each candidate's ``coverage_h`` and ``escape_h``
    (:func:`_gap_reception_hours`); ``switch_off_h``, the smaller of the
    two, must reach ``gaps.min_switch_off_h`` (and ``coverage_h``
    ``gaps.min_covered_h``) for the silence to be kept.
    """
    settings = cfg.gaps
    frame = frame.copy()
    frame["coverage_h"] = hours["coverage_h"]
    frame["escape_h"] = hours["escape_h"]
    frame["switch_off_h"] = np.minimum(hours["coverage_h"], hours["escape_h"])
    keep = np.ones(len(frame), dtype=bool)
    if settings.min_switch_off_h > 0:
        keep &= frame["switch_off_h"].to_numpy() >= settings.min_switch_off_h
    if settings.min_covered_h > 0:
        keep &= frame["coverage_h"].to_numpy() >= settings.min_covered_h
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
        if not len(frame):
            return empty_events()
    frame = frame.drop(columns=["_class", "_top_speed_kn"])
    frame["border_crossing"] = geo.crosses_border(
        frame["lat"], frame["lon"], frame["end_lat"], frame["end_lon"]
    )
    return frame


def _with_reception(
    frame: pd.DataFrame, at_start: np.ndarray, at_end: np.ndarray
) -> pd.DataFrame:
    """Add the reception counts at gap starts and ends (-1: NaN position)."""
    for name, values in (("neighbours_start", at_start), ("neighbours_end", at_end)):
        frame[name] = pd.array(np.where(values >= 0, values, 0), dtype="Int64")
        frame.loc[values < 0, name] = pd.NA
    return frame


def _gap_query(gaps: pd.DataFrame):
    """(t0, t1, vessel) of gaps: seconds UTC and transmitter identity."""
    t0 = timestamps_ns(gaps, "start") // _NS
    t1 = timestamps_ns(gaps, "end") // _NS
    vessel = gaps["mmsi"].to_numpy(np.int64) * 1000 + gaps["track"].to_numpy(np.int64)
    return t0, t1, vessel


def _during_gaps(t_s: np.ndarray, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """Mask of the times that lie in at least one ``[t0, t1]`` interval."""
    if not len(t0):
        return np.zeros(len(t_s), dtype=bool)
    order = np.argsort(t0, kind="stable")
    lo = t0[order]
    hi = np.maximum.accumulate(t1[order])
    # Merge overlapping intervals, then look each time up once.
    new = np.ones(len(lo), dtype=bool)
    new[1:] = lo[1:] > hi[:-1]
    starts = lo[new]
    ends = np.maximum.reduceat(hi, np.flatnonzero(new))
    k = np.searchsorted(starts, t_s, side="right") - 1
    return (k >= 0) & (t_s <= ends[np.maximum(k, 0)])


def _near_places(
    lat: np.ndarray, lon: np.ndarray, place_lat, place_lon, radius_m: float
) -> np.ndarray:
    """Mask of positions that may lie within ``radius_m`` of some place.

    Never misses one (it may keep more): positions are binned in cells at
    least as large as the radius (longitude cells widened for the highest
    latitude involved) and kept when a place is in their cell or a
    neighbouring one. Everything is kept near the poles or for radii too
    large for the cell bound.
    """
    place_lat = np.asarray(place_lat, np.float64)
    place_lon = np.asarray(place_lon, np.float64)
    ok = np.isfinite(place_lat) & np.isfinite(place_lon)
    place_lat, place_lon = place_lat[ok], place_lon[ok]
    if not len(place_lat):
        return np.zeros(len(lat), dtype=bool)
    rho = radius_m / _EARTH_RADIUS_M  # radians
    cell = max(np.degrees(rho) * 1.01, 0.01)
    top = np.abs(place_lat).max() + cell
    if top >= 80.0 or rho / np.cos(np.radians(top)) > 0.1:
        return np.ones(len(lat), dtype=bool)
    # Longitude cells tile the circle exactly, so neighbours across the
    # antimeridian are one cell apart like any others.
    n_lon = max(1, int(360.0 // (cell / np.cos(np.radians(top)))))
    cell_lon = 360.0 / n_lon
    n_lat = int(np.ceil(180.0 / cell)) + 2
    marked = np.zeros((n_lat, n_lon), dtype=bool)
    row = np.floor((place_lat + 90.0) / cell).astype(np.int64) + 1
    col = np.floor((place_lon + 180.0) / cell_lon).astype(np.int64)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            marked[row + dr, (col + dc) % n_lon] = True
    with np.errstate(invalid="ignore"):
        r = np.floor((lat + 90.0) / cell)
        c = np.floor((lon + 180.0) / cell_lon)
    fine = np.isfinite(r) & np.isfinite(c)
    out = np.zeros(len(lat), dtype=bool)
    out[fine] = marked[
        np.clip(r[fine].astype(np.int64) + 1, 0, n_lat - 1),
        c[fine].astype(np.int64) % n_lon,
    ]
    return out


_EARTH_RADIUS_M = 6_371_008.8


def _heard_near(arrays: _Arrays, gaps: pd.DataFrame, cfg: Config):
    """Reception counts at gap starts and ends from all reports of ``arrays``.

    Only reports inside some gap and near one of its ends can count, so
    only those are indexed.
    """
    t0, t1, vessel = _gap_query(gaps)
    all_t = arrays.t_ns // _NS
    radius = float(cfg.gaps.reception_radius_km * 1000.0)
    rows = np.flatnonzero(_during_gaps(all_t, t0, t1))
    near = _near_places(
        arrays.lat[rows],
        arrays.lon[rows],
        np.concatenate([gaps["lat"].to_numpy(float), gaps["end_lat"].to_numpy(float)]),
        np.concatenate([gaps["lon"].to_numpy(float), gaps["end_lon"].to_numpy(float)]),
        radius,
    )
    rows = rows[near]
    index = reception_index(
        np.ascontiguousarray(all_t[rows]),
        np.ascontiguousarray(arrays.lat[rows]),
        np.ascontiguousarray(arrays.lon[rows]),
        np.ascontiguousarray(arrays.identity[rows]),
        radius,
    )
    return tuple(
        reception_counts(
            index,
            t0,
            t1,
            gaps[lat].to_numpy(np.float64),
            gaps[lon].to_numpy(np.float64),
            vessel,
        )
        for lat, lon in (("lat", "lon"), ("end_lat", "end_lon"))
    )


def _track_classes(arrays: _Arrays) -> tuple[np.ndarray, np.ndarray]:
    """Each transmitter's most common known transceiver class, as codes.

    Returns ``(names, codes)``: ``names`` an object array of class names
    with ``""`` (unknown) first, ``codes`` per row of the table the index
    into ``names`` of its track's most common non-empty class (0 when the
    track never reported one). A tie goes to the class the track reported
    first in table order, as ``Series.value_counts`` orders them. Counting
    integer codes per track keeps string work to one factorisation.
    """
    n = len(arrays.tracks)
    if "transceiver_class" not in arrays.tracks or not n:
        return np.array([""], dtype=object), np.zeros(n, dtype=np.intp)
    raw, uniques = pd.factorize(arrays.tracks["transceiver_class"])
    known_names = [u for u in uniques.tolist() if u != ""]
    names = np.array(["", *known_names], dtype=object)
    # Raw code -1 (missing) and "" both map to 0: never counted.
    remap = np.zeros(len(uniques) + 1, dtype=np.intp)
    remap[1:] = [known_names.index(u) + 1 if u != "" else 0 for u in uniques]
    code = remap[raw + 1]
    offsets = arrays.track_offsets
    n_tracks, k = len(offsets) - 1, len(names)
    track = np.empty(n, dtype=np.intp)
    track[arrays.by_track] = np.repeat(np.arange(n_tracks), np.diff(offsets))
    known = np.flatnonzero(code > 0)
    counts = np.bincount(
        track[known] * k + code[known], minlength=n_tracks * k
    ).reshape(n_tracks, k)
    top = counts.max(axis=1, keepdims=True)
    is_top = (counts == top) & (top > 0)
    mode = np.argmax(is_top, axis=1)  # 0 ("") for tracks without a known class
    tied = is_top.sum(axis=1) > 1
    if tied.any():
        rows = known[tied[track[known]]]
        first = np.full((n_tracks, k), n, dtype=np.int64)
        np.minimum.at(first, (track[rows], code[rows]), rows)
        first = np.where(is_top, first, n + 1)
        mode[tied] = np.argmin(first[tied], axis=1)
    return names, mode[track]


def _coverage_grid(lat: np.ndarray, lon: np.ndarray, step: float):
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    lat_min = np.floor(lat[ok].min() / step) * step - step
    lon_min = np.floor(lon[ok].min() / step) * step - step
    n_lat = int(np.ceil((lat[ok].max() - lat_min) / step)) + 2
    n_lon = int(np.ceil((lon[ok].max() - lon_min) / step)) + 2
    while n_lat * n_lon > 4_000_000:  # global feeds: coarsen rather than explode
        step *= 2
        n_lat = (n_lat + 1) // 2 + 1
        n_lon = (n_lon + 1) // 2 + 1
    return float(lat_min), float(lon_min), float(step), n_lat, n_lon


def _nominal_interval_s(class_b, sog_kn, nav_status) -> np.ndarray:
    """Nominal AIS position reporting interval (ITU-R M.1371), seconds.

    Class A: 2 s above 23 kn, 6 s from 14 kn, 10 s below (the rates while
    not changing course), 3 min at anchor or moored (navigational status 1
    or 5) at 3 kn or less. Class B (CS): 3 min at 2 kn or less, else 30 s.
    Unknown class is treated as class A (more messages owed: fewer places
    judged within reception), unknown speed as stopped. ``class_b`` is a
    boolean mask of the class B (CS) reports.
    """
    sog = np.nan_to_num(np.asarray(sog_kn, dtype=np.float64), nan=0.0)
    status = np.asarray(nav_status)
    class_a = np.where(sog > 23.0, 2.0, np.where(sog >= 14.0, 6.0, 10.0))
    class_a = np.where(np.isin(status, (1, 5)) & (sog <= 3.0), 180.0, class_a)
    interval_b = np.where(sog <= 2.0, 180.0, 30.0)
    return np.where(class_b, interval_b, class_a).astype(np.float64)


def _typical_intervals_s(t_s: np.ndarray, identity: np.ndarray) -> np.ndarray:
    """Per row (rows in (identity, time) order): its transmitter's 5th
    percentile interval between reports, seconds (0 if none).

    A feed thinned to one report a minute never shows a 10 s interval: the
    messages owed are never counted faster than the feed could carry them.
    """
    n = len(t_s)
    if n < 2:
        return np.zeros(n)
    dt = np.diff(t_s).astype(np.float64)
    same = identity[1:] == identity[:-1]
    frame = pd.DataFrame({"id": identity[:-1][same], "dt": dt[same]})
    frame = frame[frame["dt"] > 0]
    if not len(frame):
        return np.zeros(n)
    typical = frame.groupby("id")["dt"].quantile(0.05)
    return np.nan_to_num(typical.reindex(identity).to_numpy(np.float64), nan=0.0)


def _top_speeds_kn(arrays: _Arrays, settings, identity: np.ndarray) -> np.ndarray:
    """Per identity: the 95th percentile of its reported speeds, knots.

    Speeds above 50 kn are left out as errors; a transmitter that never
    reported its speed gets ``escape_default_speed_kn``.
    """
    sog = arrays.sog
    ok = np.isfinite(sog) & (sog <= 50.0)
    frame = pd.DataFrame({"id": arrays.identity[ok], "sog": sog[ok]})
    top = frame.groupby("id")["sog"].quantile(0.95)
    out = top.reindex(identity).to_numpy(np.float64)
    return np.where(np.isfinite(out), out, settings.escape_default_speed_kn)


def _own_reception(arrays: _Arrays, settings, t_s, track_k, row, next_row):
    """Share of its messages each silent vessel had heard around its silence.

    Reports of its own transmitter received in the ``reception_window_h``
    before the gap (and after it), over the messages it owed in that time
    at the nominal interval of its last report before (first after) the gap
    (:func:`_nominal_interval_s`, never faster than its typical interval).
    A window cut short by the track's own start or end is shortened to
    match; NaN when nothing of it remains. Rows in (identity, time) order.
    """
    offsets = arrays.track_offsets
    window = int(settings.reception_window_h * 3600.0)
    first = offsets[track_k]
    last = offsets[track_k + 1] - 1
    nominal = arrays.nominal_interval_s
    # One sorted key over (track, time) finds every window's end at once.
    t0 = int(t_s.min()) if len(t_s) else 0
    stride = (int(t_s.max()) - t0 if len(t_s) else 0) + 2 * window + 2
    track = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    key = track * stride + (t_s - t0)
    lo = np.searchsorted(key, track_k * stride + (t_s[row] - t0) - window, "left")
    hi = np.searchsorted(key, track_k * stride + (t_s[next_row] - t0) + window, "right")
    counts = (row - np.maximum(lo, first) + 1, np.minimum(hi, last + 1) - next_row)
    spans = (
        np.minimum(window, t_s[row] - t_s[first]),
        np.minimum(window, t_s[last] - t_s[next_row]),
    )
    out = []
    for end, count, span in zip((row, next_row), counts, spans, strict=True):
        span = span.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(span > 0, (count - 1) * nominal[end] / span, np.nan)
        out.append(share)
    return out[0], out[1]


def _coverage_counts(arrays: _Arrays, settings, grid, classes) -> dict:
    """Messages owed and heard per cell, for each transceiver class.

    Reception per transceiver class is learnt from the traffic
    (:func:`kernels.coverage.reception_rates`): along each interval between
    two reports shorter than ``coverage_max_interp_h``, the messages the
    vessel owed at its nominal reporting interval
    (:func:`_nominal_interval_s`, never faster than its own typical
    interval) against the one report heard. Class ``""`` (unknown) is
    judged by everyone's traffic. Returns ``{class: (owed, heard)}`` in
    thousandths of a message; counts of disjoint sets of vessels add up
    exactly.
    """
    out = {}
    if grid is None:
        return out
    order = arrays.by_track
    ordered_code = arrays.track_class_code[order]
    t_s = arrays.seconds(order)
    identity = arrays.identity[order]
    nominal = arrays.nominal_interval_s
    for cls in classes:
        pick = (
            np.arange(len(order))
            if cls == ""
            else np.flatnonzero(ordered_code == arrays.class_code(cls))
        )
        out[cls] = reception_rates(
            np.ascontiguousarray(t_s[pick]),
            np.ascontiguousarray(arrays.lat[order[pick]]),
            np.ascontiguousarray(arrays.lon[order[pick]]),
            np.ascontiguousarray(nominal[pick]),
            _offsets(identity[pick]),
            int(settings.coverage_max_interp_h * 3600),
            60,
            *grid,
        )
    return out


def _reception_share(counts: tuple, settings) -> np.ndarray:
    """Share of owed messages heard per cell (NaN: too few owed to judge)."""
    owed, heard = counts
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            owed >= settings.coverage_min_owed * 1000.0, heard / owed, np.nan
        )


def _land_cells(grid) -> np.ndarray:
    """Cells of the grid whose centre is on land (False outside the coastline)."""
    lat_min, lon_min, step, n_lat, n_lon = grid
    lat = lat_min + (np.arange(n_lat) + 0.5) * step
    lon = lon_min + (np.arange(n_lon) + 0.5) * step
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    return np.asarray(geo.is_land(la.ravel(), lo.ravel()), dtype=bool).reshape(
        n_lat, n_lon
    )


def _gap_reception_hours(gaps: pd.DataFrame, counts: dict, grid, settings) -> dict:
    """Hours of each gap the silent vessel must have spent within reception.

    ``coverage_h``: the straight line between its last and next fix, run
    at constant speed, through cells where its class was heard at least
    ``coverage_min_rate`` of the time (see :func:`_coverage_counts`).
    ``escape_h``: the hours it needs at its own top speed (or the speed the
    gap implies, if higher) to sail from where it fell silent to the
    nearest water outside reception and back in to where it reappeared; at
    most the gap. A vessel within reception at both ends was within it at
    least ``min(coverage_h, escape_h)``, whatever its route.
    """
    n = len(gaps)
    coverage_h = np.zeros(n)
    escape_km = np.zeros(n)
    if grid is None or not n:
        return {"coverage_h": coverage_h, "escape_h": np.zeros(n)}
    gap_class = gaps["_class"].to_numpy()
    t0 = timestamps_ns(gaps, "start") // _NS
    t1 = timestamps_ns(gaps, "end") // _NS
    lat0 = gaps["lat"].to_numpy(np.float64)
    lon0 = gaps["lon"].to_numpy(np.float64)
    lat1 = gaps["end_lat"].to_numpy(np.float64)
    lon1 = gaps["end_lon"].to_numpy(np.float64)
    lat_min, lon_min, step, n_lat, n_lon = grid
    for cls in np.unique(gap_class):
        share = _reception_share(counts[cls], settings)
        pick = gap_class == cls
        coverage_h[pick] = (
            path_covered_seconds(
                t0[pick],
                lat0[pick],
                lon0[pick],
                t1[pick],
                lat1[pick],
                lon1[pick],
                share,
                float(settings.coverage_min_rate),
                300,
                *grid,
            )
            / 3600.0
        )
        covered = np.isfinite(share) & (share >= settings.coverage_min_rate)
        # Land is no way out of reception: only water is escaped to.
        distance = distance_to_uncovered_km(
            covered | _land_cells(grid), float(lat_min), float(step)
        )
        ends = (
            (lat0[pick], lon0[pick], gaps["heard_before"].to_numpy(np.float64)[pick]),
            (lat1[pick], lon1[pick], gaps["heard_after"].to_numpy(np.float64)[pick]),
        )
        for lat, lon, own in ends:
            with np.errstate(invalid="ignore"):
                row = np.floor((lat - lat_min) / step)
                col = np.floor((lon - lon_min) / step)
            ok = (
                np.isfinite(row)
                & np.isfinite(col)
                & (row >= 0)
                & (row < n_lat)
                & (col >= 0)
                & (col < n_lon)
            )
            r = np.where(ok, row, 0).astype(np.int64)
            c = np.where(ok, col, 0).astype(np.int64)
            # Where the vessel itself was barely heard, it was not within
            # shore reception whatever the cell says: nothing to escape.
            poor = own < settings.coverage_min_rate
            escape_km[pick] += np.where(ok & ~poor, distance[r, c], 0.0)
    speed = np.fmax(
        gaps["_top_speed_kn"].to_numpy(np.float64),
        np.nan_to_num(gaps["implied_speed_kn"].to_numpy(np.float64), nan=0.0),
    )
    speed = np.fmax(speed, settings.escape_min_speed_kn)
    duration_h = (t1 - t0) / 3600.0
    escape_h = np.minimum(escape_km / (speed * 1.852), duration_h)
    return {"coverage_h": coverage_h, "escape_h": escape_h}


# --------------------------------------------------------------------------
# Rendezvous
# --------------------------------------------------------------------------


def find_rendezvous(tracks: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """Rendezvous: two vessels close together and slow for a while.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table; segmented first if it lacks ``segment``/``track``.
    config : Config, optional
        Uses ``rendezvous`` (distance metres, duration hours, speed knots,
        grid step and break seconds, port exclusion) and ``segment.max_gap_h``
        (never interpolate across a longer silence).

    Returns
    -------
    pandas.DataFrame
        Event rows of kind ``rendezvous``: ``mmsi`` < ``other_mmsi``,
        ``lat``/``lon`` the mean meeting point, ``min_separation_m``,
        ``mean_separation_m``, ``mean_speed_kn`` and ``other_mean_speed_kn``,
        ``group`` (vessels met as one group of three or more share it).
    """
    arrays, cfg = _prepare(tracks, config)
    return finalise_events(_rendezvous(arrays, cfg))


def _segment_vessels(arrays: _Arrays) -> np.ndarray:
    order = arrays.by_segment
    return np.ascontiguousarray(arrays.mmsi[order][arrays.seg_offsets[:-1]])


def _rendezvous(arrays: _Arrays, cfg: Config) -> pd.DataFrame:
    fields = _rendezvous_fields(arrays, cfg)
    if fields is None:
        return empty_events()
    return _rendezvous_frame(fields, cfg)


def _rendezvous_fields(arrays: _Arrays, cfg: Config) -> dict | None:
    """The rendezvous kernel's output (:data:`RENDEZVOUS_FIELDS`), or None."""
    settings = cfg.rendezvous
    order = arrays.by_segment
    if len(order) == 0:
        return None
    result = rendezvous_pairs(
        arrays.seconds(order),
        arrays.take("lat", order),
        arrays.take("lon", order),
        arrays.take("sog", order),
        arrays.seg_offsets,
        _segment_vessels(arrays),
        float(settings.max_distance_m),
        float(settings.max_speed_kn),
        int(settings.time_step_s),
        int(cfg.segment.max_gap_h * 3600),
        int(settings.max_break_s),
        int(settings.min_duration_h * 3600),
    )
    return dict(zip(RENDEZVOUS_FIELDS, result, strict=True))


def _rendezvous_frame(fields: dict, cfg: Config) -> pd.DataFrame:
    """Event rows from the rendezvous kernel's output."""
    if not len(fields["vessel_a"]):
        return empty_events()
    frame = pd.DataFrame(
        {
            "kind": "rendezvous",
            "mmsi": fields["vessel_a"],
            "other_mmsi": pd.array(fields["vessel_b"], dtype="Int64"),
            "start": _utc(fields["start_s"] * _NS),
            "end": _utc(fields["end_s"] * _NS),
            "lat": fields["lat_deg"],
            "lon": fields["lon_deg"],
            "end_lat": fields["lat_deg"],
            "end_lon": fields["lon_deg"],
            "min_separation_m": fields["min_sep_m"],
            "mean_separation_m": fields["mean_sep_m"],
            "mean_speed_kn": fields["mean_sog_a_kn"],
            "other_mean_speed_kn": fields["mean_sog_b_kn"],
            "group": pd.array(fields["group"], dtype="Int64"),
        }
    )
    return _placed(frame, cfg.rendezvous.exclude_ports)


# --------------------------------------------------------------------------
# Dark rendezvous
# --------------------------------------------------------------------------


def find_dark_rendezvous(
    tracks: pd.DataFrame,
    config: Config | None = None,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Dark rendezvous: meetings that the vessels' silences could have hidden.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table; segmented first if it lacks ``segment``/``track``.
    config : Config, optional
        Uses ``dark_rendezvous`` (overlap hours, maximum speed knots),
        ``rendezvous`` (the seen vessel's speed limit, break seconds) and
        ``gaps``.
    gaps : pandas.DataFrame, optional
        The dark gaps of ``tracks`` if already found (saves recomputing).

    Returns
    -------
    pandas.DataFrame
        Event rows of kind ``dark_rendezvous``: ``start``/``end`` the time
        both were unseen (or the run of sightings, when one was seen),
        ``lat``/``lon`` the most likely meeting point, ``area_km2`` how well
        that place is constrained, plus ``dark_vessels`` (1 or 2).
    """
    arrays, cfg = _prepare(tracks, config)
    if gaps is None:
        gaps = _dark_gaps(arrays, cfg)
    return finalise_events(_dark_rendezvous(arrays, cfg, gaps))


def _dark_rendezvous(arrays: _Arrays, cfg: Config, gaps: pd.DataFrame) -> pd.DataFrame:
    gaps = _dark_candidate_gaps(gaps, cfg)
    if not len(gaps):
        return empty_events()
    return _dark_frame(
        _dark_pair_fields(gaps, cfg), _dark_seen_fields(arrays, gaps, cfg), cfg
    )


def _dark_candidate_gaps(gaps: pd.DataFrame | None, cfg: Config) -> pd.DataFrame:
    """The gaps short enough to hide a meeting (``dark_rendezvous.max_gap_h``)."""
    if gaps is None or not len(gaps):
        return empty_events()
    return gaps[gaps["duration_h"] <= cfg.dark_rendezvous.max_gap_h]


def _gap_ends(gaps: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """(vessel, t0, lat0, lon0, t1, lat1, lon1) of gaps, seconds and degrees."""
    return (
        gaps["mmsi"].to_numpy(np.int64),
        timestamps_ns(gaps, "start") // _NS,
        gaps["lat"].to_numpy(np.float64),
        gaps["lon"].to_numpy(np.float64),
        timestamps_ns(gaps, "end") // _NS,
        gaps["end_lat"].to_numpy(np.float64),
        gaps["end_lon"].to_numpy(np.float64),
    )


def _dark_pair_fields(gaps: pd.DataFrame, cfg: Config) -> dict:
    """Both vessels dark: :func:`kernels.dark_rendezvous.dark_rendezvous_pairs`."""
    settings = cfg.dark_rendezvous
    return dict(
        zip(
            DARK_PAIR_FIELDS,
            dark_rendezvous_pairs(
                *_gap_ends(gaps),
                float(settings.max_speed_kn),
                int(settings.min_overlap_h * 3600),
                0.0,
            ),
            strict=True,
        )
    )


def _dark_seen_fields(arrays: _Arrays, gaps: pd.DataFrame, cfg: Config) -> dict:
    """One dark, the other seen: :func:`kernels.dark_rendezvous.dark_seen_pairs`.

    ``gap`` in the result is the row of ``gaps``.
    """
    settings = cfg.dark_rendezvous
    order = arrays.by_segment
    return dict(
        zip(
            DARK_SEEN_FIELDS,
            dark_seen_pairs(
                *_gap_ends(gaps),
                arrays.seconds(order),
                arrays.take("lat", order),
                arrays.take("lon", order),
                arrays.take("sog", order),
                arrays.seg_offsets,
                _segment_vessels(arrays),
                float(settings.max_speed_kn),
                float(cfg.rendezvous.max_speed_kn),
                int(settings.min_overlap_h * 3600),
                int(cfg.rendezvous.max_break_s),
                int(cfg.segment.max_gap_h * 3600),
            ),
            strict=True,
        )
    )


def _dark_frame(both: dict, seen: dict, cfg: Config) -> pd.DataFrame:
    """Event rows from the two dark-rendezvous kernels' outputs."""
    settings = cfg.dark_rendezvous
    frames = []
    if len(both["vessel_a"]):
        frames.append(
            pd.DataFrame(
                {
                    "mmsi": both["vessel_a"],
                    "other_mmsi": both["vessel_b"],
                    "start": _utc(both["overlap_start_s"] * _NS),
                    "end": _utc(both["overlap_end_s"] * _NS),
                    "lat": both["lat_deg"],
                    "lon": both["lon_deg"],
                    "area_km2": both["area_km2"],
                    "dark_vessels": 2,
                }
            )
        )
    if len(seen["vessel_dark"]):
        dark = seen["vessel_dark"]
        other = seen["vessel_seen"]
        frames.append(
            pd.DataFrame(
                {
                    "mmsi": np.minimum(dark, other),
                    "other_mmsi": np.maximum(dark, other),
                    "start": _utc(seen["start_s"] * _NS),
                    "end": _utc(seen["end_s"] * _NS),
                    "lat": seen["lat_deg"],
                    "lon": seen["lon_deg"],
                    "area_km2": seen["area_km2"],
                    "other_mean_speed_kn": seen["mean_sog_seen_kn"],
                    "dark_vessels": 1,
                }
            )
        )
    if not frames:
        return empty_events()
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[
        (frame["mmsi"] != frame["other_mmsi"])
        & (frame["area_km2"] <= settings.max_area_km2)
    ].reset_index(drop=True)
    frame["kind"] = "dark_rendezvous"
    frame["other_mmsi"] = pd.array(frame["other_mmsi"], dtype="Int64")
    frame["end_lat"] = frame["lat"]
    frame["end_lon"] = frame["lon"]
    return _placed(frame, cfg.rendezvous.exclude_ports)


# --------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------


def detect(
    tracks: pd.DataFrame,
    config: Config | None = None,
    kinds: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Find loitering, dark gaps, rendezvous, dark rendezvous and drift.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table (any order); segmented first if it lacks
        ``segment``/``track`` columns.
    config : Config, optional
        Thresholds; default profile ``makran``.
    kinds : tuple of str, optional
        Subset of ``loitering``, ``dark_gap``, ``rendezvous``,
        ``dark_rendezvous``, ``drift``; default all.

    Returns
    -------
    pandas.DataFrame
        The event table (:mod:`coastwatch.events`), sorted by (start, kind,
        MMSIs), ``risk`` not yet scored (see :func:`coastwatch.risk.score_events`).
        Events spanning midnight or several days are found whole.

    Raises
    ------
    InputError
        If a required column is missing or a kind is unknown.
    """
    kinds = tuple(EVENT_KINDS if kinds is None else kinds)
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise InputError(
            None, f"unknown event kind(s) {unknown} (known: {', '.join(EVENT_KINDS)})"
        )
    arrays, cfg = _prepare(tracks, config)
    parts = []
    if "loitering" in kinds:
        parts.append(_loitering(arrays, cfg))
    gaps = None
    if "dark_gap" in kinds or "dark_rendezvous" in kinds:
        gaps = _dark_gaps(arrays, cfg)
    if "dark_gap" in kinds:
        parts.append(gaps)
    if "rendezvous" in kinds:
        parts.append(_rendezvous(arrays, cfg))
    if "dark_rendezvous" in kinds:
        parts.append(_dark_rendezvous(arrays, cfg, gaps))
    if "drift" in kinds:
        parts.append(_drift(arrays, cfg))
    return _assemble_events(parts)


def _assemble_events(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One event table from the kinds' frames (in the order of ``detect``)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_events()
    events = pd.concat(parts, ignore_index=True)
    dropped = [
        c for c in events.columns if c not in EVENT_DTYPES and c not in _KEPT_EXTRA
    ]
    events = events.drop(columns=dropped)
    return finalise_events(events)


# Kind-specific measures kept after the canonical columns.
_KEPT_EXTRA = (
    "track",
    "max_distance_m",
    "points",
    "end_in_port",
    "coverage_h",
    "escape_h",
    "heard_before",
    "heard_after",
    "switch_off_h",
    "dark_vessels",
    "confirmed_at",
    "course_heading_deg",
)
