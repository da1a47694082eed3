"""The forms of the staff area, one class per form (the views that use them import them from here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from ..domain.nik import normalize


class AuditFilterForm(FlaskForm):
    """The log's filters, read from the query string (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    petugas = SelectField(_l("Petugas"), choices=[], validate_choice=False)
    nomor = StringField(_l("Nomor permohonan"), filters=[lambda v: (v or "").strip()])
    tindakan = SelectField(_l("Tindakan"), choices=[], validate_choice=False)
    dari = StringField(_l("Dari tanggal"), filters=[lambda v: (v or "").strip()])
    sampai = StringField(_l("Sampai tanggal"), filters=[lambda v: (v or "").strip()])


class CollectorForm(FlaskForm):
    """Who collects the document: the applicant (default), a person they authorised, or the village operator."""

    collector = RadioField(_l("Siapa yang mengambil?"), default="applicant", validate_choice=False,
                           choices=[SelectChoice("applicant", _l("Pemohon sendiri")),
                                    SelectChoice("authorised", _l("Orang yang diberi kuasa")),
                                    SelectChoice("operator", _l("Operator desa"))])
    nik_digits = StringField(_l("4 angka terakhir NIK pemohon"),
                             description=_l("Lihat KTP-el orang yang datang. Boleh juga 16 angka lengkap."),
                             filters=[lambda v: normalize(v or "")[:24]])
    authorised_name = StringField(_l("Nama orang yang diberi kuasa"), description=_l("Seperti di KTP-el-nya."),
                                  filters=[lambda v: " ".join((v or "").split())])
    relation = StringField(_l("Hubungan dengan pemohon"), description=_l("Misalnya suami, istri, anak, orang tua."),
                           filters=[lambda v: " ".join((v or "").split())])
    authorised_nik = StringField(_l("NIK orang yang diberi kuasa"), description=_l("16 angka di KTP-el-nya."),
                                 filters=[lambda v: normalize(v or "")])
    letter_seen = BooleanField(_l("Surat kuasa bertanda tangan pemohon sudah saya periksa"))
    operator_name = StringField(_l("Nama operator desa"), filters=[lambda v: " ".join((v or "").split())])
    reason = StringField(_l("Alasan diserahkan di luar jadwal"),
                         description=_l("Tercatat di log audit. Misalnya: pemohon berangkat kerja ke luar kota besok."),
                         filters=[lambda v: " ".join((v or "").split())[:300]])
    submit = SubmitField(_l("Serahkan dokumen"))


class ManifestHandoverForm(FlaskForm):
    """The village operator collecting for the desa; the item comes from the pressed button (`reference`)."""

    operator_name = StringField(_l("Nama operator desa yang mengambil"),
                                description=_l("Seperti di KTP-el-nya. Berlaku untuk semua dokumen manifes ini."),
                                filters=[lambda v: " ".join((v or "").split())[:120]])
    reason = StringField(_l("Alasan diserahkan di luar jadwal"),
                         description=_l("Berlaku untuk dokumen yang diserahkan dalam kunjungan ini. Tercatat di log audit."),
                         filters=[lambda v: " ".join((v or "").split())[:300]])


class PrintDayForm(FlaskForm):
    """Which pickup day to print and on which paper (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    hari = StringField(_l("Hari pengambilan"), filters=[lambda v: (v or "").strip()])
    jenis = RadioField(_l("Yang dicetak"), default="tanda_terima", validate_choice=False,
                       choices=[SelectChoice("tanda_terima", _l("Tanda terima pengambilan, satu per dokumen")),
                                SelectChoice("manifes", _l("Manifes pengambilan kolektif per desa (A4)"))])
    ukuran = RadioField(_l("Kertas"), default="a6", validate_choice=False,
                        choices=[SelectChoice("a6", _l("A6 (printer biasa, satu tanda terima per lembar)")),
                                 SelectChoice("80", _l("Gulungan thermal 80 mm"))])
