"""The interface in English, Danish, Swedish, Norwegian Bokmål and Slovenian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from sidestream.web.i18n import LOCALE_DIR, format_number, parse_number

HOME_TITLES = {
    "en": "Your leftovers can be someone else's resource",
    "da": "Jeres rester kan være en andens ressource",
    "sv": "Era restflöden kan bli någon annans resurs",
    "nb": "Restene deres kan bli en annens ressurs",
    "sl": "Vaši ostanki so lahko vir za nekoga drugega",
}


@pytest.mark.parametrize("lang", sorted(HOME_TITLES))
def test_each_language_is_served_and_remembered(web: TestClient, lang: str) -> None:
    response = web.get("/", params={"lang": lang})
    assert f'<html lang="{lang}">' in response.text
    assert HOME_TITLES[lang] in response.text
    assert response.cookies.get("lang") == lang
    web.cookies.clear()


def test_browser_language_is_used_without_a_choice(web: TestClient) -> None:
    html = web.get("/", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}).text
    assert '<html lang="sv">' in html


def test_language_links_keep_the_page_and_its_query(web: TestClient) -> None:
    html = web.get("/cases", params={"q": "ash"}).text
    assert 'href="/cases?q=ash&amp;lang=da"' in html


def test_numbers_are_localised(web: TestClient) -> None:
    assert format_number(1234567.5, "da", 1) == "1.234.567,5"
    assert format_number(1234567, "en") == "1,234,567"
    assert parse_number("12,5", "da") == "12.5"
    assert parse_number("12.5", "da") == "12.5"
    assert parse_number("abc", "sl") == "abc"


@pytest.mark.parametrize("lang", ["da", "sv", "nb", "sl"])
def test_catalogue_is_complete_and_compiled(lang: str) -> None:
    folder = Path(LOCALE_DIR) / lang / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as fh:
        po = read_po(fh)
    with (folder / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)

    def key(message_id: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
        return message_id if isinstance(message_id, str) else tuple(message_id)

    translated = {key(m.id): m.string for m in mo if m.id}
    for message in po:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: untranslated {message.id!r}"
        assert translated.get(key(message.id)) is not None, "run scripts/web-i18n.sh"
        compiled = translated[key(message.id)]
        assert (tuple(compiled) if isinstance(compiled, list) else compiled) == message.string
