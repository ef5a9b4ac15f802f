"""Autosave of the article form (自动保存): the editor's unsaved title and body, kept on the server.

The browser keeps a copy first (localStorage, static/editorial/admin/autosave.js) and sends it
here every few seconds while the editor types, and once more when the tab is hidden or closed.
A draft is keyed by user and form: `article-<id>` for an existing article, `new-<token>` for a new
one (the token is made by the page). Opening the form again offers the newer of the two copies
back, after a closed tab, a crash or a new login; a successful save discards it.

Drafts are scratch copies, not the record: they never touch Article, its versions or its issue.
Each user keeps at most KEEP_PER_USER drafts, none older than KEEP_DAYS days.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Article, ArticleDraft

KEY = re.compile(r"(article-[1-9][0-9]{0,18}|new-[0-9a-z]{8,32})")
MAX_TITLE = 200
MAX_BODY = 200_000
KEEP_DAYS = 30
KEEP_PER_USER = 20
NEW_DRAFTS_OFFERED = 5


def article_key(article: Article) -> str:
    return f"article-{article.pk}"


def _fresh(user):
    return ArticleDraft.objects.filter(user=user, saved_at__gte=timezone.now() - datetime.timedelta(days=KEEP_DAYS))


@transaction.atomic
def draft_save(*, user, key: str, title: str, body: str, base_version: int | None) -> ArticleDraft:
    """Keep the form's current text for `user` under `key`, replacing the last copy."""
    if not KEY.fullmatch(key):
        raise ValidationError("自动保存的表单标识无效。")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise ValidationError(f"正文超过 {MAX_BODY // 1000} 千字，不能自动保存；请分成几篇稿件。")
    article = None
    if key.startswith("article-"):
        article = Article.objects.filter(pk=int(key.removeprefix("article-"))).first()
    draft, _ = ArticleDraft.objects.update_or_create(
        user=user,
        key=key,
        defaults={"article": article, "title": title, "body": body, "base_version": base_version},
    )
    _prune(user)
    return draft


def _prune(user) -> None:
    keep = list(_fresh(user).order_by("-saved_at", "-pk").values_list("pk", flat=True)[:KEEP_PER_USER])
    ArticleDraft.objects.filter(user=user).exclude(pk__in=keep).delete()


def drafts_to_offer(*, user, key: str | None) -> list[ArticleDraft]:
    """The server's copies a form may offer back: its own draft, or for a new article the newest new-article drafts."""
    if key:
        return list(_fresh(user).filter(key=key))
    return list(_fresh(user).filter(key__startswith="new-").order_by("-saved_at", "-pk")[:NEW_DRAFTS_OFFERED])


def draft_discard(*, user, key: str) -> None:
    """Forget a draft: its form was saved, or the editor chose not to recover it."""
    if key and KEY.fullmatch(key):
        ArticleDraft.objects.filter(user=user, key=key).delete()


SAVED = "autosave-saved"


def remember_saved(request, key: str) -> None:
    """Note in the session when the form under `key` was saved, so the browser lets go of its older copies.

    The browser cannot tell a save that went through from one lost to an expired login (both leave the
    page); only a save that went through is noted here, in this login's session.
    """
    if key and KEY.fullmatch(key):
        saved = {each: at for each, at in request.session.get(SAVED, {}).items() if each != key}
        saved[key] = now_ms()
        request.session[SAVED] = dict(sorted(saved.items(), key=lambda item: item[1])[-KEEP_PER_USER:])


def saved_forms(request) -> dict[str, int]:
    """When each form saved in this login was saved (milliseconds since the epoch), by key."""
    return dict(request.session.get(SAVED, {}))


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def as_offer(draft: ArticleDraft) -> dict:
    """A draft as the page's script reads it."""
    return {
        "key": draft.key,
        "title": draft.title,
        "body": draft.body,
        "baseVersion": draft.base_version,
        "savedAt": int(draft.saved_at.timestamp() * 1000),
    }
