"""Matching rules for OCR text: look-alike characters, broken tokens, fuzzy matching.

OCR text of a pathway figure is a bag of short labels, often misread. Where
the literal text of a word gives nothing, these rules look for a *reading* of
it that names a gene and add it as an extra candidate. ``Matcher.find`` calls
:func:`ocr_candidates` for OCR text when ``MatchOptions.ocr_rules`` is on;
prose is never touched. Readings, and the ``Mention.method`` they give:

* ``ocr-homoglyph``: Cyrillic letters and Greek capitals that look like Latin
  ones are read as Latin ("РІЗК" PI3K, "ΧΡΑ" XPA); a word with such letters
  loses its literal reading by the meaning of Greek letters ("ΤΡΗ" as TRH).
* ``ocr-greek``: a Greek letter of a gene name written or read as a Latin
  look-alike after an upper-case stem or a digit ("IFN-y" IFNγ, "NFxB" NF-κB,
  "TNFC" TNFα).
* ``ocr-swap``: ordinary OCR confusions, 0/O, 1/I/l, 5/S, 8/B, 2/Z, 4/A,
  rn/m, ... ("STATI" STAT1, "PIPSK" PIP5K, "GSK-38" GSK-3β, "P13K" PI3K);
  the digits of a number read as letters are one error ("ILIO" IL10).
* ``ocr-join``: a space put in before or after a number, or a hyphen lost
  ("VPS 45" VPS45, "bclxl" Bcl-xL).
* ``ocr-split``: a lost slash, dropped or read as I/l/1/| ("ATP7AB" ATP7A/B,
  "JAK13" JAK1/3, "Gio" Gi/o, "GSTIGSH" GST/GSH), or read together with the
  list item after it ("JAK2B" JAK2/3, "ERK1Q" ERK1/2).
* ``ocr-strip``: stray marks at the edges of a label ("|KCNN4"); brackets and
  commas around a word ("(Osx,") are split off by the tokenizer already.
* ``ocr-case``: text without any capital (engines that lower-case their
  output): two-character symbols are read in the casing of the lexicon term
  ("gq" Gq, "c4" C4), and modifier prefixes come off ("pcreb" CREB).
* ``ocr-fuzzy`` (rapidfuzz): a word of 5+ key characters nothing else reads
  (nor reads two ways as well: "CASPIQ" is CASP10 or CASP1/2, so neither),
  within one edit (5-7) or two (8+) of exactly one gene key, digits kept, the
  first and last characters not replaced, and in short words only look-alike
  letters replaced ("Notck3" NOTCH3, "RasGRP2H" RASGRP2); names (7+ letters,
  hyphens allowed, no digits) only with one letter lost or added ("Suvivin",
  "B-catenn").

The confusions are data, ``lexicons/ocr_confusions.tsv``: what an engine
writes, what the figure may have had, a cost, a kind, where in a word it
applies and the shortest word it applies to. Readings of a word are generated
best-first by total cost, with at most 1-3 edits (by word length) and
``MAX_VARIANTS`` variants; the cheapest reading that names a gene wins,
readings as cheap and as well ranked that name other genes cancel out
("Rabz": RAB2 or RAB7), and a literal hit is never replaced: a word that is a
lexicon term as it is (a gene, a chemical, an ambiguous alias, "EGFR") gets
no other reading, and a reading takes in a literal hit whole or not at all.
The one exception, in text with capitals: a hit that names genes only, none
written in the letter case of the text ("Jakl" for the alias JAKL of JAK3,
"TNFc" for the previous symbol TNFC), gives way to a reading of at most
``MISCASED_COST`` that the matcher ranks higher ("Jak1", "TNFα").

General shape rules keep readings plausible: a letter put in fits the letter
case of its neighbours (unless the whole text is lower case); in a word of up
to ``STRONG_SWAP_KEY`` key characters, letters read as other letters must
give an approved symbol or a FamPlex name ("GFCR" GPCR, not "ORF6" as the
alias ORP6), as short aliases are many; a capital
ending a word after lower-case letters ("RecA", "IkB") is kept; a short word
of letters stays letters ("DNA") and a short word keeps its digits or loses
them all ("4TM" ATM); an English word is not read as anything else; a lost
slash is not put inside a lower-case run ("Notck3") and needs an approved
symbol or FamPlex name before it, its list items going up ("JAK1/3", not
"nsp1/3" or "B1/1").

Readings are cached per word and matcher; only trie look-ups are made
(``in``, ``lookup``, ``keys_with_prefix``), never a scan of the lexicon.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, Sequence

from .lexicon import CHEMICAL, DISEASE, GENE, NONGENE, SRC_FAMPLEX, SRC_SYMBOL, Entry
from .normalize import case_key, key as make_key, key_drops
from .resources import ResourceError, read_data_table

if TYPE_CHECKING:  # pragma: no cover
    from .match import Candidate, Matcher, Tokens

CONFUSIONS_FILE = "ocr_confusions.tsv"
INSERT = "<none>"
DELETE = "<del>"
CONFUSION_KINDS = frozenset(("homoglyph", "greek", "swap", "slash", "strip", "similar"))
WHERE = frozenset(("any", "end", "start", "inner", "edge"))

#: Method of a reading, by the most telling kind of edit it used (first wins).
METHOD_ORDER = (
    ("fuzzy", "ocr-fuzzy"),
    ("slash", "ocr-split"),
    ("join", "ocr-join"),
    ("swap", "ocr-swap"),
    ("greek", "ocr-greek"),
    ("homoglyph", "ocr-homoglyph"),
    ("strip", "ocr-strip"),
    ("case", "ocr-case"),
    ("prefix", "ocr-case"),
)

MAX_VARIANTS = 160  # variants tried per word, cheapest first
MAX_SPAN_TOKENS = 6  # tokens of one word read together
MAX_JOIN_DIGITS = 3  # "VPS 45": a number of up to this many digits joins the word next to it
MIN_KEY = 3  # key characters a reading that changed characters must have
NUMBER_RUN_KEY = 4  # from this many key characters, the digits of one misread number count as one edit ("ILIO")
MAX_READ_KEY = 30  # longer words (key characters) get no readings
FUZZY_MIN = 5  # key length from which fuzzy matching is tried
FUZZY_LONG = 8  # key length from which two edits are allowed
FUZZY_NAME = 7  # letters a name (not a symbol-like word) needs for fuzzy matching
FUZZY_COST = 3.0  # fuzzy readings rank after every table reading
JOIN_COST = 1.0  # a space put in between a word and a number ("VPS 45")
LOST_SEPARATOR_COST = 1.5  # a hyphen or space of the term missing from the word ("bclxl" for Bcl-xL)
CASE_COST = 0.5
STRONG_SWAP_KEY = 4  # up to this many key characters, letters read for other letters must give a strong name
MISCASED_COST = 1.0  # the costliest reading that overrules a literal hit in another letter case ("Jakl" Jak1)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_KEY_CHARS = frozenset(_ALNUM + "/+")  # what gene keys are made of
UNREADABLE = "?"  # what engines write for a character they cannot read
_STRONG = frozenset((SRC_SYMBOL, SRC_FAMPLEX))
_ITEM = re.compile(r"^(?:\d{1,3}|[A-Za-z])$")  # a list item after a lost slash


# --------------------------------------------------------------------------
# The confusion table
# --------------------------------------------------------------------------


class Confusion(NamedTuple):
    """One row of ``ocr_confusions.tsv``."""

    read: str
    meant: str
    cost: float
    kind: str
    where: str
    min_len: int


class ConfusionTable(NamedTuple):
    homoglyphs: dict[str, tuple[str, float]]  # character -> (Latin reading, cost)
    by_read: dict[str, tuple[Confusion, ...]]  # OCR text -> what it may stand for
    inserts: tuple[Confusion, ...]  # characters an engine may drop
    max_read: int
    marks: str  # stray marks that may be dropped at the edges of a word
    similar: frozenset[tuple[str, str]]  # letters fuzzy matching may replace by each other (lower case)


@lru_cache(maxsize=1)
def confusion_table() -> ConfusionTable:
    """The confusion table from ``lexicons/ocr_confusions.tsv`` (read once per process)."""
    homoglyphs: dict[str, tuple[str, float]] = {}
    by_read: dict[str, list[Confusion]] = {}
    inserts: list[Confusion] = []
    similar: set[tuple[str, str]] = set()
    for read, meant, cost, kind, where, min_len in read_data_table(CONFUSIONS_FILE, 6):
        try:
            row = Confusion(read, "" if meant == DELETE else meant, float(cost), kind, where or "any", int(min_len or 1))
        except ValueError:
            raise ResourceError(f"{CONFUSIONS_FILE}: bad number in row {read!r} {meant!r}") from None
        if kind not in CONFUSION_KINDS or row.where not in WHERE or not read or not meant:
            raise ResourceError(f"{CONFUSIONS_FILE}: bad row {read!r} {meant!r} {kind!r} {where!r}")
        if kind == "similar":
            similar.add((read.lower(), row.meant.lower()))
            continue
        if kind == "homoglyph":
            if len(read) != 1 or len(row.meant) != 1:
                raise ResourceError(f"{CONFUSIONS_FILE}: a homoglyph maps one character to one: {read!r}")
            homoglyphs[read] = (row.meant, row.cost)
        elif read == INSERT:
            inserts.append(row._replace(read=""))
        else:
            by_read.setdefault(read, []).append(row)
    marks = "".join(sorted({r.read for rows in by_read.values() for r in rows if r.kind == "strip"}))
    return ConfusionTable(
        homoglyphs,
        {k: tuple(sorted(v, key=lambda r: r.cost)) for k, v in by_read.items()},
        tuple(inserts),
        max((len(k) for k in by_read), default=1),
        marks,
        frozenset(similar),
    )


# --------------------------------------------------------------------------
# Look-alike characters
# --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def latin_lookalike(ch: str) -> tuple[str, float] | None:
    """The Latin letter or digit a non-ASCII character is read as, with its cost, if it is a look-alike.

    Cyrillic letters, Greek capitals and the symbols of the table count;
    lower-case Greek letters do not (they name themselves: "TNF-α"). The
    table wins over the Unicode confusables data.
    """
    if ch.isascii():
        return None
    table = confusion_table().homoglyphs
    if ch in table:
        return table[ch]
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    if not (name.startswith("CYRILLIC") or name.startswith("GREEK CAPITAL LETTER")):
        return None
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"]) or []
    options = [h["c"] for d in found for h in d["homoglyphs"] if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()]
    if not options:
        return None
    if ch.isupper():  # a capital reads as a capital ("І" as I, not l)
        options = [c for c in options if not c.islower()] or ["I" if c == "l" else c for c in options]
    return options[0], 0.0


def latin_reading(text: str) -> tuple[str, float]:
    """``text`` with look-alike characters read as Latin (same length), and the cost of that."""
    if text.isascii():
        return text, 0.0
    out = []
    cost = 0.0
    for ch in text:
        hit = latin_lookalike(ch)
        if hit is None:
            out.append(ch)
        else:
            out.append(hit[0])
            cost += hit[1]
    return "".join(out), cost


def has_lookalikes(text: str) -> bool:
    """Does ``text`` contain a letter of another script that looks like a Latin one?"""
    return not text.isascii() and any(latin_lookalike(ch) is not None for ch in text)


# --------------------------------------------------------------------------
# Variants of a word
# --------------------------------------------------------------------------


class Edit(NamedTuple):
    pos: int
    length: int  # characters replaced (0: an insertion before ``pos``)
    text: str
    cost: float
    kind: str
    read: str


class Variant(NamedTuple):
    cost: float
    text: str
    kinds: frozenset[str]
    lead: int  # stray marks dropped at the start of the word
    trail: int  # ... and at its end
    inserted: bool  # a lost character was put back (a slash)
    edits: tuple[str, ...]  # "read>meant" of every edit, for provenance and tuning


def _fits_case(text: str, p: int, end: int, out: str, lower: bool) -> bool:
    """Does a replacement ``out`` of ``text[p:end+1]`` fit the letter case around it?"""
    if lower or not out.isalpha() or not out.isascii():
        return True
    # the nearest letters or digits, across separators ("TGF-8" -> TGF-B)
    prev = next((c for c in reversed(text[:p]) if c.isalnum()), "")
    nxt = next((c for c in text[end + 1 :] if c.isalnum()), "")
    if out.isupper():
        if any(c.isupper() or c.isdigit() for c in (prev, nxt)):
            return True
        return not nxt and prev.islower()  # a capital ending a word: "RhoA"
    return any(c.islower() for c in (prev, nxt))


def _camel_suffix(text: str, p: int, end: int) -> bool:
    """A capital ending a word after a lower-case letter ("RecA", "IkB", "TnI"): a letter, kept as it is.

    Not after a lone "l" that follows a capital or a digit: that "l" is a
    misread 1 more likely than a letter ("IPlQ" IP10).
    """
    if not (text[p].isupper() and p > 0 and text[p - 1].islower() and not any(c.isalnum() for c in text[end + 1 :])):
        return False
    return not (text[p - 1] == "l" and (p < 2 or not text[p - 2].isalpha() or text[p - 2].isupper()))


def _slash_ok(text: str, before: int, after: int, lower: bool) -> bool:
    """Can a dropped slash have stood between these characters?

    Not inside a lower-case run of a cased word ("Notck3" is not Not/ck3),
    unless one side is a single letter ("Gio" for Gi/o).
    """
    a, b = text[before], text[after]
    if not (a.isalnum() and b.isalnum()):
        return False
    if lower or not (a.islower() and b.islower()):
        return True
    left = len(text[: before + 1]) - len(text[: before + 1].rstrip("abcdefghijklmnopqrstuvwxyz"))
    right = len(text[after:]) - len(text[after:].lstrip("abcdefghijklmnopqrstuvwxyz"))
    return left < 2 or right < 2


def _edits(text: str, lower: bool) -> list[Edit]:
    """Every confusion of the table that applies somewhere in ``text``, cheapest first."""
    table = confusion_table()
    # the ends of a word: its first and last letter, digit or misread mark ("AP-]")
    alnum = [i for i, ch in enumerate(text) if ch.isalnum()]
    if not alnum:
        return []
    body = [i for i, ch in enumerate(text) if ch.isalnum() or _misread_mark(ch)]
    first, last = body[0], body[-1]
    n = len(text)
    klen = len(make_key(text))
    out: list[Edit] = []
    for p in range(n):
        for length in range(1, min(table.max_read, n - p) + 1):
            read = text[p : p + length]
            rows = table.by_read.get(read)
            if not rows:
                continue
            end = p + length - 1
            for r in rows:
                if klen < r.min_len:
                    continue
                if r.kind == "strip":
                    if end < alnum[0] or p > alnum[-1]:
                        out.append(Edit(p, length, r.meant, r.cost, r.kind, read))
                    continue
                if p < first or end > last:
                    continue
                if r.where == "end" and (end != last or p == first):
                    continue
                if r.where == "start" and (p != first or end == last):
                    continue
                if r.where == "inner" and (p <= first or end >= last):
                    continue
                if r.where == "edge" and p != first and end != last:
                    continue
                if r.kind == "slash":
                    # a slash between two characters, or a slash and the list item after it read as one ("JAK2B")
                    if not text[p - 1].isalnum() or (r.meant.endswith("/") and not text[end + 1 : end + 2].isalnum()):
                        continue
                elif r.kind == "greek":
                    if not _greek_context(text, p, end, r.where, lower):
                        continue
                else:
                    if not lower and _camel_suffix(text, p, end):
                        continue
                    if not r.meant and text[p - length : p] == read:
                        continue  # a letter after the same letter is no stray mark: "II" is a Roman numeral
                    if klen <= 3 and r.meant.isdigit() and text.isalpha() and not lower:
                        continue  # a short word of letters stays letters ("DNA", "ROS")
                    if not _fits_case(text, p, end, r.meant, lower):
                        continue
                out.append(Edit(p, length, r.meant, r.cost, r.kind, read))
    for r in table.inserts:
        if klen < r.min_len:
            continue
        for p in range(first + 1, last + 1):
            if _slash_ok(text, p - 1, p, lower):
                out.append(Edit(p, 0, r.meant, r.cost, r.kind, ""))
    out.sort(key=lambda e: (e.cost, e.pos))
    return out


def _greek_context(text: str, p: int, end: int, where: str, lower: bool) -> bool:
    """A Greek letter follows an upper-case stem or a digit ("IFNy", "CD3y", "OST-o"); inside, between capitals ("NFxB")."""
    if lower:
        return where != "inner"  # "NFxB", not "pria"
    before = text[:p].rstrip("-")
    prev = before[-1:] if before else ""
    if not (prev.isupper() or prev.isdigit()):
        return False
    if where == "inner":
        nxt = text[end + 1 : end + 2]
        return nxt.isupper() or nxt.isdigit()
    return True


def max_edits(n: int) -> int:
    """Edits (other than dropping stray marks) allowed in a word of ``n`` key characters."""
    return 1 if n <= 4 else 2 if n <= 7 else 3


def _occupies(e: Edit) -> frozenset[float]:
    """Positions an edit takes: its characters and the gaps between them; an insertion, the gap before ``pos``."""
    if e.length == 0:
        return frozenset((e.pos - 0.5,))
    return frozenset(x / 2 for x in range(2 * e.pos, 2 * (e.pos + e.length) - 1))


def _digit_repair(e: Edit) -> bool:
    """A letter or mark read for a digit ("I>1", "O>0", "S>5")."""
    return e.kind == "swap" and e.length == 1 and e.text.isdigit() and not e.read.isdigit()


def _extends_number(text: str, edits: list[Edit], combo: tuple[int, ...], k: int) -> bool:
    """Does edit ``k`` repair a digit right next to another digit repair of ``combo`` ("ILIO" IL10)?

    A number misread as letters is one error of the engine, not one per
    digit, where it ends the word or comes before a separator ("Mxell" Mre11,
    not "glod" g10d) and does not start with 0 ("pol" is not p01).
    """
    e = edits[k]
    if not _digit_repair(e):
        return False
    for x in combo:
        o = edits[x]
        if _digit_repair(o) and abs(o.pos - e.pos) == 1:
            left, right = (o, e) if o.pos < e.pos else (e, o)
            return left.text != "0" and not text[right.pos + 1 : right.pos + 2].isalpha()
    return False


def _apply(text: str, edits: list[Edit]) -> str:
    for e in sorted(edits, key=lambda e: (e.pos, e.length), reverse=True):
        text = text[: e.pos] + e.text + text[e.pos + e.length :]
    return text


def variants(text: str, lower: bool = False, limit: int = MAX_VARIANTS) -> list[Variant]:
    """Readings of ``text`` by the confusion table, cheapest first (not ``text`` itself).

    At most :func:`max_edits` edits (dropped stray marks not counted, the
    digits of one misread number counted once, one slash at most, none
    overlapping another) within a cost budget, at most
    ``limit`` variants. ``lower``: the whole text is in lower case (an engine
    that lower-cases), so letter case says nothing.
    """
    edits = _edits(text, lower)
    if not edits:
        return []
    klen = len(make_key(text))
    allowed = max_edits(klen)
    budget = 1.5 * allowed + 1.0
    room = [_occupies(e) for e in edits]
    counts = [e.kind != "strip" for e in edits]
    slash = ["/" in e.text for e in edits]
    out: list[Variant] = []
    # (cost, edit indices, positions taken, edits counted, a slash used)
    heap: list[tuple[float, tuple[int, ...], frozenset[float], int, bool]] = [(0.0, (), frozenset(), 0, False)]
    seen: set[str] = {text}
    pops = 0
    while heap and len(out) < limit and pops < limit * 4:
        cost, combo, taken, used, has_slash = heapq.heappop(heap)
        pops += 1
        if combo:
            chosen = [edits[k] for k in combo]
            v = _apply(text, chosen)
            if v not in seen:
                seen.add(v)
                strips = {e.pos for e in chosen if e.kind == "strip"}
                lead = 0
                while lead in strips:
                    lead += 1
                trail = 0
                while len(text) - 1 - trail in strips:
                    trail += 1
                out.append(
                    Variant(
                        cost,
                        v,
                        frozenset(e.kind for e in chosen),
                        lead,
                        trail,
                        any(e.length == 0 for e in chosen),
                        tuple(f"{e.read}>{e.text}" for e in sorted(chosen)),
                    )
                )
        for k in range(combo[-1] + 1 if combo else 0, len(edits)):
            c = cost + edits[k].cost
            if c > budget:
                break  # edits are sorted by cost
            counted = counts[k] and not (klen >= NUMBER_RUN_KEY and _extends_number(text, edits, combo, k))
            if (counted and used >= allowed) or (slash[k] and has_slash) or not room[k].isdisjoint(taken):
                continue
            heapq.heappush(heap, (c, combo + (k,), taken | room[k], used + counted, has_slash or slash[k]))
    return out


# --------------------------------------------------------------------------
# Readings: variants that name a gene
# --------------------------------------------------------------------------


class Reading(NamedTuple):
    """A reading of a word that names a lexicon gene key."""

    cost: float
    text: str  # the corrected text (for the case checks); for a list, the part read as the main gene
    key: str
    entries: tuple[Entry, ...]
    extra: tuple[Entry, ...]  # genes of the other list items ("ATP7AB" -> ATP7B)
    kinds: frozenset[str]
    lead: int
    trail: int
    edits: tuple[str, ...] = ()


def _gene_entries(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    if any(e.kind == NONGENE for e in entries):
        return ()  # FamPlex grounds the text to a small molecule or process
    return tuple(e for e in entries if e.kind == GENE)


class Reader:
    """Readings of words against one lexicon, cached per word."""

    def __init__(self, matcher: "Matcher") -> None:
        self.lex = matcher.lex
        self.english = matcher.rules.english
        self._cache: dict[tuple[str, bool], tuple[Reading, ...]] = {}
        self._fuzzy_cache: dict[tuple[str, bool], tuple[str, int] | None] = {}

    def _genes(self, k: str) -> tuple[Entry, ...]:
        return _gene_entries(self.lex.lookup(k)) if k in self.lex else ()

    # table readings -------------------------------------------------------

    def readings(self, text: str, lower: bool = False) -> tuple[Reading, ...]:
        """Readings of one word (or of a few words together), cheapest first."""
        ck = (text, lower)
        hit = self._cache.get(ck)
        if hit is None:
            hit = tuple(self._readings(text, lower))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[ck] = hit
        return hit

    def _readings(self, text: str, lower: bool) -> list[Reading]:
        from .match import _same_breaks

        base, base_cost = latin_reading(text)
        kinds0 = frozenset(("homoglyph",)) if base != text else frozenset()
        out: list[Reading] = []
        r = self._evaluate(Variant(base_cost, base, kinds0, 0, 0, False, ()), lower)
        if r is not None:
            out.append(r)
        if base.isalpha() and base.lower() in self.english:
            return out  # an English word is not a misread symbol ("radio", "hit")
        k = make_key(base)
        if len(k) > MAX_READ_KEY or not all(c in _KEY_CHARS or _misread_mark(c) for c in k[1:-1]):
            return out  # too long for a symbol, or marks inside that no reading takes out: garbage
        if k in self.lex:
            genes = self._genes(k)
            if (not genes or _same_breaks(genes, base)) and (lower or not self._miscased(k, base)):
                return out  # a lexicon term as it is ("EGFR", "cAMP", "IAP"): no other reading of it
        for v in variants(base, lower):
            r = self._evaluate(v._replace(cost=v.cost + base_cost, kinds=v.kinds | kinds0), lower)
            if r is not None:
                out.append(r)
        return out

    def _miscased(self, k: str, text: str) -> bool:
        """Is ``text`` a gene term only, none of whose entries is written in its letter case ("Jakl" for JAKL)?"""
        return _genes_in_other_case(self.lex.lookup(k), text)

    def _evaluate(self, v: Variant, lower: bool) -> Reading | None:
        if "slash" in v.kinds:
            return self._split(v, lower)
        k = make_key(v.text)
        if not k or (len(k) < MIN_KEY and v.kinds - {"homoglyph", "strip"}):
            return None
        if len(k) <= MIN_KEY and any(e[:1].isdigit() for e in v.edits) and any(c.isdigit() for c in k):
            return None  # a short word keeps its digits or loses them all ("4TM" ATM, not "B11" BI1)
        entries = self._genes(k)
        if not entries:
            return None
        return Reading(v.cost, v.text, k, entries, (), v.kinds, v.lead, v.trail, v.edits)

    def _split(self, v: Variant, lower: bool) -> Reading | None:
        """A word read as a slash list: "ATP7A/B", "JAK1/3", "Gi/o", "GST/GSH".

        The item after the slash is a list item of the head ("B" after
        "ATP7A", "3" after "JAK1", going up), or a lexicon term of its own
        (3+ key characters, in a word without lower-case letters if the slash
        was dropped rather than misread). A dropped slash needs an approved
        symbol or FamPlex name with two letters before it ("JAK13", "Gio";
        not "nsp13", "p48"); two genes named by whole parts both need one.
        """
        from .match import _list_stem

        parts = v.text.split("/")
        if len(parts) != 2:
            return None
        head, item = parts
        hk = make_key(head)
        if not hk or hk not in self.lex:
            return None  # the head is a lexicon term in every reading
        ik = make_key(item)
        if not ik:
            return None
        at = len(head)
        in_run = not lower and v.text[at - 1 : at].islower() and v.text[at + 1 : at + 2].islower()
        head_genes = self._genes(hk)
        genes: list[tuple[str, tuple[Entry, ...], bool]] = []  # (key, gene entries, named by a whole part)

        # a list item of the head
        stem = _list_stem(hk, ik) if head_genes and _ITEM.match(item) else None
        if stem is not None and _ascending(hk[len(stem) :], ik):
            listed = self._genes(stem + ik)
            strong_head = any(e.source in _STRONG for e in head_genes)
            if not (ik.isdigit() or stem[-1:].isdigit() or len(hk) <= 2):
                listed = ()  # "CAS/P" is not a list; "ATP7A/B" and "Gi/o" are
            elif v.inserted and not strong_head:
                listed = ()  # "nsp13" is not nsp1/3
            elif v.inserted and len(hk) >= MIN_KEY and sum(c.isalpha() for c in hk) < 2:
                listed = ()  # "p48" is not p4/8
            if listed:
                genes = [(hk, head_genes, True), (stem + ik, listed, False)]

        # two names
        if not genes:
            if in_run or len(hk) < MIN_KEY or len(ik) < MIN_KEY or hk not in self.lex or ik not in self.lex:
                return None
            if v.inserted and (lower or any(c.islower() for c in head + item)):
                return None  # "ArfGAP", "procyclin": one name
            for k in (hk, ik):
                g = _gene_entries(self.lex.lookup(k))
                if g:
                    genes.append((k, g, True))
            if not genes or (len(genes) > 1 and not all(any(e.source in _STRONG for e in es) for _, es, _w in genes)):
                return None
            if len(genes) == 1 and not any(e.source in _STRONG for e in genes[0][1]):
                return None

        # the main reading: the first gene named by an approved symbol or FamPlex name, else the first
        first = next((n for n, (_, es, _w) in enumerate(genes) if any(e.source in _STRONG for e in es)), 0)
        main_key, main, _ = genes[first]
        extra = tuple(e for n, (_, es, _w) in enumerate(genes) if n != first for e in es)
        text = item if main_key == ik and main_key != hk else head
        return Reading(v.cost, text, main_key, main, extra, v.kinds, v.lead, v.trail, v.edits)

    # fuzzy readings -------------------------------------------------------

    def fuzzy(self, text: str, lower: bool = False) -> Reading | None:
        """The one gene key nearest to a symbol-like word of 5+ key characters, if any."""
        base, _ = latin_reading(text)
        marks = confusion_table().marks
        core = base.strip(marks)
        k = make_key(core)
        if not FUZZY_MIN <= len(k) <= MAX_READ_KEY or k in self.english or not all(c in _KEY_CHARS for c in k):
            return None
        name = not _symbol_like(core, lower)
        if name and (len(k) < FUZZY_NAME or not core.replace("-", "").isalpha()):
            return None
        if (k, name) in self._fuzzy_cache:
            best = self._fuzzy_cache[(k, name)]
        else:
            best = self._nearest(k, name)
            if len(self._fuzzy_cache) > 100_000:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[(k, name)] = best
        if best is None:
            return None
        fk, dist = best
        entries = self._genes(fk)
        lead = len(base) - len(base.lstrip(marks))
        trail = len(base) - len(base.rstrip(marks))
        return Reading(FUZZY_COST + dist, _display_term(entries), fk, entries, (), frozenset(("fuzzy",)), lead, trail, (f"{k}>{fk}",))

    def _nearest(self, k: str, name: bool = False) -> tuple[str, int] | None:
        """The one gene key within the allowed edits of ``k`` (None if none or several at the least distance)."""
        from rapidfuzz.distance import Levenshtein

        limit = 1 if len(k) < FUZZY_LONG or name else 2
        lex = self.lex
        found: dict[str, int] = {c: 1 for c in _one_edit(k) if c in lex}
        if limit >= 2:
            for c in lex.keys_with_prefix(k[:2]):
                if abs(len(c) - len(k)) <= 2 and c not in found:
                    d = Levenshtein.distance(k, c, score_cutoff=2)
                    if d <= 2:
                        found[c] = d
        found = {c: d for c, d in found.items() if len(c) >= FUZZY_MIN and _fuzzy_ok(k, c, name) and self._genes(c)}
        if not found:
            return None
        best = min(found.values())
        keys = [c for c, d in found.items() if d == best]
        return (keys[0], best) if len(keys) == 1 else None


def _ascending(head_item: str, item: str) -> bool:
    """List items go up: "1/3", "A/B", "38/157"; not "1/1" or "9/4"."""
    if head_item.isdigit() and item.isdigit():
        return int(item) > int(head_item)
    if head_item.isalpha() and item.isalpha():
        return item > head_item
    return False


def _symbol_like(word: str, lower: bool) -> bool:
    """A word that looks like a gene symbol: a digit, or (in cased text) two capitals ("RasGRP2H", "DCCK2")."""
    if any(c.isdigit() for c in word):
        return any(c.isalpha() for c in word)
    return not lower and sum(c.isupper() for c in word) >= 2


def _fuzzy_ok(k: str, cand: str, name: bool = False) -> bool:
    """An OCR-like difference between a word's key and a gene key.

    The digits are the same, in the same order. In a word of 8+ key
    characters any letter may be dropped, put back or replaced (but the first
    and last not replaced). In a shorter word, a character the engine added
    may be dropped at either end or where it doubles its neighbour ("BBRCC3"),
    and a letter may be replaced by a look-alike (``similar`` rows of the
    confusion table: "Notck3"), not the first or the last. A name (a word of
    7+ letters, no digits, not capitals) may only have lost or gained one
    letter inside it ("Suvivin" for Survivin, not "Ferritin" for fermitin).
    """
    from rapidfuzz.distance import Levenshtein

    if [c for c in k if c.isdigit()] != [c for c in cand if c.isdigit()]:
        return False
    n = len(k)
    ops = Levenshtein.editops(k, cand)
    if name:
        if len(ops) != 1:
            return False
        only = next(iter(ops))
        return only.tag != "replace" and 0 < only.src_pos < n - (only.tag == "delete")
    long = n >= FUZZY_LONG
    similar = confusion_table().similar
    for op in ops:
        p = op.src_pos
        if op.tag == "delete":
            if not (long or p in (0, n - 1) or k[p] in (k[p - 1], k[p + 1 : p + 2])):
                return False
        elif op.tag == "replace":
            if p in (0, n - 1) or not (long or (k[p], cand[op.dest_pos]) in similar):
                return False
        elif not long or p in (0, n):
            return False
    return True


def _one_edit(k: str) -> set[str]:
    """Keys one substitution, deletion, insertion or transposition away from ``k``."""
    out = set()
    n = len(k)
    for i in range(n):
        out.add(k[:i] + k[i + 1 :])
        for c in _ALNUM:
            if c != k[i]:
                out.add(k[:i] + c + k[i + 1 :])
        if i + 1 < n and k[i] != k[i + 1]:
            out.add(k[:i] + k[i + 1] + k[i] + k[i + 2 :])
    for i in range(n + 1):
        for c in _ALNUM:
            out.add(k[:i] + c + k[i:])
    out.discard(k)
    return out


def _display_term(entries: tuple[Entry, ...]) -> str:
    """The text a fuzzy reading stands for: an approved symbol if the key has one."""
    from .match import GENE_SOURCE_RANK

    return min(entries, key=lambda e: (GENE_SOURCE_RANK.get(e.source, 9), e.term)).term


# --------------------------------------------------------------------------
# Word breaks of a reading
# --------------------------------------------------------------------------


def realign(text: str, term: str) -> str | None:
    """``text`` with its separators where ``term`` has them ("bclxl", "Bcl-xL" -> "bcl-xl").

    Both must have the same key characters. Spaces where the term has no break
    are dropped ("VPS 45" -> "VPS45"); where the term breaks and the text does
    not, a hyphen (or the term's separator) is put in.
    """
    tk = [i for i, ch in enumerate(term) if not key_drops(ch)]
    xk = [i for i, ch in enumerate(text) if not key_drops(ch)]
    if len(tk) != len(xk) or not xk:
        return None
    out: list[str] = [text[: xk[0]]]
    for n, xi in enumerate(xk):
        if n:
            sep = text[xk[n - 1] + 1 : xi]
            term_sep = term[tk[n - 1] + 1 : tk[n]]
            if not term_sep:
                out.append("".join(c for c in sep if not c.isspace()))
            elif sep and not sep.isspace():
                out.append(sep)
            else:
                out.append(" " if term_sep.isspace() else term_sep)
        out.append(text[xi])
    out.append(text[xk[-1] + 1 :])
    return "".join(out)


# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------


class _Choice(NamedTuple):
    gain: int  # characters of unexplained text the reading explains
    cost: float
    rank: int  # the matcher's rank of the resolved gene reading
    cand: "Candidate"
    genes: frozenset[str]


def _reader(matcher: "Matcher") -> Reader:
    r = matcher.ocr_reader
    if r is None:
        r = matcher.ocr_reader = Reader(matcher)
    return r


def _method(kinds: frozenset[str]) -> str:
    for kind, method in METHOD_ORDER:
        if kind in kinds:
            return method
    return "ocr-case"


def _words(toks: "Tokens") -> list[tuple[int, int]]:
    """Maximal runs of tokens with no whitespace between them."""
    words = []
    n = len(toks)
    i = 0
    while i < n:
        if toks.text[i].isspace():
            i += 1
            continue
        j = i
        while j + 1 < n and not toks.space[j] and not toks.text[j + 1].isspace():
            j += 1
        words.append((i, j))
        i = j + 1
    return words


def _misread_mark(tok: str) -> bool:
    """A one-character token that may be a misread letter or digit ("CASP?", "TRIM2]")."""
    return len(tok) == 1 and any(r.kind != "strip" for r in confusion_table().by_read.get(tok, ()))


def _is_number(tok: str) -> bool:
    return tok.isdigit() and len(tok) <= MAX_JOIN_DIGITS


def ocr_candidates(matcher: "Matcher", clean: str, toks: "Tokens", found: "list[Candidate]") -> "list[Candidate]":
    """Extra candidates for OCR text: readings of words whose literal text gives no gene.

    ``found`` are the literal candidates. Some lose their gene reading in
    place: in a word with look-alike letters of another script ("ΤΡΗ" is not
    TRH), before an attached "?" (a character the engine could not read:
    "AQP?" is not the AQP family), and, in all-lower-case text, a plural that
    a reading of the same word explains ("stats" as STAT5).
    """
    from .match import token_key

    n = len(toks)
    if not n or GENE not in matcher.kind_set:
        return []
    reader = _reader(matcher)
    texts, starts, ends = toks.text, toks.start, toks.end
    lower = not any(ch.isupper() for ch in clean)
    content = [any(ch.isalnum() for ch in t) for t in texts]

    lookalike = [has_lookalikes(t) for t in texts]
    for c in found:
        if any(lookalike[c.i : c.j + 1]) or (
            c.j + 1 < n and texts[c.j + 1] == UNREADABLE and not toks.space[c.j] and c.end == ends[c.j]
        ):
            # read as Latin, not by the meaning of Greek letters ("ΤΡΗ" is not TRH); or
            # cut short by a character the engine could not read ("AQP?" is one AQP, not the family)
            c.entries = tuple(e for e in c.entries if e.kind != GENE)
            c.extra = ()

    covered = [False] * n
    kept: list[tuple[int, int]] = []  # token ranges of literal candidates that stand
    miscased: list[tuple["Candidate", int]] = []  # literal gene hits in another letter case, with their rank
    for c in found:
        if c.method == "plural" and lower:
            continue  # "stats": STATs or STAT5 read in lower case; the readings decide
        if _explains(matcher, c, clean):
            rank = None if lower else _miscased_rank(matcher, c, clean)
            if rank is not None:
                miscased.append((c, rank))
                continue
            kept.append((c.i, c.j))
            for t in range(c.i, c.j + 1):
                covered[t] = True
    if all(covered[t] or not content[t] for t in range(n)):
        return []

    def gain(i: int, j: int) -> int:
        g = sum(len(token_key(texts[t])) for t in range(i, j + 1) if content[t] and not covered[t])
        return g + sum(1 for t in range(i, j + 1) if not content[t] and _misread_mark(texts[t])) if g else 0

    choices: list[_Choice] = []
    words = _words(toks)
    open_words = [not all(covered[t] or not content[t] for t in range(a, b + 1)) for a, b in words]
    for w, (a, b) in enumerate(words):
        spans = []
        if open_words[w]:
            for i in range(a, b + 1):
                if content[i] or _misread_mark(texts[i]):
                    for j in range(i, min(b, i + MAX_SPAN_TOKENS - 1) + 1):
                        if texts[j] == ",":
                            break  # "PI(4,5)P2": items of a list, not one name
                        if content[j] or _misread_mark(texts[j]):
                            spans.append((i, j))
        # a space put in before or after a number: "Rad 51", "MAS 1"
        if w + 1 < len(words) and (open_words[w] or open_words[w + 1]):
            a2, b2 = words[w + 1]
            if (
                "\n" not in clean[ends[b] : starts[a2]]
                and ((a == b and _is_number(texts[a])) or (a2 == b2 and _is_number(texts[a2])))
                and content[a]
                and content[b2]
                and b2 - a < MAX_SPAN_TOKENS
            ):
                spans.append((a, b2))
        # a reading takes in a literal hit whole or not at all ("pro-IL-1B": not "pro-IL")
        spans = [(i, j) for i, j in spans if not any(i <= kj and ki <= j and not (i <= ki and kj <= j) for ki, kj in kept)]
        word_choices = []
        undecided = False  # readings that name other genes as likely: fuzzy matching does not choose either
        for i, j in spans:
            g = gain(i, j)
            if g:
                found_reading = _best_reading(matcher, reader, clean, toks, i, j, lower, g)
                if isinstance(found_reading, _Choice):
                    word_choices.append(found_reading)
                elif found_reading:
                    undecided = True
        if a == b and content[a] and not covered[a] and matcher.options.prefixes:
            best = _prefixed_reading(matcher, reader, clean, toks, a, gain(a, a), lower)
            if best is not None:
                word_choices.append(best)
        if not word_choices and not undecided and open_words[w]:
            # fuzzy: the whole word, or one token of it, that nothing else reads
            for i, j in sorted({(a, b)} | {(t, t) for t in range(a, b + 1) if content[t]}):
                if any(covered[t] for t in range(i, j + 1)) or not content[i] or not content[j]:
                    continue
                r = reader.fuzzy(clean[starts[i] : ends[j]], lower)
                if r is not None:
                    ch = _resolved(matcher, clean, toks, i, j, r, lower, gain(i, j))
                    if ch is not None:
                        word_choices.append(ch)
        choices.extend(word_choices)

    if miscased:
        # a literal hit in another letter case gives way only to a better-ranked table reading ("Jakl": Jak1, not JAKL)
        choices = [
            ch
            for ch in choices
            if not any(
                ch.cand.i <= c.j and c.i <= ch.cand.j and (ch.rank >= rank or ch.cost > MISCASED_COST)
                for c, rank in miscased
            )
        ]
    # The best readings that do not overlap: most unexplained text first, then cheapest, then best ranked.
    choices.sort(key=lambda c: (-c.gain, c.cost, c.rank, c.cand.start))
    taken: list[tuple[int, int]] = []
    out: list[Candidate] = []
    for ch in choices:
        c = ch.cand
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        taken.append((c.start, c.end))
        out.append(c)
    if out and matcher.options.lists:
        # a reading can head a list: "Notchl/2" -> NOTCH1, NOTCH2
        heads = {(c.i, c.start): c for c in out}
        for c in matcher._lists(toks, out, content):
            head = heads.get((c.i, c.start))
            if head is not None:
                c.method, c.case_text = head.method, head.case_text
                out.append(c)
    for c, _rank in miscased:
        if any(r.i <= c.j and c.i <= r.j for r in out):
            c.entries = tuple(e for e in c.entries if e.kind != GENE)
            c.extra = ()
    if lower and out:
        read = {(c.i, c.j) for c in out}
        for c in found:
            if c.method == "plural" and (c.i, c.j) in read:
                c.entries = tuple(e for e in c.entries if e.kind != GENE)
    return out


def _prefixed_reading(
    matcher: "Matcher", reader: Reader, clean: str, toks: "Tokens", t: int, gain: int, lower: bool
) -> _Choice | None:
    """A misread gene after a modifier prefix ("hMLHI" hMLH1, "hvSH6" hMSH6), or one in lower-cased text ("pcreb").

    The literal matcher takes an attached prefix before a capital or a digit
    ("pERK"), which lower-cased text does not have.
    """
    word = toks.text[t]
    if word.lower() in matcher.rules.english:
        return None
    for prefix in matcher.rules.attached_prefixes:
        rest = word[len(prefix) :]
        if not word.startswith(prefix) or len(make_key(rest)) < MIN_KEY:
            continue
        # in cased text, as the literal matcher, a capital or a digit after the prefix ("pERK", "hTERT",
        # not "phospho"), or a letter read as one ("hvSH6": hMSH6)
        misread_start = not lower and not (rest[:1].isupper() or rest[:1].isdigit())
        for r in reader.readings(rest, lower):
            if misread_start and not (r.text[:1].isupper() or r.text[:1].isdigit()):
                continue
            if lower:
                r = r._replace(cost=r.cost + CASE_COST, kinds=r.kinds | {"prefix"})
            ch = _resolved(matcher, clean, toks, t, t, r._replace(lead=0), lower, gain)
            if ch is not None:
                return ch
    return None


def _genes_in_other_case(entries: Sequence[Entry], text: str) -> bool:
    """Are ``entries`` genes only, none of them written in the letter case of ``text``?"""
    ck = case_key(text)
    return all(e.kind == GENE for e in entries) and not any(case_key(e.term) == ck for e in entries)


def _miscased_rank(matcher: "Matcher", c: "Candidate", clean: str) -> int | None:
    """The matcher's rank of a literal hit that names genes only, none in the letter case of the text.

    Such a hit ("Jakl" for the alias JAKL, "TNFc" for the previous symbol
    TNFC, "Rapl" for RAPL) yields to a cheap, better-ranked reading of its
    words; None for any other hit.
    """
    if c.extra or not _genes_in_other_case(c.entries, c.case_span(clean)):
        return None
    resolved = c.override if c.override is not None else matcher.resolve(c, clean)
    res = resolved.get(GENE)
    return None if res is None else res[0]


def _explains(matcher: "Matcher", c: "Candidate", clean: str) -> bool:
    """Does a literal candidate stand: a gene (or other wanted kind), or a chemical or disease named exactly?"""
    resolved = c.override if c.override is not None else matcher.resolve(c, clean)
    if any(res is not None for res in resolved.values()):
        return True
    if len(c.key) < MIN_KEY:
        return False
    span = clean[c.cstart : c.cend]
    for kind in (CHEMICAL, DISEASE):
        if kind not in matcher.kind_set and any(e.kind == kind for e in c.entries):
            if matcher._resolve(kind, c, span) is not None:
                return True
    return False


def _best_reading(
    matcher: "Matcher", reader: Reader, clean: str, toks: "Tokens", i: int, j: int, lower: bool, gain: int
) -> _Choice | bool:
    """The cheapest reading of tokens ``i..j`` that resolves to genes.

    False if there is none; True if two as good name other genes (no telling which).
    """
    text = clean[toks.start[i] : toks.end[j]]
    best: list[_Choice] = []
    for r in reader.readings(text, lower):
        if best and r.cost > best[0].cost:
            break
        ch = _resolved(matcher, clean, toks, i, j, r, lower, gain)
        if ch is None:
            continue
        if best and ch.cost < best[0].cost:
            best = []
        if not best or ch.cost == best[0].cost:
            best.append(ch)
    if not best:
        return False
    top_rank = min(c.rank for c in best)
    top = [c for c in best if c.rank == top_rank]
    if len({c.genes for c in top}) > 1:
        return True  # as cheap, as good, and other genes: no telling which
    return top[0]


def _letter_swap(edit: str) -> bool:
    """Is an edit ("read>meant") one letter or two read for other letters ("F>P", "rn>m"), not a digit or a mark?"""
    read, _, meant = edit.partition(">")
    return read.isascii() and meant.isascii() and read.isalpha() and meant.isalpha()


def _resolved(
    matcher: "Matcher", clean: str, toks: "Tokens", i: int, j: int, r: Reading, lower: bool, gain: int
) -> _Choice | None:
    """A candidate for reading ``r`` of tokens ``i..j`` if the matcher's checks accept it as a gene."""
    from .match import Candidate, _same_breaks

    genes = [e for e in r.entries if e.source in matcher.gene_sources]
    if not genes:
        return None
    if len(r.key) <= STRONG_SWAP_KEY and any(_letter_swap(e) for e in r.edits):
        if not any(e.source in _STRONG for e in genes):
            return None  # "GFCR" is GPCR, but "ORF6" is not ORP6 (an alias of OSBPL6)
    readings: list[tuple[str, frozenset[str], float]] = []
    if _same_breaks(genes, r.text):
        readings.append((r.text, r.kinds, r.cost))
    elif "fuzzy" not in r.kinds and len(r.key) >= MIN_KEY:
        # separators lost or put in: "bclxl" for Bcl-xL, "VPS 45" for VPS45 (not "cycling" for Cyclin G)
        spaced = any(ch.isspace() for ch in r.text)
        if not spaced and r.text.isalpha() and r.text.lower() in matcher.rules.english:
            return None
        for term in sorted({e.term for e in genes}):
            t = realign(r.text, term)
            if t is not None and all(t != x[0] for x in readings) and _same_breaks(genes, t):
                readings.append((t, r.kinds | {"join"}, r.cost + (JOIN_COST if spaced else LOST_SEPARATOR_COST)))
    if lower and len(r.key) <= 2:
        # an engine that lower-cases: short symbols in the casing of the term
        for t, kinds, cost in list(readings):
            for term in sorted({e.term for e in genes}):
                if term.lower() == t.lower() and term != t:
                    readings.append((term, kinds | {"case"}, cost + CASE_COST))
    start, end = toks.start[i] + r.lead, toks.end[j] - r.trail
    while end - start > 1 and clean[end - 1] in "_.,;:":  # punctuation the key drops anyway ("TGF-8_")
        end -= 1
    while end - start > 1 and clean[start] in "_.,;:":
        start += 1
    best: _Choice | None = None
    for t, kinds, cost in readings:
        if not kinds:
            continue  # the literal reading, which the matcher has already
        c = Candidate(i, j, start, end, r.key, r.entries, _method(kinds), False, r.extra)
        c.case_text = t
        res = matcher.resolve(c, clean).get(GENE)
        if res is None:
            continue
        ch = _Choice(gain, cost, res[0], c, frozenset(h.entrez for h in res[1]))
        if best is None or (ch.cost, ch.rank) < (best.cost, best.rank):
            best = ch
    return best
