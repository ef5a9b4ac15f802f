"""Autosave: what an editor typed into an article form and has not saved yet."""

from django.conf import settings
from django.db import models

from .record import Article


class ArticleDraft(models.Model):
    """What an editor typed into an article form and has not saved yet, kept every few seconds (自动保存)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="编辑")
    key = models.CharField(
        "表单", max_length=40, help_text="article-<稿件编号>：修改已有稿件；new-<随机码>：新建稿件的表单。"
    )
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="稿件"
    )
    title = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文", blank=True)
    base_version = models.PositiveIntegerField(
        "打开时的版本号", null=True, blank=True, help_text="表单打开时稿件的版本号；新建稿件为空。"
    )
    saved_at = models.DateTimeField("自动保存时间", auto_now=True)

    class Meta:
        verbose_name = "自动保存的草稿"
        verbose_name_plural = "自动保存的草稿"
        ordering = ["-saved_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="article_draft_unique_per_form")]

    def __str__(self):
        return self.title or "（无标题）"
