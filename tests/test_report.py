"""The HTML/PNG/CSV evaluation report."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.evaluate import EvaluationResult, evaluate_paths
from extractor.report import CSV_FILES, write_report
from test_evaluate import GOLD, PRED, concept, gene, rec, write_jsonl, write_md_dir

PNGS = ("scores.png", "f1_hist.png", "by_source.png")


def _result(tmp_path: Path) -> tuple[EvaluationResult, Path, Path]:
    gold = write_md_dir(tmp_path / "gold", GOLD)
    pred = write_jsonl(tmp_path / "pred.jsonl", PRED + [rec("fig2", genes=[gene("208", "<b>AKT2</b>")])])
    return evaluate_paths(gold, pred), gold, pred


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_report_files_and_html(tmp_path: Path) -> None:
    result, gold, pred = _result(tmp_path)
    index = write_report(result, tmp_path / "report", str(gold), str(pred))
    assert index == tmp_path / "report" / "index.html"
    for name in PNGS + CSV_FILES:
        assert (tmp_path / "report" / name).is_file(), name
    page = index.read_text(encoding="utf-8")
    for png in PNGS:
        assert f'src="{png}"' in page
        assert (tmp_path / "report" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # self-contained: nothing loaded from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert str(gold) in page and str(pred) in page
    # words are escaped, and the FP word shows with its figure
    assert "&lt;b&gt;AKT2&lt;/b&gt;" in page and "<b>AKT2</b>" not in page
    assert "fig2" in page


def test_csv_matches_scores(tmp_path: Path) -> None:
    result, gold, pred = _result(tmp_path)
    write_report(result, tmp_path / "r", str(gold), str(pred))
    scores = {(r["kind"], r["view"], r["average"]): r for r in _csv(tmp_path / "r" / "scores.csv")}
    for kind, res in result.kinds.items():
        row = scores[(kind, "id", "micro")]
        assert (int(row["tp"]), int(row["fp"]), int(row["fn"])) == (res.micro.tp, res.micro.fp, res.micro.fn)
        assert float(row["precision"]) == pytest.approx(res.micro.precision, abs=1e-4)
        assert float(row["recall"]) == pytest.approx(res.micro.recall, abs=1e-4)
        assert float(row["f1"]) == pytest.approx(res.micro.f1, abs=1e-4)
        macro = scores[(kind, "id", "macro")]
        assert float(macro["f1"]) == pytest.approx(res.macro()["f1"], abs=1e-4)
        assert int(macro["figures"]) == res.macro()["figures"]
    # known values: genes tp 1, fp 2 (7040 in fig1, 208 in fig2), fn 2
    assert (scores[("genes", "id", "micro")]["tp"], scores[("genes", "id", "micro")]["fp"]) == ("1", "2")
    assert ("genes", "hgnc_symbol", "micro") in scores
    per_figure = _csv(tmp_path / "r" / "per_figure.csv")
    assert {(r["figid"], r["kind"]) for r in per_figure} == {
        ("fig1", "genes"),
        ("fig2", "genes"),
        ("fig1", "chemicals"),
    }
    for kind, res in result.kinds.items():
        assert sum(int(r["tp"]) for r in per_figure if r["kind"] == kind) == res.micro.tp
        assert sum(int(r["fn"]) for r in per_figure if r["kind"] == kind) == res.micro.fn
    fig2 = next(r for r in per_figure if r["figid"] == "fig2")
    assert (fig2["tp"], fig2["fp"], fig2["fn"], fig2["f1"]) == ("0", "1", "1", "0.0000")
    by_source = {r["source"]: r for r in _csv(tmp_path / "r" / "by_source.csv")}
    assert (by_source["hgnc_symbol"]["tp"], by_source["hgnc_symbol"]["fp"]) == ("1", "1")
    assert by_source["hgnc_alias_symbol"]["fp"] == "1"
    fp_words = _csv(tmp_path / "r" / "fp_words.csv")
    assert [(r["kind"], r["word"], r["count"], r["example_figures"]) for r in fp_words] == [
        ("genes", "<b>AKT2</b>", "1", "fig2"),
        ("genes", "TGF", "1", "fig1"),
    ]
    assert "7040 (TGFB1)" in fp_words[1]["ids"]
    fn_words = _csv(tmp_path / "r" / "fn_words.csv")
    assert {(r["kind"], r["word"]) for r in fn_words} == {
        ("genes", "GSK-3β"),
        ("genes", "AKT1"),
        ("chemicals", "lithium"),
    }


def test_report_is_deterministic(tmp_path: Path) -> None:
    result, gold, pred = _result(tmp_path)
    write_report(result, tmp_path / "a", str(gold), str(pred))
    write_report(result, tmp_path / "b", str(gold), str(pred))
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    png = (tmp_path / "a" / "scores.png").read_bytes()
    assert b"tIME" not in png and b"Software" not in png


def test_report_without_genes(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "g.jsonl", [rec("f", chemicals=[concept("D008094", "lithium")])])
    pred = write_jsonl(tmp_path / "p.jsonl", [rec("f", chemicals=[concept("D008094", "lithium")])])
    result = evaluate_paths(gold, pred, report_dir=tmp_path / "r")
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "by_source.png" not in page and not (tmp_path / "r" / "by_source.png").exists()
    assert _csv(tmp_path / "r" / "by_source.csv") == []
    assert _csv(tmp_path / "r" / "scores.csv")[0]["f1"] == "1.0000"
    assert list(result.kinds) == ["chemicals"]


def test_report_with_nothing_scored(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    evaluate_paths(tmp_path / "gold", write_jsonl(tmp_path / "p.jsonl", PRED), report_dir=tmp_path / "r")
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "Nothing was scored" in page and "gold holds no figures" in page
    assert _csv(tmp_path / "r" / "scores.csv") == []


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_md_dir(tmp_path / "gold", GOLD)
    pred = write_jsonl(tmp_path / "pred.jsonl", PRED)
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred), "--report", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "index.html").is_file() and (tmp_path / "rep" / "scores.png").is_file()
    assert "genes" in capsys.readouterr().out


def test_import_has_no_side_effects() -> None:
    code = "import sys, extractor.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
