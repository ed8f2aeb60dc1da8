//! `GET /_vpcpeer/inspect?id=ID`: one network or native peering of any cloud in detail
//! ([`vpcpeer_api::Inspection`]), for the console's inspector and `vpcpeer inspect`.
//!
//! Built from the world under the read lock at the emulator's `now`, no I/O, like
//! [`crate::topology`]: each cloud's part (`inspect/aws.rs`, `gcp.rs`, `azure.rs`) turns its
//! records into facts and tables of text in the words of that cloud's API. The id is the one
//! the topology answer gives (`vpc-…`, `pcx-…`, a GCP network path or `NETWORK/peerings/NAME`,
//! an Azure VNet or peering ARM id, matched without regard to case as ARM does). An id no
//! cloud holds is a 404; a missing `id` a 400.

mod aws;
mod azure;
mod gcp;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vpcpeer_api::{InspectFact, InspectRow, InspectTable, Inspection};
use vpcpeer_model::{Timestamp, World};

use crate::AppState;

/// `GET /_vpcpeer/inspect?id=ID`.
pub(crate) async fn inspect_handler(
    State(st): State<Arc<AppState>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(id) = q.get("id").filter(|s| !s.is_empty()) else {
        return crate::json_error(
            StatusCode::BAD_REQUEST,
            "the query parameter id is required (a network or peering id)",
        );
    };
    let now = st.emulator.now();
    match st.emulator.with_world(|w| inspect(w, now, id)) {
        Some(answer) => Json(answer).into_response(),
        None => crate::json_error(
            StatusCode::NOT_FOUND,
            &format!("no network or peering has the id {id}"),
        ),
    }
}

/// The network or peering `id` of `world` at `now`, if any cloud holds it.
pub fn inspect(world: &World, now: Timestamp, id: &str) -> Option<Inspection> {
    aws::inspect(world, now, id)
        .or_else(|| gcp::inspect(world, id))
        .or_else(|| azure::inspect(world, id))
}

/// An answer under construction.
struct Builder {
    answer: Inspection,
}

impl Builder {
    fn new(cloud: &str, kind: &str, id: &str, name: Option<String>) -> Builder {
        Builder {
            answer: Inspection {
                cloud: cloud.to_owned(),
                facts: Vec::new(),
                id: id.to_owned(),
                kind: kind.to_owned(),
                name,
                tables: Vec::new(),
            },
        }
    }

    fn fact(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.answer.facts.push(InspectFact {
            key: key.to_owned(),
            value: value.into(),
        });
        self
    }

    fn table(&mut self, t: Table) -> &mut Self {
        self.answer.tables.push(t.0);
        self
    }

    fn done(self) -> Inspection {
        self.answer
    }
}

/// A table under construction.
struct Table(InspectTable);

impl Table {
    fn new(kind: &str, id: Option<&str>, title: String, columns: &[&str]) -> Table {
        Table(InspectTable {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            id: id.map(str::to_owned),
            kind: kind.to_owned(),
            rows: Vec::new(),
            title,
        })
    }

    fn row(&mut self, cells: Vec<String>, flag: Option<&str>) {
        self.0.rows.push(InspectRow {
            cells,
            flag: flag.map(str::to_owned),
        });
    }
}

/// `a, b, c`, or `none`.
fn list<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

#[cfg(test)]
#[path = "inspect_tests.rs"]
mod tests;
