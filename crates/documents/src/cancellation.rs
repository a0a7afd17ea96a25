//! The mortgage cancellation letter ("Carta de instrucción de cancelación de hipoteca"): once a
//! credit is paid off, the fund instructs a notary or the public property registry to release
//! the mortgage (liberación de gravamen). Valid 180 calendar days (domain notes §8.1).

use domain::registry::{CreditNumber, Member};
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentError, DocumentKind, format};

/// The instruction letter for one paid-off credit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancellationLetter {
    pub folio: String,
    pub member: Member,
    pub credit_number: CreditNumber,
    pub paid_off_on: Date,
    pub route: CancellationRoute,
    pub property_address: String,
    /// The last day the letter can be presented: 180 days after it was issued.
    pub valid_until: Date,
}

/// Who releases the mortgage, and the data of the deed or instrument that recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancellationRoute {
    /// A notary, for a mortgage granted in a public deed.
    NotaryPublicDeed {
        notary: Notary,
        deed_number: String,
        originating_notary_name: String,
        originating_notary_number: String,
        originated_on: Date,
        /// The credit line, I to V.
        credit_line: String,
    },
    /// A notary, for a mortgage granted in a private instrument.
    NotaryPrivateInstrument {
        notary: Notary,
        instrument_number: String,
        originated_on: Date,
        credit_line: String,
    },
    /// The Registro Público de la Propiedad directly, for a mortgage granted in a public deed.
    PublicRegistry {
        /// The folio real, or book and page.
        folio_real: String,
        recorded_on: Date,
        /// The state whose registry recorded the deed.
        state: String,
        deed_number: String,
        originating_notary_name: String,
        originating_notary_number: String,
        originated_on: Date,
        credit_line: String,
    },
}

/// The notary the member chose to release the mortgage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notary {
    pub name: String,
    pub number: String,
    pub address: String,
    pub postal_code: String,
    pub email: String,
    pub phone: String,
}

#[derive(Serialize)]
struct Input<'a> {
    folio: &'a str,
    member: MemberInput<'a>,
    credit_number: &'a str,
    paid_off_on: String,
    property_address: &'a str,
    valid_until: String,
    route: RouteInput<'a>,
}

/// The route flattened for the template: `route` says which fields are there.
#[derive(Serialize)]
struct RouteInput<'a> {
    /// "notary_public_deed", "notary_private_instrument" or "public_registry".
    route: &'static str,
    notary: Option<NotaryInput<'a>>,
    /// The deed or the private instrument.
    document_number: &'a str,
    originating_notary: Option<OriginatingNotary<'a>>,
    originated_on: String,
    credit_line: &'a str,
    registry: Option<RegistryInput<'a>>,
}

#[derive(Serialize)]
struct NotaryInput<'a> {
    name: &'a str,
    number: &'a str,
    address: &'a str,
    postal_code: &'a str,
    email: &'a str,
    phone: &'a str,
}

#[derive(Serialize)]
struct OriginatingNotary<'a> {
    name: &'a str,
    number: &'a str,
}

#[derive(Serialize)]
struct RegistryInput<'a> {
    folio_real: &'a str,
    recorded_on: String,
    state: &'a str,
}

impl<'a> NotaryInput<'a> {
    fn new(notary: &'a Notary) -> NotaryInput<'a> {
        NotaryInput {
            name: &notary.name,
            number: &notary.number,
            address: &notary.address,
            postal_code: &notary.postal_code,
            email: &notary.email,
            phone: &notary.phone,
        }
    }
}

impl<'a> RouteInput<'a> {
    fn new(route: &'a CancellationRoute) -> RouteInput<'a> {
        match route {
            CancellationRoute::NotaryPublicDeed {
                notary,
                deed_number,
                originating_notary_name,
                originating_notary_number,
                originated_on,
                credit_line,
            } => RouteInput {
                notary: Some(NotaryInput::new(notary)),
                originating_notary: Some(OriginatingNotary {
                    name: originating_notary_name,
                    number: originating_notary_number,
                }),
                ..RouteInput::deed(
                    "notary_public_deed",
                    deed_number,
                    *originated_on,
                    credit_line,
                )
            },
            CancellationRoute::NotaryPrivateInstrument {
                notary,
                instrument_number,
                originated_on,
                credit_line,
            } => RouteInput {
                notary: Some(NotaryInput::new(notary)),
                ..RouteInput::deed(
                    "notary_private_instrument",
                    instrument_number,
                    *originated_on,
                    credit_line,
                )
            },
            CancellationRoute::PublicRegistry {
                folio_real,
                recorded_on,
                state,
                deed_number,
                originating_notary_name,
                originating_notary_number,
                originated_on,
                credit_line,
            } => RouteInput {
                originating_notary: Some(OriginatingNotary {
                    name: originating_notary_name,
                    number: originating_notary_number,
                }),
                registry: Some(RegistryInput {
                    folio_real,
                    recorded_on: format::long_date(*recorded_on),
                    state,
                }),
                ..RouteInput::deed("public_registry", deed_number, *originated_on, credit_line)
            },
        }
    }

    /// What every route gives: the deed or instrument that granted the mortgage.
    fn deed(
        route: &'static str,
        document_number: &'a str,
        originated_on: Date,
        credit_line: &'a str,
    ) -> RouteInput<'a> {
        RouteInput {
            route,
            notary: None,
            document_number,
            originating_notary: None,
            originated_on: format::long_date(originated_on),
            credit_line,
            registry: None,
        }
    }
}

impl Document for CancellationLetter {
    fn kind(&self) -> DocumentKind {
        DocumentKind::CancellationLetter
    }

    /// `cancellation_validity` when the letter would expire before the credit was paid off.
    fn check(&self) -> Result<(), DocumentError> {
        if self.valid_until > self.paid_off_on {
            Ok(())
        } else {
            Err(DocumentError::Input("cancellation_validity".into()))
        }
    }

    fn template_input(&self) -> impl Serialize {
        Input {
            folio: &self.folio,
            member: MemberInput::new(&self.member),
            credit_number: self.credit_number.as_str(),
            paid_off_on: format::long_date(self.paid_off_on),
            property_address: &self.property_address,
            valid_until: format::long_date(self.valid_until),
            route: RouteInput::new(&self.route),
        }
    }
}
