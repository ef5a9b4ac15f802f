"""`manage.py proofread`: a plain-text file (one paragraph per line) or a stored issue, as text or JSON."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.proofreading.dismissals import dismiss
from tests.factories import make_article, make_issue

FAULTY = "上海,江苏和浙江。\n\n\u3000\u3000他的的书...\n没有问题。\n"


def run(*args) -> tuple[int, str]:
    """The command's exit status and what it printed."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("proofread", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def faulty_file(tmp_path):
    path = tmp_path / "稿件.txt"
    path.write_text(FAULTY, encoding="utf-8")
    return path


def test_a_file_is_checked_line_by_line_with_1_based_columns_in_json(faulty_file):
    status, out = run(str(faulty_file), "--format", "json")
    assert status == 1
    assert json.loads(out) == [
        {
            "line": 1,
            "column": 3,
            "length": 1,
            "rule": "punctuation.half-width",
            "message": "中文里应使用全角逗号“，”，这里是半角的“,”。",
            "suggestion": "，",
        },
        {
            "line": 3,
            "column": 4,
            "length": 2,
            "rule": "characters.doubled",
            "message": "“的的”疑为多打了字，应为“的”。",
            "suggestion": "的",
        },
        {
            "line": 3,
            "column": 7,
            "length": 3,
            "rule": "ellipsis.form",
            "message": "省略号应为“……”（两个“…”，共六个点），这里是“...”。",
            "suggestion": "……",
        },
    ]
    lines = FAULTY.split("\n")
    for finding in json.loads(out):
        start = finding["column"] - 1
        assert lines[finding["line"] - 1][start : start + finding["length"]] in (",", "的的", "...")


def test_the_text_format_names_file_line_column_rule_and_fix_and_shows_the_passage(faulty_file):
    status, out = run(str(faulty_file))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"{faulty_file}:1:3: punctuation.half-width 中文里应使用全角逗号“，”，这里是半角的“,”。 → “，”"
    assert lines[1] == "    上海【,】江苏和浙江。"
    assert lines[-1] == "共 3 处（其中 3 处有确定的改法）。"


def test_a_clean_gb18030_file_passes_with_status_0(tmp_path):
    path = tmp_path / "clean.txt"
    path.write_bytes("10月28日，上海技术交易所正式开市。\r\n".encode("gb18030"))
    assert run(str(path)) == (0, "未发现问题。\n")
    assert run(str(path), "--format", "json") == (0, "[]\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "二者选一"),
        (("no-such-file.txt",), "找不到文件"),
        (("x.txt", "--issue", "1"), "二者选一"),
    ],
)
def test_bad_arguments_are_refused_with_a_chinese_message_and_status_2(args, message):
    with pytest.raises(CommandError, match=message) as refusal:
        call_command("proofread", *args)
    assert refusal.value.returncode == 2


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01\x02abc")
    with pytest.raises(CommandError, match=r"binary\.txt") as refusal:
        call_command("proofread", str(path))
    assert refusal.value.returncode == 2


@pytest.mark.django_db
def test_an_issue_is_checked_article_by_article_with_the_headline_as_line_0(editor):
    issue = make_issue(number=193)
    make_article(issue=issue, title="没有问题的稿件", body="正文没有问题。")
    faulty = make_article(issue=issue, title="标题有句号。", body="第一段。\n\n第二段,有问题。")
    status, out = run("--issue", "193", "--format", "json")
    assert status == 1
    rows = json.loads(out)
    assert [(row["article"], row["line"], row["column"], row["rule"]) for row in rows] == [
        ("标题有句号。", 0, 6, "headline.end-mark"),
        ("标题有句号。", 2, 4, "punctuation.half-width"),
    ]
    assert set(rows[0]) == {"article", "line", "column", "length", "rule", "message", "suggestion"}

    # A finding dismissed in the admin is left out.
    dismiss(article=faulty, rule="punctuation.half-width", passage="第二段,有问题。", user=editor)
    status, out = run("--issue", "193", "--format", "json")
    assert [row["rule"] for row in json.loads(out)] == ["headline.end-mark"]

    status, out = run("--issue", "193")
    assert out.splitlines()[1:3] == [
        "标题:6: headline.end-mark 标题末尾不用句号“。”。 → （删去）",
        "    标题有句号【。】",
    ]


@pytest.mark.django_db
def test_an_unknown_issue_is_refused():
    with pytest.raises(CommandError, match="没有第999期") as refusal:
        call_command("proofread", "--issue", "999")
    assert refusal.value.returncode == 2
