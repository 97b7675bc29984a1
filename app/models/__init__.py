"""The data model; one module per area."""

from app.models.audit import AuditEvent
from app.models.backups import Backup
from app.models.discover import DiscoverList, DiscoverTitle
from app.models.downloads import Download, DownloadItem, DownloadWatcher, Subscription
from app.models.health import AppError, HealthSample, Incident, ServiceState
from app.models.identities import Identity
from app.models.invitations import Invitation
from app.models.library import ItemGuid, ItemTag, LibrarySection, MediaItem, SyncRun
from app.models.notifications import Notification
from app.models.notify import (
    Delivery,
    NotifyChannel,
    NotifyEvent,
    NotifyPref,
    NotifyProfile,
    PersonTarget,
)
from app.models.requests import (
    MediaRequest,
    OverseerrLink,
    RequestAction,
    RequestEvent,
    RequestFollower,
    RequestQuota,
)
from app.models.sessions import UserSession
from app.models.system import HealthCheck, Setting
from app.models.uploads import Upload
from app.models.users import User

__all__ = [
    "Backup",
    "Delivery",
    "NotifyChannel",
    "NotifyEvent",
    "NotifyPref",
    "NotifyProfile",
    "PersonTarget",
    "AppError",
    "HealthSample",
    "Incident",
    "ServiceState",
    "AuditEvent",
    "DiscoverList",
    "DiscoverTitle",
    "Download",
    "DownloadItem",
    "DownloadWatcher",
    "HealthCheck",
    "Identity",
    "Invitation",
    "ItemGuid",
    "ItemTag",
    "LibrarySection",
    "MediaItem",
    "MediaRequest",
    "Notification",
    "Upload",
    "OverseerrLink",
    "RequestAction",
    "RequestEvent",
    "RequestFollower",
    "RequestQuota",
    "Setting",
    "Subscription",
    "SyncRun",
    "User",
    "UserSession",
]
