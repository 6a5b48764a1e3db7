"""PNG charts for the briefings, drawn on the server with matplotlib (Agg, no display, no network).

Chinese labels need a CJK font: :func:`cjk_font_file` asks fontconfig for one (``make setup`` installs
fonts-wqy-zenhei when the machine has none; Noto CJK works as well). Without any CJK font the charts are still
drawn, with boxes for the Chinese characters, and a warning is logged once.
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diaodu.reports.briefing import ChartSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes

log = logging.getLogger(__name__)

# fontconfig patterns tried in order. "sans:lang=zh" alone can answer DejaVu Sans (no CJK glyphs) on machines
# that do have a CJK font, so every answer is checked against the fonts that cover Chinese.
FONT_PATTERNS = ("sans-serif:lang=zh-cn", "sans:lang=zh", ":lang=zh-cn", ":lang=zh")
COLOURS = ("#c0392b", "#7f8c8d", "#2e86c1", "#27ae60")
DPI = 150


def _fc(*args: str) -> str:
    exe = shutil.which(args[0])
    if exe is None:
        return ""
    try:
        return subprocess.run(
            [exe, *args[1:]], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.cache
def cjk_font_file() -> str | None:
    """A font file that covers simplified Chinese, found with fontconfig; None if there is none."""
    covering = {line.strip() for line in _fc("fc-list", ":lang=zh-cn", "file").splitlines() if line.strip()}
    covering = {f.rstrip(":").strip() for f in covering}
    for pattern in FONT_PATTERNS:
        found = _fc("fc-match", "-f", "%{file}", pattern).strip()
        if found and found in covering:
            return found
    preferred = sorted(covering, key=lambda f: ("Sans" not in f, "Mono" in f, f))
    return preferred[0] if preferred else None


@functools.cache
def _font_name() -> str | None:
    from matplotlib import font_manager

    path = cjk_font_file()
    if path is None or not Path(path).exists():
        log.warning("No CJK font found through fontconfig: chart labels will not show Chinese characters.")
        return None
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _num(v: Decimal | None) -> float:
    return float("nan") if v is None else float(v)


def render_png(spec: ChartSpec, *, width_cm: float = 15.0, height_cm: float = 8.0) -> bytes:
    """The chart as PNG bytes (the title is the caption under the picture in the document, not drawn)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    name = _font_name()
    rc: Any = {"font.family": [name, "sans-serif"] if name else ["sans-serif"], "axes.unicode_minus": False}
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=DPI)
        try:
            if spec.kind == "bar":
                _bars(ax, spec)
            else:
                _lines(ax, spec)
            ax.set_ylabel(spec.unit, fontsize=8)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=8, frameon=False)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=DPI)
        finally:
            plt.close(fig)
    return buf.getvalue()


def _bars(ax: Axes, spec: ChartSpec) -> None:
    n = len(spec.series)
    width = 0.8 / max(n, 1)
    xs = range(len(spec.categories))
    for i, (label, values) in enumerate(spec.series):
        offsets = [x - 0.4 + width * (i + 0.5) for x in xs]
        bars = ax.bar(offsets, [_num(v) for v in values], width, label=label, color=COLOURS[i % len(COLOURS)])
        ax.bar_label(bars, fmt="%.1f", fontsize=6, padding=1)
    ax.set_xticks(list(xs), [_wrap(c) for c in spec.categories], fontsize=7)
    ax.axhline(0, color="#333", linewidth=0.6)


def _lines(ax: Axes, spec: ChartSpec) -> None:
    xs = list(range(len(spec.categories)))
    for i, (label, values) in enumerate(spec.series):
        style = "-o" if i == 0 else "--"
        ax.plot(
            xs,
            [_num(v) for v in values],
            style,
            label=label,
            color=COLOURS[i % len(COLOURS)],
            markersize=3,
            linewidth=1.5,
        )
    ax.set_xticks(xs, list(spec.categories), fontsize=8)
    ax.set_ylim(bottom=0)


def _wrap(label: str, width: int = 4) -> str:
    """Chinese category labels on several short lines ("规上工业\n总产值")."""
    return "\n".join(label[i : i + width] for i in range(0, len(label), width))
