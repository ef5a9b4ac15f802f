"""In Chromium: hostile titles, bodies, region names and search queries run no script on the public pages or in
the admin, and the Content Security Policy blocks nothing the site itself needs (no violation on any page)."""

import datetime
import urllib.parse

import pytest
from django.utils import timezone

from editorial.models import OutboxMessage, Recipient, Section, SourceRegion
from tests.e2e.admin import log_in
from tests.factories import make_article, make_issue, make_published_issue, make_user, region

PAYLOADS = (
    "<script>window.__xss='script'</script>",
    '"><img src=x onerror="window.__xss=\'img\'">',
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "javascript:window.__xss='url'",
    "\u202e\u200b<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\">",
)
HOSTILE = "".join(PAYLOADS)
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI + ' ' + (event.sample || ''));
});
"""


@pytest.fixture
def watched(page):
    """The page, recording alerts and CSP violations; asserting after each visit that nothing ran or was blocked."""
    dialogs = []

    def on_dialog(dialog):
        if dialog.type == "beforeunload":  # the article form's own "leave with unsaved changes?" question
            dialog.accept()
        else:
            dialogs.append(dialog.message)
            dialog.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(WATCH)

    def visit(url: str, *, then=None):
        page.goto(url)
        page.wait_for_load_state("load")
        if then is not None:
            then(page)
        page.wait_for_timeout(150)
        assert page.evaluate("window.__xss") is None, url
        assert dialogs == [], url
        assert page.evaluate("window.__violations") == [], url

    return visit


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_injected_script_runs_on_public_pages_or_in_the_admin_and_nothing_of_ours_is_blocked(page, watched):
    section = Section.objects.create(name="栏目<script>x</script>", slug="hostile", position=80, is_standing=False)
    place = SourceRegion.objects.create(
        name="<img src=x onerror=alert(1)>", slug="hostile-place", kind="district", parent=region("shanghai")
    )
    issue = make_published_issue(number=700, date=datetime.date(2020, 10, 30))
    article = make_article(
        issue=issue, section=section, title="恶意" + PAYLOADS[0], body="\n\n".join(PAYLOADS), regions=[place]
    )
    draft = make_issue(number=701)
    drafted = make_article(issue=draft, title="草稿" + PAYLOADS[1], body=HOSTILE, source=PAYLOADS[3])
    make_user("chief", role="管理员")
    # A hostile recipient's unit and name are shown in the lists, the masthead preview and the delivery log.
    recipient = Recipient.objects.create(group="report", unit=PAYLOADS[0], name=PAYLOADS[1], email="r@example.gov.cn")
    OutboxMessage.objects.create(
        recipient=recipient,
        address=recipient.email,
        name=recipient.display_name,
        issue=issue,
        kind=OutboxMessage.Kind.ISSUE,
        subject="《长三角每周要讯》2020年第700期",
        state=OutboxMessage.State.FAILED,
        last_reply=PAYLOADS[2],
        next_attempt_at=timezone.now(),
        message_id="<hostile@example.gov.cn>",
    )

    for url in (
        "/",
        "/issues/",
        issue.get_absolute_url(),
        f"/issues/{issue.number}/print/",
        article.get_absolute_url(),
        "/regions/hostile-place/",
        "/regions/shanghai/",
        "/sections/hostile/",
        "/search/?" + urllib.parse.urlencode({"q": "恶意"}),
        "/search/?" + urllib.parse.urlencode({"q": PAYLOADS[0]}),
        "/search/?" + urllib.parse.urlencode({"q": PAYLOADS[1], "region": PAYLOADS[2], "year": PAYLOADS[3]}),
        "/issues/?" + urllib.parse.urlencode({"year": PAYLOADS[1]}),
    ):
        watched(url)

    log_in(page, "chief")
    for url in (
        "/admin/",
        "/admin/editorial/article/",
        "/admin/editorial/article/?" + urllib.parse.urlencode({"q": PAYLOADS[0]}),
        "/admin/editorial/issue/",
        f"/admin/editorial/issue/{issue.pk}/change/",
        f"/admin/editorial/issue/{draft.pk}/change/",
        f"/admin/editorial/issue/{draft.pk}/history/",
        f"/admin/editorial/issue/{draft.pk}/proofreading/",
        f"/admin/editorial/article/{drafted.pk}/history/",
        f"/admin/editorial/article/{drafted.pk}/move/",
        "/admin/editorial/issue/add/",
        "/admin/editorial/issue/import-legacy/",
        "/admin/editorial/sourceregion/",
        "/admin/editorial/section/import/",
        "/admin/editorial/article/import/",
        "/admin/axes/accessattempt/",
        "/admin/editorial/recipient/",
        "/admin/editorial/recipient/masthead/",
        f"/admin/editorial/outboxmessage/issue/{issue.pk}/",
        "/admin/editorial/notification/",
        "/admin/auth/user/add/",
        f"{draft.get_absolute_url()}",
    ):
        watched(url)

    # The article form: the region autocomplete (select2) renders the hostile region name as text.
    def choose_region(page):
        page.locator(".field-regions .select2-selection").first.click()
        page.keyboard.type("img")
        page.wait_for_selector(".select2-results__option")

    watched(f"/admin/editorial/article/{drafted.pk}/change/", then=choose_region)

    # The 校对 panel lists passages of the hostile headline (its straight quotes are findings) as text.
    def proofread(page):
        page.wait_for_selector("[data-list] .digest-finding")
        assert '"><img src=x' in page.locator("[data-list]").inner_text()

    watched(f"/admin/editorial/article/{drafted.pk}/change/", then=proofread)

    # The export page's 全选 box: its one inline handler is allowed by hash and works.
    def toggle_all(page):
        boxes = page.locator(".selectable-field-export-row input[type=checkbox]")
        page.locator("input.select-toggle").uncheck()
        assert all(not box.is_checked() for box in boxes.all())
        page.locator("input.select-toggle").check()
        assert all(box.is_checked() for box in boxes.all())

    watched("/admin/editorial/article/export/", then=toggle_all)
