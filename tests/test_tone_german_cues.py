"""German cues that carry over to text the training data never showed: insults at the end of
compounds, umlauts written out, and helpdesk phrases of customers who have had enough."""

from __future__ import annotations

import numpy as np
import pytest

from workers.tone import lexicon
from workers.tone.cues import find_cue_batch
from workers.tone.features import tokenize


def _cues(text: str) -> tuple[str, ...]:
    return find_cue_batch([text]).cues[0]


@pytest.mark.parametrize(("text", "word"), [
    ("Sie sind ein Oberidiot.", "oberidiot"),
    ("Das sind lauter Totalversager in Ihrer Hotline.", "totalversager"),
    ("Das ist reine Kundenverarsche!", "kundenverarsche"),
    ("Was für eine Riesenfrechheit.", "riesenfrechheit"),
    ("Was für ein Dummschwätzer.", "dummschwätzer"),
])
def test_a_compound_that_ends_in_an_insult_is_an_insult_named_in_full(text, word):
    assert f"insult ({word})" in _cues(text)


@pytest.mark.parametrize(("written_out", "umlaut"), [
    ("Das ist unverschaemt.", "Das ist unverschämt."),
    ("Sie Betrueger!", "Sie Betrüger!"),
    ("So ein Scheissladen.", "So ein Scheißladen."),
    ("Ich schalte meinen Anwalt ein, das geht an die Verbraucherzentrale.",
     "Ich schalte meinen Anwalt ein, das geht an die Verbraucherzentrale."),
])
def test_umlauts_written_out_find_the_same_cues(written_out, umlaut):
    kinds = [cue.split(" (")[0] for cue in _cues(written_out)]
    assert kinds and kinds == [cue.split(" (")[0] for cue in _cues(umlaut)]


@pytest.mark.parametrize(("text", "cue"), [
    ("Ich schreibe Ihnen zum zweiten Mal wegen derselben Rechnung.",
     "escalation (repeated contact)"),
    ("Seit Wochen vertröstet man mich.", "escalation (waiting)"),
    ("Neunzig Minuten in der Warteschleife.", "escalation (waiting)"),
    ("Mir reicht es jetzt.", "escalation (fed up)"),
    ("Als Nächstes geht das an die Schlichtungsstelle.", "threat (regulator)"),
    ("Das ist inakzeptabel.", "insult (inakzeptabel)"),
    ("Ihr Service ist unterirdisch, ein Armutszeugnis.", "insult (armutszeugnis, unterirdisch)"),
    ("Ich werde seit Wochen hingehalten.", "escalation (waiting)"),
    ("Was für ein Vergleich, du Vogel.", "insult (du vogel)"),
])
def test_german_helpdesk_phrases_are_cues(text, cue):
    assert cue in _cues(text)


@pytest.mark.parametrize("text", [
    "Ich habe heute im Laden eingekauft.",  # "laden" alone is no "saftladen"
    "Ich habe einen Schokoladenkuchen gekauft.",  # "laden" inside, not at the end
    "Bitte senden Sie mir die Rechnung.",
    "Die Kontrolle hat nichts ergeben.",  # no "-troll" ending: it would end "Kontrolle"
    "Mein Sohn wünscht sich einen Fidget Spinner.",  # a spinner aimed at nobody
    "Der Vogel im Käfig singt.",
])
def test_ordinary_words_are_not_compound_insults(text):
    assert not [cue for cue in _cues(text) if cue.startswith("insult")]


def test_an_ending_matches_only_after_a_head_of_three_bytes():
    table = lexicon.Lexicon([("\\w*laden", 1)])
    tokens = tokenize(["laden xladen saftladen sauladen"])
    hits = table.endings.find(tokens, np.arange(len(tokens.hashes)))
    words = sorted(lexicon.spelling(tokens, first, last)
                   for first, last in zip(hits.first.tolist(), hits.last.tolist(), strict=True))
    assert words == ["saftladen", "sauladen"]


def test_an_ending_is_one_word_without_a_prefix():
    with pytest.raises(ValueError, match="one word"):
        lexicon.Lexicon([("\\w*kunden verarsche", 1)])
    with pytest.raises(ValueError, match="one word"):
        lexicon.Lexicon([("\\w*idiot\\w*", 1)])


def test_compound_endings_are_looked_up_in_german_texts_only():
    """An English batch skips the look-up: "Oberidiot" in an English sentence is no cue."""
    assert "insult (oberidiot)" in _cues("Sie sind ein Oberidiot.")
    assert not _cues("You are such an oberidiot.")

