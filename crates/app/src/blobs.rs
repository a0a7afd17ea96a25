//! The blob store: where the documents members upload are kept, outside the database and the
//! web root, each under the lower-case hex SHA-256 of its content. Two members uploading the
//! same file share one blob; a blob is let go when no attachment points at it any more.
//!
//! One trait, two implementations: [`DirectoryBlobs`] (the default, a directory under the data
//! directory) and, with the `object-store` feature, [`ObjectStoreBlobs`] over any
//! `object_store` backend (S3-compatible storage in production).
//!
//! Files reach the store already staged on local disk by [`crate::uploads`] (hashed and checked
//! while they were written), so `put` only moves a finished file in; nothing ever holds a whole
//! file in memory.

use std::path::{Path, PathBuf};
use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

/// A blob's bytes as they are read, a piece at a time.
pub type BlobStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// How large the pieces of a blob read from disk are.
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
#[error("blob store: {0}")]
pub struct BlobError(pub String);

impl BlobError {
    fn io(what: &str, e: impl std::fmt::Display) -> BlobError {
        BlobError(format!("{what}: {e}"))
    }
}

/// The lower-case hex name of a blob.
pub fn blob_name(sha256: &[u8; 32]) -> String {
    hex::encode(sha256)
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// "directory" or "object_store", for the audit log and the start-up line.
    fn kind(&self) -> &'static str;
    /// Where uploads are staged before `put`: on the same file system as the blobs when the
    /// store is a directory, so that keeping a file is a rename.
    fn staging_dir(&self) -> &Path;
    /// Keeps the staged file (already synced to disk) as the blob `sha256`. The staged file is
    /// consumed; a blob already there is kept as it is.
    async fn put(&self, staged: &Path, sha256: &[u8; 32]) -> Result<(), BlobError>;
    /// The blob's bytes, `None` when there is no such blob.
    async fn get(&self, sha256: &[u8; 32]) -> Result<Option<BlobStream>, BlobError>;
    /// Lets a blob go; no error when it is already gone.
    async fn delete(&self, sha256: &[u8; 32]) -> Result<(), BlobError>;
    /// Whether the blob is there.
    async fn exists(&self, sha256: &[u8; 32]) -> Result<bool, BlobError>;
}

/// Blobs as files: `ROOT/ab/cd/abcd…` (two levels of 256 directories keep each small), staged
/// in `ROOT/.staging`. A blob is written whole before it gets its name (rename after fsync, then
/// the directory is synced), so a crash leaves either the whole blob or none.
#[derive(Clone, Debug)]
pub struct DirectoryBlobs {
    root: PathBuf,
    staging: PathBuf,
}

impl DirectoryBlobs {
    /// The store under `root`, created if needed.
    pub fn open(root: &Path) -> Result<DirectoryBlobs, BlobError> {
        let staging = root.join(".staging");
        std::fs::create_dir_all(&staging)
            .map_err(|e| BlobError::io(&format!("cannot create {}", staging.display()), e))?;
        Ok(DirectoryBlobs {
            root: root.to_owned(),
            staging,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &[u8; 32]) -> PathBuf {
        let name = blob_name(sha256);
        self.root.join(&name[0..2]).join(&name[2..4]).join(name)
    }
}

/// A stream of a file's bytes, `READ_CHUNK` at a time.
pub(crate) fn file_stream(file: tokio::fs::File) -> BlobStream {
    use tokio::io::AsyncReadExt;
    Box::pin(futures_util::stream::unfold(
        Some(file),
        |file| async move {
            let mut file = file?;
            let mut buf = vec![0u8; READ_CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

#[async_trait]
impl BlobStore for DirectoryBlobs {
    fn kind(&self) -> &'static str {
        "directory"
    }

    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn put(&self, staged: &Path, sha256: &[u8; 32]) -> Result<(), BlobError> {
        let target = self.path_of(sha256);
        let staged = staged.to_owned();
        tokio::task::spawn_blocking(move || {
            if target.exists() {
                // The same content is already kept.
                let _ = std::fs::remove_file(&staged);
                return Ok(());
            }
            let dir = target
                .parent()
                .ok_or_else(|| BlobError("blob path has no directory".into()))?;
            std::fs::create_dir_all(dir)
                .map_err(|e| BlobError::io("cannot create directory", e))?;
            std::fs::rename(&staged, &target).map_err(|e| BlobError::io("cannot keep blob", e))?;
            // The rename is durable only once the directory that holds the name is synced.
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| BlobError::io("cannot sync directory", e))
        })
        .await
        .map_err(|e| BlobError::io("blob task failed", e))?
    }

    async fn get(&self, sha256: &[u8; 32]) -> Result<Option<BlobStream>, BlobError> {
        match tokio::fs::File::open(self.path_of(sha256)).await {
            Ok(file) => Ok(Some(file_stream(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(BlobError::io("cannot open blob", e)),
        }
    }

    async fn delete(&self, sha256: &[u8; 32]) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path_of(sha256)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(BlobError::io("cannot delete blob", e)),
        }
    }

    async fn exists(&self, sha256: &[u8; 32]) -> Result<bool, BlobError> {
        tokio::fs::try_exists(self.path_of(sha256))
            .await
            .map_err(|e| BlobError::io("cannot look for blob", e))
    }
}

#[cfg(feature = "object-store")]
pub use object::ObjectStoreBlobs;

#[cfg(feature = "object-store")]
mod object {
    //! Blobs in an `object_store` backend: S3-compatible storage in production (configured by
    //! URL), the local file system or memory in tests. Uploads are staged on local disk first
    //! and sent in parts, so neither side holds a whole file.

    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use async_trait::async_trait;
    use futures_util::{StreamExt, TryStreamExt};
    use object_store::path::Path as ObjectPath;
    use object_store::{GetOptions, ObjectStore, PutMultipartOptions, WriteMultipart};
    use tokio::io::AsyncReadExt;

    use super::{BlobError, BlobStore, BlobStream, blob_name};

    /// Parts sent to the object store: S3 asks for at least 5 MiB per part but the last.
    const PART: usize = 5 * 1024 * 1024;

    pub struct ObjectStoreBlobs {
        store: Arc<dyn ObjectStore>,
        prefix: String,
        staging: PathBuf,
    }

    impl std::fmt::Debug for ObjectStoreBlobs {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("ObjectStoreBlobs")
                .field("store", &self.store.to_string())
                .field("prefix", &self.prefix)
                .finish()
        }
    }

    impl ObjectStoreBlobs {
        /// Blobs under `prefix` in `store`, staged in `staging` (created if needed).
        pub fn new(
            store: Arc<dyn ObjectStore>,
            prefix: &str,
            staging: &Path,
        ) -> Result<ObjectStoreBlobs, BlobError> {
            std::fs::create_dir_all(staging)
                .map_err(|e| BlobError::io(&format!("cannot create {}", staging.display()), e))?;
            Ok(ObjectStoreBlobs {
                store,
                prefix: prefix.trim_matches('/').to_owned(),
                staging: staging.to_owned(),
            })
        }

        /// The store named by a URL (`s3://bucket/prefix`, `file:///dir`, `memory:///`), with
        /// options from the environment (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT`, …).
        pub fn from_url(url: &str, staging: &Path) -> Result<ObjectStoreBlobs, BlobError> {
            let parsed =
                url::Url::parse(url).map_err(|e| BlobError::io("bad blob store URL", e))?;
            let options: Vec<(String, String)> = std::env::vars()
                .filter(|(k, _)| k.starts_with("AWS_"))
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect();
            let (store, prefix) = object_store::parse_url_opts(&parsed, options)
                .map_err(|e| BlobError::io("cannot open blob store", e))?;
            ObjectStoreBlobs::new(Arc::from(store), prefix.as_ref(), staging)
        }

        fn path_of(&self, sha256: &[u8; 32]) -> ObjectPath {
            let name = blob_name(sha256);
            if self.prefix.is_empty() {
                ObjectPath::from(name)
            } else {
                ObjectPath::from(format!("{}/{name}", self.prefix))
            }
        }
    }

    #[async_trait]
    impl BlobStore for ObjectStoreBlobs {
        fn kind(&self) -> &'static str {
            "object_store"
        }

        fn staging_dir(&self) -> &Path {
            &self.staging
        }

        async fn put(&self, staged: &Path, sha256: &[u8; 32]) -> Result<(), BlobError> {
            let location = self.path_of(sha256);
            if self.exists(sha256).await? {
                let _ = tokio::fs::remove_file(staged).await;
                return Ok(());
            }
            let mut file = tokio::fs::File::open(staged)
                .await
                .map_err(|e| BlobError::io("cannot open staged file", e))?;
            let upload = self
                .store
                .put_multipart_opts(&location, PutMultipartOptions::default())
                .await
                .map_err(|e| BlobError::io("cannot start upload", e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = match file.read(&mut buf).await {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = writer.abort().await;
                        return Err(BlobError::io("cannot read staged file", e));
                    }
                };
                if n == 0 {
                    break;
                }
                // At most a few parts in flight: memory stays bounded however large the file.
                writer
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| BlobError::io("upload failed", e))?;
                writer.write(&buf[..n]);
            }
            writer
                .finish()
                .await
                .map_err(|e| BlobError::io("cannot finish upload", e))?;
            let _ = tokio::fs::remove_file(staged).await;
            Ok(())
        }

        async fn get(&self, sha256: &[u8; 32]) -> Result<Option<BlobStream>, BlobError> {
            // The core trait's methods: their futures are `Send`, as `async_trait` needs.
            match self
                .store
                .get_opts(&self.path_of(sha256), GetOptions::default())
                .await
            {
                Ok(found) => Ok(Some(
                    found
                        .into_stream()
                        .map_err(|e| std::io::Error::other(e.to_string()))
                        .boxed(),
                )),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(BlobError::io("cannot read blob", e)),
            }
        }

        async fn delete(&self, sha256: &[u8; 32]) -> Result<(), BlobError> {
            let location = self.path_of(sha256);
            let mut deleted = self
                .store
                .delete_stream(futures_util::stream::once(async move { Ok(location) }).boxed());
            match deleted.next().await {
                None | Some(Ok(_)) | Some(Err(object_store::Error::NotFound { .. })) => Ok(()),
                Some(Err(e)) => Err(BlobError::io("cannot delete blob", e)),
            }
        }

        async fn exists(&self, sha256: &[u8; 32]) -> Result<bool, BlobError> {
            let head = GetOptions {
                head: true,
                ..GetOptions::default()
            };
            match self.store.get_opts(&self.path_of(sha256), head).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(BlobError::io("cannot look for blob", e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;
    use sha2::Digest;

    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vivienda-blobs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    async fn read_all(stream: BlobStream) -> Vec<u8> {
        stream
            .try_fold(Vec::new(), |mut all, chunk| async move {
                all.extend_from_slice(&chunk);
                Ok(all)
            })
            .await
            .unwrap()
    }

    /// What every implementation does: keep a staged file under its hash (once), read it back
    /// in pieces, let it go.
    async fn behaves_as_a_blob_store(blobs: &dyn BlobStore) {
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let sha: [u8; 32] = sha2::Sha256::digest(&content).into();
        assert!(!blobs.exists(&sha).await.unwrap());
        assert!(blobs.get(&sha).await.unwrap().is_none());
        for _ in 0..2 {
            let staged = blobs.staging_dir().join("upload-test");
            std::fs::write(&staged, &content).unwrap();
            blobs.put(&staged, &sha).await.unwrap();
            assert!(!staged.exists(), "the staged file is consumed");
        }
        assert!(blobs.exists(&sha).await.unwrap());
        let read = read_all(blobs.get(&sha).await.unwrap().unwrap()).await;
        assert_eq!(read, content);
        blobs.delete(&sha).await.unwrap();
        blobs.delete(&sha).await.unwrap();
        assert!(!blobs.exists(&sha).await.unwrap());
    }

    #[tokio::test]
    async fn a_directory_keeps_blobs_under_their_hash() {
        let dir = scratch("dir");
        let blobs = DirectoryBlobs::open(&dir).unwrap();
        behaves_as_a_blob_store(&blobs).await;
        let sha = [0xAB; 32];
        let staged = blobs.staging_dir().join("one");
        std::fs::write(&staged, b"x").unwrap();
        blobs.put(&staged, &sha).await.unwrap();
        let name = blob_name(&sha);
        assert!(dir.join("ab").join("ab").join(&name).is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(feature = "object-store")]
    #[tokio::test]
    async fn object_storage_keeps_blobs_under_their_hash() {
        use std::sync::Arc;
        let dir = scratch("memory");
        let memory = Arc::new(object_store::memory::InMemory::new());
        let blobs = ObjectStoreBlobs::new(memory, "documentos", &dir.join("staging")).unwrap();
        behaves_as_a_blob_store(&blobs).await;
        let local_root = dir.join("local");
        std::fs::create_dir_all(&local_root).unwrap();
        let local =
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&local_root).unwrap());
        let blobs = ObjectStoreBlobs::new(local, "documentos", &dir.join("staging")).unwrap();
        behaves_as_a_blob_store(&blobs).await;
        let by_url =
            ObjectStoreBlobs::from_url("memory:///documentos", &dir.join("staging")).unwrap();
        behaves_as_a_blob_store(&by_url).await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
