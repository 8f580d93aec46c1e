"""Plain-data views of SOP definitions for `sop list` and `sop show` (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from sop_cli.calendar import duration_minutes, format_minutes
from sop_cli.catalog import Catalog, Entry

LISTS = (
    ("dasar_hukum", "Dasar Hukum"),
    ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"),
    ("peralatan_perlengkapan", "Peralatan/Perlengkapan"),
    ("peringatan", "Peringatan"),
    ("pencatatan_pendataan", "Pencatatan dan Pendataan"),
)


def total_minutes(sop: Any) -> int:
    """Sum of the standard times of all steps, in working minutes (one pass, no rework)."""
    return sum(duration_minutes(step.durasi) for step in sop.langkah)


def list_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """One row per SOP for `sop list`."""
    return [
        {
            "id": entry.qualified_id,
            "short_id": entry.sop.id,
            "organisasi": entry.sop.organisasi.nama,
            "pemerintah": entry.sop.organisasi.pemerintah,
            "nama": entry.sop.nama,
            "langkah": len(entry.sop.langkah),
            "waktu_total_menit": total_minutes(entry.sop),
            "waktu_total": format_minutes(total_minutes(entry.sop)),
            "path": str(entry.path),
        }
        for entry in catalog.entries
    ]


def describe(entry: Entry) -> dict[str, Any]:
    """Everything `sop show` prints: the definition plus derived totals."""
    sop = entry.sop
    data = sop.model_dump(mode="json")
    data["qualified_id"] = entry.qualified_id
    data["path"] = str(entry.path)
    data["waktu_total_menit"] = total_minutes(sop)
    data["waktu_total"] = format_minutes(total_minutes(sop))
    return data
