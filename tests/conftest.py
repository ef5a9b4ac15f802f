import pytest
from hypothesis import HealthCheck, settings

from tests import factories

# Property tests check what code does, not how fast: speed is measured in bench/, and a shared 2-core
# machine under load must not turn a slow example into a failure.
settings.register_profile("digest", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("digest")

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
