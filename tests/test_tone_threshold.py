"""The German threshold is chosen on German from several sources (training.threshold): each
source counts by how its hostile and calm texts score, not by how many of each it holds, and
the report halves of the development sets are never read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from training.threshold import (
    CUSTOMER_SERVICE,
    HARMFUL,
    HATECHECK,
    Source,
    blend_threshold,
    choose_rows,
    macro_f1,
    set_offset,
)
from workers.tone.model import LANGS, MODEL_PATH


def _source(name: str, hostile_scores: list[float], calm_scores: list[float]) -> Source:
    raw = np.array(hostile_scores + calm_scores)
    hostile = np.array([True] * len(hostile_scores) + [False] * len(calm_scores))
    return Source(name, hostile, raw, np.ones(len(raw), bool), np.zeros(len(raw), bool))


def test_a_source_counts_by_its_scores_not_by_its_share_of_hostile_texts():
    """Copying a source's hostile texts ten times changes nothing once it is reweighted; with
    every text weighted alike (share = its own), the copies drag the threshold down."""
    tweets = _source("tweets", [0.6, 0.2, 0.9, -0.1], [-0.6, -0.3, 0.1, -0.9, -1.2, 0.0])
    mails = _source("mails", [-0.4, 0.3, -0.8], [-1.5, -1.1, -0.2])
    lopsided = _source("mails", [-0.4, 0.3, -0.8] * 10, [-1.5, -1.1, -0.2])
    share = 0.35
    assert blend_threshold([tweets, mails], share) == blend_threshold([tweets, lopsided], share)
    own = [blend_threshold([tweets, s], float(s.hostile.mean()))[0] for s in (mails, lopsided)]
    assert own[1] < own[0]


def test_texts_read_as_another_language_keep_their_own_decision():
    source = Source("mixed", np.array([True, False]), np.array([5.0, 5.0]),
                    np.array([True, False]), np.array([False, False]))
    assert source.flagged(0.0).tolist() == [True, False]


def test_macro_f1_is_the_mean_of_both_classes_f1():
    hostile = np.array([True, True, False, False])
    flagged = np.array([True, False, False, False])
    # hostile F1 = 2/3, calm F1 = 2·2 / (2 + 3) = 0.8
    assert macro_f1(hostile, flagged, np.ones(4)) == np.mean([2 / 3, 0.8])


def test_only_the_choose_halves_are_read():
    for path, lang in ((HATECHECK, None), (CUSTOMER_SERVICE, "de"), (HARMFUL, None)):
        everything = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        chosen = choose_rows(path, lang)
        assert chosen and all(r["part"] == "choose" for r in chosen)
        expected = [r for r in everything if r["part"] == "choose" and "hostile" in r
                    and (lang is None or r["lang"] == lang)]
        assert chosen == expected
        labelled = [r for r in everything if "hostile" in r]
        assert len(chosen) < len(labelled) / 2 + 50


def test_set_offset_changes_that_offset_only(tmp_path: Path):
    path = tmp_path / "model.npz"
    path.write_bytes(MODEL_PATH.read_bytes())
    set_offset(path, "de", -1.25)
    with np.load(MODEL_PATH) as before, np.load(path) as after:
        assert before.files == after.files
        changed = [n for n in before.files if not np.array_equal(before[n], after[n])]
        assert changed == ["offsets"]
        offsets = dict(zip(LANGS, after["offsets"].tolist(), strict=True))
        assert offsets["de"] == -1.25
        assert offsets["en"] == before["offsets"][LANGS.index("en")]


def test_the_shipped_german_threshold_is_the_recorded_blended_one():
    record = json.loads(MODEL_PATH.with_suffix(".json").read_text())
    with np.load(MODEL_PATH) as model:
        shipped = float(model["offsets"][LANGS.index("de")])
    assert shipped == np.float32(record["german_threshold"]["threshold"])
    assert record["offsets"]["de"] == record["german_threshold"]["threshold"]
