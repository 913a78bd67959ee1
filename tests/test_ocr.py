"""OCR input: Cloud Vision JSON, Tesseract TSV and hOCR parsing, OCR directories, images, and the CLI wiring."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor import ocr
from extractor.cli import main
from extractor.config import Config, ConfigError, validate, with_overrides

from conftest import FIXTURE_SOURCES, FIXTURES

OCR_FIXTURES = FIXTURES / "ocr"
GCV_LINES = ["BDNF", "MTOR", "GSK-3β", "Ketamine", "treatment", "p-ERK1/2 and AKT", "phospho-", "lipase"]
# tesseract.tsv and tesseract.hocr are Tesseract 5.3 output (--psm 3) for one drawn figure
TESSERACT_LINES = ["BDNF MTOR", "Ketamine GSK3B", "treatment", "p-AKT & ERK1/2"]


def lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def gcv_fixture() -> dict[str, Any]:
    return json.loads((OCR_FIXTURES / "gcv.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Google Cloud Vision
# --------------------------------------------------------------------------


def test_gcv_uses_the_full_text_description() -> None:
    assert lines(ocr.parse_gcv_json((OCR_FIXTURES / "gcv.json").read_text(encoding="utf-8"))) == GCV_LINES


def test_gcv_description_wins_over_full_text_annotation() -> None:
    data = gcv_fixture()
    data["responses"][0]["textAnnotations"][0]["description"] = "BDNF\n\n  only this  \n"
    assert lines(ocr.parse_gcv(data)) == ["BDNF", "only this"]


def test_gcv_rebuilds_lines_from_full_text_annotation() -> None:
    data = gcv_fixture()
    response = data["responses"][0]
    del response["textAnnotations"]
    response["fullTextAnnotation"]["text"] = "not used when there are pages"
    # every break type occurs: SPACE, SURE_SPACE, EOL_SURE_SPACE, LINE_BREAK, HYPHEN, and none inside GSK-3β
    assert lines(ocr.parse_gcv(data)) == GCV_LINES
    assert lines(ocr.parse_gcv(response)) == GCV_LINES  # an unwrapped response
    assert lines(ocr.parse_gcv([response, {"textAnnotations": [{"description": "MYC"}]}])) == GCV_LINES + ["MYC"]


def test_gcv_paragraphs_end_lines_and_protobuf_spellings() -> None:
    def sym(text: str, brk: Any = None, prefix: bool = False) -> dict[str, Any]:
        s: dict[str, Any] = {"text": text}
        if brk is not None:
            s["property"] = {"detected_break": {"type": brk, "is_prefix": prefix}}
        return s

    para1 = {"words": [{"symbols": [sym("T"), sym("N"), sym("F", 1)]}, {"symbols": [sym("x")]}]}
    para2 = {"words": [{"symbols": [sym("I", 2, prefix=True), sym("L"), sym("6", 4)]}, {"symbols": [sym("R", 5)]}]}
    response = {"full_text_annotation": {"pages": [{"blocks": [{"paragraphs": [para1, para2]}]}]}}
    assert lines(ocr.parse_gcv(response)) == ["TNF x", "IL6-", "R"]


def test_gcv_without_text() -> None:
    assert ocr.parse_gcv({}) == ""
    assert ocr.parse_gcv({"responses": [{}]}) == ""
    assert ocr.parse_gcv({"responses": [{"context": {"uri": "gs://b/f.png"}}]}) == ""
    assert ocr.parse_gcv({"fullTextAnnotation": {"text": "AKT\n"}}) == "AKT"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"responses": [{"error": {"code": 3, "message": "Bad image data."}}]}, "Cloud Vision error 3: Bad image data."),
        ({"words": ["BDNF"]}, "not a Cloud Vision response"),
        ({"responses": "BDNF"}, "not a Cloud Vision response"),
        ([1, 2], "not a Cloud Vision response"),
    ],
)
def test_gcv_errors(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ocr.parse_gcv(data)


# --------------------------------------------------------------------------
# Tesseract TSV and hOCR
# --------------------------------------------------------------------------


def test_tesseract_tsv_groups_words_by_line() -> None:
    text = (OCR_FIXTURES / "tesseract.tsv").read_text(encoding="utf-8")
    assert lines(ocr.parse_tesseract_tsv(text)) == TESSERACT_LINES


def test_tesseract_tsv_groups_by_key_and_drops_unsure_words() -> None:
    head = "\t".join(ocr.TESSERACT_COLUMNS)
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t9\t9\t95.1\tBDNF",
        "5\t1\t2\t1\t1\t1\t0\t0\t9\t9\t80\tMTOR",
        "5\t1\t1\t1\t1\t2\t0\t0\t9\t9\t-1\tnoise",
        "5\t1\t1\t1\t1\t3\t0\t0\t9\t9\t\tnoconf",
        "5\t1\t1\t1\t1\t4\t0\t0\t9\t9\t12.5\tTrkB",
        "5\t1\t1\t1\t2\t1\t0\t0\t9\t9\t90\t",
        "5\t1\t3\t1\t1\t1\t0\t0\t9\t9\t90",
        "4\t1\t1\t1\t1\t0\t0\t0\t9\t9\t-1\tline-level text is ignored",
    ]
    text = "\n".join([head, *rows]) + "\n"
    assert lines(ocr.parse_tesseract_tsv(text)) == ["BDNF TrkB", "MTOR"]
    assert lines(ocr.parse_tesseract_tsv(text, min_conf=50)) == ["BDNF", "MTOR"]
    assert ocr.parse_tesseract_tsv("") == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ("level\tpage_num\ttext\n5\t1\tBDNF\n", "not a Tesseract TSV .missing columns: block_num"),
        ("\t".join(ocr.TESSERACT_COLUMNS) + "\n5\t1\t1\t1\tx\t1\t0\t0\t9\t9\t90\tBDNF\n", "line 2: non-numeric"),
        ("\t".join(ocr.TESSERACT_COLUMNS) + "\n5\t1\t1\n", "line 2: 3 columns"),
    ],
)
def test_tesseract_tsv_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ocr.parse_tesseract_tsv(text)


def test_hocr_one_line_per_ocr_line() -> None:
    # the fixture's last line is an ocr_caption, as Tesseract writes for caption blocks
    text = (OCR_FIXTURES / "tesseract.hocr").read_text(encoding="utf-8")
    assert lines(ocr.parse_hocr(text)) == TESSERACT_LINES


def test_hocr_nested_markup_and_lines_without_words() -> None:
    text = (
        "<html><body><div class='ocr_page'>"
        "<span class='ocr_line'><span class='ocrx_word'><strong>GSK</strong>3B</span>"
        " <span class='ocrx_word'>&lt;p&gt;</span><br/></span>"
        "<span class='ocr_header'>IL-6 &amp;\n TNF</span>"
        "<span class='ocr_line'><span class='ocrx_word'> </span></span>"
        "<span class='ocrx_word'>MYC</span>"
        "</div></body></html>"
    )
    assert lines(ocr.parse_hocr(text)) == ["GSK3B <p>", "IL-6 & TNF", "MYC"]
    assert ocr.parse_hocr("<html><body><div class='ocr_page' title='bbox 0 0 9 9'></div></body></html>") == ""


def test_hocr_rejects_plain_html() -> None:
    with pytest.raises(ValueError, match="not hOCR"):
        ocr.parse_hocr("<html><body><p>BDNF</p></body></html>")


def test_plain_text_cleanup() -> None:
    assert lines(ocr.parse_plain_text("\ufeffBDNF \r\n\r\n  GSK-3β\tp38\rAKT\n\n")) == ["BDNF", "GSK-3β p38", "AKT"]


# --------------------------------------------------------------------------
# OCR directories
# --------------------------------------------------------------------------


def _ocr_dir(directory: Path, figid: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{figid}.txt").write_text("from txt\n", encoding="utf-8")
    (directory / f"{figid}.json").write_text(json.dumps({"textAnnotations": [{"description": "from json"}]}))
    shutil.copy(OCR_FIXTURES / "tesseract.tsv", directory / f"{figid}.tsv")
    (directory / f"{figid}.hocr").write_text("<div class='ocr_page'><span class='ocr_line'>from hocr</span></div>")
    (directory / f"{figid}.html").write_text("<div class='ocr_page'><span class='ocr_line'>from html</span></div>")
    return directory


def test_load_ocr_text_priority(tmp_path: Path) -> None:
    d = _ocr_dir(tmp_path / "ocr", "F1")
    seen = []
    for suffix in (".txt", ".json", ".tsv", ".hocr", ".html"):
        seen.append(ocr.load_ocr_text(d, "F1"))
        (d / f"F1{suffix}").unlink()
    assert seen == ["from txt", "from json", "\n".join(TESSERACT_LINES), "from hocr", "from html"]
    assert ocr.load_ocr_text(d, "F1") is None
    assert ocr.load_ocr_text(d, "F2") is None


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("F1.txt", b"BDNF\n\xff\xfeGSK3B\n", r"F1\.txt: OCR file is not valid UTF-8 \(byte 5\)"),
        ("F1.json", b'{"responses": [{"textAnnotations": [}]}', r"F1\.json: malformed JSON: .* at line 1, column 37"),
        ("F1.json", b'{"pages": []}', r"F1\.json: not a Cloud Vision response"),
        ("F1.tsv", b"BDNF\tMTOR\n", r"F1\.tsv: not a Tesseract TSV"),
        ("F1.hocr", b"<html><p>BDNF</p></html>", r"F1\.hocr: not hOCR"),
    ],
)
def test_load_ocr_text_errors_name_the_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ValueError, match=message) as info:
        ocr.load_ocr_text(tmp_path, "F1")
    assert str(tmp_path / name) in str(info.value)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------
# The CLI
# --------------------------------------------------------------------------


def _write_records(directory: Path, figids: list[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for figid in figids:
        meta = {"figid": figid, "caption": "A pathway figure."}
        (directory / f"{figid}.md").write_text("---\n" + yaml.safe_dump(meta) + "---\n", encoding="utf-8")
    return directory


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _entrez(out: Path, figid: str) -> set[str]:
    return {g["entrez"] for g in _front_matter(out / f"{figid}.md")["genes"]}


def test_annotate_reads_every_ocr_format(tmp_path: Path) -> None:
    figids = ["fig-txt", "fig-gcv", "fig-tsv", "fig-hocr", "fig-none", "fig-bad"]
    records = _write_records(tmp_path / "records", figids)
    ocr_dir = tmp_path / "ocr"
    ocr_dir.mkdir()
    (ocr_dir / "fig-txt.txt").write_text("BDNF\n\nGSK3B\n", encoding="utf-8")
    shutil.copy(OCR_FIXTURES / "gcv.json", ocr_dir / "fig-gcv.json")
    shutil.copy(OCR_FIXTURES / "tesseract.tsv", ocr_dir / "fig-tsv.tsv")
    shutil.copy(OCR_FIXTURES / "tesseract.hocr", ocr_dir / "fig-hocr.hocr")
    (ocr_dir / "fig-bad.json").write_text('{"responses": [', encoding="utf-8")
    out = tmp_path / "out"
    argv = ["annotate", str(records), "--out", str(out), "--ocr-dir", str(ocr_dir)]
    rc = main([*argv, "--sources", str(FIXTURE_SOURCES), "--workers", "1", "-q"])
    assert rc == 3  # fig-bad's OCR file is malformed; the others are written
    assert _entrez(out, "fig-txt") == {"627", "2932"}  # BDNF, GSK3B
    assert {"627", "2475", "2932"} <= _entrez(out, "fig-gcv")  # BDNF, MTOR, GSK-3β
    assert {"627", "2475", "2932"} <= _entrez(out, "fig-tsv")
    assert {"627", "2475", "2932"} <= _entrez(out, "fig-hocr")
    assert _entrez(out, "fig-none") == set()
    assert not (out / "fig-bad.md").exists()
    manifest = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["records_failed"] == 1
    assert "fig-bad.json: malformed JSON" in manifest["run"]["errors"][0]


def test_images_flag_fails_early_without_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _write_records(tmp_path / "records", ["F1"])
    images = tmp_path / "images"
    images.mkdir()
    monkeypatch.setattr(ocr, "ocr_unavailable_reason", lambda: "OCR of images needs the tesseract program")
    out = tmp_path / "out"
    rc = main(["annotate", str(records), "--out", str(out), "--images", str(images), "--sources", str(FIXTURE_SOURCES)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "images_dir: OCR of images needs the tesseract program" in err
    assert not out.exists()


def test_images_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="images_dir: no such file or directory"):
        validate(with_overrides(Config(), {"images_dir": str(tmp_path / "missing")}))


def test_unavailable_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    check = ocr.ocr_unavailable_reason.__wrapped__  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "pytesseract", None)
        assert "pytesseract is not installed" in (check() or "")
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(pytesseract, "get_tesseract_version", pytesseract.get_tesseract_version.__wrapped__)
    monkeypatch.setattr(pytesseract, "get_languages", pytesseract.get_languages.__wrapped__)
    reason = check() or ""
    assert "tesseract program" in reason and "tesseract-ocr" in reason and "\n" not in reason


def test_find_image(tmp_path: Path) -> None:
    assert ocr.find_image(tmp_path, "F1") is None
    (tmp_path / "F1.gif").write_bytes(b"")
    (tmp_path / "F1.JPG").write_bytes(b"")
    assert ocr.find_image(tmp_path, "F1") == tmp_path / "F1.JPG"
    (tmp_path / "F1.png").write_bytes(b"")
    assert ocr.find_image(tmp_path, "F1") == tmp_path / "F1.png"


# --------------------------------------------------------------------------
# Tesseract on images
# --------------------------------------------------------------------------


def _font(size: int) -> Any:
    from PIL import ImageFont

    candidates = [
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
        Path("/Library/Fonts/Arial.ttf"),
        Path("C:/Windows/Fonts/arial.ttf"),
    ]
    try:
        out = subprocess.run(
            ["fc-list", ":fontformat=TrueType", "file"], capture_output=True, text=True, timeout=10, check=False
        )
        candidates += [Path(line.split(":")[0].strip()) for line in sorted(out.stdout.splitlines()) if line.strip()]
    except (OSError, subprocess.SubprocessError):
        pass
    for path in candidates:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    pytest.skip("no TrueType font found to draw a test image")


@pytest.fixture()
def tesseract() -> None:
    reason = ocr.ocr_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def _draw_figure(path: Path, labels: list[tuple[str, int, int]], mode: str = "RGB") -> Path:
    from PIL import Image, ImageDraw

    font = _font(60)
    if mode == "RGBA":  # black text on a transparent background
        image = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
        fill: Any = (0, 0, 0, 255)
    else:
        image = Image.new("RGB", (1000, 500), "white")
        fill = "black"
    draw = ImageDraw.Draw(image)
    for text, x, y in labels:
        draw.text((x, y), text, font=font, fill=fill)
    image.save(path)
    return path


def test_ocr_image_reads_drawn_labels(tmp_path: Path, tesseract: None) -> None:
    image = _draw_figure(tmp_path / "F1.png", [("BDNF", 60, 60), ("MTOR", 620, 60), ("GSK3B", 60, 330)])
    text = ocr.ocr_image(image)
    assert {"BDNF", "MTOR", "GSK3B"} <= set(lines(text))  # far-apart labels stay separate lines


def test_ocr_image_flattens_transparency(tmp_path: Path, tesseract: None) -> None:
    image = _draw_figure(tmp_path / "F1.png", [("BDNF", 60, 60), ("MTOR", 620, 300)], mode="RGBA")
    assert {"BDNF", "MTOR"} <= set(lines(ocr.ocr_image(image)))


def test_ocr_image_errors_name_the_file(tmp_path: Path, tesseract: None) -> None:
    bad = tmp_path / "F1.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(ValueError, match=r"F1\.png: cannot read image"):
        ocr.ocr_image(bad)


def test_annotate_ocrs_images_of_records_without_ocr_text(tmp_path: Path, tesseract: None) -> None:
    records = _write_records(tmp_path / "records", ["F1", "F2"])
    images = tmp_path / "images"
    images.mkdir()
    _draw_figure(images / "F1.png", [("BDNF", 60, 60), ("MTOR", 620, 300)])
    _draw_figure(images / "F2.jpg", [("BDNF", 60, 60)])
    ocr_dir = tmp_path / "ocr"
    ocr_dir.mkdir()
    (ocr_dir / "F2.txt").write_text("GSK3B\n", encoding="utf-8")  # F2 has OCR text: its image is not read
    out = tmp_path / "out"
    argv = ["annotate", str(records), "--out", str(out), "--images", str(images), "--ocr-dir", str(ocr_dir)]
    assert main([*argv, "--sources", str(FIXTURE_SOURCES), "--workers", "1", "-q"]) == 0
    assert _entrez(out, "F1") == {"627", "2475"}
    assert _entrez(out, "F2") == {"2932"}
