"""Region detection: which source regions an article reports from, read off its title and opening sentence.

The detector is pure: it works over a `RegionCatalogue` built from plain `Region`
values, so the legacy parser, the loader and the admin's region suggestions all
share one rule without touching the database. `catalogue_from_db()` at the end is
the only function here that reads the ORM, and it does so in one query.

The rule:

- Names and text are compared in `editorial.text.normalise_for_match`, the form search
  and the legacy parser compare in (NFKC, case-folded, without whitespace or invisible
  characters), so a name with a space or a pasted zero-width character in it is found.
- The title is scanned first; the opening sentence (the first paragraph up to its
  first 。！？) when the title names no region — and also when it names provinces only,
  for the places under those provinces (沪苏浙联合发布… / 青浦区、吴江区、嘉善县 gives
  the three districts).
- Scanning goes left to right and takes the longest region name or alias starting
  at each position, so 浦东新区 wins over 浦东, and 青岛市 is 青岛 rather than nothing.
- Single-character province abbreviations (沪 苏 浙 皖 京 津 冀 粤 港 澳 川 渝 闽 鲁 豫 鄂
  湘 赣) count where the context makes them provinces: two or more in a row (沪苏浙皖,
  京津冀, 粤港澳, 川渝; 江浙沪 too), or one at the start of a headline's clause followed by
  a verb (粤将培育…). Inside ordinary words they do not: 苏州 is the city, 复苏 nothing.
- Words are not read across their boundaries: a few geographic names that contain a
  region's characters are passed over whole (环太湖北岸 is no 湖北, 杭州湾 no 杭州,
  苏州河 no 苏州), a province name whose direction belongs to a bank (黄浦江西岸) is no
  province, and a region name followed by 路/街/大道 is a street (南京路 is in 上海).
- A region whose descendant is also named is dropped: 上海宝山 is 宝山区 (under 上海),
  not both; region pages include descendants, so nothing is lost for readers.
- A form shared by two regions (two districts with one name) goes to the region
  listed first in the catalogue.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..text import normalise_for_match

SENTENCE_END = "。！？!?"
# Single-character abbreviations of provinces, by the province's name in the catalogue.
PROVINCE_ABBREVIATIONS = {
    "沪": "上海",
    "苏": "江苏",
    "浙": "浙江",
    "皖": "安徽",
    "京": "北京",
    "津": "天津",
    "冀": "河北",
    "粤": "广东",
    "港": "香港",
    "澳": "澳门",
    "川": "四川",
    "渝": "重庆",
    "闽": "福建",
    "鲁": "山东",
    "豫": "河南",
    "鄂": "湖北",
    "湘": "湖南",
    "赣": "江西",
}
# Two-character parts of abbreviation compounds that are not two abbreviations (江浙沪).
COMPOUND_PARTS = {"江浙": ("江苏", "浙江")}
COMPOUND_SEPARATORS = "、·"
# How a headline's verb starts after a province abbreviation (粤将培育…, 苏出台…).
VERB_STARTS = (
    "将", "拟", "再", "又", "首", "出台", "发布", "印发", "推出", "推进", "推动", "启动", "实施", "加快", "加强",
    "打造", "建设", "建成", "成立", "设立", "召开", "举办", "开展", "开通", "力争", "率先", "全面", "新增", "明确",
    "制定", "部署", "公布", "试点", "探索", "构建", "深化", "优化", "支持", "鼓励", "提出", "聚焦", "布局", "完善",
    "健全", "强化", "出手", "上线", "落地", "签约", "携手", "联合",
)  # fmt: skip
CLAUSE_STARTS = '：:，,；;、（(“"《—-|｜'
# Geographic names that contain a region's characters but are not that region.
NOT_REGIONS = ("太湖", "杭州湾", "苏州河", "南京东路", "南京西路", "北京东路", "北京西路")
# After a province whose name ends in a direction (湖北, 江西): the direction belongs to a bank or side.
BANK_SIDES = "岸侧麓畔翼"
DIRECTIONS = "东南西北"
STREET = re.compile(r"^(?:[东西南北中]?路(?![径线子演网桥况面])|大道|街(?!道))")


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
                match_form = normalise_for_match(form)
                if match_form:
                    by_form.setdefault(match_form, region.slug)
        object.__setattr__(self, "_by_slug", by_slug)
        object.__setattr__(self, "_by_form", by_form)
        longest = max((len(form) for form in (*by_form, *NOT_REGIONS)), default=0)
        object.__setattr__(self, "_longest", longest)

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

    def find(self, text: str, *, headline: bool = False) -> list[str]:
        """Slugs named in `text`, in order of first mention, longest match at each position.

        In a `headline`, a lone province abbreviation starting a clause before a verb counts too.
        """
        text, clause_starts = _match_form_with_clauses(text)
        found: list[str] = []
        position = 0
        while position < len(text):
            length, slugs = self._at(text, position, headline=headline and position in clause_starts)
            found += [slug for slug in slugs if slug not in found]
            position += length
        return found

    def _at(self, text: str, position: int, *, headline: bool) -> tuple[int, list[str]]:
        """(characters taken, regions named) at `position`: a compound, a name, a passed-over word, or nothing."""
        compound_length, compound = self._compound(text, position)
        length, slug = self._form(text, position)
        if compound_length > max(length, 1):
            return compound_length, compound
        if slug is None and length:
            return length, []  # a geographic name that is no region
        if slug is not None:
            return length, [] if self._not_the_region(text, position, length, slug) else [slug]
        if headline and (province := self._abbreviation(text[position])) and text.startswith(VERB_STARTS, position + 1):
            return 1, [province]
        return 1, []

    def _form(self, text: str, position: int) -> tuple[int, str | None]:
        """The longest region form or passed-over name at `position`: (length, slug or None), (0, None) if none."""
        for length in range(min(self._longest, len(text) - position), 0, -1):
            piece = text[position : position + length]
            slug = self._by_form.get(piece)
            if slug is not None:
                return length, slug
            if piece in NOT_REGIONS:
                return length, None
        return 0, None

    def _compound(self, text: str, position: int) -> tuple[int, list[str]]:
        """Two or more province abbreviations in a row (沪苏浙皖, 京津冀, 江浙沪, 苏、浙、沪): (length, slugs)."""
        names: list[str] = []
        end = cursor = position
        while cursor < len(text):
            part = COMPOUND_PARTS.get(text[cursor : cursor + 2])
            size = 2 if part else 1
            if part is None and text[cursor] in PROVINCE_ABBREVIATIONS:
                if self._form(text, cursor)[0] > 1 or text[cursor] in (name[:1] for name in names[-1:]):
                    break  # 苏州 is a city, 津津 no compound
                part = (PROVINCE_ABBREVIATIONS[text[cursor]],)
            if part is None:
                break
            names += part
            end = cursor = cursor + size
            if text[cursor : cursor + 1] in COMPOUND_SEPARATORS and cursor + 1 < len(text):
                cursor += 1
        if len(names) < 2 or len(set(names)) < len(names):
            return 0, []
        return end - position, [slug for name in names if (slug := self._by_form.get(name))]

    def _abbreviation(self, character: str) -> str | None:
        name = PROVINCE_ABBREVIATIONS.get(character)
        return self._by_form.get(name) if name else None

    def _not_the_region(self, text: str, position: int, length: int, slug: str) -> bool:
        """A street named after the region (南京路), or a province whose direction belongs to a bank (江西岸)."""
        after = text[position + length : position + length + 3]
        if STREET.match(after):
            return True
        region = self._by_slug[slug]
        form = text[position : position + length]
        return (
            region.parent is None
            and position > 0
            and form[-1:] in DIRECTIONS
            and after[:1] != ""
            and after[:1] in BANK_SIDES
        )

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
    """Slugs of the regions an article reports from: named in its title, else in its opening sentence.

    A title naming provinces only takes the places under them that the opening sentence names.
    """
    found = catalogue.find(title, headline=True)
    if not found:
        found = catalogue.find(opening_sentence(body))
    elif all(catalogue.get(slug).parent is None for slug in found):
        provinces = set(found)
        found += [
            slug
            for slug in catalogue.find(opening_sentence(body))
            if slug not in provinces and provinces & set(catalogue.ancestors(slug))
        ]
    return tuple(catalogue.most_specific(dict.fromkeys(found)))


def _match_form_with_clauses(text: str) -> tuple[str, set[int]]:
    """`normalise_for_match(text)`, and the positions in it where a clause starts (the start, after a space or a mark)."""
    compact, starts, position = [], {0}, 0
    for piece in unicodedata.normalize("NFKC", text).split():
        starts.add(position)
        for character in normalise_for_match(piece):
            compact.append(character)
            position += 1
            if character in CLAUSE_STARTS:
                starts.add(position)
    joined = "".join(compact)
    if unicodedata.is_normalized("NFKC", joined):
        return joined, starts
    # A piece starting with a combining mark composes with the piece before it once the space is gone.
    return unicodedata.normalize("NFKC", joined), {len(unicodedata.normalize("NFKC", joined[:at])) for at in starts}


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
