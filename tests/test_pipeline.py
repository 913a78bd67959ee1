"""From mentions to annotation rows; the Annotator on captions and OCR text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from extractor.match import CHEMICAL, DISEASE, GENE, NONGENE, ConceptHit, GeneHit, MatchOptions, Mention
from extractor.pipeline import AnnotateOptions, Annotator, mentions_to_rows
from extractor.records import ConceptRow, FigureRecord, GeneRow

AKT = tuple(GeneHit("AKT", "bioentities_symbol", s, e) for s, e in (("AKT1", "207"), ("AKT2", "208"), ("AKT3", "10000")))
BDNF = GeneHit("BDNF", "hgnc_symbol", "BDNF", "627")


def mention(start, text, kind, *hits, field="caption", method="exact"):
    return Mention(start=start, end=start + len(text), text=text, kind=kind, hits=tuple(hits), field=field, method=method)


# --------------------------------------------------------------------------
# mentions_to_rows
# --------------------------------------------------------------------------


def test_rows_in_mention_order_one_row_per_family_member():
    genes, chems, dis = mentions_to_rows(
        [
            mention(0, "BDNF", GENE, BDNF),
            mention(10, "Akt", GENE, *AKT),
            mention(20, "glutamate", CHEMICAL, ConceptHit("D018698", "Glutamate")),
            mention(40, "Parkinson disease", DISEASE, ConceptHit("D010300", "Parkinson Disease")),
        ]
    )
    assert genes == [
        GeneRow("BDNF", "BDNF", "hgnc_symbol", "BDNF", "627"),
        GeneRow("Akt", "AKT", "bioentities_symbol", "AKT1", "207"),
        GeneRow("Akt", "AKT", "bioentities_symbol", "AKT2", "208"),
        GeneRow("Akt", "AKT", "bioentities_symbol", "AKT3", "10000"),
    ]
    assert chems == [ConceptRow("glutamate", "D018698")]
    assert dis == [ConceptRow("Parkinson disease", "D010300")]


def test_duplicate_rows_are_dropped_first_one_kept():
    genes, chems, _ = mentions_to_rows(
        [
            mention(0, "Akt", GENE, *AKT),
            mention(5, "BDNF", GENE, BDNF),
            mention(12, "Akt", GENE, *AKT),  # same word again: no new rows
            mention(20, "BDNF", GENE, BDNF),
            mention(30, "ketamine", CHEMICAL, ConceptHit("D007649", "Ketamine")),
            mention(40, "ketamine", CHEMICAL, ConceptHit("D007649", "Ketamine")),
        ],
        provenance=True,
    )
    assert [(g.word, g.hgnc_symbol) for g in genes] == [("Akt", "AKT1"), ("Akt", "AKT2"), ("Akt", "AKT3"), ("BDNF", "BDNF")]
    assert genes[3].provenance == {"field": "caption", "start": 5, "end": 9, "method": "exact"}
    assert genes[0].provenance["start"] == 0
    assert len(chems) == 1 and chems[0].provenance["start"] == 30


def test_different_words_or_sources_for_the_same_gene_are_kept_apart():
    genes, chems, _ = mentions_to_rows(
        [
            mention(0, "BDNF", GENE, BDNF),
            mention(10, "bdnf", GENE, BDNF),
            mention(20, "BDNF", GENE, GeneHit("BDNF", "hgnc_alias_symbol", "BDNF", "627")),
            mention(30, "Ketamine", CHEMICAL, ConceptHit("D007649", "Ketamine")),
            mention(40, "ketamine", CHEMICAL, ConceptHit("D007649", "Ketamine")),
        ]
    )
    assert [(g.word, g.source) for g in genes] == [("BDNF", "hgnc_symbol"), ("bdnf", "hgnc_symbol"), ("BDNF", "hgnc_alias_symbol")]
    assert [c.word for c in chems] == ["Ketamine", "ketamine"]


def test_the_same_word_as_chemical_and_disease_goes_to_both_lists():
    _, chems, dis = mentions_to_rows(
        [
            mention(0, "X", CHEMICAL, ConceptHit("D000001", "X")),
            mention(0, "X", DISEASE, ConceptHit("D000002", "X")),
        ]
    )
    assert chems == [ConceptRow("X", "D000001")]
    assert dis == [ConceptRow("X", "D000002")]


def test_non_gene_mentions_give_no_rows():
    assert mentions_to_rows([mention(0, "ATP", NONGENE, ConceptHit("CHEBI:15422", "ATP"))]) == ([], [], [])
    assert mentions_to_rows([]) == ([], [], [])


def test_no_provenance_unless_asked():
    genes, _, _ = mentions_to_rows([mention(3, "BDNF", GENE, BDNF, field="ocr_text", method="prefix")])
    assert genes[0].provenance is None
    genes, _, _ = mentions_to_rows([mention(3, "BDNF", GENE, BDNF, field="ocr_text", method="prefix")], provenance=True)
    assert genes[0].provenance == {"field": "ocr_text", "start": 3, "end": 7, "method": "prefix"}


# --------------------------------------------------------------------------
# Annotator
# --------------------------------------------------------------------------

CAPTION = "Ketamine requires BDNF; it has a fast effect."
OCR = "GSK3B\nMTOR\nLithium"


@pytest.fixture()
def record():
    return FigureRecord(
        "PMC1__f1",
        CAPTION,
        meta={"figid": "PMC1__f1", "caption": CAPTION, "other": 1},
        ocr_text=OCR,
        genes=(GeneRow("old", "OLD", "hgnc_symbol", "OLD", "1"),),
    )


def entrez(rec):
    return {g.entrez for g in rec.genes}


def mesh(rec):
    return {c.identifier for c in rec.chemicals}


def test_annotator_reads_caption_and_ocr(tiny_lexicon, record):
    out = Annotator(tiny_lexicon, AnnotateOptions(provenance=True)).annotate(record)
    assert {"627", "2932", "2475"} <= entrez(out)  # BDNF from the caption; GSK3B, MTOR from the OCR text
    assert {"D007649", "D008094"} <= mesh(out)  # ketamine, lithium
    assert "1" not in entrez(out)  # the old annotations are replaced
    assert not {"3036", "10922"} & entrez(out)  # "has", "fast" are English words here
    texts = {"caption": out.caption, "ocr_text": OCR}
    for row in out.genes + out.chemicals:
        p = row.provenance
        assert texts[p["field"]][p["start"] : p["end"]] == row.word
    fields = {g.entrez: g.provenance["field"] for g in out.genes}
    assert fields["627"] == "caption" and fields["2932"] == "ocr_text"
    # the rest of the record is untouched
    assert (out.figid, out.caption, out.meta, out.ocr_text) == (record.figid, record.caption, record.meta, record.ocr_text)


def test_annotator_text_selection(tiny_lexicon, record):
    caption_only = Annotator(tiny_lexicon, AnnotateOptions(texts=("caption",))).annotate(record)
    assert "627" in entrez(caption_only) and not {"2932", "2475"} & entrez(caption_only)
    ocr_only = Annotator(tiny_lexicon, AnnotateOptions(texts=("ocr",))).annotate(record)
    assert {"2932", "2475"} <= entrez(ocr_only) and "627" not in entrez(ocr_only)


def test_annotator_ocr_text_argument_replaces_the_records(tiny_lexicon, record):
    out = Annotator(tiny_lexicon).annotate(record, "TERT")
    assert "7015" in entrez(out)
    assert not {"2932", "2475"} & entrez(out)


def test_annotator_empty_texts(tiny_lexicon, record):
    empty = replace(record, caption="", ocr_text=None)
    out = Annotator(tiny_lexicon).annotate(empty)
    assert (out.genes, out.chemicals, out.diseases) == ((), (), ())
    assert Annotator(tiny_lexicon).mentions(empty) == []


def test_annotator_kinds(tiny_lexicon, record):
    opts = AnnotateOptions(match=MatchOptions(kinds=("chemicals",)), ocr_match=MatchOptions(kinds=("chemicals",), text_type="ocr"))
    out = Annotator(tiny_lexicon, opts).annotate(record)
    assert out.genes == ()
    assert "D007649" in mesh(out)


def test_annotator_finds_diseases(tiny_lexicon):
    rec = FigureRecord("f2", "Seizures in Parkinson disease.")
    out = Annotator(tiny_lexicon).annotate(rec)
    assert {d.identifier for d in out.diseases} >= {"D012640", "D010300"}


# --------------------------------------------------------------------------
# Long texts are matched in pieces
# --------------------------------------------------------------------------


def test_text_windows_cover_the_text_and_cut_at_breaks():
    from extractor.pipeline import text_windows

    text = ("BDNF and lithium. " * 50 + "\n") * 20
    pieces = list(text_windows(text, 1000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces)
    assert all(text[off : off + len(p)] == p for off, p in pieces)
    assert all(p.endswith("\n") for _, p in pieces[:-1])
    assert all(p.endswith(". ") for _, p in list(text_windows(text.replace("\n", " "), 1000))[:-1])
    assert list(text_windows("x" * 2500, 1000)) == [(0, "x" * 1000), (1000, "x" * 1000), (2000, "x" * 500)]


def test_long_texts_give_the_same_mentions_as_their_pieces(tiny_lexicon):
    sentence = "Ketamine requires BDNF and GSK3B in Parkinson disease; lithium blocks mTOR. "
    text = sentence * 400  # 30,000 characters
    small = Annotator(tiny_lexicon, AnnotateOptions(window_chars=2000, provenance=True))
    whole = Annotator(tiny_lexicon, AnnotateOptions(window_chars=0, provenance=True))
    mentions = small.mentions(FigureRecord("f", text))
    assert len(mentions) == 400 * len(whole.mentions(FigureRecord("f", sentence)))
    assert all(text[m.start : m.end] == m.text for m in mentions)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert small.annotate(FigureRecord("f", text)).genes[0].provenance["start"] == text.index("BDNF")
    assert {r.entrez for r in small.annotate(FigureRecord("f", text)).genes} == {
        r.entrez for r in whole.annotate(FigureRecord("f", sentence)).genes
    }


def test_options_survive_pickling_for_worker_processes():
    import pickle

    from extractor.match import MatchOptions
    from extractor.pipeline import AnnotateOptions

    opts = AnnotateOptions(texts=("ocr",), match=MatchOptions(kinds=("genes",)), provenance=True, window_chars=500)
    assert pickle.loads(pickle.dumps(opts)) == opts
