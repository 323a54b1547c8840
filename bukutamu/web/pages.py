"""The routes. Thin: read the request, call a use case in ``bukutamu/app``, render.

URL map (Indonesian paths):
  /daftar, /daftar/periksa, /tiket, /status        kiosk and the guest's own page (no login)
  /antrian, /antrian/data                          lobby screen (no login, masked names)
  /tautan/petugas, /tautan/umpan-balik             email link pages (signed tokens)
  /masuk, /keluar                                  login
  /meja …                                          helpdesk board (helpdesk, admin)
  /petugas                                         officers (admin)
  /laporan                                         weekly reports (manager, admin)
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import segno
from flask import (Blueprint, current_app, g, jsonify, redirect, render_template, request, send_from_directory,
                   session, url_for)
from markupsafe import Markup

from bukutamu.app import board as board_app
from bukutamu.app import kiosk as kiosk_app
from bukutamu.app import links as links_app
from bukutamu.app import officers as officers_app
from bukutamu.app.helpdesk import HelpdeskInput, InputRefused, VisitNotFound, save_helpdesk_input
from bukutamu.core.helpdesk import canonical_action, next_inputs, processed_action
from bukutamu.core.ktp.mask import mask_nik
from bukutamu.core.linkforms import SKM_ELEMENTS
from bukutamu.core.notices import ACTION_LABELS, PURPOSE_FEEDBACK
from bukutamu.errors import BukutamuError
from bukutamu.web.security import REPORT_CSP, client_ip, login_required, require_embedded

bp = Blueprint("pages", __name__)
log = logging.getLogger("bukutamu.web")

EDITABLE = (("nik", "NIK"), ("nama", "Nama Lengkap"), ("jenis_kelamin", "Jenis Kelamin"),
            ("tanggal_lahir", "Tanggal Lahir (dd/mm/yyyy)"), ("telepon", "Nomor HP"), ("email", "Email"),
            ("instansi", "Instansi"), ("keperluan", "Keperluan"), ("bidang", "Bidang yang Dituju"))
CALL_SHOWN = timedelta(minutes=15)
STATUS_TEXT = {
    "MENUNGGU VERIFIKASI": "Silakan tunjukkan KTP asli Anda ke meja helpdesk.",
    "PERLU PERBAIKAN": "Data Anda perlu diperbaiki: silakan ke meja helpdesk.",
    "TERVERIFIKASI": "Data Anda sudah diverifikasi; petugas sedang dihubungi.",
    "PETUGAS DIHUBUNGI": "Petugas sudah dihubungi; mohon tunggu dipanggil.",
    "DILAYANI": "Anda sedang dilayani.",
    "MENUNGGU UMPAN BALIK": "Layanan selesai. Mohon isi umpan balik singkat.",
    "MENUNGGU HELPDESK": "Terima kasih. Silakan ke meja helpdesk untuk menutup kunjungan.",
    "SELESAI": "Kunjungan selesai. Terima kasih.",
    "BATAL": "Kunjungan dibatalkan.",
    "DUPLIKAT": "Pendaftaran ganda: silakan ke meja helpdesk.",
}


def rt():
    return g.rt


def now() -> datetime:
    return rt().clock()


def _base_url() -> str:
    return rt().settings.web.base_url or request.host_url.rstrip("/")


# --- home ------------------------------------------------------------------------------

@bp.get("/")
def home():
    return render_template("home.html", embedded=rt().embedded)


# --- kiosk -----------------------------------------------------------------------------

def _choices() -> list[str]:
    settings = rt().settings
    return kiosk_app.bidang_choices(rt().store().read([settings.tabs.officers]).tab(settings.tabs.officers))


@bp.get("/daftar")
def kiosk():
    require_embedded()
    return render_template("kiosk.html", form=kiosk_app.GuestForm(), problems={}, inline={},
                           choices=_choices(), refused="")


@bp.post("/daftar/periksa")
def kiosk_check():
    require_embedded()
    if not current_app.check_limit.hit(client_ip()):
        return "", 429
    form = kiosk_app.GuestForm.from_mapping(request.form)
    inline = kiosk_app.inline_check(form, now().astimezone(rt().settings.office.tz).date(), rt().phones)
    return render_template("_kiosk_check.html", inline=inline)


@bp.post("/daftar")
def kiosk_submit():
    require_embedded()
    r = rt()
    form = kiosk_app.GuestForm.from_mapping(request.form)
    choices = _choices()
    problems = kiosk_app.form_problems(form, choices)
    inline = kiosk_app.inline_check(form, now().astimezone(r.settings.office.tz).date(), r.phones)
    if problems:
        # The NIK is never sent back to an unauthenticated page, not even to the guest who typed it.
        if form.nik and "nik" not in problems:
            problems["nik"] = "Demi privasi NIK tidak ditampilkan ulang: ketik ulang NIK Anda."
        return render_template("kiosk.html", form=replace(form, nik=""), problems=problems, inline=inline,
                               choices=choices, refused=""), 400
    if not current_app.kiosk_limit.hit(client_ip()):
        log.warning("Kiosk: batas pendaftaran per menit tercapai (%s)", client_ip())
        return render_template("message.html", title="Terlalu banyak pendaftaran",
                               message="Terlalu banyak pendaftaran dari perangkat ini. Tunggu sebentar lalu "
                                       "coba lagi."), 429
    with r.kiosk_lock:
        try:
            ref = kiosk_app.register_guest(r.store(), r.settings, r.sop, form, now())
        except kiosk_app.Refused as e:
            return render_template("kiosk.html", form=kiosk_app.GuestForm(), problems={}, inline={},
                                   choices=choices, refused=str(e)), 409
    r.runner.cycle_now(timeout=20)
    done = kiosk_app.registered(r.store(), r.settings, ref)
    if done is None:
        session["menunggu"] = ref
        return redirect(url_for("pages.kiosk_wait"))
    log.info("Kiosk: tamu terdaftar %s", done.queue)
    return redirect(_ticket_url(done.visit_id))


def _ticket_url(visit_id: str) -> str:
    token = links_app.status_token(rt().settings, rt().key, visit_id, now())
    return url_for("pages.ticket", kunjungan=visit_id, token=token)


@bp.get("/daftar/tunggu")
def kiosk_wait():
    require_embedded()
    ref = session.get("menunggu")
    done = kiosk_app.registered(rt().store(), rt().settings, ref) if ref else None
    if done is None:
        return render_template("wait.html")
    session.pop("menunggu", None)
    return redirect(_ticket_url(done.visit_id))


def _qr(url: str) -> Markup:
    return Markup(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))


@bp.get("/tiket")
def ticket():
    visit_id, token = request.args.get("kunjungan", ""), request.args.get("token", "")
    st = links_app.guest_status(rt().store(), rt().settings, rt().key, visit_id, token, now())
    if not st.ok:
        return render_template("message.html", title="Tiket tidak berlaku", message=st.reason), 403
    status_url = _base_url() + url_for("pages.status", kunjungan=visit_id, token=token)
    return render_template("ticket.html", st=st, qr=_qr(status_url), at=now())


@bp.get("/status")
def status():
    visit_id, token = request.args.get("kunjungan", ""), request.args.get("token", "")
    st = links_app.guest_status(rt().store(), rt().settings, rt().key, visit_id, token, now())
    if not st.ok:
        return render_template("message.html", title="Tautan tidak berlaku", message=st.reason), 403
    feedback = (url_for("pages.link_feedback", kunjungan=visit_id, token=st.feedback_token)
                if st.feedback_token else "")
    return render_template("status.html", st=st, text=STATUS_TEXT.get(st.status, ""), feedback=feedback)


# --- lobby -----------------------------------------------------------------------------

@bp.get("/antrian")
def lobby():
    return render_template("lobby.html")


@bp.get("/antrian/data")
def lobby_data():
    serving, waiting = board_app.lobby(rt().store(), rt().settings)
    t = now().astimezone(rt().settings.office.tz)
    call = rt().webdb.last_call(t.strftime("%Y%m%d"))
    if call is not None and datetime.fromisoformat(call.at) < t - CALL_SHOWN:
        call = None  # an old call is not shown all day
    return jsonify(serving=[{"antrian": x.queue, "nama": x.name} for x in serving],
                   waiting=[{"antrian": x.queue, "nama": x.name} for x in waiting],
                   call={"id": call.id, "antrian": call.queue} if call else None,
                   waktu=t.strftime("%H:%M"))


# --- email link pages ------------------------------------------------------------------------

def _link_args():
    src = request.form if request.method == "POST" else request.args
    return src.get("kunjungan", "").strip(), src.get("aksi", "").strip(), src.get("token", "").strip()


@bp.route("/tautan/petugas", methods=["GET", "POST"])
def link_officer():
    require_embedded()
    r = rt()
    visit_id, purpose, token = _link_args()
    view = links_app.check_link(r.store(), r.settings, r.key, visit_id, purpose, token, now())
    label = ACTION_LABELS.get(purpose, "")
    if not view.ok:
        log.warning("Tautan petugas ditolak (%s): %s", client_ip(), view.reason)
        return render_template("link_result.html", title="Tautan tidak berlaku", message=view.reason,
                               ok=False), 403
    if request.method == "GET":
        return render_template("link_officer.html", view=view, label=label, purpose=purpose, token=token)
    if not current_app.link_limit.hit(client_ip()):
        return render_template("message.html", title="Terlalu sering", message="Tunggu sebentar."), 429
    ref = links_app.submit_officer(r.store(), r.settings, visit_id, purpose, token, now())
    r.runner.cycle_now(timeout=20)
    return _link_outcome(r.settings.tabs.confirmations, ref, f"{label} tercatat untuk {view.queue}.")


def _link_outcome(tab: str, ref: int, ok_text: str):
    verdict = links_app.outcome(rt().store(), tab, ref)
    if verdict.startswith("OK"):
        return render_template("link_result.html", title="Terima kasih", message=ok_text, ok=True)
    if not verdict:
        return render_template("link_result.html", title="Diterima", ok=True,
                               message="Isian Anda diterima dan segera diproses.")
    return render_template("link_result.html", title="Ditolak", ok=False,
                           message=verdict.removeprefix("DITOLAK: ").capitalize() + "."), 409


@bp.route("/tautan/umpan-balik", methods=["GET", "POST"])
def link_feedback():
    require_embedded()
    r = rt()
    visit_id, _, token = _link_args()
    view = links_app.check_link(r.store(), r.settings, r.key, visit_id, PURPOSE_FEEDBACK, token, now())
    if not view.ok:
        log.warning("Tautan umpan balik ditolak (%s): %s", client_ip(), view.reason)
        return render_template("link_result.html", title="Tautan tidak berlaku", message=view.reason,
                               ok=False), 403
    elements = [(f"u{i + 1}", e) for i, e in enumerate(SKM_ELEMENTS)]
    if request.method == "GET":
        return render_template("link_feedback.html", view=view, token=token, elements=elements,
                               choices=links_app.SKM_CHOICES, problem="", given={})
    answer = request.form.get("cukup", "")
    note = " ".join(request.form.get("catatan", "").split())[:500]
    skm, problem = {}, ""
    for name, element in elements:
        v = request.form.get(name, "")
        if v:
            if v not in ("1", "2", "3", "4"):
                problem = "Jawaban survei harus 1–4."
            else:
                skm[element] = int(v)
    if answer not in ("cukup", "belum"):
        problem = "Pilih apakah layanan sudah cukup atau belum."
    elif answer == "belum" and not note:
        problem = "Tuliskan apa yang masih kurang, agar petugas bisa melanjutkan layanan."
    if problem:
        return render_template("link_feedback.html", view=view, token=token, elements=elements,
                               choices=links_app.SKM_CHOICES, problem=problem, given=request.form), 400
    if not current_app.link_limit.hit(client_ip()):
        return render_template("message.html", title="Terlalu sering", message="Tunggu sebentar."), 429
    ref = links_app.submit_feedback(r.store(), r.settings, visit_id, token, answer == "cukup", note, skm, now())
    r.runner.cycle_now(timeout=20)
    text = ("Terima kasih atas umpan balik Anda. Silakan ke meja helpdesk untuk menutup kunjungan."
            if answer == "cukup" else "Terima kasih. Petugas sudah diberi tahu dan akan melanjutkan layanan Anda.")
    return _link_outcome(r.settings.tabs.feedback, ref, text)


# --- login -------------------------------------------------------------------------------

HOME_OF = {"helpdesk": "pages.board", "admin": "pages.board", "manager": "pages.reports"}


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    nxt = request.values.get("lanjut", "")
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = ""
    if request.method == "GET":
        return render_template("login.html", problem="", lanjut=nxt, name="")
    name = request.form.get("nama", "").strip()[:64]
    password = request.form.get("sandi", "")
    key = f"{client_ip()}|{name.casefold()}"
    if current_app.login_limit.count(key) >= rt().settings.web.login_attempts:
        log.warning("Login diblokir sementara: pengguna %r dari %s (terlalu banyak percobaan)", name, client_ip())
        return render_template("login.html", problem="Terlalu banyak percobaan gagal. Coba lagi 10 menit lagi.",
                               lanjut=nxt, name=name), 429
    user = rt().webdb.authenticate(name, password)
    if user is None:
        current_app.login_limit.hit(key)
        log.warning("Login gagal: pengguna %r dari %s", name, client_ip())
        return render_template("login.html", problem="Nama pengguna atau kata sandi salah.", lanjut=nxt,
                               name=name), 401
    current_app.login_limit.reset(key)
    session.clear()  # a fresh session (and CSRF token) after login
    session.permanent = True
    session["user"], session["role"] = user.name, user.role
    log.info("Login: pengguna %s (%s) dari %s", user.name, user.role, client_ip())
    return redirect(nxt or url_for(HOME_OF[user.role]))


@bp.post("/keluar")
def logout():
    session.clear()
    return redirect(url_for("pages.login"))


# --- helpdesk board ----------------------------------------------------------------------

def _filters() -> tuple[str, str]:
    src = request.values
    show = src.get("tampil", "aktif")
    return " ".join(src.get("cari", "").split())[:40], show if show in board_app.SHOW else "aktif"


def _rows(query: str, show: str):
    r = rt()
    return board_app.today_board(r.store(), r.settings, r.sop, r.calendar, now(), query, show)


@bp.get("/meja")
@login_required("helpdesk", "admin")
def board():
    require_embedded()
    query, show = _filters()
    return render_template("board.html", rows=_rows(query, show), cari=query, tampil=show,
                           message=session.pop("pesan", ""), refused=session.pop("ditolak", ""),
                           user=session["user"], role=session["role"], t=now())


@bp.get("/meja/tabel")
@login_required("helpdesk", "admin")
def board_table():
    require_embedded()
    query, show = _filters()
    return render_template("_board_table.html", rows=_rows(query, show), cari=query, tampil=show, t=now())


def _back():
    query, show = _filters()
    return redirect(url_for("pages.board", cari=query or None, tampil=show))


def _apply(visit_id: str, given: HelpdeskInput) -> tuple[bool, str]:
    r = rt()
    try:
        saved = save_helpdesk_input(r.store(), r.settings.tabs.register, r.settings.columns, r.sop, visit_id,
                                    given, now())
    except (InputRefused, VisitNotFound) as e:
        return False, str(e)
    r.runner.cycle_now(timeout=20)
    detail = board_app.visit_detail(r.store(), r.settings, saved.visit_id) or {}
    text = f"{saved.queue}: status sekarang {detail.get('status', saved.status)}."
    marker = detail.get("aksi_terproses", "")
    if given.action and processed_action(marker) == canonical_action(r.sop, given.action) and "(ditolak" in marker:
        return False, f"{saved.queue}: {detail.get('catatan', '') or marker}"  # the cycle refused it after all
    return True, text


@bp.post("/meja/aksi")
@login_required("helpdesk", "admin")
def board_action():
    require_embedded()
    visit_id = request.form.get("kunjungan", "")
    verify, action = request.form.get("verifikasi") or None, request.form.get("aksi") or None
    ok, text = _apply(visit_id, HelpdeskInput(verify=verify, action=action))
    log.info("Meja: %s oleh %s pada %s: %s", verify or action, session["user"], visit_id,
             "diterima" if ok else "ditolak")
    session["pesan" if ok else "ditolak"] = text
    return _back()


@bp.post("/meja/panggil")
@login_required("helpdesk", "admin")
def board_call():
    require_embedded()
    r = rt()
    visit_id = request.form.get("kunjungan", "")
    detail = board_app.visit_detail(r.store(), r.settings, visit_id)
    if detail is None:
        session["ditolak"] = "Kunjungan tidak ditemukan."
    else:
        r.webdb.call(detail["antrian"], visit_id, session["user"], now())
        session["pesan"] = f"Nomor {detail['antrian']} dipanggil ke layar antrian."
    return _back()


@bp.route("/meja/kunjungan/<visit_id>", methods=["GET", "POST"])
@login_required("helpdesk", "admin")
def board_visit(visit_id: str):
    require_embedded()
    r = rt()
    if not re.fullmatch(r"\d{8}-[A-Z]{1,3}\d{3,}", visit_id):
        return render_template("message.html", title="Tidak ditemukan", message="Kunjungan tidak ditemukan."), 404
    detail = board_app.visit_detail(r.store(), r.settings, visit_id)
    if detail is None:
        return render_template("message.html", title="Tidak ditemukan", message="Kunjungan tidak ditemukan."), 404
    problem = ""
    if request.method == "POST":
        changed = {k: " ".join(request.form.get(k, "").split())[:200] for k, _ in EDITABLE
                   if k in request.form and " ".join(request.form.get(k, "").split()) != detail.get(k, "")}
        note = " ".join(request.form.get("catatan_helpdesk", "").split())[:500]
        note_changed = note != detail.get("catatan_helpdesk", "")
        if not changed and not note_changed:
            problem = "Tidak ada yang berubah."
        else:
            ok, text = _apply(visit_id, HelpdeskInput(note=note if note_changed else None, corrections=changed))
            if ok:
                for k, v in changed.items():
                    old = detail.get(k, "")
                    if k == "nik":
                        old, v = mask_nik(old), mask_nik(v)
                    r.webdb.log_correction(visit_id, k, old, v, session["user"], now())
                log.info("Meja: %d koreksi oleh %s pada %s", len(changed), session["user"], visit_id)
                session["pesan"] = text
                return redirect(url_for("pages.board_visit", kunjungan=None, visit_id=visit_id))
            problem = text
    detail = board_app.visit_detail(r.store(), r.settings, visit_id) or detail
    state = r.sop.state_by_label(detail.get("status", ""))
    inputs = next_inputs(r.sop, state.code) if state is not None and state.open else []
    return render_template("visit.html", d=detail, fields=EDITABLE, problem=problem, inputs=inputs,
                           message=session.pop("pesan", ""), log=r.webdb.corrections(visit_id),
                           user=session["user"], role=session["role"])


# --- officers --------------------------------------------------------------------------------

@bp.route("/petugas", methods=["GET", "POST"])
@login_required("admin")
def officers():
    require_embedded()
    r = rt()
    problem = ""
    if request.method == "POST":
        what = request.form.get("ubah", "")
        try:
            if what == "tambah":
                officers_app.add_officer(r.store(), r.settings, request.form)
                session["pesan"] = "Petugas ditambahkan."
            elif what in ("simpan", "nonaktif", "aktif"):
                ref = int(request.form.get("baris", "0"))
                if what == "simpan":
                    officers_app.update_officer(r.store(), r.settings, ref, request.form)
                else:
                    officers_app.set_active(r.store(), r.settings, ref, what == "aktif")
                session["pesan"] = "Perubahan disimpan."
            log.info("Petugas: %s oleh %s", what, session["user"])
            return redirect(url_for("pages.officers"))
        except (officers_app.OfficerRefused, ValueError) as e:
            problem = str(e) or "Isian tidak sah."
    return render_template("officers.html", rows=officers_app.list_officers(r.store(), r.settings),
                           problem=problem, message=session.pop("pesan", ""), user=session["user"],
                           role=session["role"]), (400 if problem else 200)


# --- reports --------------------------------------------------------------------------------

_WEEK = re.compile(r"^\d{4}-W\d{2}$")
REPORT_FILES = ("laporan.html", "laporan.xlsx")


def _report_dir() -> Path:
    return Path(rt().settings.report.folder).resolve()


@bp.route("/laporan", methods=["GET", "POST"])
@login_required("manager", "admin")
def reports():
    folder = _report_dir()
    problem = ""
    if request.method == "POST":
        from bukutamu.report.metrics import last_finished_week
        from bukutamu.report.weekly import generate
        week = last_finished_week(now(), rt().settings.office.time_zone)
        try:
            from bukutamu.bootstrap import archive_stores
            archives = archive_stores(rt().settings)
            try:
                generate(rt().store(), rt().settings, week, archives)
            finally:
                archives.close()
            session["pesan"] = f"Laporan {week.label} dibuat."
            return redirect(url_for("pages.reports"))
        except BukutamuError as e:
            problem = str(e)
    weeks = sorted((p.name for p in folder.iterdir() if p.is_dir() and _WEEK.match(p.name)
                    and (p / REPORT_FILES[0]).exists()), reverse=True) if folder.is_dir() else []
    return render_template("reports.html", weeks=weeks, problem=problem, message=session.pop("pesan", ""),
                           user=session["user"], role=session["role"])


@bp.get("/laporan/<week>/<name>")
@login_required("manager", "admin")
def report_file(week: str, name: str):
    if not _WEEK.match(week) or not (name in REPORT_FILES or re.fullmatch(r"[a-z0-9_-]{1,40}\.png", name)):
        return render_template("message.html", title="Tidak ditemukan", message="Berkas tidak ditemukan."), 404
    resp = send_from_directory(_report_dir() / week, name, as_attachment=name.endswith(".xlsx"))
    if name.endswith(".html"):
        resp.headers["Content-Security-Policy"] = REPORT_CSP
    return resp

