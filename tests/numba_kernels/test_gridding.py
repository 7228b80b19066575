import numpy as np
import pytest
import reference_gridding as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.gridding import grid_dwell_hours, grid_lines, grid_points

GRID = (
    22.0,
    57.5,
    0.5,
    8,
    21,
)  # lat_min, lon_min, step, n_lat, n_lon: 22–26 N, 57.5–68 E

coord_lat = st.one_of(
    st.floats(21.0, 27.0), st.just(26.0), st.just(22.0), st.just(np.nan)
)
coord_lon = st.one_of(
    st.floats(57.0, 68.5), st.just(68.0), st.just(57.5), st.just(np.nan)
)


@settings(max_examples=300)
@given(st.lists(st.tuples(coord_lat, coord_lon, st.floats(-5, 5)), max_size=40))
def test_grid_points_matches_reference(points):
    lat, lon, w = (
        (np.array(v, dtype=np.float64) for v in zip(*points, strict=True))
        if points
        else (np.empty(0),) * 3
    )
    got = grid_points(lat, lon, w, *GRID)
    np.testing.assert_allclose(got, ref.grid_points(lat, lon, w, *GRID), atol=1e-12)


def test_grid_points_edges_and_total():
    lat = np.array([22.0, 26.0, 26.0001, 21.99, 24.0, np.nan])
    lon = np.array([57.5, 68.0, 60.0, 60.0, 68.0, 60.0])
    got = grid_points(lat, lon, np.ones(6), *GRID)
    assert got[0, 0] == 1  # lower-left corner
    assert got[-1, -1] == 1  # upper edge clamped into the last cell
    assert got[4, -1] == 1  # right edge
    assert got.sum() == 3  # outside and NaN points dropped


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 3000), coord_lat, coord_lon), max_size=8),
        max_size=5,
    ),
    st.integers(0, 2000),
)
def test_grid_dwell_hours_matches_reference(segments, max_dt):
    t, lat, lon, offsets = [], [], [], [0]
    for seg in segments:
        base = 0
        for dt, a, b in seg:
            base += dt
            t.append(base)
            lat.append(a)
            lon.append(b)
        offsets.append(len(t))
    args = (
        np.array(t, dtype=np.int64),
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.array(offsets, dtype=np.int64),
        max_dt,
    )
    got = grid_dwell_hours(*args, *GRID)
    np.testing.assert_allclose(got, ref.grid_dwell_hours(*args, *GRID), atol=1e-9)


def test_dwell_hours_split_between_cells_and_gaps_excluded():
    t = np.array([0, 3600, 3600 + 7200 + 1], dtype=np.int64)
    lat = np.array([22.1, 22.1, 22.1])
    lon = np.array([57.6, 58.1, 58.6])
    got = grid_dwell_hours(t, lat, lon, np.array([0, 3], dtype=np.int64), 7200, *GRID)
    assert got[0, 0] == pytest.approx(0.5) and got[0, 1] == pytest.approx(0.5)
    assert got.sum() == pytest.approx(1.0)  # the 2 h+1 s silence is not presence


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(coord_lat, coord_lon, coord_lat, coord_lon, st.floats(0, 3)),
        max_size=10,
    )
)
def test_grid_lines_matches_reference(lines):
    cols = (
        [np.array(v, dtype=np.float64) for v in zip(*lines, strict=True)]
        if lines
        else [np.empty(0)] * 5
    )
    # Samples landing exactly on a cell edge may round either way when the
    # kernel fuses multiply-adds; an irrational nudge keeps them off edges.
    for k in range(4):
        cols[k] = cols[k] + 1.2345678e-7 * np.sqrt(2.0)
    got = grid_lines(*cols, *GRID)
    np.testing.assert_allclose(got, ref.grid_lines(*cols, *GRID), atol=1e-9)


def test_grid_lines_conserves_weight_inside_grid():
    got = grid_lines(
        np.array([22.2]),
        np.array([57.6]),
        np.array([25.9]),
        np.array([67.9]),
        np.array([2.0]),
        *GRID,
    )
    assert got.sum() == pytest.approx(2.0)
    assert (got > 0).sum() > 15  # spread along the corridor, not in one cell
