"""Texts of the mails identity sends (French, as the product's users are)."""

from __future__ import annotations


def activation_mail(link: str) -> tuple[str, str]:
    subject = "Activez votre compte creditdesk"
    text = (
        "Bonjour,\n\n"
        "Merci d'activer votre compte en suivant le lien :\n"
        f"{link}\n\n"
        "Ce lien ne sert qu'une fois et expire sous 48 heures.\n\n"
        "Cordialement,\ncreditdesk\n"
    )
    return subject, text
