"""Convert segmented track tables to and from MovingPandas.

``to_trajectory_collection`` gives one :class:`movingpandas.Trajectory` per
segment, so any MovingPandas tool (splitters, stop detection, smoothing,
plotting) runs on coastwatch's trajectories; ``from_trajectory_collection``
brings a collection back as a track table. A segmented table that went out
comes back unchanged (rows outside any segment, ``segment == -1``, do not go
out). MovingPandas is imported on first use only.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kernels.segment import vessel_time_order

from .errors import InputError
from .schema import conform_tracks, timestamps_ns
from .segmentation import SEGMENT_ID_BASE

if TYPE_CHECKING:
    import movingpandas

__all__ = ["from_trajectory_collection", "to_trajectory_collection"]

_CRS = "EPSG:4326"
# The column MovingPandas writes trajectory ids into when given none.
_MOVINGPANDAS_ID_COLUMN = "traj_id"


def to_trajectory_collection(
    tracks: pd.DataFrame, *, keep_duplicates: bool = True
) -> movingpandas.TrajectoryCollection:
    """One MovingPandas Trajectory per segment, every column kept.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A segmented track table (the first result of
        :func:`coastwatch.segment`): needs ``mmsi``, ``timestamp``, ``lat``,
        ``lon`` and ``segment``. Rows with ``segment == -1`` (no position, or
        dropped in MovingPandas-compatible mode) belong to no trajectory and
        are left out.
    keep_duplicates : bool, default True
        MovingPandas indexes a trajectory by time and keeps one row per
        timestamp. True keeps every report: a report repeating its segment's
        timestamp gets an index time 1 ns after the previous one (its
        ``timestamp`` column is unchanged), so the round trip loses nothing.
        False keeps the first report of each timestamp, as MovingPandas does.

    Returns
    -------
    movingpandas.TrajectoryCollection
        Trajectories in ``segment`` order, id ``segment`` (int), ``obj_id``
        the MMSI, CRS EPSG:4326, point geometry from lon/lat, index the
        report time in UTC without a time zone (MovingPandas drops zones).
        MovingPandas needs two rows for a trajectory, so one-report segments
        travel beside the trajectories in the collection's
        ``single_report_segments`` attribute (a GeoDataFrame of the same
        columns, one row per segment); :func:`from_trajectory_collection`
        puts them back.

    Raises
    ------
    InputError
        If a required column is missing.
    """
    import geopandas as gpd
    import movingpandas as mpd

    missing = [
        c for c in ("mmsi", "timestamp", "lat", "lon", "segment") if c not in tracks
    ]
    if missing:
        hint = "; run coastwatch.segment first" if "segment" in missing else ""
        raise InputError(None, f"track table lacks required column(s) {missing}{hint}")
    segment = tracks["segment"].to_numpy(dtype=np.int64)
    t_ns = timestamps_ns(tracks)
    rows = np.flatnonzero(segment >= 0)
    rows = rows[np.lexsort((t_ns[rows], segment[rows]))]
    seg_sorted = segment[rows]
    t_sorted = t_ns[rows]
    starts = np.flatnonzero(np.r_[True, seg_sorted[1:] != seg_sorted[:-1]])
    stops = np.r_[starts[1:], len(rows)]

    position = np.arange(len(rows)) - np.repeat(starts, stops - starts)
    repeated = np.r_[False, t_sorted[1:] == t_sorted[:-1]] & (position > 0)
    if keep_duplicates:
        # Strictly increasing index within a segment: t' = max(t, previous + 1 ns).
        index_ns = t_sorted.copy()
        segment_of_row = np.repeat(np.arange(len(starts)), stops - starts)
        for k in np.unique(segment_of_row[repeated]):
            a, b = starts[k], stops[k]
            steps = np.arange(b - a)
            index_ns[a:b] = np.maximum.accumulate(t_sorted[a:b] - steps) + steps
    else:
        first = ~repeated
        rows, t_sorted, seg_sorted = rows[first], t_sorted[first], seg_sorted[first]
        starts = np.flatnonzero(np.r_[True, seg_sorted[1:] != seg_sorted[:-1]])
        stops = np.r_[starts[1:], len(rows)]
        index_ns = t_sorted

    frame = tracks.iloc[rows].reset_index(drop=True)
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=_CRS)
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=_CRS)
    gdf.index = pd.DatetimeIndex(index_ns.view("datetime64[ns]"), name="t")
    mmsi = frame["mmsi"].to_numpy()

    # MovingPandas' constructor costs milliseconds per call on wide frames, so
    # it runs on time and geometry only; the full rows (already in time order,
    # unique index, ``segment`` equal to the id) are attached afterwards.
    skeleton = gpd.GeoDataFrame(
        {"segment": frame["segment"].to_numpy()},
        geometry=geometry,
        crs=_CRS,
        index=gdf.index,
    )
    trajectories = []
    for a, b in zip(starts, stops, strict=True):
        if b - a < 2:
            continue
        traj = mpd.Trajectory(
            skeleton.iloc[a:b],
            int(seg_sorted[a]),
            traj_id_col="segment",
            obj_id=int(mmsi[a]),
            crs=_CRS,
        )
        traj.df = gdf.iloc[a:b]
        trajectories.append(traj)
    collection = mpd.TrajectoryCollection(trajectories)
    collection.single_report_segments = gdf.iloc[starts[stops - starts == 1]]
    return collection


def from_trajectory_collection(
    collection: movingpandas.TrajectoryCollection,
) -> pd.DataFrame:
    """A track table from a MovingPandas TrajectoryCollection.

    Parameters
    ----------
    collection : movingpandas.TrajectoryCollection
        Made by :func:`to_trajectory_collection` (possibly processed since;
        its ``single_report_segments`` come back too), or by MovingPandas
        from any point table with an ``mmsi`` column or MMSI trajectory /
        object ids (MovingPandas' split pieces, named ``"<mmsi>_<k>"``, are
        understood).

    Returns
    -------
    pandas.DataFrame
        A canonical track table sorted as :func:`coastwatch.segment` sorts,
        every column of the trajectories kept except ``geometry``; ``lat`` and
        ``lon`` come from the geometry (in EPSG:4326), ``timestamp`` from the
        ``timestamp`` column if present, else from the index (taken as UTC).
        ``segment`` is the trajectory id where every id is a distinct
        integer; otherwise segments are renumbered ``mmsi * 1_000_000 + k``
        in order of start time within each MMSI. ``track`` is kept, or 0.

    Raises
    ------
    InputError
        If the collection is empty of rows, or a trajectory's MMSI cannot be
        told.
    """
    import geopandas as gpd

    trajectories = list(collection.trajectories)
    singles = getattr(collection, "single_report_segments", None)
    if not trajectories and (singles is None or len(singles) == 0):
        raise InputError(None, "trajectory collection holds no trajectories")
    frames = []
    group_sizes = []
    group_ids: list[object] = []
    group_objects: list[object] = []
    is_wgs84: dict[int, bool] = {}  # CRS comparisons are slow; few distinct CRSs

    def add(df, sizes, ids, objects, id_column):
        if df.crs is not None:
            key = id(df.crs)
            if key not in is_wgs84:
                is_wgs84[key] = df.crs.equals(_CRS)
            if not is_wgs84[key]:
                df = df.to_crs(_CRS)
        if id_column == _MOVINGPANDAS_ID_COLUMN:
            df = df.drop(columns=_MOVINGPANDAS_ID_COLUMN, errors="ignore")
        if df.geometry.name != "geometry":
            df = df.rename_geometry("geometry")
        frames.append(df)
        group_sizes.extend(sizes)
        group_ids.extend(ids)
        group_objects.extend(objects)

    for traj in trajectories:
        add(traj.df, [len(traj.df)], [traj.id], [traj.obj_id], traj.get_traj_id_col())
    if singles is not None and len(singles):
        ids = (
            singles["segment"].tolist()
            if "segment" in singles
            else [None] * len(singles)
        )
        objects = singles["mmsi"].tolist() if "mmsi" in singles else ids
        add(singles, [1] * len(singles), ids, objects, None)
    sizes = np.asarray(group_sizes, dtype=np.int64)
    combined = gpd.GeoDataFrame(pd.concat(frames))
    frame = pd.DataFrame(combined.drop(columns="geometry")).reset_index(drop=True)
    frame["lon"] = combined.geometry.x.to_numpy()
    frame["lat"] = combined.geometry.y.to_numpy()
    if "timestamp" not in frame or frame["timestamp"].isna().any():
        index = pd.DatetimeIndex(combined.index)
        index = index.tz_convert("UTC") if index.tz else index.tz_localize("UTC")
        from_index = pd.Series(index, index=frame.index)
        if "timestamp" in frame:
            frame["timestamp"] = frame["timestamp"].fillna(from_index)
        else:
            frame["timestamp"] = from_index
    frame["mmsi"] = _mmsi_of(frame, sizes, group_ids, group_objects)

    distinct_ints = len(set(group_ids)) == len(group_ids) and all(
        isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in group_ids
    )
    if distinct_ints:
        frame["segment"] = np.repeat(np.array(group_ids, dtype=np.int64), sizes)
    else:
        frame["segment"] = np.repeat(_renumber(frame, sizes), sizes)
    frame["track"] = frame["track"].to_numpy(dtype=np.int64) if "track" in frame else 0

    tracks = conform_tracks(frame)
    order = vessel_time_order(
        tracks["mmsi"].to_numpy(),
        timestamps_ns(tracks),
        tracks["lat"].to_numpy(),
        tracks["lon"].to_numpy(),
        tracks["sog"].to_numpy(),
        tracks["cog"].to_numpy(),
        True,
    )
    return tracks.take(order).reset_index(drop=True)


def _mmsi_of(
    frame: pd.DataFrame, sizes: np.ndarray, ids: list, objects: list
) -> np.ndarray:
    """The MMSI of every row: ``mmsi`` column, else object id, else id.

    Values may be MovingPandas split ids ``"<mmsi>_<k>"``.
    """
    candidates = []
    if "mmsi" in frame:
        candidates.append(frame["mmsi"])
    for labels in (objects, ids):
        if all(label is not None for label in labels):
            repeated = np.repeat(np.array(labels, dtype=object), sizes)
            candidates.append(pd.Series(repeated))
    for values in candidates:
        if pd.api.types.is_integer_dtype(values.dtype):
            return values.to_numpy(dtype=np.int64)
        parsed = pd.to_numeric(
            values.astype(str).str.split("_", n=1).str[0], errors="coerce"
        )
        if not parsed.isna().any():
            return parsed.to_numpy(dtype=np.int64)
    raise InputError(
        None,
        "cannot tell the MMSI of every trajectory: give the rows an 'mmsi' "
        "column, or use MMSIs as object ids",
    )


def _renumber(frame: pd.DataFrame, sizes: np.ndarray) -> np.ndarray:
    """New segment id per trajectory: MMSI and rank of its start time."""
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    mmsi = frame["mmsi"].to_numpy()[starts]
    t_ns = timestamps_ns(frame)
    start = np.minimum.reduceat(t_ns, starts) if len(t_ns) else t_ns
    order = np.lexsort((np.arange(len(sizes)), start, mmsi))
    new_group = np.r_[True, mmsi[order][1:] != mmsi[order][:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    ordinal = np.empty(len(sizes), dtype=np.int64)
    ordinal[order] = np.arange(len(order)) - group_start
    return mmsi * SEGMENT_ID_BASE + ordinal
