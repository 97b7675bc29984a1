"""The form a person fills in to join with an invitation."""

from app.auth.forms import SetupForm


class InviteSignUpForm(SetupForm):
    """A username and a password twice, by the same rules as the owner's at setup."""
