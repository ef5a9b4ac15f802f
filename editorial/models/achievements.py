"""The office's record of its own work: leaders' instructions (领导批示) and adoptions (被采用); admin only."""

from django.db import models
from django.urls import reverse

from .authorship import user_column
from .record import Article


class LeaderLevel(models.Model):
    """A rank of the leaders whose instructions the office records (国家级领导, 省级领导 …); administrators keep the list."""

    name = models.CharField("级别名称", max_length=30, unique=True)
    position = models.PositiveIntegerField("排序", default=0, help_text="选择列表和统计按此顺序排列，数字小的在前。")

    class Meta:
        verbose_name = "领导级别"
        verbose_name_plural = "领导级别"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Instruction(models.Model):
    """A leader's written instruction (领导批示) on an article, with an optional scan of the signed page."""

    article = models.ForeignKey(
        Article,
        # A leader's instruction is part of the office's record: an instructed article cannot be deleted unnoticed.
        on_delete=models.PROTECT,
        related_name="instructions",
        verbose_name="稿件",
        help_text="批示针对的稿件。",
    )
    leader = models.CharField("批示领导", max_length=50, help_text="领导姓名。")
    leader_title = models.CharField("职务", max_length=100, blank=True, help_text="如“副省长”，可留空。")
    level = models.ForeignKey(
        LeaderLevel, on_delete=models.PROTECT, related_name="instructions", verbose_name="领导级别"
    )
    date = models.DateField("批示日期")
    gist = models.TextField("批示要点", help_text="批示的主要内容，可摘录原文。")
    scan = models.FileField(
        "批示件扫描",
        max_length=200,
        blank=True,
        editable=False,
        help_text="批示件的扫描件或照片（PDF、JPG 或 PNG），只有编辑部人员可以查看。",
    )
    scan_type = models.CharField("扫描件类型", max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = user_column("登记人")
    updated_by = user_column("最后修改人")

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date"], name="instruction_date_idx")]
        permissions = [
            ("export_instruction", "可导出领导批示表格"),
            ("view_statistics", "可查看信息工作统计"),
        ]

    def __str__(self):
        return f"{self.leader}批示《{self.article.title}》" if self.article_id else self.leader

    def get_absolute_url(self):
        """The instruction in the admin (it is never public)."""
        return reverse("admin:editorial_instruction_change", args=[self.pk])


class Adoption(models.Model):
    """An article taken up by a higher-level publication or office (被采用)."""

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="adoptions", verbose_name="稿件", help_text="被采用的稿件。"
    )
    adopted_by = models.CharField("采用单位或刊物", max_length=100, help_text="如“浙江省人民政府办公厅《浙江信息》”。")
    date = models.DateField("采用日期")
    note = models.TextField("说明", blank=True, help_text="如采用的期号、全文或摘要采用，可留空。")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = user_column("登记人")
    updated_by = user_column("最后修改人")

    class Meta:
        verbose_name = "被采用"
        verbose_name_plural = "被采用"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date"], name="adoption_date_idx")]
        permissions = [("export_adoption", "可导出被采用表格")]

    def __str__(self):
        return f"{self.adopted_by}采用《{self.article.title}》" if self.article_id else self.adopted_by

    def get_absolute_url(self):
        """The adoption in the admin (it is never public)."""
        return reverse("admin:editorial_adoption_change", args=[self.pk])
