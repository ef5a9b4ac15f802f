"""Two `make bench` runs side by side: each request's time at both archive sizes and how much it grew.

    .venv/bin/python bench/compare.py bench/results/bench-A.json bench/results/bench-B.json

The smaller archive goes first whatever the order given. Growth is the larger archive's median over the
smaller's; the server's CPU per request (app + database, read from /proc) is compared as well, since it
does not depend on what else the shared machine runs.
"""

import argparse
import json
import sys
from pathlib import Path


def requests(results: dict) -> dict[str, dict]:
    """The measured requests of one run by name, each a summary with median_ms and p95_ms (CPU when measured)."""
    found = {
        "issue page, first request (rendered)": results["issue_page"]["cold"],
        "issue page, cached": results["issue_page"]["cached"],
        "`/` home (cached)": results["home"],
    }
    if "archive_list" in results:
        found["`/issues/` archive list (rendered)"] = results["archive_list"]
    for label, numbers in results["search"].items():
        found[f"`/search/?{label}`, new search"] = numbers["cold"]
    admin = results["admin"]
    found["admin article list"] = admin["list"]
    found["admin article list, searching 长三角"] = admin["search"]
    found["admin article list, filtered: published, 上海"] = admin["filtered"]
    if "issues" in admin:
        found["admin issue list"] = admin["issues"]
    return found


def cpu(numbers: dict) -> float | None:
    if "app_cpu_ms" not in numbers:
        return None
    return numbers["app_cpu_ms"] + numbers["database_cpu_ms"]


def table(small: dict, large: dict) -> str:
    sizes = [f"{run['archive']['issues']:,} issues" for run in (small, large)]
    lines = [
        f"| request | {sizes[0]}: median / p95 | {sizes[1]}: median / p95 | growth (median) | server CPU per request | CPU growth |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    before, after = requests(small), requests(large)
    for name, first in before.items():
        second = after.get(name)
        if second is None:
            continue
        cpus = cpu(first), cpu(second)
        cpu_cell = f"{cpus[0]:.0f} → {cpus[1]:.0f} ms" if None not in cpus else ""
        cpu_growth = f"×{cpus[1] / cpus[0]:.1f}" if None not in cpus and cpus[0] else ""
        lines.append(
            f"| {name} | {first['median_ms']:,.1f} / {first['p95_ms']:,.1f} ms "
            f"| {second['median_ms']:,.1f} / {second['p95_ms']:,.1f} ms "
            f"| ×{second['median_ms'] / first['median_ms']:.1f} | {cpu_cell} | {cpu_growth} |"
        )
    loads = []
    for run in (small, large):
        load = " → ".join(f"{run[key][0]:.1f}" for key in ("load_average_before", "load_average_after"))
        loads.append(f"{run['archive']['issues']:,} issues at {run['date']}, load average {load}")
    return "\n".join(lines) + "\n\n" + "; ".join(loads) + "."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs=2, type=Path, help="two bench/results/bench-*.json files")
    options = parser.parse_args()
    runs = sorted((json.loads(path.read_text()) for path in options.runs), key=lambda run: run["archive"]["issues"])
    print(table(*runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
