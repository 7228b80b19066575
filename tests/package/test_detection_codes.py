"""Per-track transceiver classes as integer codes: the same answer as the
per-row string mode (``Series.value_counts`` per transmitter) they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from coastwatch.detection import _Arrays, _nominal_interval_s


def reference_track_classes(tracks: pd.DataFrame) -> np.ndarray:
    """Per row: its transmitter's most common non-empty class (ties: the one
    seen first in table order), "" when it never reported one."""
    identity = tracks["mmsi"].to_numpy(np.int64) * 1000 + tracks["track"].to_numpy(
        np.int64
    )
    best: dict[int, str] = {}
    counts: dict[int, dict[str, int]] = {}
    for ident, cls in zip(identity.tolist(), tracks["transceiver_class"], strict=True):
        if cls == "" or cls is None or cls != cls:
            continue
        seen = counts.setdefault(ident, {})  # dicts keep first-seen order
        seen[cls] = seen.get(cls, 0) + 1
    for ident, seen in counts.items():
        top = max(seen.values())
        best[ident] = next(c for c, n in seen.items() if n == top)
    return np.array([best.get(i, "") for i in identity.tolist()], dtype=object)


def _table(mmsi, track, seconds, classes) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mmsi": np.asarray(mmsi, np.int64),
            "track": np.asarray(track, np.int64),
            "timestamp": pd.to_datetime(
                np.asarray(seconds, np.int64), unit="s", utc=True
            ),
            "lat": 25.0,
            "lon": 60.0,
            "segment": 0,
            "transceiver_class": pd.array(classes, dtype="str"),
        }
    )


def test_tie_goes_to_the_class_seen_first_in_table_order():
    tracks = _table(
        [1, 1, 1, 1, 2, 2, 3, 3],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [4, 3, 2, 1, 1, 2, 1, 2],
        ["B", "A", "A", "B", "", "", "A", ""],
    )
    got = _Arrays(tracks).track_class
    assert got.tolist() == ["B"] * 4 + ["", ""] + ["A", "A"]


@settings(max_examples=1000)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.integers(0, 2),
            st.integers(0, 20),
            st.sampled_from(["A", "B", "", "A", "B"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_track_classes_match_the_per_row_mode(rows):
    mmsi, track, seconds, classes = zip(*rows, strict=True)
    tracks = _table(mmsi, track, seconds, list(classes))
    arrays = _Arrays(tracks)
    assert arrays.track_class.tolist() == reference_track_classes(tracks).tolist()
    assert arrays.class_names[0] == ""
    assert arrays.class_code("C") == -1


def test_nominal_interval_by_class_mask():
    sog = np.array([0.0, 25.0, 15.0, 5.0, 1.0, 5.0, np.nan])
    status = np.array([15, 0, 0, 0, 5, 15, 15])
    class_b = np.array([False, False, False, False, False, True, True])
    got = _nominal_interval_s(class_b, sog, status)
    assert got.tolist() == [10.0, 2.0, 6.0, 10.0, 180.0, 30.0, 180.0]
