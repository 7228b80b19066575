"""Rendezvous: two different vessels close together and slow for a while.

Every segment is put on one global time grid (multiples of ``time_step_s``
since 1970-01-01 UTC), the grid is swept in time order, and at each step the
slow positions are put in a spatial hash so that only neighbouring cells are
compared. Close steps of one vessel pair are joined into events while the
sweep goes on; only the segments active at the current step and the events
still open are held in memory.

Definitions (the reference in ``tests/reference_rendezvous.py`` follows them
line by line):

* **Position at a grid time g** of a segment: take its last fix ``c`` with
  ``t[c] <= g``. If ``t[c] == g`` the fix itself; otherwise, if the next fix
  of the segment is at most ``max_interp_gap_s`` later, linear interpolation
  in latitude and longitude (longitude difference taken the short way round);
  otherwise none (never across a gap). NaN coordinates give no position.
* **Speed at g**: at a fix, its SOG; inside an interval, SOG interpolated
  linearly between the two fixes when both have one, else the speed implied
  by the interval (great-circle distance / time). A fix without SOG takes the
  implied speed of the interval after it, else of the interval before it
  (intervals longer than ``max_interp_gap_s`` or of zero length never count).
  A position whose speed stays unknown is not slow.
* **Close step**: two positions of different vessels at the same grid time,
  great-circle distance <= ``max_distance_m`` and both speeds
  < ``max_speed_kn`` (with ``max_speed_kn = inf`` speed is not looked at).
  If a vessel has several segments at that time, the pair's step is the
  closest of its segment pairs (ties: lowest segment numbers).
* **Event**: the close steps of one vessel pair, joined while the break
  between two consecutive close steps (grid time between them minus one step,
  i.e. the time without a close step) is <= ``max_break_s``. ``start`` and
  ``end`` are the first and last close grid times and the duration is
  ``end - start``; events with ``end - start >= min_duration_s`` are kept.
  With integer times the measured duration is never longer than the true
  time together and less than two steps shorter, wherever the grid falls:
  at a 60 s step two vessels alongside for 29 minutes measure 28 or 29
  minutes (below a 30-minute minimum) and for 31 minutes 30 or 31 (kept).
* **Measures** over an event's close steps: minimum and mean separation
  (great-circle metres, spherical Earth), mean speed of each vessel, and the
  mean of the pair's midpoints (averaged as unit vectors, so it works across
  the antimeridian).
* **Group**: events that share a vessel and overlap in time (closed
  intervals) are connected; each connected component is one group, so three
  or more vessels together come out as pairs with one group id.
"""

import math

import numpy as np

from ._geo import EARTH_RADIUS_M, KNOT_M_S, haversine_m
from ._jit import jit

RENDEZVOUS_FIELDS = (
    "vessel_a",
    "vessel_b",
    "start_s",
    "end_s",
    "n_steps",
    "min_sep_m",
    "t_min_sep_s",
    "mean_sep_m",
    "mean_sog_a_kn",
    "mean_sog_b_kn",
    "lat_deg",
    "lon_deg",
    "group",
)
"""Names of the arrays :func:`rendezvous_pairs` returns, in order."""

_EMPTY = -1

# Columns of the open-event pool (float part).
_F_MIN_SEP = 0
_F_SUM_SEP = 1
_F_SUM_SOG_A = 2
_F_SUM_SOG_B = 3
_F_SUM_X = 4
_F_SUM_Y = 5
_F_SUM_Z = 6
_F_CUR_SEP = 7
_F_CUR_SOG_A = 8
_F_CUR_SOG_B = 9
_F_CUR_X = 10
_F_CUR_Y = 11
_F_CUR_Z = 12
_N_F = 13

# Columns of the open-event pool (integer part).
_I_KEY = 0
_I_FIRST_K = 1
_I_LAST_K = 2
_I_N = 3
_I_MIN_K = 4
_I_CUR_SEG_A = 5
_I_CUR_SEG_B = 6
_N_I = 7

# Columns of the emitted events.
_O_VA = 0
_O_VB = 1
_O_START = 2
_O_END = 3
_O_N = 4
_O_T_MIN = 5
_N_OI = 6
_O_MIN_SEP = 0
_O_MEAN_SEP = 1
_O_SOG_A = 2
_O_SOG_B = 3
_O_LAT = 4
_O_LON = 5
_N_OF = 6


@jit
def _slot(key, mask):
    # Integer mixing kept below 2^62 at every step, so it gives the same
    # result compiled and as plain Python (NUMBA_DISABLE_JIT), no overflow.
    h = (key ^ (key >> 31)) & 0x7FFFFFFF
    h = (h * 0x5BD1E995) & 0x7FFFFFFF
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & 0x7FFFFFFF
    h ^= h >> 13
    return h & mask


@jit
def _cell_key(cx, cy, cz):
    return (cx * 73856093) ^ (cy * 19349663) ^ (cz * 83492791)


@jit
def _next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


@jit
def _implied_sog_kn(lat0, lon0, lat1, lon1, dt_s):
    return haversine_m(lat0, lon0, lat1, lon1) / (dt_s * KNOT_M_S)


@jit
def _between_fixes(w, lat0, lon0, sog0, lat1, lon1, sog1, dt_s):
    """Position and speed at fraction w of the way between two fixes.

    Latitude and longitude are interpolated linearly (longitude the short way
    round, wrapped to [-180, 180)); speed is the SOG interpolated when both
    fixes have one, else the speed implied by the interval, knots.
    """
    lat = lat0 + w * (lat1 - lat0)
    dlon = lon1 - lon0
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    lon = lon0 + w * dlon
    if lon >= 180.0:
        lon -= 360.0
    elif lon < -180.0:
        lon += 360.0
    if math.isnan(sog0) or math.isnan(sog1):
        sog = _implied_sog_kn(lat0, lon0, lat1, lon1, dt_s)
    else:
        sog = sog0 + w * (sog1 - sog0)
    return lat, lon, sog


# ---------------------------------------------------------------------------
# Open-addressing table: vessel-pair key -> pool row of the open event.


@jit
def _table_find(keys, key):
    mask = keys.shape[0] - 1
    h = _slot(key, mask)
    while keys[h] != key and keys[h] != _EMPTY:
        h = (h + 1) & mask
    return h


@jit
def _table_delete(keys, vals, slot):
    # Backward-shift deletion keeps linear probing free of tombstones.
    mask = keys.shape[0] - 1
    i = slot
    j = slot
    while True:
        j = (j + 1) & mask
        if keys[j] == _EMPTY:
            break
        home = _slot(keys[j], mask)
        if i <= j:
            stays = i < home <= j
        else:
            stays = home > i or home <= j
        if not stays:
            keys[i] = keys[j]
            vals[i] = vals[j]
            i = j
    keys[i] = _EMPTY


@jit
def _table_grow(keys, vals):
    new_keys = np.full(keys.shape[0] * 2, _EMPTY, dtype=np.int64)
    new_vals = np.full(keys.shape[0] * 2, _EMPTY, dtype=np.int64)
    for s in range(keys.shape[0]):
        if keys[s] != _EMPTY:
            h = _table_find(new_keys, keys[s])
            new_keys[h] = keys[s]
            new_vals[h] = vals[s]
    return new_keys, new_vals


@jit
def _resize_rows(a, n):
    b = np.empty((n, a.shape[1]), dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@jit
def _resize_1d(a, n):
    b = np.empty(n, dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@jit
def _commit_step(pf, pi, e):
    # Fold the pending (latest) close step of event e into its sums.
    sep = pf[e, _F_CUR_SEP]
    if pi[e, _I_N] == 0 or sep < pf[e, _F_MIN_SEP]:
        pf[e, _F_MIN_SEP] = sep
        pi[e, _I_MIN_K] = pi[e, _I_LAST_K]
    pi[e, _I_N] += 1
    pf[e, _F_SUM_SEP] += sep
    pf[e, _F_SUM_SOG_A] += pf[e, _F_CUR_SOG_A]
    pf[e, _F_SUM_SOG_B] += pf[e, _F_CUR_SOG_B]
    pf[e, _F_SUM_X] += pf[e, _F_CUR_X]
    pf[e, _F_SUM_Y] += pf[e, _F_CUR_Y]
    pf[e, _F_SUM_Z] += pf[e, _F_CUR_Z]


@jit
def _start_event(pf, pi, e, key, k):
    pi[e, _I_KEY] = key
    pi[e, _I_FIRST_K] = k
    pi[e, _I_LAST_K] = k
    pi[e, _I_N] = 0
    pi[e, _I_MIN_K] = k
    for f in range(_F_CUR_SEP):
        pf[e, f] = 0.0


@jit
def _emit(pf, pi, e, n_vessels, vessel_ids, step_s, min_duration_s, oi, of, n_out):
    """Close event e; append it to the output when long enough."""
    _commit_step(pf, pi, e)
    first = pi[e, _I_FIRST_K]
    last = pi[e, _I_LAST_K]
    if (last - first) * step_s < min_duration_s:
        return oi, of, n_out
    if n_out == oi.shape[0]:
        oi = _resize_rows(oi, 2 * n_out)
        of = _resize_rows(of, 2 * n_out)
    key = pi[e, _I_KEY]
    n = pi[e, _I_N]
    oi[n_out, _O_VA] = vessel_ids[key // n_vessels]
    oi[n_out, _O_VB] = vessel_ids[key % n_vessels]
    oi[n_out, _O_START] = first * step_s
    oi[n_out, _O_END] = last * step_s
    oi[n_out, _O_N] = n
    oi[n_out, _O_T_MIN] = pi[e, _I_MIN_K] * step_s
    of[n_out, _O_MIN_SEP] = pf[e, _F_MIN_SEP]
    of[n_out, _O_MEAN_SEP] = pf[e, _F_SUM_SEP] / n
    of[n_out, _O_SOG_A] = pf[e, _F_SUM_SOG_A] / n
    of[n_out, _O_SOG_B] = pf[e, _F_SUM_SOG_B] / n
    x = pf[e, _F_SUM_X]
    y = pf[e, _F_SUM_Y]
    z = pf[e, _F_SUM_Z]
    of[n_out, _O_LAT] = math.degrees(math.atan2(z, math.sqrt(x * x + y * y)))
    of[n_out, _O_LON] = math.degrees(math.atan2(y, x))
    return oi, of, n_out + 1


@jit
def _find_root(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@jit
def rendezvous_groups(vessel_a, vessel_b, start_s, end_s):
    """Group ids: connected components of events sharing a vessel in time.

    Parameters
    ----------
    vessel_a, vessel_b : ndarray of int64, shape (m,)
        The two vessels of each event.
    start_s, end_s : ndarray of int64, shape (m,)
        Event intervals, seconds UTC (closed).

    Returns
    -------
    ndarray of int64, shape (m,)
        Group id per event, numbered 0, 1, ... in the order in which each
        group's first event appears in the input.

    Notes
    -----
    Two events are connected when they have a vessel in common and their
    intervals intersect (touching counts). Per vessel, its events sorted by
    start are swept keeping the running end of the current cluster, so the
    cost is O(m log m).
    """
    m = vessel_a.shape[0]
    parent = np.arange(m)
    inc_vessel = np.empty(2 * m, dtype=np.int64)
    inc_start = np.empty(2 * m, dtype=np.int64)
    inc_event = np.empty(2 * m, dtype=np.int64)
    for i in range(m):
        inc_vessel[2 * i] = vessel_a[i]
        inc_vessel[2 * i + 1] = vessel_b[i]
        inc_start[2 * i] = start_s[i]
        inc_start[2 * i + 1] = start_s[i]
        inc_event[2 * i] = i
        inc_event[2 * i + 1] = i
    order = np.argsort(inc_start, kind="mergesort")
    order = order[np.argsort(inc_vessel[order], kind="mergesort")]
    cluster_end = 0
    cluster_event = -1
    prev_vessel = 0
    for r in range(2 * m):
        j = order[r]
        e = inc_event[j]
        same_cluster = (
            cluster_event >= 0
            and inc_vessel[j] == prev_vessel
            and start_s[e] <= cluster_end
        )
        if same_cluster:
            ra = _find_root(parent, e)
            rb = _find_root(parent, cluster_event)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
            cluster_end = max(cluster_end, end_s[e])
            continue
        cluster_event = e
        cluster_end = end_s[e]
        prev_vessel = inc_vessel[j]
    group = np.empty(m, dtype=np.int64)
    label = np.full(m, -1, dtype=np.int64)
    n_groups = 0
    for i in range(m):
        r = _find_root(parent, i)
        if label[r] < 0:
            label[r] = n_groups
            n_groups += 1
        group[i] = label[r]
    return group


@jit
def _close_pairs(
    m,
    p_cell,
    p_ves,
    p_x,
    p_y,
    p_z,
    forward_cells,
    chord_max,
    b_start,
    b_fill,
    p_bucket,
    p_order,
    hit_p,
    hit_q,
    hit_sep,
):
    """Point pairs of different vessels no further apart than the threshold.

    The m points (unit vectors, cell of each) are counting-sorted into
    ``2 m`` (rounded up to a power of two) buckets of their cells' hashes.
    Each point looks at partners of a higher index in its own cell and at
    every partner in the 13 cells ``forward_cells`` away (the other 13
    neighbours find it), so every pair is met once. Buckets may mix cells,
    so a partner's own cell is checked. The chord between unit vectors is
    compared with ``chord_max``; the separation kept is the great-circle
    distance in metres. Returns the hit count and the (possibly grown) hit
    arrays.
    """
    if m < 2:
        return 0, hit_p, hit_q, hit_sep
    n_b = _next_pow2(2 * m)
    mask = n_b - 1
    for b in range(n_b + 1):
        b_start[b] = 0
    for p in range(m):
        b = _slot(_cell_key(p_cell[p, 0], p_cell[p, 1], p_cell[p, 2]), mask)
        p_bucket[p] = b
        b_start[b + 1] += 1
    for b in range(n_b):
        b_start[b + 1] += b_start[b]
    for b in range(n_b + 1):
        b_fill[b] = b_start[b]
    for p in range(m):
        b = p_bucket[p]
        p_order[b_fill[b]] = p
        b_fill[b] += 1
    chord2_max = chord_max * chord_max
    n_hits = 0
    for p in range(m):
        for d in range(-1, forward_cells.shape[0]):
            if d < 0:
                cx = p_cell[p, 0]
                cy = p_cell[p, 1]
                cz = p_cell[p, 2]
                b = p_bucket[p]
            else:
                cx = p_cell[p, 0] + forward_cells[d, 0]
                cy = p_cell[p, 1] + forward_cells[d, 1]
                cz = p_cell[p, 2] + forward_cells[d, 2]
                b = _slot(_cell_key(cx, cy, cz), mask)
            for r in range(b_start[b], b_start[b + 1]):
                q = p_order[r]
                if (d < 0 and q <= p) or p_ves[q] == p_ves[p]:
                    continue
                if p_cell[q, 0] != cx or p_cell[q, 1] != cy or p_cell[q, 2] != cz:
                    continue
                dx = p_x[p] - p_x[q]
                dy = p_y[p] - p_y[q]
                dz = p_z[p] - p_z[q]
                chord2 = dx * dx + dy * dy + dz * dz
                if not (chord2 <= chord2_max):
                    continue
                if n_hits == hit_p.shape[0]:
                    hit_p = _resize_1d(hit_p, 2 * n_hits)
                    hit_q = _resize_1d(hit_q, 2 * n_hits)
                    hit_sep = _resize_1d(hit_sep, 2 * n_hits)
                hit_p[n_hits] = p
                hit_q[n_hits] = q
                hit_sep[n_hits] = (
                    2.0 * EARTH_RADIUS_M * math.asin(min(1.0, 0.5 * math.sqrt(chord2)))
                )
                n_hits += 1
    return n_hits, hit_p, hit_q, hit_sep


@jit
def _add_close_step(
    pf,
    pi,
    active,
    free,
    n_free,
    n_open,
    tab_keys,
    tab_vals,
    key,
    k,
    sep,
    sog_a,
    sog_b,
    mx,
    my,
    mz,
    seg_a,
    seg_b,
):
    """Record one close step of vessel pair ``key`` at grid step k.

    Opens an event if the pair has none (the caller guarantees a free pool
    row and table room); open events always continue, because events whose
    break grew too long were closed before this step's hits.
    Returns the new (n_free, n_open).
    """
    norm = math.sqrt(mx * mx + my * my + mz * mz)
    if norm > 0.0:
        mx /= norm
        my /= norm
        mz /= norm
    h = _table_find(tab_keys, key)
    if tab_keys[h] == _EMPTY:
        n_free -= 1
        e = free[n_free]
        tab_keys[h] = key
        tab_vals[h] = e
        active[n_open] = e
        n_open += 1
        _start_event(pf, pi, e, key, k)
    else:
        e = tab_vals[h]
        if pi[e, _I_LAST_K] == k:
            # The pair is close already at this step through other segments
            # of the same vessels: keep the closest (then lowest segments).
            cur = pf[e, _F_CUR_SEP]
            if sep > cur:
                return n_free, n_open
            if sep == cur:
                if seg_a > pi[e, _I_CUR_SEG_A]:
                    return n_free, n_open
                if seg_a == pi[e, _I_CUR_SEG_A] and seg_b >= pi[e, _I_CUR_SEG_B]:
                    return n_free, n_open
        else:
            _commit_step(pf, pi, e)
            pi[e, _I_LAST_K] = k
    pf[e, _F_CUR_SEP] = sep
    pf[e, _F_CUR_SOG_A] = sog_a
    pf[e, _F_CUR_SOG_B] = sog_b
    pf[e, _F_CUR_X] = mx
    pf[e, _F_CUR_Y] = my
    pf[e, _F_CUR_Z] = mz
    pi[e, _I_CUR_SEG_A] = seg_a
    pi[e, _I_CUR_SEG_B] = seg_b
    return n_free, n_open


@jit
def _max_concurrent(k_first, k_last, seg_order):
    """Most segments holding a grid step at the same time."""
    n = seg_order.shape[0]
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    for r in range(n):
        starts[r] = k_first[seg_order[r]]
        ends[r] = k_last[seg_order[r]]
    starts.sort()
    ends.sort()
    best = 0
    now = 0
    j = 0
    for r in range(n):
        while j < n and ends[j] < starts[r]:
            now -= 1
            j += 1
        now += 1
        best = max(best, now)
    return best


@jit
def _fill_block(
    t_s,
    lat_deg,
    lon_deg,
    sog_kn,
    offsets,
    act_seg,
    act_cur,
    n_act,
    k_first,
    k_last,
    k0,
    block,
    step,
    max_interp_gap_s,
    check_speed,
    max_speed_kn,
    rec_r,
    rec_seg,
    rec_lat,
    rec_lon,
    rec_sog,
):
    """Slow positions of the active segments over grid steps k0..k0+block-1.

    Each segment is walked once over its own rows (in memory order). Returns
    the number of records written: grid step offset, segment, position and
    speed of every slow position with valid coordinates.
    """
    n_rec = 0
    for a in range(n_act):
        s = act_seg[a]
        lo = offsets[s]
        hi = offsets[s + 1]
        c = act_cur[a]
        for k in range(max(k0, k_first[s]), min(k0 + block - 1, k_last[s]) + 1):
            g = k * step
            while c + 1 < hi and t_s[c + 1] <= g:
                c += 1
            # Scalars only below: helpers taking arrays cost a call each.
            if t_s[c] == g:
                plat = lat_deg[c]
                plon = lon_deg[c]
                psog = np.float64(sog_kn[c])
                if math.isnan(psog):
                    if c + 1 < hi and 0 < t_s[c + 1] - t_s[c] <= max_interp_gap_s:
                        psog = _implied_sog_kn(
                            plat, plon, lat_deg[c + 1], lon_deg[c + 1], t_s[c + 1] - g
                        )
                    elif c - 1 >= lo and 0 < g - t_s[c - 1] <= max_interp_gap_s:
                        psog = _implied_sog_kn(
                            lat_deg[c - 1], lon_deg[c - 1], plat, plon, g - t_s[c - 1]
                        )
            else:
                if c + 1 >= hi:
                    continue
                dt = t_s[c + 1] - t_s[c]
                if dt > max_interp_gap_s:
                    continue
                plat, plon, psog = _between_fixes(
                    (g - t_s[c]) / dt,
                    lat_deg[c],
                    lon_deg[c],
                    np.float64(sog_kn[c]),
                    lat_deg[c + 1],
                    lon_deg[c + 1],
                    np.float64(sog_kn[c + 1]),
                    dt,
                )
            if math.isnan(plat) or math.isnan(plon):
                continue
            if check_speed and not (psog < max_speed_kn):
                continue
            rec_r[n_rec] = k - k0
            rec_seg[n_rec] = s
            rec_lat[n_rec] = plat
            rec_lon[n_rec] = plon
            rec_sog[n_rec] = psog
            n_rec += 1
        act_cur[a] = c
    return n_rec


@jit
def rendezvous_pairs(
    t_s,
    lat_deg,
    lon_deg,
    sog_kn,
    offsets,
    segment_vessel,
    max_distance_m,
    max_speed_kn,
    time_step_s,
    max_interp_gap_s,
    max_break_s,
    min_duration_s,
):
    """Find pairs of different vessels close together and slow for a while.

    Parameters
    ----------
    t_s : ndarray of int64, shape (n,)
        Fix times, seconds since 1970-01-01 UTC, sorted within each segment.
    lat_deg, lon_deg : ndarray of float64, shape (n,)
        WGS84 positions in degrees; NaN = no position at that fix.
    sog_kn : ndarray of float32 or float64, shape (n,)
        Speed over ground in knots; NaN = not available (the speed implied
        by the positions is used, see the module docstring).
    offsets : ndarray of int64, shape (n_segments + 1,)
        Segment ``k`` is rows ``offsets[k]:offsets[k + 1]``.
    segment_vessel : ndarray of int64, shape (n_segments,)
        Vessel id of each segment (e.g. the MMSI or track id). Segments of
        one vessel never pair with each other.
    max_distance_m : float
        Largest separation of a close step, metres (``makran``: 500).
    max_speed_kn : float
        Both vessels must be slower than this, knots (``makran``: 3);
        ``inf`` switches the speed condition off.
    time_step_s : int
        Grid step, seconds, > 0 (``makran``: 60). Grid times are multiples of the
        step since the epoch, so results do not depend on where data starts.
    max_interp_gap_s : int
        Longest interval between two fixes that is interpolated across,
        seconds: use the segmentation gap (``makran``: 7200).
    max_break_s : int
        Longest time without a close step inside one event, seconds
        (``makran``: 600).
    min_duration_s : int
        Shortest event kept, ``end - start`` in seconds (``makran``: 1800).

    Returns
    -------
    tuple of ndarray, each of shape (m,), named in :data:`RENDEZVOUS_FIELDS`
        vessel_a, vessel_b : int64
            The two vessels, ``vessel_a < vessel_b``.
        start_s, end_s : int64
            First and last close grid time, seconds UTC.
        n_steps : int64
            Number of close grid steps (breaks excluded).
        min_sep_m, t_min_sep_s : float64, int64
            Smallest separation in metres and the first grid time with it.
        mean_sep_m : float64
            Mean separation over the close steps, metres.
        mean_sog_a_kn, mean_sog_b_kn : float64
            Mean speed of each vessel over the close steps, knots (NaN if a
            speed was unknown, which only ``max_speed_kn = inf`` lets in).
        lat_deg, lon_deg : float64
            Mean position (on the sphere) of the pair's midpoints, degrees.
        group : int64
            Events of three or more vessels together share a group id.

        Sorted by (start_s, vessel_a, vessel_b).

    Notes
    -----
    No input validation: the wrapper checks and sorts. The grid is swept in
    blocks of up to 64 steps: each active segment is interpolated over the
    block in one pass over its own rows (memory is read in order), the slow
    positions are bucketed by step, and each step hashes its positions on
    unit vectors (cells of the threshold, 14 neighbouring cells looked at).
    Time O(P + S + C) for P fixes, S segment grid steps and C close
    pair-steps, plus O(m log m) to sort and group the m events. Memory:
    O(block * concurrent segments) for the block, O(open events) and the
    output; the whole grid is never stored.
    """
    step = np.int64(time_step_s)
    n_seg = offsets.shape[0] - 1
    vessel_ids = np.unique(segment_vessel)
    n_vessels = vessel_ids.shape[0]
    vessel_idx = np.searchsorted(vessel_ids, segment_vessel)
    check_speed = math.isfinite(max_speed_kn)

    # Grid steps each segment covers: ceil(first / step) .. floor(last / step).
    k_first = np.empty(n_seg, dtype=np.int64)
    k_last = np.empty(n_seg, dtype=np.int64)
    n_valid = 0
    for s in range(n_seg):
        lo = offsets[s]
        hi = offsets[s + 1]
        if hi > lo:
            k_first[s] = -((-t_s[lo]) // step)
            k_last[s] = t_s[hi - 1] // step
        else:
            k_first[s] = 1
            k_last[s] = 0
        if k_first[s] <= k_last[s]:
            n_valid += 1
    by_start = np.argsort(k_first, kind="mergesort")
    seg_order = np.empty(n_valid, dtype=np.int64)
    j = 0
    for r in range(n_seg):
        s = by_start[r]
        if k_first[s] <= k_last[s]:
            seg_order[j] = s
            j += 1

    # Block of grid steps interpolated at once: records <= block * concurrency.
    n_conc = max(_max_concurrent(k_first, k_last, seg_order), 1)
    block = max(1, min(64, (1 << 21) // n_conc))
    rec_r = np.empty(block * n_conc, dtype=np.int64)
    rec_seg = np.empty(block * n_conc, dtype=np.int64)
    rec_lat = np.empty(block * n_conc)
    rec_lon = np.empty(block * n_conc)
    rec_sog = np.empty(block * n_conc)
    r_start = np.empty(block + 1, dtype=np.int64)
    r_fill = np.empty(block + 1, dtype=np.int64)
    srt_seg = np.empty(block * n_conc, dtype=np.int64)
    srt_lat = np.empty(block * n_conc)
    srt_lon = np.empty(block * n_conc)
    srt_sog = np.empty(block * n_conc)

    # Spatial hash on unit vectors: a chord <= the arc, so a cell edge of the
    # threshold arc puts every close pair in the same or an adjacent cell.
    cell = max(max_distance_m / EARTH_RADIUS_M, 1e-9) * (1.0 + 1e-9)
    chord_max = 2.0 * math.sin(min(max_distance_m / EARTH_RADIUS_M, math.pi) / 2.0)
    forward_cells = np.empty((13, 3), dtype=np.int64)
    for d in range(13):
        # Offsets 14..26 of the 3x3x3 block: lexicographically after (0, 0, 0).
        forward_cells[d, 0] = (d + 14) // 9 - 1
        forward_cells[d, 1] = ((d + 14) // 3) % 3 - 1
        forward_cells[d, 2] = (d + 14) % 3 - 1
    act_seg = np.empty(n_seg, dtype=np.int64)
    act_cur = np.empty(n_seg, dtype=np.int64)
    p_seg = np.empty(n_conc, dtype=np.int64)
    p_ves = np.empty(n_conc, dtype=np.int64)
    p_sog = np.empty(n_conc)
    p_x = np.empty(n_conc)
    p_y = np.empty(n_conc)
    p_z = np.empty(n_conc)
    p_cell = np.empty((n_conc, 3), dtype=np.int64)
    p_bucket = np.empty(n_conc, dtype=np.int64)
    p_order = np.empty(n_conc, dtype=np.int64)
    h_max = _next_pow2(2 * n_conc)
    b_start = np.zeros(h_max + 1, dtype=np.int64)
    b_fill = np.zeros(h_max + 1, dtype=np.int64)
    hit_p = np.empty(64, dtype=np.int64)
    hit_q = np.empty(64, dtype=np.int64)
    hit_sep = np.empty(64)

    # Open events: pool rows, a free stack, an active list, and the table.
    pool_cap = 64
    pf = np.zeros((pool_cap, _N_F))
    pi = np.zeros((pool_cap, _N_I), dtype=np.int64)
    free = np.arange(pool_cap - 1, -1, -1)
    n_free = pool_cap
    active = np.empty(pool_cap, dtype=np.int64)
    n_open = 0
    tab_keys = np.full(128, _EMPTY, dtype=np.int64)
    tab_vals = np.full(128, _EMPTY, dtype=np.int64)

    oi = np.empty((64, _N_OI), dtype=np.int64)
    of = np.empty((64, _N_OF))
    n_out = 0

    ptr = 0
    n_act = 0
    k0 = k_first[seg_order[0]] if n_valid > 0 else 0
    while ptr < n_valid or n_act > 0:
        if n_act == 0 and k0 < k_first[seg_order[ptr]]:
            k0 = k_first[seg_order[ptr]]
        while ptr < n_valid and k_first[seg_order[ptr]] < k0 + block:
            s = seg_order[ptr]
            act_seg[n_act] = s
            act_cur[n_act] = offsets[s]
            n_act += 1
            ptr += 1
        n_rec = _fill_block(
            t_s,
            lat_deg,
            lon_deg,
            sog_kn,
            offsets,
            act_seg,
            act_cur,
            n_act,
            k_first,
            k_last,
            k0,
            block,
            step,
            max_interp_gap_s,
            check_speed,
            max_speed_kn,
            rec_r,
            rec_seg,
            rec_lat,
            rec_lon,
            rec_sog,
        )
        # Records in grid-step order (stable counting sort), so each step
        # reads its positions from consecutive memory.
        for r in range(block + 1):
            r_start[r] = 0
        for i in range(n_rec):
            r_start[rec_r[i] + 1] += 1
        for r in range(block):
            r_start[r + 1] += r_start[r]
        for r in range(block + 1):
            r_fill[r] = r_start[r]
        for i in range(n_rec):
            j = r_fill[rec_r[i]]
            r_fill[rec_r[i]] += 1
            srt_seg[j] = rec_seg[i]
            srt_lat[j] = rec_lat[i]
            srt_lon[j] = rec_lon[i]
            srt_sog[j] = rec_sog[i]

        for r in range(block):
            k = k0 + r
            # Close events that no later close step can extend.
            a = 0
            while a < n_open:
                e = active[a]
                if (k - pi[e, _I_LAST_K] - 1) * step > max_break_s:
                    oi, of, n_out = _emit(
                        pf,
                        pi,
                        e,
                        n_vessels,
                        vessel_ids,
                        step,
                        min_duration_s,
                        oi,
                        of,
                        n_out,
                    )
                    slot = _table_find(tab_keys, pi[e, _I_KEY])
                    _table_delete(tab_keys, tab_vals, slot)
                    n_open -= 1
                    active[a] = active[n_open]
                    free[n_free] = e
                    n_free += 1
                else:
                    a += 1

            m = 0
            for j in range(r_start[r], r_start[r + 1]):
                s = srt_seg[j]
                p_seg[m] = s
                p_ves[m] = vessel_idx[s]
                p_sog[m] = srt_sog[j]
                rl = math.radians(srt_lat[j])
                rn = math.radians(srt_lon[j])
                x = math.cos(rl) * math.cos(rn)
                y = math.cos(rl) * math.sin(rn)
                z = math.sin(rl)
                p_x[m] = x
                p_y[m] = y
                p_z[m] = z
                p_cell[m, 0] = np.int64(math.floor(x / cell))
                p_cell[m, 1] = np.int64(math.floor(y / cell))
                p_cell[m, 2] = np.int64(math.floor(z / cell))
                m += 1

            n_hits, hit_p, hit_q, hit_sep = _close_pairs(
                m,
                p_cell,
                p_ves,
                p_x,
                p_y,
                p_z,
                forward_cells,
                chord_max,
                b_start,
                b_fill,
                p_bucket,
                p_order,
                hit_p,
                hit_q,
                hit_sep,
            )
            if n_hits > 0:
                # Room for every hit to open an event: the updates never grow.
                if n_free < n_hits:
                    old = pf.shape[0]
                    new_cap = _next_pow2(n_open + n_hits)
                    pf = _resize_rows(pf, new_cap)
                    pi = _resize_rows(pi, new_cap)
                    active = _resize_1d(active, new_cap)
                    free = _resize_1d(free, new_cap)
                    for e in range(new_cap - 1, old - 1, -1):
                        free[n_free] = e
                        n_free += 1
                while 2 * (n_open + n_hits) > tab_keys.shape[0]:
                    tab_keys, tab_vals = _table_grow(tab_keys, tab_vals)
            for h in range(n_hits):
                p = hit_p[h]
                q = hit_q[h]
                if p_ves[p] > p_ves[q]:
                    p, q = q, p
                n_free, n_open = _add_close_step(
                    pf,
                    pi,
                    active,
                    free,
                    n_free,
                    n_open,
                    tab_keys,
                    tab_vals,
                    p_ves[p] * n_vessels + p_ves[q],
                    k,
                    hit_sep[h],
                    p_sog[p],
                    p_sog[q],
                    p_x[p] + p_x[q],
                    p_y[p] + p_y[q],
                    p_z[p] + p_z[q],
                    p_seg[p],
                    p_seg[q],
                )

        # Segments that ended inside this block leave the active set.
        a = 0
        while a < n_act:
            if k_last[act_seg[a]] < k0 + block:
                n_act -= 1
                act_seg[a] = act_seg[n_act]
                act_cur[a] = act_cur[n_act]
            else:
                a += 1
        k0 += block

    for a in range(n_open):
        oi, of, n_out = _emit(
            pf,
            pi,
            active[a],
            n_vessels,
            vessel_ids,
            step,
            min_duration_s,
            oi,
            of,
            n_out,
        )

    oi = oi[:n_out]
    of = of[:n_out]
    order = np.argsort(oi[:, _O_VB], kind="mergesort")
    order = order[np.argsort(oi[order, _O_VA], kind="mergesort")]
    order = order[np.argsort(oi[order, _O_START], kind="mergesort")]
    vessel_a = oi[order, _O_VA].copy()
    vessel_b = oi[order, _O_VB].copy()
    start = oi[order, _O_START].copy()
    end = oi[order, _O_END].copy()
    group = rendezvous_groups(vessel_a, vessel_b, start, end)
    return (
        vessel_a,
        vessel_b,
        start,
        end,
        oi[order, _O_N].copy(),
        of[order, _O_MIN_SEP].copy(),
        oi[order, _O_T_MIN].copy(),
        of[order, _O_MEAN_SEP].copy(),
        of[order, _O_SOG_A].copy(),
        of[order, _O_SOG_B].copy(),
        of[order, _O_LAT].copy(),
        of[order, _O_LON].copy(),
        group,
    )
