"""Plain-data views of SOP definitions for `sop list` and `sop show` (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from sop_cli.definition.catalog import Catalog, Entry
from sop_cli.definition.graph import LISTS, Graph

__all__ = ["LISTS", "describe", "list_rows", "total_minutes"]  # LISTS lives in graph; named here for the CLI


def total_minutes(graph: Graph) -> int:
    """Sum of the standard times of all steps, in working minutes (one pass, no rework); steps done
    at the same time (the branches of a split) count as the longest of them."""
    from sop_cli.worktime import duration_minutes

    minutes = {no: duration_minutes(step.durasi) for no, step in graph.steps.items()}
    total = sum(minutes.values())
    for step in graph.steps.values():
        if step.is_split:
            branches = [minutes[b] for b in step.branches]
            total -= sum(branches) - max(branches)
    return total


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
