use documents::format::{long_date, money};
use documents::{
    DiscountNotice, Document, DocumentError, DocumentKind, NoticeDiscount, NoticeKind, NoticeReason,
};
use domain::money::Money;
use domain::registry::{CreditNumber, Nrp};
use rust_decimal::Decimal;
use time::macros::date;

use crate::*;

pub fn notice(kind: NoticeKind, discount: NoticeDiscount, reason: NoticeReason) -> DiscountNotice {
    DiscountNotice {
        kind,
        member: member("MARÍA JOSÉ", "OCHOA", "NÚÑEZ"),
        credit_number: CreditNumber::parse("1419283746").unwrap(),
        employer_name: "ALIMENTOS DEL BAJÍO, S.A. DE C.V.".into(),
        employer_nrp: Nrp::parse("Y5412345106").unwrap(),
        discount,
        monthly_insurance: Money::from_centavos(18_432),
        effective_on: date!(2026 - 12 - 01),
        reason,
    }
}

/// Checks what every notice prints, and returns what was read.
fn read_notice(notice: &DiscountNotice, code: &str) -> Read {
    let (_, read) = render_and_read(notice, code);
    read.has("ALIMENTOS DEL BAJÍO, S.A. DE C.V.");
    read.has("Y5412345106");
    read.has_member(&notice.member);
    read.has("1419283746");
    read.has("$184.32 al mes ($368.64 por bimestre)");
    read.has(&long_date(notice.effective_on));
    read.has("artículos 42 y 44 del Reglamento de Inscripción, Pago de Aportaciones y Entero de Descuentos");
    read.has("Recibí");
    read.has("Nombre de quien recibe");
    read.has("Firma y sello del patrón");
    read.has("Fecha de recepción");
    read
}

#[test]
fn a_retention_notice_tells_the_employer_what_to_deduct_and_from_when() {
    let data = notice(
        NoticeKind::Retention,
        NoticeDiscount::Percentage(Decimal::new(20, 2)),
        NoticeReason::NewEmployer,
    );
    assert_eq!(data.kind(), DocumentKind::RetentionNotice);
    let read = read_notice(&data, "R3TN-0000-1111-2222");
    read.has("Aviso para retención de descuentos");
    read.has("empezó a trabajar contigo");
    read.has("20% del salario diario integrado");
    read.has("DESCUENTOS A PARTIR DEL 1 de diciembre de 2026");
    read.has(
        "Multiplica el salario diario integrado (SDI) del trabajador por los días cotizados en el bimestre y por 20%.",
    );
    read.has("Súmale una sola vez el seguro de daños del bimestre, $368.64.");
    read.has("prevalece la EBA");
    // Percentages follow the days worked, so the absence rule is not printed.
    read.lacks("ausencias");
}

#[test]
fn a_modification_notice_in_fixed_pesos_explains_the_bimester_amount() {
    let data = notice(
        NoticeKind::Modification,
        NoticeDiscount::FixedPesos(Money::from_centavos(101_250)),
        NoticeReason::Conversion,
    );
    assert_eq!(data.kind(), DocumentKind::ModificationNotice);
    let read = read_notice(&data, "M0D1-0000-1111-2222");
    read.has("Aviso de modificación de descuentos");
    read.has("Responsabilidad Compartida");
    read.has("$1,012.50 al mes");
    read.has("La cuota del bimestre es de $2,025.00 (dos meses de $1,012.50).");
    read.has("en lugar del que venías aplicando");
    read.has("no se reduce por ausencias ni por incapacidades");
}

#[test]
fn a_vsm_factor_is_explained_with_the_umi() {
    let data = notice(
        NoticeKind::Retention,
        NoticeDiscount::VsmFactor(Decimal::new(253_400, 4)),
        NoticeReason::NewCredit,
    );
    let read = read_notice(&data, "VSM0-0000-1111-2222");
    read.has("25.3400 veces la UMI diaria al mes");
    read.has("Multiplica el factor 25.3400 por el valor diario de la Unidad Mixta Infonavit (UMI)");
    read.has("no se reduce por ausencias ni por incapacidades");
}

#[test]
fn a_suspension_notice_sends_this_bimesters_deductions_back_unless_the_credit_is_being_paid_off() {
    let deferred = notice(
        NoticeKind::Suspension,
        NoticeDiscount::Percentage(Decimal::new(25, 2)),
        NoticeReason::Extension,
    );
    assert_eq!(deferred.kind(), DocumentKind::SuspensionNotice);
    let read = read_notice(&deferred, "SSPN-0000-1111-2222");
    read.has("Aviso de suspensión de descuentos");
    read.has("Descuento que dejas de aplicar");
    read.has("SIN DESCUENTOS A PARTIR DEL 1 de diciembre de 2026");
    read.has("25% del salario diario integrado");
    read.has("prórroga");
    read.has("Devuelve al trabajador lo que ya le hayas retenido");
    read.lacks("Cómo calcular");

    let paying_off = DiscountNotice {
        reason: NoticeReason::PaidOff,
        ..deferred
    };
    let read = read_notice(&paying_off, "SSPN-0000-1111-3333");
    read.has("liquidado o por liquidarse");
    read.has("se aplica a liquidar el crédito");
    read.lacks("Devuelve al trabajador");
}

#[test]
fn a_reason_that_cannot_lead_to_the_notice_is_refused() {
    let data = notice(
        NoticeKind::Retention,
        NoticeDiscount::FixedPesos(Money::from_centavos(100_000)),
        NoticeReason::PaidOff,
    );
    let refused = renderer().render(&data, &verification("0000-0000-0000-0000"));
    assert!(matches!(refused, Err(DocumentError::Input(ref c)) if c == "notice_reason"));
    assert_eq!(money(data.monthly_insurance), "$184.32");
}
