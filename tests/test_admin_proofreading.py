"""校对 in the admin: the article form's check endpoint and dismissals, an issue's report and board summary, and
the confirmation asked before an issue with open findings is submitted or signed off."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Issue, IssueTransition, ProofreadingDismissal
from tests.factories import database_state, make_article, make_issue, make_published_issue, section

Status = Issue.Status
CHECK_URL = "admin:editorial_article_proofread"
FAULTY_BODY = "10月28日,上海技术交易所正式开市。\n\n这是全国首创的的举措..."


def check(client, **data):
    return client.post(reverse(CHECK_URL), data)


def dismissal_url(article):
    return reverse("admin:editorial_article_proofread_dismissal", args=[article.pk])


def transition_url(issue, name):
    return reverse("admin:editorial_issue_transition", args=[issue.pk, name])


@pytest.fixture
def faulty_issue(db):
    issue = make_issue(number=700)
    make_article(issue=issue, title="上海技术交易所开市", body="本篇没有问题。")
    make_article(issue=issue, title="浦东新区出台标准。", body=FAULTY_BODY, section_slug="economy")
    return issue


# --- the check endpoint -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_endpoint_lists_findings_with_passage_message_fix_and_offsets_into_each_field(client, editor):
    client.force_login(editor)
    response = check(client, title="标题有句号。", body=FAULTY_BODY)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert [(f["field"], f["line"], f["rule"], f["text"], f["suggestion"]) for f in data["findings"]] == [
        ("title", 0, "headline.end-mark", "。", ""),
        ("body", 1, "punctuation.half-width", ",", "，"),
        ("body", 2, "characters.doubled", "的的", "的"),
        ("body", 2, "ellipsis.form", "...", "……"),
    ]
    for finding in data["findings"]:
        field = "标题有句号。" if finding["field"] == "title" else FAULTY_BODY
        assert field[finding["start"] : finding["end"]] == finding["text"]
        assert finding["message"] and finding["name"] and finding["key"]
    comma = data["findings"][1]
    assert (comma["before"], comma["after"]) == ("10月28日", "上海技术交易所正式开市。")
    assert (data["open"], data["certain"], data["dismissed"]) == (4, 4, [])


@pytest.mark.django_db
def test_offsets_count_utf16_units_as_the_browser_does(client, editor):
    client.force_login(editor)
    body = "𠀀𠀁两个扩展B区汉字之后,逗号"
    finding = check(client, title="", body=body).json()["findings"][0]
    assert finding["text"] == ","
    assert body.encode("utf-16-le")[finding["start"] * 2 : finding["end"] * 2].decode("utf-16-le") == ","


@pytest.mark.django_db
def test_the_endpoint_is_a_csrf_protected_post_for_staff_only(editor):
    anonymous = Client()
    assert check(anonymous, title="", body="上海,江苏").status_code == 302
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(editor)
    assert check(staff, title="", body="上海,江苏").status_code == 403
    staff.get(reverse("admin:editorial_article_add"))
    token = staff.cookies["csrftoken"].value
    response = staff.post(reverse(CHECK_URL), {"title": "", "body": "上海,江苏"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["open"] == 1
    assert staff.get(reverse(CHECK_URL)).status_code == 405


@pytest.mark.django_db
def test_a_body_too_long_to_check_as_one_types_is_refused_in_chinese(client, editor):
    client.force_login(editor)
    response = check(client, title="", body="字" * 50_001)
    assert response.status_code == 400 and "太长" in response.json()["error"]


@pytest.mark.django_db
def test_an_unknown_article_is_a_404(client, editor):
    client.force_login(editor)
    assert check(client, title="", body="上海", article="999999").status_code == 404


# --- dismissing ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dismissed_finding_stays_dismissed_for_that_passage_only_and_can_be_restored(client, editor):
    article = make_article(issue=make_issue(), title="标题", body="上海,江苏。\n\n北京,天津。")
    client.force_login(editor)
    first = check(client, title=article.title, body=article.body, article=article.pk).json()["findings"][0]
    response = client.post(dismissal_url(article), {"rule": first["rule"], "key": first["key"], "action": "dismiss"})
    assert response.status_code == 200 and response.json() == {"changed": True}
    assert ProofreadingDismissal.objects.get().created_by == editor

    data = check(client, title=article.title, body=article.body, article=article.pk).json()
    assert [f["text"] + f["after"][:2] for f in data["findings"]] == [",天津"]
    assert [f["before"] for f in data["dismissed"]] == ["上海"]
    # The same passage in another article is still flagged.
    assert check(client, title="", body=article.body).json()["open"] == 2

    response = client.post(dismissal_url(article), {"rule": first["rule"], "key": first["key"], "action": "restore"})
    assert response.json() == {"changed": True} and not ProofreadingDismissal.objects.exists()
    assert check(client, title=article.title, body=article.body, article=article.pk).json()["open"] == 2


@pytest.mark.django_db
def test_dismissing_twice_changes_nothing_the_second_time(client, editor):
    article = make_article(body="上海,江苏。")
    client.force_login(editor)
    finding = check(client, title="", body=article.body, article=article.pk).json()["findings"][0]
    data = {"rule": finding["rule"], "key": finding["key"]}
    assert client.post(dismissal_url(article), data).json() == {"changed": True}
    assert client.post(dismissal_url(article), data).json() == {"changed": False}
    assert ProofreadingDismissal.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"rule": "no.such-rule", "key": "上海,江苏"}, "没有这条校对规则"),
        ({"rule": "punctuation.half-width", "key": ""}, "位置不对"),
        ({"rule": "punctuation.half-width", "key": "字" * 201}, "位置不对"),
        ({"rule": "punctuation.half-width", "key": "上海,江苏", "action": "delete"}, "没有这个操作"),
    ],
)
def test_a_malformed_dismissal_is_refused_with_a_message_and_stores_nothing(client, editor, data, error):
    article = make_article(body="上海,江苏。")
    client.force_login(editor)
    response = client.post(dismissal_url(article), data)
    assert response.status_code == 400 and error in response.json()["error"]
    assert not ProofreadingDismissal.objects.exists()


@pytest.mark.django_db
def test_an_editor_may_not_dismiss_in_a_published_article_and_nothing_is_stored(client, editor):
    article = make_article(issue=make_published_issue(number=701), body="上海,江苏。")
    client.force_login(editor)
    response = client.post(dismissal_url(article), {"rule": "punctuation.half-width", "key": "上海,江苏。"})
    assert response.status_code == 403 and "已发布" in response.json()["error"]
    assert not ProofreadingDismissal.objects.exists()
    assert client.post(reverse(CHECK_URL), {"title": "", "body": "", "article": article.pk}).status_code == 200


@pytest.mark.django_db
def test_dismissals_are_post_only_and_need_a_csrf_token(editor):
    article = make_article(body="上海,江苏。")
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(editor)
    assert staff.get(dismissal_url(article)).status_code == 405
    assert (
        staff.post(dismissal_url(article), {"rule": "punctuation.half-width", "key": "上海,江苏。"}).status_code == 403
    )
    assert not ProofreadingDismissal.objects.exists()


@pytest.mark.django_db
def test_a_new_articles_form_carries_its_dismissals_and_saving_stores_those_that_match(client, editor):
    client.force_login(editor)
    body = "上海,江苏。"
    finding = check(client, title="新稿件", body=body).json()["findings"][0]
    pending = json.dumps([[finding["rule"], finding["key"]], ["dates.numeric", "no such passage"], "junk"])
    assert check(client, title="新稿件", body=body, pending=pending).json()["open"] == 0
    response = client.post(
        reverse("admin:editorial_article_add"),
        {"title": "新稿件", "body": body, "section": section().pk, "proofreading_dismissed": pending},
    )
    assert response.status_code == 302
    stored = ProofreadingDismissal.objects.get()
    assert (stored.rule, stored.passage, stored.created_by) == (finding["rule"], finding["key"], editor)


@pytest.mark.django_db
def test_saving_an_article_forgets_dismissals_whose_passage_is_gone(client, editor):
    article = make_article(title="标题", body="上海,江苏。\n\n北京,天津。")
    client.force_login(editor)
    for finding in check(client, title=article.title, body=article.body, article=article.pk).json()["findings"]:
        client.post(dismissal_url(article), {"rule": finding["rule"], "key": finding["key"]})
    assert ProofreadingDismissal.objects.count() == 2
    response = client.post(
        reverse("admin:editorial_article_change", args=[article.pk]),
        {
            "title": "标题",
            "body": "上海，江苏。\n\n北京,天津。",
            "section": article.section_id,
            "opened_version": article.version,
        },
    )
    assert response.status_code == 302
    assert list(ProofreadingDismissal.objects.values_list("passage", flat=True)) == ["北京,天津。"]


# --- the article form -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_article_form_carries_the_panel_and_its_script_but_a_read_only_page_does_not(client, editor):
    draft = make_article(issue=make_issue(number=702), body="上海,江苏。")
    published = make_article(issue=make_published_issue(number=703), body="上海,江苏。")
    client.force_login(editor)
    page = client.get(reverse("admin:editorial_article_change", args=[draft.pk])).content.decode()
    assert "data-proofreading" in page and "editorial/admin/proofreading.js" in page
    assert f'data-dismiss-url="{dismissal_url(draft)}"' in page and 'name="proofreading_dismissed"' not in page
    add = client.get(reverse("admin:editorial_article_add")).content.decode()
    assert 'name="proofreading_dismissed"' in add and 'data-dismiss-url=""' in add
    read_only = client.get(reverse("admin:editorial_article_change", args=[published.pk])).content.decode()
    assert "data-proofreading" not in read_only and "proofreading.js" not in read_only


# --- the issue: board summary, report ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_issue_page_tells_the_open_findings_and_marks_the_article_on_the_board(client, reviewer, faulty_issue):
    client.force_login(reviewer)
    page = client.get(reverse("admin:editorial_issue_change", args=[faulty_issue.pk])).content.decode()
    report_url = reverse("admin:editorial_issue_proofreading", args=[faulty_issue.pk])
    assert "本期还有 <strong>4</strong> 处待处理" in page and report_url in page
    faulty = faulty_issue.articles.get(title="浦东新区出台标准。")
    assert f'href="{report_url}#article-{faulty.pk}"' in page and "校对 4" in page


@pytest.mark.django_db
def test_the_report_counts_findings_per_article_and_rule_in_reading_order(
    client, editor, faulty_issue, django_assert_num_queries
):
    client.force_login(editor)
    url = reverse("admin:editorial_issue_proofreading", args=[faulty_issue.pk])
    client.get(url)
    # session, user, issue, the user's and the groups' permissions, masthead; articles and dismissals
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    report = response.context["report"]
    assert [(each.article.title, len(each.findings)) for each in report.articles] == [
        ("上海技术交易所开市", 0),
        ("浦东新区出台标准。", 4),
    ]
    assert [(rule.id, count) for rule, count in report.rules] == [
        ("punctuation.half-width", 1),
        ("ellipsis.form", 1),
        ("characters.doubled", 1),
        ("headline.end-mark", 1),
    ]
    page = response.content.decode()
    assert "半角标点" in page and "<mark>的的</mark>" in page and "第 2 段" in page


@pytest.mark.django_db
def test_more_articles_cost_no_more_queries_for_the_report(client, editor, faulty_issue, django_assert_num_queries):
    for n in range(10):
        make_article(issue=faulty_issue, title=f"又一篇{n}", body="上海,江苏。")
    client.force_login(editor)
    url = reverse("admin:editorial_issue_proofreading", args=[faulty_issue.pk])
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).context["report"].open_count == 14


@pytest.mark.django_db
def test_the_report_is_staff_only_and_404_for_an_unknown_issue(client, editor):
    assert client.get(reverse("admin:editorial_issue_proofreading", args=[1])).status_code == 302
    client.force_login(editor)
    assert client.get(reverse("admin:editorial_issue_proofreading", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_a_dismissed_finding_leaves_the_open_count_and_shows_as_dismissed(client, editor, faulty_issue):
    article = faulty_issue.articles.get(title="浦东新区出台标准。")
    client.force_login(editor)
    finding = check(client, title=article.title, body=article.body, article=article.pk).json()["findings"][0]
    client.post(dismissal_url(article), {"rule": finding["rule"], "key": finding["key"]})
    report = client.get(reverse("admin:editorial_issue_proofreading", args=[faulty_issue.pk])).context["report"]
    assert (report.open_count, report.dismissed_count) == (3, 1)


# --- submitting and signing off asks first -------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_with_open_findings_asks_first_and_changes_nothing_until_confirmed(client, editor, faulty_issue):
    client.force_login(editor)
    before = database_state()
    response = client.post(transition_url(faulty_issue, "submit"), {"submit-comment": "请审阅"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "还有 <strong>4</strong> 处校对问题未处理" in page and "确认，仍然提交审核" in page
    assert 'name="submit-comment" value="请审阅"' in page and 'name="proofreading_confirmed" value="1"' in page
    assert database_state() == before

    response = client.post(
        transition_url(faulty_issue, "submit"), {"submit-comment": "请审阅", "proofreading_confirmed": "1"}
    )
    assert response.status_code == 302
    faulty_issue.refresh_from_db()
    assert faulty_issue.status == Status.IN_REVIEW
    entry = IssueTransition.objects.get(issue=faulty_issue, action="submit")
    assert entry.comment == "请审阅\n校对尚有 4 处未处理，提交审核时已确认。"


@pytest.mark.django_db
def test_signing_off_with_open_findings_asks_the_reviewer_too(client, reviewer, faulty_issue):
    Issue.objects.filter(pk=faulty_issue.pk).update(status=Status.IN_REVIEW)
    client.force_login(reviewer)
    response = client.post(transition_url(faulty_issue, "approve"))
    assert response.status_code == 200 and "确认，仍然签发" in response.content.decode()
    assert Issue.objects.get(pk=faulty_issue.pk).status == Status.IN_REVIEW
    client.post(transition_url(faulty_issue, "approve"), {"proofreading_confirmed": "1"})
    assert Issue.objects.get(pk=faulty_issue.pk).status == Status.APPROVED
    assert IssueTransition.objects.get(action="approve").comment == "校对尚有 4 处未处理，签发时已确认。"


@pytest.mark.django_db
def test_a_clean_issue_is_submitted_without_a_question(client, editor):
    issue = make_issue(number=704)
    make_article(issue=issue, title="没有问题的标题", body="没有问题的正文。")
    client.force_login(editor)
    assert client.post(transition_url(issue, "submit")).status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_REVIEW
    assert IssueTransition.objects.get(action="submit").comment == ""


@pytest.mark.django_db
def test_an_issue_that_cannot_be_submitted_gets_its_reasons_not_the_question(client, editor):
    issue = make_issue(number=705)
    make_article(issue=issue, title="上海,江苏", body="  ")
    client.force_login(editor)
    response = client.post(transition_url(issue, "submit"))
    assert response.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_other_transitions_never_ask(client, reviewer, faulty_issue):
    Issue.objects.filter(pk=faulty_issue.pk).update(status=Status.IN_REVIEW)
    client.force_login(reviewer)
    response = client.post(transition_url(faulty_issue, "return_to_draft"), {"return_to_draft-comment": "请修改"})
    assert response.status_code == 302 and Issue.objects.get(pk=faulty_issue.pk).status == Status.DRAFT
