"""Text normalization and match keys.

A *match key* is the form under which lexicon terms are stored and text spans
are looked up: Unicode NFKC, Greek letters (and spelled Greek names that end a
run of letters) as Latin letters, lower case, accents removed, and separators
(space, hyphens, dots, commas, brackets, apostrophes) dropped. Thus ``IL-6``,
``IL 6``, ``Il6`` share the key ``il6``, and ``GSK-3β``, ``GSK3beta`` and
``GSK3B`` share ``gsk3b``. The *case key* is the same without lower-casing; it
tells whether a span matches a term with its exact capitalisation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from .resources import read_data_table

#: Characters dropped from keys. ``/`` and ``+`` are kept: they separate list
#: items ("CD4/8") and mark charges ("Ca2+"), and must not vanish from keys.
SEPARATOR_CHARS: Final = (
    " \t\r\n\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000"
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad_"
    ".,;:'`\u2018\u2019\u201a\u201b\u2032\u2033\"\u201c\u201d()[]{}"
)

#: Punctuation that ends a match when it stands apart from the surrounding
#: words (touching whitespace or the start/end of the text). Attached to
#: letters on both sides ("glutamine:fructose", "1,4-", "Ca(2+)") it joins.
BARRIER_CHARS: Final = frozenset(".,;:!?()[]{}\"\u201c\u201d\u2018\u2019'|<>=\u2190\u2192\u2194\u21d2\u2191\u2193*\u2022\u00b7")

#: Placeholder for a barrier in a key stream; never part of a lexicon key
#: (control characters are dropped from keys; NUL is reserved by the trie).
SENTINEL: Final = "\x01"

_ACCENT_FREE_CACHE: Final[dict[str, str]] = {}


@lru_cache(maxsize=1)
def greek_table() -> tuple[dict[int, str], tuple[str, ...]]:
    """Translation table for Greek letters and the spelled names to replace."""
    table: dict[int, str] = {}
    names: list[str] = []
    for lower, upper, name, latin in read_data_table("greek.tsv", 4):
        table[ord(lower)] = latin
        if upper and upper != "-":
            table[ord(upper)] = latin
        if name and name != "-":
            names.append(name)
    # German sharp s and the micro sign are read and typed in place of beta and mu.
    table[ord("ß")] = "b"
    table[ord("µ")] = "m"
    return table, tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _greek_names() -> tuple[re.Pattern[str], dict[str, str], tuple[str, ...]]:
    """Pattern of spelled Greek names that end a run of letters, their Latin letters, and their last two letters.

    A text in which none of the names' last two letters occur has none of the
    names: checking those few pairs is far cheaper than running the pattern.
    """
    _, names = greek_table()
    name_to_latin = {name: latin for _, _, name, latin in read_data_table("greek.tsv", 4) if name != "-"}
    endings = tuple(sorted({name[-2:] for name in names}))
    return re.compile("(" + "|".join(names) + ")(?![a-z])"), name_to_latin, endings


def _may_name_greek(low: str, endings: tuple[str, ...]) -> bool:
    """Whether lower-case ``low`` may hold a spelled Greek name (one of their ``endings`` occurs)."""
    for ending in endings:
        if ending in low:
            return True
    return False


_DROP_TABLE: Final = {ord(c): None for c in SEPARATOR_CHARS}
_DROP_TABLE.update({i: None for i in range(32)})
_DROP_TABLE[127] = None


def _strip_accents(text: str) -> str:
    cached = _ACCENT_FREE_CACHE.get(text)
    if cached is not None:
        return cached
    decomposed = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    if len(_ACCENT_FREE_CACHE) > 100_000:
        _ACCENT_FREE_CACHE.clear()
    _ACCENT_FREE_CACHE[text] = out
    return out


def _cased(latin: str, before: str, own_upper: bool) -> str:
    """Latin letter for a Greek letter or name, in the case of the letter before it."""
    for ch in reversed(before):
        if ch.isascii() and ch.isalpha():
            return latin.upper() if ch.isupper() else latin
    return latin.upper() if own_upper else latin


#: folded texts by text, lower-cased and not (a term or span is folded again and again
#: while candidates are resolved: for its key, its case key, its word breaks, its casing)
_FOLDED: Final[dict[str, str]] = {}
_CASE_FOLDED: Final[dict[str, str]] = {}
_FOLDED_LIMIT: Final = 200_000


def fold(text: str, lower: bool = True) -> str:
    """NFKC, Greek to Latin, optional lower-casing, accents removed; separators kept.

    With ``lower=False`` a Greek letter or name takes the case of the letter
    before it, so ``GSK-3β`` folds to ``GSK-3B`` and ``β-catenin`` to ``b-catenin``.
    """
    cache = _FOLDED if lower else _CASE_FOLDED
    hit = cache.get(text)
    if hit is None:
        hit = _fold(text, lower)
        if len(cache) >= _FOLDED_LIMIT:
            cache.clear()
        cache[text] = hit
    return hit


def _fold(text: str, lower: bool) -> str:
    table = greek_table()[0]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if lower:
            text = text.translate(table)
        else:
            out: list[str] = []
            for ch in text:
                latin = table.get(ord(ch))
                out.append(ch if latin is None else _cased(latin, "".join(out[-3:]), ch.isupper()))
            text = "".join(out)
    pattern, name_to_latin, endings = _greek_names()
    if lower:
        text = text.lower()
        if _may_name_greek(text, endings):
            text = pattern.sub(lambda m: name_to_latin[m.group(1)], text)
    else:
        low = text.lower()
        if _may_name_greek(low, endings) and pattern.search(low):
            pieces = []
            last = 0
            for m in pattern.finditer(low):
                pieces.append(text[last : m.start()])
                latin = name_to_latin[m.group(1)]
                pieces.append(_cased(latin, text[: m.start()], text[m.start()].isupper()))
                last = m.end()
            pieces.append(text[last:])
            text = "".join(pieces)
    if not text.isascii():
        text = _strip_accents(text)
    return text


def key_drops(ch: str) -> bool:
    """True if ``ch`` is dropped from match keys."""
    return ord(ch) in _DROP_TABLE


def key(text: str) -> str:
    """Match key of a term or span: folded, lower case, separators dropped."""
    folded = fold(text)
    # no separator or control character is a letter or digit: only other texts need the table
    return folded if folded.isalnum() else folded.translate(_DROP_TABLE)


def case_key(text: str) -> str:
    """Like :func:`key` but keeping letter case (for exact-case comparisons)."""
    folded = fold(text, lower=False)
    return folded if folded.isalnum() else folded.translate(_DROP_TABLE)


def is_barrier_token(text: str) -> bool:
    """True if a punctuation-only token can act as a barrier between matches."""
    return bool(text) and all(c in BARRIER_CHARS for c in text)


_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _normalized_char(ch: str) -> str:
    """One-character replacement of a non-ASCII character (itself if none fits)."""
    if ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
        return "-"
    if ch.isspace():
        return "\n" if ch in "\u2028\u2029\x85" else " "
    norm = unicodedata.normalize("NFKC", ch)
    return norm if len(norm) == 1 else ch


def normalize_text(text: str) -> str:
    """Unicode clean-up that keeps character offsets: only 1:1 replacements.

    Replaces characters whose NFKC form is a single character (full-width
    letters, compatibility forms) and maps every kind of dash and space to
    ASCII; characters whose normal form is longer are kept as they are, so that
    spans found in the result index the original text.
    """
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: _normalized_char(m.group(0)), text)


def casing(text: str) -> str:
    """Classify a span's letter case: ``lower``, ``title``, ``upper``, ``mixed`` or ``none``.

    Greek letters take the case of the letter before them (see :func:`fold`).
    """
    letters = [c for c in fold(text, lower=False) if c.isalpha()]
    if not letters:
        return "none"
    uppers = sum(1 for c in letters if c.isupper())
    if uppers == 0:
        return "lower"
    if uppers == len(letters):
        return "upper"
    if letters[0].isupper() and uppers == 1:
        return "title"
    return "mixed"
