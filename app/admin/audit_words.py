"""The audit log in plain words: a sentence for each kind of event, labels for its details."""

from collections.abc import Callable

METHODS = {
    "password": "a password",
    "plex": "Plex",
    "oidc": "single sign-on",
    "invite": "an invitation",
}
REFUSALS = {
    "not_shared": "the server is not shared with them",
    "no_server": "MediaNest is not connected to a Plex server yet",
    "disabled": "their account is disabled",
}
ROLE_WORDS = {"admin": "Admin", "user": "User"}
VIA = {"setup": "on the setup page", "cli": "from the command line"}

# What the log's filter offers for each action; a code it does not know reads from its name.
ACTION_LABELS = {
    "signin.success": "Signed in",
    "signin.failed": "Sign-in failed",
    "signin.refused": "Sign-in refused",
    "signout": "Signed out",
    "session.ended": "Device signed out",
    "session.ended_others": "Other devices signed out",
    "session.ended_all": "Signed out everywhere",
    "owner.created": "Owner created",
    "user.created": "Account created",
    "user.approved": "Person approved",
    "user.role_changed": "Role changed",
    "user.disabled": "Person disabled",
    "user.enabled": "Person enabled",
    "user.quota_changed": "Quotas changed",
    "user.deleted": "Person deleted",
    "users.imported": "People imported from Plex",
    "invite.created": "Invitation created",
    "invite.used": "Invitation used",
    "invite.revoked": "Invitation revoked",
    "library.sync_started": "Library sync started",
    "library.hidden": "Library hidden",
    "library.shown": "Library shown",
    "library.webhook_rotated": "Webhook address changed",
    "settings.changed": "Settings changed",
    "backup.passphrase_set": "Backup passphrase set",
    "backup.restored": "Backup restored",
    "overseerr.tested": "Overseerr connection tested",
    "overseerr.webhook_generated": "Overseerr webhook secret made",
    "overseerr.matches_imported": "Overseerr users matched",
    "request.approved": "Request approved",
    "request.declined": "Request declined",
    "request.seasons_changed": "Request's seasons changed",
    "request.marked_available": "Request marked available",
    "request.retried": "Request tried again",
    "job.retried": "Failed job queued again",
    "job.deleted": "Failed job deleted",
    "notify.channel_added": "Notification channel added",
    "notify.channel_changed": "Notification channel changed",
    "notify.channel_deleted": "Notification channel deleted",
    "notify.channel_enabled": "Notification channel enabled",
    "notify.channel_disabled": "Notification channel disabled",
    "notify.email_asked": "Email address to confirm",
    "notify.email_confirmed": "Email address confirmed",
    "notify.email_removed": "Email address removed",
    "notify.schedule_saved": "Notification schedule saved",
    "notify.target_added": "Own notification service added",
    "notify.target_deleted": "Own notification service removed",
}

SETTING_LABELS = {
    "instance.client_id": "Plex client id of this install",
    "plex.server_url": "Plex server address",
    "plex.machine_id": "Plex server id",
    "plex.server_name": "Plex server name",
    "plex.server_version": "Plex server version",
    "plex.owner_token": "Owner's Plex token",
    "plex.owner_account_id": "Owner's Plex account",
    "plex.webhook_secret": "Plex webhook secret",
    "signup.approval_required": "Approval of new accounts",
    "signup.default_role": "Role of new accounts",
    "quota.requests": "Default request quota",
    "quota.downloads": "Default videos a day",
    "downloads.youtube_dir": "YouTube folder",
    "downloads.plex_path": "YouTube folder as Plex sees it",
    "downloads.library": "Plex library for downloads",
    "downloads.allowed_hosts": "Extra download hosts",
    "downloads.allowed_sites": "Extra download sites",
    "downloads.storage_gb": "Default download storage cap",
    "downloads.cookies_at": "Cookies for downloads",
    "uploads.max_file_gb": "Largest upload, GB",
    "uploads.quota_gb": "Default upload space, GB",
    "uploads.home_dir": "Home Videos folder",
    "uploads.plex_path": "Home Videos folder as Plex sees it",
    "uploads.library": "Plex library for home videos",
    "uploads.convert": "Convert uploads Plex cannot play directly",
    "oidc.enabled": "Single sign-on",
    "oidc.issuer": "Single sign-on issuer",
    "oidc.client_id": "Single sign-on client id",
    "oidc.client_secret": "Single sign-on client secret",
    "oidc.admin_claim": "Single sign-on admin claim",
    "oidc.admin_value": "Single sign-on admin value",
    "oidc.label": "Single sign-on button label",
    "overseerr.url": "Overseerr address",
    "overseerr.api_key": "Overseerr API key",
    "overseerr.webhook_auth": "Overseerr webhook secret",
    "overseerr.version": "Overseerr version",
    "overseerr.checked_at": "Overseerr last tested",
    "tmdb.api_key": "TMDB API key",
    "requests.movie_limit": "Movie requests allowed",
    "requests.movie_days": "Days the movie allowance covers",
    "requests.season_limit": "Season requests allowed",
    "requests.season_days": "Days the season allowance covers",
    "requests.auto_approve_admin": "Approve admins' requests at once",
    "requests.auto_approve_user": "Approve everyone's requests at once",
    "notify.smtp_url": "SMTP server for email to people",
    "notify.smtp_from": "Sender of email to people",
    "instance.public_url": "Public address of MediaNest",
}
DETAIL_LABELS = {
    "plex_id": "Plex account id",
    "email": "Email",
    "role": "Role",
    "already here": "Already had an account",
    "usernames": "Added",
    "section": "Plex library id",
    "expires": "Expires",
    "note": "Note",
    "invitation": "Invitation",
    "by": "By",
    "requests": "Requests",
    "downloads": "Downloads",
    "request": "Request number",
    "reason": "Reason",
    "queue": "Queue",
}


def action_label(action: str) -> str:
    """ "signin.refused" → "Sign-in refused"; unknown codes read from their name."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Something happened"


def detail_label(key: str) -> str:
    return SETTING_LABELS.get(key) or DETAIL_LABELS.get(key) or key.replace("_", " ")


def _name(value, fallback: str) -> str:
    return str(value) if value else fallback


def _method(details: dict) -> str:
    method = details.get("method", "")
    return METHODS.get(method, str(method).replace("_", " ") or "an unknown method")


def _reason(details: dict) -> str:
    reason = str(details.get("reason") or "")
    return REFUSALS.get(reason, reason.replace("_", " ")) or "no reason given"


def _role(value) -> str:
    return ROLE_WORDS.get(str(value), str(value or "–"))


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeio" else f"a {word}"  # "a user", "an admin"


# Each takes (who, target, details) and returns the sentence and the detail keys it told;
# target is "someone" when the event names no one.
Describer = Callable[[str, str, dict], tuple[str, set]]


def _signin_success(who, target, d):
    return f"{target} signed in with {_method(d)}", {"method"}


def _signin_failed(who, target, d):
    if d.get("method") == "password":
        return f"Someone failed to sign in as “{target}”: wrong username or password", {"method"}
    return f"A sign-in with {_method(d)} failed: {_reason(d)}", {"method", "reason"}


def _signin_refused(who, target, d):
    return f"{target} was refused sign-in with {_method(d)}: {_reason(d)}", {"method", "reason"}


def _owner_created(who, target, d):
    return f"{target} was made the owner {VIA.get(d.get('via'), '')}".strip(), {"via"}


def _user_created(who, target, d):
    role = _role(d.get("role", "admin")).lower()
    by = "" if who == "MediaNest" else f" by {who}"
    text = f"{target} was given {_a(role)} account{by} {VIA.get(d.get('via'), '')}"
    return text.strip(), {"via", "role"}


def _role_changed(who, target, d):
    change = f"from {_role(d.get('old'))} to {_role(d.get('new'))}"
    if d.get("by"):
        return f"{target}'s role changed {change} ({d['by']})", {"old", "new", "by"}
    return f"{who} changed {target}'s role {change}", {"old", "new"}


def _simple(verb: str) -> Describer:
    return lambda who, target, d: (f"{who} {verb} {target}", set())


def _deleted(who, target, d):
    role = f" ({_a(_role(d['role']).lower())})" if d.get("role") else ""
    return f"{who} deleted {target}{role}", {"role"}


def _imported(who, target, d):
    added = int(d.get("added", 0))
    return f"{who} imported {added} {'person' if added == 1 else 'people'} from Plex", {"added"}


def _invite_created(who, target, d):
    role = _role(d.get("role")).lower()
    return f"{who} created an invitation for {target} to join as {_a(role)}", {"role"}


def _invite_used(who, target, d):
    by = f" from {d['invited_by']}" if d.get("invited_by") else ""
    how = "" if d.get("method") in (None, "password") else f", signing in with {_method(d)}"
    return f"{target} joined with an invitation{by}{how}", {"invited_by", "method"}


def _invite_revoked(who, target, d):
    return f"{who} revoked the invitation for {target}", set()


def _sync_started(who, target, d):
    kind = "a full library sync" if d.get("kind", "full") == "full" else "a library sync"
    return f"{who} started {kind}", {"kind"}


def _backup_restored(who, target, d):
    # Written after the restore, into the restored database, where the owner may not exist.
    return f"{d.get('by') or who} restored the backup {target}", {"by"}


def _ended_others(who, target, d):
    count = int(d.get("count", 0))
    return f"{target} signed out {count} other device{'s' if count != 1 else ''}", {"count"}


def _request_declined(who, target, d):
    reason = f": {d['reason']}" if d.get("reason") else ""
    return f"{who} declined the request for {target}{reason}", {"reason"}


def _request_seasons(who, target, d):
    change = f" from {d['old']} to {d['new']}" if d.get("old") and d.get("new") else ""
    return f"{who} changed the seasons of the request for {target}{change}", {"old", "new"}


# What a group of settings is called in a sentence, by the prefix of their keys.
SETTING_GROUPS = {
    "plex": "the Plex server connection",
    "oidc": "single sign-on",
    "signup": "sign-ups",
    "overseerr": "the Overseerr connection",
    "tmdb": "the TMDB key",
    "requests": "the request rules",
    "dashboard": "the dashboard",
    "quota": "the default quotas",
    "downloads": "the download settings",
    "kuma": "the Uptime Kuma settings",
    "health": "the health checks",
    "notify": "the email settings",
}


def _settings_changed(who, target, d):
    groups = []
    for key in d:
        group = SETTING_GROUPS.get(str(key).partition(".")[0], "settings")
        if group not in groups:
            groups.append(group)
    if not groups:
        return f"{who} changed settings", set()
    named = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
    return f"{who} changed {named}", set()


def _overseerr_tested(who, target, d):
    if d.get("ok"):
        return f"{who} tested the connection to Overseerr {d.get('version', '')}".rstrip(), {
            "ok",
            "version",
        }
    return f"{who} tested the connection to Overseerr: it failed", {"ok"}


def _matches_imported(who, target, d):
    matched, unmatched = int(d.get("matched", 0)), int(d.get("unmatched", 0))
    return (
        f"{who} matched {matched} {'person' if matched == 1 else 'people'} to Overseerr users "
        f"({unmatched} without one)",
        {"matched", "unmatched"},
    )


def _fixed(template: str) -> Describer:
    return lambda who, target, d: (template.format(who=who, target=target), set())


DESCRIBERS: dict[str, Describer] = {
    "signin.success": _signin_success,
    "signin.failed": _signin_failed,
    "signin.refused": _signin_refused,
    "signout": _fixed("{target} signed out"),
    "session.ended": _fixed("{target} signed out one of their other devices"),
    "session.ended_others": _ended_others,
    "session.ended_all": _fixed("{target} signed out on every device"),
    "owner.created": _owner_created,
    "user.created": _user_created,
    "user.approved": _simple("approved"),
    "user.role_changed": _role_changed,
    "user.disabled": _simple("disabled"),
    "user.enabled": _simple("enabled"),
    "user.quota_changed": _fixed("{who} changed {target}'s quotas"),
    "user.deleted": _deleted,
    "users.imported": _imported,
    "invite.created": _invite_created,
    "invite.used": _invite_used,
    "invite.revoked": _invite_revoked,
    "library.sync_started": _sync_started,
    "library.hidden": _fixed("{who} hid the library {target}"),
    "library.shown": _fixed("{who} showed the library {target} again"),
    "library.webhook_rotated": _fixed("{who} gave the Plex webhook a new address"),
    "settings.changed": _settings_changed,
    "backup.passphrase_set": _fixed("{who} set a new backup passphrase"),
    "backup.restored": _backup_restored,
    "overseerr.tested": _overseerr_tested,
    "overseerr.webhook_generated": _fixed("{who} made a new secret for Overseerr's webhook"),
    "overseerr.matches_imported": _matches_imported,
    "request.approved": _fixed("{who} approved the request for {target}"),
    "request.declined": _request_declined,
    "request.seasons_changed": _request_seasons,
    "request.marked_available": _fixed("{who} marked the request for {target} available"),
    "request.retried": _fixed("{who} tried the request for {target} again"),
    "job.retried": _fixed("{who} queued the failed job {target} again"),
    "job.deleted": _fixed("{who} deleted the failed job {target}"),
    "notify.channel_added": _fixed("{who} added the notification channel {target}"),
    "notify.channel_changed": _fixed("{who} changed the notification channel {target}"),
    "notify.channel_deleted": _fixed("{who} deleted the notification channel {target}"),
    "notify.channel_enabled": _fixed("{who} enabled the notification channel {target}"),
    "notify.channel_disabled": _fixed("{who} disabled the notification channel {target}"),
    "notify.email_asked": _fixed("{who} asked to be emailed at a new address"),
    "notify.email_confirmed": _fixed("{who} confirmed their email address"),
    "notify.email_removed": _fixed("{who} removed their email address"),
    "notify.schedule_saved": _fixed("{who} changed their quiet hours and digests"),
    "notify.target_added": _fixed("{who} added a notification service of their own"),
    "notify.target_deleted": _fixed("{who} removed a notification service of their own"),
}


def sentence(action: str, who: str | None, target: str | None, details) -> tuple[str, set]:
    """The event as one sentence, and the detail keys the sentence already says."""
    details = details if isinstance(details, dict) else {}
    who = who or "MediaNest"
    describe = DESCRIBERS.get(action)
    if describe is not None:
        try:
            text, told = describe(who, target or "someone", details)
            return text.rstrip(".") + ".", told
        except (TypeError, ValueError, AttributeError, KeyError):
            pass  # details of another shape: say it the general way
    text = action_label(action)
    if who != "MediaNest":
        text += f" by {who}"
    if target:
        text += f": {target}"
    return text + ".", set()
