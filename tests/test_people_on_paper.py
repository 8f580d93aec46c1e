"""People, not accounts: a report credits steps to the persons the run assigns or the register
names, never to the operating-system account that typed `sop advance` (that stays in `sop log`);
"Mengetahui" names the head, and the report has a signature block for whoever made it."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def unassigned(sop, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Ngronggot run nobody was assigned to, advanced by the OS account `root` (no SOP_USER)."""
    import getpass

    monkeypatch.delenv("SOP_USER", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    started = sop("start", "renja", "--org", "ngronggot", "--year", "2027", "--at", "2026-11-23 08:00", "--json")
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)["run"]
    for at in ("2026-11-23 08:05", "2026-11-23 10:00"):
        assert sop("advance", "--run", run, "--at", at).exit_code == 0
    return run


def test_the_os_account_is_never_a_person_on_paper(sop, unassigned: str) -> None:
    for fmt in ("md", "html"):
        report = sop("report", "--run", unassigned, "--format", fmt)
        assert report.exit_code == 0, report.output
        assert "root" not in report.stdout
    data = json.loads(sop("report", "--run", unassigned, "--format", "json").stdout)
    assert [r["person"] for r in data["rows"][:2]] == [None, None]
    assert "root" in sop("log", "--run", unassigned).stdout  # audit data stays


def test_the_register_names_the_people_and_the_report_has_both_signatures(sop, unassigned: str) -> None:
    html = sop("report", "--run", unassigned, "--format", "html").stdout
    # step 1 is the Camat's: the register names him; "Mengetahui" is the head, the maker signs too
    assert html.count("MOHAMAD MAKRUP, S.Sos") >= 2
    assert "Mengetahui," in html and "Yang membuat," in html
    assert "Kepala Subbagian Perencanaan dan Keuangan Kecamatan Ngronggot," in html
    sop("org", "pejabat", "ngronggot", "kasubag-perencanaan", "--nama", "SITI AMINAH, S.E.")
    md = sop("report", "--run", unassigned, "--format", "md").stdout
    made = md[md.index("Yang membuat,"):]
    assert "SITI AMINAH, S.E." in made
