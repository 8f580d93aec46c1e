"""The portfolio and the evaluation as documents: an HTML page with inline SVG charts, and xlsx.

Pure functions of the data `sop_cli.run.portfolio` returns. Every text from SOPs, runs and
units is escaped (`html.escape`); the charts are plain SVG, so the page needs no script and no
network, prints, and opens in any browser. openpyxl is imported only for xlsx.

The tables (`unit_table`, `step_table`, `lane_table`, `evaluasi_table`) serve the terminal in the
interface language, and the documents (html, xlsx) with `document=True`: documents are
Indonesian whatever `SOP_LANG` says.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from sop_cli.i18n import N_, _, ngettext
from sop_cli.render.indonesian import waktu_text

if TYPE_CHECKING:
    from sop_cli.run.portfolio import EvaluasiData, PortfolioData, StepRow, UnitRow

_STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; margin: 24px; color: #1d2733; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
p.meta { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 12px; }
th, td { border: 1px solid #c9d1da; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef2f6; } td.num { text-align: right; }
.late { color: #b3261e; font-weight: 600; } .ok { color: #1b6e3a; }
.cards { display: flex; gap: 12px; margin: 8px 0 16px; }
.card { border: 1px solid #c9d1da; border-radius: 6px; padding: 6px 12px; min-width: 90px; }
.card b { display: block; font-size: 20px; }
svg text { font-family: "Segoe UI", Arial, sans-serif; font-size: 11px; }
@media print { @page { size: A4 landscape; margin: 12mm; } }
"""

_COLOURS = {"late": "#d93b30", "active": "#2f7fd1", "finished": "#2e9b57", "cancelled": "#9aa3ad",
            "not started": "#d5dbe1"}


def _minutes(value: int | None) -> str:
    from sop_cli.worktime import format_minutes

    return "-" if value is None else format_minutes(value)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{round(100 * value)}%"


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value:%d-%m-%Y %H.%M}"
    return f"{value:%d-%m-%Y}"


_UNIT_STATES = {
    "not started": ("belum mulai", N_("not started")),
    "late": ("terlambat", N_("late")),
    "on time": ("tepat waktu", N_("on time")),
    "finished": ("selesai", N_("finished")),
    "cancelled": ("dihentikan", N_("cancelled")),
}
"""A unit's state: (the documents' word, the interface's msgid)."""


def unit_state(row: UnitRow, *, document: bool = False) -> str:
    """A unit's state in words: "belum mulai", "terlambat", "tepat waktu", "selesai", "dihentikan"
    (in the interface language; in Indonesian always with `document`)."""
    if row["status"] == "not started":
        key = "not started"
    elif row["status"] == "active":
        key = "late" if row["late"] else "on time"
    else:
        key = "finished" if row["status"] == "finished" else "cancelled"
    word, message = _UNIT_STATES[key]
    return word if document else _(message)


def deadline_word(row: UnitRow, *, document: bool = False) -> str:
    """Against the Kabupaten's deadline: "memenuhi", "lewat N hari", "tidak memenuhi", "-" (in the
    interface language; in Indonesian always with `document`)."""
    if row["meets_deadline"] is None:
        return "-"
    if row["meets_deadline"]:
        return "memenuhi" if document else _("meets it")
    days = row["days_past_deadline"]
    if days is not None:
        if document:
            return f"lewat {days} hari"
        return ngettext("{days} day past it", "{days} days past it", days).format(days=days)
    return "tidak memenuhi" if document else _("misses it")


def _progress_chart(units: list[UnitRow]) -> str:
    """Horizontal bars: each unit's progress, coloured by its state."""
    label_w, bar_w, row_h = 260, 420, 20
    height = row_h * len(units) + 30
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" '
              'role="img" aria-label="Progres per unit">')]
    for i, row in enumerate(units):
        y = 10 + i * row_h
        colour = _COLOURS["late"] if row["late"] else _COLOURS[row["status"]]
        width = bar_w * row["progress"]["percent"] / 100 if row["status"] != "not started" else 0
        label = f"{row['org_name']} · {row['sop']}"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label[:44])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 6}" fill="#f0f3f6"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row_h - 6}" fill="{colour}"/>')
        text = unit_state(row, document=True) if row["status"] == "not started" else f"{row['progress']['percent']}%"
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}">{escape(text)}</text>')
    legend_y = height - 8
    x = label_w
    for name, colour in (("tepat waktu", _COLOURS["active"]), ("terlambat", _COLOURS["late"]),
                         ("selesai", _COLOURS["finished"]), ("dibatalkan", _COLOURS["cancelled"])):
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{legend_y}">{name}</text>')
        x += 95
    parts.append("</svg>")
    return "".join(parts)


def _lateness_chart(steps: list[StepRow]) -> str:
    """Vertical bars: the share of completed passes of each step that were late."""
    shown = [s for s in steps if s["late_share"] is not None]
    col_w, chart_h, top = 34, 160, 14
    width = 50 + col_w * max(1, len(shown))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{chart_h + top + 44}" '
              'role="img" aria-label="Keterlambatan per langkah">')]
    for pct in (0, 50, 100):
        y = top + chart_h * (1 - pct / 100)
        parts.append(f'<line x1="40" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe1"/>'
                     f'<text x="34" y="{y + 4:.1f}" text-anchor="end">{pct}%</text>')
    for i, step in enumerate(shown):
        share = step["late_share"] or 0.0
        h = chart_h * share
        x = 46 + i * col_w
        colour = _COLOURS["late"] if share > 0.5 else "#e8a33d" if share > 0.2 else _COLOURS["finished"]
        parts.append(f'<rect x="{x}" y="{top + chart_h - h:.1f}" width="{col_w - 8}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{escape(step["sop"])} langkah {step["step"]}: {escape(step["kegiatan"])}</title></rect>')
        parts.append(f'<text x="{x + (col_w - 8) / 2}" y="{top + chart_h + 14}" text-anchor="middle">{step["step"]}</text>')
        if len({s["sop"] for s in shown}) > 1:
            parts.append(f'<text x="{x + (col_w - 8) / 2}" y="{top + chart_h + 28}" text-anchor="middle" '
                         f'font-size="9">{escape(step["sop"][:6])}</text>')
    parts.append(f'<text x="46" y="{top + chart_h + 42}">langkah</text></svg>')
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset(),
           marked: list[set[int]] | None = None) -> str:
    """An HTML table; `marked[i]` holds the columns of row i shown as late (red)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, c in enumerate(row):
            classes = " ".join(name for name, on in (("num", j in numeric), ("late", bool(marked and j in marked[i]))) if on)
            cells.append(f'<td class="{classes}">{escape(c)}</td>' if classes else f"<td>{escape(c)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def unit_table(data: PortfolioData, *, document: bool = False) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the per-unit table (the terminal's in the interface language; html and
    xlsx pass `document`: Indonesian always)."""
    if document:
        headers = ["Unit", "SOP", "Pelaksanaan", "Keadaan", "Langkah sekarang", "Progres", "Perkiraan selesai",
                   "Tenggat"]
    else:
        headers = [_("Unit"), "SOP", _("Run"), _("State"), _("Current step"), _("Progress"), _("Forecast end"),
                   _("Deadline")]
    rows = [[r["org_name"], r["sop"], r["run"] or "-", unit_state(r, document=document),
             f"{r['current_step']} {r['current_kegiatan']}" if r["current_step"] else "-",
             f"{r['progress']['done']}/{r['progress']['total']}" if r["run"] else "-",
             _when(r["forecast_end"]), deadline_word(r, document=document)] for r in data["units"]]
    return headers, rows


def step_table(data: PortfolioData, *, document: bool = False) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the per-step table (see `unit_table` for `document`)."""
    if document:
        headers = ["SOP", "No", "Kegiatan", "Mutu baku", "Dilalui", "Median", "P90", "Terlambat", "Perbaikan"]
    else:
        headers = ["SOP", "No", "Kegiatan", "Mutu baku", _("Passes"), "Median", "P90", _("Late"), _("Rework")]
    rows = [[s["sop"], str(s["step"]), s["kegiatan"], waktu_text(s["waktu"]), str(s["passes"]),
             _minutes(s["median_minutes"]), _minutes(s["p90_minutes"]), _share(s["late_share"]),
             _share(s["rework_rate"])] for s in data["steps"]]
    return headers, rows


def lane_table(data: PortfolioData, limit: int = 8, *, document: bool = False) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the lanes where runs wait longest (see `unit_table` for `document`)."""
    if document:
        headers = ["Pelaksana", "Dilalui", "Waktu total", "Median", "Menunggu sekarang"]
    else:
        headers = [_("Lane"), _("Passes"), _("Total time"), "Median", _("Waiting now")]
    rows = [[lane["lane"], str(lane["passes"]), _minutes(lane["total_minutes"]), _minutes(lane["median_minutes"]),
             str(lane["waiting_now"])] for lane in data["lanes"][:limit]]
    return headers, rows


PORTFOLIO_CSV_COLUMNS = ("org_id", "org_name", "sop", "run", "status", "current_step", "current_kegiatan", "done",
                         "total", "late", "late_minutes", "forecast_end", "meets_deadline", "days_past_deadline")
"""The keys of a unit in the portfolio's CSV, in order (header: `sop_cli.render.report.csv_header`)."""

EVALUASI_CSV_COLUMNS = ("step", "kegiatan", "waktu", "standard_minutes", "passes", "median_minutes", "p90_minutes",
                        "late_share", "missed_in_most", "proposed_waktu", "proposed_minutes")
"""The keys of a step in the evaluation's CSV, in order (header: `sop_cli.render.report.csv_header`)."""


def service_table(data: PortfolioData) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the services by unit: cases received in the year, by outcome."""
    headers = ["Unit", "SOP", "Diterima", "Selesai", "Ditolak", "Dibatalkan", "Berjalan", "Sesuai mutu baku"]
    rows = [[r["org_name"], r["sop"], str(r["received"]), str(r["finished"]), str(r["refused"]), str(r["cancelled"]),
             str(r["open"]), f"{r['within_percent']}%" if r["within_percent"] is not None else "-"]
            for r in data.get("services", [])]
    return headers, rows


def portfolio_html(data: PortfolioData) -> str:
    """The portfolio as one self-contained HTML page with two SVG charts."""
    s = data["summary"]
    cards = [("Unit", s["units"]), ("Belum mulai", s["not_started"]), ("Berjalan", s["active"]),
             ("Terlambat", s["late"]), ("Selesai", s["finished"])]
    if data["deadline"]:
        cards.append(("Lewat tenggat", s["past_deadline"]))
    subtitle = f"Tahun {data['year']}" + (f", SOP {data['sop']}" if data["sop"] else "") + (
        f", tenggat Kabupaten {_when(data['deadline'])}" if data["deadline"] else "") + f"; keadaan {_when(data['now'])}"
    units_h, units_r = unit_table(data, document=True)
    steps_h, steps_r = step_table(data, document=True)
    lanes_h, lanes_r = lane_table(data, document=True)
    body = [
        "<h1>Portofolio pelaksanaan SOP</h1>", f'<p class="meta">{escape(subtitle)}</p>',
        '<div class="cards">' + "".join(f'<div class="card"><b>{n}</b>{escape(t)}</div>' for t, n in cards) + "</div>",
        "<h2>Progres per unit</h2>", _progress_chart(data["units"]),
        _table(units_h, units_r, marked=[({3} if r["late"] else set()) | ({7} if r["meets_deadline"] is False else set())
                                         for r in data["units"]]),
        "<h2>Keterlambatan per langkah</h2>", _lateness_chart(data["steps"]),
        _table(steps_h, steps_r, frozenset({1, 4, 5, 6, 7, 8})),
        "<h2>Pelaksana tempat pelaksanaan paling lama menunggu</h2>", _table(lanes_h, lanes_r, frozenset({1, 2, 3, 4})),
    ]
    if data.get("services"):
        services_h, services_r = service_table(data)
        body += [f"<h2>Layanan per unit (perkara yang diterima pada {data['year']})</h2>",
                 _table(services_h, services_r, frozenset({2, 3, 4, 5, 6, 7}))]
    return _page("Portofolio pelaksanaan SOP", body)


def evaluasi_table(data: EvaluasiData, *, document: bool = False) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the evaluation (see `unit_table` for `document`)."""
    if document:
        headers = ["No", "Kegiatan", "Mutu baku", "Dilalui", "Median", "P90", "Terlambat", "Usulan mutu baku"]
    else:
        headers = ["No", "Kegiatan", "Mutu baku", _("Passes"), "Median", "P90", _("Late"), _("Proposed Mutu baku")]
    rows = [[str(r["step"]), r["kegiatan"], waktu_text(r["waktu"]), str(r["passes"]), _minutes(r["median_minutes"]),
             _minutes(r["p90_minutes"]), _share(r["late_share"]), r["proposed_waktu"] or "-"] for r in data["steps"]]
    return headers, rows


def evaluasi_html(data: EvaluasiData) -> str:
    """The evaluation as one HTML page."""
    headers, rows = evaluasi_table(data, document=True)
    body = [
        f"<h1>Evaluasi SOP {escape(data['nama'])}</h1>",
        (f'<p class="meta">{escape(data["organisasi"])} ({escape(data["sop"])}); {data["runs"]} pelaksanaan, '
         f"{data['finished']} selesai; keadaan {escape(_when(data['now']))}</p>"),
        _table(headers, rows, frozenset({0, 3, 4, 5, 6}), marked=[{6, 7} if r["missed_in_most"] else set()
                                                                  for r in data["steps"]]),
        ("<p>Usulan mutu baku: untuk langkah yang terlambat pada lebih dari separuh pelaksanaannya, persentil ke-80 "
         "waktu nyata, dibulatkan ke atas.</p>"),
    ]
    return _page(f"Evaluasi SOP {data['nama']}", body)


def _page(title: str, body: list[str]) -> str:
    return (f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def portfolio_xlsx(data: PortfolioData) -> bytes:
    """The portfolio as an xlsx workbook: sheets Unit, Langkah, Pelaksana (openpyxl). Numbers,
    shares and times are typed cells (minutes as numbers, shares as percentages, the forecast end
    as a date); text is text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from sop_cli.render.office.xlsx import append_row, cell_value

    units: list[list[object]] = [
        [u["org_name"], u["sop"], u["run"], unit_state(u, document=True), u["current_step"], u["current_kegiatan"],
         u["progress"]["done"] if u["run"] else None, u["progress"]["total"] if u["run"] else None, u["late"],
         u["late_minutes"], u["forecast_end"], deadline_word(u, document=True), u["days_past_deadline"]]
        for u in data["units"]]
    steps: list[list[object]] = [[s["sop"], s["step"], s["kegiatan"], waktu_text(s["waktu"]), s["standard_minutes"], s["passes"],
              s["median_minutes"], s["p90_minutes"], s["late_share"], s["rework_rate"]] for s in data["steps"]]
    lanes: list[list[object]] = [[lane["lane"], lane["passes"], lane["total_minutes"], lane["median_minutes"], lane["waiting_now"]]
             for lane in data["lanes"]]
    sheets: list[tuple[str, list[str], list[list[object]]]] = [
        ("Unit", ["Unit", "SOP", "Pelaksanaan", "Keadaan", "Langkah sekarang", "Kegiatan sekarang", "Langkah selesai",
                  "Jumlah langkah", "Terlambat", "Keterlambatan (menit)", "Perkiraan selesai", "Tenggat",
                  "Lewat tenggat (hari)"], units),
        ("Langkah", ["SOP", "No", "Kegiatan", "Mutu baku", "Mutu baku (menit)", "Dilalui", "Median (menit)",
                     "P90 (menit)", "Terlambat", "Perbaikan"], steps),
        ("Pelaksana", ["Pelaksana", "Dilalui", "Waktu total (menit)", "Median (menit)", "Menunggu sekarang"], lanes),
    ]
    shares = {"Terlambat": "0%", "Perbaikan": "0%"}
    book = Workbook()
    if data.get("services"):
        services_headers, services_rows = service_table(data)
        sheets.append(("Layanan", services_headers, [list(row) for row in services_rows]))
    for index, (name, headers, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        append_row(sheet, headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, [cell_value(value) for value in row])  # a unit's or step's text is never a formula
            for cell, header in zip(sheet[sheet.max_row], headers):
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(cell.value, float) and name == "Langkah" and header in shares:
                    cell.number_format = shares[header]
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
