#!/usr/bin/env python3
"""Learn chemical/disease synonyms and stop words from an annotated PubTator *training* corpus.

Maintenance script; writes three curated data files that the lexicon builder and
the matcher read:

- ``lexicons/learned_synonyms.tsv``: mention texts that the training
  annotations map consistently to one MeSH id, where our MeSH-built lexicon
  does not already give that id (the MeSH exports carry only the preferred
  concept's entry terms, so "breast cancer" or "convulsions" are missing);
- ``lexicons/learned_former_ids.tsv``: mention texts that the annotators, with
  an older MeSH version, mapped to an id since replaced by a newer descriptor
  ("olanzapine": supplementary record C076029, now descriptor D000077152); read
  only with the matcher option ``newest_descriptor``;
- ``lexicons/learned_stopwords.tsv``: words the matcher finds as chemicals or
  diseases but the annotators almost never marked ("solution", "syndrome").

Only pass training splits: the files must not be learned from the data the
project is measured on.

    python scripts/learn_from_pubtator.py ../shared/corpora/CDR_TrainingSet.PubTator.txt --newest-descriptor D066331
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.lexicon import (  # noqa: E402
    CHEMICAL,
    COMPOSITE_SEP,
    DISEASE,
    SRC_LEARNED,
    VARIANT_FORMER,
    load_lexicon,
    mesh_number,
)
from extractor.match import Matcher, MatchOptions, Rules, concept_rank  # noqa: E402
from extractor.normalize import key  # noqa: E402
from extractor.records import PubtatorDoc, iter_pubtator  # noqa: E402

KINDS = {"Chemical": ("chemical", CHEMICAL), "Disease": ("disease", DISEASE)}


def is_abbreviation(text: str) -> bool:
    """Short forms without lower-case words are document-local abbreviations ("LID", "PD")."""
    letters = [c for c in text if c.isalpha()]
    return len(text) <= 6 and not any(c.islower() for c in letters[1:])


def learn_synonyms(
    docs: list[PubtatorDoc],
    lex,
    min_count: int,
    min_share: float,
    min_count_new: int,
    min_count_composite: int,
    newest_descriptor: str = "",
    min_doc_rate: float = 0.0,
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Consistent training mentions our lexicon gets wrong: synonyms and former ids.

    Synonyms are (kind, text, MeSH id, count, share). A text the lexicon gives
    another id needs ``min_count`` mentions; a text it does not know at all needs
    ``min_count_new`` (it fills a gap rather than overruling MeSH). A composite
    mention, annotated with several ids, gives ids joined by "|"; it needs
    ``min_count_composite`` mentions, as most are one-off coordinations ("renal
    and hepatic dysfunction") that the matcher reads word by word.

    Former ids are (kind, text, former id, current id, count): with
    ``newest_descriptor`` (the last descriptor of the MeSH version the corpus was
    annotated with), a text the lexicon gives a descriptor created later (a drug's
    supplementary record made a descriptor: "olanzapine") and the annotators an
    older id. Such a text is a gap in that MeSH version (``min_count_new``), not a
    synonym for today's.

    A text found in three or more documents must be annotated, as it is, in at
    least ``min_doc_rate`` of them: the annotators marked "hemorrhagic" alone in
    one of the six documents that have the word.
    """
    by_key: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    texts: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    docs_with: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for doc in docs:
        for m in doc.mentions:
            if m.type not in KINDS or not m.ids or any(i in ("-1", "") for i in m.ids):
                continue
            kind = KINDS[m.type][0]
            k = (kind, key(m.text))
            # a composite mention ("hemorrhagic cystitis": Hemorrhage and Cystitis) keeps all its ids
            by_key[k][COMPOSITE_SEP.join(dict.fromkeys(m.ids))] += 1
            texts[k][m.text] += 1
            docs_with[k].add(doc.pmid)
    out: list[tuple[str, ...]] = []
    former: list[tuple[str, ...]] = []
    newest = mesh_number(newest_descriptor) if newest_descriptor else 0
    for (kind, k), ids in sorted(by_key.items()):
        ident, count = ids.most_common(1)[0]
        total = sum(ids.values())
        share = count / total
        text = texts[(kind, k)].most_common(1)[0][0]
        if total < min(min_count, min_count_new) or share < min_share or len(k) < 3:
            continue
        if is_abbreviation(text) and len(docs_with[(kind, k)]) < 3:
            continue
        code = KINDS["Chemical" if kind == "chemical" else "Disease"][1]
        entries = [e for e in lex.lookup(k) if e.kind == code and e.source != SRC_LEARNED and e.variant != VARIANT_FORMER]
        current = min(entries, key=concept_rank).target if entries else ""
        if current == ident:
            continue  # the lexicon already gives this id
        if newest and current.startswith("D") and mesh_number(current) > newest and COMPOSITE_SEP not in ident:
            if total >= min_count_new:
                former.append((kind, text, ident, current, str(total)))
            continue
        if total < (min_count if entries else min_count_new):
            continue
        if COMPOSITE_SEP in ident and total < min_count_composite:
            continue
        if min_doc_rate > 0:
            found, annotated = doc_rate(docs, text)
            if found >= 3 and annotated < min_doc_rate * found:
                continue
        out.append((kind, text, ident, str(total), f"{share:.2f}"))
    return out, former


def doc_rate(docs: list[PubtatorDoc], text: str) -> tuple[int, int]:
    """(documents where ``text`` occurs, documents where the annotators marked it there as it is).

    Matching ignores case, at word boundaries.
    """
    pattern = re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])", re.IGNORECASE)
    found = annotated = 0
    for doc in docs:
        spans = [m.span() for m in pattern.finditer(doc.text)]
        if spans:
            found += 1
            marked = {(m.start, m.end) for m in doc.mentions}
            annotated += any(span in marked for span in spans)
    return found, annotated


def learn_stopwords(docs: list[PubtatorDoc], lex, min_docs: int, max_rate: float) -> list[tuple[str, ...]]:
    """(kind, word, predicted docs, annotated docs) for words rarely annotated where the matcher finds them."""
    rules = dataclasses.replace(Rules.load(), learned_stop=frozenset())  # learn afresh, not from the last run
    matcher = Matcher(lex, MatchOptions(kinds=("chemicals", "diseases")), rules)
    predicted: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    annotated: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for doc in docs:
        gold = [(m.start, m.end, KINDS[m.type][1]) for m in doc.mentions if m.type in KINDS]
        for m in matcher.find(doc.text):
            word = (m.kind, m.text.lower())
            predicted[word].add(doc.pmid)
            # annotated only if the annotators marked these very words (a longer gold
            # mention around them names something else)
            if any(abs(s - m.start) <= 1 and abs(e - m.end) <= 1 and k == m.kind for s, e, k in gold):
                annotated[word].add(doc.pmid)
    out = []
    names = {CHEMICAL: "chemical", DISEASE: "disease"}
    for (kind, word), pmids in sorted(predicted.items()):
        n, k = len(pmids), len(annotated[(kind, word)])
        if n >= min_docs and k / n <= max_rate:
            out.append((names[kind], word, str(n), str(k)))
    return out


def write_table(path: Path, comments: str, rows: list[tuple[str, ...]]) -> None:
    """Write a curated TSV file: its comment lines, then one tab-separated line per row."""
    path.write_text(comments + "".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("training", nargs="+", help="PubTator training file(s)")
    parser.add_argument("--min-count", type=int, default=2, help="mentions a synonym needs to overrule the lexicon")
    parser.add_argument(
        "--min-count-new", type=int, default=1, help="mentions a synonym needs where the lexicon has no such term"
    )
    parser.add_argument(
        "--min-count-composite", type=int, default=2, help="mentions a synonym with several ids (a composite) needs"
    )
    parser.add_argument(
        "--newest-descriptor",
        default="",
        help="the last MeSH descriptor of the version the corpus was annotated with (BC5CDR: D066331)",
    )
    parser.add_argument(
        "--min-doc-rate",
        type=float,
        default=0.25,
        help="share of the documents with a synonym's text (if 3 or more) that must annotate it as it is",
    )
    parser.add_argument("--min-share", type=float, default=0.8, help="share of its mentions with the same id")
    parser.add_argument("--stop-min-docs", type=int, default=2, help="documents a stop word is found in")
    parser.add_argument("--stop-max-rate", type=float, default=0.2, help="largest share of those annotated")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "lexicons")
    args = parser.parse_args()

    docs = [d for path in args.training for d in iter_pubtator(path) if isinstance(d, PubtatorDoc)]
    sources = ", ".join(Path(p).name for p in args.training)
    lex = load_lexicon()
    synonyms, former = learn_synonyms(
        docs,
        lex,
        args.min_count,
        args.min_share,
        args.min_count_new,
        args.min_count_composite,
        args.newest_descriptor,
        args.min_doc_rate,
    )
    header = (
        f"# Learned by scripts/learn_from_pubtator.py from {sources} ({len(docs)} documents;\n"
        "# training data only). Regenerate with the script rather than editing by hand.\n"
    )
    write_table(
        args.out_dir / "learned_synonyms.tsv",
        header
        + f"# Mention texts the annotators mapped to one MeSH id ({args.min_share:.0%} of their mentions)\n"
        + f"# where the MeSH-built lexicon gives another id (at least {args.min_count} mentions)\n"
        + f"# or has no such term (at least {args.min_count_new}). A composite mention, annotated\n"
        + f"# with several ids (joined by |), needs at least {args.min_count_composite}. A text found in 3 or\n"
        + f"# more documents must be annotated, as it is, in at least {args.min_doc_rate:.0%} of them.\n"
        + "# kind\ttext\tMeSH id\tmentions\tshare\n",
        synonyms,
    )
    write_table(
        args.out_dir / "learned_former_ids.tsv",
        header
        + f"# Mention texts the annotators (MeSH up to {args.newest_descriptor or '-'}) mapped to an id that MeSH\n"
        + "# has since replaced by a newer descriptor (a drug's supplementary record made a descriptor).\n"
        + "# Read only by matchers with the option newest_descriptor; the id field is the former id.\n"
        + "# kind\ttext\tformer MeSH id\tcurrent MeSH id\tmentions\n",
        former,
    )
    stops = learn_stopwords(docs, lex, args.stop_min_docs, args.stop_max_rate)
    write_table(
        args.out_dir / "learned_stopwords.tsv",
        header
        + f"# Words found as chemicals or diseases in at least {args.stop_min_docs} documents but annotated\n"
        + f"# in at most {args.stop_max_rate:.0%} of them; not reported in prose.\n"
        + "# kind\tword (lower case)\tdocuments found\tdocuments annotated\n",
        stops,
    )
    print(f"{len(synonyms)} synonyms, {len(former)} former ids, {len(stops)} stop words written to {args.out_dir}")


if __name__ == "__main__":
    main()
