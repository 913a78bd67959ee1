"""Run configuration: YAML files, validation, and command-line overrides.

A config is a nested mapping whose sections mirror the dataclasses below;
every key is optional. Unknown keys, wrong types and missing input files are
reported as one clear error each, before any work starts. Relative paths are
resolved against the directory of the config file.
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .lexicon import SRC_ALIAS, SRC_FAMPLEX, SRC_MESH_GENE, SRC_NAME, SRC_PREV, SRC_SYMBOL
from .match import MatchOptions
from .pipeline import TEXT_FIELDS, AnnotateOptions

KIND_CHOICES = ("genes", "chemicals", "diseases")
GENE_SOURCE_CHOICES = (SRC_SYMBOL, SRC_ALIAS, SRC_PREV, SRC_FAMPLEX, SRC_NAME, SRC_MESH_GENE)


class ConfigError(ValueError):
    """A config that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class LexiconConfig:
    """Where the lexicon comes from and which gene sources it may use."""

    sources: str | None = None
    gene_sources: tuple[str, ...] = (SRC_SYMBOL, SRC_ALIAS, SRC_PREV, SRC_FAMPLEX)


@dataclass(frozen=True)
class MatcherConfig:
    """Matcher switches; each is the ``match.MatchOptions`` field of the same name."""

    max_alias_genes: int = 1
    max_family_size: int = 30
    families: bool = True
    min_gene_length: int = 3
    lists: bool = True
    plurals: bool = True
    prefixes: bool = True
    abbreviations: bool = True
    enzyme_chemicals: bool = True
    currency_metabolites: bool = True
    ocr_rules: bool = True
    human_genes_only: bool = False
    plain_definitions: bool = False
    receptor_symbols: bool = False
    newest_descriptor: str = ""
    derived_chemicals: bool = True


@dataclass(frozen=True)
class OutputConfig:
    """Where results go: a directory of ``md`` records or one ``jsonl`` file, plus an optional flat TSV.

    ``format: auto`` means JSONL when ``path`` ends in ``.jsonl``, else Markdown records.
    """

    path: str | None = None
    format: str = "auto"
    tsv: str | None = None
    provenance: bool = False


@dataclass(frozen=True)
class RunConfig:
    """How to run: worker processes (0 = all cores), engine, resuming, progress.

    Nothing here changes what is written, so these keys are not part of the job
    fingerprint that decides whether an earlier run's output can be kept.
    """

    workers: int = 0
    engine: str = "local"
    dask_scheduler: str | None = None
    resume: bool = True
    quiet: bool = False
    chunk_size: int = 256


@dataclass(frozen=True)
class EvaluateConfig:
    """Optional scoring of the output against gold records."""

    gold: str | None = None
    report: str | None = None


@dataclass(frozen=True)
class Config:
    """A whole run."""

    inputs: tuple[str, ...] = ()
    ocr_dir: str | None = None
    images_dir: str | None = None
    texts: tuple[str, ...] = TEXT_FIELDS
    max_text_chars: int = 1_000_000
    kinds: tuple[str, ...] = KIND_CHOICES
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    run: RunConfig = field(default_factory=RunConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)

    def annotate_options(self) -> AnnotateOptions:
        """Matcher and text options for the annotator."""
        common = dict(kinds=self.kinds, gene_sources=self.lexicon.gene_sources, **dataclasses.asdict(self.matcher))
        return AnnotateOptions(
            texts=self.texts,
            match=MatchOptions(text_type="prose", **common),
            # OCR text is a bag of labels, not sentences: no abbreviation definitions
            ocr_match=MatchOptions(text_type="ocr", **{**common, "abbreviations": False}),
            provenance=self.output.provenance,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping of the resolved config (for run manifests)."""
        return _plain(dataclasses.asdict(self))


CHOICES: dict[str, tuple[str, ...]] = {
    "texts": TEXT_FIELDS,
    "kinds": KIND_CHOICES,
    "lexicon.gene_sources": GENE_SOURCE_CHOICES,
    "output.format": ("auto", "md", "jsonl"),
    "run.engine": ("local", "dask"),
}
PATH_KEYS = (
    "inputs", "ocr_dir", "images_dir", "lexicon.sources",
    "output.path", "output.tsv", "evaluate.gold", "evaluate.report",
)  # fmt: skip
MUST_EXIST = ("inputs", "ocr_dir", "images_dir", "lexicon.sources", "evaluate.gold")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _describe(tp: Any) -> str:
    return {bool: "true or false", int: "an integer", str: "a string"}.get(tp, str(tp))


def _coerce(value: Any, tp: Any, where: str, origin: str) -> Any:
    """Check ``value`` against the annotation ``tp``; return it in the dataclass's type."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where, origin)
    if typing.get_origin(tp) is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{origin}: {where} must be a list of strings, not {type(value).__name__}")
        out = []
        for v in value:
            if not isinstance(v, str):
                raise ConfigError(f"{origin}: {where} must be a list of strings (got {v!r})")
            out.append(v)
        return tuple(out)
    if dataclasses.is_dataclass(tp):
        if value is None:
            return tp()
        if not isinstance(value, Mapping):
            raise ConfigError(f"{origin}: {where} must be a mapping of keys")
        return _build(tp, value, where + ".", origin)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{origin}: {where} must be true or false (got {value!r})")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{origin}: {where} must be an integer (got {value!r})")
        return value
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"{origin}: {where} must be a string (got {value!r})")
        return str(value)
    raise ConfigError(f"{origin}: {where}: unsupported type")


def _build(cls: Any, data: Mapping[str, Any], prefix: str, origin: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for k, v in data.items():
        if k not in known:
            raise ConfigError(f"{origin}: unknown key {prefix}{k!s} (known keys here: {', '.join(known)})")
        kwargs[k] = _coerce(v, hints[k], prefix + str(k), origin)
    return cls(**kwargs)


def _get(cfg: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        cfg = getattr(cfg, part)
    return cfg


def _set(cfg: Any, dotted: str, value: Any) -> Any:
    head, _, rest = dotted.partition(".")
    if not rest:
        return dataclasses.replace(cfg, **{head: value})
    return dataclasses.replace(cfg, **{head: _set(getattr(cfg, head), rest, value)})


def _resolve_paths(cfg: Config, base: Path) -> Config:
    for dotted in PATH_KEYS:
        value = _get(cfg, dotted)
        if value is None:
            continue
        if isinstance(value, tuple):
            new: Any = tuple(str((base / os.path.expanduser(v)).resolve()) if v else v for v in value)
        else:
            new = str((base / os.path.expanduser(value)).resolve())
        cfg = _set(cfg, dotted, new)
    return cfg


def validate(cfg: Config, origin: str = "config") -> Config:
    """Check choices, ranges and that input files exist; raise ConfigError on the first problem."""
    for dotted, allowed in CHOICES.items():
        value = _get(cfg, dotted)
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v not in allowed:
                raise ConfigError(f"{origin}: {dotted} has {v!r}; allowed: {', '.join(allowed)}")
    if not cfg.kinds:
        raise ConfigError(f"{origin}: kinds must name at least one of {', '.join(KIND_CHOICES)}")
    if not cfg.texts:
        raise ConfigError(f"{origin}: texts must name caption, ocr or both")
    if cfg.run.workers < 0:
        raise ConfigError(f"{origin}: run.workers must be 0 (all cores) or more")
    if cfg.run.chunk_size < 1:
        raise ConfigError(f"{origin}: run.chunk_size must be at least 1")
    if cfg.matcher.max_alias_genes < 1:
        raise ConfigError(f"{origin}: matcher.max_alias_genes must be at least 1")
    if cfg.max_text_chars < 0:
        raise ConfigError(f"{origin}: max_text_chars must be 0 (no limit) or more")
    if cfg.run.engine == "dask":
        import importlib.util

        if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
            raise ConfigError(f"{origin}: run.engine: dask needs dask.distributed: pip install -e '.[dask]'")
    if cfg.matcher.newest_descriptor and not re.fullmatch(r"D\d+", cfg.matcher.newest_descriptor):
        raise ConfigError(f"{origin}: matcher.newest_descriptor must be a MeSH descriptor ID such as D066331, or empty")
    if cfg.matcher.max_family_size < 1 or cfg.matcher.min_gene_length < 1:
        raise ConfigError(f"{origin}: matcher.max_family_size and matcher.min_gene_length must be at least 1")
    for dotted in MUST_EXIST:
        value = _get(cfg, dotted)
        for v in value if isinstance(value, tuple) else (value,):
            if v is not None and not Path(v).exists():
                raise ConfigError(f"{origin}: {dotted}: no such file or directory: {v}")
    if cfg.images_dir is not None:
        from .ocr import ocr_unavailable_reason

        reason = ocr_unavailable_reason()
        if reason is not None:
            raise ConfigError(f"{origin}: images_dir: {reason}")
    return cfg


def from_mapping(data: Mapping[str, Any] | None, origin: str = "config", base: Path | None = None) -> Config:
    """Config from a parsed mapping; relative paths are resolved against ``base``."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: the top level must be a mapping of keys")
    cfg = _build(Config, data, "", origin)
    return _resolve_paths(cfg, base or Path.cwd())


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read a YAML config file (not yet validated: overrides may still change it)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: config file is not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{p}: malformed YAML{where}: {problem}") from None
    return from_mapping(data, str(p), p.resolve().parent)


def with_overrides(
    cfg: Config, overrides: Mapping[str, Any], origin: str = "command line", skip_none: bool = True
) -> Config:
    """Apply ``{"output.dir": ...}``-style overrides; paths relative to the CWD.

    None values are skipped (a flag not given), unless ``skip_none`` is false:
    then None sets the key to null (``--set evaluate.gold=null``).
    """
    hints_root: Any = Config
    for dotted, value in overrides.items():
        if value is None and skip_none:
            continue
        cls: Any = hints_root
        parts = dotted.split(".")
        try:
            for part in parts[:-1]:
                cls = typing.get_type_hints(cls)[part]
            tp = typing.get_type_hints(cls)[parts[-1]]
        except (KeyError, TypeError):
            raise ConfigError(f"{origin}: unknown key {dotted}") from None
        value = _coerce(value, tp, dotted, origin)
        if dotted in PATH_KEYS and value is not None:
            if isinstance(value, tuple):
                value = tuple(str(Path(v).expanduser().resolve()) for v in value)
            else:
                value = str(Path(value).expanduser().resolve())
        cfg = _set(cfg, dotted, value)
    return cfg
