"""The `sop` command line.

The package itself imports nothing: `sop status` and `sop runs` are answered by `sop_cli.cli.quick`
without Typer, so its modules must be importable without building the Typer app. The app and its
entry point live in `sop_cli.cli.root` and are loaded on first use of `sop_cli.cli.app` or
`sop_cli.cli.main` (command modules register on it with `from sop_cli.cli import app`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # declared, not imported: `root` imports the command modules, which import `app` from here
    import typer

    app: typer.Typer

    def main() -> None: ...

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sop_cli.cli import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
