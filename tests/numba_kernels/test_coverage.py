import itertools

import numpy as np
import reference_coverage as ref
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kernels.coverage import (
    coverage_slots,
    distance_to_uncovered_km,
    path_covered_seconds,
    reception_rates,
)

GRID = (24.0, 62.0, 0.1, 10, 10)  # 24–25 N, 62–63 E at 0.1 deg

lat_s = st.one_of(st.floats(23.9, 25.1), st.just(np.nan))
lon_s = st.floats(61.9, 63.1)


@settings(max_examples=1000)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 2500), lat_s, lon_s), max_size=10),
        max_size=4,
    ),
    st.integers(60, 8000),
    st.sampled_from([300, 600, 1800]),
)
def test_coverage_slots_matches_reference(tracks, max_dt, slot):
    t, lat, lon, offsets = [], [], [], [0]
    for track in tracks:
        clock = 1_700_000_000
        for dt, a, b in track:
            clock += dt
            t.append(clock)
            lat.append(a)
            lon.append(b)
        offsets.append(len(t))
    args = (
        np.array(t, dtype=np.int64),
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.array(offsets, dtype=np.int64),
        max_dt,
        slot,
    )
    slots, heard = coverage_slots(*args, *GRID)
    ref_slots, ref_heard = ref.coverage_slots(*args, *GRID)
    np.testing.assert_array_equal(slots, np.array(ref_slots))
    np.testing.assert_array_equal(heard, np.array(ref_heard))
    assert (heard <= slots).all()


def test_coverage_slots_hand_case():
    # One vessel at one place: heard every 10 min for an hour, then silent
    # for an hour, then heard again. 30-min slots start at 0, 1800, 3600 and
    # 5400 s: the first three hold reports, the last one none.
    t = (
        np.array([0, 600, 1200, 1800, 2400, 3000, 3600, 7200], dtype=np.int64)
        + 1_800_000_000
    )
    lat = np.full(8, 24.55)
    lon = np.full(8, 62.55)
    slots, heard = coverage_slots(
        t, lat, lon, np.array([0, 8], dtype=np.int64), 7200, 1800, *GRID
    )
    assert slots[5, 5] == 4 and heard[5, 5] == 3
    assert slots.sum() == 4
    # The long silence is not interpolated when it exceeds max_dt.
    slots, heard = coverage_slots(
        t, lat, lon, np.array([0, 8], dtype=np.int64), 3599, 1800, *GRID
    )
    assert slots.sum() == 2 and heard.sum() == 2


@settings(max_examples=1000)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 20000), lat_s, lon_s, st.integers(0, 20000), lat_s, lon_s
        ),
        max_size=6,
    ),
    st.integers(0, 2**31 - 1),
    st.sampled_from([60, 600]),
)
def test_path_covered_seconds_matches_reference(gaps, seed, sample):
    rng = np.random.default_rng(seed)
    coverage = rng.random((10, 10))
    coverage[rng.random((10, 10)) < 0.2] = np.nan
    t0 = np.array([g[0] for g in gaps], dtype=np.int64)
    t1 = t0 + np.array([g[3] for g in gaps], dtype=np.int64)
    cols = [np.array([g[k] for g in gaps], dtype=np.float64) for k in (1, 2, 4, 5)]
    got = path_covered_seconds(
        t0, cols[0], cols[1], t1, cols[2], cols[3], coverage, 0.5, sample, *GRID
    )
    want = ref.path_covered_seconds(
        list(t0),
        list(cols[0]),
        list(cols[1]),
        list(t1),
        list(cols[2]),
        list(cols[3]),
        coverage.tolist(),
        0.5,
        sample,
        *GRID,
    )
    np.testing.assert_allclose(got, want)
    assert (got <= (t1 - t0)).all()


def test_path_covered_seconds_hand_case():
    coverage = np.zeros((10, 10))
    coverage[:, :5] = 1.0  # the western half is well covered
    got = path_covered_seconds(
        np.array([0], dtype=np.int64),
        np.array([24.55]),
        np.array([62.05]),
        np.array([3600], dtype=np.int64),
        np.array([24.55]),
        np.array([62.95]),
        coverage,
        0.8,
        60,
        *GRID,
    )
    assert got[0] == 1800.0  # half the straight path lies in covered cells


def _on_a_cell_edge(t, lat, lon, offsets, max_dt, sample, tol=1e-9):
    """Whether a sampled piece lies within ``tol`` degrees of a cell edge.

    The kernel interpolates with fused multiply-adds (fastmath), so a point
    exactly on an edge may fall either side of it; such draws are left out.
    """
    lat_min, lon_min, step = GRID[:3]
    for k in range(len(offsets) - 1):
        rows = [
            i
            for i in range(offsets[k], offsets[k + 1])
            if np.isfinite(lat[i]) and np.isfinite(lon[i])
        ]
        for a, b in itertools.pairwise(rows):
            dt = t[b] - t[a]
            if not 0 < dt < max_dt:
                continue
            pieces = -(-dt // sample)
            for p in range(pieces):
                f = (p + 0.5) / pieces
                for v, v0 in (
                    (lat[a] + f * (lat[b] - lat[a]), lat_min),
                    (lon[a] + f * (lon[b] - lon[a]), lon_min),
                ):
                    x = (v - v0) / step
                    if abs(x - round(x)) * step < tol:
                        return True
    return False


@settings(max_examples=1000)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.integers(0, 2500),
                lat_s,
                lon_s,
                st.sampled_from([2.0, 10.0, 30.0, 180.0, 0.0, np.nan]),
            ),
            max_size=10,
        ),
        max_size=4,
    ),
    st.integers(60, 8000),
    st.sampled_from([30, 60, 600]),
)
@example(
    tracks=[
        [
            (0, np.nan, 63.004663126611646, 0.0),
            (298, 24.099999999999998, 62.0, 2.0),
            (1, 23.9, 62.0, np.nan),
        ]
    ],
    max_dt=3326,
    sample=60,
)
def test_reception_rates_match_reference(tracks, max_dt, sample):
    t, lat, lon, nominal, offsets = [], [], [], [], [0]
    for track in tracks:
        clock = 1_700_000_000
        for dt, a, b, nom in track:
            clock += dt
            t.append(clock)
            lat.append(a)
            lon.append(b)
            nominal.append(nom)
        offsets.append(len(t))
    args = (
        np.array(t, dtype=np.int64),
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.array(nominal, dtype=np.float64),
        np.array(offsets, dtype=np.int64),
        max_dt,
        sample,
    )
    assume(not _on_a_cell_edge(t, lat, lon, offsets, max_dt, sample))
    owed, heard = reception_rates(*args, *GRID)
    ref_owed, ref_heard = ref.reception_rates(*args, *GRID)
    np.testing.assert_array_equal(owed, np.array(ref_owed, dtype=np.int64))
    np.testing.assert_array_equal(heard, np.array(ref_heard, dtype=np.int64))
    # Every counted interval ends in one report (1000 thousandths, fewer
    # where pieces fall outside the grid).
    assert heard.sum() <= 1000 * max(0, len(t) - sum(1 for tr in tracks if tr))


def test_reception_rates_hand_case():
    # A class A vessel under way (nominal 10 s) at one place for 20 min: heard
    # every 60 s for 10 min (one message in six), then every 10 s.
    t = np.concatenate([np.arange(0, 600, 60), np.arange(600, 1210, 10)])
    t = t.astype(np.int64) + 1_800_000_000
    n = len(t)
    place = (np.full(n, 24.55), np.full(n, 62.55), np.full(n, 10.0))
    track = np.array([0, n], dtype=np.int64)
    owed, heard = reception_rates(t, *place, track, 3600, 60, *GRID)
    assert owed[5, 5] == 120_000  # 1200 s at one message every 10 s
    assert heard[5, 5] == 1000 * (n - 1) == 70_000  # 10 of the first 60, all after
    assert owed.sum() == 120_000
    # Intervals of max_dt or longer are not counted: here the 60 s ones.
    owed, heard = reception_rates(t, *place, track, 60, 60, *GRID)
    assert owed.sum() == 60_000 and heard.sum() == 60_000


@settings(max_examples=1000)
@given(
    st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=6),
    st.floats(-60.0, 60.0),
    st.sampled_from([0.02, 0.1, 0.5]),
)
def test_distance_to_uncovered_matches_reference(rows, lat_min, step):
    covered = np.array(rows, dtype=bool)
    got = distance_to_uncovered_km(covered, lat_min, step)
    want = np.array(ref.distance_to_uncovered_km(rows, lat_min, step))
    assert (got[~covered] == 0).all()
    # The raster scans follow real paths of the neighbour graph, and find the
    # shortest one but for rounding and rows of different widths.
    assert (got >= want - 1e-9).all()
    np.testing.assert_allclose(got, want, rtol=0.02)


def test_distance_to_uncovered_hand_case():
    # A 5 x 5 block of 0.1 deg cells at the equator, covered but for the
    # middle column: the corners are two cells (about 22 km) from it.
    covered = np.ones((5, 5), dtype=bool)
    covered[:, 2] = False
    got = distance_to_uncovered_km(covered, -0.25, 0.1)
    km = 111.195 * 0.1
    np.testing.assert_allclose(got[2], [0.5 * km, km, 0.0, km, 0.5 * km], rtol=1e-3)
