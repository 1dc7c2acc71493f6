"""The one catalogue of the analysis layer's messages to people, in both languages.

Problems with an uploaded frame.csv or population.csv, why a design fell back to
equal weights, what a table's notes say: each is a :class:`Message` with a code and
its text ``{lang: text}`` (read it with ``survey.locale.pick`` or ``Message.text``); the
catalogue, MESSAGES, is read with survey.locale.texts like every layer's.
Numbers in a message are written for its language (:mod:`survey.locale`).
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

from survey import locale as formatting
from survey.locale import LANGUAGES, pick, texts


class Message(NamedTuple):
    code: str
    texts: Mapping[str, str]     # {lang: text}

    def text(self, lang: str) -> str:
        return pick(self.texts, lang)


MESSAGES: dict[str, dict[str, str]] = {
    # ---- frame.csv / population.csv ----------------------------------------------------
    "file.unreadable": {
        "en": "{file} cannot be read as a CSV file ({detail}). Save it as CSV (UTF-8, comma-separated) and upload it again.",
        "id": "{file} tidak dapat dibaca sebagai berkas CSV ({detail}). Simpan sebagai CSV (UTF-8, dipisah koma) lalu unggah lagi.",
    },
    "file.too_large": {
        "en": "{file} is larger than {mb} MB; a sampling frame or a table of totals is far smaller. Check that it is the right file.",
        "id": "{file} lebih besar dari {mb} MB; kerangka sampel atau tabel total jauh lebih kecil. Periksa apakah berkasnya benar.",
    },
    "file.too_many_rows": {
        "en": "{file} has more than {rows} rows. Check that it is the right file.",
        "id": "{file} berisi lebih dari {rows} baris. Periksa apakah berkasnya benar.",
    },
    "file.too_many_columns": {
        "en": "{file} has more than {columns} columns. Check that it is the right file.",
        "id": "{file} berisi lebih dari {columns} kolom. Periksa apakah berkasnya benar.",
    },
    "file.empty": {
        "en": "{file} has no rows. It needs one row per {unit}.",
        "id": "{file} tidak berisi baris. Berkas ini perlu satu baris per {unit}.",
    },
    "file.columns": {
        "en": "{file} lacks the column(s) {columns}. Its columns are: {present}.",
        "id": "{file} tidak memiliki kolom {columns}. Kolom yang ada: {present}.",
    },
    "file.blank": {
        "en": "{file}: {column} is empty in {count} row(s) (rows {rows}); every row needs it.",
        "id": "{file}: {column} kosong pada {count} baris (baris {rows}); setiap baris harus mengisinya.",
    },
    "file.not_numeric": {
        "en": "{file}: {column} must be a number; not so in row(s) {rows} (e.g. {example}).",
        "id": "{file}: {column} harus berupa angka; tidak demikian pada baris {rows} (mis. {example}).",
    },
    "file.negative": {
        "en": "{file}: {column} cannot be negative; row(s) {rows}.",
        "id": "{file}: {column} tidak boleh negatif; baris {rows}.",
    },
    "file.probability": {
        "en": "{file}: {column} is a selection probability and must be from 0.000001 (one in a million) to 1; row(s) {rows}.",
        "id": "{file}: {column} adalah peluang terpilih dan harus dari 0,000001 (satu per sejuta) sampai 1; baris {rows}.",
    },
    "file.too_big": {
        "en": "{file}: {column} is at most {max}; row(s) {rows}.",
        "id": "{file}: {column} paling besar {max}; baris {rows}.",
    },
    "file.duplicate": {
        "en": "{file} lists the same {what} more than once: {values} (rows {rows}). Give each one row.",
        "id": "{file} mencantumkan {what} yang sama lebih dari sekali: {values} (baris {rows}). Beri masing-masing satu baris.",
    },
    "file.unknown_value": {
        "en": "{file}: {column} has value(s) {values} that are not choices of the question '{column}' (choices: {choices}); row(s) {rows}.",
        "id": "{file}: {column} berisi nilai {values} yang bukan pilihan pertanyaan '{column}' (pilihan: {choices}); baris {rows}.",
    },
    "frame.unknown_psu": {
        "en": "{count} response(s) are in PSU(s) that frame.csv does not list: {values}. Add those PSUs to the frame or correct the answers.",
        "id": "{count} respons berada di PSU yang tidak tercantum di frame.csv: {values}. Tambahkan PSU itu ke kerangka atau perbaiki jawabannya.",
    },
    "frame.within": {
        "en": "frame.csv needs prob_within, or households_in_psu to derive it, for PSU(s) {values} (rows {rows}).",
        "id": "frame.csv memerlukan prob_within, atau households_in_psu untuk menurunkannya, bagi PSU {values} (baris {rows}).",
    },
    "population.unit": {
        "en": "population.csv has no totals of unit '{unit}' by {by}; its units are: {units}.",
        "id": "population.csv tidak memiliki total unit '{unit}' menurut {by}; unit yang ada: {units}.",
    },
    "kelurahan.no_auxiliary": {
        "en": "kelurahan.csv needs at least one number column beside kelurahan (population, households, a share with electricity...): the model predicts each kelurahan from them.",
        "id": "kelurahan.csv memerlukan sedikitnya satu kolom angka selain kelurahan (penduduk, rumah tangga, persentase berlistrik...): model memprediksi tiap kelurahan darinya.",
    },
    "kelurahan.no_question": {
        "en": "No questionnaire has a select_one question named kelurahan, so kelurahan.csv cannot be matched to the answers.",
        "id": "Tidak ada kuesioner dengan pertanyaan select_one bernama kelurahan, sehingga kelurahan.csv tidak dapat dicocokkan dengan jawaban.",
    },
    # ---- designs and weights -------------------------------------------------------------
    "design.no_frame": {
        "en": "There is no sampling frame (frame.csv) in the data folder, so the estimates are unweighted: every response counts the same. Upload the frame on the design page.",
        "id": "Belum ada kerangka sampel (frame.csv) di folder data, sehingga estimasi tidak berbobot: setiap respons dihitung sama. Unggah kerangka di halaman desain.",
    },
    "design.one_stage": {
        "en": "The design has two stages, but frame.csv does not give {columns} for every sampled PSU, so the variance uses the first stage only (PSUs, with replacement). Add those columns to the frame for the two-stage variance.",
        "id": "Desain memiliki dua tahap, tetapi frame.csv tidak memuat {columns} untuk setiap PSU terpilih, sehingga varians hanya memakai tahap pertama (PSU, dengan pengembalian). Tambahkan kolom itu ke kerangka untuk varians dua tahap.",
    },
    "design.frame_failed": {
        "en": "The weights could not be made from frame.csv, so the estimates are unweighted: {detail}",
        "id": "Bobot tidak dapat dibuat dari frame.csv, sehingga estimasi tidak berbobot: {detail}",
    },
    "design.no_counts": {
        "en": "The weights need each {strata}'s {question} from the '{instrument}' survey, which is missing for {values}; until it is entered the estimates are unweighted.",
        "id": "Bobot memerlukan {question} setiap {strata} dari survei '{instrument}', yang belum ada untuk {values}; sampai diisi, estimasi tidak berbobot.",
    },
    "design.counts_small": {
        "en": "More people were interviewed than {question} says work in {values}; check those counts. Until then the estimates are unweighted.",
        "id": "Jumlah yang diwawancarai melebihi {question} di {values}; periksa angka itu. Sampai diperbaiki, estimasi tidak berbobot.",
    },
    "design.no_population": {
        "en": "No population totals (population.csv) for {unit} by {by}: the weights are not calibrated to them.",
        "id": "Belum ada total populasi (population.csv) untuk {unit} menurut {by}: bobot tidak dikalibrasi.",
    },
    "design.calibration_failed": {
        "en": "The weights could not be calibrated to population.csv ({unit} by {by}); the uncalibrated weights are used: {detail}",
        "id": "Bobot tidak dapat dikalibrasi ke population.csv ({unit} menurut {by}); bobot tanpa kalibrasi dipakai: {detail}",
    },
    "design.empty_cells": {
        "en": "No responses yet in {cells}: the calibration to {unit} totals by {by} leaves them out for now.",
        "id": "Belum ada respons di {cells}: kalibrasi ke total {unit} menurut {by} belum menyertakannya.",
    },
    "design.missing_design": {
        "en": "{count} response(s) lack {columns} and are left out of the estimates; correct them in review.",
        "id": "{count} respons tidak memiliki {columns} dan tidak diikutkan dalam estimasi; perbaiki saat pemeriksaan.",
    },
    "design.unweighted_switch": {
        "en": "Unweighted: every response counts the same (the design's strata and PSUs are kept for the standard errors).",
        "id": "Tanpa bobot: setiap respons dihitung sama (strata dan PSU desain tetap dipakai untuk galat baku).",
    },
    # ---- how a design and its weights were made (provenance) ----------------------------
    "text.srs": {
        "en": "Simple random sample",
        "id": "Sampel acak sederhana",
    },
    "text.stratified": {
        "en": "Stratified sample (strata: {strata})",
        "id": "Sampel berstrata (strata: {strata})",
    },
    "text.cluster": {
        "en": "Cluster sample (PSU: {psu})",
        "id": "Sampel klaster (PSU: {psu})",
    },
    "text.stratified_cluster": {
        "en": "Stratified cluster sample (strata: {strata}; PSU: {psu})",
        "id": "Sampel klaster berstrata (strata: {strata}; PSU: {psu})",
    },
    "text.two_stage": {
        "en": "Two-stage sample: {psu} within {strata}, then households within each; finite population correction at both stages",
        "id": "Sampel dua tahap: {psu} dalam {strata}, lalu rumah tangga di dalamnya; koreksi populasi terhingga pada kedua tahap",
    },
    "text.two_stage_unstratified": {
        "en": "Two-stage sample: {psu}, then households within each; finite population correction at both stages",
        "id": "Sampel dua tahap: {psu}, lalu rumah tangga di dalamnya; koreksi populasi terhingga pada kedua tahap",
    },
    "text.census": {
        "en": "Census: every {unit} once (its latest response)",
        "id": "Sensus: setiap {unit} sekali (respons terakhirnya)",
    },
    "text.fpc": {
        "en": "{design}, with finite population correction",
        "id": "{design}, dengan koreksi populasi terhingga",
    },
    "weights.equal": {
        "en": "Equal weights",
        "id": "Bobot sama",
    },
    "weights.unweighted": {
        "en": "Unweighted (equal weights): {reason}",
        "id": "Tanpa bobot (bobot sama): {reason}",
    },
    "weights.frame": {
        "en": "Base weights from frame.csv: 1 / (prob_psu × prob_within)",
        "id": "Bobot dasar dari frame.csv: 1 / (prob_psu × prob_within)",
    },
    "weights.frame_nonresponse": {
        "en": "Base weights from frame.csv: 1 / (prob_psu × prob_within), adjusted for non-response within each PSU (× eligible households sampled / responding)",
        "id": "Bobot dasar dari frame.csv: 1 / (prob_psu × prob_within), disesuaikan untuk nonrespons di setiap PSU (× rumah tangga layak dalam sampel / yang merespons)",
    },
    "weights.counts": {
        "en": "Weights: per {strata}, {question} (from the '{instrument}' survey) / the number interviewed there",
        "id": "Bobot: per {strata}, {question} (dari survei '{instrument}') / jumlah yang diwawancarai di sana",
    },
    "weights.household": {
        "en": "The household's weight",
        "id": "Bobot rumah tangganya",
    },
    "weights.poststratify": {
        "en": "{weights}; post-stratified to the {unit} totals by {by} (population.csv)",
        "id": "{weights}; dipascastratifikasi ke total {unit} menurut {by} (population.csv)",
    },
    "weights.rake": {
        "en": "{weights}; raked to the {unit} totals by {by} (population.csv)",
        "id": "{weights}; di-raking ke total {unit} menurut {by} (population.csv)",
    },
    "reason.no_frame": {
        "en": "no sampling frame (frame.csv)",
        "id": "belum ada kerangka sampel (frame.csv)",
    },
    "reason.frame_failed": {
        "en": "frame.csv does not fit the responses",
        "id": "frame.csv tidak cocok dengan respons",
    },
    "reason.no_counts": {
        "en": "population counts missing",
        "id": "jumlah populasi belum lengkap",
    },
    "reason.switch": {
        "en": "the weighted / unweighted switch",
        "id": "pilihan berbobot / tanpa bobot",
    },
}


# What population totals and frame rows count, named in each language (a design's ``unit:``
# and the files' rows): "total rumah tangga", never "total household" in an Indonesian sentence.
UNITS = {
    "household": {"en": "household", "id": "rumah tangga"},
    "person": {"en": "person", "id": "orang"},
    "PSU": {"en": "PSU", "id": "PSU"},
    "cell": {"en": "cell", "id": "sel"},
    "kelurahan": {"en": "kelurahan", "id": "kelurahan"},
}


def unit_texts(unit: str) -> dict[str, str]:
    """A unit's name ``{lang: text}``; a unit the catalogue lacks keeps its own name."""
    return dict(UNITS.get(unit, {lang: unit for lang in LANGUAGES}))


def _localised(value: Any) -> Any:
    """A whole number written for each language ({lang: "1.234"}); other values as given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {lang: formatting.number(value, lang, 0) for lang in LANGUAGES}
    return value


def message(key: str, **values: Any) -> Message:
    """The catalogue message ``key`` with ``values`` filled in, in both languages (whole numbers
    per language; a ``{lang: text}`` value is picked per language: survey.locale.texts)."""
    return Message(key, texts(MESSAGES, key, **{name: _localised(v) for name, v in values.items()}))


def listing(values, shown: int = 5) -> str:
    """'a', 'b', 'c' (and 4 more)."""
    values = list(values)
    text = ", ".join(f"'{v}'" for v in values[:shown])
    return text + (f" (+{len(values) - shown})" if len(values) > shown else "")
