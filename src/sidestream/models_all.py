"""Imports every domain's models so the metadata knows all tables (for Alembic and tests)."""

from sidestream.registry import models as registry_models

__all__ = ["registry_models"]
