"""What the sensitivity analyses print around their tables: titles and notes, in Danish or English.
The tables themselves are the one renderer's (:func:`somrisk.cli.render_labelled.labelled_table`),
from the columns each result declares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from rich.markup import escape

from somrisk.cli.fit import FittedTable
from somrisk.cli.render_labelled import INPUT_WIDTH, index_text, labelled_table, row_name
from somrisk.report.table_words import TableWords
from somrisk.sensitivity import (
    Breakeven,
    Drivers,
    MorrisResult,
    SobolResult,
    Tornado,
    ValueOfInformation,
    distinguishable,
)

if TYPE_CHECKING:
    from somrisk.labels import InputLabels

__all__ = [
    "breakeven_report",
    "drivers_report",
    "morris_report",
    "second_order_table",
    "sobol_report",
    "tornado_report",
    "voi_report",
]


def _currency(attrs: dict[str, Any], lang: str = "en") -> str:
    year = attrs.get("price_year", "")
    prices = f"{year}-priser" if lang == "da" and year != "" else f"{year} prices"
    return f"{attrs.get('currency', 'DKK')}, {prices}".strip(", ")


def _merged(name: str, labels: InputLabels | None) -> str:
    """Correlated inputs merged into one group ("a + b"), by their labels where given, with the
    paths in brackets."""
    if labels is None:
        return escape(name)
    return f"{escape(labels.group(name))} ({escape(name)})"


def _what(by_group: bool, lang: str) -> str:
    if lang == "da":
        return "gruppe" if by_group else "input"
    return "group" if by_group else "input"


def tornado_report(result: Tornado, lang: str = "en", *, labels: InputLabels | None = None) -> list[Any]:
    words = TableWords(lang)
    low = f"{words.significant(result.low_quantile * 100, 6)} %"
    high = f"{words.significant(result.high_quantile * 100, 6)} %"
    currency, base = escape(_currency(result.attrs, lang)), words.money(result.base)
    out = escape(words.output(result.output))
    if lang == "da":
        title = (
            f"Tornado: {out} med ét input ad gangen i sin {low}- og {high}-fraktil ({currency})\n"
            f"Basis (deterministisk) {out}: {base}"
        )
        note = (
            "[dim]Skifteværdi: inputtets værdi, hvor den deterministiske nutidsværdi er 0, med alle andre "
            "input i basis; P(forbi): sandsynligheden, under inputtets egen fordeling, for en værdi på "
            "den tabende side af den.[/dim]"
        )
    else:
        title = (
            f"Tornado: {out} with one input at a time at its {low} and {high} quantile ({currency})\n"
            f"Base (deterministic) {out}: {base}"
        )
        note = (
            "[dim]Switching value: the input's value at which the deterministic NPV is 0 with every other "
            "input at base; P(beyond): the probability, under the input's own distribution, of a value "
            "on the losing side of it.[/dim]"
        )
    return [labelled_table(result, title, lang, labels=labels), note]


def sobol_report(result: SobolResult, lang: str = "en", *, labels: InputLabels | None = None) -> list[Any]:
    words = TableWords(lang)
    what, out = _what(result.by_group, lang), escape(words.output(result.output))
    n, evaluations = words.integer(result.n), words.integer(result.evaluations)
    if lang == "da":
        title = f"Sobol-indeks for {out} pr. {what} (n = {n}, {evaluations} modelberegninger)"
    else:
        title = f"Sobol indices of {out} per {what} (n = {n}, {evaluations} model evaluations)"
    lines: list[Any] = [labelled_table(result, title, lang, labels=labels)]
    if result.S2 is not None and len(result.names) > 1:
        lines.append(second_order_table(result, lang, labels=labels))
    if not result.varies:
        lines.append(
            f"{out} er den samme i alle beregninger: der er ingen varians at fordele."
            if lang == "da"
            else f"{out} is the same in every evaluation: there is no variance to attribute."
        )
    if result.requested_n is not None and result.requested_n != result.n:
        asked = words.integer(result.requested_n)
        lines.append(
            f"n rundet op fra {asked} til {n} (Sobol-design kræver en potens af to)."
            if lang == "da"
            else f"n rounded up from {asked} to {n} (Sobol designs need a power of two)."
        )
    for name in result.merged:
        lines.append(
            f"[yellow]Korrelerede input analyseret som én gruppe:[/yellow] {_merged(name, labels)} "
            "(Sobol-indeks forudsætter uafhængige input)."
            if lang == "da"
            else f"[yellow]Correlated inputs analysed as one group:[/yellow] {_merged(name, labels)} "
            "(Sobol indices assume independent inputs)."
        )
    level = f"{words.significant(result.confidence * 100, 6)} %"
    if lang == "da":
        lines.append(
            f"[dim]S1: den andel af variansen på {out}, som {what}tet alene giver; ST: inklusive "
            f"samspillet med de andre. ± halv bredde af {level}-bootstrap-intervallet; et indeks, hvis "
            "interval når 0, vises som ≈ 0.[/dim]"
            if what == "input"
            else f"[dim]S1: den andel af variansen på {out}, som gruppen alene giver; ST: inklusive "
            f"samspillet med de andre. ± halv bredde af {level}-bootstrap-intervallet; et indeks, hvis "
            "interval når 0, vises som ≈ 0.[/dim]"
        )
    else:
        lines.append(
            f"[dim]S1: share of the variance of {out} caused by the {what} alone; ST: including its "
            f"interactions with the others. ± half-width of the {result.confidence:.0%} bootstrap "
            "interval; an index whose interval reaches 0 is shown as ≈ 0.[/dim]"
        )
    return lines


def second_order_table(
    result: SobolResult, lang: str = "en", *, labels: InputLabels | None = None
) -> FittedTable:
    """The second-order indices S2 of every pair (each pair once), largest first, shown as the
    first-order ones are (≈ 0 where the interval reaches 0); inputs and groups by their `labels`
    where given (:func:`~somrisk.cli.render_labelled.row_name`)."""
    words = TableWords(lang)
    out = escape(words.output(result.output))
    what = _what(result.by_group, lang)
    names, s2, conf = result.names, result.S2, result.S2_conf
    assert s2 is not None and conf is not None
    pairs = [(k, m) for k in range(len(names)) for m in range(k + 1, len(names))]
    pairs.sort(key=lambda km: -np.nan_to_num(s2[km], nan=-1.0))
    if lang == "da":
        title = f"Andenordens Sobol-indeks S2 for {out} pr. par af {what}"
        other = f"Andet {what}" if what == "input" else "Anden gruppe"
    else:
        title = f"Second-order Sobol indices S2 of {out} per pair of {what}s"
        other = f"Other {what}"
    table = FittedTable(title)
    table.add_label_column(what.capitalize(), max_width=INPUT_WIDTH)
    table.add_label_column(other, max_width=INPUT_WIDTH)
    table.add_number_column("S2")
    for k, m in pairs:
        x, c = float(s2[k, m]), float(conf[k, m])
        shown = index_text(x, c, bool(distinguishable(np.array(x), np.array(c))), words)
        by_group = result.by_group
        table.add_row(row_name(names[k], by_group, labels), row_name(names[m], by_group, labels), shown)
    return table


def morris_report(result: MorrisResult, lang: str = "en", *, labels: InputLabels | None = None) -> list[Any]:
    words = TableWords(lang)
    out = escape(words.output(result.output))
    what, currency = _what(result.by_group, lang), escape(_currency(result.attrs, lang))
    evaluations = words.integer(result.evaluations)
    if lang == "da":
        title = (
            f"Morris-screening af {out} pr. {what} ({result.trajectories} baner, "
            f"{evaluations} modelberegninger; {currency})"
        )
    else:
        title = (
            f"Morris screening of {out} per {what} ({result.trajectories} trajectories, "
            f"{evaluations} model evaluations; {currency})"
        )
    lines: list[Any] = [labelled_table(result, title, lang, labels=labels)]
    for name in result.merged:
        lines.append(
            f"[yellow]Korrelerede input flyttet som én gruppe:[/yellow] {_merged(name, labels)}."
            if lang == "da"
            else f"[yellow]Correlated inputs moved as one group:[/yellow] {_merged(name, labels)}."
        )
    lines.append(
        "[dim]mu*: gennemsnitlig absolut ændring af resultatet, når inputtet flyttes over sit 1-99 "
        "%-interval; sigma: spredningen af de ændringer (samspil, ikke-linearitet; '-' for en "
        "gruppe).[/dim]"
        if lang == "da"
        else "[dim]mu*: mean absolute change of the output when the input moves across its 1-99 % "
        "range; sigma: spread of those changes (interactions, non-linearity; '-' for a group).[/dim]"
    )
    return lines


def breakeven_report(result: Breakeven, lang: str = "en", *, labels: InputLabels | None = None) -> list[Any]:
    words = TableWords(lang)
    out = escape(words.output(result.output))
    draws = words.integer(result.draws)
    if lang == "da":
        effect = (
            "ingen i [-100, 100] procentpoint"
            if result.effect is None
            else f"{words.fixed(result.effect * 100, 2)} procentpoint "
            f"(basis {words.fixed(result.base_effect * 100, 2)})"
        )
        if result.base_full_years is None:
            full = "ikke relevant (sagen har ingen persistence.full_years)"
        elif result.full_years is None:
            full = "ingen inden for tidshorisonten"
        else:
            full = f"{words.fixed(result.full_years, 2)} år (basis {words.fixed(result.base_full_years, 2)})"
            if result.full_years == 0:
                full += f": {out} er ikke negativ, selv uden et år med fuld effekt"
        title = f"P({out} > 0) mod effekten ({draws} trækninger)"
        return [
            f"Break-even-effekt (deterministisk {out} = 0): {effect}",
            f"Break-even fuld persistens: {full}",
            labelled_table(result, title, lang, labels=labels),
        ]
    effect = (
        "none in [-100, 100] percentage points"
        if result.effect is None
        else f"{result.effect * 100:.2f} percentage points (base {result.base_effect * 100:.2f})"
    )
    if result.base_full_years is None:
        full = "not applicable (the case has no persistence.full_years)"
    elif result.full_years is None:
        full = "none within the horizon"
    else:
        full = f"{result.full_years:.2f} years (base {result.base_full_years:.2f})"
        if result.full_years == 0:
            full += f": the {out} is not negative even without a year of full effect"
    title = f"P({out} > 0) against the effect ({draws} draws)"
    return [
        f"Break-even effect (deterministic {out} = 0): {effect}",
        f"Break-even full persistence: {full}",
        labelled_table(result, title, lang, labels=labels),
    ]


def voi_report(
    result: ValueOfInformation, lang: str = "en", *, labels: InputLabels | None = None
) -> list[Any]:
    words = TableWords(lang)
    out = escape(words.output(result.output))
    currency, draws = escape(_currency(result.attrs, lang)), words.integer(result.draws)
    mean, p = words.money(result.mean), words.share(result.prob_positive)
    if lang == "da":
        decision = "at investere" if result.mean > 0 else "ikke at investere"
        title = (
            f"Værdien af information om {out} ({currency}; {draws} trækninger)\n"
            f"EVPI (alle input kendt præcist): {words.money(result.evpi)}"
        )
        return [
            labelled_table(result, title, lang, labels=labels),
            f"Uden mere information er beslutningen {decision} (gennemsnit {mean}, P(NPV > 0) {p}).",
            "[dim]EVPPI: hvad det i forventning er værd at kende dette input præcist, før der besluttes; "
            "en øvre grænse for, hvad en undersøgelse af det bør koste.[/dim]",
        ]
    decision = "invest" if result.mean > 0 else "not invest"
    title = (
        f"Value of information on {out} ({currency}; {draws} draws)\n"
        f"EVPI (every input known exactly): {words.money(result.evpi)}"
    )
    return [
        labelled_table(result, title, lang, labels=labels),
        f"Without more information the decision is to {decision} (mean {mean}, P(NPV > 0) {p}).",
        "[dim]EVPPI: what it is worth, in expectation, to know this input exactly before deciding; "
        "an upper limit on what a study of it should cost.[/dim]",
    ]


def drivers_report(result: Drivers, lang: str = "en", *, labels: InputLabels | None = None) -> list[Any]:
    words = TableWords(lang)
    out = escape(words.output(result.output))
    draws, losses = words.integer(result.draws), words.integer(result.loss_draws)
    if result.loss_draws in (0, result.draws):
        if lang == "da":
            which = "Ingen" if result.loss_draws == 0 else "Alle"
            return [f"{which} af {draws} trækninger har {out} < 0: intet adskiller tabene."]
        which = "no draw" if result.loss_draws == 0 else "every draw"
        return [f"{which.capitalize()} of {draws} has {out} < 0: nothing separates losses."]
    if lang == "da":
        title = (
            f"Hvad driver et tab: {losses} af {draws} trækninger ({words.share(result.prob_loss)}) har "
            f"{out} < 0"
        )
        note = (
            "[dim]D (Kolmogorov-Smirnov): den største afstand mellem inputtets fordeling i tabende og "
            "andre trækninger; 0 = inputtet ser ens ud i begge, 1 = dets værdier overlapper aldrig.[/dim]"
        )
    else:
        title = (
            f"What drives a loss: {losses} of {draws} draws ({words.share(result.prob_loss)}) have {out} < 0"
        )
        note = (
            "[dim]D (Kolmogorov-Smirnov): the largest gap between the input's distributions in losing and "
            "other draws; 0 = the input looks the same in both, 1 = its values never overlap.[/dim]"
        )
    return [labelled_table(result, title, lang, labels=labels), note]
