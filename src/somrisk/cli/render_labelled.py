"""One Rich table for any labelled result (:mod:`somrisk.labelled`), from the columns its class
declares. Presentation only: every number was computed by the library; this module decides how it
reads (and says "not distinguishable from 0" where an index's confidence interval does not
separate it from 0)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from rich.markup import escape

from somrisk.cli.fit import FittedTable
from somrisk.labelled import Labelled, TableColumn
from somrisk.report.table_words import TableWords

if TYPE_CHECKING:
    from somrisk.labels import InputLabels

__all__ = [
    "INPUT_WIDTH",
    "NOT_DISTINGUISHABLE",
    "index_text",
    "labelled_table",
    "probability",
    "row_name",
    "value",
]

NOT_DISTINGUISHABLE = "≈ 0 (not distinguishable)"
#: Widest column of input paths; longer paths fold onto a second line (paths have no spaces, so
#: Rich could not otherwise narrow the column to fit a terminal).
INPUT_WIDTH = 30

_ENGLISH = TableWords("en")


def value(x: float | None, words: TableWords | None = None) -> str:
    """An input's value: whole numbers with thousands separators from 1,000, else 4 significant
    digits; "none" where there is none."""
    words = words or _ENGLISH
    if x is None or math.isnan(x):
        return words["no_value"]
    return words.money(x) if abs(x) >= 1000 else words.significant(x, 4)


def probability(p: float | None, words: TableWords | None = None) -> str:
    """A probability as a percentage; '< 0.1 %' rather than a misleading '0.0 %' for small ones."""
    words = words or _ENGLISH
    if p is None or math.isnan(p):
        return "-"
    return f"< {words.fixed(0.1, 1)} %" if 0 < p < 0.0005 else words.share(p)


def index_text(x: float, conf: float, distinguishable: bool, words: TableWords | None = None) -> str:
    """A Sobol index with the half-width of its interval, or ≈ 0 where it is not distinguishable."""
    words = words or _ENGLISH
    if math.isnan(x):
        return "-"
    if not distinguishable:
        return words["not_distinguishable"]
    return f"{words.fixed(x, 3)} ± {words.fixed(conf, 3)}"


def _styles(words: TableWords) -> dict[str, Callable[[float], str]]:
    """How each style writes one number, in the words' language."""
    return {
        "money": words.money,
        "value": lambda x: value(x, words),
        "probability": lambda x: probability(x, words),
        "share": words.share,
        "points": lambda x: words.fixed(x * 100, 2),
        "decimal3": lambda x: words.fixed(x, 3),
        "pvalue": lambda x: pvalue(x, words),
    }


def pvalue(x: float, words: TableWords) -> str:
    """A p-value with two significant digits; below 0.001 as "< 0.001" (a smaller one, such as
    1.1e-321, says nothing more and reads as noise)."""
    if math.isnan(x):
        return "-"
    return f"< {words.fixed(0.001, 3)}" if x < 0.001 else words.significant(x, 2)


def row_name(name: str, by_group: bool, labels: InputLabels | None = None) -> str:
    """A row's name as Rich markup: without `labels`, the input path or group name; with them, an
    input's label (somrisk.labels, in their language) with its path dimmed below it (the id for
    ``--set`` and the case file), a group by its name for readers, correlated inputs merged into
    one row ("a + b") by their labels joined with " + "."""
    if labels is None:
        return escape(name)
    if by_group:
        return escape(labels.group(name))
    shown = labels.group(name) if " + " in name else labels[name]
    return f"{escape(shown)}\n[dim]{escape(name)}[/dim]" if shown != name else escape(name)


def labelled_table(
    result: Labelled, title: str, lang: str = "en", *, labels: InputLabels | None = None
) -> FittedTable:
    """The table its class declares (``TABLE``) of `result`, under `title` (Rich markup), with
    headings and numbers in `lang`; inputs and groups by their `labels` (:func:`row_name`) where
    given. Numbers never wrap; labels fold."""
    words = TableWords(lang)
    styles = _styles(words)
    spec = type(result).TABLE
    if spec is None:  # pragma: no cover - a result class without a table
        raise TypeError(f"{type(result).__name__} declares no table")
    data, dim = result.data, result.dim
    context = dict(data.attrs) | {"What": words.heading("Group" if dim == "group" else "Input")}
    if "output" in context:  # "P(NPV for kommunen > 0)", not the option's value npv:kommune
        context["output"] = words.output(str(context["output"]))
    table = FittedTable(title)
    for column in spec.columns:
        heading = words.heading(column.heading).format(**context)
        if column.style == "label":
            table.add_label_column(heading, max_width=INPUT_WIDTH)
        else:
            table.add_number_column(heading)
    size = data.sizes[dim]
    if spec.sort_by is not None:
        order = np.argsort(-np.nan_to_num(data[spec.sort_by].values, nan=-1.0), kind="stable")
    else:
        order = np.arange(size)
    if spec.rows is not None:
        order = order[:: max(1, size // spec.rows)]
    for k in order:
        table.add_row(*(_cell(result, column, int(k), words, styles, labels) for column in spec.columns))
    return table


def _cell(
    result: Labelled,
    column: TableColumn,
    k: int,
    words: TableWords,
    styles: dict[str, Callable[[float], str]],
    labels: InputLabels | None = None,
) -> str:
    data = result.data
    if column.style == "label":
        return row_name(str(data[result.dim].values[k]), result.dim == "group", labels)
    assert column.variable is not None
    x = data[column.variable].values[k]
    if column.style == "index":
        conf = data[f"{column.variable}_conf"].values[k]
        shown = bool(data[f"{column.variable}_distinguishable"].values[k])
        return index_text(float(x), float(conf), shown, words)
    return styles[column.style](float(x))
