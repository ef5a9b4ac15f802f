"""The 报/送/发 lists: reading them from a CSV file, writing them atomically, and the masthead's lines made from them.

The CSV format (`manage.py import_recipients FILE.csv`), one recipient a row::

    分组,单位,姓名,邮箱[,启用][,排序]
    报,省政府办公厅,张三,zhangsan@example.gov.cn

- 分组 is 报, 送 or 发; 邮箱 one address; 单位 or 姓名 (at least one). 启用 (是/否) and 排序 are optional.
- UTF-8 (with or without BOM, as Excel's "CSV UTF-8" saves it) or GB18030/GBK (Excel's plain "CSV").
- A row is matched to a stored recipient by its address (case ignored): importing the same file
  twice changes nothing. Recipients missing from the file are left as they are.
- Every problem is reported with its line number, and nothing is written when there is any.
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..activity import log_action
from ..importers.legacy import LegacyFormatError, decode
from ..models import Publication, Recipient, normalise_email
from ..resources import restore

HEADER = ("分组", "单位", "姓名", "邮箱")
OPTIONAL = ("启用", "排序")
GROUPS = {label: value for value, label in Recipient.Group.choices} | {value: value for value in Recipient.Group.values}
YES = {"是", "1", "true", "yes", "启用", "y"}
NO = {"否", "0", "false", "no", "停用", "n"}
MASTHEAD_FIELDS = {
    Recipient.Group.REPORT: "report_to",
    Recipient.Group.SEND: "send_to",
    Recipient.Group.DISTRIBUTE: "distribute_to",
}


@dataclass(frozen=True)
class RecipientRow:
    """One recipient as a file gives it; `active` and `position` are None when the file has no such column."""

    line: int
    group: str
    unit: str
    name: str
    email: str
    active: bool | None = None
    position: int | None = None


@dataclass(frozen=True)
class RecipientSheet:
    """A file's rows and its problems, one line each (第 3 行：…)."""

    rows: tuple[RecipientRow, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def read_recipient_csv(data: bytes) -> RecipientSheet:
    """Parse a recipients CSV file; never raises for bad content, it reports it."""
    try:
        text, _ = decode(data)
    except LegacyFormatError as error:
        return RecipientSheet(rows=(), problems=(str(error),))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    columns = [cell.strip() for cell in header or []]
    missing = [name for name in HEADER if name not in columns]
    if missing:
        return RecipientSheet(
            rows=(),
            problems=(f"第 1 行应是表头“{','.join(HEADER)}”，缺少：{'、'.join(missing)}。",),
        )
    index = {name: columns.index(name) for name in (*HEADER, *OPTIONAL) if name in columns}
    rows, problems, seen = [], [], {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(f"第 {reader.line_num} 行：无法读取（{error}）。")
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row, row_problems = _row(line, cells, index)
        if row is not None and row.email in seen:
            row_problems.append(f"邮箱 {row.email} 与第 {seen[row.email]} 行重复")
        elif row is not None:
            seen[row.email] = line
        if row_problems:
            problems.append(f"第 {line} 行：{'；'.join(row_problems)}。")
        elif row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append("文件中没有收件人（只有表头或是空文件）。")
    return RecipientSheet(rows=tuple(rows), problems=tuple(problems))


def _row(line: int, cells: list[str], index: dict[str, int]) -> tuple[RecipientRow | None, list[str]]:
    def cell(name: str) -> str:
        position = index.get(name)
        if position is None or position >= len(cells):
            return ""
        return str(restore(cells[position].strip())).strip()

    problems = []
    group = GROUPS.get(cell("分组"))
    if group is None:
        problems.append(f"分组“{cell('分组')}”应为报、送或发")
    email = normalise_email(cell("邮箱"))
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"邮箱“{cell('邮箱')}”不是有效的邮件地址" if email else "没有填写邮箱")
    unit, name = cell("单位"), cell("姓名")
    if not unit and not name:
        problems.append("单位和姓名至少要填一项")
    if len(unit) > Recipient._meta.get_field("unit").max_length:
        problems.append("单位名称太长")
    if len(name) > Recipient._meta.get_field("name").max_length:
        problems.append("姓名太长")
    active = None
    if "启用" in index and cell("启用"):
        flag = cell("启用").lower()
        if flag in YES:
            active = True
        elif flag in NO:
            active = False
        else:
            problems.append(f"启用“{cell('启用')}”应为是或否")
    position = None
    if "排序" in index and cell("排序"):
        if cell("排序").isdigit():
            position = int(cell("排序"))
        else:
            problems.append(f"排序“{cell('排序')}”应为不小于 0 的整数")
    if problems:
        return None, problems
    return RecipientRow(line, group, unit, name, email, active, position), []


@transaction.atomic
def recipients_import(*, rows: tuple[RecipientRow, ...] | list[RecipientRow], user=None) -> ImportSummary:
    """Create or update recipients by address; rows without 排序 keep the file's order within their group."""
    stored = {recipient.email: recipient for recipient in Recipient.objects.filter(email__in=[r.email for r in rows])}
    next_position = {}
    for group in Recipient.Group.values:
        last = Recipient.objects.filter(group=group).order_by("-position").values_list("position", flat=True).first()
        next_position[group] = (last or 0) + 10
    created = updated = unchanged = 0
    for row in rows:
        recipient = stored.get(row.email)
        if recipient is None:
            position = row.position
            if position is None:
                position = next_position[row.group]
                next_position[row.group] += 10
            recipient = Recipient(email=row.email, position=position)
            recipient.active = True if row.active is None else row.active
            is_new = True
        else:
            is_new = False
        before = (recipient.group, recipient.unit, recipient.name, recipient.active, recipient.position)
        recipient.group, recipient.unit, recipient.name = row.group, row.unit, row.name
        if row.active is not None:
            recipient.active = row.active
        if row.position is not None:
            recipient.position = row.position
        if is_new:
            recipient.full_clean()
            recipient.save()
            created += 1
        elif before != (recipient.group, recipient.unit, recipient.name, recipient.active, recipient.position):
            recipient.full_clean(validate_unique=False)
            recipient.save()
            updated += 1
        else:
            unchanged += 1
    log_action("recipients_import", user=user, created=created, updated=updated, unchanged=unchanged)
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def masthead_line(labels: list[str]) -> str:
    """Units listed as GB/T 9704 lists 抄送机关: separated by full-width commas, closed by a full stop."""
    return "，".join(labels) + "。" if labels else ""


def masthead_lines() -> dict[str, str]:
    """The 报/送/发 lines from the active lists: each unit (or, without one, the name) once, in list order."""
    labels: dict[str, list[str]] = {group: [] for group in Recipient.Group.values}
    for recipient in Recipient.objects.active().in_list_order():
        label = recipient.unit.strip() or recipient.name.strip()
        if label and label not in labels[recipient.group]:
            labels[recipient.group].append(label)
    return {field: masthead_line(labels[group]) for group, field in MASTHEAD_FIELDS.items()}


@transaction.atomic
def masthead_update_from_lists(*, publication: Publication, user) -> Publication:
    """Write the lists' 报/送/发 lines into the masthead (报尾), refusing lines too long for it."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    lines = masthead_lines()
    problems = []
    for field, line in lines.items():
        limit = Publication._meta.get_field(field).max_length
        if len(line) > limit:
            label = Publication._meta.get_field(field).verbose_name
            problems.append(
                f"“{label}”一栏有 {len(line)} 个字，报尾最多 {limit} 个字；请减少该分组的单位或合并后再生成。"
            )
    if problems:
        raise ValidationError(problems)
    for field, line in lines.items():
        setattr(locked, field, line)
    locked.full_clean()
    locked.save(update_fields=list(lines))
    log_action("masthead_from_recipients", user=user)
    return locked
