"""App configurations: the admin on the project's own site (the workbench as its home), django-axes in Chinese."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class DigestAdminConfig(AdminConfig):
    """django.contrib.admin with `admin.site` the newsroom's site (editorial/workbench.py, on digest_cms/admin_site.py)."""

    default_site = "editorial.workbench.NewsroomAdminSite"


class LoginProtectionConfig(AxesAppConfig):
    """django-axes; its models' labels are in locale/. Registers the check of TRUSTED_PROXIES, which it relies on."""

    verbose_name = "登录保护"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401  (imported to register)
