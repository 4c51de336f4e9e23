"""An uploaded case file or case workbook -> the TOML text to store, or every problem with its place.

Uploads are untrusted. The size limits come first (the request body's in the app, the file's here:
case/limits.py's for TOML, io/excel/archive.py's for workbooks), then the library's own checks:
:func:`somrisk.check_case` for TOML, :func:`somrisk.io.excel.import_case` for a workbook (its zip is
checked before openpyxl parses it). The file is written, under a name somrisk makes, to a private
temporary folder that is removed afterwards; the uploaded name is only ever shown, never opened.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from somrisk.case.limits import MAX_FILE_BYTES
from somrisk.case.model_warnings import model_warnings
from somrisk.errors import CaseError, Problem, format_value
from somrisk.io.excel import import_case
from somrisk.io.excel.archive import MAX_WORKBOOK_BYTES
from somrisk.runner import check_case

__all__ = ["Refused", "TooLarge", "Upload", "read_upload", "shown_name"]

#: Each kind of upload, by suffix: its limit in bytes.
LIMITS = {".toml": MAX_FILE_BYTES, ".xlsx": MAX_WORKBOOK_BYTES}
_LINE = re.compile(r":(\d+):(\d+)")
_UNSAFE = re.compile(r"[^A-Za-z0-9ÆØÅæøå._ -]+")


@dataclass(frozen=True)
class Upload:
    """A valid case: its name, TOML text (as stored and run), SHA-256 of that text, warnings."""

    name: str
    toml: str
    sha256: str
    uploaded_as: str
    warnings: list[str]


class Refused(Exception):
    """An upload that is not a valid case; `errors` as the API's 422 lists them."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))


class TooLarge(Exception):
    """An upload over its kind's size limit (413)."""


def shown_name(filename: str | None) -> str:
    """The uploaded file's name, to show: its last part, odd characters dropped, 100 characters."""
    name = Path((filename or "").replace("\\", "/")).name
    return _UNSAFE.sub("", name)[:100].strip() or "case"


def read_upload(filename: str | None, data: bytes) -> Upload:
    """Validate an uploaded case file (``.toml``) or case workbook (``.xlsx``).

    Raises
    ------
    TooLarge
        For a file over the limit of its kind.
    Refused
        With every problem, each with where it is (key path, or sheet and cell) and its message.
    """
    name = shown_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in LIMITS:
        raise Refused([{"where": name, "message": "upload a case file (.toml) or a case workbook (.xlsx)"}])
    if len(data) > LIMITS[suffix]:
        raise TooLarge(f"{name}: {len(data):,} bytes; a {suffix} file may have {LIMITS[suffix]:,}")
    with tempfile.TemporaryDirectory(prefix="somrisk-upload-") as folder:
        upload = Path(folder) / f"upload{suffix}"  # somrisk's name, never the user's
        upload.write_bytes(data)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                is_workbook = suffix == ".xlsx"
                toml_path = import_case(upload, Path(folder) / "case.toml") if is_workbook else upload
                checked = check_case(toml_path)
                toml = toml_path.read_bytes().decode("utf-8")  # as uploaded: its SHA-256 stays
        except CaseError as error:
            raise Refused([_where(p, str(upload), name) for p in error.problems]) from None
    found = [str(w.message) for w in caught]
    found += [w.en for w in model_warnings(checked.case) if w.en not in found]
    return Upload(checked.case.name, toml, checked.case.sha256, name, found)


def _where(problem: Problem, temporary: str, name: str) -> dict[str, str]:
    """A problem as ``{"where", "message"}``: the sheet and cell where known, else its key path."""
    place = problem.file.replace(temporary, name)
    sheet = place.removeprefix(name).lstrip(", ")
    line = _LINE.fullmatch(sheet)
    if line:  # a TOML syntax error's place
        sheet = f"line {line[1]}, column {line[2]}"
    where = ", ".join(part for part in (sheet, problem.key_path) if part) or name
    message = problem.message
    if problem.value is not Problem.NO_VALUE:
        message += f" (found {format_value(problem.value)})"
    return {"where": where, "message": message.replace(temporary, name)}
