"""Danish and English words and number formats of the report.

Danish labels use SØM's own terms (Nettoresultat, Omkostninger, Økonomiske konsekvenser,
Tilbagebetalingstid, Kommune, Region, Stat); English labels are their plain equivalents. Numbers
follow the language: 1.234.567 kr. and 78,3 % in Danish, DKK 1,234,567 and 78.3 % in English.
"""

from __future__ import annotations

import math

from somrisk.case.schema import CATEGORY_LABELS
from somrisk.distributions import FAMILIES

__all__ = ["LANGUAGES", "SOM_ACTORS", "Words"]

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
        "key_figures": "Nøgletal",
        "actor": "Aktør",
        "deterministic": "Deterministisk (SØM)",
        "median": "Median",
        "interval": "Nedre og øvre: 90 %-intervallet for nutidsværdien (NPV) over trækningerne.",
        "p05": "Nedre (5 %)",
        "p95": "Øvre (95 %)",
        "no_uncertainty": "Alle input er faste tal, så der er ingen usikkerhed at fordele på antagelserne.",
        "merged": "Korrelerede antagelser er analyseret som én gruppe: {}.",
        "prob_positive": "P(NPV > 0)",
        "total": "I alt",
        "cumulative": "Akkumuleret nettoresultat (tilbagediskonteret)",
        "npv_distribution": "Fordeling af nutidsværdien",
        "payback": "Tilbagebetalingstid",
        "payback_curve": "Sandsynlighed for tilbagebetaling",
        "sensitivity": "Følsomhed",
        "tornado": "Tornado: én antagelse ad gangen (10 % og 90 % fraktil)",
        "sobol": "Andel af usikkerheden pr. type antagelse (Sobol-indeks)",
        "by_year": "Nettoresultat pr. år og aktør (deterministisk, SØM's opstilling)",
        "costs": "Omkostninger",
        "consequences": "Økonomiske konsekvenser",
        "net": "Nettoresultat",
        "assumptions": "Antagelser",
        "input": "Input",
        "distribution": "Fordeling",
        "base": "Basisværdi",
        "range": "10-90 %",
        "source": "Kilde",
        "provenance": "Dokumentation af beregningen",
        "overrides": "Ændret i forhold til sagsfilen",
        "draws_auto": "Antal træk valgt automatisk",
        "som_figures": "SØM's nøgletal",
        "figure": "Nøgletal",
        "net_total": "Nettoresultat over {} år, udiskonteret",
        "npv_per_participant": "Nutidsværdi pr. deltager",
        "net_total_per_participant": "Nettoresultat over {} år pr. deltager",
        "benefit_cost": "Afkast pr. investeret krone",
        "mean": "Gennemsnit",
        "som_note": "SØM opgør nettoresultatet over hele perioden uden diskontering og pr. deltager "
        "(alle deltagere, ikke kun dem med effekt); nutidsværdien ovenfor er tilbagediskonteret.",
        "warnings": "Advarsler",
        "version": "somrisk-version",
        "case_hash": "Sagsfilens SHA-256",
        "seed": "Seed",
        "sampler": "Sampler",
        "draws": "Trækninger",
        "date": "Dato",
        "year": "År",
        "kommune": "Kommune",
        "region": "Region",
        "stat": "Stat",
        "deterministic_line": "Deterministisk",
        "median_line": "Median",
        "band_50": "25-75 %",
        "band_90": "5-95 %",
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
        "key_figures": "Key figures",
        "actor": "Actor",
        "deterministic": "Deterministic (SØM)",
        "median": "Median",
        "interval": "Low and high: the 90 % interval of the net present value (NPV) over the draws.",
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
        "tornado": "Tornado: one assumption at a time (10 % and 90 % quantile)",
        "sobol": "Share of the uncertainty per kind of assumption (Sobol indices)",
        "by_year": "Net result by year and actor (deterministic, SØM's layout)",
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
        "net_total": "Net result over {} years, undiscounted",
        "npv_per_participant": "Net present value per participant",
        "net_total_per_participant": "Net result over {} years per participant",
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
        "deterministic_line": "Deterministic",
        "median_line": "Median",
        "band_50": "25-75 %",
        "band_90": "5-95 %",
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

    def money(self, x: float) -> str:
        """1.234.567 kr. in Danish (for DKK), DKK 1,234,567 in English."""
        if x is None or not math.isfinite(x):
            return "-"
        if self.lang == "da":
            unit = "kr." if self.currency == "DKK" else self.currency
            return f"{self.number(x)} {unit}"
        return f"{self.currency} {self.number(x)}"

    def percent(self, p: float, decimals: int = 0) -> str:
        """A probability as a percentage; "> 99 %" and "< 1 %" rather than a rounded certainty."""
        if p is None or not math.isfinite(p):
            return "-"
        edge = 0.5 * 10.0 ** -(decimals + 2)  # what rounds to 0 % or 100 %
        if 0 < p < edge:
            return f"< {self.number(10.0**-decimals, decimals)} %"
        if 1 - edge <= p < 1:
            return f"> {self.number(100 - 10.0**-decimals, decimals)} %"
        return f"{self.number(100 * p, decimals)} %"

    def prob_positive_sentence(self, actor: str, p: float, years: int) -> str:
        whom = _WHOM[self.lang].get(actor, f"for {actor}")
        if self.lang == "da":
            return (
                f"Der er {self.percent(p)} sandsynlighed for, at indsatsen giver et positivt nettoresultat "
                f"{whom} over {years} år (nutidsværdi over 0)."
            )
        return (
            f"There is a {self.percent(p)} probability that the intervention gives a positive net result "
            f"{whom} over {years} year{'' if years == 1 else 's'} (net present value above 0)."
        )

    def payback_sentence(self, p: float, last_year: int, median_year: int | None) -> str:
        if self.lang == "da":
            text = (
                f"Der er {self.percent(p)} sandsynlighed for, at indsatsen samlet set betaler sig tilbage "
                f"inden udgangen af {last_year}"
            )
            return text + (f"; mediantilbagebetalingsåret er {median_year}." if median_year else ".")
        text = (
            f"There is a {self.percent(p)} probability that the intervention pays back in total by the "
            f"end of {last_year}"
        )
        return text + (f"; the median payback year is {median_year}." if median_year else ".")


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
