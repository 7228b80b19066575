"""Solar elevation, for telling night from day where and when an event happened.

Night is defined by the sun, not the clock: civil twilight ends when the sun
is 6 degrees below the horizon, which on the Makran coast happens between
about 13:40 and 14:50 UTC depending on season and longitude.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CIVIL_TWILIGHT_DEG", "is_night", "solar_elevation_deg"]

CIVIL_TWILIGHT_DEG = -6.0


def solar_elevation_deg(time_ns, lat, lon) -> np.ndarray:
    """Elevation of the sun's centre above the horizon, in degrees.

    NOAA's low-precision solar position formulas (declination and equation
    of time from the fractional year), good to about 0.2 degrees between
    1950 and 2050; atmospheric refraction is ignored.

    Parameters
    ----------
    time_ns : array_like of int64
        Times, nanoseconds since 1970-01-01 UTC.
    lat, lon : array_like of float64
        Position, degrees (north, east).

    Returns
    -------
    ndarray of float64
        Degrees; negative below the horizon. NaN where a position is NaN.
    """
    time_ns = np.asarray(time_ns, dtype=np.int64)
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    dates = time_ns.astype("datetime64[ns]")
    year_start = dates.astype("datetime64[Y]").astype("datetime64[ns]")
    day_of_year = (dates - year_start).astype(np.int64) / 86_400e9
    hours = (day_of_year % 1.0) * 24.0
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    gamma = (
        2.0
        * np.pi
        / np.where(leap, 366.0, 365.0)
        * (np.floor(day_of_year) + (hours - 12.0) / 24.0)
    )
    eq_time = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    declination = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
        - 0.002697 * np.cos(3 * gamma)
        + 0.00148 * np.sin(3 * gamma)
    )
    true_solar_minutes = hours * 60.0 + eq_time + 4.0 * lon
    hour_angle = np.radians(true_solar_minutes / 4.0 - 180.0)
    phi = np.radians(lat)
    cos_zenith = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(
        declination
    ) * np.cos(hour_angle)
    return 90.0 - np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0)))


def is_night(
    time_ns, lat, lon, threshold_deg: float = CIVIL_TWILIGHT_DEG
) -> np.ndarray:
    """True where the sun is below ``threshold_deg`` (default civil twilight).

    Parameters
    ----------
    time_ns : array_like of int64
        Times, nanoseconds since 1970-01-01 UTC.
    lat, lon : array_like of float64
        Position, degrees.
    threshold_deg : float
        Solar elevation below which it counts as night, degrees.

    Returns
    -------
    ndarray of bool
    """
    return solar_elevation_deg(time_ns, lat, lon) < threshold_deg
