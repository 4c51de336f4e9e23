"""A Rich table that fits the console without splitting a number.

Numbers never wrap. Labels (input paths, names) fold onto more lines. Where the console is too
narrow for every number column beside a label column of :data:`LABEL_MIN` characters, the table is
shown as several tables one below the other, each with the label columns and as many number
columns as fit (the title on the first, the caption on the last). Rich decides at printing time,
from the console's width (80 in a pipe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

__all__ = ["LABEL_MIN", "FittedTable"]

#: The narrowest a label column is made before number columns move to a table of their own.
LABEL_MIN = 10
#: The narrowest a label column is ever drawn (Rich's min_width), however short its labels.
_LABEL_FLOOR = 8
#: What a column costs beyond its content: one space each side and a border.
_COLUMN_EDGES = 3


@dataclass
class _Column:
    heading: str
    numeric: bool
    max_width: int | None


@dataclass
class FittedTable:
    """A table of label columns and right-aligned number columns (see the module)."""

    title: str | None = None
    caption: str | None = None
    columns: list[_Column] = field(default_factory=list)
    rows: list[tuple[tuple[str, ...], dict[str, Any]]] = field(default_factory=list)

    def add_label_column(self, heading: str, max_width: int | None = None) -> None:
        self.columns.append(_Column(heading, False, max_width))

    def add_number_column(self, heading: str) -> None:
        self.columns.append(_Column(heading, True, None))

    def add_row(self, *cells: str, **options: Any) -> None:
        """A row of cells (Rich markup), with Table.add_row's options (style, end_section)."""
        self.rows.append((cells, options))

    def table(self, numbers: list[int] | None = None, *, first: bool = True, last: bool = True) -> Table:
        """The Rich table of the label columns and the number columns `numbers` (all: None)."""
        keep = [k for k, c in enumerate(self.columns) if not c.numeric or numbers is None or k in numbers]
        table = Table(
            title=self.title if first else None,
            title_justify="left",
            caption=self.caption if last else None,
            caption_justify="left",
        )
        for k in keep:
            column = self.columns[k]
            if column.numeric:
                table.add_column(column.heading, justify="right", no_wrap=True)
            else:
                table.add_column(
                    column.heading, overflow="fold", max_width=column.max_width, min_width=_LABEL_FLOOR
                )
        for cells, options in self.rows:
            table.add_row(*(cells[k] for k in keep), **options)
        return table

    def _width(self, k: int) -> int:
        heading = cell_len(self.columns[k].heading)
        return max([heading, *(Text.from_markup(cells[k]).cell_len for cells, _ in self.rows)])

    def groups(self, width: int) -> list[list[int]]:
        """The number columns of each table at `width` characters: one group where all fit."""
        labels = [k for k, c in enumerate(self.columns) if not c.numeric]
        numbers = [k for k, c in enumerate(self.columns) if c.numeric]
        narrowest = [max(min(self._width(k), LABEL_MIN), _LABEL_FLOOR) for k in labels]
        room = width - 1 - sum(w + _COLUMN_EDGES for w in narrowest)
        groups: list[list[int]] = [[]]
        used = 0
        for k in numbers:
            cost = self._width(k) + _COLUMN_EDGES
            if groups[-1] and used + cost > room:
                groups.append([])
                used = 0
            groups[-1].append(k)
            used += cost
        return groups

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        groups = self.groups(options.max_width)
        if len(groups) == 1:
            yield self.table()
            return
        for n, group in enumerate(groups):
            yield self.table(group, first=n == 0, last=n == len(groups) - 1)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table())
