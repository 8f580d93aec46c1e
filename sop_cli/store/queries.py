"""Reading queries both stores speak alike: each takes the store's `query(sql, params)` and, where
it builds placeholders, its mark (`?` for SQLite, `%s` for psycopg); the condition and its values
come from the store's own `filter_sql` (`WHERE …` or empty)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

Query = Callable[[str, tuple[Any, ...]], Iterable[Sequence[Any]]]


def run_heads(query: Query, condition: str, params: Sequence[object]) -> list[tuple[str, str, str, bool, str]]:
    """(id, sop_id, status, is a case, definition sha256) of every run the condition keeps, oldest
    first: what choosing runs needs, without their summaries."""
    return [(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), str(r[4])) for r in query(
        "SELECT id, sop_id, status, id IN (SELECT run_id FROM cases), definition_sha256 FROM runs"
        f"{condition} ORDER BY created_at, id", tuple(params))]


def ended_step_rows(query: Query, condition: str, params: Sequence[object]) -> Iterator[tuple[str, int, int, int, int]]:
    """(run id, step, working minutes, late, standard minutes) of every completed pass of the runs
    the condition keeps that are no longer active (cases of service SOPs left out: they are not a
    cycle's runs), streamed from `step_times` (no replay)."""
    rest = (f"{condition} AND " if condition else " WHERE ") + "status <> 'active' AND id NOT IN (SELECT run_id FROM cases)"
    rows = query("SELECT run_id, step, minutes, late, standard_minutes FROM step_times "
                 f"WHERE run_id IN (SELECT id FROM runs{rest}) ORDER BY run_id, seq", tuple(params))
    # typed NOT NULL columns (text, then integers; late is 0 or 1): passed on as the driver reads
    # them, since an evaluation streams millions of these rows
    return cast("Iterator[tuple[str, int, int, int, int]]", iter(rows))


def pinned_texts(query: Query, mark: str, shas: Sequence[str]) -> dict[str, str]:
    """The pinned JSON texts of these SHA-256s (asked 500 at a time)."""
    found: dict[str, str] = {}
    wanted = list(shas)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join(mark for _sha in chunk)
        found.update((str(r[0]), str(r[1])) for r in query(f"SELECT sha256, body FROM pinned WHERE sha256 IN ({marks})",
                                                           tuple(chunk)))
    return found


def sop_ids(query: Query, condition: str, params: Sequence[object]) -> list[str]:
    """The qualified ids of the SOPs of the runs the condition keeps, sorted."""
    return [str(r[0]) for r in query(f"SELECT DISTINCT sop_id FROM runs{condition} ORDER BY sop_id", tuple(params))]
