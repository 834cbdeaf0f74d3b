"""A local S3-compatible object store: versitygw with its posix backend.

``scripts/install-versitygw.sh`` builds the ``versitygw`` binary into
``.cache/bin``. :class:`ObjectStoreServer` runs
``versitygw --access A --secret S --port 127.0.0.1:P posix DATA_DIR`` as a
detached process (see :mod:`idstream.devstack.processes`): every directory under
``DATA_DIR`` is a bucket and every file below it an object. Object metadata goes
into extended attributes, or into a sidecar directory when the filesystem has none.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import time
from pathlib import Path

from idstream.devstack import processes
from idstream.devstack.paths import versitygw_binary
from idstream.errors import ConfigurationError, StoreUnavailable

__all__ = ["ObjectStoreServer"]


def _supports_xattr(directory: Path) -> bool:
    probe = directory / ".idstream-xattr-probe"
    try:
        probe.touch()
        os.setxattr(probe, "user.idstream", b"1")
    except (OSError, AttributeError):
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return True


class ObjectStoreServer:
    """versitygw (posix backend) serving ``data_dir`` over S3 on 127.0.0.1.

    Args:
        data_dir: The gateway's root directory (one sub-directory per bucket).
        port: The port on 127.0.0.1.
        access_key: The root user's access key.
        secret_key: The root user's secret key.
        binary: The ``versitygw`` executable (default: :func:`~idstream.devstack.paths.versitygw_binary`).
        name: Process name under ``run_dir``.
        run_dir: Run directory for the pid and log files.
        region: The S3 region the gateway announces.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        access_key: str,
        secret_key: str,
        *,
        binary: Path | None = None,
        name: str = "objectstore",
        run_dir: Path = processes.DEFAULT_RUN_DIR,
        region: str = "us-east-1",
    ) -> None:
        if len(access_key) < 3 or len(secret_key) < 8:
            raise ValueError("access_key needs >= 3 characters and secret_key >= 8")
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.access_key = access_key
        self.secret_key = secret_key
        self.binary = Path(binary).absolute() if binary is not None else versitygw_binary()
        self.name = name
        self.run_dir = Path(run_dir)
        self.region = region

    @property
    def endpoint(self) -> str:
        """``"127.0.0.1:<port>"``, the endpoint to give to an S3 client (plain HTTP)."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``"http://127.0.0.1:<port>"``."""
        return f"http://{self.endpoint}"

    @property
    def meta_dir(self) -> Path:
        """The sidecar metadata directory, used when ``data_dir`` has no xattrs."""
        return self.data_dir.with_name(self.data_dir.name + ".meta")

    def argv(self) -> list[str]:
        """The command line that starts the gateway (creates ``data_dir`` if missing).

        Raises:
            ConfigurationError: If the binary is missing.
        """
        if not os.access(self.binary, os.X_OK):
            raise ConfigurationError(
                f"versitygw not found at {self.binary}: run `make system` (scripts/install-versitygw.sh)"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        backend = ["posix"]
        if not _supports_xattr(self.data_dir):
            self.meta_dir.mkdir(parents=True, exist_ok=True)
            backend += ["--sidecar", str(self.meta_dir)]
        return [
            str(self.binary),
            "--port",
            self.endpoint,
            "--region",
            self.region,
            "--quiet",
            *backend,
            str(self.data_dir),
        ]

    def start(self) -> processes.ManagedProcess:
        """Start the gateway unless it already runs. Call :meth:`wait_ready` afterwards.

        The keys are passed through the environment, not the command line, so
        that they do not show in ``ps``.

        Returns:
            The gateway process.
        """
        env = {"ROOT_ACCESS_KEY_ID": self.access_key, "ROOT_SECRET_ACCESS_KEY": self.secret_key}
        return processes.start(self.name, self.argv(), run_dir=self.run_dir, env=env)

    def is_running(self) -> bool:
        """Tell whether the gateway process runs."""
        return processes.is_running(self.name, self.run_dir)

    def wait_ready(self, timeout: float = 30.0) -> float:
        """Wait until the gateway answers HTTP on its port.

        Args:
            timeout: Seconds to wait.

        Returns:
            The seconds waited.

        Raises:
            StoreUnavailable: If the process died or did not answer in time.
        """
        started = time.monotonic()
        last_error = "no answer"
        while True:
            if not self.is_running():
                raise StoreUnavailable(
                    f"object store {self.name!r} exited; last log lines:\n"
                    + processes.tail_log(self.name, self.run_dir)
                )
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2.0)
            try:
                conn.request("GET", "/")
                status = conn.getresponse().status
            except OSError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                # Unsigned: 403 (access denied) is the expected answer of a live S3 server.
                if status < 500:
                    return time.monotonic() - started
                last_error = f"HTTP {status}"
            finally:
                conn.close()
            if time.monotonic() - started > timeout:
                raise StoreUnavailable(
                    f"object store on {self.endpoint} not ready after {timeout:.0f}s ({last_error})"
                )
            time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the gateway (SIGTERM, then SIGKILL after ``timeout`` seconds).

        Args:
            timeout: Seconds to wait for a clean shutdown.

        Returns:
            True if a running gateway was stopped.
        """
        return processes.stop(self.name, self.run_dir, timeout=timeout)

    def destroy(self) -> None:
        """Stop the gateway and delete its data (and sidecar metadata) directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.meta_dir, ignore_errors=True)
