"""The tone scorer on the kind of text helpdesks receive, in English and German."""

from __future__ import annotations

import pytest

from workers.tone import HOSTILE_THRESHOLD, Tone, clean, score

HOSTILE = [
    "This is the THIRD time I'm asking. WHERE IS MY REFUND?!?! Absolutely useless service.",
    "You people are incompetent. I will contact my lawyer if this isn't fixed today!!!",
    "I still have not received my order and nobody answers. This is unacceptable.",
    "Das ist eine Frechheit! Ich werde meinen Anwalt einschalten und den Vertrag kündigen!!",
    "Zum dritten Mal: WO BLEIBT MEINE ERSTATTUNG?! Unfassbar inkompetent.",
]
NEUTRAL = [
    "Hi, could you tell me how to change the billing address on my account? Thanks, Maria",
    "Can you please reset my password? Thanks in advance",
    "Hallo, ich möchte meine Rechnungsadresse ändern. Wie geht das? Viele Grüße",
    "Könnten Sie mir bitte eine Kopie der letzten Rechnung als PDF schicken?",
]
PRAISE = [
    "Thank you so much, you were incredibly helpful! Great support as always.",
    "Vielen Dank, jetzt funktioniert alles! Sie waren eine große Hilfe.",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_helpdesk_anger_is_hostile(text):
    [tone] = score([text])
    assert tone.hostile and tone.anger >= HOSTILE_THRESHOLD
    assert tone.cues, "a hostile score comes with its reasons"


@pytest.mark.parametrize("text", NEUTRAL)
def test_polite_requests_are_not_hostile(text):
    [tone] = score([text])
    assert not tone.hostile
    assert tone.praise < 0.5, "a polite sign-off is not praise"


@pytest.mark.parametrize("text", PRAISE)
def test_thanks_is_praise(text):
    [tone] = score([text])
    assert tone.praise >= 0.5 and not tone.hostile


def test_language_is_detected():
    tones = score([HOSTILE[0], HOSTILE[3], NEUTRAL[2], PRAISE[0]])
    assert [t.lang for t in tones] == ["en", "de", "de", "en"]


def test_short_german_sentences_with_shared_words_are_german():
    """"in", "an" and "will" are German words too: a tie no longer sends them to English."""
    tones = score(["Frauen gehören in einen Zoo.", "Ich will an die Adresse liefern lassen.",
                   "I will call you in an hour."])
    assert [t.lang for t in tones] == ["de", "de", "en"]


@pytest.mark.parametrize(("text", "cue"), [
    ("Ich hasse dich.", "insult (hasse)"),
    ("Ihr seid Abschaum.", "insult (abschaum)"),
    ("Ich werde euch alle umbringen.", "threat (violence)"),
])
def test_german_abuse_and_threats_of_violence_are_named(text, cue):
    [tone] = score([text])
    assert cue in tone.cues and tone.lang == "de"


def test_batch_equals_one_by_one():
    """Batching changes speed, never scores."""
    texts = HOSTILE + NEUTRAL + PRAISE
    assert score(texts) == [score([t])[0] for t in texts]


def test_empty_and_whitespace_are_calm():
    assert score(["", "   \n"]) == [Tone(0.0, 0.0, "other", False, ())] * 2


def test_quoted_agent_reply_is_not_the_customers_words():
    """The customer's calm line decides, not the angry text quoted from an earlier mail."""
    body = ("Thanks, that works now.\n\nOn Mon, Nov 2, 2026 at 9:14 AM Support wrote:\n"
            "> WHERE IS MY REFUND?!?! You are USELESS, I will call my lawyer!!!")
    [tone] = score([body])
    assert not tone.hostile
    assert "lawyer" not in clean(body)


def test_quote_lines_go_but_a_message_of_nothing_else_keeps_its_words():
    """A `>` line next to the customer's own line is an earlier message; a message that is one
    flattened `>` line (chat, social, exports without line breaks) still has the customer's
    words in it, and scoring them as calm would hide them."""
    assert clean("> You are USELESS\nAll fine now, thank you for the quick fix.") == (
        "All fine now, thank you for the quick fix.")
    flattened = "> where is my order you said friday. This is a joke, you are USELESS!!!"
    assert clean(flattened).startswith("where is my order")
    assert score([flattened]) == score([flattened[2:]])
    assert score([flattened])[0].anger > 0.3
    assert clean("On Mon, Nov 2, 2026 Support wrote:\n> You are USELESS") == ""


def test_german_quote_header_and_signature_are_removed():
    body = ("Alles gut, danke.\n\nMit freundlichen Grüßen\nJonas Weber\nTel. 0123\n\n"
            "Am 02.11.2026 um 09:14 schrieb Support <support@example.com>:\n> Frechheit!!!")
    assert clean(body) == "Alles gut, danke."


def test_handles_and_links_go_but_email_addresses_stay():
    """Training strips them (the German tweets are full of them), so scoring must too."""
    assert clean("@telekom_hilft Ihr seid das Letzte https://t.co/x9 www.example.de/hilfe") == (
        "Ihr seid das Letzte")
    assert clean("Write to jo.doe@example.com, HTTP://X.Y/z") == "Write to jo.doe@example.com,"


def test_html_body_is_read_as_text():
    body = "<div><p>WHERE IS MY REFUND?!?!</p><p>You are <b>useless</b>!!!</p></div>"
    cleaned = clean(body)
    assert "<" not in cleaned and "useless" in cleaned
    assert score([body])[0].hostile


def test_cues_name_the_reasons():
    [tone] = score([HOSTILE[1]])
    assert any(c.startswith("threat (lawyer)") for c in tone.cues)
    assert any(c.startswith("insult") for c in tone.cues)


def test_model_ships_small():
    from workers.tone.model import MODEL_PATH

    assert MODEL_PATH.exists()
    assert MODEL_PATH.stat().st_size <= 10 * 1024 * 1024


def test_lexicon_matches_whole_words_only():
    """'mist' (German) is not in 'mistake', 'week' is not in 'weekend', 'court' not 'courtesy'."""
    [tone] = score(["Sorry, I made a mistake last weekend; thanks for the courtesy call."])
    assert not any(c.startswith(("insult", "threat", "escalation")) for c in tone.cues)
    assert not tone.hostile


def test_extra_tickets_load_from_json_lines_and_tsv(tmp_path):
    from training.data import load_extra

    jsonl = tmp_path / "own.jsonl"
    jsonl.write_text('{"text": "Das ist eine Frechheit", "hostile": true}\n\n'
                     '{"text": "Thanks a lot!", "hostile": false, "praise": true}\n')
    tsv = tmp_path / "own.tsv"
    tsv.write_text("Das ist eine Frechheit\t1\nThanks a lot!\t0\t1\n")
    expected = [("Das ist eine Frechheit", 1, -1, "de"), ("Thanks a lot!", 0, 1, "en")]
    assert load_extra(jsonl) == expected
    assert load_extra(tsv) == expected


@pytest.mark.parametrize(("name", "content"), [
    ("bad.jsonl", '{"text": "ok", "hostile": true}\nnot json\n'),
    ("bad.jsonl", '{"text": "ok", "hostile": "yes"}\n'),
    ("bad.tsv", "fine\t1\nno label here\n"),
    ("bad.tsv", "fine\tmaybe\n"),
])
def test_malformed_extra_tickets_name_the_line(tmp_path, name, content):
    from training.data import load_extra

    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SystemExit) as error:
        load_extra(path)
    line = 2 if content.count("\n") == 2 else 1
    assert f"{path}:{line}:" in str(error.value)
