//! The command log: `GET /_vpcpeer/log?since=N&limit=M` lists the commands the emulator committed
//! after sequence number `N` (default 0), oldest first, at most `M` (default 1,000, at most
//! 10,000). Each entry carries what a replay needs: the time the command ran, the caller's
//! account and region, the ids it drew, and the command itself.
//!
//! `POST /_vpcpeer/replay` applies such entries to another server (or the same one after a
//! reset): a scenario recorded once can be rebuilt exactly.
//!
//! The command's shape is the model's (`vpcpeer_model::Command`: `{"aws": {"CreatePeering":
//! {…}}}` and so on); this crate leaves it generic so that a client that only lists the log can
//! read it as any JSON value.

use serde::{Deserialize, Serialize};

/// `GET /_vpcpeer/log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogAnswer<C> {
    /// The entries after `since`, oldest first.
    pub entries: Vec<LogEntry<C>>,
    /// The oldest sequence number the server still holds (entries before it were dropped: the
    /// log is bounded, and a reset or a reload from the store empties it). A client that asked
    /// for entries since a number below `first - 1` missed some.
    pub first: u64,
    /// The newest sequence number given so far (0: none). Ask again with `since=last`.
    pub last: u64,
}

/// One committed command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry<C> {
    /// The caller's account (AWS account, GCP project, Azure subscription).
    pub account: String,
    /// When it ran, emulator time, ISO-8601 with milliseconds.
    pub at: String,
    /// When it ran, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The command.
    pub command: C,
    /// The ids it drew, in order (17 hex digits each).
    pub ids: Vec<String>,
    /// The caller's region (AWS region, GCP region or zone's region, Azure location) as the
    /// request gave it.
    pub region: String,
    /// Its place in the log.
    pub seq: u64,
}

/// Body of `POST /_vpcpeer/replay`: entries of a command log, applied in order, each as its
/// logged caller at its logged time with its logged ids (`at_ms` is used; `at`, `seq` and any
/// other field are ignored, so a `GET /_vpcpeer/log` answer can be posted as it is). All or
/// nothing: `409` with an [`ErrorAnswer`](crate::ErrorAnswer) naming the first entry refused (or
/// whose replay drew other ids than recorded), and nothing applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayRequest<C> {
    /// The entries, oldest first.
    pub entries: Vec<LogEntry<C>>,
}

/// `POST /_vpcpeer/replay`: how many entries were applied (all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayAnswer {
    /// Entries applied.
    pub applied: usize,
}

/// One event of `GET /_vpcpeer/events` (`text/event-stream`, event name `change`): where the
/// emulator is. The first is sent at once, then one each time the command log, the world's
/// version or the clock's offset moves (a burst of commits may be one event). A client
/// refreshes what it shows on each; the command log (`since=seq` of the previous event) says
/// what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// The emulator's clock, ISO-8601 with milliseconds.
    pub now: String,
    /// The emulator's clock, milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The command log's newest sequence number ([`LogAnswer::last`]).
    pub seq: u64,
    /// The world's version: moves on every change applied, also those the command log does not
    /// show (a reset, a change the store failed and that was undone).
    pub version: u64,
}
