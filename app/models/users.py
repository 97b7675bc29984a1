"""People who can sign in."""

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

ROLE_ADMIN = "admin"
ROLE_USER = "user"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=ROLE_USER)
    is_owner: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    # Waiting for an admin to let them in (sign-ups in "approval required" mode).
    pending: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    # Per-person quota overrides; None follows the instance defaults.
    quota_requests: Mapped[int | None]
    quota_downloads: Mapped[int | None]  # videos a day
    quota_storage_gb: Mapped[float | None]  # downloads kept, in GB
    quota_upload_gb: Mapped[float | None]  # uploads kept, in GB
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities = relationship(
        "Identity", back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    sessions = relationship(
        "UserSession", back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    # The signed-in session this object was loaded for (set by the user loader), if any.
    session_id = None
    session_key = None

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_active(self) -> bool:
        return not self.disabled and not self.pending

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


# Usernames are unique without regard to case ("Alice" and "alice" are one person).
Index("uq_users_username_lower", func.lower(User.username), unique=True)
