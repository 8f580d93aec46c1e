"""Entry points: the SOP document, the documents a run's steps output, and the list of types.

Document types are data (`sop_cli.render.doctypes`): a template plus a YAML manifest beside it;
the five shipped ones (`disposisi`, `format-data`, `undangan`, `persetujuan`, `pengantar`) live
in `templates/`, an SOP's own in `dokumen/` beside its YAML file. Who signs comes from the
organisation's register of officials (`sop_cli.render.organisation`), never from `--set`.

What only a person knows (letter numbers, meeting place and time, the incoming letter a
disposisi answers) comes as `values`: a mapping read from `--values FILE` (YAML) and
`--set key=value` (dotted keys nest: `rapat.tempat=Aula`; list values in --set are separated by
`;`). A mapping under a document's name (`undangan: {nomor: ...}`) holds values for that document
only, over the shared ones, so one file can serve every letter of a run. Every missing value is
reported at once; every value is type-checked; an unknown `--set` key is an error listing the
known ones. Templates see them as `nilai`, defaults filled in.

Formats: `html` and `md` are text; `docx`, `pdf` and `xlsx` are bytes, built by
`sop_cli.render.office` (python-docx, WeasyPrint, openpyxl, each imported only when used).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import NotFoundError, StateError, UsageError
from sop_cli.i18n import _, ngettext
from sop_cli.store.interface import EventKind

if TYPE_CHECKING:
    from sop_cli.definition.model import Langkah, SopDefinition
    from sop_cli.render.doctypes import DocType
    from sop_cli.render.report import MonitoringData, ReportData
    from sop_cli.run.engine import RunState

FORMATS = ("html", "md", "docx", "pdf", "xlsx")
TEXT_FORMATS = ("html", "md")
SUFFIXES = {"html": "html", "htm": "html", "md": "md", "markdown": "md", "docx": "docx", "pdf": "pdf",
            "xlsx": "xlsx", "csv": "csv", "json": "json", "txt": "table", "bpmn": "bpmn"}


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    """The format, lower-cased, or a UsageError naming the ones there are."""
    fmt = fmt.lower()
    if fmt not in allowed:
        raise UsageError(_("Unknown format {format!r}; use one of: {formats}.").format(
            format=fmt, formats=", ".join(allowed)))
    return fmt


def format_from_suffix(path: Path, allowed: Sequence[str]) -> str:
    """The format an output file asks for by its suffix; an unknown suffix is a UsageError."""
    suffix = path.suffix.lower().lstrip(".")
    fmt = SUFFIXES.get(suffix)
    if fmt is None or fmt not in allowed:
        names = sorted({s for s, f in SUFFIXES.items() if f in allowed})
        suffixes = ", ".join("." + n for n in names)
        suffix = path.suffix or _("(none)")
        raise UsageError(_("{path}: the suffix {suffix!r} names no format this command writes; use one of: "
                           "{suffixes}.").format(path=path, suffix=suffix, suffixes=suffixes),
                         option="out", code="out_suffix", details={"path": str(path), "suffix": suffix, "suffixes": suffixes})
    return fmt


# The SOP document -----------------------------------------------------------------------------


def render_sop(sop: SopDefinition, fmt: str = "html", *, sop_dir: Path | None = None, catatan: bool = False,
               warnings: list[str] | None = None) -> str | bytes:
    """The SOP AP document of `sop` (a SopDefinition) as HTML, Markdown, .docx or PDF, or its
    process as BPMN 2.0 XML (`sop_cli.render.bpmn`).

    Args:
        sop: The definition.
        fmt: html, md, docx, pdf or bpmn.
        sop_dir: The folder of its YAML file (for the organisation file's kop).
        catatan: The review view: inferred lanes marked `*` with their grounds, and the source.
        warnings: If given, collects what a PDF left out.
    """
    fmt = check_format(fmt, ("html", "md", "docx", "pdf", "bpmn"))
    if fmt == "bpmn":
        from sop_cli.render.bpmn import bpmn_xml

        return bpmn_xml(sop)
    from sop_cli.render.context import sop_context
    from sop_cli.render.env import render
    from sop_cli.render.organisation import apply_kop, find_organisation, lambang_missing, pengesah_filled

    ctx = sop_context(sop, html=fmt in ("html", "pdf", "docx"))  # the docx draws the same rows as shapes
    organisation = find_organisation(sop_dir)
    apply_kop(ctx["org"], organisation)
    ctx["pengesah"] = pengesah_filled(ctx["pengesah"], sop.disahkan_oleh.jabatan, organisation)
    _say(warnings, lambang_missing(sop, organisation))
    ctx["catatan"] = catatan
    ctx["office"] = fmt == "docx"
    ctx["cetak"] = fmt == "pdf"
    if fmt != "md":
        # one layout (row heights, page breaks, off-page connectors) for the PDF, Word and the HTML,
        # so that a browser prints the HTML on the PDF's pages; a browser stretches the rows' SVGs
        # over their cells itself, WeasyPrint and Word are given them in pixels
        _fix_rows(ctx, pixels=fmt != "html")
    if fmt == "md":
        return render("sop.md", ctx)
    html = render("sop.html", ctx)
    return _office(html, fmt, landscape=True, folder=sop_dir, warnings=warnings,
                   properties={"author": ctx["org"]["nama"], "title": sop.judul or f"SOP {sop.nama}"})


# The flowchart table on A4 landscape with 15 + 12 mm margins: 270 mm = 1020 CSS px; the lanes take
# 40 % of it, the text columns the shares of `sop.html`'s colgroup; 9 pt Arial is ~5.6 px a character.
_PRINT_PX = 1020.0
_TEXT_COLUMNS = {"kegiatan": 0.19, "kelengkapan": 0.10, "waktu": 0.065, "output": 0.10, "keterangan": 0.11}


def _fix_rows(ctx: dict[str, Any], *, pixels: bool = True) -> None:
    """Give each flowchart row a fixed height that its texts fit in and break the table into
    pages; with `pixels`, draw each row's SVG in pixels of its box (see `flowchart.fixed_svg`)."""
    from markupsafe import Markup

    from sop_cli.render.flowchart import fixed_svg

    width = _PRINT_PX * 0.40
    crossing: list[list[float]] = []
    svgs: list[str] = []  # the rows as drawn in shares of the width, before fixing
    for step in ctx["steps"]:
        # shares of the width where a line crosses the row's bottom (arrows to later rows, and
        # rejection loops climbing back into this row or above it)
        crossing.append(sorted({float(m.group(1)) / 100 for m in re.finditer(
            r'<line x1="([\d.]+)%" y1="([^"]*)" x2="\1%" y2="([^"]*)" class="flow"', str(step["svg"]))
            if "100%" in (m.group(2), m.group(3))}))
        lines = 0
        for key, share in _TEXT_COLUMNS.items():
            text = str(step.get(key) or "")
            extra = 1 if key == "kegiatan" and step["simbol"] == "keputusan" else 0
            if key == "kegiatan" and ctx.get("catatan") and step.get("inferensi"):
                extra += _wrapped(f"* lajur hasil inferensi: {step.get('dasar_inferensi') or ''}", share)
            if key == "kegiatan" and step.get("paralel"):
                together = " dan ".join(str(no) for no in step["paralel"])
                extra += _wrapped(f"Bersamaan: langkah {together}; langkah berikutnya menunggu semuanya", share)
            if key == "keterangan" and step.get("sub_sop"):
                extra += _wrapped(f"Sub-SOP: {step['sub_sop']}", share)
            lines = max(lines, _wrapped(text, share) + extra)
        height = max(74.0, lines * 14.5 + 10)
        step["tinggi"] = height
        svgs.append(str(step["svg"]))
        if pixels:
            step["svg"] = Markup(fixed_svg(str(step["svg"]), width, height))
    _page_breaks(ctx, crossing, svgs, width)


# Room for the flowchart rows on a page, in CSS px: 186 mm of A4 landscape less the repeated
# header (and, on its first page, the title); kept short of the real room so a row never moves.
_FIRST_PAGE_PX, _PAGE_PX, _CONNECTOR_PX = 600.0, 630.0, 44.0


def _page_breaks(ctx: dict[str, Any], crossing: list[list[float]], svgs: list[str], width: float) -> None:
    """Break the flowchart between steps the SOP AP way: the last row on a page is followed by an
    off-page connector (segi lima) for every line that goes on, naming the step it leads to, and
    the next page starts with its twin. Steps done at the same time stay on one page with the step
    that splits them and the step that joins them, unless they fill more than a page."""
    from markupsafe import Markup

    steps = ctx["steps"]
    ctx["sambung_tinggi"] = _CONNECTOR_PX
    ctx["ada_sambungan"] = False
    breaks: list[int] = []
    room, used = _FIRST_PAGE_PX, 0.0
    for first, last in _units(steps):
        height = sum(steps[k]["tinggi"] for k in range(first, last + 1))
        need = height + (_CONNECTOR_PX if last + 1 < len(steps) else 0)
        if used and used + need > room and (first == last or _CONNECTOR_PX + need <= _PAGE_PX):
            breaks.append(first)
            room, used = _PAGE_PX, _CONNECTOR_PX
        if used + need <= room or first == last:
            used += height
            continue
        # a split and its join taller than a page: go on from here, breaking where rows no longer fit
        for k in range(first, last + 1):
            need = steps[k]["tinggi"] + (_CONNECTOR_PX if k + 1 < len(steps) else 0)
            if used and used + need > room and k > first:
                breaks.append(k)
                room, used = _PAGE_PX, _CONNECTOR_PX
            used += steps[k]["tinggi"]
    for i in breaks:
        xs = crossing[i - 1] or [0.5]
        labels = [_leads_to(steps, svgs, i, x) for x in xs]
        steps[i - 1]["sambung_akhir"] = Markup(_connector_svg(xs, width, labels, at_end=True))
        steps[i]["sambung_awal"] = Markup(_connector_svg(xs, width, labels, at_end=False))
        ctx["ada_sambungan"] = True


def _units(steps: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """The rows a page break may not split, as (first, last) indexes: a split's row through its
    join's (the row written after its last branch), nested or overlapping groups merged; every
    other row alone."""
    index = {step["no"]: i for i, step in enumerate(steps)}
    end = list(range(len(steps)))
    for i, step in enumerate(steps):
        branches = [index[b] for b in step.get("paralel") or () if b in index]
        if branches:
            end[i] = min(max(branches) + 1, len(steps) - 1)
    units: list[tuple[int, int]] = []
    i = 0
    while i < len(steps):
        last, k = end[i], i
        while k <= last:
            last = max(last, end[k])
            k += 1
        units.append((i, last))
        i = last + 1
    return units


def _leads_to(steps: list[dict[str, Any]], svgs: list[str], i: int, share: float) -> str:
    """The number of the step that the line crossing the border of rows i - 1 and i at `share` of
    the width leads to: the row below where a line going down stops, or, for a loop climbing back
    up (it starts below, at a row where it runs up to the top), the row above where it stops."""
    x = f"{share * 100:.3f}%"
    segment = re.compile(rf'<line x1="{re.escape(x)}" y1="([^"]*)" x2="{re.escape(x)}" y2="([^"]*)" class="flow"')

    def ends(svg: str) -> tuple[str, str] | None:
        found = [(m.group(1), m.group(2)) for m in segment.finditer(svg) if m.groups() != ("0", "100%")]
        return found[0] if found else None

    for k in range(i, len(steps)):
        below = ends(svgs[k])
        if below is None:
            continue
        if below[1] != "0":
            return str(steps[k]["no"])
        for j in range(i - 1, -1, -1):  # a loop going up: name the step it climbs back to
            above = ends(svgs[j])
            if above is not None and above[0] == "100%":
                return str(steps[j]["no"])
        break
    return str(steps[i]["no"])


def _connector_svg(xs: list[float], width: float, labels: list[str], *, at_end: bool) -> str:
    """A connector row: a line from the row above into a pentagon (at the end of a page), or a
    pentagon with a line on to the row below (at the start of the next), at each share in `xs`,
    each named by its label."""
    from sop_cli.render.flowchart import LABEL_FONT

    h = _CONNECTOR_PX
    parts = []
    for share, label in zip(xs, labels, strict=True):
        x = share * width
        top = 14.0 if at_end else 4.0
        pentagon = f"{x - 11:.1f},{top} {x + 11:.1f},{top} {x + 11:.1f},{top + 16} {x:.1f},{top + 25} {x - 11:.1f},{top + 16}"
        line = (f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{top}" stroke="#000" stroke-width="1.2"/>' if at_end
                else f'<line x1="{x:.1f}" y1="{top + 25}" x2="{x:.1f}" y2="{h}" stroke="#000" stroke-width="1.2"/>')
        parts.append(f'{line}<polygon points="{pentagon}" fill="#fff" stroke="#000" stroke-width="1.2"/>'
                     f'<text x="{x:.1f}" y="{top + 13}" text-anchor="middle" '
                     f'style="{LABEL_FONT}">{label}</text>')
    return (f'<svg class="flowrow sambung" xmlns="http://www.w3.org/2000/svg" width="{width:.2f}" height="{h:.2f}" '
            f'viewBox="0 0 {width:.2f} {h:.2f}" aria-hidden="true">{"".join(parts)}</svg>')


def _wrapped(text: str, share: float) -> int:
    """How many lines `text` takes in a column of `share` of the printed width (greedy wrap)."""
    per_line = max(4, int((_PRINT_PX * share - 8) / 5.6))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, 0
        used += (1 if used else 0) + len(word)
        while used > per_line:
            lines, used = lines + 1, used - per_line
    return lines


_TIME = re.compile(r"^([01]?\d|2[0-3])[.:]([0-5]\d)(\s*(WIB|WITA|WIT))?$", re.IGNORECASE)


def _check_meeting(nilai: Mapping[str, Any], tanggal: Any, warnings: list[str] | None) -> None:
    """A meeting (`rapat.tanggal`, `rapat.waktu`, `rapat.sampai`) a letter may announce: a time is
    HH.MM within a day, the meeting is not before the letter's date; a Saturday or Sunday
    meeting is warned about (offices meet on working days).

    Raises:
        UsageError: exit 2, naming the value (`--set rapat.waktu=...`) and what is wrong.
    """
    from datetime import date, datetime

    rapat = nilai.get("rapat")
    if not isinstance(rapat, Mapping):
        return
    for key in ("waktu", "sampai"):
        text = rapat.get(key)
        if not isinstance(text, str) or not text.strip() or (key == "sampai" and not text.strip()[:1].isdigit()):
            continue  # "selesai" is a lawful end
        match = _TIME.match(text.strip())
        if match is None:
            raise UsageError(_("rapat.{key}={value}: not a time of day; write hours 00-23 and minutes 00-59, e.g. "
                               "09.30.").format(key=key, value=text), option="set")
    day = rapat.get("tanggal")
    letter = tanggal.date() if isinstance(tanggal, datetime) else tanggal
    if isinstance(day, date) and isinstance(letter, date):
        if day < letter:
            raise UsageError(_("rapat.tanggal={day}: the meeting is before the letter's date ({letter}); an invitation "
                               "is sent before the meeting. Give the right rapat.tanggal, or the letter's date with "
                               "tanggal=.").format(day=day.isoformat(), letter=letter.isoformat()),
                             option="set")
        if day.weekday() >= 5 and warnings is not None:
            weekday = _("Saturday") if day.weekday() == 5 else _("Sunday")
            warnings.append(_("rapat.tanggal={day} is a {weekday}; check that the meeting is meant for a day off.")
                            .format(day=day.isoformat(), weekday=weekday))


def maker_lane(sop: SopDefinition, head_key: str) -> str:
    """The lane that makes a run's report: the one doing most of its steps, the head aside (he
    signs "Mengetahui"); the first in the SOP's order on a tie."""
    from collections import Counter

    counts = Counter(str(lane) for step in sop.langkah for lane in step.pelaksana if str(lane) != head_key)
    order = [str(lane.id) for lane in sop.pelaksana if not lane.eksternal]
    ranked = sorted((lane for lane in order if counts[lane]), key=lambda lane: (-counts[lane], order.index(lane)))
    return ranked[0] if ranked else head_key


def _say(warnings: list[str] | None, message: str | None) -> None:
    """Add `message` to `warnings` (when collected) once."""
    if warnings is not None and message and message not in warnings:
        warnings.append(message)


def _office(html: str, fmt: str, *, landscape: bool = False, folder: Path | None = None,
            warnings: list[str] | None = None, properties: dict[str, str] | None = None) -> str | bytes:
    """`html` as the office format `fmt`; a PDF reads images only from `folder` (the organisation's);
    a .docx says `properties` (author: the organisation, title) in its document properties."""
    if fmt == "html":
        return html
    if fmt == "pdf":
        from sop_cli.render.office.pdf import html_to_pdf

        return html_to_pdf(html, folder=folder, warnings=warnings)
    if fmt == "docx":
        from sop_cli.render.office.docx import html_to_docx

        said = properties or {}
        return html_to_docx(html, landscape=landscape, author=said.get("author", ""), title=said.get("title", ""))
    raise AssertionError(fmt)


# Document types -------------------------------------------------------------------------------


def _sop_dir(state: RunState) -> Path | None:
    """The folder of the SOP file the run was started from, while it still exists (for its kop)."""
    if state.source_path and Path(state.source_path).parent.is_dir():
        return Path(state.source_path).parent
    return None


def document_rows(sops: Sequence[tuple[SopDefinition, Path | None]]) -> list[dict[str, Any]]:
    """Every document type (shipped and each SOP's own) with the steps that output it per SOP, and
    every value it takes (required and optional); `sops` are (definition, folder of its file)."""
    from sop_cli.render.doctypes import describe, document_types

    rows: dict[str, dict[str, Any]] = {
        "sop": {"type": "sop", "judul": "Dokumen SOP AP (identitas, daftar, bagan alir)", "template": "sop",
                "own": False, "formats": ["html", "md", "docx", "pdf", "bpmn"], "required": [], "values": [], "steps": []},
    }
    steps: dict[str, list[dict[str, Any]]] = {}
    types: dict[str, DocType] = dict(document_types(None))
    for sop, folder in sops:
        mine = document_types(folder)
        for name, doc in mine.items():
            types.setdefault(name, doc) if not doc.own else types.__setitem__(name, doc)
            for step in sop.langkah:
                if doc.belongs_to(step):
                    steps.setdefault(name, []).append({"sop": sop.qualified_id, "step": step.no, "kegiatan": step.kegiatan})
    for name, doc in types.items():
        row = describe(doc, steps.get(name, []))
        made_from_html = ["docx", "pdf"] if "html" in row["formats"] else []  # both are made from the HTML
        row["formats"] = [*row["formats"], *made_from_html, *(["xlsx"] if name == "format-data" else [])]
        rows[name] = row
    return list(rows.values())


# Values ---------------------------------------------------------------------------------------


def read_values(
    values_file: Path | None, settings: Sequence[tuple[str, str]], doc: str | None = None,
) -> dict[str, Any]:
    """The values from a YAML file (a mapping) overlaid with (dotted key, value) `settings`
    (`sop_cli.cli.parse.parse_settings` reads them from `--set`); with `doc`, the file's `doc:`
    section goes over its shared values before the settings apply."""
    values: dict[str, Any] = {}
    if values_file is not None:
        import os

        from sop_cli.definition.yamlfile import read_yaml
        from sop_cli.errors import DefinitionError

        if not os.path.lexists(values_file):  # a folder or FIFO: read_yaml says what it is
            raise UsageError(_("{path}: no such file.").format(path=values_file), option="values")
        try:
            data = read_yaml(values_file).data
        except DefinitionError as error:
            raise UsageError(f"{values_file}: {error}", option="values") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise UsageError(_("{path}: the file must be a mapping of keys to values.").format(path=values_file),
                             option="values")
        values = _for_document(_merge({}, data), doc)
    for key, value in settings:
        _put(values, key, value)
    return _for_document(values, doc)


def _for_document(values: dict[str, Any], doc: str | None) -> dict[str, Any]:
    """`values` with the mapping under `doc` (if any) merged over the shared ones."""
    section = values.get(doc) if doc else None
    if not isinstance(section, dict):
        return values
    return _merge(_merge({}, {k: v for k, v in values.items() if k != doc}), section)


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(str(key)), dict):
            _merge(target[str(key)], value)
        elif isinstance(value, Mapping):
            target[str(key)] = _merge({}, value)
        else:
            target[str(key)] = value
    return target


def _put(values: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = values
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def _get(values: Mapping[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip()) and value != []


# Run documents --------------------------------------------------------------------------------


def render_run_document(
    doc: str,
    state: RunState,
    *,
    step: int | None = None,
    fmt: str = "html",
    values: Mapping[str, Any] | None = None,
    set_keys: Sequence[str] = (),
    now: datetime,
    warnings: list[str] | None = None,
) -> str | bytes:
    """Render document `doc` for run `state` (a RunState) at step `step` (default: the step it
    belongs to).

    Raises:
        UsageError: missing values (all listed), a value of the wrong type, an unknown given key
            (`set_keys`), a step that does not output `doc`, a format the type has no form for.
        StateError: the run is not in a state the type allows (e.g. persetujuan before approval).

    `warnings` (if given) collects what is worth saying but does not stop the render: a Nomor an
    earlier attached document of the run already carries.
        NotFoundError: an unknown document type.
        RenderError: template problems.
    """
    from sop_cli.render import doctypes
    from sop_cli.render.context import run_document_context
    from sop_cli.render.env import render
    from sop_cli.render.organisation import (
        addressees,
        apply_kop,
        choose_signer,
        find_organisation,
        lambang_missing,
        officials,
    )

    fmt = check_format(fmt, ("html", "md", "docx", "pdf", "xlsx"))
    sop = state.sop
    folder = _sop_dir(state)
    types = doctypes.document_types(folder)
    doc_type = types.get(doc)
    if doc_type is None:
        known = sorted(types)
        naming = [step.no for step in sop.langkah if step.dokumen == doc]
        if naming:
            from sop_cli.render.doctypes import OWN_FOLDER

            raise NotFoundError(_("Step {step} of {sop} outputs a {doc!r}, but there is no template for that document "
                                  "type, so it cannot be rendered (the run goes on). Add {folder}/{doc}.yaml and "
                                  "{folder}/{doc}.html beside the SOP file (see `sop render --list` and the shipped "
                                  "pengantar); known types: {known}.").format(
                step=naming[0], sop=sop.qualified_id, doc=doc, folder=OWN_FOLDER, known=", ".join(known)))
        raise NotFoundError(_("Unknown document {doc!r}. Document types of {sop}: {known}.").format(
            doc=doc, sop=sop.qualified_id, known=", ".join(known)), suggest="document_types")
    if fmt == "xlsx" and doc != "format-data":
        raise UsageError(_("{doc!r} has no .xlsx form; use html, md, docx or pdf (xlsx: format-data, the report).")
                         .format(doc=doc))
    langkah = _document_step(doc_type, sop, step)
    _check_state(doc_type, state, langkah)
    _check_set_keys(doc_type, set_keys, types)
    values = _for_document(dict(values or {}), doc)

    organisation = find_organisation(folder)
    people = officials(sop, organisation, state.assignments)
    checked: dict[str, Any] = {}
    missing: list[tuple[str, str]] = []
    for value in doc_type.all_values:
        given = _get(values, value.key)
        if _given(given):
            checked[value.key] = doctypes.check_value(value, given, people)
        elif value.wajib:
            missing.append((value.key, value.arti or value.jenis))
    if missing:
        lines = "\n".join(f"  {key}: {what}" for key, what in missing)
        raise UsageError(
            ngettext("Document {doc!r} for run {run} (step {step}) needs {count} value only a person knows:\n{lines}",
                     "Document {doc!r} for run {run} (step {step}) needs {count} values only a person knows:\n{lines}",
                     len(missing)).format(doc=doc, run=state.run_id, step=langkah.no, count=len(missing), lines=lines),
            hint=_("Give them as values (KEY=VALUE) or in a YAML file of values."),
            suggest="give_values", details={"keys": [key for key, _ in missing]},
        )
    if warnings is not None and isinstance(checked.get("nomor"), str):
        warnings.extend(_same_nomor(state, doc, checked["nomor"]))
    kind = doc_type.penandatangan
    kepada = checked.get("kepada")
    addressed = addressees(kepada if isinstance(kepada, list) else [kepada] if kepada else [], people, sop)
    override = checked.get("penandatangan")
    if override is not None and override["key"] in addressed:
        raise UsageError(_("penandatangan {key}: {jabatan} is among the addressees (kepada) of this {doc}; a letter "
                           "is never signed by one it is addressed to (Permendagri 1/2023). Choose another signer, "
                           "or leave penandatangan out.").format(key=override["key"], jabatan=override["jabatan"],
                                                                 doc=doc), option="set")
    signer, an = choose_signer(kind, people, str(langkah.pelaksana[0]), override, addressed)
    if warnings is not None and override is None:
        warnings.extend(_signer_notes(kind, people, signer, addressed, langkah))
    penandatangan = dict(signer, an=an)
    ctx = run_document_context(state, langkah, penandatangan=penandatangan, pimpinan=people["pimpinan"], now=now)
    apply_kop(ctx["org"], organisation)
    _say(warnings, lambang_missing(sop, organisation))
    ctx["disetujui"] = _approved_output(state)
    nilai: dict[str, Any] = {}
    for value in doc_type.values:  # an optional value nobody gave and with no default is None
        _put(nilai, value.key, None)
    for key, value in doctypes.defaults(doc_type, ctx).items():
        _put(nilai, key, value)
    for key, value in checked.items():
        if key not in ("tanggal", "penandatangan"):
            _put(nilai, key, value)
    for value in doc_type.values:
        if value.jenis == "list" and isinstance(_get(nilai, value.key), str):
            _put(nilai, value.key, doctypes.check_value(value, _get(nilai, value.key), people))
    if "tanggal" in checked:
        ctx["tanggal"] = checked["tanggal"]
    _check_meeting(nilai, ctx["tanggal"], warnings)
    ctx["nilai"] = nilai
    ctx["dokumen"] = {"type": doc, "judul": doc_type.judul}
    if fmt == "xlsx":
        from sop_cli.render.office.xlsx import format_data_xlsx

        return format_data_xlsx(ctx)
    if fmt in ("md", "html") and fmt not in doc_type.formats():
        raise UsageError(_("Document type {doc!r} has no {format} template ({path}); it has: {formats}.").format(
            doc=doc, format=fmt, path=f"{doc_type.folder}/{doc}.{fmt}", formats=", ".join(doc_type.formats()) or _("none")))
    template_fmt = "md" if fmt == "md" else "html"
    if template_fmt not in doc_type.formats():
        raise UsageError(_("Document type {doc!r} has no HTML template, which {format} is made from.").format(
            doc=doc, format=fmt))
    extra = [doc_type.folder] if doc_type.own else []
    text = render(doc_type.template(template_fmt), ctx, extra)
    return text if fmt in TEXT_FORMATS else _office(text, fmt, folder=folder, warnings=warnings, properties={
        "author": ctx["org"]["nama"], "title": doc_type.judul})


NOMOR_NOTE = re.compile(r"^Dokumen (\S+)\b.*; nomor (.+)$")


def attach_note(doc: str, step: int | None, nomor: Any) -> str:
    """The log note of a document kept with its run (`_same_nomor` reads the Nomor back)."""
    where = f" (langkah {step})" if step else ""
    number = f"; nomor {nomor.strip()}" if isinstance(nomor, str) and nomor.strip() else ""
    return f"Dokumen {doc}{where} dibuat dengan sop render{number}"


def _same_nomor(state: RunState, doc: str, nomor: str) -> list[str]:
    """A warning for each other document type kept with the run under the same Nomor."""
    seen = []
    for event in state.events:
        if event.kind != EventKind.NOTE or event.seq in state.undone_by:
            continue
        match = NOMOR_NOTE.match(str(event.data.get("note") or ""))
        if match and match.group(1) != doc and match.group(2).strip() == nomor.strip() and match.group(1) not in seen:
            seen.append(match.group(1))
    return [_("Nomor {nomor} is already on the {doc} kept with run {run}; two letters of one run should not share "
              "a Nomor.").format(nomor=nomor, doc=other, run=state.run_id) for other in seen]


def _signer_notes(kind: str, people: Mapping[str, Any], signer: Mapping[str, Any], addressed: frozenset[str],
                  langkah: Langkah) -> list[str]:
    """Why the letter is not signed as its type says: the usual signer is among the addressees;
    said louder when the step's own wording names him as invited (the SOP asks for it)."""
    from sop_cli.render.organisation import SHORT_POSTS, choose_signer

    usual, _an = choose_signer(kind, dict(people), str(langkah.pelaksana[0]))
    head = people["pimpinan"]
    if head["key"] in addressed and kind != "pelaksana":
        usual = head  # signing "a.n." the head is signing for him
    if usual["key"] not in addressed or usual["key"] == signer["key"]:
        return []
    wording = f"{langkah.kegiatan} {langkah.output or ''}".lower()
    post = str(head.get("lane_nama") or "").lower()
    names = [post, *(short for short, full in SHORT_POSTS.items() if full == post)]
    says = any(re.search(rf"\b{re.escape(name)}\b", wording) for name in names if name)
    message = _("{usual} is among the addressees, so {signer} signs the letter in his own name (a signer is never "
                "an addressee, Permendagri 1/2023).").format(usual=usual["jabatan"], signer=signer["jabatan"])
    if says and head["key"] in addressed:
        message += " " + _("Step {step} invites him itself ({kegiatan!r}); check with the office who signs.").format(
            step=langkah.no, kegiatan=langkah.kegiatan)
    return [message]


def _approved_output(state: RunState) -> str:
    """The output of the last decision step that said YA (the document approved), else of the SOP's
    last decision step, else 'Dokumen'."""
    sop = state.sop
    for visit in reversed(state.visits):
        if visit.outcome == "approved":
            return str(sop.step(visit.step).output)
    decisions = [s for s in sop.langkah if s.simbol == "keputusan"]
    return str(decisions[-1].output) if decisions else "Dokumen"


def _check_state(doc_type: DocType, state: RunState, langkah: Langkah) -> None:
    from sop_cli.render.doctypes import STATE_WORDS

    word = STATE_WORDS.get(state.status, state.status)
    if word not in doc_type.keadaan:
        raise StateError(_("Run {run} is {state} ({status}); a {doc} is made only for a run that is {allowed}.").format(
            run=state.run_id, state=word, status=state.status, doc=doc_type.name,
            allowed=_(" or ").join(doc_type.keadaan)))
    if doc_type.sejak == "mulai":
        return
    reached = any(v.step == langkah.no for v in state.visits)
    if not reached:
        current = state.visits[-1].step if state.visits else None
        raise StateError(
            _("Run {run} has not reached step {step} ({kegiatan}); it is at step {current}. A {doc} is made once its "
              "step is reached.").format(run=state.run_id, step=langkah.no, kegiatan=langkah.kegiatan, current=current,
                                         doc=doc_type.name),
            suggest="status_and_log", details={"run": state.run_id},
        )
    if doc_type.sejak == "sesudah-keputusan":
        decisions = [v for v in state.visits if state.sop.step(v.step).simbol == "keputusan" and v.step < langkah.no]
        first_here = next(i for i, v in enumerate(state.visits) if v.step == langkah.no)
        before = [v for v in state.visits[:first_here] if v in decisions]
        if decisions and not (before and before[-1].outcome == "approved"):
            raise StateError(
                _("Run {run}: a {doc} approves a document only after the correction step {step} said YA; it has not.")
                .format(run=state.run_id, doc=doc_type.name, step=decisions[-1].step),
            )


def _check_set_keys(doc_type: DocType, set_keys: Sequence[str], types: Mapping[str, DocType]) -> None:
    known = [v.key for v in doc_type.all_values]
    for key in set_keys:
        bare = key.removeprefix(f"{doc_type.name}.")
        if bare in known or (key.split(".")[0] in types and key.split(".")[0] != doc_type.name):
            continue  # a value of this document, or one scoped to another document type
        raise UsageError(_("{key}: {doc!r} takes no value {name!r}. Its values: {known}.").format(
            key=key, doc=doc_type.name, name=bare, known=", ".join(known)), option="set")


def _document_step(doc_type: DocType, sop: SopDefinition, step: int | None) -> Langkah:
    if step is not None:
        try:
            langkah = sop.step(step)
        except KeyError:
            numbers = ", ".join(str(s.no) for s in sop.langkah)
            raise UsageError(_("{step}: SOP {sop} has no step {step} (steps: {numbers}).").format(
                step=step, sop=sop.qualified_id, numbers=numbers), option="step") from None
        if not doc_type.belongs_to(langkah):
            mine = [str(s.no) for s in sop.langkah if doc_type.belongs_to(s)]
            if mine:
                message = ngettext("{step}: step {step} of {sop} ({kegiatan}) does not output a {doc}; step {mine} does.",
                                   "{step}: step {step} of {sop} ({kegiatan}) does not output a {doc}; steps {mine} do.",
                                   len(mine))
            else:
                message = _("{step}: step {step} of {sop} ({kegiatan}) does not output a {doc}; no step does.")
            raise UsageError(message.format(step=step, sop=sop.qualified_id, kegiatan=langkah.kegiatan, doc=doc_type.name,
                                            mine=", ".join(mine)), option="step")
        return langkah
    for langkah in sop.langkah:
        if doc_type.belongs_to(langkah):
            return langkah
    raise UsageError(_("No step of SOP {sop} outputs a {doc!r} (no step names it in `dokumen:`).").format(
        sop=sop.qualified_id, doc=doc_type.name))


# Reports --------------------------------------------------------------------------------------


def render_report(state: RunState, data: ReportData | MonitoringData, kind: str, fmt: str,
                  warnings: list[str] | None = None) -> str | bytes:
    """`report` or `monitoring` (html, md, pdf from the templates; xlsx from openpyxl) with the
    data of `sop_cli.render.report` (`data` as `report`, plus `org`, `pengesah`, `sop`,
    `tanggal`; times as datetimes); `warnings`, if given, collects what a PDF left out."""
    from sop_cli.render.context import org_context, pejabat
    from sop_cli.render.env import render
    from sop_cli.render.organisation import apply_kop, find_organisation, lambang_missing, officials

    fmt = check_format(fmt, ("html", "md", "pdf", "xlsx"))
    sop = state.sop
    org = org_context(sop)
    organisation = find_organisation(_sop_dir(state))
    apply_kop(org, organisation)
    if fmt != "xlsx":  # a workbook has no kop
        _say(warnings, lambang_missing(sop, organisation))
    people = officials(sop, organisation, state.assignments)
    head = people["pimpinan"]
    maker = maker_lane(sop, str(head["key"]))
    ctx = {
        "report": data,
        "org": org,
        "pengesah": pejabat(head["jabatan"], head.get("nama"), head.get("pangkat"), None) | {"nip": head.get("nip")},
        "pembuat": pejabat(people[maker]["jabatan"], people[maker].get("nama"),
                           people[maker].get("pangkat"), None) | {"nip": people[maker].get("nip")},
        "sop": {"nama": sop.nama, "judul": sop.judul or f"SOP {sop.nama}", "nomor": sop.nomor,
                "qualified_id": sop.qualified_id},
        "tempat": sop.organisasi.kota,
        "tanggal": data["now"],
        "day_minutes": data["summary"]["day_minutes"],
    }
    if fmt == "xlsx":  # signed as the HTML is: the report by its maker and the head, the form by its assessor
        from sop_cli.render.office.xlsx import report_xlsx

        return report_xlsx(data, kind == "monitoring", signing=ctx)
    text = render(f"{kind}.{'md' if fmt == 'md' else 'html'}", ctx)
    return text if fmt in TEXT_FORMATS else _office(text, fmt, landscape=True, folder=_sop_dir(state),
                                                    warnings=warnings)
