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
    # every format names the same people: step 1 is the Camat's (the register), step 2 nobody's
    assert [r["person"] for r in data["rows"][:2]] == ["MOHAMAD MAKRUP, S.Sos", None]
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


def report_rows(sop, run: str) -> list[dict]:
    result = sop("report", "--run", run, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"]


def test_who_typed_the_steps_is_audit_data_not_the_person_who_did_them(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    # The planner types every step of a Lampung run as SOP_USER; only the Kepala Dinas is assigned
    # and the register names nobody: the steps of other lanes have a line to fill, never his name.
    monkeypatch.setenv("SOP_USER", "Perencana Andi")
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    started = sop("start", "lampung-tengah/diskominfo/renja", "--year", "2027", "--at", "2026-11-23 08:00",
                  "--assign", "kepala-dinas=Ir. HENDRA WIJAYA, M.M.", "--json")
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)["run"]
    for at in ("2026-11-23 08:05", "2026-11-23 10:00"):
        assert sop("advance", "--run", run, "--at", at).exit_code == 0
    rows = report_rows(sop, run)
    assert [r["person"] for r in rows[:2]] == [None, None]  # Sekretaris, Perencana: nobody named
    assert rows[10]["person"] == "Ir. HENDRA WIJAYA, M.M."  # step 11, the Kepala Dinas's, still ahead
    for fmt in ("md", "html", "csv", "table"):
        shown = sop("report", "--run", run, "--format", fmt).stdout
        assert "Perencana Andi" not in shown, fmt
    md = sop("report", "--run", run, "--format", "md").stdout
    assert "| Sekretaris | .................. | selesai |" in md  # a line for the person to fill
    assert "Mengetahui,  \nKepala Dinas" in md and "**Ir. HENDRA WIJAYA, M.M.**" in md
    assert "Perencana Andi" in sop("log", "--run", run).stdout  # who typed it: the audit trail


def test_a_step_typed_with_by_is_credited_to_whom_the_run_assigned_its_lane(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_USER", "operator")
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    started = sop("start", "renja", "--org", "ngronggot", "--year", "2027", "--at", "2026-11-23 08:00",
                  "--assign", "kasubag-perencanaan=SITI AMINAH, S.E.", "--json")
    run = json.loads(started.stdout)["run"]
    assert sop("advance", "--run", run, "--at", "2026-11-23 08:05").exit_code == 0
    assert sop("advance", "--run", run, "--at", "2026-11-23 09:00", "--by", "Operator Kecamatan").exit_code == 0
    rows = report_rows(sop, run)
    assert [r["person"] for r in rows[:2]] == ["MOHAMAD MAKRUP, S.Sos", "SITI AMINAH, S.E."]
    log = sop("log", "--run", run, "--json").stdout
    assert [e["actor"] for e in json.loads(log)[1:3]] == ["operator", "Operator Kecamatan"]  # the audit trail


def test_mengetahui_is_the_head_the_run_names_without_another_persons_nip(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    # The register names the Camat with his NIP; this run is led by a Plt.: he signs, and the NIP
    # and pangkat written for the Camat are not printed under his name.
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    started = sop("start", "renja", "--org", "ngronggot", "--year", "2027", "--at", "2026-11-23 08:00",
                  "--assign", "camat=Drs. PLT CAMAT, M.Si", "--json")
    run = json.loads(started.stdout)["run"]
    assert sop("advance", "--run", run, "--at", "2026-11-23 08:05").exit_code == 0
    md = sop("report", "--run", run, "--format", "md").stdout
    signed = md[md.index("Mengetahui,"):md.index("Yang membuat,")]
    assert "**Drs. PLT CAMAT, M.Si**" in signed and "NIP. ......" in signed
    assert "MOHAMAD MAKRUP" not in md and "19690115" not in md and "Pembina Tk. I" not in md
    assert report_rows(sop, run)[0]["person"] == "Drs. PLT CAMAT, M.Si"


def test_without_a_register_mengetahui_is_the_head_the_run_names(sop, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An office's own SOP with no organisation file: the SOP's disahkan_oleh is the head, unless
    # the run names who heads it.
    from tests.sample import VALID

    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    folder.mkdir(parents=True)
    (folder / "uji.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    started = sop("start", "uji", "--at", "2026-11-23 08:00", "--assign", "kepala=Dra. SRI WAHYUNI", "--json")
    run = json.loads(started.stdout)["run"]
    md = sop("report", "--run", run, "--format", "md").stdout
    signed = md[md.index("Mengetahui,"):md.index("Yang membuat,")]
    assert "**Dra. SRI WAHYUNI**" in signed and "BUDI SANTOSO" not in signed and "19700101" not in signed


def test_a_note_typed_by_the_login_has_no_name_on_paper(sop, unassigned: str) -> None:
    assert sop("note", "--run", unassigned, "Berkas diterima lengkap").exit_code == 0
    for fmt in ("md", "html"):
        shown = sop("report", "--run", unassigned, "--format", fmt).stdout
        assert "Berkas diterima lengkap" in shown and "root" not in shown, fmt
    notes = json.loads(sop("report", "--run", unassigned, "--format", "json").stdout)["catatan"]
    assert [n["by"] for n in notes] == [None]
    assert "root" in sop("log", "--run", unassigned).stdout
