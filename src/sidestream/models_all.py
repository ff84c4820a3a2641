"""Imports every domain's models so the metadata knows all tables (for Alembic and tests)."""

from sidestream.access import models as access_models
from sidestream.exchanges import models as exchanges_models
from sidestream.matching import models as matching_models
from sidestream.registry import models as registry_models

__all__ = ["access_models", "exchanges_models", "matching_models", "registry_models"]
