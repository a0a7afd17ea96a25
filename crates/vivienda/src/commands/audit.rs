//! `vivienda audit ledger` and `vivienda audit verify`.

use std::process::ExitCode;

use store::AuditVerdict;

use crate::config::Config;
use crate::wiring;

pub async fn ledger(config: &Config) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let check = store.check_ledger().await?;
    if check.mismatches.is_empty() {
        println!(
            "ledger ok: {} balances equal the sum of their movements",
            check.balances_checked
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "ledger broken: {} of {} balances checked disagree (first ones below)",
        check.mismatches.len(),
        check.balances_checked
    );
    for m in &check.mismatches {
        println!(
            "  member {} {}: stored {} but movements add up to {}",
            m.member_id.0,
            m.bucket.code(),
            m.stored,
            m.sum_of_movements
        );
    }
    Ok(ExitCode::FAILURE)
}

pub async fn verify(config: &Config) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    match store.verify_audit().await? {
        AuditVerdict::Intact(totals) => {
            println!(
                "audit log ok: {} entries in {} chains",
                totals.total,
                totals.per_chain.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        // The link cannot tell an edited entry from a removed one (a gap, or a chain's head
        // naming an entry that is gone), so the line names both.
        AuditVerdict::Broken(link) => {
            println!(
                "audit log broken: chain {}, entry {} (position {}) does not follow from the one \
                 before, or was removed",
                link.chain, link.entry_id, link.position
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
