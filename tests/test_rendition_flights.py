"""Cold PDF and Word renders are bounded: a rendition nobody has stored is rendered once however many ask at the same
time (a lock in the cache, which every process and app server shares), and a worker renders at most
RENDITION_RENDERS_PER_WORKER at once — beyond that, and when a wait for another's render runs out, the reader gets a
503 page in Chinese with Retry-After."""

import os
import threading
import time
import uuid

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from editorial import renditions
from tests import factories

pytestmark = pytest.mark.django_db

# Another engineer's tests may share the server: only keys under this test's own prefix are touched, in a
# database of its own (test_two_instances empties db 11, and the two may run at once: make test, two workers).
REDIS_TEST_URL = os.environ.get("REDIS_FLIGHTS_TEST_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    cache.clear()


@pytest.fixture
def slow_render(monkeypatch):
    """A render that takes `seconds` and records each call (the real one is measured elsewhere)."""
    calls = []

    class Slow:
        seconds = 0.6

        def __call__(self, *, issue, format):
            calls.append((issue.number, format.extension, threading.current_thread().name))
            time.sleep(self.seconds)
            return b"%PDF-1.7 rendered once"

    fake = Slow()
    fake.calls = calls
    monkeypatch.setattr(renditions, "render", fake)
    return fake


@pytest.fixture
def one_slot(monkeypatch):
    """This worker may render one file at a time (the production default)."""
    slots = threading.BoundedSemaphore(1)
    monkeypatch.setattr(renditions, "_render_slots", slots)
    return slots


def published(number: int):
    issue = factories.make_published_issue(number=number)
    factories.make_article(issue=issue, title=f"第{number}期的稿件")
    return issue


def at_once(count: int, work) -> list:
    """Run `work()` in `count` threads started together; their results (or exceptions) in order."""
    results = [None] * count
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            results[index] = work()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,), name=f"reader-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_many_readers_asking_at_once_for_a_cold_pdf_get_one_render_and_the_same_file(slow_render, one_slot):
    issue = published(193)
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    results = at_once(8, lambda: renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name))
    assert len(slow_render.calls) == 1
    assert all(isinstance(result, renditions.Rendition) for result in results), results
    assert {result.name for result in results} == {name}
    assert sum(result.rendered for result in results) == 1
    assert all(result.read() == b"%PDF-1.7 rendered once" for result in results)


def test_the_lock_lives_in_the_shared_cache_so_another_servers_render_is_waited_for(slow_render):
    issue = published(193)
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    # Another app server holds the lock, stores the file a moment later and lets go.
    cache.add(renditions._lock_key(name), "another-server", timeout=60)

    def other_server_finishes():
        time.sleep(0.5)
        renditions._store(name, b"%PDF from the other server")
        cache.delete(renditions._lock_key(name))

    threading.Thread(target=other_server_finishes).start()
    rendition = renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name)
    assert slow_render.calls == []
    assert not rendition.rendered and rendition.read() == b"%PDF from the other server"


def test_with_redis_the_lock_is_visible_to_every_process(settings, monkeypatch):
    prefix = f"test-flights-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    issue = published(193)
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    other_process = redis.Redis.from_url(REDIS_TEST_URL)
    seen = []

    def render_and_look(*, issue, format):
        seen.extend(other_process.keys(f"{prefix}:*rendition-lock*"))
        return b"%PDF"

    monkeypatch.setattr(renditions, "render", render_and_look)
    try:
        renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name)
        left = other_process.keys(f"{prefix}:*")
    finally:
        for key in other_process.keys(f"{prefix}:*"):
            other_process.delete(key)
    assert len(seen) == 1
    assert left == []


def test_a_worker_rendering_all_it_may_answers_other_cold_files_with_a_503_page_and_retry_after(
    client, slow_render, one_slot
):
    first, second = published(193), published(194)
    slow_render.seconds = 1.5
    name = renditions.rendition_name(issue=first, format=renditions.PDF)
    busy = threading.Thread(target=lambda: renditions.issue_rendition(issue=first, format=renditions.PDF, name=name))
    busy.start()
    while not slow_render.calls:
        time.sleep(0.02)
    response = client.get(reverse("editorial:issue-pdf", args=[second.number]))
    busy.join()
    assert response.status_code == 503
    assert response["Retry-After"] == str(renditions.RETRY_AFTER_SECONDS)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "2020年第194期的 PDF 文件正在准备中" in page and "服务器此刻正忙于生成其他文件" in page
    assert f'href="{reverse("editorial:issue-pdf", args=[second.number])}"' in page
    assert [call[0] for call in slow_render.calls] == [193]
    # Once the worker is free again, the file is rendered on the next request.
    again = client.get(reverse("editorial:issue-pdf", args=[second.number]))
    assert again.status_code == 200 and again["X-Rendition"] == "rendered"


def test_readers_waiting_too_long_for_anothers_render_get_the_503_page(client, slow_render, monkeypatch):
    issue = published(193)
    monkeypatch.setattr(renditions, "WAIT_SECONDS", 0.4)
    name = renditions.rendition_name(issue=issue, format=renditions.DOCX)
    cache.add(renditions._lock_key(name), "a-slow-render-elsewhere", timeout=60)
    started = time.monotonic()
    response = client.get(reverse("editorial:issue-docx", args=[issue.number]))
    assert response.status_code == 503 and response["Retry-After"] == str(renditions.RETRY_AFTER_SECONDS)
    assert "Word 文件正在准备中" in response.content.decode() and "所需时间比平时长一些" in response.content.decode()
    assert time.monotonic() - started < 5
    assert slow_render.calls == []


def test_a_lock_left_by_a_dead_worker_expires(slow_render, monkeypatch):
    issue = published(193)
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    cache.add(renditions._lock_key(name), "a-worker-that-died", timeout=1)
    rendition = renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name)
    assert rendition.rendered and len(slow_render.calls) == 1


def test_without_the_cache_files_are_still_rendered(slow_render, monkeypatch):
    issue = published(193)

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("cache down")

    monkeypatch.setattr(renditions.shared_cache, "add", unreachable)
    monkeypatch.setattr(renditions.shared_cache, "get", unreachable)
    rendition = renditions.issue_rendition(issue=issue, format=renditions.PDF)
    assert rendition.rendered and len(slow_render.calls) == 1


def test_the_production_cap_is_one_render_per_worker_and_comes_from_the_environment(settings):
    from tests.test_settings import run_manage

    assert settings.RENDITION_RENDERS_PER_WORKER == 1
    code = "from django.conf import settings; print(settings.RENDITION_RENDERS_PER_WORKER)"
    result = run_manage("shell", "--no-imports", "-c", code, env={"DEBUG": "1", "RENDITION_RENDERS_PER_WORKER": "3"})
    assert result.stdout.strip() == "3", result.stderr
    refused = run_manage("check", env={"DEBUG": "1", "RENDITION_RENDERS_PER_WORKER": "0"})
    assert refused.returncode != 0 and "RENDITION_RENDERS_PER_WORKER must be 1 or more" in refused.stderr


@pytest.mark.parametrize("failure", [renditions.RenditionError("没有中文字体"), OSError("disk gone")])
def test_a_failing_render_fails_plainly_and_frees_the_lock_whether_or_not_the_cache_answers(monkeypatch, failure):
    issue = published(193)
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)

    def failing(**kwargs):
        raise failure

    monkeypatch.setattr(renditions, "render", failing)
    with pytest.raises(type(failure)):
        renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name)
    assert cache.get(renditions._lock_key(name)) is None

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("cache down")

    monkeypatch.setattr(renditions.shared_cache, "add", unreachable)
    with pytest.raises(type(failure)):
        renditions.issue_rendition(issue=issue, format=renditions.PDF, name=name)
