//! Quotas from a JSON config file and `--limit NAME=VALUE` flags (flags win).

use std::path::Path;

use anyhow::{bail, Context};
use vpcpeer_model::Limits;

const NAMES: &[&str] = &[
    "active_peerings_per_vpc",
    "outstanding_peering_requests",
    "routes_per_table",
    "rules_per_security_group",
    "peering_request_ttl_secs",
    "vpcs_per_region",
    "subnets_per_vpc",
    "route_tables_per_vpc",
    "security_groups_per_region",
    "ipv4_blocks_per_vpc",
    "internet_gateways_per_region",
    "tags_per_resource",
    "gcp_peerings_per_network",
    "az_peerings_per_vnet",
    "gcp_peering_op_secs",
];

fn set(l: &mut Limits, name: &str, value: Option<u64>) -> anyhow::Result<()> {
    let v = value.map(|n| n as usize);
    match name {
        "active_peerings_per_vpc" => l.active_peerings_per_vpc = v,
        "outstanding_peering_requests" => l.outstanding_peering_requests = v,
        "routes_per_table" => l.routes_per_table = v,
        "rules_per_security_group" => l.rules_per_security_group = v,
        "peering_request_ttl_secs" => match value {
            Some(n) => l.peering_request_ttl_secs = n as i64,
            None => bail!("peering_request_ttl_secs needs a number of seconds"),
        },
        "vpcs_per_region" => l.vpcs_per_region = v,
        "subnets_per_vpc" => l.subnets_per_vpc = v,
        "route_tables_per_vpc" => l.route_tables_per_vpc = v,
        "security_groups_per_region" => l.security_groups_per_region = v,
        "ipv4_blocks_per_vpc" => l.ipv4_blocks_per_vpc = v,
        "internet_gateways_per_region" => l.internet_gateways_per_region = v,
        "tags_per_resource" => l.tags_per_resource = v,
        "gcp_peerings_per_network" => l.gcp_peerings_per_network = v,
        "az_peerings_per_vnet" => l.az_peerings_per_vnet = v,
        // `off` means no duration: operations complete within the request, as with 0.
        "gcp_peering_op_secs" => l.gcp_peering_op_secs = value.unwrap_or(0) as i64,
        other => bail!(
            "unknown quota '{other}'; known quotas: {}",
            NAMES.join(", ")
        ),
    }
    Ok(())
}

/// The quotas in force: AWS's defaults, then the config file, then the flags.
pub(crate) fn resolve(config: Option<&Path>, flags: &[String]) -> anyhow::Result<Limits> {
    let mut l = Limits::default();
    if let Some(path) = config {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let obj = json
            .as_object()
            .with_context(|| format!("{} must hold a JSON object", path.display()))?;
        for (k, v) in obj {
            let value = match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) if s == "off" => None,
                v => Some(v.as_u64().with_context(|| {
                    format!("quota '{k}' must be a whole number, null or \"off\"")
                })?),
            };
            set(&mut l, k, value)?;
        }
    }
    for f in flags {
        if f == "help" {
            bail!("known quotas: {}", NAMES.join(", "));
        }
        let (name, value) = f
            .split_once('=')
            .with_context(|| format!("--limit takes NAME=VALUE, got '{f}'"))?;
        let value = match value {
            "off" | "none" => None,
            n => Some(
                n.parse::<u64>()
                    .with_context(|| format!("quota '{name}' must be a whole number or off"))?,
            ),
        };
        set(&mut l, name, value)?;
    }
    Ok(l)
}
