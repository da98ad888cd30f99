# creditdesk: the two commands of the quick start are `make up` and `make test`.
# Everything installs from the committed, hashed requirements.lock into .venv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock */*/pyproject.toml infra/pyproject.toml pyproject.toml | sha256sum | cut -c1-16)
MEMBERS := libs/contracts libs/chassis infra services/gateway services/identity services/billing \
           services/recovery services/ratings services/teams services/portal
PROFILE ?= dev
# Helm renders and lints the cluster deployment in tests/deploy (built from the Go module proxy).
HELM_VERSION := v3.22.0
TOOLS := .cache/tools

.PHONY: help install tools up down status logs test test-unit test-fast lint lock schemas docs bench clean-stack

help:
	@echo "make up          start Kafka, Mongo server, SMTP sink, every service and the gateway (background)"
	@echo "make down        stop what 'make up' started"
	@echo "make status      what is running"
	@echo "make test        the whole test suite (starts its own test stack on ports +10000)"
	@echo "make test-unit   domain and handler tests with in-memory fakes: no broker, no database, no real adapter"
	@echo "make tools       helm into .cache/tools (needs Go), for the deployment tests"
	@echo "make lint        ruff and mypy --strict"
	@echo "make lock        re-resolve dependencies and export the hashed locks"
	@echo "make schemas     export event JSON Schemas after a deliberate contract change"
	@echo "make docs        export every service's OpenAPI and AsyncAPI documents to docs/"
	@echo "make bench       run the benchmarks, figures to bench/results/"

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		$(foreach m,$(MEMBERS),-e $(m))
	rm -f $(VENV)/.installed-*
	touch $@

tools: $(TOOLS)/helm-$(HELM_VERSION)

$(TOOLS)/helm-$(HELM_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(abspath $(TOOLS)) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	touch $@

up: install
	$(PY) -m devstack up --profile $(PROFILE) $(if $(INSTANCES),--instances $(INSTANCES))

down: install
	$(PY) -m devstack down --profile $(PROFILE)

status: install
	$(PY) -m devstack status --profile $(PROFILE)

test: install tools
	$(PY) -m pytest

# Every test not marked infra or e2e: pure domain rules and handlers over the ports' in-memory fakes.
# schemathesis' pytest plugin (only tests/fuzz, an e2e folder, uses it) costs a second of import.
# Bytecode caches on even where the environment turns them off (PYTHONDONTWRITEBYTECODE=1, as on
# these machines): without them every run compiles every module and re-rewrites every test's
# asserts, about half of the run's CPU.
test-unit: install
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -p no:schemathesis -n auto -m "not infra and not e2e and not tools and not adapter"


lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy libs/contracts/src libs/chassis/src infra/src services/*/src tests bench conftest.py \
		services/*/tests

# Needs uv (pip install uv). uv.lock stays out of git: it records download hosts.
lock:
	uv lock
	uv export --frozen --all-packages --no-emit-workspace --format requirements-txt -o requirements.lock -q
	for s in gateway identity billing recovery ratings teams portal; do \
		uv export --frozen --package creditdesk-$$s --no-dev --no-emit-workspace \
			--format requirements-txt -o requirements/$$s.lock -q; done

schemas: install
	$(PY) -m contracts.schemas export

docs: install
	$(PY) -m devstack.docs

bench: install
	$(PY) -m bench
