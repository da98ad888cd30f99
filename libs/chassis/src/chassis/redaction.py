"""Secrets out of logs: token-like query values are redacted from every log line.

Mailed links no longer carry tokens in their query (they use the URL
fragment, which never reaches a server), but any client may still send one:
access logs (uvicorn's, the gateway's, the services') must not keep it.
One function, used by every process through `configure_logging`.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter

REDACTED = "[redacted]"
# A query parameter is secret when its name says so (access_token, api_key, code, ...).
SECRET_NAMES = ("token", "code", "key", "secret", "password", "ticket")
# ... or when its value looks like a random secret, whatever its name.
LONG_VALUE = 20
MIN_ENTROPY_BITS = 3.0  # per character; an English word or an id in words is below

# `name=value` in a query string: after `?` or `&`, value up to a separator.
_QUERY_PAIR = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&#\s?]+)=(?P<value>[^&#\s\"']*)")
_TOKENISH = re.compile(r"^[A-Za-z0-9_\-.~%+/=]+$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def secret_value(name: str, value: str) -> bool:
    """Whether a query parameter's value must not be logged."""
    lowered = name.lower()
    if any(word in lowered for word in SECRET_NAMES):
        return bool(value)
    return (
        len(value) >= LONG_VALUE
        and _TOKENISH.match(value) is not None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and _entropy(value) >= MIN_ENTROPY_BITS
    )


def redact(text: str) -> str:
    """`text` with every token-like query value replaced by `[redacted]`."""
    if "=" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if not secret_value(match["name"], match["value"]):
            return match[0]
        return f"{match['sep']}{match['name']}={REDACTED}"

    return _QUERY_PAIR.sub(replace, text)


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message is formatted and redacted once,
    whatever logger it comes from (uvicorn's access log included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
