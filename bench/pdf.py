"""PDF benchmark (run by hand): cold and cached render times of an issue's PDF.

    .venv/bin/python bench/pdf.py [--runs 5]

Works in a throw-away SQLite database and storage folder (nothing in var/ is touched). Two issues:
the real sample 2020年第193期 (../shared/samples/legacy/2020-193.txt, imported through the legacy
loader) and a generated issue of 60 articles. For each it reports

- first: the first render in this process (WeasyPrint and fontconfig warming up);
- cold:  a full render with nothing cached (print document, template, layout, PDF with subset fonts);
- cached: GET /issues/<n>.pdf served from storage, measured inside Django (server time:
  URL, middleware, queries, storage, response) with the test client;
- process: `manage.py export_issue <n> --format pdf` in a fresh Python process, nothing cached
  (interpreter, Django and WeasyPrint start-up included).

Targets on the project's 2-core machine: sample cold ≤ 2 s, cached ≤ 50 ms.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django  # noqa: E402  (after the project root is on the path)

SAMPLE = ROOT.parent / "shared" / "samples" / "legacy" / "2020-193.txt"


def sample_issue():
    from editorial.importers.legacy import parse_legacy
    from editorial.importers.loader import load_issue
    from editorial.importers.regions import catalogue_from_db

    if not SAMPLE.is_file():
        sys.exit(f"The legacy sample is missing: {SAMPLE}")
    parsed = parse_legacy(SAMPLE.read_bytes(), catalogue=catalogue_from_db())
    return load_issue(parsed=parsed).issue


def generated_issue(*, articles: int, number: int):
    """A published issue of `articles` articles spread over the standing sections, texts from the sample."""
    import datetime

    from django.utils import timezone

    from editorial import services
    from editorial.models import Article, Issue, Section

    paragraphs = [p for article in Article.objects.all() for p in article.paragraphs] or ["长三角一体化发展。" * 20]
    titles = list(Article.objects.values_list("title", flat=True)) or ["长三角要讯"]
    issue = services.issue_create(
        publication=Issue.objects.first().publication,
        number=number,
        date=datetime.date(2020, 11, 6),
        status=Issue.Status.PUBLISHED,
    )
    Issue.objects.filter(pk=issue.pk).update(published_at=timezone.now())
    sections = list(Section.objects.filter(is_standing=True).order_by("position"))
    batch = []
    for index in range(articles):
        body = "\n\n".join(paragraphs[(index * 3 + k) % len(paragraphs)] for k in range(3))
        article = Article(
            issue=issue,
            section=sections[index * len(sections) // articles],
            position=index + 1,
            title=f"{titles[index % len(titles)]}（{index + 1}）",
            body=body,
        )
        article.derive_fields()
        batch.append(article)
    Article.objects.bulk_create(batch)
    services.issue_mark_changed(issue=issue)
    return Issue.objects.select_related("publication").get(pk=issue.pk)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench(issue, *, runs: int, client) -> dict:
    from django.core.files.storage import default_storage

    from editorial import renditions
    from editorial.models import Issue

    issue = Issue.objects.select_related("publication").get(pk=issue.pk)
    first = timed(lambda: renditions.render(issue=issue, format=renditions.PDF))
    cold = [timed(lambda: renditions.render(issue=issue, format=renditions.PDF)) for _ in range(runs)]
    name = renditions.rendition_name(issue=issue, format=renditions.PDF)
    if default_storage.exists(name):
        default_storage.delete(name)
    url = f"/issues/{issue.number}.pdf"
    response = client.get(url)
    assert response["X-Rendition"] == "rendered", response.status_code
    size = len(b"".join(response.streaming_content))
    cached = []
    for _ in range(max(runs * 10, 50)):
        start = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content)
        cached.append(time.perf_counter() - start)
        assert response["X-Rendition"] == "cached"
    cached.sort()
    default_storage.delete(name)
    process = timed(
        lambda: subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "export_issue",
                str(issue.number),
                "--format",
                "pdf",
                "-o",
                os.devnull,
            ],
            check=True,
            capture_output=True,
        )
    )
    return {
        "articles": issue.articles.count(),
        "size_kb": size / 1024,
        "first_s": first,
        "cold_median_s": statistics.median(cold),
        "cold_max_s": max(cold),
        "cached_median_ms": statistics.median(cached) * 1000,
        "cached_p95_ms": cached[int(len(cached) * 0.95) - 1] * 1000,
        "process_s": process,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold renders per issue (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-pdf-") as folder:
        setup_django(Path(folder), sqlite=True)
        from django.test import Client

        from editorial import pdf

        if not pdf.fast_subsetting_available():
            print("WARNING: HarfBuzz subsetting is missing; WeasyPrint falls back to fontTools (slow).")
        client = Client()
        results = {
            "sample 2020-193": bench(sample_issue(), runs=args.runs, client=client),
            "generated, 60 articles": bench(generated_issue(articles=60, number=9001), runs=args.runs, client=client),
        }
    print(f"PDF benchmark ({os.cpu_count()} cores, {args.runs} cold runs each)")
    header = f"{'issue':<24}{'articles':>9}{'KB':>7}{'first s':>9}{'cold s':>8}{'max s':>7}{'process s':>11}"
    print(header + f"{'cached ms':>11}{'p95 ms':>8}")
    for label, r in results.items():
        print(
            f"{label:<24}{r['articles']:>9}{r['size_kb']:>7.0f}{r['first_s']:>9.2f}{r['cold_median_s']:>8.2f}"
            f"{r['cold_max_s']:>7.2f}{r['process_s']:>11.2f}{r['cached_median_ms']:>11.1f}{r['cached_p95_ms']:>8.1f}"
        )
    sample = results["sample 2020-193"]
    print(
        f"targets: sample cold ≤ 2 s: {'met' if sample['cold_median_s'] <= 2 else 'MISSED'}; "
        f"cached ≤ 50 ms: {'met' if sample['cached_p95_ms'] <= 50 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
