import os

import pytest
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings

from tests import factories

# Property tests check what code does, not how fast: speed is measured in bench/, and a shared 2-core
# machine under load must not turn a slow example into a failure.
# In CI (.ci/run sets CI) the examples are derived from each test, so a landing never depends on a lucky draw;
# local runs draw afresh each time and keep finding new cases.
settings.register_profile("digest", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("digest-ci", parent=settings.get_profile("digest"), derandomize=True)
settings.load_profile("digest-ci" if os.environ.get("CI") else "digest")

# The 报送 tests' SMTP server, storage and one-render fixtures.
pytest_plugins = ["tests.delivery_support"]


# Tests that empty the database when they end (transactional ones; browser tests, with their live server).
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(items):
    """Mark the tests that empty the database: `make test` runs them in a pass of their own (see the Makefile)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        flushes = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"))
        if flushes or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(autouse=True, scope="session")
def media_of_this_process(tmp_path_factory):
    """Stored files (renditions, scans, import previews) go to a folder of this test process.

    `make test` runs two processes at once: sharing the checkout's var/media, one process's clean-up
    deleted the other's import previews while a test compared them (seen once in seven runs).
    """
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def editor(db):
    return factories.make_user("editor", role="编辑")


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer", role="审核")


@pytest.fixture
def administrator(db):
    return factories.make_user("admin", role="管理员")
