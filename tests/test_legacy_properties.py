"""Property tests: whatever text or bytes come in, the parser returns an issue or a clean LegacyFormatError — in linear time."""

import codecs
import datetime
import importlib
import pkgutil
import re
import re._constants as sre
import re._parser as sre_parse

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from editorial.importers import legacy, regions
from editorial.importers.legacy import LegacyFormatError, ParsedIssue, is_furniture, parse_legacy, split_page
from editorial.importers.legacy_format import format_legacy
from tests.samples import legacy_sample_bytes

SAMPLE = legacy_sample_bytes().decode("utf-8")
SAMPLE_LINES = SAMPLE.split("\n")
BODY_START = SAMPLE_LINES.index("上海技术交易所开市 建成服务全国技术转移交易网络", 20)

FURNITURE = ["— 5 —", "- 12 -", "7", "第 3 页", "\f", "\f— 9 —", "3/20"]
PIECES = [
    "目 录",
    "长三角每周要讯",
    "2020 年第 193 期",
    "2020 年 10 月 30 日",
    "科创聚焦",
    "经济热点",
    "- 上海技术交易所开市 3",
    "上海技术交易所开市",
    "· 浦东新区出台标准 4",
    "浦东新区出台标准",
    "近日，浦东新区标准正式出台。",
    "从技术研发、场景",
    *FURNITURE,
    "\u3000\u3000",
    "\ufeff",
    "\ufffd",
    "\x00",
    "\x1a",
    "总第",
    "二〇二〇年十月三十日",
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_refuses(source) -> ParsedIssue | None:
    """The property itself: a result, or a LegacyFormatError with a message; anything else fails the test."""
    try:
        parsed = parse_legacy(source)
    except LegacyFormatError as refused:
        assert refused.message.strip()
        assert "\n" not in str(refused)
        return None
    assert parsed.articles
    for article in parsed.articles:
        assert article.title.strip()
        assert article.paragraphs and all(paragraph.strip() for paragraph in article.paragraphs)
    return parsed


def content(parsed: ParsedIssue) -> list[tuple]:
    return [(a.section, a.title, a.page, a.paragraphs) for a in parsed.articles]


@SETTINGS
@given(st.binary(max_size=4000))
@example(codecs.BOM_UTF32_LE + b"\x00")
@example(codecs.BOM_UTF16_BE + b"\xd8\x00")
@example("目 录\n".encode("gbk"))
def test_random_bytes_give_an_issue_or_a_clean_error(data):
    parses_or_refuses(data)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=60))
def test_random_text_built_from_legacy_pieces_gives_an_issue_or_a_clean_error(pieces):
    parses_or_refuses("\n".join(pieces))


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, len(SAMPLE_LINES) - 1), st.sampled_from(["drop", "double", "swap", "cut"]))),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-32"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_the_sample_mangled_line_by_line_gives_an_issue_or_a_clean_error(edits, encoding, newline):
    lines = list(SAMPLE_LINES)
    for index, edit in edits:
        index %= len(lines)
        if edit == "drop":
            del lines[index]
        elif edit == "double":
            lines.insert(index, lines[index])
        elif edit == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif edit == "cut":
            lines[index] = lines[index][: len(lines[index]) // 2]
        if not lines:
            break
    parses_or_refuses(newline.join(lines).encode(encoding))


@SETTINGS
@given(st.lists(st.tuples(st.integers(BODY_START, len(SAMPLE_LINES)), st.sampled_from(FURNITURE)), max_size=12))
def test_page_furniture_anywhere_between_body_lines_changes_nothing(insertions):
    lines = list(SAMPLE_LINES)
    for index, furniture in sorted(insertions, reverse=True):
        lines.insert(index, furniture)
    assert content(parse_legacy("\n".join(lines))) == content(parse_legacy(SAMPLE))


@SETTINGS
@given(st.data())
def test_the_sample_split_at_any_blank_line_of_the_body_is_joined_back(data):
    """A page break inside a paragraph: cut a body paragraph anywhere, the parser glues it back."""
    candidates = [i for i in range(BODY_START, len(SAMPLE_LINES)) if len(SAMPLE_LINES[i]) > 40]
    index = data.draw(st.sampled_from(candidates))
    line = SAMPLE_LINES[index]
    cut = data.draw(st.integers(5, len(line) - 5))
    assume(line[cut - 1] not in "。！？…；：.!?;:”’」』）)" and not line[:cut].rstrip().endswith(("。", "；", "：")))
    assume(not line[cut - 1].isspace() and not line[cut].isspace())
    assume(not (line[cut - 1].isascii() and line[cut - 1].isalpha() and line[cut].isascii() and line[cut].isalpha()))
    lines = [*SAMPLE_LINES[:index], line[:cut], "", "— 6 —", "", line[cut:], *SAMPLE_LINES[index + 1 :]]
    assert content(parse_legacy("\n".join(lines))) == content(parse_legacy(SAMPLE))


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT = st.text(
    alphabet=st.one_of(HAN, st.sampled_from(list("，、“”（）《》0123456789ABC "))), min_size=25, max_size=120
)
# A paragraph that is only a page number ("12") reads back as page furniture: the format cannot carry it.
PARAGRAPH = st.builds(lambda text, end: text.strip() + end, TEXT, st.sampled_from(["。", "！", "", "；", "，"])).filter(
    lambda paragraph: not is_furniture(paragraph)
)
TITLE = st.text(alphabet=HAN, min_size=9, max_size=24)
SECTION_NAMES = ["科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]


@st.composite
def issues(draw):
    names = draw(st.lists(st.sampled_from(SECTION_NAMES), min_size=1, max_size=6, unique=True))
    titles = iter(draw(st.lists(TITLE, min_size=len(names) * 4, max_size=len(names) * 4, unique=True)))
    pages = iter(range(3, 200))
    return {
        "publication": "长三角每周要讯",
        "office": "浙江省人民政府驻上海办事处",
        "number": draw(st.integers(1, 5000)),
        "date": draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))).isoformat(),
        "sections": [
            {
                "name": name,
                "articles": [
                    {
                        "title": next(titles),
                        "page": next(pages) if draw(st.booleans()) else None,
                        "paragraphs": draw(st.lists(PARAGRAPH, min_size=1, max_size=4)),
                    }
                    for _ in range(draw(st.integers(1, 4)))
                ],
            }
            for name in names
        ],
    }


@SETTINGS
@given(issues())
def test_any_issue_written_in_the_legacy_format_reads_back_identically(data):
    parsed = parse_legacy(format_legacy(data))
    assert parsed.meta.number == data["number"]
    assert parsed.meta.date.isoformat() == data["date"]
    assert [
        (section.name, [(a.title, a.page, list(a.paragraphs)) for a in section.articles]) for section in parsed.sections
    ] == [
        (section["name"], [(a["title"], a["page"], [p.strip() for p in a["paragraphs"]]) for a in section["articles"]])
        for section in data["sections"]
    ]


# ------------------------------------------------------------------ parser safety: linear time whatever comes in


def _patterns(module) -> dict[str, re.Pattern]:
    found = {}
    for name, value in vars(module).items():
        for index, item in enumerate(value if isinstance(value, list | tuple) else [value]):
            if isinstance(item, re.Pattern):
                found[f"{name}[{index}]" if isinstance(value, list | tuple) else name] = item
    return found


def _repetitions(pattern: re.Pattern) -> list[tuple[int, int]]:
    """(greatest repeat count, nesting product) of every repetition in the pattern; MAXREPEAT means unbounded."""
    found = []

    def walk(items, product):
        for op, argument in items:
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                _low, high, sub = argument
                found.append((high, product * high))
                walk(sub, product * high)
            elif op is sre.SUBPATTERN:
                walk(argument[-1], product)
            elif op is sre.BRANCH:
                for branch in argument[1]:
                    walk(branch, product)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                walk(argument[1], product)
            elif op is sre.GROUPREF_EXISTS:
                walk(argument[1], product)
                if argument[2]:
                    walk(argument[2], product)
            elif op is sre.ATOMIC_GROUP:
                walk(argument, product)

    walk(sre_parse.parse(pattern.pattern, pattern.flags), 1)
    return found


PARSER_MODULES = [
    *(importlib.import_module(f"{legacy.__name__}.{module.name}") for module in pkgutil.iter_modules(legacy.__path__)),
    regions,
]


def _parser_patterns() -> dict[str, re.Pattern]:
    """Every pattern of the parser's modules, once, named after the first module that holds it."""
    found: dict[str, re.Pattern] = {}
    for module in PARSER_MODULES:
        for name, pattern in _patterns(module).items():
            if pattern not in found.values():
                found[f"{module.__name__.rpartition('.')[2]}.{name}"] = pattern
    return found


PARSER_PATTERNS = _parser_patterns()


def test_the_parsers_patterns_are_all_found_by_the_check_below():
    assert {
        "contents.TOC_PAGE",
        "contents.UNREADABLE_PAGE",
        "dates.PERIOD",
        "paragraphs.SUBHEADING",
        "furniture.FURNITURE[0]",
        "lines.LINE_BREAKS",
        "decoding.STRAY_CONTROLS",
        "regions.STREET",
    } <= set(PARSER_PATTERNS)


@pytest.mark.parametrize("name", sorted(PARSER_PATTERNS))
def test_no_pattern_of_the_parser_repeats_without_bound_so_every_match_costs_a_bounded_number_of_steps(name):
    for high, product in _repetitions(PARSER_PATTERNS[name]):
        assert high != sre.MAXREPEAT, f"{name} has an unbounded repetition"
        assert product <= 10_000, f"{name} nests repetitions up to {product} steps"


HOSTILE_MASTHEAD = (
    "长三角每周要讯\n\n2021 年第 194 期\n\n浙江省人民政府驻上海办事处\n\n2021 年 1 月 8 日\n\n目 录\n\n科创聚焦\n\n"
)
TWO_MB = 2 * 1024 * 1024 - 1024


def _filled(line: str, size: int = TWO_MB) -> str:
    """The masthead, then `line` as often as fits in `size` bytes of UTF-8."""
    return HOSTILE_MASTHEAD + line * ((size - len(HOSTILE_MASTHEAD.encode())) // len(line.encode()))


def test_the_issues_hostile_toc_line_two_megabytes_long_is_refused_naming_its_line():
    """`- 标` + a run of dots + `题`: the TOC pattern used to try every split of the run (hours for 2 MB)."""
    text = HOSTILE_MASTHEAD + "- 标" + "." * (TWO_MB - 200) + "题\n"
    with pytest.raises(LegacyFormatError, match="太长，不像文章标题") as refused:
        parse_legacy(text.encode())
    assert refused.value.line == 13


def test_two_megabytes_of_hostile_toc_lines_with_pages_are_refused_for_want_of_a_body():
    text = _filled("- 标" + "……" * 90 + "题……" + "3\n")
    assert len(text.encode()) > 2_000_000
    with pytest.raises(LegacyFormatError, match="目录之后没有正文") as refused:
        parse_legacy(text.encode())
    assert refused.value.line == text.count("\n")


def test_two_megabytes_of_hostile_toc_lines_without_pages_are_refused_at_the_first_line_of_no_article():
    text = _filled("- 标" + "." * 250 + "题\n") + "正文。\n"
    with pytest.raises(LegacyFormatError, match="正文中没有一篇文章的标题与目录对得上") as refused:
        parse_legacy(text.encode())
    assert refused.value.line == text.count("\n")


def test_a_two_megabyte_article_of_short_unpunctuated_lines_is_one_paragraph_with_every_character():
    toc = "- 上海发布新政 3\n\n"
    line = "上海发布新政并推进改革\n"
    text = HOSTILE_MASTHEAD + toc + "上海发布新政\n\n" + line * ((TWO_MB - 400) // len(line.encode())) + "完。\n"
    parsed = parse_legacy(text.encode())
    (article,) = parsed.articles
    assert article.paragraphs == ("上海发布新政并推进改革" * ((TWO_MB - 400) // len(line.encode())) + "完。",)


def test_a_two_megabyte_single_line_paragraph_is_kept_whole():
    paragraph = "上海发布新政，" * ((TWO_MB - 400) // 21) + "完。"
    text = HOSTILE_MASTHEAD + "- 上海发布新政 3\n\n上海发布新政\n\n" + paragraph + "\n"
    assert parse_legacy(text.encode()).articles[0].paragraphs == (paragraph,)


# Long lines cost hypothesis more to make than the parser to read: fewer examples.
LONG_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
LONG_LINE = st.text(
    alphabet=st.sampled_from(list(".．·…‥_-—（）()第页P 　\t0123456789标题上海发布。，；：？！“”、━报送共印份")),
    min_size=1000,
    max_size=20_000,
)


@LONG_SETTINGS
@given(st.lists(LONG_LINE, min_size=1, max_size=4), st.sampled_from(["toc", "body", "masthead"]))
def test_long_random_lines_anywhere_give_an_issue_or_a_clean_error(lines, where):
    sample = SAMPLE_LINES
    at = {"masthead": 3, "toc": 14, "body": BODY_START + 2}[where]
    parses_or_refuses("\n".join([*sample[:at], *lines, *sample[at:]]))


@LONG_SETTINGS
@given(LONG_LINE)
def test_a_toc_entrys_page_split_keeps_the_title_a_prefix_of_the_line(line):
    title, page = split_page(line)
    assert line.startswith(title)
    assert page is None or 1 <= page <= 999
