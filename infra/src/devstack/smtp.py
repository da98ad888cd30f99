"""The SMTP sink as a devstack component (a Python subprocess, like the services).

Kept apart from smtp_sink.py so that `python -m devstack.smtp_sink` does not
import a module the package has already imported.
"""

from __future__ import annotations

import os

from .component import Component
from .config import StackConfig


class SmtpSink(Component):
    ready_timeout = 20.0

    def __init__(self, config: StackConfig, python: str) -> None:
        super().__init__(config, "smtp", ["smtp"])
        self.python = python

    def argv(self) -> list[str]:
        return [
            self.python,
            "-m",
            "devstack.smtp_sink",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--dir",
            str(self.config.mail_dir),
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1"}
