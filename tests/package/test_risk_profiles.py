"""vessel_profiles' most common class, type and name per MMSI, against a
plain per-row count (ties to the smallest value, empty/zero not counted)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from coastwatch.risk import vessel_profiles


def reference_mode(mmsi, values, skip) -> dict:
    counts: dict = {}
    for m, v in zip(mmsi, values, strict=True):
        if v == skip:
            continue
        counts.setdefault(m, {})
        counts[m][v] = counts[m].get(v, 0) + 1
    return {m: min(c, key=lambda v: (-c[v], v)) for m, c in counts.items()}


def _table(rows) -> pd.DataFrame:
    mmsi, cls, ship_type, name = zip(*rows, strict=True)
    n = len(rows)
    return pd.DataFrame(
        {
            "mmsi": np.asarray(mmsi, np.int64),
            "timestamp": pd.date_range("2024-01-15", periods=n, freq="min", tz="UTC"),
            "lat": 25.0,
            "lon": 60.0,
            "sog": np.float32(5.0),
            "mmsi_valid": True,
            "name": pd.array(name, dtype="str"),
            "ship_type": np.asarray(ship_type, np.int16),
            "length": np.float32(np.nan),
            "transceiver_class": pd.array(cls, dtype="str"),
        }
    )


@settings(max_examples=1000)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from(["", "A", "B"]),
            st.integers(0, 3),
            st.sampled_from(["", "ZED", "ALPHA", "MIKE"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_most_common_values_per_mmsi(rows):
    tracks = _table(rows)
    got = vessel_profiles(tracks)
    mmsi = tracks["mmsi"].tolist()
    assert got.index.tolist() == sorted(set(mmsi))
    for column, skip in (("transceiver_class", ""), ("ship_type", 0), ("name", "")):
        want = reference_mode(mmsi, tracks[column].tolist(), skip)
        assert got[column].tolist() == [want.get(m, skip) for m in got.index]


def test_tie_goes_to_the_smallest_value():
    tracks = _table([(7, "B", 2, "ZED"), (7, "A", 1, "ALPHA"), (8, "", 0, "")])
    got = vessel_profiles(tracks)
    assert got.loc[7, ["transceiver_class", "ship_type", "name"]].tolist() == [
        "A",
        1,
        "ALPHA",
    ]
    assert got.loc[8, ["transceiver_class", "ship_type", "name"]].tolist() == [
        "",
        0,
        "",
    ]
    assert not got.loc[8, "has_static"]
