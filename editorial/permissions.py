"""Permission names in Chinese: “可添加稿件” where Django writes “Can add 稿件”.

Django names the four permissions of every model in English when it creates them, after each
migrate, and never renames them; the user and group pages list them all. After every migrate
this renames each model's add/change/delete/view permission from the model's Chinese name, so
new models and new installations get Chinese names too. Permissions declared in a model's Meta
(可签发期刊 …) keep their own names.
"""

from django.apps import apps as installed_apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import translation

ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_permission_names(**kwargs) -> None:
    """Rename the default permissions of every installed model (a post_migrate receiver)."""
    with translation.override(settings.LANGUAGE_CODE):
        wanted = {}
        for model in installed_apps.get_models(include_auto_created=True):
            for action in model._meta.default_permissions:
                if action in ACTIONS:
                    codename = f"{action}_{model._meta.model_name}"
                    wanted[(model._meta.app_label, codename)] = f"可{ACTIONS[action]}{model._meta.verbose_name}"[:255]
    renamed = []
    for permission in Permission.objects.select_related("content_type"):
        name = wanted.get((permission.content_type.app_label, permission.codename))
        if name and permission.name != name:
            permission.name = name
            renamed.append(permission)
    Permission.objects.bulk_update(renamed, ["name"])
