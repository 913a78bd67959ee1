"""Figure records: reading (.md with YAML front matter, JSONL, PubTator) and writing.

The record schema is PFOCR's: figure metadata, ``caption``, and the annotation
lists ``genes`` (``word, symbol, source, hgnc_symbol, entrez``), ``chemicals``
and ``diseases`` (``word, source, identifier``). Readers yield either a
:class:`FigureRecord` or a :class:`RecordError` per record, so one bad file
never stops a batch.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import abc
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import IO, Any, Final, Iterable, Iterator, Mapping, NamedTuple, Sequence

import yaml

from .resources import atomic_write_text

log = logging.getLogger(__name__)

try:  # libyaml is much faster; PyYAML wheels ship it
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

ANNOTATION_KEYS: Final = ("genes", "chemicals", "diseases")
MESH_SOURCE: Final = "MESH"


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, quick for the dicts that JSON and YAML give (typing's check is slow)."""
    return type(value) is dict or isinstance(value, abc.Mapping)


def reduce_by_fields(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """``__reduce__`` of a frozen dataclass: rebuilt through ``__init__`` when unpickled.

    A compiled build of a module cannot restore a frozen instance's fields one
    by one, as pickle does by default; worker processes receive such objects.
    """
    return type(obj), tuple(getattr(obj, f.name) for f in fields(obj))


@dataclass(frozen=True, slots=True)
class GeneRow:
    """One gene annotation row (a FamPlex family gives one row per member gene)."""

    word: str
    symbol: str
    source: str
    hgnc_symbol: str
    entrez: str
    provenance: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "word": self.word,
            "symbol": self.symbol,
            "source": self.source,
            "hgnc_symbol": self.hgnc_symbol,
            "entrez": self.entrez,
        }
        if self.provenance:
            out["provenance"] = dict(self.provenance)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return reduce_by_fields(self)


@dataclass(frozen=True, slots=True)
class ConceptRow:
    """One chemical or disease annotation row."""

    word: str
    identifier: str
    source: str = MESH_SOURCE
    provenance: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"word": self.word, "source": self.source, "identifier": self.identifier}
        if self.provenance:
            out["provenance"] = dict(self.provenance)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return reduce_by_fields(self)


@dataclass(frozen=True)
class FigureRecord:
    """A figure record: metadata as read, the texts to annotate, and annotations."""

    figid: str
    caption: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    ocr_text: str | None = None
    body: str = ""
    genes: tuple[GeneRow, ...] = ()
    chemicals: tuple[ConceptRow, ...] = ()
    diseases: tuple[ConceptRow, ...] = ()
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Front matter of the record: input metadata with the annotation lists replaced."""
        out = dict(self.meta)
        out.setdefault("figid", self.figid)
        out.setdefault("caption", self.caption)
        out["genes"] = [g.to_dict() for g in self.genes]
        out["chemicals"] = [c.to_dict() for c in self.chemicals]
        out["diseases"] = [d.to_dict() for d in self.diseases]
        return out

    def with_annotations(
        self, genes: Sequence[GeneRow], chemicals: Sequence[ConceptRow], diseases: Sequence[ConceptRow]
    ) -> "FigureRecord":
        return FigureRecord(
            self.figid, self.caption, self.meta, self.ocr_text, self.body,
            tuple(genes), tuple(chemicals), tuple(diseases), self.path,
        )  # fmt: skip

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return reduce_by_fields(self)


class RecordError(NamedTuple):
    """A record that could not be read: where, and why (one line)."""

    path: str
    message: str
    figid: str = ""

    def line(self) -> str:
        where = f"{self.path}" + (f" [{self.figid}]" if self.figid else "")
        return f"{where}: {self.message}"


class InputError(ValueError):
    """An input path that cannot be read at all."""


# --------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    return str(value)


def _annotation_list(items: Any, key: str) -> list[Any]:
    """The ``genes``/``chemicals``/``diseases`` value as a list of mappings (ValueError if it is not one)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValueError(
            f"malformed record: {key} is {_short(items)}, but genes, chemicals and diseases must be lists of mappings"
        )
    for item in items:
        if not _is_mapping(item):
            what = "gene annotation" if key == "genes" else "annotation"
            raise ValueError(f"{what} is not a mapping: {_short(item)}")
    return items


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _gene_rows(items: Any) -> tuple[GeneRow, ...]:
    rows = []
    for item in _annotation_list(items, "genes"):
        rows.append(
            GeneRow(
                word=_text(item.get("word")),
                symbol=_text(item.get("symbol")),
                source=_text(item.get("source")),
                hgnc_symbol=_text(item.get("hgnc_symbol")),
                entrez=_text(item.get("entrez")),
            )
        )
    return tuple(rows)


def _concept_rows(items: Any, key: str) -> tuple[ConceptRow, ...]:
    rows = []
    for item in _annotation_list(items, key):
        rows.append(
            ConceptRow(
                word=_text(item.get("word")),
                identifier=_text(item.get("identifier")),
                source=_text(item.get("source")) or MESH_SOURCE,
            )
        )
    return tuple(rows)


def record_from_mapping(
    data: Mapping[str, Any], path: str, default_id: str = "", annotations: bool = True
) -> FigureRecord:
    """Build a record from front matter or a JSON object (raises ValueError if unusable).

    With ``annotations=False`` (records about to be re-annotated) the input's
    ``genes``, ``chemicals`` and ``diseases`` lists are checked to be lists of
    mappings but not turned into rows, and are left out of ``meta`` (their keys
    stay, with empty lists, so the written record keeps the key order).
    """
    if not _is_mapping(data):
        raise ValueError("record is not a mapping of fields")
    figid = _text(data.get("figid") or data.get("id") or data.get("pmid") or default_id).strip()
    if not figid:
        raise ValueError("record has no figid")
    if re.search(r"[/\\\x00]", figid) or figid in (".", ".."):
        raise ValueError(f"figid {figid!r} cannot be used as a file name")
    caption = _text(data.get("caption"))
    ocr = data.get("ocr_text")
    meta = dict(data)
    if annotations:
        genes = _gene_rows(data.get("genes"))
        chemicals = _concept_rows(data.get("chemicals"), "chemicals")
        diseases = _concept_rows(data.get("diseases"), "diseases")
    else:
        genes, chemicals, diseases = (), (), ()
        for key in ANNOTATION_KEYS:
            if key in meta:
                _annotation_list(meta[key], key)
                meta[key] = []
    return FigureRecord(
        figid=figid,
        caption=caption,
        meta=meta,
        ocr_text=_text(ocr) if ocr is not None else None,
        genes=genes,
        chemicals=chemicals,
        diseases=diseases,
        path=path,
    )


def split_front_matter(text: str) -> tuple[str, str]:
    """(YAML front matter, body) of a Markdown record; ValueError if there is none."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ValueError("no YAML front matter (the file must start with a '---' line)")
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise ValueError("YAML front matter is not closed by a '---' line")


def parse_markdown(data: bytes, path: str, annotations: bool = True) -> FigureRecord:
    """Parse one Markdown record (raises ValueError with a one-line reason).

    With ``annotations=False`` the annotation lists are not parsed (see
    :func:`record_from_mapping`); when they are in the usual block layout they
    are not even read as YAML, which makes reading PFOCR records several times
    faster.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from None
    front, body = split_front_matter(text)
    if not annotations:
        front = _blank_annotation_blocks(front) or front
    try:
        meta = yaml.load(front, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"malformed YAML front matter{where}: {problem}") from None
    if meta is None:
        meta = {}
    return replace(record_from_mapping(meta, path, default_id=Path(path).stem, annotations=annotations), body=body)


_ANNOTATION_KEY_LINE: Final = re.compile(r"(genes|chemicals|diseases):(?:[ ]+(\S.*?))?[ ]*\r?$")
_BLOCK_ITEM_LINE: Final = re.compile(r"- [A-Za-z_][A-Za-z0-9_]*:(?: |\r?$)")


def _blank_annotation_blocks(front: str) -> str | None:
    """Front matter with each top-level annotation list replaced by ``[]``, line numbers kept.

    Only the layout PyYAML and PFOCR write is recognised: ``genes: []``, or
    ``genes:`` followed by ``- key: ...`` items at column 0 and indented
    continuation lines. Anything else (``genes: 5``, flow lists, odd
    indentation) gives None, and the caller parses the whole front matter.
    """
    if "genes:" not in front and "chemicals:" not in front and "diseases:" not in front:
        return front
    lines = front.split("\n")
    i, n = 0, len(lines)
    while i < n:
        m = _ANNOTATION_KEY_LINE.match(lines[i])
        if m is None:
            i += 1
            continue
        rest = m.group(2)
        j = i + 1
        items = 0
        while j < n:
            line = lines[j]
            if not line.strip() or line.startswith("#"):
                j += 1
            elif line[0] == " ":
                if items == 0:
                    return None  # an indented value, not an indentless list
                j += 1
            elif line[0] == "-":
                if not _BLOCK_ITEM_LINE.match(line):
                    return None
                items += 1
                j += 1
            else:
                break
        if not (rest is None or (rest == "[]" and items == 0)):
            return None
        lines[i] = f"{m.group(1)}: []"
        for k in range(i + 1, j):
            lines[k] = ""
        i = j
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """Input format of ``path``: ``mddir``, ``md``, ``jsonl`` or ``pubtator``."""
    if path.is_dir():
        return "mddir"
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.suffix.lower() == ".md":
        return "md"
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    first = next((ln for ln in head.splitlines() if ln.strip()), b"")
    if re.match(rb"^[^|\t]+\|[ta]\|", first):
        return "pubtator"
    if first.lstrip().startswith(b"{"):
        return "jsonl"
    if first.startswith(b"---"):
        return "md"
    raise InputError(f"{path}: unknown input format (expected a directory of .md records, JSONL or PubTator)")


def iter_records(
    path: str | os.PathLike[str], annotations: bool = True, human_genes_only: bool = True
) -> Iterator[FigureRecord | RecordError]:
    """Stream the records of an input path; unreadable records come as RecordError.

    ``annotations=False`` skips building the input's annotation rows (for
    records that are about to be re-annotated); see :func:`record_from_mapping`.
    ``human_genes_only`` applies to PubTator gene annotations (see
    :meth:`PubtatorDoc.to_record`).
    """
    p = Path(path)
    try:
        fmt = detect_format(p)
    except InputError as exc:
        yield RecordError(str(p), str(exc).split(": ", 1)[-1])
        return
    if fmt == "mddir":
        yield from _iter_md_dir(p, annotations)
    elif fmt == "md":
        yield _read_md_file(p, annotations)
    elif fmt == "jsonl":
        yield from _iter_jsonl(p, annotations)
    else:
        for doc in iter_pubtator(p):
            if isinstance(doc, RecordError):
                yield doc
            elif annotations:
                yield doc.to_record(human_genes_only=human_genes_only)
            else:
                yield PubtatorDoc(doc.pmid, doc.title, doc.abstract, [], doc.path).to_record()


def _iter_md_dir(directory: Path, annotations: bool = True) -> Iterator[FigureRecord | RecordError]:
    try:
        names = sorted(e.name for e in os.scandir(directory) if e.name.endswith(".md") and e.is_file())
    except OSError as exc:
        yield RecordError(str(directory), f"cannot list directory ({exc.strerror})")
        return
    for name in names:
        if name.lower() == "readme.md":
            continue
        yield _read_md_file(directory / name, annotations)


def _read_md_file(path: Path, annotations: bool = True) -> FigureRecord | RecordError:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return RecordError(str(path), f"cannot read ({exc.strerror})")
    try:
        return parse_markdown(data, str(path), annotations)
    except ValueError as exc:
        return RecordError(str(path), str(exc))
    except RecursionError:
        return RecordError(str(path), "malformed YAML front matter: nested too deeply")


def _iter_jsonl(path: Path, annotations: bool = True) -> Iterator[FigureRecord | RecordError]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield RecordError(str(path), f"cannot read ({exc.strerror})")
        return
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                data = json.loads(raw.decode("utf-8-sig" if lineno == 1 else "utf-8"))  # -sig: drop a BOM
            except UnicodeDecodeError as exc:
                yield RecordError(where, f"not valid UTF-8 (byte {exc.start})")
                continue
            except json.JSONDecodeError as exc:
                yield RecordError(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            except RecursionError:
                yield RecordError(where, "malformed JSON: nested too deeply")
                continue
            try:
                yield record_from_mapping(data, where, annotations=annotations)
            except ValueError as exc:
                yield RecordError(where, str(exc))


# --------------------------------------------------------------------------
# PubTator
# --------------------------------------------------------------------------


class PubtatorMention(NamedTuple):
    start: int
    end: int
    text: str
    type: str
    ids: tuple[str, ...]


@dataclass
class PubtatorDoc:
    """One PubTator document: title, abstract and mention annotations."""

    pmid: str
    title: str = ""
    abstract: str = ""
    mentions: list[PubtatorMention] = field(default_factory=list)
    path: str = ""

    @property
    def text(self) -> str:
        return self.title + " " + self.abstract

    def to_record(self, human_genes_only: bool = True) -> FigureRecord:
        """The document as a record: title + abstract as caption, annotations as gold rows."""
        genes, chems, dis = [], [], []
        for m in self.mentions:
            kind = m.type.lower()
            for ident in m.ids:
                if not ident or ident == "-1" or ident == "-":
                    continue
                if kind == "gene":
                    if "(tax:" in ident.lower():
                        if human_genes_only:
                            continue
                        ident = ident.split("(", 1)[0]
                    genes.append(GeneRow(m.text, m.text, "pubtator", "", ident))
                elif kind == "chemical":
                    chems.append(ConceptRow(m.text, ident))
                elif kind == "disease":
                    dis.append(ConceptRow(m.text, ident))
        meta = {"figid": self.pmid, "caption": self.text}
        return FigureRecord(
            self.pmid, self.text, meta, None, "", tuple(genes), tuple(chems), tuple(dis), f"{self.path}#{self.pmid}"
        )


_ID_SPLIT: Final = re.compile(r"[|;,]")


def iter_pubtator(path: str | os.PathLike[str]) -> Iterator[PubtatorDoc | RecordError]:
    """Stream documents from a PubTator file (relation lines are skipped)."""
    p = Path(path)
    try:
        fh: IO[bytes] = open(p, "rb")
    except OSError as exc:
        yield RecordError(str(p), f"cannot read ({exc.strerror})")
        return
    doc: PubtatorDoc | None = None
    with fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield RecordError(f"{p}:{lineno}", "not valid UTF-8")
                continue
            if not line.strip():
                if doc is not None:
                    yield doc
                    doc = None
                continue
            m = re.match(r"^([^|\t]+)\|([ta])\|(.*)$", line)
            if m:
                pmid, part, text = m.groups()
                if doc is not None and doc.pmid != pmid:
                    yield doc
                    doc = None
                if doc is None:
                    doc = PubtatorDoc(pmid, path=str(p))
                if part == "t":
                    doc.title = text
                else:
                    doc.abstract = text
                continue
            fields = line.split("\t")
            if len(fields) >= 2 and fields[1] in ("CID", "Relation"):
                continue
            if doc is None or len(fields) < 5 or fields[0] != doc.pmid:
                yield RecordError(f"{p}:{lineno}", "malformed PubTator line")
                continue
            try:
                start, end = int(fields[1]), int(fields[2])
            except ValueError:
                yield RecordError(f"{p}:{lineno}", "malformed PubTator offsets")
                continue
            ids = tuple(i.strip() for i in _ID_SPLIT.split(fields[5])) if len(fields) > 5 else ()
            doc.mentions.append(PubtatorMention(start, end, fields[3], fields[4], ids))
    if doc is not None:
        yield doc


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def dump_front_matter(data: Mapping[str, Any]) -> str:
    """YAML front matter text (key order kept, Unicode kept), exactly as PyYAML writes it.

    PyYAML is slow at this (about a millisecond per PFOCR record), so entries
    whose keys and values are simple (strings, numbers, and the flat annotation
    rows) are written here by the same rules, with the same line folding;
    anything else goes through PyYAML.
    """
    parts: list[str] = []
    slow: dict[Any, Any] = {}
    for key, value in data.items():
        text = _fast_entry(key, value)
        if text is None:
            slow[key] = value
            continue
        if slow:
            parts.append(_yaml_dump(slow))
            slow = {}
        parts.append(text)
    if slow:
        parts.append(_yaml_dump(slow))
    return "".join(parts)


def _yaml_dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _fast_entry(key: Any, value: Any) -> str | None:
    """One top-level ``key: value`` entry as PyYAML writes it, or None if not simple."""
    if not _simple_key(key):
        return None
    if key in ANNOTATION_KEYS:
        return _annotation_block(key, value)
    text = _yaml_scalar(value, len(key) + 2, fold=True)
    return None if text is None else f"{key}: {text}\n"


_YAML_WIDTH: Final = 80  # PyYAML's default line width: longer scalars are folded at single spaces
_YAML_STR_TAG: Final = "tag:yaml.org,2002:str"
_YAML_RESOLVER: Final = yaml.resolver.Resolver()
_YAML_RESOLVED_FIRST: Final = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
# characters PyYAML writes as they are on one line (printable, no line breaks, no BOM)
_YAML_ODD_CHAR: Final = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]")
_YAML_INDICATORS: Final = frozenset("#,[]{}&*!|>'\"%@`")


def _yaml_plain_ok(value: str) -> bool:
    """Whether PyYAML writes this one-line printable string unquoted (as a block value)."""
    return not (
        value[0] in _YAML_INDICATORS
        or value[0] == " "
        or value[-1] == " "
        or value[-1] == ":"
        or (value[0] in "?:-" and (len(value) == 1 or value[1] == " "))
        or value.startswith(("---", "..."))
        or ": " in value
        or " #" in value
        or (
            value[0] in _YAML_RESOLVED_FIRST
            and _YAML_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _YAML_STR_TAG
        )
    )


def _yaml_scalar(value: Any, column: int, fold: bool = False) -> str | None:
    """``value`` as PyYAML writes it as a block mapping value starting at ``column``; None if not simple.

    Simple means None, a bool, an int, or a one-line string of printable
    characters. A string is plain when PyYAML allows that (no indicator
    characters where they matter, no leading or trailing space, and it does
    not read back as another type), else single-quoted. A string that may need
    folding is folded as PyYAML does at the top level (``fold``, continuation
    lines indented by two), else not simple.
    """
    if isinstance(value, str):
        if not value:
            return "''"
        if _YAML_ODD_CHAR.search(value) is not None:
            return None
        plain = _yaml_plain_ok(value)
        text = value if plain else "'" + value.replace("'", "''") + "'"
        if " " in value and column + len(text) > _YAML_WIDTH:
            return _yaml_folded(value, column, not plain) if fold else None
        return text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return None


def _yaml_folded(value: str, column: int, quoted: bool) -> str:
    """PyYAML's folding of a long top-level scalar: a lone space past the line width becomes a line break."""
    if quoted:
        column += 1
        if "'" in value:
            return _yaml_folded_words(value, column)
    out = ["'"] if quoted else []
    i, n = 0, len(value)
    while True:
        # the first lone space (a word on either side) at which the column is past the width
        j = value.find(" ", max(i, i + _YAML_WIDTH + 1 - column))
        while j != -1 and (j == 0 or value[j - 1] == " " or j + 1 >= n or value[j + 1] == " "):
            j = value.find(" ", j + 1)
        if j == -1:
            out.append(value[i:])
            break
        out.append(value[i:j])
        out.append("\n  ")
        column, i = 2, j + 1
    if quoted:
        out.append("'")
    return "".join(out)


def _yaml_folded_words(value: str, column: int) -> str:
    """:func:`_yaml_folded` of a single-quoted scalar with quotes in it (each written twice)."""
    out = ["'"]
    prev = ""
    for i, word in enumerate(w.replace("'", "''") for w in value.split(" ")):  # n spaces leave n - 1 empty words
        if i:
            if prev and word and column > _YAML_WIDTH:
                out.append("\n  ")
                column = 2
            else:
                out.append(" ")
                column += 1
        out.append(word)
        column += len(word)
        prev = word
    out.append("'")
    return "".join(out)


_SIMPLE_KEYS: Final[set[str]] = set()
_SCALAR_MEMO: Final[dict[tuple[str, int], str | None]] = {}


def _simple_key(key: Any) -> bool:
    if key in _SIMPLE_KEYS:
        return True
    if isinstance(key, str) and 0 < len(key) < 64 and _yaml_scalar(key, 0) == key:
        _SIMPLE_KEYS.add(key)
        return True
    return False


def _memo_scalar(value: Any, column: int) -> str | None:
    if type(value) is not str:
        return _yaml_scalar(value, column)
    k = (value, column)
    try:
        return _SCALAR_MEMO[k]
    except KeyError:
        pass
    if len(_SCALAR_MEMO) > 100_000:
        _SCALAR_MEMO.clear()
    text = _SCALAR_MEMO[k] = _yaml_scalar(value, column)
    return text


_ROW_MEMO: Final[dict[tuple, str]] = {}


def _annotation_block(key: str, rows: Any) -> str | None:
    """``key: [rows]`` as PyYAML writes it (an indentless block list of flat mappings); None if not simple."""
    if not isinstance(rows, list):
        return None
    if not rows:
        return f"{key}: []\n"
    out = [key, ":\n"]
    for row in rows:
        if not isinstance(row, dict) or not row:
            return None
        items = tuple(row.items())
        if not all(type(v) is str for _, v in items):  # provenance, numbers: not remembered (1 == True == 1.0)
            text = _row_text(items)
        else:
            text = _ROW_MEMO.get(items)
            if text is None:
                text = _row_text(items)
                if text is not None:
                    if len(_ROW_MEMO) > 100_000:
                        _ROW_MEMO.clear()
                    _ROW_MEMO[items] = text
        if text is None:
            return None
        out.append(text)
    return "".join(out)


def _row_text(items: tuple[tuple[Any, Any], ...]) -> str | None:
    """One list item: a flat mapping whose values may be one more flat mapping (provenance)."""
    out = []
    lead = "- "
    for k, v in items:
        if not _simple_key(k):
            return None
        if isinstance(v, dict):
            if not v:
                return None
            out.append(f"{lead}{k}:\n")
            for k2, v2 in v.items():
                text = _memo_scalar(v2, 6 + len(k2)) if _simple_key(k2) else None
                if text is None:
                    return None
                out.append(f"    {k2}: {text}\n")
        else:
            text = _memo_scalar(v, 4 + len(k))
            if text is None:
                return None
            out.append(f"{lead}{k}: {text}\n")
        lead = "  "
    return "".join(out)


def record_to_markdown(record: FigureRecord) -> str:
    """A record as a Markdown file with YAML front matter."""
    return "---\n" + dump_front_matter(record.to_dict()) + "---\n" + record.body


_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: JSON of rows by identity (rows without provenance are shared, see ``pipeline``);
#: the row is kept beside its text, so that its id is not reused while memoized
_ROW_JSON: Final[dict[int, tuple[Any, str]]] = {}


def _row_json(row: GeneRow | ConceptRow) -> str:
    if row.provenance:
        return _JSON.encode(row.to_dict())
    hit = _ROW_JSON.get(id(row))
    if hit is not None and hit[0] is row:
        return hit[1]
    text = _JSON.encode(row.to_dict())
    if len(_ROW_JSON) >= 50_000:
        _ROW_JSON.clear()
    _ROW_JSON[id(row)] = (row, text)
    return text


def record_to_json(record: FigureRecord) -> str:
    """A record as one JSON line (no trailing newline): ``json.dumps(record.to_dict())``, compact and UTF-8.

    The metadata is encoded as a whole and the annotation lists from the rows'
    memoized JSON: a family mention's rows recur in record after record.
    """
    meta = record.meta
    if "genes" in meta or "chemicals" in meta or "diseases" in meta:
        return _JSON.encode(record.to_dict())  # the lists keep their places among the keys
    head = dict(meta)
    head.setdefault("figid", record.figid)
    head.setdefault("caption", record.caption)
    parts = [_JSON.encode(head)[:-1]]
    for key, rows in (("genes", record.genes), ("chemicals", record.chemicals), ("diseases", record.diseases)):
        parts.append(',"' + key + '":[' + ",".join([_row_json(r) for r in rows]) + "]")
    parts.append("}")
    return "".join(parts)


def write_markdown(record: FigureRecord, out_dir: Path) -> Path:
    """Write ``out_dir/<figid>.md`` atomically."""
    path = out_dir / f"{record.figid}.md"
    atomic_write_text(path, record_to_markdown(record))
    return path


TSV_COLUMNS: Final = ("figid", "kind", "word", "symbol", "source", "hgnc_symbol", "entrez", "identifier")


def tsv_rows(record: FigureRecord) -> Iterator[tuple[str, ...]]:
    """Flat rows, one per annotation: figid, kind, word, symbol, source, hgnc_symbol, entrez, identifier."""
    for g in record.genes:
        yield (record.figid, "gene", g.word, g.symbol, g.source, g.hgnc_symbol, g.entrez, "")
    for kind, rows in (("chemical", record.chemicals), ("disease", record.diseases)):
        for c in rows:
            yield (record.figid, kind, c.word, "", c.source, "", "", c.identifier)


_TSV_SPACES: Final = re.compile(r"[\t\r\n]+")


def tsv_line(fields: Iterable[str]) -> str:
    """One TSV line; tabs and newlines inside fields become spaces."""
    fields = tuple(fields)
    line = "\t".join(fields)
    if "\n" in line or "\r" in line or line.count("\t") != len(fields) - 1:
        line = "\t".join(_TSV_SPACES.sub(" ", f) for f in fields)
    return line + "\n"


def read_records(path: str | os.PathLike[str]) -> tuple[list[FigureRecord], list[RecordError]]:
    """All records of an input path, and the errors met (for small inputs and tests)."""
    records: list[FigureRecord] = []
    errors: list[RecordError] = []
    for item in iter_records(path):
        if isinstance(item, RecordError):
            errors.append(item)
        else:
            records.append(item)
    return records, errors
