"""Day boundaries: which day a moment belongs to, and each day's time window.

A day is named by a calendar date (its *label*) and covers a half-open UTC
window ``[start, end)`` of 24 hours:

==========  ===============================  =====================================
boundary    window of the day labelled D     why
==========  ===============================  =====================================
utc         D 00:00 UTC to D+1 00:00 UTC     the default; matches daily AIS files
pkt_noon    D 12:00 PKT to D+1 12:00 PKT     one whole night (PKT = UTC+5) in one
            (D 07:00 UTC to D+1 07:00 UTC)   day, labelled by its evening's date
==========  ===============================  =====================================
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .errors import ConfigError

__all__ = [
    "DAY_BOUNDARIES",
    "day_label",
    "day_numbers",
    "day_window",
    "label_of_number",
    "number_of_label",
]

DAY_NS = 86_400 * 1_000_000_000
HOUR_NS = 3_600 * 1_000_000_000

# Start of the day labelled D, as an offset from D 00:00 UTC.
DAY_BOUNDARIES = {"utc": 0, "pkt_noon": 7 * HOUR_NS}


def _offset(boundary: str) -> int:
    try:
        return DAY_BOUNDARIES[boundary]
    except KeyError:
        raise ConfigError(
            f"day boundary must be one of {sorted(DAY_BOUNDARIES)}, got {boundary!r}"
        ) from None


def day_label(day) -> _dt.date:
    """The calendar date naming a day.

    Parameters
    ----------
    day : str, datetime.date, pandas.Timestamp or numpy.datetime64
        ``YYYY-MM-DD`` or anything pandas reads as a date; a time of day is
        ignored.

    Returns
    -------
    datetime.date

    Raises
    ------
    ConfigError
        If ``day`` is not a date.
    """
    if isinstance(day, _dt.date) and not isinstance(day, _dt.datetime):
        return day
    try:
        stamp = pd.Timestamp(day)
    except (ValueError, TypeError):
        raise ConfigError(
            f"day must be a date such as 2024-03-01, got {day!r}"
        ) from None
    if stamp is pd.NaT:
        raise ConfigError(f"day must be a date such as 2024-03-01, got {day!r}")
    return stamp.date()


def day_window(day, boundary: str = "utc") -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC start (included) and end (excluded) of the day labelled ``day``.

    Parameters
    ----------
    day : str, datetime.date or pandas.Timestamp
        The day's label (see :func:`day_label`).
    boundary : {'utc', 'pkt_noon'}
        See the module docstring.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        Timezone-aware UTC.

    Raises
    ------
    ConfigError
        On an unknown boundary or a ``day`` that is not a date.
    """
    offset = _offset(boundary)
    midnight = pd.Timestamp(day_label(day), tz="UTC")
    start = midnight + pd.Timedelta(offset, "ns")
    return start, start + pd.Timedelta(DAY_NS, "ns")


def day_numbers(time_ns, boundary: str = "utc") -> np.ndarray:
    """Number of the day each moment belongs to: days since 1970-01-01.

    Parameters
    ----------
    time_ns : array_like of int64
        Nanoseconds since 1970-01-01 UTC.
    boundary : {'utc', 'pkt_noon'}
        See the module docstring.

    Returns
    -------
    ndarray of int64
        ``k`` means the day labelled 1970-01-01 + k days.
    """
    offset = _offset(boundary)
    return np.floor_divide(np.asarray(time_ns, dtype=np.int64) - offset, DAY_NS)


def label_of_number(number: int) -> _dt.date:
    """The label of day number ``number`` (see :func:`day_numbers`)."""
    return _dt.date(1970, 1, 1) + _dt.timedelta(days=int(number))


def number_of_label(day) -> int:
    """The day number of a label (inverse of :func:`label_of_number`)."""
    return (day_label(day) - _dt.date(1970, 1, 1)).days
