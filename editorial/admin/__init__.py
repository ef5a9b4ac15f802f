"""The editorial admin: one module per concern, each registering its own ModelAdmins."""

from . import achievements, articles, delivery, issues, reference, users  # noqa: F401  (imported to register)
