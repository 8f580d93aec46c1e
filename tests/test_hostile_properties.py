"""Property-based: whatever YAML text, data or command-line value comes in, only sop's own errors
(SopError subclasses) come out of the loader and the --set/--at parsers, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_cli.errors import SopError
from tests.sample import VALID

FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

# Scalars as YAML writes them, including the ones its constructors trip on.
TRICKY = st.sampled_from([
    "2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31T25:61:61", "!!int abc", "!!bool maybe", "!!float abc",
    "!!timestamp foo", "!!null x", "!!str", "!!binary AAAA", "!!set {a}", "!!omap [a]", "!!python/none ''",
    "&a [*a]", "*a", "<<: {a: 1}", "0x", "0o9", "1e9999", "-.inf", ".nan", "~", "yes", "no", "on", "null",
    "'", '"', "[", "{", "- -", "? a", "|", ">", "%YAML 1.1", "---", "...", "\t", "\x00", "\ufeff", "\u202e",
    "18446744073709551616", "-1", "0", "true", "1_000", "190:20:30", "!!int 9" + "9" * 5000,
])
SCALAR = st.one_of(TRICKY, st.text(max_size=30), st.integers(), st.booleans(), st.floats(allow_nan=True))


def _check(path: Path, text: str | bytes) -> None:
    from sop_cli.definition.loader import load_definition

    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        load_definition(path)
    except SopError:
        pass


@FAST
@given(text=st.text(max_size=300))
def test_any_text_is_loaded_or_refused_with_a_sop_error(tmp_path: Path, text: str) -> None:
    _check(tmp_path / "gen.yaml", text)


@FAST
@given(data=st.binary(max_size=200))
def test_any_bytes_are_loaded_or_refused_with_a_sop_error(tmp_path: Path, data: bytes) -> None:
    _check(tmp_path / "gen.yaml", data)


@FAST
@given(lines=st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["a:", "- ", "b: ", "- c: ", "? ", ""]), SCALAR),
                      max_size=25))
def test_yaml_shaped_text_with_tricky_scalars(tmp_path: Path, lines: list[tuple[int, str, object]]) -> None:
    text = "".join(f"{' ' * indent}{lead}{value}\n" for indent, lead, value in lines)
    _check(tmp_path / "gen.yaml", text)


_FIELDS = ["nama: Prosedur Uji", "  - no: 2", "    waktu: 1 hari", "  alias: [uji]", "  id: kantor-uji",
           "    pelaksana: [staf]", "    simbol: selesai", "dasar_hukum: [Peraturan Bupati Uji Nomor 1 Tahun 2024]"]


@FAST
@given(field=st.sampled_from(_FIELDS), value=SCALAR)
def test_a_valid_sop_with_one_value_replaced(tmp_path: Path, field: str, value: object) -> None:
    key = field.split(":")[0]
    _check(tmp_path / "gen.yaml", VALID.replace(field, f"{key}: {value}", 1))


_DATA = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10), st.dates()),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=30,
)


@FAST
@given(data=_DATA)
def test_any_yaml_data_document(tmp_path: Path, data: object) -> None:
    _check(tmp_path / "gen.yaml", yaml.safe_dump(data, allow_unicode=True))


@FAST
@given(depth=st.integers(1, 700), flow=st.booleans())
def test_any_nesting_depth(tmp_path: Path, depth: int, flow: bool) -> None:
    text = ("a: " + "[" * depth + "]" * depth) if flow else "".join("  " * i + "-\n" for i in range(depth))
    _check(tmp_path / "gen.yaml", text + "\n")


@FAST
@given(items=st.lists(st.text(max_size=40), max_size=6))
def test_set_values_are_read_or_refused_with_a_sop_error(items: list[str]) -> None:
    from sop_cli.cli.parse import parse_settings
    from sop_cli.render.documents import read_values

    try:
        read_values(None, parse_settings(items), "undangan")
    except SopError:
        pass


@FAST
@given(text=st.one_of(st.text(max_size=40), st.from_regex(r"\d{1,5}-\d{1,3}-\d{1,3}([ T]\d{1,3}[:.]\d{1,3})?([+-]\d{2}:\d{2})?",
                                                          fullmatch=True)))
def test_at_values_are_read_or_refused_with_a_sop_error(text: str) -> None:
    from sop_cli.cli.parse import parse_at

    try:
        parse_at(text)
    except SopError:
        pass


def test_the_properties_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader check above would let a non-SopError through: prove it with a loader that crashes.
    import sop_cli.definition.loader as loader

    monkeypatch.setattr(loader, "validate_data", lambda located: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        _check(tmp_path / "gen.yaml", VALID)


@FAST
@given(text=st.text(max_size=80))
def test_shown_text_is_inert_for_a_terminal(text: str) -> None:
    import unicodedata

    from sop_cli.cli.output import shown

    for multiline in (False, True):
        out = shown(text, multiline=multiline)
        for char in out:
            category = unicodedata.category(char)
            assert category not in ("Cc", "Cf", "Cs", "Zl", "Zp") or (multiline and char in "\n\t"), (text, out)
        if text.isprintable():
            assert out == text


@FAST
@given(text=st.text(max_size=80))
def test_markdown_text_has_no_link_syntax_and_is_idempotent(text: str) -> None:
    from sop_cli.render.env import markdown_cell, markdown_text

    out = markdown_text(text)
    assert not set("[]<>") & set(out)
    assert markdown_text(out) == out
    cell = markdown_cell(text)
    assert "\n" not in cell and not set("[]<>") & set(cell)
