"""An SOP as a BPMN 2.0 process (`sop render sop X --out x.bpmn`), for Camunda Modeler, bpmn.io and
process engines such as SpiffWorkflow or Camunda.

The mapping, step by step (the definition graph, `SopDefinition.graph`, says what follows what):

- one pool (a `collaboration` with one `participant`) whose `laneSet` has a lane per pelaksana, in
  the SOP's order; a step done by several lanes sits in the first of them (its documentation names
  all);
- a start event before the first step, an end event after each `selesai`;
- a `userTask` per step (a `callActivity` for a step done by another SOP, `sub_sop`: it calls that
  SOP's process), its documentation the Mutu Baku in words and the same values as
  `sop:mutuBaku` in `extensionElements` (namespace `NS`), so a tool that only shows documentation
  and a program that reads values both find them;
- a *keputusan*: the task, then an exclusive gateway whose default flow is YA and whose TIDAK flow
  has the condition `keputusan_N == "TIDAK"` (the variable is named in the gateway's
  documentation); `tidak: selesai` ends at an end event of its own ("Ditolak");
- `paralel`: a parallel gateway after the splitting step and another before the join.

The diagram (BPMNDI) is the SOP's flowchart turned on its side, as BPMN tools draw processes: lanes
are horizontal bands in the order of the SOP's columns, and the steps follow each other from left
to right in the order of its rows. Standard library only (xml.etree).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sop_cli.definition.importer.bpmn import SOP_NS as NS  # the extension namespace `sop import` reads back

if TYPE_CHECKING:
    from sop_cli.definition.graph import Graph, Step
    from sop_cli.definition.model import SopDefinition

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

for _prefix, _uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI), ("sop", NS)):
    ET.register_namespace(_prefix, _uri)

TASK_W, TASK_H = 150, 96
GATEWAY = 50
EVENT = 36
COLUMN = 190
LANE_H = 160
POOL_LABEL = 30
LANE_LABEL = 30


def decision_variable(no: int) -> str:
    """The process variable a decision at step `no` reads: "YA" or "TIDAK"."""
    return f"keputusan_{no}"


def process_id(wilayah: str, organisasi: str, sop_id: str) -> str:
    """The process id of an SOP: an XML name unique across a catalog (a call activity names it)."""
    return f"sop.{wilayah}.{organisasi}.{sop_id}"


@dataclass
class _Node:
    id: str
    kind: str  # startEvent, endEvent, userTask, callActivity, exclusiveGateway, parallelGateway
    lane: str
    column: int
    name: str = ""
    default: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        if self.kind.endswith("Event"):
            return EVENT, EVENT
        if self.kind.endswith("Gateway"):
            return GATEWAY, GATEWAY
        return TASK_W, TASK_H


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None


@dataclass
class _Process:
    nodes: dict[str, _Node] = field(default_factory=dict)
    flows: list[_Flow] = field(default_factory=list)
    column: int = 0

    def add(self, node_id: str, kind: str, lane: str, name: str = "") -> _Node:
        node = _Node(node_id, kind, lane, self.column, name)
        self.nodes[node_id] = node
        self.column += 1
        return node

    def connect(self, source: str, target: str, name: str = "", condition: str | None = None) -> _Flow:
        flow = _Flow(f"Alur_{len(self.flows) + 1}", source, target, name, condition)
        self.flows.append(flow)
        self.nodes[source].outgoing.append(flow.id)
        self.nodes[target].incoming.append(flow.id)
        return flow


def _task_id(no: int) -> str:
    return f"Langkah_{no}"


def _entry(graph: Graph, no: int) -> str:
    """The node a flow into step `no` enters: its task. Only the branches of a split go into the
    join's gateway (they are connected to it apart); a TIDAK back to a join step must not wait
    there for branches that will not run again."""
    return _task_id(no)


def _exit(step: Step) -> str:
    """The node flows leave step `step` from: its gateway for a decision or a split."""
    if step.is_decision:
        return f"Keputusan_{step.no}"
    if step.is_split:
        return f"Cabang_{step.no}"
    return _task_id(step.no)


def _build(sop: SopDefinition) -> _Process:
    graph = sop.graph
    process = _Process()
    first = graph.step(graph.first)
    process.add("Mulai", "startEvent", first.lanes[0], "Mulai")
    joins = {s.join: s for s in graph.steps.values() if s.is_split and s.join is not None}
    for step in graph.steps.values():
        lane = step.lanes[0]
        if step.no in joins:
            process.add(f"Gabung_{step.no}", "parallelGateway", lane)
        kind = "callActivity" if step.sub_sop else "userTask"
        process.add(_task_id(step.no), kind, lane, f"{step.no}. {step.kegiatan}")
        if step.is_decision:
            process.add(f"Keputusan_{step.no}", "exclusiveGateway", lane, "YA?")
            process.connect(_task_id(step.no), f"Keputusan_{step.no}")
            if step.refusal_ends:
                process.add(f"Ditolak_{step.no}", "endEvent", lane, "Ditolak")
        elif step.is_split:
            process.add(f"Cabang_{step.no}", "parallelGateway", lane)
            process.connect(_task_id(step.no), f"Cabang_{step.no}")
        if step.simbol == "selesai" or (not step.following and not step.is_decision):
            process.add(f"Selesai_{step.no}", "endEvent", lane, "Selesai")
            process.connect(_task_id(step.no), f"Selesai_{step.no}")
    process.connect("Mulai", _entry(graph, first.no))
    for step in graph.steps.values():
        if step.no in joins:
            process.connect(f"Gabung_{step.no}", _task_id(step.no))
        source = _exit(step)
        if step.is_decision:
            variable = decision_variable(step.no)
            ya = process.connect(source, _entry(graph, step.following[0]), "YA")
            process.nodes[source].default = ya.id
            tidak_target = f"Ditolak_{step.no}" if step.refusal_ends else _entry(graph, step.following[1])
            process.connect(source, tidak_target, "TIDAK", f'{variable} == "TIDAK"')
        elif step.split is not None:
            process.connect(source, f"Gabung_{step.join}")
        else:
            for target in step.following:
                process.connect(source, _entry(graph, target))
    return process


def _documentation(sop: SopDefinition, no: int) -> str:
    langkah = sop.step(no)
    names = [sop.lane(lane).nama for lane in langkah.pelaksana]
    lines = [
        f"Pelaksana: {', '.join(names)}",
        f"Kelengkapan: {langkah.kelengkapan}",
        f"Waktu: {langkah.waktu}",
        f"Output: {langkah.output}",
    ]
    if langkah.keterangan:
        lines.append(f"Keterangan: {langkah.keterangan}")
    if langkah.sub_sop:
        lines.append(f"Dikerjakan oleh SOP: {langkah.sub_sop}")
    return "\n".join(lines)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """`text` as XML 1.0 can hold it: a control character becomes visible (`\\x01`) rather than
    making the file unreadable."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _called(sop: SopDefinition, name: str) -> str:
    parts = name.split("/")
    org = sop.organisasi
    wilayah, unit = (org.wilayah, org.id) if len(parts) == 1 else (org.wilayah, parts[0]) if len(parts) == 2 else parts[:2]
    return process_id(wilayah, unit, parts[-1])


def bpmn_xml(sop: SopDefinition) -> str:
    """The BPMN 2.0 XML text of `sop` (process, lanes, diagram), UTF-8, deterministic."""
    process = _build(sop)
    org = sop.organisasi
    pid = process_id(org.wilayah, org.id, sop.id)
    root = ET.Element(f"{{{BPMN}}}definitions", {
        "id": "Definitions_" + pid.replace(".", "_"),
        "targetNamespace": f"{NS}/{org.wilayah}/{org.id}/{sop.id}",
        "exporter": "sop", "exporterVersion": "1",
    })
    collaboration = _sub(root, BPMN, "collaboration", id="Kolaborasi")
    _sub(collaboration, BPMN, "participant", id="Pool", name=f"{sop.nama} ({org.nama})", processRef=pid)
    proc = _sub(root, BPMN, "process", id=pid, name=sop.nama, isExecutable="true")
    _sub(proc, BPMN, "documentation", "\n".join(filter(None, [
        sop.judul or f"SOP {sop.nama}", f"{org.nama}, {org.pemerintah}",
        f"Nomor SOP: {sop.nomor}" if sop.nomor else "",
        "Keputusan: variabel keputusan_N (N = nomor langkah) berisi \"YA\" atau \"TIDAK\"; "
        "tanpa nilai \"TIDAK\" alur mengikuti YA.",
    ])))
    lane_set = _sub(proc, BPMN, "laneSet", id="Lajur")
    for lane in sop.pelaksana:
        element = _sub(lane_set, BPMN, "lane", id=f"Lajur_{lane.id}", name=lane.nama)
        for node in process.nodes.values():
            if node.lane == lane.id:
                _sub(element, BPMN, "flowNodeRef", node.id)
    for node in process.nodes.values():
        attrs = {"id": node.id}
        if node.name:
            attrs["name"] = node.name
        if node.default:
            attrs["default"] = node.default
        if node.kind == "parallelGateway":
            attrs["gatewayDirection"] = "Diverging" if node.id.startswith("Cabang") else "Converging"
        if node.kind == "callActivity":
            step = sop.graph.step(int(node.id.split("_")[1]))
            attrs["calledElement"] = _called(sop, str(step.sub_sop))
        element = _sub(proc, BPMN, node.kind, **attrs)
        if node.id.startswith("Langkah_"):
            no = int(node.id.split("_")[1])
            _sub(element, BPMN, "documentation", _documentation(sop, no))
            langkah = sop.step(no)
            extension = _sub(element, BPMN, "extensionElements")
            _sub(extension, NS, "langkah", no=str(no), simbol=langkah.simbol,
                 pelaksana=" ".join(langkah.pelaksana))
            mutu = {"kelengkapan": langkah.kelengkapan, "waktu": langkah.waktu, "output": langkah.output}
            if langkah.keterangan:
                mutu["keterangan"] = langkah.keterangan
            _sub(extension, NS, "mutuBaku", **mutu)
        elif node.kind == "exclusiveGateway":
            no = int(node.id.split("_")[1])
            _sub(element, BPMN, "documentation",
                 f"Keputusan langkah {no}: variabel {decision_variable(no)} berisi \"YA\" atau \"TIDAK\" "
                 "(YA adalah alur bawaan).")
        for flow_id in node.incoming:
            _sub(element, BPMN, "incoming", flow_id)
        for flow_id in node.outgoing:
            _sub(element, BPMN, "outgoing", flow_id)
    for flow in process.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.name:
            attrs["name"] = flow.name
        element = _sub(proc, BPMN, "sequenceFlow", **attrs)
        if flow.condition:
            _sub(element, BPMN, "conditionExpression", flow.condition, **{f"{{{XSI}}}type": "bpmn:tFormalExpression"})
    _diagram(root, sop, process)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _diagram(root: ET.Element, sop: SopDefinition, process: _Process) -> None:
    lanes = [lane.id for lane in sop.pelaksana]
    width = POOL_LABEL + LANE_LABEL + process.column * COLUMN + 20
    diagram = _sub(root, BPMNDI, "BPMNDiagram", id="Diagram")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id="Bidang", bpmnElement="Kolaborasi")

    def bounds(parent: ET.Element, x: float, y: float, w: float, h: float) -> None:
        _sub(parent, DC, "Bounds", x=f"{x:g}", y=f"{y:g}", width=f"{w:g}", height=f"{h:g}")

    pool = _sub(plane, BPMNDI, "BPMNShape", id="Pool_di", bpmnElement="Pool", isHorizontal="true")
    bounds(pool, 0, 0, width, LANE_H * len(lanes))
    for i, lane in enumerate(lanes):
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"Lajur_{lane}_di", bpmnElement=f"Lajur_{lane}", isHorizontal="true")
        bounds(shape, POOL_LABEL, i * LANE_H, width - POOL_LABEL, LANE_H)

    box: dict[str, tuple[float, float, float, float]] = {}
    for node in process.nodes.values():
        w, h = node.size
        cx = POOL_LABEL + LANE_LABEL + node.column * COLUMN + COLUMN / 2
        cy = lanes.index(node.lane) * LANE_H + LANE_H / 2
        box[node.id] = (cx - w / 2, cy - h / 2, w, h)
        attrs = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.kind == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = _sub(plane, BPMNDI, "BPMNShape", **attrs)
        bounds(shape, *box[node.id])
        if node.kind.endswith("Event") or node.kind.endswith("Gateway"):
            label = _sub(shape, BPMNDI, "BPMNLabel")
            bounds(label, cx - 40, cy + h / 2 + 4, 80, 14)
    for flow in process.flows:
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        points = _route(box[flow.source], box[flow.target])
        for x, y in points:
            _sub(edge, DI, "waypoint", x=f"{x:g}", y=f"{y:g}")
        if flow.name:
            (x1, y1), (x2, y2) = points[0], points[1]
            label = _sub(edge, BPMNDI, "BPMNLabel")
            bounds(label, (x1 + x2) / 2 + 4, (y1 + y2) / 2 - 16 if y1 == y2 else (y1 + y2) / 2, 40, 14)


def _route(source: tuple[float, float, float, float], target: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Right angles from `source` to `target`: forward flows leave the right side and enter the left;
    a flow back (a TIDAK that loops) leaves the bottom, runs under both shapes and enters from below."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    s_mid, t_mid = sy + sh / 2, ty + th / 2
    if tx >= sx + sw:
        start, end = (sx + sw, s_mid), (tx, t_mid)
        if s_mid == t_mid:
            return [start, end]
        bend = tx - (COLUMN - TASK_W) / 2 if abs(tx - (sx + sw)) > COLUMN else (sx + sw + tx) / 2
        return [start, (bend, s_mid), (bend, t_mid), end]
    below = max(sy + sh, ty + th) + 18
    return [(sx + sw / 2, sy + sh), (sx + sw / 2, below), (tx + tw / 2, below), (tx + tw / 2, ty + th)]
