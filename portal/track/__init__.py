"""Tracking, `/lacak/…`: looking an application up, its status, receipt and corrections. Importing the
package registers every view on `bp`."""

from . import correction, routes  # noqa: F401  (views register on bp)
from .blueprint import bp  # noqa: F401
