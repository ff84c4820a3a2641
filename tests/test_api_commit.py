"""A write is committed before the API answers, so a failed commit is never reported as done."""

from sqlalchemy import event

from tests.access.auth import as_platform_admin


def test_a_failed_commit_is_an_error_not_a_success(client, engine):
    admin = as_platform_admin(client)

    def refuse(session):  # the database refuses the commit (e.g. a serialisation failure)
        raise RuntimeError("commit refused")

    sessions = client.app.state.sessions
    event.listen(sessions, "before_commit", refuse)
    try:
        r = admin.post("/api/v1/organisations", json={"name": "Lost write Ltd"})
    except RuntimeError:
        r = None  # the test client re-raises server errors: also not a success
    finally:
        event.remove(sessions, "before_commit", refuse)
    assert r is None or r.status_code >= 500
    assert admin.get("/api/v1/organisations?q=Lost").json()["total"] == 0
