"""Training is reproducible and what it writes is what the scorer loads; the word priors read
the words as a person would (negation, unknown words, offensive words)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.tone.features import text_hash, tokenize
from workers.tone.hashindex import HashIndex
from workers.tone.model import load_model
from workers.tone.priors import load_priors

ANGRY = ["this is awful and useless", "awful awful service", "useless garbage, awful",
         "what an awful mess", "you are useless"]
CALM = ["thanks for the help", "the parcel arrived today", "could you check my address",
        "great, thank you", "all good now"]
GERMAN_ANGRY = ["das ist eine frechheit", "unverschämt und dumm", "so eine frechheit"]
GERMAN_CALM = ["vielen dank für die hilfe", "das paket ist da", "alles gut, danke"]


def _rows(angry, calm, lang, copies):
    praise = -1 if lang == "de" else 0
    return ([(t, 1, 0 if praise == 0 else -1, lang) for t in angry] * copies
            + [(t, 0, int("thank" in t) if praise == 0 else -1, lang) for t in calm] * copies)


@pytest.fixture(scope="module")
def tiny_rows():
    return {"en": _rows(ANGRY, CALM, "en", 8), "en_cal": _rows(ANGRY, CALM, "en", 2),
            "de": _rows(GERMAN_ANGRY, GERMAN_CALM, "de", 8),
            "de_cal": _rows(GERMAN_ANGRY, GERMAN_CALM, "de", 2)}


def test_training_is_reproducible_and_loads(tmp_path, tiny_rows):
    pytest.importorskip("sklearn")
    from training.train import fit_model

    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    info = fit_model(tiny_rows, first)
    fit_model(tiny_rows, second)
    assert first.read_bytes() == second.read_bytes()
    assert set(info["offsets"]) == {"en", "de", "other"}
    model = load_model(first)
    angry, calm = model.predict(["what an awful, useless service", "thanks, the parcel arrived"])
    assert angry.anger > calm.anger
    assert model.german_words is not None  # the German head's multilingual word scores


def test_a_model_of_another_shape_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, weights=np.zeros((8, 3), np.float16), dense=np.zeros((2, 3), np.float32),
             idf=np.ones(8, np.float16), bias=np.zeros(3, np.float32),
             offsets=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="retrain"):
        load_model(path)


def _priors(text):
    return load_priors().features(tokenize([text]))[0]


def test_negative_words_raise_negativity_and_negation_softens_it():
    assert _priors("this is terrible")[0] > _priors("this is fine")[0]
    assert _priors("this is not terrible")[0] < _priors("this is terrible")[0]
    assert _priors("this isn't terrible")[0] < _priors("this is terrible")[0]


def test_offensive_words_score_above_plain_ones():
    assert _priors("you are a fucking idiot")[2] > _priors("you are a helpful person")[2]


def test_texts_without_known_words_get_the_neutral_values():
    empty = load_priors().features(tokenize(["", "zzqx blorf"]))
    assert (empty[:, :2] == 0).all()
    assert empty[0, 2] == empty[1, 2]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=300, unique=True),
       st.lists(st.integers(0, 2**32 - 1), max_size=300))
def test_hash_index_finds_exactly_the_stored_keys(keys, others):
    stored = np.array(keys, np.uint32)
    index = HashIndex(stored)
    queries = np.array(keys + others, np.uint32)
    found = index.find(queries)
    expected = [keys.index(q) if q in keys else -1 for q in queries.tolist()]
    assert found.tolist() == expected


def test_the_priors_table_knows_common_words():
    priors = load_priors()
    for word in ("terrible", "love", "not"):
        assert priors.lookup.find(np.array([text_hash(word)], np.uint32))[0] >= 0


def test_folded_word_scores_equal_pooled_vectors_times_the_weights():
    """What ships (a score per word and head) gives the logits training fitted (weights on the
    pooled vectors); unknown words add nothing; known words pool over √(known words)."""
    from training.vectors import load_vectors
    from workers.tone.wordscores import pooled

    table = load_vectors()
    tokens = tokenize(["you incompetent scammers!", "thanks", "thanks thanks", "",
                       "zzqxv qqwxz"])
    weights = np.random.default_rng(0).normal(size=(table.codes.shape[1], 3)).astype(np.float32)
    direct = table.features(tokens) @ weights
    folded = pooled(tokens, table.lookup, table.fold(weights))
    np.testing.assert_allclose(folded, direct, rtol=1e-4, atol=1e-4)
    assert np.abs(folded[0]).sum() > 0
    [thanks] = table.lookup.find(np.array([text_hash("thanks")], np.uint32))
    np.testing.assert_allclose(folded[1], table.fold(weights)[thanks], rtol=1e-5)
    np.testing.assert_allclose(folded[2], np.sqrt(2) * folded[1], rtol=1e-5)
    assert not folded[3].any() and not folded[4].any()


def test_the_scorer_loads_without_training_libraries():
    """Scoring imports numpy and the tone package only: no trainer, no scikit-learn or scipy."""
    import subprocess
    import sys

    code = ("import sys; from workers.tone import score; score(['you are useless!!']); "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('training', 'sklearn', 'scipy', 'joblib', 'vaderSentiment'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == ""


def test_missing_training_data_is_named(tmp_path, monkeypatch):
    from training.data import DATA_ENV, MissingData, data_dir

    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(MissingData, match="--data DIR or set BREATHER_TONE_DATA"):
        data_dir(None)
    (tmp_path / "goemotions").mkdir()
    (tmp_path / "goemotions" / "train.tsv").write_text("hi\t27\tx\n")
    with pytest.raises(MissingData, match="missing goemotions/dev.tsv"):
        data_dir(tmp_path)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    with pytest.raises(MissingData, match=str(tmp_path)):
        data_dir(None)


def test_the_german_head_scores_words_germeval_never_showed_by_their_meaning():
    """The shipped German head's word scores come from multilingual word vectors: German words
    absent from GermEval-2018's training data lean by meaning, hostile words above calm ones."""
    model = load_model()
    hostile = ("erbärmlich", "heimtückisch", "skrupellos")  # none in GermEval-2018
    calm = ("hilfsbereit", "angenehm", "fröhlich")
    where = model.german_words.find(np.array([text_hash(w) for w in hostile + calm], np.uint32))
    assert (where >= 0).all()
    scores = model.german_scores[where, 0]
    assert scores[:3].min() > scores[3:].max()


def test_training_rows_give_the_scorers_decision_values_for_repeated_ngrams():
    """A head fitted on training's feature rows must score as the scorer computes: the same
    weights, IDF and dense weights give the same logit through `Part.x` (training) and
    `ToneModel.logits` (the scorer), also for texts whose n-grams repeat, where the norm of the
    summed row and the scorer's per-occurrence norm differ."""
    pytest.importorskip("scipy")
    from training.data import prepare
    from training.train import Part
    from workers.tone.features import DIM
    from workers.tone.model import DENSE, ToneModel

    texts = ["nein nein nein nein nein, nein!", "aaaaaaaaaaaa", "ha ha ha ha ha ha ha",
             "Das ist eine Frechheit, eine echte Frechheit."]
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(DIM, 1)).astype(np.float16)
    dense = rng.normal(size=(len(DENSE), 1)).astype(np.float32)
    idf = rng.uniform(1.0, 9.0, DIM).astype(np.float16)
    heads = np.repeat(weights, 3, axis=1)
    scorer = ToneModel(heads, np.repeat(dense, 3, axis=1), np.zeros(3, np.float32), {}, idf)
    logits = scorer.logits([prepare(text) for text in texts])[0][:, 2]  # scored in any batch
    part = Part([(text, 1, 0, "de") for text in texts])
    x = part.x(idf.astype(np.float32))
    training = x @ np.concatenate([weights[:, 0].astype(np.float64), dense[:, 0]])
    np.testing.assert_allclose(logits, training, rtol=2e-4, atol=2e-4)


def test_written_out_umlauts_alias_a_word_unless_they_are_a_word_of_their_own():
    from training.multivectors import alias_pairs, spelled_out

    assert spelled_out("unverschämt") == "unverschaemt"
    assert spelled_out("grüße, ärger, öl") == "gruesse, aerger, oel"
    words = ["maße", "masse", "müßte", "müsste", "grün", "haus"]
    aliases, targets = alias_pairs(words, np.array([text_hash(w) for w in words], np.uint32))
    found = dict(zip(aliases.tolist(), targets.tolist(), strict=True))
    assert found == {text_hash("muesste"): text_hash("müsste"),  # the first in sorted order
                     text_hash("gruen"): text_hash("grün")}  # "masse" is a word of its own


def test_the_german_head_scores_a_written_out_spelling_as_the_word():
    """Customers without a German keyboard write "unverschaemt": the shipped German word
    scores know that spelling and give it the word's score."""
    model = load_model()
    pairs = [("unverschämt", "unverschaemt"), ("betrüger", "betrueger"), ("ärgerlich",
                                                                          "aergerlich")]
    where = model.german_words.find(np.array([text_hash(w) for pair in pairs for w in pair],
                                             np.uint32))
    assert (where >= 0).all()
    scores = model.german_scores[where, 0].reshape(-1, 2)
    np.testing.assert_array_equal(scores[:, 0], scores[:, 1])


def test_the_saved_german_head_scores_as_the_fitted_one_with_block_weights(tmp_path, tiny_rows,
                                                                        monkeypatch):
    """Block weights (dense features and pooled vectors scaled before fitting) are folded back
    into what is saved: the scorer's German logits equal the fitted head's decision values."""
    pytest.importorskip("sklearn")
    from scipy import sparse

    from training import train

    monkeypatch.setitem(train.BLOCK_WEIGHTS, "de", (0.5, 0.25))
    fitted = {}
    real_refit = train.refit

    def recording_refit(parts, x, labels, c):
        head, ratio = real_refit(parts, x, labels, c)
        if parts[0].rows[0][3] == "de":
            fitted.update(head=head, x=train.scaled(sparse.vstack(x).tocsr(), ratio),
                          texts=[t for part in parts for t, *_ in part.rows])
        return head, ratio

    monkeypatch.setattr(train, "refit", recording_refit)
    train.fit_model(tiny_rows, tmp_path / "m.npz")
    expected = fitted["head"].decision_function(fitted["x"])
    logits, cues = load_model.__wrapped__(tmp_path / "m.npz").logits(fitted["texts"])
    assert set(cues.langs) == {"de"}
    np.testing.assert_allclose(logits[:, 1], expected, rtol=1e-2, atol=1e-2)


def test_the_german_variant_bench_weighs_groups_and_drops_word_ngrams():
    pytest.importorskip("scipy")
    from bench.tone_german_options import character_ngrams, group_weights
    from training.train import raw_matrix

    weights = group_weights(["a", "a", "a", "a", "b"], 0.5)
    np.testing.assert_allclose(weights / weights[-1], [0.5, 0.5, 0.5, 0.5, 1.0])
    assert weights.mean() == pytest.approx(1.0)
    text = "nein nein"  # " nein nein ": 9 character 3-grams, 8 4-grams; 2 words, 1 pair
    chars, squares = character_ngrams([text])
    assert squares.sum() == 17
    signed, all_squares = raw_matrix([text])
    assert all_squares.sum() == pytest.approx(1.0)  # 20 n-grams, each (1/√20)²
    assert chars.nnz < signed.nnz


def test_germeval_rows_carry_their_fine_label(tmp_path):
    from training.data import load_germeval

    (tmp_path / "germeval2018.training.txt").write_text(
        "Du Idiot\tOFFENSE\tINSULT\nDas Pack gehört raus\tOFFENSE\tABUSE\n"
        "Schönes Wetter\tOTHER\tOTHER\nOhne feines Etikett\tOFFENSE\n", encoding="utf-8")
    assert [(hostile, fine) for _, hostile, _, _, fine in load_germeval(tmp_path)] == [
        (1, "INSULT"), (1, "ABUSE"), (0, "OTHER"), (1, "OFFENSE")]


def test_insults_of_a_person_weigh_more_and_abuse_of_a_group_less():
    from training.train import row_weights

    rows = [("a", 1, -1, "de", "INSULT"), ("b", 1, -1, "de", "ABUSE"),
            ("c", 1, -1, "de", "PROFANITY"), ("d", 0, -1, "de", "OTHER"), ("e", 0, 0, "en")]
    weights = row_weights(rows)
    assert weights[0] > weights[2] == weights[3] == weights[4] == 1.0 > weights[1]


def test_the_german_head_is_fitted_with_the_row_weights():
    pytest.importorskip("sklearn")
    from training.threshold import idf_of
    from training.train import Part, fit, refit

    rows = ([(t, 1, -1, "de", "INSULT") for t in GERMAN_ANGRY[:2]] * 4
            + [(GERMAN_ANGRY[2], 1, -1, "de", "ABUSE")] * 4
            + [(t, 0, -1, "de", "OTHER") for t in GERMAN_CALM] * 4)
    part = Part(rows)
    x = part.x(idf_of(part.raw))
    weighted, _ = refit([part], [x], "anger", 8.0)
    part.weights = np.ones(len(rows))
    unweighted, _ = refit([part], [x], "anger", 8.0)
    assert not np.allclose(weighted.coef_, unweighted.coef_)
    equal = fit(x, part.anger, 8.0, np.full(len(rows), 2.0))  # equal weights: no weights
    assert np.array_equal(equal.coef_, fit(x, part.anger, 8.0).coef_)
