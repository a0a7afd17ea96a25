//! `vivienda bench import`: writes registry files with ROWS ledger rows (100 per member), then
//! imports them into a fresh database of the configured kind — a temporary SQLite file, or a
//! scratch schema in the configured PostgreSQL — and prints rows/s for each file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use domain::bimester::Bimester;
use store::{ImportKind, Store};

use crate::config::Config;
use crate::wiring;

const ROWS_PER_MEMBER: u64 = 100;

pub async fn import(
    config: &Config,
    rows: u64,
    write_only: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let dir = write_only.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("vivienda-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let members = rows.div_ceil(ROWS_PER_MEMBER).max(1);
    println!(
        "writing {members} members and {rows} contribution rows to {}",
        dir.display()
    );
    let people = write_files(&dir, u32::try_from(members)?, rows, &tables)?;
    if write_only.is_some() {
        return Ok(ExitCode::SUCCESS);
    }

    let url = config.database_url.trim();
    let mut scratch_schema = None;
    let (store, engine): (Arc<dyn Store>, String) = if wiring::is_postgres(url) {
        let schema = format!("vivienda_bench_{}", std::process::id());
        let store = store_postgres::PgStore::connect_with_schema(url, &schema).await?;
        scratch_schema = Some(store.clone());
        (Arc::new(store), format!("PostgreSQL (schema {schema})"))
    } else {
        let path = dir.join("bench.db");
        let store = store_sqlite::SqliteStore::open(&path)?;
        (Arc::new(store), format!("SQLite ({})", path.display()))
    };
    println!("importing into {engine}");
    let outcome = run_imports(store.as_ref(), &dir, people).await;
    // The scratch schema and files go whether the run succeeded or not.
    drop(store);
    if let Some(pg) = scratch_schema {
        pg.drop_own_schema().await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    outcome.map(|()| ExitCode::SUCCESS)
}

async fn run_imports(store: &dyn Store, dir: &Path, people: u32) -> anyhow::Result<()> {
    let messages = wiring::messages()?;
    for (kind, file) in [
        (ImportKind::Members, "members.csv"),
        (ImportKind::Employers, "employers.csv"),
        (ImportKind::Contributions, "contributions.csv"),
    ] {
        let report =
            app::import::import_file(store, kind, &dir.join(file), &messages, &mut |_| {}).await?;
        anyhow::ensure!(
            report.totals.rejected == 0,
            "{file}: {} rows rejected, see {}",
            report.totals.rejected,
            dir.display()
        );
        println!(
            "{:<18} {:>9} rows in {:>6.2} s = {:>9.0} rows/s",
            file,
            report.rows,
            report.elapsed.as_secs_f64(),
            report.rows_per_second()
        );
    }
    let check = store.check_ledger().await?;
    anyhow::ensure!(
        check.mismatches.is_empty(),
        "the ledger check failed after the import"
    );
    println!(
        "ledger check: {} balances ok ({people} members)",
        check.balances_checked
    );
    Ok(())
}

fn write_files(
    dir: &Path,
    members: u32,
    rows: u64,
    tables: &domain::reference::ReferenceTables,
) -> anyhow::Result<u32> {
    let until = time::macros::date!(2025 - 06 - 30);
    let population = synth::Config {
        members,
        seed: 7,
        until,
    };
    let create = |name: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(std::io::BufWriter::with_capacity(1 << 20, file))
    };
    let mut employers = create("employers.csv")?;
    writeln!(employers, "nrp,name,state,sector")?;
    let employer_list = synth::employers(&population);
    for e in &employer_list {
        writeln!(employers, "{},{},{},{}", e.nrp, e.name, e.state.0, e.sector)?;
    }
    employers.flush()?;
    let mut people = create("members.csv")?;
    writeln!(
        people,
        "{}",
        app::import::header(ImportKind::Members).join(",")
    )?;
    let mut contributions = create("contributions.csv")?;
    writeln!(
        contributions,
        "{}",
        app::import::header(ImportKind::Contributions).join(",")
    )?;
    let mut written = 0u64;
    for i in 0..members {
        let p = synth::member(&population, tables, i)?.person;
        writeln!(
            people,
            "{},{},{},{},{},{},{},{},{}",
            p.nss,
            p.curp,
            p.rfc,
            p.first_surname,
            p.second_surname,
            p.given_names,
            domain::dates::iso(p.birth_date),
            p.sex.letter(),
            p.state.0
        )?;
        let nrp = &employer_list[i as usize % employer_list.len()].nrp;
        let mut b = Bimester::new(2009, 1)?;
        for k in 0..ROWS_PER_MEMBER {
            if written == rows {
                break;
            }
            let amount = 800 + (u64::from(i) * 31 + k * 17) % 4_000;
            let booked = b.last_day() + time::Duration::days(17);
            writeln!(
                contributions,
                "{},{},{},{}.{:02},{}",
                p.nss,
                nrp,
                b,
                amount,
                k % 100,
                domain::dates::iso(booked)
            )?;
            written += 1;
            b = b.next();
        }
    }
    people.flush()?;
    contributions.flush()?;
    Ok(members)
}
