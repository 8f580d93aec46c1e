"""NIP (Nomor Induk Pegawai), the 18-digit number of an Indonesian civil servant (Perka BKN 22/2007).

Digits: birth date YYYYMMDD (8), month of first appointment as CPNS YYYYMM (6), sex 1=pria 2=wanita
(1), serial number (3). Written for people as `19690115 199003 1 008`.
"""

from __future__ import annotations

from datetime import date

from sop_cli.i18n import _


def check_nip(nip: str) -> str:
    """Return the NIP without spaces, or raise ValueError saying which part is wrong."""
    digits = "".join(str(nip).split())
    if not (len(digits) == 18 and digits.isascii() and digits.isdigit()):
        raise ValueError(_("NIP {nip} must be 18 digits (e.g. 19690115 199003 1 008)").format(nip=repr(nip)))
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValueError(_("NIP {nip}: digits 1-8 ({digits}) are not a valid birth date").format(
            nip=repr(nip), digits=digits[:8])) from None
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        raise ValueError(_("NIP {nip}: digits 13-14 ({digits}) are not a month of appointment").format(
            nip=repr(nip), digits=digits[12:14]))
    if year < born.year + 18 or (year, month) < (born.year + 18, born.month):
        raise ValueError(_("NIP {nip}: appointment {appointed} is before the age of 18 (born {born})").format(
            nip=repr(nip), appointed=f"{year}-{month:02d}", born=born.isoformat()))
    if digits[14] not in "12":
        raise ValueError(_("NIP {nip}: digit 15 ({digit}) must be 1 (pria) or 2 (wanita)").format(
            nip=repr(nip), digit=digits[14]))
    return digits


def format_nip(nip: str) -> str:
    """`196901151990031008` -> `19690115 199003 1 008` (other values are returned unchanged)."""
    d = "".join(str(nip).split())
    if len(d) != 18 or not d.isdigit():
        return str(nip)
    return f"{d[:8]} {d[8:14]} {d[14]} {d[15:]}"
