//! The kinds of request a member can file. Each kind has a stable code (storage, the API, the
//! service-standards file, translation ids) and a three-letter folio prefix a member can read
//! over the phone.

use serde::{Deserialize, Serialize};

/// What a request asks the fund for. CESI appointments are not requests: they have slots, not a
/// decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// "Solicitud de crédito": an application for a housing credit (domain.md §4).
    CreditApplication,
    /// "Carta de instrucción de cancelación de hipoteca" for a paid-off credit (§8.1).
    CancellationLetter,
    /// Deeds held in safekeeping for credits from 1972–2007 (§8.2).
    Deeds,
    /// Refund of payments made in excess of what a credit owed ("pagos en exceso").
    OverpaymentRefund,
    /// Refund of the housing subaccount to a pensioner ("devolución del saldo", §9).
    PensionerRefund,
    /// Correction of RFC, CURP or name in the fund's records (§12).
    DataCorrection,
}

impl RequestKind {
    pub const ALL: [RequestKind; 6] = [
        RequestKind::CreditApplication,
        RequestKind::CancellationLetter,
        RequestKind::Deeds,
        RequestKind::OverpaymentRefund,
        RequestKind::PensionerRefund,
        RequestKind::DataCorrection,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestKind::CreditApplication => "credit_application",
            RequestKind::CancellationLetter => "cancellation_letter",
            RequestKind::Deeds => "deeds",
            RequestKind::OverpaymentRefund => "overpayment_refund",
            RequestKind::PensionerRefund => "pensioner_refund",
            RequestKind::DataCorrection => "data_correction",
        }
    }

    pub fn from_code(code: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The first part of the kind's folios, from its Spanish name: CRE(dito), CAN(celación),
    /// ESC(rituras), PEX (pagos en exceso), DEV(olución), COR(rección).
    pub fn folio_prefix(self) -> &'static str {
        match self {
            RequestKind::CreditApplication => "CRE",
            RequestKind::CancellationLetter => "CAN",
            RequestKind::Deeds => "ESC",
            RequestKind::OverpaymentRefund => "PEX",
            RequestKind::PensionerRefund => "DEV",
            RequestKind::DataCorrection => "COR",
        }
    }

    pub fn from_folio_prefix(prefix: &str) -> Option<RequestKind> {
        RequestKind::ALL
            .into_iter()
            .find(|k| k.folio_prefix().eq_ignore_ascii_case(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_prefixes_are_distinct_and_round_trip() {
        let codes: HashSet<_> = RequestKind::ALL.iter().map(|k| k.code()).collect();
        let prefixes: HashSet<_> = RequestKind::ALL.iter().map(|k| k.folio_prefix()).collect();
        assert_eq!(codes.len(), RequestKind::ALL.len());
        assert_eq!(prefixes.len(), RequestKind::ALL.len());
        for kind in RequestKind::ALL {
            assert_eq!(RequestKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                RequestKind::from_folio_prefix(kind.folio_prefix()),
                Some(kind)
            );
            assert_eq!(kind.folio_prefix().len(), 3);
        }
        assert_eq!(RequestKind::from_code("appointment"), None);
        assert_eq!(
            RequestKind::from_folio_prefix("can"),
            Some(RequestKind::CancellationLetter)
        );
    }
}
