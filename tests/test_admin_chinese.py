"""The admin speaks Chinese everywhere an editor or administrator looks or listens: no English word in the text
of any admin page, nor in what screen readers read aloud (hidden headers, titles, labels, alt texts), and the
lists count, filter and label in the office's words."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from lxml import html

from editorial import services, workflow
from editorial.models import Article, Issue, Section, SourceRegion
from tests.factories import make_article, make_issue, make_published_issue, make_user

# Names of things, not words of the interface: file formats and extensions, keys on the keyboard, encodings.
ALLOWED = {"PDF", "Word", "Excel", "WPS", "CSV", "XLSX", "JSON", "MB", "UTF", "GBK", "GB", "Control", "Command", "Mac"}
ALLOWED |= {"csv", "xlsx", "json", "docx", "txt"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
SPOKEN = (
    "//@title|//@aria-label|//@placeholder|//@alt|//title/text()"
    "|//input[@type='submit' or @type='button']/@value|//button/text()"
)


def english_words(page: str, *, data_words: set[str]) -> set[str]:
    tree = html.fromstring(page)
    # A password's stored hash (algorithm, salt) is shown as it is: data, not interface.
    for node in tree.xpath("//script|//style|//svg|//div[@id='id_password']//bdi"):
        node.drop_tree()
    texts = tree.xpath("//body//text()") + tree.xpath(SPOKEN)
    return {word for text in texts for word in WORD.findall(text)} - ALLOWED - data_words


@pytest.fixture
def newsroom(db):
    """A week's worth of content whose own text is all Chinese, so any English on a page is the interface's."""
    editor = make_user("小王", role="编辑", first_name="小王")
    reviewer = make_user("李老师", role="审核")
    administrator = make_user("管理员甲", role="管理员")
    draft = make_issue(number=301)
    article = make_article(issue=draft, title="上海技术交易所开市", regions=["pudong"])
    make_article(title="稿件库里的一篇")
    submitted = make_issue(number=302)
    make_article(issue=submitted, title="江苏发布数据条例")
    workflow.submit(issue=submitted, user=editor, comment="请审阅")
    workflow.return_to_draft(issue=submitted, user=reviewer, comment="标题再具体些")
    published = make_published_issue(number=300)
    make_article(issue=published, title="已发布的稿件")
    article.title = "上海技术交易所正式开市"
    services.article_save(article=article, user=editor, expected_version=article.version)
    return {"editor": editor, "administrator": administrator, "issue": draft, "article": article}


def admin_pages(newsroom) -> list[str]:
    issue, article = newsroom["issue"], newsroom["article"]
    first, latest = article.history.order_by("history_id").values_list("history_id", flat=True)[:2]
    section = Section.objects.first()
    return [
        reverse("admin:index"),
        reverse("admin:app_list", args=["editorial"]),
        reverse("admin:editorial_issue_changelist"),
        reverse("admin:editorial_issue_changelist") + "?status=draft",
        reverse("admin:editorial_issue_add"),
        reverse("admin:editorial_issue_change", args=[issue.pk]),
        reverse("admin:editorial_issue_history", args=[issue.pk]),
        reverse("admin:editorial_issue_delete", args=[issue.pk]),
        reverse("admin:editorial_issue_bin"),
        reverse("admin:editorial_issue_import_legacy"),
        reverse("admin:editorial_article_changelist"),
        reverse("admin:editorial_article_changelist") + "?q=上海",
        reverse("admin:editorial_article_add"),
        reverse("admin:editorial_article_change", args=[article.pk]),
        reverse("admin:editorial_article_history", args=[article.pk]),
        reverse("admin:editorial_article_history_compare", args=[article.pk]) + f"?old={first}&new={latest}",
        reverse("admin:editorial_article_history_restore", args=[article.pk, first]),
        reverse("admin:editorial_article_move", args=[article.pk]),
        reverse("admin:editorial_article_delete", args=[article.pk]),
        reverse("admin:editorial_article_bin"),
        reverse("admin:editorial_article_upload_docx"),
        reverse("admin:editorial_article_import"),
        reverse("admin:editorial_article_export"),
        reverse("admin:editorial_section_changelist"),
        reverse("admin:editorial_section_change", args=[section.pk]),
        reverse("admin:editorial_section_export"),
        reverse("admin:editorial_sourceregion_changelist"),
        reverse("admin:editorial_sourceregion_change", args=[SourceRegion.objects.first().pk]),
        reverse("admin:editorial_publication_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[newsroom["editor"].pk]),
        reverse("admin:auth_user_password_change", args=[newsroom["editor"].pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_change", args=[Group.objects.get(name="编辑").pk]),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:password_change"),
        reverse("admin:editorial_issue_signoff_sheet", args=[issue.pk]),
        "/admin/editorial/no-such-page/",
    ]


def data_words() -> set[str]:
    """Words that are the record's own values (web addresses' names of sections and regions)."""
    slugs = list(Section.objects.values_list("slug", flat=True)) + list(
        SourceRegion.objects.values_list("slug", flat=True)
    )
    return {word for slug in slugs for word in WORD.findall(slug)}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "administrator"])
def test_no_admin_page_shows_or_speaks_an_english_word(client, newsroom, who):
    client.force_login(newsroom[who])
    allowed_data = data_words()
    found = {}
    for url in admin_pages(newsroom):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if words := english_words(response.content.decode(), data_words=allowed_data):
            found[url] = sorted(words)
    assert found == {}


def test_the_check_finds_english_where_there_is_some():
    page = '<html><body><p>中文</p><th class="visually-hidden">Model name</th><img alt="True"></body></html>'
    assert english_words(page, data_words=set()) == {"Model", "name", "True"}


@pytest.mark.django_db
def test_permissions_are_named_in_chinese_including_the_history_models(newsroom):
    names = list(Permission.objects.values_list("name", flat=True))
    assert not [name for name in names if name.startswith("Can ")]
    assert "可添加稿件" in names and "可查看稿件历史版本的来源地区" in names
    assert all(not WORD.search(str(permission)) for permission in Permission.objects.select_related("content_type"))


@pytest.mark.django_db
def test_lists_count_filter_and_title_in_the_offices_words(client, newsroom):
    no_section = make_article(title="没有栏目的稿件")
    Article.objects.filter(pk=no_section.pk).update(section=None)
    client.force_login(newsroom["editor"])
    issues = client.get(reverse("admin:editorial_issue_changelist")).text
    assert "<h1>期刊列表</h1>" in issues and "共 3 期" in issues and "按状态" in issues
    assert "选择 期刊 来修改" not in issues and "以 状态" not in issues
    articles = client.get(reverse("admin:editorial_article_changelist")).text
    assert "共 5 篇稿件" in articles and "（无栏目）" in articles
    assert not re.search(r">\s*-\s*\(\d+\)", articles)  # the bare “- (2)” choice


@pytest.mark.django_db
def test_a_restored_version_is_listed_as_a_restore(client, newsroom):
    article = newsroom["article"]
    first = article.history.order_by("history_id").first()
    client.force_login(newsroom["editor"])
    client.post(reverse("admin:editorial_article_history_restore", args=[article.pk, first.history_id]))
    latest = Article.objects.get(pk=article.pk).history.order_by("-history_id").first()
    assert latest.history_change_reason.startswith("恢复到版本 1")
    page = client.get(reverse("admin:editorial_article_history", args=[article.pk])).text
    row = page[page.index("<tbody>") :][:1500]
    assert "恢复" in row and "恢复到版本 1" in row


@pytest.mark.django_db
def test_issue_statuses_read_the_same_in_every_list(client, newsroom):
    returned = Issue.objects.get(number=302)
    client.force_login(newsroom["editor"])
    issues = client.get(reverse("admin:editorial_issue_changelist")).text
    assert issues.count("已退回") >= 1 and "标题再具体些" in issues
    assert returned.status == Issue.Status.DRAFT
