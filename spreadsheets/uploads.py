"""Uploaded workbooks waiting for their check and confirm, in settings.IMPORT_DIR.

They hold ID numbers and bank accounts in clear: the folder is the server user's alone (700),
each file too (600, created so from the start, never widened afterwards), and a file lives only
as long as its import job needs it (spreadsheets/jobs.py deletes it; the hourly sweep deletes
whatever was left behind).
"""

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _folder() -> Path:
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    # A folder made by an older version, or by hand, may be wider.
    os.chmod(folder, FOLDER_MODE)
    return folder


def upload_path(key: uuid.UUID) -> Path:
    # A uuid the server made, never a name the client sent.
    return Path(settings.IMPORT_DIR) / f"{uuid.UUID(str(key))}.xlsx"


def upload_save(key: uuid.UUID, chunks: Iterable[bytes]) -> None:
    _folder()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(upload_path(key), flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        for chunk in chunks:
            file.write(chunk)


def upload_read(key: uuid.UUID) -> bytes | None:
    """The file's content; None once it is gone (cancelled, swept, imported meanwhile)."""
    try:
        return upload_path(key).read_bytes()
    except FileNotFoundError:
        return None


def upload_delete(key: uuid.UUID) -> None:
    upload_path(key).unlink(missing_ok=True)


def uploads_sweep(*, keep: set[str], older_than: float) -> int:
    """Delete the files last written before `older_than` (a timestamp) whose key is not in
    `keep`; a younger file may belong to an upload whose job is not committed yet."""
    folder = Path(settings.IMPORT_DIR)
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.iterdir():
        if path.stem in keep or not path.is_file():
            continue
        try:
            if path.stat().st_mtime < older_than:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile by its job
            pass
    return deleted
