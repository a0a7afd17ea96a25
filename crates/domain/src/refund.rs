//! Refund of the housing subaccount to a pensioner ("devolución del saldo", domain.md §9): who
//! may ask, which buckets the fund pays and which go through the Afore, how much to the
//! centavo, when money may not move yet, and the exact text the member signs with the e.firma.
//!
//! - Eligibility: a pension resolution from 13 January 2012 on (the reform of the Ley del
//!   Infonavit's eighth transitory article), or a pension denial; no active credit; a positive
//!   balance; nothing blocking the subaccount (a hold, a credit application or a refund already
//!   in process); and not within the cooling-off after a change of contact data or bank account.
//! - Ley 73 (began contributing before 1 July 1997) or Ley 97: under Ley 97 the SCV 92 and SCV 97
//!   buckets fund the pension through the Afore and only the Fondo de Ahorro 72-92 and Solo
//!   Infonavit come back from the fund; under Ley 73 the member chooses option A (the Afore pays
//!   SCV 92 + SCV 97) or option B (the fund pays everything).

use serde::{Deserialize, Serialize};
use time::macros::date;
use time::{Date, Duration, OffsetDateTime};

use crate::ids::{Clabe, Nss, Rfc};
use crate::money::Money;
use crate::registry::{Bucket, BucketBalance, CreditStatus, MemberId};
use crate::requests::{Folio, RequestKind};

/// Pension resolutions from this day on qualify for the online refund.
pub const REFORM_DATE: Date = date!(2012 - 01 - 13);

/// Who began contributing before this day may retire under the Ley del Seguro Social of 1973.
pub const LEY97_START: Date = date!(1997 - 07 - 01);

/// What IMSS resolved on a pension claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PensionOutcome {
    /// "Resolución de pensión": the pension was granted.
    Granted,
    /// "Negativa de pensión": it was denied; the savings are refunded all the same.
    Denied,
}

impl PensionOutcome {
    pub fn code(self) -> &'static str {
        match self {
            PensionOutcome::Granted => "granted",
            PensionOutcome::Denied => "denied",
        }
    }

    pub fn from_code(code: &str) -> Option<PensionOutcome> {
        match code.trim() {
            "granted" => Some(PensionOutcome::Granted),
            "denied" => Some(PensionOutcome::Denied),
            _ => None,
        }
    }
}

/// The kind of pension claimed (domain.md §9: old age, "cesantía", invalidity, incapacity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PensionKind {
    /// Vejez: 65 or older.
    OldAge,
    /// Cesantía en edad avanzada: 60 to 64, out of work.
    Severance,
    /// Invalidez.
    Disability,
    /// Incapacidad permanente de 50% o más.
    Incapacity,
}

impl PensionKind {
    pub const ALL: [PensionKind; 4] = [
        PensionKind::OldAge,
        PensionKind::Severance,
        PensionKind::Disability,
        PensionKind::Incapacity,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PensionKind::OldAge => "old_age",
            PensionKind::Severance => "severance",
            PensionKind::Disability => "disability",
            PensionKind::Incapacity => "incapacity",
        }
    }

    pub fn from_code(code: &str) -> Option<PensionKind> {
        PensionKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// An IMSS resolution on a member's pension, as the registry receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PensionResolution {
    pub member_id: MemberId,
    pub outcome: PensionOutcome,
    pub kind: PensionKind,
    pub resolved_on: Date,
}

/// Why the subaccount cannot be paid out for now: a legal or administrative process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    /// A court ordered the savings held (a seizure, alimony, a lawsuit).
    CourtOrder,
    /// Two NSS are being unified: the balance is not final.
    NssUnification,
    /// Beneficiaries claim the savings.
    BeneficiaryClaim,
    /// The fund is looking into possible fraud on the account.
    FraudReview,
}

impl HoldKind {
    pub const ALL: [HoldKind; 4] = [
        HoldKind::CourtOrder,
        HoldKind::NssUnification,
        HoldKind::BeneficiaryClaim,
        HoldKind::FraudReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HoldKind::CourtOrder => "court_order",
            HoldKind::NssUnification => "nss_unification",
            HoldKind::BeneficiaryClaim => "beneficiary_claim",
            HoldKind::FraudReview => "fraud_review",
        }
    }

    pub fn from_code(code: &str) -> Option<HoldKind> {
        HoldKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// A process blocking the subaccount, from `placed_on` until the day it is lifted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubaccountHold {
    pub member_id: MemberId,
    pub kind: HoldKind,
    pub placed_on: Date,
    pub lifted_on: Option<Date>,
}

impl SubaccountHold {
    /// Whether the hold blocks the subaccount on `day` (the day it is lifted, it no longer does).
    pub fn active_on(&self, day: Date) -> bool {
        self.placed_on <= day && self.lifted_on.is_none_or(|lifted| lifted > day)
    }
}

/// The pension law the member's savings follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawRegime {
    /// Began contributing before 1 July 1997.
    Ley73,
    /// Began contributing on or after 1 July 1997.
    Ley97,
}

impl LawRegime {
    pub fn code(self) -> &'static str {
        match self {
            LawRegime::Ley73 => "ley_73",
            LawRegime::Ley97 => "ley_97",
        }
    }

    pub fn from_code(code: &str) -> Option<LawRegime> {
        match code {
            "ley_73" => Some(LawRegime::Ley73),
            "ley_97" => Some(LawRegime::Ley97),
            _ => None,
        }
    }
}

/// The regime: Ley 73 when the member's first known contribution (or employment) is before 1
/// July 1997, or when money sits in a bucket that only contributions before then fill (Fondo de
/// Ahorro 72-92, SCV 92); Ley 97 otherwise.
pub fn regime(first_contribution: Option<Date>, balances: &[BucketBalance]) -> LawRegime {
    let early_money = balances
        .iter()
        .any(|b| matches!(b.bucket, Bucket::Fondo7292 | Bucket::Scv92) && !b.balance.is_zero());
    if early_money || first_contribution.is_some_and(|d| d < LEY97_START) {
        LawRegime::Ley73
    } else {
        LawRegime::Ley97
    }
}

/// What a Ley 73 pensioner chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundOption {
    /// Option A: the Afore pays SCV 92 and SCV 97; the fund pays Fondo de Ahorro 72-92 and Solo
    /// Infonavit.
    AforePaysScv,
    /// Option B: the fund pays every bucket, in one deposit.
    InfonavitPaysAll,
}

impl RefundOption {
    pub const ALL: [RefundOption; 2] = [RefundOption::AforePaysScv, RefundOption::InfonavitPaysAll];

    pub fn code(self) -> &'static str {
        match self {
            RefundOption::AforePaysScv => "afore_pays_scv",
            RefundOption::InfonavitPaysAll => "infonavit_pays_all",
        }
    }

    pub fn from_code(code: &str) -> Option<RefundOption> {
        RefundOption::ALL
            .into_iter()
            .find(|o| o.code() == code.trim())
    }

    /// The letter the fund's leaflets use: "a" or "b".
    pub fn letter(self) -> &'static str {
        match self {
            RefundOption::AforePaysScv => "a",
            RefundOption::InfonavitPaysAll => "b",
        }
    }

    pub fn from_letter(letter: &str) -> Option<RefundOption> {
        match letter.trim() {
            "a" | "A" => Some(RefundOption::AforePaysScv),
            "b" | "B" => Some(RefundOption::InfonavitPaysAll),
            _ => None,
        }
    }
}

/// The option that applies: none under Ley 97; under Ley 73 the member's, B when not chosen
/// yet (one deposit from the fund, the simplest for the member).
pub fn effective_option(regime: LawRegime, chosen: Option<RefundOption>) -> Option<RefundOption> {
    match regime {
        LawRegime::Ley97 => None,
        LawRegime::Ley73 => Some(chosen.unwrap_or(RefundOption::InfonavitPaysAll)),
    }
}

/// Who pays a bucket out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The fund deposits it to the member's CLABE with this request.
    Infonavit,
    /// The member's Afore pays it (Ley 73, option A), claimed at the Afore.
    AforeRefund,
    /// It goes to the Afore to fund the monthly pension (Ley 97): no cash refund.
    AforePension,
}

impl Payer {
    pub fn code(self) -> &'static str {
        match self {
            Payer::Infonavit => "infonavit",
            Payer::AforeRefund => "afore_refund",
            Payer::AforePension => "afore_pension",
        }
    }

    pub fn from_code(code: &str) -> Option<Payer> {
        [Payer::Infonavit, Payer::AforeRefund, Payer::AforePension]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// Who pays `bucket` under `regime` and `option` (see [`effective_option`]).
pub fn payer(regime: LawRegime, option: Option<RefundOption>, bucket: Bucket) -> Payer {
    let scv = matches!(bucket, Bucket::Scv92 | Bucket::Scv97);
    match (regime, option) {
        (LawRegime::Ley97, _) if scv => Payer::AforePension,
        (LawRegime::Ley73, Some(RefundOption::AforePaysScv)) if scv => Payer::AforeRefund,
        _ => Payer::Infonavit,
    }
}

/// One bucket of the refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub bucket: Bucket,
    pub amount: Money,
    pub payer: Payer,
}

/// The refund by bucket: what the fund deposits and what goes through the Afore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    pub regime: LawRegime,
    pub option: Option<RefundOption>,
    /// The four buckets in their fixed order, zero where there is nothing.
    pub lines: Vec<RefundLine>,
    /// Deposited by the fund to the member's CLABE.
    pub from_infonavit: Money,
    /// Paid by the Afore (option A) or added to the pension (Ley 97).
    pub through_afore: Money,
    pub total: Money,
}

impl Amounts {
    /// The buckets the fund pays with something in them: what leaves the ledger on completion.
    pub fn infonavit_lines(&self) -> impl Iterator<Item = &RefundLine> {
        self.lines
            .iter()
            .filter(|l| l.payer == Payer::Infonavit && l.amount.centavos() > 0)
    }
}

/// Each bucket's balance (a negative one counts as nothing) and who pays it. No rounding: the
/// balances are already centavos, and each amount is exactly its bucket's.
pub fn amounts(
    balances: &[BucketBalance],
    regime: LawRegime,
    option: Option<RefundOption>,
) -> Amounts {
    let option = effective_option(regime, option);
    let lines: Vec<RefundLine> = Bucket::ALL
        .into_iter()
        .map(|bucket| {
            let balance: Money = balances
                .iter()
                .filter(|b| b.bucket == bucket)
                .map(|b| b.balance)
                .sum();
            RefundLine {
                bucket,
                amount: balance.max(Money::ZERO),
                payer: payer(regime, option, bucket),
            }
        })
        .collect();
    let from_infonavit = lines
        .iter()
        .filter(|l| l.payer == Payer::Infonavit)
        .map(|l| l.amount)
        .sum();
    let through_afore = lines
        .iter()
        .filter(|l| l.payer != Payer::Infonavit)
        .map(|l| l.amount)
        .sum();
    Amounts {
        regime,
        option,
        total: lines.iter().map(|l| l.amount).sum(),
        lines,
        from_infonavit,
        through_afore,
    }
}

/// Why the refund cannot be filed, each with a stable code and something the member can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// No pension resolution or denial on record.
    NoPension,
    /// The pension was resolved before 13 January 2012: not online.
    PensionBeforeReform { resolved_on: Date },
    /// An active credit: the savings back it.
    ActiveCredit,
    /// Nothing in the subaccount.
    NoBalance,
    /// Everything there is goes through the Afore: nothing for the fund to deposit.
    PaidByAfore,
    /// A process blocks the subaccount.
    Hold { kind: HoldKind },
    /// A credit application is in process: the savings would go into it.
    CreditApplicationOpen,
    /// A refund is already in process.
    RefundOpen,
    /// Contact data or the bank account changed recently: money waits until `until`.
    CoolingOff { until: OffsetDateTime },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoPension => "refund_no_pension",
            Refusal::PensionBeforeReform { .. } => "refund_pension_before_2012",
            Refusal::ActiveCredit => "refund_active_credit",
            Refusal::NoBalance => "refund_no_balance",
            Refusal::PaidByAfore => "refund_paid_by_afore",
            Refusal::Hold { .. } => "refund_hold",
            Refusal::CreditApplicationOpen => "refund_credit_application_open",
            Refusal::RefundOpen => "refund_in_process",
            Refusal::CoolingOff { .. } => "refund_cooling_off",
        }
    }
}

/// What the rule looks at. Everything is read by the caller; nothing here reads a clock.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub now: OffsetDateTime,
    /// Today in Mexico City.
    pub today: Date,
    pub pensions: &'a [PensionResolution],
    pub credits: &'a [CreditStatus],
    pub balances: &'a [BucketBalance],
    /// The first contribution or employment the registry knows of.
    pub first_contribution: Option<Date>,
    pub holds: &'a [SubaccountHold],
    /// The kinds of the member's requests still open.
    pub open_requests: &'a [RequestKind],
    /// When contact data or the bank account last changed.
    pub changes: &'a [OffsetDateTime],
    pub cooling_off: Duration,
}

/// Whether the refund may be filed, under which regime and option, and for how much.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    pub regime: LawRegime,
    /// The resolution that qualifies (or the latest one, when none does).
    pub pension: Option<PensionResolution>,
    pub amounts: Amounts,
    /// Empty when the refund can be filed.
    pub refusals: Vec<Refusal>,
}

impl Eligibility {
    pub fn eligible(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// The resolution that qualifies: a grant from the reform date on, else a denial; when neither,
/// the latest grant (to say why it does not).
fn qualifying(pensions: &[PensionResolution]) -> (Option<&PensionResolution>, bool) {
    let latest = |outcome: PensionOutcome, from: Date| {
        pensions
            .iter()
            .filter(|p| p.outcome == outcome && p.resolved_on >= from)
            .max_by_key(|p| p.resolved_on)
    };
    if let Some(p) = latest(PensionOutcome::Granted, REFORM_DATE) {
        return (Some(p), true);
    }
    if let Some(p) = latest(PensionOutcome::Denied, Date::MIN) {
        return (Some(p), true);
    }
    (latest(PensionOutcome::Granted, Date::MIN), false)
}

/// When money may move again after the latest change, if that is still ahead.
pub fn cooling_off_until(
    changes: &[OffsetDateTime],
    period: Duration,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    changes
        .iter()
        .max()
        .map(|last| *last + period)
        .filter(|until| *until > now)
}

/// The whole rule: every reason it cannot be filed, not only the first, so the member sees all
/// they must do.
pub fn check(facts: &Facts<'_>, option: Option<RefundOption>) -> Eligibility {
    let regime = regime(facts.first_contribution, facts.balances);
    let amounts = amounts(facts.balances, regime, option);
    let (pension, qualifies) = qualifying(facts.pensions);
    let mut refusals = Vec::new();
    match pension {
        None => refusals.push(Refusal::NoPension),
        Some(p) if !qualifies => refusals.push(Refusal::PensionBeforeReform {
            resolved_on: p.resolved_on,
        }),
        Some(_) => {}
    }
    if facts.credits.contains(&CreditStatus::Active) {
        refusals.push(Refusal::ActiveCredit);
    }
    if amounts.total.centavos() <= 0 {
        refusals.push(Refusal::NoBalance);
    } else if amounts.from_infonavit.centavos() <= 0 {
        refusals.push(Refusal::PaidByAfore);
    }
    let mut holds: Vec<HoldKind> = facts
        .holds
        .iter()
        .filter(|h| h.active_on(facts.today))
        .map(|h| h.kind)
        .collect();
    holds.sort_by_key(|k| k.code());
    holds.dedup();
    refusals.extend(holds.into_iter().map(|kind| Refusal::Hold { kind }));
    if facts
        .open_requests
        .contains(&RequestKind::CreditApplication)
    {
        refusals.push(Refusal::CreditApplicationOpen);
    }
    if facts.open_requests.contains(&RequestKind::PensionerRefund) {
        refusals.push(Refusal::RefundOpen);
    }
    if let Some(until) = cooling_off_until(facts.changes, facts.cooling_off, facts.now) {
        refusals.push(Refusal::CoolingOff { until });
    }
    Eligibility {
        regime,
        pension: pension.cloned(),
        amounts,
        refusals,
    }
}

/// What the member signs: the request as one canonical text. Every field that decides where
/// the money goes and how much is in it, in a fixed order, one `name: value` per line, LF line
/// ends, UTF-8 (all ASCII in practice). The same answers always give the same bytes, so the
/// signature can be checked again from the stored request at any time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<'a> {
    pub folio: &'a Folio,
    pub nss: &'a Nss,
    pub rfc: &'a Rfc,
    pub clabe: &'a Clabe,
    pub amounts: &'a Amounts,
    /// The day it is signed, in Mexico City.
    pub signed_on: Date,
}

/// The version line: a new layout gets a new line, and old signatures keep their meaning.
pub const STATEMENT_HEADER: &str = "vivienda/devolucion-pensionados/v1";

impl Statement<'_> {
    pub fn canonical_text(&self) -> String {
        let mut text = String::with_capacity(512);
        let mut line = |name: &str, value: &str| {
            text.push_str(name);
            text.push_str(": ");
            text.push_str(value);
            text.push('\n');
        };
        line("documento", STATEMENT_HEADER);
        line("folio", self.folio.as_str());
        line("nss", self.nss.as_str());
        line("rfc", self.rfc.as_str());
        line("clabe", self.clabe.as_str());
        line("regimen", self.amounts.regime.code());
        line(
            "opcion",
            self.amounts.option.map_or("ninguna", RefundOption::code),
        );
        for l in &self.amounts.lines {
            line(l.bucket.code(), &format!("{} {}", l.amount, l.payer.code()));
        }
        line(
            "deposito_infonavit",
            &self.amounts.from_infonavit.to_string(),
        );
        line("via_afore", &self.amounts.through_afore.to_string());
        line("fecha", &crate::dates::iso(self.signed_on));
        text
    }

    pub fn canonical_bytes(&self) -> Vec<u8> {
        self.canonical_text().into_bytes()
    }
}

/// The `source` of the ledger movements a refund posts: the folio's year and random part as one
/// number, so each request's withdrawal has keys of its own.
pub fn ledger_source(folio: &Folio) -> i64 {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random = folio
        .as_str()
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .chars()
        .filter_map(|c| ALPHABET.find(c))
        .fold(0i64, |acc, v| acc * 32 + v as i64);
    i64::from(folio.year().unwrap_or(0)) * (1 << 45) + random
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn balance(bucket: Bucket, centavos: i64) -> BucketBalance {
        BucketBalance {
            bucket,
            balance: Money::from_centavos(centavos),
        }
    }

    /// Don Antonio: 72-92 $8,421.37, SCV 92 $15,903.08, SCV 97 $212,774.55, Solo Infonavit
    /// $1,250.00 — $238,349.00 in all.
    fn antonio() -> Vec<BucketBalance> {
        vec![
            balance(Bucket::Fondo7292, 842_137),
            balance(Bucket::Scv92, 1_590_308),
            balance(Bucket::Scv97, 21_277_455),
            balance(Bucket::SoloInfonavit, 125_000),
        ]
    }

    fn granted(on: Date) -> PensionResolution {
        PensionResolution {
            member_id: MemberId(1),
            outcome: PensionOutcome::Granted,
            kind: PensionKind::OldAge,
            resolved_on: on,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-05-11 17:00 UTC);

    fn facts<'a>(pensions: &'a [PensionResolution], balances: &'a [BucketBalance]) -> Facts<'a> {
        Facts {
            now: NOW,
            today: date!(2026 - 05 - 11),
            pensions,
            credits: &[],
            balances,
            first_contribution: Some(date!(1985 - 03 - 01)),
            holds: &[],
            open_requests: &[],
            changes: &[],
            cooling_off: Duration::hours(72),
        }
    }

    fn codes(e: &Eligibility) -> Vec<&'static str> {
        e.refusals.iter().map(Refusal::code).collect()
    }

    #[test]
    fn ley_73_option_b_the_fund_pays_every_bucket_to_the_centavo() {
        let a = amounts(
            &antonio(),
            LawRegime::Ley73,
            Some(RefundOption::InfonavitPaysAll),
        );
        assert!(a.lines.iter().all(|l| l.payer == Payer::Infonavit));
        // 8,421.37 + 15,903.08 + 212,774.55 + 1,250.00 = 238,349.00
        assert_eq!(a.from_infonavit, Money::from_centavos(23_834_900));
        assert_eq!(a.through_afore, Money::ZERO);
        assert_eq!(a.total, a.from_infonavit);
        assert_eq!(a.infonavit_lines().count(), 4);
    }

    #[test]
    fn ley_73_option_a_the_afore_pays_the_housing_subaccounts() {
        let a = amounts(
            &antonio(),
            LawRegime::Ley73,
            Some(RefundOption::AforePaysScv),
        );
        let payers: Vec<_> = a.lines.iter().map(|l| (l.bucket, l.payer)).collect();
        assert_eq!(
            payers,
            [
                (Bucket::Fondo7292, Payer::Infonavit),
                (Bucket::Scv92, Payer::AforeRefund),
                (Bucket::Scv97, Payer::AforeRefund),
                (Bucket::SoloInfonavit, Payer::Infonavit),
            ]
        );
        // 8,421.37 + 1,250.00 from the fund; 15,903.08 + 212,774.55 from the Afore.
        assert_eq!(a.from_infonavit, Money::from_centavos(967_137));
        assert_eq!(a.through_afore, Money::from_centavos(22_867_763));
        assert_eq!(a.total, Money::from_centavos(23_834_900));
    }

    #[test]
    fn ley_97_the_housing_subaccounts_fund_the_pension() {
        let balances = [
            balance(Bucket::Scv97, 9_876_543),
            balance(Bucket::SoloInfonavit, 40_001),
        ];
        // Began in 2001, no early money: Ley 97, and any option chosen is ignored.
        assert_eq!(
            regime(Some(date!(2001 - 02 - 01)), &balances),
            LawRegime::Ley97
        );
        let a = amounts(
            &balances,
            LawRegime::Ley97,
            Some(RefundOption::InfonavitPaysAll),
        );
        assert_eq!(a.option, None);
        assert_eq!(a.lines[2].payer, Payer::AforePension);
        assert_eq!(a.from_infonavit, Money::from_centavos(40_001));
        assert_eq!(a.through_afore, Money::from_centavos(9_876_543));
        let only: Vec<_> = a.infonavit_lines().map(|l| l.bucket).collect();
        assert_eq!(only, [Bucket::SoloInfonavit]);
    }

    #[test]
    fn the_regime_follows_the_first_contribution_or_early_money() {
        assert_eq!(regime(Some(date!(1997 - 06 - 30)), &[]), LawRegime::Ley73);
        assert_eq!(regime(Some(date!(1997 - 07 - 01)), &[]), LawRegime::Ley97);
        assert_eq!(regime(None, &[]), LawRegime::Ley97);
        let early = [balance(Bucket::Scv92, 1)];
        assert_eq!(
            regime(Some(date!(2005 - 01 - 01)), &early),
            LawRegime::Ley73
        );
        // Without a choice, Ley 73 is option B.
        assert_eq!(
            effective_option(LawRegime::Ley73, None),
            Some(RefundOption::InfonavitPaysAll)
        );
    }

    #[test]
    fn a_pensioner_from_2012_with_savings_and_nothing_pending_may_file() {
        let pensions = [granted(date!(2012 - 01 - 13))];
        let balances = antonio();
        let e = check(&facts(&pensions, &balances), None);
        assert!(e.eligible(), "{:?}", e.refusals);
        assert_eq!(e.regime, LawRegime::Ley73);
        assert_eq!(e.pension, Some(pensions[0].clone()));
    }

    #[test]
    fn each_refusal_has_its_code_and_all_are_listed() {
        let balances = antonio();
        let old = [granted(date!(2012 - 01 - 12))];
        assert_eq!(
            check(&facts(&old, &balances), None).refusals,
            [Refusal::PensionBeforeReform {
                resolved_on: date!(2012 - 01 - 12)
            }]
        );
        assert_eq!(
            codes(&check(&facts(&[], &balances), None)),
            ["refund_no_pension"]
        );
        // A denial qualifies whatever its date.
        let denied = [PensionResolution {
            outcome: PensionOutcome::Denied,
            resolved_on: date!(2009 - 04 - 02),
            ..granted(date!(2009 - 04 - 02))
        }];
        assert!(check(&facts(&denied, &balances), None).eligible());

        let pensions = [granted(date!(2018 - 03 - 01))];
        let holds = [
            SubaccountHold {
                member_id: MemberId(1),
                kind: HoldKind::CourtOrder,
                placed_on: date!(2025 - 01 - 01),
                lifted_on: None,
            },
            SubaccountHold {
                member_id: MemberId(1),
                kind: HoldKind::FraudReview,
                placed_on: date!(2020 - 01 - 01),
                lifted_on: Some(date!(2021 - 01 - 01)),
            },
        ];
        let changed = [NOW - Duration::hours(71)];
        let everything = Facts {
            credits: &[CreditStatus::PaidOff, CreditStatus::Active],
            holds: &holds,
            open_requests: &[RequestKind::CreditApplication, RequestKind::PensionerRefund],
            changes: &changed,
            ..facts(&pensions, &balances)
        };
        let e = check(&everything, None);
        assert_eq!(
            codes(&e),
            [
                "refund_active_credit",
                "refund_hold",
                "refund_credit_application_open",
                "refund_in_process",
                "refund_cooling_off",
            ]
        );
        assert!(e.refusals.contains(&Refusal::Hold {
            kind: HoldKind::CourtOrder
        }));
        assert!(e.refusals.contains(&Refusal::CoolingOff {
            until: NOW + Duration::hours(1)
        }));

        let empty = [balance(Bucket::Scv97, 0)];
        assert_eq!(
            codes(&check(&facts(&pensions, &empty), None)),
            ["refund_no_balance"]
        );
        let only_scv = [balance(Bucket::Scv97, 500_000)];
        let ley97 = Facts {
            first_contribution: Some(date!(2003 - 01 - 01)),
            ..facts(&pensions, &only_scv)
        };
        assert_eq!(codes(&check(&ley97, None)), ["refund_paid_by_afore"]);
    }

    #[test]
    fn the_cooling_off_counts_from_the_latest_change_and_ends_on_time() {
        let hours = Duration::hours(72);
        let contact = NOW - Duration::hours(100);
        let clabe = NOW - Duration::hours(10);
        assert_eq!(
            cooling_off_until(&[contact, clabe], hours, NOW),
            Some(NOW + Duration::hours(62))
        );
        assert_eq!(cooling_off_until(&[contact], hours, NOW), None);
        assert_eq!(cooling_off_until(&[NOW - hours], hours, NOW), None);
        assert_eq!(cooling_off_until(&[], hours, NOW), None);
    }

    #[test]
    fn a_hold_blocks_from_the_day_placed_until_the_day_lifted() {
        let hold = SubaccountHold {
            member_id: MemberId(1),
            kind: HoldKind::NssUnification,
            placed_on: date!(2026 - 01 - 10),
            lifted_on: Some(date!(2026 - 02 - 10)),
        };
        assert!(!hold.active_on(date!(2026 - 01 - 09)));
        assert!(hold.active_on(date!(2026 - 01 - 10)));
        assert!(hold.active_on(date!(2026 - 02 - 09)));
        assert!(!hold.active_on(date!(2026 - 02 - 10)));
    }

    #[test]
    fn the_signed_text_is_fixed_by_the_answers() {
        let folio = Folio::generate(RequestKind::PensionerRefund, 2026, &mut rand::rng());
        let nss = Nss::parse("12016543212").unwrap();
        let rfc = Rfc::parse("MASA600115QP2").unwrap();
        let clabe = Clabe::parse("002010077777777771").unwrap();
        let a = amounts(
            &antonio(),
            LawRegime::Ley73,
            Some(RefundOption::AforePaysScv),
        );
        let statement = Statement {
            folio: &folio,
            nss: &nss,
            rfc: &rfc,
            clabe: &clabe,
            amounts: &a,
            signed_on: date!(2026 - 05 - 11),
        };
        let text = statement.canonical_text();
        let expected = format!(
            "documento: vivienda/devolucion-pensionados/v1\n\
             folio: {folio}\n\
             nss: 12016543212\n\
             rfc: MASA600115QP2\n\
             clabe: 002010077777777771\n\
             regimen: ley_73\n\
             opcion: afore_pays_scv\n\
             fondo_72_92: 8421.37 infonavit\n\
             scv_92: 15903.08 afore_refund\n\
             scv_97: 212774.55 afore_refund\n\
             solo_infonavit: 1250.00 infonavit\n\
             deposito_infonavit: 9671.37\n\
             via_afore: 228677.63\n\
             fecha: 2026-05-11\n"
        );
        assert_eq!(text, expected);
        assert_eq!(statement.canonical_bytes(), expected.into_bytes());
        let other = Clabe::parse("014027000005555558").unwrap();
        let changed = Statement {
            clabe: &other,
            ..statement.clone()
        };
        assert_ne!(changed.canonical_text(), text);
    }

    #[test]
    fn each_folio_has_its_own_ledger_source() {
        let mut rng = rand::rng();
        let a = Folio::generate(RequestKind::PensionerRefund, 2026, &mut rng);
        let b = Folio::generate(RequestKind::PensionerRefund, 2026, &mut rng);
        assert_ne!(ledger_source(&a), ledger_source(&b));
        assert!(ledger_source(&a) > 0);
        assert_eq!(
            ledger_source(&a),
            ledger_source(&Folio::parse(a.as_str()).unwrap())
        );
    }
}
