"""Time the coastwatch.geo queries on 1e6 points (median of 3 runs after a warm-up).

Points are uniform over the 'makran' box (lon 57.5–68 E, lat 22–26 N), so about a
third are on land and a few percent within 2 km of the coast. The exact shapely
path is timed on 1e5 points and scaled.

Usage::

    PYTHONPATH=. python scripts/bench_geo.py
"""

from __future__ import annotations

import time

import numpy as np

from coastwatch import geo


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(0)
    lat = rng.uniform(22, 26, n)
    lon = rng.uniform(57.5, 68, n)
    lat2 = lat + rng.normal(0, 0.5, n)
    lon2 = lon + rng.normal(0, 0.5, n)
    m = n // 10
    cases = {
        "shore_distance_km": lambda: geo.shore_distance_km(lat, lon),
        "is_land": lambda: geo.is_land(lat, lon),
        "in_port": lambda: geo.in_port(lat, lon),
        "port_area_index": lambda: geo.port_area_index(lat, lon),
        "nearest_port": lambda: geo.nearest_port(lat, lon),
        "nearest_base": lambda: geo.nearest_base(lat, lon),
        "border_side": lambda: geo.border_side(lat, lon),
        "crosses_border": lambda: geo.crosses_border(lat, lon, lat2, lon2),
        "border_distance_km": lambda: geo.border_distance_km(lat, lon),
        "maritime_zone": lambda: geo.maritime_zone(lat, lon),
        "in_territorial_sea": lambda: geo.in_territorial_sea(lat, lon),
        "shore_distance_km(exact=True)": lambda: geo.shore_distance_km(
            lat[:m], lon[:m], exact=True
        ),
    }
    t0 = time.perf_counter()
    geo.shore_distance_km(lat[:10], lon[:10])
    print(
        f"first call (load data, compile or load kernels): "
        f"{time.perf_counter() - t0:.2f} s"
    )
    print(f"{'function':32s} ms per {n:,} points")
    for name, call in cases.items():
        call()
        times = []
        for _ in range(3):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        scale = 10 if "exact" in name else 1
        print(f"{name:32s} {np.median(times) * 1000 * scale:10.0f}")


if __name__ == "__main__":
    main()
