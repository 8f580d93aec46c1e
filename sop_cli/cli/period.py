"""`sop report --sop SOP --bulan YYYY-MM` (or --kuartal, --year, --dari/--sampai): a service SOP
over a period, in the report's formats; `--monitoring` gives the monitoring form over the period."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from sop_cli.i18n import _

if TYPE_CHECKING:
    from sop_cli.run.period_report import PeriodReportData
    from sop_cli.run.periods import Period


def report_period(*, sop: str, period: Period | None, org: str | None, fmt: str | None, out: Path | None,
                  monitoring: bool, store: str | None) -> None:
    """The period report (this month unless a period is given), printed or written to `out`."""
    from sop_cli.cli.output import choose_format, emit, to_json
    from sop_cli.cli.parse import now
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.render.organisation import find_organisation
    from sop_cli.run import periods
    from sop_cli.run.period_report import period_report

    moment = now()
    if period is None:
        period = periods.month(moment.year, moment.month)
    chosen = choose_format(fmt, out, ("table", "html", "pdf", "xlsx", "csv", "json"), "table")
    entry = load_catalog().resolve(sop, org)
    organisation = find_organisation(entry.path.parent)  # the office's tolerance for the monitoring form
    data = period_report(entry, period, now=moment, store=store,
                         office_toleransi=organisation.toleransi if organisation else None)
    text: str | bytes
    if chosen == "json":
        text = to_json(data)
    elif chosen == "csv":
        text = period_csv(data, monitoring, excel=out is not None)
    elif chosen == "table":
        text = period_table(data, monitoring)
    else:
        from sop_cli.render.period import period_document

        text = period_document(data, "monitoring" if monitoring else "report", chosen)
    emit(text, out)


def _time(minutes: int | None, day_minutes: int) -> str:
    from sop_cli.worktime import format_minutes

    return "-" if minutes is None else format_minutes(minutes, day_minutes)


def period_table(data: PeriodReportData, monitoring: bool) -> str:
    """The report as the terminal shows it: the counts, the times, the steps, the lanes."""
    from sop_cli.cli.output import fit, plain_table

    day = data["day_minutes"]
    sop = data["sop"]
    head = [f"{sop['nama']} — {data['period']['label']}",
            f"{sop['organisasi']}, {sop['pemerintah']} ({sop['id']})", ""]
    if monitoring:
        tolerance = data["toleransi"]["text"] if data["toleransi"] else None
        rows = [[str(r["step"]), r["kegiatan"], _judgement(r["baik"]), _step_note(r, day, tolerance)]
                for r in data["steps"]]
        from sop_cli.render.report import toleransi_text

        rule = fit(f"Toleransi: {toleransi_text(data['toleransi'])}", 4)  # the form's words, as its Metode line
        return "\n".join([*head[:-1], rule, "", plain_table(["No", _("Procedure"), _("Assessment"), _("Notes")], rows,
                                                           frozenset({0}), keep=frozenset({0})), ""])
    within = (_("{count} of {of} ({percent}%)").format(count=data["within"], of=data["ended"],
                                                       percent=data["within_percent"])
              if data["within_percent"] is not None else _("no case ended in the period"))
    summary = [
        (_("Received"), str(data["received"])),
        (_("Finished"), str(data["finished"])),
        (_("Refused"), _("{count} (ditolak: refused or returned at a decision)").format(count=data["refused"])),
        (_("Cancelled"), str(data["cancelled"])),
        (_("Still open"), _("{count} at the end of the period").format(count=data["open"])),
        (_("Within Mutu Baku"), within + (_("; promised {time} of office time").format(
            time=_time(data["promised_minutes"], day)) if data["promised_minutes"] is not None else "")),
        (_("Working time"), _("median {median}, p90 {p90} (office time per case)").format(
            median=_time(data["median_minutes"], day), p90=_time(data["p90_minutes"], day))),
    ]
    label = max(len(name) for name, _value in summary) + 2
    lines = [*head, *(fit(f"{name:<{label}}{value}", label) for name, value in summary), ""]
    steps = [[str(r["step"]), r["kegiatan"], ", ".join(r["pelaksana"]), r["waktu"], str(r["passes"]), str(r["late"]),
              _time(r["median_minutes"], day), _time(r["p90_minutes"], day)] for r in data["steps"]]
    lines.append(plain_table(["No", _("Activity"), _("Lane"), _("Standard"), _("Passes"), _("Late"), _("Median"),
                              "P90"], steps, frozenset({0, 4, 5}), keep=frozenset({0, 4, 5})))
    if data["lanes"]:
        lines += ["", _("Where cases wait (working time by lane; outside the office apart):")]
        lanes = [[r["nama"] + (" " + _("(outside)") if r["external"] else ""), str(r["passes"]),
                  _time(r["total_minutes"], day), f"{r['share_percent']}%" if r["share_percent"] is not None else "-",
                  _time(r["median_minutes"], day)] for r in data["lanes"]]
        lines.append(plain_table([_("Lane"), _("Passes"), _("Total"), _("Share"), _("Median")], lanes,
                                 frozenset({1, 3}), keep=frozenset({1, 3})))
    return "\n".join(lines) + "\n"


def _judgement(baik: bool | None) -> str:
    if baik is None:
        return "-"
    return "berjalan dengan baik" if baik else "tidak berjalan dengan baik"


def _step_note(row: object, day: int, toleransi: str | None) -> str:
    from typing import cast

    from sop_cli.run.period_report import PeriodStepRow

    r = cast("PeriodStepRow", row)
    if not r["passes"]:
        return "tidak ada pelaksanaan dalam periode"
    over = r["baik"] and (r["p90_minutes"] or 0) > (r["standard_minutes"] or 0)
    return (f"{r['passes']} kali dilalui, {r['late']} terlambat; median {_time(r['median_minutes'], day)}, "
            f"p90 {_time(r['p90_minutes'], day)} (mutu baku {r['waktu']})"
            + (f"; melewati mutu baku, masih dalam toleransi {toleransi}" if over else ""))


def period_csv(data: PeriodReportData, monitoring: bool, *, excel: bool) -> str:
    """CSV as Excel set to Indonesian opens it (`;`): the figures as name;value rows, a blank row,
    then one row per step (with --out: a UTF-8 BOM and CR LF, as the run report)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n" if excel else "\n")
    day = data["day_minutes"]
    writer.writerow(["sop", data["sop"]["id"]])
    writer.writerow(["periode", data["period"]["label"]])
    writer.writerow(["dari", data["period"]["first"].strftime("%d/%m/%Y")])
    writer.writerow(["sampai", data["period"]["last"].strftime("%d/%m/%Y")])
    if not monitoring:
        for key in ("received", "finished", "refused", "cancelled", "open", "ended", "within", "within_percent",
                    "promised_minutes", "median_minutes", "p90_minutes"):
            writer.writerow([_CSV_NAMES[key], "" if data[key] is None else data[key]])
    writer.writerow([])
    if monitoring:
        writer.writerow(["no", "prosedur", "penilaian", "catatan"])
        for r in data["steps"]:
            writer.writerow([r["step"], r["kegiatan"], _judgement(r["baik"]),
                             _step_note(r, day, data["toleransi"]["text"] if data["toleransi"] else None)])
    else:
        writer.writerow(["langkah", "kegiatan", "pelaksana", "waktu_baku", "dilalui", "terlambat", "median_menit",
                         "p90_menit"])
        for r in data["steps"]:
            writer.writerow([r["step"], r["kegiatan"], ", ".join(r["pelaksana"]), r["waktu"], r["passes"], r["late"],
                             "" if r["median_minutes"] is None else r["median_minutes"],
                             "" if r["p90_minutes"] is None else r["p90_minutes"]])
    return ("\ufeff" if excel else "") + buffer.getvalue()


_CSV_NAMES = {"received": "diterima", "finished": "selesai", "refused": "ditolak", "cancelled": "dibatalkan",
              "open": "masih_berjalan", "ended": "berakhir", "within": "dalam_mutu_baku",
              "within_percent": "persen_dalam_mutu_baku", "promised_minutes": "waktu_dijanjikan_menit",
              "median_minutes": "median_menit", "p90_minutes": "p90_menit"}
