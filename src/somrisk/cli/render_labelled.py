"""One Rich table for any labelled result (:mod:`somrisk.labelled`), from the columns its class
declares. Presentation only: every number was computed by the library; this module decides how it
reads (and says "not distinguishable from 0" where an index's confidence interval does not
separate it from 0)."""

from __future__ import annotations

import math

import numpy as np
from rich.markup import escape
from rich.table import Table

from somrisk.cli.render import money, share
from somrisk.labelled import Labelled, TableColumn

__all__ = ["INPUT_WIDTH", "NOT_DISTINGUISHABLE", "index_text", "labelled_table", "probability", "value"]

NOT_DISTINGUISHABLE = "≈ 0 (not distinguishable)"
#: Widest column of input paths; longer paths fold onto a second line (paths have no spaces, so
#: Rich could not otherwise narrow the column to fit a terminal).
INPUT_WIDTH = 30


def value(x: float | None) -> str:
    """An input's value: whole numbers with thousands separators from 1,000, else 4 significant
    digits; "none" where there is none."""
    if x is None or math.isnan(x):
        return "none"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def probability(p: float | None) -> str:
    """A probability as a percentage; '< 0.1 %' rather than a misleading '0.0 %' for small ones."""
    if p is None or math.isnan(p):
        return "-"
    return "< 0.1 %" if 0 < p < 0.0005 else share(p)


def index_text(x: float, conf: float, distinguishable: bool) -> str:
    """A Sobol index with the half-width of its interval, or ≈ 0 where it is not distinguishable."""
    if math.isnan(x):
        return "-"
    if not distinguishable:
        return NOT_DISTINGUISHABLE
    return f"{x:.3f} ± {conf:.3f}"


#: How each style writes one number.
_STYLES = {
    "money": money,
    "value": value,
    "probability": probability,
    "share": share,
    "points": lambda x: f"{x * 100:.2f}",
    "decimal3": lambda x: f"{x:.3f}",
    "pvalue": lambda x: f"{x:.2g}",
}


def labelled_table(result: Labelled, title: str) -> Table:
    """The table its class declares (``TABLE``) of `result`, under `title` (Rich markup)."""
    spec = type(result).TABLE
    if spec is None:  # pragma: no cover - a result class without a table
        raise TypeError(f"{type(result).__name__} declares no table")
    data, dim = result.data, result.dim
    context = dict(data.attrs) | {"What": "Group" if dim == "group" else "Input"}
    table = Table(title=title, title_justify="left")
    for column in spec.columns:
        heading = column.heading.format(**context)
        if column.style == "label":
            table.add_column(heading, overflow="fold", max_width=INPUT_WIDTH)
        else:
            table.add_column(heading, justify="right", overflow="fold")
    size = data.sizes[dim]
    if spec.sort_by is not None:
        order = np.argsort(-np.nan_to_num(data[spec.sort_by].values, nan=-1.0), kind="stable")
    else:
        order = np.arange(size)
    if spec.rows is not None:
        order = order[:: max(1, size // spec.rows)]
    for k in order:
        table.add_row(*(_cell(result, column, int(k)) for column in spec.columns))
    return table


def _cell(result: Labelled, column: TableColumn, k: int) -> str:
    data = result.data
    if column.style == "label":
        return escape(str(data[result.dim].values[k]))
    assert column.variable is not None
    x = data[column.variable].values[k]
    if column.style == "index":
        conf = data[f"{column.variable}_conf"].values[k]
        return index_text(float(x), float(conf), bool(data[f"{column.variable}_distinguishable"].values[k]))
    return _STYLES[column.style](float(x))
