//! Commands on the world, as methods of [`Tx`]. Each validates before it mutates, and any error
//! rolls the whole transaction back, so a refused command leaves no trace.
//!
//! Lookups are scoped: a resource of another account or region is reported as not found, except
//! peering connections, which both of their owners see.

pub mod acl;
pub mod address;
pub mod appliance;
pub mod catalog;
pub mod catalog_command;
mod command;
pub mod default_vpc;
pub mod dhcp;
pub mod eip;
pub mod endpoints;
pub(crate) mod error;
pub mod gateway;
pub mod input;
pub mod insights;
pub mod instance;
pub mod interface;
pub mod ipv6;
pub mod key_pair;
pub mod launch_template;
pub mod peering;
pub mod peering_state;
pub mod regions;
pub(crate) mod resources;
pub mod route;
pub mod security_group;
pub mod subnet;
mod tables;
pub mod tags;
pub mod template_ref;
pub mod vpc;
pub mod vpn;

pub use command::{Command, Outcome};
pub use tables::Tables;

use crate::{DomainError, Entity, Kind, LimitKind, Scope, Tx};

/// Checks that `id` has the shape `<prefix>-<8 or 17 lowercase hex>`.
pub fn check_id(kind: Kind, id: &str) -> Result<(), DomainError> {
    let Some(prefix) = kind.prefix() else {
        return Ok(());
    };
    if has_id_shape(id, prefix) {
        Ok(())
    } else {
        Err(DomainError::MalformedId {
            kind,
            id: id.to_owned(),
        })
    }
}

/// Whether `id` has the shape `<prefix>-<8 or 17 lowercase hex>`.
pub(crate) fn has_id_shape(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Refuses one more resource under the quota `kind` when its limit `max` is set and `count`
/// (asked only then) already reaches it; `resource` names the resource (a VPC, a route table)
/// a per-resource quota is counted in.
pub(crate) fn check_limit(
    max: Option<usize>,
    kind: LimitKind,
    resource: Option<&str>,
    count: impl FnOnce() -> usize,
) -> Result<(), DomainError> {
    match max {
        Some(max) if count() >= max => Err(DomainError::LimitExceeded {
            kind,
            max,
            resource: resource.map(str::to_owned),
        }),
        _ => Ok(()),
    }
}

/// A resource with an owner scope.
pub trait Owned: Entity {
    /// Kind, for errors.
    const KIND: Kind;
    /// Owner account and region.
    fn scope(&self) -> &Scope;
}

macro_rules! owned {
    ($($ty:ident => $kind:ident;)*) => {
        $(impl Owned for crate::$ty {
            const KIND: Kind = Kind::$kind;
            fn scope(&self) -> &Scope { &self.scope }
        })*
    };
}

owned! {
    Vpc => Vpc;
    Subnet => Subnet;
    RouteTable => RouteTable;
    InternetGateway => InternetGateway;
    NatGateway => NatGateway;
    SecurityGroup => SecurityGroup;
    NetworkAcl => NetworkAcl;
    Instance => Instance;
    NetworkInterface => NetworkInterface;
    NetworkInsightsPath => NetworkInsightsPath;
    NetworkInsightsAnalysis => NetworkInsightsAnalysis;
    EgressOnlyInternetGateway => EgressOnlyInternetGateway;
    ElasticIp => ElasticIp;
    VpnGateway => VpnGateway;
    CustomerGateway => CustomerGateway;
    DhcpOptions => DhcpOptions;
    ManagedPrefixList => PrefixList;
    VpcEndpoint => VpcEndpoint;
    KeyPair => KeyPair;
    LaunchTemplate => LaunchTemplate;
}

/// A resource that lives in one VPC.
pub(crate) trait InVpc: Entity {
    /// Its VPC.
    fn vpc_id(&self) -> &str;
}

macro_rules! in_vpc {
    ($($ty:ident),*) => {
        $(impl InVpc for crate::$ty {
            fn vpc_id(&self) -> &str { &self.vpc_id }
        })*
    };
}

in_vpc!(
    Subnet,
    RouteTable,
    NatGateway,
    SecurityGroup,
    NetworkAcl,
    Instance,
    NetworkInterface,
    EgressOnlyInternetGateway,
    VpcEndpoint
);

impl Tx<'_, '_> {
    /// The caller's own resource `id`, or `Invalid…ID.NotFound`/`.Malformed`.
    pub fn owned<R: Owned>(&self, id: &str) -> Result<&R, DomainError> {
        check_id(R::KIND, id)?;
        match self.get::<R>(id) {
            Some(r) if r.scope() == self.scope() => Ok(r),
            _ => Err(DomainError::not_found(R::KIND, id)),
        }
    }

    /// The caller's own resource `id`, mutably.
    pub fn owned_mut<R: Owned>(&mut self, id: &str) -> Result<&mut R, DomainError> {
        self.owned::<R>(id)?;
        Ok(self.get_mut::<R>(id).expect("checked above"))
    }

    /// All of the caller's resources of one kind, in id order.
    pub fn list_owned<R: Owned>(&self) -> impl Iterator<Item = &R> {
        let scope = self.scope().clone();
        R::table(self.world())
            .values()
            .filter(move |r| *r.scope() == scope)
    }

    /// Every `R` in the VPC `vpc_id`, in id order.
    pub(crate) fn in_vpc<'s, R: InVpc>(
        &'s self,
        vpc_id: &'s str,
    ) -> impl Iterator<Item = &'s R> + 's {
        R::table(self.world())
            .values()
            .filter(move |r| r.vpc_id() == vpc_id)
    }

    /// The ids of every `R` in the VPC `vpc_id`, in id order (to change them one by one).
    pub(crate) fn ids_in_vpc<R: InVpc>(&self, vpc_id: &str) -> Vec<String> {
        self.in_vpc::<R>(vpc_id)
            .map(|r| r.id().to_owned())
            .collect()
    }

    /// Refuses one more of the caller's `R` in its region when the per-region quota `kind`
    /// (limit `max`) is reached.
    pub(crate) fn check_region_limit<R: Owned>(
        &self,
        max: Option<usize>,
        kind: LimitKind,
    ) -> Result<(), DomainError> {
        check_limit(max, kind, None, || self.list_owned::<R>().count())
    }
}
