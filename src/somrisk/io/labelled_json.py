"""The JSON of any labelled result (:mod:`somrisk.labelled`), from the keys its class declares.

One writer for every result: the keys come in the declared order; attributes are written as they
are (tuples as lists), numbers as floats or null where they are NaN or infinite, and each row of a
:class:`~somrisk.labelled.Rows` list as an object keyed by the declared columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from somrisk.io.json import finite
from somrisk.labelled import Column, Labelled, Number, Pairs, Provenance, Rows, Setting

__all__ = ["labelled_json"]


def labelled_json(result: Labelled) -> dict[str, Any]:
    """The JSON document of `result`, as its class's ``JSON`` declaration lays it out."""
    data, document = result.data, {}
    for item in type(result).JSON:
        if isinstance(item, Setting):
            document[item.key] = _plain(data.attrs[item.attr or item.key])
        elif isinstance(item, Number):
            document[item.key] = finite(data[item.variable or item.key].values)
        elif isinstance(item, Rows):
            document[item.key] = _rows(result, item)
        elif isinstance(item, Pairs):
            values = data[item.variable]
            (dim,) = values.dims
            document[item.key] = [
                [finite(x), finite(y)] for x, y in zip(data[dim].values, values.values, strict=True)
            ]
        elif isinstance(item, Provenance):
            document |= {key: data.attrs[key] for key in item.keys if key in data.attrs}
            if "overrides" in document:  # a list, as in the run's JSON
                document["overrides"] = str(document["overrides"]).split("; ")
        else:  # pragma: no cover - a declaration of a kind this writer does not know
            raise TypeError(f"{type(result).__name__}.JSON holds {item!r}")
    return document


def _rows(result: Labelled, rows: Rows) -> list[dict[str, Any]]:
    data, dim = result.data, result.dim
    labels = [str(label) for label in data[dim].values]
    columns = [
        column for column in rows.columns if not (column.optional and _name(column) not in data.variables)
    ]
    entries = []
    for k, label in enumerate(labels):
        entry: dict[str, Any] = {rows.label: label}
        for column in columns:
            values = data[_name(column)].values
            if column.upper:
                entry[column.key] = {other: finite(values[k, m]) for m, other in enumerate(labels) if m > k}
            else:
                entry[column.key] = _cell(values[k])
        entries.append(entry)
    return entries


def _name(column: Column) -> str:
    return column.variable or column.key


def _cell(x: Any) -> Any:
    """One value of a row, by its type: bool, int, a finite float or null, or text."""
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating | float):
        return finite(x)
    return str(x)


def _plain(value: Any) -> Any:
    """An attribute as JSON holds it: tuples as lists, numpy scalars as Python numbers."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value
