"""Locating lexicon source files, curated data files and the cache directory.

Source files are searched, in order, in: an explicit directory (``--sources``),
``$EXTRACTOR_SOURCES``, ``../shared/lexicon-sources`` beside the checkout, the
download cache under ``$EXTRACTOR_HOME/sources``; failing all of these they are
downloaded from their publishers into that cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


class ResourceError(RuntimeError):
    """A source file, data file or cache location is missing or unusable."""


@dataclass(frozen=True)
class SourceSpec:
    """One source file the lexicon builder can read.

    ``names`` are the accepted file names, most preferred first; ``url`` is where
    a real installation downloads the file (saved as the last of ``names``).
    """

    group: str
    role: str
    names: tuple[str, ...]
    url: str
    required: bool = True


FAMPLEX_URL = "https://raw.githubusercontent.com/sorgerlab/famplex/master/"

SOURCE_SPECS: tuple[SourceSpec, ...] = (
    SourceSpec(
        "hgnc",
        "hgnc",
        ("hgnc_custom_download.tsv.gz", "hgnc_custom_download.tsv", "hgnc_complete_set.txt.gz", "hgnc_complete_set.txt"),
        "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt",
    ),
    SourceSpec("famplex", "entities", ("entities.csv",), FAMPLEX_URL + "entities.csv"),
    SourceSpec("famplex", "relations", ("relations.csv",), FAMPLEX_URL + "relations.csv"),
    SourceSpec("famplex", "equivalences", ("equivalences.csv",), FAMPLEX_URL + "equivalences.csv"),
    SourceSpec("famplex", "grounding_map", ("grounding_map.csv",), FAMPLEX_URL + "grounding_map.csv"),
    SourceSpec("famplex", "gene_prefixes", ("gene_prefixes.csv",), FAMPLEX_URL + "gene_prefixes.csv", required=False),
    SourceSpec(
        "mesh",
        "mesh_descriptors",
        ("mesh_descriptors.tsv.gz", "mesh_descriptors.tsv", "desc2025.xml.gz", "desc2025.xml"),
        "https://nlmpubs.nlm.nih.gov/projects/mesh/MESH_FILES/xmlmesh/desc2025.xml",
    ),
    SourceSpec(
        "mesh",
        "mesh_supplementary",
        ("mesh_supplementary.tsv.gz", "mesh_supplementary.tsv", "supp2025.xml.gz", "supp2025.xml"),
        "https://nlmpubs.nlm.nih.gov/projects/mesh/MESH_FILES/xmlmesh/supp2025.xml",
    ),
)


@dataclass(frozen=True)
class SourceFiles:
    """Resolved source file paths, keyed by role."""

    root: Path
    paths: dict[str, Path]

    def get(self, role: str) -> Path | None:
        return self.paths.get(role)

    def __getitem__(self, role: str) -> Path:
        return self.paths[role]


def extractor_home() -> Path:
    """The cache root: ``$EXTRACTOR_HOME`` or ``~/.cache/extractor``."""
    env = os.environ.get("EXTRACTOR_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "extractor"


def lexicon_data_dir() -> Path:
    """The directory of curated data files (stop lists, overrides, rules)."""
    env = os.environ.get("EXTRACTOR_LEXICONS")
    candidates = [Path(env)] if env else []
    candidates += [PACKAGE_DIR / "lexicons", CHECKOUT_DIR / "lexicons"]
    for cand in candidates:
        if (cand / "README.md").is_file():
            return cand
    raise ResourceError(
        "curated lexicon data not found; looked in " + ", ".join(str(c) for c in candidates)
    )


def data_file(name: str) -> Path:
    """Path of one curated data file in ``lexicons/``."""
    path = lexicon_data_dir() / name
    if not path.is_file():
        raise ResourceError(f"curated data file missing: {path}")
    return path


def read_data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a curated text file (``#`` starts a comment)."""
    out = []
    with open(data_file(name), encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].rstrip("\n").rstrip()
            if line.strip():
                out.append(line)
    return out


def read_data_table(name: str, columns: int) -> list[tuple[str, ...]]:
    """Rows of a curated TSV file, padded or checked to ``columns`` fields."""
    rows = []
    for line in read_data_lines(name):
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) > columns:
            raise ResourceError(f"{name}: too many fields in line {line!r}")
        rows.append(tuple(parts + [""] * (columns - len(parts))))
    return rows


def _candidate_roots(explicit: str | os.PathLike[str] | None) -> list[tuple[str, Path]]:
    roots: list[tuple[str, Path]] = []
    if explicit:
        roots.append(("--sources", Path(explicit).expanduser()))
    env = os.environ.get("EXTRACTOR_SOURCES")
    if env:
        roots.append(("$EXTRACTOR_SOURCES", Path(env).expanduser()))
    roots.append(("shared data beside the checkout", CHECKOUT_DIR.parent / "shared" / "lexicon-sources"))
    roots.append(("download cache", extractor_home() / "sources"))
    return roots


def _find_in_root(root: Path, spec: SourceSpec) -> Path | None:
    for sub in (root / spec.group, root):
        for name in spec.names:
            cand = sub / name
            if cand.is_file():
                return cand
    return None


def locate_sources(
    explicit: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
) -> SourceFiles:
    """Find every source file, downloading missing ones into the cache if allowed.

    An explicit directory must hold all required files (it is never mixed with
    other locations); otherwise the first location that holds them all wins.
    """
    roots = _candidate_roots(explicit)
    if explicit:
        roots = roots[:1]
    missing_report: list[str] = []
    for label, root in roots:
        if not root.is_dir():
            missing_report.append(f"{label} ({root}): no such directory")
            continue
        found = {spec.role: _find_in_root(root, spec) for spec in SOURCE_SPECS}
        absent = [s for s in SOURCE_SPECS if s.required and found[s.role] is None]
        if not absent:
            log.debug("lexicon sources found in %s (%s)", root, label)
            return SourceFiles(root, {k: v for k, v in found.items() if v is not None})
        missing_report.append(
            f"{label} ({root}): missing " + ", ".join(f"{s.group}/{s.names[0]}" for s in absent)
        )
    if download and not explicit:
        cache = extractor_home() / "sources"
        try:
            return download_sources(cache)
        except ResourceError as exc:
            missing_report.append(f"download into {cache}: {exc}")
    raise ResourceError(
        "lexicon source files not found. Looked in: " + "; ".join(missing_report)
        + ". Pass --sources DIR or set EXTRACTOR_SOURCES to a directory with hgnc/, famplex/ and mesh/."
    )


def download_sources(cache: Path, specs: Iterable[SourceSpec] = SOURCE_SPECS, timeout: float = 60.0) -> SourceFiles:
    """Download every source file from its publisher into ``cache``."""
    paths: dict[str, Path] = {}
    for spec in specs:
        dest_dir = cache / spec.group
        existing = _find_in_root(cache, spec)
        if existing is not None:
            paths[spec.role] = existing
            continue
        dest = dest_dir / spec.url.rsplit("/", 1)[-1]
        dest_dir.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s", spec.url)
        import urllib.error  # here: the module is slow to import, and most runs download nothing
        import urllib.request

        partial: str | None = None
        try:
            with urllib.request.urlopen(spec.url, timeout=timeout) as resp, tempfile.NamedTemporaryFile(
                dir=dest_dir, prefix=f".{dest.name}.", suffix=".part", delete=False
            ) as tmp:
                partial = tmp.name
                shutil.copyfileobj(resp, tmp)
            os.replace(partial, dest)
            partial = None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            if spec.required:
                raise ResourceError(f"cannot download {spec.url}: {exc}") from exc
            log.warning("optional source %s not downloaded: %s", spec.url, exc)
            continue
        finally:
            if partial is not None:  # an interrupted download leaves no partial file behind
                Path(partial).unlink(missing_ok=True)
        paths[spec.role] = dest
    return SourceFiles(cache, paths)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, memoised on (path, size, mtime) in the cache directory."""
    st = path.stat()
    memo_key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    memo_path = extractor_home() / "checksums.json"
    memo: dict[str, str] = {}
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if memo_key in memo:
        return memo[memo_key]
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    value = digest.hexdigest()
    memo[memo_key] = value
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(memo_path, json.dumps(memo, sort_keys=True))
    except OSError:
        pass
    return value


_TMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file, ``.<name>.<pid>-<thread>.tmp`` beside ``path``, belongs
    to this writer alone; it is created exclusively (a stale one left by a
    killed process is replaced) with the usual permissions (0o666 less the
    umask). Batch runs write one file per record through here, so it makes as
    few system calls as it can: no random names, no chmod, the directory is
    created only when missing.
    """
    tmp = path.parent / f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        fd = os.open(tmp, _TMP_FLAGS, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _TMP_FLAGS, 0o666)
    except FileExistsError:
        os.unlink(tmp)
        fd = os.open(tmp, _TMP_FLAGS, 0o666)
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
