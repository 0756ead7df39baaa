"""Why a response cannot be published, with the findings that stop it."""

from __future__ import annotations

from foiregister.kernel.exceptions import FoiRegisterError

from .checks import Finding


class PublicationError(FoiRegisterError):
    """A response that cannot be published (or withdrawn) as asked."""


class PersonalDataFound(PublicationError):
    """The check found personal data that is neither redacted nor accepted."""

    def __init__(self, findings: list[Finding]) -> None:
        kinds = sorted({f.label for f in findings})
        super().__init__(
            f"{len(findings)} personal-data finding(s) to redact or accept before "
            f"publishing: {', '.join(kinds)}",
            field="findings",
        )
        self.findings = findings


class UncheckedAttachment(PublicationError):
    """An attachment we could not read, with no FOI lead's override."""
