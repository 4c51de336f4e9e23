"""The Draws sheet's number rows, written in bulk into the workbook that XlsxWriter made.

XlsxWriter writes the whole workbook (every sheet, the formats, the chart, the Draws sheet's header,
column widths and formats, freeze panes and print setup) into memory; :func:`write_with_draws` then
copies its zip entry by entry into the file, and streams the Draws sheet's rows into that sheet's
``<sheetData>`` (after the header row) with its ``<dimension>`` widened to cover them. A row is one
``%`` template per row shape, holding each column's cell reference and style index (the column's
``style`` in the sheet's ``<cols>``, which XlsxWriter wrote from the column's format, as it writes a
cell in that format), so a cell costs the text of its number and not a call of XlsxWriter's per-cell
Python (docs/decisions.md, "The Draws sheet's rows in bulk").

Numbers are written as Python's ``repr`` (the shortest text that reads back as the same double), with
an upper-case ``E`` as XlsxWriter writes; whole numbers (the draw, the payback year) as integers.
A number that is not finite (a draw that never pays back) is an empty cell, never a number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

__all__ = ["DRAWS_COMPRESSION", "DrawRows", "write_with_draws"]

#: zlib level of the Draws sheet's entry: level 1 deflates about 3x faster than zipfile's default 6
#: and makes the file about 10 % larger (benchmarks/README.md, "The Draws sheet's rows in bulk").
DRAWS_COMPRESSION = 1
#: Rows formatted (and handed to the compressing thread) at a time, between calls of `progress`.
_BLOCK = 2_000


@dataclass(frozen=True)
class DrawRows:
    """The Draws sheet's number rows, one per draw, below its header row.

    `values`: the numbers of the sheet's columns B onwards before the last, as blocks of columns
    side by side (each (draws, columns) float64; the inputs, then the NPV per actor and in total, in
    kroner), joined a block of rows at a time; `years`: each draw's payback year, NaN where it does not
    pay back (the last column). Column A is the draw's number, from 0. Each cell is in its column's
    format (set with ``set_column``). `sheet` is the name of the sheet whose header row (row 1) these
    rows follow.
    """

    sheet: str
    values: tuple[np.ndarray, ...]
    years: np.ndarray

    @property
    def count(self) -> int:
        return int(self.years.shape[0])

    @property
    def width(self) -> int:
        """Columns of the sheet: the draw, `values`, the payback year."""
        return sum(int(part.shape[1]) for part in self.values) + 2


def write_with_draws(
    workbook_zip: bytes,
    path: Path,
    rows: DrawRows,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the workbook `workbook_zip` (XlsxWriter's closed workbook, its Draws sheet holding only
    the header row) to `path`, with `rows` streamed into the Draws sheet; `progress(done, total)` is
    called after each block of rows."""
    with (
        zipfile.ZipFile(io.BytesIO(workbook_zip)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=DRAWS_COMPRESSION) as target,
    ):
        part = _sheet_part(source, rows.sheet)
        for info in source.infolist():
            data = source.read(info)
            if info.filename != part:
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                target.writestr(copy, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = _split_sheet(data.decode("utf-8"), rows)
            templates = _RowTemplates(rows.width, _column_styles(head, rows.width))
            # ZIP64 only where the sheet might need it (a very wide case): a streamed entry's size is
            # not known before, and an entry in ZIP64 form that does not need it is a needless risk
            # for the programs that open the file
            most = len(head) + len(tail) + templates.most_bytes(rows.count)
            with target.open(part, "w", force_zip64=most > zipfile.ZIP64_LIMIT) as entry:
                entry.write(head.encode("utf-8"))
                _stream_rows(entry, rows, templates, progress)
                entry.write(tail.encode("utf-8"))


def _sheet_part(workbook: zipfile.ZipFile, name: str) -> str:
    """The zip entry of the worksheet called `name`: its relationship's target in the workbook part."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    sheets = ElementTree.fromstring(workbook.read("xl/workbook.xml")).iter(f"{main}sheet")
    ids = [sheet.get(relationship) for sheet in sheets if sheet.get("name") == name]
    targets = {
        link.get("Id"): str(link.get("Target"))
        for link in ElementTree.fromstring(workbook.read("xl/_rels/workbook.xml.rels"))
    }
    if len(ids) != 1 or ids[0] not in targets:
        raise RuntimeError(f"the workbook has no one worksheet {name!r}")
    target = targets[ids[0]]
    return target[1:] if target.startswith("/") else f"xl/{target}"


def _split_sheet(xml: str, rows: DrawRows) -> tuple[str, str]:
    """The sheet's XML before and after the place of the rows (after the header row, before
    ``</sheetData>``), its dimension widened to the last row."""
    last = _column_name(rows.width - 1)
    header_only = f'<dimension ref="A1:{last}1"/>'
    end = "</sheetData>"
    if xml.count(header_only) != 1 or xml.count(end) != 1:
        raise RuntimeError("the Draws sheet's XML is not as XlsxWriter writes it: header row only")
    xml = xml.replace(header_only, f'<dimension ref="A1:{last}{rows.count + 1}"/>')
    at = xml.index(end)
    return xml[:at], xml[at:]


def _column_styles(xml: str, width: int) -> list[int | None]:
    """The style index of each of the sheet's first `width` columns in its ``<cols>`` (None: none)."""
    styles: list[int | None] = [None] * width
    start, end = xml.find("<cols>"), xml.find("</cols>")
    if start < 0 or end < 0:
        return styles
    for col in ElementTree.fromstring(xml[start : end + len("</cols>")]):
        style = col.get("style")
        for c in range(int(col.get("min", "1")) - 1, min(int(col.get("max", "1")), width)):
            styles[c] = None if style is None else int(style)
    return styles


def _stream_rows(
    entry: io.BufferedIOBase,
    rows: DrawRows,
    templates: _RowTemplates,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Format the rows block by block in this thread while the previous block is deflated and
    written in another (zlib releases the GIL)."""
    pending: Future[int] | None = None
    with ThreadPoolExecutor(max_workers=1) as deflate:
        for done, text in _row_blocks(rows, templates):
            data = text.encode("ascii")
            if pending is not None:
                pending.result()
            pending = deflate.submit(entry.write, data)
            if progress is not None:
                progress(done, rows.count)
        if pending is not None:
            pending.result()


def _row_blocks(rows: DrawRows, templates: _RowTemplates) -> Iterator[tuple[int, str]]:
    """(rows done, XML of the next block of rows) for every block."""
    for start in range(0, rows.count, _BLOCK):
        stop = min(start + _BLOCK, rows.count)
        values = np.column_stack([part[start:stop] for part in rows.values])
        yield stop, templates.block(start, values, rows.years[start:stop])


class _RowTemplates:
    """The ``%`` templates of a row: its number, then per cell the row number and the value."""

    def __init__(self, width: int, styles: list[int | None]) -> None:
        names = [_column_name(c) for c in range(width)]
        # each cell's start, its row number left as "%s": <c r="B%s" s="14"><v>
        cell = [
            f'<c r="{name}%s"' + ("" if style is None else f' s="{style}"') + "><v>"
            for name, style in zip(names, styles, strict=True)
        ]
        n = width - 2
        values = "".join(f"{cell[1 + c]}%r</v></c>" for c in range(n))
        start = f'<row r="%s">{cell[0]}%d</v></c>{values}'
        self.year = f"{cell[-1]}%d</v></c>"
        self.with_year, self.without_year = start + self.year + "</row>", start + "</row>"
        self.cell, self.n = cell, n

    def most_bytes(self, count: int) -> int:
        """An upper bound of the bytes of `count` rows: each number as long as a double's text can be
        (24 characters), each row number as long as the last's."""
        digits = len(str(count + 1))
        return count * (len(self.with_year) + (self.n + 3) * digits + (self.n + 2) * 24)

    def block(self, start: int, values: np.ndarray, years: np.ndarray) -> str:
        """The XML of the rows of draws `start`, `start` + 1, ... (sheet rows from `start` + 2)."""
        n = self.n
        finite = np.isfinite(values).all(axis=1)
        paid = np.isfinite(years)
        whole_years = np.where(paid, years, 0).astype(np.int64).tolist()
        pieces = []
        args: list[Any] = [None] * (2 * n + 5)
        for k, (row, year) in enumerate(zip(values.tolist(), whole_years, strict=True)):
            draw = start + k
            number = str(draw + 2)
            if not finite[k]:
                pieces.append(self._row_with_gaps(number, draw, row, year if paid[k] else None))
                continue
            args[:2] = number, number
            args[2] = draw
            args[3 : 3 + 2 * n : 2] = [number] * n
            args[4 : 4 + 2 * n : 2] = row
            if paid[k]:
                args[-2:] = number, year
                pieces.append(self.with_year % tuple(args))
            else:
                pieces.append(self.without_year % tuple(args[:-2]))
        # repr's exponent is "e"; the templates hold no "e" (tags, cell references, style indices)
        return "".join(pieces).replace("e", "E")

    def _row_with_gaps(self, number: str, draw: int, row: list[float], year: int | None) -> str:
        """A row with a value that is not finite: its cell is left out (an empty cell)."""
        cells = [f'<row r="{number}">', self.cell[0] % number, f"{draw}</v></c>"]
        for c, value in enumerate(row):
            if np.isfinite(value):
                cells.append(f"{self.cell[1 + c] % number}{value!r}</v></c>")
        if year is not None:
            cells.append(self.year % (number, year))
        cells.append("</row>")
        return "".join(cells)


def _column_name(col: int) -> str:
    """Excel's letters of a column, from 0 (A, ..., Z, AA, ...)."""
    from xlsxwriter.utility import xl_col_to_name

    return str(xl_col_to_name(col))
