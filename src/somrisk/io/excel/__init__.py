"""Cases as Excel workbooks, both ways: an empty template, TOML -> .xlsx and .xlsx -> TOML.

A case workbook has one sheet per part of a case (layout.py; docs/excel.md in English, the sheet
"Hjælp" in Danish). :func:`export_case` lays a TOML case out in it from the file's raw TOML dict;
:func:`import_case` reads it back, validates it exactly as a TOML case is validated, and writes the
TOML file. Export then import gives the same case: the same raw dict, and the same results.
"""

from somrisk.io.excel.read import import_case, read_case_workbook
from somrisk.io.excel.write import export_case, write_template

__all__ = ["export_case", "import_case", "read_case_workbook", "write_template"]
