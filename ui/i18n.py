"""Interface texts in Bahasa Indonesia and English (questionnaire texts live in the YAML).

Every text is `{lang: text}`; `t` reads one with survey.locale.text, as every layer's
catalogue is read. The languages and their names are survey.locale's.
"""

import streamlit as st

from survey.locale import DEFAULT_LANGUAGE, LANGUAGES, text

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "ICT & e-government survey", "id": "Survei TIK & e-government"},
    "instrument": {"en": "Questionnaire", "id": "Kuesioner"},
    "submit": {"en": "Submit interview", "id": "Kirim wawancara"},
    "fix_problems": {
        "en": "{n} answer(s) need attention; nothing was saved. Your answers are kept: fix the ones listed below: {where}.",
        "id": "{n} jawaban perlu diperbaiki; belum ada yang disimpan. Jawaban Anda tetap ada: perbaiki yang tercantum di bawah: {where}.",
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
    "today_none": {"en": "No submissions in the last 7 days.", "id": "Belum ada kiriman dalam 7 hari terakhir."},
    "today_failed": {
        "en": "Your submissions cannot be listed right now; entering interviews still works.",
        "id": "Kiriman Anda belum dapat ditampilkan; pengisian wawancara tetap dapat digunakan.",
    },
    "status_submitted": {"en": "submitted", "id": "terkirim"},
    "status_approved": {"en": "approved", "id": "disetujui"},
    "status_rejected": {"en": "rejected", "id": "ditolak"},
    "status_on_hold": {"en": "on hold", "id": "ditunda"},
    # ---- pages and roles
    "role_enumerator": {"en": "enumerator", "id": "pencacah"},
    "role_supervisor": {"en": "supervisor", "id": "pengawas"},
    "role_admin": {"en": "administrator", "id": "administrator"},
    "logged_in_as": {"en": "Logged in as **{name}** ({role})", "id": "Masuk sebagai **{name}** ({role})"},
    "logout": {"en": "Log out {name}", "id": "Keluar ({name})"},
    "no_access": {
        "en": "No access: your role cannot open this page.",
        "id": "Tidak ada akses: peran Anda tidak dapat membuka halaman ini.",
    },
    "instrument_unusable": {
        "en": "The questionnaire '{name}' cannot be used until the administrator fixes its file: {problem}",
        "id": "Kuesioner '{name}' tidak dapat dipakai sampai administrator memperbaiki berkasnya: {problem}",
    },
    "no_instrument": {
        "en": "No questionnaire can be used right now. Ask the administrator to check the questionnaire files.",
        "id": "Saat ini tidak ada kuesioner yang dapat dipakai. Minta administrator memeriksa berkas kuesioner.",
    },
    "review_listed": {
        "en": "The list below holds the first {n} of the {total} interviews in the queue; narrow the queue with the filters.",
        "id": "Daftar di bawah memuat {n} wawancara pertama dari {total} di antrean; persempit antrean dengan filter.",
    },
    "page_failed": {
        "en": "Something went wrong on this page; it has been logged. Your saved data is safe; try again.",
        "id": "Terjadi kesalahan di halaman ini dan sudah dicatat. Data yang tersimpan aman; coba lagi.",
    },
    "no_pages": {
        "en": "Your role has no pages yet. Ask the administrator.",
        "id": "Peran Anda belum memiliki halaman. Hubungi administrator.",
    },
    "accounts_damaged": {
        "en": "The accounts file `{file}` in the data folder is damaged or empty, so the app is stopped: nobody can log in or create an administrator until it is restored. On the server, restore a backup into a new folder with the command below, then copy `NEW_FOLDER/{file}` over the damaged file.",
        "id": "Berkas akun `{file}` di folder data rusak atau kosong, sehingga aplikasi dihentikan: tidak seorang pun dapat masuk atau membuat administrator sampai berkas itu dipulihkan. Di server, pulihkan cadangan ke folder baru dengan perintah di bawah, lalu salin `NEW_FOLDER/{file}` menggantikan berkas yang rusak.",
    },
    # ---- first run and login
    "setup_title": {"en": "Create the administrator account", "id": "Buat akun administrator"},
    "setup_intro": {
        "en": "This data folder has no accounts yet. The account made here is the administrator, who then creates the enumerators' and supervisors' accounts.",
        "id": "Folder data ini belum memiliki akun. Akun yang dibuat di sini adalah administrator, yang kemudian membuat akun pencacah dan pengawas.",
    },
    "setup_button": {"en": "Create the administrator", "id": "Buat administrator"},
    "setup_done": {"en": "Account {name} created. Log in with it.", "id": "Akun {name} sudah dibuat. Silakan masuk."},
    "login_title": {"en": "Log in", "id": "Masuk"},
    "login_button": {"en": "Log in", "id": "Masuk"},
    "username": {"en": "User name", "id": "Nama pengguna"},
    "username_help": {
        "en": "1-40 letters, digits, '.', '-' or '_' (not case-sensitive).",
        "id": "1-40 huruf, angka, '.', '-' atau '_' (huruf besar/kecil sama).",
    },
    "password": {"en": "Password", "id": "Kata sandi"},
    "password_new": {"en": "New password", "id": "Kata sandi baru"},
    "password_again": {"en": "Password again", "id": "Ulangi kata sandi"},
    "password_help": {"en": "At least {min} characters.", "id": "Paling sedikit {min} karakter."},
    "login_wrong": {
        "en": "Wrong user name or password.",
        "id": "Nama pengguna atau kata sandi salah.",
    },
    "login_unrecorded": {
        "en": "The server's disk is full, so this login could not be recorded in the audit log. Free space on the server (the data folder) or tell the administrator.",
        "id": "Disk server penuh, sehingga login ini tidak dapat dicatat di log audit. Kosongkan ruang di server (folder data) atau beri tahu administrator.",
    },
    "login_locked": {
        "en": "Too many wrong passwords: this account is locked for {minutes} minutes, until {until}. Try again then, or ask the administrator.",
        "id": "Terlalu banyak kata sandi salah: akun ini dikunci selama {minutes} menit, sampai pukul {until}. Coba lagi nanti, atau hubungi administrator.",
    },
    "login_disabled": {
        "en": "This account is disabled. Ask the administrator.",
        "id": "Akun ini dinonaktifkan. Hubungi administrator.",
    },
    "session_expired": {
        "en": "You were logged out after 30 minutes without activity. Log in again; saved interviews are safe.",
        "id": "Anda dikeluarkan setelah 30 menit tanpa aktivitas. Silakan masuk lagi; wawancara yang tersimpan aman.",
    },
    "session_disabled": {
        "en": "Your account was disabled or removed, so you were logged out.",
        "id": "Akun Anda dinonaktifkan atau dihapus, sehingga Anda dikeluarkan.",
    },
    "account_username": {
        "en": "A user name is 1-40 letters, digits, '.', '-' or '_'.",
        "id": "Nama pengguna terdiri dari 1-40 huruf, angka, '.', '-' atau '_'.",
    },
    "account_password_short": {
        "en": "A password has at least {min} characters.",
        "id": "Kata sandi paling sedikit {min} karakter.",
    },
    "account_password_long": {"en": "That password is too long.", "id": "Kata sandi itu terlalu panjang."},
    "account_password_chars": {
        "en": "A password cannot contain control characters.",
        "id": "Kata sandi tidak boleh berisi karakter kontrol.",
    },
    "account_password_name": {
        "en": "The password cannot be the user name.",
        "id": "Kata sandi tidak boleh sama dengan nama pengguna.",
    },
    "account_mismatch": {
        "en": "The two passwords differ; nothing was changed.",
        "id": "Kedua kata sandi berbeda; tidak ada yang diubah.",
    },
    "account_exists": {"en": "That account already exists.", "id": "Akun itu sudah ada."},
    "account_simulated": {
        "en": "A user name cannot start with “sim-”: those are the simulated enumerators' names.",
        "id": "Nama pengguna tidak boleh diawali “sim-”: itu nama pencacah simulasi.",
    },
    "account_role": {"en": "Choose a role from the list.", "id": "Pilih peran dari daftar."},
    "account_unknown": {"en": "There is no such account.", "id": "Akun itu tidak ada."},
    "account_last_admin": {
        "en": "This is the last active administrator; make another one first.",
        "id": "Ini administrator aktif terakhir; buat administrator lain terlebih dahulu.",
    },
    # ---- administration
    "tab_accounts": {"en": "Accounts", "id": "Akun"},
    "tab_audit": {"en": "Audit log", "id": "Log audit"},
    "tab_store": {"en": "Data store", "id": "Penyimpanan data"},
    "tab_odk": {"en": "ODK Collect", "id": "ODK Collect"},
    "tab_webhooks": {"en": "Webhooks", "id": "Webhook"},
    "webhook_new": {"en": "New endpoint", "id": "Endpoint baru"},
    "webhook_url": {"en": "URL (http:// or https://)", "id": "URL (http:// atau https://)"},
    "webhook_url_help": {"en": "Each event is POSTed here as JSON, signed with the endpoint's secret "
                                "(header X-Survey-Signature: sha256=HMAC of the body).",
                         "id": "Setiap kejadian dikirim (POST) ke sini sebagai JSON, ditandatangani dengan rahasia "
                               "endpoint (header X-Survey-Signature: sha256=HMAC dari isi)."},
    "webhook_events": {"en": "Events", "id": "Kejadian"},
    "webhook_questionnaire": {"en": "Only this questionnaire", "id": "Hanya kuesioner ini"},
    "webhook_include_record": {"en": "Include the de-identified record", "id": "Sertakan rekaman tanpa identitas"},
    "webhook_add": {"en": "Register the endpoint", "id": "Daftarkan endpoint"},
    "webhook_bad": {"en": "Give an http:// or https:// URL with a host, and choose at least one event.",
                    "id": "Isi URL http:// atau https:// dengan nama host, dan pilih paling sedikit satu kejadian."},
    "webhook_added": {"en": "Endpoint {url} registered. Its secret:", "id": "Endpoint {url} sudah didaftarkan. Rahasianya:"},
    "webhook_secret_once": {"en": "Copy the secret now: it is not shown again.",
                            "id": "Salin rahasia ini sekarang: tidak akan ditampilkan lagi."},
    "webhook_none": {"en": "No endpoint is registered.", "id": "Belum ada endpoint yang terdaftar."},
    "webhook_log": {"en": "Delivery log", "id": "Catatan pengiriman"},
    "webhook_endpoint": {"en": "Endpoint", "id": "Endpoint"},
    "webhook_about": {"en": "Events: {events}. Questionnaire: {questionnaire}.",
                      "id": "Kejadian: {events}. Kuesioner: {questionnaire}."},
    "webhook_col_event": {"en": "Event id", "id": "Id kejadian"},
    "webhook_col_type": {"en": "Event", "id": "Kejadian"},
    "webhook_col_status": {"en": "Status", "id": "Status"},
    "webhook_col_time": {"en": "Last attempt", "id": "Percobaan terakhir"},
    "webhook_col_code": {"en": "Response", "id": "Tanggapan"},
    "webhook_col_attempts": {"en": "Attempts", "id": "Percobaan"},
    "webhook_status_pending": {"en": "pending", "id": "menunggu"},
    "webhook_status_delivered": {"en": "delivered", "id": "terkirim"},
    "webhook_status_failed": {"en": "failed", "id": "gagal"},
    "webhook_send_again": {"en": "Send again", "id": "Kirim lagi"},
    "webhook_queued": {"en": "It will be sent again shortly, with the same event id.",
                       "id": "Akan dikirim lagi sebentar lagi, dengan id kejadian yang sama."},
    "webhook_remove": {"en": "Remove this endpoint", "id": "Hapus endpoint ini"},
    "role": {"en": "Role", "id": "Peran"},
    "state": {"en": "State", "id": "Keadaan"},
    "state_active": {"en": "active", "id": "aktif"},
    "state_disabled": {"en": "disabled", "id": "nonaktif"},
    "state_locked": {"en": "locked until {until}", "id": "terkunci sampai {until}"},
    "last_login": {"en": "Last login (WIB)", "id": "Terakhir masuk (WIB)"},
    "created": {"en": "Created (WIB)", "id": "Dibuat (WIB)"},
    "account_new": {"en": "New account", "id": "Akun baru"},
    "account_create": {"en": "Create the account", "id": "Buat akun"},
    "account_created": {"en": "Account {name} ({role}) created.", "id": "Akun {name} ({role}) sudah dibuat."},
    "account_manage": {"en": "Change an account", "id": "Ubah akun"},
    "account_set_role": {"en": "Save the role", "id": "Simpan peran"},
    "account_set_password": {"en": "Set the password", "id": "Tetapkan kata sandi"},
    "account_disable": {"en": "Disable the account", "id": "Nonaktifkan akun"},
    "account_enable": {"en": "Enable the account", "id": "Aktifkan akun"},
    "account_saved": {"en": "Saved.", "id": "Tersimpan."},
    "audit_user": {"en": "User", "id": "Pengguna"},
    "audit_action": {"en": "Action", "id": "Tindakan"},
    "audit_search": {"en": "Search", "id": "Cari"},
    "audit_count": {"en": "{shown} of {total} entries, newest first.", "id": "{shown} dari {total} entri, terbaru di atas."},
    "download_csv": {"en": "Download CSV", "id": "Unduh CSV"},
    "download_table_csv": {"en": "CSV", "id": "CSV"},
    "download_table_xlsx": {"en": "Excel", "id": "Excel"},
    "download_table_html": {"en": "Print (HTML)", "id": "Cetak (HTML)"},
    "download_table_of": {"en": "Download: {title}", "id": "Unduh: {title}"},
    "store_quarantine_note": {
        "en": "{n} unreadable or foreign file(s) were set aside in the tables' _quarantine/ folders (nothing was deleted). Run `python -m survey.check` for the details; the audit log names each file.",
        "id": "{n} berkas yang tidak terbaca atau asing dipindahkan ke folder _quarantine/ tabelnya (tidak ada yang dihapus). Jalankan `python -m survey.check` untuk rinciannya; log audit menyebut setiap berkas.",
    },
    "odk_anonymous_help": {
        "en": "Anonymous submission: a questionnaire switched on here can be downloaded and sent from ODK Collect or KoboCollect without an account (server URL https://HOST/odk/public; the enumerator is recorded as “anonymous”). Everything else still needs an account. Every change is in the audit log.",
        "id": "Kiriman anonim: kuesioner yang diaktifkan di sini dapat diunduh dan dikirim dari ODK Collect atau KoboCollect tanpa akun (URL server https://HOST/odk/public; pencacah dicatat sebagai “anonymous”). Selain itu tetap perlu akun. Setiap perubahan tercatat di log audit.",
    },
    "odk_anonymous_toggle": {"en": "Anonymous submission: {title} ({id})", "id": "Kiriman anonim: {title} ({id})"},
    "odk_anonymous_now_on": {"en": "Anonymous submission of {id} is on.", "id": "Kiriman anonim {id} aktif."},
    "odk_anonymous_now_off": {"en": "Anonymous submission of {id} is off.", "id": "Kiriman anonim {id} nonaktif."},
    "odk_anonymous_failed": {"en": "The setting could not be saved: {error}",
                             "id": "Pengaturan tidak dapat disimpan: {error}"},
    # ---- my submissions and corrections
    "count_today": {"en": "Submitted today", "id": "Dikirim hari ini"},
    "count_week": {"en": "Last {days} days", "id": "{days} hari terakhir"},
    "correct_title": {"en": "Correct an interview", "id": "Perbaiki wawancara"},
    "correct_none": {
        "en": "No interview can be corrected: every one has been reviewed by a supervisor.",
        "id": "Tidak ada wawancara yang dapat diperbaiki: semuanya sudah diperiksa pengawas.",
    },
    "correct_choose": {"en": "Interview not yet reviewed", "id": "Wawancara yang belum diperiksa"},
    "correct_open": {"en": "Open it for a correction", "id": "Buka untuk diperbaiki"},
    "correct_closed": {
        "en": "This interview can no longer be corrected here: a supervisor has reviewed it, or it changed meanwhile.",
        "id": "Wawancara ini tidak dapat diperbaiki lagi di sini: pengawas sudah memeriksanya, atau wawancara berubah sementara itu.",
    },
    "correct_note": {"en": "corrected by the enumerator", "id": "diperbaiki oleh pencacah"},
    "correcting": {
        "en": "Correcting interview {rid} (revision {revision}). Submitting stores a new revision of it.",
        "id": "Memperbaiki wawancara {rid} (revisi {revision}). Mengirim menyimpan revisi barunya.",
    },
    "correct_cancel": {"en": "Stop correcting (nothing is saved)", "id": "Batal memperbaiki (tidak disimpan)"},
    "submit_correction": {"en": "Save the correction", "id": "Simpan perbaikan"},
    "corrected": {
        "en": "Correction saved as revision {revision}. Response ID: {rid}",
        "id": "Perbaikan tersimpan sebagai revisi {revision}. ID respons: {rid}",
    },
    # ---- the entry form in steps (issue 11)
    "progress": {"en": "Section {i} of {n}", "id": "Bagian {i} dari {n}"},
    "previous_step": {"en": "Back", "id": "Kembali"},
    "next_step": {"en": "Next", "id": "Lanjut"},
    "member_named": {"en": "Member {i}: {name}", "id": "Anggota {i}: {name}"},
    "roster_steps": {
        "en": "The next {n} step(s) ask about each {label}, one at a time.",
        "id": "{n} langkah berikutnya menanyakan setiap {label}, satu per satu.",
    },
    "choose_first": {"en": "Choose the {what} first", "id": "Pilih {what} dulu"},
    "choose_some": {"en": "Choose…", "id": "Pilih…"},
    "ended_here": {
        "en": "The interview ends here: the questions after this one are not asked. Go on to the review to submit it.",
        "id": "Wawancara berakhir di sini: pertanyaan sesudahnya tidak ditanyakan. Lanjutkan ke pemeriksaan untuk mengirimnya.",
    },
    "ended_review": {
        "en": "The interview ended at “{question}”: it is stored as a short record (a refusal or a visit without an interview).",
        "id": "Wawancara berakhir pada “{question}”: disimpan sebagai catatan singkat (penolakan atau kunjungan tanpa wawancara).",
    },
    "review_title": {"en": "Review and submit", "id": "Periksa dan kirim"},
    "review_problems": {
        "en": "{n} answer(s) are missing or need correcting, by section:",
        "id": "{n} jawaban belum diisi atau perlu diperbaiki, menurut bagian:",
    },
    "review_ok": {
        "en": "Every answer is complete. Submit the interview.",
        "id": "Semua jawaban sudah lengkap. Kirim wawancara.",
    },
    "review_goto": {"en": "Open this section", "id": "Buka bagian ini"},
    "interview_menu": {"en": "This interview", "id": "Wawancara ini"},
    "set_aside": {"en": "Keep this interview for later and start another", "id": "Simpan wawancara ini untuk nanti dan mulai yang lain"},
    "discard_menu": {"en": "Discard this interview", "id": "Buang wawancara ini"},
    "discard_warning": {
        "en": "Its answers are deleted and cannot be brought back.",
        "id": "Jawabannya dihapus dan tidak dapat dikembalikan.",
    },
    "discard_draft": {"en": "Yes, discard it", "id": "Ya, buang"},
    "discarded": {"en": "The interview was discarded.", "id": "Wawancara sudah dibuang."},
    "draft_restored": {
        "en": "Your interview in progress is back as you left it (saved {time}).",
        "id": "Wawancara yang sedang berjalan kembali seperti saat ditinggalkan (tersimpan {time}).",
    },
    "draft_started_in": {
        "en": "This draft was started in {language}.",
        "id": "Draf ini dimulai dalam {language}.",
    },
    "draft_switch_lang": {"en": "Switch to {language}", "id": "Ganti ke {language}"},
    "language_en": {"en": "English", "id": "bahasa Inggris"},      # a language named inside a sentence
    "language_id": {"en": "Indonesian", "id": "bahasa Indonesia"},
    "drafts_title": {"en": "Interviews in progress ({n})", "id": "Wawancara yang sedang berjalan ({n})"},
    "drafts_pick": {
        "en": "Continue one of these; the one on screen stays saved too.",
        "id": "Lanjutkan salah satu; wawancara yang sedang tampil juga tetap tersimpan.",
    },
    "draft_saved_at": {"en": "saved {time}", "id": "tersimpan {time}"},
    "draft_at_step": {"en": "at “{step}”", "id": "di “{step}”"},
    "draft_stale": {
        "en": "more than 30 days old: continue it or discard it",
        "id": "lebih dari 30 hari: lanjutkan atau buang",
    },
    "draft_correction": {"en": "correction of {rid}", "id": "perbaikan {rid}"},
    "draft_empty": {"en": "no answers yet", "id": "belum ada jawaban"},
    "draft_resume": {"en": "Continue", "id": "Lanjutkan"},
    "draft_unsaved": {
        "en": "Your last change could not be kept as a draft on the server ({error}). It is still on this screen; tell the supervisor.",
        "id": "Perubahan terakhir tidak dapat disimpan sebagai draf di server ({error}). Isian masih ada di layar ini; beri tahu pengawas.",
    },
    "drafts_set_aside": {
        "en": "{n} interview(s) in progress could not be read back (the draft file is damaged) and were set aside in the data folder's drafts_aside. They cannot be resumed here; tell the supervisor.",
        "id": "{n} wawancara yang sedang berjalan tidak dapat dibaca kembali (berkas drafnya rusak) dan disisihkan ke folder drafts_aside di folder data. Wawancara itu tidak dapat dilanjutkan di sini; beri tahu pengawas.",
    },
    "draft_disk_full": {
        "en": "The server's disk is full, so your last change could not be kept as a draft. Your answers are still on this screen; do not close it, and tell the supervisor.",
        "id": "Disk server penuh, sehingga perubahan terakhir tidak dapat disimpan sebagai draf. Jawaban Anda masih ada di layar ini; jangan ditutup, dan beri tahu pengawas.",
    },
    "draft_too_large": {
        "en": "This interview is too large to keep as a draft (over {bytes} kB): an answer is far longer than the form allows. It is still on this screen; shorten the long answer.",
        "id": "Wawancara ini terlalu besar untuk disimpan sebagai draf (lebih dari {bytes} kB): ada jawaban yang jauh lebih panjang dari yang diizinkan formulir. Isian masih ada di layar ini; perpendek jawaban yang panjang itu.",
    },
    "gps_button": {"en": "Use my location", "id": "Pakai lokasi saya"},
    "gps_waiting": {
        "en": "Finding the location… stay outside, away from tall walls.",
        "id": "Mencari lokasi… tetap di luar ruangan, jauh dari dinding tinggi.",
    },
    "gps_insecure": {
        "en": "This browser gives the location only over HTTPS (or on the server's own computer). Type it below.",
        "id": "Peramban ini hanya memberi lokasi lewat HTTPS (atau di komputer server sendiri). Ketik lokasinya di bawah.",
    },
    "gps_denied": {
        "en": "The location permission was refused. Allow it in the browser's site settings, or type the location below.",
        "id": "Izin lokasi ditolak. Izinkan di pengaturan situs peramban, atau ketik lokasinya di bawah.",
    },
    "gps_unavailable": {
        "en": "The phone has no location fix now. Try again outside, or type the location below.",
        "id": "Ponsel belum mendapat lokasi. Coba lagi di luar ruangan, atau ketik lokasinya di bawah.",
    },
    "gps_timeout": {
        "en": "No location within 30 seconds. Try again outside, or type it below.",
        "id": "Lokasi tidak didapat dalam 30 detik. Coba lagi di luar ruangan, atau ketik di bawah.",
    },
    "gps_failed": {
        "en": "The location could not be read. Type it below.",
        "id": "Lokasi tidak dapat dibaca. Ketik lokasinya di bawah.",
    },
    "gps_accuracy": {"en": "Accuracy: ± {metres} m", "id": "Akurasi: ± {metres} m"},
    "gps_outside": {
        "en": "This point lies outside Kota Surakarta: check it.",
        "id": "Titik ini berada di luar Kota Surakarta: periksa lagi.",
    },
    "gps_not_used": {
        "en": "The phone's location ({point}) lies outside Kota Surakarta, so it was not used. Try again, or type the location.",
        "id": "Lokasi dari ponsel ({point}) berada di luar Kota Surakarta, sehingga tidak dipakai. Coba lagi, atau ketik lokasinya.",
    },
    "gps_poor": {
        "en": "The location is imprecise (± {metres} m). Try again outside if you can.",
        "id": "Lokasi kurang tepat (± {metres} m). Coba lagi di luar ruangan bila bisa.",
    },
    "offline_page": {
        "en": "The connection to the server is lost. Keep this page open: it reconnects by itself. If it does not, reload the page and log in again.",
        "id": "Koneksi ke server terputus. Biarkan halaman ini terbuka: koneksi tersambung lagi dengan sendirinya. Bila tidak, muat ulang halaman dan masuk lagi.",
    },
    "offline": {
        "en": "The connection to the server is lost. Everything up to your last change is saved on the server. Keep this page open: it reconnects by itself, then carry on. If it does not, reload the page and log in again: the interview comes back where you left it.",
        "id": "Koneksi ke server terputus. Semua isian sampai perubahan terakhir sudah tersimpan di server. Biarkan halaman ini terbuka: koneksi tersambung lagi dengan sendirinya, lalu lanjutkan. Bila tidak, muat ulang halaman dan masuk lagi: wawancara kembali ke posisi terakhir.",
    },
    # ---- exports
    "export_intro": {
        "en": "Each file is built when you press its button, in the language chosen here. Every export is recorded in the audit log under your name.",
        "id": "Setiap berkas dibuat saat tombolnya ditekan, dalam bahasa yang dipilih di sini. Setiap ekspor dicatat di log audit atas nama Anda.",
    },
    "export_lang": {"en": "Language of the files (labels and headings)", "id": "Bahasa berkas (label dan judul)"},
    "export_microdata": {"en": "Microdata", "id": "Data mikro"},
    "export_microdata_help": {
        "en": "One table, one row per record, with variable and value labels and the design's weights (the members file: the person weight). Names, phone numbers, addresses and GPS points are left out unless the file is identified.",
        "id": "Satu tabel, satu baris per catatan, dengan label variabel dan nilai serta bobot desain (berkas anggota: bobot orang). Nama, nomor telepon, alamat dan titik GPS tidak disertakan kecuali berkas beridentitas.",
    },
    "export_table": {"en": "Table", "id": "Tabel"},
    "export_table_rows": {"en": "{table} ({n} rows)", "id": "{table} ({n} baris)"},
    "export_format": {"en": "Format", "id": "Format"},
    "export_identified": {"en": "Identified file (with personal data)", "id": "Berkas beridentitas (dengan data pribadi)"},
    "export_identified_help": {
        "en": "Keeps the fields marked as personal data (names, phone, address, GPS). Only administrators may make it.",
        "id": "Menyertakan isian yang ditandai sebagai data pribadi (nama, telepon, alamat, GPS). Hanya administrator yang boleh membuatnya.",
    },
    "export_identified_warning": {
        "en": "This file identifies people. Keep it on an encrypted drive and share it only as the study's data protection plan allows.",
        "id": "Berkas ini mengenali orang. Simpan di penyimpanan terenkripsi dan bagikan hanya sesuai rencana perlindungan data penelitian.",
    },
    "export_deidentified_only": {
        "en": "Files are de-identified: personal data are left out (identified files are for administrators).",
        "id": "Berkas tanpa identitas: data pribadi tidak disertakan (berkas beridentitas hanya untuk administrator).",
    },
    "export_replicate": {"en": "Design variables in the file", "id": "Variabel desain dalam berkas"},
    "export_replicate_none": {"en": "Strata and PSU (as collected)", "id": "Strata dan PSU (seperti dikumpulkan)"},
    "export_replicate_method": {"en": "Replicate weights ({method}) instead of strata and PSU",
                                "id": "Bobot replikasi ({method}) sebagai ganti strata dan PSU"},
    "export_replicate_help": {
        "en": "Statistics offices publish replicate weights instead of the PSU and strata codes, which can point to small areas. The file then carries repw_01, repw_02, ...; the codebook (made with the same choice) gives the method, scale and R's svrepdesign call. Only for de-identified files.",
        "id": "Kantor statistik menerbitkan bobot replikasi sebagai ganti kode PSU dan strata, yang dapat menunjuk wilayah kecil. Berkas lalu memuat repw_01, repw_02, ...; buku kode (dibuat dengan pilihan yang sama) memuat metode, scale dan perintah svrepdesign di R. Hanya untuk berkas tanpa identitas.",
    },
    "export_download": {"en": "Download {name}", "id": "Unduh {name}"},
    "api_tokens": {"en": "API tokens", "id": "Token API"},
    "api_tokens_intro": {
        "en": "A token lets Excel, Power BI, R or a script fetch the tables from /api/v1/ with your role (de-identified unless an administrator asks for identified rows). Send it as 'Authorization: Bearer TOKEN', or as the password when a tool asks for a user name and password. Every request is in the audit log.",
        "id": "Token memungkinkan Excel, Power BI, R atau skrip mengambil tabel dari /api/v1/ dengan peran Anda (tanpa identitas kecuali administrator meminta baris beridentitas). Kirim sebagai 'Authorization: Bearer TOKEN', atau sebagai kata sandi bila alat meminta nama pengguna dan kata sandi. Setiap permintaan dicatat di log audit.",
    },
    "api_tokens_all": {"en": "API tokens of every account", "id": "Token API semua akun"},
    "api_tokens_none": {"en": "No API token yet.", "id": "Belum ada token API."},
    "api_token_label": {"en": "What the token is for (e.g. Power BI)", "id": "Kegunaan token (mis. Power BI)"},
    "api_token_create": {"en": "Create a token", "id": "Buat token"},
    "api_token_created": {"en": "Created", "id": "Dibuat"},
    "api_token_shown_once": {
        "en": "Copy the token now: it is shown only this once (only its hash is kept).",
        "id": "Salin token sekarang: token hanya ditampilkan sekali ini (hanya hash-nya yang disimpan).",
    },
    "api_token_pick": {"en": "Token", "id": "Token"},
    "api_token_revoke": {"en": "Revoke the token", "id": "Cabut token"},
    "export_building": {"en": "Building the file…", "id": "Membuat berkas…"},
    "export_done": {
        "en": "{name} ({size} bytes) was built and recorded in the audit log.",
        "id": "{name} ({size} byte) sudah dibuat dan dicatat di log audit.",
    },
    "export_still_building": {
        "en": "The file is still being built; the download starts when it is ready.",
        "id": "Berkas masih dibuat; unduhan dimulai setelah siap.",
    },
    "export_codebook": {"en": "Codebook", "id": "Buku kode"},
    "export_codebook_help": {
        "en": "Every variable of a questionnaire's files: labels in both languages, type, values, skip logic, constraints, weights and the personal-data flag.",
        "id": "Setiap variabel berkas kuesioner: label dalam dua bahasa, jenis, nilai, logika lompatan, batasan, bobot, dan tanda data pribadi.",
    },
    "export_xlsform": {"en": "XLSForm (ODK, KoboToolbox)", "id": "XLSForm (ODK, KoboToolbox)"},
    "export_xlsform_help": {
        "en": "The questionnaire as an XLSForm, to collect the same interviews with ODK Collect or KoboCollect.",
        "id": "Kuesioner sebagai XLSForm, untuk mengumpulkan wawancara yang sama dengan ODK Collect atau KoboCollect.",
    },
    "export_report": {"en": "Indicator report", "id": "Laporan indikator"},
    "export_report_help": {
        "en": "Every indicator table the data allow (households: ITU HH1-HH18; civil servants and agencies: e-government), with reliability marks and notes; the HTML has the charts.",
        "id": "Setiap tabel indikator yang dimungkinkan data (rumah tangga: ITU HH1-HH18; ASN dan perangkat daerah: e-government), dengan tanda keandalan dan catatan; HTML memuat grafiknya.",
    },
    # ---- the analysis pages
    "question": {"en": "Question", "id": "Pertanyaan"},
    "breakdown": {"en": "Break down by", "id": "Rinci menurut"},
    "breakdown_none": {"en": "(no breakdown)", "id": "(tanpa rincian)"},
    "by_kelurahan_model": {"en": "Kelurahan (model-based)", "id": "Kelurahan (berbasis model)"},
    "kelurahan_model_out_of_core": {
        "en": "The model-based estimates by kelurahan are not available past {rows} rows: they need the data in "
              "memory, and past that size the analysis pages compute out of core.",
        "id": "Estimasi berbasis model per kelurahan tidak tersedia di atas {rows} baris: estimasi itu memerlukan "
              "data di dalam memori, dan di atas ukuran itu halaman analisis menghitung di luar memori.",
    },
    "kelurahan_benchmark": {"en": "Benchmark to the city", "id": "Benchmark ke kota"},
    "kelurahan_benchmark_help": {
        "en": "Scale the model-based estimates so that their average, weighted by households, equals the city's direct estimate.",
        "id": "Skalakan estimasi berbasis model agar rata-ratanya, berbobot rumah tangga, sama dengan estimasi langsung kota.",
    },
    "kelurahan_indicator": {"en": "Indicator", "id": "Indikator"},
    "model_header": {"en": "Regression model", "id": "Model regresi"},
    "model_intro": {
        "en": "Fit a linear model (a number as outcome) or a logistic model (a choice as outcome) weighted by the design, on the responses in the filters.",
        "id": "Pasang model linear (hasil berupa angka) atau model logistik (hasil berupa pilihan) berbobot desain, pada respons dalam filter.",
    },
    "model_outcome": {"en": "Outcome", "id": "Variabel hasil"},
    "model_outcome_none": {"en": "(no model)", "id": "(tanpa model)"},
    "model_choice": {"en": "Modelled answer (logistic: this answer = 1)", "id": "Jawaban yang dimodelkan (logistik: jawaban ini = 1)"},
    "model_predictors": {"en": "Predictors", "id": "Variabel penjelas"},
    "model_predictors_placeholder": {"en": "Choose one or more questions", "id": "Pilih satu pertanyaan atau lebih"},
    "model_choose_predictors": {"en": "Choose at least one predictor to fit the model.", "id": "Pilih sedikitnya satu variabel penjelas untuk memasang model."},
    "model_failed": {"en": "The model cannot be fitted: {detail}", "id": "Model tidak dapat dipasang: {detail}"},
    "weighted": {"en": "Weighted estimates", "id": "Estimasi berbobot"},
    "weighted_help": {
        "en": "Off: every response counts the same (same strata and clusters), to compare with the weighted estimates.",
        "id": "Mati: setiap respons dihitung sama (strata dan klaster tetap), untuk dibandingkan dengan estimasi berbobot.",
    },
    "design_in_force": {"en": "Design: {design}. Weights: {weights}.", "id": "Desain: {design}. Bobot: {weights}."},
    "filters": {"en": "Filters", "id": "Filter"},
    "filter_all": {"en": "All", "id": "Semua"},
    "filter_days": {"en": "Submitted between (WIB)", "id": "Dikirim antara (WIB)"},
    "filter_days_help": {
        "en": "Leave empty for every day; choose a first and a last day.",
        "id": "Kosongkan untuk semua hari; pilih hari pertama dan terakhir.",
    },
    "filter_enumerators": {"en": "Enumerators", "id": "Pencacah"},
    "filter_statuses": {"en": "Review status", "id": "Status pemeriksaan"},
    "filter_statuses_help": {
        "en": "Rejected interviews are never counted.",
        "id": "Wawancara yang ditolak tidak pernah dihitung.",
    },
    "no_data": {
        "en": "No interviews yet. Enumerators enter them on the page \"Enter an interview\"; for a demonstration, load a simulated sample with `python -m survey.simulate --households 500 --out data` (into the data folder the app uses).",
        "id": "Belum ada wawancara. Pencacah mengisinya di halaman \"Isi wawancara\"; untuk demonstrasi, muat sampel simulasi dengan `python -m survey.simulate --households 500 --out data` (ke folder data yang dipakai aplikasi).",
    },
    "no_data_in_filter": {
        "en": "No interview matches these filters. Widen them (an empty filter means all).",
        "id": "Tidak ada wawancara yang sesuai dengan filter ini. Perluas filternya (filter kosong berarti semua).",
    },
    "no_answers": {
        "en": "Nobody has answered this question yet in these interviews (it may be asked of only some).",
        "id": "Belum ada yang menjawab pertanyaan ini pada wawancara tersebut (mungkin hanya ditanyakan kepada sebagian).",
    },
    "out_of_core_in_memory": {
        "en": "Computed in memory: past {rows} rows the analysis pages compute out of core (DuckDB), but not {why} yet.",
        "id": "Dihitung di dalam memori: di atas {rows} baris halaman analisis menghitung di luar memori (DuckDB), "
              "tetapi belum untuk {why}.",
    },
    "out_of_core_weights_in_memory": {
        "en": "The design and weights were computed in memory: past {rows} rows the analysis pages compute them "
              "out of core (DuckDB), but not {why} yet.",
        "id": "Desain dan bobot dihitung di dalam memori: di atas {rows} baris halaman analisis menghitungnya di "
              "luar memori (DuckDB), tetapi belum untuk {why}.",
    },
    "ooc_why_census": {"en": "a census", "id": "sensus"},
    "ooc_why_counts": {"en": "base weights from another questionnaire's counts",
                       "id": "bobot dasar dari hitungan kuesioner lain"},
    "ooc_why_raking": {"en": "a raking that does not converge or whose margins count different totals",
                       "id": "raking yang tidak konvergen atau yang marginnya berjumlah total berbeda"},
    "ooc_why_design": {"en": "this design or its files (see the notes on the weights)",
                       "id": "desain ini atau berkasnya (lihat catatan tentang bobot)"},
    "ooc_why_table": {"en": "this table", "id": "tabel ini"},
    "ooc_why_model": {"en": "a model with nearly collinear terms or a separated outcome",
                      "id": "model dengan suku yang hampir kolinear atau hasil yang terpisah sempurna"},
    "sources": {"en": "Sources, design and weights", "id": "Sumber, desain dan bobot"},
    "computing": {
        "en": "Reading the interviews and computing the estimates…",
        "id": "Membaca wawancara dan menghitung estimasi…",
    },
    # ---- cross-tabulation
    "crosstab_row": {"en": "Rows", "id": "Baris"},
    "crosstab_col": {"en": "Columns", "id": "Kolom"},
    "crosstab_layer": {"en": "Layer (one table per category)", "id": "Lapisan (satu tabel per kategori)"},
    "crosstab_percent": {"en": "Percent of", "id": "Persen dari"},
    "percent_row": {"en": "each row", "id": "setiap baris"},
    "percent_col": {"en": "each column", "id": "setiap kolom"},
    "percent_total": {"en": "the total", "id": "total"},
    "crosstab_chart": {"en": "Chart", "id": "Grafik"},
    "chart_grouped": {"en": "Grouped bars", "id": "Batang berkelompok"},
    "chart_stacked": {"en": "Stacked bars", "id": "Batang bertumpuk"},
    "chart_heatmap": {"en": "Heatmap", "id": "Peta panas"},
    "cramers_help": {
        "en": "0 = no association, 1 = complete association.",
        "id": "0 = tidak ada hubungan, 1 = hubungan sempurna.",
    },
    "crosstab_too_few": {
        "en": "This questionnaire has fewer than two choice questions to cross-tabulate.",
        "id": "Kuesioner ini memiliki kurang dari dua pertanyaan pilihan untuk ditabulasi silang.",
    },
    # ---- indicators
    "indicator_section": {"en": "Indicators", "id": "Indikator"},
    "no_data_for": {"en": "{title}: no interviews yet.", "id": "{title}: belum ada wawancara."},
    "city_stage": {"en": "The city's e-government stage", "id": "Tahap e-government kota"},
    "city_stage_help": {
        "en": "The median agency's stage: the highest stage more than half of the {n} agencies have reached.",
        "id": "Tahap perangkat daerah median: tahap tertinggi yang dicapai lebih dari separuh dari {n} perangkat daerah.",
    },
    "website_evidence": {"en": "The agencies' websites", "id": "Situs web perangkat daerah"},
    "website_none": {
        "en": "No website has been checked yet: an administrator starts the check here, or on the server: "
              "python -m survey.webcheck",
        "id": "Belum ada situs web yang diperiksa: administrator memulai pemeriksaan di sini, atau di server: "
              "python -m survey.webcheck",
    },
    "website_disagreements": {
        "en": "{n} answer(s) and websites disagree:",
        "id": "{n} jawaban tidak sesuai dengan situs web:",
    },
    "website_agree": {"en": "Every answer checked agrees with its website.",
                      "id": "Semua jawaban yang diperiksa sesuai dengan situs webnya."},
    "webcheck_run": {"en": "Check the agencies' websites now", "id": "Periksa situs web perangkat daerah sekarang"},
    "webcheck_help": {
        "en": "Visits each agency's website address (at most 30 pages each, robots.txt respected, one request a "
              "second) in the background; the page stays usable.",
        "id": "Mengunjungi alamat situs web setiap perangkat daerah (paling banyak 30 halaman per situs, robots.txt "
              "dipatuhi, satu permintaan per detik) di latar belakang; halaman tetap dapat dipakai.",
    },
    "webcheck_running": {"en": "Checking {url} ({done} of {total} websites)",
                         "id": "Memeriksa {url} ({done} dari {total} situs web)"},
    "webcheck_starting": {"en": "Starting the website check", "id": "Memulai pemeriksaan situs web"},
    "webcheck_done": {"en": "{n} website(s) checked.", "id": "{n} situs web diperiksa."},
    "webcheck_no_addresses": {"en": "No agency has given a website address yet.",
                              "id": "Belum ada perangkat daerah yang memberikan alamat situs web."},
    "webcheck_failed": {"en": "The website check stopped: {error}", "id": "Pemeriksaan situs web berhenti: {error}"},
    "leadership_index": {"en": "Leadership commitment index (0-100), all", "id": "Indeks komitmen pimpinan (0-100), semua"},
    "cronbach_alpha": {"en": "Cronbach's alpha", "id": "Alfa Cronbach"},
    "cronbach_help": {
        "en": "How consistently the six leadership items measure one thing; 0.7 or more is usually taken as acceptable.",
        "id": "Seberapa konsisten enam butir kepemimpinan mengukur satu hal; 0,7 atau lebih umumnya dianggap memadai.",
    },
    # ---- website traffic (issue 16)
    "traffic_privacy": {
        "en": "Privacy: raw IP addresses are never stored. Each request keeps only a keyed hash of the address and "
              "the browser (salted per data folder), its country and its device class; bad-line examples are shown "
              "with the addresses masked. IP addresses are personal data under Indonesia's personal data "
              "protection law (UU 27/2022).",
        "id": "Privasi: alamat IP mentah tidak pernah disimpan. Setiap permintaan hanya menyimpan hash berkunci dari "
              "alamat dan peramban (dengan salt per folder data), negaranya dan kelas perangkatnya; contoh baris "
              "rusak ditampilkan dengan alamat disamarkan. Alamat IP adalah data pribadi menurut UU 27/2022 tentang "
              "Pelindungan Data Pribadi.",
    },
    "traffic_none": {
        "en": "No web server logs have been imported yet. Import them below or with "
              "python -m survey.traffic import FILE...",
        "id": "Belum ada log server web yang diimpor. Impor di bawah ini atau dengan "
              "python -m survey.traffic import FILE...",
    },
    "traffic_none_ask_admin": {
        "en": "No web server logs have been imported yet. An administrator imports them on this page or with "
              "python -m survey.traffic import FILE...",
        "id": "Belum ada log server web yang diimpor. Administrator mengimpornya di halaman ini atau dengan "
              "python -m survey.traffic import FILE...",
    },
    "traffic_period": {"en": "Period (WIB days)", "id": "Periode (hari WIB)"},
    "traffic_host": {"en": "Host", "id": "Situs"},
    "traffic_all_hosts": {"en": "All hosts", "id": "Semua situs"},
    "traffic_empty_period": {"en": "No request in this period for this host.",
                             "id": "Tidak ada permintaan pada periode ini untuk situs ini."},
    "traffic_pageviews": {"en": "Page views", "id": "Tampilan halaman"},
    "traffic_visits": {"en": "Visits", "id": "Kunjungan"},
    "traffic_visitors_month": {"en": "Visitors per month", "id": "Pengunjung per bulan"},
    "traffic_visitors_help": {
        "en": "The average over the period's months. Devices and browsers, not people; {share} of the {persons} "
              "residents in population.csv, but many visitors are not from the city.",
        "id": "Rata-rata atas bulan-bulan dalam periode. Perangkat dan peramban, bukan orang; {share} dari {persons} "
              "penduduk menurut population.csv, tetapi banyak pengunjung bukan dari kota.",
    },
    "traffic_visitors_help_plain": {"en": "The average over the period's months. Devices and browsers, not people.",
                                    "id": "Rata-rata atas bulan-bulan dalam periode. Perangkat dan peramban, bukan "
                                          "orang."},
    "traffic_bot_requests": {"en": "Bot requests (left out)", "id": "Permintaan bot (tidak dihitung)"},
    "traffic_study_title": {
        "en": "The study's table: visitors per month, visitors by country, the most visited hosts",
        "id": "Tabel studi: pengunjung per bulan, pengunjung menurut negara, situs yang paling banyak dikunjungi",
    },
    "traffic_mobile_title": {
        "en": "From electronic to mobile government: devices month by month",
        "id": "Dari pemerintahan elektronik ke pemerintahan bergerak: perangkat per bulan",
    },
    "traffic_documents_title": {"en": "Downloads (the Interactive stage)", "id": "Unduhan (tahap Interactive)"},
    "traffic_summary_title": {"en": "All counts, with what they mean", "id": "Semua hitungan, beserta artinya"},
    "traffic_import_title": {"en": "Import access logs", "id": "Impor log akses"},
    "traffic_import_about": {
        "en": "Apache/Nginx access logs (combined, vhost_combined; plain or .gz), JSON lines logs, Matomo's visits "
              "export or a GA4 CSV export. The format is detected; a file imported twice, or a rotated log that "
              "overlaps the previous one, adds nothing. Logs of more than a few hundred megabytes: python -m "
              "survey.traffic import on the server.",
        "id": "Log akses Apache/Nginx (combined, vhost_combined; biasa atau .gz), log JSON lines, ekspor kunjungan "
              "Matomo atau ekspor CSV GA4. Formatnya dikenali otomatis; berkas yang diimpor dua kali, atau log "
              "rotasi yang tumpang tindih dengan sebelumnya, tidak menambah apa pun. Log lebih dari beberapa ratus "
              "megabita: python -m survey.traffic import di server.",
    },
    "traffic_file": {"en": "A log file", "id": "Berkas log"},
    "traffic_format": {"en": "Format", "id": "Format"},
    "traffic_format_auto": {"en": "Detect it", "id": "Kenali otomatis"},
    "traffic_host_name": {
        "en": "Host, for a log without the host in its lines or its name (optional)",
        "id": "Situs, untuk log tanpa nama situs di baris atau nama berkasnya (opsional)",
    },
    "traffic_import": {"en": "Import", "id": "Impor"},
    "traffic_choose_file": {"en": "Choose a log file first.", "id": "Pilih berkas log terlebih dahulu."},
    "traffic_imported": {
        "en": "{file} ({format}): {added} request(s) added, {present} already stored, {bad} bad line(s).",
        "id": "{file} ({format}): {added} permintaan ditambahkan, {present} sudah tersimpan, {bad} baris rusak.",
    },
    "traffic_refused": {
        "en": "{file} was refused and nothing was imported: no line could be read. Check the file, or choose its "
              "format.",
        "id": "{file} ditolak dan tidak ada yang diimpor: tidak ada baris yang terbaca. Periksa berkasnya, atau "
              "pilih formatnya.",
    },
    "traffic_failed": {
        "en": "The import could not be finished ({error}). Once the server is fixed, import the same file again: "
              "it adds only what is missing.",
        "id": "Impor tidak dapat diselesaikan ({error}). Setelah server diperbaiki, impor lagi berkas yang sama: "
              "hanya yang belum ada yang ditambahkan.",
    },
    "traffic_bad_examples": {"en": "Bad lines (examples; addresses masked)",
                             "id": "Baris rusak (contoh; alamat disamarkan)"},
    "traffic_history_title": {"en": "What each import added", "id": "Yang ditambahkan setiap impor"},
    "traffic_history_none": {"en": "No import yet.", "id": "Belum ada impor."},
    # ---- sampling design
    "design_in_force_title": {"en": "The design in force", "id": "Desain yang berlaku"},
    "design_weights_of": {"en": "Weights ({table}): {weights}", "id": "Bobot ({table}): {weights}"},
    "design_part": {"en": "Part of the design", "id": "Bagian desain"},
    "design_value": {"en": "In this questionnaire", "id": "Pada kuesioner ini"},
    "design_strata": {"en": "Strata", "id": "Strata"},
    "design_psu": {"en": "Primary sampling units (PSU)", "id": "Unit sampel primer (PSU)"},
    "design_fpc": {"en": "Finite population correction", "id": "Koreksi populasi terhingga"},
    "design_fpc_counts": {"en": "from the population counts", "id": "dari jumlah populasi"},
    "design_fpc_stages": {"en": "at both stages, from frame.csv", "id": "pada kedua tahap, dari frame.csv"},
    "design_stages": {"en": "Stages of sampling", "id": "Tahap penarikan sampel"},
    "design_stages_one": {
        "en": "one: {units} (the variance of the PSU totals, R's ultimate cluster)",
        "id": "satu: {units} (varians dari total PSU, ultimate cluster R)",
    },
    "design_stages_two": {
        "en": "two: {units}, then households; fpc at both stages (frame.csv: psus_in_stratum, "
              "households_in_psu), variance by R's svyrecvar recursion",
        "id": "dua: {units}, lalu rumah tangga; koreksi populasi terhingga pada kedua tahap (frame.csv: "
              "psus_in_stratum, households_in_psu), varians dengan rekursi svyrecvar R",
    },
    "design_within": {"en": "{psu} within {strata}", "id": "{psu} dalam {strata}"},
    "design_lonely": {"en": "A stratum with one PSU", "id": "Stratum dengan satu PSU"},
    "lonely_fail": {"en": "an error (R: fail)", "id": "galat (R: fail)"},
    "lonely_adjust": {"en": "centred at zero, not at a mean (R: adjust)",
                      "id": "dipusatkan pada nol, bukan pada rata-rata (R: adjust)"},
    "lonely_average": {"en": "the average variance of the other strata (R: average)", "id": "rata-rata varians strata lain (R: average)"},
    "lonely_remove": {"en": "left out of the variance (R: remove)", "id": "tidak diikutkan dalam varians (R: remove)"},
    "design_base": {"en": "Base weights", "id": "Bobot dasar"},
    "base_none": {"en": "none (equal weights)", "id": "tidak ada (bobot sama)"},
    "base_frame": {"en": "from the sampling frame (frame.csv)", "id": "dari kerangka sampel (frame.csv)"},
    "base_counts": {
        "en": "population count per stratum from the '{instrument}' survey's {question}",
        "id": "jumlah populasi per stratum dari {question} pada survei '{instrument}'",
    },
    "design_calibrate": {"en": "Calibration", "id": "Kalibrasi"},
    "design_repeat": {"en": "Calibration of {name}", "id": "Kalibrasi {name}"},
    "design_poststratify": {
        "en": "post-stratified to the {unit} totals by {by} (population.csv)",
        "id": "pascastratifikasi ke total {unit} menurut {by} (population.csv)",
    },
    "design_rake": {
        "en": "raked to the {unit} totals by {by} (population.csv)",
        "id": "raking ke total {unit} menurut {by} (population.csv)",
    },
    "design_census": {"en": "Census of", "id": "Sensus atas"},
    "design_target_moe": {"en": "Target margin of error (percentage points)", "id": "Target batas galat (poin persen)"},
    "weights_range": {"en": "Weights, smallest to largest", "id": "Bobot, terkecil sampai terbesar"},
    "weights_ratio": {"en": "Largest / smallest weight", "id": "Bobot terbesar / terkecil"},
    "kish_deff": {"en": "Kish design effect of weighting", "id": "Efek desain pembobotan Kish"},
    "kish_help": {
        "en": "n·Σw² / (Σw)²: how much unequal weights alone inflate variances (1 = equal weights).",
        "id": "n·Σw² / (Σw)²: seberapa besar bobot yang tidak sama saja memperbesar varians (1 = bobot sama).",
    },
    "design_weighting_title": {"en": "Weighting summary", "id": "Ringkasan pembobotan"},
    "design_files_title": {"en": "The design's files", "id": "Berkas desain"},
    "design_frame_about": {
        "en": "the sampling frame: one row per sampled PSU with its stratum and selection probabilities.",
        "id": "kerangka sampel: satu baris per PSU terpilih dengan stratum dan peluang terpilihnya.",
    },
    "design_population_about": {
        "en": "population totals to calibrate the weights to (e.g. BPS's kecamatan × sex counts).",
        "id": "total populasi untuk kalibrasi bobot (mis. jumlah kecamatan × jenis kelamin dari BPS).",
    },
    "design_kelurahan_about": {
        "en": "one row per kelurahan with numbers known for every kelurahan (population, households, share with electricity... from the census or Podes): the auxiliaries of the kelurahan estimates' small-area model.",
        "id": "satu baris per kelurahan dengan angka yang diketahui untuk setiap kelurahan (penduduk, rumah tangga, persentase berlistrik... dari sensus atau Podes): variabel pendukung model area kecil untuk estimasi kelurahan.",
    },
    "upload_button": {"en": "Choose a file", "id": "Pilih berkas"},
    "upload_limit": {"en": "CSV, up to {mb} MB, or drop the file here", "id": "CSV, paling besar {mb} MB, atau letakkan berkasnya di sini"},
    "design_file_missing": {
        "en": "{file} is not in the data folder yet.",
        "id": "{file} belum ada di folder data.",
    },
    "design_file_present": {
        "en": "{file} in force: {rows} rows, saved {when}.",
        "id": "{file} yang berlaku: {rows} baris, disimpan {when}.",
    },
    "design_upload": {"en": "A new {file}", "id": "{file} baru"},
    "design_save": {"en": "Check and replace {file}", "id": "Periksa dan ganti {file}"},
    "design_saved": {
        "en": "{file} checked and replaced; the estimates use it from now on.",
        "id": "{file} sudah diperiksa dan diganti; estimasi memakainya mulai sekarang.",
    },
    "design_choose_file": {"en": "Choose a CSV file first.", "id": "Pilih berkas CSV terlebih dahulu."},
    "design_unchanged": {
        "en": "Nothing was changed: the {file} in force stays. Fix these problems and upload it again:",
        "id": "Tidak ada yang diubah: {file} yang berlaku tetap dipakai. Perbaiki masalah berikut lalu unggah lagi:",
    },
    "disk_full": {
        "en": "The server's disk is full, so the interview could not be saved. Your answers are kept on this screen: tell the supervisor, then press submit again.",
        "id": "Disk server penuh, sehingga wawancara tidak dapat disimpan. Jawaban Anda tetap ada di layar ini: beri tahu pengawas, lalu tekan kirim lagi.",
    },
    # ---- fieldwork monitor (issue 8)
    "monitor_refresh": {
        "en": "{sentence} WIB. The page refreshes itself every {seconds} s; rejected interviews are left out.",
        "id": "{sentence} WIB. Halaman diperbarui otomatis setiap {seconds} detik; wawancara yang ditolak tidak dihitung.",
    },
    "monitor_refresh_off": {
        "en": "{sentence} WIB. Rejected interviews are left out.",
        "id": "{sentence} WIB. Wawancara yang ditolak tidak dihitung.",
    },
    "monitor_downloads": {"en": "Download the monitor's tables (CSV, Excel, printable)",
                          "id": "Unduh tabel pemantauan (CSV, Excel, cetak)"},
    "monitor_empty": {
        "en": "No interviews yet for this questionnaire. Enumerators enter them on the entry page; for a demonstration, load a simulated field team: python -m survey.simulate --households 500 --outcomes --bad 3 --out data",
        "id": "Belum ada wawancara untuk kuesioner ini. Pencacah mengisinya di halaman isian; untuk demonstrasi, muat tim lapangan simulasi: python -m survey.simulate --households 500 --outcomes --bad 3 --out data",
    },
    "monitor_inbox": {
        "en": "{n} submission(s) from ODK Collect wait in the inbox: see the review page.",
        "id": "{n} kiriman dari ODK Collect menunggu di kotak masuk: lihat halaman pemeriksaan.",
    },
    "monitor_failed": {
        "en": "The monitor cannot read the store right now; it tries again at the next refresh. The log says why.",
        "id": "Pemantauan belum dapat membaca data; dicoba lagi pada pembaruan berikutnya. Log mencatat penyebabnya.",
    },
    "m_visits": {"en": "Visits", "id": "Kunjungan"},
    "m_complete": {"en": "Completed interviews", "id": "Wawancara selesai"},
    "m_rr": {"en": "Response rate", "id": "Tingkat respons"},
    "m_rr_help": {
        "en": "AAPOR RR1 of the households visited so far: completed / (completed + refusals + nobody home + other). Vacant or not found dwellings are not eligible. The Response rates tab also gives RR1 of the whole sample.",
        "id": "AAPOR RR1 dari rumah tangga yang sudah dikunjungi: selesai / (selesai + menolak + tidak ada orang + lainnya). Rumah kosong atau tidak ditemukan tidak layak. Tab Tingkat respons juga memberi RR1 seluruh sampel.",
    },
    "m_flagged": {"en": "Flagged interviews", "id": "Wawancara ditandai"},
    "m_approved": {"en": "Approved", "id": "Disetujui"},
    "m_waiting": {"en": "Waiting for review", "id": "Menunggu pemeriksaan"},
    "m_rejected": {"en": "Rejected, back to enumerators", "id": "Ditolak, kembali ke pencacah"},
    "tab_progress": {"en": "Progress", "id": "Kemajuan"},
    "tab_rates": {"en": "Response rates", "id": "Tingkat respons"},
    "tab_quality": {"en": "Quality", "id": "Kualitas"},
    "tab_precision": {"en": "Precision", "id": "Presisi"},
    "per_day_title": {"en": "Visits per day, by outcome", "id": "Kunjungan per hari, menurut hasil"},
    "per_day_note": {
        "en": "The day is the interview date answered (else the day it was submitted).",
        "id": "Hari adalah tanggal wawancara yang diisi (bila tidak ada, hari dikirim).",
    },
    "area_title": {"en": "Against the sample's targets", "id": "Dibandingkan target sampel"},
    "area_no_frame": {
        "en": "No sampling frame (frame.csv) in the data folder, so there are no targets: the counts are shown without them.",
        "id": "Belum ada kerangka sampel (frame.csv) di folder data, sehingga belum ada target: jumlah ditampilkan tanpa target.",
    },
    "enumerators_title": {"en": "Per enumerator", "id": "Per pencacah"},
    "rates_title": {"en": "Response rates (AAPOR RR1)", "id": "Tingkat respons (AAPOR RR1)"},
    "rates_psu": {"en": "Per PSU", "id": "Per PSU"},
    "adjustment_title": {"en": "Non-response adjustment of the weights, per PSU", "id": "Penyesuaian bobot untuk nonrespons, per PSU"},
    "adjustment_note": {
        "en": "Each responding household's base weight is multiplied by (sampled − vacant) / responded of its PSU, so the respondents stand for every eligible household sampled there.",
        "id": "Bobot dasar setiap rumah tangga yang merespons dikalikan (sampel − kosong) / yang merespons di PSU-nya, sehingga responden mewakili semua rumah tangga layak dalam sampel di sana.",
    },
    "durations_title": {"en": "Interview length", "id": "Lama wawancara"},
    "dur_median": {"en": "Median length", "id": "Median lama"},
    "dur_middle": {"en": "Middle half", "id": "Separuh tengah"},
    "dur_minutes": {"en": "{value} min", "id": "{value} menit"},
    "dur_none": {"en": "No completed interview with a start time yet.", "id": "Belum ada wawancara selesai yang tercatat waktu mulainya."},
    "flags_title": {"en": "Flagged interviews", "id": "Wawancara yang ditandai"},
    "flags_none": {"en": "No interview is flagged.", "id": "Tidak ada wawancara yang ditandai."},
    "flags_choose": {"en": "Flagged interview", "id": "Wawancara yang ditandai"},
    "flags_open": {"en": "Open it in the review", "id": "Buka di pemeriksaan"},
    "flags_common": {
        "en": "{flag} fires on {n} of {checked} interviews ({share}): check its threshold (the questionnaire's "
              "`quality:` block). It is listed after the other flags.",
        "id": "{flag} muncul pada {n} dari {checked} wawancara ({share}): periksa ambang batasnya (blok `quality:` "
              "kuesioner). Tanda ini dicantumkan setelah tanda lainnya.",
    },
    "flag_too_fast": {"en": "Too fast", "id": "Terlalu cepat"},
    "flag_straightlining": {"en": "Straight-lined answers", "id": "Jawaban seragam"},
    "flag_outlier": {"en": "Outlier", "id": "Nilai ekstrem"},
    "flag_many_missing": {"en": "Many missing answers", "id": "Banyak jawaban kosong"},
    "flag_odd_hour": {"en": "Odd hour", "id": "Jam tidak wajar"},
    "flag_duplicate_household": {"en": "Repeated household", "id": "Rumah tangga ganda"},
    "precision_title": {"en": "Precision of the headline indicators", "id": "Presisi indikator utama"},
    "precision_none": {
        "en": "The precision tracker needs completed household interviews (HH4, HH6 and HH7 come from the household questionnaire).",
        "id": "Pelacak presisi memerlukan wawancara rumah tangga yang selesai (HH4, HH6 dan HH7 berasal dari kuesioner rumah tangga).",
    },
    "precision_target": {
        "en": "Target margin of error: ±{moe} percentage points (the design block's target_moe). {misses} of {rows} will miss it.",
        "id": "Sasaran batas galat (margin of error): ±{moe} poin persentase (target_moe di blok desain). {misses} dari {rows} tidak akan mencapainya.",
    },
    "precision_no_target": {
        "en": "The design block sets no target_moe, so nothing is marked.",
        "id": "Blok desain tidak menetapkan target_moe, sehingga tidak ada yang ditandai.",
    },
    # ---- review (issue 8)
    "review_status": {"en": "Status", "id": "Status"},
    "review_enumerator": {"en": "Enumerator", "id": "Pencacah"},
    "review_flag": {"en": "Flag", "id": "Tanda"},
    "review_queue": {"en": "{n} interview(s) in the queue", "id": "{n} wawancara dalam antrean"},
    "review_queue_empty": {"en": "No interview matches these filters.", "id": "Tidak ada wawancara yang cocok dengan filter ini."},
    "review_choose": {"en": "Interview to review", "id": "Wawancara yang diperiksa"},
    "review_meta": {
        "en": "By **{enumerator}**, first submitted {time} · status **{status}** · revision {revision}",
        "id": "Oleh **{enumerator}**, pertama dikirim {time} · status **{status}** · revisi {revision}",
    },
    "review_last_note": {"en": "Last comment ({editor}): {note}", "id": "Catatan terakhir ({editor}): {note}"},
    "review_no_flags": {"en": "No quality flag.", "id": "Tidak ada tanda kualitas."},
    "review_answers": {"en": "Answers", "id": "Jawaban"},
    "col_question": {"en": "Question", "id": "Pertanyaan"},
    "col_answer": {"en": "Answer", "id": "Jawaban"},
    "review_member": {"en": "{label} {i}", "id": "{label} {i}"},
    "review_revisions": {"en": "Revisions", "id": "Revisi"},
    "rev_first": {"en": "first submission", "id": "kiriman pertama"},
    "rev_none": {"en": "no answer changed", "id": "tidak ada jawaban yang berubah"},
    "rev_blank": {"en": "(none)", "id": "(kosong)"},
    "review_decision": {"en": "Decision", "id": "Keputusan"},
    "decide_approved": {"en": "Approve", "id": "Setujui"},
    "decide_rejected": {"en": "Reject: back to the enumerator", "id": "Tolak: kembalikan ke pencacah"},
    "decide_on_hold": {"en": "Put on hold", "id": "Tunda"},
    "review_comment": {"en": "Comment (the enumerator sees it)", "id": "Catatan (terlihat oleh pencacah)"},
    "review_save": {"en": "Save the decision", "id": "Simpan keputusan"},
    "review_need_comment": {
        "en": "A rejection goes back to the enumerator: write in the comment what to correct.",
        "id": "Penolakan dikembalikan ke pencacah: tulis di catatan apa yang perlu diperbaiki.",
    },
    "review_need_decision": {
        "en": "Choose a decision first (approve, reject or put on hold). Nothing was saved.",
        "id": "Pilih keputusan dahulu (setujui, tolak, atau tunda). Tidak ada yang disimpan.",
    },
    "review_not_chosen": {
        "en": "The interview on screen is not the one chosen in the list; nothing was saved. Look at it again, then decide.",
        "id": "Wawancara di layar bukan yang dipilih di daftar; tidak ada yang disimpan. Periksa lagi, lalu putuskan.",
    },
    "review_saved": {"en": "Saved: {status} (revision {revision}).", "id": "Tersimpan: {status} (revisi {revision})."},
    "review_conflict": {
        "en": "Someone changed this interview after you opened it (it is now at revision {revision}); nothing was saved. Look at it again, then decide.",
        "id": "Seseorang mengubah wawancara ini setelah Anda membukanya (sekarang revisi {revision}); tidak ada yang disimpan. Periksa lagi, lalu putuskan.",
    },
    "review_gone": {"en": "This interview is no longer in the store.", "id": "Wawancara ini tidak ada lagi di penyimpanan."},
    "note_too_long": {
        "en": "The comment is too long: at most {limit} characters. Nothing was saved.",
        "id": "Catatan terlalu panjang: paling banyak {limit} karakter. Tidak ada yang disimpan.",
    },
    "note_bad_character": {
        "en": "The comment contains an invisible control character; type it again without it. Nothing was saved.",
        "id": "Catatan berisi karakter kontrol tak terlihat; ketik ulang tanpanya. Tidak ada yang disimpan.",
    },
    "review_fix_title": {"en": "Correct an answer", "id": "Perbaiki jawaban"},
    "review_fix_help": {
        "en": "The corrected interview is stored as a new revision and checked like a submission.",
        "id": "Wawancara yang diperbaiki disimpan sebagai revisi baru dan diperiksa seperti kiriman.",
    },
    "review_fix_question": {"en": "Question", "id": "Pertanyaan"},
    "review_fix_value": {"en": "New answer", "id": "Jawaban baru"},
    "review_fix_empty": {"en": "Leave it unanswered", "id": "Kosongkan jawaban"},
    "review_fix_note": {"en": "Why (kept with the revision)", "id": "Alasan (disimpan bersama revisi)"},
    "review_fix_save": {"en": "Save the corrected answer", "id": "Simpan jawaban yang diperbaiki"},
    "review_fix_saved": {"en": "Correction saved as revision {revision}.", "id": "Perbaikan tersimpan sebagai revisi {revision}."},
    "review_fix_problems": {
        "en": "The corrected interview is not valid, so nothing was saved:",
        "id": "Wawancara yang diperbaiki tidak valid, sehingga tidak ada yang disimpan:",
    },
    "review_fix_bad_value": {
        "en": "“{value}” is not a valid answer for this question ({detail}).",
        "id": "“{value}” bukan jawaban yang valid untuk pertanyaan ini ({detail}).",
    },
    "review_fix_default_note": {"en": "corrected in review", "id": "diperbaiki saat pemeriksaan"},
    # ---- the ODK inbox on the review page (issue 17)
    "inbox_title": {"en": "ODK inbox: {n} submission(s) waiting", "id": "Kotak masuk ODK: {n} kiriman menunggu"},
    "inbox_help": {
        "en": "Sent from ODK Collect or KoboCollect (or imported) but not stored: each with its reason. Fix the XML and accept it (checked like any submission, stored under the enumerator who sent it), or discard it with a note.",
        "id": "Dikirim dari ODK Collect atau KoboCollect (atau diimpor) tetapi belum tersimpan, masing-masing dengan alasannya. Perbaiki XML-nya lalu terima (diperiksa seperti kiriman lain, disimpan atas nama pencacah pengirimnya), atau buang dengan catatan.",
    },
    "inbox_choose": {"en": "Submission", "id": "Kiriman"},
    "inbox_reason": {"en": "Reason: {reason}", "id": "Alasan: {reason}"},
    "inbox_xml": {"en": "The submission (XForm instance)", "id": "Kiriman (instans XForm)"},
    "inbox_too_large": {
        "en": "This submission is {n} bytes, too large to edit here; it stays in the inbox folder.",
        "id": "Kiriman ini {n} byte, terlalu besar untuk diedit di sini; tetap tersimpan di folder kotak masuk.",
    },
    "inbox_accept": {"en": "Accept and store", "id": "Terima dan simpan"},
    "inbox_note": {"en": "Why discard it (required)", "id": "Alasan membuang (wajib)"},
    "inbox_discard": {"en": "Discard", "id": "Buang"},
    "inbox_accepted": {"en": "Accepted and stored:", "id": "Diterima dan tersimpan:"},
    "inbox_discarded": {"en": "Discarded; the note is in the audit log.", "id": "Dibuang; catatannya ada di log audit."},
    "inbox_need_note": {"en": "Write why it is discarded first.", "id": "Tulis dulu alasan membuangnya."},
    "inbox_problems": {
        "en": "The submission is still not valid, so nothing was stored:",
        "id": "Kiriman masih tidak valid, sehingga tidak ada yang disimpan:",
    },
    "inbox_failed": {"en": "Nothing was stored:", "id": "Tidak ada yang disimpan:"},
    "review_open_failed": {
        "en": "This interview cannot be shown right now; the log says why.",
        "id": "Wawancara ini belum dapat ditampilkan; log mencatat penyebabnya.",
    },
    # ---- back to the enumerator (issue 8)
    "sent_back_title": {"en": "Sent back to you", "id": "Dikembalikan kepada Anda"},
    "sent_back_intro": {
        "en": "A supervisor rejected these interviews. Open one below, correct it and save it: it goes back to the review.",
        "id": "Pengawas menolak wawancara ini. Buka di bawah, perbaiki dan simpan: wawancara kembali ke pemeriksaan.",
    },
    "sent_back_item": {"en": "{time} · {instrument} · {rid}: “{note}” ({editor})", "id": "{time} · {instrument} · {rid}: “{note}” ({editor})"},
    "sent_back_no_note": {"en": "no comment", "id": "tanpa catatan"},
    "correct_choose_open": {
        "en": "Interview to correct (not yet reviewed, or sent back)",
        "id": "Wawancara yang diperbaiki (belum diperiksa, atau dikembalikan)",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """The interface text `key` in `lang`, its placeholders filled (survey.locale.text)."""
    return text(TEXT, key, lang, **values)


def current_lang() -> str:
    """The language chosen with the `lang` toggle (English until one is chosen)."""
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
