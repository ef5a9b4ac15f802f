"""Drafts never leak: for every public URL, an issue that is a draft, in review, signed off, scheduled or withdrawn
— and an article still in the pool — shows nowhere, not even in the search form's choice lists.

Each hidden issue has things only it uses: a year (2031), a one-off section and a district, so a
choice list or an archive built from anything but `published()` would give it away.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial import renditions
from editorial.models import Issue, Section, SourceRegion
from tests.factories import make_article, make_issue, make_published_issue, make_user, region

HIDDEN = ["draft", "in_review", "approved", "scheduled", "withdrawn"]
# What only hidden content carries; none of it may appear in any public response.
SECRETS = ["秘密稿件", "秘密正文", "秘密栏目", "秘密区", "库存稿件", "2031", "/issues/501"]


@pytest.fixture(params=HIDDEN)
def world(request, db):
    published = make_published_issue(number=500, date=datetime.date(2020, 10, 30))
    make_article(issue=published, title="公开稿件", body="公开正文。", regions=["shanghai"])
    secret_section = Section.objects.create(name="秘密栏目", slug="secret-section", position=90, is_standing=False)
    secret_region = SourceRegion.objects.create(
        name="秘密区", slug="secret-district", kind=SourceRegion.Kind.DISTRICT, parent=region("shanghai"), position=9999
    )
    status = {"scheduled": Issue.Status.APPROVED}.get(request.param, request.param)
    hidden = make_issue(number=501, date=datetime.date(2031, 5, 2), status=status)
    if request.param == "scheduled":
        Issue.objects.filter(pk=hidden.pk).update(scheduled_at=timezone.now() + datetime.timedelta(days=3))
    hidden_article = make_article(
        issue=hidden, section=secret_section, title="秘密稿件", body="秘密正文XJ。", regions=[secret_region]
    )
    pooled = make_article(title="库存稿件", body="库存正文XJ。", regions=[secret_region])
    return {"hidden": hidden, "hidden_article": hidden_article, "pooled": pooled}


@pytest.fixture
def viewers(world) -> dict[str, Client]:
    """Everyone who is not staff allowed to preview: anonymous, a signed-in reader, staff without the view right."""
    reader = make_user("reader")
    clerk = make_user("clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_section", "view_sourceregion"]))
    clients = {"anonymous": Client()}
    for name, user in (("reader", reader), ("staff-without-view-right", clerk)):
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


def assert_hidden(viewers, url: str, *, status: int | tuple[int, ...] = 200, echoed: str = ""):
    """Every viewer gets `status` for `url` and never sees anything hidden content carries (but what the URL asks)."""
    statuses = status if isinstance(status, tuple) else (status,)
    for name, client in viewers.items():
        response = client.get(url)
        assert response.status_code in statuses, (name, url, response.status_code)
        text = b"".join(response).decode() if response.streaming else response.text
        for secret in SECRETS:
            if secret == echoed:
                continue
            assert secret not in text, (name, url, secret)


def fresh_get(url: str, params=None):
    """An anonymous GET rendered anew (not from the page cache), so its context can be inspected."""
    cache.clear()
    return Client().get(url, params)


@pytest.fixture
def no_rendering(monkeypatch):
    calls = []
    monkeypatch.setattr(renditions, "render", lambda **kwargs: calls.append(kwargs) or b"%PDF")
    return calls


def test_home(viewers, world):
    assert_hidden(viewers, reverse("editorial:home"))


def test_archive_and_its_year_filter(viewers, world):
    assert_hidden(viewers, reverse("editorial:issue-list"))
    assert_hidden(viewers, reverse("editorial:issue-list") + "?year=2031", echoed="2031")
    assert list(fresh_get(reverse("editorial:issue-list") + "?year=2031").context["issues"]) == []


def test_issue_page(viewers, world):
    assert_hidden(viewers, world["hidden"].get_absolute_url(), status=404)


def test_print_view(viewers, world):
    assert_hidden(viewers, reverse("editorial:issue-print", args=[501]), status=404)


@pytest.mark.parametrize("name", ["editorial:issue-pdf", "editorial:issue-docx"])
def test_pdf_and_word_file(viewers, world, no_rendering, name):
    assert_hidden(viewers, reverse(name, args=[501]), status=404)
    assert no_rendering == []


def test_article_pages_of_the_hidden_issue_and_the_pool(viewers, world):
    assert_hidden(viewers, world["hidden_article"].get_absolute_url(), status=404)
    assert_hidden(viewers, world["pooled"].get_absolute_url(), status=404)


def test_search_results(viewers, world):
    for query in ("XJ", "正文XJ", "秘密"):
        response = fresh_get(reverse("editorial:search"), {"q": query})
        assert response.status_code == 200
        assert response.context["paginator"].count == 0, query
        assert "秘密稿件" not in response.text and "库存稿件" not in response.text
    assert_hidden(viewers, reverse("editorial:search") + "?q=公开")


def test_search_filter_choice_lists(viewers, world):
    response = fresh_get(reverse("editorial:search"))
    form = response.context["form"]
    regions = [label for _, options in form.fields["region"].choices[1:] for _, label in options]
    assert regions == ["上海（含下辖地区）"]
    assert [label for _, label in form.fields["section"].choices] == ["全部栏目", "科创聚焦"]
    assert [label for _, label in form.fields["year"].choices] == ["全部年份", "2020年"]
    assert_hidden(viewers, reverse("editorial:search"))


@pytest.mark.parametrize("params", ["?section=secret-section", "?region=secret-district", "?year=2031"])
def test_search_filtered_by_what_only_hidden_content_uses(viewers, world, params):
    assert_hidden(viewers, reverse("editorial:search") + params, echoed=params.rsplit("=")[-1])
    assert not fresh_get(reverse("editorial:search") + params).context.get("articles")


def test_region_pages(viewers, world):
    # A region only hidden content names has no page at all: its name is not given away by a 200.
    assert_hidden(viewers, reverse("editorial:region-detail", args=["secret-district"]), status=404)
    assert_hidden(viewers, reverse("editorial:region-detail", args=["shanghai"]))


def test_section_pages(viewers, world):
    assert_hidden(viewers, reverse("editorial:section-detail", args=["secret-section"]), status=404)
    assert_hidden(viewers, reverse("editorial:section-detail", args=["sci-tech"]))


def test_a_region_and_a_section_nothing_names_have_no_page_either(viewers, world):
    Section.objects.create(name="空栏目", slug="empty-section", position=91, is_standing=False)
    assert_hidden(viewers, reverse("editorial:section-detail", args=["empty-section"]), status=404)
    assert_hidden(viewers, reverse("editorial:section-detail", args=["economy"]), status=404)
    assert_hidden(viewers, reverse("editorial:region-detail", args=["anhui"]), status=404)
    assert_hidden(viewers, reverse("editorial:region-detail", args=["pudong"]), status=404)


def test_the_home_pages_region_and_section_lists_show_only_what_published_issues_use(viewers, world):
    context = fresh_get(reverse("editorial:home")).context
    assert [region.slug for region in context["delta_provinces"]] == ["shanghai"]
    assert [section.slug for section in context["sections"]] == ["sci-tech"]


def test_feed(viewers, world):
    assert_hidden(viewers, reverse("editorial:feed"))


def test_sitemap(viewers, world):
    assert_hidden(viewers, reverse("editorial:sitemap"))
    text = Client().get(reverse("editorial:sitemap")).text
    assert "secret-section" not in text and "secret-district" not in text
    assert world["hidden_article"].get_absolute_url() not in text and world["pooled"].get_absolute_url() not in text


def test_neighbour_links_of_the_published_issue(viewers, world):
    assert_hidden(viewers, reverse("editorial:issue-detail", args=[500]))


def test_the_readers_fast_lane_after_a_cached_visit(viewers, world):
    client = Client()
    assert client.get(reverse("editorial:issue-detail", args=[500])).status_code == 200
    assert client.get(world["hidden"].get_absolute_url()).status_code == 404
    assert_hidden(viewers, world["hidden"].get_absolute_url(), status=404)
