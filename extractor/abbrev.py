"""Abbreviations defined in the text (after Schwartz & Hearst, PSB 2003).

Finds pairs of a short form and its long form:
- "long form (SF)": "germacrene A oxidase (GAO)", also in square brackets ("Friedreich's ataxia [FRDA]");
- "SF (long form)": "BDNF (brain-derived neurotrophic factor)";
- legend lists "SF, long form;" or "SF: long form.": "GFAT: glutamine:fructose-6-phosphate aminotransferase".

A pair is accepted when every letter and digit of the short form occurs, in
order, in the long form, the first one at the start of a word of it (the
Schwartz-Hearst rule), and the long form has no more than
``min(len(SF) + 5, 2 * len(SF))`` words.
"""

from __future__ import annotations

import re
from typing import Callable, Final, NamedTuple

from .normalize import fold


class Abbreviation(NamedTuple):
    """A definition: short form and long form, as half-open character spans."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


_PAREN: Final = re.compile(r"\(([^()]{1,120})\)|\[([^()\[\]]{1,120})\]")
_FIRST_PART: Final = re.compile(r"[;,]\s")


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
    sf = fold(sf).lower()
    low = lf.lower()
    s = len(sf) - 1
    l = len(lf) - 1
    while s >= 0:
        c = sf[s]
        if not c.isalnum():
            s -= 1
            continue
        if s == 0:
            while l >= 0 and (low[l] != c or (l > 0 and low[l - 1].isalnum())):
                l -= 1
        else:
            l = low.rfind(c, 0, l + 1)
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


_STOPS: Final = frozenset(".;!?:")


def _word_char(ch: str) -> bool:
    """A character of a short form: letter, digit, Greek, "_", "/", "+" or "-"."""
    return ch.isalnum() or ch in "_/+-" or "\u0370" <= ch <= "\u03ff"


def _end_before(text: str, pos: int, lo: int = 0) -> int:
    """Position after the last non-space character in ``text[lo:pos]`` (``lo`` if none)."""
    while pos > lo and text[pos - 1].isspace():
        pos -= 1
    return pos


def _words_before(text: str, end: int, limit: int, lo: int) -> list[tuple[int, int]]:
    """Spans of up to ``limit`` whitespace-separated words in ``text[lo:end]``, last first.

    A word that starts at ``lo > 0`` may be cut and is left out.
    """
    words = text[lo:end].rsplit(None, limit)
    if len(words) > limit:
        del words[0]  # the text before the last ``limit`` words
    out: list[tuple[int, int]] = []
    pos = end
    for word in reversed(words):
        # the last occurrence before ``pos`` is this word: only spaces follow it
        ws = text.rfind(word, lo, pos)
        if ws == lo and lo > 0:
            break
        out.append((ws, ws + len(word)))
        pos = ws
    return out


def _long_form_before(text: str, paren_start: int, sf: str) -> tuple[int, int] | None:
    """Long form ending just before "(" at ``paren_start``, within the sentence."""
    end = _end_before(text, paren_start)
    limit = _max_words(sf)
    window_start = end
    for ws, we in _words_before(text, end, limit, max(0, end - 40 * limit)):
        chunk = text[ws:we]
        if "(" in chunk or ")" in chunk or "[" in chunk or "]" in chunk or (we != end and chunk[-1] in _STOPS):
            break
        window_start = ws
    if window_start >= end:
        return None
    lf = text[window_start:end]
    off = best_long_form(sf, lf)
    if off is None:
        return None
    start = window_start + off
    if len(text[start:end].split()) > limit or text[start:end].strip().lower() == sf.lower():
        return None
    return start, end


def _word_before(text: str, pos: int) -> tuple[int, int] | None:
    """Span of the word just before ``pos`` (skipping spaces), if any."""
    end = _end_before(text, pos)
    start = end
    while start > 0 and _word_char(text[start - 1]):
        start -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return (start, end) if start < end else None


# a legend item's head: the short form and its separator ("SF," "SF:" "SF =")
_LEGEND_SF: Final = r"\s*(?P<sf>[A-Za-z0-9\u0370-\u03ff][\w\u0370-\u03ff/+-]{0,11})\s*[,:=]"
_LEGEND_ITEM: Final = re.compile(_LEGEND_SF + r"\s+(?P<lf>[^;.,()]{3,120}?)\s*$")


_LEGEND_HEAD: Final = re.compile(_LEGEND_SF + r"(?=\s)")
_LEGEND_BREAKS: Final = (",", "(", ")", ";", ".")  # the commonest first


def _legend_item(piece: str) -> tuple[int, int, int, int] | None:
    """Spans (short form, long form) of ``_LEGEND_ITEM.match(piece)``, found cheaply, or None.

    Only the head ("SF," or "SF:") needs the regex engine: the long form is then
    the rest of the piece without its surrounding whitespace, unless it has a
    break character. The lazy long-form pattern costs a step per character;
    rests shorter than 3 or longer than 120 characters are left to it.
    """
    head = _LEGEND_HEAD.match(piece)
    if head is None:
        return None
    n = len(piece)
    a = head.end()
    while a < n and piece[a].isspace():
        a += 1
    b = n
    while b > a and piece[b - 1].isspace():
        b -= 1
    if not 3 <= b - a <= 120:
        item = _LEGEND_ITEM.match(piece)
        return None if item is None else (item.start("sf"), item.end("sf"), item.start("lf"), item.end("lf"))
    for ch in _LEGEND_BREAKS:
        if piece.find(ch, a, b) >= 0:
            return None
    return head.start("sf"), head.end("sf"), a, b


def _bracket_matches(text: str) -> list[tuple[int, int, int, int]]:
    """The matches of ``_PAREN`` in ``text``, as ``finditer`` gives them: (start, end, inner start, inner end).

    A match is a bracket, 1 to 120 characters without brackets ("[" may hold
    no "(" or ")" either) and its closing bracket. ``str.find`` finds them far
    more cheaply than the regex engine's scan.
    """
    out: list[tuple[int, int, int, int]] = []
    paren = text.find("(")
    square = text.find("[")
    while paren >= 0 or square >= 0:
        at = paren if square < 0 or 0 <= paren < square else square
        inner = at + 1
        if text[at] == "(":
            close = text.find(")", inner, inner + 121)
            ok = close > inner and text.find("(", inner, close) < 0
        else:
            close = text.find("]", inner, inner + 121)
            ok = (
                close > inner
                and text.find("[", inner, close) < 0
                and text.find("(", inner, close) < 0
                and text.find(")", inner, close) < 0
            )
        pos = inner
        if ok:
            out.append((at, close + 1, inner, close))
            pos = close + 1
        if 0 <= paren < pos:
            paren = text.find("(", pos)
        if 0 <= square < pos:
            square = text.find("[", pos)
    return out


def _segments(text: str) -> list[tuple[int, str]]:
    """``(offset, piece)`` of the non-empty pieces of ``text`` between ";" and "." characters."""
    out: list[tuple[int, str]] = []
    base = 0
    for piece in text.replace(";", ".").split("."):
        if piece:
            out.append((base, piece))
        base += len(piece) + 1
    return out


def find_abbreviations(text: str, relevant: Callable[[str, int], bool] | None = None) -> list[Abbreviation]:
    """All abbreviation definitions in ``text``, in text order, one per short-form occurrence.

    ``relevant(short_form, long_form_end)``, if given, is asked before the
    long form is searched for; definitions it rejects are skipped (a caller
    that only needs definitions touching its lexicon saves the search).
    """
    out: list[Abbreviation] = []
    if "(" in text or "[" in text:
        for b_start, b_end, in_start, in_end in _bracket_matches(text):
            inner = text[in_start:in_end]
            stripped = inner.strip()
            # "(SF)" or "(SF, ...)" / "(SF; ...)": the short form is the first part
            head = _FIRST_PART.split(stripped, maxsplit=1)[0].strip() if ";" in stripped or "," in stripped else stripped
            if valid_short_form(head) and (relevant is None or relevant(head, _end_before(text, b_start))):
                sf_start = in_start + inner.index(head)
                span = _long_form_before(text, b_start, head)
                if span is not None:
                    out.append(Abbreviation(head, text[span[0] : span[1]], sf_start, sf_start + len(head), *span))
                    continue
            # "SF (long form)": the short form is the word before the bracket
            word = _word_before(text, b_start)
            if word is None or len(stripped.split()) < 2:
                continue
            sf = text[word[0] : word[1]]
            if not valid_short_form(sf) or (relevant is not None and not relevant(sf, in_end)):
                continue
            off = best_long_form(sf, stripped)
            if off is not None and len(stripped[off:].split()) <= _max_words(sf):
                lf_start = in_start + inner.index(stripped) + off
                lf_end = in_start + inner.index(stripped) + len(stripped)
                out.append(Abbreviation(sf, text[lf_start:lf_end], word[0], word[1], lf_start, lf_end))
    # legend lists: "SF, long form; SF2: long form 2."
    if ";" in text or ": " in text:
        for base, piece in _segments(text):
            head = piece[:40]
            if "," not in head and ":" not in head and "=" not in head:
                continue
            colon = piece.rfind(": ")
            if colon >= 0 and (colon < 3 or not piece[colon - 1].isupper() or len(piece[colon - 12 : colon].split()) > 1):
                # "Abbreviations: ACC, ...": the item follows the colon
                base += colon + 1
                piece = piece[colon + 1 :]
            item = _legend_item(piece)
            if item is None:
                continue
            sf_start, sf_end, lf_start, lf_end = item
            sf, lf = piece[sf_start:sf_end], piece[lf_start:lf_end]
            if not valid_short_form(sf) or sf.lower() == lf.lower() or len(lf.split()) > _max_words(sf):
                continue
            if relevant is not None and not relevant(sf, base + lf_end):
                continue
            if not any(c.isupper() or c.isdigit() for c in sf):
                continue
            if best_long_form(sf, lf) != 0:
                continue  # in legend lists the whole phrase is the long form
            out.append(Abbreviation(sf, lf, base + sf_start, base + sf_end, base + lf_start, base + lf_end))
    out.sort(key=lambda a: a.short_start)
    dedup: list[Abbreviation] = []
    seen: set[int] = set()
    for a in out:
        if a.short_start not in seen:
            seen.add(a.short_start)
            dedup.append(a)
    return dedup
