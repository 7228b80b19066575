"""kernels.sea_route.grid_path against the plain-Python Dijkstra reference."""

import itertools
import math

import numpy as np
import pytest
import reference_sea_route as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.sea_route import grid_path

INF = math.inf


def run(cost, start, goal, dx=None, dy=100.0, min_cost=None, weight=1.0):
    cost = np.asarray(cost, dtype=np.float64)
    n_lat, n_lon = cost.shape
    dx = np.full(n_lat, 100.0) if dx is None else np.asarray(dx, dtype=np.float64)
    finite = cost[np.isfinite(cost)]
    if min_cost is None:
        min_cost = float(finite.min()) if finite.size else 1.0
    s = start[0] * n_lon + start[1]
    g = goal[0] * n_lon + goal[1]
    path, total = grid_path(cost, dx, float(dy), float(min_cost), s, g, float(weight))
    return [(int(k) // n_lon, int(k) % n_lon) for k in path], total


def path_cost(cost, dx, dy, nodes):
    rows = np.asarray(cost, dtype=np.float64).tolist()
    return sum(
        ref.step_cost(rows, dx, dy, *a, *b) for a, b in itertools.pairwise(nodes)
    )


def assert_valid(cost, nodes):
    rows = np.asarray(cost, dtype=np.float64).tolist()
    for a, b in itertools.pairwise(nodes):
        assert b in ref.neighbours(rows, *a), (a, b)


def test_open_grid_goes_straight():
    cost = np.ones((3, 5))
    nodes, total = run(cost, (1, 0), (1, 4))
    assert nodes == [(1, 0), (1, 1), (1, 2), (1, 3), (1, 4)]
    assert total == pytest.approx(400.0)


def test_diagonal_move_length():
    cost = np.ones((2, 2))
    nodes, total = run(cost, (0, 0), (1, 1), dx=[30.0, 50.0], dy=40.0)
    assert nodes == [(0, 0), (1, 1)]
    assert total == pytest.approx(math.hypot(40.0, 40.0))


def test_wall_with_gap_is_passed_through_the_gap():
    cost = np.ones((5, 5))
    cost[:, 2] = INF
    cost[4, 2] = 1.0  # the gap, in the top row
    nodes, total = run(cost, (0, 0), (0, 4))
    assert (4, 2) in nodes
    assert_valid(cost, nodes)
    assert total == pytest.approx(
        ref.cheapest_cost(cost.tolist(), [100.0] * 5, 100.0, (0, 0), (0, 4))
    )


def test_no_squeezing_between_corner_touching_blocks():
    cost = np.array([[1.0, INF], [INF, 1.0]])
    nodes, total = run(cost, (0, 0), (1, 1))
    assert nodes == []
    assert total == INF


def test_unreachable_goal_and_blocked_ends():
    cost = np.ones((3, 3))
    cost[1, :] = INF
    assert run(cost, (0, 0), (2, 2)) == ([], INF)
    assert run(cost, (1, 1), (0, 0)) == ([], INF)
    assert run(cost, (0, 0), (1, 0)) == ([], INF)
    nan_cost = np.ones((2, 2))
    nan_cost[1, 1] = np.nan
    assert run(nan_cost, (0, 0), (1, 1)) == ([], INF)


def test_start_equals_goal_and_out_of_range():
    cost = np.ones((2, 3))
    assert run(cost, (1, 2), (1, 2)) == ([(1, 2)], 0.0)
    path, total = grid_path(cost, np.full(2, 1.0), 1.0, 1.0, 0, 6, 1.0)
    assert len(path) == 0 and total == INF
    path, total = grid_path(cost, np.full(2, 1.0), 1.0, 1.0, -1, 3, 1.0)
    assert len(path) == 0 and total == INF


def test_expensive_cells_are_avoided_when_a_detour_is_cheaper():
    cost = np.ones((3, 7))
    cost[1, 1:6] = 10.0  # the straight row is dear
    nodes, total = run(cost, (1, 0), (1, 6))
    assert all(cost[i, j] == 1.0 for i, j in nodes)
    assert total == pytest.approx(
        ref.cheapest_cost(cost.tolist(), [100.0] * 3, 100.0, (1, 0), (1, 6))
    )


def test_deterministic():
    rng = np.random.default_rng(3)
    cost = rng.uniform(1.0, 2.0, size=(30, 40))
    cost[rng.uniform(size=cost.shape) < 0.25] = INF
    cost[0, 0] = cost[29, 39] = 1.0
    first = run(cost, (0, 0), (29, 39))
    for _ in range(3):
        assert run(cost, (0, 0), (29, 39)) == first


@st.composite
def grids(draw):
    n_lat = draw(st.integers(1, 7))
    n_lon = draw(st.integers(1, 8))
    cells = draw(
        st.lists(
            st.one_of(
                st.just(INF),
                st.floats(1.0, 5.0, allow_nan=False),
                st.floats(1.0, 5.0, allow_nan=False),
            ),
            min_size=n_lat * n_lon,
            max_size=n_lat * n_lon,
        )
    )
    cost = np.array(cells).reshape(n_lat, n_lon)
    dx = draw(st.lists(st.floats(10.0, 200.0), min_size=n_lat, max_size=n_lat))
    dy = draw(st.floats(10.0, 200.0))
    start = (draw(st.integers(0, n_lat - 1)), draw(st.integers(0, n_lon - 1)))
    goal = (draw(st.integers(0, n_lat - 1)), draw(st.integers(0, n_lon - 1)))
    return cost, dx, dy, start, goal


@settings(max_examples=1500)
@given(grids())
def test_matches_reference_cost(case):
    cost, dx, dy, start, goal = case
    nodes, total = run(cost, start, goal, dx=dx, dy=dy, min_cost=1.0)
    expected = ref.cheapest_cost(cost.tolist(), dx, dy, start, goal)
    if expected == INF:
        assert nodes == [] and total == INF
        return
    assert nodes[0] == start and nodes[-1] == goal
    assert_valid(cost, nodes)
    assert total == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert path_cost(cost, dx, dy, nodes) == pytest.approx(total, rel=1e-9, abs=1e-9)


@settings(max_examples=1000)
@given(grids(), st.floats(1.0, 3.0))
def test_weighted_search_is_bounded_suboptimal(case, weight):
    cost, dx, dy, start, goal = case
    nodes, total = run(cost, start, goal, dx=dx, dy=dy, min_cost=1.0, weight=weight)
    expected = ref.cheapest_cost(cost.tolist(), dx, dy, start, goal)
    if expected == INF:
        assert nodes == [] and total == INF
        return
    assert nodes[0] == start and nodes[-1] == goal
    assert_valid(cost, nodes)
    assert path_cost(cost, dx, dy, nodes) == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert expected - 1e-9 <= total <= weight * expected * (1 + 1e-9) + 1e-9
