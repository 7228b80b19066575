"""Kernels whose results partitioned runs add up: reception pairs, dwell time.

Each matches its plain-Python reference (``reference_pieces``), and the
pieces of any split add up to the whole: heard pairs of reports indexed
window by window unite to what one index of all reports counts, and dwell
grids of disjoint sets of segments sum to the grid of their union exactly.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import reference_pieces as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.dark_gaps import reception_counts, reception_heard, reception_index
from kernels.gridding import (
    HALF_SECONDS_PER_HOUR,
    grid_dwell_half_seconds,
    grid_dwell_hours,
)

GRID = (22.0, 57.5, 0.5, 8, 21)  # lat_min, lon_min, step, n_lat, n_lon


@st.composite
def traffic(draw):
    """Gaps and reports around one place (a pole and the antimeridian too)."""
    lat0 = draw(st.sampled_from([25.0, 89.9, -30.0]))
    lon0 = draw(st.sampled_from([62.0, 179.99, -179.99]))
    spread = draw(st.sampled_from([0.05, 0.3, 1.5]))

    def pos():
        lat = min(max(lat0 + draw(st.floats(-spread, spread)), -90.0), 90.0)
        lon = (lon0 + draw(st.floats(-spread, spread)) + 180.0) % 360.0 - 180.0
        if draw(st.integers(0, 19)) == 0:
            lat = math.nan
        return lat, lon

    reports = [
        (draw(st.integers(0, 40)) * 900, *pos(), 1000 + draw(st.integers(0, 6)))
        for _ in range(draw(st.integers(0, 50)))
    ]
    gaps = []
    for _ in range(draw(st.integers(0, 6))):
        t0 = draw(st.integers(0, 40)) * 900
        gaps.append(
            (
                t0,
                t0 + draw(st.integers(0, 12)) * 900,
                *pos(),
                1000 + draw(st.integers(0, 7)),
            )
        )
    radius = draw(st.sampled_from([1_000.0, 20_000.0, 150_000.0]))
    cuts = sorted(draw(st.lists(st.integers(0, 36_000), max_size=4)))
    return gaps, reports, radius, cuts


def _columns(gaps, reports):
    g = [
        np.array([x[i] for x in gaps], dtype=d)
        for i, d in enumerate([np.int64, np.int64, float, float, np.int64])
    ]
    r = [
        np.array([x[i] for x in reports], dtype=d)
        for i, d in enumerate([np.int64, float, float, np.int64])
    ]
    return g, r


def _pairs(index, g):
    gap, vessel = reception_heard(index, *g)
    return sorted(zip(gap.tolist(), vessel.tolist(), strict=True))


@settings(max_examples=300)
@given(traffic())
def test_heard_pairs_match_reference_and_unite_over_time_pieces(case):
    gaps, reports, radius, cuts = case
    g, r = _columns(gaps, reports)
    whole = _pairs(reception_index(*r, radius), g)
    assert whole == ref.reception_heard(
        *[c.tolist() for c in g], *[c.tolist() for c in r], radius
    )
    # Counting the pairs is reception_counts (-1 stays for NaN positions).
    counts = reception_counts(reception_index(*r, radius), *g)
    expected = [
        -1 if math.isnan(gaps[k][2]) or math.isnan(gaps[k][3])
        else sum(1 for p in whole if p[0] == k)
        for k in range(len(gaps))
    ]  # fmt: skip
    assert counts.tolist() == expected
    # Reports indexed in time pieces: the pairs of the pieces unite to whole.
    bounds = [-1, *cuts, 10**9]
    united = set()
    for lo, hi in itertools.pairwise(bounds):
        keep = (r[0] > lo) & (r[0] <= hi)
        piece = [c[keep] for c in r]
        united.update(_pairs(reception_index(*piece, radius), g))
    assert sorted(united) == whole


def test_heard_pairs_on_nothing():
    e_i, e_f = np.empty(0, dtype=np.int64), np.empty(0)
    index = reception_index(e_i, e_f, e_f, e_i, 20_000.0)
    gap, vessel = reception_heard(
        index, np.array([0]), np.array([10]), np.array([25.0]), np.array([62.0]),
        np.array([1]),
    )  # fmt: skip
    assert gap.shape == vessel.shape == (0,)


segments = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 3000),
            st.one_of(st.floats(21.0, 27.0), st.just(26.0), st.just(np.nan)),
            st.one_of(st.floats(57.0, 68.5), st.just(68.0), st.just(np.nan)),
        ),
        max_size=8,
    ),
    max_size=6,
)


def _flat(segs):
    t, lat, lon, offsets = [], [], [], [0]
    for seg in segs:
        base = 0
        for dt, a, b in seg:
            base += dt
            t.append(base)
            lat.append(a)
            lon.append(b)
        offsets.append(len(t))
    return (
        np.array(t, dtype=np.int64),
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.array(offsets, dtype=np.int64),
    )


@settings(max_examples=300)
@given(segments, st.integers(0, 2000), st.integers(0, 6))
def test_dwell_half_seconds_match_reference_and_add_up(segs, max_dt, split):
    whole = grid_dwell_half_seconds(*_flat(segs), max_dt, *GRID)
    assert whole.dtype == np.int64
    expected = ref.grid_dwell_half_seconds(*_flat(segs), max_dt, *GRID)
    np.testing.assert_array_equal(whole, np.array(expected, dtype=np.int64))
    # Hours are the exact sum converted once (fastmath may use the
    # reciprocal: within an ulp).
    np.testing.assert_allclose(
        grid_dwell_hours(*_flat(segs), max_dt, *GRID),
        whole / HALF_SECONDS_PER_HOUR,
        rtol=1e-15,
        atol=0,
    )
    # Segments split into two pieces (any way): the grids add up exactly.
    first = [s for k, s in enumerate(segs) if k % 7 < split]
    second = [s for k, s in enumerate(segs) if k % 7 >= split]
    total = grid_dwell_half_seconds(
        *_flat(first), max_dt, *GRID
    ) + grid_dwell_half_seconds(*_flat(second), max_dt, *GRID)
    np.testing.assert_array_equal(total, whole)


def test_dwell_half_seconds_of_a_known_track():
    t = np.array([0, 600, 1200, 9000], dtype=np.int64)
    lat = np.array([22.1, 22.1, 22.6, 22.6])
    lon = np.array([57.6, 57.6, 57.6, 57.6])
    got = grid_dwell_half_seconds(t, lat, lon, np.array([0, 4]), 3600, *GRID)
    # 600 s with both ends in cell (0, 0); 600 s with one end in (0, 0) and
    # one in (1, 0); the 7800 s silence is not presence.
    assert got[0, 0] == 600 + 600 + 600
    assert got[1, 0] == 600
    assert got.sum() == 2400
