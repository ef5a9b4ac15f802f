"""The editorial admin: one module per concern, each registering its own ModelAdmins."""

from . import accounts, achievements, articles, delivery, issues, reference  # noqa: F401  (imported to register)
