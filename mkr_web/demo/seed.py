"""Facts of the programme's 2019 report (../shared/seed), as data for the demo loaders.

Only programme facts live here: events, coverage, counts. People are synthetic and are
planned in :mod:`mkr_web.demo.plan`. The demo loaders of each feature read these tables so
that the report built from the demo data reproduces the seed.
"""

from __future__ import annotations

from datetime import date

from ..models import Direction

D = Direction

# key -> (title, short title, direction)
ACCREDITED_EVENTS = {
    "assembly": (
        "Сибирская молодёжная Ассамблея «Профессии будущего»",
        "Ассамблея «Профессии будущего»",
        D.PROJECT_RESEARCH,
    ),
    "forum": (
        "Открытый областной молодёжный форум «Новое поколение: кадровый резерв XXI века»",
        "Форум «Новое поколение»",
        D.PROJECT_RESEARCH,
    ),
    "citizen": (
        "Областной этап Всероссийской акции «Я – гражданин России»",
        "Акция «Я – гражданин России»",
        D.CIVIC_LEGAL,
    ),
    "world": (
        "Конкурс проектных, исследовательских и реферативных работ школьников «Мир начинается с меня»",
        "Конкурс «Мир начинается с меня»",
        D.PROJECT_RESEARCH,
    ),
    "marathon": (
        "Открытая научно-практическая конференция «Исследовательский марафон»",
        "Конференция «Исследовательский марафон»",
        D.PROJECT_RESEARCH,
    ),
}
ACCREDITED_SINCE = 2016  # the demo accredits the five events for 2016–2021

TOMSK, SEVERSK, STREZH = "г. Томск", "ЗАТО Северск", "г.о. Стрежевой"
KEMEROVO, BERDSK = "г. Кемерово", "г. Бердск Новосибирской области"


def _r(*names: str) -> list[str]:
    return [n if n.startswith(("г.", "ЗАТО")) else f"{n} район" for n in names]


# Seed Table 2: year -> event -> municipalities (and other regions) that took part.
TABLE2 = {
    2017: {
        "assembly": [
            TOMSK,
            *_r(
                "Асиновский",
                "Каргасокский",
                "Кожевниковский",
                "Колпашевский",
                "Кривошеинский",
                "Первомайский",
                "Томский",
            ),
            KEMEROVO,
        ],
        "forum": [TOMSK, SEVERSK, *_r("Асиновский", "Бакчарский", "Томский"), BERDSK],
        "citizen": [
            TOMSK,
            STREZH,
            *_r("Зырянский", "Кожевниковский", "Колпашевский", "Первомайский", "Томский"),
        ],
        "world": [TOMSK, SEVERSK, *_r("Асиновский", "Верхнекетский", "Каргасокский", "Томский")],
        "marathon": [TOMSK, SEVERSK, *_r("Асиновский", "Верхнекетский", "Первомайский", "Томский")],
    },
    2018: {
        "assembly": [],  # not held: moved to January 2019
        "forum": [TOMSK, SEVERSK, *_r("Бакчарский", "Томский", "Шегарский")],
        "citizen": [
            TOMSK,
            STREZH,
            *_r("Зырянский", "Кожевниковский", "Первомайский", "Томский", "Чаинский"),
        ],
        "world": [
            TOMSK,
            SEVERSK,
            *_r("Бакчарский", "Верхнекетский", "Кривошеинский", "Томский", "Шегарский"),
        ],
        "marathon": [
            TOMSK,
            SEVERSK,
            *_r("Асиновский", "Верхнекетский", "Каргасокский", "Первомайский", "Томский"),
        ],
    },
    2019: {
        "assembly": [
            TOMSK,
            SEVERSK,
            *_r(
                "Бакчарский",
                "Каргасокский",
                "Кожевниковский",
                "Кривошеинский",
                "Первомайский",
                "Томский",
            ),
        ],
        "forum": [TOMSK, SEVERSK, *_r("Бакчарский", "Томский", "Шегарский")],
        "citizen": [
            TOMSK,
            STREZH,
            *_r(
                "Зырянский",
                "Кожевниковский",
                "Кривошеинский",
                "Парабельский",
                "Первомайский",
                "Чаинский",
            ),
        ],
        "world": [TOMSK, SEVERSK, *_r("Верхнекетский", "Томский")],
        "marathon": [TOMSK, SEVERSK, *_r("Асиновский", "Каргасокский", "Первомайский", "Томский")],
    },
}
NOT_HELD_NOTE = (
    "В 2018 году Ассамблея не проводилась в связи с переносом сроков на январь 2019 года"
)
MOVED_NOTE = (
    "Указаны данные за январь 2019 года, так как сроки проведения события были "
    "перенесены с ноября 2018 года на январь 2019 года."
)

# Edition dates: (month, day, days long); the 2019 Assembly was held in January.
EDITION_DATES = {
    "assembly": (11, 20, 3),
    "forum": (3, 25, 3),
    "citizen": (4, 15, 2),
    "world": (2, 12, 2),
    "marathon": (12, 5, 2),
}


def edition_dates(key: str, year: int) -> tuple[date, date]:
    if key == "assembly" and year == 2019:
        return date(2019, 1, 23), date(2019, 1, 25)
    month, day, days = EDITION_DATES[key]
    start = date(year, month, day)
    return start, date(year, month, day + days - 1)


# Participants (students + teachers + experts) of the accredited editions per year:
# 2019 from the seed (2584); 2018 and 2017 from its +3.6 % and +10.2 % (DOMAIN 5.5).
PARTICIPANT_TOTALS = {2017: 2345, 2018: 2494, 2019: 2584}

# Seed Table 3: satellite events: (title, direction, participants 2018, participants 2019).
SATELLITES = [
    ("Научно-практическая конференция «Человек. Земля. Вселенная»", D.PROJECT_RESEARCH, 442, 472),
    (
        "Открытая научно-практическая конференция обучающихся 7-11 классов «Исследовательский дебют»",
        D.PROJECT_RESEARCH,
        150,
        150,
    ),
    ("Ярмарка идей («Исследовательский марафон»)", D.PROJECT_RESEARCH, 320, 300),
    ("Фестиваль идей («Новое поколение: кадровый резерв XXI века»)", D.PROJECT_RESEARCH, 400, 500),
    (
        "Открытый молодежный форум «Глобальные проблемы современности глазами молодежи»",
        D.PROJECT_RESEARCH,
        100,
        60,
    ),
    ("Открытая творческая конференция школьников «Новый интеллект»", D.PROJECT_RESEARCH, 33, 39),
    (
        "Открытая конференция проектных и исследовательских работ обучающихся «Юный исследователь»",
        D.PROJECT_RESEARCH,
        225,
        200,
    ),
    ("Областная олимпиада школьников по педагогике", D.PEDAGOGY, 128, 124),
    (
        "Открытая компетентностная олимпиада по основам Конституции Российской Федерации",
        D.CIVIC_LEGAL,
        91,
        91,
    ),
    (
        "Региональный этап Всероссийского конкурса юношеских исследовательских работ имени В.И. Вернадского",
        D.PROJECT_RESEARCH,
        55,
        50,
    ),
    (
        "Предпринимательские школы, предпринимательские форумы для молодёжи",
        D.ENTREPRENEURSHIP,
        557,
        471,
    ),
]
SATELLITE_RELATED = {2: "marathon", 3: "forum"}  # index in SATELLITES -> accredited event

# The 2020 candidates for accreditation (in review in the demo).
CANDIDATES_2020 = [
    (
        "Региональный этап Всероссийского конкурса научно-технологических проектов «Большие вызовы»",
        D.ENGINEERING,
    ),
    ("Сибирский медиафестиваль «Солнечный парус»", D.MEDIA),
]

# Criterion 1: the 124 new Residents of 2019, by the accredited event that admitted them.
ADMISSIONS_2019 = {"assembly": 26, "forum": 24, "citizen": 22, "world": 20, "marathon": 32}

# The report's "as of" date for year Y is 1 January of Y+1 (seed: "по состоянию на январь 2020").
RESIDENTS_AS_OF = date(2020, 1, 1)
RESIDENTS_STUDENT = 151
POTENTIAL = 77
