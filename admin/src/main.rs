//! `caller-memory`: operator commands (see `caller-memory help`).

use std::process::ExitCode;

const USAGE: &str = "usage: caller-memory <command>
  replay            ingest every stored transcription not yet ingested (safe to repeat)
  pending           list the calls waiting for ingestion
  forget <number>   erase a caller's memories and stored payloads (E.164, e.g. +15551234567)
  export <number>   print everything stored about a caller, as JSON
Configuration comes from the environment and .env, as for post-call.";

#[tokio::main]
async fn main() -> ExitCode {
    shared::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, number) = match args.as_slice() {
        [c] if c == "replay" || c == "pending" => (c.as_str(), None),
        [c, n] if c == "forget" || c == "export" => (c.as_str(), Some(n.as_str())),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let env = shared::config::Env::load();
    let result = async {
        let config = shared::config::PostCallConfig::from_env(&env)?;
        let memory = shared::backends::memory_store(&config.common.memory).await?;
        let payloads = shared::backends::payload_store(&config.payloads).await;
        let admin = admin::Admin::new(config, memory, payloads);
        match (command, number) {
            ("replay", _) => Ok(serde_json::to_value(admin.replay().await?).unwrap_or_default()),
            ("pending", _) => admin.pending().await,
            ("forget", Some(n)) => admin.forget(n).await,
            (_, Some(n)) => admin.export(n).await,
            _ => unreachable!("arguments were matched above"),
        }
    }
    .await;
    match result {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("caller-memory {command}: {e}");
            ExitCode::FAILURE
        }
    }
}
