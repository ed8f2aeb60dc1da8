//! The command log and replay endpoints: `GET /_vpcpeer/log?since=N&limit=M` lists the
//! committed commands, and `POST /_vpcpeer/replay` applies a list of them (see
//! [`vpcpeer_api::log`]).
//!
//! A replay applies each command by the rules of its cloud's model, but the checks its face makes
//! while parsing a request (text rules of names and tags, for instance) are not run again: the
//! entries are expected to come from a server's own log. The shape of each entry (time, caller,
//! ids) is checked here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::{json_error, AppState, MAX_CLOCK_MS};

/// Most entries one `GET /_vpcpeer/log` answers.
const LOG_PAGE_MAX: usize = 10_000;

/// `GET /_vpcpeer/log?since=N&limit=M`: the committed commands after `N` (see
/// [`vpcpeer_api::log`]).
pub(crate) async fn command_log(
    State(st): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut since = 0u64;
    let mut limit = 1_000usize;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let ok = match k {
            "since" => v.parse().map(|n| since = n).is_ok(),
            "limit" => v
                .parse()
                .ok()
                .filter(|n| (1..=LOG_PAGE_MAX).contains(n))
                .map(|n| limit = n)
                .is_some(),
            _ => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    &format!("unknown parameter {k:?}: expected since=N and limit=M"),
                )
            }
        };
        if !ok {
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "{k} must be a whole number{}",
                    if k == "limit" {
                        format!(" from 1 to {LOG_PAGE_MAX}")
                    } else {
                        String::new()
                    }
                ),
            );
        }
    }
    let page = st.emulator.commands_since(since, limit);
    Json(vpcpeer_api::LogAnswer {
        entries: page
            .entries
            .into_iter()
            .map(|e| vpcpeer_api::LogEntry {
                account: e.scope.account,
                at: vpcpeer_wire_aws::render::iso(e.at),
                at_ms: e.at.millis(),
                command: e.command,
                ids: e.ids,
                region: e.scope.region,
                seq: e.seq,
            })
            .collect(),
        first: page.first,
        last: page.last,
    })
    .into_response()
}

/// `POST /_vpcpeer/replay`: applies a command log's entries (see [`vpcpeer_api::log`]).
pub(crate) async fn replay_log(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: vpcpeer_api::ReplayRequest<vpcpeer_model::Command> =
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    &format!("expected {{\"entries\": [...]}} as GET /_vpcpeer/log answers: {e}"),
                )
            }
        };
    if let Some((i, why)) = req.entries.iter().enumerate().find_map(|(i, e)| {
        let why = if !(0..=MAX_CLOCK_MS).contains(&e.at_ms) {
            "at_ms is outside 1970-01-01..9999-12-31"
        } else if e.account.is_empty() {
            // The region may be empty: GCP's global resources have none.
            "account must not be empty"
        } else if vpcpeer_model::text::first_refused_char(&e.account).is_some()
            || vpcpeer_model::text::first_refused_char(&e.region).is_some()
        {
            "account or region holds a refused character"
        } else if !e.ids.iter().all(|id| {
            id.len() == 17
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }) {
            "every id must be 17 lowercase hex digits"
        } else {
            return None;
        };
        Some((i, why))
    }) {
        return json_error(StatusCode::BAD_REQUEST, &format!("entry {i}: {why}"));
    }
    let entries = req
        .entries
        .into_iter()
        .map(|e| vpcpeer_service::ReplayEntry {
            scope: vpcpeer_model::Scope::new(&e.account, &e.region),
            at: vpcpeer_model::Timestamp(e.at_ms),
            ids: e.ids,
            command: e.command,
        })
        .collect();
    match st.emulator.replay(entries).await {
        Ok(Ok(applied)) => Json(vpcpeer_api::ReplayAnswer { applied }).into_response(),
        Ok(Err(e)) => json_error(StatusCode::CONFLICT, &format!("nothing was replayed: {e}")),
        Err(e) => {
            tracing::error!(error = %e, "a replay failed inside the emulator");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the replay was not committed",
            )
        }
    }
}
