"""Labelled results: an analysis's numbers as an xarray Dataset, and what its JSON and table show.

Results are built in three layers, as in ArviZ: the analysis computes bare arrays; it puts them in
a Dataset whose dimensions are named (``input``, ``group``, ...) with the inputs' labels as
coordinates, its settings and provenance in ``attrs``; a thin frozen wrapper (:class:`Labelled`)
gives callers the attribute names they use (``result.S1``, ``result.names``). Each wrapper class
declares the keys of its JSON (``JSON``) and the columns of its table (``TABLE``); one JSON writer
(:mod:`somrisk.io.labelled_json`) and one table renderer (:mod:`somrisk.cli.render_labelled`) read
those declarations, so a new result needs no writer or renderer of its own.

Conventions of the Dataset: results are data variables (0-d for one number, NaN where it is not
defined); settings of the analysis (``output``, ``seed``, ``n``, ...) and the provenance of
:func:`somrisk.cube.make_attrs` are ``attrs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "Column",
    "Labelled",
    "Number",
    "Pairs",
    "Provenance",
    "Rows",
    "Setting",
    "TableColumn",
    "TableSpec",
    "array",
    "number",
    "setting",
]

# --- what the JSON shows, in the order of its keys ------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """A JSON key holding an attribute as it is (tuples as lists); `attr` defaults to `key`."""

    key: str
    attr: str | None = None


@dataclass(frozen=True)
class Number:
    """A JSON key holding a 0-d variable as a number, null where it is NaN or missing."""

    key: str
    variable: str | None = None


@dataclass(frozen=True)
class Column:
    """One key of each row of :class:`Rows`: a variable or coordinate along the row dimension,
    written by its type (bool, int, a number or null, text). `upper`: a variable (row, other row)
    written as a mapping from each later row's label to its value (the upper triangle);
    `optional`: left out where the Dataset has no such variable."""

    key: str
    variable: str | None = None
    upper: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Rows:
    """A JSON list with one object per label of the result's row dimension: the label under
    `label`, then the `columns`."""

    key: str
    label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Pairs:
    """A JSON list of ``[coordinate, value]`` pairs of a 1-d variable."""

    key: str
    variable: str


@dataclass(frozen=True)
class Provenance:
    """The provenance keys of the attributes that exist (outputs.md: case name and hash, currency,
    price year, somrisk version)."""

    keys: tuple[str, ...] = (
        "case_name",
        "case_sha256",
        "currency",
        "price_year",
        "somrisk_version",
        "overrides",
    )


# --- what the table shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TableColumn:
    """One column of a result's table.

    `heading` may name attributes (``{output}``) and ``{What}`` (``Input`` or ``Group``, from the
    row dimension). `variable` is a variable or coordinate along the row dimension; None is the
    row's label. `style` says how the renderer writes it: ``label``, ``money``, ``value`` (an
    input's value), ``probability``, ``share``, ``index`` (a Sobol index with its ``<variable>_conf``
    and ``<variable>_distinguishable``), ``points`` (a fraction as percentage points), ``decimal3``
    or ``pvalue``.
    """

    heading: str
    style: str
    variable: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """The table of a result: its columns; rows sorted by `sort_by` (largest first, NaN last, ties
    in the Dataset's order) or in the Dataset's order; at most about `rows` rows (every k-th)."""

    columns: tuple[TableColumn, ...]
    sort_by: str | None = None
    rows: int | None = None


# --- the wrapper and its attribute access -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Labelled:
    """A frozen result held in a labelled Dataset (`data`).

    Subclasses declare `JSON` and `TABLE`, and name their attributes with :func:`array`,
    :func:`number` and :func:`setting`.
    """

    data: xr.Dataset

    JSON: ClassVar[tuple[Setting | Number | Rows | Pairs | Provenance, ...]] = ()
    TABLE: ClassVar[TableSpec | None] = None

    @property
    def dim(self) -> str:
        """The row dimension: ``group`` for a result per group, else ``input``."""
        return "group" if self.data.attrs.get("by_group") else "input"

    @property
    def names(self) -> tuple[str, ...]:
        """The labels of the rows (input paths or group names), in the result's order."""
        return tuple(str(label) for label in self.data[self.dim].values)

    @property
    def output(self) -> str:
        """``"npv"`` or ``"npv:<actor>"``."""
        return str(self.data.attrs["output"])

    @property
    def attrs(self) -> dict[str, Any]:
        """The Dataset's attributes: settings of the analysis and provenance."""
        return self.data.attrs


class _Field:
    def __init__(self, name: str | None, read: Any) -> None:
        self.name, self.read = name, read

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, result: Labelled | None, owner: type) -> Any:
        if result is None:
            return self
        return self.read(result.data, self.name)


def _array(data: xr.Dataset, name: str) -> np.ndarray | None:
    return data[name].values if name in data.variables else None


def _number(data: xr.Dataset, name: str) -> float | None:
    value = float(data[name].values)
    return None if math.isnan(value) else value


def _setting(data: xr.Dataset, name: str) -> Any:
    return data.attrs.get(name)


def array(name: str | None = None) -> Any:
    """An attribute reading the values of a variable or coordinate (None where it is absent)."""
    return _Field(name, _array)


def number(name: str | None = None) -> Any:
    """An attribute reading a 0-d variable as a float, None where it is NaN (not defined)."""
    return _Field(name, _number)


def setting(name: str | None = None) -> Any:
    """An attribute reading one of the Dataset's attributes."""
    return _Field(name, _setting)
