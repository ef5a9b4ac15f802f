"""App configurations: the admin with the newsroom's workbench as its home page, and django-axes under a Chinese name."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    default_site = "editorial.workbench.NewsroomAdminSite"


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = "登录保护"
