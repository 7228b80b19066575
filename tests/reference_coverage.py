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


def reception_rates(
    t, lat, lon, nominal, offsets, max_dt, sample, lat_min, lon_min, step, n_lat, n_lon
):
    owed = [[0] * n_lon for _ in range(n_lat)]
    heard = [[0] * n_lon for _ in range(n_lat)]
    for k in range(len(offsets) - 1):
        rows = [
            i
            for i in range(offsets[k], offsets[k + 1])
            if math.isfinite(lat[i]) and math.isfinite(lon[i])
        ]
        for a, b in itertools.pairwise(rows):
            dt = t[b] - t[a]
            if not (0 < dt < max_dt and nominal[a] > 0):
                continue
            pieces = math.ceil(dt / sample)
            # The ending report's 1000 thousandths, shared out evenly.
            shares = [1000 // pieces] * pieces
            for p in range(1000 - sum(shares)):
                shares[p] += 1
            for p in range(pieces):
                f = (p + 0.5) / pieces
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
                    owed[rc[0]][rc[1]] += round(1000 * (dt / pieces) / nominal[a])
                    heard[rc[0]][rc[1]] += shares[p]
    return owed, heard


def distance_to_uncovered_km(covered, lat_min, step):
    """Shortest 8-neighbour chamfer path to an uncovered cell or the grid edge.

    Dijkstra over the cells with the kernel's step lengths (east-west and
    diagonal steps of the row a step starts from; the grid's outside is
    uncovered, half a cell beyond the border cells).
    """
    import heapq

    n_lat, n_lon = len(covered), len(covered[0])
    km_lat = 111.195 * step
    dx = [
        km_lat * math.cos(math.radians(lat_min + (r + 0.5) * step))
        for r in range(n_lat)
    ]
    dist = [[math.inf] * n_lon for _ in range(n_lat)]
    heap = []
    for r in range(n_lat):
        for c in range(n_lon):
            if not covered[r][c]:
                d = 0.0
            else:
                d = min(
                    min(r + 0.5, n_lat - r - 0.5) * km_lat,
                    min(c + 0.5, n_lon - c - 0.5) * dx[r],
                )
            dist[r][c] = d
            heapq.heappush(heap, (d, r, c))
    while heap:
        d, r, c = heapq.heappop(heap)
        if d > dist[r][c]:
            continue
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                rr, cc = r + dr, c + dc
                if (dr, dc) == (0, 0) or not (0 <= rr < n_lat and 0 <= cc < n_lon):
                    continue
                # The kernel's step length uses the row being updated.
                if dr == 0:
                    length = dx[rr]
                elif dc == 0:
                    length = km_lat
                else:
                    length = math.hypot(km_lat, dx[rr])
                if d + length < dist[rr][cc]:
                    dist[rr][cc] = d + length
                    heapq.heappush(heap, (d + length, rr, cc))
    return dist
