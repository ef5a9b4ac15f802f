"""The commands that can stay running (`--every N`): one loop that outlives database restarts and stops on Ctrl-C."""

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections


def check_every(every: int | None) -> None:
    if every is not None and every < 1:
        raise CommandError("--every 必须是正整数（秒）。")


def repeat(command: BaseCommand, *, every: int, what: str, one_round: Callable[[], object]) -> None:
    """Run `one_round` every `every` seconds until interrupted; `what` names the work in the command's messages."""
    command.stdout.write(f"{what}已启动：每 {every} 秒一次。")
    try:
        while True:
            close_old_connections()
            try:
                one_round()
            except DatabaseError as error:
                # A database restart must not end the loop; the next round tries again.
                command.stderr.write(f"{what}失败（{error}），{every} 秒后重试。")
            time.sleep(every)
    except KeyboardInterrupt:
        command.stdout.write(f"{what}已停止。")
