"""Dictionary matching of tokenized text against the compiled lexicon.

Text is tokenized with spaCy's rule-based tokenizer (a bare vocabulary, no
model, no language's exceptions) using rules for biomedical text: slashes, dashes and brackets split
tokens, so that list items and prefixes become tokens of their own. Token keys
(``normalize.key``) are concatenated into a *key stream*; punctuation standing
apart from the words (a comma before a space, a sentence stop, a line break)
becomes a sentinel that no key crosses. For every token one trie call finds
all lexicon keys that start there; those ending on a token boundary are
candidate mentions. Lists ("Erk1/2", "KDM6A/B"), ranges ("TGF-β1-3"),
plurals ("Smads"), modifier prefixes ("p-ERK", "pAKT") and derived words
("GABAergic") add candidates. Candidates are filtered (stop lists, letter
case, English words, word breaks) and resolved per entity kind, longest first;
where a gene and a chemical or disease cover the same words, one of them wins.
"""

from __future__ import annotations

import re
import sys
import types
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, NamedTuple, Sequence

from .abbrev import find_abbreviations
from .lexicon import (
    CHEMICAL,
    COMPOSITE_SEP,
    DISEASE,
    GENE,
    NONGENE,
    SRC_ALIAS,
    SRC_CURATED,
    SRC_FAMPLEX,
    SRC_LEARNED,
    SRC_MESH_ENTRY,
    SRC_MESH_GENE,
    SRC_MESH_NAME,
    SRC_NAME,
    SRC_PREV,
    SRC_SCR_NAME,
    SRC_SCR_SYNONYM,
    SRC_SYMBOL,
    VARIANT_FORMER,
    Entry,
    Lexicon,
    MeshTreeRules,
    family_stem,
    mesh_number,
)
from .normalize import (
    BARRIER_CHARS,
    SENTINEL,
    case_key,
    casing,
    fold,
    greek_table,
    key as make_key,
    key_drops,
    normalize_text,
)
from .records import reduce_by_fields
from .resources import read_data_lines, read_data_table

KINDS: Final = {"genes": GENE, "chemicals": CHEMICAL, "diseases": DISEASE}
KIND_NAMES: Final = {v: k for k, v in KINDS.items()}

GENE_SOURCE_RANK: Final = {SRC_SYMBOL: 0, SRC_FAMPLEX: 1, SRC_ALIAS: 2, SRC_PREV: 3, SRC_NAME: 4, SRC_MESH_GENE: 5}
#: Gene sources whose terms may be shared by several genes (an ambiguous one names none of them).
_WEAK_GENE_SOURCES: Final = (SRC_ALIAS, SRC_PREV, SRC_NAME, SRC_MESH_GENE)
MESH_SOURCE_RANK: Final = {SRC_LEARNED: -1, SRC_MESH_NAME: 0, SRC_CURATED: 1, SRC_MESH_ENTRY: 1, SRC_SCR_NAME: 2, SRC_SCR_SYNONYM: 3}
VARIANT_RANK: Final = {"": 0, VARIANT_FORMER: 0, "grounding": 0, "equivalence": 0, "british": 0, "roman": 1, "stripped": 1, "singular": 2, "organ": 2, "head": 2, "acid_ate": 3, "acid_ite": 3, "pyro_di": 3}


def concept_rank(e: Entry) -> tuple[int, int, bool, str]:
    """Sort key of MeSH entries: exact terms, then singulars of plural descriptors ("pyruvate" ->
    Pyruvates), then "-ic acid" forms, except that amino acids keep the acid ("glutamate" ->
    Glutamic Acid); descriptors before supplementary records; then the identifier."""
    variant = VARIANT_RANK.get(e.variant, 4)
    if e.variant == "acid_ate" and "a" in e.flags:
        variant = 1
    return variant, MESH_SOURCE_RANK[e.source], e.target[0] != "D", e.target


def compiled() -> bool:
    """Is this module the C extension built by mypyc (``EXTRACTOR_COMPILE=1``) rather than its source?"""
    return not __file__.endswith(".py")


# --------------------------------------------------------------------------
# Options and results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchOptions:
    """What to look for and how strictly.

    ``text_type`` is ``prose`` (captions, abstracts) or ``ocr`` (figure labels,
    where lower-case and all-caps tokens are ordinary). ``gene_sources`` limits
    which lexicon sources may produce genes. ``max_alias_genes`` drops an alias
    or previous symbol shared by more genes than this; ``max_family_size``
    drops FamPlex families with more member genes than this ("cytochrome
    P450", "methyltransferase"), which name a class, not genes;
    ``families: false`` keeps FamPlex's single-gene groundings but drops
    families (gene normalization tasks do not give family names gene IDs;
    a family's words still name a gene whose symbol is the family's name and
    a member number, "Akt" AKT1, but not another gene's alias, "JNK"),
    and in prose a gene name followed by a word of ``lexicons/gene_class_words.txt``
    ("Rho family", "Src homology 2 domains", "EGF-like") names no gene;
    ``min_gene_length`` is the shortest gene key accepted in prose (two-letter
    symbols in captions are mostly other abbreviations).
    ``enzyme_chemicals: false`` drops chemicals named inside an enzyme name
    ("alcohol" in "alcohol dehydrogenase"); ``currency_metabolites: false``
    drops the ubiquitous cofactors listed in ``lexicons/currency_metabolites.tsv``
    (ATP, NADH, CoA, water...), as pathway-figure annotations usually do.
    ``human_genes_only`` drops gene names in prose right after a word naming
    another organism ("rat PAK-1", "yeast YPT1"; ``lexicons/species_words.txt``),
    for tasks that score human genes only. ``plain_definitions`` drops an
    approved symbol defined in the text by two or more plain lower-case words
    unlike its gene's name ("germinal center (GC)"), for abstracts; figure
    legends define symbols loosely. ``receptor_symbols`` reads a ligand's
    short form before "receptor" as the receptor's approved symbol, the short
    form and an "R" ("CNTF receptor" CNTFR, "IL-4 receptor" IL4R; a type
    adds its number, "TGFbeta type I receptor" TGFBR1), for
    abstracts, whose gold names such receptors; figure legends' gold often
    leaves them out.
    ``newest_descriptor`` (a MeSH descriptor ID, e.g. ``D066331``; empty: no
    limit) aligns the output with an older MeSH version, for gold annotated
    with one: a descriptor with a higher ID number (created later) is reported
    as the one older descriptor it is filed under in the disease trees (a newer
    disease descriptor was an entry term of a broader one before), or by the
    former ID that ``lexicons/learned_former_ids.tsv`` gives for its text (a
    drug's supplementary record, learned from a training split); a disease
    under several, or a newer chemical without a former ID (the sources no
    longer give old IDs), is not reported.
    ``derived_chemicals: false`` reads no chemical in a word derived from its
    name ("serotonergic neurons" name a transmitter system, not serotonin),
    for annotation guidelines that mark chemical names only (BC5CDR); derived
    disease words ("diabetic") still name their disease.
    """

    kinds: tuple[str, ...] = ("genes", "chemicals", "diseases")
    text_type: str = "prose"
    gene_sources: tuple[str, ...] = (SRC_SYMBOL, SRC_ALIAS, SRC_PREV, SRC_FAMPLEX)
    max_alias_genes: int = 1
    max_family_size: int = 30
    families: bool = True
    min_gene_length: int = 3
    lists: bool = True
    plurals: bool = True
    prefixes: bool = True
    abbreviations: bool = True
    enzyme_chemicals: bool = True
    currency_metabolites: bool = True
    ocr_rules: bool = True  # OCR text only: look-alike characters, broken tokens, fuzzy matching
    human_genes_only: bool = False
    plain_definitions: bool = False
    receptor_symbols: bool = False
    newest_descriptor: str = ""
    derived_chemicals: bool = True

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return reduce_by_fields(self)


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


class Mention(NamedTuple):
    """A resolved mention: half-open character span ``[start, end)`` of ``field``.

    A named tuple, not a frozen dataclass: a caption makes dozens of them, and
    tuples are several times cheaper to make.
    """

    start: int
    end: int
    text: str
    kind: str
    hits: tuple[GeneHit | ConceptHit, ...]
    field: str = "caption"
    method: str = "exact"
    protein: bool = False  # a MeSH peptide/protein chemical (loses to a gene on the same words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": KIND_NAMES.get(self.kind, self.kind),
            "field": self.field,
            "method": self.method,
            "hits": [h._asdict() for h in self.hits],
        }


_new_tuple: Final = tuple.__new__


class Candidate:
    """A lexicon key found in the text, before filtering.

    Tokens ``i..j`` (inclusive) give the span ``[start, end)``; ``cstart``/``cend``
    delimit the part whose letter case is checked (without a plural "s", a
    modifier prefix or a derivational suffix).
    """

    __slots__ = (
        "i", "j", "start", "end", "key", "entries", "method", "prefixed", "extra", "cstart", "cend", "override", "case_text",
    )  # fmt: skip

    def __init__(
        self,
        i: int,
        j: int,
        start: int,
        end: int,
        key: str,
        entries: tuple[Entry, ...],
        method: str = "exact",
        prefixed: bool = False,
        extra: tuple[Entry, ...] = (),
        cstart: int = -1,
        cend: int = -1,
    ) -> None:
        self.i, self.j, self.start, self.end = i, j, start, end
        self.key, self.entries, self.method, self.prefixed, self.extra = key, entries, method, prefixed, extra
        self.cstart = start if cstart < 0 else cstart
        self.cend = end if cend < 0 else cend
        self.override: dict[str, Resolved | None] | None = None  # set by abbreviation definitions
        self.case_text: str | None = None  # text for case checks when it differs from the span (OCR readings)

    def case_span(self, text: str) -> str:
        """The text whose letter case is checked."""
        return text[self.cstart : self.cend] if self.case_text is None else self.case_text

    def __repr__(self) -> str:
        return f"Candidate({self.start}:{self.end} {self.key!r} {self.method})"


Resolved = tuple[int, tuple[Any, ...], bool]  # (rank, hits, is a MeSH protein)


# --------------------------------------------------------------------------
# Curated rules
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Stop lists, affixes and derivations loaded from ``lexicons/``."""

    gene_stop: frozenset[str]
    gene_stop_exact: frozenset[str]
    chemical_stop: frozenset[str]
    disease_stop: frozenset[str]
    learned_stop: frozenset[tuple[str, str]]
    english: frozenset[str]
    detached_prefixes: frozenset[str]
    attached_prefixes: tuple[str, ...]
    derivations: tuple[tuple[str, str, tuple[str, ...]], ...]
    currency: frozenset[str]
    enzyme_words: re.Pattern[str]
    function_words: frozenset[str]
    gene_class_words: frozenset[str] = frozenset()
    gene_class_hyphenated: frozenset[str] = frozenset()
    gene_class_hyphenated_pairs: frozenset[tuple[str, str]] = frozenset()
    protein_head: re.Pattern[str] = re.compile(r"(?!)")
    species_words: frozenset[str] = frozenset()
    sequence_words: frozenset[str] = frozenset()
    patient_words: frozenset[str] = frozenset()
    gene_context_words: frozenset[str] = frozenset()
    disease_branches: tuple[str, ...] = ()
    counter_ions: frozenset[str] = frozenset()
    people_adjectives: frozenset[str] = frozenset()
    people_after: frozenset[tuple[str, str]] = frozenset()  # (adjective, a word for people after it)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Rules":
        gene_lower: set[str] = set()
        gene_exact: set[str] = set()
        for word in read_data_lines("gene_stopwords.txt"):
            word = word.strip()
            (gene_lower if word == word.lower() else gene_exact).add(word)
        people = read_data_table("people_adjectives.tsv", 2)
        class_words = [w.strip() for w in read_data_lines("gene_class_words.txt")]
        # "-like" -> ["like"], "-dependent kinase" -> ["dependent", "kinase"]
        hyphenated = [w.lower()[1:].split() for w in class_words if w.startswith("-")]
        detached, attached = set(), []
        for affix, kind in read_data_table("gene_affixes.tsv", 2):
            if kind == "detached":
                detached.add(affix)
            elif kind == "attached":
                attached.append(affix)
            else:
                raise ValueError(f"gene_affixes.tsv: unknown kind {kind!r}")
        return cls(
            gene_stop=frozenset(gene_lower),
            gene_stop_exact=frozenset(gene_exact),
            chemical_stop=frozenset(w.strip().lower() for w in read_data_lines("chemical_stopwords.txt")),
            disease_stop=frozenset(w.strip().lower() for w in read_data_lines("disease_stopwords.txt")),
            learned_stop=frozenset(
                (KINDS[kind + "s"], word) for kind, word, *_ in read_data_table("learned_stopwords.tsv", 4)
            ),
            english=frozenset(w.strip().lower() for w in read_data_lines("english_words.txt")),
            detached_prefixes=frozenset(detached),
            attached_prefixes=tuple(sorted(attached, key=len, reverse=True)),
            derivations=tuple(
                (KINDS[kind + "s"], suffix.lower(), tuple(r.strip() for r in reps.split(",")))
                for kind, suffix, reps, _ in read_data_table("derivations.tsv", 4)
            ),
            currency=frozenset(row[0] for row in read_data_table("currency_metabolites.tsv", 2)),
            function_words=frozenset(w.strip() for w in read_data_lines("function_words.txt")),
            gene_class_words=frozenset(w.strip().lower() for w in class_words if not w.startswith("-")),
            gene_class_hyphenated=frozenset(w[0] for w in hyphenated if len(w) == 1),
            gene_class_hyphenated_pairs=frozenset((w[0], w[1]) for w in hyphenated if len(w) == 2),
            protein_head=re.compile(
                r"\b(?:"
                + "|".join(re.escape(w.strip().lower()) for w in read_data_lines("protein_head_words.txt"))
                + r")(?:\s+(?:\d+|[a-z]|[ivx]+|alpha|beta|gamma|delta)|\s+of\s+\d+(?:\.\d+)?\s*kda)?\s*$"
            ),
            species_words=frozenset(w.strip().lower() for w in read_data_lines("species_words.txt")),
            sequence_words=frozenset(w.strip().lower() for w in read_data_lines("sequence_words.txt")),
            patient_words=frozenset(w.strip().lower() for w in read_data_lines("patient_words.txt")),
            gene_context_words=frozenset(w.strip().lower() for w in read_data_lines("gene_context_words.txt")),
            disease_branches=MeshTreeRules.load().disease_include,
            counter_ions=frozenset(w.strip().lower() for w in read_data_lines("counter_ions.txt")),
            people_adjectives=frozenset(row[0].lower() for row in people),
            people_after=frozenset((row[0].lower(), w.strip().lower()) for row in people for w in row[1].split(",") if w.strip()),
            enzyme_words=re.compile(
                r"[\s\-]*(?:[A-Za-z0-9]{1,3}[\s\-]+)?(?:\w*(?:"
                + "|".join(re.escape(w.strip().lower()) for w in read_data_lines("enzyme_words.txt"))
                + r"))s?\b",
                re.IGNORECASE,
            ),
        )


# --------------------------------------------------------------------------
# Tokenization
# --------------------------------------------------------------------------

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~"
_OPEN = "\\(\\[\\{\"'\u201c\u2018\u00ab<*\u2022\u00b7"
_CLOSE = "\\)\\]\\}\"'\u201d\u2019\u00bb>,;:.!?*\u2022\u00b7"
HYPHENS: Final = frozenset("-\u2010\u2011")
_INFIXES = f"/{_DASHES}()\\[\\]{{}}=<>;|\u2190\u2192\u2194\u00d7"
#: a character at which one of the tokenizer's rules can split a word (prefix, suffix or infix)
_SPLITTABLE: Final = re.compile(f"[{_OPEN}{_CLOSE}{_INFIXES},:+]")
_OPEN_CHARS: Final = frozenset(_OPEN.replace("\\", ""))
_CLOSE_CHARS: Final = frozenset(_CLOSE.replace("\\", ""))


def _spacy_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, imported when first called (see ``_import_spacy``)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _import_spacy() -> None:
    """Import spaCy without its command-line interface, which the tokenizer does not use.

    ``spacy/__init__`` imports ``spacy.cli`` for one name, ``info``, and with it
    every command (weasel, requests, httpx, a YAML file parsed at import):
    a quarter of a second in every worker process. While spaCy is imported,
    ``spacy.cli`` is an empty stand-in; afterwards the stand-in is removed, so
    ``import spacy.cli`` imports the real package, and ``spacy.info`` imports
    it when called. If a spaCy version needs more of its CLI at import, spaCy
    is imported as usual.
    """
    if "spacy" in sys.modules:
        return
    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []
    info = types.ModuleType("spacy.cli.info")
    setattr(info, "info", _spacy_info)
    stubs = {"spacy.cli": cli, "spacy.cli.info": info}
    added = [name for name in stubs if name not in sys.modules]
    for name in added:
        sys.modules[name] = stubs[name]
    try:
        import spacy
    except (ImportError, AttributeError):
        ok = False
    else:
        ok = True
        if getattr(spacy, "cli", None) is cli:
            delattr(spacy, "cli")
    finally:
        for name in added:
            if sys.modules.get(name) is stubs[name]:
                del sys.modules[name]
    if not ok:
        import spacy  # noqa: F401 (as usual, CLI included)


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """spaCy's rule-based tokenizer on a bare vocabulary, with rules for biomedical text.

    Besides whitespace it splits off brackets, quotes and sentence punctuation
    at token edges, and splits inside tokens at slashes, dashes, brackets,
    commas, colons and "=<>;|" so that list items and prefixes become tokens
    of their own ("Erk1/2" -> Erk1 / 2, "p-ERK" -> p - ERK). It has no
    special cases, which keeps it several times faster than the English
    defaults.
    """
    _import_spacy()
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    from spacy.vocab import Vocab

    # A bare vocabulary: the tokenizer has no special cases, and only offsets are
    # read from the tokens, so neither English's exceptions (whose regexes take a
    # third of a second to compile in every worker) nor lexical attributes
    # (shape, stop word, number-likeness) computed for every new word are needed.
    vocab = Vocab()
    prefixes = compile_prefix_regex([f"[{_OPEN}]"])
    suffixes = compile_suffix_regex([f"[{_CLOSE}]"])
    infixes = compile_infix_regex(
        [
            f"[{_INFIXES}]",
            r"(?<=[^\s,]),(?=[^\s])",
            r"(?<=\w):(?=\w)",
            r"\+(?=\w)",
        ]
    )
    return Tokenizer(
        vocab,
        prefix_search=prefixes.search,
        suffix_search=suffixes.search,
        infix_finditer=infixes.finditer,
    )


class Tokens:
    """Tokens of a text as parallel lists: text, half-open offsets, trailing space."""

    __slots__ = ("text", "start", "end", "space")

    def __init__(self, text: list[str], start: list[int], end: list[int], space: list[bool]) -> None:
        self.text, self.start, self.end, self.space = text, start, end, space

    def __len__(self) -> int:
        return len(self.text)


@lru_cache(maxsize=1)
def _offset_attrs() -> list[int]:
    from spacy.attrs import IDX, LENGTH

    return [IDX, LENGTH]


def _spacy_offsets(text: str) -> tuple[list[int], list[int]]:
    """Half-open offsets of the tokens spaCy's tokenizer finds in ``text``."""
    arr = tokenizer()(text).to_array(_offset_attrs())
    if not len(arr):
        return [], []
    starts = arr[:, 0]
    return starts.tolist(), (starts + arr[:, 1]).tolist()


# Tokens of a word (a run of non-space characters) as ((text, start, end), ...) relative to the
# word; () for a word that is one token.
_WORD_CACHE: Final[dict[str, tuple[tuple[str, int, int], ...]]] = {}
#: whitespace other than one space between two words: runs of two or more characters, other
#: whitespace characters, and a space at either end of the text
_OTHER_WHITESPACE: Final = re.compile(r"\s{2,}|[^\S ]|^ | \Z")


def _learn_words(words: list[str]) -> None:
    """Tokenize words not yet in the cache with one spaCy call and cache their tokens.

    A word without any character that the tokenizer's rules split at
    (``_SPLITTABLE``) is one token, and a word only wrapped in brackets or
    punctuation splits as ``_affix_tokens`` says: the tokenizer has no
    special cases, so such words are cached without asking spaCy.
    """
    if len(_WORD_CACHE) + len(words) > 300_000:
        _WORD_CACHE.clear()
    new: list[str] = []
    for w in dict.fromkeys(words):
        if w not in _WORD_CACHE:
            # (no character a rule splits at is a letter or digit: most words need no regex)
            if w.isalnum() or _SPLITTABLE.search(w) is None:
                _WORD_CACHE[w] = ()
                continue
            wrapped = _affix_tokens(w)
            if wrapped is not None:
                _WORD_CACHE[w] = wrapped
            else:
                new.append(w)
    if not new:
        return
    starts, ends = _spacy_offsets(" ".join(new))
    t = 0
    base = 0
    for w in new:
        limit = base + len(w)
        toks = []
        while t < len(starts) and starts[t] < limit:
            toks.append((w[starts[t] - base : ends[t] - base], starts[t] - base, ends[t] - base))
            t += 1
        _WORD_CACHE[w] = tuple(toks) if len(toks) > 1 else ()
        base = limit + 1


def _affix_tokens(w: str) -> tuple[tuple[str, int, int], ...] | None:
    """Tokens of a word that is only wrapped in brackets or punctuation ("(kinase),"); None for others.

    The tokenizer's prefix and suffix rules split off one opening character at
    the start and one closing character at the end of a word at a time, until
    neither is left; a rest without any character that a rule splits at is
    one token. Words whose rest is empty or has such characters are left to spaCy.
    """
    n = len(w)
    a = 0
    while a < n and w[a] in _OPEN_CHARS:
        a += 1
    b = n
    while b > 0 and w[b - 1] in _CLOSE_CHARS:
        b -= 1
    if b <= a or (not w[a:b].isalnum() and _SPLITTABLE.search(w, a, b) is not None):
        return None
    return tuple([(w[i], i, i + 1) for i in range(a)] + [(w[a:b], a, b)] + [(w[i], i, i + 1) for i in range(b, n)])


def _tokenize_words(text: str, offset: int, out: Tokens) -> None:
    """Append the tokens of ``text``, words separated by single spaces, found at ``offset``."""
    words = text.split(" ")
    cache = _WORD_CACHE
    texts, starts, ends, space = out.text, out.start, out.end, out.space
    pos = offset
    learned = False
    for w in words:
        toks = cache.get(w)
        if toks is None:
            if not learned:
                _learn_words(words)  # every new word of the text in one spaCy call
                learned = True
            toks = cache[w]
        if not toks:
            texts.append(w)
            starts.append(pos)
            pos += len(w)
            ends.append(pos)
            space.append(True)
        else:
            for t, a, b in toks:
                texts.append(t)
                starts.append(pos + a)
                ends.append(pos + b)
                space.append(False)
            pos += len(w)
            space[-1] = True
        pos += 1
    space[-1] = False


def tokenize(text: str) -> Tokens:
    """Tokens of ``text`` with half-open character offsets.

    The tokens are those of spaCy's tokenizer (``tokenizer()``), which splits
    text at whitespace and then splits each word by its affix rules alone;
    words are tokenized once and their tokens cached, as spaCy itself does
    only for words it keeps in its vocabulary. Whitespace other than a single
    space after a word becomes a token of its own, as in spaCy.
    """
    out = Tokens([], [], [], [])
    if not text:
        return out
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        _tokenize_words(text, 0, out)
        return out
    pos = 0
    for m in _OTHER_WHITESPACE.finditer(text):  # the words between are separated by single spaces
        ws_start, ws_end = m.span()
        if pos < ws_start:
            _tokenize_words(text[pos:ws_start], pos, out)
        if ws_start > 0 and text[ws_start] == " ":
            out.space[-1] = True  # one space after a word belongs to the word
            ws_start += 1
        if ws_start < ws_end:
            out.text.append(text[ws_start:ws_end])
            out.start.append(ws_start)
            out.end.append(ws_end)
            out.space.append(False)
        pos = ws_end
    if pos < len(text):
        _tokenize_words(text[pos:], pos, out)
    return out


_KEY_CACHE: Final[dict[str, str]] = {}


def token_key(text: str) -> str:
    """Cached match key of one token."""
    k = _KEY_CACHE.get(text)
    if k is None:
        k = make_key(text)
        if len(_KEY_CACHE) > 300_000:
            _KEY_CACHE.clear()
        _KEY_CACHE[text] = k
    return k


# Token classes in the key stream.
_SPACE: Final = 0
_NEWLINE: Final = 1
_CONTENT: Final = 2
_PUNCT: Final = 3
_JOINER: Final = 4
_INFO_CACHE: Final[dict[str, tuple[str, int]]] = {}


def token_info(text: str) -> tuple[str, int]:
    """Cached (key, class) of a token: whitespace, line break, content, barrier punctuation or joiner."""
    info = _INFO_CACHE.get(text)
    if info is None:
        if text.isspace():
            info = ("", _NEWLINE if ("\n" in text or "\r" in text) else _SPACE)
        else:
            k = token_key(text)
            if any(c.isalnum() for c in k):
                info = (k, _CONTENT)
            elif all(c in BARRIER_CHARS for c in text):
                info = (k, _PUNCT)
            else:
                info = (k, _JOINER)
        if len(_INFO_CACHE) > 300_000:
            _INFO_CACHE.clear()
        _INFO_CACHE[text] = info
    return info


class Stream:
    """The key stream of a token sequence.

    ``pos[i]`` is where token ``i``'s key starts in ``keys`` (-1 for barriers
    and whitespace); ``ends[p]`` is the token that ends at stream position
    ``p`` (-1 if none); ``content[i]`` tells whether token ``i`` has letters or digits, and
    ``starts`` lists those tokens.
    """

    __slots__ = ("keys", "pos", "ends", "content", "starts")

    def __init__(self, toks: Tokens) -> None:
        n = len(toks)
        parts: list[str] = []
        pos = [-1] * n
        end_at: list[int] = []  # stream positions where a token ends, and the token
        end_tok: list[int] = []
        content = [False] * n
        starts: list[int] = []
        p = 0
        prev_space = True
        texts, spaces = toks.text, toks.space
        for i, t in enumerate(texts):
            info = _INFO_CACHE.get(t)
            if info is None:
                info = token_info(t)
            k, cls = info
            if cls == _CONTENT:
                pos[i] = p
                parts.append(k)
                p += len(k)
                content[i] = True
                end_at.append(p)
                end_tok.append(i)
                starts.append(i)
                prev_space = spaces[i]
                continue
            if cls == _SPACE:
                prev_space = True
                continue
            if cls == _NEWLINE:
                parts.append(SENTINEL)
                p += 1
                prev_space = True
                continue
            if cls == _PUNCT and (prev_space or spaces[i] or i + 1 == n or texts[i + 1].isspace() or len(t) > 1):
                parts.append(SENTINEL)
                p += 1
                prev_space = spaces[i]
                continue
            # a joiner (hyphen, slash, plus, attached punctuation)
            pos[i] = p
            parts.append(k)
            p += len(k)
            if k and k != "/" and not prev_space:
                end_at.append(p)  # an attached charge can end a term ("Ca2 +")
                end_tok.append(i)
            prev_space = spaces[i]
        self.keys = "".join(parts)
        ends = [-1] * (p + 2)  # up to one past the end: a plural "s" is looked for there
        for at, tok in zip(end_at, end_tok):
            ends[at] = tok
        self.pos, self.ends, self.content, self.starts = pos, ends, content, starts


# --------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------

_LIST_ITEM: Final = re.compile(r"^(?:\d{1,3}|[A-Za-z]|[A-Za-z]\d{1,2}|\d{1,2}[A-Za-z]|[\u03b1-\u03c9\u0391-\u03a9]\d?)$")
_CHARGES: Final = frozenset(("+", "++", "2+", "3+"))
_LIST_SEPARATORS: Final = frozenset((",", "and", "or", "&", "and/or"))
_LIST_OPENERS: Final = frozenset(("/", "-", "\u2010", "\u2013", " "))
_RANGE_WORDS: Final = frozenset(("to", "through"))
_CLASSIFIERS: Final = frozenset(("isoform", "isoforms", "isozyme", "isozymes", "subtype", "subtypes", "subunit", "subunits"))
_CLASSIFIERS_AFTER: Final = frozenset(
    ("protein", "proteins", "gene", "genes", "isoforms", "receptor", "receptors", "kinases", "mrna", "expression",
     "levels", "activity", "signaling", "signalling", "family", "members", "knockout", "deficiency")
)  # fmt: skip
_COORD_ITEM: Final = re.compile(
    r"^(?:\d{1,3}|[A-Z]|[A-Za-z]\d{1,2}|\d{1,2}[A-Za-z]\d{0,2}|[\u03b1-\u03c9\u0391-\u03a9]\d?"
    r"|(?:alpha|beta|gamma|delta|epsilon|zeta|theta|kappa|lambda|sigma|omega)\d?|II|III|IV|VI{1,3}|IX)$"
)


class Matcher:
    """Finds mentions of genes, chemicals and diseases in text."""

    def __init__(self, lexicon: Lexicon, options: MatchOptions | None = None, rules: Rules | None = None) -> None:
        self.lex = lexicon
        self.options = options or MatchOptions()
        self.rules = rules or Rules.load()
        self.output_kinds = frozenset(KINDS[k] for k in self.options.kinds)
        # Genes and chemicals are resolved together even when only one of them is
        # reported: a gene reading of a MeSH peptide or protein ("EPO", "VIP")
        # wins over the chemical, and a chemical name over the genes inside it
        # ("PI(3,4,5)P3").
        self.kinds = tuple(KINDS[k] for k in self.options.kinds)
        if CHEMICAL in self.output_kinds and GENE not in self.output_kinds:
            self.kinds += (GENE,)
        if GENE in self.output_kinds and CHEMICAL not in self.output_kinds:
            self.kinds += (CHEMICAL,)
        if GENE in self.output_kinds and DISEASE not in self.output_kinds:
            self.kinds += (DISEASE,)
        self.kind_set = frozenset(self.kinds)
        self.gene_sources = frozenset(self.options.gene_sources)
        self.max_len = lexicon.max_key_length
        self.derivations = tuple(
            d
            for d in self.rules.derivations
            if d[0] in self.kind_set and (d[0] != CHEMICAL or self.options.derived_chemicals)
        )
        self._derivation_suffixes = tuple(d[1] for d in self.derivations)
        self._start_info: dict[str, tuple[int, bool, str, bool, tuple[str, ...], int, int]] = {}
        self._extends: dict[str, bool] = {}
        # function words in lower case or capitalised never start a name
        self._no_start = frozenset(
            w for fw in self.rules.function_words for w in (fw, fw.capitalize())
        )
        # ... except a single capital ("I" of "I kappa B") before a spelled Greek letter and a capital
        self._greek_starts = frozenset(w for w in self._no_start if len(w) == 1 and w.isupper())
        self._greek_names = frozenset(greek_table()[1])
        self.want_genes = GENE in self.kind_set
        self._newest = mesh_number(self.options.newest_descriptor) if self.options.newest_descriptor else 0
        self._cache: dict[tuple, dict[str, Resolved | None]] = {}
        self.ocr_reader: Any = None  # the OCR rules' reader of this matcher, made on first use
        # Functions imported on first use (ocr_rules imports this module; rapidfuzz only serves
        # defined abbreviations), kept rather than imported again on every call.
        self._ocr_candidates: Any = None
        self._token_set_ratio: Any = None

    # candidates ---------------------------------------------------------

    def candidates(self, clean: str, toks: Tokens) -> list[Candidate]:
        """All lexicon keys found at token boundaries, plus list, affix and derived variants."""
        stream = Stream(toks)
        keys, pos, ends, content = stream.keys, stream.pos, stream.ends, stream.content
        texts, starts, tends, spaces = toks.text, toks.start, toks.end, toks.space
        n = len(toks)
        out: list[Candidate] = []
        lookup = self.lex.lookup
        entry_cache = self.lex.entries_cache
        prefixes = self.lex.trie.prefixes
        plurals = self.options.plurals
        max_len = self.max_len
        start_info = self._start_info
        extends = self._extends
        greek_starts = self._greek_starts
        n_keys = len(keys)
        for i in stream.starts:
            t = texts[i]
            info = start_info.get(t)
            if info is None:
                info = self._token_start_info(t)
            shortest, detached, prefix, derived, own, klen, allele = info
            if not shortest and t in greek_starts and self._greek_follows(toks, i):
                shortest, detached, prefix, derived, own, klen, allele = self._word_start_info(t)
            s0 = pos[i]
            if shortest:
                prefixed = (
                    detached
                    and i + 2 < n
                    and texts[i + 1] in HYPHENS
                    and not spaces[i]
                    and not spaces[i + 1]
                    and content[i + 2]
                )
                # Keys longer than the token's own key start with it and the next
                # character of the stream: only if some key does is the trie asked.
                probe_end = s0 + klen + 1
                longer = False
                if probe_end <= n_keys:
                    probe = keys[s0:probe_end]
                    has = extends.get(probe)
                    if has is None:
                        has = self._has_prefix(probe)
                    longer = has
                for k in prefixes(keys[s0 : s0 + max_len]) if longer else own:
                    if len(k) < shortest:
                        continue  # ends inside the token, even with a plural "s" after it
                    e = s0 + len(k)
                    j = ends[e]
                    method = "exact"
                    if j < 0:
                        # a plural "s" written in lower case after a term of 3+ characters, on a
                        # word of 2+ characters ("peptide is" is not "Peptide I" in the plural)
                        j = ends[e + 1]
                        if (
                            j < 0
                            or not plurals
                            or keys[e] != "s"
                            or len(k) < 3
                            or clean[tends[j] - 1] != "s"
                            or tends[j] - starts[j] < 3
                        ):
                            continue
                        method = "plural"
                    entries = entry_cache.get(k)
                    if entries is None:
                        entries = lookup(k)
                    out.append(
                        Candidate(
                            i, j, starts[i], tends[j], k, entries, method, prefixed, (), -1, tends[j] - (method == "plural")
                        )
                    )
            if prefix:
                out.extend(self._attached_prefix(toks, i, s0, keys, ends, prefix))
            if derived:
                out.extend(self._derived(toks, i))
            if allele:
                out.extend(self._allele(toks, i, allele))
        if self.want_genes and self.options.lists:
            out.extend(self._lists(toks, out, content))
        if self.want_genes and self.options.receptor_symbols and self.options.text_type == "prose":
            out.extend(self._receptor_symbols(toks))
        self._drop_charged(out, toks)
        return out

    def _receptor_symbols(self, toks: Tokens) -> list[Candidate]:
        """Receptors named by their ligand's short form: "CNTF receptor", "IL-4 receptor" as the
        approved symbols "CNTFR", "IL4R" (the short form and an "R"); the case checks see the short form.

        A receptor type gives its number after the "R": "TGFbeta type I receptor",
        "IL-1 receptor type I", "type II TGF-beta receptor", "type I TNF-R" as
        TGFBR1, IL1R1, TGFBR2 and TNFR1 (an approved or previous symbol of one
        gene); "type I and type II TGF-beta receptors" as both approved symbols.
        """
        texts, spaces, starts, tends = toks.text, toks.space, toks.start, toks.end
        n = len(toks)
        out: list[Candidate] = []
        for r in range(n):
            low = texts[r].lower()
            if low in _TYPE_WORDS:
                out.extend(self._receptor_types(toks, r))
                continue
            if low != "receptor" or r == 0 or not spaces[r - 1]:
                continue
            j = r - 1
            i = _joined_start(toks, j)
            word = "".join(texts[i : j + 1])
            if not _ligand_word(word):
                continue
            k = make_key(word) + "r"
            entries = tuple(e for e in self.lex.lookup(k) if e.kind == GENE and e.source == SRC_SYMBOL)
            if entries:
                out.append(Candidate(i, r, starts[i], tends[r], k, entries, "receptor", False, (), starts[i], tends[j]))
        return out

    def _receptor_types(self, toks: Tokens, t: int) -> list[Candidate]:
        """Typed receptors around the "type" word at token ``t`` (see ``_receptor_symbols``)."""
        texts, spaces = toks.text, toks.space
        n = len(toks)
        numbers, e = _type_numbers(toks, t)
        if not numbers:
            return []
        # Tokens first..last are the mention; li..lj the ligand, before "type" ("IL-1 receptor
        # type I", "TGFbeta type I receptor") or after the numbers ("type I TGF-beta receptor",
        # "type I TNF-R").
        if t >= 2 and texts[t - 1].lower() in _RECEPTOR and spaces[t - 2]:
            lj = t - 2
            li = first = _joined_start(toks, lj)
            last = e - 1
        elif t >= 1 and spaces[t - 1] and e < n and texts[e].lower() in _RECEPTOR:
            lj = t - 1
            li = first = _joined_start(toks, lj)
            last = e
        elif e < n and spaces[e - 1]:
            first, li = t, e
            lj = _joined_end(toks, li)
            if lj + 1 < n and texts[lj + 1].lower() in _RECEPTOR and spaces[lj]:
                last = lj + 1
            elif lj > li + 1 and texts[lj] == "R" and texts[lj - 1] in HYPHENS:
                last = lj  # "TNF-R": the ligand is "TNF"
                lj -= 2
            else:
                return []
        else:
            return []
        word = "".join(texts[li : lj + 1])
        if not _ligand_word(word):
            return []
        stem = make_key(word) + "r"
        found: list[Entry] = []
        for number in numbers:
            entries = [x for x in self.lex.lookup(stem + number) if x.kind == GENE and x.source in (SRC_SYMBOL, SRC_PREV)]
            if len(numbers) > 1:
                entries = [x for x in entries if x.source == SRC_SYMBOL]
            if len({x.target for x in entries}) == 1:
                found.extend(entries)
        if not found:
            return []
        starts, tends = toks.start, toks.end
        key = stem + "".join(numbers)  # one-digit numbers: the key tells the types apart (readings are cached by it)
        return [Candidate(first, last, starts[first], tends[last], key, tuple(found), "receptor", False, (), starts[li], tends[lj])]

    def _has_prefix(self, probe: str) -> bool:
        """Cached: whether some lexicon key starts with ``probe``."""
        has = self.lex.has_prefix(probe)
        if len(self._extends) > 300_000:
            self._extends.clear()
        self._extends[probe] = has
        return has

    def _token_start_info(self, t: str) -> tuple[int, bool, str, bool, tuple[str, ...], int, int]:
        """Cached per token text: what a candidate starting at this token may be.

        Returns the length of the shortest key that can end at the token's end
        (its key's length, one less for a plural "s"; 0 if no lexicon key starts
        with the token's key, so the trie is not asked), whether it is a detached
        modifier prefix ("p" of "p-ERK"), the attached modifier prefix it may
        carry ("p" of "pERK"), whether it ends like a derived word ("-ergic",
        "-etic"), the lexicon keys among the token's key and its singular,
        shortest first (the keys found at this token when no longer key goes
        on with the next token), and the length of the token's key. Function
        words never start a name (but see ``_greek_follows``).
        """
        info: tuple[int, bool, str, bool, tuple[str, ...], int, int] = (
            (0, False, "", False, (), 0, 0) if t in self._no_start else self._word_start_info(t)
        )
        if len(self._start_info) > 300_000:
            self._start_info.clear()
        self._start_info[t] = info
        return info

    def _word_start_info(self, t: str) -> tuple[int, bool, str, bool, tuple[str, ...], int, int]:
        """What a candidate starting at token ``t`` may be, whether or not ``t`` is a function word."""
        k = token_key(t)
        plural = k.endswith("s") and len(k) > 3
        can_start = bool(k) and (self.lex.has_prefix(k) or (plural and k[:-1] in self.lex.trie))
        prefix = ""
        if self.want_genes and self.options.prefixes:
            for cand in self.rules.attached_prefixes:
                if len(t) > len(cand) + 1 and t.startswith(cand):
                    nxt = t[len(cand)]
                    if nxt.isupper() or nxt.isdigit():
                        prefix = cand
                    break
        derived = bool(self.derivations) and len(t) > 4 and t.lower().endswith(self._derivation_suffixes)
        shortest = (len(k) - 1 if plural else len(k)) if can_start else 0
        own = tuple(x for x in ((k[:-1],) if plural else ()) + (k,) if can_start and x in self.lex.trie)
        star = t.find("*") if self.want_genes else -1
        allele = star if star > 1 and star + 1 < len(t) and t[star + 1].isdigit() else 0
        return (shortest, t in self.rules.detached_prefixes, prefix, derived, own, len(k), allele)

    def _greek_follows(self, toks: Tokens, i: int) -> bool:
        """Whether token ``i`` is followed by a spelled Greek letter and a capital, spaced ("I kappa B").

        Old abstracts spell Greek letters out between spaces ("I kappa B-alpha"
        for IκBα); a capital letter that is a function word ("I", "A") starts a
        name there, as the pronoun or article is not followed by a spelled Greek
        letter and a capital.
        """
        texts, spaces = toks.text, toks.space
        return (
            i + 2 < len(texts)
            and spaces[i]
            and spaces[i + 1]
            and texts[i + 1] in self._greek_names
            and texts[i + 2][:1].isupper()
        )

    def _attached_prefix(
        self, toks: Tokens, i: int, s0: int, keys: str, ends: list[int], prefix: str
    ) -> list[Candidate]:
        """Readings of "pERK", "hTERT" without their modifier prefix."""
        off = s0 + len(token_key(prefix))
        out = []
        for k in self.lex.prefixes(keys[off : off + self.max_len]):
            j = ends[off + len(k)]
            if j < 0:
                continue
            entries = tuple(e for e in self.lex.lookup(k) if e.kind == GENE)
            if entries:
                start = toks.start[i]
                out.append(Candidate(i, j, start, toks.end[j], k, entries, "prefix", False, (), start + len(prefix)))
        return out

    def _allele(self, toks: Tokens, i: int, cut: int) -> list[Candidate]:
        """A gene named with an allele after a star ("CYP2C19*2", "ADH1C*1"): the part before the star."""
        k = token_key(toks.text[i][:cut])
        entries = tuple(e for e in self.lex.lookup(k) if e.kind == GENE)
        if not entries:
            return []
        start = toks.start[i]
        return [Candidate(i, i, start, start + cut, k, entries, "allele")]

    def _derived(self, toks: Tokens, i: int) -> list[Candidate]:
        """Chemicals and diseases named by a derived word ("GABAergic", "dopaminergic")."""
        text = toks.text[i]
        low = text.lower()
        out = []
        for kind, suffix, replacements in self.derivations:
            if not low.endswith(suffix) or len(low) < len(suffix) + 2:
                continue
            stem = token_key(text[: -len(suffix)])
            for rep in replacements:
                entries = tuple(e for e in self.lex.lookup(stem + rep) if e.kind == kind)
                if entries:
                    start, end = toks.start[i], toks.end[i]
                    out.append(Candidate(i, i, start, end, stem + rep, entries, "derived", False, (), -1, end - len(suffix)))
                    break
        return out

    def _lists(self, toks: Tokens, found: list[Candidate], content: list[bool]) -> list[Candidate]:
        """Expand slash lists and ranges after a gene: "Erk1/2", "KDM6A/B", "TGF-β1-3", "Wnt9/10".

        Also coordinated lists ("Smad2, 3 and 4") and lists of members after a
        class: a classifier ("PKC isoforms alpha and beta") or a plural
        ("Smads 2 and 3", "hexokinases I and II"); those name the members only.
        """
        texts, spaces = toks.text, toks.space
        n = len(toks)
        # the longest gene candidate ending at each token that a list can follow
        by_end: dict[int, Candidate] = {}
        for c in found:
            j = c.j
            if j + 1 >= n:
                continue
            nxt = texts[j + 1]
            if nxt not in _LIST_OPENERS:
                low = nxt.lower()
                if (
                    low not in _CLASSIFIERS
                    and low not in _LIST_SEPARATORS
                    and low not in _RANGE_WORDS
                    and not (_plural_head(c, texts[j]) and spaces[j] and _COORD_ITEM.match(nxt))
                ):
                    continue
            if any(e.kind == GENE for e in c.entries):
                best = by_end.get(j)
                if best is None or (j - c.i, -c.i) > (best.j - best.i, -best.i):
                    by_end[j] = c
        by_start: dict[int, Candidate] | None = None  # made when a range ("X to Y") needs it
        out = []
        for j, head_cand in by_end.items():
            head = head_cand.key
            items: list[str] = []
            last = j
            k = j + 1
            # slash list: X / Y [/ Z ...]  (a dash may follow the slash: "caspase-3/-7")
            while k + 1 < n and texts[k] == "/" and not spaces[k - 1] and not spaces[k]:
                m = k + 1
                if texts[m] in HYPHENS and m + 1 < n and not spaces[m]:
                    m += 1
                if not (content[m] and _LIST_ITEM.match(texts[m])):
                    break
                items.append(token_key(texts[m]))
                last = m
                k = m + 1
            expanded: list[str] = []
            coordinated = not items
            members = False  # the head names a class, the items its members
            if coordinated:
                plural = _plural_head(head_cand, texts[j])
                items, members, last = self._coordinated(toks, j, content, plural)
                if members:
                    if plural and head_cand.method != "plural":
                        head = head[:-1]  # a plural in the lexicon ("caspases")
                    expanded = [head + item for item in items] if len(items) > 1 or not plural else []
                    items = []
            if items:
                # a letter takes the place of a head's letter that follows a number ("KDM6A and B")
                # or stands alone ("HLA-A, B", "Gi/o"), not the last letter of a word ("Glut, L")
                letters = len(head) <= 2 or len(texts[j]) == 1
                for item in items:
                    stem = _list_stem(head, item)
                    if stem is None or (coordinated and len(item) > 2 and item.isdigit() and len(head) - len(stem) != len(item)):
                        continue  # "ZNF133, 136 and 140", but "CD4, 100 and 200 cells" counts (not "CD38/157")
                    if letters or stem[-1].isdigit() or not item.isalpha() or len(item) > 1:
                        expanded.append(stem + item)
            elif expanded:
                pass
            elif (
                k + 1 < n
                and texts[k] in ("-", "\u2010", "\u2013")
                and not spaces[k - 1]
                and not spaces[k]
                and texts[k + 1].isdigit()
            ):
                expanded = _numbered_range(head, int(texts[k + 1]))
                if expanded:
                    last = k + 1
            else:
                if by_start is None:
                    by_start = self._gene_candidates_by_start(found)
                ranged = _range_to(toks, j, head, by_start)
                if ranged is not None:
                    expanded, last = ranged
            extra: list[Entry] = []
            for key in expanded:
                extra.extend(e for e in self.lex.lookup(key) if e.kind == GENE)
            if extra:
                out.append(
                    Candidate(
                        head_cand.i,
                        last,
                        head_cand.start,
                        toks.end[last],
                        head_cand.key,
                        head_cand.entries,
                        "members" if members else "list",
                        head_cand.prefixed,
                        tuple(extra),
                        head_cand.start,
                        head_cand.end,
                    )
                )
        return out

    @staticmethod
    def _gene_candidates_by_start(found: list[Candidate]) -> dict[int, Candidate]:
        """The longest gene candidate starting at each token (the first one ending last, of equals)."""
        by_start: dict[int, Candidate] = {}
        for c in found:
            if any(e.kind == GENE for e in c.entries):
                first = by_start.get(c.i)
                if first is None or (c.j - c.i, -c.j) > (first.j - first.i, -first.j):
                    by_start[c.i] = c
        return by_start

    def _coordinated(
        self, toks: Tokens, j: int, content: list[bool], plural: bool = False
    ) -> tuple[list[str], bool, int]:
        """Items of a coordinated list after a gene ending at token ``j``.

        "Smad2, 3 and 4" and "IL-2, -4 and -10" give items whose stems are
        taken from the head ("3", "4"); "PKC isoforms alpha, delta and zeta"
        and, after a ``plural`` head, "caspases 3 and 7" give items appended
        to the head ("a", "d", "z"; "3", "7"). Returns the item keys, whether
        they are appended, and the last token of the list.
        """
        texts, spaces = toks.text, toks.space
        n = len(toks)
        k = j + 1
        while k < n and texts[k].isspace():
            k += 1
        appended = k < n and spaces[j] and (plural or texts[k].lower() in _CLASSIFIERS)
        if appended and not plural:
            k += 1
        items: list[str] = []
        last = j
        while True:
            m = k
            seps = 0
            while m < n and (texts[m].isspace() or texts[m].lower() in _LIST_SEPARATORS):
                seps += not texts[m].isspace()
                m += 1
            if seps == 0 and not (appended and not items):
                break
            joined = False  # "-5": an item joined to its elided stem by a hyphen
            if m < n and texts[m] in HYPHENS and m + 1 < n and not spaces[m]:
                m += 1
                joined = True
            if m >= n or not content[m] or not _COORD_ITEM.match(texts[m].lstrip("-\u2010")):
                break
            if not joined and not appended and texts[m].isdigit() and m + 1 < n:
                # a bare number may be a count; a hyphen-joined one ("LERK-2 and -5 were") is an item
                after = texts[m + 1] if not texts[m + 1].isspace() else (texts[m + 2] if m + 2 < n else "")
                if (
                    after.islower()
                    and after in self.rules.english
                    and after not in _CLASSIFIERS_AFTER
                    and after not in _LIST_SEPARATORS
                ):
                    break  # "IL-6 and 10 patients": a count, not IL10
            items.append(token_key(texts[m]))
            last = m
            k = m + 1
        return items, appended, last

    @staticmethod
    def _drop_charged(cands: list[Candidate], toks: Tokens) -> None:
        """Ions ("Ca2 +", "K +") are not genes: drop gene readings followed by an attached charge."""
        n = len(toks)
        for c in cands:
            nxt = c.j + 1
            if nxt < n and toks.text[nxt] in _CHARGES and not toks.space[c.j]:
                c.entries = tuple(e for e in c.entries if e.kind != GENE)
                c.extra = ()

    # resolution ---------------------------------------------------------

    def find(self, text: str, field: str = "caption") -> list[Mention]:
        """Mentions in ``text`` (character offsets index ``text``)."""
        if not text or text.isspace():
            return []
        clean = normalize_text(text)
        toks = tokenize(clean)
        cands = self.candidates(clean, toks)
        if self.options.text_type == "ocr" and self.options.ocr_rules:
            read_ocr = self._ocr_candidates
            if read_ocr is None:
                from .ocr_rules import ocr_candidates

                read_ocr = self._ocr_candidates = ocr_candidates
            cands.extend(read_ocr(self, clean, toks, cands))
        if self.options.abbreviations:
            cands.extend(self._apply_abbreviations(clean, toks, cands))
        scored: dict[str, list[tuple[Candidate, Resolved]]] = {k: [] for k in self.kinds}
        for c in cands:
            resolved = c.override if c.override is not None else self.resolve(c, clean)
            for kind, res in resolved.items():
                if res is not None and kind in scored:
                    scored[kind].append((c, res))
        by_kind = {kind: self._select(kind, items, text, field) for kind, items in scored.items()}
        if GENE in by_kind and self.options.text_type == "prose":
            hyphenated_only = self.options.families
            named = [m for m in by_kind[GENE] if not self._names_a_class(clean, m.end, hyphenated_only)]
            if len(named) < len(by_kind[GENE]):
                # the words are part of another name ("cyclin-dependent kinase"): no chemical either
                spans = {(m.start, m.end) for m in by_kind[GENE]} - {(m.start, m.end) for m in named}
                for kind in (CHEMICAL, DISEASE):
                    if kind in by_kind:
                        by_kind[kind] = [m for m in by_kind[kind] if (m.start, m.end) not in spans]
                by_kind[GENE] = named
        if GENE in by_kind and self.options.text_type == "prose":
            by_kind[GENE] = [m for m in by_kind[GENE] if not self._not_a_gene_in_prose(clean, m)]
        if GENE in by_kind and self.options.text_type == "prose" and self.options.human_genes_only:
            by_kind[GENE] = [m for m in by_kind[GENE] if not self._other_species(clean, m.start)]
        if not self.options.enzyme_chemicals and CHEMICAL in by_kind:
            by_kind[CHEMICAL] = self._drop_enzyme_chemicals(by_kind[CHEMICAL], by_kind.get(GENE, []), clean)
        if CHEMICAL in by_kind and self.options.text_type == "prose":
            by_kind[CHEMICAL] = self._drop_counter_ions(by_kind[CHEMICAL], clean)
        if DISEASE in by_kind and self.options.text_type == "prose" and self.rules.people_adjectives:
            by_kind[DISEASE] = [m for m in by_kind[DISEASE] if self._describes_people(clean, m)]
        mentions = [m for m in self._arbitrate(by_kind, self.output_kinds) if m.kind in self.output_kinds]
        mentions.sort(key=lambda m: (m.start, -m.end, m.kind))
        return mentions

    def _apply_abbreviations(self, clean: str, toks: Tokens, cands: list[Candidate]) -> list[Candidate]:
        """Give every occurrence of a defined short form the meaning of its long form.

        If the long form resolves (to a gene, family, chemical or disease), each
        occurrence of the short form names that. If it does not, the short
        form keeps its approved-symbol and FamPlex readings, and other readings
        only if their name resembles the long form: "squalene synthase (SQS)"
        is not the human gene FDFT1 (alias SQS), "fluorescence in situ
        hybridization (FISH)" no gene at all. Returns new candidates for
        occurrences that the lexicon alone did not find.
        """
        ends = {c.end for c in cands}
        words = {clean[c.start : c.end] for c in cands}

        def relevant(short: str, long_end: int) -> bool:
            # a definition matters if its long form may resolve, or if the
            # short form (or its plural) is already a candidate somewhere
            return long_end in ends or short in words or short + "s" in words or _singular_short(short) in words

        abbrevs = find_abbreviations(clean, relevant)
        if not abbrevs:
            return []
        # candidates by span, for the short forms' occurrences (a word or its plural), and by
        # end, for the long forms: only those of these lengths and ends are indexed
        lengths: set[int] = set()
        for a in abbrevs:
            n = len(_singular_short(a.short) or a.short)
            lengths.update((n, n + 1))
        long_ends = {a.long_end for a in abbrevs}
        by_span: dict[tuple[int, int], list[Candidate]] = {}
        by_end: dict[int, list[Candidate]] = {}
        for c in cands:
            if c.end - c.start in lengths:
                by_span.setdefault((c.start, c.end), []).append(c)
            if c.end in long_ends:
                by_end.setdefault(c.end, []).append(c)
        new: list[Candidate] = []
        done: set[str] = set()
        for a in abbrevs:
            if a.short in done:
                continue
            done.add(a.short)
            meaning = self._long_form_meaning(clean, a, by_end)
            # a short form in the plural ("ALLs") defines its singular too
            for span in _occurrences(clean, _singular_short(a.short) or a.short):
                found = by_span.get(span, [])
                if meaning is not None:
                    kind, res = meaning
                    override: dict[str, Resolved | None] = {kind: (-1, res[1], res[2])}
                    if not found:
                        c = Candidate(0, 0, span[0], span[1], token_key(a.short), (), "abbreviation")
                        c.override = override
                        new.append(c)
                    for c in found:
                        c.override = override
                        if kind == DISEASE and GENE in self.kind_set and self._gene_word_after(clean, c.end):
                            # a gene named after its disease: "the NF1 gene", "Rb protein"
                            gene = self.resolve(c, clean).get(GENE)
                            if gene is None and GENE in {e.kind for e in c.entries}:
                                gene = self._resolve(GENE, c, c.case_span(clean), defined=True)
                            if gene is not None:
                                c.override = {**override, GENE: gene}
                        if kind == CHEMICAL and res[2] and GENE in self.kind_set:
                            # a protein in MeSH ("growth hormone (GH)"): the short form's own
                            # gene reading, if its name resembles the long form, stays and wins
                            gene = self._unsupported_short_form(c, clean, a.long, (GENE,)).get(GENE)
                            if gene is not None:
                                c.override = {**override, GENE: gene}
                else:
                    for c in found:
                        c.override = self._unsupported_short_form(c, clean, a.long)
        return new

    def _gene_word_after(self, clean: str, end: int) -> bool:
        """Is the word after ``end`` (and a closing bracket) one that makes a name a gene ("gene", "mRNA")?"""
        m = _NEXT_WORD.match(clean, end, min(len(clean), end + 30))
        return m is not None and m.group(1).lower() in self.rules.gene_context_words

    def _long_form_meaning(
        self, clean: str, a: Any, by_end: dict[int, list[Candidate]]
    ) -> tuple[str, Resolved] | None:
        """What the long form names: the longest resolvable candidate ending at its end, covering most of it."""
        best: tuple[tuple[int, bool], str, Resolved] | None = None
        need = (a.long_end - a.long_start) * 0.5
        for c in by_end.get(a.long_end, ()):
            if c.start < a.long_start or c.end - c.start < need:
                continue
            resolved = self.resolve(c, clean)
            for kind in sorted(resolved):
                res = resolved[kind]
                if res is None:
                    continue
                # longer first; a gene beats a MeSH protein on the same words
                score = (c.end - c.start, not res[2])
                if best is None or score > best[0]:
                    best = (score, kind, res)
        return (best[1], best[2]) if best else None

    def _unsupported_short_form(
        self, c: Candidate, clean: str, long_form: str, kinds: tuple[str, ...] | None = None
    ) -> dict[str, Resolved | None]:
        """Readings of a short form that its long form does not settle: keep those whose name resembles it.

        A gene symbol that prose rules reject on its own (too short, a stop
        word) counts here if its name resembles the long form: "growth hormone
        (GH)", "tyrosinase (Tyr)".
        """
        ck = ("defined", *self._resolve_key(c, clean), clean[c.start : c.end], long_form, kinds)
        hit = self._cache.get(ck)
        return hit if hit is not None else self._remember(ck, self._defined_readings(c, clean, long_form, kinds))

    def _defined_readings(
        self, c: Candidate, clean: str, long_form: str, kinds: tuple[str, ...] | None
    ) -> dict[str, Resolved | None]:
        out: dict[str, Resolved | None] = {}
        lf = fold(long_form)
        readings = dict(self.resolve(c, clean))
        recovered = False
        if (
            GENE in readings
            and readings[GENE] is None
            and (GENE, clean[c.start : c.end].lower()) not in self.rules.learned_stop
        ):
            span = c.case_span(clean)
            # (a local, not ``readings[GENE]``: type checkers narrow that to None above)
            gene = self._resolve(GENE, c, span, defined=True)
            readings[GENE] = gene
            # a stop word needs the definition's support even as an approved symbol
            recovered = gene is not None and self._stop_word(case_key(span))
        for kind, res in readings.items():
            if kinds is not None and kind not in kinds:
                continue
            if res is None:
                out[kind] = None
                continue
            if kind == GENE and not recovered and all(h.source in (SRC_SYMBOL, SRC_FAMPLEX) for h in res[1]):
                # approved symbols and FamPlex families stand on their own, unless the long form is
                # plain lower-case words unlike the gene's name ("germinal center (GC)")
                plain = (
                    self.options.plain_definitions
                    and self._plain_words(long_form)
                    and not self._named_like(kind, res, lf)
                )
                out[kind] = None if plain else res
                continue
            if self._named_like(kind, res, lf):
                out[kind] = res
            elif kind == GENE and self.rules.protein_head.search(lf) and not self._family_name(long_form):
                out[kind] = res  # "IFN-inducible T-cell alpha-chemoattractant (I-TAC)": named as a protein
            else:
                out[kind] = None
        return out

    def _named_like(self, kind: str, res: Resolved, folded_long_form: str) -> bool:
        """Does a reading's name (the gene's HGNC name, the MeSH term) resemble a folded long form?"""
        ratio = self._token_set_ratio
        if ratio is None:
            from rapidfuzz.fuzz import token_set_ratio

            ratio = self._token_set_ratio = token_set_ratio
        if kind == GENE:
            names = [self.lex.genes[self.lex.gene_targets_by_entrez(h.entrez)].name for h in res[1]]
        else:
            names = [h.term for h in res[1]]
        return any(ratio(fold(n), folded_long_form) >= 70 for n in names if n)

    def _plain_words(self, long_form: str) -> bool:
        """Is a long form two or more lower-case words, none a protein head word ("germinal center")?"""
        words = long_form.split()
        return (
            len(words) >= 2
            and all(w.isalpha() and w.islower() for w in words)
            and not self.rules.protein_head.search(long_form)
        )

    def _family_name(self, text: str) -> bool:
        """Is ``text`` (or its last words) a FamPlex family or complex ("protein kinase C", "replication factor C")?"""
        words = text.split()
        for i in range(len(words)):
            if any(e.kind == GENE and e.target[0] == "f" for e in self.lex.lookup(make_key(" ".join(words[i:])))):
                return True
        return False

    @staticmethod
    def _resolve_key(c: Candidate, text: str) -> tuple:
        """What a candidate's resolution depends on: key, case text, method, list items, entries left."""
        return (c.key, c.case_span(text), c.method, c.extra, len(c.entries))

    def resolve(self, c: Candidate, text: str) -> dict[str, Resolved | None]:
        """Resolution of a candidate for every kind it may be (cached on key, case text and method)."""
        ck = self._resolve_key(c, text)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        span = ck[1]
        out: dict[str, Resolved | None] = {}
        kinds = {e.kind for e in c.entries}
        if c.extra:
            kinds.add(GENE)
        full = text[c.start : c.end].lower()
        for kind in kinds & self.kind_set:
            if self.options.text_type == "prose" and (kind, full) in self.rules.learned_stop:
                out[kind] = None
            else:
                out[kind] = self._resolve(kind, c, span)
        return self._remember(ck, out)

    def _remember(self, key: tuple, readings: dict[str, Resolved | None]) -> dict[str, Resolved | None]:
        """Cache readings (the cache is emptied when it grows past 200,000 entries)."""
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = readings
        return readings

    def _resolve(
        self, kind: str, c: Candidate, span: str, gene_sources: frozenset[str] | None = None, defined: bool = False
    ) -> Resolved | None:
        entries = [e for e in c.entries if e.kind == kind]
        if kind == GENE:
            sources = gene_sources or self.gene_sources
            entries = [e for e in entries if e.source in sources]
            extra = [e for e in c.extra if e.source in sources]
            if not entries and not extra:
                return None
            return self._resolve_gene(c, entries, extra, span, defined)
        if not entries:
            return None
        return self._resolve_concept(kind, c, entries, span)

    def _resolve_gene(
        self, c: Candidate, entries: list[Entry], extra: list[Entry], span: str, defined: bool = False
    ) -> Resolved | None:
        """Filter a gene candidate and pick its best-ranked terms.

        ``defined``: the text is a short form defined in the text, so a symbol
        is not rejected for its length or the prose stop lists alone (the
        caller checks the definition against the gene's name).
        """
        rules = self.rules
        ck = case_key(span)
        if not defined and self._stop_word(ck):
            return None
        if c.method == "members":
            entries = []  # the head names the class of the listed members ("caspases 3 and 7")
        if self.options.text_type == "prose" and _unclosed(span):
            return None  # "der(4", "alpha2(V", "F(ST": a bracket the name does not close
        if c.method == "plural":
            # MeSH protein names in the plural name a class ("IAP proteins", "JNK kinases");
            # a Roman numeral takes no plural "s" ("MinK is" is not "MINK I")
            entries = [e for e in entries if e.source != SRC_MESH_GENE and e.variant != "roman"]
            if not self.options.families:
                # without families, an alias in the plural names the class ("cadherins", "B proteins")
                entries = [e for e in entries if e.source not in (SRC_ALIAS, SRC_PREV, SRC_NAME)]
        entries = _same_breaks(entries, span)
        if self.options.text_type == "prose" and len(span) >= 3 and span[-1] == "s" and span[-2].isupper():
            # "MARs", "GlyRs": the plural of an abbreviation, not a term ending in a capital S ("MARS", "GlyRS")
            entries = [e for e in entries if e.term[-1:] != "S"]
        exact = [e for e in entries if case_key(e.term) == ck]
        nongene = [e for e in c.entries if e.kind == NONGENE]
        if nongene and (not exact or any(case_key(e.term) == ck for e in nongene)):
            # FamPlex grounds this text to a small molecule or process ("ATP"), unless the
            # text is written exactly as a gene term and not as that text ("EGFR", not "eGFR")
            return None
        low = ck.lower()
        shape = casing(ck)
        need_exact = len(c.key) <= 2
        if self.options.text_type != "ocr":
            if len(c.key) < self.options.min_gene_length and not defined:
                return None  # two-character symbols in captions are nearly always other abbreviations
            if (
                shape == "lower"
                and (len(ck) < 3 or not any(ch.isdigit() for ch in ck))
                and _ONCOGENE_PREFIXED.match(span) is None
            ):
                # lower-case words are words, except approved symbols that are long protein names ("loricrin")
                need_exact = True
                if low in rules.english:
                    # HGNC's lower-case aliases are nicknames ("sit", "hole", "flower", "spatial"):
                    # written as an English word in prose, they are that word
                    exact = [e for e in exact if e.source not in (SRC_ALIAS, SRC_PREV, SRC_MESH_GENE)]
                elif len(ck) >= 6:
                    # long protein names: approved symbols ("loricrin") and MeSH protein
                    # descriptors, which MeSH capitalises ("Leukosialin")
                    exact = exact + [e for e in entries if _long_name(e) and e not in exact]
            if shape == "title" and low in rules.english:
                need_exact = True
        pool = exact if need_exact else entries
        cap = self.options.max_family_size if self.options.families else 0
        kept = [e for e in pool if e.target[0] != "f" or len(self.lex.gene_targets(e.target)) <= cap]
        class_head = len(kept) < len(pool)
        if class_head:
            if self.options.families:
                # the words name a family too large to report: a class ("CCLs"), not the
                # one gene that also has them as an alias
                kept = [e for e in kept if e.source not in _WEAK_GENE_SOURCES]
            else:
                # without families, the words of a family name its first member ("Akt",
                # "VEGF", "Shc": AKT1, VEGFA, SHC1), not another gene that has them as an
                # alias ("JNK", "AMPK", "p110": MAPK8, PRKAA2, SART3)
                families = [e.target for e in pool if e.target[0] == "f"]
                kept = [e for e in kept if e.source not in _WEAK_GENE_SOURCES or self._named_after(e, families)]
        pool = kept
        chosen: list[Entry] = []
        best = 99
        if pool:
            exact_set = set(exact)
            ranked = sorted(pool, key=lambda e: (self._gene_rank(e), e not in exact_set, VARIANT_RANK.get(e.variant, 3)))
            top = ranked[0]
            best = self._gene_rank(top) * 10 + (top not in exact_set) * 5 + VARIANT_RANK.get(top.variant, 3)
            chosen = [
                e
                for e in ranked
                if self._gene_rank(e) == self._gene_rank(top) and (e in exact_set) == (top in exact_set)
            ]
            direct = {e.target for e in chosen if e.target[0] == "g"}
            if top.source in _WEAK_GENE_SOURCES and len(direct) > self.options.max_alias_genes:
                # in prose, an alias shared by several genes names the one whose term is written as
                # the text is, hyphens and all ("MCT-1": MCTS1, not the "MCT1" of SLC16A1)
                verbatim = [e for e in chosen if e.term == span] if self.options.text_type == "prose" else []
                chosen = verbatim if 0 < len({e.target for e in verbatim}) <= self.options.max_alias_genes else []
            elif top.source in _WEAK_GENE_SOURCES:
                chosen = self._mesh_backed(chosen, ranked, exact_set)
        if not chosen and not (extra and (class_head or c.method == "members")):
            return None  # a list's items stand without a head that names a class ("PKC isoforms alpha and beta")
        hits: list[GeneHit] = []
        seen: set[str] = set()
        for e in chosen + self._best_extra(extra):
            for gi in self.lex.gene_targets(e.target):
                gene = self.lex.genes[gi]
                if gene.entrez in seen:
                    continue
                seen.add(gene.entrez)
                symbol = e.target[1:] if e.target[0] == "f" else e.term
                hits.append(GeneHit(symbol, e.source, gene.symbol, gene.entrez))
        return (best, tuple(hits), False) if hits else None

    def _mesh_backed(self, chosen: list[Entry], ranked: list[Entry], exact_set: set[Entry]) -> list[Entry]:
        """An alias or previous symbol of one gene that is also an alias or previous symbol of another gene,
        with MeSH naming only that other gene ("DAT1": LMO3's alias, SLC6A3's previous symbol and MeSH
        name), names the other gene: MeSH records the name as used in the literature."""
        mesh = {e.target for e in ranked if e.source == SRC_MESH_GENE}
        if not mesh or any(e.target in mesh for e in chosen):
            return chosen
        backed = [e for e in ranked if e.source in (SRC_ALIAS, SRC_PREV) and e.target in mesh]
        if len({e.target for e in backed}) != 1:
            return chosen
        top = backed[0]
        return [e for e in backed if self._gene_rank(e) == self._gene_rank(top) and (e in exact_set) == (top in exact_set)]

    def _named_after(self, e: Entry, families: list[str]) -> bool:
        """Is the gene of ``e`` named after one of these FamPlex families: its approved symbol the
        family's name and a member number or letter ("AKT1" of AKT, "HSP90AA1" of HSP90)?"""
        if e.target[0] != "g":
            return False
        symbol = make_key(self.lex.genes[int(e.target[1:])].symbol)
        for f in families:
            stem = make_key(family_stem(f[1:]))
            if stem and symbol.startswith(stem) and len(symbol) - len(stem) <= 3:
                return True
        return False

    def _stop_word(self, ck: str) -> bool:
        """Is this spelling (a case key) a gene stop word? Entries with capitals ("CELL") hold
        everywhere, lower-case entries ("has": "has", "Has") in prose only."""
        if ck in self.rules.gene_stop_exact:
            return True
        prose = self.options.text_type != "ocr"
        return prose and ck.lower() in self.rules.gene_stop and casing(ck) in ("lower", "title")

    def _gene_rank(self, e: Entry) -> int:
        """Source rank of a gene entry; an alias or previous symbol of a pseudogene or RNA gene ranks lower
        than those of protein-coding genes ("OPG" is TNFRSF11B, not the pseudogene BTF3P11)."""
        rank = GENE_SOURCE_RANK[e.source]
        if e.source in (SRC_ALIAS, SRC_PREV) and e.target[0] == "g":
            if self.lex.genes[int(e.target[1:])].locus_type != "gene with protein product":
                rank += 2
        return rank

    @staticmethod
    def _best_extra(extra: list[Entry]) -> list[Entry]:
        """For each expanded list item, its best-ranked gene entries (unambiguous ones only).

        An alias of several genes names the one that MeSH names ("GalNAc-T1 and -T2":
        GALNT2's alias, and CSGALNACT2's as "GALNACT2"), as in ``_mesh_backed``.
        """
        by_term: dict[str, list[Entry]] = {}
        for e in extra:
            by_term.setdefault(make_key(e.term), []).append(e)
        out = []
        for group in by_term.values():
            best = min(GENE_SOURCE_RANK[e.source] for e in group)
            chosen = [e for e in group if GENE_SOURCE_RANK[e.source] == best]
            if best >= GENE_SOURCE_RANK[SRC_ALIAS] and len({e.target for e in chosen}) > 1:
                mesh = {e.target for e in group if e.source == SRC_MESH_GENE}
                chosen = [e for e in chosen if e.target in mesh]
                if len({e.target for e in chosen}) != 1:
                    continue
            out.extend(chosen)
        return out

    def _resolve_concept(self, kind: str, c: Candidate, entries: list[Entry], span: str) -> Resolved | None:
        """Filter a chemical/disease candidate and pick one MeSH record."""
        rules = self.rules
        ck = case_key(span)
        low = ck.lower()
        stop = rules.chemical_stop if kind == CHEMICAL else rules.disease_stop
        if low in stop:
            return None
        if not self._newest:
            entries = [e for e in entries if e.variant != VARIANT_FORMER]  # ids of an older MeSH version
        entries = _same_breaks(entries, span)
        exact = [e for e in entries if case_key(e.term) == ck]
        if not exact:
            # abbreviations and short names must match with their own capitalisation
            entries = [e for e in entries if not _acronym(e.term)]
            if not entries or len(c.key) <= 3:
                return None
            if (
                kind == CHEMICAL
                and self.options.text_type == "prose"
                and casing(ck) in ("lower", "title")
                and low in rules.english
                and len(low) <= 5
            ):
                return None  # "lead", "gold", "salt" as words; diseases ("pain", "fever") are words too
        if self._newest:
            entries, exact = self._older_mesh(kind, entries), self._older_mesh(kind, exact)
            if not entries:
                return None
        pool = entries
        if kind == CHEMICAL and not self.options.currency_metabolites:
            pool = [e for e in pool if e.target not in self.rules.currency]
        exact_set = set(exact)
        top = min(pool or entries, key=lambda e: (concept_rank(e)[0], e not in exact_set, concept_rank(e)[1:]))
        r = concept_rank(top)
        if not pool:
            # a cofactor left out of the output still takes its words, so that none of them
            # is reported instead ("nicotinamide adenine dinucleotide" is not adenine)
            return r[0] * 10 + r[1], (), False
        if COMPOSITE_SEP in top.target:
            # a composite term names all of its concepts ("hemorrhagic cystitis": Hemorrhage, Cystitis)
            hits = tuple(ConceptHit(t, top.term) for t in top.target.split(COMPOSITE_SEP))
            return r[0] * 10 + r[1], hits, "p" in top.flags
        return r[0] * 10 + r[1], (ConceptHit(top.target, top.term),), "p" in top.flags

    def _older_mesh(self, kind: str, entries: list[Entry]) -> list[Entry]:
        """Entries as of the MeSH version ending at ``newest_descriptor``: a newer descriptor becomes
        its one older broader disease descriptor, or is dropped (see :class:`MatchOptions`); a
        composite target is dropped if one of its concepts is."""
        out = []
        for e in entries:
            parts = e.target.split(COMPOSITE_SEP)
            olds = [t for t in (self._older_descriptor(kind, p) for p in parts) if t is not None]
            if len(olds) == len(parts):
                target = COMPOSITE_SEP.join(dict.fromkeys(olds))
                out.append(e if target == e.target else e._replace(target=target))
        return out

    def _older_descriptor(self, kind: str, mesh_id: str) -> str | None:
        """``mesh_id`` as of the MeSH version ending at ``newest_descriptor``; None if it has no such form."""
        if mesh_id[0] != "D" or mesh_number(mesh_id) <= self._newest:
            return mesh_id
        if kind == DISEASE:
            broader = self.lex.broader_descriptors(mesh_id, self._newest, self.rules.disease_branches)
            if len(broader) == 1:
                return broader[0]
        return None

    # selection ----------------------------------------------------------

    def _select(self, kind: str, items: list[tuple[Candidate, Resolved]], text: str, field: str) -> list[Mention]:
        """Non-overlapping mentions of one kind: longest first, then best rank."""
        if kind == GENE:
            items = _drop_prefixed(items)
        # at equal length and rank, a term as written before a shorter term with a plural "s"
        # ("amphetamines": Amphetamines, not Amphetamine)
        items.sort(key=lambda x: (x[0].start - x[0].end, x[1][0], x[0].method == "plural", x[0].start))
        # spans taken so far: disjoint, so sorted by start they are sorted by end too
        starts: list[int] = []
        ends: list[int] = []
        out: list[Mention] = []
        for c, (_rank, hits, protein) in items:
            if c.start < c.end:
                i = bisect_left(starts, c.end)  # spans before i start before this one ends
                if i and ends[i - 1] > c.start:
                    continue
                starts.insert(i, c.start)
                ends.insert(i, c.end)
            if not hits:
                continue  # a left-out cofactor: its words are taken, nothing is reported
            start = _balance_start(text, c.start, c.end)
            # tuple.__new__ is what Mention() calls, without the interpreted __new__ around it
            out.append(_new_tuple(Mention, (start, c.end, text[start : c.end], kind, hits, field, c.method, protein)))
        return out

    def _names_a_class(self, clean: str, end: int, hyphenated_only: bool = False) -> bool:
        """Is a gene name ending at ``end`` followed by a word that makes it a family, domain or look-alike
        ("Rho family", "Src homology 2", "TNF-like", "TNF receptor superfamily") or part of another
        name ("integrin-linked kinase")? ``hyphenated_only``: only hyphen-joined words count."""
        stop = min(len(clean), end + 40)
        if hyphenated_only and not any(h in clean[end:stop] for h in HYPHENS):
            return False  # (most names: no hyphen follows)
        m = _CLASS_CONTEXT.match(clean, end, stop)
        if m is None:
            return False
        words = self.rules.gene_class_words
        first = m.group(2).lower()
        second = (m.group(3) or "").lower()
        if first in self.rules.gene_class_hyphenated or (first, second) in self.rules.gene_class_hyphenated_pairs:
            return m.group(1).startswith(tuple(HYPHENS))
        if hyphenated_only:
            return False
        return first in words or (first in _RECEPTOR and second in words)

    def _not_a_gene_in_prose(self, clean: str, m: Mention) -> bool:
        """A chromosome band, a cell name, another numbered name, a mass range, a codon or a
        disease's abbreviation, not a gene."""
        return (
            _chromosome_band(clean, m.start, m.end)
            or _cell_name(clean, m)
            or _numbered_other(clean, m)
            or _MASS_RANGE.fullmatch(m.text) is not None
            or self._codon(clean, m)
            or self._patient_group(clean, m)
            or self._locants(clean, m)
        )

    def _locants(self, clean: str, m: Mention) -> bool:
        """Do a mention's last numbers begin the locants of a chemical name, a hyphen and a word of
        chemical nomenclature after them? Numbers joined by commas and attached to the mention's word
        ("cis-1,4-polyisoprene", "l-2,3,4,5-tetrahydro..."), or any number after a space in the
        mention ("HMG 3-hydroxy-3-methylglutaryl" in a legend); not "ERK1,2-dependent",
        "MEK1,2-inhibitors", "TLR 4-mediated"."""
        s = m.end
        while s > m.start and (clean[s - 1].isdigit() or clean[s - 1] == ","):
            s -= 1
        if s == m.end or s == m.start:
            return False
        found = _LOCANTS.match(clean, s)
        if found is None:
            return False
        if clean[s - 1].isspace():
            if not clean[s - 2].isalnum():
                return False  # after a list's comma ("BDA1, 1,4-..."): the list's own affair
        elif found.group(1) is None:
            return False  # a single number attached to the word is part of the name ("TLR4-")
        word = found.group(2).lower()
        return word not in self.rules.english and _NOMENCLATURE_WORD.match(word) is not None

    def _patient_group(self, clean: str, m: Mention) -> bool:
        """Is a mention named by weak sources only an abbreviation of a disease, before a word for
        people who have it ("ARO patients", "IVF cases", "ADO II families"; ``lexicons/patient_words.txt``)?"""
        after = _WORD_AFTER.match(clean, m.end, m.end + 40)
        if after is None or after.group(1).lower() not in self.rules.patient_words:
            return False
        return any(c.isupper() for c in m.text) and _weak_gene_hits(m.hits)

    def _codon(self, clean: str, m: Mention) -> bool:
        """Is a mention named by weak sources only a codon in a sequence context ("ATC sequences",
        "GAC-->AAC", "CAG repeats"; ``lexicons/sequence_words.txt``)?"""
        if not _CODON.fullmatch(m.text) or not _weak_gene_hits(m.hits):
            return False
        after = _CODON_AFTER.match(clean, m.end, m.end + 30)
        return after is not None and (after.group(1) is None or after.group(1).lower() in self.rules.sequence_words)

    def _other_species(self, clean: str, start: int) -> bool:
        """Is a gene name starting at ``start`` preceded by a word naming another organism ("rat PAK-1"),
        possibly with one lower-case word between ("rat hepatic PAK-1"), or in apposition to a noun
        phrase of such a word and up to three lower-case words ("a related mouse protein, p202")?"""
        lo = max(0, start - 60)
        before_name = clean[lo:start].rstrip()
        if before_name.endswith(","):
            # the species word, then one to three lower-case words that are not function words
            words = before_name[:-1].split()[-4:]
            for i in range(len(words) - 2, -1, -1):
                w = words[i + 1]
                if not (w.isalpha() and w.islower()) or w in self.rules.function_words:
                    return False
                if words[i].lower() in self.rules.species_words:
                    return True
            return False
        m = _WORDS_BEFORE.search(clean, lo, start)
        if m is None:
            return False
        species = self.rules.species_words
        last, before = m.group(2), m.group(1)
        if last.lower() in species:
            return True
        return before is not None and before.lower() in species and last.islower() and last not in self.rules.function_words

    def _drop_enzyme_chemicals(self, chems: list[Mention], genes: list[Mention], clean: str) -> list[Mention]:
        """Chemicals that are part of an enzyme name: inside a gene mention, or before "-ase" words."""
        out = []
        for m in chems:
            if any(g.start <= m.start and m.end <= g.end and (g.end - g.start) > (m.end - m.start) for g in genes):
                continue
            if self.rules.enzyme_words.match(clean, m.end, min(len(clean), m.end + 60)):
                continue
            out.append(m)
        return out

    def _describes_people(self, clean: str, m: Mention) -> bool:
        """False for an adjective that names a disease only of people (``lexicons/people_adjectives.tsv``)
        when no word for people follows it: "depressed patients", not "depressed cardiac function"."""
        word = m.text.lower()
        if word not in self.rules.people_adjectives:
            return True
        after = _NEXT_WORD.match(clean, m.end, min(len(clean), m.end + 30))
        return after is not None and (word, after.group(1).lower()) in self.rules.people_after

    def _drop_counter_ions(self, chems: list[Mention], clean: str) -> list[Mention]:
        """The chemicals without the counter-ions of salts: an ion (``lexicons/counter_ions.txt``)
        one space before or after another chemical ("heparin sodium", "sodium warfarin",
        "piperacillin sodium") is part of the salt's name, which names the drug."""
        ions = self.rules.counter_ions
        is_ion = [m.text.lower() in ions for m in chems]
        if not any(is_ion):
            return chems
        # where the other chemicals start and end
        starts = {m.start for m, ion in zip(chems, is_ion) if not ion}
        ends = {m.end for m, ion in zip(chems, is_ion) if not ion}
        out: list[Mention] = []
        for m, ion in zip(chems, is_ion):
            if ion and (
                (m.end + 1 in starts and clean[m.end] == " ") or (m.start - 1 in ends and clean[m.start - 1] == " ")
            ):
                continue
            out.append(m)
        return out

    @staticmethod
    def _arbitrate(by_kind: dict[str, list[Mention]], reported: frozenset[str]) -> list[Mention]:
        """Where a gene and a reported chemical or disease cover the same words, keep one.

        The chemical or disease wins ("ATP", "ROS"), unless it is a peptide or
        protein in MeSH ("BDNF"), when the gene does. A gene inside a longer
        chemical name, reported or not, is part of that name, not a gene
        ("PI(3,4,5)P3" is a lipid, not the "PI3", "PI4", "PI5" aliases of serpins).
        """
        genes = {(m.start, m.end): m for m in by_kind.get(GENE, [])}
        drop_genes: set[tuple[int, int]] = set()
        out: list[Mention] = []
        for kind in (CHEMICAL, DISEASE):
            for m in by_kind.get(kind, []):
                span = (m.start, m.end)
                if span in genes and kind in reported:
                    if m.protein:
                        continue
                    drop_genes.add(span)
                elif span in genes and kind == DISEASE and _weak_gene_hits(genes[span].hits):
                    drop_genes.add(span)  # a gene's alias that is a disease's name ("adrenoleukodystrophy")
                out.append(m)
        names = [(m.start, m.end) for m in by_kind.get(CHEMICAL, []) if not m.protein]
        if names:
            drop_genes.update(
                span for span in genes if any(s <= span[0] and span[1] <= e and e - s > span[1] - span[0] for s, e in names)
            )
        out.extend(m for span, m in genes.items() if span not in drop_genes)
        return out


_NEXT_WORD: Final = re.compile(r"[)\]]?[\s\-]+([A-Za-z]+)\b")


# (a closing bracket, a short form in brackets or slashed names may come between:
# "tumor necrosis factor (TNF)-related", "the YPT1/SEC4 subfamily")
_CLASS_CONTEXT: Final = re.compile(
    r"(?:\)|\s*\([^()\s][^()]{0,19}\)|(?:/[A-Za-z0-9][\w\-]{0,11}){1,3})?"
    r"([\s\-\u2010\u2011]+)([A-Za-z]+)\b(?:\s+([A-Za-z]+)\b)?"
)
_RECEPTOR: Final = frozenset(("receptor", "receptors"))
_WORDS_BEFORE: Final = re.compile(r"(?:\b([A-Za-z]+)\s+)?\b([A-Za-z]+)[\s\-]+$")


# a cellular or viral oncogene's name, written in lower case ("c-rel", "v-src"): no English word
_ONCOGENE_PREFIXED: Final = re.compile(r"[cv]-[a-z]{3,}\d?$")


def _plural_head(c: Candidate, last: str) -> bool:
    """Is a candidate a name in the plural ("Smads", "caspases"), which a list of members may follow?"""
    return c.method == "plural" or (len(last) > 3 and last[-1] == "s" and last[-2].islower() and c.key[-1:] == "s")


def _singular_short(short: str) -> str:
    """The singular of a short form written in the plural ("ALLs" -> "ALL", "CKIs" -> "CKI"); "" if it is not."""
    if len(short) >= 3 and short[-1] == "s" and (short[-2].isupper() or short[-2].isdigit()):
        return short[:-1]
    return ""


def _unclosed(text: str) -> bool:
    """Does ``text`` open a round or square bracket that it does not close ("der(4", "F(ST")?

    A closing bracket without its opener is fine: "interleukin (IL)-1" gives "IL)-1".
    """
    if "(" not in text and "[" not in text:
        return False
    depth = {"(": 0, "[": 0}
    for ch in text:
        if ch in depth:
            depth[ch] += 1
        elif ch in ")]":
            opener = "(" if ch == ")" else "["
            depth[opener] = max(0, depth[opener] - 1)
    return any(depth.values())


_BAND: Final = re.compile(r"^[pq]\d{1,2}(?:\.\d{1,2})?$")
_BAND_BEFORE: Final = re.compile(r"(?:\bbands?\s+|(?:\d{1,2}|[XY])[pq]\d{1,2}(?:\.\d{1,2})?\s*[-\u2013]\s*|[pq]\d{1,2}(?:\.\d{1,2})?;\s*)$")
_BAND_AFTER: Final = re.compile(r"^(?:;\s*[pq]\d|\s*[-\u2013]\s*[pq]?\d)")


def _chromosome_band(clean: str, start: int, end: int) -> bool:
    """Is ``clean[start:end]`` a chromosome band ("band p13", "2p15-p16", "(p11.2;q11.2)"),
    not a protein of that size (p16, p13 are also gene aliases)?"""
    if not _BAND.match(clean[start:end]):
        return False
    return bool(_BAND_BEFORE.search(clean, max(0, start - 20), start) or _BAND_AFTER.match(clean[end : end + 12]))


_CODON: Final = re.compile(r"[ACGU]{3}|[ACGT]{3}")
# the word after a name, past a Roman numeral or number ("ADO II patients", "type 2 cases")
_WORD_AFTER: Final = re.compile(r" (?:(?:[IVX]+|\d{1,2}) )?([A-Za-z]+)\b")
# after a codon: an arrow or semicolon, or a word (group 1) checked against lexicons/sequence_words.txt
_CODON_AFTER: Final = re.compile(r"\s*(?:-*>|\u2192|;)|[\s\-]+([A-Za-z]+)")
_NUMBER_AFTER: Final = re.compile(r"[\-\u2010]\d")
#: locants of a chemical name: a number or numbers joined by commas (group 1: the commas' part),
#: a hyphen and a word (group 2): "1,4-polyisoprene", "3-hydroxybutyryl"
_LOCANTS: Final = re.compile(r"\d+((?:,\d+)+)?[\-\u2010\u2013]([A-Za-z]+)")
#: a word of chemical nomenclature after locants: a multiplying or substituent prefix ("dihydroxy",
#: "tetrahydro", "polyisoprene", "hydroxybutyryl") or a class ending ("butadiene", "propanediol")
_NOMENCLATURE_WORD: Final = re.compile(
    r"(?:di|tri|tetra|penta|hexa|bis|tris|poly|hydroxy|carboxy|methyl|ethyl|amino|oxo|keto|deoxy|phospho)"
    r"|\w*(?:ene|ane|yne|ol|one|ide|oxy|yl|ate)$"
)
# a range of protein masses ("p70-75"), not the proteins p70 to p75
_MASS_RANGE: Final = re.compile(r"p\d{2,3}[\-\u2010\u2013]\d{2,3}")


def _numbered_other(clean: str, m: Mention) -> bool:
    """Is a name ending in a letter followed by a hyphen and a number the lexicon does not join to it
    ("ATR-16" syndrome, "CED-3", "BRL-3A" cells): another name than the gene's?"""
    return m.end > m.start and clean[m.end - 1].isalpha() and _NUMBER_AFTER.match(clean, m.end) is not None


_CELLS_AFTER: Final = re.compile(r"[\s\-]+cells?\b")


def _cell_name(clean: str, m: Mention) -> bool:
    """Is a mention named by aliases only followed by "cell(s)" ("THP-1 cells", "GC B cells")?"""
    if not _weak_gene_hits(m.hits):
        return False
    return _CELLS_AFTER.match(clean, m.end, m.end + 8) is not None


def _weak_gene_hits(hits: tuple[GeneHit | ConceptHit, ...]) -> bool:
    """Are all hits genes named by a term that several genes may share (an alias, not an approved symbol)?"""
    return all(isinstance(h, GeneHit) and h.source in _WEAK_GENE_SOURCES for h in hits)


def _long_name(e: Entry) -> bool:
    """A gene term that names a protein in lower case too: an approved symbol or a MeSH descriptor."""
    return e.source == SRC_SYMBOL or (e.source == SRC_MESH_GENE and e.variant == "descriptor")


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """Spans of ``word`` (or its plural with "s") standing as a word of its own in ``text``."""
    out = []
    start = text.find(word)
    n = len(word)
    while start >= 0:
        end = start + n
        if end < len(text) and text[end] == "s":
            end += 1 if end + 1 >= len(text) or not text[end + 1].isalnum() else 0
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            out.append((start, end))
        start = text.find(word, start + 1)
    return out


def _drop_prefixed(items: list[tuple[Candidate, Resolved]]) -> list[tuple[Candidate, Resolved]]:
    """For "p-ERK" prefer ERK to a longer reading that swallows the modifier, unless that ranks better."""
    keep = []
    for c, res in items:
        if c.prefixed:
            inner = [r[0] for d, r in items if d.j == c.j and d.i > c.i]
            if inner and min(inner) <= res[0]:
                continue
        keep.append((c, res))
    return keep


def _balance_start(text: str, start: int, end: int) -> int:
    """Take in an opening bracket whose closing one is inside the span ("(S)-ketamine")."""
    if start == 0 or text[start - 1] not in "([":
        return start
    span = text[start:end]
    for left, right in ("()", "[]"):
        if span.count(right) > span.count(left) and start > 0 and text[start - 1] == left:
            return start - 1
    return start


_STEM_PATTERNS: Final = (
    (re.compile(r"^\d+$"), re.compile(r"\d+$")),
    (re.compile(r"^[a-z]$"), re.compile(r"[a-z]$")),
    (re.compile(r"^[a-z]\d+$"), re.compile(r"[a-z]\d+$")),
    (re.compile(r"^\d+[a-z]$"), re.compile(r"\d+[a-z]$")),
    (re.compile(r"^\d+[a-z]\d+$"), re.compile(r"\d+[a-z]\d+$")),
)


def _range_to(toks: Tokens, j: int, head: str, by_start: dict[int, Candidate]) -> tuple[list[str], int] | None:
    """A range from the gene ending at token ``j`` to a second name with the same stem: "freac-1 to
    freac-7", "AKR1C1-AKR1C4". Returns the keys of the range after the head and the range's last token."""
    m = _TRAILING_NUMBER.search(head)
    k = j + 1
    if m is None or k >= len(toks):
        return None
    texts, spaces = toks.text, toks.space
    if texts[k].lower() in _RANGE_WORDS and spaces[j] and spaces[k]:
        k += 1
    elif texts[k] in ("-", "\u2010", "\u2013") and not spaces[j] and not spaces[k]:
        k += 1
    else:
        return None
    end = by_start.get(k)
    m2 = _TRAILING_NUMBER.search(end.key) if end is not None else None
    if end is None or m2 is None or end.key[: m2.start()] != head[: m.start()]:
        return None
    expanded = _numbered_range(head, int(m2.group()))
    return (expanded, end.j) if expanded else None


_TRAILING_NUMBER: Final = re.compile(r"\d+$")


def _numbered_range(head: str, hi: int) -> list[str]:
    """Keys after ``head`` up to the number ``hi``, on head's stem: ("tgfb1", 3) -> ["tgfb2", "tgfb3"];
    empty unless ``head`` ends in a number below ``hi`` by at most 9."""
    m = _TRAILING_NUMBER.search(head)
    if m is None:
        return []
    lo = int(m.group())
    if not lo < hi <= lo + 9:
        return []
    return [head[: m.start()] + str(v) for v in range(lo + 1, hi + 1)]


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
def word_breaks(text: str) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Key positions of separators between letters or digits: (letter-letter, any, with a space).

    "Protein S" -> ({7}, {7}, {7}); "NF-κB" -> ({2}, {2}, {}); "IL 6" -> ({}, {2}, {2}).
    """
    letters, anys, spaces = set(), set(), set()
    pos = 0
    sep = ""
    prev = ""
    for ch in fold(text):
        if ch.isalnum() or ch in "/+":
            if sep and prev and ch.isalnum():
                anys.add(pos)
                if prev.isalpha() and ch.isalpha():
                    letters.add(pos)
                if any(c.isspace() for c in sep):
                    spaces.add(pos)
            prev = ch if ch.isalnum() else ""
            sep = ""
            pos += 1
        elif key_drops(ch):
            sep += ch
        else:
            pos += 1
            prev = ""
            sep = ""
    return frozenset(letters), frozenset(anys), frozenset(spaces)


_TYPE_WORDS: Final = frozenset({"type", "types"})
_TYPE_NUMBERS: Final = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "1": "1", "2": "2", "3": "3", "4": "4"}


def _type_numbers(toks: Tokens, t: int) -> tuple[list[str], int]:
    """Numbers after the "type" word at token ``t`` ("type I", "types 1 and 2", "type I and type II")
    as digits, and the index of the token after them."""
    texts = toks.text
    n = len(toks)
    numbers: list[str] = []
    k = t + 1
    while k < n and texts[k].lower() in _TYPE_NUMBERS:
        numbers.append(_TYPE_NUMBERS[texts[k].lower()])
        end = k + 1
        k = end
        if k < n and texts[k] in (",", "and", "or"):
            k += 1
            if k < n and texts[k] in ("and", "or"):
                k += 1
            if k < n and texts[k].lower() in _TYPE_WORDS:
                k += 1
            if k < n and texts[k].lower() in _TYPE_NUMBERS:
                continue
        return numbers, end
    return numbers, t + 1


def _joined_start(toks: Tokens, j: int) -> int:
    """First token of the word that ends at token ``j`` (tokens joined by hyphens, without spaces)."""
    texts, spaces = toks.text, toks.space
    i = j
    while i > 0 and not spaces[i - 1] and (texts[i - 1] in HYPHENS or texts[i - 1].isalnum()):
        i -= 1
    return i


def _joined_end(toks: Tokens, i: int) -> int:
    """Last token of the word that starts at token ``i`` (as ``_joined_start``)."""
    texts, spaces = toks.text, toks.space
    j = i
    while j + 1 < len(toks) and not spaces[j] and (texts[j + 1] in HYPHENS or texts[j + 1].isalnum()):
        j += 1
    return j


def _ligand_word(word: str) -> bool:
    """Could ``word`` be a ligand's short form before "receptor" ("IL-4", "TGFbeta", "5-HT")?"""
    return len(word) >= 2 and (word[0].isupper() or word[0].isdigit()) and word[-1].isalnum()


def _same_breaks(entries: Sequence[Entry], span: str) -> list[Entry]:
    """Entries whose word breaks agree with the text's.

    A break between two letters in the term must be a break in the text
    ("proteins" is not "Protein S", "cycling" not "Cyclin G"), and a space in
    the text must be a break in the term ("in S" is not INS, "or 2" not OR2).
    """
    _, text_any, text_space = word_breaks(span)
    if text_space:
        # "IFI 16", "IL 6": a space between capitals and a number may be dropped ("or 2" may not),
        # and so may the spaces around a spelled Greek letter before a capital ("I kappa B")
        text_space = text_space - _caps_digit_spaces(span) - _greek_spaces(span)
    out = []
    camel: frozenset[int] | None = None
    for e in entries:
        term_letters, term_any, _ = word_breaks(e.term)
        if not text_space <= term_any:
            continue
        if not term_letters <= text_any:
            # a break before a capital may be written as the capital alone ("cRel" is "c-Rel")
            if camel is None:
                camel = _camel_breaks(span)
            if not term_letters <= text_any | camel:
                continue
        out.append(e)
    return out


def _camel_breaks(text: str) -> frozenset[int]:
    """Key position 1 or 2 if a capital follows one or two lower-case letters there, as in ``word_breaks``.

    A prefix of one or two letters may be written without its hyphen, the
    capital marking the break ("cRel" is "c-Rel", "vSrc" "v-Src"); later
    capitals ("proteinS", "κB") do not.
    """
    head = fold(text[:3], lower=False)
    for i in (1, 2):
        if len(head) > i and head[:i].isalpha() and head[:i].islower() and head[i].isupper():
            return frozenset((i,))
    return frozenset()


@lru_cache(maxsize=50_000)
def _caps_digit_spaces(text: str) -> frozenset[int]:
    """Key positions of spaces between a run of capitals and a digit ("IFI 16" -> {3})."""
    out = set()
    pos = 0
    folded = fold(text, lower=False)
    for i, ch in enumerate(folded):
        if ch.isspace() and 0 < i < len(folded) - 1 and folded[i + 1].isdigit():
            j = i - 1
            while j >= 0 and folded[j].isalpha() and folded[j].isupper():
                j -= 1
            if i - 1 - j >= 2 and (j < 0 or not folded[j].isalpha()):
                out.add(pos)
        if not key_drops(ch):
            pos += 1
    return frozenset(out)


@lru_cache(maxsize=1)
def _spaced_greek() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A spelled Greek letter standing as a word between spaces with a capital letter after it;
    and a Greek letter, spelled or not, ending a word after a space that follows a capital or digit."""
    table, spelled = greek_table()
    names = "|".join(spelled)
    letters = "".join(sorted(chr(c) for c in table if chr(c) not in "ßµ"))
    return (
        re.compile(r"(?<![^\W\d_])(?:" + names + r")(?= [A-Z])"),
        re.compile(r"(?<=[A-Z0-9]) (?:" + names + r"|[" + letters + r"])(?![^\W_])"),
    )


@lru_cache(maxsize=50_000)
def _greek_spaces(text: str) -> frozenset[int]:
    """Key positions of spaces next to a Greek letter (mostly spelled) inside a name.

    Old abstracts spell Greek letters out between spaces: "I kappa B" is
    IκB, "Fc gamma RI" FcγRI, "NF-kappa B" NF-κB ("I kappa B" -> {1, 2}), and
    a Greek letter after a symbol may stand apart: "PKC alpha" is PKCα and
    "GSK-3 beta" GSK-3β ("PKC alpha" -> {3}).
    """
    if " " not in text:
        return frozenset()
    out: set[int] = set()
    before_capital, after_symbol = _spaced_greek()
    for m in before_capital.finditer(text, 1):
        p = len(make_key(text[: m.start()]))
        if text[m.start() - 1] == " ":
            out.add(p)
        out.add(p + 1)
    for m in after_symbol.finditer(text, 1):
        out.add(len(make_key(text[: m.start()])))
    return frozenset(out)


def _acronym(term: str) -> bool:
    """Abbreviation-like term: no lower-case run of three letters ("ATP", "cAMP", "NO")."""
    return re.search(r"[a-z]{3}", term) is None and any(ch.isalpha() for ch in term)
