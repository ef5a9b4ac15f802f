"""axe-core (npm, node_modules/) run in headless Chromium on the public pages: no serious or critical violations."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_article, make_legacy_sample_issue, make_published_issue

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/",
    "issue": "/issues/193/",
    "article": None,  # the sample's first article, known once imported
    "search": "/search/?q=区块链&region=shanghai",
    "search with errors": "/search/?date_from=2020-12-01&date_to=2020-01-01",
    "search without hits": "/search/?q=区块链 火星&region=shanghai",
    "subscribe": "/subscribe/",
    "archive": "/issues/",
    "region": "/regions/shanghai/",
    "section": "/sections/economy/",
    "not found": "/issues/999/",
}


def serious_violations(page) -> list[str]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make setup` (npm ci installs it from package-lock.json).")
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the site's Content Security Policy.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_public_pages_have_no_serious_accessibility_violations(page, width):
    issue = make_legacy_sample_issue()
    older = make_published_issue(number=192)
    make_article(issue=older, title="往期稿件", regions=["pudong"])
    page.set_viewport_size({"width": width, "height": 900})
    urls = dict(PAGES, article=issue.articles.order_by("position").first().get_absolute_url())
    problems = {}
    for name, url in urls.items():
        page.goto(url)
        if found := serious_violations(page):
            problems[name] = found
    assert problems == {}


def test_the_check_does_report_a_serious_violation(browser):
    """Guards the test above: axe must see a page's problems, not silently pass."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="chart.png"><a href="/x"></a></body></html>')
    try:
        assert any(
            problem.startswith(("image-alt", "link-name", "html-has-lang")) for problem in serious_violations(page)
        )
    finally:
        context.close()
