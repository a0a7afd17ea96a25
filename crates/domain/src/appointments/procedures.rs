//! The procedures that still need a visit to a service centre (domain.md §12), and what the
//! member must bring to each. Codes are stable: storage, the API and translation ids use them
//! (`appointment-procedure-<code>`, `appointment-bring-<document>`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// Refund of the Fondo de Ahorro 1972–1992.
    SavingsFundRefund,
    /// Registering and formalising a credit.
    CreditFormalization,
    /// Asking for a restructuring of a credit.
    Restructuring,
    /// A payment agreement for arrears.
    PaymentAgreement,
    /// Release of the debt by the credit's self-insurance, for disability or death.
    InsuranceRelease,
    /// Refund of payments made in excess.
    OverpaymentRefund,
    /// Cancelling a credit.
    CreditCancellation,
    /// Proving one's identity after losing access to the registered e-mail (domain.md §2).
    IdentityValidation,
}

impl Procedure {
    pub const ALL: [Procedure; 8] = [
        Procedure::SavingsFundRefund,
        Procedure::CreditFormalization,
        Procedure::Restructuring,
        Procedure::PaymentAgreement,
        Procedure::InsuranceRelease,
        Procedure::OverpaymentRefund,
        Procedure::CreditCancellation,
        Procedure::IdentityValidation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Procedure::SavingsFundRefund => "savings_fund_refund",
            Procedure::CreditFormalization => "credit_formalization",
            Procedure::Restructuring => "restructuring",
            Procedure::PaymentAgreement => "payment_agreement",
            Procedure::InsuranceRelease => "insurance_release",
            Procedure::OverpaymentRefund => "overpayment_refund",
            Procedure::CreditCancellation => "credit_cancellation",
            Procedure::IdentityValidation => "identity_validation",
        }
    }

    pub fn from_code(code: &str) -> Option<Procedure> {
        Procedure::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// What to bring, as document codes, the official identification first. No published list
    /// was found; these are the documents each procedure plainly turns on.
    pub fn bring(self) -> &'static [&'static str] {
        match self {
            Procedure::SavingsFundRefund => &[
                "official_id",
                "curp",
                "nss_proof",
                "employment_1972_1992",
                "bank_statement",
            ],
            Procedure::CreditFormalization => &[
                "official_id",
                "curp",
                "birth_certificate",
                "credit_application",
                "bank_statement",
            ],
            Procedure::Restructuring | Procedure::PaymentAgreement => {
                &["official_id", "credit_number", "proof_of_income"]
            }
            Procedure::InsuranceRelease => {
                &["official_id", "credit_number", "disability_or_death_proof"]
            }
            Procedure::OverpaymentRefund => {
                &["official_id", "credit_number", "payslips", "bank_statement"]
            }
            Procedure::CreditCancellation => &["official_id", "credit_number"],
            Procedure::IdentityValidation => &["official_id", "curp", "nss_proof"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_procedure_asks_for_an_id_first() {
        let codes: std::collections::HashSet<_> = Procedure::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), Procedure::ALL.len());
        for p in Procedure::ALL {
            assert_eq!(Procedure::from_code(p.code()), Some(p));
            assert_eq!(p.bring().first(), Some(&"official_id"), "{p:?}");
        }
        assert_eq!(Procedure::from_code("nope"), None);
    }
}
