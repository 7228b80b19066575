"""Reception coverage learnt from the day's own traffic, and gaps measured on it.

A silence of hours means little where AIS is only heard by a passing
satellite, and a lot where shore stations hear every report. Coverage is
estimated per grid cell as the share of time slots in which a vessel that
was there (position interpolated between its reports) was heard at least
once. A dark gap is then judged by how long its straight path runs through
well-covered cells: a vessel silent while crossing good coverage has
switched its transponder off, not sailed out of range.

Grid as in :mod:`kernels.gridding`: row ``r`` covers latitudes
``[lat_min + r * step_deg, ...)``, column ``c`` longitudes likewise.
"""

import math

import numpy as np

from ._jit import jit
from .gridding import cell_index


@jit
def coverage_slots(
    t_s, lat, lon, offsets, max_dt_s, slot_s, lat_min, lon_min, step_deg, n_lat, n_lon
):
    """Count time slots spent and slots heard per cell.

    For each track and each pair of consecutive reports no more than
    ``max_dt_s`` apart, every slot boundary ``k * slot_s`` (seconds since the
    epoch) in ``[t_first, t_second)`` starts a slot; the slot is placed at
    the position interpolated (linearly in degrees) at its boundary and is
    *heard* when the track has a report in ``[boundary, boundary + slot_s)``.

    Parameters
    ----------
    t_s : ndarray of int64, shape (n,)
        Report times, seconds UTC, ascending within each track.
    lat, lon : ndarray of float64, shape (n,)
        Positions, degrees; rows with NaN are skipped.
    offsets : ndarray of int64, shape (n_tracks + 1,)
        Track ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    max_dt_s : int
        Longest interval between two reports that is interpolated, seconds.
    slot_s : int
        Slot length, seconds.
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid.

    Returns
    -------
    slots, heard : ndarray of float64, shape (n_lat, n_lon)
        Slots spent in each cell and how many of them were heard. O(n +
        slots).
    """
    slots = np.zeros((n_lat, n_lon), dtype=np.float64)
    heard = np.zeros((n_lat, n_lon), dtype=np.float64)
    for k in range(offsets.shape[0] - 1):
        prev = -1
        for i in range(offsets[k], offsets[k + 1]):
            if not (math.isfinite(lat[i]) and math.isfinite(lon[i])):
                continue
            if prev >= 0:
                t0 = t_s[prev]
                t1 = t_s[i]
                dt = t1 - t0
                if 0 < dt <= max_dt_s:
                    b = -((-t0) // slot_s) * slot_s  # first boundary at or after t0
                    while b < t1:
                        f = (b - t0) / dt
                        r, c = cell_index(
                            lat[prev] + f * (lat[i] - lat[prev]),
                            lon[prev] + f * (lon[i] - lon[prev]),
                            lat_min,
                            lon_min,
                            step_deg,
                            n_lat,
                            n_lon,
                        )
                        if r >= 0:
                            slots[r, c] += 1.0
                            # Reports around the slot are `prev` and `i`: it is
                            # heard when one of them falls inside it.
                            if b == t0 or t1 < b + slot_s:
                                heard[r, c] += 1.0
                        b += slot_s
            prev = i
    return slots, heard


@jit
def reception_rates(
    t_s,
    lat,
    lon,
    nominal_s,
    offsets,
    max_dt_s,
    sample_s,
    lat_min,
    lon_min,
    step_deg,
    n_lat,
    n_lon,
):
    """Messages owed and messages heard per cell, in thousandths of a message.

    For each track and each pair of consecutive reports with a position
    less than ``max_dt_s`` apart, the interval between them is cut into
    ``ceil(dt / sample_s)`` equal pieces, each placed at the position
    interpolated (linearly in degrees) at its middle. A piece of length
    ``d`` is owed ``round(1000 * d / nominal_s)`` thousandths of a message
    (``nominal_s`` of the earlier report: its nominal reporting interval)
    and holds its share of the 1000 thousandths of the one report that
    ended the interval (``1000 // pieces`` each, the remainder to the first
    pieces). ``heard / owed`` per cell is the share of transmissions heard
    there: about 1 under a shore receiver, near 0 where only a passing
    satellite hears. Integer counts, so counts of disjoint sets of tracks
    add up exactly in any order.

    Parameters
    ----------
    t_s : ndarray of int64, shape (n,)
        Report times, seconds UTC, ascending within each track.
    lat, lon : ndarray of float64, shape (n,)
        Positions, degrees; rows with NaN are skipped.
    nominal_s : ndarray of float64, shape (n,)
        Nominal reporting interval at each report, seconds (ITU-R M.1371:
        by transceiver class, speed and status); intervals after a row
        whose value is not positive are skipped.
    offsets : ndarray of int64, shape (n_tracks + 1,)
        Track ``k`` occupies rows ``offsets[k]:offsets[k + 1]``.
    max_dt_s : int
        Intervals this long or longer are not counted, seconds.
    sample_s : int
        Longest piece an interval is cut into, seconds (> 0).
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid.

    Returns
    -------
    owed, heard : ndarray of int64, shape (n_lat, n_lon)
        Thousandths of messages owed and heard per cell. O(n + pieces).
    """
    owed = np.zeros((n_lat, n_lon), dtype=np.int64)
    heard = np.zeros((n_lat, n_lon), dtype=np.int64)
    for k in range(offsets.shape[0] - 1):
        prev = -1
        for i in range(offsets[k], offsets[k + 1]):
            if not (math.isfinite(lat[i]) and math.isfinite(lon[i])):
                continue
            if prev >= 0:
                dt = t_s[i] - t_s[prev]
                nominal = nominal_s[prev]
                if 0 < dt < max_dt_s and nominal > 0.0:
                    pieces = (dt + sample_s - 1) // sample_s
                    share = 1000 // pieces
                    extra = 1000 - share * pieces
                    for p in range(pieces):
                        f = (p + 0.5) / pieces
                        r, c = cell_index(
                            lat[prev] + f * (lat[i] - lat[prev]),
                            lon[prev] + f * (lon[i] - lon[prev]),
                            lat_min,
                            lon_min,
                            step_deg,
                            n_lat,
                            n_lon,
                        )
                        if r >= 0:
                            owed[r, c] += round(1000.0 * (dt / pieces) / nominal)
                            heard[r, c] += share + (1 if p < extra else 0)
            prev = i
    return owed, heard


@jit
def path_covered_seconds(
    t0_s,
    lat0,
    lon0,
    t1_s,
    lat1,
    lon1,
    coverage,
    min_coverage,
    sample_s,
    lat_min,
    lon_min,
    step_deg,
    n_lat,
    n_lon,
):
    """Seconds of each gap's straight path spent in well-covered cells.

    The vessel is assumed to move at constant speed along the straight line
    (in degrees) from its last to its next fix; the path is sampled at the
    middle of each ``sample_s`` interval, and each sample whose cell has
    ``coverage >= min_coverage`` adds its interval (the last one is
    shortened to end at ``t1``).

    Parameters
    ----------
    t0_s, t1_s : ndarray of int64, shape (n_gaps,)
        Gap start and end, seconds UTC.
    lat0, lon0, lat1, lon1 : ndarray of float64, shape (n_gaps,)
        Last and next fix, degrees.
    coverage : ndarray of float64, shape (n_lat, n_lon)
        Share of slots heard per cell (NaN: no traffic, counted as not
        covered).
    min_coverage : float
        Coverage from which a cell counts as covered (0..1).
    sample_s : int
        Sampling interval along the path, seconds.
    lat_min, lon_min, step_deg, n_lat, n_lon
        The grid of ``coverage``.

    Returns
    -------
    ndarray of float64, shape (n_gaps,)
        Covered seconds, between 0 and ``t1 - t0``; 0 where a fix is NaN.
    """
    n = t0_s.shape[0]
    out = np.zeros(n, dtype=np.float64)
    for g in range(n):
        duration = t1_s[g] - t0_s[g]
        if duration <= 0:
            continue
        if not (
            math.isfinite(lat0[g])
            and math.isfinite(lon0[g])
            and math.isfinite(lat1[g])
            and math.isfinite(lon1[g])
        ):
            continue
        total = 0.0
        start = 0
        while start < duration:
            length = min(sample_s, duration - start)
            f = (start + 0.5 * length) / duration
            r, c = cell_index(
                lat0[g] + f * (lat1[g] - lat0[g]),
                lon0[g] + f * (lon1[g] - lon0[g]),
                lat_min,
                lon_min,
                step_deg,
                n_lat,
                n_lon,
            )
            if r >= 0:
                value = coverage[r, c]
                if math.isfinite(value) and value >= min_coverage:
                    total += length
            start += sample_s
        out[g] = total
    return out


@jit
def distance_to_uncovered_km(covered, lat_min, step_deg):
    """Distance from each cell to the nearest uncovered cell, kilometres.

    Two-pass 8-neighbour chamfer transform with each row's true east-west
    and diagonal step lengths (spherical Earth), so distances are within
    about 8 % of the great-circle distance between cell centres. Uncovered
    cells are at 0; a grid with no uncovered cell gives infinity everywhere
    (nowhere to escape to inside the grid, whose outside counts as
    uncovered: cells on the grid's border are at most one cell from it).

    Parameters
    ----------
    covered : ndarray of bool, shape (n_lat, n_lon)
        True where reception is good.
    lat_min, step_deg : float
        Southern edge and cell size of the grid, degrees.

    Returns
    -------
    ndarray of float64, shape (n_lat, n_lon)
    """
    n_lat, n_lon = covered.shape
    km_lat = 111.195 * step_deg
    out = np.empty((n_lat, n_lon), dtype=np.float64)
    dx = np.empty(n_lat, dtype=np.float64)
    for r in range(n_lat):
        lat = lat_min + (r + 0.5) * step_deg
        dx[r] = km_lat * math.cos(math.radians(lat))
        for c in range(n_lon):
            if not covered[r, c]:
                out[r, c] = 0.0
            else:
                # Beyond the grid's edge nothing is known: treat it as uncovered.
                edge = min(r + 0.5, n_lat - r - 0.5) * km_lat
                edge = min(edge, min(c + 0.5, n_lon - c - 0.5) * dx[r])
                out[r, c] = edge
    for r in range(n_lat):
        for c in range(n_lon):
            best = out[r, c]
            if r > 0:
                diag = math.hypot(km_lat, dx[r])
                best = min(best, out[r - 1, c] + km_lat)
                if c > 0:
                    best = min(best, out[r - 1, c - 1] + diag)
                if c < n_lon - 1:
                    best = min(best, out[r - 1, c + 1] + diag)
            if c > 0:
                best = min(best, out[r, c - 1] + dx[r])
            out[r, c] = best
    for r in range(n_lat - 1, -1, -1):
        for c in range(n_lon - 1, -1, -1):
            best = out[r, c]
            if r < n_lat - 1:
                diag = math.hypot(km_lat, dx[r])
                best = min(best, out[r + 1, c] + km_lat)
                if c > 0:
                    best = min(best, out[r + 1, c - 1] + diag)
                if c < n_lon - 1:
                    best = min(best, out[r + 1, c + 1] + diag)
            if c < n_lon - 1:
                best = min(best, out[r, c + 1] + dx[r])
            out[r, c] = best
    return out
