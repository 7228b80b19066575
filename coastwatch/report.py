"""The daily HTML report: one self-contained file an analyst opens in a browser.

Everything is inside the file: images as base64 ``data:`` URIs, CSS inline,
no script and no link to any network resource, so it can be mailed or opened
on an air-gapped machine. Sections: the day's counts, the heatmap, the patrol
tasking list, the top incidents (each with its events and a small map of the
vessels' tracks around it), and the activity layers. The same inputs give
the same bytes.
"""

from __future__ import annotations

import base64
import html
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import days as _days
from ._io import write_text_atomic
from ._version import __version__
from .events import EVENT_KINDS
from .heatmaps import _day_slice, _window_text, render_heatmap, render_layers
from .schema import timestamps_ns

__all__ = ["incident_map_png", "render_report"]

_KIND_WORDS = {
    "loitering": "Loitering",
    "dark_gap": "Dark gap",
    "rendezvous": "Rendezvous",
    "dark_rendezvous": "Dark rendezvous",
    "drift": "Drift",
}
_TRACK_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_MAP_MARGIN_H = 3.0  # hours of track shown before and after an incident
_MAP_MIN_KM = 30.0

_CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:0;color:#222;
background:#f4f6f8;font-size:14px;line-height:1.4}
header{background:#0b2545;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9d6e3}
main{padding:18px 28px;max-width:1500px}
section{background:#fff;border:1px solid #d9dee3;border-radius:6px;
padding:14px 18px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 10px;color:#0b2545}
h3{font-size:15px;margin:0 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #d9dee3;border-radius:6px;padding:8px 14px;min-width:110px;
background:#fafbfc}
.card b{display:block;font-size:22px;color:#0b2545}
.card span{font-size:12px;color:#555}
img{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e7eb;padding:5px 7px;text-align:left;
vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.nowrap{white-space:nowrap}
.score{display:inline-block;min-width:42px;text-align:center;border-radius:4px;
padding:1px 5px;font-weight:600;color:#fff}
.incident{display:flex;flex-wrap:wrap;gap:16px;border-top:1px solid #e3e7eb;
padding-top:12px;margin-top:12px}
.incident:first-of-type{border-top:none;margin-top:0;padding-top:0}
.incident .map{flex:0 0 440px}
.incident .text{flex:1 1 420px}
.muted{color:#666;font-size:12px}
footer{padding:0 28px 24px;color:#666;font-size:12px}
"""


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _score_colour(score: float) -> str:
    if not np.isfinite(score):
        return "#888888"
    if score >= 0.8:
        return "#a50f15"
    if score >= 0.6:
        return "#de2d26"
    if score >= 0.4:
        return "#fb6a4a"
    return "#6b7b8c"


def _score_badge(score) -> str:
    value = float(score) if score is not None and not pd.isna(score) else float("nan")
    text = f"{value:.2f}" if np.isfinite(value) else "–"
    return (
        f'<span class="score" style="background:{_score_colour(value)}">{text}</span>'
    )


def _latlon(lat: float, lon: float) -> str:
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.3f}°{ns} {abs(lon):.3f}°{ew}"


def _time(value) -> str:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert("UTC").strftime("%d %b %H:%M")


def _vessels(ev) -> list[int]:
    out = [int(ev["mmsi"])]
    other = ev.get("other_mmsi")
    if other is not None and not pd.isna(other):
        out.append(int(other))
    return out


# --------------------------------------------------------------------------
# Incident track maps


def _track_box(lat_values, lon_values):
    lat0, lat1 = float(np.nanmin(lat_values)), float(np.nanmax(lat_values))
    lon0, lon1 = float(np.nanmin(lon_values)), float(np.nanmax(lon_values))
    c_lat, c_lon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    k = max(math.cos(math.radians(c_lat)), 1e-6)
    half_lat = max((lat1 - lat0) / 2 * 1.15, _MAP_MIN_KM / 2 / 111.2)
    half_lon = max((lon1 - lon0) / 2 * 1.15, half_lat / k)
    half_lat = max(half_lat, half_lon * k * 0.75)  # not too flat a map
    return (c_lon - half_lon, c_lon + half_lon, c_lat - half_lat, c_lat + half_lat)


def incident_map_png(
    members: pd.DataFrame, tracks: pd.DataFrame | None, dpi: int = 100
) -> bytes:
    """A small map of the vessels' tracks around an incident, as PNG bytes.

    Shows each involved vessel's fixes from ``_MAP_MARGIN_H`` (3) hours before
    the first event to 3 hours after the last, the events (dark gaps as a
    dashed line from where the vessel vanished to where it reappeared), land,
    coastline, the border and 12 nm lines, ports and bases.

    Parameters
    ----------
    members : pandas.DataFrame
        The incident's events (event table rows).
    tracks : pandas.DataFrame or None
        Track table (``mmsi``, ``timestamp``, ``lat``, ``lon``); None draws
        the events only.
    dpi : int
        Resolution of the 4.4-inch-wide figure.

    Returns
    -------
    bytes
        PNG, byte-reproducible.
    """
    from matplotlib.lines import Line2D

    from . import _mapping as m

    vessels = sorted(
        {v for ev in members.to_dict(orient="records") for v in _vessels(ev)}
    )
    start = pd.Timestamp(members["start"].min()) - pd.Timedelta(hours=_MAP_MARGIN_H)
    end = pd.Timestamp(members["end"].max()) + pd.Timedelta(hours=_MAP_MARGIN_H)
    paths = {}
    if tracks is not None and len(tracks):
        t_ns = timestamps_ns(tracks)
        mmsi = tracks["mmsi"].to_numpy(np.int64)
        keep = np.isin(mmsi, vessels) & (t_ns >= start.value) & (t_ns <= end.value)
        sub = tracks.loc[keep, ["mmsi", "lat", "lon"]].assign(t=t_ns[keep])
        for v, group in sub.groupby("mmsi", sort=True):
            group = group.sort_values(["t", "lat", "lon"], kind="stable")
            paths[int(v)] = (group["lon"].to_numpy(), group["lat"].to_numpy())
    lat_all = np.concatenate(
        [
            members["lat"].to_numpy(float),
            members.get("end_lat", members["lat"]).to_numpy(float),
        ]
        + [p[1] for p in paths.values()]
    )
    lon_all = np.concatenate(
        [
            members["lon"].to_numpy(float),
            members.get("end_lon", members["lon"]).to_numpy(float),
        ]
        + [p[0] for p in paths.values()]
    )
    box = _track_box(lat_all, lon_all)
    width = 4.4
    height = width * (box[3] - box[2]) * m.aspect(box[2], box[3]) / (box[1] - box[0])
    height = min(max(height, 2.2), 5.0)
    with m.style():
        fig = m.new_figure(width, height + 0.5)
        ax = fig.add_axes(
            (0.13, 0.5 / (height + 0.5) + 0.02, 0.84, height / (height + 0.5) - 0.06)
        )
        m.setup_map(ax, box)
        ax.tick_params(labelsize=6.5)
        m.draw_base(ax, box, label_size=6.5, label_spacing_km=10.0)
        handles = []
        for k, v in enumerate(vessels):
            colour = _TRACK_COLOURS[k % len(_TRACK_COLOURS)]
            if v in paths:
                x, y = paths[v]
                ax.plot(x, y, "-", color=colour, lw=1.1, alpha=0.9, zorder=6)
                ax.plot(x, y, ".", color=colour, ms=1.6, zorder=6)
            handles.append(Line2D([], [], color=colour, lw=1.5, label=str(v)))
        for ev in members.to_dict(orient="records"):
            if ev["kind"] == "dark_gap":
                ax.plot(
                    [ev["lon"], ev.get("end_lon", ev["lon"])],
                    [ev["lat"], ev.get("end_lat", ev["lat"])],
                    ls=(0, (3, 2)),
                    color="#333333",
                    lw=1.2,
                    zorder=7,
                )
                ax.plot(
                    ev["lon"],
                    ev["lat"],
                    "X",
                    color="#333333",
                    ms=6,
                    mec="white",
                    zorder=8,
                )
            else:
                marker = {
                    "loitering": "o",
                    "rendezvous": "*",
                    "dark_rendezvous": "D",
                    "drift": "v",
                }.get(ev["kind"], "o")
                ax.plot(
                    ev["lon"],
                    ev["lat"],
                    marker,
                    ms=9 if marker == "*" else 6,
                    color="#ffcc00",
                    mec="#333333",
                    mew=0.8,
                    zorder=8,
                )
        kinds = set(members["kind"])
        if "dark_gap" in kinds:
            handles.append(
                Line2D(
                    [],
                    [],
                    ls=(0, (3, 2)),
                    color="#333333",
                    marker="X",
                    ms=5,
                    label="dark gap (vanished at ×)",
                )
            )
        for kind, marker in (
            ("loitering", "o"),
            ("rendezvous", "*"),
            ("dark_rendezvous", "D"),
            ("drift", "v"),
        ):
            if kind in kinds:
                handles.append(
                    Line2D(
                        [],
                        [],
                        ls="",
                        marker=marker,
                        color="#ffcc00",
                        mec="#333333",
                        ms=8 if marker == "*" else 5,
                        label=_KIND_WORDS[kind].lower(),
                    )
                )
        fig.legend(
            handles=handles,
            loc="lower left",
            ncol=3,
            fontsize=6.5,
            frameon=False,
            bbox_to_anchor=(0.1, 0.0),
        )
        return m.png_bytes(fig, dpi)


# --------------------------------------------------------------------------
# HTML


def _counts_section(day_ds, events, incidents, tasking, summary) -> str:
    cards = []
    vessels = summary.get("vessels") if summary else None
    if vessels is None and day_ds is not None:
        vessels = int(day_ds["vessel_count"])
    if vessels is not None:
        cards.append((vessels, "vessels heard"))
    if summary and "track_rows" in summary:
        cards.append((summary["track_rows"], "position reports"))
    counts = events["kind"].value_counts() if events is not None and len(events) else {}
    for kind in EVENT_KINDS:
        cards.append((int(counts.get(kind, 0)), _KIND_WORDS[kind].lower() + " events"))
    cards.append((0 if incidents is None else len(incidents), "incidents"))
    cards.append((0 if tasking is None else len(tasking), "patrol targets"))
    body = "".join(
        f'<div class="card"><b>{_esc(f"{n:,}" if isinstance(n, int) else n)}</b>'
        f"<span>{_esc(label)}</span></div>"
        for n, label in cards
    )
    return (
        '<section id="counts"><h2>The day in numbers</h2>'
        f'<div class="cards">{body}</div></section>'
    )


def _tasking_section(tasking: pd.DataFrame | None) -> str:
    head = (
        "<tr><th>#</th><th>Score</th><th>Go to</th><th>Search box</th>"
        "<th>Top vessel</th><th>All vessels</th><th>Activity (UTC)</th>"
        "<th>Nearest base</th><th>Why</th></tr>"
    )
    rows = []
    if tasking is not None:
        for t in tasking.to_dict(orient="records"):
            window = f"{_time(t['window_start'])} – {_time(t['window_end'])}"
            kinds = str(t["kinds"]).replace(";", ", ").replace("_", " ")
            box = (
                f"{t['min_lat']:.3f}–{t['max_lat']:.3f}°N<br>"
                f"{t['min_lon']:.3f}–{t['max_lon']:.3f}°E"
            )
            vessels = "<br>".join(_esc(v) for v in str(t["mmsis"]).split(";") if v)
            rows.append(
                f'<tr id="target-{int(t["rank"])}" class="target">'
                f'<td class="num">{int(t["rank"])}</td>'
                f"<td>{_score_badge(t['score'])}</td>"
                f'<td class="nowrap">{_esc(_latlon(t["lat"], t["lon"]))}</td>'
                f'<td class="nowrap">{box}</td>'
                f"<td>{_esc(t['mmsi'])}</td><td>{vessels}</td>"
                f'<td class="nowrap">{_esc(window)}</td>'
                f"<td>{_esc(t['nearest_base'])}<br>"
                f'<span class="muted">{t["base_km"]:.0f} km</span></td>'
                f"<td>{_esc(t['reasons'])}<br>"
                f'<span class="muted">{_plural(int(t["n_events"]), "event")}: '
                f"{_esc(kinds)}</span></td>"
                "</tr>"
            )
    if not rows:
        rows.append(
            '<tr><td colspan="9">No targets: no scored events this day.</td></tr>'
        )
    return (
        '<section id="tasking"><h2>Patrol tasking list for the coming night</h2>'
        '<p class="muted">Ranked by score (0–1: the chance that at least one of the '
        "events behind a target is what it looks like). Boxes are drawn on the "
        "heatmap with the same numbers. Distances to bases are straight lines, "
        "not sailing distances.</p>"
        f"<table>{head}{''.join(rows)}</table></section>"
    )


def _incident_units(events, incidents, top: int):
    """(id, score, summary, member rows) of the strongest incidents and events.

    Incidents first compete with the events that belong to none; the ``top``
    strongest are kept.
    """
    units = []
    if events is None or not len(events):
        return units
    ids = events["event_id"].tolist()
    risk = events["risk"].to_numpy(float)
    position = {e: i for i, e in enumerate(ids)}
    in_incident = np.zeros(len(events), dtype=bool)
    if incidents is not None and len(incidents):
        for inc in incidents.to_dict(orient="records"):
            raw = inc.get("event_ids", "")
            members = raw.split(";") if isinstance(raw, str) else list(raw)
            rows = sorted(position[e] for e in members if e in position)
            if not rows:
                continue
            in_incident[rows] = True
            score = inc.get("risk", inc.get("score", np.nan))
            if score is None or pd.isna(score):
                score = float(np.nanmax(risk[rows]))
            summary = str(inc.get("summary", "") or "")
            units.append((str(inc["incident_id"]), float(score), summary, rows))
    for i in np.flatnonzero(~in_incident & np.isfinite(risk)):
        units.append((ids[i], float(risk[i]), "", [int(i)]))
    units.sort(key=lambda u: (-u[1], u[0]))
    return units[:top]


def _incidents_section(events, incidents, tracks, top: int) -> str:
    units = _incident_units(events, incidents, top)
    title = "Top incidents and events"
    if not units:
        return (
            f'<section id="incidents"><h2>{title}</h2><p>None this day.</p></section>'
        )
    blocks = []
    for uid, score, summary, rows in units:
        members = events.iloc[rows]
        png = incident_map_png(members, tracks)
        lines = []
        for ev in members.to_dict(orient="records"):
            who = " & ".join(str(v) for v in _vessels(ev))
            lines.append(
                f"<tr><td>{_esc(_KIND_WORDS.get(ev['kind'], ev['kind']))}</td>"
                f"<td>{_esc(who)}</td>"
                f'<td class="nowrap">{_esc(_time(ev["start"]))} – '
                f"{_esc(_time(ev['end']))}</td>"
                f'<td class="nowrap">{_esc(_latlon(ev["lat"], ev["lon"]))}</td>'
                f"<td>{_score_badge(ev['risk'])}</td>"
                f"<td>{_esc(ev.get('reasons', ''))}</td></tr>"
            )
        text = f"<p>{_esc(summary)}</p>" if summary else ""
        blocks.append(
            f'<div class="incident" id="incident-{_esc(uid)}">'
            f'<div class="map"><img alt="tracks around {_esc(uid)}" '
            f'src="{_data_uri(png)}"></div>'
            f'<div class="text"><h3>{_esc(uid)} {_score_badge(score)}</h3>{text}'
            "<table><tr><th>Event</th><th>Vessels</th><th>When (UTC)</th><th>Where</th>"
            f"<th>Risk</th><th>Reasons</th></tr>{''.join(lines)}</table></div></div>"
        )
    return f'<section id="incidents"><h2>{title}</h2>{"".join(blocks)}</section>'


def render_report(
    day,
    ds: xr.Dataset | None,
    events: pd.DataFrame | None,
    incidents: pd.DataFrame | None,
    tasking: pd.DataFrame | None,
    summary: dict | None,
    path: str | os.PathLike,
    *,
    tracks: pd.DataFrame | None = None,
    heatmap_png: bytes | None = None,
    layers_png: bytes | None = None,
    top_incidents: int = 5,
) -> Path:
    """Write the day's self-contained HTML report, atomically.

    Parameters
    ----------
    day : date-like
        The day's label.
    ds : xarray.Dataset or None
        Risk grid (:func:`coastwatch.heatmaps.risk_grid`) holding the day;
        used for counts and, when no PNG bytes are given, to draw the heatmap
        and layers.
    events : pandas.DataFrame or None
        The day's scored events.
    incidents : pandas.DataFrame or None
        The day's incidents (``incident_id``, ``event_ids``, optional
        ``risk``/``score`` and ``summary``); without them the strongest events
        are shown instead.
    tasking : pandas.DataFrame or None
        From :func:`coastwatch.tasking.tasking_list`.
    summary : dict or None
        Extra facts; ``vessels`` and ``track_rows`` are shown if present.
    path : str or os.PathLike
        The HTML file to write.
    tracks : pandas.DataFrame, optional
        The day's tracks, for the incident maps.
    heatmap_png, layers_png : bytes, optional
        Already rendered images (else drawn from ``ds``).
    top_incidents : int
        Incidents (or events) shown with a map.

    Returns
    -------
    pathlib.Path
    """
    label = _days.day_label(day)
    day_ds = None
    window = ""
    if ds is not None:
        day_ds, start, end = _day_slice(ds, label)
        window = _window_text(start, end, ds.attrs.get("day_boundary", "utc"))
        if heatmap_png is None or layers_png is None:
            with tempfile.TemporaryDirectory() as tmp:
                if heatmap_png is None:
                    heatmap_png = render_heatmap(
                        ds, label, tasking, Path(tmp) / "h.png"
                    ).read_bytes()
                if layers_png is None:
                    layers_png = render_layers(
                        ds, label, Path(tmp) / "l.png"
                    ).read_bytes()
    heat = (
        '<section id="heatmap"><h2>Where the risk was</h2>'
        f'<img alt="risk heatmap for {label}" src="{_data_uri(heatmap_png)}"></section>'
        if heatmap_png
        else ""
    )
    layers = (
        '<section id="layers"><h2>Activity layers</h2>'
        f'<img alt="activity layers for {label}" '
        f'src="{_data_uri(layers_png)}"></section>'
        if layers_png
        else ""
    )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>coastwatch daily report {label}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>Smuggling-risk daily report — {label:%A %d %B %Y}</h1>"
        f"<p>{_esc(window)}</p></header><main>"
        + _counts_section(day_ds, events, incidents, tasking, summary)
        + heat
        + _tasking_section(tasking)
        + _incidents_section(events, incidents, tracks, top_incidents)
        + layers
        + "</main><footer>Made by coastwatch "
        f"{_esc(__version__)} from AIS position reports. Positions WGS84, times "
        "UTC. Border, 12 nm limit and base positions are approximate and not for "
        "navigation or legal use. Risk scores rank where to look; they are not "
        "evidence.</footer></body></html>\n"
    )
    write_text_atomic(path, page)
    return Path(path)
