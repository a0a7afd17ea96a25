use documents::format::{long_date, money, short_date};
use documents::{CreditStatementData, CreditStatementLine, DocumentError};
use domain::money::Money;
use domain::registry::{CreditMovementKind, CreditNumber, Denomination};
use rust_decimal::Decimal;
use time::macros::date;

use crate::*;

const RATE: Decimal = Decimal::from_parts(1045, 0, 0, false, 4);
const MONTHLY_PAYMENT: Money = Money::from_centavos(315_000);

/// A credit of `amount` granted on 1 March 1996 and paid by payroll every month, with the
/// employer's contribution every other month, until 31 October 2026 or until it is paid off:
/// each month-end charges interest and the damage insurance, then the payments lower the balance.
pub fn credit_lines(amount: Money) -> Vec<CreditStatementLine> {
    let mut ledger = Ledger(Vec::new());
    ledger.book(
        date!(1996 - 03 - 01),
        CreditMovementKind::Disbursement,
        amount,
    );
    let mut month_end = date!(1996 - 03 - 31);
    while month_end <= PERIOD_TO && !ledger.owed().is_zero() {
        let interest = ledger.owed().times(RATE / Decimal::from(12)).unwrap();
        ledger.book(month_end, CreditMovementKind::Interest, interest);
        let insurance = Money::from_centavos(18_432);
        ledger.book(month_end, CreditMovementKind::Insurance, insurance);
        ledger.pay(
            month_end,
            CreditMovementKind::PayrollPayment,
            MONTHLY_PAYMENT,
        );
        if u8::from(month_end.month()) % 2 == 0 {
            let contribution = Money::from_centavos(185_000);
            ledger.pay(
                month_end,
                CreditMovementKind::EmployerContribution,
                contribution,
            );
        }
        let next = month_end + Duration::days(1);
        month_end = next.replace_day(next.month().length(next.year())).unwrap();
    }
    ledger.0
}

struct Ledger(Vec<CreditStatementLine>);

impl Ledger {
    fn owed(&self) -> Money {
        self.0.last().map_or(Money::ZERO, |l| l.balance)
    }

    fn book(&mut self, booked_on: Date, kind: CreditMovementKind, amount: Money) {
        let balance = self.owed() + amount;
        self.0.push(CreditStatementLine {
            booked_on,
            kind,
            amount,
            balance,
        });
    }

    /// A payment of `wanted`, or of what is still owed if that is less.
    fn pay(&mut self, booked_on: Date, kind: CreditMovementKind, wanted: Money) {
        let paid = wanted.min(self.owed());
        if !paid.is_zero() {
            self.book(booked_on, kind, -paid);
        }
    }
}

/// The statement of the lines booked from `from` to `to`.
pub fn credit_statement(
    lines: &[CreditStatementLine],
    from: Date,
    to: Date,
) -> CreditStatementData {
    let opening_balance = lines
        .iter()
        .take_while(|l| l.booked_on < from)
        .last()
        .map_or(Money::ZERO, |l| l.balance);
    let period: Vec<CreditStatementLine> = lines
        .iter()
        .filter(|l| from <= l.booked_on && l.booked_on <= to)
        .copied()
        .collect();
    let closing_balance = period.last().map_or(opening_balance, |l| l.balance);
    CreditStatementData {
        member: member("PEDRO", "SALAZAR", "MÉNDEZ"),
        credit_number: CreditNumber::parse("0996031234").unwrap(),
        denomination: Denomination::Pesos,
        period_from: from,
        period_to: to,
        opening_balance,
        closing_balance,
        closing_balance_vsm: None,
        monthly_payment: MONTHLY_PAYMENT,
        rate: RATE,
        paid_off: closing_balance.is_zero(),
        lines: period,
    }
}

#[test]
fn a_year_of_a_credit_lists_charges_and_payments_apart_with_the_balance() {
    let lines = credit_lines(Money::from_centavos(43_000_000));
    let data = credit_statement(&lines, date!(2025 - 11 - 01), PERIOD_TO);
    assert!(!data.paid_off, "the credit is still owed in 2026");
    assert!(data.lines.len() > 40);
    let (rendered, read) = render_and_read(&data, "CRED-0000-1111-2222");
    read.has("Estado de cuenta de tu crédito");
    read.has("Del 1 de noviembre de 2025 al 31 de octubre de 2026");
    read.has_member(&data.member);
    read.has("0996031234");
    read.has("Pesos");
    read.has("Vigente");
    read.lacks("Liquidado");
    read.has_figure("Saldo al inicio del periodo", data.opening_balance);
    read.has_figure("Saldo al cierre del periodo", data.closing_balance);
    read.has("Mensualidad $3,150.00");
    read.has("Tasa de interés anual 10.45%");
    let (charges, payments): (Vec<Money>, Vec<Money>) = data
        .lines
        .iter()
        .map(|l| l.amount)
        .partition(|a| !a.is_negative());
    let (charges, payments): (Money, Money) =
        (charges.into_iter().sum(), payments.into_iter().sum());
    assert_eq!(
        data.opening_balance + charges + payments,
        data.closing_balance
    );
    read.has_figure("Cargos del periodo (intereses, seguro y otros)", charges);
    read.has_figure("Abonos del periodo (pagos y aportaciones)", -payments);
    // Every line, its amount without a sign, and the balance after it.
    for line in &data.lines {
        let concept = match line.kind {
            CreditMovementKind::Interest => "Intereses",
            CreditMovementKind::Insurance => "Seguro de daños",
            CreditMovementKind::PayrollPayment => "Pago por descuento en nómina",
            CreditMovementKind::EmployerContribution => "Aportación patronal",
            other => panic!("{other:?} is not in the sample"),
        };
        let amount = if line.amount.is_negative() {
            -line.amount
        } else {
            line.amount
        };
        read.has(&format!(
            "{} {concept} {} {}",
            short_date(line.booked_on),
            money(amount),
            money(line.balance)
        ));
    }
    read.lacks("-$");
    // Charges and payments stand in their own columns: in the laid-out text, a figure ends
    // nearer to where its column's heading ends than to where the other one's does.
    let layout = pdf_text(&rendered.pdf);
    let header = layout
        .lines()
        .find(|l| l.contains("Cargos") && l.contains("Abonos"))
        .unwrap();
    let column_end = |word: &str| header.find(word).unwrap() + word.len();
    for line in [&data.lines[0], &data.lines[2]] {
        let (amount, ours, theirs) = if line.amount.is_negative() {
            (money(-line.amount), "Abonos", "Cargos")
        } else {
            (money(line.amount), "Cargos", "Abonos")
        };
        let row = layout
            .lines()
            .find(|l| l.contains(&short_date(line.booked_on)) && l.contains(&amount))
            .unwrap();
        let end = row.find(&amount).unwrap() + amount.len();
        assert!(
            end.abs_diff(column_end(ours)) < end.abs_diff(column_end(theirs)),
            "{ours}:\n{header}\n{row}"
        );
    }
    // The table's header is repeated on every page.
    for page in &read.pages {
        assert!(
            page.contains("Fecha Concepto Cargos Abonos Saldo"),
            "{page}"
        );
    }
}

#[test]
fn a_paid_off_credit_says_liquidado_and_its_history_is_summarised_by_year() {
    let lines = credit_lines(Money::from_centavos(9_000_000));
    let last = lines.last().unwrap();
    assert!(last.balance.is_zero(), "the small credit is paid off");
    let mut data = credit_statement(&lines, date!(1996 - 01 - 01), last.booked_on);
    data.denomination = Denomination::Vsm;
    data.closing_balance_vsm = Some(Decimal::ZERO);
    assert!(data.paid_off);
    let (_, read) = render_and_read(&data, "CRED-0000-1111-3333");
    read.has("Liquidado");
    read.has("Tu crédito está pagado");
    read.has("Veces salario mínimo (VSM)");
    read.has("$0.00 (0 VSM)");
    read.has(&format!(
        "Del 1 de enero de 1996 al {}",
        long_date(last.booked_on)
    ));
    // Years of monthly lines become one row per year: what it charged, what was paid and the
    // balance at its close, worked out here from the lines.
    read.has("Resumen por año");
    read.has("Año Cargos Abonos Saldo al cierre del año");
    read.lacks("Movimientos del periodo");
    read.lacks("Crédito otorgado");
    let first = data.lines[0].booked_on.year();
    for year in first..=last.booked_on.year() {
        let of_year: Vec<_> = data
            .lines
            .iter()
            .filter(|l| l.booked_on.year() == year)
            .collect();
        let charges: Money = of_year
            .iter()
            .map(|l| l.amount)
            .filter(|a| !a.is_negative())
            .sum();
        let payments: Money = of_year
            .iter()
            .map(|l| l.amount)
            .filter(|a| a.is_negative())
            .sum();
        let closing = of_year.last().unwrap().balance;
        read.has(&format!(
            "{year} {} {} {}",
            money(charges),
            money(-payments),
            money(closing)
        ));
    }
    read.has(&format!("{} movimientos en el periodo", data.lines.len()));
}

#[test]
fn two_years_list_every_movement_and_a_longer_period_does_not() {
    use documents::lists_every_movement;
    assert!(lists_every_movement(
        date!(2024 - 11 - 01),
        date!(2026 - 10 - 31)
    ));
    assert!(lists_every_movement(
        date!(2026 - 01 - 01),
        date!(2026 - 01 - 31)
    ));
    assert!(!lists_every_movement(
        date!(2024 - 10 - 01),
        date!(2026 - 10 - 31)
    ));
    assert!(!lists_every_movement(
        date!(1996 - 01 - 01),
        date!(2026 - 10 - 31)
    ));
}

#[test]
fn lines_outside_the_period_are_refused() {
    let lines = credit_lines(Money::from_centavos(43_000_000));
    let mut data = credit_statement(&lines, date!(2026 - 01 - 01), PERIOD_TO);
    data.period_to = date!(2026 - 06 - 30);
    let refused = renderer().render(&data, &verification("0000-0000-0000-0000"));
    assert!(matches!(refused, Err(DocumentError::Input(ref c)) if c == "statement_period"));
}

#[test]
fn relief_movements_are_named_on_the_statement() {
    let mut ledger = Ledger(credit_lines(Money::from_centavos(60_000_000)));
    // A relief month: the fund paid part of the instalment and the interest was waived.
    ledger.book(
        PERIOD_TO,
        CreditMovementKind::ReliefPayment,
        Money::from_centavos(-283_500),
    );
    ledger.book(
        PERIOD_TO,
        CreditMovementKind::InterestWaiver,
        Money::from_centavos(-150_000),
    );
    let data = credit_statement(&ledger.0, date!(2026 - 10 - 01), PERIOD_TO);
    let (_, read) = render_and_read(&data, "CRED-0000-1111-5555");
    read.has("Pago del fondo de apoyo");
    read.has("Intereses que no se cobran (apoyo)");
}
