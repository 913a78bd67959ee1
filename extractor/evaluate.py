"""Scoring predicted records against gold records.

Per figure (document) the sets of identifiers are compared: genes by NCBI Gene
ID, chemicals and diseases by MeSH ID (``MESH:`` prefixes dropped, composite
``D1|D2`` split). Micro-averaged figures count (figure, ID) pairs; macro
figures average per-figure scores over the figures where the kind occurs in
gold or prediction. Zero divisions give 0.0 and are listed in ``notes``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .records import FigureRecord, RecordError, detect_format, iter_pubtator, iter_records, InputError

KINDS = ("genes", "chemicals", "diseases")
GENE_SOURCES = ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "bioentities_symbol")


class EvaluationError(ValueError):
    """Gold or prediction input that cannot be scored."""


def normalize_id(kind: str, value: Any) -> list[str]:
    """Identifiers of one annotation: genes as integer strings, MeSH ids without prefix, composites split."""
    if value is None:
        return []
    text = str(value).strip()
    out = []
    for part in re.split(r"[|;,]", text):
        part = part.strip()
        if not part or part in ("-1", "-"):
            continue
        if kind == "genes":
            part = part.split("(", 1)[0].strip()
            if re.fullmatch(r"\d+(\.0+)?", part):
                part = str(int(float(part)))
        else:
            part = re.sub(r"^mesh:", "", part, flags=re.IGNORECASE).strip().upper()
        if part:
            out.append(part)
    return out


@dataclass
class FigureAnnotations:
    """Identifier sets of one figure, with the words and sources behind each ID."""

    ids: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    symbols: set[str] = field(default_factory=set)
    words: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def annotations_of(record: FigureRecord) -> FigureAnnotations:
    """Identifier sets of a record's annotations."""
    fa = FigureAnnotations()
    for g in record.genes:
        for ident in normalize_id("genes", g.entrez):
            fa.ids["genes"].add(ident)
            fa.words[("genes", ident)].append(g.word)
            fa.sources[ident].append(g.source)
        if g.hgnc_symbol:
            fa.symbols.add(g.hgnc_symbol)
    for kind, rows in (("chemicals", record.chemicals), ("diseases", record.diseases)):
        for c in rows:
            for ident in normalize_id(kind, c.identifier):
                fa.ids[kind].add(ident)
                fa.words[(kind, ident)].append(c.word)
    return fa


@dataclass
class Scores:
    """Counts and precision/recall/F1."""

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
class KindResult:
    """Scores of one entity kind."""

    kind: str
    micro: Scores = field(default_factory=Scores)
    per_figure: dict[str, Scores] = field(default_factory=dict)
    fp_words: Counter = field(default_factory=Counter)
    fn_words: Counter = field(default_factory=Counter)
    fp_examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    fn_examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_source: dict[str, Scores] = field(default_factory=dict)
    by_symbol: Scores | None = None

    def macro(self) -> dict[str, Any]:
        figs = list(self.per_figure.values())
        n = len(figs)
        if not n:
            return {"figures": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
        return {
            "figures": n,
            "precision": round(sum(s.precision for s in figs) / n, 4),
            "recall": round(sum(s.recall for s in figs) / n, 4),
            "f1": round(sum(s.f1 for s in figs) / n, 4),
        }

    def top_words(self, which: str, n: int = 20) -> list[dict[str, Any]]:
        counter = self.fp_words if which == "fp" else self.fn_words
        examples = self.fp_examples if which == "fp" else self.fn_examples
        return [{"word": w, "count": c, "examples": examples[w][:3]} for w, c in counter.most_common(n)]


@dataclass
class EvaluationResult:
    """The whole evaluation: per-kind results, unscored predictions, notes."""

    kinds: dict[str, KindResult]
    gold_figures: int
    pred_figures: int
    unscored_predictions: list[str]
    missing_predictions: list[str]
    notes: list[str]
    top: int = 20

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind, res in self.kinds.items():
            out[kind] = res.micro.to_dict()
        out["macro"] = {kind: res.macro() for kind, res in self.kinds.items()}
        details: dict[str, Any] = {}
        for kind, res in self.kinds.items():
            d: dict[str, Any] = {
                "false_positive_words": res.top_words("fp", self.top),
                "false_negative_words": res.top_words("fn", self.top),
            }
            if res.by_source:
                d["by_source"] = {s: v.to_dict() for s, v in res.by_source.items()}
            if res.by_symbol is not None:
                d["by_hgnc_symbol"] = res.by_symbol.to_dict()
            details[kind] = d
        out["details"] = details
        out["figures"] = {
            "gold": self.gold_figures,
            "predicted": self.pred_figures,
            "predicted_not_in_gold": len(self.unscored_predictions),
            "gold_without_prediction": len(self.missing_predictions),
        }
        out["notes"] = self.notes
        return out


def load_annotations(path: str | Path, gold: bool, human_genes_only: bool = True) -> tuple[dict[str, FigureAnnotations], list[str]]:
    """Annotations per figure id from .md records, JSONL or (gold only) PubTator; and read errors."""
    p = Path(path)
    try:
        fmt = detect_format(p)
    except InputError as exc:
        raise EvaluationError(str(exc)) from None
    errors: list[str] = []
    out: dict[str, FigureAnnotations] = {}
    if fmt == "pubtator":
        if not gold:
            raise EvaluationError(f"{p}: PubTator files are accepted as gold only")
        items: Iterable[Any] = (
            d if isinstance(d, RecordError) else d.to_record(human_genes_only=human_genes_only) for d in iter_pubtator(p)
        )
    else:
        items = iter_records(p)
    for item in items:
        if isinstance(item, RecordError):
            errors.append(item.line())
            continue
        out[item.figid] = annotations_of(item)
    return out, errors


def score(
    gold: Mapping[str, FigureAnnotations], pred: Mapping[str, FigureAnnotations], top: int = 20
) -> EvaluationResult:
    """Compare prediction and gold identifier sets figure by figure."""
    notes: list[str] = []
    present = [k for k in KINDS if any(fa.ids[k] for fa in gold.values())]
    if not present:
        notes.append("gold holds no annotations of any kind; nothing scored")
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
                    res.fp_words[w] += 1
                    if len(res.fp_examples[w]) < 5:
                        res.fp_examples[w].append(figid)
            for ident in sorted(gs - ps):
                for w in dict.fromkeys(g.words[(kind, ident)]):
                    res.fn_words[w] += 1
                    if len(res.fn_examples[w]) < 5:
                        res.fn_examples[w].append(figid)
            if kind == "genes":
                for ident in ps:
                    srcs = p.sources.get(ident) or ["(none)"]
                    src = min(srcs, key=lambda s: GENE_SOURCES.index(s) if s in GENE_SOURCES else 99)
                    bucket = res.by_source.setdefault(src, Scores())
                    if ident in gs:
                        bucket.tp += 1
                    else:
                        bucket.fp += 1
                if res.by_symbol is not None:
                    res.by_symbol.add(g.symbols, p.symbols)
    for kind, res in results.items():
        if res.micro.tp + res.micro.fp == 0:
            notes.append(f"{kind}: no predictions, precision set to 0.0 (0/0)")
        if res.micro.tp + res.micro.fn == 0:
            notes.append(f"{kind}: no gold identifiers, recall set to 0.0 (0/0)")
    unscored = sorted(set(pred) - set(gold))
    missing = sorted(set(gold) - set(pred))
    if unscored:
        notes.append(f"{len(unscored)} predicted figures are not in gold and were not scored")
    if missing:
        notes.append(f"{len(missing)} gold figures have no prediction (scored as predicting nothing)")
    return EvaluationResult(results, len(gold), len(pred), unscored, missing, notes, top)


def evaluate_paths(
    gold_path: str | Path,
    pred_path: str | Path,
    report_dir: str | Path | None = None,
    human_genes_only: bool = True,
    top: int = 20,
) -> EvaluationResult:
    """Score ``pred_path`` against ``gold_path``; optionally write the HTML report."""
    gold, gold_errors = load_annotations(gold_path, gold=True, human_genes_only=human_genes_only)
    pred, pred_errors = load_annotations(pred_path, gold=False)
    if not gold and gold_errors:
        raise EvaluationError(f"no readable gold records in {gold_path}: {gold_errors[0]}")
    result = score(gold, pred, top=top)
    for line in gold_errors:
        result.notes.append(f"gold record skipped: {line}")
    for line in pred_errors:
        result.notes.append(f"prediction skipped: {line}")
    if report_dir is not None:
        from .report import write_report

        write_report(result, Path(report_dir), gold_path=str(gold_path), pred_path=str(pred_path))
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
                lines.append(f"\n{kind} by lexicon source (predicted IDs):")
                for src, s in res.by_source.items():
                    if s.tp + s.fp:
                        lines.append(f"  {src:<20} tp {s.tp:>5}  fp {s.fp:>5}  precision {s.precision:.3f}")
            if res.by_symbol is not None:
                s = res.by_symbol
                lines.append(f"  by hgnc_symbol: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}")
            for which, title in (("fp", "false positives"), ("fn", "false negatives")):
                rows = res.top_words(which, result.top)
                if rows:
                    lines.append(f"\n{kind}: most frequent {title}")
                    for r in rows:
                        lines.append(f"  {r['count']:>5}  {r['word']!s:<30} e.g. {', '.join(r['examples'])}")
    if result.notes:
        lines.append("")
        lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)
