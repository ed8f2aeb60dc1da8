//! Virtual networks and their inline subnets: PUT, GET, DELETE of a VNet and of one subnet.

use super::*;

/// A subnet as a request describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubnetSpec {
    /// Name.
    pub name: String,
    /// `addressPrefix`.
    pub prefix: Option<AddressPrefix>,
    /// `networkSecurityGroup.id`.
    pub nsg: Option<String>,
    /// `routeTable.id`.
    pub route_table: Option<String>,
}

/// A VNet PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutVnet {
    /// `location`.
    pub location: Option<String>,
    /// `addressSpace.addressPrefixes`.
    pub prefixes: Vec<AddressPrefix>,
    /// `subnets` (`None`: keep the current ones on update).
    pub subnets: Option<Vec<SubnetSpec>>,
    /// Tags.
    pub tags: AzTags,
}

/// The VNet a subnet is built in: its name, ARM id and location, and its address space sorted
/// ([`limits::sorted`]) and disjoint.
struct InVnet<'a> {
    name: &'a str,
    id: &'a str,
    location: &'a str,
    prefixes: &'a [Ipv4Net],
}

fn build_subnet(
    world: &World,
    vnet: &InVnet<'_>,
    spec: &SubnetSpec,
) -> Result<AzSubnet, AzureError> {
    check_name(&spec.name)?;
    let (vnet_name, prefixes) = (vnet.name, vnet.prefixes);
    let Some(p) = spec.prefix.as_ref() else {
        return Err(AzureError::SubnetWithoutPrefix {
            subnet: spec.name.clone(),
            vnet: vnet_name.to_owned(),
        });
    };
    let prefix = prefix_of(p)?;
    if !limits::contained_in_sorted(prefixes, prefix) {
        return Err(AzureError::SubnetOutsideVnet {
            subnet: spec.name.clone(),
            vnet: vnet_name.to_owned(),
        });
    }
    for (what, r) in [
        ("networkSecurityGroups", &spec.nsg),
        ("routeTables", &spec.route_table),
    ] {
        if let Some(id) = r {
            let subnet_id = format!("{}/subnets/{}", vnet.id, spec.name);
            same_subscription(&subnet_id, id)?;
            let location = match what {
                "networkSecurityGroups" => {
                    world.azure.nsgs.get(&key(id)).map(|n| &n.place.location)
                }
                _ => world
                    .azure
                    .route_tables
                    .get(&key(id))
                    .map(|r| &r.place.location),
            };
            match location {
                None => return Err(invalid_reference(id)),
                Some(l) if *l != normalize_location(vnet.location) => {
                    return Err(foreign_reference(&subnet_id, id))
                }
                Some(_) => {}
            }
        }
    }
    Ok(AzSubnet {
        name: spec.name.clone(),
        prefix,
        nsg: spec.nsg.clone(),
        route_table: spec.route_table.clone(),
    })
}

/// No two subnets share a name (case-insensitively) or overlap. `O(n log n)`.
fn check_subnets(vnet_name: &str, subnets: &[AzSubnet]) -> Result<(), AzureError> {
    limits::check_count(subnets.len(), limits::MAX_SUBNETS, Limit::Subnets)?;
    let mut names = HashSet::new();
    for s in subnets {
        if !names.insert(s.name.to_ascii_lowercase()) {
            return Err(AzureError::DuplicateSubnet {
                vnet: vnet_name.to_owned(),
                subnet: s.name.clone(),
            });
        }
    }
    let nets: Vec<Ipv4Net> = subnets.iter().map(|s| s.prefix).collect();
    if let Some((i, j)) = limits::first_overlap_index(&nets) {
        let (a, b) = (&subnets[i.min(j)], &subnets[i.max(j)]);
        return Err(AzureError::SubnetsOverlap {
            subnet: b.name.clone(),
            existing: a.name.clone(),
            vnet: vnet_name.to_owned(),
        });
    }
    Ok(())
}

/// The NIC that uses a subnet of `vnet_key` (named `subnet`, or any when `None`), if any.
fn nic_in_subnet<'a>(world: &'a World, vnet_key: &str, subnet: Option<&str>) -> Option<&'a AzNic> {
    world.azure.nics.values().find(|n| {
        n.ip_configs.iter().any(|c| {
            ArmId::parse(&c.subnet_id).is_some_and(|s| {
                key(&s.top_level()) == vnet_key
                    && subnet.is_none_or(|name| s.segments[1].1.eq_ignore_ascii_case(name))
            })
        })
    })
}

fn gateway_in_subnet<'a>(
    world: &'a World,
    vnet_key: &str,
    subnet: Option<&str>,
) -> Option<&'a AzGateway> {
    world.azure.gateways.values().find(|g| {
        g.vnet == vnet_key
            && subnet.is_none_or(|name| {
                ArmId::parse(&g.subnet_id)
                    .is_some_and(|s| s.segments[1].1.eq_ignore_ascii_case(name))
            })
    })
}

fn subnet_in_use(world: &World, vnet: &AzVnet, name: &str) -> Result<(), AzureError> {
    let user = nic_in_subnet(world, &vnet.id, Some(name))
        .map(|n| n.display_id.clone())
        .or_else(|| gateway_in_subnet(world, &vnet.id, Some(name)).map(|g| g.display_id.clone()));
    match user {
        Some(user) => Err(AzureError::SubnetInUse {
            subnet: name.to_owned(),
            user,
        }),
        None => Ok(()),
    }
}

/// The VNets peered with `vnet` (through a link of either side that still names it), with the
/// link's name, excluding `except`.
pub(super) fn peers_of<'a>(
    world: &'a World,
    vnet: &AzVnet,
    except: Option<&str>,
) -> Vec<&'a AzVnet> {
    let mut keys = BTreeSet::new();
    for l in peering::links_of(world, &vnet.id) {
        if world
            .azure
            .vnets
            .get(&l.remote_vnet)
            .is_some_and(|r| r.guid == l.remote_vnet_guid)
        {
            keys.insert(l.remote_vnet.clone());
        }
    }
    for l in world.azure.peerings.values() {
        if l.remote_vnet == vnet.id && l.remote_vnet_guid == vnet.guid {
            keys.insert(l.vnet.clone());
        }
    }
    keys.into_iter()
        .filter(|k| Some(k.as_str()) != except && *k != vnet.id)
        .filter_map(|k| world.azure.vnets.get(&k))
        .collect()
}

/// Creates or updates a virtual network.
pub fn put_vnet(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutVnet,
) -> Result<(AzVnet, bool), AzureError> {
    let (location, display_id, id, existing) = put_start::<AzVnet>(
        tx,
        t,
        t.network_id("virtualNetworks"),
        req.location.as_deref(),
    )?;
    if req.prefixes.is_empty() {
        return Err(AzureError::NoAddressSpace);
    }
    limits::check_count(
        req.prefixes.len(),
        limits::MAX_ADDRESS_PREFIXES,
        Limit::AddressPrefixes,
    )?;
    if let Some(specs) = &req.subnets {
        limits::check_count(specs.len(), limits::MAX_SUBNETS, Limit::Subnets)?;
    }
    let prefixes = req
        .prefixes
        .iter()
        .map(prefix_of)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((i, j)) = limits::first_overlap_index(&prefixes) {
        let (a, b) = (prefixes[i.min(j)], prefixes[i.max(j)]);
        return Err(AzureError::AddressPrefixesOverlap {
            vnet: t.name.clone(),
            a,
            b,
        });
    }
    let sorted_prefixes = limits::sorted(&prefixes);
    let subnets = match (&req.subnets, &existing) {
        (Some(specs), _) => {
            let mut out = Vec::new();
            for s in specs {
                let vnet = InVnet {
                    name: &t.name,
                    id: &display_id,
                    location: &location,
                    prefixes: &sorted_prefixes,
                };
                out.push(build_subnet(tx.world(), &vnet, s)?);
            }
            out
        }
        (None, Some(v)) => v.subnets.clone(),
        (None, None) => Vec::new(),
    };
    check_subnets(&t.name, &subnets)?;
    // Subnets kept from before must still lie inside the (possibly shrunk) address space.
    if let Some(s) = subnets
        .iter()
        .find(|s| !limits::contained_in_sorted(&sorted_prefixes, s.prefix))
    {
        return Err(AzureError::SubnetOutsideVnet {
            subnet: s.name.clone(),
            vnet: t.name.clone(),
        });
    }
    if let Some(v) = &existing {
        let by_name: HashMap<String, &AzSubnet> = subnets
            .iter()
            .map(|s| (s.name.to_ascii_lowercase(), s))
            .collect();
        for old in &v.subnets {
            let kept = by_name.get(&old.name.to_ascii_lowercase());
            if kept.is_none() {
                subnet_in_use(tx.world(), v, &old.name)?;
            }
            if let Some(s) = kept {
                if s.prefix != old.prefix {
                    subnet_in_use(tx.world(), v, &old.name).map_err(|_| {
                        AzureError::SubnetInUseCannotChange {
                            subnet: old.name.clone(),
                        }
                    })?;
                }
            }
        }
        // A new address space must not overlap any peer, nor the peers of a peer.
        let added: Vec<Ipv4Net> = prefixes
            .iter()
            .filter(|p| !v.prefixes.contains(p))
            .copied()
            .collect();
        if !added.is_empty() {
            // Each VNet is compared once, however many peers it shares with this one.
            let mut compared = BTreeSet::new();
            for peer in peers_of(tx.world(), v, None) {
                let o = overlapping(&added, &peer.prefixes);
                if !o.is_empty() {
                    return Err(AzureError::SpaceOverlapsPeer {
                        vnet: v.display_id.clone(),
                        other: peer.display_id.clone(),
                        via: None,
                        prefixes: o,
                    });
                }
                compared.insert(peer.id.clone());
            }
            for peer in peers_of(tx.world(), v, None) {
                for third in peers_of(tx.world(), peer, Some(&v.id)) {
                    if !compared.insert(third.id.clone()) {
                        continue;
                    }
                    let o = overlapping(&added, &third.prefixes);
                    if !o.is_empty() {
                        return Err(AzureError::SpaceOverlapsPeer {
                            vnet: v.display_id.clone(),
                            other: third.display_id.clone(),
                            via: Some(peer.display_id.clone()),
                            prefixes: o,
                        });
                    }
                }
            }
        }
    }
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let vnet = AzVnet {
        id: id.clone(),
        display_id,
        name,
        place: t.place(&location),
        prefixes,
        subnets,
        guid: kept_guid(tx, &existing),
        created: existing.as_ref().map_or(tx.now(), |v| v.created),
        tags: req.tags,
    };
    Ok(saved(tx, vnet, &existing))
}

/// Deletes a virtual network and its peering links (links of other VNets pointing at it become
/// Disconnected); returns whether it existed.
pub fn delete_vnet(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    let Some((id, vnet)) = stored::<AzVnet>(tx, t, "virtualNetworks")? else {
        return Ok(false);
    };
    for s in &vnet.subnets {
        subnet_in_use(tx.world(), &vnet, &s.name)?;
    }
    let links: Vec<String> = peering::links_of(tx.world(), &id)
        .map(|l| l.id.clone())
        .collect();
    for l in links {
        tx.remove::<AzPeering>(&l);
    }
    tx.remove::<AzVnet>(&id);
    Ok(true)
}

/// Looks a VNet up by target.
pub fn get_vnet<'a>(world: &'a World, t: &Target) -> Result<&'a AzVnet, AzureError> {
    require_group(world, t)?;
    world
        .azure
        .vnets
        .get(&key(&t.network_id("virtualNetworks")))
        .ok_or_else(|| t.not_found(Tagged::Vnet))
}

/// Creates or updates one subnet of the VNet `vnet`; returns the VNet and whether the subnet was
/// created.
pub fn put_subnet(
    tx: &mut Tx<'_, '_>,
    vnet: &Target,
    spec: SubnetSpec,
) -> Result<(AzVnet, bool), AzureError> {
    let mut v = get_vnet(tx.world(), vnet)?.clone();
    let sorted_prefixes = limits::sorted(&v.prefixes);
    let in_vnet = InVnet {
        name: &v.name,
        id: &v.display_id,
        location: &v.place.location,
        prefixes: &sorted_prefixes,
    };
    let sub = build_subnet(tx.world(), &in_vnet, &spec)?;
    if let Some(s) = v.subnet(&spec.name) {
        if s.prefix != sub.prefix {
            subnet_in_use(tx.world(), &v, &s.name).map_err(|_| {
                AzureError::SubnetInUseCannotChange {
                    subnet: s.name.clone(),
                }
            })?;
        }
    }
    let created = match v
        .subnets
        .iter_mut()
        .find(|s| s.name.eq_ignore_ascii_case(&spec.name))
    {
        Some(s) => {
            let name = s.name.clone();
            *s = AzSubnet { name, ..sub };
            false
        }
        None => {
            v.subnets.push(sub);
            true
        }
    };
    check_subnets(&v.name, &v.subnets)?;
    tx.put(v.clone());
    Ok((v, created))
}

/// Deletes a subnet; returns whether it existed.
pub fn delete_subnet(tx: &mut Tx<'_, '_>, vnet: &Target, name: &str) -> Result<bool, AzureError> {
    let mut v = get_vnet(tx.world(), vnet)?.clone();
    if v.subnet(name).is_none() {
        return Ok(false);
    }
    subnet_in_use(tx.world(), &v, name)?;
    v.subnets.retain(|s| !s.name.eq_ignore_ascii_case(name));
    tx.put(v);
    Ok(true)
}
