"""coastwatch.detect on hand-built tracks and on the real files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coastwatch import read_tracks
from coastwatch.config import load_config
from coastwatch.detection import (
    detect,
    find_dark_gaps,
    find_dark_rendezvous,
    find_loitering,
    find_rendezvous,
)
from coastwatch.errors import InputError
from coastwatch.events import EVENT_DTYPES
from coastwatch.schema import conform_tracks

T0 = pd.Timestamp("2024-03-01T18:00:00Z")
OFF_PASNI = (24.70, 63.40)  # about 60 km offshore, away from any port
# Hand-built tracks carry no traffic to learn reception from: judge every
# silence by the definition alone, not by coverage.
EVERY_SILENCE = load_config(overrides={"gaps": {"min_switch_off_h": 0.0}})


def _track(mmsi, start, minutes, lat, lon, sog, step_s=60):
    """Fixes every ``step_s`` for ``minutes``; lat/lon/sog scalars or callables."""
    n = int(minutes * 60 // step_s) + 1
    k = np.arange(n)
    times = start + pd.to_timedelta(k * step_s, unit="s")

    def values(v):
        return (
            np.array([v(i) for i in k], dtype=float) if callable(v) else np.full(n, v)
        )

    return pd.DataFrame(
        {
            "mmsi": mmsi,
            "timestamp": times,
            "lat": values(lat),
            "lon": values(lon),
            "sog": values(sog),
        }
    )


def _tracks(*parts):
    return conform_tracks(pd.concat(parts, ignore_index=True))


def _east(lat, metres_per_step):
    """Longitude step (degrees) for a given eastward distance per fix."""
    return metres_per_step / (111_195.0 * math.cos(math.radians(lat)))


def test_event_table_schema_and_empty_input():
    events = detect(_tracks(_track(463000001, T0, 30, *OFF_PASNI, 10.0)))
    assert list(events.columns)[: len(EVENT_DTYPES)] == list(EVENT_DTYPES)
    assert events.empty
    with pytest.raises(InputError, match="unknown event kind"):
        detect(_tracks(_track(463000001, T0, 30, *OFF_PASNI, 10.0)), kinds=("x",))


@pytest.mark.parametrize(("gap_min", "found"), [(119, False), (121, True), (120, True)])
def test_dark_gap_threshold(gap_min, found):
    lat, lon = OFF_PASNI
    before = _track(463000001, T0, 30, lat, lon, 8.0)
    after = _track(
        463000001, T0 + pd.Timedelta(minutes=30 + gap_min), 30, lat, lon + 0.2, 8.0
    )
    gaps = find_dark_gaps(_tracks(before, after), EVERY_SILENCE)
    assert (len(gaps) == 1) is found
    if found:
        gap = gaps.iloc[0]
        assert gap.start == T0 + pd.Timedelta(minutes=30)
        assert gap.end == T0 + pd.Timedelta(minutes=30 + gap_min)
        assert gap.distance_km == pytest.approx(20.2, abs=0.3)
        assert gap.shore_km > 40


def test_gap_between_two_port_fixes_is_not_dark():
    karachi_anchorage = (24.73, 66.90)
    before = _track(463000001, T0, 30, *karachi_anchorage, 0.1)
    after = _track(463000001, T0 + pd.Timedelta(hours=6), 30, *karachi_anchorage, 0.1)
    assert find_dark_gaps(_tracks(before, after), EVERY_SILENCE).empty


def test_drifting_then_trawling_fishing_boat():
    lat, lon = OFF_PASNI
    step = _east(lat, 3.0 * 1852 / 60)  # 3 kn in one minute
    drift = _track(463000002, T0, 180, lat, lambda i: lon + i * _east(lat, 8.0), 0.3)
    trawl = _track(
        463000002,
        T0 + pd.Timedelta(minutes=181),
        120,
        lat,
        lambda i: lon + 0.02 + i * step,
        3.0,
    )
    loiter = find_loitering(_tracks(drift, trawl))
    assert len(loiter) == 1
    event = loiter.iloc[0]
    assert event.start == T0
    assert event.end == T0 + pd.Timedelta(minutes=180)  # ends where the trawl starts
    assert event.mean_speed_kn == pytest.approx(0.3)


def _pair(minutes, start=T0, speed=0.5):
    lat, lon = OFF_PASNI
    a = _track(463000003, start, minutes, lat, lon, speed)
    b = _track(463000004, start, minutes, lat + 0.002, lon, speed)  # 222 m apart
    return a, b


@pytest.mark.parametrize(("minutes", "found"), [(29, False), (31, True)])
def test_rendezvous_duration_threshold(minutes, found):
    lat, lon = OFF_PASNI
    # Far apart, then alongside for `minutes`, then far apart again.
    a = _track(463000003, T0, 120, lat, lon, 0.5)
    b_lat = [lat + (0.002 if 30 <= i <= 30 + minutes else 0.2) for i in range(121)]
    b = _track(463000004, T0, 120, lambda i: b_lat[i], lon, 0.5)
    meetings = find_rendezvous(_tracks(a, b))
    assert (len(meetings) == 1) is found
    if found:
        meeting = meetings.iloc[0]
        assert (meeting.mmsi, meeting.other_mmsi) == (463000003, 463000004)
        assert meeting.min_separation_m == pytest.approx(222, abs=3)


def test_rendezvous_across_midnight_is_one_event():
    a, b = _pair(120, start=pd.Timestamp("2024-03-01T23:00:00Z"))
    meetings = find_rendezvous(_tracks(a, b))
    assert len(meetings) == 1
    assert meetings.iloc[0].start.day == 1 and meetings.iloc[0].end.day == 2
    assert meetings.iloc[0].duration_h == pytest.approx(2.0, abs=0.05)


def test_rendezvous_is_symmetric_and_never_self():
    a, b = _pair(60)
    one = find_rendezvous(_tracks(a, b))
    other = find_rendezvous(_tracks(b, a).iloc[::-1])
    pd.testing.assert_frame_equal(one, other)
    # A vessel next to its own earlier track (same MMSI, later time) never pairs.
    twin = a.assign(timestamp=a.timestamp + pd.Timedelta(hours=3), lat=a.lat + 0.001)
    assert find_rendezvous(_tracks(a, twin)).empty


def test_three_vessel_group_shares_group_id():
    lat, lon = OFF_PASNI
    parts = [_track(463000010 + k, T0, 60, lat + 0.001 * k, lon, 0.5) for k in range(3)]
    meetings = find_rendezvous(_tracks(*parts))
    assert len(meetings) == 3
    assert meetings["group"].nunique() == 1 and meetings["group"].notna().all()


def test_meeting_in_port_is_left_out_unless_asked():
    karachi_anchorage = (24.73, 66.90)
    a = _track(463000003, T0, 60, *karachi_anchorage, 0.2)
    b = _track(463000004, T0, 60, karachi_anchorage[0] + 0.002, 66.90, 0.2)
    tracks = _tracks(a, b)
    assert find_rendezvous(tracks).empty
    cfg = load_config(overrides={"rendezvous": {"exclude_ports": False}})
    kept = find_rendezvous(tracks, cfg)
    assert len(kept) == 1 and bool(kept.iloc[0].in_port)


def test_both_dark_meeting_is_found():
    lat, lon = OFF_PASNI
    # Two vessels converge, both go dark for 3 h near the same place.
    a0 = _track(463000020, T0, 20, lat, lon - 0.1, 6.0)
    a1 = _track(463000020, T0 + pd.Timedelta(hours=3), 20, lat, lon + 0.1, 6.0)
    b0 = _track(463000021, T0, 20, lat - 0.1, lon, 6.0)
    b1 = _track(463000021, T0 + pd.Timedelta(hours=3), 20, lat + 0.1, lon, 6.0)
    tracks = _tracks(a0, a1, b0, b1)
    meetings = find_dark_rendezvous(tracks, EVERY_SILENCE)
    assert len(meetings) == 1
    meeting = meetings.iloc[0]
    assert (meeting.mmsi, meeting.other_mmsi) == (463000020, 463000021)
    assert meeting.lat == pytest.approx(lat, abs=0.05)
    assert meeting.lon == pytest.approx(lon, abs=0.05)
    assert meeting.area_km2 < 2500


def test_detect_combines_kinds_in_canonical_order():
    lat, lon = OFF_PASNI
    a, b = _pair(60)
    gap_a = _track(463000005, T0, 10, lat + 0.3, lon, 8.0)
    gap_b = _track(463000005, T0 + pd.Timedelta(hours=4), 10, lat + 0.3, lon + 0.3, 8.0)
    events = detect(_tracks(a, b, gap_a, gap_b), EVERY_SILENCE)
    assert set(events.kind) == {"loitering", "rendezvous", "dark_gap"}
    starts = events.start.to_numpy()
    assert (starts[1:] >= starts[:-1]).all()
    assert events.event_id.is_unique


def test_real_files_run(ais_real):
    for path in [
        ais_real / "gpkg" / "us_boston_20140101-07_4vessels.gpkg",
        ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz",
        ais_real / "nmea" / "dma_network_20131112T1200Z_5min.nmea.gz",
    ]:
        events = detect(read_tracks(path))
        assert events.duration_h.ge(0).all()
        # Outside the shipped region shore distance is unknown, never wrong.
        assert events.shore_km.isna().all()
    boston = detect(
        read_tracks(ais_real / "gpkg" / "us_boston_20140101-07_4vessels.gpkg"),
        EVERY_SILENCE,
    )
    assert (boston.kind == "dark_gap").sum() >= 1


def test_gothenburg_close_approach(ais_real):
    tracks = read_tracks(ais_real / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg")
    assert find_rendezvous(tracks).empty  # both under way: no slow meeting
    cfg = load_config(
        overrides={
            "rendezvous": {
                "max_speed_kn": math.inf,
                "min_duration_h": 0.0,
                "time_step_s": 1,
                "max_break_s": 0,
            }
        }
    )
    approach = find_rendezvous(tracks, cfg)
    assert len(approach) == 1
    assert approach.iloc[0].min_separation_m == pytest.approx(383, abs=20)


def _heard_well_and_satellite_only():
    """Traffic heard every 10 s off Pasni, and every hour 1 deg to the south.

    In each area one more vessel falls silent for 3 h at 2 kn.
    """
    covered = (25.05, 63.45)
    hole = (24.05, 63.45)
    parts = []
    for k, (lat, lon) in enumerate((covered, hole)):
        step = 10 if k == 0 else 3600
        for j in range(3):
            mmsi = 463100000 + 10 * k + j
            parts.append(_track(mmsi, T0, 8 * 60, lat + 0.01 * j, lon, 2.0, step))
        silent = 463100005 + 10 * k
        parts.append(_track(silent, T0, 60, lat, lon + 0.02, 2.0, step))
        parts.append(
            _track(silent, T0 + pd.Timedelta(hours=4), 60, lat, lon + 0.03, 2.0, step)
        )
    tracks = _tracks(*parts)
    tracks["transceiver_class"] = "A"
    return tracks


def test_silence_within_reception_is_dark_and_coverage_hole_is_not():
    tracks = _heard_well_and_satellite_only()
    every = find_dark_gaps(tracks, EVERY_SILENCE)
    # Both the hole's hourly reports and the two silences are gaps by
    # definition alone (the hole's background vessels too: each hour).
    assert {463100005, 463100015} <= set(every.mmsi)
    gaps = find_dark_gaps(tracks)
    assert list(gaps.mmsi) == [463100005]
    gap = gaps.iloc[0]
    assert gap.duration_h == pytest.approx(3.0)
    assert gap.coverage_h == pytest.approx(3.0)
    # At 2 kn (its top speed) it needs more than the gap to leave the
    # well-heard cells and come back: it was within reception throughout.
    assert gap.escape_h == pytest.approx(3.0)
    assert gap.switch_off_h == pytest.approx(3.0)
    # Heard every 10 s (its nominal interval at 2 kn) right up to the silence.
    assert gap.heard_before == pytest.approx(1.0)
    assert gap.heard_after == pytest.approx(1.0)
    hole = every[every.mmsi == 463100015].iloc[0]
    assert hole.coverage_h == 0.0 and hole.switch_off_h == 0.0
    # One report in the half hour before: none of its owed messages heard.
    assert hole.heard_before == 0.0


def test_vessel_barely_heard_before_its_silence_gets_no_escape_time():
    tracks = _heard_well_and_satellite_only()
    silent = tracks[tracks.mmsi == 463100005]
    # Before the silence it is heard once every 10 min only: it was at the
    # fringe of reception, whatever its cell says, so only the way back in
    # counts.
    sparse = silent[silent.timestamp < T0 + pd.Timedelta(hours=2)].iloc[::60]
    rest = tracks[
        (tracks.mmsi != 463100005) | (tracks.timestamp >= T0 + pd.Timedelta(hours=2))
    ]
    thinned = _tracks(pd.concat([rest, sparse]))
    thinned["transceiver_class"] = "A"
    gap = find_dark_gaps(thinned, EVERY_SILENCE)
    gap = gap[gap.mmsi == 463100005].iloc[0]
    assert gap.heard_before == pytest.approx(1 / 60)
    assert gap.heard_after == pytest.approx(1.0)
    full = find_dark_gaps(_heard_well_and_satellite_only(), EVERY_SILENCE)
    full = full[full.mmsi == 463100005].iloc[0]
    assert 0 < gap.escape_h < full.escape_h


def test_fast_vessel_could_have_left_reception():
    tracks = _heard_well_and_satellite_only()
    fast = tracks.mmsi == 463100005
    tracks.loc[fast, "sog"] = 30.0
    every = find_dark_gaps(tracks, EVERY_SILENCE)
    gap = every[every.mmsi == 463100005].iloc[0]
    # Straight path within reception, but at 30 kn the nearest water outside
    # it (one or two 0.1 deg cells away) is minutes away: no proof of a
    # switch-off.
    assert gap.coverage_h == pytest.approx(3.0)
    assert gap.escape_h < 0.5
    assert gap.switch_off_h == gap.escape_h
    assert 463100005 not in set(find_dark_gaps(tracks).mmsi)
