"""MongoDB-wire server: mongo-java-server with its H2 file backend (see infra/README.md)."""

from __future__ import annotations

from .component import Component
from .config import StackConfig
from .provision import java_executable


class Mongo(Component):
    ready_timeout = 60.0

    def __init__(self, config: StackConfig) -> None:
        super().__init__(config, "mongo", ["mongo"])

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
            str(self.config.mongo_data_file),
        ]

    def prepare(self) -> None:
        self.config.mongo_data_file.parent.mkdir(parents=True, exist_ok=True)
