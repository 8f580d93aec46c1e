"""`sop render sop X --out x.bpmn`: BPMN 2.0 that the OMG schema accepts, that an independent engine
(SpiffWorkflow) runs to its end, and whose diagram a modeler draws as the SOP's swimlanes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import REPO, write
from tests.sample import VALID

SpiffWorkflow = pytest.importorskip("SpiffWorkflow")
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.parser import BpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "sop": "https://sop-cli.id/bpmn/1"}
SCHEMA = REPO / "tests" / "data" / "bpmn" / "BPMN20.xsd"
SOPS = sorted([*(REPO / "sops").rglob("*.yaml"), *(REPO / "examples" / "sops").rglob("*.yaml")])
SOPS = [p for p in SOPS if p.name != "organisasi.yaml"]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    """Every shipped and example SOP rendered once through the CLI, by qualified id."""
    from sop_cli.definition.loader import load_definition
    from sop_cli.render.documents import render_sop

    folder = tmp_path_factory.mktemp("bpmn")
    result = {}
    for path in SOPS:
        definition = load_definition(path)
        out = folder / f"{definition.qualified_id.replace('/', '_')}.bpmn"
        out.write_text(str(render_sop(definition, "bpmn")), encoding="utf-8")
        result[definition.qualified_id] = (out, definition)
    return result


def _process_id(path: Path) -> str:
    return etree.parse(str(path)).find("bpmn:process", NS).get("id")


def _drive(files: list[Path], main: Path, answers: dict[int, list[str]] | None = None) -> tuple[bool, list[tuple[str, int]]]:
    """Run `main` in SpiffWorkflow (with the other files for call activities): each ready task is
    done; a decision takes the next answer of `answers[step]` (YA when none is left).
    Returns whether the workflow completed and the (process, step) of the tasks done, in order."""
    parser = BpmnParser()
    for file in files:
        parser.add_bpmn_file(str(file))
    pid = _process_id(main)
    workflow = BpmnWorkflow(parser.get_spec(pid), parser.get_subprocess_specs(pid))
    answers = {k: list(v) for k, v in (answers or {}).items()}
    done: list[tuple[str, int]] = []
    for _round in range(500):
        workflow.do_engine_steps()
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        for task in ready:
            no = int(task.task_spec.bpmn_id.split("_")[1])
            queue = answers.get(no) if task.workflow.spec.name == pid else None
            task.data[f"keputusan_{no}"] = queue.pop(0) if queue else "YA"
            done.append((task.workflow.spec.name, no))
            task.run()
    return workflow.is_completed(), done


def test_every_sop_exports_bpmn_the_omg_schema_accepts(exported, schema) -> None:
    assert len(exported) == len(SOPS) >= 7
    for qualified, (path, _definition) in exported.items():
        document = etree.parse(str(path))
        assert schema.validate(document), (qualified, [str(e) for e in schema.error_log][:5])


def test_spiffworkflow_runs_every_sop_to_its_end_taking_ya(exported) -> None:
    files = [path for path, _ in exported.values()]
    for qualified, (path, definition) in exported.items():
        completed, done = _drive(files, path)
        assert completed, qualified
        graph = definition.graph
        own = [no for process, no in done if process == _process_id(path)]
        # the SOP's main path, less the steps another SOP's run does (call activities); parallel
        # branches may run in either order
        expected = [no for no in graph.main_path if graph.step(no).sub_sop is None]
        assert sorted(own) == sorted(expected) and (own[0], own[-1]) == (expected[0], expected[-1]), qualified
        for no in own:  # a step runs only after the step that leads to it
            before = [s.no for s in graph.steps.values() if no in s.following and s.no in own]
            assert no == graph.first or not before or any(own.index(b) < own.index(no) for b in before), (qualified, no)
        for no in graph.main_path:
            sub = graph.step(no).sub_sop
            if sub:  # the called SOP's steps were done too, inside this run
                called = f"sop.{definition.organisasi.wilayah}.{definition.organisasi.id}.{sub}"
                assert any(process == called for process, _ in done), (qualified, sub)


def test_a_rejection_loops_back_and_a_refusal_ends(exported) -> None:
    files = [path for path, _ in exported.values()]
    renja, _ = exported["nganjuk/kecamatan-ngronggot/renja"]
    completed, done = _drive(files, renja, {9: ["TIDAK", "YA"]})
    steps = [no for _p, no in done]
    assert completed
    assert steps == [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 14]

    # a rejection back to the step that joins two parallel branches does not wait for them again
    teknis, _ = exported["contoh/dinas-contoh/rekomendasi-teknis"]
    completed, done = _drive(files, teknis, {6: ["TIDAK", "YA"]})
    own = [no for process, no in done if process == _process_id(teknis)]
    assert completed and own == [1, 2, 3, 4, 6, 6, 7]
    called = [no for process, no in done if process != _process_id(teknis)]
    assert called == [1, 2, 3, 1, 2, 3]  # the sub-SOP (step 5) ran twice

    keramaian, definition = exported["contoh/dinas-contoh/rekomendasi-keramaian"]
    refusing = next(s for s in definition.langkah if s.tidak == "selesai")
    completed, done = _drive(files, keramaian, {refusing.no: ["TIDAK"]})
    assert completed
    assert done[-1][1] == refusing.no  # nothing after the refusal: the run ended at "Ditolak"
    ended = etree.parse(str(keramaian)).find(f"bpmn:process/bpmn:endEvent[@id='Ditolak_{refusing.no}']", NS)
    assert ended is not None and ended.get("name") == "Ditolak"


def test_the_process_speaks_the_sop(exported) -> None:
    path, definition = exported["contoh/dinas-contoh/rekomendasi-teknis"]
    root = etree.parse(str(path)).getroot()
    process = root.find("bpmn:process", NS)
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == [lane.nama for lane in definition.pelaksana]
    for langkah in definition.langkah:
        kind = "callActivity" if langkah.sub_sop else "userTask"
        task = process.find(f"bpmn:{kind}[@id='Langkah_{langkah.no}']", NS)
        assert task is not None, langkah.no
        assert task.get("name") == f"{langkah.no}. {langkah.kegiatan}"
        mutu = task.find("bpmn:extensionElements/sop:mutuBaku", NS)
        assert (mutu.get("kelengkapan"), mutu.get("waktu"), mutu.get("output")) == (
            langkah.kelengkapan, langkah.waktu, langkah.output)
        assert f"Waktu: {langkah.waktu}" in task.find("bpmn:documentation", NS).text
        lane = next(lane for lane in lanes if f"Langkah_{langkah.no}" in
                    [ref.text for ref in lane.findall("bpmn:flowNodeRef", NS)])
        assert lane.get("id") == f"Lajur_{langkah.pelaksana[0]}"
    # paralel [3, 4]: a diverging and a converging parallel gateway
    split = process.find("bpmn:parallelGateway[@gatewayDirection='Diverging']", NS)
    targets = {f.get("targetRef") for f in process.findall(f"bpmn:sequenceFlow[@sourceRef='{split.get('id')}']", NS)}
    assert targets == {"Langkah_3", "Langkah_4"}
    # the join waits for exactly the branches: the TIDAK back to step 5 enters the task, not the join
    # (an engine such as Camunda would wait there forever for branches that do not run again)
    join = process.find("bpmn:parallelGateway[@gatewayDirection='Converging']", NS)
    sources = {f.get("sourceRef") for f in process.findall(f"bpmn:sequenceFlow[@targetRef='{join.get('id')}']", NS)}
    assert sources == {"Langkah_3", "Langkah_4"}
    assert process.find("bpmn:callActivity", NS).get("calledElement") == "sop.contoh.dinas-contoh.rapat-koordinasi"
    # the decision at 6: YA the default flow, TIDAK conditional on the variable its documentation names
    gateway = process.find("bpmn:exclusiveGateway", NS)
    flows = {f.get("name"): f for f in process.findall(f"bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)}
    assert gateway.get("default") == flows["YA"].get("id") and flows["YA"].get("targetRef") == "Langkah_7"
    condition = flows["TIDAK"].find("bpmn:conditionExpression", NS).text
    assert condition == 'keputusan_6 == "TIDAK"' and "keputusan_6" in gateway.find("bpmn:documentation", NS).text


def test_the_diagram_draws_every_element_inside_its_lane(exported) -> None:
    for qualified, (path, _definition) in exported.items():
        root = etree.parse(str(path)).getroot()
        process = root.find("bpmn:process", NS)
        shapes = {s.get("bpmnElement"): s.find("dc:Bounds", NS) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
        flows = {f.get("id") for f in process.findall("bpmn:sequenceFlow", NS)}
        assert edges == flows, qualified

        def box(element_id: str, shapes=shapes) -> tuple[float, ...]:
            return tuple(float(shapes[element_id].get(k)) for k in ("x", "y", "width", "height"))

        seen = []
        for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
            lx, ly, lw, lh = box(lane.get("id"))
            for ref in lane.findall("bpmn:flowNodeRef", NS):
                x, y, w, h = box(ref.text)
                assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (qualified, ref.text)
                seen.append((x, y, w, h))
        for i, a in enumerate(seen):  # no two shapes overlap
            for b in seen[i + 1:]:
                assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1], qualified


def test_render_writes_bpmn_by_its_suffix_and_keeps_hostile_text_data(sop, tmp_path: Path, schema,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = VALID.replace("kegiatan: Menyusun konsep",
                            'kegiatan: "Menyusun <konsep> & ]]> \\x01 \\"kutip\\" <!ENTITY x SYSTEM \'file:///etc/passwd\'>"')
    write(tmp_path / "own" / "uji.yaml", hostile)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "own"))
    out = tmp_path / "keluar" / "uji.bpmn"
    result = sop("render", "sop", "uji", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    document = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(document)
    task = document.find(".//bpmn:userTask[@id='Langkah_2']", NS)
    assert task.get("name") == "2. Menyusun <konsep> & ]]> \\x01 \"kutip\" <!ENTITY x SYSTEM 'file:///etc/passwd'>"
    assert "<!ENTITY" not in text
    printed = sop("render", "sop", "uji", "--format", "bpmn")
    assert printed.exit_code == 0 and printed.output.startswith("<?xml") and "Langkah_4" in printed.output
