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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

import yaml

from .resources import atomic_write_text

log = logging.getLogger(__name__)

try:  # libyaml is much faster; PyYAML wheels ship it
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

ANNOTATION_KEYS = ("genes", "chemicals", "diseases")
MESH_SOURCE = "MESH"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
        return replace(self, genes=tuple(genes), chemicals=tuple(chemicals), diseases=tuple(diseases))


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


def _gene_rows(items: Any) -> tuple[GeneRow, ...]:
    rows = []
    for item in items or []:
        if not isinstance(item, Mapping):
            raise ValueError(f"gene annotation is not a mapping: {item!r}")
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


def _concept_rows(items: Any) -> tuple[ConceptRow, ...]:
    rows = []
    for item in items or []:
        if not isinstance(item, Mapping):
            raise ValueError(f"annotation is not a mapping: {item!r}")
        rows.append(
            ConceptRow(
                word=_text(item.get("word")),
                identifier=_text(item.get("identifier")),
                source=_text(item.get("source")) or MESH_SOURCE,
            )
        )
    return tuple(rows)


def record_from_mapping(data: Mapping[str, Any], path: str, default_id: str = "") -> FigureRecord:
    """Build a record from front matter or a JSON object (raises ValueError if unusable)."""
    if not isinstance(data, Mapping):
        raise ValueError("record is not a mapping of fields")
    figid = _text(data.get("figid") or data.get("id") or data.get("pmid") or default_id).strip()
    if not figid:
        raise ValueError("record has no figid")
    if re.search(r"[/\\\x00]", figid) or figid in (".", ".."):
        raise ValueError(f"figid {figid!r} cannot be used as a file name")
    caption = _text(data.get("caption"))
    ocr = data.get("ocr_text")
    return FigureRecord(
        figid=figid,
        caption=caption,
        meta=dict(data),
        ocr_text=_text(ocr) if ocr is not None else None,
        genes=_gene_rows(data.get("genes")),
        chemicals=_concept_rows(data.get("chemicals")),
        diseases=_concept_rows(data.get("diseases")),
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


def parse_markdown(data: bytes, path: str) -> FigureRecord:
    """Parse one Markdown record (raises ValueError with a one-line reason)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from None
    front, body = split_front_matter(text)
    try:
        meta = yaml.load(front, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"malformed YAML front matter{where}: {problem}") from None
    if meta is None:
        meta = {}
    return replace(record_from_mapping(meta, path, default_id=Path(path).stem), body=body)


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


def iter_records(path: str | os.PathLike[str]) -> Iterator[FigureRecord | RecordError]:
    """Stream the records of an input path; unreadable records come as RecordError."""
    p = Path(path)
    try:
        fmt = detect_format(p)
    except InputError as exc:
        yield RecordError(str(p), str(exc).split(": ", 1)[-1])
        return
    if fmt == "mddir":
        yield from _iter_md_dir(p)
    elif fmt == "md":
        yield _read_md_file(p)
    elif fmt == "jsonl":
        yield from _iter_jsonl(p)
    else:
        for doc in iter_pubtator(p):
            if isinstance(doc, RecordError):
                yield doc
            else:
                yield doc.to_record()


def _iter_md_dir(directory: Path) -> Iterator[FigureRecord | RecordError]:
    try:
        names = sorted(e.name for e in os.scandir(directory) if e.name.endswith(".md") and e.is_file())
    except OSError as exc:
        yield RecordError(str(directory), f"cannot list directory ({exc.strerror})")
        return
    for name in names:
        if name.lower() == "readme.md":
            continue
        yield _read_md_file(directory / name)


def _read_md_file(path: Path) -> FigureRecord | RecordError:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return RecordError(str(path), f"cannot read ({exc.strerror})")
    try:
        return parse_markdown(data, str(path))
    except ValueError as exc:
        return RecordError(str(path), str(exc))


def _iter_jsonl(path: Path) -> Iterator[FigureRecord | RecordError]:
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
            except UnicodeDecodeError:
                yield RecordError(where, "not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield RecordError(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            try:
                yield record_from_mapping(data, where)
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


_ID_SPLIT = re.compile(r"[|;,]")


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
    """YAML front matter text (key order kept, Unicode kept)."""
    return yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def record_to_markdown(record: FigureRecord) -> str:
    """A record as a Markdown file with YAML front matter."""
    return "---\n" + dump_front_matter(record.to_dict()) + "---\n" + record.body


def record_to_json(record: FigureRecord) -> str:
    """A record as one JSON line (no trailing newline)."""
    return json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))


def write_markdown(record: FigureRecord, out_dir: Path) -> Path:
    """Write ``out_dir/<figid>.md`` atomically."""
    path = out_dir / f"{record.figid}.md"
    atomic_write_text(path, record_to_markdown(record))
    return path


TSV_COLUMNS = ("figid", "kind", "word", "symbol", "source", "hgnc_symbol", "entrez", "identifier")


def tsv_rows(record: FigureRecord) -> Iterator[tuple[str, ...]]:
    """Flat rows, one per annotation: figid, kind, word, symbol, source, hgnc_symbol, entrez, identifier."""
    for g in record.genes:
        yield (record.figid, "gene", g.word, g.symbol, g.source, g.hgnc_symbol, g.entrez, "")
    for kind, rows in (("chemical", record.chemicals), ("disease", record.diseases)):
        for c in rows:
            yield (record.figid, kind, c.word, "", c.source, "", "", c.identifier)


def tsv_line(fields: Iterable[str]) -> str:
    """One TSV line; tabs and newlines inside fields become spaces."""
    return "\t".join(re.sub(r"[\t\r\n]+", " ", f) for f in fields) + "\n"


def read_records(path: str | os.PathLike[str]) -> tuple[list[FigureRecord], list[RecordError]]:
    """All records of an input path, and the errors met (for small inputs and tests)."""
    records, errors = [], []
    for item in iter_records(path):
        (errors if isinstance(item, RecordError) else records).append(item)
    return records, errors
