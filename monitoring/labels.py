"""Human words for the codes that rules, evidence and timelines store."""

from django.utils.translation import gettext_lazy as _

RULE_LABELS = {
    "income_below_line": _("Income below the monitoring line"),
    "income_near_line": _("Income close to the line"),
    "income_drop": _("Income dropped sharply"),
    "rigid_spending": _("Heavy rigid spending"),
    "guarantee_gap": _("A basic guarantee is not met"),
    "labour_loss": _("Loss of labour"),
    "shock_event": _("Recent shock"),
    "department_signal": _("Department warning"),
    "affected_area": _("In an area under screening"),
    "visit_overdue": _("Visit overdue"),
    "weak_capacity": _("Weak self-development capacity"),
    "self_report": _("Self-report of hardship"),
}
# A household's own report is a reason a warning carries with no rule behind it.
REASONS_WITHOUT_RULE = {"self_report"}
# The codes of the engine's rules (monitoring/engine/rules.py RULES, in its order; a test keeps
# the two equal), for the models, which the engine builds on and so may not import it.
RULE_CODES = tuple(code for code in RULE_LABELS if code not in REASONS_WITHOUT_RULE)
CHECK_LABELS = {
    "food_clothing": _("food and clothing"),
    "compulsory_education": _("compulsory education"),
    "basic_medical": _("basic medical care"),
    "safe_housing": _("safe housing"),
    "safe_water": _("safe drinking water"),
}
EVIDENCE_LABELS = {
    "per_capita_income": _("per-capita income"),
    "previous_per_capita_income": _("previous per-capita income"),
    "line": _("monitoring line"),
    "line_year": _("line of the year"),
    "ceiling": _("upper bound"),
    "factor": _("factor"),
    "drop": _("drop"),
    "threshold": _("threshold"),
    "rigid_spending": _("rigid spending"),
    "total_net_income": _("household net income"),
    "share": _("share of income"),
    "share_threshold": _("share threshold"),
    "per_capita_after_spending": _("per capita after rigid spending"),
    "failed_checks": _("failed checks"),
    "members_with_labour": _("members able to work"),
    "events_since_previous_visit": _("events since the previous visit"),
    "events": _("events"),
    "registry_events": _("changes recorded in the registry"),
    "days": _("within days"),
    "signals": _("signals"),
    "last_visit_on": _("last visit"),
    "due_on": _("visit due on"),
    "cadence_days": _("visit every (days)"),
    "grace_days": _("grace days"),
    "overdue_days": _("days overdue"),
    "report": _("report"),
    "area_events": _("area events"),
    "capacity_score": _("capacity score"),
    "measured_on": _("measured on"),
    "below": _("warns below"),
}
# The self-development capacity's components and the short reasons the engine gives for each
# value (monitoring.engine.capacity).
CAPACITY_LABELS = {
    "labour": _("Labour capacity"),
    "skills": _("Skills and education"),
    "work": _("Stable work"),
    "participation": _("Training and enterprise links"),
    "commitments": _("Commitments kept"),
    "credit": _("Access to credit"),
}
CAPACITY_REASONS = {
    "no_working_age": _("No member of working age"),
    "none_able": _("No working-age member able to work"),
    "all_able": _("Every working-age member able to work"),
    "some_able": _("Some working-age members able to work"),
    "senior_or_above": _("All finished senior secondary or above"),
    "some_below_senior": _("Some below senior secondary"),
    "little_schooling": _("Little schooling"),
    "not_recorded": _("Not recorded"),
    "stable": _("Worked most months"),
    "unstable": _("Worked some months"),
    "no_work": _("No month worked"),
    "trained_and_linked": _("Trained and linked to an enterprise"),
    "trained": _("Trained, no enterprise link"),
    "linked": _("Linked to an enterprise, no training"),
    "none": _("No training and no enterprise link"),
    "kept": _("Commitments mostly kept"),
    "not_kept": _("Commitments often not kept"),
    "credit_good": _("A loan repaid on time"),
    "credit_none": _("No loan"),
    "credit_overdue": _("A loan overdue"),
}
ACTION_LABELS = {
    "opened": _("opened the warning"),
    "reasons_changed": _("reasons changed"),
    "auto_resolved": _("resolved automatically: no reason fires any more"),
    "assign": _("assigned"),
    "verify": _("verified at home"),
    "confirm": _("confirmed"),
    "dismiss": _("dismissed"),
    "self_report": _("recorded a self-report"),
    "case_opened": _("opened a case from the warning"),
}
