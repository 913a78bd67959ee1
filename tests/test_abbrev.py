"""Abbreviation definitions (Schwartz-Hearst)."""

from extractor.abbrev import best_long_form, find_abbreviations, valid_short_form


def pairs(text):
    return [(a.short, a.long) for a in find_abbreviations(text)]


def test_long_form_then_short_form():
    assert pairs("The germacrene A oxidase (GAO) converts it.") == [("GAO", "germacrene A oxidase")]


def test_long_form_starts_at_the_word_of_the_first_letter():
    # "The" and "converts" are not part of the long form
    a = find_abbreviations("It binds the prefrontal cortex (PFC) strongly.")[0]
    assert (a.short, a.long) == ("PFC", "prefrontal cortex")


def test_spans_index_the_text():
    text = "Cells express fatty acid synthase (FAS) here."
    a = find_abbreviations(text)[0]
    assert text[a.short_start : a.short_end] == "FAS"
    assert text[a.long_start : a.long_end] == "fatty acid synthase"


def test_square_brackets():
    text = "Friedreich's ataxia [FRDA], and dentatorubral-pallidoluysian atrophy [DRPLA])"
    assert pairs(text) == [("FRDA", "Friedreich's ataxia"), ("DRPLA", "dentatorubral-pallidoluysian atrophy")]
    # a square bracket inside round ones is not a definition of its own
    assert pairs("the protein kinase (PK [12])") == []


def test_short_form_then_long_form():
    assert pairs("BDNF (brain-derived neurotrophic factor) is released.") == [
        ("BDNF", "brain-derived neurotrophic factor")
    ]


def test_legend_lists():
    text = "Abbreviations: GFAT, glutamine:fructose-6-phosphate aminotransferase; HK, hexokinase; PFK: phosphofructokinase."
    assert pairs(text) == [
        ("GFAT", "glutamine:fructose-6-phosphate aminotransferase"),
        ("HK", "hexokinase"),
        ("PFK", "phosphofructokinase"),
    ]


def test_greek_letters_in_short_forms_match_spelled_names():
    assert pairs("tumor necrosis factor-alpha (TNF-α) rises") == [("TNF-α", "tumor necrosis factor-alpha")]
    assert pairs("interferon gamma (IFN-γ) rises") == [("IFN-γ", "interferon gamma")]


def test_non_abbreviations_in_brackets_are_ignored():
    assert pairs("as shown (see Fig. 2) in mice (n = 5) and step (1) of the pathway") == []


def test_letters_must_occur_in_order():
    assert pairs("the protein kinase (XYZ) is") == []


def test_valid_short_form():
    assert valid_short_form("GAO") and valid_short_form("IL-6") and valid_short_form("5-HT")
    assert not valid_short_form("see")  # a word
    assert not valid_short_form("1")  # no letter
    assert not valid_short_form("x")  # too short


def test_best_long_form_first_letter_starts_a_word():
    lf = "glutamine fructose aminotransferase"
    start = best_long_form("GFAT", lf)
    assert start == 0
    assert best_long_form("QQ", lf) is None


def test_bracket_and_segment_scans_agree_with_the_regex_engine() -> None:
    import random
    import re

    from extractor.abbrev import _PAREN, _bracket_matches, _segments

    rng = random.Random(7)
    alphabet = "ab (()[[]];.. ,"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        if rng.random() < 0.1:  # brackets around more than 120 characters
            text = text.replace(" ", "a" * rng.randrange(50, 70))
        expected = [(*m.span(), *m.span(1 if m.group(1) is not None else 2)) for m in _PAREN.finditer(text)]
        assert _bracket_matches(text) == expected
        assert _segments(text) == [(m.start(), m.group()) for m in re.finditer(r"[^;.]+", text)]


def test_legend_items_agree_with_the_legend_pattern() -> None:
    import random

    from extractor.abbrev import _LEGEND_ITEM, _legend_item

    rng = random.Random(11)
    parts = ["AKT", "x", "IL-6", "Abc1", " ", "  ", "\t", ",", ":", "=", "(", ")", "protein kinase", "a", "bc", "é", "β"]
    for _ in range(20000):
        piece = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 9)))
        if rng.random() < 0.5:  # shaped like an item: " SF : long form "
            head = rng.choice(["", " "]) + rng.choice(["AKT", "IL-6", "x", "β2"]) + rng.choice(["", " "])
            piece = head + rng.choice(",:=") + rng.choice(["", " ", "  ", "\t"]) + piece
        if rng.random() < 0.1:
            piece += " " + "y" * rng.randrange(110, 125)
        m = _LEGEND_ITEM.match(piece)
        want = None if m is None else (m.start("sf"), m.end("sf"), m.start("lf"), m.end("lf"))
        assert _legend_item(piece) == want, piece
