"""Cut AIS position reports into trajectories (segments) and transmitter tracks.

Rows are position reports sorted by (mmsi, time, lat, lon, sog, cog) -- see
:func:`vessel_time_order` -- with an ``offsets`` array marking where each
MMSI's rows begin. :func:`segment_tracks` gives every row

* a ``track``: which transmitter of the MMSI sent it (0, 1, ... in order of
  first appearance). One MMSI is often broadcast by several transmitters at
  once (a misconfigured, cloned or spoofed identity); their reports interleave
  in time and, joined naively, zig-zag across the ocean.
* a segment ordinal within the MMSI (0, 1, ... in order of first row): a run of
  one track's reports with no silence longer than ``max_gap_ns``.

Identity separation keeps up to ``max_open_tracks`` open tracks per MMSI and
sends each report to the track whose dead-reckoned prediction it fits best,
in the spirit of Global Fishing Watch's segmenter (gpsdio-segment):

1. **Plausibility.** A track can take a report only if the implied speed from
   the track's last fix is plausible: ``distance <= max_speed * (dt + slack)``.
   ``slack`` (seconds) absorbs receiver clock error and position noise.
2. **Fit.** Each plausible track predicts where the vessel is now from its last
   fix and velocity (reported SOG/COG, else the velocity implied by its last two
   fixes, else standing still). The report's cost under that track is the
   negative log-likelihood of a 2-D Gaussian prediction error whose spread grows
   with the time elapsed, ``spread * tau`` with ``tau = dt + slack``::

       cost = 0.5 * (miss / (spread * tau)) ** 2 + 2 * ln(tau)

   The first term is the speed-normalised miss distance; the second prefers
   tracks heard recently over stale ones the report also happens to fit.
3. **Decision.** One plausible track: join it (the common case, no cost
   computed). None: open a new track. Several: join the cheapest unless another
   is within ``ln(ambiguity_ratio)`` of it (its likelihood at least
   ``1 / ambiguity_ratio`` of the best); an ambiguous report closes every track
   it was ambiguous between and opens a new track, so a wrong guess never glues
   two vessels together.
4. **Capacity.** Opening a track when ``max_open_tracks`` are open closes the
   one heard least recently. Closed tracks take no more reports.

A single impossible jump therefore becomes a one-point track (flagged as noise
by the caller) and the vessel's own track carries on. Distances in the
decision use a local flat-Earth (equirectangular) approximation at the mean
latitude, longitudes wrapped across the antimeridian: within 0.1 % of the
great circle up to 500 km below 60 degrees of latitude, and beyond that it only
has to tell "far". A report well within reach of its track is accepted before
any trigonometry (the cosine of latitude is at most 1), so the common case --
one transmitter, no jump -- is a short loop of arithmetic per report.

Reports with a repeated timestamp within one track are *duplicates*: they join
the track, are flagged, and do not move its state (the first report at that
time, in sort order, stands).
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, KNOT_M_S
from ._jit import jit

__all__ = [
    "M_PER_DEG",
    "group_offsets",
    "segment_summary",
    "segment_tracks",
    "sort_by_vessel_time",
    "vessel_time_order",
]

M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0  # metres per degree of a great circle
_DEG = math.pi / 180.0
_RADIX_BITS = 11


# ---------------------------------------------------------------------------
# ordering
# ---------------------------------------------------------------------------


@jit
def _compare(a, b):
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b``; NaN last."""
    a_nan = a != a
    b_nan = b != b
    if a_nan or b_nan:
        return int(a_nan) - int(b_nan)
    if a < b:
        return -1
    if a > b:
        return 1
    return 0


@jit
def _row_less(i, j, lat, lon, sog, cog):
    """Tie-break of two rows with equal (mmsi, time): lat, lon, sog, cog."""
    c = _compare(lat[i], lat[j])
    if c == 0:
        c = _compare(lon[i], lon[j])
    if c == 0:
        c = _compare(sog[i], sog[j])
    if c == 0:
        c = _compare(cog[i], cog[j])
    return c < 0


@jit
def _radix_sort(keys, order):
    """Stable LSD radix sort of non-negative int64 ``keys``, permuting ``order``.

    Returns the sorted keys and the permuted order (new arrays or the inputs).
    One pass counts every digit; digits equal in all keys are skipped.
    """
    n = keys.shape[0]
    n_buckets = 1 << _RADIX_BITS
    mask = n_buckets - 1
    key_max = 0
    for i in range(n):
        if keys[i] > key_max:
            key_max = keys[i]
    n_digits = 0
    while n_digits * _RADIX_BITS < 63 and (key_max >> (n_digits * _RADIX_BITS)) > 0:
        n_digits += 1
    counts = np.zeros((n_digits, n_buckets), dtype=np.int64)
    for i in range(n):
        k = keys[i]
        for d in range(n_digits):
            counts[d, (k >> (d * _RADIX_BITS)) & mask] += 1
    tmp_keys = np.empty_like(keys)
    tmp_order = np.empty_like(order)
    for d in range(n_digits):
        shift = d * _RADIX_BITS
        if counts[d, (keys[0] >> shift) & mask] == n:
            continue
        total = 0
        for b in range(n_buckets):
            c = counts[d, b]
            counts[d, b] = total
            total += c
        for i in range(n):
            b = (keys[i] >> shift) & mask
            pos = counts[d, b]
            counts[d, b] = pos + 1
            tmp_keys[pos] = keys[i]
            tmp_order[pos] = order[i]
        keys, tmp_keys = tmp_keys, keys
        order, tmp_order = tmp_order, order
    return keys, order


@jit
def vessel_time_order(mmsi, t_ns, lat, lon, sog, cog, break_ties):
    """Row order that sorts reports by vessel, time, then a fixed tie-break.

    Parameters
    ----------
    mmsi : ndarray of int64, shape (n,)
        Vessel identity.
    t_ns : ndarray of int64, shape (n,)
        Report time, nanoseconds since 1970-01-01 UTC.
    lat, lon : ndarray of float64, shape (n,)
        Position, WGS84 degrees.
    sog, cog : ndarray of float32, shape (n,)
        Speed over ground (knots) and course over ground (degrees); NaN where
        not available.
    break_ties : bool
        Order rows of equal (mmsi, time) by lat, lon, sog, cog (NaN last).
        False keeps them in input order (what MovingPandas' time sort does in
        practice).

    Returns
    -------
    order : ndarray of int64, shape (n,)
        Permutation: ``mmsi[order]`` ascending, then ``t_ns``, then (with
        ``break_ties``) lat, lon, sog, cog. Rows still equal keep their input
        order; they are indistinguishable to :func:`segment_tracks`, so with
        ``break_ties`` its output does not depend on the input row order.

    Notes
    -----
    Already sorted input costs one O(n) check. Otherwise a stable LSD radix
    sort on the MMSI (11-bit digits; three passes for nine-digit MMSIs), then
    each vessel's rows are sorted by time with a merge sort unless they are
    already in time order, as in a receiver feed: O(n) for a feed, O(n log m)
    for shuffled input with m rows per vessel. Runs of equal (mmsi, time) are
    ordered by insertion sort (they are short).
    """
    return _order_and_keys(mmsi, t_ns, lat, lon, sog, cog, break_ties)[0]


@jit
def sort_by_vessel_time(mmsi, t_ns, lat, lon, sog, cog, break_ties):
    """:func:`vessel_time_order` and the six arrays in that order.

    Parameters
    ----------
    mmsi, t_ns, lat, lon, sog, cog, break_ties
        As for :func:`vessel_time_order`.

    Returns
    -------
    order : ndarray of int64, shape (n,)
        The permutation.
    mmsi, t_ns, lat, lon, sog, cog : ndarray, shape (n,)
        The inputs permuted (the input arrays themselves when already in
        order).

    Notes
    -----
    Gathers the four remaining columns in one pass; the sort keys come out
    of the sort already in order.
    """
    order, sorted_mmsi, sorted_t, identity = _order_and_keys(
        mmsi, t_ns, lat, lon, sog, cog, break_ties
    )
    if identity:
        return order, mmsi, t_ns, lat, lon, sog, cog
    n = order.shape[0]
    lat_s = np.empty(n)
    lon_s = np.empty(n)
    sog_s = np.empty(n, dtype=sog.dtype)
    cog_s = np.empty(n, dtype=cog.dtype)
    for i in range(n):
        j = order[i]
        lat_s[i] = lat[j]
        lon_s[i] = lon[j]
        sog_s[i] = sog[j]
        cog_s[i] = cog[j]
    return order, sorted_mmsi, sorted_t, lat_s, lon_s, sog_s, cog_s


@jit
def _order_and_keys(mmsi, t_ns, lat, lon, sog, cog, break_ties):
    """The body of :func:`vessel_time_order`.

    Returns the order, mmsi and time in that order, and whether the order is
    the identity.
    """
    n = mmsi.shape[0]
    order = np.arange(n)
    presorted = True
    for i in range(1, n):
        if mmsi[i] < mmsi[i - 1] or (mmsi[i] == mmsi[i - 1] and t_ns[i] < t_ns[i - 1]):
            presorted = False
            break
    if presorted:
        sorted_mmsi = mmsi
        sorted_t = t_ns
    else:
        # Stable sort by MMSI, then sort each vessel's rows by time unless
        # they already are (a receiver feed is in time order). Keys travel in
        # sorted order so later passes read memory sequentially.
        m_min = mmsi.min()
        if mmsi.max() - m_min >= 0:
            sorted_mmsi, order = _radix_sort(mmsi - m_min, order)
            sorted_mmsi = sorted_mmsi + m_min
        else:  # MMSI range overflows int64
            order = np.argsort(mmsi, kind="mergesort")
            sorted_mmsi = mmsi[order]
        sorted_t = t_ns[order]
        start = 0
        while start < n:
            stop = start + 1
            in_order = True
            while stop < n and sorted_mmsi[stop] == sorted_mmsi[start]:
                if sorted_t[stop] < sorted_t[stop - 1]:
                    in_order = False
                stop += 1
            if not in_order:
                by_time = np.argsort(sorted_t[start:stop], kind="mergesort")
                rows = order[start:stop][by_time]
                times = sorted_t[start:stop][by_time]
                order[start:stop] = rows
                sorted_t[start:stop] = times
            start = stop
    if not break_ties:
        return order, sorted_mmsi, sorted_t, presorted
    # Order runs of equal (mmsi, time) by position, speed and course.
    identity = presorted
    start = 0
    while start < n:
        stop = start + 1
        while (
            stop < n
            and sorted_t[stop] == sorted_t[start]
            and sorted_mmsi[stop] == sorted_mmsi[start]
        ):
            stop += 1
        for i in range(start + 1, stop):
            row = order[i]
            j = i - 1
            while j >= start and _row_less(row, order[j], lat, lon, sog, cog):
                order[j + 1] = order[j]
                j -= 1
                identity = False
            order[j + 1] = row
        start = stop
    return order, sorted_mmsi, sorted_t, identity


@jit
def group_offsets(mmsi):
    """Where each vessel's rows begin in rows sorted by MMSI.

    Parameters
    ----------
    mmsi : ndarray of int64, shape (n,)
        Sorted (equal values contiguous).

    Returns
    -------
    offsets : ndarray of int64, shape (n_groups + 1,)
        Group ``k`` is rows ``offsets[k]:offsets[k + 1]``; ``offsets[-1] == n``.
    """
    n = mmsi.shape[0]
    n_groups = 1 if n > 0 else 0
    for i in range(1, n):
        if mmsi[i] != mmsi[i - 1]:
            n_groups += 1
    offsets = np.empty(n_groups + 1, dtype=np.int64)
    offsets[0] = 0
    k = 1
    for i in range(1, n):
        if mmsi[i] != mmsi[i - 1]:
            offsets[k] = i
            k += 1
    offsets[n_groups] = n
    return offsets


# ---------------------------------------------------------------------------
# segmentation
# ---------------------------------------------------------------------------


@jit
def _east_north_m(lat1, lon1, lat2, lon2):
    """Local offsets (east, north) in metres from point 1 to point 2."""
    dlon = lon2 - lon1
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    east = dlon * math.cos(0.5 * (lat1 + lat2) * _DEG) * M_PER_DEG
    north = (lat2 - lat1) * M_PER_DEG
    return east, north


@jit
def _within_reach(lat1, lon1, lat2, lon2, reach_m):
    """Flat-Earth distance from point 1 to point 2 is at most ``reach_m``."""
    dlon = lon2 - lon1
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    north = (lat2 - lat1) * M_PER_DEG
    east_max = dlon * M_PER_DEG
    reach2 = reach_m * reach_m
    # cos(latitude) <= 1, so this bound accepts most reports without a cosine.
    if east_max * east_max + north * north <= reach2:
        return True
    east = east_max * math.cos(0.5 * (lat1 + lat2) * _DEG)
    return east * east + north * north <= reach2


@jit
def _fill_costs(
    n_open, ti, la, lo_, plausible, slot_t, slot_lat, slot_lon, slot_sog, slot_cog,
    slot_has_prev, slot_prev_t, slot_prev_lat, slot_prev_lon, slack_s,
    spread_ms, cost,
):  # fmt: skip
    """Cost of the report under each plausible open track (see module notes)."""
    for k in range(n_open):
        if not plausible[k]:
            continue
        dt_s = (ti - slot_t[k]) * 1e-9
        s = float(slot_sog[k])
        c = float(slot_cog[k])
        if s == s and c == c:
            speed = s * KNOT_M_S
            v_east = speed * math.sin(c * _DEG)
            v_north = speed * math.cos(c * _DEG)
        elif slot_has_prev[k] and slot_t[k] > slot_prev_t[k]:
            step_s = (slot_t[k] - slot_prev_t[k]) * 1e-9
            east, north = _east_north_m(
                slot_prev_lat[k], slot_prev_lon[k], slot_lat[k], slot_lon[k]
            )
            v_east = east / step_s
            v_north = north / step_s
        else:
            v_east = 0.0
            v_north = 0.0
        east, north = _east_north_m(slot_lat[k], slot_lon[k], la, lo_)
        miss_e = east - v_east * dt_s
        miss_n = north - v_north * dt_s
        tau = dt_s + slack_s
        z = math.sqrt(miss_e * miss_e + miss_n * miss_n) / (spread_ms * tau)
        cost[k] = 0.5 * z * z + 2.0 * math.log(tau)


@jit
def segment_tracks(
    t_ns,
    lat,
    lon,
    sog,
    cog,
    offsets,
    max_gap_ns,
    separate_identities,
    max_speed_kn,
    slack_s,
    spread_kn,
    ambiguity_ratio,
    max_open_tracks,
):
    """Give every report a transmitter track and a segment within its MMSI.

    See the module docstring for the rules.

    Parameters
    ----------
    t_ns : ndarray of int64, shape (n,)
        Report time, nanoseconds since 1970-01-01 UTC.
    lat, lon : ndarray of float64, shape (n,)
        Position, WGS84 degrees, lon in [-180, 180]. A row with NaN lat or lon
        is not placed (segment and track -1).
    sog : ndarray of float32, shape (n,)
        Reported speed over ground, knots; NaN when not available.
    cog : ndarray of float32, shape (n,)
        Reported course over ground, degrees clockwise from north; NaN when not
        available.
    offsets : ndarray of int64, shape (n_groups + 1,)
        MMSI groups; rows sorted as by :func:`vessel_time_order`.
    max_gap_ns : int
        A report more than this many nanoseconds after its track's previous
        report starts a new segment of that track (strictly greater; pass
        ``gap - 1`` to split on gaps of at least ``gap``).
    separate_identities : bool
        False: one track per MMSI, split on time gaps only; the arguments
        below are then unused.
    max_speed_kn : float
        Fastest plausible implied speed from a track's last fix, knots.
    slack_s : float
        Seconds added to every time difference (clock error and position
        noise); must be > 0.
    spread_kn : float
        Growth of the prediction error with time, knots.
    ambiguity_ratio : float
        Likelihood ratio (>= 1) the best track must beat every other plausible
        track by; closer is ambiguous.
    max_open_tracks : int
        Tracks kept open per MMSI (>= 1).

    Returns
    -------
    segment : ndarray of int64, shape (n,)
        Segment ordinal within the MMSI (0, 1, ... in order of first report);
        -1 for unplaced rows.
    track : ndarray of int64, shape (n,)
        Track (transmitter) index within the MMSI, in order of first report;
        -1 for unplaced rows.
    duplicate : ndarray of bool, shape (n,)
        The report repeats its track's previous timestamp.
    n_segments : ndarray of int64, shape (n_groups,)
        Segments per MMSI.
    n_tracks : ndarray of int64, shape (n_groups,)
        Tracks per MMSI.

    Notes
    -----
    No input validation: call through :func:`coastwatch.segment`. O(n * K)
    time for K = ``max_open_tracks``; a report with one plausible open track
    (the common case) costs one distance and no logarithm. Serial; groups are
    independent, so a caller may split by MMSI.
    """
    n = t_ns.shape[0]
    n_groups = offsets.shape[0] - 1
    segment = np.empty(n, dtype=np.int64)
    track = np.empty(n, dtype=np.int64)
    duplicate = np.zeros(n, dtype=np.bool_)
    n_segments = np.zeros(n_groups, dtype=np.int64)
    n_tracks = np.zeros(n_groups, dtype=np.int64)

    k_max = max_open_tracks if separate_identities else 1
    # State of the open tracks of the current MMSI, one slot each.
    slot_track = np.empty(k_max, dtype=np.int64)
    slot_segment = np.empty(k_max, dtype=np.int64)
    slot_t = np.empty(k_max, dtype=np.int64)
    slot_lat = np.empty(k_max)
    slot_lon = np.empty(k_max)
    slot_sog = np.empty(k_max, dtype=np.float32)
    slot_cog = np.empty(k_max, dtype=np.float32)
    slot_has_prev = np.empty(k_max, dtype=np.bool_)
    slot_prev_t = np.empty(k_max, dtype=np.int64)
    slot_prev_lat = np.empty(k_max)
    slot_prev_lon = np.empty(k_max)
    plausible = np.empty(k_max, dtype=np.bool_)
    cost = np.empty(k_max)

    max_speed_ms = max_speed_kn * KNOT_M_S
    spread_ms = spread_kn * KNOT_M_S
    log_ambiguity = math.log(ambiguity_ratio)

    for g in range(n_groups):
        n_open = 0  # open tracks live in slots 0 .. n_open - 1
        g_segments = 0
        g_tracks = 0
        i = offsets[g]
        hi = offsets[g + 1]
        while i < hi:
            if n_open == 1:
                # The common case, one open track: its state stays in locals
                # until a report does not fit it.
                t0 = slot_t[0]
                lat0 = slot_lat[0]
                lon0 = slot_lon[0]
                sog0 = slot_sog[0]
                cog0 = slot_cog[0]
                segment0 = slot_segment[0]
                track0 = slot_track[0]
                has_prev0 = slot_has_prev[0]
                prev_t0 = slot_prev_t[0]
                prev_lat0 = slot_prev_lat[0]
                prev_lon0 = slot_prev_lon[0]
                while i < hi:
                    la = lat[i]
                    lo_ = lon[i]
                    if la != la or lo_ != lo_:
                        segment[i] = -1
                        track[i] = -1
                        i += 1
                        continue
                    ti = t_ns[i]
                    if separate_identities and not _within_reach(
                        lat0, lon0, la, lo_,
                        max_speed_ms * ((ti - t0) * 1e-9 + slack_s),
                    ):  # fmt: skip
                        break
                    dt = ti - t0
                    if dt > max_gap_ns:
                        segment0 = g_segments
                        g_segments += 1
                    elif dt == 0:
                        duplicate[i] = True
                        segment[i] = segment0
                        track[i] = track0
                        i += 1
                        continue
                    has_prev0 = True
                    prev_t0 = t0
                    prev_lat0 = lat0
                    prev_lon0 = lon0
                    t0 = ti
                    lat0 = la
                    lon0 = lo_
                    sog0 = sog[i]
                    cog0 = cog[i]
                    segment[i] = segment0
                    track[i] = track0
                    i += 1
                slot_t[0] = t0
                slot_lat[0] = lat0
                slot_lon[0] = lon0
                slot_sog[0] = sog0
                slot_cog[0] = cog0
                slot_segment[0] = segment0
                slot_has_prev[0] = has_prev0
                slot_prev_t[0] = prev_t0
                slot_prev_lat[0] = prev_lat0
                slot_prev_lon[0] = prev_lon0
                if i == hi:
                    break
            # General case: none or several open tracks, or a report that
            # does not fit the only one.
            la = lat[i]
            lo_ = lon[i]
            if la != la or lo_ != lo_:
                segment[i] = -1
                track[i] = -1
                i += 1
                continue
            ti = t_ns[i]
            chosen = -1
            if not separate_identities:
                if n_open == 1:
                    chosen = 0
            elif n_open > 0:
                n_plausible = 0
                for k in range(n_open):
                    reach = max_speed_ms * ((ti - slot_t[k]) * 1e-9 + slack_s)
                    near = _within_reach(slot_lat[k], slot_lon[k], la, lo_, reach)
                    plausible[k] = near
                    if near:
                        n_plausible += 1
                        chosen = k
                if n_plausible > 1:
                    _fill_costs(
                        n_open, ti, la, lo_, plausible, slot_t, slot_lat,
                        slot_lon, slot_sog, slot_cog, slot_has_prev,
                        slot_prev_t, slot_prev_lat, slot_prev_lon, slack_s,
                        spread_ms, cost,
                    )  # fmt: skip
                    chosen = -1
                    for k in range(n_open):
                        if plausible[k] and (
                            chosen < 0
                            or cost[k] < cost[chosen]
                            or (
                                cost[k] == cost[chosen]
                                and slot_track[k] < slot_track[chosen]
                            )
                        ):
                            chosen = k
                    best = cost[chosen]
                    n_close = 0
                    for k in range(n_open):
                        if plausible[k] and cost[k] - best < log_ambiguity:
                            n_close += 1
                    if n_close > 1:  # ambiguous: close every contender
                        for k in range(n_open - 1, -1, -1):
                            if plausible[k] and cost[k] - best < log_ambiguity:
                                n_open -= 1
                                last = n_open
                                slot_track[k] = slot_track[last]
                                slot_segment[k] = slot_segment[last]
                                slot_t[k] = slot_t[last]
                                slot_lat[k] = slot_lat[last]
                                slot_lon[k] = slot_lon[last]
                                slot_sog[k] = slot_sog[last]
                                slot_cog[k] = slot_cog[last]
                                slot_has_prev[k] = slot_has_prev[last]
                                slot_prev_t[k] = slot_prev_t[last]
                                slot_prev_lat[k] = slot_prev_lat[last]
                                slot_prev_lon[k] = slot_prev_lon[last]
                        chosen = -1
            if chosen < 0:
                # Open a new track in a free slot, else in the stalest one.
                if n_open < k_max:
                    chosen = n_open
                    n_open += 1
                else:
                    chosen = 0
                    for k in range(1, n_open):
                        if slot_t[k] < slot_t[chosen] or (
                            slot_t[k] == slot_t[chosen]
                            and slot_track[k] < slot_track[chosen]
                        ):
                            chosen = k
                slot_track[chosen] = g_tracks
                slot_segment[chosen] = g_segments
                g_tracks += 1
                g_segments += 1
                slot_has_prev[chosen] = False
            else:
                dt = ti - slot_t[chosen]
                if dt > max_gap_ns:
                    slot_segment[chosen] = g_segments
                    g_segments += 1
                elif dt == 0:
                    duplicate[i] = True
                    segment[i] = slot_segment[chosen]
                    track[i] = slot_track[chosen]
                    i += 1
                    continue
                slot_has_prev[chosen] = True
                slot_prev_t[chosen] = slot_t[chosen]
                slot_prev_lat[chosen] = slot_lat[chosen]
                slot_prev_lon[chosen] = slot_lon[chosen]
            slot_t[chosen] = ti
            slot_lat[chosen] = la
            slot_lon[chosen] = lo_
            slot_sog[chosen] = sog[i]
            slot_cog[chosen] = cog[i]
            segment[i] = slot_segment[chosen]
            track[i] = slot_track[chosen]
            i += 1
        n_segments[g] = g_segments
        n_tracks[g] = g_tracks
    return segment, track, duplicate, n_segments, n_tracks


@jit
def _great_circle_m(lat1, lon1, cos1, lat2, lon2, cos2):
    """Haversine distance in metres, given the cosines of both latitudes.

    Same sphere and formula as ``kernels._geo.haversine_m``; for steps below
    about 12 km the sines and the arcsine are replaced by their Taylor series
    (relative error < 1e-12), which saves three transcendental calls per step.
    """
    half_dlat = 0.5 * (lat2 - lat1) * _DEG
    dlon = lon2 - lon1
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    half_dlon = 0.5 * dlon * _DEG
    if abs(half_dlat) < 1e-3 and abs(half_dlon) < 1e-3:
        s_lat = half_dlat * (1.0 - half_dlat * half_dlat / 6.0)
        s_lon = half_dlon * (1.0 - half_dlon * half_dlon / 6.0)
    else:
        s_lat = math.sin(half_dlat)
        s_lon = math.sin(half_dlon)
    a = s_lat * s_lat + cos1 * cos2 * s_lon * s_lon
    if a < 1e-6:
        return 2.0 * EARTH_RADIUS_M * math.sqrt(a) * (1.0 + a / 6.0)
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


@jit
def segment_summary(
    t_ns, lat, lon, sog, mmsi, offsets, segment, track, duplicate, n_segments,
    n_tracks, id_base, min_noise_points, movingpandas_pieces,
):  # fmt: skip
    """Segment ids per report and extent, length and speed per segment.

    Parameters
    ----------
    t_ns, lat, lon, sog, offsets : ndarray
        As for :func:`segment_tracks` (same sorted rows).
    mmsi : ndarray of int64, shape (n,)
        Vessel identity, sorted; ``0 <= mmsi`` and ``mmsi * id_base +
        n_segments`` must fit in int64 (the caller checks).
    segment, track, duplicate, n_segments, n_tracks : ndarray
        The results of :func:`segment_tracks`.
    id_base : int
        Segment ids are ``mmsi * id_base + ordinal``; ``n_segments < id_base``.
    min_noise_points : int
        A segment is noise when its track has fewer reports than this.
    movingpandas_pieces : bool
        Keep only segments MovingPandas' ObservationGapSplitter keeps: two or
        more distinct times and some movement; other rows get id -1.

    Returns
    -------
    row_id : ndarray of int64, shape (n,)
        Segment id of every report; -1 for unplaced or dropped rows.
    seg_id, seg_mmsi, seg_track : ndarray of int64, shape (n_total,)
        Id, MMSI and track of each of the ``n_total = n_segments.sum()``
        segments, in id order.
    start_ns, end_ns : ndarray of int64, shape (n_total,)
        First and last report time.
    points, duplicates : ndarray of int64, shape (n_total,)
        Reports (duplicates included) and reports flagged as duplicates.
    length_m : ndarray of float64, shape (n_total,)
        Great-circle length through the non-duplicate reports, metres.
    sog_mean_kn, sog_max_kn : ndarray of float64, shape (n_total,)
        Mean and maximum reported SOG, knots; NaN when none reported.
    lat_min, lat_max, lon_min, lon_max : ndarray of float64, shape (n_total,)
        Bounding box, degrees (not antimeridian-aware).
    noise : ndarray of bool, shape (n_total,)
        The segment's track has fewer than ``min_noise_points`` reports.
    keep : ndarray of bool, shape (n_total,)
        False for segments dropped by ``movingpandas_pieces``.

    Notes
    -----
    Two passes over the rows, O(n + n_total + n_tracks) time. Serial.
    """
    n = t_ns.shape[0]
    n_groups = offsets.shape[0] - 1
    seg_base = np.zeros(n_groups + 1, dtype=np.int64)
    track_base = np.zeros(n_groups + 1, dtype=np.int64)
    for g in range(n_groups):
        seg_base[g + 1] = seg_base[g] + n_segments[g]
        track_base[g + 1] = track_base[g] + n_tracks[g]
    n_total = seg_base[n_groups]

    seg_id = np.zeros(n_total, dtype=np.int64)
    seg_mmsi = np.zeros(n_total, dtype=np.int64)
    seg_track = np.zeros(n_total, dtype=np.int64)
    seg_track_dense = np.zeros(n_total, dtype=np.int64)
    start_ns = np.zeros(n_total, dtype=np.int64)
    end_ns = np.zeros(n_total, dtype=np.int64)
    points = np.zeros(n_total, dtype=np.int64)
    duplicates = np.zeros(n_total, dtype=np.int64)
    length_m = np.zeros(n_total)
    moved = np.zeros(n_total, dtype=np.bool_)
    sog_sum = np.zeros(n_total)
    sog_count = np.zeros(n_total, dtype=np.int64)
    sog_max_kn = np.full(n_total, np.nan)
    lat_min = np.full(n_total, np.nan)
    lat_max = np.full(n_total, np.nan)
    lon_min = np.full(n_total, np.nan)
    lon_max = np.full(n_total, np.nan)
    last = np.full(n_total, -1, dtype=np.int64)
    last_cos = np.zeros(n_total)
    first = np.zeros(n_total, dtype=np.int64)
    track_points = np.zeros(track_base[n_groups], dtype=np.int64)

    for g in range(n_groups):
        for i in range(offsets[g], offsets[g + 1]):
            ordinal = segment[i]
            if ordinal < 0:
                continue
            s = seg_base[g] + ordinal
            track_points[track_base[g] + track[i]] += 1
            la = lat[i]
            lo = lon[i]
            if points[s] == 0:
                seg_id[s] = mmsi[i] * id_base + ordinal
                seg_mmsi[s] = mmsi[i]
                seg_track[s] = track[i]
                seg_track_dense[s] = track_base[g] + track[i]
                start_ns[s] = t_ns[i]
                first[s] = i
                lat_min[s] = la
                lat_max[s] = la
                lon_min[s] = lo
                lon_max[s] = lo
            else:
                lat_min[s] = min(lat_min[s], la)
                lat_max[s] = max(lat_max[s], la)
                lon_min[s] = min(lon_min[s], lo)
                lon_max[s] = max(lon_max[s], lo)
            points[s] += 1
            end_ns[s] = t_ns[i]
            v = float(sog[i])
            if v == v:
                sog_sum[s] += v
                sog_count[s] += 1
                if not (sog_max_kn[s] >= v):
                    sog_max_kn[s] = v
            if duplicate[i]:
                duplicates[s] += 1
                continue
            j = last[s]
            c = math.cos(la * _DEG)
            if j >= 0:
                length_m[s] += _great_circle_m(lat[j], lon[j], last_cos[s], la, lo, c)
                f = first[s]
                if la != lat[f] or lo != lon[f]:
                    moved[s] = True
            last[s] = i
            last_cos[s] = c

    sog_mean_kn = np.full(n_total, np.nan)
    noise = np.zeros(n_total, dtype=np.bool_)
    keep = np.ones(n_total, dtype=np.bool_)
    for s in range(n_total):
        if sog_count[s] > 0:
            sog_mean_kn[s] = sog_sum[s] / sog_count[s]
        noise[s] = track_points[seg_track_dense[s]] < min_noise_points
        if movingpandas_pieces:
            keep[s] = points[s] - duplicates[s] >= 2 and moved[s]

    row_id = np.full(n, -1, dtype=np.int64)
    for g in range(n_groups):
        for i in range(offsets[g], offsets[g + 1]):
            if segment[i] >= 0:
                s = seg_base[g] + segment[i]
                if keep[s]:
                    row_id[i] = seg_id[s]
    return (
        row_id, seg_id, seg_mmsi, seg_track, start_ns, end_ns, points,
        duplicates, length_m, sog_mean_kn, sog_max_kn, lat_min, lat_max,
        lon_min, lon_max, noise, keep,
    )  # fmt: skip
