"""Who may open and do what: anonymous visitors, editors, reviewers and administrators against every admin page,
custom admin view, preview and public URL — the matrix written out, so a changed right shows up as a failed cell.

Pages (GET): each cell is the status the role gets. Anonymous visitors are sent to the login page
(302) from every admin page, and get 404 for previews. Actions (POST): an allowed role's request
does what it says; a refused one gets 403 (anonymous: the login page) and the database is unchanged.
"""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, Issue, OutboxMessage, ProofreadingDismissal, Publication, Recipient, Section
from tests.factories import database_state, make_article, make_issue, make_published_issue, make_user

ROLES = ["anonymous", "editor", "reviewer", "administrator"]
ROLE_GROUPS = {"editor": "编辑", "reviewer": "审核", "administrator": "管理员"}
Status = Issue.Status


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(make_user(f"{role}-matrix", role=ROLE_GROUPS[role]))
    return client


@pytest.fixture
def content(db):
    draft = make_issue(number=301)
    draft_article = make_article(issue=draft, title="草稿稿件")
    published = make_published_issue(number=300, date=datetime.date(2020, 10, 23))
    published_article = make_article(issue=published, title="已发布稿件")
    return {
        "draft": draft,
        "draft_article": draft_article,
        "published": published,
        "published_article": published_article,
    }


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


# --- pages -------------------------------------------------------------------------------------------

EVERYONE_STAFF = {"anonymous": 302, "editor": 200, "reviewer": 200, "administrator": 200}
ADMINISTRATORS = {"anonymous": 302, "editor": 403, "reviewer": 403, "administrator": 200}
REVIEWERS = {"anonymous": 302, "editor": 403, "reviewer": 200, "administrator": 200}
NOBODY = {"anonymous": 302, "editor": 403, "reviewer": 403, "administrator": 403}
PREVIEW = {"anonymous": 404, "editor": 200, "reviewer": 200, "administrator": 200}
PUBLIC = dict.fromkeys(ROLES, 200)


def pages(content) -> dict[str, tuple[str, dict[str, int]]]:
    draft, published = content["draft"], content["published"]
    article, published_article = content["draft_article"], content["published_article"]
    first_version = article.history.earliest().history_id
    published_version = published_article.history.earliest().history_id
    table = {
        "admin index": (admin_url("index"), EVERYONE_STAFF),
        "issue list": (admin_url("editorial_issue_changelist"), EVERYONE_STAFF),
        "issue add": (admin_url("editorial_issue_add"), EVERYONE_STAFF),
        "draft issue": (admin_url("editorial_issue_change", draft.pk), EVERYONE_STAFF),
        "published issue (read-only for editors)": (admin_url("editorial_issue_change", published.pk), EVERYONE_STAFF),
        "issue history": (admin_url("editorial_issue_history", draft.pk), EVERYONE_STAFF),
        "issue 校对 report": (admin_url("editorial_issue_proofreading", draft.pk), EVERYONE_STAFF),
        "issue bin": (admin_url("editorial_issue_bin"), EVERYONE_STAFF),
        "sign-off sheet": (admin_url("editorial_issue_signoff_sheet", draft.pk), EVERYONE_STAFF),
        "issue delete page": (admin_url("editorial_issue_delete", draft.pk), REVIEWERS),
        "legacy import": (admin_url("editorial_issue_import_legacy"), ADMINISTRATORS),
        "article list": (admin_url("editorial_article_changelist"), EVERYONE_STAFF),
        "article add": (admin_url("editorial_article_add"), EVERYONE_STAFF),
        "draft article": (admin_url("editorial_article_change", article.pk), EVERYONE_STAFF),
        "published article (read-only for editors)": (
            admin_url("editorial_article_change", published_article.pk),
            EVERYONE_STAFF,
        ),
        "article history": (admin_url("editorial_article_history", article.pk), EVERYONE_STAFF),
        "article compare": (
            admin_url("editorial_article_history_compare", article.pk) + f"?old={first_version}&new={first_version}",
            EVERYONE_STAFF,
        ),
        "restore a draft article": (
            admin_url("editorial_article_history_restore", article.pk, first_version),
            EVERYONE_STAFF,
        ),
        "restore a published article": (
            admin_url("editorial_article_history_restore", published_article.pk, published_version),
            REVIEWERS,
        ),
        "move a draft article": (admin_url("editorial_article_move", article.pk), EVERYONE_STAFF),
        "move a published article": (admin_url("editorial_article_move", published_article.pk), REVIEWERS),
        "article bin": (admin_url("editorial_article_bin"), EVERYONE_STAFF),
        "region suggestions": (admin_url("editorial_article_suggest_regions") + "?title=上海", EVERYONE_STAFF),
        "article import": (admin_url("editorial_article_import"), ADMINISTRATORS),
        "article export": (admin_url("editorial_article_export"), ADMINISTRATORS),
        "section list": (admin_url("editorial_section_changelist"), EVERYONE_STAFF),
        "section add": (admin_url("editorial_section_add"), ADMINISTRATORS),
        "section page": (admin_url("editorial_section_change", Section.objects.first().pk), EVERYONE_STAFF),
        "section import": (admin_url("editorial_section_import"), ADMINISTRATORS),
        "section export": (admin_url("editorial_section_export"), ADMINISTRATORS),
        "region list": (admin_url("editorial_sourceregion_changelist"), EVERYONE_STAFF),
        "region add": (admin_url("editorial_sourceregion_add"), ADMINISTRATORS),
        "region import": (admin_url("editorial_sourceregion_import"), ADMINISTRATORS),
        "region export": (admin_url("editorial_sourceregion_export"), ADMINISTRATORS),
        "masthead list": (admin_url("editorial_publication_changelist"), EVERYONE_STAFF),
        "masthead add": (admin_url("editorial_publication_add"), ADMINISTRATORS),
        "user list": (admin_url("auth_user_changelist"), ADMINISTRATORS),
        "user add": (admin_url("auth_user_add"), ADMINISTRATORS),
        "group list": (admin_url("auth_group_changelist"), ADMINISTRATORS),
        "login lockouts": (admin_url("axes_accessattempt_changelist"), ADMINISTRATORS),
        "login log": (admin_url("axes_accesslog_changelist"), ADMINISTRATORS),
        "recipient list": (admin_url("editorial_recipient_changelist"), ADMINISTRATORS),
        "recipient add": (admin_url("editorial_recipient_add"), ADMINISTRATORS),
        "recipient import": (admin_url("editorial_recipient_import"), ADMINISTRATORS),
        "recipient export": (admin_url("editorial_recipient_export"), ADMINISTRATORS),
        "masthead from the recipient lists": (admin_url("editorial_recipient_masthead"), ADMINISTRATORS),
        "sent mail list": (admin_url("editorial_outboxmessage_changelist"), REVIEWERS),
        "delivery log of an issue": (admin_url("editorial_outboxmessage_issue", published.pk), REVIEWERS),
        "my notifications": (admin_url("editorial_notification_changelist"), EVERYONE_STAFF),
        "draft preview": (draft.get_absolute_url(), PREVIEW),
        "draft print preview": (reverse("editorial:issue-print", args=[draft.number]), PREVIEW),
        "draft article preview": (article.get_absolute_url(), PREVIEW),
        "home": (reverse("editorial:home"), PUBLIC),
        "published issue page": (published.get_absolute_url(), PUBLIC),
        "published article page": (published_article.get_absolute_url(), PUBLIC),
        "search": (reverse("editorial:search") + "?q=稿件", PUBLIC),
        "feed": (reverse("editorial:feed"), PUBLIC),
    }
    return table


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says_and_changes_nothing(content, role):
    client = client_for(role)
    table = pages(content)
    before = database_state()
    wrong = {}
    for name, (url, expected) in table.items():
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong[name] = (response.status_code, expected[role])
        if role == "anonymous" and expected[role] == 302:
            assert response["Location"].startswith(reverse("admin:login") + "?next="), name
    assert wrong == {}
    assert database_state() == before


# --- actions -------------------------------------------------------------------------------------------


def issue_in(status: str, number: int) -> Issue:
    issue = make_issue(number=number, status=status)
    make_article(issue=issue)
    return issue


def transition(name: str, status: str):
    def prepare():
        issue = issue_in(status, 400)
        data = {f"{name}-comment": "矩阵测试"}
        if name == "schedule":
            data[f"{name}-scheduled_at"] = (timezone.localtime() + datetime.timedelta(days=2)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        return (
            admin_url("editorial_issue_transition", issue.pk, name),
            data,
            lambda: Issue.objects.values_list("status", "scheduled_at").get(pk=issue.pk),
        )

    return prepare


def new_next_issue():
    return admin_url("editorial_issue_next"), {}, lambda: Issue.objects.count()


def delete_draft_issue():
    issue = issue_in(Status.DRAFT, 401)
    return (
        admin_url("editorial_issue_delete", issue.pk),
        {"post": "yes"},
        lambda: Issue.objects.filter(pk=issue.pk).exists(),
    )


def correct_published_article():
    issue = make_published_issue(number=402)
    article = make_article(issue=issue)
    data = {
        "title": "更正后的标题",
        "body": article.body,
        "section": article.section_id,
        "issue": issue.pk,
        "source": "",
        "page": "",
        "opened_version": article.version,
        "correction_note": "更正标题",
    }
    return admin_url("editorial_article_change", article.pk), data, lambda: Article.objects.get(pk=article.pk).title


def edit_draft_article():
    issue = issue_in(Status.DRAFT, 403)
    article = issue.articles.get()
    data = {
        "title": "改过的标题",
        "body": article.body,
        "section": article.section_id,
        "issue": issue.pk,
        "source": "",
        "page": "",
        "opened_version": article.version,
    }
    return admin_url("editorial_article_change", article.pk), data, lambda: Article.objects.get(pk=article.pk).title


def add_section():
    data = {"name": "矩阵栏目", "slug": "matrix", "position": 77, "is_standing": ""}
    return admin_url("editorial_section_add"), data, lambda: Section.objects.filter(slug="matrix").exists()


def import_sections():
    sheet = io.BytesIO("栏目名称,网址名,默认顺序,常设栏目\n矩阵栏目,matrix,77,否\n".encode())
    sheet.name = "sections.csv"
    data = {"resource": "0", "format": "0", "import_file": sheet}
    return admin_url("editorial_section_import"), data, lambda: None


def preview_legacy_import():
    upload = io.BytesIO("不是旧版期刊".encode())
    upload.name = "x.txt"
    return admin_url("editorial_issue_import_legacy"), {"files": [upload], "status": "draft"}, lambda: None


def add_user():
    data = {
        "username": "newcomer",
        "password1": "a-long-pass-9721",
        "password2": "a-long-pass-9721",
        "usable_password": "true",
    }
    return admin_url("auth_user_add"), data, lambda: get_user_model().objects.filter(username="newcomer").exists()


def dismiss_finding(status: str, number: int):
    def prepare():
        issue = make_issue(number=number, status=status)
        article = make_article(issue=issue, body="上海,江苏。")
        data = {"rule": "punctuation.half-width", "key": "上海,江苏。"}
        url = admin_url("editorial_article_proofread_dismissal", article.pk)
        return url, data, lambda: ProofreadingDismissal.objects.filter(article=article).count()

    return prepare


def failed_mail():
    issue = make_published_issue(number=404)
    message = OutboxMessage.objects.create(
        issue=issue,
        kind=OutboxMessage.Kind.ISSUE,
        address="someone@example.gov.cn",
        subject="《长三角每周要讯》2020年第404期",
        state=OutboxMessage.State.FAILED,
        attempts=8,
        next_attempt_at=timezone.now(),
        message_id="<matrix@example.gov.cn>",
    )
    return message


def resend_failed_mails():
    message = failed_mail()
    return (
        admin_url("editorial_outboxmessage_resend_failed", message.issue_id),
        {},
        lambda: OutboxMessage.objects.get(pk=message.pk).state,
    )


def resend_one_mail():
    message = failed_mail()
    return (
        admin_url("editorial_outboxmessage_resend", message.pk),
        {},
        lambda: OutboxMessage.objects.get(pk=message.pk).state,
    )


def send_a_test_mail():
    issue = issue_in(Status.APPROVED, 405)
    get_user_model().objects.filter(username__endswith="-matrix").update(email="me@example.gov.cn")
    return admin_url("editorial_outboxmessage_test", issue.pk), {}, lambda: OutboxMessage.objects.count()


def add_recipient():
    data = {
        "group": "report",
        "unit": "矩阵单位",
        "name": "",
        "email": "matrix@example.gov.cn",
        "active": "on",
        "position": 1,
    }
    return admin_url("editorial_recipient_add"), data, lambda: Recipient.objects.filter(unit="矩阵单位").exists()


def masthead_from_lists():
    Recipient.objects.create(group="report", unit="矩阵单位", email="matrix@example.gov.cn")
    return admin_url("editorial_recipient_masthead"), {}, lambda: Publication.objects.current().report_to


ALL_STAFF = {"editor", "reviewer", "administrator"}
CHIEFS = {"reviewer", "administrator"}
ACTIONS = {
    "新建下一期": (new_next_issue, ALL_STAFF),
    "提交审核": (transition("submit", Status.DRAFT), ALL_STAFF),
    "签发": (transition("approve", Status.IN_REVIEW), CHIEFS),
    "退回修改": (transition("return_to_draft", Status.IN_REVIEW), CHIEFS),
    "立即发布": (transition("publish", Status.APPROVED), CHIEFS),
    "定时发布": (transition("schedule", Status.APPROVED), CHIEFS),
    "撤回": (transition("withdraw", Status.PUBLISHED), CHIEFS),
    "删除草稿期刊": (delete_draft_issue, CHIEFS),
    "修改草稿稿件": (edit_draft_article, ALL_STAFF),
    "更正已发布稿件": (correct_published_article, CHIEFS),
    "新建栏目": (add_section, {"administrator"}),
    "导入栏目表格（预览）": (import_sections, {"administrator"}),
    "导入旧版文本（预览）": (preview_legacy_import, {"administrator"}),
    "新建用户": (add_user, {"administrator"}),
    "忽略草稿稿件的校对提示": (dismiss_finding(Status.DRAFT, 404), ALL_STAFF),
    "忽略已发布稿件的校对提示": (dismiss_finding(Status.PUBLISHED, 405), CHIEFS),
    "重发失败的报送邮件": (resend_failed_mails, CHIEFS),
    "重发一封邮件": (resend_one_mail, CHIEFS),
    "发测试邮件给我": (send_a_test_mail, CHIEFS),
    "新增收件人": (add_recipient, {"administrator"}),
    "按名单生成报尾": (masthead_from_lists, {"administrator"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_works_for_the_roles_allowed_it_and_is_refused_to_the_others_changing_nothing(role, action):
    prepare, allowed = ACTIONS[action]
    client = client_for(role)
    url, data, observe = prepare()
    seen_before, before = observe(), database_state()
    response = client.post(url, data)
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("admin:login"))
        if seen_before is not None:
            assert observe() != seen_before
    else:
        expected = 302 if role == "anonymous" else 403
        assert response.status_code == expected
        if role == "anonymous":
            assert response["Location"].startswith(reverse("admin:login"))
        assert database_state() == before
