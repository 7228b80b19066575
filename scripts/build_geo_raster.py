"""Build the geographic package data in coastwatch/data.

Two steps, both reproducible:

1. ``--copy-from DIR`` (the shared ``geo`` folder): copy the Natural Earth
   extracts, the approximate maritime zones and the landmarks into
   ``coastwatch/data``; merge the 220 minor-island features into one (same
   coordinates, one set of properties); write the hand-made Astola Island.
2. Build ``shore_distance.npz``: the signed distance (km, negative on land) to
   the shipped coastline at nodes every 0.01 degree over lon 55–70 E,
   lat 20–28 N, computed exactly with ``coastwatch.geo``'s shapely path, stored
   as int32 in units of 10 m; values on land are clamped at -10 km.

``--check N`` then compares the raster with exact distances at N random sea
points within 200 km of shore and prints the error statistics that the
``coastwatch.geo`` docstring quotes.

Usage::

    PYTHONPATH=. python scripts/build_geo_raster.py --copy-from ../shared/geo
    PYTHONPATH=. python scripts/build_geo_raster.py --check 20000
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "coastwatch" / "data"
STEP_DEG = 0.01
LAT0, LAT1 = 20.0, 28.0
LON0, LON1 = 55.0, 70.0
SCALE_KM = 0.01  # stored integer unit: 10 m
LAND_CLAMP_KM = 10.0

COPIED = (
    "ne_10m_land_makran.geojson",
    "ne_10m_boundary_lines_land_makran.geojson",
    "pak_maritime_zones_approx.geojson",
    "makran_landmarks.json",
)

# Astola Island (Jezira Haft Talar), missing from Natural Earth 10m. Outline
# drawn by hand to match: centre 25.1225 N 63.8475 E, light at the west end
# 25.119 N 63.833 E (Wikipedia), about 4.5 km WSW-ENE by up to 1.5 km, and the
# 1/120-degree land cells of the GLOBE-based global-land-mask package
# (25.105-25.13 N, 63.83-63.875 E). Lon, lat; counter-clockwise.
ASTOLA_LONLAT = (
    (63.8265, 25.1175),
    (63.8330, 25.1125),
    (63.8450, 25.1135),
    (63.8580, 25.1170),
    (63.8700, 25.1215),
    (63.8745, 25.1265),
    (63.8680, 25.1300),
    (63.8540, 25.1290),
    (63.8400, 25.1255),
    (63.8300, 25.1230),
    (63.8265, 25.1175),
)


def copy_sources(src: Path) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(src / name, DATA / name)
    islands = json.loads((src / "ne_10m_minor_islands_makran.geojson").read_text())
    polygons = []
    for feature in islands["features"]:
        geom = feature["geometry"]
        if geom["type"] == "Polygon":
            polygons.append(geom["coordinates"])
        else:
            polygons.extend(geom["coordinates"])
    merged = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "featurecla": "Minor island",
                    "source": "Natural Earth 4.0.0 ne_10m_minor_islands, "
                    "clipped to lon 55-70 E, lat 20-28 N; features merged",
                },
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        ],
    }
    _write_json(DATA / "ne_10m_minor_islands_makran.geojson", merged)
    astola = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "Astola Island (Jezira Haft Talar)",
                    "source": "hand-made outline, see PROVENANCE.md",
                    "confidence": "medium",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[list(p) for p in ASTOLA_LONLAT]],
                },
            }
        ],
    }
    _write_json(DATA / "astola_island.geojson", astola)


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n", encoding="utf-8")


def build_raster() -> None:
    from coastwatch import geo

    lat = np.round(np.arange(LAT0, LAT1 + STEP_DEG / 2, STEP_DEG), 6)
    lon = np.round(np.arange(LON0, LON1 + STEP_DEG / 2, STEP_DEG), 6)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    t0 = time.perf_counter()
    signed = geo._exact_signed_distance_km(la.ravel(), lo.ravel()).reshape(la.shape)
    elapsed = time.perf_counter() - t0
    print(f"exact distances at {signed.size:,} nodes in {elapsed:.1f} s")
    # Depth inland is never reported (land has distance 0); clamping it keeps
    # the field 1-Lipschitz and its sign, and compresses far better.
    signed = np.maximum(signed, -LAND_CLAMP_KM)
    stored = np.round(signed / SCALE_KM).astype(np.int32)
    np.savez_compressed(
        DATA / "shore_distance.npz",
        signed_distance=stored,
        scale_km=np.float64(SCALE_KM),
        lat0=np.float64(LAT0),
        lon0=np.float64(LON0),
        step_deg=np.float64(STEP_DEG),
        description=np.str_(
            "signed geodesic distance to the nearest coastline (Natural Earth 10m "
            "land + minor islands + Astola), negative on land (clamped at -10 km); "
            "value * scale_km = "
            "km; node [i, j] at lat0 + i*step_deg, lon0 + j*step_deg"
        ),
    )
    size = (DATA / "shore_distance.npz").stat().st_size
    print(f"shore_distance.npz: {stored.shape}, {size / 1e6:.2f} MB")


def check(n: int, seed: int = 1) -> None:
    from coastwatch import geo

    rng = np.random.default_rng(seed)
    lat = rng.uniform(LAT0, LAT1, 20 * n)
    lon = rng.uniform(LON0, LON1, 20 * n)
    exact = geo._exact_signed_distance_km(lat, lon)
    keep = np.flatnonzero((exact > 0) & (exact <= 200))[:n]
    raster = geo._raster_signed_km(lat[keep], lon[keep])
    err_m = np.abs(raster - exact[keep]) * 1000
    served = geo.shore_distance_km(lat[keep], lon[keep])
    err_served_m = np.abs(served - exact[keep]) * 1000
    print(f"{len(keep)} sea points within 200 km of shore")
    for label, e in (("raster", err_m), ("shore_distance_km", err_served_m)):
        print(
            f"{label}: median {np.median(e):.0f} m, p95 {np.percentile(e, 95):.0f} m, "
            f"max {e.max():.0f} m"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copy-from", type=Path, help="the shared geo folder")
    parser.add_argument("--no-raster", action="store_true")
    parser.add_argument("--check", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.copy_from:
        copy_sources(args.copy_from)
    if not args.no_raster and not args.check:
        build_raster()
    if args.check:
        check(args.check)


if __name__ == "__main__":
    main()
