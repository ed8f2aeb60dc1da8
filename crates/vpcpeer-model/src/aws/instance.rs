//! Instances and their network interfaces: RunInstances, TerminateInstances and the lookups the
//! Describe actions use.
//!
//! Only the networking side of EC2 is emulated: an instance is a record with one or more network
//! interfaces (ENIs) that hold private addresses in subnets and security groups. Choices where AWS
//! is unverified or where the emulator differs on purpose:
//! - A launch without a subnet (no `SubnetId`, or an interface without one) goes to a default
//!   subnet of the region's default VPC: the one of `Placement.AvailabilityZone` when given,
//!   else the first in zone order ([`crate::aws::default_vpc`]); security groups named by
//!   `SecurityGroup.N` are the default VPC's. Without a default VPC a launch without any subnet
//!   is refused (`VPCIdNotSpecified` on the EC2 face), and an interface without a subnet is
//!   refused as missing one.
//! - A zone given with a subnet must be the subnet's zone [UNVERIFIED refusal and wording].
//! - Instances start at once: the stored state is `running`; RunInstances *shows* `pending`.
//!   TerminateInstances stores `terminated` and shows `shutting-down` on the first call.
//! - A terminated instance stays visible for [`TERMINATED_VISIBLE_MS`] of emulator time, then
//!   vanishes (it is hidden at once and purged by the next launch or termination of its owner).
//! - One launch creates at most [`MAX_INSTANCES_PER_LAUNCH`] instances; a larger `MaxCount` is
//!   clamped (AWS launches "as many as possible ≥ MinCount" when capacity is short).
//! - A public IPv4 address (from [`crate::aws::address::PUBLIC_POOL`], not an Elastic IP) is
//!   given to a launch with one new interface when `AssociatePublicIpAddress` is true, or is not
//!   given and the subnet maps public addresses on launch (default subnets do); it is released
//!   when the interface is deleted or detached by a termination.
//! - `NetworkInterface.N.NetworkInterfaceId` makes an existing, available interface of the caller
//!   the instance's (a launch of one instance; the interface must be in the primary's zone; it
//!   takes no subnet, groups or addresses; `DeleteOnTermination` defaults to false).
//! - IPv6 addresses (`Ipv6AddressCount`, `Ipv6Addresses.N`) need an IPv6 block on the subnet; a
//!   subnet that assigns IPv6 on creation gives a new interface one when none is asked for.
//!   Launching into an IPv6-only subnet is refused (the emulator's interfaces have a primary
//!   IPv4 address).
//! - `InstanceType` must be a type the [catalogue](crate::aws::catalog) lists or a size of a
//!   real family (`UnknownInstanceType` otherwise); `ImageId` may be any `ami-…`.
//! - A client token matches a launch of the same account and region while any of its instances
//!   is still visible; the parameters are compared through a digest of the whole input, kept in
//!   the stored token (see [`client_token_of`]).

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::aws::error::{Conflict, Field};
use crate::aws::security_group::GroupSelector;
use crate::{
    AddressProblem, DomainError, EniAttachment, GroupProblem, Instance, InstanceState, Kind,
    LaunchProblem, NetworkInterface, SecurityGroup, Subnet, Tags, Timestamp, Tx, Vpc,
};

/// How long a terminated instance stays visible (AWS: about an hour).
pub const TERMINATED_VISIBLE_MS: i64 = Timestamp::HOUR;

/// Most instances one RunInstances creates (an emulator cap standing in for account limits).
pub const MAX_INSTANCES_PER_LAUNCH: i64 = 1000;

/// Longest client token AWS accepts.
pub const MAX_CLIENT_TOKEN: usize = 64;

/// One `NetworkInterface.N` of RunInstances (an interface created with the instance).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NicSpec {
    /// `DeviceIndex` (0 = primary).
    pub device_index: u32,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `SecurityGroupId.M`; empty = the VPC's `default` group.
    pub security_group_ids: Vec<String>,
    /// `PrivateIpAddress`.
    pub private_ip: Option<Ipv4Addr>,
    /// `SecondaryPrivateIpAddressCount`.
    pub secondary_count: u32,
    /// `DeleteOnTermination` (default true for interfaces created at launch).
    pub delete_on_termination: bool,
    /// `AssociatePublicIpAddress`.
    pub associate_public_ip: Option<bool>,
    /// `Description`.
    pub description: Option<String>,
    /// The secondary addresses of `PrivateIpAddresses.M` (its `Primary` one is `private_ip`).
    #[serde(default)]
    pub secondary_ips: Vec<Ipv4Addr>,
    /// `Ipv6AddressCount`.
    #[serde(default)]
    pub ipv6_count: u32,
    /// `Ipv6Addresses.M`.
    #[serde(default)]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// `NetworkInterfaceId`: an existing, available interface becomes this one.
    #[serde(default)]
    pub network_interface_id: Option<String>,
}

/// Input of RunInstances.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunInstances {
    /// `MinCount`.
    pub min_count: i64,
    /// `MaxCount`.
    pub max_count: i64,
    /// `ImageId`.
    pub image_id: String,
    /// `InstanceType` (default `m1.small`).
    pub instance_type: Option<String>,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `Placement.AvailabilityZone`: where a launch without a subnet goes (its default subnet).
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip: Option<Ipv4Addr>,
    /// `SecurityGroupId.N`.
    pub security_group_ids: Vec<String>,
    /// `SecurityGroup.N`: groups by name, in the default VPC (a launch without a subnet only).
    #[serde(default)]
    pub security_group_names: Vec<String>,
    /// `NetworkInterface.N`.
    pub network_interfaces: Vec<NicSpec>,
    /// Tags for the instances (TagSpecification `instance`).
    pub instance_tags: Tags,
    /// Tags for their interfaces (TagSpecification `network-interface`).
    pub eni_tags: Tags,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// `Ipv6AddressCount` (the primary interface's, without `NetworkInterface.N`).
    #[serde(default)]
    pub ipv6_count: u32,
    /// `Ipv6Address.N` (the primary interface's, without `NetworkInterface.N`).
    #[serde(default)]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// `KeyName`: a key pair of the caller's (shown by DescribeInstances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// `LaunchTemplate`: a template merged under the request (the launch template module's
    /// merge rule: the request's own values win).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_template: Option<crate::aws::template_ref::TemplateSpec>,
    /// `UserData`: base64 text, checked by the EC2 face (decodes, at most 16 KB decoded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

/// What RunInstances launched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// `r-…`.
    pub reservation_id: String,
    /// The instances, in launch order.
    pub instance_ids: Vec<String>,
    /// Whether this call launched them (false: a retry answered with an earlier launch).
    pub new: bool,
}

/// One line of a TerminateInstances answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange<'a> {
    /// The instance.
    pub instance_id: &'a str,
    /// State before the call.
    pub previous: InstanceState,
    /// State the answer shows.
    pub current: InstanceState,
}

/// A state change with an owned id.
pub type Terminated = (String, InstanceState, InstanceState);

/// FNV-1a, a stable digest (unlike `std`'s hasher, it does not change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fingerprint(input: &RunInstances) -> u64 {
    let mut i = input.clone();
    i.client_token = None;
    fnv1a(format!("{i:?}").as_bytes())
}

/// The client token of an instance's launch, as the client gave it.
pub fn client_token_of(i: &Instance) -> Option<&str> {
    i.client_token.as_deref()
}

/// A MAC address derived from an interface id (`02:` = locally administered, as AWS uses).
pub fn mac_for(eni_id: &str) -> String {
    let hex: Vec<char> = eni_id
        .strip_prefix("eni-")
        .unwrap_or(eni_id)
        .chars()
        .filter(char::is_ascii_hexdigit)
        .chain(std::iter::repeat('0'))
        .take(10)
        .collect();
    let mut out = String::from("02");
    for pair in hex.chunks(2) {
        out.push(':');
        out.extend(pair.iter().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// Whether RunInstances and ModifyInstanceAttribute accept instance type `t` (the catalogue's rule).
pub(crate) fn valid_instance_type(t: &str) -> bool {
    crate::aws::catalog::is_launchable_type(t)
}

/// Whether an instance is still listed at `now`.
pub fn instance_visible(i: &Instance, now: Timestamp) -> bool {
    i.terminated
        .is_none_or(|t| now < t.plus_millis(TERMINATED_VISIBLE_MS))
}

/// A resolved interface of a launch plan.
#[derive(Debug, Clone)]
struct PlannedNic {
    device_index: u32,
    subnet: Subnet,
    groups: Vec<String>,
    private_ip: Option<Ipv4Addr>,
    secondary_count: u32,
    delete_on_termination: bool,
    description: String,
    secondary_ips: Vec<Ipv4Addr>,
    ipv6_count: u32,
    ipv6_addresses: Vec<Ipv6Addr>,
    /// An existing interface the launch attaches.
    existing: Option<NetworkInterface>,
    /// Whether the interface gets a public IPv4 address.
    public: bool,
}

impl Tx<'_, '_> {
    /// A caller's instance that is still visible, or `InvalidInstanceID.NotFound`/`.Malformed`.
    pub fn visible_instance(&self, id: &str) -> Result<&Instance, DomainError> {
        let i = self.owned::<Instance>(id)?;
        if instance_visible(i, self.now()) {
            Ok(i)
        } else {
            Err(DomainError::not_found(Kind::Instance, id))
        }
    }

    /// The caller's visible instances, in id order.
    pub fn visible_instances(&self) -> impl Iterator<Item = &Instance> {
        let now = self.now();
        self.list_owned::<Instance>()
            .filter(move |i| instance_visible(i, now))
    }

    /// The caller's network interface `id`.
    pub fn network_interface(&self, id: &str) -> Result<&NetworkInterface, DomainError> {
        self.owned::<NetworkInterface>(id)
    }

    /// Removes the caller's terminated instances whose visibility window has passed.
    fn purge_vanished(&mut self) {
        let now = self.now();
        let gone: Vec<String> = self
            .list_owned::<Instance>()
            .filter(|i| !instance_visible(i, now))
            .map(|i| i.id.clone())
            .collect();
        for id in gone {
            self.remove::<Instance>(&id);
        }
    }

    /// The security groups for an interface in `vpc_id`: the given ones (the caller's, in that
    /// VPC), or the VPC's `default` group.
    pub(crate) fn groups_for(
        &self,
        vpc_id: &str,
        given: &[String],
    ) -> Result<Vec<String>, DomainError> {
        if given.is_empty() {
            let default = self
                .list_owned::<SecurityGroup>()
                .find(|g| g.vpc_id == vpc_id && g.name == "default")
                .ok_or_else(|| {
                    DomainError::Group(GroupProblem::NotInVpc {
                        group: "default".into(),
                        vpc_id: vpc_id.to_owned(),
                    })
                })?;
            return Ok(vec![default.id.clone()]);
        }
        let mut out: Vec<String> = Vec::new();
        for id in given {
            let g = self.owned::<SecurityGroup>(id)?;
            if g.vpc_id != vpc_id {
                return Err(DomainError::Group(GroupProblem::NotInVpc {
                    group: id.clone(),
                    vpc_id: vpc_id.to_owned(),
                }));
            }
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    /// The zone a launch asks for (`Placement.AvailabilityZone`), checked against the region.
    fn launch_zone(&self, input: &RunInstances) -> Result<Option<String>, DomainError> {
        let Some(z) = input.availability_zone.as_deref() else {
            return Ok(None);
        };
        let zones = crate::aws::regions::zones(&self.scope().region);
        if zones.iter().any(|x| x.name == z) {
            Ok(Some(z.to_owned()))
        } else {
            Err(DomainError::ZoneNotOffered {
                field: Field::LaunchZone,
                value: z.to_owned(),
                offered: zones.into_iter().map(|x| x.name).collect(),
            })
        }
    }

    /// The ids of the default VPC's groups named `names` (in request order, each once).
    fn default_vpc_groups(&self, names: &[String]) -> Result<Vec<String>, DomainError> {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            let id = self
                .security_group(&GroupSelector::Name(name.clone()))?
                .id
                .clone();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    fn plan_nics(&self, input: &RunInstances) -> Result<Vec<PlannedNic>, DomainError> {
        let zone = self.launch_zone(input)?;
        let specs: Vec<NicSpec> = if input.network_interfaces.is_empty() {
            let (subnet_id, mut groups) = match input.subnet_id.clone() {
                Some(id) => (id, input.security_group_ids.clone()),
                None => {
                    let subnet = self.default_subnet_for_launch(zone.as_deref())?;
                    let named = self.default_vpc_groups(&input.security_group_names)?;
                    (subnet.id, named)
                }
            };
            for id in &input.security_group_ids {
                if !groups.contains(id) {
                    groups.push(id.clone());
                }
            }
            vec![NicSpec {
                device_index: 0,
                subnet_id: Some(subnet_id),
                security_group_ids: groups,
                private_ip: input.private_ip,
                secondary_count: 0,
                delete_on_termination: true,
                associate_public_ip: None,
                description: None,
                ipv6_count: input.ipv6_count,
                ipv6_addresses: input.ipv6_addresses.clone(),
                ..NicSpec::default()
            }]
        } else {
            if input.subnet_id.is_some() {
                return Err(DomainError::Conflict(Conflict::InterfacesWithSubnet));
            }
            if !input.security_group_ids.is_empty() || !input.security_group_names.is_empty() {
                return Err(DomainError::Conflict(Conflict::InterfacesWithGroups));
            }
            if input.private_ip.is_some() {
                return Err(DomainError::Conflict(
                    Conflict::InterfacesWithPrivateAddress,
                ));
            }
            if input.ipv6_count > 0 || !input.ipv6_addresses.is_empty() {
                return Err(DomainError::Conflict(
                    Conflict::InterfacesWithPrivateAddress,
                ));
            }
            let mut specs = input.network_interfaces.clone();
            let needs_subnet =
                |s: &NicSpec| s.subnet_id.is_none() && s.network_interface_id.is_none();
            if specs.iter().any(needs_subnet) && self.default_vpc().is_some() {
                let subnet = self.default_subnet_for_launch(zone.as_deref())?;
                for s in specs.iter_mut().filter(|s| needs_subnet(s)) {
                    s.subnet_id = Some(subnet.id.clone());
                }
            }
            specs
        };
        let mut seen = Vec::new();
        for s in &specs {
            if seen.contains(&s.device_index) {
                return Err(DomainError::Launch(LaunchProblem::DeviceIndexRepeated {
                    device_index: s.device_index,
                }));
            }
            seen.push(s.device_index);
        }
        if !seen.contains(&0) {
            return Err(DomainError::Launch(LaunchProblem::NoPrimaryInterface));
        }
        if specs.len() > 1 && specs.iter().any(|s| s.associate_public_ip == Some(true)) {
            return Err(DomainError::Conflict(
                Conflict::PublicAddressWithSeveralInterfaces,
            ));
        }
        if input.max_count > 1 && specs.iter().any(|s| s.private_ip.is_some()) {
            return Err(DomainError::Conflict(
                Conflict::PrivateAddressForSeveralInstances,
            ));
        }
        let single = specs.len() == 1;
        let mut planned = Vec::new();
        for s in specs {
            if let Some(id) = &s.network_interface_id {
                planned.push(self.plan_existing_nic(input, &s, id)?);
                continue;
            }
            let Some(subnet_id) = &s.subnet_id else {
                return Err(DomainError::Missing(Field::InterfaceSubnet {
                    device_index: s.device_index,
                }));
            };
            let subnet = self.subnet(subnet_id)?.clone();
            let groups = self.groups_for(&subnet.vpc_id, &s.security_group_ids)?;
            let public = single
                && s.device_index == 0
                && s.associate_public_ip
                    .unwrap_or(subnet.map_public_ip_on_launch);
            let mut ipv6_count = s.ipv6_count;
            if ipv6_count == 0 && s.ipv6_addresses.is_empty() && subnet.assign_ipv6_on_creation {
                ipv6_count = 1;
            }
            planned.push(PlannedNic {
                device_index: s.device_index,
                subnet,
                groups,
                private_ip: s.private_ip,
                secondary_count: s.secondary_count,
                delete_on_termination: s.delete_on_termination,
                description: s.description.unwrap_or_default(),
                secondary_ips: s.secondary_ips,
                ipv6_count,
                ipv6_addresses: s.ipv6_addresses,
                existing: None,
                public,
            });
        }
        planned.sort_by_key(|n| n.device_index);
        if let Some(z) = zone.filter(|z| *z != planned[0].subnet.availability_zone) {
            return Err(DomainError::Launch(LaunchProblem::SubnetNotInZone {
                subnet_id: planned[0].subnet.id.clone(),
                zone: z,
            }));
        }
        let zone = planned[0].subnet.availability_zone.clone();
        if let Some(other) = planned.iter().find(|n| n.subnet.availability_zone != zone) {
            return Err(DomainError::Launch(
                LaunchProblem::InterfacesInSeveralZones {
                    subnet_id: other.subnet.id.clone(),
                    zone: other.subnet.availability_zone.clone(),
                    primary_zone: zone,
                },
            ));
        }
        Ok(planned)
    }

    /// RunInstances.
    pub fn run_instances(&mut self, input: RunInstances) -> Result<Launch, DomainError> {
        let input = self.with_template(input)?;
        if input.min_count < 1 {
            return Err(DomainError::Invalid {
                field: Field::LaunchMinCount,
                value: input.min_count.to_string(),
            });
        }
        if input.max_count < input.min_count {
            return Err(DomainError::LaunchCountsReversed {
                min_count: input.min_count,
                max_count: input.max_count,
            });
        }
        if input.min_count > MAX_INSTANCES_PER_LAUNCH {
            return Err(DomainError::LaunchTooLarge {
                min_count: input.min_count,
                limit: MAX_INSTANCES_PER_LAUNCH,
            });
        }
        if input.image_id.is_empty() {
            return Err(DomainError::Missing(Field::Image));
        }
        if let Some(t) = &input.client_token {
            if t.len() > MAX_CLIENT_TOKEN || !t.is_ascii() {
                return Err(DomainError::Invalid {
                    field: Field::ClientToken,
                    value: t.clone(),
                });
            }
        }
        let digest = fingerprint(&input);
        if let Some(token) = input.client_token.as_deref().filter(|t| !t.is_empty()) {
            let mut earlier: Vec<&Instance> = self
                .visible_instances()
                .filter(|i| client_token_of(i) == Some(token))
                .collect();
            earlier.sort_by_key(|i| i.launch_index);
            if let Some(first) = earlier.first() {
                if first.launch_digest != Some(digest) {
                    return Err(DomainError::IdempotentParameterMismatch {
                        client_token: token.to_owned(),
                    });
                }
                return Ok(Launch {
                    reservation_id: first.reservation_id.clone(),
                    instance_ids: earlier.iter().map(|i| i.id.clone()).collect(),
                    new: false,
                });
            }
        }
        let instance_type = input
            .instance_type
            .clone()
            .unwrap_or_else(|| "m1.small".into());
        if !crate::aws::catalog::is_launchable_type(&instance_type) {
            return Err(DomainError::UnknownInstanceType { instance_type });
        }
        if let Some(k) = &input.key_name {
            self.require_key_pair(k)?;
        }
        for tags in [&input.instance_tags, &input.eni_tags] {
            self.new_resource_tags(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        }
        let nics = self.plan_nics(&input)?;
        self.purge_vanished();

        let max = input.max_count.min(MAX_INSTANCES_PER_LAUNCH);
        let mut taken: BTreeMap<String, Vec<Ipv4Addr>> = BTreeMap::new();
        let mut taken6: BTreeMap<String, BTreeSet<Ipv6Addr>> = BTreeMap::new();
        let mut launches = Vec::new();
        for _ in 0..max {
            match self.addresses_for(&nics, &mut taken, &mut taken6) {
                Ok(a) => launches.push(a),
                Err(e @ DomainError::Address(AddressProblem::Exhausted { .. }))
                    if (launches.len() as i64) < input.min_count =>
                {
                    return Err(e);
                }
                Err(DomainError::Address(AddressProblem::Exhausted { .. })) => break,
                Err(e) => return Err(e),
            }
        }

        let primary = &nics[0].subnet;
        let now = self.now();
        let scope = self.scope().clone();
        let reservation_id = self.new_id("r");
        let mut instance_ids = Vec::new();
        let mut public_taken: Option<BTreeSet<Ipv4Addr>> = None;
        for (index, addrs) in launches.into_iter().enumerate() {
            let instance_id = self.new_id("i");
            let mut eni_ids = Vec::new();
            for (n, a) in nics.iter().zip(addrs) {
                let attach_id_for = |tx: &mut Self| tx.new_id("eni-attach");
                if let Some(e) = &n.existing {
                    let attach_id = attach_id_for(self);
                    if let Some(x) = self.get_mut::<NetworkInterface>(&e.id) {
                        x.attachment = Some(EniAttachment {
                            id: attach_id,
                            instance_id: instance_id.clone(),
                            device_index: n.device_index,
                            attach_time: now,
                            delete_on_termination: n.delete_on_termination,
                        });
                    }
                    eni_ids.push(e.id.clone());
                    continue;
                }
                let eni_id = self.new_id("eni");
                let attach_id = attach_id_for(self);
                let public_ip = if n.public {
                    let pool = public_taken.get_or_insert_with(|| self.public_ips_in_use());
                    Some(self.draw_public_ip(pool)?)
                } else {
                    None
                };
                let eni = NetworkInterface {
                    id: eni_id.clone(),
                    scope: scope.clone(),
                    subnet_id: n.subnet.id.clone(),
                    vpc_id: n.subnet.vpc_id.clone(),
                    availability_zone: n.subnet.availability_zone.clone(),
                    private_ip: a.primary,
                    secondary_ips: a.secondary,
                    ipv6: a.ipv6,
                    groups: n.groups.clone(),
                    attachment: Some(EniAttachment {
                        id: attach_id,
                        instance_id: instance_id.clone(),
                        device_index: n.device_index,
                        attach_time: now,
                        delete_on_termination: n.delete_on_termination,
                    }),
                    mac: mac_for(&eni_id),
                    description: n.description.clone(),
                    interface_type: "interface".into(),
                    source_dest_check: true,
                    tags: input.eni_tags.clone(),
                    public_ip,
                    public_ip_on_launch: public_ip.is_some(),
                };
                self.put(eni);
                eni_ids.push(eni_id);
            }
            let instance = Instance {
                id: instance_id.clone(),
                reservation_id: reservation_id.clone(),
                scope: scope.clone(),
                image_id: input.image_id.clone(),
                instance_type: instance_type.clone(),
                subnet_id: primary.id.clone(),
                vpc_id: primary.vpc_id.clone(),
                availability_zone: primary.availability_zone.clone(),
                eni_ids,
                state: InstanceState::Running,
                launch_time: now,
                terminated: None,
                client_token: input.client_token.clone().filter(|t| !t.is_empty()),
                launch_digest: Some(digest),
                launch_index: index as u32,
                tags: input.instance_tags.clone(),
                key_name: input.key_name.clone(),
                user_data: input.user_data.clone(),
                stopped: None,
            };
            self.put(instance);
            instance_ids.push(instance_id);
        }
        Ok(Launch {
            reservation_id,
            instance_ids,
            new: true,
        })
    }

    /// TerminateInstances: all ids must be the caller's visible instances; terminating twice is
    /// harmless. Interfaces marked delete-on-termination are deleted (their addresses become
    /// free); the others are detached. Returns `(id, previous, shown current)` per distinct id.
    pub fn terminate_instances(&mut self, ids: &[String]) -> Result<Vec<Terminated>, DomainError> {
        if ids.is_empty() {
            return Err(DomainError::Missing(Field::Instances));
        }
        let mut unique: Vec<&String> = Vec::new();
        for id in ids {
            self.visible_instance(id)?;
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        let now = self.now();
        let mut out = Vec::new();
        for id in unique {
            let inst = self.visible_instance(id)?.clone();
            if inst.state == InstanceState::Terminated {
                out.push((
                    id.clone(),
                    InstanceState::Terminated,
                    InstanceState::Terminated,
                ));
                continue;
            }
            for eni_id in &inst.eni_ids {
                let delete = self
                    .get::<NetworkInterface>(eni_id)
                    .and_then(|e| e.attachment.as_ref())
                    .is_some_and(|a| a.delete_on_termination);
                if delete {
                    self.drop_addresses_of(eni_id, None);
                    self.remove::<NetworkInterface>(eni_id);
                } else if let Some(e) = self.get_mut::<NetworkInterface>(eni_id) {
                    e.attachment = None;
                    e.public_ip = None;
                    e.public_ip_on_launch = false;
                }
            }
            if let Some(i) = self.get_mut::<Instance>(id) {
                i.state = InstanceState::Terminated;
                i.terminated = Some(now);
                i.eni_ids.clear();
            }
            out.push((id.clone(), inst.state, InstanceState::ShuttingDown));
        }
        self.purge_vanished();
        Ok(out)
    }

    /// DeleteNetworkInterface: only a detached interface the caller created (not one a service
    /// such as a NAT gateway manages).
    /// An attached interface is refused first ([`DomainError::InterfaceInUse`]), then one a
    /// service manages.
    pub fn delete_network_interface(&mut self, id: &str) -> Result<(), DomainError> {
        let e = self.owned::<NetworkInterface>(id)?;
        if let Some(a) = &e.attachment {
            return Err(DomainError::InterfaceInUse {
                id: id.to_owned(),
                instance_id: a.instance_id.clone(),
            });
        }
        if e.interface_type != "interface" {
            return Err(DomainError::InterfaceManaged {
                interface_id: id.to_owned(),
            });
        }
        self.drop_addresses_of(id, None);
        self.remove::<NetworkInterface>(id);
        Ok(())
    }

    /// The VPC of an instance's primary interface (for placement tenancy).
    pub fn instance_tenancy(&self, i: &Instance) -> String {
        self.get::<Vpc>(&i.vpc_id)
            .map(|v| v.instance_tenancy.clone())
            .unwrap_or_else(|| "default".into())
    }
}

mod launch;

#[cfg(test)]
mod tests;
