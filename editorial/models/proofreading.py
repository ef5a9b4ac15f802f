"""What 校对 remembers: the findings an editor dismissed for a passage of an article."""

from django.conf import settings
from django.db import models

from .record import Article


class ProofreadingDismissal(models.Model):
    """A 校对 finding an editor judged acceptable in one article: this rule is not raised again at this passage."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="proofreading_dismissals", verbose_name="稿件"
    )
    rule = models.CharField("校对规则", max_length=60)
    passage = models.CharField("位置", max_length=200, help_text="被标出的文字连同前后几个字，用来认出同一处。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="忽略人"
    )
    created_at = models.DateTimeField("忽略时间", auto_now_add=True)

    class Meta:
        verbose_name = "已忽略的校对提示"
        verbose_name_plural = "已忽略的校对提示"
        ordering = ["article", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "rule", "passage"], name="proofreading_dismissal_unique"),
        ]

    def __str__(self):
        return f"{self.article} · {self.rule} · {self.passage}"
