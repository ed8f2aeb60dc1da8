//! A [`Store`] for tests that fails on demand: it wraps a [`MemStore`] (the truth the emulator
//! must end up equal to) and can be switched down, fail one chosen commit call, answer
//! [`StoreError::Stale`] or [`StoreError::InDoubt`] once, and hold a commit until the test lets
//! it go (to make several requests queue up behind it and be grouped).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use vpcpeer_model::ChangeSet;
use vpcpeer_store::{MemStore, Snapshot, Store, StoreError};

/// How the next failing call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An ordinary backend error (nothing applied).
    Backend,
    /// The outcome is unknown (connection lost during COMMIT); nothing applied here.
    InDoubt,
    /// The outcome is unknown, and it was in fact applied: as PostgreSQL does, the store then
    /// answers `Stale` to writes and pings until it is loaded again.
    InDoubtApplied,
    /// The store changed behind the emulator.
    Stale,
}

#[derive(Default)]
pub(crate) struct FaultyStore {
    /// The records, meta and sequence number the store really holds.
    pub(crate) inner: MemStore,
    /// Every call fails while set.
    pub(crate) down: AtomicBool,
    /// Commit calls so far.
    pub(crate) commit_calls: AtomicUsize,
    /// The number of change sets in each commit call that reached the inner store.
    pub(crate) committed_groups: Mutex<Vec<usize>>,
    /// Pings so far.
    pub(crate) pings: AtomicUsize,
    /// Fails the commit call with this number (1-based), once.
    fail_commit_call: Mutex<Option<(usize, Failure)>>,
    /// Fails the next metadata write / clear, once.
    pub(crate) fail_meta: AtomicBool,
    pub(crate) fail_clear: AtomicBool,
    /// Set by a commit in doubt that was applied; cleared by `load`.
    stale: AtomicBool,
    /// When set, the next commit call tells the test it started and waits for a release.
    hold: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

/// The test's side of a held commit.
pub(crate) struct Held {
    /// Receives once the writer is inside the held commit.
    pub(crate) entered: mpsc::Receiver<()>,
    /// Send to let it go on.
    pub(crate) release: mpsc::Sender<()>,
}

impl FaultyStore {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Fails commit call number `n` (counting from 1 over the store's life) with `how`.
    pub(crate) fn fail_commit_call(&self, n: usize, how: Failure) {
        *self.fail_commit_call.lock().expect("lock") = Some((n, how));
    }

    /// Fails the next commit call with `how`.
    pub(crate) fn fail_next_commit(&self, how: Failure) {
        self.fail_commit_call(self.commit_calls.load(Ordering::SeqCst) + 1, how);
    }

    /// Holds the next commit call until the test releases it.
    pub(crate) fn hold_next_commit(&self) -> Held {
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *self.hold.lock().expect("lock") = Some((entered_tx, release_rx));
        Held { entered, release }
    }

    fn check_down(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Backend("the test store is down".into()))
        } else {
            Ok(())
        }
    }

    fn check_stale(&self) -> Result<(), StoreError> {
        if self.stale.load(Ordering::SeqCst) {
            Err(StoreError::Stale(
                "injected: a commit in doubt was applied".into(),
            ))
        } else {
            Ok(())
        }
    }
}

fn error(how: Failure) -> StoreError {
    match how {
        Failure::Backend => StoreError::Backend("injected failure".into()),
        Failure::InDoubt | Failure::InDoubtApplied => {
            StoreError::InDoubt("injected: connection lost during COMMIT".into())
        }
        Failure::Stale => StoreError::Stale("injected: another writer".into()),
    }
}

impl Store for FaultyStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        self.check_down()?;
        let snap = self.inner.load()?;
        self.stale.store(false, Ordering::SeqCst);
        Ok(snap)
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let n = self.commit_calls.fetch_add(1, Ordering::SeqCst) + 1;
        let held = self.hold.lock().expect("lock").take();
        if let Some((entered, release)) = held {
            let _ = entered.send(());
            let _ = release.recv();
        }
        self.check_down()?;
        self.check_stale()?;
        let mut fail = self.fail_commit_call.lock().expect("lock");
        if let Some((at, how)) = *fail {
            if at == n {
                *fail = None;
                if how == Failure::InDoubtApplied {
                    self.inner.commit(batches)?;
                    self.stale.store(true, Ordering::SeqCst);
                }
                return Err(error(how));
            }
        }
        drop(fail);
        let seq = self.inner.commit(batches)?;
        self.committed_groups
            .lock()
            .expect("lock")
            .push(batches.len());
        Ok(seq)
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_down()?;
        if self.fail_meta.swap(false, Ordering::SeqCst) {
            return Err(error(Failure::Backend));
        }
        self.inner.put_meta(key, value)
    }

    fn clear(&self) -> Result<(), StoreError> {
        self.check_down()?;
        if self.fail_clear.swap(false, Ordering::SeqCst) {
            return Err(error(Failure::Backend));
        }
        self.inner.clear()
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.pings.fetch_add(1, Ordering::SeqCst);
        self.check_down()?;
        self.check_stale()
    }
}

#[test]
fn the_faulty_store_conforms_when_it_is_up() {
    vpcpeer_store::conformance::run(&|| Box::new(FaultyStore::new()));
}
