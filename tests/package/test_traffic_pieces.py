"""coastwatch.heatmaps: the traffic layer gridded in pieces and added up.

Partitioned runs grid each day's traffic bucket by bucket
(:func:`~coastwatch.heatmaps.day_traffic`) on the day's grid
(:func:`~coastwatch.heatmaps.day_grid_spec`) and hand the sums to
:func:`~coastwatch.heatmaps.risk_grid`: the grid is the one of the whole
table, bit for bit, however the vessels are split.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from fabricate_day import shared_day

from coastwatch.config import Config
from coastwatch.days import number_of_label
from coastwatch.errors import InputError
from coastwatch.heatmaps import (
    DayTraffic,
    day_grid_spec,
    day_traffic,
    risk_grid,
    track_extent,
)


@pytest.mark.parametrize("pieces", [1, 2, 5])
def test_traffic_in_pieces_gives_the_whole_grid(pieces):
    fabricated = shared_day(0)
    tracks, events, day = fabricated.tracks, fabricated.events, fabricated.day
    config = Config()
    expected = risk_grid(tracks, events, config, days=[day])
    extent = track_extent(tracks["lat"].to_numpy(), tracks["lon"].to_numpy())
    spec = day_grid_spec(config, extent, events)
    piece = tracks["mmsi"].to_numpy() % pieces
    parts = [day_traffic(tracks[piece == k], spec, day, config) for k in range(pieces)]
    number = number_of_label(day)
    traffic = DayTraffic(
        extent,
        {number: sum(p[0] for p in parts)},
        {number: sum(p[1] for p in parts)},
    )
    got = risk_grid(None, events, config, days=[day], traffic=traffic)
    xr.testing.assert_identical(got, expected)
    assert int(got["vessel_count"][0]) == tracks["mmsi"].nunique()


def test_traffic_pieces_refuse_a_mismatch():
    fabricated = shared_day(0)
    tracks, events, day = fabricated.tracks, fabricated.events, fabricated.day
    number = number_of_label(day)
    wrong = DayTraffic(None, {number: np.zeros((3, 3), dtype=np.int64)}, {number: 1})
    with pytest.raises(InputError, match="does not fit the day's grid"):
        risk_grid(None, events, Config(), days=[day], traffic=wrong)
    with pytest.raises(InputError, match="takes tracks or traffic, not both"):
        risk_grid(tracks, events, Config(), days=[day], traffic=wrong)


def test_day_traffic_of_no_tracks_is_empty():
    fabricated = shared_day(0)
    spec = day_grid_spec(Config(), None, fabricated.events)
    half_seconds, vessels = day_traffic(None, spec, fabricated.day)
    assert half_seconds.shape == (spec.n_lat, spec.n_lon)
    assert half_seconds.dtype == np.int64 and not half_seconds.any()
    assert vessels == 0
