"""The one error hierarchy of `sop`.

Every failure a user can cause is a `SopError`: it carries a message written for the user and
an exit code. The CLI boundary (`sop_cli.cli`) is the only place that turns them into output.
"""

from __future__ import annotations


class SopError(Exception):
    """A failure explained to the user; `exit_code` is what the process returns.

    The core words messages in values, never in command-line terms. Structured fields let the
    CLI add its own words (`sop_cli.cli.wording`): `option` names the input the message is about
    ("at", "step", "attach"...; the message reads after it: "at 09:30 is in the future"); `code`
    names a message the CLI words itself (it names several options or a command); `suggest`
    names a next action (e.g. "undo") the CLI turns into a command line. `details` fill both
    (e.g. {"run": "renja-2026"}). `str(error)` is the plain wording, without a CLI.
    """

    exit_code = 1

    def __init__(
        self, message: str, *, hint: str | None = None, option: str | None = None,
        code: str | None = None, suggest: str | None = None, details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.option = option
        self.code = code
        self.suggest = suggest
        self.details = details or {}

    def __str__(self) -> str:
        message = f"{self.option} {self.message}" if self.option else self.message
        return message if not self.hint else f"{message}\n{self.hint}"


class UsageError(SopError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class DefinitionError(SopError):
    """An SOP file is invalid. `problems` are `file:line:column: field: message` lines."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *("  " + p for p in self.problems)])


class NotFoundError(SopError):
    """An SOP, run, organisation, document type or template does not exist."""


class AmbiguousError(SopError):
    """A short name matches more than one thing; the message lists the candidates."""


class StateError(SopError):
    """The run is not in a state that allows this action (e.g. it has moved on)."""

    exit_code = 3


class ConflictError(StateError):
    """Another command changed the run first (e.g. two people completing the same step)."""


class StoreError(SopError):
    """The data store cannot be opened, is from a newer version, or is damaged."""

    exit_code = 4


class AccessError(SopError):
    """A shared store refused the database user this change (its rights, not its data)."""

    exit_code = 5


class RenderError(SopError):
    """A template is missing, refers to an undefined value, or fails to render."""
