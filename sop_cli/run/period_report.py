"""A service SOP over a period (`sop report --sop sktm --bulan 2026-12`): what the Ombudsman and
the Inspectorate ask of a counter.

Figures come from the rows every write keeps (`run_times`, `step_times`) and are aggregated by
the store's database (`sop_cli.store.periods`); nothing is replayed, so a month of a 20,000-case
year costs a few indexed queries. Definitions:

- *received*: cases started in the period; *finished* (`selesai`), *refused* (`ditolak`: a
  decision's `tidak: selesai`) and *cancelled*: cases that ended that way in the period; *open*:
  received before the period's end and not ended by then.
- *within Mutu Baku*: of the cases finished or refused in the period, those whose office working
  time (time waiting for lanes outside the office, `eksternal`, not counted) was at most the
  service's promised time: the Mutu Baku of the office's timed steps on the main path.
- *median* and *p90* (nearest rank) of working time, overall (per case, office time) and per step
  (per completed pass), over the cases finished or refused in the period.
- *where cases wait*: the working time of those passes by lane, the office's lanes first, lanes
  outside the office apart.
- The monitoring form over the period judges a step *berjalan dengan baik* when at least nine
  of ten of its passes were within its Mutu Baku (its p90 within the standard time), or within
  the tolerance the SOP or the office set (`toleransi`: "15 menit" or "10%" past the Mutu Baku;
  the SOP's wins); without one, the same nine of ten within the Mutu Baku itself.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from sop_cli.definition.catalog import Entry
    from sop_cli.definition.duration import Toleransi, ToleransiView
    from sop_cli.run.periods import Period


class PeriodSop(TypedDict):
    """The SOP a period report is about."""

    id: str
    nama: str
    judul: str
    nomor: str | None
    organisasi: str
    pemerintah: str
    kota: str | None
    zona_waktu: str


class PeriodDays(TypedDict):
    """The period: its label ("Desember 2026"), first and last day."""

    label: str
    first: date
    last: date


class PeriodStepRow(TypedDict):
    """One step over the period."""

    step: int
    kegiatan: str
    pelaksana: list[str]
    external: bool
    waktu: str
    standard_minutes: int | None
    passes: int
    late: int
    median_minutes: int | None
    p90_minutes: int | None
    baik: bool | None
    """The monitoring form's judgement: p90 within the standard time, or the tolerance past it
    (None: no pass, or no fixed time)."""


class PeriodLaneRow(TypedDict):
    """Where cases waited: one lane's passes and working time (share of the office's or, for a
    lane outside the office, of the outside time)."""

    lane: str
    nama: str
    external: bool
    passes: int
    total_minutes: int
    median_minutes: int | None
    share_percent: int | None


class PeriodReportData(TypedDict):
    """`sop report --sop SOP --bulan YYYY-MM` (see the module docstring for each figure)."""

    sop: PeriodSop
    period: PeriodDays
    now: datetime
    day_minutes: int
    received: int
    finished: int
    refused: int
    cancelled: int
    open: int
    ended: int
    within: int
    within_percent: int | None
    promised_minutes: int | None
    median_minutes: int | None
    p90_minutes: int | None
    steps: list[PeriodStepRow]
    lanes: list[PeriodLaneRow]
    toleransi: ToleransiView | None
    """The tolerance the monitoring judgement used (None: none)."""


def period_report(entry: Entry, period: Period, *, now: datetime, store: str | Path | None = None,
                  office_toleransi: str | None = None) -> PeriodReportData:
    """The figures of the SOP of catalog `entry` over `period`, in the organisation's zone; the
    monitoring judgement uses the SOP's `toleransi`, else `office_toleransi` (the organisation
    file's), else none.

    Raises:
        NotFoundError: There is no store.
    """
    from sop_cli.definition.duration import chosen_toleransi
    from sop_cli.run import engine
    from sop_cli.run.service import _open
    from sop_cli.worktime import office_calendar, zone

    definition = entry.data
    proc = engine.procedure(definition)
    organisasi = definition["organisasi"]
    day_minutes = office_calendar(organisasi).day_minutes
    toleransi = chosen_toleransi(definition.get("toleransi"), office_toleransi)
    start, end = period.bounds(zone(proc.zone))
    with _open(store, create=False, readonly=True) as st, st.read():
        figures = st.period_figures(proc.qualified_id, start, end)
    ended = figures.finished + figures.refused
    by_step = {f.step: f for f in figures.steps}
    steps: list[PeriodStepRow] = []
    for no, step in proc.steps.items():
        found = by_step.get(no)
        standard = found.standard_minutes if found else None
        p90 = found.p90_minutes if found else None
        steps.append({
            "step": no, "kegiatan": step.kegiatan, "pelaksana": [proc.lanes.get(lane, lane) for lane in step.lanes],
            "external": step.external, "waktu": step.waktu, "standard_minutes": standard,
            "passes": found.passes if found else 0, "late": found.late if found else 0,
            "median_minutes": found.median_minutes if found else None, "p90_minutes": p90,
            "baik": None if p90 is None or step.external or step.durasi.untimed or standard is None
            else _within(p90, standard, toleransi, day_minutes),
        })
    office_total = sum(f.total_minutes for f in figures.lanes if not f.external)
    outside_total = sum(f.total_minutes for f in figures.lanes if f.external)
    lanes: list[PeriodLaneRow] = []
    for lane in sorted(figures.lanes, key=lambda f: (f.external, -f.total_minutes, f.lane)):
        whole = outside_total if lane.external else office_total
        lanes.append({"lane": lane.lane, "nama": proc.lanes.get(lane.lane, lane.lane), "external": lane.external,
                      "passes": lane.passes, "total_minutes": lane.total_minutes,
                      "median_minutes": lane.median_minutes,
                      "share_percent": round(100 * lane.total_minutes / whole) if whole else None})
    return {
        "sop": {"id": proc.qualified_id, "nama": proc.nama, "judul": definition.get("judul") or f"SOP {proc.nama}",
                "nomor": definition.get("nomor"), "organisasi": organisasi["nama"],
                "pemerintah": organisasi["pemerintah"], "kota": organisasi.get("kota"), "zona_waktu": proc.zone},
        "period": {"label": period.label, "first": period.start, "last": period.last},
        "now": now.astimezone(zone(proc.zone)),
        "day_minutes": day_minutes,
        "received": figures.received, "finished": figures.finished, "refused": figures.refused,
        "cancelled": figures.cancelled, "open": figures.open, "ended": ended, "within": figures.within,
        "within_percent": round(100 * figures.within / ended) if ended else None,
        "promised_minutes": figures.promised_minutes,
        "median_minutes": figures.median_minutes, "p90_minutes": figures.p90_minutes,
        "steps": steps, "lanes": lanes,
        "toleransi": toleransi.view() if toleransi else None,
    }


def _within(p90: int, standard: int, toleransi: Toleransi | None, day_minutes: int) -> bool:
    """Nine of ten passes within the Mutu Baku (`p90` ≤ `standard`), or within the tolerance past it."""
    return p90 <= standard or (toleransi is not None and toleransi.allows(p90 - standard, standard, day_minutes))
