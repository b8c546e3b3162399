"""Reading the tables staff upload: encodings, separators, workbooks, limits."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook

from fabrique.core import tabular
from fabrique.core.tabular import detect_separator, read_table


def _xlsx(rows, formats=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for address, number_format in (formats or {}).items():
        sheet[address].number_format = number_format
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _refusal(content: bytes, name: str) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        read_table(content, name)
    return caught.value


@pytest.mark.parametrize(
    "content",
    [
        "Prénom;Nom\nÉlise;Lefèvre\n".encode(),
        "\ufeffPrénom;Nom\r\nÉlise;Lefèvre\r\n".encode(),  # with a byte order mark
        "Prénom;Nom\r\nÉlise;Lefèvre\r\n".encode("cp1252"),
        "Prénom\tNom\nÉlise\tLefèvre\n".encode(),
        "Prénom,Nom\rÉlise,Lefèvre\r".encode("cp1252"),  # commas, and old Macs' line ends
    ],
)
def test_csv_in_every_encoding_and_separator_gives_the_same_rows(content) -> None:
    assert read_table(content, "vivier.CSV") == [["Prénom", "Nom"], ["Élise", "Lefèvre"]]


def test_the_separator_is_found_despite_faulty_lines() -> None:
    text = "\n".join(
        [
            "Prénom;Nom;Adresse",
            "Anne;Durand;1, rue du Port",  # a comma inside a cell
            "Paul;Martin",  # a cell missing
            "Léa;Roux;3, place de la Mairie",
            "Marc;Blanc;4 rue Haute",
        ]
    )

    assert detect_separator(text) == ";"
    assert detect_separator("code,bassin\n71001,Nord\n71002;x,Sud\n") == ","
    assert detect_separator("une seule colonne\nvaleur\n") == ";"


def test_quoted_cells_may_hold_the_separator_and_line_breaks() -> None:
    content = b'Nom;Note\n"Durand";"deux; lignes\net plus"\n'

    assert read_table(content, "f.csv") == [["Nom", "Note"], ["Durand", "deux; lignes\net plus"]]


def test_empty_rows_at_the_end_are_dropped_and_rows_made_as_wide_as_the_widest() -> None:
    content = b"a;b;c\n1;2\n\n3\n;;\n\n"

    assert read_table(content, "f.csv") == [
        ["a", "b", "c"],
        ["1", "2", ""],
        ["", "", ""],
        ["3", "", ""],
    ]


def test_xlsx_cells_are_read_as_the_spreadsheet_shows_them() -> None:
    content = _xlsx(
        [
            ["Téléphone", "Code postal", "Texte", "Né le", "Taux", "Oui ?", "Grand"],
            [6123456789, 1000, "01053", datetime.date(1990, 5, 17), 0.5, True, 1e20],
            [None, None, None, None, None, None, None],
        ],
        formats={"B2": "00000"},
    )

    with translation.override("en"):
        rows = read_table(content, "vivier.xlsx")

    assert rows == [
        ["Téléphone", "Code postal", "Texte", "Né le", "Taux", "Oui ?", "Grand"],
        ["6123456789", "01000", "01053", "1990-05-17", "0.5", "yes", "100000000000000000000"],
    ]


def test_only_the_first_sheet_of_a_workbook_is_read() -> None:
    workbook = Workbook()
    workbook.active.append(["Nom"])
    workbook.active.append(["Durand"])
    workbook.create_sheet("Autre").append(["Ignoré"])
    content = io.BytesIO()
    workbook.save(content)

    assert read_table(content.getvalue(), "f.xlsx") == [["Nom"], ["Durand"]]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vivier.xls", b"\xd0\xcf\x11\xe0", "save it as an Excel workbook (.xlsx)"),
        ("vivier.ods", b"PK\x03\x04", "save it as an Excel workbook (.xlsx)"),
        ("vivier.txt", b"a;b", "Send a .csv file or an Excel workbook (.xlsx)."),
        ("vivier", b"a;b", "Send a .csv file or an Excel workbook (.xlsx)."),
        ("vivier.xlsx", b"PK\x03\x04 broken", "cannot be read as an Excel workbook"),
        ("vivier.csv", b"PK\x03\x04\x00\x00", "is not a CSV file"),
        ("vivier.csv", b"\n \n;;\n", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(name, content, expected) -> None:
    assert expected in _refusal(content, name).messages[0]


def test_too_large_a_file_is_refused_before_being_read(monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_BYTES", 10)

    assert _refusal(b"a;b\n" * 5, "f.csv").code == "too_large"


def test_too_many_lines_are_refused_but_empty_lines_at_the_end_do_not_count(monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)

    assert len(read_table(b"a\n1\n2\n\n\n\n", "f.csv")) == 3
    assert _refusal(b"a\n1\n2\n3\n", "f.csv").code == "too_many_rows"
    assert _refusal(_xlsx([["a"], [1], [2], [3]]), "f.xlsx").code == "too_many_rows"


def test_too_many_columns_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 2)

    assert _refusal(b"a;b;c\n", "f.csv").code == "too_many_columns"
    assert _refusal(_xlsx([["a", "b", "c"]]), "f.xlsx").code == "too_many_columns"


EVENING = datetime.datetime.fromisoformat("2026-03-09T18:30")  # local time, as exports write it


def test_downloaded_csv_opens_in_french_spreadsheets_and_runs_no_formula() -> None:
    content = tabular.csv_for_spreadsheets(
        [
            ["Nom", "Téléphone", "Inscrit le", "Note"],
            [
                "=cmd|' /C calc'!A0",
                "+33 6 12 34 56 78",
                EVENING,
                None,
            ],
            ["@SUM(A1)", "-3", "a;b", "ok"],
        ]
    )

    assert content.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs for UTF-8
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Nom;Téléphone;Inscrit le;Note"
    assert lines[1] == "'=cmd|' /C calc'!A0;+33 6 12 34 56 78;09/03/2026 18:30;"
    assert lines[2] == '\'@SUM(A1);-3;"a;b";ok'
    assert read_table(content, "export.csv")[1][0] == "'=cmd|' /C calc'!A0"


def test_downloaded_workbook_keeps_text_as_text() -> None:
    from openpyxl import load_workbook

    content = tabular.xlsx_table(
        ["Nom", "Inscrit le"],
        [["=1+1", EVENING], ["Ligne\x0bcollée depuis un traitement de texte", None]],
        sheet_title="Inscriptions",
        frozen="B2",
    )

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Inscriptions"
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "B2"
    assert sheet["A3"].value == "Lignecollée depuis un traitement de texte"  # not a crash
