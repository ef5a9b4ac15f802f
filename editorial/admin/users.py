"""Users and roles in the admin, in Chinese: nobody hands out rights they do not hold themselves.

Django's stock user admin shows 超级用户状态 to anyone who may change users, so a 管理员 could make
itself (or anyone) a superuser. Here, for everyone but superusers:

- superuser status is neither shown nor accepted, and the 管理员 group is neither offered nor listed
  (its members keep it when someone else saves them);
- the groups offered are those whose every permission the acting user holds, and the permissions
  offered are the acting user's own;
- a user or group holding a right the acting user lacks — a superuser above all — may be viewed but
  not changed, given a new password or deleted: taking such an account over is the same escalation.

All of it is enforced on the server: the forms' choice lists are the limits, and the views check
the rules above, whatever a browser sends.

The user list shows each person's roles and yes/no in words: Django's boolean columns are icons
whose alt text is “True”/“False” (read aloud as English), and the password form's warning about
disabling password login is not translatable; both are replaced here.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as StockGroupAdmin
from django.contrib.auth.admin import UserAdmin as StockUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q, QuerySet
from django.utils.html import format_html_join

from ..formatting import yes_no

ADMINISTRATORS = "管理员"
USABLE_PASSWORD_HELP = "是否允许这个用户用密码登录。关闭后，他可能仍能通过单点登录等其他方式登录。"


class PasswordChangeForm(AdminPasswordChangeForm):
    usable_password_help_text = (
        USABLE_PASSWORD_HELP
        + '<ul id="id_unusable_warning" class="messagelist"><li class="warning">关闭后，这个用户现在的密码将失效。</li></ul>'
    )


# Replaced by the classes below.
admin.site.unregister(User)
admin.site.unregister(Group)


def _held(request) -> set[int] | None:
    """The pks of the permissions the acting user holds (directly or through groups); None for a superuser."""
    if not hasattr(request, "_held_permissions"):
        user = request.user
        request._held_permissions = None if user.is_superuser else set(_permissions_of(user=user))
    return request._held_permissions


def _permissions_of(*, user=None, group=None) -> QuerySet:
    if group is not None:
        return group.permissions.values_list("pk", flat=True)
    return Permission.objects.filter(Q(user=user) | Q(group__user=user)).values_list("pk", flat=True).distinct()


def offered_permissions(request) -> QuerySet[Permission]:
    """The permissions the acting user may grant: its own."""
    held = _held(request)
    permissions = Permission.objects.select_related("content_type")
    return permissions if held is None else permissions.filter(pk__in=held)


def offered_groups(request) -> QuerySet[Group]:
    """The groups the acting user may assign: every one for a superuser; else those within its own rights."""
    held = _held(request)
    if held is None:
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=held)
    return Group.objects.exclude(name=ADMINISTRATORS).exclude(permissions__in=beyond)


def may_manage_user(request, user: User) -> bool:
    """Whether the acting user may change, set the password of or delete `user`."""
    held = _held(request)
    if held is None:
        return True
    return not user.is_superuser and set(_permissions_of(user=user)) <= held


def may_manage_group(request, group: Group) -> bool:
    held = _held(request)
    if held is None:
        return True
    return group.name != ADMINISTRATORS and set(_permissions_of(group=group)) <= held


class OfferedGroupsFilter(admin.RelatedFieldListFilter):
    """The 组 filter of the user list, listing only the groups the acting user may assign."""

    def field_choices(self, field, request, model_admin):
        return [(group.pk, str(group)) for group in offered_groups(request).order_by("name")]


def _refuse_unmanageable(request, objs, may_manage, perms_needed) -> None:
    # The bulk 删除 action checks only the model permission: name what may not go, and the action refuses.
    for obj in objs:
        if not may_manage(request, obj):
            perms_needed.add(f"{obj._meta.verbose_name}“{obj}”")


@admin.register(User)
class UserAdmin(StockUserAdmin):
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

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ["is_staff", "is_active", ("groups", OfferedGroupsFilter)]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.startswith("is_superuser") and not (request and request.user.is_superuser):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field != "is_superuser"]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = offered_groups(request)
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = offered_permissions(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        kept = self._kept_groups(request, obj) if obj is not None else []
        if kept and "groups" in form.base_fields:
            form.base_fields["groups"].help_text = f"此用户另属于 {len(kept)} 个您无权调整的组，保存时保持不变。"
        return form

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_user(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_user(request, obj))

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        _refuse_unmanageable(request, objs, may_manage_user, perms_needed)
        return deleted, counts, perms_needed, protected

    def save_related(self, request, form, formsets, change):
        # The form only offers what the acting user may assign; what it cannot see stays as it was.
        kept_groups = self._kept_groups(request, form.instance) if change else []
        held = _held(request)
        kept_permissions = (
            list(form.instance.user_permissions.exclude(pk__in=held)) if change and held is not None else []
        )
        super().save_related(request, form, formsets, change)
        form.instance.groups.add(*kept_groups)
        form.instance.user_permissions.add(*kept_permissions)

    def _kept_groups(self, request, user: User) -> list[Group]:
        if request.user.is_superuser:
            return []
        return list(user.groups.exclude(pk__in=offered_groups(request).values("pk")))


@admin.register(Group)
class GroupAdmin(StockGroupAdmin):
    def get_queryset(self, request):
        groups = super().get_queryset(request)
        return groups if request.user.is_superuser else groups.exclude(name=ADMINISTRATORS)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = offered_permissions(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_group(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_group(request, obj))

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        _refuse_unmanageable(request, objs, may_manage_group, perms_needed)
        return deleted, counts, perms_needed, protected
