"""Command line: ``extractor annotate | run | evaluate | lexicon build | lexicon info``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .config import Config, ConfigError, load_config, validate, with_overrides
from .evaluate import EvaluationError
from .resources import ResourceError

log = logging.getLogger("extractor")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose > 1 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _add_run_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ocr-dir", help="directory of OCR results: <figid>.txt, .json (Cloud Vision), .tsv (Tesseract), .hocr")
    p.add_argument("--images", metavar="DIR", help="directory of <figid>.png/.jpg/... images to OCR with Tesseract")
    p.add_argument("--texts", help="comma-separated texts to read: caption, ocr (default both)")
    p.add_argument("--kinds", help="comma-separated kinds: genes, chemicals, diseases (default all)")
    p.add_argument("--format", choices=("auto", "md", "jsonl"), help="output format (default: from --out)")
    p.add_argument("--tsv", help="also write a flat TSV, one row per annotation")
    p.add_argument("--provenance", action="store_true", default=None, help="add span/method provenance to rows")
    p.add_argument("--sources", help="directory of lexicon source files (hgnc/, famplex/, mesh/)")
    p.add_argument("--workers", type=int, help="worker processes (0 = all cores, 1 = no workers)")
    p.add_argument("--engine", choices=("local", "dask"), help="run engine: local processes or a Dask cluster")
    p.add_argument("--dask-scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)")
    p.add_argument("--chunk-size", type=int, help="records per unit of work sent to a worker")
    p.add_argument("--no-resume", dest="resume", action="store_false", default=None, help="redo records already written")
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set any config key, e.g. --set matcher.lists=false (VALUE is read as YAML; repeatable)",
    )
    p.add_argument("--gold", help="score the output against these gold records when done")
    p.add_argument("--report", help="write an HTML evaluation report into this directory (with --gold)")


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _with_settings(cfg: Config, items: Sequence[str]) -> Config:
    """``cfg`` with the ``--set KEY=VALUE`` pairs applied; VALUE is YAML (``null``, ``false``, ``[a, b]``)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"command line: --set {item!r}: expected KEY=VALUE")
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigError(f"command line: --set {item!r}: the value is not valid YAML") from None
    return with_overrides(cfg, out, "command line (--set)", skip_none=False)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Config overrides from the flags (None: not given); they are applied after ``--set``."""
    return {
        "ocr_dir": args.ocr_dir,
        "images_dir": args.images,
        "texts": _split(args.texts),
        "kinds": _split(args.kinds),
        "output.format": args.format,
        "output.tsv": args.tsv,
        "output.provenance": args.provenance,
        "lexicon.sources": args.sources,
        "run.workers": args.workers,
        "run.engine": args.engine,
        "run.dask_scheduler": args.dask_scheduler,
        "run.chunk_size": args.chunk_size,
        "run.resume": args.resume,
        "run.quiet": True if args.quiet else None,
        "evaluate.gold": args.gold,
        "evaluate.report": args.report,
    }


def _run_config(cfg: Config, args: argparse.Namespace) -> int:
    from .runner import run

    if not cfg.inputs:
        raise ConfigError("no inputs given")
    if not cfg.output.path:
        raise ConfigError("no output given (--out or output.path)")
    summary = run(cfg)
    rate = summary.written / summary.seconds if summary.seconds else 0.0
    log.info(
        "%d records read, %d written, %d skipped (done before; --no-resume redoes them), %d failed"
        " in %.1f s (%.0f records/s) -> %s",
        summary.read,
        summary.written,
        summary.skipped,
        summary.failed,
        summary.seconds,
        rate,
        cfg.output.path,
    )
    if cfg.evaluate.gold:
        from .evaluate import evaluate_paths, format_table

        result = evaluate_paths(cfg.evaluate.gold, cfg.output.path, report_dir=cfg.evaluate.report)
        print(format_table(result))
    return 0 if summary.failed == 0 else 3


def cmd_annotate(args: argparse.Namespace) -> int:
    base = _with_settings(load_config(args.config) if args.config else Config(), args.settings)
    over = _overrides(args)
    over["inputs"] = [args.input]
    over["output.path"] = args.out
    cfg = validate(with_overrides(base, over), args.config or "command line")
    return _run_config(cfg, args)


def cmd_run(args: argparse.Namespace) -> int:
    cfg = _with_settings(load_config(args.config), args.settings)
    over = _overrides(args)
    if args.out:
        over["output.path"] = args.out
    if args.input:
        over["inputs"] = args.input
    cfg = validate(with_overrides(cfg, over), args.config)
    return _run_config(cfg, args)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_paths, format_table

    result = evaluate_paths(
        args.gold, args.pred, report_dir=args.report, human_genes_only=not args.all_species, top=args.top
    )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(format_table(result, details=True))
    return 0


def cmd_lexicon(args: argparse.Namespace) -> int:
    from .lexicon import Lexicon, cache_key, lexicon_dir
    from .resources import locate_sources
    from .runner import prepare_lexicon

    if args.lexicon_cmd == "info" and not args.build:
        sources = locate_sources(args.sources, download=False)
        k, _ = cache_key(sources)
        directory = lexicon_dir(k)
        if not (directory / "manifest.json").is_file():
            log.error(
                "no cached lexicon for the sources in %s (cache key %s, not in %s); "
                "run `extractor lexicon build` or pass --build",
                sources.root,
                k,
                directory.parent,
            )
            return 1
    else:
        started = time.perf_counter()
        directory = prepare_lexicon(args.sources, rebuild=getattr(args, "force", False))
        built = time.perf_counter() - started
    lex = Lexicon(directory)
    manifest = dict(lex.manifest, directory=str(directory))
    if args.lexicon_cmd == "build":
        log.info("lexicon %s ready in %.1f s at %s", manifest["cache_key"], built, directory)
        if args.write_manifest:
            Path(args.write_manifest).write_text(json.dumps(_portable(manifest), indent=2) + "\n", encoding="utf-8")
            log.info("manifest written to %s", args.write_manifest)
        return 0
    if args.json:
        print(json.dumps(manifest, indent=2))
        return 0
    print(f"lexicon {manifest['cache_key']} (builder {manifest['builder_version']}) at {directory}")
    print(f"built {manifest.get('created', '?')} in {manifest.get('build_seconds', '?')} s")
    print(f"keys {manifest['keys']}, entries {manifest['entries']}, genes {manifest['genes']}, families {manifest['families']}")
    print("sources:")
    for role, info in manifest["sources"].items():
        print(f"  {role:20s} {info['sha256'][:12]}  {info['bytes']:>10} B  {info['path']}")
    print("terms per source:")
    for k, v in manifest["counts"].items():
        print(f"  {k:40s} {v:>8}")
    return 0


def _portable(manifest: dict) -> dict:
    """The manifest without machine-specific paths (for lexicons/manifest.json)."""
    out = {k: v for k, v in manifest.items() if k not in ("directory", "created", "build_seconds")}
    out["sources"] = {
        role: {"file": Path(info["path"]).name, "sha256": info["sha256"], "bytes": info["bytes"]}
        for role, info in manifest["sources"].items()
    }
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extractor",
        description="Find gene, chemical and disease mentions in figure captions and OCR text; write PFOCR records.",
    )
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors; no progress bar")
    # the same flags are accepted after the sub-command
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress, warnings only")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser

    def add_parser(name: str, **kw: Any) -> argparse.ArgumentParser:
        return _add_parser(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("annotate", help="annotate records and write them out")
    p.add_argument("input", help="directory of .md records, a JSONL file or a PubTator file")
    p.add_argument("--out", required=True, help="output directory of .md records, or a .jsonl file")
    p.add_argument("--config", help="YAML run config (flags override it)")
    _add_run_flags(p)
    p.set_defaults(func=cmd_annotate)

    p = sub.add_parser("run", help="run a YAML-configured job")
    p.add_argument("config", help="YAML run config")
    p.add_argument("--input", action="append", help="input path (replaces the config's inputs; repeatable)")
    p.add_argument("--out", help="output path (overrides output.path)")
    _add_run_flags(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("evaluate", help="score predicted records against gold records")
    p.add_argument("--gold", required=True, help="gold: .md directory, JSONL or PubTator file")
    p.add_argument("--pred", required=True, help="predictions: .md directory or JSONL file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--report", help="write an HTML report (and CSV tables) into this directory")
    p.add_argument("--all-species", action="store_true", help="keep PubTator genes of every species")
    p.add_argument("--top", type=int, default=20, help="rows in the FP/FN word tables")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("lexicon", help="build or describe the cached lexicon")
    lsub = p.add_subparsers(dest="lexicon_cmd", required=True)
    b = lsub.add_parser("build", help="build the lexicon (if its sources changed, or with --force)")
    b.add_argument("--sources", help="directory of lexicon source files")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")
    b.add_argument("--write-manifest", help="also write the manifest (without local paths) to this file")
    i = lsub.add_parser(
        "info", help="show the cached lexicon's manifest (exit status 1 if it is not built yet, unless --build)"
    )
    i.add_argument("--sources", help="directory of lexicon source files")
    i.add_argument("--json", action="store_true", help="print the manifest as JSON")
    i.add_argument("--build", action="store_true", help="build the lexicon first if it is not cached")
    p.set_defaults(func=cmd_lexicon)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    from .runner import Interrupted, RunError

    try:
        return int(args.func(args) or 0)
    except (ConfigError, ResourceError, EvaluationError) as exc:
        log.error("%s", exc)
        return 2
    except RunError as exc:
        log.error("%s; rerun to resume", exc)
        return 1
    except KeyboardInterrupt as exc:
        log.error("interrupted; records already written are complete, rerun to resume")
        return 128 + exc.signum if isinstance(exc, Interrupted) else 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
