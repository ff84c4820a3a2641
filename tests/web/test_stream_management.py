"""Changing a stream from its page: edit, pause / resume / close, delete, hidden partners."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sidestream.access.errors import Forbidden
from sidestream.access.policy import SYSTEM, Viewer
from sidestream.access.roles import Role
from sidestream.db import session_scope
from sidestream.matching.models import MatchDismissal
from sidestream.matching.service import hidden_partners, undismiss_match
from sidestream.registry import service as registry
from sidestream.registry.models import Stream
from sidestream.registry.schemas import StreamUpdate
from tests.web.conftest import register_company, sign_up

GYPSUM_NEED = {
    "direction": "need",
    "description": "Gypsum for plasterboard production, dry, at least 90 % purity",
    "title": "Gypsum for plasterboard",
    "kind": "material",
    "waste_code": "100105",
    "quantity": "20000",
    "unit": "t",
    "period": "per-year",
    "moisture_pct": "10",
    "visibility": "public",
}


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', html)
    assert found, f"no message beside {field}"
    return found.group(1)


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the page carries the version it shows"
    return found.group(1)


def _new_stream(web: TestClient, csrf: str, company: str, **changes: str) -> int:
    """A company registered by the signed-in user and one stream of it; the stream's id."""
    org = register_company(web, csrf, company)
    data = {"csrf_token": csrf, **GYPSUM_NEED, **changes}
    response = web.post(f"/organisations/{org}/streams/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/streams/(\d+)", response.headers["location"]).group(1))


def _stored(engine: Engine, stream_id: int) -> Stream | None:
    with session_scope(engine) as session:
        stream = session.get(Stream, stream_id)
        if stream is not None:
            session.expunge(stream)
        return stream


# --- editing ---------------------------------------------------------------------------------


def test_the_edit_form_comes_filled_in_and_saves(web: TestClient, csrf: str, engine: Engine):
    stream_id = _new_stream(web, csrf, "Edit Plaster ApS")
    page = web.get(f"/streams/{stream_id}")
    assert f'href="/streams/{stream_id}/edit"' in page.text  # the way in, for its company
    form = web.get(f"/streams/{stream_id}/edit", params={"lang": "da"}).text
    assert 'value="Gypsum for plasterboard"' in form
    assert 'id="direction-need" name="direction" value="need" checked' in form
    assert 'name="quantity" value="20000"' in form and 'name="moisture_pct" value="10"' in form
    version = _version(form)
    data = {
        "csrf_token": csrf,
        **GYPSUM_NEED,
        "version": version,
        "title": "Gypsum for wallboard",
        "quantity": "25000,5",  # as the Danish page writes numbers
        "moisture_pct": "",
    }
    response = web.post(f"/streams/{stream_id}/edit?lang=da", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/streams/{stream_id}?notice=edited"
    shown = web.get(response.headers["location"] + "&lang=en").text
    assert "Your changes are saved." in shown and "Gypsum for wallboard" in shown
    stored = _stored(engine, stream_id)
    assert (stored.title, stored.quantity) == ("Gypsum for wallboard", 25000.5)
    assert "moisture_pct" not in stored.properties  # a field emptied is cleared
    assert stored.waste_code == "100105" and stored.version == int(version) + 1


def test_edit_messages_sit_beside_the_fields_with_what_was_typed(
    web: TestClient, csrf: str
) -> None:
    stream_id = _new_stream(web, csrf, "Edit Messages ApS")
    version = _version(web.get(f"/streams/{stream_id}/edit").text)
    data = {"csrf_token": csrf, **GYPSUM_NEED, "version": version}
    data |= {"title": "", "quantity": "lots", "moisture_pct": "150"}
    response = web.post(f"/streams/{stream_id}/edit", data=data)
    assert response.status_code == 422
    html = response.text
    assert _error(html, "title") == "Please fill this in."
    assert _error(html, "quantity") == "Please enter a number, for example 12.5."
    assert _error(html, "moisture_pct") == "Must be between 0 and 100."
    assert 'value="lots"' in html and 'value="150"' in html


def test_a_colleagues_change_is_never_overwritten(web: TestClient, csrf: str, engine: Engine):
    stream_id = _new_stream(web, csrf, "Edit Conflict ApS")
    version = _version(web.get(f"/streams/{stream_id}/edit").text)
    with session_scope(engine) as session:  # a colleague saves first
        update = StreamUpdate(version=int(version), title="Gypsum, colleague's name")
        registry.update_stream(session, stream_id, update, viewer=SYSTEM)
    data = {"csrf_token": csrf, **GYPSUM_NEED, "version": version, "title": "My new name"}
    data["quantity"] = "31000"
    response = web.post(f"/streams/{stream_id}/edit", data=data)
    assert response.status_code == 409
    html = response.text
    assert "Someone else changed this stream after you opened this form" in html
    assert 'value="My new name"' in html and 'value="31000"' in html  # what was typed is kept
    assert f'href="/streams/{stream_id}/edit"' in html  # reload
    assert _version(html) == version  # sending it again does not overwrite either
    assert web.post(f"/streams/{stream_id}/edit", data=data).status_code == 409
    stored = _stored(engine, stream_id)
    assert (stored.title, stored.quantity) == ("Gypsum, colleague's name", 20000)


def test_only_its_companys_members_may_change_a_stream(
    web: TestClient, csrf: str, engine: Engine
) -> None:
    public = _new_stream(web, csrf, "Members Only ApS")
    private = _new_stream(web, csrf, "Members Only Private ApS", visibility="private")
    version = _version(web.get(f"/streams/{public}/edit").text)
    changes = {"csrf_token": csrf, **GYPSUM_NEED, "version": version, "title": "Taken over"}
    # a visitor who is not signed in is asked to log in, for a stream it may see
    web.cookies.clear()
    login = web.get(f"/streams/{public}/edit", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"].startswith("/login")
    assert web.get(f"/streams/{private}/edit").status_code == 404
    # another company's member: forbidden where it sees the stream, not found where it does not
    other = sign_up(web, "not-a-member@example.org")
    page = web.get(f"/streams/{public}").text
    assert "/edit" not in page and "/delete" not in page and "/status" not in page
    changes["csrf_token"] = other
    assert web.get(f"/streams/{public}/edit").status_code == 403
    assert web.post(f"/streams/{public}/edit", data=changes).status_code == 403
    status = {"csrf_token": other, "status": "paused", "version": version}
    assert web.post(f"/streams/{public}/status", data=status).status_code == 403
    assert web.get(f"/streams/{public}/delete").status_code == 403
    gone = {"csrf_token": other, "version": version}
    assert web.post(f"/streams/{public}/delete", data=gone).status_code == 403
    for path in ("edit", "delete"):
        assert web.get(f"/streams/{private}/{path}").status_code == 404
    assert web.post(f"/streams/{private}/delete", data=gone).status_code == 404
    stored = _stored(engine, public)
    assert (stored.title, stored.status) == ("Gypsum for plasterboard", "active")
    assert _stored(engine, private) is not None


# --- status ----------------------------------------------------------------------------------


def test_a_stream_is_paused_resumed_and_closed(web: TestClient, csrf: str, engine: Engine):
    stream_id = _new_stream(web, csrf, "Pause Plaster ApS")
    page = web.get(f"/streams/{stream_id}").text
    assert "FGD gypsum from flue-gas desulphurisation" in page  # partners while active
    status = {"csrf_token": csrf, "status": "paused", "version": _version(page)}
    response = web.post(f"/streams/{stream_id}/status", data=status, follow_redirects=False)
    assert response.headers["location"] == f"/streams/{stream_id}?notice=paused"
    page = web.get(response.headers["location"]).text
    assert "The stream is paused." in page and ">Resume</button>" in page
    assert "FGD gypsum from flue-gas desulphurisation" not in page  # not matched while paused
    assert _stored(engine, stream_id).status == "paused"
    # a page shown before the change is stale: nothing changes
    response = web.post(f"/streams/{stream_id}/status", data=status | {"status": "closed"})
    assert "Someone else changed this stream" in response.text
    assert _stored(engine, stream_id).status == "paused"
    resume = {"csrf_token": csrf, "status": "active", "version": _version(page)}
    page = web.post(f"/streams/{stream_id}/status", data=resume).text
    assert "The stream is active again" in page and ">Pause</button>" in page
    assert "FGD gypsum from flue-gas desulphurisation" in page
    close = {"csrf_token": csrf, "status": "closed", "version": _version(page)}
    response = web.post(f"/streams/{stream_id}/status", data=close, follow_redirects=False)
    assert _stored(engine, stream_id).status == "closed"
    page = web.get(response.headers["location"] + "&lang=da").text
    assert ">Genåbn</button>" in page  # Reopen, in the page's language


# --- deleting --------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(web: TestClient, csrf: str, engine: Engine) -> None:
    stream_id = _new_stream(web, csrf, "Delete Plaster ApS")
    org_id = _stored(engine, stream_id).organisation_id
    assert f'href="/streams/{stream_id}/delete"' in web.get(f"/streams/{stream_id}").text
    question = web.get(f"/streams/{stream_id}/delete")
    assert question.status_code == 200
    assert "Delete “Gypsum for plasterboard”?" in question.text
    assert "This cannot be undone." in question.text
    assert _stored(engine, stream_id) is not None  # asking deletes nothing
    version = _version(question.text)
    with session_scope(engine) as session:  # a colleague renames it meanwhile
        update = StreamUpdate(version=int(version), title="Gypsum, renamed")
        registry.update_stream(session, stream_id, update, viewer=SYSTEM)
    stale = web.post(f"/streams/{stream_id}/delete", data={"csrf_token": csrf, "version": version})
    assert stale.status_code == 409 and "Delete “Gypsum, renamed”?" in stale.text
    assert _stored(engine, stream_id) is not None
    data = {"csrf_token": csrf, "version": _version(stale.text)}
    response = web.post(f"/streams/{stream_id}/delete", data=data, follow_redirects=False)
    assert response.headers["location"] == f"/organisations/{org_id}?notice=deleted"
    assert "The stream is deleted." in web.get(response.headers["location"]).text
    assert _stored(engine, stream_id) is None
    assert web.get(f"/streams/{stream_id}").status_code == 404


# --- hidden partners -------------------------------------------------------------------------


def test_a_hidden_partner_can_be_shown_again(web: TestClient, csrf: str, engine: Engine) -> None:
    stream_id = _new_stream(web, csrf, "Hide Plaster ApS")
    with session_scope(engine) as session:
        fgd = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-asnaes-fgd-gypsum")
        ).one()
    partner = f'href="/streams/{fgd}"'
    assert partner in web.get(f"/streams/{stream_id}").text
    web.post(f"/streams/{stream_id}/dismiss", data={"csrf_token": csrf, "partner_id": str(fgd)})
    page = web.get(f"/streams/{stream_id}").text
    assert "Hidden partners (1)" in page and page.count(partner) == 1  # listed only as hidden
    assert f'name="partner_id" value="{fgd}"' in page
    response = web.post(
        f"/streams/{stream_id}/undismiss",
        data={"csrf_token": csrf, "partner_id": str(fgd)},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/streams/{stream_id}?notice=restored"
    page = web.get(response.headers["location"]).text
    assert "That partner may be suggested again." in page
    assert "Hidden partners" not in page
    assert "Not relevant, hide it" in page and partner in page  # suggested again
    with session_scope(engine) as session:
        assert not session.scalars(
            select(MatchDismissal).where(MatchDismissal.stream_id == stream_id)
        ).all()


def test_only_members_see_or_undo_a_streams_hidden_partners(
    web: TestClient, csrf: str, engine: Engine
) -> None:
    stream_id = _new_stream(web, csrf, "Hide Members ApS")
    with session_scope(engine) as session:
        stream = session.get(Stream, stream_id)
        fgd = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-asnaes-fgd-gypsum")
        ).one()
        org = stream.organisation_id
    web.post(f"/streams/{stream_id}/dismiss", data={"csrf_token": csrf, "partner_id": str(fgd)})
    outsider = Viewer(actor="user:0", user_id=999_999, roles={org + 10_000: Role.admin})
    member = Viewer(actor="user:0", user_id=999_999, roles={org: Role.member})
    with session_scope(engine) as session:
        assert [h.partner.id for h in hidden_partners(session, stream_id, member)] == [fgd]
        with pytest.raises(Forbidden):
            hidden_partners(session, stream_id, outsider)
        with pytest.raises(Forbidden):
            undismiss_match(session, stream_id, fgd, outsider)
    other = sign_up(web, "hidden-outsider@example.org")
    assert "Hidden partners" not in web.get(f"/streams/{stream_id}").text
    undo = {"csrf_token": other, "partner_id": str(fgd)}
    assert web.post(f"/streams/{stream_id}/undismiss", data=undo).status_code == 403
    with session_scope(engine) as session:
        assert hidden_partners(session, stream_id, member)  # still hidden
