"""The independent probe's findings (issue 17), reproduced against a production-mode server, by hand.

    .venv/bin/python security/probe.py --json security/results/probe-after.json
    git archive <commit before the fixes> | tar -x -C /tmp/digest-before
    .venv/bin/python security/probe.py --root /tmp/digest-before --json security/results/probe-before.json

--root names a checkout to serve (default this one), so the same requests run against the code before
the fixes. Each run makes a fresh SQLite database in a temporary folder: 12 generated published issues,
one issue imported from a legacy file as a draft whose contents name a section nobody else uses, an
issue whose articles carry spreadsheet formulas in every form the probe sent, a 管理员 and a 审核
account. gunicorn serves it as production does (gunicorn.conf.py, DEBUG off, 4 workers) behind
"nginx on the same host" (TRUSTED_PROXIES=127.0.0.1), with Redis as the shared cache (--cache-url,
under a key prefix of its own; nothing else in that database is touched).

Finding 7 (If-None-Match: * on a missing page) and the fast lane's stamp dictionary belong to the
page-cache work (issue 12) and are not reproduced here.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import PYTHON, TEST_SECRET_KEY, Client, Gunicorn, manage, production_env, shell  # noqa: E402

PASSWORD = "probe-pass-for-tests-4"
FORMULA_FORMS = [
    '=HYPERLINK("http://probe.example","点我")',
    '＝HYPERLINK("http://probe.example")',
    "＋1+1",
    "－2+3",
    "＠SUM(A1)",
    " =1+1",
    "\n=1+1",
    'x;=HYPERLINK("http://probe.example")',
]
SIGNS = "=+-@＝＋－＠﹦﹢﹣﹫"
SETUP = """
import io, os, re
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from editorial.models import Article, Issue, Section
quiet = io.StringIO()
call_command("generate_archive", "--issues", "12", "--seed", "17", stdout=quiet)
for name, role in (("probe-admin", "管理员"), ("probe-chief", "审核")):
    user = User.objects.create_user(name, password=os.environ["PROBE_PASSWORD"], is_staff=True)
    user.groups.add(Group.objects.get(name=role))
text = open(os.environ["PROBE_LEGACY"], encoding="utf-8").read()
text = text.replace("第 193 期", "第 9001 期").replace("域外动态", "内部通报专题")
path = os.path.join(os.environ["VAR_DIR"], "draft-9001.txt")
open(path, "w", encoding="utf-8").write(text)
call_command("import_legacy", path, "--status", "draft", stdout=quiet)
issue = Issue.objects.get(number=1)
section = Section.objects.order_by("position").first()
for position, form in enumerate(os.environ["PROBE_FORMULAS"].split("\\x1e"), start=1000):
    Article.objects.create(issue=issue, section=section, position=position, title=form[:200], body=form)
print(Section.objects.get(name="内部通报专题").slug, User.objects.get(username="probe-admin").pk)
"""


def read_as_formula(piece: str) -> bool:
    return re.sub(r'^[\s"]+', "", piece)[:1] in set(SIGNS)


def formula_cells(csv_text: str) -> int:
    """Pieces of the CSV a spreadsheet may take for a cell (cut at , ; tab and line breaks) that start a formula."""
    return sum(read_as_formula(piece) for piece in re.split(r"[,;\t\r\n]", csv_text))


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_token(client: Client, path: str) -> str:
    page = client.get(path)[2].decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def post_form(client: Client, path: str, data: list[tuple[str, str]]):
    body = urllib.parse.urlencode([("csrfmiddlewaretoken", csrf_token(client, path)), *data]).encode()
    port = client.connection.port
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}{path}"}
    _, response, content = client.request("POST", path, body=body, headers=headers)
    return response.status, response.getheader("Location", ""), content


def raw_get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def at_once(port: int, paths: list[str]) -> list[tuple[int, dict]]:
    results: list = [None] * len(paths)
    barrier = threading.Barrier(len(paths))

    def fetch(index):
        barrier.wait()
        status, headers, _ = raw_get(port, paths[index])
        results[index] = (status, headers)

    threads = [threading.Thread(target=fetch, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def readme_environment(root: Path, var_dir: Path) -> dict:
    block = re.search(r"```sh\n(DEBUG=0\n.*?)```", (root / "README.md").read_text(), re.DOTALL).group(1)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "VAR_DIR": str(var_dir)}
    for line in block.splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = re.sub(r"\s+#.*$", "", value).strip().replace("…", "placeholder")
    env["SECRET_KEY"] = TEST_SECRET_KEY
    return env


def check(root: Path, env: dict) -> tuple[int, list[str]]:
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.returncode, sorted(set(re.findall(r"\(([a-z_]+\.[A-Z]\d{3})\)", result.stdout + result.stderr)))


def probe(root: Path, *, port: int, cache_url: str) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="probe-"))
    log = workdir / "access.log"
    prefix = f"probe-{uuid.uuid4().hex[:8]}"
    try:
        return _probe(root, port=port, cache_url=cache_url, workdir=workdir, log=log, prefix=prefix)
    finally:
        shared = redis.Redis.from_url(cache_url)
        for key in shared.scan_iter(f"{prefix}:*"):
            shared.delete(key)


def _probe(root: Path, *, port: int, cache_url: str, workdir: Path, log: Path, prefix: str) -> dict:
    env = production_env(
        port=port,
        var_dir=workdir,
        cache_url=cache_url,
        DATABASE_URL=f"sqlite:///{workdir / 'probe.sqlite3'}",
        CACHE_KEY_PREFIX=prefix,
        TRUSTED_PROXIES="127.0.0.1",
        GUNICORN_WORKERS="4",
        GUNICORN_ACCESS_LOG=str(log),
        GUNICORN_PROC_NAME=f"digest-probe-{port}",
        PROBE_PASSWORD=PASSWORD,
        PROBE_LEGACY=str(ROOT.parent / "shared/samples/legacy/2020-193.txt"),
        PROBE_FORMULAS="\x1e".join(FORMULA_FORMS),
    )
    manage("migrate", "--no-input", "-v", "0", env=env, root=root)
    manage("collectstatic", "--no-input", "-v", "0", env=env, root=root)
    draft_section, admin_pk = shell(SETUP, env=env, root=root).split()
    found: dict = {}
    with Gunicorn(env, port=port, log=workdir / "gunicorn.log", root=root):
        anonymous = Client(port)
        desk = Client(port)
        desk.login("probe-admin", PASSWORD)

        # 1. A section only a draft uses, and the slug the legacy import gave it.
        status, _, body = raw_get(port, f"/sections/{draft_section}/")
        found["1 draft section page"] = {
            "slug": draft_section,
            "status": status,
            "name shown": "内部通报专题" in body.decode(errors="replace"),
        }

        # 2. Odd years, public and admin.
        odd = {"/issues/?year=0000": anonymous}
        for path in (
            "/admin/editorial/issue/?year=0",
            "/admin/editorial/issue/?year=10000",
            "/admin/editorial/article/?year=0",
            "/admin/editorial/issue/?date__year=0",
            "/admin/auth/user/?date_joined__year=10000",
        ):
            odd[path] = desk
        found["2 odd years"] = {path: client.get(path)[1] for path, client in odd.items()}

        # 3. Guessing the current password with a signed-in session.
        stolen = Client(port)
        stolen.login("probe-chief", PASSWORD)
        guesses = []
        for n in range(7):
            data = [
                ("old_password", f"guess-{n}"),
                ("new_password1", "x-New-pass-77"),
                ("new_password2", "x-New-pass-77"),
            ]
            guesses.append(post_form(stolen, "/admin/password_change/", data)[0])
        found["3 password change guesses"] = guesses

        # 5. The access log behind the proxy: a forged entry left of what nginx appended.
        raw_get(port, "/healthz?probe=forwarded", {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
        time.sleep(0.5)
        line = next(line for line in log.read_text().splitlines() if "probe=forwarded" in line)
        found["5 access log line"] = line.split(' "', 1)[0]
        wide = {**readme_environment(root, workdir), "TRUSTED_PROXIES": "10.0.0.0/8", "SECURE_SSL_REDIRECT": "1"}
        found["5 check with TRUSTED_PROXIES=10.0.0.0/8"] = check(root, wide)

        # 6. The article export as CSV: cells a spreadsheet (any list separator) would run as formulas.
        export = "/admin/editorial/article/export/"
        page = desk.get(export)[2].decode()
        boxes = sorted(set(re.findall(r'type="checkbox" name="([^"]+)"', page)))
        csv_index = re.search(r'<option value="(\d+)"[^>]*>\s*csv\s*</option>', page, re.IGNORECASE).group(1)
        status, _, content = post_form(
            desk, export, [("format", csv_index), ("resource", "0")] + [(b, "on") for b in boxes]
        )
        found["6 formula cells in the CSV export"] = formula_cells(content.decode("utf-8-sig"))

        # 8. The deployment check with the README's own production environment.
        found["8 check --deploy with the README's environment"] = check(root, readme_environment(root, workdir))

        # 9a. A spreadsheet preview never confirmed, an hour later, when the next one is uploaded.
        importing = "/admin/editorial/section/import/"
        page = desk.get(importing)[2].decode()
        csv_format = re.search(r'<option value="(\d+)"[^>]*>\s*csv\s*</option>', page, re.IGNORECASE).group(1)
        parked = workdir / "media" / "django-import-export"
        for name in ("first.csv", "second.csv"):
            sheet = f"栏目名称,网址名,默认顺序,常设栏目\n{name},probe-{name[:5]},{90 + len(name)},否\n".encode()
            body, content_type = multipart(
                {"csrfmiddlewaretoken": csrf_token(desk, importing), "resource": "0", "format": csv_format},
                {"import_file": (name, sheet)},
            )
            desk.request(
                "POST",
                importing,
                body=body,
                headers={"Content-Type": content_type, "Referer": f"http://127.0.0.1:{port}{importing}"},
            )
            if name == "first.csv":
                for file in parked.iterdir():
                    an_hour_ago = time.time() - 3700
                    os.utime(file, (an_hour_ago, an_hour_ago))
        found["9 parked previews after an hour and one more upload"] = len(list(parked.iterdir()))

        # 9c. Cold PDFs: eight readers at once for one, then one reader each for eight others.
        same = at_once(port, ["/issues/2.pdf"] * 8)
        found["9 same cold PDF x8"] = {
            "statuses": sorted(status for status, _ in same),
            "rendered": sum(headers.get("X-Rendition") == "rendered" for _, headers in same),
        }
        started = time.monotonic()
        distinct = at_once(port, [f"/issues/{number}.pdf" for number in range(3, 11)])
        found["9 eight different cold PDFs at once"] = {
            "statuses": sorted(status for status, _ in distinct),
            "rendered": sum(headers.get("X-Rendition") == "rendered" for _, headers in distinct),
            "retry_after": sorted({headers.get("Retry-After", "-") for status, headers in distinct if status == 503}),
            "seconds": round(time.monotonic() - started, 1),
        }

        # 4. A 管理员 ticking 超级用户状态 on its own account (last: it may succeed).
        change = f"/admin/auth/user/{admin_pk}/change/"
        page = desk.get(change)[2].decode()
        joined = re.search(r'name="date_joined_0"[^>]*value="([^"]+)"', page)
        joined_time = re.search(r'name="date_joined_1"[^>]*value="([^"]+)"', page)
        data = [
            ("username", "probe-admin"),
            ("is_active", "on"),
            ("is_staff", "on"),
            ("is_superuser", "on"),
            ("date_joined_0", joined.group(1) if joined else "2026-01-01"),
            ("date_joined_1", joined_time.group(1) if joined_time else "00:00:00"),
        ]
        status, _, _ = post_form(desk, change, data)
        superuser = shell(
            f"from django.contrib.auth.models import User; print(User.objects.get(pk={admin_pk}).is_superuser)",
            env=env,
            root=root,
        ).strip()
        found["4 管理员 ticks is_superuser on itself"] = {
            "status": status,
            "is_superuser afterwards": superuser,
            "checkbox shown": 'name="is_superuser"' in page,
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--port", type=int, default=8303)
    parser.add_argument("--cache-url", default=os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    found = probe(options.root.resolve(), port=options.port, cache_url=options.cache_url)
    for finding, result in found.items():
        print(f"{finding}: {json.dumps(result, ensure_ascii=False)}")
    if options.json:
        options.json.write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
