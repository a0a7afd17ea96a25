//! The purposes each product serves and the documents an application for it needs (domain.md
//! §4.6, "Documents for an application"). The course certificate is not uploaded: the fund
//! issued it, so the application checks its own record of the course instead.

use serde::{Deserialize, Serialize};

use crate::points::Product;

/// What the credit is for (domain.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Buy a new or existing home.
    Buy,
    /// Build on land the member owns.
    Build,
    /// Extend, repair or improve the home.
    Improve,
    /// Pay off a mortgage held elsewhere ("pago de pasivos").
    PayOffMortgage,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [
        Purpose::Buy,
        Purpose::Build,
        Purpose::Improve,
        Purpose::PayOffMortgage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::Buy => "buy",
            Purpose::Build => "build",
            Purpose::Improve => "improve",
            Purpose::PayOffMortgage => "pay_off_mortgage",
        }
    }

    pub fn from_code(code: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A document of the checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentItem {
    /// Current official ID: INE or passport.
    OfficialId,
    /// Birth certificate.
    BirthCertificate,
    /// Tax identification certificate (cédula fiscal, RFC).
    TaxId,
    /// The appraisal of the home (avalúo).
    Appraisal,
    /// The title deed of the home or the land.
    TitleDeed,
    /// The seller's bank statement with the CLABE, no older than 2 months.
    SellerBankStatement,
    /// The budget of the works, for building or improving.
    WorksBudget,
    /// The balance of the mortgage to pay off, from the lender.
    MortgageStatement,
    /// Cofinavit: the bank's approval of its part.
    BankApproval,
}

impl DocumentItem {
    pub const ALL: [DocumentItem; 9] = [
        DocumentItem::OfficialId,
        DocumentItem::BirthCertificate,
        DocumentItem::TaxId,
        DocumentItem::Appraisal,
        DocumentItem::TitleDeed,
        DocumentItem::SellerBankStatement,
        DocumentItem::WorksBudget,
        DocumentItem::MortgageStatement,
        DocumentItem::BankApproval,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentItem::OfficialId => "official_id",
            DocumentItem::BirthCertificate => "birth_certificate",
            DocumentItem::TaxId => "tax_id",
            DocumentItem::Appraisal => "appraisal",
            DocumentItem::TitleDeed => "title_deed",
            DocumentItem::SellerBankStatement => "seller_bank_statement",
            DocumentItem::WorksBudget => "works_budget",
            DocumentItem::MortgageStatement => "mortgage_statement",
            DocumentItem::BankApproval => "bank_approval",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentItem> {
        DocumentItem::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// The purposes a product can be used for. Mejoravit only improves a home; Cofinavit and
/// Unamos Créditos buy one (or pay off a mortgage, Cofinavit); the traditional credit does all.
pub fn purposes(product: Product) -> &'static [Purpose] {
    match product {
        Product::Tradicional => &Purpose::ALL,
        Product::Cofinavit => &[Purpose::Buy, Purpose::PayOffMortgage],
        Product::UnamosCreditos => &[Purpose::Buy],
        Product::Mejoravit => &[Purpose::Improve],
    }
}

/// The documents an application for `product` and `purpose` needs, in the order the page
/// lists them. Every application proves who the member is; the rest follows from what is
/// bought or built.
pub fn checklist(product: Product, purpose: Purpose) -> Vec<DocumentItem> {
    use DocumentItem::*;
    let mut items = vec![OfficialId, BirthCertificate, TaxId];
    items.extend_from_slice(match purpose {
        Purpose::Buy => &[Appraisal, TitleDeed, SellerBankStatement][..],
        Purpose::Build => &[TitleDeed, WorksBudget][..],
        // A Mejoravit improvement is not a mortgage: no appraisal, no deed as a guarantee.
        Purpose::Improve if product == Product::Mejoravit => &[WorksBudget][..],
        Purpose::Improve => &[Appraisal, TitleDeed, WorksBudget][..],
        Purpose::PayOffMortgage => &[Appraisal, TitleDeed, MortgageStatement][..],
    });
    if product == Product::Cofinavit {
        items.push(BankApproval);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Purpose::ALL {
            assert_eq!(Purpose::from_code(p.code()), Some(p));
        }
        for d in DocumentItem::ALL {
            assert_eq!(DocumentItem::from_code(d.code()), Some(d));
        }
        assert_eq!(Purpose::from_code("casa"), None);
    }

    #[test]
    fn every_checklist_proves_identity_and_follows_the_purpose() {
        for product in Product::ALL {
            for &purpose in purposes(product) {
                let items = checklist(product, purpose);
                assert_eq!(
                    &items[..3],
                    &[
                        DocumentItem::OfficialId,
                        DocumentItem::BirthCertificate,
                        DocumentItem::TaxId
                    ]
                );
                let unique: std::collections::HashSet<_> = items.iter().collect();
                assert_eq!(unique.len(), items.len(), "{product:?} {purpose:?}");
            }
        }
        assert!(
            checklist(Product::Tradicional, Purpose::Buy)
                .contains(&DocumentItem::SellerBankStatement)
        );
        assert!(
            !checklist(Product::Mejoravit, Purpose::Improve).contains(&DocumentItem::Appraisal)
        );
        assert!(checklist(Product::Cofinavit, Purpose::Buy).contains(&DocumentItem::BankApproval));
        assert_eq!(purposes(Product::Mejoravit), &[Purpose::Improve]);
    }
}
