//! Quotas. Peering quotas are enforced by default with AWS's values; account-wide counts are off
//! unless configured, so test suites can create what they need.

/// Every configurable quota. `None` means not enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Active peering connections per VPC (AWS: 50).
    pub active_peerings_per_vpc: Option<usize>,
    /// Outstanding peering requests created by an account (AWS: 25).
    pub outstanding_peering_requests: Option<usize>,
    /// Non-propagated routes per route table and IP family (AWS: 50).
    pub routes_per_table: Option<usize>,
    /// Rules per security group, per direction and IP family (AWS: 60).
    pub rules_per_security_group: Option<usize>,
    /// Lifetime of an unaccepted request, in seconds (AWS: 7 days, fixed).
    pub peering_request_ttl_secs: i64,
    /// VPCs per account and region (AWS: 5; off by default).
    pub vpcs_per_region: Option<usize>,
    /// Subnets per VPC (AWS: 200; off by default).
    pub subnets_per_vpc: Option<usize>,
    /// Route tables per VPC (AWS: 200; off by default).
    pub route_tables_per_vpc: Option<usize>,
    /// Security groups per account and region (AWS: 2,500; off by default).
    pub security_groups_per_region: Option<usize>,
    /// IPv4 blocks per VPC (AWS: 5).
    pub ipv4_blocks_per_vpc: Option<usize>,
    /// Internet gateways per account and region (AWS: 5; off by default).
    pub internet_gateways_per_region: Option<usize>,
    /// Tags per resource (AWS: 50).
    pub tags_per_resource: Option<usize>,
    /// Whether IPv6 traffic may cross inter-region peerings.
    pub ipv6_over_inter_region_peering: bool,
    /// GCP: peering configurations per network (commonly cited as 25 [UNVERIFIED number]).
    pub gcp_peerings_per_network: Option<usize>,
    /// Azure: peering links per virtual network (Azure: 500).
    pub az_peerings_per_vnet: Option<usize>,
    /// GCP: how long a peering operation (`addPeering`, `removePeering`, `updatePeering`) stays
    /// `RUNNING`, in seconds of emulator time. 0 (the default): it is applied within the request
    /// and the reply is the `DONE` operation. Not a quota but a timing knob, set like one.
    pub gcp_peering_op_secs: i64,
    /// Elastic IP addresses per account and region (AWS: 5).
    pub elastic_ips_per_region: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            active_peerings_per_vpc: Some(50),
            outstanding_peering_requests: Some(25),
            routes_per_table: Some(50),
            rules_per_security_group: Some(60),
            peering_request_ttl_secs: 7 * 24 * 3600,
            vpcs_per_region: None,
            subnets_per_vpc: None,
            route_tables_per_vpc: None,
            security_groups_per_region: None,
            ipv4_blocks_per_vpc: Some(5),
            internet_gateways_per_region: None,
            tags_per_resource: Some(50),
            ipv6_over_inter_region_peering: true,
            gcp_peerings_per_network: Some(25),
            az_peerings_per_vnet: Some(500),
            gcp_peering_op_secs: 0,
            elastic_ips_per_region: Some(5),
        }
    }
}
