"""End to end over the real shared sources and records (skipped when ../shared is absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.pipeline import Annotator
from extractor.records import FigureRecord, RecordError, iter_records, read_records

pytestmark = pytest.mark.shared

SEED_NAME = "PMC4432471__nihms687351f1"


@pytest.fixture()
def shared_home(shared_lexicon_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point EXTRACTOR_HOME at the session cache that holds the shared lexicon (no rebuild)."""
    home = shared_lexicon_dir.parent.parent
    monkeypatch.setenv("EXTRACTOR_HOME", str(home))
    return home


@pytest.fixture()
def seed_record(shared: Path) -> FigureRecord:
    path = shared / "gold" / "seed" / f"{SEED_NAME}.md"
    if not path.is_file():
        pytest.skip("seed record not present")
    (rec,) = iter_records(path)
    assert isinstance(rec, FigureRecord), rec
    return rec


@pytest.fixture()
def dev_sample(shared: Path, tmp_path: Path) -> Path:
    """A few dozen PFOCR development records (every 25th), plus the seed record."""
    src = shared / "gold" / "pfocr-dev"
    files = sorted(src.glob("*.md"))
    if len(files) < 100:
        pytest.skip("pfocr-dev records not present")
    dest = tmp_path / "records"
    dest.mkdir()
    for f in files[::25]:
        shutil.copy(f, dest)
    seed = shared / "gold" / "seed" / f"{SEED_NAME}.md"
    if seed.is_file():
        shutil.copy(seed, dest)
    assert len(list(dest.glob("*.md"))) >= 36
    return dest


def check_acceptance(rec: FigureRecord) -> None:
    genes = {g.entrez: g for g in rec.genes}
    assert {"627", "2475", "2932"} <= set(genes), sorted(genes)
    assert genes["627"].hgnc_symbol == "BDNF"
    assert genes["2475"].hgnc_symbol == "MTOR"
    assert genes["2932"].hgnc_symbol == "GSK3B"
    assert any(g.word == "GSK-3β" and g.entrez == "2932" for g in rec.genes)
    chems = {c.identifier for c in rec.chemicals}
    assert {"D007649", "D018698", "D005680", "D018350"} <= chems, sorted(chems)  # ketamine, glutamate, GABA, AMPA
    assert "3036" not in genes, genes.get("3036")  # HAS1 from "has"
    assert "10922" not in genes, genes.get("10922")  # FASTK from "fast"
    assert not any(g.word.lower() in ("has", "fast") for g in rec.genes)


def test_seed_acceptance_with_the_annotator(shared_lexicon, seed_record):
    check_acceptance(Annotator(shared_lexicon).annotate(seed_record))


def test_seed_acceptance_through_the_cli(shared, shared_home, seed_record, tmp_path):
    out = tmp_path / "out"
    rc = main(
        ["annotate", str(shared / "gold" / "seed"), "--out", str(out), "--sources", str(shared / "lexicon-sources"), "--workers", "1"]
    )
    assert rc == 0
    (rec,) = iter_records(out / f"{SEED_NAME}.md")
    check_acceptance(rec)
    assert rec.meta["schema-jsonld"] == seed_record.meta["schema-jsonld"]  # metadata kept


def test_shared_lexicon_manifest(shared, shared_lexicon):
    man = shared_lexicon.manifest
    assert Path(man["sources"]["hgnc"]["path"]) == shared / "lexicon-sources" / "hgnc" / "hgnc_custom_download.tsv.gz"
    assert man["genes"] > 40_000
    assert man["families"] > 500
    assert man["counts"]["C:mesh_name"] > 5_000
    assert man["counts"]["D:mesh_name"] > 3_000


def test_every_gold_record_reads(shared):
    records, errors = read_records(shared / "gold" / "pfocr-dev")
    assert errors == []
    assert len(records) == len(list((shared / "gold" / "pfocr-dev").glob("*.md")))
    assert sum(1 for r in records if r.caption) > 0.9 * len(records)  # a few have empty captions


def _annotate(records: Path, out: Path, shared: Path, *extra: str) -> None:
    rc = main(
        [
            "annotate", str(records), "--out", str(out), "--tsv", str(out) + ".tsv",
            "--sources", str(shared / "lexicon-sources"), *extra,
        ]
    )  # fmt: skip
    assert rc == 0


def _outputs(out: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in out.glob("*.md")}
    files["TSV"] = Path(str(out) + ".tsv").read_bytes()
    return files


def test_annotate_twice_gives_identical_output(shared, shared_home, dev_sample, tmp_path):
    _annotate(dev_sample, tmp_path / "a", shared, "--workers", "1")
    _annotate(dev_sample, tmp_path / "b", shared, "--workers", "1")
    a, b = _outputs(tmp_path / "a"), _outputs(tmp_path / "b")
    assert len(a) == len(list(dev_sample.glob("*.md"))) + 1
    assert a == b
    # and the records did get annotations
    recs = [r for r in iter_records(tmp_path / "a") if not isinstance(r, RecordError)]
    assert sum(len(r.genes) + len(r.chemicals) for r in recs) > len(recs)


def test_one_and_two_workers_give_identical_output(shared, shared_home, dev_sample, tmp_path):
    cfg = tmp_path / "small-chunks.yaml"
    cfg.write_text("run:\n  chunk_size: 4\n", encoding="utf-8")  # several chunks per worker
    _annotate(dev_sample, tmp_path / "one", shared, "--workers", "1", "--config", str(cfg))
    _annotate(dev_sample, tmp_path / "two", shared, "--workers", "2", "--config", str(cfg))
    one, two = _outputs(tmp_path / "one"), _outputs(tmp_path / "two")
    assert len(one) == len(list(dev_sample.glob("*.md"))) + 1
    assert one == two
