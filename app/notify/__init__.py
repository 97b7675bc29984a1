"""Outbound notifications: one notifier for every event, an outbox delivered by jobs to
Apprise channels, people's email and their own targets, retried and logged.

events.py   the event types, their audiences and default ways
outbox.py   emit(): the in-app message and the outbox row, in the caller's transaction
prefs.py    what each person wants, quiet hours and digests
fanout.py   a job: one event -> a delivery per destination
deliver.py  the due deliveries of one destination -> one message, retried with backoff
drain.py    the jobs that send: a few drainers take destination after destination from Redis
tasks.py    the sweeper: what Redis or a killed worker lost is started again from the database
transports.py  Apprise and SMTP, answering in plain words
channels.py admin channels and people's targets: parsing, summaries, encryption
digest.py   "New on Plex", daily or weekly per person
"""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import routes  # noqa: E402,F401
