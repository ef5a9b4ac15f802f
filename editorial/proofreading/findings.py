"""What a rule reports (a Finding) and what a rule is (a Rule): the two shapes every rule module shares."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Finding:
    """One problem in a paragraph: the rule, where (in characters), the message, and the fix when certain."""

    # `suggestion` replaces exactly text[offset:offset + length]; None when the rule cannot be sure of the fix.

    rule: str
    offset: int
    length: int
    message: str
    suggestion: str | None = None
    paragraph: int = 0
    text: str = ""

    @property
    def end(self) -> int:
        return self.offset + self.length

    @property
    def certain(self) -> bool:
        return self.suggestion is not None


class Scope(StrEnum):
    """Where a rule looks: body paragraphs, headlines, or both."""

    BODY = "body"
    HEADLINE = "headline"
    ALL = "all"


@dataclass(frozen=True)
class Rule:
    """A rule: a stable id, a short name for reports, and a pure check over one paragraph."""

    id: str
    name: str
    check: Callable[[str], Iterable[Finding]]
    scope: Scope = Scope.ALL

    def applies(self, *, is_headline: bool) -> bool:
        return self.scope == Scope.ALL or self.scope == (Scope.HEADLINE if is_headline else Scope.BODY)


def found(rule: str, start: int, end: int, message: str, suggestion: str | None = None) -> Finding:
    """A finding over text[start:end] (the engine fills in the paragraph number and the flagged text)."""
    return Finding(rule=rule, offset=start, length=end - start, message=message, suggestion=suggestion)
