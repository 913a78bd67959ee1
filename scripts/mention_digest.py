#!/usr/bin/env python3
"""Digest of every mention the matcher finds in the development texts, per job config.

Maintenance script: two builds (or two commits) that print the same digests
find the same mentions, span for span and ID for ID. `.ci/run` compares the
Python sources with the compiled build this way, since a compiled module can
differ from its source in ways no single test shows (mypyc trusts the types
that mypy infers). Also useful before and after a change meant to be
speed-only.

Texts: the captions of ``gold/pfocr-dev``, the BC5CDR dev and GNormPlus
abstracts (title + abstract), under every config in ``configs/``; and the true
text and every engine's reading of ``ocr-noise/kegg_crops.jsonl``, as OCR text
with and without the OCR rules. The last line is the digest of them all.

    .venv/bin/python scripts/mention_digest.py            # ../shared beside the checkout
    .venv/bin/python scripts/mention_digest.py --shared DIR --configs DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=CHECKOUT.parent / "shared", help="the shared data directory")
    ap.add_argument("--configs", type=Path, default=CHECKOUT / "configs", help="job configs to run")
    args = ap.parse_args(argv)

    # imported here: the installed package (sources or compiled build) is what is measured
    from extractor.config import load_config
    from extractor.lexicon import load_lexicon
    from extractor.match import Matcher, MatchOptions, compiled
    from extractor.records import read_records

    lexicon = load_lexicon(str(args.shared / "lexicon-sources"))
    texts: list[str] = []
    for rel in ("gold/pfocr-dev", "corpora/CDR_DevelopmentSet.PubTator.txt", "corpora/GNormPlus_Train.PubTator"):
        records, _ = read_records(args.shared / rel)
        texts += [r.caption for r in records if r.caption]
    readings: list[str] = []
    with open(args.shared / "ocr-noise" / "kegg_crops.jsonl", encoding="utf-8") as fh:
        for line in fh:
            crop = json.loads(line)
            readings.append(crop["truth"])
            readings += [text for _, text in sorted(crop["ocr"].items()) if text]

    def digest(matcher: Matcher, items: list[str]) -> bytes:
        h = hashlib.sha256()
        for text in items:
            h.update(repr([m.to_dict() for m in matcher.find(text)]).encode())
        return h.digest()

    total = hashlib.sha256()
    print(f"build: {'compiled' if compiled() else 'Python sources'}; {len(texts)} texts, {len(readings)} OCR readings")
    for path in sorted(args.configs.glob("*.yaml")):
        d = digest(Matcher(lexicon, load_config(path).annotate_options().match), texts)
        print(f"{path.name:28} {d.hex()[:16]}")
        total.update(d)
    for rules in (True, False):
        d = digest(Matcher(lexicon, MatchOptions(kinds=("genes",), text_type="ocr", ocr_rules=rules)), readings)
        print(f"{'OCR readings, rules ' + ('on' if rules else 'off'):28} {d.hex()[:16]}")
        total.update(d)
    print(f"{'all':28} {total.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
