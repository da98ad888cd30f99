"""Identity's command handlers, one module per flow, on the real adapters."""

from identity.handlers.context import Identity

__all__ = ["Identity"]
