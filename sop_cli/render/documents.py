"""Entry points: the SOP document, the documents a run's steps output, and the list of types.

Document types (`DOCUMENTS`) and the step an SOP gives each through `langkah[].dokumen`:
`disposisi` (lembar disposisi), `format-data` (the form each section fills with its Renja data),
`undangan` (meeting invitation), `persetujuan` (lembar persetujuan for the head's signature) and
`pengantar` (surat pengantar, the cover letter to BAPPEDA). A `dokumen` value that is not one of
these names a template of the SOP's own (see `sop_cli.render`).

What only a person knows (letter numbers, meeting place and time, the incoming letter a
disposisi answers, NIP and pangkat of a signer the SOP file does not name) comes as `values`: a
mapping read from `--values FILE` (YAML) and `--set key=value` (dotted keys nest:
`rapat.tempat=Aula`; list values in --set are separated by `;`). A mapping under a document's
name (`undangan: {nomor: ...}`) holds values for that document only, over the shared ones, so
one file can serve every letter of a run. Every missing value is reported
at once, with what it is. Templates see them as `nilai`, with the optional ones filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import NotFoundError, RenderError, UsageError

if TYPE_CHECKING:
    from sop_cli.render.report import MonitoringData, ReportData

FORMATS = ("html", "md")


def check_format(fmt: str) -> str:
    """The format, lower-cased, or a UsageError naming the ones there are."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}; use one of: {', '.join(FORMATS)}.")
    return fmt


# The SOP document -----------------------------------------------------------------------------


def render_sop(sop: Any, fmt: str = "html") -> str:
    """The SOP AP document of `sop` (a SopDefinition) as HTML or Markdown."""
    from sop_cli.render.context import sop_context
    from sop_cli.render.env import render

    fmt = check_format(fmt)
    return render(f"sop.{fmt}", sop_context(sop, html=fmt == "html"))


# Document types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocType:
    """A kind of document a step outputs.

    Attributes:
        name: The name on the command line and in `langkah[].dokumen`; also the template name.
        judul: What it is, in Indonesian.
        signer: Whose signature block: "step" (the person in the step's lane; `penandatangan=LANE`
            changes it) or "head" (the head of the unit, the SOP's `disahkan_oleh`).
        required: (key, what it is) of the values a person must supply.
        dates: Keys whose values must be dates (ISO `2026-11-24` or a YAML date).
        lists: Keys whose values are lists (`;`-separated in --set).
        defaults: Optional values computed from the run, filled in when not given.
    """

    name: str
    judul: str
    signer: str
    required: tuple[tuple[str, str], ...] = ()
    dates: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    defaults: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda ctx: {})


def _disposisi_defaults(ctx: dict[str, Any]) -> dict[str, Any]:
    run = ctx["run"]
    catatan = ctx["kunjungan"]["note"] if ctx["kunjungan"] and ctx["kunjungan"]["note"] else (
        f"Mohon segera ditindaklanjuti: {ctx['sop']['nama']} Tahun {run['year']} sesuai {ctx['sop']['judul']}."
    )
    return {
        "surat": {"perihal": run["title"]},
        "agenda": "",
        "sifat": "Segera",
        "harap": ["Proses lebih lanjut", "Koordinasikan"],
        "catatan": catatan,
        "diterima": run["started_at"],
        "batas_waktu": run["target_end"],
    }


def _format_data_defaults(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"batas_waktu": None, "baris": 8, "seksi": [""]}


def _undangan_defaults(ctx: dict[str, Any]) -> dict[str, Any]:
    following = ctx["langkah_berikut"]
    signer_is_head = ctx["penandatangan_lane"] == ctx["lane_pimpinan"]
    return {
        "sifat": "Biasa",
        "lampiran": "-",
        "hal": "Undangan Rapat",
        "rapat": {"acara": following["kegiatan"] if following else ctx["langkah"]["kegiatan"]},
        "tembusan": [] if signer_is_head else [f"{ctx['pengesah']['jabatan']} (sebagai laporan)"],
    }


def _pengantar_defaults(ctx: dict[str, Any]) -> dict[str, Any]:
    region = ctx["org"]["pemerintah"].removeprefix("Pemerintah ").strip()
    run = ctx["run"]
    return {
        "tujuan": f"Kepala BAPPEDA {region}",
        "di": f"di {ctx['org']['kota']}" if ctx["org"]["kota"] else "di Tempat",
        "sifat": "Biasa",
        "lampiran": "1 (satu) berkas",
        "hal": f"Penyampaian Dokumen Rencana Kerja (Renja) Tahun {run['year']}",
        "kiriman": [{
            "jenis": f"Dokumen Rencana Kerja (Renja) {ctx['org']['nama']} Tahun {run['year']}",
            "banyaknya": "1 (satu) eksemplar",
            "keterangan": "Disampaikan dengan hormat untuk diverifikasi",
        }],
        "tembusan": [],
    }


def _persetujuan_defaults(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"nomor": "", "catatan": ""}


DOCUMENTS: dict[str, DocType] = {
    d.name: d
    for d in (
        DocType(
            "disposisi", "Lembar disposisi", "step",
            required=(
                ("surat.dari", "who sent the letter being disposed, e.g. 'Bupati Nganjuk'"),
                ("surat.nomor", "that letter's number"),
                ("surat.tanggal", "that letter's date, e.g. 2026-11-20"),
            ),
            dates=("surat.tanggal", "diterima", "batas_waktu"),
            lists=("harap",),
            defaults=_disposisi_defaults,
        ),
        DocType(
            "format-data", "Format pengumpulan data dan informasi Renja per seksi/bidang", "step",
            dates=("batas_waktu",), lists=("seksi",), defaults=_format_data_defaults,
        ),
        DocType(
            "undangan", "Undangan rapat", "step",
            required=(
                ("nomor", "the letter number, e.g. 005/123/411.512/2026"),
                ("kepada", "who is invited (a list, or items separated by ';')"),
                ("rapat.tanggal", "the meeting date, e.g. 2026-11-24"),
                ("rapat.waktu", "the meeting time, e.g. '09.00 - selesai'"),
                ("rapat.tempat", "where the meeting is held"),
            ),
            dates=("rapat.tanggal",), lists=("kepada", "tembusan"), defaults=_undangan_defaults,
        ),
        DocType(
            "persetujuan", "Lembar persetujuan dokumen (tanda tangan pimpinan)", "head",
            defaults=_persetujuan_defaults,
        ),
        DocType(
            "pengantar", "Surat pengantar pengiriman dokumen", "head",
            required=(("nomor", "the letter number, e.g. 050/45/411.512/2026"),),
            lists=("tembusan",), defaults=_pengantar_defaults,
        ),
    )
}


def document_rows(sops: Sequence[Any]) -> list[dict[str, Any]]:
    """Every document type (shipped and each SOP's own), with the steps that output it per SOP."""
    rows: dict[str, dict[str, Any]] = {
        "sop": {"type": "sop", "judul": "Dokumen SOP AP (identitas, daftar, bagan alir)", "template": "sop",
                "own": False, "required": [], "steps": []},
    }
    for doc in DOCUMENTS.values():
        rows[doc.name] = {"type": doc.name, "judul": doc.judul, "template": doc.name, "own": False,
                          "required": [k for k, _ in doc.required], "steps": []}
    for sop in sops:
        for step in sop.langkah:
            if not step.dokumen:
                continue
            row = rows.setdefault(step.dokumen, {
                "type": step.dokumen, "judul": f"Templat milik SOP ({step.output})",
                "template": step.dokumen, "own": True, "required": [], "steps": [],
            })
            row["steps"].append({"sop": sop.qualified_id, "step": step.no, "kegiatan": step.kegiatan})
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
        from sop_cli.errors import DefinitionError
        from sop_cli.definition.yamlfile import read_yaml

        import os

        if not os.path.lexists(values_file):  # a folder or FIFO: read_yaml says what it is
            raise UsageError(f"{values_file}: no such file.", option="values")
        try:
            data = read_yaml(values_file).data
        except DefinitionError as error:
            raise UsageError(f"{values_file}: {error}", option="values") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise UsageError(f"{values_file}: the file must be a mapping of keys to values.", option="values")
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
    state: Any,
    *,
    step: int | None = None,
    fmt: str = "html",
    values: Mapping[str, Any] | None = None,
    now: datetime,
) -> str:
    """Render document `doc` for run `state` (a RunState) at step `step` (default: the step whose
    `dokumen` is `doc`). Raises UsageError listing every missing value, NotFoundError for an
    unknown document, RenderError for template problems."""
    from sop_cli.render.context import run_document_context
    from sop_cli.render.env import render

    fmt = check_format(fmt)
    sop = state.sop
    langkah = _document_step(doc, sop, step)
    doc_type = DOCUMENTS.get(doc)
    values = _for_document(dict(values or {}), doc)
    extra_dirs = _sop_dirs(state)
    if doc_type is None:
        template = _own_template(doc, fmt, extra_dirs)
        signer = "step"
    else:
        template = f"{doc}.{fmt}"
        signer = doc_type.signer
    ctx = run_document_context(state, langkah, values=values, signer=signer, now=now, html=fmt == "html")
    missing = list(ctx.pop("_missing"))
    if doc_type is not None:
        missing = [(k, what) for k, what in doc_type.required if not _given(_get(values, k))] + missing
        _check_dates(doc_type, values)
        defaults = doc_type.defaults(ctx)
        _check_shapes(defaults, values, doc_type.lists, [k for k, _ in doc_type.required] + list(doc_type.dates))
        nilai = _merge(_merge({}, defaults), values)
        for key in doc_type.lists:
            current = _get(nilai, key)
            if isinstance(current, str):
                _put(nilai, key, [part.strip() for part in current.split(";") if part.strip()])
            elif current is not None and not isinstance(current, list):
                _put(nilai, key, [current])
    else:
        missing = [(k, "used by the template") for k in _template_values(template, extra_dirs)
                   if not _given(_get(values, k))] + missing
        nilai = _merge({}, values)
    if missing:
        lines = "\n".join(f"  {key}: {what}" for key, what in missing)
        example = " ".join(f"--set {key}=..." for key, _ in missing[:3])
        raise UsageError(
            f"Document {doc!r} for run {state.run_id} (step {langkah.no}) needs {len(missing)} "
            f"value{'s' if len(missing) != 1 else ''} only a person knows:\n{lines}",
            hint=f"Give them with {example} or in a YAML file passed with --values FILE.",
        )
    tanggal = _get(nilai, "tanggal")
    if tanggal is not None:
        from sop_cli.render.indonesian import as_date

        if as_date(tanggal) is None:
            raise UsageError(f"tanggal: {tanggal!r} is not a date; write it as 2026-11-24.")
        ctx["tanggal"] = as_date(tanggal)
    ctx["nilai"] = nilai
    ctx["dokumen"] = {"type": doc, "judul": doc_type.judul if doc_type else langkah.output}
    return render(template, ctx, extra_dirs)


def _document_step(doc: str, sop: Any, step: int | None) -> Any:
    if step is not None:
        try:
            return sop.step(step)
        except KeyError:
            numbers = ", ".join(str(s.no) for s in sop.langkah)
            raise UsageError(f"--step {step}: SOP {sop.qualified_id} has no step {step} (steps: {numbers}).") from None
    for langkah in sop.langkah:
        if langkah.dokumen == doc:
            return langkah
    if doc in DOCUMENTS:
        raise UsageError(
            f"No step of SOP {sop.qualified_id} outputs a {doc!r}; say which step with --step N.",
        )
    known = sorted({*DOCUMENTS, *(s.dokumen for s in sop.langkah if s.dokumen)})
    raise NotFoundError(f"Unknown document {doc!r}. Document types of {sop.qualified_id}: {', '.join(known)} "
                        "(see `sop render --list`).")


def _sop_dirs(state: Any) -> list[Path]:
    path = getattr(state, "source_path", None)
    if path and Path(path).parent.is_dir():
        return [Path(path).parent]
    return []


def _own_template(doc: str, fmt: str, extra_dirs: Sequence[Path]) -> str:
    from sop_cli.render.env import template_exists

    name = doc if doc.endswith(f".{fmt}") else f"{doc}.{fmt}"
    if not template_exists(name, extra_dirs):
        from sop_cli.paths import template_roots

        where = ", ".join(str(p) for p in (*extra_dirs, *template_roots()))
        raise RenderError(f"The SOP names its own document template {doc!r}, but no {name} was found (searched: {where}).")
    return name


def _template_values(template: str, extra_dirs: Sequence[Path]) -> list[str]:
    """Keys a template reads as `nilai.KEY` / `nilai['KEY']` (not via `nilai.get`), in order."""
    from jinja2 import nodes

    from sop_cli.render.env import environment

    env = environment(extra_dirs)
    try:
        source, _, _ = env.loader.get_source(env, template)
        tree = env.parse(source)
    except Exception:  # a syntax error is reported, with its line, when rendering
        return []
    found: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if not (isinstance(node.node, nodes.Name) and node.node.name == "nilai"):
            continue
        if isinstance(node, nodes.Getattr):
            key = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            key = node.arg.value
        else:
            continue
        if key not in ("get", "items", "keys", "values") and key not in found:
            found.append(key)
    return found


def _check_shapes(defaults: Mapping[str, Any], values: Mapping[str, Any], lists: Sequence[str],
                  known: Sequence[str], prefix: str = "") -> None:
    """Refuse a value whose shape is not the one the document uses, naming the value.

    A table (`kiriman`: a list of rows, each with its columns) given as one text, or a group
    (`rapat`: tanggal, waktu, tempat...) given as one text, would otherwise fail inside the
    template, and the message would blame the template instead of the value.
    """
    for key, default in defaults.items():
        name = f"{prefix}{key}"
        if key not in values or values[key] is None or name in lists:
            continue
        value = values[key]
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                parts = ", ".join(dict.fromkeys([*(k for k in known if k.startswith(f"{name}.")),
                                                 *(f"{name}.{k}" for k in default)]))
                raise UsageError(f"{name}: {value!r} is one value, but {name} is a group of values ({parts}); "
                                 "give each part by its own dotted key.")
            _check_shapes(default, value, lists, known, f"{name}.")
        elif isinstance(default, list) and default and all(isinstance(row, Mapping) for row in default):
            columns = list(default[0])
            described = ", ".join(columns)
            if not isinstance(value, list) or not all(isinstance(row, Mapping) for row in value):
                raise UsageError(f"{name}: {value!r} is not a table; {name} is a list of rows, each with "
                                 f"{described}, as a YAML values file gives it.")
            for i, row in enumerate(value, 1):
                absent = [c for c in columns if c not in row]
                if absent:
                    raise UsageError(f"{name}: row {i} has no {', '.join(absent)}; each row needs {described}.")


def _check_dates(doc_type: DocType, values: Mapping[str, Any]) -> None:
    from sop_cli.render.indonesian import as_date

    for key in doc_type.dates:
        value = _get(values, key)
        if _given(value) and as_date(value) is None:
            raise UsageError(f"{key}: {value!r} is not a date; write it as 2026-11-24.")


# Reports --------------------------------------------------------------------------------------


def render_report(state: Any, data: ReportData | MonitoringData, kind: str, fmt: str) -> str:
    """`report.{html,md}` or `monitoring.{html,md}` with the data of `sop_cli.render.report`
    (`data` as `report`, plus `org`, `pengesah`, `sop`, `tanggal`; times as datetimes)."""
    from sop_cli.render.context import org_context, pejabat
    from sop_cli.render.env import render

    fmt = check_format(fmt)
    sop = state.sop
    signer = sop.disahkan_oleh
    ctx = {
        "report": data,
        "org": org_context(sop),
        "pengesah": pejabat(signer.jabatan, signer.nama, signer.pangkat, signer.nip),
        "sop": {"nama": sop.nama, "judul": sop.judul or f"SOP {sop.nama}", "nomor": sop.nomor,
                "qualified_id": sop.qualified_id},
        "tempat": sop.organisasi.kota,
        "tanggal": data["now"],
    }
    return render(f"{kind}.{fmt}", ctx)
