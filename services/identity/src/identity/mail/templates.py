"""Texts of the mails identity sends (French, as the product's users are). Every mail is built by
`mail`: a greeting, paragraphs, the signature; a mailed link is `follow`'s, its lifetime `once`'s."""

from __future__ import annotations

SIGNATURE = "Cordialement,\ncreditdesk\n"
GREETING = "Bonjour,"


def mail(subject: str, *paragraphs: str, greeting: str = GREETING) -> tuple[str, str]:
    """A mail's subject and text: the greeting and each paragraph followed by a blank line, then the signature."""
    return subject, "".join(f"{paragraph}\n\n" for paragraph in (greeting, *paragraphs)) + SIGNATURE


def follow(invitation: str, link: str) -> str:
    """A sentence that ends on a link, the link on its own line."""
    return f"{invitation}\n{link}"


def once(lifetime: str) -> str:
    """What every mailed single-use link says of itself."""
    return f"Ce lien ne sert qu'une fois et expire sous {lifetime}."


def activation_mail(link: str, ttl_hours: int = 48) -> tuple[str, str]:
    return mail(
        "Activez votre compte creditdesk",
        follow("Merci d'activer votre compte en suivant le lien :", link),
        once(f"{ttl_hours} heures"),
    )


def already_registered_mail(login_link: str, recovery_link: str) -> tuple[str, str]:
    return mail(
        "Tentative d'inscription avec votre adresse",
        "Quelqu'un a tenté de créer un compte creditdesk avec votre adresse email, qui est déjà associée à un compte.",
        follow("S'il s'agit de vous, connectez-vous :", login_link)
        + "\n"
        + follow("Mot de passe oublié ? Demandez-en un nouveau :", recovery_link),
        "S'il ne s'agit pas de vous, ignorez ce message : votre compte n'a pas été modifié.",
    )


def recovery_mail(link: str, ttl_minutes: int) -> tuple[str, str]:
    return mail(
        "Réinitialisation de votre mot de passe creditdesk",
        follow(
            "Une réinitialisation du mot de passe de votre compte a été demandée. "
            "Pour choisir un nouveau mot de passe, suivez le lien :",
            link,
        ),
        once(f"{ttl_minutes} minutes") + " Une fois le mot de passe changé, toutes vos sessions ouvertes sont fermées.",
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
    )


def password_changed_mail(recovery_link: str) -> tuple[str, str]:
    return mail(
        "Votre mot de passe creditdesk a été modifié",
        "Le mot de passe de votre compte vient d'être modifié et toutes vos sessions ont été fermées.",
        follow(
            "Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sans attendre :",
            recovery_link,
        ),
    )


def first_connection_mail(link: str, ttl_hours: int) -> tuple[str, str]:
    return mail(
        "Créez votre accès à votre espace client",
        follow(
            "Pour créer votre accès et consulter vos échéanciers, choisissez votre mot de passe en suivant le lien :",
            link,
        ),
        "Votre identifiant de connexion est l'adresse email indiquée lors de votre commande.\n"
        + once(f"{ttl_hours} heures"),
    )


def access_exists_mail(login_link: str, recovery_link: str) -> tuple[str, str]:
    return mail(
        "Votre accès à l'espace client existe déjà",
        "Une première connexion a été demandée pour votre adresse, mais un accès existe déjà.\n"
        f"Connectez-vous : {login_link}\n"
        f"Mot de passe oublié : {recovery_link}",
    )


def migration_confirmation_mail(link: str, ttl_hours: int) -> tuple[str, str]:
    return mail(
        "Confirmez votre adresse pour votre nouvel espace creditdesk",
        follow(
            "Vous avez demandé la migration de votre compte de l'ancien portail. "
            "Confirmez votre adresse email en suivant le lien :",
            link,
        ),
        "Vous pourrez ensuite vous connecter au nouvel espace avec cette adresse et le mot de passe choisi. "
        "Votre contrat, votre tarification, votre portefeuille et vos surveillances restent inchangés.\n"
        + once(f"{ttl_hours} heures"),
    )
