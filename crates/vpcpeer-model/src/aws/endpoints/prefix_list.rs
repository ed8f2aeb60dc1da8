//! Managed prefix lists: the caller's own (`CreateManagedPrefixList`, `ModifyManagedPrefixList`,
//! `DeleteManagedPrefixList`) and the AWS-managed lists of each region's gateway-endpoint services.
//!
//! Rules, from the EC2 API Reference and the Amazon VPC User Guide ("Managed prefix lists"):
//! - A list has a family (`IPv4`/`IPv6`), a name, `MaxEntries` (1–1000), entries (a block of the
//!   family and an optional description) and a version: 1 on creation (state `create-complete`),
//!   +1 on every change (state `modify-complete`). Every version's entries are kept, so
//!   `GetManagedPrefixListEntries` answers a `TargetVersion`.
//! - A modification names the version it was built on (`CurrentVersion`), which must be the
//!   list's version; entries may not exceed `MaxEntries`, and `MaxEntries` may not drop below the
//!   entries held. A list referenced by a route table or a security group counts as its
//!   `MaxEntries` in that table's route quota and that group's rule quota (the Amazon VPC User
//!   Guide: "When you reference a prefix list in a resource, the maximum number of entries for
//!   the prefix lists counts against the quota for the number of entries for the resource"), so
//!   growing `MaxEntries` is refused when a referencing resource would go over its quota.
//! - The AWS-managed lists are not stored: each region has `com.amazonaws.<region>.s3` and
//!   `com.amazonaws.<region>.dynamodb`, owner `AWS`, computed on read ([`aws_managed_lists`]).
//!
//! Choices where AWS is unverified [UNVERIFIED]:
//! - The ids of the AWS-managed lists: `pl-` and the first 8 hex digits of the FNV-1a hash of
//!   the list's name (stable per region; real ids are AWS's own, e.g. `pl-63a5400a` for S3 in
//!   us-east-1). Their entries are a few public blocks of the service's published ranges,
//!   illustrative only, not AWS's current ranges; their `MaxEntries` is their entry count.
//! - A version mismatch answers `PrefixListVersionMismatch`; a delete of a referenced list is
//!   refused at once with `DependencyViolation`-like `InvalidPrefixListModification`
//!   (AWS may accept the delete and leave the list `delete-failed`).
//! - One modification may not change both entries and `MaxEntries` (AWS documents the
//!   restriction for resizing; the code is `InvalidParameterCombination`).
//! - Security group rules keep accepting a well-shaped id of a list that does not exist (as this
//!   emulator did before lists were modelled); such a rule counts as one rule.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::aws::has_id_shape;
use crate::{DomainError, EndpointProblem, Kind, LimitKind, RulePeer, Scope, Tags, Timestamp, Tx};

/// The owner id the AWS-managed lists show.
pub const AWS_OWNER: &str = "AWS";

/// The most entries a list may be sized for.
pub const MAX_ENTRIES_LIMIT: i64 = 1000;

/// A prefix list id (`pl-` and 8 or 17 lowercase hex digits), as a small `Copy` value so that a
/// route [`Destination`](crate::Destination) can name one. Stored and shown as its text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrefixListId {
    len: u8,
    bytes: [u8; 20],
}

impl PrefixListId {
    /// The id of `text`, if it has the shape of a prefix list id.
    pub fn parse(text: &str) -> Option<Self> {
        if !has_id_shape(text, "pl") || text.len() > 20 {
            return None;
        }
        let mut bytes = [0u8; 20];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(PrefixListId {
            len: text.len() as u8,
            bytes,
        })
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Display for PrefixListId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for PrefixListId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Serialize for PrefixListId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PrefixListId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PrefixListId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format_args!("not a prefix list id: {text}")))
    }
}

/// A list's address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressFamily {
    /// `IPv4`.
    V4,
    /// `IPv6`.
    V6,
}

impl AddressFamily {
    /// Whether `net` is of this family.
    pub fn holds(self, net: &IpNet) -> bool {
        matches!(
            (self, net),
            (AddressFamily::V4, IpNet::V4(_)) | (AddressFamily::V6, IpNet::V6(_))
        )
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListEntry {
    /// The block.
    pub cidr: IpNet,
    /// Its description.
    pub description: Option<String>,
}

/// A list's state as the last change left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrefixListState {
    /// `create-complete`.
    CreateComplete,
    /// `modify-complete`.
    ModifyComplete,
}

/// A managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    /// `pl-…`.
    pub id: String,
    /// Owner account and region (account [`AWS_OWNER`] for the AWS-managed lists).
    pub scope: Scope,
    /// `PrefixListName`.
    pub name: String,
    /// `AddressFamily`.
    pub family: AddressFamily,
    /// `MaxEntries`.
    pub max_entries: u32,
    /// The current version (1 on creation).
    pub version: u64,
    /// The entries of every version, oldest first: `versions[v - 1]` is version `v`.
    pub versions: Vec<Vec<PrefixListEntry>>,
    /// State.
    pub state: PrefixListState,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    pub tags: Tags,
}

impl ManagedPrefixList {
    /// The current entries.
    pub fn entries(&self) -> &[PrefixListEntry] {
        self.versions.last().map(Vec::as_slice).unwrap_or_default()
    }

    /// The entries of `version`, if the list had it.
    pub fn entries_at(&self, version: u64) -> Option<&[PrefixListEntry]> {
        let i = usize::try_from(version.checked_sub(1)?).ok()?;
        self.versions.get(i).map(Vec::as_slice)
    }

    /// Whether AWS manages it.
    pub fn is_aws_managed(&self) -> bool {
        self.scope.account == AWS_OWNER
    }
}

/// The id of the AWS-managed list `name` (`pl-` + 8 hex of its FNV-1a hash).
pub fn aws_list_id(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("pl-{h:08x}")
}

/// Illustrative public blocks of each gateway-endpoint service (not AWS's current ranges).
fn service_blocks(service: &str) -> &'static [&'static str] {
    match service {
        "s3" => &[
            "3.5.0.0/19",
            "16.15.176.0/20",
            "52.216.0.0/15",
            "54.231.0.0/16",
        ],
        _ => &["3.218.180.0/22", "52.94.0.0/22", "52.119.224.0/20"],
    }
}

/// The services that have an AWS-managed list (their gateway endpoints route to it).
pub const LISTED_SERVICES: &[&str] = &["dynamodb", "s3"];

/// The AWS-managed list of `service` (`s3`, `dynamodb`) in `region`.
pub fn aws_managed_list(region: &str, service: &str) -> ManagedPrefixList {
    let name = format!("com.amazonaws.{region}.{service}");
    let entries: Vec<PrefixListEntry> = service_blocks(service)
        .iter()
        .filter_map(|b| b.parse().ok())
        .map(|cidr| PrefixListEntry {
            cidr,
            description: None,
        })
        .collect();
    ManagedPrefixList {
        id: aws_list_id(&name),
        scope: Scope::new(AWS_OWNER, region),
        name,
        family: AddressFamily::V4,
        max_entries: entries.len() as u32,
        version: 1,
        versions: vec![entries],
        state: PrefixListState::CreateComplete,
        created: Timestamp(0),
        tags: Tags::new(),
    }
}

/// The AWS-managed lists of `region`, in name order.
pub fn aws_managed_lists(region: &str) -> Vec<ManagedPrefixList> {
    LISTED_SERVICES
        .iter()
        .map(|s| aws_managed_list(region, s))
        .collect()
}

/// A list to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPrefixList {
    /// `PrefixListName`.
    pub name: String,
    /// `AddressFamily`, as given.
    pub family: String,
    /// `MaxEntries`.
    pub max_entries: i64,
    /// `Entry.N`: block as given, description.
    pub entries: Vec<(String, Option<String>)>,
    /// Tags.
    pub tags: Tags,
}

/// A change to a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListChange {
    /// The list.
    pub id: String,
    /// `CurrentVersion`.
    pub current_version: Option<i64>,
    /// `PrefixListName`.
    pub name: Option<String>,
    /// `MaxEntries`.
    pub max_entries: Option<i64>,
    /// `AddEntry.N`.
    pub add: Vec<(String, Option<String>)>,
    /// `RemoveEntry.N`.
    pub remove: Vec<String>,
}

fn problem(p: EndpointProblem) -> DomainError {
    DomainError::Endpoint(p)
}

fn parse_family(text: &str) -> Result<AddressFamily, DomainError> {
    match text {
        "IPv4" => Ok(AddressFamily::V4),
        "IPv6" => Ok(AddressFamily::V6),
        other => Err(problem(EndpointProblem::AddressFamily {
            value: other.to_owned(),
        })),
    }
}

fn check_max_entries(value: i64) -> Result<u32, DomainError> {
    if (1..=MAX_ENTRIES_LIMIT).contains(&value) {
        Ok(value as u32)
    } else {
        Err(problem(EndpointProblem::MaxEntries { value }))
    }
}

fn check_name(name: &str) -> Result<(), DomainError> {
    if name.is_empty() || name.chars().count() > 255 || name.starts_with("com.amazonaws") {
        return Err(problem(EndpointProblem::ListName {
            name: name.to_owned(),
        }));
    }
    Ok(())
}

/// The block `text` of `family`, exactly as written (a block with host bits set is refused).
fn parse_entry(family: AddressFamily, text: &str) -> Result<IpNet, DomainError> {
    let bad = || {
        problem(EndpointProblem::EntryCidr {
            cidr: text.to_owned(),
        })
    };
    let net: IpNet = text.parse().map_err(|_| bad())?;
    if !family.holds(&net) || net.trunc() != net {
        return Err(bad());
    }
    Ok(net)
}

/// Adds `add` to `entries`, refusing a block given twice.
fn add_entries(
    family: AddressFamily,
    entries: &mut Vec<PrefixListEntry>,
    add: &[(String, Option<String>)],
) -> Result<(), DomainError> {
    for (text, description) in add {
        let cidr = parse_entry(family, text)?;
        if entries.iter().any(|e| e.cidr == cidr) {
            return Err(problem(EndpointProblem::DuplicateEntry {
                cidr: cidr.to_string(),
            }));
        }
        entries.push(PrefixListEntry {
            cidr,
            description: description.clone().filter(|d| !d.is_empty()),
        });
    }
    Ok(())
}

impl Tx<'_, '_> {
    /// The prefix list `id` the caller sees: its own, or an AWS-managed list of its region.
    pub fn prefix_list(&self, id: &str) -> Result<ManagedPrefixList, DomainError> {
        crate::aws::check_id(Kind::PrefixList, id)?;
        if let Some(l) = self.get::<ManagedPrefixList>(id) {
            if l.scope == *self.scope() {
                return Ok(l.clone());
            }
        }
        aws_managed_lists(&self.scope().region)
            .into_iter()
            .find(|l| l.id == id)
            .ok_or_else(|| DomainError::not_found(Kind::PrefixList, id))
    }

    /// How many entries a rule or route to `id` counts for in its resource's quota: the list's
    /// `MaxEntries` when the caller sees the list, else 1.
    pub fn prefix_list_weight(&self, id: &str) -> usize {
        self.prefix_list(id)
            .map(|l| l.max_entries as usize)
            .unwrap_or(1)
    }

    /// How a route to prefix list `id` counts in a route quota: the list's `MaxEntries` and
    /// whether it is IPv4 (a list the caller does not see: one IPv4 route).
    pub(crate) fn prefix_list_route_weight(&self, id: &str) -> (usize, bool) {
        self.prefix_list(id)
            .map(|l| (l.max_entries as usize, l.family == AddressFamily::V4))
            .unwrap_or((1, true))
    }

    /// CreateManagedPrefixList.
    pub fn create_prefix_list(
        &mut self,
        input: NewPrefixList,
    ) -> Result<ManagedPrefixList, DomainError> {
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        check_name(&input.name)?;
        let max_entries = check_max_entries(input.max_entries)?;
        let family = parse_family(&input.family)?;
        let mut entries = Vec::new();
        add_entries(family, &mut entries, &input.entries)?;
        if entries.len() > max_entries as usize {
            return Err(problem(EndpointProblem::TooManyEntries {
                prefix_list_id: String::new(),
                max_entries,
            }));
        }
        let list = ManagedPrefixList {
            id: self.new_id("pl"),
            scope: self.scope().clone(),
            name: input.name,
            family,
            max_entries,
            version: 1,
            versions: vec![entries],
            state: PrefixListState::CreateComplete,
            created: self.now(),
            tags: input.tags,
        };
        self.put(list.clone());
        Ok(list)
    }

    /// The caller's own list `id`, refusing an AWS-managed one.
    fn own_list(&self, id: &str) -> Result<ManagedPrefixList, DomainError> {
        let list = self.prefix_list(id)?;
        if list.is_aws_managed() {
            return Err(problem(EndpointProblem::AwsManaged {
                prefix_list_id: id.to_owned(),
            }));
        }
        Ok(list)
    }

    /// ModifyManagedPrefixList.
    pub fn modify_prefix_list(
        &mut self,
        change: PrefixListChange,
    ) -> Result<ManagedPrefixList, DomainError> {
        let mut list = self.own_list(&change.id)?;
        if let Some(given) = change.current_version {
            if u64::try_from(given).ok() != Some(list.version) {
                return Err(problem(EndpointProblem::VersionMismatch {
                    prefix_list_id: list.id.clone(),
                    given,
                    current: list.version,
                }));
            }
        }
        let entries_change = !change.add.is_empty() || !change.remove.is_empty();
        if entries_change && change.max_entries.is_some() {
            return Err(problem(EndpointProblem::EntriesWithMaxEntries));
        }
        if let Some(name) = &change.name {
            check_name(name)?;
        }
        let mut entries = list.entries().to_vec();
        for text in &change.remove {
            let cidr = parse_entry(list.family, text)?;
            let before = entries.len();
            entries.retain(|e| e.cidr != cidr);
            if entries.len() == before {
                return Err(problem(EndpointProblem::EntryNotFound {
                    cidr: text.clone(),
                }));
            }
        }
        add_entries(list.family, &mut entries, &change.add)?;
        if entries.len() > list.max_entries as usize {
            return Err(problem(EndpointProblem::TooManyEntries {
                prefix_list_id: list.id.clone(),
                max_entries: list.max_entries,
            }));
        }
        if let Some(max) = change.max_entries {
            let max = check_max_entries(max)?;
            if (max as usize) < entries.len() {
                return Err(problem(EndpointProblem::MaxEntriesBelowEntries {
                    prefix_list_id: list.id.clone(),
                    entries: entries.len(),
                }));
            }
            if max > list.max_entries {
                self.check_resize(&list, max)?;
            }
            list.max_entries = max;
        }
        if let Some(name) = change.name {
            list.name = name;
        }
        list.version += 1;
        list.versions.push(entries);
        list.state = PrefixListState::ModifyComplete;
        self.put(list.clone());
        Ok(list)
    }

    /// Refuses growing list `id` to `max` entries when a route table or security group that
    /// references it would go over its quota.
    fn check_resize(&self, list: &ManagedPrefixList, max: u32) -> Result<(), DomainError> {
        let id = list.id.as_str();
        let weight = |pl: &str| {
            if pl == id {
                max as usize
            } else {
                self.prefix_list_weight(pl)
            }
        };
        let route_weight = |pl: &str| {
            if pl == id {
                (max as usize, list.family == AddressFamily::V4)
            } else {
                self.prefix_list_route_weight(pl)
            }
        };
        if let Some(limit) = self.ctx.limits.routes_per_table {
            for t in self.list_owned::<crate::RouteTable>() {
                if !t
                    .routes
                    .iter()
                    .any(|r| r.destination.prefix_list() == Some(id))
                {
                    continue;
                }
                let (v4, v6) = crate::aws::route::route_counts(t, route_weight);
                if v4 > limit || v6 > limit {
                    return Err(DomainError::LimitExceeded {
                        kind: LimitKind::RoutesPerTable,
                        max: limit,
                        resource: Some(t.id.clone()),
                    });
                }
            }
        }
        if let Some(limit) = self.ctx.limits.rules_per_security_group {
            for g in self.list_owned::<crate::SecurityGroup>() {
                for rules in [&g.ingress, &g.egress] {
                    let refers = rules
                        .iter()
                        .any(|r| matches!(&r.peer, RulePeer::PrefixList(p) if p == id));
                    if !refers {
                        continue;
                    }
                    let (v4, v6) =
                        crate::aws::security_group::family_counts(rules.iter(), &|pl| weight(pl));
                    if v4 > limit || v6 > limit {
                        return Err(DomainError::LimitExceeded {
                            kind: LimitKind::RulesPerSecurityGroup,
                            max: limit,
                            resource: Some(g.id.clone()),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// What references the caller's list `id` (a route table or security group id), if anything.
    fn list_reference(&self, id: &str) -> Option<String> {
        let table = self.list_owned::<crate::RouteTable>().find(|t| {
            t.routes
                .iter()
                .any(|r| r.destination.prefix_list() == Some(id))
        });
        if let Some(t) = table {
            return Some(t.id.clone());
        }
        self.list_owned::<crate::SecurityGroup>()
            .find(|g| {
                g.ingress
                    .iter()
                    .chain(&g.egress)
                    .any(|r| matches!(&r.peer, RulePeer::PrefixList(p) if p == id))
            })
            .map(|g| g.id.clone())
    }

    /// DeleteManagedPrefixList: refused while a route or rule references the list; the reply
    /// shows the list in state `delete-complete`.
    pub fn delete_prefix_list(&mut self, id: &str) -> Result<ManagedPrefixList, DomainError> {
        let list = self.own_list(id)?;
        if let Some(by) = self.list_reference(id) {
            return Err(problem(EndpointProblem::ListInUse {
                prefix_list_id: id.to_owned(),
                referencing_id: by,
            }));
        }
        self.remove::<ManagedPrefixList>(id);
        Ok(list)
    }

    /// Every prefix list the caller sees: the AWS-managed lists of its region, then its own, in
    /// id order each.
    pub fn visible_prefix_lists(&self) -> Vec<ManagedPrefixList> {
        let mut out = aws_managed_lists(&self.scope().region);
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.extend(self.list_owned::<ManagedPrefixList>().cloned());
        out
    }
}

/// The current blocks of prefix list `id` as an owner in `scope` sees it (its own list, or an
/// AWS-managed list of its region); none for a list it does not see. For readers of the world
/// (the reachability engine), which expand a prefix-list route into one route per block.
pub fn prefix_list_blocks(world: &crate::World, scope: &Scope, id: &str) -> Vec<IpNet> {
    if let Some(l) = world.aws.prefix_lists().get(id) {
        if l.scope == *scope {
            return l.entries().iter().map(|e| e.cidr).collect();
        }
        return Vec::new();
    }
    aws_managed_lists(&scope.region)
        .into_iter()
        .find(|l| l.id == id)
        .map(|l| l.entries().iter().map(|e| e.cidr).collect())
        .unwrap_or_default()
}
