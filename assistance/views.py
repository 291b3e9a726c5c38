"""Pages of cases, measures and partners. Each view validates a form, calls a service and
redirects; the services and selectors are the ones the API uses."""


def case_list(request, **kwargs):
    raise NotImplementedError


def case_overdue(request, **kwargs):
    raise NotImplementedError


def case_propose(request, **kwargs):
    raise NotImplementedError


def case_detail(request, **kwargs):
    raise NotImplementedError


def case_edit(request, **kwargs):
    raise NotImplementedError


def case_step(request, **kwargs):
    raise NotImplementedError


def case_notice_post(request, **kwargs):
    raise NotImplementedError


def case_notice_print(request, **kwargs):
    raise NotImplementedError


def case_elimination(request, **kwargs):
    raise NotImplementedError


def measure_create(request, **kwargs):
    raise NotImplementedError


def measure_list(request, **kwargs):
    raise NotImplementedError


def measure_detail(request, **kwargs):
    raise NotImplementedError


def measure_edit(request, **kwargs):
    raise NotImplementedError


def partner_list(request, **kwargs):
    raise NotImplementedError


def partner_create(request, **kwargs):
    raise NotImplementedError


def partner_detail(request, **kwargs):
    raise NotImplementedError


def partner_edit(request, **kwargs):
    raise NotImplementedError


def offer_create(request, **kwargs):
    raise NotImplementedError


def offer_edit(request, **kwargs):
    raise NotImplementedError
