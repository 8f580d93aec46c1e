"""The run engine: what a run's event log means and when everything in it is due. Pure: no I/O and
no clock (`now` is passed in). Its modules read top-down in the order data flows, each importing
only those above it:

- `plan`: the definition graph and working calendar a run follows, each pass through a step
  (`StepVisit`) with its due time, and the one plan (`planned`) every date a user sees comes from;
- `state`: the replay of the events (`Event`, `EventKind` from the store's interface) into a
  `RunState` (`derive`), and the summary the store keeps beside the log;
- `views`: the typed views the CLI and the templates word;
- `commands`: the event each action appends, after its checks, and the refusals (worded with `views`).

This module is their one face (it only re-exports): the service and the documents use `engine.derive`,
`engine.RunView`.
"""

from __future__ import annotations

from sop_cli.run.plan import *  # isort: skip
from sop_cli.run.state import *  # isort: skip
from sop_cli.run.views import *  # isort: skip
from sop_cli.run.commands import *  # isort: skip
from sop_cli.store.interface import STEP_KINDS as STEP_KINDS
from sop_cli.store.interface import Event as Event
from sop_cli.store.interface import EventKind as EventKind
from sop_cli.store.interface import RunStatus as RunStatus
