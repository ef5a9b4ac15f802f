"""The models, one module per part of the system; every model is importable from `editorial.models`.

record        the editorial record: masthead, issues, sections, regions, articles, the workflow log
proofreading  dismissed 校对 findings
achievements  领导批示 and 被采用
delivery      报送 recipients, the mail outbox, newsroom notifications
autosave      unsaved article drafts
"""

from .achievements import Adoption, Instruction, LeaderLevel
from .autosave import ArticleDraft
from .delivery import Notification, NotificationPreference, OutboxMessage, Recipient, RecipientQuerySet, normalise_email
from .proofreading import ProofreadingDismissal
from .record import (
    DERIVED_FIELDS,
    DERIVED_FROM,
    Article,
    ArticleHistoricalRecords,
    ArticleQuerySet,
    DeletionBatch,
    Issue,
    IssueQuerySet,
    IssueSection,
    IssueTransition,
    Publication,
    PublicationQuerySet,
    Section,
    SourceRegion,
)

__all__ = [
    "DERIVED_FIELDS",
    "DERIVED_FROM",
    "Adoption",
    "Article",
    "ArticleDraft",
    "ArticleHistoricalRecords",
    "ArticleQuerySet",
    "DeletionBatch",
    "Instruction",
    "Issue",
    "IssueQuerySet",
    "IssueSection",
    "IssueTransition",
    "LeaderLevel",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "ProofreadingDismissal",
    "Publication",
    "PublicationQuerySet",
    "Recipient",
    "RecipientQuerySet",
    "Section",
    "SourceRegion",
    "normalise_email",
]
