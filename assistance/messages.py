"""The notifications of assistance (referrals, the needs board, deadlines), registered with
monitoring's message registry when the app is ready: stored by key and arguments, rendered in
the reader's language (monitoring/messages.py)."""

from django.utils.translation import gettext_lazy as _

from monitoring.messages import Message, register

MESSAGES = {
    "referral_accepted": Message(
        label=_("Referral accepted"),
        template=_("%(partner)s accepted “%(title)s”: please follow its delivery."),
    ),
    "referral_declined": Message(
        label=_("Referral declined"),
        template=_("%(partner)s declined “%(title)s”: please find another partner for it."),
    ),
    "referral_expired": Message(
        label=_("Referral not answered in time"),
        template=_(
            "%(partner)s did not answer “%(title)s” in time: please find another partner for it."
        ),
    ),
    "step_reminder": Message(
        label=_("Case step due soon"),
        template=_(
            "Due %(due)s: complete the %(step)s of household %(number)s (%(head)s), "
            "%(village)s, by the end of that day."
        ),
        dates=("due",),
        translated=("step",),
    ),
    "step_overdue": Message(
        label=_("Case step overdue"),
        template=_(
            "Overdue since %(due)s: the %(step)s of household %(number)s (%(head)s), "
            "%(village)s. See that it is taken today."
        ),
        dates=("due",),
        translated=("step",),
    ),
    "step_escalated": Message(
        label=_("Case step still overdue"),
        template=_(
            "Still overdue %(days)d working days after %(due)s: the %(step)s of household "
            "%(number)s (%(head)s), %(village)s. Ask the township why and see that it is taken."
        ),
        dates=("due",),
        translated=("step",),
    ),
    "delegation_given": Message(
        label=_("Delegation given to you"),
        template=_("%(user)s delegated to you: %(steps)s in %(region)s, %(start)s to %(end)s."),
        dates_with_year=("start", "end"),
    ),
    "delegation_revoked": Message(
        label=_("Delegation revoked"),
        template=_("%(user)s revoked your delegation: %(steps)s in %(region)s."),
    ),
    "delegation_expired": Message(
        label=_("Delegation ended"),
        template=_(
            "Your delegation from %(user)s has ended (last day %(end)s): %(steps)s in "
            "%(region)s. Steps there are no longer yours to take."
        ),
        dates=("end",),
        translated=("steps",),
    ),
    "delegation_ending": Message(
        label=_("Delegation ending with steps waiting"),
        template=_(
            "Your delegation of %(steps)s in %(region)s ends on %(end)s and %(cases)d cases still "
            "wait for those steps: extend it with a new delegation, or see that they are taken."
        ),
        dates=("end",),
        translated=("steps",),
    ),
    "case_mention": Message(
        label=_("Mentioned in a case's notes"),
        template=_(
            "%(author)s mentioned you on the case of household %(number)s: please read the note."
        ),
    ),
    "need_claimed": Message(
        label=_("Need claimed by a partner"),
        template=_("%(partner)s claimed a need (%(need)s): please confirm the claim on the case."),
        translated=("need",),
    ),
    "need_confirmed": Message(
        label=_("Claim of a need confirmed"),
        template=_(
            "Your claim of a need (%(need)s) was confirmed: it is now your measure, please "
            "record its delivery by %(by)s."
        ),
        translated=("need",),
        dates=("by",),
    ),
}


def register_messages() -> None:
    for key, message in MESSAGES.items():
        register(key, message)
