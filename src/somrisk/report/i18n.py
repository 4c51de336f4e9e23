"""Danish and English words and number formats of the report.

Danish labels use SØM's own terms (Nettoresultat, Omkostninger, Økonomiske konsekvenser,
Tilbagebetalingstid, Kommune, Region, Stat); English labels are their plain equivalents. Numbers
follow the language: 1.234.567 kr. and 78,3 % in Danish, DKK 1,234,567 and 78.3 % in English.
"""

from __future__ import annotations

import math
import re

from somrisk.case.schema import CATEGORY_LABELS
from somrisk.distributions import FAMILIES

__all__ = ["LANGUAGES", "SOM_ACTORS", "Words", "escape", "keep_together"]

#: SØM's three public actors, whose names the report translates.
SOM_ACTORS = ("kommune", "region", "stat")

LANGUAGES = ("da", "en")

_LABELS = {
    "da": {
        "title": "Risikovurdering af investeringen",
        "case": "Indsatsen",
        "description": "Beskrivelse",
        "measure": "Effektmål",
        "participants": "Deltagere",
        "horizon": "Tidshorisont",
        "years": "år",
        "price_level": "Prisniveau",
        "discount_rate": "Diskonteringsrente",
        "actor": "Aktør",
        "deterministic": "Deterministisk (SØM)",
        "median": "Median",
        "p05": "Nedre (5 %)",
        "p95": "Øvre (95 %)",
        "no_uncertainty": "Alle input er faste tal, så der er ingen usikkerhed at fordele på antagelserne.",
        "merged": "Korrelerede antagelser er analyseret som én gruppe: {}.",
        "prob_positive": "P(nutidsværdi > 0)",
        "total": "I alt",
        "cumulative": "Akkumuleret nettoresultat (tilbagediskonteret)",
        "npv_distribution": "Fordeling af nutidsværdien",
        "payback": "Tilbagebetalingstid",
        "payback_curve": "Sandsynlighed for tilbagebetaling",
        "sensitivity": "Følsomhed",
        "tornado": "Én antagelse ad gangen (10 %- og 90 %-fraktil)",
        "sobol": "Andel af usikkerheden pr. type antagelse (Sobol-indeks)",
        "by_year": "Nettoresultat pr. år og aktør (deterministisk, SØM's opstilling)",
        "by_year_continued": "Nettoresultat pr. år og aktør, fortsat: {first}-{last}",
        "costs": "Omkostninger",
        "consequences": "Økonomiske konsekvenser",
        "net": "Nettoresultat",
        "assumptions": "Antagelser",
        "input": "Antagelse",
        "distribution": "Fordeling",
        "base": "Basisværdi",
        "range": "10-90 %",
        "source": "Kilde",
        "provenance": "Dokumentation af beregningen",
        "overrides": "Ændret i forhold til sagsfilen",
        "draws_auto": "Antal træk valgt automatisk",
        "som_figures": "SØM's nøgletal",
        "figure": "Nøgletal",
        "net_total": "Nettoresultat over {}, udiskonteret",
        "npv_per_participant": "Nutidsværdi pr. deltager",
        "net_total_per_participant": "Nettoresultat over {} pr. deltager",
        "benefit_cost": "Afkast pr. investeret krone",
        "mean": "Gennemsnit",
        "som_note": "SØM opgør nettoresultatet over hele perioden uden diskontering og pr. deltager "
        "(alle deltagere, ikke kun dem med effekt); nutidsværdien ovenfor er tilbagediskonteret.",
        "warnings": "Advarsler",
        "version": "somrisk-version",
        "case_hash": "Sagsfilens SHA-256",
        "seed": "Startværdi for tilfældige tal (seed)",
        "sampler": "Trækningsmetode",
        "draws": "Trækninger",
        "date": "Dato",
        "year": "År",
        "kommune": "Kommune",
        "region": "Region",
        "stat": "Stat",
        "deterministic_line": "Deterministisk (SØM)",
        "median_line": "Median",
        "band_50": "50 % af trækningerne (25-75 %)",
        "band_90": "90 % af trækningerne (5-95 %)",
        "answer": "Svaret kort",
        "facts": "{participants} deltagere ({intake}) · {horizon} ({years}) · prisniveau {price_level} · "
        "diskonteringsrente {rate} · {draws} trækninger",
        "investment_table": "Investering og afkast (nutidsværdi)",
        "investment": "Investering: indsatsens meromkostninger",
        "return": "Afkast: de økonomiske gevinster",
        "npv": "Nettonutidsværdi (afkast − investering)",
        "mc_mean": "Gennemsnit (Monte Carlo)",
        "npv_by_actor": "Nettonutidsværdi pr. aktør",
        "prob_with_precision": "P(nutidsværdi > 0) (±)",
        "precision_note": "P(nutidsværdi > 0): sandsynligheden for, at nutidsværdien er over 0, dvs. at "
        "indsatsen betaler sig inden for tidshorisonten. Tallet i parentes er den usikkerhed, der kommer af, "
        "at sandsynligheden er talt op over {draws} tilfældige trækninger (i procentpoint, 95 %); flere "
        "trækninger gør den mindre. "
        "Nedre og øvre: 90 % af trækningerne ligger mellem dem.",
        "no_flows_cell": "ingen betalinger",
        "verdict": "Der er {p} sandsynlighed for, at indsatsen betaler sig {whom} inden udgangen af {last}.",
        "no_flows": "Indsatsen har hverken omkostninger eller gevinster {whom} i denne sag; der er intet at "
        "betale sig.",
        "payback_line": "Tilbagebetaling samlet set: {p} sandsynlighed for, at det akkumulerede "
        "nettoresultat er over 0 inden udgangen af {last}",
        "payback_median": "; medianåret er {median}",
        "payback_none": "; i medianen sker det ikke inden for tidshorisonten",
        "payback_som": " (SØM: {year})",
        "payback_som_none": " (SØM: ikke inden for tidshorisonten)",
        "mean_median_differ": "Gennemsnittet ({mean}) er {direction} end medianen ({median}), fordi "
        "fordelingen af den samlede nutidsværdi er skæv: nogle få udfald er meget {tail}. Gennemsnittet er "
        "det forventede resultat, som man får i gennemsnit over mange indsatser som denne; medianen er det "
        "typiske udfald, som halvdelen af trækningerne ligger under.",
        "higher": "højere",
        "lower": "lavere",
        "good": "gode",
        "bad": "dårlige",
        "mean_median_alike": "Gennemsnittet ({mean}) er det forventede resultat, medianen ({median}) det "
        "typiske udfald, som halvdelen af trækningerne ligger under; de ligger tæt på hinanden i forhold "
        "til usikkerheden, så fordelingen er nogenlunde symmetrisk.",
        "bad_case": "Det dårlige tilfælde: i de 5 % dårligste trækninger er den samlede nutidsværdi under "
        "{p05}, i gennemsnit {shortfall}.",
        "caption_cumulative": "Sådan læses figuren: kurven er det akkumulerede, tilbagediskonterede "
        "nettoresultat år for år (fuld linje: median; mørkt bånd: 50 %, lyst bånd: 90 % af trækningerne; "
        "stiplet: SØM's deterministiske beregning), og indsatsen har tjent sig hjem, hvor kurven krydser 0 – "
        "i medianen {cross}; ved udgangen af {last} ligger 90 %-båndet fra {low} til {high}.",
        "cross_year": "i {year}",
        "cross_none": "ikke inden {last}",
        "caption_npv": "Sådan læses figuren: hver række er fordelingen af nutidsværdien for én aktør over "
        "trækningerne (lyst felt: 90 %-intervallet; grå linje: 0; stiplet: SØM's deterministiske tal); den "
        "del, der ligger til højre for 0, er sandsynligheden for, at indsatsen betaler sig – samlet set {p}. "
        "Hver række har sin egen skala: sammenlign aktørerne ud fra tallene, ikke bredden.",
        "caption_payback": "Sådan læses figuren: søjlen for et år er sandsynligheden for, at indsatsen "
        "samlet set har tjent sig hjem ved årets udgang; ved udgangen af {last} er den {p}.",
        "caption_tornado": "Sådan læses figuren: hver bjælke viser den samlede nutidsværdi, når én antagelse "
        "flyttes til sin 10 %-fraktil (blå) og sin 90 %-fraktil (orange), mens de øvrige står på "
        "basisværdien (lodret linje); størst udslag giver {label}: fra {low} til {high}.",
        "caption_sobol": "Sådan læses figuren: bjælkerne er den andel af usikkerheden om den samlede "
        "nutidsværdi, som hver type antagelse står for alene (blå) og medregnet dens samspil med de andre "
        "(orange), og de sorte streger er skønnenes usikkerhed (95 %); den største andel har {label} "
        "({alone} alene, {share} medregnet samspil).",
        "sobol_alone": "andel alene",
        "sobol_total": "andel inkl. samspil",
        "sobol_axis": "Andel af usikkerheden om den samlede nutidsværdi",
        "tornado_hidden": "de {} mindste udslag er ikke vist",
        "tornado_quantile": "{} %-fraktil",
        "tornado_axis": "Samlet nutidsværdi ({unit}); basis {base}",
        "caption_tornado_hidden": " De {hidden} antagelser med mindre udslag end de viste står i listen over "
        "antagelser.",
        "net_all": "Nettoresultat i alt",
        "own_price_year": "i {year}-priser; regnet om til {level}-priser med nettoprisindekset",
        "converted": " (beløb i andre prisår er regnet om med nettoprisindekset)",
        "profile_note": "ganges med profilen år for år: {values}",
        "case_file": "Sagsfil",
        "written": "Rapporten er skrevet til {}",
        "unknown": "ukendt",
        "register_note": "Koden under hver antagelse er dens sti i sagsfilen, til analytikere, der retter "
        "sagen. Basisværdi: den værdi, SØM's deterministiske beregning bruger – sagens base-værdi, hvis den "
        "er angivet, ellers skønnet, ellers fordelingens middelværdi (derfor kan et antal deltagere have "
        "decimaler, og basisværdien kan afvige fra den mest sandsynlige værdi).",
    },
    "en": {
        "title": "Risk assessment of the investment",
        "case": "The intervention",
        "description": "Description",
        "measure": "Effect measure",
        "participants": "Participants",
        "horizon": "Horizon",
        "years": "years",
        "price_level": "Price level",
        "discount_rate": "Discount rate",
        "actor": "Actor",
        "deterministic": "Deterministic (SØM)",
        "median": "Median",
        "p05": "Low (5 %)",
        "p95": "High (95 %)",
        "no_uncertainty": "Every input is a fixed number: there is no uncertainty to attribute.",
        "merged": "Correlated assumptions are analysed as one group: {}.",
        "prob_positive": "P(NPV > 0)",
        "total": "Total",
        "cumulative": "Cumulative discounted net result",
        "npv_distribution": "Distribution of the net present value",
        "payback": "Payback",
        "payback_curve": "Probability of payback",
        "sensitivity": "Sensitivity",
        "tornado": "One assumption at a time (10 % and 90 % quantile)",
        "sobol": "Share of the uncertainty per kind of assumption (Sobol indices)",
        "by_year": "Net result by year and actor (deterministic, SØM's layout)",
        "by_year_continued": "Net result by year and actor, continued: {first}-{last}",
        "costs": "Costs",
        "consequences": "Budget consequences",
        "net": "Net result",
        "assumptions": "Assumptions",
        "input": "Input",
        "distribution": "Distribution",
        "base": "Base value",
        "range": "10-90 %",
        "source": "Source",
        "provenance": "Provenance",
        "overrides": "Changed from the case file",
        "draws_auto": "Number of draws chosen automatically",
        "som_figures": "SØM's key figures",
        "figure": "Figure",
        "net_total": "Net result over {}, undiscounted",
        "npv_per_participant": "Net present value per participant",
        "net_total_per_participant": "Net result over {} per participant",
        "benefit_cost": "Return per krone invested",
        "mean": "Mean",
        "som_note": "SØM states the net result over the whole period without discounting, and per "
        "participant (every participant, not only those with the effect); the NPV above is discounted.",
        "warnings": "Warnings",
        "version": "somrisk version",
        "case_hash": "Case file SHA-256",
        "seed": "Seed",
        "sampler": "Sampler",
        "draws": "Draws",
        "date": "Date",
        "year": "Year",
        "kommune": "Municipality",
        "region": "Region",
        "stat": "State",
        "deterministic_line": "Deterministic (SØM)",
        "median_line": "Median",
        "band_50": "50 % of the draws (25-75 %)",
        "band_90": "90 % of the draws (5-95 %)",
        "answer": "The answer in brief",
        "facts": "{participants} participants ({intake}) · {horizon} ({years}) · price level "
        "{price_level} · discount rate {rate} · {draws} draws",
        "investment_table": "Investment and return (present value)",
        "investment": "Investment: the extra costs of the intervention",
        "return": "Return: the budget gains",
        "npv": "Net present value (return − investment)",
        "mc_mean": "Mean (Monte Carlo)",
        "npv_by_actor": "Net present value by actor",
        "prob_with_precision": "P(NPV > 0) (±)",
        "precision_note": "P(NPV > 0): the probability that the net present value is above 0, that is, "
        "that the intervention pays off within the horizon. The figure in brackets is its uncertainty from "
        "being counted over {draws} random draws (percentage points, 95 %); more draws make it smaller. "
        "Low and high: 90 % of the draws lie between them.",
        "no_flows_cell": "no payments",
        "verdict": "There is a {p} probability that the intervention pays off {whom} by the end of {last}.",
        "no_flows": "The intervention has neither costs nor gains {whom} in this case; there is nothing to "
        "pay off.",
        "payback_line": "Payback in total: a {p} probability that the cumulative net result is above 0 by "
        "the end of {last}",
        "payback_median": "; the median year is {median}",
        "payback_none": "; in the median it does not happen within the horizon",
        "payback_som": " (SØM: {year})",
        "payback_som_none": " (SØM: not within the horizon)",
        "mean_median_differ": "The mean ({mean}) is {direction} than the median ({median}) because the "
        "distribution of the total net present value is skewed: a few outcomes are very {tail}. The mean is "
        "the expected result, what one gets on average over many interventions like this one; the median "
        "is the typical outcome, with half of the draws below it.",
        "higher": "higher",
        "lower": "lower",
        "good": "good",
        "bad": "bad",
        "mean_median_alike": "The mean ({mean}) is the expected result, the median ({median}) the typical "
        "outcome, with half of the draws below it; they are close, given the uncertainty, so the "
        "distribution is roughly symmetric.",
        "bad_case": "The bad case: in the worst 5 % of the draws the total net present value is below "
        "{p05}, on average {shortfall}.",
        "caption_cumulative": "How to read it: the curve is the cumulative discounted net result year by "
        "year (solid line: median; dark band: 50 %, light band: 90 % of the draws; dashed: SØM's "
        "deterministic calculation), and the intervention has paid back where the curve crosses 0 – in the "
        "median {cross}; at the end of {last} the 90 % band runs from {low} to {high}.",
        "cross_year": "in {year}",
        "cross_none": "not before {last}",
        "caption_npv": "How to read it: each row is the distribution of one actor's net present value over "
        "the draws (light area: the 90 % interval; grey line: 0; dashed: SØM's deterministic figure); the "
        "part right of 0 is the probability that the intervention pays off – {p} in total. Each row has "
        "its own scale: compare the actors by the numbers, not the widths.",
        "caption_payback": "How to read it: the bar of a year is the probability that the intervention has "
        "paid back in total by the end of that year; by the end of {last} it is {p}.",
        "caption_tornado": "How to read it: each bar shows the total net present value with one assumption "
        "at its 10 % quantile (blue) and at its 90 % quantile (orange), every other at its base value "
        "(vertical line); {label} moves it most: from {low} to {high}.",
        "caption_sobol": "How to read it: the bars are the share of the uncertainty about the total net "
        "present value that each kind of assumption accounts for alone (blue) and including its "
        "interactions with the others (orange), and the black lines are the estimates' uncertainty "
        "(95 %); {label} has the largest share ({alone} alone, {share} including interactions).",
        "sobol_alone": "share alone",
        "sobol_total": "share incl. interactions",
        "sobol_axis": "Share of the uncertainty about the total net present value",
        "tornado_hidden": "the {} smallest swings not shown",
        "tornado_quantile": "{} % quantile",
        "tornado_axis": "Total net present value ({unit}); base {base}",
        "caption_tornado_hidden": " The {hidden} assumptions that move it less than those shown are in the "
        "list of assumptions.",
        "net_all": "Net result, total",
        "own_price_year": "at {year} prices; converted to {level} prices with the net price index",
        "converted": " (amounts of other price years are converted with the net price index)",
        "profile_note": "multiplies the year-by-year profile: {values}",
        "case_file": "Case file",
        "written": "Report written to {}",
        "unknown": "unknown",
        "register_note": "The code under each assumption is its path in the case file, for analysts who "
        "edit the case. Base value: the value SØM's deterministic calculation uses – the case's base value "
        "where it gives one, else the estimate, else the distribution's mean (so a number of participants "
        "can have decimals, and the base value can differ from the most likely value).",
    },
}

#: "for whom" in a sentence: SØM's actors in their definite forms.
_WHOM = {
    "da": {"total": "samlet set", "kommune": "for kommunen", "region": "for regionen", "stat": "for staten"},
    "en": {
        "total": "in total",
        "kommune": "for the municipality",
        "region": "for the region",
        "stat": "for the state",
    },
}


_MONTHS = {
    "da": (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


_SAMPLERS = {
    "da": {
        "lhs": "latinsk hyperkube",
        "mc": "tilfældige trækninger (Monte Carlo)",
        "sobol": "Sobol-sekvens",
    },
    "en": {"lhs": "Latin hypercube", "mc": "random draws (Monte Carlo)", "sobol": "Sobol sequence"},
}


class Words:
    """Labels and number formats of one language."""

    def __init__(self, lang: str, currency: str = "DKK") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
        self.lang, self.currency = lang, currency
        self.labels = _LABELS[lang]

    def __getitem__(self, key: str) -> str:
        return self.labels.get(key, key)

    def actor(self, name: str) -> str:
        """An actor's display name (SØM's actors translated; other actors as the case spells them)."""
        return self.labels[name] if name in ("total", *SOM_ACTORS) else name

    def category(self, name: str) -> str:
        return CATEGORY_LABELS[self.lang].get(name, name)

    def number(self, x: float, decimals: int = 0) -> str:
        """1.234.567,5 in Danish, 1,234,567.5 in English; '-' where not defined."""
        if x is None or not math.isfinite(x):
            return "-"
        if round(x, decimals) == 0:
            x = 0.0  # no "−0"
        text = f"{x:,.{decimals}f}"
        if self.lang == "da":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text.replace("-", "−")

    def decimal(self, x: float) -> str:
        """A small number with 4 significant digits (0,4158 in Danish)."""
        text = f"{x:.4g}"
        return (text.replace(".", ",") if self.lang == "da" else text).replace("-", "−")

    @property
    def unit(self) -> str:
        """The currency as the language writes it: kr. in Danish (for DKK), DKK in English."""
        return "kr." if self.lang == "da" and self.currency == "DKK" else self.currency

    def whom(self, actor: str) -> str:
        """ "for kommunen", "in total": an actor inside a sentence."""
        return _WHOM[self.lang].get(actor, f"for {actor}")

    def output(self, output: str) -> str:
        """The analysed output (``npv``, ``npv:<actor>``) for readers: "NPV", "NPV for kommunen" /
        "NPV for the municipality"."""
        _, _, actor = output.partition(":")
        return f"NPV {self.whom(actor)}" if actor else "NPV"

    def local_date(self, stamp: str | None) -> str:
        """A run's time (ISO 8601, UTC) in this machine's time zone: "6. december 2026, kl. 03.05" in
        Danish, "6 December 2026, 03:05" in English; now where the run has none."""
        from datetime import datetime

        moment = (datetime.fromisoformat(stamp) if stamp else datetime.now().astimezone()).astimezone()
        month = _MONTHS[self.lang][moment.month - 1]
        if self.lang == "da":
            return f"{moment.day}. {month} {moment.year}, kl. {moment:%H.%M}"
        return f"{moment.day} {month} {moment.year}, {moment:%H:%M}"

    def sampler(self, name: str) -> str:
        """The sampler in words, its name in brackets: "Latin hypercube (lhs)"."""
        words = _SAMPLERS[self.lang].get(name)
        return f"{words} ({name})" if words else name

    def years(self, n: int) -> str:
        """ "10 år", "1 year", "10 years"."""
        if self.lang == "da":
            return f"{n} år"
        return f"{n} year{'' if n == 1 else 's'}"

    @staticmethod
    def span(first: int, last: int) -> str:
        """ "2025-2027", or "2025" where the span is one year."""
        return str(first) if first == last else f"{first}-{last}"

    @staticmethod
    def sentence(text: str) -> str:
        """`text` without the doubled full stop of an amount ending a sentence ("1.234 kr..")."""
        return text.replace("kr..", "kr.")

    def money(self, x: float) -> str:
        """1.234.567 kr. in Danish (for DKK), DKK 1,234,567 in English."""
        if x is None or not math.isfinite(x):
            return "-"
        if self.lang == "da":
            return f"{self.number(x)} {self.unit}"
        return f"{self.currency} {self.number(x)}"

    def percent(self, p: float, decimals: int = 0, *, sampled: bool = False) -> str:
        """A probability as a percentage; "> 99 %" and "< 1 %" rather than a rounded certainty.
        `sampled`: `p` is a share of random draws that vary, so 0 and 1 are not certainties either
        (no draw fell on the other side, which says the probability is small, not that it is 0)."""
        if p is None or not math.isfinite(p):
            return "-"
        edge = 0.5 * 10.0 ** -(decimals + 2)  # what rounds to 0 % or 100 %
        if (p > 0 or sampled) and p < edge:
            return f"< {self.number(10.0**-decimals, decimals)} %"
        if 1 - edge <= p and (p < 1 or sampled):
            return f"> {self.number(100 - 10.0**-decimals, decimals)} %"
        return f"{self.number(100 * p, decimals)} %"


def describe(kind: str, params: dict[str, float], words: Words) -> str:
    """A distribution in words, e.g. "trekantfordeling 1-4, mest sandsynligt 2": the family's words
    (distributions.FAMILIES) with `params` filled in. KeyError where the family has no words (it is
    shown by its own parameters) or a parameter its words name is missing."""

    def show(x: float) -> str:
        return words.number(x) if abs(x) >= 1000 or float(x).is_integer() else words.decimal(x)

    family = FAMILIES.get(kind)
    if family is None or family.words is None:
        raise KeyError(f"no words for the distribution {kind!r}")
    template = family.words[words.lang]
    shown = {key: show(value) for key, value in params.items()}
    if "min" in params and "max" in params:
        # "1-4", but "−70.000 til −40.000" where a dash would read as a minus sign
        joint = "-" if params["min"] >= 0 else (" til " if words.lang == "da" else " to ")
        shown["range"] = f"{shown['min']}{joint}{shown['max']}"
    return template.format(**shown)


#: A number and its unit ("12 %", "1.234 kr.", "DKK 1,234") and a comparison ("nutidsværdi > 0"),
#: which a line must not split.
_UNIT_SPACE = re.compile(
    r"(?<=\d) (?=%|kr\.)|(?<=DKK) (?=[−\d])|(?:(?<=[<>])|(?<=&gt;)|(?<=&lt;)) (?=\d)|(?<=\S) (?=&gt; \d|> \d)"
)


def keep_together(text: str) -> str:
    """`text` with a no-break space between a number and its unit (a printed table's header or a
    sentence would otherwise break "5 %" after the 5); for HTML text, not for charts or the CLI."""
    return _UNIT_SPACE.sub("\u00a0", text)


def escape(text: str) -> str:
    """`text` escaped for HTML, with a number and its unit kept on one line (:func:`keep_together`)."""
    import html

    return keep_together(html.escape(text))
