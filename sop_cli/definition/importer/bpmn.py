"""A BPMN 2.0 process (drawn in Camunda Modeler or bpmn.io, or exported by `sop render`) read as an SOP.

The first process with tasks is read: its lanes are the pelaksana; each task (any kind: task,
userTask, manualTask, callActivity …) is a step, in the order the diagram draws them (left to
right, then top to bottom; without a diagram, the order a walk from the start event meets them).
What follows a task is read through the gateways after it: an exclusive gateway makes the task a
decision (YA: the default flow, else a flow named Ya; TIDAK: the other; an end event there is
`tidak: selesai`), a diverging parallel gateway a split (`paralel`), an end event the end. The
Mutu Baku comes from `sop:mutuBaku` (what `sop render` writes) or from documentation lines
`Kelengkapan: …`, `Waktu: …`, `Output: …`; what is missing is a PERIKSA in the draft.
"""

from __future__ import annotations

import re
from typing import Any

from sop_cli.definition.importer.source import Mark, Row, Source
from sop_cli.errors import DefinitionError
from sop_cli.i18n import _

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
SOP_NS = "https://sop-cli.id/bpmn/1"
"""The namespace of `sop`'s extension elements (`sop:mutuBaku`, `sop:langkah`), read and written."""

_TASKS = ("task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
          "businessRuleTask", "callActivity", "subProcess")
_YES = re.compile(r"^\s*(ya|yes|y|setuju|lengkap|sesuai|benar|ok)\b", re.I)


def _q(tag: str) -> str:
    return f"{{{MODEL}}}{tag}"


def _local(element: Any) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def read_bpmn(content: bytes, path: str) -> Source:
    """The `Source` of a BPMN 2.0 file's bytes.

    Raises:
        DefinitionError: not XML, or no BPMN process with tasks.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise DefinitionError(_("{path}: not BPMN XML ({error}).").format(path=path, error=error)) from None
    processes = [p for p in root.iter(_q("process")) if any(_local(c) in _TASKS for c in p)]
    if not processes:
        raise DefinitionError(_("{path}: no BPMN process with tasks in it.").format(path=path))
    process = processes[0]
    source = Source(path=path, kind="bpmn")
    elements = {child.get("id"): child for child in process if child.get("id")}
    flows = [e for e in process if _local(e) == "sequenceFlow"]
    outgoing: dict[str, list[Any]] = {}
    for flow in flows:
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    _identity(source, root, process)
    lane_of: dict[str, int] = {}
    lane_ids: dict[int, str] = {}
    for lane in process.iter(_q("lane")):
        if lane.find(_q("childLaneSet")) is not None:
            continue
        index = len(source.lanes)
        lane_ids[index] = (lane.get("id") or "").removeprefix("Lajur_")  # sop writes Lajur_<lane id>
        source.lanes.append(" ".join((lane.get("name") or f"Pelaksana {index + 1}").split()))
        for ref in lane.findall(_q("flowNodeRef")):
            lane_of[(ref.text or "").strip()] = index
    if not source.lanes:
        source.lanes = ["Pelaksana"]
        source.notes.append("proses tidak punya lajur (lane): semua langkah di satu pelaksana; tambahkan pelaksananya")
    tasks = _ordered([e for e in elements.values() if _local(e) in _TASKS], root, elements, outgoing)
    number = {task.get("id"): i for i, task in enumerate(tasks, 1)}
    own = (process.get("id") or "").rsplit(".", 1)[0]
    for i, task in enumerate(tasks, 1):
        row = Row(no=str(i), where=f"tugas {task.get('id')}", kegiatan=_kegiatan(task, i))
        _mutu(row, task)
        if _local(task) == "callActivity" and task.get("calledElement"):
            row.sub_sop = _sub_sop(task.get("calledElement") or "", own)
        mark = _follow(task, elements, outgoing, number)
        lanes = _lanes(task, lane_of, lane_ids)
        for lane in lanes:
            row.marks[lane] = mark
        source.rows.append(row)
    return source


def _identity(source: Source, root: Any, process: Any) -> None:
    participant = next((p for p in root.iter(_q("participant")) if p.get("processRef") == process.get("id")), None)
    documentation = process.find(_q("documentation"))
    lines = [" ".join(line.split()) for line in (documentation.text or "").splitlines()] if documentation is not None else []
    name = process.get("name") or (participant.get("name") if participant is not None else None)
    if name and participant is not None and participant.get("name", "").startswith(name + " ("):
        source.unit = participant.get("name", "")[len(name) + 2:].rstrip(")")  # "Nama SOP (Unit)", as sop writes it
    for line in lines:
        if line.lower().startswith("nomor sop:"):
            source.fields["nomor"] = line.split(":", 1)[1].strip() or None
        elif ", pemerintah " in line.lower():
            unit, pemerintah = line.rsplit(", ", 1)
            source.unit, source.pemerintah = unit, pemerintah
    if lines and lines[0].upper().startswith(("SOP", "STANDAR OPERASIONAL")):
        source.judul = lines[0]
    source.fields["nama"] = name


def _kegiatan(task: Any, index: int) -> str:
    name = " ".join((task.get("name") or "").split())
    return re.sub(rf"^{index}\.\s+", "", name) or name


def _mutu(row: Row, task: Any) -> None:
    extension = task.find(f"{_q('extensionElements')}/{{{SOP_NS}}}mutuBaku")
    if extension is not None:
        for field in ("kelengkapan", "waktu", "output", "keterangan"):
            setattr(row, field, extension.get(field) or None)
        return
    documentation = task.find(_q("documentation"))
    for line in (documentation.text or "").splitlines() if documentation is not None else []:
        key, _sep, text = line.partition(":")
        label = key.strip().lower()
        if label in ("kelengkapan", "waktu", "output", "keterangan") and text.strip():
            setattr(row, label, " ".join(text.split()))


def _sub_sop(called: str, own: str) -> str:
    """The SOP a call activity names: `sop.WILAYAH.ORGANISASI.ID` (as sop writes it) as its id when
    it is of the same organisation as the process (`own`: its id without the last part), else qualified."""
    parts = called.split(".")
    if parts[0] == "sop" and len(parts) == 4:
        return parts[3] if called.rsplit(".", 1)[0] == own else "/".join(parts[1:])
    return called


def _lanes(task: Any, lane_of: dict[str, int], lane_ids: dict[int, str]) -> list[int]:
    step = task.find(f"{_q('extensionElements')}/{{{SOP_NS}}}langkah")
    first = lane_of.get(task.get("id"), 0)
    if step is None or not step.get("pelaksana"):
        return [first]
    # sop's own export names every lane of a step done by several; the BPMN lane holds the first
    wanted = step.get("pelaksana", "").split()
    found = [i for i, lane_id in lane_ids.items() if lane_id in wanted]
    return sorted(set([first, *found])) if found else [first]


def _ordered(tasks: list[Any], root: Any, elements: dict[str, Any], outgoing: dict[str, list[Any]]) -> list[Any]:
    """The tasks in the order the diagram draws them, else in the order a walk from the start meets them."""
    bounds: dict[str, tuple[float, float]] = {}
    for shape in root.iter(f"{{{DI}}}BPMNShape"):
        box = shape.find(f"{{{DC}}}Bounds")
        if box is not None:
            bounds[shape.get("bpmnElement")] = (float(box.get("x", 0)), float(box.get("y", 0)))
    if all(task.get("id") in bounds for task in tasks):
        return sorted(tasks, key=lambda t: bounds[t.get("id")])
    seen: list[str] = []
    queue = [e.get("id") for e in elements.values() if _local(e) == "startEvent"]
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.append(node)
        flows = sorted(outgoing.get(node, []), key=lambda f: f.get("id") != elements[node].get("default"))
        queue += [f.get("targetRef") for f in flows]
    order = {node: i for i, node in enumerate(seen)}
    return sorted(tasks, key=lambda t: order.get(t.get("id"), len(order)))


def _follow(task: Any, elements: dict[str, Any], outgoing: dict[str, list[Any]], number: dict[str, int]) -> Mark:
    """The mark of a task: where its flows lead, through the gateways after it."""
    mark = Mark(simbol="proses")
    flows = outgoing.get(task.get("id"), [])
    if not flows:
        mark.simbol = "selesai"
        return mark
    target = elements.get(flows[0].get("targetRef"))
    if target is None:
        mark.simbol = "selesai"
        return mark
    kind = _local(target)
    if kind == "endEvent":
        mark.simbol = "selesai"
    elif kind in ("exclusiveGateway", "inclusiveGateway") and len(outgoing.get(target.get("id"), [])) >= 2:
        branches = outgoing[target.get("id")]
        ya = next((f for f in branches if f.get("id") == target.get("default")), None)
        if ya is None:
            ya = next((f for f in branches if _YES.match(f.get("name") or "")), branches[0])
        tidak = next(f for f in branches if f is not ya)
        mark.simbol = "keputusan"
        mark.ya = _step_at(ya.get("targetRef"), elements, outgoing, number)
        reached = _step_at(tidak.get("targetRef"), elements, outgoing, number)
        mark.tidak = "selesai" if reached is None else reached
    elif kind == "parallelGateway" and len(outgoing.get(target.get("id"), [])) >= 2:
        mark.next = tuple(n for f in outgoing[target.get("id")]
                          if (n := _step_at(f.get("targetRef"), elements, outgoing, number)) is not None)
        mark.parallel = True
    else:
        reached = _step_at(target.get("id"), elements, outgoing, number)
        if reached is None:
            mark.simbol = "selesai"
        else:
            mark.next = (reached,)
    return mark


def _step_at(node: str | None, elements: dict[str, Any], outgoing: dict[str, list[Any]], number: dict[str, int],
             depth: int = 0) -> int | None:
    """The step a flow into `node` reaches (through joining gateways and intermediate events); None at an end."""
    if node is None or depth > 20:
        return None
    if node in number:
        return number[node]
    element = elements.get(node)
    if element is None or _local(element) == "endEvent":
        return None
    flows = outgoing.get(node, [])
    return _step_at(flows[0].get("targetRef"), elements, outgoing, number, depth + 1) if flows else None
