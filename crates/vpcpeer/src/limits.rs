//! `serve`'s settings from a JSON config file and its flags (flags win): the quotas
//! (`--limit NAME=VALUE`) and whether accounts get default VPCs (`--no-default-vpc`, or
//! `"default_vpc": false` in the file).

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
    "elastic_ips_per_region",
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
        "elastic_ips_per_region" => l.elastic_ips_per_region = v,
        // `off` means no duration: operations complete within the request, as with 0.
        "gcp_peering_op_secs" => l.gcp_peering_op_secs = value.unwrap_or(0) as i64,
        other => bail!(
            "unknown quota '{other}'; known quotas: {}",
            NAMES.join(", ")
        ),
    }
    Ok(())
}

/// The config file's key that turns default VPCs off (`false`) or on (`true`, the default).
const DEFAULT_VPC_KEY: &str = "default_vpc";

/// What `serve` runs with.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The quotas in force.
    pub(crate) limits: Limits,
    /// Whether every account gets a default VPC in every region (on first use).
    pub(crate) default_vpc: bool,
}

/// The settings in force: AWS's defaults, then the config file, then the flags (`--limit`, and
/// `no_default_vpc` for `--no-default-vpc`).
pub(crate) fn resolve(
    config: Option<&Path>,
    flags: &[String],
    no_default_vpc: bool,
) -> anyhow::Result<Settings> {
    let mut l = Limits::default();
    let mut default_vpc = true;
    if let Some(path) = config {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let obj = json
            .as_object()
            .with_context(|| format!("{} must hold a JSON object", path.display()))?;
        for (k, v) in obj {
            if k == DEFAULT_VPC_KEY {
                default_vpc = v.as_bool().with_context(|| {
                    format!(
                        "'{DEFAULT_VPC_KEY}' in {} must be true or false",
                        path.display()
                    )
                })?;
                continue;
            }
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
    Ok(Settings {
        limits: l,
        default_vpc: default_vpc && !no_default_vpc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(f.path(), text).expect("write");
        f
    }

    #[test]
    fn default_vpcs_are_on_unless_the_file_or_the_flag_turns_them_off() {
        let on = |config: Option<&Path>, flag| {
            resolve(config, &[], flag)
                .map(|s| s.default_vpc)
                .map_err(|e| format!("{e:#}"))
        };
        assert_eq!(on(None, false), Ok(true));
        assert_eq!(on(None, true), Ok(false));
        let off = file(r#"{"default_vpc": false, "vpcs_per_region": 7}"#);
        assert_eq!(on(Some(off.path()), false), Ok(false));
        let s = resolve(Some(off.path()), &[], false).expect("settings");
        assert_eq!(s.limits.vpcs_per_region, Some(7), "quotas still read");
        let explicit = file(r#"{"default_vpc": true}"#);
        assert_eq!(on(Some(explicit.path()), false), Ok(true));
        assert_eq!(on(Some(explicit.path()), true), Ok(false), "the flag wins");
        let bad = file(r#"{"default_vpc": "no"}"#);
        let err = on(Some(bad.path()), false).expect_err("refused");
        assert!(
            err.contains("'default_vpc'") && err.contains("true or false"),
            "{err}"
        );
    }
}
