"""Limits outside the limits: a document type's `bawaan` default, a number that makes rows, a list
that makes sheets. Each is bounded and refused with a clear error and a documented exit code
(1 for what a file says, 2 for what the command line says), quickly, never exit 70."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from tests.hostile import as_user, invoke
from tests.sample import VALID


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


@pytest.fixture
def office(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An SOP whose step 1 outputs `nota`, a document type of its own; a run of it started."""
    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    write(folder / "uji.yaml", VALID.replace("    output: Disposisi\n", "    output: Disposisi\n    dokumen: nota\n", 1))
    write(folder / "dokumen" / "nota.html", "<p>{{ nilai.isi }}</p><table>{% for n in range(nilai.baris) %}<tr><td>"
                                             "{{ n }}</td></tr>{% endfor %}</table>\n")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert invoke(sop, "start", "uji", "--at", "2026-11-26 08:00").code == 0
    return folder


def manifest(folder: Path, isi: str, baris: str = '"3"') -> Path:
    return write(folder / "dokumen" / "nota.yaml", f"""\
judul: Nota dinas
sejak: mulai
nilai:
  isi: {{jenis: text, bawaan: {isi}}}
  baris: {{jenis: number, bawaan: {baris}, maks: 100}}
""")


@pytest.mark.parametrize(("isi", "baris", "words"), [
    ('"range(10**9)|list"', '"3"', "nilai.isi.bawaan: OverflowError: Range too big"),
    ("\"'x'|center(999999999)\"", '"3"', "nilai.isi.bawaan: the template needs more memory than there is; stopped"),
    ('"9 ** 99999999"', '"3"', "nilai.isi.bawaan: not allowed in a template: 9 ** 99999999 is too large a number"),
    ("\"'x' * 10**9\"", '"3"', "nilai.isi.bawaan: not allowed in a template: repeating a text or list"),
    ('"\'ok\'"', '"10**8"', "nilai.baris.bawaan: baris: 100000000 is more than 100, the most this document takes."),
    ('"1 / 0"', '"3"', "nilai.isi.bawaan: ZeroDivisionError"),
])
def test_a_hostile_default_is_a_clear_error(sop, office: Path, isi: str, baris: str, words: str) -> None:
    path = manifest(office, isi, baris)
    ran = invoke(sop, "render", "nota", "--format", "html")
    assert ran.code == 1, ran.output
    assert ran.first.startswith(f"Error: {path}: ") and words in ran.first, ran.output


def test_a_slow_default_is_stopped(sop, office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sop_cli.render import env

    manifest(office, "\"'siap'\"")
    assert invoke(sop, "render", "nota", "--format", "html").code == 0  # the environment is built: only the default is timed
    monkeypatch.setattr(env, "MAX_SECONDS", 0.05)
    path = manifest(office, '"(range(100000)|list * 10)|sort|length"')
    ran = invoke(sop, "render", "nota", "--format", "html")
    assert ran.code == 1, ran.output
    assert ran.first == f"Error: {path}: nilai.isi.bawaan: the template took more than 0.05 s to render; stopped"


def test_a_good_default_still_renders(sop, office: Path) -> None:
    manifest(office, "\"'Untuk ' ~ sop.nama\"")
    ran = invoke(sop, "render", "nota", "--format", "html")
    assert ran.code == 0, ran.output
    assert "<p>Untuk Prosedur Uji</p>" in ran.stdout and ran.stdout.count("<tr>") == 3


@pytest.mark.parametrize("maks", ['"banyak"', "-1", "true", "1.5"])
def test_a_maks_that_is_not_a_whole_number_is_a_located_error(sop, office: Path, tmp_path: Path, maks: str) -> None:
    path = write(office / "dokumen" / "nota.yaml", f"judul: Nota\nnilai:\n  baris: {{jenis: number, maks: {maks}}}\n")
    ran = invoke(sop, "validate", tmp_path / "sops")
    assert ran.code == 1, ran.output
    assert f"{path}:3:" in ran.stdout and "nilai.baris.maks: the largest value of a number" in ran.stdout


# format-data, the shipped form: rows and sheets ----------------------------------------------------


@pytest.fixture
def at_format_data(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Nganjuk Renja run at step 7, whose output is the format-data form."""
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert invoke(sop, "start", "renja", "--org", "ngronggot").code == 0
    for _ in range(6):
        assert invoke(sop, "advance").code == 0


@pytest.mark.parametrize(("fmt", "setting", "words"), [
    ("xlsx", "baris=100000000", "Error: baris: '100000000' is more than 500, the most this document takes."),
    ("html", "baris=100000000", "Error: baris: '100000000' is more than 500, the most this document takes."),
    ("xlsx", "baris=" + "9" * 40, "Error: baris: '" + "9" * 40 + "' has more than 18 digits."),
    ("xlsx", "seksi=" + ";".join(["Seksi"] * 5000), "Error: seksi: 5000 items; a document takes at most 1000."),
])
def test_format_data_refuses_what_would_run_for_minutes(sop, at_format_data: None, tmp_path: Path,
                                                        fmt: str, setting: str, words: str) -> None:
    out = tmp_path / f"format.{fmt}"
    ran = invoke(sop, "render", "format-data", "--set", setting, "--out", out)
    assert ran.code == 2, ran.output
    assert ran.first == words
    assert not out.exists()


def test_format_data_takes_a_reasonable_number_of_rows(sop, at_format_data: None, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "format.xlsx"
    ran = invoke(sop, "render", "format-data", "--set", "baris=40", "--set", "seksi=Umum;Pemerintahan", "--out", out)
    assert ran.code == 0, ran.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Umum", "Pemerintahan"]
    numbers = [row[0] for row in book["Umum"].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbers == list(range(1, 41))  # 40 rows to fill, numbered


def test_a_workbook_form_is_bounded_whatever_its_manifest_says(sop, at_format_data: None, tmp_path: Path) -> None:
    """A copy of the manifest in ./templates without `maks` still makes no 10**8-row workbook."""
    from tests.conftest import REPO

    shipped = (REPO / "templates" / "format-data.yaml").read_text(encoding="utf-8")
    write(tmp_path / "templates" / "format-data.yaml", shipped.replace(", maks: 500", ""))
    (tmp_path / "templates" / "format-data.html").write_text(
        (REPO / "templates" / "format-data.html").read_text(encoding="utf-8"), encoding="utf-8")
    ran = invoke(sop, "render", "format-data", "--set", "baris=100000000", "--out", tmp_path / "f.xlsx")
    assert ran.code == 2, ran.output
    assert ran.first == ("Error: format-data: 1 × 100000000 rows to fill; a workbook form has at most 10000 in all "
                         "(fewer seksi or fewer baris).")


def test_a_workbook_form_is_bounded_in_all_its_sheets(sop, at_format_data: None, tmp_path: Path) -> None:
    """1000 seksi of 500 rows each would be half a million rows: refused at once."""
    seksi = ";".join(f"Seksi {n}" for n in range(1000))
    ran = invoke(sop, "render", "format-data", "--set", "baris=500", "--set", f"seksi={seksi}", "--out",
                 tmp_path / "f.xlsx")
    assert ran.code == 2, ran.output
    assert ran.first.startswith("Error: format-data: 1000 × 500 rows to fill; a workbook form has at most 10000")


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="a timer to bound renders")
@pytest.mark.parametrize("seconds", [1e-6, 0.001, 0.02])
def test_a_time_limit_ends_with_the_render_however_early_it_rings(sop, office: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  seconds: float) -> None:
    """The alarm may ring while the bounds are being set up or taken down: the render is still
    stopped, and no alarm or handler outlives it (it would strike whatever runs next)."""
    import signal

    from sop_cli.render import env

    manifest(office, "\"'siap'\"")
    assert invoke(sop, "render", "nota", "--format", "html").code == 0
    before = signal.getsignal(signal.SIGALRM)
    monkeypatch.setattr(env, "MAX_SECONDS", seconds)
    manifest(office, '"(range(100000)|list * 10)|sort|length"')
    ran = invoke(sop, "render", "nota", "--format", "html")
    assert ran.code == 1 and "the template took more than" in ran.first, ran.output
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="a timer to bound renders")
def test_a_time_limit_ringing_inside_a_gc_callback_still_stops_the_render(sop, office: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A garbage-collector callback (a library may install one; Hypothesis does) swallows what is
    raised in it: the alarm must not ring there, and the render is still stopped."""
    import gc
    import signal
    import time

    from sop_cli.render import env

    held = []

    def slow_callback(phase: str, info: dict) -> None:
        # once the render's timer is armed, one collection outlasts it: the alarm rings in here
        if held or signal.getitimer(signal.ITIMER_REAL)[0] == 0:
            return
        held.append(phase)
        end = time.perf_counter() + 4 * env.MAX_SECONDS
        while time.perf_counter() < end:
            pass

    manifest(office, '"1 + 1"')
    assert invoke(sop, "render", "nota", "--format", "html").code == 0  # imports done: the slow part is the render
    manifest(office, '"(range(100000)|list * 10)|sort|length"')
    gc.callbacks.append(slow_callback)
    old = gc.get_threshold()
    try:
        gc.set_threshold(50)  # collections (and so the callback) run all through the render
        monkeypatch.setattr(env, "MAX_SECONDS", 0.05)
        ran = invoke(sop, "render", "nota", "--format", "html")
    finally:
        gc.callbacks.remove(slow_callback)
        gc.set_threshold(*old)
    assert held, "no collection ran while the render's timer was armed"
    assert ran.code == 1 and "the template took more than" in ran.first, ran.output
    assert "Exception ignored" not in ran.output  # it never rang where Python would only print it
