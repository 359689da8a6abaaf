//! The command line: `serve` (default), `migrate`, `user create`, `api-key create`,
//! `channel-key create`, `ledger verify`.

use crate::settings::Settings;
use anyhow::Context;
use clap::{Parser, Subcommand};
use db::{Db, DbOptions};
use domain::accounts::Role;
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "bazaar",
    version,
    about = "Bazaar marketplace seller management"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server and background workers (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage seller API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Manage storefront channels' keys (they push orders and carrier events).
    ChannelKey {
        #[command(subcommand)]
        command: ChannelKeyCommand,
    },
    /// Ledger checks.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Recompute every balance from the postings and check the ledger balances; exits
    /// non-zero on any imbalance or drift.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum ChannelKeyCommand {
    /// Create a channel key; prints it once.
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. A seller user gets a new, active organisation.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The organisation's name (sellers only).
        #[arg(long)]
        seller_name: Option<String>,
        /// The organisation's INN (sellers only, optional).
        #[arg(long)]
        seller_inn: Option<String>,
        /// The person's display name.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create an API key for the seller of the user with this email; prints it once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// Writes a line for the operator on stdout (command output, not logging).
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Writes a line for the operator on stderr.
pub fn fail(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

pub async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(
        &settings.database_url,
        &DbOptions {
            max_connections: settings.db_max_connections,
            sqlite_cache_mb: settings.sqlite_cache_mb,
            ..DbOptions::default()
        },
    )
    .await
    .with_context(|| {
        format!(
            "cannot open the database ({})",
            redact(&settings.database_url)
        )
    })?;
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            crate::http::serve(settings).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            connect(&settings).await?;
            say("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    password,
                    role,
                    seller_name,
                    seller_inn,
                    name,
                },
        } => {
            let db = connect(&settings).await?;
            let input = db::accounts::NewUserInput {
                email: email.clone(),
                password,
                role,
                seller_name: seller_name.or_else(|| (role == Role::Seller).then(|| email.clone())),
                seller_inn,
                display_name: name,
            };
            match db::accounts::create_user_unchecked(&db, &input).await {
                Ok(id) => {
                    say(&format!("created {} user {email} ({id})", role.as_str()));
                    Ok(ExitCode::SUCCESS)
                }
                Err(db::Error::Validation(errors)) => {
                    for e in errors {
                        fail(&format!("{}: {}", e.field, e.message));
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::ApiKey {
            command: ApiKeyCommand::Create { email, name },
        } => {
            let db = connect(&settings).await?;
            let Some(principal) = db::accounts::principal_by_email(&db, &email).await? else {
                fail(&format!("no user with email {email}"));
                return Ok(ExitCode::from(2));
            };
            let ctx = match principal.seller() {
                Ok(ctx) => ctx,
                Err(_) => {
                    fail(&format!(
                        "{email} is not a seller user; API keys belong to sellers"
                    ));
                    return Ok(ExitCode::from(2));
                }
            };
            let (_, key) = db::auth::create_api_key(&db, &ctx, &name).await?;
            say(&key);
            Ok(ExitCode::SUCCESS)
        }
        Command::ChannelKey {
            command: ChannelKeyCommand::Create { name },
        } => {
            let db = connect(&settings).await?;
            match db::orders::channel_keys::create_channel_key(&db, None, &name).await {
                Ok((_, key)) => {
                    say(&key);
                    Ok(ExitCode::SUCCESS)
                }
                Err(db::Error::Validation(errors)) => {
                    for e in errors {
                        fail(&format!("{}: {}", e.field, e.message));
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Ledger {
            command: LedgerCommand::Verify,
        } => {
            let db = connect(&settings).await?;
            let report = db::ledger::verify::verify(&db).await?;
            say(&report.to_string());
            // The report lists every problem itself.
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(redact("sqlite://data/bazaar.db"), "sqlite://data/bazaar.db");
    }
}
