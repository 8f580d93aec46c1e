"""`sop report --portfolio` and `sop report --evaluasi SOP`: parse, call the core, word or write."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sop_cli.errors import UsageError
from sop_cli.i18n import _

if TYPE_CHECKING:
    from sop_cli.run.portfolio import EvaluasiData, PortfolioData


def report_many(
    *, portfolio: bool, evaluasi: str | None, fmt: str | None, out: Path | None, deadline: str | None,
    year: int | None, sop: str | None, org: str | None, run: str | None, monitoring: bool, store: str | None,
) -> None:
    """The portfolio or the evaluation, in the format asked for, printed or written to `out`."""
    from sop_cli.cli.output import choose_format, emit, to_json
    from sop_cli.cli.parse import now

    if portfolio and evaluasi is not None:
        raise UsageError(_("Give either --portfolio or --evaluasi SOP, not both."))
    if run or monitoring:
        raise UsageError(_("--{option} is about one run; --portfolio and --evaluasi cover many.").format(
            option="run" if run else "monitoring"))
    if evaluasi is not None and (deadline or year or sop):
        raise UsageError(_("--deadline, --year and --sop go with --portfolio; --evaluasi takes every run of its SOP."))
    moment = now()
    if portfolio:
        from sop_cli.render import portfolio as pages
        from sop_cli.run.portfolio import portfolio as build

        chosen = choose_format(fmt, out, ("table", "html", "xlsx", "csv", "json"), "table")
        data = build(now=moment, year=year, sop=sop, org=org, deadline=_date(deadline), store=store)
        if chosen == "xlsx":
            emit(pages.portfolio_xlsx(data), out)  # choose_format asked xlsx for --out
            return
        text = {"json": lambda: to_json(data), "csv": lambda: _portfolio_csv(data), "html": lambda: pages.portfolio_html(data),
                "table": lambda: _portfolio_table(data)}[chosen]()
    else:
        from sop_cli.render import portfolio as pages
        from sop_cli.run.portfolio import evaluasi as build_evaluasi

        chosen = choose_format(fmt, out, ("table", "html", "csv", "json"), "table")
        evaluation = build_evaluasi(evaluasi or "", now=moment, org=org, store=store)
        text = {"json": lambda: to_json(evaluation), "csv": lambda: _evaluasi_csv(evaluation),
                "html": lambda: pages.evaluasi_html(evaluation), "table": lambda: _evaluasi_table(evaluation)}[chosen]()
    emit(text, out)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_("--deadline {text}: give a date as YYYY-MM-DD, e.g. 2027-03-31.").format(text=text)) from None


def _portfolio_table(data: PortfolioData) -> str:
    from sop_cli.cli.output import fit, paint, plain_table
    from sop_cli.render.portfolio import lane_table, service_table, step_table, unit_table

    s = data["summary"]
    head = (f"Portofolio {data['year']}" + (f", SOP {data['sop']}" if data["sop"] else "")
            + (f", tenggat {data['deadline']:%d-%m-%Y}" if data["deadline"] else "")
            + f": {s['units']} unit, {s['not_started']} belum mulai, {s['active']} berjalan ({s['late']} terlambat), "
            f"{s['finished']} selesai" + (f", {s['past_deadline']} lewat tenggat" if data["deadline"] else ""))
    headers, rows = unit_table(data)
    for row, unit in zip(rows, data["units"]):
        if unit["late"] or unit["meets_deadline"] is False:
            row[3] = paint(row[3], "red") if unit["late"] else row[3]
            row[7] = paint(row[7], "red") if unit["meets_deadline"] is False else row[7]
    steps_h, steps_r = step_table(data)
    lanes_h, lanes_r = lane_table(data, limit=5)
    # the tables wrap their cells to the terminal, never cutting a word; the head wraps under itself
    parts = [fit(head, 2), "", plain_table(headers, rows), "", "Per langkah (semua unit):",
             plain_table(steps_h, steps_r, frozenset({1, 4, 5, 6, 7, 8})), "",
             "Pelaksana tempat pelaksanaan paling lama menunggu:", plain_table(lanes_h, lanes_r, frozenset({1, 2, 3, 4}))]
    if data["services"]:
        services_h, services_r = service_table(data)
        parts += ["", f"Layanan per unit (perkara yang diterima pada {data['year']}):",
                  plain_table(services_h, services_r, frozenset({2, 3, 4, 5, 6, 7}))]
    return "\n".join(parts) + "\n"


def _csv(headers: list[str], rows: list[list[object]]) -> str:
    import csv

    from sop_cli.render.cells import csv_field

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([csv_field(value) for value in row] for row in rows)
    return buffer.getvalue()


def _portfolio_csv(data: PortfolioData) -> str:
    """One row per unit and SOP (the per-step numbers are in json, html and xlsx)."""
    from sop_cli.render.portfolio import PORTFOLIO_CSV_COLUMNS, unit_state
    from sop_cli.render.report import csv_header

    rows: list[list[object]] = [
        [u["org_id"], u["org_name"], u["sop"], u["run"] or "", unit_state(u),
         u["current_step"] or "",
         u["current_kegiatan"] or "", u["progress"]["done"], u["progress"]["total"], u["late"], u["late_minutes"],
         u["forecast_end"].isoformat() if u["forecast_end"] else "",
         "" if u["meets_deadline"] is None else u["meets_deadline"],
         "" if u["days_past_deadline"] is None else u["days_past_deadline"]]
        for u in data["units"]
    ]
    return _csv(csv_header(PORTFOLIO_CSV_COLUMNS), rows)


def _evaluasi_table(data: EvaluasiData) -> str:
    from sop_cli.cli.output import fit, paint, plain_table
    from sop_cli.render.portfolio import evaluasi_table

    headers, rows = evaluasi_table(data)
    for row, step in zip(rows, data["steps"]):
        if step["missed_in_most"]:
            row[7] = paint(row[7], "red")
    missed = [str(s["step"]) for s in data["steps"] if s["missed_in_most"]]
    lines = [fit(f"Evaluasi SOP {data['nama']} ({data['sop']}), {data['organisasi']}", 2),
             f"{data['runs']} pelaksanaan, {data['finished']} selesai", "",
             plain_table(headers, rows, frozenset({0, 3, 4, 5, 6})), "",
             fit(f"Mutu baku terlewati pada sebagian besar pelaksanaan: langkah {', '.join(missed)}. Usulan: persentil "
                 "ke-80 waktu nyata, dibulatkan ke atas." if missed else "Mutu baku terpenuhi pada sebagian besar pelaksanaan.",
                 2)]
    return "\n".join(lines) + "\n"


def _evaluasi_csv(data: EvaluasiData) -> str:
    from sop_cli.render.portfolio import EVALUASI_CSV_COLUMNS
    from sop_cli.render.report import csv_header

    rows: list[list[object]] = [[("" if r[h] is None else r[h]) for h in EVALUASI_CSV_COLUMNS]  # type: ignore[literal-required]
                                for r in data["steps"]]
    return _csv(csv_header(EVALUASI_CSV_COLUMNS), rows)
