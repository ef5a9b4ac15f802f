"""Writes: every change to issues and articles goes through this package (workflow.py decides status changes).

One door for every writer — edit forms, the compose board, the legacy loader, backup restore,
the generator, spreadsheets: each keeps the record's invariants by calling the functions here,
and only `records` writes article rows and versions.

    access      who may write; stale-form refusals; row locks
    records     the one writer of articles, versions, issue stamps and status
    positions   dense positions and each issue's section order
    issues      create, arrange, edit, delete issues (and bulk-create them from plain records)
    articles    save, move, delete, restore articles from forms
    recovery    the 回收站
    bulk        a legacy file replacing an issue's articles; a spreadsheet's rows
"""

from .access import StaleEditError, article_lock_for_edit, issue_lock_for_edit
from .articles import article_delete, article_move, article_restore_version, article_save
from .bulk import issue_replace_articles, record_import_corrections, spreadsheet_article_write
from .issues import (
    ArticleRecord,
    IssueRecord,
    NextIssue,
    issue_arrange,
    issue_create,
    issue_create_next,
    issue_delete,
    issue_mark_changed,
    issue_restore_version,
    issue_save,
    issue_section_add,
    issue_section_remove,
    issues_create,
    next_issue_date,
    pool_articles_create,
)
from .positions import issue_layout, issue_section_ensure
from .records import analyze_tables
from .recovery import Recovered, article_recover, issue_recover

__all__ = [
    "ArticleRecord",
    "IssueRecord",
    "NextIssue",
    "Recovered",
    "StaleEditError",
    "analyze_tables",
    "article_delete",
    "article_lock_for_edit",
    "article_move",
    "article_recover",
    "article_restore_version",
    "article_save",
    "issue_arrange",
    "issue_create",
    "issue_create_next",
    "issue_delete",
    "issue_layout",
    "issue_lock_for_edit",
    "issue_mark_changed",
    "issue_recover",
    "issue_replace_articles",
    "issue_restore_version",
    "issue_save",
    "issue_section_add",
    "issue_section_ensure",
    "issue_section_remove",
    "issues_create",
    "next_issue_date",
    "pool_articles_create",
    "record_import_corrections",
    "spreadsheet_article_write",
]
