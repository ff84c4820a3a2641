"""A check of the list envelope of docs/api.md (importable from any test package)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

Item = dict[str, Any]


def by_id(item: Item) -> Any:
    """An item's ``id``."""
    return item["id"]


def check_pages(
    client: TestClient,
    url: str,
    headers: dict[str, str],
    key: Callable[[Item], Any] = by_id,
    *,
    params: dict[str, str] | None = None,
    default_limit: int = 50,
    max_limit: int = 500,
) -> list[Item]:
    """Assert that ``url`` answers ``{"items", "total", "limit", "offset"}`` (a bare array
    fails), that ``limit`` and ``offset`` walk the whole list one item a page under the same
    ``total``, and that ``limit=0``, a ``limit`` above ``max_limit`` and ``offset=-1`` are 422s
    naming the query field. Answers the first page's items (the list needs two or more)."""
    params = params or {}
    first = client.get(url, params=params, headers=headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert isinstance(page, dict) and set(page) == {"items", "total", "limit", "offset"}, page
    items, total = page["items"], page["total"]
    assert (page["limit"], page["offset"]) == (default_limit, 0)
    assert total == len(items) >= 2, "the check needs a list of two or more"
    walked: list[Item] = []
    for offset in range(total + 1):  # the last page, past the end, is empty
        one = client.get(url, params={**params, "limit": 1, "offset": offset}, headers=headers)
        assert (one.json()["total"], one.json()["limit"], one.json()["offset"]) == (
            total,
            1,
            offset,
        )
        walked += one.json()["items"]
    assert [key(i) for i in walked] == [key(i) for i in items]
    rest = client.get(url, params={**params, "limit": max_limit, "offset": 1}, headers=headers)
    assert [key(i) for i in rest.json()["items"]] == [key(i) for i in items[1:]]
    for field, value in (("limit", 0), ("limit", max_limit + 1), ("offset", -1)):
        r = client.get(url, params={**params, field: value}, headers=headers)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field], r.text
    return items
