//! Servicing a credit once it is granted: what is owed in pesos and in VSM, the monthly
//! payment, the payroll discount the employer applies, the notices that tell the employer to
//! start, stop or change it, the yearly re-indexation of VSM credits and the interest
//! certificate for the annual tax return (domain.md §5–§8).

pub mod account;
pub mod cancellation;
pub mod conversion;
pub mod deeds;
pub mod discount;
pub mod interest;
pub mod notices;
pub mod relief;
pub mod vsm;

pub use account::{CreditAccount, Regime};
pub use discount::{Discount, DiscountChange, DiscountChangeReason, DiscountKind};
pub use interest::{InterestCertificate, InterestError, MonthBalance, interest_certificate};
pub use notices::{NoticeFacts, NoticeKind, NoticeOffer, NoticeReason, notices_for};
