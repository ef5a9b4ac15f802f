"""Two app servers, one database, one cache, one storage: what one publishes or corrects, the other serves fresh.

Two gunicorn processes run gunicorn.conf.py as production does (DEBUG off, two workers each) on
different ports, against a database of their own made for this test — PostgreSQL beside the test
database when the suite runs on PostgreSQL, a SQLite file otherwise — and one Redis cache
(REDIS_TEST_URL, default db 11 on 127.0.0.1; `make setup` installs redis-server), emptied first. Rendered PDFs go to
one shared folder (the default storage, as S3 would be in production).

A reviewer publishes and then corrects an issue through instance A's admin, its real forms and
workflow buttons; instance B, whose caches were warm with the old state, must show every step on
the issue page, the home page and the PDF at once. READER_STAMP_MAX_AGE_MS is 0 for both: with
production's default of one second readers may see a change up to a second late, by design.
"""

import contextlib
import json
import os
import socket
import subprocess
import urllib.parse
import uuid

import pytest
import redis
from django.db import connections

from bench.server import Client, Gunicorn, manage, production_env, shell

# Emptied by the test: a Redis database nothing else uses.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/11")
PASSWORD = "two-instances-pass-1"
SETUP = """
import json, os
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from editorial.models import Article, Issue
quiet = open(os.devnull, "w")
call_command("generate_archive", "--issues", "3", "--seed", "11", stdout=quiet)
call_command("generate_archive", "--issues", "1", "--first-number", "4", "--first-date", "2015-01-23",
             "--seed", "12", "--status", "draft", stdout=quiet)
reviewer = User.objects.create_user("reviewer", password=os.environ["REVIEWER_PASSWORD"], is_staff=True)
reviewer.groups.add(Group.objects.get(name="审核"))
issue = Issue.objects.get(number=4)
article = issue.articles.order_by("position").first()
print(json.dumps({
    "issue": issue.pk,
    "article": article.pk,
    "title": article.title,
    "body": article.body,
    "section": article.section_id,
    "regions": list(article.regions.values_list("pk", flat=True)),
    "page": article.page,
    "version": article.version,
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def instance_database(tmp_path):
    """A database URL for the app servers, on the engine the suite runs on; dropped afterwards."""
    settings = connections["default"].settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'instances.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    name = f"{settings['NAME']}_instances_{uuid.uuid4().hex[:6]}"
    credentials = urllib.parse.quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(settings["PASSWORD"])
    server = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    maintenance = f"postgresql://{credentials}@{server}/postgres"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql://{credentials}@{server}/{name}"
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def shared_cache() -> tuple[str, redis.Redis]:
    """The Redis both instances use, emptied. Without it the test would prove nothing about a shared cache."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_TEST_URL} does not answer ({error}); install and start redis-server.")
    return REDIS_TEST_URL, client


@pytest.fixture
def deployment(tmp_path):
    """Instances A and B running, the data the test works on, and the shared Redis client."""
    cache_url, cache = shared_cache()
    with instance_database(tmp_path) as database_url:
        prefix = f"two-instances-{uuid.uuid4().hex[:8]}"
        env = production_env(
            port=0,
            var_dir=tmp_path / "var",
            cache_url=cache_url,
            DATABASE_URL=database_url,
            STATIC_MANIFEST="0",
            READER_STAMP_MAX_AGE_MS="0",
            CACHE_KEY_PREFIX=prefix,
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="2",
        )
        manage("migrate", "--no-input", "-v0", env=env)
        data = json.loads(shell(SETUP, env={**env, "REVIEWER_PASSWORD": PASSWORD}).strip().splitlines()[-1])
        servers = []
        try:
            for name in ("a", "b"):
                port = free_port()
                server = Gunicorn(
                    {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, port=port, log=tmp_path / f"{name}.log"
                )
                servers.append(server.start())
            yield {"a": servers[0], "b": servers[1], "data": data, "cache": cache, "cache_prefix": prefix}
        finally:
            for server in servers:
                server.stop()


def pdf_text(content: bytes) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return "".join(text.stdout.decode().split())


def reader_sees(client: Client, path: str) -> tuple[int, str, str]:
    """Status, ETag and text of a public page as an anonymous reader gets it."""
    _, response, content = client.request("GET", path)
    return response.status, response.getheader("ETag", ""), content.decode(errors="replace")


def test_what_one_instance_publishes_and_corrects_the_other_serves_fresh(deployment):
    a, b, data = deployment["a"], deployment["b"], deployment["data"]
    assert a.process.pid != b.process.pid and a.port != b.port
    reader = Client(b.port)
    editor = Client(a.port)
    editor.login("reviewer", PASSWORD)
    issue_admin = f"/admin/editorial/issue/{data['issue']}/change/"

    def press(button: str, comment: str = "") -> None:
        status, location, _ = editor.submit(
            issue_admin,
            {f"{button}-comment": comment},
            action=f"/admin/editorial/issue/{data['issue']}/transition/{button}/",
        )
        # Refusals come back to the workflow panel (…#workflow) with a message; success to the issue page.
        assert (status, location) == (302, issue_admin), button

    # B has served the archive before: its caches hold the home page and issue 3 (which links to no issue 4).
    assert reader_sees(reader, "/issues/4/")[0] == 404
    assert reader_sees(reader, "/issues/4.pdf")[0] == 404
    home_before = reader_sees(reader, "/")
    assert home_before[0] == 200 and "/issues/3/" in home_before[2] and "/issues/4/" not in home_before[2]
    assert "/issues/4/" not in reader_sees(reader, "/issues/3/")[2]

    press("submit")
    press("approve")
    press("publish")

    status, published_etag, page = reader_sees(reader, "/issues/4/")
    assert status == 200 and data["title"] in page
    assert "/issues/4/" in reader_sees(reader, "/")[2]
    assert "/issues/4/" in reader_sees(reader, "/issues/3/")[2]
    _, response, pdf = reader.request("GET", "/issues/4.pdf")
    assert response.status == 200 and response.getheader("Content-Type") == "application/pdf"
    # Publishing on A rendered the PDF into the shared storage; B serves that file.
    assert response.getheader("X-Rendition") == "cached"
    assert "".join(data["title"].split()) in pdf_text(pdf)

    corrected_title = data["title"] + "（更正版）"
    corrected_body = data["body"].replace("。", "，据最新通报。", 1)
    fields = [
        ("title", corrected_title),
        ("body", corrected_body),
        ("section", str(data["section"])),
        ("issue", str(data["issue"])),
        *[("regions", str(region)) for region in data["regions"]],
        ("source", ""),
        ("page", str(data["page"] or "")),
        ("opened_version", str(data["version"])),
        ("correction_note", "标题补充“更正版”，正文补充通报来源。"),
        ("_save", "保存"),
    ]
    status, _, content = editor.submit(f"/admin/editorial/article/{data['article']}/change/", fields)
    assert status == 302, content.decode(errors="replace")[-3000:]

    status, corrected_etag, page = reader_sees(reader, "/issues/4/")
    assert status == 200 and corrected_title in page and "据最新通报" in page
    assert corrected_etag != published_etag
    # A reader holding the published page's ETag gets the correction, not "304 Not Modified".
    _, response, _ = reader.request("GET", "/issues/4/", headers={"If-None-Match": published_etag})
    assert response.status == 200
    _, response, pdf = reader.request("GET", "/issues/4.pdf")
    assert response.status == 200
    assert "".join(corrected_title.split()) in pdf_text(pdf) and "据最新通报" in pdf_text(pdf)

    # And back out: withdrawn on A, gone on B.
    press("withdraw", comment="发现更正后仍有错误，撤回重发。")
    assert reader_sees(reader, "/issues/4/")[0] == 404
    assert reader_sees(reader, "/issues/4.pdf")[0] == 404
    assert "/issues/4/" not in reader_sees(reader, "/")[2]

    # The pages were kept in the one Redis both servers use.
    assert any(deployment["cache"].scan_iter(match=f"{deployment['cache_prefix']}:*", count=1000))
