"""The interface in English, Danish, Swedish, Norwegian Bokmål and Slovenian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from sidestream.web.i18n import (
    LOCALE_DIR,
    format_editable,
    format_number,
    format_quantity,
    parse_number,
)

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
    # an amount shows the decimals it needs: 0.4 t a year was shown as "0 t", 12.5 as "12"
    assert [format_quantity(v, "da") for v in (0.4, 12.5, 60.5, 30.0, 1234.5)] == [
        "0,4",
        "12,5",
        "60,5",
        "30",
        "1.234",
    ]
    assert format_quantity(0.0004, "da") == "< 0,001" and format_quantity(0.0, "en") == "0"
    assert parse_number("12,5", "da") == "12.5"
    assert parse_number("12.5", "da") == "12.5"
    assert parse_number("abc", "sl") == "abc"
    for value in (2.125, 1e-11, 1e12, 0.1 + 0.2, -5.5, -0.0):  # a field sent back unchanged
        for lang in ("da", "en", "sl"):
            assert float(parse_number(format_editable(value, lang), lang)) == value
    assert format_editable(2.125, "da") == "2,125" and format_editable(-0.0, "en") == "0"


def _csrf(web: TestClient, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text)
    assert token, f"{path} carries a CSRF token"
    return token.group(1)


def test_account_pages_and_their_messages_are_translated(web: TestClient) -> None:
    web.cookies.clear()
    web.get("/", params={"lang": "da"})  # the language chosen on another page is kept
    login = web.get("/login").text
    assert "Glemt din adgangskode?" in login and "Forgot your password?" not in login
    assert ">Adgangskode</label>" in login and ">Password</label>" not in login
    changed = web.get("/login", params={"reset": "1"}).text
    assert "Din adgangskode er ændret" in changed and "Your password was changed" not in changed
    sent = web.post("/reset", data={"csrf_token": _csrf(web, "/reset"), "email": "x@y.org"}).text
    assert "et link til at nulstille adgangskoden" in sent and "on its way" not in sent

    web.get("/", params={"lang": "sv"})
    bad = {"csrf_token": _csrf(web, "/login"), "email": "nobody@example.org", "password": "x"}
    wrong = web.post("/login", data=bad)
    assert wrong.status_code == 401
    assert "Fel e-postadress eller lösenord." in wrong.text
    assert "wrong e-mail address or password" not in wrong.text.lower()

    web.get("/", params={"lang": "sl"})
    short = {"csrf_token": _csrf(web, "/signup"), "email": "new@example.org", "password": "short"}
    refused = web.post("/signup", data=short)
    assert refused.status_code == 422 and "Uporabite vsaj 10 znakov." in refused.text

    web.get("/", params={"lang": "da"})  # a message naming what was typed, in Danish too
    typo = {"csrf_token": _csrf(web, "/signup"), "email": "bente@snedkeri",
            "password": "correct horse battery"}  # fmt: skip
    refused = web.post("/signup", data=typo)
    assert refused.status_code == 422 and "is not an e-mail address" not in refused.text
    assert "bente@snedkeri&#39; er ikke en e-mailadresse." in refused.text
    web.cookies.clear()


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


def test_numbers_in_phrases_follow_the_language() -> None:
    from sidestream.messages import Phrase
    from sidestream.web.i18n import format_by_spec, format_share

    assert format_by_spec(29550.4, ",.0f", "da") == "29.550"
    assert format_by_spec(0.583, ".2f", "da") == "0,58"
    assert format_by_spec(1234.56, ".1f", "sv") == "1234,6"  # no grouping asked
    assert format_by_spec(1.0, ".0%", "da") == format_share(1.0, "da") == "100\xa0%"
    for spec in (",.0f", ".2f", ".1f"):
        assert format_by_spec(1234.5678, spec, "en") == format(1234.5678, spec)
    assert format_by_spec(0.4567, ".0%", "en") == "46%"
    assert format_by_spec(0.1234, ".1%", "en") == "12.3%"
    assert format_by_spec(0.1234, ".1%", "sv") == "12,3\xa0%"  # the language's spacing too
    phrase = Phrase("{distance:.1f} km (limit {limit:.0f} km for {kind})",
                    {"distance": 1.64, "limit": 300, "kind": "energy"}, ("kind",))  # fmt: skip
    assert phrase.render() == "1.6 km (limit 300 km for energy)"
    words = {"{distance:.1f} km (limit {limit:.0f} km for {kind})": "{distance:.1f} km (grænse "
             "{limit:.0f} km for {kind})", "energy": "energi"}  # fmt: skip
    danish = phrase.render(lambda m: words.get(m, m), lambda v, s: format_by_spec(v, s, "da"))
    assert danish == "1,6 km (grænse 300 km for energi)"


def test_match_reasons_are_written_in_the_page_language(
    web: TestClient, ids: dict[str, int]
) -> None:
    from sidestream.web.i18n import translations

    english = web.get(f"/streams/{ids['offer']}", params={"lang": "en"}).text
    danish = web.get(f"/streams/{ids['offer']}", params={"lang": "da"}).text
    web.cookies.clear()
    same_code = "same LoW code ({offer_code} / {need_code})"
    assert "same LoW code (10 01 05 / 10 01 05)" in english and "haulage about" in english
    translated = translations("da").gettext(same_code)
    assert translated != same_code
    assert translated.format(offer_code="10 01 05", need_code="10 01 05") in danish
    assert "same LoW code" not in danish and "haulage about" not in danish
    assert re.search(r"\d,\d EUR/t", danish)  # the Danish decimal comma


def test_industries_are_named_in_the_page_language(web: TestClient, ids: dict[str, int]) -> None:
    """Who could use this?: NACE titles from Eurostat's national versions of NACE Rev. 2."""
    english = web.get(f"/streams/{ids['offer']}", params={"lang": "en"}).text
    danish = web.get(f"/streams/{ids['offer']}", params={"lang": "da"}).text
    organisation = web.get(f"/organisations/{ids['org']}", params={"lang": "sv"}).text
    web.cookies.clear()
    assert "<h3>Manufacture of cement " in english
    assert "<h3>Fremstilling af cement " in danish and "Manufacture of cement" not in danish
    from sidestream.taxonomy.nace import nace_title

    assert nace_title("2362", "sv") == "Tillverkning av gipsvaror för byggändamål"
    assert "35.11 Generering av elektricitet" in organisation  # the power station's activity


def test_typical_uses_are_in_the_page_language(web: TestClient, ids: dict[str, int]) -> None:
    danish = web.get(f"/streams/{ids['offer']}", params={"lang": "da"}).text
    web.cookies.clear()
    assert "afbindingsregulator i cement" in danish and "cement set retarder" not in danish


def test_typed_units_show_squares_and_cubes() -> None:
    from sidestream.web.templating import environment

    page = environment().from_string("{{ 'm^2' | unit }} {{ 'm**3/h' | unit }} {{ 'm3' | unit }}")
    assert page.render() == "m² m³/h m3"
