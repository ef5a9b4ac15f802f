"""The application log's line for each editorial action, written once the action's transaction has committed.

    editorial action=arrange issue=193 user=王编辑
    editorial action=article_move article=4211 from=193 to=pool user=王编辑

Every write in `services` and every workflow transition logs one; a write that is rolled back logs nothing.
"""

import json
import logging
from functools import partial

from django.db import transaction

from .formatting import actor_name

logger = logging.getLogger("editorial.activity")


def format_line(action: str, *, user, **details) -> str:
    """`editorial action=… key=value …`; a value with spaces, quotes or `=` is quoted so the line splits cleanly."""
    fields = {"action": action, **details, "user": actor_name(user)}
    parts = []
    for key, value in fields.items():
        if value is None or value == "":
            continue
        text = str(value)
        if any(char.isspace() or char in '"=' for char in text):
            text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return "editorial " + " ".join(parts)


def log_action(action: str, *, user, **details) -> None:
    """Log the action after the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(partial(logger.info, "%s", format_line(action, user=user, **details)))
