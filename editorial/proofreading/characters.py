"""Doubled characters that are typing slips: a short list of function words typed twice (的的, 了了, 在在 …).

Real reduplication (常常, 谢谢, 人人, 看看) is never on the list. Each listed character carries the
neighbours that make a doubling legitimate: the first of the two can end a word (目的的, 现在在, 参与与),
the second can start one (为了了解, 在在线平台, 关键是是否), or the pair is part of an idiom (不了了之,
是是非非, 的的确确, 和和美美).
"""

import re
from dataclasses import dataclass

from .findings import Finding, Rule, found

DOUBLED = "characters.doubled"


@dataclass(frozen=True)
class Legitimate:
    """Characters before the pair that end a word with the first, and after it that start one with the second."""

    before: str = ""
    after: str = ""


SLIPS = {
    "的": Legitimate(before="目标", after="确士"),
    "了": Legitimate(before="不", after="解结却断如无然之得"),
    "在": Legitimate(before="现实存所自内外潜好", after="线职校建岗编读途售研运产用于内外场册即望世座案押逃"),
    "是": Legitimate(before="但可于凡总还就要若只也都不或倒而老真实算像便即乃自皆似硬更尤特确竟正", after="否非"),
    "和": Legitimate(before="平温柔祥缓调总饱融暖随附讲违共谦中人议求", after="气美睦"),
    "与": Legitimate(before="参给赋授干"),
    "及": Legitimate(before="涉普危顾波以企提触累不殃推论遍"),
    "并": Legitimate(before="合兼吞归一相"),
    "而": Legitimate(),
    "于": Legitimate(),
    "被": Legitimate(after="告动子褥单罩套"),
}
# Two or more in a row; blanks between them (spaces, tabs) are part of the slip (“的 的”, “的的 的”): removing only the
# blank, as the whitespace rule suggests, would leave the doubling behind.
_BLANKS = r"\s*"
_PAIR = re.compile("|".join(f"{char}(?:{_BLANKS}{char})+" for char in SLIPS))


def check_doubled(text: str) -> list[Finding]:
    """A listed function word typed twice or more in a row → once."""
    findings = []
    for match in _PAIR.finditer(text):
        char = match.group()[0]
        legitimate = SLIPS[char]
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if match.group() == char * 2 and (
            (before and before in legitimate.before) or (after and after in legitimate.after)
        ):
            continue
        message = f"“{match.group()}”疑为多打了字，应为“{char}”。"
        findings.append(found(DOUBLED, match.start(), match.end(), message, char))
    return findings


RULES = [Rule(DOUBLED, "重复字", check_doubled)]
