//! Looking a member up, and seeing their data: masked by default, in full only after the
//! operator states why, and every view and every unmasking written to the audit log.

use domain::ids::{Curp, Nss};
use domain::operators::{Permission, UnmaskReason, mask, mask_email, mask_name};
use domain::registry::{Member, MemberId, StateCode};
use serde_json::json;

use super::{BackOffice, BackOfficeError, OperatorContext, PAGE};
use crate::accounts::Caller;
use crate::requests::RequestLine;

/// What the operator typed: an NSS, a CURP, or a name as "SURNAME [SURNAME] [GIVEN NAMES]".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberLookup {
    Nss(Nss),
    Curp(Curp),
    Name {
        first_surname: String,
        second_surname: Option<String>,
        given: Option<String>,
    },
}

impl MemberLookup {
    /// `None` when nothing usable was typed.
    pub fn parse(text: &str) -> Option<MemberLookup> {
        let text = text.trim();
        if let Ok(nss) = Nss::parse(text) {
            return Some(MemberLookup::Nss(nss));
        }
        if let Ok(curp) = Curp::parse(&text.to_uppercase()) {
            return Some(MemberLookup::Curp(curp));
        }
        let words: Vec<String> = text.split_whitespace().map(str::to_uppercase).collect();
        let (first, rest) = words.split_first()?;
        if first.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(MemberLookup::Name {
            first_surname: first.clone(),
            second_surname: rest.first().cloned(),
            given: (rest.len() > 1).then(|| rest[1..].join(" ")),
        })
    }

    fn by(&self) -> &'static str {
        match self {
            MemberLookup::Nss(_) => "nss",
            MemberLookup::Curp(_) => "curp",
            MemberLookup::Name { .. } => "name",
        }
    }
}

/// Whether a card shows data in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Masked,
    Unmasked(UnmaskReason),
}

/// A member as the back office shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCard {
    pub member_id: MemberId,
    pub shown: Shown,
    pub name: String,
    /// The name's parts, masked like the name.
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub nss: String,
    pub curp: String,
    pub rfc: String,
    pub birth_date: String,
    pub state: StateCode,
    /// The portal account's contacts, when the member has an account.
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub requests: Vec<RequestLine>,
}

fn card(member: &Member, account: Option<&store::Account>, shown: Shown) -> MemberCard {
    let p = &member.person;
    let full = matches!(shown, Shown::Unmasked(_));
    let or_masked = |text: &str, keep: usize| {
        if full {
            text.to_owned()
        } else {
            mask(text, keep)
        }
    };
    let name_or_masked = |name: &str| {
        if full {
            name.to_owned()
        } else {
            mask_name(name)
        }
    };
    MemberCard {
        member_id: member.member_id,
        shown,
        name: name_or_masked(&p.full_name()),
        given_names: name_or_masked(&p.given_names),
        first_surname: name_or_masked(&p.first_surname),
        second_surname: name_or_masked(&p.second_surname),
        // The last four digits of the NSS are what a caller is usually asked to confirm.
        nss: if full {
            p.nss.as_str().to_owned()
        } else {
            let digits = p.nss.as_str();
            format!("•••••••{}", &digits[digits.len().saturating_sub(4)..])
        },
        curp: or_masked(p.curp.as_str(), 4),
        rfc: or_masked(p.rfc.as_str(), 4),
        birth_date: if full {
            domain::dates::iso(p.birth_date)
        } else {
            "••••-••-••".to_owned()
        },
        state: p.state,
        email: account.map(|a| {
            if full {
                a.email.clone()
            } else {
                mask_email(&a.email)
            }
        }),
        mobile: account.map(|a| {
            if full {
                a.mobile.clone()
            } else {
                format!("••••••{}", &a.mobile[a.mobile.len().saturating_sub(4)..])
            }
        }),
        requests: Vec::new(),
    }
}

impl BackOffice {
    /// Members matching what was typed, masked. The search is audited.
    pub async fn look_up(
        &self,
        operator: &OperatorContext,
        lookup: &MemberLookup,
        caller: &Caller,
    ) -> Result<Vec<MemberCard>, BackOfficeError> {
        self.require(
            operator,
            Permission::LookUpMembers,
            "look_up_member",
            caller,
        )
        .await?;
        let found: Vec<Member> = match lookup {
            MemberLookup::Nss(nss) => self.store.member_by_nss(nss).await?.into_iter().collect(),
            MemberLookup::Curp(curp) => {
                self.store.member_by_curp(curp).await?.into_iter().collect()
            }
            MemberLookup::Name {
                first_surname,
                second_surname,
                given,
            } => {
                self.store
                    .members_by_name(
                        first_surname,
                        second_surname.as_deref(),
                        given.as_deref(),
                        PAGE,
                    )
                    .await?
            }
        };
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_member_search",
            None,
            json!({ "by": lookup.by(), "results": found.len() }),
        );
        self.store.append_audit(&[audit]).await?;
        Ok(found.iter().map(|m| card(m, None, Shown::Masked)).collect())
    }

    /// One member's card with their requests: masked, or in full when the operator states a
    /// reason. Both are audited against the member, the unmasking with its reason.
    pub async fn member_card(
        &self,
        operator: &OperatorContext,
        member: MemberId,
        unmask: Option<UnmaskReason>,
        caller: &Caller,
    ) -> Result<MemberCard, BackOfficeError> {
        self.require(operator, Permission::LookUpMembers, "view_member", caller)
            .await?;
        let found = self
            .store
            .member(member)
            .await?
            .ok_or(BackOfficeError::MemberNotFound)?;
        let account = self.store.account_by_member(member).await?;
        let shown = unmask.map_or(Shown::Masked, Shown::Unmasked);
        let (action, details) = match unmask {
            Some(reason) => (
                "operator_unmasked_member",
                json!({ "reason": reason.code() }),
            ),
            None => ("operator_viewed_member", json!({})),
        };
        let audit = self.audit(caller, operator.label(), action, Some(member.0), details);
        self.store.append_audit(&[audit]).await?;
        let mut shown_card = card(&found, account.as_ref(), shown);
        shown_card.requests = self.requests.list(member).await?;
        Ok(shown_card)
    }
}

impl BackOffice {
    /// Files a data correction for a member who is on the phone or at a CESI desk, through the
    /// same use case the member's own page uses: the request records the channel and, as its
    /// author, the operator acting for the member.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_correction_for(
        &self,
        operator: &OperatorContext,
        member: MemberId,
        channel: domain::audit::Channel,
        proposal: &domain::corrections::Proposal,
        explanation: &str,
        uploads: &[crate::corrections::Upload],
        caller: &Caller,
    ) -> Result<crate::requests::Filed, BackOfficeError> {
        self.require(
            operator,
            Permission::ActForMember,
            "file_correction_for",
            caller,
        )
        .await?;
        let serving = Caller {
            channel,
            ..caller.clone()
        };
        Ok(self
            .corrections()
            .submit(
                member,
                proposal,
                explanation,
                uploads,
                crate::requests::Acting::ForMember {
                    member,
                    operator: operator.operator_id,
                },
                &serving,
            )
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_typed_decides_the_look_up() {
        let nss = domain::ids::generate::nss(1, 1990, 1970, 1);
        assert_eq!(
            MemberLookup::parse(&format!(" {} ", nss.as_str())),
            Some(MemberLookup::Nss(nss))
        );
        assert_eq!(MemberLookup::parse("12345678901"), None, "bad check digit");
        assert_eq!(
            MemberLookup::parse("garcía lópez ana maría"),
            Some(MemberLookup::Name {
                first_surname: "GARCÍA".into(),
                second_surname: Some("LÓPEZ".into()),
                given: Some("ANA MARÍA".into()),
            })
        );
        assert_eq!(
            MemberLookup::parse("Pérez"),
            Some(MemberLookup::Name {
                first_surname: "PÉREZ".into(),
                second_surname: None,
                given: None,
            })
        );
        assert_eq!(MemberLookup::parse("   "), None);
        assert_eq!(MemberLookup::parse("12345"), None);
    }
}
