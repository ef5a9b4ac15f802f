"""Fill a development database with demo issues and the three demo accounts."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

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
        for username, role, display_name in DEMO_ACCOUNTS:
            self._ensure_account(username, role, display_name)
        self.stdout.write(f"演示账号：editor / reviewer / admin，密码 {DEMO_PASSWORD}")

    def _ensure_account(self, username, role, display_name):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": display_name, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
