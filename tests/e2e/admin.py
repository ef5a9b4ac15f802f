"""Signing in to the admin in the browser."""

import re

from tests.factories import TEST_PASSWORD


def log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in as `username` (signing out whoever was signed in) and wait for the admin index."""
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
