"""The mail inviting a commissaire de justice to activate the account support created."""

from __future__ import annotations

from identity.mail.templates import follow, mail, once


def commissaire_invitation_mail(link: str, display_name: str, ttl_hours: int) -> tuple[str, str]:
    return mail(
        "Activez votre compte commissaire de justice creditdesk",
        "Un compte creditdesk a été créé pour vous par notre support, rattaché à votre étude : "
        "vous y verrez les dossiers de recouvrement de petites créances qui lui sont confiés.",
        follow("Choisissez votre mot de passe pour l'activer en suivant le lien :", link),
        once(f"{ttl_hours} heures") + " Ensuite, connectez-vous avec cette adresse email et ce mot de passe.",
        greeting=f"Bonjour Maître {display_name},",
    )
