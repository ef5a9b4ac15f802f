"""SQL injection probe (by hand, `make sqlmap`): sqlmap against the search, its filters and the archive on a local server.

    .venv/bin/python security/sqlmap_search.py                        # PostgreSQL, then SQLite
    .venv/bin/python security/sqlmap_search.py --backend sqlite --level 2 --risk 1
    .venv/bin/python security/sqlmap_search.py --json security/results/sqlmap.json

For each database backend: a fresh database (PostgreSQL `digest_hard_sqlmap`, or a SQLite file in
a temporary folder) is migrated and filled with a small generated archive; gunicorn serves it as
production does on port 8302; sqlmap (from PyPI, requirements-dev.txt) then tests every parameter
of /search/ (q, region, section, year, date_from, date_to, page) and of /issues/ (year, page) with
all its techniques (boolean, error, union, stacked, time-based, inline queries) at --level/--risk
(default 3/3: also the User-Agent and Referer headers, and OR-based payloads — harmless here, the
pages only read).

Findings: what sqlmap concluded for each target, how many requests it sent (the server's access
log, plus what gunicorn refused before Django saw it: sqlmap's longest UNION probes exceed
gunicorn's 4,094-byte request line and get 414) and the status codes the server answered them
with — any 500 is a finding too. Exit status 0 when sqlmap found nothing injectable and the server never answered 500.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import Gunicorn, manage, production_env  # noqa: E402  (the project root must be on the path first)

SQLMAP = str(Path(sys.executable).with_name("sqlmap"))
TARGETS = {
    "search": "/search/?"
    + urllib.parse.urlencode(
        {
            "q": "长三角 合作",
            "region": "shanghai",
            "section": "sci-tech",
            "year": "2015",
            "date_from": "2015-01-01",
            "date_to": "2016-12-31",
            "page": "1",
        }
    ),
    "archive": "/issues/?year=2015&page=1",
}
VERDICTS = {
    "injectable": re.compile(r"(?:appears to be|is) '.*' injectable|sqlmap identified the following injection point"),
    "clean": re.compile(r"all tested parameters do not appear to be injectable"),
}


def backend_url(backend: str, workdir: Path) -> str:
    if backend == "postgresql":
        subprocess.run(
            ["psql", "-U", "postgres", "-h", "127.0.0.1", "-c", "DROP DATABASE IF EXISTS digest_hard_sqlmap"],
            capture_output=True,
        )
        subprocess.run(
            ["psql", "-U", "postgres", "-h", "127.0.0.1", "-c", "CREATE DATABASE digest_hard_sqlmap"], check=True
        )
        return "postgres://postgres@127.0.0.1:5432/digest_hard_sqlmap"
    return f"sqlite:///{workdir / 'sqlmap.sqlite3'}"


def access_statuses(log: Path, start: int) -> tuple[int, Counter]:
    lines = log.read_text(errors="replace").splitlines()[start:]
    statuses = Counter(match.group(1) for line in lines if (match := re.search(r'" (\d{3}) ', line)))
    return len(lines), statuses


def run_sqlmap(url: str, *, level: int, risk: int, output: Path) -> dict:
    started = time.monotonic()
    result = subprocess.run(
        [
            SQLMAP,
            "-u",
            url,
            "--batch",
            f"--level={level}",
            f"--risk={risk}",
            "--technique=BEUSTQ",
            "--threads=4",
            "--flush-session",
            "--disable-coloring",
            "--timeout=15",
            f"--output-dir={output}",
        ],
        capture_output=True,
        text=True,
    )
    verdict = next((name for name, pattern in VERDICTS.items() if pattern.search(result.stdout)), "inconclusive")
    tested = sorted(set(re.findall(r"testing if (?:GET|User-Agent|Referer|Host) parameter '([^']+)'", result.stdout)))
    tested += sorted(set(re.findall(r"testing if parameter '([^']+)'", result.stdout)))
    # Requests gunicorn refused before Django saw them (e.g. 414 for URLs over its 4,094-byte request line).
    refused = {code: int(count) for code, count in re.findall(r"^(\d{3}) \([^)]*\) - (\d+) times", result.stdout, re.M)}
    return {
        "verdict": verdict,
        "parameters_tested": tested,
        "refused_by_gunicorn": refused,
        "seconds": round(time.monotonic() - started, 1),
        "exit_code": result.returncode,
        "last_lines": result.stdout.strip().splitlines()[-4:],
    }


def probe_backend(backend: str, *, port: int, level: int, risk: int, issues: int, targets: list[str]) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"sqlmap-{backend}-"))
    log = workdir / "access.log"
    env = production_env(
        port=port,
        var_dir=workdir,
        DATABASE_URL=backend_url(backend, workdir),
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG=str(log),
        GUNICORN_PROC_NAME=f"digest-sqlmap-{port}",
    )
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("generate_archive", "--issues", str(issues), env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    findings = {}
    with Gunicorn(env, port=port, log=workdir / "gunicorn.log"):
        for name in targets:
            path = TARGETS[name]
            before = len(log.read_text(errors="replace").splitlines())
            found = run_sqlmap(f"http://127.0.0.1:{port}{path}", level=level, risk=risk, output=workdir / name)
            answered, statuses = access_statuses(log, before)
            found["requests"] = answered + sum(found["refused_by_gunicorn"].values())
            found["statuses"] = dict(sorted(statuses.items()))
            findings[name] = found
            print(
                f"[{backend}] {name}: {found['verdict']}, {found['requests']} requests in {found['seconds']} s, "
                f"statuses {found['statuses']}, refused by gunicorn {found['refused_by_gunicorn']}, "
                f"parameters {', '.join(found['parameters_tested'])}",
                flush=True,
            )
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--port", type=int, default=8302)
    parser.add_argument("--level", type=int, default=3)
    parser.add_argument("--risk", type=int, default=3)
    parser.add_argument("--issues", type=int, default=30)
    parser.add_argument("--targets", nargs="+", choices=sorted(TARGETS), default=list(TARGETS))
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    if not Path(SQLMAP).exists() or not shutil.which("psql"):
        raise SystemExit("sqlmap (requirements-dev.txt) and psql are needed: run `make setup`.")
    backends = ["postgresql", "sqlite"] if options.backend == "both" else [options.backend]
    results = {
        "level": options.level,
        "risk": options.risk,
        "backends": {
            backend: probe_backend(
                backend,
                port=options.port,
                level=options.level,
                risk=options.risk,
                issues=options.issues,
                targets=options.targets,
            )
            for backend in backends
        },
    }
    findings = [found for backend in results["backends"].values() for found in backend.values()]
    clean = all(found["verdict"] == "clean" and "500" not in found["statuses"] for found in findings)
    print("PASS: nothing injectable, no server error" if clean else "FAIL: see the verdicts and statuses above")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
