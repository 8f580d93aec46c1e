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

# widths in characters, narrow enough that a landscape page of them prints at a legible size
REPORT_COLUMNS = (
    ("no", "No", 4), ("step", "Langkah", 8), ("kegiatan", "Kegiatan", 30), ("lanes", "Pelaksana", 16),
    ("person", "Nama", 16), ("status_word", "Status", 10), ("loop", "Putaran", 8), ("rework", "Ulang", 6),
    ("became_current_at", "Mulai", 16), ("due_at", "Batas (rencana)", 16), ("completed_at", "Selesai", 16),
    ("standard_minutes", "Mutu baku (menit)", 9), ("actual_minutes", "Aktual (menit)", 9),
    ("difference_minutes", "Selisih (menit)", 9), ("late", "Terlambat", 10),
    ("external", "Di luar kantor", 8), ("sub_run", "Sub-SOP (pelaksanaan)", 12), ("note", "Catatan", 22),
    ("reason", "Alasan", 18),
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


def report_xlsx(data: ReportData | MonitoringData, monitoring: bool, signing: Mapping[str, Any] | None = None) -> bytes:
    """The report (or the monitoring form) of `sop_cli.render.report` as a workbook; `signing`
    (tempat, tanggal, and for the report pengesah and pembuat, as the HTML's signature blocks
    have them) signs it: the report under its summary (Ringkasan), the form under its table."""
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
    _fit_rows(sheet, [width for _key, _label, width in columns], header_row)
    _landscape(sheet)
    if monitoring and signing is not None:
        _signature(sheet, len(columns) - 3, [_place_date(signing), "Penilai,"], None)
    if not monitoring:
        summary = book.create_sheet("Ringkasan")
        for label, value in _summary(data):
            append_row(summary, [label, cell_value(value)])
            if isinstance(summary.cell(summary.max_row, 2).value, datetime):
                summary.cell(summary.max_row, 2).number_format = "dd/mm/yyyy hh:mm"
        summary.column_dimensions["A"].width = 34
        summary.column_dimensions["B"].width = 40
        if signing is not None:  # in the two columns of the summary, so the sheet still reads as pairs
            first = summary.max_row + 2
            _signature(summary, 1, ["", "Mengetahui,", *signing["pengesah"]["baris"]], signing["pengesah"],
                       first=first, last=1)
            _signature(summary, 2, [_place_date(signing), "Yang membuat,", *signing["pembuat"]["baris"]],
                       signing["pembuat"], first=first, last=2)
        _landscape(summary)
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


def _landscape(sheet: Any) -> None:
    """Print the sheet on A4 landscape, as wide as one page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_rows(sheet: Any, widths: list[float], first: int) -> None:
    """Give each row from `first` on the height its wrapped text needs (a reader that does not
    measure rows itself, LibreOffice among them, would print the lines over each other)."""
    import math

    for row in sheet.iter_rows(min_row=first):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if cell.value is None:
                continue
            text = cell.value.strftime("%d/%m/%Y %H:%M") if isinstance(cell.value, datetime) else str(cell.value)
            per_line = max(1, int(width * 1.1) - 1)
            lines = max(lines, sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")))
        sheet.row_dimensions[row[0].row].height = 15 * lines


def _place_date(signing: Mapping[str, Any]) -> str:
    from sop_cli.render.indonesian import tanggal

    place = signing.get("tempat")
    return f"{place}, {tanggal(signing['tanggal'])}" if place else tanggal(signing["tanggal"])


def _signature(sheet: Any, column: int, above: list[str], person: Mapping[str, Any] | None, *,
               first: int | None = None, last: int | None = None) -> None:
    """A signature block from `column` on (place and date, role, jabatan; room to sign; name,
    pangkat, NIP), written from row `first` (default: one row below the sheet's last); with `last`, each line is
    merged over the columns up to it and wraps there (a long jabatan stays on the page)."""
    import math

    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if above and above[-1] and not above[-1].endswith(","):
        above = [*above[:-1], f"{above[-1]},"]  # the jabatan, then the room to sign
    lines: list[tuple[str, bool]] = [(text, False) for text in above]
    lines += [("", False), ("", False), ("", False)]
    if person is not None and person.get("nama"):
        lines.append((str(person["nama"]), True))
    else:
        lines.append(("........................................", False))
    if person is not None and person.get("pangkat"):
        lines.append((str(person["pangkat"]), False))
    lines.append((f"NIP. {(person or {}).get('nip') or '...................................'}", False))
    row = first or sheet.max_row + 2
    room = sum(sheet.column_dimensions[get_column_letter(c)].width or 10 for c in range(column, (last or column) + 1))
    for offset, (text, bold) in enumerate(lines):
        cell = sheet.cell(row=row + offset, column=column, value=text or None)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=last is not None)
        if bold:
            cell.font = Font(bold=True, underline="single")
        if last is not None and last > column:
            sheet.merge_cells(start_row=row + offset, start_column=column, end_row=row + offset, end_column=last)
        wrapped = math.ceil(len(text) / max(1, room * 1.1 - 1)) if last is not None and text else 1
        sheet.row_dimensions[row + offset].height = max(15 * wrapped, sheet.row_dimensions[row + offset].height or 0)


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
        if ctx["org"].get("alamat"):
            append_row(sheet, [ctx["org"]["alamat"]])
        append_row(sheet, ["FORMAT PENGUMPULAN DATA DAN INFORMASI RENCANA KERJA TAHUNAN"])
        append_row(sheet, [ctx["run"]["title"]])
        append_row(sheet, ["Seksi/Bidang/Subbagian:", None, seksi or "." * 40])
        append_row(sheet, ["Tahun:", None, ctx["run"]["year"]])
        for row in (sheet.max_row - 1, sheet.max_row):  # the label over No and Program, its value beside it
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            sheet.cell(row=row, column=3).alignment = Alignment(horizontal="left")
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
        sheet.row_dimensions[header].height = 30  # "Pagu Indikatif (Rp)" on two lines
        for n in range(1, rows + 1):
            append_row(sheet, [n] + [None] * 9)
            sheet.row_dimensions[sheet.max_row].height = 20  # room to write a line by hand
            for cell in sheet[sheet.max_row]:
                cell.border = box
        for index, width in enumerate((5, 22, 22, 22, 18, 9, 9, 14, 14, 14), 1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        sheet["A1"].font = Font(bold=True)
        sheet["A2"].font = Font(bold=True, size=13)
        first = sheet.max_row + 2
        _signature(sheet, 2, ["", "Kepala Seksi/Bidang/Subbagian,"], None, first=first, last=4)
        signer = ctx["penandatangan"]
        above = [_place_date(ctx), *([f"a.n. {signer['an']}"] if signer.get("an") else []), f"{signer['jabatan']},"]
        _signature(sheet, 6, above, signer, first=first, last=10)
        sheet.print_title_rows = f"{header}:{header + 1}"
        _landscape(sheet)
    return _save(book)


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

