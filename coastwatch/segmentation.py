"""Cut a track table into trajectories: time gaps, impossible jumps, and several
transmitters sharing one MMSI.

:func:`segment` adds two columns to the track table and returns a per-segment
summary:

``track``
    int64, which transmitter of the MMSI sent the report: 0, 1, ... in order of
    first report. One MMSI is often broadcast by two or more transmitters far
    apart (misconfigured, cloned or spoofed); joined naively their reports
    zig-zag across the ocean. Identity separation keeps them apart (the rules
    are in :mod:`kernels.segment`).
``segment``
    int64, a run of one track's reports without a silence of ``max_gap_h`` or
    more: ``mmsi * 1_000_000 + k`` for the MMSI's k-th segment in order of first
    report. Ids are globally unique, do not depend on the input row order or on
    the other vessels in the table, and read back as MMSI and ordinal. -1 marks
    a row without a position (or, in MovingPandas-compatible mode, a row in a
    piece MovingPandas drops).

Where coastwatch's default differs from MovingPandas' ``ObservationGapSplitter``
(set ``SegmentConfig.movingpandas_compatible`` to get MovingPandas' behaviour):

* a gap of exactly ``max_gap_h`` splits (the dark-gap definition is ">= 2 h");
  MovingPandas splits only on gaps strictly longer;
* one-point segments and segments that never move (a moored vessel between two
  gaps) are kept, and a track with fewer than ``min_noise_points`` reports is
  flagged ``noise`` in the summary; MovingPandas drops such pieces;
* reports sharing a timestamp are all kept and counted as duplicates; the first
  in (lat, lon, sog, cog) order carries the track forward, so the input row
  order never matters. MovingPandas keeps one of them, in practice the first
  in input order (its time sort is not guaranteed stable); the compatible mode
  does the same, so there, and only there, the input order of same-time
  reports matters;
* transmitters sharing an MMSI become separate tracks; MovingPandas joins them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kernels.segment import (
    group_offsets,
    segment_summary,
    segment_tracks,
    sort_by_vessel_time,
)

from .config import Config, SegmentConfig
from .errors import ConfigError, InputError
from .schema import timestamps_ns

__all__ = [
    "SEGMENT_ID_BASE",
    "SUMMARY_COLUMNS",
    "segment",
]

SEGMENT_ID_BASE = 1_000_000
"""``segment = mmsi * SEGMENT_ID_BASE + ordinal of the segment within its MMSI``."""

_MAX_MMSI = (np.iinfo(np.int64).max - SEGMENT_ID_BASE) // SEGMENT_ID_BASE

SUMMARY_COLUMNS = (
    "segment",
    "mmsi",
    "track",
    "start",
    "end",
    "points",
    "distance_km",
    "mean_speed_kn",
    "max_speed_kn",
    "min_lat",
    "max_lat",
    "min_lon",
    "max_lon",
    "noise",
    "duplicates",
)
"""Columns of the table :func:`segment` returns beside the tracks."""

_M_PER_KM = 1000.0


def segment(
    tracks: pd.DataFrame, config: SegmentConfig | Config | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split tracks into trajectories and tell transmitters of one MMSI apart.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table (see :mod:`coastwatch.schema`): at least ``mmsi``
        (int64), ``timestamp`` (datetime64, UTC; naive is taken as UTC),
        ``lat`` and ``lon`` (WGS84 degrees); ``sog`` (knots) and ``cog``
        (degrees) are used when present. Any row order.
    config : SegmentConfig or Config, optional
        Thresholds; a full :class:`~coastwatch.config.Config` contributes its
        ``segment`` section. Default ``SegmentConfig()``: 2 h gaps, identity
        separation at 50 kn.

    Returns
    -------
    tracks : pandas.DataFrame
        The input rows and columns, sorted by (mmsi, timestamp, lat, lon, sog,
        cog) -- in MovingPandas-compatible mode same-time reports keep their
        input order instead -- with a fresh RangeIndex, plus ``track`` (0
        throughout when identity separation is off) and ``segment`` (int64;
        existing columns of those names are replaced).
    summary : pandas.DataFrame
        One row per segment, ordered by ``segment``, with columns
        :data:`SUMMARY_COLUMNS`: ``segment``, ``mmsi``, ``track``; ``start``
        and ``end`` (UTC); ``points`` (reports, duplicates included);
        ``distance_km`` (great-circle length through the reports, one per
        timestamp); mean and
        max reported SOG ``mean_speed_kn``, ``max_speed_kn`` (knots, NaN when
        none reported); bounding box ``min_lat``, ``max_lat``, ``min_lon``,
        ``max_lon`` (degrees); ``noise`` (the segment's track has fewer than
        ``min_noise_points`` reports: likely a bad position or a stray
        transmitter, kept for inspection); ``duplicates`` (reports repeating
        their track's previous timestamp).

    Raises
    ------
    InputError
        If a required column is missing, ``timestamp`` is not a datetime
        column, an MMSI is negative or too large to build segment ids from, or
        one MMSI has a million segments or more.
    ConfigError
        If a threshold is out of range.

    Notes
    -----
    The result does not depend on the input row order (in the default mode),
    on shifting all timestamps by a constant, or on which other vessels are
    in the table: running vessel by vessel and concatenating gives the same
    tables. Compiled kernels do the work (:mod:`kernels.segment`); 1 M
    reports take a fraction of a second, most of it spent reordering the
    DataFrame's columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from coastwatch.segmentation import segment
    >>> tracks = pd.DataFrame({
    ...     "mmsi": [463012345] * 4,
    ...     "timestamp": pd.to_datetime(
    ...         ["2024-01-01 00:00", "2024-01-01 00:10", "2024-01-01 03:00",
    ...          "2024-01-01 03:10"], utc=True),
    ...     "lat": [24.80, 24.82, 24.90, 24.92],
    ...     "lon": [66.90, 66.92, 66.99, 67.01],
    ... })
    >>> out, summary = segment(tracks)
    >>> out["segment"].tolist()
    [463012345000000, 463012345000000, 463012345000001, 463012345000001]
    >>> summary["points"].tolist()
    [2, 2]
    """
    cfg = _segment_config(config)
    mmsi, t_ns, lat, lon, sog, cog = _columns(tracks)

    compatible = cfg.movingpandas_compatible
    sorted_arrays = sort_by_vessel_time(mmsi, t_ns, lat, lon, sog, cog, not compatible)
    presorted = sorted_arrays[3] is lat
    order, mmsi, t_ns, lat, lon, sog, cog = sorted_arrays
    offsets = group_offsets(mmsi)

    gap_ns = round(cfg.max_gap_h * 3600e9)
    local, track, duplicate, n_segments, n_tracks = segment_tracks(
        t_ns,
        lat,
        lon,
        sog,
        cog,
        offsets,
        gap_ns if compatible else gap_ns - 1,
        cfg.identity_separation and not compatible,
        float(cfg.max_speed_kn),
        float(cfg.time_slack_s),
        float(cfg.prediction_spread_kn),
        float(cfg.ambiguity_ratio),
        int(cfg.max_open_tracks),
    )
    if len(n_segments) and n_segments.max() >= SEGMENT_ID_BASE:
        worst = int(np.argmax(n_segments))
        raise InputError(
            None,
            f"MMSI {int(mmsi[offsets[worst]])} has {int(n_segments[worst])} "
            f"segments; segment ids allow at most {SEGMENT_ID_BASE - 1} per "
            "MMSI (split the table by time)",
        )

    (
        row_id, seg_id, seg_mmsi, seg_track, start, end, points, duplicates,
        length_m, sog_mean, sog_max, lat_min, lat_max, lon_min, lon_max, noise,
        keep,
    ) = segment_summary(
        t_ns, lat, lon, sog, mmsi, offsets, local, track, duplicate,
        n_segments, n_tracks, SEGMENT_ID_BASE, int(cfg.min_noise_points),
        compatible,
    )  # fmt: skip

    out = _reordered(tracks, order, presorted, (mmsi, t_ns, lat, lon, sog, cog))
    out["track"] = track
    out["segment"] = row_id

    columns = {
        "segment": seg_id,
        "mmsi": seg_mmsi,
        "track": seg_track,
        "start": start,
        "end": end,
        "points": points,
        "distance_km": length_m / _M_PER_KM,
        "mean_speed_kn": sog_mean,
        "max_speed_kn": sog_max,
        "min_lat": lat_min,
        "max_lat": lat_max,
        "min_lon": lon_min,
        "max_lon": lon_max,
        "noise": noise,
        "duplicates": duplicates,
    }
    if not keep.all():
        columns = {name: values[keep] for name, values in columns.items()}
    columns["start"] = _utc(columns["start"])
    columns["end"] = _utc(columns["end"])
    return out, pd.DataFrame(columns)


_CORE = ("mmsi", "timestamp", "lat", "lon", "sog", "cog")
_CORE_DTYPES = (
    np.dtype("int64"),
    pd.DatetimeTZDtype("ns", "UTC"),
    np.dtype("float64"),
    np.dtype("float64"),
    np.dtype("float32"),
    np.dtype("float32"),
)


def _reordered(
    tracks: pd.DataFrame,
    order: np.ndarray,
    presorted: bool,
    core: tuple[np.ndarray, ...],
) -> pd.DataFrame:
    """``tracks`` in sorted order with a fresh index.

    The kernels already sorted the core columns; where the table holds them
    in canonical dtypes they are reused instead of gathered a second time.
    """
    if presorted:
        return tracks.copy(deep=False).reset_index(drop=True)
    reuse = [
        name
        for name, dtype in zip(_CORE, _CORE_DTYPES, strict=True)
        if name in tracks and tracks[name].dtype == dtype
    ]
    others = [name for name in tracks.columns if name not in reuse]
    out = tracks[others].take(order).reset_index(drop=True)
    values = dict(zip(_CORE, core, strict=True))
    for name in reuse:
        column = _utc(values[name]) if name == "timestamp" else values[name]
        out[name] = column
    return out[list(tracks.columns)]


def _utc(t_ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(t_ns.view("datetime64[ns]")).tz_localize("UTC")


def _segment_config(config: SegmentConfig | Config | None) -> SegmentConfig:
    if config is None:
        return SegmentConfig()
    if isinstance(config, Config):
        config = config.segment
    if not isinstance(config, SegmentConfig):
        raise ConfigError(
            f"config must be a SegmentConfig or a Config, got {type(config).__name__}"
        )
    checks = (
        ("max_gap_h", config.max_gap_h > 0, "> 0"),
        ("max_speed_kn", config.max_speed_kn > 0, "> 0"),
        ("max_open_tracks", config.max_open_tracks >= 1, ">= 1"),
        ("min_noise_points", config.min_noise_points >= 1, ">= 1"),
        ("time_slack_s", config.time_slack_s > 0, "> 0"),
        ("prediction_spread_kn", config.prediction_spread_kn > 0, "> 0"),
        ("ambiguity_ratio", config.ambiguity_ratio >= 1, ">= 1"),
    )
    for name, ok, rule in checks:
        if not ok:
            value = getattr(config, name)
            raise ConfigError(f"segment.{name} must be {rule}, got {value!r}")
    return config


def _columns(tracks: pd.DataFrame) -> tuple[np.ndarray, ...]:
    missing = [c for c in ("mmsi", "timestamp", "lat", "lon") if c not in tracks]
    if missing:
        raise InputError(
            None,
            f"track table lacks required column(s) {missing}; "
            f"found {list(tracks.columns)}",
        )
    if not pd.api.types.is_datetime64_any_dtype(tracks["timestamp"]):
        raise InputError(
            None,
            "column 'timestamp' must be datetime64 (UTC), got "
            f"{tracks['timestamp'].dtype}; use pd.to_datetime(..., utc=True)",
        )
    try:
        mmsi = tracks["mmsi"].to_numpy(dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            None, f"column 'mmsi' must hold whole numbers, got {exc}"
        ) from exc
    bad = (mmsi < 0) | (mmsi > _MAX_MMSI)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            None,
            f"{int(bad.sum())} MMSI(s) outside [0, {_MAX_MMSI}] "
            f"(first: {int(mmsi[row])}); segment ids cannot be built from them",
            line=row + 1,
        )
    t_ns = np.ascontiguousarray(timestamps_ns(tracks))
    lat = tracks["lat"].to_numpy(dtype=np.float64)
    lon = tracks["lon"].to_numpy(dtype=np.float64)
    n = len(tracks)
    sog = (
        tracks["sog"].to_numpy(dtype=np.float32)
        if "sog" in tracks
        else np.full(n, np.nan, dtype=np.float32)
    )
    cog = (
        tracks["cog"].to_numpy(dtype=np.float32)
        if "cog" in tracks
        else np.full(n, np.nan, dtype=np.float32)
    )
    return mmsi, t_ns, lat, lon, sog, cog
