//! The version of the world and a bounded log of what each committed change set touched, so a
//! reader that keeps something derived from the world (a compiled reachability snapshot) can ask
//! which records changed since the version it was built at, and catch up instead of rebuilding.

use std::collections::VecDeque;

use vpcpeer_model::RecordKey;

/// How many change sets the emulator remembers.
pub const CHANGE_LOG_CAPACITY: usize = 4096;

/// What a reader gets with the world: its version, and the keys changed since the version asked
/// for (`None` when that version is too old for the log, from before a reset, or unknown: the
/// reader must rebuild from the world).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldChanges {
    /// Version of the world as read (bumped by every committed change set and by a reset).
    pub version: u64,
    /// Keys of the records changed since the version asked for, in commit order (repeats
    /// possible); `None`: rebuild.
    pub keys: Option<Vec<RecordKey>>,
}

/// The version counter and the last change sets' keys.
#[derive(Debug, Clone)]
pub struct ChangeLog {
    version: u64,
    /// Version just before the oldest change set still held.
    start: u64,
    sets: VecDeque<Vec<RecordKey>>,
    capacity: usize,
}

impl ChangeLog {
    /// An empty log at version 0 holding at most `capacity` change sets.
    pub fn new(capacity: usize) -> Self {
        ChangeLog {
            version: 0,
            start: 0,
            sets: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The current version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Records a committed change set; returns the new version.
    pub fn push(&mut self, keys: Vec<RecordKey>) -> u64 {
        self.version += 1;
        self.sets.push_back(keys);
        if self.sets.len() > self.capacity {
            self.sets.pop_front();
            self.start += 1;
        }
        self.version
    }

    /// The world was replaced wholesale: a new version that no earlier one can catch up to.
    pub fn reset(&mut self) -> u64 {
        self.version += 1;
        self.start = self.version;
        self.sets.clear();
        self.version
    }

    /// The keys changed after version `since` up to now; `None` when the log cannot tell.
    pub fn since(&self, since: u64) -> Option<Vec<RecordKey>> {
        if since < self.start || since > self.version {
            return None;
        }
        let skip = usize::try_from(since - self.start).ok()?;
        Some(self.sets.iter().skip(skip).flatten().cloned().collect())
    }

    /// [`WorldChanges`] for a reader at `since` (`None`: it has nothing yet).
    pub fn changes(&self, since: Option<u64>) -> WorldChanges {
        WorldChanges {
            version: self.version,
            keys: since.and_then(|v| self.since(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: &str) -> RecordKey {
        RecordKey {
            table: "vpc",
            id: id.into(),
        }
    }

    #[test]
    fn since_lists_later_sets_in_order() {
        let mut log = ChangeLog::new(8);
        assert_eq!(log.since(0), Some(vec![]));
        assert_eq!(log.push(vec![k("a")]), 1);
        assert_eq!(log.push(vec![k("b"), k("c")]), 2);
        assert_eq!(log.since(0), Some(vec![k("a"), k("b"), k("c")]));
        assert_eq!(log.since(1), Some(vec![k("b"), k("c")]));
        assert_eq!(log.since(2), Some(vec![]));
        assert_eq!(log.since(3), None, "a version from the future");
        assert_eq!(log.changes(None).keys, None);
        assert_eq!(log.changes(Some(1)).version, 2);
    }

    #[test]
    fn old_versions_fall_off_the_end() {
        let mut log = ChangeLog::new(2);
        for id in ["a", "b", "c"] {
            log.push(vec![k(id)]);
        }
        assert_eq!(log.since(0), None);
        assert_eq!(log.since(1), Some(vec![k("b"), k("c")]));
    }

    #[test]
    fn reset_cuts_every_earlier_version_off() {
        let mut log = ChangeLog::new(8);
        log.push(vec![k("a")]);
        let v = log.reset();
        assert_eq!(v, 2);
        assert_eq!(log.since(0), None);
        assert_eq!(log.since(1), None);
        assert_eq!(log.since(2), Some(vec![]));
        log.push(vec![k("d")]);
        assert_eq!(log.since(2), Some(vec![k("d")]));
    }
}
