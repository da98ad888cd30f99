"""Inspect and replay a consumer group's dead letters.

    python -m chassis.deadletters list GROUP [--bootstrap HOST:PORT]
    python -m chassis.deadletters replay GROUP [--at PARTITION:OFFSET ...] [--bootstrap HOST:PORT]

Replay publishes the original bytes, with the original key, back to the
original topic. The event id is unchanged and was never recorded as applied,
so the group handles it again (and only once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts import dead_letter_topic


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def original_topic(self) -> str:
        return self.headers["x-original-topic"]


async def read_dead_letters(bootstrap: str, group: str) -> list[DeadLetter]:
    """Every dead letter of `group`, oldest first (reads without committing)."""
    topic = dead_letter_topic(group)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await probe.start()
    try:
        exists = topic in await probe.topics()
    finally:
        await probe.stop()
    if not exists:
        return []
    # No group: the consumer is given every partition and commits nothing.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        while not consumer.assignment():  # noqa: ASYNC110  (assigned on the first fetch)
            await asyncio.sleep(0.05)
        assigned = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        letters: list[DeadLetter] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*assigned, timeout_ms=1000)
            for records in batch.values():
                letters.extend(
                    DeadLetter(
                        partition=r.partition,
                        offset=r.offset,
                        key=r.key,
                        value=r.value or b"",
                        headers={k: v.decode(errors="replace") for k, v in r.headers},
                    )
                    for r in records
                )
        return sorted(letters, key=lambda d: (d.partition, d.offset))
    finally:
        await consumer.stop()


async def replay(bootstrap: str, group: str, positions: Sequence[tuple[int, int]] = ()) -> list[DeadLetter]:
    """Republish dead letters (all, or those at the given (partition, offset)) to their topics."""
    wanted = set(positions)
    letters = [d for d in await read_dead_letters(bootstrap, group) if not wanted or (d.partition, d.offset) in wanted]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.original_topic,
                letter.value,
                key=letter.key,
                headers=[("x-replayed-from", f"{letter.partition}:{letter.offset}".encode())],
            )
    finally:
        await producer.stop()
    return letters


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.deadletters", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("group", help="consumer group, i.e. the service name")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="PARTITION:OFFSET",
        help="replay only these dead letters (as printed by list)",
    )
    args = parser.parse_args(argv)
    if args.command == "list":
        for letter in asyncio.run(read_dead_letters(args.bootstrap, args.group)):
            print(
                json.dumps(
                    {
                        "partition": letter.partition,
                        "offset": letter.offset,
                        "topic": letter.original_topic,
                        "error": letter.headers.get("x-error"),
                        "attempts": letter.headers.get("x-attempts"),
                        "at": letter.headers.get("x-dead-lettered-at"),
                        "value": letter.value.decode(errors="replace"),
                    }
                )
            )
    else:
        positions = [(int(p), int(o)) for p, _, o in (at.partition(":") for at in args.at)]
        replayed = asyncio.run(replay(args.bootstrap, args.group, positions))
        print(f"replayed {len(replayed)} dead letter(s) of {args.group}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
