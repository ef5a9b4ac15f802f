"""load_demo: the demo accounts and the demo issues, imported through the legacy loader, idempotently."""

import io

import pytest
from django.core.management import CommandError, call_command

from editorial.importers.legacy import parse_legacy
from editorial.management.commands import load_demo
from editorial.models import Article, Issue, IssueTransition

pytestmark = pytest.mark.django_db


def run():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def state():
    return (
        list(Issue.objects.order_by("number").values_list("number", "status", "version", "updated_at")),
        list(Article.objects.order_by("pk").values_list("pk", "title", "body", "position")),
        IssueTransition.objects.count(),
    )


def test_the_demo_files_parse_cleanly():
    files = sorted(load_demo.DEMO_ISSUES.glob("*.txt"))
    assert [path.name for path in files] == ["498.txt", "499.txt", "500.txt", "501-review.txt"]
    for path in files:
        parsed = parse_legacy(path.read_bytes())
        assert parsed.warnings == (), path.name
        assert 16 <= len(parsed.articles) <= 22, path.name


def test_load_demo_imports_the_demo_issues_with_statuses_from_their_file_names(debug):
    out = run()
    statuses = dict(Issue.objects.values_list("number", "status"))
    assert statuses == {498: "published", 499: "published", 500: "published", 501: "in_review"}
    assert "2026年第501期（待审）已导入" in out
    assert all(16 <= issue.articles.count() <= 22 for issue in Issue.objects.all())
    assert Issue.objects.get(number=498).transitions.get().user.username == "admin"


def test_a_second_load_demo_changes_nothing(debug):
    run()
    before = state()
    out = run()
    assert state() == before
    assert out.count("内容相同，未改动") == 4


def test_draft_files_load_as_drafts(debug, tmp_path, monkeypatch):
    source = load_demo.DEMO_ISSUES / "498.txt"
    (tmp_path / "498-draft.txt").write_bytes(source.read_bytes())
    monkeypatch.setattr(load_demo, "DEMO_ISSUES", tmp_path)
    run()
    assert Issue.objects.get(number=498).status == Issue.Status.DRAFT


def test_a_broken_demo_file_stops_with_its_name(debug, tmp_path, monkeypatch):
    (tmp_path / "bad.txt").write_text("不是一期要讯")
    monkeypatch.setattr(load_demo, "DEMO_ISSUES", tmp_path)
    with pytest.raises(CommandError, match=r"bad\.txt"):
        run()


def test_load_demo_refuses_to_run_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        run()
    assert not Issue.objects.exists()
