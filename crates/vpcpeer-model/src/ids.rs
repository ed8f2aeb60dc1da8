//! Identifier generation. IDs look like AWS's: a prefix, a dash and 17 lowercase hex digits.

/// Source of fresh resource identifiers. Passed in so tests are deterministic.
pub trait IdGen: Send {
    /// 17 fresh lowercase hex digits.
    fn hex17(&mut self) -> String;

    /// A fresh id such as `vpc-0a1b2c3d4e5f60718`.
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}-{}", self.hex17())
    }

    /// A fresh UUID-shaped string (request ids, client tokens).
    fn uuid(&mut self) -> String {
        let a = self.hex17();
        let b = self.hex17();
        let s = format!("{a}{b}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &s[0..8],
            &s[8..12],
            &s[12..15],
            &s[15..18],
            &s[18..30]
        )
    }
}

/// A deterministic generator (SplitMix64) seeded by the caller.
///
/// The composition root seeds it from entropy; tests seed it with a constant.
#[derive(Debug, Clone)]
pub struct SeededIds {
    state: u64,
}

impl SeededIds {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        SeededIds { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl IdGen for SeededIds {
    fn hex17(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!("{a:016x}{:01x}", b & 0xf)
    }
}

/// Draws from another generator and remembers what it drew: the service wraps its generator in
/// one for each command, so the command log can give a replay the very same ids.
pub struct RecordingIds<'a> {
    inner: &'a mut dyn IdGen,
    drawn: Vec<String>,
}

impl<'a> RecordingIds<'a> {
    /// Records what `inner` draws.
    pub fn new(inner: &'a mut dyn IdGen) -> Self {
        RecordingIds {
            inner,
            drawn: Vec::new(),
        }
    }

    /// What was drawn, in order (each a [`IdGen::hex17`] value).
    pub fn into_drawn(self) -> Vec<String> {
        self.drawn
    }
}

impl IdGen for RecordingIds<'_> {
    fn hex17(&mut self) -> String {
        let h = self.inner.hex17();
        self.drawn.push(h.clone());
        h
    }
}

/// Hands out a recorded sequence (a command log entry's ids) for a replay. Once it runs out it
/// draws from a fixed seed, so a replay that diverges gives different records rather than a
/// panic.
#[derive(Debug, Clone)]
pub struct ScriptedIds {
    script: std::collections::VecDeque<String>,
    fallback: SeededIds,
}

impl ScriptedIds {
    /// A generator answering `script` first.
    pub fn new(script: impl IntoIterator<Item = String>) -> Self {
        ScriptedIds {
            script: script.into_iter().collect(),
            fallback: SeededIds::new(0x5c41_97ed),
        }
    }

    /// How many recorded ids are left unused.
    pub fn remaining(&self) -> usize {
        self.script.len()
    }
}

impl IdGen for ScriptedIds {
    fn hex17(&mut self) -> String {
        self.script
            .pop_front()
            .unwrap_or_else(|| self.fallback.hex17())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shape_and_are_deterministic() {
        let mut a = SeededIds::new(7);
        let mut b = SeededIds::new(7);
        let id = a.id("vpc");
        assert_eq!(id, b.id("vpc"));
        assert_eq!(id.len(), 4 + 17);
        assert!(id[4..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a.id("vpc"), id);
        assert_eq!(a.uuid().len(), 36);
    }
}
