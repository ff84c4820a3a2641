"""Pydantic schemas every API domain shares: the envelope of a list's page."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list (docs/api.md, Lists): its items and where they lie in the whole."""

    items: list[T]
    total: int
    limit: int
    offset: int
