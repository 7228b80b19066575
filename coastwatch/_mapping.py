"""Shared map drawing for the PNG products: base layers, layout, PNG bytes.

Maps are plate carrée (longitude/latitude) with the aspect set for the
box's middle latitude, so shapes are true near it. Figures are plain
:class:`matplotlib.figure.Figure` objects (no pyplot state) drawn under
matplotlib's default style plus the settings below, whatever the user's
matplotlibrc says, and saved without the 'Software' PNG tag: the same input
gives the same bytes with the same matplotlib.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from functools import lru_cache

import matplotlib
import matplotlib.style
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from . import geo
from ._io import write_bytes_atomic

SEA = "#e8f1f7"
LAND = "#e9e4d8"
COAST = "#7a7a7a"
BORDER = "#b2182b"
TERRITORIAL = "#2b6cb0"
BASE = "#08306b"
TEXT = "#222222"

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.edgecolor": "#555555",
    "savefig.facecolor": "white",
    "image.interpolation": "nearest",
}

# Ports and harbours worth a label on a regional map, by priority; a name
# within _LABEL_SPACING_KM of one already labelled is skipped.
_LABEL_KINDS = ("port", "fishing_harbour")
_LABEL_SPACING_KM = 40.0
_NAME_SUFFIXES = (" port", " fish harbour")


@contextlib.contextmanager
def style():
    """Matplotlib's defaults plus the house settings, ignoring matplotlibrc."""
    with matplotlib.style.context("default"), matplotlib.rc_context(_STYLE):
        yield


def new_figure(width_in: float, height_in: float) -> Figure:
    """A pyplot-free figure with an Agg canvas."""
    fig = Figure(figsize=(width_in, height_in))
    FigureCanvasAgg(fig)
    return fig


def aspect(lat_min: float, lat_max: float) -> float:
    """Display height per degree latitude over width per degree longitude."""
    return 1.0 / math.cos(math.radians(0.5 * (lat_min + lat_max)))


def png_bytes(fig: Figure, dpi: int) -> bytes:
    """The figure as PNG, without the Software tag (byte-reproducible)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def save_png(fig: Figure, path: str | os.PathLike, dpi: int) -> bytes:
    """Write the figure as PNG atomically; return the bytes written."""
    data = png_bytes(fig, dpi)
    write_bytes_atomic(path, data)
    return data


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}°{hemisphere}"


def setup_map(ax, box, ticks: bool = True) -> None:
    """Limits, aspect, sea colour and degree ticks for a lon/lat box.

    ``box`` is ``(lon_min, lon_max, lat_min, lat_max)`` in degrees.
    """
    lon0, lon1, lat0, lat1 = box
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(aspect(lat0, lat1))
    ax.set_facecolor(SEA)
    if ticks:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "E", "W")))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "N", "S")))
        ax.tick_params(length=3, color="#777777")
    else:
        ax.set_xticks([])
        ax.set_yticks([])


@lru_cache(maxsize=16)
def _land_rings(box) -> tuple[np.ndarray, ...]:
    """Exterior rings of the land clipped to a (slightly padded) view box."""
    lon0, lon1, lat0, lat1 = box
    pad = 0.02 * max(lon1 - lon0, lat1 - lat0)
    clipped = shapely.clip_by_rect(
        geo.land_geometry(), lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad
    )
    rings = []
    for polygon in shapely.get_parts(clipped):
        if isinstance(polygon, shapely.Polygon) and not polygon.is_empty:
            rings.append(np.asarray(polygon.exterior.coords))
    return tuple(rings)


@lru_cache(maxsize=16)
def _coast_paths(box) -> tuple[np.ndarray, ...]:
    """Coastlines clipped to a (slightly padded) view box."""
    lon0, lon1, lat0, lat1 = box
    pad = 0.02 * max(lon1 - lon0, lat1 - lat0)
    out = []
    for path in geo.coastline_paths():
        if not _in_view(path, (lon0 - pad, lon1 + pad, lat0 - pad, lat1 + pad)):
            continue
        line = shapely.clip_by_rect(
            shapely.LineString(path), lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad
        )
        for part in shapely.get_parts(line):
            if not part.is_empty:
                out.append(shapely.get_coordinates(part))
    return tuple(out)


def _in_view(xy: np.ndarray, box) -> bool:
    lon0, lon1, lat0, lat1 = box
    return bool(
        xy[:, 0].max() >= lon0
        and xy[:, 0].min() <= lon1
        and xy[:, 1].max() >= lat0
        and xy[:, 1].min() <= lat1
    )


def _short_name(name: str) -> str:
    name = name.split(" (")[0].split(",")[0]
    for suffix in _NAME_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def port_labels(
    box, spacing_km: float = _LABEL_SPACING_KM
) -> list[tuple[str, float, float]]:
    """(short name, lat, lon) of the ports and harbours to label in a box."""
    areas = geo.port_areas()
    chosen: list[tuple[str, float, float]] = []
    for kind in _LABEL_KINDS:
        for row in areas[areas["kind"] == kind].itertuples():
            if not (box[0] <= row.lon <= box[1] and box[2] <= row.lat <= box[3]):
                continue
            close = any(
                _km(row.lat, row.lon, lat, lon) < spacing_km for _, lat, lon in chosen
            )
            if not close:
                chosen.append((_short_name(row.name), row.lat, row.lon))
    return chosen


def _km(lat1, lon1, lat2, lon2) -> float:
    k = math.cos(math.radians(0.5 * (lat1 + lat2)))
    return 111.2 * math.hypot(lat2 - lat1, (lon2 - lon1) * k)


def _halo(width: float = 2.5):
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def draw_base(
    ax,
    box,
    *,
    lines: bool = True,
    ports: bool = True,
    bases: bool = True,
    labels: bool = True,
    label_size: float = 7.5,
    label_spacing_km: float = _LABEL_SPACING_KM,
) -> list:
    """Land, coastline, border and 12 nm lines, ports and bases.

    Returns legend handles for what was drawn.
    """
    handles = []
    box = tuple(float(v) for v in box)
    for ring in _land_rings(box):
        ax.fill(ring[:, 0], ring[:, 1], color=LAND, zorder=1, lw=0)
    for path in _coast_paths(box):
        ax.plot(path[:, 0], path[:, 1], color=COAST, lw=0.6, zorder=4)
    if lines:
        border = shapely.get_coordinates(geo.border_line())
        ax.plot(
            border[:, 0], border[:, 1], color=BORDER, lw=1.3, ls=(0, (6, 3)), zorder=5
        )
        for part in shapely.get_parts(geo.territorial_line()):
            xy = shapely.get_coordinates(part)
            ax.plot(
                xy[:, 0], xy[:, 1], color=TERRITORIAL, lw=0.9, ls=(0, (2, 2)), zorder=5
            )
        handles += [
            Line2D(
                [],
                [],
                color=BORDER,
                lw=1.3,
                ls=(0, (6, 3)),
                label="Iran–Pakistan line (approx.)",
            ),
            Line2D(
                [],
                [],
                color=TERRITORIAL,
                lw=0.9,
                ls=(0, (2, 2)),
                label="12 nm territorial-sea limit (approx.)",
            ),
        ]
    if ports:
        found = port_labels(box, label_spacing_km)
        if found:
            lat = [p[1] for p in found]
            lon = [p[2] for p in found]
            ax.plot(
                lon, lat, "o", ms=3.2, color="#333333", mec="white", mew=0.6, zorder=7
            )
            if labels:
                for name, la, lo in found:
                    ax.annotate(
                        name,
                        (lo, la),
                        xytext=(0, 5),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=label_size,
                        color=TEXT,
                        path_effects=_halo(),
                        zorder=8,
                    )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    ms=3.2,
                    color="#333333",
                    mec="white",
                    mew=0.6,
                    label="port / fishing harbour",
                )
            )
    if bases:
        frame = geo.bases()
        inside = frame["lon"].between(box[0], box[1]) & frame["lat"].between(
            box[2], box[3]
        )
        if inside.any():
            ax.plot(
                frame.loc[inside, "lon"],
                frame.loc[inside, "lat"],
                "^",
                ms=6,
                color=BASE,
                mec="white",
                mew=0.7,
                zorder=7,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="^",
                    ls="",
                    ms=6,
                    color=BASE,
                    mec="white",
                    mew=0.7,
                    label="Coast Guard / PMSA / Navy base",
                )
            )
    return handles


def scale_bar(ax, box, length_km: float | None = None) -> None:
    """A scale bar in the lower-right corner of a lon/lat map."""
    lon0, lon1, lat0, lat1 = box
    km_per_deg = 111.2 * math.cos(math.radians(0.5 * (lat0 + lat1)))
    width_km = (lon1 - lon0) * km_per_deg
    if length_km is None:
        target = width_km / 6
        length_km = max(
            (n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if n <= target),
            default=1,
        )
    dlon = length_km / km_per_deg
    x1 = lon1 - 0.03 * (lon1 - lon0)
    x0 = x1 - dlon
    y = lat0 + 0.05 * (lat1 - lat0)
    ax.plot([x0, x1], [y, y], color="#333333", lw=2.2, solid_capstyle="butt", zorder=9)
    ax.plot([x0, x1], [y, y], color="white", lw=0.8, solid_capstyle="butt", zorder=9)
    ax.annotate(
        f"{length_km:g} km",
        ((x0 + x1) / 2, y),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7.5,
        color=TEXT,
        path_effects=_halo(),
        zorder=9,
    )


def smooth(values: np.ndarray, lat: np.ndarray, step_deg: float, sigma_km: float):
    """Gaussian smoothing of a (lat, lon) grid, sum-preserving away from edges.

    The kernel is ``sigma_km`` wide in both directions (its width in cells
    along longitude uses the grid's middle latitude).
    """
    if sigma_km <= 0 or not values.any():
        return values.astype(np.float64)
    mid = float(np.mean(lat)) if len(lat) else 0.0
    out = values.astype(np.float64)
    for axis, cell_km in (
        (0, 111.2 * step_deg),
        (1, 111.2 * step_deg * math.cos(math.radians(mid))),
    ):
        sigma = sigma_km / cell_km
        radius = max(1, math.ceil(3 * sigma))
        x = np.arange(-radius, radius + 1)
        kernel = np.exp(-0.5 * (x / sigma) ** 2)
        kernel /= kernel.sum()
        # 'full' then the centre: 'same' would return the kernel's length
        # when the grid is narrower than the kernel.
        n = out.shape[axis]
        full = np.apply_along_axis(np.convolve, axis, out, kernel, mode="full")
        out = np.take(full, np.arange(radius, radius + n), axis=axis)
    return out
