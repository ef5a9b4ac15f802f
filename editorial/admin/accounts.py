"""Users in the admin, in Chinese: Django's UserAdmin with its roles shown, yes/no in words, and Chinese help.

Django's boolean columns are icons whose alt text is “True”/“False” (read aloud as English), and the
password form's warning about disabling password login is not translatable; both are replaced here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import User
from django.utils.html import format_html_join

USABLE_PASSWORD_HELP = "是否允许这个用户用密码登录。关闭后，他可能仍能通过单点登录等其他方式登录。"


class PasswordChangeForm(AdminPasswordChangeForm):
    usable_password_help_text = (
        USABLE_PASSWORD_HELP
        + '<ul id="id_unusable_warning" class="messagelist"><li class="warning">关闭后，这个用户现在的密码将失效。</li></ul>'
    )


def yes_no(value: bool) -> str:
    return "是" if value else "否"


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ["username", "full_name", "roles", "staff", "active", "last_login"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="姓名")
    def full_name(self, user):
        return user.get_full_name() or "—"

    @admin.display(description="角色")
    def roles(self, user):
        return format_html_join("、", "{}", ((group.name,) for group in user.groups.all())) or "—"

    @admin.display(description="可登录后台", ordering="is_staff")
    def staff(self, user):
        return yes_no(user.is_staff)

    @admin.display(description="有效", ordering="is_active")
    def active(self, user):
        return yes_no(user.is_active)
