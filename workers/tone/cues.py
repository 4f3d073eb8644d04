"""Explainable cues: the reasons a person can read next to a score.

Shouting, runs of ! and ?, insults, threats and escalation phrases, in English and German.
The lists are our own, short on purpose: the trained model carries the statistics, the cues
carry the explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from workers.tone import lang, lexicon
from workers.tone.features import Tokens, text_hash, tokenize
from workers.tone.hashindex import HashIndex
from workers.tone.lang import ENGLISH, GERMAN

INSULTS = (
    r"idiot\w*|moron\w*|stupid\w*|incompetent|useless|pathetic|clowns?|joke of a|ridiculous|"
    r"scam\w*|rip-?off|fraud\w*|liars?|lying|disgrace\w*|disgusting|shit\w*|crap\w*|fuck\w*|"
    r"bullshit|damn\w*|garbage|trash|worst|terrible|horrible|awful|unacceptable|"
    r"(is|what|such) a joke|a (complete|total|bad|sick) joke|"
    r"inkompetent\w*|unfähig\w*|idiot\w*|dumm\w*|blöd\w*|betrug|betrüger\w*|abzocke\w*|"
    r"frechheit|unverschämt\w*|lächerlich\w*|katastroph\w*|scheiß\w*|scheiss\w*|mist|"
    r"armselig\w*|saftladen|verarsch\w*|sauerei|zumutung|unzumutbar\w*|schlechteste\w*|"
    # German abuse and contempt that holds across topics (GermEval's tweets teach the n-grams
    # their politics; these words carry over to other sources): insults, dehumanising words,
    # hate and disgust verbs, crude profanity
    r"arschloch\w*|arschgeige\w*|wichser\w*|hurensohn|hurensöhne|schlampe\w*|missgeburt\w*|"
    r"vollidiot\w*|depp|deppen|trottel\w*|penner\w*|versager\w*|schwachkopf\w*|hirnlos\w*|"
    r"hirnverbrannt\w*|vollpfosten|drecks\w*|dreckig\w*|mistkerl\w*|miststück\w*|"
    r"abschaum|gesindel|ungeziefer|parasit\w*|schmarotzer\w*|untermensch\w*|widerlich\w*|"
    r"ekelhaft\w*|eklig\w*|abstoßend\w*|verachtenswert\w*|hasse|hasst|hassen|verabscheue\w*|"
    r"verachte|verachten|verachtung|kotzen|ankotzen|verpiss\w*|fresse|schnauze|"
    r"heuchler\w*|lügner\w*|verräter\w*|kacke|verdammt\w*|müll|stinksauer|"
    # disgust, worthlessness and rage, found missing in HateCheck's choose half
    r"angewidert|abscheulich\w*|wertlos\w*|wütend\w*|erbärmlich\w*|jämmerlich\w*|"
    r"minderwertig\w*|nichtsnutz\w*|dummkopf\w*|ekel|pest|"
    # German compounds end in their insult: "Oberidiot", "Totalversager", "Kundenverarsche"
    # (`\w*` first: the end of a longer word); and helpdesk contempt
    r"\w*idiot|\w*idioten|\w*trottel|\w*depp|\w*deppen|\w*arschloch|\w*versager|"
    r"\w*betrüger|\w*abzocke|\w*abzocker|\w*abzockerei|\w*verarsche|\w*verarschung|"
    r"\w*frechheit|\w*zumutung|\w*saftladen|\w*lügner|sauladen|mistladen|chaosladen|"
    r"pfuschladen|schrottladen|sauhaufen|chaoshaufen|hühnerhaufen|pfusch\w*|schlamperei|"
    r"inakzeptabel|nicht akzeptabel|lachhaft\w*|unverfroren\w*|dreistigkeit|"
    # German name-calling that no list above had: vulgar and sexual insults, animal insults,
    # stupidity and madness, contempt for a crowd, slurs. Only words that insult on their own:
    # not everyday English ("pack", "sack", "made"), not helpdesk German ("gestört", "Ratten",
    # "Doppelpack", "Einmarsch", "Torpfosten", "Schwein gehabt", "sau teuer", "Antifaschist")
    r"hure|huren|nutte\w*|\w*nutte|\w*nutten|\w*hure|fotze\w*|\w*fotze|fick\w*|"
    r"verfickt\w*|arsch|ärsche|arschkriecher\w*|pisser\w*|kotzbrocken|wichse|spast\w*|"
    r"spacko\w*|mongo|mongos|kackbratze\w*|bastard\w*|drecksau|drecksäue|"
    r"(dumme|blöde|feige|alte|fette|du) sau|(du|dummes|blödes|feiges|fettes) schwein|"
    r"ihr schweine|dreckschwein\w*|drecksschwein\w*|schweinehund\w*|(du|dumme|feige) ratte|"
    r"köter\w*|vollhorst\w*|hohlkopf\w*|hohlbirne\w*|dumpfbacke\w*|flachpfeife\w*|"
    r"witzfigur\w*|hampelmann|hampelmänner|dämlich\w*|bescheuert\w*|bekloppt\w*|"
    r"beknackt\w*|behämmert\w*|doof\w*|verblödet\w*|geisteskrank\w*|hirntot\w*|"
    r"hirnamputiert\w*|schwachsinn\w*|dümmlich\w*|krank im kopf|hässlich\w*|"
    r"widerwärtig\w*|abartig\w*|asozial\w*|assi|assis|prolet|proleten|proll|prolls|"
    r"rotzlöffel|rotzbengel|schande|schändlich\w*|versifft\w*|linksversifft\w*|"
    r"verlogen\w*|lügenpresse|volksverräter\w*|landesverräter\w*|volksschädling\w*|"
    r"scharlatan\w*|gesocks|pöbel|bagage|\w*gesindel|\w*abschaum|\w*brut|"
    r"(das|dieses|so ein|elendes|linkes|rotes|braunes|kriminelles) pack|asylantenpack|"
    r"nazipack|linkspack|gutmenschenpack|politikerpack|zigeunerpack|\w*zecke|\w*zecken|"
    r"faschist|faschisten|islamofaschist\w*|ökofaschist\w*|linksfaschist\w*|neger\w*|"
    r"kanake\w*|kameltreiber\w*|kümmeltürke\w*|ziegenficker\w*|schlitzauge\w*|"
    r"schwuchtel\w*|tussi|tussis|zicke|zicken|schnepfe|schnepfen|dreckskerl\w*|"
    r"drecksack\w*|mistvieh|halt die klappe|halts maul|halt dein maul|leck mich|du sack|"
    r"was für ein sack|du hund|du mistköter|geistesgestört\w*|weichei\w*|hurenson|pussy|"
    r"volkspfosten|"
    # sixth round: common German name-calling still missing (plural forms the prefixes above
    # miss, compounds ending in an insult), aimed at a person where the word alone is
    # ambiguous ("du Vogel", "ihr Pfeifen", "dieser Spinner": a fidget spinner is a product)
    r"schwachköpfe\w*|hohlköpfe\w*|dummköpfe\w*|knallkopf\w*|knallköpfe\w*|"
    r"\w*schwätzer|labertasche\w*|lusche\w*|lachnummer\w*|vollhonk\w*|\w*spast|"
    r"\w*spasten|hackfresse\w*|pissnelke\w*|sackgesicht\w*|evolutionsbremse\w*|hirni|"
    r"hirnis|stumpfsinnig\w*|primitivling\w*|schwachmat\w*|dödel|"
    r"krüppel\w*|lügenpack|kopftuchmädchen|invasoren|messermänner|"
    r"(du|ihr|dieser|diese|so ein|so eine) (spinner|vogel|pfeife|pfeifen|opfer|clown|kasper)|"
    # German customers' contempt for a service
    r"armutszeugnis\w*|unterirdisch\w*|grottig\w*|grottenschlecht\w*|miserabel\w*|"
    r"kundenfeindlich\w*|schweinerei|ein unding|dreist|dreiste\w*|wucher\w*|"
    r"halsabschneider\w*|betrugsmasche\w*"
)
THREATS = {
    "lawyer": r"lawyers?|attorneys?|legal action|sue|suing|court|anwalt|anwältin|rechtsanwalt\w*|"
              r"klage\w*|verklagen|gericht\w*|rechtliche schritte|anwaltlich\w*|"
              r"juristische schritte|strafanzeige|anzeige erstatten",
    "regulator": r"consumer protection|ombudsman|bbb|verbraucherzentrale|bafin|"
                 r"schlichtungsstelle|verbraucherschutz\w*|bundesnetzagentur|ombudsstelle",
    "public review": r"reviews?|twitter|social media|bewertung\w*|trustpilot|presse",
    "chargeback": r"chargeback|dispute the charge|rückbuchung|lastschrift zurück\w*",
    "violence": r"töten|umbringen|umgebracht|abknallen|erschießen|erschiessen|aufhängen|"
                r"vergasen|abschlachten|verprügeln|ausrotten|abstechen|verrecken|krepieren|"
                r"verdienen den tod|verdient den tod|sollen sterben|sollten sterben|erhäng dich|"
                r"häng dich auf|bring dich um|abkratzen|abgekratzt|an die wand stell\w*|"
                r"aufknüpfen|aufgeknüpft|lynchen|gelyncht|grün und blau schlagen|"
                r"kill you|hope you die",
}
ESCALATIONS = {
    "cancel": r"cancel\w*|close my account|kündig\w*|stornier\w*",
    "refund now": r"refund\w*|money back|geld zurück|erstatt\w*|rückerstatt\w*",
    "manager": r"manager|supervisor|vorgesetzt\w*|geschäftsführ\w*|chef",
    "repeated contact": r"third time|3rd time|again and again|still (not|no)|already (told|asked)|"
                        r"how many times|zum (zweiten|dritten|vierten|x-ten|wiederholten) mal|"
                        r"immer noch|schon wieder|bereits (mehrfach|zweimal|dreimal)|"
                        r"schon (mehrfach|zweimal|dreimal|mehrmals)|wie oft noch",
    "waiting": r"weeks?|days? (now|ago)|no (one|answer|response)|seit wochen|seit tagen|"
               r"keine antwort|niemand|seit (monaten|einem monat)|warteschleife|vertröst\w*|"
               r"hingehalten|abgewimmelt",
    # German: the customer says they have had enough
    "fed up": r"mir reicht es|jetzt reicht es|das maß ist voll|die nase voll|endgültig genug|"
              # and as angry customers write it: word order, outrage, demands that have waited
              r"ist das maß voll|reicht mir|reicht's|reichts|ich habe genug|unfassbar|"
              r"skandal\w*|empört|verärgert|(bin|echt|richtig|sehr|ziemlich) sauer|zum kotzen|"
              r"ist ein witz|ist doch ein witz|"
              r"nie wieder|zum letzten mal|das letzte mal|"
              r"(geben|machen|tun|kümmern|antworten|lesen) sie (mir )?endlich|wann endlich|"
              r"(lesen|arbeitet) (sie|da) (eigentlich|überhaupt)",
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
# Per kind found; see model.HELPDESK_BOOST. Insults count less than threats: Reddit, where the
# model learned, is full of banter insults, but one aimed at a support team is not banter.
HELPDESK_WEIGHTS = {"threat": 0.5, "escalation": 0.3, "insult": 0.2}


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


NAMES = list(GROUPS)
_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def spelled_out(word: str) -> str:
    """The word as written without a German keyboard: ä, ö, ü as ae, oe, ue and ß as ss."""
    return word.translate(_SPELLED_OUT)


def _spellings(alternative: str) -> list[str]:
    """Every spelling of a pattern, and each German one again with its umlauts and ß written
    out ("unverschaemt", "scheiss"), as keyboards without them and older systems write."""
    spellings = _expand(alternative)
    return spellings + [spelled_out(s) for s in spellings if spelled_out(s) != s]


GERMAN_WORD, ENGLISH_WORD = 1 << 30, 1 << 31  # codes are bit flags: 1 << group index, or these
_LEXICON = lexicon.Lexicon(
    [(spelling, 1 << code) for code, name in enumerate(NAMES)
     for alternative in _alternatives(GROUPS[name]) for spelling in _spellings(alternative)]
    + [(word, GERMAN_WORD) for word in GERMAN] + [(word, ENGLISH_WORD) for word in ENGLISH])

def _byte_set(*values: int) -> np.ndarray:
    """A 256-entry membership table for bytes: `table[data]` instead of np.isin, which sorts
    (and imports numpy.ma, 10-25 ms of start-up) on every call."""
    table = np.zeros(256, bool)
    table[list(values)] = True
    return table


_UMLAUT_SECOND = _byte_set(0xA4, 0xB6, 0xBC, 0x9F)  # ä ö ü ß after 0xC3


_CAPS_RUN = re.compile(r"[A-ZÄÖÜ]{3,}")
_ACRONYMS = {"API", "URL", "PDF", "CSV", "SMS", "VAT", "USD", "EUR", "GBP", "FAQ", "SSO", "IBAN",
             "BIC", "CEO", "PIN", "DSL", "LTE", "USB", "GMBH", "AGB", "HTML", "HTTP", "HTTPS"}
SEPARATOR = "\n\x00\n"
_ACRONYM_INDEX = HashIndex(np.array(sorted({text_hash(a.lower()) for a in _ACRONYMS}),
                                     dtype=np.uint32))
_UPPER_UMLAUT = _byte_set(0x84, 0x96, 0x9C)  # Ä Ö Ü after 0xC3


@dataclass
class CueBatch:
    """Cues of a batch: per text the readable cues, and numbers for the model."""

    cues: list[tuple[str, ...]]
    strength: np.ndarray
    shouting: np.ndarray
    punctuation: np.ndarray
    praise_words: np.ndarray
    langs: list[str]
    helpdesk: np.ndarray  # threats and escalations: rare on Reddit, telling in a helpdesk


def _owner(starts: np.ndarray, positions: list[int]) -> np.ndarray:
    return np.searchsorted(starts, np.asarray(positions, dtype=np.int64), side="right") - 1


def _starts(texts: list[str]) -> np.ndarray:
    lengths = np.fromiter((len(t) + len(SEPARATOR) for t in texts), np.int64, len(texts))
    return np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(texts) else lengths


def find_cue_batch(texts: list[str], tokens: Tokens | None = None) -> CueBatch:
    """Scan the whole batch at once: lexicons by hash over its words, regexes over its text."""
    n = len(texts)
    tokens = tokenize(texts) if tokens is None else tokens
    found: dict[int, dict[str, set[str]]] = {}  # by text: the texts with lexicon cues only
    hits = _LEXICON.find(tokens)
    _collect(found, tokens, hits)
    langs = languages(tokens, hits)
    german = np.array(langs) == "de"
    if german.any():  # compound endings are German: English batches skip the look-up
        _collect(found, tokens, _LEXICON.endings.find(tokens,
                                                      np.flatnonzero(german[tokens.word_rows])))
    caps = _caps_counts(texts, tokens)
    spaces = (tokens.data == 32) | (tokens.data == 10)
    words = np.bincount(tokens.rows[spaces], minlength=n) - 1.0  # texts are padded by 2 spaces
    shouting = np.where(words >= 3, caps / np.maximum(words, 1), 0.0)
    punctuation = np.zeros(n)
    punctuation[tokens.rows[_punctuation_runs(tokens.data)]] = 1.0
    return _assemble(n, found, caps, shouting, punctuation, langs)


def _collect(found: dict[int, dict[str, set[str]]], tokens: Tokens, hits: lexicon.Hits) -> None:
    """The cue groups of the hits, with the words as written, into `found` (by text)."""
    groups = hits.codes & ((1 << len(NAMES)) - 1)
    cued = np.flatnonzero(groups)
    for row, code, first, last in zip(hits.rows[cued].tolist(), groups[cued].tolist(),
                                       hits.first[cued].tolist(), hits.last[cued].tolist(),
                                       strict=True):
        words = lexicon.spelling(tokens, first, last)
        for index, name in enumerate(NAMES):
            if code >> index & 1:
                found.setdefault(row, {}).setdefault(name, set()).add(words)


def _caps_counts(texts: list[str], tokens: Tokens) -> np.ndarray:
    """Per text, words of three or more capitals (known acronyms left out), from the bytes as
    written, laid out like `tokens.data` (which is lower case)."""
    n = len(texts)
    joined = (" " + " \x00 ".join(texts) + " ") if texts else ""  # one encode, not one a text
    written = np.frombuffer(joined.encode("utf-8", "replace"), dtype=np.uint8)
    if len(written) != len(tokens.data):  # lower-casing changed a length: use the regex
        caps = np.zeros(n)
        np.add.at(caps, _owner(_starts(texts), _caps_words(SEPARATOR.join(texts))), 1)
        return caps
    upper = (written >= 65) & (written <= 90)
    umlaut = np.flatnonzero((written[:-1] == 0xC3) & _UPPER_UMLAUT[written[1:]])
    upper[umlaut] = upper[umlaut + 1] = True
    # only words whose first three bytes are capitals can be shouted: look at those alone
    three = np.flatnonzero(tokens.ends - tokens.starts >= 3)
    first = tokens.starts[three]
    maybe = three[upper[first] & upper[first + 1] & upper[first + 2]]
    if not len(maybe):
        return np.zeros(n)
    starts, ends = tokens.starts[maybe], tokens.ends[maybe]
    length = ends - starts
    bounds = np.concatenate(([0], np.cumsum(length)[:-1]))  # of each word among their bytes
    at = np.repeat(starts - bounds, length) + np.arange(bounds[-1] + length[-1])
    capitals = np.add.reduceat(upper[at], bounds, dtype=np.int64)
    continuation = np.add.reduceat((written[at] >= 0x80) & (written[at] < 0xC0), bounds,
                                   dtype=np.int64)
    shouted = maybe[(capitals == length) & (length - continuation >= 3)
                    & (written[starts - 1] != 95) & (written[ends] != 95)]  # not in a_NAME
    shouted = shouted[_ACRONYM_INDEX.find(tokens.hashes[shouted]) < 0]
    return np.bincount(tokens.word_rows[shouted], minlength=n).astype(np.float64)


def _caps_words(joined: str) -> list[int]:
    """Where words of three or more capitals start (known acronyms left out)."""
    positions = []
    for match in _CAPS_RUN.finditer(joined):
        start, end = match.span()
        before = joined[start - 1] if start else " "
        after = joined[end] if end < len(joined) else " "
        if (before.isalnum() or before == "_" or after.isalnum() or after == "_"
                or match.group(0) in _ACRONYMS):
            continue
        positions.append(start)
    return positions


def _punctuation_runs(data: np.ndarray) -> np.ndarray:
    """Byte positions that start "!!" or three of "!" and "?" in a row."""
    bang, either = data == 33, (data == 33) | (data == 63)
    double = bang[:-1] & bang[1:]
    triple = either[:-2] & either[1:-1] & either[2:]
    return np.flatnonzero(double[:-1] | triple) if len(data) > 2 else np.empty(0, np.int64)


def languages(tokens: Tokens, hits: lexicon.Hits) -> list[str]:
    """'en', 'de' or 'other' per text, by distinct common words and, where they are close,
    letter trigrams (as `lang.detect_language`)."""
    n = tokens.size
    counts = []
    for flag in (GERMAN_WORD, ENGLISH_WORD):
        mine = (hits.codes & flag) != 0
        keys = _distinct(hits.rows[mine].astype(np.uint64) << np.uint64(32)
                         | tokens.hashes[hits.first[mine]].astype(np.uint64))
        counts.append(np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n))
    german, english = counts
    data = tokens.data
    second = np.flatnonzero(data[:-1] == 0xC3) + 1
    umlaut = np.zeros(n, bool)
    umlaut[tokens.rows[second[_UMLAUT_SECOND[data[second]]]]] = True
    letters = (data >= 97) & (data <= 122)
    has_words = (np.bincount(tokens.rows[letters], minlength=n) > 0) | umlaut
    close = np.abs(german - english) <= lang.CLOSE
    trigrams = lang.trigram_sums(data, tokens.rows, close & has_words)
    return lang.decide(german, english, trigrams, has_words)


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique without its cost at start-up: numpy 2.3's unique imports numpy.ma (10-25 ms
    of `breather anger`'s start-up) to ask whether a plain array is masked."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _assemble(n: int, found: dict[int, dict[str, set[str]]], caps, shouting, punctuation,
              langs) -> CueBatch:
    """The cues of each text, and their strengths; a text without any (most) costs nothing."""
    cues_list: list[tuple[str, ...]] = [()] * n
    strength, praise, helpdesk = np.zeros(n), np.zeros(n), np.zeros(n)
    marked = np.flatnonzero((punctuation > 0) | (shouting >= 0.15)).tolist()
    for i in sorted({*marked, *found}):
        groups = found.get(i, {})
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
            helpdesk[i] += HELPDESK_WEIGHTS.get(kind, 0.0)
        cues_list[i] = tuple(sorted(cues, key=_cue_order))
    return CueBatch(cues_list, np.minimum(strength, 1.0), shouting, punctuation, praise, langs,
                    helpdesk)


def _cue_order(cue: str) -> tuple[int, str]:
    order = ("shouting", "repeated", "insult", "threat", "escalation", "praise")
    return next((i for i, p in enumerate(order) if cue.startswith(p)), 9), cue
