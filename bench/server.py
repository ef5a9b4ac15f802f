"""A production-like app server on this machine, and a client for it: used by the benchmarks and the two-instance test.

`Gunicorn` starts `gunicorn -c gunicorn.conf.py digest_cms.wsgi` in its own process group with an
environment from `production_env` (DEBUG off, plain HTTP on the loopback) and waits for /healthz;
`Client` makes sequential keep-alive requests, keeps cookies, and signs in through the admin's form.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TEST_SECRET_KEY = "bench-only-secret-key-" + "x" * 40


def run(args: list[str], env: dict, *, root: Path = ROOT) -> None:
    subprocess.run(args, cwd=root, env=env, check=True)


def manage(*args: str, env: dict, root: Path = ROOT) -> None:
    """`manage.py` of this checkout, or of another one at `root` (security/probe.py runs an older release)."""
    run([PYTHON, "manage.py", *args], env, root=root)


def shell(code: str, *, env: dict, root: Path = ROOT) -> str:
    """Run Python code with Django set up (`manage.py shell -c`); what it printed."""
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def production_env(*, port: int, var_dir: Path, cache_url: str = "", **extra: str) -> dict:
    """The environment of a production server on this machine: DEBUG off, HTTP (no TLS proxy), files under var_dir."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": TEST_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: production's HTTPS redirect and secure cookies would lock the client out.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        **extra,
    }
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


# The bench's own Redis database (flushed at the start of each run).
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/10"


# What a request nobody made before has to work out: its page and, for a search, the ranking of its hits.
FORGOTTEN = ("*:page:*", "*:search-results:*")


class SharedCache:
    """The server's Redis cache, seen from the bench: emptied before a run, and its rendered pages forgotten.

    A page's cache key holds only the parameters the page reads, so an extra parameter no longer makes
    a request new; a measurement of rendered pages forgets the stored ones (and the search rankings)
    before each request instead.
    """

    def __init__(self, cache_url: str):
        import redis

        self.url = cache_url
        self.redis = redis.Redis.from_url(cache_url, socket_connect_timeout=2)
        try:
            self.redis.ping()
        except redis.RedisError as exc:
            raise SystemExit(f"Redis at {cache_url} does not answer ({exc}); start it or set CACHE_URL.") from exc

    def flush(self) -> None:
        self.redis.flushdb()

    def forget_pages(self) -> None:
        """Drop every stored page and search ranking (`<prefix>:<version>:page:<key>` …), keeping the other values.

        What is left is what any request finds warm on a live site: values kept per archive state.
        """
        keys = [key for pattern in FORGOTTEN for key in self.redis.scan_iter(match=pattern, count=1000)]
        if keys:
            self.redis.delete(*keys)


def wait_until_up(port: int, process: subprocess.Popen, *, log: Path | None = None) -> None:
    for _ in range(150):
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}).\n{tail}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 30 s.")


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py in its own process group; stdout and stderr to `log`."""

    def __init__(self, env: dict, *, port: int, log: Path, recycle_workers: bool = True, root: Path = ROOT):
        self.env, self.port, self.log, self.root = env, port, log, root
        self.command = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        if not recycle_workers:
            # Steady-state workers: gunicorn.conf.py replaces each after ~20,000 requests, a few times a
            # minute at wrk's pace, and every fresh worker starts with cold caches.
            self.command += ["--max-requests", "0"]
        self.command.append("digest_cms.wsgi")
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command, cwd=self.root, env=self.env, stdout=output, stderr=output, start_new_session=True
            )
        wait_until_up(self.port, self.process, log=self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)

    def restart(self) -> None:
        self.stop()
        self.start()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def memory(self) -> dict:
        """Resident (RSS) and proportional (PSS: shared pages split among the processes sharing them) memory, MB."""
        workers = [process_memory(pid) for pid in self.worker_pids()]
        return {
            "master": process_memory(self.process.pid),
            "workers": workers,
            "worker_rss_mb_max": max(worker["rss_mb"] for worker in workers),
            "worker_pss_mb_sum": round(sum(worker["pss_mb"] for worker in workers), 1),
        }

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ServerCpu:
    """CPU seconds spent so far by the app server (master and workers) and by the database's backends on this machine.

    Latency on a shared machine depends on what else runs; the CPU a request costs does not.
    """

    def __init__(self, gunicorn: "Gunicorn", database: str):
        self.gunicorn, self.database = gunicorn, database

    def __call__(self) -> tuple[float, float]:
        app = sum(process_cpu_seconds(pid) for pid in [self.gunicorn.process.pid, *self.gunicorn.worker_pids()])
        return app, sum(process_cpu_seconds(pid) for pid in database_backend_pids(self.database))


def cpu_per_request(meter, before: tuple[float, float], requests: int) -> dict:
    """Milliseconds of app and database CPU per request since `before` (a reading of `meter`)."""
    app, database = (round((after - start) * 1000 / requests, 1) for after, start in zip(meter(), before, strict=True))
    return {"app_cpu_ms": app, "database_cpu_ms": database}


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far; 0 when it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime: fields 14 and 15 of proc(5), counted here from after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends on this machine serving `database` (their process title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            pids.append(int(entry.name))
    return pids


def process_memory(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"pid": pid, "rss_mb": round(fields["Rss"] / 1024, 1), "pss_mb": round(fields["Pss"] / 1024, 1)}


# What a reused keep-alive connection raises when the server closed it while it was idle.
CLOSED_WHILE_IDLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Client:
    """Sequential keep-alive requests, timed on the client; keeps the cookies it is given.

    gunicorn closes a connection left idle longer than its keepalive (75 s): a request that finds
    its connection closed that way is sent again once on a new one, as browsers and nginx do.
    """

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.reconnections = 0

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            start = time.perf_counter()
            response, content = self._exchange(method, path, body, headers)
        except CLOSED_WHILE_IDLE:
            self.connection.close()
            self.reconnections += 1
            start = time.perf_counter()
            response, content = self._exchange(method, path, body, headers)
        elapsed = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return elapsed, response, content

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict):
        # HTTPConnection opens a new connection by itself after close().
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def get(self, path: str) -> tuple[float, int, bytes]:
        elapsed, response, content = self.request("GET", path)
        return elapsed, response.status, content

    def submit(self, form_path: str, data: dict | list[tuple[str, str]], *, action: str | None = None):
        """Open the page with the form at `form_path`, then POST `data` with its CSRF token (to `action`, or back).

        Returns (status, Location header, body). A user's browser does the same.
        """
        page = self.get(form_path)[2].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *fields]).encode()
        port = self.connection.port
        _, response, content = self.request(
            "POST",
            action or form_path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}{form_path}",
            },
        )
        return response.status, response.getheader("Location", ""), content

    def login(self, username: str, password: str) -> None:
        """Sign in through the admin's own login form."""
        status, _, _ = self.submit("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Signing in as {username} failed (HTTP {status}).")
