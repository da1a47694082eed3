"""The supervisor's area, `/admin/…`. Importing the package registers every view on `bp`."""

from . import counters, hours, office, places, reports, routes, services, users  # noqa: F401  (views register on bp)
from .blueprint import bp  # noqa: F401
