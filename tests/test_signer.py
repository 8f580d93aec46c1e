"""Who signs a letter follows the register by role, never a substring, and a signer is never among
the addressees (Permendagri 1/2023 on a.n./u.b.): both seeds and an SOP whose head is invited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_report import LAMPUNG, NGANJUK, make_run

UNDANGAN = ["--set", "nomor=005/87/411.512/2026", "--set", "rapat.tanggal=2026-11-24", "--set", "rapat.waktu=09.00",
            "--set", "rapat.tempat=Aula Kantor", "--format", "md"]
CAMAT = "MOHAMAD MAKRUP, S.Sos"
SEKCAM = "Drs. SUGENG RAHARJO, M.Si"


def undangan(sop, run: str, kepada: str, *extra: str):
    return sop("render", "undangan", "--run", run, "--set", f"kepada={kepada}", *UNDANGAN, *extra)


def test_kecamatan_in_an_addressee_is_not_the_camat(sop, monkeypatch) -> None:
    run = make_run(sop, monkeypatch, NGANJUK)
    result = undangan(sop, run, "Kepala Seksi Pemerintahan Kecamatan Ngronggot;Kepala Subbagian Umum Kecamatan Ngronggot")
    assert result.exit_code == 0, result.output
    assert "a.n. Camat Ngronggot" in result.stdout and SEKCAM in result.stdout and CAMAT not in result.stdout
    assert "addressees" not in result.stderr


def test_an_invitation_to_the_camat_is_signed_by_the_sekretaris_in_his_own_name(sop, monkeypatch) -> None:
    run = make_run(sop, monkeypatch, NGANJUK)
    for kepada in ("Camat Ngronggot;Kepala Seksi Pemerintahan", "Yth. Camat;Para Kepala Seksi"):
        result = undangan(sop, run, kepada)
        assert result.exit_code == 0, result.output
        assert "a.n." not in result.stdout and CAMAT not in result.stdout and SEKCAM in result.stdout
        assert "Camat Ngronggot is among the addressees" in result.stderr


def test_another_offices_head_is_not_this_one(sop, monkeypatch) -> None:
    run = make_run(sop, monkeypatch, LAMPUNG)
    result = undangan(sop, run, "Kepala Dinas Pendidikan Kabupaten Lampung Tengah;Para Kepala Bidang")
    assert result.exit_code == 0, result.output
    assert "a.n. Kepala Dinas" in result.stdout  # the Sekretaris on behalf of his own head


@pytest.mark.parametrize("kepada", ["Kepala Dinas", "Kadis",
                                    "Kepala Dinas Komunikasi Informatika dan Statistik Kabupaten Lampung Tengah"])
def test_the_kepala_dinas_invited_never_signs_in_lampung(sop, monkeypatch, kepada: str) -> None:
    run = make_run(sop, monkeypatch, LAMPUNG)
    result = undangan(sop, run, f"{kepada};Para Pejabat Eselon III")
    assert result.exit_code == 0, result.output
    assert "Ir. HENDRA WIJAYA, M.M." not in result.stdout and "a.n." not in result.stdout
    assert "Dra. RINA MARLINA" in result.stdout


def test_a_chosen_signer_among_the_addressees_is_refused(sop, monkeypatch) -> None:
    run = make_run(sop, monkeypatch, NGANJUK)
    monkeypatch.delenv("SOP_DEBUG")
    result = undangan(sop, run, "Sekretaris Kecamatan Ngronggot", "--set", "penandatangan=sekretaris")
    assert result.exit_code == 2
    assert "is among the addressees" in result.stderr and "Traceback" not in result.output


@pytest.fixture
def badan(sop, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SOP_PATH", str(REPO / "examples" / "sops"))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2026-11-23T10:00+07:00")
    result = sop("start", "rapat-pimpinan", "--at", "2026-11-23T08:00")
    assert result.exit_code == 0, result.output
    return re.search(r"rapat-pimpinan-\d{4}", result.stdout).group(0)


def test_an_sop_whose_step_invites_the_head_warns_and_the_sekretaris_signs(sop, badan: str) -> None:
    result = undangan(sop, badan, "Kepala Badan Perencanaan Pembangunan Daerah Kabupaten Contoh;Para Kepala Bidang")
    assert result.exit_code == 0, result.output
    assert "Dra. SITI RAHAYU" in result.stdout and "BUDI SANTOSO" not in result.stdout and "a.n." not in result.stdout
    assert "Step 1 invites him itself" in result.stderr  # "Mengundang Kaban dan para Kepala Bidang ..."
    others = undangan(sop, badan, "Para Kepala Bidang")
    assert "a.n. Kepala Badan" in others.stdout and "Dra. SITI RAHAYU" in others.stdout
    assert "addressees" not in others.stderr


def test_the_register_matching_reads_roles_not_substrings() -> None:
    from sop_cli.definition.loader import load_definition
    from sop_cli.render.organisation import addressees, find_organisation, officials

    path = REPO / "sops" / "nganjuk" / "kecamatan-ngronggot" / "renja.yaml"
    definition = load_definition(path)
    people = officials(definition, find_organisation(Path(path).parent), {})
    assert addressees(["Kepala Seksi Pemerintahan Kecamatan Ngronggot"], people, definition) == frozenset()
    assert addressees(["Yth. Bapak Camat Ngronggot"], people, definition) == {"camat"}
    assert addressees(["Sekretaris Kecamatan Ngronggot"], people, definition) == {"sekretaris"}
    assert addressees(["Sekretaris Daerah Kabupaten Nganjuk"], people, definition) == frozenset()
