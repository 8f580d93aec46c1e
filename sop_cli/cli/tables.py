"""rich renderings of SOP data for the terminal (imported only by commands that draw tables)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from sop_cli.nip import format_nip

_SYMBOL = {"mulai": "(●)", "selesai": "(■)", "proses": "[▪]", "keputusan": "<◆>"}


def sop_list_table(rows: list[dict[str, Any]]) -> Table:
    """The `sop list` table."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for name, justify in (("ID", "left"), ("Organisasi", "left"), ("Nama SOP", "left"),
                          ("Langkah", "right"), ("Waktu total", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row["id"], row["organisasi"], row["nama"], str(row["langkah"]), row["waktu_total"])
    if not rows:
        table.caption = "No SOP files found (see `sop validate`)."
    return table


def print_sop(console: Any, data: dict[str, Any]) -> None:
    """`sop show`: identity, the six lists, the swimlane table."""
    org = data["organisasi"]
    signer = data["disahkan_oleh"]
    identity = Table(box=box.SIMPLE, show_header=False, title=f"{org['pemerintah']}\n{org['nama']}",
                     title_style="bold")
    identity.add_column(style="bold")
    identity.add_column()
    signer_text = ", ".join(x for x in (signer["jabatan"], signer.get("nama"), signer.get("pangkat")) if x)
    if signer.get("nip"):
        signer_text += f", NIP {format_nip(signer['nip'])}"
    for label, value in (
        ("Nama SOP", data["nama"]),
        ("ID", data["qualified_id"]),
        ("Nomor SOP", data.get("nomor")),
        ("Tanggal Pembuatan", data.get("tanggal_pembuatan")),
        ("Tanggal Revisi", data.get("tanggal_revisi")),
        ("Tanggal Pengesahan", data.get("tanggal_pengesahan")),
        ("Tanggal Efektif", data.get("tanggal_efektif")),
        ("Disahkan oleh", signer_text),
        ("Zona waktu", org["zona_waktu"]),
    ):
        identity.add_row(label, value or "—")
    console.print(identity)

    from sop_cli.overview import LISTS

    lists = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True)
    lists.add_column("")
    lists.add_column("")
    for (left, left_title), (right, right_title) in zip(LISTS[::2], LISTS[1::2]):
        lists.add_row(Text(left_title, style="bold"), Text(right_title, style="bold"))
        lists.add_row(_numbered(data[left]), _numbered(data[right]))
    console.print(lists)
    if data.get("penjelasan"):
        console.print(Text("Penjelasan", style="bold"))
        for paragraph in data["penjelasan"]:
            console.print(paragraph)
        console.print()
    console.print(steps_table(data))


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)) or "—"


def steps_table(data: dict[str, Any]) -> Table:
    """The flowchart table in the terminal: one column per lane, a symbol where the lane acts."""
    lanes = data["pelaksana"]
    table = Table(title=f"SOP: {data['nama']}", box=box.SQUARE, show_lines=True,
                  caption=f"Waktu total (mutu baku): {data['waktu_total']}   "
                          "(●) mulai  [▪] proses  <◆> keputusan  (■) selesai  * pelaksana hasil inferensi")
    table.add_column("No", justify="right")
    table.add_column("Kegiatan", ratio=3, min_width=24)
    for lane in lanes:
        table.add_column(lane["nama"], justify="center", max_width=14)
    table.add_column("Kelengkapan", ratio=1)
    table.add_column("Waktu", no_wrap=True)
    table.add_column("Output", ratio=1)
    table.add_column("Keterangan", ratio=1)
    for step in data["langkah"]:
        mark = _SYMBOL[step["simbol"]] + ("*" if step["asal_pelaksana"] == "inferensi" else "")
        cells = [mark if lane["id"] in step["pelaksana"] else "" for lane in lanes]
        kegiatan = step["kegiatan"]
        if step["simbol"] == "keputusan":
            kegiatan += f"\nYA → {step['ya']}, TIDAK → {step['tidak']}"
        table.add_row(str(step["no"]), kegiatan, *cells, step["kelengkapan"], step["waktu"],
                      step["output"], step.get("keterangan") or "")
    return table
