"""Which tag values a case has in each browsable dimension."""

from __future__ import annotations

from collections import defaultdict

from .cases import Case, newest_first
from .schema import UNKNOWN, Dimension


def tag_values(case: Case, dim: Dimension) -> list[str]:
    """The values a case has in one dimension; unknown values are not tags."""
    if dim.key == "year":
        return [case.year] if case.year else []
    values: list[str] = []
    for spec in dim.fields:
        values += [v for v in case.values(spec.key) if v != UNKNOWN]
    return values


def group_by_tag(cases: list[Case], dim: Dimension) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        for value in dict.fromkeys(tag_values(case, dim)):
            groups[value].append(case)
    return {value: newest_first(group) for value, group in groups.items()}
