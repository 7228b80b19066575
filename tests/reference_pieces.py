"""Plain-Python references for the kernels that partitioned runs add up.

``reception_heard`` (kernels.dark_gaps) and ``grid_dwell_half_seconds``
(kernels.gridding): loops over lists, ``math`` only.
"""

from __future__ import annotations

import itertools
import math

from reference_gridding import cell
from reference_loiter import haversine_m


def reception_heard(
    gap_t0, gap_t1, gap_lat, gap_lon, gap_vessel, t, lat, lon, vessel, radius_m
):
    """Sorted (gap, vessel) pairs: other vessels heard near each gap during it."""
    pairs = set()
    for g in range(len(gap_t0)):
        if math.isnan(gap_lat[g]) or math.isnan(gap_lon[g]):
            continue
        for r in range(len(t)):
            if vessel[r] == gap_vessel[g] or math.isnan(lat[r]) or math.isnan(lon[r]):
                continue
            if not gap_t0[g] <= t[r] <= gap_t1[g]:
                continue
            if haversine_m(gap_lat[g], gap_lon[g], lat[r], lon[r]) <= radius_m:
                pairs.add((g, vessel[r]))
    return sorted(pairs)


def grid_dwell_half_seconds(
    t, lat, lon, offsets, max_dt, lat_min, lon_min, step, n_lat, n_lon
):
    """Each interval of dt <= max_dt seconds adds dt to both ends' cells."""
    out = [[0] * n_lon for _ in range(n_lat)]
    for k in range(len(offsets) - 1):
        for i, j in itertools.pairwise(range(offsets[k], offsets[k + 1])):
            dt = t[j] - t[i]
            if dt <= 0 or dt > max_dt:
                continue
            for p in (i, j):
                rc = cell(lat[p], lon[p], lat_min, lon_min, step, n_lat, n_lon)
                if rc is not None:
                    out[rc[0]][rc[1]] += dt
    return out
