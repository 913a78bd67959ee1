"""OCR input: figure text from plain text, Google Cloud Vision JSON, Tesseract TSV or hOCR, or images.

Every reader returns plain text with one OCR line (a figure label, usually) per
line: surrounding whitespace stripped, empty lines dropped, line order as the
engine gave it. The parsers are pure functions of the file's text;
:func:`load_ocr_text` picks the file of a figure in an OCR directory, and
:func:`ocr_image` runs Tesseract (through pytesseract, optional extra ``ocr``)
on a figure image. Unreadable or malformed files raise ``ValueError`` with one
line naming the file.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

log = logging.getLogger(__name__)

#: OCR result files looked for in an OCR directory, in this order, with their format.
OCR_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".txt", "text"),
    (".json", "gcv"),
    (".tsv", "tesseract"),
    (".hocr", "hocr"),
    (".html", "hocr"),
)
#: Figure image suffixes looked for by :func:`find_image`, in this order.
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif")
#: Tesseract page segmentation mode for figures: sparse text, labels in no particular order.
FIGURE_PSM = 11

TESSERACT_COLUMNS = (
    "level", "page_num", "block_num", "par_num", "line_num", "word_num",
    "left", "top", "width", "height", "conf", "text",
)  # fmt: skip


class OcrUnavailable(RuntimeError):
    """Tesseract OCR cannot run here (pytesseract, Pillow or the tesseract program is missing)."""


def clean_lines(lines: Iterable[str]) -> str:
    """Join lines with ``\\n``: whitespace runs collapsed to one space, ends stripped, empty lines dropped."""
    out = []
    for line in lines:
        line = " ".join(line.split())
        if line:
            out.append(line)
    return "\n".join(out)


def parse_plain_text(text: str) -> str:
    """Plain OCR text: a leading BOM removed, any newline convention, empty lines dropped."""
    return clean_lines(text.removeprefix("\ufeff").splitlines())


# --------------------------------------------------------------------------
# Google Cloud Vision
# --------------------------------------------------------------------------

# detectedBreak types as names; JSON from protobuf may carry the enum numbers instead.
_BREAK_NAMES = {0: "UNKNOWN", 1: "SPACE", 2: "SURE_SPACE", 3: "EOL_SURE_SPACE", 4: "HYPHEN", 5: "LINE_BREAK"}
_BREAK_TEXT = {"SPACE": " ", "SURE_SPACE": " ", "EOL_SURE_SPACE": "\n", "LINE_BREAK": "\n", "HYPHEN": "-\n"}
# Fields of an AnnotateImageResponse; a response with some of these but no text found no text.
_GCV_RESPONSE_KEYS = frozenset(
    {
        "textAnnotations", "fullTextAnnotation", "error", "context", "labelAnnotations", "logoAnnotations",
        "landmarkAnnotations", "faceAnnotations", "localizedObjectAnnotations", "safeSearchAnnotation",
        "imagePropertiesAnnotation", "cropHintsAnnotation", "webDetection", "productSearchResults",
        "text_annotations", "full_text_annotation",
    }
)  # fmt: skip


def _get(obj: Any, camel: str, snake: str) -> Any:
    """``obj[camel]``, else ``obj[snake]`` (REST JSON is camelCase, protobuf dumps may be snake_case)."""
    if not isinstance(obj, Mapping):
        return None
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def _items(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, list) else []


def _break_text(symbol: Mapping[str, Any]) -> tuple[str, bool]:
    """(text of the symbol's detected break, whether it comes before the symbol)."""
    brk = _get(symbol.get("property"), "detectedBreak", "detected_break")
    if not isinstance(brk, Mapping):
        return "", False
    kind = brk.get("type")
    kind = _BREAK_NAMES.get(kind, "UNKNOWN") if isinstance(kind, int) else str(kind or "UNKNOWN")
    return _BREAK_TEXT.get(kind, ""), bool(_get(brk, "isPrefix", "is_prefix"))


def gcv_full_text_lines(full: Mapping[str, Any]) -> str:
    """Text rebuilt from ``fullTextAnnotation`` pages/blocks/paragraphs/words/symbols and their breaks.

    SPACE and SURE_SPACE give a space, EOL_SURE_SPACE and LINE_BREAK end the
    line, HYPHEN ends it with ``-`` (the hyphen is not a symbol); every
    paragraph ends a line. Without pages, the annotation's own ``text`` is used.
    """
    pages = _items(full, "pages")
    if not pages:
        return parse_plain_text(str(full.get("text") or ""))
    parts: list[str] = []
    for page in pages:
        for block in _items(page, "blocks"):
            for paragraph in _items(block, "paragraphs"):
                for word in _items(paragraph, "words"):
                    for symbol in _items(word, "symbols"):
                        if not isinstance(symbol, Mapping):
                            continue
                        brk, prefix = _break_text(symbol)
                        text = str(symbol.get("text") or "")
                        parts.append(brk + text if prefix else text + brk)
                parts.append("\n")
    return parse_plain_text("".join(parts))


def _gcv_response_text(response: Mapping[str, Any]) -> str:
    error = response.get("error")
    if isinstance(error, Mapping) and (error.get("code") or error.get("message")):
        raise ValueError(f"Cloud Vision error {error.get('code', '?')}: {error.get('message', '')}".strip())
    annotations = _get(response, "textAnnotations", "text_annotations")
    if isinstance(annotations, list) and annotations and isinstance(annotations[0], Mapping):
        description = annotations[0].get("description")
        if isinstance(description, str):
            return parse_plain_text(description)
    full = _get(response, "fullTextAnnotation", "full_text_annotation")
    if isinstance(full, Mapping):
        return gcv_full_text_lines(full)
    if not response or any(k in _GCV_RESPONSE_KEYS for k in response):  # {}: an image without text
        return ""
    raise ValueError(
        "not a Cloud Vision response (no textAnnotations or fullTextAnnotation; keys: "
        + ", ".join(sorted(map(str, response))[:8])
        + ")"
    )


def parse_gcv(data: Any) -> str:
    """Text of a parsed Cloud Vision result: a response object, ``{"responses": [...]}`` or a list of responses.

    Uses ``textAnnotations[0].description`` when present, else rebuilds the lines
    from ``fullTextAnnotation``; several responses are joined in order.
    """
    responses: Any
    if isinstance(data, Mapping) and "responses" in data:
        responses = data["responses"]
    elif isinstance(data, list):
        responses = data
    else:
        responses = [data]
    if not isinstance(responses, list) or not all(isinstance(r, Mapping) for r in responses):
        raise ValueError("not a Cloud Vision response (expected an object or a list of response objects)")
    return clean_lines("\n".join(_gcv_response_text(r) for r in responses).split("\n"))


def parse_gcv_json(text: str) -> str:
    """Text of Cloud Vision JSON (see :func:`parse_gcv`); ValueError if malformed."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return parse_gcv(data)


# --------------------------------------------------------------------------
# Tesseract TSV
# --------------------------------------------------------------------------


def parse_tesseract_tsv(text: str, min_conf: float = 0.0) -> str:
    """Text of Tesseract TSV output (``tesseract IMG OUT tsv`` or ``image_to_data``).

    Words (level 5) are grouped by page, block, paragraph and line, in order of
    appearance; words with confidence -1 or none (or below ``min_conf``) and
    empty words are dropped.
    """
    rows = text.removeprefix("\ufeff").splitlines()
    if not rows or not rows[0].strip():
        return ""
    header = rows[0].rstrip("\r").split("\t")
    missing = [c for c in TESSERACT_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"not a Tesseract TSV (missing columns: {', '.join(missing)})")
    col = {name: header.index(name) for name in TESSERACT_COLUMNS}
    text_col = col["text"]
    lines: dict[tuple[int, ...], list[str]] = {}
    for lineno, raw in enumerate(rows[1:], 2):
        if not raw.strip():
            continue
        fields = raw.split("\t")
        if len(fields) < text_col:
            raise ValueError(f"malformed Tesseract TSV at line {lineno}: {len(fields)} columns, expected {len(header)}")
        try:
            level = int(fields[col["level"]])
            key = tuple(int(fields[col[c]]) for c in ("page_num", "block_num", "par_num", "line_num"))
            conf_field = fields[col["conf"]].strip()
            conf = float(conf_field) if conf_field else -1.0
        except (ValueError, IndexError):
            raise ValueError(f"malformed Tesseract TSV at line {lineno}: non-numeric field") from None
        word = fields[text_col].strip() if len(fields) > text_col else ""
        if level != 5 or not word or conf < 0 or conf < min_conf:
            continue
        lines.setdefault(key, []).append(word)
    return clean_lines(" ".join(words) for words in lines.values())


# --------------------------------------------------------------------------
# hOCR
# --------------------------------------------------------------------------

#: hOCR classes of text lines (Tesseract marks headings, captions and floating text apart from ocr_line).
HOCR_LINE_CLASSES = frozenset({"ocr_line", "ocrx_line", "ocr_header", "ocr_caption", "ocr_textfloat"})
_HOCR_CLASS = re.compile(r"^ocrx?_")
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class _HocrParser(HTMLParser):
    """Collects the words of each hOCR line; text of a line without word elements is taken whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.is_hocr = False
        self._stack: list[tuple[str, str]] = []  # (tag, role: "line" | "word" | "")
        self._line: list[str] | None = None  # words of the open line
        self._line_text: list[str] = []  # text of the open line outside word elements
        self._word: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set()
        for name, value in attrs:
            if name == "class" and value:
                classes.update(value.split())
        if any(_HOCR_CLASS.match(c) for c in classes):
            self.is_hocr = True
        role = ""
        if classes & HOCR_LINE_CLASSES and self._line is None:
            role, self._line, self._line_text = "line", [], []
        elif "ocrx_word" in classes and self._word is None:
            role, self._word = "word", []
        if tag not in _VOID_TAGS:
            self._stack.append((tag, role))
        elif role:
            self._close(role)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _ in self._stack):
            return
        while self._stack:
            open_tag, role = self._stack.pop()
            if role:
                self._close(role)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._word.append(data)
        elif self._line is not None:
            self._line_text.append(data)

    def _close(self, role: str) -> None:
        if role == "word" and self._word is not None:
            word = "".join(self._word).strip()
            self._word = None
            if not word:
                return
            if self._line is not None:
                self._line.append(word)
            else:  # a word outside any line is a line of its own
                self.lines.append(word)
        elif role == "line" and self._line is not None:
            self.lines.append(" ".join(self._line) if self._line else "".join(self._line_text))
            self._line, self._line_text = None, []

    def close(self) -> None:
        super().close()
        while self._stack:
            _, role = self._stack.pop()
            if role:
                self._close(role)


def parse_hocr(text: str) -> str:
    """Text of hOCR (Tesseract's ``hocr`` output): one line per ``ocr_line`` (or header/caption/textfloat)."""
    parser = _HocrParser()
    parser.feed(text.removeprefix("\ufeff"))
    parser.close()
    if not parser.is_hocr:
        raise ValueError("not hOCR (no ocr_page, ocr_line or ocrx_word elements)")
    return clean_lines(parser.lines)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

PARSERS: dict[str, Callable[[str], str]] = {
    "text": parse_plain_text,
    "gcv": parse_gcv_json,
    "tesseract": parse_tesseract_tsv,
    "hocr": parse_hocr,
}


def read_ocr_file(path: Path, fmt: str) -> str:
    """Text of one OCR result file in format ``fmt`` (a key of :data:`PARSERS`); ValueError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read OCR file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: OCR file is not valid UTF-8 (byte {exc.start})") from None
    try:
        return PARSERS[fmt](text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def find_ocr_file(ocr_dir: Path, figid: str) -> tuple[Path, str] | None:
    """The first of ``<figid>.txt``, ``.json``, ``.tsv``, ``.hocr``, ``.html`` in ``ocr_dir``, with its format."""
    for suffix, fmt in OCR_SUFFIXES:
        path = ocr_dir / f"{figid}{suffix}"
        if path.is_file():
            return path, fmt
    return None


def load_ocr_text(ocr_dir: Path, figid: str) -> str | None:
    """OCR text of a figure from its file in ``ocr_dir`` (see :func:`find_ocr_file`); None if there is none."""
    found = find_ocr_file(Path(ocr_dir), figid)
    if found is None:
        return None
    return read_ocr_file(*found)


# --------------------------------------------------------------------------
# Images (Tesseract)
# --------------------------------------------------------------------------


def find_image(images_dir: Path, figid: str) -> Path | None:
    """The figure image ``<figid>.png`` (or .jpg, .jpeg, .tif, .tiff, .gif, any case) in ``images_dir``."""
    for suffix in IMAGE_SUFFIXES:
        for candidate in (suffix, suffix.upper()):
            path = Path(images_dir) / f"{figid}{candidate}"
            if path.is_file():
                return path
    return None


@functools.lru_cache(maxsize=1)
def ocr_unavailable_reason() -> str | None:
    """Why Tesseract OCR cannot run here (one line), or None if it can."""
    try:
        import PIL.Image  # noqa: F401
        import pytesseract
    except ImportError as exc:
        missing = "Pillow" if (exc.name or "").startswith("PIL") else exc.name or str(exc)
        return (
            f"OCR of images needs the Python packages pytesseract and Pillow ({missing} is not installed; "
            "in the checkout: pip install -e '.[ocr]')"
        )
    try:
        pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError):
        return (
            "OCR of images needs the tesseract program, which was not found "
            "(Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng)"
        )
    except (Exception, SystemExit) as exc:  # pytesseract exits on a version it cannot parse
        return f"OCR of images needs a working tesseract program ({type(exc).__name__}: {exc})"
    if "eng" not in languages:
        return "OCR of images needs Tesseract's English data (Debian/Ubuntu: apt-get install tesseract-ocr-eng)"
    return None


def require_ocr() -> None:
    """Raise :class:`OcrUnavailable` with a one-line reason unless Tesseract OCR can run."""
    reason = ocr_unavailable_reason()
    if reason is not None:
        raise OcrUnavailable(reason)


def _prepare_image(image: Any) -> Any:
    """The image with transparency flattened onto white, as 8-bit grayscale (a GIF's first frame)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def ocr_image(path: Path, psm: int = FIGURE_PSM, lang: str = "eng", timeout: float = 300) -> str:
    """OCR text of a figure image with Tesseract: one line per recognized text line.

    Uses sparse-text page segmentation (``--psm 11``), so separate labels stay
    separate lines. ValueError naming the file if the image cannot be read or
    Tesseract fails; :class:`OcrUnavailable` if OCR cannot run here.
    """
    require_ocr()
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            prepared = _prepare_image(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read image ({exc})") from None
    try:
        tsv = pytesseract.image_to_data(prepared, lang=lang, config=f"--psm {psm}", timeout=timeout)
    except pytesseract.TesseractError as exc:
        raise ValueError(f"{path}: Tesseract failed ({' '.join(str(exc.message).split())})") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise ValueError(f"{path}: Tesseract failed ({exc})") from None
    text = parse_tesseract_tsv(tsv)
    log.debug("%s: %d OCR lines", path, text.count("\n") + 1 if text else 0)
    return text
