import base64
import io
import re
import shutil
import subprocess

import numpy as np
import pytest
from fabricate_day import VESSEL_A, VESSEL_B, shared_day
from PIL import Image

from coastwatch import _mapping
from coastwatch.heatmaps import risk_grid
from coastwatch.report import incident_map_png, render_report
from coastwatch.tasking import tasking_list

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian: apt-get install -y chromium)",
)


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@pytest.fixture(scope="module")
def report_parts():
    day = shared_day()
    ds = risk_grid(day.tracks, day.events)
    tasking = tasking_list(day.events, day.incidents)
    return day, ds, tasking


def _report(tmp_path, report_parts, name="report.html", **kwargs):
    day, ds, tasking = report_parts
    options = {
        "tracks": day.tracks,
        "incidents": day.incidents,
        "events": day.events,
    }
    options.update(kwargs)
    summary = {"track_rows": len(day.tracks)}
    return render_report(
        "2024-03-01",
        ds,
        options.pop("events"),
        options.pop("incidents"),
        tasking,
        summary,
        tmp_path / name,
        **options,
    )


def test_report_is_self_contained_and_lists_the_targets(tmp_path, report_parts):
    day, _, tasking = report_parts
    page = _report(tmp_path, report_parts).read_text()
    assert page.startswith("<!DOCTYPE html>")
    # Nothing to fetch: no scripts, no stylesheets, no remote URLs.
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 2 + 5  # heatmap, layers, five incident/event maps
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert Image.open(io.BytesIO(png)).size[0] > 300
    for rank in range(1, len(tasking) + 1):
        assert f'<tr id="target-{rank}" class="target">' in page
    assert 'id="incident-I-20240301-001"' in page
    assert "went dark at 19:10 near Jiwani" in page
    assert f"{len(day.tracks):,}" in page
    assert "Jiwani naval station" in page


def test_report_bytes_are_reproducible(tmp_path, report_parts):
    one = _report(tmp_path, report_parts, "a.html").read_bytes()
    two = _report(tmp_path, report_parts, "b.html").read_bytes()
    assert one == two
    assert not list(tmp_path.glob(".*part"))


def test_report_escapes_text_and_works_without_incidents_or_tracks(
    tmp_path, report_parts
):
    day, _, _ = report_parts
    events = day.events.copy()
    events.loc[events["risk"].idxmax(), "reasons"] = "<script>alert(1)</script> & co"
    page = _report(
        tmp_path, report_parts, events=events, incidents=None, tracks=None
    ).read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "Top incidents and events" in page
    # Without incidents the strongest events are shown, each with its map.
    top_id = events.loc[events["risk"].idxmax(), "event_id"]
    assert f'id="incident-{top_id}"' in page


def test_incident_map_shows_the_vessels_and_is_deterministic(report_parts):
    day, _, _ = report_parts
    members = day.events[day.events["event_id"].isin(day.planted_event_ids)]
    one = incident_map_png(members, day.tracks)
    assert one == incident_map_png(members, day.tracks)
    image = Image.open(io.BytesIO(one)).convert("RGB")
    assert image.size[0] == 440
    pixels = np.asarray(image).reshape(-1, 3)
    # Each vessel's track is drawn in its own colour.
    for colour in ("#1f77b4", "#d62728"):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels.astype(int) - rgb).sum(axis=1) < 30).sum() > 50
    without_tracks = incident_map_png(members, None)
    assert without_tracks != one
    assert sorted({VESSEL_A, VESSEL_B}) == sorted(
        set(members["mmsi"]) | set(members["other_mmsi"].dropna().astype(int))
    )


@needs_chromium
def test_report_renders_in_headless_chromium(tmp_path, report_parts):
    _, _, tasking = report_parts
    path = _report(tmp_path, report_parts)
    dom = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    rows = re.findall(r'<tr id="target-(\d+)" class="target">', dom)
    assert rows == [str(r) for r in range(1, len(tasking) + 1)]
    top = tasking.iloc[0]
    assert f"<td>{top['mmsi']}</td>" in dom
    assert "Patrol tasking list for the coming night" in dom
    assert "I-20240301-001" in dom
    shot = tmp_path / "shot.png"
    _chromium(
        tmp_path, f"--screenshot={shot}", "--window-size=1400,2200", path.as_uri()
    )
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[:2] == (2200, 1400)
    # The embedded heatmap was decoded and painted: its land colour is there.
    land = np.array([int(_mapping.LAND[i : i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(image.astype(int) - land).sum(axis=2) == 0).sum() > 10_000
    # And the page header (dark navy band) is on top.
    assert tuple(image[10, 700]) == (0x0B, 0x25, 0x45)
