"""The canonical track table: column names, dtypes, units and AIS codes.

Every reader produces this table and every later stage consumes it. One row is
one position report of one vessel identity (MMSI).

=================  ======================  ==================================
column             dtype                   meaning (unit)
=================  ======================  ==================================
mmsi               int64                   Maritime Mobile Service Identity
timestamp          datetime64[ns, UTC]     time of the report (UTC)
lat                float64                 WGS84 latitude (degrees north)
lon                float64                 WGS84 longitude (degrees east)
sog                float32                 speed over ground (knots), NaN n/a
cog                float32                 course over ground (degrees), NaN n/a
heading            float32                 true heading (degrees), NaN n/a
nav_status         int8                    AIS navigational status 0..15
                                           (15: not defined / not sent)
mmsi_valid         bool                    well-formed ship MMSI (see below)
name               str                     vessel name, "" when unknown
ship_type          int16                   AIS ship and cargo type, 0 n/a
length             float32                 length overall (metres), NaN n/a
transceiver_class  str                     "A", "B" or "" when unknown
=================  ======================  ==================================

Segmentation adds ``track`` (int64: transmitter index within the MMSI) and
``segment`` (int64: globally unique trajectory id).

The table is sorted by (mmsi, timestamp) with a default RangeIndex.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "COG_NOT_AVAILABLE",
    "HEADING_NOT_AVAILABLE",
    "LAT_NOT_AVAILABLE",
    "LON_NOT_AVAILABLE",
    "NAV_STATUS_NOT_DEFINED",
    "POSITION_COLUMNS",
    "SOG_NOT_AVAILABLE",
    "STATIC_COLUMNS",
    "TRACK_DTYPES",
    "conform_tracks",
    "empty_tracks",
    "mmsi_is_valid",
    "sort_tracks",
    "timestamps_ns",
    "validate_tracks",
]

# ITU-R M.1371 'not available' values.
LAT_NOT_AVAILABLE = 91.0
LON_NOT_AVAILABLE = 181.0
SOG_NOT_AVAILABLE = 102.3
COG_NOT_AVAILABLE = 360.0
HEADING_NOT_AVAILABLE = 511
NAV_STATUS_NOT_DEFINED = 15

POSITION_COLUMNS = (
    "mmsi",
    "timestamp",
    "lat",
    "lon",
    "sog",
    "cog",
    "heading",
    "nav_status",
    "mmsi_valid",
)
STATIC_COLUMNS = ("name", "ship_type", "length", "transceiver_class")

TRACK_DTYPES: dict[str, object] = {
    "mmsi": np.dtype("int64"),
    "timestamp": pd.DatetimeTZDtype("ns", "UTC"),
    "lat": np.dtype("float64"),
    "lon": np.dtype("float64"),
    "sog": np.dtype("float32"),
    "cog": np.dtype("float32"),
    "heading": np.dtype("float32"),
    "nav_status": np.dtype("int8"),
    "mmsi_valid": np.dtype("bool"),
    "name": "str",
    "ship_type": np.dtype("int16"),
    "length": np.dtype("float32"),
    "transceiver_class": "str",
}

SENTINEL_TOLERANCE = np.float32(1e-3)
"""float32 values within this of a 'not available' code (102.3 kn, 360 deg)
are that code."""

_FILL = {
    "sog": np.nan,
    "cog": np.nan,
    "heading": np.nan,
    "nav_status": NAV_STATUS_NOT_DEFINED,
    "name": "",
    "ship_type": 0,
    "length": np.nan,
    "transceiver_class": "",
}

# Maritime Identification Digits allocated by the ITU (Table of MIDs, ITU-R).
# A ship station MMSI is MID followed by six digits.
_ASSIGNED_MIDS = frozenset(
    [
        *range(201, 217), 218, 219, 220, *range(224, 280),
        301, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 314, 316, 319,
        321, 323, 325, 327, 329, 330, 331, 332, 334, 336, 338, 339, 341, 343,
        345, 347, 348, 350, *range(351, 360), 361, 362, 364, *range(366, 380),
        401, 403, 405, 408, 410, 412, 413, 414, 416, 417, 419, 422, 423, 425,
        428, 431, 432, 434, 436, 437, 438, 440, 441, 443, 445, 447, 450, 451,
        453, 455, 457, 459, 461, 463, 466, 468, 470, 471, 472, 473, 475, 477,
        478,
        501, 503, 506, 508, 510, 511, 512, 514, 515, 516, 518, 520, 523, 525,
        529, 531, 533, 536, 538, 540, 542, 544, 546, 548, 550, 553, 555, 557,
        559, 561, 563, 564, 565, 566, 567, 570, 572, 574, 576, 577, 578,
        601, 603, 605, 607, 608, 609, 610, 611, 612, 613, 615, 616, 617, 618,
        619, 620, 621, 622, 624, 625, 626, 627, 629, 630, 631, 632, 633, 634,
        635, 636, 637, 638, 642, 644, 645, 647, 649, 650, 654, 655, 656, 657,
        659, 660, 661, 662, 663, 664, 665, 666, 667, 668, 669, 670, 671, 672,
        674, 675, 676, 677, 678, 679,
        701, 710, 720, 725, 730, 735, 740, 745, 750, 755, 760, 765, 770, 775,
    ]
)  # fmt: skip
_MID_TABLE = np.zeros(1000, dtype=bool)
_MID_TABLE[list(_ASSIGNED_MIDS)] = True


def mmsi_is_valid(mmsi: np.ndarray) -> np.ndarray:
    """Tell which MMSIs are well-formed ship station identities.

    A well-formed ship MMSI has nine digits, starts with an ITU-assigned
    Maritime Identification Digit (MID, 201..775), and is not an obvious
    placeholder. Craft associated with a parent ship (``98`` + MID + four
    digits) also count as valid. Everything else -- wrong length, unassigned
    MID, coast/group/SAR/AtoN/device numbers, and placeholders such as
    ``123456789``, repeated digit groups (``574574574``), runs of six or more
    equal digits (``666666601``, ``412000000``) -- is invalid.

    Parameters
    ----------
    mmsi : array_like of int64
        MMSIs; non-positive values are invalid.

    Returns
    -------
    ndarray of bool
        True where the MMSI is a well-formed ship identity.
    """
    mmsi = np.asarray(mmsi, dtype=np.int64)
    # Far fewer vessels than reports: decide once per distinct MMSI (found
    # by hashing, several times faster than np.unique's sort).
    codes, distinct = pd.factorize(mmsi.ravel())
    return _valid_distinct(np.asarray(distinct))[codes].reshape(mmsi.shape)


def _valid_distinct(mmsi: np.ndarray) -> np.ndarray:
    nine_digits = (mmsi >= 100_000_000) & (mmsi <= 999_999_999)
    mid = np.where(nine_digits, mmsi // 1_000_000, 0)
    ship = nine_digits & _MID_TABLE[np.clip(mid, 0, 999)]
    aux_mid = np.where(nine_digits, (mmsi // 10_000) % 1000, 0)
    auxiliary = nine_digits & (mmsi // 10_000_000 == 98) & _MID_TABLE[aux_mid]
    return (ship | auxiliary) & ~_is_placeholder(mmsi)


def _is_placeholder(mmsi: np.ndarray) -> np.ndarray:
    digits = np.stack([(mmsi // 10**k) % 10 for k in range(8, -1, -1)], axis=1)
    same = digits[:, 1:] == digits[:, :-1]
    # Longest run of equal consecutive digits, via a running count.
    run = np.zeros(len(mmsi), dtype=np.int64)
    longest = np.ones(len(mmsi), dtype=np.int64)
    for k in range(8):
        run = np.where(same[:, k], run + 1, 0)
        longest = np.maximum(longest, run + 1)
    repeated_block = (mmsi // 1_000_000 == (mmsi // 1000) % 1000) & (
        mmsi // 1_000_000 == mmsi % 1000
    )
    counting = np.isin(mmsi, [123456789, 987654321, 12345678, 1234567])
    return (longest >= 6) | repeated_block | counting


def empty_tracks() -> pd.DataFrame:
    """Return an empty canonical track table with every column and dtype.

    Returns
    -------
    pandas.DataFrame
        Zero rows, the columns of :data:`TRACK_DTYPES`.
    """
    return pd.DataFrame(
        {name: pd.Series([], dtype=dtype) for name, dtype in TRACK_DTYPES.items()}
    )


def conform_tracks(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast a frame to the canonical dtypes, adding missing optional columns.

    Required columns are ``mmsi``, ``timestamp``, ``lat`` and ``lon``. Missing
    optional columns are added with their 'not available' value; ``mmsi_valid``
    is computed when absent. Extra columns are kept after the canonical ones.
    AIS 'not available' codes in sog/cog/heading become NaN.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with at least the required columns.

    Returns
    -------
    pandas.DataFrame
        A new frame in canonical column order and dtypes (not sorted).

    Raises
    ------
    InputError
        If a required column is missing.
    """
    missing = [c for c in ("mmsi", "timestamp", "lat", "lon") if c not in frame]
    if missing:
        raise InputError(None, f"track table lacks required column(s) {missing}")
    out = {}
    n = len(frame)
    for name, dtype in TRACK_DTYPES.items():
        if name in frame:
            col = frame[name]
        elif name == "mmsi_valid":
            col = pd.Series(mmsi_is_valid(frame["mmsi"].to_numpy()), index=frame.index)
        else:
            col = pd.Series(np.repeat(_FILL[name], n), index=frame.index)
        if name == "timestamp":
            if col.dtype != dtype:
                col = pd.to_datetime(col, utc=True).astype(dtype)
        elif dtype == "str":
            if col.dtype != "str" or col.hasnans:
                col = col.fillna("").astype("str")
        else:
            col = col.astype(dtype)
        out[name] = col
    conformed = pd.DataFrame(out, index=frame.index)
    for name, limit in (("sog", SOG_NOT_AVAILABLE), ("cog", COG_NOT_AVAILABLE)):
        values = conformed[name].to_numpy()
        sentinel = values >= np.float32(limit) - SENTINEL_TOLERANCE
        if sentinel.any():
            conformed[name] = np.where(sentinel, np.float32(np.nan), values)
    length = conformed["length"].to_numpy()
    if (length <= 0).any():
        conformed["length"] = np.where(length > 0, length, np.float32(np.nan))
    heading = conformed["heading"].to_numpy()
    if (heading >= 360).any():
        conformed["heading"] = np.where(heading >= 360, np.float32(np.nan), heading)
    extra = [c for c in frame.columns if c not in TRACK_DTYPES]
    for name in extra:
        conformed[name] = frame[name].to_numpy()
    return conformed


def timestamps_ns(frame: pd.DataFrame, column: str = "timestamp") -> np.ndarray:
    """Return a UTC datetime column as int64 nanoseconds since 1970-01-01.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with a ``datetime64[ns, UTC]`` (or naive, taken as UTC) column.
    column : str
        Column name, default ``timestamp``.

    Returns
    -------
    ndarray of int64
        Nanoseconds since the Unix epoch (a view where possible, not a copy).
    """
    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        if values.dtype.unit == "ns":
            # Zone-aware times are stored as UTC nanoseconds already: a
            # read-only view, so no caller can change the table through it.
            view = values.array.asi8.view()
            view.flags.writeable = False
            return view
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[ns]").view("int64")


def sort_tracks(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort a track table by (mmsi, timestamp), stably, with a fresh index.

    Parameters
    ----------
    frame : pandas.DataFrame
        A track table.

    Returns
    -------
    pandas.DataFrame
        The rows in (mmsi, timestamp) order; ties keep their input order.
    """
    order = np.lexsort((timestamps_ns(frame), frame["mmsi"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def validate_tracks(frame: pd.DataFrame) -> None:
    """Check that a table follows the track-table contract.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to check.

    Raises
    ------
    InputError
        On a missing column, a wrong dtype, or rows not sorted by
        (mmsi, timestamp).
    """
    for name, dtype in TRACK_DTYPES.items():
        if name not in frame:
            raise InputError(None, f"track table lacks column {name!r}")
        if dtype != "str" and frame[name].dtype != dtype:
            raise InputError(
                None, f"column {name!r} has dtype {frame[name].dtype}, expected {dtype}"
            )
    mmsi = frame["mmsi"].to_numpy()
    t = timestamps_ns(frame)
    if len(mmsi) > 1:
        step_m = np.diff(mmsi)
        bad = (step_m < 0) | ((step_m == 0) & (np.diff(t) < 0))
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise InputError(
                None, "track table is not sorted by (mmsi, timestamp)", line=row
            )
