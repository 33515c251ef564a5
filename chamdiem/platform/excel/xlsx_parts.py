"""Finding a sheet's part inside an .xlsx package, for the few things calamine does not tell
(a cell's number format, a cell that holds a formula error)."""

from __future__ import annotations

import lzma
import posixpath
import zipfile
import zlib
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

# What reading a part of a damaged package may raise: not a zip, a part missing, a compressed
# stream damaged or cut short (zlib, EOFError, lzma; bzip2 raises OSError), a compression or
# encryption zipfile does not support, XML that does not parse, a number that is not one.
DAMAGED: tuple[type[Exception], ...] = (
    OSError,
    KeyError,
    ValueError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    ElementTree.ParseError,
)


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the sheet named `sheet`."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for element in workbook.iter(f"{MAIN}sheet"):
        if element.get("name") == sheet:
            rel_id = element.get(_REL_ID)
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(_PACKAGE_REL):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None
