"""Charts of the sensitivity analyses, drawn with matplotlib and saved atomically as PNG, SVG or PDF.

Every figure is drawn from a result object; nothing is computed here but positions and labels.
:func:`check_chart_path` refuses a file that cannot be written before any analysis runs, and
:func:`save` writes under a temporary name and renames it into place, so a failure leaves no partial
file.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from somrisk._files import check_writable, write_atomic

if TYPE_CHECKING:
    from collections.abc import Mapping

    import xarray as xr
    from matplotlib.figure import Figure

    from somrisk.labels import InputLabels
    from somrisk.report.i18n import Words
    from somrisk.sensitivity import Breakeven, MorrisResult, SobolResult, Tornado

__all__ = [
    "CHART_FORMATS",
    "breakeven_figure",
    "check_chart_path",
    "fan_chart",
    "morris_figure",
    "npv_distribution",
    "payback_curve",
    "save",
    "sobol_figure",
    "svg",
    "tornado_figure",
    "wrap_label",
]

CHART_FORMATS = {".png": "PNG", ".svg": "SVG", ".pdf": "PDF"}
#: At most this many bars; the title says how many more there are.
MAX_ITEMS = 25
#: Points of the Morris chart labelled with their names: those with the largest mu*.
MORRIS_LABELS = 8
LOW_COLOUR, HIGH_COLOUR = "#0072B2", "#E69F00"  # Okabe and Ito: safe for colour-blind readers


def check_chart_path(path: str | Path) -> Path:
    """The chart's path, after checking its suffix (.png, .svg or .pdf) and that its folder can be
    written (:func:`somrisk._files.check_writable`)."""
    return check_writable(path, "--plot", CHART_FORMATS)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    return Figure(figsize=(width, height), layout="constrained")


#: Axis units of money by language: millions and thousands.
_UNITS = {"da": (" mio.", " t."), "en": (" m", " k")}


def _money(x: float, _position: object = None, lang: str = "en") -> str:
    """Axis money: 1,2 mio. and 400 t. in Danish, 1.2 m and 400 k in English."""
    size = abs(x)
    millions, thousands = _UNITS.get(lang, _UNITS["en"])
    if size >= 1e6:
        number, unit = f"{x / 1e6:.1f}", millions
    elif size >= 1e3:
        number, unit = f"{x / 1e3:.0f}", thousands
    else:
        number, unit = f"{x:.0f}", ""
    return (number.replace(".", ",") if lang == "da" else number).replace("-", "−") + unit


def _money_axis(lang: str):
    """A tick formatter of money that writes every tick of an axis in one unit, with the decimals its
    steps need: "0,4 mio. 0,6 mio. ... 1,4 mio." (not "800 t." beside "1,0 mio.") in Danish, full
    numbers with thousands separators below a million ("400.000"); "0.4 m" and "400 k" in English."""
    from matplotlib.ticker import Formatter

    class MoneyAxis(Formatter):
        def format_ticks(self, values) -> list[str]:
            return [_axis_money(x, values, lang) for x in values]

        def __call__(self, x: float, pos: object = None) -> str:
            return _axis_money(x, [x], lang)

    return MoneyAxis()


def _axis_money(x: float, ticks, lang: str) -> str:
    """`x` in the unit and with the decimals that the axis's `ticks` need (see :func:`_money_axis`)."""
    locs = np.asarray(ticks, dtype=float)
    top = float(np.max(np.abs(locs))) if locs.size else abs(x)
    unit = ""
    if top >= 1e6 or (lang != "da" and top >= 1e3):
        scale, unit = (1e6, _UNITS["da" if lang == "da" else "en"][0]) if top >= 1e6 else (1e3, " k")
        scaled = locs / scale
        decimals = next((d for d in range(4) if np.allclose(scaled, np.round(scaled, d), atol=1e-9)), 3)
        number = f"{x / scale:.{decimals}f}"
        if abs(x / scale) < 0.5 * 10.0**-decimals:
            number, unit = "0", ""
    else:
        number = f"{x:,.0f}"
    if lang == "da":
        number = number.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return number.replace("-", "−") + unit


def _year_axis(ax, years: np.ndarray) -> None:
    """Whole calendar years on the x axis, with half a year of room at each end."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)


def _percent_axis(axis) -> None:
    """A share from 0 to 1 shown as whole percentages: "20 %"."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:.0f} %"))


def tornado_figure(
    result: Tornado,
    currency: str = "DKK",
    lang: str = "en",
    *,
    labels: Mapping[str, str] | None = None,
    max_items: int = MAX_ITEMS,
) -> Figure:
    """The usual tornado: one horizontal bar per input from its low-quantile NPV to its high-quantile
    NPV, around a vertical axis at the base (deterministic) NPV, largest swing on top; at most
    `max_items` bars, the title says how many more. `labels` (input path -> label,
    :func:`somrisk.labels.labels`) name the bars; without them, the paths."""

    from somrisk.report.i18n import Words

    words = Words(lang if lang in ("da", "en") else "en", currency)

    bars = result.bars[:max_items]
    fig = _figure(9, 1.2 + 0.3 * max(len(bars), 1))
    ax = fig.add_subplot()
    y = np.arange(len(bars))[::-1]
    base = result.base
    for row, bar in zip(y, bars, strict=True):
        ax.barh(row, bar.npv_low - base, left=base, color=LOW_COLOUR, height=0.7)
        ax.barh(row, bar.npv_high - base, left=base, color=HIGH_COLOUR, height=0.7)
    ax.axvline(base, color="black", linewidth=1)
    if (
        min([base, *(min(b.npv_low, b.npv_high) for b in bars)])
        < 0
        < max([base, *(max(b.npv_low, b.npv_high) for b in bars)])
    ):
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    names = [wrap_label(labels.get(bar.input, bar.input) if labels else bar.input) for bar in bars]
    ax.set_yticks(y, names, fontsize=8)
    ax.xaxis.set_major_formatter(_money_axis(words.lang))
    base_text = words.money(base)
    if result.output == "npv":
        ax.set_xlabel(words["tornado_axis"].format(unit=words.unit, base=base_text))
    else:
        ax.set_xlabel(
            f"{result.output} ({words.unit}); {'basis' if words.lang == 'da' else 'base'} {base_text}"
        )
    low, high = round(result.low_quantile * 100), round(result.high_quantile * 100)
    what = words["tornado_quantile"]
    ax.legend(
        handles=[_patch(LOW_COLOUR, what.format(low)), _patch(HIGH_COLOUR, what.format(high))],
        loc="lower right",
        fontsize=8,
    )
    hidden = len(result.bars) - len(bars)
    if hidden:
        ax.set_title(words["tornado_hidden"].format(hidden), fontsize=9)
    return fig


def wrap_label(text: str, width: int = 46, lines: int = 2) -> str:
    """A long label on at most `lines` lines of about `width` characters. Where it is longer, the
    part before the last ": " (the item's name) is shortened with "…", so that the kind of input
    after it ("pris, kommune") stays whole."""
    import textwrap

    room = width * lines - 4  # what textwrap fits on the lines, with slack for word breaks
    if len(text) > room and ": " in text:
        name, kind = text.rsplit(": ", 1)
        name = textwrap.shorten(name, max(room - len(kind) - 2, 12), placeholder=" …")
        text = f"{name}: {kind}"
    parts = textwrap.wrap(text, width) or [text]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], textwrap.shorten(" ".join(parts[lines - 1 :]), width, placeholder=" …")]
    return "\n".join(parts)


def _patch(colour: str, label: str):
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


#: The words of the Morris and break-even charts by language.
_SCREENING = {
    "da": {
        "input": "input",
        "group": "gruppe (ingen sigma)",
        "mu": "mu* ({unit}): virkningen af at flytte inputtet over dets 1-99 %-interval",
        "sigma": "sigma ({unit}): samspil og ikke-linearitet",
        "morris": "Morris-screening af {output} ({trajectories} baner)",
        "breakeven": "break-even (basisværdier)",
        "base_effect": "basiseffekt",
        "effect": "effekt (procentpoint)",
    },
    "en": {
        "input": "input",
        "group": "group (no sigma)",
        "mu": "mu* ({unit}): effect of moving the input across its 1-99 % range",
        "sigma": "sigma ({unit}): interactions and non-linearity",
        "morris": "Morris screening of {output} ({trajectories} trajectories)",
        "breakeven": "break-even (base values)",
        "base_effect": "base effect",
        "effect": "effect (percentage points)",
    },
}


def morris_figure(
    result: MorrisResult, currency: str = "DKK", lang: str = "en", *, labels: InputLabels | None = None
) -> Figure:
    """mu* against sigma of the elementary effects: inputs far right matter; inputs high up act
    through interactions or non-linearly. Words and numbers in `lang`; the points named by their
    `labels` (:func:`somrisk.labels.labels`; groups by ``labels.group``), without them by their paths."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from somrisk.report.i18n import Words

    lang = lang if lang in _SCREENING else "en"
    words, reader = _SCREENING[lang], Words(lang, currency)
    unit = reader.unit
    fig = _figure(8, 6)
    ax = fig.add_subplot()
    sigma = np.nan_to_num(result.sigma, nan=0.0)
    single = ~np.isnan(result.sigma)
    ax.scatter(result.mu_star[single], sigma[single], color=LOW_COLOUR, label=words["input"])
    if not single.all():
        ax.scatter(
            result.mu_star[~single],
            sigma[~single],
            facecolors="none",
            edgecolors=HIGH_COLOUR,
            label=words["group"],
        )
        ax.legend(fontsize=8, loc="upper left")
    top = max(float(np.max(result.mu_star, initial=0.0)), float(np.max(sigma, initial=0.0)), 1.0)
    ax.plot([0, top], [0, top], color="grey", linewidth=0.8, linestyle="--")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda x, position: _money(x, position, lang)))
        axis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(words["mu"].format(unit=unit))
    ax.set_ylabel(words["sigma"].format(unit=unit))
    output = reader.output(result.output)
    ax.set_title(words["morris"].format(output=output, trajectories=result.trajectories))
    named = np.argsort(-result.mu_star)[:MORRIS_LABELS]  # the rest would only crowd the corner
    texts = []
    for k in named:
        name = result.names[k]
        if labels is not None:
            name = labels.group(name) if result.by_group or " + " in name else labels[name]
        texts.append(wrap_label(name, width=36))
    place_labels(ax, result.mu_star[named], sigma[named], texts, (result.mu_star, sigma))
    return fig


#: Where a point's label may go, in points from the point, nearest first: (dx, dy) at 16 angles
#: on rings of growing radius; beyond the first ring a thin line joins label and point.
_LABEL_ANGLES = (45, -45, 135, -135, 90, -90, 0, 180, 22.5, -22.5, 157.5, -157.5, 67.5, -67.5, 112.5, -112.5)
_LABEL_OFFSETS = [
    (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    for r in (6, 18, 30, 45, 65, 90, 120)
    for a in np.deg2rad(_LABEL_ANGLES)
]
_NEAR = 6.5  # points: the first ring, which needs no line
#: A box on the canvas: x0, y0, x1, y1 in pixels.
Box = tuple[float, float, float, float]


def place_labels(
    ax: Any, x: np.ndarray, y: np.ndarray, texts: list[str], points: tuple[np.ndarray, np.ndarray]
) -> None:
    """Label the points (x[i], y[i]) with texts[i], most important first: each label where it
    covers no label placed before it, no point of `points` and stays inside the axes, trying
    the offsets of _LABEL_OFFSETS in turn; where none is free, the offset that covers least."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.figure
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # the layout settles first: labels stay out of it (below)
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    radius = 3.5 * fig.dpi / 72  # a scatter marker's radius (size 36 pt^2), in pixels
    centres = ax.transData.transform(np.column_stack(points))
    obstacles = [(cx - radius, cy - radius, cx + radius, cy + radius) for cx, cy in centres]
    placed: list[Box] = []
    for xi, yi, text in zip(x, y, texts, strict=True):
        centre = ax.transData.transform((xi, yi))
        best = None
        for dx, dy in _LABEL_OFFSETS:
            label = ax.annotate(
                text,
                (xi, yi),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=7,
                ha="left" if dx > 1 else "right" if dx < -1 else "center",
                va="bottom" if dy > 1 else "top" if dy < -1 else "center",
            )
            label.set_in_layout(False)
            box = label.get_window_extent(renderer)
            edges = (box.x0, box.y0, box.x1, box.y1)
            outside = _area(edges) - _overlap(edges, (frame.x0, frame.y0, frame.x1, frame.y1))
            cost = 10 * sum(_overlap(edges, other) for other in placed) + outside * 100
            cost += sum(_overlap(edges, other) for other in obstacles)
            if math.hypot(dx, dy) > _NEAR:  # its line must not cross a label placed before
                cost += 10 * sum(_overlap(dot, other) for dot in _dots(edges, centre) for other in placed)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, label, edges, (dx, dy))
            else:
                label.remove()
            if cost == 0:
                break
        assert best is not None
        _, label, edges, (dx, dy) = best
        if math.hypot(dx, dy) > _NEAR:  # away from its point: a thin line shows whose it is
            line = ax.annotate(
                "",
                (xi, yi),
                xytext=(dx, dy),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-", "color": "grey", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 3},
            )
            line.set_in_layout(False)
            placed.extend(_dots(edges, centre))  # later labels keep off the line
        placed.append(edges)


def _dots(box: Box, point: np.ndarray) -> list[Box]:
    """Small boxes along the line from a point to the nearest corner or edge middle of its
    label's box (where matplotlib's line ends), for the overlap tests."""
    x0, y0, x1, y1 = box
    ends = [(x, y) for x in (x0, (x0 + x1) / 2, x1) for y in (y0, (y0 + y1) / 2, y1)]
    end = min(ends, key=lambda e: (e[0] - point[0]) ** 2 + (e[1] - point[1]) ** 2)
    return [
        (x - 1.5, y - 1.5, x + 1.5, y + 1.5)
        for t in np.linspace(0.15, 0.85, 12)
        for x, y in [(point[0] + t * (end[0] - point[0]), point[1] + t * (end[1] - point[1]))]
    ]


def _area(box: Box) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes (x0, y0, x1, y1) share."""
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def breakeven_figure(result: Breakeven, lang: str = "en") -> Figure:
    """P(NPV > 0) against the effect, with the break-even and the base effect marked; words in
    `lang`."""
    from somrisk.report.i18n import Words

    lang = lang if lang in _SCREENING else "en"
    words = _SCREENING[lang]
    fig = _figure(8, 5)
    ax = fig.add_subplot()
    ax.plot(result.curve_effect * 100, result.curve_prob_positive, color=LOW_COLOUR)
    if result.effect is not None:
        ax.axvline(result.effect * 100, color="black", linewidth=1, label=words["breakeven"])
    ax.axvline(
        result.base_effect * 100, color=HIGH_COLOUR, linewidth=1, linestyle="--", label=words["base_effect"]
    )
    ax.set_ylim(0, 1)
    _percent_axis(ax.yaxis)
    if lang == "da":  # decimal commas and the minus sign on the effect's axis
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace(".", ",").replace("-", "−")))
    ax.set_xlabel(words["effect"])
    ax.set_ylabel(f"P({Words(lang).output(result.output)} > 0)")
    ax.legend(fontsize=8)
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write `fig` to `path` (format from the suffix) atomically."""
    target = check_chart_path(path)
    return write_atomic(
        target, lambda temporary: fig.savefig(temporary, format=target.suffix.lower()[1:], dpi=150)
    )


# --- the report's charts ------------------------------------------------------------------------------

#: Okabe and Ito's colour-blind-safe palette (actors, then the total in black).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def fan_chart(summary: xr.Dataset, words: Words) -> Figure:
    """The cumulative discounted net result by year: median, 25-75 % and 5-95 % bands, the
    deterministic line and the zero line."""

    fig = _figure(8, 3.8)
    ax = fig.add_subplot()
    years = summary.year.values
    q = summary.cumulative_quantile
    ax.fill_between(
        years, q.sel(quantile=0.05), q.sel(quantile=0.95), color=PALETTE[0], alpha=0.2, label=words["band_90"]
    )
    ax.fill_between(
        years,
        q.sel(quantile=0.25),
        q.sel(quantile=0.75),
        color=PALETTE[0],
        alpha=0.35,
        label=words["band_50"],
    )
    ax.plot(years, q.sel(quantile=0.5), color=PALETTE[0], label=words["median_line"])
    ax.plot(
        years,
        summary.cumulative_deterministic,
        color="black",
        linestyle="--",
        label=words["deterministic_line"],
    )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.yaxis.set_major_formatter(_money_axis(words.lang))
    _year_axis(ax, years)
    ax.set_xlabel(words["year"])
    ax.set_ylabel(words.unit)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def npv_distribution(npv: dict[str, np.ndarray], deterministic: dict[str, float], words: Words) -> Figure:
    """Histogram of the NPV per actor and in total, with the 0 line and the 90 % interval marked."""
    from matplotlib.ticker import MaxNLocator

    fig = _figure(8, 0.5 + 1.1 * len(npv))
    axes = fig.subplots(len(npv), 1, squeeze=False)[:, 0]
    for k, (ax, (actor, values)) in enumerate(zip(axes, npv.items(), strict=True)):
        colour = "black" if actor == "total" else PALETTE[k % len(PALETTE)]
        ax.hist(values, bins=60, color=colour, alpha=0.6)
        low, high = np.percentile(values, [5, 95])
        ax.axvspan(low, high, color=colour, alpha=0.08)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.axvline(deterministic[actor], color="black", linestyle="--", linewidth=1)
        ax.set_yticks([])
        ax.set_ylabel(words.actor(actor), rotation=0, ha="right", va="center")
        ax.xaxis.set_major_locator(MaxNLocator(6))  # room for "0,75 mio." between the ticks
        ax.xaxis.set_major_formatter(_money_axis(words.lang))
    axes[-1].set_xlabel(words.unit)
    return fig


def payback_curve(summary: xr.Dataset, words: Words) -> Figure:
    """The probability of having paid back by the end of each year."""
    fig = _figure(8, 3)
    ax = fig.add_subplot()
    years = summary.year.values
    ax.bar(years, summary.payback_cdf.values, width=0.6, color=PALETTE[2])
    ax.set_ylim(0, 1)
    _year_axis(ax, years)
    _percent_axis(ax.yaxis)
    ax.set_xlabel(words["year"])
    ax.set_ylabel(words["payback_curve"])
    return fig


def sobol_figure(result: SobolResult, words: Words, labels: list[str] | None = None) -> Figure:
    """First-order and total indices per group as horizontal bars, with their intervals; `labels`
    replace the group names."""
    fig = _figure(8, 1 + 0.45 * len(result.names))
    ax = fig.add_subplot()
    y = np.arange(len(result.names))[::-1]
    # an estimate below 0 is noise around 0 (its interval says how much), not a negative share
    s1, st = np.clip(np.nan_to_num(result.S1), 0, 1), np.clip(np.nan_to_num(result.ST), 0, 1)
    ax.barh(y + 0.18, s1, height=0.35, xerr=result.S1_conf, color=PALETTE[0], label=words["sobol_alone"])
    ax.barh(y - 0.18, st, height=0.35, xerr=result.ST_conf, color=PALETTE[1], label=words["sobol_total"])
    ax.set_yticks(y, [wrap_label(name) for name in (labels or list(result.names))], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(words["sobol_axis"])
    _percent_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def svg(fig: Figure) -> str:
    """The figure as an inline SVG element (no XML header)."""
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)  # RDF naming its creator
    return text[text.index("<svg") :]
