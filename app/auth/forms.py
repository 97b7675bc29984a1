"""Forms for accounts: sign-in, first-run owner, password change."""

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.forms import Form

MIN_PASSWORD = 10
MAX_PASSWORD = 256

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
USERNAME_HINT = "Use letters, digits, dot, dash or underscore, starting with a letter or digit."

username_rules = [
    DataRequired("Choose a username."),
    Length(3, 32, "A username has 3 to 32 characters."),
    Regexp(USERNAME_PATTERN, message=USERNAME_HINT),
]


new_password_rules = [
    DataRequired("Choose a password."),
    Length(
        MIN_PASSWORD,
        MAX_PASSWORD,
        f"A password needs at least {MIN_PASSWORD} characters (at most {MAX_PASSWORD}).",
    ),
]


class LoginForm(Form):
    username = StringField("Username", [DataRequired("Enter your username."), Length(max=64)])
    password = PasswordField("Password", [DataRequired("Enter your password."), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device")


class SetupForm(Form):
    username = StringField("Username", username_rules)
    password = PasswordField("Password", new_password_rules)
    confirm = PasswordField(
        "Confirm password",
        [DataRequired("Type the password again."), EqualTo("password", "The passwords differ.")],
    )


class PasswordForm(Form):
    current = PasswordField("Current password", [DataRequired("Enter your current password.")])
    password = PasswordField("New password", new_password_rules)
    confirm = PasswordField(
        "Confirm new password",
        [
            DataRequired("Type the new password again."),
            EqualTo("password", "The passwords differ."),
        ],
    )
