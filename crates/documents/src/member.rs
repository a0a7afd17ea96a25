//! The member as every document names them: full name, NSS, CURP and RFC.

use domain::registry::Member;
use serde::Serialize;

/// What a template reads of the member, for `member-fields` in `common.typ`.
#[derive(Serialize)]
pub(crate) struct MemberInput<'a> {
    name: String,
    nss: &'a str,
    curp: &'a str,
    rfc: &'a str,
}

impl<'a> MemberInput<'a> {
    pub(crate) fn new(member: &'a Member) -> MemberInput<'a> {
        MemberInput {
            name: member.person.full_name(),
            nss: member.person.nss.as_str(),
            curp: member.person.curp.as_str(),
            rfc: member.person.rfc.as_str(),
        }
    }
}
