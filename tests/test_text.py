"""The paste rules (editorial/text.py clean_body): what WPS, Word and web pages put on the clipboard becomes the
paragraphs readers see — in Python on the server and in the article form's script alike."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from editorial.models import Article
from editorial.text import clean_body

CLEAN_BODY_JS = Path(settings.BASE_DIR) / "static" / "editorial" / "admin" / "clean_body.js"

CASES = [
    # (what was pasted, what is stored)
    ("", ""),
    ("   \n\u3000\u3000\n\t", ""),
    ("一段话。", "一段话。"),
    # WPS: one line per paragraph, indented with two ideographic spaces.
    ("\u3000\u3000第一段。\n\u3000\u3000第二段。\n\u3000\u3000第三段。", "第一段。\n\n第二段。\n\n第三段。"),
    # Word: CRLF, sometimes a blank line between paragraphs, sometimes a tab indent.
    ("第一段。\r\n\r\n第二段。\r\n", "第一段。\n\n第二段。"),
    ("\t第一段。\r\n\t第二段。", "第一段。\n\n第二段。"),
    ("第一段。\r第二段。", "第一段。\n\n第二段。"),
    # Word's manual line break and page break, Unicode line and paragraph separators.
    ("甲\x0b乙\x0c丙\u2028丁\u2029戊\x85己", "甲\n\n乙\n\n丙\n\n丁\n\n戊\n\n己"),
    # Several blank lines, and lines of nothing but spaces, only separate.
    ("第一段。\n\n\n\n  \n\u3000\n第二段。", "第一段。\n\n第二段。"),
    # Web pages: non-breaking spaces, zero-width spaces and joiners, soft hyphens, a byte-order mark.
    ("\ufeff上海\u200b浦东\u200d新区\u00ad发布", "上海浦东新区发布"),
    ("GDP\u00a0增长\u00a0\u00a05.2%", "GDP 增长 5.2%"),
    ("\u00a0\u00a0据报道，数据\u2009中心\u3000开工。\u00a0", "据报道，数据 中心\u3000开工。"),
    # Spaces and tabs inside a line become one space; an ideographic space inside a line stays.
    ("长三角  一体化\t\t示范区", "长三角 一体化 示范区"),
    ("王\u3000明（左）介绍情况", "王\u3000明（左）介绍情况"),
    # Direction marks and other control characters go; visible punctuation stays.
    ("\u200e“数字长三角”\u200f建设\x07加快", "“数字长三角”建设加快"),
    ("1. 项目一；\n2. 项目二。", "1. 项目一；\n\n2. 项目二。"),
    # Already clean text is left alone.
    ("第一段。\n\n第二段。", "第一段。\n\n第二段。"),
]


@pytest.mark.parametrize(("pasted", "stored"), CASES)
def test_pasted_text_becomes_clean_paragraphs(pasted, stored):
    assert clean_body(pasted) == stored


def test_a_wps_paste_gives_as_many_paragraphs_as_it_has_lines():
    pasted = "\u3000\u3000长三角数据中心集群开工。\n\u3000\u3000项目总投资120亿元。\n\u3000\u3000预计2027年投用。\n"
    article = Article(title="标题", body=clean_body(pasted))
    assert article.paragraphs == ["长三角数据中心集群开工。", "项目总投资120亿元。", "预计2027年投用。"]


TEXT = st.lists(
    st.sampled_from(
        [
            *"长三角一体化。，A b1",
            "\n",
            "\r\n",
            "\r",
            "\t",
            " ",
            "\u3000",
            "\u00a0",
            "\u200b",
            "\u00ad",
            "\ufeff",
            "\x0b",
            "\u2028",
            "\x07",
        ]
    ),
    max_size=60,
).map("".join)


@given(TEXT)
def test_cleaning_twice_changes_nothing_more(text):
    assert clean_body(clean_body(text)) == clean_body(text)


@given(TEXT)
def test_every_visible_character_survives_in_order(text):
    visible = [ch for ch in text if not ch.isspace() and ch.isprintable() and ch not in "\u200b\u00ad\ufeff"]
    cleaned = clean_body(text)
    assert [ch for ch in cleaned if not ch.isspace()] == visible
    assert all(paragraph == paragraph.strip() and "\n" not in paragraph for paragraph in cleaned.split("\n\n"))


def test_the_form_script_cleans_exactly_as_the_server_does():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: run `make setup` (it installs Node.js for the browser-side checks).")
    inputs = [pasted for pasted, _ in CASES] + ["段\u2029\u2029落\x1c\x1f", "\u205f\u1680甲\u180e乙"]
    script = (
        f"const t = require({json.dumps(str(CLEAN_BODY_JS))});"
        "const inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(inputs.map(s => [t.cleanBody(s), t.paragraphCount(s)])));"
    )
    result = subprocess.run([node, "-e", script], input=json.dumps(inputs), capture_output=True, text=True, check=True)
    expected = [[clean_body(text), len(Article(body=clean_body(text)).paragraphs)] for text in inputs]
    assert json.loads(result.stdout) == expected
