"""End-to-end smoke test on the fixture lexicon."""

from extractor.match import Matcher


def test_seed_like_caption(tiny_lexicon):
    m = Matcher(tiny_lexicon)
    text = "Ketamine requires BDNF and GSK-3β; it has a fast effect."
    found = {(x.text, getattr(h, "entrez", None) or h.identifier) for x in m.find(text) for h in x.hits}
    assert ("BDNF", "627") in found
    assert ("GSK-3β", "2932") in found
    assert ("Ketamine", "D007649") in found
    assert not any(t in ("has", "fast") for t, _ in found)
