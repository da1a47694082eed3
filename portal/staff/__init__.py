"""The clerk's area, `/petugas/…`: inbox, review, ready, handover, prints and the audit log.

The blueprint is in `blueprint.py`; each part adds its views from its own module, and importing the package
registers them all.
"""

from . import audit_log, handover, inbox, manifest_handover, prints, review, review_files  # noqa: F401
from .blueprint import bp  # noqa: F401
