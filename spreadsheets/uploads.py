"""Workbooks kept on the server's disk for a while: uploads waiting for their check and confirm
(settings.IMPORT_DIR) and exports prepared by the worker, waiting for their download
(settings.EXPORT_DIR).

Uploads hold ID numbers and bank accounts in clear, and exports a region's households: each
folder is the server user's alone (700), each file too (600, created so from the start, never
widened afterwards), and a file lives only as long as its job needs it (spreadsheets/jobs.py and
spreadsheets/export_jobs.py delete it; their sweeps delete whatever was left behind).
"""

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class PrivateFolder:
    """The folder named by a setting, holding files named by a uuid the server made (never a
    name the client sent)."""

    def __init__(self, setting: str):
        self.setting = setting

    @property
    def root(self) -> Path:
        return Path(getattr(settings, self.setting))

    def _made(self) -> Path:
        folder = self.root
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        # A folder made by an older version, or by hand, may be wider.
        os.chmod(folder, FOLDER_MODE)
        return folder

    def path(self, key: uuid.UUID) -> Path:
        return self.root / f"{uuid.UUID(str(key))}.xlsx"

    def save(self, key: uuid.UUID, chunks: Iterable[bytes]) -> None:
        self._made()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(self.path(key), flags, FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            for chunk in chunks:
                file.write(chunk)

    def publish(self, key: uuid.UUID, chunks: Iterable[bytes]) -> None:
        """Write the file whole or not at all: into `<key>.part`, then renamed over its name,
        so that a reader never finds half a file and a write cut short leaves none."""
        self._made()
        part = self.path(key).with_suffix(".part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            with os.fdopen(os.open(part, flags, FILE_MODE), "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
            os.replace(part, self.path(key))
        except BaseException:
            part.unlink(missing_ok=True)
            raise

    def read(self, key: uuid.UUID) -> bytes | None:
        """The file's content; None once it is gone (cancelled, swept, imported meanwhile)."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: uuid.UUID) -> None:
        self.path(key).unlink(missing_ok=True)

    def sweep(self, *, keep: set[str], older_than: float) -> int:
        """Delete the files last written before `older_than` (a timestamp) whose key is not in
        `keep`; a younger file may belong to a job that is not committed yet."""
        folder = self.root
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


IMPORT_FILES = PrivateFolder("IMPORT_DIR")
EXPORT_FILES = PrivateFolder("EXPORT_DIR")

# The uploads' names, as the import jobs and their tests use them.
upload_path = IMPORT_FILES.path
upload_save = IMPORT_FILES.save
upload_read = IMPORT_FILES.read
upload_delete = IMPORT_FILES.delete
uploads_sweep = IMPORT_FILES.sweep
