"""The notifications of assistance (referrals, the needs board, deadlines), registered with
monitoring's message registry when the app is ready: stored by key and arguments, rendered in
the reader's language (monitoring/messages.py)."""

from django.utils.translation import gettext_lazy as _

from monitoring.messages import Message, register

MESSAGES = {
    "referral_accepted": Message(
        _("%(partner)s accepted “%(title)s”: please follow its delivery."),
    ),
    "referral_declined": Message(
        _("%(partner)s declined “%(title)s”: please find another partner for it."),
    ),
    "referral_expired": Message(
        _("%(partner)s did not answer “%(title)s” in time: please find another partner for it."),
    ),
    "need_claimed": Message(
        _("%(partner)s claimed a need (%(need)s): please confirm the claim on the case."),
        translated=("need",),
    ),
}


def register_messages() -> None:
    for key, message in MESSAGES.items():
        register(key, message)
