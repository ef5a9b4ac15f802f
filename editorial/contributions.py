"""Contributions that arrive as Word files (.docx) become articles in the pool (稿件库).

A file becomes one article: its title is the first heading (a Word "标题"/"Heading"/"Title"
style among the first paragraphs) or else its first line; the other paragraphs are the body,
under the paste rules (editorial/text.py clean_body: a line break inside a Word paragraph is a
paragraph break too). A first line too long to be a title leaves the title to the file's name.
Tables and pictures are not article text: they are left out, with a warning.

A .docx is a zip archive: before python-docx reads it, the sizes it declares are checked
(MAX_UNPACKED_BYTES), as for spreadsheets, so a zip bomb is refused unread.
"""

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from . import docx
from .text import clean_body

MAX_FILES = 20
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# A first line longer than this is a paragraph of text, not a title.
TITLE_MAX_CHARS = 60
TITLE_FIELD_MAX = 200
# How far into the document a heading may stand and still be the article's title.
TITLE_HEADING_WITHIN = 3


class ContributionRejected(ValueError):
    """A file that cannot become an article; the message, naming the file, is for the editor."""


@dataclass(frozen=True)
class Contribution:
    """One Word file as the article it will become."""

    name: str
    title: str
    body: str
    warnings: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n") if self.body else []


def check_archive(name: str, data: bytes) -> None:
    """Refuse what is not a .docx archive, or what would unpack to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ContributionRejected(
            f"“{name}”不是有效的 Word（.docx）文件，可能已损坏。请用 Word 或 WPS 另存为 .docx 后再上传。"
        ) from error
    if "word/document.xml" not in {part.filename for part in parts}:
        raise ContributionRejected(f"“{name}”不是 Word 文档（.docx），里面没有正文部分。")
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ContributionRejected(
            f"“{name}”解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像正常的稿件，已拒绝。"
        )


def read_contribution(*, name: str, data: bytes) -> Contribution:
    """The article a .docx file holds: title, body paragraphs and what was left out."""
    if len(data) > MAX_FILE_BYTES:
        raise ContributionRejected(
            f"“{name}”太大（{len(data) / 1024 / 1024:.1f} MB），每个文件最多 {MAX_FILE_BYTES // (1024 * 1024)} MB。"
        )
    check_archive(name, data)
    try:
        word = docx.read_docx(data)
    except docx.DocxReadError as error:
        raise ContributionRejected(f"“{name}”：{error}") from error
    blocks = [(clean_body(paragraph.text), paragraph.is_heading) for paragraph in word.paragraphs]
    blocks = [(text, is_heading) for text, is_heading in blocks if text]
    if not blocks:
        raise ContributionRejected(f"“{name}”里没有文字。")
    warnings = []
    headings = [index for index, (_, is_heading) in enumerate(blocks[:TITLE_HEADING_WITHIN]) if is_heading]
    title_index = headings[0] if headings else 0
    title = blocks[title_index][0].replace("\n\n", " ")
    if not headings and len(title) > TITLE_MAX_CHARS:
        title = PurePath(name).stem.strip() or "（无标题）"
        title_index = None
        warnings.append(f"第一行太长，不像标题，暂用文件名“{title}”作标题，请导入后修改。")
    if len(title) > TITLE_FIELD_MAX:
        title = title[:TITLE_FIELD_MAX]
        warnings.append(f"标题超过 {TITLE_FIELD_MAX} 字，只保留了前 {TITLE_FIELD_MAX} 字。")
    body = "\n\n".join(text for index, (text, _) in enumerate(blocks) if index != title_index)
    if not body:
        raise ContributionRejected(f"“{name}”只有标题《{title}》，没有正文。")
    if word.tables:
        warnings.append(f"文件中有 {word.tables} 个表格，表格内容没有导入，如需要请手工补入。")
    if word.pictures:
        warnings.append(f"文件中有 {word.pictures} 张图片，图片没有导入（稿件只收文字）。")
    return Contribution(name=name, title=title, body=body, warnings=tuple(warnings))
