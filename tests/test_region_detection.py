"""Region detection: longest name or alias in the title, else in the opening sentence."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from editorial.importers import regions
from editorial.importers.legacy import parse_legacy
from editorial.importers.regions import (
    Region,
    RegionCatalogue,
    catalogue_from_db,
    detect_regions,
    opening_sentence,
    suggest_regions,
)
from editorial.text import normalise_for_match
from tests.office_regions import OFFICE_CATALOGUE
from tests.samples import legacy_sample_bytes

CATALOGUE = RegionCatalogue.of(
    [
        Region("shanghai", "上海", "province", None, ("上海市", "沪")),
        Region("jiangsu", "江苏", "province", None, ("江苏省",)),
        Region("zhejiang", "浙江", "province", None, ("浙江省",)),
        Region("shandong", "山东", "province", None, ("山东省",)),
        Region("pudong", "浦东新区", "district", "shanghai", ("浦东",)),
        Region("putuo-sh", "普陀区", "district", "shanghai", ()),
        Region("suzhou", "苏州", "city", "jiangsu", ("苏州市",)),
        Region("jiaxing", "嘉兴", "city", "zhejiang", ("嘉兴市",)),
        Region("jiashan", "嘉善", "district", "jiaxing", ("嘉善县",)),
        Region("zhoushan", "舟山", "city", "zhejiang", ()),
        Region("putuo-zs", "普陀区", "district", "zhoushan", ()),
        Region("qingdao", "青岛", "city", "shandong", ("青岛市",)),
    ]
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("浦东新区出台全国首个政务领域区块链建设标准", ("pudong",)),
        ("浦东率先探索政务区块链", ("pudong",)),
        ("青岛市全国首创规范农业废弃物管理", ("qingdao",)),
        ("山东省整合设立 120 亿元资金", ("shandong",)),
        ("上海浦东新区发布白皮书", ("pudong",)),
        ("上海、江苏两地联合发布计划", ("shanghai", "jiangsu")),
        ("江苏与上海签约", ("jiangsu", "shanghai")),
        ("嘉善县打造示范区", ("jiashan",)),
        ("浙江嘉兴嘉善联动", ("jiashan",)),
        ("沪上首个智慧码头启用", ("shanghai",)),
        ("上 海 技术交易所开市", ("shanghai",)),
        ("江苏州际合作", ("jiangsu",)),
        ("全国首个省级大数据平台建成", ()),
    ],
)
def test_the_longest_region_named_in_the_title_wins_and_ancestors_give_way(title, expected):
    assert detect_regions(title=title, catalogue=CATALOGUE) == expected


def test_the_opening_sentence_is_read_only_when_the_title_names_no_region():
    body = "近日，苏州发布新政。上海随后跟进。\n\n江苏省也表示支持。"
    assert detect_regions(title="某地发布新政", body=body, catalogue=CATALOGUE) == ("suzhou",)
    assert detect_regions(title="浙江发布新政", body=body, catalogue=CATALOGUE) == ("zhejiang",)
    assert detect_regions(title="某地发布新政", body="国家发布新政。苏州随后跟进。", catalogue=CATALOGUE) == ()


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("第一句。第二句。", "第一句。"),
        ("\n\n问句？后文。", "问句？"),
        ("没有句号的段落\n\n第二段。", "没有句号的段落"),
        ("", ""),
    ],
)
def test_the_opening_sentence_ends_at_the_first_sentence_final_mark(body, sentence):
    assert opening_sentence(body) == sentence


def test_a_name_shared_by_two_regions_goes_to_the_one_listed_first():
    assert detect_regions(title="普陀区启动改造", catalogue=CATALOGUE) == ("putuo-sh",)


def test_the_province_of_a_region_is_found_through_every_level():
    assert CATALOGUE.province_of("jiashan").name == "浙江"
    assert CATALOGUE.province_of("pudong").name == "上海"
    assert CATALOGUE.province_of("shanghai").name == "上海"
    assert CATALOGUE.ancestors("jiashan") == ["jiaxing", "zhejiang"]


def test_a_parent_cycle_in_the_catalogue_does_not_hang_the_detector():
    looped = RegionCatalogue.of([Region("a", "甲地", "city", "b"), Region("b", "乙地", "city", "a")])
    assert looped.ancestors("a") == ["b"]
    assert detect_regions(title="甲地乙地", catalogue=looped) == ()


def test_an_empty_catalogue_detects_nothing():
    assert detect_regions(title="上海", catalogue=RegionCatalogue.of([])) == ()


def names(slugs) -> list[str]:
    return [OFFICE_CATALOGUE.get(slug).name for slug in slugs]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("沪苏浙皖四地联合发布营商环境评价报告", ["上海", "江苏", "浙江", "安徽"]),
        ("苏浙沪三地共建长三角生态绿色一体化发展示范区", ["江苏", "浙江", "上海"]),
        ("江浙沪居民异地就医实现直接结算", ["江苏", "浙江", "上海"]),
        ("京津冀协同发展取得新进展", ["北京", "天津", "河北"]),
        ("粤港澳大湾区建设再提速", ["广东", "香港", "澳门"]),
        ("川渝共建成渝地区双城经济圈", ["四川", "重庆"]),
        ("沪、苏、浙签署合作协议", ["上海", "江苏", "浙江"]),
        ("粤将培育二十个战略性产业集群", ["广东"]),
        ("闽出台促进民营经济发展措施", ["福建"]),
        ("鲁发布新旧动能转换新政", ["山东"]),
        ("豫推进郑州都市圈建设", ["河南"]),
        ("鄂加快建设光谷科创大走廊", ["湖北"]),
        ("湘启动先进制造业高地建设", ["湖南"]),
        ("一体化新进展：苏将建设沿江城市群", ["江苏"]),
        ("苏州发布生物医药产业新政", ["苏州"]),
        ("经济复苏势头强劲", []),
        ("鲁迅故里推出文旅新线路", []),
        ("豫园灯会今年移师线上", []),
        ("津津乐道的夜经济", []),
        ("沪苏州际公交开通", ["上海", "苏州"]),
    ],
)
def test_province_abbreviations_count_as_provinces_only_where_the_context_makes_them_so(title, expected):
    assert names(detect_regions(title=title, catalogue=OFFICE_CATALOGUE)) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("环太湖北岸生态修复工程启动", []),
        ("杭州湾跨海大桥车流量创新高", []),
        ("嘉兴杭州湾新区引进新材料项目", ["嘉兴"]),
        ("苏州河两岸贯通工程全部完工", []),
        ("南京东路步行街完成改造", []),
        ("南京路上的老字号焕新", []),
        ("黄浦江西岸公共空间向市民开放", []),
        ("浙江路径为全国提供经验", ["浙江"]),
        ("湖北部分地区迎来强降雨", ["湖北"]),
        ("太湖流域水环境综合治理取得成效 江苏出台新规", ["江苏"]),
    ],
)
def test_no_region_is_read_across_a_word_boundary(title, expected):
    assert names(detect_regions(title=title, catalogue=OFFICE_CATALOGUE)) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("浦\u200b东新区出台全国首个政务领域区块链建设标准", ["浦东新区"]),
        ("嘉\u00ad善县打造示范区", ["嘉善"]),
        ("粤\u200b将培育二十个战略性产业集群", ["广东"]),
        ("一体化新进展：\u2060苏将建设沿江城市群", ["江苏"]),
        ("一体化新进展： 苏将建设沿江城市群", ["江苏"]),
    ],
)
def test_names_are_compared_in_the_one_form_search_and_the_parser_use_so_pasted_invisible_characters_do_not_hide_them(
    title, expected
):
    assert names(detect_regions(title=title, catalogue=OFFICE_CATALOGUE)) == expected


def test_a_latin_alias_is_found_whatever_its_width_and_case():
    catalogue = RegionCatalogue.of([Region("lingang", "临港新片区", "district", None, ("Lingang",))])
    assert detect_regions(title="ＬＩＮＧＡＮＧ启动新一轮招商", catalogue=catalogue) == ("lingang",)
    assert detect_regions(title="lingang启动新一轮招商", catalogue=catalogue) == ("lingang",)


@given(st.text())
@example("e \u0301")
@example("沪 \u200b将，苏\u00ad将")
def test_the_detector_reads_exactly_the_match_form_and_finds_clause_starts_inside_it(text):
    compact, clause_starts = regions._match_form_with_clauses(text)
    assert compact == normalise_for_match(text)
    assert 0 in clause_starts
    assert all(0 <= at <= len(compact) for at in clause_starts)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "沪苏浙联合发布示范区先行启动区规划",
            "近日，沪苏浙两省一市联合发布规划，覆盖青浦区、吴江区、嘉善县。规划期至2035年。",
            ["青浦区", "吴江", "嘉善"],
        ),
        ("江苏发布沿江城市群规划", "江苏省日前印发规划，南京、苏州两市率先启动。", ["南京", "苏州"]),
        ("浙江出台共同富裕示范区方案", "浙江省日前印发方案。嘉兴、湖州率先试点。", ["浙江"]),
        ("上海发布新政", "上海市政府日前发布新政，深圳、广州已有类似做法。", ["上海"]),
        ("嘉兴发布新政", "嘉兴市日前发布新政，嘉善县率先试点。", ["嘉兴"]),
    ],
)
def test_a_title_naming_only_provinces_takes_the_places_under_them_from_the_opening_sentence(title, body, expected):
    assert names(detect_regions(title=title, body=body, catalogue=OFFICE_CATALOGUE)) == expected


@pytest.mark.django_db
def test_the_article_forms_region_suggestions_use_the_same_rules():
    suggested = suggest_regions(title="沪苏浙联合发布示范区规划", body="规划覆盖青浦区、吴江区、嘉善县。")
    assert [region.name for region in suggested] == ["青浦区", "吴江", "嘉善"]
    assert [region.name for region in suggest_regions(title="粤将培育产业集群")] == ["广东"]
    assert suggest_regions(title="环太湖北岸生态修复") == []


@pytest.mark.django_db
def test_the_catalogue_is_read_from_the_database_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        catalogue = catalogue_from_db()
    assert catalogue.get("pudong").parent == "shanghai"
    assert "上海市" in catalogue.get("shanghai").aliases
    assert catalogue.province_of("jiashan").name == "浙江"


@pytest.mark.django_db
def test_region_suggestions_for_the_admin_are_region_rows():
    suggested = suggest_regions(title="某地发布新政", body="近日，青岛市发布新政。")
    assert [(region.slug, region.parent.name) for region in suggested] == [("qingdao", "山东")]


SAMPLE_REGIONS = [
    ["上海"],
    ["上海"],
    ["上海"],
    ["浦东新区"],
    ["江苏"],
    ["上海"],
    ["临港新片区"],
    ["上海"],
    ["临港新片区"],  # 我国首个海上风机塔 AIS 基站在上海建成: "…基站在上海临港海域建成。"
    ["江苏"],
    ["上海"],
    ["上海"],
    ["江苏"],
    ["宝山区"],
    ["闵行区"],  # 上海启用国内首家实景式养老服务能力建设基地: "上海（闵行）养老服务能力建设基地正式启用"
    ["上海"],
    ["安徽"],
    ["山东"],
    ["青岛"],
    ["广东"],
    ["深圳"],
    ["天津"],
]


@pytest.mark.django_db
def test_every_article_of_the_sample_gets_its_region_from_the_office_catalogue():
    catalogue = catalogue_from_db()
    parsed = parse_legacy(legacy_sample_bytes(), catalogue=catalogue)
    found = [[catalogue.get(slug).name for slug in article.regions] for article in parsed.articles]
    assert found == SAMPLE_REGIONS
    provinces = {
        catalogue.get(slug).name: catalogue.province_of(slug).name for a in parsed.articles for slug in a.regions
    }
    assert provinces["浦东新区"] == "上海"
    assert provinces["青岛"] == "山东"
    assert provinces["深圳"] == "广东"
