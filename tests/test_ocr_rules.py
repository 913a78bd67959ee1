"""OCR matching rules (extractor/ocr_rules.py): look-alikes, swaps, broken tokens, fuzzy matching."""

from __future__ import annotations

import subprocess
import sys

import pytest

from extractor import ocr_rules
from extractor.lexicon import Lexicon
from extractor.match import Matcher, MatchOptions, Mention
from extractor.pipeline import mentions_to_rows
from extractor.resources import ResourceError

OCR = MatchOptions(kinds=("genes",), text_type="ocr")
LITERAL = MatchOptions(kinds=("genes",), text_type="ocr", ocr_rules=False)
PROSE = MatchOptions(kinds=("genes",), text_type="prose")


def find(lex: Lexicon, text: str, options: MatchOptions = OCR) -> list[Mention]:
    return Matcher(lex, options).find(text, "ocr_text")


def genes(mentions: list[Mention]) -> set[str]:
    return {h.hgnc_symbol for m in mentions for h in m.hits}


def methods(mentions: list[Mention]) -> set[str]:
    return {m.method for m in mentions}


def only(mentions: list[Mention]) -> Mention:
    assert len(mentions) == 1, mentions
    return mentions[0]


# --------------------------------------------------------------------------
# The table and the pieces
# --------------------------------------------------------------------------


def test_table_is_data_read_lazily_and_once() -> None:
    code = "import extractor.ocr_rules as o; print(o.confusion_table.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"  # importing reads nothing
    table = ocr_rules.confusion_table()
    assert table is ocr_rules.confusion_table()
    assert ("I", "1") in {(r.read, r.meant) for rows in table.by_read.values() for r in rows}
    assert "|" in table.marks and ("h", "k") in table.similar
    assert table.homoglyphs["З"][0] == "3"  # Cyrillic Ze, missing from the confusables data


def test_bad_table_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_rules, "read_data_table", lambda name, cols: [("0", "O", "1", "swap", "nowhere", "")])
    ocr_rules.confusion_table.cache_clear()
    try:
        with pytest.raises(ResourceError, match="bad row"):
            ocr_rules.confusion_table()
        monkeypatch.setattr(ocr_rules, "read_data_table", lambda name, cols: [("ab", "c", "0", "homoglyph", "", "")])
        ocr_rules.confusion_table.cache_clear()
        with pytest.raises(ResourceError, match="one character"):
            ocr_rules.confusion_table()
    finally:
        monkeypatch.undo()
        ocr_rules.confusion_table.cache_clear()
        ocr_rules.latin_lookalike.cache_clear()


def test_latin_reading_of_lookalikes() -> None:
    assert ocr_rules.latin_reading("РІЗК") == ("PI3K", 0.0)  # Cyrillic Er, I, Ze, Ka
    assert ocr_rules.latin_reading("ΧΡΑ")[0] == "XPA"  # Greek capitals
    assert ocr_rules.latin_reading("TNF-α")[0] == "TNF-α"  # a lower-case Greek letter names itself
    assert ocr_rules.has_lookalikes("IКК") and not ocr_rules.has_lookalikes("GSK-3β")


def test_variants_are_cheapest_first_and_bounded() -> None:
    out = ocr_rules.variants("STATI")
    first = [v for v in out if v.cost == out[0].cost]
    assert "STAT1" in {v.text for v in first if v.kinds == {"swap"} and v.edits == ("I>1",)}
    assert [v.cost for v in out] == sorted(v.cost for v in out)
    long = ocr_rules.variants("IOIOIOIOIOSSSS", limit=25)
    assert 0 < len(long) <= 25
    # at most max_edits(n) edits other than stray marks
    assert all(len([e for e in v.edits if not e.endswith(">")]) <= ocr_rules.max_edits(14) for v in long)
    # a letter put in fits its neighbours: no lower-case l between capitals
    assert "KlF5" not in {v.text for v in ocr_rules.variants("KIF5")}
    # a capital ending a word after lower-case letters is a letter ("RecB" is not Rec8)
    assert "Rec8" not in {v.text for v in ocr_rules.variants("RecB")}
    # ... but not after a lone "l" between capitals, itself a misread 1 ("IPlQ" IP10)
    assert "IP10" in {v.text for v in ocr_rules.variants("IPlQ")}
    assert "Cal8" not in {v.text for v in ocr_rules.variants("CalB")}


def test_digits_of_one_misread_number_count_as_one_edit() -> None:
    # a word of 4 key characters gets one edit, but "IO" read for the number 10 is one error
    assert "IL10" in {v.text for v in ocr_rules.variants("ILIO")}
    assert "I1I0" not in {v.text for v in ocr_rules.variants("IIIO")}  # not adjacent: two edits
    # not inside a word ("glod" is not g10d), not a number starting with 0, not in 3-character words
    assert "g10d" not in {v.text for v in ocr_rules.variants("glod")}
    assert "IL01" not in {v.text for v in ocr_rules.variants("ILOI")}
    assert "p01" not in {v.text for v in ocr_rules.variants("pol", lower=True)}


def test_realign_moves_separators_to_the_term() -> None:
    assert ocr_rules.realign("bclxl", "Bcl-xL") == "bcl-xl"
    assert ocr_rules.realign("VPS 45", "VPS45") == "VPS45"
    assert ocr_rules.realign("IL 6", "IL-6") == "IL-6"
    assert ocr_rules.realign("AKT", "AKT1") is None


# --------------------------------------------------------------------------
# Rules on the tiny fixture lexicon
# --------------------------------------------------------------------------


def test_swaps_and_lost_slash_on_the_fixture_lexicon(tiny_lexicon: Lexicon) -> None:
    m = only(find(tiny_lexicon, "MT0R"))
    assert (m.text, m.method, genes([m])) == ("MT0R", "ocr-swap", {"MTOR"})
    assert find(tiny_lexicon, "MT0R", LITERAL) == []
    m = only(find(tiny_lexicon, "KDM6AB"))
    assert m.method == "ocr-split" and genes([m]) == {"KDM6A", "KDM6B"}
    m = only(find(tiny_lexicon, "TGFB23"))
    assert m.method == "ocr-split" and genes([m]) == {"TGFB2", "TGFB3"}
    assert genes(find(tiny_lexicon, "TGFB32")) == set()  # list items go up: not TGFB3/2


def test_fuzzy_on_the_fixture_lexicon(tiny_lexicon: Lexicon) -> None:
    m = only(find(tiny_lexicon, "EIF2AH3"))  # h for k, one look-alike letter in a 7-character symbol
    assert m.method == "ocr-fuzzy" and genes([m]) == {"EIF2AK3"}
    assert find(tiny_lexicon, "EIF2AH3", LITERAL) == []
    assert find(tiny_lexicon, "BDNK") == []  # one letter from BDNF, but a short symbol is never fuzzy-matched
    assert find(tiny_lexicon, "EIF2AK4") == []  # fuzzy matching keeps the digits
    assert find(tiny_lexicon, "XIF2AK3") == []  # ... and the first character


def test_literal_hit_beats_every_reading(tiny_lexicon: Lexicon) -> None:
    m = only(find(tiny_lexicon, "AKT1"))
    assert (m.method, genes([m])) == ("exact", {"AKT1"})
    m = only(find(tiny_lexicon, "GSK3ß"))  # the sharp s is read as beta by the normalizer
    assert (m.method, genes([m])) == ("exact", {"GSK3B"})


def test_rules_never_touch_prose(tiny_lexicon: Lexicon) -> None:
    text = "MT0R and KDM6AB with EIF2AH3"
    assert genes(find(tiny_lexicon, text)) == {"MTOR", "KDM6A", "KDM6B", "EIF2AK3"}
    assert find(tiny_lexicon, text, PROSE) == []
    assert find(tiny_lexicon, text, LITERAL) == []


def test_provenance_rows_carry_the_method(tiny_lexicon: Lexicon) -> None:
    mentions = find(tiny_lexicon, "MT0R\nBDNF")
    rows, _, _ = mentions_to_rows(mentions, provenance=True)
    assert {(r.hgnc_symbol, r.provenance["method"]) for r in rows} == {("MTOR", "ocr-swap"), ("BDNF", "exact")}
    rows, _, _ = mentions_to_rows(mentions)
    assert all(r.provenance is None for r in rows)


# --------------------------------------------------------------------------
# Rules on the shared development lexicon
# --------------------------------------------------------------------------


@pytest.mark.shared
def test_homoglyphs(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "РІЗК"))  # Cyrillic
    assert m.method == "ocr-homoglyph" and m.text == "РІЗК"
    assert {"PIK3CA", "PIK3CB", "PIK3R1"} <= genes([m])
    assert find(shared_lexicon, "РІЗК", LITERAL) == []
    assert genes(find(shared_lexicon, "ΧΡΑ")) == {"XPA"}  # Greek capitals
    # Greek capitals are not read by their meaning: "ΤΡΗ" is TPH, not TRH
    assert genes(find(shared_lexicon, "ΤΡΗ", LITERAL)) == {"TRH"}
    assert "TRH" not in genes(find(shared_lexicon, "ΤΡΗ"))


@pytest.mark.shared
def test_digit_letter_swaps(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "P13K"))
    assert m.method == "ocr-swap" and {"PIK3CA", "PIK3R1"} <= genes([m])
    assert genes(find(shared_lexicon, "STATI")) == {"STAT1"}
    assert genes(find(shared_lexicon, "PIPSK")) == genes(find(shared_lexicon, "PIP5K", LITERAL)) != set()
    assert genes(find(shared_lexicon, "GSK-38")) == {"GSK3B"}
    assert genes(find(shared_lexicon, "GSK3ß")) == {"GSK3B"}
    # the digits of one number read as letters are one error: "ILIO" IL10, "Mxell" Mre11 (x for r)
    assert genes(find(shared_lexicon, "ILIO")) == {"IL10"}
    assert genes(find(shared_lexicon, "Mxell")) == {"MRE11"}
    # Z for a 7 or (inside a word) a 3, Q for a 9 at the end
    assert genes(find(shared_lexicon, "pZOS6K")) == {"RPS6KB1"}
    assert genes(find(shared_lexicon, "CDZe")) == {"CD3E"}
    assert genes(find(shared_lexicon, "CASPQ")) == {"CASP9"}
    # S for an 8 inside a word of 5+ key characters, not at its ends nor in short words
    assert genes(find(shared_lexicon, "CINS5")) == {"SH3KBP1"}  # CIN85
    assert genes(find(shared_lexicon, "GSK3S")) == set()
    # "?" for a digit the engine could not read: 2, 7 or 8, and where two name genes, neither
    assert genes(find(shared_lexicon, "ABCG?")) == set()  # ABCG2 or ABCG8
    # a literal hit is never replaced: CD38 is not read as CD3B
    m = only(find(shared_lexicon, "CD38"))
    assert (m.method, genes([m])) == ("exact", {"CD38"})


@pytest.mark.shared
def test_misread_capital_after_a_prefix_j_for_1_and_hyphenated_names(shared_lexicon: Lexicon) -> None:
    # a modifier prefix before a letter read as a capital ("hvSH6" hMSH6), not before a word ("phospho")
    assert genes(find(shared_lexicon, "hvSH6")) == {"MSH6"}
    assert genes(find(shared_lexicon, "hlvSH3")) == {"MSH3"}
    # J read for 1 inside a word too
    assert genes(find(shared_lexicon, "ILJB")) == {"IL1B"}
    # a name with a hyphen is still a name for fuzzy matching: one letter lost
    m = only(find(shared_lexicon, "B-catenn"))
    assert (m.method, genes([m])) == ("ocr-fuzzy", {"CTNNB1"})
    assert genes(find(shared_lexicon, "N-cadhern")) == {"CDH2"}


@pytest.mark.shared
def test_slash_and_list_item_read_as_one_character(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "JAK2B"))  # "/3" read as B
    assert (m.method, genes([m])) == ("ocr-split", {"JAK2", "JAK3"})
    assert genes(find(shared_lexicon, "ERK1Q")) == {"MAPK1", "MAPK3"}  # "/2" read as Q
    assert find(shared_lexicon, "JAK3B") == []  # list items go up
    # a Q ending a word may also be a 0: ZAP70; where both readings name genes (SNX10, SNX1/2), neither
    assert genes(find(shared_lexicon, "ZAP7Q")) == {"ZAP70"}
    assert find(shared_lexicon, "SNX1Q") == []
    # ... nor does fuzzy matching then pick a third ("CASPIQ": CASP10 or CASP1/2, not CASP1 with Q dropped)
    assert find(shared_lexicon, "CASPIQ") == []


@pytest.mark.shared
def test_letters_of_similar_shape(shared_lexicon: Lexicon) -> None:
    gpcr = genes(find(shared_lexicon, "GPCR", LITERAL))
    assert len(gpcr) > 10 and genes(find(shared_lexicon, "GFCR")) == gpcr  # F for P in a 4-character word
    assert genes(find(shared_lexicon, "TGEB")) == {"TGFB1", "TGFB2", "TGFB3"}  # E for F
    assert genes(find(shared_lexicon, "MWP3")) == {"MMP3"}  # W for M
    assert genes(find(shared_lexicon, "B-anestin")) == {"ARRB1", "ARRB2"}  # rr read as n
    assert genes(find(shared_lexicon, "Pxk2")) == {"PTK2B"} and genes(find(shared_lexicon, "Cxk")) == {"CRK"}  # x for y, r
    assert genes(find(shared_lexicon, "CASPO")) == {"CASP9"}  # a 9 without its tail
    # in a short word such a reading must name an approved symbol or a FamPlex name:
    # "ORF6" is not ORP6 (an alias of OSBPL6), "TQP3" not TOP3 (an alias of TOP3A)
    assert find(shared_lexicon, "ORF6") == [] and find(shared_lexicon, "TQP3") == []
    assert genes(find(shared_lexicon, "ORP6")) == {"OSBPL6"}


@pytest.mark.shared
def test_literal_hit_in_another_letter_case_yields_to_a_better_reading(shared_lexicon: Lexicon) -> None:
    # "Jakl" is JAK3's alias JAKL only in another letter case; read with l for 1 it is the approved JAK1
    assert genes(find(shared_lexicon, "Jakl", LITERAL)) == {"JAK3"}
    m = only(find(shared_lexicon, "Jakl"))
    assert (m.method, genes([m])) == ("ocr-swap", {"JAK1"})
    assert genes(find(shared_lexicon, "TNFc")) == {"TNF"}  # not LTB's previous symbol TNFC
    assert genes(find(shared_lexicon, "Rap-l")) == {"RAP1A", "RAP1B"}  # not RASSF5's alias RAPL
    # written in the case of the term, or in lower-cased text, the literal hit stands
    assert genes(find(shared_lexicon, "JAKL")) == genes(find(shared_lexicon, "jakl")) == {"JAK3"}
    assert genes(find(shared_lexicon, "TNFC")) == {"LTB"}
    # ... and so it does where the better reading is a rarer confusion ("r" for kappa: not PKA)
    assert genes(find(shared_lexicon, "PrA")) == genes(find(shared_lexicon, "PrA", LITERAL))


@pytest.mark.shared
def test_greek_letters_read_as_latin(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "IFN-y"))
    assert (m.method, genes([m])) == ("ocr-greek", {"IFNG"})
    assert genes(find(shared_lexicon, "IKKy")) == {"IKBKG"}
    assert "RELA" in genes(find(shared_lexicon, "NFxB"))  # NF-κB
    assert genes(find(shared_lexicon, "pro")) == set()  # not after an upper-case stem


@pytest.mark.shared
def test_broken_tokens(shared_lexicon: Lexicon) -> None:
    assert genes(find(shared_lexicon, "VPS 45")) == {"VPS45"}  # the matcher joins capitals and a number itself
    m = only(find(shared_lexicon, "Rad 51"))
    assert (m.method, m.text, genes([m])) == ("ocr-join", "Rad 51", {"RAD51"})
    assert genes(find(shared_lexicon, "Rad 51", LITERAL)) == {"RRAD"}  # "Rad" alone
    m = only(find(shared_lexicon, "ATP7AB"))
    assert (m.method, genes([m])) == ("ocr-split", {"ATP7A", "ATP7B"})
    assert genes(find(shared_lexicon, "JAK13")) == {"JAK1", "JAK3"}
    assert genes(find(shared_lexicon, "Bcl-xL")) == genes(find(shared_lexicon, "bclxl")) == {"BCL2L1"}
    m = only(find(shared_lexicon, "|KCNN4"))
    assert (m.method, m.text, genes([m])) == ("ocr-strip", "KCNN4", {"KCNN4"})
    # a box border read as an I after a longer label; not after another I ("ADHII": a Roman numeral)
    assert genes(find(shared_lexicon, "HB-EGFI")) == {"HBEGF"}
    assert "ADH1" not in genes(find(shared_lexicon, "ADHII"))
    m = only(find(shared_lexicon, "(Osx,"))
    assert m.text == "Osx" and genes([m]) == {"SP7"}
    assert genes(find(shared_lexicon, "Akt/")) == genes(find(shared_lexicon, "Akt"))
    # a lost slash is not put after an alias ("nsp13") nor inside a lower-case run ("Notck3")
    assert genes(find(shared_lexicon, "nsp13")) == set()
    m = only(find(shared_lexicon, "Notck3"))
    assert (m.method, genes([m])) == ("ocr-fuzzy", {"NOTCH3"})


@pytest.mark.shared
def test_fuzzy_only_for_longer_symbols(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "RasGRP2H"))  # a stray letter from a box border
    assert (m.method, genes([m])) == ("ocr-fuzzy", {"RASGRP2"})
    assert find(shared_lexicon, "RasGRP2H", LITERAL) == []
    assert find(shared_lexicon, "TOPBQ") == []  # 5 characters, a letter that is no look-alike
    assert find(shared_lexicon, "KCNQ") == []  # a short symbol: never fuzzy


@pytest.mark.shared
def test_lower_cased_engine(shared_lexicon: Lexicon) -> None:
    m = only(find(shared_lexicon, "gq"))
    assert m.method == "ocr-case" and {h.symbol for h in m.hits} == {"G_q"}
    assert find(shared_lexicon, "gq", LITERAL) == []
    assert genes(find(shared_lexicon, "pcreb")) >= {"CREB1"}
    # with capitals elsewhere the case of a short word means something
    assert "G_q" not in {h.symbol for m in find(shared_lexicon, "gq AKT1") for h in m.hits}


@pytest.mark.shared
def test_unreadable_character_cuts_a_literal_hit_short(shared_lexicon: Lexicon) -> None:
    assert len(genes(find(shared_lexicon, "AQP?", LITERAL))) > 5  # the literal matcher reads the AQP family
    assert genes(find(shared_lexicon, "AQP?")) == set()  # AQP2? AQP7? no telling
    assert genes(find(shared_lexicon, "ACE?")) == {"ACE2"}  # only one reading names a gene
    assert len(genes(find(shared_lexicon, "AQP ?"))) > 5  # a "?" apart is no part of the word


@pytest.mark.shared
def test_clean_labels_are_left_alone(shared_lexicon: Lexicon) -> None:
    for label in ("DNA", "RecA", "Golgi", "cycling", "Apoptosis", "cAMP", "M6P", "PAR6", "ORF6"):
        literal = genes(find(shared_lexicon, label, LITERAL))
        assert genes(find(shared_lexicon, label)) == literal, label
