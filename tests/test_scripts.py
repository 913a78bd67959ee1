"""Maintenance scripts: the rules by which learn_from_pubtator.py learns synonyms; the benchmark's table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from extractor.lexicon import CHEMICAL, SRC_MESH_NAME, Entry
from extractor.normalize import key
from extractor.records import PubtatorDoc, PubtatorMention

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "learn_from_pubtator.py"


def _script():
    spec = importlib.util.spec_from_file_location("learn_from_pubtator", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Lexicon:
    """A lexicon that knows two terms: "aldehyde" as MeSH Aldehydes, "olanzapine" as a descriptor of 2016."""

    def lookup(self, k: str) -> list[Entry]:
        if k == key("aldehyde"):
            return [Entry(CHEMICAL, SRC_MESH_NAME, "Aldehydes", "D000447", "", "")]
        if k == key("olanzapine"):
            return [Entry(CHEMICAL, SRC_MESH_NAME, "Olanzapine", "D000077152", "", "")]
        return []


def _doc(pmid: str, text: str, ident: str, *more: str) -> PubtatorDoc:
    return PubtatorDoc(pmid, text, "", [PubtatorMention(0, len(text), text, "Chemical", (ident, *more))])


def test_a_single_mention_fills_a_gap_but_does_not_overrule_the_lexicon():
    learn = _script().learn_synonyms
    docs = [_doc("1", "dizocilpine", "D016291"), _doc("2", "aldehyde", "D000079")]
    rows, _ = learn(docs, _Lexicon(), min_count=2, min_share=0.8, min_count_new=1, min_count_composite=2)
    assert [r[1:3] for r in rows] == [("dizocilpine", "D016291")]
    # two mentions overrule it
    more = docs + [_doc("3", "aldehyde", "D000079")]
    rows, _ = learn(more, _Lexicon(), min_count=2, min_share=0.8, min_count_new=1, min_count_composite=2)
    assert [r[1:3] for r in rows] == [("aldehyde", "D000079"), ("dizocilpine", "D016291")]
    # a gap needs as many as asked
    assert learn(docs, _Lexicon(), min_count=2, min_share=0.8, min_count_new=2, min_count_composite=2) == ([], [])


def test_a_composite_mention_is_learned_with_all_its_ids_from_enough_mentions():
    learn = _script().learn_synonyms
    one = [_doc("1", "uric acid salts", "D014527", "D012492")]
    assert learn(one, _Lexicon(), min_count=2, min_share=0.8, min_count_new=1, min_count_composite=2) == ([], [])
    two = one + [_doc("2", "uric acid salts", "D014527", "D012492")]
    rows, _ = learn(two, _Lexicon(), min_count=2, min_share=0.8, min_count_new=1, min_count_composite=2)
    assert [r[1:3] for r in rows] == [("uric acid salts", "D014527|D012492")]
    # an id given twice is one id: not a composite
    rows, _ = learn([_doc("1", "gout salt", "D014527", "D014527")], _Lexicon(), 2, 0.8, 1, 2)
    assert [r[1:3] for r in rows] == [("gout salt", "D014527")]


def test_an_id_replaced_by_a_newer_descriptor_is_learned_as_a_former_id():
    learn = _script().learn_synonyms
    docs = [_doc("1", "olanzapine", "C076029")]
    # with the corpus's MeSH version: one mention fills that version's gap
    rows, former = learn(docs, _Lexicon(), 2, 0.8, 1, 2, newest_descriptor="D066331")
    assert rows == [] and [r[1:4] for r in former] == [("olanzapine", "C076029", "D000077152")]
    # without it, the text is a synonym overruling today's MeSH, which takes two mentions
    assert learn(docs, _Lexicon(), 2, 0.8, 1, 2) == ([], [])
    rows, former = learn(docs * 2, _Lexicon(), 2, 0.8, 1, 2)
    assert [r[1:3] for r in rows] == [("olanzapine", "C076029")] and former == []


def test_a_synonym_its_annotators_mostly_leave_unmarked_is_not_learned():
    learn = _script().learn_synonyms
    marked = _doc("1", "dizocilpine", "D016291")
    unmarked = [PubtatorDoc(str(i), "dizocilpine was given", "", []) for i in range(2, 6)]
    # found in five documents, marked in one (20%)
    assert learn([marked, *unmarked], _Lexicon(), 2, 0.8, 1, 2, min_doc_rate=0.25) == ([], [])
    rows, _ = learn([marked, *unmarked[:2]], _Lexicon(), 2, 0.8, 1, 2, min_doc_rate=0.25)  # one of three
    assert [r[1:3] for r in rows] == [("dizocilpine", "D016291")]
    # inside a longer word it is not found
    assert _script().doc_rate([PubtatorDoc("7", "nondizocilpine-like", "", [])], "dizocilpine") == (0, 0)


BENCHMARK = Path(__file__).resolve().parent.parent / "scripts" / "benchmark.py"


def test_benchmark_table_shows_scores_computed_from_the_counts(monkeypatch):
    spec = importlib.util.spec_from_file_location("benchmark", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "benchmark", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    # F1 = 3044 / 11686 = 0.26048: rounded to four places (0.2605) and then to three it would read 0.261
    counts = {"tp": 1522, "fp": 4539, "fn": 4103, "precision": 0.2511, "recall": 0.2706, "f1": 0.2605}
    result = bench.SuiteResult("pfocr-dev", [bench.Row("pfocr-dev", "chemicals", 891, counts)])
    meta = dict(lexicon_seconds=0.1, setup_seconds=0.0, total_seconds=1.0, peak_rss_mb=1, children_peak_rss_mb=1)
    line = bench.format_table([result], meta).splitlines()[2]
    assert line.split()[6:9] == ["0.251", "0.271", "0.260"]
