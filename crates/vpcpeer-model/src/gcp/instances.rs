//! `instances.insert` and `delete`: VMs with internal IPs in subnetworks of their zone's region,
//! external access configs, `canIpForward` and metadata (see `vm.rs` for what these do).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::networks::network;
use super::operations::{delete_record, existing, insert_record, vacant};
use super::rules::same_project;
use super::*;
use crate::Tx;

/// One `networkInterfaces[]` entry of `instances.insert`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NicSpec {
    /// The network (URL or partial); optional when `subnetwork` is given.
    pub network: Option<String>,
    /// The subnetwork (URL or partial); optional for auto-mode networks.
    pub subnetwork: Option<String>,
    /// A fixed internal IP; allocated from the subnetwork when absent.
    pub network_ip: Option<IpInput>,
    /// External access (`accessConfigs`, at most one).
    #[serde(default)]
    pub access_configs: Vec<AccessConfigSpec>,
}

/// A fixed internal IP as the face read it: parsed at the edge, and a text that is no IPv4
/// address kept as given, refused by the command in its place among its checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IpInput {
    /// An address (`a.b.c.d`, without leading zeros, so it reads back as given).
    Ip(Ipv4Addr),
    /// Text that is none, as given.
    Malformed(String),
}

impl IpInput {
    /// Reads `a.b.c.d`.
    pub fn parse(s: &str) -> IpInput {
        s.parse()
            .map_or_else(|_| IpInput::Malformed(s.to_owned()), IpInput::Ip)
    }

    /// The address, or the refusal of the text given in `field`.
    pub fn ip(&self, field: Field) -> Result<Ipv4Addr, GcpError> {
        match self {
            IpInput::Ip(a) => Ok(*a),
            IpInput::Malformed(s) => Err(GcpError::BadValue {
                field,
                value: s.clone(),
            }),
        }
    }
}

impl From<&str> for IpInput {
    fn from(s: &str) -> Self {
        IpInput::parse(s)
    }
}

/// What `instances.insert` takes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceSpec {
    /// Name.
    pub name: String,
    /// Machine type as given.
    pub machine_type: String,
    /// Network tags.
    pub tags: Vec<String>,
    /// Interfaces (at least one).
    pub nics: Vec<NicSpec>,
    /// `canIpForward` (default false).
    #[serde(default)]
    pub can_ip_forward: bool,
    /// `metadata.items`.
    #[serde(default)]
    pub metadata: Vec<MetadataItem>,
    /// The boot disk's `initializeParams.sourceImage`, as given (`None`: no disk given, or
    /// one without a source image). Kept out of the logged command when absent, so commands
    /// logged before disks existed read back the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_image: Option<String>,
}

fn used_ips(world: &crate::World, subnet: &str) -> BTreeSet<Ipv4Addr> {
    world
        .gcp
        .instances
        .values()
        .flat_map(|i| i.nics.iter())
        .filter(|n| n.subnetwork == subnet)
        .map(|n| n.network_ip)
        .collect()
}

/// `instances.insert`: each interface lands in a subnetwork of the zone's region and gets an
/// internal IP (the first free one after the two reserved at the start of the range, keeping the
/// two GCP reserves at its end, when none is given).
pub fn insert_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    spec: InstanceSpec,
) -> Result<GcpOperation, GcpError> {
    let region = region_of_zone(zone)
        .ok_or_else(|| GcpError::NotFound(format!("projects/{project}/zones/{zone}")))?
        .to_owned();
    check_name(Field::Name, &spec.name)?;
    if spec.nics.is_empty() {
        return Err(GcpError::NoInterfaces);
    }
    use super::limits::{check_count, MAX_INSTANCE_TAGS, MAX_NICS};
    check_count(Field::InstanceTags, spec.tags.len(), MAX_INSTANCE_TAGS)?;
    check_count(Field::NetworkInterfaces, spec.nics.len(), MAX_NICS)?;
    for t in &spec.tags {
        check_name(Field::InstanceTags, t)?;
    }
    super::vm::check_metadata(&spec.metadata)?;
    let id = instance_path(project, zone, &spec.name);
    vacant::<GcpInstance>(tx, &id)?;
    let mut nics: Vec<GcpNic> = Vec::new();
    let mut claims = super::vm::Claims {
        taken: super::addresses::external_ips_in_use(tx.world()),
        ..Default::default()
    };
    for (i, n) in spec.nics.iter().enumerate() {
        let subnet = match (&n.subnetwork, &n.network) {
            (Some(s), _) => {
                let sid =
                    resolve_subnetwork(s, project, &region).ok_or_else(|| GcpError::BadValue {
                        field: Field::NicSubnetwork(i),
                        value: s.clone(),
                    })?;
                same_project(project, Field::NicSubnetwork(i), &sid)?;
                existing::<GcpSubnetwork>(tx, &sid)?.clone()
            }
            (None, Some(net)) => {
                let nid = resolve_network(net, project).ok_or_else(|| GcpError::BadValue {
                    field: Field::NicNetwork(i),
                    value: net.clone(),
                })?;
                same_project(project, Field::NicNetwork(i), &nid)?;
                let netw = network(tx, &nid)?;
                if !netw.auto_create_subnetworks {
                    return Err(GcpError::SubnetworkRequired { nic: i });
                }
                subnetworks_of(tx.world(), &nid)
                    .find(|s| s.region == region && s.auto_created)
                    .cloned()
                    .ok_or_else(|| {
                        GcpError::NotFound(subnetwork_path(project, &region, name_of(&nid)))
                    })?
            }
            (None, None) => return Err(GcpError::NicWithoutNetwork { nic: i }),
        };
        if subnet.region != region {
            return Err(GcpError::SubnetworkInOtherRegion {
                nic: i,
                subnetwork: subnet.id,
                region,
            });
        }
        if let Some(net) = &n.network {
            let nid = resolve_network(net, project);
            if nid.as_deref() != Some(subnet.network.as_str()) {
                return Err(GcpError::SubnetworkOfOtherNetwork {
                    nic: i,
                    network: net.clone(),
                    subnetwork: subnet.id,
                });
            }
        }
        if nics.iter().any(|x| x.network == subnet.network) {
            return Err(GcpError::TwoNicsInOneNetwork { nic: i });
        }
        let mut used = used_ips(tx.world(), &subnet.id);
        used.extend(nics.iter().map(|x| x.network_ip));
        let range = subnet.ip_cidr_range;
        let hosts = crate::cidr::host_range(range, 2, 2);
        let ip = match &n.network_ip {
            Some(given) => {
                let a = given.ip(Field::NicIp(i))?;
                if !hosts.contains(&a) {
                    return Err(GcpError::IpOutsideRange { ip: a, range });
                }
                if used.contains(&a) {
                    return Err(GcpError::IpInUse { ip: a });
                }
                a
            }
            None => crate::cidr::first_free(hosts, |a| used.contains(&a)).ok_or_else(|| {
                GcpError::IpSpaceExhausted {
                    subnetwork: subnet.id.clone(),
                }
            })?,
        };
        let access_configs = super::vm::plan_access_configs(
            tx.world(),
            (project, region.as_str()),
            i,
            &n.access_configs,
            &mut claims,
        )?;
        nics.push(GcpNic {
            name: format!("nic{i}"),
            network: subnet.network.clone(),
            subnetwork: subnet.id.clone(),
            network_ip: ip,
            access_configs,
        });
    }
    let scope = OpScope::Zone(zone.to_owned());
    let record = |numeric, now| GcpInstance {
        id,
        project: project.to_owned(),
        zone: zone.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        machine_type: spec.machine_type,
        tags: spec.tags,
        nics,
        created: now,
        can_ip_forward: spec.can_ip_forward,
        status: InstanceStatus::Running,
        metadata: Some(GcpMetadata {
            fingerprint: super::vm::next_fingerprint(numeric),
            items: spec.metadata,
        }),
        source_image: spec.source_image,
        last_start: Some(now),
        last_stop: None,
    };
    Ok(insert_record(tx, project, scope, record))
}

/// `instances.delete`.
pub fn delete_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = instance_path(project, zone, name);
    let scope = OpScope::Zone(zone.to_owned());
    delete_record::<GcpInstance>(tx, project, scope, id, |i| i.numeric_id)
}
