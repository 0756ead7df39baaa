"""The demo accounts' second factor: published secrets, so a newcomer can sign in.

Every demo account has an authenticator with the fixed secret below (base32, as an
authenticator app takes it typed in) and six backup codes. They are public by design, in
the README and in ``load_demo``'s output: never give a real account these.
"""

from __future__ import annotations

from foiregister.kernel.signin import services as signin

DEMO_TOTP_SECRETS = {
    "officer": "DEMOOFFICERTOTPSECRETFOIREGISTER",
    "lead": "DEMOLEADTOTPSECRETFOIREGISTERKEY",
    "commissioner": "DEMOCOMMISSIONERTOTPSECRETFOIREG",
    "admin": "DEMOADMINTOTPSECRETFOIREGISTERKY",
}
BACKUP_CODE_COUNT = 6


def backup_codes(username: str) -> list[str]:
    return [f"{username}-{n}" for n in range(1, BACKUP_CODE_COUNT + 1)]


def ensure_second_factors(users: dict[str, object]) -> None:
    """Give each demo account its published authenticator and a full set of backup codes
    (used ones come back on the next load)."""
    for username, user in users.items():
        signin.set_up_known_authenticator(
            user=user,
            base32_key=DEMO_TOTP_SECRETS[username],
            backup_codes=backup_codes(username),
            by=user,
        )


def sign_in_lines(username: str) -> list[str]:
    return [
        f"      authenticator secret {DEMO_TOTP_SECRETS[username]}",
        f"      backup codes {' '.join(backup_codes(username))}",
    ]
