"""How a stored file is handed out, by the page and by the API alike."""

import logging

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from evidence.models import Evidence

logger = logging.getLogger(__name__)


def file_response(evidence: Evidence) -> FileResponse:
    """The file as a response, or 404 when storage has lost it (a restore without the files, a
    bucket emptied by hand): the row outlives its file, and the reader gets a clear answer, not
    a 500 or a response that breaks off while streaming."""
    name = evidence.file.name or ""
    try:
        if not name or not evidence.file.storage.exists(name):
            raise FileNotFoundError(name)
        handle = evidence.file.open("rb")
    except OSError as error:
        logger.error("evidence %s: its stored file %r cannot be read: %s", evidence.pk, name, error)
        raise Http404(
            _("This file is missing from storage. Please tell the system administrator.")
        ) from None
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        # A photo is shown; a PDF (which may carry scripts) is downloaded, never opened on our
        # origin. The name is ours, never the uploader's.
        as_attachment=not evidence.is_image,
        filename=f"evidence-{evidence.pk}.{extension}",
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
