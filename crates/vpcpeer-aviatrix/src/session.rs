//! Sessions: `login` checks the username and password (any pair logs in when no credentials are
//! configured, as the clouds' faces accept any caller unless `serve` is given credentials) and
//! hands out a `CID`, which every other action must carry.
//!
//! A CID is 20 letters and digits drawn from the randomness the caller passes in (the composition
//! root's entropy; tests pass fixed values), never from a global source. Sessions live in memory
//! only: after a restart clients log in again, as after an Aviatrix controller restart. At most
//! [`MAX_SESSIONS`] are kept; the oldest is forgotten first (its CID is then "invalid or
//! expired"). \[UNVERIFIED\] Aviatrix's own CID lifetime and alphabet; the provider only echoes it.

use std::collections::VecDeque;

/// Sessions kept at once.
pub const MAX_SESSIONS: usize = 1024;

/// The reason a call without a valid CID gets (the text Aviatrix answers, spec §3.1 [OBS]).
pub const CID_INVALID: &str = "CID is invalid or expired.";

/// The username and password `login` requires, when configured.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// The live sessions.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    credentials: Option<Credentials>,
    cids: VecDeque<String>,
}

impl Sessions {
    /// Sessions checking `credentials` at login (any pair logs in with `None`).
    pub fn new(credentials: Option<Credentials>) -> Sessions {
        Sessions {
            credentials,
            cids: VecDeque::new(),
        }
    }

    /// Logs in: a new CID made of `random`, or the reason the pair is refused.
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        random: u128,
    ) -> Result<String, String> {
        if let Some(c) = &self.credentials {
            // Both compared whole, so the time taken does not tell which one was wrong first.
            let user_ok = constant_eq(c.username.as_bytes(), username.as_bytes());
            let pass_ok = constant_eq(c.password.as_bytes(), password.as_bytes());
            if !(user_ok & pass_ok) {
                return Err("Invalid username or password.".to_string());
            }
        }
        let cid = cid_of(random);
        if self.cids.len() >= MAX_SESSIONS {
            self.cids.pop_front();
        }
        self.cids.push_back(cid.clone());
        Ok(cid)
    }

    /// Whether `cid` is a live session.
    pub fn valid(&self, cid: Option<&str>) -> bool {
        cid.is_some_and(|c| self.cids.iter().any(|k| k == c))
    }
}

/// Compares two byte strings in time that depends on their lengths only.
fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i).copied().unwrap_or(!x);
    }
    diff == 0
}

/// 20 base-62 characters of `random`.
fn cid_of(mut random: u128) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..20)
        .map(|_| {
            let c = ALPHABET[(random % 62) as usize];
            random /= 62;
            char::from(c)
        })
        .collect()
}
