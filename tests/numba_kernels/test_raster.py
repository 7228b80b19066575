"""kernels.raster.sample_bilinear against the plain-Python reference."""

import math

import numpy as np
import pytest
import reference_geo as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.raster import sample_bilinear

# A 3 x 4 grid over lat 10..12, lon 20..23 at 1 degree.
GRID = np.array(
    [
        [0.0, 1.0, 2.0, 3.0],
        [10.0, 11.0, 12.0, 13.0],
        [20.0, 21.0, 25.0, 23.0],
    ]
)


def run(lat, lon, grid=GRID, lat0=10.0, lon0=20.0, step=1.0):
    return sample_bilinear(
        np.asarray(lat, dtype=np.float64),
        np.asarray(lon, dtype=np.float64),
        grid,
        lat0,
        lon0,
        step,
    )


def reference(lat, lon, grid=GRID, lat0=10.0, lon0=20.0, step=1.0):
    rows = grid.tolist()
    return np.array(
        [
            ref.bilinear(a, b, rows, lat0, lon0, step)
            for a, b in zip(lat, lon, strict=True)
        ]
    )


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (10.0, 20.0, 0.0),  # south-west corner node
        (12.0, 23.0, 23.0),  # north-east corner node: on the edge, inside
        (11.0, 22.0, 12.0),  # interior node
        (10.5, 20.5, 5.5),  # cell centre
        (12.0, 21.5, 23.0),  # on the north edge, between nodes
        (11.5, 23.0, 18.0),  # on the east edge, between nodes
        (11.5, 21.5, 17.25),  # centre of the cell with the 25 bump
        (12.0 + 1e-12, 23.0, 23.0),  # rounding error beyond the edge
        (9.999, 21.0, math.nan),  # south of the raster
        (12.001, 21.0, math.nan),  # north
        (11.0, 19.999, math.nan),  # west
        (11.0, 23.001, math.nan),  # east
        (math.nan, 21.0, math.nan),
        (11.0, math.nan, math.nan),
        (55.68, 12.57, math.nan),  # Copenhagen
    ],
)
def test_hand_cases(lat, lon, expected):
    got = run([lat], [lon])[0]
    want = reference([lat], [lon])[0]
    if math.isnan(expected):
        assert math.isnan(got) and math.isnan(want)
    else:
        assert got == pytest.approx(expected, abs=1e-12)
        assert want == pytest.approx(expected, abs=1e-12)


def test_empty_input():
    out = run([], [])
    assert out.shape == (0,) and out.dtype == np.float64


def test_float32_grid_gives_float64():
    out = run([10.5], [20.5], grid=GRID.astype(np.float32))
    assert out.dtype == np.float64 and out[0] == pytest.approx(5.5)


def test_linear_fields_are_reproduced_exactly():
    # Bilinear interpolation is exact for a + b*lat + c*lon on any grid.
    lat0, lon0, step = 20.0, 55.0, 0.01
    lat_nodes = lat0 + step * np.arange(50)
    lon_nodes = lon0 + step * np.arange(70)
    grid = 3.0 + 2.0 * lat_nodes[:, None] - 0.5 * lon_nodes[None, :]
    rng = np.random.default_rng(3)
    lat = rng.uniform(lat_nodes[0], lat_nodes[-1], 500)
    lon = rng.uniform(lon_nodes[0], lon_nodes[-1], 500)
    got = sample_bilinear(lat, lon, grid, lat0, lon0, step)
    np.testing.assert_allclose(got, 3.0 + 2.0 * lat - 0.5 * lon, rtol=0, atol=1e-9)


def test_nodes_are_returned_exactly():
    rng = np.random.default_rng(4)
    grid = rng.normal(size=(9, 11))
    i, j = np.meshgrid(np.arange(9), np.arange(11), indexing="ij")
    lat = 20.0 + 0.25 * i.ravel()
    lon = 55.0 + 0.25 * j.ravel()
    got = sample_bilinear(lat, lon, grid, 20.0, 55.0, 0.25)
    np.testing.assert_allclose(got, grid.ravel(), rtol=0, atol=1e-12)


grids = st.integers(2, 6).flatmap(
    lambda n: st.integers(2, 6).flatmap(
        lambda m: st.lists(st.floats(-1e3, 1e3), min_size=n * m, max_size=n * m).map(
            lambda v: np.array(v).reshape(n, m)
        )
    )
)


@settings(max_examples=1000)
@given(
    grid=grids,
    step=st.sampled_from([0.01, 0.1, 0.25, 1.0]),
    points=st.lists(
        st.tuples(st.floats(-0.5, 1.5), st.floats(-0.5, 1.5)), min_size=1, max_size=8
    ),
)
def test_matches_reference(grid, step, points):
    # Points spread from half a raster outside to half beyond, so edges and
    # the outside are hit as often as the inside.
    lat0, lon0 = 20.0, 55.0
    lat = np.array([lat0 + f * (grid.shape[0] - 1) * step for f, _ in points])
    lon = np.array([lon0 + g * (grid.shape[1] - 1) * step for _, g in points])
    got = sample_bilinear(lat, lon, grid, lat0, lon0, step)
    want = reference(lat, lon, grid, lat0, lon0, step)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    inside = (
        (lat >= lat0)
        & (lat <= lat0 + (grid.shape[0] - 1) * step)
        & (lon >= lon0)
        & (lon <= lon0 + (grid.shape[1] - 1) * step)
    )
    assert np.all(np.isfinite(got[inside]))
    # Never outside the range of the four surrounding nodes, hence of the grid.
    assert np.all(got[inside] <= grid.max() + 1e-9)
    assert np.all(got[inside] >= grid.min() - 1e-9)
