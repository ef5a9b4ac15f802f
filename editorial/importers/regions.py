"""Region detection: which source regions an article reports from, read off its title and opening sentence.

The detector is pure: it works over a `RegionCatalogue` built from plain `Region`
values, so the legacy parser, the loader and the admin's region suggestions all
share one rule without touching the database. `catalogue_from_db()` at the end is
the only function here that reads the ORM, and it does so in one query.

The rule:

- The title is scanned first; the opening sentence (the first paragraph up to its
  first 。！？) only when the title names no region.
- Scanning goes left to right and takes the longest region name or alias starting
  at each position, so 浦东新区 wins over 浦东, and 青岛市 is 青岛 rather than nothing.
- A region whose descendant is also named is dropped: 上海宝山 is 宝山区 (under 上海),
  not both; region pages include descendants, so nothing is lost for readers.
- A form shared by two regions (two districts with one name) goes to the region
  listed first in the catalogue.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

SENTENCE_END = "。！？!?"


@dataclass(frozen=True)
class Region:
    """One catalogue entry: a region's slug, name, level, parent slug and other names."""

    slug: str
    name: str
    kind: str = "province"
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionCatalogue:
    """The regions the detector knows, indexed by every name and alias."""

    regions: tuple[Region, ...]
    _by_slug: dict[str, Region] = field(init=False, repr=False, compare=False)
    _by_form: dict[str, str] = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_slug = {region.slug: region for region in self.regions}
        by_form: dict[str, str] = {}
        for region in self.regions:
            for form in (region.name, *region.aliases):
                key = _normalise(form)
                if key:
                    by_form.setdefault(key, region.slug)
        object.__setattr__(self, "_by_slug", by_slug)
        object.__setattr__(self, "_by_form", by_form)
        object.__setattr__(self, "_longest", max((len(form) for form in by_form), default=0))

    @classmethod
    def of(cls, regions: Iterable[Region]) -> "RegionCatalogue":
        return cls(regions=tuple(regions))

    def __contains__(self, slug: str) -> bool:
        return slug in self._by_slug

    def __len__(self) -> int:
        return len(self.regions)

    def get(self, slug: str) -> Region:
        return self._by_slug[slug]

    def ancestors(self, slug: str) -> list[str]:
        """Slugs of the region's parent, grandparent, … up to its province (cycles cut off)."""
        chain: list[str] = []
        parent = self._by_slug[slug].parent
        while parent is not None and parent in self._by_slug and parent not in chain and parent != slug:
            chain.append(parent)
            parent = self._by_slug[parent].parent
        return chain

    def province_of(self, slug: str) -> Region:
        """The province-level region above `slug` (the region itself when it has no parent)."""
        chain = self.ancestors(slug)
        return self._by_slug[chain[-1]] if chain else self._by_slug[slug]

    def find(self, text: str) -> list[str]:
        """Slugs named in `text`, in order of first mention, longest match at each position."""
        text = _normalise(text)
        found: list[str] = []
        position = 0
        while position < len(text):
            for length in range(min(self._longest, len(text) - position), 0, -1):
                slug = self._by_form.get(text[position : position + length])
                if slug is not None:
                    if slug not in found:
                        found.append(slug)
                    position += length
                    break
            else:
                position += 1
        return found

    def most_specific(self, slugs: Iterable[str]) -> list[str]:
        """Drop every region that is an ancestor of another one in `slugs`, keeping the order."""
        slugs = list(slugs)
        covered = {ancestor for slug in slugs for ancestor in self.ancestors(slug)}
        return [slug for slug in slugs if slug not in covered]


def opening_sentence(body: str) -> str:
    """The first paragraph of `body` up to and including its first sentence-final mark."""
    for paragraph in body.split("\n\n"):
        paragraph = paragraph.strip()
        if paragraph:
            for index, char in enumerate(paragraph):
                if char in SENTENCE_END:
                    return paragraph[: index + 1]
            return paragraph
    return ""


def detect_regions(*, title: str, body: str = "", catalogue: RegionCatalogue) -> tuple[str, ...]:
    """Slugs of the regions an article reports from: named in its title, else in its opening sentence."""
    found = catalogue.find(title)
    if not found:
        found = catalogue.find(opening_sentence(body))
    return tuple(catalogue.most_specific(found))


def _normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def catalogue_from_db() -> RegionCatalogue:
    """Every `SourceRegion` as a catalogue, in the regions' own order (one query)."""
    from editorial.models import SourceRegion

    rows = SourceRegion.objects.order_by("position", "pk").values_list(
        "slug", "name", "kind", "parent__slug", "aliases"
    )
    return RegionCatalogue.of(
        Region(
            slug=slug,
            name=name,
            kind=kind,
            parent=parent,
            aliases=tuple(alias.strip() for alias in aliases.replace("，", ",").split(",") if alias.strip()),
        )
        for slug, name, kind, parent, aliases in rows
    )


def suggest_regions(*, title: str, body: str = "") -> list:
    """The `SourceRegion` rows the detector finds for an article, in order (two queries)."""
    from editorial.models import SourceRegion

    slugs = detect_regions(title=title, body=body, catalogue=catalogue_from_db())
    by_slug = SourceRegion.objects.in_bulk(slugs, field_name="slug")
    return [by_slug[slug] for slug in slugs]
