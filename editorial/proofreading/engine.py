"""Running the rules: over paragraphs, over an article (headline and body), and applying the certain fixes."""

from dataclasses import dataclass

from .findings import Finding
from .registry import ACROSS_PARAGRAPHS, RULES

# Characters of context on each side that identify a passage when an editor dismisses a finding there.
PASSAGE_CONTEXT = 6
PASSAGE_TEXT_LIMIT = 80


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a body and where it starts in the body (in characters)."""

    start: int
    text: str


@dataclass(frozen=True)
class Located:
    """A finding with its place in the article: headline or body, and where it starts in that field's text."""

    finding: Finding
    part: str  # "title" or "body"
    paragraph: str  # the text the finding's offset counts in: the headline, or its body paragraph
    start: int  # the finding's offset in the whole field (title or body)

    @property
    def line(self) -> int:
        """0 for the headline, else the paragraph's number (from 1)."""
        return 0 if self.part == "title" else self.finding.paragraph + 1

    @property
    def key(self) -> str:
        """The passage a dismissal of this finding is remembered by."""
        return passage(self.finding, self.paragraph)

    def excerpt(self, context: int = 14) -> tuple[str, str, str]:
        """The flagged text with up to `context` characters of its paragraph on each side."""
        finding, text = self.finding, self.paragraph
        before = text[max(0, finding.offset - context) : finding.offset]
        after = text[finding.end : finding.end + context]
        return (
            ("…" if finding.offset > context else "") + before,
            finding.text,
            after + ("…" if finding.end + context < len(text) else ""),
        )


@dataclass(frozen=True)
class ArticleProofreading:
    """An article's findings: the headline's, and the body's (each naming its paragraph)."""

    title: tuple[Finding, ...]
    body: tuple[Finding, ...]
    paragraphs: tuple[Paragraph, ...]
    headline: str = ""
    headline_start: int = 0

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.title + self.body

    def located(self) -> list[Located]:
        """Every finding with its place: the headline's first, then the body's in reading order."""
        return [
            Located(finding, "title", self.headline, self.headline_start + finding.offset) for finding in self.title
        ] + [
            Located(
                finding,
                "body",
                self.paragraphs[finding.paragraph].text,
                self.paragraphs[finding.paragraph].start + finding.offset,
            )
            for finding in self.body
        ]


_HEADLINE_RULES = tuple(rule for rule in RULES if rule.applies(is_headline=True))
_BODY_RULES = tuple(rule for rule in RULES if rule.applies(is_headline=False))


def split_paragraphs(body: str) -> tuple[Paragraph, ...]:
    """The body's paragraphs — blocks of lines separated by blank lines — each without its surrounding blanks."""
    paragraphs = []
    block_start = block_end = None
    position = 0
    for line in body.split("\n"):
        line_end = position + len(line)
        if line.strip():
            if block_start is None:
                block_start = position + (len(line) - len(line.lstrip()))
            block_end = position + len(line.rstrip())
        elif block_start is not None:
            paragraphs.append(Paragraph(block_start, body[block_start:block_end]))
            block_start = None
        position = line_end + 1
    if block_start is not None:
        paragraphs.append(Paragraph(block_start, body[block_start:block_end]))
    return tuple(paragraphs)


def proofread_text(paragraphs: list[str] | tuple[str, ...], *, is_headline: bool = False) -> list[Finding]:
    """Every finding in `paragraphs`, in reading order; `paragraph` in each is the index into `paragraphs`."""
    findings = []
    for index, paragraph in enumerate(paragraphs):
        if not paragraph:
            continue
        for rule in _HEADLINE_RULES if is_headline else _BODY_RULES:
            for f in rule.check(paragraph):
                findings.append(
                    Finding(f.rule, f.offset, f.length, f.message, f.suggestion, index, paragraph[f.offset : f.end])
                )
    findings = [
        finding
        for finding in findings
        if finding.rule not in ACROSS_PARAGRAPHS or not ACROSS_PARAGRAPHS[finding.rule](finding, list(paragraphs))
    ]
    findings.sort(key=lambda finding: (finding.paragraph, finding.offset, finding.length, finding.rule))
    return findings


def proofread_article(title: str, body: str) -> ArticleProofreading:
    """The findings of an article's headline and body."""
    paragraphs = split_paragraphs(body.replace("\r\n", "\n"))
    headline = title.strip()
    return ArticleProofreading(
        title=tuple(proofread_text([headline], is_headline=True)) if headline else (),
        body=tuple(proofread_text([paragraph.text for paragraph in paragraphs])),
        paragraphs=paragraphs,
        headline=headline,
        headline_start=len(title) - len(title.lstrip()),
    )


def passage(finding: Finding, paragraph: str) -> str:
    """The flagged text with a little context on each side: what a dismissal is remembered by."""
    flagged = paragraph[finding.offset : finding.end]
    if len(flagged) > PASSAGE_TEXT_LIMIT:
        half = PASSAGE_TEXT_LIMIT // 2
        flagged = flagged[:half] + "…" + flagged[-half:]
    before = paragraph[max(0, finding.offset - PASSAGE_CONTEXT) : finding.offset]
    return before + flagged + paragraph[finding.end : finding.end + PASSAGE_CONTEXT]


def certain_fixes(findings) -> list[Finding]:
    """The findings with a suggestion that can be applied together: in order, none overlapping an earlier one."""
    chosen, reached = [], -1
    for finding in sorted(findings, key=lambda finding: (finding.offset, -finding.length)):
        if finding.suggestion is None or finding.offset < reached:
            continue
        chosen.append(finding)
        reached = max(finding.end, finding.offset + 1)
    return chosen


def apply_fixes(text: str, findings) -> str:
    """`text` with the certain suggestions among `findings` (all of one paragraph) applied."""
    pieces, position = [], 0
    for finding in certain_fixes(findings):
        pieces.append(text[position : finding.offset])
        pieces.append(finding.suggestion)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)
