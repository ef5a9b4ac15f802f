"""Properties of region detection (hypothesis), over the office's own catalogue as the migration loads it."""

import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from editorial.importers.regions import detect_regions, opening_sentence
from tests.office_regions import OFFICE_CATALOGUE as CATALOGUE

FORMS = sorted({form for region in CATALOGUE.regions for form in (region.name, *region.aliases)})
FORM_CHARACTERS = {character for form in FORMS for character in unicodedata.normalize("NFKC", form)}
# Text that can never spell a region: common characters of news copy that no name or alias uses.
FILLER = st.text(
    alphabet=[
        c
        for c in "发布推进建设全面开展工作会议召开项目产业创新合作服务一体化的了和在与及为等年月日"
        if c not in FORM_CHARACTERS
    ],
    max_size=30,
)
form = st.sampled_from(FORMS)


def slug_of(name: str) -> str:
    """The region a form names (a form two regions share goes to the one listed first)."""
    for region in CATALOGUE.regions:
        if name in (region.name, *region.aliases):
            return region.slug
    raise KeyError(name)


@given(st.text(max_size=200), st.text(max_size=400))
def test_any_text_gives_distinct_known_regions_none_above_another(title, body):
    found = detect_regions(title=title, body=body, catalogue=CATALOGUE)
    assert len(set(found)) == len(found)
    assert all(slug in CATALOGUE for slug in found)
    for slug in found:
        assert not set(CATALOGUE.ancestors(slug)) & set(found)
    assert detect_regions(title=title, body=body, catalogue=CATALOGUE) == found


@given(FILLER, form, FILLER)
def test_a_name_or_alias_anywhere_in_the_title_is_found(before, name, after):
    assert detect_regions(title=before + name + after, catalogue=CATALOGUE) == (slug_of(name),)


@given(FILLER, form, FILLER, st.data())
def test_spaces_and_full_width_forms_inside_a_name_do_not_hide_it(before, name, after, data):
    cut = data.draw(st.integers(0, len(name)))
    space = data.draw(st.sampled_from([" ", "\u3000", "\t", "\n"]))
    spaced = name[:cut] + space + name[cut:]
    assert detect_regions(title=before + spaced + after, catalogue=CATALOGUE) == (slug_of(name),)


@given(form, FILLER, form)
def test_two_regions_named_come_in_order_of_mention_unless_one_is_above_the_other(first, filler, second):
    a, b = slug_of(first), slug_of(second)
    assume(filler)
    found = detect_regions(title=first + filler + second, catalogue=CATALOGUE)
    if a == b or b in CATALOGUE.ancestors(a):
        assert found == (a,)
    elif a in CATALOGUE.ancestors(b):
        assert found == (b,)
    else:
        assert found == (a, b)


NOT_PROVINCES = [name for name in FORMS if CATALOGUE.get(slug_of(name)).parent is not None]
PROVINCES = [name for name in FORMS if CATALOGUE.get(slug_of(name)).parent is None]


@given(FILLER, st.sampled_from(NOT_PROVINCES), st.text(max_size=300))
def test_the_body_is_not_read_when_the_title_names_a_place_below_a_province(title_filler, name, body):
    assert detect_regions(title=title_filler + name, body=body, catalogue=CATALOGUE) == (slug_of(name),)


@given(FILLER, form, st.text(max_size=300))
def test_the_body_is_read_when_the_title_names_no_region(title_filler, name, body):
    assert detect_regions(title=title_filler, body=name + "。" + body, catalogue=CATALOGUE) == (slug_of(name),)


@given(FILLER, st.sampled_from(PROVINCES), st.sampled_from(FORMS), FILLER)
def test_a_province_title_takes_from_the_opening_sentence_only_the_places_under_it(filler, province, place, after):
    found = detect_regions(title=filler + province, body=place + after + "。", catalogue=CATALOGUE)
    province_slug, place_slug = slug_of(province), slug_of(place)
    if province_slug in CATALOGUE.ancestors(place_slug):
        assert found == (place_slug,)
    else:
        assert found == (province_slug,)


@given(FILLER, form)
def test_a_region_named_after_the_first_sentence_of_the_body_is_not_taken(filler, name):
    body = filler + "。" + name
    assert detect_regions(title=filler, body=body, catalogue=CATALOGUE) == ()


@given(st.text(max_size=300))
def test_the_opening_sentence_is_the_start_of_the_first_paragraph(body):
    sentence = opening_sentence(body)
    paragraphs = [paragraph.strip() for paragraph in body.split("\n\n") if paragraph.strip()]
    if not paragraphs:
        assert sentence == ""
    else:
        assert paragraphs[0].startswith(sentence)
        assert not any(mark in sentence[:-1] for mark in "。！？!?")
