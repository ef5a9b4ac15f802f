"""The pure rules of the printed issue: headline lines, paragraph lines, file names."""

import datetime
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from editorial.printing import content_disposition, join_paragraph_lines, printable, rendition_filename, title_lines


@pytest.mark.parametrize(
    "title, lines",
    [
        ("短标题", ("短标题",)),
        ("上海技术交易所开市 建成服务全国技术转移交易网络", ("上海技术交易所开市 建成服务全国技术转移交易网络",)),
        ("宝山区推进钢铁产业绿色低碳转型 建设氢冶金示范项目", ("宝山区推进钢铁产业绿色低碳转型", "建设氢冶金示范项目")),
        # The spaces around Latin letters and figures are not a break between two parts.
        (
            "我国首个海上风机塔 AIS 基站在上海建成并投入运行服务航运安全",
            ("我国首个海上风机塔 AIS 基站在上海建成并投入运行服务航运安全",),
        ),
        # Of several two-part breaks, the most balanced.
        (
            "长三角生态绿色一体化 示范区发布 首批十项制度创新成果清单",
            ("长三角生态绿色一体化 示范区发布", "首批十项制度创新成果清单"),
        ),
        # No break leaves both parts short enough: the title wraps by itself.
        (
            "一二三 四五六七八九十一二三四五六七八九十一二三四五六七八九十",
            ("一二三 四五六七八九十一二三四五六七八九十一二三四五六七八九十",),
        ),
        (
            "没有空格的一个很长很长很长很长很长很长很长很长的标题文字",
            ("没有空格的一个很长很长很长很长很长很长很长很长的标题文字",),
        ),
    ],
)
def test_a_long_two_part_headline_breaks_at_its_middle_space(title, lines):
    assert title_lines(title) == lines


@pytest.mark.parametrize(
    "text, joined",
    [
        ("长三角一体化\n发展", "长三角一体化发展"),
        ("提升“获得电力”\n服务水平", "提升“获得电力”服务水平"),
        ("引入 AI\n技术", "引入 AI 技术"),
        ("共 20\n个", "共 20 个"),
        ("  首行缩进的段落  ", "首行缩进的段落"),
        ("Windows 换行\r\n也一样", "Windows 换行也一样"),
    ],
)
def test_line_breaks_inside_a_paragraph_vanish_between_chinese_and_become_spaces_otherwise(text, joined):
    assert join_paragraph_lines(text) == joined


def test_control_characters_are_not_printed():
    assert printable("分页\x0c符号\x07与\x00空字符\t制表") == "分页符号与空字符\t制表"


def test_the_file_name_is_the_title_and_period_without_characters_file_systems_refuse():
    issue = SimpleNamespace(
        publication=SimpleNamespace(title='长三角/每周:要讯"'),
        period_label="2020年第193期",
        date=datetime.date(2020, 1, 1),
    )
    assert rendition_filename(issue=issue, extension="pdf") == "长三角每周要讯-2020年第193期.pdf"


def test_content_disposition_carries_the_chinese_name_in_rfc_5987_form_and_an_ascii_fallback():
    header = content_disposition(
        filename="长三角每周要讯-2020年第193期.pdf", ascii_fallback="digest-2020-193.pdf", inline=False
    )
    disposition, plain, encoded = header.split("; ")
    assert disposition == "attachment"
    assert plain == 'filename="digest-2020-193.pdf"'
    assert encoded.startswith("filename*=UTF-8''")
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "长三角每周要讯-2020年第193期.pdf"
    assert header.isascii()
