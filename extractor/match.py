"""Dictionary matching of tokenized text against the compiled lexicon.

Text is tokenized with spaCy's rule-based tokenizer (a blank English pipeline,
no model), with extra infix rules that split at slashes, dashes and brackets so
that list items and prefixes become tokens of their own. Token keys are
concatenated into a *key stream*; punctuation standing apart from the words
(a comma before a space, a sentence stop, a line break) becomes a sentinel that
no key crosses. For every token a single trie call finds all lexicon keys that
start there; those ending on a token boundary are candidate mentions. Lists
("Erk1/2", "KDM6A/B"), ranges ("TGF-β1-3"), plurals ("Smads") and modifier
prefixes ("p-ERK", "pAKT") add candidates. Candidates are filtered (stop lists,
letter case, English words) and resolved per entity kind, longest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, NamedTuple, Sequence

from .lexicon import (
    CHEMICAL,
    DISEASE,
    GENE,
    NONGENE,
    SRC_ALIAS,
    SRC_CURATED,
    SRC_FAMPLEX,
    SRC_MESH_ENTRY,
    SRC_MESH_NAME,
    SRC_NAME,
    SRC_PREV,
    SRC_SCR_NAME,
    SRC_SCR_SYNONYM,
    SRC_SYMBOL,
    Entry,
    Lexicon,
)
from .normalize import BARRIER_CHARS, SENTINEL, case_key, casing, fold, key as make_key, key_drops, normalize_text
from .resources import read_data_lines, read_data_table

KINDS = {"genes": GENE, "chemicals": CHEMICAL, "diseases": DISEASE}
KIND_NAMES = {v: k for k, v in KINDS.items()}

GENE_SOURCE_RANK = {SRC_SYMBOL: 0, SRC_FAMPLEX: 1, SRC_ALIAS: 2, SRC_PREV: 3, SRC_NAME: 4}
MESH_SOURCE_RANK = {SRC_MESH_NAME: 0, SRC_CURATED: 1, SRC_MESH_ENTRY: 1, SRC_SCR_NAME: 2, SRC_SCR_SYNONYM: 3}
VARIANT_RANK = {"": 0, "grounding": 0, "equivalence": 0, "stripped": 1, "acid_ate": 1, "acid_ite": 1, "singular": 2}


# --------------------------------------------------------------------------
# Options and results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchOptions:
    """What to look for and how strictly.

    ``text_type`` is ``prose`` (captions, abstracts) or ``ocr`` (figure labels,
    where lower-case and all-caps tokens are ordinary). ``gene_sources`` limits
    which lexicon sources may produce genes. ``max_alias_genes`` drops an alias
    or previous symbol shared by more genes than this.
    """

    kinds: tuple[str, ...] = ("genes", "chemicals", "diseases")
    text_type: str = "prose"
    gene_sources: tuple[str, ...] = (SRC_SYMBOL, SRC_ALIAS, SRC_PREV, SRC_FAMPLEX)
    max_alias_genes: int = 1
    lists: bool = True
    plurals: bool = True
    prefixes: bool = True


class GeneHit(NamedTuple):
    """One gene a mention names."""

    symbol: str
    source: str
    hgnc_symbol: str
    entrez: str


class ConceptHit(NamedTuple):
    """One MeSH concept a mention names."""

    identifier: str
    term: str


@dataclass(frozen=True)
class Mention:
    """A resolved mention: half-open character span ``[start, end)`` of ``field``."""

    start: int
    end: int
    text: str
    kind: str
    hits: tuple[GeneHit | ConceptHit, ...]
    field: str = "caption"
    method: str = "exact"
    protein: bool = False  # a MeSH peptide/protein chemical (loses to a gene on the same words)

    def to_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": KIND_NAMES.get(self.kind, self.kind),
            "field": self.field,
            "method": self.method,
            "hits": [h._asdict() for h in self.hits],
        }


@dataclass
class Candidate:
    """A lexicon key found in the text, before filtering."""

    i: int  # first token
    j: int  # last token (inclusive)
    start: int
    end: int
    key: str
    entries: tuple[Entry, ...]
    method: str = "exact"
    prefixed: bool = False  # starts with a detached modifier prefix token ("p-", "phospho-")
    extra: tuple[Entry, ...] = field(default_factory=tuple)  # list/range expansions
    cstart: int = -1  # the part of the span whose letter case is checked (default: all of it)
    cend: int = -1

    def case_span(self) -> tuple[int, int]:
        return (self.start if self.cstart < 0 else self.cstart, self.end if self.cend < 0 else self.cend)


# --------------------------------------------------------------------------
# Curated rules
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Stop lists and affixes loaded from ``lexicons/``."""

    gene_stop: frozenset[str]
    gene_stop_exact: frozenset[str]
    chemical_stop: frozenset[str]
    disease_stop: frozenset[str]
    english: frozenset[str]
    detached_prefixes: frozenset[str]
    attached_prefixes: tuple[str, ...]
    derivations: tuple[tuple[str, str, tuple[str, ...]], ...]

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Rules":
        gene_lower, gene_exact = set(), set()
        for word in read_data_lines("gene_stopwords.txt"):
            (gene_lower if word == word.lower() else gene_exact).add(word.strip())
        detached, attached = set(), []
        for affix, kind in read_data_table("gene_affixes.tsv", 2):
            if kind == "detached":
                detached.add(affix)
            elif kind == "attached":
                attached.append(affix)
        return cls(
            gene_stop=frozenset(gene_lower),
            gene_stop_exact=frozenset(gene_exact),
            chemical_stop=frozenset(w.strip().lower() for w in read_data_lines("chemical_stopwords.txt")),
            disease_stop=frozenset(w.strip().lower() for w in read_data_lines("disease_stopwords.txt")),
            english=frozenset(w.strip().lower() for w in read_data_lines("english_words.txt")),
            detached_prefixes=frozenset(detached),
            attached_prefixes=tuple(sorted(attached, key=len, reverse=True)),
            derivations=tuple(
                (KINDS[kind + "s"], suffix.lower(), tuple(r.strip() for r in reps.split(",")))
                for kind, suffix, reps, _ in read_data_table("derivations.tsv", 4)
            ),
        )


# --------------------------------------------------------------------------
# Tokenization
# --------------------------------------------------------------------------

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~"


@lru_cache(maxsize=1)
def tokenizer():  # -> spacy.tokenizer.Tokenizer
    """spaCy's blank English tokenizer with extra splits at slashes, dashes and brackets."""
    import spacy
    from spacy.util import compile_infix_regex

    nlp = spacy.blank("en")
    extra = [
        r"/",
        rf"[{_DASHES}]",
        r"[()\[\]{}]",
        r"(?<=[^\s,]),(?=[^\s])",
        r"(?<=\w):(?=\w)",
        r"\+(?=\w)",
    ]
    nlp.tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes) + extra).finditer
    return nlp.tokenizer


class Token(NamedTuple):
    start: int
    end: int
    text: str
    space_after: bool


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with half-open character offsets."""
    doc = tokenizer()(text)
    return [Token(t.idx, t.idx + len(t.text), t.text, bool(t.whitespace_)) for t in doc]


_KEY_CACHE: dict[str, str] = {}


def token_key(text: str) -> str:
    """Cached match key of one token."""
    k = _KEY_CACHE.get(text)
    if k is None:
        k = make_key(text)
        if len(_KEY_CACHE) > 300_000:
            _KEY_CACHE.clear()
        _KEY_CACHE[text] = k
    return k


# --------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^(?:\d{1,3}|[A-Za-z]|[A-Za-z]\d{1,2}|\d{1,2}[A-Za-z]|[α-ωΑ-Ω]\d?)$")


class Matcher:
    """Finds mentions of genes, chemicals and diseases in text."""

    def __init__(self, lexicon: Lexicon, options: MatchOptions | None = None, rules: Rules | None = None) -> None:
        self.lex = lexicon
        self.options = options or MatchOptions()
        self.rules = rules or Rules.load()
        self.kinds = tuple(KINDS[k] for k in self.options.kinds)
        self.gene_sources = frozenset(self.options.gene_sources)
        self.max_len = lexicon.max_key_length
        self.derivations = tuple(d for d in self.rules.derivations if d[0] in self.kinds)

    # candidates ---------------------------------------------------------

    def candidates(self, clean: str, tokens: Sequence[Token]) -> list[Candidate]:
        """All lexicon keys found at token boundaries, plus list and affix variants."""
        n = len(tokens)
        parts: list[str] = []
        starts: list[int] = [-1] * n
        ends: dict[int, int] = {}
        content = [False] * n
        pos = 0
        prev_space = True
        for i, tok in enumerate(tokens):
            t = tok.text
            if t.isspace():
                if "\n" in t:
                    parts.append(SENTINEL)
                    pos += 1
                prev_space = True
                continue
            k = token_key(t)
            is_content = any(c.isalnum() for c in k)
            if not is_content and all(c in BARRIER_CHARS for c in t):
                next_space = tok.space_after or i + 1 == n or tokens[i + 1].text.isspace()
                if prev_space or next_space or len(t) > 1:
                    parts.append(SENTINEL)
                    pos += 1
                    prev_space = tok.space_after
                    continue
            starts[i] = pos
            parts.append(k)
            pos += len(k)
            if is_content:
                content[i] = True
                ends[pos] = i
            elif k and k != "/" and not prev_space:
                ends[pos] = i  # an attached charge can end a term ("Ca2+")
            prev_space = tok.space_after
        stream = "".join(parts)
        out: list[Candidate] = []
        lookup = self.lex.lookup
        detached = self.rules.detached_prefixes
        for i in range(n):
            if not content[i]:
                continue
            s0 = starts[i]
            window = stream[s0 : s0 + self.max_len]
            prefixed = (
                tokens[i].text in detached
                and i + 2 < n
                and tokens[i + 1].text in "-\u2010\u2011"
                and not tokens[i].space_after
                and content[i + 2]
            )
            for k in self.lex.prefixes(window):
                e = s0 + len(k)
                j = ends.get(e)
                method = "exact"
                if j is None:
                    j = ends.get(e + 1)
                    if (
                        j is None
                        or not self.options.plurals
                        or stream[e] != "s"
                        or len(k) < 3
                        or not clean[tokens[j].end - 1] == "s"
                    ):
                        continue
                    method = "plural"
                if j < i:
                    continue
                cand = Candidate(i, j, tokens[i].start, tokens[j].end, k, lookup(k), method, prefixed)
                if method == "plural":
                    cand.cend = cand.end - 1
                out.append(cand)
            if self.options.prefixes and GENE in self.kinds:
                out.extend(self._attached_prefix(tokens, i, s0, stream, ends))
            if self.derivations:
                out.extend(self._derived(tokens[i]))
        if self.options.lists and GENE in self.kinds:
            out.extend(self._lists(tokens, out, content))
        return out

    def _attached_prefix(
        self, tokens: Sequence[Token], i: int, s0: int, stream: str, ends: dict[int, int]
    ) -> list[Candidate]:
        """Readings of "pERK", "hTERT" without their modifier prefix."""
        t = tokens[i].text
        out = []
        for prefix in self.rules.attached_prefixes:
            if len(t) > len(prefix) + 1 and t.startswith(prefix):
                nxt = t[len(prefix)]
                if not (nxt.isupper() or nxt.isdigit()):
                    continue
                off = s0 + len(token_key(prefix))
                for k in self.lex.prefixes(stream[off : off + self.max_len]):
                    j = ends.get(off + len(k))
                    if j is None:
                        continue
                    entries = tuple(e for e in self.lex.lookup(k) if e.kind == GENE)
                    if entries:
                        cand = Candidate(i, j, tokens[i].start, tokens[j].end, k, entries, "prefix")
                        cand.cstart = cand.start + len(prefix)
                        out.append(cand)
                break
        return out

    def _derived(self, tok: Token) -> list[Candidate]:
        """Chemicals and diseases named by a derived word ("GABAergic", "dopaminergic")."""
        k = token_key(tok.text)
        out = []
        for kind, suffix, replacements in self.derivations:
            if not k.endswith(suffix) or len(k) < len(suffix) + 2 or not tok.text.lower().endswith(suffix):
                continue
            stem = k[: -len(suffix)]
            for rep in replacements:
                entries = tuple(e for e in self.lex.lookup(stem + rep) if e.kind == kind)
                if entries:
                    cand = Candidate(0, 0, tok.start, tok.end, stem + rep, entries, "derived")
                    cand.cend = tok.end - len(suffix)
                    out.append(cand)
                    break
        return out

    def _lists(self, tokens: Sequence[Token], found: list[Candidate], content: list[bool]) -> list[Candidate]:
        """Expand slash lists and ranges after a gene: "Erk1/2", "KDM6A/B", "TGF-β1-3", "Wnt9/10"."""
        by_end: dict[int, list[Candidate]] = {}
        for c in found:
            if any(e.kind == GENE for e in c.entries):
                by_end.setdefault(c.j, []).append(c)
        out = []
        n = len(tokens)
        for j, cands in by_end.items():
            base_cand = max(cands, key=lambda c: (c.j - c.i, -c.i))
            head = base_cand.key
            items: list[str] = []
            last = j
            k = j + 1
            # slash list: X / Y [/ Z ...]  (a dash may follow the slash: "caspase-3/-7")
            while k + 1 < n and tokens[k].text == "/" and not tokens[k - 1].space_after:
                m = k + 1
                if m < n and tokens[m].text in "-\u2010" and m + 1 < n:
                    m += 1
                if not (content[m] and _LIST_ITEM.match(tokens[m].text)) or tokens[k].space_after:
                    break
                items.append(token_key(tokens[m].text))
                last = m
                k = m + 1
            expanded: list[str] = []
            if items:
                for item in items:
                    stem = _list_stem(head, item)
                    if stem is not None:
                        expanded.append(stem + item)
            elif (
                k + 1 < n
                and tokens[k].text in "-\u2010\u2013"
                and not tokens[k - 1].space_after
                and not tokens[k].space_after
                and tokens[k + 1].text.isdigit()
            ):
                # range: X1-3 -> X1, X2, X3
                m = re.search(r"(\d+)$", head)
                hi = int(tokens[k + 1].text)
                if m:
                    lo = int(m.group(1))
                    if lo < hi <= lo + 9:
                        expanded = [head[: m.start()] + str(v) for v in range(lo + 1, hi + 1)]
                        last = k + 1
            extra: list[Entry] = []
            for key in expanded:
                extra.extend(e for e in self.lex.lookup(key) if e.kind == GENE)
            if extra:
                out.append(
                    Candidate(
                        base_cand.i,
                        last,
                        tokens[base_cand.i].start,
                        tokens[last].end,
                        base_cand.key,
                        base_cand.entries,
                        "list",
                        base_cand.prefixed,
                        tuple(extra),
                        base_cand.start,
                        base_cand.end,
                    )
                )
        return out

    # resolution ---------------------------------------------------------

    def find(self, text: str, field: str = "caption") -> list[Mention]:
        """Mentions in ``text`` (character offsets index ``text``)."""
        if not text or not text.strip():
            return []
        clean = normalize_text(text)
        tokens = tokenize(clean)
        cands = self.candidates(clean, tokens)
        self._mark_charged(cands, tokens)
        by_kind: dict[str, list[Mention]] = {}
        for kind in self.kinds:
            scored = []
            for c in cands:
                res = self._resolve(kind, c, clean)
                if res is not None:
                    scored.append((c, res[0], res[1], res[2]))
            by_kind[kind] = self._select(kind, scored, text, field)
        mentions = self._arbitrate(by_kind)
        mentions.sort(key=lambda m: (m.start, -m.end, m.kind))
        return mentions

    @staticmethod
    def _mark_charged(cands: list[Candidate], tokens: Sequence[Token]) -> None:
        """Ions ("Ca2+", "K+", "Mg2+") are not genes: drop gene readings followed by an attached charge."""
        for c in cands:
            nxt = c.j + 1
            if nxt < len(tokens) and tokens[nxt].text in ("+", "++", "2+", "3+") and not tokens[c.j].space_after:
                c.entries = tuple(e for e in c.entries if e.kind != GENE)
                c.extra = ()

    @staticmethod
    def _arbitrate(by_kind: dict[str, list[Mention]]) -> list[Mention]:
        """Where a gene and a chemical or disease cover the same words, keep one.

        The chemical or disease wins ("ATP", "ROS"), unless it is a peptide or
        protein in MeSH ("BDNF"), when the gene does.
        """
        genes = {(m.start, m.end): m for m in by_kind.get(GENE, [])}
        drop_genes: set[tuple[int, int]] = set()
        out: list[Mention] = []
        for kind in (CHEMICAL, DISEASE):
            for m in by_kind.get(kind, []):
                span = (m.start, m.end)
                if span in genes:
                    if m.protein:
                        continue
                    drop_genes.add(span)
                out.append(m)
        out.extend(m for span, m in genes.items() if span not in drop_genes)
        return out

    def _select(self, kind: str, scored: list, text: str, field: str) -> list[Mention]:
        """Non-overlapping mentions of one kind: longest first, then best rank."""
        if kind == GENE:
            scored = self._drop_prefixed(scored)
        scored.sort(key=lambda x: (-(x[0].end - x[0].start), x[1], x[0].start))
        taken: list[tuple[int, int]] = []
        out = []
        for c, _rank, hits, protein in scored:
            if any(c.start < e and s < c.end for s, e in taken):
                continue
            taken.append((c.start, c.end))
            start = _balance_start(text, c.start, c.end)
            out.append(Mention(start, c.end, text[start : c.end], kind, hits, field, c.method, protein))
        return out

    @staticmethod
    def _drop_prefixed(scored: list) -> list:
        """For "p-ERK" prefer ERK to a longer reading that swallows the modifier, unless that ranks better."""
        keep = []
        for item in scored:
            c, rank = item[0], item[1]
            if c.prefixed:
                inner = [x[1] for x in scored if x[0].j == c.j and x[0].i > c.i]
                if inner and min(inner) <= rank:
                    continue
            keep.append(item)
        return keep

    def _resolve(self, kind: str, c: Candidate, text: str):
        entries = [e for e in c.entries if e.kind == kind]
        if kind == GENE:
            entries = [e for e in entries if e.source in self.gene_sources]
            extra = [e for e in c.extra if e.source in self.gene_sources]
            if not entries and not extra:
                return None
            return self._resolve_gene(c, entries, extra, text)
        if not entries:
            return None
        return self._resolve_concept(kind, c, entries, text)

    def _resolve_gene(self, c: Candidate, entries: list[Entry], extra: list[Entry], text: str):
        """Filter a gene candidate and pick its best-ranked terms; (rank, hits, False) or None."""
        rules = self.rules
        if any(e.kind == NONGENE for e in c.entries):
            return None  # FamPlex grounds this text to a small molecule or process
        cs, ce = c.case_span()
        span = text[cs:ce]
        ck = case_key(span)
        if ck in rules.gene_stop_exact:
            return None
        breaks = letter_breaks(span)
        entries = [e for e in entries if letter_breaks(e.term) <= breaks]
        exact = [e for e in entries if case_key(e.term) == ck]
        low = ck.lower()
        shape = casing(ck)
        need_exact = len(c.key) <= 2
        if self.options.text_type != "ocr":
            if low in rules.gene_stop and shape in ("lower", "title"):
                return None
            if shape == "lower" and (len(ck) < 3 or not any(ch.isdigit() for ch in ck)):
                need_exact = True
            if shape == "title" and low in rules.english:
                need_exact = True
        pool = exact if need_exact else entries
        hits: list[GeneHit] = []
        best = 99
        if pool:
            exact_set = set(exact)
            ranked = sorted(
                pool, key=lambda e: (GENE_SOURCE_RANK[e.source], e not in exact_set, VARIANT_RANK.get(e.variant, 3))
            )
            top = ranked[0]
            best = GENE_SOURCE_RANK[top.source] * 10 + (top not in exact_set) * 5 + VARIANT_RANK.get(top.variant, 3)
            chosen = [e for e in ranked if e.source == top.source and (e in exact_set) == (top in exact_set)]
            direct = {e.target for e in chosen if e.target[0] == "g"}
            if top.source in (SRC_ALIAS, SRC_PREV, SRC_NAME) and len(direct) > self.options.max_alias_genes:
                chosen = []
        else:
            chosen = []
        if not chosen and not extra:
            return None
        seen: set[str] = set()
        for e in chosen + (self._best_extra(extra) if chosen else []):
            for gi in self.lex.gene_targets(e.target):
                gene = self.lex.genes[gi]
                if gene.entrez in seen:
                    continue
                seen.add(gene.entrez)
                symbol = e.target[1:] if e.target[0] == "f" else e.term
                hits.append(GeneHit(symbol, e.source, gene.symbol, gene.entrez))
        if not hits:
            return None
        return best, tuple(hits), False

    @staticmethod
    def _best_extra(extra: list[Entry]) -> list[Entry]:
        """For each expanded list item, its best-ranked gene entries (unambiguous ones only)."""
        by_term: dict[str, list[Entry]] = {}
        for e in extra:
            by_term.setdefault(make_key(e.term), []).append(e)
        out = []
        for group in by_term.values():
            best = min(GENE_SOURCE_RANK[e.source] for e in group)
            chosen = [e for e in group if GENE_SOURCE_RANK[e.source] == best]
            if best >= GENE_SOURCE_RANK[SRC_ALIAS] and len({e.target for e in chosen}) > 1:
                continue
            out.extend(chosen)
        return out

    def _resolve_concept(self, kind: str, c: Candidate, entries: list[Entry], text: str):
        """Filter a chemical/disease candidate and pick one MeSH record; (rank, hits, protein) or None."""
        rules = self.rules
        cs, ce = c.case_span()
        span = text[cs:ce]
        ck = case_key(span)
        low = ck.lower()
        stop = rules.chemical_stop if kind == CHEMICAL else rules.disease_stop
        if low in stop:
            return None
        breaks = letter_breaks(span)
        entries = [e for e in entries if letter_breaks(e.term) <= breaks]
        exact = [e for e in entries if case_key(e.term) == ck]
        if not exact:
            # abbreviations and short names must match with their own capitalisation
            entries = [e for e in entries if not _acronym(e.term)]
            if not entries or len(c.key) <= 3:
                return None
            if self.options.text_type == "prose" and casing(ck) in ("lower", "title") and low in rules.english and len(low) <= 5:
                return None
        pool = exact or entries
        ranked = sorted(
            pool,
            key=lambda e: (VARIANT_RANK.get(e.variant, 3), MESH_SOURCE_RANK[e.source], e.target[0] != "D", e.target),
        )
        top = ranked[0]
        rank = VARIANT_RANK.get(top.variant, 3) * 10 + MESH_SOURCE_RANK[top.source]
        return rank, (ConceptHit(top.target, top.term),), top.flags == "p"


def _balance_start(text: str, start: int, end: int) -> int:
    """Take in an opening bracket whose closing one is inside the span ("(S)-ketamine")."""
    span = text[start:end]
    for left, right in ("()", "[]"):
        if span.count(right) > span.count(left) and start > 0 and text[start - 1] == left:
            return start - 1
    return start


_STEM_PATTERNS = (
    (re.compile(r"^\d+$"), re.compile(r"\d+$")),
    (re.compile(r"^[a-z]$"), re.compile(r"[a-z]$")),
    (re.compile(r"^[a-z]\d+$"), re.compile(r"[a-z]\d+$")),
    (re.compile(r"^\d+[a-z]$"), re.compile(r"\d+[a-z]$")),
)


def _list_stem(head: str, item: str) -> str | None:
    """Stem of a list head for an item of the same shape: ("erk1", "2") -> "erk"; ("kdm6a", "b") -> "kdm6"."""
    for item_shape, tail in _STEM_PATTERNS:
        if item_shape.match(item):
            m = tail.search(head)
            if m and m.start() > 0:
                return head[: m.start()]
            return None
    return None


@lru_cache(maxsize=200_000)
def letter_breaks(text: str) -> frozenset[int]:
    """Key positions where a separator stands between two letters ("Protein S" -> {7}).

    A term's breaks must be breaks of the text it matches, so that "proteins"
    does not match "Protein S" nor "cycling" "Cyclin G".
    """
    out = set()
    pos = 0
    pending = False
    prev_letter = False
    for ch in fold(text):
        if ch.isalnum() or ch in "/+":
            if pending and prev_letter and ch.isalpha():
                out.add(pos)
            prev_letter = ch.isalpha()
            pending = False
            pos += 1
        elif key_drops(ch):
            pending = True
        else:
            pos += 1
            prev_letter = False
            pending = False
    return frozenset(out)


def _acronym(term: str) -> bool:
    """Abbreviation-like term: no lower-case run of three letters ("ATP", "cAMP", "NO")."""
    return re.search(r"[a-z]{3}", term) is None and any(ch.isalpha() for ch in term)


