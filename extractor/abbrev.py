"""Abbreviations defined in the text (after Schwartz & Hearst, PSB 2003).

Finds pairs of a short form and its long form:
- "long form (SF)": "germacrene A oxidase (GAO)";
- "SF (long form)": "BDNF (brain-derived neurotrophic factor)";
- legend lists "SF, long form;" or "SF: long form.": "GFAT: glutamine:fructose-6-phosphate aminotransferase".

A pair is accepted when every letter and digit of the short form occurs, in
order, in the long form, the first one at the start of a word of it (the
Schwartz-Hearst rule), and the long form has no more than
``min(len(SF) + 5, 2 * len(SF))`` words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .normalize import fold


class Abbreviation(NamedTuple):
    """A definition: short form and long form, as half-open character spans."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"[^\s]+")
_SENTENCE_STOP = re.compile(r"(?:[.;!?]\s|[\[\]{}]|\(|\)|:\s)")
_LEGEND = re.compile(
    r"(?:^|(?<=[.;:]\s)|(?<=[.;:]))\s*"
    r"(?P<sf>[A-Za-z0-9\u0370-\u03ff][\w\u0370-\u03ff/+-]{0,11})\s*(?P<sep>[,:=])\s+"
    r"(?P<lf>[^;.,()]{3,120}?)\s*(?=;|\.(?:\s|$)|$)"
)


def valid_short_form(sf: str) -> bool:
    """A plausible abbreviation: 2-10 characters, a letter, starts with a letter or digit, not a plain word."""
    sf = sf.strip()
    if not 2 <= len(sf) <= 10 or not sf[0].isalnum() or not any(c.isalpha() for c in sf):
        return False
    if len(sf.split()) > 2:
        return False
    # a lower-case word of 3+ letters is a word, not an abbreviation ("see", "data")
    return not (sf.isalpha() and sf.islower() and len(sf) > 2)


def best_long_form(sf: str, lf: str) -> int | None:
    """Start offset in ``lf`` of the shortest suffix that ``sf`` abbreviates, or None (Schwartz-Hearst).

    Greek letters in the short form match their Latin letter ("TNF-α" abbreviates
    "tumor necrosis factor-alpha").
    """
    sf = fold(sf)
    s = len(sf) - 1
    l = len(lf) - 1
    while s >= 0:
        c = sf[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (lf[l].lower() != c or (s == 0 and l > 0 and lf[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = l + 1
    # extend back to the start of the word
    while start > 0 and lf[start - 1].isalnum():
        start -= 1
    return start


def _max_words(sf: str) -> int:
    n = len(sf)
    return min(n + 5, n * 2)


def _long_form_before(text: str, paren_start: int, sf: str) -> tuple[int, int] | None:
    """Long form ending just before "(" at ``paren_start``, within the sentence."""
    end = paren_start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    window_start = end
    words = 0
    limit = _max_words(sf)
    i = end
    while i > 0 and words < limit:
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1
        k = j
        while k > 0 and not text[k - 1].isspace():
            k -= 1
        if k == j:
            break
        chunk = text[k:j]
        if _SENTENCE_STOP.search(chunk + " ") and k != j and chunk[-1] in ".;!?:" and j != end:
            break
        if "(" in chunk or ")" in chunk:
            break
        window_start = k
        words += 1
        i = k
    lf = text[window_start:end]
    if not lf:
        return None
    off = best_long_form(sf, lf)
    if off is None:
        return None
    start = window_start + off
    if len(text[start:end].split()) > limit or text[start:end].strip().lower() == sf.lower():
        return None
    return start, end


def find_abbreviations(text: str) -> list[Abbreviation]:
    """All abbreviation definitions in ``text``, in text order, one per short-form occurrence."""
    out: list[Abbreviation] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        stripped = inner.strip()
        # "(SF)" or "(SF, ...)" / "(SF; ...)": the short form is the first part
        head = re.split(r"[;,]\s", stripped, maxsplit=1)[0].strip()
        in_start = m.start(1) + inner.index(head) if head else m.start(1)
        if valid_short_form(head):
            span = _long_form_before(text, m.start(), head)
            if span is not None:
                out.append(Abbreviation(head, text[span[0] : span[1]], in_start, in_start + len(head), span[0], span[1]))
                continue
        # "SF (long form)": the short form is the word before the bracket
        before = text[: m.start()].rstrip()
        wm = re.search(r"([A-Za-z0-9\u0370-\u03ff][\w\u0370-\u03ff/+-]*)$", before)
        if wm and len(stripped.split()) >= 2 and valid_short_form(wm.group(1)):
            sf = wm.group(1)
            lf = stripped
            off = best_long_form(sf, lf)
            if off is not None and len(lf[off:].split()) <= _max_words(sf):
                lf_start = m.start(1) + inner.index(lf) + off
                lf_end = m.start(1) + inner.index(lf) + len(lf)
                out.append(Abbreviation(sf, text[lf_start:lf_end], wm.start(1), wm.end(1), lf_start, lf_end))
    for m in _LEGEND.finditer(text):
        sf, lf = m.group("sf"), m.group("lf")
        if not valid_short_form(sf) or sf.lower() == lf.lower() or len(lf.split()) > _max_words(sf):
            continue
        if not any(c.isupper() for c in sf) and not any(c.isdigit() for c in sf):
            continue
        off = best_long_form(sf, lf)
        if off is None or off != 0:
            continue  # in legend lists the whole phrase is the long form
        out.append(Abbreviation(sf, lf, m.start("sf"), m.end("sf"), m.start("lf"), m.end("lf")))
    out.sort(key=lambda a: a.short_start)
    dedup: list[Abbreviation] = []
    seen: set[int] = set()
    for a in out:
        if a.short_start not in seen:
            seen.add(a.short_start)
            dedup.append(a)
    return dedup
