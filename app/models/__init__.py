"""The data model; one module per area."""

from app.models.notifications import Notification
from app.models.system import HealthCheck, Setting
from app.models.users import User

__all__ = ["HealthCheck", "Notification", "Setting", "User"]
