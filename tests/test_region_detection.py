"""Region detection: longest name or alias in the title, else in the opening sentence."""

import pytest

from editorial.importers.legacy_text import parse_legacy
from editorial.importers.regions import (
    Region,
    RegionCatalogue,
    catalogue_from_db,
    detect_regions,
    opening_sentence,
    suggest_regions,
)
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
