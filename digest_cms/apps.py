"""The project's app configurations: the admin with its own site, django-axes under a Chinese name."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class DigestAdminConfig(AdminConfig):
    """django.contrib.admin with `admin.site` a DigestAdminSite (digest_cms/admin_site.py)."""

    default_site = "digest_cms.admin_site.DigestAdminSite"


class LoginProtectionConfig(AxesAppConfig):
    """django-axes; its models' labels are in locale/. Registers the check of TRUSTED_PROXIES, which it relies on."""

    verbose_name = "登录保护"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401  (imported to register)
