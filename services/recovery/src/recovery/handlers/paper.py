"""The letters a transition sends: render (LetterRenderer), store (DocumentStore, immutable, with its
SHA-256), post (PostalPort, idempotent by letter id: a retried transition posts once) and the email
to the debtor with the debtor space's single-use link (written with the case: the chassis courier).

Called by the handlers that hold the case's claim (the deadline sweep, the acceptance), before the
case's write: a crash after posting and before the write leaves the case as it was, its deadline
still due, and the retry posts nothing twice (same letter id) and sends the email once (with the write).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from recovery.domain import deadlines
from recovery.domain.cases import Case, CaseError, GeneratedDocument, LetterKind
from recovery.domain.jurisdiction import Office
from recovery.ports import (
    CreditorDetails,
    DebtorLink,
    DocumentKind,
    LetterRequest,
    Mail,
    PostalItem,
    PostalReceipt,
    RecoveryPorts,
)

PDF = "application/pdf"


@dataclass(frozen=True)
class Paper:
    document: GeneratedDocument
    receipt: PostalReceipt | None
    mail: Mail | None
    link: DebtorLink | None


async def creditor_details(ports: RecoveryPorts, case: Case) -> CreditorDetails:
    """The creditor as the letters show it: identity's view, the address given at filing if none."""
    known = await ports.creditors.details(case.creditor.account_id)
    address = (known.address if known is not None else None) or case.claim.creditor_address
    if address is None:
        raise CaseError("creditor-address-unknown", "the creditor's postal address is unknown: no letter can show it")
    if known is None:
        raise CaseError("creditor-unknown", f"account {case.creditor.account_id} is not known to recovery yet")
    return CreditorDetails(known.name, address, known.email, known.siren)


async def office_of(ports: RecoveryPorts, case: Case) -> Office:
    office = await ports.directory.get(case.office_id or "")
    if office is None:
        raise CaseError("office-unknown", f"office {case.office_id} is not in the directory")
    return office


def _money(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", "\u202f") + f",{rest:02d} EUR"


def debtor_mail(kind: DocumentKind, case: Case, creditor: CreditorDetails, office: Office, link: DebtorLink) -> Mail:
    debtor = case.claim.debtor
    if kind is DocumentKind.AMICABLE_LETTER:
        subject = f"Demande de paiement amiable : créance de {creditor.name}"
        body = (
            f"{office.commissaire}, commissaire de justice ({office.name}), vous adresse par courrier une demande "
            f"de paiement amiable de la créance de {creditor.name}, d'un montant de {_money(case.balance_cents)}."
        )
    else:
        subject = f"Procédure simplifiée de recouvrement : créance de {creditor.name}"
        body = (
            f"{office.commissaire}, commissaire de justice ({office.name}), vous adresse par lettre recommandée "
            f"avec accusé de réception une proposition de procédure simplifiée de recouvrement (article L125-1 du "
            f"code des procédures civiles d'exécution) pour la créance de {creditor.name}, d'un montant de "
            f"{_money(case.balance_cents)}. Vous êtes libre de l'accepter ou de la refuser ; l'absence de réponse "
            "dans le délai d'un mois à compter de l'envoi de la lettre vaut refus."
        )
    text = (
        f"Bonjour {debtor.display_name},\n\n{body}\n\n"
        f"Consultez la créance, ses pièces et répondez sur votre espace (lien personnel, à usage unique) :\n"
        f"{link.url}\n\n{office.commissaire}\n{office.name}\n{office.line1}, {office.postcode} {office.city}\n"
    )
    return Mail(to=debtor.email, subject=subject, text=text)


async def generate(
    ports: RecoveryPorts,
    kind: DocumentKind,
    case: Case,
    letter_id: str,
    at: datetime,
    *,
    link: DebtorLink | None = None,
    court: str = "",
) -> GeneratedDocument:
    """Render `kind` for `case` (as it will be after the transition) and store it."""
    creditor = await creditor_details(ports, case)
    office = await office_of(ports, case)
    request = LetterRequest(
        kind=kind,
        case=case,
        creditor=creditor,
        office=office,
        issued_on=deadlines.local_day(at, case.department),
        debtor_link=link.url if link else "",
        court=court,
    )
    content = await asyncio.to_thread(ports.letters.render, request)  # WeasyPrint is CPU-bound
    stored = await ports.documents.put(content, media_type=PDF, name=f"{letter_id.replace(':', '-')}.pdf")
    return GeneratedDocument(stored.document_id, kind.value, stored.sha256, at, letter_id)


async def send_letter(
    ports: RecoveryPorts, kind: DocumentKind, case: Case, letter_id: str, at: datetime, link_expires_at: datetime
) -> Paper:
    """A letter to the debtor: generated, stored, posted, and its email (with a fresh link)."""
    link = await ports.links.issue(case.case_id, expires_at=link_expires_at)
    document = await generate(ports, kind, case, letter_id, at, link=link)
    debtor = case.claim.debtor
    postal_kind = LetterKind.PLAIN if kind is DocumentKind.AMICABLE_LETTER else LetterKind.REGISTERED
    receipt = await ports.postal.send(
        PostalItem(letter_id, case.case_id, postal_kind, debtor.display_name, debtor.address, document.document_id)
    )
    creditor = await creditor_details(ports, case)
    mail = debtor_mail(kind, case, creditor, await office_of(ports, case), link)
    return Paper(document, receipt, mail, link)


def link_lifetime(case_after: Case, answer_months: int) -> datetime:
    """Until when a letter's link lets the debtor in: the simplified procedure's end. For the plain
    letter that end is not known yet: the amicable deadline plus the month, with room (the space
    also closes once the procedure ended, whatever the link's expiry)."""
    assert case_after.due_at is not None
    if case_after.letter(LetterKind.REGISTERED) is not None:
        return case_after.due_at
    return case_after.due_at + timedelta(days=31 * answer_months + 7)
