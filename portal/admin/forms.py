"""The forms of the admin area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice


def strip(value: str | None) -> str:
    """Return the typed text without surrounding spaces ("" for nothing)."""
    return (value or "").strip()


STRIP = [strip]  # a field's filters: what is typed is kept without surrounding spaces


class WeekForm(FlaskForm):
    """One activity's windows per weekday, and the confirmation asked when booked tickets fall outside."""

    mon = StringField(filters=STRIP)
    tue = StringField(filters=STRIP)
    wed = StringField(filters=STRIP)
    thu = StringField(filters=STRIP)
    fri = StringField(filters=STRIP)
    sat = StringField(filters=STRIP)
    sun = StringField(filters=STRIP)
    konfirmasi = BooleanField(_l("Saya mengerti: simpan jam baru. Tiket yang sudah dipesan tetap berlaku."))


class ResetForm(FlaskForm):
    """Back to the setting's week, with the same confirmation."""

    konfirmasi = BooleanField(_l("Saya mengerti: kembalikan ke jam bawaan. Tiket yang sudah dipesan tetap "
                                 "berlaku."))


class DayRuleForm(FlaskForm):
    """Close a date (whole day or one activity, with a reason) or open it with its own windows."""

    hari = StringField(_l("Tanggal"), filters=STRIP)
    jenis = RadioField(_l("Keputusan"), choices=[SelectChoice("tutup", _l("Tutup")), SelectChoice("buka", _l("Buka"))],
                       default="tutup", validate_choice=False)
    kegiatan = SelectField(_l("Kegiatan"), choices=[], validate_choice=False)
    alasan = StringField(_l("Alasan yang dibaca warga"), filters=STRIP)
    jam = StringField(_l("Jam buka (bila dibuka)"), filters=STRIP)


class NoticeForm(FlaskForm):
    """A notice under the banner, for everyone or one service."""

    teks = StringField(_l("Teks pengumuman"), filters=STRIP)
    teks_en = StringField(_l("Teks dalam bahasa Inggris (tidak wajib)"), filters=STRIP)
    mulai = StringField(_l("Mulai tanggal"), filters=STRIP)
    sampai = StringField(_l("Sampai tanggal (tidak wajib)"), filters=STRIP)
    layanan = SelectField(_l("Untuk"), choices=[], validate_choice=False)


class QuotaDayForm(FlaskForm):
    """The day whose quotas are shown (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    hari = StringField(_l("Hari"), filters=STRIP)


class QuotaForm(FlaskForm):
    """Counters on duty or a fixed quota for one purpose, for the whole day or one window."""

    hari = StringField(_l("Hari"), filters=STRIP)
    keperluan = SelectField(_l("Keperluan"), choices=[], validate_choice=False)
    jendela = SelectField(_l("Berlaku untuk"), choices=[], validate_choice=False)
    jenis = RadioField(_l("Angka yang diatur"), choices=[SelectChoice("loket", _l("Jumlah loket yang bertugas")),
                                                          SelectChoice("kuota", _l("Kuota tetap per jam"))],
                       default="loket", validate_choice=False)
    angka = StringField(_l("Angka"), filters=STRIP)


class ClearQuotaForm(FlaskForm):
    """Remove the figures set for a day (one purpose or all)."""

    hari = StringField(_l("Hari"), filters=STRIP)
    keperluan = SelectField(_l("Keperluan"), choices=[], validate_choice=False)


class PlaceForm(FlaskForm):
    """A place's name, address and whether it prints KTP-el (the code only when adding)."""

    kode = StringField(_l("Kode"), filters=[lambda value: (value or "").strip().upper()])
    nama = StringField(_l("Nama tempat"), filters=STRIP)
    alamat = StringField(_l("Alamat"), filters=STRIP)
    cetak = BooleanField(_l("Bisa mencetak KTP-el"))
    # What the edit form was opened on (`places.version`): a save over someone else's newer change is refused.
    versi = HiddenField()


class PeriodForm(FlaskForm):
    """The report's period, read from the query string (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    dari = StringField(_l("Dari tanggal"), filters=[lambda v: (v or "").strip()])
    sampai = StringField(_l("Sampai tanggal"), filters=[lambda v: (v or "").strip()])


class CreateForm(FlaskForm):
    """A new account; the role and desa choices are checked by hand so each error reads well."""

    username = StringField(_l("Nama pengguna"), filters=[lambda v: strip(v).lower()])
    full_name = StringField(_l("Nama lengkap"), filters=[strip])
    role = SelectField(_l("Peran"), choices=[], validate_choice=False)
    desa = SelectField(_l("Desa atau kelurahan"), choices=[], validate_choice=False)
    password = PasswordField(_l("Kata sandi awal"))
    password2 = PasswordField(_l("Ketik ulang kata sandi"))


class PasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(_l("Kata sandi baru"))
    password2 = PasswordField(_l("Ketik ulang kata sandi baru"))


class ActionForm(FlaskForm):
    """Only the CSRF token: disabling and enabling an account take no input."""
