"""Bilinear sampling of a regular latitude/longitude raster.

The raster is a 2-D array ``grid[i, j]`` holding the value at the node
``(lat0 + i * step_deg, lon0 + j * step_deg)``: rows run south to north,
columns west to east, and both axes share one step in degrees.
"""

import numpy as np

from ._jit import jit

# Nodes sit on exact multiples of the step; a point on the last row or column
# (for example lat 28.0 on a 20..28 grid) may land a rounding error beyond it.
_EDGE_TOLERANCE = 1e-9


@jit
def bilinear_at(lat, lon, grid, lat0, lon0, step_deg):
    """Bilinear value of ``grid`` at one point; NaN outside the raster.

    Parameters
    ----------
    lat, lon : float
        Position in degrees (WGS84). NaN gives NaN.
    grid : ndarray, shape (n_lat, n_lon), float32 or float64
        Node values, ``grid[i, j]`` at ``(lat0 + i*step_deg, lon0 + j*step_deg)``;
        at least 2 x 2 nodes.
    lat0, lon0 : float
        Position of ``grid[0, 0]`` (the south-west node), degrees.
    step_deg : float
        Node spacing in degrees along both axes, > 0.

    Returns
    -------
    float
        The interpolated value. Points on the outer edge of the raster are
        inside; points beyond it, and NaN positions, give NaN.
    """
    n_lat = grid.shape[0]
    n_lon = grid.shape[1]
    fi = (lat - lat0) / step_deg
    fj = (lon - lon0) / step_deg
    # Written so that NaN fails every test and falls through to NaN.
    if not (fi >= -_EDGE_TOLERANCE and fi <= n_lat - 1 + _EDGE_TOLERANCE):
        return np.nan
    if not (fj >= -_EDGE_TOLERANCE and fj <= n_lon - 1 + _EDGE_TOLERANCE):
        return np.nan
    fi = min(max(fi, 0.0), n_lat - 1.0)
    fj = min(max(fj, 0.0), n_lon - 1.0)
    # fi, fj >= 0 here, so truncation is the floor.
    i = min(int(fi), n_lat - 2)
    j = min(int(fj), n_lon - 2)
    u = fi - i
    v = fj - j
    south = grid[i, j] * (1.0 - v) + grid[i, j + 1] * v
    north = grid[i + 1, j] * (1.0 - v) + grid[i + 1, j + 1] * v
    return south * (1.0 - u) + north * u


@jit
def sample_bilinear(lat, lon, grid, lat0, lon0, step_deg):
    """Bilinear values of a lat/lon raster at many points.

    Parameters
    ----------
    lat, lon : ndarray, shape (n,), float64
        Positions in degrees (WGS84).
    grid : ndarray, shape (n_lat, n_lon), float32 or float64
        Node values, ``grid[i, j]`` at ``(lat0 + i*step_deg, lon0 + j*step_deg)``;
        at least 2 x 2 nodes.
    lat0, lon0 : float
        Position of ``grid[0, 0]`` (the south-west node), degrees.
    step_deg : float
        Node spacing in degrees along both axes, > 0.

    Returns
    -------
    ndarray, shape (n,), float64
        Interpolated values in the grid's unit; NaN for points outside the
        raster (its edges included as inside) and for NaN positions.
    """
    n = lat.shape[0]
    out = np.empty(n, dtype=np.float64)
    for k in range(n):
        out[k] = bilinear_at(lat[k], lon[k], grid, lat0, lon0, step_deg)
    return out
