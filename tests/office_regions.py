"""The office's region catalogue as migration 0002 loads it, in its order, without a database."""

import importlib

from editorial.importers.regions import Region, RegionCatalogue

_regions_data = importlib.import_module("editorial.migrations.0002_masthead_sections_regions_roles")


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(alias.strip() for alias in text.replace("，", ",").split(",") if alias.strip())


OFFICE_CATALOGUE = RegionCatalogue.of(
    [
        *(Region(slug, name, "province", None, _aliases(alias)) for name, slug, alias in _regions_data.PROVINCES),
        *(
            Region(slug, name, kind, parent, _aliases(alias))
            for name, slug, kind, parent, alias in _regions_data.LOCAL_REGIONS
        ),
    ]
)
