"""coastwatch.evaluate: matching, scores, risk ranking, tasking, command."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import simulated

from coastwatch.cli import main
from coastwatch.errors import InputError
from coastwatch.evaluate import (
    average_precision,
    evaluate,
    match_events,
    read_event_table,
    read_tasking,
    roc_auc,
)

T0 = pd.Timestamp("2024-01-15 10:00", tz="UTC")


@pytest.fixture(scope="module")
def small_scenario():
    return simulated.scenario()


def event(kind, mmsi, start_min, end_min, other=None, **extra):
    row = {
        "kind": kind,
        "mmsi": mmsi,
        "other_mmsi": other,
        "start": T0 + pd.Timedelta(minutes=start_min),
        "end": T0 + pd.Timedelta(minutes=end_min),
        "lat": 25.0,
        "lon": 63.0,
    }
    row.update(extra)
    return row


def table(rows):
    frame = pd.DataFrame(rows)
    frame["other_mmsi"] = frame["other_mmsi"].astype("Int64")
    return frame


def truth_table(n_per_kind=10):
    rows = []
    for k, kind in enumerate(
        ("loitering", "dark_gap", "rendezvous", "dark_rendezvous")
    ):
        pair = kind in ("rendezvous", "dark_rendezvous")
        for i in range(n_per_kind):
            rows.append(
                event(
                    kind,
                    463000000 + 100 * k + i,
                    60 * i,
                    60 * i + 120,
                    other=(463900000 + 100 * k + i) if pair else None,
                    observable=True,
                    illicit=i % 3 == 0,
                    incident_id=f"INC-{k}-{i}" if i % 3 == 0 else "",
                )
            )
    return table(rows)


def by_kind(result):
    return result.per_kind.set_index("kind")


# --------------------------------------------------------------------------
# Scores


def test_perfect_events_score_one():
    truth = truth_table()
    result = evaluate(truth, truth.drop(columns=["observable", "illicit"]))
    scores = by_kind(result)
    for kind in ("loitering", "dark_gap", "rendezvous", "dark_rendezvous"):
        assert scores.loc[kind, "precision"] == 1.0
        assert scores.loc[kind, "recall"] == 1.0
        assert scores.loc[kind, "f1"] == 1.0
        assert scores.loc[kind, "start_err_min"] == 0.0
        assert scores.loc[kind, "end_err_min"] == 0.0


def test_eighty_percent_subsample_scores_recall_point_eight():
    truth = truth_table()
    keep = truth[truth.groupby("kind").cumcount() >= 2]
    result = evaluate(truth, keep)
    scores = by_kind(result)
    for kind in ("loitering", "dark_gap", "rendezvous", "dark_rendezvous"):
        assert scores.loc[kind, "recall"] == pytest.approx(0.8)
        assert scores.loc[kind, "precision"] == 1.0
        assert scores.loc[kind, "tp"] == 8
        assert scores.loc[kind, "f1"] == pytest.approx(2 * 0.8 / 1.8)


def test_simulated_truth_scores_perfect_and_subsample(small_scenario):
    truth = small_scenario.truth
    scores = by_kind(evaluate(truth, truth))
    for kind in scores.index:
        if scores.loc[kind, "truth"]:
            assert scores.loc[kind, "recall"] == 1.0
            assert scores.loc[kind, "precision"] == 1.0
    # Keep 5 m events of one kind in scope (all events scored), drop m.
    kind = truth["kind"].value_counts().idxmax()
    sel = truth.index[truth["kind"] == kind]
    m = len(sel) // 5
    assert m >= 1
    truth = truth.drop(index=sel[5 * m :])
    detections = truth.drop(index=sel[:m])
    scores = by_kind(evaluate(truth, detections, all_truth=True))
    assert scores.loc[kind, "truth"] == 5 * m
    assert scores.loc[kind, "recall"] == pytest.approx(0.8)
    assert scores.loc[kind, "precision"] == 1.0


def test_pair_order_does_not_matter():
    truth = table([event("rendezvous", 1, 0, 60, other=2)])
    swapped = table([event("rendezvous", 2, 0, 60, other=1)])
    result = evaluate(truth, swapped)
    assert by_kind(result).loc["rendezvous", "tp"] == 1


@pytest.mark.parametrize(
    ("shift_min", "matched"),
    [(51, False), (50, True), (49, True), (0, True), (100, False)],
)
def test_overlap_rule_at_half_of_the_shorter_interval(shift_min, matched):
    # Truth lasts 100 min; the detection 200 min, starting shift_min into it:
    # overlap = 100 - shift_min minutes of the shorter (100 min) interval.
    truth = table([event("loitering", 5, 0, 100)])
    detection = table([event("loitering", 5, shift_min, shift_min + 200)])
    result = evaluate(truth, detection)
    assert by_kind(result).loc["loitering", "tp"] == int(matched)


def test_overlap_uses_the_shorter_interval():
    # 30 min of a 60 min detection inside a 10 h truth event: 50 % of the
    # shorter interval -> a match, although it is 5 % of the truth event.
    truth = table([event("dark_gap", 5, 0, 600)])
    detection = table([event("dark_gap", 5, -30, 30)])
    assert len(match_events(truth, detection)) == 1


def test_kind_and_vessel_must_agree():
    truth = table(
        [event("loitering", 5, 0, 100), event("rendezvous", 5, 0, 100, other=6)]
    )
    detections = table(
        [
            event("dark_gap", 5, 0, 100),
            event("loitering", 6, 0, 100),
            event("rendezvous", 5, 0, 100, other=7),
        ]
    )
    assert len(match_events(truth, detections)) == 0
    scores = by_kind(evaluate(truth, detections))
    assert scores.loc["loitering", "precision"] == 0.0
    assert scores.loc["loitering", "recall"] == 0.0
    assert scores.loc["loitering", "f1"] == 0.0


def test_matching_is_one_to_one_and_prefers_larger_overlap():
    truth = table([event("loitering", 5, 0, 100)])
    detections = table([event("loitering", 5, 40, 140), event("loitering", 5, 10, 110)])
    matches = match_events(truth, detections)
    assert matches["event"].tolist() == [1]
    scores = by_kind(evaluate(truth, detections))
    assert scores.loc["loitering", "tp"] == 1
    assert scores.loc["loitering", "precision"] == 0.5
    assert scores.loc["loitering", "start_err_min"] == pytest.approx(10.0)
    assert scores.loc["loitering", "end_err_min"] == pytest.approx(10.0)


def test_matching_is_deterministic_under_ties():
    truth = table([event("loitering", 5, 0, 100), event("loitering", 5, 0, 100)])
    detections = table([event("loitering", 5, 0, 100), event("loitering", 5, 0, 100)])
    matches = match_events(truth, detections)
    assert matches[["truth", "event"]].values.tolist() == [[0, 0], [1, 1]]


def test_detections_of_unobservable_truth_are_excused():
    truth = table(
        [
            event("loitering", 5, 0, 100, observable=True),
            event("loitering", 6, 0, 100, observable=False),
        ]
    )
    detections = table([event("loitering", 5, 0, 100), event("loitering", 6, 0, 100)])
    scores = by_kind(evaluate(truth, detections))
    assert scores.loc["loitering", "truth"] == 1
    assert scores.loc["loitering", "excused"] == 1
    assert scores.loc["loitering", "precision"] == 1.0
    all_scores = by_kind(evaluate(truth, detections, all_truth=True))
    assert all_scores.loc["loitering", "truth"] == 2
    assert all_scores.loc["loitering", "excused"] == 0
    assert all_scores.loc["loitering", "recall"] == 1.0


def test_empty_tables():
    truth = table([event("loitering", 5, 0, 100)])
    empty = truth.iloc[:0]
    scores = by_kind(evaluate(truth, empty))
    assert scores.loc["loitering", "recall"] == 0.0
    assert math.isnan(scores.loc["loitering", "precision"])
    scores = by_kind(evaluate(empty, truth))
    assert math.isnan(scores.loc["loitering", "recall"])
    assert scores.loc["loitering", "precision"] == 0.0


def test_instantaneous_events_match_when_inside():
    truth = table([event("loitering", 5, 0, 100)])
    assert len(match_events(truth, table([event("loitering", 5, 30, 30)]))) == 1
    assert len(match_events(truth, table([event("loitering", 5, 130, 130)]))) == 0


# --------------------------------------------------------------------------
# Risk ranking


def test_average_precision_and_auc_hand_cases():
    scores = [0.9, 0.8, 0.7, 0.6]
    labels = [True, False, True, False]
    # Positives at ranks 1 and 3: AP = 0.5 * 1/1 + 0.5 * 2/3.
    assert average_precision(scores, labels) == pytest.approx(0.5 + 1 / 3)
    # 3 of the 4 positive-negative pairs are ordered right.
    assert roc_auc(scores, labels) == pytest.approx(0.75)
    assert average_precision([3, 2, 1], [True, True, False]) == 1.0
    assert roc_auc([3, 2, 1], [True, True, False]) == 1.0
    assert roc_auc([1, 2, 3], [True, True, False]) == 0.0
    # All tied: one threshold; precision is the prevalence, AUC one half.
    assert average_precision([1, 1, 1, 1], [True, False, False, False]) == 0.25
    assert roc_auc([1, 1, 1, 1], [True, False, False, False]) == 0.5
    # Undefined without positives (or negatives).
    assert math.isnan(average_precision([1, 2], [False, False]))
    assert math.isnan(roc_auc([1, 2], [False, False]))
    assert math.isnan(roc_auc([1, 2], [True, True]))


def test_risk_ranks_detections_matched_to_illicit_truth():
    truth = table(
        [
            event("loitering", 1, 0, 100, illicit=True, incident_id="INC-1"),
            event("loitering", 2, 0, 100, illicit=False, incident_id=""),
            event("loitering", 3, 0, 100, illicit=False, incident_id=""),
        ]
    )
    detections = table(
        [
            event("loitering", 1, 0, 100, risk=0.9),
            event("loitering", 2, 0, 100, risk=0.5),
            event("loitering", 3, 0, 100, risk=0.95),
            event("loitering", 4, 0, 100, risk=0.1),
        ]
    )
    result = evaluate(truth, detections)
    risk = result.risk["all"]
    assert risk["detections"] == 4
    assert risk["illicit"] == 1
    assert risk["average_precision"] == pytest.approx(0.5)
    assert risk["roc_auc"] == pytest.approx(2 / 3)
    assert set(result.risk) == {"all", "loitering"}


def test_no_risk_without_a_risk_column():
    truth = truth_table()
    assert evaluate(truth, truth).risk == {}


# --------------------------------------------------------------------------
# Tasking


def tasking_rows(rows):
    base = {"score": 1.0, "mmsi": "", "mmsis": ""}
    out = []
    for rank, (lat, lon, mmsi, mmsis) in enumerate(rows, start=1):
        out.append(
            {
                **base,
                "rank": rank,
                "lat": lat,
                "lon": lon,
                "min_lat": lat - 0.01,
                "max_lat": lat + 0.01,
                "min_lon": lon - 0.01,
                "max_lon": lon + 0.01,
                "mmsi": mmsi,
                "mmsis": mmsis,
            }
        )
    return pd.DataFrame(out)


def test_tasking_hits_by_vessel_and_by_location():
    truth = table(
        [
            event(
                "loitering",
                111,
                0,
                100,
                illicit=True,
                incident_id="A",
                lat=25.0,
                lon=63.0,
                observable=True,
            ),
            event(
                "dark_gap",
                222,
                0,
                200,
                illicit=True,
                incident_id="B",
                lat=24.0,
                lon=62.0,
                observable=True,
            ),
            event(
                "rendezvous",
                333,
                0,
                100,
                other=444,
                illicit=True,
                incident_id="C",
                lat=23.0,
                lon=61.0,
                observable=False,
            ),
            event(
                "loitering",
                555,
                0,
                100,
                illicit=False,
                incident_id="",
                lat=22.5,
                lon=60.0,
                observable=True,
            ),
        ]
    )
    # Rank 1: vessel of A by mmsi; ranks 2-6: elsewhere; rank 7: 8 km from
    # B's box (a hit); rank 12: C's second vessel in mmsis; far rows after.
    far = (22.0, 66.0, 999, "")
    rows = [(25.5, 64.0, 111, "")] + [far] * 5
    rows += [(24.0 + 0.01 + 8.0 / 111.0, 62.0, 998, "")]
    rows += [far] * 4 + [(22.0, 66.0, 997, "1;444")] + [far] * 10
    tasking = tasking_rows(rows)
    result = evaluate(truth, truth, tasking)
    task = result.tasking
    assert task["incidents"] == 3
    assert task["observable_incidents"] == 2
    assert task["top5"] == pytest.approx(1 / 3)
    assert task["top10"] == pytest.approx(2 / 3)
    assert task["top20"] == pytest.approx(1.0)
    assert task["top10_observable"] == pytest.approx(1.0)


def test_tasking_location_beyond_ten_km_is_a_miss():
    truth = table(
        [
            event(
                "loitering",
                111,
                0,
                100,
                illicit=True,
                incident_id="A",
                lat=25.0,
                lon=63.0,
            )
        ]
    )
    tasking = tasking_rows([(25.0 + 0.01 + 11.0 / 111.0, 63.0, 999, "")])
    assert evaluate(truth, truth, tasking).tasking["top5"] == 0.0
    tasking = tasking_rows([(25.0 + 0.01 + 9.0 / 111.0, 63.0, 999, "")])
    assert evaluate(truth, truth, tasking).tasking["top5"] == 1.0


# --------------------------------------------------------------------------
# Errors, reading, command


def test_errors_are_clear(tmp_path):
    truth = truth_table()
    with pytest.raises(InputError, match=r"events table lacks column\(s\) \['start'\]"):
        evaluate(truth, truth.drop(columns=["start"]))
    with pytest.raises(InputError, match="min_overlap must be in"):
        match_events(truth, truth, min_overlap=0.0)
    with pytest.raises(InputError, match="truth table: start is not a time"):
        evaluate(truth.assign(start="soon"), truth)
    with pytest.raises(InputError, match="events file not found"):
        read_event_table(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="folder holds no events table"):
        read_event_table(tmp_path)
    with pytest.raises(InputError, match="tasking file not found"):
        read_tasking(tmp_path / "none.csv")
    (tmp_path / "t.csv").write_text("rank,lat\n1,25\n")
    with pytest.raises(InputError, match="tasking list lacks column"):
        read_tasking(tmp_path / "t.csv")
    with pytest.raises(InputError, match="truth lacks incident_id"):
        evaluate(
            truth.drop(columns=["incident_id"]), truth, tasking_rows([(25, 63, 1, "")])
        )
    with pytest.raises(InputError, match="has events without start or end"):
        evaluate(truth.assign(end=pd.NaT), truth)


def test_reading_csv_and_parquet_gives_the_same_scores(tmp_path):
    truth = truth_table()
    csv = truth.copy()
    csv["start"] = csv["start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    csv["end"] = csv["end"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    csv.to_csv(tmp_path / "truth.csv", index=False)
    truth.to_parquet(tmp_path / "events.parquet")
    a = read_event_table(tmp_path / "truth.csv", "truth")
    b = read_event_table(tmp_path / "events.parquet")
    assert a["observable"].dtype == bool
    pd.testing.assert_frame_equal(
        evaluate(a, b).per_kind, evaluate(truth, truth).per_kind
    )


def test_command_prints_a_table_and_json(tmp_path, capsys):
    truth = truth_table()
    truth.to_parquet(tmp_path / "truth.parquet")
    detections = truth.iloc[2:].assign(risk=np.linspace(0, 1, len(truth) - 2))
    detections.to_parquet(tmp_path / "events.parquet")
    tasking_rows([(25.0, 63.0, 463000000, "")]).to_csv(
        tmp_path / "tasking.csv", index=False
    )
    args = [
        "evaluate",
        "--truth",
        str(tmp_path / "truth.parquet"),
        "--events",
        str(tmp_path / "events.parquet"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "loitering" in out and "precision" in out and "ROC AUC" in out
    assert main([*args, "--json", "--tasking", str(tmp_path / "tasking.csv")]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {row["kind"]: row for row in data["per_kind"]}
    assert kinds["loitering"]["recall"] == pytest.approx(0.8)
    assert data["tasking"]["incidents"] == 16
    assert (
        main(
            [
                "evaluate",
                "--truth",
                str(tmp_path / "none.csv"),
                "--events",
                str(tmp_path / "events.parquet"),
            ]
        )
        == 2
    )
    assert "truth file not found" in capsys.readouterr().err
