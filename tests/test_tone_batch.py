"""The batch machinery of the tone scorer gives the same answers as the plain, one-text paths,
and the hashed lexicon finds what a person would find."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.tone import score
from workers.tone.clean import clean, clean_batch
from workers.tone.lang import detect_language

MIXED = [
    "Hi,\n\nthanks for the quick answer.\n\nOn Mon, Nov 2, 2026 Support wrote:\n> old text",
    "<p>Hello &amp; welcome</p><blockquote>quoted</blockquote>",
    "Ich bin sauer!!\nLG\nAnna",
    "Ich bin sauer!!\n  MfG",
    "Where is my parcel?\n\n-- \nJohn Doe\nACME Ltd",
    "plain text without anything special",
    "  padded  with   blanks\t and tabs  ",
    "a\x00b null byte inside",
    "İstanbul office: please call back. Thanks, Bob",
    "",
    "Sent from my iPhone",
    "Works now.\nSent from my iPhone",
    "Windows\r\nline\r\nends",
    "Vielen Dank!\n\nMit freundlichen Grüßen\nJonas",
    "@support_de wo bleibt mein Paket? HTTPS://example.com/track",
    "mail jo@example.com or see WWW.example.com",
    "Still broken.\n##- Please type your reply above this line -##\nYour request was updated",
    "@shop  where is it?\t\n\n\n\nhttp://x.y",
]


def test_clean_batch_equals_clean():
    assert clean_batch(MIXED) == [clean(text) for text in MIXED]


FRAGMENTS = ["@shop", "jo@example.com", "HTTPS://x.y/z", "Www.a.de", "  ", "\t", "\u00a0",
             "\n", "\n\n\n", "> ", "<b>", "</p>", "&amp;", "\r\n", "|LBR|", "--", "__",
             "##- Please type your reply above this line -##", "On Mon, Jo wrote:",
             "Am 1.2. schrieb Jo:", "From: a\nSent: b", "Best regards", "Thanks, Maria",
             "Danke!", "Merci", "Viele Grüße", "\nLG", "\nMfG", "LG", "MfG", "lg",
             "Sent from my iPhone",
             "Where is my refund", "das ist eine Frechheit", "ok", "İ", "😡", "!!!", " "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join), max_size=6))
def test_clean_batch_equals_clean_for_any_mix_of_hints(texts):
    assert clean_batch(texts) == [clean(text) for text in texts]


def test_clean_batch_equals_clean_for_every_sign_off_layout():
    """Every body, separator, sign-off and ending together: the screen must send each text
    that `clean` would change to the right path."""
    bodies = ["Where is my refund?!", "@shop wo bleibt es", "see https://x.y/z now", ""]
    separators = ["\n", "\n  ", "\n\t", "\n\u00a0", " ", "\n\n\n", "  "]
    sign_offs = ["LG", "MfG", "Thanks", "Thanks, Maria", "Cheers", "Best,", "Regards",
                 "Viele Grüße", "--", "Sent from my iPhone", "@jo", "Www.shop.de", "ok"]
    endings = ["", "\n", "  ", "\nJo"]
    texts = ["".join(parts) for parts in itertools.product(bodies, separators, sign_offs,
                                                               endings)]
    assert clean_batch(texts) == [clean(text) for text in texts]


def test_score_of_a_mixed_batch_equals_one_by_one():
    texts = [*MIXED, "WHERE IS MY REFUND?!?!", "“Useless” 😡", "Das ist eine Frechheit!!"]
    assert score(texts) == [score([text])[0] for text in texts]


@pytest.mark.parametrize(("text", "cue"), [
    ("“Useless” doesn’t even begin to describe it 😡", "insult (useless)"),
    ("What a rip-off.", "insult (rip off)"),
    ("Unverschämtheit, ich kündige!", "escalation (cancel)"),
    ("Eine UNVERSCHÄMTHEIT ist das", "insult (unverschämtheit)"),
    ("I will take legal action.", "threat (lawyer)"),
    ("I really appreciated your patience!", "praise (really appreciated)"),
    ("Ich habe das schon wieder gemeldet", "escalation (repeated contact)"),
])
def test_lexicon_words_phrases_and_prefixes(text, cue):
    [tone] = score([text])
    assert any(c.startswith(cue) for c in tone.cues), tone.cues


def test_prefix_entries_match_longer_words():
    [tone] = score(["I want the cancellation confirmed in writing."])
    assert "escalation (cancel)" in tone.cues


@pytest.mark.parametrize(("text", "repeated"), [
    ("ok!!", True), ("what???", True), ("!?!", True), ("what??", False), ("fine!", False),
    ("what?! really", False),
])
def test_repeated_punctuation(text, repeated):
    [tone] = score([text])
    assert ("repeated !/?" in tone.cues) is repeated


def test_shouting_ignores_acronyms():
    shouting, acronyms = score(["WHERE IS MY MONEY", "Please send the PDF and CSV via API"])
    assert "shouting" in shouting.cues
    assert "shouting" not in acronyms.cues


@pytest.mark.parametrize("text", [
    "Hello, could you check my order please?",
    "Guten Tag, bitte prüfen Sie meine Bestellung.",
    "Über die Größe",
    "12345",
    "😡😡",
    "You're gonna die tomorrow.",
])
def test_batch_language_agrees_with_the_single_text_detector(text):
    assert score([text])[0].lang == detect_language(text)


@pytest.mark.parametrize("text", [
    "Your so-called support is a joke. Cancel my subscription NOW and refund every cent.",
    "Ich warte seit Wochen auf eine Antwort. Absolute Zumutung, ich kündige!",
    "I have been waiting for two weeks and nobody has answered my emails. This is ridiculous.",
])
def test_more_helpdesk_anger_is_hostile(text):
    assert score([text])[0].hostile


@pytest.mark.parametrize("text", [
    "Hi, I'd like to cancel my subscription at the end of the month, please.",
    "Hallo, ich möchte meinen Vertrag zum Monatsende kündigen. Viele Grüße",
    "Guten Tag, ich bitte um Erstattung der doppelt abgebuchten Rechnung.",
    "Hello, the invoice from March shows the wrong VAT number. Could you send a corrected PDF?",
    "Hi team, quick question: does the Pro plan include API access? Best, Tom",
])
def test_polite_cancellations_and_questions_are_not_hostile(text):
    assert not score([text])[0].hostile


UNICODE = ["ΟΔΟΣ ΣΑΣ", "Σ", "İstanbul", "STRASSE ẞ", "K\u212a", "“Useless” 😡", "\ud800 lone", "",
           "plain ASCII", "ÄRGER über Größe"]


@pytest.mark.parametrize("texts", [UNICODE, UNICODE[:1], [""], ["a\x00b", *UNICODE]])
def test_batch_bytes_equal_the_per_text_encoding(texts):
    """One lower() and encode() for the batch gives the bytes of the per-text path."""
    from workers.tone.features import _bytes_and_rows, _bytes_and_rows_one_by_one

    data, rows = _bytes_and_rows(texts)
    expected_data, expected_rows = _bytes_and_rows_one_by_one(texts)
    assert data.tobytes() == expected_data.tobytes()
    assert rows.dtype == expected_rows.dtype and rows.tolist() == expected_rows.tolist()


def test_cached_powers_do_not_depend_on_batch_order():
    from workers.tone import features

    long, short = ["word " * 20_000 + "end"], ["short one", "end"]
    features._POWER_CACHE.clear()
    fresh = features.tokenize(short).hashes.tolist()
    assert features.tokenize(long).hashes[-1] == fresh[-1]  # the cache has grown by now
    assert features.tokenize(short).hashes.tolist() == fresh


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ABCÄÖÜabcäöüß_1 !.\n", max_size=40), min_size=1, max_size=6))
def test_shouted_words_by_bytes_equal_the_regex_count(texts):
    """The byte path of the shouting count (words that start with three capitals, checked
    alone) counts what the regex over the written text counts."""
    import numpy as np

    from workers.tone import cues
    from workers.tone.features import tokenize

    by_regex = np.zeros(len(texts))
    np.add.at(by_regex, cues._owner(cues._starts(texts),
                                    cues._caps_words(cues.SEPARATOR.join(texts))), 1)
    assert cues._caps_counts(texts, tokenize(texts)).tolist() == by_regex.tolist()


@pytest.mark.parametrize("bits", [4, 16])
def test_sparse_matches_find_what_find_finds(bits):
    import numpy as np

    from workers.tone.hashindex import HashIndex

    rng = np.random.default_rng(bits)
    keys = np.unique(rng.integers(0, 1 << 32, 300, dtype=np.uint64).astype(np.uint32))
    queries = np.concatenate([keys[::3], rng.integers(0, 1 << 32, 5000, dtype=np.uint64)
                              .astype(np.uint32)])
    index = HashIndex(keys, min_bits=bits)
    found = index.find(queries)
    at, which = index.matches(queries)
    assert at.tolist() == np.flatnonzero(found >= 0).tolist()
    assert which.tolist() == found[found >= 0].tolist() and len(at) >= len(keys[::3])


def test_hash_index_wraps_round_past_the_last_slot():
    """Keys whose home is the last slot wrap to the first ones, and are all found."""
    import numpy as np

    from workers.tone.hashindex import HashIndex

    candidates = np.arange(1, 200_000, dtype=np.uint32)
    with np.errstate(over="ignore"):
        homes = (candidates * np.uint32(0x9E3779B1)) >> np.uint32(28)
    keys = candidates[homes == 15][:3]
    index = HashIndex(keys)  # 16 slots: three keys homed at slot 15 take 15, 0 and 1
    assert len(index.keys) == 16 and index.probes == 2
    absent = candidates[homes == 15][3:50]
    assert index.find(np.concatenate([keys, absent])).tolist() == [0, 1, 2] + [-1] * len(absent)


def test_hash_index_finds_every_key_of_a_large_set():
    import numpy as np

    from workers.tone.hashindex import HashIndex

    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 1 << 32, 50_000, dtype=np.uint64).astype(np.uint32))
    rng.shuffle(keys)
    index = HashIndex(keys)
    assert index.find(keys).tolist() == list(range(len(keys)))
    others = rng.integers(0, 1 << 32, 20_000, dtype=np.uint64).astype(np.uint32)
    others = others[~np.isin(others, keys)]
    assert (index.find(others) == -1).all()
