//! The relief programmes as data (`data/relief_programmes.csv`): what each one does, when a
//! member can ask for it and for which credits. Read like the other reference tables; a fund
//! changes a programme by dropping a corrected file of the same name in its data directory.

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::reference::ReferenceError;
use crate::reference::csv::{self, LastColumn, Row};

/// The file's name, in `data/` and in a fund's data directory.
pub const FILE_NAME: &str = "relief_programmes.csv";

/// Which questionnaire a programme answers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Family {
    /// The 2020 Covid-19 measures: the answers pick one of them.
    Covid2020,
    /// Prórroga total for job loss.
    Prorroga,
    /// Fondo de Protección de Pagos.
    ProtectionFund,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Covid2020, Family::Prorroga, Family::ProtectionFund];

    pub fn code(self) -> &'static str {
        match self {
            Family::Covid2020 => "covid2020",
            Family::Prorroga => "prorroga",
            Family::ProtectionFund => "fpp",
        }
    }

    pub fn from_code(code: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// What a programme does to each month it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    /// A fund pays the whole instalment and no interest is charged.
    InsurancePays,
    /// Nothing is due, the balance is frozen: no interest.
    Deferral,
    /// Nothing is due but interest still accrues.
    DeferralWithInterest,
    /// The first half of the months `InsurancePays`, the rest `Deferral`.
    InsuranceThenDeferral,
    /// Interest is waived; whatever is still paid goes entirely to principal.
    InterestWaived,
    /// A fund pays a share of the instalment, the borrower the rest; interest as usual.
    FundShare,
}

impl Effect {
    pub const ALL: [Effect; 6] = [
        Effect::InsurancePays,
        Effect::Deferral,
        Effect::DeferralWithInterest,
        Effect::InsuranceThenDeferral,
        Effect::InterestWaived,
        Effect::FundShare,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Effect::InsurancePays => "insurance_pays",
            Effect::Deferral => "deferral",
            Effect::DeferralWithInterest => "deferral_with_interest",
            Effect::InsuranceThenDeferral => "insurance_then_deferral",
            Effect::InterestWaived => "interest_waived",
            Effect::FundShare => "fund_share",
        }
    }

    pub fn from_code(code: &str) -> Option<Effect> {
        Effect::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// One row of the file: a programme as it stands over one application window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Programme {
    pub code: String,
    pub family: Family,
    pub effect: Effect,
    /// The days a member can apply, both included.
    pub open_from: Date,
    pub open_to: Date,
    /// The origination dates of the credits it covers, both included.
    pub credit_from: Date,
    pub credit_to: Date,
    /// The earliest day the job loss or stoppage may have happened.
    pub event_from: Option<Date>,
    /// Months granted at once.
    pub months: u32,
    /// Months of the family in a row; 0: no limit.
    pub max_consecutive: u32,
    /// Months of the family over the life of the credit; 0: no limit.
    pub max_lifetime: u32,
    /// Years between two grants of the family; 0: no limit.
    pub once_every_years: u32,
    /// Times a grant can be renewed, in the month after it ends.
    pub renewals: u32,
    /// The share of the instalment a fund pays (1 = all of it).
    pub fund_share: Decimal,
    /// Whether the employer must stop the payroll discount while it lasts.
    pub suspends_discount: bool,
    pub estimate: bool,
}

impl Programme {
    pub fn is_open(&self, on: Date) -> bool {
        self.open_from <= on && on <= self.open_to
    }

    pub fn covers_credit(&self, originated_on: Date) -> bool {
        self.credit_from <= originated_on && originated_on <= self.credit_to
    }
}

/// Every programme, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReliefProgrammes {
    rows: Vec<Programme>,
}

impl ReliefProgrammes {
    /// Reads the file's text. Errors name the line.
    pub fn parse(text: &str) -> Result<ReliefProgrammes, ReferenceError> {
        let columns = &[
            "programme",
            "family",
            "effect",
            "open_from",
            "open_to",
            "credit_from",
            "credit_to",
            "event_from",
            "months",
            "max_consecutive",
            "max_lifetime",
            "once_every_years",
            "renewals",
            "fund_share",
            "suspends_discount",
            "estimate",
            "note",
        ];
        let rows = csv::read(FILE_NAME, text, columns, LastColumn::FreeText)?;
        let mut out: Vec<Programme> = Vec::new();
        for row in &rows {
            let programme = programme(row)?;
            let overlaps = out.iter().any(|p| {
                p.code == programme.code
                    && p.open_from <= programme.open_to
                    && programme.open_from <= p.open_to
            });
            if overlaps {
                return Err(row.invalid(format!(
                    "{} has another row whose window overlaps this one",
                    programme.code
                )));
            }
            if out
                .iter()
                .any(|p| p.code == programme.code && p.family != programme.family)
            {
                return Err(row.invalid(format!("{} is in two families", programme.code)));
            }
            out.push(programme);
        }
        Ok(ReliefProgrammes { rows: out })
    }

    /// The copy built into this release (the repository's `data/` directory).
    pub fn embedded() -> Result<ReliefProgrammes, ReferenceError> {
        ReliefProgrammes::parse(ReliefProgrammes::embedded_text())
    }

    pub fn embedded_text() -> &'static str {
        include_str!("../../../../../data/relief_programmes.csv")
    }

    pub fn all(&self) -> &[Programme] {
        &self.rows
    }

    pub fn of_family(&self, family: Family) -> impl Iterator<Item = &Programme> {
        self.rows.iter().filter(move |p| p.family == family)
    }

    /// The row of `code` whose window holds `on`, or else the last one opened before it (a
    /// renewal keeps the programme it renews after the window closed).
    pub fn row(&self, code: &str, on: Date) -> Option<&Programme> {
        let rows = self.rows.iter().filter(|p| p.code == code);
        rows.filter(|p| p.open_from <= on)
            .max_by_key(|p| p.open_from)
    }
}

fn programme(row: &Row<'_>) -> Result<Programme, ReferenceError> {
    let code = row.required("programme")?;
    if !code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(row.parse_error(format!(
            "programme: `{code}` must be lower-case letters, digits and _"
        )));
    }
    let family = row.required("family")?;
    let family = Family::from_code(family)
        .ok_or_else(|| row.parse_error(format!("family: `{family}` is not a family")))?;
    let effect = row.required("effect")?;
    let effect = Effect::from_code(effect)
        .ok_or_else(|| row.parse_error(format!("effect: `{effect}` is not an effect")))?;
    let event_from = if row.text("event_from")?.is_empty() {
        None
    } else {
        Some(row.date("event_from")?)
    };
    let fund_share = row.decimal("fund_share")?;
    if fund_share < Decimal::ZERO || fund_share > Decimal::ONE {
        return Err(row.invalid("fund_share must be between 0 and 1"));
    }
    let p = Programme {
        code: code.to_owned(),
        family,
        effect,
        open_from: row.date("open_from")?,
        open_to: row.date("open_to")?,
        credit_from: row.date("credit_from")?,
        credit_to: row.date("credit_to")?,
        event_from,
        months: count(row, "months")?,
        max_consecutive: count(row, "max_consecutive")?,
        max_lifetime: count(row, "max_lifetime")?,
        once_every_years: count(row, "once_every_years")?,
        renewals: count(row, "renewals")?,
        fund_share,
        suspends_discount: row.flag("suspends_discount")?,
        estimate: row.flag("estimate")?,
    };
    if p.open_to < p.open_from || p.credit_to < p.credit_from {
        return Err(row.invalid("a window ends before it starts"));
    }
    if p.months == 0 || p.months > 60 {
        return Err(row.invalid("months must be between 1 and 60"));
    }
    let needs_share = matches!(
        p.effect,
        Effect::FundShare | Effect::InsurancePays | Effect::InsuranceThenDeferral
    );
    if needs_share == p.fund_share.is_zero() {
        return Err(row.invalid(
            "fund_share must be above 0 exactly when a fund pays part of the instalment",
        ));
    }
    Ok(p)
}

fn count(row: &Row<'_>, column: &str) -> Result<u32, ReferenceError> {
    let text = row.required(column)?;
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= 600)
        .ok_or_else(|| row.parse_error(format!("{column}: `{text}` is not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_reads() {
        let p = ReliefProgrammes::embedded().unwrap();
        assert_eq!(p.of_family(Family::Covid2020).count(), 4);
        let d = |s: &str| crate::dates::parse_iso(s).unwrap();
        let prorroga = p.row("prorroga", d("2026-01-10")).unwrap();
        assert_eq!(prorroga.effect, Effect::Deferral);
        let old = p.row("prorroga", d("2024-12-31")).unwrap();
        assert_eq!(old.effect, Effect::DeferralWithInterest);
        // A renewal after the window closed keeps the last row opened.
        assert_eq!(
            p.row("covid_deferral", d("2020-11-02")).unwrap().code,
            "covid_deferral"
        );
        assert!(p.row("covid_deferral", d("2020-04-14")).is_none());
    }

    #[test]
    fn bad_rows_name_their_line() {
        let header = ReliefProgrammes::embedded_text()
            .lines()
            .find(|l| l.starts_with("programme,"))
            .unwrap();
        let text = format!(
            "{header}\nx,covid2020,deferral,2020-04-15,2020-08-31,1900-01-01,2020-08-31,,3,6,6,0,1,0.5,true,false,n\n"
        );
        let err = ReliefProgrammes::parse(&text).unwrap_err();
        assert!(
            matches!(err, ReferenceError::Invalid { line: 2, .. }),
            "{err}"
        );
        let text = format!(
            "{header}\nx,covid2020,nope,2020-04-15,2020-08-31,1900-01-01,2020-08-31,,3,6,6,0,1,0,true,false,n\n"
        );
        assert!(matches!(
            ReliefProgrammes::parse(&text).unwrap_err(),
            ReferenceError::Parse { line: 2, .. }
        ));
        let row = "x,prorroga,deferral,2020-01-01,2020-12-31,1900-01-01,2099-12-31,,3,0,0,0,0,0,true,false,n";
        let overlap = "x,prorroga,deferral,2020-06-01,2021-12-31,1900-01-01,2099-12-31,,3,0,0,0,0,0,true,false,n";
        assert!(matches!(
            ReliefProgrammes::parse(&format!("{header}\n{row}\n{overlap}\n")).unwrap_err(),
            ReferenceError::Invalid { line: 3, .. }
        ));
    }
}
