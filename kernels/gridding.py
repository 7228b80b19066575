"""Gridding kernels: points, dwell time and line corridors onto a lon/lat grid.

The grid is regular in degrees: row ``r`` covers latitudes
``[lat_min + r * step_deg, lat_min + (r + 1) * step_deg)`` and column ``c``
longitudes ``[lon_min + c * step_deg, ...)``. A point exactly on the upper
edge (``lat_min + n_lat * step_deg``) falls in the last row (likewise for
columns); points outside the grid or with NaN coordinates or weight are
skipped.
"""

import math

import numpy as np

from ._jit import jit


@jit
def cell_index(lat, lon, lat_min, lon_min, step_deg, n_lat, n_lon):
    """Row and column of the cell holding (lat, lon), or (-1, -1) outside.

    Parameters
    ----------
    lat, lon : float
        Position in degrees.
    lat_min, lon_min : float
        South-west corner of the grid, degrees.
    step_deg : float
        Cell size, degrees.
    n_lat, n_lon : int
        Number of rows and columns.

    Returns
    -------
    (int, int)
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return -1, -1
    fr = (lat - lat_min) / step_deg
    fc = (lon - lon_min) / step_deg
    if fr < 0.0 or fc < 0.0 or fr > n_lat or fc > n_lon:
        return -1, -1
    r = min(int(fr), n_lat - 1)
    c = min(int(fc), n_lon - 1)
    return r, c


@jit
def grid_points(lat, lon, weight, lat_min, lon_min, step_deg, n_lat, n_lon):
    """Sum point weights per cell.

    Parameters
    ----------
    lat, lon : ndarray of float64, shape (n,)
        Positions in degrees.
    weight : ndarray of float64, shape (n,)
        Value added to the point's cell (NaN: skipped).
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid (see module docstring).

    Returns
    -------
    ndarray of float64, shape (n_lat, n_lon)
        Sum of weights per cell. O(n).
    """
    out = np.zeros((n_lat, n_lon), dtype=np.float64)
    for i in range(lat.shape[0]):
        w = weight[i]
        if not math.isfinite(w):
            continue
        r, c = cell_index(lat[i], lon[i], lat_min, lon_min, step_deg, n_lat, n_lon)
        if r >= 0:
            out[r, c] += w
    return out


@jit
def grid_dwell_half_seconds(
    t_s, lat, lon, offsets, max_dt_s, lat_min, lon_min, step_deg, n_lat, n_lon
):
    """Time vessels spent per cell, in exact integer half-seconds.

    The time between two consecutive fixes of one segment is split evenly
    between the cells of the two fixes, if it is at most ``max_dt_s`` (a
    longer silence is not presence: it is a gap). Each end of an interval of
    ``dt`` seconds gets ``dt`` half-seconds, so the sums are exact integers:
    grids of disjoint sets of segments add up to the grid of their union
    bit for bit, in any order (what partitioned and distributed runs rely
    on).

    Parameters
    ----------
    t_s : ndarray of int64, shape (n,)
        Fix times, seconds since 1970-01-01 UTC, ascending within a segment.
    lat, lon : ndarray of float64, shape (n,)
        Positions, degrees.
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    max_dt_s : int
        Longest interval counted, seconds.
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid.

    Returns
    -------
    ndarray of int64, shape (n_lat, n_lon)
        Half-seconds per cell (divide by 7200 for hours). O(n).
    """
    out = np.zeros((n_lat, n_lon), dtype=np.int64)
    for k in range(offsets.shape[0] - 1):
        for i in range(offsets[k], offsets[k + 1] - 1):
            dt = np.int64(t_s[i + 1] - t_s[i])
            if dt <= 0 or dt > max_dt_s:
                continue
            r, c = cell_index(lat[i], lon[i], lat_min, lon_min, step_deg, n_lat, n_lon)
            if r >= 0:
                out[r, c] += dt
            r, c = cell_index(
                lat[i + 1], lon[i + 1], lat_min, lon_min, step_deg, n_lat, n_lon
            )
            if r >= 0:
                out[r, c] += dt
    return out


HALF_SECONDS_PER_HOUR = 7200.0
"""Divide :func:`grid_dwell_half_seconds` by this for hours."""


@jit
def grid_dwell_hours(
    t_s, lat, lon, offsets, max_dt_s, lat_min, lon_min, step_deg, n_lat, n_lon
):
    """Hours vessels spent per cell, from consecutive fixes of each segment.

    The time between two consecutive fixes of one segment is split evenly
    between the cells of the two fixes, if it is at most ``max_dt_s`` (a
    longer silence is not presence: it is a gap). Summed exactly in
    half-seconds (:func:`grid_dwell_half_seconds`), then converted.

    Parameters
    ----------
    t_s : ndarray of int64, shape (n,)
        Fix times, seconds since 1970-01-01 UTC, ascending within a segment.
    lat, lon : ndarray of float64, shape (n,)
        Positions, degrees.
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    max_dt_s : int
        Longest interval counted, seconds.
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid.

    Returns
    -------
    ndarray of float64, shape (n_lat, n_lon)
        Hours per cell. O(n).
    """
    half_s = grid_dwell_half_seconds(
        t_s, lat, lon, offsets, max_dt_s, lat_min, lon_min, step_deg, n_lat, n_lon
    )
    return half_s / 7200.0


@jit
def grid_lines(
    lat0, lon0, lat1, lon1, weight, lat_min, lon_min, step_deg, n_lat, n_lon
):
    """Spread each line's weight evenly along the straight line (in degrees).

    Used for dark gaps, whose position during the gap is uncertain: the gap
    is drawn as a corridor from where it began to where it ended. Each line
    is sampled at ``m = max(1, ceil(4 * length / step_deg))`` evenly spaced
    points (segment midpoints), each carrying ``weight / m``, so a line fully
    inside the grid adds exactly its weight.

    Parameters
    ----------
    lat0, lon0, lat1, lon1 : ndarray of float64, shape (n,)
        Line ends, degrees; a line with one NaN end is drawn at its other end
        only, and skipped if both are NaN.
    weight : ndarray of float64, shape (n,)
        Total weight per line.
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid.

    Returns
    -------
    ndarray of float64, shape (n_lat, n_lon)
        O(total samples).
    """
    out = np.zeros((n_lat, n_lon), dtype=np.float64)
    for i in range(lat0.shape[0]):
        w = weight[i]
        if not math.isfinite(w):
            continue
        a_lat = lat0[i]
        a_lon = lon0[i]
        b_lat = lat1[i]
        b_lon = lon1[i]
        if not (math.isfinite(a_lat) and math.isfinite(a_lon)):
            a_lat = b_lat
            a_lon = b_lon
        if not (math.isfinite(b_lat) and math.isfinite(b_lon)):
            b_lat = a_lat
            b_lon = a_lon
        if not (math.isfinite(a_lat) and math.isfinite(a_lon)):
            continue
        length = math.hypot(b_lat - a_lat, b_lon - a_lon)
        m = max(1, math.ceil(4.0 * length / step_deg))
        share = w / m
        for j in range(m):
            f = (j + 0.5) / m
            r, c = cell_index(
                a_lat + f * (b_lat - a_lat),
                a_lon + f * (b_lon - a_lon),
                lat_min,
                lon_min,
                step_deg,
                n_lat,
                n_lon,
            )
            if r >= 0:
                out[r, c] += share
    return out
