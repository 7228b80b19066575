"""The report filters of the reception context: exact by construction.

Reception counts only reports inside some gap and within the reception
radius of one of its ends; the filters ahead of the spatial index may keep
more reports, never fewer.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_loiter import haversine_m

from coastwatch.detection import _during_gaps, _near_places


def test_during_gaps_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(0, 6))
        t0 = rng.integers(0, 100, n)
        t1 = t0 + rng.integers(0, 30, n)
        t = rng.integers(-5, 140, 50)
        expected = np.array(
            [any(a <= x <= b for a, b in zip(t0, t1, strict=True)) for x in t]
        )
        np.testing.assert_array_equal(_during_gaps(t, t0, t1), expected)


@settings(max_examples=500)
@given(
    st.sampled_from([(25.0, 62.0), (-60.0, 179.9), (75.0, -179.95), (0.0, 0.0)]),
    st.sampled_from([500.0, 20_000.0, 150_000.0, 2_000_000.0]),
    st.integers(0, 10_000),
)
def test_near_places_never_misses_a_position_within_the_radius(centre, radius, seed):
    rng = np.random.default_rng(seed)
    spread = 3 * radius / 111_000.0
    places_lat = np.clip(centre[0] + rng.normal(0, spread, 4), -90, 90)
    places_lon = (centre[1] + rng.normal(0, spread, 4) + 180) % 360 - 180
    places_lat[0] = np.nan if seed % 7 == 0 else places_lat[0]
    lat = np.clip(centre[0] + rng.normal(0, 2 * spread, 300), -90, 90)
    lon = (centre[1] + rng.normal(0, 2 * spread, 300) + 180) % 360 - 180
    lat[:3] = np.nan
    kept = _near_places(lat, lon, places_lat, places_lon, radius)
    for i in range(len(lat)):
        within = any(
            haversine_m(a, b, lat[i], lon[i]) <= radius
            for a, b in zip(places_lat, places_lon, strict=True)
            if math.isfinite(a) and math.isfinite(lat[i])
        )
        assert kept[i] or not within


def test_near_places_leaves_out_far_positions():
    lat = np.array([25.0, 25.1, 26.0, 20.0])
    lon = np.array([62.0, 62.1, 62.0, 62.0])
    kept = _near_places(lat, lon, [25.0], [62.0], 20_000.0)
    assert kept.tolist() == [True, True, False, False]
    assert not _near_places(lat, lon, [np.nan], [62.0], 20_000.0).any()
