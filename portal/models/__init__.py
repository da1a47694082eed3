"""Database tables, one module per domain. Behaviour lives in `portal/domain` and `portal/services`; these are
the stored facts. Everything is importable from `portal.models`, and importing it registers every table."""

from .types import UTCDateTime, utcnow  # noqa: F401
from .catalogue import Region, PickupPlace, Service, service_pickup_place  # noqa: F401
from .office import DayRule, OfficeHours, Notice, Revision  # noqa: F401
from .applications import Application, ApplicationDocument, ApplicationEvent, Handover  # noqa: F401
from .accounts import User, AuditEntry, BrowserSession  # noqa: F401
from .queue import QueueSequence, QuotaRule, QueueTicket, UsualCounters  # noqa: F401
from .village import Batch, PickupManifest, manifest_item  # noqa: F401
from .notifications import Notification  # noqa: F401
from .practice import PracticeClock  # noqa: F401
