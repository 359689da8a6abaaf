//! Configuration from environment variables (see the README's table).

use db::blobs::BlobConfig;
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
    /// SQLite's page cache, MB (`BAZAAR_SQLITE_CACHE_MB`, default 256; see
    /// `db::DbOptions::sqlite_cache_mb`). Ignored on PostgreSQL.
    pub sqlite_cache_mb: u64,
    /// The origin browsers use to reach Bazaar (`https://bazaar.example.com`), when a
    /// proxy rewrites the Host header. Defaults to the request's own Host.
    pub public_origin: Option<String>,
    /// Number of background workers.
    pub workers: usize,
    /// Where uploaded files (CSV imports) are kept while they are processed.
    pub blobs: BlobConfig,
    /// The largest accepted upload, in bytes.
    pub max_upload_bytes: u64,
    /// The largest accepted product image (upload or fetched URL), in bytes
    /// (`BAZAAR_IMAGE_MAX_BYTES`, default 20 MiB).
    pub image_max_bytes: u64,
    /// Hosts and addresses the image fetcher may reach although they are loopback,
    /// private or otherwise internal (`BAZAAR_FETCH_ALLOW_HOSTS`, comma-separated,
    /// e.g. `127.0.0.1` for tests with their own local server). Empty: none.
    pub fetch_allow_hosts: String,
    /// The address sellers and buyers reach Bazaar at, without a trailing slash
    /// (`BAZAAR_PUBLIC_URL`, else `BAZAAR_PUBLIC_ORIGIN`, else `http://127.0.0.1:3000`).
    /// Uploaded images get URLs under it: `<public url>/media/<id>.jpg`.
    pub public_url: String,
    /// The moderation rules (`BAZAAR_MODERATION_*`, see [`moderation_rules`]).
    pub moderation: domain::moderation::RulesConfig,
    /// Shipping deadlines and automatic penalties (`BAZAAR_SHIP_HOURS_*`,
    /// `BAZAAR_PENALTY_*`, see [`order_rules`]).
    pub orders: db::orders::OrderRules,
    /// The payment provider's webhook secret (`BAZAAR_PAYMENT_WEBHOOK_SECRET`); unset:
    /// payment events are refused.
    pub payment_webhook_secret: Option<String>,
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
            data_dir: data_dir.clone(),
            secure_cookies: env_bool("BAZAAR_SECURE_COOKIES", false)?,
            session_ttl_hours: env_parse("BAZAAR_SESSION_TTL_HOURS", 168)?,
            demo: env_bool("BAZAAR_DEMO", true)?,
            log_json: env("BAZAAR_LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json")),
            db_max_connections: env_parse("BAZAAR_DB_MAX_CONNECTIONS", 10)?,
            sqlite_cache_mb: env_parse("BAZAAR_SQLITE_CACHE_MB", 256)?,
            public_origin: env("BAZAAR_PUBLIC_ORIGIN").map(|o| o.trim_end_matches('/').to_string()),
            workers: env_parse("BAZAAR_WORKERS", 2)?,
            blobs: blob_config(env("BAZAAR_BLOB_URL").as_deref(), &data_dir)?,
            max_upload_bytes: env_parse("BAZAAR_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)?,
            image_max_bytes: env_parse("BAZAAR_IMAGE_MAX_BYTES", DEFAULT_IMAGE_MAX_BYTES)?,
            fetch_allow_hosts: {
                let list = env(media::net_policy::ALLOW_HOSTS_ENV).unwrap_or_default();
                media::net_policy::FetchPolicy::from_allow_list(&list)?;
                list
            },
            public_url: env("BAZAAR_PUBLIC_URL")
                .or_else(|| env("BAZAAR_PUBLIC_ORIGIN"))
                .unwrap_or_else(|| DEFAULT_PUBLIC_URL.into())
                .trim_end_matches('/')
                .to_string(),
            moderation: moderation_rules()?,
            orders: order_rules()?,
            payment_webhook_secret: env("BAZAAR_PAYMENT_WEBHOOK_SECRET"),
        })
    }
}

/// The moderation rules from the environment; unset values keep the defaults of
/// [`domain::moderation::RulesConfig`].
pub fn moderation_rules() -> anyhow::Result<domain::moderation::RulesConfig> {
    let d = domain::moderation::RulesConfig::default();
    Ok(domain::moderation::RulesConfig {
        auto_approve_trusted: env_bool("BAZAAR_MODERATION_AUTO_APPROVE", d.auto_approve_trusted)?,
        trusted_min_approved: env_parse(
            "BAZAAR_MODERATION_TRUSTED_MIN_APPROVED",
            d.trusted_min_approved,
        )?,
        trust_window_days: env_parse("BAZAAR_MODERATION_TRUST_WINDOW_DAYS", d.trust_window_days)?,
        resubmissions_first: env_bool(
            "BAZAAR_MODERATION_RESUBMISSIONS_FIRST",
            d.resubmissions_first,
        )?,
        trusted_first: env_bool("BAZAAR_MODERATION_TRUSTED_FIRST", d.trusted_first)?,
        bulk_imports_last: env_bool("BAZAAR_MODERATION_BULK_LAST", d.bulk_imports_last)?,
        sla_hours: env_parse("BAZAAR_MODERATION_SLA_HOURS", d.sla_hours)?,
        price_outlier_factor: env_parse("BAZAAR_MODERATION_PRICE_FACTOR", d.price_outlier_factor)?,
        price_min_sample: d.price_min_sample,
        image_min_side: env_parse("BAZAAR_IMAGE_MIN_SIDE", d.image_min_side)?,
        image_max_aspect_tenths: d.image_max_aspect_tenths,
    })
}

/// Shipping deadlines and automatic penalties from the environment; unset values keep
/// the defaults of [`db::orders::OrderRules`]. Penalties are a share of the shipment
/// in basis points, clamped to a minimum and maximum in kopecks.
pub fn order_rules() -> anyhow::Result<db::orders::OrderRules> {
    use domain::ledger::{BasisPoints, PenaltyAmountRule};
    let d = db::orders::OrderRules::default();
    let rule = |prefix: &str, default: PenaltyAmountRule| -> anyhow::Result<PenaltyAmountRule> {
        let PenaltyAmountRule::PercentOfShipment {
            rate,
            min_minor,
            max_minor,
        } = default
        else {
            return Ok(default);
        };
        let bps: u32 = env_parse(&format!("{prefix}_BPS"), rate.bps())?;
        Ok(PenaltyAmountRule::PercentOfShipment {
            rate: BasisPoints::new(bps).map_err(|e| anyhow::anyhow!("{prefix}_BPS: {e}"))?,
            min_minor: env_parse(&format!("{prefix}_MIN_MINOR"), min_minor)?,
            max_minor: Some(env_parse(
                &format!("{prefix}_MAX_MINOR"),
                max_minor.unwrap_or(i64::MAX),
            )?),
        })
    };
    Ok(db::orders::OrderRules {
        deadlines: domain::orders::ShippingDeadlines {
            fbs_hours: env_parse("BAZAAR_SHIP_HOURS_FBS", d.deadlines.fbs_hours)?,
            fbo_hours: env_parse("BAZAAR_SHIP_HOURS_FBO", d.deadlines.fbo_hours)?,
            pickup_hours: env_parse("BAZAAR_SHIP_HOURS_PICKUP", d.deadlines.pickup_hours)?,
        },
        penalties: domain::ledger::PenaltyPolicy {
            currency: d.penalties.currency,
            late_shipment: rule("BAZAAR_PENALTY_LATE", d.penalties.late_shipment)?,
            seller_cancellation: rule("BAZAAR_PENALTY_CANCEL", d.penalties.seller_cancellation)?,
        },
    })
}

/// 20 MiB: a full-resolution phone photo fits.
pub const DEFAULT_IMAGE_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// Where a development server listens.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3000";

/// 2 GiB: a million-row catalog with long descriptions fits.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The blob store named by `BAZAAR_BLOB_URL`: unset → `$BAZAAR_DATA_DIR/blobs`;
/// `s3://bucket` → an S3-compatible bucket (endpoint from `BAZAAR_BLOB_ENDPOINT` or
/// `AWS_ENDPOINT`, region from `AWS_REGION`/`AWS_DEFAULT_REGION`, credentials from
/// the standard `AWS_*` variables); `file:///path` or a plain path → that folder.
pub fn blob_config(url: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<BlobConfig> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(BlobConfig::Local {
            root: data_dir.join("blobs"),
        });
    };
    if let Some(rest) = url.strip_prefix("s3://") {
        let bucket = rest.trim_end_matches('/');
        if bucket.is_empty() || bucket.contains('/') {
            anyhow::bail!(
                "BAZAAR_BLOB_URL={url:?}: write s3://<bucket> (no path after the bucket)"
            );
        }
        return Ok(BlobConfig::S3 {
            bucket: bucket.to_string(),
            endpoint: env("BAZAAR_BLOB_ENDPOINT").or_else(|| env("AWS_ENDPOINT")),
            region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
        });
    }
    if let Some(path) = url.strip_prefix("file://") {
        return Ok(BlobConfig::Local { root: path.into() });
    }
    if url.contains("://") {
        anyhow::bail!("BAZAAR_BLOB_URL={url:?}: use s3://<bucket>, file:///path or a folder path");
    }
    Ok(BlobConfig::Local { root: url.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn blob_urls_name_a_folder_or_a_bucket() {
        let data = Path::new("data");
        assert_eq!(
            blob_config(None, data).unwrap_or_else(|e| panic!("{e}")),
            BlobConfig::Local {
                root: "data/blobs".into()
            }
        );
        assert_eq!(
            blob_config(Some("file:///srv/blobs"), data).unwrap_or_else(|e| panic!("{e}")),
            BlobConfig::Local {
                root: "/srv/blobs".into()
            }
        );
        assert!(matches!(
            blob_config(Some("s3://bazaar-uploads"), data),
            Ok(BlobConfig::S3 { bucket, .. }) if bucket == "bazaar-uploads"
        ));
        assert!(blob_config(Some("s3://b/x"), data).is_err());
        assert!(blob_config(Some("ftp://x"), data).is_err());
    }
}
