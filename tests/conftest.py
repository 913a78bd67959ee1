"""Shared fixtures: a tiny lexicon built from fixture sources, and the ../shared data."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import logging

import pytest

from extractor.lexicon import Lexicon, ensure_lexicon

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
FIXTURE_SOURCES = FIXTURES / "sources"
SHARED = TESTS.parent.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own cache directory unless it asks for the session one."""
    monkeypatch.setenv("EXTRACTOR_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("EXTRACTOR_SOURCES", raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI installs its own log handler on the root logger; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("session-home")


@pytest.fixture(scope="session")
def tiny_lexicon_dir(session_home: Path) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("EXTRACTOR_HOME", str(session_home / "tiny"))
    try:
        return ensure_lexicon(FIXTURE_SOURCES)
    finally:
        mp.undo()


@pytest.fixture()
def tiny_lexicon(tiny_lexicon_dir: Path) -> Lexicon:
    return Lexicon(tiny_lexicon_dir)


def _need_shared() -> None:
    if not (SHARED / "lexicon-sources").is_dir():
        pytest.skip("../shared development data not present")


@pytest.fixture(scope="session")
def shared_lexicon_dir(session_home: Path) -> Path:
    _need_shared()
    mp = pytest.MonkeyPatch()
    mp.setenv("EXTRACTOR_HOME", str(session_home / "shared"))
    try:
        return ensure_lexicon(SHARED / "lexicon-sources")
    finally:
        mp.undo()


@pytest.fixture()
def shared_lexicon(shared_lexicon_dir: Path) -> Lexicon:
    return Lexicon(shared_lexicon_dir)


@pytest.fixture()
def shared() -> Path:
    _need_shared()
    return SHARED
