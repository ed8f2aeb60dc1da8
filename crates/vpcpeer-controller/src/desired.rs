//! The topology as the controller means it: every name resolved, every value checked, and every
//! problem that needs no call to a cloud found at once (`validate`). A refusal lists them all,
//! each naming what it concerns, so that one edit fixes the file.
//!
//! Checks: accounts and networks that links name exist; a network is either existing (`id`) or
//! declared (`cidrs`), with the region its cloud needs; one link per network pair and no link to
//! itself; names usable as GCP and Azure resource names; the options a link sets belong to its
//! cloud; declared blocks of two linked networks, or of two peers of one network, do not overlap
//! (the clouds refuse the first; the second leaves one network unable to route to both);
//! native links join networks of one cloud, encrypted links join networks of any clouds that
//! each have a gateway (`desired/gateways.rs`: one per network, its subnet public and inside the
//! network, its HA backup in another zone, both ends of a link with HA or neither); peering quotas per network (AWS 50 active, GCP 25, Azure 500) and AWS's
//! 50 routes per route table hold for what is declared; every expected pair is a link.
//! Checks that need what the clouds report (the blocks of existing networks, route tables) are
//! made by the plan, which reports them as conflicts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use ipnet::Ipv4Net;

mod gateways;
mod links;

pub use crate::cloud::Cloud;
pub use crate::gateway::{Gateway, GatewaySecret, HaGateway, SubnetRef};
pub use crate::problem::{Notice, Problem, Refusal};
use crate::topology::{AccountFile, CredentialsFile, NetworkFile, TopologyFile};

/// AWS: active peering connections per VPC (default quota).
pub const AWS_PEERINGS_PER_VPC: usize = 50;
/// AWS: non-propagated routes per route table, besides the local route (default quota).
pub const AWS_ROUTES_PER_TABLE: usize = 50;
/// GCP: peerings per network (commonly cited default).
pub const GCP_PEERINGS_PER_NETWORK: usize = 25;
/// Azure: peerings per virtual network.
pub const AZURE_PEERINGS_PER_VNET: usize = 500;
/// GCP resource names (peerings, firewall rules) are at most this long.
pub const MAX_NAME: usize = 63;
/// HA: the detection time when the file gives none (seconds; see `health`).
pub const DEFAULT_DETECTION_TIME: u64 = 60;
/// HA: the detection times a file may give (seconds), as Aviatrix's `tunnel_detection_time`.
pub const DETECTION_TIME: std::ops::RangeInclusive<u64> = 20..=600;
/// A topology's name is at most this long, so that `<topology>-<link>-a` leaves room for links.
pub const MAX_TOPOLOGY: usize = 24;

/// A validated topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// The topology's name.
    pub name: String,
    /// Accounts by name.
    pub accounts: BTreeMap<String, Account>,
    /// Networks by name.
    pub networks: BTreeMap<String, Network>,
    /// Gateways by name (the primaries; each one's HA backup is in its `ha`).
    pub gateways: BTreeMap<String, Gateway>,
    /// Links, in file order.
    pub links: Vec<Link>,
    /// Things worth knowing that do not stop the plan.
    pub notices: Vec<Notice>,
    /// The secret gateway keys are derived from (`gateway::private_key`). The composition root
    /// sets it; `validate` leaves it `None`, and a plan with gateways to launch and no secret
    /// has a conflict instead of keys nobody chose.
    pub gateway_secret: Option<GatewaySecret>,
    /// HA: seconds an active tunnel is seen down before failover, and a recovered primary
    /// tunnel up before failback (`detection_time`; see `health`).
    pub detection_time: u64,
}

impl Desired {
    /// The gateway of `network`, if it has one.
    pub fn gateway_of(&self, network: &str) -> Option<&Gateway> {
        self.gateways.values().find(|g| g.network == network)
    }
}

/// An account, project or subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its cloud.
    pub cloud: Cloud,
    /// Account id, project id or subscription id.
    pub id: String,
    /// Azure: the resource group of declared VNets.
    pub resource_group: Option<String>,
    /// The API endpoint, when not the local server.
    pub endpoint: Option<String>,
    /// Where credentials come from.
    pub credentials: Option<CredentialsFile>,
}

/// A network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The account's name.
    pub account: String,
    /// Its cloud (the account's).
    pub cloud: Cloud,
    /// Region (AWS, Azure; GCP: of the subnetworks it creates).
    pub region: Option<String>,
    /// Existing or declared.
    pub source: Source,
}

/// Where a network comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An existing network, by its id in its cloud.
    Existing(String),
    /// A network the controller creates with these blocks (found again by name on later runs).
    Declared(Vec<Ipv4Net>),
}

impl Network {
    /// The declared blocks (none for an existing network, whose blocks the clouds report).
    pub fn declared_cidrs(&self) -> &[Ipv4Net] {
        match &self.source {
            Source::Declared(c) => c,
            Source::Existing(_) => &[],
        }
    }
}

/// A link between two networks: native (one cloud's peering) or encrypted (gateways).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its name, unique in the topology.
    pub name: String,
    /// The two networks; AWS: requester then accepter.
    pub sides: [String; 2],
    /// Native or encrypted.
    pub kind: LinkKind,
    /// AWS: the route tables of each side to program.
    pub tables: [Tables; 2],
    /// Traffic each side admits from the other's blocks.
    pub open: Vec<Opening>,
    /// AWS: traffic each side's default group admits from the other's default group.
    pub open_from_group: Vec<Opening>,
    /// AWS: private DNS resolution of the peer's names, both sides.
    pub dns_resolution: bool,
    /// GCP: custom route export and import, both sides.
    pub exchange_custom_routes: bool,
    /// Azure: forwarded traffic allowed, both sides.
    pub allow_forwarded_traffic: bool,
    /// Azure: the side that offers its gateway to the other (gateway transit).
    pub gateway_transit: Option<String>,
}

/// How a link carries traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// The clouds' own peering.
    Native,
    /// Tunnels between the two sides' gateways.
    Encrypted {
        /// The gateway each side's routes point at: the primary (`validate`'s choice), or its
        /// HA backup once a failover (a later reconciler) picks it.
        active: [String; 2],
    },
}

impl Link {
    /// Whether the link is encrypted (through gateways).
    pub fn encrypted(&self) -> bool {
        matches!(self.kind, LinkKind::Encrypted { .. })
    }

    /// The other side of `network` (which must be a side).
    pub fn peer_of(&self, network: &str) -> &str {
        if self.sides[0] == network {
            &self.sides[1]
        } else {
            &self.sides[0]
        }
    }
}

/// Route tables to program on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tables {
    /// Every route table of the VPC.
    All,
    /// These ids.
    Listed(Vec<String>),
}

/// An IP protocol an opening admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
    /// Every protocol.
    All,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "all",
        })
    }
}

/// Traffic a link opens: a protocol and, for TCP and UDP, a port range (all ports when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Opening {
    /// The protocol.
    pub protocol: Protocol,
    /// First and last port, inclusive.
    pub ports: Option<(u16, u16)>,
}

impl fmt::Display for Opening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ports {
            Some((a, b)) if a == b => write!(f, "{}/{a}", self.protocol),
            Some((a, b)) => write!(f, "{}/{a}-{b}", self.protocol),
            None => write!(f, "{}", self.protocol),
        }
    }
}

/// Checks a topology file and resolves it.
pub fn validate(file: &TopologyFile) -> Result<Desired, Refusal> {
    let mut p = Vec::new();
    check_name(&mut p, "topology", &file.name, MAX_TOPOLOGY);
    if file.name.contains("--") {
        p.push(Problem::BadName {
            what: "topology",
            name: file.name.clone(),
            why: "no `--`: it separates the topology from the link in the names of peerings"
                .to_string(),
        });
    }
    let accounts = accounts(&mut p, file);
    let networks = networks(&mut p, file, &accounts);
    let gateways = gateways::gateways(&mut p, file, &networks);
    let links = links::links(&mut p, file, &networks, &gateways);
    let detection_time = file.detection_time.unwrap_or(DEFAULT_DETECTION_TIME);
    if !DETECTION_TIME.contains(&detection_time) {
        p.push(Problem::DetectionTime {
            value: detection_time,
        });
    }
    overlaps(&mut p, &networks, &links);
    links::remote_gateways(&mut p, &links);
    quotas(&mut p, &networks, &links);
    expectations(&mut p, file, &networks, &links);
    if !p.is_empty() {
        return Err(Refusal { problems: p });
    }
    let mut notices = not_transitive(&networks, &links);
    for l in &links {
        if !l.open.is_empty() && networks[&l.sides[0]].cloud == Cloud::Azure {
            notices.push(Notice::AzureOpenByDefault {
                link: l.name.clone(),
            });
        }
    }
    Ok(Desired {
        name: file.name.clone(),
        accounts,
        networks,
        gateways,
        links,
        notices,
        gateway_secret: None,
        detection_time,
    })
}

/// GCP's resource name rule: a lowercase letter, then lowercase letters, digits and hyphens, not
/// ending with a hyphen. Azure accepts every such name too.
fn check_name(p: &mut Vec<Problem>, what: &'static str, name: &str, max: usize) {
    let ok_chars = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    let why = if !ok_chars {
        Some("use lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (GCP and Azure name the peerings after it)".to_string())
    } else if name.len() > max {
        Some(format!(
            "at most {max} characters here (GCP names are at most {MAX_NAME})"
        ))
    } else {
        None
    };
    if let Some(why) = why {
        p.push(Problem::BadName {
            what,
            name: name.to_string(),
            why,
        });
    }
}

fn accounts(p: &mut Vec<Problem>, file: &TopologyFile) -> BTreeMap<String, Account> {
    let mut out = BTreeMap::new();
    for (name, a) in &file.accounts {
        let account = match a {
            AccountFile::Aws {
                account_id,
                endpoint,
                credentials,
            } => {
                if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
                    p.push(Problem::BadAccount {
                        account: name.clone(),
                        why: format!("an AWS account id is 12 digits, not {account_id:?}"),
                    });
                }
                Account {
                    cloud: Cloud::Aws,
                    id: account_id.clone(),
                    resource_group: None,
                    endpoint: endpoint.clone(),
                    credentials: credentials.clone(),
                }
            }
            AccountFile::Gcp {
                project,
                endpoint,
                credentials,
            } => Account {
                cloud: Cloud::Gcp,
                id: project.clone(),
                resource_group: None,
                endpoint: endpoint.clone(),
                credentials: credentials.clone(),
            },
            AccountFile::Azure {
                subscription,
                resource_group,
                endpoint,
                credentials,
            } => Account {
                cloud: Cloud::Azure,
                id: subscription.clone(),
                resource_group: Some(resource_group.clone()),
                endpoint: endpoint.clone(),
                credentials: credentials.clone(),
            },
        };
        out.insert(name.clone(), account);
    }
    out
}

fn networks(
    p: &mut Vec<Problem>,
    file: &TopologyFile,
    accounts: &BTreeMap<String, Account>,
) -> BTreeMap<String, Network> {
    let mut out = BTreeMap::new();
    for (name, n) in &file.networks {
        // GCP names a declared network's subnetworks `<network>-<i>`.
        check_name(p, "network", name, MAX_NAME - 3);
        let Some(account) = accounts.get(&n.account) else {
            p.push(Problem::UnknownAccount {
                network: name.clone(),
                account: n.account.clone(),
            });
            continue;
        };
        let source = source(p, name, n);
        let needs_region = match (account.cloud, &source) {
            (Cloud::Gcp, Source::Declared(_)) => {
                Some("declared with `cidrs` (for their subnetworks)")
            }
            (Cloud::Gcp, Source::Existing(_)) => None,
            _ => Some("always"),
        };
        if let (Some(why), None) = (needs_region, &n.region) {
            p.push(Problem::NoRegion {
                network: name.clone(),
                cloud: account.cloud,
                why,
            });
        }
        out.insert(
            name.clone(),
            Network {
                account: n.account.clone(),
                cloud: account.cloud,
                region: n.region.clone(),
                source,
            },
        );
    }
    out
}

fn source(p: &mut Vec<Problem>, name: &str, n: &NetworkFile) -> Source {
    match (&n.id, n.cidrs.is_empty()) {
        (Some(id), true) => Source::Existing(id.clone()),
        (None, false) => {
            for c in &n.cidrs {
                if c.network() != c.addr() {
                    p.push(Problem::BadCidr {
                        network: name.to_string(),
                        why: format!("{c} has host bits set (did you mean {}?)", c.trunc()),
                    });
                }
            }
            Source::Declared(n.cidrs.iter().map(Ipv4Net::trunc).collect())
        }
        (got_id, _) => {
            p.push(Problem::IdOrCidrs {
                network: name.to_string(),
                got: if got_id.is_some() { "both" } else { "neither" },
            });
            Source::Declared(n.cidrs.clone())
        }
    }
}

/// The first pair of blocks, one from each list, that overlap.
pub fn first_overlap(a: &[Ipv4Net], b: &[Ipv4Net]) -> Option<(Ipv4Net, Ipv4Net)> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| (*x, *y)))
        .find(|(x, y)| x.contains(&y.network()) || y.contains(&x.network()))
}

fn overlaps(p: &mut Vec<Problem>, networks: &BTreeMap<String, Network>, links: &[Link]) {
    let declared_overlap = |a: &str, b: &str| {
        first_overlap(networks[a].declared_cidrs(), networks[b].declared_cidrs())
    };
    for l in links {
        let [a, b] = &l.sides;
        if let Some((a_cidr, b_cidr)) = declared_overlap(a, b) {
            p.push(Problem::Overlap {
                link: l.name.clone(),
                a: a.clone(),
                a_cidr,
                b: b.clone(),
                b_cidr,
            });
        }
    }
    for (network, peers) in peers_of(links) {
        let peers: Vec<&str> = peers.into_iter().collect();
        for (i, a) in peers.iter().enumerate() {
            for b in &peers[i + 1..] {
                if let Some((a_cidr, b_cidr)) = declared_overlap(a, b) {
                    p.push(Problem::PeersOverlap {
                        network: network.to_string(),
                        a: a.to_string(),
                        a_cidr,
                        b: b.to_string(),
                        b_cidr,
                    });
                }
            }
        }
    }
}

/// Each network's linked peers.
pub fn peers_of(links: &[Link]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for l in links {
        let [a, b] = &l.sides;
        out.entry(a).or_default().insert(b);
        out.entry(b).or_default().insert(a);
    }
    out
}

fn quotas(p: &mut Vec<Problem>, networks: &BTreeMap<String, Network>, links: &[Link]) {
    let native: Vec<Link> = links.iter().filter(|l| !l.encrypted()).cloned().collect();
    for (network, peers) in peers_of(&native) {
        let cloud = networks[network].cloud;
        let limit = match cloud {
            Cloud::Aws => AWS_PEERINGS_PER_VPC,
            Cloud::Gcp => GCP_PEERINGS_PER_NETWORK,
            Cloud::Azure => AZURE_PEERINGS_PER_VNET,
        };
        if peers.len() > limit {
            p.push(Problem::PeeringQuota {
                network: network.to_string(),
                cloud,
                count: peers.len(),
                limit,
            });
        }
    }
    for (network, peers) in peers_of(links) {
        if networks[network].cloud == Cloud::Aws {
            let routes: usize = peers
                .iter()
                .map(|peer| networks[*peer].declared_cidrs().len())
                .sum();
            if routes > AWS_ROUTES_PER_TABLE {
                p.push(Problem::RouteQuota {
                    network: network.to_string(),
                    count: routes,
                    limit: AWS_ROUTES_PER_TABLE,
                });
            }
        }
    }
}

fn expectations(
    p: &mut Vec<Problem>,
    file: &TopologyFile,
    networks: &BTreeMap<String, Network>,
    links: &[Link],
) {
    let peers = peers_of(links);
    for [a, b] in &file.expect {
        let unknown: Vec<&String> = [a, b]
            .into_iter()
            .filter(|n| !networks.contains_key(*n))
            .collect();
        if !unknown.is_empty() {
            for n in unknown {
                p.push(Problem::UnknownExpected { network: n.clone() });
            }
            continue;
        }
        if peers
            .get(a.as_str())
            .is_some_and(|s| s.contains(b.as_str()))
        {
            continue;
        }
        let path = chain(&peers, a, b)
            .map(|c| {
                format!(
                    " (only through {}: {})",
                    c[1..c.len() - 1].join(", "),
                    c.join(" - ")
                )
            })
            .unwrap_or_default();
        p.push(Problem::NotLinked {
            a: a.clone(),
            b: b.clone(),
            path,
        });
    }
}

/// The shortest chain of links from `a` to `b`, by breadth-first search.
fn chain<'a>(
    peers: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    a: &'a str,
    b: &str,
) -> Option<Vec<&'a str>> {
    let mut back: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([a]);
    back.insert(a, a);
    while let Some(n) = queue.pop_front() {
        if n == b {
            let mut out = vec![n];
            let mut at = n;
            while at != a {
                at = back[at];
                out.push(at);
            }
            out.reverse();
            return Some(out);
        }
        for next in peers.get(n).into_iter().flatten() {
            if !back.contains_key(next) {
                back.insert(next, n);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Hub-and-spoke gaps: two networks linked to a third but not to each other. At most one notice
/// per unlinked pair (the first hub by name), so a hub with many spokes does not flood the plan
/// (a spoke pair per line still grows as n²; the caller may summarise).
fn not_transitive(networks: &BTreeMap<String, Network>, links: &[Link]) -> Vec<Notice> {
    let peers = peers_of(links);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (via, around) in &peers {
        let around: Vec<&str> = around.iter().copied().collect();
        for (i, a) in around.iter().enumerate() {
            for c in &around[i + 1..] {
                let linked = peers.get(a).is_some_and(|s| s.contains(c));
                if !linked && networks.contains_key(*a) && seen.insert((*a, *c)) {
                    out.push(Notice::NotTransitive {
                        a: a.to_string(),
                        via: via.to_string(),
                        c: c.to_string(),
                    });
                }
            }
        }
    }
    out
}
