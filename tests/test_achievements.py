"""批示 and 采用 through `editorial.achievements`: recorded, changed and deleted with their scans, logged, and never
part of the article (no new version, no history, no stamp on its issue); scans judged by content and size."""

import datetime
import io
import logging
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from editorial import achievements, scans, services
from editorial.models import Adoption, Article, Instruction, Issue
from tests.factories import (
    leader_level,
    make_adoption,
    make_article,
    make_instruction,
    make_published_issue,
    make_user,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Scans go to a fresh folder, never into var/media."""
    location = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


def image_bytes(kind: str = "PNG", size=(40, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "white").save(output, format=kind)
    return output.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims a picture of width × height."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def new_instruction(article, **fields) -> Instruction:
    return Instruction(
        article=article,
        leader=fields.pop("leader", "李某某"),
        level=fields.pop("level", leader_level()),
        date=fields.pop("date", datetime.date(2020, 11, 6)),
        gist=fields.pop("gist", "很好，请借鉴。"),
        **fields,
    )


# --- what a scan may be -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("批示.pdf", PDF_BYTES, scans.PDF),
        ("scan.png", image_bytes("PNG"), scans.PNG),
        ("photo.jpg", image_bytes("JPEG"), scans.JPEG),
        # The name does not matter, the content does.
        ("photo.pdf", image_bytes("JPEG"), scans.JPEG),
        ("批示件", PDF_BYTES, scans.PDF),
    ],
)
def test_a_scan_is_recognised_by_its_content_whatever_its_name(name, content, kind):
    assert scans.check_scan(upload(name, content)) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("批示.pdf", b"PK\x03\x04 this is really a Word file"),
        ("scan.png", b"<html><script>alert(1)</script></html>"),
        ("scan.gif", b"GIF89a" + b"\0" * 40),
        ("scan.bmp", image_bytes("BMP")),
        ("scan.png", image_bytes("PNG")[:40]),
    ],
)
def test_anything_but_a_pdf_jpeg_or_png_is_refused_with_a_message_naming_the_file(name, content):
    with pytest.raises(ValidationError) as refused:
        scans.check_scan(upload(name, content))
    assert refused.value.code == "wrong_type"
    assert f"文件“{name}”不是 PDF 文件，也不是 JPG 或 PNG 图片" in refused.value.messages[0]


def test_a_scan_over_the_size_limit_is_refused_before_its_content_is_read(settings):
    settings.INSTRUCTION_SCAN_MAX_BYTES = 1024 * 1024
    big = upload("大扫描.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        scans.check_scan(big)
    assert refused.value.code == "too_large"
    assert "文件“大扫描.pdf”太大（1 MB）：批示件扫描最多 1 MB" in refused.value.messages[0]


def test_an_empty_file_and_a_picture_claiming_enormous_dimensions_are_refused():
    with pytest.raises(ValidationError, match="是空的"):
        scans.check_scan(upload("empty.pdf", b""))
    with pytest.raises(ValidationError) as refused:
        scans.check_scan(upload("bomb.png", png_claiming(30_000, 30_000)))
    assert refused.value.code == "too_many_pixels"
    assert "图片尺寸过大" in refused.value.messages[0]


# --- recording ------------------------------------------------------------------------------------------


def test_recording_an_instruction_leaves_the_article_its_history_and_its_issue_untouched():
    issue = make_published_issue(number=501)
    article = make_article(issue=issue)
    services.article_save(article=article, user=None)
    article.refresh_from_db()
    issue.refresh_from_db()
    before = (article.version, article.updated_at, article.history.count(), issue.updated_at, issue.version)
    transitions = issue.transitions.count()

    instruction = make_instruction(article=article)
    adoption = make_adoption(article=article)
    achievements.instruction_save(instruction=instruction, user=None)
    achievements.adoption_delete(adoption=adoption, user=None)

    article.refresh_from_db()
    issue.refresh_from_db()
    assert (article.version, article.updated_at, article.history.count(), issue.updated_at, issue.version) == before
    assert issue.transitions.count() == transitions


def test_each_write_logs_one_activity_line_after_commit(caplog, django_capture_on_commit_callbacks):
    editor = make_user("wang", role="编辑", first_name="王编辑")
    article = make_article(issue=make_published_issue(number=502))
    with caplog.at_level(logging.INFO, logger="editorial.activity"), django_capture_on_commit_callbacks(execute=True):
        instruction = achievements.instruction_save(instruction=new_instruction(article), user=editor)
        instruction_id = instruction.pk
        instruction.gist = "改过的要点"
        achievements.instruction_save(instruction=instruction, user=editor)
        adoption = achievements.adoption_save(
            adoption=Adoption(article=article, adopted_by="《浙江信息》", date=datetime.date(2020, 11, 9)), user=editor
        )
        adoption_id = adoption.pk
        achievements.adoption_delete(adoption=adoption, user=editor)
        achievements.instruction_delete(instruction=instruction, user=editor)
    lines = [record.getMessage() for record in caplog.records if record.name == "editorial.activity"]
    assert lines == [
        f"editorial action=instruction_record instruction={instruction_id} article={article.pk} level=省级领导 user=王编辑",
        f"editorial action=instruction_change instruction={instruction_id} article={article.pk} level=省级领导 user=王编辑",
        f"editorial action=adoption_record adoption={adoption_id} article={article.pk} by=《浙江信息》 user=王编辑",
        f"editorial action=adoption_delete adoption={adoption_id} article={article.pk} user=王编辑",
        f"editorial action=instruction_delete instruction={instruction_id} article={article.pk} user=王编辑",
    ]


def test_a_scan_is_stored_under_an_unguessable_name_that_keeps_nothing_of_the_upload():
    article = make_article(issue=make_published_issue(number=503))
    instruction = achievements.instruction_save(
        instruction=new_instruction(article), user=None, scan=upload("王省长批示-机密.pdf", PDF_BYTES)
    )
    name = instruction.scan.name
    assert name.startswith("instruction-scans/") and name.endswith(".pdf")
    assert "王" not in name and "机密" not in name and len(name.split("/")[1]) == 32 + 4
    assert instruction.scan_type == "application/pdf"
    with default_storage.open(name) as stored:
        assert stored.read() == PDF_BYTES
    other = achievements.instruction_save(
        instruction=new_instruction(article), user=None, scan=upload("王省长批示-机密.pdf", PDF_BYTES)
    )
    assert other.scan.name != name


def test_replacing_or_removing_a_scan_deletes_the_old_file_once_committed(django_capture_on_commit_callbacks):
    article = make_article(issue=make_published_issue(number=504))
    with django_capture_on_commit_callbacks(execute=True):
        instruction = achievements.instruction_save(
            instruction=new_instruction(article), user=None, scan=upload("a.pdf", PDF_BYTES)
        )
    first = instruction.scan.name
    with django_capture_on_commit_callbacks(execute=False) as pending:
        achievements.instruction_save(instruction=instruction, user=None, scan=upload("b.png", image_bytes()))
    assert default_storage.exists(first)  # not before the change commits
    for callback in pending:
        callback()
    assert not default_storage.exists(first)
    second = instruction.scan.name
    assert second.endswith(".png") and default_storage.exists(second)

    with django_capture_on_commit_callbacks(execute=True):
        achievements.instruction_save(instruction=instruction, user=None, remove_scan=True)
    instruction.refresh_from_db()
    assert not instruction.scan and instruction.scan_type == ""
    assert not default_storage.exists(second)

    with django_capture_on_commit_callbacks(execute=True):
        achievements.instruction_save(instruction=instruction, user=None, scan=upload("c.pdf", PDF_BYTES))
    third = instruction.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        achievements.instruction_delete(instruction=instruction, user=None)
    assert not default_storage.exists(third)
    assert not Instruction.objects.exists()


def test_a_refused_scan_or_an_invalid_instruction_writes_nothing(storage):
    article = make_article(issue=make_published_issue(number=505))
    with pytest.raises(ValidationError):
        achievements.instruction_save(instruction=new_instruction(article), user=None, scan=upload("x.pdf", b"nope"))
    with pytest.raises(ValidationError) as refused:
        achievements.instruction_save(
            instruction=new_instruction(article, leader=""), user=None, scan=upload("y.pdf", PDF_BYTES)
        )
    assert "leader" in refused.value.message_dict
    assert not Instruction.objects.exists()
    assert not any(path.is_file() for path in storage.rglob("*"))


def test_only_users_with_the_rights_may_record_change_or_delete():
    article = make_article(issue=make_published_issue(number=506))
    reader = make_user("reader")
    instruction = make_instruction(article=article)
    adoption = make_adoption(article=article)
    with pytest.raises(PermissionDenied, match="您没有登记或修改领导批示的权限"):
        achievements.instruction_save(instruction=new_instruction(article), user=reader)
    with pytest.raises(PermissionDenied):
        achievements.instruction_delete(instruction=instruction, user=reader)
    with pytest.raises(PermissionDenied, match="被采用"):
        achievements.adoption_save(adoption=adoption, user=reader)
    with pytest.raises(PermissionDenied):
        achievements.adoption_delete(adoption=adoption, user=reader)
    for role in ("编辑", "审核", "管理员"):
        user = make_user(f"user-{role}", role=role)
        recorded = achievements.instruction_save(instruction=new_instruction(article), user=user)
        achievements.instruction_delete(instruction=recorded, user=user)
    assert Instruction.objects.count() == 1 and Adoption.objects.count() == 1


def test_an_article_with_an_instruction_or_adoption_cannot_be_deleted_until_they_are():
    issue = make_published_issue(number=507)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    issue.refresh_from_db()
    article = make_article(issue=issue)
    instruction = make_instruction(article=article)
    with pytest.raises(ValidationError, match="已登记领导批示"):
        services.article_delete(article=article, user=None)
    assert Article.objects.filter(pk=article.pk).exists()
    achievements.instruction_delete(instruction=instruction, user=None)
    services.article_delete(article=article, user=None)
    assert not Article.objects.filter(pk=article.pk).exists()


def test_the_compose_board_counts_come_with_the_articles_in_one_query(django_assert_num_queries):
    issue = make_published_issue(number=508)
    first, second, third = (make_article(issue=issue) for _ in range(3))
    for _ in range(2):
        make_instruction(article=first)
    make_adoption(article=first)
    for _ in range(3):
        make_adoption(article=second)
    with django_assert_num_queries(1):
        counts = {
            article.pk: (article.instruction_count, article.adoption_count)
            for article in achievements.with_record_counts(Article.objects.filter(issue=issue))
        }
    assert counts == {first.pk: (2, 1), second.pk: (0, 3), third.pk: (0, 0)}
