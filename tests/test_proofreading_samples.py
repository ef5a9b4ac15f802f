"""校对 on real text: the office's sample issue and the demo issues. Each finding was judged by hand (README,
校对); the tests pin the judgement, so a rule that starts crying wolf on correct text fails here."""

from pathlib import Path

import pytest
from django.conf import settings

from editorial.importers.legacy import parse_legacy
from editorial.proofreading import apply_fixes, proofread_article
from tests.samples import legacy_sample_bytes

DEMO_ISSUES = sorted((Path(settings.BASE_DIR) / "editorial" / "demo" / "issues").glob("*.txt"))
SAMPLE_HEADLINE = "长三角(上海)互联网医院投入运行 提升健康服务能级"


def findings_in(source: bytes) -> list[tuple]:
    return [
        (article.title, each.part, each.line, each.finding.rule, each.finding.text, each.finding.suggestion)
        for article in parse_legacy(source).articles
        for each in proofread_article(article.title, article.body).located()
    ]


def test_the_real_sample_has_exactly_the_two_true_errors_judged_by_hand():
    # The headline's half-width brackets: the body of the same article writes 长三角（上海）.
    assert findings_in(legacy_sample_bytes()) == [
        (SAMPLE_HEADLINE, "title", 0, "punctuation.half-width", "(", "（"),
        (SAMPLE_HEADLINE, "title", 0, "punctuation.half-width", ")", "）"),
    ]


def test_fixing_the_samples_headline_gives_the_spelling_its_body_uses():
    result = proofread_article(SAMPLE_HEADLINE, "")
    fixed = apply_fixes(SAMPLE_HEADLINE, result.title)
    assert fixed == "长三角（上海）互联网医院投入运行 提升健康服务能级"
    article = next(a for a in parse_legacy(legacy_sample_bytes()).articles if a.title == SAMPLE_HEADLINE)
    assert article.paragraphs[0].startswith("长三角（上海）互联网医院")


@pytest.mark.parametrize("path", DEMO_ISSUES, ids=[path.name for path in DEMO_ISSUES])
def test_the_demo_issues_written_to_the_standards_have_no_findings(path):
    assert len(DEMO_ISSUES) == 4
    assert findings_in(path.read_bytes()) == []
