"""National holidays and joint leave days (cuti bersama) from the `holidays` package."""

from __future__ import annotations

from typing import Iterable

import holidays as holidays_package

from .hours import Holiday


def national_holidays(years: Iterable[int], country: str = "ID") -> list[Holiday]:
    """Return the public holidays and joint leave days of `years`, named in Indonesian and English.

    Joint leave days are the package's "government" category. Raises NotImplementedError for a country
    the package does not know.
    """
    years = sorted(set(years))
    found: list[Holiday] = []
    for category, joint_leave in (("public", False), ("government", True)):
        names_id = holidays_package.country_holidays(country, years=years, categories=(category,), language="id")
        names_en = holidays_package.country_holidays(country, years=years, categories=(category,),
                                                     language="en_US")
        for day, name in names_id.items():
            found.append(Holiday(day, name, names_en.get(day, name), joint_leave))
    return sorted(found, key=lambda holiday: (holiday.day, holiday.joint_leave))
