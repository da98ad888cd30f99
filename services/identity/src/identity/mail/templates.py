"""Texts of the mails identity sends (French, as the product's users are)."""

from __future__ import annotations

SIGNATURE = "Cordialement,\ncreditdesk\n"


def activation_mail(link: str, ttl_hours: int = 48) -> tuple[str, str]:
    subject = "Activez votre compte creditdesk"
    text = (
        "Bonjour,\n\n"
        "Merci d'activer votre compte en suivant le lien :\n"
        f"{link}\n\n"
        f"Ce lien ne sert qu'une fois et expire sous {ttl_hours} heures.\n\n" + SIGNATURE
    )
    return subject, text


def already_registered_mail(login_link: str, recovery_link: str) -> tuple[str, str]:
    subject = "Tentative d'inscription avec votre adresse"
    text = (
        "Bonjour,\n\n"
        "Quelqu'un a tenté de créer un compte creditdesk avec votre adresse email, "
        "qui est déjà associée à un compte.\n\n"
        "S'il s'agit de vous, connectez-vous :\n"
        f"{login_link}\n"
        "Mot de passe oublié ? Demandez-en un nouveau :\n"
        f"{recovery_link}\n\n"
        "S'il ne s'agit pas de vous, ignorez ce message : votre compte n'a pas été modifié.\n\n" + SIGNATURE
    )
    return subject, text


def recovery_mail(link: str, ttl_minutes: int) -> tuple[str, str]:
    subject = "Réinitialisation de votre mot de passe creditdesk"
    text = (
        "Bonjour,\n\n"
        "Une réinitialisation du mot de passe de votre compte a été demandée. "
        "Pour choisir un nouveau mot de passe, suivez le lien :\n"
        f"{link}\n\n"
        f"Ce lien ne sert qu'une fois et expire sous {ttl_minutes} minutes. "
        "Une fois le mot de passe changé, toutes vos sessions ouvertes sont fermées.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n" + SIGNATURE
    )
    return subject, text


def password_changed_mail(recovery_link: str) -> tuple[str, str]:
    subject = "Votre mot de passe creditdesk a été modifié"
    text = (
        "Bonjour,\n\n"
        "Le mot de passe de votre compte vient d'être modifié et toutes vos sessions ont été fermées.\n\n"
        "Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sans attendre :\n"
        f"{recovery_link}\n\n" + SIGNATURE
    )
    return subject, text


def first_connection_mail(link: str, ttl_hours: int) -> tuple[str, str]:
    subject = "Créez votre accès à votre espace client"
    text = (
        "Bonjour,\n\n"
        "Pour créer votre accès et consulter vos échéanciers, choisissez votre mot de passe en suivant le lien :\n"
        f"{link}\n\n"
        "Votre identifiant de connexion est l'adresse email indiquée lors de votre commande.\n"
        f"Ce lien ne sert qu'une fois et expire sous {ttl_hours} heures.\n\n" + SIGNATURE
    )
    return subject, text


def access_exists_mail(login_link: str, recovery_link: str) -> tuple[str, str]:
    subject = "Votre accès à l'espace client existe déjà"
    text = (
        "Bonjour,\n\n"
        "Une première connexion a été demandée pour votre adresse, mais un accès existe déjà.\n"
        f"Connectez-vous : {login_link}\n"
        f"Mot de passe oublié : {recovery_link}\n\n" + SIGNATURE
    )
    return subject, text


def migration_confirmation_mail(link: str, ttl_hours: int) -> tuple[str, str]:
    subject = "Confirmez votre adresse pour votre nouvel espace creditdesk"
    text = (
        "Bonjour,\n\n"
        "Vous avez demandé la migration de votre compte de l'ancien portail. "
        "Confirmez votre adresse email en suivant le lien :\n"
        f"{link}\n\n"
        "Vous pourrez ensuite vous connecter au nouvel espace avec cette adresse et le mot de passe choisi. "
        "Votre contrat, votre tarification, votre portefeuille et vos surveillances restent inchangés.\n"
        f"Ce lien ne sert qu'une fois et expire sous {ttl_hours} heures.\n\n" + SIGNATURE
    )
    return subject, text
