"""Doubled and clashing marks: `，，` `。。` `、、` `；；` `：：`, and two different sentence marks in a row (`，。`).

Repeated ！ and ？ are left alone (GB/T 15834-2011 allows them for emphasis), and three or more 。 are an
ellipsis typed wrongly (ellipsis.form).
"""

import re

from .findings import Finding, Rule, found

DOUBLED = "marks.doubled"
CLASH = "marks.clash"

# A half-width twin next to the full-width mark counts as the same mark (`，,` is `，，` once widened).
_DOUBLED = re.compile(r"[，,]{2,}|、{2,}|[；;]{2,}|[：:]{2,}|(?<!。)。。(?!。)")
_FULL = {",": "，", ";": "；", ":": "："}
_PRESENT = re.compile("[，、；：。][，,、；;：:。]|[,;:][，；：]")
_CLASH = re.compile(r"[，、；：](?=[，。、；：])|。(?=[，、；：])")


def check_doubled(text: str) -> list[Finding]:
    """The same mark twice or more in a row (a half-width twin included) → once."""
    if not _PRESENT.search(text):
        return []
    findings = []
    for match in _DOUBLED.finditer(text):
        run = match.group()
        mark = next((char for char in run if char not in _FULL), None)
        if mark is None:
            continue  # only half-width marks (std::, a,,b): not Chinese punctuation
        findings.append(found(DOUBLED, match.start(), match.end(), f"标点“{mark}”重复了。", mark))
    return findings


def check_clash(text: str) -> list[Finding]:
    """Two different sentence marks in a row (`，。` `。，` `、，`): one of them is a slip; which one, the editor knows."""
    findings = []
    for match in _CLASH.finditer(text):
        first, second = text[match.start()], text[match.start() + 1]
        if first == second:
            continue
        message = f"“{first}”和“{second}”连在一起，应删去其中一个。"
        findings.append(found(CLASH, match.start(), match.start() + 2, message))
    return findings


RULES = [Rule(DOUBLED, "标点重复", check_doubled), Rule(CLASH, "标点连用", check_clash)]
