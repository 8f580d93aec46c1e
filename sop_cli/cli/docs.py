"""Commands about documents: `sop render` (the SOP document, a run's letters) and `sop report`.

Each command parses its options, calls `sop_cli.render` (which imports jinja2 only when a
template is rendered; `report --format json|csv|table` never does), and prints or writes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from sop_cli.cli import app, complete, periods
from sop_cli.cli.options import ORG, RUN, STORE
from sop_cli.cli.output import choose_format, emit, print_json, shown
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.render.report import MonitoringData, ReportData
    from sop_cli.run.engine import RunState
OUT = typer.Option(None, "--out", metavar=N_("FILE"), help=N_("Write to FILE instead of printing (the format follows its suffix unless --format says)."))


@app.command("render", help=N_("Render a document: `sop render sop SOP` (the SOP AP document), `sop render undangan --run RUN` (a step's letter), `sop render --list` (the document types)."))
def render_command(
    doc: str | None = typer.Argument(
        None, metavar=N_("DOC"), help=N_("sop, disposisi, format-data, undangan, pengantar, persetujuan, or an SOP's own type (see --list)."),
        autocompletion=complete.document_types),
    sop: str | None = typer.Argument(None, metavar="SOP", help=N_("With DOC=sop: the SOP id, e.g. renja or nganjuk/kecamatan-ngronggot/renja."),
                                        autocompletion=complete.sop_ids),
    run: str | None = RUN,
    step: int | None = typer.Option(None, "--step", "-s", metavar="N", help=N_("The step whose document it is (default: the step it belongs to); refused for a step that does not output it."),
                                    autocompletion=complete.document_steps),
    fmt: str | None = typer.Option(None, "--format", "-f", metavar="html|md|docx|pdf|xlsx|bpmn", help=N_("Output format (default: from the suffix of --out, else html). docx, pdf and xlsx need --out.")),
    out: Path | None = OUT,
    sets: list[str] | None = typer.Option(None, "--set", metavar=N_("KEY=VALUE"), help=N_("A value only a person knows, e.g. --set rapat.tempat='Aula'. Repeatable; an unknown key is an error.")),
    values: Path | None = typer.Option(None, "--values", metavar=N_("FILE"), help=N_("A YAML file of values (--set wins over it).")),
    attach: bool = typer.Option(False, "--attach", help=N_("Keep the rendered document with the run (its SHA-256 goes in the log).")),
    catatan: bool = typer.Option(False, "--catatan", help=N_("With DOC=sop: the review view, with the working notes (inferred lanes and their grounds, the source).")),
    list_types: bool = typer.Option(False, "--list", help=N_("List every document type with its steps and every value it takes.")),
    org: str | None = ORG,
    store: str | None = STORE,
    as_json: bool = typer.Option(False, "--json", help=N_("With --list: print the list as JSON.")),
) -> None:
    from sop_cli.errors import UsageError

    if list_types:
        _list(doc, sop, run, org, store, as_json)
        return
    if doc is None:
        raise UsageError(_("Say which document: `sop render sop SOP`, `sop render DOC --run RUN`; `sop render --list` lists them."))
    allowed = ("html", "md", "docx", "pdf", "bpmn") if doc == "sop" else ("html", "md", "docx", "pdf", "xlsx")
    fmt = choose_format(fmt, out, allowed, "html")
    if catatan and doc != "sop":
        raise UsageError(_("--catatan is the review view of the SOP document: `sop render sop SOP --catatan`."))
    state = None
    text: str | bytes
    said: list[str] = []
    if doc == "sop":
        from sop_cli.render.documents import render_sop

        folder: Path | None

        if sop:
            from sop_cli.definition.catalog import load_catalog

            entry = load_catalog().resolve(sop, org)
            definition, folder = entry.sop, entry.path.parent
        elif run:
            from sop_cli.run.service import load_run

            state = load_run(run, store=store)
            definition = state.sop
            folder = Path(state.source_path).parent if state.source_path else None
        else:
            raise UsageError(_("`sop render sop` needs the SOP, e.g. `sop render sop renja --org ngronggot` (or --run RUN)."))
        text = render_sop(definition, fmt, sop_dir=folder, catatan=catatan, warnings=said)
    else:
        if sop:
            raise UsageError(_("`sop render {doc}` is a document of a run: give --run RUN, not an SOP ({sop!r}).").format(
                doc=doc, sop=sop))
        from sop_cli.cli.parse import now, parse_settings
        from sop_cli.render.documents import read_values, render_run_document
        from sop_cli.run.service import load_run

        pairs = parse_settings(sets or [])
        given = read_values(values, pairs, doc)
        state = load_run(run, store=store)
        text = render_run_document(doc, state, step=step, fmt=fmt, values=given, set_keys=[key for key, _ in pairs],
                                   now=now(), warnings=said)
    if attach:
        if state is None:
            raise UsageError(_("--attach keeps the document with a run: give --run RUN."))
        _attach(text, doc, fmt, out, state, step, store, given.get("nomor") if doc != "sop" else None)
    else:
        emit(text, out)
    _warn(said)  # once the document is out: a refused --out says only why


def _warn(warnings: list[str]) -> None:
    from sop_cli.render.organisation import Notice

    for warning in warnings:
        if isinstance(warning, Notice):
            sys.stderr.write(_("Note: {message}").format(message=shown(warning)) + "\n")
        else:
            sys.stderr.write(_("Warning: {message}").format(message=shown(warning)) + "\n")


def _attach(text: str | bytes, doc: str, fmt: str, out: Path | None, state: RunState, step: int | None,
            store: str | None, nomor: Any = None) -> None:
    import tempfile

    from sop_cli.cli.parse import session
    from sop_cli.paths import store_path
    from sop_cli.run.service import add_note

    if out is not None:
        emit(text, out)
        path = out
        folder = None
    else:
        folder = tempfile.TemporaryDirectory(prefix="sop-render-")
        path = Path(folder.name) / f"{doc.removesuffix('.' + fmt)}-{state.run_id}.{fmt}"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    try:
        from sop_cli.render.documents import attach_note

        view = add_note(session(store), state.run_id, text=attach_note(doc, step, nomor), attach=[path])
    finally:
        if folder is not None:
            folder.cleanup()
    for item in view["recorded"].get("attachments", []):
        if item.get("path"):
            print(_("Attached {name} to run {run} (sha256 {sha}, {size} bytes, kept at {path})").format(
                name=item["name"], run=view["run"], sha=item["sha256"], size=item["size"],
                path=store_path(store).parent / item["path"]))
        else:
            print(_("Attached {name} to run {run} (sha256 {sha}, {size} bytes)").format(
                name=item["name"], run=view["run"], sha=item["sha256"], size=item["size"]))


def _list(doc: str | None, sop: str | None, run: str | None, org: str | None, store: str | None, as_json: bool) -> None:
    from sop_cli.render.documents import document_rows

    name = sop or (doc if doc and doc != "sop" else None)
    if run:
        from sop_cli.run.service import load_run

        state = load_run(run, store=store)
        sops = [(state.sop, Path(state.source_path).parent if state.source_path else None)]
    else:
        from sop_cli.definition.catalog import load_catalog

        catalog = load_catalog()
        entries = [catalog.resolve(name, org)] if name else list(catalog.entries)
        sops = [(e.sop, e.path.parent) for e in entries]
    rows = document_rows(sops)
    if as_json:
        print_json(rows)
        return
    _print_document_list(rows)


_VALUE_KINDS = {"text": N_("text"), "date": N_("date"), "number": N_("number"), "list": N_("list"),
                "person": N_("person")}
"""What a document value holds (`render.doctypes.KINDS`), as `render --list` names it."""


def _print_document_list(rows: list[dict[str, Any]]) -> None:
    """`sop render --list`: each type, its signer and steps, its values; wrapped at words to the
    terminal, continuation lines under the text they continue."""
    from sop_cli.cli.output import terminal_width, wrap_words

    columns = terminal_width()

    def say(indent: int, text: str, hang: int = 0) -> None:
        first, *rest = wrap_words(shown(text), max(columns - indent, 20))
        print(" " * indent + first)
        for line in wrap_words(" ".join(rest), max(columns - indent - hang, 20)) if rest else []:
            print(" " * (indent + hang) + line)

    width = max(len(r["type"]) for r in rows)
    inner = min(width + 4, 16)
    required, optional = _("required"), _("optional")
    mark_width = max(len(required), len(optional))
    for row in rows:
        say(0, f"{row['type']:<{width}}  {row['judul']}  [{', '.join(row['formats'])}]", width + 2)
        if row["type"] == "sop":
            say(inner, "sop render sop SOP [--format html|md|docx|pdf] [--catatan]", 2)
            continue
        signer = {"pimpinan": "pimpinan", "an-pimpinan": "a.n. pimpinan (Sekretaris)", "pelaksana": "pelaksana langkah"}
        say(inner, _("signed by: {signer}; run states: {states}; from: {since}").format(
            signer=signer.get(row["penandatangan"], row["penandatangan"]), states=", ".join(row["keadaan"]),
            since=row["sejak"]), 2)
        for step in row["steps"]:
            say(inner, _("{sop} step {step}: {kegiatan}").format(**step), 2)
        if not row["steps"]:
            say(inner, _("(no step outputs it)"))
        for v in row["values"]:
            mark = required if v["wajib"] else optional
            kind = _(_VALUE_KINDS[v["jenis"]]) if v["jenis"] in _VALUE_KINDS else v["jenis"]
            example = " " + _("(e.g. {example})").format(example=v["contoh"]) if v["contoh"] else ""
            say(inner, f"{mark:<{mark_width}} {v['key']} [{kind}]: {v['arti']}{example}", mark_width + 1)


@app.command("report", help=N_("Report on a run: per step the lane, person, status, standard and actual time, difference, lateness and rework; the summary (progress, share within Mutu Baku, rework time, forecast end). With --portfolio, on every unit of the store; with --evaluasi SOP, on all runs of an SOP."))
def report_command(
    run: str | None = RUN,
    fmt: str | None = typer.Option(None, "--format", "-f", metavar="table|md|html|json|csv|xlsx|pdf", help=N_("Output format (default: from the suffix of --out, else table). xlsx and pdf need --out.")),
    out: Path | None = OUT,
    monitoring: bool = typer.Option(False, "--monitoring", help=N_("The monitoring form of Permenpan RB 35/2012 (No, Prosedur, Penilaian, Catatan, Tindakan, Paraf).")),
    portfolio: bool = typer.Option(False, "--portfolio", help=N_("BAPPEDA's view of every unit: progress, lateness and forecast end per unit; times per step; lanes where runs wait (formats table|html|xlsx|csv|json).")),
    evaluasi: str | None = typer.Option(None, "--evaluasi", metavar="SOP", help=N_("Evaluate an SOP from all its runs: standard against real time per step, and a proposed Mutu Baku where most runs miss it.")),
    deadline: str | None = typer.Option(None, "--deadline", metavar=N_("DATE"), help=N_("With --portfolio: the Kabupaten's deadline (YYYY-MM-DD) each unit's forecast end is held against.")),
    year: int | None = typer.Option(None, "--year", "-y", metavar=N_("YEAR"), help=N_("With --portfolio: the cycle (default: the year being planned, next year, as for sop start).")),
    sop: str | None = typer.Option(None, "--sop", metavar="SOP", help=N_("With --portfolio: only this SOP (renja, or a full id).")),
    org: str | None = typer.Option(None, "--org", "-o", metavar=N_("ORG"), help=N_("With --portfolio or --evaluasi: only this organisation.")),
    bulan: str | None = periods.BULAN,
    kuartal: str | None = periods.KUARTAL,
    dari: str | None = periods.DARI,
    sampai: str | None = periods.SAMPAI,
    store: str | None = STORE,
) -> None:
    from sop_cli.cli.output import to_json
    from sop_cli.cli.parse import now
    from sop_cli.errors import UsageError
    from sop_cli.render.report import monitoring_data, report_data
    from sop_cli.run.service import load_run

    period = periods.parse_period(bulan=bulan, kuartal=kuartal, dari=dari, sampai=sampai,
                                  year=year if sop and not portfolio else None)
    if sop and not portfolio and evaluasi is None:
        from sop_cli.cli.period import report_period

        if run or deadline:
            raise UsageError(_("--run and --deadline do not go with a period report (--sop with --bulan, --kuartal, "
                               "--year or --dari/--sampai)."))
        report_period(sop=sop, period=period, org=org, fmt=fmt, out=out, monitoring=monitoring, store=store)
        return
    if period is not None:
        raise UsageError(_("--bulan, --kuartal and --dari/--sampai go with --sop: the cases of a service SOP over a "
                           "period."))
    if portfolio or evaluasi is not None:
        from sop_cli.cli.portfolio import report_many

        report_many(portfolio=portfolio, evaluasi=evaluasi, fmt=fmt, out=out, deadline=deadline, year=year, sop=sop,
                    org=org, run=run, monitoring=monitoring, store=store)
        return
    if deadline or year or sop or org:
        raise UsageError(_("--deadline, --year, --sop and --org go with --portfolio (or --org with --evaluasi)."))

    fmt = choose_format(fmt, out, ("table", "md", "html", "json", "csv", "xlsx", "pdf"), "table")
    from sop_cli.render.organisation import run_organisation

    state = load_run(run, store=store)
    moment = now()
    organisation = run_organisation(state)  # names nobody was assigned for; the office's tolerance
    data = monitoring_data(state, moment, organisation) if monitoring else report_data(state, moment, organisation)
    text: str | bytes
    said: list[str] = []
    if fmt == "json":
        text = to_json(data)
    elif fmt == "csv":
        text = _csv(data, monitoring, excel=out is not None)
    elif fmt == "table":
        text = _table(data, monitoring)
    else:
        from sop_cli.render.documents import render_report

        text = render_report(state, data, "monitoring" if monitoring else "report", fmt, said)
    emit(text, out)
    _warn(said)  # once the report is out: a refused --out says only why


def _csv(data: ReportData | MonitoringData, monitoring: bool, *, excel: bool) -> str:
    """CSV that Excel set to Indonesian opens as columns: `;` between fields, times as
    `dd/mm/yyyy hh:mm` (the view's local time), booleans as ya/tidak, lists joined with ", ".
    A CSV is read by people: its header and the status of each pass are in the interface language
    ("selesai", "ditolak", "berjalan"; "done", "rejected", "current" with SOP_LANG=en); the JSON
    keeps the keys (`status`) and the Indonesian `status_word`.

    With `excel` (a file written with --out) it also starts with a UTF-8 BOM and ends lines with
    CR LF, which Excel needs to read UTF-8; on stdout, which the terminal guard sanitises (a BOM
    and CR are control characters there), lines end with LF and there is no BOM."""
    import csv

    from sop_cli.render.report import CSV_COLUMNS, MONITORING_CSV_COLUMNS, csv_header, status_label

    buffer = io.StringIO()
    columns = MONITORING_CSV_COLUMNS if monitoring else CSV_COLUMNS
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n" if excel else "\n",
                            delimiter=";")
    writer.writerow(dict(zip(columns, csv_header(columns))))  # the column names in the interface language
    for row in data["rows"]:
        values = {k: _csv_value(v) for k, v in row.items()}
        if not monitoring:
            values["status"] = status_label(row)  # type: ignore[arg-type]
        writer.writerow(values)
    return ("\ufeff" if excel else "") + buffer.getvalue()


def _csv_value(value: object) -> object:
    """One CSV field: the typed views hold real datetimes, so text shaped like a time stays text;
    text shaped like a formula is neutralised (`sop_cli.render.cells`)."""
    from datetime import datetime

    from sop_cli.render.cells import csv_field

    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return csv_field(", ".join(str(v) for v in value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return csv_field(value)


def _table(data: ReportData | MonitoringData, monitoring: bool) -> str:
    from sop_cli.cli.output import fit, paint, plain_table
    from sop_cli.render.report import report_table, summary_lines, toleransi_text
    from sop_cli.run.views import status_word as run_status_label

    untuk = f"  ({_('for {name}').format(name=data['untuk'])})" if data.get("untuk") else ""
    head = [f"{data['run']}  {data['title']}  ({run_status_label(data['status'])}){untuk}",
            f"{data['sop']['nama']}, {data['sop']['organisasi']}, {data['sop']['pemerintah']}"]
    if monitoring:
        form = cast("MonitoringData", data)
        rows = [[str(r["no"]), r["prosedur"], r["penilaian"] or "-", r["catatan"], r["tindakan"]] for r in form["rows"]]
        body = plain_table(["No", "Prosedur", "Penilaian", "Catatan", "Tindakan"], rows, frozenset({0}),
                           keep=frozenset({0}))
        rule = f"Toleransi: {toleransi_text(form['toleransi'])}"  # the form's words, as its Metode line
        return "\n".join([*head, "Monitoring pelaksanaan SOP AP", fit(rule, 4), "", body, ""])
    report = cast("ReportData", data)
    headers, rows = report_table(report)
    for row, r in zip(rows, report["rows"]):
        if r["late"]:
            row[8] = paint(row[8], "red")
    body = plain_table(headers, rows, frozenset({0}), keep=frozenset({0}), last=frozenset({5, 6, 7}))
    summary = summary_lines(report)
    label = max(len(name) for name, _ in summary) + 2
    lines = [*head, "", body, "", *(f"{name:<{label}}{text}" for name, text in summary)]
    # the summary lines wrap under their values; the table fits itself
    return "\n".join(line if line is body or not line else fit(line, label) for line in lines) + "\n"
