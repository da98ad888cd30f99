"""Recovery's generated documents: HTML templates (Jinja2) rendered to PDF by WeasyPrint (ADR 0024)."""

from recovery.adapters.letters import french
from recovery.adapters.letters.renderer import TEMPLATES, ResourceRefused, WeasyPrintRenderer, letter_context

__all__ = ["TEMPLATES", "ResourceRefused", "WeasyPrintRenderer", "french", "letter_context"]
