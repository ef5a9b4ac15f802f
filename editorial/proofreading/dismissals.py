"""Dismissed 校对 findings: an editor's "this is right as it is", remembered per article, rule and passage.

The only writer of ProofreadingDismissal. A dismissal names the passage (the flagged text with a few
characters on each side), so the same slip elsewhere in the article is still flagged, and an edit to
the passage brings the finding back. When an article is saved, dismissals that no longer match any
finding are dropped.
"""

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..activity import log_action
from ..models import Article, ProofreadingDismissal
from .engine import Located, proofread_article
from .registry import RULES_BY_ID

PASSAGE_MAX = ProofreadingDismissal._meta.get_field("passage").max_length
PENDING_MAX = 200


def validate(rule: str, passage: str) -> None:
    """Refuse what no finding could have produced, in words for editors."""
    if rule not in RULES_BY_ID:
        raise ValidationError("没有这条校对规则。")
    if not passage or len(passage) > PASSAGE_MAX:
        raise ValidationError("要忽略的位置不对，请刷新页面后再试。")


def keys_for(article_ids: Iterable[int]) -> dict[int, set[tuple[str, str]]]:
    """The dismissed (rule, passage) pairs of each article, in one query."""
    keys: dict[int, set[tuple[str, str]]] = {}
    rows = (
        ProofreadingDismissal.objects.filter(article_id__in=list(article_ids))
        .order_by()
        .values_list("article_id", "rule", "passage")
    )
    for article_id, rule, passage in rows:
        keys.setdefault(article_id, set()).add((rule, passage))
    return keys


def split(located: Iterable[Located], dismissed: set[tuple[str, str]]) -> tuple[list[Located], list[Located]]:
    """The findings still open, and those an editor dismissed."""
    open_, closed = [], []
    for each in located:
        (closed if (each.finding.rule, each.key) in dismissed else open_).append(each)
    return open_, closed


def dismiss(*, article: Article, rule: str, passage: str, user) -> bool:
    """Remember that `rule` is not to be raised at `passage` in `article`; False when it already was."""
    validate(rule, passage)
    try:
        with transaction.atomic():
            ProofreadingDismissal.objects.create(article=article, rule=rule, passage=passage, created_by=user)
    except IntegrityError:
        return False
    log_action("proofreading_dismiss", user=user, article=article.pk, rule=rule)
    return True


def restore(*, article: Article, rule: str, passage: str, user) -> bool:
    """Raise `rule` at `passage` again; False when it was not dismissed."""
    validate(rule, passage)
    deleted, _ = ProofreadingDismissal.objects.filter(article=article, rule=rule, passage=passage).delete()
    if deleted:
        log_action("proofreading_restore", user=user, article=article.pk, rule=rule)
    return bool(deleted)


def parse_pending(raw: str) -> list[tuple[str, str]]:
    """The dismissals a form for a new article carries (JSON [[rule, passage], …]); anything malformed is ignored."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    pending = []
    for item in items[:PENDING_MAX]:
        if (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(part, str) for part in item)
            and item[0] in RULES_BY_ID
            and 0 < len(item[1]) <= PASSAGE_MAX
        ):
            pending.append((item[0], item[1]))
    return list(dict.fromkeys(pending))


def after_save(*, article: Article, user, pending: str = "") -> None:
    """Keep what an article's form dismissed before it was first saved; drop dismissals no finding matches now."""
    current = {(each.finding.rule, each.key) for each in proofread_article(article.title, article.body).located()}
    for rule, passage in parse_pending(pending):
        if (rule, passage) in current:
            dismiss(article=article, rule=rule, passage=passage, user=user)
    stale = [
        row.pk
        for row in ProofreadingDismissal.objects.filter(article=article)
        if (row.rule, row.passage) not in current
    ]
    if stale:
        ProofreadingDismissal.objects.filter(pk__in=stale).delete()
