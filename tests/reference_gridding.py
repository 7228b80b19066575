"""Plain-Python references for kernels/gridding.py (loops and math only)."""

import itertools
import math


def cell(lat, lon, lat_min, lon_min, step, n_lat, n_lon):
    """(row, col) of a point, the upper edge clamped into the last cell."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    fr = (lat - lat_min) / step
    fc = (lon - lon_min) / step
    if fr < 0 or fc < 0 or fr > n_lat or fc > n_lon:
        return None
    return min(math.floor(fr), n_lat - 1), min(math.floor(fc), n_lon - 1)


def grid_points(lat, lon, weight, lat_min, lon_min, step, n_lat, n_lon):
    out = [[0.0] * n_lon for _ in range(n_lat)]
    for a, b, w in zip(lat, lon, weight, strict=True):
        if not math.isfinite(w):
            continue
        rc = cell(a, b, lat_min, lon_min, step, n_lat, n_lon)
        if rc is not None:
            out[rc[0]][rc[1]] += w
    return out


def grid_dwell_hours(
    t, lat, lon, offsets, max_dt, lat_min, lon_min, step, n_lat, n_lon
):
    out = [[0.0] * n_lon for _ in range(n_lat)]
    for k in range(len(offsets) - 1):
        rows = list(range(offsets[k], offsets[k + 1]))
        for i, j in itertools.pairwise(rows):
            dt = t[j] - t[i]
            if dt <= 0 or dt > max_dt:
                continue
            for p in (i, j):
                rc = cell(lat[p], lon[p], lat_min, lon_min, step, n_lat, n_lon)
                if rc is not None:
                    out[rc[0]][rc[1]] += dt / 3600.0 / 2
    return out


def grid_lines(lat0, lon0, lat1, lon1, weight, lat_min, lon_min, step, n_lat, n_lon):
    out = [[0.0] * n_lon for _ in range(n_lat)]
    for a_lat, a_lon, b_lat, b_lon, w in zip(
        lat0, lon0, lat1, lon1, weight, strict=True
    ):
        if not math.isfinite(w):
            continue
        if not (math.isfinite(a_lat) and math.isfinite(a_lon)):
            a_lat, a_lon = b_lat, b_lon
        if not (math.isfinite(b_lat) and math.isfinite(b_lon)):
            b_lat, b_lon = a_lat, a_lon
        if not (math.isfinite(a_lat) and math.isfinite(a_lon)):
            continue
        m = max(1, math.ceil(4 * math.hypot(b_lat - a_lat, b_lon - a_lon) / step))
        for j in range(m):
            f = (j + 0.5) / m
            rc = cell(
                a_lat + f * (b_lat - a_lat),
                a_lon + f * (b_lon - a_lon),
                lat_min,
                lon_min,
                step,
                n_lat,
                n_lon,
            )
            if rc is not None:
                out[rc[0]][rc[1]] += w / m
    return out
