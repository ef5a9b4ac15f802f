"""Composing issues through services: next issue, placement, order, optimistic locking, history, recovery."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from editorial import services
from editorial.models import Article, Issue, IssueSection, IssueTransition, Section
from editorial.selectors import issue_table_of_contents
from tests.factories import make_article, make_issue, make_user, region, section

Status = Issue.Status


def toc_titles(issue: Issue) -> list[tuple[str, list[str]]]:
    return [(entry.section.name, [a.title for a in entry.articles]) for entry in issue_table_of_contents(issue=issue)]


def positions(issue: Issue) -> list[int]:
    return list(Article.objects.filter(issue=issue).order_by("position").values_list("position", flat=True))


def board(issue: Issue) -> list[tuple[int, list[int]]]:
    return services.issue_layout(issue)


# --- the content stamp ------------------------------------------------------------------------


@pytest.mark.django_db
def test_marking_an_issue_changed_moves_its_content_stamp_forward_and_names_who(editor):
    issue = make_issue()
    before = issue.updated_at
    services.issue_mark_changed(issue=issue, user=editor)
    stored = Issue.objects.get(pk=issue.pk)
    assert stored.updated_at > before
    assert stored.updated_by == editor
    assert issue.updated_at == stored.updated_at


# --- 新建下一期 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "latest", "expected"),
    [
        (datetime.date(2026, 11, 16), None, datetime.date(2026, 11, 20)),  # Monday → that Friday
        (datetime.date(2026, 11, 20), None, datetime.date(2026, 11, 20)),  # a Friday is its own
        (datetime.date(2026, 11, 21), None, datetime.date(2026, 11, 27)),  # Saturday → next week
        (datetime.date(2026, 11, 16), datetime.date(2026, 11, 20), datetime.date(2026, 11, 27)),  # already out
        (datetime.date(2026, 11, 16), datetime.date(2026, 12, 4), datetime.date(2026, 12, 11)),  # planned ahead
        (datetime.date(2026, 11, 16), datetime.date(2020, 10, 30), datetime.date(2026, 11, 20)),  # long gap
        (datetime.date(2026, 12, 30), None, datetime.date(2027, 1, 1)),  # across the year
    ],
)
def test_the_next_issue_comes_out_on_the_first_friday_after_today_and_after_the_latest_issue(today, latest, expected):
    assert services.next_issue_date(today=today, latest=latest) == expected
    assert expected.weekday() == 4


@pytest.mark.django_db
def test_new_next_issue_takes_the_next_number_and_next_friday_empty_and_in_draft(editor):
    make_article(issue=make_issue(number=193, date=datetime.date(2020, 10, 30)))
    result = services.issue_create_next(user=editor, today=datetime.date(2020, 11, 2))
    issue = result.issue
    assert result.created
    assert (issue.number, issue.date, issue.status) == (194, datetime.date(2020, 11, 6), Status.DRAFT)
    assert not issue.articles.exists()
    assert list(issue.issue_sections.values_list("section__slug", flat=True)) == list(
        Section.objects.filter(is_standing=True).values_list("slug", flat=True)
    )
    assert issue.created_by == editor
    assert issue.transitions.get().action == "create"


@pytest.mark.django_db
def test_a_second_click_on_new_next_issue_opens_the_empty_draft_instead_of_stacking_another(editor):
    first = services.issue_create_next(user=editor).issue
    again = services.issue_create_next(user=editor)
    assert (again.issue, again.created) == (first, False)
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_only_people_who_may_add_issues_can_create_the_next_one():
    with pytest.raises(PermissionDenied):
        services.issue_create_next(user=make_user("visitor"))
    assert not Issue.objects.exists()


# --- saving articles ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_article_in_an_issue_goes_to_the_end_of_its_section_in_reading_order(editor):
    issue = make_issue()
    first = make_article(issue=issue, section_slug="sci-tech", title="甲")
    make_article(issue=issue, section_slug="economy", title="乙")
    article = services.article_save(
        article=Article(issue=issue, section=section("sci-tech"), title="丙", body="正文。"), user=editor
    )
    assert toc_titles(issue) == [("科创聚焦", ["甲", "丙"]), ("经济热点", ["乙"])]
    assert positions(issue) == [1, 2, 3]
    assert article.position == 2 and Article.objects.get(pk=first.pk).position == 1
    assert (article.version, article.created_by, article.updated_by) == (1, editor, editor)


@pytest.mark.django_db
def test_saving_an_article_keeps_one_version_with_its_regions_and_author(editor):
    article = services.article_save(
        article=Article(title="浦东新区出台区块链标准", body="正文。", section=section()),
        user=editor,
        regions=[region("pudong")],
    )
    article.title = "浦东新区出台全国首个政务区块链标准"
    services.article_save(
        article=article, user=editor, regions=[region("pudong"), region("shanghai")], expected_version=1
    )
    versions = list(article.history.order_by("history_date", "history_id"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert [v.history_user for v in versions] == [editor, editor]
    assert [sorted(r.sourceregion.slug for r in v.regions.all()) for v in versions] == [
        ["pudong"],
        ["pudong", "shanghai"],
    ]
    assert Article.objects.get(pk=article.pk).version == 2


@pytest.mark.django_db
def test_a_save_from_a_stale_form_is_refused_naming_who_changed_it_and_when(editor, reviewer):
    reviewer.first_name = "李老师"
    reviewer.save()
    article = make_article(title="原标题")
    theirs = Article.objects.get(pk=article.pk)
    theirs.title = "主编改过的标题"
    services.article_save(article=theirs, user=reviewer, expected_version=1)
    mine = Article.objects.get(pk=article.pk)
    mine.title = "我的标题"
    with pytest.raises(services.StaleEditError) as refusal:
        services.article_save(article=mine, user=editor, expected_version=1)
    message = refusal.value.messages[0]
    assert "李老师" in message and "修改过" in message
    assert f"{theirs.updated_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))):%H:%M}" in message
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.version) == ("主编改过的标题", 2)


@pytest.mark.django_db
def test_an_editor_cannot_change_an_article_of_an_issue_under_review(editor):
    article = make_article(issue=make_issue(status=Status.IN_REVIEW), title="原标题")
    article.title = "偷偷改"
    with pytest.raises(PermissionDenied, match="正在审核"):
        services.article_save(article=article, user=editor, expected_version=1)
    assert Article.objects.get(pk=article.pk).title == "原标题"


@pytest.mark.django_db
def test_a_reviewer_correcting_a_published_article_needs_a_note_and_the_correction_is_recorded(reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    article = make_article(issue=issue, title="上海技术交易所开幕")
    stamp = Issue.objects.get(pk=issue.pk).updated_at
    article.title = "上海技术交易所开市"
    with pytest.raises(ValidationError, match="更正说明"):
        services.article_save(article=article, user=reviewer, expected_version=1)
    services.article_save(article=article, user=reviewer, expected_version=1, correction_note="“开幕”应为“开市”")
    correction = IssueTransition.objects.get(issue=issue, action="correct")
    assert correction.user == reviewer
    assert "“开幕”应为“开市”" in correction.comment and "上海技术交易所开市" in correction.comment
    assert article.history.latest().history_change_reason == "“开幕”应为“开市”"
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED and issue.updated_at > stamp


@pytest.mark.django_db
def test_editing_an_article_stamps_its_issue_so_caches_refresh(editor):
    issue = make_issue()
    article = make_article(issue=issue)
    stamp = Issue.objects.get(pk=issue.pk).updated_at
    article.body = "新的正文。"
    services.article_save(article=article, user=editor, expected_version=1)
    assert Issue.objects.get(pk=issue.pk).updated_at > stamp


# --- moving and the pool -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_article_moves_to_another_issue_at_the_end_of_its_section_and_both_issues_renumber(editor):
    source, target = make_issue(), make_issue()
    _, b, _ = (make_article(issue=source, title=t) for t in "甲乙丙")
    make_article(issue=target, title="丁")
    stamps = [Issue.objects.get(pk=i.pk).updated_at for i in (source, target)]
    services.article_move(article=b, user=editor, issue=target, section=section("economy"))
    assert toc_titles(source) == [("科创聚焦", ["甲", "丙"])]
    assert toc_titles(target) == [("科创聚焦", ["丁"]), ("经济热点", ["乙"])]
    assert positions(source) == [1, 2] and positions(target) == [1, 2]
    assert [Issue.objects.get(pk=i.pk).updated_at > s for i, s in zip((source, target), stamps, strict=True)] == [
        True,
        True,
    ]
    assert b.history.latest().history_change_reason.startswith("移至")


@pytest.mark.django_db
def test_an_article_goes_back_to_the_pool_and_comes_back_from_it(editor):
    issue = make_issue()
    article = make_article(issue=issue)
    services.article_move(article=article, user=editor, issue=None)
    assert (article.issue, article.position) == (None, None)
    assert Article.objects.in_pool().filter(pk=article.pk).exists()
    services.article_move(article=article, user=editor, issue=issue, section=section("policy"))
    assert toc_titles(issue) == [("政策举措", [article.title])]


@pytest.mark.django_db
def test_an_article_lands_in_a_section_the_issue_did_not_have_and_the_issue_gains_it(editor):
    issue = make_issue()
    one_off = Section.objects.create(name="专题", slug="special", position=99, is_standing=False)
    article = make_article()
    services.article_move(article=article, user=editor, issue=issue, section=one_off)
    assert IssueSection.objects.filter(issue=issue, section=one_off).exists()
    assert toc_titles(issue) == [("专题", [article.title])]


@pytest.mark.django_db
def test_an_editor_cannot_move_an_article_into_a_published_issue(editor):
    published = make_issue(status=Status.PUBLISHED)
    article = make_article()
    with pytest.raises(PermissionDenied, match="已发布"):
        services.article_move(article=article, user=editor, issue=published)
    assert Article.objects.get(pk=article.pk).issue is None


# --- arranging an issue ------------------------------------------------------------------------


@pytest.mark.django_db
def test_arranging_reorders_sections_and_articles_and_moves_articles_between_sections(editor):
    issue = make_issue()
    a = make_article(issue=issue, section_slug="sci-tech", title="甲")
    b = make_article(issue=issue, section_slug="sci-tech", title="乙")
    c = make_article(issue=issue, section_slug="economy", title="丙")
    layout = board(issue)
    ids = {s: i for i, (s, _) in enumerate(layout)}
    sci, eco = section("sci-tech").pk, section("economy").pk
    layout[ids[sci]] = (sci, [b.pk])
    layout[ids[eco]] = (eco, [c.pk, a.pk])
    layout.insert(0, layout.pop(ids[eco]))
    services.issue_arrange(issue=issue, user=editor, layout=layout, expected_stamp=issue.updated_at)
    assert toc_titles(issue) == [("经济热点", ["丙", "甲"]), ("科创聚焦", ["乙"])]
    assert positions(issue) == [1, 2, 3]
    assert list(issue.issue_sections.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(layout) + 1)
    )
    assert Article.objects.get(pk=a.pk).version == 2  # its section changed: a new version
    assert Article.objects.get(pk=b.pk).version == 1  # only its place changed


@pytest.mark.django_db
def test_reversing_a_large_issue_never_trips_the_unique_positions(editor):
    issue = make_issue()
    articles = [make_article(issue=issue, title=f"稿件{n:02}") for n in range(40)]
    (sci, _), *rest = board(issue)
    services.issue_arrange(issue=issue, user=editor, layout=[(sci, [a.pk for a in reversed(articles)]), *rest])
    assert toc_titles(issue)[0][1] == [f"稿件{n:02}" for n in reversed(range(40))]
    assert positions(issue) == list(range(1, 41))


@pytest.mark.django_db
def test_arranging_takes_a_bounded_number_of_queries_whatever_the_issue_size(editor, django_assert_max_num_queries):
    issue = make_issue()
    articles = [make_article(issue=issue) for _ in range(30)]
    (sci, _), *rest = board(issue)
    layout = [(sci, [a.pk for a in reversed(articles)]), *rest]
    with django_assert_max_num_queries(30):
        services.issue_arrange(issue=issue, user=editor, layout=layout)


@pytest.mark.django_db
def test_an_arrangement_from_a_stale_board_is_refused_and_changes_nothing(editor, reviewer):
    issue = make_issue()
    a, b = make_article(issue=issue, title="甲"), make_article(issue=issue, title="乙")
    opened_at = Issue.objects.get(pk=issue.pk).updated_at
    services.issue_mark_changed(issue=issue, user=reviewer)
    (sci, _), *rest = board(issue)
    with pytest.raises(services.StaleEditError, match="reviewer"):
        services.issue_arrange(issue=issue, user=editor, layout=[(sci, [b.pk, a.pk]), *rest], expected_stamp=opened_at)
    assert toc_titles(issue) == [("科创聚焦", ["甲", "乙"])]


@pytest.mark.django_db
def test_an_arrangement_that_misses_or_invents_articles_is_refused(editor):
    issue = make_issue()
    a, b = make_article(issue=issue), make_article(issue=issue)
    stranger = make_article()
    (sci, _), *rest = board(issue)
    for wrong in ([a.pk], [a.pk, b.pk, stranger.pk], [a.pk, a.pk]):
        with pytest.raises(ValidationError, match="刷新页面"):
            services.issue_arrange(issue=issue, user=editor, layout=[(sci, wrong), *rest])
    assert Article.objects.get(pk=stranger.pk).issue is None
    assert positions(issue) == [1, 2]


@pytest.mark.django_db
def test_an_issue_gets_a_one_off_section_without_changing_other_issues(editor):
    issue, other = make_issue(), make_issue()
    special = Section.objects.create(name="专题", slug="special", position=99, is_standing=False)
    services.issue_section_add(issue=issue, section=special, user=editor)
    assert issue.issue_sections.order_by("position").last().section == special
    assert not other.issue_sections.filter(section=special).exists()
    with pytest.raises(ValidationError, match="已经有"):
        services.issue_section_add(issue=issue, section=special, user=editor)


@pytest.mark.django_db
def test_a_section_with_articles_cannot_be_taken_out_of_an_issue(editor):
    issue = make_issue()
    make_article(issue=issue, section_slug="economy")
    with pytest.raises(ValidationError, match="还有 1 篇稿件"):
        services.issue_section_remove(issue=issue, section=section("economy"), user=editor)
    services.issue_section_remove(issue=issue, section=section("policy"), user=editor)
    assert not issue.issue_sections.filter(section__slug="policy").exists()
    assert list(issue.issue_sections.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


# --- the issue's own fields --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_issue_form_opened_before_a_transition_is_refused(editor, reviewer):
    issue = make_issue(status=Status.IN_REVIEW)
    make_article(issue=issue)
    from editorial import workflow

    workflow.approve(issue=issue, user=reviewer)
    stale = Issue.objects.get(pk=issue.pk)
    stale.date = datetime.date(2020, 11, 6)
    with pytest.raises(services.StaleEditError):
        services.issue_save(issue=stale, user=reviewer, expected_version=1)
    assert Issue.objects.get(pk=issue.pk).date == datetime.date(2020, 10, 30)


@pytest.mark.django_db
def test_saving_an_issue_never_changes_its_status_behind_the_workflow(editor):
    issue = make_issue()
    issue.status = Status.PUBLISHED
    issue.number = 777
    services.issue_save(issue=issue, user=editor, expected_version=1)
    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.number, stored.status, stored.version) == (777, Status.DRAFT, 2)


# --- history: restore ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_restoring_an_old_article_version_brings_back_its_text_and_regions_as_a_new_version(editor):
    article = services.article_save(
        article=Article(title="初稿标题", body="初稿正文。", section=section()),
        user=editor,
        regions=[region("jiangsu")],
    )
    first = article.history.earliest()
    article.title, article.body = "改后标题", "改后正文。"
    services.article_save(article=article, user=editor, regions=[region("anhui")], expected_version=1)
    services.article_restore_version(article=article, history_id=first.history_id, user=editor)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body, stored.version) == ("初稿标题", "初稿正文。", 3)
    assert list(stored.regions.values_list("slug", flat=True)) == ["jiangsu"]
    assert article.history.count() == 3


@pytest.mark.django_db
def test_restoring_a_version_of_another_article_is_not_found(editor):
    one, other = make_article(), make_article()
    services.article_save(article=other, user=editor)
    with pytest.raises(Http404):
        services.article_restore_version(article=one, history_id=other.history.latest().history_id, user=editor)


@pytest.mark.django_db
def test_restoring_an_old_issue_version_brings_back_its_number_and_date(editor):
    issue = make_issue(number=193, date=datetime.date(2020, 10, 30))
    issue.number, issue.date = 194, datetime.date(2020, 11, 6)
    services.issue_save(issue=issue, user=editor, expected_version=1)
    original = issue.history.earliest()
    services.issue_restore_version(issue=issue, history_id=original.history_id, user=editor)
    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.number, stored.date, stored.status) == (193, datetime.date(2020, 10, 30), Status.DRAFT)


# --- the 回收站 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deleted_article_comes_back_to_its_place_with_its_regions(editor):
    issue = make_issue()
    a = make_article(issue=issue, title="甲")
    b = services.article_save(
        article=Article(issue=issue, section=section(), title="乙", body="正文。"),
        user=editor,
        regions=[region("hefei")],
    )
    make_article(issue=issue, title="丙")
    services.article_delete(article=b, user=editor)
    assert toc_titles(issue) == [("科创聚焦", ["甲", "丙"])]
    recovered = services.article_recover(article_id=b.pk, user=editor)
    assert recovered.obj.pk == b.pk and recovered.note == ""
    assert toc_titles(issue) == [("科创聚焦", ["甲", "乙", "丙"])]
    assert list(Article.objects.get(pk=b.pk).regions.values_list("slug", flat=True)) == ["hefei"]
    assert Article.objects.get(pk=a.pk).position == 1


@pytest.mark.django_db
def test_a_deleted_article_whose_issue_moved_on_comes_back_to_the_pool(editor, reviewer):
    issue = make_issue()
    article = make_article(issue=issue)
    services.article_delete(article=article, user=editor)
    Issue.objects.filter(pk=issue.pk).update(status=Status.PUBLISHED)
    recovered = services.article_recover(article_id=article.pk, user=editor)
    assert recovered.obj.issue is None and "稿件库" in recovered.note


@pytest.mark.django_db
def test_an_article_of_a_published_issue_cannot_be_deleted(reviewer):
    article = make_article(issue=make_issue(status=Status.PUBLISHED))
    with pytest.raises(PermissionDenied, match="不能删除"):
        services.article_delete(article=article, user=reviewer)
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.django_db
def test_a_deleted_issue_comes_back_as_a_draft_with_its_articles_in_their_order(reviewer):
    issue = make_issue(number=500)
    make_article(issue=issue, section_slug="economy", title="甲")
    make_article(issue=issue, section_slug="sci-tech", title="乙")
    make_article(issue=issue, section_slug="economy", title="丙")
    eco, sci = section("economy").pk, section("sci-tech").pk
    layout = dict(board(issue))
    services.issue_arrange(
        issue=issue,
        user=reviewer,
        layout=[(eco, layout[eco]), (sci, layout[sci]), *[(s, a) for s, a in board(issue) if s not in (eco, sci)]],
    )
    before = toc_titles(issue)
    Issue.objects.filter(pk=issue.pk).update(status=Status.APPROVED)
    services.issue_delete(issue=issue, user=reviewer)
    assert not Issue.objects.filter(number=500).exists() and not Article.objects.exists()
    recovered = services.issue_recover(issue_id=issue.pk, user=reviewer)
    issue = Issue.objects.get(pk=issue.pk)
    assert recovered.articles == 3
    assert (issue.number, issue.status) == (500, Status.DRAFT)
    assert toc_titles(issue) == before == [("经济热点", ["甲", "丙"]), ("科创聚焦", ["乙"])]
    assert "已签发" in issue.transitions.get(action="recover").comment


@pytest.mark.django_db
def test_an_article_deleted_before_its_issue_stays_in_the_bin_when_the_issue_is_recovered(reviewer):
    issue = make_issue()
    make_article(issue=issue, title="留下")
    earlier = make_article(issue=issue, title="早删")
    services.article_delete(article=earlier, user=reviewer)
    services.issue_delete(issue=issue, user=reviewer)
    services.issue_recover(issue_id=issue.pk, user=reviewer)
    assert toc_titles(Issue.objects.get(pk=issue.pk)) == [("科创聚焦", ["留下"])]
    assert not Article.objects.filter(pk=earlier.pk).exists()


@pytest.mark.django_db
def test_a_deleted_issue_whose_number_was_reused_cannot_come_back_and_says_why(reviewer):
    issue = make_issue(number=600)
    services.issue_delete(issue=issue, user=reviewer)
    make_issue(number=600)
    with pytest.raises(ValidationError, match="第600期已经有另一期占用"):
        services.issue_recover(issue_id=issue.pk, user=reviewer)


@pytest.mark.django_db
def test_a_published_issue_cannot_be_deleted_only_withdrawn(reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    with pytest.raises(PermissionDenied, match="撤回"):
        services.issue_delete(issue=issue, user=reviewer)
    assert Issue.objects.filter(pk=issue.pk).exists()


@pytest.mark.django_db
def test_editors_cannot_delete_issues(editor):
    issue = make_issue()
    with pytest.raises(PermissionDenied):
        services.issue_delete(issue=issue, user=editor)
    assert Issue.objects.filter(pk=issue.pk).exists()


@pytest.mark.django_db
def test_recovering_something_that_was_never_deleted_is_refused(editor):
    article = make_article()
    with pytest.raises(ValidationError, match="没有被删除"):
        services.article_recover(article_id=article.pk, user=editor)
    with pytest.raises(Http404):
        services.article_recover(article_id=article.pk + 999, user=editor)
