"""Batch runs: read inputs, annotate records (in worker processes or on a Dask cluster), write outputs and a manifest.

Data flow. The main process streams records from the inputs (nothing is read
whole), drops duplicate figure ids and records already done by an earlier run
of the same job, and cuts the rest into chunks of ``run.chunk_size`` tasks. A
task holds only what a worker needs: the figure id, metadata, texts and an
image to OCR. Workers (a local process pool, or Dask workers) open the
memory-mapped lexicon once and return every record rendered as text (its
``.md`` file or JSONL line) with its TSV rows. The main process writes the
results in input order, chunk by chunk, so the output does not depend on the
number of workers or the engine.

Resuming. Beside the output lives a progress journal (``.extractor-progress``
in an ``.md`` output directory, ``<out>.progress`` for JSONL): a header with the
job fingerprint, then one line per written chunk with its figure ids and the
sizes the partial output files had after it. JSONL and TSV output is appended to
``<file>.partial`` and renamed into place when the run ends; ``.md`` files are
written atomically one by one. Re-running the same job skips the records in
the journal (truncating partial files to the last journal line, so a killed run
never leaves half a record); a changed job redoes everything.
"""

from __future__ import annotations

import csv
import errno
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from . import __version__
from .config import Config, ConfigError
from .match import compiled
from .ocr import find_image, load_ocr_text, ocr_image
from .pipeline import AnnotateOptions, Annotator
from .records import (
    TSV_COLUMNS,
    FigureRecord,
    RecordError,
    iter_records,
    record_to_json,
    record_to_markdown,
    tsv_line,
    tsv_rows,
)
from .resources import atomic_write_text

log = logging.getLogger(__name__)

JOURNAL_NAME = ".extractor-progress"  # in an .md output directory
JOURNAL_VERSION = 1
MAX_ERRORS_KEPT = 10_000  # error lines kept for the manifest (all are logged)

#: (figid, metadata, body, caption, OCR text, image to OCR): what a worker needs for one record
Task = tuple[str, dict, str, str, str, str | None]
#: (figid, where it was read): what the main process keeps of a record in flight
Info = tuple[str, str]


class RunError(RuntimeError):
    """A run that cannot go on (output not writable, a worker died); what was written is kept."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal after the records in progress were written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class RunSummary:
    """Counts and timings of a run."""

    read: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    errors_omitted: int = 0
    seconds: float = 0.0
    lexicon_seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    status: str = "running"
    resumed: bool = False

    def fail(self, line: str) -> None:
        """Count one failed record and log its one-line reason."""
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(line)
        else:
            self.errors_omitted += 1
        log.error("%s", line)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "resumed": self.resumed,
            "records_read": self.read,
            "records_written": self.written,
            "records_skipped": self.skipped,
            "records_failed": self.failed,
            "errors": self.errors,
            "errors_omitted": self.errors_omitted,
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


def worker_count(cfg: Config) -> int:
    """``run.workers``, or the number of cores this process may use."""
    if cfg.run.workers:
        return cfg.run.workers
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


# --------------------------------------------------------------------------
# The lexicon and the job fingerprint
# --------------------------------------------------------------------------

#: what a broken source file can raise while the lexicon is built (XML errors are SyntaxErrors)
LEXICON_BUILD_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, OSError, EOFError, LookupError, SyntaxError, csv.Error, zlib.error,
)  # fmt: skip


def prepare_lexicon(sources: str | None, rebuild: bool = False) -> Path:
    """The compiled lexicon's directory, built first if needed; a broken source is one ConfigError."""
    from .lexicon import ensure_lexicon

    try:
        return ensure_lexicon(sources, rebuild=rebuild)
    except LEXICON_BUILD_ERRORS as exc:  # (a missing source is a ResourceError, reported as it is)
        where = sources or "the default lexicon sources"
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"cannot build the lexicon from {where}: {detail}") from None


def job_fingerprint(cfg: Config, lexicon_key: str) -> dict[str, Any]:
    """What decides the content of the output: the config without ``run``, ``evaluate``, the
    output location and the source directory (the lexicon key stands for its content), the
    lexicon cache key, the package version and a digest of its code and curated data (an
    edited matcher is another job, even at the same version). ``digest`` is its hash."""
    conf = cfg.to_dict()
    for key in ("run", "evaluate"):
        conf.pop(key)
    conf["lexicon"].pop("sources")
    conf["output"].pop("path")
    conf["output"]["format"] = output_format(cfg)
    job = {"config": conf, "lexicon": lexicon_key, "extractor_version": __version__, "code": code_digest()}
    digest = hashlib.sha256(json.dumps(job, sort_keys=True).encode("utf-8")).hexdigest()[:16]
    return {"digest": digest, "job": job}


def code_digest() -> str:
    """SHA-256 (16 hex digits) of the package's modules and the curated data files the matcher reads."""
    from .resources import PACKAGE_DIR, lexicon_data_dir

    digest = hashlib.sha256()
    for directory, pattern in ((PACKAGE_DIR, "*.py"), (lexicon_data_dir(), "*")):
        for path in sorted(directory.glob(pattern)):
            if path.is_file():
                digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _changed_keys(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new)):
            out += _changed_keys(old.get(k), new.get(k), f"{prefix}{k}.")
        return out
    return [] if old == new else [prefix.rstrip(".")]


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerJob:
    """What every worker needs besides the tasks: where the lexicon is, how to annotate and render."""

    lexicon_dir: str
    options: AnnotateOptions
    format: str
    tsv: bool


_ANNOTATOR: tuple[tuple[str, AnnotateOptions], Annotator] | None = None


def _annotator(job: WorkerJob) -> Annotator:
    """The annotator of this process for ``job`` (the lexicon is opened once per process)."""
    global _ANNOTATOR
    key = (job.lexicon_dir, job.options)
    if _ANNOTATOR is None or _ANNOTATOR[0] != key:
        from .lexicon import Lexicon

        directory = Path(job.lexicon_dir)
        if not (directory / "manifest.json").is_file():
            raise RunError(
                f"lexicon directory {directory} not found on worker host {platform.node()}; "
                "workers load the lexicon from the client's cache directory (share it, or set EXTRACTOR_HOME)"
            )
        _ANNOTATOR = (key, Annotator(Lexicon(directory), job.options))
        # what exists now (modules, the lexicon's tables) lives as long as the process:
        # the collector's full passes need not walk it again and again
        gc.collect()
        gc.freeze()
    return _ANNOTATOR[1]


def _init_worker(job: WorkerJob) -> None:
    """Pool worker start: leave Ctrl-C to the main process, open the lexicon."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        _annotator(job)
    except RunError:
        pass  # raised again, with its message, by the first chunk


def _ready() -> bool:
    return True


def _annotate_chunk_in_pool(job: WorkerJob, tasks: Sequence[Task]) -> list[Any]:
    """``annotate_chunk`` in a pool worker, whose caches then join the objects the collector leaves alone.

    The matcher's caches grow with every new text, and each of the collector's
    full passes walked all of them again (8% of a worker's time on new texts).
    After a chunk, one pass over what the chunk left (its garbage cycles go)
    and ``gc.freeze`` keep later passes to the objects of one chunk. The cached
    objects hold no cycles, so those evicted later are still freed.
    """
    out = annotate_chunk(job, tasks)
    gc.collect()
    gc.freeze()
    return out


def annotate_chunk(job: WorkerJob, tasks: Sequence[Task]) -> list[Any]:
    """Annotate and render a chunk of tasks; a record that fails gives its one-line reason instead."""
    annotator = _annotator(job)
    out: list[Any] = []
    for figid, meta, body, caption, ocr, image in tasks:
        try:
            if image is not None:
                ocr = ocr_image(Path(image))
            record = annotator.annotate(FigureRecord(figid, caption, meta, None, body), ocr)
            text = record_to_markdown(record) if job.format == "md" else record_to_json(record) + "\n"
            rows = "".join(tsv_line(row) for row in tsv_rows(record)) if job.tsv else ""
            out.append((text, rows))
        except Exception as exc:  # one record's problem must not stop a batch of millions
            detail = " ".join(str(exc).split())
            kind = "" if isinstance(exc, ValueError) else f"{type(exc).__name__}: "
            out.append(f"annotation failed: {kind}{detail}")
    return out


# --------------------------------------------------------------------------
# Reading: records to tasks
# --------------------------------------------------------------------------


def iter_tasks(cfg: Config, summary: RunSummary, done: set[str]) -> Iterator[tuple[Info, Task]]:
    """Tasks for every input record not done before; unreadable and duplicate records are counted as failed.

    Records are streamed; only the set of figure ids seen is kept. ``done`` (ids
    written by an earlier run of the job) shrinks as its records are met.
    """
    seen: set[str] = set()
    ocr_dir = Path(cfg.ocr_dir) if cfg.ocr_dir else None
    images_dir = Path(cfg.images_dir) if cfg.images_dir else None
    want_caption = "caption" in cfg.texts
    want_ocr = "ocr" in cfg.texts
    for source in cfg.inputs:
        for item in iter_records(source, annotations=False):
            if isinstance(item, RecordError):
                summary.fail(item.line())
                continue
            summary.read += 1
            figid = item.figid
            if figid in seen:
                summary.fail(f"{item.path}: duplicate figid {figid!r} (read before in this run); skipped")
                continue
            seen.add(figid)
            if figid in done:
                done.discard(figid)
                summary.skipped += 1
                continue
            ocr: str | None = None
            image: str | None = None
            if want_ocr:
                if ocr_dir is not None:
                    try:
                        ocr = load_ocr_text(ocr_dir, figid)
                    except ValueError as exc:
                        summary.fail(str(exc))
                        continue
                if ocr is None:
                    ocr = item.ocr_text
                if images_dir is not None and not (ocr or "").strip():
                    found = find_image(images_dir, figid)
                    image = str(found) if found is not None else None
            caption = item.caption if want_caption else ""
            if not caption.strip() and not (ocr or "").strip() and image is None:
                what = " and ".join((["caption"] if want_caption else []) + (["OCR text"] if want_ocr else []))
                log.warning("%s: no text to annotate (empty %s); written with no annotations", item.path, what)
            caption = _limited(caption, cfg.max_text_chars, item.path, "caption")
            ocr = _limited(ocr or "", cfg.max_text_chars, item.path, "OCR text")
            yield (figid, item.path), (figid, dict(item.meta), item.body, caption, ocr, image)


def _limited(text: str, limit: int, where: str, what: str) -> str:
    if limit and len(text) > limit:
        log.warning(
            "%s: %s has %d characters; only the first %d are annotated (max_text_chars)", where, what, len(text), limit
        )
        return text[:limit]
    return text


def _chunks(items: Iterable[tuple[Info, Task]], size: int) -> Iterator[tuple[list[Info], list[Task]]]:
    infos: list[Info] = []
    tasks: list[Task] = []
    for info, task in items:
        infos.append(info)
        tasks.append(task)
        if len(tasks) >= size:
            yield infos, tasks
            infos, tasks = [], []
    if tasks:
        yield infos, tasks


# --------------------------------------------------------------------------
# Engines: chunks in, results out, in input order
# --------------------------------------------------------------------------


class LocalEngine:
    """Annotates in this process (one worker) or in a pool of worker processes."""

    def __init__(self, job: WorkerJob, workers: int) -> None:
        self.job = job
        self.workers = workers
        self.pool: Any = None

    def __enter__(self) -> "LocalEngine":
        if self.workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker, initargs=(self.job,))
            self.pool.submit(_ready)  # start the workers now: they open the lexicon while the first chunk is read
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)
            self.pool = None

    def results(self, chunks: Iterable[tuple[list[Info], list[Task]]]) -> Iterator[tuple[list[Info], list[Any]]]:
        if self.pool is None:
            for infos, tasks in chunks:
                yield infos, annotate_chunk(self.job, tasks)
            return
        from concurrent.futures.process import BrokenProcessPool

        window: deque = deque()
        try:
            for infos, tasks in chunks:
                window.append((infos, self.pool.submit(_annotate_chunk_in_pool, self.job, tasks)))
                if len(window) > 2 * self.workers:
                    first, future = window.popleft()
                    yield first, future.result()
            while window:
                first, future = window.popleft()
                yield first, future.result()
        except BrokenProcessPool:
            first = window[0][0] if window else []
            where = f" (records from {first[0][1]})" if first else ""
            raise RunError(f"a worker process died{where}; out of memory? records written so far are kept") from None


class DaskEngine:
    """Annotates on a Dask cluster: ``run.dask_scheduler``, or a LocalCluster of ``run.workers`` processes."""

    def __init__(self, job: WorkerJob, workers: int, scheduler: str | None) -> None:
        self.job = job
        self.workers = workers
        self.scheduler = scheduler
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> "DaskEngine":
        from distributed import Client, LocalCluster

        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            where = self.scheduler or "a local cluster"
            raise RunError(f"cannot start the Dask engine on {where}: {exc}") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def results(self, chunks: Iterable[tuple[list[Info], list[Task]]]) -> Iterator[tuple[list[Info], list[Any]]]:
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        window: deque = deque()
        for infos, tasks in chunks:
            window.append((infos, self.client.submit(annotate_chunk, self.job, tasks, pure=False)))
            if len(window) > 2 * workers:
                yield self._next(window)
        while window:
            yield self._next(window)

    @staticmethod
    def _next(window: deque) -> tuple[list[Info], list[Any]]:
        first, future = window.popleft()
        try:
            return first, future.result()
        except RunError:
            raise
        except Exception as exc:  # a lost worker, a closed connection: the run cannot go on
            where = f" (records from {first[0][1]})" if first else ""
            raise RunError(f"the Dask engine failed{where}: {type(exc).__name__}: {exc}") from None


def make_engine(cfg: Config, job: WorkerJob) -> LocalEngine | DaskEngine:
    if cfg.run.engine == "dask":
        return DaskEngine(job, worker_count(cfg), cfg.run.dask_scheduler)
    return LocalEngine(job, worker_count(cfg))


# --------------------------------------------------------------------------
# Outputs and the progress journal
# --------------------------------------------------------------------------


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


@dataclass
class _Journal:
    header: dict
    ids: set[str]
    sizes: dict[str, int]
    end: int  # bytes up to the end of the last complete line


def _read_journal(path: Path) -> _Journal | None:
    """The journal's header, the ids it lists and the last sizes; a torn last line is ignored."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the progress journal ({exc.strerror})") from None
    ids: set[str] = set()
    sizes: dict[str, int] | None = None
    header: dict | None = None
    end = 0
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                entry = json.loads(raw)
            except ValueError:
                break
            if header is None:
                if not isinstance(entry, dict) or entry.get("journal") != JOURNAL_VERSION:
                    return None
                header = entry
            else:
                ids.update(entry["ids"])
                sizes = entry["sizes"]
            end += len(raw)
    if header is None or sizes is None:
        return None
    return _Journal(header, ids, sizes, end)


class Output:
    """Where a run writes: records (``.md`` files or a JSONL file), the optional TSV, the journal, the manifest."""

    def __init__(self, cfg: Config) -> None:
        self.format = output_format(cfg)
        if not cfg.output.path:
            raise ConfigError("no output given (--out or output.path)")
        self.path = Path(cfg.output.path)
        self.tsv_path = Path(cfg.output.tsv) if cfg.output.tsv else None
        # name -> (partial file, final file)
        self.files: dict[str, tuple[Path, Path]] = {}
        if self.format == "md":
            self.journal_path = self.path / JOURNAL_NAME
            self.manifest_path = self.path / "run-manifest.json"
        else:
            self.journal_path = _sibling(self.path, ".progress")
            self.manifest_path = _sibling(self.path, ".manifest.json")
            self.files["records"] = (_sibling(self.path, ".partial"), self.path)
        if self.tsv_path is not None:
            self.files["tsv"] = (_sibling(self.tsv_path, ".partial"), self.tsv_path)
        self._handles: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}
        self._journal: IO[bytes] | None = None

    # -- before any work ----------------------------------------------------

    def check(self) -> None:
        """Create the output directories and make sure files can be written there."""
        if self.format == "md" and self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"{self.path}: output path exists and is not a directory")
        if self.format == "jsonl" and self.path.is_dir():
            raise ConfigError(f"{self.path}: output path is a directory, not a .jsonl file")
        dirs = [self.path if self.format == "md" else self.path.parent]
        if self.tsv_path is not None:
            dirs.append(self.tsv_path.parent)
        for d in dirs:
            try:
                d.mkdir(parents=True, exist_ok=True)
                fd, probe = tempfile.mkstemp(dir=d, prefix=".extractor-probe.")
                os.close(fd)
                os.unlink(probe)
            except OSError as exc:
                raise ConfigError(f"{d}: output directory is not writable ({exc.strerror or exc})") from None

    def start(self, fingerprint: dict[str, Any], resume: bool) -> set[str]:
        """Open the outputs; with ``resume``, keep an earlier run's records of the same job and return their ids."""
        journal = _read_journal(self.journal_path)
        done: set[str] = set()
        if journal is not None and resume:
            if journal.header.get("fingerprint") != fingerprint["digest"]:
                changed = _changed_keys(journal.header.get("job", {}), fingerprint["job"])
                log.warning(
                    "%s: the job changed since the last run (%s); redoing every record",
                    self.path,
                    ", ".join(changed) or "fingerprint",
                )
            elif not self._restore(journal.sizes):
                log.warning("%s: output files do not match the progress journal; redoing every record", self.path)
            else:
                done = self._done_ids(journal.ids)
                with open(self.journal_path, "r+b") as fh:
                    fh.truncate(journal.end)
                self._journal = open(self.journal_path, "ab")
                for name, (partial, _final) in self.files.items():
                    self._handles[name] = open(partial, "ab")
                    self._sizes[name] = journal.sizes[name]
                if done:
                    log.info("%s: resuming; %d records done before are kept", self.path, len(done))
                return done
        self._fresh(fingerprint)
        return done

    def _restore(self, sizes: dict[str, int]) -> bool:
        """Bring the partial files back to the journal's last sizes (a finished output becomes partial again).

        Nothing is touched unless every file is there and at least that long.
        """
        found = {}
        for name, (partial, final) in self.files.items():
            path = partial if partial.exists() else final
            size = sizes.get(name)
            try:
                if size is None or path.stat().st_size < size:
                    return False
            except FileNotFoundError:
                return False
            found[name] = path
        for name, (partial, _final) in self.files.items():
            if found[name] != partial:
                os.replace(found[name], partial)
            with open(partial, "r+b") as fh:
                fh.truncate(sizes[name])
        return True

    def _done_ids(self, ids: set[str]) -> set[str]:
        """Journal ids whose output exists (for .md: the file is there); stale temporary files are removed."""
        if self.format != "md":
            return ids
        done = set()
        with os.scandir(self.path) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".md") and name[:-3] in ids:
                    done.add(name[:-3])
                elif name.startswith(".") and name.endswith(".tmp") and ".md." in name:
                    Path(entry.path).unlink(missing_ok=True)  # left by a killed run's atomic write
        return done

    def _fresh(self, fingerprint: dict[str, Any]) -> None:
        for name, (partial, _final) in self.files.items():
            self._handles[name] = open(partial, "wb")
            self._sizes[name] = 0
        if "tsv" in self._handles:
            self._append("tsv", tsv_line(TSV_COLUMNS).encode("utf-8"))
            self._handles["tsv"].flush()
        header = {"journal": JOURNAL_VERSION, "fingerprint": fingerprint["digest"], "job": fingerprint["job"]}
        first = {"ids": [], "sizes": dict(self._sizes)}
        atomic_write_text(self.journal_path, json.dumps(header) + "\n" + json.dumps(first) + "\n")
        self._journal = open(self.journal_path, "ab")

    def _append(self, name: str, data: bytes) -> None:
        self._handles[name].write(data)
        self._sizes[name] += len(data)

    # -- during the run -----------------------------------------------------

    def write_chunk(self, infos: Sequence[Info], results: Sequence[Any], summary: RunSummary) -> None:
        """Write one chunk's records, then record them in the journal."""
        failures = self._write_md_files(infos, results) if self.format == "md" else {}
        ids: list[str] = []
        records: list[str] = []
        rows: list[str] = []
        for (figid, where), result in zip(infos, results, strict=True):
            if isinstance(result, str):
                summary.fail(f"{where}: {result}")
                continue
            exc = failures.get(figid)
            if exc is not None:
                if exc.errno not in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):  # not just this record's name
                    raise RunError(f"{self.path / (figid + '.md')}: cannot write ({exc.strerror or exc})")
                summary.fail(f"{where}: cannot write {figid}.md ({exc.strerror})")
                continue
            if self.format != "md":
                records.append(result[0])
            rows.append(result[1])
            ids.append(figid)
            summary.written += 1
        try:
            if records:
                self._append("records", "".join(records).encode("utf-8"))
            if rows and "tsv" in self._handles:
                self._append("tsv", "".join(rows).encode("utf-8"))
            for fh in self._handles.values():
                fh.flush()
            assert self._journal is not None
            self._journal.write((json.dumps({"ids": ids, "sizes": self._sizes}) + "\n").encode("utf-8"))
            self._journal.flush()
        except OSError as exc:
            raise RunError(f"cannot write the output of {self.path} ({exc.strerror or exc})") from None

    def _write_md_files(self, infos: Sequence[Info], results: Sequence[Any]) -> dict[str, OSError]:
        """Write the chunk's ``<figid>.md`` files (each atomically); returns the failures by figid.

        One at a time: file creations in one directory are serialised by the
        file system, and threads only add contention (measured: 3x slower).
        """
        failures = {}
        for (figid, _where), result in zip(infos, results, strict=True):
            if not isinstance(result, str):
                try:
                    atomic_write_text(self.path / f"{figid}.md", result[0])
                except OSError as exc:
                    failures[figid] = exc
        return failures

    # -- at the end ---------------------------------------------------------

    def close(self) -> None:
        """Close every file; partial files stay for the next run to resume."""
        for fh in [*self._handles.values(), self._journal]:
            if fh is not None:
                try:
                    fh.close()
                except OSError:
                    pass
        self._handles = {}
        self._journal = None

    def finish(self) -> None:
        """Close the files and move the partial files into place."""
        self.close()
        for partial, final in self.files.values():
            os.replace(partial, final)


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


class _StopOnSignal:
    """SIGINT/SIGTERM: finish writing the records in progress, then stop (a second signal stops at once)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, Any] = {}

    def __enter__(self) -> "_StopOnSignal":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.signum is not None:
            raise Interrupted(signum)
        self.signum = signum
        log.warning("%s: stopping once the records in progress are written", signal.Signals(signum).name)

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old = {}


class _NoProgress:
    """The progress bar of a quiet run (importing tqdm alone takes a tenth of a second)."""

    def update(self, n: int) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(cfg: Config) -> Any:
    if cfg.run.quiet or not sys.stderr.isatty() or os.environ.get("CI"):
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(unit=" records", smoothing=0.1, mininterval=0.5)


def run(cfg: Config) -> RunSummary:
    """Annotate every input record and write the outputs and the manifest; returns counts and timings.

    Raises ConfigError before any work if the output cannot be written or the
    lexicon cannot be built, RunError if the run cannot go on, and Interrupted
    (a KeyboardInterrupt) when stopped by a signal; in every case the records
    already written are complete and a re-run resumes after them.
    """
    started = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    summary = RunSummary()
    output = Output(cfg)
    output.check()
    lexicon_dir = prepare_lexicon(cfg.lexicon.sources)
    from .lexicon import read_manifest

    lexicon_manifest = read_manifest(lexicon_dir)
    summary.lexicon_seconds = time.perf_counter() - started
    fingerprint = job_fingerprint(cfg, lexicon_manifest["cache_key"])
    done = output.start(fingerprint, cfg.run.resume)
    summary.resumed = bool(done)
    job = WorkerJob(str(lexicon_dir), cfg.annotate_options(), output.format, output.tsv_path is not None)
    try:
        with _StopOnSignal() as stop, make_engine(cfg, job) as engine:
            bar = _progress(cfg)
            try:
                chunks = _chunks(iter_tasks(cfg, summary, done), cfg.run.chunk_size)
                for infos, results in engine.results(chunks):
                    output.write_chunk(infos, results, summary)
                    if summary.skipped:
                        bar.set_postfix(skipped=summary.skipped, refresh=False)
                    bar.update(len(infos))
                    if stop.signum is not None:
                        raise Interrupted(stop.signum)
            except RunError:
                if stop.signum is not None:  # the workers got the signal too (sent to the process group)
                    raise Interrupted(stop.signum) from None
                raise
            finally:
                bar.close()
        output.finish()
        summary.status = "complete"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except BaseException:
        summary.status = "failed"
        raise
    finally:
        output.close()
        summary.seconds = time.perf_counter() - started
        summary.outputs["records"] = str(output.path)
        if output.tsv_path is not None:
            summary.outputs["tsv"] = str(output.tsv_path)
        try:
            write_manifest(cfg, summary, lexicon_manifest, fingerprint, output.manifest_path, started_at, lexicon_dir)
        except OSError as exc:
            log.error("%s: cannot write the run manifest (%s)", output.manifest_path, exc.strerror or exc)
    return summary


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent.parent
    if not (here / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_manifest(
    cfg: Config,
    summary: RunSummary,
    lexicon_manifest: dict,
    fingerprint: dict[str, Any],
    path: Path,
    started_at: str,
    lexicon_dir: Path,
) -> None:
    """Write the run manifest: resolved config, lexicon provenance, versions, counts, failures, timings."""
    manifest = {
        "extractor_version": __version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "compiled_matcher": compiled(),
        "host": platform.node(),
        "config": cfg.to_dict(),
        "job_fingerprint": fingerprint["digest"],
        "engine": cfg.run.engine,
        "workers": worker_count(cfg),
        "lexicon": {
            "cache_key": lexicon_manifest.get("cache_key"),
            "directory": str(lexicon_dir),
            "builder_version": lexicon_manifest.get("builder_version"),
            "extractor_version": lexicon_manifest.get("extractor_version"),
            "sources": lexicon_manifest.get("sources"),
            "curated_files": lexicon_manifest.get("curated_files"),
        },
        "run": summary.to_dict(),
        "started": started_at,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
