//! Network security groups and their security rules.

use super::*;
use crate::azure::input::{AzPortSpec, Syntax};

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
    let (location, display_id, id, existing) = put_start::<AzNsg>(
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
        guid: kept_guid(tx, &existing),
        tags: req.tags,
    };
    Ok(saved(tx, nsg, &existing))
}

fn check_rule(r: &AzSecurityRule) -> Result<(), AzureError> {
    check_name(&r.name)?;
    let rule = || r.name.clone();
    if !(100..=4096).contains(&r.priority) {
        return Err(AzureError::RulePriority {
            rule: rule(),
            priority: r.priority,
        });
    }
    if r.protocol.value().is_none() {
        return Err(AzureError::RuleProtocol {
            rule: rule(),
            protocol: r.protocol.text().to_owned(),
        });
    }
    for (side, ports) in [
        (Side::Source, &r.source_ports),
        (Side::Destination, &r.destination_ports),
    ] {
        if ports.is_empty() {
            return Err(AzureError::RuleNoPorts { rule: rule(), side });
        }
        if let Some(p) = ports.iter().find(|p| p.value().is_none()) {
            return Err(AzureError::RulePorts {
                rule: rule(),
                side,
                range: p.text().to_owned(),
            });
        }
    }
    for (side, prefixes) in [
        (Side::Source, &r.source_prefixes),
        (Side::Destination, &r.destination_prefixes),
    ] {
        limits::check_count(
            prefixes.len(),
            limits::MAX_RULE_PREFIXES,
            Limit::RulePrefixes(side),
        )?;
        if prefixes.is_empty() {
            return Err(AzureError::RuleNoPrefix { rule: rule(), side });
        }
        if let Some(p) = prefixes.iter().find(|p| p.value().is_none()) {
            return Err(AzureError::RulePrefix {
                rule: rule(),
                side,
                prefix: p.text().to_owned(),
            });
        }
    }
    Ok(())
}

/// A port range of a security rule: `*` (all), `N` or `N-M`, within 0–65535 (the bounds of
/// [`AzPortSpec`]'s syntax).
pub fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    <AzPortSpec as Syntax>::parse(s).map(AzPortSpec::bounds)
}

/// Checks every rule, and that no two rules share a direction and a priority (or a name).
fn check_rules(rules: &[AzSecurityRule]) -> Result<(), AzureError> {
    limits::check_count(
        rules.len(),
        limits::MAX_SECURITY_RULES,
        Limit::SecurityRules,
    )?;
    let mut seen = BTreeSet::new();
    let mut names = HashSet::new();
    for r in rules {
        check_rule(r)?;
        if !seen.insert((r.direction, r.priority)) {
            return Err(AzureError::RuleConflict {
                rule: r.name.clone(),
                priority: r.priority,
                direction: r.direction,
            });
        }
        if !names.insert(r.name.to_ascii_lowercase()) {
            return Err(AzureError::DuplicateRule {
                rule: r.name.clone(),
            });
        }
    }
    Ok(())
}

/// The NSG a security rule request names.
fn nsg_of(tx: &Tx<'_, '_>, nsg: &Target) -> Result<AzNsg, AzureError> {
    required(tx, nsg, "networkSecurityGroups", Tagged::Nsg)
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
    let removed = remove_named(&mut n.rules, name, |r| &r.name);
    Ok(child_removed(tx, n, removed))
}

/// Deletes an NSG; refused while a subnet or NIC uses it.
pub fn delete_nsg(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    let Some((id, _)) = stored::<AzNsg>(tx, t, "networkSecurityGroups")? else {
        return Ok(false);
    };
    let user = referencing_subnet(tx.world(), &id, true).or_else(|| {
        tx.world()
            .azure
            .nics
            .values()
            .find(|n| n.nsg.as_deref().is_some_and(|r| key(r) == id))
            .map(|n| n.display_id.clone())
    });
    if let Some(u) = user {
        return Err(AzureError::NsgInUse {
            nsg: t.network_id("networkSecurityGroups"),
            user: u,
        });
    }
    tx.remove::<AzNsg>(&id);
    Ok(true)
}
