"""A gallery's access code, its slow hash, and the gallery's other secrets.

- The code is 10 characters of Crockford's base32 (50 random bits), shown
  once as `ABCDE-FGHJK`. A client may type it in lower case, with spaces or
  dashes, and with O for 0 or I/L for 1: `normal_code` reads all of these.
- The catalog keeps only `scrypt` of it (`hash_code`; n=2**14, r=8, p=1, a
  16-byte salt: about 50 ms a try), checked in constant time (`code_matches`).
- A gallery's token (`g-` + 16 hex), a photo's token (20 hex) and the
  gallery's secret (32 random bytes, hex) are `secrets` values: nothing in a
  URL or a file name tells the catalog's ids or the original's path.
- `selection_key(secret, token)` is the key the page signs its selection
  file with: derived from the secret, so the secret itself never leaves the
  catalog.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_LENGTH = 10  # 50 bits
_N, _R, _P = 2**14, 8, 1
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    """A fresh access code, as shown to the photographer (`ABCDE-FGHJK`)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normal_code(typed: str) -> str:
    """What a client typed, as the code's 10 characters (upper case, no
    separators, look-alike letters read as digits); '' when it can't be one."""
    text = "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")
    text = text.translate(_TYPED)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def hash_code(code: str) -> str:
    """The stored form of a code: `scrypt$n$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normal_code(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def code_matches(typed: str, stored: str) -> bool:
    """True when `typed` is the code whose hash is `stored` (constant time)."""
    code = normal_code(typed)
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        params = tuple(int(v) for v in parts[1:4])
        salt_bytes, want = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return False
    got = hashlib.scrypt(
        (code or "-").encode(), salt=salt_bytes, n=params[0], r=params[1], p=params[2], dklen=32
    )
    return bool(code) and hmac.compare_digest(got, want)


def new_gallery_token() -> str:
    return "g-" + secrets.token_hex(8)


def new_photo_token() -> str:
    return secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_hex(32)


def selection_key(secret: str, gallery_token: str) -> str:
    """The hex key a gallery's page signs its selection file with."""
    return hmac.new(
        bytes.fromhex(secret), f"selection:{gallery_token}".encode(), hashlib.sha256
    ).hexdigest()
