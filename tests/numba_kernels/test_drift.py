"""kernels.drift: sustained drift (COG far from heading) against a reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_drift as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.drift import course_heading_difference_deg, drift_runs

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
M_PER_DEG = 111_195.0
KN = 1852.0 / 3600.0
DMA = {
    "min_sog_kn": 1.0,
    "max_sog_kn": 5.0,
    "min_difference_deg": 45.0,
    "min_duration_s": 600.0,
    "min_distance_m": 500.0,
    "max_silence_s": 1800.0,
}


def run(t, lat, lon, sog, cog, hdg, offsets, **kw):
    p = {**DMA, **kw}
    out = drift_runs(
        np.asarray(t, np.int64),
        np.asarray(lat, np.float64),
        np.asarray(lon, np.float64),
        np.asarray(sog, np.float32),
        np.asarray(cog, np.float32),
        np.asarray(hdg, np.float32),
        np.asarray(offsets, np.int64),
        p["min_sog_kn"],
        p["max_sog_kn"],
        p["min_difference_deg"],
        p["min_duration_s"],
        p["min_distance_m"],
        p["max_silence_s"],
    )
    return [tuple(int(v) for v in row) for row in zip(*out, strict=False)]


def steady(minutes, speed_kn, cog, hdg, step_s=10, lat0=25.0):
    """A vessel moving east at ``speed_kn``, reporting COG ``cog`` and heading."""
    n = int(minutes * 60 / step_s) + 1
    t = T0 + np.arange(n) * step_s
    east_m = speed_kn * KN * np.arange(n) * step_s
    lon = 62.0 + east_m / (M_PER_DEG * math.cos(math.radians(lat0)))
    return (
        t,
        np.full(n, lat0),
        lon,
        np.full(n, speed_kn),
        np.full(n, cog),
        np.full(n, hdg),
    )


def test_angle_wraps_round_north():
    assert course_heading_difference_deg(350.0, 10.0) == pytest.approx(20.0)
    assert course_heading_difference_deg(10.0, 350.0) == pytest.approx(20.0)
    assert course_heading_difference_deg(0.0, 180.0) == pytest.approx(180.0)
    assert course_heading_difference_deg(-90.0, 450.0) == pytest.approx(180.0)
    assert math.isnan(course_heading_difference_deg(np.nan, 10.0))
    # Just over the threshold stays over it (no rounding in a modulo).
    assert course_heading_difference_deg(-5.6e-11, 45.0) > 45.0
    assert course_heading_difference_deg(405.0 + 1e-9, 0.0) > 45.0


def test_two_knots_sideways_for_twenty_minutes_is_drift():
    t, lat, lon, sog, cog, hdg = steady(20, 2.0, 90.0, 0.0)
    (row,) = run(t, lat, lon, sog, cog, hdg, [0, len(t)])
    seg, start, end, confirm = row
    assert (seg, start, end) == (0, 0, len(t) - 1)
    # 2 kn covers 500 m in 8.1 min: the 10 min duration confirms it.
    assert t[confirm] - t[0] == 600


def test_distance_confirms_when_duration_is_not_the_limit():
    # 1.2 kn: 10 min is only 370 m, so the run confirms at the first report
    # more than 500 m from where it began (13.5 min).
    t, lat, lon, sog, cog, hdg = steady(30, 1.2, 90.0, 0.0)
    (row,) = run(t, lat, lon, sog, cog, hdg, [0, len(t)])
    confirm = row[3]
    assert ref.haversine(lat[0], lon[0], lat[confirm], lon[confirm]) > 500.0
    assert ref.haversine(lat[0], lon[0], lat[confirm - 1], lon[confirm - 1]) <= 500.0


@pytest.mark.parametrize(
    "speed, cog, hdg",
    [
        (2.0, 30.0, 0.0),  # course and heading agree: under way
        (2.0, 45.0, 0.0),  # exactly 45 deg is not more than 45
        (0.8, 90.0, 0.0),  # too slow: swinging at anchor
        (6.0, 90.0, 0.0),  # too fast
    ],
)
def test_not_drift(speed, cog, hdg):
    t, lat, lon, sog, c, h = steady(40, speed, cog, hdg)
    assert run(t, lat, lon, sog, c, h, [0, len(t)]) == []


def test_nine_minutes_is_too_short():
    t, lat, lon, sog, cog, hdg = steady(9, 4.0, 90.0, 0.0)
    assert run(t, lat, lon, sog, cog, hdg, [0, len(t)]) == []


def test_one_straight_report_breaks_the_run():
    t, lat, lon, sog, cog, hdg = steady(16, 3.0, 90.0, 0.0)
    cog[48] = 5.0  # 8 min in: under way for one report
    runs = run(t, lat, lon, sog, cog, hdg, [0, len(t)])
    # 8 min before, 8 min after: neither half lasts 10 min.
    assert runs == []


def test_reports_without_heading_neither_extend_nor_break():
    t, lat, lon, sog, cog, hdg = steady(20, 2.0, 90.0, 0.0)
    hdg[30:40] = np.nan
    (row,) = run(t, lat, lon, sog, cog, hdg, [0, len(t)])
    assert row[1:3] == (0, len(t) - 1)


def test_long_silence_ends_the_run():
    t, lat, lon, sog, cog, hdg = steady(20, 2.0, 90.0, 0.0)
    t = t.copy()
    t[60:] += 3600  # one hour without a report 10 min in
    runs = run(t, lat, lon, sog, cog, hdg, [0, len(t)], max_silence_s=1800.0)
    # Rows 0-59 last 590 s: too short alone; rows 60-120 last 600 s.
    assert [r[1:3] for r in runs] == [(60, len(t) - 1)]
    longer = run(t, lat, lon, sog, cog, hdg, [0, len(t)], max_silence_s=7200.0)
    assert [r[1:3] for r in longer] == [(0, len(t) - 1)]


def test_runs_never_cross_segments():
    t, lat, lon, sog, cog, hdg = steady(16, 2.0, 90.0, 0.0)
    half = len(t) // 2
    assert run(t, lat, lon, sog, cog, hdg, [0, half, len(t)]) == []
    assert len(run(t, lat, lon, sog, cog, hdg, [0, len(t)])) == 1


def test_empty_input():
    assert run([], [], [], [], [], [], [0]) == []


# --------------------------------------------------------------------------
# Random tracks against the reference
# --------------------------------------------------------------------------


@st.composite
def tracks(draw):
    n_segments = draw(st.integers(1, 4))
    t, lat, lon, sog, cog, hdg, offsets = [], [], [], [], [], [], [0]
    maybe_nan = st.one_of(st.just(math.nan), st.floats(-10, 370))
    for _ in range(n_segments):
        n = draw(st.integers(0, 40))
        now = T0 + draw(st.integers(0, 10_000))
        la, lo = 25.0, 62.0
        for _ in range(n):
            now += draw(st.sampled_from([0, 10, 60, 180, 400, 2000]))
            la += draw(st.floats(-0.004, 0.004))
            lo += draw(st.floats(-0.004, 0.004))
            t.append(now)
            lat.append(math.nan if draw(st.integers(0, 30)) == 0 else la)
            lon.append(lo)
            sog.append(
                draw(st.one_of(st.sampled_from([0.5, 1.0, 3.0, 5.0, 6.0, math.nan])))
            )
            cog.append(draw(maybe_nan) if draw(st.booleans()) else 90.0)
            hdg.append(draw(st.sampled_from([0.0, 45.0, 90.0, 135.0, 270.0, math.nan])))
        offsets.append(offsets[-1] + n)
    return t, lat, lon, sog, cog, hdg, offsets


@settings(max_examples=1500)
@given(
    tracks(),
    st.sampled_from([0.0, 300.0, 600.0]),
    st.sampled_from([-1.0, 0.0, 300.0, 500.0]),
    st.sampled_from([60.0, 1800.0]),
)
def test_matches_reference(data, duration, distance, silence):
    t, lat, lon, sog, cog, hdg, offsets = data
    # Compare in float32, as the kernel reads SOG, COG and heading.
    sog32 = [float(np.float32(v)) for v in sog]
    cog32 = [float(np.float32(v)) for v in cog]
    hdg32 = [float(np.float32(v)) for v in hdg]
    got = run(
        t, lat, lon, sog, cog, hdg, offsets,
        min_duration_s=duration, min_distance_m=distance, max_silence_s=silence,
    )  # fmt: skip
    want = ref.drift_runs(
        t, lat, lon, sog32, cog32, hdg32, offsets,
        1.0, 5.0, 45.0, duration, distance, silence,
    )  # fmt: skip
    assert got == want


def test_float32_input_is_compared_in_double():
    # COG -5.6e-11 and heading 45 are 45.000000000056 apart: over the
    # threshold in double precision, exactly 45 in float32.
    t, lat, lon, sog, cog, hdg = steady(0, 1.0, 0.0, 45.0)
    cog[:] = -5.599132016416481e-11
    runs = run(
        t, lat, lon, sog, cog, hdg, [0, 1], min_duration_s=0.0, min_distance_m=-1.0
    )
    assert runs == [(0, 0, 0, 0)]
