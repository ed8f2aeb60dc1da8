//! The AWS walk from the internet: an IPv6 source address outside every VPC (and held by no
//! interface) sending to an interface. The traffic enters through an internet gateway attached to
//! the destination's VPC; a VPC whose only gateway is an egress-only internet gateway admits no
//! connection from outside (`EGRESS_ONLY_IGW_INBOUND`), and one with no gateway at all has no
//! route in (`NO_ROUTE_TO_DESTINATION` at the VPC). The reply must find a route back to the
//! internet (an internet or egress-only gateway: both are stateful and carry it).
//!
//! IPv4 sources on the internet are not answered (the engine has no public IPv4 addresses to
//! deliver to): they remain an unknown source address.

use super::*;

/// The source address of `q` when it is an IPv6 address on the internet.
pub(super) fn internet_source(s: &Snapshot, src: &Endpoint) -> Option<IpAddr> {
    let ip = match src {
        Endpoint::Ip(ip) | Endpoint::IpIn(ip, _) => *ip,
        _ => return None,
    };
    let on_internet = ip.is_ipv6()
        && s.enis_by_ip.get(&ip).is_none_or(|v| v.is_empty())
        && s.vpcs_containing(ip).next().is_none();
    on_internet.then_some(ip)
}

/// The destination interface of a query from the internet, and its address.
fn internet_destination<'s>(
    s: &'s Snapshot,
    dst: &Endpoint,
    src_ip: IpAddr,
) -> Result<(&'s EniView, IpAddr), QueryError> {
    let eni = match dst {
        Endpoint::Instance(id) => instance_eni(s, id)?,
        Endpoint::Eni(id) => eni_by_id(s, id)?,
        Endpoint::Ip(ip) | Endpoint::IpIn(ip, _) => {
            let eni = s
                .enis_by_ip
                .get(ip)
                .and_then(|ids| ids.first())
                .and_then(|id| s.enis.get(id))
                .ok_or_else(|| QueryError::UnknownEndpoint(ip.to_string()))?;
            return Ok((eni, *ip));
        }
        Endpoint::GcpInstance(id) | Endpoint::Azure(id) => {
            return Err(QueryError::UnknownEndpoint(id.clone()))
        }
    };
    let ip = eni
        .address_like(src_ip)
        .ok_or_else(|| QueryError::NoAddressInFamily(eni.id.clone()))?;
    Ok((eni, ip))
}

/// Answers `q` from `src_ip` on the internet.
pub(super) fn from_internet(
    s: &Snapshot,
    q: &Query,
    src_ip: IpAddr,
) -> Result<Verdict, QueryError> {
    let (eni, dst_ip) = internet_destination(s, &q.dst, src_ip)?;
    let h = Header::for_query(q, src_ip, dst_ip);
    let mut w = Walk::new(s);
    let internet = Node::internet();
    w.hop(ComponentRef::new(K::Internet, "internet"), None, h, h);
    let vpc = eni.vpc_id.as_str();
    let first = |ids: Vec<&String>| ids.into_iter().min().cloned();
    let igw = first(
        s.igws
            .values()
            .filter(|g| g.attached_vpc.as_deref() == Some(vpc))
            .map(|g| &g.id)
            .collect(),
    );
    let eigw = first(
        s.eigws
            .iter()
            .filter(|(_, v)| v.as_str() == vpc)
            .map(|(id, _)| id)
            .collect(),
    );
    let mut segs = Vec::new();
    match (igw, eigw) {
        (Some(igw), _) => {
            w.hop(ComponentRef::new(K::InternetGateway, &igw), None, h, h);
            w.deliver(&internet, eni, h, Via::Igw(igw), &mut segs);
        }
        (None, Some(g)) => {
            let g_ref = ComponentRef::new(K::EgressOnlyInternetGateway, &g);
            w.hop(g_ref.clone(), None, h, h);
            w.block(
                Code::EgressOnlyInbound,
                g_ref,
                format!("{g} carries only connections that {vpc} opens; it does not let {h} in from the internet"),
            );
            w.deliver(&internet, eni, h, Via::Eigw(g), &mut segs);
        }
        (None, None) => {
            w.block(
                Code::NoRouteToDestination,
                ComponentRef::new(K::Vpc, vpc),
                format!("{vpc} has no internet gateway: nothing carries {h} in from the internet"),
            );
        }
    }
    Ok(w.finish(&segs))
}

impl Walk<'_> {
    /// The reply of a connection from the internet, out of `subnet`: its route table must send
    /// it to an internet gateway or an egress-only internet gateway.
    pub(super) fn route_to_internet(&mut self, subnet: &str, r: Header) {
        let table = self.s.table_of_subnet(subnet);
        let table_ref = table_component(table, subnet);
        let gateway = match self.decide(table, r.dst_ip) {
            Decision::Route(e) => match &e.target {
                RouteTarget::Gateway(g) if g.starts_with("igw-") => {
                    Some((e, ComponentRef::new(K::InternetGateway, g)))
                }
                RouteTarget::EgressOnlyInternetGateway(g) => {
                    Some((e, ComponentRef::new(K::EgressOnlyInternetGateway, g)))
                }
                _ => {
                    self.hop(table_ref.clone(), Some(route_rule(e)), r, r);
                    None
                }
            },
            _ => {
                self.hop(table_ref.clone(), None, r, r);
                None
            }
        };
        let Some((e, g_ref)) = gateway else {
            self.block(
                Code::NoRouteToDestination,
                table_ref.clone(),
                format!(
                    "{} has no route back to the internet for the reply {r}",
                    table_ref.id
                ),
            );
            return;
        };
        self.hop(table_ref.clone(), Some(route_rule(e)), r, r);
        if !e.active {
            self.blackhole(&table_ref, e, r);
        }
        self.hop(g_ref, None, r, r);
        self.hop(ComponentRef::new(K::Internet, "internet"), None, r, r);
    }
}
