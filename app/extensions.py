"""Extensions, created unbound here and bound to the app in create_app."""

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from redis import Redis
from rq import Queue
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
sock = Sock()
csrf = CSRFProtect()
htmx_ext = Htmx()
limiter = Limiter(get_remote_address)

# "downloads" holds the long video jobs, so a busy download never delays a sync or a request.
QUEUE_NAMES = ("default", "downloads")


def redis_conn() -> Redis:
    """The app's shared Redis client (one connection pool per process)."""
    client = current_app.extensions.get("medianest.redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        )
        current_app.extensions["medianest.redis"] = client
    return client


def get_queue(name: str = "default") -> Queue:
    """An RQ queue on the app's Redis."""
    return Queue(name, connection=redis_conn())
