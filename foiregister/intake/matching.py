"""Is this request a copy of an earlier one, and does this question repeat an earlier one?

Pure: the standard library only, so checks outside the test suite can call it like
``due_date``. Measured on real request texts in ``tests/data/intake/`` (see
``docs/intake.md`` and ``bench/intake_matching.py``).

Round robins are found by what survives when the letter's wrapping is stripped: the
salutation (it names the body), the sign-off (it names the requester), FOI boilerplate
and list numbering. What is left is compared as sets of word 3-shingles. The score is the
geometric mean of the Jaccard index and the overlap coefficient: the overlap coefficient
keeps a round robin whose copy a disclosure log shortened, and the Jaccard index keeps a
short request from matching every long request that happens to contain its words.

Single questions are short and paraphrased, so they are compared as sets of content-word
stems after mapping the commissioning vocabulary's synonyms onto one word (spend,
expenditure and cost; supplier, provider and company; ...), generic stems weighted down.
Being lexical, it misses paraphrases that share few words ("who manages your car parks"
against "do you use a private contractor to oversee the car park"): see docs/intake.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

ROUND_ROBIN_THRESHOLD = 0.5
"""Chosen on the tuning split only (``bench/intake_matching.py`` prints the sweep)."""

QUESTION_THRESHOLD = 0.6
"""Chosen on the tuning split only."""

_SALUTATION = re.compile(
    r"\s*(dear|hi|hello|to whom it may concern|good morning|good afternoon)\b[^,.:\n]{0,80}[,.:]?",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^\s*(subject|request summary|to|sent|from|date):", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(yours (faithfully|sincerely|truly)|kind(est)? regards|best( wishes| regards)?|many thanks"
    r"|regards|thanks( again)?|with thanks|sincerely)\b",
    re.IGNORECASE,
)
_BOILERPLATE = [
    r"under (the )?(terms of the )?freedom of information act( \(?foia\)?)?( 2000)?",
    r"(this is )?a (formal )?request (for information )?(made )?under the (foi|freedom of information) act",
    r"freedom of information( act)?( 2000)?",
    r"question number \d+:?",
    r"answer to question \d+:?",
    r"please find below a request made under the foi act",
    r"i am writing to (request|submit|make)",
    r"i would like to (request|know)",
    r"please (could you )?provide( me with)?( the following( information)?)?",
    r"thank you( in advance)?( for your (time|assistance|help))?",
    r"i look forward to (your response|hearing from you)",
]
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE), re.IGNORECASE)
_BODY_WORDS = re.compile(
    r"\b(nhs|foundation|trust|trusts|icb|ccg|integrated care board|health board|council|authority"
    r"|organisation|organization|university|hospitals?)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """a an the and or of to in on for by with at from as is are was were be been being this that
    these those it its your you our we i me my please could would can will do does did have has had
    any all each which what who whom how many much if so yes no not there their them they e g eg
    etc i e ie per into over under than then such also about within may""".split()
)
_SYNONYMS = {
    "expenditure": "spend",
    "spent": "spend",
    "spending": "spend",
    "cost": "spend",
    "costs": "spend",
    "paid": "spend",
    "pay": "spend",
    "amount": "spend",
    "money": "spend",
    "income": "raise",
    "raised": "raise",
    "supplier": "supplier",
    "suppliers": "supplier",
    "provider": "supplier",
    "providers": "supplier",
    "company": "supplier",
    "companies": "supplier",
    "contractor": "supplier",
    "agency": "supplier",
    "incumbent": "supplier",
    "interpreting": "interpret",
    "interpretation": "interpret",
    "interpreter": "interpret",
    "translation": "interpret",
    "language": "interpret",
    "languages": "interpret",
    "employed": "employ",
    "employs": "employ",
    "staff": "employ",
    "expire": "expiry",
    "expires": "expiry",
    "end": "expiry",
    "ends": "expiry",
    "ending": "expiry",
    "current": "now",
    "currently": "now",
    "present": "now",
    "live": "now",
    "active": "now",
    "proportion": "percentage",
    "percent": "percentage",
    "twelve": "12",
    "six": "6",
    "three": "3",
    "five": "5",
    "months": "month",
    "years": "year",
    "annual": "year",
    "yearly": "year",
    "cyberattacks": "cyberattack",
    "cyber": "cyberattack",
    "attacks": "cyberattack",
    "ransomware": "ransom",
    "scan": "scan",
    "scans": "scan",
    "imaging": "scan",
    "diagnostic": "scan",
    "utilisation": "utilise",
    "utilised": "utilise",
    "underutilised": "utilise",
    "utilization": "utilise",
    "procurement": "tender",
    "retender": "tender",
    "tendering": "tender",
    "procure": "tender",
    "number": "count",
    "numbers": "count",
    "list": "name",
    "names": "name",
}


def _strip_salutation(line: str) -> str:
    """Drop "Dear <body>," (which names the body) but keep a request run on after it."""
    match = _SALUTATION.match(line)
    if not match:
        return line
    if len(line.split()) <= 12:
        return ""  # the whole line is the greeting, however the body's name is punctuated
    if match.group(0).rstrip()[-1:] in ",.:":
        return line[match.end() :]
    return line


def normalise(text: str) -> str:
    """The request's own words: no salutation, sign-off, boilerplate, body names or numbering."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    lines = text.splitlines()
    kept: list[str] = []
    for line in lines:
        if _SIGN_OFF.match(line):
            break  # the sign-off and the requester's name below it
        if _HEADER.match(line) and len(line.split()) <= 15:
            continue
        kept.append(_strip_salutation(line))
    body = " ".join(kept).lower()
    body = _BOILERPLATE_RE.sub(" ", body)
    body = _BODY_WORDS.sub(" ", body)
    return " ".join(_WORD.findall(body))


def _shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def request_fingerprint(text: str) -> frozenset[tuple[str, ...]]:
    """Word 3-shingles of the normalised request, numbers and list letters dropped."""
    words = [w for w in normalise(text).split() if not w.isdigit() and len(w) > 1]
    return frozenset(_shingles(words))


def fingerprint_similarity(a: frozenset, b: frozenset) -> float:
    """sqrt(Jaccard x overlap coefficient) of two fingerprints, in [0, 1]."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    if not common:
        return 0.0
    jaccard = common / len(a | b)
    overlap = common / min(len(a), len(b))
    return math.sqrt(jaccard * overlap)


def similarity(a: str, b: str) -> float:
    """How far two whole request texts are one round robin: symmetric, in [0, 1]."""
    return fingerprint_similarity(request_fingerprint(a), request_fingerprint(b))


def same_round_robin(a: str, b: str) -> bool:
    """Is one request a copy of the other's round robin, whoever it names and signs?"""
    return similarity(a, b) >= ROUND_ROBIN_THRESHOLD


def _stem(word: str) -> str:
    word = _SYNONYMS.get(word, word)
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return _SYNONYMS.get(word, word)


_GENERIC = frozenset(
    """spend count year month last financial total now employ supplier name patient 12 6 3 5
    breakdown detail confirm state give information period many much number""".split()
)
"""Stems most FOI questions share; they count for less so that the words naming the subject
(parking fines, not parking charges) decide."""

_GENERIC_WEIGHT = 0.3


def question_terms(text: str) -> frozenset[str]:
    """Content-word stems of a question, synonyms folded."""
    return frozenset(_stem(w) for w in normalise(text).split() if w not in _STOP and len(w) > 1)


def _weight(terms: frozenset[str]) -> float:
    return sum(_GENERIC_WEIGHT if t in _GENERIC else 1.0 for t in terms)


def terms_similarity(ta: frozenset[str], tb: frozenset[str]) -> float:
    """``question_similarity`` of two questions' ``question_terms``, for a caller scoring
    one question against many (terms computed once each)."""
    if not ta or not tb:
        return 0.0
    return 2 * _weight(ta & tb) / (_weight(ta) + _weight(tb))


def question_similarity(a: str, b: str) -> float:
    """Weighted Dice overlap of content stems; symmetric, in [0, 1]."""
    return terms_similarity(question_terms(a), question_terms(b))


def same_question(a: str, b: str) -> bool:
    """Does one answer serve both questions?"""
    return question_similarity(a, b) >= QUESTION_THRESHOLD


SKETCH_SIZE = 24
"""Hashes kept per request; two copies of one round robin share most of them."""


def _hash(shingle: tuple[str, ...]) -> int:
    """A stable signed 63-bit hash (Python's own hash() changes between runs)."""
    digest = hashlib.blake2b(" ".join(shingle).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def sketch(text: str, size: int = SKETCH_SIZE) -> list[int]:
    """The ``size`` smallest shingle hashes of a request (bottom-k MinHash): requests sharing
    many shingles share many of these, so a lookup on them finds round-robin candidates."""
    return sorted({_hash(s) for s in request_fingerprint(text)})[:size]
