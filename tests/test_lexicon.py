"""Parsing HGNC, FamPlex and MeSH sources; building, caching and loading the lexicon."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from extractor import lexicon as lexicon_mod
from extractor.lexicon import (
    FamplexData,
    BUILDER_VERSION,
    CHEMICAL,
    DISEASE,
    GENE,
    NONGENE,
    SRC_ALIAS,
    SRC_FAMPLEX,
    SRC_LEARNED,
    SRC_MESH_ENTRY,
    SRC_MESH_GENE,
    SRC_MESH_NAME,
    SRC_PREV,
    SRC_SCR_NAME,
    SRC_SCR_SYNONYM,
    SRC_SYMBOL,
    HgncRecord,
    Lexicon,
    LexiconBuilder,
    MeshRecord,
    MeshTerms,
    MeshTreeRules,
    chemical_variants,
    ensure_lexicon,
    load_rewrite_rules,
    load_variant_rules,
    parse_hgnc,
    parse_mesh,
    rewritten_variants,
    roman_symbol,
    roman_variant,
    singular,
)
from extractor.normalize import key
from extractor.resources import SourceFiles, extractor_home

from conftest import FIXTURE_SOURCES, FIXTURES

ALT = FIXTURES / "alt-formats"
CUSTOM_HGNC = FIXTURE_SOURCES / "hgnc" / "hgnc_custom_download.tsv.gz"
COMPLETE_HGNC = ALT / "hgnc_complete_set.txt"

#: Approved genes with an NCBI Gene ID in the fixture custom download (27 rows, 2 without).
FIXTURE_GENES = {
    "BDNF", "MTOR", "GSK3A", "GSK3B", "AKT1", "AKT2", "AKT3", "HAS1", "FASTK", "MAPK1", "MAPK3", "CFP",
    "KDM6A", "KDM6B", "TGFB1", "TGFB2", "TGFB3", "IL6", "SMAD2", "SMAD3", "EIF2AK3", "MYC", "TERT",
    "CTNNB1", "NUDT4",
}  # fmt: skip


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def entries(lex: Lexicon, text: str, kind: str | None = None):
    return [e for e in lex.lookup(key(text)) if kind is None or e.kind == kind]


def symbols(lex: Lexicon, target: str) -> list[str]:
    return [lex.genes[i].symbol for i in lex.gene_targets(target)]


def gene_readings(lex: Lexicon, text: str) -> dict[tuple[str, str], list[str]]:
    """{(source, variant): member symbols} of the gene entries under ``text``."""
    return {(e.source, e.variant): symbols(lex, e.target) for e in entries(lex, text, GENE)}


def family(lex: Lexicon, fid: str) -> list[str]:
    return [lex.genes[i].symbol for i in lex.families.get(fid, ())]


def copy_sources(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_SOURCES, tmp_path / "sources"))


def edit_csv(path: Path, drop: tuple[str, ...] = (), add: tuple[str, ...] = ()) -> None:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln not in drop]
    assert len(lines) == len(path.read_text(encoding="utf-8").splitlines()) - len(drop), "line to drop not found"
    path.write_text("\n".join(lines + list(add)) + "\n", encoding="utf-8")


def alt_format_sources(tmp_path: Path) -> Path:
    """Sources in the publishers' download formats: HGNC complete set, MeSH XML."""
    root = tmp_path / "alt-sources"
    shutil.copytree(FIXTURE_SOURCES / "famplex", root / "famplex")
    (root / "hgnc").mkdir()
    (root / "mesh").mkdir()
    shutil.copy(COMPLETE_HGNC, root / "hgnc")
    shutil.copy(ALT / "desc2025.xml", root / "mesh")
    shutil.copy(ALT / "supp2025.xml", root / "mesh")
    return root


# --------------------------------------------------------------------------
# HGNC
# --------------------------------------------------------------------------


def test_parse_hgnc_custom_download():
    recs = {r.symbol: r for r in parse_hgnc(CUSTOM_HGNC)}
    assert len(recs) == 27
    bdnf = recs["BDNF"]
    assert (bdnf.hgnc_id, bdnf.entrez, bdnf.status) == ("HGNC:1033", "627", "Approved")
    assert bdnf.aliases == ["ANON2", "BULN2"]
    assert bdnf.uniprot == ["P23560"]
    assert bdnf.name == "brain derived neurotrophic factor"
    assert bdnf.locus_type == "gene with protein product"
    assert recs["MAPK1"].previous == ["PRKM2", "PRKM1"]
    assert recs["MTOR"].aliases == ["FRAP", "FRAP2", "RAFT1", "RAPT1", "FLJ44809"]
    assert recs["A1S9T"].status == "Symbol Withdrawn"
    assert recs["NOENTREZ"].entrez == ""


def test_parse_hgnc_complete_set():
    recs = {r.symbol: r for r in parse_hgnc(COMPLETE_HGNC)}
    assert set(recs) == {"AKT1", "MTOR", "A1S9T"}
    akt1 = recs["AKT1"]
    assert akt1.aliases == ["AKT", "PKB", "RAC"]  # quoted, "|"-separated
    assert (akt1.hgnc_id, akt1.entrez, akt1.status) == ("HGNC:391", "207", "Approved")
    assert akt1.uniprot == ["P31749"]
    assert akt1.name == "AKT serine/threonine kinase 1"
    assert recs["MTOR"].previous == ["FRAP1"]
    assert recs["MTOR"].aliases == ["FRAP", "FRAP2"]
    assert recs["A1S9T"].entrez == ""


def test_parse_hgnc_rejects_other_files(tmp_path):
    other = tmp_path / "other.tsv"
    other.write_text("id\tname\n1\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an HGNC download"):
        list(parse_hgnc(other))
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="empty HGNC file"):
        list(parse_hgnc(empty))
    missing_column = tmp_path / "partial.txt"
    missing_column.write_text("hgnc_id\tsymbol\tstatus\nHGNC:1\tA\tApproved\n", encoding="utf-8")
    with pytest.raises(ValueError, match="HGNC column 'alias_symbol' missing"):
        list(parse_hgnc(missing_column))


def test_only_approved_genes_with_an_ncbi_gene_id(tiny_lexicon):
    got = {g.symbol for g in tiny_lexicon.genes}
    assert got == FIXTURE_GENES
    assert entries(tiny_lexicon, "A1S9T") == []  # withdrawn
    assert entries(tiny_lexicon, "NOENTREZ") == []  # no NCBI Gene ID
    bdnf = next(g for g in tiny_lexicon.genes if g.symbol == "BDNF")
    assert (bdnf.entrez, bdnf.hgnc_id) == ("627", "HGNC:1033")


def test_gene_symbols_aliases_and_previous_symbols(tiny_lexicon):
    assert gene_readings(tiny_lexicon, "BDNF") == {(SRC_SYMBOL, ""): ["BDNF"]}
    assert gene_readings(tiny_lexicon, "GSK-3β") == {(SRC_SYMBOL, ""): ["GSK3B"]}
    assert gene_readings(tiny_lexicon, "RAFT1") == {(SRC_ALIAS, ""): ["MTOR"]}
    assert gene_readings(tiny_lexicon, "FRAP1") == {(SRC_PREV, ""): ["MTOR"]}
    assert gene_readings(tiny_lexicon, "PRKM1") == {(SRC_PREV, ""): ["MAPK1"]}
    assert gene_readings(tiny_lexicon, "beta-catenin") == {(SRC_ALIAS, ""): ["CTNNB1"]}


# --------------------------------------------------------------------------
# FamPlex
# --------------------------------------------------------------------------


def test_famplex_families_expand_to_member_genes(tiny_lexicon):
    assert family(tiny_lexicon, "AKT") == ["AKT1", "AKT2", "AKT3"]
    assert family(tiny_lexicon, "GSK3") == ["GSK3A", "GSK3B"]
    assert family(tiny_lexicon, "ERK") == ["MAPK1", "MAPK3"]
    # recursive: ERK isa MAPK, SMAD2_3 isa SMAD
    assert family(tiny_lexicon, "MAPK") == ["MAPK1", "MAPK3"]
    assert family(tiny_lexicon, "SMAD") == ["SMAD2", "SMAD3"]
    # an entity without member genes is not a family
    assert "Caspase_3_7_family" not in tiny_lexicon.families
    assert entries(tiny_lexicon, "Caspase 3 7") == []
    assert gene_readings(tiny_lexicon, "GSK3") == {(SRC_FAMPLEX, ""): ["GSK3A", "GSK3B"]}
    assert gene_readings(tiny_lexicon, "SMAD2_3") == {(SRC_FAMPLEX, ""): ["SMAD2", "SMAD3"]}


def test_famplex_relations_through_previous_symbols_partof_stripped_names_and_cycles(tmp_path):
    src = copy_sources(tmp_path)
    famplex = src / "famplex"
    edit_csv(
        famplex / "relations.csv",
        drop=("FPLX,ERK,isa,FPLX,MAPK",),  # MAPK keeps only "HGNC,PRKM1,isa,FPLX,MAPK" (PRKM1 -> MAPK1)
        add=(
            "HGNC,BDNF,partof,FPLX,Neurotrophin_complex",
            "HGNC,IL6,partof,FPLX,Neurotrophin_complex",
            "HGNC,NOTAGENE,isa,FPLX,Neurotrophin_complex",
            "HGNC,TERT,isa,FPLX,Cyc_a_family",
            "FPLX,Cyc_a_family,isa,FPLX,Cyc_b",
            "FPLX,Cyc_b,isa,FPLX,Cyc_a_family",
        ),
    )
    edit_csv(famplex / "entities.csv", add=("Neurotrophin_complex", "Cyc_a_family", "Cyc_b"))
    lex = Lexicon(ensure_lexicon(src))
    assert family(lex, "MAPK") == ["MAPK1"]
    assert family(lex, "ERK") == ["MAPK1", "MAPK3"]
    assert family(lex, "Neurotrophin_complex") == ["BDNF", "IL6"]
    assert family(lex, "Cyc_a_family") == ["TERT"]
    assert family(lex, "Cyc_b") == ["TERT"]
    assert gene_readings(lex, "Neurotrophin complex") == {(SRC_FAMPLEX, ""): ["BDNF", "IL6"]}
    assert gene_readings(lex, "Neurotrophin") == {(SRC_FAMPLEX, "stripped"): ["BDNF", "IL6"]}
    assert gene_readings(lex, "Cyc a") == {(SRC_FAMPLEX, "stripped"): ["TERT"]}
    assert all(e.term == "Neurotrophin" for e in entries(lex, "neurotrophin"))


def test_mesh_tree_numbers_are_kept_apart_and_read_on_first_use(tiny_lexicon_dir):
    lex = Lexicon(tiny_lexicon_dir)
    assert lex._mesh_trees is None  # opening the lexicon does not read them
    assert lex.mesh_trees["D018698"] == ("D12.125.067.625.349", "D12.125.119.409.349")
    # Glutamic Acid sits under Glutamates in both of its trees: one broader descriptor
    assert lex.broader_descriptors("D018698", 99999, ("D",)) == ["D005971"]
    assert lex.broader_descriptors("D018698", 5000, ("D",)) == []  # Glutamates is newer than that


def test_grounding_map_texts(tiny_lexicon):
    lex = tiny_lexicon
    assert gene_readings(lex, "Akt")[(SRC_FAMPLEX, "grounding")] == ["AKT1", "AKT2", "AKT3"]
    assert gene_readings(lex, "ERK 1/2") == {(SRC_FAMPLEX, "grounding"): ["MAPK1", "MAPK3"]}
    # HGNC grounding to a gene symbol
    assert gene_readings(lex, "mTOR")[(SRC_FAMPLEX, "grounding")] == ["MTOR"]
    # UniProt grounding mapped through HGNC's UniProt column (P28482 is MAPK1's in the fixture)
    assert gene_readings(lex, "4E-BP1") == {(SRC_FAMPLEX, "grounding"): ["MAPK1"]}
    # a grounding to a gene not in HGNC gives nothing
    assert entries(lex, "c-MET") == []


def test_chebi_grounding_is_a_non_gene_entry(tiny_lexicon):
    (atp,) = entries(tiny_lexicon, "ATP")
    assert (atp.kind, atp.source, atp.target, atp.term, atp.variant) == (NONGENE, "CHEBI", "CHEBI:15422", "ATP", "grounding")


def test_bel_equivalences(tiny_lexicon):
    assert gene_readings(tiny_lexicon, "AKT Family")[(SRC_FAMPLEX, "equivalence")] == ["AKT1", "AKT2", "AKT3"]
    # an equivalence to an unknown entity, and non-BEL namespaces, add nothing
    assert entries(tiny_lexicon, "Unknown Complex") == []


def _hgnc_rows(genes: list[tuple]) -> list[HgncRecord]:
    """Approved protein-coding genes from (symbol, name[, aliases]) tuples, numbered in order."""
    return [
        HgncRecord(f"HGNC:{i}", sym, name, "Approved", list(rest[0]) if rest else [], [], str(100 + i), [], "gene with protein product")
        for i, (sym, name, *rest) in enumerate(genes)
    ]


def _variant_genes(builder: LexiconBuilder, term: str, variant: str) -> list[str]:
    """Symbols of the genes that ``term``'s key names by entries of this variant."""
    return [builder.genes[int(e.target[1:])].symbol for e in builder.items.get(key(term), {}) if e.variant == variant]


def _lettered_series_builder(relations: list[tuple[str, str]], groundings: list[tuple[str, str]]) -> LexiconBuilder:
    builder = LexiconBuilder()
    genes = [
        ("PRKCA", "protein kinase C alpha", ["PKCA"]),
        ("PRKCZ", "protein kinase C zeta", []),
        ("PRKCI", "protein kinase C iota", []),
        ("CSNK2A1", "casein kinase 2 alpha 1", []),
        ("CSNK2B", "casein kinase 2 beta", []),
        ("DNMT3A", "DNA methyltransferase 3 alpha", []),
        ("DNMT3B", "DNA methyltransferase 3 beta", []),
        ("TOP3A", "DNA topoisomerase III alpha", []),
        ("TOP3B", "DNA topoisomerase III beta", []),
        ("ITGA5", "integrin subunit alpha 5", []),
        ("ITGB1", "integrin subunit beta 1", []),
    ]
    by_symbol = builder.add_hgnc(_hgnc_rows(genes))
    entities = sorted({fid for _, fid in relations})
    builder.add_famplex(
        FamplexData(
            entities,
            [("HGNC", sym, "isa", "FPLX", fid) for sym, fid in relations],
            [(text, [("FPLX", fid)]) for text, fid in groundings],
            [],
        ),
        by_symbol,
    )
    return builder


def test_members_of_a_lettered_series_are_named_by_family_abbreviation_and_letter():
    builder = _lettered_series_builder(
        [("PRKCA", "PKC"), ("PRKCZ", "PKC"), ("PRKCI", "PKC"), ("CSNK2A1", "CK2_complex"), ("CSNK2B", "CK2_complex"),
         ("DNMT3A", "DNMT"), ("DNMT3B", "DNMT"), ("TOP3A", "TOP"), ("TOP3B", "TOP"),
         ("ITGA5", "FNR"), ("ITGB1", "FNR")],
        [("PKC", "PKC"), ("protein kinase C", "PKC"), ("PKCs", "PKC"), ("CK-II", "CK2_complex"), ("Tubulin", "PKC")],
    )

    def member(term: str) -> list[str]:
        return _variant_genes(builder, term, "member")

    # the family's id and abbreviations with the member's letter, as a Greek letter and spelled
    assert member("PKCζ") == ["PRKCZ"] and member("PKC-zeta") == ["PRKCZ"]
    assert member("PKCι") == ["PRKCI"] and member("PKCiota") == ["PRKCI"]  # "iota" stays spelled in keys
    assert member("CK2β") == ["CSNK2B"] and member("CK-IIβ") == ["CSNK2B"] and member("CK2α1") == ["CSNK2A1"]
    # a key that already names a gene is left alone ("PKCα" is PRKCA's alias PKCA)
    assert member("PKCα") == [] and [builder.genes[int(e.target[1:])].symbol for e in builder.items[key("PKCA")]] == ["PRKCA"]
    # no plural ("PKCsζ"), no word ("Tubulinζ")
    assert member("PKCsζ") == [] and member("Tubulinζ") == []
    # the abbreviation must fit the series: "DNMT" lacks the 3, "TOP" the III, "FNR" is not "integrin subunit"
    assert member("DNMTα") == [] and member("TOPα") == [] and member("FNRα5") == []
    # PKCζ, PKCι, PKCiota, CK2α1, CK2β, CK-IIα1, CK-IIβ (a spelled form whose key is taken adds nothing)
    assert builder.counts["G:bioentities_symbol/member"] == 7


def test_names_with_a_greek_letter_and_number_are_also_written_letter_first():
    builder = LexiconBuilder()
    builder.add_hgnc(
        _hgnc_rows(
            [
                ("ARRB2", "arrestin beta 2"),
                ("ITGB1", "integrin subunit beta 1"),
                ("PRKCZ", "protein kinase C zeta"),
                ("TUBB3", "tubulin beta 3 class III"),
                ("XBA1", "other gene", ["beta1 integrin"]),
            ]
        )
    )
    builder.add_greek_first_names()

    def named(term: str) -> list[str]:
        return _variant_genes(builder, term, "greek_first")

    # "beta-arrestin 2", "β-arrestin2", "β2-arrestin"; the word "subunit" is left out
    assert named("beta-arrestin 2") == ["ARRB2"] and named("β-arrestin2") == ["ARRB2"] and named("β2-arrestin") == ["ARRB2"]
    assert named("β-integrin 1") == ["ITGB1"]
    # a key that names a gene already is left alone (XBA1's alias); names of other shapes add nothing
    assert named("beta1 integrin") == []
    assert named("zeta-kinase C") == [] and named("beta-tubulin 3") == []
    assert builder.counts["G:hgnc_name/greek_first"] == 3


def test_gene_names_in_british_spelling_fill_gaps():
    builder = LexiconBuilder()
    builder.add_hgnc(
        _hgnc_rows(
            [
                ("TNF", "tumor necrosis factor"),
                ("HMOX1", "heme oxygenase 1"),
                ("SLA", "Src like adaptor"),
                ("ESR1", "estrogen receptor 1"),
                ("XBB1", "other gene", ["sulphotransferase 9"]),
                ("SULT9", "sulfotransferase 9"),
            ]
        )
    )
    builder.add_gene_name_spellings(load_rewrite_rules("spelling_variants.tsv"))

    def named(term: str) -> list[str]:
        return _variant_genes(builder, term, "british")

    assert named("tumour necrosis factor") == ["TNF"] and named("Tumour Necrosis Factor") == ["TNF"]
    assert named("haem oxygenase 1") == ["HMOX1"] and named("oestrogen receptor 1") == ["ESR1"]
    assert named("Src-like adapter") == ["SLA"]
    # a key that names a gene already is left alone (XBB1's alias)
    assert named("sulphotransferase 9") == []
    # the American names are untouched
    assert _variant_genes(builder, "tumor necrosis factor", "") == ["TNF"]
    # "sulfo-" and "sulfon-" too (chemicals: "Sulphonamides")
    rules = load_rewrite_rules("spelling_variants.tsv")
    assert "Sulphonamides" in rewritten_variants("Sulfonamides", rules) and "Haem" in rewritten_variants("Heme", rules)


def test_mass_alias_joined_to_another_alias_names_the_gene():
    builder = LexiconBuilder()
    by_symbol = builder.add_hgnc(
        _hgnc_rows(
            [
                ("CDKN1C", "cyclin dependent kinase inhibitor 1C", ["P57", "KIP2", "BWCR-long"]),
                ("CDKN2D", "cyclin dependent kinase inhibitor 2D", ["p19", "INK4D", "p19INK4d"]),
                ("OTHER", "other gene", ["p53KIP2"]),
                ("TP53", "tumor protein p53", ["p53"]),
            ]
        )
    )
    builder.add_mass_compounds(by_symbol)

    def named(term: str) -> list[str]:
        return _variant_genes(builder, term, "compound")

    assert named("p57Kip2") == ["CDKN1C"] and named("P57KIP2") == ["CDKN1C"]
    # other aliases of 3-6 characters only; a key that names a gene already is left alone
    assert named("p57BWCR-long") == [] and named("p19INK4d") == []
    # a mass alias alone, or with another gene's alias, adds nothing
    assert named("p53KIP2") == [] and named("p53") == []
    assert builder.counts["G:hgnc_alias_symbol/compound"] == 1


# --------------------------------------------------------------------------
# MeSH
# --------------------------------------------------------------------------


def concept_ids(lex: Lexicon, text: str, kind: str) -> set[str]:
    return {e.target for e in entries(lex, text, kind)}


def test_mesh_descriptor_kinds(tiny_lexicon):
    lex = tiny_lexicon
    assert concept_ids(lex, "Ketamine", CHEMICAL) == {"D007649"}
    assert concept_ids(lex, "Ketalar", CHEMICAL) == {"D007649"}
    assert concept_ids(lex, "Lithium", CHEMICAL) == {"D008094"}
    assert concept_ids(lex, "GABA", CHEMICAL) == {"D005680"}
    assert concept_ids(lex, "AMPA", CHEMICAL) == {"D018350"}
    assert concept_ids(lex, "Parkinson Disease", DISEASE) == {"D010300"}
    assert concept_ids(lex, "Paralysis Agitans", DISEASE) == {"D010300"}
    assert concept_ids(lex, "Mental Disorders", DISEASE) == {"D001523"}  # F03
    assert concept_ids(lex, "Convulsions", DISEASE) == {"D012640"}
    # diseases are not chemicals and vice versa; other branches give nothing
    assert concept_ids(lex, "Parkinson Disease", CHEMICAL) == set()
    assert concept_ids(lex, "Ketamine", DISEASE) == set()
    assert entries(lex, "Abattoirs") == []  # J01
    (ket,) = entries(lex, "Ketamine")
    assert (ket.source, ket.term) == (SRC_MESH_NAME, "Ketamine")
    assert {e.source for e in entries(lex, "Ketalar")} == {SRC_MESH_ENTRY}


def test_mesh_proteins_excluded_from_chemicals(tiny_lexicon):
    lex = tiny_lexicon
    # only under D12.776 (proteins): not a chemical
    assert entries(lex, "Protein S") == []
    assert entries(lex, "Cyclin G") == []
    # also under D12.644 (peptides): a chemical, flagged as a protein
    bdnf = entries(lex, "Brain-Derived Neurotrophic Factor", CHEMICAL)
    assert [(e.target, e.flags) for e in bdnf] == [("D019208", "p")]
    # not a protein: no flag
    assert [e.flags for e in entries(lex, "Ketamine", CHEMICAL)] == [""]


def test_mesh_supplementary_records_follow_their_descriptors(tiny_lexicon):
    lex = tiny_lexicon
    assert {(e.source, e.target) for e in entries(lex, "S-Ketamine", CHEMICAL)} >= {(SRC_SCR_NAME, "C000629870")}
    assert {(e.source, e.target) for e in entries(lex, "esketamine", CHEMICAL)} == {(SRC_SCR_SYNONYM, "C000629870")}
    assert concept_ids(lex, "Rare disease syndrome", DISEASE) == {"C000000002"}
    assert concept_ids(lex, "RDS1", DISEASE) == {"C000000002"}
    assert concept_ids(lex, "Rare disease syndrome", CHEMICAL) == set()
    assert entries(lex, "some protein, human") == []  # mapped to an excluded protein
    assert entries(lex, "an organism") == []  # mapped to a J descriptor


def test_acid_to_ate_variants(tiny_lexicon):
    lex = tiny_lexicon
    glutamate = {(e.target, e.variant) for e in entries(lex, "glutamate", CHEMICAL)}
    assert ("D018698", "acid_ate") in glutamate
    assert ("D005971", "singular") in glutamate  # "Glutamates"
    assert ("D018698", "acid_ate") in {(e.target, e.variant) for e in entries(lex, "L-Glutamate", CHEMICAL)}
    assert concept_ids(lex, "gamma-aminobutyrate", CHEMICAL) == {"D005680"}
    # diseases get no chemical variants
    assert all(e.variant != "acid_ate" for e in lex.lookup(key("Parkinson Disease")))


def test_variant_and_singular_rules():
    rules = load_variant_rules()
    assert chemical_variants("Glutamic Acid", rules) == [("Glutamate", "acid_ate")]
    assert chemical_variants("Nitrous acid", rules) == [("Nitrite", "acid_ite")]
    assert chemical_variants("Ketamine", rules) == []
    # the older and the IUPAC name of the P-O-P anhydride: both are written
    assert chemical_variants("3,3-dimethylallyl pyrophosphate", rules) == [("3,3-dimethylallyl diphosphate", "pyro_di")]
    assert chemical_variants("Mevalonate diphosphate", rules) == [("Mevalonate pyrophosphate", "pyro_di")]
    assert chemical_variants("Thiamine Pyrophosphates", rules) == [("Thiamine diphosphates", "pyro_di")]
    assert chemical_variants("Fructose bisphosphate", rules) == []
    assert singular("Glutamates") == "Glutamate"
    assert singular("Monoterpenes") == "Monoterpene"
    assert singular("Bodies") == "Body"
    assert singular("Diabetes Mellitus") is None
    assert singular("Lithium") is None
    assert singular("Arthritis") is None


def test_roman_variants_of_gene_names():
    assert roman_variant("DNA ligase 3") == "DNA ligase III"
    assert roman_variant("carbonic anhydrase 2") == "carbonic anhydrase II"
    assert roman_variant("hexokinase 10") == "hexokinase X"
    assert roman_variant("cyclin A2") is None  # not a separate number
    assert roman_variant("interleukin 12") is None  # beyond ten
    assert roman_variant("ligase 0") is None


def test_roman_variants_of_symbols():
    assert roman_symbol("CA3") == "CA III"
    assert roman_symbol("ADH7") == "ADH VII"
    assert roman_symbol("C3") is None  # one letter: "C III" is no way to write C3
    assert roman_symbol("CA12") is None
    assert roman_symbol("AKR1C1") is None


def test_organ_adjective_variants():
    rules = load_rewrite_rules("organ_adjectives.tsv")
    assert rewritten_variants("Kidney Diseases", rules) == ["Renal Diseases"]
    assert rewritten_variants("Polycystic Kidney Diseases", rules) == ["Polycystic Renal Diseases"]
    assert rewritten_variants("Fatty Liver", rules) == []  # the head noun stays
    assert rewritten_variants("Heartburn", rules) == []


def test_disease_head_variants():
    rules = load_rewrite_rules("disease_heads.tsv")
    assert rewritten_variants("Colon Neoplasms", rules) == [
        "Colon Cancer", "Colon Tumors", "Colon Tumours", "Colon Carcinomas", "Colon Adenocarcinomas"
    ]
    assert rewritten_variants("Liver Neoplasm", rules) == ["Liver Tumor", "Liver Tumour", "Liver Carcinoma", "Liver Adenocarcinoma"]
    assert rewritten_variants("Neoplasm Metastasis", rules) == []  # only the head noun
    assert rewritten_variants("Multiple Endocrine Neoplasia", rules) == []


def test_organ_damage_head_variants():
    rules = load_rewrite_rules("disease_heads.tsv")
    forms = rewritten_variants("Kidney Diseases", rules)
    assert {"Kidney Damage", "Kidney Dysfunction", "Kidney Toxicity", "Kidney Involvement"} <= set(forms)
    assert rewritten_variants("Diseases", rules) == []  # the descriptor Disease, not an organ's diseases
    assert rewritten_variants("Chronic Diseases", rules) == []  # a course, not a body part
    assert rewritten_variants("Acute Diseases", rules) == []
    assert rewritten_variants("Addison Disease", rules) == []  # a named disease (singular) is not a class


def test_disease_head_variants_of_organ_forms():
    rec = MeshRecord("D007680", "Kidney Neoplasms", [], ["C04.588.945.947.535"])
    terms = MeshTerms.from_data([rec], MeshTreeRules.load())
    forms = {(e.term, e.variant) for e in terms.descriptor_entries()}
    assert {("Kidney Cancer", "head"), ("Kidney Tumor", "head"), ("Renal Cancer", "head"), ("Renal Tumors", "head")} <= forms
    assert ("Renal Neoplasms", "organ") in forms


def test_organ_damage_variants_of_organ_forms():
    rec = MeshRecord("D007674", "Kidney Diseases", [], ["C12.200.777.419"])
    terms = MeshTerms.from_data([rec], MeshTreeRules.load())
    forms = {(e.term, e.variant) for e in terms.descriptor_entries()}
    assert {("Renal Involvement", "head"), ("Renal Damage", "head"), ("Kidney Injury", "head")} <= forms


def test_mesh_tree_rules():
    rules = MeshTreeRules.load()
    assert rules.kinds(["D02.455"]) == [CHEMICAL]
    assert rules.kinds(["D12.776.124"]) == []
    assert rules.kinds(["D12.644.276", "D12.776.631"]) == [CHEMICAL]
    assert rules.kinds(["C10.228"]) == [DISEASE]
    assert rules.kinds(["F03.600"]) == [DISEASE]
    assert rules.kinds(["F01.145"]) == []
    assert rules.kinds(["D02.1", "C10.2"]) == [CHEMICAL, DISEASE]
    assert rules.flags(["D12.644.1"]) == "p" and rules.flags(["D02.455"]) == ""
    assert rules.flags(["D12.125.067.625.349"]) == "a"  # amino acids keep "-ate" -> acid
    assert rules.kinds(["D13.444.308"]) == []  # nucleic acids are not chemical mentions


# --------------------------------------------------------------------------
# Alternative formats: HGNC complete set, MeSH XML
# --------------------------------------------------------------------------


def _as_tuples(records):
    return [(r.mesh_id, r.name, r.terms, r.trees, r.mapped_to) for r in records]


def test_mesh_xml_parses_like_the_tsv(tmp_path):
    desc_tsv = tmp_path / "mesh_descriptors.tsv"
    desc_tsv.write_text(
        "D007649\tKetamine\tKetalar\tD02.455.426.392.368.367.652\n"
        "D010300\tParkinson Disease\tParalysis Agitans\tC10.228.140.079.862.500\n",
        encoding="utf-8",
    )
    supp_tsv = tmp_path / "mesh_supplementary.tsv"
    supp_tsv.write_text("C000629870\tS-Ketamine\tesketamine\t*D007649\n", encoding="utf-8")
    desc_xml = list(parse_mesh(ALT / "desc2025.xml", supplementary=False))
    supp_xml = list(parse_mesh(ALT / "supp2025.xml", supplementary=True))
    assert _as_tuples(desc_xml) == _as_tuples(parse_mesh(desc_tsv, supplementary=False))
    assert _as_tuples(supp_xml) == _as_tuples(parse_mesh(supp_tsv, supplementary=True))
    assert desc_xml[0] == MeshRecord("D007649", "Ketamine", ["Ketalar"], trees=["D02.455.426.392.368.367.652"])
    assert supp_xml[0].mapped_to == ["D007649"]


def test_mesh_gzipped_xml(tmp_path):
    gz = tmp_path / "desc2025.xml.gz"
    gz.write_bytes(gzip.compress((ALT / "desc2025.xml").read_bytes()))
    assert _as_tuples(parse_mesh(gz, supplementary=False)) == _as_tuples(parse_mesh(ALT / "desc2025.xml", False))


def test_mesh_tsv_fixture_rows():
    recs = {r.mesh_id: r for r in parse_mesh(FIXTURE_SOURCES / "mesh" / "mesh_descriptors.tsv.gz", False)}
    assert recs["D005680"].terms == ["gamma Aminobutyric Acid", "GABA", "4-Aminobutanoic Acid"]
    assert recs["D005680"].trees == ["D02.241.081.114.500.350", "D12.125.190.350"]
    assert recs["D005971"].terms == []
    supp = {r.mesh_id: r for r in parse_mesh(FIXTURE_SOURCES / "mesh" / "mesh_supplementary.tsv.gz", True)}
    assert supp["C000629870"].mapped_to == ["D007649"]
    assert supp["C000629870"].terms == ["(S)-ketamine", "esketamine"]


def test_lexicon_from_complete_set_and_mesh_xml(tmp_path):
    lex = Lexicon(ensure_lexicon(alt_format_sources(tmp_path)))
    assert {g.symbol: g.entrez for g in lex.genes} == {"AKT1": "207", "MTOR": "2475"}
    assert gene_readings(lex, "PKB") == {(SRC_ALIAS, ""): ["AKT1"]}
    assert gene_readings(lex, "FRAP1") == {(SRC_PREV, ""): ["MTOR"]}
    assert entries(lex, "A1S9T") == []
    assert family(lex, "AKT") == ["AKT1"]  # AKT2/AKT3 are not in this HGNC file
    assert concept_ids(lex, "Ketamine", CHEMICAL) == {"D007649"}
    assert concept_ids(lex, "Ketalar", CHEMICAL) == {"D007649"}
    assert concept_ids(lex, "esketamine", CHEMICAL) == {"C000629870"}
    assert concept_ids(lex, "Paralysis Agitans", DISEASE) == {"D010300"}
    assert lex.manifest["sources"]["hgnc"]["path"].endswith("hgnc_complete_set.txt")
    assert lex.manifest["sources"]["mesh_descriptors"]["path"].endswith("desc2025.xml")


# --------------------------------------------------------------------------
# Cache and manifest
# --------------------------------------------------------------------------


def test_second_call_reuses_the_cached_lexicon(tmp_path):
    src = copy_sources(tmp_path)
    first = ensure_lexicon(src)
    assert first.parent == extractor_home() / "lexicons"
    assert (first.parent / "LATEST").read_text().strip() == first.name
    created = json.loads((first / "manifest.json").read_text())["created"]
    (first / "marker").write_text("x")  # a rebuild replaces the directory
    assert ensure_lexicon(src) == first
    assert (first / "marker").exists()
    assert json.loads((first / "manifest.json").read_text())["created"] == created


def test_changed_source_gives_a_new_key_and_a_rebuild(tmp_path):
    src = copy_sources(tmp_path)
    first = ensure_lexicon(src)
    assert entries(Lexicon(first), "Newfam") == []
    edit_csv(src / "famplex" / "relations.csv", add=("HGNC,TERT,isa,FPLX,Newfam",))
    edit_csv(src / "famplex" / "entities.csv", add=("Newfam",))
    second = ensure_lexicon(src)
    assert second != first
    assert second.parent == first.parent
    assert first.is_dir()  # the old build is left alone
    lex = Lexicon(second)
    assert gene_readings(lex, "Newfam") == {(SRC_FAMPLEX, ""): ["TERT"]}
    assert lex.manifest["cache_key"] == second.name != first.name


def test_changed_curated_file_gives_a_new_key(tmp_path, monkeypatch):
    src = copy_sources(tmp_path)
    first = ensure_lexicon(src)
    curated = Path(shutil.copytree(lexicon_mod.data_file("README.md").parent, tmp_path / "lexicons"))
    with open(curated / "synonyms.tsv", "a", encoding="utf-8") as fh:
        fh.write("chemical\tKetaminol\tD007649\ttest synonym\n")
    monkeypatch.setenv("EXTRACTOR_LEXICONS", str(curated))
    second = ensure_lexicon(src)
    assert second != first
    assert concept_ids(Lexicon(second), "Ketaminol", CHEMICAL) == {"D007649"}


def test_rebuild_flag_rebuilds_in_place(tmp_path):
    src = copy_sources(tmp_path)
    first = ensure_lexicon(src)
    created = json.loads((first / "manifest.json").read_text())["created"]
    (first / "marker").write_text("x")
    again = ensure_lexicon(src, rebuild=True)
    assert again == first
    assert not (first / "marker").exists()
    assert json.loads((first / "manifest.json").read_text())["created"] >= created


def test_failed_build_leaves_nothing_behind(tmp_path):
    src = copy_sources(tmp_path)
    # a source that is not gzip: the build fails after it has made its temporary directory
    (src / "mesh" / "mesh_supplementary.tsv.gz").write_bytes(b"not gzip data\n")
    with pytest.raises(Exception):
        ensure_lexicon(src)
    leftovers = list((extractor_home() / "lexicons").iterdir())
    assert leftovers == []


def test_manifest_fields(tiny_lexicon, tiny_lexicon_dir):
    man = tiny_lexicon.manifest
    assert man["builder_version"] == BUILDER_VERSION
    assert man["cache_key"] == tiny_lexicon_dir.name
    roles = {"hgnc", "entities", "relations", "equivalences", "grounding_map", "gene_prefixes", "mesh_descriptors", "mesh_supplementary"}
    assert set(man["sources"]) == roles
    for role, info in man["sources"].items():
        path = Path(info["path"])
        assert path.is_relative_to(FIXTURE_SOURCES), role
        assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), role
        assert info["bytes"] == path.stat().st_size
    assert set(man["curated_files"]) == set(lexicon_mod.BUILD_DATA_FILES)
    counts = man["counts"]
    assert counts["G:hgnc_symbol"] == len(FIXTURE_GENES)
    assert counts["G:hgnc_prev_symbol"] == 5  # FRAP1, PRKM1, PRKM2, PRKM3, PFC
    assert counts["X:CHEBI/grounding"] == 1
    assert counts["C:scr_name"] == 1 and counts["D:scr_name"] == 1
    assert counts["G:bioentities_symbol/equivalence"] == 1
    assert man["genes"] == len(FIXTURE_GENES)
    assert man["families"] == 6  # AKT, GSK3, ERK, MAPK, SMAD, SMAD2_3
    assert man["keys"] > 0 and man["entries"] >= man["keys"]


def test_lexicon_lookup_and_gene_targets(tiny_lexicon):
    lex = tiny_lexicon
    assert key("BDNF") in lex
    assert "nosuchkey" not in lex
    assert lex.lookup("nosuchkey") == ()
    assert "bdnf" in lex.prefixes("bdnfx")
    akt = {(e.source, e.target) for e in entries(lex, "AKT")}
    assert akt == {(SRC_FAMPLEX, "fAKT"), (SRC_ALIAS, f"g{[g.symbol for g in lex.genes].index('AKT1')}")}
    assert symbols(lex, "fAKT") == ["AKT1", "AKT2", "AKT3"]
    assert symbols(lex, "fNOSUCHFAMILY") == []
    assert lex.max_key_length >= len(key("gamma-Aminobutyric Acid"))


def test_supplementary_mapped_ids_may_be_comma_separated(tmp_path):
    from extractor.lexicon import parse_mesh_tsv

    path = tmp_path / "supp.tsv"
    path.write_text("C043060\t3,3-dimethylallyl pyrophosphate\tDMAPP\tD009943,D045782\n", encoding="utf-8")
    (rec,) = parse_mesh_tsv(path, supplementary=True)
    assert rec.mapped_to == ["D009943", "D045782"]


def _gene_builder() -> tuple[LexiconBuilder, dict[str, int]]:
    builder = LexiconBuilder()
    return builder, builder.add_hgnc(_hgnc_rows([("SELP", ""), ("ESPL1", ""), ("PRKCH", ""), ("PRKCA", ""), ("ZFY", "")]))


def _mesh_gene_builder(descriptors: list[MeshRecord], supplementary: list[MeshRecord]) -> LexiconBuilder:
    builder, by_symbol = _gene_builder()
    builder.add_mesh_genes(descriptors, supplementary, by_symbol)
    return builder


def _mesh_genes(builder: LexiconBuilder, term: str) -> set[str]:
    return {builder.genes[int(e.target[1:])].symbol for e in builder.items.get(key(term), {}) if e.source == SRC_MESH_GENE}


def test_mesh_human_protein_synonyms_name_their_gene():
    scr = [
        MeshRecord("C1", "SELP protein, human", ["CD62P protein, human", "selectin-P, human"], mapped_to=["D1"]),
        MeshRecord("C2", "ESPL1 protein, human", ["separase protein, human", "dexamethasone-induced protein, human",
                                                   "lens epithelial protein, human"], mapped_to=["D2"]),
        MeshRecord("C3", "ZFY protein, human", ["finger protein, human"], mapped_to=["D2"]),
        MeshRecord("C4", "Selp protein, mouse", ["mouse selectin, mouse"], mapped_to=["D1"]),
    ]
    b = _mesh_gene_builder([], scr)
    assert _mesh_genes(b, "selectin-P") == {"SELP"}
    assert _mesh_genes(b, "CD62P") == _mesh_genes(b, "CD62P protein") == {"SELP"}
    assert _mesh_genes(b, "separase") == {"ESPL1"}
    # what is left without "protein" is an adjective or a description, not a name
    assert _mesh_genes(b, "dexamethasone-induced") == set()
    assert _mesh_genes(b, "lens epithelial") == set()
    assert _mesh_genes(b, "dexamethasone-induced protein") == {"ESPL1"}
    # an English word with "protein" is no name at all
    assert _mesh_genes(b, "finger protein") == _mesh_genes(b, "finger") == set()
    assert _mesh_genes(b, "mouse selectin") == set()


def test_mesh_descriptor_of_one_human_protein_names_the_gene():
    desc = [
        MeshRecord("D1", "P-Selectin", ["PADGEM", "Selectin, P"], trees=["D12.776.1"]),
        MeshRecord("D2", "Protein Kinase C", ["PKC Serine-Threonine Kinase"], trees=["D12.776.2"]),
        MeshRecord("D3", "Protein Kinase C-alpha", ["PKC-alpha"], trees=["D12.776.2.1"]),
        MeshRecord("D4", "Selectins", [], trees=["D12.776.3"]),
        MeshRecord("D5", "Heart", ["Heart Muscle"], trees=["A07.541"]),
        MeshRecord("D6", "Chromosome Disorders", [], trees=["C23.550"]),
        MeshRecord("D7", "Glycosylphosphatidylinositols", [], trees=["D10.1"]),
    ]
    scr = [
        MeshRecord("C1", "SELP protein, human", ["heart muscle protein, human"], mapped_to=["D1", "D4"]),
        MeshRecord("C2", "ESPL1 protein, human", ["separin protein, human"], mapped_to=["D4"]),
        MeshRecord("C3", "PRKCH protein, human", ["PKC-alpha protein, human", "RDS protein, human"], mapped_to=["D2"]),
        MeshRecord("C4", "PRKCA protein, human", [], mapped_to=["D3"]),
        MeshRecord("C5", "Rare disease syndrome", ["RDS"], mapped_to=["D6"]),
        MeshRecord("C6", "PA2024 fusion protein, human", [], mapped_to=["D1"]),
        MeshRecord("C7", "ZFY protein, human", [], mapped_to=["D7"]),
    ]
    b = _mesh_gene_builder(desc, scr)
    # (an engineered product mapped to the descriptor does not count)
    assert _mesh_genes(b, "P-selectin") == _mesh_genes(b, "PADGEM") == {"SELP"}
    assert _mesh_genes(b, "Glycosylphosphatidylinositols") == set()  # not a protein
    assert _mesh_genes(b, "Selectin, P") == set()  # a permuted entry term
    # a descriptor that several human proteins map to names their class
    assert _mesh_genes(b, "Selectins") == set()
    # a descriptor with narrower descriptors names a class, even if one human record maps to it
    assert _mesh_genes(b, "Protein Kinase C") == set()
    assert _mesh_genes(b, "PKC-alpha") == {"PRKCA"}  # not PRKCH, whose synonym is another descriptor's term
    # a synonym that is a term of a descriptor the record does not map to, or of a disease
    assert _mesh_genes(b, "heart muscle") == set()
    assert _mesh_genes(b, "RDS") == set()


@pytest.mark.shared
def test_broader_descriptors_skip_newer_ones(shared_lexicon):
    # Hemorrhagic Cystitis (D000096722) is filed under Cystitis in three C12 trees: one broader descriptor
    assert shared_lexicon.broader_descriptors("D000096722", 66331, ("C",)) == ["D003556"]
    assert shared_lexicon.broader_descriptors("D000096722", 66331, ("F03",)) == []
    assert shared_lexicon.broader_descriptors("D003556", 66331, ("C",))  # an old descriptor has broader ones too


@pytest.mark.skipif(
    not lexicon_mod.__file__.endswith(".py"),
    reason="counts calls by replacing a function of extractor.lexicon, which its compiled build calls directly",
)
def test_build_parses_each_mesh_file_once(tmp_path, monkeypatch):
    """The build reads each MeSH file once and adds what add_mesh_genes then add_mesh add from the parsed records."""
    desc = [
        "D1\tP-Selectin\tPADGEM|Selectin, P\tD12.776.1",
        "D4\tSelectins\t\tD12.776.3",
        "D6\tChromosome Disorders\t\tC23.550",
        "D7\tGlycosylphosphatidylinositols\t\tD10.1",
        "D8\tSeparase\tSeparin\tD12.644.9",  # a peptide: a chemical, and the gene of its one human record
        "D9\tPyruvic Acid\tAcid, Pyruvic\tD02.241",
    ]
    scr = [
        "C1\tSELP protein, human\tCD62P protein, human\tD1,D4",
        "C2\tESPL1 protein, human\tseparin protein, human\tD8",
        "C5\tRare disease syndrome\tRDS\tD6",
        "C7\tZFY protein, human\t\tD7",
        "C8\tbromopyruvic acid\t3-bromopyruvic acids\tD9",
        "C9\tan organism\t\tD404",
    ]
    paths = {"mesh_descriptors": tmp_path / "desc.tsv.gz", "mesh_supplementary": tmp_path / "supp.tsv.gz"}
    for path, rows in ((paths["mesh_descriptors"], desc), (paths["mesh_supplementary"], scr)):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write("".join(row + "\n" for row in rows))
    rules = MeshTreeRules.load()
    descriptors = list(parse_mesh(paths["mesh_descriptors"], supplementary=False))
    supplementary = list(parse_mesh(paths["mesh_supplementary"], supplementary=True))
    expected, by_symbol = _gene_builder()
    expected.add_mesh_genes(descriptors, supplementary, by_symbol, rules.protein)
    expected.add_mesh(MeshTerms.from_data(descriptors, rules), supplementary)

    parsed: list[Path] = []

    def counting_parse_mesh(path: Path, supplementary: bool):
        parsed.append(path)
        return parse_mesh(path, supplementary)

    monkeypatch.setattr(lexicon_mod, "parse_mesh", counting_parse_mesh)
    builder, by_symbol = _gene_builder()
    lexicon_mod._add_mesh_sources(builder, SourceFiles(tmp_path, paths), by_symbol)
    assert sorted(parsed) == sorted(paths.values())
    assert [(k, list(v)) for k, v in builder.items.items()] == [(k, list(v)) for k, v in expected.items.items()]
    assert builder.counts == expected.counts
    assert builder.mesh_trees == expected.mesh_trees and builder.mesh_trees["D8"] == ("D12.644.9",)
    # the gene reading comes first under a key that also names a chemical
    assert [(e.kind, e.source) for e in builder.items[key("Separase")]] == [(GENE, SRC_MESH_GENE), (CHEMICAL, SRC_MESH_NAME)]
    assert {e.kind for e in builder.items[key("bromopyruvate")]} == {CHEMICAL}
    assert {e.kind for e in builder.items[key("RDS")]} == {DISEASE}


def test_mesh_descriptor_whose_terms_name_another_gene_names_no_gene():
    builder = LexiconBuilder()
    by_symbol = builder.add_hgnc(
        _hgnc_rows(
            [
                ("PLAU", "plasminogen activator, urokinase", ["u-PA"]),
                ("SLURP1", "secreted LY6/PLAUR domain containing 1"),
                ("SELP", "selectin P"),
            ]
        )
    )
    desc = [
        MeshRecord("D1", "Urokinase-Type Plasminogen Activator", ["Urokinase", "U-PA"], trees=["D12.776.1"]),
        MeshRecord("D2", "P-Selectin", ["PADGEM"], trees=["D12.776.2"]),
    ]
    # the only human record mapped to the urokinase descriptor is a relative's, SLURP1's
    scr = [
        MeshRecord("C1", "SLURP1 protein, human", [], mapped_to=["D1"]),
        MeshRecord("C2", "SELP protein, human", [], mapped_to=["D2"]),
    ]
    builder.add_mesh_genes(desc, scr, by_symbol)
    # "U-PA" is PLAU's alias: the descriptor is PLAU's protein, not SLURP1
    assert _mesh_genes(builder, "Urokinase") == set()
    assert _mesh_genes(builder, "PADGEM") == {"SELP"}


def test_curated_synonyms_with_several_ids_are_composite_terms():
    builder = LexiconBuilder()
    builder.add_curated(
        [
            ("disease", "hemorrhagic cystitis", "D006470|D003556", "2"),
            ("disease", "cystic bleeding", "D006470|D006470", "1"),  # one id given twice
        ],
        SRC_LEARNED,
    )
    assert [e.target for e in builder.items[key("hemorrhagic cystitis")]] == ["D006470|D003556"]
    assert [e.target for e in builder.items[key("cystic bleeding")]] == ["D006470"]
    with pytest.raises(ValueError, match="not a MeSH id"):
        builder.add_curated([("disease", "bleeding", "D006470,D003556")])
    with pytest.raises(ValueError, match="not a MeSH id"):
        builder.add_curated([("chemical", "salt", "")])


def test_curated_family_names():
    builder = LexiconBuilder()
    builder.families = {"FZD": (0, 1)}
    builder.add_curated([("family", "Frizzled", "FZD", "the frizzled receptors")])
    assert [(e.kind, e.source, e.target) for e in builder.items[key("Frizzled")]] == [(GENE, SRC_FAMPLEX, "fFZD")]
    # a family that the FamPlex release lacks is skipped, not an error
    builder.add_curated([("family", "Zzz", "ZZZ_unknown", "")])
    assert key("Zzz") not in builder.items
