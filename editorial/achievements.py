"""The office's record of its own work on an article: leaders' instructions (领导批示) and adoptions (被采用).

Every write to instructions and adoptions goes through a function here. They are not part of the
article's text: recording one leaves the article's version and history and its issue's content
stamp alone (no reader page shows them, so no cached page or PDF changes), and writes one line in
the activity log once committed. A scan is stored under a fresh unguessable name (`scans`); the
file a change replaces or a deletion leaves behind is removed once the change has committed.
"""

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from . import scans
from .activity import log_action
from .models import Adoption, Article, Instruction
from .services.access import require


def _remove_file_after_commit(name: str) -> None:
    if name:
        transaction.on_commit(partial(default_storage.delete, name))


def _stored_scan(instruction: Instruction) -> str:
    if instruction.pk is None:
        return ""
    return Instruction.objects.filter(pk=instruction.pk).values_list("scan", flat=True).first() or ""


@transaction.atomic
def instruction_save(*, instruction: Instruction, user, scan=None, remove_scan: bool = False) -> Instruction:
    """Record a new instruction or save a changed one; `scan` (an upload) replaces the stored scan, if any.

    The scan is checked by its content and size (`scans.check_scan`, a ValidationError for editors).
    """
    created = instruction.pk is None
    require(user, "editorial.add_instruction" if created else "editorial.change_instruction", "登记或修改领导批示")
    previous_scan = _stored_scan(instruction)
    kind = scans.check_scan(scan) if scan is not None else None
    if remove_scan and kind is None:
        instruction.scan, instruction.scan_type = "", ""
    instruction.updated_by = user
    if created:
        instruction.created_by = user
    instruction.full_clean(exclude=["scan"])
    if kind is not None:
        instruction.scan.save(scans.storage_name(kind), scan, save=False)
        instruction.scan_type = kind.content_type
    try:
        instruction.save()
    except BaseException:
        # The row did not save: the file just stored must not outlive it.
        if kind is not None:
            default_storage.delete(instruction.scan.name)
        raise
    if previous_scan != instruction.scan.name:
        _remove_file_after_commit(previous_scan)
    log_action(
        "instruction_record" if created else "instruction_change",
        user=user,
        instruction=instruction.pk,
        article=instruction.article_id,
        level=instruction.level.name,
        scan=kind.extension if kind else ("removed" if previous_scan and not instruction.scan else None),
    )
    return instruction


@transaction.atomic
def instruction_delete(*, instruction: Instruction, user) -> None:
    """Delete an instruction and, once that has committed, its scan."""
    require(user, "editorial.delete_instruction", "删除领导批示")
    scan, pk, article_id = instruction.scan.name, instruction.pk, instruction.article_id
    instruction.delete()
    _remove_file_after_commit(scan)
    log_action("instruction_delete", user=user, instruction=pk, article=article_id)


@transaction.atomic
def adoption_save(*, adoption: Adoption, user) -> Adoption:
    """Record a new adoption or save a changed one."""
    created = adoption.pk is None
    require(user, "editorial.add_adoption" if created else "editorial.change_adoption", "登记或修改被采用情况")
    adoption.updated_by = user
    if created:
        adoption.created_by = user
    adoption.full_clean()
    adoption.save()
    log_action(
        "adoption_record" if created else "adoption_change",
        user=user,
        adoption=adoption.pk,
        article=adoption.article_id,
        by=adoption.adopted_by,
    )
    return adoption


@transaction.atomic
def adoption_delete(*, adoption: Adoption, user) -> None:
    require(user, "editorial.delete_adoption", "删除被采用记录")
    pk, article_id = adoption.pk, adoption.article_id
    adoption.delete()
    log_action("adoption_delete", user=user, adoption=pk, article=article_id)


# ---------------------------------------------------------------------------------------------
# Reads for the admin pages that show an article's record.


def _count_of(model) -> Coalesce:
    counted = (
        model.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_record_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    """The articles, each annotated with `instruction_count` and `adoption_count` (in the same query)."""
    return articles.annotate(instruction_count=_count_of(Instruction), adoption_count=_count_of(Adoption))
