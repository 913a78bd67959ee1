"""Matching rules for OCR text: look-alike characters, broken tokens, fuzzy matching.

Placeholder: the rules are added here; ``ocr_candidates`` is called by
``Matcher.find`` for OCR text when ``MatchOptions.ocr_rules`` is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .match import Candidate, Matcher, Tokens


def ocr_candidates(matcher: "Matcher", clean: str, toks: "Tokens", found: "list[Candidate]") -> "list[Candidate]":
    """Extra candidates for OCR text, tried where the literal text gives no gene."""
    return []
