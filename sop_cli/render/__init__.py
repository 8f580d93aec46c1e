"""Documents and reports rendered from an SOP definition and its runs, through Jinja2 templates.

Templates live in `templates/` (shipped in the package) and are found by name in
`sop_cli.paths.template_roots()`: `SOP_TEMPLATES`, then `./templates`, then the shipped ones, so
a user's own `undangan.html` replaces the shipped one. The environment (`sop_cli.render.env`) is
sandboxed, undefined values are errors naming template and line, and `.html` output is
autoescaped. Filters: `tanggal` ("22 November 2026"), `hari` ("Senin"), `hari_tanggal`,
`jam` ("09.00 WIB"), `tanggal_jam`, `nip` ("19690115 199003 1 008"), `menit` (working minutes
as "1 hari 2 jam"), `md` (text safe in a Markdown table cell).

Shipped templates (each as NAME.html and NAME.md):

- `sop`: the SOP AP document (identity block, six lists, flowchart table with the swimlane chart).
- `disposisi`, `format-data`, `undangan`, `pengantar`, `persetujuan`: the documents the steps
  output, for a run; each has a manifest `NAME.yaml` beside it (`sop_cli.render.doctypes`) saying
  who signs, when it may be made and which values it takes.
- `report`, `monitoring`: the run report and the monitoring form of Permenpan RB 35/2012.
- `_layout.html`, `_macros.html`: the A4 page and the kop / signature / tembusan pieces.

An SOP's own document types live in `dokumen/` beside its YAML file (manifest plus template).
The organisation file `organisasi.yaml` beside the SOP files gives the kop and the register of
officials who sign (`sop_cli.render.organisation`). docs/templates.md documents the context.

Modules: `indonesian` (dates and days in Indonesian), `env` (the Jinja2 environment),
`flowchart` (SVG rows and Mermaid), `bpmn` (the process as BPMN 2.0 XML), `context` (template contexts), `doctypes` (document types as
data), `organisation` (kop and officials), `documents` (the render entry points), `report`
(report numbers), `office` (.docx, .pdf, .xlsx). jinja2 is imported only when something is
rendered; python-docx, WeasyPrint and openpyxl only when their format is written.
"""
