"""Rich output of the CLI: summary tables, the check report and the progress bar.

Presentation only: every number shown was computed by the library.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from somrisk.cli.fit import FittedTable
from somrisk.distributions import as_distribution
from somrisk.labels import labels
from somrisk.report.distribution_words import in_words
from somrisk.report.table_words import TableWords
from somrisk.runner import CaseCheck

if TYPE_CHECKING:
    import xarray as xr
    from rich.progress import Progress

    from somrisk.case.catalog import Catalog
    from somrisk.summary import SummaryArrays

__all__ = [
    "ProgressBar",
    "Working",
    "by_year_table",
    "case_table",
    "catalog_table",
    "check_report",
    "summary_table",
    "warnings_in",
]


def money(x: float) -> str:
    """Whole currency units with thousands separators; '-' where not defined."""
    return "-" if x is None or math.isnan(x) else f"{x:,.0f}"


def share(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def summary_table(
    summary: xr.Dataset | SummaryArrays,
    lang: str = "en",
    warnings: list[str] | None = None,
    idle: frozenset[str] = frozenset(),
) -> list[Any]:
    """The summary of ``somrisk run``: NPV by actor and payback, as Rich renderables, in `lang`
    (from the Dataset of :func:`somrisk.summarize` or its plain arrays, which need no xarray);
    `warnings` replace the summary's (English) warnings; the `idle` actors (no payments,
    :func:`somrisk.summary.idle_actors`) say so where their P(NPV > 0) would be, as the report does."""
    from somrisk.summary import SummaryArrays

    s = summary if isinstance(summary, SummaryArrays) else SummaryArrays.of_dataset(summary)
    words = TableWords(lang)
    attrs = s.attrs
    unit = words["unit"].format(
        currency=attrs["currency"], price_year=attrs["price_year"], start_year=attrs["start_year"]
    )
    table = FittedTable(f"{escape(attrs['case_name'])}\n{words['npv_title'].format(unit=unit)}")
    table.add_label_column(words["actor"], max_width=30)
    for heading in (words["deterministic"], words["mean"], "5 %", "95 %", "P(NPV > 0)"):
        table.add_number_column(heading)
    actors = s.labels("actor")
    low, high = (_nearest(s.labels("quantile"), q) for q in (0.05, 0.95))
    for actor in actors:
        row = [
            words.money(float(s.at("npv_deterministic", actor=actor))),
            words.money(float(s.at("npv_mean", actor=actor))),
            words.money(float(s.at("npv_quantile", actor=actor, quantile=low))),
            words.money(float(s.at("npv_quantile", actor=actor, quantile=high))),
            words.report["no_flows_cell"]
            if str(actor) in idle
            else words.share(float(s.at("npv_prob_positive", actor=actor))),
        ]
        table.add_row(
            escape(words.actor(str(actor))),
            *row,
            style="bold" if actor == "total" else None,
            end_section=actor == actors[-2],
        )
    median = int(s.at("payback_median_year"))
    det_year = int(s.at("payback_deterministic_year"))
    years = s.labels("year")
    payback = words["payback"].format(
        first=int(years[0]),
        last=int(years[-1]),
        share=words.share(float(s.at("payback_prob_within_horizon"))),
        median=median if median >= 0 else words["no_median"],
        deterministic=det_year if det_year >= 0 else words["none"],
    )
    mcse = float(s.at("npv_mcse", actor="total"))
    error = words["unknown_one_draw"] if math.isnan(mcse) else f"± {words.money(mcse)}"
    provenance = words["provenance"].format(
        draws=words.integer(int(attrs["draws"])), sampler=attrs["sampler"], seed=attrs["seed"], error=error
    )
    shown = attrs.get("warnings", []) if warnings is None else warnings
    notes = [f"[yellow]{words['warning']}:[/yellow] {escape(str(w))}" for w in shown]
    return [table, payback, som_totals(s, lang), f"[dim]{provenance}[/dim]", *notes]


def _nearest(labels: list[float], value: float) -> float:
    """The label nearest to `value` (the first of two as near), as ``sel(method="nearest")``."""
    return min(labels, key=lambda label: abs(label - value))


def som_totals(summary: xr.Dataset | SummaryArrays, lang: str = "en") -> str:
    """SØM's own figures: the undiscounted net result over the horizon, per participant, and the
    benefit-cost ratio (deterministic and mean of the draws), in `lang`."""
    from somrisk.summary import SummaryArrays

    s = summary if isinstance(summary, SummaryArrays) else SummaryArrays.of_dataset(summary)
    words = TableWords(lang)

    def per(name: str, key: str) -> str:
        return words.money(float(s.at(f"per_participant_{name}", per_participant=key)))

    ratio = float(s.at("benefit_cost_ratio_deterministic"))
    return words["som"].format(
        years=len(s.labels("year")),
        det=words.money(float(s.at("net_total_deterministic", actor="total"))),
        mean=words.money(float(s.at("net_total_mean", actor="total"))),
        npv_det=per("deterministic", "npv"),
        npv_mean=per("mean", "npv"),
        net_det=per("deterministic", "net_total"),
        net_mean=per("mean", "net_total"),
        ratio="-" if math.isnan(ratio) else words.fixed(ratio, 2),
    )


def by_year_table(summary: xr.Dataset, lang: str = "en") -> FittedTable:
    """``somrisk run --by-year``: the mean net result of each year per actor and in total,
    undiscounted (positive = public money saved), and the total's cumulative discounted net result
    (payback where it turns positive)."""
    words = TableWords(lang)
    attrs = summary.attrs
    title = words["by_year"].format(
        currency=attrs["currency"], price_year=attrs["price_year"], draws=words.integer(int(attrs["draws"]))
    )
    years = [int(y) for y in summary.year.values]
    table = FittedTable(title, words["by_year_note"].format(first=years[0]))
    table.add_label_column(words["year"])
    actors = [str(a) for a in summary.actor.values]
    for actor in actors:
        table.add_number_column(escape(words.actor(actor)))
    table.add_number_column(words["cumulative"])
    net, cumulative = summary.net_mean, summary.cumulative_mean
    for year in years:
        row = [words.money(float(net.sel(year=year, actor=actor))) for actor in actors]
        table.add_row(str(year), *row, words.money(float(cumulative.sel(year=year))))
    return table


def case_table(cases: xr.Dataset, lang: str = "en") -> FittedTable:
    """The per-case table of ``somrisk portfolio``: NPV, its 90 % interval, P(NPV > 0) and the
    case's share of the portfolio's variance."""
    words = TableWords(lang)
    table = FittedTable(words["cases"])
    table.add_label_column(words["case"], max_width=34)
    for heading in (words["mean"], "5 %", "95 %", "P(NPV > 0)", words["variance_share"]):
        table.add_number_column(heading)
    for name in cases.case.values:
        row = cases.sel(case=name)
        table.add_row(
            escape(str(name)),
            words.money(float(row.npv_mean)),
            words.money(float(row.npv_quantile.sel(quantile=0.05, method="nearest"))),
            words.money(float(row.npv_quantile.sel(quantile=0.95, method="nearest"))),
            words.share(float(row.npv_prob_positive)),
            words.share(float(row.variance_share)),
        )
    return table


def catalog_table(catalog: Catalog, lang: str = "da") -> list[Any]:
    """The table of ``somrisk catalog``: each entry's label, area, unit and base price per actor
    (marked where illustrative), then the sources."""
    words = TableWords(lang)
    info = catalog.info
    if lang == "da":
        money_of = f"{info.currency or ''} i {info.price_year}-priser" if info.price_year else info.currency
        title = f"{info.name or 'Katalog'}: priser pr. enhed ({money_of})"
        caption = "* illustrativ: ingen offentlig kilde angiver tallet; erstat det med jeres eget"
    else:
        money_of = f"{info.currency or ''} at {info.price_year} prices" if info.price_year else info.currency
        title = f"{info.name or 'Catalogue'}: prices per unit ({money_of})"
        caption = "* illustrative: no public source gives the number; replace it with your own"
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("Name" if lang == "en" else "Navn", max_width=26, overflow="fold")
    table.add_column("Label" if lang == "en" else "Betegnelse", max_width=30, overflow="fold")
    table.add_column("Area" if lang == "en" else "Område", overflow="fold")
    table.add_column("Unit" if lang == "en" else "Enhed", max_width=18, overflow="fold")
    table.add_column("Price per actor" if lang == "en" else "Pris pr. aktør", max_width=40, overflow="fold")
    for entry in catalog.prices:
        label = (entry.label_en or entry.label) if lang == "en" else (entry.label or entry.label_en)
        prices = "\n".join(
            f"{words.actor(actor)} {words.money(as_distribution(value).base_value)}"
            for actor, value in entry.price.items()
        )
        table.add_row(
            escape(entry.name),
            escape(label),
            escape(words.report.category(entry.category)),
            escape(entry.unit),
            escape(prices) + (" *" if entry.illustrative else ""),
        )
    return [table]


_CHECK = {
    "en": (
        "  horizon {horizon} years ({first}-{last}){auto}, {currency} at {price_level} prices, "
        "actors: {actors}",
        ' from horizon = "auto" (last intake + onset + window)',
        "  intake years {first}-{last}; {costs}, {comparison}, {consequences}",
        "  {inputs}, of which {uncertain} uncertain; {correlations}, {groups}",
        "base",
    ),
    "da": (
        "  tidshorisont {horizon} år ({first}-{last}){auto}, {currency} i {price_level}-priser, "
        "aktører: {actors}",
        ' fra horizon = "auto" (sidste optag + forsinkelse + vindue)',
        "  optagelsesår {first}-{last}; {costs}, {comparison}, {consequences}",
        "  {inputs}, heraf {uncertain} usikre; {correlations}, {groups}",
        "basis",
    ),
}


#: What check_report counts, singular and plural, in each language.
_COUNTED = {
    "en": {
        "costs": ("cost", "costs"),
        "comparison": ("comparison cost", "comparison costs"),
        "consequences": ("consequence", "consequences"),
        "inputs": ("input", "inputs"),
        "correlations": ("rank correlation", "rank correlations"),
        "groups": ("declared group", "declared groups"),
    },
    "da": {
        "costs": ("omkostning", "omkostninger"),
        "comparison": ("omkostning i sammenligningen", "omkostninger i sammenligningen"),
        "consequences": ("konsekvens", "konsekvenser"),
        "inputs": ("input", "input"),
        "correlations": ("rangkorrelation", "rangkorrelationer"),
        "groups": ("erklæret gruppe", "erklærede grupper"),
    },
}


def _counted(lang: str, what: str, count: int) -> str:
    """`count` things of kind `what` in `lang`, in the singular where it is one: "1 konsekvens"."""
    singular, plural = _COUNTED[lang][what]
    return f"{count} {singular if count == 1 else plural}"


def check_report(checked: CaseCheck, lang: str = "en") -> list[str]:
    """What a valid case holds, in a few lines, in `lang`."""
    words = TableWords(lang)
    horizon_line, auto_text, intake_line, inputs_line, base = _CHECK[lang]
    case, space = checked.case, checked.space
    info = case.info
    first, last = case.participants.intake_years
    lines = [
        f"[green]OK[/green] {escape(case.source)}: {escape(info.name)}",
        horizon_line.format(
            horizon=info.horizon,
            first=case.years[0],
            last=case.years[-1],
            auto=auto_text if case.horizon_auto else "",
            currency=escape(info.currency),
            price_level=info.price_level,
            actors=escape(", ".join(case.actors)),
        ),
        intake_line.format(
            first=case.years[first],
            last=case.years[last],
            costs=_counted(lang, "costs", len(case.costs)),
            comparison=_counted(lang, "comparison", len(case.comparison_costs)),
            consequences=_counted(lang, "consequences", len(case.consequences)),
        ),
        inputs_line.format(
            inputs=_counted(lang, "inputs", len(space.inputs)),
            uncertain=space.dimension,
            correlations=_counted(lang, "correlations", len(case.correlations)),
            groups=_counted(lang, "groups", len(case.groups)),
        ),
    ]
    names = labels(case, lang)
    for path, dist in zip(space.paths, space.distributions, strict=True):
        value = as_distribution(dist)
        shown = words.grouped(value.base_value, 6)
        # the label for readers, the path for the analyst who edits the file (as the report's register)
        described = in_words(value, words.report)
        lines.append(f"    {escape(names[path])} ({path}): {escape(described)}, {base} {shown}")
    lines += conversion_lines(checked, lang)
    from somrisk.report.warning_words import warning_texts

    lines += [f"[yellow]{words['warning']}:[/yellow] {escape(text)}" for text in warning_texts(case, lang)]
    if checked.todo_lines:
        shown = ", ".join(str(n) for n in checked.todo_lines)
        todo = words["todo_one" if len(checked.todo_lines) == 1 else "todo_many"]
        lines.append(
            f"[yellow]{words['note']}:[/yellow] " + todo.format(count=len(checked.todo_lines), lines=shown)
        )
    return lines


_CONVERSION = {
    "en": {
        "head": "  converted to {level} prices with the net price index ({index}{own}):",
        "own": " and \\[economy] price_index",
        "catalog": "catalogue prices",
        "prices": "prices",
        "amount": "amount",
        "line": "    {label} ({path}): {what} at {year} prices x {factor} "
        "(index {level} = {now} / index {year} = {then})",
    },
    "da": {
        "head": "  omregnet til {level}-priser med nettoprisindekset ({index}{own}):",
        "own": " og \\[economy] price_index",
        "catalog": "katalogpriser",
        "prices": "priser",
        "amount": "beløb",
        "line": "    {label} ({path}): {what} i {year}-priser x {factor} "
        "(indeks {level} = {now} / indeks {year} = {then})",
    },
}


def conversion_lines(checked: CaseCheck, lang: str = "en") -> list[str]:
    """The items at another price year than the case's, each with the factor it is multiplied by:
    what an analyst holds against their own conversion; in `lang`, each item by its label."""
    if not checked.conversions:
        return []
    from somrisk.case.prices import bundled_index

    case, words, text = checked.case, TableWords(lang), _CONVERSION[lang]
    names = labels(case, lang)
    index = bundled_index()
    lines = [
        text["head"].format(
            level=case.info.price_level,
            index=escape(index.name if lang == "da" else index.name_en),
            own=text["own"] if case.economy.index_values else "",
        )
    ]
    for c in checked.conversions:
        what = text["catalog" if c.catalog else "prices" if c.path.startswith("consequences.") else "amount"]
        # a consequence by its label in the language (the catalogue's English one); a cost by its own
        label = names.consequence(c.path.split(".", 1)[1]) if c.path.startswith("consequences.") else c.label
        lines.append(
            text["line"].format(
                label=escape(label),
                path=c.path,
                what=what,
                year=c.year,
                level=c.level,
                factor=words.fixed(c.factor, 4),
                now=words.significant(c.index_values[0], 6),  # as given: 118, 120,2
                then=words.significant(c.index_values[1], 6),
            )
        )
    return lines


def warnings_in(simulation: Any, lang: str) -> list[str]:
    """model.md's warnings of a run's case (each case of a portfolio, named) in `lang`, each
    consequence by its label as the report names it: the summary (and its JSON) holds them in
    English, consequences by their names in the file."""
    from somrisk.report.warning_words import warning_texts

    members = simulation.ensemble.members
    if not simulation.ensemble.is_portfolio:
        return warning_texts(members[0].model.case, lang)
    return [f"{m.model.case.name}: {text}" for m in members for text in warning_texts(m.model.case, lang)]


class Working:
    """A spinner on stderr naming a step without a progress count (writing a workbook, an
    analysis's model evaluations) and its elapsed time, shown once the step has taken more than
    `delay` seconds, where the console is a terminal; a context manager. Transient: nothing of it
    is left on the screen."""

    def __init__(self, console: Console, what: str, delay: float = 1.0) -> None:
        self.console, self.what, self.delay = console, what, delay
        self.shown: Progress | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def __enter__(self) -> Working:
        if self.console.is_terminal:
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            self.shown = Progress(
                SpinnerColumn(),
                TextColumn(escape(self.what)),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.shown.start()
            self.shown.add_task(self.what, total=None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._timer.cancel()
            if self.shown is not None:
                self.shown.stop()


class ProgressBar:
    """A progress callback that shows a bar on stderr once a run has taken more than a second;
    then, where `after` names a step that follows the last draw (writing a workbook, a report), a
    spinner for it once that has taken more than a second. `label` and `unit` name what the bar
    counts (default: the draws simulated, in `lang`); `lang` writes the counts (4,096/10,000 or
    4.096/10.000)."""

    def __init__(
        self,
        console: Console,
        delay: float = 1.0,
        after: str | None = None,
        *,
        label: str | None = None,
        unit: str | None = None,
        lang: str = "en",
    ) -> None:
        self.console, self.delay = console, delay
        self.words = TableWords(lang)
        self.label = self.words["simulating"] if label is None else label
        self.unit = self.words["draws"] if unit is None else unit
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: Any = None
        self.after: Working | None = None
        self.after_words = after

    def __call__(self, done: int, total: int) -> None:
        if done >= total:
            # the summary and the files (cube, workbook) follow the last draw: a spinner, once
            # that takes more than the delay (one live display at a time: the bar goes first)
            if self.bar is not None:
                self.bar.stop()
                self.bar = None
            if self.after is None and self.after_words is not None:
                self.after = Working(self.console, self.after_words, self.delay).__enter__()
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay or done >= total:
                return
            # imported here: a run that ends within the delay never shows a bar
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn(self.label),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("draws", total=total, count="")
        count = f"{self.words.integer(done)}/{self.words.integer(total)} {self.unit}"
        self.bar.update(self.task, completed=done, count=count)

    def close(self) -> None:
        if self.after is not None:
            self.after.close()
        if self.bar is not None:
            self.bar.stop()
