"""The 报/送/发 lists: import_recipients (all or nothing, by address), the spreadsheet, the masthead's lines."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from editorial.delivery import recipients
from editorial.delivery.resources import RecipientResource
from editorial.models import Publication, Recipient
from tests.delivery_support import make_recipients

pytestmark = pytest.mark.django_db

GOOD = (
    "分组,单位,姓名,邮箱\n"
    "报,浙江省人民政府办公厅,张三,ZhangSan@ZJ.example.gov.cn\n"
    "送,浙江省发展和改革委员会,李四,lisi@fgw.example.gov.cn\n"
    "送,浙江省发展和改革委员会,王五,wangwu@fgw.example.gov.cn\n"
    "发,办事处综合处,,office@zjsh.example.gov.cn\n"
)


def run(tmp_path, text: str, *args, encoding: str = "utf-8"):
    path = tmp_path / "recipients.csv"
    path.write_bytes(text.encode(encoding))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_recipients", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def stored():
    return list(Recipient.objects.in_list_order().values_list("group", "unit", "name", "email", "active"))


def test_importing_a_list_registers_each_address_once_in_the_files_order(tmp_path):
    out, _, error = run(tmp_path, GOOD)
    assert error is None and "新增 4，更新 0，未变 0" in out
    assert stored() == [
        ("report", "浙江省人民政府办公厅", "张三", "zhangsan@zj.example.gov.cn", True),
        ("send", "浙江省发展和改革委员会", "李四", "lisi@fgw.example.gov.cn", True),
        ("send", "浙江省发展和改革委员会", "王五", "wangwu@fgw.example.gov.cn", True),
        ("distribute", "办事处综合处", "", "office@zjsh.example.gov.cn", True),
    ]


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_updates_by_address(tmp_path):
    run(tmp_path, GOOD)
    before = list(Recipient.objects.order_by("pk").values_list("pk", "position", "updated_at"))
    out, _, error = run(tmp_path, GOOD)
    assert error is None and "新增 0，更新 0，未变 4" in out
    assert list(Recipient.objects.order_by("pk").values_list("pk", "position", "updated_at")) == before
    out, _, _ = run(
        tmp_path,
        GOOD.replace("报,浙江省人民政府办公厅,张三,ZhangSan", "报,浙江省人民政府办公厅,张三（副秘书长）,zhangsan"),
    )
    assert "新增 0，更新 1，未变 3" in out
    assert Recipient.objects.get(email="zhangsan@zj.example.gov.cn").name == "张三（副秘书长）"


def test_excels_gbk_csv_and_utf8_with_bom_both_import(tmp_path):
    assert run(tmp_path, GOOD, encoding="gb18030")[2] is None
    assert Recipient.objects.count() == 4
    assert run(tmp_path, "\ufeff" + GOOD)[2] is None
    assert Recipient.objects.count() == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path):
    bad = (
        "分组,单位,姓名,邮箱\n"
        "报,浙江省人民政府办公厅,张三,zhangsan@zj.example.gov.cn\n"
        "抄,某单位,某人,someone@example.gov.cn\n"
        "送,某单位,某人,not-an-address\n"
        "发,,,empty@example.gov.cn\n"
        "发,综合处,,ZHANGSAN@zj.example.gov.cn\n"
    )
    _, err, error = run(tmp_path, bad)
    assert error is not None and "4 处问题，没有导入任何收件人" in str(error)
    assert err.splitlines() == [
        "第 3 行：分组“抄”应为报、送或发。",
        "第 4 行：邮箱“not-an-address”不是有效的邮件地址。",
        "第 5 行：单位和姓名至少要填一项。",
        "第 6 行：邮箱 zhangsan@zj.example.gov.cn 与第 2 行重复。",
    ]
    assert Recipient.objects.count() == 0


def test_a_file_without_the_header_or_without_rows_is_refused(tmp_path):
    _, err, error = run(tmp_path, "单位,姓名\n某单位,某人\n")
    assert error is not None and "缺少：分组、邮箱" in err
    _, err, error = run(tmp_path, "分组,单位,姓名,邮箱\n")
    assert error is not None and "没有收件人" in err
    _, _, error = run(tmp_path, "\x00\x01binary")
    assert error is not None
    assert Recipient.objects.count() == 0


def test_optional_columns_set_active_and_order(tmp_path):
    _, _, error = run(
        tmp_path, "分组,单位,姓名,邮箱,启用,排序\n报,甲,,a@example.gov.cn,否,5\n报,乙,,b@example.gov.cn,是,1\n"
    )
    assert error is None
    assert list(Recipient.objects.in_list_order().values_list("unit", "active")) == [("乙", True), ("甲", False)]


def test_dry_run_checks_and_writes_nothing(tmp_path):
    out, _, error = run(tmp_path, GOOD, "--dry-run")
    assert error is None and "检查通过：4 位收件人" in out
    assert Recipient.objects.count() == 0


def test_the_masthead_lines_list_each_active_unit_once_in_list_order():
    make_recipients()
    Recipient.objects.create(
        group="send", unit="浙江省发展和改革委员会", name="王五", email="w@example.gov.cn", position=9
    )
    Recipient.objects.create(group="send", unit="浙江省经济和信息化厅", email="jxt@example.gov.cn", position=10)
    Recipient.objects.create(group="send", unit="已停用的单位", email="off@example.gov.cn", position=11, active=False)
    Recipient.objects.create(group="report", name="陈主任", email="chen@example.gov.cn", position=0)
    assert recipients.masthead_lines() == {
        "report_to": "陈主任，浙江省人民政府办公厅。",
        "send_to": "浙江省发展和改革委员会，浙江省经济和信息化厅。",
        "distribute_to": "办事处综合处。",
    }


def test_an_administrator_generates_the_masthead_lines_from_the_lists(client, administrator):
    make_recipients()
    client.force_login(administrator)
    url = reverse("admin:editorial_recipient_masthead")
    page = client.get(url)
    assert page.status_code == 200 and "浙江省人民政府办公厅。" in page.text and "用名单更新报尾" in page.text
    assert client.post(url).status_code == 302
    publication = Publication.objects.current()
    assert (publication.report_to, publication.send_to, publication.distribute_to) == (
        "浙江省人民政府办公厅。",
        "浙江省发展和改革委员会。",
        "办事处综合处。",
    )
    assert "无需更新" in client.get(url).text


def test_masthead_lines_too_long_for_the_masthead_are_refused_with_a_reason(client, administrator):
    Recipient.objects.bulk_create(
        Recipient(group="report", unit=f"第{n}个名字相当长的上级单位办公室", email=f"u{n}@example.gov.cn", position=n)
        for n in range(30)
    )
    client.force_login(administrator)
    response = client.post(reverse("admin:editorial_recipient_masthead"), follow=True)
    assert "报尾最多 300 个字" in response.text
    assert Publication.objects.current().report_to == ""


def test_the_spreadsheet_export_is_formula_safe_and_imports_back_unchanged():
    Recipient.objects.create(group="report", unit='=HYPERLINK("http://evil")', name="张三", email="a@example.gov.cn")
    Recipient.objects.create(group="distribute", unit="综合处", name="", email="b@example.gov.cn", active=False)
    dataset = RecipientResource().export()
    assert dataset.headers == ["分组", "单位", "姓名", "邮箱", "启用", "排序"]
    assert dataset[0][:2] == ("报", '\'=HYPERLINK("http://evil")')
    assert dataset[1][:5] == ("发", "综合处", "", "b@example.gov.cn", "否")
    before = stored()
    result = RecipientResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert stored() == before


def test_a_spreadsheet_import_matches_addresses_whatever_their_case_and_is_all_or_nothing():
    Recipient.objects.create(group="report", unit="甲", email="a@example.gov.cn")
    from tablib import Dataset

    sheet = Dataset(headers=["分组", "单位", "姓名", "邮箱", "启用", "排序"])
    sheet.append(["送", "甲（改）", "", "A@Example.gov.cn", "是", "1"])
    sheet.append(["发", "乙", "", "b@example.gov.cn", "", ""])
    result = RecipientResource().import_data(sheet, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert stored() == [
        ("send", "甲（改）", "", "a@example.gov.cn", True),
        ("distribute", "乙", "", "b@example.gov.cn", True),
    ]
    sheet.append(["抄", "丙", "", "c@example.gov.cn", "", ""])
    result = RecipientResource().import_data(sheet, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Recipient.objects.count() == 2
