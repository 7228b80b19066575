"""Plain-Python reference for kernels.sea_route: Dijkstra with heapq."""

import heapq
import math


def passable(cost, i, j):
    c = cost[i][j]
    return not math.isnan(c) and c != math.inf


def step_cost(cost, dx_m, dy_m, i, j, ni, nj):
    di = ni - i
    dj = nj - j
    length = math.hypot(dj * 0.5 * (dx_m[i] + dx_m[ni]), di * dy_m)
    return length * 0.5 * (cost[i][j] + cost[ni][nj])


def neighbours(cost, i, j):
    """Passable 8-neighbours, no squeezing between two blocked corner nodes."""
    n_lat = len(cost)
    n_lon = len(cost[0])
    out = []
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            ni, nj = i + di, j + dj
            if not (0 <= ni < n_lat and 0 <= nj < n_lon):
                continue
            if not passable(cost, ni, nj):
                continue
            if (
                di
                and dj
                and not (passable(cost, i + di, j) and passable(cost, i, j + dj))
            ):
                continue
            out.append((ni, nj))
    return out


def cheapest_cost(cost, dx_m, dy_m, start, goal):
    """Cost of the cheapest path between two (row, col) nodes; inf if none."""
    if not passable(cost, *start) or not passable(cost, *goal):
        return math.inf
    best = {start: 0.0}
    heap = [(0.0, start)]
    done = set()
    while heap:
        g, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node == goal:
            return g
        for nb in neighbours(cost, *node):
            cand = g + step_cost(cost, dx_m, dy_m, *node, *nb)
            if cand < best.get(nb, math.inf):
                best[nb] = cand
                heapq.heappush(heap, (cand, nb))
    return math.inf
