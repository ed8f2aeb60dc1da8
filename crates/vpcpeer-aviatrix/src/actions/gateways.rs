//! `connect_container` (a gateway in an existing network: the network by its id, the gateway in
//! the topology), `get_gateway_info` (with the addresses the last apply observed),
//! `delete_container`, `create_peering_ha_gateway` and `delete_peering_ha_gateway` (the backup
//! `<gw>-hagw` in its own subnet and zone).
//!
//! `subnet` is what the topology's gateway `subnet` takes: in an existing network, an existing
//! public subnet's id (AWS) or name (GCP, Azure); Aviatrix's own form, the subnet's CIDR, is
//! refused by the validation with that explanation, since the controller creates subnets only
//! in networks it declares.

use serde_json::{json, Value};

use super::accounts::cloud_type;
use super::{edit, fail, need, opt, Answer, Handled};
use crate::reply::Reply;
use crate::request::Request;
use crate::state::{AviatrixState, Gateway, GatewayFacts, HaGateway, HA_SUFFIX};

pub(super) fn connect(state: &AviatrixState, req: &Request) -> Handled {
    let cloud = match cloud_type(req) {
        Ok(c) => c,
        Err(h) => return h,
    };
    let mut fields = Vec::new();
    for f in ["account_name", "gw_name", "vpc_id", "vpc_reg", "subnet"] {
        match need(req, f) {
            Ok(v) => fields.push(v.to_string()),
            Err(h) => return h,
        }
    }
    let [account, name, vpc_id, vpc_reg, subnet]: [String; 5] = match fields.try_into() {
        Ok(a) => a,
        Err(_) => return fail("Missing required parameter"),
    };
    let gateway = Gateway {
        account: account.clone(),
        vpc_id,
        vpc_reg,
        gw_size: req.get("gw_size").map(str::to_string),
        subnet,
        zone: req.get("zone").map(str::to_string),
        ha: None,
    };
    edit(state, true, |s| {
        match s.accounts.get(&account) {
            None => return Err(format!("Account {account} does not exist.")),
            Some(a) if a.cloud_type != cloud => {
                return Err(format!(
                    "Account {account} is of cloud_type {}, not {}.",
                    a.cloud_type.number(),
                    cloud.number()
                ))
            }
            Some(_) => {}
        }
        if find(s, &name).is_some() {
            return Err(format!("Gateway {name} already exists."));
        }
        if let Some((other, _)) = s
            .gateways
            .iter()
            .find(|(_, g)| g.vpc_id == gateway.vpc_id && g.account == account)
        {
            return Err(format!(
                "VPC {} already has gateway {other}: one gateway per VPC.",
                gateway.vpc_id
            ));
        }
        s.gateways.insert(name.clone(), gateway);
        Ok(Answer::Ready(Reply::text(format!(
            "Gateway {name} has been created successfully."
        ))))
    })
}

/// A gateway by name: the primary's name and, for `<gw>-hagw`, whether the backup is meant.
fn find<'s>(state: &'s AviatrixState, name: &str) -> Option<(&'s str, bool)> {
    if let Some((k, _)) = state.gateways.get_key_value(name) {
        return Some((k.as_str(), false));
    }
    let primary = name.strip_suffix(HA_SUFFIX)?;
    let (k, g) = state.gateways.get_key_value(primary)?;
    g.ha.as_ref().map(|_| (k.as_str(), true))
}

fn facts(state: &AviatrixState, vm: &str) -> GatewayFacts {
    state.facts.gateways.get(vm).cloned().unwrap_or_default()
}

/// `up` when the VM runs, `down` when it was observed stopped, `waiting` before any apply saw it
/// (Aviatrix's gateway states, spec §3.3).
fn gw_state(state: &AviatrixState, vm: &str) -> &'static str {
    match state.facts.gateways.get(vm) {
        None => "waiting",
        Some(f) if f.running => "up",
        Some(_) => "down",
    }
}

pub(super) fn info(state: &AviatrixState, req: &Request) -> Reply {
    let Some(name) = req.any(&["gw_name", "gateway_name"]) else {
        return Reply::fail("Missing required parameter: gw_name");
    };
    let Some((primary, is_ha)) = find(state, name) else {
        return Reply::fail(format!("Gateway {name} does not exist."));
    };
    let g = &state.gateways[primary];
    let cloud = state
        .accounts
        .get(&g.account)
        .map_or(Value::Null, |a| json!(a.cloud_type.number()));
    let me = facts(state, name);
    let mut v = json!({
        "gw_name": name,
        "cloud_type": cloud,
        "account_name": g.account,
        "vpc_id": g.vpc_id,
        "vpc_reg": g.vpc_reg,
        "vpc_region": state.region_of(g),
        "gw_size": opt(g.gw_size.as_ref()),
        "gw_subnet": if is_ha { g.ha.as_ref().map(|h| h.subnet.clone()) } else { Some(g.subnet.clone()) },
        "public_ip": opt(me.public_ip.as_ref()),
        "private_ip": opt(me.private_ip.as_ref()),
        "gw_state": gw_state(state, name),
    });
    if is_ha {
        v["primary_gw_name"] = json!(primary);
    } else if let Some(h) = &g.ha {
        let ha = format!("{primary}{HA_SUFFIX}");
        let hf = facts(state, &ha);
        v["peering_ha_gw_name"] = json!(ha);
        v["peering_ha_subnet"] = json!(h.subnet);
        v["peering_ha_zone"] = opt(h.zone.as_ref());
        v["peering_ha_public_ip"] = opt(hf.public_ip.as_ref());
        v["peering_ha_private_ip"] = opt(hf.private_ip.as_ref());
        v["peering_ha_gw_state"] = json!(gw_state(state, &ha));
    }
    Reply::results(v)
}

pub(super) fn delete(state: &AviatrixState, req: &Request) -> Handled {
    let name = match need(req, "gw_name") {
        Ok(n) => n.to_string(),
        Err(h) => return h,
    };
    let Some((primary, is_ha)) = find(state, &name) else {
        return fail(format!("Gateway {name} does not exist."));
    };
    if is_ha {
        return delete_ha_of(state, primary.to_string());
    }
    let primary = primary.to_string();
    edit(state, true, |s| {
        if let Some(t) = s
            .tunnels
            .iter()
            .find(|t| t.gw1 == primary || t.gw2 == primary)
        {
            return Err(format!(
                "Gateway {primary} is in use by the peering of {} and {}: unpeer it first.",
                t.gw1, t.gw2
            ));
        }
        s.gateways.remove(&primary);
        Ok(Answer::Ready(Reply::text(format!(
            "Gateway {primary} has been deleted."
        ))))
    })
}

pub(super) fn create_ha(state: &AviatrixState, req: &Request) -> Handled {
    let name = match need(req, "gw_name") {
        Ok(n) => n.to_string(),
        Err(h) => return h,
    };
    let Some(subnet) = req.any(&["peering_ha_subnet", "public_subnet"]) else {
        return fail("Missing required parameter: peering_ha_subnet");
    };
    let ha = HaGateway {
        subnet: subnet.to_string(),
        zone: req
            .any(&["peering_ha_zone", "new_zone", "zone"])
            .map(str::to_string),
    };
    edit(state, true, |s| {
        let Some(g) = s.gateways.get_mut(&name) else {
            return Err(format!("Gateway {name} does not exist."));
        };
        if g.ha.is_some() {
            return Err(format!("HA gateway {name}{HA_SUFFIX} already exists."));
        }
        g.ha = Some(ha);
        Ok(Answer::Ready(Reply::text(format!(
            "HA gateway {name}{HA_SUFFIX} has been created successfully."
        ))))
    })
}

pub(super) fn delete_ha(state: &AviatrixState, req: &Request) -> Handled {
    match need(req, "gw_name") {
        Ok(n) => {
            let primary = n.strip_suffix(HA_SUFFIX).unwrap_or(n);
            delete_ha_of(state, primary.to_string())
        }
        Err(h) => h,
    }
}

fn delete_ha_of(state: &AviatrixState, primary: String) -> Handled {
    edit(state, true, |s| {
        if let Some(t) = s
            .tunnels
            .iter()
            .find(|t| t.ha && (t.gw1 == primary || t.gw2 == primary))
        {
            return Err(format!(
                "HA gateway {primary}{HA_SUFFIX} serves the HA peering of {} and {}: unpeer it \
                 first.",
                t.gw1, t.gw2
            ));
        }
        let Some(g) = s.gateways.get_mut(&primary) else {
            return Err(format!("Gateway {primary} does not exist."));
        };
        if g.ha.take().is_none() {
            return Err(format!("HA gateway {primary}{HA_SUFFIX} does not exist."));
        }
        Ok(Answer::Ready(Reply::text(format!(
            "HA gateway {primary}{HA_SUFFIX} has been deleted."
        ))))
    })
}
