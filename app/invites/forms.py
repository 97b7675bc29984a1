"""The form a person fills in to join with an invitation."""

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from app.auth.forms import new_password_rules, username_rules
from app.forms import Form


class InviteSignUpForm(Form):
    username = StringField("Username", username_rules)
    password = PasswordField("Password", new_password_rules)
    confirm = PasswordField(
        "Confirm password",
        [DataRequired("Type the password again."), EqualTo("password", "The passwords differ.")],
    )
