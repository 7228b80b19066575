"""The packed-key sort of the reader gives exactly ``np.lexsort``'s order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coastwatch.readers import _lexsort

_small = st.integers(-5, 5)
_wide = st.integers(-(2**62), 2**62)


@settings(max_examples=1000)
@given(
    st.lists(st.tuples(_small, _small, _small), max_size=60),
    st.booleans(),
    st.booleans(),
    st.sampled_from([1, 1000, 10**6, 10**9]),
)
def test_same_order_as_lexsort(rows, three_keys, wide, unit):
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    a, b, c = table[:, 0], table[:, 1], table[:, 2]
    if wide and len(b):
        b = b * 2**59  # too wide to pack: lexsort itself
    else:
        # Times in whole seconds (or ms, us) pack divided by the unit.
        b = b * unit + 1_700_000_000 * 10**9
    keys = (a, b, c) if three_keys else (b, c)
    assert _lexsort(keys).tolist() == np.lexsort(keys).tolist()


@given(st.lists(st.tuples(_wide, st.integers(0, 10**9)), min_size=1, max_size=30))
def test_wide_keys_fall_back_to_lexsort(rows):
    t, mmsi = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    assert _lexsort((t, mmsi)).tolist() == np.lexsort((t, mmsi)).tolist()


def test_row_numbers_packed_below_the_keys_keep_ties_in_order():
    # A million rows of whole seconds: the keys and the row number fit in
    # 63 bits, and the plain sort of packed values gives lexsort's order.
    rng = np.random.default_rng(3)
    n = 1_000_000
    mmsi = rng.integers(200_000_000, 200_005_000, n)
    t = (1_700_000_000 + rng.integers(0, 86_400, n)) * 10**9
    assert np.array_equal(_lexsort((t, mmsi)), np.lexsort((t, mmsi)))


def test_ties_keep_input_order():
    t = np.array([5, 5, 1, 5], dtype=np.int64)
    mmsi = np.array([2, 2, 2, 1], dtype=np.int64)
    assert _lexsort((t, mmsi)).tolist() == [3, 2, 0, 1]
    assert _lexsort((np.array([1.5, 0.5]), np.array([1, 1]))).tolist() == [1, 0]
