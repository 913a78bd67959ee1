"""Run configs: loading, validation, overrides, path resolution."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from extractor.config import (
    Config,
    ConfigError,
    LexiconConfig,
    from_mapping,
    load_config,
    validate,
    with_overrides,
)

from conftest import FIXTURE_SOURCES, SHARED

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
CONFIGS = sorted(CONFIG_DIR.glob("*.yaml"))


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, validate_too: bool = True) -> str:
    with pytest.raises(ConfigError) as err:
        cfg = load_config(path)
        if validate_too:
            validate(cfg, str(path))
    msg = str(err.value)
    assert "\n" not in msg
    assert str(path) in msg
    return msg


# --------------------------------------------------------------------------
# The shipped configs
# --------------------------------------------------------------------------


def test_configs_exist():
    assert {p.name for p in CONFIGS} >= {"default.yaml", "pfocr-captions.yaml", "pfocr-caption-ocr.yaml", "bc5cdr.yaml"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_loads_and_validates(path):
    cfg = load_config(path)
    assert isinstance(cfg, Config)
    for value in (cfg.output.path, cfg.output.tsv, cfg.evaluate.gold, cfg.evaluate.report, *cfg.inputs):
        if value is not None:
            assert Path(value).is_absolute(), value
    if cfg.inputs or cfg.evaluate.gold:
        if not (SHARED / "gold").is_dir():
            pytest.skip("../shared development data not present")
    assert validate(cfg, str(path)) == cfg
    cfg.annotate_options()  # builds matcher options without error


def test_shipped_config_paths_point_beside_the_checkout():
    cfg = load_config(CONFIG_DIR / "pfocr-captions.yaml")
    checkout = CONFIG_DIR.parent
    assert cfg.inputs == (str((checkout.parent / "shared" / "gold" / "pfocr-dev").resolve()),)
    assert cfg.output.path == str(checkout / "out" / "pfocr-captions")
    assert cfg.texts == ("caption",)
    assert cfg.kinds == ("genes", "chemicals")


def test_default_yaml_documents_every_key_with_its_default():
    data = yaml.safe_load((CONFIG_DIR / "default.yaml").read_text(encoding="utf-8"))

    def keys(cls, mapping, prefix=""):
        names = [f.name for f in dataclasses.fields(cls)]
        assert sorted(mapping) == sorted(names), prefix or "top level"
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(f.default_factory if f.default_factory is not dataclasses.MISSING else None):
                keys(f.default_factory, mapping[f.name], prefix + f.name + ".")

    keys(Config, data)
    assert load_config(CONFIG_DIR / "default.yaml") == Config()


# --------------------------------------------------------------------------
# Errors: each names the key and the file
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key",
    [
        ("inptus: [a]\n", "inptus"),
        ("matcher:\n  max_alias_gene: 2\n", "matcher.max_alias_gene"),
        ("output:\n  dir: out\n", "output.dir"),
    ],
)
def test_unknown_keys(tmp_path, text, key):
    msg = config_error(write_config(tmp_path / "c.yaml", text), validate_too=False)
    assert f"unknown key {key}" in msg


@pytest.mark.parametrize(
    "text, key, what",
    [
        ("run:\n  workers: two\n", "run.workers", "integer"),
        ("run:\n  workers: true\n", "run.workers", "integer"),
        ("run:\n  workers: 1.5\n", "run.workers", "integer"),
        ("run:\n  resume: 'yes'\n", "run.resume", "true or false"),
        ("output:\n  provenance: 1\n", "output.provenance", "true or false"),
        ("kinds: 5\n", "kinds", "list of strings"),
        ("kinds: [genes, 5]\n", "kinds", "list of strings"),
        ("matcher: 3\n", "matcher", "mapping"),
        ("output:\n  path: [a, b]\n", "output.path", "string"),
        ("run:\n  engine: null\n", "run.engine", "string"),
        ("run:\n  dask_scheduler: [tcp://a:1]\n", "run.dask_scheduler", "string"),
        ("max_text_chars: lots\n", "max_text_chars", "integer"),
    ],
)
def test_wrong_types(tmp_path, text, key, what):
    msg = config_error(write_config(tmp_path / "c.yaml", text), validate_too=False)
    assert key in msg and what in msg


@pytest.mark.parametrize(
    "text, key, bad",
    [
        ("kinds: [genes, proteins]\n", "kinds", "proteins"),
        ("texts: [caption, figure]\n", "texts", "figure"),
        ("output:\n  format: csv\n", "output.format", "csv"),
        ("run:\n  engine: spark\n", "run.engine", "spark"),
        ("lexicon:\n  gene_sources: [hgnc_symbol, uniprot]\n", "lexicon.gene_sources", "uniprot"),
    ],
)
def test_bad_choices(tmp_path, text, key, bad):
    msg = config_error(write_config(tmp_path / "c.yaml", text))
    assert key in msg and repr(bad) in msg and "allowed" in msg


@pytest.mark.parametrize(
    "text, key",
    [
        ("kinds: []\n", "kinds"),
        ("texts: []\n", "texts"),
        ("run:\n  workers: -1\n", "run.workers"),
        ("run:\n  chunk_size: 0\n", "run.chunk_size"),
        ("matcher:\n  max_alias_genes: 0\n", "matcher.max_alias_genes"),
        ("max_text_chars: -1\n", "max_text_chars"),
    ],
)
def test_bad_values(tmp_path, text, key):
    assert key in config_error(write_config(tmp_path / "c.yaml", text))


@pytest.mark.parametrize(
    "text, key, missing",
    [
        ("inputs: [missing-records]\n", "inputs", "missing-records"),
        ("ocr_dir: missing-ocr\n", "ocr_dir", "missing-ocr"),
        ("lexicon:\n  sources: missing-sources\n", "lexicon.sources", "missing-sources"),
        ("evaluate:\n  gold: missing-gold\n", "evaluate.gold", "missing-gold"),
    ],
)
def test_missing_input_files(tmp_path, text, key, missing):
    msg = config_error(write_config(tmp_path / "c.yaml", text))
    assert f"{key}: no such file or directory" in msg
    assert str(tmp_path / missing) in msg  # the resolved path


def test_outputs_need_not_exist(tmp_path):
    path = write_config(tmp_path / "c.yaml", "output:\n  path: out/new\n  tsv: out/new.tsv\nevaluate:\n  report: rep\n")
    cfg = validate(load_config(path), str(path))
    assert cfg.output.path == str(tmp_path / "out" / "new")


def test_malformed_unreadable_and_missing_config_files(tmp_path):
    msg = config_error(write_config(tmp_path / "bad.yaml", "kinds: [genes\n"), validate_too=False)
    assert "malformed YAML" in msg and "line" in msg
    msg = config_error(write_config(tmp_path / "list.yaml", "- a\n- b\n"), validate_too=False)
    assert "top level must be a mapping" in msg
    bad_bytes = tmp_path / "latin1.yaml"
    bad_bytes.write_bytes(b"inputs: [caf\xe9]\n")
    assert "UTF-8" in config_error(bad_bytes, validate_too=False)
    assert "no such config file" in config_error(tmp_path / "nope.yaml", validate_too=False)
    (tmp_path / "dir.yaml").mkdir()
    assert "cannot read config" in config_error(tmp_path / "dir.yaml", validate_too=False)


def test_empty_config_is_the_default(tmp_path):
    assert load_config(write_config(tmp_path / "empty.yaml", "")) == Config()
    assert load_config(write_config(tmp_path / "comments.yaml", "# nothing\n")) == Config()


# --------------------------------------------------------------------------
# Paths and overrides
# --------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_config_directory(tmp_path, monkeypatch):
    (tmp_path / "data" / "records").mkdir(parents=True)
    (tmp_path / "data" / "ocr").mkdir()
    path = write_config(
        tmp_path / "jobs" / "job.yaml",
        "inputs: [../data/records, /abs/elsewhere]\n"
        "ocr_dir: ../data/ocr\n"
        "output:\n  path: out\n  tsv: ./out.tsv\n"
        "evaluate:\n  report: ~/report\n",
    )
    monkeypatch.chdir(tmp_path / "data")  # the working directory plays no part
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = load_config(path)
    assert cfg.inputs == (str(tmp_path / "data" / "records"), "/abs/elsewhere")
    assert cfg.ocr_dir == str(tmp_path / "data" / "ocr")
    assert cfg.output.path == str(tmp_path / "jobs" / "out")
    assert cfg.output.tsv == str(tmp_path / "jobs" / "out.tsv")
    assert cfg.evaluate.report == str(tmp_path / "home" / "report")
    assert cfg.lexicon.sources is None


def test_from_mapping_base_directory(tmp_path):
    cfg = from_mapping({"inputs": "recs", "lexicon": {"sources": "src"}}, "test", base=tmp_path)
    assert cfg.inputs == (str(tmp_path / "recs"),)  # a single string is a one-item list
    assert cfg.lexicon == LexiconConfig(sources=str(tmp_path / "src"))


def test_overrides(tmp_path, monkeypatch):
    path = write_config(tmp_path / "cfg" / "c.yaml", "output:\n  path: out\nrun:\n  workers: 4\n")
    cfg = load_config(path)
    monkeypatch.chdir(tmp_path)
    new = with_overrides(
        cfg,
        {
            "run.workers": 1,
            "output.tsv": "flat.tsv",
            "inputs": ["recs"],
            "kinds": ["genes"],
            "output.provenance": True,
            "ocr_dir": None,  # None means "not given"
            "output.path": None,
        },
    )
    assert new.run.workers == 1
    assert new.run.chunk_size == cfg.run.chunk_size
    assert new.output.tsv == str(tmp_path / "flat.tsv")  # command-line paths are relative to the CWD
    assert new.inputs == (str(tmp_path / "recs"),)
    assert new.kinds == ("genes",)
    assert new.output.provenance is True
    assert new.output.path == str(tmp_path / "cfg" / "out")
    assert cfg.run.workers == 4  # the original is unchanged


def test_override_errors():
    with pytest.raises(ConfigError) as err:
        with_overrides(Config(), {"run.workers": "many"})
    assert "command line" in str(err.value) and "run.workers" in str(err.value)
    with pytest.raises(ConfigError) as err:
        with_overrides(Config(), {"run.nonsense": 1})
    assert "run.nonsense" in str(err.value)


def test_annotate_options_follow_the_config(tmp_path):
    cfg = from_mapping(
        {
            "texts": ["caption"],
            "kinds": ["genes", "diseases"],
            "lexicon": {"gene_sources": ["hgnc_symbol"]},
            "matcher": {"max_alias_genes": 3, "lists": False, "plurals": False, "prefixes": False},
            "output": {"provenance": True},
        },
        base=tmp_path,
    )
    opts = cfg.annotate_options()
    assert opts.texts == ("caption",)
    assert opts.provenance is True
    for m, text_type in ((opts.match, "prose"), (opts.ocr_match, "ocr")):
        assert m.text_type == text_type
        assert m.kinds == ("genes", "diseases")
        assert m.gene_sources == ("hgnc_symbol",)
        assert (m.max_alias_genes, m.lists, m.plurals, m.prefixes) == (3, False, False, False)


def test_to_dict_is_plain(tmp_path):
    cfg = from_mapping({"inputs": [str(FIXTURE_SOURCES)], "kinds": ["genes"]}, base=tmp_path)
    d = cfg.to_dict()
    assert d["inputs"] == [str(FIXTURE_SOURCES)]
    assert d["kinds"] == ["genes"]
    assert d["run"]["workers"] == 0
    assert yaml.safe_load(yaml.safe_dump(d)) == d


def test_run_keys(tmp_path):
    path = write_config(
        tmp_path / "c.yaml", "max_text_chars: 0\nrun:\n  engine: local\n  dask_scheduler: tcp://10.0.0.5:8786\n  resume: false\n"
    )
    cfg = validate(load_config(path), str(path))
    assert cfg.max_text_chars == 0
    assert (cfg.run.engine, cfg.run.dask_scheduler, cfg.run.resume) == ("local", "tcp://10.0.0.5:8786", False)
    assert Config().run.resume is True and Config().run.dask_scheduler is None


def test_dask_engine_without_dask_is_one_error(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("dask", "distributed") else real(name, *a)
    )
    msg = config_error(write_config(tmp_path / "c.yaml", "run:\n  engine: dask\n"))
    assert "run.engine: dask needs dask.distributed" in msg and "pip install" in msg


def test_newest_descriptor_must_be_a_descriptor_id():
    cfg = from_mapping({"matcher": {"newest_descriptor": "D066331"}})
    assert validate(cfg).annotate_options().match.newest_descriptor == "D066331"
    with pytest.raises(ConfigError) as err:
        validate(from_mapping({"matcher": {"newest_descriptor": "2015"}}))
    assert "matcher.newest_descriptor" in str(err.value)
