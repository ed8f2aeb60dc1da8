//! Transactions over the [`World`]: every mutation goes through a [`Tx`], which keeps an undo log.
//! A command that fails is rolled back whole; one that succeeds yields the [`ChangeSet`] to persist.
//!
//! A `Tx` that is dropped without [`Tx::commit`] rolls back, also while a panic unwinds through
//! it, so a command that panics half way leaves the world (records and derived indexes) as it
//! found it. [`Tx::commit_with_undo`] also hands back the [`Undo`] of a committed change set, for a
//! caller that may still have to take it back (the service, when the store fails to persist it).

use std::collections::BTreeSet;

use crate::world::Token;
use crate::{Entity, IdGen, Limits, Record, RecordKey, Scope, Timestamp, World};

/// Who is calling, when, and with which id source and quotas.
pub struct Ctx<'a> {
    /// The caller's account and region.
    pub scope: Scope,
    /// The emulator's current time.
    pub now: Timestamp,
    /// Fresh ids.
    pub ids: &'a mut dyn IdGen,
    /// Quotas in force.
    pub limits: &'a Limits,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("scope", &self.scope)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// One changed record: its new value, or `None` when deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Which record.
    pub key: RecordKey,
    /// Its value after the transaction.
    pub value: Option<Record>,
}

/// The records a committed transaction changed.
pub type ChangeSet = Vec<Change>;

/// What takes a committed change set back: the value every record it touched had before (`None`:
/// the record did not exist), in the order they were first touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undo {
    old: Vec<(RecordKey, Option<Record>)>,
}

impl Undo {
    /// The keys it restores.
    pub fn keys(&self) -> impl Iterator<Item = &RecordKey> {
        self.old.iter().map(|(k, _)| k)
    }

    /// Whether it restores nothing.
    pub fn is_empty(&self) -> bool {
        self.old.is_empty()
    }

    /// Puts every record it names back as it was (in reverse order), keeping the world's indexes
    /// in step. Applied to the world the change set left behind (or to a world where only later
    /// change sets, already undone, came after it), it gives the world from before.
    pub fn apply(self, world: &mut World) {
        for (key, old) in self.old.into_iter().rev() {
            match old {
                Some(r) => r.insert_into(world),
                None => world.remove_key(&key),
            }
        }
    }
}

/// A transaction: the world, the caller's context, and an undo log. Dropped without
/// [`commit`](Tx::commit), it rolls back.
pub struct Tx<'w, 'c> {
    world: &'w mut World,
    /// The caller's context.
    pub ctx: Ctx<'c>,
    undo: Vec<(RecordKey, Option<Record>)>,
    touched: BTreeSet<RecordKey>,
}

impl std::fmt::Debug for Tx<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("ctx", &self.ctx)
            .field("touched", &self.touched.len())
            .finish_non_exhaustive()
    }
}

impl<'w, 'c> Tx<'w, 'c> {
    /// Starts a transaction.
    pub fn new(world: &'w mut World, ctx: Ctx<'c>) -> Self {
        Tx {
            world,
            ctx,
            undo: Vec::new(),
            touched: BTreeSet::new(),
        }
    }

    /// Read access to the world as the transaction sees it.
    pub fn world(&self) -> &World {
        self.world
    }

    /// The caller's scope.
    pub fn scope(&self) -> &Scope {
        &self.ctx.scope
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.ctx.now
    }

    /// A fresh id with `prefix`.
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.ctx.ids.id(prefix)
    }

    fn remember<R: Entity>(&mut self, id: &str) {
        let key = RecordKey {
            table: R::TABLE,
            id: id.to_owned(),
        };
        if self.touched.insert(key.clone()) {
            let old = R::table(self.world).get(id).cloned().map(R::into_record);
            self.undo.push((key, old));
        }
    }

    /// Looks a record up.
    pub fn get<R: Entity>(&self, id: &str) -> Option<&R> {
        R::table(self.world).get(id)
    }

    /// Inserts or replaces a record.
    pub fn put<R: Entity>(&mut self, record: R) {
        let id = record.id().to_owned();
        self.remember::<R>(&id);
        let old = R::table_mut(self.world, Token(())).insert(id.clone(), record);
        R::reindex(self.world, &id, old.as_ref(), Token(()));
    }

    /// Mutable access to a record, logged for undo.
    pub fn get_mut<R: Entity>(&mut self, id: &str) -> Option<&mut R> {
        if !R::table(self.world).contains_key(id) {
            return None;
        }
        self.remember::<R>(id);
        R::table_mut(self.world, Token(())).get_mut(id)
    }

    /// Removes a record.
    pub fn remove<R: Entity>(&mut self, id: &str) -> Option<R> {
        if !R::table(self.world).contains_key(id) {
            return None;
        }
        self.remember::<R>(id);
        let old = R::table_mut(self.world, Token(())).remove(id);
        R::reindex(self.world, id, old.as_ref(), Token(()));
        old
    }

    /// Whether the transaction changed anything so far.
    pub fn is_dirty(&self) -> bool {
        !self.touched.is_empty()
    }

    /// Undoes every change.
    pub fn rollback(mut self) {
        self.undo_all();
    }

    fn undo_all(&mut self) {
        self.touched.clear();
        let undo = Undo {
            old: std::mem::take(&mut self.undo),
        };
        undo.apply(self.world);
    }

    /// Keeps the changes and returns them.
    pub fn commit(self) -> ChangeSet {
        self.commit_with_undo().0
    }

    /// Keeps the changes and returns them, with what takes them back. Records changed in place
    /// ([`Tx::get_mut`]) are reindexed here.
    pub fn commit_with_undo(mut self) -> (ChangeSet, Undo) {
        let touched = std::mem::take(&mut self.touched);
        let undo = Undo {
            old: std::mem::take(&mut self.undo),
        };
        for (key, old) in &undo.old {
            self.world.reindex_record(key, old.as_ref());
        }
        let changes = touched
            .into_iter()
            .map(|key| {
                let value = self.world.record(&key);
                Change { key, value }
            })
            .collect();
        (changes, undo)
    }
}

/// The drop guard: a transaction that was neither committed nor rolled back (an early return, a
/// `?` that skipped the commit, a panic unwinding through the command) is rolled back here.
impl Drop for Tx<'_, '_> {
    fn drop(&mut self) {
        if !self.undo.is_empty() {
            self.undo_all();
        }
    }
}

#[cfg(test)]
#[path = "tx_tests.rs"]
mod tests;
