"""Cheap language identification for English and German by function words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zäöüß]+")
_UMLAUT = re.compile(r"[äöüß]")
GERMAN = frozenset(
    "der die das und ist nicht ich sie es ein eine einen dem den des mit auf für von zu im bei "
    "wie was wir ihr mein meine meinen mir mich sich auch noch schon aber oder wenn dass bitte "
    "danke hallo sehr habe haben hat sind war wurde kann können keine kein nur jetzt heute "
    "immer wieder warum weil über nach seit gerne grüße vielen du dich dir dein deine euch alle "
    "diese dieser dieses nichts hier sollte sollten muss müssen gibt sein werden wird doch "
    "einem einer uns unser zum zur vom beim".split())
# Not "in", "an" or "will": German words too, they sent short German sentences ("Frauen
# gehören in einen Zoo.") to the English head on a tie.
ENGLISH = frozenset(
    "the and is not you it a of to on for with my me i we this that was were have has "
    "are be can could would please thanks thank hello hi your our no only now today still "
    "again why because after since what when there their they just".split())


def detect_language(text: str) -> str:
    """'en', 'de' or 'other' from counts of very common words."""
    lowered = text.lower()
    return language_of(set(_WORD.findall(lowered)), lowered)


def language_of(words: set[str], lowered: str) -> str:
    """The language of a text from its set of lower-case words (and the text itself)."""
    german = len(words & GERMAN)
    english = len(words & ENGLISH)
    if german == english == 0:
        return "de" if _UMLAUT.search(lowered) else ("en" if words else "other")
    return "de" if german > english else "en"

