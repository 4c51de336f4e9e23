"""The chart of ``somrisk compare --plot``: the distribution of each alternative's difference
against the reference, per actor and in total."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from somrisk.report.charts import PALETTE, _figure, _money

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from somrisk.compare import Comparison

__all__ = ["difference_figure"]

#: The chart's words by language.
_WORDS = {
    "da": {
        "better": "{name}: P(bedre) = {share}",
        "every_draw": "{legend} (i alle trækninger)",
        "title": "Nutidsværdi minus referencens ({reference}), trækning for trækning",
    },
    "en": {
        "better": "{name}: P(better) = {share}",
        "every_draw": "{legend} (every draw)",
        "title": "NPV minus the reference's ({reference}), draw by draw",
    },
}


def difference_figure(comparison: Comparison, currency: str = "DKK", lang: str = "en") -> Figure:
    """One panel per actor (total first): a histogram of NPV_X - NPV_reference for each alternative
    X, with 0 marked; the legend gives P(X beats the reference). Words, actor names and numbers in
    `lang` (``da`` or ``en``)."""
    from matplotlib.ticker import FuncFormatter

    from somrisk.report.table_words import TableWords

    words, text = TableWords(lang), _WORDS.get(lang, _WORDS["en"])
    labels = comparison.labels
    fig = _figure(8, 1.2 + 1.8 * len(labels))
    axes = fig.subplots(len(labels), 1, squeeze=False)[:, 0]
    differences = {name: comparison.difference(name) for name in comparison.names[1:]}
    for row, (ax, actor) in enumerate(zip(axes, labels, strict=True)):
        for k, (name, rows) in enumerate(differences.items()):
            values = rows[row]
            colour = PALETTE[k % len(PALETTE)]
            legend = text["better"].format(
                name=name, share=words.share(np.count_nonzero(values > 0) / values.size)
            )
            if np.ptp(values) > 0:
                ax.hist(values, bins=60, color=colour, alpha=0.55, label=legend)
            else:  # the same difference in every draw: a line, not a bar that dwarfs the others
                ax.axvline(
                    values[0], color=colour, linewidth=2.5, label=text["every_draw"].format(legend=legend)
                )
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks([])
        ax.set_ylabel(words.actor(actor), rotation=0, ha="right", va="center")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, position: _money(x, position, lang)))
        ax.legend(fontsize=7, loc="upper right", frameon=False)
    axes[0].set_title(text["title"].format(reference=comparison.reference))
    axes[-1].set_xlabel(currency)
    return fig
