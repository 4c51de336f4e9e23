"""The words and number formats of the results workbook, in Danish and English.

Danish uses SØM's terms (Nettoresultat, Omkostninger, Økonomiske konsekvenser, Tilbagebetaling,
Kommune, Region, Stat), as the report does (report/i18n.py, which io/ may not import: both are
stage 10). Number formats are Excel format codes; Excel stores them with ``,`` for thousands and
``.`` for decimals and shows them in the reader's locale, so ``#,##0 "kr."`` reads 1.234.567 kr. in a
Danish Excel or LibreOffice and 1,234,567 kr. in an English one.
"""

from __future__ import annotations

from somrisk.case.schema import CATEGORY_LABELS
from somrisk.labels import GROUP_NAMES

__all__ = ["LANGUAGES", "WorkbookWords"]

LANGUAGES = ("da", "en")

_SOM_ACTORS = ("kommune", "region", "stat", "total")

_LABELS = {
    "da": {
        "summary": "Overblik",
        "by_year": "År for år",
        "assumptions": "Antagelser",
        "draws": "Trækninger",
        "title": "Risikovurdering af investeringen",
        "case": "Indsats",
        "price_level": "Prisniveau",
        "discount_rate": "Diskonteringsrente",
        "horizon": "Tidshorisont",
        "years_unit": "{} år ({}-{})",
        "participants": "Deltagere (basisværdi)",
        "investment": "Investering og afkast (nutidsværdi)",
        "figure": "Nøgletal",
        "deterministic": "Deterministisk (SØM)",
        "mean": "Gennemsnit",
        "median": "Median",
        "low": "Nedre ({} %)",
        "high": "Øvre ({} %)",
        "pv_costs": "Nutidsværdi af nettomeromkostninger",
        "pv_gains": "Nutidsværdi af økonomiske konsekvenser (gevinster)",
        "benefit_cost": "Afkast pr. investeret krone",
        "npv_by_actor": "Nutidsværdi (NPV) pr. aktør",
        "actor": "Aktør",
        "prob_positive": "P(NPV > 0)",
        "prob_se": "Usikkerhed på P (±, 95 %)",
        "payback": "Tilbagebetaling (samlet, tilbagediskonteret)",
        "payback_prob": "Sandsynlighed for tilbagebetaling inden udgangen af {}",
        "payback_median": "Medianår for tilbagebetaling",
        "payback_deterministic": "Tilbagebetalingsår, deterministisk (SØM)",
        "not_within": "ikke inden for perioden",
        "som_figures": "SØM's nøgletal (udiskonteret)",
        "net_total": "Nettoresultat over {} år, udiskonteret, i alt",
        "npv_per_participant": "Nutidsværdi pr. deltager",
        "net_total_per_participant": "Nettoresultat over {} år pr. deltager",
        "warnings": "Advarsler",
        "no_warnings": "Ingen",
        "provenance": "Dokumentation af beregningen",
        "draws_count": "Trækninger",
        "seed": "Seed",
        "sampler": "Sampler",
        "version": "somrisk-version",
        "case_hash": "Sagsfilens SHA-256",
        "created": "Beregnet (UTC)",
        "interval_note": "Nedre og øvre: {} %- og {} %-fraktilen over trækningerne. Beløb i {} i {}-priser.",
        "year": "År",
        "costs": "Omkostninger",
        "consequences": "Økonomiske konsekvenser: {}",
        "net": "Nettoresultat",
        "cumulative": "Akkumuleret nettoresultat, udiskonteret",
        "net_mean": "Nettoresultat, gennemsnit af trækninger",
        "net_low": "Nettoresultat, nedre ({} %)",
        "net_high": "Nettoresultat, øvre ({} %)",
        "cumulative_discounted": "Akkumuleret nettoresultat, tilbagediskonteret (SØM)",
        "cumulative_mean": "Akkumuleret, tilbagediskonteret, gennemsnit",
        "cumulative_low": "Akkumuleret, tilbagediskonteret, nedre ({} %)",
        "cumulative_high": "Akkumuleret, tilbagediskonteret, øvre ({} %)",
        "by_year_title": "Nettoresultat pr. år og aktør (deterministisk, SØM's opstilling)",
        "by_year_note": (
            "Omkostninger med minus, gevinster med plus; udiskonteret, medmindre andet er angivet."
        ),
        "chart_title": "Akkumuleret nettoresultat i alt, tilbagediskonteret",
        "label": "Input",
        "input": "Sti i sagsfilen",
        "group": "Gruppe",
        "distribution": "Fordeling",
        "fixed": "fast",
        "base": "Basisværdi",
        "p10": "10 %-fraktil",
        "p90": "90 %-fraktil",
        "source": "Kilde",
        "draw": "Trækning",
        "npv_of": "NPV {}",
        "payback_year": "Tilbagebetalingsår",
        "draws_note": "De første {} trækninger",
    },
    "en": {
        "summary": "Summary",
        "by_year": "By year",
        "assumptions": "Assumptions",
        "draws": "Draws",
        "title": "Risk assessment of the investment",
        "case": "Intervention",
        "price_level": "Price level",
        "discount_rate": "Discount rate",
        "horizon": "Horizon",
        "years_unit": "{} years ({}-{})",
        "participants": "Participants (base value)",
        "investment": "Investment and return (present value)",
        "figure": "Figure",
        "deterministic": "Deterministic (SØM)",
        "mean": "Mean",
        "median": "Median",
        "low": "Low ({} %)",
        "high": "High ({} %)",
        "pv_costs": "Present value of net extra costs",
        "pv_gains": "Present value of budget consequences (gains)",
        "benefit_cost": "Return per krone invested",
        "npv_by_actor": "Net present value (NPV) by actor",
        "actor": "Actor",
        "prob_positive": "P(NPV > 0)",
        "prob_se": "Uncertainty of P (±, 95 %)",
        "payback": "Payback (in total, discounted)",
        "payback_prob": "Probability of payback by the end of {}",
        "payback_median": "Median payback year",
        "payback_deterministic": "Payback year, deterministic (SØM)",
        "not_within": "not within the horizon",
        "som_figures": "SØM's key figures (undiscounted)",
        "net_total": "Net result over {} years, undiscounted, in total",
        "npv_per_participant": "Net present value per participant",
        "net_total_per_participant": "Net result over {} years per participant",
        "warnings": "Warnings",
        "no_warnings": "None",
        "provenance": "Provenance",
        "draws_count": "Draws",
        "seed": "Seed",
        "sampler": "Sampler",
        "version": "somrisk version",
        "case_hash": "Case file SHA-256",
        "created": "Computed (UTC)",
        "interval_note": (
            "Low and high: the {} % and {} % quantiles over the draws. Amounts in {} at {} prices."
        ),
        "year": "Year",
        "costs": "Costs",
        "consequences": "Budget consequences: {}",
        "net": "Net result",
        "cumulative": "Cumulative net result, undiscounted",
        "net_mean": "Net result, mean of the draws",
        "net_low": "Net result, low ({} %)",
        "net_high": "Net result, high ({} %)",
        "cumulative_discounted": "Cumulative net result, discounted (SØM)",
        "cumulative_mean": "Cumulative, discounted, mean",
        "cumulative_low": "Cumulative, discounted, low ({} %)",
        "cumulative_high": "Cumulative, discounted, high ({} %)",
        "by_year_title": "Net result by year and actor (deterministic, SØM's layout)",
        "by_year_note": "Costs negative, gains positive; undiscounted unless stated.",
        "chart_title": "Cumulative net result in total, discounted",
        "label": "Input",
        "input": "Path in the case file",
        "group": "Group",
        "distribution": "Distribution",
        "fixed": "fixed",
        "base": "Base value",
        "p10": "10 % quantile",
        "p90": "90 % quantile",
        "source": "Source",
        "draw": "Draw",
        "npv_of": "NPV {}",
        "payback_year": "Payback year",
        "draws_note": "The first {} draws",
    },
}

_ACTORS = {
    "da": {"kommune": "Kommune", "region": "Region", "stat": "Stat", "total": "I alt"},
    "en": {"kommune": "Municipality", "region": "Region", "stat": "State", "total": "Total"},
}


class WorkbookWords:
    """Labels and Excel number formats of one language; `currency` is the case's (ISO 4217)."""

    def __init__(self, lang: str, currency: str = "DKK") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
        self.lang, self.currency = lang, currency
        self.labels = _LABELS[lang]

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def actor(self, name: str) -> str:
        """SØM's actors and the total translated; other actors as the case spells them."""
        return _ACTORS[self.lang][name] if name in _SOM_ACTORS else name

    def percentile(self, q: float) -> str:
        """A quantile (a fraction) as a percentage without its sign: 5, 2,5 in Danish, 2.5 in English."""
        text = f"{100 * q:.10g}"
        return text.replace(".", ",") if self.lang == "da" else text

    def group(self, name: str, declared: dict[str, str] | None = None) -> str:
        """A group's name: SØM's default groups translated, a declared group by its label."""
        return (declared or {}).get(name) or GROUP_NAMES[self.lang].get(name, name)

    def category(self, name: str) -> str:
        return CATEGORY_LABELS[self.lang].get(name, name)

    @property
    def money_format(self) -> str:
        """Whole kroner with thousands separators: 1.234.567 kr. in a Danish Excel, DKK 1,234,567
        in an English one; negative amounts with a minus sign."""
        if self.lang == "da":
            unit = "kr." if self.currency == "DKK" else self.currency
            return f'#,##0 "{unit}"'
        return f'"{self.currency} "#,##0;"{self.currency} "-#,##0'

    #: A probability or share: 78,3 % in Danish, 78.3 % in English.
    percent_format = "0.0%"
    #: A ratio such as the benefit-cost ratio: 2,15.
    ratio_format = "0.00"
    #: A calendar year or a count, without a thousands separator.
    year_format = "0"
    #: A count with thousands separators (draws, participants).
    count_format = "#,##0"
    #: Inputs of every size (a price, a rate): whole numbers from 100, else 2 or 4 decimals.
    input_formats = ("#,##0", "#,##0.00", "0.0000")

    @staticmethod
    def input_format_index(magnitude: float) -> int:
        """Which of :attr:`input_formats` shows a value of this size (its absolute value)."""
        return 0 if magnitude >= 100 else 1 if magnitude >= 1 else 2
