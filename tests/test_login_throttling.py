"""Logging in: five failures lock the account from that address (django-axes), the client's address is read
behind the configured proxies only, and `?next=` never leads off the site."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from digest_cms.client_ip import forwarded_client
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import make_user

LOGIN = "/admin/login/"


def attempt(client, username, password, *, ip="203.0.113.7", forwarded_for=None, next_url=None):
    headers = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    url = LOGIN + (f"?next={next_url}" if next_url is not None else "")
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data, **headers)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def chief(db):
    return make_user("chief", role="审核")


@pytest.mark.django_db
def test_four_failures_still_let_the_right_password_in_and_clear_the_count(client, chief):
    for _ in range(4):
        assert attempt(client, "chief", "wrong").status_code == 200
    assert attempt(client, "chief", PASSWORD).status_code == 302
    assert logged_in(client)
    assert not AccessAttempt.objects.filter(username="chief").exists()


@pytest.mark.django_db
def test_the_fifth_failure_locks_the_account_with_a_chinese_page_even_for_the_right_password(client, chief):
    for _ in range(4):
        attempt(client, "chief", "wrong")
    locked = attempt(client, "chief", "wrong")
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.text and "30 分钟后再试" in locked.text and "联系系统管理员" in locked.text
    again = attempt(client, "chief", PASSWORD)
    assert again.status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, chief, settings):
    import datetime

    for _ in range(5):
        attempt(client, "chief", "wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(hours=1))
    assert attempt(client, "chief", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_is_for_the_account_from_that_address_colleagues_elsewhere_still_log_in(client, chief):
    for _ in range(5):
        attempt(client, "chief", "wrong", ip="203.0.113.7")
    assert attempt(client, "chief", PASSWORD, ip="198.51.100.20").status_code == 302
    client.logout()
    make_user("editor2", role="编辑")
    assert attempt(client, "editor2", PASSWORD, ip="203.0.113.7").status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_forwarded_for_header_cannot_dodge_the_lock(client, chief, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        attempt(client, "chief", "wrong", forwarded_for=f"192.0.2.{n}")
    assert attempt(client, "chief", PASSWORD, forwarded_for="192.0.2.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_reader_is_told_apart_by_the_address_the_proxy_saw(client, chief, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        attempt(client, "chief", "wrong", ip="127.0.0.1", forwarded_for="203.0.113.7")
    assert attempt(client, "chief", PASSWORD, ip="127.0.0.1", forwarded_for="203.0.113.7").status_code == 429
    # The attacker's own X-Forwarded-For entries, left of the proxy's, are not believed either.
    forged = attempt(client, "chief", PASSWORD, ip="127.0.0.1", forwarded_for="198.51.100.20, 203.0.113.7")
    assert forged.status_code == 429
    assert attempt(client, "chief", PASSWORD, ip="127.0.0.1", forwarded_for="198.51.100.20").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "trusted", "client"),
    [
        ("203.0.113.7", "", (), "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),  # header ignored: no proxy configured
        ("203.0.113.7", "198.51.100.1", ("127.0.0.1",), "203.0.113.7"),  # not from the proxy: ignored
        ("127.0.0.1", "198.51.100.1", ("127.0.0.1",), "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ("127.0.0.1",), "198.51.100.1"),  # forged entry on the left
        ("10.0.0.5", "198.51.100.1, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.1"),  # two proxies in a network
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", ("10.0.0.0/8",), "10.0.0.8"),  # an internal client
        ("127.0.0.1", "not-an-ip", ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1:51234", ("127.0.0.1",), "198.51.100.1"),
        ("::1", "[2001:db8::7]:443", ("::1",), "2001:db8::7"),
        ("::ffff:127.0.0.1", "198.51.100.1", ("127.0.0.1",), "198.51.100.1"),
        ("127.0.0.1", "::ffff:198.51.100.1", ("127.0.0.1",), "198.51.100.1"),
    ],
)
def test_the_client_is_the_first_address_from_the_right_not_vouched_for_by_a_trusted_proxy(
    remote_addr, forwarded_for, trusted, client
):
    assert forwarded_client(remote_addr=remote_addr, forwarded_for=forwarded_for, trusted=trusted) == client


def test_a_mistyped_proxy_setting_stops_the_site_from_starting():
    from tests.test_settings import STRONG_KEY, run_manage

    result = run_manage(
        "check",
        env={"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x.example", "TRUSTED_PROXIES": "nginx"},
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example/",
        "http://testserver@evil.example/",
    ],
)
def test_logging_in_never_redirects_off_the_site(client, chief, next_url):
    response = attempt(client, "chief", PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_logging_in_follows_a_next_on_the_site(client, chief):
    response = attempt(client, "chief", PASSWORD, next_url="/admin/editorial/issue/")
    assert response["Location"] == "/admin/editorial/issue/"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_logging_out_never_redirects_off_the_site(client, chief, next_url):
    client.force_login(chief)
    response = client.post(reverse("admin:logout") + f"?next={next_url}")
    assert not logged_in(client)
    assert "evil.example" not in response.get("Location", "")


@pytest.mark.django_db
def test_an_administrator_lifts_a_lockout_from_the_admin(client, chief, administrator):
    for _ in range(5):
        attempt(client, "chief", "wrong")
    assert attempt(client, "chief", PASSWORD).status_code == 429
    desk = Client()
    desk.force_login(administrator)
    lockouts = desk.get(reverse("admin:axes_accessattempt_changelist"))
    assert lockouts.status_code == 200 and "chief" in lockouts.text
    assert "登录保护" in lockouts.text and "登录失败记录" in lockouts.text and "失败次数" in lockouts.text
    (entry,) = AccessAttempt.objects.filter(username="chief")
    lifted = desk.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert lifted.status_code == 302
    assert attempt(client, "chief", PASSWORD).status_code == 302


# ---------------------------------------------------------------- changing one's password with a stolen session

PASSWORD_CHANGE = "/admin/password_change/"
NEW_PASSWORD = "a-new-pass-for-tests-7"


def change_password(client, old, *, ip="203.0.113.7"):
    data = {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(PASSWORD_CHANGE, data, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_wrong_current_passwords_lock_the_password_change_like_logins(client, chief):
    client.force_login(chief)
    for _ in range(4):
        refused = change_password(client, "guess")
        assert refused.status_code == 200 and "旧密码" in refused.text
    locked = change_password(client, "guess")
    assert locked.status_code == 429
    assert "修改密码已暂时锁定" in locked.text and "30 分钟后再试" in locked.text and "联系系统管理员" in locked.text
    # Locked: even the right password is not checked, and the password stays as it was.
    assert change_password(client, PASSWORD).status_code == 429
    chief.refresh_from_db()
    assert chief.check_password(PASSWORD) and not chief.check_password(NEW_PASSWORD)
    # The same count guards logging in to the account from that address; from elsewhere it still works.
    assert attempt(Client(), "chief", PASSWORD).status_code == 429
    assert attempt(Client(), "chief", PASSWORD, ip="198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_the_right_current_password_changes_it_and_clears_the_count(client, chief):
    client.force_login(chief)
    for _ in range(4):
        change_password(client, "guess")
    assert AccessAttempt.objects.get(username="chief").failures_since_start == 4
    done = change_password(client, PASSWORD)
    assert done.status_code == 302 and done["Location"] == reverse("admin:password_change_done")
    chief.refresh_from_db()
    assert chief.check_password(NEW_PASSWORD)
    assert not AccessAttempt.objects.filter(username="chief").exists()


@pytest.mark.django_db
def test_password_change_attempts_are_logged_and_the_typed_passwords_are_kept_nowhere(client, chief, caplog):
    client.force_login(chief)
    with caplog.at_level("INFO", logger="digest_cms.security"):
        change_password(client, "my-secret-guess")
        change_password(client, PASSWORD, ip="198.51.100.20")
    lines = [record.getMessage() for record in caplog.records if record.name == "digest_cms.security"]
    assert lines == [
        "password change refused: wrong current password user=chief address=203.0.113.7",
        "password changed user=chief address=198.51.100.20",
    ]
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    stored += " ".join(AccessFailureLog.objects.values_list("username", flat=True))
    assert "my-secret-guess" not in stored and NEW_PASSWORD not in stored


@pytest.mark.django_db
def test_a_locked_password_change_is_logged(client, chief, caplog):
    client.force_login(chief)
    for _ in range(5):
        change_password(client, "guess")
    with caplog.at_level("WARNING", logger="digest_cms.security"):
        change_password(client, PASSWORD)
    assert "password change refused: locked out user=chief address=203.0.113.7" in caplog.messages


# ---------------------------------------------------------------- trusting proxies, and the access log


@pytest.mark.parametrize(
    ("trusted", "warned"),
    [
        (["127.0.0.1", "::1"], []),
        (["10.0.0.5", "10.0.0.6", "10.0.1.0/28", "2001:db8::/124"], []),
        (["10.0.0.0/8"], ["10.0.0.0/8"]),
        (["127.0.0.1", "192.168.0.0/24", "2001:db8::/64"], ["192.168.0.0/24", "2001:db8::/64"]),
        (["10.0.0.0/27"], ["10.0.0.0/27"]),
    ],
)
def test_a_system_check_warns_when_trusted_proxies_lists_more_than_a_handful_of_hosts(settings, trusted, warned):
    from digest_cms.checks import trusted_proxies_are_hosts

    settings.TRUSTED_PROXIES = trusted
    warnings = trusted_proxies_are_hosts(None)
    assert [warning.id for warning in warnings] == ["digest_cms.W001"] * len(warned)
    assert all(network in warning.msg for network, warning in zip(warned, warnings, strict=True))


def test_the_deployment_check_fails_on_a_trusted_network_such_as_a_whole_office():
    from tests.test_settings import STRONG_KEY, run_manage

    env = {"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x.example", "TRUSTED_PROXIES": "10.0.0.0/8"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "digest_cms.W001" in result.stdout + result.stderr


def gunicorn_access_line(environ: dict) -> str:
    """The line gunicorn.conf.py's access log format makes of a request that left `environ` behind."""
    import datetime
    import runpy

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("access_log_format", runpy.run_path("gunicorn.conf.py")["access_log_format"])

    class Response:
        status, sent, response_length, headers = "200 OK", 5, 5, []

    class Request:
        headers = [("X-FORWARDED-FOR", environ.get("HTTP_X_FORWARDED_FOR", ""))]

    environ = {"RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1", **environ}
    atoms = Logger(config).atoms(Response(), Request(), environ, datetime.timedelta(milliseconds=2))
    return config.access_log_format % Logger.atoms_wrapper_class(atoms)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "logged"),
    [
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7 127.0.0.1"),  # the forged entry on the left is not logged
        ("198.51.100.9", "6.6.6.6", "198.51.100.9 198.51.100.9"),  # not from the proxy: the header is ignored
    ],
)
def test_the_access_log_names_the_client_as_resolved_through_the_trusted_proxies(
    client, settings, remote_addr, forwarded_for, logged
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get("/healthz", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)
    line = gunicorn_access_line(response.wsgi_request.META)
    assert line.startswith(f'{logged} "GET / HTTP/1.1" 200'), line
    assert "6.6.6.6" not in line
