"""The period report and the period's monitoring form as documents (html, pdf from the
templates `laporan-periode.html` and `monitoring-periode.html`; xlsx from openpyxl)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sop_cli.run.period_report import PeriodReportData


def period_document(data: PeriodReportData, kind: str, fmt: str) -> str | bytes:
    """`report` or `monitoring` over the period of `data`, as `fmt` (html, pdf or xlsx)."""
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.model import SopDefinition
    from sop_cli.render.context import org_context
    from sop_cli.render.documents import _office
    from sop_cli.render.env import render
    from sop_cli.render.organisation import apply_kop, find_organisation

    if fmt == "xlsx":
        return period_xlsx(data, kind == "monitoring")
    entry = load_catalog().resolve(data["sop"]["id"])
    sop = SopDefinition.model_validate(entry.data)
    org = org_context(sop)
    apply_kop(org, find_organisation(entry.path.parent))
    from sop_cli.worktime import format_minutes

    def menit(minutes: int | None) -> str:
        return "–" if minutes is None else format_minutes(int(minutes), data["day_minutes"])

    context: dict[str, Any] = {
        "menit": menit, "report": data, "org": org, "sop": {"judul": sop.judul or f"SOP {sop.nama}", "nomor": sop.nomor},
        "tempat": sop.organisasi.kota, "tanggal": data["now"],
    }
    html = render("monitoring-periode.html" if kind == "monitoring" else "laporan-periode.html", context)
    return _office(html, fmt, landscape=True, properties={"author": org["nama"], "title": context["sop"]["judul"]})


def period_xlsx(data: PeriodReportData, monitoring: bool) -> bytes:
    """The figures (sheet "Ringkasan"), the steps ("Langkah") and the lanes ("Pelaksana")."""
    import io

    from sop_cli.render.office.xlsx import _openpyxl

    openpyxl = _openpyxl()
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ringkasan"
    sop = data["sop"]
    sheet.append(["MONITORING PELAKSANAAN SOP AP" if monitoring else "LAPORAN PELAKSANAAN LAYANAN"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([f"{sop['nama']} — {sop['organisasi']}, {sop['pemerintah']}"])
    sheet.append(["Periode", data["period"]["label"]])
    sheet.append(["Dari", data["period"]["first"]])
    sheet.append(["Sampai", data["period"]["last"]])
    for label, key in (("Diterima", "received"), ("Selesai", "finished"), ("Ditolak", "refused"),
                       ("Dibatalkan", "cancelled"), ("Masih berjalan pada akhir periode", "open"),
                       ("Selesai atau ditolak", "ended"), ("Sesuai mutu baku", "within"),
                       ("Sesuai mutu baku (%)", "within_percent"), ("Waktu dijanjikan (menit kerja)", "promised_minutes"),
                       ("Median per perkara (menit kerja)", "median_minutes"),
                       ("Persentil ke-90 per perkara (menit kerja)", "p90_minutes")):
        sheet.append([label, data[key]])  # type: ignore[literal-required]
    if monitoring:  # the rule of the Penilaian column: nine of ten passes within the Mutu Baku (or the tolerance)
        from sop_cli.render.report import toleransi_text

        sheet.append(["Toleransi di atas mutu baku", toleransi_text(data["toleransi"])])
    for row in sheet.iter_rows(min_row=4, max_row=5, min_col=2, max_col=2):
        row[0].number_format = "dd/mm/yyyy"
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 24
    steps = book.create_sheet("Langkah")
    header = ["No", "Kegiatan", "Pelaksana", "Mutu baku", "Mutu baku (menit kerja)", "Dilalui", "Terlambat",
              "Median (menit kerja)", "Persentil ke-90 (menit kerja)", "Di luar kantor"]
    if monitoring:
        header.append("Penilaian")
    steps.append(header)
    for cell in steps[1]:
        cell.font = Font(bold=True)
    for r in data["steps"]:
        values: list[Any] = [r["step"], r["kegiatan"], ", ".join(r["pelaksana"]), r["waktu"], r["standard_minutes"],
                             r["passes"], r["late"], r["median_minutes"], r["p90_minutes"],
                             "ya" if r["external"] else "tidak"]
        if monitoring:
            values.append("-" if r["baik"] is None else "berjalan dengan baik" if r["baik"] else "tidak berjalan dengan baik")
        steps.append(values)
    steps.column_dimensions["B"].width = 50
    lanes = book.create_sheet("Pelaksana")
    lanes.append(["Pelaksana", "Di luar kantor", "Dilalui", "Jumlah (menit kerja)", "Bagian (%)", "Median (menit kerja)"])
    for cell in lanes[1]:
        cell.font = Font(bold=True)
    for lane in data["lanes"]:
        lanes.append([lane["nama"], "ya" if lane["external"] else "tidak", lane["passes"], lane["total_minutes"],
                      lane["share_percent"], lane["median_minutes"]])
    lanes.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
