"""Scoring: hand-made gold/prediction pairs with known counts, edge cases, bad input, the CLI."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor.cli import main
from extractor.evaluate import (
    EvaluationError,
    annotations_of,
    evaluate_paths,
    format_table,
    load_annotations,
    normalize_id,
    score,
)
from extractor.records import FigureRecord, GeneRow

CHECKOUT = Path(__file__).resolve().parent.parent
FIXTURE_SOURCES = CHECKOUT / "tests" / "fixtures" / "sources"


# --------------------------------------------------------------------------
# Helpers: tiny record files
# --------------------------------------------------------------------------


def gene(entrez: Any, word: str = "w", source: str = "hgnc_symbol", symbol: str = "") -> dict[str, Any]:
    return {"word": word, "symbol": symbol or word, "source": source, "hgnc_symbol": symbol, "entrez": entrez}


def concept(identifier: str, word: str = "c") -> dict[str, Any]:
    return {"word": word, "source": "MESH", "identifier": identifier}


def rec(figid: str, genes: list | None = None, chemicals: list | None = None, diseases: list | None = None) -> dict:
    return {
        "figid": figid,
        "caption": "",
        "genes": genes or [],
        "chemicals": chemicals or [],
        "diseases": diseases or [],
    }


def write_md_dir(directory: Path, records: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for r in records:
        (directory / f"{r['figid']}.md").write_text(
            "---\n" + yaml.safe_dump(r, sort_keys=False) + "---\n", encoding="utf-8"
        )
    return directory


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# fig1: genes 627, 2932 / chemicals D007649, MESH:D008094; fig2: gene 207 (no prediction)
GOLD = [
    rec(
        "fig1",
        genes=[gene("627", "BDNF", symbol="BDNF"), gene("2932", "GSK-3β", symbol="GSK3B")],
        chemicals=[concept("D007649", "ketamine"), concept("MESH:D008094", "lithium")],
    ),
    rec("fig2", genes=[gene("207", "AKT1", symbol="AKT1")]),
]
# fig1: genes 627 (int: tp), 7040 (fp) / chemical mesh:d007649 (tp); fig3 is not in gold
PRED = [
    rec(
        "fig1",
        genes=[gene(627, "BDNF", symbol="BDNF"), gene("7040", "TGF", "hgnc_alias_symbol", symbol="TGFB1")],
        chemicals=[concept("mesh:d007649", "Ketamine")],
    ),
    rec("fig3", genes=[gene("999", "X")]),
]


def _write(tmp_path: Path, fmt: str, name: str, records: list[dict]) -> Path:
    if fmt == "md":
        return write_md_dir(tmp_path / name, records)
    return write_jsonl(tmp_path / f"{name}.jsonl", records)


# --------------------------------------------------------------------------
# Known counts
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gold_fmt,pred_fmt", [("md", "md"), ("jsonl", "jsonl"), ("md", "jsonl"), ("jsonl", "md")])
def test_known_counts(tmp_path: Path, gold_fmt: str, pred_fmt: str) -> None:
    result = evaluate_paths(_write(tmp_path, gold_fmt, "gold", GOLD), _write(tmp_path, pred_fmt, "pred", PRED))
    out = result.to_json()
    assert list(result.kinds) == ["genes", "chemicals"]  # diseases absent from gold: not scored
    assert "diseases" not in out
    assert out["genes"] == {"tp": 1, "fp": 1, "fn": 2, "precision": 0.5, "recall": 0.3333, "f1": 0.4}
    assert out["chemicals"] == {"tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    # macro genes: fig1 P=R=F1=0.5; fig2 predicts nothing: P 0/0 -> 0, R 0, F1 0
    assert out["macro"]["genes"]["figures"] == 2
    assert out["macro"]["genes"]["precision"] == 0.25
    assert out["macro"]["genes"]["f1"] == 0.25
    assert out["macro"]["genes"]["zero_division"]["precision"] == 1
    # macro chemicals: only fig1 has chemicals
    assert out["macro"]["chemicals"]["figures"] == 1
    assert out["macro"]["chemicals"]["f1"] == 0.6667
    # fig3 is predicted but not in gold: reported, not scored; fig2 has no prediction
    assert result.unscored_predictions == ["fig3"]
    assert result.missing_predictions == ["fig2"]
    assert out["figures"]["predicted_not_in_gold_ids"] == ["fig3"]
    assert any("1 predicted figures are not in gold" in n for n in result.notes)
    assert any("1 gold figures have no prediction" in n for n in result.notes)


def test_breakdown_by_source_symbol_and_words(tmp_path: Path) -> None:
    result = evaluate_paths(write_md_dir(tmp_path / "g", GOLD), write_md_dir(tmp_path / "p", PRED))
    details = result.to_json()["details"]
    src = details["genes"]["by_source"]
    assert src["hgnc_symbol"] == {"tp": 1, "fp": 0, "precision": 1.0}
    assert src["hgnc_alias_symbol"] == {"tp": 0, "fp": 1, "precision": 0.0}
    assert src["bioentities_symbol"]["tp"] + src["bioentities_symbol"]["fp"] == 0
    assert details["genes"]["by_hgnc_symbol"] == {
        "tp": 1,
        "fp": 1,
        "fn": 2,
        "precision": 0.5,
        "recall": 0.3333,
        "f1": 0.4,
    }
    fp = details["genes"]["false_positive_words"]
    assert fp == [{"word": "TGF", "count": 1, "figures": 1, "examples": ["fig1"], "ids": ["7040"]}]
    fn = {r["word"]: r for r in details["genes"]["false_negative_words"]}
    assert set(fn) == {"GSK-3β", "AKT1"}
    assert fn["AKT1"]["examples"] == ["fig2"]
    assert [r["word"] for r in details["chemicals"]["false_negative_words"]] == ["lithium"]
    assert details["chemicals"]["false_positive_words"] == []
    assert "by_source" not in details["chemicals"]
    table = format_table(result, details=True)
    assert "genes" in table and "TGF" in table and "hgnc_alias_symbol" in table


def test_example_figures_are_distinct() -> None:
    """A family word naming several IDs in one figure lists that figure once."""
    fam = [gene(i, "AKT", "bioentities_symbol") for i in ("207", "208", "10000")]
    gold = {
        f: annotations_of(FigureRecord(f, "", genes=(GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627"),)))
        for f in ("a", "b")
    }
    pred_rows = tuple(GeneRow(g["word"], g["symbol"], g["source"], "", g["entrez"]) for g in fam)
    pred = {f: annotations_of(FigureRecord(f, "", genes=pred_rows)) for f in ("a", "b")}
    res = score(gold, pred).kinds["genes"]
    top = res.top_words("fp")
    assert top == [{"word": "AKT", "count": 6, "figures": 2, "examples": ["a", "b"], "ids": ["10000", "207", "208"]}]
    assert res.by_source["bioentities_symbol"].fp == 6


def test_source_attribution_prefers_first_source() -> None:
    rows = (
        GeneRow("AKT", "AKT", "bioentities_symbol", "AKT1", "207"),
        GeneRow("PKB", "PKB", "hgnc_alias_symbol", "AKT1", "207"),
        GeneRow("X", "X", "", "", "5"),
    )
    gold = {"f": annotations_of(FigureRecord("f", "", genes=(GeneRow("AKT1", "AKT1", "hgnc_symbol", "AKT1", "207"),)))}
    res = score(gold, {"f": annotations_of(FigureRecord("f", "", genes=rows))}).kinds["genes"]
    assert (res.by_source["hgnc_alias_symbol"].tp, res.by_source["bioentities_symbol"].tp) == (1, 0)
    assert res.by_source["(none)"].fp == 1
    assert sum(s.tp for s in res.by_source.values()) == res.micro.tp
    assert sum(s.fp for s in res.by_source.values()) == res.micro.fp


# --------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("genes", 627, ["627"]),
        ("genes", "627", ["627"]),
        ("genes", " 0627 ", ["627"]),
        ("genes", 627.0, ["627"]),
        ("genes", "NCBIGene:627", ["627"]),
        ("genes", "12831(Tax:10090)", ["12831"]),
        ("genes", "7040,7042", ["7040", "7042"]),
        ("genes", None, []),
        ("genes", "", []),
        ("chemicals", "MESH:D008094", ["D008094"]),
        ("chemicals", "mesh:d008094", ["D008094"]),
        ("diseases", "D006470|D003556", ["D006470", "D003556"]),
        ("diseases", "MESH:D006470|MESH:D003556", ["D006470", "D003556"]),
        ("diseases", "D1|D1", ["D1"]),
        ("chemicals", "-1", []),
    ],
)
def test_normalize_id(kind: str, value: Any, expected: list[str]) -> None:
    assert normalize_id(kind, value) == expected


def test_duplicates_prefixes_composites_and_int_entrez(tmp_path: Path) -> None:
    gold = write_jsonl(
        tmp_path / "gold.jsonl",
        [
            rec(
                "f",
                genes=[gene("627", "BDNF"), gene("627", "brain-derived neurotrophic factor"), gene(2932)],
                chemicals=[concept("D006470|D003556"), concept("MESH:D008094"), concept("D008094")],
            )
        ],
    )
    pred = write_jsonl(
        tmp_path / "pred.jsonl",
        [
            rec(
                "f",
                genes=[gene(627), gene("627"), gene("2932.0")],
                chemicals=[concept("mesh:D006470"), concept("D008094"), concept("MESH:D008094"), concept("D000001")],
            )
        ],
    )
    out = evaluate_paths(gold, pred).to_json()
    assert out["genes"]["tp"] == 2 and out["genes"]["fp"] == 0 and out["genes"]["fn"] == 0
    # gold chemicals {D006470, D003556, D008094}; predicted {D006470, D008094, D000001}
    assert (out["chemicals"]["tp"], out["chemicals"]["fp"], out["chemicals"]["fn"]) == (2, 1, 1)


# --------------------------------------------------------------------------
# PubTator gold
# --------------------------------------------------------------------------

GNORM = """\
100|t|BDNF and mouse Vegfa.
100|a|TGF-beta1 and TGF-beta2 act; so does murine Col5a1.
100\t0\t4\tBDNF\tGene\t627
100\t15\t20\tVegfa\tGene\t7422,22339(Tax:10090)
100\t22\t31\tTGF-beta1\tGene\t7040,7042
100\t66\t72\tCol5a1\tGene\t12831(Tax:10090)
100\t40\t47\tsomething\tFamilyName

"""

CDR = """\
200|t|Lithium and seizures.
200|a|Lithium carbonate caused hypotension and heart disease.
200\t0\t7\tLithium\tChemical\tD008094
200\t12\t20\tseizures\tDisease\tD012640
200\t22\t39\tLithium carbonate\tChemical\tD016651
200\t47\t58\thypotension\tDisease\tMESH:D007022
200\t63\t76\theart disease\tDisease\tD006331|D003556
200\t80\t81\tunknown\tChemical\t-1
200\tCID\tD008094\tD012640

"""


def test_pubtator_gold_human_genes_only(tmp_path: Path) -> None:
    gold = tmp_path / "gnorm.PubTator"
    gold.write_text(GNORM, encoding="utf-8")
    pred = write_jsonl(tmp_path / "p.jsonl", [rec("100", genes=[gene("627"), gene("7040"), gene("12831")])])
    human = evaluate_paths(gold, pred).to_json()["genes"]
    # human gold {627, 7422, 7040, 7042}; 12831 is a mouse gene and predicted: fp
    assert (human["tp"], human["fp"], human["fn"]) == (2, 1, 2)
    every = evaluate_paths(gold, pred, human_genes_only=False).to_json()["genes"]
    # all species: gold {627, 7422, 22339, 7040, 7042, 12831}
    assert (every["tp"], every["fp"], every["fn"]) == (3, 0, 3)


def test_pubtator_gold_chemicals_diseases(tmp_path: Path) -> None:
    gold = tmp_path / "cdr.txt"
    gold.write_text(CDR, encoding="utf-8")
    pred = write_jsonl(
        tmp_path / "p.jsonl",
        [
            rec(
                "200",
                chemicals=[concept("MESH:D008094")],
                diseases=[concept("D012640"), concept("D003556"), concept("D009369")],
            )
        ],
    )
    out = evaluate_paths(gold, pred).to_json()
    assert "genes" not in out
    assert (out["chemicals"]["tp"], out["chemicals"]["fp"], out["chemicals"]["fn"]) == (1, 0, 1)
    # gold diseases {D012640, D007022, D006331, D003556}
    assert (out["diseases"]["tp"], out["diseases"]["fp"], out["diseases"]["fn"]) == (2, 1, 2)


def test_pubtator_prediction_rejected(tmp_path: Path) -> None:
    gold = tmp_path / "cdr.txt"
    gold.write_text(CDR, encoding="utf-8")
    with pytest.raises(EvaluationError, match="gold only"):
        evaluate_paths(gold, gold)


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_empty_gold(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    result = evaluate_paths(tmp_path / "gold", write_jsonl(tmp_path / "p.jsonl", PRED))
    assert result.kinds == {}
    out = result.to_json()
    assert not {"genes", "chemicals", "diseases"} & set(out)
    assert out["figures"]["predicted_not_in_gold"] == 2
    assert any("gold holds no figures" in n for n in result.notes)


def test_gold_without_annotations(tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "g.jsonl", [rec("fig1")])
    result = evaluate_paths(gold, write_jsonl(tmp_path / "p.jsonl", PRED))
    assert result.kinds == {}
    assert any("no annotations of any kind" in n for n in result.notes)
    assert any("genes: 2 predicted (figure, ID) pairs not scored" in n for n in result.notes)


def test_empty_predictions(tmp_path: Path) -> None:
    (tmp_path / "pred").mkdir()
    result = evaluate_paths(write_md_dir(tmp_path / "gold", GOLD), tmp_path / "pred")
    out = result.to_json()
    assert out["genes"] == {"tp": 0, "fp": 0, "fn": 3, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert out["chemicals"]["fn"] == 2
    assert any("genes: no predicted IDs, so micro precision is 0/0" in n for n in result.notes)
    assert any("genes: no true positives, so micro F1 is 0/0" in n for n in result.notes)
    assert result.missing_predictions == ["fig1", "fig2"]


def test_perfect_prediction_has_no_zero_division_notes(tmp_path: Path) -> None:
    gold = write_md_dir(tmp_path / "gold", GOLD)
    result = evaluate_paths(gold, gold)
    assert result.to_json()["genes"]["f1"] == 1.0
    assert not any("0/0" in n for n in result.notes)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


def _good_and_bad_dir(tmp_path: Path, bad_name: str, bad: bytes) -> Path:
    d = write_md_dir(tmp_path / "gold", GOLD[:1])
    (d / bad_name).write_bytes(bad)
    return d


@pytest.mark.parametrize(
    "bad,reason",
    [
        (b"---\nfigid: x\ncaption: caf\xe9\n---\n", "UTF-8"),
        (b"---\nfigid: x\ngenes: [unclosed\n---\n", "malformed YAML"),
        (b"no front matter here\n", "front matter"),
        (b"---\nfigid: x\ngenes: 5\n---\n", "must be lists"),
        (b"---\n- a\n- b\n---\n", "not a mapping"),
    ],
)
def test_bad_md_record_is_a_note_naming_the_file(tmp_path: Path, bad: bytes, reason: str) -> None:
    gold = _good_and_bad_dir(tmp_path, "zbad.md", bad)
    result = evaluate_paths(gold, write_jsonl(tmp_path / "p.jsonl", PRED))
    skipped = [n for n in result.notes if "skipped" in n and "zbad.md" in n]
    assert len(skipped) == 1 and reason in skipped[0]
    assert result.to_json()["genes"]["tp"] == 1  # the good record still counts
    assert result.to_json()["figures"]["records_skipped"] == 1


def test_malformed_jsonl_line_is_a_note(tmp_path: Path) -> None:
    pred = tmp_path / "p.jsonl"
    pred.write_text(
        json.dumps(PRED[0]) + "\n{not json\n" + json.dumps({"figid": "q", "genes": 3}) + "\n", encoding="utf-8"
    )
    result = evaluate_paths(write_md_dir(tmp_path / "gold", GOLD), pred)
    notes = [n for n in result.notes if "prediction record skipped" in n]
    assert len(notes) == 2
    assert f"{pred}:2: malformed JSON" in notes[0]
    assert f"{pred}:3" in notes[1]
    assert result.to_json()["genes"]["tp"] == 1


def test_duplicate_figid_is_a_note(tmp_path: Path) -> None:
    pred = write_jsonl(tmp_path / "p.jsonl", [PRED[0], rec("fig1", genes=[gene("2932")])])
    result = evaluate_paths(write_md_dir(tmp_path / "gold", GOLD), pred)
    assert any("duplicate figid 'fig1'" in n and f"{pred}:2" in n for n in result.notes)
    assert result.to_json()["genes"]["tp"] == 1  # the first record is kept


def test_missing_paths(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "g.jsonl", GOLD)
    with pytest.raises(EvaluationError, match=r"^gold: .*nope: no such file"):
        evaluate_paths(tmp_path / "nope", good)
    with pytest.raises(EvaluationError, match=r"^predictions: .*nope: no such file"):
        evaluate_paths(good, tmp_path / "nope")


def test_single_unreadable_file_is_fatal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"---\nfigid: x\ngenes: [unclosed\n---\n")
    with pytest.raises(EvaluationError, match=r"bad\.md: malformed YAML"):
        evaluate_paths(bad, write_jsonl(tmp_path / "p.jsonl", PRED))
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b"\xff\xfe\n{oops\n")
    with pytest.raises(EvaluationError, match=r"no readable records in .*junk\.jsonl \(2 unreadable"):
        load_annotations(junk, gold=False)
    unknown = tmp_path / "data.txt"
    unknown.write_text("just some text\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"data\.txt: unknown input format"):
        load_annotations(unknown, gold=True)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def test_cli_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_md_dir(tmp_path / "gold", GOLD)
    pred = write_jsonl(tmp_path / "p.jsonl", PRED)
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"genes", "chemicals", "macro"} <= set(out)
    assert "diseases" not in out
    for kind in ("genes", "chemicals"):
        assert set(out[kind]) == {"tp", "fp", "fn", "precision", "recall", "f1"}
        assert set(out["macro"][kind]) >= {"figures", "precision", "recall", "f1"}
    assert out["genes"]["tp"] == 1 and out["chemicals"]["fn"] == 1
    assert isinstance(out["notes"], list)


def test_cli_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_md_dir(tmp_path / "gold", GOLD)
    assert main(["evaluate", "--gold", str(gold), "--pred", str(write_jsonl(tmp_path / "p.jsonl", PRED))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:4] == ["genes", "1", "1", "2"]


@pytest.mark.parametrize("which", ["gold", "pred"])
def test_cli_missing_path_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str) -> None:
    good = str(write_jsonl(tmp_path / "g.jsonl", GOLD))
    missing = str(tmp_path / "missing-dir")
    args = {"gold": good, "pred": good, which: missing}
    assert main(["evaluate", "--gold", args["gold"], "--pred", args["pred"]]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and missing in err[0] and "no such file" in err[0]


def test_cli_malformed_gold_file_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "gold.md"
    bad.write_bytes(b"---\nfigid: x\ncaption: caf\xe9\n---\n")
    assert main(["evaluate", "--gold", str(bad), "--pred", str(write_jsonl(tmp_path / "p.jsonl", PRED))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "UTF-8" in err[0]


# --------------------------------------------------------------------------
# scripts/benchmark.py on a tiny hand-made suite
# --------------------------------------------------------------------------


def _load_benchmark() -> Any:
    name = "extractor_scripts_benchmark"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, CHECKOUT / "scripts" / "benchmark.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_benchmark_tiny_suites(
    tmp_path: Path, tiny_lexicon_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The benchmark on a hand-made shared/ tree with the fixture lexicon (no ../shared needed)."""
    monkeypatch.setenv("EXTRACTOR_HOME", str(tiny_lexicon_dir.parent.parent))
    shared = tmp_path / "shared"
    write_md_dir(
        shared / "gold" / "pfocr-dev",
        [
            dict(rec("f1", genes=[gene("627", "BDNF")], chemicals=[concept("D007649")]), caption="BDNF and ketamine."),
            dict(rec("f2", genes=[gene("2932", "GSK3B")]), caption="No genes named here."),
        ],
    )
    (shared / "ocr-noise").mkdir()
    crops = [
        {
            "id": "a.png",
            "truth": "BDNF",
            "ocr": {"google": "BDNF", "easyocr": "", "mmocr_abinet": "BDNF", "tesseract": ""},
        },
        {
            "id": "b.png",
            "truth": "MTOR",
            "ocr": {"google": "MTOR", "easyocr": "MTOR", "mmocr_abinet": "", "tesseract": ""},
        },
        {"id": "c.png", "truth": "", "ocr": {"google": "BDNF", "easyocr": "", "mmocr_abinet": "", "tesseract": ""}},
    ]
    write_jsonl(shared / "ocr-noise" / "kegg_crops.jsonl", crops)
    bench = _load_benchmark()
    argv = ["--shared", str(shared), "--sources", str(FIXTURE_SOURCES), "--suite", "pfocr-dev", "--suite", "kegg-ocr"]
    assert bench.main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["suites"]) == {"pfocr-dev", "kegg-ocr"}
    pfocr = {r["scored"]: r for r in out["suites"]["pfocr-dev"]["rows"]}
    assert (pfocr["genes"]["tp"], pfocr["genes"]["fp"], pfocr["genes"]["fn"]) == (1, 0, 1)
    assert (pfocr["chemicals"]["tp"], pfocr["chemicals"]["fn"]) == (1, 0)
    ocr = {r["scored"]: r for r in out["suites"]["kegg-ocr"]["rows"]}
    assert (ocr["google"]["tp"], ocr["google"]["fp"], ocr["google"]["fn"]) == (2, 1, 0)
    assert (ocr["easyocr"]["tp"], ocr["easyocr"]["fn"]) == (1, 1)
    assert (ocr["tesseract"]["tp"], ocr["tesseract"]["recall"]) == (0, 0.0)
    assert ocr["mmocr_abinet"]["literal"]["recall"] == 0.5
    assert out["peak_rss_mb"] > 0
    assert bench.main(argv) == 0
    table = capsys.readouterr().out
    assert "pfocr-dev" in table and "tesseract" in table and "peak memory" in table


def test_benchmark_missing_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load_benchmark()
    assert bench.main(["--shared", str(tmp_path), "--suite", "gnormplus"]) == 2
    assert "GNormPlus_Train.PubTator" in capsys.readouterr().err


@pytest.mark.shared
def test_benchmark_on_shared_data(
    shared: Path, shared_lexicon_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A few records of the real BC5CDR and GNormPlus files go through the benchmark."""
    monkeypatch.setenv("EXTRACTOR_HOME", str(shared_lexicon_dir.parent.parent))
    bench = _load_benchmark()
    argv = ["--shared", str(shared), "--suite", "bc5cdr-dev", "--suite", "gnormplus", "--limit", "5", "--json"]
    assert bench.main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    cdr = {r["scored"]: r for r in out["suites"]["bc5cdr-dev"]["rows"]}
    assert set(cdr) == {"chemicals", "diseases"} and cdr["chemicals"]["docs"] == 5
    assert cdr["chemicals"]["tp"] + cdr["chemicals"]["fn"] > 0
    assert [r["scored"] for r in out["suites"]["gnormplus"]["rows"]] == ["genes"]
