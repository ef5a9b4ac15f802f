"""Users and groups in the admin: a 管理员 cannot make anyone a superuser, hand out the 管理员 group or grant
rights it lacks, nor take over an account that holds more — checked through the admin's own pages and posts."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def user_form(user: User, **changes) -> dict:
    """What a 管理员's browser posts for `user` as it is (the 管理员 group is not on its form), with `changes`."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.exclude(name="管理员")],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def rights(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
        user.password,
    )


@pytest.fixture
def desk(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password="root-pass-for-tests-3")


def a_permission_administrators_lack() -> Permission:
    return Permission.objects.get(content_type__app_label="admin", codename="delete_logentry")


def test_an_administrator_is_not_shown_superuser_status_or_the_administrators_group(desk, administrator, editor):
    for user in (administrator, editor):
        page = desk.get(change_url(user))
        assert page.status_code == 200
        form = page.context["adminform"].form
        assert "is_superuser" not in form.fields
        assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {"编辑", "审核"}
        assert 'name="is_superuser"' not in page.text


def test_an_administrator_cannot_make_itself_a_superuser(desk, administrator):
    before = rights(administrator)
    response = desk.post(change_url(administrator), user_form(administrator, is_superuser="on"))
    assert response.status_code == 302
    assert rights(administrator) == before


def test_an_administrator_cannot_make_anyone_a_superuser_or_an_administrator(desk, editor):
    before = rights(editor)
    desk.post(change_url(editor), user_form(editor, is_superuser="on"))
    assert rights(editor) == before
    refused = desk.post(change_url(editor), user_form(editor, groups=[group("编辑").pk, group("管理员").pk]))
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["groups"]
    assert rights(editor) == before


def test_an_administrator_cannot_grant_a_permission_it_lacks_itself_or_through_a_group(desk, administrator, editor):
    lacking = a_permission_administrators_lack()
    for user in (editor, administrator):
        before = rights(user)
        refused = desk.post(change_url(user), user_form(user, user_permissions=[lacking.pk]))
        assert refused.status_code == 200 and refused.context["adminform"].form.errors["user_permissions"]
        assert rights(user) == before
    powerful = Group.objects.create(name="审计")
    powerful.permissions.add(lacking)
    before = rights(editor)
    refused = desk.post(change_url(editor), user_form(editor, groups=[powerful.pk]))
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["groups"]
    assert rights(editor) == before


def test_an_administrator_still_assigns_roles_and_rights_it_holds(desk, editor):
    publish = Permission.objects.get(codename="publish_issue")
    response = desk.post(
        change_url(editor), user_form(editor, groups=[group("审核").pk], user_permissions=[publish.pk])
    )
    assert response.status_code == 302
    assert rights(editor)[2:4] == (["审核"], ["publish_issue"])


def test_saving_a_fellow_administrator_keeps_its_administrator_group(desk, administrator):
    colleague = make_user("colleague", role="管理员")
    page = desk.get(change_url(colleague))
    assert "您无权调整的组" in page.text
    response = desk.post(change_url(colleague), user_form(colleague, groups=[], first_name="同事"))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.first_name == "同事" and list(colleague.groups.values_list("name", flat=True)) == ["管理员"]
    desk.post(change_url(administrator), user_form(administrator, groups=[group("编辑").pk]))
    assert sorted(administrator.groups.values_list("name", flat=True)) == ["管理员", "编辑"]


def test_a_superuser_account_cannot_be_changed_given_a_password_or_deleted_by_an_administrator(desk, root):
    before = rights(root)
    page = desk.get(change_url(root))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert "is_superuser" not in page.text and "超级用户状态" not in page.text
    assert desk.post(change_url(root), user_form(root, is_active="", first_name="x")).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    data = {"password1": "taken-over-pass-9", "password2": "taken-over-pass-9", "usable_password": "true"}
    assert desk.get(password_url).status_code == 403
    assert desk.post(password_url, data).status_code == 403
    assert desk.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    bulk = desk.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert rights(root) == before and User.objects.filter(pk=root.pk).exists()


def test_an_account_holding_rights_the_administrator_lacks_cannot_be_taken_over(desk):
    auditor = make_user("auditor", role="编辑")
    auditor.user_permissions.add(a_permission_administrators_lack())
    before = rights(auditor)
    password_url = reverse("admin:auth_user_password_change", args=[auditor.pk])
    assert desk.post(password_url, {"password1": "taken-over-9x", "password2": "taken-over-9x"}).status_code == 403
    assert desk.post(change_url(auditor), user_form(auditor)).status_code == 403
    assert rights(auditor) == before


def test_an_administrator_still_resets_an_editors_password(desk, editor):
    password_url = reverse("admin:auth_user_password_change", args=[editor.pk])
    data = {"password1": "a-fresh-pass-for-9", "password2": "a-fresh-pass-for-9", "usable_password": "true"}
    assert desk.post(password_url, data).status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("a-fresh-pass-for-9")


def test_the_user_list_neither_filters_nor_lists_by_superuser_status_or_the_administrators_group(desk, root):
    page = desk.get(reverse("admin:auth_user_changelist"))
    assert page.status_code == 200
    assert "is_superuser" not in page.text
    filters = {
        spec.title: [choice["display"] for choice in spec.choices(page.context["cl"])]
        for spec in page.context["cl"].filter_specs
    }
    assert "管理员" not in str(filters)
    assert desk.get(reverse("admin:auth_user_changelist"), {"is_superuser__exact": "1"}).status_code == 400


def test_the_administrators_group_is_out_of_sight_and_other_groups_get_only_rights_the_administrator_holds(desk):
    administrators = group("管理员")
    groups = desk.get(reverse("admin:auth_group_changelist"))
    assert "管理员" not in [str(item) for item in groups.context["cl"].result_list]
    before = sorted(administrators.permissions.values_list("pk", flat=True))
    lacking = a_permission_administrators_lack()
    change_administrators = reverse("admin:auth_group_change", args=[administrators.pk])
    desk.post(change_administrators, {"name": "管理员", "permissions": [*before, lacking.pk]})
    assert sorted(administrators.permissions.values_list("pk", flat=True)) == before
    editors = group("编辑")
    editors_before = sorted(editors.permissions.values_list("pk", flat=True))
    refused = desk.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": "编辑", "permissions": [*editors_before, lacking.pk]},
    )
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["permissions"]
    assert sorted(editors.permissions.values_list("pk", flat=True)) == editors_before


def test_a_superuser_sees_and_grants_everything(root, editor):
    client = Client()
    client.force_login(root)
    page = client.get(change_url(editor))
    assert "is_superuser" in page.context["adminform"].form.fields
    response = client.post(change_url(editor), user_form(editor, is_superuser="on", groups=[group("管理员").pk]))
    assert response.status_code == 302
    assert rights(editor)[0] is True and rights(editor)[2] == ["管理员"]
