"""Jinja2 pages: `render(request, "<journey>/<page>.html", status=200, **context)`.

Every template gets: `request`, `session`, `locale`, `nav` (the entries the session's
roles allow), `flashes` (shown once), `current_path`; the functions `_()`/`gettext`/
`ngettext` (the request's catalogue; `{% trans %}` works too), `tr(text)` (the
translation of a text that comes from elsewhere, e.g. an API message, never marked
safe), `csrf_token()`, `field_id(name)`; the filters `money(cents, currency="EUR")`,
`date`, `datetime` formatted for the request's locale by Babel. Macros work whether
imported with or without context (they read the page being rendered from a context var).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from portal.adapters.api import MESSAGE_SEPARATOR
from portal.ports import Session
from portal.store.sessions import new_session
from portal.web.forms import field_id
from portal.web.i18n import locale_of

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Rendering:
    locale: str
    translations: Translations
    session: Session
    timezone: ZoneInfo


_RENDERING: ContextVar[Rendering | None] = ContextVar("portal_rendering", default=None)


def _current() -> Rendering:
    rendering = _RENDERING.get()
    if rendering is None:
        raise RuntimeError("templates are rendered through portal.web.templating.render only")
    return rendering


def _gettext(message: str) -> str:
    return _current().translations.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _current().translations.ngettext(singular, plural, n)


def tr(message: object) -> str:
    """The translation of a text known only at run time (an API message), or the text itself;
    a field's several messages (`"; "`-separated) are translated one by one, a known message that
    itself contains `"; "` as one."""
    return translated(_current().translations, str(message or ""))


def translated(translations: Translations, text: str) -> str:
    """`text` split at `"; "` into the longest runs that are known messages, each translated
    (a run that is none is a message of its own, kept as it is if unknown)."""
    parts = text.split(MESSAGE_SEPARATOR)
    shown: list[str] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            candidate = MESSAGE_SEPARATOR.join(parts[start:end])
            found = translations.gettext(candidate) if candidate else ""
            if found != candidate or end == start + 1:
                shown.append(found)
                start = end
                break
    return MESSAGE_SEPARATOR.join(shown)


def csrf_token() -> str:
    session = _current().session
    if session.new:
        session.dirty = True  # the form's token must be found at the POST
    return session.csrf_secret


def money(cents: int | None, currency: str = "EUR") -> str:
    if cents is None:
        return ""
    return format_currency(Decimal(int(cents)) / 100, currency, locale=_current().locale)


def number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=_current().locale)


def _as_datetime(value: Any) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def date_filter(value: Any, format: str = "medium") -> str:
    moment = _as_datetime(value)
    if moment is None:
        return str(value or "")
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(_current().timezone)
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, format=format, locale=_current().locale)


def datetime_filter(value: Any, format: str = "medium") -> str:
    moment = _as_datetime(value)
    if not isinstance(moment, datetime):
        return date_filter(value, format)
    return format_datetime(moment, format=format, tzinfo=_current().timezone, locale=_current().locale)


def build_environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(tr=tr, csrf_token=csrf_token, field_id=field_id)
    env.filters.update(money=money, number=number, date=date_filter, datetime=datetime_filter)
    return env


ENVIRONMENT = build_environment()


@contextmanager
def rendering(request: Request) -> Iterator[Rendering]:
    """The page being rendered (its locale, catalogue, session), for templates and macros."""
    portal = request.app.state.portal
    locale = locale_of(request)
    session = getattr(request.state, "session", None)
    if not isinstance(session, Session):
        session = new_session(portal.clock.now(), timedelta(minutes=portal.settings.anonymous_session_minutes))
        request.state.session = session
    current = Rendering(locale, portal.catalogs.get(locale), session, ZoneInfo(portal.settings.display_timezone))
    token = _RENDERING.set(current)
    try:
        yield current
    finally:
        _RENDERING.reset(token)


def render_text(request: Request, template: str, **context: Any) -> str:
    """A template (or a fragment for htmx) rendered to text for this request."""
    from portal.pages import visible_nav  # the navigation lives with the pages

    with rendering(request) as current:
        session = current.session
        values = {
            "request": request,
            "session": session,
            "locale": current.locale,
            "nav": visible_nav(session),
            "current_path": request.url.path,
            "flashes": session.pop_flashes(),
            **context,
        }
        return ENVIRONMENT.get_template(template).render(values)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_text(request, template, **context), status_code=status)
