"""Real MongoDB-wire server (mongo-java-server, H2 file backend)."""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from devstack import Stack

pytestmark = pytest.mark.infra


def _client(stack: Stack) -> MongoClient[dict[str, object]]:
    return MongoClient(stack.mongo_url, serverSelectionTimeoutMS=5000)


def test_data_survives_server_restart(stack: Stack) -> None:
    db_name = f"devstack_{uuid.uuid4().hex[:8]}"
    with _client(stack) as client:
        client[db_name].things.insert_one({"_id": "a", "n": 1})
        client[db_name].things.update_one({"_id": "a"}, {"$inc": {"n": 1}})

    assert stack.mongo.stop()
    assert stack.mongo.up()

    with _client(stack) as client:
        assert client[db_name].things.find_one({"_id": "a"}) == {"_id": "a", "n": 2}
        client.drop_database(db_name)


def test_reports_wire_version_8(stack: Stack) -> None:
    # Why pymongo is pinned <4.18 (infra/README.md).
    with _client(stack) as client:
        assert client.admin.command("isMaster")["maxWireVersion"] == 8


WRITERS = 8
ACKED_BEFORE_KILL = 600  # acknowledged writes before the kill: the stream is in full flow


def test_every_acknowledged_write_survives_kill_9(stack: Stack) -> None:
    """Concurrent writers (inserts, $inc and $push updates), SIGKILL of the server mid-stream,
    restart on the same file: every write the server acknowledged is there."""
    db_name = f"devstack_kill_{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    lock = threading.Lock()
    inserted: list[str] = []  # _ids whose insert_one was acknowledged
    incs = dict.fromkeys(range(WRITERS), 0)  # acknowledged $inc per writer's counter
    pushed: dict[int, list[int]] = {w: [] for w in range(WRITERS)}  # acknowledged $push values

    def acknowledged() -> int:
        with lock:
            return len(inserted) + sum(incs.values()) + sum(len(p) for p in pushed.values())

    def writer(w: int) -> None:
        client: MongoClient[dict[str, object]] = MongoClient(
            stack.mongo_url, serverSelectionTimeoutMS=1000, socketTimeoutMS=2000, retryWrites=False
        )
        things = client[db_name].things
        try:
            for i in itertools.count():
                if stop.is_set():
                    return
                doc_id = f"{w}-{i}"
                things.insert_one({"_id": doc_id, "writer": w, "payload": "x" * 200})
                with lock:
                    inserted.append(doc_id)
                things.update_one({"_id": f"counter-{w}"}, {"$inc": {"n": 1}}, upsert=True)
                with lock:
                    incs[w] += 1
                things.update_one({"_id": f"list-{w}"}, {"$push": {"values": i}}, upsert=True)
                with lock:
                    pushed[w].append(i)
        except PyMongoError:
            return  # the server is gone: what this writer had acknowledged is recorded
        finally:
            client.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while acknowledged() < ACKED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        assert acknowledged() >= ACKED_BEFORE_KILL, "the writers did not get going"
        assert stack.kill("mongo")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        stack.mongo.up()

    with _client(stack) as client:
        things = client[db_name].things
        present = {str(d["_id"]) for d in things.find({"writer": {"$exists": True}}, {"_id": 1})}
        lost_inserts = sorted(set(inserted) - present)
        lost_incs = {}
        lost_pushes = {}
        for w in range(WRITERS):
            counter = things.find_one({"_id": f"counter-{w}"}) or {}
            stored_n = int(str(counter.get("n", 0)))
            if stored_n < incs[w]:  # a write that failed unacknowledged may still be there: >=
                lost_incs[w] = incs[w] - stored_n
            values = (things.find_one({"_id": f"list-{w}"}) or {}).get("values", [])
            missing = set(pushed[w]) - set(values if isinstance(values, list) else [])
            if missing:
                lost_pushes[w] = len(missing)
        client.drop_database(db_name)
    assert (len(lost_inserts), lost_incs, lost_pushes) == (0, {}, {}), (
        f"{acknowledged()} acknowledged writes; lost: {len(lost_inserts)} inserts {lost_inserts[:5]}..., "
        f"$inc per writer {lost_incs}, $push per writer {lost_pushes}"
    )
