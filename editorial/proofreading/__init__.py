"""校对: a rule-based proofreader for Chinese news text, by GB/T 15834-2011 (标点符号用法) and GB/T 15835-2011
(出版物上数字用法).

Each family of rules is a module of pure functions over one paragraph (punctuation, quotes, marks, dashes,
width, whitespace, characters, dates, headlines); `registry.RULES` is the table. A finding names its rule,
its place (0-based `offset` and `length` in characters), a message in plain Chinese and — only where the
fix is certain — a suggestion. Precision comes first: a rule that cannot tell stays silent.

    proofread_text(paragraphs, is_headline=False) -> list[Finding]
    proofread_article(title, body) -> ArticleProofreading

The database side (dismissed findings, an issue's report) is in `dismissals` and `reports`.
"""

from .engine import (
    ArticleProofreading,
    Located,
    Paragraph,
    apply_fixes,
    certain_fixes,
    passage,
    proofread_article,
    proofread_text,
    split_paragraphs,
)
from .findings import Finding, Rule, Scope
from .registry import RULES, RULES_BY_ID

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "ArticleProofreading",
    "Finding",
    "Located",
    "Paragraph",
    "Rule",
    "Scope",
    "apply_fixes",
    "certain_fixes",
    "passage",
    "proofread_article",
    "proofread_text",
    "split_paragraphs",
]
