"""Recovery's settings: environment variables prefixed `RECOVERY_`."""

from pydantic import Field

from chassis.settings import ServiceSettings, service_config
from recovery.domain.cases import ProcedurePolicy
from recovery.domain.documents import MAX_PROOF_BYTES, MAX_PROOFS


class RecoverySettings(ServiceSettings):
    model_config = service_config("RECOVERY_")

    service_name: str = "recovery"
    http_port: int = 8003
    # The procedure's counts (README, "Choices"): the product's 15 days, R125-2's month, an office's days to answer.
    amicable_days: int = Field(default=15, ge=1)
    answer_months: int = Field(default=1, ge=1)
    office_answer_days: int = Field(default=8, ge=1)
    proof_max_bytes: int = Field(default=MAX_PROOF_BYTES, ge=1024)
    proof_max_count: int = Field(default=MAX_PROOFS, ge=1)
    # The local postal adapter's folder (FolderPostalService): one PDF and one JSON manifest per letter.
    postal_dir: str = ".cache/postal"

    def procedure_policy(self) -> ProcedurePolicy:
        return ProcedurePolicy(
            amicable_days=self.amicable_days,
            answer_months=self.answer_months,
            office_answer_days=self.office_answer_days,
            proof_max_bytes=self.proof_max_bytes,
            proof_max_count=self.proof_max_count,
        )
