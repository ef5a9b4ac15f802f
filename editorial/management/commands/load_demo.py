"""Fill a development database with demo issues and the three demo accounts."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from editorial.importers.legacy import LegacyFormatError
from editorial.importers.loader import ImportContext, Outcome, load_issue
from editorial.models import Issue

DEMO_ISSUES = settings.BASE_DIR / "editorial" / "demo" / "issues"
# The demo writer picks each issue's status by its file name: 501-review.txt loads as in review.
STATUS_BY_SUFFIX = {"-draft": Issue.Status.DRAFT, "-review": Issue.Status.IN_REVIEW}

DEMO_PASSWORD = "demo-digest-2026"
DEMO_ACCOUNTS = [
    # (username, role group, display name)
    ("editor", "编辑", "编辑 小王"),
    ("reviewer", "审核", "主编 李老师"),
    ("admin", "管理员", "系统管理员"),
]


class Command(BaseCommand):
    help = "载入演示期刊和演示账号（editor / reviewer / admin），仅用于开发环境（DEBUG=1）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo 只能在开发环境（DEBUG=1）中运行：演示账号的密码是公开的。")
        accounts = {
            username: self._ensure_account(username, role, display_name)
            for username, role, display_name in DEMO_ACCOUNTS
        }
        self._load_issues(user=accounts["admin"])
        self.stdout.write(f"演示账号：editor / reviewer / admin，密码 {DEMO_PASSWORD}")

    def _load_issues(self, *, user):
        """Import every demo issue through the legacy loader; a second run finds them all unchanged."""
        files = sorted(DEMO_ISSUES.glob("*.txt"))
        if not files:
            self.stdout.write(self.style.WARNING(f"没有找到演示期刊（{DEMO_ISSUES}/*.txt）。"))
            return
        context = ImportContext.from_db()
        for path in files:
            status = next(
                (status for suffix, status in STATUS_BY_SUFFIX.items() if path.stem.endswith(suffix)),
                Issue.Status.PUBLISHED,
            )
            try:
                result = load_issue(
                    parsed=context.parse(path.read_bytes()), context=context, user=user, status=status, source=path.name
                )
            except LegacyFormatError as exc:
                raise CommandError(f"演示期刊 {path.name} 无法导入：{exc}") from exc
            label = result.label
            if result.outcome == Outcome.DIFFERENT:
                label += f"；要换成演示文本，请运行 import_legacy --update {path}"
            self.stdout.write(f"演示期刊 {path.name}：{result.issue}（{result.issue.get_status_display()}）{label}")

    def _ensure_account(self, username, role, display_name):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": display_name, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        return user
