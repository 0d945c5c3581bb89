"""Where a catalog is: a file (SQLite) or a PostgreSQL URL, and how it is shown.

`--catalog` and the catalog setting take either. A URL is
`postgresql://user@host:5432/db` (also `postgres://`, and libpq's query
parameters such as `sslmode=require`, which are passed on untouched). The
password comes from the standard places, `PGPASSWORD`, `~/.pgpass` or a
service file, which libpq reads itself; a password typed into the URL still
works, but it is never shown: `display` (the form every sentence, log line,
`doctor` and the window title use) drops it, and so does `redact` for any
text that might quote the URL (a driver's error message).

Invariant: no string built from a `PostgresLocation` for people holds the
password; only `conninfo` (handed to libpq, never logged) does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")
_PASSWORD_IN_URL = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)
_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def is_postgres_url(text: object) -> bool:
    """Whether `text` names a PostgreSQL catalog (a `postgresql://` URL)."""
    if not isinstance(text, str):
        return False
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def redact(text: str) -> str:
    """`text` with any password a PostgreSQL URL or conninfo in it carries
    replaced by `***` (for driver messages, which may quote what they were given)."""
    text = _PASSWORD_IN_URL.sub(r"\1:***@", text)
    return _PASSWORD_PARAM.sub(r"\1***", text)


@dataclass(frozen=True)
class PostgresLocation:
    """A parsed `postgresql://` catalog URL."""

    conninfo: str  # what libpq gets (may hold a password: never shown)
    user: str | None
    host: str | None
    port: int | None
    database: str
    params: tuple[tuple[str, str], ...]  # sslmode and the like, as given

    @classmethod
    def parse(cls, url: str) -> PostgresLocation:
        """Raises ValueError with a sentence for a URL that can't name a catalog."""
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in SCHEMES:
            raise ValueError(f"{redact(url)} is not a postgresql:// URL.")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"The port in {redact(url)} is not a number.") from exc
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ValueError(
                f"The catalog URL {redact(url)} names no database: write it as "
                "postgresql://user@host:5432/DATABASE."
            )
        return cls(
            conninfo=url.strip(),
            user=unquote(parts.username) if parts.username else None,
            host=parts.hostname,
            port=port,
            database=database,
            params=tuple(parse_qsl(parts.query)),
        )

    @property
    def display(self) -> str:
        """The URL without its password (every place a person sees it)."""
        netloc = quote(self.user, safe="") + "@" if self.user else ""
        netloc += self.host or ""
        if self.port is not None:
            netloc += f":{self.port}"
        query = "&".join(f"{k}={v}" for k, v in self.params if k.lower() != "password")
        return SplitResult("postgresql", netloc, "/" + quote(self.database), query, "").geturl()

    @property
    def slug(self) -> str:
        """A file-name-safe name for this catalog's local folder (cache, backups)."""
        raw = f"{self.host or 'local'}-{self.port or 5432}-{self.database}"
        return re.sub(r"[^A-Za-z0-9._-]+", "_", raw)

    def local_stand_in(self, data_dir: Path) -> Path:
        """The local path that stands for this catalog where a file is expected:
        its folder holds the seat's cache and the backups `curator backup` makes.
        Nothing is ever opened at that path as a catalog."""
        return data_dir / "studio" / self.slug / "catalog.pg"


def describe(location: str | Path) -> str:
    """How to name a catalog location in a sentence: the path, or the URL
    without its password."""
    if is_postgres_url(location):
        try:
            return PostgresLocation.parse(str(location)).display
        except ValueError:
            return redact(str(location))
    return str(location)
