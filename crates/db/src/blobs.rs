//! Blob storage for uploads (CSV imports now, product images later): a local folder
//! by default, or an S3-compatible bucket, behind the `object_store` crate.
//!
//! Everything streams: [`BlobStore::put_stream`] writes a multipart upload chunk by
//! chunk, [`BlobStore::get_stream`] and [`BlobReader`] read ranges, so a 1 GB file is
//! never held in memory.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// Size of the parts of a multipart upload (S3 needs at least 5 MiB per part).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts uploaded at once.
const PART_CONCURRENCY: usize = 2;
/// How much [`BlobReader`] fetches per range request.
const READ_CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// Where blobs go, from the environment (see the README's table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// A folder on the local disk.
    Local { root: std::path::PathBuf },
    /// An S3-compatible bucket; credentials come from the standard AWS variables.
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: Option<String>,
    },
}

/// Why a blob operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no such blob")]
    NotFound,
    /// The upload exceeded its size limit; nothing was stored.
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The data being uploaded could not be read (the client went away).
    #[error("reading the upload failed: {0}")]
    Source(String),
    #[error("blob store failed: {0}")]
    Store(#[from] object_store::Error),
    #[error("blob store misconfigured: {0}")]
    Config(String),
}

impl From<BlobError> for crate::Error {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::NotFound => crate::Error::NotFound("file"),
            other => crate::Error::Internal(other.to_string()),
        }
    }
}

/// The blob store. Cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    describe: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

fn key_path(key: &str) -> StorePath {
    StorePath::from(key)
}

fn map_not_found(e: object_store::Error) -> BlobError {
    match e {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        other => BlobError::Store(other),
    }
}

impl BlobStore {
    /// Opens the store `config` names (the local folder is created when missing).
    pub fn open(config: &BlobConfig) -> Result<BlobStore, BlobError> {
        match config {
            BlobConfig::Local { root } => BlobStore::local(root),
            BlobConfig::S3 {
                bucket,
                endpoint,
                region,
            } => {
                let mut builder =
                    object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(region) = region {
                    builder = builder.with_region(region);
                }
                let store = builder
                    .build()
                    .map_err(|e| BlobError::Config(e.to_string()))?;
                Ok(BlobStore {
                    store: Arc::new(store),
                    describe: format!("s3://{bucket}"),
                })
            }
        }
    }

    /// A store in a local folder.
    pub fn local(root: &Path) -> Result<BlobStore, BlobError> {
        std::fs::create_dir_all(root).map_err(|e| {
            BlobError::Config(format!("cannot create blob folder {}: {e}", root.display()))
        })?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .map_err(|e| BlobError::Config(e.to_string()))?
            .with_automatic_cleanup(true);
        Ok(BlobStore {
            store: Arc::new(store),
            describe: format!("local folder {}", root.display()),
        })
    }

    /// What the store is, for logs.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// Writes `source` under `key` as a multipart upload and returns its size. When
    /// the data passes `limit` bytes, or `source` fails, the upload is aborted and
    /// nothing is stored.
    pub async fn put_stream<S, E>(&self, key: &str, source: S, limit: u64) -> Result<u64, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let upload = self.store.put_multipart(&key_path(key)).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut size: u64 = 0;
        let mut source = std::pin::pin!(source);
        let failure = loop {
            let chunk = match source.next().await {
                None => break None,
                Some(Err(e)) => break Some(BlobError::Source(e.to_string())),
                Some(Ok(chunk)) => chunk,
            };
            size += chunk.len() as u64;
            if size > limit {
                break Some(BlobError::TooLarge { limit });
            }
            if let Err(e) = writer.wait_for_capacity(PART_CONCURRENCY).await {
                break Some(BlobError::Store(e));
            }
            writer.put(chunk);
        };
        match failure {
            None => {
                writer.finish().await?;
                Ok(size)
            }
            Some(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, key, "aborting a failed upload failed");
                }
                Err(e)
            }
        }
    }

    /// Writes a small blob in one request.
    pub async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<(), BlobError> {
        self.store.put(&key_path(key), bytes.into()).await?;
        Ok(())
    }

    /// Streams a blob.
    pub async fn get_stream(
        &self,
        key: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, BlobError>> + Send + 'static, BlobError> {
        let result = self
            .store
            .get(&key_path(key))
            .await
            .map_err(map_not_found)?;
        Ok(result.into_stream().map(|r| r.map_err(BlobError::Store)))
    }

    /// Reads bytes `range` of a blob.
    pub async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, BlobError> {
        self.store
            .get_range(&key_path(key), range)
            .await
            .map_err(map_not_found)
    }

    /// The size of a blob.
    pub async fn size(&self, key: &str) -> Result<u64, BlobError> {
        Ok(self
            .store
            .head(&key_path(key))
            .await
            .map_err(map_not_found)?
            .size)
    }

    /// Deletes a blob; deleting a missing blob is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&key_path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A blocking reader over a blob of `size` bytes, for parsers that want
    /// `std::io::Read`. Use it only on a blocking thread (`spawn_blocking`): it waits
    /// for range requests on `runtime`. The next range is fetched while the current
    /// one is parsed, and no connection stays open between reads, so a reader may
    /// sit idle (a paused import) as long as it likes.
    pub fn reader(&self, key: &str, size: u64, runtime: tokio::runtime::Handle) -> BlobReader {
        BlobReader {
            store: self.store.clone(),
            path: key_path(key),
            size,
            next_fetch: 0,
            current: Bytes::new(),
            ahead: None,
            runtime,
        }
    }
}

type Fetch = tokio::task::JoinHandle<Result<Bytes, object_store::Error>>;

/// A blocking, read-ahead reader over a blob (see [`BlobStore::reader`]).
pub struct BlobReader {
    store: Arc<dyn ObjectStore>,
    path: StorePath,
    size: u64,
    /// Where the next range request starts.
    next_fetch: u64,
    current: Bytes,
    ahead: Option<Fetch>,
    runtime: tokio::runtime::Handle,
}

impl BlobReader {
    fn start_fetch(&mut self) -> Option<Fetch> {
        if self.next_fetch >= self.size {
            return None;
        }
        let end = (self.next_fetch + READ_CHUNK_BYTES).min(self.size);
        let range = self.next_fetch..end;
        self.next_fetch = end;
        let store = self.store.clone();
        let path = self.path.clone();
        Some(
            self.runtime
                .spawn(async move { store.get_range(&path, range).await }),
        )
    }
}

impl io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.current.is_empty() {
            let fetch = match self.ahead.take() {
                Some(f) => Some(f),
                None => self.start_fetch(),
            };
            let Some(fetch) = fetch else {
                return Ok(0);
            };
            let bytes = self
                .runtime
                .block_on(fetch)
                .map_err(io::Error::other)?
                .map_err(io::Error::other)?;
            if bytes.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the stored file is shorter than recorded",
                ));
            }
            self.current = bytes;
            self.ahead = self.start_fetch();
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        if let Some(f) = self.ahead.take() {
            f.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn chunks(data: &[u8], size: usize) -> Vec<Result<Bytes, io::Error>> {
        data.chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_streamed_upload_reads_back_whole_and_by_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let data: Vec<u8> = (0..(READ_CHUNK_BYTES as usize * 2 + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let size = store
            .put_stream(
                "imports/a/b.csv",
                futures::stream::iter(chunks(&data, 64 * 1024)),
                u64::MAX,
            )
            .await
            .unwrap();
        assert_eq!(size, data.len() as u64);
        assert_eq!(store.size("imports/a/b.csv").await.unwrap(), size);
        assert_eq!(
            store.get_range("imports/a/b.csv", 10..20).await.unwrap(),
            &data[10..20]
        );
        let streamed: Vec<u8> = store
            .get_stream("imports/a/b.csv")
            .await
            .unwrap()
            .map(|c| c.unwrap().to_vec())
            .concat()
            .await;
        assert_eq!(streamed, data);
        let reader_store = store.clone();
        let handle = tokio::runtime::Handle::current();
        let read = tokio::task::spawn_blocking(move || {
            let mut r = reader_store.reader("imports/a/b.csv", size, handle);
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            out
        })
        .await
        .unwrap();
        assert_eq!(read, data);
        store.delete("imports/a/b.csv").await.unwrap();
        store.delete("imports/a/b.csv").await.unwrap();
        assert!(matches!(
            store.size("imports/a/b.csv").await,
            Err(BlobError::NotFound)
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_upload_over_the_limit_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let data = vec![b'x'; 100_000];
        let err = store
            .put_stream(
                "big.csv",
                futures::stream::iter(chunks(&data, 10_000)),
                50_000,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, BlobError::TooLarge { limit: 50_000 }));
        assert!(matches!(
            store.size("big.csv").await,
            Err(BlobError::NotFound)
        ));
        let failing = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"abc")),
            Err(io::Error::other("client went away")),
        ]);
        assert!(matches!(
            store.put_stream("cut.csv", failing, 1000).await,
            Err(BlobError::Source(_))
        ));
        assert!(store.size("cut.csv").await.is_err());
    }
}
