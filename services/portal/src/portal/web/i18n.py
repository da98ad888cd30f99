"""Catalogues: every `.po` of `locale/<lang>/LC_MESSAGES/` merged per language at start-up
(Babel reads them; no compile step, so each journey owns its own `.po` files), and the
request's locale: the `lang` cookie, else Accept-Language, else the default (`fr`)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

from portal.settings import LOCALES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANG_COOKIE = "lang"


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later (navigation labels)."""
    return message


def load_catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """Every `.po` of that language merged into one catalogue (fuzzy entries kept out)."""
    merged = Catalog(locale=lang)
    for po in sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    merged.add(message.id, message.string, context=message.context)
    return merged


def translations_of(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def _translations(lang: str, locale_dir: Path) -> Translations:
    # The .po files are part of the package and never change while it runs: read once a process,
    # not once an app (a test suite builds an app per test; 90 % of create_app was this).
    return translations_of(load_catalog(lang, locale_dir))


class Catalogs:
    def __init__(self, default: str = "fr", locale_dir: Path = LOCALE_DIR) -> None:
        self.default = default
        self.by_lang: dict[str, Translations] = {lang: _translations(lang, locale_dir) for lang in LOCALES}

    def get(self, lang: str) -> Translations:
        return self.by_lang.get(lang) or self.by_lang[self.default]


def parse_accept_language(header: str) -> list[str]:
    """Primary language tags by decreasing quality: 'en-GB,en;q=0.8,fr;q=0.5' -> [en, en, fr]."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(weighted)]


def request_locale(request: Request, default: str = "fr") -> str:
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LOCALES:
        return cookie
    for tag in parse_accept_language(request.headers.get("accept-language", "")):
        if tag in LOCALES:
            return tag
    return default


def locale_of(request: Request) -> str:
    """The request's locale, decided once."""
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    portal = request.app.state.portal
    locale = request_locale(request, portal.settings.default_locale)
    request.state.locale = locale
    return locale


def translator(request: Request) -> Translations:
    """The request's catalogue: `translator(request).gettext("Log in")` in a page module."""
    return request.app.state.portal.catalogs.get(locale_of(request))  # type: ignore[no-any-return]


def gettext(request: Request, message: str) -> str:
    return translator(request).gettext(message)
