"""Tables that staff upload, read as rows of text; and tables they download, written for
their spreadsheets.

Spreadsheets saved by French staff come in every shape: UTF-8 with or without a byte order
mark, or Windows' cp1252; a semicolon, a comma or a tab between cells; numbers where text was
meant. What is read here is plain text, cell by cell, as the spreadsheet shows it.

What is written (:func:`csv_for_spreadsheets`, :func:`xlsx_table`) opens right in a French
spreadsheet, and text that people typed is never run as a formula there.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
SEPARATORS = ";,\t"  # in order of preference when two fit as well: French spreadsheets use ;
# How many lines the separator is guessed from.
SAMPLE_LINES = 50

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPT = f".csv,.xlsx,text/csv,{XLSX_MIME}"


def decode_text(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte order mark), else cp1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save in cp1252; a byte it leaves undefined is replaced
        # rather than refused, and the line it stands on is then reported as faulty.
        return content.decode("cp1252", errors="replace")


def _separator_fit(sample: str, separator: str) -> tuple[int, int]:
    """How well ``separator`` splits ``sample``: (lines with the most common number of
    cells, that number), or (0, 1) when it splits nothing."""
    widths = Counter(
        len(row)
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
        if any(cell.strip() for cell in row)
    )
    width, lines = max(widths.items(), key=lambda item: (item[1], item[0]), default=(1, 0))
    return (lines, width) if width > 1 else (0, 1)


def detect_separator(text: str) -> str:
    """The separator of a CSV text: the one that splits the most of its first lines into the
    same number of cells.

    csv.Sniffer gives up on files whose lines have different lengths, which is exactly what a
    faulty file looks like; here a line with a cell missing, or a comma inside a cell of a
    file separated by semicolons, only counts against the separator, never stops the guess.
    """
    lines = [line for line in text.splitlines() if line.strip()][:SAMPLE_LINES]
    sample = "\n".join(lines)
    fits = {separator: _separator_fit(sample, separator) for separator in SEPARATORS}
    # max() keeps the first of equals: the order of SEPARATORS breaks ties.
    return max(SEPARATORS, key=lambda separator: fits[separator])


def csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV text, its separator guessed by :func:`detect_separator`."""
    try:
        # newline="": line ends of every system (even old Macs' lone \r), and line breaks inside
        # quoted cells, as the csv module wants.
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
        return list(rows)
    except csv.Error as error:
        raise ValidationError(
            _("This file cannot be read as a CSV file (%(error)s).") % {"error": error},
            code="unreadable",
        ) from error


def cell_text(value: Any, number_format: str = "") -> str:
    """A spreadsheet cell as text, as a person reads it in the spreadsheet.

    Whole numbers stay whole (« 6123456789 », not « 6.12e9 »); a number shown with leading
    zeros by its format (« 00000 » for postal codes) keeps them; dates are written ISO-style.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if re.fullmatch(r"0+", number_format or "") and value >= 0:
            text = text.zfill(len(number_format))
        return text
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _tidy(rows: Iterable[list[str]]) -> list[list[str]]:
    """Rows without the empty ones at the end, all as wide as the widest, within the limits."""
    kept: list[list[str]] = []
    pending_empty = 0  # empty rows seen since the last filled one: kept only if one follows
    for row in rows:
        while row and not row[-1].strip():
            row = row[:-1]
        if not row:
            pending_empty += 1
            continue
        if len(kept) + pending_empty + 1 > MAX_ROWS:
            raise ValidationError(
                _(
                    "The file has more than %(max)s lines. Split it into several files and "
                    "import them one after the other."
                )
                % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")},
                code="too_many_rows",
            )
        if len(row) > MAX_COLUMNS:
            raise ValidationError(
                _("The file has more than %(max)s columns. Keep only the useful ones.")
                % {"max": MAX_COLUMNS},
                code="too_many_columns",
            )
        kept.extend([] for _empty in range(pending_empty))
        pending_empty = 0
        kept.append(row)
    if not kept:
        raise ValidationError(_("The file is empty."), code="empty")
    width = max(len(row) for row in kept)
    return [row + [""] * (width - len(row)) for row in kept]


def _read_csv(content: bytes) -> list[list[str]]:
    if content.startswith(b"PK\x03\x04") or b"\x00" in content[:4096]:
        raise ValidationError(
            _(
                "This file is not a CSV file, although its name ends in .csv. Open it in your "
                "spreadsheet and save it as CSV or as an Excel workbook (.xlsx)."
            ),
            code="unreadable",
        )
    return csv_rows(decode_text(content))


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    unreadable = ValidationError(
        _(
            "This file cannot be read as an Excel workbook (.xlsx): it may be damaged or "
            "protected by a password. Open it in your spreadsheet and save it again as .xlsx "
            "or as CSV."
        ),
        code="unreadable",
    )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # A damaged or disguised file can fail anywhere inside openpyxl and zipfile, with any
    # exception; all of them mean the same to the person who sent it.
    except Exception as error:
        raise unreadable from error
    try:
        if not workbook.worksheets:
            raise unreadable
        sheet = workbook.worksheets[0]
        rows = (
            [cell_text(cell.value, getattr(cell, "number_format", "")) for cell in row]
            for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1)
        )
        return _tidy(rows)
    except ValidationError:
        raise
    except Exception as error:  # see above
        raise unreadable from error
    finally:
        workbook.close()


def check_size(size: int) -> None:
    """Refuse a file over the size limit (before reading it, when its size is known)."""
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The rows of a .csv or .xlsx file (the first sheet of a workbook), every cell as text.

    Empty rows at the end are dropped and every row is as wide as the widest. Raises a
    ValidationError that says, for a person, why the file cannot be read: wrong kind, too
    large, too many lines, damaged.
    """
    extension = PurePath(file_name).suffix.lower()
    if extension in (".xls", ".ods"):
        raise ValidationError(
            _(
                "Files of the %(extension)s kind are not read. Open the file in your "
                "spreadsheet and save it as an Excel workbook (.xlsx), then send that one."
            )
            % {"extension": extension},
            code="extension",
        )
    if extension not in (".csv", ".xlsx"):
        raise ValidationError(_("Send a .csv file or an Excel workbook (.xlsx)."), code="extension")
    check_size(len(content))
    if extension == ".xlsx":
        return _read_xlsx(content)
    return _tidy(_read_csv(content))


# --- Writing: tables staff download -------------------------------------------------------

# Text a spreadsheet would run as a formula, unless it reads as a number (« -3 », « +33 6… »).
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER_LIKE = re.compile(r"^[+\-]?[\d .()/-]*$")


def spreadsheet_text(value: Any) -> str:
    """A value as a CSV cell: nothing for None, dates as French spreadsheets write them, and
    text that would run as a formula (« =… », « @… ») behind an apostrophe, which the
    spreadsheet shows as typed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    text = str(value)
    if _FORMULA.match(text) and not _NUMBER_LIKE.match(text):
        return "'" + text
    return text


def spreadsheet_value(value: Any) -> Any:
    """A value as a workbook cell takes it: text without the control characters a workbook
    cannot hold (a pasted line may carry some), other values as they are."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def csv_for_spreadsheets(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows (the header first) as French spreadsheets open them: UTF-8 with a byte order
    mark, « ; » between cells, a line end of Windows."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def xlsx_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str,
    frozen: str = "B2",
    min_width: int = 10,
) -> bytes:
    """One sheet: a bold header, the rows, panes frozen at ``frozen`` (the header and the
    columns before it), columns as wide as their titles within reason. Text is never taken
    for a formula; dates show as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = sheet_title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([spreadsheet_value(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed by a person, never a formula
            elif isinstance(cell.value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = frozen
    for index, title in enumerate(header, start=1):
        width = max(min_width, min(40, len(title) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
