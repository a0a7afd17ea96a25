//! The back office's people: operator roles, what each may do, and how a member's personal data
//! is masked until an operator states why they need to see it.
//!
//! Roles are separated: agents work requests and serve members, supervisors also reassign work,
//! auditors only read the audit log, and admins only manage operator accounts. No role both
//! decides requests and manages who may decide them.

use serde::{Deserialize, Serialize};

/// An operator's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A phone agent or a CESI clerk.
    Agent,
    Supervisor,
    Auditor,
    Admin,
}

/// Something an operator may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the queues and a request's answers and timeline.
    ReadRequests,
    /// Start a review, ask for a correction, approve, reject, complete.
    DecideRequests,
    /// Give a request to another operator.
    Reassign,
    /// Look members up and, stating a reason, see their personal data unmasked.
    LookUpMembers,
    /// File and act on a member's behalf, on the phone or at a CESI.
    ActForMember,
    /// Read the audit log.
    ReadAudit,
    /// Create operators, change their roles, disable them.
    ManageOperators,
    /// Change a member's NSS and unify two NSS of one person.
    ChangeIdentity,
    /// Start the batches that post money (yield, re-indexation, contributions) and reminders.
    RunBatches,
    /// See the usage statistics' dashboard: aggregates, never a member.
    ReadStatistics,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Agent, Role::Supervisor, Role::Auditor, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Agent => matches!(
                permission,
                ReadRequests | DecideRequests | LookUpMembers | ActForMember
            ),
            Role::Supervisor => matches!(
                permission,
                ReadRequests
                    | DecideRequests
                    | Reassign
                    | LookUpMembers
                    | ActForMember
                    | ChangeIdentity
                    | RunBatches
                    | ReadStatistics
            ),
            Role::Auditor => matches!(permission, ReadAudit | ReadStatistics),
            Role::Admin => matches!(permission, ManageOperators | ReadStatistics),
        }
    }
}

/// Why an operator asks to see a member's personal data unmasked. Stated every time, and logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmaskReason {
    /// The member is on the phone and identity must be confirmed.
    PhoneCall,
    /// The member is at a CESI desk.
    CesiVisit,
    /// Deciding one of the member's requests.
    RequestReview,
    /// Comparing a data-correction request with the records.
    DataCorrection,
}

impl UnmaskReason {
    pub const ALL: [UnmaskReason; 4] = [
        UnmaskReason::PhoneCall,
        UnmaskReason::CesiVisit,
        UnmaskReason::RequestReview,
        UnmaskReason::DataCorrection,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnmaskReason::PhoneCall => "phone_call",
            UnmaskReason::CesiVisit => "cesi_visit",
            UnmaskReason::RequestReview => "request_review",
            UnmaskReason::DataCorrection => "data_correction",
        }
    }

    pub fn from_code(code: &str) -> Option<UnmaskReason> {
        UnmaskReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A username: 3 to 32 lower-case ASCII letters, digits, dots, dashes or underscores, starting
/// with a letter. Compared as typed, after trimming and lower-casing.
pub fn normalize_username(text: &str) -> Option<String> {
    let name = text.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    ok.then_some(name)
}

/// Keeps the first `keep` characters and masks the rest with `•`: "GAMA8001••••••••••".
pub fn mask(text: &str, keep: usize) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| if i < keep || c == ' ' { c } else { '•' })
        .collect()
}

/// A name masked to its initials: "María Guadalupe López" → "M••• G••• L•••".
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}•••"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An e-mail address masked to its first letter and domain: "m•••@correo.mx".
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => mask(email, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duties_are_separated() {
        use Permission::*;
        let all = [
            ReadRequests,
            DecideRequests,
            Reassign,
            LookUpMembers,
            ActForMember,
            ReadAudit,
            ManageOperators,
            ChangeIdentity,
            RunBatches,
            ReadStatistics,
        ];
        let allowed =
            |role: Role| -> Vec<Permission> { all.into_iter().filter(|p| role.may(*p)).collect() };
        assert_eq!(
            allowed(Role::Agent),
            [ReadRequests, DecideRequests, LookUpMembers, ActForMember]
        );
        assert_eq!(
            allowed(Role::Supervisor),
            [
                ReadRequests,
                DecideRequests,
                Reassign,
                LookUpMembers,
                ActForMember,
                ChangeIdentity,
                RunBatches,
                ReadStatistics
            ]
        );
        assert_eq!(allowed(Role::Auditor), [ReadAudit, ReadStatistics]);
        assert_eq!(allowed(Role::Admin), [ManageOperators, ReadStatistics]);
        // Nobody both decides requests and manages who may.
        for role in Role::ALL {
            assert!(!(role.may(DecideRequests) && role.may(ManageOperators)));
        }
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        for reason in UnmaskReason::ALL {
            assert_eq!(UnmaskReason::from_code(reason.code()), Some(reason));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn usernames_are_plain() {
        assert_eq!(normalize_username(" Ana.Lopez "), Some("ana.lopez".into()));
        assert_eq!(normalize_username("ab"), None);
        assert_eq!(normalize_username("1ana"), None);
        assert_eq!(normalize_username("ana lopez"), None);
        assert_eq!(normalize_username("añá"), None);
    }

    #[test]
    fn masks_hide_all_but_a_hint() {
        assert_eq!(mask("GAMA800101HDFRRN09", 4), "GAMA••••••••••••••");
        assert_eq!(mask_name("María Guadalupe López"), "M••• G••• L•••");
        assert_eq!(mask_email("maria@correo.mx"), "m•••@correo.mx");
    }
}
