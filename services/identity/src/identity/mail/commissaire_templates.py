"""The mail inviting a commissaire de justice to activate the account support created."""

from __future__ import annotations

from identity.mail.templates import SIGNATURE


def commissaire_invitation_mail(link: str, display_name: str, ttl_hours: int) -> tuple[str, str]:
    subject = "Activez votre compte commissaire de justice creditdesk"
    text = (
        f"Bonjour Maître {display_name},\n\n"
        "Un compte creditdesk a été créé pour vous par notre support, rattaché à votre étude : "
        "vous y verrez les dossiers de recouvrement de petites créances qui lui sont confiés.\n\n"
        "Choisissez votre mot de passe pour l'activer en suivant le lien :\n"
        f"{link}\n\n"
        f"Ce lien ne sert qu'une fois et expire sous {ttl_hours} heures. "
        "Ensuite, connectez-vous avec cette adresse email et ce mot de passe.\n\n" + SIGNATURE
    )
    return subject, text
