"""Hand-built tracks that put events on partition edges, for the scale tests.

Every case is at sea (60-160 km offshore, outside port areas) around the UTC
midnight 2024-01-15/16, which is a day-partition edge and, for windows of
1, 2, 3, 4, 6, 8, 12 or 24 hours, a window edge too:

* ``MEET_A``/``MEET_B``: alongside (150 m apart, 0.5-1 kn) 22:40-01:20:
  a rendezvous across the edge;
* ``LONG_A``/``LONG_B``: alongside for 20 h from 15 Jan 12:00: a meeting
  longer than any window's halo;
* ``TRIO``: three vessels together 23:30-00:45 (one group of three pairs);
* ``DARK``: sails, silent 21:30-03:10 across midnight (a dark gap), then
  on; ``DARK_PAIR`` both go dark 23:00-01:05 near each other (a dark
  rendezvous), while ``SEEN`` waits slowly between them (one-dark ones);
* ``DRIFT``: drifts slowly 22:00-02:30 (loitering across midnight).

MMSIs are chosen so that the pairs fall in different buckets of 2, 3, 4, 5
and 7 buckets (checked by the tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coastwatch.schema import conform_tracks

MIDNIGHT = pd.Timestamp("2024-01-16", tz="UTC")
MEET_A, MEET_B = 538_000_101, 636_000_202
LONG_A, LONG_B = 538_000_303, 371_000_404
TRIO = (538_000_505, 636_000_606, 371_000_707)
DARK = 538_000_808
DARK_PAIR = (636_000_909, 371_001_010)
DRIFT = 538_001_111
SEEN = 538_001_212

M_PER_DEG = 111_195.0


def _fixes(mmsi, start, end, lat, lon, sog, step_s=60, seed=0, cls="A"):
    """Fixes every ``step_s`` from ``start`` to ``end`` (inclusive).

    ``lat``/``lon``/``sog`` are callables of the seconds since ``start``.
    """
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start)
    seconds = np.arange(0, int((pd.Timestamp(end) - t0).total_seconds()) + 1, step_s)
    seconds = seconds + rng.integers(0, 3, len(seconds))
    return pd.DataFrame(
        {
            "mmsi": np.int64(mmsi),
            "timestamp": t0 + pd.to_timedelta(seconds, unit="s"),
            "lat": lat(seconds),
            "lon": lon(seconds),
            "sog": np.asarray(sog(seconds), dtype=np.float32),
            "transceiver_class": cls,
            "ship_type": 30,
            "length": np.float32(18.0),
        }
    )


def _still(value):
    return lambda s: np.full(len(s), value, dtype=np.float64)


def _moving(value, deg_per_s):
    return lambda s: value + deg_per_s * s


def _pair(a, b, start, end, lat, lon, seed):
    """Two vessels drifting together, ``b`` 150 m north of ``a``."""
    drift = 0.6 * 1852 / 3600 / M_PER_DEG  # 0.6 kn eastwards
    frames = []
    for k, mmsi in enumerate((a, b)):
        frames.append(
            _fixes(
                mmsi,
                start,
                end,
                _still(lat + k * 150 / M_PER_DEG),
                _moving(lon, drift),
                _still(0.6),
                seed=seed + k,
            )
        )
    return frames


def edge_case_tracks() -> pd.DataFrame:
    """The hand-built tracks of the module docstring, as a track table."""
    m = MIDNIGHT
    hours = pd.Timedelta(hours=1)
    frames = []
    frames += _pair(MEET_A, MEET_B, m - 80 * pd.Timedelta(minutes=1),
                    m + 80 * pd.Timedelta(minutes=1), 24.30, 62.50, 1)  # fmt: skip
    frames += _pair(LONG_A, LONG_B, m - 12 * hours, m + 8 * hours, 23.80, 60.50, 3)
    for k, mmsi in enumerate(TRIO):
        frames.append(
            _fixes(
                mmsi,
                m - 30 * pd.Timedelta(minutes=1),
                m + 45 * pd.Timedelta(minutes=1),
                _still(24.60 + 0.0010 * k),
                _still(64.00 + 0.0005 * k),
                _still(0.4),
                seed=10 + k,
            )
        )
    # Sailing at 8 kn, silent from 21:30 to 03:10.
    speed = 8 * 1852 / 3600 / M_PER_DEG
    back = m + 190 * pd.Timedelta(minutes=1)
    for start, end in ((m - 6 * hours, m - 2.5 * hours), (back, m + 6 * hours)):
        offset = (start - (m - 6 * hours)).total_seconds()
        frames.append(
            _fixes(
                DARK,
                start,
                end,
                _still(24.50),
                lambda s, o=offset: 66.00 + speed * (s + o) * 0.2,
                _still(8.0),
                step_s=30,
                seed=20,
            )
        )
    # Both dark 23:00-01:05 within 2 km of each other.
    for k, mmsi in enumerate(DARK_PAIR):
        lat = 24.00 + 0.02 * k
        back = m + 65 * pd.Timedelta(minutes=1)
        for start, end in ((m - 4 * hours, m - 1 * hours), (back, back + 2 * hours)):
            frames.append(
                _fixes(
                    mmsi,
                    start,
                    end,
                    _still(lat),
                    _still(62.00),
                    _still(4.0),
                    step_s=120,
                    seed=30 + k,
                )
            )
    frames.append(
        _fixes(
            SEEN,
            m - 50 * pd.Timedelta(minutes=1),
            m + 50 * pd.Timedelta(minutes=1),
            _still(24.01),
            _still(62.005),
            _still(1.0),
            seed=50,
        )
    )
    frames.append(
        _fixes(
            DRIFT,
            m - 2 * hours,
            m + 2.5 * hours,
            lambda s: 24.40 + 0.0004 * np.sin(s / 3000.0),
            lambda s: 63.00 + 0.0004 * np.cos(s / 3000.0),
            _still(0.8),
            seed=40,
        )
    )
    tracks = pd.concat(frames, ignore_index=True)
    return conform_tracks(tracks)
