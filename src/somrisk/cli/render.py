"""Rich output of the CLI: summary tables, the check report and the progress bar.

Presentation only: every number shown was computed by the library.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from somrisk.distributions import as_distribution
from somrisk.runner import CaseCheck

if TYPE_CHECKING:
    import xarray as xr
    from rich.progress import Progress

    from somrisk.case.catalog import Catalog

__all__ = ["ProgressBar", "case_table", "catalog_table", "check_report", "summary_table"]


def money(x: float) -> str:
    """Whole currency units with thousands separators; '-' where not defined."""
    return "-" if x is None or math.isnan(x) else f"{x:,.0f}"


def share(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def summary_table(summary: xr.Dataset) -> list[Any]:
    """The summary of ``somrisk run``: NPV by actor and payback, as Rich renderables."""
    attrs = summary.attrs
    unit = f"{attrs['currency']}, {attrs['price_year']} prices, discounted to {attrs['start_year']}"
    table = Table(
        title=f"{escape(attrs['case_name'])}\nNet present value (NPV), {unit}", title_justify="left"
    )
    table.add_column("Actor")
    for heading in ("Deterministic", "Mean", "5 %", "95 %", "P(NPV > 0)"):
        table.add_column(heading, justify="right")
    for actor in summary.actor.values:
        s = summary.sel(actor=actor)
        row = [
            money(float(s.npv_deterministic)),
            money(float(s.npv_mean)),
            money(float(s.npv_quantile.sel(quantile=0.05, method="nearest"))),
            money(float(s.npv_quantile.sel(quantile=0.95, method="nearest"))),
            share(float(s.npv_prob_positive)),
        ]
        name = "Total" if actor == "total" else escape(str(actor))
        table.add_row(
            name,
            *row,
            style="bold" if actor == "total" else None,
            end_section=actor == summary.actor.values[-2],
        )
    median = int(summary.payback_median_year)
    det_year = int(summary.payback_deterministic_year)
    payback = (
        f"Payback within the horizon ({int(summary.year.values[0])}-{int(summary.year.values[-1])}): "
        f"{share(float(summary.payback_prob_within_horizon))} of draws"
        f"; median payback year {median if median >= 0 else 'none (under half pay back)'}"
        f"; deterministic: {det_year if det_year >= 0 else 'none'}"
    )
    mcse = float(summary.npv_mcse.sel(actor="total"))
    error = "unknown (one draw)" if math.isnan(mcse) else f"± {money(mcse)}"
    provenance = (
        f"{attrs['draws']:,} draws, sampler {attrs['sampler']}, seed {attrs['seed']}; "
        f"Monte Carlo standard error of the mean total NPV: {error}; "
        "5 % and 95 %: percentiles of the draws"
    )
    warnings = [f"[yellow]warning:[/yellow] {escape(str(w))}" for w in attrs.get("warnings", [])]
    return [table, payback, som_totals(summary), f"[dim]{provenance}[/dim]", *warnings]


def som_totals(summary: xr.Dataset) -> str:
    """SØM's own figures: the undiscounted net result over the horizon, per participant, and the
    benefit-cost ratio (deterministic and mean of the draws)."""
    years = summary.year.values
    total = summary.sel(actor="total")
    per = summary.per_participant_deterministic
    mean = summary.per_participant_mean
    ratio = float(summary.benefit_cost_ratio_deterministic)
    return (
        f"SØM's figures: net result over {len(years)} years, undiscounted: "
        f"{money(float(total.net_total_deterministic))} deterministic, "
        f"{money(float(total.net_total_mean))} mean; "
        f"per participant: NPV {money(float(per.sel(per_participant='npv')))} "
        f"({money(float(mean.sel(per_participant='npv')))} mean), "
        f"net result {money(float(per.sel(per_participant='net_total')))} "
        f"({money(float(mean.sel(per_participant='net_total')))} mean); "
        f"kroner back per krone: {'-' if math.isnan(ratio) else f'{ratio:.2f}'}"
    )


def case_table(cases: xr.Dataset) -> Table:
    """The per-case table of ``somrisk portfolio``: NPV, its 90 % interval, P(NPV > 0) and the
    case's share of the portfolio's variance."""
    table = Table(title="Cases (NPV over all actors)", title_justify="left")
    table.add_column("Case", max_width=34, overflow="fold")
    for heading in ("Mean", "5 %", "95 %", "P(NPV > 0)", "Var. share"):
        table.add_column(heading, justify="right")
    for name in cases.case.values:
        row = cases.sel(case=name)
        table.add_row(
            escape(str(name)),
            money(float(row.npv_mean)),
            money(float(row.npv_quantile.sel(quantile=0.05, method="nearest"))),
            money(float(row.npv_quantile.sel(quantile=0.95, method="nearest"))),
            share(float(row.npv_prob_positive)),
            share(float(row.variance_share)),
        )
    return table


def catalog_table(catalog: Catalog, lang: str = "da") -> list[Any]:
    """The table of ``somrisk catalog``: each entry's label, area, unit and base price per actor
    (marked where illustrative), then the sources."""
    info = catalog.info
    money_of = f"{info.currency or ''} at {info.price_year} prices" if info.price_year else info.currency
    table = Table(
        title=f"{info.name or 'Catalogue'}: prices per unit ({money_of})",
        title_justify="left",
        caption="* illustrative: no public source gives the number; replace it with your own",
        caption_justify="left",
    )
    table.add_column("Name", max_width=26, overflow="fold")
    table.add_column("Label" if lang == "en" else "Betegnelse", max_width=30, overflow="fold")
    table.add_column("Area" if lang == "en" else "Område", overflow="fold")
    table.add_column("Unit" if lang == "en" else "Enhed", max_width=18, overflow="fold")
    table.add_column("Price per actor" if lang == "en" else "Pris pr. aktør", max_width=40, overflow="fold")
    for entry in catalog.prices:
        label = (entry.label_en or entry.label) if lang == "en" else (entry.label or entry.label_en)
        prices = "\n".join(
            f"{actor} {as_distribution(value).base_value:,.0f}" for actor, value in entry.price.items()
        )
        table.add_row(
            escape(entry.name),
            escape(label),
            escape(entry.category),
            escape(entry.unit),
            escape(prices) + (" *" if entry.illustrative else ""),
        )
    return [table]


def check_report(checked: CaseCheck) -> list[str]:
    """What a valid case holds, in a few lines."""
    case, space = checked.case, checked.space
    info = case.info
    first, last = case.participants.intake_years
    auto = ' from horizon = "auto" (last intake + onset + window)' if case.horizon_auto else ""
    lines = [
        f"[green]OK[/green] {escape(case.source)}: {escape(info.name)}",
        f"  horizon {info.horizon} years ({case.years[0]}-{case.years[-1]}){auto}, "
        f"{escape(info.currency)} at {info.price_level} prices, actors: {escape(', '.join(case.actors))}",
        f"  intake years {case.years[first]}-{case.years[last]}; "
        f"{len(case.costs)} costs, {len(case.comparison_costs)} comparison costs, "
        f"{len(case.consequences)} consequences",
        f"  {len(space.inputs)} inputs, of which {space.dimension} uncertain; "
        f"{len(case.correlations)} rank correlations, {len(case.groups)} declared groups",
    ]
    for path, dist in zip(space.paths, space.distributions, strict=True):
        lines.append(f"    {path}: {escape(dist.describe())}, base {as_distribution(dist).base_value:,.6g}")
    from somrisk.case.model_warnings import model_warnings

    lines += [f"[yellow]warning:[/yellow] {escape(w.en)}" for w in model_warnings(case)]
    return lines


class ProgressBar:
    """A progress callback that shows a bar on stderr once a run has taken more than a second."""

    def __init__(self, console: Console, delay: float = 1.0) -> None:
        self.console, self.delay = console, delay
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.delay or done >= total:
                return
            # imported here: a run that ends within the delay never shows a bar
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("Simulating"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,} draws"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("draws", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
