"""The report's scenario table, where the case has ``[[scenarios]]``: for the case (base) and each
scenario, per actor and in total, the mean NPV, P(NPV > 0) and P(the scenario beats the base),
all from one comparison on common random numbers (:func:`somrisk.compare.compare_scenarios`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from somrisk.report.i18n import Words

__all__ = ["SCENARIO_WORDS", "scenario_section"]

SCENARIO_WORDS = {
    "da": {
        "title": "Scenarier",
        "scenario": "Scenarie",
        "base": "Grundberegning",
        "better": "P(bedre end grundberegningen)",
        "note": (
            "Hvert scenarie er beregnet med de samme tilfældige tal som grundberegningen (common "
            "random numbers), så forskellen skyldes scenariet og ikke tilfældigheder. "
            "P(bedre) er andelen af trækningerne, hvor scenariets nutidsværdi er højere."
        ),
    },
    "en": {
        "title": "Scenarios",
        "scenario": "Scenario",
        "base": "Base case",
        "better": "P(better than the base)",
        "note": (
            "Each scenario was computed with the same random numbers as the base case (common "
            "random numbers), so a difference is the scenario's, not chance's. P(better) is the "
            "share of draws in which the scenario's NPV is higher."
        ),
    },
}


def scenario_section(comparison: Any, words: Words) -> str:
    """The section's HTML; empty where there is no comparison (a case without scenarios)."""
    if comparison is None:
        return ""
    text = SCENARIO_WORDS[words.lang]
    header = [text["scenario"], words["actor"], words["mean"], words["prob_positive"], text["better"]]
    rows = []
    for name in comparison.names:
        npv = comparison.npv(name)
        better = None if name == comparison.reference else comparison.difference(name) > 0
        for k, label in enumerate(comparison.labels):
            cells = [
                (text["base"] if name == comparison.reference else name) if k == 0 else "",
                words.actor(label),
                words.money(float(npv[k].mean())),
                words.percent(float(np.count_nonzero(npv[k] > 0) / npv[k].size)),
                "" if better is None else words.percent(float(better[k].mean())),
            ]
            rows.append(("sum" if label == "total" else "", cells))
    head = "".join(
        f"<th>{escape(h)}</th>" if i < 2 else f'<th class="n">{escape(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        (f'<tr class="{css}">' if css else "<tr>")
        + "".join(
            f"<td>{escape(c)}</td>" if i < 2 else f'<td class="n">{escape(c)}</td>'
            for i, c in enumerate(cells)
        )
        + "</tr>"
        for css, cells in rows
    )
    return (
        f'<section id="scenarios"><h2>{escape(text["title"])}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f'<p class="muted">{escape(text["note"])}</p></section>'
    )
