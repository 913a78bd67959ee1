"""The evaluation report: one self-contained HTML page, its PNG charts and CSV tables.

``write_report`` writes into a directory:

- ``index.html``: summary, where the errors are, charts, FP/FN word tables, worst figures, notes;
- ``scores.png`` (precision/recall/F1 per kind, micro and macro), ``f1_hist.png``
  (distribution of per-figure F1 per kind), ``by_source.png`` (genes: tp/fp per lexicon source);
- ``scores.csv``, ``per_figure.csv``, ``by_source.csv``, ``fp_words.csv``, ``fn_words.csv``.

The output depends only on the result and the two paths given (no timestamps,
PNGs without software/date metadata), so the same input gives the same bytes.
Charts use matplotlib's object API with the Agg canvas; no global backend is set.
"""

from __future__ import annotations

import csv
import html
import io
import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

from .evaluate import EvaluationResult, KindResult
from .resources import atomic_write_text

log = logging.getLogger(__name__)

CSV_FILES = ("scores.csv", "per_figure.csv", "by_source.csv", "fp_words.csv", "fn_words.csv")
SCORES_PNG = "scores.png"
HIST_PNG = "f1_hist.png"
SOURCE_PNG = "by_source.png"
WORST_FIGURES = 15
HIST_BINS = [i / 10 for i in range(11)]
COLORS = {"precision": "#4c72b0", "recall": "#dd8452", "f1": "#55a868", "tp": "#55a868", "fp": "#c44e52"}
_PNG_METADATA: dict[str, Any] = {"Software": None}


def _f(x: float) -> str:
    return f"{x:.4f}"


def _label(res: KindResult, ident: str) -> str:
    symbol = res.labels.get(ident)
    return f"{ident} ({symbol})" if symbol else ident


# --------------------------------------------------------------------------
# CSV tables
# --------------------------------------------------------------------------


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def score_rows(result: EvaluationResult) -> list[list[Any]]:
    """scores.csv rows: kind, view, average, figures, tp, fp, fn, precision, recall, f1."""
    rows: list[list[Any]] = []
    for kind, res in result.kinds.items():
        m, mac = res.micro, res.macro()
        rows.append(
            [kind, "id", "micro", len(res.per_figure), m.tp, m.fp, m.fn, _f(m.precision), _f(m.recall), _f(m.f1)]
        )
        rows.append(
            [kind, "id", "macro", mac["figures"], "", "", "", _f(mac["precision"]), _f(mac["recall"]), _f(mac["f1"])]
        )
        if res.by_symbol is not None:
            s = res.by_symbol
            rows.append([kind, "hgnc_symbol", "micro", "", s.tp, s.fp, s.fn, _f(s.precision), _f(s.recall), _f(s.f1)])
    return rows


def _word_rows(result: EvaluationResult, which: str) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for kind, res in result.kinds.items():
        for rank, r in enumerate(res.top_words(which, result.top), 1):
            ids = " ".join(_label(res, i) for i in r["ids"])
            rows.append([kind, rank, r["word"], r["count"], r["figures"], " ".join(r["examples"]), ids])
    return rows


def _csv_tables(result: EvaluationResult) -> dict[str, str]:
    per_figure = [
        [figid, kind, s.tp, s.fp, s.fn, _f(s.precision), _f(s.recall), _f(s.f1)]
        for kind, res in result.kinds.items()
        for figid, s in sorted(res.per_figure.items())
    ]
    genes = result.kinds.get("genes")
    sources = [[r["source"], r["tp"], r["fp"], _f(r["precision"])] for r in (genes.source_rows() if genes else [])]
    word_header = ("kind", "rank", "word", "count", "figures", "example_figures", "ids")
    return {
        "scores.csv": _csv_text(
            ("kind", "view", "average", "figures", "tp", "fp", "fn", "precision", "recall", "f1"), score_rows(result)
        ),
        "per_figure.csv": _csv_text(("figid", "kind", "tp", "fp", "fn", "precision", "recall", "f1"), per_figure),
        "by_source.csv": _csv_text(("source", "tp", "fp", "precision"), sources),
        "fp_words.csv": _csv_text(word_header, _word_rows(result, "fp")),
        "fn_words.csv": _csv_text(word_header, _word_rows(result, "fn")),
    }


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------


def _save(fig: Any, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, format="png", dpi=100, metadata=_PNG_METADATA)


def _panels(count: int, height: float) -> tuple[Any, Any]:
    """A figure with one panel per scored kind (at least one), and its axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.6 * max(count, 1), height), layout="constrained")
    return fig, fig.subplots(1, max(count, 1), squeeze=False)[0]


def _save_panels(fig: Any, axes: Any, count: int, path: Path) -> None:
    """Save a per-kind figure; with no kind scored its single panel says so."""
    if not count:
        axes[0].text(0.5, 0.5, "nothing scored", ha="center", va="center")
        axes[0].set_axis_off()
    _save(fig, path)


def _scores_chart(result: EvaluationResult, path: Path) -> None:
    kinds = list(result.kinds.items())
    fig, axes = _panels(len(kinds), 3.4)
    metrics = ("precision", "recall", "f1")
    for ax, (kind, res) in zip(axes, kinds):
        macro = res.macro()
        micro = {"precision": res.micro.precision, "recall": res.micro.recall, "f1": res.micro.f1}
        for i, metric in enumerate(metrics):
            for j, (values, hatch) in enumerate(((micro, ""), (macro, "//"))):
                x = i + (j - 0.5) * 0.38
                v = float(values[metric])
                ax.bar(x, v, width=0.36, color=COLORS[metric], hatch=hatch, edgecolor="white" if not hatch else "#333")
                ax.text(x, v + 0.02, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(metrics)), ["P", "R", "F1"])
        ax.set_ylim(0, 1.1)
        ax.set_title(f"{kind} (micro | macro)", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    _save_panels(fig, axes, len(kinds), path)


def _hist_chart(result: EvaluationResult, path: Path) -> None:
    kinds = list(result.kinds.items())
    fig, axes = _panels(len(kinds), 3.2)
    for ax, (kind, res) in zip(axes, kinds):
        values = [s.f1 for _, s in sorted(res.per_figure.items())]
        ax.hist(values, bins=HIST_BINS, color=COLORS["f1"], edgecolor="white")
        ax.set_xlim(0, 1)
        ax.set_xlabel("per-figure F1")
        ax.set_ylabel("figures")
        ax.set_title(f"{kind} ({len(values)} figures)", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    _save_panels(fig, axes, len(kinds), path)


def _source_chart(res: KindResult, path: Path) -> None:
    from matplotlib.figure import Figure

    rows = res.source_rows()
    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    ax = fig.subplots()
    ys = list(range(len(rows)))
    tps = [r["tp"] for r in rows]
    fps = [r["fp"] for r in rows]
    ax.barh(ys, tps, color=COLORS["tp"], label="tp")
    ax.barh(ys, fps, left=tps, color=COLORS["fp"], label="fp")
    top = max([t + f for t, f in zip(tps, fps)] + [1])
    for y, r in zip(ys, rows):
        ax.text(r["tp"] + r["fp"] + top * 0.01, y, f"P {r['precision']:.2f}", va="center", fontsize=8)
    ax.set_yticks(ys, [r["source"] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel("predicted (figure, gene ID) pairs")
    ax.set_title("genes by lexicon source", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path)


def _charts(result: EvaluationResult, directory: Path) -> list[str]:
    import matplotlib.style

    written = []
    with matplotlib.style.context("default"):
        _scores_chart(result, directory / SCORES_PNG)
        written.append(SCORES_PNG)
        _hist_chart(result, directory / HIST_PNG)
        written.append(HIST_PNG)
        genes = result.kinds.get("genes")
        if genes is not None and genes.by_source:
            _source_chart(genes, directory / SOURCE_PNG)
            written.append(SOURCE_PNG)
        else:
            (directory / SOURCE_PNG).unlink(missing_ok=True)
    return written


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;
padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.95em}img{max-width:100%;border:1px solid #eee}
.cols{display:flex;gap:2em;flex-wrap:wrap}.cols>div{flex:1 1 420px}.muted{color:#777}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[bool] | None = None) -> str:
    numeric = numeric or [False] * len(header)
    head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>" if any(header) else ""
    out = [f"<table>{head}<tbody>"]
    n = 0
    for row in rows:
        n += 1
        cells = "".join(f'<td class="n">{_e(v)}</td>' if num else f"<td>{_e(v)}</td>" for v, num in zip(row, numeric))
        out.append(f"<tr>{cells}</tr>")
    if not n:
        out.append(f'<tr><td colspan="{len(header)}" class="muted">none</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _glance(result: EvaluationResult) -> str:
    """One paragraph per kind: how many errors, and the words and sources that make most of them."""
    items = []
    for kind, res in result.kinds.items():
        m = res.micro
        parts = [f"<b>{_e(kind)}</b>: F1 {m.f1:.3f}; {m.fp} false positives, {m.fn} false negatives."]
        for which, total, name in (("fp", m.fp, "false positives"), ("fn", m.fn, "false negatives")):
            top = res.top_words(which, 3)
            if top and total:
                words = ", ".join(
                    f"<code>{_e(r['word'])}</code> {r['count']} ({_share(r['count'], total)})" for r in top
                )
                parts.append(f"Top {name} by word: {words}.")
        if res.by_source:
            worst = max(res.source_rows(), key=lambda r: (r["fp"], r["source"]))
            if worst["fp"]:
                parts.append(
                    f"Lexicon source with most false positives: <code>{_e(worst['source'])}</code> "
                    f"({worst['fp']} of {m.fp}, precision {worst['precision']:.3f})."
                )
        items.append("<li>" + " ".join(parts) + "</li>")
    return "<ul>" + "\n".join(items) + "</ul>" if items else '<p class="muted">Nothing was scored.</p>'


def _words_section(result: EvaluationResult, kind: str, res: KindResult) -> str:
    header = ("word", "pairs", "share", "figures", "example figures", "IDs")
    numeric = (False, True, True, True, False, False)
    blocks = []
    for which, total, title in (("fp", res.micro.fp, "false positives"), ("fn", res.micro.fn, "false negatives")):
        rows = [
            (
                r["word"],
                r["count"],
                _share(r["count"], total),
                r["figures"],
                ", ".join(r["examples"]),
                ", ".join(_label(res, i) for i in r["ids"]),
            )
            for r in res.top_words(which, result.top)
        ]
        blocks.append(f"<div><h3>{_e(kind)}: most frequent {title}</h3>\n{_table(header, rows, numeric)}</div>")
    return '<div class="cols">' + "\n".join(blocks) + "</div>"


def _worst_figures(res: KindResult) -> list[tuple[Any, ...]]:
    ranked = sorted(res.per_figure.items(), key=lambda kv: (-(kv[1].fp + kv[1].fn), kv[0]))[:WORST_FIGURES]
    return [(figid, s.tp, s.fp, s.fn, f"{s.f1:.3f}") for figid, s in ranked if s.fp + s.fn]


def _html(result: EvaluationResult, gold_path: str, pred_path: str, charts: list[str]) -> str:
    summary_rows = []
    for kind, res in result.kinds.items():
        m, mac = res.micro, res.macro()
        summary_rows.append(
            (
                kind,
                m.tp,
                m.fp,
                m.fn,
                f"{m.precision:.3f}",
                f"{m.recall:.3f}",
                f"{m.f1:.3f}",
                f"{mac['precision']:.3f}",
                f"{mac['recall']:.3f}",
                f"{mac['f1']:.3f}",
                mac["figures"],
            )
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Evaluation report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Evaluation report</h1>",
        _table(
            ("", ""),
            [
                ("gold", gold_path),
                ("predictions", pred_path),
                ("gold figures", result.gold_figures),
                ("predicted figures", result.pred_figures),
                ("gold figures without prediction (predict nothing)", len(result.missing_predictions)),
                ("predicted figures not in gold (not scored)", len(result.unscored_predictions)),
                ("records skipped (unreadable or malformed)", len(result.skipped)),
            ],
        ),
        "<h2>Scores</h2>",
        "<p>Micro: over (figure, ID) pairs. Macro: mean of per-figure scores over the figures where the kind "
        "occurs in gold or prediction. 0/0 counts as 0.0 (see notes).</p>",
        _table(
            ("kind", "tp", "fp", "fn", "P", "R", "F1", "macro P", "macro R", "macro F1", "figures"),
            summary_rows,
            (False,) + (True,) * 10,
        ),
    ]
    genes = result.kinds.get("genes")
    if genes is not None and genes.by_symbol is not None:
        s = genes.by_symbol
        parts.append(
            f"<p>Genes compared by approved HGNC symbol instead of Gene ID: tp {s.tp}, fp {s.fp}, fn {s.fn}, "
            f"P {s.precision:.3f}, R {s.recall:.3f}, F1 {s.f1:.3f}.</p>"
        )
    parts += ["<h2>Where the errors are</h2>", _glance(result)]
    if SCORES_PNG in charts:
        parts.append("<h3>Precision, recall and F1 per kind</h3>")
        parts.append(f'<img src="{SCORES_PNG}" alt="precision, recall and F1 per kind">')
    if HIST_PNG in charts:
        parts.append(f'<h3>Per-figure F1</h3><img src="{HIST_PNG}" alt="distribution of per-figure F1 per kind">')
    if genes is not None and genes.by_source:
        parts.append("<h2>Genes by lexicon source</h2>")
        parts.append(
            "<p>Each predicted (figure, gene ID) pair counts once, under the first of its sources in the order "
            "hgnc_symbol, hgnc_alias_symbol, hgnc_prev_symbol, bioentities_symbol.</p>"
        )
        if SOURCE_PNG in charts:
            parts.append(f'<img src="{SOURCE_PNG}" alt="true and false positives per lexicon source">')
        parts.append(
            _table(
                ("source", "tp", "fp", "precision", "share of fp"),
                [
                    (r["source"], r["tp"], r["fp"], f"{r['precision']:.3f}", _share(r["fp"], genes.micro.fp))
                    for r in genes.source_rows()
                ],
                (False, True, True, True, True),
            )
        )
    parts.append("<h2>False positive and false negative words</h2>")
    parts.append("<p>pairs: (figure, ID) pairs the word stands behind; figures: distinct figures.</p>")
    for kind, res in result.kinds.items():
        parts.append(_words_section(result, kind, res))
    parts.append("<h2>Figures with most errors</h2>")
    parts.append('<div class="cols">')
    for kind, res in result.kinds.items():
        parts.append(
            f"<div><h3>{_e(kind)}</h3>\n"
            f"{_table(('figure', 'tp', 'fp', 'fn', 'F1'), _worst_figures(res), (False, True, True, True, True))}</div>"
        )
    parts.append("</div>")
    parts.append("<h2>Notes</h2>")
    parts.append(
        "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in result.notes) + "</ul>" if result.notes else "<p>none</p>"
    )
    if result.unscored_predictions:
        shown = result.unscored_predictions[:100]
        more = len(result.unscored_predictions) - len(shown)
        parts.append(
            "<h3>Predicted figures not in gold</h3><p>"
            + ", ".join(_e(f) for f in shown)
            + (f" … and {more} more" if more else "")
            + "</p>"
        )
    parts.append("<h2>Tables</h2><p>" + " · ".join(f'<a href="{n}">{n}</a>' for n in CSV_FILES) + "</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(result: EvaluationResult, directory: str | Path, gold_path: str, pred_path: str) -> Path:
    """Write ``index.html``, the PNG charts and the CSV tables into ``directory``; returns the HTML path."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in _csv_tables(result).items():
        atomic_write_text(out / name, text)
    charts = _charts(result, out)
    index = out / "index.html"
    atomic_write_text(index, _html(result, gold_path, pred_path, charts))
    log.info("evaluation report written to %s", index)
    return index
