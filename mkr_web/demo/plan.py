"""The synthetic people of the demo, planned deterministically (Faker ru_RU, fixed seed).

:func:`people_plan` returns one :class:`PersonSpec` per person with the status history
that makes the seed's numbers hold as of 1 January 2020:

- 312 school Residents spread over municipalities and organisations exactly as in the
  seed's Table 1 (every listed organisation has at least one);
- 124 of them admitted in 2019 by the five accredited events (``ADMISSIONS_2019``), each
  from a municipality that took part in that event's 2019 edition; the others earlier;
- 151 student Residents (admitted as pupils, then enrolled at a university);
- 77 potential Residents, 10 alumni (partners) and 2 excluded persons.

The loaders of every feature read this plan (people, admissions, placements), so they agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker

from workflows.lifecycle import PersonStatus as S

from .reference import TABLE1, UNIVERSITIES, school_names
from .seed import ADMISSIONS_2019, POTENTIAL, RESIDENTS_STUDENT, TABLE2, edition_dates

ALL_MUNICIPALITIES_FOR_POTENTIAL = [
    "г. Томск",
    "ЗАТО Северск",
    "Томский район",
    "Чаинский район",
    "Парабельский район",
    "Асиновский район",
    "Колпашевский район",
    "Молчановский район",
]


@dataclass
class StatusStep:
    on: date
    to: S
    action: str
    event_key: str | None = None  # the accredited event whose edition is the basis
    year: int | None = None  # the edition's year
    comment: str | None = None


@dataclass
class PersonSpec:
    key: str
    surname: str
    name: str
    patronymic: str
    is_female: bool
    birth_on: date
    municipality: str
    organization: str
    grade: str
    history: list[StatusStep] = field(default_factory=list)

    @property
    def status(self) -> S:
        return self.history[-1].to if self.history else S.NONE

    @property
    def admission(self) -> StatusStep | None:
        return next(
            (h for h in self.history if h.to in (S.RESIDENT_SCHOOL, S.RESIDENT_STUDENT)), None
        )


class _Names:
    def __init__(self, seed: int):
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)

    def person(self):
        female = self.rng.random() < 0.55
        f = self.fake
        if female:
            return f.last_name_female(), f.first_name_female(), f.middle_name_female(), True
        return f.last_name_male(), f.first_name_male(), f.middle_name_male(), False


def _birth(rng: random.Random, grade: int, as_of_year: int = 2019) -> date:
    year = as_of_year - 6 - grade
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


@lru_cache(maxsize=1)
def people_plan() -> tuple[PersonSpec, ...]:
    names = _Names(2019)
    rng = names.rng
    people: list[PersonSpec] = []

    def add(muni, org, grade_text, birth, history):
        surname, name, patronymic, female = names.person()
        people.append(
            PersonSpec(
                f"P{len(people) + 1:04d}",
                surname,
                name,
                patronymic,
                female,
                birth,
                muni,
                org,
                grade_text,
                history,
            )
        )
        return people[-1]

    # School Residents, Table 1.
    school: list[PersonSpec] = []
    for muni, (n_orgs, n_res) in TABLE1.items():
        orgs = school_names(muni, n_orgs)
        for i in range(n_res):
            grade = rng.randint(8, 11)
            school.append(add(muni, orgs[i % n_orgs], f"{grade} класс", _birth(rng, grade), []))

    # 124 admitted in 2019 by the five events, each from a municipality of that edition.
    chosen: set[str] = set()
    for event_key, count in ADMISSIONS_2019.items():
        coverage = set(TABLE2[2019][event_key])
        pool = [p for p in school if p.municipality in coverage and p.key not in chosen]
        rng.shuffle(pool)
        if len(pool) < count:
            raise ValueError(f"not enough pupils for {event_key}")
        _, end = edition_dates(event_key, 2019)
        for p in pool[:count]:
            chosen.add(p.key)
            p.history.append(
                StatusStep(
                    end + timedelta(days=20), S.RESIDENT_SCHOOL, "admit_school", event_key, 2019
                )
            )
    # The rest of the school Residents were admitted in 2017 or 2018.
    for p in school:
        if p.key in chosen:
            continue
        year = rng.choice([2017, 2018])
        options = [k for k, munis in TABLE2[year].items() if p.municipality in munis] or ["forum"]
        key = rng.choice(options)
        _, end = edition_dates(key, year)
        p.history.append(
            StatusStep(end + timedelta(days=20), S.RESIDENT_SCHOOL, "admit_school", key, year)
        )

    # Student Residents: admitted as pupils in 2015–2017, enrolled at a university later.
    for i in range(RESIDENTS_STUDENT):
        year = 2015 + i % 3
        key = ["forum", "citizen", "world", "marathon"][i % 4]
        _, end = edition_dates(key, year)
        enrol = date(
            rng.choice([2016, 2017, 2018, 2019]) if year < 2016 else rng.choice([2017, 2018, 2019]),
            9,
            1,
        )
        if enrol <= end + timedelta(days=20):  # enrolled after admission, never before it
            enrol = date(year + 1, 9, 1)
        course = 2019 - enrol.year + 1
        add(
            "г. Томск" if i % 10 else "ЗАТО Северск",
            UNIVERSITIES[i % len(UNIVERSITIES)] if i % 10 else "СТИ НИЯУ МИФИ",
            f"{course} курс",
            _birth(rng, 11 + course),
            [
                StatusStep(end + timedelta(days=20), S.RESIDENT_SCHOOL, "admit_school", key, year),
                StatusStep(enrol, S.RESIDENT_STUDENT, "enrol_university"),
            ],
        )

    # Potential Residents (social-network analysis of 2019).
    for i in range(POTENTIAL):
        muni = ALL_MUNICIPALITIES_FOR_POTENTIAL[i % len(ALL_MUNICIPALITIES_FOR_POTENTIAL)]
        grade = rng.randint(7, 11)
        add(
            muni,
            school_names(muni, 1)[0],
            f"{grade} класс",
            _birth(rng, grade),
            [StatusStep(date(2019, 10, 1) + timedelta(days=i % 60), S.POTENTIAL, "mark_potential")],
        )

    # Alumni (partners): admitted 2012–2013, students, left the Resident category.
    for i in range(10):
        add(
            "г. Томск",
            UNIVERSITIES[i % len(UNIVERSITIES)],
            "выпускник",
            date(1996 + i % 3, 5, 10 + i),
            [
                StatusStep(date(2012 + i % 2, 5, 1), S.RESIDENT_SCHOOL, "admit_school"),
                StatusStep(date(2014, 9, 1), S.RESIDENT_STUDENT, "enrol_university"),
                StatusStep(date(2018 + i % 2, 7, 1), S.ALUMNI, "graduate"),
            ],
        )

    # Excluded (with a reason).
    for i in range(2):
        add(
            "г. Томск",
            school_names("г. Томск", 3)[2],
            "11 класс",
            date(2002, 3, 3 + i),
            [
                StatusStep(date(2017, 5, 1), S.RESIDENT_SCHOOL, "admit_school"),
                StatusStep(
                    date(2019, 6, 1),
                    S.EXCLUDED,
                    "exclude",
                    comment="Отказ от участия в программе (заявление)",
                ),
            ],
        )
    return tuple(people)
