"""Surakarta as the simulator sees it: kecamatan, kelurahan and census blocks, streets,
people's names and phone numbers, and the fieldwork period.

Names are Javanese and Indonesian, apostrophes included.
"""

from __future__ import annotations

import datetime as dt
import random

from survey.simulate._draws import chance

FIELDWORK_START = dt.date(2024, 7, 1)
FIELDWORK_DAYS = 61

# Kecamatan -> (PSU code prefix, census blocks in the population frame, kelurahan).
# Block counts follow the kecamatan's share of Surakarta's ~175,000 households.
STRATA: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "laweyan": ("LAW", 280, ("pajang", "laweyan", "bumi", "panularan", "penumping", "sriwedari",
                            "purwosari", "sondakan", "kerten", "jajar", "karangasem")),
    "serengan": ("SER", 145, ("joyotakan", "danukusuman", "serengan", "tipes", "kratonan",
                             "jayengan", "kemlayan")),
    "pasar_kliwon": ("PAS", 235, ("joyosuran", "semanggi", "mojo", "pasar_kliwon", "baluwarti",
                                 "gajahan", "kauman", "kampung_baru", "kedung_lumbu", "sangkrah")),
    "jebres": ("JEB", 410, ("kepatihan_kulon", "kepatihan_wetan", "sudiroprajan", "gandekan", "sewu",
                           "pucang_sawit", "jagalan", "purwodiningratan", "tegalharjo", "jebres",
                           "mojosongo")),
    "banjarsari": ("BAN", 480, ("kadipiro", "nusukan", "gilingan", "setabelan", "kestalan", "keprabon",
                               "timuran", "ketelan", "punggawan", "mangkubumen", "manahan", "sumber",
                               "banyuanyar", "joglo", "banjarsari")),
}
CENTROIDS = {  # approximate (lat, lon) of each kecamatan
    "laweyan": (-7.568, 110.795), "serengan": (-7.580, 110.818), "pasar_kliwon": (-7.583, 110.835),
    "jebres": (-7.555, 110.850), "banjarsari": (-7.545, 110.815),
}
STREETS = ("Slamet Riyadi", "Dr. Radjiman", "Veteran", "Ahmad Yani", "Kapten Mulyadi", "Sutan Syahrir",
           "Adi Sucipto", "Ki Hajar Dewantara", "Letjen Suprapto", "Yos Sudarso", "Kyai Mojo",
           "Honggowongso", "Gatot Subroto", "Urip Sumoharjo", "Kol. Sutarto", "Transito")

MALE_NAMES = ("Budi", "Slamet", "Joko", "Agus", "Bambang", "Sutrisno", "Wahyu", "Eko", "Heru", "Ma'ruf",
              "Sugeng", "Teguh", "Hadi", "Rudi", "Arif", "Yusuf", "Rizky", "Fajar", "Bayu", "Dimas",
              "Anwar", "Ahmad", "Muhammad", "Haryanto", "Purnomo", "Sya'ban", "Mu'in", "Gilang",
              "Dwi", "Andi", "Hendra", "Rahmat", "Setyo", "Wawan", "Yoga", "Bagus", "Aditya", "Galih",
              "Surya", "Iwan", "Sukardi", "Suparno", "Waluyo", "Priyo", "Nanang", "Taufik", "Ilham",
              "Hanif", "Fauzan", "Ridwan", "Lukman", "Ari")
FEMALE_NAMES = ("Sri", "Siti", "Endang", "Tri", "Wulan", "Dewi", "Rina", "Nur'aini", "Rahayu", "Sulastri",
                "Suparmi", "Ani", "Ratna", "Putri", "Ayu", "Nurul", "Fitri", "Indah", "Anisa", "Zulaikha",
                "Ma'rifah", "Sumarni", "Kartini", "Larasati", "Nadia", "Nafi'ah", "Wahyuni", "Yuliani",
                "Kurniasih", "Suryani", "Nining", "Winarsih", "Murni", "Tuti", "Yanti", "Dian", "Novi",
                "Mega", "Retno", "Sekar", "Umi", "Lina", "Wiwik", "Puji", "Eni", "Hartini", "Dyah", "Ika")
FAMILY_NAMES = ("Wibowo", "Santoso", "Susanto", "Setiawan", "Prasetyo", "Nugroho", "Kurniawan", "Hidayat",
                "Saputra", "Lestari", "Wijaya", "Pratama", "Ma'arif", "Syafi'i", "Hasan", "Pangestu",
                "Rahmawati", "Handayani", "Purwanto", "Mubarok", "Sa'adah", "Utomo", "Hartono", "Sugiarto",
                "Wibisono", "Haryadi", "Suryadi", "Gunawan", "Firmansyah", "Ramadhan", "Hakim", "Nurhadi",
                "Suparman", "Wicaksono", "Kusuma", "Anggraini", "Maharani", "Wulandari", "Permana",
                "Santosa", "Budiman", "Cahyono", "Darmawan", "Setiadi", "Wardhana", "Zakaria")


def interview_date(rng: random.Random) -> dt.date:
    return FIELDWORK_START + dt.timedelta(days=rng.randrange(FIELDWORK_DAYS))


def person_name(rng: random.Random, sex: str) -> str:
    """One given name (10%), given and family name, or two given names and a family name (25%)."""
    names = MALE_NAMES if sex == "male" else FEMALE_NAMES
    given = rng.choice(names)
    roll = rng.random()
    if roll < 0.10:
        return given
    if roll < 0.35:
        return f"{given} {rng.choice(names)} {rng.choice(FAMILY_NAMES)}"
    return f"{given} {rng.choice(FAMILY_NAMES)}"


def phone(rng: random.Random) -> str:
    digits = "8" + "".join(str(rng.randrange(10)) for _ in range(rng.randint(9, 11)))
    return ("+62" if chance(rng, 0.2) else "0") + digits
