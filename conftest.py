"""Session fixtures shared by every test folder.

Integration and end-to-end tests run on the real local Kafka and MongoDB-wire
server of the `test` profile (ports +10000 from the development ones), started
here once per session, so a running `make up` stack is never disturbed.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression
from hypothesis import settings as hypothesis_settings
from pymongo import AsyncMongoClient

from chassis.mongo import MongoDatabase
from devstack.config import StackConfig
from devstack.stack import Stack

# No timed assertion in a test, hypothesis's 200 ms deadline included: on a shared 2-core machine
# an example can take longer with nothing wrong (a billing property failed so at load 12).
hypothesis_settings.register_profile("creditdesk", deadline=None)
hypothesis_settings.load_profile("creditdesk")

_MODULE_MARKS = re.compile(r"^pytestmark\s*=\s*(.+)$", re.MULTILINE)
# A folder's conftest.py that marks every test below it says so in one line, `FOLDER_MARKS = [...]`.
_FOLDER_MARKS = re.compile(r"^FOLDER_MARKS\s*=\s*(.+)$", re.MULTILINE)
_MARK_NAME = re.compile(r"pytest\.mark\.(\w+)")
_EXPRESSION_WORDS = re.compile(r"[A-Za-z_]\w*")


def _never_selected(markexpr: str, module_marks: set[str]) -> bool:
    """True when no test of a module carrying `module_marks` can match `-m markexpr`, whatever
    marks its tests add (every assignment of the expression's other names is tried)."""
    expression = Expression.compile(markexpr)
    others = sorted({w for w in _EXPRESSION_WORDS.findall(markexpr) if w not in {"and", "or", "not"}} - module_marks)
    for values in itertools.product((False, True), repeat=len(others)):
        extra = {name for name, on in zip(others, values, strict=True) if on}

        def matcher(name: str, /, **kwargs: object) -> bool:
            return name in module_marks or name in extra  # noqa: B023 (used at once, inside the loop)

        if expression.evaluate(matcher):
            return False
    return True


def _marks_declared(path: Path, declaration: re.Pattern[str]) -> set[str]:
    found = declaration.search(path.read_text(encoding="utf-8"))
    return set(_MARK_NAME.findall(found.group(1))) if found else set()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`make test-unit` (`-m "not infra and not e2e"`) does not import the modules it would deselect
    whole: a module-level `pytestmark` of infra or e2e marks every test in it, and a folder whose
    conftest.py declares `FOLDER_MARKS` (tests/browser) marks every test below it, so importing and
    assertion-rewriting those files (their conftest, the service apps and browsers they import) only
    to deselect all their tests is skipped. Selection is unchanged: a module or folder is left out only
    when none of its tests can match."""
    markexpr = config.getoption("markexpr", default="")
    if not markexpr:
        return None
    if collection_path.is_dir():
        conftest = collection_path / "conftest.py"
        marks = _marks_declared(conftest, _FOLDER_MARKS) if conftest.is_file() else set()
    elif collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        marks = _marks_declared(collection_path, _MODULE_MARKS)
    else:
        return None
    return True if marks and _never_selected(markexpr, marks) else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that move the test stack's clock (chassis.clock.OffsetFileClock only moves forward) run
    after every other, so that no test depends on whether they ran before it. The sort is stable."""
    items.sort(key=lambda item: item.get_closest_marker("moves_clock") is not None)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Kafka, the Mongo server and the SMTP sink of the test profile."""
    stack = Stack(StackConfig.for_profile("test"))
    stack.start_infra()
    yield stack
    if os.environ.get("CREDITDESK_KEEP_STACK") != "1":
        stack.stop_all()


@pytest.fixture(scope="session")
def running_services(stack: Stack) -> Stack:
    """Every service and the gateway as real processes on the test infra."""
    stack.start_services()
    return stack


@pytest.fixture
async def db(stack: Stack, request: pytest.FixtureRequest) -> AsyncIterator[MongoDatabase]:
    """A throwaway database on the test stack's Mongo server (named after the test's module), dropped after."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"{request.module.__name__.rsplit('.', 1)[-1].removeprefix('test_')[:40]}_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
