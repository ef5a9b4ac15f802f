"""The legacy text parser, on small inputs written here and on the office's real sample."""

import codecs
import datetime
import unicodedata

import pytest

from editorial.importers.legacy import (
    LegacyFormatError,
    decode,
    ends_paragraph,
    is_furniture,
    is_rule,
    is_subheading,
    number_in_file_name,
    parse_date,
    parse_issues,
    parse_legacy,
    parse_period,
    split_page,
)
from tests.samples import legacy_sample_bytes

MASTHEAD = "长三角每周要讯\n\n2020 年第 193 期\n\n浙江省人民政府驻上海办事处\n\n2020 年 10 月 30 日\n\n目 录\n\n"
TOC = "科创聚焦\n\n- 上海技术交易所开市 3\n- 浦东新区出台区块链标准 4\n\n域外动态\n\n- 青岛市规范农业废弃物管理 5\n\n"
BODY = (
    "上海技术交易所开市\n\n10月28日，上海技术交易所正式开市。\n\n"
    "浦东新区出台区块链标准\n\n近日，浦东新区标准正式出台。\n\n"
    "域外动态\n\n青岛市规范农业废弃物管理\n\n日前，暂行办法审议通过。\n"
)


def issue_text(*, masthead: str = MASTHEAD, toc: str = TOC, body: str = BODY) -> str:
    return masthead + toc + body


def content(parsed) -> list[tuple]:
    """Sections, titles, pages and paragraphs: what an issue is, whatever lines it was on."""
    return [(a.section, a.title, a.page, a.paragraphs) for a in parsed.articles]


def titles(parsed) -> list[str]:
    return [article.title for article in parsed.articles]


# ------------------------------------------------------------------ encodings


SHORT_GBK_TEXT = "江苏发布区块链产业发展计划"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (issue_text().encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + issue_text().encode("utf-8"), "UTF-8（带 BOM）"),
        (issue_text().encode("gbk"), "GB18030"),
        (issue_text().encode("gb18030"), "GB18030"),
        (codecs.BOM_UTF16_LE + issue_text().encode("utf-16-le"), "UTF-16LE（带 BOM）"),
        (codecs.BOM_UTF16_BE + issue_text().encode("utf-16-be"), "UTF-16BE（带 BOM）"),
        (codecs.BOM_UTF32_LE + issue_text().encode("utf-32-le"), "UTF-32LE（带 BOM）"),
        (codecs.BOM_UTF32_BE + issue_text().encode("utf-32-be"), "UTF-32BE（带 BOM）"),
        (issue_text().replace("\n", "\r\n").encode("gbk"), "GB18030"),
        (issue_text().replace("\n", "\r").encode("utf-8"), "UTF-8"),
    ],
)
def test_every_supported_encoding_and_line_ending_parses_to_the_same_issue(data, label):
    parsed = parse_legacy(data)
    assert parsed.encoding == label
    assert titles(parsed) == ["上海技术交易所开市", "浦东新区出台区块链标准", "青岛市规范农业废弃物管理"]
    assert parsed.meta.number == 193


def test_a_short_gbk_text_is_read_as_gb18030_not_guessed_as_another_language():
    assert decode(SHORT_GBK_TEXT.encode("gbk")) == (SHORT_GBK_TEXT, "GB18030")


def test_a_utf32_byte_order_mark_is_not_mistaken_for_utf16():
    text, label = decode(codecs.BOM_UTF32_LE + "目 录".encode("utf-32-le"))
    assert (text, label) == ("目 录", "UTF-32LE（带 BOM）")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "文件是空的"),
        (b"  \n\r\n\t ", "文件是空的"),
        (codecs.BOM_UTF16_LE, "文件是空的"),
        (issue_text().encode("utf-16-le"), "空字符"),
        (issue_text().encode("utf-16-be"), "空字符"),
        (bytes(range(128, 256)) * 4, "编码"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "空字符"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16LE"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20 + "目 录".encode(), "控制字符"),
    ],
)
def test_undecodable_binary_and_empty_files_are_refused_with_a_reason(data, reason):
    with pytest.raises(LegacyFormatError) as refused:
        parse_legacy(data)
    assert reason in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(LegacyFormatError, match="文件过大"):
        parse_legacy(issue_text().encode(), max_bytes=100)


# ------------------------------------------------------------------ masthead


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2020 年第 193 期", (2020, 193)),
        ("２０２０年第１９３期", (2020, 193)),
        ("第193期", (None, 193)),
        ("2020年第45期（总第193期）", (2020, 193)),
        ("二〇二〇年十月三十日", None),
    ],
)
def test_period_lines_give_the_year_and_the_cumulative_number(line, expected):
    assert parse_period(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2020 年 10 月 30 日", datetime.date(2020, 10, 30)),
        ("２０２０年１０月３０日", datetime.date(2020, 10, 30)),
        ("2020-10-30", datetime.date(2020, 10, 30)),
        ("2020.1.5", datetime.date(2020, 1, 5)),
        ("二〇二〇年十月三十日", datetime.date(2020, 10, 30)),
        ("二〇二一年一月十五日", datetime.date(2021, 1, 15)),
        ("2021年1月8日", datetime.date(2021, 1, 8)),
        ("2021.1.8", datetime.date(2021, 1, 8)),
        ("2021-01-08", datetime.date(2021, 1, 8)),
        ("2021/1/8", datetime.date(2021, 1, 8)),
        ("2021 / 1 / 8", datetime.date(2021, 1, 8)),
        ("浙江省人民政府驻上海办事处　　2021年1月8日", datetime.date(2021, 1, 8)),
        ("2021年1月8日（星期五）", datetime.date(2021, 1, 8)),
        ("2020 年第 193 期", None),
    ],
)
def test_dates_are_read_in_every_form_the_archive_uses(line, expected):
    assert parse_date(line) == expected


def test_a_date_that_does_not_exist_is_refused_naming_its_line():
    with pytest.raises(LegacyFormatError, match="不存在") as refused:
        parse_legacy(issue_text(masthead=MASTHEAD.replace("10 月 30 日", "2 月 30 日")))
    assert refused.value.line == 7


def test_the_masthead_gives_title_number_office_and_date():
    meta = parse_legacy(issue_text()).meta
    assert (meta.title, meta.number, meta.office, meta.date, meta.year) == (
        "长三角每周要讯",
        193,
        "浙江省人民政府驻上海办事处",
        datetime.date(2020, 10, 30),
        2020,
    )


@pytest.mark.parametrize(
    ("masthead", "reason"),
    [
        ("长三角每周要讯\n\n浙江省人民政府驻上海办事处\n\n2020 年 10 月 30 日\n\n目 录\n\n", "期号"),
        ("长三角每周要讯\n\n2020 年第 193 期\n\n浙江省人民政府驻上海办事处\n\n目 录\n\n", "出刊日期"),
        ("2020 年第 193 期\n\n2020 年 10 月 30 日\n\n目 录\n\n", "刊名"),
        ("长三角每周要讯\n\n2020 年第 193 期\n\n2020 年 10 月 30 日\n\n", "目录"),
        ("长三角每周要讯\n\n第 0 期\n\n2020 年 10 月 30 日\n\n目 录\n\n", "正整数"),
    ],
)
def test_a_file_without_a_recognisable_masthead_or_toc_is_refused(masthead, reason):
    with pytest.raises(LegacyFormatError, match=reason):
        parse_legacy(issue_text(masthead=masthead))


def test_a_period_year_that_disagrees_with_the_date_is_a_warning():
    parsed = parse_legacy(issue_text(masthead=MASTHEAD.replace("2020 年第", "2019 年第")))
    assert any("2019" in notice.message for notice in parsed.warnings)
    assert parsed.meta.date.year == 2020


# ------------------------------------------------------------------ table of contents


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("上海发布新政 3", ("上海发布新政", 3)),
        ("上海发布新政……………3", ("上海发布新政", 3)),
        ("上海发布新政....3", ("上海发布新政", 3)),
        ("上海发布新政···3", ("上海发布新政", 3)),
        ("上海发布新政．．．．3", ("上海发布新政", 3)),
        ("上海发布新政\u3000３", ("上海发布新政", 3)),
        ("上海发布新政第3页", ("上海发布新政", 3)),
        ("上海发布新政……第 12 页", ("上海发布新政", 12)),
        ("上海发布新政（3）", ("上海发布新政", 3)),
        ("上海发布新政(3)", ("上海发布新政", 3)),
        ("上海发布新政 P3", ("上海发布新政", 3)),
        ("上海发布新政……p.3", ("上海发布新政", 3)),
        ("深圳出台 19 条措施 19", ("深圳出台 19 条措施", 19)),
        ("上海发布新政3", ("上海发布新政3", None)),
        ("华为发布P40", ("华为发布P40", None)),
        ("上海发布2021", ("上海发布2021", None)),
        ("上海发布新政 0", ("上海发布新政 0", None)),
        ("上海发布新政", ("上海发布新政", None)),
    ],
)
def test_a_toc_entrys_page_is_read_in_every_form_and_nothing_else_is_a_page(line, expected):
    assert split_page(line) == expected


@pytest.mark.parametrize(
    "toc",
    [
        pytest.param(TOC.replace(" 3", "……第3页").replace(" 4", "第4页").replace(" 5", " 第 5 页"), id="第N页"),
        pytest.param(TOC.replace(" 3", "（3）").replace(" 4", "(4)").replace(" 5", " （5）"), id="(N)"),
        pytest.param(TOC.replace(" 3", " P3").replace(" 4", "……P4").replace(" 5", " p5"), id="PN"),
        pytest.param(TOC.replace(" 3", "....3").replace(" 4", "···4").replace(" 5", "．．．5"), id="leaders"),
    ],
)
def test_toc_entries_are_read_with_every_page_form(toc):
    parsed = parse_legacy(issue_text(toc=toc))
    assert [(a.title, a.page) for a in parsed.articles] == [
        ("上海技术交易所开市", 3),
        ("浦东新区出台区块链标准", 4),
        ("青岛市规范农业废弃物管理", 5),
    ]
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    "entry",
    ["- 浦东新区出台区块链标准……", "- 浦东新区出台区块链标准........", "- 浦东新区出台区块链标准……第四页"],
)
def test_a_toc_entry_whose_page_cannot_be_read_is_refused_naming_its_line(entry):
    toc = TOC.replace("- 浦东新区出台区块链标准 4", entry)
    with pytest.raises(LegacyFormatError, match="读不出这条目录的页码") as refused:
        parse_legacy(issue_text(toc=toc))
    assert refused.value.line == 14


def test_a_title_ending_in_a_question_or_exclamation_mark_does_not_end_the_toc():
    toc = "科创聚焦\n\n上海技术交易所开市？\n浦东新区出台区块链标准！\n\n域外动态\n\n青岛市规范农业废弃物管理\n\n"
    body = BODY.replace("上海技术交易所开市\n", "上海技术交易所开市？\n").replace(
        "浦东新区出台区块链标准\n", "浦东新区出台区块链标准！\n"
    )
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert titles(parsed) == ["上海技术交易所开市？", "浦东新区出台区块链标准！", "青岛市规范农业废弃物管理"]


def test_a_short_pageless_title_followed_by_text_in_the_body_is_a_title_not_a_section():
    toc = "科创聚焦\n\n上海技术交易所开市\n浦东出台新标准\n\n域外动态\n\n青岛市规范农业废弃物管理\n\n"
    body = BODY.replace("浦东新区出台区块链标准\n", "浦东出台新标准\n")
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert [(a.section, a.title) for a in parsed.articles] == [
        ("科创聚焦", "上海技术交易所开市"),
        ("科创聚焦", "浦东出台新标准"),
        ("域外动态", "青岛市规范农业废弃物管理"),
    ]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("━━━━━━━━", True),
        ("———", True),
        ("═══════", True),
        ("－－－－", True),
        ("* * *", True),
        ("——", False),
        ("——在会上的讲话", False),
        ("……", False),
    ],
)
def test_rule_lines_are_told_apart_from_text(line, rule):
    assert is_rule(line) is rule


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("一、充分肯定一年来取得的成效", True),
        ("（一）强化科技创新协同", True),
        ("(二)推进基础设施互联互通", True),
        ("1.加快省际断头路建设", True),
        ("2、提升铁路网密度", True),
        ("（3）完善配套政策", True),
        ("第一，压实工作责任", True),
        ("第二部分　主要任务", True),
        ("——在全省工作会议上的讲话", True),
        ("（2021年1月12日）", True),
        ("（来源：新华日报）", True),
        ("一、加快推进数字化转型，到2023年", False),
        ("一是建设基于区块链的新型基础设施", False),
        ("3.5万公里以上的目标要提前谋划。", False),
        ("2023年建设5个通用性强的底层平台", False),
        ("10月28日，上海技术交易所正式开市。", False),
        ("一、" + "很" * 45, False),
    ],
)
def test_sub_headings_are_recognised_and_ordinary_lines_are_not(line, heading):
    assert is_subheading(line) is heading


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("2021-202.txt", 202),
        ("2021_202.TXT", 202),
        ("202.txt", 202),
        ("/archive/2021/2021 202.txt", 202),
        ("长三角每周要讯2021年第5期（总第202期）.txt", 202),
        ("第202期.txt", 202),
        ("2021-01-08.txt", None),
        ("2021.txt", None),
        ("a-good.txt", None),
        ("501-review.txt", None),
    ],
)
def test_the_issue_number_a_file_name_carries_is_read(name, number):
    assert number_in_file_name(name) == number


def test_a_file_name_naming_another_number_is_a_warning_naming_both_and_the_masthead_wins():
    parsed = parse_legacy(issue_text(), name="2020-192.txt")
    assert parsed.meta.number == 193
    assert [notice.message for notice in parsed.warnings] == [
        "文件名“2020-192.txt”中的期号是 192，报头是第 193 期：按报头导入。"
    ]
    assert parse_legacy(issue_text(), name="2020-193.txt").warnings == ()


@pytest.mark.parametrize(
    "masthead",
    [
        pytest.param(
            "长三角每周要讯\n内部资料　注意保存\n2020 年第 193 期\n浙江省人民政府驻上海办事处\n2020 年 10 月 30 日\n目 录\n",
            id="mark after title",
        ),
        pytest.param(
            "秘密★1年\n内部\n长三角每周要讯\n2020 年第 193 期\n浙江省人民政府驻上海办事处\n2020 年 10 月 30 日\n目 录\n",
            id="marks before title",
        ),
        pytest.param(
            "长三角每周要讯\n第 45 期（总第 193 期）\n浙江省人民政府驻上海办事处　　2020年10月30日\n━━━━━━━━━━\n目 录\n",
            id="reference line, office and date",
        ),
        pytest.param(
            "长三角每周要讯（内部资料）\n2020年第193期　　2020.10.30\n浙江省人民政府驻上海办事处编\n═══════\n目 录\n",
            id="period and date, office with 编",
        ),
        pytest.param(
            "长三角每周要讯\n2020年第193期\n主办：浙江省人民政府驻上海办事处\n2020/10/30（星期五）\n目 录\n",
            id="主办 label, weekday",
        ),
    ],
)
def test_masthead_furniture_is_no_title_no_office_and_no_warning(masthead):
    parsed = parse_legacy(issue_text(masthead=masthead + "\n"))
    meta = parsed.meta
    assert (meta.title, meta.number, meta.office, meta.date) == (
        "长三角每周要讯",
        193,
        "浙江省人民政府驻上海办事处",
        datetime.date(2020, 10, 30),
    )
    assert parsed.warnings == ()


def test_a_running_head_with_the_issues_date_in_the_middle_of_a_sentence_is_dropped_and_the_sentence_joined():
    body = BODY.replace(
        "近日，浦东新区标准正式出台。", "近日，浦东新区标\n\n长三角每周要讯　2020年10月30日\n\n准正式出台。"
    )
    parsed = parse_legacy(issue_text(body=body))
    assert parsed.articles[1].paragraphs == ("近日，浦东新区标准正式出台。",)


def test_a_distribution_block_is_the_issues_record_not_the_last_articles_text():
    body = BODY + "\n━━━━━━━━━━\n报：省委、省政府领导。\n送：省级有关部门。\n（共印120份）\n"
    parsed = parse_legacy(issue_text(body=body))
    assert parsed.articles[-1].paragraphs == ("日前，暂行办法审议通过。",)
    assert parsed.distribution == "报：省委、省政府领导。\n送：省级有关部门。\n（共印120份）"
    assert parsed.warnings == ()


def test_a_paragraph_of_the_last_article_that_only_looks_like_a_label_midway_stays_text():
    body = BODY.replace(
        "日前，暂行办法审议通过。", "日前，暂行办法审议通过。\n\n电话：0532-12345678。\n\n办法自明年起施行。"
    )
    parsed = parse_legacy(issue_text(body=body))
    assert parsed.articles[-1].paragraphs[-1] == "办法自明年起施行。"
    assert parsed.distribution == ""


def test_a_file_holding_two_issues_gives_two_issues():
    second = issue_text().replace("193", "194").replace("10 月 30 日", "11 月 6 日")
    first, other = parse_issues(issue_text() + "\n" + second)
    assert (first.meta.number, other.meta.number) == (193, 194)
    assert content(first) == content(other) == content(parse_legacy(issue_text()))


@pytest.mark.parametrize(
    "toc",
    [
        pytest.param(TOC, id="dash bullets"),
        pytest.param(TOC.replace("- ", "· "), id="middle-dot bullets"),
        pytest.param(TOC.replace("- ", "● "), id="round bullets"),
        pytest.param(TOC.replace("- ", ""), id="no bullets"),
        pytest.param(TOC.replace("- ", "").replace("\n上海", "\n\n上海"), id="no bullets, blank lines between"),
        pytest.param(TOC.replace(" 3", "\u30003").replace(" 4", "\u30004").replace(" 5", "\u30005"), id="U+3000"),
        pytest.param(TOC.replace(" 3", "……3").replace(" 4", "……4").replace(" 5", "……5"), id="dot leaders"),
        pytest.param(TOC.replace(" 3", " ３").replace(" 4", " ４").replace(" 5", " ５"), id="full-width digits"),
    ],
)
def test_toc_entries_are_read_with_any_bullet_spacing_or_leader(toc):
    parsed = parse_legacy(issue_text(toc=toc))
    assert [(a.section, a.title, a.page) for a in parsed.articles] == [
        ("科创聚焦", "上海技术交易所开市", 3),
        ("科创聚焦", "浦东新区出台区块链标准", 4),
        ("域外动态", "青岛市规范农业废弃物管理", 5),
    ]
    assert parsed.warnings == ()


@pytest.mark.parametrize("bullet", ["- ", "· ", ""])
def test_a_toc_without_page_numbers_gives_articles_without_pages(bullet):
    toc = f"科创聚焦\n\n{bullet}上海技术交易所开市\n{bullet}浦东新区出台区块链标准\n\n域外动态\n\n{bullet}青岛市规范农业废弃物管理\n\n"
    parsed = parse_legacy(issue_text(toc=toc))
    assert [(a.title, a.page) for a in parsed.articles] == [
        ("上海技术交易所开市", None),
        ("浦东新区出台区块链标准", None),
        ("青岛市规范农业废弃物管理", None),
    ]
    assert parsed.warnings == ()


def test_a_toc_title_wrapped_before_its_page_number_is_joined():
    toc = "科创聚焦\n\n- 上海技术交易所开市 建成服务全国\n技术转移交易网络 3\n- 浦东新区出台区块链标准 4\n\n域外动态\n\n- 青岛市规范农业废弃物管理 5\n\n"
    body = BODY.replace("上海技术交易所开市\n", "上海技术交易所开市 建成服务全国技术转移交易网络\n")
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert parsed.articles[0].title == "上海技术交易所开市 建成服务全国技术转移交易网络"
    assert parsed.articles[0].page == 3
    assert any("跨 2 行" in notice.message for notice in parsed.repairs)


def test_a_title_ending_in_a_number_is_not_mistaken_for_a_page_when_the_toc_has_none():
    toc = "科创聚焦\n\n- 深圳出台措施 19\n\n"
    body = "深圳出台措施 19\n\n近日，措施正式发布。\n"
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert [(a.title, a.page) for a in parsed.articles] == [("深圳出台措施 19", None)]


def test_pages_going_backwards_and_entries_missing_a_page_are_warnings():
    toc = "科创聚焦\n\n- 上海技术交易所开市 5\n- 浦东新区出台区块链标准\n\n域外动态\n\n- 青岛市规范农业废弃物管理 3\n\n"
    parsed = parse_legacy(issue_text(toc=toc))
    messages = [notice.message for notice in parsed.warnings]
    assert any("没有页码" in message for message in messages)
    assert any("小于" in message for message in messages)


def test_entries_before_any_section_go_to_a_general_section_with_a_warning():
    toc = "- 上海技术交易所开市 3\n- 浦东新区出台区块链标准 4\n- 青岛市规范农业废弃物管理 5\n\n"
    parsed = parse_legacy(issue_text(toc=toc, body=BODY.replace("域外动态\n\n", "")))
    assert [section.name for section in parsed.sections] == ["综合"]
    assert any("综合" in notice.message for notice in parsed.warnings)


def test_a_toc_section_without_entries_is_a_warning():
    toc = "科创聚焦\n\n- 上海技术交易所开市 3\n- 浦东新区出台区块链标准 4\n\n专题\n\n域外动态\n\n- 青岛市规范农业废弃物管理 5\n\n"
    parsed = parse_legacy(issue_text(toc=toc))
    assert [notice.message[:8] for notice in parsed.warnings] == ["目录中的“专题”"]
    assert [section.name for section in parsed.sections] == ["科创聚焦", "域外动态"]


def test_an_empty_toc_is_refused():
    with pytest.raises(LegacyFormatError, match="目录是空的"):
        parse_legacy(MASTHEAD + "科创聚焦\n\n")


# ------------------------------------------------------------------ body


def test_titles_match_across_widths_and_spaces_and_the_bodys_spelling_is_kept():
    toc = "科创聚焦\n\n- 长三角(上海)互联网医院 “拼单” 培养 3\n\n"
    body = "长三角（上海）互联网医院 “拼单”培养\n\n正文。\n"
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert titles(parsed) == ["长三角（上海）互联网医院 “拼单”培养"]
    assert any("采用正文" in notice.message for notice in parsed.repairs)


def test_a_toc_entry_missing_from_the_body_is_refused_naming_the_missing_titles():
    body = BODY.replace("浦东新区出台区块链标准\n\n近日，浦东新区标准正式出台。\n\n", "")
    with pytest.raises(LegacyFormatError) as refused:
        parse_legacy(issue_text(body=body))
    assert "浦东新区出台区块链标准" in str(refused.value)
    assert "在正文里找不到" in str(refused.value)
    assert refused.value.line == 14


def test_an_article_with_a_title_and_no_text_is_refused():
    body = BODY.replace("近日，浦东新区标准正式出台。\n\n", "")
    with pytest.raises(LegacyFormatError, match="没有正文"):
        parse_legacy(issue_text(body=body))


def test_text_between_the_toc_and_the_first_article_is_refused_rather_than_lost():
    with pytest.raises(LegacyFormatError, match="不属于任何文章"):
        parse_legacy(issue_text(body="编者按：本期聚焦区块链。\n\n" + BODY))


def test_section_headings_in_the_body_are_optional_and_dropped():
    with_headings = parse_legacy(issue_text(body="科创聚焦\n\n" + BODY))
    without = parse_legacy(issue_text(body=BODY.replace("域外动态\n\n", "")))
    assert content(with_headings) == content(without) == content(parse_legacy(issue_text()))
    assert with_headings.warnings == without.warnings == ()


def test_a_body_heading_that_disagrees_with_the_toc_is_a_warning():
    parsed = parse_legacy(issue_text(body=BODY.replace("域外动态\n\n", "科创聚焦\n\n")))
    assert any("与目录不一致" in notice.message for notice in parsed.warnings)
    assert parsed.articles[-1].section == "域外动态"


def test_a_section_name_inside_an_article_is_kept_as_text():
    body = BODY.replace("日前，暂行办法审议通过。\n", "日前，暂行办法审议通过。\n\n域外动态\n")
    assert parse_legacy(issue_text(body=body)).articles[-1].paragraphs[-1] == "域外动态"


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        pytest.param(
            "第一句，从技术研发、场景\n\n应用、制定标准。\n",
            ["第一句，从技术研发、场景应用、制定标准。"],
            id="split mid-sentence",
        ),
        pytest.param("第一段。\n\n第二段。\n", ["第一段。", "第二段。"], id="two paragraphs"),
        pytest.param("他说：“好。”\n\n第二段。\n", ["他说：“好。”", "第二段。"], id="closing quote after full stop"),
        pytest.param("一是规范；\n\n二是协调。\n", ["一是规范；", "二是协调。"], id="semicolon ends a list item"),
        pytest.param("公序良俗，\n\n不得影响他人。\n", ["公序良俗，不得影响他人。"], id="comma"),
        pytest.param("远程病\f理、远程示教。\n", ["远程病理、远程示教。"], id="form feed"),
        pytest.param("远程病\n\n— 5 —\n\n理、远程示教。\n", ["远程病理、远程示教。"], id="page number between"),
        pytest.param(
            "远程病\n\n- 5 -\n\n\f6\n理、远程示教。\n", ["远程病理、远程示教。"], id="furniture and form feed"
        ),
        pytest.param("采用 AI\n\nmodels 技术。\n", ["采用 AI models 技术。"], id="latin words keep a space"),
        pytest.param("共 2\n\n021 家。\n", ["共 2021 家。"], id="digits do not"),
        pytest.param("全国首个。\n\n第 5 页\n\n第二段。\n", ["全国首个。", "第二段。"], id="page footer"),
    ],
)
def test_paragraphs_broken_by_the_page_are_joined_and_real_paragraphs_kept(text, paragraphs):
    toc = "科创聚焦\n\n- 上海技术交易所开市 3\n\n"
    parsed = parse_legacy(issue_text(toc=toc, body="上海技术交易所开市\n\n" + text))
    assert list(parsed.articles[0].paragraphs) == paragraphs


def test_indented_paragraphs_take_their_breaks_from_the_indentation():
    toc = "科创聚焦\n\n- 甲 3\n- 乙 4\n\n"
    body = (
        "甲\n\n\u3000\u3000第一段没有句号\n\n\u3000\u3000第二段的第一行。\n接着第二段。\n\n"
        "乙\n\n  第一段。\n  第二段\n\n— 4 —\n\n继续第二段。\n"
    )
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert [list(a.paragraphs) for a in parsed.articles] == [
        ["第一段没有句号", "第二段的第一行。接着第二段。"],
        ["第一段。", "第二段继续第二段。"],
    ]


def test_a_title_wrapped_over_two_body_lines_is_found_and_joined():
    toc = "科创聚焦\n\n- 上海技术交易所开市 建成服务全国技术转移交易网络 3\n\n"
    body = "上海技术交易所开市 建成服务\n全国技术转移交易网络\n\n正文。\n"
    parsed = parse_legacy(issue_text(toc=toc, body=body))
    assert titles(parsed) == ["上海技术交易所开市 建成服务全国技术转移交易网络"]
    assert parsed.articles[0].paragraphs == ("正文。",)


def test_a_running_head_repeating_the_masthead_is_dropped():
    body = BODY.replace("近日，浦东新区标准正式出台。\n\n", "近日，浦东新区标准\f长三角每周要讯\n\n正式出台。\n\n")
    parsed = parse_legacy(issue_text(body=body))
    assert parsed.articles[1].paragraphs == ("近日，浦东新区标准正式出台。",)


def test_articles_come_out_in_toc_order_with_a_warning_when_the_body_differs():
    body = (
        "浦东新区出台区块链标准\n\n近日，浦东新区标准正式出台。\n\n上海技术交易所开市\n\n10月28日，正式开市。\n\n"
        "域外动态\n\n青岛市规范农业废弃物管理\n\n日前，暂行办法审议通过。\n"
    )
    parsed = parse_legacy(issue_text(body=body))
    assert titles(parsed)[:2] == ["上海技术交易所开市", "浦东新区出台区块链标准"]
    assert any("顺序" in notice.message for notice in parsed.warnings)


def test_a_last_paragraph_that_stops_mid_sentence_is_a_warning():
    text = issue_text(body=BODY.replace("暂行办法审议通过。", "暂行办法审议"))
    parsed = parse_legacy(text)
    last_line = text.split("\n").index("日前，暂行办法审议") + 1
    assert [(notice.line, "句末标点" in notice.message) for notice in parsed.warnings] == [(last_line, True)]


def test_a_closing_source_line_in_brackets_is_not_a_warning():
    parsed = parse_legacy(issue_text(body=BODY + "\n（来源：青岛日报）\n"))
    assert parsed.warnings == ()
    assert parsed.articles[-1].paragraphs[-1] == "（来源：青岛日报）"


def test_a_replacement_character_in_the_text_is_a_warning():
    parsed = parse_legacy(issue_text(body=BODY.replace("正式开市", "正式\ufffd市")))
    assert any("乱码" in notice.message for notice in parsed.warnings)


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("— 5 —", True),
        ("- 12 -", True),
        ("－5－", True),
        ("5", True),
        ("第 5 页", True),
        ("第5页 共20页", True),
        ("5/20", True),
        ("2020 年 10 月 30 日", False),
        ("5G 网络", False),
        ("- 上海技术交易所开市 3", False),
    ],
)
def test_page_furniture_is_told_apart_from_text(line, furniture):
    assert is_furniture(line) is furniture


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("好。", True),
        ("好！”", True),
        ("好？）", True),
        ("如下：", True),
        ("待续…", True),
        ("场景", False),
        ("良俗，", False),
        ("", False),
    ],
)
def test_sentence_final_punctuation_is_recognised_before_closing_marks(text, ends):
    assert ends_paragraph(text) is ends


# ------------------------------------------------------------------ the real sample


@pytest.fixture(scope="module")
def sample():
    return parse_legacy(legacy_sample_bytes("2020-193.txt"))


def test_the_sample_has_22_articles_in_6_sections(sample):
    assert [(section.name, len(section.articles)) for section in sample.sections] == [
        ("科创聚焦", 2),
        ("经济热点", 3),
        ("产业动向", 5),
        ("政策举措", 3),
        ("经验交流", 4),
        ("域外动态", 5),
    ]
    assert sample.encoding == "UTF-8"
    assert sample.warnings == ()


def test_the_samples_toc_page_numbers_are_kept(sample):
    assert [article.page for article in sample.articles] == [
        3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20,
    ]  # fmt: skip


def test_the_samples_titles_are_the_bodys_spelling(sample):
    assert sample.articles[13].title == "上海宝山成立培训就业联盟 “拼单”培养技能人才"
    assert sample.articles[7].title == "长三角(上海)互联网医院投入运行 提升健康服务能级"
    assert sample.articles[21].title == "天津海洋装备产业（人才）联盟成立"


def test_all_nine_page_break_splits_of_the_sample_are_joined(sample):
    joins = [notice.line for notice in sample.repairs if "分页" in notice.message]
    assert joins == [84, 110, 122, 152, 176, 190, 200, 226, 256]
    for article in sample.articles:
        for paragraph in article.paragraphs[:-1]:
            assert ends_paragraph(paragraph), (article.title, paragraph)
    insurance = sample.articles[2]
    assert insurance.paragraphs[1].startswith("该中心以开放、共享、创新为理念，从技术研发、场景应用、制定标准")
    assert sum(len(article.paragraphs) for article in sample.articles) == 63


def test_every_body_character_of_the_sample_is_kept(sample):
    lines = legacy_sample_bytes("2020-193.txt").decode("utf-8").split("\n")
    body_start = lines.index(sample.articles[0].title, 20)
    headings = {section.name for section in sample.sections}
    source = "".join(line for line in lines[body_start:] if line.strip() not in headings)
    imported = "".join(article.title + "".join(article.paragraphs) for article in sample.articles)

    def normalised(text):
        return "".join(unicodedata.normalize("NFKC", text).split())

    assert len(normalised(imported)) == len(normalised(source)) == 8730
    assert normalised(imported) == normalised(source)


def test_the_sample_parses_the_same_in_gb18030_with_crlf_and_page_furniture(sample):
    text = legacy_sample_bytes("2020-193.txt").decode("utf-8")
    mangled = text.replace("\n\n应用、制定标准", "\n\n— 5 —\f\n应用、制定标准").replace("\n", "\r\n")
    parsed = parse_legacy(mangled.encode("gb18030"))
    assert parsed.encoding == "GB18030"
    assert content(parsed) == content(sample)
