"""Headlines: no full stop, comma, enumeration comma, semicolon or colon at the end (！ and ？ may stay)."""

from .findings import Finding, Rule, Scope, found

END_MARK = "headline.end-mark"
NOT_AT_END = {"。": "句号", "，": "逗号", "、": "顿号", "；": "分号", "：": "冒号"}


def check_end_mark(text: str) -> list[Finding]:
    """A headline ending in 。，、；： → without it."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in NOT_AT_END:
        return []
    mark = stripped[-1]
    return [found(END_MARK, len(stripped) - 1, len(stripped), f"标题末尾不用{NOT_AT_END[mark]}“{mark}”。", "")]


RULES = [Rule(END_MARK, "标题末尾标点", check_end_mark, scope=Scope.HEADLINE)]
