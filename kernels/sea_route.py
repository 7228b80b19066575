"""Cheapest paths across a latitude/longitude grid (A* search).

The grid holds one cost multiplier per node: ``cost[i, j]`` for the node at
row ``i`` (south to north) and column ``j`` (west to east). A move between two
8-connected neighbours costs its length in metres times the mean of the two
nodes' multipliers; a node with an infinite (or NaN) multiplier cannot be
entered. A diagonal move needs both nodes beside it passable, so a path never
squeezes between two blocked nodes that touch at a corner.
"""

import heapq
import math

import numpy as np

from ._jit import jit

__all__ = ["grid_path"]


@jit
def _passable(cost, i, j):
    c = cost[i, j]
    return c == c and c < np.inf


@jit
def grid_path(cost, dx_m, dy_m, min_cost, start, goal, weight):
    """Cheapest 8-connected path between two grid nodes.

    Parameters
    ----------
    cost : ndarray, shape (n_lat, n_lon), float64
        Cost multiplier of each node (dimensionless, >= ``min_cost``); ``inf``
        or NaN marks a node that cannot be entered.
    dx_m : ndarray, shape (n_lat,), float64
        East-west distance between neighbouring nodes of each row, metres (> 0).
    dy_m : float
        North-south distance between neighbouring rows, metres (> 0).
    min_cost : float
        A lower bound of every passable multiplier (> 0); keeps the search
        heuristic admissible, so the path found is a cheapest one.
    start, goal : int
        Flat node indices ``i * n_lon + j``.
    weight : float
        Heuristic weight (>= 1). 1 finds a cheapest path; a larger weight
        explores fewer nodes and finds a path costing at most ``weight``
        times the cheapest (weighted A*).

    Returns
    -------
    path : ndarray, shape (k,), int64
        Flat node indices from ``start`` to ``goal`` inclusive; empty when the
        goal cannot be reached or either end is not passable. ``[start]`` when
        ``start == goal``.
    total : float
        Cost of the path (metres times multiplier); ``inf`` when empty.

    Notes
    -----
    A* with the straight-line distance at the smallest row spacing times
    ``min_cost`` as heuristic (consistent, so with ``weight`` 1 the result
    is optimal), multiplied by ``weight``. Ties
    are broken by insertion order, so the result is deterministic. A move of
    ``di`` rows and ``dj`` columns has length
    ``sqrt((dj * (dx_m[i] + dx_m[i + di]) / 2) ** 2 + (di * dy_m) ** 2)``.
    O(n log n) time and O(n) memory in the number of nodes explored.
    """
    n_lat = cost.shape[0]
    n_lon = cost.shape[1]
    n = n_lat * n_lon
    empty = np.empty(0, dtype=np.int64)
    if start < 0 or start >= n or goal < 0 or goal >= n:
        return empty, np.inf
    si = start // n_lon
    sj = start % n_lon
    gi = goal // n_lon
    gj = goal % n_lon
    if not _passable(cost, si, sj) or not _passable(cost, gi, gj):
        return empty, np.inf
    dx_min = dx_m[0]
    for i in range(n_lat):
        if dx_m[i] < dx_min:
            dx_min = dx_m[i]
    g = np.full(n, np.inf)
    parent = np.full(n, -1, dtype=np.int64)
    closed = np.zeros(n, dtype=np.bool_)
    g[start] = 0.0
    h0 = weight * min_cost * math.hypot((gj - sj) * dx_min, (gi - si) * dy_m)
    heap = [(h0, 0, start)]
    counter = 1
    found = False
    while len(heap) > 0:
        item = heapq.heappop(heap)
        node = item[2]
        if closed[node]:
            continue
        closed[node] = True
        if node == goal:
            found = True
            break
        i = node // n_lon
        j = node % n_lon
        for di in range(-1, 2):
            for dj in range(-1, 2):
                if di == 0 and dj == 0:
                    continue
                ni = i + di
                nj = j + dj
                if ni < 0 or ni >= n_lat or nj < 0 or nj >= n_lon:
                    continue
                if not _passable(cost, ni, nj):
                    continue
                if (di != 0 and dj != 0) and not (
                    _passable(cost, i + di, j) and _passable(cost, i, j + dj)
                ):
                    continue
                nb = ni * n_lon + nj
                if closed[nb]:
                    continue
                step = math.hypot(dj * 0.5 * (dx_m[i] + dx_m[ni]), di * dy_m)
                cand = g[node] + step * 0.5 * (cost[i, j] + cost[ni, nj])
                if cand < g[nb]:
                    g[nb] = cand
                    parent[nb] = node
                    h = math.hypot((gj - nj) * dx_min, (gi - ni) * dy_m)
                    h *= weight * min_cost
                    heapq.heappush(heap, (cand + h, counter, nb))
                    counter += 1
    if not found:
        return empty, np.inf
    length = 1
    node = goal
    while node != start:
        node = parent[node]
        length += 1
    path = np.empty(length, dtype=np.int64)
    node = goal
    for k in range(length - 1, -1, -1):
        path[k] = node
        if k > 0:
            node = parent[node]
    return path, g[goal]
