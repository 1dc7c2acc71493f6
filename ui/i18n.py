"""Interface texts in Bahasa Indonesia and English (questionnaire texts live in the YAML)."""

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "ICT & e-government survey", "id": "Survei TIK & e-government"},
    "entry_page": {"en": "Enter an interview", "id": "Isi wawancara"},
    "instrument": {"en": "Questionnaire", "id": "Kuesioner"},
    "enumerator": {"en": "Enumerator ID", "id": "ID pencacah"},
    "enumerator_help": {
        "en": "Your code, for example enum01 (letters, digits, - and _).",
        "id": "Kode Anda, misalnya enum01 (huruf, angka, - dan _).",
    },
    "enumerator_missing": {
        "en": "Type your enumerator ID above before submitting.",
        "id": "Isi ID pencacah di atas sebelum mengirim.",
    },
    "enumerator_invalid": {
        "en": "An enumerator ID has 1 to 40 letters, digits, '-', '_' or '.'.",
        "id": "ID pencacah terdiri dari 1 sampai 40 huruf, angka, '-', '_' atau '.'.",
    },
    "submit": {"en": "Submit interview", "id": "Kirim wawancara"},
    "fix_problems": {
        "en": "{n} answer(s) need attention; nothing was saved. Your answers are kept: fix the ones marked above: {where}.",
        "id": "{n} jawaban perlu diperbaiki; belum ada yang disimpan. Jawaban Anda tetap ada: perbaiki yang ditandai di atas: {where}.",
    },
    "saved": {"en": "Saved. Response ID: {rid}", "id": "Tersimpan. ID respons: {rid}"},
    "saved_again": {
        "en": "This interview was already saved (no duplicate was created). Response ID: {rid}",
        "id": "Wawancara ini sudah tersimpan (tidak ada duplikat). ID respons: {rid}",
    },
    "receipt_detail": {
        "en": "{instrument}, submitted {time} by {enumerator}.",
        "id": "{instrument}, dikirim {time} oleh {enumerator}.",
    },
    "new_interview": {"en": "Start the next interview", "id": "Mulai wawancara berikutnya"},
    "save_failed": {
        "en": "The interview could not be saved ({error}). Your answers are kept; press submit again.",
        "id": "Wawancara tidak dapat disimpan ({error}). Jawaban Anda tetap ada; tekan kirim lagi.",
    },
    "member": {"en": "Member {i}", "id": "Anggota {i}"},
    "roster_needs_count": {
        "en": "Enter the number above to list the {label}.",
        "id": "Isi jumlah di atas untuk menampilkan daftar {label}.",
    },
    "choose": {"en": "Choose an option", "id": "Pilih salah satu"},
    "choose_many": {"en": "Choose all that apply", "id": "Pilih semua yang sesuai"},
    "geopoint_placeholder": {"en": "latitude longitude, e.g. -7.5666 110.8166", "id": "lintang bujur, mis. -7.5666 110.8166"},
    "today_list": {"en": "Your submissions today", "id": "Kiriman Anda hari ini"},
    "today_none": {"en": "No submissions yet today.", "id": "Belum ada kiriman hari ini."},
    "today_hint": {
        "en": "Type your enumerator ID to see your submissions today.",
        "id": "Isi ID pencacah untuk melihat kiriman Anda hari ini.",
    },
    "today_failed": {
        "en": "Your submissions today cannot be listed right now; the form still works.",
        "id": "Kiriman Anda hari ini belum dapat ditampilkan; formulir tetap dapat digunakan.",
    },
    "status_submitted": {"en": "submitted", "id": "terkirim"},
    "status_approved": {"en": "approved", "id": "disetujui"},
    "status_rejected": {"en": "rejected", "id": "ditolak"},
    "status_on_hold": {"en": "on hold", "id": "ditunda"},
    "col_time": {"en": "Time (WIB)", "id": "Waktu (WIB)"},
    "col_response": {"en": "Response ID", "id": "ID respons"},
    "col_status": {"en": "Status", "id": "Status"},
    "col_instrument": {"en": "Questionnaire", "id": "Kuesioner"},
}


def t(key: str, lang: str, **values: object) -> str:
    texts = TEXT[key]
    return texts.get(lang, texts["en"]).format(**values)
