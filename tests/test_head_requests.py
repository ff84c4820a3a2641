"""HEAD is answered as GET without the body (it was 405 on every page and API path)."""

from __future__ import annotations


def test_head_answers_as_get_without_the_body(client):
    for path in ("/", "/api/v1/organisations", "/static/app.css"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and got.content, path
        assert head.headers["content-length"] == got.headers["content-length"], path
        assert head.headers["content-type"] == got.headers["content-type"], path
    assert "frame-ancestors" in client.head("/").headers["content-security-policy"]
    assert client.head("/api/v1/streams/999999").status_code == 404
    assert client.head("/api/v1/match").status_code == 405  # a POST route has no GET either
