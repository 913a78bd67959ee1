"""Matcher rules, on the lexicon built from the shared sources (skipped without ../shared).

Each rule of the matcher has a case here that fails without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.match import Matcher, MatchOptions, _singular_short, _unclosed, tokenize

pytestmark = pytest.mark.shared


@pytest.fixture()
def genes(shared_lexicon):
    return Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))


@pytest.fixture()
def every(shared_lexicon):
    return Matcher(shared_lexicon)


def gene_ids(matcher, text):
    return {h.entrez for m in matcher.find(text) if m.kind == "G" for h in m.hits}


def concept_ids(matcher, text, kind="C"):
    return {h.identifier for m in matcher.find(text) if m.kind == kind for h in m.hits}


def spans(matcher, text):
    return [(m.text, m.kind) for m in matcher.find(text)]


# --- tokens and keys --------------------------------------------------------


def test_tokenizer_splits_lists_dashes_and_brackets():
    toks = tokenize("Erk1/2 p-ERK (S)-ketamine")
    assert toks.text == ["Erk1", "/", "2", "p", "-", "ERK", "(", "S", ")", "-", "ketamine"]
    assert [("Erk1/2 p-ERK (S)-ketamine")[s:e] for s, e in zip(toks.start, toks.end)] == toks.text


def test_spacy_is_imported_without_its_cli_which_stays_importable():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from extractor.match import tokenizer\n"
        "assert [t.text for t in tokenizer()('p-ERK')] == ['p', '-', 'ERK']\n"
        "assert 'spacy' in sys.modules and 'spacy.cli' not in sys.modules and 'weasel' not in sys.modules\n"
        "import spacy, spacy.cli\n"
        "assert callable(spacy.cli.setup_cli) and spacy.cli.info.__module__ == 'spacy.cli.info'\n"
        "assert callable(spacy.info)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(Path(__file__).parent))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "Erk1/2 and p-ERK (S)-ketamine.",
        "  two  spaces,\ta tab\nand a new line \n",
        "trailing space ",
        " leading space",
        "thin\u2009space and\u00a0no-break space",
        "soft\u00adhyphen; (TNF-\u03b1)/IL-6 ... end",
    ],
)
def test_tokens_are_spacys_whatever_the_whitespace(text):
    from extractor.match import tokenizer

    doc = tokenizer()(text)
    expected = (
        [t.text for t in doc],
        [t.idx for t in doc],
        [t.idx + len(t.text) for t in doc],
        [t.idx + len(t.text) < (doc[i + 1].idx if i + 1 < len(doc) else len(text)) for i, t in enumerate(doc)],
    )
    for _ in range(2):  # the second time from the word cache
        toks = tokenize(text)
        assert (toks.text, toks.start, toks.end, toks.space) == expected


def test_tokens_are_spacys_for_random_whitespace():
    import random

    from extractor.match import tokenizer

    rng = random.Random(5)
    parts = ["IL-6", "a", "(b)", "x/y", " ", " ", "  ", "\n", "\t", " \n ", "\u00a0", "\u2009", "\r\n", "."]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 12)))
        doc = tokenizer()(text)
        ends = [t.idx + len(t.text) for t in doc]
        space = [ends[i] < (doc[i + 1].idx if i + 1 < len(doc) else len(text)) for i in range(len(doc))]
        toks = tokenize(text)
        assert (toks.text, toks.start, toks.end, toks.space) == ([t.text for t in doc], [t.idx for t in doc], ends, space), text


def test_no_split_character_is_a_letter_or_digit():
    # words of letters and digits only are taken as one token without the regex
    from extractor.match import _SPLITTABLE

    assert not [hex(i) for i in range(0x30000) if chr(i).isalnum() and _SPLITTABLE.match(chr(i))]


def test_words_without_split_characters_skip_spacy_and_match_it():
    """Random words over letters, digits, Greek and every split character: tokens equal spaCy's.

    Words with no split character, or only wrapped in brackets and punctuation,
    are tokenized without spaCy; the rest by spaCy.
    """
    import random

    from extractor.match import _WORD_CACHE, tokenizer

    rng = random.Random(7)
    alphabet = "aZ9\u03b1\u00e9_#%&@^$" + "([{\"'\u201c\u2018\u00ab<*\u2022\u00b7)]}\u201d\u2019\u00bb>,;:.!?/-\u2013~=|+\u2192\u00d7"
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(3000)]
    words += ["kinase", "IL6", "GSK3\u03b2", "p53_wt", "x#y", "(kinase),", '"a"', "()", "a-b,", "*a*", "x.", "'", "(("]
    text = " ".join(words)
    _WORD_CACHE.clear()
    doc = tokenizer()(text)
    toks = tokenize(text)
    assert toks.text == [t.text for t in doc]
    assert toks.start == [t.idx for t in doc]
    assert _WORD_CACHE["kinase"] == () and _WORD_CACHE["GSK3\u03b2"] == ()  # cached without spaCy
    assert _WORD_CACHE["(kinase),"] == (("(", 0, 1), ("kinase", 1, 7), (")", 7, 8), (",", 8, 9))


def test_spelling_variants_of_symbols(genes):
    assert "2932" in gene_ids(genes, "GSK-3β")
    assert "2932" in gene_ids(genes, "GSK3beta")
    assert "3569" in gene_ids(genes, "IL-6 and Il6")


# --- prose filters ------------------------------------------------------------


@pytest.mark.parametrize("word", ["has", "fast", "can", "set", "via", "impact", "cell"])
def test_english_words_are_not_genes_in_prose(genes, word):
    assert gene_ids(genes, f"The drug {word} effects on the receptor.") == set()


def test_lower_case_nickname_aliases_are_words_in_prose(shared_lexicon, genes):
    # HGNC writes these aliases in lower case ("spatial": TBATA, "flower": CACFD1)
    text = "The spatial pattern of flower and hole formation"
    assert gene_ids(genes, text) == set()
    ocr = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), text_type="ocr"))
    assert "219793" in gene_ids(ocr, "spatial")
    # a lower-case alias that is not an English word is still read
    assert "80339" in gene_ids(genes, "the adiponutrin variant")


def test_capitalised_english_word_is_not_a_gene(genes):
    assert gene_ids(genes, "Impact of stress. Set of genes.") == set()


def test_two_letter_symbols_need_ocr_text(shared_lexicon):
    prose = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    ocr = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), text_type="ocr"))
    assert gene_ids(prose, "GH levels") == set()
    assert "2688" in gene_ids(ocr, "GH")


def test_lab_abbreviations_are_not_genes(genes):
    assert gene_ids(genes, "FISH and ANOVA after SDS-PAGE in HEK cells") == set()


def test_word_breaks_must_agree(every):
    # "proteins" is not Protein S, "cycling" not Cyclin G, "in S" not INS, "or 2" not OR2
    assert spans(every, "synaptic proteins and the cycling of receptors in S phase or 2 cells") == []


def test_prefix_hyphen_may_drop_before_a_capital(genes):
    # "cRel" is c-Rel (REL), "cMyc" c-Myc (MYC); a capital later in a word is no break ("proteinS")
    assert gene_ids(genes, "cRel and cMyc bind DNA") == {"5966", "4609"}
    assert gene_ids(genes, "the proteinS and the crel") == set()


def test_gene_before_a_star_allele_is_the_gene(genes):
    # "CYP2C19*2", "ADH1C*1/*1": the gene before the star and allele number
    assert gene_ids(genes, "CYP2C19*2 carriers; ALDH2*1/*1-ADH1C*1/*1 genotypes") == {"1557", "217", "126"}
    # the mention is the gene's part of the word
    assert spans(genes, "CYP2C19*2 carriers") == [("CYP2C19", "G")]


def test_lower_case_oncogene_names_are_genes(genes):
    # "c-rel" is c-Rel (REL), though lower-case words need their term's case
    assert gene_ids(genes, "c-rel and c-kit were expressed") == {"5966", "3815"}


def test_space_between_capitals_and_number_may_drop(genes):
    assert "3428" in gene_ids(genes, "IFI 16 binds DNA")


def test_spaces_around_spelled_greek_before_a_capital_may_drop(genes):
    # "NF-kappa Bp65" is NF-kappaBp65 (RELA), "Fc alpha R" FcalphaR (FCAR)
    assert "5970" in gene_ids(genes, "nuclear NF-kappa Bp65 was increased")
    assert "2204" in gene_ids(genes, "monocytes express Fc alpha R")
    # a name does not start at the Greek letter: "gamma RI" is not GRI
    assert gene_ids(genes, "the gamma RI chain") == set()


def test_space_before_greek_letter_after_symbol_may_drop(genes):
    # "PKC alpha" is PKCalpha (PRKCA), "GSK-3 beta" GSK3B, "PKC ζ" PKCζ (PRKCZ)
    assert gene_ids(genes, "PKC alpha and GSK-3 beta were active") == {"5578", "2932"}
    assert gene_ids(genes, "PKC ζ was active") == {"5590"}
    # the letter must follow a capital or digit: "the alpha" is no name
    assert gene_ids(genes, "the alpha and beta subunits of the channel") == set()


def test_capital_function_word_starts_name_before_spelled_greek(genes):
    # "I" never starts a name, except as the I of "I kappa B" (IkappaB)
    assert gene_ids(genes, "degradation of I kappa B-alpha and I kappa B-beta") == {"4792", "4793"}
    assert gene_ids(genes, "I kappa-irradiated and I alpha-tested the cells") == set()


def test_ions_are_not_genes(every):
    found = spans(every, "Ca2+ influx")
    assert found == [("Ca2+", "C")]


# --- families, lists, affixes ------------------------------------------------


def test_family_expands_to_members(genes):
    assert {"207", "208", "10000"} <= gene_ids(genes, "Akt signalling")


def test_large_families_are_classes_not_genes(genes):
    assert gene_ids(genes, "cytochrome P450 enzymes and methyltransferases") == set()


def test_large_family_words_are_not_read_as_an_alias(genes):
    # "CCL" is the FamPlex chemokine family (too large to report) and an alias of one gene
    assert gene_ids(genes, "CCLs recruit monocytes") == set()


def test_mesh_protein_names(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=("hgnc_symbol", "mesh_gene")))
    # MeSH: "Separase" (descriptor of ESPL1), "leukosialin" (a synonym of SPN)
    assert gene_ids(m, "separase cleaves cohesin") == {"9700"}
    assert gene_ids(m, "leukosialin is sialylated") == {"6693"}
    # in the plural a protein name names a class ("Mitogen-activated protein kinases" is not MOK)
    assert gene_ids(m, "separases of plants") == set()


def test_family_and_domain_words_after_a_gene_name(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    assert gene_ids(m, "a member of the Rho family of GTPases") == set()
    assert gene_ids(m, "binds to Src homology 2 domains") == set()
    assert gene_ids(m, "ten EGF-like repeats") == set()
    assert gene_ids(m, "a novel member of the TNF receptor superfamily") == set()
    # a receptor the lexicon does not name is not its ligand
    assert gene_ids(m, "the IL-2 receptor on T cells") == set()
    assert gene_ids(m, "Src and EGF levels, the TNF level") == {"6714", "1950", "7124"}
    # a hyphenated modifier: "dystrophin-associated glycoprotein", "tau-negative inclusions"
    assert gene_ids(m, "a dystrophin-associated glycoprotein") == set()
    assert gene_ids(m, "estrogen receptor-positive disease") == set()
    # "like" and "related" only in a hyphenated word
    assert gene_ids(m, "kinases like Src phosphorylate") == {"6714"}
    assert gene_ids(m, "Src like all kinases") == {"6714"}
    # a short form in brackets, or the bracket closing it, may stand between the name and the word
    assert gene_ids(m, "the tumor necrosis factor (TNF)-related ligand family") == set()
    assert gene_ids(m, "the tumor necrosis factor (TNF) family of cytokines") == set()
    assert gene_ids(m, "the tumor necrosis factor (TNF) level") == {"7124"}
    # ... or other names joined by slashes
    assert gene_ids(m, "members of the YPT1/SEC4 subfamily") == set()
    assert gene_ids(m, "a defect in the IL-3/IL-5 receptor") == set()
    assert gene_ids(m, "YPT1/SEC4 were") == {"5861"}


def test_hyphenated_modifier_of_another_name_with_families(shared_lexicon, every):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    # with families, only the hyphenated words count: the family stays before "family"
    assert gene_ids(m, "a member of the Rho family of GTPases")
    assert gene_ids(m, "integrin-linked kinase (ILK)") == {"3611"}
    assert gene_ids(m, "G-protein-coupled receptors") == set()
    assert gene_ids(m, "the TANK-binding kinase") == set()
    # "-dependent" only before "kinase": "p53-dependent apoptosis" names TP53
    assert gene_ids(m, "cyclin-dependent kinase 5") == set()
    assert "7157" in gene_ids(m, "p53-dependent apoptosis")
    # the words are not a chemical either (MeSH files Cyclins under D)
    assert every.find("inhibits cyclin-dependent kinase 5") == []


def test_alias_before_cells_names_cells(genes):
    # "THP-1" is an alias of GLI2; before "cell(s)" it names a cell line
    assert gene_ids(genes, "macrophages from the THP-1 cell line") == set()
    assert gene_ids(genes, "THP-1 is expressed in the brain") == {"2736"}
    # an approved symbol before "cells" stays ("CD34 cells")
    assert gene_ids(genes, "purified CD34 cells") == {"947"}


def test_name_ending_in_a_letter_before_a_hyphenated_number_is_another_name(genes):
    # "ATR" (approved symbol) and "CED" (alias of TGFB1) with a number the lexicon does not join
    assert gene_ids(genes, "the alpha-thalassemia/mental retardation syndrome ATR-16") == set()
    assert gene_ids(genes, "a member of the CED-3 group") == set()
    assert gene_ids(genes, "ATR kinase and ATR-dependent checkpoints") == {"545"}
    # a name ending in a digit keeps its gene ("GSTA1-1", a dimer)
    assert gene_ids(genes, "GSTA1-1 activity") == {"2938"}


def test_plural_of_an_abbreviation_is_not_a_term_ending_in_capital_s(genes):
    # "GlyRS" is an alias of GARS1 and "MARS" of MARS1; "GlyRs" and "MARs" are plurals of other abbreviations
    assert gene_ids(genes, "expression of functional GlyRs was") == set()
    assert gene_ids(genes, "nuclear matrix-associating DNAs (MARs) were") == set()
    assert gene_ids(genes, "the GlyRS enzyme") == {"2617"}


def test_codon_in_a_sequence_context_is_no_gene(genes):
    # "ATC" (previous symbol of ATM), "GAC" (alias of GLS), "GCT" (alias of QPCT) as codons
    assert gene_ids(genes, "mixed A's, T's, and C's (ATC sequences) bind") == set()
    assert gene_ids(genes, "a GAC-->AAC transition in codon 226") == set()
    assert gene_ids(genes, "fifteen triplet repeats (GCT; alanine)") == set()
    # elsewhere the alias stands; an approved symbol stands before these words too
    assert gene_ids(genes, "GAC is expressed in kidney") == {"2744"}
    assert gene_ids(genes, "AGT repeats") == {"183"}


def test_protein_mass_range_is_no_gene(genes):
    # "p70-75" is a mass range, not p70 (RPS6KB1) to p75
    assert gene_ids(genes, "the beta (p70-75) chain") == set()
    assert gene_ids(genes, "Smad1-5 and Wnt1-3") >= {"4086", "4090", "7471", "7473"}


def test_human_genes_only_drops_genes_of_other_organisms(shared_lexicon):
    human = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), human_genes_only=True))
    every = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    text = "the rat PAK1 and yeast RAD50 proteins"
    assert gene_ids(every, text) == {"5058", "10111"}
    assert gene_ids(human, text) == set()
    # one lower-case word may stand between; a function word or "human" does not hide the gene
    assert gene_ids(human, "the rat hepatic PAK1 protein") == set()
    assert gene_ids(human, "rat and human PAK1") == {"5058"}
    assert gene_ids(human, "in rat, PAK1 was") == {"5058"}
    # a name in apposition to "<organism> <up to three lower-case words>,"
    assert gene_ids(human, "IFI 16 and a related mouse protein, p202, control") == {"3428"}
    assert gene_ids(human, "the yeast ubiquitin conjugating enzyme, UBC-4, and") == set()
    assert gene_ids(human, "the mouse and the human protein, p202, control") == {"7158"}


def test_symbols_with_roman_numerals(genes):
    # CA2, CA3, CA7 written as isozymes
    assert gene_ids(genes, "the CA II, CA III, and CA VII genes") == {"760", "761", "766"}
    # a Roman numeral takes no plural "s": "MinK is" is not MINK1 ("MINK I")
    assert "50488" not in gene_ids(genes, "MinK is a widely expressed protein")


def test_no_gene_across_an_unclosed_bracket(genes):
    # "F(ST" is not FST, "der(4)" not the alias DER4 of IL1RL1
    assert gene_ids(genes, "the Wright's F(ST) statistic") == set()
    assert "9173" not in gene_ids(genes, "A der(4)(4qter --> p16.1) chromosome")
    assert _unclosed("alpha2(V") and _unclosed("der(4") and not _unclosed("alpha1(V)")
    # "interleukin (IL)-1": a closing bracket alone is fine
    assert not _unclosed("IL)-1")
    assert "3552" in gene_ids(genes, "interleukin (IL)-1 alpha")


def test_chromosome_bands_are_not_genes(genes):
    # p16 (CDKN2A), p13 (EXOSC1) and p11.2 (PSMD1) are aliases, and also bands
    assert gene_ids(genes, "localisation to chromosome 2p15-p16 will help") == set()
    assert gene_ids(genes, "maps to chromosome 20 on band p13 and") == set()
    assert gene_ids(genes, "The t(X;18)(p11.2;q11.2) translocation") == set()
    assert "1029" in gene_ids(genes, "loss of p16 in tumours")


def test_ranges_to_a_second_name(genes):
    # FOXC1, FOXC2, FOXL1, FOXF1, FOXF2 ... are "FREAC-1" to "FREAC-7"; AKR1C2, AKR1C3 between the ends
    assert gene_ids(genes, "seven forkhead genes, freac-1 to freac-7, were") >= {"2296", "2297", "2298", "2299"}
    assert gene_ids(genes, "the enzymes named AKR1C1-AKR1C4") == {"1645", "1646", "8644", "1109"}
    assert gene_ids(genes, "AKR1C1 to AKR1C3") == {"1645", "1646", "8644"}


def test_plural_aliases_name_a_class_without_families(shared_lexicon):
    no_families = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    every = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    # "cadherins" (an alias of CDH17 in the plural) is the protein class
    assert "1015" in gene_ids(every, "adhesion molecules known as cadherins")
    assert gene_ids(no_families, "adhesion molecules known as cadherins") == set()
    # so does a gene name in the plural
    names = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False, gene_sources=("hgnc_name",)))
    assert gene_ids(names, "a family of neuronal cell adhesion molecules") == set()
    assert gene_ids(names, "the neuronal cell adhesion molecule") == {"4897"}


def test_alias_of_two_genes_names_the_one_mesh_shares(shared_lexicon):
    sources = ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "mesh_gene")
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=sources))
    # "DAT1": an alias of LMO3, a previous symbol of SLC6A3, and MeSH's name of SLC6A3
    assert gene_ids(m, "a DAT1 polymorphism") == {"6531"}
    # without MeSH the alias ranks first
    hgnc = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=sources[:3]))
    assert gene_ids(hgnc, "a DAT1 polymorphism") == {"55885"}


def test_shared_alias_names_the_gene_whose_term_is_spelled_as_the_text(genes, shared_lexicon):
    # "MCT-1" is MCTS1's alias; "MCT1" (the same key) an alias of SLC16A1 and another gene
    assert gene_ids(genes, "A novel candidate oncogene, MCT-1, is involved") == {"28985"}
    assert gene_ids(genes, "A novel candidate oncogene, MCT1, is involved") == set()
    # not in OCR text, where hyphens come and go
    ocr = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), text_type="ocr"))
    assert gene_ids(ocr, "MCT-1") == set()


def test_gene_names_with_roman_numerals(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=("hgnc_symbol", "hgnc_name")))
    # LIG3 "DNA ligase 3", HDAC2 "histone deacetylase 2"
    assert gene_ids(m, "DNA ligase III and histone deacetylase II") == {"3980", "3066"}


def test_families_off_keeps_single_gene_groundings(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    assert gene_ids(m, "Akt signalling") == {"207"}  # the alias AKT of AKT1, not the family
    assert gene_ids(m, "c-MET receptor") == {"4233"}


def test_families_off_family_words_name_only_a_gene_named_after_the_family(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    # "JNK" and "AMPK" are FamPlex families and aliases of MAPK8 and PRKAA2, which are not named after them
    assert gene_ids(m, "JNK and AMPK activity") == set()
    # "VEGF" names VEGFA, the family's first member
    assert gene_ids(m, "VEGF expression") == {"7422"}


def test_list_items_stand_without_a_head_that_names_a_class(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    # "PKC" (FamPlex family; alias of PRRT2) names the class; the isoforms are PRKCA and PRKCB
    assert gene_ids(m, "the classical PKC isoforms alpha and beta were") == {"5578", "5579"}


def test_slash_lists_and_ranges(genes):
    assert {"7403", "23135"} <= gene_ids(genes, "KDM6A/B demethylases")
    assert {"3105", "3106", "3107"} <= gene_ids(genes, "HLA-A, B and C alleles")
    # the last letter of a word is no list head: "Glut, L-glutamate" is not GLUL
    assert "2752" not in gene_ids(genes, "Glut, L-glutamate; Gln, glutamine")
    assert {"7040", "7042", "7043"} <= gene_ids(genes, "TGF-β1-3 isoforms")


def test_plural(genes):
    assert {"4087", "4088"} <= gene_ids(genes, "Smads translocate")


def test_a_plural_term_as_written_beats_the_plural_of_its_singular(every):
    # Amphetamines (D000662) is a descriptor of its own: not Amphetamine (D000661) with an "s"
    assert concept_ids(every, "abuse of amphetamines") == {"D000662"}
    assert concept_ids(every, "abuse of amphetamine") == {"D000661"}


def test_no_plural_s_on_a_one_letter_word(every, genes):
    # "is", "as": words, not "Peptide I" or "catenin A" in the plural
    assert concept_ids(every, "the peptide is cleaved") == {"D010455"}
    assert gene_ids(genes, "beta catenin as a marker") == {"1499"}


def test_locants_of_a_chemical_name_are_not_a_gene_list(genes):
    # "cis-1,4-": not CIS-1 (CISH) and CIS4 (SOCS6); "l-2,3,4,5-": not L23 and L4
    assert gene_ids(genes, "natural rubber (cis-1,4-polyisoprene)") == set()
    assert gene_ids(genes, "l-2,3,4,5-tetrahydrodipicolinate") == set()
    # a number after a space in a term: "HMG 3" (HMGB1) is not in "HMG 3-hydroxy-3-methylglutaryl"
    assert gene_ids(genes, "CoA, coenzyme A; HMG 3-hydroxy-3-methylglutaryl; MVA mevalonate") == set()
    # a gene list or number before an English word stays
    assert gene_ids(genes, "MEK1,2-inhibitors") == {"5604", "5605"}
    assert gene_ids(genes, "TLR 4-mediated signalling") == {"7099"}


def test_detached_prefix_prefers_the_gene(genes):
    ids = gene_ids(genes, "p-ERK levels")
    assert {"5594", "5595"} <= ids  # ERK family
    assert "9451" not in ids  # not EIF2AK3 (alias PERK)


def test_attached_prefix(genes):
    assert "7015" in gene_ids(genes, "hTERT expression")
    assert {"5594", "5595"} <= gene_ids(genes, "pERK staining")


def test_pseudogene_aliases_rank_below_protein_coding(genes):
    assert gene_ids(genes, "OPG levels") == {"4982"}  # TNFRSF11B, not the pseudogene BTF3P11


# --- chemicals and diseases --------------------------------------------------


def test_ate_names(every):
    assert concept_ids(every, "glutamate release") == {"D018698"}  # amino acid: the acid
    assert concept_ids(every, "pyruvate kinase substrate pyruvate") >= {"D011773"}  # salts descriptor


def test_derived_words(every):
    assert concept_ids(every, "GABAergic interneurons") == {"D005680"}
    assert concept_ids(every, "diabetic patients", "D") == {"D003920"}


def test_bracket_is_part_of_the_name(every):
    assert ("(S)-ketamine", "C") in spans(every, "given (S)-ketamine twice")


def test_british_spellings(every):
    assert concept_ids(every, "severe anaemia and oedema", "D") == {"D000740", "D004487"}


def test_organ_adjectives(every):
    # MeSH's "Kidney Diseases", "Brain Ischemia" as written in prose
    assert concept_ids(every, "patients with renal disease", "D") == {"D007674"}
    assert concept_ids(every, "transient cerebral ischemia", "D") == {"D002545"}


def test_disease_head_nouns(every):
    # MeSH's "Colon Neoplasms", "Liver Neoplasms", "Kidney Neoplasms" as written in prose
    assert concept_ids(every, "patients with colon cancer", "D") == {"D003110"}
    assert concept_ids(every, "liver tumours and renal cancer", "D") == {"D008113", "D007680"}
    assert concept_ids(every, "endometrial carcinoma and colon carcinoma", "D") == {"D016889", "D003110"}


def test_curated_disease_synonyms(every):
    # entry terms of other concepts of a descriptor, missing from the MeSH export (lexicons/synonyms.tsv)
    assert concept_ids(every, "insomnia and bradykinesia", "D") == {"D007319", "D018476"}
    # toxicity to the liver is drug-induced liver injury, not the organ-damage form of Liver Diseases
    assert concept_ids(every, "hepatic toxicity", "D") == {"D056486"} == concept_ids(every, "liver toxicity", "D")
    assert concept_ids(every, "hepatic dysfunction", "D") == {"D008107"}


def test_an_adjective_of_people_is_a_disease_only_before_people(every):
    # lexicons/people_adjectives.tsv: "depressed" is Depression in people, else "lowered"
    assert concept_ids(every, "33 depressed outpatients", "D") == {"D003866"}
    assert concept_ids(every, "a depressed elderly woman", "D") == {"D003866"}
    assert concept_ids(every, "depressed cardiac function and depressed NO synthase", "D") == set()
    assert concept_ids(every, "contractility was depressed in mice", "D") == set()


def test_common_words_are_diseases_too(every):
    assert concept_ids(every, "pain and fever", "D") == {"D010146", "D005334"}


def test_chemical_beats_gene_alias_on_the_same_words(every):
    assert spans(every, "ATP and ROS levels") == [("ATP", "C"), ("ROS", "C")]


def test_gene_beats_mesh_protein_even_when_genes_are_not_reported(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals",)))
    assert spans(m, "BDNF and EPO with ketamine") == [("ketamine", "C")]


def test_genes_inside_a_chemical_name_are_part_of_it(every, genes):
    # MeSH names PI(3,4)P2; the list "PI-3,4" would otherwise read as the serpin aliases PI3, PI4
    assert spans(every, "PI-3,4-P2 recruits AKT") == [("PI-3,4-P2", "C"), ("AKT", "G")]
    # also when chemicals are not reported, and with the curated shorthand of PI(4,5)P2
    assert spans(genes, "PI-3,4-P2 recruits AKT") == [("AKT", "G")]
    assert concept_ids(every, "PLC cleaves PI(4,5)P2") == {"D019269"}
    assert gene_ids(genes, "PLC cleaves PI(4,5)P2") == gene_ids(genes, "PLC")


def test_gene_words_do_not_open_a_bracket_they_do_not_close(genes):
    assert gene_ids(genes, "PI(4,5") == set()
    assert gene_ids(genes, "PI(3)K and PI(3)P") == gene_ids(genes, "PI3K")


def test_class_and_preparation_terms_are_not_chemicals(every):
    assert concept_ids(every, "tablets of an analgesic in saline solution") == set()


def test_loose_element_and_class_words_are_not_chemicals(every):
    # "response element" (MeSH Elements), "carbon flux" (Carbon), "cytochrome" (Cytochromes)
    assert concept_ids(every, "the response element; carbon flux through a cytochrome") == set()
    # longer names with these words still are
    assert concept_ids(every, "carbon monoxide") == {"D002248"}


def test_words_made_from_plural_only_terms_and_verbs_are_stop_words(every):
    # singulars of "Bends" and "Hives", and a verb that an "-ate" form spells
    assert concept_ids(every, "the curve bends; a hive; cells integrate signals", "D") == set()
    assert concept_ids(every, "the curve bends; a hive; cells integrate signals", "C") == set()
    assert concept_ids(every, "he developed hives", "D") == {"D014581"}


def test_learned_stop_words(every):
    assert concept_ids(every, "a neuroleptic drug") == set()


def test_currency_metabolites_option(shared_lexicon):
    default = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals",)))
    figures = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals",), currency_metabolites=False))
    assert "D000255" in concept_ids(default, "ATP and glucose")
    assert concept_ids(figures, "ATP and glucose") == {"D005947"}
    # a left-out cofactor keeps its words: none of them is reported in its place
    text = "nicotinamide adenine dinucleotide, coenzyme A and carbon dioxide"
    assert {"D009243", "D003065", "D002245"} <= concept_ids(default, text)
    assert concept_ids(figures, text) == set()
    assert concept_ids(figures, "adenine and nicotinamide") == {"D000225", "D009536"}


def test_enzyme_chemicals_option(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "genes"), enzyme_chemicals=False))
    assert concept_ids(m, "pyruvate decarboxylase converts it") == set()
    assert concept_ids(m, "pyruvate is converted") == {"D011773"}


def test_counter_ion_of_a_salt_is_part_of_the_drug(every):
    # "heparin sodium", "sodium warfarin", "penicillin-G potassium": the salt names the drug
    assert concept_ids(every, "Heparin sodium was given with sodium warfarin.") == {"D006493", "D014859"}
    assert concept_ids(every, "fenoprofen calcium, high dose salicylates") & {"D002118"} == set()
    # alone, or beside a word that is no chemical, the ion is a chemical of its own
    assert concept_ids(every, "Sodium intake and calcium levels rose.") == {"D012964", "D002118"}
    # a salt that is a term of its own stays whole
    assert concept_ids(every, "sodium nitroprusside infusion") == {"D009599"}


# --- abbreviations -----------------------------------------------------------


def test_short_form_takes_the_long_forms_meaning(every):
    found = every.find("Arachidonic acid (AA) release; AA was high.")
    aa = [m for m in found if m.text == "AA"]
    assert len(aa) == 2 and all(m.kind == "C" and m.hits[0].identifier == "D016718" for m in aa)


def test_short_form_of_an_unknown_long_form_is_not_an_alias(genes):
    assert gene_ids(genes, "squalene synthase (SQS) and SQS activity") == set()


def test_stop_word_short_form_needs_a_long_form_like_its_name(genes):
    # "ALS" is a FamPlex family (IGFALS) that prose rules reject on its own; a legend's
    # long form that does not resemble that name does not bring it back
    assert gene_ids(genes, "B, amino acid biosynthesis. ALS, Acetolactate synthase; ALS and KARI") == set()


def test_short_form_defined_as_a_protein_keeps_its_alias(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), families=False))
    # "STEP" is an alias of PTPN5 (protein tyrosine phosphatase non-receptor type 5); its long
    # form names a protein, though not as the HGNC name does
    assert gene_ids(m, "a striatum-enriched phosphatase (STEP) gene; STEP is") == {"84867"}
    # a protein named by its mass ("protein of 10 kDa") too: IP-10 is an alias of CXCL10
    assert gene_ids(m, "IFN-induced protein of 10 kDa (IP-10) was induced") == {"3627"}
    # ... but not when the long form is a protein family ("protein kinase C", FamPlex PKC):
    # "PKC" is then not the alias of PRRT2
    assert gene_ids(m, "activation of protein kinase C (PKC) and PKC") == set()


def test_disease_abbreviation(every):
    found = every.find("Parkinson's disease (PD) patients; PD is common.")
    assert [m.hits[0].identifier for m in found if m.text == "PD"] == ["D010300", "D010300"]


def test_short_form_defined_as_a_disease_is_no_gene_in_gene_runs(genes):
    # diseases are resolved in a genes-only run too: ACD is an approved symbol, here a disease
    assert gene_ids(genes, "cells from allergic contact dermatitis (ACD). ACD was") == set()
    # ... unless a word after the short form makes it the gene named after the disease
    text = "neurofibromatosis type 1 (NF1) results from deletions of the NF1 gene"
    assert gene_ids(genes, text) == {"4763"}
    assert gene_ids(genes, "neurofibromatosis type 1 (NF1) results from deletions") == set()
    assert gene_ids(genes, "the human retinoblastoma (Rb) gene") == {"5925"}


def test_short_form_in_the_plural_defines_its_singular(genes):
    # "ALL" (an alias of BCR) after "acute lymphoblastic leukemias (ALLs)" is the leukemia
    assert gene_ids(genes, "acute lymphoblastic leukemias (ALLs). In t(4;11) ALL, the") == set()
    # "STR" (an alias of STATH) after "short tandem repeats (STRs)"
    assert gene_ids(genes, "short tandem repeats (STRs) were typed; STR alleles") == set()
    assert _singular_short("ALLs") == "ALL" and _singular_short("Ras") == "" and _singular_short("CD4s") == "CD4"


def test_short_form_defined_in_square_brackets(genes):
    # FRDA, a previous symbol of FXN, defined as the disease
    assert gene_ids(genes, "Friedreich's ataxia [FRDA], and others; FRDA patients") == set()


def test_gene_alias_that_is_a_disease_name_is_the_disease(genes):
    # "adrenoleukodystrophy" is an alias of ABCD1 and a MeSH disease
    assert gene_ids(genes, "diagnosed as having neonatal adrenoleukodystrophy") == set()


def test_defined_two_letter_symbol_is_a_gene(genes):
    # too short to be read on its own in prose, but its definition supports it
    assert gene_ids(genes, "growth hormone (GH) was high; GH fell.") == {"2688"}
    assert gene_ids(genes, "GH fell.") == set()


def test_residues_and_citations_are_not_genes_in_prose(genes, shared_lexicon):
    assert gene_ids(genes, "Tyr(906) and Cys672Trp [Proc. Natl. Acad. Sci. USA 91]") == set()
    mesh = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=("hgnc_symbol", "mesh_gene")))
    assert gene_ids(mesh, "[Proc. Natl. Acad. Sci. USA 91]") == set()


def test_rna_class_is_not_the_mitochondrial_trna_gene(genes):
    assert gene_ids(genes, "tRNA and rRNA genes") == set()


def test_defined_stop_word_needs_a_long_form_like_the_gene_name(genes):
    assert gene_ids(genes, "involvement of tyrosinase (Tyr) in melanin synthesis") == {"7299"}
    assert gene_ids(genes, "fluorescence in situ hybridization (FISH) of FISH probes") == set()


def test_symbol_defined_as_plain_words_unlike_its_name_is_no_gene(shared_lexicon):
    genes = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), plain_definitions=True))
    # GC and ECD are approved symbols; lower-case words unlike their gene names define them here
    assert gene_ids(Matcher(shared_lexicon, MatchOptions(kinds=("genes",))), "a germinal center (GC) forms") == {"2638"}
    assert gene_ids(genes, "a germinal center (GC) forms; GC cells") == set()
    assert gene_ids(genes, "the extracellular domain (ECD) of the receptor; ECD binds") == set()
    # a one-word long form, a long form like the gene's name or one naming a protein keeps the symbol
    assert gene_ids(genes, "the rapsyn (RAPSN) gene") == {"5913"}
    assert gene_ids(genes, "delta-aminolevulinate dehydratase (ALAD) is") == {"210"}
    assert gene_ids(genes, "the focal adhesion kinase (PTK2) is") == {"5747"}


def test_gene_short_form_of_a_mesh_protein_stays_a_gene(shared_lexicon):
    m = Matcher(shared_lexicon, MatchOptions(kinds=("genes", "chemicals")))
    found = m.find("Parathyroid hormone-related protein (PTHrP) rose; PTHrP binds.")
    short = [(x.kind, {h.entrez for h in x.hits}) for x in found if x.text == "PTHrP"]
    assert short == [("G", {"5744"}), ("G", {"5744"})]
    # the long form is still the MeSH protein
    assert "D044162" in concept_ids(m, "Parathyroid hormone-related protein (PTHrP) rose")


# --- determinism ---------------------------------------------------------------


def test_same_input_same_output(every):
    text = "Ketamine, BDNF, mTOR and GSK-3β; glutamate AMPA receptors in Parkinson disease."
    assert [m.to_dict() for m in every.find(text)] == [m.to_dict() for m in every.find(text)]


def test_coordinated_lists(genes):
    assert {"4087", "4088", "4089"} <= gene_ids(genes, "Smad2, 3 and 4 proteins")
    assert {"3558", "3565", "3586"} <= gene_ids(genes, "IL-2, -4 and -10 levels")
    assert {"5578", "5580", "5581"} <= gene_ids(genes, "PKC isoforms alpha, delta and epsilon")


def test_members_listed_after_a_class_are_the_members_only(shared_lexicon, genes):
    # "Smads 2 and 3" names SMAD2 and SMAD3, not every SMAD; a number after the list is no count
    assert gene_ids(genes, "Smads 2 and 3 were phosphorylated") == {"4087", "4088"}
    assert gene_ids(genes, "PKC isoforms alpha, delta and epsilon") == {"5578", "5580", "5581"}
    # one number after a plural is no list: "caspases 3 h later" names the class
    assert "834" in gene_ids(genes, "caspases 3 h later")
    # Roman numerals are items too (HK1, HK2 by their HGNC names "hexokinase 1", "hexokinase 2")
    names = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=("hgnc_symbol", "hgnc_name")))
    assert gene_ids(names, "hexokinases I and II") == {"3098", "3099"}


def test_disease_abbreviation_before_patients_is_not_a_gene(genes):
    # HGNC keeps disease abbreviations as aliases and previous symbols (IVF of SCN5A,
    # SCA1 of ATXN1): before "patients" or "cases" they name the disease; an approved
    # symbol stays a gene
    assert gene_ids(genes, "30 IVF cases and SCA1 patients were seen") == set()
    assert gene_ids(genes, "SCA1 expression") == {"6310"}
    assert gene_ids(genes, "BRCA1 patients") == {"672"}


def test_coordinated_items_of_the_heads_shape(genes):
    # a number and a letter and a number stand for the head's ("CYP2C9, 2C19 and 3A4")
    assert gene_ids(genes, "CYP2C9, 2C19 and 3A4 metabolize it") == {"1559", "1557", "1576"}
    # a three-digit number only after a three-digit head: "ZNF133, 136 and 140", not CD100 from "CD4, 100"
    assert gene_ids(genes, "ZNF133, 136 and 140 genes") == {"7692", "7695", "7699"}
    assert gene_ids(genes, "CD4, 100 and 200 cells were counted") == {"920"}


def test_a_count_after_a_gene_is_not_a_list_item(genes):
    assert gene_ids(genes, "IL-6 and 10 patients") == {"3569"}


def test_receptor_named_by_its_ligand_short_form(shared_lexicon):
    plain = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    receptors = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), receptor_symbols=True))
    text = "the CNTF receptor and the IL-4 receptor"
    assert not {"1271", "3566"} & gene_ids(plain, text)
    assert {"1271", "3566"} <= gene_ids(receptors, text)
    assert gene_ids(receptors, "the IgE receptor") == set()  # no approved symbol IGER


def test_a_receptor_type_gives_the_number_after_the_r(shared_lexicon):
    receptors = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), receptor_symbols=True))
    assert gene_ids(receptors, "the TGFbeta type I receptor binds") == {"7046"}  # TGFBR1
    assert gene_ids(receptors, "the IL-1 receptor type I was") == {"3554"}  # IL1R1
    # the type before the ligand, and a receptor written "-R" (previous symbols TNFR1, TNFR2)
    assert gene_ids(receptors, "type I TNF-R and type II TNF-R") == {"7132", "7133"}
    # coordinated types name each approved symbol
    assert gene_ids(receptors, "type I and type II TGF-beta receptors") == {"7046", "7048"}
    assert gene_ids(receptors, "TGF-beta receptor types I and II") == {"7046", "7048"}
    assert gene_ids(receptors, "TGF-beta receptor types I and III") == {"7046", "7049"}  # TGFBR3, not read as before
    [m] = [m for m in receptors.find("the TGFbeta type I receptor binds") if m.kind == "G"]
    assert m.text == "TGFbeta type I receptor"
    # a type with no receptor word, or a ligand without such a symbol, names no receptor
    assert gene_ids(receptors, "type 2 diabetes and type I cells") == set()
    plain = Matcher(shared_lexicon, MatchOptions(kinds=("genes",)))
    assert "7046" not in gene_ids(plain, "the TGFbeta type I receptor binds")


def test_a_hyphen_joined_item_before_a_word_is_a_list_item(genes):
    assert {"1947", "1948"} <= gene_ids(genes, "LERK-2 and -5 were shown to bind")
    assert {"3558", "3565", "3569"} <= gene_ids(genes, "IL-2, -4 and -6 were measured")
    # a Greek letter's name with a number is an item too
    assert gene_ids(genes, "TGF-beta1, -beta2 and -beta3 were measured") == {"7040", "7042", "7043"}


def test_a_list_item_alias_of_several_genes_names_the_one_mesh_names(shared_lexicon, genes):
    # "GalNAc-T2" is GALNT2's alias and, as "GALNACT2", CSGALNACT2's; MeSH names GALNT2
    sources = (*MatchOptions().gene_sources, "mesh_gene")
    with_mesh = Matcher(shared_lexicon, MatchOptions(kinds=("genes",), gene_sources=sources))
    assert gene_ids(with_mesh, "GalNAc-T1 and -T2 were expressed") == {"2589", "2590"}
    assert gene_ids(genes, "GalNAc-T1 and -T2 were expressed") == {"2589"}  # without MeSH, ambiguous
    # citations are not a plural head: "refs" (lexicons/gene_stopwords.txt), not REF1's alias
    assert gene_ids(with_mesh, "as reported before (refs 1,2)") == set()


def test_non_gene_grounding_vetoes_only_its_own_spelling(genes):
    assert gene_ids(genes, "EGFR signalling") == {"1956"}  # not lost to FamPlex's "eGFR" (a kidney measure)
    assert gene_ids(genes, "ATP release") == set()


def test_newest_descriptor_reports_mesh_as_of_an_older_version(shared_lexicon):
    text = "Hemorrhagic stroke and essential hypertension after olanzapine."
    now = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "diseases")))
    assert concept_ids(now, text, "D") == {"D000083302", "D000075222"}
    assert concept_ids(now, text) == {"D000077152"}
    old = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "diseases"), newest_descriptor="D066331"))
    # newer diseases become the older descriptor they are filed under: Stroke, Hypertension
    assert concept_ids(old, text, "D") == {"D020521", "D006973"}
    # a newer drug descriptor was a supplementary record: its former id, learned from the
    # BC5CDR training split (lexicons/learned_former_ids.tsv), or none
    assert concept_ids(old, text) == {"C076029"}
    assert concept_ids(now, text) == {"D000077152"}  # the former id only serves the older version


def test_a_composite_synonym_names_all_its_concepts(shared_lexicon):
    # lexicons/learned_synonyms.tsv: BC5CDR's annotators read it as Hemorrhage and Cystitis
    text = "Hemorrhagic cystitis after cyclophosphamide."
    for newest in ("", "D066331"):
        m = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "diseases"), newest_descriptor=newest))
        [mention] = [x for x in m.find(text) if x.kind == "D"]
        assert mention.text == "Hemorrhagic cystitis"
        assert [h.identifier for h in mention.hits] == ["D006470", "D003556"]


def test_derived_chemicals_off_reads_no_chemical_in_a_derived_word(shared_lexicon):
    text = "GABAergic interneurons of diabetic rats"
    on = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "diseases")))
    off = Matcher(shared_lexicon, MatchOptions(kinds=("chemicals", "diseases"), derived_chemicals=False))
    assert concept_ids(on, text) == {"D005680"}
    assert concept_ids(off, text) == set()
    assert concept_ids(off, text, "D") == concept_ids(on, text, "D") != set()  # derived disease words stay
