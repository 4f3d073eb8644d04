"""Explainable cues: the reasons a person can read next to a score.

Shouting, runs of ! and ?, insults, threats and escalation phrases, in English and German.
The lists are our own, short on purpose: the trained model carries the statistics, the cues
carry the explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from workers.tone.lang import language_of

INSULTS = (
    r"idiot\w*|moron\w*|stupid\w*|incompetent|useless|pathetic|clowns?|joke of a|ridiculous|"
    r"scam\w*|rip-?off|fraud\w*|liars?|lying|disgrace\w*|disgusting|shit\w*|crap\w*|fuck\w*|"
    r"bullshit|damn\w*|garbage|trash|worst|terrible|horrible|awful|unacceptable|"
    r"inkompetent\w*|unfähig\w*|idiot\w*|dumm\w*|blöd\w*|betrug|betrüger\w*|abzocke\w*|"
    r"frechheit|unverschämt\w*|lächerlich\w*|katastroph\w*|scheiß\w*|scheiss\w*|mist|"
    r"armselig\w*|saftladen|verarsch\w*|sauerei|zumutung|unzumutbar\w*|schlechteste\w*"
)
THREATS = {
    "lawyer": r"lawyers?|attorneys?|legal action|sue|suing|court|anwalt|anwältin|rechtsanwalt\w*|"
              r"klage\w*|verklagen|gericht\w*|rechtliche schritte",
    "regulator": r"consumer protection|ombudsman|bbb|verbraucherzentrale|bafin",
    "public review": r"reviews?|twitter|social media|bewertung\w*|trustpilot",
    "chargeback": r"chargeback|dispute the charge|rückbuchung|lastschrift zurück\w*",
}
ESCALATIONS = {
    "cancel": r"cancel\w*|close my account|kündig\w*|stornier\w*",
    "refund now": r"refund\w*|money back|geld zurück|erstatt\w*|rückerstatt\w*",
    "manager": r"manager|supervisor|vorgesetzt\w*|geschäftsführ\w*|chef",
    "repeated contact": r"third time|3rd time|again and again|still (not|no)|already (told|asked)|"
                        r"how many times|zum (dritten|x-ten|wiederholten) mal|immer noch|"
                        r"schon wieder|bereits (mehrfach|zweimal|dreimal)",
    "waiting": r"weeks?|days? (now|ago)|no (one|answer|response)|seit wochen|seit tagen|"
               r"keine antwort|niemand",
}

PRAISE = (r"thank(s| you) (so|very) much|thanks a (lot|million)|many thanks|thank you for (all|your"
          r" help|the help|sorting|fixing)|grateful|really appreciate\w*|awesome|amazing|"
          r"excellent|great (job|help|support|service)|you rock|lifesaver|brilliant|"
          r"(vielen|herzlichen|tausend) dank|super (service|hilfe|support)|toll|tolle\w*|klasse|"
          r"hervorragend\w*|großartig\w*|spitze|top service|sehr hilfreich|große hilfe")
GROUPS = {"insult": INSULTS, "praise": PRAISE}
GROUPS.update({f"threat_{i}": p for i, p in enumerate(THREATS.values())})
GROUPS.update({f"escalation_{i}": p for i, p in enumerate(ESCALATIONS.values())})
LABELS = {"insult": "insult", "praise": "praise"}
LABELS.update({f"threat_{i}": f"threat ({n})" for i, n in enumerate(THREATS)})
LABELS.update({f"escalation_{i}": f"escalation ({n})" for i, n in enumerate(ESCALATIONS)})
WEIGHTS = {"insult": 0.3, "threat": 0.25, "escalation": 0.1}


def _alternatives(pattern: str) -> list[str]:
    """Split a regex alternation at its top level (not inside parentheses)."""
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _compile(multiword: bool, whole: bool) -> re.Pattern:
    groups = []
    for name, pattern in GROUPS.items():
        chosen = [a for a in _alternatives(pattern) if (" " in a) == multiword]
        if chosen:
            groups.append(f"(?P<{name}>{'|'.join(chosen)})")
    body = "(?:" + "|".join(groups) + ")"
    return re.compile(body if whole else rf"\b{body}\b")


def _expand(phrase: str) -> list[str]:
    """All spellings of a phrase pattern: (a|b) groups and an optional letter (s?)."""
    if "(" in phrase:
        start = phrase.index("(")
        end = phrase.index(")", start)
        return [x for option in phrase[start + 1:end].split("|")
                for x in _expand(phrase[:start] + option + phrase[end + 1:])]
    if "?" in phrase:
        at = phrase.index("?")
        return _expand(phrase[:at - 1] + phrase[at + 1:]) + _expand(phrase[:at] + phrase[at + 1:])
    return [phrase]


def _phrase_table() -> dict[str, list[tuple[list[str], bool, str]]]:
    """First word -> [(the following words, last word is a prefix, group)]."""
    table: dict[str, list[tuple[list[str], bool, str]]] = {}
    for name, pattern in GROUPS.items():
        for alternative in _alternatives(pattern):
            if " " not in alternative:
                continue
            for spelling in _expand(alternative):
                prefix = spelling.endswith("\\w*")
                words = spelling.removesuffix("\\w*").split()
                table.setdefault(words[0], []).append((words[1:], prefix, name))
    return table


# single words are looked up token by token (memoised); phrases by their first word
_WORD_LEXICON = _compile(multiword=False, whole=True)
_PHRASES = _phrase_table()
_TOKEN = re.compile(r"[a-zäöüß0-9]+(?:[-'][a-zäöüß0-9]+)*")
_MEMO: dict[str, str] = {}  # lexicon token -> group
_SEEN: set[str] = set()  # every token already looked up
_LEXICON_TOKENS: set[str] = set()
_MEMO_LIMIT = 200_000


def _learn(token: str) -> None:
    """Look a new token up in the word lexicon once (bounded memory across batches)."""
    if len(_SEEN) >= _MEMO_LIMIT:
        _SEEN.clear()
    _SEEN.add(token)
    match = _WORD_LEXICON.fullmatch(token)
    if match:
        _MEMO[token] = match.lastgroup
        _LEXICON_TOKENS.add(token)


_PUNCT_RUN = re.compile(r"[!?]{3,}|!{2,}")
_CAPS_WORD = re.compile(r"\b[A-ZÄÖÜ]{3,}\b")
_ACRONYMS = {"API", "URL", "PDF", "CSV", "SMS", "VAT", "USD", "EUR", "GBP", "FAQ", "SSO", "IBAN",
             "BIC", "CEO", "PIN", "DSL", "LTE", "USB", "GMBH", "AGB", "HTML", "HTTP", "HTTPS"}
SEPARATOR = "\n\x00\n"


@dataclass
class CueBatch:
    """Cues of a batch: per text the readable cues, and numbers for the model."""

    cues: list[tuple[str, ...]]
    strength: np.ndarray
    shouting: np.ndarray
    punctuation: np.ndarray
    praise_words: np.ndarray
    langs: list[str]


def _owner(starts: np.ndarray, positions: list[int]) -> np.ndarray:
    return np.searchsorted(starts, np.asarray(positions, dtype=np.int64), side="right") - 1


def _starts(texts: list[str]) -> np.ndarray:
    lengths = np.fromiter((len(t) + len(SEPARATOR) for t in texts), np.int64, len(texts))
    return np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(texts) else lengths


def find_cue_batch(texts: list[str]) -> CueBatch:
    """Scan the whole batch at once (one regex pass per kind over the joined texts)."""
    n = len(texts)
    starts = _starts(texts)
    joined = SEPARATOR.join(texts)
    lowered_texts = [t.lower() for t in texts]
    found: list[dict[str, set[str]]] = [{} for _ in range(n)]
    langs = []
    for i, text in enumerate(lowered_texts):
        tokens = _TOKEN.findall(text)
        unique = set(tokens)
        langs.append(language_of(unique, text))
        for token in unique - _SEEN:  # new words only; steady state: almost none
            _learn(token)
        for token in unique & _LEXICON_TOKENS:
            found[i].setdefault(_MEMO[token], set()).add(token)
        if not unique.isdisjoint(_PHRASES):
            _match_phrases(tokens, found[i])
    caps = np.zeros(n)
    caps_matches = [m for m in _CAPS_WORD.finditer(joined) if m.group(0) not in _ACRONYMS]
    np.add.at(caps, _owner(starts, [m.start() for m in caps_matches]), 1)
    words = np.fromiter((t.count(" ") + t.count("\n") + 1 for t in texts), np.float64, n)
    shouting = np.where(words >= 3, caps / np.maximum(words, 1), 0.0)
    punctuation = np.zeros(n)
    punctuation[_owner(starts, [m.start() for m in _PUNCT_RUN.finditer(joined)])] = 1.0
    return _assemble(found, caps, shouting, punctuation, langs)


def _match_phrases(tokens: list[str], found: dict[str, set[str]]) -> None:
    for i, token in enumerate(tokens):
        for rest, prefix, group in _PHRASES.get(token, ()):
            following = tokens[i + 1:i + 1 + len(rest)]
            if len(following) != len(rest):
                continue
            if following == rest or (prefix and following[:-1] == rest[:-1]
                                     and following[-1].startswith(rest[-1])):
                found.setdefault(group, set()).add(" ".join([token, *following]))


def _assemble(found, caps, shouting, punctuation, langs) -> CueBatch:
    cues_list, strength, praise = [], np.zeros(len(found)), np.zeros(len(found))
    for i, groups in enumerate(found):
        if not groups and not punctuation[i] and shouting[i] < 0.15:
            cues_list.append(())
            continue
        cues: list[str] = []
        if shouting[i] >= 0.3 or (shouting[i] >= 0.15 and caps[i] >= 3):
            cues.append("shouting")
            strength[i] += 0.25
        if punctuation[i]:
            cues.append("repeated !/?")
            strength[i] += 0.15
        for name, words in groups.items():
            if name == "praise":
                praise[i] = min(len(words), 3) / 3.0
                cues.append("praise (" + ", ".join(sorted(words)[:2]) + ")")
                continue
            kind = name.split("_")[0]
            label = LABELS[name]
            if kind == "insult":
                label = "insult (" + ", ".join(sorted(words)[:3]) + ")"
                strength[i] += 0.1 * min(len(words) - 1, 2)
            cues.append(label)
            strength[i] += WEIGHTS[kind]
        cues_list.append(tuple(sorted(cues, key=_cue_order)))
    return CueBatch(cues_list, np.minimum(strength, 1.0), shouting, punctuation, praise, langs)


def _cue_order(cue: str) -> tuple[int, str]:
    order = ("shouting", "repeated", "insult", "threat", "escalation", "praise")
    return next((i for i, p in enumerate(order) if cue.startswith(p)), 9), cue
