//! Which payroll-discount notices a borrower can download, and why (RIPAEDI arts. 42 and 44,
//! domain.md §6). Each notice is addressed to one employer and offered only while its rule
//! applies:
//!
//! - **retention** (start deducting): an active credit and an employer the borrower works for
//!   today — because the credit is new to that employer or the employer is new to the credit;
//! - **modification** (deduct differently): an active credit whose discount changed after it
//!   was granted (restructuring, Responsabilidad Compartida), to each current employer;
//! - **suspension** (stop deducting): a paid-off or cancelled credit, or an active credit under
//!   an extension (prórroga) or relief, to each current employer, or to the last one when the
//!   borrower works for no one today.

use serde::Serialize;
use time::Date;

use super::discount::{Discount, DiscountChange, DiscountChangeReason};
use crate::registry::{Credit, CreditStatus, Nrp, RelationPeriod};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NoticeKind {
    Retention,
    Suspension,
    Modification,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::Retention,
        NoticeKind::Suspension,
        NoticeKind::Modification,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Retention => "retention",
            NoticeKind::Suspension => "suspension",
            NoticeKind::Modification => "modification",
        }
    }

    pub fn from_code(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NoticeReason {
    /// The credit was granted while the borrower worked for this employer.
    NewCredit,
    /// The borrower started with this employer after the credit was granted.
    NewEmployer,
    PaidOff,
    Cancelled,
    /// An extension (prórroga) or relief measure stops the payments for a while.
    Extension,
    /// The discount was restructured.
    DiscountChanged,
    /// Responsabilidad Compartida turned the credit into fixed pesos.
    Conversion,
}

impl NoticeReason {
    pub fn code(self) -> &'static str {
        match self {
            NoticeReason::NewCredit => "new_credit",
            NoticeReason::NewEmployer => "new_employer",
            NoticeReason::PaidOff => "paid_off",
            NoticeReason::Cancelled => "cancelled",
            NoticeReason::Extension => "extension",
            NoticeReason::DiscountChanged => "discount_changed",
            NoticeReason::Conversion => "conversion",
        }
    }
}

/// What the rules read about one credit.
pub struct NoticeFacts<'a> {
    pub credit: &'a Credit,
    /// Whether nothing is left to pay (see `CreditAccount::paid_off`).
    pub paid_off: bool,
    /// The day the balance reached zero, for a paid-off credit.
    pub paid_off_on: Option<Date>,
    /// The discount in force: the latest recorded, or the one set at origination.
    pub discount: Discount,
    pub discounts: &'a [DiscountChange],
    /// Every employment period of the borrower.
    pub relations: &'a [RelationPeriod],
    /// The start of an extension or relief that suspends payments today, if any.
    pub extension_since: Option<Date>,
    pub today: Date,
}

/// One notice the borrower can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeOffer {
    pub kind: NoticeKind,
    pub reason: NoticeReason,
    pub employer: Nrp,
    /// When deductions start, change or stop.
    pub effective_on: Date,
    pub discount: Discount,
}

/// The notices that apply today, by employer.
pub fn notices_for(facts: &NoticeFacts<'_>) -> Vec<NoticeOffer> {
    let credit = facts.credit;
    let current = current_employers(facts.relations, facts.today);
    let offer = |kind, reason, employer, effective_on| NoticeOffer {
        kind,
        reason,
        employer,
        effective_on,
        discount: facts.discount,
    };
    let stop = |reason, since: Date| {
        let addressees = if current.is_empty() {
            last_employer(facts.relations).into_iter().collect()
        } else {
            current.iter().map(|(nrp, _)| *nrp).collect::<Vec<_>>()
        };
        addressees
            .into_iter()
            .map(|nrp| offer(NoticeKind::Suspension, reason, nrp, since))
            .collect()
    };
    if credit.status == CreditStatus::Cancelled {
        return stop(NoticeReason::Cancelled, credit.originated_on);
    }
    if facts.paid_off {
        return stop(
            NoticeReason::PaidOff,
            facts.paid_off_on.unwrap_or(facts.today),
        );
    }
    if let Some(since) = facts.extension_since {
        return stop(NoticeReason::Extension, since);
    }
    let mut offers = Vec::new();
    for &(nrp, start) in &current {
        let (reason, from) = if start <= credit.originated_on {
            (NoticeReason::NewCredit, credit.originated_on)
        } else {
            (NoticeReason::NewEmployer, start)
        };
        offers.push(offer(NoticeKind::Retention, reason, nrp, from));
    }
    let change = facts
        .discounts
        .iter()
        .filter(|d| d.valid_from > credit.originated_on && d.valid_from <= facts.today)
        .filter(|d| d.reason != DiscountChangeReason::NewCredit)
        .max_by_key(|d| d.valid_from);
    if let Some(change) = change {
        let reason = match change.reason {
            DiscountChangeReason::Conversion => NoticeReason::Conversion,
            _ => NoticeReason::DiscountChanged,
        };
        for &(nrp, start) in &current {
            offers.push(offer(
                NoticeKind::Modification,
                reason,
                nrp,
                change.valid_from.max(start),
            ));
        }
    }
    offers
}

/// The employers of the relations open today, each with the start of the current relation.
fn current_employers(relations: &[RelationPeriod], today: Date) -> Vec<(Nrp, Date)> {
    let mut out: Vec<(Nrp, Date)> = Vec::new();
    for r in relations
        .iter()
        .filter(|r| r.start_date <= today && r.end_date.is_none_or(|end| end >= today))
    {
        match out.iter_mut().find(|(nrp, _)| *nrp == r.nrp) {
            Some((_, start)) => *start = (*start).max(r.start_date),
            None => out.push((r.nrp, r.start_date)),
        }
    }
    out.sort();
    out
}

fn last_employer(relations: &[RelationPeriod]) -> Option<Nrp> {
    relations
        .iter()
        .max_by_key(|r| (r.end_date, r.start_date))
        .map(|r| r.nrp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::DiscountKind;
    use crate::money::Money;
    use crate::registry::{CreditNumber, CreditProduct, Denomination, MemberId};
    use time::Month;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    fn nrp(s: &str) -> Nrp {
        Nrp::parse(s).unwrap()
    }

    fn relation(employer: &str, start: Date, end: Option<Date>) -> RelationPeriod {
        RelationPeriod {
            member_id: MemberId(1),
            nrp: nrp(employer),
            start_date: start,
            end_date: end,
            wage_from: start,
            daily_wage: Money::from_centavos(50_000),
        }
    }

    fn credit(status: CreditStatus) -> Credit {
        Credit {
            credit_number: CreditNumber::parse("1901234567").unwrap(),
            member_id: MemberId(1),
            product: CreditProduct::Tradicional,
            denomination: Denomination::Pesos,
            originated_on: d(2022, 6, 1),
            amount: Money::from_centavos(60_000_000),
            amount_vsm: None,
            rate: "0.1".parse().unwrap(),
            term_months: 240,
            status,
        }
    }

    const FIXED: Discount = Discount {
        kind: DiscountKind::FixedPesos,
        value: rust_decimal::Decimal::from_parts(5000, 0, 0, false, 0),
    };

    fn facts<'a>(
        credit: &'a Credit,
        relations: &'a [RelationPeriod],
        discounts: &'a [DiscountChange],
    ) -> NoticeFacts<'a> {
        NoticeFacts {
            credit,
            paid_off: false,
            paid_off_on: None,
            discount: FIXED,
            discounts,
            relations,
            extension_since: None,
            today: d(2026, 11, 26),
        }
    }

    fn kinds(offers: &[NoticeOffer]) -> Vec<(NoticeKind, NoticeReason, Nrp)> {
        offers
            .iter()
            .map(|o| (o.kind, o.reason, o.employer))
            .collect()
    }

    #[test]
    fn retention_for_the_employer_at_grant_and_for_a_new_one() {
        let c = credit(CreditStatus::Active);
        let same = [relation("A1234567890", d(2019, 1, 1), None)];
        let offers = notices_for(&facts(&c, &same, &[]));
        assert_eq!(
            kinds(&offers),
            [(
                NoticeKind::Retention,
                NoticeReason::NewCredit,
                nrp("A1234567890")
            )]
        );
        assert_eq!(offers[0].effective_on, d(2022, 6, 1));
        let moved = [
            relation("A1234567890", d(2019, 1, 1), Some(d(2024, 3, 31))),
            relation("B1234567890", d(2024, 4, 15), None),
        ];
        let offers = notices_for(&facts(&c, &moved, &[]));
        assert_eq!(
            kinds(&offers),
            [(
                NoticeKind::Retention,
                NoticeReason::NewEmployer,
                nrp("B1234567890")
            )]
        );
        assert_eq!(offers[0].effective_on, d(2024, 4, 15));
    }

    #[test]
    fn no_notice_for_an_active_credit_without_an_employer() {
        let c = credit(CreditStatus::Active);
        let ended = [relation("A1234567890", d(2019, 1, 1), Some(d(2024, 3, 31)))];
        assert!(notices_for(&facts(&c, &ended, &[])).is_empty());
    }

    #[test]
    fn modification_only_after_a_change() {
        let c = credit(CreditStatus::Active);
        let rel = [relation("A1234567890", d(2019, 1, 1), None)];
        let at_grant = [DiscountChange {
            valid_from: d(2022, 6, 1),
            discount: FIXED,
            reason: DiscountChangeReason::NewCredit,
        }];
        assert!(
            kinds(&notices_for(&facts(&c, &rel, &at_grant)))
                .iter()
                .all(|k| k.0 != NoticeKind::Modification)
        );
        let converted = [
            at_grant[0],
            DiscountChange {
                valid_from: d(2025, 9, 9),
                discount: FIXED,
                reason: DiscountChangeReason::Conversion,
            },
        ];
        let offers = notices_for(&facts(&c, &rel, &converted));
        assert!(offers.iter().any(|o| o.kind == NoticeKind::Modification
            && o.reason == NoticeReason::Conversion
            && o.effective_on == d(2025, 9, 9)));
        // A change dated in the future is not in force yet.
        let future = [DiscountChange {
            valid_from: d(2027, 1, 1),
            discount: FIXED,
            reason: DiscountChangeReason::Restructure,
        }];
        assert!(
            notices_for(&facts(&c, &rel, &future))
                .iter()
                .all(|o| o.kind != NoticeKind::Modification)
        );
    }

    #[test]
    fn suspension_when_paid_off_cancelled_or_extended_and_never_retention() {
        let rel = [relation("A1234567890", d(2019, 1, 1), None)];
        let paid = credit(CreditStatus::PaidOff);
        let mut f = facts(&paid, &rel, &[]);
        f.paid_off = true;
        f.paid_off_on = Some(d(2026, 2, 27));
        let offers = notices_for(&f);
        assert_eq!(
            kinds(&offers),
            [(
                NoticeKind::Suspension,
                NoticeReason::PaidOff,
                nrp("A1234567890")
            )]
        );
        assert_eq!(offers[0].effective_on, d(2026, 2, 27));
        // Paid off with no employer today: addressed to the last one.
        let ended = [
            relation("A1234567890", d(2010, 1, 1), Some(d(2015, 1, 1))),
            relation("B1234567890", d(2015, 2, 1), Some(d(2025, 1, 1))),
        ];
        let mut f = facts(&paid, &ended, &[]);
        f.paid_off = true;
        assert_eq!(
            kinds(&notices_for(&f)),
            [(
                NoticeKind::Suspension,
                NoticeReason::PaidOff,
                nrp("B1234567890")
            )]
        );
        let cancelled = credit(CreditStatus::Cancelled);
        assert_eq!(
            kinds(&notices_for(&facts(&cancelled, &rel, &[]))),
            [(
                NoticeKind::Suspension,
                NoticeReason::Cancelled,
                nrp("A1234567890")
            )]
        );
        let active = credit(CreditStatus::Active);
        let mut f = facts(&active, &rel, &[]);
        f.extension_since = Some(d(2026, 10, 1));
        assert_eq!(
            kinds(&notices_for(&f)),
            [(
                NoticeKind::Suspension,
                NoticeReason::Extension,
                nrp("A1234567890")
            )]
        );
    }
}
