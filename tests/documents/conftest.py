from __future__ import annotations

import pytest

from matcher.taxonomy import Taxonomy, load_taxonomy


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()
