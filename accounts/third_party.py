"""Chinese for the admin pages of the libraries Dixian signs people in with (django-axes, knox,
django-otp) and for the few admin strings Django's own zh-Hans catalogue lacks.

Those libraries name their apps, models and fields in plain English strings, which no catalogue
can translate. `translate_labels` wraps each in `gettext_lazy` once the apps are loaded, so the
admin shows them in the reader's language from this project's catalogue (LOCALE_PATHS comes
first). Migrations do not change: a model's state is read from its Meta as declared, and a lazy
string equals its msgid while `makemigrations` runs with translation off. `MSGIDS` lists every
such text for `makemessages`, which cannot see them in this project's source otherwise.
"""

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

LIBRARY_APPS = {
    "axes": gettext_lazy("Sign-in protection"),
    "knox": gettext_lazy("API tokens"),
    "otp_totp": gettext_lazy("Authenticator apps"),
    "otp_static": gettext_lazy("Backup codes"),
}


def translate_labels() -> None:
    for label, name in LIBRARY_APPS.items():
        config = apps.get_app_config(label)
        config.verbose_name = name
        for model in config.get_models():
            meta = model._meta
            meta.verbose_name = _lazy(meta.verbose_name)
            meta.verbose_name_plural = _lazy(meta.verbose_name_plural)
            for field in meta.concrete_fields:
                field.verbose_name = _lazy(field.verbose_name)
                if field.help_text:
                    field.help_text = _lazy(field.help_text)


def _lazy(text):
    # The English original (a library's own lazy text evaluated with translation off), made lazy.
    with translation.override(None):
        return gettext_lazy(str(text))


MSGIDS = (
    # django-axes
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Path"),
    gettext_noop("POST Data"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Status"),
    gettext_noop("Expiration"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # knox
    gettext_noop("auth token"),
    gettext_noop("auth tokens"),
    gettext_noop("created"),
    gettext_noop("digest"),
    gettext_noop("expiry"),
    gettext_noop("token key"),
    gettext_noop("user"),
    # django-otp
    gettext_noop("A hex-encoded secret key of up to 40 bytes."),
    gettext_noop(
        "A timestamp of the last failed verification attempt. Null if last attempt succeeded."
    ),
    gettext_noop("Configuration"),
    gettext_noop("Identity"),
    gettext_noop("Is this device ready for use?"),
    gettext_noop("Number of successive failed attempts."),
    gettext_noop("State"),
    gettext_noop("TOTP device"),
    gettext_noop("TOTP devices"),
    gettext_noop("The date and time when this device was initially created in the system."),
    gettext_noop("The human-readable name of this device."),
    gettext_noop("The most recent date and time this device was used."),
    gettext_noop("The number of digits to expect in a token."),
    gettext_noop("The number of time steps in the past or future to allow."),
    gettext_noop("The number of time steps the prover is known to deviate from our clock."),
    gettext_noop(
        "The t value of the latest verified token. The next token must be at a higher time step."
    ),
    gettext_noop("The time step in seconds."),
    gettext_noop("The Unix time at which to begin counting steps."),
    gettext_noop("The user that this device belongs to."),
    gettext_noop("Throttling"),
    gettext_noop("Timestamps"),
    gettext_noop("confirmed"),
    gettext_noop("created at"),
    gettext_noop("device"),
    gettext_noop("digits"),
    gettext_noop("drift"),
    gettext_noop("key"),
    gettext_noop("last t"),
    gettext_noop("last used at"),
    gettext_noop("name"),
    gettext_noop("static device"),
    gettext_noop("static devices"),
    gettext_noop("static token"),
    gettext_noop("static tokens"),
    gettext_noop("step"),
    gettext_noop("t0"),
    gettext_noop("throttling failure count"),
    gettext_noop("throttling failure timestamp"),
    gettext_noop("token"),
    gettext_noop("tolerance"),
    # Django's admin (missing from its zh-Hans catalogue in 5.2), and the colon after a form
    # label, which Chinese writes full-width (Django's catalogue keeps it half-width).
    gettext_noop(":"),
    gettext_noop("Add link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("Model name"),
)
