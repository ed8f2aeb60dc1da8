//! (to be written)

use super::Handler;

/// The handler of `action` if this module serves it.
pub(super) fn handler(_action: &str) -> Option<Handler> {
    None
}
