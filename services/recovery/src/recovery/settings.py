"""Recovery's settings: environment variables prefixed `RECOVERY_`."""

from pydantic import Field

from chassis.settings import MailSettings, service_config
from recovery.domain.cases import ProcedurePolicy
from recovery.domain.documents import MAX_PROOF_BYTES, MAX_PROOFS
from recovery.domain.fees import FeeSchedule


class RecoverySettings(MailSettings):
    model_config = service_config("RECOVERY_")

    service_name: str = "recovery"
    http_port: int = 8003
    # The procedure's counts (README, "Choices"): the product's 15 days, R125-2's month, an office's days to answer.
    amicable_days: int = Field(default=15, ge=1)
    answer_months: int = Field(default=1, ge=1)
    office_answer_days: int = Field(default=8, ge=1)
    proof_max_bytes: int = Field(default=MAX_PROOF_BYTES, ge=1024)
    proof_max_count: int = Field(default=MAX_PROOFS, ge=1)
    # The filing form (POST /cases) carries the proofs: a larger body than other routes (the
    # chassis' 1 MiB), as large as the gateway's document limit (recovery.api.DOCUMENT_PATHS).
    document_paths: tuple[str, ...] = ("/cases",)
    max_document_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)
    # The local postal adapter's folder (FolderPostalService): one PDF and one JSON manifest per letter.
    postal_dir: str = ".cache/postal"

    # The fee schedule (README, "Fees"): what each billable step costs the creditor, in cents; 0 bills nothing.
    fee_filing_cents: int = Field(default=1_500, ge=0)
    fee_amicable_letter_cents: int = Field(default=500, ge=0)
    fee_registered_letter_cents: int = Field(default=1_200, ge=0)
    fee_injunction_request_cents: int = Field(default=1_000, ge=0)

    # The saga (ADR 0022): days a rejected payment may stay unregularised before a case opens.
    saga_grace_days: int = Field(default=14, ge=1)

    # The deadline sweeper (ADR 0021): how often it looks for due cases, and how long a claim lasts.
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    sweeper_enabled: bool = True
    deadline_lease_seconds: float = Field(default=120.0, gt=0)

    # Mail (the chassis courier; SMTP settings from MailSettings) and the debtor space's links.
    public_base_url: str = "http://127.0.0.1:8000"
    mail_from: str = "creditdesk recouvrement <recouvrement@creditdesk.dev>"
    # Where a creditor signs a mandate (billing's route through the gateway), told in the 409 of a filing.
    mandate_path: str = "/api/billing/profiles/me/mandate"

    def fee_schedule(self) -> FeeSchedule:
        return FeeSchedule(
            filing_cents=self.fee_filing_cents,
            amicable_letter_cents=self.fee_amicable_letter_cents,
            registered_letter_cents=self.fee_registered_letter_cents,
            injunction_request_cents=self.fee_injunction_request_cents,
        )

    def procedure_policy(self) -> ProcedurePolicy:
        return ProcedurePolicy(
            amicable_days=self.amicable_days,
            answer_months=self.answer_months,
            office_answer_days=self.office_answer_days,
            proof_max_bytes=self.proof_max_bytes,
            proof_max_count=self.proof_max_count,
            fees=self.fee_schedule(),
            saga_grace_days=self.saga_grace_days,
        )
