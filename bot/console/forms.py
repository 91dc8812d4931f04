"""Forms (Flask-WTF: every form carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from bot.console.users import MIN_PASSWORD_LENGTH, ROLE_LABELS, ROLES

ROLE_CHOICES = [(r, ROLE_LABELS[r]) for r in ROLES]


class LoginForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(), Length(max=120)])
    password = PasswordField("Mot de passe", validators=[DataRequired(), Length(max=1024)])


class NoteForm(FlaskForm):
    text = TextAreaField("Note", validators=[DataRequired(), Length(max=5000)])


class TagsForm(FlaskForm):
    tags = StringField("Étiquettes (séparées par des virgules)", validators=[Length(max=500)])


class UserCreateForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(), Length(min=2, max=120)])
    password = PasswordField("Mot de passe", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)])
    role = SelectField("Rôle", choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField("Rôle", choices=ROLE_CHOICES)


class PasswordForm(FlaskForm):
    password = PasswordField(
        "Nouveau mot de passe", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )


class RetentionForm(FlaskForm):
    days = IntegerField("Conserver (jours)", validators=[DataRequired(), NumberRange(min=1, max=36500)])


class EmptyForm(FlaskForm):
    """A button that only needs its CSRF token."""
