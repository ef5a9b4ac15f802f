"""The legacy loader and the import_legacy command: all or nothing, never two copies, a reason per bad file."""

import datetime
import io
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.importers.legacy import LegacyFormatError
from editorial.importers.loader import ImportContext, Outcome, load_file, load_issue
from editorial.management.commands.import_legacy import _Progress
from editorial.models import Article, Issue, IssueSection, IssueTransition, Section
from tests.factories import make_user
from tests.samples import legacy_sample_bytes, legacy_sample_path

pytestmark = pytest.mark.django_db

SMALL = (
    "长三角每周要讯\n\n2021 年第 194 期\n\n浙江省人民政府驻上海办事处\n\n2021 年 1 月 8 日\n\n目 录\n\n"
    "科创聚焦\n\n- 浦东新区发布白皮书 3\n- 苏州启动创新计划 4\n\n域外动态\n\n- 青岛市规范农业废弃物管理 5\n\n"
    "浦东新区发布白皮书\n\n近日，浦东新区发布白皮书。\n\n"
    "苏州启动创新计划\n\n苏州市日前启动计划。\n\n第二段。\n\n"
    "域外动态\n\n青岛市规范农业废弃物管理\n\n日前，暂行办法审议通过。\n"
)


def load(data, **options):
    context = ImportContext.from_db()
    return load_issue(parsed=context.parse(data), context=context, **options)


def run(*args):
    """import_legacy's output and exit: (stdout, None) on success, (stdout, CommandError) otherwise."""
    out = io.StringIO()
    try:
        call_command("import_legacy", *[str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    except CommandError as failed:
        return out.getvalue(), failed
    return out.getvalue(), None


def snapshot():
    """Everything an import may write, to prove that something wrote nothing."""
    return (
        list(Issue.objects.values_list("pk", "number", "status", "version", "updated_at", "distribution")),
        list(Article.objects.values_list("pk", "issue_id", "section_id", "position", "title", "body", "version")),
        list(Article.regions.through.objects.values_list("article_id", "sourceregion_id")),
        list(IssueSection.objects.values_list("issue_id", "section_id", "position")),
        list(Section.objects.values_list("pk", "name")),
        IssueTransition.objects.count(),
        Article.history.count(),
    )


# ------------------------------------------------------------------ the sample


@pytest.fixture
def sample_issue():
    return load(legacy_sample_bytes(), source="2020-193.txt").issue


def test_the_sample_imports_to_22_articles_in_6_sections_in_toc_order(sample_issue):
    placed = list(sample_issue.issue_sections.order_by("position").values_list("section__name", flat=True))
    assert placed == ["科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]
    articles = list(sample_issue.articles.order_by("position"))
    assert len(articles) == 22
    assert [article.position for article in articles] == list(range(1, 23))
    assert [article.page for article in articles][:5] == [3, 4, 4, 5, 6]
    assert articles[2].paragraphs[1].startswith("该中心以开放、共享、创新为理念，从技术研发、场景应用")
    assert sum(len(article.paragraphs) for article in articles) == 63


def test_the_sample_is_published_as_of_its_printed_date_and_the_import_is_logged(sample_issue):
    assert sample_issue.status == Issue.Status.PUBLISHED
    assert sample_issue.date == datetime.date(2020, 10, 30)
    assert sample_issue.published_at == datetime.datetime(2020, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    transition = sample_issue.transitions.get()
    assert (transition.from_status, transition.to_status, transition.action) == (
        "",
        "published",
        IssueTransition.Action.IMPORT_LEGACY,
    )
    assert "2020-193.txt" in transition.comment and "UTF-8" in transition.comment and "22" in transition.comment
    assert sample_issue.history.get().status == Issue.Status.PUBLISHED


def test_the_samples_articles_carry_the_detected_regions(sample_issue):
    regions = {
        article.title: [
            (region.name, region.parent.name if region.parent else None) for region in article.regions.all()
        ]
        for article in sample_issue.articles.prefetch_related("regions__parent")
    }
    assert regions["浦东新区出台全国首个政务领域“区块链建设标准”"] == [("浦东新区", "上海")]
    assert regions["青岛市全国首创将对七类农业废弃物进行规范管理"] == [("青岛", "山东")]
    assert regions["上海宝山成立培训就业联盟 “拼单”培养技能人才"] == [("宝山区", "上海")]
    assert regions["深圳出台 19 条措施加快电子商务发展"] == [("深圳", "广东")]
    assert regions["江苏发布区块链产业发展计划"] == [("江苏", None)]


def test_imported_articles_have_history_with_their_regions_and_derived_search_fields(sample_issue):
    article = sample_issue.articles.get(title__startswith="浦东新区出台")
    record = article.history.get()
    assert record.history_type == "+"
    assert [link.sourceregion.name for link in record.regions.all()] == ["浦东新区"]
    fresh = Article(title=article.title, body=article.body)
    fresh.derive_fields()
    stored = Article.objects.get(pk=article.pk)
    for name in ("search_title", "search_text"):
        assert getattr(stored, name) == getattr(fresh, name) != ""


def test_the_import_bumps_the_issues_content_stamp():
    before = timezone.now()
    issue = load(legacy_sample_bytes()).issue
    assert Issue.objects.get(pk=issue.pk).updated_at >= before


def test_the_issue_is_saved_with_a_constant_number_of_queries(django_assert_max_num_queries):
    context = ImportContext.from_db()
    small, sample = context.parse(SMALL), context.parse(legacy_sample_bytes())
    with django_assert_max_num_queries(30) as small_queries:
        load_issue(parsed=small, context=context)
    with django_assert_max_num_queries(30) as sample_queries:
        load_issue(parsed=sample, context=context)
    assert len(sample_queries.captured_queries) == len(small_queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are discarded on PostgreSQL only")
def test_each_issue_is_imported_with_plans_made_afresh():
    context = ImportContext.from_db()
    parsed = context.parse(SMALL)
    with CaptureQueriesContext(connection) as queries:
        load_issue(parsed=parsed, context=context)
    statements = [query["sql"] for query in queries.captured_queries]
    assert statements.count("DISCARD PLANS") == 1
    assert statements.index("DISCARD PLANS") < min(statements.index(sql) for sql in statements if "INSERT" in sql)


# ------------------------------------------------------------------ idempotence and --update


def test_importing_the_same_file_again_changes_nothing_and_says_so(sample_issue):
    before = snapshot()
    result = load(legacy_sample_bytes())
    assert result.outcome == Outcome.UNCHANGED and result.ok
    assert result.issue == sample_issue
    assert snapshot() == before


def test_a_different_file_with_an_existing_number_changes_nothing_without_update(sample_issue):
    changed = legacy_sample_bytes().decode().replace("正式开市。", "正式开业。")
    before = snapshot()
    result = load(changed)
    assert result.outcome == Outcome.DIFFERENT and not result.ok
    assert snapshot() == before


def test_update_replaces_the_articles_in_place_keeping_the_issue_and_matching_rows(sample_issue):
    editor = make_user("chief", role="审核")
    first = sample_issue.articles.get(position=1)
    shenzhen = sample_issue.articles.get(title__startswith="深圳")
    shenzhen.regions.set([])  # an editor's correction, which re-importing must keep
    text = legacy_sample_bytes().decode()
    text = text.replace("正式开市。这标志着", "正式开市。据悉，这标志着")
    text = text.replace("- 上海提出人工智能产业发展布局四点考虑 4\n", "")
    text = text.replace(
        "上海提出人工智能产业发展布局四点考虑\n\n10月29日", "上海提出人工智能产业发展布局五点考虑\n\n10月29日"
    )
    text = text.replace(
        "- 上海成立保险区块链创新中心 4\n", "- 上海提出人工智能产业发展布局五点考虑 4\n- 上海成立保险区块链创新中心 4\n"
    )
    result = load(text, update=True, user=editor)
    assert result.outcome == Outcome.UPDATED
    assert result.counts == {"created": 1, "updated": 21, "deleted": 1}
    issue = Issue.objects.get(pk=sample_issue.pk)
    assert issue.version == sample_issue.version + 1 and issue.status == Issue.Status.PUBLISHED
    assert issue.articles.count() == 22
    assert Issue.objects.filter(number=193).count() == 1
    kept = Article.objects.get(pk=first.pk)
    assert "据悉" in kept.body and kept.version == first.version + 1 and kept.updated_by == editor
    assert "据悉" in kept.search_text
    moved = issue.articles.get(title="上海提出人工智能产业发展布局五点考虑")
    assert (moved.section.name, moved.position, [r.name for r in moved.regions.all()]) == ("经济热点", 2, ["上海"])
    assert list(Article.objects.get(pk=shenzhen.pk).regions.all()) == []
    assert not Article.objects.filter(title="上海提出人工智能产业发展布局四点考虑").exists()
    transition = issue.transitions.filter(action=IssueTransition.Action.REIMPORT_LEGACY).get()
    assert (transition.from_status, transition.to_status, transition.user) == ("published", "published", editor)
    assert kept.history.first().history_type == "~"


def test_update_with_an_identical_file_changes_nothing(sample_issue):
    before = snapshot()
    assert load(legacy_sample_bytes(), update=True).outcome == Outcome.UNCHANGED
    assert snapshot() == before


def test_an_issue_can_be_imported_as_a_draft():
    issue = load(SMALL, status=Issue.Status.DRAFT).issue
    assert (issue.status, issue.published_at) == (Issue.Status.DRAFT, None)
    assert issue.transitions.get().to_status == Issue.Status.DRAFT


# ------------------------------------------------------------------ all or nothing


def test_a_toc_section_that_does_not_exist_is_created_as_a_non_standing_section_with_a_warning():
    result = load(SMALL.replace("域外动态", "专题报道"))
    section = Section.objects.get(name="专题报道")
    assert not section.is_standing
    assert section.position > Section.objects.exclude(pk=section.pk).order_by("-position").first().position
    assert any("专题报道" in notice.message for notice in result.plan.warnings)
    assert result.issue.articles.filter(section=section).count() == 1


def test_a_section_the_import_creates_gets_a_slug_nobody_can_guess_from_the_others():
    load(SMALL.replace("域外动态", "专题报道"))
    load(SMALL.replace("第 194 期", "第 195 期").replace("域外动态", "专题报道二"))
    slugs = [Section.objects.get(name=name).slug for name in ("专题报道", "专题报道二")]
    assert all(re.fullmatch(r"section-[0-9a-f]{10}", slug) for slug in slugs), slugs
    assert len(set(slugs)) == 2
    positions = Section.objects.filter(slug__in=slugs).values_list("position", flat=True)
    assert not any(slug.endswith(f"-{position}") for slug in slugs for position in positions)


def test_a_failure_while_saving_writes_nothing_at_all():
    before = snapshot()
    too_long = "很" * 201
    text = SMALL.replace("域外动态", "新的栏目").replace("青岛市规范农业废弃物管理", too_long)
    with pytest.raises(LegacyFormatError, match="无法保存"):
        load(text)
    assert snapshot() == before
    assert not Section.objects.filter(name="新的栏目").exists()


def test_a_masthead_naming_another_publication_is_a_warning():
    result = load(SMALL.replace("长三角每周要讯", "另一份刊物"))
    assert any("另一份刊物" in notice.message for notice in result.plan.warnings)


# ------------------------------------------------------------------ the command


def test_the_command_imports_a_file_and_reports_number_articles_encoding_and_warnings():
    out, failed = run(legacy_sample_path())
    assert failed is None
    assert "第 193 期" in out and "22 篇稿件" in out and "编码 UTF-8" in out and "警告 0 条" in out and "已导入" in out
    assert Issue.objects.get(number=193).articles.count() == 22


def test_a_second_run_is_an_unchanged_duplicate_and_exits_zero():
    run(legacy_sample_path())
    before = snapshot()
    out, failed = run(legacy_sample_path())
    assert failed is None and "内容相同" in out
    assert snapshot() == before


def test_dry_run_reports_and_writes_nothing():
    before = snapshot()
    out, failed = run(legacy_sample_path(), "--dry-run")
    assert failed is None and "将导入" in out and "22 篇稿件" in out
    assert snapshot() == before


def test_status_draft_imports_drafts():
    run(legacy_sample_path(), "--status", "draft")
    assert Issue.objects.get(number=193).status == Issue.Status.DRAFT


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "nested").mkdir()
    (tmp_path / "a-good.txt").write_bytes(legacy_sample_bytes())
    (tmp_path / "nested" / "b-gbk.txt").write_bytes(SMALL.replace("\n", "\r\n").encode("gbk"))
    (tmp_path / "c-empty.txt").write_bytes(b"")
    (tmp_path / "d-binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "e-missing.txt").write_text(
        SMALL.replace("苏州启动创新计划\n\n苏州市日前启动计划。\n\n第二段。\n\n", "")
    )
    (tmp_path / "f-notes.md").write_text("不是 .txt，不导入")
    return tmp_path


def test_a_folder_imports_every_txt_below_it_and_one_bad_file_does_not_stop_the_others(folder):
    out, failed = run(folder)
    assert isinstance(failed, CommandError) and "3 个文件未能导入" in str(failed)
    assert set(Issue.objects.values_list("number", flat=True)) == {193, 194}
    lines = out.splitlines()
    assert any("b-gbk.txt" in line and "编码 GB18030" in line and "已导入" in line for line in lines)
    assert any("c-empty.txt" in line and "文件是空的" in line for line in lines)
    assert any("d-binary.txt" in line and "空字符" in line for line in lines)
    assert any("e-missing.txt" in line and "“苏州启动创新计划”" in line for line in lines)
    assert not any("f-notes.md" in line for line in lines)
    assert "导入汇总：5 个文件" in out
    summary = {
        line.split()[1]: int(line.split()[0]) for line in lines if line.startswith("  ") and line.split()[0].isdigit()
    }
    assert summary["已导入"] == 2 and summary["失败"] == 3


def test_a_file_over_the_size_limit_is_refused_by_the_command(settings, tmp_path):
    settings.LEGACY_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.txt"
    path.write_bytes(legacy_sample_bytes())
    out, failed = run(path)
    assert failed is not None and "文件过大" in out
    assert not Issue.objects.exists()


def test_a_differing_duplicate_makes_the_command_fail_without_update_and_succeed_with_it(tmp_path):
    run(legacy_sample_path())
    path = tmp_path / "193.txt"
    path.write_text(legacy_sample_bytes().decode().replace("正式开市。", "正式开业。"))
    out, failed = run(path)
    assert failed is not None and "内容不同" in out
    out, failed = run(path, "--update")
    assert failed is None and "已更新" in out
    assert "正式开业" in Issue.objects.get(number=193).articles.get(position=1).body


def test_a_missing_path_and_an_unknown_user_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_legacy", str(tmp_path / "nope.txt"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import_legacy", str(legacy_sample_path()), "--user", "nobody", stdout=io.StringIO())


def test_the_command_records_the_user_it_is_told_to(administrator):
    run(legacy_sample_path(), "--user", administrator.username)
    assert Issue.objects.get(number=193).transitions.get().user == administrator


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_shows_done_total_and_rate_only_on_a_terminal(tty):
    stream = FakeTerminal(tty)
    progress = _Progress(total=500, stream=stream)
    progress.advance()
    progress.advance()
    assert ("[2/500]" in stream.getvalue() and "期/秒" in stream.getvalue()) is tty


def test_a_large_folder_is_parsed_ahead_by_a_worker_with_the_same_results_in_order(tmp_path):
    from editorial.importers.legacy_format import format_legacy
    from editorial.management.commands.import_legacy import PARALLEL_FROM

    for number in range(1, PARALLEL_FROM + 3):
        data = {
            "publication": "长三角每周要讯",
            "office": "浙江省人民政府驻上海办事处",
            "number": number,
            "date": f"2021-01-{number:02d}",
            "sections": [
                {
                    "name": "科创聚焦",
                    "articles": [{"title": f"苏州第{number}项创新", "page": 3, "paragraphs": ["一段。"]}],
                }
            ],
        }
        (tmp_path / f"{number:03d}.txt").write_text(format_legacy(data))
    (tmp_path / "005.txt").write_bytes(b"\x00\x01")
    out, failed = run(tmp_path)
    assert isinstance(failed, CommandError) and "1 个文件未能导入" in str(failed)
    reported = [line.split("：")[0].rsplit("/", 1)[-1] for line in out.splitlines() if line.startswith(str(tmp_path))]
    assert reported == sorted(reported) and len(reported) == PARALLEL_FROM + 2
    assert Issue.objects.count() == PARALLEL_FROM + 1
    assert Issue.objects.get(number=7).articles.get().regions.get().name == "苏州"


# ------------------------------------------------------------------ the archive's drifts through the loader and the command

DRIFT = Path(__file__).parent / "legacy_drift"
IMPORTABLE = [
    "toc-page-forms.txt",
    "toc-wrapped-pageless.txt",
    "new-sections.txt",
    "masthead-furniture.txt",
    "distribution-block.txt",
    "running-heads.txt",
    "subheadings.txt",
    "mixed-indentation.txt",
    "two-issues.txt",
    "2021-202.txt",
]
REFUSED = ["gbk-stray-byte.txt", "toc-unreadable.txt"]


def load_drift(name, **options):
    context = ImportContext.from_db()
    return load_file(issues=context.parse_issues((DRIFT / name).read_bytes(), name=name), context=context, **options)


@pytest.mark.parametrize("name", IMPORTABLE)
def test_each_drift_imports_and_importing_it_again_or_with_update_changes_nothing(name):
    created = load_drift(name)
    assert [result.outcome for result in created] == [Outcome.CREATED] * len(created)
    before = snapshot()
    assert [result.outcome for result in load_drift(name)] == [Outcome.UNCHANGED] * len(created)
    assert [result.outcome for result in load_drift(name, update=True)] == [Outcome.UNCHANGED] * len(created)
    assert snapshot() == before


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_drift_writes_nothing(name):
    before = snapshot()
    with pytest.raises(LegacyFormatError):
        load_drift(name)
    assert snapshot() == before


def test_the_distribution_record_is_kept_on_the_issue_and_counts_when_comparing_and_updating():
    (result,) = load_drift("distribution-block.txt")
    issue = Issue.objects.get(pk=result.issue.pk)
    assert issue.distribution.startswith("报：省委、省政府领导，")
    assert issue.distribution.endswith("（共印 120 份）")
    assert "报：" not in issue.articles.order_by("-position").first().body
    assert issue.history.get().distribution == issue.distribution
    changed = (DRIFT / "distribution-block.txt").read_text().replace("共印 120 份", "共印 150 份")
    assert load(changed).outcome == Outcome.DIFFERENT
    assert load(changed, update=True).outcome == Outcome.UPDATED
    assert Issue.objects.get(pk=issue.pk).distribution.endswith("（共印 150 份）")


def test_both_issues_of_a_two_issue_file_are_imported_each_with_its_articles_and_record():
    first, second = load_drift("two-issues.txt", source="two-issues.txt")
    assert (first.issue.number, second.issue.number) == (201, 202)
    assert [a.title for a in first.issue.articles.order_by("position")] == [
        "上海张江药谷新增创新药企业 12 家",
        "深圳前海推出跨境金融服务新举措",
    ]
    assert second.issue.articles.count() == 2
    assert (
        first.issue.distribution
        == second.issue.distribution
        == "报：省委、省政府领导。\n送：省级有关部门。\n（共印 120 份）"
    )


def test_a_two_issue_file_whose_second_issue_cannot_be_saved_writes_neither():
    text = (DRIFT / "two-issues.txt").read_text().replace("南京江北新区集成电路产业规模突破 400 亿元", "很" * 220)
    context = ImportContext.from_db()
    issues = context.parse_issues(text)
    before = snapshot()
    with pytest.raises(LegacyFormatError, match="无法保存"):
        load_file(issues=issues, context=context)
    assert snapshot() == before


def test_new_sections_are_created_once_and_a_missing_standard_section_is_no_problem():
    (result,) = load_drift("new-sections.txt")
    assert [notice.message for notice in result.plan.warnings] == [
        "栏目“领导讲话”还不存在，导入时将新建为非常设栏目。",
        "栏目“专题报道”还不存在，导入时将新建为非常设栏目。",
    ]
    assert list(Section.objects.filter(is_standing=False).values_list("name", flat=True)) == ["领导讲话", "专题报道"]
    placed = list(result.issue.issue_sections.order_by("position").values_list("section__name", flat=True))
    assert placed[:4] == ["领导讲话", "科创聚焦", "专题报道", "域外动态"]


@pytest.fixture
def drift_folder(tmp_path):
    for name in [*IMPORTABLE, *REFUSED]:
        (tmp_path / name).write_bytes((DRIFT / name).read_bytes())
    return tmp_path


def _said(out: str) -> list[str]:
    """The command's report without what differs between a dry run and an import: the outcome words and timing."""
    lines = []
    for line in out.splitlines():
        if "汇总：" in line or (line.startswith("  ") and line.split()[0].isdigit()):
            continue
        lines.append(line.rsplit("：", 1)[0] if "期（" in line and "篇稿件" in line else line)
    return lines


def test_a_dry_run_says_what_the_import_then_does_for_the_whole_archive_drift(drift_folder):
    dry, dry_failed = run(drift_folder, "--dry-run", "-v", "2")
    assert snapshot()[0] == []
    real, real_failed = run(drift_folder, "-v", "2")
    assert _said(dry) == _said(real)
    assert str(dry_failed) == str(real_failed) == "2 个文件未能导入，0 个文件与已有期刊内容不同（未改动）。"
    assert "检查汇总：12 个文件（11 期）" in dry and "导入汇总：12 个文件（11 期）" in real
    assert sorted(Issue.objects.values_list("number", flat=True)) == [*range(195, 206)]
    said = "\n".join(_said(real))
    assert "two-issues.txt：第 201 期" in said and "two-issues.txt：第 202 期" in said
    assert "gbk-stray-byte.txt：失败：第 18 行：文件的编码是 GB18030（GBK）" in said
    assert "toc-unreadable.txt：失败：第 14 行：读不出这条目录的页码" in said
    assert "警告：文件名“2021-202.txt”中的期号是 202，报头是第 203 期：按报头导入。" in said
    assert said.count("栏目“领导讲话”还不存在") == 1
    assert "报送记录：报：省委、省政府领导。 / 送：省级有关部门。 / （共印 120 份）" in said


def test_importing_the_drift_folder_again_changes_nothing_and_exits_as_before(drift_folder):
    run(drift_folder)
    before = snapshot()
    out, failed = run(drift_folder, "--update")
    assert snapshot() == before
    assert "2 个文件未能导入" in str(failed)
    assert out.count("已存在，内容相同，未改动") == 11
