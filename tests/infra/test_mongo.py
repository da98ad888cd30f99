"""Real MongoDB-wire server (mongo-java-server, H2 file backend)."""

from __future__ import annotations

import uuid

import pytest
from pymongo import MongoClient

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
