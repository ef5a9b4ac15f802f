"""Dates written with dots or slashes (`2020.10.28`, `2020/9/30`) → `2020年10月28日` (GB/T 15835-2011, 4.2).

Only complete, real dates with a four-digit year are flagged; `2020-10-28` is a form the standard allows
and is left alone, as are version numbers, decimals and anything inside a web address.
"""

import datetime
import re

from .findings import Finding, Rule, found
from .text import is_protected

NUMERIC = "dates.numeric"

_DATE = re.compile(r"(?<![A-Za-z0-9_./])([0-9]{4})([./])([0-9]{1,2})\2([0-9]{1,2})(?![0-9/]|\.[0-9])")


def check_numeric(text: str) -> list[Finding]:
    """`2020.10.28` `2020/9/30` → `2020年10月28日`."""
    findings = []
    for match in _DATE.finditer(text):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if is_protected(text, match.start()) or not 1900 <= year <= 2100:
            continue
        try:
            datetime.date(year, month, day)
        except ValueError:
            continue
        written = f"{year}年{month}月{day}日"
        message = f"日期应写作“{written}”，不用“{match.group()}”。"
        findings.append(found(NUMERIC, match.start(), match.end(), message, written))
    return findings


RULES = [Rule(NUMERIC, "日期写法", check_numeric)]
