"""Plain factory functions for tests: each makes one valid object with sensible defaults."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from editorial import services
from editorial.models import (
    Article,
    Issue,
    IssueSection,
    IssueTransition,
    OutboxMessage,
    ProofreadingDismissal,
    Publication,
    Recipient,
    Section,
    SourceRegion,
)

_sequence = itertools.count(1)
# The six standing sections a migrated database starts with, in their default order (the sample's).
STANDING_SECTIONS = ["科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]


def publication() -> Publication:
    return Publication.objects.current()


def section(slug: str = "sci-tech") -> Section:
    return Section.objects.get(slug=slug)


def region(slug: str = "shanghai") -> SourceRegion:
    return SourceRegion.objects.get(slug=slug)


def make_issue(*, number: int | None = None, date: datetime.date | None = None, status=Issue.Status.DRAFT, **fields):
    """An issue with the standing sections in their default order."""
    issue = services.issue_create(
        publication=fields.pop("publication", None) or publication(),
        number=number or 1000 + next(_sequence),
        date=date or datetime.date(2020, 10, 30),
        status=status,
    )
    if fields:
        Issue.objects.filter(pk=issue.pk).update(**fields)
        issue.refresh_from_db()
    return issue


def make_published_issue(**fields) -> Issue:
    fields.setdefault("published_at", timezone.now())
    return make_issue(status=Issue.Status.PUBLISHED, **fields)


def make_article(*, issue: Issue | None = None, section_slug: str = "sci-tech", regions=(), **fields) -> Article:
    """An article; in `issue` at the next free position, or in the pool when `issue` is None."""
    n = next(_sequence)
    if issue is not None and "position" not in fields:
        last = issue.articles.order_by("-position").values_list("position", flat=True).first() or 0
        fields["position"] = last + 1
    article = Article.objects.create(
        issue=issue,
        section=fields.pop("section", None) or section(section_slug),
        title=fields.pop("title", f"测试稿件{n}"),
        body=fields.pop("body", f"第{n}篇测试稿件的正文。\n\n第二段。"),
        **fields,
    )
    if regions:
        article.regions.set([region(slug) if isinstance(slug, str) else slug for slug in regions])
    return article


TEST_PASSWORD = "pass-for-tests-1"


def make_user(username: str, *, role: str | None = None, password: str = TEST_PASSWORD, **fields):
    """A staff user in the given role group (编辑, 审核 or 管理员), or a plain user without one."""
    user = get_user_model().objects.create_user(
        username=username, password=password, is_staff=role is not None, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_legacy_sample_issue(*, status=Issue.Status.PUBLISHED, name: str = "2020-193.txt") -> Issue:
    """The office's real sample issue (../shared/samples/legacy), imported through the legacy loader."""
    from editorial.importers.legacy import parse_legacy
    from editorial.importers.loader import load_issue
    from editorial.importers.regions import catalogue_from_db
    from tests.samples import legacy_sample_bytes

    parsed = parse_legacy(legacy_sample_bytes(name), catalogue=catalogue_from_db())
    return load_issue(parsed=parsed, status=status).issue


def database_state() -> tuple:
    """Everything an editorial write can touch, to compare before and after a request that must change nothing."""
    return (
        list(Issue.objects.order_by("pk").values_list("pk", "number", "status", "version", "updated_at")),
        list(
            Article.objects.order_by("pk").values_list("pk", "issue_id", "section_id", "position", "version", "title")
        ),
        list(IssueSection.objects.order_by("pk").values_list("issue_id", "section_id", "position")),
        list(Section.objects.order_by("pk").values_list("pk", "name", "slug", "position")),
        IssueTransition.objects.count(),
        Issue.history.count(),
        Article.history.count(),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_staff", "is_active")),
        list(ProofreadingDismissal.objects.order_by("pk").values_list("article_id", "rule", "passage")),
        list(Recipient.objects.order_by("pk").values_list("pk", "email", "active")),
        list(OutboxMessage.objects.order_by("pk").values_list("pk", "state", "attempts")),
        list(Publication.objects.order_by("pk").values_list("report_to", "send_to", "distribute_to")),
    )


def leader_level(name: str = "省级领导"):
    from editorial.models import LeaderLevel

    return LeaderLevel.objects.get(name=name)


def make_instruction(*, article: Article, date: datetime.date | None = None, level: str = "省级领导", **fields):
    """A leader's instruction on the article, recorded through the services (as 系统)."""
    from editorial import achievements
    from editorial.models import Instruction

    instruction = Instruction(
        article=article,
        leader=fields.pop("leader", "王某某"),
        level=leader_level(level),
        date=date or datetime.date(2020, 11, 5),
        gist=fields.pop("gist", "请有关部门研究借鉴。"),
        **fields,
    )
    return achievements.instruction_save(instruction=instruction, user=None)


def make_adoption(*, article: Article, date: datetime.date | None = None, **fields):
    """An adoption of the article, recorded through the services (as 系统)."""
    from editorial import achievements
    from editorial.models import Adoption

    adoption = Adoption(
        article=article,
        adopted_by=fields.pop("adopted_by", "《浙江信息》"),
        date=date or datetime.date(2020, 11, 10),
        **fields,
    )
    return achievements.adoption_save(adoption=adoption, user=None)
