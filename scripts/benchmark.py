#!/usr/bin/env python3
"""Annotate and score the development suites; print one table of scores and speeds.

Suites (data under ``--shared``, default ``../shared`` beside the checkout):

  pfocr-dev   gold/pfocr-dev: re-annotate the PFOCR records from their captions
              only; genes and chemicals against the published annotations
  bc5cdr-dev  corpora/CDR_DevelopmentSet.PubTator.txt: chemicals and diseases
  gnormplus   corpora/GNormPlus_Train.PubTator: human genes (Tax-marked IDs left out)
  kegg-ocr    ocr-noise/kegg_crops.jsonl: per crop and OCR engine, the genes found in
              the engine's reading against the genes found in the true text
              (recall = shared / found in truth, precision = shared / found in the
              reading, micro-averaged over crops), with the OCR rules and literal-only
              (both texts annotated with the same options)
  runner      a full CLI-level run (extractor.runner.run, worker processes) over
              pfocr-dev, timed, then scored with evaluate_paths

Everything but ``runner`` uses the library API in this process. Annotation time
excludes reading the inputs and loading the lexicon (printed separately, with
the peak resident memory). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from extractor.config import load_config, validate, with_overrides
from extractor.evaluate import FigureAnnotations, KindResult, Scores, annotations_of, evaluate_paths, score
from extractor.lexicon import Lexicon, load_lexicon
from extractor.match import MatchOptions
from extractor.pipeline import AnnotateOptions, Annotator
from extractor.records import FigureRecord, read_records, record_to_json

ROOT = Path(__file__).resolve().parents[1]

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = CHECKOUT.parent / "shared"
OCR_ENGINES = ("google", "easyocr", "mmocr_abinet", "tesseract")
SUITES = ("pfocr-dev", "bc5cdr-dev", "gnormplus", "kegg-ocr", "runner")
PFOCR_DEV = Path("gold/pfocr-dev")
BC5CDR_DEV = Path("corpora/CDR_DevelopmentSet.PubTator.txt")
GNORMPLUS = Path("corpora/GNormPlus_Train.PubTator")
KEGG_CROPS = Path("ocr-noise/kegg_crops.jsonl")

log = logging.getLogger("benchmark")


@dataclass
class Row:
    """One line of the table: scores of one kind (or OCR engine) in one suite."""

    suite: str
    scored: str
    docs: int
    scores: dict[str, Any]
    literal: dict[str, Any] | None = None
    macro_f1: float | None = None


@dataclass
class SuiteResult:
    """Rows of one suite, with its timing and notes."""

    name: str
    rows: list[Row] = field(default_factory=list)
    texts: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "texts_annotated": self.texts,
            "annotate_seconds": round(self.seconds, 3),
            "texts_per_second": round(self.rate, 1),
            "rows": [
                {
                    "scored": r.scored,
                    "docs": r.docs,
                    **r.scores,
                    **({"macro_f1": r.macro_f1} if r.macro_f1 is not None else {}),
                    **({"literal": r.literal} if r.literal is not None else {}),
                }
                for r in self.rows
            ],
            **self.extra,
            "notes": self.notes,
            "unreadable_records": self.errors,
        }


def _read(path: Path, limit: int | None) -> tuple[list[FigureRecord], list[str]]:
    records, errors = read_records(path)
    if limit is not None:
        records = records[:limit]
    return records, [e.line() for e in errors]


def scored_suite(name: str, path: Path, options: AnnotateOptions, lexicon: Lexicon, limit: int | None) -> SuiteResult:
    """Annotate the records of ``path`` and score them against the annotations they carry."""
    records, errors = _read(path, limit)
    annotator = Annotator(lexicon, options)
    started = time.perf_counter()
    predicted = [annotator.annotate(r) for r in records]
    seconds = time.perf_counter() - started
    gold = {r.figid: annotations_of(r) for r in records}
    pred = {r.figid: annotations_of(r) for r in predicted}
    result = score(gold, pred)
    out = SuiteResult(name, texts=len(records), seconds=seconds, notes=result.notes, errors=errors)
    for kind, res in result.kinds.items():
        out.rows.append(Row(name, kind, len(records), res.micro.to_dict(), macro_f1=res.macro()["f1"]))
    return out


def job_options(name: str) -> AnnotateOptions:
    """Annotation options of a job config in configs/ (its inputs and outputs are not used)."""
    return load_config(ROOT / "configs" / name).annotate_options()


def _ocr_options(ocr_rules: bool) -> AnnotateOptions:
    return AnnotateOptions(
        texts=("ocr",), ocr_match=MatchOptions(kinds=("genes",), text_type="ocr", ocr_rules=ocr_rules)
    )


def _gene_sets(annotator: Annotator, items: Sequence[tuple[str, str]]) -> dict[str, FigureAnnotations]:
    return {key: annotations_of(annotator.annotate(FigureRecord(key, "", ocr_text=text))) for key, text in items}


def ocr_suite(path: Path, lexicon: Lexicon, limit: int | None) -> SuiteResult:
    """Genes in each engine's reading against genes in the true text, with and without the OCR rules."""
    crops: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                crop = json.loads(line)
                crops.append(dict(crop, key=f"{lineno}:{crop.get('id', '')}"))
    if limit is not None:
        crops = crops[:limit]
    out = SuiteResult("kegg-ocr")
    by_mode: dict[bool, dict[str, Any]] = {}
    for ocr_rules in (True, False):
        annotator = Annotator(lexicon, _ocr_options(ocr_rules))
        started = time.perf_counter()
        truth = _gene_sets(annotator, [(c["key"], c.get("truth") or "") for c in crops])
        readings = {
            engine: _gene_sets(annotator, [(c["key"], (c.get("ocr") or {}).get(engine) or "") for c in crops])
            for engine in OCR_ENGINES
        }
        seconds = time.perf_counter() - started
        out.seconds += seconds
        out.texts += len(crops) * (1 + len(OCR_ENGINES))
        scores = {}
        for engine in OCR_ENGINES:
            res = score(truth, readings[engine]).kinds.get("genes")
            if res is None:  # no gene in any true text: every gene read is a false positive
                res = KindResult("genes", Scores(fp=sum(len(fa.ids["genes"]) for fa in readings[engine].values())))
            scores[engine] = res.micro.to_dict()
        mode = "ocr_rules" if ocr_rules else "literal"
        by_mode[ocr_rules] = scores
        out.extra.setdefault("modes", {})[mode] = {
            "annotate_seconds": round(seconds, 3),
            "crops_with_truth_genes": sum(1 for fa in truth.values() if fa.ids["genes"]),
            "truth_gene_ids": sum(len(fa.ids["genes"]) for fa in truth.values()),
        }
    for engine in OCR_ENGINES:
        out.rows.append(Row("kegg-ocr", engine, len(crops), by_mode[True][engine], literal=by_mode[False][engine]))
    return out


def runner_suite(shared: Path, sources: Path, limit: int | None, workers: int) -> SuiteResult:
    """A full run with the CLI-level runner (worker processes, writing .md records), then scored."""
    from extractor.runner import run

    out = SuiteResult("runner")
    gold_dir = shared / PFOCR_DEV
    with tempfile.TemporaryDirectory(prefix="extractor-bench-") as tmp:
        source = gold_dir
        if limit is not None:
            records, _ = _read(gold_dir, limit)
            source = Path(tmp) / "input.jsonl"
            source.write_text("".join(record_to_json(r) + "\n" for r in records), encoding="utf-8")
        cfg = with_overrides(
            load_config(ROOT / "configs" / "pfocr-captions.yaml"),
            {
                "inputs": [str(source)],
                "output.path": str(Path(tmp) / "out"),
                "output.tsv": str(Path(tmp) / "out.tsv"),
                "lexicon.sources": str(sources),
                "run.workers": workers,
                "run.quiet": True,
                "run.resume": False,
            },
        )
        summary = run(validate(cfg, "benchmark"))
        result = evaluate_paths(source, Path(tmp) / "out")
    out.texts, out.seconds = summary.written, summary.seconds
    out.extra = {"workers": workers or "all cores", "lexicon_seconds": round(summary.lexicon_seconds, 3)}
    out.notes, out.errors = result.notes, summary.errors + result.skipped
    for kind, res in result.kinds.items():
        out.rows.append(Row("runner", kind, summary.written, res.micro.to_dict(), macro_f1=res.macro()["f1"]))
    return out


def _fmt(value: Any, width: int, digits: int = 3) -> str:
    if value is None or value == "":
        return f"{'-':>{width}}"
    if isinstance(value, float):
        return f"{value:>{width}.{digits}f}"
    return f"{value!s:>{width}}"


def _exact(scores: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Precision, recall and F1 from the counts, where there are counts: the stored ratios are
    rounded to four places, and rounding those again to three can differ from the evaluator's
    figures (F1 0.26048 was shown as 0.261)."""
    if all(isinstance(scores.get(k), int) for k in ("tp", "fp", "fn")):
        exact = Scores(scores["tp"], scores["fp"], scores["fn"])
        return exact.precision, exact.recall, exact.f1
    return scores.get("precision"), scores.get("recall"), scores.get("f1")


def format_table(results: Sequence[SuiteResult], meta: dict[str, Any]) -> str:
    """The whole benchmark as one fixed-width table, then timing and memory lines."""
    header = (
        f"{'suite':<11} {'scored':<13} {'docs':>5} {'tp':>6} {'fp':>6} {'fn':>6} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'mF1':>6} | {'litP':>6} {'litR':>6} {'litF1':>6} | {'annot s':>8} {'rec/s':>8}"
    )
    lines = [header, "-" * len(header)]
    for res in results:
        for i, r in enumerate(res.rows):
            s, lit = r.scores, r.literal or {}
            p, rc, f1 = _exact(s)
            lp, lr, lf1 = _exact(lit)
            lines.append(
                f"{r.suite:<11} {r.scored:<13} {r.docs:>5} {s['tp']:>6} {s['fp']:>6} {s['fn']:>6} "
                f"{_fmt(p, 6)} {_fmt(rc, 6)} {_fmt(f1, 6)} {_fmt(r.macro_f1, 6)} | "
                f"{_fmt(lp, 6)} {_fmt(lr, 6)} {_fmt(lf1, 6)} | "
                + (f"{res.seconds:>8.2f} {res.rate:>8.0f}" if i == 0 else f"{'':>8} {'':>8}")
            )
        if not res.rows:
            lines.append(f"{res.name:<11} {'(nothing scored)':<13}")
    lines.append("")
    lines += [
        "P/R/F1: micro over (document, ID) pairs; mF1: macro F1 over documents.",
        "kegg-ocr: genes in the reading vs in the true text; P/R/F1 with the OCR rules, litP/litR/litF1 literal-only.",
        "annot s: annotation time; rec/s: records per second (kegg-ocr: texts, i.e. truth + 4 readings per crop,"
        " both modes).",
    ]
    lines.append(
        f"lexicon load {meta['lexicon_seconds']:.2f} s, annotator setup {meta['setup_seconds']:.2f} s, "
        f"total {meta['total_seconds']:.1f} s, peak memory {meta['peak_rss_mb']:.0f} MB "
        f"(worker processes {meta['children_peak_rss_mb']:.0f} MB)"
    )
    for res in results:
        if res.name == "runner" and res.rows:
            lines.append(
                f"runner: {res.texts} records in {res.seconds:.2f} s ({res.rate:.0f} records/s, "
                f"workers: {res.extra['workers']}), "
                "including reading and writing records"
            )
        if res.errors:
            lines.append(f"{res.name}: {len(res.errors)} records unreadable and skipped (first: {res.errors[0]})")
    return "\n".join(lines)


def _peak_mb(who: int) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_benchmark(
    shared: Path, suites: Sequence[str], sources: Path | None = None, limit: int | None = None, workers: int = 0
) -> tuple[list[SuiteResult], dict[str, Any]]:
    """Run the chosen suites; returns their results and the timing/memory figures."""
    started = time.perf_counter()
    sources = sources or shared / "lexicon-sources"
    t0 = time.perf_counter()
    lexicon = load_lexicon(sources)
    lexicon_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    warmup = FigureRecord("warmup", "BDNF and glutamate in Parkinson disease", ocr_text="AKT1")
    Annotator(lexicon).annotate(warmup)  # loads the tokenizer, stop lists and rule tables once
    setup_seconds = time.perf_counter() - t0
    # each suite runs with the options of its job config in configs/, as a user would
    captions = job_options("pfocr-captions.yaml")
    cdr = job_options("bc5cdr.yaml")
    genes = job_options("gnormplus.yaml")
    jobs: dict[str, Callable[[], SuiteResult]] = {
        "pfocr-dev": lambda: scored_suite("pfocr-dev", shared / PFOCR_DEV, captions, lexicon, limit),
        "bc5cdr-dev": lambda: scored_suite("bc5cdr-dev", shared / BC5CDR_DEV, cdr, lexicon, limit),
        "gnormplus": lambda: scored_suite("gnormplus", shared / GNORMPLUS, genes, lexicon, limit),
        "kegg-ocr": lambda: ocr_suite(shared / KEGG_CROPS, lexicon, limit),
        "runner": lambda: runner_suite(shared, sources, limit, workers),
    }
    results = [jobs[name]() for name in SUITES if name in suites]
    meta = {
        "lexicon_seconds": lexicon_seconds,
        "setup_seconds": setup_seconds,
        "total_seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_mb(resource.RUSAGE_SELF),
        "children_peak_rss_mb": _peak_mb(resource.RUSAGE_CHILDREN),
        "limit": limit,
    }
    return results, meta


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--suite", action="append", choices=SUITES, help="run only this suite (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help=f"shared data (default {DEFAULT_SHARED})")
    parser.add_argument("--sources", type=Path, help="lexicon sources (default SHARED/lexicon-sources)")
    parser.add_argument("--limit", type=int, help="only the first N records (crops) of every suite")
    parser.add_argument("--workers", type=int, default=0, help="worker processes of the runner suite (0 = all cores)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    suites = args.suite or list(SUITES)
    missing = [
        str(args.shared / p)
        for name, p in (
            ("pfocr-dev", PFOCR_DEV),
            ("bc5cdr-dev", BC5CDR_DEV),
            ("gnormplus", GNORMPLUS),
            ("kegg-ocr", KEGG_CROPS),
            ("runner", PFOCR_DEV),
        )
        if name in suites and not (args.shared / p).exists()
    ]
    if missing:
        print(f"benchmark: missing data: {', '.join(missing)}", file=sys.stderr)
        return 2
    results, meta = run_benchmark(args.shared, suites, args.sources, args.limit, args.workers)
    if args.json:
        out = {
            "suites": {r.name: r.to_json() for r in results},
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in meta.items()},
        }
        print(json.dumps(out, indent=2))
    else:
        print(format_table(results, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
