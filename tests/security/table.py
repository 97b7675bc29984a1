"""The access table: every endpoint of the app and who may use it, by class (access.py).

A new route needs an entry here; test_access_matrix.py fails until it has one.
"""

from tests.security.access import (
    ADMIN_ONLY,
    ANONYMOUS_ONLY,
    FORBIDDEN,
    MISSING,
    OWN,
    OWN_ONLY,
    OWNER_ONLY,
    PUBLIC,
    SECRET,
    SETUP,
    SIGNED_IN,
    SOCKET,
    Access,
    Lit,
)
from tests.security.world import (
    METRICS_TOKEN,
    OVERSEERR_SECRET,
)

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
PLEX_EVENT = {"payload": '{"event": "library.new", "Metadata": {"librarySectionID": "1"}}'}
OVERSEERR_TEST = b'{"notification_type": "TEST_NOTIFICATION"}'
NO_JOB = {"queue": Lit("default"), "job_id": MISSING}
DEAD = "http://127.0.0.1:9"  # nothing listens there: an outside service that is not set up

TABLE: dict[str, Access] = {
    # Admin pages and actions
    "admin.audit": Access(ADMIN_ONLY),
    "admin.backups_page": Access(ADMIN_ONLY),
    "admin.backups_list": Access(ADMIN_ONLY),
    "admin.backups_now": Access(ADMIN_ONLY),
    "admin.backups_passphrase": Access(ADMIN_ONLY),
    "admin.backups_schedule": Access(ADMIN_ONLY),
    "admin.backups_download": Access(ADMIN_ONLY, args={"backup_id": MISSING}),
    "admin.backups_bucket": Access(ADMIN_ONLY),
    "admin.backups_bucket_test": Access(ADMIN_ONLY),
    "admin.backups_send": Access(ADMIN_ONLY, args={"backup_id": MISSING}),
    "admin.backups_restore": Access(OWNER_ONLY, args={"backup_id": MISSING}),
    "admin.backups_restore_start": Access(OWNER_ONLY, args={"backup_id": MISSING}),
    "admin.download_limits": Access(ADMIN_ONLY),
    "admin.download_limits_save": Access(ADMIN_ONLY),
    "admin.downloads_cookies": Access(ADMIN_ONLY),
    "admin.downloads_cookies_remove": Access(ADMIN_ONLY),
    "admin.downloads_settings": Access(ADMIN_ONLY),
    "admin.downloads_settings_save": Access(ADMIN_ONLY),
    "admin.health": Access(ADMIN_ONLY),
    "admin.index": Access(ADMIN_ONLY, ok=(302,)),  # on to Admin → Health
    "admin.invites_create": Access(ADMIN_ONLY),
    "admin.invites_list": Access(ADMIN_ONLY),
    "admin.invites_revoke": Access(ADMIN_ONLY),
    "admin.library": Access(ADMIN_ONLY),
    "admin.library_hidden": Access(ADMIN_ONLY, data={"hidden": "1"}),
    "admin.library_sync": Access(ADMIN_ONLY),
    "admin.library_sync_state": Access(ADMIN_ONLY, hx=True),
    "admin.library_webhook_rotate": Access(ADMIN_ONLY),
    "admin.library_webhook_rotate_confirm": Access(ADMIN_ONLY),
    "admin.notifications": Access(ADMIN_ONLY),
    "admin.notifications_add": Access(ADMIN_ONLY),
    "admin.notifications_delete": Access(ADMIN_ONLY),
    "admin.notifications_edit": Access(ADMIN_ONLY),
    "admin.notifications_email": Access(ADMIN_ONLY),
    "admin.notifications_email_test": Access(ADMIN_ONLY),
    "admin.notifications_enable": Access(ADMIN_ONLY),
    "admin.notifications_log": Access(ADMIN_ONLY),
    "admin.notifications_resend": Access(ADMIN_ONLY),
    "admin.notifications_save": Access(ADMIN_ONLY),
    "admin.notifications_test": Access(ADMIN_ONLY),
    "admin.oidc": Access(ADMIN_ONLY),
    "admin.oidc_save": Access(ADMIN_ONLY),
    "admin.plex_choose": Access(OWNER_ONLY),
    "admin.plex_connect": Access(OWNER_ONLY),
    "admin.plex_servers": Access(OWNER_ONLY, ok=(200, 302)),  # no sign-in to choose from
    "admin.plex_settings": Access(OWNER_ONLY),
    "admin.requests_settings": Access(ADMIN_ONLY),
    "admin.requests_settings_matches": Access(ADMIN_ONLY),
    "admin.requests_settings_save": Access(ADMIN_ONLY),
    "admin.requests_settings_test": Access(ADMIN_ONLY),
    "admin.requests_settings_webhook": Access(ADMIN_ONLY),
    "admin.signup": Access(ADMIN_ONLY),
    "admin.signup_save": Access(ADMIN_ONLY),
    "admin.status_settings": Access(ADMIN_ONLY),
    "admin.status_settings_save": Access(ADMIN_ONLY),
    "admin.status_settings_test": Access(ADMIN_ONLY),
    "admin.system": Access(ADMIN_ONLY),
    # No failed job to name: whoever may ask is told there is none.
    "admin.system_job_delete": Access(ADMIN_ONLY, args=NO_JOB),
    "admin.system_job_retry": Access(ADMIN_ONLY, args=NO_JOB),
    "admin.upload_limits": Access(ADMIN_ONLY),
    "admin.upload_limits_save": Access(ADMIN_ONLY),
    "admin.uploads_settings": Access(ADMIN_ONLY),
    "admin.uploads_settings_save": Access(ADMIN_ONLY),
    "admin.user": Access(ADMIN_ONLY),
    "admin.user_approve": Access(ADMIN_ONLY),
    "admin.user_delete": Access(ADMIN_ONLY),
    "admin.user_delete_confirm": Access(ADMIN_ONLY),
    "admin.user_disable": Access(ADMIN_ONLY),
    "admin.user_enable": Access(ADMIN_ONLY),
    "admin.user_role": Access(ADMIN_ONLY, data={"role": "admin"}),
    "admin.users": Access(ADMIN_ONLY),
    "admin.users_import": Access(ADMIN_ONLY),
    # Signing in and out, the account page
    "auth.account": Access(SIGNED_IN),
    "auth.end_all_sessions": Access(SIGNED_IN, signs_out=True),
    "auth.end_other_sessions": Access(SIGNED_IN),
    "auth.end_session": Access(OWN_ONLY),
    "auth.login": Access(ANONYMOUS_ONLY, ok=(200, 400)),
    "auth.logout": Access(PUBLIC, signs_out=True),
    # Without the state a real round trip carries: a page that says so, for anyone.
    "auth.oidc_callback": Access(PUBLIC, ok=(400,)),
    "auth.oidc_start": Access(PUBLIC, ok=(404,)),  # single sign-on is off here
    "auth.password": Access(SIGNED_IN, ok=(200, 400)),
    "auth.plex_callback": Access(PUBLIC, ok=(400,)),
    "auth.plex_start": Access(PUBLIC),
    # Dashboard
    "dashboard.check_now": Access(ADMIN_ONLY),
    "dashboard.checklist_card": Access(OWNER_ONLY, hx=True),
    "dashboard.checklist_dismiss": Access(OWNER_ONLY),
    "dashboard.index": Access(SIGNED_IN),
    "dashboard.status_card": Access(SIGNED_IN, hx=True),
    # Discover
    "discover.image": Access(SIGNED_IN, args={"size": Lit("w342"), "name": "tmdb_poster"}),
    "discover.index": Access(SIGNED_IN),
    "discover.movie": Access(SIGNED_IN),
    "discover.search": Access(SIGNED_IN, query={"q": Lit("dune")}),
    "discover.tv": Access(SIGNED_IN, args={"tmdb_id": "tv_id"}),
    # Downloads and subscriptions
    "downloads.cancel": Access(OWN),
    "downloads.cancel_item": Access(OWN),
    "downloads.create": Access(SIGNED_IN),
    "downloads.detail": Access(OWN),
    "downloads.index": Access(SIGNED_IN),
    "downloads.preview": Access(SIGNED_IN),
    "downloads.retry": Access(OWN),
    "downloads.retry_item": Access(OWN),
    "downloads.subscribe": Access(SIGNED_IN),
    "downloads.subscription": Access(OWN),
    "downloads.subscription_check": Access(OWN),
    "downloads.subscription_delete": Access(OWN),
    "downloads.subscription_pause": Access(OWN),
    "downloads.subscription_resume": Access(OWN),
    "downloads.subscription_save": Access(OWN),
    "downloads.subscriptions_list": Access(SIGNED_IN),
    # A signed address of a site's thumbnail (this one is inside the network: the stand-in).
    "downloads.thumbnail": Access(SIGNED_IN, args={"token": "thumb_token"}, secret="token"),
    # Invitations: the link's token is the secret
    "invites.accept": Access(
        ANONYMOUS_ONLY, args={"token": "invite_token"}, secret="token", ok=(200, 400)
    ),
    "invites.with_plex": Access(SECRET, args={"token": "invite_token"}, secret="token"),
    # Library
    "library.collection": Access(SIGNED_IN, args={"name": "collection"}),
    "library.collections": Access(SIGNED_IN),
    "library.image": Access(SIGNED_IN, query={"path": "poster"}),
    "library.index": Access(SIGNED_IN),
    "library.item": Access(SIGNED_IN),
    "library.mail_image": Access(SECRET, args={"token": "mail_token"}, secret="token"),
    "library.plex_webhook": Access(
        SECRET, args={"secret": "plex_secret"}, secret="secret", data=PLEX_EVENT, ok=(202,)
    ),
    "library.search": Access(SIGNED_IN, query={"q": Lit("dune")}),
    "library.section": Access(SIGNED_IN),
    # The bell and the notifications page
    "notifications.index": Access(SIGNED_IN),
    "notifications.read": Access(OWN_ONLY),
    "notifications.read_all": Access(SIGNED_IN),
    # The person's own notification settings
    "notify.account": Access(SIGNED_IN),
    "notify.account_choices": Access(SIGNED_IN),
    "notify.account_email": Access(SIGNED_IN),
    "notify.account_email_remove": Access(SIGNED_IN),
    "notify.account_email_resend": Access(SIGNED_IN),
    "notify.account_schedule": Access(SIGNED_IN),
    "notify.account_target_add": Access(SIGNED_IN),
    "notify.account_target_delete": Access(OWN_ONLY),
    # A link alice was emailed: opened by anyone else, it says it is another account's.
    "notify.account_verify": Access(
        OWN_ONLY, args={"token": "verify_token"}, secret="token", other=FORBIDDEN
    ),
    # Probes and metrics
    "ops.favicon": Access(PUBLIC, ok=(301,)),
    "ops.health": Access(PUBLIC),
    "ops.metrics": Access(
        SECRET,
        secret_headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        admin_without_secret=True,
    ),
    "ops.ready": Access(PUBLIC),
    "overseerr_webhook.overseerr_webhook": Access(
        SECRET,
        secret_headers={"Authorization": OVERSEERR_SECRET},
        headers={"Content-Type": "application/json"},
        body=OVERSEERR_TEST,
        ok=(200,),
    ),
    "realtime.socket": Access(SOCKET),
    # Requests
    "requests.approve": Access(ADMIN_ONLY),
    "requests.available": Access(ADMIN_ONLY),
    "requests.box": Access(SIGNED_IN, args={"media_type": Lit("movie")}, hx=True),
    "requests.bulk": Access(ADMIN_ONLY, data={"ids": "request_id", "action": "approve"}),
    "requests.create": Access(SIGNED_IN, data={"media_type": "movie", "tmdb_id": "tmdb_id"}),
    "requests.decline": Access(ADMIN_ONLY),
    "requests.detail": Access(OWN),
    # Anyone signed in may follow an open request (the title's page offers it to everyone).
    "requests.follow": Access(SIGNED_IN),
    "requests.limits": Access(ADMIN_ONLY),
    "requests.limits_save": Access(ADMIN_ONLY),
    "requests.mine": Access(SIGNED_IN),
    "requests.queue": Access(ADMIN_ONLY),
    "requests.retry": Access(ADMIN_ONLY),
    "requests.seasons": Access(ADMIN_ONLY),
    "requests.unfollow": Access(OWN),
    # Setup, the status page
    "setup.index": Access(SETUP),
    "status.index": Access(SIGNED_IN),
    # Uploads: the pages, and tus for the bytes (only the uploader sends them)
    "uploads.create": Access(SIGNED_IN, headers={**TUS, "Upload-Length": "10"}, ok=(201,)),
    "uploads.delete": Access(OWN),
    "uploads.derived": Access(OWN, args={"name": Lit("poster.jpg")}),
    "uploads.detail": Access(OWN),
    "uploads.index": Access(SIGNED_IN),
    "uploads.offset": Access(OWN_ONLY, args={"key": "arriving_key"}, headers=TUS),
    "uploads.options": Access(SIGNED_IN, ok=(204,)),
    "uploads.original": Access(OWN),
    "uploads.remove_from_plex": Access(OWN),
    "uploads.rename": Access(OWN, data={"title": "Sunny beach"}),
    "uploads.send_to_plex": Access(OWN),
    "uploads.terminate": Access(OWN_ONLY, args={"key": "arriving_key"}, headers=TUS, ok=(204,)),
    "uploads.upload": Access(
        OWN_ONLY, args={"key": "arriving_key"}, headers=CHUNK, body=b"0123456789", ok=(204,)
    ),
}
# Form fields that are world names, looked up like URL values.
FORM_VALUES = {"request_id", "tmdb_id"}
