"""A throwaway PostgreSQL server for the tests (issue 34 §4).

`PgServer.start()` runs Debian's `postgresql` server binaries as `nobody`
(root may not run a PostgreSQL server; the tests themselves stay root):
`initdb` into a fresh temp folder, `pg_ctl` on a free port of 127.0.0.1
(and a Unix socket in that folder), password authentication over TCP.
Roles: `curator_admin` (superuser) and `curator_reader` (may connect and
read, made read-only per database by `grant_read_only`). Passwords go into a
private `PGPASSFILE`, as a studio keeps them in ~/.pgpass: never in a URL.
`stop()` stops the server and removes the folder; `kill()` is a kill -9 of
the postmaster and `start()` brings the same cluster back on the same port.
`new_database()` makes an empty database per test.

Found: `pg_ctl` under /usr/lib/postgresql/<version>/bin (the highest) or on
PATH. Missing: the tests skip with the reason, except under CI (`CI` set),
where the README's test command (`make test`) has installed it.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

NOBODY = 65534
ADMIN, ADMIN_PASSWORD = "curator_admin", "adm-S3cret-pw"
READER, READER_PASSWORD = "curator_reader", "rdr-S3cret-pw"
_counter = itertools.count(1)


def server_bin() -> Path | None:
    """The folder of PostgreSQL's server programs, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def missing_reason() -> str | None:
    """Why no test server can run here (None: it can)."""
    if server_bin() is None:
        return "PostgreSQL's server (Debian: postgresql) is not installed; `make test` installs it"
    from curator.catalog.backends.postgres import load_driver

    if load_driver() is None:
        return "psycopg is not installed (pip install 'curator[studio]'; `make test` does)"
    return None


def _port_taken(said: str) -> bool:
    """Whether a failed start's words say its port was in use."""
    return "Address already in use" in said or "could not create any TCP/IP sockets" in said


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self) -> None:
        bindir = server_bin()
        assert bindir is not None
        self.bin = bindir
        self.root = Path(tempfile.mkdtemp(prefix="curator-pg-"))
        os.chmod(self.root, 0o755)
        self.data = self.root / "data"
        self.passfile = Path(tempfile.mkdtemp(prefix="curator-pgpass-")) / "pgpass"
        self._take_port(_free_port())
        self._initialised = False
        self._started_once = False

    def _take_port(self, port: int) -> None:
        """Serve on `port` from the next start: the passfile names it."""
        self.port = port
        self.passfile.write_text(
            f"127.0.0.1:{port}:*:{ADMIN}:{ADMIN_PASSWORD}\n"
            f"127.0.0.1:{port}:*:{READER}:{READER_PASSWORD}\n"
        )
        os.chmod(self.passfile, 0o600)

    # -- running the server as nobody ------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        as_nobody = os.geteuid() == 0
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.root,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            user=NOBODY if as_nobody else None,
            group=NOBODY if as_nobody else None,
            extra_groups=[] if as_nobody else None,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self) -> None:
        if not self._initialised:
            if os.geteuid() == 0:
                os.chown(self.root, NOBODY, NOBODY)
            pwfile = self.root / "pw"
            pwfile.write_text(ADMIN_PASSWORD + "\n")
            if os.geteuid() == 0:
                os.chown(pwfile, NOBODY, NOBODY)
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                ADMIN,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
            pwfile.unlink()
            self._initialised = True
        for attempt in itertools.count(1):
            failed = self._pg_ctl_start()
            if failed is None:
                break
            # The free port was only free when asked: between that and the
            # server's bind (initdb takes seconds), another worker's test
            # server may take it. A first start moves to a new port; a
            # restart after kill() must keep the one its URLs name.
            if self._started_once or attempt == 3 or not _port_taken(failed):
                raise RuntimeError(f"pg_ctl start failed on port {self.port}:\n{failed}")
            self._take_port(_free_port())
        self._started_once = True
        if not getattr(self, "_roles", False):
            self.admin_sql(
                f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'",
            )
            self._roles = True

    def _pg_ctl_start(self) -> str | None:
        """Start the server and wait for it; None, or what pg_ctl and the server's log said."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            " -c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        log = self.root / "server.log"
        done = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "start",
            check=False,
        )
        if done.returncode == 0:
            return None
        said = log.read_text(errors="replace")[-4000:] if log.exists() else "(no server log)"
        return f"{done.stdout}{done.stderr}\n--- server.log ---\n{said}"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """kill -9 of the server (its backends die with it)."""
        pid = self.postmaster_pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        # The orphaned backends go by themselves once the postmaster is gone.
        time.sleep(0.5)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.passfile.parent, ignore_errors=True)

    # -- databases -----------------------------------------------------------------

    def url(self, database: str, user: str = ADMIN) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin_sql(self, *statements: str, database: str = "postgres") -> list[tuple[object, ...]]:
        from curator.catalog.backends.postgres import load_driver

        psycopg = load_driver()

        rows: list[tuple[object, ...]] = []
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=ADMIN,
            password=ADMIN_PASSWORD,
            dbname=database,
            autocommit=True,
        ) as conn:
            for statement in statements:
                cur = conn.execute(statement)
                if cur.description is not None:
                    rows = cur.fetchall()
        return rows

    def new_database(self, template: str | None = None) -> str:
        name = f"cat_{os.getpid()}_{next(_counter)}"
        tail = f" TEMPLATE {template}" if template else ""
        self.admin_sql(f"CREATE DATABASE {name}{tail}")
        return name

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def grant_read_only(self, database: str) -> None:
        """`curator_reader` may read every table of `database`, write none."""
        self.admin_sql(
            f"GRANT CONNECT ON DATABASE {database} TO {READER}",
        )
        self.admin_sql(
            f"GRANT USAGE ON SCHEMA public TO {READER}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}",
            database=database,
        )
