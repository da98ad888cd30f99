"""One OpenAPI document for the whole API: the gateway's routes plus every service's.

Each service's `/openapi.json` is fetched from the service and cached (reused
for `ttl` seconds; fetched again on the next request after a failure). In the
merge, a service's paths get the prefix `/api/<service>`, its components are
renamed `<Service>_<Name>` (with every `$ref`, discriminator mapping and
security requirement rewritten to match) and its operationIds get the prefix
`<service>_`. A service whose document cannot be had is left out and listed in
`x-unavailable-services`; the merged document itself never fails.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.proxy import UpstreamError

log = logging.getLogger("gateway.openapi")

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
COMPONENTS_PREFIX = "#/components/"
UNAVAILABLE = "x-unavailable-services"

Document = dict[str, Any]
Fetch = Callable[[str], Awaitable[Document]]


def component_prefix(service: str) -> str:
    """`billing` -> `Billing`: the prefix of the service's component names."""
    return service[:1].upper() + service[1:]


def rename_ref(ref: str, prefix: str) -> str:
    """`#/components/schemas/Invoice` -> `#/components/schemas/Billing_Invoice`; other refs unchanged."""
    if not ref.startswith(COMPONENTS_PREFIX):
        return ref
    section, slash, name = ref[len(COMPONENTS_PREFIX) :].partition("/")
    if not slash or not name:
        return ref
    return f"{COMPONENTS_PREFIX}{section}/{prefix}_{name}"


def rewrite_refs(node: Any, prefix: str) -> Any:
    """A deep copy of `node` with every reference to a component renamed."""
    if isinstance(node, list):
        return [rewrite_refs(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            rewritten[key] = rename_ref(value, prefix)
        elif key == "discriminator" and isinstance(value, dict):
            discriminator = rewrite_refs(value, prefix)
            mapping = discriminator.get("mapping")
            if isinstance(mapping, dict):
                discriminator["mapping"] = {
                    tag: rename_ref(target, prefix) if isinstance(target, str) else target
                    for tag, target in mapping.items()
                }
            rewritten[key] = discriminator
        else:
            rewritten[key] = rewrite_refs(value, prefix)
    return rewritten


def _rename_security(requirements: Any, prefix: str) -> Any:
    # Security requirements name schemes directly (no $ref): follow the renaming.
    if not isinstance(requirements, list):
        return requirements
    return [
        {f"{prefix}_{name}": scopes for name, scopes in requirement.items()}
        if isinstance(requirement, dict)
        else requirement
        for requirement in requirements
    ]


@dataclass(frozen=True)
class ServicePart:
    """A service's contribution to the merged document."""

    paths: Document
    components: dict[str, Document]
    tags: list[Any]


def prefix_service_document(service: str, document: Mapping[str, Any]) -> ServicePart:
    prefix = component_prefix(service)
    doc = rewrite_refs(dict(document), prefix)
    default_security = doc.get("security")
    paths: Document = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        new_item = dict(item)
        for method in HTTP_METHODS & item.keys():
            operation = dict(item[method])
            if isinstance(operation.get("operationId"), str):
                operation["operationId"] = f"{service}_{operation['operationId']}"
            security = operation.get("security", default_security)
            if security is not None:
                operation["security"] = _rename_security(security, prefix)
            new_item[method] = operation
        paths[f"/api/{service}{path}"] = new_item
    components: dict[str, Document] = {}
    for section, entries in (doc.get("components") or {}).items():
        if isinstance(entries, dict) and not section.startswith("x-"):
            components[section] = {f"{prefix}_{name}": value for name, value in entries.items()}
    tags = [tag for tag in doc.get("tags") or [] if isinstance(tag, dict) and "name" in tag]
    return ServicePart(paths=paths, components=components, tags=tags)


def merge_documents(base: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any] | None]) -> Document:
    """The gateway's own document plus each available service's, prefixed."""
    merged: Document = copy.deepcopy(dict(base))
    paths: Document = merged.setdefault("paths", {})
    components: dict[str, Document] = merged.setdefault("components", {})
    tags: list[Any] = list(merged.get("tags") or [])
    tag_names = {tag.get("name") for tag in tags if isinstance(tag, dict)}
    unavailable: list[str] = []
    for service, document in documents.items():
        if document is None:
            unavailable.append(service)
            continue
        try:
            part = prefix_service_document(service, document)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            log.warning("OpenAPI document of %s cannot be merged: %r", service, error)
            unavailable.append(service)
            continue
        paths.update(part.paths)
        for section, entries in part.components.items():
            components.setdefault(section, {}).update(entries)
        for tag in part.tags:
            if tag["name"] not in tag_names:
                tag_names.add(tag["name"])
                tags.append(tag)
    if tags:
        merged["tags"] = tags
    if not components:
        del merged["components"]
    merged[UNAVAILABLE] = unavailable
    return merged


@dataclass
class _Cached:
    document: Document | None
    fetched_at: float


class OpenApiAggregator:
    """Caches each service's document; fetches them concurrently."""

    def __init__(
        self,
        fetch: Fetch,
        services: Sequence[str],
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._services = tuple(services)
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._locks = {service: asyncio.Lock() for service in self._services}

    def _fresh(self, service: str) -> Document | None:
        cached = self._cache.get(service)
        if cached is None or cached.document is None:
            return None
        return cached.document if self._clock() - cached.fetched_at < self._ttl else None

    async def document(self, service: str) -> Document | None:
        """The service's document, or None when it cannot be fetched now."""
        fresh = self._fresh(service)
        if fresh is not None:
            return fresh
        async with self._locks[service]:
            fresh = self._fresh(service)  # fetched by a concurrent request meanwhile
            if fresh is not None:
                return fresh
            try:
                document = await self._fetch(service)
            except (UpstreamError, ValueError) as error:
                log.warning("OpenAPI document of %s unavailable: %r", service, error)
                document = None
            self._cache[service] = _Cached(document, self._clock())
            return document

    async def documents(self) -> dict[str, Document | None]:
        fetched = await asyncio.gather(*(self.document(service) for service in self._services))
        return dict(zip(self._services, fetched, strict=True))


def check_document(document: Any) -> Document:
    """Accept only something shaped like an OpenAPI document."""
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError("not an OpenAPI document (no 'paths' object)")
    return document
