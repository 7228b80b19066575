"""Plain-Python references for kernels/coverage.py (loops and math only)."""

import itertools
import math

from reference_gridding import cell


def coverage_slots(
    t, lat, lon, offsets, max_dt, slot, lat_min, lon_min, step, n_lat, n_lon
):
    slots = [[0.0] * n_lon for _ in range(n_lat)]
    heard = [[0.0] * n_lon for _ in range(n_lat)]
    for k in range(len(offsets) - 1):
        rows = [
            i
            for i in range(offsets[k], offsets[k + 1])
            if math.isfinite(lat[i]) and math.isfinite(lon[i])
        ]
        times = [t[i] for i in rows]
        for a, b in itertools.pairwise(rows):
            t0, t1 = t[a], t[b]
            if not 0 < t1 - t0 <= max_dt:
                continue
            boundary = math.ceil(t0 / slot) * slot
            while boundary < t1:
                f = (boundary - t0) / (t1 - t0)
                rc = cell(
                    lat[a] + f * (lat[b] - lat[a]),
                    lon[a] + f * (lon[b] - lon[a]),
                    lat_min,
                    lon_min,
                    step,
                    n_lat,
                    n_lon,
                )
                if rc is not None:
                    slots[rc[0]][rc[1]] += 1
                    if any(boundary <= x < boundary + slot for x in times):
                        heard[rc[0]][rc[1]] += 1
                boundary += slot
    return slots, heard


def path_covered_seconds(
    t0,
    lat0,
    lon0,
    t1,
    lat1,
    lon1,
    coverage,
    min_cov,
    sample,
    lat_min,
    lon_min,
    step,
    n_lat,
    n_lon,
):
    out = []
    for g in range(len(t0)):
        duration = t1[g] - t0[g]
        ends = (lat0[g], lon0[g], lat1[g], lon1[g])
        if duration <= 0 or not all(math.isfinite(x) for x in ends):
            out.append(0.0)
            continue
        total = 0.0
        for start in range(0, duration, sample):
            length = min(sample, duration - start)
            f = (start + length / 2) / duration
            rc = cell(
                lat0[g] + f * (lat1[g] - lat0[g]),
                lon0[g] + f * (lon1[g] - lon0[g]),
                lat_min,
                lon_min,
                step,
                n_lat,
                n_lon,
            )
            if rc is not None:
                value = coverage[rc[0]][rc[1]]
                if math.isfinite(value) and value >= min_cov:
                    total += length
        out.append(total)
    return out
