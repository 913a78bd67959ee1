"""Locating source files (and downloading them), checksums, curated data files, atomic writes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from extractor import resources
from extractor.resources import (
    SOURCE_SPECS,
    ResourceError,
    atomic_write_bytes,
    atomic_write_text,
    data_file,
    download_sources,
    extractor_home,
    file_sha256,
    locate_sources,
    read_data_lines,
    read_data_table,
)

from conftest import FIXTURE_SOURCES, FIXTURES

ALT = FIXTURES / "alt-formats"


def _copy_sources(dest: Path) -> Path:
    shutil.copytree(FIXTURE_SOURCES, dest)
    return dest


@pytest.fixture()
def layout(tmp_path, monkeypatch):
    """A fake checkout beside a fake ../shared, and an isolated download cache; no network."""
    checkout = tmp_path / "work" / "main"
    checkout.mkdir(parents=True)
    monkeypatch.setattr(resources, "CHECKOUT_DIR", checkout)
    home = tmp_path / "home"
    monkeypatch.setenv("EXTRACTOR_HOME", str(home))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return {
        "explicit": tmp_path / "explicit",
        "env": tmp_path / "env",
        "shared": tmp_path / "work" / "shared" / "lexicon-sources",
        "cache": home / "sources",
    }


def _all_roles_under(files, root: Path) -> None:
    assert files.root == root
    required = {s.role for s in SOURCE_SPECS if s.required}
    assert required <= set(files.paths)
    for path in files.paths.values():
        assert root in path.parents


# --------------------------------------------------------------------------
# Search order
# --------------------------------------------------------------------------


def test_explicit_directory_comes_first(layout, monkeypatch):
    for name in ("explicit", "env", "shared", "cache"):
        _copy_sources(layout[name])
    monkeypatch.setenv("EXTRACTOR_SOURCES", str(layout["env"]))
    _all_roles_under(locate_sources(layout["explicit"]), layout["explicit"])


def test_environment_variable_before_shared_and_cache(layout, monkeypatch):
    for name in ("env", "shared", "cache"):
        _copy_sources(layout[name])
    monkeypatch.setenv("EXTRACTOR_SOURCES", str(layout["env"]))
    _all_roles_under(locate_sources(), layout["env"])


def test_shared_beside_checkout_before_cache(layout):
    for name in ("shared", "cache"):
        _copy_sources(layout[name])
    _all_roles_under(locate_sources(), layout["shared"])


def test_download_cache_last(layout):
    _copy_sources(layout["cache"])
    _all_roles_under(locate_sources(), layout["cache"])


def test_incomplete_location_is_skipped_not_mixed(layout, monkeypatch):
    _copy_sources(layout["env"])
    shutil.rmtree(layout["env"] / "mesh")
    _copy_sources(layout["shared"])
    monkeypatch.setenv("EXTRACTOR_SOURCES", str(layout["env"]))
    files = locate_sources()
    _all_roles_under(files, layout["shared"])


def test_explicit_directory_is_never_mixed_with_other_locations(layout, monkeypatch):
    _copy_sources(layout["explicit"])
    (layout["explicit"] / "famplex" / "relations.csv").unlink()
    _copy_sources(layout["env"])
    monkeypatch.setenv("EXTRACTOR_SOURCES", str(layout["env"]))
    with pytest.raises(ResourceError) as err:
        locate_sources(layout["explicit"])
    msg = str(err.value)
    assert "famplex/relations.csv" in msg
    assert str(layout["explicit"]) in msg
    assert str(layout["env"]) not in msg


def test_flat_directory_and_file_name_preference(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for sub in ("hgnc", "famplex", "mesh"):
        for f in (FIXTURE_SOURCES / sub).iterdir():
            shutil.copy(f, flat / f.name)
    # both HGNC formats present: the custom download is preferred
    shutil.copy(ALT / "hgnc_complete_set.txt", flat)
    files = locate_sources(flat)
    assert files["hgnc"] == flat / "hgnc_custom_download.tsv.gz"
    assert files["relations"] == flat / "relations.csv"
    assert files.get("gene_prefixes") == flat / "gene_prefixes.csv"


def test_alternative_formats_are_found(tmp_path):
    root = tmp_path / "alt"
    _copy_sources(root)
    (root / "hgnc" / "hgnc_custom_download.tsv.gz").unlink()
    for f in (root / "mesh").iterdir():
        f.unlink()
    shutil.copy(ALT / "hgnc_complete_set.txt", root / "hgnc")
    shutil.copy(ALT / "desc2025.xml", root / "mesh")
    shutil.copy(ALT / "supp2025.xml", root / "mesh")
    files = locate_sources(root)
    assert files["hgnc"].name == "hgnc_complete_set.txt"
    assert files["mesh_descriptors"].name == "desc2025.xml"
    assert files["mesh_supplementary"].name == "supp2025.xml"


def test_optional_source_may_be_missing(tmp_path):
    root = _copy_sources(tmp_path / "src")
    (root / "famplex" / "gene_prefixes.csv").unlink()
    files = locate_sources(root)
    assert files.get("gene_prefixes") is None
    assert files["grounding_map"].is_file()


# --------------------------------------------------------------------------
# Nothing found
# --------------------------------------------------------------------------


def test_nothing_found_and_download_fails_gives_one_clear_error(layout, monkeypatch):
    # a partial $EXTRACTOR_SOURCES (HGNC only), nothing beside the checkout, no cache, no network
    env = layout["env"]
    (env / "hgnc").mkdir(parents=True)
    shutil.copy(FIXTURE_SOURCES / "hgnc" / "hgnc_custom_download.tsv.gz", env / "hgnc")
    monkeypatch.setenv("EXTRACTOR_SOURCES", str(env))
    with pytest.raises(ResourceError) as err:
        locate_sources()
    msg = str(err.value)
    assert "\n" not in msg
    # what is missing
    assert "famplex/entities.csv" in msg and "mesh/mesh_descriptors.tsv.gz" in msg
    assert "hgnc/hgnc_custom_download" not in msg  # that one was there
    # every place it looked, in order
    places = [str(env), str(layout["shared"]), str(layout["cache"])]
    positions = [msg.find(p) for p in places]
    assert all(p >= 0 for p in positions), msg
    assert positions == sorted(positions)
    assert "cannot download" in msg and "network disabled" in msg
    # what to do about it
    assert "--sources" in msg and "EXTRACTOR_SOURCES" in msg


def test_no_download_when_not_allowed(layout, monkeypatch):
    calls = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: calls.append(a))
    with pytest.raises(ResourceError, match="not found"):
        locate_sources(download=False)
    assert calls == []


def test_explicit_missing_directory_does_not_download(layout, monkeypatch):
    calls = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: calls.append(a))
    with pytest.raises(ResourceError) as err:
        locate_sources(layout["explicit"])
    assert "no such directory" in str(err.value)
    assert str(layout["explicit"]) in str(err.value)
    assert calls == []


# --------------------------------------------------------------------------
# Downloading (with a fake urlopen serving the fixture files)
# --------------------------------------------------------------------------


def _fake_publishers(monkeypatch, fail: set[str] = frozenset(), break_midway: set[str] = frozenset()):
    served = {
        "hgnc_complete_set.txt": ALT / "hgnc_complete_set.txt",
        "desc2025.xml": ALT / "desc2025.xml",
        "supp2025.xml": ALT / "supp2025.xml",
    }
    for f in (FIXTURE_SOURCES / "famplex").iterdir():
        served[f.name] = f
    requested = []

    class Broken(io.BytesIO):
        def read(self, *args):
            data = super().read(*args)
            if self.tell() > 10:
                raise ConnectionResetError("connection reset")
            return data

    def urlopen(url, timeout=None):
        name = url.rsplit("/", 1)[-1]
        requested.append(name)
        if name in fail:
            raise urllib.error.URLError("unreachable")
        data = served[name].read_bytes()
        return Broken(data) if name in break_midway else io.BytesIO(data)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return requested


def test_download_into_cache_then_reuse(layout, monkeypatch):
    requested = _fake_publishers(monkeypatch)
    files = locate_sources()
    cache = layout["cache"]
    _all_roles_under(files, cache)
    assert files["hgnc"] == cache / "hgnc" / "hgnc_complete_set.txt"
    assert files["mesh_descriptors"] == cache / "mesh" / "desc2025.xml"
    assert files["entities"].read_bytes() == (FIXTURE_SOURCES / "famplex" / "entities.csv").read_bytes()
    assert len(requested) == len(SOURCE_SPECS)
    # the second time everything comes from the cache
    again = locate_sources()
    assert again.paths == files.paths
    assert len(requested) == len(SOURCE_SPECS)
    leftovers = [p for p in cache.rglob("*") if p.is_file() and p not in files.paths.values()]
    assert leftovers == []


def test_optional_download_failure_is_not_fatal(layout, monkeypatch):
    _fake_publishers(monkeypatch, fail={"gene_prefixes.csv"})
    files = locate_sources()
    assert files.get("gene_prefixes") is None
    assert files["relations"].is_file()


def test_interrupted_download_leaves_no_partial_files(layout, monkeypatch):
    _fake_publishers(monkeypatch, break_midway={"relations.csv"})
    with pytest.raises(ResourceError) as err:
        download_sources(layout["cache"])
    assert "relations.csv" in str(err.value)
    famplex = layout["cache"] / "famplex"
    assert sorted(p.name for p in famplex.iterdir()) == ["entities.csv"]


# --------------------------------------------------------------------------
# Cache location, checksums
# --------------------------------------------------------------------------


def test_extractor_home(monkeypatch, tmp_path):
    monkeypatch.setenv("EXTRACTOR_HOME", str(tmp_path / "h"))
    assert extractor_home() == tmp_path / "h"
    monkeypatch.delenv("EXTRACTOR_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert extractor_home() == tmp_path / ".cache" / "extractor"


def test_file_sha256_and_its_memo(tmp_path):
    f = tmp_path / "data.txt"
    f.write_bytes(b"some source data\n")
    expected = hashlib.sha256(b"some source data\n").hexdigest()
    assert file_sha256(f) == expected
    memo_path = extractor_home() / "checksums.json"
    memo = json.loads(memo_path.read_text(encoding="utf-8"))
    assert list(memo.values()) == [expected]
    (memo_key,) = memo
    assert memo_key.startswith(str(f.resolve()) + "|")
    # the memo answers while path, size and mtime are unchanged
    memo[memo_key] = "0" * 64
    memo_path.write_text(json.dumps(memo), encoding="utf-8")
    assert file_sha256(f) == "0" * 64
    # a changed file is hashed again
    f.write_bytes(b"other source data, longer\n")
    assert file_sha256(f) == hashlib.sha256(b"other source data, longer\n").hexdigest()
    assert len(json.loads(memo_path.read_text(encoding="utf-8"))) == 2


def test_file_sha256_survives_an_unwritable_memo(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("EXTRACTOR_HOME", str(blocker))
    f = tmp_path / "data.txt"
    f.write_bytes(b"abc")
    assert file_sha256(f) == hashlib.sha256(b"abc").hexdigest()


def test_file_sha256_ignores_a_corrupt_memo(tmp_path):
    memo_path = extractor_home() / "checksums.json"
    memo_path.parent.mkdir(parents=True, exist_ok=True)
    memo_path.write_text("{not json", encoding="utf-8")
    f = tmp_path / "data.txt"
    f.write_bytes(b"abc")
    assert file_sha256(f) == hashlib.sha256(b"abc").hexdigest()
    assert json.loads(memo_path.read_text(encoding="utf-8"))  # rewritten as valid JSON


# --------------------------------------------------------------------------
# Curated data files
# --------------------------------------------------------------------------


def test_curated_data_files_of_the_checkout():
    assert data_file("greek.tsv").name == "greek.tsv"
    rows = read_data_table("greek.tsv", 4)
    assert ("β", "Β", "beta", "b") in rows
    assert all(len(r) == 4 for r in rows)
    with pytest.raises(ResourceError, match="no-such-file.tsv"):
        data_file("no-such-file.tsv")


def test_read_data_lines_and_table(tmp_path, monkeypatch):
    lex = tmp_path / "lexicons"
    lex.mkdir()
    (lex / "README.md").write_text("curated\n")
    (lex / "t.tsv").write_text("# header comment\na\tb\n\nc\t\t# trailing comment\nd\n", encoding="utf-8")
    (lex / "bad.tsv").write_text("a\tb\tc\td\n", encoding="utf-8")
    monkeypatch.setenv("EXTRACTOR_LEXICONS", str(lex))
    assert read_data_lines("t.tsv") == ["a\tb", "c", "d"]
    assert read_data_table("t.tsv", 3) == [("a", "b", ""), ("c", "", ""), ("d", "", "")]
    with pytest.raises(ResourceError, match="bad.tsv"):
        read_data_table("bad.tsv", 3)


def test_lexicon_data_dir_env_without_readme_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_LEXICONS", str(tmp_path))
    assert resources.lexicon_data_dir() != tmp_path
    assert (resources.lexicon_data_dir() / "greek.tsv").is_file()


# --------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------


def test_atomic_write_creates_parents_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a" / "b" / "out.json"
    atomic_write_text(target, "first ✓\n")
    atomic_write_text(target, "second ✓\n")
    assert target.read_text(encoding="utf-8") == "second ✓\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_atomic_write_failure_keeps_old_content_and_no_temp_files(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    atomic_write_bytes(target, b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_gives_ordinary_file_permissions(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic = tmp_path / "atomic.txt"
    atomic_write_text(atomic, "x")
    assert atomic.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
