"""The archive's format drifts (2015–2024), one fixture file each in tests/legacy_drift/: read exactly, or refused naming the line."""

import datetime
from pathlib import Path

import pytest

from editorial.importers.legacy import LegacyFormatError, parse_issues, parse_legacy
from tests.office_regions import OFFICE_CATALOGUE

DRIFT = Path(__file__).parent / "legacy_drift"
STANDING = ["科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]


def drift(name: str) -> bytes:
    path = DRIFT / name
    if not path.is_file():
        pytest.fail(f"The drift fixture {path} is missing.")
    return path.read_bytes()


def parse(name: str):
    return parse_issues(drift(name), catalogue=OFFICE_CATALOGUE, known_sections=STANDING, name=name)


def outline(issue) -> tuple:
    """Number, date and every article's section, title, page and paragraph count."""
    return (
        issue.meta.number,
        issue.meta.date.isoformat(),
        [(a.section, a.title, a.page, len(a.paragraphs)) for a in issue.articles],
    )


def regions(issue) -> list[list[str]]:
    return [[OFFICE_CATALOGUE.get(slug).name for slug in article.regions] for article in issue.articles]


# ------------------------------------------------------------------ the table: every fixture, what comes out

IMPORTED = [
    pytest.param(
        "toc-page-forms.txt",
        [
            (
                195,
                "2021-01-15",
                [
                    ("科创聚焦", "上海发布集成电路产业新政", 3, 2),
                    ("科创聚焦", "苏州工业园区建设生物医药创新中心", 3, 2),
                    ("科创聚焦", "合肥综合性国家科学中心新增两个大科学装置", 4, 1),
                    ("经济热点", "杭州出台数字贸易先行示范区建设方案", 5, 1),
                    ("经济热点", "宁波舟山港年集装箱吞吐量突破 2800 万标准箱", 5, 1),
                    ("经济热点", "南京都市圈签署医保异地结算协议", 6, 1),
                    ("产业动向", "嘉兴推进氢能产业链建设", 7, 1),
                    ("产业动向", "无锡集成电路设计企业营收增长三成", 8, 1),
                    ("产业动向", "芜湖机器人产业园新增入驻企业 21 家", 8, 1),
                ],
            )
        ],
        id="TOC pages as 第3页 (3) （3） P5, leaders …… .... ··· ．．． or none",
    ),
    pytest.param(
        "toc-wrapped-pageless.txt",
        [
            (
                196,
                "2021-01-22",
                [
                    ("科创聚焦", "长三角国家技术创新中心启动建设首批联合攻关项目", None, 1),
                    ("科创聚焦", "张江科学城再添一批重大科技基础设施建设进度如何？", None, 2),
                    ("科创聚焦", "浙江实验室体系建设提速！", None, 1),
                    (
                        "经济热点",
                        "长三角生态绿色一体化发展示范区执委会发布第二批制度创新成果 涉及规划管理、生态保护等八个方面",
                        None,
                        1,
                    ),
                    ("经济热点", "沪苏浙皖四地联合发布长三角地区营商环境评价报告", None, 1),
                ],
            )
        ],
        id="pageless TOC, titles wrapped over two and three lines, titles ending in ？ and ！",
    ),
    pytest.param(
        "new-sections.txt",
        [
            (
                198,
                "2021-02-05",
                [
                    ("领导讲话", "携手推进长三角一体化高质量发展", 3, 2),
                    ("科创聚焦", "苏州启动建设长三角先进材料研究院", 5, 1),
                    ("专题报道", "长三角一体化示范区“一网通办”专窗运行一周年", 6, 1),
                    ("专题报道", "虹桥国际开放枢纽建设总体方案实施情况", 7, 1),
                    ("域外动态", "广州南沙出台支持青年创新创业十条措施", 8, 1),
                ],
            )
        ],
        id="sections beyond the six, standard sections missing",
    ),
    pytest.param(
        "masthead-furniture.txt",
        [
            (
                197,
                "2021-01-29",
                [
                    ("科创聚焦", "上海启动人工智能公共算力服务平台", 3, 1),
                    ("科创聚焦", "南通建成长三角首个海上风电运维母港", 3, 1),
                    ("政策举措", "浙江出台促进平台经济规范健康发展意见", 4, 2),
                ],
            )
        ],
        id="masthead marks, reference line, office and date on one line, rules",
    ),
    pytest.param(
        "distribution-block.txt",
        [
            (
                199,
                "2021-02-26",
                [
                    ("经济热点", "上海外资研发中心总数达到 481 家", 3, 1),
                    ("经济热点", "合肥新站高新区新型显示产业规模突破千亿元", 4, 2),
                ],
            )
        ],
        id="distribution block after the last article",
    ),
    pytest.param(
        "running-heads.txt",
        [
            (
                200,
                "2021-03-05",
                [
                    ("科创聚焦", "上海技术交易所首年交易额突破百亿元", 3, 2),
                    ("科创聚焦", "杭州城西科创大走廊新增国家级孵化器", 4, 1),
                ],
            )
        ],
        id="running heads and page numbers in the middle of sentences",
    ),
    pytest.param(
        "subheadings.txt",
        [
            (
                204,
                "2021-04-02",
                [
                    ("领导讲话", "奋力推进长三角一体化发展走深走实", 3, 21),
                    ("经验交流", "嘉兴推行“网格连心”基层治理模式", 6, 2),
                ],
            )
        ],
        id="unpunctuated sub-headings, a speech's opening lines",
    ),
    pytest.param(
        "mixed-indentation.txt",
        [
            (
                205,
                "2021-04-09",
                [
                    ("经济热点", "上海修订鼓励跨国公司设立地区总部的规定", 3, 3),
                    ("经济热点", "江苏发布制造业智能化改造三年行动计划", 4, 3),
                    ("产业动向", "浙江推进山区 26 县跨越式高质量发展", 5, 2),
                    ("产业动向", "安徽合肥国际先进技术应用推进中心揭牌", 6, 3),
                ],
            )
        ],
        id="indented, unindented, tab-indented and hard-wrapped articles in one issue",
    ),
    pytest.param(
        "two-issues.txt",
        [
            (
                201,
                "2021-03-12",
                [
                    ("科创聚焦", "上海张江药谷新增创新药企业 12 家", 3, 1),
                    ("域外动态", "深圳前海推出跨境金融服务新举措", 4, 1),
                ],
            ),
            (
                202,
                "2021-03-19",
                [
                    ("科创聚焦", "杭州未来科技城新增省级重点实验室 3 家", 3, 1),
                    ("经济热点", "南京江北新区集成电路产业规模突破 400 亿元", 4, 1),
                ],
            ),
        ],
        id="two issues in one file",
    ),
    pytest.param(
        "2021-202.txt",
        [
            (
                203,
                "2021-03-26",
                [
                    ("政策举措", "上海出台优化营商环境 4.0 版方案", 3, 1),
                    ("政策举措", "嘉兴发布支持数字经济发展十条", 3, 1),
                ],
            )
        ],
        id="file name naming another number than the masthead",
    ),
]


@pytest.mark.parametrize(("name", "expected"), IMPORTED)
def test_each_drift_of_the_archive_reads_to_exactly_these_issues(name, expected):
    assert [outline(issue) for issue in parse(name)] == expected


REFUSED = [
    pytest.param(
        "gbk-stray-byte.txt",
        18,
        ["GB18030（GBK）", "第 22 个字", "第 289 个字节", "0xFF"],
        id="a GBK file with one invalid byte",
    ),
    pytest.param(
        "toc-unreadable.txt",
        14,
        ["读不出这条目录的页码", "宁波推进港口数字化转型"],
        id="a TOC entry with a leader and no page",
    ),
]


@pytest.mark.parametrize(("name", "line", "words"), REFUSED)
def test_a_drift_that_cannot_be_read_exactly_is_refused_naming_its_line(name, line, words):
    with pytest.raises(LegacyFormatError) as refused:
        parse(name)
    assert refused.value.line == line
    assert str(refused.value).startswith(f"第 {line} 行：")
    for word in words:
        assert word in refused.value.message, word


WARNINGS = [
    pytest.param("toc-page-forms.txt", [[]], id="page forms"),
    pytest.param("toc-wrapped-pageless.txt", [[]], id="wrapped TOC"),
    pytest.param("new-sections.txt", [[]], id="new sections (the loader warns, not the parser)"),
    pytest.param("masthead-furniture.txt", [[]], id="masthead furniture"),
    pytest.param("distribution-block.txt", [[]], id="distribution"),
    pytest.param("running-heads.txt", [[]], id="running heads"),
    pytest.param("subheadings.txt", [[]], id="sub-headings"),
    pytest.param("mixed-indentation.txt", [[]], id="mixed indentation"),
    pytest.param(
        "two-issues.txt",
        [
            ["文件中有 2 期：第 201 期（第 1 行起）、第 202 期（第 33 行起），将分别导入为 2 期。"],
            ["文件中有 2 期：第 201 期（第 1 行起）、第 202 期（第 33 行起），将分别导入为 2 期。"],
        ],
        id="two issues",
    ),
    pytest.param(
        "2021-202.txt",
        [["文件名“2021-202.txt”中的期号是 202，报头是第 203 期：按报头导入。"]],
        id="file name",
    ),
]


@pytest.mark.parametrize(("name", "expected"), WARNINGS)
def test_handled_drifts_raise_only_the_warnings_an_editor_needs(name, expected):
    assert [[notice.message for notice in issue.warnings] for issue in parse(name)] == expected


# ------------------------------------------------------------------ each drift in detail


def test_toc_page_forms_are_no_longer_blamed_on_lines_that_belong_to_no_article():
    issue = parse_legacy(drift("toc-page-forms.txt"), known_sections=STANDING)
    assert issue.warnings == ()
    assert [article.page for article in issue.articles] == [3, 3, 4, 5, 5, 6, 7, 8, 8]


def test_a_wrapped_pageless_toc_is_joined_by_what_the_body_says_and_reported():
    (issue,) = parse("toc-wrapped-pageless.txt")
    repairs = [notice.message for notice in issue.repairs]
    assert (
        "目录条目跨 3 行，已合并为“长三角生态绿色一体化发展示范区执委会发布第二批制度创新成果 涉及规划管理、生态保护等八个方面”。"
        in repairs
    )
    assert any("正文标题跨 2 行" in message for message in repairs)
    assert [section.name for section in issue.sections] == ["科创聚焦", "经济热点"]


def test_the_province_abbreviations_of_a_title_are_taken_as_provinces():
    (issue,) = parse("toc-wrapped-pageless.txt")
    assert regions(issue)[-1] == ["上海", "江苏", "浙江", "安徽"]


def test_new_sections_stay_sections_and_the_body_repeats_them_as_headings():
    (issue,) = parse("new-sections.txt")
    assert [section.name for section in issue.sections] == ["领导讲话", "科创聚焦", "专题报道", "域外动态"]
    assert "领导讲话" not in issue.articles[0].body


def test_a_title_naming_no_place_takes_the_places_of_its_opening_sentence():
    (issue,) = parse("new-sections.txt")
    assert regions(issue)[2] == ["青浦区", "吴江", "嘉善"]


def test_masthead_furniture_is_neither_title_nor_office_nor_text():
    (issue,) = parse("masthead-furniture.txt")
    meta = issue.meta
    assert (meta.title.replace(" ", ""), meta.number, meta.office, meta.date) == (
        "长三角每周要讯",
        197,
        "浙江省人民政府驻上海办事处",
        datetime.date(2021, 1, 29),
    )
    assert issue.warnings == ()
    assert issue.distribution == "签发人：王明"
    assert [notice.line for notice in issue.repairs if "密级" in notice.message] == [1, 2]
    assert all("内部" not in article.body and "秘密" not in article.body for article in issue.articles)


DISTRIBUTION = (
    "报：省委、省政府领导，省委办公厅、省政府办公厅，\n"
    "省发展改革委、省经信厅、省商务厅。\n"
    "送：长三角区域合作办公室，上海市人民政府合作交流办公室。\n"
    "发：各设区市人民政府驻沪办事处。\n"
    "责任编辑：李华\u3000\u3000审核：张强\u3000\u3000签发：王明\n"
    "校对：陈静" + "\u3000" * 11 + "（共印 120 份）"
)


def test_the_distribution_block_is_kept_on_the_issue_as_printed_and_the_last_article_keeps_its_own_text():
    (issue,) = parse("distribution-block.txt")
    assert issue.distribution == DISTRIBUTION
    assert issue.articles[-1].paragraphs == (
        "合肥新站高新区新型显示产业去年实现产值1080亿元，同比增长18.6%，集聚上下游企业80余家。",
        "园区将重点发展柔性显示、微显示等新一代显示技术，力争到2025年产业规模达到1500亿元。",
    )
    assert [(notice.line, "报送记录" in notice.message) for notice in issue.repairs] == [(27, True)]


def test_a_running_head_in_the_middle_of_a_sentence_is_removed_and_the_sentence_joined():
    (issue,) = parse("running-heads.txt")
    first, second = issue.articles
    assert first.paragraphs[0].endswith("包括央企、国企、高校科研院所和民营科技企业，服务范围覆盖全国28个省份。")
    assert second.paragraphs == (
        "杭州城西科创大走廊去年新增国家级科技企业孵化器6家、众创空间9家，累计在孵企业超过3000家，"
        "孵化器毕业企业中已有12家在科创板上市。",
    )
    removed = [notice.line for notice in issue.repairs if "页眉" in notice.message]
    assert removed == [20, 26, 34]
    assert not any(
        "长三角每周要讯" in paragraph or "第 4 页" in paragraph for a in issue.articles for paragraph in a.paragraphs
    )


SPEECH = [
    "——在浙江省推进长三角一体化发展工作会议上的讲话",
    "（2021年3月29日）",
    "同志们：",
    "今天召开这次会议，主要任务是总结去年工作，部署今年任务。下面，我讲三点意见。",
    "一、充分肯定一年来取得的成效",
    "过去一年，全省上下坚决贯彻落实长三角一体化发展国家战略，各项工作取得积极进展。",
    "二、准确把握今年工作的重点",
    "今年是“十四五”开局之年，要重点抓好以下几项工作。",
    "（一）强化科技创新协同",
    "要加快建设长三角国家技术创新中心浙江中心，推动重大科研设施共建共享。",
    "（二）推进基础设施互联互通",
    "1.加快省际断头路建设",
    "今年要打通省际断头路5条。",
    "2.提升铁路网密度",
    "推进沪苏湖、通苏嘉甬等铁路建设，省域铁路营业里程达到3.5万公里以上的目标要提前谋划。",
    "三、切实加强组织保障",
    "第一，压实工作责任",
    "各地各部门要把一体化工作摆上重要议事日程。",
    "第二，强化督查考核",
    "要建立健全工作考核评价机制。",
    "同志们，长三角一体化发展前景广阔，让我们携手奋斗，再创佳绩！",
]


def test_unpunctuated_sub_headings_are_never_glued_while_page_breaks_still_join():
    (issue,) = parse("subheadings.txt")
    speech, grid = issue.articles
    assert list(speech.paragraphs) == SPEECH
    # An inline 一是…二是… paragraph broken by the page is joined; "3.2万名" is no sub-heading.
    assert grid.paragraphs[1].endswith(
        "三是用好数字平台，3.2万名网格员通过手机应用实时上报问题，去年处置各类事项68万件，办结率99.6%。"
    )


MIXED = [
    [
        "3月30日，上海市政府发布修订后的《上海市鼓励跨国公司设立地区总部的规定》，进一步放宽地区总部认定条件",
        "新规将地区总部认定门槛由母公司资产总额不低于4亿美元调整为不低于2亿美元，并新增事业部总部类型。",
        "截至2020年底，上海累计认定跨国公司地区总部771家，其中亚太区总部133家。",
    ],
    [
        "江苏省工业和信息化厅近日印发《江苏省制造业智能化改造和数字化转型三年行动计划（2022—2024年）》。",
        "计划提出，到2024年底全省规模以上工业企业全面实施智能化改造和数字化转型，建成一批智能制造示范工厂",
        "（来源：新华日报）",
    ],
    [
        "浙江省日前召开山区26县跨越式高质量发展工作会议，提出实施产业发展、生态保护和公共服务三大提升行动",
        "到2025年，山区26县居民人均可支配收入与全省平均水平的差距进一步缩小。",
    ],
    [
        "3月12日，合肥国际先进技术应用推进中心揭牌。中心将围绕量子信息、新能源汽车、集成电路等领域开展先进技术转化应用。"
        "根据方案，中心将建设技术转移服务、概念验证和中试熟化三类平台，力争到2025年累计转化先进技术成果500项以上。",
        "中心由合肥市政府与中国科学技术大学共建，首批入驻项目32个，总投资超过50亿元，涵盖量子精密测量、第三代半导体和智能网联汽车等方向。",
        "下一步，合肥将出台配套支持政策，对入驻项目给予场地、资金和人才等方面的支持。",
    ],
]


def test_each_article_of_a_mixed_issue_takes_its_paragraphs_from_its_own_layout():
    (issue,) = parse("mixed-indentation.txt")
    assert [list(article.paragraphs) for article in issue.articles] == MIXED


def test_two_issues_in_one_file_come_out_as_two_issues_each_with_its_own_record_and_lines():
    first, second = parse("two-issues.txt")
    assert (first.line, second.line) == (1, 33)
    assert first.distribution == second.distribution == "报：省委、省政府领导。\n送：省级有关部门。\n（共印 120 份）"
    assert "报" not in first.articles[-1].body and "张江" not in second.articles[0].body


def test_parse_legacy_wants_one_issue_and_names_both_when_a_file_holds_two():
    with pytest.raises(LegacyFormatError) as refused:
        parse_legacy(drift("two-issues.txt"))
    assert "第 201 期（第 1 行起）" in str(refused.value) and "第 202 期（第 33 行起）" in str(refused.value)


def test_a_second_toc_without_a_masthead_above_it_is_refused_naming_its_line():
    text = drift("distribution-block.txt").decode()
    broken = text.replace("园区将重点发展", "目 录\n\n园区将重点发展")
    with pytest.raises(LegacyFormatError, match="没有一期的报头") as refused:
        parse_issues(broken)
    assert refused.value.line == broken.split("\n").index("目 录", 10) + 1


def test_a_file_repeating_one_issue_twice_is_refused_not_split():
    text = drift("2021-202.txt").decode()
    with pytest.raises(LegacyFormatError, match="同一期（第 203 期）") as refused:
        parse_issues(text + "\n" + text)
    assert refused.value.line == text.count("\n") + 2


# ------------------------------------------------------------------ dates and the GBK byte


@pytest.mark.parametrize(
    "date_line",
    [
        "2021年4月9日",
        "2021 年 4 月 9 日",
        "2021.4.9",
        "2021. 4. 9",
        "2021-04-09",
        "2021/4/9",
        "2021 / 04 / 09",
        "２０２１／４／９",
    ],
)
def test_every_date_form_of_the_archive_reads_in_a_masthead(date_line):
    text = drift("mixed-indentation.txt").decode().replace("2021 年 4 月 9 日", date_line, 1)
    assert parse_legacy(text).meta.date == datetime.date(2021, 4, 9)


def test_the_gbk_file_reads_once_its_byte_is_mended_and_the_refusal_says_which_encoding():
    damaged = drift("gbk-stray-byte.txt")
    at = damaged.index(b"\xff")
    mended = damaged[:at] + "绿".encode("gbk")[:1] + damaged[at + 1 :]
    issue = parse_legacy(mended)
    assert issue.encoding == "GB18030"
    assert "绿色贷款余额年均增长超过30%" in issue.articles[0].body
    with pytest.raises(LegacyFormatError, match=r"0xFF") as refused:
        parse_legacy(damaged)
    assert refused.value.line == 18


def test_a_utf8_file_with_one_stray_byte_is_refused_as_utf8_not_read_as_gbk():
    text = drift("distribution-block.txt")
    at = text.index("截至今年1月底".encode())
    damaged = text[:at] + b"\xff" + text[at + 1 :]
    with pytest.raises(LegacyFormatError) as refused:
        parse_legacy(damaged)
    assert refused.value.line == 18
    assert refused.value.message.startswith(f"文件的编码是 UTF-8，但第 1 个字处（文件第 {at + 1} 个字节，0xFF）")
