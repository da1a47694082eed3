"""The supervisor's area, `/admin/…`: closures and notices, quotas and counters, weekly hours, services,
pickup places, users and reports.

Supervisors and admins only. The blueprint is in `blueprint.py`; this module has the home page, and each
part adds its pages from its own module (the package imports them all): `office` (closures, date overrides, notices, quotas), `counters` (the counters
usually on duty), `hours` (the weekly hours), `catalogue` (the services), `places` (pickup places), `users`
(accounts), `reports` (figures, charts and CSV).
"""

from __future__ import annotations

from flask_login import current_user

from ..auth.guard import roles_required
from ..templating import render

from .blueprint import SUPERVISORS, bp


@bp.get("")
@roles_required(*SUPERVISORS)
def home():
    """Return the supervisor's home: today's status, the next closures, the notices running, today's queue use,
    and links to every settings page."""
    from datetime import timedelta

    from flask import current_app, url_for
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    from ..queue.present import purpose_label
    from ..services import calendar, closures, queue, quotas, storage
    from ..templating import long_date
    from .office import activity_names

    today = queue.today()
    upcoming = calendar.calendar().closures_between(today, today + timedelta(days=60))[:5]
    running = [notice for notice in closures.notices_from(today) if notice.starts_on <= today]
    use: dict[str, list] = {}
    for purpose, _window, quota, taken in quotas.quota_table(today):
        row = use.setdefault(purpose.code, [purpose_label(purpose), 0, 0])
        row[1] += taken
        row[2] += quota
    pages = (("admin.days", _("Hari tutup dan hari buka khusus"),
              _("Tutup kantor pada suatu tanggal atau buka dengan jam sendiri.")),
             ("admin.hours", _("Jam buka mingguan"), _("Jam pengajuan dan pengambilan untuk setiap hari dalam seminggu.")),
             ("admin.notices", _("Pengumuman"), _("Pengumuman di bawah jam buka atau pada satu layanan.")),
             ("admin.counters", _("Loket yang biasa bertugas"), _("Jumlah loket per keperluan antrean pada hari biasa.")),
             ("admin.quotas", _("Kuota antrean"), _("Loket yang bertugas atau kuota tetap per hari dan jam.")),
             ("admin.services", _("Layanan"), _("Persyaratan, dokumen, pertanyaan, dan tempat ambil setiap layanan.")),
             ("admin.places_list", _("Tempat pengambilan"), _("Tempat dokumen jadi bisa diambil, dan layanannya.")),
             ("admin.users", _("Pengguna"), _("Akun petugas, kepala bidang, dan operator desa.")),
             ("admin.reports", _("Laporan"), _("Angka layanan, grafik, dan unduhan CSV.")))
    links = [(url_for(endpoint), title, text) for endpoint, title, text in pages
             if endpoint in current_app.view_functions]  # a page not built yet is left out
    files = storage.health()
    free_gb = format_decimal(files.free_bytes / 1024 ** 3, "#,##0.0") if files.free_bytes is not None else None
    recent_failure = files.last_failure_at is not None and calendar.now() - files.last_failure_at < timedelta(days=1)
    return render("admin/home.html", user=current_user, today=long_date(today), upcoming=upcoming,
                  notices=running, use=list(use.values()), activities=activity_names(), long_date=long_date,
                  links=links, files=files, free_gb=free_gb, recent_failure=recent_failure)

