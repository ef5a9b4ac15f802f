"""An import killed outright (SIGKILL) in the middle of a large batch leaves no partial issue behind.

`import_legacy` runs in a child process against a scratch database of the same kind as the test
database (a SQLite file, or a PostgreSQL database next to the test one). The child is stopped for
good by `kill -9` while the third issue's articles are written but not committed; afterwards the two
issues before it are complete, and of the third there is no trace: no issue row, no article, no log.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.samples import legacy_sample_bytes

SAMPLE_NUMBER = "第 193 期"
FILES = 8
KILLED_AT = 3  # the third issue of the batch
MARKER = "inside-third-import"

# The real command, with one pause: after the third issue's articles are inserted, inside its transaction.
CHILD = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from editorial.services import issues

original = issues.write_articles
calls = []

def pausing_write(*args, **kwargs):
    written = original(*args, **kwargs)
    calls.append(1)
    if len(calls) == {killed_at}:
        Path({marker!r}).write_text("inserted, not committed")
        time.sleep(120)
    return written

issues.write_articles = pausing_write
call_command("import_legacy", {folder!r}, verbosity=0)
"""

REPORT = """
import json
from editorial.models import Article, Issue, IssueTransition
print(json.dumps({
    "issues": {issue.number: issue.articles.count() for issue in Issue.objects.all()},
    "orphans": Article.objects.filter(issue__isnull=True).count(),
    "log": sorted(IssueTransition.objects.values_list("issue__number", flat=True)),
}))
"""


def scratch_database(tmp_path: Path) -> tuple[str, callable]:
    """A database URL like the test database's kind, and a function that removes it."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'killed.sqlite3'}", lambda: None
    name = f"{connection.settings_dict['NAME']}_killed"
    params = connection.settings_dict
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
    url = f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"

    def run(sql: str):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return url, lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_killed_halfway_leaves_complete_issues_and_no_partial_one(tmp_path):
    folder = tmp_path / "legacy"
    folder.mkdir()
    sample = legacy_sample_bytes().decode("utf-8")
    assert SAMPLE_NUMBER in sample
    numbers = [9001 + index for index in range(FILES)]
    for number in numbers:
        (folder / f"{number}.txt").write_text(sample.replace(SAMPLE_NUMBER, f"第 {number} 期"), encoding="utf-8")
    url, drop = scratch_database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "digest_cms.settings",
        "LOG_LEVEL": "ERROR",
        "VAR_DIR": str(tmp_path),
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    marker = tmp_path / MARKER
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=300)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(killed_at=KILLED_AT, marker=str(marker), folder=str(folder))],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the import never reached the third issue"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        report = subprocess.run(
            [*manage, "shell", "-v", "0", "-c", REPORT], env=env, capture_output=True, text=True, timeout=120
        )
        assert report.returncode == 0, report.stderr
        found = json.loads(report.stdout.strip().splitlines()[-1])
    finally:
        drop()
    assert found["issues"] == {str(numbers[0]): 22, str(numbers[1]): 22}
    assert found["orphans"] == 0
    assert found["log"] == numbers[:2]
