//! The stored form of records, versioned and kept apart from the domain types.
//!
//! Every backend stores each record as the bytes [`encode`] gives and reads it back with
//! [`decode`], and keeps the version of that form in its metadata (`format_version`, checked on
//! open with [`check_version`]). The form of each version is defined in its own module:
//! [`v1`] today (its schema is documented there). The model's types do not define it: `Record`
//! has no serde derives, and the kind names and table tags of the stored form are data of `v1`.
//!
//! # Versions and migrations
//!
//! [`FORMAT_VERSION`] is the version this build writes. A store whose version is newer is
//! refused with [`StoreError::Version`] (a newer vpcpeer wrote it; nothing is read or changed).
//! To change the stored form of a record kind, a contributor either keeps the v1 bytes (an
//! on-disk struct for that kind in `v1.rs`, see there) or raises [`FORMAT_VERSION`] to N+1 and
//! appends to [`MIGRATIONS`] a step that turns a version-N body (as a JSON value, with its table
//! tag) into a version-N+1 body; [`upgrade`] applies the steps in order. Then each backend's
//! open, on finding an older version, rewrites every row through [`upgrade`] and sets the new
//! version in the same transaction, so a store never holds two versions at once. While v1 is
//! the only version there is nothing to upgrade, and an older version (there is none) is
//! refused like a newer one.
//!
//! The stored form is checked against what the first release wrote: a sample row of every kind
//! (`v1-sample.jsonl`, this module's tests) and a whole data directory with the answers that
//! release served from it (`crates/vpcpeer/tests/persist_v1.rs`). Both decode every row and check
//! with [`keeps_stored_members`] that it is written back saying all it said.

use serde_json::Value;
use vpcpeer_model::Record;

use crate::StoreError;

pub mod v1;

/// Version of the stored form this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A migration step: the body of a record of table `table` in version N (as JSON) to its body
/// in version N+1, or why it cannot be migrated.
pub type Step = fn(table: &str, body: Value) -> Result<Value, String>;

/// `MIGRATIONS[i]` takes a body from version `i + 1` to `i + 2`; there are
/// `FORMAT_VERSION - 1` of them.
pub const MIGRATIONS: &[Step] = &[];

const _: () = assert!(MIGRATIONS.len() as u32 + 1 == FORMAT_VERSION);

/// Whether this build reads a store whose `format_version` is `found` as it is.
pub fn check_version(found: u32) -> Result<(), StoreError> {
    if found == FORMAT_VERSION {
        Ok(())
    } else {
        Err(StoreError::Version { found })
    }
}

/// The stored bytes of `record`, in [`FORMAT_VERSION`].
pub fn encode(record: &Record) -> Vec<u8> {
    v1::encode(record)
}

/// Reads a record stored in [`FORMAT_VERSION`] under `table` and `id`.
pub fn decode(table: &str, id: &str, bytes: &[u8]) -> Result<Record, StoreError> {
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let record = v1::decode(table, &mut d)
        .and_then(|r| d.end().map(|()| r))
        .map_err(|e| corrupt(table, id, e))?;
    if record.key().id != id {
        return Err(corrupt(
            table,
            id,
            format!("the body is record {:?}", record.key().id),
        ));
    }
    Ok(record)
}

/// The bytes in [`FORMAT_VERSION`] of a record stored in version `from` (older or the same).
pub fn upgrade(from: u32, table: &str, id: &str, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    upgrade_with(MIGRATIONS, from, table, id, bytes)
}

/// [`upgrade`] through the given steps (`steps[i]`: version `i + 1` to `i + 2`).
fn upgrade_with(
    steps: &[Step],
    from: u32,
    table: &str,
    id: &str,
    bytes: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let current = steps.len() as u32 + 1;
    if from == 0 || from > current {
        return Err(StoreError::Version { found: from });
    }
    let mut body: Value = serde_json::from_slice(bytes).map_err(|e| corrupt(table, id, e))?;
    for step in &steps[from as usize - 1..] {
        body = step(table, body).map_err(|e| corrupt(table, id, e))?;
    }
    let record = v1::decode(table, body).map_err(|e| corrupt(table, id, e))?;
    Ok(encode(&record))
}

/// Checks that `rewritten` (a record's body as this build writes it) still says everything
/// `stored` (the same record's body as an earlier build wrote it) said: every member of every
/// object is there with the same value, at the same place. Members may be added (a field with a
/// default, absent from older rows) and reordered; nothing may be renamed, retyped or dropped.
/// Returns the JSON path of the first difference. For the tests that pin the stored form.
pub fn keeps_stored_members(stored: &[u8], rewritten: &[u8]) -> Result<(), String> {
    fn walk(old: &Value, new: &Value, path: &mut String) -> Result<(), String> {
        match (old, new) {
            (Value::Object(o), Value::Object(n)) => {
                for (k, v) in o {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    walk(v, n.get(k).ok_or_else(|| format!("{path} is gone"))?, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            (Value::Array(o), Value::Array(n)) if o.len() == n.len() => {
                for (i, (a, b)) in o.iter().zip(n).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(a, b, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ if old == new => Ok(()),
            _ => Err(format!("{path} was {old}, is now {new}")),
        }
    }
    let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).map_err(|e| e.to_string());
    walk(&parse(stored)?, &parse(rewritten)?, &mut String::from("$"))
}

fn corrupt(table: &str, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: table.to_owned(),
        id: id.to_owned(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests;
