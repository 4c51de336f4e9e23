"""Danish and English words and number formats of the command line's tables, beside the report's
(:mod:`somrisk.report.i18n`, whose words and number formats they reuse).

English keeps the command line's own formats (1,234,567 and 12.5 %, hyphen-minus); Danish writes
1.234.567 and 12,5 % with the report's minus sign. Money in the tables is a bare number: the
currency and price level are in the table's title.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from somrisk.report.i18n import LANGUAGES, Words

__all__ = ["TableWords", "locale_language"]


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """``da`` where the locale of messages is Danish, else ``en``: the first of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` that is set (POSIX's order) starts with ``da``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "da" if value.lower().startswith("da") else "en"
    return "en"


#: Column headings of the sensitivity results' tables (somrisk.labelled.TableColumn), in Danish.
_HEADINGS_DA = {
    "Input": "Input",
    "Group": "Gruppe",
    "Low": "Lav",
    "High": "Høj",
    "NPV low": "NPV lav",
    "NPV high": "NPV høj",
    "Swing": "Udsving",
    "Switch at": "Skifter ved",
    "P(beyond)": "P(forbi)",
    "First order S1": "Første orden S1",
    "Total ST": "Total ST",
    "Effect (pp)": "Effekt (procentpoint)",
    "Distance D": "Afstand D",
    "p-value": "p-værdi",
    "Median in losses": "Median ved tab",
    "Median otherwise": "Median ellers",
    "Share of EVPI": "Andel af EVPI",
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "actor": "Actor",
        "total": "Total",
        "deterministic": "Deterministic",
        "mean": "Mean",
        "npv_title": "Net present value (NPV), {unit}",
        "unit": "{currency}, {price_year} prices, discounted to {start_year}",
        "payback": "Payback within the horizon ({first}-{last}): {share} of draws; median payback year "
        "{median}; deterministic: {deterministic}",
        "no_median": "none (under half pay back)",
        "none": "none",
        "som": "SØM's figures: net result over {years} years, undiscounted: {det} deterministic, {mean} "
        "mean; per participant: NPV {npv_det} ({npv_mean} mean), net result {net_det} ({net_mean} mean); "
        "kroner back per krone: {ratio}",
        "provenance": "{draws} draws, sampler {sampler}, seed {seed}; Monte Carlo standard error of the "
        "mean total NPV: {error}; 5 % and 95 %: percentiles of the draws",
        "unknown_one_draw": "unknown (one draw)",
        "warning": "warning",
        "note": "note",
        "todo_one": "1 value is still marked TODO (line {lines}): replace it with your own, with its "
        "source, before the results are used",
        "todo_many": "{count} values are still marked TODO (lines {lines}): replace them with your own, "
        "with their sources, before the results are used",
        "cases": "Cases (NPV over all actors)",
        "case": "Case",
        "variance_share": "Var. share",
        "by_year": "Net result by year and actor, {currency}, {price_year} prices, undiscounted (mean of "
        "{draws} draws)",
        "year": "Year",
        "cumulative": "Cumulative",
        "by_year_note": "Net result: budget gains minus net extra costs in the year, not discounted. "
        "Cumulative: the total's discounted net result summed from {first} (paid back where it turns "
        "positive).",
        "not_distinguishable": "≈ 0 (not distinguishable)",
        "no_value": "none",
        "prices": "{currency}, {price_year} prices",
        "alternative": "Alternative",
        "scenario_base": "base",
        "no_difference": "the same",
        "compare_npv": "NPV of each alternative, {unit}",
        "compare_difference": "Difference against {reference} (the reference), draw by draw, {unit}",
        "better": "P(better)",
        "compare_note": "{draws} draws, sampler {sampler}, seed {seed}, common random numbers: an input "
        "with the same path takes the same uniform in every alternative",
        "evsi_title": "Value of a study of {input} on {output} ({unit}; {draws} draws)\nStudy: {study}",
        "evsi_binomial": "successes counted among N participants (binomial)",
        "evsi_normal": "mean of N measurements with individual sd {sd} (normal)",
        "evsi_share": "Share of EVPPI",
        "evsi_net": "EVSI − cost",
        "evsi_ceiling": "EVPPI (the input known exactly): {evppi}; EVPI (every input known exactly): {evpi}.",
        "evsi_decision": "Without the study the decision is {decision} (mean {mean}, P(NPV > 0) {p}).",
        "invest": "to invest",
        "not_invest": "not to invest",
        "evsi_cost": "With a study cost of {cost}: {verdict}",
        "evsi_best": "the best size is N = {n}.",
        "evsi_no_best": "no size is worth its cost.",
        "evsi_note": "EVSI: what the study's result is worth, in expectation, for the decision to invest or "
        "not, before it is run; it rises with N towards the EVPPI.",
        # what a command wrote ({} is the file)
        "cube_written": "Cube written to {}",
        "results_workbook_written": "Workbook written to {}",
        "chart_written": "Chart written to {}",
        "comparison_written": "Comparison written to {}",
        "template_written": "Template written to {}",
        "case_workbook_written": "Workbook written to {}",
        "case_written": "Case written to {}",
        "comments_replaced": " (it replaced a file with comments; a workbook does not keep them)",
        "new_written": "wrote {path}: fill in the TODOs, then run somrisk check {path}",
        # somrisk run --reproduce
        "reproduce_recorded": "{result}: {draws} draws, seed {seed}, sampler {sampler}, somrisk {version}",
        "reproduce_note": "note: {}",
        "reproduce_identical": "reproduced: {} identical, value for value",
        "reproduce_differs": "differs: {}",
        "reproduce_not": "NOT reproduced",
        # the progress bar's and spinners' words on stderr
        "simulating": "Simulating",
        "draws": "draws",
        "writing_cube": "Writing the cube",
        "writing_workbook": "Writing the workbook",
        "writing_report": "Writing the report (Sobol indices per group, charts)",
        "analysing": "Analysing",
        "step_tornado": "Tornado: one input at a time",
        "step_sobol": "Sobol indices",
        "step_sobol2": "Sobol indices, second order too",
        "step_morris": "Morris screening",
        "step_breakeven": "Break-even",
        "step_voi": "Value of information",
        "step_drivers": "What drives a loss",
    },
    "da": {
        "actor": "Aktør",
        "total": "I alt",
        "deterministic": "Deterministisk",
        "mean": "Gennemsnit",
        "npv_title": "Nutidsværdi (NPV), {unit}",
        "unit": "{currency}, {price_year}-priser, tilbagediskonteret til {start_year}",
        "payback": "Tilbagebetaling inden for tidshorisonten ({first}-{last}): {share} af trækningerne; "
        "medianår for tilbagebetaling {median}; deterministisk: {deterministic}",
        "no_median": "intet (under halvdelen betaler sig tilbage)",
        "none": "intet",
        "som": "SØM's nøgletal: nettoresultat over {years} år, udiskonteret: {det} deterministisk, "
        "{mean} i gennemsnit; pr. deltager: nutidsværdi {npv_det} ({npv_mean} i gennemsnit), "
        "nettoresultat {net_det} ({net_mean} i gennemsnit); afkast pr. investeret krone: {ratio}",
        "provenance": "{draws} trækninger, sampler {sampler}, seed {seed}; Monte Carlo-standardfejl på "
        "den gennemsnitlige samlede nutidsværdi: {error}; 5 % og 95 %: percentiler af trækningerne",
        "unknown_one_draw": "ukendt (én trækning)",
        "warning": "advarsel",
        "note": "bemærk",
        "todo_one": "1 værdi er stadig markeret TODO (linje {lines}): erstat den med jeres egen, med "
        "kilde, før resultaterne bruges",
        "todo_many": "{count} værdier er stadig markeret TODO (linje {lines}): erstat dem med jeres "
        "egne, med kilder, før resultaterne bruges",
        "cases": "Sager (nutidsværdi over alle aktører)",
        "case": "Sag",
        "variance_share": "Variansandel",
        "by_year": "Nettoresultat pr. år og aktør, {currency}, {price_year}-priser, udiskonteret "
        "(gennemsnit af {draws} trækninger)",
        "year": "År",
        "cumulative": "Akkumuleret",
        "by_year_note": "Nettoresultat: økonomiske konsekvenser minus nettomeromkostninger i året, ikke "
        "tilbagediskonteret. Akkumuleret: det samlede tilbagediskonterede nettoresultat lagt sammen fra "
        "{first} (tilbagebetalt hvor det bliver positivt).",
        "not_distinguishable": "≈ 0 (kan ikke skelnes fra 0)",
        "no_value": "ingen",
        "prices": "{currency}, {price_year}-priser",
        "alternative": "Alternativ",
        "scenario_base": "Grundberegning",
        "no_difference": "det samme",
        "compare_npv": "Nutidsværdi (NPV) af hvert alternativ, {unit}",
        "compare_difference": "Forskel i forhold til {reference} (referencen), trækning for trækning, {unit}",
        "better": "P(bedre)",
        "compare_note": "{draws} trækninger, sampler {sampler}, seed {seed}, fælles tilfældige tal: et "
        "input med samme sti får det samme uniforme tal i alle alternativer",
        "evsi_title": "Værdien af en undersøgelse af {input} for {output} ({unit}; {draws} trækninger)\n"
        "Undersøgelse: {study}",
        "evsi_binomial": "antal succeser blandt N deltagere (binomial)",
        "evsi_normal": "gennemsnit af N målinger med individuel standardafvigelse {sd} (normal)",
        "evsi_share": "Andel af EVPPI",
        "evsi_net": "EVSI − pris",
        "evsi_ceiling": "EVPPI (inputtet kendt præcist): {evppi}; EVPI (alle input kendt præcist): {evpi}.",
        "evsi_decision": "Uden undersøgelsen er beslutningen {decision} (gennemsnit {mean}, P(NPV > 0) {p}).",
        "invest": "at investere",
        "not_invest": "ikke at investere",
        "evsi_cost": "Med en pris på undersøgelsen på {cost}: {verdict}",
        "evsi_best": "det bedste antal er N = {n}.",
        "evsi_no_best": "intet antal er prisen værd.",
        "evsi_note": "EVSI: hvad undersøgelsens resultat i forventning er værd for beslutningen om at "
        "investere eller ej, før den gennemføres; den stiger med N mod EVPPI.",
        "cube_written": "Resultatkuben er skrevet til {}",
        "results_workbook_written": "Regnearket med resultaterne er skrevet til {}",
        "chart_written": "Figuren er skrevet til {}",
        "comparison_written": "Sammenligningen er skrevet til {}",
        "template_written": "Skabelonen er skrevet til {}",
        "case_workbook_written": "Sagens regneark er skrevet til {}",
        "case_written": "Sagen er skrevet til {}",
        "comments_replaced": " (den erstattede en fil med kommentarer; et regneark gemmer dem ikke)",
        "new_written": "skrev {path}: udfyld TODO'erne, og kør derefter somrisk check {path}",
        "reproduce_recorded": "{result}: {draws} trækninger, seed {seed}, sampler {sampler}, "
        "somrisk {version}",
        "reproduce_note": "bemærk: {}",
        "reproduce_identical": "genskabt: {} er identiske, værdi for værdi",
        "reproduce_differs": "afviger: {}",
        "reproduce_not": "IKKE genskabt",
        "simulating": "Simulerer",
        "draws": "trækninger",
        "writing_cube": "Skriver resultatkuben",
        "writing_workbook": "Skriver regnearket",
        "writing_report": "Skriver rapporten (Sobol-indeks pr. gruppe, figurer)",
        "analysing": "Analyserer",
        "step_tornado": "Tornado: ét input ad gangen",
        "step_sobol": "Sobol-indeks",
        "step_sobol2": "Sobol-indeks, også anden orden",
        "step_morris": "Morris-screening",
        "step_breakeven": "Break-even",
        "step_voi": "Værdien af information",
        "step_drivers": "Hvad driver et tab",
    },
}


class TableWords:
    """The words and number formats of one language for the command line's tables."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
        self.lang = lang
        self.report = Words(lang)
        self.text = _TEXT[lang]

    def __getitem__(self, key: str) -> str:
        return self.text[key]

    def output(self, output: str) -> str:
        """The analysed output (``npv``, ``npv:<actor>``, an option's value) for readers: "NPV",
        "NPV for kommunen" / "NPV for the municipality" (the report's words for an actor)."""
        return self.report.output(output)

    def heading(self, english: str) -> str:
        """A sensitivity table's column heading in this language."""
        return _HEADINGS_DA.get(english, english) if self.lang == "da" else english

    def actor(self, name: str) -> str:
        """``Total``/``I alt`` for the total; SØM's actors capitalised in Danish (the report's
        words), other actors as the case spells them."""
        if name == "total":
            return self["total"]
        return self.report.actor(name) if self.lang == "da" else name

    def integer(self, x: int) -> str:
        """A count with thousands separators: 10,000 or 10.000."""
        return self.report.number(float(x)) if self.lang == "da" else f"{x:,}"

    def money(self, x: float | None) -> str:
        """Whole currency units with thousands separators; '-' where not defined."""
        if x is None or not math.isfinite(x):
            return "-"
        return self.report.number(x) if self.lang == "da" else f"{x:,.0f}"

    def share(self, x: float | None) -> str:
        """A fraction as a percentage with one decimal: 12.5 % or 12,5 %."""
        if x is None or not math.isfinite(x):
            return "-"
        return self.report.number(100 * x, 1) + " %" if self.lang == "da" else f"{100 * x:.1f} %"

    def fixed(self, x: float, decimals: int) -> str:
        """A number with `decimals` decimals, in this language's notation."""
        return self.report.number(x, decimals) if self.lang == "da" else f"{x:.{decimals}f}"

    def significant(self, x: float, digits: int) -> str:
        """A number with `digits` significant digits (0,4158 in Danish)."""
        text = f"{x:.{digits}g}"
        return text.replace(".", ",").replace("-", "−") if self.lang == "da" else text

    def grouped(self, x: float, digits: int) -> str:
        """A number with up to `digits` significant digits and thousands separators: 158,333 and
        0.48 in English, 158.333 and 0,48 in Danish (with the report's minus sign)."""
        text = f"{x:,.{digits}g}"
        if self.lang != "da":
            return text
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".").replace("-", "−")
