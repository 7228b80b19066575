"""Scalar geodesy helpers for kernels (spherical Earth, metres and degrees)."""

import math

from ._jit import jit

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
KNOT_M_S = 1852.0 / 3600.0


@jit
def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres between two WGS84 points in degrees.

    Spherical Earth of mean radius 6,371,008.8 m; within 0.5 % of the WGS84
    geodesic. NaN in, NaN out.
    """
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp * 0.5) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


@jit
def initial_bearing_deg(lat1, lon1, lat2, lon2):
    """Initial great-circle bearing in degrees (0..360, clockwise from north)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


@jit
def destination(lat, lon, bearing_deg, distance_m):
    """Point reached from (lat, lon) after ``distance_m`` on ``bearing_deg``.

    Returns
    -------
    (float, float)
        Latitude and longitude in degrees, longitude wrapped to [-180, 180).
    """
    d = distance_m / EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1 = math.radians(lat)
    l1 = math.radians(lon)
    p2 = math.asin(
        math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b)
    )
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1),
        math.cos(d) - math.sin(p1) * math.sin(p2),
    )
    lon2 = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    return math.degrees(p2), lon2
