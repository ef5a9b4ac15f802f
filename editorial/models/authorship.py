"""Who last touched a record: the pair of user columns the office's records carry (创建人/登记人, 最后修改人)."""

from django.conf import settings
from django.db import models


def user_column(verbose_name: str) -> models.ForeignKey:
    """A user column set by the services, never by a form; the record outlives the account (SET_NULL)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=verbose_name,
    )
