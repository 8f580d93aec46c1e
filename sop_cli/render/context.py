"""Plain-data contexts for templates, built from an SOP definition (and, for letters, a run).

Templates see dicts and lists only, never the models, so a user's template depends on the
names documented here and in `sop_cli.render` rather than on internals:

- `org`: pemerintah, nama, alamat, telepon, email, laman, kota, zona_waktu (missing ones are
  None; templates print only what is there), `kontak`: the contact line pieces that exist.
- `pengesah`: jabatan, nama, pangkat, nip (written `19690115 199003 1 008`, or None).
- `sop`: id, qualified_id, nama, judul, nomor, tanggal_pembuatan/revisi/pengesahan/efektif,
  sumber, penjelasan; `daftar`: the six lists as three pairs of {judul, isi}.
- `lanes`: [{id, nama}]; `steps`: per step no, kegiatan, pelaksana (lane names), lane_ids, simbol,
  kelengkapan, waktu, output, keterangan, inferensi (bool), dasar_inferensi, ya, tidak,
  dokumen, svg (the flowchart row, HTML only); `waktu_total`; `mermaid`; `ada_inferensi`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sop_cli.definition.graph import LIST_PAIRS
from sop_cli.definition.nip import format_nip
from sop_cli.render.indonesian import waktu_text

if TYPE_CHECKING:
    from sop_cli.definition.model import Langkah, Pejabat, SopDefinition
    from sop_cli.run.engine import RunState, StepVisit

Localise = Callable[[datetime | None], datetime | None]


def org_context(sop: SopDefinition) -> dict[str, Any]:
    """The issuing unit, for the kop (letterhead)."""
    org = sop.organisasi
    kontak = [
        text
        for text in (
            f"Telepon {org.telepon}" if org.telepon else None,
            f"Email {org.email}" if org.email else None,
            f"Laman {org.laman}" if org.laman else None,
        )
        if text
    ]
    return {
        "pemerintah": org.pemerintah,
        "nama": org.nama,
        "alamat": org.alamat,
        "telepon": org.telepon,
        "email": org.email,
        "laman": org.laman,
        "kota": org.kota,
        "zona_waktu": org.zona_waktu,
        "kontak": kontak,
    }


def pejabat(jabatan: str | None, nama: str | None = None, pangkat: str | None = None, nip: str | None = None) -> dict[str, Any]:
    """An official for a signature block, NIP written in its four groups."""
    return {"jabatan": jabatan, "nama": nama, "pangkat": pangkat, "nip": format_nip(nip) if nip else None,
            "baris": [jabatan] if jabatan else []}


_KEDUDUKAN = {"plt": "Plt.", "plh": "Plh.", "pj": "Pj."}


def signer_lines(signer: Pejabat) -> list[str]:
    """The lines above the signature, as Tata Naskah Dinas writes a delegated signature:
    "a.n. CAMAT NGRONGGOT", then "u.b. ..." one level down, then the signer's own jabatan
    ("Plt. Sekretaris Kecamatan" when filling the post)."""
    lines = []
    if signer.atas_nama:
        lines.append(f"a.n. {signer.atas_nama.upper()}")
    if signer.untuk_beliau:
        lines.append(f"u.b. {signer.untuk_beliau}")
    prefix = _KEDUDUKAN.get(signer.kedudukan or "")
    lines.append(f"{prefix} {signer.jabatan}" if prefix else signer.jabatan)
    return lines


def sop_context(sop: SopDefinition, *, html: bool) -> dict[str, Any]:
    """Everything the SOP document templates (`sop.html`, `sop.md`) use."""
    from sop_cli.render.flowchart import mermaid, rows_svg
    from sop_cli.worktime import format_minutes

    signer = sop.disahkan_oleh
    svgs: list[str | None] = [None] * len(sop.langkah)
    if html:
        from markupsafe import Markup

        svgs = [Markup(svg) for svg in rows_svg(sop)]  # built from fixed shapes and numbers only
    steps = []
    for step, svg in zip(sop.langkah, svgs):
        steps.append({
            "no": step.no,
            "kegiatan": step.kegiatan,
            "pelaksana": [sop.lane(p).nama for p in step.pelaksana],
            "lane_ids": list(step.pelaksana),
            "simbol": step.simbol,
            "kelengkapan": step.kelengkapan,
            "waktu": waktu_text(step.waktu),
            "output": step.output,
            "keterangan": step.keterangan,
            "inferensi": step.asal_pelaksana == "inferensi",
            "dasar_inferensi": step.dasar_inferensi,
            "ya": step.ya,
            "tidak": step.tidak,
            "berikutnya": sop.graph.next_step(step.no) if not sop.graph.step(step.no).is_decision else None,
            "paralel": list(step.paralel),
            "sub_sop": step.sub_sop,
            "eksternal": sop.graph.step(step.no).external,
            "dokumen": step.dokumen,
            "svg": svg,
        })
    inferred = [step.no for step in sop.langkah if step.asal_pelaksana == "inferensi"]
    return {
        "sop": {
            "id": sop.id,
            "qualified_id": sop.qualified_id,
            "nama": sop.nama,
            "judul": sop.judul or f"SOP {sop.nama}",
            "nomor": sop.nomor,
            "tanggal_pembuatan": sop.tanggal_pembuatan,
            "tanggal_revisi": sop.tanggal_revisi,
            "tanggal_pengesahan": sop.tanggal_pengesahan,
            "tanggal_efektif": sop.tanggal_efektif,
            "sumber": sop.sumber,
            "penjelasan": list(sop.penjelasan),
        },
        "org": org_context(sop),
        "pengesah": {**pejabat(signer.jabatan, signer.nama, signer.pangkat, signer.nip), "baris": signer_lines(signer)},
        "daftar": [
            [{"judul": title, "isi": list(getattr(sop, key))} for key, title in pair] for pair in LIST_PAIRS
        ],
        "lanes": [{"id": lane.id, "nama": lane.nama, "eksternal": lane.eksternal} for lane in sop.pelaksana],
        "steps": steps,
        "waktu_total": format_minutes(sop.graph.total_minutes()),
        "mermaid": mermaid(sop),
        "ada_inferensi": bool(inferred),
        "langkah_inferensi": _ranges(inferred),
    }


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] -> "1–3, 5, 7–8"."""
    parts: list[str] = []
    start: int | None = None
    prev = 0
    for n in [*numbers, None]:
        if start is not None and (n is None or n != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None:
            start = n if start is None else start
            prev = n
    return ", ".join(parts)


# Run documents --------------------------------------------------------------------------------


def head_lane(sop: SopDefinition) -> str:
    """The lane of the head of the unit (who signs the SOP): the lane whose name begins the
    `disahkan_oleh` jabatan ("Camat" for "Camat Ngronggot"), else the lane approving a
    `persetujuan`, else the lane of the first step."""
    jabatan = (sop.disahkan_oleh.jabatan or "").lower()
    for lane in sorted(sop.pelaksana, key=lambda lane: -len(lane.nama)):
        if jabatan.startswith(lane.nama.lower()):
            return str(lane.id)
    for step in sop.langkah:
        if step.dokumen == "persetujuan":
            return str(step.pelaksana[0])
    return str(sop.langkah[0].pelaksana[0])


def run_document_context(
    state: RunState, langkah: Langkah, *, penandatangan: dict[str, Any], pimpinan: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The context of a run document (see `sop_cli.render.documents`). The signer and the head
    come chosen from the organisation's register (`sop_cli.render.organisation`)."""
    sop = state.sop
    tz = state.calendar.tz

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz) if moment is not None else None

    head = head_lane(sop)

    visits = [_visit_context(v, sop, local) for v in state.visits]
    mine = [v for v in visits if v["step"] == langkah.no]
    kunjungan = mine[-1] if mine else None
    tanggal = local(kunjungan["completed_at"] if kunjungan and kunjungan["completed_at"] else now)
    following_no = sop.graph.next_step(langkah.no)
    following = sop.step(following_no) if following_no is not None else None
    base = sop_context(sop, html=False)
    return {
        "org": base["org"],
        "sop": base["sop"],
        "pengesah": base["pengesah"],
        "run": {
            "id": state.run_id,
            "title": state.title,
            "year": state.year,
            "status": state.status,
            "started_at": local(state.started_at),
            "finished_at": local(state.finished_at),
            "planned_end": local(state.end(now)),  # what `sop status` shows
            "rework_loops": state.rework_loops,
            "untuk": state.untuk,
            "nomor_perkara": state.case_number,
        },
        "langkah": _step_context(langkah, sop),
        "langkah_berikut": _step_context(following, sop) if following else None,
        "kunjungan": kunjungan,
        "riwayat": visits,
        "keputusan": [v for v in visits if v["simbol"] == "keputusan" and v["outcome"]],
        "tanggal": tanggal,
        "tempat": sop.organisasi.kota,
        "penandatangan": penandatangan,
        "penandatangan_lane": penandatangan.get("lane"),
        "lane_pimpinan": head,
        "pimpinan": pimpinan,
        "pelaksana": [
            {"id": lane.id, "nama": lane.nama, "orang": state.assignments.get(lane.id)} for lane in sop.pelaksana
        ],
    }


def _step_context(langkah: Langkah, sop: SopDefinition) -> dict[str, Any]:
    return {
        "no": langkah.no,
        "kegiatan": langkah.kegiatan,
        "pelaksana": [sop.lane(p).nama for p in langkah.pelaksana],
        "lane_ids": list(langkah.pelaksana),
        "kelengkapan": langkah.kelengkapan,
        "waktu": waktu_text(langkah.waktu),
        "output": langkah.output,
        "keterangan": langkah.keterangan,
        "simbol": langkah.simbol,
    }


def _visit_context(visit: StepVisit, sop: SopDefinition, local: Localise) -> dict[str, Any]:
    return {
        "step": visit.step,
        "kegiatan": visit.kegiatan,
        "simbol": sop.step(visit.step).simbol,
        "pelaksana": [sop.lane(p).nama for p in visit.lanes],
        "became_current_at": local(visit.became_current_at),
        "due_at": local(visit.due_at),
        "completed_at": local(visit.completed_at),
        "by": visit.by,
        "outcome": visit.outcome,
        "note": visit.note,
        "reason": visit.reason,
        "standard_minutes": visit.standard_minutes,
        "actual_minutes": visit.working_minutes,
        "late": visit.late,
    }
