"""The ``coastwatch`` command. The only module that prints.

Errors a user can cause (bad files, bad settings) end in a one-line message on
stderr and exit status 2, without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ._version import __version__
from .errors import CoastwatchError

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130


def _progress_bar(total: int, description: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc=description,
        disable=not enabled,
        leave=False,
        file=sys.stderr,
    )


def _input_bytes(paths: Sequence[str]) -> int:
    total = 0
    for name in paths:
        path = Path(name)
        if path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            total += path.stat().st_size
    return total


def _parse_columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping = {}
    for pair in text.split(","):
        canonical, sep, theirs = pair.partition("=")
        if not sep or not canonical.strip() or not theirs.strip():
            raise CoastwatchError(
                f"--columns: expected canonical=source pairs, got {pair!r}"
            )
        mapping[canonical.strip()] = theirs.strip()
    return mapping


def _report_path(output: Path) -> Path:
    name = output.name
    for suffix in (".parquet", ".pq"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return output.with_name(f"{name}.report.json")


def _summarise_read(report, seconds: float, output: Path | None) -> str:
    from .accounting import REJECT_REASONS

    lines = []
    rate = report.read / seconds if seconds > 0 else float("nan")
    lines.append(
        f"read {report.read:,} rows from {len(report.files)} file(s) "
        f"in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    lines.append(f"  accepted  {report.accepted:,}")
    categories = report.by_category()
    lines.append(
        f"  rejected  {report.rejected:,} "
        f"(errors {categories['error']:,}, not position reports "
        f"{categories['skipped']:,}, duplicates {categories['duplicate']:,})"
    )
    for reason, count in sorted(
        report.rejected_by_reason.items(), key=lambda kv: (-kv[1], kv[0])
    ):
        lines.append(f"    {count:>12,}  {reason}: {REJECT_REASONS[reason][1]}")
    if len(report.files) > 1:
        lines.append("  per file:")
        shown = report.files[:20]
        for entry in shown:
            lines.append(
                f"    {entry.path} [{entry.format}]: read {entry.read:,}, "
                f"accepted {entry.accepted:,}, rejected {entry.rejected_total:,}"
            )
        if len(report.files) > len(shown):
            lines.append(f"    ... and {len(report.files) - len(shown)} more")
    if output is not None:
        lines.append(f"wrote {output}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Sub-commands
# --------------------------------------------------------------------------


def _cmd_ingest(args: argparse.Namespace) -> int:
    from ._io import write_text_atomic
    from .accounting import Quarantine, ReadReport
    from .readers import ingest

    output = Path(args.output)
    report = ReadReport()
    quarantine = Quarantine() if args.rejects else None
    started = time.perf_counter()
    if args.partitioned or args.scheduler:
        if not args.partitioned:
            raise CoastwatchError("--scheduler needs --partitioned (a dataset folder)")
        from .dataset import ingest_partitioned

        with _executor(args) as executor:
            dataset = ingest_partitioned(
                args.inputs,
                output,
                args.format,
                report=report,
                quarantine=quarantine,
                columns=_parse_columns(args.columns),
                layer=args.layer,
                nmea_workers=_nmea_workers(args),
                buckets=args.buckets,
                **_part_rows(args),
                executor=executor,
            )
        report_path = output / "read_report.json"
    else:
        with _progress_bar(
            _input_bytes(args.inputs), "reading", not args.quiet and sys.stderr.isatty()
        ) as bar:
            ingest(
                args.inputs,
                output,
                args.format,
                report=report,
                quarantine=quarantine,
                columns=_parse_columns(args.columns),
                layer=args.layer,
                nmea_workers=_nmea_workers(args),
                progress=bar.update,
            )
        report_path = _report_path(output)
    seconds = time.perf_counter() - started
    write_text_atomic(report_path, report.to_json())
    if quarantine is not None:
        write_text_atomic(args.rejects, quarantine.to_csv_text())
    if not args.quiet:
        print(_summarise_read(report, seconds, output))
        if args.partitioned:
            print(
                f"  {dataset.rows:,} fixes in {len(dataset.days)} day(s) x "
                f"{dataset.buckets} MMSI bucket(s)"
            )
        print(f"wrote {report_path}")
        if quarantine is not None:
            print(f"wrote {args.rejects} ({len(quarantine.rows):,} rejected rows)")
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import AisModel, simulate, write_scenario

    started = time.perf_counter()
    model = AisModel.full_reception() if args.reception == "full" else AisModel()
    scenario = simulate(
        args.day, days=args.days, vessels=args.vessels, seed=args.seed, ais_model=model
    )
    simulated = time.perf_counter() - started
    files = write_scenario(
        scenario,
        args.output,
        args.format,
        compress=args.gzip,
        keyframes=not args.no_keyframes,
    )
    seconds = time.perf_counter() - started
    if not args.quiet:
        truth = scenario.truth
        vessels = scenario.vessels
        print(
            f"simulated {scenario.days} day(s) from {scenario.day:%Y-%m-%d}: "
            f"{len(vessels):,} vessels ({int(vessels['has_ais'].sum()):,} with AIS), "
            f"{len(scenario.incidents)} planted incident(s)"
        )
        print(
            f"  AIS feed {len(scenario.feed):,} rows "
            f"({len(scenario.tracks):,} valid reports) in {simulated:.1f} s"
        )
        for kind in ("loitering", "dark_gap", "rendezvous", "dark_rendezvous"):
            sel = truth[truth["kind"] == kind]
            print(
                f"  truth {kind:<16} {len(sel):>6,} "
                f"(observable {int(sel['observable'].sum()):,}, "
                f"illicit {int(sel['illicit'].sum()):,})"
            )
        print(f"wrote {len(files)} files to {args.output} in {seconds:.1f} s")
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, read_event_table, read_tasking

    truth = read_event_table(args.truth, "truth")
    events = read_event_table(args.events, "events")
    tasking = read_tasking(args.tasking) if args.tasking else None
    result = evaluate(truth, events, tasking, all_truth=args.all)
    if args.json:
        print(result.to_json(), end="")
    elif not args.quiet:
        print(result.format_table())
    return EXIT_OK


def _load_settings(args: argparse.Namespace):
    from .config import load_config

    overrides = {}
    if getattr(args, "day_boundary", None):
        overrides = {"grid": {"day_boundary": args.day_boundary}}
    return load_config(args.config, args.profile, overrides or None)


def _read_options(args: argparse.Namespace) -> dict:
    return {
        "format": args.format,
        "columns": _parse_columns(args.columns),
        "layer": args.layer,
        "nmea_workers": _nmea_workers(args),
    }


def _nmea_workers(args: argparse.Namespace) -> int:
    if args.nmea_workers is not None:
        return args.nmea_workers
    # Without a cluster, --workers keeps its single-process meaning.
    return 1 if _on_cluster(args) else args.workers


def _on_cluster(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "scheduler", None)) or (
        args.workers > 1 and _partitioned(args)
    )


def _partitioned(args: argparse.Namespace) -> bool:
    """Whether the run goes through a partitioned dataset."""
    from .dataset import is_dataset

    if getattr(args, "partitioned", False) or getattr(args, "scheduler", None):
        return True
    if args.command == "ingest":
        return False
    return args.workers > 1 or (len(args.inputs) == 1 and is_dataset(args.inputs[0]))


class _TaskBar:
    """One progress bar per pass of a partitioned run (tasks done of total)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.label = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if label != self.label or self.bar is None:
            self.close()
            self.label = label
            self.bar = tqdm(
                total=total, desc=label, unit="task", leave=False, file=sys.stderr
            )
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _executor:
    """Context: the executor of a partitioned run, and its cluster if any."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.client = None
        self.bar = _TaskBar(_show_progress(args))

    def __enter__(self):
        from .partitioned import SerialExecutor

        args = self.args
        if not _on_cluster(args):
            return SerialExecutor(progress=self.bar)
        from .distributed import DaskExecutor, connect, local_cluster

        if args.scheduler:
            self.client = connect(args.scheduler)
            where = f"Dask scheduler {args.scheduler}"
        else:
            self.client = local_cluster(args.workers)
            where = f"local Dask cluster of {args.workers} worker processes"
        if not args.quiet:
            print(
                f"running on a {where}; dashboard: {self.client.dashboard_link}",
                file=sys.stderr,
            )
        return DaskExecutor(self.client, progress=self.bar)

    def __exit__(self, *exc):
        self.bar.close()
        if self.client is not None:
            self.client.close()
        return False


class _StageBar:
    """A progress bar that advances one step per pipeline stage."""

    def __init__(self, stages, enabled: bool):
        from tqdm import tqdm

        self.bar = tqdm(
            total=len(stages),
            desc="coastwatch",
            disable=not enabled,
            leave=False,
            file=sys.stderr,
            bar_format="{desc}: {n_fmt}/{total_fmt} stages {bar}",
        )
        self.started = False

    def __call__(self, name: str) -> None:
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_description(name)

    def close(self) -> None:
        self.bar.close()


def _counts_line(events) -> str:
    from .events import EVENT_KINDS

    counts = events["kind"].value_counts()
    return ", ".join(f"{counts.get(kind, 0):,} {kind}" for kind in EVENT_KINDS)


def _cmd_detect(args: argparse.Namespace) -> int:
    from ._io import write_text_atomic
    from .accounting import ReadReport
    from .events import write_events
    from .pipeline import run_detect

    config = _load_settings(args)
    report = ReadReport()
    timings: dict[str, float] = {}
    out = Path(args.output)
    if _partitioned(args):
        from .partitioned import detect_dataset

        with (
            _executor(args) as executor,
            _scaled_input(args, report, out, executor) as (dataset, read_s),
        ):
            run = detect_dataset(
                dataset,
                config,
                executor=executor,
                work_dir=args.work_dir,
                window_h=args.window_h,
            )
        timings = {"read": read_s, **run.timings}
        events, incidents = run.events, run.incidents
        positions = (
            f"{run.rows:,} positions in {run.buckets} MMSI bucket(s), "
            f"{run.windows} time window(s)"
        )
    else:
        bar = _StageBar(("read", "segment", "detect", "score"), _show_progress(args))
        try:
            tracks, events, incidents = run_detect(
                args.inputs,
                config,
                report=report,
                stage=bar,
                timings=timings,
                **_read_options(args),
            )
        finally:
            bar.close()
        positions = (
            f"{len(tracks):,} positions, {tracks['segment'].nunique():,} segments, "
            f"{tracks['mmsi'].nunique():,} vessels"
        )
    write_events(events, out)
    write_text_atomic(
        out / "incidents.csv", incidents.to_csv(index=False, lineterminator="\n")
    )
    write_text_atomic(out / "read_report.json", report.to_json())
    if not args.quiet:
        if report.files:
            print(_summarise_read(report, timings.get("read", 0.0), None))
        print(positions)
        print(f"events: {_counts_line(events)}; {len(incidents):,} incidents")
        print("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        print(f"wrote {out}/events.parquet, events.csv, events.geojson, incidents.csv")
    return EXIT_OK


class _scaled_input:
    """Context: the partitioned dataset of a run's inputs, and seconds reading.

    A dataset given as the only input is used as it is; other inputs are
    ingested into a temporary dataset inside the output folder (removed
    after), filling the read report.
    """

    def __init__(self, args: argparse.Namespace, report, out: Path, executor):
        self.args = args
        self.report = report
        self.out = out
        self.executor = executor
        self.temp = None

    def __enter__(self):
        import tempfile

        from .dataset import TrackDataset, ingest_partitioned, is_dataset

        args = self.args
        started = time.perf_counter()
        if len(args.inputs) == 1 and is_dataset(args.inputs[0]):
            return TrackDataset.open(args.inputs[0]), 0.0
        self.out.mkdir(parents=True, exist_ok=True)
        self.temp = Path(tempfile.mkdtemp(prefix=".tracks-", dir=self.out))
        dataset = ingest_partitioned(
            args.inputs,
            self.temp / "tracks",
            args.format,
            report=self.report,
            columns=_parse_columns(args.columns),
            layer=args.layer,
            nmea_workers=_nmea_workers(args),
            buckets=args.buckets,
            **_part_rows(args),
            executor=self.executor,
        )
        return dataset, time.perf_counter() - started

    def __exit__(self, *exc):
        if self.temp is not None:
            import shutil

            shutil.rmtree(self.temp, ignore_errors=True)
        return False


def _cmd_daily(args: argparse.Namespace) -> int:
    from .accounting import ReadReport
    from .pipeline import STAGES, run_daily

    config = _load_settings(args)
    report = ReadReport()
    if _partitioned(args):
        from .partitioned import daily_dataset

        out = Path(args.output)
        with (
            _executor(args) as executor,
            _scaled_input(args, report, out, executor) as (dataset, read_s),
        ):
            run = daily_dataset(
                dataset,
                out,
                config,
                days=args.day,
                executor=executor,
                work_dir=args.work_dir,
                window_h=args.window_h,
                inputs=list(args.inputs),
            )
        run.timings = {"read": read_s, **run.timings}
    else:
        bar = _StageBar(STAGES, _show_progress(args))
        try:
            run = run_daily(
                args.inputs,
                args.output,
                config,
                days=args.day,
                report=report,
                stage=bar,
                **_read_options(args),
            )
        finally:
            bar.close()
    if not args.quiet:
        if report.files:
            print(_summarise_read(report, run.timings.get("read", 0.0), None))
        print(f"events: {_counts_line(run.events)}; {len(run.incidents):,} incidents")
        for label, paths in run.days.items():
            print(
                f"{label}: {paths['report'].parent}/ "
                "(report.html, heatmap.png, tasking.csv, ...)"
            )
        if not run.days:
            print("no day had data: nothing written")
        total = sum(run.timings.values())
        print(
            "time: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
            + f"; total {total:.1f} s"
        )
    return EXIT_OK


def _show_progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="TOML", help="settings file (TOML)")
    parser.add_argument(
        "--profile",
        choices=("makran", "gfw"),
        help="threshold profile (default makran)",
    )


def _add_read_options(parser: argparse.ArgumentParser) -> None:
    from .readers import FORMATS

    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="track files or folders"
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=FORMATS,
        help="input format (default: detected per file from its content)",
    )
    parser.add_argument(
        "--columns",
        metavar="MAP",
        help="column mapping for generic CSV/GeoPackage, e.g. "
        "'mmsi=ShipId,timestamp=Time,lat=Y,lon=X'",
    )
    parser.add_argument("--layer", help="GeoPackage layer (default: first point layer)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1): a partitioned run with N > 1 goes to "
        "a local Dask cluster of N processes (1 thread each) started for the "
        "run; otherwise N processes decode NMEA",
    )
    parser.add_argument(
        "--nmea-workers",
        type=int,
        metavar="N",
        help="processes decoding NMEA within each process (default: --workers "
        "when there is no cluster, else 1)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (its "
        "workers must see the input, output and work folders)",
    )
    parser.add_argument(
        "--buckets",
        type=int,
        metavar="N",
        help="MMSI hash buckets of a partitioned dataset (default: about "
        "2 million fixes each)",
    )
    parser.add_argument(
        "--part-rows",
        type=int,
        metavar="N",
        help="when ingesting into a partitioned dataset: fixes per part of a "
        "bucket, whole vessels (default 1 million); per-vessel work reads one "
        "part at a time, about 450 bytes a fix",
    )


def _part_rows(args) -> dict:
    """``rows_per_pass`` for the dataset writers when --part-rows is given."""
    return {} if args.part_rows is None else {"rows_per_pass": args.part_rows}


def _add_partitioned_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--partitioned",
        action="store_true",
        help="run out of core: memory bounded by a partition (a part of a "
        "bucket of vessels, a time window), not by the input; implied by "
        "--workers N > 1, --scheduler, or a partitioned dataset as the input",
    )
    parser.add_argument(
        "--window-h",
        type=float,
        metavar="HOURS",
        help="time window of the encounter pass (default: about 4 million fixes each)",
    )
    parser.add_argument(
        "--work-dir",
        metavar="DIR",
        help="folder for the segmented fixes during a partitioned run "
        "(default: beside the dataset or output)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``coastwatch`` command."""
    parser = argparse.ArgumentParser(
        prog="coastwatch",
        description="Smuggling-risk intelligence from AIS tracks on the Makran coast.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks on errors"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    ingest = commands.add_parser(
        "ingest",
        help="read track files into one canonical Parquet file",
        description="Read track files (MarineCadastre/DMA/generic CSV, NMEA, "
        "GeoPackage, Parquet; also .gz/.zip) into one sorted canonical Parquet "
        "file, streaming, with a read report of every row.",
    )
    _add_read_options(ingest)
    ingest.add_argument(
        "-o",
        "--output",
        required=True,
        help="Parquet file to write (with --partitioned: the dataset folder)",
    )
    ingest.add_argument(
        "--partitioned",
        action="store_true",
        help="write a dataset partitioned by UTC day and MMSI hash bucket "
        "(OUTPUT/day=YYYY-MM-DD/bucket=NN/part-NNN.parquet) for out-of-core and "
        "Dask runs of detect and daily",
    )
    ingest.add_argument(
        "--rejects", metavar="CSV", help="write every rejected row here, with reason"
    )
    ingest.set_defaults(handler=_cmd_ingest)

    sim = commands.add_parser(
        "simulate",
        help="synthetic Makran traffic with ground truth",
        description="Simulate a day (or days) of Makran coast traffic with planted "
        "illicit incidents: the AIS feed (MarineCadastre CSV, NMEA with tag "
        "blocks, or Parquet) and the truth of every event beside it.",
    )
    sim.add_argument("--day", required=True, help="first UTC day, YYYY-MM-DD")
    sim.add_argument("--days", type=int, default=1, help="number of days (default 1)")
    sim.add_argument(
        "--vessels", type=int, required=True, help="vessels a day (10..20000)"
    )
    sim.add_argument("--seed", type=int, required=True, help="random seed (>= 0)")
    sim.add_argument("-o", "--output", required=True, help="scenario folder to write")
    sim.add_argument(
        "--format",
        default="csv",
        choices=("csv", "nmea", "parquet"),
        help="AIS feed format (default csv, MarineCadastre)",
    )
    sim.add_argument("--gzip", action="store_true", help="gzip the CSV or NMEA feed")
    sim.add_argument(
        "--reception",
        default="realistic",
        choices=("realistic", "full"),
        help="AIS reception: shore receivers and satellite passes (default), or "
        "every transmission received (to test detectors without coverage holes)",
    )
    sim.add_argument(
        "--no-keyframes",
        action="store_true",
        help="do not write truth/keyframes.parquet (the true trajectories)",
    )
    sim.set_defaults(handler=_cmd_simulate)

    ev = commands.add_parser(
        "evaluate",
        help="score detected events against truth",
        description="Match detected events to truth events (same kind, same "
        "vessels, time overlap >= 50%% of the shorter) and print precision, "
        "recall, F1 and timing errors per kind; risk ranking (average precision, "
        "ROC AUC) where events carry risk; tasking hit rates with --tasking.",
    )
    ev.add_argument("--truth", required=True, help="truth table or scenario folder")
    ev.add_argument("--events", required=True, help="detected events (Parquet/CSV)")
    ev.add_argument("--tasking", help="tasking list CSV")
    ev.add_argument(
        "--all",
        action="store_true",
        help="score against all truth events, not only the observable ones",
    )
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(handler=_cmd_evaluate)
    detect = commands.add_parser(
        "detect",
        help="find loitering, dark gaps, rendezvous and dark rendezvous",
        description="Read, segment, detect and score; write the event table "
        "(events.parquet/.csv/.geojson) and incidents.csv into a folder.",
    )
    _add_read_options(detect)
    _add_partitioned_run_options(detect)
    _add_settings_options(detect)
    detect.add_argument("-o", "--output", required=True, help="output folder")
    detect.set_defaults(handler=_cmd_detect)

    daily = commands.add_parser(
        "daily",
        help="the morning job: per day a heatmap, tasking list and report",
        description="Read, segment, detect, score, grid and render: per day a "
        "folder OUT/YYYY-MM-DD/ with heatmap.png, layers.png, risk.nc, "
        "events.*, incidents.csv, tasking.csv/.geojson, report.html and "
        "summary.json.",
    )
    _add_read_options(daily)
    _add_partitioned_run_options(daily)
    _add_settings_options(daily)
    daily.add_argument("-o", "--output", required=True, help="output folder")
    daily.add_argument(
        "--day-boundary",
        choices=("utc", "pkt_noon"),
        help="days run from UTC midnight (default) or from local noon (PKT) so "
        "one night is not split",
    )
    daily.add_argument(
        "--day",
        action="append",
        metavar="YYYY-MM-DD",
        help="only write this day (repeatable)",
    )
    daily.set_defaults(handler=_cmd_daily)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``coastwatch`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 2 bad input or settings, 3 internal error,
        130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CoastwatchError as exc:
        if args.debug:
            raise
        print(f"coastwatch: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("coastwatch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError:
        if args.debug:
            raise
        print(
            "coastwatch: error: out of memory (try `coastwatch ingest` to stream "
            "large inputs)",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except OSError as exc:
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"coastwatch: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"coastwatch: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
