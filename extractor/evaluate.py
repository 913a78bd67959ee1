"""Scoring predicted records against gold records.

Gold and predictions are each a directory of ``.md`` records, a JSONL file of
records or (gold only) a PubTator file. Per figure (document) the sets of
identifiers are compared: genes by NCBI Gene ID (``entrez``, int or string),
chemicals and diseases by MeSH ID (``MESH:`` prefixes dropped, composite
``D1|D2`` counting each ID). PubTator genes marked ``(Tax:N)`` (non-human) are
left out of the gold unless ``human_genes_only=False``.

The kinds scored are those present in gold. Gold figures without a prediction
predict nothing; predicted figures absent from gold are listed, not scored.
Micro scores count (figure, ID) pairs; macro scores average the per-figure
scores over the figures where the kind occurs in gold or prediction. Every 0/0
is reported as 0.0 and said so in ``notes``.

Secondary views: genes by approved HGNC symbol; predicted gene IDs by lexicon
source (each predicted (figure, ID) pair counted once, under its first source
in :data:`GENE_SOURCES` order); the most frequent false-positive and
false-negative words of every kind, with the distinct figures they occur in.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .records import FigureRecord, InputError, RecordError, detect_format, iter_records

log = logging.getLogger(__name__)

KINDS = ("genes", "chemicals", "diseases")
GENE_SOURCES = ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "bioentities_symbol")
NO_SOURCE = "(none)"
NO_WORD = "(no word)"
EXAMPLES = 3  # example figure ids per FP/FN word
MAX_LISTED = 100  # figure ids listed in the JSON output

_SPLIT = re.compile(r"[|;,]")
_GENE_PREFIX = re.compile(r"^(?:ncbigene|ncbi_gene|entrezgene|entrez|geneid)\s*[:_]\s*", re.IGNORECASE)
_MESH_PREFIX = re.compile(r"^mesh\s*:\s*", re.IGNORECASE)
_INT = re.compile(r"\d+(?:\.0+)?")


class EvaluationError(ValueError):
    """Gold or prediction input that cannot be scored (the message names the file)."""


# --------------------------------------------------------------------------
# Identifiers and per-figure annotation sets
# --------------------------------------------------------------------------


def normalize_id(kind: str, value: Any) -> list[str]:
    """Identifiers of one annotation: genes as integer strings, MeSH IDs without prefix, composites split."""
    if value is None or isinstance(value, bool):
        return []
    out: list[str] = []
    for part in _SPLIT.split(str(value)):
        part = part.strip()
        if not part or part in ("-1", "-"):
            continue
        if kind == "genes":
            part = _GENE_PREFIX.sub("", part.split("(", 1)[0]).strip()
            if _INT.fullmatch(part):
                part = str(int(float(part)))
        else:
            part = _MESH_PREFIX.sub("", part).strip().upper()
        if part and part not in out:
            out.append(part)
    return out


@dataclass
class FigureAnnotations:
    """Identifier sets of one figure, with the words, gene sources and symbols behind each ID."""

    ids: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    symbols: set[str] = field(default_factory=set)
    words: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, str] = field(default_factory=dict)


def annotations_of(record: FigureRecord) -> FigureAnnotations:
    """Identifier sets of a record's annotations."""
    fa = FigureAnnotations()
    for g in record.genes:
        for ident in normalize_id("genes", g.entrez):
            fa.ids["genes"].add(ident)
            fa.words[("genes", ident)].append(g.word)
            fa.sources[ident].append(g.source or NO_SOURCE)
            if g.hgnc_symbol:
                fa.labels.setdefault(ident, g.hgnc_symbol)
        if g.hgnc_symbol:
            fa.symbols.add(g.hgnc_symbol)
    for kind, rows in (("chemicals", record.chemicals), ("diseases", record.diseases)):
        for c in rows:
            for ident in normalize_id(kind, c.identifier):
                fa.ids[kind].add(ident)
                fa.words[(kind, ident)].append(c.word)
    return fa


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


@dataclass
class Scores:
    """Counts and precision/recall/F1 (0.0 where a ratio is 0/0; see :meth:`undefined`)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def undefined(self) -> list[str]:
        """The metrics that are 0/0 (and so reported as 0.0)."""
        out = []
        if self.tp + self.fp == 0:
            out.append("precision")
        if self.tp + self.fn == 0:
            out.append("recall")
        if self.precision + self.recall == 0:
            out.append("f1")
        return out

    def add(self, gold: set[str], pred: set[str]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class WordTally:
    """False-positive or false-negative (figure, ID) pairs per word, with their figures and IDs."""

    counts: Counter = field(default_factory=Counter)
    figures: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    ids: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, word: str, figid: str, ident: str) -> None:
        self.counts[word] += 1
        self.figures[word][figid] = None
        self.ids[word][ident] += 1

    def top(self, n: int) -> list[dict[str, Any]]:
        """The ``n`` most frequent words (ties by word): pairs, distinct figures, examples, commonest IDs."""
        rows = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max(n, 0)]
        return [
            {
                "word": w,
                "count": c,
                "figures": len(self.figures[w]),
                "examples": list(self.figures[w])[:EXAMPLES],
                "ids": [i for i, _ in sorted(self.ids[w].items(), key=lambda kv: (-kv[1], kv[0]))[:EXAMPLES]],
            }
            for w, c in rows
        ]


@dataclass
class KindResult:
    """Scores of one entity kind, with the error breakdown."""

    kind: str
    micro: Scores = field(default_factory=Scores)
    per_figure: dict[str, Scores] = field(default_factory=dict)
    fp_words: WordTally = field(default_factory=WordTally)
    fn_words: WordTally = field(default_factory=WordTally)
    by_source: dict[str, Scores] = field(default_factory=dict)
    by_symbol: Scores | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def macro(self) -> dict[str, Any]:
        """Per-figure scores averaged over the figures where the kind occurs, and the 0/0 counts."""
        figs = list(self.per_figure.values())
        n = len(figs)
        undefined = Counter(m for s in figs for m in s.undefined())
        return {
            "figures": n,
            "precision": round(sum(s.precision for s in figs) / n, 4) if n else 0.0,
            "recall": round(sum(s.recall for s in figs) / n, 4) if n else 0.0,
            "f1": round(sum(s.f1 for s in figs) / n, 4) if n else 0.0,
            "zero_division": {m: undefined[m] for m in ("precision", "recall", "f1")},
        }

    def top_words(self, which: str, n: int = 20) -> list[dict[str, Any]]:
        """Most frequent false-positive (``fp``) or false-negative (``fn``) words."""
        return (self.fp_words if which == "fp" else self.fn_words).top(n)

    def source_rows(self) -> list[dict[str, Any]]:
        """Predicted (figure, ID) pairs per lexicon source: tp, fp, precision."""
        return [
            {"source": src, "tp": s.tp, "fp": s.fp, "precision": round(s.precision, 4)}
            for src, s in self.by_source.items()
        ]


@dataclass
class EvaluationResult:
    """The whole evaluation: per-kind results, figure bookkeeping, skipped records, notes."""

    kinds: dict[str, KindResult]
    gold_figures: int
    pred_figures: int
    unscored_predictions: list[str]
    missing_predictions: list[str]
    notes: list[str]
    top: int = 20
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """One JSON-able object: micro scores per kind at the top, ``macro``, ``details``, ``figures``, ``notes``."""
        out: dict[str, Any] = {kind: res.micro.to_dict() for kind, res in self.kinds.items()}
        out["macro"] = {kind: res.macro() for kind, res in self.kinds.items()}
        details: dict[str, Any] = {}
        for kind, res in self.kinds.items():
            d: dict[str, Any] = {}
            if res.by_source:
                d["by_source"] = {r["source"]: {k: v for k, v in r.items() if k != "source"} for r in res.source_rows()}
            if res.by_symbol is not None:
                d["by_hgnc_symbol"] = res.by_symbol.to_dict()
            d["false_positive_words"] = res.top_words("fp", self.top)
            d["false_negative_words"] = res.top_words("fn", self.top)
            details[kind] = d
        out["details"] = details
        out["figures"] = {
            "gold": self.gold_figures,
            "predicted": self.pred_figures,
            "predicted_not_in_gold": len(self.unscored_predictions),
            "gold_without_prediction": len(self.missing_predictions),
            "predicted_not_in_gold_ids": self.unscored_predictions[:MAX_LISTED],
            "records_skipped": len(self.skipped),
        }
        out["notes"] = list(self.notes)
        return out


# --------------------------------------------------------------------------
# Reading gold and predictions
# --------------------------------------------------------------------------


def load_annotations(
    path: str | Path, gold: bool, human_genes_only: bool = True
) -> tuple[dict[str, FigureAnnotations], list[str]]:
    """Annotations per figure id, and one line per record skipped (unreadable, malformed, duplicate figid).

    Raises EvaluationError if the path cannot be read at all, is PubTator but not gold,
    or holds records of which none is readable.
    """
    role = "gold" if gold else "predictions"
    p = Path(path)
    try:
        fmt = detect_format(p)
    except InputError as exc:
        raise EvaluationError(f"{role}: {exc}") from None
    if fmt == "pubtator" and not gold:
        raise EvaluationError(f"{role}: {p}: PubTator files are accepted as gold only")
    errors: list[str] = []
    out: dict[str, FigureAnnotations] = {}
    first_seen: dict[str, str] = {}
    for item in iter_records(p, human_genes_only=human_genes_only):
        if isinstance(item, RecordError):
            errors.append(item.line())
        elif item.figid in out:
            errors.append(
                f"{item.path}: duplicate figid {item.figid!r} (first read from {first_seen[item.figid]}); skipped"
            )
        else:
            out[item.figid] = annotations_of(item)
            first_seen[item.figid] = item.path
    if not out and errors:
        if len(errors) == 1:
            raise EvaluationError(f"{role}: {errors[0]}")
        raise EvaluationError(f"{role}: no readable records in {p} ({len(errors)} unreadable; first: {errors[0]})")
    return out, errors


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _examples(figids: list[str], n: int = 3) -> str:
    return ", ".join(figids[:n]) + (", ..." if len(figids) > n else "")


def _best_source(sources: list[str]) -> str:
    return min(sources, key=lambda s: (GENE_SOURCES.index(s) if s in GENE_SOURCES else len(GENE_SOURCES), s))


def _zero_division_notes(kind: str, res: KindResult) -> list[str]:
    notes = []
    undefined = res.micro.undefined()
    if "precision" in undefined:
        notes.append(f"{kind}: no predicted IDs, so micro precision is 0/0 and reported as 0.0")
    if "recall" in undefined:
        notes.append(f"{kind}: no gold IDs, so micro recall is 0/0 and reported as 0.0")
    if "f1" in undefined:
        notes.append(f"{kind}: no true positives, so micro F1 is 0/0 and reported as 0.0")
    macro = res.macro()
    zd = macro["zero_division"]
    if zd["precision"] or zd["recall"]:
        notes.append(
            f"{kind}: macro averages over {macro['figures']} figures count 0/0 as 0.0: precision in "
            f"{zd['precision']} figures (nothing predicted), recall in {zd['recall']} figures (nothing in gold)"
        )
    return notes


def score(
    gold: Mapping[str, FigureAnnotations], pred: Mapping[str, FigureAnnotations], top: int = 20
) -> EvaluationResult:
    """Compare prediction and gold identifier sets figure by figure."""
    notes: list[str] = []
    present = [k for k in KINDS if any(fa.ids[k] for fa in gold.values())]
    if not gold:
        notes.append("gold holds no figures; nothing scored")
    elif not present:
        notes.append("gold holds no annotations of any kind; nothing scored")
    for kind in KINDS:
        if kind not in present:
            n = sum(len(fa.ids[kind]) for figid, fa in pred.items() if figid in gold)
            if n:
                notes.append(f"{kind}: {n} predicted (figure, ID) pairs not scored (no {kind} in gold)")
    results = {k: KindResult(k) for k in present}
    if "genes" in results:
        results["genes"].by_source = {s: Scores() for s in GENE_SOURCES}
        if any(fa.symbols for fa in gold.values()):
            results["genes"].by_symbol = Scores()
    empty = FigureAnnotations()
    for figid in sorted(gold):
        g = gold[figid]
        p = pred.get(figid, empty)
        for kind, res in results.items():
            gs, ps = g.ids[kind], p.ids[kind]
            res.micro.add(gs, ps)
            if gs or ps:
                fig = Scores()
                fig.add(gs, ps)
                res.per_figure[figid] = fig
            for ident in sorted(ps - gs):
                for w in dict.fromkeys(p.words[(kind, ident)]):
                    res.fp_words.add(w or NO_WORD, figid, ident)
            for ident in sorted(gs - ps):
                for w in dict.fromkeys(g.words[(kind, ident)]):
                    res.fn_words.add(w or NO_WORD, figid, ident)
            if kind == "genes":
                for ident in sorted(gs | ps):
                    label = g.labels.get(ident) or p.labels.get(ident)
                    if label:
                        res.labels.setdefault(ident, label)
                for ident in sorted(ps):
                    bucket = res.by_source.setdefault(_best_source(p.sources.get(ident) or [NO_SOURCE]), Scores())
                    if ident in gs:
                        bucket.tp += 1
                    else:
                        bucket.fp += 1
                if res.by_symbol is not None:
                    res.by_symbol.add(g.symbols, p.symbols)
    for kind, res in results.items():
        notes.extend(_zero_division_notes(kind, res))
    unscored = sorted(set(pred) - set(gold))
    missing = sorted(set(gold) - set(pred))
    if unscored:
        notes.append(
            f"{len(unscored)} predicted figures are not in gold and were not scored (e.g. {_examples(unscored)})"
        )
    if missing:
        notes.append(
            f"{len(missing)} gold figures have no prediction (scored as predicting nothing; e.g. {_examples(missing)})"
        )
    return EvaluationResult(results, len(gold), len(pred), unscored, missing, notes, top)


def evaluate_paths(
    gold_path: str | Path,
    pred_path: str | Path,
    report_dir: str | Path | None = None,
    human_genes_only: bool = True,
    top: int = 20,
) -> EvaluationResult:
    """Score ``pred_path`` against ``gold_path``; optionally write the HTML report into ``report_dir``."""
    gold, gold_errors = load_annotations(gold_path, gold=True, human_genes_only=human_genes_only)
    pred, pred_errors = load_annotations(pred_path, gold=False)
    result = score(gold, pred, top=top)
    for role, lines in (("gold", gold_errors), ("prediction", pred_errors)):
        for line in lines:
            log.warning("%s record skipped: %s", role, line)
            result.notes.append(f"{role} record skipped: {line}")
            result.skipped.append(line)
    if report_dir is not None:
        from .report import write_report

        try:
            write_report(result, Path(report_dir), gold_path=str(gold_path), pred_path=str(pred_path))
        except OSError as exc:
            raise EvaluationError(f"cannot write the report into {report_dir}: {exc}") from None
    return result


def format_table(result: EvaluationResult, details: bool = False) -> str:
    """A plain-text table of the scores (and, with ``details``, the error breakdown)."""
    lines = [f"{'kind':<10} {'tp':>6} {'fp':>6} {'fn':>6} {'P':>7} {'R':>7} {'F1':>7}   macro P/R/F1 (figures)"]
    for kind, res in result.kinds.items():
        m, mac = res.micro, res.macro()
        lines.append(
            f"{kind:<10} {m.tp:>6} {m.fp:>6} {m.fn:>6} {m.precision:>7.3f} {m.recall:>7.3f} {m.f1:>7.3f}"
            f"   {mac['precision']:.3f}/{mac['recall']:.3f}/{mac['f1']:.3f} ({mac['figures']})"
        )
    if details:
        for kind, res in result.kinds.items():
            if res.by_source:
                lines.append(f"\n{kind} by lexicon source (predicted IDs, each under its first source):")
                for row in res.source_rows():
                    if row["tp"] + row["fp"]:
                        lines.append(
                            f"  {row['source']:<20} tp {row['tp']:>5}  fp {row['fp']:>5}"
                            f"  precision {row['precision']:.3f}"
                        )
            if res.by_symbol is not None:
                s = res.by_symbol
                lines.append(
                    f"  by hgnc_symbol: tp {s.tp} fp {s.fp} fn {s.fn}"
                    f"  P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}"
                )
            for which, title in (("fp", "false positives"), ("fn", "false negatives")):
                rows = res.top_words(which, result.top)
                if rows:
                    lines.append(f"\n{kind}: most frequent {title} ((figure, ID) pairs, figures, e.g.)")
                    for r in rows:
                        lines.append(
                            f"  {r['count']:>5} {r['figures']:>5}  {r['word']!s:<30} e.g. {', '.join(r['examples'])}"
                        )
    if result.notes:
        lines.append("")
        lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)
