"""django-axes under a Chinese name in the admin's sidebar (its models' labels are in locale/)."""

from axes.apps import AppConfig as AxesAppConfig


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = "登录保护"
