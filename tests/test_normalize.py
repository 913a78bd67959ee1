"""Match keys, case keys, casing classes and offset-preserving text clean-up."""

from __future__ import annotations

import pytest

from extractor.normalize import (
    BARRIER_CHARS,
    SENTINEL,
    case_key,
    casing,
    fold,
    is_barrier_token,
    key,
    key_drops,
    normalize_text,
)


@pytest.mark.parametrize(
    "variants, expected",
    [
        (("IL-6", "IL 6", "Il6", "il6", "IL\u20116", "IL\u20136", "IL_6"), "il6"),
        (("GSK-3β", "GSK3beta", "GSK3B", "GSK-3B", "Gsk3β", "GSK3ß"), "gsk3b"),
        (("TNF-α", "TNFalpha", "TNF-alpha", "TNFa", "TNFΑ"), "tnfa"),
        (("β-catenin", "beta-catenin", "b-catenin", "Β-Catenin"), "bcatenin"),
        (("PKCθ", "PKC-theta", "PKCtheta"), "pkcq"),
        (("NF-κB", "NF-kappa B", "NF kappa-B", "NFkB"), "nfkb"),
    ],
)
def test_spellings_share_one_key(variants, expected):
    assert {key(v) for v in variants} == {expected}


def test_nfkc_full_width_letters_and_digits():
    assert key("ＩＬ－６") == "il6"
    assert key("ＢＤＮＦ") == key("BDNF") == "bdnf"
    assert case_key("ＢＤＮＦ") == "BDNF"


def test_accents_removed():
    assert key("Sjögren syndrome") == "sjogrensyndrome"
    assert key("café") == "cafe"


@pytest.mark.parametrize("word", ["alphaxalone", "microbiota", "betaine", "alphavirus", "thetaiotaomicron", "deltamethrin"])
def test_greek_names_inside_words_are_kept(word):
    # a spelled Greek name is replaced only where it ends a run of letters
    assert key(word) == word
    assert case_key(word) == word


@pytest.mark.parametrize(
    "text, expected",
    [
        ("alpha1", "a1"),  # a digit ends the letter run
        ("IFNgamma", "ifng"),
        ("PI3Kdelta", "pi3kd"),
        ("TGFbeta1", "tgfb1"),
        ("alpha-synuclein", "asynuclein"),
    ],
)
def test_greek_names_at_the_end_of_a_letter_run(text, expected):
    assert key(text) == expected


def test_different_terms_keep_different_keys():
    assert key("IL6") != key("IL16")
    assert key("GSK3A") != key("GSK3B")
    # "/" and "+" are not separators: they mark lists and charges
    assert key("CD4/8") == "cd4/8"
    assert key("Ca2+") == "ca2+"
    assert key("Ca2+") != key("Ca2")


def test_case_key_keeps_case_and_greek_follows_the_letter_before():
    assert case_key("IL-6") == case_key("IL 6") == "IL6"
    assert case_key("Il6") == "Il6"
    assert case_key("GSK-3β") == "GSK3B"
    assert case_key("GSK3beta") == "GSK3B"
    assert case_key("β-catenin") == "bcatenin"
    assert case_key("TNF-α") == "TNFA"
    assert case_key("mTOR") == "mTOR"
    assert case_key("mTOR") != case_key("MTOR")
    # case_key differs from key only in letter case
    for text in ("GSK-3β", "NF-κB", "Ca2+", "Il-6", "ＢＤＮＦ"):
        assert case_key(text).lower() == key(text)


def test_fold_keeps_separators():
    assert fold("GSK-3β") == "gsk-3b"
    assert fold("GSK-3β", lower=False) == "GSK-3B"
    assert fold("IL 6") == "il 6"


def test_fold_remembers_lower_and_case_forms_apart():
    # the folded texts are memoized: the lower-cased and the case-keeping forms must not mix
    for text in ("GSK-3\u03b2", "NF-kappaB", "\u03b2-Catenin"):
        cased, lower = fold(text, lower=False), fold(text)
        assert fold(text) == lower == fold(text, lower=False).lower()
        assert fold(text, lower=False) == cased
    assert fold("GSK-3\u03b2", lower=False) == "GSK-3B" and fold("GSK-3\u03b2") == "gsk-3b"


@pytest.mark.parametrize("text", ["IL6", "Akt1", "\u03b2catenin", "ＢＤＮＦ", "Ca2+", "CD4/8", "a\x01b", "IL\u20136"])
def test_keys_of_texts_with_and_without_separators(text):
    # texts of letters and digits only skip the separator table: the keys are the same either way
    from extractor.normalize import _DROP_TABLE

    assert key(text) == fold(text).translate(_DROP_TABLE)
    assert case_key(text) == fold(text, lower=False).translate(_DROP_TABLE)


def test_every_spelled_greek_name_is_folded():
    # a cheap test of the names' last letters comes before the pattern: it must let every name through
    from extractor.normalize import greek_table
    from extractor.resources import read_data_table

    latin = {name: letter for _, _, name, letter in read_data_table("greek.tsv", 4) if name != "-"}
    assert sorted(latin) == sorted(greek_table()[1])
    for name, letter in latin.items():
        assert fold(f"TNF-{name}") == f"tnf-{letter}"
        assert fold(f"TNF{name.capitalize()}", lower=False) == f"TNF{letter.upper()}"
        assert fold(f"{name}s") == f"{name}s"  # not at the end of a run of letters


def test_key_drops_separators_but_not_content():
    for ch in " -\u2013._,;:'()[]{}\u00a0\t\n":
        assert key_drops(ch), repr(ch)
    for ch in "aZ09/+":
        assert not key_drops(ch), repr(ch)
    assert key_drops(SENTINEL)  # control characters never reach keys
    assert SENTINEL not in key("a" + SENTINEL + "b")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ketamine", "lower"),
        ("Ketamine", "title"),
        ("BDNF", "upper"),
        ("GSK-3β", "upper"),  # β takes the case of the letter before it
        ("β-catenin", "lower"),
        ("mTOR", "mixed"),
        ("Il6", "title"),
        ("AkT", "mixed"),
        ("123", "none"),
        ("", "none"),
        ("ＢＤＮＦ", "upper"),
    ],
)
def test_casing(text, expected):
    assert casing(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "IL\u20116 and TNF\u2013α",
        "ＩＬ－６ ＢＤＮＦ",
        "\ufb01broblast growth",  # the fi ligature: NFKC gives two letters, kept as it is
        "x\u00a0y\u2003z\u2028w",
        "Sjögren\u0301 10\u00b5M ½",
        "plain ASCII",
        "",
    ],
)
def test_normalize_text_keeps_length(text):
    out = normalize_text(text)
    assert len(out) == len(text)


def test_normalize_text_replacements():
    assert normalize_text("IL\u20116 \u2212 TNF\u2014α") == "IL-6 - TNF-α"
    assert normalize_text("ＩＬ－６") == "IL-6"
    assert normalize_text("a\u00a0b\u2003c") == "a b c"
    assert normalize_text("a\u2028b") == "a\nb"
    # characters whose NFKC form is longer are left alone, so offsets stay valid
    assert normalize_text("\ufb01x") == "\ufb01x"
    assert normalize_text("½") == "½"
    # Greek letters are not text clean-up: they stay
    assert normalize_text("GSK-3β") == "GSK-3β"


def test_normalize_text_offsets_index_the_original():
    text = "Ｋｅｔａｍｉｎｅ\u2013induced ＢＤＮＦ"
    clean = normalize_text(text)
    start = clean.index("BDNF")
    assert key(text[start : start + 4]) == "bdnf"


def test_barrier_tokens():
    assert is_barrier_token(".")
    assert is_barrier_token(");")
    assert not is_barrier_token("")
    assert not is_barrier_token("-")
    assert not is_barrier_token("a.")
    assert "," in BARRIER_CHARS and "/" not in BARRIER_CHARS
