"""Mutu baku waktu and NIP, the two value formats an SOP file gets wrong most often."""

from __future__ import annotations

import pytest

from sop_cli.definition.duration import Duration, parse_duration
from sop_cli.definition.nip import check_nip, format_nip


@pytest.mark.parametrize(("text", "expected"), [
    ("5 menit", Duration(5, "menit")),
    ("15 Menit", Duration(15, "menit")),
    ("2 Jam", Duration(2, "jam")),
    ("1 hari", Duration(1, "hari")),
    ("4 Hari", Duration(4, "hari")),
    ("1 hari kerja", Duration(1, "hari")),
    ("3 Hari Kerja", Duration(3, "hari")),
    ("1 minggu", Duration(1, "minggu")),
    ("  10   menit ", Duration(10, "menit")),
])
def test_accepted_forms(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["sebentar", "menit", "5", "1,5 jam", "2 jam kerja", "0 menit", "5 detik", "-1 hari"])
def test_rejected_forms_list_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_duration(text)
    assert repr(text) in str(error.value)


def test_zero_is_rejected_with_its_own_reason() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        parse_duration("0 menit")


def test_nip_formats() -> None:
    assert check_nip("19690115 199003 1 008") == "196901151990031008"
    assert format_nip("196901151990031008") == "19690115 199003 1 008"
    assert format_nip("bukan nip") == "bukan nip"


@pytest.mark.parametrize(("nip", "reason"), [
    ("1969011519900310", "must be 18 digits"),
    ("19690115199003100A", "must be 18 digits"),
    ("19690230 199003 1 008", "not a valid birth date"),
    ("19690115 199013 1 008", "not a month of appointment"),
    ("19690115 198003 1 008", "before the age of 18"),
    ("19690115 199003 0 008", "must be 1 (pria) or 2 (wanita)"),
])
def test_bad_nips(nip: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        check_nip(nip)
