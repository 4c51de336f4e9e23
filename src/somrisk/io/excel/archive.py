"""Check a workbook's zip archive before openpyxl parses it: sizes, cells, no XML entities.

An ``.xlsx`` file is a zip of XML files. A 2 MB file may hold 2 GiB of XML (a decompression bomb),
millions of cells, or XML entity definitions that expand to gigabytes ("billion laughs") or fetch
other files (external entities). Excel writes none of these. Before openpyxl builds anything, every
entry is read once, in chunks, with the number of bytes bounded by what the zip's directory
declares (:mod:`zipfile` stops there and checks the CRC, so an entry that lies about its size is
found, not believed), and the cells of every XML entry are counted. The limits and their reasons
are in docs/reliability.md ("Hostile and extreme files").
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from somrisk.errors import CaseError, Problem

__all__ = ["MAX_CELLS", "MAX_ENTRIES", "MAX_UNCOMPRESSED", "MAX_WORKBOOK_BYTES", "check_archive"]

#: Largest workbook file read, in bytes (a case workbook is 20 to 200 kB; one with an empirical
#: distribution of 100,000 values about 1 MB).
MAX_WORKBOOK_BYTES = 32 * 2**20
#: Most entries (files) in the zip; a case workbook has about 40.
MAX_ENTRIES = 1_000
#: Most bytes of all entries together, uncompressed, as the zip's directory declares them.
MAX_UNCOMPRESSED = 64 * 2**20
#: Most cells of all sheets together (openpyxl keeps each cell as an object of some 200 bytes).
MAX_CELLS = 500_000

_CHUNK = 2**20
#: A cell element, with or without a namespace prefix: ``<c r="A1">``, ``<c/>``, ``<x:c>``.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_TAIL = 64
#: How XML in UTF-16 begins (a byte-order mark, or ``<`` as two bytes); the searches here read
#: bytes as UTF-8, which is what Excel writes.
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
#: A document type declaration: where XML entities are defined. Excel never writes one.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def check_archive(data: bytes, name: str) -> None:
    """Refuse a workbook whose archive is over a limit, damaged, or declares XML entities.

    Raises
    ------
    CaseError
        One problem for the whole file, naming the limit (or the entry) it concerns.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: openpyxl's failure says "not an Excel workbook"
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            _refuse(
                name, f"holds {len(entries):,} files in its zip archive; a workbook may hold {MAX_ENTRIES:,}"
            )
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_UNCOMPRESSED:
            _refuse(
                name,
                f"unpacks to {_mib(declared)}; a workbook may unpack to at most {_mib(MAX_UNCOMPRESSED)}",
            )
        cells = 0
        for entry in entries:
            cells += _scan(archive, entry, name)
            if cells > MAX_CELLS:
                _refuse(name, f"holds more than {MAX_CELLS:,} cells, the most a case workbook may hold")


def _scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> int:
    """Read one entry in chunks; return the cells it holds. Refuse a DTD or a damaged entry."""
    cells, tail, first = 0, b"", True
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                if first and chunk.startswith(_UTF16):
                    _refuse(name, f"holds {entry.filename} in UTF-16; Excel writes UTF-8")
                first = False
                buffer = tail + chunk
                cells += sum(1 for m in _CELL.finditer(buffer) if m.end() > len(tail))
                if _DTD.search(buffer):
                    _refuse(
                        name,
                        f"holds XML entity definitions (a DTD) in {entry.filename}; Excel never writes "
                        "them, and they can expand to gigabytes or read other files",
                    )
                tail = buffer[-_TAIL:]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        _refuse(
            name, f"holds {entry.filename}, which is damaged or larger than its zip directory says ({exc})"
        )
    return cells


def _refuse(name: str, message: str) -> None:
    raise CaseError([Problem(name, "", message)])


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"
