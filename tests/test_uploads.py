"""Uploads: spreadsheet imports and legacy texts refuse oversized, mistyped, malformed and zip-bomb files with
a message in Chinese, and write nothing."""

import io
import os
import time
import zipfile

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from editorial.admin import spreadsheets
from editorial.models import Article, Issue, Section, SourceRegion
from tests.samples import legacy_sample_bytes

SECTION_CSV = "栏目名称,网址名,默认顺序,常设栏目\n专题报道,special,7,否\n"


def database_state() -> tuple:
    return (
        list(Section.objects.order_by("pk").values_list("pk", "name", "slug", "position", "is_standing")),
        list(SourceRegion.objects.order_by("pk").values_list("pk", "name", "slug", "parent_id")),
        list(Article.objects.order_by("pk").values_list("pk", "title", "issue_id", "position")),
        Issue.objects.count(),
        Article.history.count(),
    )


def pending_sheets() -> list[str]:
    try:
        return default_storage.listdir("django-import-export")[1]
    except FileNotFoundError:
        return []


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


def format_index(name: str) -> str:
    return str([f.__name__ for f in admin.site._registry[Section].get_import_formats()].index(name))


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb_xlsx(unpacked_bytes: int) -> bytes:
    """A real .xlsx whose first sheet's XML inflates to `unpacked_bytes` (a row repeated), a few MB packed."""
    valid = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["栏目名称", "网址名", "默认顺序", "常设栏目"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in valid.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(part, valid.read(part))
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            written = 0
            while written < unpacked_bytes:
                sheet.write(row)
                written += len(row)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture
def as_administrator(client, administrator):
    client.force_login(administrator)
    return client


def post_import(client, content: bytes, name: str, format_name: str):
    return client.post(
        reverse("admin:editorial_section_import"),
        {"resource": "0", "format": format_index(format_name), "import_file": upload(content, name)},
    )


def file_errors(response) -> list[str]:
    return list(response.context["form"].errors.get("import_file", []))


# --- spreadsheet imports ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sheet_over_the_size_limit_is_refused_before_it_is_read(as_administrator, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UPLOAD_BYTES", 1024)
    before, waiting = database_state(), pending_sheets()
    response = post_import(as_administrator, (SECTION_CSV + "x" * 2000).encode(), "big.csv", "CSV")
    assert response.status_code == 200
    assert any("文件太大" in error for error in file_errors(response))
    assert "confirm_form" not in response.context
    assert database_state() == before and pending_sheets() == waiting


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["sections.exe", "sections.html", "sections", "sections.csv.php"])
def test_a_file_of_another_type_is_refused_by_its_name(as_administrator, name):
    before, waiting = database_state(), pending_sheets()
    response = post_import(as_administrator, SECTION_CSV.encode(), name, "CSV")
    assert any("只能导入 .csv、.xlsx、.json 文件" in error for error in file_errors(response))
    assert database_state() == before and pending_sheets() == waiting


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "format_name", "message"),
    [
        (b"PK\x03\x04 not really a zip archive" * 10, "sections.xlsx", "XLSX", "不是有效的 Excel"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "sections.xlsx", "XLSX", "不是有效的 Excel"),
        (b"\xff\xfe\x00\xd8 broken \x81\x82", "sections.csv", "CSV", "无法读取这个文件"),
        ('{"栏目名称": '.encode(), "sections.json", "JSON", "无法读取这个文件"),
        (b"", "sections.csv", "CSV", ""),
    ],
)
def test_a_malformed_file_gets_a_chinese_message_and_nothing_is_written(
    as_administrator, content, name, format_name, message
):
    before, waiting = database_state(), pending_sheets()
    response = post_import(as_administrator, content, name, format_name)
    assert response.status_code == 200
    errors = file_errors(response)
    assert errors and all(message in error for error in errors)
    assert "confirm_form" not in response.context
    assert database_state() == before and pending_sheets() == waiting


@pytest.mark.django_db
def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(as_administrator):
    bomb = zip_bomb_xlsx(1024**3)
    assert len(bomb) < spreadsheets.MAX_UPLOAD_BYTES  # small enough to pass the size check: the archive check stops it
    before, waiting = database_state(), pending_sheets()
    response = post_import(as_administrator, bomb, "sections.xlsx", "XLSX")
    assert any("解压后超过" in error for error in file_errors(response))
    assert database_state() == before and pending_sheets() == waiting


def test_the_archive_check_believes_declared_sizes_because_zipfile_never_inflates_beyond_them():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("xl/worksheets/sheet1.xml", b"<x/>" * 10_000)
    data = bytearray(archive.getvalue())
    # Declare 16 bytes unpacked (local and central headers) for a part that inflates to 40,000.
    data[22:26] = (16).to_bytes(4, "little")
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (16).to_bytes(4, "little")
    spreadsheets.check_xlsx_archive(bytes(data))  # within the limit as declared…
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as lying, pytest.raises(zipfile.BadZipFile, match="CRC"):
        lying.read("xl/worksheets/sheet1.xml")  # …and reading stops there: the lie fails its CRC check


@pytest.mark.django_db
def test_a_sheet_with_too_many_rows_is_refused(as_administrator, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    rows = "".join(f"栏目{n},section-{n},{100 + n},否\n" for n in range(4))
    before, waiting = database_state(), pending_sheets()
    response = post_import(as_administrator, ("栏目名称,网址名,默认顺序,常设栏目\n" + rows).encode(), "s.csv", "CSV")
    assert any("一次最多导入 3 行" in error for error in file_errors(response))
    assert database_state() == before and pending_sheets() == waiting


@pytest.mark.django_db
def test_a_valid_xlsx_still_imports_after_its_preview(as_administrator):
    sheet = xlsx_bytes([["栏目名称", "网址名", "默认顺序", "常设栏目"], ["专题报道", "special", 7, "否"]])
    preview = post_import(as_administrator, sheet, "sections.xlsx", "XLSX")
    assert not Section.objects.filter(slug="special").exists()
    response = as_administrator.post(
        reverse("admin:editorial_section_process_import"), preview.context["confirm_form"].initial
    )
    assert response.status_code == 302
    assert Section.objects.get(slug="special").name == "专题报道"


@pytest.mark.django_db
def test_confirming_the_same_sheet_twice_imports_it_once_and_explains_the_second_time(as_administrator):
    preview = post_import(as_administrator, SECTION_CSV.encode(), "sections.csv", "CSV")
    confirm = preview.context["confirm_form"].initial
    assert as_administrator.post(reverse("admin:editorial_section_process_import"), confirm).status_code == 302
    after_first = database_state()
    second = as_administrator.post(reverse("admin:editorial_section_process_import"), confirm)
    assert second.status_code == 302 and second["Location"] == reverse("admin:editorial_section_import")
    assert any("已经导入过" in str(message) for message in get_messages(second.wsgi_request))
    assert database_state() == after_first


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered",
    [
        {"format": "99"},
        {"format": "x"},
        {"format": "-1"},
        {"import_file_name": "../../../../etc/passwd"},
        {"import_file_name": "no-such-sheet"},
    ],
)
def test_a_tampered_confirmation_imports_nothing_and_is_no_server_error(as_administrator, tampered):
    preview = post_import(as_administrator, SECTION_CSV.encode(), "sections.csv", "CSV")
    confirm = {**preview.context["confirm_form"].initial, **tampered}
    before = database_state()
    response = as_administrator.post(reverse("admin:editorial_section_process_import"), confirm)
    assert response.status_code == 302
    assert database_state() == before


@pytest.fixture
def parking(settings, tmp_path):
    """The default storage in a fresh folder: where sheets wait for their confirmation."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path / "django-import-export"


def park_hours_ago(folder, name: str, hours: float) -> None:
    moment = time.time() - hours * 3600
    os.utime(folder / name, (moment, moment))


@pytest.mark.django_db
def test_a_preview_never_confirmed_is_deleted_by_the_next_upload_once_an_hour_old(as_administrator, parking):
    post_import(as_administrator, SECTION_CSV.encode(), "first.csv", "CSV")
    post_import(as_administrator, SECTION_CSV.encode(), "second.csv", "CSV")
    abandoned, recent = sorted(pending_sheets())
    park_hours_ago(parking, abandoned, 1.1)
    park_hours_ago(parking, recent, 0.9)
    post_import(as_administrator, SECTION_CSV.encode(), "third.csv", "CSV")
    waiting = pending_sheets()
    assert abandoned not in waiting and recent in waiting and len(waiting) == 2


@pytest.mark.django_db
def test_a_preview_older_than_an_hour_can_no_longer_be_confirmed(as_administrator, parking):
    preview = post_import(as_administrator, SECTION_CSV.encode(), "sections.csv", "CSV")
    confirm = preview.context["confirm_form"].initial
    park_hours_ago(parking, confirm["import_file_name"], 1.1)
    before = database_state()
    response = as_administrator.post(reverse("admin:editorial_section_process_import"), confirm)
    assert response.status_code == 302 and response["Location"] == reverse("admin:editorial_section_import")
    assert any("预览已超过一小时" in str(message) for message in get_messages(response.wsgi_request))
    assert database_state() == before


@pytest.mark.django_db
def test_the_expire_command_deletes_the_previews_older_than_an_hour_for_cron(as_administrator, parking):
    for name in ("a.csv", "b.csv", "c.csv"):
        post_import(as_administrator, SECTION_CSV.encode(), name, "CSV")
    old, older, fresh = sorted(pending_sheets())
    park_hours_ago(parking, old, 2)
    park_hours_ago(parking, older, 24 * 30)
    output = io.StringIO()
    call_command("expire_import_previews", stdout=output)
    assert pending_sheets() == [fresh]
    assert output.getvalue().strip() == "已删除 2 份超过 1 小时未确认的表格导入预览。"
    call_command("expire_import_previews", stdout=output)
    assert pending_sheets() == [fresh]


@pytest.mark.django_db
def test_a_legacy_import_preview_parks_nothing_on_the_server(as_administrator, parking):
    response = as_administrator.post(
        reverse("admin:editorial_issue_import_legacy"),
        {"files": [upload(legacy_sample_bytes(), "2020-193.txt")], "status": "published"},
    )
    assert response.status_code == 200 and response.context["token"]
    assert not parking.parent.exists() or list(parking.parent.rglob("*")) == []
    assert not Issue.objects.exists()


@pytest.mark.django_db
def test_a_form_post_beyond_djangos_memory_limit_is_a_400_not_a_crash(as_administrator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = database_state()
    response = as_administrator.post(reverse("admin:editorial_issue_import_legacy"), {"token": "x" * 20_000})
    assert response.status_code == 400
    assert database_state() == before


# --- legacy texts -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (xlsx_bytes([["期号"], [193]]), "2020-193.txt"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "2020-193.txt"),
        (b"\x00" * 4096, "2020-193.txt"),
    ],
)
def test_a_binary_file_posing_as_a_legacy_file_is_refused_with_a_reason_and_nothing_is_written(
    as_administrator, content, name
):
    before = database_state()
    response = as_administrator.post(
        reverse("admin:editorial_issue_import_legacy"), {"files": [upload(content, name)], "status": "published"}
    )
    assert response.status_code == 200
    (preview,) = response.context["previews"]
    assert preview.error and not preview.will_write
    assert database_state() == before
