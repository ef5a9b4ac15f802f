"""Django in this process for the benchmarks that call the project directly (workflow, mail, statistics, proofread, pdf).

Production settings (DEBUG off) in a throw-away VAR_DIR: what the office runs, not the development server's extras.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: Path, *, sqlite: bool = False) -> None:
    """Configure, set up and migrate; `sqlite` ignores DATABASE_URL for a database file of the run's own."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "digest_cms.settings"
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    (workdir / "static").mkdir(exist_ok=True)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
