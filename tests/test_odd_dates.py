"""Every date-like parameter, on the public pages and on every admin list, gives a clean answer — never a 500.

Python's dates hold the years 1 to 9999; a year outside them (0, 10000, twenty digits) used to reach the
database layer, which fails only when it builds the SQL.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from editorial.filters import parse_year
from tests.factories import make_article, make_published_issue, make_user

pytestmark = pytest.mark.django_db

ODD_YEARS = ["0", "0000", "00000", "10000", "99999", "-1", "+2020", "99999999999999999999", "２０２０", "2020.0", " "]
ODD_DATES = [
    "0000-01-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2020-02-30",
    "2020-13-01",
    "-2020-01-01",
    "2020/01/01",
    "2020年1月1日",
    "99999999999999999999-01-01",
]


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2020", 2020),
        (" 2020 ", 2020),
        ("0001", 1),
        ("9999", 9999),
        ("0000", None),
        ("10000", None),
        ("20", None),
        ("２０２０", None),
        ("-202", None),
        ("", None),
        ("二〇二〇", None),
    ],
)
def test_a_year_parameter_is_four_ascii_digits_from_0001_to_9999(value, year):
    assert parse_year(value) == year


@pytest.fixture
def archive():
    issue = make_published_issue(number=193, date=datetime.date(2020, 10, 30))
    make_article(issue=issue, title="长三角稿件")
    return issue


@pytest.mark.parametrize("value", ODD_YEARS)
def test_the_archive_takes_any_year_and_says_when_it_is_not_one(client, archive, value):
    response = client.get(reverse("editorial:issue-list"), {"year": value})
    assert response.status_code == 200
    if value.strip():
        assert "不是有效的年份" in response.text
        assert "第193期" in response.text


@pytest.mark.parametrize("value", ["0000", "0001", "9999"])
def test_a_year_without_issues_is_an_empty_year_or_a_message_never_a_server_error(client, archive, value):
    response = client.get(reverse("editorial:issue-list"), {"year": value})
    assert response.status_code == 200
    assert ("不是有效的年份" in response.text) == (value == "0000")


@pytest.mark.parametrize("value", ODD_YEARS + ODD_DATES)
@pytest.mark.parametrize("parameter", ["year", "date_from", "date_to"])
def test_the_search_takes_any_year_or_date_with_a_message(client, archive, parameter, value):
    response = client.get(reverse("editorial:search"), {parameter: value})
    assert response.status_code == 200, (parameter, value)


def test_the_search_takes_the_widest_dates_a_date_can_hold(client, archive):
    response = client.get(reverse("editorial:search"), {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1


@pytest.fixture
def desk(client):
    client.force_login(make_user("desk-admin", role="管理员"))
    return client


# The admin lists take any lookup on their own fields from the query string: a few of each kind.
ADMIN_ODD_YEARS = ["0", "10000", "99999999999999999999", "-1"]
ADMIN_ODD_DATES = ["0000-01-01", "10000-01-01", "2020-02-30", "0001-01-01 00:00:00", "9999-12-31 23:59:59"]


def admin_lists_and_parameters():
    """(list URL name, parameter) for the date-like parameters each admin list can be given."""
    cases = [("admin:editorial_issue_changelist", "year"), ("admin:editorial_article_changelist", "year")]
    for field in ("date", "published_at", "updated_at"):
        for lookup in ("year", "year__gte", "iso_year", "gte", "lte", "range", "in"):
            cases.append(("admin:editorial_issue_changelist", f"{field}__{lookup}"))
    cases.append(("admin:editorial_issue_changelist", "published_at__date"))
    cases += [("admin:editorial_article_changelist", f"{field}__year") for field in ("created_at", "updated_at")]
    cases += [("admin:auth_user_changelist", f"{field}__year") for field in ("date_joined", "last_login")]
    cases += [("admin:axes_accessattempt_changelist", f"attempt_time__{lookup}") for lookup in ("year", "iso_year")]
    return cases


@pytest.mark.parametrize(("url_name", "parameter"), admin_lists_and_parameters())
def test_every_admin_list_answers_an_odd_year_or_date_with_the_whole_list_and_a_message(
    desk, archive, url_name, parameter
):
    url = reverse(url_name)
    values = ADMIN_ODD_YEARS if "year" in parameter else ADMIN_ODD_DATES
    refused = []
    for value in values:
        response = desk.get(url, {parameter: value})
        assert response.status_code in (200, 302), (parameter, value, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == url + "?e=1", (parameter, value)
            refused.append(value)
    assert refused, parameter
    page = desk.get(url + "?e=1")
    assert page.status_code == 200 and "筛选条件无效" in page.text


@pytest.mark.parametrize("value", ["0", "0000", "10000", "99999999999999999999"])
def test_the_admin_year_filters_refuse_years_a_date_cannot_hold(desk, archive, value):
    for url_name in ("admin:editorial_issue_changelist", "admin:editorial_article_changelist"):
        response = desk.get(reverse(url_name), {"year": value})
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), (url_name, value)


def test_the_admin_year_filters_still_filter_by_a_real_year(desk, archive):
    make_published_issue(number=194, date=datetime.date(2021, 1, 8))
    response = desk.get(reverse("admin:editorial_issue_changelist"), {"year": "2020"})
    assert [issue.number for issue in response.context["cl"].result_list] == [193]


@pytest.mark.parametrize("lookup", ["title__regex", "title__iregex", "number__regex"])
def test_admin_lists_refuse_regular_expression_filters(desk, archive, lookup):
    url_name = (
        "admin:editorial_article_changelist" if lookup.startswith("title") else "admin:editorial_issue_changelist"
    )
    assert desk.get(reverse(url_name), {lookup: "["}).status_code == 400


def test_a_superuser_gets_the_same_clean_answers(client, archive):
    client.force_login(get_user_model().objects.create_superuser("root", password="x-pass-for-tests-9"))
    response = client.get(reverse("admin:editorial_issue_changelist"), {"date__year": "0"})
    assert response.status_code == 302
