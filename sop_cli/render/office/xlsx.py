"""Excel workbooks (.xlsx, openpyxl): the run report, the monitoring form, the format-data form.

Dates are real Excel dates (shown dd/mm/yyyy hh:mm), minutes real numbers, booleans "ya"/"tidak";
column headers are Indonesian; the header rows repeat on every printed page and rows never split.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sop_cli.errors import UsageError
from sop_cli.i18n import _
from sop_cli.render.cells import text_cells
from sop_cli.render.office import need

if TYPE_CHECKING:
    from sop_cli.render.report import MonitoringData, ReportData

REPORT_COLUMNS = (
    ("no", "No", 5), ("step", "Langkah", 8), ("kegiatan", "Kegiatan", 45), ("lanes", "Pelaksana", 24),
    ("person", "Nama", 22), ("status_word", "Status", 12), ("loop", "Putaran", 8), ("rework", "Ulang", 7),
    ("became_current_at", "Mulai", 17), ("due_at", "Batas (rencana)", 17), ("completed_at", "Selesai", 17),
    ("standard_minutes", "Mutu baku (menit)", 11), ("actual_minutes", "Aktual (menit)", 11),
    ("difference_minutes", "Selisih (menit)", 11), ("late", "Terlambat", 10),
    ("external", "Di luar kantor", 10), ("sub_run", "Sub-SOP (pelaksanaan)", 22), ("note", "Catatan", 30),
    ("reason", "Alasan", 30),
)
MONITORING_COLUMNS = (
    ("no", "No", 5), ("prosedur", "Prosedur", 45), ("pelaksana", "Pelaksana", 22),
    ("penilaian", "Penilaian", 18), ("catatan", "Catatan", 40), ("tindakan", "Tindakan yang harus diambil", 30),
    ("paraf", "Paraf", 10),
)
MAX_FORM_ROWS = 10_000
"""The most rows to fill (all sheets together) a format-data workbook is made with, whatever its
manifest says."""
FORM_COLUMNS = ("No", "Program", "Kegiatan", "Sub Kegiatan", "Indikator Kinerja", "Target", "Satuan", "Lokasi",
                "Pagu Indikatif (Rp)", "Sumber Dana")


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise need("openpyxl", "openpyxl") from None
    return openpyxl


def cell_value(value: Any) -> Any:
    """A value as Excel should hold it: naive local datetimes, ya/tidak, lists joined.

    Times come as datetimes in the organisation's zone (the typed report views); text stays text,
    even text shaped like a timestamp."""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def append_row(sheet: Any, values: list[Any]) -> None:
    """Append one row; its text cells are text, never formulas (`sop_cli.render.cells`)."""
    sheet.append(values)
    text_cells(sheet[sheet.max_row])


def report_xlsx(data: ReportData | MonitoringData, monitoring: bool) -> bytes:
    """The report (or the monitoring form) of `sop_cli.render.report` as a workbook."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Monitoring" if monitoring else "Laporan"
    columns = MONITORING_COLUMNS if monitoring else REPORT_COLUMNS
    sop = data["sop"]
    title = "MONITORING PELAKSANAAN SOP AP" if monitoring else "LAPORAN PELAKSANAAN SOP"
    append_row(sheet, [title])
    append_row(sheet, [f"{sop['nama']} — {sop['organisasi']}, {sop['pemerintah']}"])
    append_row(sheet, [f"{data['title']} (pelaksanaan {data['run']}, {data['status_word']})"])
    if monitoring:
        from sop_cli.render.report import toleransi_text

        toleransi = cast("MonitoringData", data)["toleransi"]
        append_row(sheet, [f"Metode: catatan pelaksanaan langkah; toleransi: {toleransi_text(toleransi)}"])
    sheet.append([])
    append_row(sheet, [label for _key, label, _width in columns])
    header_row = sheet.max_row
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F0F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = box
    for row in data["rows"]:
        append_row(sheet, [cell_value(row.get(key)) for key, _label, _width in columns])
        for cell in sheet[sheet.max_row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    for index, (_key, _label, width) in enumerate(columns, 1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if not monitoring:
        summary = book.create_sheet("Ringkasan")
        for label, value in _summary(data):
            append_row(summary, [label, cell_value(value)])
            if isinstance(summary.cell(summary.max_row, 2).value, datetime):
                summary.cell(summary.max_row, 2).number_format = "dd/mm/yyyy hh:mm"
        summary.column_dimensions["A"].width = 34
        summary.column_dimensions["B"].width = 30
    if data["catatan"]:
        notes = book.create_sheet("Catatan")
        append_row(notes, ["Waktu", "Langkah", "Oleh", "Catatan", "Lampiran", "Ukuran (bait)", "SHA-256"])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for note in data["catatan"]:
            files = note["attachments"] or [{}]
            for item in files:
                append_row(notes, [cell_value(note["at"]), note["step"], note["by"], note["note"],
                              item.get("name"), item.get("size"), item.get("sha256")])
                notes.cell(notes.max_row, 1).number_format = "dd/mm/yyyy hh:mm"
        for column, width in zip("ABCDEFG", (17, 8, 20, 40, 30, 12, 66), strict=True):
            notes.column_dimensions[column].width = width
    return _save(book)


def _summary(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    s = data["summary"]
    within = s["within_standard"]
    return [
        ("Langkah selesai", s["progress"]["done"]), ("Jumlah langkah", s["progress"]["total"]),
        ("Progres (%)", s["progress"]["percent"]),
        ("Langkah dalam mutu baku", within["count"]), ("dari langkah yang telah dilaksanakan", within["of"]),
        ("Pelaksanaan langkah tepat waktu", within["passes_on_time"]), ("dari pelaksanaan langkah", within["passes"]),
        ("Langkah terlambat", ", ".join(map(str, s["late_steps"])) or "-"),
        ("Putaran pengulangan", s["rework_loops"]), ("Waktu hilang karena ulang (menit)", s["rework_minutes"]),
        ("Waktu kerja aktual (menit)", s["actual_minutes"]), ("Waktu kerja mutu baku (menit)", s["standard_minutes"]),
        ("Waktu di luar kantor (menit)", s.get("external_minutes") or 0),
        *([("Sub-SOP dari pelaksanaan", f"{s['parent']['run']}, langkah {s['parent']['step']}")] if s.get("parent") else []),
        ("Selesai", s.get("finished_at")), ("Perkiraan selesai", s.get("forecast_end")),
    ]


def format_data_xlsx(ctx: dict[str, Any]) -> bytes:
    """The format-data form: one sheet per seksi, the ten columns, `nilai.baris` rows to fill."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Border, Font, Side

    from sop_cli.render.indonesian import hari_tanggal

    book = openpyxl.Workbook()
    book.remove(book.active)
    nilai = ctx["nilai"]
    rows = int(nilai.get("baris") or 8)
    sheets = max(1, len(nilai["seksi"] or []))
    if rows * sheets > MAX_FORM_ROWS:  # bounded here too: a copy of the manifest in ./templates may lack `maks`
        raise UsageError(_("format-data: {sheets} × {rows} rows to fill; a workbook form has at most {most} in all "
                           "(fewer seksi or fewer baris).").format(sheets=sheets, rows=rows, most=MAX_FORM_ROWS))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for number, seksi in enumerate(nilai["seksi"] or [""], 1):
        name = (seksi or f"Seksi {number}")[:31]
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        sheet = book.create_sheet(name.strip() or f"Seksi {number}")
        append_row(sheet, [ctx["org"]["pemerintah"].upper()])
        append_row(sheet, [ctx["org"]["nama"].upper()])
        append_row(sheet, ["FORMAT PENGUMPULAN DATA DAN INFORMASI RENCANA KERJA TAHUNAN"])
        append_row(sheet, [ctx["run"]["title"]])
        append_row(sheet, ["Seksi/Bidang/Subbagian", seksi or ""])
        append_row(sheet, ["Tahun", ctx["run"]["year"]])
        deadline = nilai.get("batas_waktu")
        back = ", ".join(ctx["langkah"]["pelaksana"])
        append_row(sheet, [f"Disampaikan kembali kepada {back}"
                      + (f" paling lambat {hari_tanggal(deadline)}" if deadline else "") + "."])
        sheet.append([])
        append_row(sheet, list(FORM_COLUMNS))
        header = sheet.max_row
        append_row(sheet, [f"({n})" for n in range(1, 11)])
        for row in (header, header + 1):
            for cell in sheet[row]:
                cell.font = Font(bold=True)
                cell.border = box
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for n in range(1, rows + 1):
            append_row(sheet, [n] + [None] * 9)
            for cell in sheet[sheet.max_row]:
                cell.border = box
        for index, width in enumerate((5, 22, 22, 22, 22, 9, 9, 14, 16, 14), 1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        sheet["A1"].font = Font(bold=True)
        sheet["A2"].font = Font(bold=True, size=13)
        sheet.print_title_rows = f"{header}:{header + 1}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return _save(book)


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

