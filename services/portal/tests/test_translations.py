"""Every msgid the portal's templates and page modules use has a French translation
(fr is the default locale), and the English catalogue has no msgid unknown to French."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from portal.web.i18n import LOCALE_DIR, load_catalog

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "portal"
# Templates call `_("...")`/`gettext("...")`; page modules `gettext(request, "...")`,
# `_("...")` (a translator's gettext) or `N_("...")` (marked, translated when shown).
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PYTHON_KEYWORDS = {"_": None, "gettext": (2,), "ngettext": (2, 3), "N_": None}


def used_msgids() -> dict[str, str]:
    """msgid -> where it is first used (file:line), from templates and Python page modules."""
    found: dict[str, str] = {}
    sources = [(p, "jinja2.ext:babel_extract") for p in sorted((PACKAGE / "templates").rglob("*.html"))]
    sources += [(p, "python") for p in sorted([*(PACKAGE / "pages").rglob("*.py"), *(PACKAGE / "web").rglob("*.py")])]
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"} if method != "python" else {}
        keywords = PYTHON_KEYWORDS if method == "python" else TEMPLATE_KEYWORDS
        for lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{path.relative_to(PACKAGE)}:{lineno}")
    return found


def test_the_extraction_sees_templates_and_pages() -> None:
    used = used_msgids()
    assert "Log in" in used
    assert "Incorrect email or password." in used  # from pages/account.py
    assert "Home" in used  # an N_() navigation label


def test_every_msgid_has_a_french_translation() -> None:
    french = load_catalog("fr")
    missing = {msgid: where for msgid, where in used_msgids().items() if not french.get(msgid)}
    assert not missing, "msgids without a French translation (add them to locale/fr/LC_MESSAGES/<journey>.po):\n" + (
        "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))
    )


def test_english_has_nothing_french_lacks() -> None:
    french, english = load_catalog("fr"), load_catalog("en")
    extra = [m.id for m in english if m.id and not french.get(m.id)]
    assert not extra, f"English msgids unknown to French: {extra}"


def test_every_language_folder_loads() -> None:
    for folder in LOCALE_DIR.iterdir():
        assert len(load_catalog(folder.name)) > 0, folder


def test_no_msgid_is_translated_two_ways_in_one_language() -> None:
    """Each journey owns its catalogue and the loader merges them: a msgid translated
    differently in two catalogues would show whichever loaded last, on every page."""
    for language in ("fr", "en"):
        seen: dict[str, tuple[str, str]] = {}
        clashes = []
        for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                for message in read_po(handle):
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
                    if not msgid or not text:
                        continue
                    earlier = seen.setdefault(msgid, (text, path.name))
                    if earlier[0] != text:
                        clashes.append(f"{msgid!r}: {earlier[1]} {earlier[0]!r}, {path.name} {text!r}")
        assert not clashes, f"{language}: " + "; ".join(clashes)


def test_an_api_text_is_translated_whole_or_message_by_message() -> None:
    """`tr` of a field's messages: one known message containing "; " is translated whole (it was
    split and left in English), several messages joined by "; " one by one, unknown ones kept."""
    from portal.web.i18n import Catalogs
    from portal.web.templating import translated

    fr = Catalogs().get("fr")
    whole = "Required for a natural person; for a legal person, its representative."
    assert translated(fr, whole) == fr.gettext(whole) != whole
    two = f"Enter your email.; {whole}"
    assert translated(fr, two) == f"{fr.gettext('Enter your email.')}; {fr.gettext(whole)}"
    assert translated(fr, "no such message; Enter your email.") == f"no such message; {fr.gettext('Enter your email.')}"
    assert translated(fr, "") == ""
