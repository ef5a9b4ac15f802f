"""The admin page 导入旧版文本: administrators only; upload → preview → confirm; nothing written before confirm."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from editorial.admin import legacy_import
from editorial.models import Article, Issue, IssueTransition
from tests.factories import make_user
from tests.samples import legacy_sample_bytes

pytestmark = pytest.mark.django_db

URL = reverse("admin:editorial_issue_import_legacy")


def sample_file(name="2020-193.txt", data=None):
    return SimpleUploadedFile(name, legacy_sample_bytes() if data is None else data, content_type="text/plain")


def counts():
    return Issue.objects.count(), Article.objects.count(), IssueTransition.objects.count(), Article.history.count()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def preview(client, *files, **options):
    return client.post(URL, {"files": list(files), "status": "published", **options})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


@pytest.mark.parametrize("role", ["编辑", "审核"])
def test_editors_and_reviewers_may_not_open_or_post_the_import_page(client, role):
    client.force_login(make_user("someone", role=role))
    assert client.get(URL).status_code == 403
    assert preview(client, sample_file()).status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_an_administrator_sees_the_upload_form_in_chinese(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert (
        "导入旧版文本" in response.text
        and "上传并预览" in response.text
        and "确认之前不会写入任何内容" in response.text
    )


def test_the_issue_list_links_to_the_import_page_for_administrators_only(client, administrator):
    client.force_login(administrator)
    assert URL in client.get(reverse("admin:editorial_issue_changelist")).text
    client.force_login(make_user("editor-2", role="编辑"))
    assert URL not in client.get(reverse("admin:editorial_issue_changelist")).text


def test_the_preview_shows_masthead_toc_paragraphs_regions_and_warnings_and_writes_nothing(admin_client):
    broken = sample_file("broken.txt", bytes(range(256)))
    odd = sample_file(
        "odd.txt",
        legacy_sample_bytes().replace(
            "- 上海成立保险区块链创新中心 4".encode(), "- 上海成立保险区块链创新中心 2".encode()
        ),
    )
    response = preview(admin_client, sample_file(), broken, odd)
    assert response.status_code == 200
    assert counts() == (0, 0, 0, 0)
    text = response.text
    for expected in (
        "2020-193.txt · 2020年第193期",
        "将新建",
        "浙江省人民政府驻上海办事处",
        "2020年10月30日",
        "UTF-8",
        "22 篇，6 个栏目",
        "浦东新区出台全国首个政务领域“区块链建设标准”",
        "浦东新区（上海）",
        "青岛（山东）",
        "已自动修复 10 处",
        "第 84 行在句中断开",
        "broken.txt",
        "空字符",
        "需要注意（1 条）",
        "目录页码 2 小于上一条的 4",
        "确认导入 2 个文件",
    ):
        assert expected in text, expected
    assert re.search(
        r"<td>上海技术交易所开市 建成服务全国技术转移交易网络</td>\s*<td[^>]*>3</td>\s*<td[^>]*>4</td>", text
    )


def test_confirming_imports_the_previewed_files_and_links_to_each_new_issue(admin_client, administrator):
    response = preview(admin_client, sample_file())
    response = admin_client.post(URL, {"token": token_of(response)})
    assert response.status_code == 200
    issue = Issue.objects.get(number=193)
    assert issue.articles.count() == 22 and issue.status == Issue.Status.PUBLISHED
    assert reverse("admin:editorial_issue_change", args=[issue.pk]) in response.text
    assert issue.get_absolute_url() in response.text
    assert "已导入 1 个文件" in response.text
    assert issue.transitions.get().user == administrator


def test_confirming_twice_does_not_make_a_second_copy(admin_client):
    token = token_of(preview(admin_client, sample_file()))
    admin_client.post(URL, {"token": token})
    before = counts()
    response = admin_client.post(URL, {"token": token})
    assert "已存在，内容相同" in response.text
    assert counts() == before


def test_a_file_that_already_exists_unchanged_is_not_offered_for_import(admin_client):
    admin_client.post(URL, {"token": token_of(preview(admin_client, sample_file()))})
    response = preview(admin_client, sample_file())
    assert "已存在，内容相同，不会改动" in response.text
    assert "没有可以导入的文件" in response.text


def test_update_replaces_a_differing_existing_issue_only_when_asked(admin_client):
    admin_client.post(URL, {"token": token_of(preview(admin_client, sample_file()))})
    changed = sample_file(data=legacy_sample_bytes().replace("正式开市。".encode(), "正式开业。".encode()))
    assert "不会改动（如需替换" in preview(admin_client, changed).text
    changed.seek(0)
    response = preview(admin_client, changed, update="on")
    assert "将更新" in response.text
    admin_client.post(URL, {"token": token_of(response)})
    assert "正式开业" in Issue.objects.get(number=193).articles.get(position=1).body
    assert Issue.objects.count() == 1


def test_issues_can_be_imported_as_drafts(admin_client):
    response = admin_client.post(URL, {"files": [sample_file()], "status": "draft"})
    admin_client.post(URL, {"token": token_of(response)})
    assert Issue.objects.get(number=193).status == Issue.Status.DRAFT


def test_a_tampered_confirmation_imports_nothing(admin_client):
    token = token_of(preview(admin_client, sample_file()))
    response = admin_client.post(URL, {"token": token[:-3] + "xyz"}, follow=True)
    assert "无效" in response.text
    assert counts() == (0, 0, 0, 0)


def test_an_expired_confirmation_imports_nothing(admin_client, monkeypatch):
    token = token_of(preview(admin_client, sample_file()))
    monkeypatch.setattr(legacy_import, "TOKEN_MAX_AGE", -1)
    assert "过期" in admin_client.post(URL, {"token": token}).text
    assert counts() == (0, 0, 0, 0)


def test_another_administrators_confirmation_cannot_be_replayed(client, administrator):
    client.force_login(administrator)
    token = token_of(preview(client, sample_file()))
    client.force_login(make_user("admin-2", role="管理员"))
    assert client.post(URL, {"token": token}).status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_no_file_or_too_many_files_are_form_errors(admin_client, monkeypatch):
    assert "请选择至少一个" in admin_client.post(URL, {"status": "published"}).text
    monkeypatch.setattr(legacy_import, "MAX_FILES", 1)
    assert "一次最多导入 1 个文件" in preview(admin_client, sample_file("a.txt"), sample_file("b.txt")).text
    assert counts() == (0, 0, 0, 0)


def test_an_oversized_upload_is_refused_with_a_reason(admin_client, settings):
    settings.LEGACY_IMPORT_MAX_BYTES = 1000
    response = preview(admin_client, sample_file())
    assert "文件过大" in response.text
    assert "没有可以导入的文件" in response.text


def test_a_gbk_upload_is_previewed_and_imported(admin_client):
    gbk = sample_file("gbk.txt", legacy_sample_bytes().decode().encode("gb18030"))
    response = preview(admin_client, gbk)
    assert "GB18030" in response.text
    admin_client.post(URL, {"token": token_of(response)})
    assert Issue.objects.get(number=193).articles.count() == 22


DRIFT = Path(__file__).parent / "legacy_drift"


def drift_file(name):
    return SimpleUploadedFile(name, (DRIFT / name).read_bytes(), content_type="text/plain")


def test_a_file_holding_two_issues_previews_both_and_confirming_imports_both(admin_client):
    response = preview(admin_client, drift_file("two-issues.txt"))
    text = response.text
    assert "two-issues.txt · 2021年第201期" in text and "two-issues.txt · 2021年第202期" in text
    assert text.count("这个文件里有 2 期") == 2 and "从文件第 33 行起" in text
    assert "共 1 个文件（2 期），其中 <strong>1</strong> 个可以导入" in text
    assert counts() == (0, 0, 0, 0)
    done = admin_client.post(URL, {"token": token_of(response)})
    assert sorted(Issue.objects.values_list("number", flat=True)) == [201, 202]
    for issue in Issue.objects.all():
        assert reverse("admin:editorial_issue_change", args=[issue.pk]) in done.text
    assert "已导入 1 个文件" in done.text


def test_the_preview_shows_the_distribution_record_and_the_masthead_without_its_furniture(admin_client):
    text = preview(admin_client, drift_file("distribution-block.txt"), drift_file("masthead-furniture.txt")).text
    assert "报送记录" in text
    assert "报：省委、省政府领导，省委办公厅、省政府办公厅，<br>省发展改革委、省经信厅、省商务厅。" in text
    assert "签发人：王明" in text
    assert "2021年第197期" in text and "浙江省人民政府驻上海办事处" in text
    assert "需要注意" not in text


def test_a_damaged_gbk_upload_is_shown_as_not_importable_naming_its_line_and_byte(admin_client):
    text = preview(admin_client, drift_file("gbk-stray-byte.txt")).text
    assert (
        "无法导入" in text
        and "第 18 行：文件的编码是 GB18030（GBK），但第 22 个字处（文件第 289 个字节，0xFF）" in text
    )
    assert "没有可以导入的文件" in text


def test_the_issue_admin_shows_an_imported_issues_distribution_record_read_only(admin_client):
    admin_client.post(URL, {"token": token_of(preview(admin_client, drift_file("distribution-block.txt")))})
    issue = Issue.objects.get(number=199)
    page = admin_client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    assert "报送记录" in page and "发：各设区市人民政府驻沪办事处。" in page
    assert 'name="distribution"' not in page
    admin_client.post(
        reverse("admin:editorial_issue_change", args=[issue.pk]),
        {
            "number": issue.number,
            "date": issue.date.isoformat(),
            "publication": issue.publication_id,
            "opened_version": issue.version,
            "distribution": "篡改",
            "correction_note": "改日期",
        },
    )
    assert Issue.objects.get(pk=issue.pk).distribution == issue.distribution
    assert "报送记录" not in admin_client.get(reverse("admin:editorial_issue_add")).text
