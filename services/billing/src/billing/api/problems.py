"""Every problem billing's routes answer, by code (`chassis.openapi.problems` documents
them per route). The handlers raise them with the same code and status."""

from __future__ import annotations

from chassis.openapi import UNAUTHENTICATED, ErrorCode

AUTH = UNAUTHENTICATED
NO_PROFILE = ErrorCode("no-profile", 404, "No billing profile yet: it opens once the account is activated")
PROFILE_BUSY = ErrorCode("profile-busy", 409, "The profile changed meanwhile: try again")
INVALID_IBAN = ErrorCode("invalid-iban", 422, "Bad IBAN: check digits, its country's length or format")
INVALID_BIC = ErrorCode("invalid-bic", 422, "Bad BIC: malformed, another country or not the IBAN's bank")
TERMS_VERSION = ErrorCode("terms-version", 422, "Not the version in force: read GET /terms")
BANK_DETAILS_MISSING = ErrorCode("bank-details-missing", 409, "Give bank details before the mandate")
TERMS_NOT_ACCEPTED = ErrorCode("terms-not-accepted", 409, "Accept the terms before the mandate")
MANDATE_STATUS = ErrorCode("mandate-status", 409, "The mandate cannot go that way from its status")
NO_MANDATE = ErrorCode("no-mandate", 409, "No signed mandate to revoke")
MISSING_RIGHT = ErrorCode("missing-right", 403, "The caller lacks the teams right this needs")
NO_BANK_DETAILS = ErrorCode("no-company-bank-details", 404, "No bank details given for this company yet")
NOT_A_MERCHANT = ErrorCode("not-a-merchant", 403, "Neither an onboarded creditor nor one of its API clients")
ORDER_HAS_SCHEDULE = ErrorCode("order-has-schedule", 409, "The merchant's order already has a schedule")
PURCHASE_DATE = ErrorCode("purchase-date", 422, "The purchase date is not within a year ago .. tomorrow")
INSTALLMENTS = ErrorCode("installments", 422, "Not a number of installments offered")
AMOUNT = ErrorCode("amount", 422, "An amount out of bounds (the field errors say which)")
CARD_INVALID = ErrorCode("card-invalid", 422, "The card number or expiry is invalid")
BRAND = ErrorCode("brand-not-accepted", 422, "Only Visa or Mastercard")
EXPIRY = ErrorCode("expires-before-last-installment", 422, "The card expires before the last payment it must pay")
NOTICE = ErrorCode("too-close-to-next-debit", 422, "Too close to the next debit (7 days) to change the card")
UNPAID = ErrorCode("schedule-unpaid", 422, "The schedule is unpaid: regularise it instead")
SCHEDULE_NOT_FOUND = ErrorCode("schedule-not-found", 404, "No such schedule of the caller's")
SCHEDULE_BUSY = ErrorCode("schedule-busy", 409, "The schedule changed meanwhile (a debit may be under way): try again")
NOTHING_PENDING = ErrorCode("nothing-pending", 409, "Nothing is left to debit")
CANCEL_AMOUNT = ErrorCode("amount", 409, "More than what is left to debit")
PAYMENTS = ErrorCode("payments", 422, "Regularised in 1, 2 or 3 payments, each of at least 1 cent")
UNDER_WAY = ErrorCode("regularisation-under-way", 409, "A regularisation is already under way")
NOTHING_UNPAID = ErrorCode("nothing-unpaid", 409, "Nothing is unpaid on this schedule")
PAYMENT_REJECTED = ErrorCode("payment-rejected", 402, "The first payment was rejected: call the collections number")
MISSING_ROLE = ErrorCode("missing-role", 403, "The caller lacks the operator role")

# SEPA batch files of recovery's fees.
BATCH_ROLE = ErrorCode("missing-role", 403, "The caller has neither the support nor the operator role")
NOTHING_TO_COLLECT = ErrorCode("nothing-to-collect", 404, "No collection is scheduled (by that date)")
BATCH_BEING_PRODUCED = ErrorCode("batch-being-produced", 409, "Another request is producing this batch: try again")
BATCH_NOT_FOUND = ErrorCode("batch-not-found", 404, "No such batch")
BATCH_DATE = ErrorCode("validation", 422, "A collection date in the past")
