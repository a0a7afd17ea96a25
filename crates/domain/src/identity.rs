//! A member's NSS can change, and one person can hold two NSS that the fund unifies
//! (domain.md §3.2, §12). `member_id` is the key of everything a member owns, and the NSS is only
//! an attribute, so the data follows: a changed or unified NSS stays an alias that still finds
//! the member (sign-in, imports, the back office).
//!
//! This module decides whether a change or a unification may go ahead, and what happens to the
//! portal account. The store carries it out in one transaction; the rules for rows that collide
//! are in `docs/backoffice.md` ("Cambio y unificación de NSS").

use serde::{Deserialize, Serialize};

use crate::ids::{Nss, name_key};
use crate::registry::{MemberId, Person};

/// What the rules need to know about one side of a unification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    pub member_id: MemberId,
    pub person: Person,
    /// Credits that are neither paid off nor cancelled.
    pub active_credits: u32,
    /// Requests not yet done, rejected or cancelled.
    pub open_requests: u32,
    /// CESI appointments still to come.
    pub upcoming_appointments: u32,
    pub has_account: bool,
}

/// Which part of the person's data differs between the two records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mismatch {
    Name,
    BirthDate,
    Sex,
}

/// Why two records cannot be unified. Each has a stable code for the API and the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Both NSS already belong to the same record.
    SameMember,
    /// Name, birth date or sex differ: they may be two people. Correct the data first.
    NotSamePerson(Vec<Mismatch>),
    /// Each record has an active credit; the credit area must settle which one stands.
    TwoActiveCredits,
    /// The record that disappears has requests in course; finish or cancel them first.
    SourceHasOpenRequests,
    /// The record that disappears has appointments to come; cancel them first.
    SourceHasUpcomingAppointments,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::SameMember => "unify_same_member",
            Refusal::NotSamePerson(_) => "unify_not_same_person",
            Refusal::TwoActiveCredits => "unify_two_active_credits",
            Refusal::SourceHasOpenRequests => "unify_source_open_requests",
            Refusal::SourceHasUpcomingAppointments => "unify_source_upcoming_appointments",
        }
    }
}

/// What happens to the portal accounts: the record that stays keeps its own; when only the
/// record that disappears has one, it moves over, so the member keeps signing in with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountPlan {
    NoAccount,
    KeepTarget,
    MoveSource,
    /// Both had one: the target's stays and the source's is closed, its sessions ended.
    KeepTargetCloseSource,
}

impl AccountPlan {
    pub fn for_sides(source_has: bool, target_has: bool) -> AccountPlan {
        match (source_has, target_has) {
            (false, false) => AccountPlan::NoAccount,
            (false, true) => AccountPlan::KeepTarget,
            (true, false) => AccountPlan::MoveSource,
            (true, true) => AccountPlan::KeepTargetCloseSource,
        }
    }
}

/// Whether the two records are the same person: the same name (accents, case and spacing
/// aside), birth date and sex. The CURP cannot serve, since the registry holds each CURP once.
pub fn mismatches(a: &Person, b: &Person) -> Vec<Mismatch> {
    let name = |p: &Person| {
        [&p.first_surname, &p.second_surname, &p.given_names]
            .map(|part| name_key(part))
            .join("|")
    };
    let mut found = Vec::new();
    if name(a) != name(b) {
        found.push(Mismatch::Name);
    }
    if a.birth_date != b.birth_date {
        found.push(Mismatch::BirthDate);
    }
    if a.sex != b.sex {
        found.push(Mismatch::Sex);
    }
    found
}

/// Checks that `source` may be unified into `target` (the record that stays). Every reason is
/// reported, so the operator sees at once all that must be settled first.
pub fn check_unification(source: &Side, target: &Side) -> Result<AccountPlan, Vec<Refusal>> {
    if source.member_id == target.member_id {
        return Err(vec![Refusal::SameMember]);
    }
    let mut refusals = Vec::new();
    let differ = mismatches(&source.person, &target.person);
    if !differ.is_empty() {
        refusals.push(Refusal::NotSamePerson(differ));
    }
    if source.active_credits > 0 && target.active_credits > 0 {
        refusals.push(Refusal::TwoActiveCredits);
    }
    if source.open_requests > 0 {
        refusals.push(Refusal::SourceHasOpenRequests);
    }
    if source.upcoming_appointments > 0 {
        refusals.push(Refusal::SourceHasUpcomingAppointments);
    }
    if refusals.is_empty() {
        Ok(AccountPlan::for_sides(
            source.has_account,
            target.has_account,
        ))
    } else {
        Err(refusals)
    }
}

/// Why an NSS change is refused before it reaches the store (which also refuses an NSS that
/// another record holds, or held).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NssChangeRefusal {
    Unchanged,
}

pub fn check_nss_change(current: &Person, new: &Nss) -> Result<(), NssChangeRefusal> {
    if &current.nss == new {
        return Err(NssChangeRefusal::Unchanged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::generate::{self, NameParts};
    use crate::registry::{Sex, StateCode};
    use time::macros::date;

    fn person(nss: Nss, given: &str) -> Person {
        let name = NameParts {
            first_surname: "GARCÍA",
            second_surname: "HERNÁNDEZ",
            given_names: "MARÍA",
        };
        let birth = date!(1985 - 03 - 12);
        Person {
            nss,
            curp: generate::curp(&name, birth, Sex::Female, "DF", 0),
            rfc: generate::rfc_person(&name, birth),
            first_surname: "García".into(),
            second_surname: "HERNÁNDEZ".into(),
            given_names: given.into(),
            birth_date: birth,
            sex: Sex::Female,
            state: StateCode(9),
        }
    }

    fn side(id: i64, nss_serial: u16, given: &str) -> Side {
        Side {
            member_id: MemberId(id),
            person: person(generate::nss(1, 2005, 1985, nss_serial), given),
            active_credits: 0,
            open_requests: 0,
            upcoming_appointments: 0,
            has_account: false,
        }
    }

    #[test]
    fn the_same_person_under_two_nss_is_unified_and_accents_do_not_matter() {
        let source = side(1, 1, "María José");
        let target = side(2, 2, "MARIA  JOSE");
        assert_eq!(
            check_unification(&source, &target),
            Ok(AccountPlan::NoAccount)
        );
    }

    #[test]
    fn every_reason_to_refuse_is_reported_together() {
        let mut source = side(1, 1, "MARÍA JOSÉ");
        let mut target = side(2, 2, "MARÍA LUISA");
        target.person.birth_date = date!(1985 - 03 - 13);
        source.active_credits = 1;
        target.active_credits = 1;
        source.open_requests = 2;
        source.upcoming_appointments = 1;
        let refusals = check_unification(&source, &target).unwrap_err();
        assert_eq!(
            refusals,
            vec![
                Refusal::NotSamePerson(vec![Mismatch::Name, Mismatch::BirthDate]),
                Refusal::TwoActiveCredits,
                Refusal::SourceHasOpenRequests,
                Refusal::SourceHasUpcomingAppointments,
            ]
        );
        assert_eq!(
            check_unification(&source, &source),
            Err(vec![Refusal::SameMember])
        );
    }

    #[test]
    fn one_active_credit_moves_and_open_requests_only_matter_on_the_source() {
        let mut source = side(1, 1, "ANA");
        let mut target = side(2, 2, "ANA");
        source.active_credits = 1;
        target.open_requests = 3;
        target.upcoming_appointments = 1;
        assert!(check_unification(&source, &target).is_ok());
        target.person.sex = Sex::Male;
        assert_eq!(
            check_unification(&source, &target),
            Err(vec![Refusal::NotSamePerson(vec![Mismatch::Sex])])
        );
    }

    #[test]
    fn the_account_that_stays() {
        assert_eq!(AccountPlan::for_sides(false, false), AccountPlan::NoAccount);
        assert_eq!(AccountPlan::for_sides(false, true), AccountPlan::KeepTarget);
        assert_eq!(AccountPlan::for_sides(true, false), AccountPlan::MoveSource);
        assert_eq!(
            AccountPlan::for_sides(true, true),
            AccountPlan::KeepTargetCloseSource
        );
    }

    #[test]
    fn an_nss_change_must_change_something() {
        let s = side(1, 1, "ANA");
        assert_eq!(
            check_nss_change(&s.person, &s.person.nss),
            Err(NssChangeRefusal::Unchanged)
        );
        let other = generate::nss(1, 2005, 1985, 9);
        assert_eq!(check_nss_change(&s.person, &other), Ok(()));
    }
}
