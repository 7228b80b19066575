"""The whole daily job as one function: track files in, day folders out.

    read -> segment -> detect -> score -> chain incidents -> per day: grid,
    render, tasking, report

Each stage is also a public function of its own module; this module only
strings them together, times them and reports progress.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .accounting import Quarantine, ReadReport
from .config import Config, load_config
from .daily import split_days, write_day_products
from .detection import detect
from .readers import read_tracks
from .risk import chain_incidents, score_events, vessel_profiles
from .segmentation import segment

__all__ = ["STAGES", "DailyRun", "run_daily", "run_detect"]

STAGES = ("read", "segment", "detect", "score", "products")


@dataclass
class DailyRun:
    """What :func:`run_daily` did.

    Attributes
    ----------
    report : ReadReport
        Rows read, accepted and rejected, per file and reason.
    tracks : pandas.DataFrame
        The segmented track table.
    events : pandas.DataFrame
        All scored events.
    incidents : pandas.DataFrame
        All incidents.
    days : dict
        Day label (``YYYY-MM-DD``) -> dict of product paths.
    timings : dict
        Seconds per stage.
    """

    report: ReadReport
    tracks: pd.DataFrame
    events: pd.DataFrame
    incidents: pd.DataFrame
    days: dict[str, dict[str, Path]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def run_detect(
    sources,
    config: Config | None = None,
    *,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    stage: Callable[[str], None] | None = None,
    timings: dict[str, float] | None = None,
    **read_options,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read, segment, detect and score.

    Parameters
    ----------
    sources : path, list of paths, or a track table
        Track files/folders (see :func:`coastwatch.read_tracks`), or an
        already-read track table.
    config : Config, optional
        Settings; default profile ``makran``.
    report, quarantine : optional
        Filled by the reader.
    stage : callable, optional
        Called with each stage's name as it starts (for progress display).
    timings : dict, optional
        Receives seconds per stage.
    **read_options
        Passed to :func:`coastwatch.read_tracks` (``format``, ``columns``,
        ``layer``, ``nmea_workers``).

    Returns
    -------
    (tracks, events, incidents) : tuple of pandas.DataFrame
        The segmented track table, scored events and incidents.
    """
    cfg = config or load_config()
    timings = timings if timings is not None else {}
    stage = stage or (lambda name: None)

    def timed(name, func, *args, **kwargs):
        stage(name)
        started = time.perf_counter()
        result = func(*args, **kwargs)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        return result

    if isinstance(sources, pd.DataFrame):
        tracks = sources
    else:
        tracks = timed(
            "read",
            read_tracks,
            sources,
            report=report,
            quarantine=quarantine,
            **read_options,
        )
    tracks, _ = timed("segment", segment, tracks, cfg)
    events = timed("detect", detect, tracks, cfg)

    def score():
        profiles = vessel_profiles(tracks)
        scored = score_events(events, tracks, cfg, profiles=profiles)
        return scored, chain_incidents(scored, cfg)

    events, incidents = timed("score", score)
    return tracks, events, incidents


def run_daily(
    sources,
    out_dir: str | os.PathLike,
    config: Config | None = None,
    *,
    days: list[str] | None = None,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    stage: Callable[[str], None] | None = None,
    **read_options,
) -> DailyRun:
    """Turn track files into one products folder per day.

    Parameters
    ----------
    sources : path, list of paths, or a track table
        As for :func:`run_detect`.
    out_dir : str or os.PathLike
        Parent folder of the ``YYYY-MM-DD`` day folders.
    config : Config, optional
        Settings; ``grid.day_boundary`` chooses UTC midnight or local noon
        (PKT) day boundaries.
    days : list of str, optional
        Only write these days (``YYYY-MM-DD``); default every day with data.
    report, quarantine, stage, **read_options
        As for :func:`run_detect`.

    Returns
    -------
    DailyRun
        The tables, the product paths per day and the stage timings. The
        day folders hold no clock times: the same input gives the same bytes.
    """
    cfg = config or load_config()
    report = report if report is not None else ReadReport()
    timings: dict[str, float] = {}
    tracks, events, incidents = run_detect(
        sources,
        cfg,
        report=report,
        quarantine=quarantine,
        stage=stage,
        timings=timings,
        **read_options,
    )
    if stage:
        stage("products")
    started = time.perf_counter()
    inputs = _input_names(sources)
    written: dict[str, dict[str, Path]] = {}
    wanted = set(days) if days else None
    for day in split_days(tracks, events, cfg.grid.day_boundary, incidents):
        label = day.day.isoformat()
        if wanted is not None and label not in wanted:
            continue
        written[label] = write_day_products(
            day.day,
            day.tracks,
            day.events,
            day.incidents,
            out_dir,
            cfg,
            inputs=inputs,
        )
    timings["products"] = time.perf_counter() - started
    return DailyRun(report, tracks, events, incidents, written, timings)


def _input_names(sources) -> list[str]:
    if isinstance(sources, pd.DataFrame):
        return ["<track table>"]
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    return [os.fspath(s) for s in sources]
