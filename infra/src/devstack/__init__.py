"""Local development stack without Docker: Kafka (KRaft), a MongoDB-wire server,
an SMTP sink and the platform's services, on loopback. See infra/README.md."""

from .config import StackConfig
from .errors import DevstackError
from .mailbox import Mail, Mailbox
from .stack import Stack

__all__ = ["DevstackError", "Mail", "Mailbox", "Stack", "StackConfig"]
