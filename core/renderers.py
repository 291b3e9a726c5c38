"""How the API answers: JSON, and DRF's browsable API only for a developer under DEBUG.

Its own module: DRF imports the renderer and negotiation classes named in the settings while
drf-spectacular's views, which core.api imports, are still being imported.
"""

from django.conf import settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableApiRenderer(BrowsableAPIRenderer):
    """DRF's browsable API without its forms, for a developer under DEBUG only.

    DRF fills the PUT form and the raw-data form from the write serializer with the record's
    stored values: the full phone and bank account that the read serializer masks.
    """

    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None


class ContentNegotiation(DefaultContentNegotiation):
    """JSON for everyone; the browsable API only while DEBUG is on.

    Decided on each request rather than in the settings' renderer list, which every view copies
    once at import. Outside DEBUG `?format=api` is an unknown format (404, as DRF answers any),
    and `Accept: text/html` alone is 406; both in the API's error body.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if not settings.DEBUG:
            renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        return super().select_renderer(request, renderers, format_suffix)
