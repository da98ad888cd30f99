"""MongoDB-wire server: mongo-java-server with its H2 file backend (see infra/README.md).

Durable by default: the launcher commits every write to the data file before it
replies (docs/adr/0006-durable-local-store.md), so a write it acknowledged
survives `kill -9`. `commit="periodic"` is the library's own once-a-second
commit, kept for bench/store_write_path.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from .component import Component
from .config import StackConfig
from .errors import DevstackError
from .provision import java_executable

CommitMode = Literal["write", "periodic"]
COMMIT_MODES: tuple[CommitMode, ...] = ("write", "periodic")
COMMIT_ENV = "CREDITDESK_MONGO_COMMIT"
FSYNC_ENV = "CREDITDESK_MONGO_FSYNC"


def _commit_from_env() -> CommitMode:
    raw = os.environ.get(COMMIT_ENV, "").strip() or "write"
    if raw not in COMMIT_MODES:
        raise DevstackError(f"{COMMIT_ENV}={raw!r}: use one of {', '.join(COMMIT_MODES)}")
    return raw


class Mongo(Component):
    ready_timeout = 60.0

    def __init__(
        self,
        config: StackConfig,
        *,
        name: str = "mongo",
        port_name: str = "mongo",
        data_file: Path | None = None,
        commit: CommitMode | None = None,
        fsync: bool | None = None,
    ) -> None:
        super().__init__(config, name, [port_name])
        self.data_file = data_file or config.mongo_data_file
        self.commit = commit or _commit_from_env()
        self.fsync = os.environ.get(FSYNC_ENV, "").strip() in ("1", "true") if fsync is None else fsync

    @property
    def url(self) -> str:
        return f"mongodb://{self.host}:{self.port}"

    def argv(self) -> list[str]:
        return [
            java_executable(),
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",  # C1 only: faster start (it compiles the launcher), enough here
            # One INFO line per client connection drowns everything else.
            "-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire=warn",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS",
            "-cp",
            f"{self.config.mongo_libs}/*",
            # Java source-file mode: compiled in memory at start, no build step.
            str(self.config.infra_src / "mongo" / "LocalMongoServer.java"),
            self.host,
            str(self.port),
            str(self.data_file),
            f"--commit={self.commit}",
            *(["--fsync"] if self.fsync else []),
        ]

    def prepare(self) -> None:
        self.data_file.parent.mkdir(parents=True, exist_ok=True)
