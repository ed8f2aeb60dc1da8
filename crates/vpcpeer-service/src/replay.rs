//! Replaying logged commands: each applied as its logged caller, at its logged time, drawing its
//! logged ids, so the world ends as the world the log was taken from did (from the same start).
//! A run is all or nothing in memory: if one entry is refused, or draws other ids than the log
//! recorded (the replay diverged), every entry applied before it is undone and nothing is
//! written. Otherwise each entry is committed as the command it is (and enters this emulator's
//! command log) and the replay answers once all are durable.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use tokio::sync::oneshot;
use vpcpeer_model::{
    Command, CommandError, Ctx, RecordingIds, Scope, ScriptedIds, Timestamp, Tx, Undo, World,
};

use crate::commands::Pending;
use crate::writer::{Msg, Op};
use crate::{panic_message, Emulator, ServiceError, State};

/// One command to replay, as the log recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayEntry {
    /// The caller's account and region.
    pub scope: Scope,
    /// The time it ran.
    pub at: Timestamp,
    /// The ids it drew.
    pub ids: Vec<String>,
    /// The command.
    pub command: Command,
}

/// Why a replay was refused (nothing of it was applied).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// An entry was refused by its cloud's rules: the world is not the one the log started from.
    #[error("entry {index} was refused: {error}")]
    Refused {
        /// Its place in the request (0-based).
        index: usize,
        /// The refusal.
        error: Box<CommandError>,
    },
    /// An entry drew a different number of ids than the log recorded: the replay diverged.
    #[error(
        "entry {index} drew {drawn} ids where the log recorded {recorded}: the replay diverged"
    )]
    Diverged {
        /// Its place in the request (0-based).
        index: usize,
        /// Ids drawn by the replay.
        drawn: usize,
        /// Ids the log recorded.
        recorded: usize,
    },
}

/// An entry applied in memory, not yet sent to the writer.
struct Applied {
    changes: vpcpeer_model::ChangeSet,
    undo: Undo,
    pending: Pending,
}

/// How applying one entry ended, when it did not succeed.
enum Stop {
    Refused(ReplayError),
    Panicked(String),
}

fn apply_one(
    world: &mut World,
    limits: &vpcpeer_model::Limits,
    index: usize,
    e: ReplayEntry,
) -> Result<Applied, Stop> {
    let recorded = e.ids.len();
    let mut script = ScriptedIds::new(e.ids);
    let mut recording = RecordingIds::new(&mut script);
    let ctx = Ctx {
        scope: e.scope.clone(),
        now: e.at,
        ids: &mut recording,
        limits,
    };
    let mut tx = Tx::new(world, ctx);
    let command = e.command.clone();
    match catch_unwind(AssertUnwindSafe(|| command.apply(&mut tx))) {
        Err(payload) => {
            tx.rollback();
            Err(Stop::Panicked(panic_message(payload.as_ref())))
        }
        Ok(Err(error)) => {
            tx.rollback();
            Err(Stop::Refused(ReplayError::Refused {
                index,
                error: Box::new(error),
            }))
        }
        Ok(Ok(())) => {
            let (changes, undo) = tx.commit_with_undo();
            let drawn = recording.into_drawn();
            if drawn.len() != recorded {
                undo.apply(world);
                return Err(Stop::Refused(ReplayError::Diverged {
                    index,
                    drawn: drawn.len(),
                    recorded,
                }));
            }
            Ok(Applied {
                changes,
                undo,
                pending: Pending {
                    at: e.at,
                    scope: e.scope,
                    ids: drawn,
                    command: e.command,
                },
            })
        }
    }
}

impl Emulator {
    /// Replays `entries` in order (see the module doc): the number applied, or why none was.
    pub async fn replay(
        &self,
        entries: Vec<ReplayEntry>,
    ) -> Result<Result<usize, ReplayError>, ServiceError> {
        let count = entries.len();
        let mut waits = Vec::new();
        {
            let mut guard = self.shared.state.lock();
            let State {
                world, writer, log, ..
            } = &mut *guard;
            let mut applied = Vec::with_capacity(count);
            for (index, e) in entries.into_iter().enumerate() {
                match apply_one(world, &self.limits, index, e) {
                    Ok(a) => applied.push(a),
                    Err(stop) => {
                        for a in applied.into_iter().rev() {
                            a.undo.apply(world);
                        }
                        return match stop {
                            Stop::Refused(e) => Ok(Err(e)),
                            Stop::Panicked(message) => {
                                tracing::error!(panic = %message,
                                    "a replayed command panicked; the replay was undone");
                                if !world.indexes_consistent() {
                                    *world = World::from_records(world.records());
                                }
                                Err(ServiceError::Panicked(message))
                            }
                        };
                    }
                }
            }
            let mut unsent = applied.into_iter();
            for a in unsent.by_ref() {
                if a.changes.is_empty() {
                    continue;
                }
                let keys: Vec<_> = a.changes.iter().map(|c| c.key.clone()).collect();
                let (reply, rx) = oneshot::channel();
                let msg = Msg {
                    op: Op::Commit {
                        changes: a.changes,
                        undo: a.undo,
                        logged: Some(Box::new(a.pending)),
                    },
                    reply,
                };
                if let Err(mpsc::SendError(msg)) = writer.send(msg) {
                    // No writer: take this one and every later one back at once (the earlier
                    // ones were queued and are the writer's to settle).
                    let rest: Vec<_> = unsent.collect();
                    for later in rest.into_iter().rev() {
                        later.undo.apply(world);
                    }
                    if let Op::Commit { undo, .. } = msg.op {
                        undo.apply(world);
                    }
                    return Err(ServiceError::WriterGone);
                }
                log.push(keys);
                waits.push(rx);
            }
        }
        for rx in waits {
            Self::wait(rx).await?;
        }
        Ok(Ok(count))
    }
}
