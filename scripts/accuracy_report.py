"""How accurate is detection? Simulated Makran days scored against their truth.

For each of ``--days`` seeds: simulate one day of ``--vessels`` vessels
(:func:`coastwatch.simulate.simulate`), take its AIS-observed track table,
segment it, detect events (``coastwatch.detect``), score their risk where
``coastwatch.score_events`` exists, and evaluate against the truth
(:func:`coastwatch.evaluate.evaluate`, observable truth events by default).
Prints per-kind precision, recall and F1 per seed, then averaged over seeds
(mean of per-seed scores, and pooled over all seeds' counts). Where risk is
scored, also the ranking: average precision of event ``risk`` for illicit
detections, and the share of planted incidents in the top 5/10/20 of the
tasking list (:func:`coastwatch.tasking.tasking_list` with 20 targets, from
the scored events and their incidents), of all incidents and of those with
at least one observable truth event.

``--reception`` chooses the AIS reception model: ``realistic`` (shore
receivers and satellite passes, the default of ``coastwatch simulate``),
``full`` (every transmission received: the detectors against the
definitions, without coverage holes) or ``both``.

Usage::

    python scripts/accuracy_report.py                     # 5 days x 500 vessels
    python scripts/accuracy_report.py --days 3 --vessels 300 --reception both
    python scripts/accuracy_report.py --json accuracy.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
import pandas as pd

import coastwatch
from coastwatch.config import Config
from coastwatch.evaluate import evaluate
from coastwatch.simulate import AisModel, simulate

KINDS = ("loitering", "dark_gap", "rendezvous", "dark_rendezvous")
TASKING_TARGETS = 20


def _pipeline():
    """The detection stages, or a clear message if they do not exist yet."""
    detect = getattr(coastwatch, "detect", None)
    if detect is None:
        try:
            from coastwatch.detection import detect
        except ImportError:
            detect = None
    if detect is None:
        sys.exit(
            "accuracy_report: coastwatch.detect(tracks, config) is not available in "
            "this installation (detection not merged yet); nothing to evaluate."
        )
    segment = getattr(coastwatch, "segment", None)
    if segment is None:
        try:
            from coastwatch.segmentation import segment
        except ImportError:
            segment = None
    score = getattr(coastwatch, "score_events", None)
    if score is None:
        try:
            from coastwatch.risk import score_events as score
        except ImportError:
            score = None
    return segment, detect, score


def _tasking(events, config):
    """The top-20 tasking list of scored events, or None without the modules."""
    try:
        from coastwatch.risk import chain_incidents
        from coastwatch.tasking import tasking_list
    except ImportError:
        return None
    if not len(events) or "risk" not in events:
        return None
    incidents = chain_incidents(events, config)
    return tasking_list(events, incidents, config, top_k=TASKING_TARGETS)


def run_seed(day, vessels, seed, model, config, stages):
    segment, detect, score = stages
    t0 = time.perf_counter()
    scenario = simulate(day, days=1, vessels=vessels, seed=seed, ais_model=model)
    t1 = time.perf_counter()
    tracks = scenario.tracks
    if segment is not None:
        tracks, _ = segment(tracks, config)
    events = detect(tracks, config)
    if score is not None and len(events):
        events = score(events, tracks, config)
    tasking = _tasking(events, config) if score is not None else None
    t2 = time.perf_counter()
    result = evaluate(scenario.truth, events, tasking=tasking)
    return scenario, events, result, (t1 - t0, t2 - t1)


def _ratio(a, b):
    return a / b if b else math.nan


def _f1(p, r):
    if math.isnan(p) or math.isnan(r):
        return 0.0 if (p == 0 or r == 0) else math.nan
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def summarise(results: list) -> pd.DataFrame:
    rows = []
    for kind in KINDS:
        per = [r.per_kind.set_index("kind").loc[kind] for r in results]
        truth = sum(int(p["truth"]) for p in per)
        det = sum(int(p["detections"]) for p in per)
        tp = sum(int(p["tp"]) for p in per)
        excused = sum(int(p["excused"]) for p in per)
        pooled_p = _ratio(tp, det - excused)
        pooled_r = _ratio(tp, truth)
        rows.append(
            {
                "kind": kind,
                "truth": truth,
                "detections": det,
                "tp": tp,
                "excused": excused,
                "precision": pooled_p,
                "recall": pooled_r,
                "f1": _f1(pooled_p, pooled_r),
                "mean_f1": float(np.nanmean([p["f1"] for p in per]))
                if any(not math.isnan(p["f1"]) for p in per)
                else math.nan,
                "start_err_min": float(np.nanmedian([p["start_err_min"] for p in per]))
                if any(not math.isnan(p["start_err_min"]) for p in per)
                else math.nan,
                "end_err_min": float(np.nanmedian([p["end_err_min"] for p in per]))
                if any(not math.isnan(p["end_err_min"]) for p in per)
                else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _fmt(x, digits=3):
    return (
        "-"
        if x is None or (isinstance(x, float) and math.isnan(x))
        else f"{x:.{digits}f}"
    )


def print_table(title: str, table: pd.DataFrame) -> None:
    print(title)
    print(
        f"  {'kind':<16}{'truth':>7}{'detect':>8}{'tp':>6}{'excused':>9}"
        f"{'precision':>11}{'recall':>8}{'F1':>7}{'mean F1':>9}{'start':>8}{'end':>7}"
    )
    for row in table.itertuples(index=False):
        print(
            f"  {row.kind:<16}{row.truth:>7d}{row.detections:>8d}{row.tp:>6d}"
            f"{row.excused:>9d}{_fmt(row.precision):>11}{_fmt(row.recall):>8}"
            f"{_fmt(row.f1):>7}{_fmt(row.mean_f1):>9}{_fmt(row.start_err_min, 1):>8}"
            f"{_fmt(row.end_err_min, 1):>7}"
        )
    print("  (F1 pooled over seeds; mean F1 over seeds; start/end: median minutes)")


def risk_summary(results: list) -> dict:
    out = {}
    for kind in ("all", *KINDS):
        ap = [r.risk[kind]["average_precision"] for r in results if kind in r.risk]
        auc = [r.risk[kind]["roc_auc"] for r in results if kind in r.risk]
        ap = [a for a in ap if a == a]
        auc = [a for a in auc if a == a]
        if ap or auc:
            out[kind] = {
                "mean_average_precision": float(np.mean(ap)) if ap else math.nan,
                "mean_roc_auc": float(np.mean(auc)) if auc else math.nan,
                "seeds": len(ap),
            }
    return out


def _ranking_line(result) -> str:
    parts = []
    if "all" in result.risk:
        parts.append(f"risk AP {_fmt(result.risk['all']['average_precision'], 2)}")
    if result.tasking:
        t = result.tasking
        parts.append(
            "tasking top 5/10/20 "
            + "/".join(_fmt(t[f"top{k}"], 2) for k in (5, 10, 20))
            + " (observable "
            + "/".join(_fmt(t[f"top{k}_observable"], 2) for k in (5, 10, 20))
            + ")"
        )
    return ("; " + "; ".join(parts)) if parts else ""


def tasking_summary(results: list) -> dict:
    """Mean over seeds of the tasking shares, and the pooled incident counts."""
    seeds = [r.tasking for r in results if r.tasking]
    if not seeds:
        return {}
    out = {
        "incidents": int(sum(t["incidents"] for t in seeds)),
        "observable_incidents": int(sum(t["observable_incidents"] for t in seeds)),
        "seeds": len(seeds),
    }
    for k in (5, 10, 20):
        for suffix in ("", "_observable"):
            values = [t[f"top{k}{suffix}"] for t in seeds]
            values = [v for v in values if v == v]
            out[f"top{k}{suffix}"] = float(np.mean(values)) if values else math.nan
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=5, help="seeds (one day each)")
    parser.add_argument("--vessels", type=int, default=500, help="vessels a day")
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--day", default="2024-01-15", help="first day")
    parser.add_argument(
        "--reception", choices=("realistic", "full", "both"), default="realistic"
    )
    parser.add_argument("--json", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    stages = _pipeline()
    config = Config()
    models = {"realistic": AisModel(), "full": AisModel.full_reception()}
    chosen = ["realistic", "full"] if args.reception == "both" else [args.reception]
    report = {}
    for name in chosen:
        results = []
        print(f"== reception: {name} ==")
        for k in range(args.days):
            day = (pd.Timestamp(args.day) + pd.Timedelta(days=k)).strftime("%Y-%m-%d")
            seed = args.seed + k
            scenario, events, result, (t_sim, t_det) = run_seed(
                day, args.vessels, seed, models[name], config, stages
            )
            results.append(result)
            per = result.per_kind.set_index("kind")
            print(
                f"  {day} seed {seed}: {len(scenario.tracks):,} reports, "
                f"{len(events):,} detections, simulate {t_sim:.1f} s, "
                f"segment+detect+score {t_det:.1f} s; P/R/F1 "
                + ", ".join(
                    f"{k} {_fmt(per.loc[k, 'precision'], 2)}/"
                    f"{_fmt(per.loc[k, 'recall'], 2)}/{_fmt(per.loc[k, 'f1'], 2)}"
                    for k in KINDS
                )
                + _ranking_line(result)
            )
        table = summarise(results)
        print_table(
            f"\n{args.days} day(s) x {args.vessels} vessels, {name} reception, "
            "observable truth:",
            table,
        )
        risk = risk_summary(results)
        if risk:
            print("  risk ranking of illicit detections (mean over seeds):")
            for kind, vals in risk.items():
                print(
                    f"    {kind:<16} AP {_fmt(vals['mean_average_precision'])}  "
                    f"ROC AUC {_fmt(vals['mean_roc_auc'])}"
                )
        tasking = tasking_summary(results)
        if tasking:
            print(
                "  planted incidents in the tasking list (mean over seeds): "
                "top 5/10/20 "
                + "/".join(_fmt(tasking[f"top{k}"], 2) for k in (5, 10, 20))
                + f" of {tasking['incidents']}; of the "
                f"{tasking['observable_incidents']} with an observable event "
                + "/".join(_fmt(tasking[f"top{k}_observable"], 2) for k in (5, 10, 20))
            )
        print()
        report[name] = {
            "per_kind": table.to_dict(orient="records"),
            "risk": risk,
            "tasking": tasking,
            "per_seed": [
                {
                    "seed": args.seed + k,
                    "per_kind": r.per_kind.to_dict(orient="records"),
                    "risk_ap": r.risk.get("all", {}).get("average_precision"),
                    "tasking": r.tasking,
                }
                for k, r in enumerate(results)
            ],
            "seeds": [args.seed + k for k in range(args.days)],
            "vessels": args.vessels,
        }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, default=lambda x: None)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
