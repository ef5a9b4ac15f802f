"""校对 reports over stored articles: one article's open findings, and an issue's, article by article."""

from collections import Counter
from dataclasses import dataclass, field

from ..models import Article, Issue
from .dismissals import keys_for, split
from .engine import Located, proofread_article
from .findings import Rule
from .registry import RULES


@dataclass(frozen=True)
class ArticleReport:
    """One article's open findings (headline first, then the body in reading order) and how many were dismissed."""

    article: Article
    findings: tuple[Located, ...]
    dismissed: int = 0

    @property
    def counts(self) -> Counter:
        return Counter(each.finding.rule for each in self.findings)

    @property
    def certain(self) -> int:
        return sum(1 for each in self.findings if each.finding.certain)


@dataclass(frozen=True)
class IssueReport:
    """An issue's 校对: every article in reading order with its open findings, and the totals per rule."""

    issue: Issue
    articles: tuple[ArticleReport, ...] = field(default_factory=tuple)

    @property
    def open_count(self) -> int:
        return sum(len(report.findings) for report in self.articles)

    @property
    def dismissed_count(self) -> int:
        return sum(report.dismissed for report in self.articles)

    @property
    def certain_count(self) -> int:
        return sum(report.certain for report in self.articles)

    @property
    def counts(self) -> Counter:
        total = Counter()
        for report in self.articles:
            total.update(report.counts)
        return total

    @property
    def rules(self) -> list[tuple[Rule, int]]:
        """The rules with open findings, in the table's order, with their counts."""
        counts = self.counts
        return [(rule, counts[rule.id]) for rule in RULES if counts[rule.id]]

    @property
    def with_findings(self) -> list[ArticleReport]:
        return [report for report in self.articles if report.findings]


def article_report(article: Article, *, dismissed: set[tuple[str, str]] | None = None) -> ArticleReport:
    """The open findings of a stored article (reads its dismissals unless given)."""
    if dismissed is None:
        dismissed = keys_for([article.pk]).get(article.pk, set())
    open_, closed = split(proofread_article(article.title, article.body).located(), dismissed)
    return ArticleReport(article=article, findings=tuple(open_), dismissed=len(closed))


def issue_report(issue: Issue) -> IssueReport:
    """Every article of `issue` in reading order with its open findings: two queries, whatever the size."""
    articles = list(
        Article.objects.filter(issue=issue).in_reading_order().only("id", "title", "body", "position", "section_id")
    )
    dismissed = keys_for(article.pk for article in articles)
    return IssueReport(
        issue=issue,
        articles=tuple(article_report(article, dismissed=dismissed.get(article.pk, set())) for article in articles),
    )
