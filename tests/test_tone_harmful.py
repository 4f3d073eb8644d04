"""data/ood/harmful_german.jsonl: natural German from elsewhere, built by
training.harmful_german from the upstream file and the annotators' labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import harmful_german
from training.harmful_german import OUT, SAMPLE, build, decide, part


def _source(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["id;description;DEF"] + [f'{i};"{text}";{label}' for i, text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _labels(folder: Path, name: str, labels: dict[int, int]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("".join(json.dumps({"n": n, "offensive": v}) + "\n"
                                       for n, v in labels.items()), encoding="utf-8")


@pytest.fixture
def small(monkeypatch, tmp_path: Path):
    """Three texts (one repeated), a sample of two: the two with the lowest SHA-1 of their id."""
    monkeypatch.setattr(harmful_german, "SAMPLE", 2)
    source = _source(tmp_path / "def.csv", [("1", "Du Vollidiot", "TRUE"),
                                            ("2", "Schönes Wetter heute", "FALSE"),
                                            ("3", "Du Vollidiot", "TRUE"),
                                            ("4", "Die Regierung hat versagt", "FALSE")])
    order = harmful_german.sample_ids(harmful_german.read_source(source))
    return source, tmp_path / "labels", order


def test_majority_decides_and_a_tie_goes_to_the_third_reading(small, tmp_path: Path):
    source, labels, order = small
    _labels(labels, "annotator_a.jsonl", {0: 1, 1: 0})
    _labels(labels, "annotator_b.jsonl", {0: 1, 1: 1})
    _labels(labels, "adjudicated.jsonl", {1: 0})
    summary = build(source, labels, tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert summary["rows"] == 3 and summary["relabelled"] == 2  # the repeated text is dropped
    texts = {"1": "Du Vollidiot", "2": "Schönes Wetter heute", "4": "Die Regierung hat versagt"}
    by_text = {r["text"]: r for r in rows}
    assert by_text[texts[order[0]]]["votes"] == [2, 2]
    assert by_text[texts[order[0]]]["hostile"] is True
    assert by_text[texts[order[1]]]["votes"] == [1, 2]
    assert by_text[texts[order[1]]]["hostile"] is False  # the third reading
    assert all("id" not in r for r in rows)


def test_a_sample_text_without_a_label_is_refused(small, tmp_path: Path):
    source, labels, _ = small
    _labels(labels, "annotator_a.jsonl", {0: 1})
    _labels(labels, "adjudicated.jsonl", {})
    with pytest.raises(SystemExit, match="sample text 1 has no annotator label"):
        build(source, labels, tmp_path / "out.jsonl")


def test_a_single_reading_counts_and_a_missing_tie_break_is_refused(small, tmp_path: Path):
    source, labels, _ = small
    _labels(labels, "annotator_a.jsonl", {0: 1, 1: 0})
    _labels(labels, "annotator_b.jsonl", {0: 0})
    _labels(labels, "adjudicated.jsonl", {})
    with pytest.raises(SystemExit, match="tie"):
        build(source, labels, tmp_path / "out.jsonl")
    _labels(labels, "adjudicated.jsonl", {0: 1})
    assert build(source, labels, tmp_path / "out.jsonl")["hostile"] == 1


def test_bad_input_names_the_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id;text\n1;x\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="bad.csv: expected the columns"):
        harmful_german.read_source(bad)
    _labels(tmp_path / "l", "annotator_a.jsonl", {0: 2})
    with pytest.raises(SystemExit, match="annotator_a.jsonl, line 1"):
        harmful_german.read_labels(tmp_path / "l" / "annotator_a.jsonl")


def test_decide_is_the_majority():
    assert decide([True, True, False], None) is True
    assert decide([False, False, True], None) is False
    assert decide([True, False], False) is False
    with pytest.raises(SystemExit, match="tie"):
        decide([True, False], None)


def test_the_shipped_file_has_both_labels_and_stable_halves():
    rows = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    sample = [r for r in rows if "hostile" in r]
    assert len(rows) == 3263 and len(sample) == SAMPLE
    assert all(r["votes"][1] >= 1 for r in sample)
    assert sum(r["votes"][1] >= 2 for r in sample) >= 100  # the second reading
    for r in sample:  # a clear majority decides; a tie was read a third time
        yes, votes = r["votes"]
        if 2 * yes != votes:
            assert r["hostile"] == (2 * yes > votes)
    for rows_of in (rows, sample):
        choose = sum(r["part"] == "choose" for r in rows_of)
        assert 0.4 < choose / len(rows_of) < 0.6
    # the split is the parity of the id's SHA-1, pinned: a changed rule would move texts
    # between the halves after choices were made on one of them
    assert [part(i) for i in ("1", "2", "3", "4", "1064396393598783")] == [
        "report", "choose", "report", "choose", "report"]


def test_the_bench_reports_the_defamations_and_the_relabelled_sample():
    """Through the shipped scorer: a defamation of a person ranks above the other texts more
    often than not, and the sample's figures come per half."""
    from bench.tone_sets import german_natural
    from workers.tone import score

    out = german_natural(score)
    assert out["defamations"] == 415
    assert 0.6 < out["defamation_auc"]["all"] < 1
    sample = out["hostile_sample"]
    assert sample["all"]["rows"] == SAMPLE
    assert sample["choose"]["rows"] + sample["report"]["rows"] == SAMPLE
