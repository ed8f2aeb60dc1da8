//! The table of open connections and what each is doing, for the cap, eviction and timeouts.
//!
//! Each connection has a [`Slot`] whose [`Phase`] is kept in one atomic word (kind and the
//! instant it began), updated from the connection's I/O and service without a lock:
//!
//! - `Head`: reading a request head: from accept (TLS handshake included), or from the first
//!   byte of the next request on a kept-alive connection. Ends when hyper hands the request to
//!   the service. Limited by the header timeout.
//! - `Body`: the head is in; the body is being read. Limited by the body timeout.
//! - `Busy`: the body is in; the handler runs and the answer is written. Not limited.
//! - `Idle`: the answer is written; nothing of the next request yet. Limited by the idle timeout.
//!
//! At the cap, [`Slots::pick_victim`] names the connection to close: the one that has been in
//! `Head` longest (slow or silent clients), else the one idle longest, else the one that has
//! been sending its body longest; a `Busy` one only when asked to (see `make_room` in the
//! connection manager).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// What a connection is doing (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// Reading a request head.
    Head = 0,
    /// Between answers.
    Idle = 1,
    /// Reading a request body.
    Body = 2,
    /// Running a handler or writing its answer.
    Busy = 3,
}

impl Phase {
    fn from_bits(b: u64) -> Phase {
        match b {
            0 => Phase::Head,
            1 => Phase::Idle,
            2 => Phase::Body,
            _ => Phase::Busy,
        }
    }
}

const KIND_SHIFT: u32 = 62;
const SINCE_MASK: u64 = (1 << KIND_SHIFT) - 1;

/// One open connection.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) id: u64,
    epoch: Instant,
    /// When it was accepted: ids and these grow together.
    accepted: Instant,
    state: AtomicU64,
    evicted: AtomicBool,
    /// Told once when the connection is to close at once.
    pub(crate) evict: Notify,
    /// Told when the phase changes, so the connection's task re-arms its timer.
    pub(crate) wake: Notify,
}

impl Slot {
    fn micros(&self, at: Instant) -> u64 {
        (at.saturating_duration_since(self.epoch).as_micros() as u64) & SINCE_MASK
    }

    /// The phase and when it began.
    pub(crate) fn phase(&self) -> (Phase, Instant) {
        let s = self.state.load(Ordering::Acquire);
        let since = self.epoch + Duration::from_micros(s & SINCE_MASK);
        (Phase::from_bits(s >> KIND_SHIFT), since)
    }

    /// Enters `phase` now.
    pub(crate) fn set(&self, phase: Phase) {
        let word = ((phase as u64) << KIND_SHIFT) | self.micros(Instant::now());
        self.state.store(word, Ordering::Release);
        self.wake.notify_one();
    }

    /// Enters `to` now if the phase is `from`; whether it did.
    pub(crate) fn advance(&self, from: Phase, to: Phase) -> bool {
        let cur = self.state.load(Ordering::Acquire);
        if Phase::from_bits(cur >> KIND_SHIFT) != from {
            return false;
        }
        let word = ((to as u64) << KIND_SHIFT) | self.micros(Instant::now());
        let done = self
            .state
            .compare_exchange(cur, word, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if done {
            self.wake.notify_one();
        }
        done
    }

    /// Whether it was told to close.
    pub(crate) fn is_evicted(&self) -> bool {
        self.evicted.load(Ordering::Acquire)
    }
}

/// The open connections, in the order they were accepted, and how many of them were told to
/// close but are not gone yet.
#[derive(Debug, Default)]
struct Table {
    open: BTreeMap<u64, Arc<Slot>>,
    closing: usize,
}

/// The open connections of a server (all its listeners).
#[derive(Debug)]
pub(crate) struct Slots {
    epoch: Instant,
    next_id: AtomicU64,
    table: Mutex<Table>,
    /// Told when a connection closes or becomes evictable.
    pub(crate) changed: Notify,
}

/// Removes its slot when the connection's task ends.
#[derive(Debug)]
pub(crate) struct SlotGuard {
    slots: Arc<Slots>,
    pub(crate) slot: Arc<Slot>,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        {
            let mut t = self.slots.lock();
            t.open.remove(&self.slot.id);
            if self.slot.is_evicted() {
                t.closing -= 1;
            }
        }
        self.slots.changed.notify_waiters();
    }
}

impl Slots {
    pub(crate) fn new() -> Arc<Slots> {
        Arc::new(Slots {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            table: Mutex::new(Table::default()),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection, in `Head` from now.
    pub(crate) fn register(self: &Arc<Self>) -> SlotGuard {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            epoch: self.epoch,
            accepted: Instant::now(),
            state: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            wake: Notify::new(),
        });
        slot.set(Phase::Head);
        self.lock().open.insert(id, slot.clone());
        SlotGuard {
            slots: self.clone(),
            slot,
        }
    }

    /// How many connections are open (evicted ones count until their socket is closed), and
    /// how many of them are not yet told to close.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let t = self.lock();
        (t.open.len(), t.open.len() - t.closing)
    }

    /// The connection to close first (see the module docs), other than `spare`; `Busy` ones
    /// only with `busy_too`. Connections are visited in the order they were accepted: once one
    /// reading a head is found, no later-accepted one can have been reading a head for longer,
    /// so in a flood of slow heads the search stops at once.
    pub(crate) fn pick_victim(&self, spare: Option<u64>, busy_too: bool) -> Option<Arc<Slot>> {
        let t = self.lock();
        let mut best: Option<((Phase, Instant), &Arc<Slot>)> = None;
        for s in t.open.values() {
            if let Some(((Phase::Head, since), _)) = best {
                if s.accepted >= since {
                    break;
                }
            }
            if Some(s.id) == spare || s.is_evicted() {
                continue;
            }
            let key = s.phase();
            if key.0 == Phase::Busy && !busy_too {
                continue;
            }
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                best = Some((key, s));
            }
        }
        best.map(|(_, s)| s.clone())
    }

    /// Tells `slot`'s connection to close now.
    pub(crate) fn evict(&self, slot: &Slot) {
        let mut t = self.lock();
        if t.open.contains_key(&slot.id) && !slot.evicted.swap(true, Ordering::AcqRel) {
            t.closing += 1;
        }
        drop(t);
        slot.evict.notify_one();
    }

    /// Tells every connection to close now.
    pub(crate) fn evict_all(&self) {
        let all: Vec<Arc<Slot>> = self.lock().open.values().cloned().collect();
        for s in all {
            self.evict(&s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn victims_in_order_head_idle_body_and_busy_only_when_asked() {
        let slots = Slots::new();
        let a = slots.register();
        let b = slots.register();
        let c = slots.register();
        let d = slots.register();
        a.slot.set(Phase::Busy);
        b.slot.set(Phase::Body);
        c.slot.set(Phase::Idle);
        std::thread::sleep(Duration::from_millis(2));
        d.slot.set(Phase::Idle);
        let e = slots.register();
        // e is the only one reading a head: it goes first, unless spared (a newcomer).
        assert_eq!(
            slots.pick_victim(None, false).map(|s| s.id),
            Some(e.slot.id)
        );
        // The longest idle next.
        assert_eq!(
            slots.pick_victim(Some(e.slot.id), false).map(|s| s.id),
            Some(c.slot.id)
        );
        slots.evict(&c.slot);
        assert_eq!(slots.counts(), (5, 4));
        assert_eq!(
            slots.pick_victim(Some(e.slot.id), false).map(|s| s.id),
            Some(d.slot.id)
        );
        slots.evict(&d.slot);
        assert_eq!(
            slots.pick_victim(Some(e.slot.id), false).map(|s| s.id),
            Some(b.slot.id)
        );
        slots.evict(&b.slot);
        assert_eq!(
            slots.pick_victim(Some(e.slot.id), false).map(|s| s.id),
            None
        );
        assert_eq!(
            slots.pick_victim(Some(e.slot.id), true).map(|s| s.id),
            Some(a.slot.id)
        );
        drop(c);
        assert_eq!(slots.counts(), (4, 2));
    }

    #[test]
    fn the_oldest_head_goes_first() {
        let slots = Slots::new();
        let old = slots.register();
        std::thread::sleep(Duration::from_millis(2));
        let _new = slots.register();
        assert_eq!(
            slots.pick_victim(None, false).map(|s| s.id),
            Some(old.slot.id)
        );
    }

    #[test]
    fn advance_only_from_the_named_phase() {
        let slots = Slots::new();
        let g = slots.register();
        assert!(!g.slot.advance(Phase::Idle, Phase::Head));
        assert!(g.slot.advance(Phase::Head, Phase::Body));
        assert_eq!(g.slot.phase().0, Phase::Body);
        assert!(g.slot.advance(Phase::Body, Phase::Busy));
        assert_eq!(g.slot.phase().0, Phase::Busy);
    }
}
