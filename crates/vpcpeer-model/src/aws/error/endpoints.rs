//! Why a managed prefix list or VPC endpoint request is refused (issue 11: VPC endpoints and
//! managed prefix lists), in domain terms; `vpcpeer-wire-aws` words each in EC2's dialect.

use crate::EndpointType;

/// A refusal of the managed prefix list and VPC endpoint commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointProblem {
    /// `AddressFamily` is neither `IPv4` nor `IPv6`.
    AddressFamily {
        /// The family, as given.
        value: String,
    },
    /// `MaxEntries` outside 1–1000.
    MaxEntries {
        /// The value, as given.
        value: i64,
    },
    /// A prefix list name that is empty, too long, or starts with `com.amazonaws`.
    ListName {
        /// The name, as given.
        name: String,
    },
    /// An entry that is not a block of the list's family.
    EntryCidr {
        /// The block, as given.
        cidr: String,
    },
    /// The same block twice in one list.
    DuplicateEntry {
        /// The block.
        cidr: String,
    },
    /// A block to remove that the list does not hold.
    EntryNotFound {
        /// The block.
        cidr: String,
    },
    /// More entries than `MaxEntries`.
    TooManyEntries {
        /// The list (empty while it is being created).
        prefix_list_id: String,
        /// Its `MaxEntries`.
        max_entries: u32,
    },
    /// `MaxEntries` lowered below the entries the list holds.
    MaxEntriesBelowEntries {
        /// The list.
        prefix_list_id: String,
        /// The entries it holds.
        entries: usize,
    },
    /// `CurrentVersion` is not the list's version.
    VersionMismatch {
        /// The list.
        prefix_list_id: String,
        /// The version given.
        given: i64,
        /// The list's version.
        current: u64,
    },
    /// A `TargetVersion` the list never had.
    VersionNotFound {
        /// The list.
        prefix_list_id: String,
        /// The version given.
        version: i64,
    },
    /// A change, in one request, to entries and to `MaxEntries` together.
    EntriesWithMaxEntries,
    /// A change of an AWS-managed list.
    AwsManaged {
        /// The list.
        prefix_list_id: String,
    },
    /// A list still referenced by a route or a security group rule.
    ListInUse {
        /// The list.
        prefix_list_id: String,
        /// A route table or security group that references it.
        referencing_id: String,
    },
    /// `ServiceName` names no service of the region's catalogue.
    UnknownService {
        /// The service name, as given.
        name: String,
    },
    /// `VpcEndpointType` is neither `Gateway` nor `Interface` (nor a type the emulator refuses).
    EndpointType {
        /// The type, as given.
        value: String,
    },
    /// An endpoint type this emulator does not model (`GatewayLoadBalancer`, `Resource`,
    /// `ServiceNetwork`).
    UnsupportedType {
        /// The type, as given.
        value: String,
    },
    /// A service that does not offer the endpoint type asked for.
    TypeNotOffered {
        /// The service's name.
        name: String,
        /// The type asked for.
        endpoint_type: EndpointType,
    },
    /// A parameter of the other endpoint type (route tables for an interface endpoint; subnets
    /// or groups for a gateway endpoint).
    WrongTypeParameter {
        /// The type of the endpoint.
        endpoint_type: EndpointType,
        /// The parameter's domain name (`route tables`, `subnets`, `security groups`).
        what: &'static str,
    },
    /// A route table that already routes the service's prefix list (to another endpoint).
    RouteTableTaken {
        /// The table.
        route_table_id: String,
        /// The endpoint already routed there.
        endpoint_id: String,
    },
    /// Two subnets of one zone for one interface endpoint.
    SubnetZoneTaken {
        /// The subnet.
        subnet_id: String,
        /// Its zone.
        zone: String,
    },
    /// A route, subnet or group given to an endpoint that is not in its VPC.
    NotInVpc {
        /// The resource.
        id: String,
        /// The endpoint's VPC.
        vpc_id: String,
    },
    /// A route that an endpoint manages, changed by hand.
    ManagedRoute {
        /// The table.
        route_table_id: String,
        /// The endpoint.
        endpoint_id: String,
    },
    /// A policy document that is not a JSON object.
    Policy,
    /// A policy document and `ResetPolicy` in one request.
    PolicyAndReset,
}
