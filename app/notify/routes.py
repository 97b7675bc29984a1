"""The person's own notification settings: Profile → Notifications."""
