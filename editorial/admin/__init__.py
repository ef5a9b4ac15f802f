"""The editorial admin: one module per concern, each registering its own ModelAdmins."""

from . import articles, issues, reference, users  # noqa: F401  (imported to register)
