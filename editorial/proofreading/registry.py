"""The table of rules, in the order a report lists them. A new rule: write its check in its family's module,
add a Rule to that module's RULES, and give it a row in the README's table (ids never change once used)."""

from . import characters, dashes, dates, headlines, marks, punctuation, quotes, whitespace, width
from .findings import Rule

FAMILIES = (punctuation, quotes, marks, dashes, width, whitespace, characters, dates, headlines)
RULES: tuple[Rule, ...] = tuple(rule for family in FAMILIES for rule in family.RULES)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# Checks that look beyond one paragraph: a finding they answer True for is dropped.
ACROSS_PARAGRAPHS = {quotes.UNMATCHED: quotes.continues_quotation}

if len(RULES_BY_ID) != len(RULES):
    raise ImportError("Two proofreading rules share an id.")
