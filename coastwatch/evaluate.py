"""Score detected events against ground truth.

Matching
--------
A detection matches a truth event when both have the same ``kind``, the same
vessel(s) (for pairs, the same two MMSIs in either order) and their time
intervals overlap by at least ``min_overlap`` (default 50 %) of the shorter
one (an instantaneous event must lie inside the other). Matching is
one-to-one and greedy: candidate pairs are taken in order of decreasing
overlap share, then decreasing overlap time, then truth order and detection
order, so the result is deterministic.

Scores per kind
---------------
``truth``       truth events in scope (by default those marked ``observable``;
                every event with ``all_truth=True`` or when the truth has no
                ``observable`` column)
``detections``  detected events of the kind
``tp``          detections matched to a truth event in scope
``excused``     detections matched to a truth event out of scope (an event the
                truth deems invisible to AIS but which was detected anyway):
                neither true nor false positives
``precision``   tp / (detections - excused)
``recall``      tp / truth
``f1``          harmonic mean of precision and recall
                (precision, recall and F1 are NaN for a kind of which the
                truth has no event at all, in scope or not, while it has
                events of other kinds: one it does not model, such as
                ``drift`` in simulated truth)
``start_err_min``, ``end_err_min``
                median absolute difference of start (end) times of the
                matched pairs in scope, minutes

Where detections carry ``risk``, how well it ranks the illicit events first:
a detection is positive when it matched an ``illicit`` truth event (in scope
or not); average precision and ROC AUC of ``risk`` over all detections with a
risk, overall and per kind.

With a tasking list (rank, centre, box, vessels), the share of planted
incidents (truth ``incident_id``) with a vessel among a target's ``mmsi`` /
``mmsis``, or an event of the incident within 10 km of a target's box,
among the top 5, 10 and 20 targets.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .events import EVENT_KINDS

__all__ = [
    "Evaluation",
    "average_precision",
    "evaluate",
    "match_events",
    "read_event_table",
    "read_tasking",
    "roc_auc",
]

TASKING_TOP = (5, 10, 20)
TASKING_RADIUS_KM = 10.0
_REQUIRED = ("kind", "mmsi", "start", "end")
_TASKING_COLUMNS = (
    "rank",
    "lat",
    "lon",
    "min_lat",
    "max_lat",
    "min_lon",
    "max_lon",
    "score",
    "mmsi",
    "mmsis",
)


# --------------------------------------------------------------------------
# Reading


def _read_table(path: str | os.PathLike, what: str) -> pd.DataFrame:
    path = Path(path)
    if path.is_dir():
        for candidate in (
            path / "truth" / "truth.parquet",
            path / "truth.parquet",
            path / "events.parquet",
            path / "truth" / "truth.csv",
            path / "truth.csv",
            path / "events.csv",
        ):
            if candidate.is_file():
                path = candidate
                break
        else:
            raise InputError(path, f"folder holds no {what} table (truth or events)")
    if not path.is_file():
        raise InputError(path, f"{what} file not found")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read {what} table ({exc})") from exc


def _conform(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in _REQUIRED if c not in frame]
    if missing:
        raise InputError(None, f"{name} table lacks column(s) {missing}")
    out = frame.copy().reset_index(drop=True)
    for col in ("start", "end"):
        try:
            values = out[col]
            if pd.api.types.is_datetime64_any_dtype(values):
                out[col] = pd.to_datetime(values, utc=True)
            else:
                out[col] = pd.to_datetime(values, utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise InputError(
                None, f"{name} table: {col} is not a time ({exc})"
            ) from exc
    if out[["start", "end"]].isna().any().any():
        raise InputError(None, f"{name} table has events without start or end")
    out["kind"] = out["kind"].astype(str)
    out["mmsi"] = pd.to_numeric(out["mmsi"], errors="raise").astype("int64")
    if "other_mmsi" in out:
        out["other_mmsi"] = pd.to_numeric(out["other_mmsi"], errors="coerce").astype(
            "Int64"
        )
    else:
        out["other_mmsi"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for col in ("illicit", "observable"):
        if col in out and out[col].dtype != bool:
            out[col] = out[col].astype(str).str.lower().isin(("true", "1"))
    if "incident_id" in out:
        out["incident_id"] = out["incident_id"].fillna("").astype(str)
    return out


def read_event_table(path: str | os.PathLike, what: str = "events") -> pd.DataFrame:
    """Read an event or truth table (Parquet or CSV, or a folder holding one).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.parquet`` or ``.csv`` file, or a folder with ``truth/truth.parquet``,
        ``truth.parquet``, ``events.parquet`` (or the ``.csv`` versions).
    what : str
        Word used in error messages.

    Returns
    -------
    pandas.DataFrame
        With ``start`` and ``end`` as UTC times, ``mmsi`` int64,
        ``other_mmsi`` nullable Int64.

    Raises
    ------
    InputError
        If the file is missing, unreadable or lacks kind, mmsi, start or end.
    """
    return _conform(_read_table(path, what), what)


def read_tasking(path: str | os.PathLike) -> pd.DataFrame:
    """Read a tasking list CSV (rank, centre, box, score, mmsi, mmsis).

    Raises
    ------
    InputError
        If the file is missing or lacks one of the required columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "tasking file not found")
    try:
        frame = pd.read_csv(path, dtype={"mmsis": str}, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read tasking list ({exc})") from exc
    missing = [c for c in _TASKING_COLUMNS if c not in frame]
    if missing:
        raise InputError(path, f"tasking list lacks column(s) {missing}")
    return frame


# --------------------------------------------------------------------------
# Matching


def _vessel_key(frame: pd.DataFrame) -> np.ndarray:
    a = frame["mmsi"].to_numpy(np.int64)
    b = frame["other_mmsi"].fillna(-1).to_numpy(np.int64)
    lo = np.where(b >= 0, np.minimum(a, b), a)
    hi = np.where(b >= 0, np.maximum(a, b), -1)
    return np.array([f"{x}:{y}" for x, y in zip(lo.tolist(), hi.tolist(), strict=True)])


def _ns(values: pd.Series) -> np.ndarray:
    return (
        values.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy("datetime64[ns]")
        .view(np.int64)
    )


def match_events(
    truth: pd.DataFrame, events: pd.DataFrame, min_overlap: float = 0.5
) -> pd.DataFrame:
    """Match detections to truth events one-to-one (see the module docstring).

    Parameters
    ----------
    truth, events : pandas.DataFrame
        Event tables (``kind``, ``mmsi``, ``other_mmsi``, ``start``, ``end``).
    min_overlap : float
        Least overlap, as a share of the shorter interval (0..1].

    Returns
    -------
    pandas.DataFrame
        One row per match: ``truth`` and ``event`` (row positions in the
        inputs), ``kind``, ``overlap_s`` (seconds) and ``overlap`` (share of
        the shorter interval), ordered by ``truth``.
    """
    if not 0.0 < min_overlap <= 1.0:
        raise InputError(None, f"min_overlap must be in (0, 1], got {min_overlap!r}")
    truth = _conform(truth, "truth")
    events = _conform(events, "events")
    cols = ["truth", "event", "kind", "overlap_s", "overlap"]
    if not len(truth) or not len(events):
        return pd.DataFrame(
            {
                c: pd.Series([], dtype=d)
                for c, d in zip(
                    cols, ("int64", "int64", "str", "float64", "float64"), strict=True
                )
            }
        )
    tk = truth["kind"].to_numpy().astype(str)
    ek = events["kind"].to_numpy().astype(str)
    tkey = np.char.add(np.char.add(tk, "|"), _vessel_key(truth))
    ekey = np.char.add(np.char.add(ek, "|"), _vessel_key(events))
    ts, te = _ns(truth["start"]), _ns(truth["end"])
    es, ee = _ns(events["start"]), _ns(events["end"])
    by_key: dict[str, list[int]] = {}
    for j, key in enumerate(ekey.tolist()):
        by_key.setdefault(key, []).append(j)
    cand = []
    for i, key in enumerate(tkey.tolist()):
        for j in by_key.get(key, ()):
            over = min(te[i], ee[j]) - max(ts[i], es[j])
            shorter = min(te[i] - ts[i], ee[j] - es[j])
            if shorter <= 0:
                ok = over >= 0
                share = 1.0 if ok else 0.0
            else:
                share = over / shorter
                ok = share >= min_overlap - 1e-12
            if ok:
                cand.append((-share, -over, i, j))
    cand.sort()
    used_t: set[int] = set()
    used_e: set[int] = set()
    rows = []
    for neg_share, neg_over, i, j in cand:
        if i in used_t or j in used_e:
            continue
        used_t.add(i)
        used_e.add(j)
        rows.append((i, j, tk[i], -neg_over / 1e9, -neg_share))
    rows.sort()
    frame = pd.DataFrame(rows, columns=cols)
    return frame.astype(
        {
            "truth": "int64",
            "event": "int64",
            "kind": "str",
            "overlap_s": "float64",
            "overlap": "float64",
        }
    )


# --------------------------------------------------------------------------
# Ranking scores


def average_precision(scores, positive) -> float:
    """Average precision of ``scores`` for ``positive`` labels.

    Step-wise (no interpolation): the sum over score thresholds, highest
    first, of the gain in recall times the precision at that threshold;
    equal scores form one threshold. NaN without positives.

    Parameters
    ----------
    scores : array_like of float
    positive : array_like of bool

    Returns
    -------
    float
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    n_pos = int(y.sum())
    if n_pos == 0 or len(s) == 0:
        return math.nan
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_tie = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    tp = np.cumsum(y)[last_of_tie]
    seen = last_of_tie + 1
    precision = tp / seen
    recall = tp / n_pos
    gain = np.diff(np.r_[0.0, recall])
    return float(np.sum(gain * precision))


def roc_auc(scores, positive) -> float:
    """Area under the ROC curve (probability a positive outranks a negative).

    Ties count one half. NaN unless there are both positives and negatives.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


# --------------------------------------------------------------------------
# Evaluation


@dataclass
class Evaluation:
    """Scores of one evaluation (see :func:`evaluate`)."""

    scope: str
    per_kind: pd.DataFrame
    matches: pd.DataFrame
    risk: dict = field(default_factory=dict)
    tasking: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready scores (NaN as null)."""
        return _clean(
            {
                "scope": self.scope,
                "per_kind": self.per_kind.to_dict(orient="records"),
                "risk": self.risk,
                "tasking": self.tasking,
                "matches": len(self.matches),
            }
        )

    def to_json(self) -> str:
        """The scores as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def format_table(self) -> str:
        """The scores as a plain-text table for people."""
        lines = [f"truth in scope: {self.scope}"]
        head = (
            f"{'kind':<16}{'truth':>7}{'detect':>8}{'tp':>6}{'excused':>9}"
            f"{'precision':>11}{'recall':>8}{'f1':>7}{'start err':>11}{'end err':>9}"
        )
        lines.append(head)
        for row in self.per_kind.itertuples(index=False):
            lines.append(
                f"{row.kind:<16}{row.truth:>7d}{row.detections:>8d}{row.tp:>6d}"
                f"{row.excused:>9d}{_f(row.precision):>11}{_f(row.recall):>8}"
                f"{_f(row.f1):>7}{_m(row.start_err_min):>11}{_m(row.end_err_min):>9}"
            )
        lines.append("(errors: median absolute minutes over matched pairs)")
        if self.risk:
            lines.append("")
            lines.append("risk ranks illicit detections first:")
            for kind, vals in self.risk.items():
                lines.append(
                    f"  {kind:<16} detections {vals['detections']:>5d}  illicit "
                    f"{vals['illicit']:>4d}  AP {_f(vals['average_precision'])}"
                    f"  ROC AUC {_f(vals['roc_auc'])}"
                )
        if self.tasking:
            lines.append("")
            lines.append(
                f"tasking: {self.tasking['incidents']} incident(s) "
                f"({self.tasking['observable_incidents']} observable)"
            )
            for k in TASKING_TOP:
                lines.append(
                    f"  top {k:>2}: {_f(self.tasking[f'top{k}'])} of incidents, "
                    f"{_f(self.tasking[f'top{k}_observable'])} of observable incidents"
                )
        return "\n".join(lines)


def _f(value) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.3f}"
    )


def _m(value) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.1f}"
    )


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def evaluate(
    truth: pd.DataFrame,
    events: pd.DataFrame,
    tasking: pd.DataFrame | None = None,
    *,
    all_truth: bool = False,
    min_overlap: float = 0.5,
) -> Evaluation:
    """Score detected events (and optionally a tasking list) against truth.

    Parameters
    ----------
    truth : pandas.DataFrame
        Truth events (see :mod:`coastwatch.simulate`): the event-table
        columns ``kind``, ``mmsi``, ``other_mmsi``, ``start``, ``end``, and
        optionally ``observable``, ``illicit``, ``incident_id``, ``lat``,
        ``lon``, ``end_lat``, ``end_lon``.
    events : pandas.DataFrame
        Detected events (an event table; ``risk`` optional).
    tasking : pandas.DataFrame, optional
        A tasking list (see :func:`read_tasking`).
    all_truth : bool
        Score against every truth event instead of the observable ones.
    min_overlap : float
        Least time overlap for a match, as a share of the shorter interval.

    Returns
    -------
    Evaluation

    Raises
    ------
    InputError
        If a table lacks kind, mmsi, start or end.
    """
    truth = _conform(truth, "truth")
    events = _conform(events, "events")
    use_all = all_truth or "observable" not in truth
    in_scope = (
        np.ones(len(truth), dtype=bool)
        if use_all
        else truth["observable"].to_numpy(bool)
    )
    matches = match_events(truth, events, min_overlap)
    m_truth = matches["truth"].to_numpy()
    m_event = matches["event"].to_numpy()
    m_scope = in_scope[m_truth] if len(m_truth) else np.zeros(0, dtype=bool)
    rows = []
    seen = set(truth["kind"]) | set(events["kind"])
    kinds = list(EVENT_KINDS) + sorted(seen - set(EVENT_KINDS))
    # A kind a non-empty truth has no row of at all is one it does not model
    # (the simulator labels no drift): its detections are counted, not
    # scored. Against an empty truth every detection is a false positive.
    modelled = set(truth["kind"])
    ts, te = _ns(truth["start"]), _ns(truth["end"])
    es, ee = _ns(events["start"]), _ns(events["end"])
    for kind in kinds:
        n_truth = int(((truth["kind"] == kind).to_numpy() & in_scope).sum())
        n_det = int((events["kind"] == kind).sum())
        sel = (matches["kind"] == kind).to_numpy()
        tp_sel = sel & m_scope
        tp = int(tp_sel.sum())
        excused = int((sel & ~m_scope).sum())
        precision = tp / (n_det - excused) if n_det - excused > 0 else math.nan
        recall = tp / n_truth if n_truth else math.nan
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision == precision and recall == recall and precision + recall > 0
            else (0.0 if precision == 0 or recall == 0 else math.nan)
        )
        if modelled and kind not in modelled:
            precision = recall = f1 = math.nan
        if tp:
            i, j = m_truth[tp_sel], m_event[tp_sel]
            start_err = float(np.median(np.abs(es[j] - ts[i]))) / 60e9
            end_err = float(np.median(np.abs(ee[j] - te[i]))) / 60e9
        else:
            start_err = end_err = math.nan
        rows.append(
            {
                "kind": kind,
                "truth": n_truth,
                "detections": n_det,
                "tp": tp,
                "excused": excused,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "start_err_min": start_err,
                "end_err_min": end_err,
            }
        )
    per_kind = pd.DataFrame(rows)
    risk = _risk_scores(truth, events, matches)
    task = _tasking_scores(truth, tasking) if tasking is not None else {}
    return Evaluation("all" if use_all else "observable", per_kind, matches, risk, task)


def _risk_scores(truth, events, matches) -> dict:
    if "risk" not in events or "illicit" not in truth:
        return {}
    risk = pd.to_numeric(events["risk"], errors="coerce").to_numpy(np.float64)
    if not np.isfinite(risk).any():
        return {}
    positive = np.zeros(len(events), dtype=bool)
    illicit = truth["illicit"].to_numpy(bool)
    if len(matches):
        hit = illicit[matches["truth"].to_numpy()]
        positive[matches["event"].to_numpy()[hit]] = True
    out = {}
    kinds = events["kind"].to_numpy().astype(str)
    for kind in ["all", *sorted(set(kinds))]:
        sel = np.isfinite(risk) & ((kinds == kind) if kind != "all" else True)
        out[kind] = {
            "detections": int(sel.sum()),
            "illicit": int(positive[sel].sum()),
            "average_precision": average_precision(risk[sel], positive[sel]),
            "roc_auc": roc_auc(risk[sel], positive[sel]),
        }
    return out


def _box_distance_km(lat, lon, row) -> np.ndarray:
    """Great-circle distance from points to a lat/lon box (0 inside), km."""
    clat = np.clip(lat, row["min_lat"], row["max_lat"])
    clon = np.clip(lon, row["min_lon"], row["max_lon"])
    p1, p2 = np.radians(lat), np.radians(clat)
    dl = np.radians(clon - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _tasking_scores(truth: pd.DataFrame, tasking: pd.DataFrame) -> dict:
    if "incident_id" not in truth:
        raise InputError(None, "truth lacks incident_id: cannot score a tasking list")
    inc = truth[truth["incident_id"] != ""]
    tasking = tasking.sort_values("rank", kind="stable").reset_index(drop=True)
    targets = []
    for row in tasking.to_dict(orient="records"):
        ids = set()
        for v in (row.get("mmsi"), *str(row.get("mmsis", "")).split(";")):
            try:
                if v is not None and str(v).strip() not in ("", "nan"):
                    ids.add(int(float(v)))
            except ValueError:
                continue
        targets.append((int(row["rank"]), ids, row))
    out = {"incidents": 0, "observable_incidents": 0}
    hits = {k: [] for k in TASKING_TOP}
    observable = []
    for _, group in inc.groupby("incident_id", sort=True):
        vessels = set(group["mmsi"].astype(int)) | {
            int(v) for v in group["other_mmsi"].dropna()
        }
        lat = group["lat"].to_numpy(np.float64) if "lat" in group else np.zeros(0)
        lon = group["lon"].to_numpy(np.float64) if "lon" in group else np.zeros(0)
        if "end_lat" in group:
            lat = np.concatenate([lat, group["end_lat"].to_numpy(np.float64)])
            lon = np.concatenate([lon, group["end_lon"].to_numpy(np.float64)])
        ok = np.isfinite(lat) & np.isfinite(lon)
        lat, lon = lat[ok], lon[ok]
        first_hit = math.inf
        for rank, ids, row in targets:
            if ids & vessels or (
                len(lat)
                and (_box_distance_km(lat, lon, row) <= TASKING_RADIUS_KM).any()
            ):
                first_hit = rank
                break
        observable.append(
            bool(group["observable"].any()) if "observable" in group else True
        )
        for k in TASKING_TOP:
            hits[k].append(first_hit <= k)
    n = len(observable)
    obs = np.array(observable, dtype=bool)
    out["incidents"] = n
    out["observable_incidents"] = int(obs.sum())
    for k in TASKING_TOP:
        h = np.array(hits[k], dtype=bool)
        out[f"top{k}"] = float(h.mean()) if n else math.nan
        out[f"top{k}_observable"] = float(h[obs].mean()) if obs.any() else math.nan
    return out
