//! What a caller of `/_vpcpeer/reach` (and of `/_vpcpeer/audit` and `/_vpcpeer/matrix` when they
//! filter by account) may see of resources it does not own — the one place where answers are
//! redacted.
//!
//! The engine walks the whole world, because a path into a peer account crosses the peer's route
//! table, network ACL, security group and interface. The answer tells the caller what happened
//! to its packet at each of them, but shows only what the cloud's own APIs would show it:
//!
//! - **AWS** (the caller is the request's `account`): every resource of its own account (any
//!   region); a peering connection it is the requester or the accepter of, and the two VPC ids
//!   of such a connection (`DescribeVpcPeeringConnections` shows the peer VPC id, its owner, its
//!   region and its CIDR blocks). Nothing else of another account: its VPCs that are not peered
//!   with the caller, its subnets, route tables, network ACLs, security groups and their rules,
//!   interfaces, instances and gateways. (A peer group that the caller's own rule references is
//!   shown by the caller's `DescribeSecurityGroups`, but it is hidden here too: the stricter rule
//!   is simpler to check and loses nothing a fix needs.)
//! - **GCP** (the caller is the project of the source end): every resource of that project; the
//!   peer networks its networks' peering entries name (`networks.get` shows them). Nothing else:
//!   other projects' instances, subnetworks, routes, firewall rules (implied ones included) and
//!   their own peering entries.
//! - **Azure** (the caller is the subscription of the source end): every resource of that
//!   subscription; the remote virtual networks its peering links name. Nothing else of another
//!   subscription (NICs, VMs, subnets, NSGs and their rules, route tables, peering links).
//!
//! A hidden component keeps its kind and gains its owner: `{"kind": "network-interface",
//! "id": null, "account": "222222222222", "vpc": "vpc-…", "label": "network-interface (account
//! 222222222222, vpc-…)"}` (`vpc` only when that VPC is itself visible; `project` or
//! `subscription` instead of `account` for GCP and Azure). In every text of the answer (blocker
//! details, fixes, rule targets, error messages) a hidden id — an AWS id, a GCP path, an ARM id,
//! or the bare name of another project's or subscription's GCP or Azure resource — is replaced
//! by that same label. What is not an id stays: addresses and ports of the packet, CIDR blocks,
//! rule numbers, priorities and actions, because they explain the verdict and tell the peer's
//! owner what to change.
//!
//! Known limit: a bare GCP or Azure name is recognised as a whole word; a hidden resource whose
//! name is also the name of something the caller may see is left as is (it tells the caller
//! nothing it cannot see), and `default` (every Azure VNet's and GCP project's usual name) and
//! the few words the engine's sentences are made of (`tunnel` — the controller's Azure gateway
//! NSG rule —, `gateway`, `instance`, `network`, `subnet`, `route`, `internet`, `peering`) are
//! never hidden. The values of the answer's vocabulary keys (`kind`, `code`, `leg`, `type`,
//! `direction`, `protocol`, `action`) are never rewritten.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use vpcpeer_api::Component;
use vpcpeer_model::World;

/// Who is asking, per cloud. `None` for a cloud means "nothing of that cloud is the caller's".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    /// AWS account (12 digits).
    pub account: Option<String>,
    /// GCP project.
    pub project: Option<String>,
    /// Azure subscription (any case).
    pub subscription: Option<String>,
}

impl Viewer {
    /// An AWS account, and nothing of GCP or Azure.
    pub fn aws(account: &str) -> Self {
        Viewer {
            account: Some(account.to_owned()),
            ..Viewer::default()
        }
    }
}

/// The owner of a hidden resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// An AWS account.
    Account(String),
    /// A GCP project.
    Project(String),
    /// An Azure subscription.
    Subscription(String),
}

/// A resource the caller may not see: its kind, owner and (AWS) visible VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// Component kind, in the answer's words (`route-table`, `firewall-rule`, …).
    pub kind: String,
    /// Who owns it.
    pub owner: Owner,
    /// The VPC it belongs to, when the caller may see that VPC.
    pub vpc: Option<String>,
}

impl Hidden {
    /// `route-table (account 222222222222, vpc-…)`, `instance (project proj-b)`.
    pub fn label(&self) -> String {
        let owner = self.owner_words();
        match &self.vpc {
            Some(v) => format!("{} ({owner}, {v})", self.kind),
            None => format!("{} ({owner})", self.kind),
        }
    }

    /// `account 222222222222`, `project proj-b`, `subscription …`.
    pub fn owner_words(&self) -> String {
        match &self.owner {
            Owner::Account(a) => format!("account {a}"),
            Owner::Project(p) => format!("project {p}"),
            Owner::Subscription(s) => format!("subscription {s}"),
        }
    }

    fn component(&self) -> Component {
        let mut c = Component {
            kind: self.kind.clone(),
            id: None,
            label: Some(self.label()),
            vpc: self.vpc.clone(),
            ..Component::default()
        };
        match &self.owner {
            Owner::Account(a) => c.account = Some(a.clone()),
            Owner::Project(p) => c.project = Some(p.clone()),
            Owner::Subscription(s) => c.subscription = Some(s.clone()),
        }
        c
    }
}

/// AWS id prefixes this module knows how to look up, with the kind they name.
const AWS_KINDS: &[(&str, &str)] = &[
    ("vpc-", "vpc"),
    ("subnet-", "subnet"),
    ("rtb-", "route-table"),
    ("acl-", "network-acl"),
    ("sg-", "security-group"),
    ("sgr-", "security-group-rule"),
    ("i-", "instance"),
    ("eni-", "network-interface"),
    ("igw-", "internet-gateway"),
    ("nat-", "nat-gateway"),
    ("pcx-", "peering-connection"),
];

/// Redacts answers for one [`Viewer`] over one world.
pub struct Redactor<'w> {
    world: &'w World,
    viewer: Viewer,
    /// Whether texts may hold bare GCP/Azure names (set for answers about those clouds).
    bare_names: bool,
    names: OnceCell<BTreeMap<String, Hidden>>,
    gcp_visible: OnceCell<BTreeSet<String>>,
    azure_visible: OnceCell<BTreeSet<String>>,
    /// Security group rule id → its group, as callers learn them (saves a scan of every group).
    rule_groups: RefCell<BTreeMap<String, String>>,
}

impl<'w> Redactor<'w> {
    /// A redactor of `world` for `viewer`.
    pub fn new(world: &'w World, viewer: Viewer) -> Self {
        let viewer = Viewer {
            subscription: viewer.subscription.map(|s| s.to_ascii_lowercase()),
            ..viewer
        };
        Redactor {
            world,
            viewer,
            bare_names: false,
            names: OnceCell::new(),
            gcp_visible: OnceCell::new(),
            azure_visible: OnceCell::new(),
            rule_groups: RefCell::new(BTreeMap::new()),
        }
    }

    /// Records that security group rule `rule_id` belongs to `group_id`, so that finding its
    /// owner does not scan every group of the world.
    pub fn know_rule(&self, rule_id: &str, group_id: &str) {
        self.rule_groups
            .borrow_mut()
            .insert(rule_id.to_owned(), group_id.to_owned());
    }

    /// Also hides bare GCP and Azure names of other projects and subscriptions in texts (the
    /// engines of those clouds write names, not paths, in their sentences).
    pub fn with_bare_names(mut self, on: bool) -> Self {
        self.bare_names = on;
        self
    }

    /// Whether `id` (an AWS id, a GCP path or an ARM id) is hidden from the viewer, and if so
    /// what may be said of it. Ids that name no known resource (a deleted peering still named by
    /// the caller's own route, an address) are not hidden.
    pub fn hidden(&self, id: &str) -> Option<Hidden> {
        if id.starts_with("projects/") {
            return self.gcp_hidden(id);
        }
        if id.to_ascii_lowercase().starts_with("/subscriptions/") {
            return self.azure_hidden(id);
        }
        self.aws_hidden(id)
    }

    /// A component as the viewer may see it: `{"kind", "id"}`, or the hidden form (see the
    /// module docs).
    pub fn component(&self, kind: &str, id: &str) -> Component {
        match self.hidden(id) {
            Some(h) => Hidden {
                kind: kind.to_owned(),
                ..h
            }
            .component(),
            None => Component::new(kind, id),
        }
    }

    /// `s` with every hidden id and name replaced by its label.
    pub fn text(&self, s: &str) -> String {
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let prev_word = i > 0 && is_word(b[i - 1]);
            let rest = &s[i..];
            let path_end = if !prev_word && rest.starts_with("projects/") {
                Some(scan(rest, |c| is_word(c) || c == b'/'))
            } else if !prev_word
                && rest.len() >= 15
                && rest.is_char_boundary(15)
                && rest[..15].eq_ignore_ascii_case("/subscriptions/")
            {
                Some(scan(rest, |c| {
                    !c.is_ascii_whitespace() && !b",;\"'()".contains(&c)
                }))
            } else {
                None
            };
            if let Some(end) = path_end {
                let tok = rest[..end].trim_end_matches(['.', ':']);
                match self.hidden(tok) {
                    Some(h) => out.push_str(&h.label()),
                    None => out.push_str(tok),
                }
                i += tok.len();
                continue;
            }
            if is_word(b[i]) && !prev_word {
                let end = scan(rest, is_word);
                let tok = rest[..end].trim_end_matches('.');
                let tok = if tok.is_empty() { &rest[..end] } else { tok };
                match self.word_hidden(tok) {
                    Some(h) => out.push_str(&h.label()),
                    None => out.push_str(tok),
                }
                i += tok.len();
                continue;
            }
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }

    /// Replaces every string inside `v` (not object keys) by its redacted text.
    pub fn json(&self, v: &mut Value) {
        match v {
            Value::String(s) => {
                let t = self.text(s);
                if t != *s {
                    *s = t;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.json(x)),
            Value::Object(o) => o
                .iter_mut()
                .filter(|(k, _)| !VOCABULARY_KEYS.contains(&k.as_str()))
                .for_each(|(_, x)| self.json(x)),
            _ => {}
        }
    }

    fn word_hidden(&self, tok: &str) -> Option<Hidden> {
        if let Some(h) = self.aws_hidden(tok) {
            return Some(h);
        }
        if !self.bare_names {
            return None;
        }
        self.names().get(tok).cloned()
    }

    fn aws_hidden(&self, id: &str) -> Option<Hidden> {
        let (prefix, kind) = AWS_KINDS.iter().find(|(p, _)| id.starts_with(p))?;
        let tail = &id[prefix.len()..];
        if tail.len() < 8 || !tail.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let w = self.world;
        let (account, vpc): (&str, Option<&str>) = match *prefix {
            "vpc-" => (&w.aws.vpcs().get(id)?.scope.account, None),
            "subnet-" => w
                .aws
                .subnets()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "rtb-" => w
                .aws
                .route_tables()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "acl-" => w
                .aws
                .network_acls()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "sg-" => w
                .aws
                .security_groups()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "sgr-" => {
                let known = self.rule_groups.borrow().get(id).cloned();
                let g = match known.and_then(|g| w.aws.security_groups().get(&g)) {
                    Some(g) => g,
                    None => w
                        .aws
                        .security_groups()
                        .values()
                        .find(|g| g.ingress.iter().chain(&g.egress).any(|r| r.id == id))?,
                };
                (&*g.scope.account, Some(&*g.vpc_id))
            }
            "i-" => w
                .aws
                .instances()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "eni-" => w
                .aws
                .network_interfaces()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "igw-" => w
                .aws
                .internet_gateways()
                .get(id)
                .map(|x| (&*x.scope.account, x.attached_vpc.as_deref()))?,
            "nat-" => w
                .aws
                .nat_gateways()
                .get(id)
                .map(|x| (&*x.scope.account, Some(&*x.vpc_id)))?,
            "pcx-" => {
                let p = w.aws.peerings().get(id)?;
                if self.is_me(&p.requester.scope.account) || self.is_me(&p.accepter.scope.account) {
                    return None;
                }
                (&p.requester.scope.account, None)
            }
            _ => return None,
        };
        if self.is_me(account) {
            return None;
        }
        if *prefix == "vpc-" && self.vpc_visible(id) {
            return None;
        }
        Some(Hidden {
            kind: (*kind).to_owned(),
            owner: Owner::Account(account.to_owned()),
            vpc: vpc.filter(|v| self.vpc_visible(v)).map(str::to_owned),
        })
    }

    fn is_me(&self, account: &str) -> bool {
        self.viewer.account.as_deref() == Some(account)
    }

    /// The caller's own VPC, or one joined to a VPC of the caller by a peering connection.
    fn vpc_visible(&self, vpc: &str) -> bool {
        let w = self.world;
        match w.aws.vpcs().get(vpc) {
            Some(v) if self.is_me(&v.scope.account) => return true,
            _ => {}
        }
        w.aws.peerings_of_vpc(vpc).any(|p| {
            self.is_me(&p.requester.scope.account) || self.is_me(&p.accepter.scope.account)
        })
    }

    fn gcp_hidden(&self, path: &str) -> Option<Hidden> {
        let project = vpcpeer_model::gcp::project_of(path);
        if project.is_empty() || self.viewer.project.as_deref() == Some(project) {
            return None;
        }
        if self.gcp_visible().contains(path) {
            return None;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let kind = match parts.get(2..) {
            Some(["global", "networks", _]) => "network",
            Some(["global", "networks", _, "peerings", ..]) => "peering-connection",
            Some(["global", "networks", _, ..]) | Some(["global", "firewalls", ..]) => {
                "firewall-rule"
            }
            Some(["global", "routes", ..]) => "route",
            Some(["regions", _, "subnetworks", ..]) => "subnet",
            Some(["zones", _, "instances", ..]) => "instance",
            _ => "resource",
        };
        Some(Hidden {
            kind: kind.to_owned(),
            owner: Owner::Project(project.to_owned()),
            vpc: None,
        })
    }

    /// Peer networks named by the viewer project's peering entries.
    fn gcp_visible(&self) -> &BTreeSet<String> {
        self.gcp_visible.get_or_init(|| match &self.viewer.project {
            None => BTreeSet::new(),
            Some(p) => self
                .world
                .gcp
                .networks()
                .values()
                .filter(|n| &n.project == p)
                .flat_map(|n| n.peerings.iter().map(|x| x.peer_network.clone()))
                .collect(),
        })
    }

    fn azure_hidden(&self, id: &str) -> Option<Hidden> {
        let key = vpcpeer_model::azure::key(id);
        let sub = key.strip_prefix("/subscriptions/")?.split('/').next()?;
        if sub.is_empty() || self.viewer.subscription.as_deref() == Some(sub) {
            return None;
        }
        if self.azure_visible().contains(&key) {
            return None;
        }
        // The most specific segment first: a peering's id also holds `virtualnetworks`.
        const KINDS: [(&str, &str); 8] = [
            ("virtualnetworkpeerings", "peering-connection"),
            ("subnets", "subnet"),
            ("virtualnetworks", "network"),
            ("networksecuritygroups", "network-security-group"),
            ("networkinterfaces", "network-interface"),
            ("virtualmachines", "instance"),
            ("routetables", "route-table"),
            ("resourcegroups", "resource-group"),
        ];
        let kind = KINDS
            .iter()
            .find(|(seg, _)| key.contains(&format!("/{seg}/")))
            .map_or("subscription", |(_, kind)| kind);
        Some(Hidden {
            kind: kind.to_owned(),
            owner: Owner::Subscription(sub.to_owned()),
            vpc: None,
        })
    }

    /// Remote VNets (lower-case ids) named by the viewer subscription's peering links.
    fn azure_visible(&self) -> &BTreeSet<String> {
        self.azure_visible
            .get_or_init(|| match &self.viewer.subscription {
                None => BTreeSet::new(),
                Some(s) => {
                    let prefix = format!("/subscriptions/{s}/");
                    self.world
                        .azure
                        .peerings()
                        .values()
                        .filter(|p| p.id.starts_with(&prefix))
                        .map(|p| p.remote_vnet.clone())
                        .collect()
                }
            })
    }

    /// Bare names of GCP and Azure resources the viewer may not see, minus every name it may.
    fn names(&self) -> &BTreeMap<String, Hidden> {
        self.names.get_or_init(|| {
            let w = self.world;
            let mut hidden: BTreeMap<String, Hidden> = BTreeMap::new();
            let mut shown: BTreeSet<String> = NEVER_HIDDEN.iter().map(|w| w.to_string()).collect();
            // A name that hidden resources of several kinds bear (the controller names a GCP
            // gateway VM and its firewall rule alike) is labelled `resource (owner)`: naming
            // one kind would say the wrong thing of the other.
            let mut note = |id: &str, name: &str, kind: &str| match self.hidden(id) {
                Some(h) => {
                    hidden
                        .entry(name.to_owned())
                        .and_modify(|seen| {
                            if seen.kind != kind {
                                seen.kind = "resource".to_owned();
                            }
                        })
                        .or_insert(Hidden {
                            kind: kind.to_owned(),
                            ..h
                        });
                }
                None => {
                    shown.insert(name.to_owned());
                }
            };
            for n in w.gcp.networks().values() {
                note(&n.id, &n.name, "network");
                for p in &n.peerings {
                    note(
                        &format!("{}/peerings/{}", n.id, p.name),
                        &p.name,
                        "peering-connection",
                    );
                }
            }
            for s in w.gcp.subnetworks().values() {
                note(&s.id, &s.name, "subnet");
            }
            for r in w.gcp.routes().values() {
                note(&r.id, &r.name, "route");
            }
            for f in w.gcp.firewalls().values() {
                note(&f.id, &f.name, "firewall-rule");
            }
            for i in w.gcp.instances().values() {
                note(&i.id, &i.name, "instance");
            }
            for g in w.azure.resource_groups().values() {
                note(&g.id, &g.name, "resource-group");
            }
            for v in w.azure.vnets().values() {
                note(&v.id, &v.name, "network");
                for s in &v.subnets {
                    note(&format!("{}/subnets/{}", v.id, s.name), &s.name, "subnet");
                }
            }
            for p in w.azure.peerings().values() {
                note(&p.id, &p.name, "peering-connection");
            }
            for g in w.azure.nsgs().values() {
                note(&g.id, &g.name, "network-security-group");
                // Azure's default rules (priority 65000 and up) are in every NSG: not names.
                for r in g.rules.iter().filter(|r| r.priority < 65000) {
                    note(&g.id, &r.name, "security-rule");
                }
            }
            for t in w.azure.route_tables().values() {
                note(&t.id, &t.name, "route-table");
                for r in &t.routes {
                    note(&t.id, &r.name, "route");
                }
            }
            for n in w.azure.nics().values() {
                note(&n.id, &n.name, "network-interface");
            }
            for m in w.azure.vms().values() {
                note(&m.id, &m.name, "instance");
            }
            hidden.retain(|name, _| !shown.contains(name));
            hidden
        })
    }
}

/// Keys whose values are the answer's own vocabulary (a component's kind, a blocker's code, a
/// leg, a rule's type), never an id or a name: [`Redactor::json`] leaves them as they are.
const VOCABULARY_KEYS: [&str; 7] = [
    "kind",
    "code",
    "leg",
    "type",
    "direction",
    "protocol",
    "action",
];

/// Words of the engine's own sentences that are never taken for a bare name, even when a
/// hidden resource bears them (the controller's Azure NSG rule `tunnel`, a subnet `default`):
/// hiding them would rewrite the sentences, not hide anything.
const NEVER_HIDDEN: [&str; 9] = [
    "default", "tunnel", "gateway", "instance", "network", "subnet", "route", "internet", "peering",
];

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.'
}

/// The length of the prefix of `s` whose bytes satisfy `f`.
fn scan(s: &str, f: impl Fn(u8) -> bool) -> usize {
    s.bytes().position(|c| !f(c)).unwrap_or(s.len())
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
