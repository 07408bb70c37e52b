"""Link targets for a clinic's website, email address and phone numbers in the contact block.

Clinic values are data from outside: a value becomes a link only when it plainly is a web
address, an email address or a phone number, so that nothing else can reach an href.
"""

from __future__ import annotations

import re

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_WEBSITE = re.compile(rf"(?P<scheme>https?://)?{_HOST}(?::[0-9]{{1,5}})?(?:/[A-Za-z0-9._~%/?#=&+-]*)?")
_EMAIL = re.compile(rf"[A-Za-z0-9._%+-]+@{_HOST}")
_PHONE = re.compile(r"\+?[0-9 ().-]+")  # digits and the usual punctuation only: no "ext.", no letters


def link_target(kind: str, value: str) -> str | None:
    """The URI for a contact value of this kind ("web", "mailto", "tel"), or None if it is not plainly one."""
    if kind == "web" and (match := _WEBSITE.fullmatch(value)):
        return value if match["scheme"] else f"https://{value}"
    if kind == "mailto" and _EMAIL.fullmatch(value):
        return f"mailto:{value}"
    if kind == "tel" and _PHONE.fullmatch(value):
        digits = re.sub(r"[^0-9]", "", value)
        if 3 <= len(digits) <= 15:  # E.164 allows 15 digits; 3 for short numbers such as 988
            return f"tel:{'+' if value.startswith('+') else ''}{digits}"
    return None
