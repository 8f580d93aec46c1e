"""NIP (Nomor Induk Pegawai), the 18-digit number of an Indonesian civil servant (Perka BKN 22/2007).

Digits: birth date YYYYMMDD (8), month of first appointment as CPNS YYYYMM (6), sex 1=pria 2=wanita
(1), serial number (3). Written for people as `19690115 199003 1 008`.
"""

from __future__ import annotations

from datetime import date


def check_nip(nip: str) -> str:
    """Return the NIP without spaces, or raise ValueError saying which part is wrong."""
    digits = "".join(str(nip).split())
    if not (len(digits) == 18 and digits.isascii() and digits.isdigit()):
        raise ValueError(f"NIP {nip!r} must be 18 digits (e.g. 19690115 199003 1 008)")
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValueError(f"NIP {nip!r}: digits 1-8 ({digits[:8]}) are not a valid birth date") from None
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        raise ValueError(f"NIP {nip!r}: digits 13-14 ({digits[12:14]}) are not a month of appointment")
    if year < born.year + 18 or (year, month) < (born.year + 18, born.month):
        raise ValueError(
            f"NIP {nip!r}: appointment {year}-{month:02d} is before the age of 18 (born {born.isoformat()})"
        )
    if digits[14] not in "12":
        raise ValueError(f"NIP {nip!r}: digit 15 ({digits[14]}) must be 1 (pria) or 2 (wanita)")
    return digits


def format_nip(nip: str) -> str:
    """`196901151990031008` -> `19690115 199003 1 008` (other values are returned unchanged)."""
    d = "".join(str(nip).split())
    if len(d) != 18 or not d.isdigit():
        return str(nip)
    return f"{d[:8]} {d[8:14]} {d[14]} {d[15:]}"
