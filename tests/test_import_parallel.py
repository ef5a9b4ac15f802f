"""import_legacy on PostgreSQL: a large batch written by several connections at once, with a serial run's results.

The writers commit on their own connections, so these tests run outside a test transaction
(and restore the migrations' rows afterwards). On SQLite, and inside a caller's transaction,
a batch is written by this process's own connection, one file after the other.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from editorial.importers.legacy_format import format_legacy
from editorial.management.commands import import_legacy
from editorial.management.commands.import_legacy import PARALLEL_FROM, writes_in_parallel
from editorial.models import Article, Issue, IssueTransition, Section

only_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several connections write at once only on PostgreSQL"
)
outside_a_test_transaction = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NEW_SECTION = "新设栏目"


def legacy_file(number: int, *, title: str = "", sections=("科创聚焦",)) -> str:
    return format_legacy(
        {
            "publication": "长三角每周要讯",
            "office": "浙江省人民政府驻上海办事处",
            "number": number,
            "date": f"2021-02-{number:02d}",
            "sections": [
                {
                    "name": name,
                    "articles": [
                        {"title": title or f"苏州第{number}项创新（{name}）", "page": 3, "paragraphs": ["一段。"]}
                    ],
                }
                for name in sections
            ],
        }
    )


@pytest.fixture
def batch(tmp_path):
    """More files than PARALLEL_FROM: a repeated number (same and different text), new sections, a bad file.

    Each repeat comes right after its first file, and the two files naming the new section are
    neighbours, so that without the writers' ordering they would be written at the same time.
    """
    count = PARALLEL_FROM + 2
    for number in range(1, count + 1):
        sections = ("科创聚焦", NEW_SECTION) if number in (7, 8) else ("科创聚焦",)
        (tmp_path / f"{number:03d}.txt").write_text(legacy_file(number, sections=sections))
    (tmp_path / "003a-same-as-003.txt").write_text(legacy_file(3))
    (tmp_path / "005a-differs-from-005.txt").write_text(legacy_file(5, title="另一篇稿件"))
    (tmp_path / "010a-bad.txt").write_bytes(b"\x00\x01")
    return tmp_path, count


def run(*args) -> tuple[list[str], CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_legacy", *[str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    except CommandError as failed:
        return out.getvalue().splitlines(), failed
    return out.getvalue().splitlines(), None


def per_file(lines: list[str], folder) -> list[tuple[str, str]]:
    """(file name, the end of its report line) in the order reported."""
    return [
        (line.split("：")[0].rsplit("/", 1)[-1], line.rsplit("：", 1)[-1])
        for line in lines
        if line.startswith(str(folder))
    ]


def summary(lines: list[str]) -> dict[str, int]:
    return {
        line.split()[1]: int(line.split()[0]) for line in lines if line.startswith("  ") and line.split()[0].isdigit()
    }


@pytest.fixture
def counted_writes(monkeypatch):
    """How many files went to the writer threads."""
    submitted = []
    original = import_legacy._Writers.submit

    def submit(self, function, *args):
        submitted.append(args[0])
        return original(self, function, *args)

    monkeypatch.setattr(import_legacy._Writers, "submit", submit)
    return submitted


@only_on_postgresql
@outside_a_test_transaction
def test_parallel_writers_report_and_store_what_a_serial_run_would(batch, counted_writes):
    folder, count = batch
    lines, failed = run(folder)

    assert len(counted_writes) == count + 3
    assert isinstance(failed, CommandError) and "1 个文件未能导入，1 个文件与已有期刊内容不同" in str(failed)
    reported = per_file(lines, folder)
    assert [name for name, _ in reported] == sorted(path.name for path in folder.iterdir())
    outcomes = dict(reported)
    assert all(outcomes[f"{number:03d}.txt"] == "已导入" for number in range(1, count + 1))
    assert outcomes["003a-same-as-003.txt"] == "已存在，内容相同，未改动"
    assert outcomes["005a-differs-from-005.txt"].startswith("已存在，内容与文件不同")
    assert "失败" in next(line for line in lines if "010a-bad.txt" in line)
    assert summary(lines) == {
        "已导入": count,
        "已更新": 0,
        "已存在且内容相同（未改动）": 1,
        "已存在但内容不同（未改动）": 1,
        "失败": 1,
        "篇稿件": count + 2 + 2,
    }

    # One issue per number, each logged once; the section the batch introduced, created once,
    # by the first file naming it (the second one finds it and is not warned).
    assert sorted(Issue.objects.values_list("number", flat=True)) == list(range(1, count + 1))
    assert sorted(IssueTransition.objects.values_list("issue__number", flat=True)) == list(range(1, count + 1))
    assert Issue.objects.get(number=5).articles.get().title == "苏州第5项创新（科创聚焦）"
    assert Section.objects.filter(name=NEW_SECTION).count() == 1
    warned = [line for line in lines if f"栏目“{NEW_SECTION}”还不存在" in line]
    assert len(warned) == 1 and lines[lines.index(warned[0]) - 1].startswith(str(folder / "007.txt"))
    assert Article.objects.count() == Article.history.count() == count + 2


@only_on_postgresql
@outside_a_test_transaction
def test_a_parallel_rerun_changes_nothing_and_update_replaces_in_place(batch):
    folder, count = batch
    run(folder)
    before = list(Article.objects.order_by("pk").values_list("pk", "issue__number", "title"))

    lines, _ = run(folder)
    assert summary(lines)["已存在且内容相同（未改动）"] == count + 1 and summary(lines)["已导入"] == 0
    assert list(Article.objects.order_by("pk").values_list("pk", "issue__number", "title")) == before

    lines, _ = run(folder, "--update")
    assert dict(per_file(lines, folder))["005a-differs-from-005.txt"] == "已更新"
    assert Issue.objects.get(number=5).articles.get().title == "另一篇稿件"
    assert Issue.objects.count() == count


def test_a_batch_inside_a_transaction_or_on_sqlite_is_written_by_this_connection(db):
    # The test runs inside a transaction: other connections' commits would escape it.
    assert connection.in_atomic_block
    assert not writes_in_parallel(PARALLEL_FROM * 10)
