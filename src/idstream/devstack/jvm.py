"""Faster JVM start-up for the development broker: a dynamic AppCDS archive.

The first broker run records the classes it loaded into a class-data-sharing
archive when it exits (``-XX:ArchiveClassesAtExit``); later runs map it
(``-XX:SharedArchiveFile``), which saves a good part of the class loading. The
archive's name hashes the ``java`` binary and the jar list, so a new JDK or new
jars get a new archive; a stale or broken archive is ignored by the JVM
(``-Xshare:auto``, the default).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from pathlib import Path

__all__ = ["ClassDataArchive"]

_QUIET = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]


class ClassDataArchive:
    """A dynamic CDS archive for one JDK and one classpath directory.

    Args:
        cache_dir: Directory that holds the archives.
        java: The ``java`` executable.
        libs_dir: The directory of jars on the classpath (``libs_dir/*``).
        label: A name for the archive (e.g. ``"kafka"``).
    """

    def __init__(self, cache_dir: Path, java: str, libs_dir: Path, label: str) -> None:
        self.cache_dir = Path(cache_dir)
        self.java = java
        self.libs_dir = Path(libs_dir)
        self.label = label

    def _fingerprint(self) -> str:
        digest = hashlib.sha1(usedforsecurity=False)
        resolved = shutil.which(self.java)
        if resolved is not None:
            real = os.path.realpath(resolved)
            digest.update(f"{real}:{os.stat(real).st_mtime_ns}".encode())
        for jar in sorted(self.libs_dir.glob("*.jar")):
            digest.update(jar.name.encode())
        return digest.hexdigest()[:12]

    @property
    def path(self) -> Path:
        """Where the archive for this JDK and classpath lives."""
        return self.cache_dir / f"{self.label}-{self._fingerprint()}.jsa"

    def use_options(self) -> list[str]:
        """JVM options that map the archive, or none if it does not exist yet."""
        path = self.path
        return [f"-XX:SharedArchiveFile={path}", *_QUIET] if path.is_file() else []

    def start_options(self, pending: Path) -> list[str]:
        """JVM options for a long-running process: use the archive, or record one at exit.

        Args:
            pending: A file in which to note where the JVM will write a new
                archive; :meth:`collect` reads it after the process exited.

        Returns:
            The options.
        """
        use = self.use_options()
        if use:
            return use
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / f".{self.path.name}.tmp-{uuid.uuid4().hex[:8]}"
        pending.write_text(str(tmp) + "\n")
        return [f"-XX:ArchiveClassesAtExit={tmp}", *_QUIET]

    def collect(self, pending: Path) -> bool:
        """After the process exited: move the archive it recorded into place.

        Args:
            pending: The file given to :meth:`start_options`.

        Returns:
            True if a new archive was installed.
        """
        try:
            tmp = Path(pending.read_text().strip())
        except FileNotFoundError:
            return False
        pending.unlink(missing_ok=True)
        if tmp.parent != self.cache_dir or not tmp.is_file() or tmp.stat().st_size == 0:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return False
        os.replace(tmp, self.path)
        return True
