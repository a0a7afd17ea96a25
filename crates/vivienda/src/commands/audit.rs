//! `vivienda audit ledger`.

use std::process::ExitCode;

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
