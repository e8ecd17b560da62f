"""The websites allowed to show the clinic's inquiry form in a frame (CSP frame-ancestors).

Each line the clinic admin types becomes one source in the ``frame-ancestors`` directive, so a
line must be exactly an origin: ``https://host`` with an optional port, nothing after it. A
space, semicolon, path or wildcard would change the policy's meaning (a ``;`` would even start a
new directive), so anything else is refused with the line named. Plain ``http`` is allowed
only for this computer (localhost), where a developer tries the embed out.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

LOCAL_HOSTS = {"localhost", "127.0.0.1"}
DEFAULT_PORTS = {"https": 443, "http": 80}
# A DNS name or IPv4 address: labels of letters, digits and inner hyphens. (No IPv6 literals:
# nobody embeds a clinic's form from one, and the embed view reads only these names.)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
EXAMPLE = "https://www.example.com"


def normalise_origin(line: str) -> str:
    """``line`` as a normalised origin (lower-case host, no default port, no trailing slash);
    ValueError with a plain-language reason when it is not an origin."""
    text = line.strip()
    if any(ch.isspace() for ch in text) or ";" in text or "," in text:
        raise ValueError("put one address on each line, with no spaces or punctuation between")
    if "*" in text:
        raise ValueError("wildcards are not allowed; write each website out in full")
    if "://" not in text:
        raise ValueError(f"start the address with https://, e.g. {EXAMPLE}")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"start the address with https://, e.g. {EXAMPLE}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("leave out any user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text[-1:] in ("?", "#"):
        raise ValueError(f"give only the website, with nothing after it, e.g. {EXAMPLE}")
    host = (parts.hostname or "").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValueError("the website name has characters that cannot be used") from exc
    if not host or not _HOST.match(host):
        raise ValueError(f"the website name is missing or not valid, e.g. {EXAMPLE}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the port after the colon must be a number from 1 to 65535") from exc
    if port == 0:
        raise ValueError("the port after the colon must be a number from 1 to 65535")
    if scheme == "http" and host not in LOCAL_HOSTS:
        raise ValueError("use https:// (plain http:// is only for localhost)")
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalise_origins(text: str) -> str:
    """The clinic admin's lines, each normalised, blank lines and repeats dropped, joined by
    newlines; a ValidationError naming every line that is not an origin."""
    seen: list[str] = []
    errors: list[ValidationError] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            origin = normalise_origin(line)
        except ValueError as exc:
            errors.append(
                ValidationError(
                    'Line %(number)s, "%(line)s": %(reason)s.',
                    code="invalid_origin",
                    params={"number": number, "line": line.strip(), "reason": exc},
                )
            )
            continue
        if origin not in seen:
            seen.append(origin)
    if errors:
        raise ValidationError(errors)
    return "\n".join(seen)


def embed_origins(clinic: object) -> list[str]:
    """The clinic's allowed framing origins, for a CSP ``frame-ancestors`` directive."""
    return [line for line in str(getattr(clinic, "embed_origins", "") or "").splitlines() if line]
