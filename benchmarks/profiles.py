"""Realistic member profiles for benchmarks: names, institutions and regions from many
countries and scripts, several interests and goals, about 220 characters of directory text."""

from __future__ import annotations

import random

from bot.domain import PROFESSIONS, STAGES, Profile


def _items(text: str) -> tuple[str, ...]:
    """A comma-separated word list, one line or several (no item holds a comma)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


FIRST = _items(
    """
    Amara, Chidi, Ngozi, Tunde, Kwame, Abena, Fatima, Aisha, Yusuf, Emeka, Priya, Rahul,
    Ananya, Arjun, Meera, Sophie, Lucas, Chloé, Léa, Hélène, José, María, Lucía, Andrés, Sofía,
    Emma, Oliver, Grace, Daniel, Sarah, Mohammed, Layla, Omar, Zainab, Hana, Yuki, Haruto, Mei,
    Wei, Jiho, Søren, Åsa, Björn, Zoë, Niamh, Siobhán, Ines, João, Thandiwe, Sipho
    """
)
LAST = _items(
    """
    Eze, Okafor, Adeyemi, Mensah, Osei, Boateng, Bello, Abubakar, Nwosu, Sharma, Patel, Iyer,
    Nair, Gupta, Dubois, Lefèvre, Moreau, Girard, García, Martínez, López, Hernández, Smith,
    Jones, Williams, Brown, Taylor, Khan, Haddad, Mansour, Tanaka, Suzuki, Kim, Park, Nguyễn,
    Trần, Müller, Schröder, Jørgensen, Ó Súilleabháin, Dlamini, Ndlovu, Costa, Silva
    """
)
CJK_NAMES = _items("李明, 王芳, 张伟, 刘洋, 陈静, 佐藤花子, 鈴木一郎, 김민준, 이서연")
SPECIALTIES = _items(
    """
    emergency medicine, paediatrics, general surgery, internal medicine, cardiology, oncology,
    obstetrics and gynaecology, psychiatry,
    anaesthesia, radiology, family medicine, public health, infectious diseases, neurology,
    nephrology, orthopaedics, dermatology, geriatrics, intensive care, neonatology,
    critical care nursing, clinical pharmacy, health informatics, global surgery,
    Évaluation des technologies de santé, médecine générale, pédiatrie, cirugía general,
    neurosurgery, palliative care
    """
)
INSTITUTIONS = _items(
    """
    Lagos University Teaching Hospital, Korle Bu Teaching Hospital, Groote Schuur Hospital,
    Aga Khan University Hospital, Kenyatta National Hospital, Mulago Hospital,
    All India Institute of Medical Sciences, Christian Medical College Vellore,
    Tata Memorial Hospital, Hôpital Necker-Enfants malades, Hôpital de la Pitié-Salpêtrière,
    Centre hospitalier universitaire de Québec, Hospital Clínic de Barcelona,
    Hospital Universitario La Paz, Charité – Universitätsmedizin Berlin, Karolinska,
    Guy's and St Thomas', Royal London Hospital, Manchester Royal Infirmary,
    Toronto General Hospital, Massachusetts General Hospital, Johns Hopkins Hospital,
    Mayo Clinic, Royal Melbourne Hospital, Auckland City Hospital, 北京协和医院,
    東京大学医学部附属病院, 서울대학교병원, Hospital Israelita Albert Einstein, NHS England,
    Ministry of Health,
    Médecins Sans Frontières, WHO country office
    """
)
REGIONS = _items(
    """
    West Africa, East Africa, Southern Africa, Lagos, Accra, Nairobi, Kampala, Cape Town,
    Île-de-France, Provence-Alpes-Côte d'Azur, Québec, Ontario, British Columbia, Catalonia,
    Madrid, Bavaria, Stockholm, London, Greater Manchester, Scotland, Massachusetts,
    California, New York, Texas, Victoria, Auckland, Maharashtra, Kerala, Delhi, Karnataka,
    São Paulo, 北京, 東京, 서울, UK
    """
)
INTERESTS = _items(
    """
    quality improvement, global health, medical education, simulation, leadership,
    health policy, patient safety, digital health, research methods, health equity,
    mental health, point-of-care ultrasound, wellbeing, mentorship, teaching,
    clinical governance, health economics, AI in medicine, telemedicine, advocacy,
    women in medicine, rural health, humanitarian work, maternal health,
    antimicrobial stewardship, sepsis, trauma care, evidence-based medicine,
    implementation science, data science, open source, ethics, writing, public speaking,
    entrepreneurship, health systems, community health, climate and health, santé publique,
    éducation médicale, salud global, 🩺 bedside teaching
    """
)
GOALS = _items(
    """
    find a mentor, publish a first paper, lead a quality project, start a fellowship,
    learn to code, build a teaching portfolio, apply for a masters in public health,
    present at a conference, join a research group, improve work-life balance,
    move into health policy, start a clinical trial, set up a journal club,
    run a simulation course, become a consultant, mentor students
    """
)


def _pick(rng: random.Random, items: tuple[str, ...], low: int, high: int) -> tuple[str, ...]:
    return tuple(rng.sample(items, rng.randint(low, high)))


def realistic_profile(index: int) -> tuple[str, Profile]:
    """A member's display name and profile; the same index always gives the same member."""
    rng = random.Random(index)
    if rng.random() < 0.06:
        name = rng.choice(CJK_NAMES)
    else:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    display_name = name.lower().replace(" ", ".") + str(index % 100)
    profile = Profile(
        name=name,
        profession=rng.choice(PROFESSIONS),
        stage=rng.choice(STAGES),
        specialty=rng.choice(SPECIALTIES),
        institution=rng.choice(INSTITUTIONS),
        region=rng.choice(REGIONS),
        interests=_pick(rng, INTERESTS, 3, 5),
        goals=_pick(rng, GOALS, 1, 3),
        open_to_mentor=rng.random() < 0.3,
        seeking_mentor=rng.random() < 0.4,
    )
    return display_name, profile
