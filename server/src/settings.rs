//! Configuration from environment variables (see the README's table).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    pub session_ttl_hours: i64,
    pub demo: bool,
    pub log_json: bool,
    pub db_max_connections: u32,
    /// The origin browsers use to reach Bazaar (`https://bazaar.example.com`), when a
    /// proxy rewrites the Host header. Defaults to the request's own Host.
    pub public_origin: Option<String>,
    /// Number of background workers.
    pub workers: usize,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_bool(name: &str, default: bool) -> anyhow::Result<bool> {
    match env(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => anyhow::bail!("{name} must be 1/0 or true/false, got {other:?}"),
    }
}

fn env_parse<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match env(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={v:?} is not valid: {e}")),
    }
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Settings> {
        let data_dir = PathBuf::from(env("BAZAAR_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = env("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/bazaar.db", data_dir.display()));
        let addr = env("BAZAAR_ADDR")
            .or_else(|| env("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr
            .parse()
            .map_err(|e| anyhow::anyhow!("BAZAAR_ADDR={addr:?} is not host:port: {e}"))?;
        Ok(Settings {
            database_url,
            addr,
            data_dir,
            secure_cookies: env_bool("BAZAAR_SECURE_COOKIES", false)?,
            session_ttl_hours: env_parse("BAZAAR_SESSION_TTL_HOURS", 168)?,
            demo: env_bool("BAZAAR_DEMO", true)?,
            log_json: env("BAZAAR_LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json")),
            db_max_connections: env_parse("BAZAAR_DB_MAX_CONNECTIONS", 10)?,
            public_origin: env("BAZAAR_PUBLIC_ORIGIN").map(|o| o.trim_end_matches('/').to_string()),
            workers: env_parse("BAZAAR_WORKERS", 2)?,
        })
    }
}
