"""Plain-data views of SOP definitions for `sop list` and `sop show` (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from sop_cli.definition.catalog import Catalog, Entry
from sop_cli.definition.graph import LISTS

__all__ = ["LISTS", "describe", "list_rows"]  # LISTS lives in graph; named here for the CLI


def list_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """One row per SOP for `sop list`."""
    return [
        {
            "id": entry.qualified_id,
            "short_id": entry.head.id,
            "organisasi": entry.head.org.nama,
            "pemerintah": entry.head.org.pemerintah,
            "nama": entry.head.nama,
            "langkah": entry.head.langkah,
            "waktu_total_menit": entry.head.waktu_total_menit,
            "waktu_total": entry.head.waktu_total,
            "path": str(entry.path),
        }
        for entry in catalog.entries
    ]


def describe(entry: Entry) -> dict[str, Any]:
    """Everything `sop show` prints: the definition plus derived totals."""
    data = entry.data
    data["qualified_id"] = entry.qualified_id
    data["path"] = str(entry.path)
    data["waktu_total_menit"] = entry.head.waktu_total_menit
    data["waktu_total"] = entry.head.waktu_total
    return data
