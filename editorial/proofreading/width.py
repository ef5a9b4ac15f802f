"""Full-width digits and Latin letters (`１２０` `５Ｇ` `ＧＤＰ`) → half-width (GB/T 15835-2011, 5.1.3)."""

import re
import unicodedata

from .findings import Finding, Rule, found

FULL_WIDTH_ALNUM = "width.full-width-alnum"

# A full-width decimal point between full-width digits belongs to the number (３．５).
_RUN = re.compile(r"[０-９Ａ-Ｚａ-ｚ](?:[０-９Ａ-Ｚａ-ｚ]|．(?=[０-９]))*")


def check_full_width_alnum(text: str) -> list[Finding]:
    """A run of full-width digits or letters → the same in half-width."""
    findings = []
    for match in _RUN.finditer(text):
        run = match.group()
        half = unicodedata.normalize("NFKC", run)
        kind = "数字" if all(char.isdigit() or char == "．" for char in run) else "外文字母和数字"
        message = f"{kind}应使用半角：“{run}”应为“{half}”。"
        findings.append(found(FULL_WIDTH_ALNUM, match.start(), match.end(), message, half))
    return findings


RULES = [Rule(FULL_WIDTH_ALNUM, "全角数字字母", check_full_width_alnum)]
