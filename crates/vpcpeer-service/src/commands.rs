//! The command log: every committed command, in the order it was applied to the world, with
//! what a replay needs to reproduce it exactly — the time it ran, the caller's scope and the ids
//! it drew. A command enters the log only once the store has made it durable (the writer
//! pushes it, in commit order), so a command the store failed, and undid, never appears.
//!
//! The log is in memory and bounded ([`COMMAND_LOG_CAPACITY`] entries); sequence numbers start
//! at 1 when the server starts and never repeat while it runs. A reset or a reload from the store
//! empties it (the world it described is gone) but keeps the numbering, so a reader asking for
//! entries since `N` can tell from [`LogPage::first`] that it missed some.

use std::collections::VecDeque;

use vpcpeer_model::{Command, Scope, Timestamp};

/// How many committed commands the log keeps: an entry is about 0.5 KB (336 bytes inline plus
/// its ids and strings), so the log stays near 5 MB however long the server runs.
pub const COMMAND_LOG_CAPACITY: usize = 10_000;

/// One committed command.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedCommand {
    /// Its place in the log (1, 2, …).
    pub seq: u64,
    /// The emulator time it ran at.
    pub at: Timestamp,
    /// The caller's account and region.
    pub scope: Scope,
    /// The ids it drew ([`IdGen::hex17`](vpcpeer_model::IdGen::hex17) values), in order.
    pub ids: Vec<String>,
    /// The command.
    pub command: Command,
}

/// A command waiting in the writer's queue to enter the log once durable.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) at: Timestamp,
    pub(crate) scope: Scope,
    pub(crate) ids: Vec<String>,
    pub(crate) command: Command,
}

/// The entries after a sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPage {
    /// The oldest sequence number still held (the next one to be given when the log is empty).
    /// Entries before it were dropped (capacity, reset or reload): a reader that asked for
    /// entries since a number below `first - 1` missed some.
    pub first: u64,
    /// The newest sequence number given (0: none yet).
    pub last: u64,
    /// The entries with `seq > since`, oldest first, at most the number asked for.
    pub entries: Vec<LoggedCommand>,
}

/// The bounded log.
#[derive(Debug)]
pub(crate) struct CommandLog {
    next: u64,
    entries: VecDeque<LoggedCommand>,
    capacity: usize,
}

impl CommandLog {
    pub(crate) fn new(capacity: usize) -> Self {
        CommandLog {
            next: 1,
            entries: VecDeque::new(),
            capacity,
        }
    }

    pub(crate) fn push(&mut self, p: Pending) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(LoggedCommand {
            seq: self.next,
            at: p.at,
            scope: p.scope,
            ids: p.ids,
            command: p.command,
        });
        self.next += 1;
    }

    /// Forgets every entry (the world they built is gone), keeping the numbering.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    pub(crate) fn since(&self, since: u64, limit: usize) -> LogPage {
        let first = self.entries.front().map_or(self.next, |e| e.seq);
        // Sequence numbers are consecutive inside the deque.
        let skip =
            usize::try_from(since.saturating_add(1).saturating_sub(first)).unwrap_or(usize::MAX);
        LogPage {
            first,
            last: self.next - 1,
            entries: self
                .entries
                .iter()
                .skip(skip)
                .take(limit)
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(n: u8) -> Pending {
        Pending {
            at: Timestamp(i64::from(n)),
            scope: Scope::new("111122223333", "us-east-1"),
            ids: vec![format!("{n:017x}")],
            command: Command::Aws(vpcpeer_model::aws::Command::DeletePeering {
                id: format!("pcx-{n:017x}"),
            }),
        }
    }

    #[test]
    fn since_pages_and_reports_what_was_dropped() {
        let mut log = CommandLog::new(3);
        let empty = log.since(0, 10);
        assert_eq!((empty.first, empty.last, empty.entries.len()), (1, 0, 0));
        for n in 1..=5 {
            log.push(pending(n));
        }
        // Capacity 3: 1 and 2 were dropped.
        let page = log.since(0, 10);
        assert_eq!((page.first, page.last), (3, 5));
        assert_eq!(
            page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 4, 5]
        );
        let page = log.since(3, 1);
        assert_eq!(page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [4]);
        assert!(log.since(5, 10).entries.is_empty());
        assert!(log.since(99, 10).entries.is_empty());
        log.clear();
        let page = log.since(0, 10);
        assert_eq!((page.first, page.last, page.entries.len()), (6, 5, 0));
        log.push(pending(6));
        assert_eq!(log.since(5, 10).entries[0].seq, 6);
    }
}
