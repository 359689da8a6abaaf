//! `bazaar`: the Bazaar server and its operator commands.

use clap::Parser;
use server::{cli, settings, telemetry};

/// mimalloc for Rust and (through its `override` feature) for SQLite's C code: less
/// CPU in malloc and less memory held by glibc's per-thread arenas than the system
/// allocator (BENCHMARKS.md, "Catalog import").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let settings = match settings::Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            cli::fail(&format!("configuration error: {e:#}"));
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_json);
    match cli::run(args, settings).await {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "bazaar failed");
            cli::fail(&format!("error: {e:#}"));
            std::process::ExitCode::FAILURE
        }
    }
}
