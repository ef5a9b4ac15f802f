"""Writing an issue back in the legacy text format, so that `import_legacy` reads it to the same issue.

The output follows the sample's layout (masthead lines, "目 录", bulleted TOC entries
with page numbers, then the body with a section heading before each section), with
one addition the parser understands: every paragraph's first line is indented by two
ideographic spaces, as Chinese typesetting does. With indented paragraphs the parser
takes paragraph breaks from the indentation, so a paragraph that ends without
sentence-final punctuation is not joined to the next one on the way back in.

The issue's distribution record (报/送/印数/签发) is written after the last article, as
printed, so it comes back onto the issue.

What the format cannot carry: single line breaks inside a paragraph (they come back
as one line), a paragraph that is only a number (it reads as a page number), and
regions (re-detected on import).
"""

import datetime
import functools

from .legacy import glue

INDENT = "\u3000\u3000"
RULE = "━" * 20


def format_legacy(data: dict) -> str:
    """Legacy text for issue data shaped like `editorial.exports.issue_data`'s."""
    date = datetime.date.fromisoformat(data["date"])
    lines = [
        data["publication"],
        "",
        f"{date.year} 年第 {data['number']} 期",
        "",
        data["office"],
        "",
        f"{date.year} 年 {date.month} 月 {date.day} 日",
        "",
        "目 录",
        "",
    ]
    for section in data["sections"]:
        lines += [section["name"], ""]
        for article in section["articles"]:
            page = f" {article['page']}" if article.get("page") else ""
            lines.append(f"- {_one_line(article['title'])}{page}")
        lines.append("")
    for section in data["sections"]:
        lines += [section["name"], ""]
        for article in section["articles"]:
            lines += [_one_line(article["title"]), ""]
            for paragraph in article["paragraphs"]:
                lines += [INDENT + _one_line(paragraph), ""]
    if data.get("distribution"):
        lines += [RULE, *data["distribution"].splitlines(), ""]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    parts = [part.strip() for part in text.splitlines() if part.strip()]
    return functools.reduce(glue, parts) if parts else ""
