"""How a stored file is handed out, by the page and by the API alike."""

from django.http import FileResponse

from evidence.models import Evidence


def file_response(evidence: Evidence) -> FileResponse:
    extension = (evidence.file.name or "").rsplit(".", 1)[-1]
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        # A photo is shown; a PDF (which may carry scripts) is downloaded, never opened on our
        # origin. The name is ours, never the uploader's.
        as_attachment=not evidence.is_image,
        filename=f"evidence-{evidence.pk}.{extension}",
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
