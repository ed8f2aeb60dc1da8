//! The reachability engine: compiles the emulated network into a forwarding snapshot and answers
//! "can A reach B on this protocol and port — and if not, exactly why", hop by hop, forward and
//! return path, naming every blocker.
//!
//! Pure code: no I/O, no clock, no wire format. Facts and the code vocabulary:
//! `shared/spec/reachability.md`.

pub mod lpm;
