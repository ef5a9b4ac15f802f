"""An app server's worker gives a render's memory back: rendering PDFs does not leave it hundreds of MB larger."""

import os

from bench.server import manage, shell

RENDER_FOUR_ISSUES = """
from pathlib import Path
from editorial import renditions
from editorial.models import Issue

def resident_mb():
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) // 1024

first, *others = Issue.objects.select_related("publication").order_by("number")
renditions.render(issue=first, format=renditions.PDF)
after_first = resident_mb()
for issue in others:
    renditions.render(issue=issue, format=renditions.PDF)
print(after_first, resident_mb())
"""


def test_rendering_pdfs_keeps_the_process_small(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    manage("migrate", "-v0", env=env)
    manage("generate_archive", "--issues", "4", "--seed", "3", env=env)
    after_first, after_four = map(int, shell(RENDER_FOUR_ISSUES, env=env).split())
    # Django and WeasyPrint loaded take about 100 MB. Without handing a render's memory back, a process
    # stood at about 200 MB after its first PDF and 330–500 MB after a few.
    assert after_first < 160 and after_four < after_first + 30, (after_first, after_four)
