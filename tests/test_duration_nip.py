"""Mutu baku waktu and NIP, the two value formats an SOP file gets wrong most often."""

from __future__ import annotations

import pytest

from sop_cli.definition.duration import (
    WAKTU_PATTERN,
    Duration,
    parse_duration,
    parse_waktu,
)
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


@pytest.mark.parametrize("text", ["sebentar", "menit", "5", "2 jam kerja", "0 menit", "5 detik", "-1 hari",
                                  "1.5 jam", "1 hari 2 jam", "2-1 hari", "1 jam 2 jam", "0,3 menit", "1,5 hari",
                                  "1 bulan 2 hari", "1-2", "1 hari - 2 jam", "0-2 hari"])
def test_rejected_forms_list_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_duration(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("2 jam 30 menit", Duration(150, "menit")),
    ("1 Jam 15 Menit", Duration(75, "menit")),
    ("0,5 jam", Duration(30, "menit")),
    ("1,5 jam", Duration(90, "menit")),
    ("0,25 Jam", Duration(15, "menit")),
    ("1,5 minggu", None),
    ("1 minggu 2 hari", Duration(7, "hari")),
    ("1-2 hari", Duration(2, "hari", lower=1)),
    ("1 - 2 Hari Kerja", Duration(2, "hari", lower=1)),
    ("30 menit - 1 jam", Duration(60, "menit", lower=30)),
    ("1 s.d. 3 hari", Duration(3, "hari", lower=1)),
    ("2 sampai dengan 5 hari", Duration(5, "hari", lower=2)),
    ("3 hari - 1 minggu", Duration(5, "hari", lower=3)),
    ("1 hari kalender", Duration(1, "hari kalender")),
    ("3 Hari  Kalender", Duration(3, "hari kalender")),
    ("1 bulan", Duration(1, "bulan")),
    ("10 Menit", Duration(10, "menit")),
    ("sesuai jadwal", Duration(0, "menit", untimed=True)),
    ("Sesuai  Jadwal", Duration(0, "menit", untimed=True)),
    ("-", Duration(0, "menit", untimed=True)),
    ("menyesuaikan", Duration(0, "menit", untimed=True)),
])
def test_forms_offices_write(text: str, expected: Duration | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="smaller unit"):
            parse_duration(text)
    else:
        assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["9999 minggu", "261 hari", "367 hari kalender", "13 bulan", "1951 jam",
                                  "1-300 hari"])
def test_absurd_times_are_refused_by_the_one_bound(text: str) -> None:
    assert parse_duration(text).value > 0  # the shape is fine; pinned runs still replay it
    with pytest.raises(ValueError, match="longer than a step can take"):
        parse_waktu(text)


@pytest.mark.parametrize("text", ["260 hari", "52 minggu", "366 hari kalender", "12 bulan", "1950 jam"])
def test_a_year_is_still_accepted(text: str) -> None:
    assert parse_waktu(text).value > 0


def test_the_schema_pattern_agrees_with_the_parser_on_shape() -> None:
    import re

    pattern = re.compile(WAKTU_PATTERN)
    good = ["5 menit", "15 Menit", "2 jam 30 menit", "0,5 jam", "1-2 hari", "30 menit - 1 jam",
            "3 hari kalender", "1 BULAN", "sesuai jadwal", "-", "1 hari kerja", "1 s.d. 3 hari"]
    bad = ["sebentar", "5", "1.5 jam", "5 detik", "-1 hari", "2 jam kerja", "1-2", "s.d. 2 hari"]
    assert [t for t in good if not pattern.match(t)] == []
    assert [t for t in bad if pattern.match(t)] == []
    for text in bad:
        with pytest.raises(ValueError):
            parse_duration(text)


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
