"""A run of an SOP, above the definition and the store and below the renderers:

- `engine` (the face of `plan` → `state` → `views` → `commands`): what a run's log means, pure;
- `service`: the use-cases the CLI calls, each in one store transaction (`Session`);
- `attachments`, `revision`, `portfolio`, `cases`: the use-cases of a run's files, of moving a run
  to a new version of its SOP, of BAPPEDA's view of many runs, and of a service's cases;
- `periods`, `period_report`: a span of days and a service SOP's figures over it.
"""
