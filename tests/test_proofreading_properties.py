"""Property tests for 校对: whatever the text, no rule crashes, every finding lies inside its paragraph and names
its flagged text, and applying the certain fixes leaves nothing for the same rule to flag at the same spot."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from editorial.proofreading import RULES_BY_ID, certain_fixes, proofread_article, proofread_text

# Characters the rules look at, and what they look at them next to.
PIECES = [
    *"上海江苏浙江安徽开市标志着举措全国首创引发关注目标现为不实",
    *"的了在是和与及并而于被",
    *"，。、；：？！“”‘’《》〈〉（）【】",
    *",.:;?!()\"'",
    *"…—–-－·．/@+%",
    *"0123456789AGXaz",
    *"０１２Ｇａ",
    " ",
    "\u3000",
    "\t",
    "\n",
    "...",
    "。。。",
    "--",
    "2020.10.28",
    "2020/9/30",
    "2011-2020年",
    "https://www.gov.cn/a,b",
    "office@zj.gov.cn",
    "Xi'an",
    "10:30",
    "3.5",
    "1.",
    "（一）",
    "一、",
    "4+X",
    "5G",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_findings(paragraphs: list[str], findings) -> None:
    for finding in findings:
        assert finding.rule in RULES_BY_ID
        assert 0 <= finding.paragraph < len(paragraphs)
        text = paragraphs[finding.paragraph]
        assert finding.offset >= 0 and finding.length >= 1 and finding.end <= len(text)
        assert finding.text == text[finding.offset : finding.end]
        assert finding.message.strip()
        assert finding.suggestion is None or finding.suggestion != finding.text


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4), st.booleans())
@example(["“第一段", "“第二段。”"], False)
@example(["标题，。"], True)
def test_no_rule_crashes_and_every_finding_lies_inside_its_paragraph(paragraphs, is_headline):
    check_findings(paragraphs, proofread_text(paragraphs, is_headline=is_headline))


@SETTINGS
@given(TEXT, st.booleans())
@example("上海，，,江苏", False)
@example("在在在线", False)
@example("的的 的", False)
@example("“x“a”b”", False)
@example("这一举措—全国首创—引发关注", False)
@example('他说"好""对"。', False)
@example("标题。。", True)
def test_after_the_certain_fixes_the_same_rule_finds_nothing_at_the_same_spot(text, is_headline):
    findings = proofread_text([text], is_headline=is_headline)
    applied = certain_fixes(findings)
    pieces, position, spots, shift = [], 0, [], 0
    for finding in applied:
        pieces.append(text[position : finding.offset])
        pieces.append(finding.suggestion)
        start = finding.offset + shift
        spots.append((finding.rule, start, start + len(finding.suggestion)))
        shift += len(finding.suggestion) - finding.length
        position = finding.end
    pieces.append(text[position:])
    fixed = "".join(pieces)
    again = proofread_text([fixed], is_headline=is_headline)
    for rule, start, end in spots:
        for finding in again:
            if finding.rule != rule:
                continue
            if end > start:
                assert not (finding.offset < end and finding.end > start), (rule, fixed, finding)
            else:
                assert not (finding.offset < start < finding.end), (rule, fixed, finding)


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=5).map("\n\n".join), TEXT)
def test_article_findings_point_at_their_text_in_the_headline_and_the_body(body, title):
    for each in proofread_article(title, body).located():
        field = title if each.part == "title" else body
        assert field[each.start : each.start + each.finding.length] == each.finding.text
        assert each.key and len(each.key) <= 200
