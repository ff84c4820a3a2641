"""Regression tests of the web review: what the case library, the start page, the stream form,
the exchange page and the matches show, and to whom."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sidestream.access.deps import CSRF_COOKIE
from sidestream.access.policy import ANONYMOUS, SYSTEM
from sidestream.db import session_scope
from sidestream.exchanges.models import Exchange
from sidestream.matching.service import dismiss_match, matches_for_stream
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import OrganisationCreate, StreamCreate
from sidestream.web import engines
from tests.web.conftest import PASSWORD, join, log_in, register_company, sign_up


def _post_stream(web: TestClient, csrf: str, org: int, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf, "kind": "material", "period": "per-year", "unit": "t", **fields}
    return web.post(f"/organisations/{org}/streams/new", data=data, follow_redirects=False)


def _stream_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    return int(re.search(r"/streams/(\d+)", response.headers["location"]).group(1))


def _ext(engine: Engine, external_id: str) -> int:
    with session_scope(engine) as session:
        return session.scalars(select(Stream.id).where(Stream.external_id == external_id)).one()


# --- 1. the case library publishes only what the visitor may see in full ---------------------


def test_cases_do_not_publish_a_network_only_stream(web: TestClient) -> None:
    web.cookies.clear()
    html = web.get("/cases", params={"q": "Analytical lab testing"}).text
    assert "Analytical lab testing for fermentation" not in html  # Novozymes, network only
    assert "Novozymes" not in html
    public = web.get("/cases", params={"q": "FGD gypsum"}).text
    assert "Ørsted Asnæs Power Station" in public  # public demo pairs still show


def test_a_forged_designed_match_does_not_unmask_an_anonymous_stream(
    web: TestClient, engine: Engine
) -> None:
    with session_scope(engine) as session:
        org = registry.create_organisation(session, OrganisationCreate(name="Curious Unmasker"))
        registry.create_stream(
            session,
            StreamCreate(
                organisation_id=org.id,
                direction="offer",
                title="Unmasking bait offer",
                kind="material",
                properties={"designed_match": "si-plu-water-need", "source": "S1"},
            ),
        )
    web.cookies.clear()
    html = web.get("/cases", params={"q": "Unmasking bait"}).text
    assert "Pivovarna Laško" not in html  # the anonymous need's owner
    assert "Unmasking bait offer" not in html


# --- 5 and 6. the start page counts only what the visitor may see, with COUNT queries --------


def _stat(html: str, label: str) -> int:
    found = re.search(r'<div class="stat">([\d,]+)</div><div class="stat-label">' + label, html)
    assert found, label
    return int(found.group(1).replace(",", ""))


def test_home_counts_only_visible_streams(web: TestClient, engine: Engine) -> None:
    with session_scope(engine) as session:
        visible = session.scalar(
            select(func.count())
            .select_from(Stream)
            .where(
                Stream.direction == "offer",
                Stream.status == "active",
                Stream.visibility.in_(("public", "anonymous")),
            )
        )
    web.cookies.clear()
    html = web.get("/").text
    assert _stat(html, "offers") == visible  # not the network-only offers
    cases = web.get("/cases").text
    assert re.search(rf"\b{_stat(html, 'documented cases')}\b", cases)  # same as the library


# --- 2. the stream form -----------------------------------------------------------------------


def test_an_unknown_site_is_a_message_beside_the_site_field(web: TestClient, csrf: str) -> None:
    org = register_company(web, csrf, "Siteless Sawmill ApS")
    response = _post_stream(web, csrf, org, direction="offer", title="Sawdust", site_id="999999")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'class="field invalid">\s*<label for="site_id"', response.text)


def test_code_provenance_is_decided_by_the_server(
    web: TestClient, csrf: str, engine: Engine
) -> None:
    org = register_company(web, csrf, "Provenance Plaster ApS")
    text = "FGD gypsum from flue-gas desulphurisation"
    forged = _stream_id(
        _post_stream(
            web,
            csrf,
            org,
            direction="offer",
            title="Scrap wood pallets",
            waste_code="100105",
            code_source="classifier",
        )
    )
    found = engines.classify(text, None)
    assert found is not None and found.suggestions
    best = found.suggestions[0]
    picked = _stream_id(
        _post_stream(
            web,
            csrf,
            org,
            direction="offer",
            title=text,
            waste_code=best.code,
            code_source="classifier",
        )
    )
    typed = _stream_id(
        _post_stream(
            web,
            csrf,
            org,
            direction="offer",
            title=text,
            waste_code=best.code,
            code_source="anything I like",
        )
    )
    with session_scope(engine) as session:
        assert session.get(Stream, forged).code_source == "user"
        assert session.get(Stream, picked).code_source == (
            f"classifier {best.evidence.backend} ({best.score:.2f})"
        )
        assert session.get(Stream, typed).code_source == "user"


# --- 3 and 4. the exchange page ---------------------------------------------------------------


@pytest.fixture
def exchange(web: TestClient, engine: Engine, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """An exchange in negotiation between a newcomer and the FGD gypsum supplier; yields
    (exchange url, the supplier's CSRF token)."""
    name = request.node.name.split("[")[0].replace("_", "-")[:40]
    csrf = sign_up(web, f"{name}-buyer@example.org")
    org = register_company(web, csrf, f"Buyer {name}")
    need = _stream_id(
        _post_stream(
            web,
            csrf,
            org,
            direction="need",
            title="Gypsum for plasterboard",
            waste_code="100105",
            quantity="20000",
            visibility="public",
        )
    )
    offer = _ext(engine, "kal-asnaes-fgd-gypsum")
    web.post(f"/streams/{need}/introductions", data={"csrf_token": csrf, "partner_id": offer})
    supplier = sign_up(web, f"{name}-seller@example.org")
    with session_scope(engine) as session:
        owner = session.get(Stream, offer).organisation_id
    join(engine, f"{name}-seller@example.org", owner)
    intro = re.search(r"/introductions/(\d+)/accept", web.get("/exchanges").text).group(1)
    accepted = web.post(
        f"/introductions/{intro}/accept", data={"csrf_token": supplier}, follow_redirects=False
    )
    url = accepted.headers["location"].split("?")[0]
    yield url, supplier
    web.cookies.clear()


def _version(web: TestClient, url: str) -> str:
    return re.search(r'name="version" value="(\d+)"', web.get(url).text).group(1)


def _send(web: TestClient, url: str, csrf: str, lang: str | None = None, **fields: str):  # type: ignore[no-untyped-def]
    """Post the exchange form as the page now is (its current version), in ``lang``."""
    params = {"lang": lang} if lang else {}
    data = {"csrf_token": csrf, "version": _version(web, url), **fields}
    return web.post(url, params=params, data=data)


def test_a_refused_exchange_update_saves_nothing(
    web: TestClient, engine: Engine, exchange: tuple[str, str]
) -> None:
    url, csrf = exchange
    web.post(url, data={"csrf_token": csrf, "version": _version(web, url), "status": "negotiating"})
    refused = web.post(
        url,
        data={
            "csrf_token": csrf,
            "version": _version(web, url),
            "agreed_quantity": "999",
            "agreed_unit": "t",
            "status": "active",
        },
    )
    assert refused.status_code == 422
    with session_scope(engine) as session:
        ex = session.get(Exchange, int(url.rsplit("/", 1)[1]))
        assert ex.agreed_quantity is None and ex.agreed_unit is None
        assert ex.status == "negotiating"


def _as(web: TestClient, request: pytest.FixtureRequest, side: str) -> str:
    """Log in as the ``exchange`` fixture's buyer or seller; their CSRF token."""
    name = request.node.name.split("[")[0].replace("_", "-")[:40]
    return log_in(web, f"{name}-{side}@example.org", PASSWORD)


def test_the_exchange_page_does_not_run_the_optimiser(
    web: TestClient,
    exchange: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    url, csrf = exchange

    def step(csrf: str, **data: str) -> None:
        r = web.post(url, data={"csrf_token": csrf, "version": _version(web, url), **data})
        assert r.status_code == 200, r.text

    step(csrf, status="negotiating")
    step(csrf, status="agreed", agreed_quantity="100", agreed_unit="t",
         agreed_price_eur_per_unit="5")  # fmt: skip
    step(_as(web, request, "buyer"), status="agreed")  # both companies agree
    csrf = _as(web, request, "seller")
    step(csrf, status="active")
    delivery = {"csrf_token": csrf, "delivered_on": "2026-03-01", "quantity": "100", "unit": "t"}
    assert web.post(url + "/deliveries", data=delivery, follow_redirects=False).status_code == 303

    def no_optimiser(*args: object, **kwargs: object) -> None:
        raise AssertionError("the exchange page ran the network optimisation")

    monkeypatch.setattr("sidestream.reports.service.optimize_network", no_optimiser)
    page = web.get(url)
    assert page.status_code == 200
    assert "Impact of the deliveries" in page.text
    assert "Figures appear here once deliveries are recorded" not in page.text


# --- 5. dismissals and dates of anonymous streams stay with their owner -----------------------


def test_only_members_see_a_streams_dismissals(web: TestClient, engine: Engine) -> None:
    csrf = sign_up(web, "private-dismisser@example.org")
    org = register_company(web, csrf, "Private Dismisser ApS")
    need = _stream_id(
        _post_stream(
            web,
            csrf,
            org,
            direction="need",
            title="Gypsum for plasterboard",
            waste_code="100105",
            quantity="20000",
            visibility="public",
        )
    )
    fgd = _ext(engine, "kal-asnaes-fgd-gypsum")
    web.post(f"/streams/{need}/dismiss", data={"csrf_token": csrf, "partner_id": str(fgd)})
    web.cookies.clear()
    with session_scope(engine) as session:
        outsider = matches_for_stream(session, need, ANONYMOUS, top=50, include_dismissed=True)
        assert not any(m.dismissed for m in outsider.matches)
        owner = matches_for_stream(session, need, SYSTEM, top=50, include_dismissed=True)
        assert any(m.dismissed and m.partner.id == fgd for m in owner.matches)
        with pytest.raises(Exception, match=r"log in|members"):
            dismiss_match(session, need, fgd, ANONYMOUS)


def test_an_anonymous_streams_registration_date_is_hidden_from_outsiders(
    web: TestClient, engine: Engine
) -> None:
    anon = _ext(engine, "si-iuv-sludge")
    web.cookies.clear()
    html = web.get(f"/streams/{anon}").text
    assert "Effluent treatment sludge" in html
    assert "Registered" not in html
    with session_scope(engine) as session:
        owner = session.get(Organisation, session.get(Stream, anon).organisation_id).name
    assert owner not in html


# --- 6. numbers in form fields are written and read in the page's language ---------------------


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def test_agreed_terms_sent_back_unchanged_on_a_danish_page_keep_their_value(
    web: TestClient, engine: Engine, exchange: tuple[str, str]
) -> None:
    url, csrf = exchange
    terms = {"agreed_quantity": "2.125", "agreed_unit": "t", "agreed_price_eur_per_unit": "-5.5"}
    _send(web, url, csrf, status="negotiating")
    _send(web, url, csrf, **terms)
    page = web.get(url, params={"lang": "da"}).text
    assert _field(page, "agreed_quantity") == "2,125"
    assert _field(page, "agreed_price_eur_per_unit") == "-5,5"  # shown, not left blank
    sent = {k: _field(page, k) for k in ("agreed_quantity", "agreed_price_eur_per_unit")}
    agreed = _send(web, url, csrf, "da", agreed_unit="t", status="agreed", **sent)
    assert agreed.status_code == 200, agreed.text
    with session_scope(engine) as session:
        ex = session.get(Exchange, int(url.rsplit("/", 1)[1]))
        assert (ex.terms_agreed_by, ex.agreed_quantity, ex.agreed_price_eur_per_unit) == (
            "offer",
            2.125,
            -5.5,
        )


def test_a_refused_form_shows_the_numbers_as_typed(
    web: TestClient, exchange: tuple[str, str]
) -> None:
    url, csrf = exchange
    _send(web, url, csrf, status="negotiating")
    refused = _send(web, url, csrf, "da", agreed_quantity="2,125", agreed_unit="no such unit")
    assert refused.status_code == 422
    assert _field(refused.text, "agreed_quantity") == "2,125"


@pytest.mark.parametrize(
    ("typed", "lang", "shown", "heading"),
    [
        ("80,5", "da", "80,5", "80,5"),
        ("1000", "en", "1000", "1000"),
        ("1.000", "da", "1.000", "1000"),
    ],
)
def test_the_carbon_price_is_read_in_the_pages_language(
    web: TestClient, typed: str, lang: str, shown: str, heading: str
) -> None:
    web.cookies.clear()
    page = web.get("/region/optimise", params={"carbon_price": typed, "lang": lang})
    assert page.status_code == 200
    assert _field(page.text, "carbon_price") == shown
    assert f" {heading} EUR/t" in page.text


@pytest.mark.parametrize("typed", ["abc", "-1", "nan", "2000"])
def test_a_wrong_carbon_price_is_named_beside_the_field(web: TestClient, typed: str) -> None:
    web.cookies.clear()
    page = web.get("/region/optimise", params={"carbon_price": typed})
    assert page.status_code == 200
    assert 'id="carbon_price-error"' in page.text
    assert _field(page.text, "carbon_price") == typed


# --- 7. an introduction that cannot be asked for says why ---------------------------------------


def test_a_refused_introduction_is_not_called_already_open(web: TestClient, engine: Engine) -> None:
    csrf = sign_up(web, "refused-intro@example.org")
    org = register_company(web, csrf, "Refused Intro ApS")
    need = _stream_id(_post_stream(web, csrf, org, direction="need", title="Gypsum", quantity="5"))
    own = _stream_id(_post_stream(web, csrf, org, direction="offer", title="Slag", quantity="5"))
    offer = _ext(engine, "kal-asnaes-fgd-gypsum")
    for partner, message in ((own, ""), (offer, "x" * 2001)):  # own stream; crafted message
        asked = web.post(
            f"/streams/{need}/introductions",
            data={"csrf_token": csrf, "partner_id": partner, "message": message},
            follow_redirects=False,
        )
        assert asked.status_code == 303
        assert asked.headers["location"] == f"/streams/{need}?notice=refused"
    page = web.get(f"/streams/{need}?notice=refused").text
    assert "cannot be asked for" in page and "already open" not in page


def test_a_picked_code_survives_a_form_returned_with_a_message(web: TestClient) -> None:
    csrf = sign_up(web, "picked-code@example.org")
    org = register_company(web, csrf, "Picked Code ApS")
    text = {"title": "", "description": "fly ash from our coal boiler"}
    refused = _post_stream(web, csrf, org, direction="offer", waste_code="100102", **text)
    assert refused.status_code == 422
    assert 'type="hidden" name="waste_code" value="100102"' in refused.text
    # the suggestions the page loads next keep that code chosen, listed or not
    for code in ("100102", "020304"):
        html = web.post(
            "/streams/suggest",
            data={"csrf_token": csrf, "organisation_id": org, "waste_code": code, **text},
        ).text
        assert re.search(rf'value="{code}"\s+checked', html), code


def test_a_page_answering_a_form_links_its_languages_to_the_form_page(
    web: TestClient, exchange: tuple[str, str]
) -> None:
    url, csrf = exchange
    page = web.post(
        url + "/deliveries",
        data={"csrf_token": csrf, "delivered_on": "not a date", "quantity": "1", "unit": "t"},
        headers={"referer": f"http://testserver{url}?notice=saved"},
    )
    assert page.status_code == 422
    assert f'href="{url}?notice=saved&amp;lang=da"' in page.text
    assert "/deliveries?lang=" not in page.text
    elsewhere = web.post(
        url + "/deliveries",
        data={"csrf_token": csrf, "delivered_on": "x"},
        headers={"referer": "https://attacker.example/x"},
    )
    assert 'href="/?lang=da"' in elsewhere.text
    for trick in ("http://testserver//evil.example/x", "http://testserver/\\evil.example/"):
        tricked = web.post(
            url + "/deliveries", data={"csrf_token": csrf, "delivered_on": "x"},
            headers={"referer": trick},
        )  # fmt: skip
        assert "evil.example" not in tricked.text.split("<main")[0], trick


@pytest.mark.parametrize(
    "address",
    ["/streams/abc", "/streams/99999999999999999999", "/no/such/page", "/exchanges/x"],
)
def test_a_bad_page_address_is_a_page_not_json(web: TestClient, address: str) -> None:
    email = "lost" + re.sub(r"\W", "-", address) + "@example.org"
    sign_up(web, email)  # signed in: the error page renders after the request's session closed
    page = web.get(address, headers={"accept": "text/html"}, params={"lang": "da"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text
    api = web.get("/api/v1/streams/abc", headers={"accept": "text/html"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "stream_id"


def test_the_exchange_pages_refusals_speak_the_pages_language(
    web: TestClient, exchange: tuple[str, str]
) -> None:
    url, csrf = exchange
    version = _version(web, url)
    web.post(url, data={"csrf_token": csrf, "version": version, "status": "negotiating"})
    negative = _send(web, url, csrf, "da", agreed_quantity="-3")
    assert negative.status_code == 422 and "Skal være mere end 0." in negative.text
    stale = web.post(
        url,
        params={"lang": "da"},
        data={"csrf_token": csrf, "version": version, "status": "failed"},
    )
    assert stale.status_code == 409 and "genindlæs siden" in stale.text
    early = _send(web, url, csrf, "da", status="agreed")
    assert early.status_code == 422 and "aftal først mængde, enhed og pris" in early.text


def test_the_country_is_chosen_by_its_name_in_the_pages_language(web: TestClient) -> None:
    sign_up(web, "country-choice@example.org")
    page = web.get("/start", params={"lang": "da"}).text
    assert '<select id="country" name="country"' in page
    assert '<option value="DK" >Danmark</option>' in page
    assert 'value="XX"' not in page and 'value="EU"' not in page


def test_an_invitation_is_accepted_or_declined_on_its_page_in_the_pages_language(
    web: TestClient, csrf: str, engine: Engine
) -> None:
    """Joining a company needs consent (stop 19) and, since stop 28, the mailed link: its
    page has Accept and Decline, in the page's language; the start page lists none."""
    import re

    from sqlalchemy import select

    from sidestream.access import service as access
    from sidestream.access.models import OutboxMessage
    from sidestream.access.roles import Role

    invited = "invited-colleague@example.org"
    sign_up(web, invited)
    invite_csrf = web.cookies[CSRF_COOKIE]
    links = {}
    with session_scope(engine) as session:
        owner = Organisation(name="Inviting Tannery ApS")
        other = Organisation(name="Second Mill ApS")
        session.add_all([owner, other])
        session.flush()
        for org in (owner, other):  # as their admins would
            access.set_membership(session, SYSTEM, org.id, invited, Role.member)
            mail = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
            links[org.id] = re.search(r"/join/[A-Za-z0-9_-]+", mail.body).group(0)
        tannery, mill = owner.id, other.id
    assert "invites you" not in web.get("/start").text  # an account proves no mailbox
    page = web.get(links[tannery], params={"lang": "da"}).text
    assert "Inviting Tannery ApS inviterer dig til at blive medlem." in page
    assert f'action="{links[tannery]}"' in page and "Accepter" in page
    answer = {"csrf_token": invite_csrf, "answer": "accept"}
    accepted = web.post(links[tannery], data=answer, follow_redirects=False)
    assert (
        accepted.status_code == 303 and accepted.headers["location"] == f"/organisations/{tannery}"
    )
    answer = {"csrf_token": invite_csrf, "answer": "decline"}
    declined = web.post(links[mill], data=answer, follow_redirects=False)
    assert declined.status_code == 303 and declined.headers["location"] == "/start"
    page = web.get("/start").text
    assert f'href="/organisations/{tannery}"' in page
    assert f'href="/organisations/{mill}"' not in page
    again = web.post(links[mill], data={"csrf_token": invite_csrf, "answer": "accept"})
    assert again.status_code == 404  # declined: the link is spent
