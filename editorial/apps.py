from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = "编辑部"

    def ready(self):
        from .permissions import chinese_permission_names

        # After Django has created each app's permissions (django.contrib.auth connects first).
        post_migrate.connect(chinese_permission_names, dispatch_uid="editorial.chinese_permission_names")
