"""Cheap language identification for English and German by function words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zäöüß]+")
GERMAN = frozenset(
    "der die das und ist nicht ich sie es ein eine einen dem den des mit auf für von zu im bei "
    "wie was wir ihr mein meine meinen mir mich sich auch noch schon aber oder wenn dass bitte "
    "danke hallo sehr habe haben hat sind war wurde kann können keine kein nur jetzt heute "
    "immer wieder warum weil über nach seit gerne grüße vielen".split())
ENGLISH = frozenset(
    "the and is not you it a an of to in on for with my me i we this that was were have has "
    "are be can could would please thanks thank hello hi your our no only now today still "
    "again why because after since will what when there their they just".split())


def detect_language(text: str) -> str:
    """'en', 'de' or 'other' from counts of very common words."""
    words = set(_WORD.findall(text.lower()))
    german = len(words & GERMAN)
    english = len(words & ENGLISH)
    if german == english == 0:
        return "de" if re.search(r"[äöüß]", text.lower()) else ("en" if words else "other")
    return "de" if german > english else "en"

