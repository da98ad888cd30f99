"""python -m devstack provision | up | down | status | logs NAME | kafka TOOL [ARGS...]"""

from __future__ import annotations

import argparse
import shutil
import sys
import time

from . import kafkacli
from .config import PROFILES, SCALABLE, StackConfig, parse_instances
from .errors import DevstackError
from .services import GATEWAY
from .stack import Stack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devstack", description="Local stack without Docker.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--profile",
            choices=PROFILES,
            default="dev",
            help="dev (make up), test (make test, ports +10000), bench (make bench, +20000)",
        )
        return sub

    command("provision", "check prerequisites, fetch the Kafka and Mongo jars into .cache/infra")
    up = command("up", "start everything in the background and wait until it is ready")
    up.add_argument("--infra-only", action="store_true", help="Kafka, Mongo and the SMTP sink only")
    up.add_argument(
        "--instances",
        default=None,
        metavar="NAME=N,...",
        help="scale out: N processes of a service, e.g. billing=2,identity=2 (default: CREDITDESK_INSTANCES or 1 each)",
    )
    down = command("down", "stop what devstack started")
    down.add_argument("--wipe", action="store_true", help="also delete this profile's data, mail and logs")
    command("status", "what is running")
    logs = command("logs", "print a component's log")
    logs.add_argument("name", help="kafka, mongo, smtp, gateway, identity, ...")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.add_argument("-f", "--follow", action="store_true")
    kafka = command("kafka", "Kafka's command-line tools as the admin (topics, groups, acls, configs)")
    kafka.add_argument("tool", choices=kafkacli.COMMANDS)
    kafka.add_argument("args", nargs=argparse.REMAINDER, help="passed to the tool unchanged")
    return parser


def _up(stack: Stack, infra_only: bool, scaled: bool) -> None:
    began = time.monotonic()
    for name, state in stack.provision().items():
        print(f"{name}: {state}")
    for name, started in stack.start_infra().items():
        print(f"{name}: {'started' if started else 'already running'}")
    if not infra_only:
        started_now = stack.start_services()
        for name, started in started_now.items():
            print(f"{name}: {'started' if started else 'already running'}")
        if scaled and not started_now[GATEWAY]:
            stack.services[GATEWAY].restart()  # a gateway started before knows only the instances it was given
            print(f"{GATEWAY}: restarted to spread its calls over the instances")
        if stack.config.profile == "dev":
            print(stack.ensure_operator())
    print(f"ready in {time.monotonic() - began:.1f}s (profile {stack.config.profile})\n{stack.urls()}")


def _status(stack: Stack) -> int:
    rows = stack.status()
    for name, info in rows.items():
        state = f"running (pid {info['pid']})" if info["running"] else "stopped"
        print(f"{name:<10} {state:<22} port {info['port']}")
    return 0


def _logs(stack: Stack, name: str, lines: int, follow: bool) -> None:
    path = stack.component(name).log_file
    if not path.exists():
        raise DevstackError(f"no log yet for {name} ({path})")
    print(stack.component(name).process.log_tail(lines))
    if not follow:
        return
    with path.open() as handle:
        handle.seek(0, 2)
        while True:
            line = handle.readline()
            if line:
                print(line, end="", flush=True)
            else:
                time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        instances = getattr(args, "instances", None)
        counts = None if instances is None else parse_instances(instances, SCALABLE)
        stack = Stack(StackConfig.for_profile(args.profile, instances=counts))
        if args.command == "provision":
            for name, state in stack.provision().items():
                print(f"{name}: {state}")
        elif args.command == "up":
            _up(stack, args.infra_only, counts is not None)
        elif args.command == "down":
            stopped = stack.stop_all()
            print(f"stopped: {', '.join(stopped)}" if stopped else "nothing of ours was running")
            if args.wipe:
                shutil.rmtree(stack.config.state_dir, ignore_errors=True)
                print(f"deleted {stack.config.state_dir}")
        elif args.command == "status":
            _status(stack)
        elif args.command == "logs":
            _logs(stack, args.name, args.lines, args.follow)
        elif args.command == "kafka":
            return kafkacli.run(stack, args.tool, args.args)
    except DevstackError as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
