"""``sidestream users``: create accounts from the command line (e.g. the first platform admin)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from sidestream.access import service
from sidestream.access.models import Membership
from sidestream.access.roles import Role
from sidestream.db import get_engine, session_scope, upgrade, upgrade_existing, utcnow
from sidestream.errors import SidestreamError
from sidestream.input_rules import MAX_STORED_INT
from sidestream.registry.models import Organisation

users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
err = Console(stderr=True)
DbOption = Annotated[
    str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
]


@users_app.command("create")
def create_command(
    email: Annotated[str, typer.Argument(help="e-mail address (the login)")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    platform_admin: Annotated[
        bool, typer.Option("--platform-admin", help="may see and change everything")
    ] = False,
    organisation: Annotated[
        int | None,
        typer.Option("--organisation", help="organisation id to join", min=1, max=MAX_STORED_INT),
    ] = None,
    role: Annotated[
        Role | None, typer.Option(help="role in --organisation (default: member)")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Create an account (the password is asked for unless given with --password)."""
    if role is not None and organisation is None:
        raise typer.BadParameter("a role is one in an organisation: give --organisation too",
                                 param_hint="--role")  # fmt: skip
    upgrade(database_url)
    try:
        with session_scope(get_engine(database_url), writing=True) as session:
            if organisation is not None and session.get(Organisation, organisation) is None:
                raise typer.BadParameter(
                    f"no organisation {organisation}", param_hint="--organisation"
                )
            user = service.create_user(session, email, password, platform_admin=platform_admin)
            if organisation is not None:
                membership = Membership(  # the operator's command: no invitation to accept
                    user_id=user.id,
                    organisation_id=organisation,
                    role=role or Role.member,
                    accepted_at=utcnow(),
                )
                session.add(membership)
    except SidestreamError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    err.print(f"created {email}", highlight=False)


def purge_command(database_url: DbOption = None) -> None:
    """Delete expired sessions, reset links and invitations, and old login attempts and mail
    copies."""
    from sidestream.access.retention import purge

    upgrade_existing(database_url)
    with session_scope(get_engine(database_url), writing=True) as session:
        deleted = purge(session)
    err.print(", ".join(f"{table}: {n} deleted" for table, n in deleted.items()), highlight=False)
