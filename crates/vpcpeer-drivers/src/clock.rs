//! The clouds' clock as a client of their APIs sees it, and the clouds' own time stamps.
//!
//! [`CloudClock`] keeps the newest `Date` header of the clouds' answers: every EC2 answer (an
//! interceptor of the SDK's clients, `aws/client.rs`) and every ARM answer (`azure/arm.rs`,
//! error answers too: they carry the front end's time all the same). `Drivers::cloud_now`
//! reads it; the controller's health check measures detection times on it. The emulator sends
//! its own clock's time, the one `POST /_vpcpeer/clock` advances.
//!
//! Compute Engine answers through Google's SDK (`google-cloud-compute-v1`) do not feed it: the
//! SDK hands back the decoded body only, never an answer's headers. What else GCP gives is not
//! a clock a read can use: an operation's `insertTime`/`endTime` come only from the writes the
//! driver waits for, so a read-only pass (a health check that finds nothing to change) would
//! measure on the time of the last write, stale by as long as nothing changed. So each GCP
//! observation reads the clock around the SDK: one unauthenticated `GET <endpoint>/compute/v1`
//! per endpoint (`gcp.rs` `read_clock`), whose answer, whatever its status, carries the front
//! end's `Date`. Only when that read fails (no answer) does a GCP-only topology have no cloud
//! clock, and the caller's clock stands in (`Drivers::cloud_now` is `None`).
//!
//! [`rfc3339_secs`] reads the time stamps of the clouds' bodies (Compute's
//! `lastStopTimestamp`, an ARM instance view status's `time`) into Unix seconds.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use aws_sdk_ec2::primitives::{DateTime, DateTimeFormat};

/// The newest `Date` header of the clouds' answers: the time on the clouds' clock, as a client
/// of their APIs sees it. Clones share one clock.
#[derive(Debug, Clone, Default)]
pub(crate) struct CloudClock(Arc<Mutex<Option<SystemTime>>>);

impl CloudClock {
    /// The newest time seen.
    pub(crate) fn now(&self) -> Option<SystemTime> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `t` if it is newer.
    pub(crate) fn saw(&self, t: SystemTime) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.is_none_or(|s| s < t) {
            *seen = Some(t);
        }
    }

    /// Keeps an HTTP `Date` header's time (IMF-fixdate) if it reads and is newer.
    pub(crate) fn saw_header(&self, date: &str) {
        if let Ok(t) = DateTime::from_str(date, DateTimeFormat::HttpDate) {
            if let Ok(t) = SystemTime::try_from(t) {
                self.saw(t);
            }
        }
    }
}

/// An RFC 3339 time with any offset (`2023-11-14T14:13:20.123-08:00`, any number of fractional
/// digits) in Unix seconds; `None` when it does not read or is before 1970.
pub(crate) fn rfc3339_secs(text: &str) -> Option<u64> {
    let t = DateTime::from_str(text, DateTimeFormat::DateTimeWithOffset).ok()?;
    u64::try_from(t.secs()).ok()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn the_clock_keeps_the_newest_date_it_reads() {
        let clock = CloudClock::default();
        let shared = clock.clone();
        assert_eq!(clock.now(), None);
        let secs = |c: &CloudClock| c.now().map(|t| t.duration_since(UNIX_EPOCH).unwrap());
        for (header, want) in [
            ("Tue, 14 Nov 2023 22:13:20 GMT", 1_700_000_000),
            ("not a date", 1_700_000_000),
            ("Tue, 14 Nov 2023 22:12:20 GMT", 1_700_000_000),
            ("Tue, 14 Nov 2023 22:14:21 GMT", 1_700_000_061),
        ] {
            shared.saw_header(header);
            assert_eq!(secs(&clock), Some(Duration::from_secs(want)), "{header}");
        }
    }

    #[test]
    fn time_stamps_read_with_their_offsets() {
        for (text, want) in [
            ("2023-11-14T22:13:20.000+00:00", Some(1_700_000_000)),
            ("2023-11-14T14:13:20.123-08:00", Some(1_700_000_000)),
            ("2023-11-14T22:13:20.1234567+00:00", Some(1_700_000_000)),
            ("2023-11-14T22:13:20Z", Some(1_700_000_000)),
            ("1969-12-31T23:59:59Z", None),
            ("2023-11-14 22:13:20", None),
            ("", None),
        ] {
            assert_eq!(rfc3339_secs(text), want, "{text}");
        }
    }
}
