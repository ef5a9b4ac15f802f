"""An administrator imports the real sample in Chromium: issue list → 导入旧版文本 → preview → confirm → the issue."""

import pytest
from playwright.sync_api import expect

from editorial.models import Issue
from tests.e2e.admin import log_in
from tests.factories import make_user
from tests.samples import legacy_sample_path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_administrator_previews_and_imports_the_sample_in_the_browser(page, tmp_path):
    make_user("chief-admin", role="管理员")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02")
    log_in(page, "chief-admin")
    page.goto("/admin/editorial/issue/")
    page.click("text=导入旧版文本")
    page.set_input_files("input[type=file]", [str(legacy_sample_path()), str(broken)])
    page.click("input[value=上传并预览]")

    # The preview is a new page: wait for it (on a busy machine the click returns before it has loaded).
    expect(page.locator(".legacy-file")).to_have_count(2)
    sample = page.locator(".legacy-file").first
    assert "2020年第193期" in sample.locator("h2").inner_text()
    assert sample.locator("tbody tr:not(.legacy-section)").count() == 22
    assert "浦东新区（上海）" in sample.inner_text()
    assert "空字符" in page.locator(".legacy-file").nth(1).inner_text()
    assert not Issue.objects.exists()

    page.click("input[value^=确认导入]")
    page.click("text=2020年第193期")
    assert Issue.objects.get(number=193).articles.count() == 22
    assert "2020年第193期" in page.locator("#content").inner_text()
