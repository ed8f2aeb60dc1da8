//! The actions: [`handle`] checks the session, dispatches on `action`, and answers a read at
//! once or returns an accepted edit for the composition root to save and apply.
//!
//! An edit works on a copy of the state ([`edit`]): the action's own checks (missing fields,
//! unknown names, duplicates — a duplicate's reason says "already exists", which the Terraform
//! provider relies on), then the topology of the edited copy goes through the controller's
//! `validate`. A refused edit answers `return:false` with the reason (the validation's problems,
//! one after another) and changes nothing.
//!
//! Reasons Aviatrix words in ways the spec does not quote (a missing field, an unknown action,
//! an unknown name) are vpcpeer's own wording \[UNVERIFIED\]; "CID is invalid or expired." and
//! the "already exists" of duplicates are Aviatrix's (spec §3.1 [OBS]).

mod accounts;
mod gateways;
mod peering;

use serde_json::Value;
use vpcpeer_controller::{validate, Desired};

use crate::reply::Reply;
use crate::request::Request;
use crate::session::{Sessions, CID_INVALID};
use crate::state::AviatrixState;

/// Every action `/v2/api` answers.
pub const ACTIONS: &[&str] = &[
    "login",
    "setup_account_profile",
    "list_accounts",
    "delete_account_profile",
    "connect_container",
    "get_gateway_info",
    "delete_container",
    "create_peering_ha_gateway",
    "delete_peering_ha_gateway",
    "peer_vpc_pair",
    "list_peer_vpc_pairs",
    "unpeer_vpc_pair",
    "create_aws_peering",
    "list_aws_peerings",
    "delete_aws_peering",
    "arm_peer_vnet_pair",
    "list_arm_peer_vnet_pairs",
    "arm_unpeer_vnet_pair",
    "modify_detection_time",
];

/// What a request comes to.
#[derive(Debug, Clone)]
pub enum Handled {
    /// Answer this now; the state is unchanged.
    Reply(Reply),
    /// An accepted edit: save `next` (before answering), apply `desired` when `apply` says so,
    /// record what the apply observed into `next`, then answer `answer` from it.
    Change {
        /// The edited state.
        next: Box<AviatrixState>,
        /// Its topology, validated.
        desired: Box<Desired>,
        /// Whether the clouds change (accounts and the detection time change nothing there).
        apply: bool,
        /// The answer, made once the apply is done.
        answer: Answer,
    },
}

/// The answer of an accepted edit, some of which is known only after the apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// This reply.
    Ready(Reply),
    /// `create_aws_peering`: a sentence naming the peering connection the apply made for
    /// this native link.
    AwsPeering {
        /// The link's name.
        link: String,
        /// The two VPCs.
        vpcs: [String; 2],
    },
}

impl Answer {
    /// The reply, from the state as the apply left it.
    pub fn reply(&self, state: &AviatrixState) -> Reply {
        match self {
            Answer::Ready(r) => r.clone(),
            Answer::AwsPeering { link, vpcs } => {
                let id = state
                    .facts
                    .aws_peerings
                    .get(link)
                    .map(String::as_str)
                    .unwrap_or("(not yet observed)");
                Reply::results(serde_json::json!({
                    "text": format!(
                        "VPC peering {id} between {} and {} has been created successfully",
                        vpcs[0], vpcs[1]
                    ),
                    "peering_id": id,
                }))
            }
        }
    }
}

/// Handles one request. `random` makes a login's CID (the caller's entropy).
pub fn handle(
    state: &AviatrixState,
    sessions: &mut Sessions,
    req: &Request,
    random: u128,
) -> Handled {
    let Some(action) = req.action() else {
        return Handled::Reply(Reply::fail("Valid action required."));
    };
    if action == "login" {
        return Handled::Reply(login(sessions, req, random));
    }
    if !ACTIONS.contains(&action) {
        return Handled::Reply(Reply::fail(format!("Valid action required: {action}")));
    }
    if !sessions.valid(req.get("CID")) {
        return Handled::Reply(Reply::fail(CID_INVALID));
    }
    match action {
        "setup_account_profile" => accounts::setup(state, req),
        "list_accounts" => Handled::Reply(accounts::list(state)),
        "delete_account_profile" => accounts::delete(state, req),
        "connect_container" => gateways::connect(state, req),
        "get_gateway_info" => Handled::Reply(gateways::info(state, req)),
        "delete_container" => gateways::delete(state, req),
        "create_peering_ha_gateway" => gateways::create_ha(state, req),
        "delete_peering_ha_gateway" => gateways::delete_ha(state, req),
        "peer_vpc_pair" => peering::peer(state, req),
        "list_peer_vpc_pairs" => Handled::Reply(peering::list_tunnels(state, req)),
        "unpeer_vpc_pair" => peering::unpeer(state, req),
        "create_aws_peering" => peering::create_native(state, req, crate::CloudType::Aws),
        "list_aws_peerings" => Handled::Reply(peering::list_aws(state)),
        "delete_aws_peering" => peering::delete_native(state, req, crate::CloudType::Aws),
        "arm_peer_vnet_pair" => peering::create_native(state, req, crate::CloudType::Azure),
        "list_arm_peer_vnet_pairs" => Handled::Reply(peering::list_arm(state)),
        "arm_unpeer_vnet_pair" => peering::delete_native(state, req, crate::CloudType::Azure),
        "modify_detection_time" => detection_time(state, req),
        _ => Handled::Reply(Reply::fail(format!("Valid action required: {action}"))),
    }
}

fn login(sessions: &mut Sessions, req: &Request, random: u128) -> Reply {
    let (Some(user), Some(password)) = (req.get("username"), req.get("password")) else {
        return Reply::fail("Missing required parameter: username and password");
    };
    match sessions.login(user, password, random) {
        Ok(cid) => Reply {
            cid: Some(cid),
            ..Reply::text(format!(
                "User login:{user} has been authorized successfully."
            ))
        },
        Err(reason) => Reply::fail(reason),
    }
}

fn detection_time(state: &AviatrixState, req: &Request) -> Handled {
    let text = match req.any(&["detection_time", "tunnel_detection_time"]) {
        Some(t) => t,
        None => return fail("Missing required parameter: detection_time"),
    };
    let secs = text
        .parse::<u32>()
        .ok()
        .filter(|s| (crate::state::DETECTION_MIN..=crate::state::DETECTION_MAX).contains(s));
    let Some(secs) = secs else {
        return fail(format!(
            "Invalid detection_time {text}: it must be between {} and {} seconds.",
            crate::state::DETECTION_MIN,
            crate::state::DETECTION_MAX
        ));
    };
    edit(state, false, |s| {
        s.detection_time = secs;
        Ok(Answer::Ready(Reply::text(format!(
            "Tunnel detection time has been set to {secs} seconds."
        ))))
    })
}

/// A refusal.
pub(crate) fn fail(reason: impl Into<String>) -> Handled {
    Handled::Reply(Reply::fail(reason))
}

/// A required field or the refusal.
pub(crate) fn need<'r>(req: &'r Request, name: &str) -> Result<&'r str, Handled> {
    req.need(name).map_err(fail)
}

/// Edits a copy of `state` with `change`; the copy is accepted if its topology validates.
pub(crate) fn edit(
    state: &AviatrixState,
    apply: bool,
    change: impl FnOnce(&mut AviatrixState) -> Result<Answer, String>,
) -> Handled {
    let mut next = state.clone();
    let answer = match change(&mut next) {
        Ok(a) => a,
        Err(reason) => return fail(reason),
    };
    if let Some(clash) = next.network_clash() {
        return fail(clash);
    }
    next.remember_networks();
    match validate(&next.topology()) {
        Ok(desired) => Handled::Change {
            next: Box::new(next),
            desired: Box::new(desired),
            apply,
            answer,
        },
        Err(refusal) => fail(
            refusal
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// `Value` of an optional string (`null` when absent).
pub(crate) fn opt(v: Option<&String>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.clone()))
}
