"""Annotating records: texts -> mentions -> PFOCR annotation rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final, Iterable, Iterator

from .lexicon import Lexicon
from .match import CHEMICAL, DISEASE, GENE, ConceptHit, GeneHit, Matcher, MatchOptions, Mention
from .records import ConceptRow, FigureRecord, GeneRow, reduce_by_fields

log = logging.getLogger(__name__)

TEXT_FIELDS: Final = ("caption", "ocr")


@dataclass(frozen=True)
class AnnotateOptions:
    """Which texts to read, how to match them, and whether rows carry provenance."""

    texts: tuple[str, ...] = TEXT_FIELDS
    match: MatchOptions = MatchOptions()
    ocr_match: MatchOptions = MatchOptions(text_type="ocr", abbreviations=False)
    provenance: bool = False
    #: texts longer than this are matched in pieces of about this size (see ``text_windows``)
    window_chars: int = 10_000

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return reduce_by_fields(self)


def text_windows(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` pieces of ``text`` of at most ``size`` characters.

    Pieces end at a line break, else after a sentence, else at a space, in the
    second half of the window (a hard cut only for text without any). Matching
    time grows faster than linearly with the length of one text, so a very long
    caption is matched piece by piece: an abbreviation defined in one piece is
    not applied in the next, which only matters for such texts.
    """
    start, n = 0, len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            low = start + size // 2
            for sep in ("\n", ". ", " "):
                cut = text.rfind(sep, low, end)
                if cut >= 0:
                    end = cut + len(sep)  # the break ends this piece
                    break
        yield start, text[start:end]
        start = end


#: Rows without provenance by their fields: rows are immutable, and a frozen
#: dataclass's ``__init__`` costs far more than a dict lookup (a family mention
#: makes one row per member gene).
_ROWS: Final[dict[tuple, GeneRow | ConceptRow]] = {}
_ROWS_LIMIT: Final = 200_000


def _row(key: tuple, make: Any) -> Any:
    """The cached row for ``key``, made by ``make(*key)`` on first use."""
    row = _ROWS.get(key)
    if row is None:
        if len(_ROWS) >= _ROWS_LIMIT:
            _ROWS.clear()
        row = _ROWS[key] = make(*key)
    return row


def mentions_to_rows(
    mentions: Iterable[Mention], provenance: bool = False
) -> tuple[list[GeneRow], list[ConceptRow], list[ConceptRow]]:
    """Annotation rows from mentions, in text order, without duplicate rows."""
    genes: dict[tuple, GeneRow] = {}
    chems: dict[tuple, ConceptRow] = {}
    dis: dict[tuple, ConceptRow] = {}
    for m in mentions:
        kind = m.kind
        text = m.text
        prov = {"field": m.field, "start": m.start, "end": m.end, "method": m.method} if provenance else None
        if kind == GENE:
            for hit in m.hits:
                if isinstance(hit, GeneHit):
                    k = (text, hit.symbol, hit.source, hit.hgnc_symbol, hit.entrez)
                    if k not in genes:
                        genes[k] = GeneRow(*k, prov) if prov is not None else _row(k, GeneRow)
        elif kind == CHEMICAL or kind == DISEASE:
            target = chems if kind == CHEMICAL else dis
            for hit in m.hits:
                if isinstance(hit, ConceptHit):
                    ck = (text, hit.identifier)
                    if ck not in target:
                        target[ck] = ConceptRow(*ck, provenance=prov) if prov is not None else _row(ck, ConceptRow)
    return list(genes.values()), list(chems.values()), list(dis.values())


class Annotator:
    """Annotates records with one lexicon: captions as prose, OCR text as figure labels."""

    def __init__(self, lexicon: Lexicon, options: AnnotateOptions | None = None) -> None:
        self.options = options or AnnotateOptions()
        self.prose = Matcher(lexicon, self.options.match)
        self.ocr = Matcher(lexicon, self.options.ocr_match)

    def mentions(self, record: FigureRecord, ocr_text: str | None = None) -> list[Mention]:
        """Mentions in the record's caption and OCR text (as selected by the options)."""
        out: list[Mention] = []
        if "caption" in self.options.texts and record.caption:
            out.extend(self._find(self.prose, record.caption, "caption"))
        ocr = ocr_text if ocr_text is not None else record.ocr_text
        if "ocr" in self.options.texts and ocr:
            out.extend(self._find(self.ocr, ocr, "ocr_text"))
        return out

    def _find(self, matcher: Matcher, text: str, field: str) -> list[Mention]:
        size = self.options.window_chars
        if size <= 0 or len(text) <= size:
            return matcher.find(text, field)
        out: list[Mention] = []
        for offset, piece in text_windows(text, size):
            for m in matcher.find(piece, field):
                out.append(m._replace(start=m.start + offset, end=m.end + offset) if offset else m)
        return out

    def annotate(self, record: FigureRecord, ocr_text: str | None = None) -> FigureRecord:
        """The record with its ``genes``, ``chemicals`` and ``diseases`` replaced."""
        genes, chems, dis = mentions_to_rows(self.mentions(record, ocr_text), self.options.provenance)
        return record.with_annotations(genes, chems, dis)

