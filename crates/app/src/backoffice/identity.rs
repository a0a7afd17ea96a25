//! A supervisor changes a member's NSS or unifies two NSS of one person
//! (`domain::identity`, `store::IdentityRepo`). Both need a written note (the evidence: an IMSS
//! letter, the folio of a data correction) and are audited in the chain of every member they
//! touch. The NSS in audit details is shown by its last four digits only.

use domain::identity::{NssChangeRefusal, Refusal, check_nss_change};
use domain::ids::Nss;
use domain::operators::Permission;
use domain::registry::MemberId;
use serde_json::json;
use store::{Unification, Unified};

use super::{BackOffice, BackOfficeError, OperatorContext};
use crate::accounts::Caller;

/// The longest note kept with a change of identity.
pub const MAX_NOTE: usize = 500;

fn last_four(nss: &Nss) -> String {
    let digits = nss.as_str();
    format!("…{}", &digits[digits.len().saturating_sub(4)..])
}

fn note(text: &str) -> Result<String, BackOfficeError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(BackOfficeError::IdentityNoteRequired);
    }
    Ok(text.chars().take(MAX_NOTE).collect())
}

impl BackOffice {
    /// Gives the member `new` as NSS; `old` is the NSS the operator saw on the card, so a
    /// change made meanwhile by someone else is not overwritten.
    pub async fn change_nss(
        &self,
        operator: &OperatorContext,
        member: MemberId,
        old: &Nss,
        new: &Nss,
        note_text: &str,
        caller: &Caller,
    ) -> Result<(), BackOfficeError> {
        self.require(operator, Permission::ChangeIdentity, "change_nss", caller)
            .await?;
        let note = note(note_text)?;
        let current = self
            .store
            .member(member)
            .await?
            .ok_or(BackOfficeError::MemberNotFound)?;
        check_nss_change(&current.person, new).map_err(|e| match e {
            NssChangeRefusal::Unchanged => BackOfficeError::NssUnchanged,
        })?;
        let entry = self.audit(
            caller,
            operator.label(),
            "member_nss_changed",
            Some(member.0),
            json!({ "from": last_four(old), "to": last_four(new), "note": note }),
        );
        self.store
            .change_nss(member, old, new, self.now(), &[entry])
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict("nss_taken") => BackOfficeError::NssTaken,
                store::StoreError::Conflict("nss_outdated") => BackOfficeError::NssOutdated,
                store::StoreError::Conflict("member_not_found") => BackOfficeError::MemberNotFound,
                other => BackOfficeError::Store(other),
            })
    }

    /// The record an NSS belongs to, for the confirmation page before a unification.
    pub async fn member_of_nss(
        &self,
        operator: &OperatorContext,
        nss: &Nss,
        caller: &Caller,
    ) -> Result<MemberId, BackOfficeError> {
        self.require(
            operator,
            Permission::ChangeIdentity,
            "unify_members",
            caller,
        )
        .await?;
        self.store
            .member_by_nss(nss)
            .await?
            .map(|m| m.member_id)
            .ok_or(BackOfficeError::MemberNotFound)
    }

    /// Unifies the record of `duplicate` (an NSS, which disappears) into `target` (the record
    /// that stays). The rules are checked inside the store's transaction, on the data as it is
    /// there; a refusal lists every reason and writes nothing.
    pub async fn unify(
        &self,
        operator: &OperatorContext,
        target: MemberId,
        duplicate: &Nss,
        note_text: &str,
        caller: &Caller,
    ) -> Result<Unified, BackOfficeError> {
        self.require(
            operator,
            Permission::ChangeIdentity,
            "unify_members",
            caller,
        )
        .await?;
        let note = note(note_text)?;
        let source = self
            .store
            .member_by_nss(duplicate)
            .await?
            .ok_or(BackOfficeError::MemberNotFound)?;
        let source_nss = source.person.nss;
        let details = json!({
            "source_member_id": source.member_id.0,
            "target_member_id": target.0,
            "source_nss": last_four(&source_nss),
            "note": note,
        });
        let entries = [
            self.audit(
                caller,
                operator.label(),
                "member_unified",
                Some(target.0),
                details.clone(),
            ),
            self.audit(
                caller,
                operator.label(),
                "member_unified_away",
                Some(source.member_id.0),
                details,
            ),
        ];
        let today = domain::dates::mexico_city_date(self.now());
        match self
            .store
            .unify_members(
                source.member_id,
                &source_nss,
                target,
                today,
                self.now(),
                &operator.label(),
                &entries,
            )
            .await
        {
            Ok(Unification::Done(done)) => Ok(done),
            Ok(Unification::Refused(reasons)) => Err(BackOfficeError::Unify(reasons)),
            Err(store::StoreError::Conflict("member_not_found")) => {
                Err(BackOfficeError::MemberNotFound)
            }
            Err(store::StoreError::Conflict("nss_outdated")) => Err(BackOfficeError::NssOutdated),
            Err(e) => Err(e.into()),
        }
    }
}

/// The message ids of a refusal's reasons, in order.
pub fn refusal_codes(reasons: &[Refusal]) -> Vec<&'static str> {
    reasons.iter().map(Refusal::code).collect()
}
