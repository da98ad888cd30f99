"""Texts of the mails and SMS teams sends (French, as the product's users are): pure, no I/O.

Mails are plain text only. Names taken from users (the company's, the
inviter's) go through `chassis.text.inert`: on one line (a subject can never
break into headers) and defanged so that no mail client links them; the links
teams writes itself are left as they are.
"""

from __future__ import annotations

from chassis.text import inert


def invitation_mail(company_name: str, inviter: str, link: str, hours: int) -> tuple[str, str]:
    company_name, inviter = inert(company_name), inert(inviter)
    subject = f"Invitation à rejoindre l'espace {company_name} sur creditdesk"
    text = (
        "Bonjour,\n\n"
        f"{inviter} vous invite à rejoindre l'espace sécurisé de {company_name}.\n"
        "Connectez-vous avec cette adresse e-mail (créez d'abord votre compte creditdesk\n"
        "avec cette adresse si vous n'en avez pas), puis suivez le lien :\n"
        f"{link}\n\n"
        f"Ce lien ne sert qu'une fois et expire sous {hours} heures.\n\n"
        "Cordialement,\ncreditdesk\n"
    )
    return subject, text


def code_sms(code: str, invitee: str, minutes: int) -> str:
    invitee = inert(invitee)
    return (
        f"creditdesk : votre code de validation de l'invitation de {invitee} est {code}. "
        f"Il expire dans {minutes} min. Ne le communiquez à personne."
    )
