"""Accounts, `/admin/pengguna`: every clerk, supervisor, admin and village operator; create, disable, enable,
reset a password, and see and end an account's sessions (`/admin/pengguna/<id>/sesi`).

Who may manage whom: an admin manages every account; a supervisor manages clerks and village operators only
(an admin or supervisor account is refused with 403 and a sentence). Nobody disables their own account here.
A new account gets a password the supervisor types twice and tells its owner in person; passwords are never
shown back. Every change writes an audit line committed together with the change.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..apply.steps import desa_list, kecamatan_list
from ..auth.guard import roles_required
from ..extensions import db
from ..models import Region, User
from ..auth.forms import EndSessionForm
from ..services import accounts, audit, browser_sessions, calendar
from ..templating import render
from .blueprint import SUPERVISORS, bp
from .forms import ActionForm, CreateForm, PasswordForm

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
USERNAME_MAX = 60
FULL_NAME_MAX = 120
# How a role reads in an audit line; stored text, so fixed Indonesian rather than the visitor's language.
_ROLE_IN_LOG = {"operator": "operator desa", "clerk": "petugas loket", "supervisor": "kepala bidang",
                "admin": "administrator"}


def role_names() -> dict[str, str]:
    """Return the Indonesian name of every role, admins first."""
    return {"admin": _("Administrator"), "supervisor": _("Kepala bidang"), "clerk": _("Petugas loket"),
            "operator": _("Operator desa")}


def may_manage(actor: User, target_role: str) -> bool:
    """Return whether `actor` may create, disable, enable or reset an account of `target_role`."""
    return actor.role == "admin" or target_role in ("clerk", "operator")


def _roles_for(actor: User) -> list[str]:
    return [role for role in role_names() if may_manage(actor, role)]


def _page(form: CreateForm, status: int = 200):
    """Return the accounts page with the create form `form` (and `status`)."""
    names = role_names()
    chosen = request.args.get("peran", "")
    chosen = chosen if chosen in names else ""
    form.role.choices = [("", _("Pilih peran"))] + [(role, names[role]) for role in _roles_for(current_user)]
    kecamatan = {region.code: region.name for region in kecamatan_list()}
    groups: dict[str, list[Region]] = {}
    for desa in desa_list():
        groups.setdefault(kecamatan.get(desa.parent_code, desa.parent_code), []).append(desa)
    return render("admin/users.html", users=accounts.list_users(chosen or None), form=form, role_names=names,
                  chosen=chosen, desa_groups=list(groups.items()), action=ActionForm(), may_manage=may_manage,
                  session_counts=browser_sessions.active_counts(),
                  min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/pengguna")
@roles_required(*SUPERVISORS)
def users():
    """Return every account, optionally of one role (`?peran=`), and the form to create one."""
    return _page(CreateForm(formdata=None))


def _check_new(form: CreateForm) -> bool:
    """Put an Indonesian error on each field of `form` that is wrong; return whether all are right."""
    username, role = form.username.data or "", form.role.data or ""
    if not username:
        form.username.errors.append(_("Isi nama pengguna."))
    elif len(username) > USERNAME_MAX or not _USERNAME.fullmatch(username):
        form.username.errors.append(_("Nama pengguna hanya boleh berisi huruf kecil, angka, titik, garis bawah "
                                      "dan tanda hubung, paling banyak %(max)s karakter.", max=USERNAME_MAX))
    elif accounts.find_user(username) is not None:
        form.username.errors.append(_("Nama pengguna %(name)s sudah dipakai. Pilih nama lain.", name=username))
    if not form.full_name.data:
        form.full_name.errors.append(_("Isi nama lengkap pemilik akun."))
    elif len(form.full_name.data) > FULL_NAME_MAX:
        form.full_name.errors.append(_("Nama lengkap paling banyak %(max)s karakter.", max=FULL_NAME_MAX))
    if role not in accounts.ROLES:
        form.role.errors.append(_("Pilih peran akun."))
    desa = db.session.get(Region, form.desa.data) if form.desa.data else None
    if role == "operator" and (desa is None or desa.kind not in ("desa", "kelurahan")):
        form.desa.errors.append(_("Pilih desa atau kelurahan operator ini."))
    elif role in accounts.ROLES and role != "operator" and form.desa.data:
        form.desa.errors.append(_("Hanya operator desa yang terikat pada desa. Kosongkan pilihan desa."))
    _check_passwords(form)
    return not any(field.errors for field in form)


def _check_passwords(form) -> None:
    """Put an Indonesian error on a password that is too short or typed differently the second time."""
    if len(form.password.data or "") < accounts.MIN_PASSWORD_LENGTH:
        form.password.errors.append(_("Kata sandi minimal %(count)s karakter.", count=accounts.MIN_PASSWORD_LENGTH))
    elif form.password.data != form.password2.data:
        form.password2.errors.append(_("Kedua kata sandi tidak sama. Ketik ulang dengan teliti."))


def _account_error(form, error: accounts.AccountError) -> None:
    """Put the Indonesian sentence for an AccountError next to the field it is about."""
    message = str(error)
    if message.startswith("the username"):
        form.username.errors.append(_("Nama pengguna sudah dipakai. Pilih nama lain."))
    elif message.startswith("unknown role"):
        form.role.errors.append(_("Pilih peran akun."))
    elif message.startswith(("an operator needs", "only operators")):
        form.desa.errors.append(_("Hanya operator desa yang terikat pada desa, dan setiap operator harus punya "
                                  "desa."))
    else:  # "a password needs …"
        form.password.errors.append(_("Kata sandi minimal %(count)s karakter.", count=accounts.MIN_PASSWORD_LENGTH))


def _detail(user: User) -> str:
    """Return the audit line's description of an account: name, role, and an operator's desa."""
    text = f"{user.username} ({user.full_name}), {_ROLE_IN_LOG.get(user.role, user.role)}"
    if user.role == "operator" and user.region_code:
        region = user.region or db.session.get(Region, user.region_code)
        text += f" {region.name if region else user.region_code}"
    return text


def _refuse(message: str, status: int, user: User | None = None):
    """Return the page that says why an account change was refused (with `status`)."""
    return render("admin/users_refused.html", message=message, user=user), status


def _forbidden_role(role: str):
    return _refuse(_("Hanya administrator yang dapat mengelola akun %(role)s. Kepala bidang mengelola akun "
                     "petugas loket dan operator desa.", role=role_names().get(role, role).lower()), 403)


@bp.post("/pengguna")
@roles_required(*SUPERVISORS)
def create_user():
    """Create the account (303 back to the list) or return the page with each error by its field (422);
    403 when a supervisor asks for an admin or supervisor account."""
    form = CreateForm()
    if not form.validate():  # only the CSRF token is validated by WTForms here
        abort(400)
    if form.role.data in accounts.ROLES and not may_manage(current_user, form.role.data):
        return _forbidden_role(form.role.data)
    if not _check_new(form):
        return _page(form, 422)
    role = form.role.data
    detail = f"{form.username.data} ({form.full_name.data}), {_ROLE_IN_LOG[role]}"
    if role == "operator":
        detail += f" {db.session.get(Region, form.desa.data).name}"
    try:
        user = accounts.create_user(form.username.data, form.full_name.data, role, form.password.data,
                                    form.desa.data if role == "operator" else None,
                                    audited=audit.Line(current_user, "create_user", calendar.now(), None, detail))
    except accounts.AccountError as error:  # a name taken in between our check and the insert
        _account_error(form, error)
        return _page(form, 422)
    flash(_("Akun %(name)s (%(role)s) dibuat. Sampaikan kata sandi awalnya kepada pemiliknya secara langsung.",
            name=user.username, role=role_names()[role]))
    return redirect(url_for("admin.users"), 303)


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _set_active(user_id: int, active: bool):
    form = ActionForm()
    if not form.validate():
        abort(400)
    user = _target(user_id)
    if not active and user.id == current_user.id:
        return _refuse(_("Anda tidak dapat menonaktifkan akun Anda sendiri. Minta administrator bila akun ini "
                         "memang harus dinonaktifkan."), 409, user)
    if not may_manage(current_user, user.role):
        return _forbidden_role(user.role)
    if user.active != active:
        accounts.set_active(user, active, audited=audit.Line(  # disabling ends the user's sessions
            current_user, "enable_user" if active else "disable_user", calendar.now(), None, _detail(user)))
    if active:
        flash(_("Akun %(name)s aktif kembali. Pemiliknya dapat masuk lagi.", name=user.username))
    else:
        flash(_("Akun %(name)s dinonaktifkan. Pemiliknya langsung keluar dan tidak dapat masuk lagi.",
                name=user.username))
    return redirect(url_for("admin.users"), 303)


@bp.post("/pengguna/<int:user_id>/nonaktifkan")
@roles_required(*SUPERVISORS)
def disable_user(user_id: int):
    """Disable the account and end its sessions (303); 403 for an account this user may not manage, 409 for
    one's own account, 404 for an unknown one."""
    return _set_active(user_id, False)


@bp.post("/pengguna/<int:user_id>/aktifkan")
@roles_required(*SUPERVISORS)
def enable_user(user_id: int):
    """Enable the account again (303); 403 for an account this user may not manage, 404 for an unknown one."""
    return _set_active(user_id, True)


@bp.route("/pengguna/<int:user_id>/sandi", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def reset_password(user_id: int):
    """Return the form for a new password; on a good post set it, end the account's sessions and go back to
    the list (303); 422 with the errors; 403 for an account this user may not manage; 404 for an unknown one."""
    user = _target(user_id)
    if not may_manage(current_user, user.role):
        return _forbidden_role(user.role)
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            abort(400)
        _check_passwords(form)
        if not form.password.errors and not form.password2.errors:
            line = audit.Line(current_user, "reset_password", calendar.now(), None, _detail(user))
            try:
                accounts.set_password(user, form.password.data, audited=line)
            except accounts.AccountError as error:
                _account_error(form, error)
            else:
                flash(_("Kata sandi akun %(name)s diganti. Pemiliknya keluar dari semua perangkat dan masuk "
                        "dengan kata sandi baru.", name=user.username))
                return redirect(url_for("admin.users"), 303)
        status = 422
    return render("admin/user_password.html", form=form, user=user, role_names=role_names(),
                  min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/pengguna/<int:user_id>/sesi")
@roles_required(*SUPERVISORS)
def user_sessions(user_id: int):
    """Return the account's live sessions, each with a button to end it; 403 for an account this user may not
    manage (their own excepted), 404 for an unknown one."""
    user = _target(user_id)
    if user.id != current_user.id and not may_manage(current_user, user.role):
        return _forbidden_role(user.role)
    return render("admin/user_sessions.html", user=user, rows=browser_sessions.active_of(user.id),
                  this=browser_sessions.current(), form=EndSessionForm(formdata=None), role_names=role_names())


@bp.post("/pengguna/<int:user_id>/sesi")
@roles_required(*SUPERVISORS)
def end_user_sessions(user_id: int):
    """End one session of the account (`sesi`) or all of them, with an audit line (303 back to its sessions;
    to the sign-in page when that ended this browser's own); 403/404 as `user_sessions`."""
    user = _target(user_id)
    if user.id != current_user.id and not may_manage(current_user, user.role):
        return _forbidden_role(user.role)
    form = EndSessionForm()
    if not form.validate():
        abort(400)
    try:
        ended = accounts.end_sessions(current_user, user, calendar.now(), form.session_id.data or None)
    except accounts.AccountError:
        flash(_("Sesi itu sudah berakhir."))
    else:
        if ended.here:
            return redirect(url_for("auth.sign_in"), 303)
        flash(_("%(count)s sesi akun %(name)s diakhiri. Perangkat itu harus masuk lagi.", count=ended.count,
                name=user.username))
    return redirect(url_for("admin.user_sessions", user_id=user.id), 303)
