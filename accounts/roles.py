"""What each role may do. Region scope is separate: these permissions apply inside it only."""

from accounts.models import Role

_VIEW_REGISTRY = {
    "households.view_region",
    "households.view_household",
    "households.view_member",
}
_EDIT_REGISTRY = {
    "households.add_household",
    "households.change_household",
    "households.add_member",
    "households.change_member",
}
UNMASK = "households.unmask_sensitive"
_VISITS = {"monitoring.view_visit", "monitoring.add_visit", "monitoring.view_alert"}
# Area events (规模性返贫 screening, monitoring/services/area_events.py): field staff see them and
# screen the households of their region; townships and counties open and close them.
_SCREEN_AREAS = {"monitoring.view_areaevent", "monitoring.change_screeningtask"}
_MANAGE_AREA_EVENTS = {"monitoring.add_areaevent", "monitoring.change_areaevent"}
_MANAGE_ALERTS = {
    "monitoring.change_alert",
    "monitoring.view_signal",
    "monitoring.change_signal",
    "monitoring.view_scanrun",
    "monitoring.view_incomeline",
    "monitoring.view_assistancestandard",
    "monitoring.view_ruleconfig",
    "monitoring.view_capacityweights",
}
_SET_POLICY = {
    "monitoring.change_incomeline",
    "monitoring.add_incomeline",
    "monitoring.change_assistancestandard",
    "monitoring.add_assistancestandard",
    "monitoring.change_ruleconfig",
    "monitoring.add_ruleconfig",
    "monitoring.change_capacityweights",
    "monitoring.add_capacityweights",
    "monitoring.add_capacityreading",
    "monitoring.view_visitcadence",
    "monitoring.change_visitcadence",
    "monitoring.add_visitcadence",
    "monitoring.add_scanrun",
    # The county's outbound webhooks and their delivery log (monitoring/services/webhooks.py).
    "monitoring.view_webhook",
    "monitoring.add_webhook",
}

_SEE_ASSISTANCE = {
    "assistance.view_policymeasure",
    "assistance.view_case",
    "assistance.view_measure",
    "assistance.view_partner",
    "assistance.view_partneroffer",
    "assistance.view_need",
}
_MANAGE_ASSISTANCE = {
    "assistance.change_case",
    "assistance.add_measure",
    "assistance.change_measure",
    "assistance.record_delivery",
    "assistance.add_partner",
    "assistance.change_partner",
    "assistance.add_partneroffer",
    "assistance.change_partneroffer",
    "assistance.add_need",
    "assistance.change_need",
}
# Each step of a case is taken by one role (assistance/steps.py says which step needs which).
_VILLAGE_STEPS = {"assistance.propose_case", "assistance.record_village_step"}
_TOWNSHIP_STEPS = {
    "assistance.propose_case",
    "assistance.check_case_information",
    "assistance.review_case",
}
_COUNTY_STEPS = {"assistance.approve_case"}
# Delegations of steps (assistance.Delegation): townships and counties give them, field staff
# see those that concern them, auditors see them all in their region.
DELEGATE_STEPS = "assistance.add_delegation"
_SEE_DELEGATIONS = {"assistance.view_delegation"}
# A case's conversation: those who work the case write, auditors read.
_READ_NOTES = {"assistance.view_casecomment"}
_WRITE_NOTES = {"assistance.view_casecomment", "assistance.add_casecomment"}
# Paired cadres (pairings/): everyone in the field sees who looks after a household and keeps
# the contact log; townships and counties pair and hand over. The log's free text is for field
# staff and auditors only, never partners.
_SEE_PAIRINGS = {"pairings.view_pairing", "pairings.view_contact"}
_RECORD_CONTACTS = {"pairings.add_contact"}
_ASSIGN_PAIRINGS = {"pairings.add_pairing", "pairings.change_pairing"}
# Deadline profiles and the holiday calendar they are counted on (docs/cases.md): a county
# officer sets the county's own profile and enters a year's holidays before the package knows it.
_SEE_DEADLINES = {"assistance.view_deadlineprofile", "assistance.view_calendarday"}
_SET_DEADLINES = {
    "assistance.add_deadlineprofile",
    "assistance.change_deadlineprofile",
    "assistance.add_calendarday",
    "assistance.change_calendarday",
}
# The limits of paired assistance and the days a partner has to answer a referral: a county
# officer sets the county's own (pairings/services.py, assistance/services/referrals.py).
_SET_PAIRING_AND_REFERRAL_POLICY = {
    "pairings.view_pairingpolicy",
    "pairings.add_pairingpolicy",
    "pairings.change_pairingpolicy",
    "assistance.view_referralpolicy",
    "assistance.add_referralpolicy",
    "assistance.change_referralpolicy",
    # The county's own measures in the catalogue (assistance/services/policy_measures.py).
    "assistance.add_policymeasure",
    "assistance.change_policymeasure",
}
# Attached files (evidence/): seen with the record they belong to, attached by those who write
# it. Where a photo was taken is for field staff and auditors, never partners or API clients.
_SEE_EVIDENCE = {"evidence.view_evidence", "evidence.view_location"}
_ATTACH_EVIDENCE = {"evidence.view_evidence", "evidence.add_evidence"}
# Civil affairs' roster (民政名单): townships and counties import it and act on its lines, each
# in their own region (assistance/services/civil_affairs_roster.py); auditors read it.
_SEE_ROSTERS = {"assistance.view_civilaffairsroster"}
_RECONCILE_ROSTERS = _SEE_ROSTERS | {
    "assistance.add_civilaffairsroster",
    "assistance.change_civilaffairsrosterentry",
}
# Households' own reports (self_reports/): read and answered by the field staff of their region.
_SEE_SELF_REPORTS = {"self_reports.view_selfreport"}
_ANSWER_SELF_REPORTS = _SEE_SELF_REPORTS | {"self_reports.change_selfreport"}
# Livelihoods (livelihoods/): work records, public-welfare posts, industry support and insurance
# claims. Village workers record work; townships and counties keep the rest; partners see and
# pay their own links (the selectors say which); API clients read and send work records.
_SEE_LIVELIHOODS = {
    "livelihoods.view_workrecord",
    "livelihoods.view_welfarepost",
    "livelihoods.view_postpayment",
    "livelihoods.view_industrysupport",
    "livelihoods.view_industrypayment",
    "livelihoods.view_insuranceclaim",
}
_RECORD_WORK = {"livelihoods.add_workrecord", "livelihoods.change_workrecord"}
_MANAGE_LIVELIHOODS = {
    "livelihoods.add_welfarepost",
    "livelihoods.change_welfarepost",
    "livelihoods.add_postpayment",
    "livelihoods.add_industrysupport",
    "livelihoods.change_industrysupport",
    "livelihoods.add_industrypayment",
    "livelihoods.add_insuranceclaim",
    "livelihoods.change_insuranceclaim",
}
_PARTNER_LINKS = {
    "livelihoods.view_industrysupport",
    "livelihoods.view_industrypayment",
    "livelihoods.add_industrypayment",
}
_API_WORK = {"livelihoods.view_workrecord", "livelihoods.add_workrecord"}
# Household development plans (development/): village workers draft and review them in their
# village, township cadres also record the household's agreement and close them; the county,
# auditors and department systems read. Partners see none.
_SEE_PLANS = {"development.view_developmentplan"}
_DRAFT_PLANS = _SEE_PLANS | {
    "development.add_developmentplan",
    "development.change_developmentplan",
    "development.add_planreview",
}
_AGREE_PLANS = _DRAFT_PLANS | {
    "development.agree_developmentplan",
    "development.close_developmentplan",
}
DASHBOARDS = "dashboards.view_dashboard"
# The audit trail (audit/views.py): writes, unmaskings, exports and sign-ins of the region.
VIEW_AUDIT = "audit.view_audit"
# The outcomes of assistance (outcomes/): the page, a case's block and the API, in the region.
OUTCOMES = "outcomes.view_outcomes"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VILLAGE_WORKER: frozenset(
        _VIEW_REGISTRY
        | _ANSWER_SELF_REPORTS
        | _EDIT_REGISTRY
        | _VISITS
        | _SCREEN_AREAS
        | _SEE_ASSISTANCE
        | _VILLAGE_STEPS
        | _SEE_PAIRINGS
        | _RECORD_CONTACTS
        | _SEE_DELEGATIONS
        | _WRITE_NOTES
        | _SEE_EVIDENCE
        | _ATTACH_EVIDENCE
        | _SEE_LIVELIHOODS
        | _RECORD_WORK
        | _DRAFT_PLANS
    ),
    Role.TOWNSHIP_CADRE: frozenset(
        _VIEW_REGISTRY
        | _ANSWER_SELF_REPORTS
        | _EDIT_REGISTRY
        | {UNMASK}
        | _VISITS
        | _SCREEN_AREAS
        | _MANAGE_AREA_EVENTS
        | _MANAGE_ALERTS
        | _SEE_ASSISTANCE
        | _MANAGE_ASSISTANCE
        | _TOWNSHIP_STEPS
        | _RECONCILE_ROSTERS
        | _SEE_PAIRINGS
        | _RECORD_CONTACTS
        | _ASSIGN_PAIRINGS
        | _SEE_DEADLINES
        | {DASHBOARDS, OUTCOMES}
        | _SEE_DELEGATIONS
        | {DELEGATE_STEPS}
        | _WRITE_NOTES
        | _SEE_EVIDENCE
        | _ATTACH_EVIDENCE
        | _SEE_LIVELIHOODS
        | _RECORD_WORK
        | _MANAGE_LIVELIHOODS
        | _AGREE_PLANS
    ),
    Role.COUNTY_OFFICER: frozenset(
        _VIEW_REGISTRY
        | _ANSWER_SELF_REPORTS
        | _EDIT_REGISTRY
        | {UNMASK, "households.view_sensitiveaccess"}
        | _VISITS
        | _SCREEN_AREAS
        | _MANAGE_AREA_EVENTS
        | _MANAGE_ALERTS
        | _SET_POLICY
        | _SEE_ASSISTANCE
        | _MANAGE_ASSISTANCE
        | _COUNTY_STEPS
        | _RECONCILE_ROSTERS
        | _SET_PAIRING_AND_REFERRAL_POLICY
        | _SEE_PAIRINGS
        | _RECORD_CONTACTS
        | _ASSIGN_PAIRINGS
        | _SEE_DEADLINES
        | _SET_DEADLINES
        | {DASHBOARDS, VIEW_AUDIT, OUTCOMES}
        | _SEE_DELEGATIONS
        | {DELEGATE_STEPS}
        | _WRITE_NOTES
        | _SEE_EVIDENCE
        | _ATTACH_EVIDENCE
        | _SEE_LIVELIHOODS
        | _RECORD_WORK
        | _MANAGE_LIVELIHOODS
        | _SEE_PLANS
    ),
    # Partners work on the measures given to them, not on the registry.
    Role.PARTNER: frozenset(
        {
            "assistance.view_measure",
            "assistance.record_delivery",
            "assistance.view_partner",
            "assistance.view_partneroffer",
            "assistance.add_partneroffer",
            "assistance.change_partneroffer",
            # Referrals (转介) and the needs board of its area (需求清单, 认领).
            "assistance.answer_referral",
            "assistance.view_need",
            "assistance.claim_need",
        }
        # The conversation of the cases where its partner has a measure (the selectors say so).
        | _WRITE_NOTES
        # Receipts of its own measures' deliveries (the selectors say which), without where a
        # photo was taken.
        | _ATTACH_EVIDENCE
        | _PARTNER_LINKS
    ),
    Role.AUDITOR: frozenset(
        _VIEW_REGISTRY
        | _SEE_SELF_REPORTS
        | {"households.view_sensitiveaccess", "monitoring.view_visit", "monitoring.view_alert"}
        | {"monitoring.view_signal", "monitoring.view_scanrun", "monitoring.view_incomeline"}
        | {"monitoring.view_ruleconfig", "monitoring.view_assistancestandard"}
        | {"monitoring.view_capacityweights"}
        | {"monitoring.view_areaevent"}
        | _SEE_ASSISTANCE
        | _SEE_ROSTERS
        | _SEE_PAIRINGS
        | {DASHBOARDS, VIEW_AUDIT, OUTCOMES}
        | _SEE_DELEGATIONS
        | _READ_NOTES
        | _SEE_EVIDENCE
        | _SEE_LIVELIHOODS
        | _SEE_PLANS
    ),
    # Department systems push signals and read what their region allows.
    Role.API_CLIENT: frozenset(
        _VIEW_REGISTRY
        | {"monitoring.add_signal", "monitoring.view_signal", "monitoring.view_visit"}
        | {"monitoring.view_alert", "monitoring.view_incomeline", "monitoring.view_ruleconfig"}
        | {"monitoring.view_assistancestandard", "monitoring.view_capacityweights"}
        | _SEE_ASSISTANCE
        | _API_WORK
        | _SEE_PLANS
        | {OUTCOMES}
    ),
}

# Micro-credit (livelihoods/services/credit.py): townships and counties record loans and their
# payments in their region, extend and write them off; village workers read their village's and
# record a payment they witnessed; auditors read; a bank's or the finance bureau's system reads
# and posts payments.
_SEE_LOANS = {"livelihoods.view_microloan"}
_RECORD_LOAN_PAYMENTS = _SEE_LOANS | {"livelihoods.add_loanpayment"}
_MANAGE_LOANS = _RECORD_LOAN_PAYMENTS | {
    "livelihoods.add_microloan",
    "livelihoods.change_microloan",
}
for _role, _granted in (
    (Role.VILLAGE_WORKER, _RECORD_LOAN_PAYMENTS),
    (Role.TOWNSHIP_CADRE, _MANAGE_LOANS),
    (Role.COUNTY_OFFICER, _MANAGE_LOANS),
    (Role.AUDITOR, _SEE_LOANS),
    (Role.API_CLIENT, _RECORD_LOAN_PAYMENTS),
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted


# Backtests of the early warning (backtests/): a county officer starts one and reads its runs, an
# auditor reads them. Rule settings are a county's, so a township's cadres have none.
_SEE_BACKTESTS = {"backtests.view_backtestrun"}
_RUN_BACKTESTS = _SEE_BACKTESTS | {"backtests.add_backtestrun"}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] = ROLE_PERMISSIONS[Role.COUNTY_OFFICER] | _RUN_BACKTESTS
ROLE_PERMISSIONS[Role.AUDITOR] = ROLE_PERMISSIONS[Role.AUDITOR] | _SEE_BACKTESTS


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
