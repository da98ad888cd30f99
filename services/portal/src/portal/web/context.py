"""What the app wires once and every page reaches through the request."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from portal.ports import Api, Clock, SessionStore
from portal.settings import PortalSettings
from portal.web.i18n import Catalogs


@dataclass
class Portal:
    settings: PortalSettings
    api: Api
    sessions: SessionStore
    clock: Clock
    catalogs: Catalogs


def portal_of(request: Request) -> Portal:
    portal = request.app.state.portal
    assert isinstance(portal, Portal)
    return portal


def api_of(request: Request) -> Api:
    """The gateway client (`await api_of(request).call(session, "GET", "/api/...")`)."""
    return portal_of(request).api
