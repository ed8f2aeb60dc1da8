//! One query over every cloud: resolves each end to AWS, GCP, Azure or the internet, and hands
//! the query to that cloud's engine ([`crate::explain()`] for AWS over the [`Snapshot`],
//! [`crate::gcp`] and [`crate::azure`] over the [`World`]).
//!
//! - An id names its cloud: `i-…`/`eni-…` AWS, `projects/P/zones/Z/instances/N` (or its
//!   selfLink) GCP, an ARM id of a VM or NIC Azure.
//! - An address is looked up in every cloud: held by an interface (AWS ENI, GCP instance NIC,
//!   Azure NIC), else inside a VPC, GCP subnetwork or Azure subnet. `IP@NETWORK` keeps only the
//!   candidates of that network (a VPC id, a GCP network path/URL, a VNet ARM id). A source that
//!   several networks hold is ambiguous; a destination prefers the source's cloud, then the
//!   source's network, then a network actively peered with it. An address nowhere is the
//!   internet (as a destination).
//! - Two ends in different clouds cannot be joined by native peering (VPC peering, VPC Network
//!   Peering, VNet peering): the query is walked through encrypted tunnels between gateway VMs
//!   instead ([`crate::crossing`]: the source's route must lead to a gateway VM whose
//!   configuration sends the destination into a tunnel). When no route of the source leads to
//!   a gateway, the verdict is [`Code::CrossCloud`]. Two ends of one cloud in networks that are
//!   not natively peered go through gateways the same way when the source's route leads to a
//!   gateway with a tunnel for the destination (GCP and Azure; AWS's own walk follows AWS
//!   tunnels); otherwise the cloud's walk answers.

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::World;

use crate::azure::{self, AEnd, Azure};
use crate::crossing::{self, aws::Aws};
use crate::explain::{explain, instance_eni};
use crate::gcp::{self, GEnd, Gcp};
use crate::model::{
    Code, ComponentKind as K, ComponentRef, Endpoint, Header, Protocol, Query, QueryError, Verdict,
};
use crate::snapshot::clouds::Reads;
use crate::snapshot::Snapshot;
use crate::trace::Trace;
use crate::tunnel::clouds::AllClouds;
use crate::walk;

/// One end of a query, resolved to its cloud.
pub(crate) enum Side<'w> {
    /// An AWS endpoint (the AWS engine resolves it again); the VPC and address for cross-cloud
    /// answers.
    Aws {
        ep: Endpoint,
        vpc: String,
        ip: Option<IpAddr>,
        component: ComponentRef,
    },
    /// A GCP instance or an address in a GCP subnetwork.
    Gcp(GEnd<'w>),
    /// An Azure VM, NIC, or an address in an Azure subnet.
    Azure(AEnd<'w>),
    /// An address outside every network.
    Internet(IpAddr),
}

impl Side<'_> {
    fn cloud(&self) -> &'static str {
        match self {
            Side::Aws { .. } => "AWS",
            Side::Gcp(_) => "Google Cloud",
            Side::Azure(_) => "Azure",
            Side::Internet(_) => "the internet",
        }
    }

    fn network(&self) -> ComponentRef {
        match self {
            Side::Aws { vpc, .. } => ComponentRef::new(K::Vpc, vpc),
            Side::Gcp(g) => ComponentRef::new(K::Network, &g.network),
            Side::Azure(a) => ComponentRef::new(K::Network, &a.vnet.display_id),
            Side::Internet(_) => ComponentRef::new(K::Internet, "internet"),
        }
    }

    fn network_id(&self) -> String {
        self.network().id
    }

    fn ip(&self) -> Option<IpAddr> {
        match self {
            Side::Aws { ip, .. } => *ip,
            Side::Gcp(g) => Some(IpAddr::V4(g.ip)),
            Side::Azure(a) => Some(IpAddr::V4(a.ip)),
            Side::Internet(ip) => Some(*ip),
        }
    }

    fn component(&self) -> ComponentRef {
        match self {
            Side::Aws { component, .. } => component.clone(),
            Side::Gcp(g) => g.component(),
            Side::Azure(a) => a.component(),
            Side::Internet(_) => ComponentRef::new(K::Internet, "internet"),
        }
    }
}

fn v4(ip: Ipv4Addr) -> IpAddr {
    IpAddr::V4(ip)
}

/// Answers `q` whatever clouds its ends are in. `snap` must be compiled from `world` (or kept
/// current with every change to it, GCP and Azure records included: its index of those clouds
/// is how the GCP and Azure sides find a network's records and an address's holder).
pub fn explain_world(world: &World, snap: &Snapshot, q: &Query) -> Result<Verdict, QueryError> {
    if matches!(q.protocol, Protocol::Tcp | Protocol::Udp) && q.port.is_none() {
        return Err(QueryError::PortRequired(q.protocol));
    }
    let reads = Reads::indexed(world, &snap.clouds);
    let src = resolve(world, snap, &q.src, None)?;
    let dst = resolve(world, snap, &q.dst, Some(&src))?;
    match (src, dst) {
        // IPv6 from the internet into an AWS VPC (see `explain`'s walk from the internet).
        (Side::Internet(ip), Side::Aws { ep: d, .. }) if ip.is_ipv6() => explain(
            snap,
            &Query {
                src: Endpoint::Ip(ip),
                dst: d,
                ..q.clone()
            },
        ),
        (Side::Internet(ip), _) => Err(QueryError::UnknownSourceAddress(ip)),
        (Side::Aws { ep: s, .. }, Side::Aws { ep: d, .. }) => explain(
            snap,
            &Query {
                src: s,
                dst: d,
                ..q.clone()
            },
        ),
        (Side::Aws { ep: s, .. }, Side::Internet(ip)) => explain(
            snap,
            &Query {
                src: s,
                dst: Endpoint::Ip(ip),
                ..q.clone()
            },
        ),
        (Side::Gcp(s), Side::Gcp(d)) => {
            if s.network != d.network && !gcp::actively_peered(world, &s.network, &d.network) {
                let all = AllClouds::new(world, snap);
                let g = Gcp::new(reads);
                if let Some(v) = crossing::cross(&all, &g, &g, q, (&s, &d), true) {
                    return Ok(v);
                }
            }
            walk::explain(&Gcp::new(reads), q, &s, Some(&d), v4(d.ip))
        }
        (Side::Gcp(s), Side::Internet(ip)) => walk::explain(&Gcp::new(reads), q, &s, None, ip),
        (Side::Azure(s), Side::Azure(d)) => {
            if s.vnet.id != d.vnet.id && !azure::connected(world, &s.vnet.id, &d.vnet.id) {
                let all = AllClouds::new(world, snap);
                let a = Azure::new(reads);
                if let Some(v) = crossing::cross(&all, &a, &a, q, (&s, &d), true) {
                    return Ok(v);
                }
            }
            walk::explain(&Azure::new(reads), q, &s, Some(&d), v4(d.ip))
        }
        (Side::Azure(s), Side::Internet(ip)) => walk::explain(&Azure::new(reads), q, &s, None, ip),
        (s, d) => {
            let all = AllClouds::new(world, snap);
            let (g, a, w) = (Gcp::new(reads), Azure::new(reads), Aws { snap });
            let aws_end = |side: &Side<'_>| match side {
                Side::Aws { ep, .. } => crossing::aws::end(snap, ep),
                _ => None,
            };
            let through = match (&s, &d) {
                (Side::Gcp(x), Side::Azure(y)) => crossing::cross(&all, &g, &a, q, (x, y), false),
                (Side::Azure(x), Side::Gcp(y)) => crossing::cross(&all, &a, &g, q, (x, y), false),
                (Side::Aws { .. }, Side::Gcp(y)) => {
                    aws_end(&s).and_then(|x| crossing::cross(&all, &w, &g, q, (&x, y), false))
                }
                (Side::Aws { .. }, Side::Azure(y)) => {
                    aws_end(&s).and_then(|x| crossing::cross(&all, &w, &a, q, (&x, y), false))
                }
                (Side::Gcp(x), Side::Aws { .. }) => {
                    aws_end(&d).and_then(|y| crossing::cross(&all, &g, &w, q, (x, &y), false))
                }
                (Side::Azure(x), Side::Aws { .. }) => {
                    aws_end(&d).and_then(|y| crossing::cross(&all, &a, &w, q, (x, &y), false))
                }
                _ => None,
            };
            match through {
                Some(v) => Ok(v),
                None => cross_cloud(q, &s, &d),
            }
        }
    }
}

/// The verdict for two ends in different clouds.
fn cross_cloud(q: &Query, src: &Side<'_>, dst: &Side<'_>) -> Result<Verdict, QueryError> {
    let unspecified = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    let h = Header::for_query(
        q,
        src.ip().unwrap_or(unspecified),
        dst.ip().unwrap_or(unspecified),
    );
    let mut t = Trace::new();
    t.hop(src.component(), None, h);
    t.hop(src.network(), None, h);
    t.block(
        Code::CrossCloud,
        dst.network(),
        format!(
            "{} is in {} ({}) and {} is in {} ({}): native peering cannot join networks of \
             different clouds; cross-cloud traffic needs encrypted peering through gateways \
             (a gateway VM in each cloud), and no route of the source leads to a gateway VM \
             with a tunnel toward the destination",
            src.component().id,
            src.cloud(),
            src.network_id(),
            dst.component().id,
            dst.cloud(),
            dst.network_id()
        ),
    );
    Ok(t.verdict())
}

/// Whether `hint` names the AWS VPC, GCP network or Azure VNet `network`.
fn hint_names(hint: &str, side: &Side<'_>) -> bool {
    match side {
        Side::Aws { vpc, .. } => hint == vpc,
        Side::Gcp(g) => {
            let rel = vpcpeer_model::gcp::relative_path(hint);
            rel == g.network
                || vpcpeer_model::gcp::resolve_network(
                    hint,
                    vpcpeer_model::gcp::project_of(&g.network),
                )
                .is_some_and(|n| n == g.network)
        }
        Side::Azure(a) => vpcpeer_model::azure::key(hint) == a.vnet.id,
        Side::Internet(_) => false,
    }
}

fn resolve<'w>(
    world: &'w World,
    snap: &'w Snapshot,
    ep: &Endpoint,
    src: Option<&Side<'w>>,
) -> Result<Side<'w>, QueryError> {
    match ep {
        Endpoint::Instance(id) => {
            let eni = instance_eni(snap, id)?;
            Ok(Side::Aws {
                ep: ep.clone(),
                vpc: eni.vpc_id.clone(),
                ip: eni.ips.first().copied(),
                component: ComponentRef::new(K::Instance, id),
            })
        }
        Endpoint::Eni(id) => {
            let eni = snap
                .enis
                .get(id)
                .ok_or_else(|| QueryError::UnknownInterface(id.clone()))?;
            Ok(Side::Aws {
                ep: ep.clone(),
                vpc: eni.vpc_id.clone(),
                ip: eni.ips.first().copied(),
                component: ComponentRef::new(K::NetworkInterface, id),
            })
        }
        Endpoint::GcpInstance(id) => gcp::instance_end(world, id).map(Side::Gcp),
        Endpoint::Azure(id) => azure::resource_end(world, id).map(Side::Azure),
        Endpoint::Ip(ip) => by_address(world, snap, *ip, None, src),
        Endpoint::IpIn(ip, hint) => by_address(world, snap, *ip, Some(hint), src),
    }
}

/// Every endpoint an address can stand for, in every cloud.
fn candidates<'w>(world: &'w World, snap: &'w Snapshot, ip: IpAddr) -> Vec<Side<'w>> {
    let mut out = Vec::new();
    let enis = snap.enis_by_ip.get(&ip).map(Vec::as_slice).unwrap_or(&[]);
    for id in enis {
        if let Some(e) = snap.enis.get(id) {
            out.push(Side::Aws {
                ep: if enis.len() == 1 {
                    Endpoint::Ip(ip)
                } else {
                    Endpoint::Eni(id.clone())
                },
                vpc: e.vpc_id.clone(),
                ip: Some(ip),
                component: ComponentRef::new(K::NetworkInterface, id),
            });
        }
    }
    if enis.is_empty() {
        for v in snap.vpcs_containing(ip) {
            out.push(Side::Aws {
                ep: Endpoint::Ip(ip),
                vpc: v.id.clone(),
                ip: Some(ip),
                component: ComponentRef::new(K::Vpc, &v.id),
            });
        }
    }
    if let IpAddr::V4(a) = ip {
        let reads = Reads::indexed(world, &snap.clouds);
        out.extend(gcp::ip_ends(reads, a).into_iter().map(Side::Gcp));
        out.extend(azure::ip_ends(reads, a).into_iter().map(Side::Azure));
    }
    out
}

fn by_address<'w>(
    world: &'w World,
    snap: &'w Snapshot,
    ip: IpAddr,
    hint: Option<&str>,
    src: Option<&Side<'w>>,
) -> Result<Side<'w>, QueryError> {
    let mut c = candidates(world, snap, ip);
    if let Some(h) = hint {
        c.retain(|s| hint_names(h, s));
        if c.is_empty() {
            return Err(QueryError::UnknownEndpoint(format!("{ip}@{h}")));
        }
    }
    // Several AWS interfaces for one address are the AWS engine's to choose between.
    let all_aws = c.iter().all(|s| matches!(s, Side::Aws { .. }));
    if c.len() > 1 && all_aws && hint.is_none() {
        return Ok(Side::Aws {
            ep: Endpoint::Ip(ip),
            vpc: c.first().map(Side::network_id).unwrap_or_default(),
            ip: Some(ip),
            component: ComponentRef::new(K::NetworkInterface, ip.to_string()),
        });
    }
    if c.len() > 1 {
        if let Some(s) = src {
            let same_cloud: Vec<usize> = (0..c.len())
                .filter(|i| std::mem::discriminant(&c[*i]) == std::mem::discriminant(s))
                .collect();
            let pick = same_cloud
                .iter()
                .find(|i| c[**i].network_id() == s.network_id())
                .or_else(|| same_cloud.iter().find(|i| peered(world, s, &c[**i])))
                .copied()
                .or_else(|| (same_cloud.len() == 1).then(|| same_cloud[0]));
            if let Some(i) = pick {
                return Ok(c.swap_remove(i));
            }
        }
        let names: Vec<String> = c.iter().map(Side::network_id).collect();
        return Err(QueryError::AmbiguousAddress(ip, names.join(", ")));
    }
    Ok(c.pop().unwrap_or(Side::Internet(ip)))
}

/// Whether the networks of `a` and `b` are actively peered (same cloud).
fn peered(world: &World, a: &Side<'_>, b: &Side<'_>) -> bool {
    match (a, b) {
        (Side::Gcp(x), Side::Gcp(y)) => gcp::actively_peered(world, &x.network, &y.network),
        (Side::Azure(x), Side::Azure(y)) => azure::connected(world, &x.vnet.id, &y.vnet.id),
        _ => false,
    }
}
