"""Batch runs: read inputs, annotate records (in worker processes), write outputs and a manifest."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from . import __version__
from .config import Config, ConfigError
from .lexicon import Lexicon, ensure_lexicon, load_lexicon
from .ocr import find_image, load_ocr_text, ocr_image
from .pipeline import Annotator, AnnotateOptions
from .records import (
    TSV_COLUMNS,
    ConceptRow,
    FigureRecord,
    GeneRow,
    RecordError,
    iter_records,
    record_to_json,
    tsv_line,
    tsv_rows,
    write_markdown,
)
from .resources import atomic_write_text

log = logging.getLogger(__name__)

Rows = tuple[tuple[GeneRow, ...], tuple[ConceptRow, ...], tuple[ConceptRow, ...]]


@dataclass
class RunSummary:
    """Counts and timings of a run."""

    read: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lexicon_seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records_read": self.read,
            "records_written": self.written,
            "records_skipped": self.skipped,
            "records_failed": self.failed,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "lexicon_seconds": round(self.lexicon_seconds, 3),
            "records_per_second": round(self.written / self.seconds, 1) if self.seconds else 0.0,
            "outputs": self.outputs,
        }


def output_format(cfg: Config) -> str:
    """``md`` or ``jsonl`` for the configured output path."""
    fmt = cfg.output.format
    if fmt == "auto":
        return "jsonl" if (cfg.output.path or "").endswith((".jsonl", ".ndjson")) else "md"
    return fmt


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------

_WORKER: Annotator | None = None


def _init_worker(lexicon_dir: str, options: AnnotateOptions) -> None:
    global _WORKER
    _WORKER = Annotator(Lexicon(Path(lexicon_dir)), options)


def _annotate_chunk(chunk: Sequence[tuple[FigureRecord, str | None]]) -> list[Rows]:
    assert _WORKER is not None
    out = []
    for record, ocr in chunk:
        annotated = _WORKER.annotate(record, ocr)
        out.append((annotated.genes, annotated.chemicals, annotated.diseases))
    return out


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------


class Outputs:
    """Writes annotated records as Markdown files or JSONL, and the optional flat TSV."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.format = output_format(cfg)
        self.path = Path(cfg.output.path) if cfg.output.path else None
        self._jsonl: IO[str] | None = None
        self._tsv: IO[str] | None = None
        self._tmp: list[tuple[Path, Path]] = []

    def open(self) -> None:
        if self.path is None:
            return
        try:
            if self.format == "md":
                self.path.mkdir(parents=True, exist_ok=True)
                if not os.access(self.path, os.W_OK):
                    raise PermissionError(f"{self.path}: output directory is not writable")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._jsonl = self._open_tmp(self.path)
            if self.cfg.output.tsv:
                self._tsv = self._open_tmp(Path(self.cfg.output.tsv))
                self._tsv.write(tsv_line(TSV_COLUMNS))
        except OSError as exc:
            raise ConfigError(f"cannot write output: {exc}") from None

    def _open_tmp(self, final: Path) -> IO[str]:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        self._tmp.append((tmp, final))
        return open(tmp, "w", encoding="utf-8", newline="\n")

    def write(self, record: FigureRecord) -> None:
        if self.path is not None:
            if self.format == "md":
                write_markdown(record, self.path)
            elif self._jsonl is not None:
                self._jsonl.write(record_to_json(record) + "\n")
        if self._tsv is not None:
            for row in tsv_rows(record):
                self._tsv.write(tsv_line(row))

    def close(self, commit: bool = True) -> None:
        for fh in (self._jsonl, self._tsv):
            if fh is not None:
                fh.close()
        for tmp, final in self._tmp:
            if commit:
                os.replace(tmp, final)
            else:
                tmp.unlink(missing_ok=True)
        self._tmp = []

    def manifest_path(self) -> Path | None:
        if self.path is None:
            return None
        if self.format == "md":
            return self.path / "run-manifest.json"
        return self.path.with_name(self.path.name + ".manifest.json")


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def iter_inputs(cfg: Config, summary: RunSummary) -> Iterator[tuple[FigureRecord, str | None]]:
    """Records of every input with their OCR text; errors are logged and counted."""
    seen: dict[str, str] = {}
    ocr_dir = Path(cfg.ocr_dir) if cfg.ocr_dir else None
    images_dir = Path(cfg.images_dir) if cfg.images_dir else None
    for source in cfg.inputs:
        for item in iter_records(source):
            if isinstance(item, RecordError):
                _fail(summary, item.line())
                continue
            summary.read += 1
            if item.figid in seen:
                _fail(summary, f"{item.path}: duplicate figid {item.figid!r} (first read from {seen[item.figid]}); skipped")
                continue
            seen[item.figid] = item.path
            ocr = None
            if "ocr" in cfg.texts:
                try:
                    if ocr_dir is not None:
                        ocr = load_ocr_text(ocr_dir, item.figid)
                    if images_dir is not None and not (ocr or item.ocr_text or "").strip():
                        image = find_image(images_dir, item.figid)
                        if image is not None:
                            ocr = ocr_image(image)  # slow; in this process for now
                except ValueError as exc:
                    _fail(summary, str(exc))
                    continue
            if not item.caption.strip() and not (ocr or item.ocr_text or "").strip():
                log.warning("%s: empty caption and no OCR text; written with no annotations", item.path)
            yield item, ocr


def _fail(summary: RunSummary, line: str) -> None:
    summary.failed += 1
    summary.errors.append(line)
    log.error("%s", line)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _progress(cfg: Config) -> Any:
    from tqdm import tqdm

    disable = cfg.run.quiet or not sys.stderr.isatty() or bool(os.environ.get("CI"))
    return tqdm(unit=" records", disable=disable, smoothing=0.1, mininterval=0.5)


def worker_count(cfg: Config) -> int:
    return cfg.run.workers or os.cpu_count() or 1


def run(cfg: Config) -> RunSummary:
    """Annotate every input record and write the outputs; returns counts and timings."""
    started = time.perf_counter()
    summary = RunSummary()
    t0 = time.perf_counter()
    lexicon_dir = ensure_lexicon(cfg.lexicon.sources)
    lexicon = load_lexicon(cfg.lexicon.sources)
    summary.lexicon_seconds = time.perf_counter() - t0
    options = cfg.annotate_options()
    outputs = Outputs(cfg)
    outputs.open()
    bar = _progress(cfg)
    workers = worker_count(cfg)
    ok = False
    try:
        chunks = _chunks(iter_inputs(cfg, summary), cfg.run.chunk_size)
        if workers <= 1:
            annotator = Annotator(lexicon, options)
            for chunk in chunks:
                for record, ocr in chunk:
                    outputs.write(annotator.annotate(record, ocr))
                    summary.written += 1
                bar.update(len(chunk))
        else:
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            with ctx.Pool(workers, initializer=_init_worker, initargs=(str(lexicon_dir), options)) as pool:
                pending = ((chunk, pool.apply_async(_annotate_chunk, (chunk,))) for chunk in chunks)
                window: list[tuple[list, Any]] = []
                for item in pending:
                    window.append(item)
                    if len(window) >= workers * 4:
                        _drain(window.pop(0), outputs, summary, bar)
                while window:
                    _drain(window.pop(0), outputs, summary, bar)
        ok = True
    finally:
        bar.close()
        outputs.close(commit=ok)
    summary.seconds = time.perf_counter() - started
    if outputs.path is not None:
        summary.outputs["records"] = str(outputs.path)
    if cfg.output.tsv:
        summary.outputs["tsv"] = cfg.output.tsv
    write_manifest(cfg, summary, lexicon, outputs.manifest_path())
    return summary


def _drain(item: tuple[list, Any], outputs: Outputs, summary: RunSummary, bar: Any) -> None:
    chunk, result = item
    for (record, _ocr), (genes, chems, dis) in zip(chunk, result.get()):
        outputs.write(record.with_annotations(genes, chems, dis))
        summary.written += 1
    bar.update(len(chunk))


def write_manifest(cfg: Config, summary: RunSummary, lexicon: Lexicon, path: Path | None) -> None:
    """Write the run manifest: resolved config, lexicon provenance, versions, counts, timings."""
    if path is None:
        return
    manifest = {
        "extractor_version": __version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "config": cfg.to_dict(),
        "lexicon": {
            "cache_key": lexicon.manifest.get("cache_key"),
            "builder_version": lexicon.manifest.get("builder_version"),
            "sources": lexicon.manifest.get("sources"),
            "curated_files": lexicon.manifest.get("curated_files"),
        },
        "run": summary.to_dict(),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=False) + "\n")
