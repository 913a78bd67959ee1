#!/usr/bin/env python3
"""End-to-end throughput and memory of batch runs, as a user sees them.

Generates N caption records (default 15,000) as JSONL by cycling the PFOCR
development records (``../shared/gold/pfocr-dev``) with new figure ids, then
times ``extractor annotate`` as a subprocess, start-up included, for every
combination of ``--workers`` and ``--formats``, each ``--repeat`` times (the
median is reported: other load on the machine distorts single timings). The
peak memory is the largest sum of the resident set sizes of the whole process
tree (the CLI and its workers), polled every 20 ms with psutil.

Also reported: the cached lexicon's load time (``Lexicon(dir)``), the first
``Annotator`` construction, and the first annotation (which imports spaCy and
builds the tokenizer), each in a fresh process; and whether the outputs of all
worker counts (and the Dask engine, with ``--dask``) are byte-identical.

``--ceiling`` adds runs in which the matcher is replaced by a lookup of
precomputed mentions, so they measure everything around the matcher (reading,
moving records between processes, rendering, writing, start-up).

``--distinct`` instead times runs over texts that are all different: every
PFOCR development caption and every abstract of the corpora (title and
abstract as the caption), once each. The 15,000-record input repeats its 891
captions, so a worker meets most of them again, with their words' tokens,
keys and readings already cached; a batch of new figures is nearer to this
run. Start-up is measured by a run over the first 20 of these records, and
the rate after start-up is given beside the overall one.

``--memory 20000,200000`` instead measures the peak memory of one JSONL run per
input size, to check that memory does not grow with the input.

    .venv/bin/python scripts/bench_throughput.py                 # the targets
    .venv/bin/python scripts/bench_throughput.py --ceiling --dask
    .venv/bin/python scripts/bench_throughput.py --memory 20000,200000 --formats jsonl
    .venv/bin/python scripts/bench_throughput.py --distinct --workers 2 --formats jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Any
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = CHECKOUT.parent / "shared"
# Runs start outside the checkout, so that ``python -m extractor`` is the installed
# package (compiled or not), not the sources of the current directory.
RUN_DIR = tempfile.gettempdir()
# the job of configs/pfocr-captions.yaml, as flags (that config also evaluates)
JOB_FLAGS = ["--texts", "caption", "--kinds", "genes,chemicals", "--set", "matcher.currency_metabolites=false"]
JOB_OVERRIDES = {"texts": ["caption"], "kinds": ["genes", "chemicals"], "matcher.currency_metabolites": False}


def record_line(rec: Any, i: int) -> str:
    """A JSONL input line: the record's metadata and caption without annotations, figid made unique by ``i``."""
    from extractor.records import ANNOTATION_KEYS

    data = {k: v for k, v in rec.meta.items() if k not in ANNOTATION_KEYS}
    data["figid"] = f"{rec.figid}__{i}"
    data["caption"] = rec.caption
    return json.dumps(data, ensure_ascii=False) + "\n"


def generate(n: int, gold: Path, out: Path) -> int:
    """Write ``n`` JSONL records cycling the gold records' metadata and captions; returns the distinct captions."""
    from extractor.records import read_records

    records, _ = read_records(gold)
    if not records:
        sys.exit(f"no records in {gold}")
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(record_line(records[i % len(records)], i))
    return len({r.caption for r in records})


def generate_distinct(shared: Path, out: Path, limit: int | None = None) -> tuple[int, int]:
    """Write one JSONL record per distinct caption and corpus abstract; returns (records, characters of text)."""
    from extractor.records import read_records

    paths = [shared / "gold" / "pfocr-dev", *sorted((shared / "corpora").glob("*PubTator*"))]
    seen: set[str] = set()
    n = chars = 0
    with open(out, "w", encoding="utf-8") as fh:
        for path in paths:
            records, _ = read_records(path)
            for rec in records:
                if not rec.caption or rec.caption in seen or (limit is not None and n >= limit):
                    continue
                seen.add(rec.caption)
                fh.write(record_line(rec, n))
                n += 1
                chars += len(rec.caption)
    return n, chars


def run_distinct(args: argparse.Namespace, base: list[str], src: list[str], env: dict[str, str], tmp: Path) -> dict:
    """Time runs over distinct texts (see ``--distinct``), with a 20-record run for start-up."""
    data = tmp / "distinct.jsonl"
    small = tmp / "distinct-20.jsonl"
    n, chars = generate_distinct(args.shared, data)
    generate_distinct(args.shared, small, limit=20)
    rows = []
    for fmt in args.formats.split(","):
        for w in (int(x) for x in args.workers.split(",")):
            label = f"w={w or os.cpu_count()}"
            times: dict[str, list[float]] = {"all": [], "start": []}
            peak = 0
            for i in range(args.repeat):
                for name, path in (("all", data), ("start", small)):
                    out = tmp / (f"distinct-{name}-{i}" + (".jsonl" if fmt == "jsonl" else ""))
                    cmd = [*base, "annotate", str(path), "--out", str(out), *JOB_FLAGS, "--no-resume", *src, "--workers", str(w)]
                    seconds, rss, rc, tail = timed(cmd, env)
                    if rc != 0:
                        print(f"{fmt} {label} {name}: exit status {rc}\n{tail}", file=sys.stderr)
                    times[name].append(seconds)
                    peak = max(peak, rss)
                    subprocess.run(["rm", "-rf", str(out)], check=False)
            total, start = statistics.median(times["all"]), statistics.median(times["start"])
            row = {
                "format": fmt,
                "engine": label,
                "records": n,
                "characters": chars,
                "seconds": round(total, 2),
                "startup_seconds": round(start, 2),
                "records_per_s": round(n / total),
                "records_per_s_after_startup": round((n - 20) / max(total - start, 1e-9)),
                "characters_per_s": round(chars / total),
                "peak_mb": round(peak / 2**20),
                "all_seconds": [round(t, 2) for t in times["all"]],
            }
            rows.append(row)
            if not args.json:
                print(
                    f"{fmt:5s} distinct {label:6s} {n} records ({chars / n:.0f} characters each): {total:6.2f} s, "
                    f"{row['records_per_s']:5d} records/s, {row['records_per_s_after_startup']:5d} after start-up "
                    f"({start:.2f} s), peak {row['peak_mb']} MB   (runs: {', '.join(f'{t:.2f}' for t in times['all'])})",
                    flush=True,
                )
    return {"distinct": rows}


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS of the process tree in bytes, exit status, stderr tail) of a subprocess.

    The tree is polled every 50 ms (its member list every 0.5 s), cheaply enough
    not to slow a 2-core machine down noticeably.
    """
    import psutil

    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=RUN_DIR)
        root = psutil.Process(proc.pid)
        members: list = [root]
        listed = 0.0
        peak = 0
        while proc.poll() is None:
            now = time.perf_counter()
            if now - listed > 0.5:
                try:
                    members = [root, *root.children(recursive=True)]
                except psutil.Error:
                    pass
                listed = now
            total = 0
            for p in members:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    return seconds, peak, proc.returncode, "\n".join(tail)


def output_digest(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.glob("*.md")):
            digest.update(p.name.encode() + b"\0" + p.read_bytes())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


STUB = textwrap.dedent(
    """
    import pickle, sys
    from extractor import runner
    from extractor.pipeline import Annotator, mentions_to_rows
    with open(sys.argv[1], "rb") as fh:
        table = pickle.load(fh)

    class CeilingAnnotator:
        # Replaces the runner's annotator as a whole: a compiled Annotator's
        # methods cannot be patched one by one.
        def __init__(self, lexicon, options):
            self.real = Annotator(lexicon, options)

        def annotate(self, record, ocr_text=None):
            hit = table.get(record.caption)
            if hit is None or ocr_text or record.ocr_text:
                return self.real.annotate(record, ocr_text)
            return record.with_annotations(*mentions_to_rows(hit, self.real.options.provenance))

    runner.Annotator = CeilingAnnotator
    from extractor.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


def precompute_mentions(gold: Path, sources: str | None, out: Path) -> None:
    """Mentions of every distinct caption, for the ``--ceiling`` runs."""
    import pickle

    from extractor.config import Config, with_overrides
    from extractor.lexicon import load_lexicon
    from extractor.pipeline import Annotator
    from extractor.records import read_records

    cfg = with_overrides(Config(), JOB_OVERRIDES)
    annotator = Annotator(load_lexicon(sources), cfg.annotate_options())
    records, _ = read_records(gold)
    table = {r.caption: annotator._find(annotator.prose, r.caption, "caption") for r in records if r.caption}
    out.write_bytes(pickle.dumps(table))


def lexicon_load(sources: str | None, env: dict[str, str]) -> dict[str, float]:
    code = textwrap.dedent(
        """
        import json, sys, time
        from extractor.lexicon import Lexicon, ensure_lexicon
        from extractor.pipeline import Annotator
        from extractor.records import FigureRecord
        directory = ensure_lexicon(sys.argv[1] or None)
        t0 = time.perf_counter(); lex = Lexicon(directory)
        t1 = time.perf_counter(); ann = Annotator(lex)
        t2 = time.perf_counter(); ann.annotate(FigureRecord("x", "BDNF and GSK-3\u03b2 (Ser9) in Parkinson disease"))
        t3 = time.perf_counter()
        print(json.dumps({"open": t1 - t0, "annotator": t2 - t1, "first_annotation": t3 - t2}))
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", code, sources or ""], capture_output=True, text=True, env=env, check=True, cwd=RUN_DIR
    )
    return json.loads(res.stdout)


def matcher_build(env: dict[str, str]) -> str:
    """Which build of the matcher the timed runs use: the mypyc-compiled one or the Python sources."""
    code = "from extractor.match import compiled; print(compiled())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=RUN_DIR)
    return "compiled (mypyc)" if res.stdout.strip() == "True" else "Python sources"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=15_000, help="records to generate (default 15000)")
    ap.add_argument("--workers", default="1,2,0", help="worker counts to time (0 = all cores; default 1,2,0)")
    ap.add_argument("--formats", default="jsonl,md", help="output formats (default jsonl,md)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per combination; the median is reported")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data directory")
    ap.add_argument("--sources", help="lexicon source directory (default: SHARED/lexicon-sources if present)")
    ap.add_argument("--ceiling", action="store_true", help="also time runs with a precomputed-mentions matcher")
    ap.add_argument("--dask", action="store_true", help="also run the Dask engine (a local cluster) once per format")
    ap.add_argument("--distinct", action="store_true", help="time runs over distinct texts only (see above), nothing else")
    ap.add_argument("--memory", help="comma-separated input sizes: peak memory of one run each, nothing else")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = ap.parse_args()
    try:
        import psutil  # noqa: F401
    except ImportError:
        sys.exit("psutil is needed: pip install psutil")

    gold = args.shared / "gold" / "pfocr-dev"
    if args.sources is None and (args.shared / "lexicon-sources").is_dir():
        args.sources = str(args.shared / "lexicon-sources")  # an installed package is not beside the checkout
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("CI", None)
    base = [sys.executable, "-m", "extractor", "-q"]
    src = ["--sources", args.sources] if args.sources else []
    subprocess.run([*base, "lexicon", "build", *src], check=True, env=env, cwd=RUN_DIR)  # not timed: runs use the cache
    results: dict = {"records": args.records, "cpus": os.cpu_count(), "matcher": matcher_build(env), "runs": []}
    if not args.json:
        print(f"matcher: {results['matcher']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="extractor-throughput-") as tmp_name:
        tmp = Path(tmp_name)
        if args.distinct:
            results.update(run_distinct(args, base, src, env, tmp))
            if args.json:
                print(json.dumps(results, indent=2))
            return 0
        if args.memory:
            for n in (int(x) for x in args.memory.split(",")):
                data = tmp / f"in-{n}.jsonl"
                generate(n, gold, data)
                out = tmp / f"mem-{n}.jsonl"
                cmd = [*base, "annotate", str(data), "--out", str(out), *JOB_FLAGS, "--no-resume", *src]
                seconds, peak, rc, tail = timed(cmd, env)
                row = {"records": n, "seconds": round(seconds, 2), "records_per_s": round(n / seconds), "peak_mb": round(peak / 2**20), "rc": rc}
                results["runs"].append(row)
                print(f"{n:>9} records  {seconds:8.1f} s  {n / seconds:7.0f} records/s  peak {peak / 2**20:6.0f} MB  exit {rc}", flush=True)
                data.unlink()
                out.unlink(missing_ok=True)
            if args.json:
                print(json.dumps(results, indent=2))
            return 0

        data = tmp / "input.jsonl"
        distinct = generate(args.records, gold, data)
        loads = [lexicon_load(args.sources, env) for _ in range(3)]
        results["lexicon"] = {k: round(statistics.median(x[k] for x in loads), 3) for k in loads[0]}
        stub = None
        if args.ceiling:
            table = tmp / "mentions.pkl"
            precompute_mentions(gold, args.sources, table)
            stub = [sys.executable, "-c", STUB, str(table), "-q"]
        variants: list[tuple[str, str, list[str], list[str]]] = []
        for fmt in args.formats.split(","):
            for w in (int(x) for x in args.workers.split(",")):
                variants.append((fmt, f"local w={w or os.cpu_count()}{'(default)' if w == 0 else ''}", base, ["--workers", str(w)]))
                if stub is not None:
                    variants.append((fmt, f"ceiling w={w or os.cpu_count()}", stub, ["--workers", str(w)]))
            if args.dask:
                variants.append((fmt, f"dask w={os.cpu_count()}", base, ["--engine", "dask"]))
        digests: dict[str, set[str]] = {}
        for fmt, label, prefix, extra in variants:
            times, peaks = [], []
            repeat = 1 if label.startswith("dask") else args.repeat
            for i in range(repeat):
                out = tmp / (f"out-{len(results['runs'])}-{i}" + (".jsonl" if fmt == "jsonl" else ""))
                cmd = [*prefix, "annotate", str(data), "--out", str(out), *JOB_FLAGS, "--no-resume", *src, *extra]
                seconds, peak, rc, tail = timed(cmd, env)
                if rc != 0:
                    print(f"{fmt} {label}: exit status {rc}\n{tail}", file=sys.stderr)
                times.append(seconds)
                peaks.append(peak)
                if i == 0:
                    digests.setdefault(fmt, set()).add(output_digest(out))
                subprocess.run(["rm", "-rf", str(out)], check=False)
            med = statistics.median(times)
            row = {
                "format": fmt,
                "engine": label,
                "seconds": round(med, 2),
                "records_per_s": round(args.records / med),
                "peak_mb": round(max(peaks) / 2**20),
                "all_seconds": [round(t, 2) for t in times],
            }
            results["runs"].append(row)
            if not args.json:
                print(
                    f"{fmt:5s} {label:22s} {med:7.2f} s  {args.records / med:7.0f} records/s  "
                    f"peak {max(peaks) / 2**20:6.0f} MB   (runs: {', '.join(f'{t:.2f}' for t in times)})",
                    flush=True,
                )
        results["same_output"] = {fmt: len(d) == 1 for fmt, d in digests.items()}
        results["distinct_captions"] = distinct
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        lex = results["lexicon"]
        print(
            f"lexicon from cache: open {lex['open']:.3f} s, Annotator {lex['annotator']:.3f} s, "
            f"first annotation (spaCy start-up) {lex['first_annotation']:.3f} s"
        )
        for fmt, same in results["same_output"].items():
            print(f"{fmt}: outputs of every run {'byte-identical' if same else 'DIFFER'}")
    return 0 if all(results["same_output"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
