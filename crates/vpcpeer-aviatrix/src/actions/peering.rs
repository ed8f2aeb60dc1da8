//! Peerings: encrypted (`peer_vpc_pair`, `list_peer_vpc_pairs`, `unpeer_vpc_pair`: an
//! encrypted link between the two gateways' networks) and native (`create_aws_peering`,
//! `list_aws_peerings`, `delete_aws_peering`; `arm_peer_vnet_pair`, `list_arm_peer_vnet_pairs`,
//! `arm_unpeer_vnet_pair`: a native link between two existing networks, requester first).
//!
//! `peering_state` is `active` when both primaries were observed running by the last apply,
//! else `down` (`waiting` before any apply saw them); `peering_ha_status` is `active` when HA
//! was asked and both backups run, `down` when asked and one does not, `disabled` otherwise
//! \[UNVERIFIED\]: the provider reads these as opaque strings. `ha_enabled` is checked (both
//! gateways must have a backup) and reported as asked; the controller builds the backup
//! tunnels whenever both gateways of an encrypted link have a backup (the topology file's rule).

use serde_json::{json, Value};

use super::{edit, fail, Answer, Handled};
use crate::reply::Reply;
use crate::request::Request;
use crate::state::{
    native_link_name, network_name, tunnel_link_name, AviatrixState, CloudType, NativePeering,
    Side, Tunnel, HA_SUFFIX,
};

fn two(req: &Request, a: &[&str], b: &[&str]) -> Result<(String, String), Handled> {
    match (req.any(a), req.any(b)) {
        (Some(x), Some(y)) => Ok((x.to_string(), y.to_string())),
        (None, _) => Err(fail(format!("Missing required parameter: {}", a[0]))),
        (_, None) => Err(fail(format!("Missing required parameter: {}", b[0]))),
    }
}

pub(super) fn peer(state: &AviatrixState, req: &Request) -> Handled {
    let (gw1, gw2) = match two(req, &["vpc_name1", "gw_name1"], &["vpc_name2", "gw_name2"]) {
        Ok(p) => p,
        Err(h) => return h,
    };
    let ha = req.flag("ha_enabled").unwrap_or(false);
    edit(state, true, |s| {
        for gw in [&gw1, &gw2] {
            if !s.gateways.contains_key(gw) {
                return Err(format!("Gateway {gw} does not exist."));
            }
        }
        if gw1 == gw2 {
            return Err(format!("Gateway {gw1} cannot peer with itself."));
        }
        if s.tunnel_index(&gw1, &gw2).is_some() {
            return Err(format!("Peering between {gw1} and {gw2} already exists."));
        }
        if ha {
            for gw in [&gw1, &gw2] {
                if s.gateways[gw].ha.is_none() {
                    return Err(format!(
                        "Gateway {gw} has no HA gateway: create {gw}{HA_SUFFIX} \
                         (create_peering_ha_gateway) before enabling HA peering."
                    ));
                }
            }
        }
        s.tunnels.push(Tunnel {
            gw1: gw1.clone(),
            gw2: gw2.clone(),
            ha,
        });
        Ok(Answer::Ready(Reply::text(format!(
            "Peering between {gw1} and {gw2} has been created successfully."
        ))))
    })
}

fn running(state: &AviatrixState, vm: &str) -> Option<bool> {
    state.facts.gateways.get(vm).map(|f| f.running)
}

fn tunnel_json(state: &AviatrixState, t: &Tunnel) -> Value {
    let both = |a: &str, b: &str| match (running(state, a), running(state, b)) {
        (Some(true), Some(true)) => "active",
        (None, _) | (_, None) => "waiting",
        _ => "down",
    };
    let ha_status = if !t.ha {
        "disabled"
    } else {
        match both(
            &format!("{}{HA_SUFFIX}", t.gw1),
            &format!("{}{HA_SUFFIX}", t.gw2),
        ) {
            "active" => "active",
            _ => "down",
        }
    };
    json!({
        "vpc_name1": t.gw1,
        "vpc_name2": t.gw2,
        "peering_state": both(&t.gw1, &t.gw2),
        "peering_ha_status": ha_status,
        "peering_link": tunnel_link_name(t),
        "enable_ha": if t.ha { "yes" } else { "no" },
    })
}

pub(super) fn list_tunnels(state: &AviatrixState, req: &Request) -> Reply {
    let only = match (req.get("vpc_name1"), req.get("vpc_name2")) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let list: Vec<Value> = state
        .tunnels
        .iter()
        .filter(|t| {
            only.is_none_or(|(a, b)| (t.gw1 == a && t.gw2 == b) || (t.gw1 == b && t.gw2 == a))
        })
        .map(|t| tunnel_json(state, t))
        .collect();
    Reply::results(json!({ "pair_list": list }))
}

pub(super) fn unpeer(state: &AviatrixState, req: &Request) -> Handled {
    let (gw1, gw2) = match two(req, &["vpc_name1", "gw_name1"], &["vpc_name2", "gw_name2"]) {
        Ok(p) => p,
        Err(h) => return h,
    };
    edit(state, true, |s| {
        let Some(i) = s.tunnel_index(&gw1, &gw2) else {
            return Err(format!("Peering between {gw1} and {gw2} does not exist."));
        };
        s.tunnels.remove(i);
        Ok(Answer::Ready(Reply::text(format!(
            "Peering between {gw1} and {gw2} has been deleted."
        ))))
    })
}

/// The field names of each side of a native peering of `cloud`.
fn side_fields(cloud: CloudType) -> [[&'static str; 4]; 2] {
    match cloud {
        CloudType::Azure => [
            ["req_account_name", "req_vpc_id", "req_region", ""],
            ["acc_account_name", "acc_vpc_id", "acc_region", ""],
        ],
        _ => [
            [
                "peer1_account_name",
                "peer1_vpc_id",
                "peer1_region",
                "peer1_rtb_id",
            ],
            [
                "peer2_account_name",
                "peer2_vpc_id",
                "peer2_region",
                "peer2_rtb_id",
            ],
        ],
    }
}

pub(super) fn create_native(state: &AviatrixState, req: &Request, cloud: CloudType) -> Handled {
    let mut sides = Vec::new();
    for [account, vpc, region, rtb] in side_fields(cloud) {
        let mut got = Vec::new();
        for f in [account, vpc, region] {
            match req.need(f) {
                Ok(v) => got.push(v.to_string()),
                Err(reason) => return fail(reason),
            }
        }
        let route_tables = if rtb.is_empty() {
            Vec::new()
        } else {
            req.list(rtb)
        };
        let [account, vpc_id, region]: [String; 3] = match got.try_into() {
            Ok(a) => a,
            Err(_) => return fail("Missing required parameter"),
        };
        sides.push(Side {
            account,
            vpc_id,
            region,
            route_tables,
        });
    }
    let accepter = sides.pop();
    let requester = sides.pop();
    let (Some(requester), Some(accepter)) = (requester, accepter) else {
        return fail("Missing required parameter");
    };
    let p = NativePeering {
        cloud_type: cloud,
        requester,
        accepter,
    };
    let link = native_link_name(&p);
    let vpcs = [p.requester.vpc_id.clone(), p.accepter.vpc_id.clone()];
    edit(state, true, |s| {
        for side in [&p.requester, &p.accepter] {
            match s.accounts.get(&side.account) {
                None => return Err(format!("Account {} does not exist.", side.account)),
                Some(a) if a.cloud_type != cloud => {
                    return Err(format!(
                        "Account {} is of cloud_type {}, not {}.",
                        side.account,
                        a.cloud_type.number(),
                        cloud.number()
                    ))
                }
                Some(_) => {}
            }
        }
        if s.peering_index(cloud, &vpcs[0], &vpcs[1]).is_some() {
            return Err(format!(
                "Peering between {} and {} already exists.",
                vpcs[0], vpcs[1]
            ));
        }
        s.peerings.push(p);
        Ok(match cloud {
            CloudType::Aws => Answer::AwsPeering {
                link: link.clone(),
                vpcs: vpcs.clone(),
            },
            _ => Answer::Ready(Reply::text(format!(
                "VNet peering between {} and {} has been created successfully.",
                vpcs[0], vpcs[1]
            ))),
        })
    })
}

pub(super) fn delete_native(state: &AviatrixState, req: &Request, cloud: CloudType) -> Handled {
    let names: [&[&str]; 2] = match cloud {
        CloudType::Azure => [&["vpc_name1", "req_vpc_id"], &["vpc_name2", "acc_vpc_id"]],
        _ => [&["peer1_vpc_id", "vpc_id1"], &["peer2_vpc_id", "vpc_id2"]],
    };
    let (a, b) = match two(req, names[0], names[1]) {
        Ok(p) => p,
        Err(h) => return h,
    };
    edit(state, true, |s| {
        let Some(i) = s.peering_index(cloud, &a, &b) else {
            return Err(format!("Peering between {a} and {b} does not exist."));
        };
        s.peerings.remove(i);
        Ok(Answer::Ready(Reply::text(format!(
            "Peering between {a} and {b} has been deleted."
        ))))
    })
}

fn side_json(state: &AviatrixState, s: &Side, cloud: CloudType) -> Value {
    let mut v = json!({
        "account_name": s.account,
        "vpc_id": s.vpc_id,
        "region": s.region,
    });
    match cloud {
        CloudType::Azure => {
            v["vpc_cidr"] = json!(state
                .facts
                .cidrs
                .get(&network_name(&s.vpc_id))
                .cloned()
                .unwrap_or_default());
        }
        _ => v["peering_route_tables"] = json!(s.route_tables),
    }
    v
}

fn list_native(state: &AviatrixState, cloud: CloudType) -> Reply {
    let list: Vec<Value> = state
        .peerings
        .iter()
        .filter(|p| p.cloud_type == cloud)
        .map(|p| {
            let mut v = json!({
                "requester": side_json(state, &p.requester, cloud),
                "accepter": side_json(state, &p.accepter, cloud),
            });
            if cloud == CloudType::Aws {
                if let Some(id) = state.facts.aws_peerings.get(&native_link_name(p)) {
                    v["peering_id"] = json!(id);
                }
            }
            v
        })
        .collect();
    Reply::results(json!({ "pair_list": list }))
}

pub(super) fn list_aws(state: &AviatrixState) -> Reply {
    list_native(state, CloudType::Aws)
}

pub(super) fn list_arm(state: &AviatrixState) -> Reply {
    list_native(state, CloudType::Azure)
}
