"""The whole local stack behind one object, for the CLI and for pytest fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .component import Component
from .config import MAX_INSTANCES, SCALABLE, StackConfig, instance_name
from .errors import DevstackError
from .kafka import Kafka
from .mailbox import Mailbox
from .mongo import Mongo
from .processes import ManagedProcess
from .provision import provision
from .services import (
    CLOCK_OFFSET_SERVICES,
    GATEWAY,
    START_WAVES,
    Service,
    ServiceProcess,
    clock_offset_file,
    service_processes,
)
from .smtp import SmtpSink

# The development profile's operator account (debit runs by hand), made by identity's admin CLI.
OPERATOR_EMAIL = "operator@example.fr"

T = TypeVar("T")
R = TypeVar("R")


def _concurrently(items: Sequence[T], action: Callable[[T], R]) -> list[R]:
    """Run `action` on every item in threads (the work is waiting on sockets).
    Failures are reported together once all have finished, so one broken
    component does not hide another."""
    if len(items) <= 1:
        return [action(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(action, item) for item in items]
    errors = [e for e in (f.exception() for f in futures) if e is not None]
    if len(errors) == 1 or (errors and not all(isinstance(e, DevstackError) for e in errors)):
        raise errors[0]
    if errors:
        raise DevstackError("\n".join(str(e) for e in errors))
    return [f.result() for f in futures]


class Stack:
    def __init__(self, config: StackConfig | None = None, python: str = sys.executable) -> None:
        self.config = config or StackConfig.for_profile("dev")
        self.kafka = Kafka(self.config)
        self.mongo = Mongo(self.config)
        self.smtp = SmtpSink(self.config, python)
        self.mailbox = Mailbox(self.config.mail_dir)
        self.services: dict[str, Service] = {
            spec.name: Service(self.config, spec, python) for spec in service_processes(self.config)
        }

    @property
    def infra(self) -> list[Component]:
        return [self.kafka, self.mongo, self.smtp]

    @property
    def components(self) -> list[Component]:
        return [*self.infra, *self.services.values()]

    def component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        known = ", ".join(c.name for c in self.components)
        raise DevstackError(f"unknown component {name!r}: one of {known}")

    # Life cycle.
    def provision(self) -> dict[str, str]:
        return provision(self.config)

    def start_infra(self) -> dict[str, bool]:
        """Provision if needed, start Kafka, Mongo and the SMTP sink together and wait
        until all answer. Returns, per component, True if started, False if reused."""
        self.provision()
        started = _concurrently(self.infra, lambda c: c.up())
        return {c.name: s for c, s in zip(self.infra, started, strict=True)}

    def start_services(self, names: Iterable[str] | None = None) -> dict[str, bool]:
        wanted = set(self.services) if names is None else set(names)
        unknown = wanted - set(self.services)
        if unknown:
            raise DevstackError(f"unknown service(s) {sorted(unknown)}: one of {', '.join(self.services)}")
        result: dict[str, bool] = {}
        clock_services = [self.services[n] for n in CLOCK_OFFSET_SERVICES if n in self.services]
        if self.config.profile != "dev" and not any(s.is_running() for s in clock_services):
            # A test stack's moved clock (OffsetFileClock) starts again from real time with fresh processes.
            clock_offset_file(self.config).unlink(missing_ok=True)
        for wave in START_WAVES:
            members = [s for s in self.services.values() if s.package in wave and s.name in wanted]
            for service, started in zip(members, _concurrently(members, lambda s: s.up()), strict=True):
                result[service.name] = started
        return result

    def stop_services(self) -> list[str]:
        # Reverse start order: the gateway first, identity (JWKS) last; with every instance
        # an earlier `up --instances` started, even if this stack was configured with fewer.
        ordered = [s for wave in reversed(START_WAVES) for s in self._every_instance() if s.package in wave]
        return [s.name for s in ordered if s.stop()]

    def _every_instance(self) -> list[Service]:
        """The configured services and any extra instance left running by a larger scale-out."""
        found = dict(self.services)
        for name in SCALABLE:
            for k in range(self.config.instance_count(name) + 1, MAX_INSTANCES + 1):
                instance = instance_name(name, k)
                if ManagedProcess(instance, self.config.pid_dir, self.config.log_dir).is_running():
                    # Only stopped (its pid file and command line say it is ours): no port needed.
                    found[instance] = Service(self.config, ServiceProcess(instance, name, 0, {}))
        return list(found.values())

    def stop_infra(self) -> list[str]:
        stopped = _concurrently(self.infra, lambda c: c.stop())
        return [c.name for c, s in zip(self.infra, stopped, strict=True) if s]

    def stop_all(self) -> list[str]:
        """Stop everything this tool started (in this profile); returns what was stopped."""
        return self.stop_services() + self.stop_infra()

    def kill(self, name: str) -> bool:
        """SIGKILL one component (fault tests); `component(name).up()` brings it back on the same data."""
        return self.component(name).kill()

    # Introspection.
    def status(self) -> dict[str, dict[str, object]]:
        return {c.name: c.status() for c in self.components}

    def ensure_operator(self) -> str:
        """Create the operator account once (`python -m identity.admin create-operator`),
        keep its generated password in the profile's state folder, and say how to log in."""
        saved = self.config.state_dir / "operator.txt"
        identity = self.services["identity"]
        done = subprocess.run(
            [identity.python, "-m", "identity.admin", "create-operator", OPERATOR_EMAIL],
            env=identity.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0:
            password = done.stdout.rsplit(":", 1)[-1].strip()
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(f"{OPERATOR_EMAIL}\n{password}\n", encoding="utf-8")
            os.chmod(saved, 0o600)
        elif not saved.exists():
            return f"operator: {OPERATOR_EMAIL} exists, but its password is not in {saved} ({done.stderr.strip()})"
        return (
            f"operator (debit runs): log in at POST /api/identity/sessions as {OPERATOR_EMAIL} "
            f"with the password in {saved}"
        )

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka.bootstrap_servers

    @property
    def mongo_url(self) -> str:
        return self.mongo.url

    @property
    def gateway_url(self) -> str:
        return self.service_url(GATEWAY)

    @property
    def portal_url(self) -> str:
        """Where the mailed links point: the web portal's pages."""
        return self.service_url("portal")

    def service_url(self, name: str) -> str:
        if name not in self.services:
            raise DevstackError(f"unknown service {name!r}: one of {', '.join(self.services)}")
        return self.services[name].url

    def urls(self) -> str:
        c = self.config
        rows = [
            ("kafka", self.bootstrap_servers),
            ("mongo", self.mongo_url),
            ("smtp", f"{self.smtp.host}:{self.smtp.port}"),
            *((name, service.url) for name, service in self.services.items()),
            ("mail dir", str(c.mail_dir)),
            ("log dir", str(c.log_dir)),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
