"""Formulas from people's text: every text a person typed (a title, a name, a note, a reason, a seksi,
an office's name or a step's kegiatan in an SOP file) that begins with = + - @ tab or CR is text in
every workbook and a neutralised field in every CSV (OWASP: a leading ')."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import write
from tests.hostile import as_user, invoke
from tests.sample import VALID
from tests.test_cli_docs import NGANJUK_VALUES
from tests.test_report import NGANJUK, make_run

TITLE = '=HYPERLINK("http://127.0.0.1:9/x","klik")'
PERSON = "@SUM(1+1)*cmd|' /C calc'!A0"
NOTE = "-2+3+cmd|' /C calc'!A0"
REASON = "\t=1+1"
SEKSI = "+1+1"
OFFICE = "=Kantor Uji"
KEGIATAN = "@Memerintahkan penyusunan"
PAYLOADS = (TITLE, PERSON, NOTE, REASON.strip(), SEKSI, OFFICE, KEGIATAN)


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


@pytest.fixture
def hostile_run(sop, monkeypatch: pytest.MonkeyPatch) -> str:
    """A run of the Nganjuk Renja whose title, assigned person, note and rejection reason are formulas."""
    monkeypatch.setenv("SOP_NOW", "2026-12-10T10:00")
    started = invoke(sop, "start", NGANJUK, "--at", "2026-11-23 08:00", "--title", TITLE,
                     "--assign", f"camat={PERSON}", "--json")
    assert started.code == 0, started.output
    run = json.loads(started.stdout)["run"]
    assert invoke(sop, "advance", "--run", run, "--at", "2026-11-23 08:05", "--note", NOTE).code == 0
    assert invoke(sop, "note", REASON, "--run", run, "--at", "2026-11-23 08:06").code == 0
    return run


def cells(path: Path) -> list[object]:
    """Every cell of the workbook as openpyxl reads it back; a formula is refused on the way."""
    import openpyxl

    found = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                found.append(cell.value)
    return found


def texts(values: list[object]) -> str:
    return "\n".join(str(v) for v in values if v is not None)


def test_report_and_monitoring_workbooks_hold_text_as_text(sop, hostile_run: str, tmp_path: Path) -> None:
    from datetime import datetime

    for extra in ([], ["--monitoring"]):
        out = tmp_path / f"laporan{len(extra)}.xlsx"
        ran = invoke(sop, "report", "--run", hostile_run, *extra, "--out", out)
        assert ran.code == 0, ran.output
        values = cells(out)
        assert any(TITLE in str(v) for v in values)  # the text, as typed, not a formula
        if not extra:
            assert NOTE in values and PERSON in values, values
            # numbers and times are typed cells
            assert any(isinstance(v, datetime) for v in values) and 1 in values


def test_format_data_workbook_holds_the_seksi_as_text(sop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = make_run(sop, monkeypatch)
    values = write(tmp_path / "nilai.yaml", NGANJUK_VALUES)
    out = tmp_path / "format.xlsx"
    ran = invoke(sop, "render", "format-data", "--run", run, "--values", values, "--set", f"seksi={SEKSI};{TITLE}",
                 "--out", out)
    assert ran.code == 0, ran.output
    found = cells(out)
    assert SEKSI in found and TITLE in found


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def neutral(rows: list[list[str]]) -> None:
    """No field begins with a formula character; the payloads are there behind a '."""
    fields = [field for row in rows for field in row]
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")], fields


def test_report_csv_fields_are_neutralised(sop, hostile_run: str, tmp_path: Path) -> None:
    printed = invoke(sop, "report", "--run", hostile_run, "--format", "csv")
    assert printed.code == 0, printed.output
    rows = csv_rows(printed.stdout, ";")
    neutral(rows)
    fields = [field for row in rows for field in row]
    assert f"'{NOTE}" in fields and f"'{PERSON}" in fields
    out = tmp_path / "laporan.csv"
    assert invoke(sop, "report", "--run", hostile_run, "--out", out).code == 0
    neutral(csv_rows(out.read_text(encoding="utf-8"), ";"))
    monitoring = invoke(sop, "report", "--run", hostile_run, "--monitoring", "--format", "csv")
    assert monitoring.code == 0
    neutral(csv_rows(monitoring.stdout, ";"))


@pytest.fixture
def hostile_office(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SOP file whose office name and first kegiatan are formulas, with a run started."""
    text = VALID.replace("  nama: Kantor Uji", f'  nama: "{OFFICE}"').replace(
        "kegiatan: Memerintahkan penyusunan", f'kegiatan: "{KEGIATAN}"')
    write(tmp_path / "sops" / "kabupaten-uji" / "kantor-uji" / "uji.yaml", text)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    monkeypatch.setenv("SOP_NOW", "2026-11-23T09:00")
    assert invoke(sop, "start", "uji", "--at", "2026-11-23 08:00", "--year", "2027").code == 0


def test_portfolio_csv_and_workbook_neutralise_an_office_and_a_kegiatan(sop, hostile_office, tmp_path: Path) -> None:
    printed = invoke(sop, "report", "--portfolio", "--year", "2027", "--format", "csv")
    assert printed.code == 0, printed.output
    rows = csv_rows(printed.stdout, ",")
    neutral(rows)
    assert f"'{OFFICE}" in [field for row in rows for field in row]
    out = tmp_path / "portofolio.xlsx"
    assert invoke(sop, "report", "--portfolio", "--year", "2027", "--out", out).code == 0
    found = texts(cells(out))
    assert OFFICE in found and KEGIATAN in found
    # numbers, shares and times are typed cells, not their text
    from datetime import datetime

    import openpyxl

    book = openpyxl.load_workbook(out)
    unit = dict(zip(*book["Unit"].iter_rows(values_only=True)))
    assert unit["Unit"] == OFFICE and unit["Langkah sekarang"] == 1 and unit["Jumlah langkah"] == 4
    assert isinstance(unit["Perkiraan selesai"], datetime)
    steps = list(book["Langkah"].iter_rows(values_only=True))
    assert (steps[1][1], steps[1][2], steps[1][4]) == (1, KEGIATAN, 5)  # No, Kegiatan, Mutu baku (menit)


def test_one_function_decides_what_a_formula_is() -> None:
    from sop_cli.render.cells import csv_field, formula_like

    for text in (*PAYLOADS, "\r=1", "=", "-", "+"):
        assert formula_like(text) and csv_field(text) == "'" + text
    for value in ("Kantor", "1-2", "a=b", " =x", 5, -5, None, 2.5):
        assert csv_field(value) == value
