//! Aviatrix's reply document (spec §3.1): `{"return": true, "results": …}` on success,
//! `{"return": false, "reason": "…"}` on failure, and `login`'s `CID` beside `results`. Every
//! answer is HTTP 200, failures included, as Aviatrix answers; a client reads `return`.

use serde_json::{json, Value};

/// One reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `return`.
    pub ok: bool,
    /// `results` (success) or `reason` (failure).
    pub body: Value,
    /// `CID`, on a successful login.
    pub cid: Option<String>,
}

impl Reply {
    /// A success carrying `results`.
    pub fn results(results: Value) -> Reply {
        Reply {
            ok: true,
            body: results,
            cid: None,
        }
    }

    /// A success whose `results` is a sentence.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply::results(Value::String(text.into()))
    }

    /// A failure with its `reason`.
    pub fn fail(reason: impl Into<String>) -> Reply {
        Reply {
            ok: false,
            body: Value::String(reason.into()),
            cid: None,
        }
    }

    /// The reason of a failure (`None` for a success).
    pub fn reason(&self) -> Option<&str> {
        if self.ok {
            None
        } else {
            self.body.as_str()
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let mut v = if self.ok {
            json!({"return": true, "results": self.body})
        } else {
            json!({"return": false, "reason": self.body})
        };
        if let Some(cid) = &self.cid {
            v["CID"] = Value::String(cid.clone());
        }
        v
    }

    /// The bytes sent (compact JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }
}
