"""The local Mongo-wire server's write path: what the durable commit costs.

The same PyMongo workload against the launcher in each commit mode, started side
by side from the same jars, in one run (docs/adr/0006-durable-local-store.md):

- `periodic`: mongo-java-server's default, MVStore commits about once a second
  (what ran before; loses the last ~second of acknowledged writes on kill -9);
- `write`: every write committed (written to the OS) before its reply, group commit;
- `write+fsync`: the same, plus an fsync per commit (survives power loss).

Operations: insert_one, indexed find_one, find_one_and_update, update_one with
$push and with $pull; sequentially and with 8 concurrent clients. Two
interleaved rounds, the best of each mode kept (the machine is shared).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from pymongo import MongoClient, ReturnDocument
from pymongo.collection import Collection

from devstack.config import StackConfig
from devstack.mongo import CommitMode, Mongo
from devstack.provision import provision

OPERATIONS = 800  # of each kind, sequentially; the concurrent run splits as many between the clients
CLIENTS = 8
ROUNDS = 2
MODES: dict[str, tuple[CommitMode, bool]] = {
    "periodic": ("periodic", False),
    "write": ("write", False),
    "write+fsync": ("write", True),
}
Doc = dict[str, Any]
Op = Callable[[Collection[Doc], str], object]

OPS: dict[str, Op] = {
    "insert_one": lambda c, k: c.insert_one({"_id": k, "k": k, "n": 0, "tags": []}),
    "find_one (indexed)": lambda c, k: c.find_one({"k": k}),
    "find_one_and_update": lambda c, k: c.find_one_and_update(
        {"k": k}, {"$inc": {"n": 1}}, return_document=ReturnDocument.AFTER
    ),
    "update_one $push": lambda c, k: c.update_one({"_id": k}, {"$push": {"tags": "x"}}),
    "update_one $pull": lambda c, k: c.update_one({"_id": k}, {"$pull": {"tags": "x"}}),
}


def _servers(config: StackConfig) -> dict[str, Mongo]:
    """One launcher per mode, on ports next to the bench profile's Mongo, own data files."""
    base = config.port("mongo") + 100
    ports = {f"store_{i}": base + i for i in range(len(MODES))}
    side = dataclasses.replace(config, ports=MappingProxyType({**config.ports, **ports}))
    folder = config.state_dir / "store-bench"
    return {
        label: Mongo(
            side,
            name=f"store-bench-{i}",
            port_name=f"store_{i}",
            data_file=folder / f"{i}.mv",
            commit=commit,
            fsync=fsync,
        )
        for i, (label, (commit, fsync)) in enumerate(MODES.items())
    }


def _phases(collection: Collection[Doc], keys: list[str]) -> dict[str, float]:
    """Seconds per kind of operation over `keys`, in order."""
    spent: dict[str, float] = {}
    for name, op in OPS.items():
        began = time.perf_counter()
        for key in keys:
            op(collection, key)
        spent[name] = time.perf_counter() - began
    return spent


def _workload(url: str) -> dict[str, dict[str, float]]:
    run = uuid.uuid4().hex[:8]
    client: MongoClient[Doc]
    with MongoClient(url) as client:
        collection: Collection[Doc] = client[f"bench_{run}"]["docs"]
        collection.create_index("k", unique=True)
        sequential = _phases(collection, [f"s{i}" for i in range(OPERATIONS)])

        per_client = OPERATIONS // CLIENTS
        spent: list[dict[str, float]] = [{} for _ in range(CLIENTS)]
        start = threading.Barrier(CLIENTS)

        def one_client(n: int) -> None:
            own: MongoClient[Doc]
            with MongoClient(url) as own:
                start.wait()
                spent[n] = _phases(own[collection.database.name]["docs"], [f"c{n}-{i}" for i in range(per_client)])

        threads = [threading.Thread(target=one_client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.drop_database(collection.database.name)
    total = per_client * CLIENTS
    return {
        "sequential": {name: round(OPERATIONS / s, 1) for name, s in sequential.items()},
        # Phases are not synchronised between clients: the slowest client's time bounds each.
        f"concurrent_{CLIENTS}": {name: round(total / max(c[name] for c in spent), 1) for name in OPS},
    }


def _best(a: dict[str, dict[str, float]] | None, b: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    if a is None:
        return b
    return {how: {op: max(a[how][op], b[how][op]) for op in b[how]} for how in b}


async def bench_store_write_path(config: StackConfig) -> dict[str, Any]:
    provision(config)
    servers = _servers(config)
    best: dict[str, dict[str, dict[str, float]] | None] = dict.fromkeys(servers)
    for server in servers.values():
        server.stop()
        server.data_file.unlink(missing_ok=True)
    try:
        await asyncio.gather(*(asyncio.to_thread(s.up) for s in servers.values()))
        for _ in range(ROUNDS):
            for label, server in servers.items():  # interleaved: each mode sees the same load
                best[label] = _best(best[label], await asyncio.to_thread(_workload, server.url))
        sizes = {label: server.data_file.stat().st_size for label, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    figures = {label: b for label, b in best.items() if b is not None}
    base = figures["periodic"]

    def ratios(label: str) -> dict[str, dict[str, float]]:
        return {how: {op: round(v / base[how][op], 3) for op, v in ops.items()} for how, ops in figures[label].items()}

    return {
        "operations": OPERATIONS,
        "clients": CLIENTS,
        "rounds": ROUNDS,
        "ops_per_second": figures,
        "durable_to_periodic_ratio": ratios("write"),
        "fsync_to_periodic_ratio": ratios("write+fsync"),
        "data_file_bytes": sizes,
    }
