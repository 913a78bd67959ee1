"""The command line: annotate, run, lexicon build / info; errors and exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from extractor import __version__
from extractor.cli import main
from extractor.records import RecordError, iter_records, split_front_matter

from conftest import FIXTURE_SOURCES

GOOD = {
    "PMC1__f1": "Ketamine requires BDNF and GSK-3β; it has a fast effect.",
    "PMC2__f2": "mTOR is inhibited by lithium.",
}


def md(figid: str, caption: str, **extra) -> str:
    front = {"figid": figid, "pmcid": figid.split("__")[0], "caption": caption, **extra}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n"


@pytest.fixture()
def good_dir(tmp_path) -> Path:
    d = tmp_path / "good"
    d.mkdir()
    for figid, caption in GOOD.items():
        (d / f"{figid}.md").write_text(md(figid, caption, figtitle="kept"), encoding="utf-8")
    return d


@pytest.fixture()
def mixed_dir(good_dir) -> Path:
    """Two good records, an empty caption, malformed YAML and a non-UTF-8 file."""
    (good_dir / "PMC3__empty.md").write_text(md("PMC3__empty", ""), encoding="utf-8")
    (good_dir / "PMC4__malformed.md").write_text("---\nfigid: PMC4__malformed\ncaption: [unclosed\n---\n", encoding="utf-8")
    (good_dir / "PMC5__latin1.md").write_bytes(b"---\nfigid: PMC5__latin1\ncaption: caf\xe9 BDNF\n---\n")
    return good_dir


BAD_FILES = ("PMC4__malformed.md", "PMC5__latin1.md")


def annotate(*args: str | Path) -> int:
    return main(["annotate", *map(str, args), "--sources", str(FIXTURE_SOURCES), "--workers", "1"])


def read_out(out: Path) -> dict:
    items = list(iter_records(out))
    assert not [i for i in items if isinstance(i, RecordError)]
    return {r.figid: r for r in items}


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("ERROR")]


# --------------------------------------------------------------------------
# annotate
# --------------------------------------------------------------------------


def test_annotate_directory_with_bad_records(mixed_dir, tmp_path, capsys):
    out = tmp_path / "out"
    rc = annotate(mixed_dir, "--out", out)
    err = capsys.readouterr().err
    assert rc == 3

    # good records (and the empty one) are written as <figid>.md
    assert sorted(p.name for p in out.glob("*.md")) == ["PMC1__f1.md", "PMC2__f2.md", "PMC3__empty.md"]
    recs = read_out(out)
    genes = {g.entrez for g in recs["PMC1__f1"].genes}
    assert {"627", "2932"} <= genes
    assert not {"3036", "10922"} & genes  # "has", "fast"
    assert "D007649" in {c.identifier for c in recs["PMC1__f1"].chemicals}
    assert "2475" in {g.entrez for g in recs["PMC2__f2"].genes}
    assert "D008094" in {c.identifier for c in recs["PMC2__f2"].chemicals}
    assert (recs["PMC3__empty"].genes, recs["PMC3__empty"].chemicals) == ((), ())
    assert recs["PMC1__f1"].meta["figtitle"] == "kept"
    front, _ = split_front_matter((out / "PMC1__f1.md").read_text(encoding="utf-8"))
    assert list(yaml.safe_load(front))[:4] == ["figid", "pmcid", "caption", "figtitle"]

    # one error line per bad file, naming it
    errors = error_lines(err)
    assert len(errors) == len(BAD_FILES), err
    for name in BAD_FILES:
        assert len([ln for ln in errors if name in ln]) == 1, err
    assert any("malformed YAML" in ln for ln in errors)
    assert any("UTF-8" in ln for ln in errors)
    assert "Traceback" not in err

    # the run manifest
    manifest = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    run = manifest["run"]
    assert (run["records_read"], run["records_written"], run["records_failed"]) == (3, 3, 2)
    assert len(run["errors"]) == 2
    assert all(any(name in e for e in run["errors"]) for name in BAD_FILES)
    assert manifest["config"]["inputs"] == [str(mixed_dir.resolve())]
    assert manifest["config"]["lexicon"]["sources"] == str(FIXTURE_SOURCES)
    assert manifest["lexicon"]["cache_key"]
    assert set(manifest["lexicon"]["sources"]) >= {"hgnc", "relations", "mesh_descriptors"}
    assert manifest["extractor_version"] == __version__


def test_annotate_all_good_exits_0(good_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert annotate(good_dir, "--out", out) == 0
    assert error_lines(capsys.readouterr().err) == []
    assert set(read_out(out)) == set(GOOD)


def test_annotate_jsonl_output(mixed_dir, tmp_path, capsys):
    out = tmp_path / "res" / "out.jsonl"
    assert annotate(mixed_dir, "--out", out) == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(ln)["figid"] for ln in lines] == ["PMC1__f1", "PMC2__f2", "PMC3__empty"]
    recs = read_out(out)
    assert "627" in {g.entrez for g in recs["PMC1__f1"].genes}
    manifest = json.loads((tmp_path / "res" / "out.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["records_written"] == 3
    assert not list(out.parent.glob(".*"))  # no temporary files left
    assert len(error_lines(capsys.readouterr().err)) == 2


def test_annotate_tsv_output(good_dir, tmp_path):
    out, tsv = tmp_path / "out", tmp_path / "flat.tsv"
    assert annotate(good_dir, "--out", out, "--tsv", tsv) == 0
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["figid", "kind", "word", "symbol", "source", "hgnc_symbol", "entrez", "identifier"]
    rows = [ln.split("\t") for ln in lines[1:]]
    assert all(len(r) == 8 for r in rows)
    recs = read_out(out)
    expected = [
        [r.figid, "gene", g.word, g.symbol, g.source, g.hgnc_symbol, g.entrez, ""] for r in recs.values() for g in r.genes
    ] + [[r.figid, "chemical", c.word, "", c.source, "", "", c.identifier] for r in recs.values() for c in r.chemicals]
    assert sorted(rows) == sorted(expected)
    assert ["PMC1__f1", "gene", "BDNF", "BDNF", "hgnc_symbol", "BDNF", "627", ""] in rows


def test_annotate_kinds_and_provenance_flags(good_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    assert annotate(good_dir, "--out", out, "--kinds", "genes", "--provenance", "--texts", "caption") == 0
    recs = read_out(out)
    assert all(r.chemicals == () for r in recs.values())
    raw = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    for rec in raw:
        for g in rec["genes"]:
            p = g["provenance"]
            assert p["field"] == "caption"
            assert rec["caption"][p["start"] : p["end"]] == g["word"]


def test_annotate_jsonl_and_pubtator_inputs(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"figid": "j1", "caption": "BDNF and ketamine"}) + "\n", encoding="utf-8")
    out = tmp_path / "o1"
    assert annotate(jsonl, "--out", out) == 0
    assert "627" in {g.entrez for g in read_out(out)["j1"].genes}
    pubtator = tmp_path / "in.PubTator"
    pubtator.write_text("42|t|Lithium and seizures\n42|a|GSK3B in Parkinson disease.\n", encoding="utf-8")
    out = tmp_path / "o2.jsonl"
    assert annotate(pubtator, "--out", out) == 0
    rec = read_out(out)["42"]
    assert rec.caption == "Lithium and seizures GSK3B in Parkinson disease."
    assert "2932" in {g.entrez for g in rec.genes}
    assert "D010300" in {d.identifier for d in rec.diseases}


# --------------------------------------------------------------------------
# Errors before any work
# --------------------------------------------------------------------------


def test_missing_input_is_one_clear_error(tmp_path, capsys):
    missing = tmp_path / "no-such-records"
    out = tmp_path / "out"
    assert annotate(missing, "--out", out) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ERROR") and str(missing) in lines[0] and "inputs" in lines[0]
    assert not out.exists()


def test_bad_config_is_one_clear_error(tmp_path, good_dir, capsys):
    cfg = tmp_path / "job.yaml"
    cfg.write_text("matcher:\n  lsits: true\n", encoding="utf-8")
    assert main(["run", str(cfg), "--input", str(good_dir), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(cfg) in lines[0] and "matcher.lsits" in lines[0], err
    assert not (tmp_path / "out").exists()


def test_bad_flag_value_is_one_clear_error(tmp_path, good_dir, capsys):
    assert annotate(good_dir, "--out", tmp_path / "out", "--kinds", "genes,proteins") == 2
    err = capsys.readouterr().err
    assert "kinds" in err and "proteins" in err and len(error_lines(err)) == 1


def test_missing_sources_directory(tmp_path, good_dir, capsys):
    rc = main(["annotate", str(good_dir), "--out", str(tmp_path / "out"), "--sources", str(tmp_path / "nosrc")])
    assert rc == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "nosrc") in err and len(error_lines(err)) == 1


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["annotate"])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def test_run_config_with_relative_paths_and_overrides(tmp_path, good_dir, monkeypatch):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    rel_sources = os.path.relpath(FIXTURE_SOURCES, jobs)
    (jobs / "job.yaml").write_text(
        f"inputs: [../good]\nkinds: [genes]\nlexicon:\n  sources: {rel_sources}\noutput:\n  path: ../out\nrun:\n  workers: 1\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path / "good")  # paths in the config do not depend on the CWD
    assert main(["run", str(jobs / "job.yaml")]) == 0
    recs = read_out(tmp_path / "out")
    assert set(recs) == set(GOOD)
    assert all(r.chemicals == () for r in recs.values())
    # --input and --out override the config
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.md").write_text(md("x", "BDNF"), encoding="utf-8")
    assert main(["run", str(jobs / "job.yaml"), "--input", str(other), "--out", str(tmp_path / "out2.jsonl")]) == 0
    assert set(read_out(tmp_path / "out2.jsonl")) == {"x"}


# --------------------------------------------------------------------------
# lexicon build / info
# --------------------------------------------------------------------------


def test_lexicon_build_and_info(tmp_path, capsys):
    portable = tmp_path / "manifest.json"
    assert main(["lexicon", "build", "--sources", str(FIXTURE_SOURCES), "--write-manifest", str(portable)]) == 0
    capsys.readouterr()
    assert main(["lexicon", "info", "--json", "--sources", str(FIXTURE_SOURCES)]) == 0
    info = json.loads(capsys.readouterr().out)
    directory = Path(info["directory"])
    assert directory.name == info["cache_key"]
    assert (directory / "manifest.json").is_file()
    assert Path(os.environ["EXTRACTOR_HOME"]) in directory.parents
    assert info["genes"] == 25
    assert info["sources"]["hgnc"]["path"] == str(FIXTURE_SOURCES / "hgnc" / "hgnc_custom_download.tsv.gz")
    # the portable manifest has the same content without machine-specific paths
    saved = json.loads(portable.read_text(encoding="utf-8"))
    assert saved["cache_key"] == info["cache_key"]
    assert saved["sources"]["hgnc"] == {
        "file": "hgnc_custom_download.tsv.gz",
        "sha256": info["sources"]["hgnc"]["sha256"],
        "bytes": info["sources"]["hgnc"]["bytes"],
    }
    assert str(tmp_path) not in portable.read_text(encoding="utf-8")
    assert "/" not in json.dumps(saved["sources"])
    # plain-text info
    assert main(["lexicon", "info", "--sources", str(FIXTURE_SOURCES)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"lexicon {info['cache_key']}")
    assert "G:hgnc_symbol" in text


def test_lexicon_build_force_rebuilds(capsys):
    assert main(["lexicon", "build", "--sources", str(FIXTURE_SOURCES)]) == 0
    capsys.readouterr()
    assert main(["lexicon", "info", "--json", "--sources", str(FIXTURE_SOURCES)]) == 0
    info = json.loads(capsys.readouterr().out)
    marker = Path(info["directory"]) / "marker"
    marker.write_text("x")
    assert main(["lexicon", "build", "--sources", str(FIXTURE_SOURCES)]) == 0
    assert marker.exists()  # cached: not rebuilt
    assert main(["lexicon", "build", "--force", "--sources", str(FIXTURE_SOURCES)]) == 0
    assert not marker.exists()


def test_python_m_extractor_version():
    res = subprocess.run([sys.executable, "-m", "extractor", "--version"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert res.stdout.strip() == f"extractor {__version__}"


def test_lexicon_info_does_not_build(capsys):
    home = Path(os.environ["EXTRACTOR_HOME"])
    assert main(["lexicon", "info", "--sources", str(FIXTURE_SOURCES)]) == 1
    captured = capsys.readouterr()
    (line,) = error_lines(captured.err)
    assert "no cached lexicon" in line and str(FIXTURE_SOURCES) in line and "lexicon build" in line
    assert captured.out == ""
    assert not list(home.glob("lexicons/*/manifest.json"))  # nothing was built
    assert main(["lexicon", "info", "--build", "--json", "--sources", str(FIXTURE_SOURCES)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert Path(info["directory"], "manifest.json").is_file()
    assert main(["lexicon", "info", "--sources", str(FIXTURE_SOURCES)]) == 0


# --------------------------------------------------------------------------
# Overriding any key
# --------------------------------------------------------------------------


def test_set_overrides_any_config_key(good_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    rc = annotate(
        good_dir, "--out", out, "--set", "kinds=[genes]", "--set", "matcher.lists=false", "--set", "run.chunk_size=1",
        "--dask-scheduler", "tcp://10.0.0.5:8786",
    )  # fmt: skip
    assert rc == 0
    conf = json.loads(out.with_name("out.jsonl.manifest.json").read_text(encoding="utf-8"))["config"]
    assert conf["kinds"] == ["genes"] and conf["matcher"]["lists"] is False
    assert conf["run"]["chunk_size"] == 1 and conf["run"]["dask_scheduler"] == "tcp://10.0.0.5:8786"
    assert all(r.chemicals == () for r in read_out(out).values())
    # null sets an optional key to null; a flag beats --set
    cfg = tmp_path / "job.yaml"
    cfg.write_text(f"output:\n  tsv: {tmp_path / 'flat.tsv'}\nrun:\n  workers: 1\n", encoding="utf-8")
    out2 = tmp_path / "out2.jsonl"
    rc = main(["run", str(cfg), "--input", str(good_dir), "--out", str(out2), "--sources", str(FIXTURE_SOURCES),
               "--set", "output.tsv=null", "--set", "kinds=[genes]", "--kinds", "chemicals"])  # fmt: skip
    assert rc == 0 and not (tmp_path / "flat.tsv").exists()
    assert all(r.genes == () for r in read_out(out2).values())


@pytest.mark.parametrize(
    "setting, where",
    [
        ("nokey", "KEY=VALUE"),
        ("run.chunk_size=two", "run.chunk_size"),
        ("run.workers=null", "run.workers"),
        ("matcher.nonsense=1", "matcher.nonsense"),
        ("kinds=[x", "YAML"),
    ],
)
def test_bad_set_is_one_error(good_dir, tmp_path, capsys, setting, where):
    assert annotate(good_dir, "--out", tmp_path / "out", "--set", setting) == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert where in line
    assert not (tmp_path / "out").exists()
