"""Operator commands, run next to the service with its settings (IDENTITY_* variables):

    python -m identity.admin grant-support EMAIL     give the `support` role (effective at next login)
    python -m identity.admin revoke-support EMAIL
    python -m identity.admin create-operator EMAIL   a staff account with the `operator` role (debit runs);
                                                     its generated password is printed once
    python -m identity.admin rotate-key              a new signing key signs from now on (stored keys only)
    python -m identity.admin retire-key KID          drop an old key from the JWKS
    python -m identity.admin seal-keys               re-encrypt stored private keys with the first key of
                                                     IDENTITY_KEY_ENCRYPTION_KEY (after a KEK rotation)
    python -m identity.admin import-legacy FILE      import legacy-portal accounts (JSON lines, see the README)

There is deliberately no command (and no route) that sets or unlocks a password
(`create-operator` only generates the first one of an account it creates).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import uuid
from pathlib import Path

from chassis.clock import SystemClock
from chassis.mongo import MongoDatabase, connect, ensure_indexes
from contracts import PersonKind
from identity.adapters.passwords import Passwords
from identity.domain.accounts import OPERATOR_ROLE, STAFF, SUPPORT_ROLE, AccountStatus
from identity.handlers.legacy import import_legacy_lines
from identity.settings import IdentitySettings
from identity.store import legacy
from identity.store.accounts import ACCOUNTS
from identity.store.keys import KeyStore
from identity.store.legacy import LegacyStore


async def create_operator(db: MongoDatabase, settings: IdentitySettings, email: str) -> str | None:
    """A new active staff account with the operator role; its generated password,
    or None when the email already has an account (it is left unchanged)."""
    email = email.strip().lower()
    accounts = db[ACCOUNTS]
    if await accounts.find_one({"email": email}, {"_id": 1}) is not None:
        return None
    password = secrets.token_urlsafe(18)
    now = SystemClock().now()
    await accounts.insert_one(
        {
            "_id": uuid.uuid4().hex,
            "email": email,
            "account_kind": STAFF,
            "roles": [OPERATOR_ROLE],
            "password_hash": await Passwords.from_settings(settings).hash(password),
            "status": AccountStatus.ACTIVE,
            "person_kind": PersonKind.NATURAL,
            "display_name": "Operator",
            "registered_at": now,
            "activated_at": now,
        }
    )
    return password


async def run(args: argparse.Namespace, settings: IdentitySettings) -> int:
    client = connect(settings)
    db = client[settings.mongo_db]
    clock = SystemClock()
    try:
        if args.command in ("grant-support", "revoke-support"):
            email = args.email.strip().lower()
            accounts = db[ACCOUNTS]
            if await accounts.find_one({"email": email}, {"_id": 1}) is None:
                print(f"no account has the email {email}", file=sys.stderr)
                return 1
            if args.command == "grant-support":
                await accounts.update_one(
                    {"email": email, "roles": {"$ne": SUPPORT_ROLE}}, {"$push": {"roles": SUPPORT_ROLE}}
                )
            else:
                await accounts.update_one({"email": email}, {"$pull": {"roles": SUPPORT_ROLE}})
            print(f"{args.command}: {email} (effective at the next login)")
        elif args.command == "create-operator":
            password = await create_operator(db, settings, args.email)
            if password is None:
                print(f"{args.email}: an account exists already (left unchanged)", file=sys.stderr)
                return 1
            print(f"operator {args.email.strip().lower()} created; password (shown once): {password}")
        elif args.command == "rotate-key":
            if settings.signing_key_pem:
                print(
                    "the signing key comes from IDENTITY_SIGNING_KEY_PEM: rotate by deploying a new one",
                    file=sys.stderr,
                )
                return 1
            key = await KeyStore(db, clock, settings.key_cipher).rotate()
            print(f"new signing key {key.kid}; earlier keys stay published")
        elif args.command == "retire-key":
            if not await KeyStore(db, clock, settings.key_cipher).retire(args.kid):
                print(f"{args.kid}: unknown, or the key that signs now", file=sys.stderr)
                return 1
            print(f"retired {args.kid}")
        elif args.command == "seal-keys":
            count = await KeyStore(db, clock, settings.key_cipher).seal_clear_keys()
            print(f"sealed {count} stored private key(s) with key {settings.key_cipher.current}")
        elif args.command == "import-legacy":
            await ensure_indexes(db, legacy.INDEXES)
            text = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8")
            lines = text.splitlines()
            report = await import_legacy_lines(LegacyStore(db), lines, clock.now)
            print(f"imported {report.imported}, left alone (already migrated) {report.skipped_migrated}")
            for error in report.errors:
                print(f"refused: {error}", file=sys.stderr)
            return 1 if report.errors else 0
        return 0
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m identity.admin", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("grant-support", "revoke-support"):
        commands.add_parser(name).add_argument("email")
    commands.add_parser("create-operator").add_argument("email")
    commands.add_parser("rotate-key")
    commands.add_parser("retire-key").add_argument("kid")
    commands.add_parser("seal-keys")
    commands.add_parser("import-legacy").add_argument("file")
    args = parser.parse_args(argv)
    return asyncio.run(run(args, IdentitySettings()))


if __name__ == "__main__":
    sys.exit(main())
