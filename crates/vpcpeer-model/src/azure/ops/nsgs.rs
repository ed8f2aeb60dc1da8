//! Network security groups and their security rules.

use super::*;

/// An NSG PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutNsg {
    /// `location`.
    pub location: Option<String>,
    /// `securityRules`.
    pub rules: Vec<AzSecurityRule>,
    /// Tags.
    pub tags: AzTags,
}

/// Creates or updates a network security group.
pub fn put_nsg(tx: &mut Tx<'_, '_>, t: &Target, req: PutNsg) -> Result<(AzNsg, bool), AzureError> {
    let PutStart {
        location,
        display_id,
        id,
        existing,
    } = PutStart::<AzNsg>::new(
        tx,
        t,
        t.network_id("networkSecurityGroups"),
        req.location.as_deref(),
    )?;
    check_rules(&req.rules)?;
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let nsg = AzNsg {
        id,
        display_id,
        name,
        place: t.place(&location),
        rules: req.rules,
        guid: existing
            .as_ref()
            .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone()),
        tags: req.tags,
    };
    tx.put(nsg.clone());
    Ok((nsg, existing.is_none()))
}

fn check_rule(r: &AzSecurityRule) -> Result<(), AzureError> {
    check_name(&r.name)?;
    let bad = |code: &str, what: String| {
        Err(AzureError::bad_request(
            code,
            format!("Security rule {} has {what}.", r.name),
        ))
    };
    if !(100..=4096).contains(&r.priority) {
        return Err(AzureError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule {} has invalid Priority {}. Value provided: {} Allowed range 100-4096.", r.name, r.priority, r.priority),
        ));
    }
    const PROTOCOLS: [&str; 6] = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];
    if !PROTOCOLS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(&r.protocol))
    {
        return bad(
            "SecurityRuleInvalidProtocol",
            format!(
                "invalid protocol '{}'; allowed: Tcp, Udp, Icmp, Esp, Ah, *",
                r.protocol
            ),
        );
    }
    for (what, ports) in [
        ("source", &r.source_ports),
        ("destination", &r.destination_ports),
    ] {
        if ports.is_empty() {
            return bad(
                "SecurityRuleInvalidPortRange",
                format!("no {what} port range"),
            );
        }
        for p in ports {
            if parse_port_range(p).is_none() {
                return bad("SecurityRuleInvalidPortRange", format!("invalid {what} port range '{p}'; use *, a port or a range like 1000-2000 within 0-65535"));
            }
        }
    }
    for (what, prefixes) in [
        ("source", &r.source_prefixes),
        ("destination", &r.destination_prefixes),
    ] {
        limits::check_count(
            prefixes.len(),
            limits::MAX_RULE_PREFIXES,
            "SecurityRuleAddressPrefixCountLimitReached",
            "security rule",
            &format!("{what} addresses and ranges"),
        )?;
        if prefixes.is_empty() {
            return bad(
                "SecurityRuleInvalidAddressPrefix",
                format!("no {what} address prefix"),
            );
        }
        for p in prefixes {
            if !valid_rule_prefix(p) {
                return bad("SecurityRuleInvalidAddressPrefix", format!("invalid {what} address prefix '{p}'; use *, an IPv4 address or CIDR, or a service tag"));
            }
        }
    }
    Ok(())
}

/// A port range of a security rule: `*` (all), `N` or `N-M`, within 0–65535.
pub fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    if s == "*" {
        return Some((0, 65535));
    }
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

fn valid_rule_prefix(p: &str) -> bool {
    let p = p.trim();
    p == "*"
        || p.parse::<Ipv4Addr>().is_ok()
        || p.parse::<Ipv4Net>().is_ok()
        || (!p.is_empty()
            && p.as_bytes()[0].is_ascii_alphabetic()
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
}

/// Checks every rule, and that no two rules share a direction and a priority (or a name).
fn check_rules(rules: &[AzSecurityRule]) -> Result<(), AzureError> {
    limits::check_count(
        rules.len(),
        limits::MAX_SECURITY_RULES,
        "SecurityRuleCountLimitReached",
        "security group",
        "security rules",
    )?;
    let mut seen = BTreeSet::new();
    let mut names = HashSet::new();
    for r in rules {
        check_rule(r)?;
        if !seen.insert((r.direction, r.priority)) {
            return Err(AzureError::bad_request(
                "SecurityRuleConflict",
                format!("Security rule {} conflicts with another rule: two rules have priority {} and direction {:?}.", r.name, r.priority, r.direction),
            ));
        }
        if !names.insert(r.name.to_ascii_lowercase()) {
            return Err(AzureError::bad_request(
                "DuplicateResourceName",
                format!(
                    "Network security group has two security rules named {}.",
                    r.name
                ),
            ));
        }
    }
    Ok(())
}

/// The NSG a security rule request names.
fn nsg_of(tx: &Tx<'_, '_>, nsg: &Target) -> Result<AzNsg, AzureError> {
    required(
        tx,
        nsg,
        "networkSecurityGroups",
        "Microsoft.Network/networkSecurityGroups",
    )
}

/// Creates or updates one security rule of an NSG; returns the NSG and whether the rule was new.
pub fn put_security_rule(
    tx: &mut Tx<'_, '_>,
    nsg: &Target,
    rule: AzSecurityRule,
) -> Result<(AzNsg, bool), AzureError> {
    let mut n = nsg_of(tx, nsg)?;
    let created = upsert_named(&mut n.rules, rule, |r| &mut r.name);
    check_rules(&n.rules)?;
    tx.put(n.clone());
    Ok((n, created))
}

/// Deletes one security rule; returns whether it existed.
pub fn delete_security_rule(
    tx: &mut Tx<'_, '_>,
    nsg: &Target,
    name: &str,
) -> Result<bool, AzureError> {
    let mut n = nsg_of(tx, nsg)?;
    if !remove_named(&mut n.rules, name, |r| &r.name) {
        return Ok(false);
    }
    tx.put(n);
    Ok(true)
}

/// Deletes an NSG; refused while a subnet or NIC uses it.
pub fn delete_nsg(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    let Some((id, _)) = stored::<AzNsg>(tx, t, "networkSecurityGroups")? else {
        return Ok(false);
    };
    let user = referencing_subnet(tx.world(), &id, true).or_else(|| {
        tx.world()
            .az_nics
            .values()
            .find(|n| n.nsg.as_deref().is_some_and(|r| key(r) == id))
            .map(|n| n.display_id.clone())
    });
    if let Some(u) = user {
        return Err(AzureError::bad_request(
            "InUseNetworkSecurityGroupCannotBeDeleted",
            format!("Network security group {} cannot be deleted because it is in use by the following resources: {u}.", t.network_id("networkSecurityGroups")),
        ));
    }
    tx.remove::<AzNsg>(&id);
    Ok(true)
}
