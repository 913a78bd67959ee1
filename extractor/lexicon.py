"""Building, caching and loading the gene, chemical and disease lexicons.

Sources (see ``resources``): HGNC gene records, FamPlex families and complexes,
MeSH descriptors and supplementary concept records. The compiled lexicon is a
``marisa_trie.Trie`` of match keys (``normalize.key``), whose key ids index a
payload file of encoded entries (both memory-mapped on load, so a cached
lexicon opens in milliseconds and is shared by worker processes), plus a small
pickle of gene and family tables. It is
cached under ``$EXTRACTOR_HOME/lexicons/<cache key>``; the cache key covers the
sources' checksums, the builder version and the curated build-time data files.
"""

from __future__ import annotations

import array
import csv
import gzip
import hashlib
import io
import json
import logging
import mmap
import os
import pickle
import re
import shutil
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Final, Iterable, Iterator, NamedTuple

import marisa_trie

from . import __version__
from .normalize import key as make_key
from .resources import (
    SourceFiles,
    atomic_write_text,
    data_file,
    extractor_home,
    file_sha256,
    locate_sources,
    read_data_lines,
    read_data_table,
)

log = logging.getLogger(__name__)

#: Bump when the compiled format or the building rules change.
BUILDER_VERSION = "22"

#: Curated files read while building (their checksums enter the cache key).
BUILD_DATA_FILES = (
    "greek.tsv", "mesh_trees.tsv", "chemical_variants.tsv", "spelling_variants.tsv",
    "organ_adjectives.tsv", "disease_heads.tsv", "synonyms.tsv", "learned_synonyms.tsv", "learned_former_ids.tsv",
    "english_words.txt",
)  # fmt: skip

MAX_KEY_LENGTH: Final = 100
FIELD_SEP: Final = "\x1f"
ENTRY_SEP: Final = b"\x1e"
#: joins the MeSH ids of a composite synonym, one term naming several concepts
#: ("hemorrhagic cystitis": D006470|D003556, Hemorrhage and Cystitis)
COMPOSITE_SEP: Final = "|"
#: the variant of a learned synonym that gives an id of an older MeSH version
#: (``lexicons/learned_former_ids.tsv``; used only with ``newest_descriptor``)
VARIANT_FORMER: Final = "former"

# Entry kinds.
GENE: Final = "G"
CHEMICAL: Final = "C"
DISEASE: Final = "D"
NONGENE: Final = "X"  # a text FamPlex grounds to a small molecule or process, not a protein

# Gene entry sources, best first; the first four are the output ``source`` values.
SRC_SYMBOL: Final = "hgnc_symbol"
SRC_ALIAS: Final = "hgnc_alias_symbol"
SRC_PREV: Final = "hgnc_prev_symbol"
SRC_FAMPLEX: Final = "bioentities_symbol"
SRC_NAME: Final = "hgnc_name"
SRC_MESH_GENE: Final = "mesh_gene"  # names of human proteins in MeSH ("separase", "P-selectin")
# MeSH entry sources.
SRC_MESH_NAME: Final = "mesh_name"
SRC_MESH_ENTRY: Final = "mesh_entry"
SRC_SCR_NAME: Final = "scr_name"
SRC_SCR_SYNONYM: Final = "scr_synonym"
SRC_CURATED: Final = "curated"
SRC_LEARNED: Final = "learned"


class Entry(NamedTuple):
    """One lexicon term under a key.

    ``target`` is a gene index (``"g123"``), a FamPlex family id (``"fAKT"``)
    or a MeSH id; ``variant`` names the rule that derived the term, if any;
    ``flags`` marks MeSH chemicals that are peptides or proteins (``"p"``).
    """

    kind: str
    source: str
    term: str
    target: str
    variant: str
    flags: str = ""

    def encode(self) -> bytes:
        return FIELD_SEP.join(self).encode("utf-8")

    @classmethod
    def decode(cls, raw: bytes) -> "Entry":
        # every field is encoded, so the split has them all: the tuple is made without
        # the named tuple's interpreted ``__new__``
        return tuple.__new__(cls, raw.decode("utf-8").split(FIELD_SEP))


class Gene(NamedTuple):
    """An HGNC gene with an NCBI Gene ID."""

    symbol: str
    entrez: str
    hgnc_id: str
    name: str
    locus_type: str


# --------------------------------------------------------------------------
# Source parsing
# --------------------------------------------------------------------------


def open_text(path: Path) -> IO[str]:
    """Open a text source file, transparently decompressing ``.gz``."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _split_list(value: str, sep: str) -> list[str]:
    value = value.strip().strip('"')
    return [v.strip() for v in value.split(sep) if v.strip()] if value else []


@dataclass
class HgncRecord:
    """One HGNC row, reduced to what the lexicon needs."""

    hgnc_id: str
    symbol: str
    name: str
    status: str
    aliases: list[str]
    previous: list[str]
    entrez: str
    uniprot: list[str]
    locus_type: str


_CUSTOM_COLUMNS = {
    "hgnc_id": "HGNC ID",
    "symbol": "Approved symbol",
    "name": "Approved name",
    "status": "Status",
    "aliases": "Alias symbols",
    "previous": "Previous symbols",
    "entrez": "NCBI Gene ID(supplied by NCBI)",
    "uniprot": "UniProt ID(supplied by UniProt)",
    "locus_type": "Locus type",
}
_COMPLETE_COLUMNS = {
    "hgnc_id": "hgnc_id",
    "symbol": "symbol",
    "name": "name",
    "status": "status",
    "aliases": "alias_symbol",
    "previous": "prev_symbol",
    "entrez": "entrez_id",
    "uniprot": "uniprot_ids",
    "locus_type": "locus_type",
}


def parse_hgnc(path: Path) -> Iterator[HgncRecord]:
    """Read HGNC gene records from a custom download or the complete set file.

    The format is recognised from the header: custom downloads have columns such
    as ``Approved symbol`` and ", "-separated lists; the complete set has
    snake_case columns (``symbol``, ``entrez_id``) and "|"-separated lists.
    """
    with open_text(path) as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"{path}: empty HGNC file") from None
        if "Approved symbol" in header:
            columns, sep = _CUSTOM_COLUMNS, ","
        elif "symbol" in header and "hgnc_id" in header:
            columns, sep = _COMPLETE_COLUMNS, "|"
        else:
            raise ValueError(f"{path}: not an HGNC download (header: {header[:5]})")
        index = {}
        for name, column in columns.items():
            if column not in header:
                if name in ("uniprot", "locus_type", "name"):
                    continue
                raise ValueError(f"{path}: HGNC column {column!r} missing")
            index[name] = header.index(column)

        def get(row: list[str], name: str) -> str:
            i = index.get(name)
            return row[i].strip().strip('"') if i is not None and i < len(row) else ""

        for row in reader:
            if not row or not any(row):
                continue
            entrez = get(row, "entrez")
            if entrez.endswith(".0"):
                entrez = entrez[:-2]
            yield HgncRecord(
                hgnc_id=get(row, "hgnc_id"),
                symbol=get(row, "symbol"),
                name=get(row, "name"),
                status=get(row, "status"),
                aliases=_split_list(get(row, "aliases"), sep),
                previous=_split_list(get(row, "previous"), sep),
                entrez=entrez,
                uniprot=_split_list(get(row, "uniprot"), sep),
                locus_type=get(row, "locus_type"),
            )


def _read_csv_rows(path: Path) -> Iterator[list[str]]:
    with open_text(path) as fh:
        for row in csv.reader(fh):
            row = [c.strip() for c in row]
            if row and any(row):
                yield row


@dataclass
class FamplexData:
    """FamPlex tables needed by the lexicon."""

    entities: list[str]
    relations: list[tuple[str, str, str, str, str]]
    groundings: list[tuple[str, list[tuple[str, str]]]]
    equivalences: list[tuple[str, str, str]]


def parse_famplex(sources: SourceFiles) -> FamplexData:
    """Read FamPlex entities, relations, grounding map and equivalences."""
    entities = [row[0] for row in _read_csv_rows(sources["entities"])]
    relations = []
    for row in _read_csv_rows(sources["relations"]):
        if len(row) >= 5:
            relations.append((row[0], row[1], row[2], row[3], row[4]))
    groundings = []
    for row in _read_csv_rows(sources["grounding_map"]):
        text = row[0]
        pairs = [(row[i], row[i + 1]) for i in range(1, len(row) - 1, 2) if row[i] and row[i + 1]]
        groundings.append((text, pairs))
    equivalences = []
    for row in _read_csv_rows(sources["equivalences"]):
        if len(row) >= 3:
            equivalences.append((row[0], row[1], row[2]))
    return FamplexData(entities, relations, groundings, equivalences)


@dataclass
class MeshRecord:
    """A MeSH descriptor or supplementary concept record."""

    mesh_id: str
    name: str
    terms: list[str]
    trees: list[str] = field(default_factory=list)
    mapped_to: list[str] = field(default_factory=list)


def parse_mesh_tsv(path: Path, supplementary: bool) -> Iterator[MeshRecord]:
    """Read the tab-separated MeSH exports: ID, name, terms (|), trees or mapped IDs (|)."""
    with open_text(path) as fh:
        for line in fh:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 2 or not parts[0]:
                continue
            terms = [t for t in parts[2].split("|") if t] if len(parts) > 2 else []
            # lists are "|"-separated; mapped-to descriptor lists also come ","-separated
            last = [t.strip().lstrip("*") for t in re.split(r"[|,]", parts[3]) if t.strip()] if len(parts) > 3 else []
            if supplementary:
                yield MeshRecord(parts[0], parts[1], terms, mapped_to=last)
            else:
                yield MeshRecord(parts[0], parts[1], terms, trees=last)


def parse_mesh_xml(path: Path, supplementary: bool) -> Iterator[MeshRecord]:
    """Stream MeSH records from NLM's ``descYYYY.xml`` / ``suppYYYY.xml`` files."""
    record_tag = "SupplementalRecord" if supplementary else "DescriptorRecord"
    ui_tag = "SupplementalRecordUI" if supplementary else "DescriptorUI"
    name_tag = "SupplementalRecordName" if supplementary else "DescriptorName"
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for _event, elem in ET.iterparse(fh, events=("end",)):
            if elem.tag != record_tag:
                continue
            mesh_id = (elem.findtext(ui_tag) or "").strip()
            name = (elem.findtext(f"{name_tag}/String") or "").strip()
            terms = []
            for term in elem.iterfind("ConceptList/Concept/TermList/Term/String"):
                text = (term.text or "").strip()
                if text and text != name and text not in terms:
                    terms.append(text)
            trees = [t.text.strip() for t in elem.iterfind("TreeNumberList/TreeNumber") if t.text]
            mapped = [
                (m.text or "").strip().lstrip("*")
                for m in elem.iterfind("HeadingMappedToList/HeadingMappedTo/DescriptorReferredTo/DescriptorUI")
            ]
            elem.clear()
            if mesh_id and name:
                yield MeshRecord(mesh_id, name, terms, trees=trees, mapped_to=[m for m in mapped if m])


def parse_mesh(path: Path, supplementary: bool) -> Iterator[MeshRecord]:
    """Read MeSH records from the TSV exports or NLM's XML, by file name."""
    if ".xml" in path.name:
        return parse_mesh_xml(path, supplementary)
    return parse_mesh_tsv(path, supplementary)


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


@dataclass
class MeshTreeRules:
    """Which MeSH tree branches feed the chemical and disease lexicons."""

    chemical_include: tuple[str, ...]
    disease_include: tuple[str, ...]
    chemical_exclude: tuple[str, ...]
    protein: tuple[str, ...]
    amino_acid: tuple[str, ...]

    @classmethod
    def load(cls) -> "MeshTreeRules":
        lists: dict[tuple[str, str], list[str]] = defaultdict(list)
        for kind, action, prefix, *_ in read_data_table("mesh_trees.tsv", 4):
            if (kind, action) not in (
                ("chemical", "include"), ("disease", "include"), ("chemical", "exclude"),
                ("chemical", "protein"), ("chemical", "amino_acid"),
            ):  # fmt: skip
                raise ValueError(f"mesh_trees.tsv: unknown rule {kind} {action}")
            lists[(kind, action)].append(prefix)
        return cls(
            tuple(lists[("chemical", "include")]),
            tuple(lists[("disease", "include")]),
            tuple(lists[("chemical", "exclude")]),
            tuple(lists[("chemical", "protein")]),
            tuple(lists[("chemical", "amino_acid")]),
        )

    def flags(self, trees: Iterable[str]) -> str:
        """Entry flags: ``p`` for peptides and proteins (a gene on the same words wins), ``a`` for amino acids."""
        trees = list(trees)
        out = ""
        if any(t.startswith(self.protein) for t in trees):
            out += "p"
        if self.amino_acid and any(t.startswith(self.amino_acid) for t in trees):
            out += "a"
        return out

    def kinds(self, trees: Iterable[str]) -> list[str]:
        """Lexicon kinds (CHEMICAL, DISEASE) a descriptor with these tree numbers belongs to."""
        trees = list(trees)
        out = []
        chem = [t for t in trees if t.startswith(self.chemical_include)]
        if chem and not all(t.startswith(self.chemical_exclude) for t in chem):
            out.append(CHEMICAL)
        if any(t.startswith(self.disease_include) for t in trees):
            out.append(DISEASE)
        return out


def _inverted(term: str) -> bool:
    """MeSH permuted entry terms such as "Acid, Pyruvic" never occur in running text."""
    if term.count(", ") != 1 or any(c.isdigit() for c in term) or "(" in term:
        return False
    head, tail = term.split(", ")
    return " " not in tail.strip() or head.istitle()


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_NAME_NUMBER = re.compile(r"^(.*[a-z]) (10|[1-9])$")


def _with_roman(pattern: re.Pattern[str], text: str) -> str | None:
    """``text`` as ``pattern`` splits it into a head and a number 1-10, the number in Roman numerals."""
    m = pattern.match(text)
    return f"{m.group(1)} {_ROMAN[int(m.group(2)) - 1]}" if m else None


def roman_variant(name: str) -> str | None:
    """A gene name ending in a number 1-10, with the number in Roman numerals ("DNA ligase 3" ->
    "DNA ligase III", "carbonic anhydrase 2" -> "carbonic anhydrase II"), as enzymes are often written."""
    return _with_roman(_NAME_NUMBER, name)


_SYMBOL_NUMBER = re.compile(r"^([A-Z]{2,})(10|[1-9])$")


def roman_symbol(symbol: str) -> str | None:
    """An approved symbol of capitals and a number 1-10, with a Roman numeral after a space ("CA3" ->
    "CA III", "ADH7" -> "ADH VII"), as isozymes and receptor types are often written."""
    return _with_roman(_SYMBOL_NUMBER, symbol)


#: an abbreviation that names a family ("PKC", "CK1", "CK-I", "CaMKII"), not a word ("Tubulin")
_FAMILY_ABBREVIATION: Final = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})(?![A-Za-z0-9-]*[a-z]{3})[A-Z][A-Za-z0-9-]{1,7}")


#: a MeSH descriptor or supplementary concept id
_MESH_ID: Final = re.compile(r"[CD]\d{6,9}")
#: an alias naming a protein by its mass in kDa ("p57", "P21"), and a name starting with one
_MASS_ALIAS: Final = re.compile(r"[pP]\d{2,3}")
_MASS_PREFIX: Final = re.compile(r"[pP]\d")

#: an abbreviation in the plural ("GSTs", "RhoGDIs")
_PLURAL: Final = re.compile(r"[A-Z]s$")


def _abbreviates(stem: str, phrase: str) -> bool:
    """Can ``stem`` abbreviate ``phrase``: the phrase's numbers are in the stem, Arabic or Roman,
    and the stem's other capitals occur in order in the phrase ("CK2", "CK-II" and "CaMKII": yes;
    "DNMT" for "DNA methyltransferase 3", "TOP" for "DNA topoisomerase III": no)?"""
    numbers = [int(n) for n in re.findall(r"\d+", phrase)]
    numbers += [_ROMAN.index(r) + 1 for r in re.findall(r"\b[IVX]+\b", phrase) if r in _ROMAN]
    rest = stem
    for n in numbers:
        written = [w for w in (str(n), _ROMAN[n - 1] if n <= len(_ROMAN) else "") if w and w in rest]
        if not written:
            return False
        rest = rest.replace(written[0], "", 1)
    low = phrase.lower()
    pos = 0
    for ch in rest:
        if ch.isupper() or ch.isdigit():
            pos = low.find(ch.lower(), pos) + 1
            if pos == 0:
                return False
    return True


def greek_letters_by_name() -> dict[str, str]:
    """Lower-case Greek letters by their English names ("zeta" -> "ζ"; "lambda" and Unicode's "lamda")."""
    out: dict[str, str] = {}
    for code in range(0x3B1, 0x3CA):
        name = unicodedata.name(chr(code), "")
        if name.startswith("GREEK SMALL LETTER ") and "FINAL" not in name:
            out[name.rsplit(" ", 1)[1].lower()] = chr(code)
    out["lambda"] = out["lamda"]
    return out


def family_stem(fid: str) -> str:
    """A FamPlex identifier without its "_family" / "_complex" suffix ("JUN_family" -> "JUN")."""
    for suffix in ("_family", "_complex"):
        if fid.endswith(suffix):
            return fid[: -len(suffix)]
    return fid


def chemical_variants(term: str, rules: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Derived forms of a chemical or disease term: (variant term, rule name)."""
    out = []
    low = term.lower()
    for pattern, replacement, name in rules:
        if low.endswith(pattern):
            out.append((term[: len(term) - len(pattern)] + replacement, name))
    return out


def rewritten_variants(term: str, rules: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """Forms of a term after each regex rewrite that changes it, keeping the first letter's case:
    British spellings ("Anemia" -> "Anaemia"), organ adjectives ("Kidney Diseases" -> "Renal Diseases")."""
    out = []
    for pattern, replacement in rules:
        new = pattern.sub(lambda m: _same_case(m.group(0), replacement), term)
        if new != term and new not in out:
            out.append(new)
    return out


def _same_case(found: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement


def singular(term: str) -> str | None:
    """Singular of a plural last word ("Monoterpenes" -> "Monoterpene"), or None."""
    low = term.lower()
    if len(low) < 5 or not low[-1] == "s" or not low[-2].isalpha():
        return None
    if low.endswith(("ss", "us", "is", "ys", "os", "as", "ics")):
        return None
    if low.endswith("ies"):
        return term[:-3] + ("Y" if term[-3].isupper() else "y")
    return term[:-1]


_HUMAN = ", human"
_HUMAN_PROTEIN = re.compile(r"^(\S+) (?:protein|peptide), human$")
_PROTEIN_WORD = re.compile(r" (?:protein|peptide)$")
_DESCRIPTIVE_END = re.compile(r"(?:ed|ing|al|ic|ive|ory|ar|kDa)$")


def _name_like(text: str) -> bool:
    """Does a protein name without its final "protein" still name something: a symbol-like last word
    ("CD62P", "p21SNFT") or a single word that is not an adjective ("separase", not "fused" or
    "dexamethasone-induced"); several lower-case words ("lens epithelial") describe."""
    last = text.split()[-1] if text.split() else ""
    if _DESCRIPTIVE_END.search(last):
        return False
    return any(c.isupper() or c.isdigit() for c in last) or len(text.split()) == 1


class MeshTerms:
    """Chemical and disease entries of MeSH records, as the tree numbers of their descriptors place them.

    Each entry is to be added under its own ``term``.
    """

    def __init__(
        self,
        descriptors: list[MeshRecord],
        rules: MeshTreeRules,
        variant_rules: list[tuple[str, str, str]],
        spelling_rules: list[tuple[re.Pattern[str], str]],
        organ_rules: list[tuple[re.Pattern[str], str]],
        head_rules: list[tuple[re.Pattern[str], str]],
    ) -> None:
        self.descriptors = descriptors
        self.rules = rules
        self.variant_rules = variant_rules
        self.spelling_rules = spelling_rules
        self.organ_rules = organ_rules
        self.head_rules = head_rules
        self.kinds = {rec.mesh_id: rules.kinds(rec.trees) for rec in descriptors}
        self.protein = {rec.mesh_id for rec in descriptors if "p" in rules.flags(rec.trees)}

    @classmethod
    def from_data(cls, descriptors: list[MeshRecord], rules: MeshTreeRules) -> "MeshTerms":
        """With the variant rules of ``lexicons/`` (chemical suffixes, British spellings, organ adjectives,
        disease head nouns)."""
        return cls(
            descriptors,
            rules,
            load_variant_rules(),
            load_rewrite_rules("spelling_variants.tsv"),
            load_rewrite_rules("organ_adjectives.tsv"),
            load_rewrite_rules("disease_heads.tsv"),
        )

    def descriptor_entries(self) -> Iterator[Entry]:
        """Entries of every descriptor, in file order."""
        for rec in self.descriptors:
            flags = self.rules.flags(rec.trees)
            for kind in self.kinds[rec.mesh_id]:
                yield from self._entries(kind, rec, SRC_MESH_NAME, SRC_MESH_ENTRY, flags)

    def supplementary_entries(self, rec: MeshRecord) -> Iterator[Entry]:
        """Entries of a supplementary record: a chemical if a descriptor it maps to is one, else a
        disease if one is, else none."""
        mapped = [self.kinds.get(m, []) for m in rec.mapped_to]
        if any(CHEMICAL in k for k in mapped):
            kind = CHEMICAL
        elif any(DISEASE in k for k in mapped):
            kind = DISEASE
        else:
            return
        flags = "p" if any(m in self.protein for m in rec.mapped_to) else ""  # SCRs of proteins
        yield from self._entries(kind, rec, SRC_SCR_NAME, SRC_SCR_SYNONYM, flags)

    def _entries(self, kind: str, rec: MeshRecord, name_src: str, term_src: str, flags: str) -> Iterator[Entry]:
        for i, term in enumerate([rec.name] + rec.terms):
            if i and _inverted(term):
                continue
            src = name_src if i == 0 else term_src
            yield Entry(kind, src, term, rec.mesh_id, "", flags)
            forms = chemical_variants(term, self.variant_rules) if kind == CHEMICAL else []
            sing = singular(term)
            if sing:
                forms.append((sing, "singular"))
            forms.extend((form, "british") for form in rewritten_variants(term, self.spelling_rules))
            if kind == DISEASE:
                bases = [term, sing] if sing else [term]
                organ = [form for base in bases for form in rewritten_variants(base, self.organ_rules)]
                forms.extend((form, "organ") for form in organ)
                # "Kidney Neoplasms" -> "Kidney Cancer", and via "Renal Neoplasms" -> "Renal Cancer"
                heads = [form for base in bases + organ for form in rewritten_variants(base, self.head_rules)]
                forms.extend((form, "head") for form in heads)
            for form, rule in forms:
                yield Entry(kind, src, form, rec.mesh_id, rule, flags)


class LexiconBuilder:
    """Collects (key, entry) pairs from the sources and writes the compiled lexicon."""

    def __init__(self) -> None:
        self.items: dict[str, dict[Entry, None]] = defaultdict(dict)
        self.genes: list[Gene] = []
        self.families: dict[str, tuple[int, ...]] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.mesh_trees: dict[str, tuple[str, ...]] = {}  # descriptor id -> tree numbers
        self.hgnc_rows: list[HgncRecord] = []  # the approved genes added, in symbol order

    def add(self, term: str, entry: Entry) -> None:
        term = term.strip()
        if not term:
            return
        k = make_key(term)
        if len(k) < 2 or len(k) > MAX_KEY_LENGTH or not any(c.isalpha() for c in k):
            return
        bucket = self.items[k]
        if entry not in bucket:
            bucket[entry] = None
            self.counts[f"{entry.kind}:{entry.source}{'/' + entry.variant if entry.variant else ''}"] += 1

    def add_gap(self, term: str, entry: Entry) -> None:
        """Add a generated gene term unless its key already names a gene: such terms only fill gaps."""
        if not any(e.kind == GENE for e in self.items.get(make_key(term), ())):
            self.add(term, entry)

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Add each entry under its own term, in order."""
        for entry in entries:
            self.add(entry.term, entry)

    # genes ---------------------------------------------------------------

    def add_hgnc(self, records: Iterable[HgncRecord]) -> dict[str, int]:
        """Add approved, alias and previous symbols (and names) of genes with an NCBI Gene ID."""
        by_symbol: dict[str, int] = {}
        rows = [r for r in records if r.status.lower() == "approved" and r.entrez and r.symbol]
        rows.sort(key=lambda r: r.symbol)
        for rec in rows:
            idx = len(self.genes)
            self.genes.append(Gene(rec.symbol, rec.entrez, rec.hgnc_id, rec.name, rec.locus_type))
            by_symbol[rec.symbol] = idx
        for rec in rows:
            idx = by_symbol[rec.symbol]
            target = f"g{idx}"
            self.add(rec.symbol, Entry(GENE, SRC_SYMBOL, rec.symbol, target, ""))
            roman = roman_symbol(rec.symbol)
            if roman:
                self.add(roman, Entry(GENE, SRC_SYMBOL, roman, target, "roman"))
            for alias in rec.aliases:
                self.add(alias, Entry(GENE, SRC_ALIAS, alias, target, ""))
            for prev in rec.previous:
                self.add(prev, Entry(GENE, SRC_PREV, prev, target, ""))
            if rec.name and len(rec.name) > 3:
                self.add(rec.name, Entry(GENE, SRC_NAME, rec.name, target, ""))
                roman = roman_variant(rec.name)
                if roman:
                    self.add(roman, Entry(GENE, SRC_NAME, roman, target, "roman"))
        self.hgnc_rows = rows
        self.uniprot = {u: by_symbol[r.symbol] for r in rows for u in r.uniprot}
        prev_map: dict[str, list[int]] = defaultdict(list)
        for rec in rows:
            for prev in rec.previous:
                prev_map[prev].append(by_symbol[rec.symbol])
        self.prev_symbols = {p: v[0] for p, v in prev_map.items() if len(v) == 1}
        return by_symbol

    def add_famplex(self, fp: FamplexData, by_symbol: dict[str, int]) -> None:
        """Add FamPlex families/complexes, expanded through isa/partof to member genes."""

        def gene_index(ns: str, ident: str) -> int | None:
            if ns == "HGNC":
                if ident in by_symbol:
                    return by_symbol[ident]
                return self.prev_symbols.get(ident)
            if ns == "UP":
                return self.uniprot.get(ident)
            return None

        children: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for ns_a, id_a, rel, ns_b, id_b in fp.relations:
            if ns_b == "FPLX" and rel in ("isa", "partof"):
                children[id_b].append((ns_a, id_a))
        members: dict[str, tuple[int, ...]] = {}

        def expand(fid: str, seen: frozenset[str]) -> set[int]:
            out: set[int] = set()
            for ns, ident in children.get(fid, []):
                if ns == "FPLX":
                    if ident not in seen:
                        out |= expand(ident, seen | {ident})
                else:
                    gi = gene_index(ns, ident)
                    if gi is not None:
                        out.add(gi)
            return out

        all_ids = list(dict.fromkeys(fp.entities + sorted(children)))
        for fid in all_ids:
            genes = expand(fid, frozenset({fid}))
            if genes:
                members[fid] = tuple(sorted(genes, key=lambda i: self.genes[i].symbol))
        self.families = members

        for fid in sorted(members):
            target = f"f{fid}"
            # Identifiers are symbols, matched as written together ("NADPHoxidase", not
            # "NADPH oxidase": phrases come from the grounding map and equivalences).
            self.add(fid.replace("_", ""), Entry(GENE, SRC_FAMPLEX, fid.replace("_", ""), target, ""))
            stripped = family_stem(fid)
            if stripped != fid:
                self.add(stripped.replace("_", ""), Entry(GENE, SRC_FAMPLEX, stripped.replace("_", ""), target, "stripped"))
        for text, pairs in fp.groundings:
            if not pairs:
                continue
            ns, ident = pairs[0]
            if ns == "FPLX":
                if ident in members:
                    self.add(text, Entry(GENE, SRC_FAMPLEX, text, f"f{ident}", "grounding"))
            elif ns in ("HGNC", "UP"):
                gi = gene_index(ns, ident)
                if gi is not None:
                    self.add(text, Entry(GENE, SRC_FAMPLEX, text, f"g{gi}", "grounding"))
            elif ns in ("CHEBI", "PUBCHEM", "HMDB", "MESH", "GO", "HMS-LINCS", "DRUGBANK", "CAS"):
                self.add(text, Entry(NONGENE, ns, text, ident, "grounding"))
        for ns, name, fid in fp.equivalences:
            if ns == "BEL" and fid in members:
                self.add(name, Entry(GENE, SRC_FAMPLEX, name, f"f{fid}", "equivalence"))
        self._add_member_letters(fp, children, gene_index)

    def _add_member_letters(
        self, fp: FamplexData, children: dict[str, list[tuple[str, str]]], gene_index: Callable[[str, str], int | None]
    ) -> None:
        """Name the members of a lettered series by the family's abbreviation and their letter.

        Where two or more direct members of a family are named as one series plus
        a Greek letter ("protein kinase C zeta", "casein kinase 1 delta", "casein
        kinase 2 alpha 1"), each is also named by each abbreviation of the family
        (its id and its grounding-map texts written like "PKC", "CK1" or "CaMKII")
        with the letter: "PKCζ" (PRKCZ), "CK1δ" (CSNK1D), "CK2α1" (CSNK2A1), and
        spelled where keys keep the name ("PKCiota"). Terms whose key already names
        a gene are left alone: this only fills gaps.
        """
        letters = greek_letters_by_name()
        series = re.compile(r"(.*\S) (" + "|".join(letters) + r")((?: ?\d{1,2})?)", re.IGNORECASE)
        texts: dict[str, list[str]] = defaultdict(list)  # grounding-map texts by family
        for text, pairs in fp.groundings:
            if pairs and pairs[0][0] == "FPLX":
                texts[pairs[0][1]].append(text)
        for fid in sorted(children):
            named: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
            for ns, ident in children[fid]:
                gi = gene_index(ns, ident)  # None for a member family
                m = series.fullmatch(self.genes[gi].name) if gi is not None else None
                if gi is not None and m is not None:
                    named[m.group(1)].append((gi, m.group(2).lower(), m.group(3).strip()))
            stems = [family_stem(fid)] + texts.get(fid, [])
            stems = [a for a in dict.fromkeys(stems) if _FAMILY_ABBREVIATION.fullmatch(a) and not _PLURAL.search(a)]
            for prefix, group in named.items():
                if len({gi for gi, _, _ in group}) < 2:
                    continue
                for gi, name, number in group:
                    for stem in stems:
                        if not _abbreviates(stem, prefix) or make_key(stem)[-1] == make_key(letters[name]):
                            continue  # another name ("FNR": "integrin subunit"), or one ending in the letter ("ITGA")
                        for term in dict.fromkeys((stem + letters[name] + number, stem + name + number)):
                            self.add_gap(term, Entry(GENE, SRC_FAMPLEX, term, f"g{gi}", "member"))

    def add_mass_compounds(self, by_symbol: dict[str, int]) -> None:
        """Name genes by a mass alias joined to another alias of theirs: "p57Kip2" (CDKN1C: P57, KIP2).

        Proteins are often named by their mass and a name ("p21Cip1", "p18INK4c",
        "p130Cas"); HGNC lists the parts as separate aliases (or previous
        symbols). Each mass alias ("p57") joined to each other alias of three to
        six characters is added as an alias (variant ``compound``) where no gene
        has the key yet.
        """
        for rec in self.hgnc_rows:
            names = rec.aliases + rec.previous
            masses = [a for a in names if _MASS_ALIAS.fullmatch(a)]
            if not masses:
                continue
            others = [a for a in names if 3 <= len(a) <= 6 and not _MASS_PREFIX.match(a)]
            target = f"g{by_symbol[rec.symbol]}"
            for mass in masses:
                for other in others:
                    self.add_gap(mass + other, Entry(GENE, SRC_ALIAS, mass + other, target, "compound"))

    def add_gene_name_spellings(self, rules: list[tuple[re.Pattern[str], str]]) -> None:
        """Name genes in the British spellings of their names (``spelling_variants.tsv``).

        HGNC and MeSH spell names the American way; "tumour necrosis factor",
        "oestrogen receptor 1", "sulphotransferase family 1A member 1" and "Src
        like adapter" name the same genes. Each gene name (HGNC approved name,
        MeSH protein name) gets its rewritten forms where the form's key names
        no gene yet: this only fills gaps. An HGNC name's form has variant
        ``british``; a MeSH name's keeps its variant (descriptor or
        supplementary record), which the matcher ranks by.
        """
        names = [
            e
            for bucket in self.items.values()
            for e in bucket
            if e.kind == GENE and (e.source, e.variant) in ((SRC_NAME, ""), (SRC_MESH_GENE, "descriptor"), (SRC_MESH_GENE, "scr"))
        ]
        for e in names:
            variant = "british" if e.source == SRC_NAME else e.variant
            for form in rewritten_variants(e.term, rules):
                self.add_gap(form, Entry(GENE, e.source, form, e.target, variant, e.flags))

    def add_greek_first_names(self) -> None:
        """Name genes whose HGNC name is a noun, a Greek letter and a number with the letter first.

        "arrestin beta 2" is written "beta-arrestin 2" or "β-arrestin2", "integrin
        subunit beta 1" "beta1 integrin", "adrenoceptor beta 2" "β2-adrenoceptor".
        Terms whose key already names a gene are left alone: this only fills gaps.
        Source ``hgnc_name``, variant ``greek_first``.
        """
        letters = "|".join(greek_letters_by_name())
        pattern = re.compile(r"([a-z][a-z-]{3,})(?: subunit)? (" + letters + r") (\d{1,2})")
        for gi, gene in enumerate(self.genes):
            m = pattern.fullmatch(gene.name)
            if m is None:
                continue
            noun, letter, number = m.groups()
            for term in (f"{letter}-{noun} {number}", f"{letter}{number} {noun}"):
                self.add_gap(term, Entry(GENE, SRC_NAME, term, f"g{gi}", "greek_first"))

    def add_mesh_genes(
        self,
        descriptors: Iterable[MeshRecord],
        supplementary: Iterable[MeshRecord],
        by_symbol: dict[str, int],
        protein_trees: tuple[str, ...] = ("D12.644", "D12.776", "D08.811"),
    ) -> None:
        """Add names of human proteins from MeSH (source ``mesh_gene``).

        A supplementary record "SELP protein, human" names an HGNC symbol (or a
        previous symbol of one gene); its synonyms ("selectin-P, human",
        "CD62P protein, human") are names of that gene, without ", human" and,
        where what is left is a name ("CD62P", "separase", not
        "dexamethasone-induced" or "lens epithelial"), without a final
        "protein"; an English word with "protein" ("finger protein") is no name.
        A protein descriptor without narrower descriptors that exactly one human
        protein record maps to ("P-Selectin", "Separase") names that gene too;
        one that several human protein records map to, or one with narrower
        descriptors ("Protein Kinase C"), names a class and is skipped (human
        records of engineered products, "... fusion protein, human", and of RNAs
        do not count); so is one with a term that is another gene's HGNC
        symbol, alias or name ("Urokinase-Type Plasminogen Activator", "U-PA",
        is PLAU's protein, not that of the SLURP1 record mapped to it). A
        synonym that is also a term of a descriptor the record does not map to
        ("Alzheimer disease", "heart muscle") or of a disease record names
        that, not the gene.
        """
        descriptors = list(descriptors)
        diseases = {rec.mesh_id for rec in descriptors if any(t.startswith("C") for t in rec.trees)}
        # a descriptor with narrower descriptors below it names a class ("Protein Kinase C")
        parents = {t.rsplit(".", 1)[0] for rec in descriptors for t in rec.trees if "." in t}
        english = frozenset(w.strip().lower() for w in read_data_lines("english_words.txt"))
        human: list[tuple[int, MeshRecord]] = []
        human_by_descriptor: dict[str, list[int | None]] = defaultdict(list)
        disease_keys: set[str] = set()  # names of disease records
        for rec in supplementary:
            if not rec.name.endswith(_HUMAN):
                if any(d in diseases for d in rec.mapped_to):
                    disease_keys.update(make_key(t) for t in [rec.name] + rec.terms)
                continue
            m = _HUMAN_PROTEIN.match(rec.name)
            if m is None:
                continue  # engineered products ("... fusion protein, human"), RNAs
            gi = by_symbol.get(m.group(1), self.prev_symbols.get(m.group(1)))
            for d in rec.mapped_to:
                human_by_descriptor[d].append(gi)
            if gi is not None:
                human.append((gi, rec))
        descriptor_keys: dict[str, set[str]] = defaultdict(set)  # term key -> descriptors
        for rec in descriptors:
            genes = human_by_descriptor.get(rec.mesh_id, [])
            gene = None
            if (
                len(genes) == 1
                and genes[0] is not None
                and any(t.startswith(protein_trees) for t in rec.trees)
                and not any(t in parents for t in rec.trees)
            ):
                gene = genes[0]
            terms = [t for i, t in enumerate([rec.name] + rec.terms) if not (i and _inverted(t))]
            if gene is not None and self._names_other_gene(terms, f"g{gene}"):
                gene = None  # "Urokinase-Type Plasminogen Activator" (u-PA) is PLAU, not the SLURP1 mapped to it
            for term in terms:
                for form in (term, singular(term)):
                    if form:
                        descriptor_keys[make_key(form)].add(rec.mesh_id)
                if gene is not None:
                    self.add(term, Entry(GENE, SRC_MESH_GENE, term, f"g{gene}", "descriptor"))
        for gi, rec in human:
            target = f"g{gi}"
            own = set(rec.mapped_to)
            for term in rec.terms:
                name = term[: -len(_HUMAN)] if term.endswith(_HUMAN) else term
                bare = _PROTEIN_WORD.sub("", name)
                if bare.lower() in english:
                    continue  # "finger protein", "spindle protein": a word, not a name
                for form in (name, bare) if bare != name and _name_like(bare) else (name,):
                    k = make_key(form)
                    if k in disease_keys or not descriptor_keys.get(k, own) <= own:
                        continue  # the term of a disease or of another descriptor
                    self.add(form, Entry(GENE, SRC_MESH_GENE, form, target, "scr"))

    def _names_other_gene(self, terms: list[str], target: str) -> bool:
        """Is one of ``terms`` an HGNC symbol, alias, previous symbol or name of a gene other than ``target``?"""
        for term in terms:
            for e in self.items.get(make_key(term), ()):
                if e.kind == GENE and e.source in (SRC_SYMBOL, SRC_ALIAS, SRC_PREV, SRC_NAME) and e.target != target:
                    return True
        return False

    # MeSH ----------------------------------------------------------------

    def add_mesh(self, mesh: MeshTerms, supplementary: Iterable[MeshRecord]) -> None:
        """Add chemical and disease terms from ``mesh``'s descriptors and from supplementary records."""
        self.add_mesh_trees(mesh.descriptors)
        self.add_entries(mesh.descriptor_entries())
        for rec in supplementary:
            self.add_entries(mesh.supplementary_entries(rec))

    def add_mesh_trees(self, descriptors: Iterable[MeshRecord]) -> None:
        """Keep the descriptors' tree numbers (for reports as of an older MeSH version)."""
        for rec in descriptors:
            if rec.trees:
                self.mesh_trees[rec.mesh_id] = tuple(rec.trees)

    def add_curated(self, rows: Iterable[tuple[str, ...]], source: str = SRC_CURATED, variant: str = "") -> None:
        """Add curated or learned chemical and disease synonyms (``lexicons/*synonyms.tsv``), and
        curated names of FamPlex families that its grounding map lacks (kind ``family``, a FamPlex id).

        An id field of several MeSH ids joined by ``|`` makes a composite term,
        which names all of them.
        """
        kinds = {"chemical": CHEMICAL, "disease": DISEASE}
        for kind, term, mesh_id, *_ in rows:
            if kind == "family":
                if mesh_id in self.families:
                    self.add(term, Entry(GENE, SRC_FAMPLEX, term, f"f{mesh_id}", "grounding", ""))
                else:  # another FamPlex release may lack the family, or its member genes
                    log.warning("synonyms: %r: %r is not a FamPlex family with member genes; skipped", term, mesh_id)
                continue
            if kind not in kinds:
                raise ValueError(f"synonyms: unknown kind {kind!r}")
            ids = list(dict.fromkeys(i.strip() for i in mesh_id.split(COMPOSITE_SEP)))
            if not all(_MESH_ID.fullmatch(i) for i in ids):
                raise ValueError(f"synonyms: {term!r}: {mesh_id!r} is not a MeSH id or ids joined by {COMPOSITE_SEP!r}")
            self.add(term, Entry(kinds[kind], source, term, COMPOSITE_SEP.join(ids), variant, ""))

    # output --------------------------------------------------------------

    def write(self, directory: Path, manifest: dict) -> None:
        """Write the key trie, the entry payload, the tables and the manifest into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        trie = marisa_trie.Trie(self.items.keys())
        trie.save(str(directory / "keys.marisa"))
        blobs: list[bytes] = [b""] * len(trie)
        for k, entries in self.items.items():
            blobs[trie[k]] = ENTRY_SEP.join(e.encode() for e in entries)
        offsets = array.array("Q", [0])
        with open(directory / "entries.bin", "wb") as fh:
            for blob in blobs:
                fh.write(blob)
                offsets.append(offsets[-1] + len(blob))
        with open(directory / "offsets.bin", "wb") as fh:
            offsets.tofile(fh)
        tables = {
            "genes": self.genes,
            "families": self.families,
            "max_key_length": max(map(len, self.items)),
        }
        with open(directory / "tables.pkl", "wb") as fh:
            pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
        # apart: only jobs that report as of an older MeSH version read them
        with open(directory / "mesh_trees.pkl", "wb") as fh:
            pickle.dump(self.mesh_trees, fh, protocol=pickle.HIGHEST_PROTOCOL)
        n_entries = sum(len(v) for v in self.items.values())
        manifest = dict(manifest)
        manifest["counts"] = dict(sorted(self.counts.items()))
        manifest["keys"] = len(self.items)
        manifest["entries"] = n_entries
        manifest["genes"] = len(self.genes)
        manifest["families"] = len(self.families)
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_rewrite_rules(name: str) -> list[tuple[re.Pattern[str], str]]:
    """Regex rewrites of terms from a table in ``lexicons/`` (pattern, replacement, example):
    British spellings (``spelling_variants.tsv``), organ adjectives (``organ_adjectives.tsv``), disease
    head nouns (``disease_heads.tsv``). A replacement of several forms joined by ``|`` is one rule
    per form, in that order."""
    rules: list[tuple[re.Pattern[str], str]] = []
    for p, r, _ in read_data_table(name, 3):
        pattern = re.compile(p, re.IGNORECASE)
        rules.extend((pattern, form) for form in r.split("|"))
    return rules


def load_variant_rules() -> list[tuple[str, str, str]]:
    """Suffix rewrite rules for chemical names ("ic acid" -> "ate")."""
    return [(p.lower(), r, n) for p, r, n in read_data_table("chemical_variants.tsv", 3)]


def _add_mesh_sources(builder: LexiconBuilder, sources: SourceFiles, by_symbol: dict[str, int]) -> None:
    """``add_mesh_genes`` then ``add_mesh`` on the MeSH sources, parsing each file once.

    The supplementary records stream through ``add_mesh_genes``; their chemical and disease
    entries, gathered on the way (far smaller than the records), are added after the
    descriptors' entries, so the lexicon gets the same entries in the same order.
    """
    rules = MeshTreeRules.load()
    descriptors = list(parse_mesh(sources["mesh_descriptors"], supplementary=False))
    mesh = MeshTerms.from_data(descriptors, rules)
    supplementary_entries: list[Entry] = []

    def supplementary() -> Iterator[MeshRecord]:
        for rec in parse_mesh(sources["mesh_supplementary"], supplementary=True):
            supplementary_entries.extend(mesh.supplementary_entries(rec))
            yield rec

    builder.add_mesh_trees(descriptors)
    builder.add_mesh_genes(descriptors, supplementary(), by_symbol, rules.protein)
    builder.add_entries(mesh.descriptor_entries())
    builder.add_entries(supplementary_entries)


def build_lexicon(sources: SourceFiles, directory: Path, manifest: dict) -> None:
    """Build the compiled lexicon from ``sources`` into ``directory``."""
    started = time.perf_counter()
    builder = LexiconBuilder()
    by_symbol = builder.add_hgnc(parse_hgnc(sources["hgnc"]))
    builder.add_famplex(parse_famplex(sources), by_symbol)
    _add_mesh_sources(builder, sources, by_symbol)
    builder.add_greek_first_names()
    builder.add_gene_name_spellings(load_rewrite_rules("spelling_variants.tsv"))
    builder.add_mass_compounds(by_symbol)
    builder.add_curated(read_data_table("synonyms.tsv", 4))
    builder.add_curated(read_data_table("learned_synonyms.tsv", 5), SRC_LEARNED)
    builder.add_curated(read_data_table("learned_former_ids.tsv", 5), SRC_LEARNED, VARIANT_FORMER)
    manifest = dict(manifest, build_seconds=round(time.perf_counter() - started, 2))
    builder.write(directory, manifest)


# --------------------------------------------------------------------------
# Runtime lexicon
# --------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    """The manifest of the compiled lexicon in ``directory``."""
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


class Lexicon:
    """A compiled lexicon: key lookups, prefix search, gene and family tables."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.trie = marisa_trie.Trie()
        self.trie.mmap(str(directory / "keys.marisa"))
        self._entries = _map_file(directory / "entries.bin")
        self._offsets = _map_file(directory / "offsets.bin").cast("Q")
        with open(directory / "tables.pkl", "rb") as fh:
            tables = pickle.load(fh)
        self.genes: list[Gene] = tables["genes"]
        self.families: dict[str, tuple[int, ...]] = tables["families"]
        self.max_key_length: int = tables["max_key_length"]
        self._mesh_trees: dict[str, tuple[str, ...]] | None = None  # read on first use
        self._by_tree: dict[str, str] | None = None  # descriptor id by tree number, made on first use
        self.manifest = read_manifest(directory)
        #: entries by key, as filled by ``lookup`` (a hot loop may read it before calling ``lookup``)
        self.entries_cache: dict[str, tuple[Entry, ...]] = {}
        self._by_entrez: dict[str, int] | None = None  # gene index by NCBI Gene ID, made on first use

    def lookup(self, k: str) -> tuple[Entry, ...]:
        """All entries stored under key ``k`` (empty if none)."""
        hit = self.entries_cache.get(k)
        if hit is None:
            kid = self.trie.get(k)
            if kid is None:
                hit = ()
            else:
                raw = bytes(self._entries[self._offsets[kid] : self._offsets[kid + 1]])
                hit = tuple(Entry.decode(part) for part in raw.split(ENTRY_SEP))
            if len(self.entries_cache) > 200_000:
                self.entries_cache.clear()
            self.entries_cache[k] = hit
        return hit

    def prefixes(self, text: str) -> list[str]:
        """Keys that are prefixes of ``text``."""
        return self.trie.prefixes(text)

    def has_prefix(self, prefix: str) -> bool:
        """True if some key starts with ``prefix``."""
        return next(self.trie.iterkeys(prefix), None) is not None

    def keys_with_prefix(self, prefix: str) -> list[str]:
        """Keys that start with ``prefix``."""
        return self.trie.keys(prefix)

    def __contains__(self, k: str) -> bool:
        return k in self.trie

    def gene_targets_by_entrez(self, entrez: str) -> int:
        """Index of the gene with this NCBI Gene ID."""
        index = self._by_entrez
        if index is None:
            index = self._by_entrez = {g.entrez: i for i, g in enumerate(self.genes)}
        return index[entrez]

    @property
    def mesh_trees(self) -> dict[str, tuple[str, ...]]:
        """MeSH descriptor id -> its tree numbers (read from the cache on first use)."""
        trees = self._mesh_trees
        if trees is None:
            with open(self.directory / "mesh_trees.pkl", "rb") as fh:
                trees = self._mesh_trees = pickle.load(fh)
        return trees

    def broader_descriptors(self, mesh_id: str, newest: int, branches: tuple[str, ...]) -> list[str]:
        """The nearest broader descriptors of ``mesh_id`` whose ID number is at most ``newest``: one per
        tree number starting with one of ``branches``, walking up that tree past newer descriptors;
        distinct, in tree-number order."""
        by_tree = self._by_tree
        if by_tree is None:
            by_tree = self._by_tree = {t: d for d, trees in self.mesh_trees.items() for t in trees}
        out: list[str] = []
        for tree in self.mesh_trees.get(mesh_id, ()):
            if not tree.startswith(branches):
                continue
            while "." in tree:
                tree = tree.rsplit(".", 1)[0]
                broader = by_tree.get(tree)
                if broader is not None and mesh_number(broader) <= newest:
                    if broader not in out:
                        out.append(broader)
                    break
        return out

    def gene_targets(self, target: str) -> tuple[int, ...]:
        """Gene indices of an entry target: one gene, or every member of a family."""
        if target[0] == "g":
            return (int(target[1:]),)
        return self.families.get(target[1:], ())


def mesh_number(mesh_id: str) -> int:
    """The number of a MeSH ID ("D000096722" -> 96722); IDs are numbered in order of creation."""
    return int(mesh_id[1:])


def _map_file(path: Path) -> memoryview:
    """A read-only memory map of a file (an empty view for an empty file)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return memoryview(b"")
        return memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))


def source_checksums(sources: SourceFiles) -> dict[str, dict[str, str | int]]:
    """Checksum, size and path of every source file, by role."""
    out: dict[str, dict[str, str | int]] = {}
    for role, path in sorted(sources.paths.items()):
        out[role] = {"path": str(path), "sha256": file_sha256(path), "bytes": path.stat().st_size}
    return out


def cache_key(sources: SourceFiles) -> tuple[str, dict]:
    """Cache key of the lexicon built from ``sources``, and the manifest header."""
    checks = source_checksums(sources)
    curated = {name: file_sha256(data_file(name)) for name in BUILD_DATA_FILES}
    digest = hashlib.sha256()
    digest.update(BUILDER_VERSION.encode())
    for role, info in checks.items():
        digest.update(f"{role}:{info['sha256']}".encode())
    for name, sha in curated.items():
        digest.update(f"{name}:{sha}".encode())
    k = digest.hexdigest()[:16]
    manifest = {
        "cache_key": k,
        "builder_version": BUILDER_VERSION,
        "extractor_version": __version__,
        "sources": checks,
        "curated_files": curated,
    }
    return k, manifest


def lexicon_dir(k: str) -> Path:
    return extractor_home() / "lexicons" / k


def ensure_lexicon(sources_dir: str | os.PathLike[str] | None = None, rebuild: bool = False) -> Path:
    """Directory of the compiled lexicon for the located sources, building it if needed."""
    sources = locate_sources(sources_dir)
    k, manifest = cache_key(sources)
    target = lexicon_dir(k)
    if (target / "manifest.json").is_file() and not rebuild:
        return target
    log.info("building lexicon %s from %s", k, sources.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{k}."))
    try:
        build_lexicon(sources, tmp, dict(manifest, created=time.strftime("%Y-%m-%dT%H:%M:%S%z")))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    atomic_write_text(target.parent / "LATEST", k + "\n")
    return target


_LOADED: dict[Path, Lexicon] = {}


def load_lexicon(sources_dir: str | os.PathLike[str] | None = None, rebuild: bool = False) -> Lexicon:
    """Load (building if needed) the lexicon for the located sources; memoised per process."""
    directory = ensure_lexicon(sources_dir, rebuild=rebuild)
    lex = _LOADED.get(directory)
    if lex is None or rebuild:
        lex = Lexicon(directory)
        _LOADED[directory] = lex
    return lex
