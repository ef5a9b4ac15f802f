import pytest

from tests import factories

# The 报送 tests' SMTP server, storage and one-render fixtures.
pytest_plugins = ["tests.delivery_support"]


@pytest.fixture
def editor(db):
    return factories.make_user("editor", role="编辑")


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer", role="审核")


@pytest.fixture
def administrator(db):
    return factories.make_user("admin", role="管理员")
