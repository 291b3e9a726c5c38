"""Sessions end after SESSION_COOKIE_AGE without a request, written at most once a minute.

The idle limit (MLPS 2.0's session timeout, 30 minutes by default) needs each request to move
the session's end forward. Django's SESSION_SAVE_EVERY_REQUEST does it by writing the session
row, and committing it, on every request: one UPDATE of django_session and a new cookie in
every answer, about 2 ms of each page at the bench. Here a session not otherwise changed is
written again only when its last write is REFRESH_SECONDS old. A session can therefore end up to
REFRESH_SECONDS sooner after its last request than the limit says, never later.

A page that refreshes itself (an import's progress every 2 s, a backtest's every 5 s) marks
those requests with the header POLL_HEADER: they read the session but never move its end, so a
page left open on a desk still ends its session after the idle limit.
"""

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

# At most; a tenth of the idle limit when that is shorter than ten minutes.
REFRESH_SECONDS = 60
# When the session's end was last moved: seconds since the epoch, in the session itself.
REFRESHED_KEY = "_idle_refreshed_at"
# Sent by a page's own polling (hx-headers), not by a person.
POLL_HEADER = "X-Poll"


def stamp_at_login(sender, request, user, **kwargs) -> None:
    """A session is born moved (user_logged_in): its first request after the login is not
    another write. Connected by accounts.apps."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_KEY] = int(time.time())


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        polled = request.headers.get(POLL_HEADER) == "1"
        if session is not None and session.accessed and not session.is_empty() and not polled:
            now = int(time.time())
            refreshed = session.get(REFRESHED_KEY)
            every = min(REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10)
            stale = not isinstance(refreshed, int) or now - refreshed >= every
            if session.modified or stale:
                session[REFRESHED_KEY] = now  # written below, and the cookie's age renewed
        return super().process_response(request, response)
