//! Product images on the server: fetching sellers' image URLs under the SSRF policy,
//! processing (in a blocking thread, under the media crate's limits), storing the
//! blobs, the upload endpoint shared by the REST API and the cabinet, and serving the
//! stored files at `/media/...` to their seller and to staff.
//!
//! Fetching (`image_fetch` jobs, one per URL image, see [`db::images`]):
//! - only http/https URLs whose host passes [`media::net_policy::parse_fetch_url`];
//! - host names are resolved by [`PolicyResolver`], which refuses loopback, private,
//!   link-local and metadata addresses ([`media::net_policy::check_resolved`]) and
//!   hands the checked addresses to the client, which connects to them: there is no
//!   second resolution an attacker's DNS could answer differently (DNS rebinding);
//! - redirects are followed by hand, at most [`MAX_REDIRECTS`], each target checked
//!   like the first URL;
//! - the response's `Content-Type` must be an image type or octet-stream
//!   ([`media::precheck_content_type`]); the body is read under the image size limit
//!   (a `Content-Length` over it is refused before reading) and the whole fetch under
//!   [`FETCH_TIMEOUT`];
//! - `BAZAAR_FETCH_ALLOW_HOSTS` lifts the address rules for the hosts it names (tests
//!   with a local server).
//!
//! Network failures are retried with backoff (3 attempts in all); a response that is
//! not an acceptable image fails the image at once with the reason in both languages.

use crate::state::AppState;
use crate::workers::Outcome;
use app::error::AppError;
use axum::Router;
use axum::body::Body;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::{Bytes, BytesMut};
use db::auth::SellerCtx;
use db::images::{ImageState, ProcessedMeta};
use db::jobs::ClaimedJob;
use domain::ids::{ImageId, SellerId};
use domain::{ErrorCode, FieldError, Locale};
use futures::StreamExt;
use media::net_policy::{FetchPolicy, check_resolved, parse_fetch_url, resolve_redirect};
use media::{Declared, ImagePolicy, MediaError, ProcessedImage};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Redirects followed per fetch.
pub const MAX_REDIRECTS: usize = 3;
/// The whole fetch (DNS, connect, redirects, body) must finish within this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The processing policy: the media crate's limits against bombs and oversize files,
/// but no minimum size or aspect ratio: those depend on the category and are checked
/// by moderation from the stored width and height.
pub fn processing_policy(max_bytes: u64) -> ImagePolicy {
    let mut policy = ImagePolicy::DEFAULT.with_min_size(1, 1);
    if let (Some(min), Some(max)) = (
        media::AspectRatio::new(1, 1000),
        media::AspectRatio::new(1000, 1),
    ) && let Some(range) = media::AspectRange::new(min, max)
    {
        policy = policy.with_aspect(range);
    }
    policy.max_file_bytes = max_bytes;
    policy
}

/// The URL the server gives an upload: `<public url>/media/<id>.jpg`.
pub fn upload_url(public_url: &str, id: ImageId) -> String {
    format!("{public_url}/media/{id}.jpg")
}

/// The URL of an image's thumbnail (300 px).
pub fn thumb_url(public_url: &str, id: ImageId) -> String {
    format!("{public_url}/media/{id}/thumb.jpg")
}

// ---------------------------------------------------------------------------------
// Fetching
// ---------------------------------------------------------------------------------

/// Resolves host names for the image fetcher and refuses internal addresses.
pub struct PolicyResolver {
    policy: Arc<FetchPolicy>,
}

impl PolicyResolver {
    pub fn new(policy: Arc<FetchPolicy>) -> Self {
        PolicyResolver { policy }
    }
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
            check_resolved(&host, &ips, &policy)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL, an address, the content type or the size broke a rule.
    #[error("{0}")]
    Media(MediaError),
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("the fetch took longer than {} s", FETCH_TIMEOUT.as_secs())]
    Timeout,
    #[error("network error: {0}")]
    Network(String),
}

impl FetchError {
    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Status(code) => *code >= 500 || *code == 429 || *code == 408,
            FetchError::Timeout | FetchError::Network(_) => true,
            FetchError::Media(MediaError::NoAddress { .. }) => true,
            FetchError::Media(_) | FetchError::TooManyRedirects => false,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            FetchError::Media(e) => e.code(),
            FetchError::Status(_) => "http_status",
            FetchError::TooManyRedirects => "too_many_redirects",
            FetchError::Timeout => "timeout",
            FetchError::Network(_) => "fetch_failed",
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        let ru = locale == Locale::Ru;
        match self {
            FetchError::Media(e) => e.message(locale),
            FetchError::Status(code) => {
                if ru {
                    format!("Сервер по ссылке ответил кодом {code}. Проверьте, что ссылка открывается в браузере и ведёт прямо на изображение.")
                } else {
                    format!("The server at the link answered with status {code}. Check that the link opens in a browser and leads straight to the image.")
                }
            }
            FetchError::TooManyRedirects => locale
                .pick(
                    "Ссылка перенаправляет больше трёх раз. Укажите прямую ссылку на изображение.",
                    "The link redirects more than three times. Give a direct link to the image.",
                )
                .to_owned(),
            FetchError::Timeout => locale
                .pick(
                    "Изображение не скачалось за 15 секунд. Проверьте ссылку или загрузите файл в кабинете.",
                    "The image did not download within 15 seconds. Check the link or upload the file in the cabinet.",
                )
                .to_owned(),
            FetchError::Network(_) => locale
                .pick(
                    "Не удалось скачать изображение: сервер по ссылке недоступен. Проверьте ссылку или загрузите файл в кабинете.",
                    "The image could not be downloaded: the server at the link cannot be reached. Check the link or upload the file in the cabinet.",
                )
                .to_owned(),
        }
    }
}

/// A fetched response body and what it said it was.
pub struct Fetched {
    pub bytes: Bytes,
    pub content_type: Option<String>,
    /// The URL the body came from (after redirects).
    pub final_url: String,
}

/// The HTTP client for image URLs, with its policy. One per process.
pub struct ImageFetcher {
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
    max_bytes: u64,
}

impl ImageFetcher {
    pub fn new(settings: &crate::settings::Settings) -> anyhow::Result<ImageFetcher> {
        let policy = Arc::new(FetchPolicy::from_allow_list(&settings.fetch_allow_hosts)?);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PolicyResolver::new(policy.clone())))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect to addresses we never checked.
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("Bazaar-image-fetcher/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the image fetcher's HTTP client: {e}"))?;
        Ok(ImageFetcher {
            client,
            policy,
            max_bytes: settings.image_max_bytes,
        })
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Fetches `url` under the policy (see the module docs).
    pub async fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(FETCH_TIMEOUT, self.fetch_inner(url)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }

    async fn fetch_inner(&self, url: &str) -> Result<Fetched, FetchError> {
        let mut target = parse_fetch_url(url, &self.policy).map_err(FetchError::Media)?;
        let mut redirects = 0;
        loop {
            let response = self
                .client
                .get(target.url().clone())
                .header(header::ACCEPT, "image/jpeg, image/png, image/webp")
                .send()
                .await
                .map_err(network_error)?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(FetchError::Status(status.as_u16()))?;
                if redirects == MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                redirects += 1;
                target =
                    resolve_redirect(&target, location, &self.policy).map_err(FetchError::Media)?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            media::precheck_content_type(content_type.as_deref()).map_err(FetchError::Media)?;
            let too_large = |size_bytes| {
                FetchError::Media(MediaError::TooLargeFile {
                    size_bytes,
                    max_bytes: self.max_bytes,
                })
            };
            if let Some(length) = response.content_length()
                && length > self.max_bytes
            {
                return Err(too_large(length));
            }
            let mut body = BytesMut::new();
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(network_error)?;
                if (body.len() + chunk.len()) as u64 > self.max_bytes {
                    return Err(too_large((body.len() + chunk.len()) as u64));
                }
                body.extend_from_slice(&chunk);
            }
            return Ok(Fetched {
                bytes: body.freeze(),
                content_type,
                final_url: target.as_str().to_string(),
            });
        }
    }
}

/// A client error, with the policy's refusal when the resolver refused an address.
fn network_error(e: reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(media) = err.downcast_ref::<MediaError>() {
            return FetchError::Media(media.clone());
        }
        source = err.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    FetchError::Network(e.to_string())
}

// ---------------------------------------------------------------------------------
// Processing and storage
// ---------------------------------------------------------------------------------

/// Checks and processes image bytes in a blocking thread.
pub async fn process(
    bytes: Bytes,
    content_type: Option<String>,
    file_name: Option<String>,
    max_bytes: u64,
) -> Result<(Bytes, ProcessedImage), MediaError> {
    let joined = tokio::task::spawn_blocking(move || {
        let declared = Declared::upload(file_name.as_deref(), content_type.as_deref());
        let processed = media::process(&bytes, &declared, &processing_policy(max_bytes));
        (bytes, processed)
    })
    .await;
    match joined {
        Ok((bytes, Ok(processed))) => Ok((bytes, processed)),
        Ok((_, Err(e))) => Err(e),
        Err(e) => Err(MediaError::DecodeFailed {
            format: media::Format::Jpeg,
            detail: format!("processing panicked: {e}"),
        }),
    }
}

/// The original as stored: the image without anything appended after it and without
/// metadata. JPEG loses its EXIF/XMP (APP1), other application segments and comments
/// (the colour profile, APP2, and the JFIF and Adobe segments, APP0 and APP14, stay:
/// they change how the pixels look); PNG loses its text, EXIF and time chunks. WebP is
/// kept as sent. A file whose structure is not as expected is kept whole (it decoded,
/// so nothing is lost but the stripping).
pub fn stripped_original(format: media::Format, image: &[u8]) -> Vec<u8> {
    let stripped = match format {
        media::Format::Jpeg => strip_jpeg(image),
        media::Format::Png => strip_png(image),
        _ => None,
    };
    stripped.unwrap_or_else(|| image.to_vec())
}

fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut i = 2;
    loop {
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let mut m = i + 1;
        while *bytes.get(m)? == 0xFF {
            m += 1;
        }
        let marker = bytes[m];
        if marker == 0xDA || marker == 0xD9 {
            // Start of scan (or an image with no scan): the rest is image data.
            out.extend_from_slice(&bytes[m - 1..]);
            return Some(out);
        }
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            out.extend_from_slice(&[0xFF, marker]);
            i = m + 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(m + 1)?, *bytes.get(m + 2)?]));
        let end = m + 1 + len;
        let segment = bytes.get(m - 1..end)?;
        let metadata =
            marker == 0xFE || ((0xE1..=0xEF).contains(&marker) && marker != 0xE2 && marker != 0xEE);
        if !metadata {
            out.extend_from_slice(segment);
        }
        i = end;
    }
}

fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if bytes.get(..8)? != SIGNATURE {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&SIGNATURE);
    let mut i = 8;
    while i < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(i..end)?;
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        i = end;
        if kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

/// Stores an image's original (see [`stripped_original`]) and its two derivatives
/// under `images/<seller>/<id>/`.
pub async fn store_blobs(
    blobs: &db::blobs::BlobStore,
    seller_id: SellerId,
    id: ImageId,
    bytes: &Bytes,
    processed: &ProcessedImage,
) -> Result<ProcessedMeta, db::blobs::BlobError> {
    let info = &processed.original;
    let original = Bytes::from(stripped_original(info.format, info.image_bytes(bytes)));
    let original_key = db::images::blob_key(
        seller_id,
        id,
        &format!("original.{}", info.format.extension()),
    );
    let large_key = db::images::blob_key(seller_id, id, "large.jpg");
    let thumb_key = db::images::blob_key(seller_id, id, "thumb.jpg");
    let size_bytes = original.len() as u64;
    blobs.put_bytes(&original_key, original).await?;
    blobs
        .put_bytes(&large_key, Bytes::from(processed.large.bytes.clone()))
        .await?;
    blobs
        .put_bytes(&thumb_key, Bytes::from(processed.thumb.bytes.clone()))
        .await?;
    Ok(ProcessedMeta {
        width: info.width,
        height: info.height,
        size_bytes,
        sha256: processed.sha256.clone(),
        dhash: processed.fingerprint.dhash.bits(),
        phash: processed.fingerprint.phash.bits(),
        original_key,
        large_key,
        thumb_key,
    })
}

// ---------------------------------------------------------------------------------
// The fetch job
// ---------------------------------------------------------------------------------

#[derive(serde::Deserialize)]
struct FetchPayload {
    image_id: String,
    seller_id: String,
}

/// Runs one `image_fetch` job: fetch, process, store, record. Safe to run twice (an
/// image that is no longer pending is left alone).
pub async fn run_fetch_job(state: &AppState, job: &ClaimedJob) -> Result<Outcome, String> {
    let payload: FetchPayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| format!("bad image_fetch payload: {e}"))?;
    let seller_id: SellerId = payload
        .seller_id
        .parse()
        .map_err(|e| format!("bad seller id in image_fetch payload: {e}"))?;
    let id: ImageId = payload
        .image_id
        .parse()
        .map_err(|e| format!("bad image id in image_fetch payload: {e}"))?;
    let image = match db::images::get(&state.db, seller_id, id).await {
        Ok(image) => image,
        Err(db::Error::NotFound(_)) => return Ok(Outcome::Done),
        Err(e) => return Err(e.to_string()),
    };
    if image.status != db::images::ImageStatus::Pending {
        return Ok(Outcome::Done);
    }
    db::images::note_attempt(&state.db, seller_id, id)
        .await
        .map_err(|e| e.to_string())?;
    let fail = |code: &'static str, ru: String, en: String| async move {
        tracing::info!(image.id = %id, code, "image failed");
        db::images::mark_failed(&state.db, seller_id, id, code, &ru, &en)
            .await
            .map(|()| Outcome::Done)
            .map_err(|e| e.to_string())
    };
    let own_media = format!("{}/media/", state.settings.public_url);
    if image.url.starts_with(&own_media) {
        // Our own upload URL that is not this seller's upload: never fetch ourselves.
        return fail(
            "not_your_upload",
            "Это ссылка на изображение, загруженное не в ваш кабинет. Загрузите файл сами.".into(),
            "This links to an image that was not uploaded to your account. Upload the file yourself.".into(),
        )
        .await;
    }
    let fetched = match state.images.fetch(&image.url).await {
        Ok(f) => f,
        Err(e) => {
            if e.is_retryable() && job.attempts < job.max_attempts {
                return Err(format!("fetching image {id}: {e}"));
            }
            return fail(e.code(), e.message(Locale::Ru), e.message(Locale::En)).await;
        }
    };
    tracing::debug!(image.id = %id, size_bytes = fetched.bytes.len(), url = %fetched.final_url, "image fetched");
    let declared_type = fetched.content_type.clone();
    let (bytes, processed) =
        match process(fetched.bytes, declared_type, None, state.images.max_bytes()).await {
            Ok(done) => done,
            Err(e) => return fail(e.code(), e.message(Locale::Ru), e.message(Locale::En)).await,
        };
    let meta = store_blobs(&state.blobs, seller_id, id, &bytes, &processed)
        .await
        .map_err(|e| format!("storing image {id}: {e}"))?;
    let duplicate = db::images::mark_ready(&state.db, seller_id, id, &meta)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(d) = duplicate {
        tracing::info!(image.id = %id, duplicate.kind = d.kind.as_str(), duplicate.distance = d.distance, "near-duplicate image");
    }
    Ok(Outcome::Done)
}

// ---------------------------------------------------------------------------------
// Upload and status (REST API and cabinet)
// ---------------------------------------------------------------------------------

/// An image as the seller sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageView {
    pub id: String,
    /// The URL to put into SKU content (`images`).
    pub url: String,
    /// `upload` or `url`.
    pub source: String,
    /// `pending`, `ready` or `failed`.
    pub status: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size_bytes: Option<u64>,
    /// The 300 px thumbnail, once ready.
    pub thumb_url: Option<String>,
    /// Why the image failed, when it did.
    pub error: Option<ImageErrorView>,
    /// A near-duplicate finding: `kind` is `other_seller` (resembles another seller's
    /// image) or `rejected_before` (resembles an image moderation rejected).
    pub duplicate: Option<DuplicateView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageErrorView {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicateView {
    pub kind: String,
    /// Differing bits of the 64-bit dHash (0 = the same picture).
    pub distance: u32,
}

impl ImageView {
    /// The seller's view: the duplicate's own id is left out (it may be another
    /// seller's image).
    pub fn of(state: &ImageState, public_url: &str, locale: Locale) -> ImageView {
        ImageView {
            id: state.id.to_string(),
            url: state.url.clone(),
            source: state.source.as_str().to_string(),
            status: state.status.as_str().to_string(),
            width: state.width,
            height: state.height,
            size_bytes: state.size_bytes,
            thumb_url: (state.status == db::images::ImageStatus::Ready)
                .then(|| thumb_url(public_url, state.id)),
            error: state.error_code.as_ref().map(|code| ImageErrorView {
                code: code.clone(),
                message: state.error_message(locale).unwrap_or_default().to_string(),
            }),
            duplicate: state.duplicate_kind.map(|kind| DuplicateView {
                kind: kind.as_str().to_string(),
                distance: state.duplicate_distance.unwrap_or_default(),
            }),
        }
    }
}

fn media_error(e: &MediaError, locale: Locale) -> AppError {
    if e.is_internal() {
        tracing::error!(error = %e, "image processing failed on our side");
        return AppError::internal();
    }
    let message = e.message(locale);
    AppError {
        code: e.error_code(),
        message: message.clone(),
        fields: vec![FieldError {
            field: "file".into(),
            code: e.code().into(),
            message,
        }],
    }
}

fn too_large(max_bytes: u64, locale: Locale) -> AppError {
    let e = MediaError::TooLargeFile {
        size_bytes: max_bytes + 1,
        max_bytes,
    };
    media_error(&e, locale)
}

/// Reads a body stream into memory, refusing it once it passes `max_bytes`.
async fn read_limited<S, E>(
    mut stream: S,
    max_bytes: u64,
    locale: Locale,
) -> Result<Bytes, AppError>
where
    S: futures::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut body = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::new(
                ErrorCode::Validation,
                format!("Reading the upload failed: {e}"),
            )
        })?;
        if (body.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large(max_bytes, locale));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

const RAW_IMAGE_TYPES: &[&str] = &[
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "image/png",
    "image/webp",
    "application/octet-stream",
];

/// Takes an image upload (raw body with an image content type, or multipart field
/// `file`), processes it at once and records it: `201` with the [`ImageView`].
pub async fn receive_upload(
    state: &AppState,
    ctx: &SellerCtx,
    locale: Locale,
    req: Request,
) -> Result<Response, AppError> {
    ctx.require_catalog_write()?;
    let max_bytes = state.settings.image_max_bytes;
    if let Some(length) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        // Multipart adds a few hundred bytes of its own around the file.
        && length > max_bytes + 64 * 1024
    {
        return Err(too_large(max_bytes, locale));
    }
    let mime = crate::files::request_mime(req.headers());
    let (bytes, declared_type, file_name) = if mime == "multipart/form-data" {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| crate::files::validation("file", "bad_multipart", e.body_text()))?;
        loop {
            let field = multipart
                .next_field()
                .await
                .map_err(|e| crate::files::validation("file", "bad_multipart", e.body_text()))?;
            let Some(field) = field else {
                return Err(crate::files::validation(
                    "file",
                    "required",
                    "Send the image in the multipart field `file`",
                ));
            };
            if field.name() != Some("file") {
                continue;
            }
            let file_name = field.file_name().map(str::to_string);
            let declared = field.content_type().map(str::to_string);
            let bytes = read_limited(field, max_bytes, locale).await?;
            break (bytes, declared, file_name);
        }
    } else if RAW_IMAGE_TYPES.contains(&mime.as_str()) {
        let bytes = read_limited(req.into_body().into_data_stream(), max_bytes, locale).await?;
        (bytes, Some(mime), None)
    } else {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the image as the body with Content-Type image/jpeg, image/png or image/webp, or as multipart field `file`",
        ));
    };
    let (bytes, processed) = process(bytes, declared_type, file_name, max_bytes)
        .await
        .map_err(|e| media_error(&e, locale))?;
    let seller_id = ctx.seller_id();
    let id = db::images::new_image_id();
    let meta = store_blobs(&state.blobs, seller_id, id, &bytes, &processed)
        .await
        .map_err(|e| AppError::from(db::Error::from(e)))?;
    let url = upload_url(&state.settings.public_url, id);
    let image = db::images::record_upload(&state.db, seller_id, id, &url, &meta).await?;
    tracing::info!(image.id = %id, seller.id = %seller_id, size_bytes = meta.size_bytes, "image uploaded");
    let view = ImageView::of(&image, &state.settings.public_url, locale);
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// One of the seller's images, as JSON.
pub async fn image_status(
    state: &AppState,
    ctx: &SellerCtx,
    locale: Locale,
    id: &str,
) -> Result<Response, AppError> {
    let id: ImageId = id
        .parse()
        .map_err(|_| AppError::new(ErrorCode::NotFound, "No such image"))?;
    let image = db::images::get(&state.db, ctx.seller_id(), id).await?;
    let mut res =
        axum::Json(ImageView::of(&image, &state.settings.public_url, locale)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

// ---------------------------------------------------------------------------------
// Serving the stored files
// ---------------------------------------------------------------------------------

/// Who asks for a stored image: a seller (session or API key) or staff.
pub enum Viewer {
    Seller(SellerId),
    Moderator(db::auth::ModeratorCtx),
    Admin(db::auth::AdminCtx),
    Nobody,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(value) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        {
            let key = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .unwrap_or_default()
                .trim();
            return Ok(match db::auth::api_key_seller(&state.db, key).await? {
                Some(ctx) => Viewer::Seller(ctx.seller_id()),
                None => Viewer::Nobody,
            });
        }
        let jar = axum_extra::extract::cookie::CookieJar::from_headers(&parts.headers);
        let Some(token) = jar
            .get(app::ssr::SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| !t.is_empty())
        else {
            return Ok(Viewer::Nobody);
        };
        let Some(principal) = db::auth::session_principal(&state.db, &token).await? else {
            return Ok(Viewer::Nobody);
        };
        if let Ok(ctx) = principal.seller() {
            return Ok(Viewer::Seller(ctx.seller_id()));
        }
        if let Ok(m) = principal.moderator() {
            return Ok(Viewer::Moderator(m));
        }
        if let Ok(a) = principal.admin() {
            return Ok(Viewer::Admin(a));
        }
        Ok(Viewer::Nobody)
    }
}

/// `/media/<id>.jpg` (1200 px), `/media/<id>/thumb.jpg` (300 px) and
/// `/media/<id>/original`: for the owning seller and for moderators and admins;
/// `404` for everyone else.
pub fn media_router() -> Router<AppState> {
    Router::new()
        .route("/media/{file}", get(media_large))
        .route("/media/{id}/{variant}", get(media_variant))
}

#[derive(Clone, Copy)]
enum Variant {
    Large,
    Thumb,
    Original,
}

async fn media_large(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let id = file.strip_suffix(".jpg").unwrap_or("");
    serve(&state, viewer, id, Variant::Large).await
}

async fn media_variant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, variant)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let variant = match variant.as_str() {
        "thumb.jpg" => Variant::Thumb,
        "original" => Variant::Original,
        "large.jpg" => Variant::Large,
        _ => return Err(not_found()),
    };
    serve(&state, viewer, &id, variant).await
}

fn not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "No such image")
}

async fn serve(
    state: &AppState,
    viewer: Viewer,
    id: &str,
    variant: Variant,
) -> Result<Response, AppError> {
    let id: ImageId = id.parse().map_err(|_| not_found())?;
    let found = match &viewer {
        Viewer::Seller(seller_id) => db::images::blobs_for_seller(&state.db, *seller_id, id).await,
        Viewer::Moderator(m) => {
            db::images::blobs_for_staff(&state.db, db::images::Staff::Moderator(m), id).await
        }
        Viewer::Admin(a) => {
            db::images::blobs_for_staff(&state.db, db::images::Staff::Admin(a), id).await
        }
        Viewer::Nobody => return Err(not_found()),
    };
    let blobs = match found {
        Ok(b) => b,
        Err(db::Error::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let (key, content_type) = match variant {
        Variant::Large => (blobs.large_key, "image/jpeg"),
        Variant::Thumb => (blobs.thumb_key, "image/jpeg"),
        Variant::Original => {
            let content_type = match blobs.original_key.rsplit('.').next() {
                Some("png") => "image/png",
                Some("webp") => "image/webp",
                _ => "image/jpeg",
            };
            (blobs.original_key, content_type)
        }
    };
    let stream = match state.blobs.get_stream(&key).await {
        Ok(s) => s,
        Err(db::blobs::BlobError::NotFound) => return Err(not_found()),
        Err(e) => return Err(db::Error::from(e).into()),
    };
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A stored file never changes under its id; `private`: only this viewer may see it.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{id}\"")) {
        h.insert(header::ETAG, etag);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    #[tokio::test]
    async fn the_resolver_refuses_internal_names_and_addresses() {
        let resolver = PolicyResolver::new(Arc::new(FetchPolicy::strict()));
        let name: reqwest::dns::Name = "localhost".parse().unwrap_or_else(|_| panic!("name"));
        assert!(resolver.resolve(name).await.is_err());
        let allowing = PolicyResolver::new(Arc::new(
            FetchPolicy::from_allow_list("localhost").unwrap_or_else(|e| panic!("{e}")),
        ));
        let name: reqwest::dns::Name = "localhost".parse().unwrap_or_else(|_| panic!("name"));
        let addrs: Vec<SocketAddr> = allowing
            .resolve(name)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }

    #[test]
    fn jpeg_metadata_is_stripped_and_the_image_kept() {
        // SOI, APP0 (kept), APP1 "Exif" (dropped), COM (dropped), APP2 (kept), SOS...EOI.
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x04, b'J', b'F']);
        jpeg.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x06, b'E', b'x', b'i', b'f']);
        jpeg.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x04, b'h', b'i']);
        jpeg.extend_from_slice(&[0xFF, 0xE2, 0x00, 0x04, b'I', b'C']);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 1, 2, 3, 0xFF, 0xD9]);
        let out = stripped_original(media::Format::Jpeg, &jpeg);
        let mut expected = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, b'J', b'F'];
        expected.extend_from_slice(&[0xFF, 0xE2, 0x00, 0x04, b'I', b'C']);
        expected.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 1, 2, 3, 0xFF, 0xD9]);
        assert_eq!(out, expected);
        // Garbage is kept whole.
        assert_eq!(stripped_original(media::Format::Jpeg, b"xx"), b"xx");
    }

    #[test]
    fn processing_accepts_small_images_but_keeps_the_limits() {
        let p = processing_policy(1000);
        assert_eq!((p.min_width, p.min_height), (1, 1));
        assert_eq!(p.max_file_bytes, 1000);
        assert_eq!(p.max_alloc_bytes, ImagePolicy::DEFAULT.max_alloc_bytes);
    }
}
