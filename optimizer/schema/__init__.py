"""The input workbook's schema, declared once, as data.

Everything that knows about the workbook's layout reads it from here: the reader
(header matching, type coercion, defaults), the validator (required cells, ranges,
allowed values), the blank template (headers, Japanese labels, drop-downs, examples)
and the input reference in ``docs/inputs.md``.

A sheet is a :class:`Sheet` of :class:`Column` s (:mod:`.columns`); the sheets are
:data:`SHEETS` (:mod:`.sheets`, :mod:`.zone_sheet`, :mod:`.settings_sheets`); the ``parameters`` sheet is a key/value table whose
keys are the :class:`Parameter` s in :data:`PARAMETERS` (:mod:`.parameters`). Default
unit costs, the coordinate box of Japan, the sanity bands and the plausible range of
every numeric column and parameter are in :mod:`.reference`.
"""

from optimizer.schema.columns import FALSE_WORDS, KINDS, TRUE_WORDS, Column, Parameter, Sheet
from optimizer.schema.parameters import PARAMETERS, PARAMETERS_BY_NAME
from optimizer.schema.reference import (
    AGED_65_PER_75,
    CARE_BEDS_PER_65PLUS,
    DEFAULT_MAX_UTILISATION,
    JAPAN_MUNICIPALITIES,
    LAT,
    LIBRARY_AREA_BAND,
    LON,
    MIC_UNIT_COSTS,
    PROJECTED_POPULATION,
    PUBLIC_AREA_PER_RESIDENT,
)
from optimizer.schema.settings_sheets import PARAMETERS_SHEET, RULE_KINDS, RULES, SCENARIOS, TRAVEL
from optimizer.schema.sheets import (
    CANDIDATES,
    DEMAND_BASES,
    FACILITIES,
    FACILITY_TYPES,
    MUNICIPALITIES,
    OPERATORS,
    PROJECTION_PREFIXES,
    SHEETS,
    SHEETS_BY_NAME,
    STATUSES,
)
from optimizer.schema.zone_sheet import ZONE_POPULATION_TOLERANCE, ZONES

__all__ = [
    "Column",
    "Sheet",
    "Parameter",
    "KINDS",
    "SHEETS",
    "SHEETS_BY_NAME",
    "MUNICIPALITIES",
    "FACILITIES",
    "CANDIDATES",
    "FACILITY_TYPES",
    "PARAMETERS_SHEET",
    "TRAVEL",
    "RULES",
    "SCENARIOS",
    "ZONES",
    "ZONE_POPULATION_TOLERANCE",
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "STATUSES",
    "OPERATORS",
    "DEMAND_BASES",
    "RULE_KINDS",
    "PROJECTION_PREFIXES",
    "MIC_UNIT_COSTS",
    "TRUE_WORDS",
    "FALSE_WORDS",
    "LAT",
    "LON",
    "LIBRARY_AREA_BAND",
    "CARE_BEDS_PER_65PLUS",
    "AGED_65_PER_75",
    "PUBLIC_AREA_PER_RESIDENT",
    "PROJECTED_POPULATION",
    "JAPAN_MUNICIPALITIES",
    "DEFAULT_MAX_UTILISATION",
]
