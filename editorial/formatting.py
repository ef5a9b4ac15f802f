"""How the office writes dates, times and people's names, in one place for the admin, the site, logs and print."""

import datetime

from django.utils import timezone


def chinese_date(date: datetime.date | None) -> str:
    """2020年10月30日 (no leading zeros), the way the masthead prints dates; empty for no date."""
    return f"{date.year}年{date.month}月{date.day}日" if date else ""


def format_time(moment: datetime.datetime | None) -> str:
    """A moment in the office's time zone, as editors write it: 2026年11月20日 09:00."""
    if moment is None:
        return "（未知时间）"
    local = timezone.localtime(moment)
    return f"{chinese_date(local)} {local:%H:%M}"


def format_short_time(moment: datetime.datetime | None) -> str:
    """A moment for a crowded list: 11月26日 21:07, with the year only when it is not this year's."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    year = "" if local.year == timezone.localtime().year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def actor_name(user) -> str:
    """How the admin names a person in messages and logs: full name, else username; 系统 for automatic steps."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def yes_no(value: bool) -> str:
    """是 or 否, as lists show a yes/no value in words (Django's icons read aloud as “True”/“False”)."""
    return "是" if value else "否"
