"""The editorial record: the masthead, weekly issues, sections, source regions, articles and the workflow log."""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..search import search_fields
from .authorship import user_column


class DeletionBatch(models.Model):
    """A field of the history records: deletions made together (an issue and its articles) share one batch id.

    The 回收站 brings an issue back with exactly the articles deleted along with it.
    """

    deletion_batch = models.UUIDField("删除批次", null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True


class PublicationQuerySet(models.QuerySet):
    def current(self):
        """The office's periodical: the first masthead (a data migration creates it)."""
        return self.order_by("pk").first()


class Publication(models.Model):
    """The masthead of a periodical the office publishes (报头)."""

    title = models.CharField("刊名", max_length=100, help_text="报头上的刊物名称，如“长三角每周要讯”。")
    office = models.CharField("编发单位", max_length=100, help_text="报头左下方的编发单位名称。")
    short_name = models.CharField("简称", max_length=30, help_text="用于文件名和页眉的简短名称。")
    report_to = models.CharField("报", max_length=300, blank=True, help_text="报尾“报：”一栏，可留空。")
    send_to = models.CharField("送", max_length=300, blank=True, help_text="报尾“送：”一栏，可留空。")
    distribute_to = models.CharField("发", max_length=300, blank=True, help_text="报尾“发：”一栏，可留空。")
    print_copies = models.PositiveIntegerField("印数", null=True, blank=True, help_text="报尾“（共印××份）”，可留空。")

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "刊物"
        verbose_name_plural = "刊物"
        ordering = ["pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The home page, which carries the masthead."""
        return reverse("editorial:home")


class IssueQuerySet(models.QuerySet):
    def published(self):
        """Issues the public may see: the one visibility rule for every public page."""
        return self.filter(status=Issue.Status.PUBLISHED)

    def newest_first(self):
        return self.order_by("-date", "-number")


class Issue(models.Model):
    """One weekly issue (一期), e.g. 2020年第193期."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        IN_REVIEW = "in_review", "待审"
        APPROVED = "approved", "已签发"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="issues", verbose_name="刊物")
    number = models.PositiveIntegerField("期号", help_text="自创刊起的累计期号，如 193。")
    date = models.DateField("出刊日期", help_text="印在报头上的日期；期号前的年份取自这里。")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(
        "定时发布时间", null=True, blank=True, help_text="已签发的期刊到这个时间自动发布。"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    distribution = models.TextField(
        "报送记录",
        blank=True,
        help_text="印在旧刊末尾的报送范围、印数、签发、责任编辑等（报：…、送：…、共印…份），按原样保存；从旧版文本导入时自动填写。",
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = user_column("创建人")
    updated_by = user_column("最后修改人")

    objects = IssueQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="期刊历史版本", bases=[DeletionBatch])

    class Meta:
        verbose_name = "期刊"
        verbose_name_plural = "期刊"
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="issue_number_unique_per_publication"),
            models.CheckConstraint(condition=Q(number__gte=1), name="issue_number_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-date"], name="issue_status_date_idx"),
            # The admin's lists walk issues newest first: issues, and articles by their issue's date.
            models.Index(fields=["-date", "-number"], name="issue_date_number_idx"),
        ]
        permissions = [
            ("approve_issue", "可签发期刊"),
            ("publish_issue", "可发布、定时发布和撤回期刊"),
            ("change_published_issue", "可更正已发布的期刊"),
            ("import_legacy_issue", "可导入旧版文本期刊"),
        ]

    def __str__(self):
        return self.period_label

    def get_absolute_url(self):
        return reverse("editorial:issue-detail", kwargs={"number": self.number})

    @property
    def period_label(self) -> str:
        """The period line of the masthead: 2020年第193期."""
        return f"{self.date.year}年第{self.number}期"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    """A section (栏目) such as 科创聚焦; its position is the default order in a new issue."""

    name = models.CharField("栏目名称", max_length=30, unique=True)
    slug = models.SlugField("网址名", max_length=40, unique=True, help_text="用于网址，只能用英文字母、数字和连字符。")
    position = models.PositiveIntegerField("默认顺序", help_text="新建一期时各栏目按此顺序排列，数字小的在前。")
    is_standing = models.BooleanField(
        "常设栏目", default=True, help_text="常设栏目自动加入每一期；取消勾选则只在需要时手动加入（如“专题”）。"
    )

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["position"], name="section_position_unique")]
        permissions = [("import_section", "可从表格导入栏目"), ("export_section", "可导出栏目表格")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("editorial:section-detail", kwargs={"slug": self.slug})


class IssueSection(models.Model):
    """A section as it appears in one issue, at that issue's own position."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="issue_sections", verbose_name="期刊")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+", verbose_name="栏目")
    position = models.PositiveIntegerField("本期顺序")

    class Meta:
        verbose_name = "本期栏目"
        verbose_name_plural = "本期栏目"
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "section"], name="issue_section_unique"),
            models.UniqueConstraint(fields=["issue", "position"], name="issue_section_position_unique"),
        ]

    def __str__(self):
        return f"{self.issue} · {self.section}"

    def get_absolute_url(self):
        return f"{self.issue.get_absolute_url()}#section-{self.section.slug}"


class SourceRegion(models.Model):
    """A place an article reports from: a province-level region, a city or a district."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市"
        DISTRICT = "district", "区县"

    name = models.CharField("名称", max_length=30)
    slug = models.SlugField("网址名", max_length=60, unique=True)
    kind = models.CharField("级别", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级地区"
    )
    aliases = models.CharField(
        "别名",
        max_length=200,
        blank=True,
        help_text="识别文章来源时一并匹配的其他叫法，用逗号分隔，如“上海市,沪”。",
    )
    in_yangtze_delta = models.BooleanField(
        "属于长三角", default=False, help_text="上海、江苏、浙江、安徽及其下辖地区。"
    )
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "来源地区"
        verbose_name_plural = "来源地区"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_name_unique_per_parent"),
            models.CheckConstraint(
                condition=Q(kind="province", parent__isnull=True) | (~Q(kind="province") & Q(parent__isnull=False)),
                name="region_only_provinces_have_no_parent",
            ),
        ]
        permissions = [("import_sourceregion", "可从表格导入来源地区"), ("export_sourceregion", "可导出来源地区表格")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("editorial:region-detail", kwargs={"slug": self.slug})

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.replace("，", ",").split(",") if alias.strip()]


# Article fields the search fields are derived from: a bulk write that changes them derives the search fields too.
DERIVED_FROM = frozenset({"title", "body"})
DERIVED_FIELDS = frozenset({"search_title", "search_text"})


class ArticleHistoricalRecords(HistoricalRecords):
    """History whose copy of the regions has a Chinese name.

    django-simple-history names a many-to-many field's history model after its class
    (HistoricalArticle_regions), a name the admin's permission lists show to administrators.
    """

    def get_meta_options_m2m(self, through_model):
        return {**super().get_meta_options_m2m(through_model), "verbose_name": "稿件历史版本的来源地区"}


class ArticleQuerySet(models.QuerySet):
    """Bulk writes here cannot leave the search fields stale: they derive them, or refuse.

    Writers go through `editorial.services`, which also keeps versions, history and stamps;
    these guards make the one thing a raw bulk write could silently break impossible.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for article in objs:
            article.derive_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if DERIVED_FROM & set(fields):
            for article in objs:
                article.derive_fields()
            fields = list(dict.fromkeys([*fields, *sorted(DERIVED_FIELDS)]))
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        # bulk_update() above comes through here with the derived fields among the ones it writes.
        if DERIVED_FROM & kwargs.keys() and not kwargs.keys() >= DERIVED_FIELDS:
            raise TypeError(
                "Article.title and Article.body change through editorial.services (which derives the search "
                "fields, bumps the version and records history), not through QuerySet.update()."
            )
        return super().update(**kwargs)

    def published(self):
        """Articles of published issues: the one visibility rule for articles."""
        return self.filter(issue__status=Issue.Status.PUBLISHED)

    def in_pool(self):
        """Articles not yet placed in any issue."""
        return self.filter(issue__isnull=True)

    def in_reading_order(self):
        """Order by issue, then the issue's own section order, then position."""
        section_position = IssueSection.objects.filter(issue=OuterRef("issue"), section=OuterRef("section")).values(
            "position"
        )[:1]
        return self.annotate(section_position=Subquery(section_position)).order_by(
            "issue__number", F("section_position").asc(nulls_last=True), "position", "pk"
        )


class Article(models.Model):
    """A short plain-text news item; in an issue, or in the pool waiting to be placed."""

    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="所在期刊",
        help_text="留空则放在待编稿件中，以后再编入某一期。",
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles", verbose_name="栏目"
    )
    position = models.PositiveIntegerField("期内顺序", null=True, blank=True)
    page = models.PositiveSmallIntegerField("原刊页码", null=True, blank=True, help_text="旧版期刊目录上印的页码。")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", help_text="纯文本，段落之间空一行。")
    source = models.CharField("来源", max_length=200, blank=True, help_text="稿件来源或署名，可留空。")
    regions = models.ManyToManyField(SourceRegion, blank=True, related_name="articles", verbose_name="来源地区")
    search_title = models.TextField(
        "检索用标题", blank=True, default="", editable=False, help_text="由标题自动生成，供站内检索使用。"
    )
    search_text = models.TextField(
        "检索用全文", blank=True, default="", editable=False, help_text="由标题和正文自动生成，供站内检索使用。"
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = user_column("创建人")
    updated_by = user_column("最后修改人")

    objects = ArticleQuerySet.as_manager()
    # The search fields are derived from title and body, so history need not keep copies of them.
    history = ArticleHistoricalRecords(
        verbose_name="稿件历史版本",
        m2m_fields=[regions],
        excluded_fields=["search_title", "search_text"],
        bases=[DeletionBatch],
    )

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"
        ordering = ["issue", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="article_position_unique_per_issue"),
            models.CheckConstraint(
                condition=Q(issue__isnull=True) | Q(section__isnull=False), name="article_in_issue_has_section"
            ),
            models.CheckConstraint(
                condition=Q(issue__isnull=True) | Q(position__isnull=False), name="article_in_issue_has_position"
            ),
        ]
        indexes = [models.Index(fields=["issue", "position"], name="article_issue_position_idx")]
        permissions = [("import_article", "可从表格导入稿件"), ("export_article", "可导出稿件表格")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("editorial:article-detail", kwargs={"pk": self.pk})

    def derive_fields(self) -> None:
        """Recompute the stored fields derived from title and body (the search index).

        save() calls it; bulk writes (bulk_create, the importer) must call it themselves.
        """
        self.search_title, self.search_text = search_fields(title=self.title, body=self.body)

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs: blocks separated by blank lines."""
        return [block.strip() for block in self.body.replace("\r\n", "\n").split("\n\n") if block.strip()]


class IssueTransition(models.Model):
    """One step of an issue's life: who moved it from which status to which, when and why."""

    class Action(models.TextChoices):
        """Every action the log records; the workflow's transitions and the writers outside it."""

        SUBMIT = "submit", "提交审核"
        RETURN_TO_DRAFT = "return_to_draft", "退回修改"
        APPROVE = "approve", "签发"
        PUBLISH = "publish", "立即发布"
        PUBLISH_SCHEDULED = "publish_scheduled", "定时发布生效"
        SCHEDULE = "schedule", "定时发布"
        UNSCHEDULE = "unschedule", "取消定时"
        WITHDRAW = "withdraw", "撤回"
        WITHDRAW_SUBMISSION = "withdraw_submission", "撤回提交"
        CORRECT = "correct", "更正"
        CREATE = "create", "新建"
        IMPORT_LEGACY = "import_legacy", "导入旧版文本"
        REIMPORT_LEGACY = "reimport_legacy", "以旧版文本更新"
        RECOVER = "recover", "从回收站恢复"
        RESTORE_BACKUP = "import_archive", "从备份恢复"
        GENERATE = "generate_archive", "生成演示存档"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="transitions", verbose_name="期刊")
    from_status = models.CharField("原状态", max_length=20, choices=Issue.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Issue.Status.choices)
    action = models.CharField("操作", max_length=40, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="操作人"
    )
    comment = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["issue", "-created_at"], name="transition_issue_time_idx")]

    def __str__(self):
        return f"{self.issue} {self.get_from_status_display()} → {self.get_to_status_display()}"

    def get_absolute_url(self):
        """The issue's workflow panel in the admin, where its log is read (the log is never public)."""
        return reverse("admin:editorial_issue_change", args=[self.issue_id]) + "#workflow"
