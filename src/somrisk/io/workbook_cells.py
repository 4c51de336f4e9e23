"""Cells of the results workbook: its styles, and writing a row with each value's own kind of cell.

Every text goes through :meth:`Sheet.row` (or :meth:`Sheet.text`) as XlsxWriter's ``write_string``:
a text cell, never a formula or a link, whatever its first character (a case's name
``=HYPERLINK(...)`` stays that text; case files travel by e-mail). Numbers that are not finite
(a benefit-cost ratio without costs) leave the cell empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from somrisk.io.workbook_words import WorkbookWords

__all__ = ["WORKBOOK_OPTIONS", "Sheet", "Styles", "interval", "quantile"]

#: XlsxWriter's options: texts stay texts; rows are written in order, straight to disk.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}

#: A4 in XlsxWriter's paper numbers.
A4 = 9


def interval(summary: Any) -> tuple[float, float]:
    """The lowest and highest quantile of the summary (fractions; 0.05 and 0.95 by default): the
    workbook's "low" and "high"."""
    qs = summary["quantile"].values
    return float(qs.min()), float(qs.max())


def quantile(variable: Any, q: float) -> Any:
    """The `q` quantile of a summary variable (over ``quantile``, and any other dimensions), or None
    where the run's percentiles lack it."""
    import numpy as np

    found = np.flatnonzero(np.isclose(variable["quantile"].values, q))
    return variable.isel(quantile=int(found[0])) if found.size else None


@dataclass(frozen=True)
class Styles:
    """The workbook's cell formats (XlsxWriter ``Format`` objects)."""

    title: Any
    heading: Any
    header: Any
    header_number: Any
    text: Any
    wrapped: Any
    muted: Any
    money: Any
    money_sum: Any
    percent: Any
    ratio: Any
    year: Any
    count: Any
    number: Any
    inputs: tuple[Any, ...]

    def input(self, magnitude: float) -> Any:
        """The style that shows an input value of this size readably."""
        return self.inputs[WorkbookWords.input_format_index(magnitude)]

    @classmethod
    def of(cls, workbook: Any, words: WorkbookWords) -> Styles:
        def make(**props: Any) -> Any:
            return workbook.add_format({"font_name": "Calibri", "font_size": 10, **props})

        return cls(
            title=make(bold=True, font_size=14),
            heading=make(bold=True, font_size=11, bottom=1),
            header=make(bold=True, text_wrap=True, valign="bottom", bottom=1),
            header_number=make(bold=True, text_wrap=True, valign="bottom", align="right", bottom=1),
            text=make(valign="top"),  # top: beside wrapped cells of taller rows (Assumptions)
            wrapped=make(text_wrap=True, valign="top"),
            muted=make(italic=True, font_color="#555555"),
            money=make(num_format=words.money_format),
            money_sum=make(num_format=words.money_format, bold=True, top=1),
            percent=make(num_format=words.percent_format, valign="top"),
            ratio=make(num_format=words.ratio_format),
            year=make(num_format=words.year_format, align="right"),
            count=make(num_format=words.count_format),
            number=make(),
            inputs=tuple(make(num_format=code, valign="top") for code in words.input_formats),
        )


class Sheet:
    """A worksheet written top to bottom (the workbook is in constant-memory mode)."""

    def __init__(self, worksheet: Any, styles: Styles) -> None:
        self.worksheet, self.styles = worksheet, styles
        self.next_row = 0

    def text(self, row: int, col: int, value: str, style: Any = None) -> None:
        self.worksheet.write_string(row, col, value, style or self.styles.text)

    def value(self, row: int, col: int, value: Any, style: Any = None) -> None:
        """A text as text, a finite number as a number (in `style`), anything else as an empty cell."""
        if isinstance(value, str):
            self.text(row, col, value, style)
        elif value is None or isinstance(value, bool) or not math.isfinite(value):
            return
        else:
            self.worksheet.write_number(row, col, value, style)

    def row(self, values: list[Any], styles: list[Any] | Any = None, height: float | None = None) -> int:
        """Write `values` in the next row, each in its style (one style for all, or one each);
        returns the row's index."""
        row = self.next_row
        if height is not None:
            self.worksheet.set_row(row, height)
        each = styles if isinstance(styles, list) else [styles] * len(values)
        for col, (value, style) in enumerate(zip(values, each, strict=True)):
            self.value(row, col, value, style)
        self.next_row += 1
        return row

    def skip(self, rows: int = 1) -> None:
        self.next_row += rows

    def print_setup(self, *, landscape: bool, repeat: tuple[int, int] | None = None) -> None:
        """A4, fit to the page's width (as many pages down as needed), page numbers in the footer,
        `repeat` (first and last row) at the top of every page."""
        sheet = self.worksheet
        sheet.set_paper(A4)
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.set_footer("&C&P / &N")
        if repeat is not None:
            sheet.repeat_rows(*repeat)
