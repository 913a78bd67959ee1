"""Batch runs: resuming, interrupting, workers and engines, bad input, streaming, the manifest."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from extractor import runner
from extractor.cli import main
from extractor.config import Config, with_overrides
from extractor.match import compiled
from extractor.records import RecordError, iter_records

from conftest import FIXTURE_SOURCES

SENTENCES = (
    "Ketamine requires BDNF and GSK-3β; it has a fast effect.",
    "mTOR is inhibited by lithium in Parkinson disease.",
    "Glutamate release and AKT signalling.",
    "No entities in this one.",
)


def caption(i: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 3)) + f" Figure {i}."


def write_jsonl(path: Path, n: int, start: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"figid": f"PMC{i}__f{i}", "pmcid": f"PMC{i}", "caption": caption(i)}) + "\n")
    return path


def annotate(*args: str | Path) -> int:
    return main(["annotate", *map(str, args), "--sources", str(FIXTURE_SOURCES)])


def manifest_of(out: Path) -> dict:
    path = out / "run-manifest.json" if out.is_dir() else out.with_name(out.name + ".manifest.json")
    return json.loads(path.read_text(encoding="utf-8"))


def md_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.md"))}


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("ERROR")]


class StopAfter:
    """Send this process SIGINT while the ``n``-th chunk is annotated (as Ctrl-C would)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
        self.calls = 0
        self.n = n
        real = runner.annotate_chunk

        def chunk(job, tasks):
            self.calls += 1
            if self.calls == self.n:
                os.kill(os.getpid(), signal.SIGINT)
            return real(job, tasks)

        monkeypatch.setattr(runner, "annotate_chunk", chunk)


# --------------------------------------------------------------------------
# Resuming
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "jsonl"])
def test_interrupted_run_resumes_to_the_same_output(tmp_path, monkeypatch, capsys, fmt):
    data = write_jsonl(tmp_path / "in.jsonl", 60)
    clean, clean_tsv = tmp_path / ("clean" + (".jsonl" if fmt == "jsonl" else "")), tmp_path / "clean.tsv"
    assert annotate(data, "--out", clean, "--tsv", clean_tsv, "--workers", "1", "--chunk-size", "7") == 0
    out, tsv = tmp_path / ("out" + (".jsonl" if fmt == "jsonl" else "")), tmp_path / "out.tsv"
    capsys.readouterr()

    with monkeypatch.context() as mp:
        stop = StopAfter(mp, 3)
        rc = annotate(data, "--out", out, "--tsv", tsv, "--workers", "1", "--chunk-size", "7")
    assert rc == 128 + signal.SIGINT
    assert stop.calls == 3  # stopped after the chunk in progress, not at once and not at the end
    assert "rerun to resume" in capsys.readouterr().err
    man = manifest_of(out)
    assert man["run"]["status"] == "interrupted" and man["run"]["records_written"] == 21
    assert not tsv.exists() and tsv.with_name("out.tsv.partial").exists()
    if fmt == "md":
        assert len(md_files(out)) == 21
    else:
        assert not out.exists()
        lines = out.with_name(out.name + ".partial").read_bytes().split(b"\n")
        assert lines[-1] == b"" and len(lines) == 22

    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1", "--chunk-size", "7") == 0
    run = manifest_of(out)["run"]
    assert (run["records_read"], run["records_written"], run["records_skipped"]) == (60, 39, 21)
    assert run["resumed"] is True and run["status"] == "complete"
    assert tsv.read_bytes() == clean_tsv.read_bytes()
    if fmt == "md":
        assert md_files(out) == md_files(clean)
    else:
        assert out.read_bytes() == clean.read_bytes()
        assert not out.with_name(out.name + ".partial").exists()


def test_rerun_of_a_finished_job_skips_everything_and_keeps_the_output(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 30)
    out, tsv = tmp_path / "out.jsonl", tmp_path / "out.tsv"
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1") == 0
    before = (out.read_bytes(), tsv.read_bytes())
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1") == 0
    run = manifest_of(out)["run"]
    assert (run["records_written"], run["records_skipped"]) == (0, 30)
    assert (out.read_bytes(), tsv.read_bytes()) == before
    # more input: only the new records are annotated, appended after the others
    with open(data, "a", encoding="utf-8") as fh:
        fh.write(write_jsonl(tmp_path / "more.jsonl", 5, start=30).read_text(encoding="utf-8"))
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1") == 0
    run = manifest_of(out)["run"]
    assert (run["records_written"], run["records_skipped"]) == (5, 30)
    assert out.read_bytes().startswith(before[0])
    assert [json.loads(ln)["figid"] for ln in out.read_text(encoding="utf-8").splitlines()][-5:] == [
        f"PMC{i}__f{i}" for i in range(30, 35)
    ]


def test_md_resume_redoes_deleted_files_and_no_resume_redoes_all(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 20)
    out = tmp_path / "out"
    assert annotate(data, "--out", out, "--workers", "1") == 0
    (out / "PMC3__f3.md").unlink()
    assert annotate(data, "--out", out, "--workers", "1") == 0
    run = manifest_of(out)["run"]
    assert (run["records_written"], run["records_skipped"]) == (1, 19)
    assert (out / "PMC3__f3.md").is_file()
    assert annotate(data, "--out", out, "--workers", "1", "--no-resume") == 0
    run = manifest_of(out)["run"]
    assert (run["records_written"], run["records_skipped"]) == (20, 0)


def test_changed_job_redoes_every_record(tmp_path, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", 20)
    out, tsv = tmp_path / "out.jsonl", tmp_path / "out.tsv"
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1") == 0
    first = manifest_of(out)["job_fingerprint"]
    # a run.* key does not change the job
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "2", "--chunk-size", "3") == 0
    assert manifest_of(out)["run"]["records_skipped"] == 20
    capsys.readouterr()
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1", "--kinds", "genes") == 0
    err = capsys.readouterr().err
    assert "job changed" in err and "kinds" in err
    man = manifest_of(out)
    assert man["job_fingerprint"] != first
    assert (man["run"]["records_written"], man["run"]["records_skipped"]) == (20, 0)
    recs = {r.figid: r for r in iter_records(out)}
    assert all(r.chemicals == () and r.diseases == () for r in recs.values())
    assert any(r.genes for r in recs.values())
    assert "\tchemical\t" not in tsv.read_text(encoding="utf-8")


def test_torn_writes_of_a_killed_run_are_dropped(tmp_path, monkeypatch):
    """A run killed mid-write (SIGKILL, power cut of the process) leaves torn lines; resuming drops them."""
    data = write_jsonl(tmp_path / "in.jsonl", 30)
    clean, clean_tsv = tmp_path / "clean.jsonl", tmp_path / "clean.tsv"
    assert annotate(data, "--out", clean, "--tsv", clean_tsv, "--workers", "1") == 0
    out, tsv = tmp_path / "out.jsonl", tmp_path / "out.tsv"
    with monkeypatch.context() as mp:
        StopAfter(mp, 2)
        assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1", "--chunk-size", "5") == 130
    # what a kill in the middle of the next chunk leaves: records and rows past the last journal line
    with open(out.with_name("out.jsonl.partial"), "ab") as fh:
        fh.write(b'{"figid":"PMC10__f10","caption":"half a rec')
    with open(tsv.with_name("out.tsv.partial"), "ab") as fh:
        fh.write(b"PMC10__f10\tgene\tBDNF\tBD")
    with open(out.with_name("out.jsonl.progress"), "ab") as fh:
        fh.write(b'{"ids": ["PMC10__f10"], "si')
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "1", "--chunk-size", "5") == 0
    assert manifest_of(out)["run"]["records_skipped"] == 10
    assert out.read_bytes() == clean.read_bytes()
    assert tsv.read_bytes() == clean_tsv.read_bytes()


def _start(cmd: list[str], tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path, start_new_session=True
    )


def _wait_for_chunks(journal: Path, proc: subprocess.Popen, chunks: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= chunks + 2:  # header, first line, chunks
            return
        time.sleep(0.02)
    _, err = proc.communicate()
    pytest.fail(f"no progress before the run ended (exit {proc.returncode}): {err[-2000:]}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_a_running_subprocess_leaves_only_whole_records(tmp_path, sig):
    data = write_jsonl(tmp_path / "in.jsonl", 4_000)
    base = [sys.executable, "-m", "extractor", "annotate", str(data), "--sources", str(FIXTURE_SOURCES)]
    md_out, jsonl_out = tmp_path / "md", tmp_path / "out.jsonl"
    for out in (md_out, jsonl_out):
        cmd = [*base, "--out", str(out), "--tsv", str(out) + ".tsv", "--workers", "2", "--chunk-size", "50"]
        proc = _start(cmd, tmp_path)
        journal = out / ".extractor-progress" if out == md_out else tmp_path / "out.jsonl.progress"
        _wait_for_chunks(journal, proc, 3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 128 + sig, err
        assert "Traceback" not in err
        assert manifest_of(out)["run"]["status"] == "interrupted"
        written = manifest_of(out)["run"]["records_written"]
        assert 0 < written < 4_000
        if out == md_out:
            items = list(iter_records(md_out))
            assert not [i for i in items if isinstance(i, RecordError)]
            assert len(items) == written
            assert not list(md_out.glob(".*.tmp"))
        else:
            raw = tmp_path.joinpath("out.jsonl.partial").read_bytes()
            assert raw.endswith(b"\n")
            assert len([json.loads(ln) for ln in raw.splitlines()]) == written
        tsv = Path(str(out) + ".tsv.partial").read_bytes()
        assert tsv.endswith(b"\n") and all(ln.count(b"\t") == 7 for ln in tsv.splitlines())

    # resuming gives what one clean single-process run gives
    for out in (md_out, jsonl_out):
        assert annotate(data, "--out", out, "--tsv", str(out) + ".tsv", "--workers", "2") == 0
        assert manifest_of(out)["run"]["records_skipped"] > 0
    clean_md, clean_jsonl = tmp_path / "clean", tmp_path / "clean.jsonl"
    assert annotate(data, "--out", clean_md, "--tsv", tmp_path / "clean.tsv", "--workers", "1") == 0
    assert annotate(data, "--out", clean_jsonl, "--workers", "1") == 0
    assert md_files(md_out) == md_files(clean_md)
    assert (tmp_path / "md.tsv").read_bytes() == (tmp_path / "clean.tsv").read_bytes()
    assert jsonl_out.read_bytes() == clean_jsonl.read_bytes()


def test_sigkill_then_resume(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 4_000)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "extractor", "-q", "annotate", str(data), "--out", str(out), "--tsv", str(tmp_path / "out.tsv")]
    cmd += ["--sources", str(FIXTURE_SOURCES), "--workers", "2", "--chunk-size", "50"]
    proc = _start(cmd, tmp_path)
    _wait_for_chunks(tmp_path / "out.jsonl.progress", proc, 3)
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, at once
    proc.communicate(timeout=60)
    assert annotate(data, "--out", out, "--tsv", tmp_path / "out.tsv", "--workers", "2") == 0
    assert manifest_of(out)["run"]["records_skipped"] > 0
    assert annotate(data, "--out", tmp_path / "clean.jsonl", "--tsv", tmp_path / "clean.tsv", "--workers", "1") == 0
    assert out.read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    assert (tmp_path / "out.tsv").read_bytes() == (tmp_path / "clean.tsv").read_bytes()


# --------------------------------------------------------------------------
# Workers and engines
# --------------------------------------------------------------------------


def test_one_and_two_workers_write_the_same_bytes(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 300)
    outs = {}
    for workers in ("1", "2"):
        for fmt in ("md", "jsonl"):
            out = tmp_path / f"w{workers}" / ("out.jsonl" if fmt == "jsonl" else "out")
            tsv = out.with_name(f"{fmt}.tsv")
            # chunks of 7: 43 chunks, several in flight per worker
            assert annotate(data, "--out", out, "--tsv", tsv, "--workers", workers, "--chunk-size", "7") == 0
            assert manifest_of(out)["workers"] == int(workers)
            outs[workers, fmt] = (md_files(out) if fmt == "md" else out.read_bytes(), tsv.read_bytes())
    assert outs["1", "md"] == outs["2", "md"]
    assert outs["1", "jsonl"] == outs["2", "jsonl"]
    assert len(outs["1", "md"][0]) == 300
    # and records keep the input order in JSONL
    figids = [json.loads(ln)["figid"] for ln in outs["2", "jsonl"][0].decode("utf-8").splitlines()]
    assert figids == [f"PMC{i}__f{i}" for i in range(300)]


@pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed (pip install -e '.[dask]')"
)
def test_dask_engine_writes_the_same_bytes_as_the_local_engine(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 50)
    for fmt in ("md", "jsonl"):
        suffix = ".jsonl" if fmt == "jsonl" else ""
        local, dask = tmp_path / f"local{suffix}", tmp_path / f"dask{suffix}"
        assert annotate(data, "--out", local, "--tsv", tmp_path / f"local-{fmt}.tsv", "--workers", "1") == 0
        rc = annotate(data, "--out", dask, "--tsv", tmp_path / f"dask-{fmt}.tsv", "--engine", "dask", "--workers", "2", "--chunk-size", "6")
        assert rc == 0
        assert manifest_of(dask)["engine"] == "dask"
        if fmt == "md":
            assert md_files(dask) == md_files(local) and len(md_files(local)) == 50
        else:
            assert dask.read_bytes() == local.read_bytes()
        assert (tmp_path / f"dask-{fmt}.tsv").read_bytes() == (tmp_path / f"local-{fmt}.tsv").read_bytes()


def test_workers_get_only_the_tasks_and_the_lexicon_directory(tmp_path, monkeypatch):
    """What crosses to a worker: a small job description and plain tuples, no Lexicon or Annotator."""
    import pickle

    sent = []
    real = runner.annotate_chunk

    def spy(job, tasks):
        sent.append((pickle.dumps(job), pickle.dumps(tasks)))
        return real(job, tasks)

    monkeypatch.setattr(runner, "annotate_chunk", spy)
    data = write_jsonl(tmp_path / "in.jsonl", 10)
    assert annotate(data, "--out", tmp_path / "out", "--workers", "1") == 0
    job = pickle.loads(sent[0][0])
    assert isinstance(job, runner.WorkerJob) and Path(job.lexicon_dir, "manifest.json").is_file()
    assert len(sent[0][0]) < 4000
    tasks = pickle.loads(sent[0][1])
    assert all(type(t) is tuple and len(t) == 6 for t in tasks)
    assert tasks[0][:2] == ("PMC0__f0", {"figid": "PMC0__f0", "pmcid": "PMC0", "caption": caption(0)})


# --------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------


@pytest.mark.parametrize("workers", ["1", "2"])
def test_input_is_consumed_lazily(tmp_path, monkeypatch, workers):
    """Records are written long before the input is read to the end (nothing is loaded whole)."""
    data = write_jsonl(tmp_path / "in.jsonl", 400)
    real_iter = runner.iter_records
    read = {"n": 0, "at_first_write": None}

    def counting(source, annotations=True):
        for item in real_iter(source, annotations):
            read["n"] += 1
            yield item

    real_write = runner.Output.write_chunk

    def write_chunk(self, infos, results, summary):
        if read["at_first_write"] is None:
            read["at_first_write"] = read["n"]
        return real_write(self, infos, results, summary)

    monkeypatch.setattr(runner, "iter_records", counting)
    monkeypatch.setattr(runner.Output, "write_chunk", write_chunk)
    assert annotate(data, "--out", tmp_path / "out.jsonl", "--workers", workers, "--chunk-size", "10") == 0
    assert read["n"] == 400
    in_flight = 1 if workers == "1" else 2 * int(workers) + 2
    assert read["at_first_write"] <= 10 * in_flight


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


def md(figid: str, caption: str, **extra) -> str:
    return "---\n" + yaml.safe_dump({"figid": figid, "caption": caption, **extra}, allow_unicode=True, sort_keys=False) + "---\n"


def test_bad_records_each_give_one_line_and_the_rest_is_written(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_good.md").write_text(md("a_good", "BDNF and lithium"), encoding="utf-8")
    (d / "b_malformed.md").write_text("---\nfigid: b\ncaption: [unclosed\n---\n", encoding="utf-8")
    (d / "c_latin1.md").write_bytes(b"---\nfigid: c\ncaption: caf\xe9 BDNF\n---\n")
    (d / "d_genes5.md").write_text("---\nfigid: d\ncaption: BDNF\ngenes: 5\n---\n", encoding="utf-8")
    (d / "e_chemicals_str.md").write_text("---\nfigid: e\ncaption: BDNF\nchemicals: [lithium]\n---\n", encoding="utf-8")
    (d / "f_dup.md").write_text(md("a_good", "duplicate of a"), encoding="utf-8")
    (d / "g_nocaption.md").write_text("---\nfigid: g_nocaption\npmcid: PMC7\n---\n", encoding="utf-8")
    big = "GSK3B regulates tau. " * 5_000  # 105,000 characters
    (d / "h_big.md").write_text(md("h_big", big), encoding="utf-8")
    (d / "i_good.md").write_text(md("i_good", "mTOR", genes=[{"word": "x", "symbol": "y"}]), encoding="utf-8")
    out = tmp_path / "out"
    rc = annotate(d, "--out", out, "--workers", "1", "--set", "max_text_chars=100000")
    err = capsys.readouterr().err
    assert rc == 3
    errors = error_lines(err)
    bad = ("b_malformed.md", "c_latin1.md", "d_genes5.md", "e_chemicals_str.md", "f_dup.md")
    assert len(errors) == len(bad), err
    for name in bad:
        (line,) = [ln for ln in errors if name in ln]
        assert "\n" not in line
    assert any("genes is 5, but genes, chemicals and diseases must be lists" in ln for ln in errors)
    assert any("duplicate figid 'a_good'" in ln for ln in errors)
    assert "Traceback" not in err
    warnings = [ln for ln in err.splitlines() if ln.startswith("WARNING")]
    assert any("g_nocaption.md" in ln and "no text" in ln for ln in warnings)
    assert any("h_big.md" in ln and "105000 characters" in ln and "first 100000" in ln for ln in warnings)
    assert sorted(md_files(out)) == ["a_good.md", "g_nocaption.md", "h_big.md", "i_good.md"]
    recs = {r.figid: r for r in iter_records(out)}
    assert recs["h_big"].caption == big  # the record keeps its whole caption
    assert {g.entrez for g in recs["h_big"].genes} == {"2932"}
    assert recs["a_good"].meta["caption"] == "BDNF and lithium"
    assert recs["i_good"].genes and recs["i_good"].genes[0].symbol != "y"  # input annotations are replaced
    run = manifest_of(out)["run"]
    assert (run["records_read"], run["records_written"], run["records_failed"]) == (5, 4, 5)
    assert len(run["errors"]) == 5 and all(any(name in e for e in run["errors"]) for name in bad)


def test_jsonl_bad_lines(tmp_path, capsys):
    data = tmp_path / "in.jsonl"
    data.write_bytes(
        b'{"figid": "j1", "caption": "BDNF"}\n'
        b'{"figid": "j2", "caption": "broken\n'
        b'{"figid": "j3", "caption": "caf\xe9"}\n'
        b'[1, 2]\n'
        b'{"figid": "j4", "caption": "lithium", "diseases": {"a": 1}}\n'
        b'{"figid": "j5", "caption": "mTOR"}\n'
    )
    out = tmp_path / "out.jsonl"
    assert annotate(data, "--out", out, "--workers", "1") == 3
    errors = error_lines(capsys.readouterr().err)
    assert [ln.split(": ", 2)[1].rsplit(":", 1)[-1] for ln in errors] == ["2", "3", "4", "5"]
    assert [json.loads(ln)["figid"] for ln in out.read_text(encoding="utf-8").splitlines()] == ["j1", "j5"]


def test_a_record_the_annotator_fails_on_is_one_error(tmp_path, monkeypatch, capsys):
    from extractor.pipeline import Annotator

    real = Annotator.annotate

    def flaky(self, record, ocr_text=None):
        if "boom" in record.caption:
            raise RuntimeError("matcher bug")
        return real(self, record, ocr_text)

    monkeypatch.setattr(Annotator, "annotate", flaky)
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"figid": f"r{i}", "caption": c}) + "\n" for i, c in enumerate(["BDNF", "boom", "mTOR"])))
    assert annotate(data, "--out", tmp_path / "out.jsonl", "--workers", "1") == 3
    (line,) = error_lines(capsys.readouterr().err)
    assert "in.jsonl:2" in line and "RuntimeError: matcher bug" in line
    assert manifest_of(tmp_path / "out.jsonl")["run"]["records_written"] == 2


def test_unwritable_output_is_one_error_before_any_work(tmp_path, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", 3)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    for out in (blocker / "out", blocker / "out.jsonl"):
        assert annotate(data, "--out", out) == 2
        lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert len(lines) == 1 and str(blocker) in lines[0] and "not writable" in lines[0]
    # an unwritable TSV location, too
    assert annotate(data, "--out", tmp_path / "ok", "--tsv", blocker / "x.tsv") == 2
    assert "not writable" in capsys.readouterr().err
    assert not (tmp_path / "ok" / "PMC0__f0.md").exists()


def test_output_disappearing_mid_run_stops_with_one_line(tmp_path, monkeypatch, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out"
    real = runner.atomic_write_text
    calls = {"n": 0}

    def failing(path, text):
        if path.suffix == ".md":
            calls["n"] += 1
            if calls["n"] > 12:
                raise OSError(28, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(runner, "atomic_write_text", failing)
    assert annotate(data, "--out", out, "--workers", "1", "--chunk-size", "5") == 1
    err = capsys.readouterr().err
    (line,) = error_lines(err)
    assert "No space left on device" in line and "rerun to resume" in line
    monkeypatch.setattr(runner, "atomic_write_text", real)
    assert annotate(data, "--out", out, "--workers", "1", "--chunk-size", "5") == 0
    assert manifest_of(out)["run"]["records_skipped"] == 10  # the two whole chunks before the failure
    assert len(md_files(out)) == 30


def test_broken_lexicon_source_is_one_error_line(tmp_path, capsys):
    import shutil

    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, sources)
    hgnc = sources / "hgnc" / "hgnc_custom_download.tsv.gz"
    hgnc.unlink()
    (sources / "hgnc" / "hgnc_custom_download.tsv").write_text("not\tan\thgnc\tfile\n", encoding="utf-8")
    data = write_jsonl(tmp_path / "in.jsonl", 3)
    rc = main(["annotate", str(data), "--out", str(tmp_path / "out"), "--sources", str(sources)])
    err = capsys.readouterr().err
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.startswith(("ERROR", "Traceback"))]
    assert len(lines) == 1 and "cannot build the lexicon" in lines[0] and "hgnc_custom_download.tsv" in lines[0]
    assert main(["lexicon", "build", "--sources", str(sources)]) == 2
    assert "not an HGNC download" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------


def test_manifest_contents(tmp_path):
    from extractor import __version__

    data = write_jsonl(tmp_path / "in.jsonl", 12)
    with open(data, "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    out, tsv = tmp_path / "out.jsonl", tmp_path / "out.tsv"
    assert annotate(data, "--out", out, "--tsv", tsv, "--workers", "2", "--kinds", "genes,chemicals") == 3
    man = manifest_of(out)
    assert man["extractor_version"] == __version__
    assert "git_commit" in man and man["python"]
    assert man["compiled_matcher"] is compiled()
    assert man["config"]["kinds"] == ["genes", "chemicals"]
    assert man["config"]["inputs"] == [str(data)]
    assert man["config"]["run"]["workers"] == 2 and man["workers"] == 2 and man["engine"] == "local"
    assert len(man["job_fingerprint"]) == 16
    lex = man["lexicon"]
    assert lex["cache_key"] and Path(lex["directory"]).name == lex["cache_key"]
    assert all(len(info["sha256"]) == 64 for info in lex["sources"].values())
    assert lex["builder_version"] and lex["curated_files"]
    run = man["run"]
    assert run["status"] == "complete"
    assert (run["records_read"], run["records_written"], run["records_skipped"], run["records_failed"]) == (12, 12, 0, 1)
    assert run["errors"] == [f"{data}:13: malformed JSON: Expecting value at column 1"]
    assert run["seconds"] > 0 and run["lexicon_seconds"] >= 0 and run["records_per_second"] > 0
    assert run["outputs"] == {"records": str(out), "tsv": str(tsv)}
    assert man["started"] <= man["finished"]


def test_job_fingerprint_ignores_run_keys_and_locations(tmp_path):
    cfg = with_overrides(Config(), {"inputs": [str(tmp_path)], "output.path": str(tmp_path / "a.jsonl")})
    same = with_overrides(
        cfg, {"run.workers": 7, "run.chunk_size": 3, "run.quiet": True, "output.path": str(tmp_path / "b.jsonl"), "evaluate.gold": "x"}
    )
    assert runner.job_fingerprint(cfg, "k1") == runner.job_fingerprint(same, "k1")
    assert runner.job_fingerprint(cfg, "k1") != runner.job_fingerprint(cfg, "k2")
    for key, value in (("kinds", ["genes"]), ("matcher.lists", False), ("output.provenance", True), ("max_text_chars", 5)):
        assert runner.job_fingerprint(with_overrides(cfg, {key: value}), "k1") != runner.job_fingerprint(cfg, "k1"), key


def test_edited_code_is_a_changed_job(tmp_path, monkeypatch, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", 10)
    out = tmp_path / "out.jsonl"
    assert annotate(data, "--out", out, "--workers", "1") == 0
    monkeypatch.setattr(runner, "code_digest", lambda: "edited")
    capsys.readouterr()
    assert annotate(data, "--out", out, "--workers", "1") == 0
    assert "job changed" in capsys.readouterr().err
    assert manifest_of(out)["run"]["records_written"] == 10


def test_a_pool_chunk_frees_its_cycles_and_freezes_what_it_keeps(tiny_lexicon_dir):
    import gc
    import weakref

    from extractor.pipeline import AnnotateOptions

    class Node:
        pass

    job = runner.WorkerJob(str(tiny_lexicon_dir), AnnotateOptions(), "jsonl", False)
    tasks = [(f"PMC{i}__f{i}", {}, "", caption(i), "", None) for i in range(5)]
    runner.annotate_chunk(job, tasks[:1])  # the worker's annotator exists
    cycle = Node()
    cycle.me = cycle  # garbage of the chunk that only the collector can free
    dead = weakref.ref(cycle)
    del cycle
    before = gc.get_freeze_count()
    try:
        out = runner._annotate_chunk_in_pool(job, tasks)
        assert [json.loads(text)["figid"] for text, _ in out] == [t[0] for t in tasks]
        assert dead() is None  # collected before the freeze, not kept for ever
        assert gc.get_freeze_count() > before  # what the chunk left is frozen
    finally:
        gc.unfreeze()
