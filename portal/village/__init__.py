"""The village operator's area, `/desa/…`. Importing the package registers every page on `bp`."""

from . import batches, filing, home, pickup  # noqa: F401  (views register on bp)
from .blueprint import bp  # noqa: F401
