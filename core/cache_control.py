"""No browser or proxy keeps a response unless its view chose to let it.

Pages and API answers carry names, household facts and masked personal data, and a form page
what was typed into it: a shared computer's browser cache, the back button after logout, or a
proxy would keep them. Every response that has not set its own Cache-Control gets
`no-store, private`, as the unmasking answer always did. Static files keep WhiteNoise's long
lifetimes (WhiteNoise answers before this middleware), and views that chose a policy keep it:
`/sw.js` no-cache, the web manifest an hour. The service worker's one copy of the visit page
lives in Cache Storage, which these headers do not govern (docs/offline.md).
"""

from django.utils.cache import patch_cache_control


class NoStoreByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
