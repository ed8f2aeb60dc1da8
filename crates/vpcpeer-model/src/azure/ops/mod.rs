//! Azure commands. Each takes the transaction and what the caller asked for, validates everything
//! before it mutates, and returns the resulting record (with whether it was created) or an
//! [`AzureError`]: a kind of refusal plus the ids and values involved (the ARM code, status and
//! wording are `vpcpeer-wire-azure`'s, which also documents which codes are ARM's and which were
//! chosen here). Changes are applied at once: a long-running operation is already finished when
//! its PUT or DELETE is answered, and the operation record only lets its polling URLs answer
//! `Succeeded`. [`super::Command`] is the one entry point of the face; these functions are its
//! steps (and what tests and tools that hold a `Tx` call directly).
//!
//! One file per resource area: `resource_groups`, `vnets` (with their inline subnets),
//! `peerings`, `nsgs`, `route_tables`, `nics` (and VMs), `public_ips` (and their address
//! pool), `power` (a VM's deallocate, powerOff and start), `gateways`, `operations`
//! (with the effective-route and effective-NSG reads) and `tags`; every command is re-exported
//! here, so callers name `ops::put_vnet` and so on. This file holds what the areas share: the
//! [`Target`] of a request, name, location and prefix checks, and the reference rules
//! (same subscription, a well-formed id).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::limits::{self, overlapping};
use super::peering::{self, PeeringState};
use super::{
    key, normalize_location, resource_group_id, resource_id, AddressPrefix, ArmId, AzGateway,
    AzGatewayType, AzIpConfig, AzNextHop, AzNic, AzNsg, AzOperation, AzOperationResult, AzPeering,
    AzPlace, AzPowerState, AzPublicIp, AzPublicIpSku, AzResourceGroup, AzRoute, AzRouteTable,
    AzSecurityRule, AzSubnet, AzTags, AzVm, AzVnet, AzureError, IpAddress, Limit, OtherCloud,
    PeeredSide, Side,
};
use crate::{with_key_prefix, Tx, World};

mod gateways;
mod nics;
mod nsgs;
mod operations;
mod peerings;
mod power;
mod public_ips;
mod resource_groups;
mod route_tables;
mod tags;
mod vnets;

pub use gateways::*;
pub use nics::*;
pub use nsgs::*;
pub use operations::*;
pub use peerings::*;
pub use power::*;
pub use public_ips::*;
pub use resource_groups::*;
pub use route_tables::*;
pub use tags::*;
pub use vnets::*;

const NETWORK: &str = "Microsoft.Network";
const COMPUTE: &str = "Microsoft.Compute";

/// Which resource a request names: subscription, resource group and resource name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// Subscription (from the URL).
    pub subscription: String,
    /// Resource group (from the URL).
    pub resource_group: String,
    /// Resource name (from the URL).
    pub name: String,
}

impl Target {
    /// A target from its parts.
    pub fn new(subscription: &str, resource_group: &str, name: &str) -> Self {
        Target {
            subscription: subscription.to_owned(),
            resource_group: resource_group.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The ARM id of a `Microsoft.Network/{kind}` resource with this name.
    pub fn network_id(&self, kind: &str) -> String {
        resource_id(
            &self.subscription,
            &self.resource_group,
            NETWORK,
            kind,
            &self.name,
        )
    }

    /// `NotFound` for a `kind` resource named like this target.
    pub fn not_found(&self, kind: Tagged) -> AzureError {
        AzureError::NotFound {
            kind,
            name: self.name.clone(),
            resource_group: self.resource_group.clone(),
        }
    }

    fn place(&self, location: &str) -> AzPlace {
        AzPlace {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            location: normalize_location(location),
        }
    }
}

/// Checks an ARM resource name: 1–80 characters, starting with a letter or digit, ending with a
/// letter, digit or `_`, and otherwise letters, digits, `.`, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), AzureError> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AzureError::InvalidName {
            name: name.to_owned(),
        })
    }
}

fn require_location(location: Option<&str>) -> Result<&str, AzureError> {
    match location {
        Some(l) if !l.trim().is_empty() => Ok(l),
        _ => Err(AzureError::LocationRequired),
    }
}

fn check_same_location(existing: &AzPlace, id: &str, location: &str) -> Result<(), AzureError> {
    let wanted = normalize_location(location);
    if existing.location != wanted {
        return Err(AzureError::LocationChanged {
            id: id.to_owned(),
            location: existing.location.clone(),
            resource_group: existing.resource_group.clone(),
            wanted,
        });
    }
    Ok(())
}

fn require_group(world: &World, t: &Target) -> Result<(), AzureError> {
    let id = key(&resource_group_id(&t.subscription, &t.resource_group));
    if world.azure.resource_groups.contains_key(&id) {
        Ok(())
    } else {
        Err(AzureError::GroupNotFound {
            name: t.resource_group.clone(),
        })
    }
}

/// The block an address prefix of the request names (parsed by the wire), or its refusal.
fn prefix_of(p: &AddressPrefix) -> Result<Ipv4Net, AzureError> {
    p.value().copied().ok_or_else(|| AzureError::InvalidPrefix {
        prefix: p.text().to_owned(),
    })
}

/// The subscription an ARM id names (`/subscriptions/{s}/…`), if it names one.
fn subscription_of(id: &str) -> Option<&str> {
    let mut parts = id.trim_start_matches('/').split('/');
    let first = parts.next()?;
    first
        .eq_ignore_ascii_case("subscriptions")
        .then(|| parts.next())
        .flatten()
        .filter(|s| !s.is_empty())
}

/// The refusal of a reference Azure will not follow (another subscription or region; the wire
/// words it as ARM does for a NIC on another subscription's subnet, Azure/azure-cli#13258).
fn foreign_reference(referrer: &str, referenced: &str) -> AzureError {
    AzureError::ForeignReference {
        referrer: referrer.to_owned(),
        referenced: referenced.to_owned(),
    }
}

/// Refuses a reference from `referrer` to a resource of another subscription: a NIC and the
/// VNet of its subnet, a subnet or NIC and its NSG, a subnet and its route table, a VM and its
/// NICs, a gateway and its VNet must all be in one subscription (and one region), as Azure's
/// docs require ("the NIC, subnet, and VNet must all exist in the same region and
/// subscription"; route tables: "in the same Azure location and subscription"). Checked before
/// the referenced resource is looked up, so a caller learns nothing of another subscription.
/// VNet peering is the one cross-subscription reference Azure allows (spec §2.7).
fn same_subscription(referrer: &str, referenced: &str) -> Result<(), AzureError> {
    match (subscription_of(referrer), subscription_of(referenced)) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            Err(foreign_reference(referrer, referenced))
        }
        _ => Ok(()),
    }
}

fn invalid_reference(id: &str) -> AzureError {
    AzureError::MissingReference { id: id.to_owned() }
}

/// The subnet reference `subnet_id` (`…/virtualNetworks/{v}/subnets/{s}`) parsed, or its
/// refusal when it names no subnet.
fn subnet_ref(subnet_id: &str) -> Result<ArmId, AzureError> {
    ArmId::parse(subnet_id)
        .filter(|s| s.is(NETWORK, &["virtualNetworks", "subnets"]))
        .ok_or_else(|| invalid_reference(subnet_id))
}

/// The key and the record of the VNet holding the subnet `sref` (as `subnet_id` spells it), or
/// the refusal of a reference to a VNet there is not.
fn vnet_of_subnet<'w>(
    world: &'w World,
    sref: &ArmId,
    subnet_id: &str,
) -> Result<(String, &'w AzVnet), AzureError> {
    let vkey = key(&sref.top_level());
    let vnet = world
        .azure
        .vnets
        .get(&vkey)
        .ok_or_else(|| invalid_reference(subnet_id))?;
    Ok((vkey, vnet))
}

/// A virtual network gateway in the VNet `vnet_key`, if it has one.
fn gateway_in<'w>(world: &'w World, vnet_key: &str) -> Option<&'w AzGateway> {
    world.azure.gateways.values().find(|g| g.vnet == vnet_key)
}

fn referencing_subnet(world: &World, id: &str, nsg: bool) -> Option<String> {
    for v in world.azure.vnets.values() {
        for s in &v.subnets {
            let r = if nsg { &s.nsg } else { &s.route_table };
            if r.as_deref().is_some_and(|r| key(r) == id) {
                return Some(format!("{}/subnets/{}", v.display_id, s.name));
            }
        }
    }
    None
}

/// A record that keeps the spelling of its id and name from the PUT that created it.
pub(crate) trait Spelling {
    /// Its id, as first spelled.
    fn display_id(&self) -> &str;
    /// Its name, as first spelled.
    fn name(&self) -> &str;
}

/// A top-level ARM record, as a PUT or DELETE of it reads the one stored.
pub(crate) trait TopLevel: crate::Entity + Spelling + Clone {
    /// Where it lives.
    fn place(&self) -> &AzPlace;
}

/// Implements `$trait` for each listed record type, each method returning a reference to the
/// field of its name.
macro_rules! field_access {
    ($trait:ident $fields:tt for $($ty:ty),*) => {
        $(field_access!(@impl $trait $ty $fields);)*
    };
    (@impl $trait:ident $ty:ty { $($field:ident: $ret:ty),* }) => {
        impl $trait for $ty {
            $(fn $field(&self) -> &$ret {
                &self.$field
            })*
        }
    };
}

field_access!(Spelling { display_id: str, name: str } for
    AzVnet, AzNsg, AzRouteTable, AzNic, AzGateway, AzVm, AzPeering, AzResourceGroup, AzPublicIp);
field_access!(TopLevel { place: AzPlace } for
    AzVnet, AzNsg, AzRouteTable, AzNic, AzGateway, AzVm, AzPublicIp);

/// What the PUT of a top-level resource starts from: the location asked for, the id as this
/// request spells it, the record's key and the record stored under it, if any.
type Start<T> = (String, String, String, Option<T>);

/// Checks the name, the resource group and the location (in that order), then reads the record
/// at `display_id`; a stored record must stay in its location.
fn put_start<T: TopLevel>(
    tx: &Tx<'_, '_>,
    t: &Target,
    display_id: String,
    location: Option<&str>,
) -> Result<Start<T>, AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(location)?.to_owned();
    let id = key(&display_id);
    let existing = tx.get::<T>(&id).cloned();
    if let Some(e) = &existing {
        check_same_location(e.place(), e.display_id(), &location)?;
    }
    Ok((location, display_id, id, existing))
}

/// A record with a GUID drawn when it is created.
trait Guid {
    fn guid(&self) -> &str;
}

field_access!(Guid { guid: str } for AzVnet, AzNsg, AzNic, AzGateway, AzVm, AzPublicIp);

/// The GUID a PUT keeps: the stored record's, else a fresh one.
fn kept_guid<T: Guid>(tx: &mut Tx<'_, '_>, existing: &Option<T>) -> String {
    existing
        .as_ref()
        .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid().to_owned())
}

/// Stores what a PUT built; returns it and whether it was created.
fn saved<T: TopLevel>(tx: &mut Tx<'_, '_>, record: T, existing: &Option<T>) -> (T, bool) {
    tx.put(record.clone());
    (record, existing.is_none())
}

/// Stores `parent` when `removed` says a child of it went; returns whether one did (a DELETE of
/// a security rule or a route).
fn child_removed<T: TopLevel>(tx: &mut Tx<'_, '_>, parent: T, removed: bool) -> bool {
    if removed {
        tx.put(parent);
    }
    removed
}

/// The id and name a PUT keeps: the stored record's first spelling, else the request's.
fn kept_spelling<T: Spelling>(
    existing: &Option<T>,
    display_id: String,
    t: &Target,
) -> (String, String) {
    kept_names(existing, display_id, &t.name)
}

/// The id and name a PUT keeps: the stored record's first spelling, else `display_id` and
/// `name` as the request spells them.
fn kept_names<T: Spelling>(
    existing: &Option<T>,
    display_id: String,
    name: &str,
) -> (String, String) {
    match existing {
        Some(e) => (e.display_id().to_owned(), e.name().to_owned()),
        None => (display_id, name.to_owned()),
    }
}

/// The top-level record `kind` (`routeTables`, …) a DELETE names, after the resource group
/// check; `None` when there is none (DELETE answers 204).
fn stored<T: TopLevel>(
    tx: &Tx<'_, '_>,
    t: &Target,
    kind: &str,
) -> Result<Option<(String, T)>, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id(kind));
    Ok(tx.get::<T>(&id).cloned().map(|r| (id, r)))
}

/// DELETE of the top-level record `kind` that `t` names, unless `in_use` (given the world, the
/// record's key and the record) refuses it; returns whether there was one (DELETE answers 204
/// when not).
fn delete_unused<T: TopLevel>(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    kind: &str,
    in_use: impl FnOnce(&World, &str, &T) -> Option<AzureError>,
) -> Result<bool, AzureError> {
    let Some((id, record)) = stored::<T>(tx, t, kind)? else {
        return Ok(false);
    };
    if let Some(e) = in_use(tx.world(), &id, &record) {
        return Err(e);
    }
    tx.remove::<T>(&id);
    Ok(true)
}

/// The top-level record a request needs (a security rule's NSG, a route's table, the NIC of an
/// effective read), after the resource group check: `segment` is its type segment in ids,
/// `kind` what a `NotFound` names when there is none.
fn required<T: TopLevel>(
    tx: &Tx<'_, '_>,
    t: &Target,
    segment: &str,
    kind: Tagged,
) -> Result<T, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id(segment));
    tx.get::<T>(&id).cloned().ok_or_else(|| t.not_found(kind))
}

/// Replaces the item of `items` named like `item` (case-insensitively, keeping the stored
/// spelling of the name) or appends it; returns whether it was appended.
fn upsert_named<R>(items: &mut Vec<R>, mut item: R, name: impl Fn(&mut R) -> &mut String) -> bool {
    let wanted = name(&mut item).clone();
    match items
        .iter_mut()
        .position(|r| name(r).eq_ignore_ascii_case(&wanted))
    {
        Some(i) => {
            *name(&mut item) = name(&mut items[i]).clone();
            items[i] = item;
            false
        }
        None => {
            items.push(item);
            true
        }
    }
}

/// Removes the item of `items` named `wanted` (case-insensitively); returns whether there was one.
fn remove_named<R>(items: &mut Vec<R>, wanted: &str, name: impl Fn(&R) -> &str) -> bool {
    let before = items.len();
    items.retain(|r| !name(r).eq_ignore_ascii_case(wanted));
    items.len() != before
}
