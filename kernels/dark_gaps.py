"""Dark gaps (long silences of one vessel identity) and their reception context.

:func:`dark_gaps` finds the silences. :func:`reception_context` says how many
other vessels were heard near the gap while it lasted: a vessel going quiet
while its neighbours keep being heard is more likely to have switched its
transponder off than to have sailed out of coverage.
:func:`reception_index` and :func:`reception_counts` split that into building
the spatial index once and querying it several times (gap start, gap end);
:func:`reception_heard` lists who was heard instead of counting, so that the
reports can be indexed piece by piece (time windows) and the lists united.
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, KNOT_M_S, haversine_m
from ._jit import jit

__all__ = [
    "dark_gaps",
    "reception_context",
    "reception_counts",
    "reception_heard",
    "reception_index",
]


@jit
def _next_valid(lat, lon, i, b):
    """First row at or after ``i`` and before ``b`` with a position, else b."""
    while i < b and (math.isnan(lat[i]) or math.isnan(lon[i])):
        i += 1
    return i


@jit
def dark_gaps(t_s, lat, lon, offsets, min_gap_s):
    """Silences of at least ``min_gap_s`` between consecutive position reports.

    Parameters
    ----------
    t_s : ndarray of int64 (or float64), shape (n,)
        Report times in seconds since 1970-01-01 UTC, non-decreasing within
        each track.
    lat, lon : ndarray of float64, shape (n,)
        WGS84 position in degrees. Rows with NaN are skipped as if absent (a
        report without a position does not end a silence).
    offsets : ndarray of int64, shape (n_tracks + 1,)
        Track ``k`` (one vessel identity, not a segment: segments are already
        cut at gaps) occupies rows ``offsets[k]:offsets[k + 1]``.
    min_gap_s : float
        Smallest silence reported, seconds, inclusive: a gap of exactly
        ``min_gap_s`` is reported. Must be > 0.

    Returns
    -------
    track : ndarray of int64, shape (n_gaps,)
        Track index (into ``offsets``).
    row : ndarray of int64, shape (n_gaps,)
        Last row with a position before the gap.
    next_row : ndarray of int64, shape (n_gaps,)
        First row with a position after the gap (``row + 1`` unless rows
        without a position lie between).
    duration_s : ndarray of float64, shape (n_gaps,)
        ``t[next_row] - t[row]``, seconds.
    distance_m : ndarray of float64, shape (n_gaps,)
        Great-circle distance between the two positions, metres.
    speed_kn : ndarray of float64, shape (n_gaps,)
        ``distance_m / duration_s`` in knots: the mean speed the vessel must
        have kept while silent.

    Notes
    -----
    No input validation; serial and ``nogil``. Count pass, then fill pass.
    O(n) time, O(n_gaps) memory.
    """
    n_tracks = offsets.shape[0] - 1
    total = 0
    for k in range(n_tracks):
        b = offsets[k + 1]
        i = _next_valid(lat, lon, offsets[k], b)
        while i < b:
            j = _next_valid(lat, lon, i + 1, b)
            if j < b and t_s[j] - t_s[i] >= min_gap_s:
                total += 1
            i = j
    track = np.empty(total, dtype=np.int64)
    row = np.empty(total, dtype=np.int64)
    next_row = np.empty(total, dtype=np.int64)
    duration_s = np.empty(total, dtype=np.float64)
    distance_m = np.empty(total, dtype=np.float64)
    speed_kn = np.empty(total, dtype=np.float64)
    out = 0
    for k in range(n_tracks):
        b = offsets[k + 1]
        i = _next_valid(lat, lon, offsets[k], b)
        while i < b:
            j = _next_valid(lat, lon, i + 1, b)
            if j < b and t_s[j] - t_s[i] >= min_gap_s:
                dt = float(t_s[j] - t_s[i])
                d = haversine_m(lat[i], lon[i], lat[j], lon[j])
                track[out] = k
                row[out] = i
                next_row[out] = j
                duration_s[out] = dt
                distance_m[out] = d
                speed_kn[out] = d / dt / KNOT_M_S
                out += 1
            i = j
    return track, row, next_row, duration_s, distance_m, speed_kn


# ---------------------------------------------------------------------------
# Reception context
# ---------------------------------------------------------------------------


@jit
def _unit_vector(lat, lon):
    p = math.radians(lat)
    l = math.radians(lon)
    c = math.cos(p)
    return c * math.cos(l), c * math.sin(l), math.sin(p)


@jit
def _cell_size(radius_m):
    """Cube edge on the unit sphere: at least the chord of ``radius_m``.

    Two points within ``radius_m`` differ by at most one cell along each
    axis. The floor of 2e-6 (about 13 m) keeps the cell key inside int64.
    """
    chord = 2.0 * math.sin(min(0.5 * radius_m / EARTH_RADIUS_M, 0.5 * math.pi))
    return max(chord * (1.0 + 1e-9) + 1e-12, 2e-6)


@jit
def _cell_key(x, y, z, cell, half):
    width = 2 * half + 1
    ix = math.floor(x / cell) + half
    iy = math.floor(y / cell) + half
    iz = math.floor(z / cell) + half
    return (ix * width + iy) * width + iz


@jit
def reception_index(t_s, lat, lon, vessel, radius_m):
    """Spatial hash of all reports, for :func:`reception_counts`.

    Parameters
    ----------
    t_s : ndarray of int64 (or float64), shape (n,)
        Report times, seconds since 1970-01-01 UTC (any order).
    lat, lon : ndarray of float64, shape (n,)
        WGS84 positions in degrees; rows with NaN are left out.
    vessel : ndarray of int64, shape (n,)
        Vessel identity of each report (e.g. MMSI or track code; any
        values, any order).
    radius_m : float
        Search radius the index is built for, metres.

    Returns
    -------
    tuple of ndarray
        ``(cell_keys, cell_starts, t_sorted, lat_sorted, lon_sorted,
        vessel_code, vessel_ids, params)``: distinct cell keys (sorted),
        where each cell's reports begin (one more entry than keys), the
        reports sorted by (cell, time), each report's vessel as a code into
        the sorted distinct ``vessel_ids``, and ``params = [cell, half,
        radius_m]``. Treat it as opaque.

    Notes
    -----
    Cells are cubes on the unit sphere (3-D Cartesian coordinates) with an
    edge at least the chord of ``radius_m``, so every report within
    ``radius_m`` of a point lies in the 27 cells around it, with no special
    case at the poles or the antimeridian. O(n log n) (two sorts).
    """
    n = t_s.shape[0]
    cell = _cell_size(radius_m)
    half = math.ceil(1.0 / cell) + 2
    m = 0
    for i in range(n):
        if not (math.isnan(lat[i]) or math.isnan(lon[i])):
            m += 1
    keys = np.empty(m, dtype=np.int64)
    src = np.empty(m, dtype=np.int64)
    u = 0
    for i in range(n):
        if math.isnan(lat[i]) or math.isnan(lon[i]):
            continue
        x, y, z = _unit_vector(lat[i], lon[i])
        keys[u] = _cell_key(x, y, z, cell, half)
        src[u] = i
        u += 1
    order = np.argsort(keys)
    keys = keys[order]
    src = src[order]
    # Sort each cell's reports by time.
    n_cells = 0
    for u in range(m):
        if u == 0 or keys[u] != keys[u - 1]:
            n_cells += 1
    cell_keys = np.empty(n_cells, dtype=np.int64)
    cell_starts = np.empty(n_cells + 1, dtype=np.int64)
    c = 0
    for u in range(m):
        if u == 0 or keys[u] != keys[u - 1]:
            cell_keys[c] = keys[u]
            cell_starts[c] = u
            c += 1
    cell_starts[n_cells] = m
    t_sorted = np.empty(m, dtype=t_s.dtype)
    for c in range(n_cells):
        a = cell_starts[c]
        b = cell_starts[c + 1]
        if b - a > 1:
            tt = t_s[src[a:b]]
            src[a:b] = src[a:b][np.argsort(tt, kind="mergesort")]
    lat_sorted = np.empty(m, dtype=np.float64)
    lon_sorted = np.empty(m, dtype=np.float64)
    vessel_sorted = np.empty(m, dtype=np.int64)
    for u in range(m):
        i = src[u]
        t_sorted[u] = t_s[i]
        lat_sorted[u] = lat[i]
        lon_sorted[u] = lon[i]
        vessel_sorted[u] = vessel[i]
    vessel_ids = np.unique(vessel_sorted)
    vessel_code = np.searchsorted(vessel_ids, vessel_sorted)
    params = np.array([cell, float(half), float(radius_m)])
    return (
        cell_keys,
        cell_starts,
        t_sorted,
        lat_sorted,
        lon_sorted,
        vessel_code,
        vessel_ids,
        params,
    )


@jit
def reception_counts(index, gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel):
    """Distinct other vessels heard near each gap position during the gap.

    Parameters
    ----------
    index : tuple
        The result of :func:`reception_index`.
    gap_t0, gap_t1 : ndarray of int64 (or float64), shape (n_gaps,)
        Time window of each gap (seconds, same unit as the index), inclusive.
    gap_lat, gap_lon : ndarray of float64, shape (n_gaps,)
        Where to look, degrees (the gap's start or end position).
    gap_vessel : ndarray of int64, shape (n_gaps,)
        The silent vessel's identity, in the values of the index's
        ``vessel``; its own reports are never counted.

    Returns
    -------
    n_heard : ndarray of int64, shape (n_gaps,)
        Number of distinct vessels other than ``gap_vessel`` with at least
        one report within ``radius_m`` (inclusive) of the position and with
        ``gap_t0 <= t <= gap_t1``. -1 where the position is NaN.

    Notes
    -----
    For each gap: the 27 cells around it, a binary search of each cell's
    time-sorted reports for the window, a distance test per report, and a
    per-vessel marker array holding the last gap that counted the vessel,
    so each neighbour counts once without clearing between gaps.
    O(n_gaps log n + reports scanned).
    """
    cell_keys, cell_starts, t_sorted, lat_sorted, lon_sorted = (
        index[0],
        index[1],
        index[2],
        index[3],
        index[4],
    )
    vessel_code, vessel_ids, params = index[5], index[6], index[7]
    cell = params[0]
    half = int(params[1])
    radius_m = params[2]
    n_gaps = gap_t0.shape[0]
    n_heard = np.zeros(n_gaps, dtype=np.int64)
    marker = np.full(vessel_ids.shape[0], -1, dtype=np.int64)
    for g in range(n_gaps):
        glat = gap_lat[g]
        glon = gap_lon[g]
        if math.isnan(glat) or math.isnan(glon):
            n_heard[g] = -1
            continue
        own = -1
        v = np.searchsorted(vessel_ids, gap_vessel[g])
        if v < vessel_ids.shape[0] and vessel_ids[v] == gap_vessel[g]:
            own = v
        x, y, z = _unit_vector(glat, glon)
        width = 2 * half + 1
        ix = math.floor(x / cell) + half
        iy = math.floor(y / cell) + half
        iz = math.floor(z / cell) + half
        count = 0
        for dx in range(-1, 2):
            for dy in range(-1, 2):
                for dz in range(-1, 2):
                    key = ((ix + dx) * width + (iy + dy)) * width + (iz + dz)
                    c = np.searchsorted(cell_keys, key)
                    if c >= cell_keys.shape[0] or cell_keys[c] != key:
                        continue
                    a = cell_starts[c]
                    b = cell_starts[c + 1]
                    lo = a + np.searchsorted(t_sorted[a:b], gap_t0[g], side="left")
                    hi = a + np.searchsorted(t_sorted[a:b], gap_t1[g], side="right")
                    for r in range(lo, hi):
                        w = vessel_code[r]
                        if w == own or marker[w] == g:
                            continue
                        d = haversine_m(glat, glon, lat_sorted[r], lon_sorted[r])
                        if d <= radius_m:
                            marker[w] = g
                            count += 1
        n_heard[g] = count
    return n_heard


@jit
def reception_heard(index, gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel):
    """Which other vessels were heard near each gap position during the gap.

    The same test as :func:`reception_counts`, but listing each (gap, vessel)
    pair once instead of counting: reports indexed in pieces (say, one time
    window at a time) give lists whose distinct union is what one index of
    all reports would count.

    Parameters
    ----------
    index : tuple
        The result of :func:`reception_index`.
    gap_t0, gap_t1 : ndarray of int64 (or float64), shape (n_gaps,)
        Time window of each gap (seconds, same unit as the index), inclusive.
    gap_lat, gap_lon : ndarray of float64, shape (n_gaps,)
        Where to look, degrees. A NaN position hears nobody.
    gap_vessel : ndarray of int64, shape (n_gaps,)
        The silent vessel's identity; its own reports are never counted.

    Returns
    -------
    gap : ndarray of int64, shape (m,)
        Gap row of each pair, ascending.
    vessel : ndarray of int64, shape (m,)
        The vessel heard (a value of the index's ``vessel``), each at most
        once per gap.

    Notes
    -----
    Count pass, then fill pass, each as in :func:`reception_counts`.
    """
    cell_keys, cell_starts, t_sorted, lat_sorted, lon_sorted = (
        index[0],
        index[1],
        index[2],
        index[3],
        index[4],
    )
    vessel_code, vessel_ids, params = index[5], index[6], index[7]
    counts = reception_counts(index, gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel)
    total = 0
    for g in range(counts.shape[0]):
        if counts[g] > 0:
            total += counts[g]
    out_gap = np.empty(total, dtype=np.int64)
    out_vessel = np.empty(total, dtype=np.int64)
    cell = params[0]
    half = int(params[1])
    radius_m = params[2]
    marker = np.full(vessel_ids.shape[0], -1, dtype=np.int64)
    j = 0
    for g in range(gap_t0.shape[0]):
        if counts[g] <= 0:
            continue
        glat = gap_lat[g]
        glon = gap_lon[g]
        own = -1
        v = np.searchsorted(vessel_ids, gap_vessel[g])
        if v < vessel_ids.shape[0] and vessel_ids[v] == gap_vessel[g]:
            own = v
        x, y, z = _unit_vector(glat, glon)
        width = 2 * half + 1
        ix = math.floor(x / cell) + half
        iy = math.floor(y / cell) + half
        iz = math.floor(z / cell) + half
        for dx in range(-1, 2):
            for dy in range(-1, 2):
                for dz in range(-1, 2):
                    key = ((ix + dx) * width + (iy + dy)) * width + (iz + dz)
                    c = np.searchsorted(cell_keys, key)
                    if c >= cell_keys.shape[0] or cell_keys[c] != key:
                        continue
                    a = cell_starts[c]
                    b = cell_starts[c + 1]
                    lo = a + np.searchsorted(t_sorted[a:b], gap_t0[g], side="left")
                    hi = a + np.searchsorted(t_sorted[a:b], gap_t1[g], side="right")
                    for r in range(lo, hi):
                        w = vessel_code[r]
                        if w == own or marker[w] == g:
                            continue
                        d = haversine_m(glat, glon, lat_sorted[r], lon_sorted[r])
                        if d <= radius_m:
                            marker[w] = g
                            out_gap[j] = g
                            out_vessel[j] = vessel_ids[w]
                            j += 1
    return out_gap, out_vessel


@jit
def reception_context(
    gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel, t_s, lat, lon, vessel, radius_m
):
    """Number of other vessels heard within ``radius_m`` of a gap during it.

    Builds :func:`reception_index` over all reports and queries it with
    :func:`reception_counts`. Call it once with each gap's start position
    and once with its end position (or build the index once and call
    :func:`reception_counts` twice).

    Parameters
    ----------
    gap_t0, gap_t1 : ndarray of int64 (or float64), shape (n_gaps,)
        Start and end of each gap, seconds since 1970-01-01 UTC, inclusive.
    gap_lat, gap_lon : ndarray of float64, shape (n_gaps,)
        Position to look around, degrees.
    gap_vessel : ndarray of int64, shape (n_gaps,)
        Identity of the silent vessel (same values as ``vessel``).
    t_s : ndarray of int64 (or float64), shape (n,)
        Times of all reports (every vessel), seconds, any order.
    lat, lon : ndarray of float64, shape (n,)
        Positions of all reports, degrees; NaN rows are ignored.
    vessel : ndarray of int64, shape (n,)
        Identity of each report's vessel.
    radius_m : float
        Search radius, metres, inclusive (20 km by default in the config).

    Returns
    -------
    n_heard : ndarray of int64, shape (n_gaps,)
        Distinct vessels other than ``gap_vessel`` with at least one report
        within ``radius_m`` of the position during ``[gap_t0, gap_t1]``; -1
        where the gap position is NaN.

    Notes
    -----
    O(n log n) to index, then O(log n + reports scanned) per gap. Serial and
    ``nogil``; no input validation.
    """
    index = reception_index(t_s, lat, lon, vessel, radius_m)
    return reception_counts(index, gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel)
