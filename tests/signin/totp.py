"""RFC 6238 TOTP written out from the RFC (HMAC-SHA1, 30 s, 6 digits), so a test computes the
code an authenticator app would show without asking the code under test."""

import base64
import hashlib
import hmac
import struct
import time


def totp(base32_secret: str, *, at: float | None = None) -> str:
    key = base64.b32decode(base32_secret)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
