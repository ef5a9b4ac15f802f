import pytest

from tests.factories import make_published_issue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_home_page_shows_the_masthead_in_chromium(page):
    make_published_issue(number=193)
    page.goto("/")
    assert "长三角每周要讯" in page.title()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
