"""The fictional municipality of `manage.py seed_demo`: names, förvaltningar, units, accounts.

Everything here is invented. Unit codes are the stable keys the command finds units by;
people are keyed "demo-<unit code>-<nn>" (the unit's generated manager is nn=01) and the
demo accounts' people "demo-<username>". Names come from the lists below through a
random.Random seeded with SEED and the person's key, so every run draws the same names.
"""

from dataclasses import dataclass

SEED = "telefoni-demo-2026"
DOMAIN = "kommun.example"
DEMO_PASSWORD = "demo"
CHANGE_REASON = "Demo data (seed_demo)"

FIRST_NAMES = (
    # Common Swedish first names, with å, ä, ö and é where Swedes write them.
    "Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Emma", "Ingrid", "Malin",
    "Elin", "Linnéa", "Åsa", "Birgitta", "Margareta", "Annika", "Sofia", "Johanna", "Ida",
    "Hanna", "Camilla", "Susanne", "Gunilla", "Helén", "Märta", "Maja", "Frida", "Ebba",
    "Astrid", "Jenny", "Louise", "Agneta", "Katarina", "Stina", "Tove", "Görel", "Fatima",
    "Leila", "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans",
    "Peter", "Olof", "Gunnar", "Sven", "Fredrik", "Daniel", "Mattias", "Magnus", "Björn",
    "Göran", "Jörgen", "Håkan", "Åke", "Örjan", "Stefan", "Thomas", "Henrik", "Jonas",
    "Oskar", "Gustav", "Axel", "Emil", "Viktor", "Anton", "Mårten", "Pär", "Ulf", "Bengt",
    "Kjell", "André", "Ahmed", "Amir",
)  # fmt: skip

LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren",
    "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
    "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Nyström", "Holmberg",
    "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Nordström", "Mårtensson", "Björklund",
    "Pålsson", "Berggren", "Ström", "Åberg", "Ekström", "Hellström", "Sjögren", "Öberg",
    "Strömberg", "Månsson", "Åström", "Söderström", "Östlund", "Hassan", "Ali",
)  # fmt: skip

# Titles of a unit's staff, cycled in order, so repeating a title weights it.
CARE = ("Undersköterska", "Undersköterska", "Vårdbiträde", "Undersköterska", "Samordnare")
NURSING_HOME = (
    "Undersköterska", "Undersköterska", "Sjuksköterska", "Undersköterska", "Vårdbiträde",
    "Undersköterska", "Aktivitetssamordnare",
)  # fmt: skip
PRESCHOOL = ("Förskollärare", "Barnskötare", "Barnskötare", "Förskollärare", "Kock")
SCHOOL = (
    "Lärare", "Lärare", "Lärare", "Fritidspedagog", "Elevassistent", "Lärare",
    "Speciallärare", "Lärare", "Skoladministratör",
)  # fmt: skip
UPPER_SECONDARY = ("Gymnasielärare", "Gymnasielärare", "Studie- och yrkesvägledare", "Lärare")
OFFICE = ("Handläggare", "Utredare", "Nämndsekreterare", "Administratör")

UNIT_TITLES = {
    "kansli": ("Nämndsekreterare", "Registrator", "Kommunsekreterare", "Arkivarie"),
    "politiker": (
        "Kommunfullmäktiges ordförande",
        "Kommunstyrelsens förste vice ordförande",
        "Kommunstyrelsens andre vice ordförande",
        "Oppositionsråd",
        "Kommunalråd",
        "Ledamot i kommunstyrelsen",
        "Ledamot i kommunstyrelsen",
        "Ledamot i kommunfullmäktige",
        "Ledamot i kommunfullmäktige",
    ),
    "ekonomi": ("Ekonom", "Controller", "Redovisningsekonom", "Upphandlare"),
    "hr": ("HR-konsult", "HR-specialist", "Handläggare"),
    "lon": ("Lönehandläggare", "Löneadministratör"),
    "it": ("IT-tekniker", "Systemförvaltare", "IT-tekniker", "IT-arkitekt"),
    "tele": ("Telefonist", "Teletekniker", "Telefonist"),
    "kundtjanst": ("Kommunvägledare", "Kundtjänstmedarbetare"),
    "kommunikation": ("Kommunikatör", "Webbredaktör"),
    "elevhalsa": ("Skolsköterska", "Kurator", "Skolpsykolog", "Specialpedagog"),
    "halsa": ("Sjuksköterska", "Sjuksköterska", "Fysioterapeut", "Arbetsterapeut"),
    "stab": ("Administratör", "Verksamhetsutvecklare", "Controller", "Utredare"),
    "socialtjanst": ("Socialsekreterare", "Socialsekreterare", "Familjebehandlare"),
    "vuxen": ("Socialsekreterare", "Behandlingsassistent"),
    "bistand": ("Handläggare", "Socialsekreterare"),
    "gruppbostad": ("Stödassistent", "Boendestödjare"),
    "daglig": ("Handledare", "Arbetsterapeut"),
    "assistans": ("Personlig assistent",),
    "bibliotek": ("Bibliotekarie", "Biblioteksassistent"),
    "fritid": ("Fritidsledare",),
    "idrott": ("Badmästare", "Anläggningsskötare", "Simlärare"),
    "kulturskola": ("Musiklärare", "Dramapedagog", "Danspedagog", "Musiklärare"),
    "bygglov": ("Bygglovshandläggare", "Byggnadsinspektör"),
    "plan": ("Planarkitekt", "Planhandläggare"),
    "lantmateri": ("Lantmätare", "Kartingenjör", "GIS-ingenjör"),
    "miljo": ("Miljöinspektör",),
    "livsmedel": ("Livsmedelsinspektör",),
    "halsoskydd": ("Miljö- och hälsoskyddsinspektör",),
    "gata": ("Ingenjör", "Gatuarbetare", "Parkarbetare", "Maskinförare", "Trädgårdsarbetare"),
    "va": ("Drifttekniker", "Processingenjör", "Ingenjör"),
    "fastighet": ("Fastighetsförvaltare", "Fastighetstekniker", "Ingenjör"),
    "kost": ("Kock", "Måltidsbiträde", "Måltidsbiträde"),
}


@dataclass(frozen=True)
class UnitSpec:
    """One förvaltning or unit of the demo tree.

    `staff` people are generated in the unit: the first is its manager (titled
    `manager_title`) unless a demo account manages it or `manager_from_parent` is set.
    `phones` says what the staff's phones are: "office" (fixed, some MEX) or "mobile"
    (staff who work on the move); managers always have MEX.
    The readiness flags leave gaps on purpose, so that ORG-2 and ORG-3 have something to
    show: `reserve_plan`/`trained` False leaves that field empty; `telesamordnare` False
    leaves a förvaltning or large unit without one.
    """

    code: str
    name: str
    staff: int
    titles: tuple = OFFICE
    manager_title: str = "Enhetschef"
    manager_from_parent: bool = False
    budget_from_parent: bool = False
    kind: str = "employee"
    reserve_plan: bool = True
    trained: bool = True
    telesamordnare: bool = True
    cost_centre: bool = True
    phones: str = "office"
    children: tuple = ()


def _u(code, name, staff, titles=OFFICE, **kwargs):
    return UnitSpec(code=code, name=name, staff=staff, titles=titles, **kwargs)


T = UNIT_TITLES

FORVALTNINGAR = (
    _u(
        "1000", "Kommunstyrelseförvaltningen", 3, manager_title="Kommundirektör",
        children=(
            _u("1100", "Kansliavdelningen", 6, T["kansli"], manager_title="Kanslichef",
               children=(
                   _u("1110", "Politiker", 9, T["politiker"], kind="elected",
                      manager_from_parent=True),
               )),
            _u("1200", "Ekonomiavdelningen", 12, T["ekonomi"], manager_title="Ekonomichef"),
            _u("1300", "HR-avdelningen", 8, T["hr"], manager_title="HR-chef",
               children=(_u("1310", "Lönecenter", 8, T["lon"]),)),
            _u("1400", "IT-avdelningen", 8, T["it"], manager_title="IT-chef",
               children=(_u("1410", "Tele kundtjänst", 6, T["tele"]),)),
            _u("1500", "Kundtjänst", 12, T["kundtjanst"]),
            _u("1600", "Kommunikationsavdelningen", 6, T["kommunikation"],
               manager_title="Kommunikationschef"),
        ),
    ),
    _u(
        "2000", "Förvaltningen förskola och skola", 3, manager_title="Förvaltningschef",
        children=(
            _u("2100", "Förskoleverksamheten", 2, manager_title="Verksamhetschef",
               children=(
                   _u("2110", "Förskolan Trollskogen", 16, PRESCHOOL, manager_title="Rektor"),
                   _u("2120", "Förskolan Solrosen", 14, PRESCHOOL, manager_title="Rektor"),
               )),
            _u("2200", "Grundskolan", 2, manager_title="Verksamhetschef",
               children=(
                   _u("2210", "Brickebackens skola", 28, SCHOOL, manager_title="Rektor"),
                   _u("2220", "Vallaskolan", 26, SCHOOL, manager_title="Rektor"),
                   _u("2230", "Norrängsskolan", 24, SCHOOL, manager_title="Rektor"),
               )),
            _u("2300", "Kungsgårdsgymnasiet", 26, UPPER_SECONDARY, manager_title="Rektor"),
            _u("2400", "Elevhälsan", 8, T["elevhalsa"]),
        ),
    ),
    _u(
        "3000", "Vård- och omsorgsförvaltningen", 2, manager_title="Förvaltningschef",
        children=(
            _u("3100", "Stab och administration", 5, T["stab"], manager_from_parent=True,
               reserve_plan=False),
            _u("3200", "Hemtjänsten", 2, ("Planerare",), manager_title="Verksamhetschef",
               reserve_plan=False,
               children=(
                   _u("3210", "Hemtjänst Norr", 15, CARE, budget_from_parent=True,
                      trained=False, phones="mobile",
                      children=(_u("3211", "Nattpatrull Norr", 6, CARE, cost_centre=False,
                                   phones="mobile"),)),
                   _u("3220", "Hemtjänst Söder", 18, CARE, budget_from_parent=True,
                      phones="mobile"),
                   _u("3230", "Hemtjänst Väster", 16, CARE, budget_from_parent=True,
                      phones="mobile"),
               )),
            _u("3300", "Särskilt boende", 1, manager_title="Verksamhetschef",
               telesamordnare=False,
               children=(
                   _u("3310", "Äldreboendet Lindgården", 26, NURSING_HOME),
                   _u("3320", "Äldreboendet Björkhagen", 24, NURSING_HOME),
                   _u("3330", "Demensboendet Rönngården", 14, NURSING_HOME),
               )),
            _u("3400", "Hälso- och sjukvårdsenheten", 10, T["halsa"]),
        ),
    ),
    _u(
        "4000", "Socialförvaltningen", 2, manager_title="Förvaltningschef",
        children=(
            _u("4100", "Individ- och familjeomsorgen", 2, manager_title="Avdelningschef",
               children=(
                   _u("4110", "Barn och unga", 16, T["socialtjanst"]),
                   _u("4120", "Vuxenenheten", 10, T["vuxen"]),
                   _u("4130", "Ekonomiskt bistånd", 12, T["bistand"]),
               )),
            _u("4200", "Funktionsstöd", 2, manager_title="Avdelningschef",
               children=(
                   _u("4210", "Gruppbostaden Tallbacken", 10, T["gruppbostad"]),
                   _u("4220", "Daglig verksamhet Verkstan", 8, T["daglig"]),
                   _u("4230", "Personlig assistans", 16, T["assistans"], phones="mobile"),
               )),
        ),
    ),
    _u(
        "5000", "Kultur- och fritidsförvaltningen", 2, manager_title="Förvaltningschef",
        children=(
            _u("5100", "Biblioteken", 1, manager_title="Bibliotekschef",
               children=(
                   _u("5110", "Stadsbiblioteket", 14, T["bibliotek"], reserve_plan=False),
                   _u("5120", "Ängens bibliotek", 4, T["bibliotek"]),
               )),
            _u("5200", "Fritid och idrott", 2, manager_title="Avdelningschef",
               children=(
                   _u("5210", "Fritidsgården Gnistan", 5, T["fritid"], reserve_plan=False,
                      trained=False),
                   _u("5220", "Idrotts- och badanläggningar", 10, T["idrott"]),
               )),
            _u("5300", "Kulturskolan", 10, T["kulturskola"], manager_title="Rektor"),
        ),
    ),
    _u(
        "6000", "Samhällsbyggnadsförvaltningen", 2, manager_title="Förvaltningschef",
        children=(
            _u("6100", "Plan- och byggavdelningen", 1, manager_title="Avdelningschef",
               children=(
                   _u("6110", "Bygglovsenheten", 10, T["bygglov"], trained=False),
                   _u("6120", "Planenheten", 6, T["plan"]),
               )),
            _u("6200", "Lantmäterienheten", 6, T["lantmateri"]),
        ),
    ),
    _u(
        "7000", "Miljöförvaltningen", 2, manager_title="Miljöchef", telesamordnare=False,
        children=(
            _u("7100", "Miljöskydd", 8, T["miljo"]),
            _u("7200", "Livsmedelskontroll", 5, T["livsmedel"]),
            _u("7300", "Hälsoskydd", 4, T["halsoskydd"]),
        ),
    ),
    _u(
        "8000", "Tekniska förvaltningen", 2, manager_title="Förvaltningschef",
        children=(
            _u("8100", "Gatu- och parkenheten", 18, T["gata"]),
            _u("8200", "VA-avdelningen", 2, T["va"], manager_title="VA-chef",
               children=(
                   _u("8210", "Vattenverket", 6, T["va"]),
                   _u("8220", "Ledningsnätet", 8, ("Rörläggare", "VA-tekniker")),
               )),
            _u("8300", "Fastighetsavdelningen", 8, T["fastighet"],
               manager_title="Fastighetschef"),
            _u("8400", "Kostenheten", 20, T["kost"], manager_title="Kostchef"),
        ),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class AccountSpec:
    """A demo sign-in (password DEMO_PASSWORD) and the person it belongs to."""

    username: str
    role: str | None  # a organisation.choices.Role code, or None for a plain employee
    first_name: str
    last_name: str
    title: str
    unit: str  # unit code
    manages: tuple = ()  # unit codes whose manager this person is
    coordinates: tuple = ()  # unit codes whose telesamordnare this person is
    kind: str = "employee"
    superuser: bool = False


ACCOUNTS = (
    AccountSpec("anstalld", None, "Elin", "Åkesson", "Undersköterska", "3210"),
    AccountSpec(
        "enhetschef", "enhetschef", "Maria", "Sjöberg", "Enhetschef", "3210", manages=("3210",)
    ),
    AccountSpec(
        "budgetchef", "budgetchef", "Göran", "Bergström", "Verksamhetschef", "3200",
        manages=("3200",),
    ),
    AccountSpec(
        "forvaltningschef", "forvaltningschef", "Karin", "Öberg", "Förvaltningschef", "3000",
        manages=("3000",),
    ),
    # Also the politicians' telesamordnare (unit 1110), so the demo can order for an elected
    # official (SUB-3); coordinating a unit reaches its whole förvaltning.
    AccountSpec(
        "telesamordnare", "telesamordnare", "Jörgen", "Håkansson", "Administratör", "3100",
        coordinates=("3000", "1110"),
    ),
    AccountSpec("telekundtjanst", "telekundtjanst", "Lena", "Ström", "Teletekniker", "1410"),
    AccountSpec("kundtjanst", "kundtjanst", "Mikael", "Åberg", "Kommunvägledare", "1500"),
    AccountSpec(
        "ksordforande", "ksordforande", "Birgitta", "Nyström", "Kommunstyrelsens ordförande",
        "1110", kind="elected",
    ),
    AccountSpec(
        "admin", "admin", "Patrik", "Lundgren", "Systemförvaltare", "1400", superuser=True
    ),
)  # fmt: skip

# Phones (SUB-1). Everyone gets one subscription: fixed or MEX with a four-digit extension
# and the number 019-21 <extension>, or a mobile 070-555 <slot> without one. Each
# förvaltning has its own thousand (Vård och omsorg 3xxx): its function and group phones
# from x010, its people from x100, in the order of this file. Who has which number is
# invented, but the series are real ones: do not call the demo's numbers.
FIXED_PREFIX = "+461921"  # + the four-digit extension: 019-21 31 01
MOBILE_PREFIX = "+4670555"  # + the four-digit slot: 070-555 31 01
FIRST_FUNCTION_SLOT = 10
FIRST_PERSON_SLOT = 100
# Share of office staff (not managers) with MEX rather than a fixed phone.
MEX_SHARE = 0.3


@dataclass(frozen=True)
class FunctionPhoneSpec:
    """A function phone (funktionstelefon, kind "funktion": stays at the workplace) or a
    group phone (gruppteleson, kind "grupp": a team's), owned by a unit."""

    unit: str  # unit code
    name: str
    kind: str = "funktion"


FUNCTION_PHONES = (
    FunctionPhoneSpec("1000", "Receptionen"),
    FunctionPhoneSpec("1410", "Tele kundtjänst felanmälan"),
    FunctionPhoneSpec("1500", "Kundtjänst", kind="grupp"),
    FunctionPhoneSpec("2110", "Avdelning Blåbäret", kind="grupp"),
    FunctionPhoneSpec("2210", "Expeditionen Brickebackens skola"),
    FunctionPhoneSpec("3210", "Reception Hemtjänst Norr"),
    FunctionPhoneSpec("3211", "Arbetslag Nattpatrull Norr", kind="grupp"),
    FunctionPhoneSpec("3220", "Arbetslag Söder dag", kind="grupp"),
    FunctionPhoneSpec("3310", "Sjuksköterskeexpeditionen Lindgården"),
    FunctionPhoneSpec("3330", "Avdelning Rönnen", kind="grupp"),
    FunctionPhoneSpec("5110", "Informationsdisken Stadsbiblioteket"),
    FunctionPhoneSpec("8210", "Driftjouren Vattenverket", kind="grupp"),
)

# Generated people with skyddad identitet (never their unit's manager).
PROTECTED_IDENTITY = frozenset(
    {"demo-2210-07", "demo-3220-05", "demo-3310-11", "demo-4110-04", "demo-8400-09"}
)

RESERVE_PLANS = (
    "Vid strömavbrott eller avbrott i telefonin används enhetens två reservmobiler, som "
    "förvaras laddade i personalrummet. Enhetschefen meddelar Tele kundtjänst och ringer in "
    "personalen enligt ringlistan i krispärmen.",
    "Vid avbrott i telefonin nås {name} via kommunens växel, som kopplar till en "
    "förutbestämd mobiltelefon. Personalen samlas vid entrén och får besked av närmaste chef.",
    "Vid långvarigt strömavbrott flyttar verksamheten i {name} till kommunens reservlokal. "
    "Kontakt med brukare och anhöriga sker via mobiltelefon och SMS enligt rutinen i "
    "samverkansplanen.",
)

# ABS-1 and SRV-1: working day and phone hours (telefontid) of a few units, by unit code.
UNIT_HOURS = {
    "3210": ("07:00", "16:00", "Mån–fre 07.30–09.00 och 13.00–14.00"),
    "2210": ("07:30", "16:00", "Mån–fre 08.00–09.30"),
    "1500": ("08:00", "17:00", ""),
}

# ABS-1: hänvisningar, relative to the day seed_demo runs; one is made only when the
# person has no current or planned redirect, so a second run adds none.
# (external id, reason, working days away, target)
DEMO_REDIRECTS = (
    ("demo-budgetchef", "training", 2, "kundtjanst"),
    ("demo-telesamordnare", "leave", 5, "voicemail"),
)

# ABS-6: a trip abroad of the demo employee, starting this many days after the run.
DEMO_TRIP = ("demo-anstalld", "Tyskland", 14, 4)

# REV-1: this year's annual review is open for the demo managers: opened by this account
# (Tele kundtjänst) when seed_demo first runs in a year, due this many days later.
DEMO_REVIEW_OPENED_BY = "telekundtjanst"
DEMO_REVIEW_DEADLINE_DAYS = 60

# DEV-1: the catalogue Tele kundtjänst keeps: (name, kind, price in SEK, orderable).
DEMO_CATALOGUE = (
    ("Mobiltelefon Standard", "phone", "2490.00", True),
    ("Mobiltelefon Robust (IP68)", "phone", "3990.00", True),
    ("IP-telefon för skrivbord", "phone", "1290.00", True),
    ("Mobiltelefon Standard, förra modellen", "phone", "1990.00", False),
    ("Headset trådlöst", "accessory", "899.00", True),
    ("Laddare USB-C", "accessory", "149.00", True),
    ("Skal och skärmskydd", "accessory", "199.00", True),
)
# DEV-3: the mobile and MEX phones of the people of these units get a device in the
# inventory (catalogue model DEMO_CATALOGUE[0]), with an invented IMEI whose check digit is
# right and a theft-marking number "SM-<extension or slot>".
DEMO_DEVICE_UNITS = ("3210", "3220")
# DEV-2: the telesamordnare's orders, so each role has one to act on (issue 19.9): for
# people of DEMO_ORDER_UNIT a mobile waiting for the enhetschef's approval (SUB-2) and one
# she approved, which went on to Tele kundtjänst by itself; for an elected official of
# DEMO_ELECTED_UNIT a mobile waiting for the KS ordförande (SUB-3). Each is known by its
# description, so a second run adds none.
DEMO_ORDER_UNIT = "3210"
DEMO_ELECTED_UNIT = "1110"
DEMO_ORDERS = (
    ("awaiting", DEMO_ORDER_UNIT, "Nattpatrullen behöver nå larmcentralen."),
    ("approved", DEMO_ORDER_UNIT, "Larmansvarig på helger, behöver nås utanför kontoret."),
    ("awaiting", DEMO_ELECTED_UNIT, "Ny ledamot i kommunstyrelsen, behöver nås under resor."),
)
# DEV-5: the SIM card of anstalld's phone, with its PIN and PUK (shown only to her and to
# Tele kundtjänst, and every view logged).
DEMO_SIM = {"username": "anstalld", "pin": "4711", "puk": "31415926"}
