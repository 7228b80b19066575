"""Drift: a vessel carried by wind and current, its course far from its heading.

A ship under way points where it goes: course over ground (COG) and true
heading agree within a few degrees. A ship whose engine is stopped is set by
wind and current, so it moves slowly in a direction that has little to do
with where its bow points. That signature -- a few knots over ground with
COG and heading far apart, sustained -- is what :func:`drift_runs` finds. It
is the rule of the Danish Maritime Authority's abnormal-behaviour detector
(1-5 kn, more than 45 degrees between COG and heading, for 10 minutes, over
more than 500 m), applied per segment to flat arrays.

Only reports that carry all three of SOG, COG and heading are judged: the
others (class B sets often send no heading) neither extend nor break a drift.
"""

import math

import numpy as np

from ._geo import haversine_m
from ._jit import jit

__all__ = ["course_heading_difference_deg", "drift_runs"]


@jit
def course_heading_difference_deg(cog_deg, heading_deg):
    """Smallest angle between two directions, degrees in [0, 180].

    NaN if either is NaN. Inputs may lie outside [0, 360).
    """
    d = abs(cog_deg - heading_deg)
    if d >= 720.0:
        d -= 360.0 * math.floor(d / 360.0)
    # Subtracting 360 from [360, 720) is exact; the % operator under
    # fastmath is not, and an angle just over the threshold must stay over.
    while d >= 360.0:
        d -= 360.0
    if d > 180.0:
        d = 360.0 - d
    return d


@jit
def _drift_state(sog, cog, heading, min_sog_kn, max_sog_kn, min_difference_deg):
    """-1: not judged (a value missing); 1: drifting; 0: not drifting."""
    if math.isnan(sog) or math.isnan(cog) or math.isnan(heading):
        return -1
    if sog < min_sog_kn or sog > max_sog_kn:
        return 0
    if course_heading_difference_deg(cog, heading) > min_difference_deg:
        return 1
    return 0


@jit
def _drift_segment(
    t_s,
    lat,
    lon,
    sog_kn,
    cog_deg,
    heading_deg,
    a,
    b,
    min_sog_kn,
    max_sog_kn,
    min_difference_deg,
    min_duration_s,
    min_distance_m,
    max_silence_s,
    out_start,
    out_end,
    out_confirm,
    k,
):
    """Runs of rows ``a:b``; written from ``out_*[k]`` on when ``out_start``
    has room (a count pass passes empty arrays). Returns the new ``k``."""
    fill = out_start.shape[0] > 0
    start = -1
    last = -1
    confirm = -1
    for i in range(a, b + 1):
        state = 0
        if i < b:
            if math.isnan(lat[i]) or math.isnan(lon[i]):
                continue
            # Compare in double precision whatever the input dtype.
            state = _drift_state(
                np.float64(sog_kn[i]),
                np.float64(cog_deg[i]),
                np.float64(heading_deg[i]),
                min_sog_kn,
                max_sog_kn,
                min_difference_deg,
            )
            if state < 0:
                continue
            if state == 1 and start >= 0 and t_s[i] - t_s[last] <= max_silence_s:
                last = i
                if (
                    confirm < 0
                    and t_s[i] - t_s[start] >= min_duration_s
                    and haversine_m(lat[start], lon[start], lat[i], lon[i])
                    > min_distance_m
                ):
                    confirm = i
                continue
        # The current run, if any, ends before row i.
        if start >= 0 and confirm >= 0:
            if fill:
                out_start[k] = start
                out_end[k] = last
                out_confirm[k] = confirm
            k += 1
        start = -1
        confirm = -1
        if state == 1:
            start = i
            last = i
            # A run confirmed by its first report: only with thresholds <= 0.
            if min_duration_s <= 0.0 and min_distance_m < 0.0:
                confirm = i
    return k


@jit
def _drift_pass(
    t_s, lat, lon, sog_kn, cog_deg, heading_deg, offsets,
    min_sog_kn, max_sog_kn, min_difference_deg,
    min_duration_s, min_distance_m, max_silence_s,
    out_segment, out_start, out_end, out_confirm,
):  # fmt: skip
    """Runs of every segment: counted, and written when the outputs have room."""
    k = 0
    for s in range(offsets.shape[0] - 1):
        k_next = _drift_segment(
            t_s, lat, lon, sog_kn, cog_deg, heading_deg,
            offsets[s], offsets[s + 1],
            min_sog_kn, max_sog_kn, min_difference_deg,
            min_duration_s, min_distance_m, max_silence_s,
            out_start, out_end, out_confirm, k,
        )  # fmt: skip
        if out_segment.shape[0] > 0:
            out_segment[k:k_next] = s
        k = k_next
    return k


@jit
def drift_runs(
    t_s,
    lat,
    lon,
    sog_kn,
    cog_deg,
    heading_deg,
    offsets,
    min_sog_kn,
    max_sog_kn,
    min_difference_deg,
    min_duration_s,
    min_distance_m,
    max_silence_s,
):
    """Periods of sustained drift: slow, with course over ground far from heading.

    Parameters
    ----------
    t_s : ndarray of int64 (or float64), shape (n,)
        Report times in seconds since 1970-01-01 UTC, non-decreasing within
        each segment.
    lat, lon : ndarray of float64, shape (n,)
        WGS84 position in degrees; NaN where unknown (the row is skipped).
    sog_kn : ndarray of float32 or float64, shape (n,)
        Speed over ground, knots; NaN where not available.
    cog_deg, heading_deg : ndarray of float32 or float64, shape (n,)
        Course over ground and true heading, degrees; NaN where not available.
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` occupies rows ``offsets[k]:offsets[k + 1]``. Runs never
        cross a segment boundary.
    min_sog_kn, max_sog_kn : float
        A drifting report has ``min_sog_kn <= sog <= max_sog_kn`` (knots).
    min_difference_deg : float
        ... and COG and heading more than this apart (degrees, exclusive).
    min_duration_s : float
        A run counts once it has lasted this long (seconds, inclusive) ...
    min_distance_m : float
        ... and its report is more than this far (great circle, metres) from
        where the run began.
    max_silence_s : float
        Consecutive judged reports of a run are at most this far apart
        (seconds, inclusive); a longer silence ends the run.

    Returns
    -------
    segment : ndarray of int64, shape (n_runs,)
        Index of the segment (into ``offsets``) holding the run.
    start_row, end_row : ndarray of int64, shape (n_runs,)
        First and last drifting report of the run (inclusive).
    confirm_row : ndarray of int64, shape (n_runs,)
        The first report at which the run had lasted ``min_duration_s`` and
        moved more than ``min_distance_m``: when a watch-keeper following
        the feed live would have raised the alarm.

    Notes
    -----
    Per segment, in time order, over the rows with a position and all of SOG,
    COG and heading (other rows are skipped as if absent): a drifting report
    extends the current run when it follows the run's last report within
    ``max_silence_s``, and otherwise starts a new run; a report that is not
    drifting ends the run. A run is reported when some report of it is at
    least ``min_duration_s`` after and more than ``min_distance_m`` from the
    run's first report. One pass, O(n).
    """
    empty = np.empty(0, dtype=np.int64)
    count = _drift_pass(
        t_s, lat, lon, sog_kn, cog_deg, heading_deg, offsets,
        min_sog_kn, max_sog_kn, min_difference_deg,
        min_duration_s, min_distance_m, max_silence_s,
        empty, empty, empty, empty,
    )  # fmt: skip
    segment = np.empty(count, dtype=np.int64)
    start_row = np.empty(count, dtype=np.int64)
    end_row = np.empty(count, dtype=np.int64)
    confirm_row = np.empty(count, dtype=np.int64)
    _drift_pass(
        t_s, lat, lon, sog_kn, cog_deg, heading_deg, offsets,
        min_sog_kn, max_sog_kn, min_difference_deg,
        min_duration_s, min_distance_m, max_silence_s,
        segment, start_row, end_row, confirm_row,
    )  # fmt: skip
    return segment, start_row, end_row, confirm_row
