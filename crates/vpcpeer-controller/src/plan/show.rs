//! How a plan reads to a person: one line a step, `+` create, `~` change, `-` remove, each naming
//! the cloud resource it touches and why; then the conflicts (`!`), and a summary line in
//! Terraform's words ("Plan: 3 to add, 1 to change, 0 to destroy.").

use std::fmt;

use super::{
    Action, AzurePeeringSpec, Conflict, GatewayRoute, PeeringRoute, Plan, Reason, Step, TableRef,
};
use crate::desired::Cloud;
use crate::observed::AwsStatus;

/// Whether a step adds, changes or removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sign {
    /// `+`.
    Add,
    /// `~`.
    Change,
    /// `-`.
    Remove,
}

impl Sign {
    /// Its mark.
    pub fn mark(self) -> char {
        match self {
            Sign::Add => '+',
            Sign::Change => '~',
            Sign::Remove => '-',
        }
    }
}

impl Action {
    /// Whether it adds, changes or removes.
    pub fn sign(&self) -> Sign {
        self.kind().0
    }

    /// The cloud it calls.
    pub fn cloud(&self) -> Cloud {
        self.kind().1
    }

    /// Whether it is one of the gateway and encrypted-link steps (every cloud's).
    pub fn is_gateway_step(&self) -> bool {
        use Action as A;
        matches!(
            self,
            A::CreateGatewaySubnet { .. }
                | A::AllocateAddress { .. }
                | A::GatewayFirewall { .. }
                | A::LaunchGateway { .. }
                | A::GatewayForwarding { .. }
                | A::AttachAddress { .. }
                | A::DeleteGateway { .. }
                | A::DeleteGatewayFirewall { .. }
                | A::ReleaseAddress { .. }
                | A::DeleteGatewaySubnet { .. }
                | A::CreateGatewayRoute { .. }
                | A::ReplaceGatewayRoute { .. }
                | A::DeleteGatewayRoute { .. }
        )
    }

    fn kind(&self) -> (Sign, Cloud) {
        use Action as A;
        match self {
            A::CreateNetwork { cloud, .. } | A::AddCidr { cloud, .. } => (Sign::Add, *cloud),
            A::DeleteNetwork { cloud, .. } => (Sign::Remove, *cloud),
            A::AwsRequestPeering { .. }
            | A::AwsCreateRoute { .. }
            | A::AwsAllowIngress { .. }
            | A::AwsAllowGroupIngress { .. } => (Sign::Add, Cloud::Aws),
            A::AwsEnableDns { .. }
            | A::AwsAdoptPeering { .. }
            | A::AwsAcceptPeering { .. }
            | A::AwsAwaitPeering { .. }
            | A::AwsSetDns { .. }
            | A::AwsReplaceRoute { .. } => (Sign::Change, Cloud::Aws),
            A::AwsDeletePeering { .. }
            | A::AwsDeleteRoute { .. }
            | A::AwsRevokeIngress { .. }
            | A::AwsRevokeGroupIngress { .. } => (Sign::Remove, Cloud::Aws),
            A::GcpAddPeering { .. } | A::GcpCreateFirewall { .. } => (Sign::Add, Cloud::Gcp),
            A::GcpUpdatePeering { .. } | A::GcpUpdateFirewall { .. } => (Sign::Change, Cloud::Gcp),
            A::GcpRemovePeering { .. } | A::GcpDeleteFirewall { .. } => (Sign::Remove, Cloud::Gcp),
            A::AzureCreatePeering { .. } => (Sign::Add, Cloud::Azure),
            A::AzureUpdatePeering { .. } | A::AzureSyncPeering { .. } => {
                (Sign::Change, Cloud::Azure)
            }
            A::AzureDeletePeering { .. } => (Sign::Remove, Cloud::Azure),
            A::CreateGatewaySubnet { cloud, .. }
            | A::AllocateAddress { cloud, .. }
            | A::LaunchGateway { cloud, .. }
            | A::CreateGatewayRoute(GatewayRoute { cloud, .. }) => (Sign::Add, *cloud),
            A::GatewayFirewall {
                cloud,
                exists: false,
                ..
            } => (Sign::Add, *cloud),
            A::GatewayFirewall { cloud, .. }
            | A::GatewayForwarding { cloud, .. }
            | A::AttachAddress { cloud, .. }
            | A::ReplaceGatewayRoute(GatewayRoute { cloud, .. }) => (Sign::Change, *cloud),
            A::DeleteGateway { cloud, .. }
            | A::DeleteGatewayFirewall { cloud, .. }
            | A::ReleaseAddress { cloud, .. }
            | A::DeleteGatewaySubnet { cloud, .. }
            | A::DeleteGatewayRoute { cloud, .. } => (Sign::Remove, *cloud),
        }
    }
}

fn cidrs(list: &[ipnet::Ipv4Net]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableRef::Id(id) => f.write_str(id),
            TableRef::Main => f.write_str("(main table)"),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::CreateNetwork {
                network,
                cloud,
                cidrs: c,
            } => {
                let kind = match cloud {
                    Cloud::Aws => "VPC",
                    Cloud::Gcp => "network",
                    Cloud::Azure => "VNet",
                };
                write!(f, "{kind} {network} {}", cidrs(c))
            }
            Action::AddCidr { network, cidr, .. } => write!(f, "block {cidr} in {network}"),
            Action::DeleteNetwork { network, id, .. } => write!(f, "network {network} ({id})"),
            Action::AwsRequestPeering {
                link,
                requester,
                accepter,
            } => {
                write!(f, "peering {link}: request {requester} -> {accepter}")
            }
            Action::AwsAdoptPeering { link, peering } => {
                write!(f, "peering {link}: adopt {peering} (tag it)")
            }
            Action::AwsEnableDns { network } => {
                write!(f, "VPC {network}: DNS hostnames and DNS support on")
            }
            Action::AwsAcceptPeering { link } => write!(f, "peering {link}: accept"),
            Action::AwsAwaitPeering { link } => write!(f, "peering {link}: wait until active"),
            Action::AwsSetDns { link, enabled } => {
                write!(
                    f,
                    "peering {link}: DNS resolution from the peer {}",
                    on(*enabled)
                )
            }
            Action::AwsDeletePeering { peering, link } => write!(f, "peering {link}: {peering}"),
            Action::AwsCreateRoute(r) => write!(f, "{r}"),
            Action::AwsReplaceRoute(r) => write!(f, "{r}"),
            Action::AwsDeleteRoute {
                network,
                table,
                destination,
                peering,
            } => {
                write!(f, "route {network} {table} {destination} -> {peering}")
            }
            Action::AwsAllowIngress(r) | Action::AwsRevokeIngress(r) => write!(
                f,
                "rule {} default group: {} from {} (link {})",
                r.network, r.opening, r.source, r.link
            ),
            Action::AwsAllowGroupIngress {
                network,
                link,
                opening,
                peer,
            } => write!(
                f,
                "rule {network} default group: {opening} from {peer}'s default group (link {link})"
            ),
            Action::AwsRevokeGroupIngress {
                network,
                link,
                opening,
                group,
                ..
            } => write!(
                f,
                "rule {network} default group: {opening} from {group} (link {link})"
            ),
            Action::GcpAddPeering {
                network,
                name,
                peer,
                custom_routes,
            } => write!(
                f,
                "peering {network}/{name} -> {}{}",
                peer.trim_start_matches("projects/")
                    .replace("/global/networks/", "/"),
                if *custom_routes {
                    ", custom routes exchanged"
                } else {
                    ""
                }
            ),
            Action::GcpUpdatePeering {
                network,
                name,
                custom_routes,
            } => write!(
                f,
                "peering {network}/{name}: custom route exchange {}",
                on(*custom_routes)
            ),
            Action::GcpRemovePeering { network, name } => write!(f, "peering {network}/{name}"),
            Action::GcpCreateFirewall(rule) | Action::GcpUpdateFirewall(rule) => write!(
                f,
                "firewall {}/{}: allow {} from {}",
                rule.network,
                rule.name,
                rule.allowed
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                cidrs(&rule.sources)
            ),
            Action::GcpDeleteFirewall { network, name } => write!(f, "firewall {network}/{name}"),
            Action::AzureCreatePeering(p) | Action::AzureUpdatePeering(p) => {
                let AzurePeeringSpec {
                    network,
                    name,
                    remote,
                    ..
                } = p;
                let options = [
                    (p.allow_forwarded_traffic, ", forwarded traffic allowed"),
                    (p.allow_gateway_transit, ", offers its gateway"),
                    (p.use_remote_gateways, ", uses the remote gateway"),
                ];
                let shown: String = options
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, text)| *text)
                    .collect();
                let vnet = remote.rsplit('/').next().unwrap_or(remote);
                write!(f, "peering {network}/{name} -> {vnet}{shown}")
            }
            Action::AzureSyncPeering { network, name } => {
                write!(f, "peering {network}/{name}: sync the address space")
            }
            Action::AzureDeletePeering { network, name } => write!(f, "peering {network}/{name}"),
            Action::CreateGatewaySubnet {
                network,
                cidr,
                zone,
                ..
            } => write!(
                f,
                "public subnet {cidr} in {network}{}",
                zone.as_ref().map(|z| format!(" ({z})")).unwrap_or_default()
            ),
            Action::AllocateAddress { gateway, .. } => {
                write!(f, "public address of gateway {gateway}")
            }
            Action::GatewayFirewall {
                gateway,
                peers,
                inner,
                ..
            } => write!(
                f,
                "firewall of gateway {gateway}: udp/{} from {}{}",
                vpcpeer_gateway::DEFAULT_PORT,
                if peers.is_empty() {
                    "nobody".to_string()
                } else {
                    peers
                        .iter()
                        .map(|p| format!("{p}'s address"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                if inner.is_empty() {
                    String::new()
                } else {
                    format!("; all from {}", cidrs(inner))
                }
            ),
            Action::LaunchGateway {
                gateway,
                network,
                subnet,
                tunnels,
                ..
            } => write!(
                f,
                "gateway {gateway} in {network} ({subnet}), tunnels to {}",
                if tunnels.is_empty() {
                    "none".to_string()
                } else {
                    tunnels
                        .iter()
                        .map(|t| t.peer.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            Action::GatewayForwarding { gateway, .. } => {
                write!(f, "gateway {gateway}: forwarding on")
            }
            Action::AttachAddress { gateway, .. } => {
                write!(f, "gateway {gateway}: attach its public address")
            }
            Action::DeleteGateway { gateway, id, .. } => write!(f, "gateway {gateway} ({id})"),
            Action::DeleteGatewayFirewall { gateway, .. } => {
                write!(f, "firewall of gateway {gateway}")
            }
            Action::ReleaseAddress { gateway, id, .. } => {
                write!(f, "public address of gateway {gateway} ({id})")
            }
            Action::DeleteGatewaySubnet { network, id, .. } => {
                write!(f, "gateway subnet {id} in {network}")
            }
            Action::CreateGatewayRoute(r) => write!(f, "{r}"),
            Action::ReplaceGatewayRoute(r) => write!(f, "{r}"),
            Action::DeleteGatewayRoute {
                network,
                table,
                destination,
                gateway,
                ..
            } => write!(
                f,
                "route {network} {table} {destination} -> gateway {gateway}"
            ),
        }
    }
}

impl<T: fmt::Display> fmt::Display for PeeringRoute<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PeeringRoute {
            network,
            table,
            destination,
            link,
        } = self;
        write!(f, "route {network} {table} {destination} -> peering {link}")
    }
}

impl<T: fmt::Display> fmt::Display for GatewayRoute<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let GatewayRoute {
            network,
            table,
            destination,
            gateway,
            link,
            ..
        } = self;
        write!(
            f,
            "route {network} {table} {destination} -> gateway {gateway} (link {link})"
        )
    }
}

fn on(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

impl fmt::Display for AwsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AwsStatus::InitiatingRequest => "initiating-request",
            AwsStatus::PendingAcceptance => "pending-acceptance",
            AwsStatus::Provisioning => "provisioning",
            AwsStatus::Active => "active",
            AwsStatus::Deleting => "deleting",
            AwsStatus::Deleted => "deleted",
            AwsStatus::Rejected => "rejected",
            AwsStatus::Expired => "expired",
            AwsStatus::Failed => "failed",
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Missing => f.write_str("declared, not there yet"),
            Reason::Drift => f.write_str("drift: missing from an established link"),
            Reason::Pending => f.write_str("the request waits for acceptance"),
            Reason::Provisioning(s) => write!(f, "the peering is {s}"),
            Reason::Ended { peering, status } => {
                write!(f, "the last request, {peering}, is {status}")
            }
            Reason::Unowned => f.write_str("made outside this topology; it joins the pair"),
            Reason::OptionsDiffer => f.write_str("drift: options differ"),
            Reason::DnsFor { link } => write!(f, "DNS resolution over link {link} needs them"),
            Reason::Retarget { was } => write!(f, "it points at {was}"),
            Reason::Disconnected => f.write_str("disconnected: the remote half was deleted"),
            Reason::OutOfSync => f.write_str("the address space changed; not in sync"),
            Reason::PeerGrows { peer } => {
                write!(f, "{peer}'s address space grows; the peering needs a sync")
            }
            Reason::RuleDiffers => f.write_str("drift: sources or ports differ"),
            Reason::ConfigDiffers => {
                f.write_str("its tunnel configuration differs from the one rendered now")
            }
            Reason::GatewayDrift => f.write_str("drift: changed out of band"),
            Reason::Stale => f.write_str("no longer declared"),
            Reason::Destroy => f.write_str("destroy"),
        }
    }
}

impl Step {
    /// The step as a line, its reason in a column starting at `width`.
    fn line(&self, width: usize) -> String {
        let what = format!(
            "{} {:<5} {}",
            self.action.sign().mark(),
            self.action.cloud(),
            self.action
        );
        format!("{what:<width$}  # {}", self.reason)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line(0))
    }
}

/// Reasons start in one column, unless a step is longer than this.
const REASON_COLUMN: usize = 72;

impl Plan {
    /// How many steps add, change and remove.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: Sign| self.steps.iter().filter(|x| x.action.sign() == s).count();
        (n(Sign::Add), n(Sign::Change), n(Sign::Remove))
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .steps
            .iter()
            .map(|s| s.line(0).find("  # ").unwrap_or(0))
            .filter(|w| *w <= REASON_COLUMN)
            .max()
            .unwrap_or(0);
        for s in &self.steps {
            writeln!(f, "{}", s.line(width))?;
        }
        for c in &self.conflicts {
            writeln!(f, "! {c}")?;
        }
        if self.is_empty() {
            return writeln!(f, "No changes. The clouds match the topology.");
        }
        let (add, change, remove) = self.counts();
        writeln!(
            f,
            "Plan: {add} to add, {change} to change, {remove} to destroy."
        )?;
        if !self.conflicts.is_empty() {
            writeln!(
                f,
                "{} conflict(s): apply would refuse to start.",
                self.conflicts.len()
            )?;
        }
        Ok(())
    }
}

impl Conflict {
    /// The conflicts as lines, for error messages.
    pub fn lines(conflicts: &[Conflict]) -> String {
        conflicts.iter().map(|c| format!("  - {c}\n")).collect()
    }
}
