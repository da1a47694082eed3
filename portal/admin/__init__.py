"""The supervisor's area, `/admin/…`. Importing the package registers every view on `bp`."""

from . import catalogue, counters, hours, office, places, reports, routes, users  # noqa: F401  (views register on bp)
from .blueprint import bp  # noqa: F401
