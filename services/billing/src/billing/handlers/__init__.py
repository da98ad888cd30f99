"""Billing's use cases, one module per use case or aggregate, all one shape: take a command, load
through a port (`billing.ports`), decide in the domain (`billing.domain`), save with its events
(or mails, or audit record) in one write. Routes, bus subscribers and schedulers only build the
command and shape the answer; `app.py` wires the ports (`Billing`, `Fees`) once.

- `schedules`: create a schedule (merchants), list and read them, change the card, cancel;
- `regularisation`: regularise what is unpaid, the first payment at once;
- `debits`: the debit run (`run_due_debits`) and its `DebitScheduler`;
- `profiles`, `onboarding`: open the profile, bank details, terms, sign or refuse the mandate;
- `mandates`: revoke the mandate, or lapse it after 36 months unused;
- `companies`: a company's bank details, under teams' right, with their audit trail;
- `fees`, `sepa_batches`: recovery's fees, planned into pre-notified SEPA collections, batch files;
- `common`: the problems they answer, loading and saving through the ports;
- `events`: the integration events a decision publishes.
"""
