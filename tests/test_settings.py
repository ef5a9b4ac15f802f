"""The settings are read from the environment, and production mode is safe by default."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x7Qp9vR2sL5mN8tW1zY4bC6dF0gH3jK" * 2


def run_manage(*args, env):
    """manage.py in a fresh environment: only the given variables, plus what finds programs and the database."""
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "DATABASE_URL") if key in os.environ}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deployment_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "digest.example.gov.cn"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def readme_production_environment() -> dict[str, str]:
    """The production environment file the README's Deployment section documents, placeholders filled in."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(DEBUG=0\n.*?)```", readme, re.DOTALL).group(1)
    env = {}
    for line in block.splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.split("=", 1)
        value = re.sub(r"\s+#.*$", "", value).strip()
        env[name] = STRONG_KEY if name == "SECRET_KEY" else value.replace("…", "placeholder")
    return env


def test_the_readmes_production_environment_passes_the_deployment_check_honestly(tmp_path):
    env = {**readme_production_environment(), "VAR_DIR": str(tmp_path)}
    assert env["SECURE_SSL_REDIRECT"] == "proxy" and "TRUSTED_PROXIES" in env
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    # Without the statement that the proxy redirects, nothing redirects: the check says so.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**env, "SECURE_SSL_REDIRECT": "0"})
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr


def test_only_the_proxy_statement_turns_off_djangos_own_redirect():
    code = "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SILENCED_SYSTEM_CHECKS)"
    outputs = {}
    for value in ("proxy", "PROXY", "0", "1", ""):
        env = {"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x.example", "SECURE_SSL_REDIRECT": value}
        result = run_manage("shell", "--no-imports", "-c", code, env=env)
        assert result.returncode == 0, result.stderr
        outputs[value] = result.stdout.strip()
    assert outputs == {
        "proxy": "False ['security.W008']",
        "PROXY": "False ['security.W008']",
        "0": "False []",
        "1": "True []",
        "": "True []",
    }


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DEBUG": "0", "ALLOWED_HOSTS": "digest.example.gov.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env={"DEBUG": "0", "SECRET_KEY": STRONG_KEY})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_the_site_speaks_simplified_chinese_in_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_database_connections_persist_with_health_checks(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_a_shared_s3_store_is_chosen_by_the_environment_alone():
    options = '{"bucket_name": "digest-files", "endpoint_url": "https://s3.example.internal", "file_overwrite": true}'
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.files.storage import storages; s = storages['default']; print(type(s).__name__, s.bucket_name, s.endpoint_url)",
        env={
            "DEBUG": "1",
            "DEFAULT_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
            "DEFAULT_STORAGE_OPTIONS": options,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "digest-files", "https://s3.example.internal"]


def test_the_legacy_import_size_limit_comes_from_the_environment():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.LEGACY_IMPORT_MAX_BYTES)",
        env={"DEBUG": "1", "LEGACY_IMPORT_MAX_BYTES": "500000"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500000"


def test_the_site_speaks_chinese_whatever_language_a_browser_asks_for(client, admin_user):
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans"' in login.text
    assert "用户名" in login.text and "Username" not in login.text
    client.force_login(admin_user)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "常用操作" in index.text and "本周的期刊" in index.text and "Recent actions" not in index.text
    assert "Accept-Language" not in client.get("/issues/", HTTP_ACCEPT_LANGUAGE="en").get("Vary", "")
