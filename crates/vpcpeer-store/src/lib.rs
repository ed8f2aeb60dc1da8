//! The storage boundary of vpcpeer.
//!
//! A [`Store`] keeps the persisted records of the emulated world and applies batches of
//! [`ChangeSet`]s atomically. Backends: [`MemStore`] here (for `--ephemeral` and tests), SQLite in
//! `vpcpeer-store-sqlite` (the embedded default), and a shared PostgreSQL in
//! `vpcpeer-store-postgres`, whose commit log (by sequence number) is the start of letting
//! replicas tail each other's changes.
//!
//! This crate does no I/O. The stored form of records ([`encode`]/[`decode`], versioned by
//! [`FORMAT_VERSION`]) is defined in [`persist`], apart from the domain types, so every backend
//! persists the same bytes and a change of the model changes none of them unnoticed.

use std::collections::BTreeMap;
use std::sync::Mutex;

use vpcpeer_model::{ChangeSet, Record};

pub mod persist;

pub use persist::{check_version, decode, encode, FORMAT_VERSION};

/// A storage failure. Never caused by a client; the server reports it as an internal error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (disk, database).
    #[error("storage backend failed: {0}")]
    Backend(String),
    /// A stored record could not be decoded.
    #[error("stored record {table}/{id} is corrupt: {reason}")]
    Corrupt {
        /// Table tag.
        table: String,
        /// Record id.
        id: String,
        /// Decoder message.
        reason: String,
    },
    /// The data is in a stored form this build does not read (see [`persist`]): written by a
    /// newer vpcpeer, or by an older one with no upgrade path.
    #[error(
        "data format version {found} is not supported: this vpcpeer reads and writes format \
         version {FORMAT_VERSION}{}",
        if *found > FORMAT_VERSION { " (the data was written by a newer vpcpeer; use that release or later)" } else { "" }
    )]
    Version {
        /// Version found.
        found: u32,
    },
    /// The write may or may not have been applied: the connection was lost while the backend was
    /// committing it, and the store could not find out which. The store resolves it when it can
    /// (for PostgreSQL: on reconnecting, from its commit log) and then answers
    /// [`StoreError::Stale`] if the write was applied after all.
    #[error("the outcome of the write is unknown: {0}")]
    InDoubt(String),
    /// The store holds changes this process has not loaded (a write in doubt was applied after
    /// all, or another writer changed it), so the write asked for was not applied. The caller
    /// must [`Store::load`] again before it writes; until then every write answers this.
    #[error("the store holds changes this process has not loaded; reload it: {0}")]
    Stale(String),
}

/// Everything a store holds: records, small metadata values, and the last commit number.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// All records.
    pub records: Vec<Record>,
    /// Metadata (e.g. the emulator clock's offset).
    pub meta: BTreeMap<String, String>,
    /// Sequence number of the last commit.
    pub seq: u64,
}

/// A durable home for the world's records.
///
/// Failures: a write that returns an error other than [`StoreError::InDoubt`] was not applied
/// at all (each write is atomic), so the caller may take its in-memory change back. A backend
/// that can lose its connection re-establishes it on a later call; until then every call fails.
pub trait Store: Send + Sync {
    /// Reads everything. A successful load also ends a [`StoreError::Stale`] condition.
    fn load(&self) -> Result<Snapshot, StoreError>;
    /// Applies several change sets (in order) atomically and durably; returns the new sequence
    /// number. When this returns `Ok`, the changes survive a crash of the process.
    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError>;
    /// Sets a metadata value durably.
    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Deletes every record and metadata value.
    fn clear(&self) -> Result<(), StoreError>;
    /// Checks, without changing anything a [`load`](Store::load) returns, that a write would
    /// succeed now (reconnecting first if the backend lost its connection). The service calls it
    /// while it is degraded, to notice when the store is back.
    fn ping(&self) -> Result<(), StoreError>;
}

/// A store that keeps nothing beyond the process (`--ephemeral`), but honours the contract.
/// Commits cost O(changes · log n): records live in one ordered map.
#[derive(Debug, Default)]
pub struct MemStore {
    inner: Mutex<MemInner>,
}

#[derive(Debug, Default)]
struct MemInner {
    records: BTreeMap<(&'static str, String), Record>,
    meta: BTreeMap<String, String>,
    seq: u64,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let s = self.inner.lock().expect("poisoned");
        Ok(Snapshot {
            records: s.records.values().cloned().collect(),
            meta: s.meta.clone(),
            seq: s.seq,
        })
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let mut s = self.inner.lock().expect("poisoned");
        for batch in batches {
            for change in batch.iter() {
                let k = (change.key.table, change.key.id.clone());
                match &change.value {
                    Some(r) => {
                        s.records.insert(k, r.clone());
                    }
                    None => {
                        s.records.remove(&k);
                    }
                }
            }
        }
        s.seq += 1;
        Ok(s.seq)
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.inner
            .lock()
            .expect("poisoned")
            .meta
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.inner.lock().expect("poisoned") = MemInner::default();
        Ok(())
    }

    fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The last value of each record a commit of `batches` writes, by table and id: a later change
/// set (or a later change in one) wins over an earlier one, so a store writes each key once.
pub fn latest<'a>(
    batches: &[&'a ChangeSet],
) -> BTreeMap<(&'static str, &'a str), Option<&'a Record>> {
    let mut last = BTreeMap::new();
    for change in batches.iter().flat_map(|b| b.iter()) {
        last.insert(
            (change.key.table, change.key.id.as_str()),
            change.value.as_ref(),
        );
    }
    last
}

pub mod conformance;
