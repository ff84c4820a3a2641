"""Company pages: onboarding, the organisation's streams, adding a stream and changing one.

Registering a company needs an account: whoever registers it becomes its admin. Streams are
added and changed by the organisation's members; everyone else sees what the access policy
lets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from sidestream.access import policy
from sidestream.access import service as access
from sidestream.access.errors import Forbidden
from sidestream.access.models import User
from sidestream.access.policy import Viewer
from sidestream.access.roles import Role
from sidestream.api.deps import reads_only
from sidestream.classify.browse import search_nace
from sidestream.classify.engine import mirror_counterparts
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.messages import N_
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import OrganisationCreate, SiteCreate, StreamUpdate
from sidestream.registry.service import StreamFilter
from sidestream.taxonomy.kinds import SizeClass
from sidestream.taxonomy.nace import format_nace, nace_title
from sidestream.taxonomy.waste_codes import waste_codes
from sidestream.web import engines
from sidestream.web.forms import Gettext, clean, field_errors
from sidestream.web.i18n import choose_language, country_names
from sidestream.web.pages.common import (
    INVITATION,
    READ_ONLY,
    PageViewer,
    SessionDep,
    allowed,
    forbidden,
    gettext_for,
    not_found,
    see_other,
    to_login,
)
from sidestream.web.stream_form import (
    DIRECTION_LABELS,
    FIELDS,
    FORM_PROPERTIES,
    KIND_FORMS,
    PERIOD_LABELS,
    STATUS_LABELS,
    VISIBILITY_CHOICES,
    form_values,
    kind_form,
    stream_changes,
    stream_input,
)
from sidestream.web.templating import render

router = APIRouter()

SIZE_LABELS = {
    SizeClass.micro: N_("Micro: fewer than 10 people"),
    SizeClass.small: N_("Small: 10 to 49 people"),
    SizeClass.medium: N_("Medium: 50 to 249 people"),
    SizeClass.large: N_("Large: 250 people or more"),
}
ORG_FIELDS = ("name", "nace", "country", "size_class", "description")
SITE_FIELDS = ("site_name", "address", "lat", "lon")
NOT_A_MEMBER = N_("Only members of this company may add or change its streams.")
#: What an edit made on a form opened before a colleague changed the stream is told.
STALE_STREAM = N_(
    "Someone else changed this stream after you opened this form, so your changes are not"
    " saved. What you typed is kept below: reload the form to see their changes, then make"
    " yours again."
)


@router.get("/start", response_class=HTMLResponse)
def start(request: Request, viewer: PageViewer) -> Response:
    """Step 1: register the organisation and its site (after signing up or logging in)."""
    if not viewer.authenticated:
        return to_login(request, signup=True)
    return _start_page(request, {}, {})


#: How the invitation page words an invitation, by the role offered.
INVITED_AS = {
    Role.member: N_("%(organisation)s invites you to join it as a member."),
    Role.admin: N_("%(organisation)s invites you to join it as an administrator."),
    Role.facilitator: N_("%(organisation)s invites you to join it as a facilitator."),
}


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(request: Request, session: SessionDep, viewer: PageViewer, token: str) -> Response:
    """The page a mailed invitation links to: who invites, as what, and Accept / Decline once
    signed in (with a new account or an existing one: the link proves the mailbox)."""
    try:
        invitation = access.invitation_for_link(session, token)
    except NotFound:
        return not_found(request, INVITATION)
    org = session.get(Organisation, invitation.organisation_id)
    context = {
        "token": token,
        "org": org,
        "invitation": invitation,
        "invited_as": INVITED_AS[Role(invitation.role)],
        "signed_in": viewer.authenticated and viewer.user_id is not None,
        "here": quote(request.url.path, safe="/"),
    }
    return render(request, "company/join.html", context)


@router.post("/join/{token}", response_class=HTMLResponse)
async def join(request: Request, session: SessionDep, viewer: PageViewer, token: str) -> Response:
    """Answer a mailed invitation as the signed-in account: accept (then the company's page)
    or decline (the start page)."""
    if not viewer.authenticated or viewer.user_id is None:
        return to_login(request)
    accept = (await request.form()).get("answer") == "accept"
    user = session.get(User, viewer.user_id)
    try:
        policy.require_writer(viewer)
        org_id = access.answer_invitation_link(session, user, token, accept=accept)
    except NotFound:
        return not_found(request, INVITATION)
    except Conflict:  # another of its links answered at the same moment: the start page tells
        session.rollback()
        return see_other("/start")
    session.commit()
    return see_other(f"/organisations/{org_id}" if accept else "/start")


@router.post("/start", response_class=HTMLResponse)
async def start_submit(request: Request, session: SessionDep, viewer: PageViewer) -> Response:
    """Create the organisation (the user becomes its admin) and its first site."""
    if not viewer.authenticated:
        return to_login(request, signup=True)
    gettext = gettext_for(request)
    lang = choose_language(request)
    typed = dict(await request.form())  # shown again as typed beside a message
    values = clean(typed, ("lat", "lon"), lang)
    errors: dict[str, str] = {}
    org_data = site_data = None
    try:
        org_data = OrganisationCreate(**{k: values.get(k) for k in ORG_FIELDS if values.get(k)})
    except ValidationError as exc:
        errors |= field_errors(exc, ORG_FIELDS, gettext, lang)
    site_values = {
        "name": values.get("site_name") or values.get("name"),
        "address": values.get("address"),
        "lat": values.get("lat"),
        "lon": values.get("lon"),
    }
    try:
        site_data = SiteCreate(**{k: v for k, v in site_values.items() if v is not None})
    except ValidationError as exc:
        site_errors = field_errors(exc, ("name", *SITE_FIELDS), gettext, lang)
        if not values.get("site_name"):  # optional: it takes the company's name, said there
            site_errors.pop("name", None)
        errors |= {("site_name" if k == "name" else k): v for k, v in site_errors.items()}
    if "nace" in errors:
        errors["nace"] += _nace_suggestion(str(values.get("nace") or ""), gettext, lang)
    if org_data is None or site_data is None:
        return _start_page(request, typed, errors, status=422)
    try:
        org = registry.create_organisation(session, org_data, viewer=viewer)
    except Conflict as exc:
        session.rollback()
        return _start_page(request, typed, {"name": str(exc)}, status=422)
    access.grant_creator(session, viewer, org)
    admin = replace(viewer, roles={**viewer.roles, org.id: Role.admin})
    registry.create_site(session, org.id, site_data, viewer=admin)
    session.commit()
    return see_other(f"/organisations/{org.id}/streams/new")


def _nace_suggestion(typed: str, gettext: Gettext, lang: str) -> str:
    """A question naming the classes that words typed in the code's field name ("Savværk",
    "brewery": " Did you mean 16.10 (Sawmilling and planing of wood)?", the titles in ``lang``),
    else nothing."""
    found = search_nace(typed, 3) if any(ch.isalpha() for ch in typed) else []
    if not found:
        return ""
    codes = ", ".join(f"{format_nace(code)} ({nace_title(code, lang)})" for code, _ in found)
    return " " + gettext("Did you mean %(codes)s?") % {"codes": codes}


def _start_page(
    request: Request,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    """The start page (also beside a refused form)."""
    context = {
        "values": values,
        "errors": errors,
        "size_classes": SIZE_LABELS,
        "countries": country_names(choose_language(request)),
    }
    return render(request, "company/start.html", context, status=status)


@router.get("/organisations/{org_id}", response_class=HTMLResponse)
def organisation(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> HTMLResponse:
    """ "My streams": the organisation, its sites and the offers and needs the viewer may see."""
    try:
        org = registry.get_organisation(session, org_id)
    except NotFound:
        return not_found(request, N_("organisation"))
    streams, _ = registry.list_streams(
        session, StreamFilter(organisation_id=org_id), limit=200, viewer=viewer
    )
    context = {
        "org": org,
        "streams": streams,
        "kinds": KIND_FORMS,
        "member": allowed(policy.require_member, viewer, org_id),
        "visibilities": VISIBILITY_CHOICES,
        "statuses": STATUS_LABELS,
        "saved": request.query_params.get("saved"),
        "notice": request.query_params.get("notice"),
    }
    return render(request, "company/organisation.html", context)


def _writable_org(
    request: Request, session: SessionDep, viewer: Viewer, org_id: int
) -> Organisation | Response:
    """The organisation when the viewer may add streams to it, else the page to show."""
    try:
        org = registry.get_organisation(session, org_id)
    except NotFound:
        return not_found(request, N_("organisation"))
    if not viewer.authenticated:
        return to_login(request)
    if not allowed(policy.require_member, viewer, org_id):
        return forbidden(request, NOT_A_MEMBER)
    return org


@router.get("/organisations/{org_id}/streams/new", response_class=HTMLResponse)
def new_stream(request: Request, org_id: int, session: SessionDep, viewer: PageViewer) -> Response:
    """Step 2: "What do you have left over? What do you need?"."""
    org = _writable_org(request, session, viewer, org_id)
    if not isinstance(org, Organisation):
        return org
    values = {
        "direction": request.query_params.get("direction", "offer"),
        "kind": "material",
        "visibility": "public",
    }
    return _stream_page(request, org, values, {})


@router.post("/organisations/{org_id}/streams/new", response_class=HTMLResponse)
async def new_stream_submit(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Save the stream, or show the form again with a message beside each wrong field."""
    org = _writable_org(request, session, viewer, org_id)
    if not isinstance(org, Organisation):
        return org
    form = dict(await request.form())
    data, errors = stream_input(form, org_id, choose_language(request), gettext_for(request))
    if data is not None:
        source = _code_source(form, org, data.waste_code)
        try:
            stream = registry.create_stream(session, data, code_source=source, viewer=viewer)
        except InvalidInput as exc:  # a site that is not one of theirs: said in their language
            session.rollback()
            errors = _refused(exc, gettext_for(request), choose_language(request))
        except Conflict as exc:
            session.rollback()
            errors = {"title": str(exc)}
        except Forbidden:
            session.rollback()
            return forbidden(request, NOT_A_MEMBER)
        else:
            session.commit()
            return see_other(f"/streams/{stream.id}?saved=1")
    return _stream_page(request, org, form, errors, status=422)


def writable_stream(
    request: Request, session: SessionDep, viewer: Viewer, stream_id: int
) -> Stream | Response:
    """The stream when the viewer may change it, else the page to show: not found (as on the
    stream page), log in, or forbidden (a read-only session, or not a member of its company)."""
    try:
        stream = registry.get_stream(session, stream_id, viewer=viewer)
    except NotFound:
        return not_found(request, N_("stream"))
    if not viewer.authenticated:
        return to_login(request)
    if stream.organisation is None or not allowed(
        policy.require_member, viewer, stream.organisation_id
    ):
        return forbidden(request, READ_ONLY if not viewer.can_write else NOT_A_MEMBER)
    return stream


@router.get("/streams/{stream_id}/edit", response_class=HTMLResponse)
def edit_stream(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """The stream form filled in with the stream as stored, and the version it was read at."""
    stream = writable_stream(request, session, viewer, stream_id)
    if not isinstance(stream, Stream):
        return stream
    values = form_values(stream, choose_language(request)) | {"version": stream.version}
    return _edit_page(request, stream, values, {})


@router.post("/streams/{stream_id}/edit", response_class=HTMLResponse)
async def edit_stream_submit(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Save the changes made from the version the form was opened at, or show the form again
    as typed: a message beside each wrong field, or that someone else changed it meanwhile."""
    stream = writable_stream(request, session, viewer, stream_id)
    if not isinstance(stream, Stream):
        return stream
    form = dict(await request.form())
    lang, gettext = choose_language(request), gettext_for(request)
    org = stream.organisation
    data, errors = stream_input(form, org.id, lang, gettext, stream.properties)
    try:
        version = int(str(form.get("version")))
    except ValueError:
        version = -1  # a form without its version is stale
    if data is not None:
        changes = stream_changes(data, stream)
        source = _code_source(form, org, data.waste_code) if "waste_code" in changes else None
        try:
            update = StreamUpdate(version=version, **changes)
            registry.update_stream(session, stream_id, update, code_source=source, viewer=viewer)
        except InvalidInput as exc:
            session.rollback()
            errors = _refused(exc, gettext, lang)
        except ValidationError as exc:
            session.rollback()
            errors = field_errors(exc, [*FIELDS, *sorted(FORM_PROPERTIES)], gettext, lang)
        except Conflict:  # a stale version, or a colleague's change between read and write
            session.rollback()
            return _edit_page(request, stream, form, {"__all__": gettext(STALE_STREAM)}, 409, True)
        except Forbidden:
            session.rollback()
            return forbidden(request, READ_ONLY if not viewer.can_write else NOT_A_MEMBER)
        else:
            session.commit()
            return see_other(f"/streams/{stream_id}?notice=edited")
    return _edit_page(request, stream, form, errors, status=422)


def _refused(exc: InvalidInput, gettext: Gettext, lang: str) -> dict[str, str]:
    """The registry's refusal of a stream, beside its field, in the page's language."""
    if exc.field == "site_id":  # a site that is not one of theirs
        return {"site_id": gettext("Please choose one of your sites.")}
    return field_errors(exc, [*FIELDS, *sorted(FORM_PROPERTIES)], gettext, lang)


def _edit_page(
    request: Request,
    stream: Stream,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status: int = 200,
    stale: bool = False,
) -> HTMLResponse:
    context = _form_context(values, errors) | {
        "org": stream.organisation,
        "stream": stream,
        "stale": stale,
    }
    return render(request, "company/stream_form.html", context, status=status)


def _code_source(form: Mapping[str, Any], org: Organisation, code: str | None) -> str | None:
    """Where the stream's code came from, decided here, never taken from the form.

    ``"classifier <backend> (<score>)"`` only when the form says the code was picked from the
    suggestions and the server, re-running the classifier on the same text, suggests that very
    code; otherwise ``"user"`` (the user picked or typed it). ``None`` without a code.
    """
    if not code:
        return None
    if form.get("code_source") == "classifier":
        text = " ".join(str(form.get(k) or "") for k in ("title", "description")).strip()
        found = engines.classify(text, org.nace) if len(text) >= 3 else None
        for s in found.suggestions if found else ():
            if s.code == code:
                return f"classifier {s.evidence.backend} ({s.score:.2f})"
    return "user"


@router.get("/streams/fields", response_class=HTMLResponse)
def kind_fields(
    request: Request, viewer: PageViewer, kind: str = "material", quantity: str = ""
) -> HTMLResponse:
    """The kind-specific part of the stream form (swapped in by htmx when the kind changes),
    keeping the quantity typed (the switch cleared it)."""
    values = {"kind": kind, "quantity": quantity[:50]}
    return render(request, "company/_kind_fields.html", _form_context(values, {}))


@router.post("/streams/suggest", response_class=HTMLResponse)
@reads_only
async def suggest(request: Request, session: SessionDep, viewer: PageViewer) -> HTMLResponse:
    """Codes and kind suggested for the description typed so far (htmx, as the user types)."""
    form = await request.form()
    text = " ".join(str(form.get(k) or "") for k in ("title", "description")).strip()
    nace = None
    if form.get("organisation_id"):
        try:
            nace = registry.get_organisation(session, int(str(form["organisation_id"]))).nace
        except (NotFound, ValueError):
            nace = None
    suggestion = engines.classify(text, nace) if len(text) >= 3 else None
    return render(
        request,
        "company/_suggestions.html",
        {
            "suggestion": suggestion,
            "chosen": form.get("waste_code"),
            "kind_chosen": form.get("kind"),  # no "Use energy" once energy is chosen
            "text": text,
            "kinds": KIND_FORMS,
            # a mirror entry says which entries to compare it with ("17 05 03*")
            "counterparts": {
                code: ", ".join(waste_codes()[c].display for c in others)
                for code, others in mirror_counterparts().items()
            },
        },
    )


def _form_context(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "kinds": KIND_FORMS,
        "spec": kind_form(values.get("kind")),
        "periods": PERIOD_LABELS,
        "visibilities": VISIBILITY_CHOICES,
        "directions": DIRECTION_LABELS,
    }


def _stream_page(
    request: Request,
    org: Organisation,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    context = _form_context(values, errors) | {"org": org}
    return render(request, "company/stream_form.html", context, status=status)
