"""The files an office opens: .docx (python-docx), .pdf (WeasyPrint), .xlsx (openpyxl).

Each library is imported inside the function that uses it, so no command pays for one it does
not write. A missing library is a UsageError saying what to install.
"""

from __future__ import annotations

from sop_cli.errors import UsageError
from sop_cli.i18n import _


def need(module: str, package: str, extra: str | None = None) -> UsageError:
    """The error for a missing optional library."""
    how = f"pip install 'sop-cli[{extra}]'" if extra else f"pip install {package}"
    return UsageError(_("Writing this format needs the Python package {package} ({module}), which is not installed: "
                        "{how}.").format(package=package, module=module, how=how))
