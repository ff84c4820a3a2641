"""The demo region comes with one account per role, usable with the printed password."""

from sidestream.access import service
from sidestream.access.demo import DEMO_PASSWORD
from sidestream.demo.builder import load_demo


def test_demo_accounts_log_in_with_their_roles(session):
    summary = load_demo(session)
    roles = {a.role.split(" of ")[0]: a for a in summary.accounts}
    assert set(roles) == {"platform admin", "facilitator", "company admin", "company member"}
    viewers = {}
    for label, account in roles.items():
        user = service.authenticate(session, account.email, DEMO_PASSWORD, "127.0.0.1")
        viewers[label] = service.viewer_for_user(session, user, actor=f"user:{user.id}")
    assert viewers["platform admin"].platform_admin
    assert viewers["facilitator"].facilitated_networks
    assert viewers["company admin"].roles == {
        o: r.replace("member", "admin") for o, r in viewers["company member"].roles.items()
    }
