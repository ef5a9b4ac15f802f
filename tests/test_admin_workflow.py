"""The newsroom through the admin's own views, with real users in each role: compose, review, publish, correct.

Every state-changing view is checked the same way: GET where a POST is needed answers 405, an unknown
id 404, a user without the right 403 — and in each of those cases the database is unchanged.
"""

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from editorial import services, workflow
from editorial.models import Article, Issue, IssueSection, IssueTransition, Section
from editorial.selectors import issue_table_of_contents
from tests.factories import make_article, make_issue, make_user, region, section

Status = Issue.Status


def login(client, user):
    # force_login: django-axes needs the request in authenticate(), which client.login() does not pass.
    client.force_login(user)
    return client


def as_user(client, user):
    client.logout()
    return login(client, user)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def database_state() -> tuple:
    """Everything a workflow view could change, to compare before and after a refused request."""
    return (
        list(Issue.objects.order_by("pk").values_list("pk", "number", "date", "status", "version", "updated_at")),
        list(
            Article.objects.order_by("pk").values_list("pk", "issue_id", "section_id", "position", "version", "title")
        ),
        list(IssueSection.objects.order_by("pk").values_list("issue_id", "section_id", "position")),
        IssueTransition.objects.count(),
        Issue.history.count(),
        Article.history.count(),
    )


def toc_titles(issue):
    return [[a.title for a in entry.articles] for entry in issue_table_of_contents(issue=issue)]


def change_url(issue):
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def transition_url(issue, name):
    return reverse("admin:editorial_issue_transition", args=[issue.pk, name])


def layout_json(issue, reorder=None) -> str:
    layout = services.issue_layout(issue)
    if reorder:
        layout = reorder(layout)
    return json.dumps([{"section": s, "articles": ids} for s, ids in layout])


def article_form_data(article: Article, **changes) -> dict:
    data = {
        "title": article.title,
        "body": article.body,
        "section": article.section_id or "",
        "issue": article.issue_id or "",
        "regions": [r.pk for r in article.regions.all()],
        "source": article.source,
        "page": article.page or "",
        "opened_version": article.version,
        "correction_note": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def viewer(db):
    """Staff who may look at issues and articles but change nothing."""
    from django.contrib.auth.models import Permission

    user = make_user("viewer")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="editorial", codename__in=["view_issue", "view_article"])
    )
    return user


# --- the whole lifecycle ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_issue_goes_from_a_new_draft_to_published_and_corrected_through_the_admin(client, editor, reviewer):
    pooled = make_article(title="稿件库里的一篇", section_slug="economy")

    # The editor starts next week's issue with one click.
    login(client, editor)
    response = client.post(reverse("admin:editorial_issue_next"))
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(issue)
    assert issue.status == Status.DRAFT and issue.date.weekday() == 4

    # …writes an article straight into it, with a region…
    response = client.post(
        reverse("admin:editorial_article_add"),
        {
            "title": "浦东新区发布区块链标准",
            "body": "10月28日，浦东新区发布标准。\n\n第二段。",
            "section": section("sci-tech").pk,
            "issue": issue.pk,
            "regions": [region("pudong").pk],
            "source": "",
            "page": "",
            "opened_version": "",
            "correction_note": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    written = Article.objects.get(title="浦东新区发布区块链标准")
    assert (written.issue, written.position, written.created_by) == (issue, 1, editor)

    # …adds one from the pool, and puts it first by arranging the board.
    response = client.post(
        reverse("admin:editorial_issue_place", args=[issue.pk]),
        {"article": pooled.pk, "section": section("economy").pk},
    )
    assert response.status_code == 302
    assert toc_titles(issue) == [["浦东新区发布区块链标准"], ["稿件库里的一篇"]]
    issue.refresh_from_db()
    first_two = lambda layout: [layout[1], layout[0], *layout[2:]]  # noqa: E731
    response = client.post(
        reverse("admin:editorial_issue_arrange", args=[issue.pk]),
        {"layout": layout_json(issue, first_two), "stamp": issue.updated_at.isoformat()},
    )
    assert response.status_code == 302
    assert toc_titles(issue) == [["稿件库里的一篇"], ["浦东新区发布区块链标准"]]

    # …and submits it. She may not sign it off herself.
    assert client.post(transition_url(issue, "submit"), {"submit-comment": "请审阅"}).status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_REVIEW
    assert client.post(transition_url(issue, "approve")).status_code == 403

    # The reviewer sends it back without a reason: refused, nothing changes; with one: back to draft.
    as_user(client, reviewer)
    response = client.post(transition_url(issue, "return_to_draft"), {"return_to_draft-comment": " "})
    assert "请填写退回原因。" in messages_of(response)
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_REVIEW
    client.post(transition_url(issue, "return_to_draft"), {"return_to_draft-comment": "标题请更具体"})
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT

    as_user(client, editor)
    client.post(transition_url(issue, "submit"))
    as_user(client, reviewer)
    client.post(transition_url(issue, "approve"), {"approve-comment": "同意"})
    # Dated next Friday: publishing now is early, which the page's dialog confirms (tests/test_admin_flows.py).
    response = client.post(transition_url(issue, "publish"), {"publish-early_confirmed": "1"})
    assert "已发布" in messages_of(response)[-1]
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED

    # Readers see it in the arranged order.
    client.logout()
    page = client.get(issue.get_absolute_url())
    assert page.status_code == 200
    assert page.text.index("稿件库里的一篇") < page.text.index("浦东新区发布区块链标准")

    # The editor can no longer change it; the reviewer corrects it, with a note that is recorded.
    login(client, editor)
    response = client.post(
        reverse("admin:editorial_article_change", args=[written.pk]), article_form_data(written, title="篡改")
    )
    assert response.status_code == 403
    as_user(client, reviewer)
    written.refresh_from_db()
    response = client.post(
        reverse("admin:editorial_article_change", args=[written.pk]),
        article_form_data(written, title="浦东新区发布政务区块链标准", correction_note="标题补充“政务”"),
    )
    assert response.status_code == 302
    correction = IssueTransition.objects.get(issue=issue, action="correct")
    assert correction.user == reviewer and "标题补充“政务”" in correction.comment

    # The log on the issue page names everyone.
    response = client.get(change_url(issue))
    log = [(label, actor) for _, label, actor in response.context["log"]]
    assert log == [
        ("更正", "reviewer"),
        ("立即发布", "reviewer"),
        ("签发", "reviewer"),
        ("提交审核", "editor"),
        ("退回修改", "reviewer"),
        ("提交审核", "editor"),
        ("新建", "editor"),
    ]


# --- transition × role, through the admin ------------------------------------------------------------

IN_AN_HOUR = "in an hour"
CASES = {
    "submit": (Status.DRAFT, {}, {}, Status.IN_REVIEW),
    "approve": (Status.IN_REVIEW, {}, {}, Status.APPROVED),
    "return_to_draft": (Status.IN_REVIEW, {}, {"comment": "请修改"}, Status.DRAFT),
    "publish": (Status.APPROVED, {}, {}, Status.PUBLISHED),
    "schedule": (Status.APPROVED, {}, {"scheduled_at": IN_AN_HOUR}, Status.APPROVED),
    "unschedule": (Status.APPROVED, {"scheduled_at": IN_AN_HOUR}, {}, Status.APPROVED),
    "withdraw": (Status.PUBLISHED, {}, {"comment": "核实数据"}, Status.WITHDRAWN),
}
ROLES = {"editor": "编辑", "reviewer": "审核", "administrator": "管理员"}
ALLOWED = {"editor": {"submit"}, "reviewer": set(CASES), "administrator": set(CASES)}


def in_an_hour():
    return timezone.localtime() + datetime.timedelta(hours=1)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(CASES))
def test_each_workflow_button_works_for_the_roles_allowed_it_and_answers_403_to_the_others(client, role, name):
    start, fields, data, end = CASES[name]
    fields = {key: in_an_hour() if value == IN_AN_HOUR else value for key, value in fields.items()}
    issue = make_issue(status=start, **fields)
    make_article(issue=issue)
    login(client, make_user(role, role=ROLES[role]))
    post = {
        f"{name}-{key}": in_an_hour().strftime("%Y-%m-%dT%H:%M") if value == IN_AN_HOUR else value
        for key, value in data.items()
    }
    before = database_state()
    response = client.post(transition_url(issue, name), post)
    if name in ALLOWED[role]:
        assert response.status_code == 302
        issue.refresh_from_db()
        assert issue.status == end
        assert issue.transitions.get(action=name).user.username == role
    else:
        assert response.status_code == 403
        assert database_state() == before


@pytest.mark.django_db
def test_a_workflow_button_from_a_stale_page_is_a_message_not_an_error(client, reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    login(client, reviewer)
    before = database_state()
    response = client.post(transition_url(issue, "approve"))
    assert response.status_code == 302
    assert "不能签发" in messages_of(response)[-1]
    assert database_state() == before
    response = client.post(transition_url(Issue.objects.get(pk=issue.pk), "publish"))
    assert database_state() == before


@pytest.mark.django_db
def test_scheduling_through_the_admin_reads_the_time_in_the_office_time_zone(client, reviewer):
    issue = make_issue(status=Status.APPROVED)
    make_article(issue=issue)
    login(client, reviewer)
    at = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    client.post(transition_url(issue, "schedule"), {"schedule-scheduled_at": at.strftime("%Y-%m-%dT%H:%M")})
    issue.refresh_from_db()
    assert issue.scheduled_at == at
    assert "定时" in client.get(reverse("admin:editorial_issue_changelist")).text


@pytest.mark.django_db
def test_the_issue_page_offers_each_role_only_its_own_buttons(client, editor, reviewer):
    issue = make_issue(status=Status.IN_REVIEW)
    make_article(issue=issue)
    login(client, editor)
    response = client.get(change_url(issue))
    assert response.context["actions"] == []
    assert "正在审核" in response.context["edit_refusal"]
    assert 'draggable="true"' not in response.text
    as_user(client, reviewer)
    response = client.get(change_url(issue))
    assert [transition.name for transition, _ in response.context["actions"]] == ["approve", "return_to_draft"]
    assert 'draggable="true"' in response.text


@pytest.mark.django_db
def test_the_issue_page_lists_what_blocks_submission_naming_the_article(client, editor):
    issue = make_issue()
    make_article(issue=issue, title="缺正文", body=" ")
    login(client, editor)
    response = client.get(change_url(issue))
    assert "第1篇《缺正文》没有正文。" in response.context["problems"]
    client.post(transition_url(issue, "submit"))
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


# --- every state-changing view: 405, 404, 403, nothing changed --------------------------------------


def state_changing_urls(issue, article, section_id):
    return {
        "next": reverse("admin:editorial_issue_next"),
        "transition": transition_url(issue, "submit"),
        "arrange": reverse("admin:editorial_issue_arrange", args=[issue.pk]),
        "place": reverse("admin:editorial_issue_place", args=[issue.pk]),
        "section-add": reverse("admin:editorial_issue_section_add", args=[issue.pk]),
        "section-remove": reverse("admin:editorial_issue_section_remove", args=[issue.pk, section_id]),
        "issue-recover": reverse("admin:editorial_issue_recover", args=[issue.pk]),
        "article-recover": reverse("admin:editorial_article_recover", args=[article.pk]),
    }


@pytest.mark.django_db
def test_every_post_only_view_answers_405_to_a_get_and_changes_nothing(client, administrator):
    issue = make_issue()
    article = make_article(issue=issue)
    login(client, administrator)
    before = database_state()
    for name, url in state_changing_urls(issue, article, section("policy").pk).items():
        assert client.get(url).status_code == 405, name
    assert database_state() == before


@pytest.mark.django_db
def test_every_state_changing_view_answers_404_for_an_unknown_id_and_changes_nothing(client, administrator):
    issue = make_issue()
    article = make_article(issue=issue)
    login(client, administrator)
    missing = 987654
    before = database_state()
    urls = [
        transition_url(Issue(pk=missing), "submit"),
        reverse("admin:editorial_issue_transition", args=[issue.pk, "no-such-action"]),
        reverse("admin:editorial_issue_transition", args=[issue.pk, "correct"]),  # not a button
        reverse("admin:editorial_issue_arrange", args=[missing]),
        reverse("admin:editorial_issue_place", args=[missing]),
        reverse("admin:editorial_issue_section_add", args=[missing]),
        reverse("admin:editorial_issue_section_remove", args=[issue.pk, missing]),
        reverse("admin:editorial_issue_recover", args=[missing]),
        reverse("admin:editorial_article_recover", args=[missing]),
        reverse("admin:editorial_article_move", args=[missing]),
        reverse("admin:editorial_article_history_restore", args=[article.pk, missing]),
        reverse("admin:editorial_article_history_restore", args=[missing, 1]),
        reverse("admin:editorial_issue_history_restore", args=[issue.pk, missing]),
    ]
    for url in urls:
        assert client.post(url).status_code == 404, url
    assert client.get(reverse("admin:editorial_article_history", args=[missing])).status_code == 404
    assert database_state() == before


@pytest.mark.django_db
def test_every_state_changing_view_answers_403_without_the_right_and_changes_nothing(client, viewer, editor):
    issue = make_issue()
    article = make_article(issue=issue)
    services.article_save(article=article, user=editor, expected_version=1)
    gone = make_article()
    services.article_delete(article=gone, user=editor)
    login(client, viewer)
    before = database_state()
    urls = {
        **state_changing_urls(issue, gone, section("policy").pk),
        "move": reverse("admin:editorial_article_move", args=[article.pk]),
        "restore": reverse(
            "admin:editorial_article_history_restore", args=[article.pk, article.history.earliest().history_id]
        ),
        "change": reverse("admin:editorial_article_change", args=[article.pk]),
        "delete": reverse("admin:editorial_article_delete", args=[article.pk]),
    }
    for name, url in urls.items():
        assert client.post(url, {"post": "yes"}).status_code == 403, name
    assert database_state() == before


@pytest.mark.django_db
def test_an_editor_gets_403_for_arranging_or_filling_an_issue_under_review_and_nothing_changes(client, editor):
    issue = make_issue(status=Status.IN_REVIEW)
    a, b = make_article(issue=issue), make_article(issue=issue)
    pooled = make_article()
    login(client, editor)
    before = database_state()
    reversed_sections = lambda layout: [(layout[0][0], [b.pk, a.pk]), *layout[1:]]  # noqa: E731
    posts = {
        reverse("admin:editorial_issue_arrange", args=[issue.pk]): {"layout": layout_json(issue, reversed_sections)},
        reverse("admin:editorial_issue_place", args=[issue.pk]): {"article": pooled.pk, "section": section().pk},
        reverse("admin:editorial_issue_section_add", args=[issue.pk]): {"section": _special().pk},
        reverse("admin:editorial_issue_section_remove", args=[issue.pk, section("policy").pk]): {},
        reverse("admin:editorial_issue_recover", args=[issue.pk]): {},
        reverse("admin:editorial_article_move", args=[a.pk]): {"issue": ""},
        reverse("admin:editorial_issue_delete", args=[issue.pk]): {"post": "yes"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert database_state()[:4] == before[:4]


def _special():
    return Section.objects.get_or_create(
        slug="special", defaults={"name": "专题", "position": 99, "is_standing": False}
    )[0]


@pytest.mark.django_db
def test_bad_board_data_is_refused_with_a_message_and_changes_nothing(client, editor):
    issue = make_issue()
    make_article(issue=issue)
    login(client, editor)
    before = database_state()
    for layout in ["not json", '[{"section": "x"}]', json.dumps([{"section": section().pk, "articles": []}])]:
        response = client.post(reverse("admin:editorial_issue_arrange", args=[issue.pk]), {"layout": layout})
        assert response.status_code == 302
        assert "刷新页面" in messages_of(response)[-1]
    assert database_state() == before


# --- composing through the admin -----------------------------------------------------------------


@pytest.mark.django_db
def test_new_next_issue_twice_opens_the_same_empty_draft(client, editor):
    login(client, editor)
    client.post(reverse("admin:editorial_issue_next"))
    response = client.post(reverse("admin:editorial_issue_next"))
    assert Issue.objects.count() == 1
    assert "不再重复新建" in messages_of(response)[-1]


@pytest.mark.django_db
def test_a_one_off_section_is_added_to_one_issue_and_an_empty_one_removed(client, editor):
    issue, other = make_issue(), make_issue()
    special = _special()
    login(client, editor)
    client.post(reverse("admin:editorial_issue_section_add", args=[issue.pk]), {"section": special.pk})
    client.post(reverse("admin:editorial_issue_section_remove", args=[issue.pk, section("policy").pk]))
    names = list(issue.issue_sections.order_by("position").values_list("section__name", flat=True))
    assert names == ["科创聚焦", "经济热点", "产业动向", "经验交流", "域外动态", "专题"]
    assert other.issue_sections.count() == 6


@pytest.mark.django_db
def test_an_article_moves_to_another_issue_or_back_to_the_pool_from_its_move_page(client, editor):
    source, target = make_issue(), make_issue()
    article = make_article(issue=source)
    login(client, editor)
    page = client.get(reverse("admin:editorial_article_move", args=[article.pk]))
    assert page.status_code == 200 and "稿件库（暂不编入期刊）" in page.text
    next_url = change_url(source)
    response = client.post(
        reverse("admin:editorial_article_move", args=[article.pk]),
        {"issue": target.pk, "section": section("policy").pk, "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == next_url
    assert toc_titles(target) == [[article.title]]
    client.post(reverse("admin:editorial_article_move", args=[article.pk]), {"issue": ""})
    assert Article.objects.get(pk=article.pk).issue is None


@pytest.mark.django_db
def test_the_move_page_never_redirects_off_site(client, editor):
    article = make_article(issue=make_issue())
    login(client, editor)
    response = client.post(
        reverse("admin:editorial_article_move", args=[article.pk]), {"issue": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:editorial_article_change", args=[article.pk])


@pytest.mark.django_db
def test_region_suggestions_come_from_the_importers_detector(client, editor):
    login(client, editor)
    response = client.get(
        reverse("admin:editorial_article_suggest_regions"), {"title": "浦东新区出台区块链标准", "body": ""}
    )
    assert [entry["name"] for entry in response.json()["regions"]] == ["浦东新区"]
    response = client.get(
        reverse("admin:editorial_article_suggest_regions"), {"title": "一条消息", "body": "青岛市日前出台办法。"}
    )
    assert [entry["name"] for entry in response.json()["regions"]] == ["青岛"]


@pytest.mark.django_db
def test_the_article_list_filters_by_placement_section_region_with_subregions_and_year(client, editor):
    issue = make_issue(date=datetime.date(2020, 10, 30))
    in_pudong = make_article(issue=issue, regions=["pudong"], section_slug="economy")
    make_article(issue=make_issue(date=datetime.date(2026, 11, 20)), regions=["jiangsu"])
    pooled = make_article(regions=["shanghai"])
    login(client, editor)
    url = reverse("admin:editorial_article_changelist")

    def found(**params):
        return {a.pk for a in client.get(url, params).context["cl"].result_list}

    assert found(placement="pool") == {pooled.pk}
    assert found(region="shanghai") == {in_pudong.pk, pooled.pk}
    assert found(year="2020") == {in_pudong.pk}
    assert found(section__id__exact=section("economy").pk) == {in_pudong.pk}


@pytest.mark.django_db
def test_the_issue_list_counts_articles_and_finds_issues_by_number_or_title(client, editor):
    issue = make_issue(number=193)
    for _ in range(3):
        make_article(issue=issue)
    make_article(issue=make_issue(number=194), title="上海技术交易所开市")
    login(client, editor)
    url = reverse("admin:editorial_issue_changelist")
    rows = {i.number: i.article_total for i in client.get(url).context["cl"].result_list}
    assert rows == {193: 3, 194: 1}
    assert [i.number for i in client.get(url, {"q": "第193期"}).context["cl"].result_list] == [193]
    assert [i.number for i in client.get(url, {"q": "技术交易所"}).context["cl"].result_list] == [194]


# --- nothing lost: stale forms, history, restore, recovery --------------------------------------------


@pytest.mark.django_db
def test_a_stale_article_form_is_refused_naming_who_saved_in_between(client, editor):
    colleague = make_user("colleague", role="编辑", first_name="小张")
    article = make_article(issue=make_issue(), title="原标题")
    login(client, editor)
    opened = client.get(reverse("admin:editorial_article_change", args=[article.pk]))
    assert opened.context["adminform"].form["opened_version"].value() == 1
    mine = article_form_data(article, title="我的标题")

    as_user(client, colleague)
    client.post(
        reverse("admin:editorial_article_change", args=[article.pk]), article_form_data(article, title="小张的标题")
    )
    as_user(client, editor)
    before = database_state()
    response = client.post(reverse("admin:editorial_article_change", args=[article.pk]), mine)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "小张" in errors and "修改过" in errors
    assert database_state() == before
    assert Article.objects.get(pk=article.pk).title == "小张的标题"


@pytest.mark.django_db
def test_a_body_typed_in_the_browser_is_stored_with_plain_newlines(client, editor):
    article = make_article(body="第一段。\n\n第二段。")
    login(client, editor)
    client.post(
        reverse("admin:editorial_article_change", args=[article.pk]),
        article_form_data(article, body="第一段。\r\n\r\n第二段，补充。"),
    )
    assert Article.objects.get(pk=article.pk).body == "第一段。\n\n第二段，补充。"


@pytest.mark.django_db
def test_a_stale_issue_form_is_refused_naming_who_saved_in_between(client, editor, reviewer):
    issue = make_issue(number=300)
    login(client, editor)
    data = {"number": 301, "date": "2020-11-06", "publication": issue.publication_id, "opened_version": 1}
    as_user(client, reviewer)
    client.post(change_url(issue), {**data, "number": 302})
    as_user(client, editor)
    response = client.post(change_url(issue), data)
    assert response.status_code == 200
    assert "reviewer" in " ".join(response.context["adminform"].form.non_field_errors())
    assert Issue.objects.get(pk=issue.pk).number == 302


@pytest.mark.django_db
def test_saving_issue_details_in_a_tab_opened_before_submission_brings_the_form_back_with_them(client, editor):
    issue = make_issue(number=300)
    make_article(issue=issue)
    issue.refresh_from_db()
    login(client, editor)
    data = {"number": 300, "date": "2020-11-13", "publication": issue.publication_id, "opened_version": issue.version}
    workflow.submit(issue=issue, user=make_user("colleague", role="编辑"))  # another tab, another editor
    before = database_state()

    response = client.post(change_url(issue), data)

    assert response.status_code == 403
    page = response.text
    assert 'value="2020-11-13"' in page  # the typed date is still in its field
    assert "您输入的内容都还在下面，没有保存" in page and "正在审核，编辑不能再修改" in page
    assert 'name="_save"' not in page
    assert "修改过" not in page  # not the stale-form advice to reopen and edit again: editing is closed
    assert database_state() == before


@pytest.mark.django_db
def test_history_shows_versions_with_authors_and_a_diff_between_two(client, editor):
    article = make_article(title="上海技术交易所开幕", body="第一段。")
    services.article_save(article=article, user=editor, expected_version=1)
    article.title = "上海技术交易所开市"
    services.article_save(article=article, user=editor, expected_version=2)
    login(client, editor)
    page = client.get(reverse("admin:editorial_article_history", args=[article.pk]))
    versions = page.context["versions"]
    assert [v.number for v in versions] == [3, 2, 1]
    assert versions[0].changed == ["标题"] and versions[0].author == "editor"
    compare = client.get(
        reverse("admin:editorial_article_history_compare", args=[article.pk]),
        {"old": versions[2].record.history_id, "new": versions[0].record.history_id},
    )
    assert "<del>幕</del>" in compare.text and "<ins>市</ins>" in compare.text


@pytest.mark.django_db
def test_restoring_an_old_version_through_the_admin_asks_first_then_saves_it_as_a_new_version(client, editor):
    article = make_article(title="初稿")
    services.article_save(article=article, user=editor, expected_version=1)
    first = article.history.earliest()
    article.title = "二稿"
    services.article_save(article=article, user=editor, expected_version=2)
    login(client, editor)
    url = reverse("admin:editorial_article_history_restore", args=[article.pk, first.history_id])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认恢复" in confirm.text
    assert "<del>二</del><ins>初</ins>" in confirm.text  # what restoring takes away, and what it brings back
    assert Article.objects.get(pk=article.pk).title == "二稿"
    response = client.post(url)
    assert response.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.version) == ("初稿", 4)
    assert article.history.count() == 4


@pytest.mark.django_db
def test_restoring_a_version_of_a_published_article_needs_a_correction_note(client, reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    article = make_article(issue=issue, title="旧标题")
    services.article_save(article=article, user=reviewer, expected_version=1, correction_note="建档")
    first = article.history.earliest()
    article.title = "新标题"
    services.article_save(article=article, user=reviewer, expected_version=2, correction_note="改标题")
    login(client, reviewer)
    url = reverse("admin:editorial_article_history_restore", args=[article.pk, first.history_id])
    client.post(url, {"correction_note": ""})
    # An empty note on a published issue falls back to naming the version restored.
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "旧标题"
    assert "恢复到" in IssueTransition.objects.filter(issue=issue, action="correct").first().comment


@pytest.mark.django_db
def test_a_deleted_article_is_recovered_from_the_bin(client, editor):
    issue = make_issue()
    article = make_article(issue=issue, title="误删的稿件", regions=["hefei"])
    services.article_save(article=article, user=editor, regions=[region("hefei")], expected_version=1)
    login(client, editor)
    response = client.post(reverse("admin:editorial_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.filter(pk=article.pk).exists()
    bin_page = client.get(reverse("admin:editorial_article_bin"))
    assert "误删的稿件" in bin_page.text
    response = client.post(reverse("admin:editorial_article_recover", args=[article.pk]))
    assert response.status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.issue, recovered.title) == (issue, "误删的稿件")
    assert list(recovered.regions.values_list("slug", flat=True)) == ["hefei"]
    assert client.get(reverse("admin:editorial_article_bin")).context["entries"] == []


@pytest.mark.django_db
def test_a_deleted_issue_is_recovered_from_the_bin_with_its_articles(client, reviewer):
    issue = make_issue(number=450)
    make_article(issue=issue, title="甲")
    make_article(issue=issue, title="乙", section_slug="policy")
    login(client, reviewer)
    page = client.get(reverse("admin:editorial_issue_delete", args=[issue.pk]))
    assert page.status_code == 200 and "回收站" in page.text and not page.context["perms_lacking"]
    client.post(reverse("admin:editorial_issue_delete", args=[issue.pk]), {"post": "yes"})
    assert not Issue.objects.filter(pk=issue.pk).exists()
    assert "第450期" in client.get(reverse("admin:editorial_issue_bin")).text
    response = client.post(reverse("admin:editorial_issue_recover", args=[issue.pk]))
    assert response.status_code == 302 and "2 篇稿件" in messages_of(response)[-1]
    assert toc_titles(Issue.objects.get(pk=issue.pk)) == [["甲"], ["乙"]]


@pytest.mark.django_db
def test_a_published_issue_offers_no_delete_and_refuses_one(client, reviewer):
    issue = make_issue(status=Status.PUBLISHED)
    login(client, reviewer)
    assert client.post(reverse("admin:editorial_issue_delete", args=[issue.pk]), {"post": "yes"}).status_code == 403
    assert Issue.objects.filter(pk=issue.pk).exists()


# --- preview ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_preview_an_unpublished_issue_at_its_public_address_with_a_banner_and_anonymous_get_404(client, editor):
    issue = make_issue(number=777)
    make_article(issue=issue, title="尚未发布的稿件")
    assert client.get(issue.get_absolute_url()).status_code == 404
    login(client, editor)
    response = client.get(issue.get_absolute_url())
    assert response.status_code == 200
    assert response.context["is_preview"] is True
    assert "预览" in response.text and "尚未发布的稿件" in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    workflow.submit(issue=issue, user=editor)
    Issue.objects.filter(pk=issue.pk).update(status=Status.PUBLISHED)
    client.logout()
    published = client.get(issue.get_absolute_url())
    assert published.status_code == 200 and published.context["is_preview"] is False


@pytest.mark.django_db
def test_the_issue_page_links_to_the_preview(client, editor):
    issue = make_issue()
    login(client, editor)
    response = client.get(change_url(issue))
    assert f'href="{issue.get_absolute_url()}"' in response.text
    assert "预览网页" in response.text


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 40])
def test_the_admin_pages_take_the_same_number_of_queries_whatever_the_issue_size(
    client, reviewer, size, django_assert_max_num_queries
):
    issue = make_issue()
    articles = [make_article(issue=issue, regions=["shanghai", "pudong"]) for _ in range(size)]
    for _ in range(size):
        make_article(regions=["jiangsu"])
    login(client, reviewer)
    budgets = {
        change_url(issue): 20,
        reverse("admin:editorial_issue_changelist"): 15,
        reverse("admin:editorial_article_changelist"): 30,
        reverse("admin:editorial_article_change", args=[articles[0].pk]): 18,
        reverse("admin:editorial_article_history", args=[articles[0].pk]): 15,
        reverse("admin:editorial_article_bin"): 12,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
