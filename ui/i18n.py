"""Interface texts in Bahasa Indonesia and English (questionnaire texts live in the YAML).

Every text is `{lang: text}` and `t` picks one with survey.i18n.pick, as everywhere else.
"""

import streamlit as st

from survey.i18n import pick

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}

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
    "col_time": {"en": "Time (WIB)", "id": "Waktu (WIB)"},
    "col_response": {"en": "Response ID", "id": "ID respons"},
    "col_status": {"en": "Status", "id": "Status"},
    "col_instrument": {"en": "Questionnaire", "id": "Kuesioner"},
    # ---- pages and roles
    "page_entry": {"en": "Enter an interview", "id": "Isi wawancara"},
    "page_my_submissions": {"en": "My submissions", "id": "Kiriman saya"},
    "page_admin": {"en": "Administration", "id": "Administrasi"},
    "role_enumerator": {"en": "enumerator", "id": "pencacah"},
    "role_supervisor": {"en": "supervisor", "id": "pengawas"},
    "role_admin": {"en": "administrator", "id": "administrator"},
    "logged_in_as": {"en": "Logged in as **{name}** ({role})", "id": "Masuk sebagai **{name}** ({role})"},
    "logout": {"en": "Log out {name}", "id": "Keluar ({name})"},
    "no_access": {
        "en": "No access: your role cannot open this page.",
        "id": "Tidak ada akses: peran Anda tidak dapat membuka halaman ini.",
    },
    "page_failed": {
        "en": "Something went wrong on this page; it has been logged. Your saved data is safe; try again.",
        "id": "Terjadi kesalahan di halaman ini dan sudah dicatat. Data yang tersimpan aman; coba lagi.",
    },
    "no_pages": {
        "en": "Your role has no pages yet. Ask the administrator.",
        "id": "Peran Anda belum memiliki halaman. Hubungi administrator.",
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
    "audit_col_time": {"en": "Time (WIB)", "id": "Waktu (WIB)"},
    "audit_col_user": {"en": "User", "id": "Pengguna"},
    "audit_col_action": {"en": "Action", "id": "Tindakan"},
    "audit_col_object": {"en": "Object", "id": "Objek"},
    "audit_col_outcome": {"en": "Outcome", "id": "Hasil"},
    "audit_col_detail": {"en": "Detail", "id": "Rincian"},
    "download_csv": {"en": "Download CSV", "id": "Unduh CSV"},
    "download_table_csv": {"en": "CSV", "id": "CSV"},
    "download_table_xlsx": {"en": "Excel", "id": "Excel"},
    "download_table_html": {"en": "Print (HTML)", "id": "Cetak (HTML)"},
    "store_table": {"en": "Table", "id": "Tabel"},
    "store_rows": {"en": "Rows (current revisions)", "id": "Baris (revisi terkini)"},
    "store_quarantined": {"en": "Files in quarantine", "id": "Berkas dikarantina"},
    "store_quarantine_note": {
        "en": "{n} unreadable or foreign file(s) were set aside in the tables' _quarantine/ folders (nothing was deleted). Run `python -m survey.check` for the details; the audit log names each file.",
        "id": "{n} berkas yang tidak terbaca atau asing dipindahkan ke folder _quarantine/ tabelnya (tidak ada yang dihapus). Jalankan `python -m survey.check` untuk rinciannya; log audit menyebut setiap berkas.",
    },
    "store_version_now": {"en": "Version of the file", "id": "Versi berkas"},
    "store_versions_kept": {"en": "Versions kept by the store", "id": "Versi yang disimpan"},
    "store_version_problem": {"en": "Problem", "id": "Masalah"},
    # ---- my submissions and corrections
    "col_revision": {"en": "Revision", "id": "Revisi"},
    "col_note": {"en": "Comment", "id": "Catatan"},
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
    "offline": {
        "en": "The connection to the server is lost. Everything up to your last change is saved on the server. Keep this page open: it reconnects by itself, then carry on. If it does not, reload the page and log in again: the interview comes back where you left it.",
        "id": "Koneksi ke server terputus. Semua isian sampai perubahan terakhir sudah tersimpan di server. Biarkan halaman ini terbuka: koneksi tersambung lagi dengan sendirinya, lalu lanjutkan. Bila tidak, muat ulang halaman dan masuk lagi: wawancara kembali ke posisi terakhir.",
    },
    # ---- exports
    "page_export": {"en": "Export", "id": "Ekspor"},
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
    "export_download": {"en": "Download {name}", "id": "Unduh {name}"},
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
    "page_explore": {"en": "Explore a question", "id": "Jelajahi pertanyaan"},
    "page_crosstab": {"en": "Cross-tabulation", "id": "Tabulasi silang"},
    "page_indicators": {"en": "Indicators", "id": "Indikator"},
    "page_design": {"en": "Sampling design", "id": "Desain sampel"},
    "question": {"en": "Question", "id": "Pertanyaan"},
    "breakdown": {"en": "Break down by", "id": "Rinci menurut"},
    "breakdown_none": {"en": "(no breakdown)", "id": "(tanpa rincian)"},
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
    "section_household": {"en": "Households (HH1-HH16)", "id": "Rumah tangga (HH1-HH16)"},
    "section_individual": {"en": "Individuals (HH5-HH18)", "id": "Individu (HH5-HH18)"},
    "section_egov": {"en": "E-government (EG1-EG7)", "id": "E-government (EG1-EG7)"},
    "section_stages": {"en": "Agencies' stages", "id": "Tahap perangkat daerah"},
    "section_leadership": {"en": "Leadership", "id": "Kepemimpinan"},
    "no_data_for": {"en": "{title}: no interviews yet.", "id": "{title}: belum ada wawancara."},
    "city_stage": {"en": "The city's e-government stage", "id": "Tahap e-government kota"},
    "city_stage_help": {
        "en": "The median agency's stage: the highest stage more than half of the {n} agencies have reached.",
        "id": "Tahap perangkat daerah median: tahap tertinggi yang dicapai lebih dari separuh dari {n} perangkat daerah.",
    },
    "leadership_index": {"en": "Leadership commitment index (0-100), all", "id": "Indeks komitmen pimpinan (0-100), semua"},
    "cronbach_alpha": {"en": "Cronbach's alpha", "id": "Alfa Cronbach"},
    "cronbach_help": {
        "en": "How consistently the six leadership items measure one thing; 0.7 or more is usually taken as acceptable.",
        "id": "Seberapa konsisten enam butir kepemimpinan mengukur satu hal; 0,7 atau lebih umumnya dianggap memadai.",
    },
    # ---- sampling design
    "design_in_force_title": {"en": "The design in force", "id": "Desain yang berlaku"},
    "design_weights_of": {"en": "Weights ({table}): {weights}", "id": "Bobot ({table}): {weights}"},
    "design_part": {"en": "Part of the design", "id": "Bagian desain"},
    "design_value": {"en": "In this questionnaire", "id": "Pada kuesioner ini"},
    "design_strata": {"en": "Strata", "id": "Strata"},
    "design_psu": {"en": "Primary sampling units (PSU)", "id": "Unit sampel primer (PSU)"},
    "design_fpc": {"en": "Finite population correction", "id": "Koreksi populasi terhingga"},
    "design_fpc_counts": {"en": "from the population counts", "id": "dari jumlah populasi"},
    "design_lonely": {"en": "A stratum with one PSU", "id": "Stratum dengan satu PSU"},
    "lonely_fail": {"en": "an error (R: fail)", "id": "galat (R: fail)"},
    "lonely_adjust": {"en": "centred at the grand mean (R: adjust)", "id": "dipusatkan pada rata-rata umum (R: adjust)"},
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
}


def t(key: str, lang: str, **values: object) -> str:
    return pick(TEXT[key], lang).format(**values)


def current_lang() -> str:
    """The language chosen with the `lang` toggle (English until one is chosen)."""
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else "en"
