//! `vivienda`: the one binary. Parses the command line, layers the configuration, opens the
//! store and hands over to a command. A failure prints one clear line and exits non-zero.

mod cli;
mod commands;
mod config;
mod wiring;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc gives freed memory back where glibc's malloc kept it: every Argon2 verification
/// takes 19 MiB, and with glibc the server held on to about 600 MB after a burst of
/// sign-ins (docs/performance.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let config = match config::Config::load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vivienda: {e:#}");
            return ExitCode::from(2);
        }
    };
    wiring::init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vivienda: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vivienda: {e:#}");
            ExitCode::FAILURE
        }
    }
}
