"""Explainable cues: the reasons a person can read next to a score.

Shouting, runs of ! and ?, insults, threats and escalation phrases, in English and German.
The lists are our own, short on purpose: the trained model carries the statistics, the cues
carry the explanation.
"""

from __future__ import annotations

import re

INSULTS = (
    r"idiot\w*|moron\w*|stupid|incompetent|useless|pathetic|clown\w*|joke of a|ridiculous|"
    r"scam\w*|rip-?off|fraud\w*|liars?|lying|disgrace\w*|disgusting|shit\w*|crap\w*|fuck\w*|"
    r"bullshit|damn\w*|garbage|trash|worst|terrible|horrible|awful|unacceptable|"
    r"inkompetent\w*|unfähig\w*|idiot\w*|dumm\w*|blöd\w*|betrug|betrüger\w*|abzocke\w*|"
    r"frechheit|unverschämt\w*|lächerlich\w*|katastroph\w*|scheiß\w*|scheiss\w*|mist|"
    r"armselig\w*|saftladen|verarsch\w*|sauerei|zumutung|unzumutbar\w*|schlechteste\w*"
)
THREATS = {
    "lawyer": r"lawyers?|attorneys?|legal action|sue\b|suing|court|anwalt|anwältin|rechtsanwalt\w*|"
              r"klage\w*|verklagen|gericht\w*|rechtliche schritte",
    "regulator": r"consumer protection|ombudsman|bbb\b|verbraucherzentrale|bafin",
    "public review": r"review|twitter|social media|bewertung\w*|trustpilot",
    "chargeback": r"chargeback|dispute the charge|rückbuchung|lastschrift zurück\w*",
}
ESCALATIONS = {
    "cancel": r"cancel\w*|close my account|kündig\w*|stornier\w*",
    "refund now": r"refund\w*|money back|geld zurück|erstatt\w*|rückerstatt\w*",
    "manager": r"manager|supervisor|vorgesetzt\w*|geschäftsführ\w*|chef\b",
    "repeated contact": r"third time|3rd time|again and again|still (not|no)|already (told|asked)|"
                        r"how many times|zum (dritten|x-ten|wiederholten) mal|immer noch|"
                        r"schon wieder|bereits (mehrfach|zweimal|dreimal)",
    "waiting": r"weeks?|days? (now|ago)|no (one|answer|response)|seit wochen|seit tagen|"
               r"keine antwort|niemand",
}

_INSULT_RE = re.compile(rf"\b({INSULTS})\b", re.I)
_THREAT_RES = {name: re.compile(rf"\b({p})", re.I) for name, p in THREATS.items()}
_ESCALATION_RES = {name: re.compile(rf"\b({p})", re.I) for name, p in ESCALATIONS.items()}
_PUNCT_RUN = re.compile(r"[!?]{3,}|!{2,}")
_CAPS_WORD = re.compile(r"\b[A-ZÄÖÜ]{3,}\b")
_WORD = re.compile(r"\b[A-Za-zÄÖÜäöüß]{3,}\b")
_ACRONYMS = {"API", "URL", "PDF", "CSV", "SMS", "VAT", "USD", "EUR", "GBP", "FAQ", "SSO", "IBAN",
             "BIC", "CEO", "PIN", "DSL", "LTE", "USB", "GMBH", "AGB", "HTML", "HTTP", "HTTPS"}


def shouting_share(text: str) -> float:
    """Share of words (3+ letters) written in capitals, acronyms aside."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return 0.0
    caps = [w for w in _CAPS_WORD.findall(text) if w not in _ACRONYMS]
    return len(caps) / len(words)


def find_cues(text: str) -> tuple[tuple[str, ...], float]:
    """Human-readable cues found in a cleaned text, and a 0..1 strength for blending."""
    cues: list[str] = []
    strength = 0.0
    share = shouting_share(text)
    if share >= 0.3 or (share >= 0.15 and len(_CAPS_WORD.findall(text)) >= 3):
        cues.append("shouting")
        strength += 0.25
    if _PUNCT_RUN.search(text):
        cues.append("repeated !/?")
        strength += 0.15
    insults = {m.group(0).lower() for m in _INSULT_RE.finditer(text)}
    if insults:
        cues.append("insult (" + ", ".join(sorted(insults)[:3]) + ")")
        strength += 0.3 + 0.1 * min(len(insults) - 1, 2)
    for name, pattern in _THREAT_RES.items():
        if pattern.search(text):
            cues.append(f"threat ({name})")
            strength += 0.25
    for name, pattern in _ESCALATION_RES.items():
        if pattern.search(text):
            cues.append(f"escalation ({name})")
            strength += 0.1
    return tuple(cues), min(strength, 1.0)
