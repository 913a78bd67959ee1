"""Reading and writing figure records: Markdown with YAML front matter, JSONL, PubTator, TSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from extractor.records import (
    TSV_COLUMNS,
    ConceptRow,
    FigureRecord,
    GeneRow,
    RecordError,
    detect_format,
    InputError,
    iter_pubtator,
    iter_records,
    parse_markdown,
    read_records,
    record_to_json,
    record_to_markdown,
    split_front_matter,
    tsv_line,
    tsv_rows,
    write_markdown,
)

from conftest import SHARED

SEED = SHARED / "gold" / "seed" / "PMC4432471__nihms687351f1.md"

GOOD_MD = """\
---
figid: PMC1__f1
pmcid: PMC1
custom_field: kept as is
caption: Ketamine raises BDNF.
extra:
  nested: [1, 2]
genes:
- word: BDNF
  symbol: BDNF
  source: hgnc_symbol
  hgnc_symbol: BDNF
  entrez: '627'
chemicals:
- word: Ketamine
  source: MESH
  identifier: D007649
diseases: []
zz_last: after the annotations
---
Body text of the record.

Second paragraph.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_one_line_naming(err: RecordError, name: str) -> None:
    assert isinstance(err, RecordError)
    line = err.line()
    assert "\n" not in line and "\r" not in line
    assert "\n" not in err.message
    assert name in err.path
    assert name in line


# --------------------------------------------------------------------------
# Markdown records
# --------------------------------------------------------------------------


def test_parse_markdown_front_matter_and_body(tmp_path):
    path = write(tmp_path / "PMC1__f1.md", GOOD_MD)
    (rec,) = iter_records(path)
    assert isinstance(rec, FigureRecord)
    assert rec.figid == "PMC1__f1"
    assert rec.caption == "Ketamine raises BDNF."
    assert rec.genes == (GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627"),)
    assert rec.chemicals == (ConceptRow("Ketamine", "D007649", "MESH"),)
    assert rec.diseases == ()
    assert rec.meta["custom_field"] == "kept as is"
    assert rec.body == "Body text of the record.\n\nSecond paragraph.\n"
    assert rec.path == str(path)
    assert rec.ocr_text is None


def test_seed_record():
    if not SEED.is_file():
        pytest.skip("seed record not present")
    (rec,) = iter_records(SEED)
    assert isinstance(rec, FigureRecord), rec
    assert rec.figid == "PMC4432471__nihms687351f1"
    assert rec.caption.startswith("Model for the loss of synapses caused by stress")
    assert "GSK-3β" in rec.caption
    assert len(rec.genes) == 7
    assert {(g.hgnc_symbol, g.entrez) for g in rec.genes} >= {("BDNF", "627"), ("MTOR", "2475"), ("GSK3B", "2932")}
    assert all(isinstance(g.entrez, str) for g in rec.genes)
    assert {c.identifier for c in rec.chemicals} == {"D005680", "D007649", "D018350", "D018698"}
    assert rec.diseases == ()
    assert rec.meta["schema-jsonld"]["@type"] == "Dataset"
    assert rec.body == ""


def test_seed_record_round_trip(tmp_path):
    if not SEED.is_file():
        pytest.skip("seed record not present")
    (rec,) = iter_records(SEED)
    out = write_markdown(rec, tmp_path)
    assert out == tmp_path / "PMC4432471__nihms687351f1.md"
    (back,) = iter_records(out)
    assert (back.genes, back.chemicals, back.diseases) == (rec.genes, rec.chemicals, rec.diseases)
    original = yaml.safe_load(split_front_matter(SEED.read_text(encoding="utf-8"))[0])
    written = yaml.safe_load(split_front_matter(out.read_text(encoding="utf-8"))[0])
    assert list(written) == list(original)
    assert written == original


def test_write_then_read_keeps_annotations_unknown_keys_and_order(tmp_path):
    (rec,) = iter_records(write(tmp_path / "in" / "PMC1__f1.md", GOOD_MD))
    new = rec.with_annotations(
        [GeneRow("GSK-3β", "GSK3B", "hgnc_symbol", "GSK3B", "2932"), GeneRow("Akt", "AKT", "bioentities_symbol", "AKT1", "207")],
        [ConceptRow("glutamate", "D018698")],
        [ConceptRow("Parkinson disease", "D010300")],
    )
    out = write_markdown(new, tmp_path / "out")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    assert "GSK-3β" in text  # Unicode written as it is
    (back,) = iter_records(out)
    assert back.genes == new.genes
    assert back.chemicals == new.chemicals
    assert back.diseases == new.diseases
    assert back.body == rec.body
    assert list(back.meta) == [
        "figid", "pmcid", "custom_field", "caption", "extra", "genes", "chemicals", "diseases", "zz_last",
    ]  # fmt: skip
    assert back.meta["extra"] == {"nested": [1, 2]}
    assert back.meta["zz_last"] == "after the annotations"
    # writing the read-back record again gives the same bytes
    again = write_markdown(back, tmp_path / "again")
    assert again.read_bytes() == out.read_bytes()


def test_entrez_ids_are_written_as_strings(tmp_path):
    rec = FigureRecord("f1", "c").with_annotations([GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627")], [], [])
    front, _ = split_front_matter(record_to_markdown(rec))
    assert yaml.safe_load(front)["genes"][0]["entrez"] == "627"


def test_provenance_written_when_present():
    prov = {"field": "caption", "start": 0, "end": 4, "method": "exact"}
    rec = FigureRecord("f1", "BDNF").with_annotations([GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627", prov)], [], [])
    assert rec.to_dict()["genes"][0]["provenance"] == prov
    plain = FigureRecord("f1", "BDNF").with_annotations([GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627")], [], [])
    assert "provenance" not in plain.to_dict()["genes"][0]


def test_record_without_metadata_gets_figid_caption_and_lists():
    d = FigureRecord("f9", "a caption").to_dict()
    assert d == {"figid": "f9", "caption": "a caption", "genes": [], "chemicals": [], "diseases": []}


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("malformed.md", "---\nfigid: bad\ncaption: [unclosed\n---\n", "malformed YAML"),
        ("tabs.md", "---\nfigid: bad\n\tcaption: x\n---\n", "malformed YAML"),
        ("latin1.md", b"---\nfigid: latin\ncaption: caf\xe9\n---\n", "UTF-8"),
        ("nofront.md", "figid: x\ncaption: y\n", "front matter"),
        ("unclosed.md", "---\nfigid: x\ncaption: y\n", "not closed"),
        ("list.md", "---\n- a\n- b\n---\n", "not a mapping"),
        ("badgenes.md", "---\nfigid: g\ngenes: [just a string]\n---\n", "not a mapping"),
        ("slash.md", "---\nfigid: a/b\n---\n", "file name"),
    ],
)
def test_bad_markdown_records_give_one_line_errors(tmp_path, name, content, reason):
    write(tmp_path / "a_good.md", GOOD_MD)
    write(tmp_path / name, content)
    write(tmp_path / "z_good.md", GOOD_MD.replace("PMC1__f1", "PMC1__f2"))
    items = list(iter_records(tmp_path))
    errors = [i for i in items if isinstance(i, RecordError)]
    good = [i for i in items if isinstance(i, FigureRecord)]
    assert [r.figid for r in good] == ["PMC1__f1", "PMC1__f2"]
    (err,) = errors
    assert_one_line_naming(err, name)
    assert reason in err.message


def test_malformed_yaml_error_gives_the_line(tmp_path):
    path = write(tmp_path / "bad.md", "---\nfigid: bad\ncaption: fine\nkey: [unclosed\nmore: x\n---\n")
    (err,) = iter_records(path)
    assert isinstance(err, RecordError)
    assert "at line" in err.message


def test_markdown_figid_falls_back_to_the_file_name(tmp_path):
    (rec,) = iter_records(write(tmp_path / "PMC7__f3.md", "---\ncaption: no figid here\n---\n"))
    assert rec.figid == "PMC7__f3"


def test_directory_reader_skips_readme_and_other_files(tmp_path):
    write(tmp_path / "README.md", "# not a record\n")
    write(tmp_path / "notes.txt", "not a record\n")
    write(tmp_path / "b.md", GOOD_MD.replace("PMC1__f1", "b"))
    write(tmp_path / "a.md", GOOD_MD.replace("PMC1__f1", "a"))
    (tmp_path / "sub.md").mkdir()
    records, errors = read_records(tmp_path)
    assert errors == []
    assert [r.figid for r in records] == ["a", "b"]  # sorted by file name


def test_bom_and_crlf(tmp_path):
    (rec,) = iter_records(write(tmp_path / "x.md", ("\ufeff" + GOOD_MD).replace("\n", "\r\n").encode("utf-8")))
    assert isinstance(rec, FigureRecord), rec
    assert rec.figid == "PMC1__f1"
    assert rec.caption == "Ketamine raises BDNF."


def test_missing_input_path(tmp_path):
    missing = tmp_path / "nope"
    (err,) = iter_records(missing)
    assert_one_line_naming(err, "nope")
    assert "no such file" in err.message
    with pytest.raises(InputError, match="nope"):
        detect_format(missing)


def test_unknown_input_format(tmp_path):
    path = write(tmp_path / "data.bin", "something else entirely\n")
    (err,) = iter_records(path)
    assert_one_line_naming(err, "data.bin")
    assert "unknown input format" in err.message


def test_split_front_matter():
    assert split_front_matter("---\na: 1\n---\nbody\n") == ("a: 1", "body\n")
    assert split_front_matter("---\na: 1\n...\n") == ("a: 1", "")
    with pytest.raises(ValueError):
        split_front_matter("a: 1\n")


def test_parse_markdown_directly():
    rec = parse_markdown(GOOD_MD.encode("utf-8"), "some/where/PMC1__f1.md")
    assert rec.path == "some/where/PMC1__f1.md"
    with pytest.raises(ValueError, match="UTF-8"):
        parse_markdown(b"---\ncaption: \xff\n---\n", "x.md")


# --------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------


def test_jsonl_records_and_errors(tmp_path):
    lines = [
        json.dumps({"figid": "j1", "caption": "BDNF", "genes": [{"word": "BDNF", "entrez": 627}]}),
        "",
        "{not json",
        json.dumps({"caption": "no id"}),
        json.dumps(["a", "list"]),
    ]
    path = tmp_path / "recs.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"figid": "bad\xff"}\n' + json.dumps({"id": "j2", "caption": "x", "ocr_text": ["AKT", "MTOR"]}).encode() + b"\n")
    items = list(iter_records(path))
    good = [i for i in items if isinstance(i, FigureRecord)]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [r.figid for r in good] == ["j1", "j2"]
    assert good[0].genes[0].entrez == "627"  # numbers become strings
    assert good[1].ocr_text == "AKT\nMTOR"
    assert [e.path for e in errors] == [f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert "malformed JSON" in errors[0].message
    assert "no figid" in errors[1].message
    assert "not a mapping" in errors[2].message
    assert "UTF-8" in errors[3].message
    for e in errors:
        assert_one_line_naming(e, "recs.jsonl")


def test_jsonl_round_trip(tmp_path):
    (rec,) = iter_records(write(tmp_path / "in" / "PMC1__f1.md", GOOD_MD))
    rec = rec.with_annotations(list(rec.genes), list(rec.chemicals), [ConceptRow("Seizures", "D012640")])
    line = record_to_json(rec)
    assert "\n" not in line
    out = write(tmp_path / "out.jsonl", line + "\n")
    (back,) = iter_records(out)
    assert (back.figid, back.caption) == (rec.figid, rec.caption)
    assert (back.genes, back.chemicals, back.diseases) == (rec.genes, rec.chemicals, rec.diseases)
    assert list(back.meta) == list(rec.to_dict())


def test_detect_format_by_content(tmp_path):
    assert detect_format(write(tmp_path / "a.txt", '{"figid": "x"}\n')) == "jsonl"
    assert detect_format(write(tmp_path / "b.txt", "---\nfigid: x\n---\n")) == "md"
    assert detect_format(write(tmp_path / "c.txt", "123|t|A title\n123|a|An abstract\n")) == "pubtator"
    assert detect_format(tmp_path) == "mddir"


# --------------------------------------------------------------------------
# PubTator
# --------------------------------------------------------------------------

PUBTATOR = (
    "100|t|BRCA1 and Brca1 in cancer.\n"
    "100|a|Cisplatin and ATP bind BRCA1.\n"
    "100\t0\t5\tBRCA1\tGene\t672\n"
    "100\t10\t15\tBrca1\tGene\t12189(Tax:10090)\n"
    "100\t19\t25\tcancer\tDisease\tD009369\n"
    "100\t27\t36\tCisplatin\tChemical\tD002945\n"
    "100\t41\t44\tATP\tChemical\tD000255|D000244\n"
    "100\t50\t55\tBRCA1\tGene\t-1\n"
    "100\tCID\tD002945\tD009369\n"
    "\n"
    "200|t|Second document\n"
    "200|a|No mentions.\n"
)


def test_pubtator_documents(tmp_path):
    path = write(tmp_path / "corpus.PubTator.txt", PUBTATOR)
    records, errors = read_records(path)
    assert errors == []
    first, second = records
    assert first.figid == "100"
    assert first.caption == "BRCA1 and Brca1 in cancer. Cisplatin and ATP bind BRCA1."
    assert first.caption[27:36] == "Cisplatin"  # offsets index title + " " + abstract
    assert [g.entrez for g in first.genes] == ["672"]  # Tax-marked gene dropped, -1 skipped
    assert [c.identifier for c in first.chemicals] == ["D002945", "D000255", "D000244"]
    assert [d.identifier for d in first.diseases] == ["D009369"]
    assert second.figid == "200" and second.caption == "Second document No mentions."
    assert second.genes == second.chemicals == ()


def test_pubtator_other_species_kept_when_asked(tmp_path):
    path = write(tmp_path / "corpus.txt", PUBTATOR)
    doc = next(d for d in iter_pubtator(path) if not isinstance(d, RecordError))
    rec = doc.to_record(human_genes_only=False)
    assert [g.entrez for g in rec.genes] == ["672", "12189"]


def test_pubtator_bad_lines(tmp_path):
    path = write(
        tmp_path / "corpus.txt",
        "1|t|Title\n1|a|Abstract\n1\tx\ty\tword\tGene\t5\n1\t0\t5\n2\t0\t5\tTitle\tGene\t5\n",
    )
    items = list(iter_pubtator(path))
    errors = [i for i in items if isinstance(i, RecordError)]
    docs = [i for i in items if not isinstance(i, RecordError)]
    assert [d.pmid for d in docs] == ["1"]
    assert [e.path for e in errors] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    for e in errors:
        assert_one_line_naming(e, "corpus.txt")


# --------------------------------------------------------------------------
# TSV
# --------------------------------------------------------------------------


def test_tsv_rows_and_lines():
    rec = FigureRecord("f1", "c").with_annotations(
        [GeneRow("Akt", "AKT", "bioentities_symbol", "AKT1", "207")],
        [ConceptRow("glutamate", "D018698")],
        [ConceptRow("Parkinson\tdisease", "D010300")],
    )
    rows = list(tsv_rows(rec))
    assert rows == [
        ("f1", "gene", "Akt", "AKT", "bioentities_symbol", "AKT1", "207", ""),
        ("f1", "chemical", "glutamate", "", "MESH", "", "", "D018698"),
        ("f1", "disease", "Parkinson\tdisease", "", "MESH", "", "", "D010300"),
    ]
    assert all(len(r) == len(TSV_COLUMNS) for r in rows)
    assert tsv_line(rows[2]) == "f1\tdisease\tParkinson disease\t\tMESH\t\t\tD010300\n"
    assert tsv_line(["a\r\nb", "c"]) == "a b\tc\n"
    assert tsv_line(TSV_COLUMNS).rstrip("\n").split("\t") == list(TSV_COLUMNS)


def test_record_error_line():
    assert RecordError("x.md", "bad").line() == "x.md: bad"
    assert RecordError("x.jsonl:3", "bad", figid="f1").line() == "x.jsonl:3 [f1]: bad"


def test_byte_order_mark_at_the_start_of_jsonl_and_pubtator(tmp_path):
    jsonl = write(tmp_path / "bom.jsonl", "\ufeff" + json.dumps({"figid": "j1", "caption": "x"}) + "\n")
    records, errors = read_records(jsonl)
    assert errors == []
    assert [r.figid for r in records] == ["j1"]
    pubtator = write(tmp_path / "bom.PubTator", "\ufeff" + PUBTATOR)
    records, errors = read_records(pubtator)
    assert errors == []
    assert [r.figid for r in records] == ["100", "200"]


# --------------------------------------------------------------------------
# Annotation lists of the wrong shape; reading for re-annotation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("annotations", [True, False])
@pytest.mark.parametrize(
    "front, key",
    [
        ("genes: 5", "genes"),
        ("chemicals: lithium", "chemicals"),
        ("diseases: {a: 1}", "diseases"),
        ("genes:\n  word: BDNF", "genes"),
    ],
)
def test_annotation_lists_that_are_not_lists_are_record_errors(tmp_path, front, key, annotations):
    write(tmp_path / "a.md", GOOD_MD)
    write(tmp_path / "bad.md", f"---\nfigid: bad\ncaption: BDNF\n{front}\n---\n")
    items = list(iter_records(tmp_path, annotations=annotations))
    assert [i.figid for i in items if isinstance(i, FigureRecord)] == ["PMC1__f1"]
    (err,) = [i for i in items if isinstance(i, RecordError)]
    assert_one_line_naming(err, "bad.md")
    assert f"{key} is" in err.message and "must be lists" in err.message
    jsonl = write(tmp_path / "x.jsonl", json.dumps({"figid": "j", key: yaml.safe_load(front)[key]}) + "\n")
    (err,) = iter_records(jsonl, annotations=annotations)
    assert isinstance(err, RecordError) and f"{key} is" in err.message


def test_reading_for_reannotation_skips_the_annotation_lists(tmp_path):
    path = write(tmp_path / "PMC1__f1.md", GOOD_MD)
    (full,) = iter_records(path)
    (light,) = iter_records(path, annotations=False)
    assert (light.genes, light.chemicals, light.diseases) == ((), (), ())
    assert list(light.meta) == list(full.meta)  # the keys stay where they were
    assert {k: v for k, v in light.meta.items() if k not in ("genes", "chemicals", "diseases")} == {
        k: v for k, v in full.meta.items() if k not in ("genes", "chemicals", "diseases")
    }
    assert light.meta["genes"] == [] and light.caption == full.caption and light.body == full.body
    # a YAML error after the (skipped) lists is reported at the same line
    bad = GOOD_MD.replace("zz_last: after the annotations", "zz_last: [unclosed")
    (e1,) = iter_records(write(tmp_path / "bad.md", bad))
    (e2,) = iter_records(tmp_path / "bad.md", annotations=False)
    assert isinstance(e1, RecordError) and e1.message == e2.message and "at line" in e1.message


@pytest.mark.skipif(not (SHARED / "gold" / "pfocr-dev").is_dir(), reason="../shared development data not present")
def test_reading_for_reannotation_agrees_with_full_reading_on_pfocr_records():
    gold = SHARED / "gold" / "pfocr-dev"
    for full, light in zip(iter_records(gold), iter_records(gold, annotations=False)):
        assert isinstance(full, FigureRecord) and isinstance(light, FigureRecord)
        expected = {k: ([] if k in ("genes", "chemicals", "diseases") else v) for k, v in full.meta.items()}
        assert light.meta == expected and list(light.meta) == list(expected)
        assert (light.figid, light.caption, light.body) == (full.figid, full.caption, full.body)


# --------------------------------------------------------------------------
# Writing front matter: the same text as PyYAML, faster
# --------------------------------------------------------------------------


def _pyyaml(data: dict) -> str:
    from extractor.records import _Dumper  # libyaml's emitter when PyYAML has it, as the writer uses

    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def test_front_matter_is_what_pyyaml_writes_for_tricky_values():
    import random

    from extractor.records import dump_front_matter

    pieces = [
        "a", "BDNF", "GSK-3β", " ", "  ", "'", '"', ":", ": ", "#", " #", "-", "- ", "?", "[", "]", "{", ",", "&", "*",
        "!", "|", ">", "%", "@", "`", "~", "=", "<<", "yes", "No", "null", "true", "1", "2.5", "0x1F", "1e3", "2004-12-15",
        "12:30", "---", "...", "\t", "\n", "\x85", "\u2028", "\ufeff", "\x7f", "é", "x" * 40, "Ca2+", "(+)-", "5-HT",
    ]  # fmt: skip
    rnd = random.Random(7)
    for _ in range(3000):
        value = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        row = {"word": value, "symbol": value[:5], "source": "hgnc_symbol", "hgnc_symbol": "X", "entrez": str(rnd.randint(0, 99))}
        prov = {"field": "caption", "start": rnd.randint(0, 10**6), "end": 5, "method": value}
        data = {
            "figid": "f",
            "caption": value * rnd.randint(1, 12),
            "year": rnd.choice(["2004", 2004, None, False, 1.5, [1, "a"], {"k": value}]),
            rnd.choice(["title", "yes", "2004", "a b", "k" * 70]): value,
            "genes": [row, dict(row, provenance=prov)],
            "chemicals": [],
            "diseases": [{"word": value, "source": "MESH", "identifier": "D1"}],
        }
        assert dump_front_matter(data) == _pyyaml(data), repr(value)


def test_front_matter_of_the_seed_record_is_what_pyyaml_writes():
    if not SEED.is_file():
        pytest.skip("seed record not present")
    from extractor.records import dump_front_matter

    (rec,) = iter_records(SEED)
    data = rec.to_dict()
    assert dump_front_matter(data) == _pyyaml(data)


def test_tsv_line_replaces_tabs_and_line_breaks():
    assert tsv_line(["a", "b c", ""]) == "a\tb c\t\n"
    assert tsv_line(["a\tb", "c\r\n\nd", "e"]) == "a b\tc d\te\n"
    assert tsv_line(iter(["x", "y"])) == "x\ty\n"


def test_records_survive_pickling_for_worker_processes():
    import pickle

    from extractor.records import ConceptRow, FigureRecord, GeneRow

    gene = GeneRow("Akt", "AKT", "bioentities_symbol", "AKT1", "207", {"field": "caption"})
    chem = ConceptRow("ATP", "D000255")
    record = FigureRecord("PMC1__f1", "Akt and ATP", {"figid": "PMC1__f1"}, "OCR", "body", (gene,), (chem,), (), "a.md")
    for obj in (gene, chem, record):
        again = pickle.loads(pickle.dumps(obj))
        assert again == obj and type(again) is type(obj)


def test_record_json_is_json_dumps_of_the_record_dict():
    from extractor.pipeline import _row
    from extractor.records import ConceptRow, FigureRecord, GeneRow, record_to_json

    shared = _row(("ERK", "ERK", "bioentities_symbol", "MAPK1", "5594"), GeneRow)
    genes = (shared, GeneRow("β-catenin", "CTNNB1", "hgnc_alias_symbol", "CTNNB1", "1499"), shared)
    chems = (ConceptRow("Ca²⁺", "D002118", provenance={"field": "caption", "start": 3, "end": 6, "method": "exact"}),)
    metas = [
        {},
        {"figid": "f1", "pmcid": "PMC1", "caption": "a \"quoted\" caption\nwith é", "year": 2004, "nested": {"x": [1, None]}},
        {"figid": "f2", "genes": [{"word": "old"}], "title": "annotation lists among the keys", "diseases": []},
        {"chemicals": None, "caption": "x"},
    ]
    for meta in metas:
        for rows in ((genes, chems, ()), ((), (), ())):
            record = FigureRecord("f0", "caption of f0", meta, None, "", *rows)
            want = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))
            assert record_to_json(record) == want
            assert record_to_json(record) == want  # memoized rows give the same text
