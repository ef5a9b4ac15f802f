"""校对 rules, table by table: what each rule flags (with its suggestion, or None where the fix is not certain)
and what it must leave alone — above all the office's own style, which no rule may flag."""

import pytest

from editorial.proofreading import RULES, RULES_BY_ID, apply_fixes, proofread_article, proofread_text

# (rule, paragraph, [(flagged text, suggestion), …] — that rule's findings in order)
FLAGGED = [
    # punctuation.half-width
    ("punctuation.half-width", "上海,江苏和浙江", [(",", "，")]),
    ("punctuation.half-width", "上海, 江苏", [(", ", "，")]),
    ("punctuation.half-width", "上海 ,江苏", [(" ,", "，")]),
    ("punctuation.half-width", "会议明确:一是", [(":", "：")]),
    ("punctuation.half-width", "时间:10:30", [(":", "：")]),
    ("punctuation.half-width", "包括上海;江苏", [(";", "；")]),
    ("punctuation.half-width", "怎么办?我们", [("?", "？")]),
    ("punctuation.half-width", "太好了!", [("!", "！")]),
    ("punctuation.half-width", "正式开市.", [(".", "。")]),
    ("punctuation.half-width", "正式开市. 这标志着", [(". ", "。")]),
    ("punctuation.half-width", "“开市”.", [(".", "。")]),
    ("punctuation.half-width", "正式开市.这标志着", [(".", None)]),
    ("punctuation.half-width", "一.加快建设", [(".", "、")]),
    ("punctuation.half-width", "长三角(上海)互联网医院", [("(", "（"), (")", "）")]),
    ("punctuation.half-width", "AIS (船舶自动识别系统)基站", [(" (", "（"), (")", "）")]),
    ("punctuation.half-width", "协定》(RCEP)红利", [("(", "（"), (")", "）")]),
    ("punctuation.half-width", "(一)加快建设", [("(", "（"), (")", "）")]),
    ("punctuation.half-width", "邮箱abc@zj.gov.cn,欢迎来信", [(",", "，")]),
    ("punctuation.half-width", "详见https://www.gov.cn/,欢迎访问", [(",", "，")]),
    # quotes.straight
    ("quotes.straight", '他说"好"。', [('"', "“"), ('"', "”")]),
    ("quotes.straight", '“要落实"放管服"改革”', [('"', "‘"), ('"', "’")]),
    ("quotes.straight", '称为"链长制', [('"', None)]),
    ("quotes.straight", "'十四五'期间", [("'", None), ("'", None)]),
    ("quotes.straight", "“推进'放管服'改革”", [("'", "‘"), ("'", "’")]),
    # pairs.unmatched
    ("pairs.unmatched", "围绕“4+X产业布局", [("“", None)]),
    ("pairs.unmatched", "4+X”产业布局", [("”", None)]),
    ("pairs.unmatched", "《江苏省区块链产业发展行动计划", [("《", None)]),
    ("pairs.unmatched", "上海（浦东新区", [("（", None)]),
    ("pairs.unmatched", "上海浦东新区）出台", [("）", None)]),
    ("pairs.unmatched", "《上海（浦东》", [("（", None)]),
    ("pairs.unmatched", "【通知", [("【", None)]),
    ("pairs.unmatched", "”上海“", [("”", None), ("“", None)]),
    # pairs.nested-quote
    ("pairs.nested-quote", "他说：“要落实“放管服”改革。”", [("“放管服”", "‘放管服’")]),
    ("pairs.nested-quote", "“一“二“三”二”一”", [("“二“三”二”", "‘二“三”二’")]),
    # pairs.nested-title
    ("pairs.nested-title", "《关于印发《江苏省实施方案》的通知》", [("《江苏省实施方案》", "〈江苏省实施方案〉")]),
    # marks.doubled
    ("marks.doubled", "上海，，江苏", [("，，", "，")]),
    ("marks.doubled", "正式开市。。", [("。。", "。")]),
    ("marks.doubled", "上海、、江苏、、浙江", [("、、", "、"), ("、、", "、")]),
    ("marks.doubled", "主要任务：：一是", [("：：", "：")]),
    ("marks.doubled", "上海，，，江苏", [("，，，", "，")]),
    # marks.clash
    ("marks.clash", "上海，。江苏", [("，。", None)]),
    ("marks.clash", "开市。，这标志着", [("。，", None)]),
    ("marks.clash", "上海、，江苏", [("、，", None)]),
    # ellipsis.form
    ("ellipsis.form", "医疗、教育...", [("...", "……")]),
    ("ellipsis.form", "医疗、教育......等", [("......", "……")]),
    ("ellipsis.form", "医疗、教育。。。", [("。。。", "……")]),
    ("ellipsis.form", "医疗、教育…", [("…", "……")]),
    ("ellipsis.form", "医疗、教育………", [("………", "……")]),
    ("ellipsis.form", "医疗、教育···", [("···", "……")]),
    # dashes.double-hyphen
    ("dashes.double-hyphen", "新片区--临港", [("--", "——")]),
    ("dashes.double-hyphen", "2011--2020年", [("--", "—")]),
    ("dashes.double-hyphen", "一项新举措－－全国首创", [("－－", "——")]),
    # dashes.single
    ("dashes.single", "这一举措—全国首创—引发关注", [("—", "——"), ("—", "——")]),
    ("dashes.single", "主要有三类：—产业园区", [("—", "——")]),
    ("dashes.single", "引发关注—。", [("—", "——")]),
    # dashes.hyphen-range
    ("dashes.hyphen-range", "《行动方案（2026-2028年）》", [("-", "—")]),
    ("dashes.hyphen-range", "1-10月，全省", [("-", "—")]),
    ("dashes.hyphen-range", "11月1-7日举办", [("-", "—")]),
    ("dashes.hyphen-range", "2011–2020年", [("–", "—")]),
    # width.full-width-alnum
    ("width.full-width-alnum", "首批１２０家企业", [("１２０", "120")]),
    ("width.full-width-alnum", "５Ｇ网络", [("５Ｇ", "5G")]),
    ("width.full-width-alnum", "ＧＤＰ增长３．５%", [("ＧＤＰ", "GDP"), ("３．５", "3.5")]),
    ("width.full-width-alnum", "第１９３期", [("１９３", "193")]),
    # whitespace.between-hanzi
    ("whitespace.between-hanzi", "上海 江苏", [(" ", "")]),
    ("whitespace.between-hanzi", "上海\u3000江苏", [("\u3000", "")]),
    ("whitespace.between-hanzi", "上海  \u3000 江苏", [("  \u3000 ", "")]),
    ("whitespace.between-hanzi", "上海， 江苏", [(" ", "")]),
    ("whitespace.between-hanzi", "采用 “投贷联动”方式", [(" ", "")]),
    ("whitespace.between-hanzi", "5G ，江苏", [(" ", "")]),
    # characters.doubled
    ("characters.doubled", "他的的书", [("的的", "的")]),
    ("characters.doubled", "完成了了任务", [("了了", "了")]),
    ("characters.doubled", "会议在在上海召开", [("在在", "在")]),
    ("characters.doubled", "这是是一个", [("是是", "是")]),
    ("characters.doubled", "上海和和江苏", [("和和", "和")]),
    ("characters.doubled", "他的的的书", [("的的的", "的")]),
    ("characters.doubled", "他的 的书", [("的 的", "的")]),
    ("characters.doubled", "他的的　的书", [("的的　的", "的")]),
    ("characters.doubled", "由于于", [("于于", "于")]),
    # dates.numeric
    ("dates.numeric", "2020.10.28召开", [("2020.10.28", "2020年10月28日")]),
    ("dates.numeric", "于2020/9/30截止", [("2020/9/30", "2020年9月30日")]),
    ("dates.numeric", "自2021.1.1起施行", [("2021.1.1", "2021年1月1日")]),
    ("dates.numeric", "2020.10.28.", [("2020.10.28", "2020年10月28日")]),
]

HEADLINE_FLAGGED = [
    ("headline.end-mark", "上海技术交易所正式开市。", [("。", "")]),
    ("headline.end-mark", "上海技术交易所正式开市，", [("，", "")]),
    ("whitespace.headline-gap", "上海技术交易所开市  建成服务全国技术转移交易网络", [("  ", " ")]),
    ("whitespace.headline-gap", "上海技术交易所开市\u3000\u3000建成服务网络", [("\u3000\u3000", " ")]),
    ("punctuation.half-width", "长三角(上海)互联网医院投入运行 提升健康服务能级", [("(", "（"), (")", "）")]),
]

# (rule, paragraph): that rule finds nothing here.
LEFT_ALONE = [
    ("punctuation.half-width", "Hello, world是问候语"),
    ("punctuation.half-width", "Co., Ltd.是公司"),
    ("punctuation.half-width", "共1,000人"),
    ("punctuation.half-width", "报告.pdf已上传"),
    ("punctuation.half-width", "f(x)=1"),
    ("punctuation.half-width", "见http://www.gov.cn/a,b?c=1:2了解"),
    ("quotes.straight", "Xi'an是西安的拼音"),
    ("quotes.straight", 'He said "yes".'),
    ("quotes.straight", "China's的写法"),
    ("pairs.unmatched", "1）加快建设；2）完善机制"),
    ("pairs.unmatched", "一）加快建设"),
    ("pairs.unmatched", "a)加快建设"),
    ("pairs.unmatched", "Xi’an是西安"),
    ("pairs.nested-quote", "他说：“要落实‘放管服’改革。”"),
    ("pairs.nested-quote", "“十四五”“五新”发展思路"),
    ("pairs.nested-quote", "“一‘二“三”二’一”"),
    ("pairs.nested-title", "《关于印发〈江苏省实施方案〉的通知》"),
    ("pairs.nested-title", "《营商环境国际比较报告》《营商环境市场运行报告》"),
    ("marks.doubled", "真的吗？？"),
    ("marks.doubled", "太好了！！"),
    ("marks.doubled", "医疗、教育。。。"),
    ("marks.clash", "他说：“好。”"),
    ("marks.clash", "真的吗？！"),
    ("ellipsis.form", "医疗、教育……"),
    ("ellipsis.form", "医疗、教育…………"),
    ("ellipsis.form", "version 1...2 of the file"),
    ("dashes.double-hyphen", "--------"),
    ("dashes.double-hyphen", "see --help for more"),
    ("dashes.single", "上海—南京"),
    ("dashes.single", "2011—2020年"),
    ("dashes.single", "上海—南京—杭州"),
    ("dashes.single", "长三角—珠三角—京津冀"),
    ("dashes.single", "沪宁城际上海虹桥站—南京南站—杭州东站开通"),
    ("dashes.single", "“破折号”——这是两个字"),
    ("dashes.hyphen-range", "2020-10-28"),
    ("dashes.hyphen-range", "GB/T 15834-2011"),
    ("dashes.hyphen-range", "电话021-12345678"),
    ("width.full-width-alnum", "增长50％"),
    ("whitespace.between-hanzi", "到 2023 年建设 5 个平台"),
    ("whitespace.between-hanzi", "AIS 基站"),
    ("whitespace.between-hanzi", "\u3000\u3000段首缩进"),
    ("whitespace.between-hanzi", "段尾空格\u3000"),
    ("characters.doubled", "常常、谢谢、人人、天天、看看、渐渐、刚刚"),
    ("characters.doubled", "的的确确"),
    ("characters.doubled", "目的的实现"),
    ("characters.doubled", "交易标的的价格"),
    ("characters.doubled", "为了了解情况"),
    ("characters.doubled", "不了了之"),
    ("characters.doubled", "实在受不了了"),
    ("characters.doubled", "他现在在上海"),
    ("characters.doubled", "在在线平台上办理"),
    ("characters.doubled", "实实在在"),
    ("characters.doubled", "是是非非"),
    ("characters.doubled", "关键是是否落实"),
    ("characters.doubled", "和和美美"),
    ("characters.doubled", "保持平和和稳定"),
    ("characters.doubled", "公众参与与监督"),
    ("characters.doubled", "兼并并购"),
    ("dates.numeric", "版本v2020.10.28"),
    ("dates.numeric", "2020.13.40"),
    ("dates.numeric", "增长2020.10万元"),
    ("dates.numeric", "2020-10-28"),
    ("dates.numeric", "见https://example.com/2020/10/28/a"),
]

# The office's own style: no rule may flag any of these.
OFFICE_STYLE = [
    "一是围绕“4+X”产业布局，着力打造更优质的特色园区。",
    "G60科创走廊建设提速，5G基站覆盖全部园区。",
    "加强节能+AI+互联网+云平台+区块链等融合应用，发展“AI+”产业。",
    "1.加快建设基础设施",
    "（一）加快建设基础设施",
    "一、加快建设基础设施",
    "安排重大关键技术攻关项目资金 41.62 亿元，占 34.68%。",
    "准确率达到 90% 以上，低压停电投诉工单同比减少 30%。",
    "《杭州市低空经济高质量发展三年行动方案（2026—2028年）》",
    "规划期为2011—2020年，上海—南京段率先建成。",
    "他说：“要落实‘放管服’改革。”",
    "坚持“大飞机、大枢纽、创新谷、自贸港”的定位，推进“一网统管”“一网通办”。",
    "此外，研究中心将发布《营商环境国际比较报告》《营商环境市场运行报告》等。",
    "《关于印发〈江苏省重点领域信用监管示范工程实施方案〉的通知》",
    "详见 https://www.shanghai.gov.cn/nw12344/index.html?id=1,2 。",
    "来信请寄 office@zj.gov.cn，或访问www.zj.gov.cn了解。",
    "会议于 9:30 开始，10:45 结束。",
    "到 2023 年建设 5 个通用性强的底层平台，AIS 基站在上海建成。",
    "通过利用居民家中的“光猫（光纤调制解调器）”失电/复电信号实现秒级感知。",
    "该基地建筑面积达 2000 平方米，1200 余台（套）仪器向企业开放。",
    "主要推进三项工作：一是……；二是……；三是……。",
    "eVTOL（电动垂直起降飞行器）整机企业",
    "随着《区域全面经济伙伴关系协定》（RCEP）红利持续释放",
]
OFFICE_HEADLINES = [
    "上海技术交易所开市 建成服务全国技术转移交易网络",
    "上海宝山成立培训就业联盟 “拼单”培养技能人才",
    "我国首个海上风机塔 AIS 基站在上海建成",
    "杨浦区老旧小区加装电梯提速 “15 分钟社区生活圈”更有温度",
    "南京启用 6G 通信开放测试场 向中小企业免费开放",
    "上海提出“十四五”期间节能“五新”发展思路",
    "深圳出台 19 条措施加快电子商务发展",
    "真的有用吗？",
]


def findings_of(rule: str, text: str, *, is_headline: bool = False) -> list[tuple[str, str | None]]:
    return [
        (finding.text, finding.suggestion)
        for finding in proofread_text([text], is_headline=is_headline)
        if finding.rule == rule
    ]


@pytest.mark.parametrize(("rule", "text", "expected"), FLAGGED, ids=[f"{r}:{t}" for r, t, _ in FLAGGED])
def test_each_rule_flags_its_mistake_with_the_certain_fix_or_none(rule, text, expected):
    assert findings_of(rule, text) == expected


@pytest.mark.parametrize(
    ("rule", "text", "expected"), HEADLINE_FLAGGED, ids=[f"{r}:{t}" for r, t, _ in HEADLINE_FLAGGED]
)
def test_headline_rules_flag_headlines(rule, text, expected):
    assert findings_of(rule, text, is_headline=True) == expected


@pytest.mark.parametrize(("rule", "text"), LEFT_ALONE, ids=[f"{r}:{t}" for r, t in LEFT_ALONE])
def test_each_rule_leaves_correct_text_alone(rule, text):
    assert findings_of(rule, text) == []


@pytest.mark.parametrize("text", OFFICE_STYLE)
def test_no_rule_flags_the_offices_own_style(text):
    assert proofread_text([text]) == []


@pytest.mark.parametrize("text", OFFICE_HEADLINES)
def test_no_rule_flags_the_offices_headlines(text):
    assert proofread_text([text], is_headline=True) == []


def test_every_rule_is_exercised_by_a_flagging_example_and_a_silent_one():
    flagged = {rule for rule, _, _ in FLAGGED + HEADLINE_FLAGGED}
    silent = {rule for rule, _ in LEFT_ALONE} | {"headline.end-mark", "whitespace.headline-gap"}
    assert flagged == set(RULES_BY_ID)
    assert silent >= set(RULES_BY_ID)


def test_headline_only_rules_stay_out_of_the_body_and_body_only_rules_out_of_headlines():
    body = [finding.rule for finding in proofread_text(["正式开市。", "上海技术交易所开市  建成"])]
    assert "headline.end-mark" not in body and "whitespace.headline-gap" not in body
    assert "whitespace.between-hanzi" in body
    headline = [finding.rule for finding in proofread_text(["上海技术交易所开市 建成"], is_headline=True)]
    assert headline == []


def test_a_quotation_over_several_paragraphs_opens_each_and_closes_only_in_the_last():
    paragraphs = ["“第一段引语，", "“第二段引语，", "“第三段引语。”"]
    assert proofread_text(paragraphs) == []
    # Not continued: the last paragraph opens no quotation, so the unclosed one is flagged.
    findings = proofread_text(["“第一段引语，", "第二段没有引号。"])
    assert [(finding.rule, finding.paragraph, finding.offset) for finding in findings] == [("pairs.unmatched", 0, 0)]


def test_findings_carry_the_paragraph_the_offset_the_length_and_the_flagged_text():
    findings = proofread_text(["没有问题。", "上海,江苏。", "他的的书"])
    assert [(f.rule, f.paragraph, f.offset, f.length, f.text) for f in findings] == [
        ("punctuation.half-width", 1, 2, 1, ","),
        ("characters.doubled", 2, 1, 2, "的的"),
    ]


def test_proofread_article_checks_the_headline_as_a_headline_and_numbers_body_paragraphs():
    body = "\u3000\u3000第一段没有问题。\n\n第二段,有一处。\r\n\r\n\n第三段的的。\n"
    result = proofread_article("  标题有句号。", body)
    located = result.located()
    assert [(each.part, each.line, each.finding.rule) for each in located] == [
        ("title", 0, "headline.end-mark"),
        ("body", 2, "punctuation.half-width"),
        ("body", 3, "characters.doubled"),
    ]
    normalised = body.replace("\r\n", "\n")
    for each in located[1:]:
        assert normalised[each.start : each.start + each.finding.length] == each.finding.text
    assert "  标题有句号。"[located[0].start] == "。"


def test_applying_the_certain_fixes_corrects_a_faulty_paragraph():
    faulty = "2020.10.28,上海技术交易所正式开市...这标志着“４+X”产业布局的的落地--全国首创。。"
    findings = proofread_text([faulty])
    fixed = apply_fixes(faulty, findings)
    assert fixed == "2020年10月28日，上海技术交易所正式开市……这标志着“4+X”产业布局的落地——全国首创。"
    assert proofread_text([fixed]) == []


def test_rule_ids_are_unique_dotted_and_every_rule_has_a_chinese_name():
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        family, _, name = rule.id.partition(".")
        assert family and name and rule.id == rule.id.lower()
        assert rule.name and not rule.name.isascii()
