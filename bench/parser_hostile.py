"""Benchmark the legacy parser on hostile and large inputs: seconds at 40 KB, 400 KB and 2 MB.

Run by hand (never from the test suite):

    .venv/bin/python bench/parser_hostile.py
    .venv/bin/python bench/parser_hostile.py --before main          # also the parser as it is on `main`
    .venv/bin/python bench/parser_hostile.py --json bench/results/parser_hostile.json

Each input is parsed three times in a child process and the fastest run's CPU time is
reported, so other work on a shared machine does not inflate it (the parser is pure: no
database, no Django settings). A linear parser takes about 50 times as long for 2 MB as
for 40 KB; a quadratic one 2,500 times. The shapes:

- toc-line: the issue's hostile TOC line, ``- 标`` + one run of dots + ``题`` (refused);
- toc-lines: TOC lines of 180 leaders each, with pages, until the size is reached (refused);
- paragraph: one article whose single paragraph is one line of the whole size;
- broken-lines: one article of short lines that never end a sentence (one paragraph);
- random-lines: random lines of leaders, digits, brackets, spaces and Chinese text;
- issue: a well-formed issue of as many articles as fit (the sample's paragraphs).

`--before REF` times the parser of a git revision in a child process with a time limit
(at 40 KB only unless --all-sizes): the old TOC pattern needed tens of seconds there.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"40 KB": 40 * 1024, "400 KB": 400 * 1024, "2 MB": 2 * 1024 * 1024 - 1024}
MASTHEAD = (
    "长三角每周要讯\n\n2021 年第 194 期\n\n浙江省人民政府驻上海办事处\n\n2021 年 1 月 8 日\n\n目 录\n\n科创聚焦\n\n"
)
SAMPLE = ROOT.parent / "shared" / "samples" / "legacy" / "2020-193.txt"


def _repeat(line: str, size: int, head: str = MASTHEAD, tail: str = "") -> str:
    room = size - len(head.encode()) - len(tail.encode())
    return head + line * max(1, room // len(line.encode())) + tail


def toc_line(size: int) -> str:
    return MASTHEAD + "- 标" + "." * (size - len(MASTHEAD.encode()) - 10) + "题\n"


def toc_lines(size: int) -> str:
    return _repeat("- 标" + "……" * 90 + "题……3\n", size)


def paragraph(size: int) -> str:
    head = MASTHEAD + "- 上海发布新政 3\n\n上海发布新政\n\n"
    return head + "上海发布新政，" * ((size - len(head.encode())) // 21) + "完。\n"


def broken_lines(size: int) -> str:
    return _repeat(
        "上海发布新政并推进改革\n", size, head=MASTHEAD + "- 上海发布新政 3\n\n上海发布新政\n\n", tail="完。\n"
    )


def random_lines(size: int) -> str:
    rng = random.Random(size)
    alphabet = list(".．·…‥_-—（）()第页P 　0123456789标题上海发布。，；：？！“”、━报送共印份")
    lines, total = [], len(MASTHEAD.encode())
    while total < size:
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400))) + "\n"
        lines.append(line)
        total += len(line.encode())
    return MASTHEAD + "".join(lines)


def issue(size: int) -> str:
    """A well-formed issue: the sample's paragraphs under as many numbered articles as fit."""
    text = SAMPLE.read_text(encoding="utf-8")
    paragraphs = [line for line in text.split("\n") if len(line) > 60]
    toc, body, number = [], [], 0
    while len("".join(toc + body).encode()) + len(MASTHEAD.encode()) < size:
        number += 1
        title = f"第{number}篇稿件：上海发布新政推进改革"
        toc.append(f"- {title} {min(number, 999)}\n")
        body.append(f"{title}\n\n{paragraphs[number % len(paragraphs)]}\n\n")
    return MASTHEAD + "".join(toc) + "\n" + "".join(body)


SHAPES = {
    "toc-line": toc_line,
    "toc-lines": toc_lines,
    "paragraph": paragraph,
    "broken-lines": broken_lines,
    "random-lines": random_lines,
    "issue": issue,
}

TIMER = """
import sys, time
sys.path.insert(0, sys.argv[1])
try:
    from editorial.importers.legacy import LegacyFormatError, parse_legacy
except ModuleNotFoundError:  # a revision from before the parser became a package
    from editorial.importers.legacy_text import LegacyFormatError, parse_legacy
data = open(sys.argv[2], "rb").read()
best = None
for _ in range(int(sys.argv[3])):
    started = time.process_time()
    try:
        parse_legacy(data, max_bytes=len(data) + 1)
        outcome = "parsed"
    except LegacyFormatError:
        outcome = "refused"
    elapsed = time.process_time() - started
    best = elapsed if best is None else min(best, elapsed)
print(best, outcome)
"""


def measure(source: Path, data: bytes, *, runs: int, limit: float) -> tuple[float | None, str]:
    """The fastest of `runs` parses of `data` with the parser under `source`, in a child process."""
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as handle:
        handle.write(data)
    try:
        result = subprocess.run(
            [sys.executable, "-c", TIMER, str(source), handle.name, str(runs)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None, f"> {limit:.0f} s"
    finally:
        os.unlink(handle.name)
    seconds, outcome = result.stdout.split()
    return float(seconds), outcome


def checkout(revision: str, folder: Path) -> Path:
    """The importers package of `revision` and the text rules it uses, written under `folder` (enough for the pure parser)."""
    (folder / "editorial").mkdir(parents=True)
    (folder / "editorial" / "__init__.py").write_text("")
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", revision, "editorial/importers/", "editorial/text.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        content = subprocess.run(
            ["git", "show", f"{revision}:{name}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="REF", help="also time the parser of this git revision")
    parser.add_argument("--all-sizes", action="store_true", help="time the old parser at every size too")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before a run is given up")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    options = parser.parse_args()
    results: dict = {"now": {}, "before": {}}
    with tempfile.TemporaryDirectory() as folder:
        old = checkout(options.before, Path(folder)) if options.before else None
        print(
            f"{'shape':<14}{'size':>8}{'now (CPU s)':>12}{'outcome':>10}"
            + (f"{options.before + ' (s)':>16}" if old else "")
        )
        for shape, build in SHAPES.items():
            for label, size in SIZES.items():
                data = build(size).encode()
                seconds, outcome = measure(ROOT, data, runs=options.runs, limit=options.limit)
                results["now"].setdefault(shape, {})[label] = seconds
                line = f"{shape:<14}{label:>8}{seconds:>12.3f}{outcome:>10}"
                if old and (options.all_sizes or label == "40 KB"):
                    before, _ = measure(old, data, runs=1, limit=options.limit)
                    results["before"].setdefault(shape, {})[label] = before
                    line += f"{before:>16.3f}" if before is not None else f"{'> ' + str(int(options.limit)):>16}"
                print(line, flush=True)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
