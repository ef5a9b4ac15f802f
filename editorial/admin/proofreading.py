"""校对 in the admin: the article form's check endpoint and dismissals, an issue's report, and the question
asked before an issue with open findings is submitted or signed off.

Kept to two mixins so the article and issue admins only list them and call two hooks.
"""

import re

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import workflow
from ..models import Issue, IssueTransition
from ..proofreading import RULES_BY_ID, Located, proofread_article
from ..proofreading.dismissals import after_save, dismiss, keys_for, parse_pending, restore, split
from ..proofreading.reports import issue_report

TITLE_LIMIT = 1_000
BODY_LIMIT = 50_000
# Transitions that ask first when the issue still has open findings: handing it on, and signing it off.
CONFIRMED_TRANSITIONS = (IssueTransition.Action.SUBMIT, IssueTransition.Action.APPROVE)
CONFIRMATION_FIELD = "proofreading_confirmed"
PENDING_FIELD = "proofreading_dismissed"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_offsets(text: str):
    """A function from a character offset in `text` to the same place counted in UTF-16 units, as browsers count."""
    if not _ASTRAL.search(text):
        return lambda offset: offset
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + (2 if ord(char) > 0xFFFF else 1))
    return lambda offset: prefix[offset]


def finding_json(each: Located, to_utf16) -> dict:
    finding = each.finding
    before, text, after = each.excerpt()
    return {
        "field": each.part,
        "rule": finding.rule,
        "name": RULES_BY_ID[finding.rule].name,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "start": to_utf16(each.start),
        "end": to_utf16(each.start + finding.length),
        "text": text,
        "before": before,
        "after": after,
        "line": each.line,
        "key": each.key,
    }


def finding_rows(findings) -> list[dict]:
    """What a report lists for each finding: where, which rule, the passage and the message."""
    rows = []
    for each in findings:
        before, text, after = each.excerpt()
        rows.append(
            {
                "part": each.part,
                "line": each.line,
                "rule": each.finding.rule,
                "rule_name": RULES_BY_ID[each.finding.rule].name,
                "before": before,
                "text": text,
                "after": after,
                "message": each.finding.message,
                "certain": each.finding.certain,
            }
        )
    return rows


def report_rows(report) -> list[dict]:
    """Each article of an issue report with its counts in the order of the report's rules, and its findings."""
    return [
        {
            "report": article,
            "counts": [article.counts[rule.id] for rule, _ in report.rules],
            "rule_counts": [(RULES_BY_ID[rule].name, count) for rule, count in article.counts.most_common()],
            "findings": finding_rows(article.findings),
        }
        for article in report.articles
    ]


class ArticleProofreadingMixin:
    """The article form's 校对 panel: a JSON check of the text being typed, and dismissing a finding for a passage."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("proofread/", wrap(self.proofread_view), name="editorial_article_proofread"),
            path(
                "<path:object_id>/proofread/dismissals/",
                wrap(self.proofread_dismissal_view),
                name="editorial_article_proofread_dismissal",
            ),
            *super().get_urls(),
        ]

    def proofreading_context(self, request, obj) -> dict:
        """What the form's panel needs; nothing when the user only reads the article."""
        if obj is not None and not self.has_change_permission(request, obj):
            return {}
        return {
            "proofreading": {
                "check_url": reverse("admin:editorial_article_proofread"),
                "dismiss_url": reverse("admin:editorial_article_proofread_dismissal", args=[obj.pk]) if obj else "",
                "article": obj.pk if obj else "",
                "pending": request.POST.get(PENDING_FIELD, "") if obj is None else None,
            }
        }

    def proofreading_after_save(self, request, obj, change) -> None:
        """Keep the dismissals a new article's form collected; forget those that no longer match anything."""
        after_save(article=obj, user=request.user, pending="" if change else request.POST.get(PENDING_FIELD, ""))

    def _proofread_article(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("没有这篇稿件。")
        return article

    @method_decorator(never_cache)
    @method_decorator(require_POST)
    def proofread_view(self, request):
        """Check a headline and body as typed: the open findings and the dismissed ones, offsets in UTF-16 units."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        title, body = request.POST.get("title", ""), request.POST.get("body", "")
        if len(title) > TITLE_LIMIT or len(body) > BODY_LIMIT:
            return JsonResponse({"error": f"正文超过 {BODY_LIMIT:,} 字，太长了，无法即时校对。"}, status=400)
        article_id = request.POST.get("article", "")
        if article_id:
            article = self._proofread_article(request, article_id)
            if not self.has_view_permission(request, article):
                raise PermissionDenied
            dismissed = keys_for([article.pk]).get(article.pk, set())
        else:
            dismissed = set(parse_pending(request.POST.get("pending", "")))
        open_, closed = split(proofread_article(title, body).located(), dismissed)
        offsets = {"title": utf16_offsets(title), "body": utf16_offsets(body)}
        return JsonResponse(
            {
                "findings": [finding_json(each, offsets[each.part]) for each in open_],
                "dismissed": [finding_json(each, offsets[each.part]) for each in closed],
                "open": len(open_),
                "certain": sum(1 for each in open_ if each.finding.certain),
            }
        )

    @method_decorator(require_POST)
    def proofread_dismissal_view(self, request, object_id):
        """Dismiss a finding at a passage of this article (action=dismiss), or raise it again (action=restore)."""
        article = self._proofread_article(request, object_id)
        if not self.has_change_permission(request, article):
            reason = workflow.edit_denied_reason(user=request.user, issue=article.issue)
            return JsonResponse({"error": reason or "您没有修改这篇稿件的权限。"}, status=403)
        action = request.POST.get("action", "dismiss")
        if action not in ("dismiss", "restore"):
            return JsonResponse({"error": "没有这个操作。"}, status=400)
        change = dismiss if action == "dismiss" else restore
        try:
            changed = change(
                article=article,
                rule=request.POST.get("rule", ""),
                passage=request.POST.get("key", ""),
                user=request.user,
            )
        except ValidationError as refusal:
            return JsonResponse({"error": " ".join(refusal.messages)}, status=400)
        return JsonResponse({"changed": changed})


class IssueProofreadingMixin:
    """An issue's 校对 report, its summary on the issue page, and the question before submitting or signing off."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/proofreading/", wrap(self.proofreading_view), name="editorial_issue_proofreading"),
            *super().get_urls(),
        ]

    def proofreading_summary(self, issue: Issue, board=()) -> dict:
        """The issue page's 校对 line; marks each article on the board with its open findings."""
        report = issue_report(issue)
        open_by_article = {each.article.pk: len(each.findings) for each in report.articles}
        for entry in board:
            for article in entry.articles:
                article.proofreading_open = open_by_article.get(article.pk, 0)
        return {"proofreading": report, "proofreading_url": self._proofreading_url(issue)}

    def _proofreading_url(self, issue: Issue) -> str:
        return reverse("admin:editorial_issue_proofreading", args=[issue.pk])

    def proofreading_view(self, request, object_id):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("没有这一期。")
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        report = issue_report(issue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{issue.period_label} 校对报告",
            "issue": issue,
            "report": report,
            "rows": report_rows(report),
            "can_edit": self.has_change_permission(request, issue),
        }
        return TemplateResponse(request, "admin/editorial/issue/proofreading.html", context)

    def proofreading_gate(self, request, issue: Issue, transition, comment: str):
        """Ask before submitting or signing off with open findings: (the question's page or None, the log comment)."""
        if transition.name not in CONFIRMED_TRANSITIONS or not transition.is_available(issue):
            return None, comment
        if workflow.content_problems(issue):
            return None, comment  # the transition refuses anyway, with the reasons
        report = issue_report(issue)
        if not report.open_count:
            return None, comment
        if request.POST.get(CONFIRMATION_FIELD) != "1":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{transition.label}前确认：{issue.period_label}还有校对问题未处理",
                "issue": issue,
                "transition": transition,
                "report": report,
                "rows": [row for row in report_rows(report) if row["report"].findings],
                "report_url": self._proofreading_url(issue),
                "carried": [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name not in ("csrfmiddlewaretoken", CONFIRMATION_FIELD)
                    for value in values
                ],
                "confirmation_field": CONFIRMATION_FIELD,
            }
            return TemplateResponse(request, "admin/editorial/issue/proofreading_confirm.html", context), comment
        note = f"校对尚有 {report.open_count} 处未处理，{transition.label}时已确认。"
        return None, f"{comment}\n{note}" if comment else note
