"""export_archive / import_archive: a generated archive goes out as files and comes back, every issue as it was."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import services, workflow
from editorial.backup import read_backup
from editorial.backup.format import MANIFEST
from editorial.demo.generator import generate_archive
from editorial.exports import issue_data
from editorial.importers.regions import catalogue_from_db
from editorial.models import (
    Article,
    Issue,
    IssueSection,
    IssueTransition,
    Publication,
    Section,
    SourceRegion,
)
from editorial.search import search_fields
from tests.factories import make_article, make_issue, region

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------- helpers


def editorial_record() -> dict:
    """Everything an archive must bring back, in plain data (no primary keys)."""
    catalogue = catalogue_from_db()
    issues = {}
    for issue in Issue.objects.select_related("publication").order_by("number"):
        issues[issue.number] = {
            "export_issue": issue_data(issue=issue, catalogue=catalogue),
            "published_at": issue.published_at,
            "scheduled_at": issue.scheduled_at,
            "section_order": list(issue.issue_sections.order_by("position").values_list("section__slug", flat=True)),
            "articles": [article_record(article) for article in issue.articles.order_by("position")],
        }
    return {
        "publication": model_to_dict(Publication.objects.current(), exclude=["id"]),
        "sections": list(Section.objects.order_by("position").values("name", "slug", "position", "is_standing")),
        "regions": list(
            SourceRegion.objects.order_by("slug").values(
                "name", "slug", "kind", "parent__slug", "aliases", "in_yangtze_delta", "position"
            )
        ),
        "issues": issues,
        "pool": [article_record(article) for article in Article.objects.in_pool().order_by("pk")],
    }


def article_record(article: Article) -> dict:
    return {
        "title": article.title,
        "body": article.body,
        "page": article.page,
        "source": article.source,
        "section": article.section.slug if article.section else None,
        "regions": sorted(article.regions.values_list("slug", flat=True)),
        "search": (article.search_title, article.search_text),
    }


def an_editorial_record() -> None:
    """A generated archive, and around it what editors do that a generated archive does not show."""
    generate_archive(issues=12, seed=5, first_number=101)
    Publication.objects.filter(pk=Publication.objects.current().pk).update(
        report_to="省政府办公厅", send_to="各设区市政府", distribute_to="本办各处室", print_copies=120
    )
    special = Section.objects.create(name="专题", slug="special", position=90, is_standing=False)
    SourceRegion.objects.create(
        name="良渚", slug="liangzhu", kind="district", parent=region("hangzhou"), aliases="良渚街道", position=9001
    )
    draft = make_issue(number=113, date=datetime.date(2015, 3, 27))
    services.issue_section_ensure(issue=draft, section=special)
    placed = list(IssueSection.objects.filter(issue=draft).order_by("position"))
    IssueSection.objects.filter(issue=draft).update(position=F("position") + 100)
    for position, entry in enumerate(reversed(placed), start=1):
        IssueSection.objects.filter(pk=entry.pk).update(position=position)
    make_article(issue=draft, section_slug="special", title="专题：长三角一体化五周年", source="本刊编辑部")
    make_article(issue=draft, section_slug="policy", regions=["shanghai", "liangzhu"], source="新华社", page=4)
    make_issue(
        number=114,
        date=datetime.date(2015, 4, 3),
        status=Issue.Status.APPROVED,
        scheduled_at=timezone.make_aware(datetime.datetime(2015, 4, 3, 9, 0)),
    )
    make_article(title="待编：杭州亚运场馆赛后利用", regions=["hangzhou"], source="浙江日报")
    make_article(title="待编：没有栏目的稿件", section=None)


def empty_the_editorial_record() -> None:
    """As a new database after migrate: no issues, no articles, no history; reference data as the migration left it."""
    Article.objects.all().delete()
    Issue.objects.all().delete()
    Article.history.all().delete()
    Issue.history.all().delete()
    Section.objects.filter(slug="special").delete()
    Section.objects.filter(slug="economy").update(name="经济")
    SourceRegion.objects.filter(slug="liangzhu").delete()
    Publication.objects.filter(pk=Publication.objects.current().pk).update(report_to="", print_copies=None)


def export(folder) -> None:
    call_command("export_archive", str(folder), stdout=io.StringIO())


def restore(folder, *args) -> str:
    out = io.StringIO()
    call_command("import_archive", str(folder), *args, stdout=out)
    return out.getvalue()


def rewrite(folder, name: str, data) -> None:
    """Change a file of an archive and its checksum in the manifest, as someone editing it on purpose would."""
    content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    (folder / name).write_bytes(content)
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"][name] = hashlib.sha256(content).hexdigest()
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))


def nothing_written() -> bool:
    return (
        not Issue.objects.exists()
        and not Article.objects.exists()
        and Section.objects.get(slug="economy").name == "经济"
    )


@pytest.fixture
def archive(tmp_path):
    """An archive of the editorial record above, and the record as it was when exported; the database emptied."""
    an_editorial_record()
    before = editorial_record()
    folder = tmp_path / "backup"
    export(folder)
    empty_the_editorial_record()
    return folder, before


# ---------------------------------------------------------------------------------------------- round trip


def test_a_restored_archive_brings_back_every_issue_the_pool_masthead_sections_and_regions(archive):
    folder, before = archive
    assert not Issue.objects.exists()

    output = restore(folder)

    after = editorial_record()
    assert after["issues"].keys() == before["issues"].keys() == set(range(101, 115))
    for number, issue in before["issues"].items():
        assert after["issues"][number] == issue, f"第 {number} 期"
    assert after == before
    assert "已恢复 14 期" in output


def test_restored_issues_start_their_history_and_log_with_the_restore(archive):
    folder, _ = archive
    restore(folder)
    issue = Issue.objects.get(number=113)
    assert [record.history_change_reason for record in issue.history.all()] == ["从备份恢复"]
    article = issue.articles.get(source="新华社")
    version = article.history.get()
    assert version.history_change_reason == "从备份恢复"
    assert sorted(version.regions.values_list("sourceregion__slug", flat=True)) == ["liangzhu", "shanghai"]
    entry = IssueTransition.objects.get(issue=issue)
    assert (entry.action, entry.from_status, entry.to_status) == ("import_archive", "", Issue.Status.DRAFT)
    assert "从备份恢复" in entry.comment
    assert workflow.action_label(entry.action) == "从备份恢复"


def test_restored_articles_are_found_by_the_public_search(archive, client):
    folder, _ = archive
    restore(folder)
    article = Article.objects.published().order_by("pk").first()
    assert (article.search_title, article.search_text) == search_fields(title=article.title, body=article.body)
    response = client.get("/search/", {"q": article.title[:6]})
    assert article.get_absolute_url() in response.content.decode()


def test_each_issue_file_is_what_export_issue_writes_plus_the_keys_a_restore_needs(tmp_path):
    an_editorial_record()
    export(tmp_path / "backup")
    stored = json.loads((tmp_path / "backup" / "issues" / "0113.json").read_text())
    out = io.StringIO()
    call_command("export_issue", "113", "--format", "json", stdout=out)
    written = json.loads(out.getvalue())

    extras = {key: stored.pop(key) for key in ("published_at", "scheduled_at", "section_order")}
    for entry in stored["sections"]:
        for article in entry["articles"]:
            article.pop("source")
            for place in article["regions"]:
                place.pop("slug")
    assert stored == written
    assert extras["section_order"][0] == "专题" and extras["published_at"] is None


# ---------------------------------------------------------------------------------------------- refusals


def test_restoring_into_a_database_that_has_issues_changes_nothing_and_says_why(archive):
    folder, _ = archive
    kept = make_issue(number=7)
    with pytest.raises(CommandError, match=r"数据库里已有 1 期期刊.*只恢复到空数据库"):
        restore(folder)
    assert list(Issue.objects.all()) == [kept]
    assert Section.objects.get(slug="economy").name == "经济"


def test_restoring_where_deleted_articles_wait_in_the_history_is_refused(archive):
    folder, _ = archive
    make_article(title="删掉的稿件").delete()
    with pytest.raises(CommandError, match=r"条稿件历史版本"):
        restore(folder)


def test_a_damaged_or_missing_file_is_named_and_nothing_is_written(archive):
    folder, _ = archive
    issue_file = folder / "issues" / "0105.json"
    issue_file.write_bytes(issue_file.read_bytes()[:200])
    (folder / "regions.json").unlink()
    with pytest.raises(CommandError) as refusal:
        restore(folder)
    message = str(refusal.value)
    assert "issues/0105.json：内容与导出时不同（校验和不符）" in message
    assert "regions.json：文件缺失" in message
    assert nothing_written()


def test_an_archive_with_wrong_content_lists_every_problem_and_nothing_is_written(archive):
    folder, _ = archive
    data = json.loads((folder / "issues" / "0103.json").read_text())
    data["status"] = "archived"
    data["sections"][0]["name"] = "没有这个栏目"
    article = data["sections"][1]["articles"][0]
    article["regions"][0]["slug"] = "atlantis"
    article["paragraphs"] = []
    del data["sections"][1]["articles"][1]["title"]
    rewrite(folder, "issues/0103.json", data)
    rewrite(folder, "pool.json", [{"section": "没有这个栏目", "title": "待编", "page": None, "paragraphs": ["正文。"]}])

    with pytest.raises(CommandError) as refusal:
        restore(folder)
    message = str(refusal.value)
    for expected in (
        "未知的状态“archived”",
        "栏目“没有这个栏目”不在 sections.json 里",
        "来源地区“atlantis”不在 regions.json 里",
        "没有正文",
        "缺少“title”",
        "pool.json 第 1 篇：栏目“没有这个栏目”不在 sections.json 里",
    ):
        assert expected in message
    assert message.count("issues/0103.json") >= 5
    assert nothing_written()


def test_a_row_the_database_refuses_rolls_back_the_whole_restore(archive):
    folder, _ = archive
    data = json.loads((folder / "issues" / "0104.json").read_text())
    data["sections"][0]["articles"][0]["title"] = "长" * 201
    rewrite(folder, "issues/0104.json", data)
    with pytest.raises(CommandError, match=r"《长长长.*不超过 200 字符"):
        restore(folder)
    assert nothing_written()
    assert not SourceRegion.objects.filter(slug="liangzhu").exists()


def test_two_regions_of_one_name_under_one_parent_are_refused_by_the_database_and_nothing_is_written(archive):
    folder, _ = archive
    regions = json.loads((folder / "regions.json").read_text())
    twin = next(item for item in regions if item["slug"] == "liangzhu")
    regions.append({**twin, "slug": "liangzhu-2", "position": 9002})
    rewrite(folder, "regions.json", regions)
    with pytest.raises(CommandError, match=r"违反了数据库的约束"):
        restore(folder)
    assert nothing_written()


def test_a_folder_that_is_not_a_backup_is_named_as_such(tmp_path):
    (tmp_path / "notes.txt").write_text("不是备份")
    with pytest.raises(
        CommandError, match=r"没有 manifest\.json：这不是 export_backup（export_archive）导出的备份目录"
    ):
        restore(tmp_path)
    (tmp_path / MANIFEST).write_text('{"format": "something-else", "version": 1}')
    with pytest.raises(CommandError, match=r"这不是 Digest CMS 的备份"):
        restore(tmp_path)
    (tmp_path / MANIFEST).write_text('{"format": "digest-cms-archive", "version": 9, "files": {}}')
    with pytest.raises(CommandError, match=r"第 9 版，本系统只能读取第 1 版"):
        restore(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(CommandError, match=r"manifest\.json：不是有效的 JSON（第 1 行"):
        restore(tmp_path)
    with pytest.raises(CommandError, match=r"找不到备份目录"):
        restore(tmp_path / "missing")


def test_a_manifest_naming_files_outside_the_archive_is_refused(archive):
    folder, _ = archive
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["../outside.json"] = "0" * 64
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"文件清单里的“\.\./outside\.json”不在备份目录之内"):
        restore(folder)
    assert nothing_written()


def test_an_issue_file_added_behind_the_manifests_back_is_refused(archive):
    folder, _ = archive
    (folder / "issues" / "0999.json").write_text("{}")
    with pytest.raises(CommandError, match=r"issues/0999\.json：不在 manifest\.json 的文件清单里"):
        restore(folder)


def test_export_refuses_a_folder_that_already_holds_files_and_leaves_it_alone(tmp_path):
    (tmp_path / "old.json").write_text("{}")
    with pytest.raises(CommandError, match=r"已存在且不是空目录"):
        export(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["old.json"]


def test_export_into_an_empty_folder_is_fine(tmp_path):
    make_article(issue=make_issue(number=5))
    export(tmp_path)
    assert (tmp_path / MANIFEST).is_file() and (tmp_path / "issues" / "0005.json").is_file()


def test_an_unknown_user_for_the_log_is_refused_before_anything_is_written(archive):
    folder, _ = archive
    with pytest.raises(CommandError, match=r"找不到用户“nobody”"):
        restore(folder, "--user", "nobody")
    assert nothing_written()


def test_the_restoring_user_is_named_in_the_history_and_the_log(archive, administrator):
    folder, _ = archive
    restore(folder, "--user", administrator.username)
    assert set(IssueTransition.objects.values_list("user", flat=True)) == {administrator.pk}
    assert set(Article.history.values_list("history_user", flat=True)) == {administrator.pk}


# ---------------------------------------------------------------------------------------------- lenient reading


def test_an_issue_file_as_export_issue_writes_it_restores_with_defaults_for_what_it_lacks(archive):
    folder, before = archive
    data = json.loads((folder / "issues" / "0102.json").read_text())
    for key in ("published_at", "scheduled_at", "section_order"):
        del data[key]
    for entry in data["sections"]:
        for article in entry["articles"]:
            del article["source"]
            for place in article["regions"]:
                del place["slug"]
    rewrite(folder, "issues/0102.json", data)

    restore(folder)

    issue = Issue.objects.get(number=102)
    assert issue_data(issue=issue) == before["issues"][102]["export_issue"]
    assert issue.published_at == timezone.make_aware(datetime.datetime.combine(issue.date, datetime.time.min))
    assert [article["regions"] for article in before["issues"][102]["articles"]] == [
        sorted(article.regions.values_list("slug", flat=True)) for article in issue.articles.order_by("position")
    ]


def test_a_region_named_twice_in_one_province_cannot_be_guessed_without_its_slug(archive):
    folder, _ = archive
    regions = json.loads((folder / "regions.json").read_text())
    regions.append(
        {
            "name": "良渚",
            "slug": "liangzhu-yuhang",
            "kind": "district",
            "parent": "ningbo",
            "aliases": "",
            "in_yangtze_delta": True,
            "position": 9003,
        }
    )
    rewrite(folder, "regions.json", regions)
    data = json.loads((folder / "issues" / "0113.json").read_text())
    for entry in data["sections"]:
        for article in entry["articles"]:
            for place in article["regions"]:
                del place["slug"]
    rewrite(folder, "issues/0113.json", data)
    with pytest.raises(CommandError, match=r"来源地区“良渚”（浙江）有 2 个同名地区，无法确定是哪一个"):
        restore(folder)


def test_check_reads_the_whole_archive_and_writes_nothing(archive):
    folder, _ = archive
    output = restore(folder, "--check")
    assert "备份完好" in output and "14 期" in output and "2 篇待编稿件" in output
    assert nothing_written()


def test_reading_an_archive_gives_issues_in_number_order_with_their_articles_in_reading_order(archive):
    folder, before = archive
    archive_read = read_backup(folder)
    assert [issue.number for issue in archive_read.issues] == sorted(before["issues"])
    draft = next(issue for issue in archive_read.issues if issue.number == 113)
    assert [article.section for article in draft.articles] == ["专题", "政策举措"]
    assert draft.section_order[0] == "专题" and draft.section_order[-1] == "科创聚焦"


# ---------------------------------------------------------------------------------------------- cost


def test_export_takes_the_same_number_of_queries_for_ten_issues_as_for_forty(tmp_path, django_assert_max_num_queries):
    generate_archive(issues=10, seed=1, first_number=1)
    with CaptureQueriesContext(connection) as ten:
        export(tmp_path / "ten")
    generate_archive(issues=30, seed=2, first_number=11)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        export(tmp_path / "forty")


def test_generating_and_restoring_refresh_the_planners_statistics_on_postgresql(archive):
    folder, _ = archive
    with CaptureQueriesContext(connection) as queries:
        restore(folder)
        call_command("generate_archive", "--issues", "2", "--first-number", "500", stdout=io.StringIO())
    analyzed = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ANALYZE")]
    assert len(analyzed) == (2 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_reads_every_file_from_one_snapshot_of_the_database(tmp_path):
    make_article(issue=make_issue(number=5))
    with CaptureQueriesContext(connection) as queries:
        export(tmp_path / "backup")
    snapshot = [query["sql"] for query in queries.captured_queries if "REPEATABLE READ, READ ONLY" in query["sql"]]
    assert len(snapshot) == (1 if connection.vendor == "postgresql" else 0)
    assert [issue.number for issue in read_backup(tmp_path / "backup").issues] == [5]
