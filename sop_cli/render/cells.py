"""People's text in spreadsheets: never a formula.

A name, note, reason, title or seksi that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return is a live formula when a spreadsheet opens the file (`=HYPERLINK(...)`, `@SUM(...)`,
`-2+3`, DDE). `formula_like` is the one test; the writers apply it as each format allows:

- CSV (`csv_field`): such a field gets a leading `'`, as OWASP's CSV-injection guidance says
  (and the csv module quotes any field holding the delimiter, a quote or a line break);
- xlsx (`text_cells`): every text cell is stored as text (openpyxl's type `s`), so nothing is a
  formula and the text is shown as typed; numbers and dates stay typed cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula (or a DDE command)."""
    return text.startswith(FORMULA_STARTS)


def csv_field(value: object) -> object:
    """`value` as a CSV field: text that looks like a formula gets a leading `'`; numbers stay."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def text_cells(cells: Iterable[Any]) -> None:
    """Mark every openpyxl cell holding text as a text cell (never a formula, an error code or
    anything else the text's shape suggests)."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
