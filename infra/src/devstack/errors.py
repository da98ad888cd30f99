"""The one exception type devstack raises for problems a person must fix."""

from __future__ import annotations


class DevstackError(RuntimeError):
    """A clear, actionable failure (missing tool, busy port, component not ready).

    The CLI prints the message and exits non-zero instead of a traceback, so the
    first line must say what is wrong and how to fix it.
    """
