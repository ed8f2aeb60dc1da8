//! The peering workload: one iteration builds two VPCs with a subnet and an associated route
//! table each, peers them, routes each side to the other, describes with filters, and tears it all
//! down again. `peering-only` keeps the VPC and peering steps (what every server speaks). `gcp`
//! does the same with GCP networks through the Compute v1 face (see [`gcp`]).

mod gcp;

use crate::cidrs::Cidrs;
use crate::http::{Conn, Form};
use crate::scan::{contains, first_tag};
use crate::stats::{show_first_failure, Answer, Recorder};

/// Which steps an iteration runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// VPCs, subnets, route tables, associations, peering, routes, describes, teardown (26 requests).
    Full,
    /// VPCs, peering, describes of both, teardown (9 requests).
    PeeringOnly,
    /// GCP: networks with a subnetwork each, addPeering both sides (each polled to DONE), get,
    /// listPeeringRoutes, removePeering both sides, teardown (18 requests; vpcpeer only).
    Gcp,
    /// Azure (ARM): two VNets, a peering link from each side, read and list, teardown (10
    /// requests; vpcpeer only).
    Azure,
}

impl Kind {
    /// Requests one iteration sends when every step succeeds.
    pub fn requests_per_iteration(self) -> usize {
        match self {
            Kind::Full => 26,
            Kind::PeeringOnly => 9,
            Kind::Gcp => 18,
            Kind::Azure => crate::azure::REQUESTS_PER_ITERATION,
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::PeeringOnly => "peering-only",
            Kind::Gcp => "gcp",
            Kind::Azure => "azure",
        }
    }
}

/// Every action the workload sends; the index is the recorder's action index. The last ones are
/// the GCP workload's methods.
pub const ACTIONS: [&str; 25] = [
    "CreateVpc",
    "CreateSubnet",
    "CreateRouteTable",
    "AssociateRouteTable",
    "CreateVpcPeeringConnection",
    "AcceptVpcPeeringConnection",
    "CreateRoute",
    "DescribeVpcs",
    "DescribeRouteTables",
    "DescribeVpcPeeringConnections",
    "DeleteRoute",
    "DisassociateRouteTable",
    "DeleteRouteTable",
    "DeleteVpcPeeringConnection",
    "DeleteSubnet",
    "DeleteVpc",
    "networks.insert",
    "subnetworks.insert",
    "networks.addPeering",
    "globalOperations.get",
    "networks.get",
    "networks.listPeeringRoutes",
    "networks.removePeering",
    "subnetworks.delete",
    "networks.delete",
];

/// Index of `CreateVpc` in [`ACTIONS`].
pub const CREATE_VPC: usize = 0;
const CREATE_SUBNET: usize = 1;
const CREATE_ROUTE_TABLE: usize = 2;
const ASSOCIATE_ROUTE_TABLE: usize = 3;
/// Index of `CreateVpcPeeringConnection` in [`ACTIONS`].
pub const CREATE_PCX: usize = 4;
/// Index of `AcceptVpcPeeringConnection` in [`ACTIONS`].
pub const ACCEPT_PCX: usize = 5;
const CREATE_ROUTE: usize = 6;
const DESCRIBE_VPCS: usize = 7;
const DESCRIBE_ROUTE_TABLES: usize = 8;
const DESCRIBE_PCX: usize = 9;
const DELETE_ROUTE: usize = 10;
const DISASSOCIATE_ROUTE_TABLE: usize = 11;
const DELETE_ROUTE_TABLE: usize = 12;
const DELETE_PCX: usize = 13;
const DELETE_SUBNET: usize = 14;
const DELETE_VPC: usize = 15;

/// The ids one iteration created (empty = not created), reused from iteration to iteration.
#[derive(Default)]
struct Ids {
    vpc: [String; 2],
    subnet: [String; 2],
    rtb: [String; 2],
    assoc: [String; 2],
    pcx: String,
    route: [bool; 2],
}

impl Ids {
    fn clear(&mut self) {
        for s in self
            .vpc
            .iter_mut()
            .chain(&mut self.subnet)
            .chain(&mut self.rtb)
            .chain(&mut self.assoc)
        {
            s.clear();
        }
        self.pcx.clear();
        self.route = [false; 2];
    }
}

/// One client: its connection, its reused request buffer and its record.
pub struct Client {
    conn: Conn,
    /// The body of the next request; build it, then [`Client::send`].
    pub form: Form,
    /// What this client measured.
    pub rec: Recorder,
    ids: Ids,
}

impl Client {
    /// A client on `conn`, with room to record `iterations` iterations without reallocating.
    pub fn new(conn: Conn, iterations: usize) -> Self {
        Client {
            conn,
            form: Form::default(),
            // The busiest actions run twice per iteration.
            rec: Recorder::new(ACTIONS.len(), iterations * 2),
            ids: Ids::default(),
        }
    }

    /// Sends the form built for `action`; the body of a 200 answer, or `None` after counting the
    /// failure. Transport failures reconnect once and count as errors; a failed reconnect ends the
    /// client.
    pub async fn send(&mut self, action: usize) -> Answer {
        let reply = self.conn.post(&self.form).await;
        let form = &self.form;
        self.rec
            .counted(
                &mut self.conn,
                (action, ACTIONS[action]),
                || form.as_str().to_owned(),
                reply,
            )
            .await
    }

    /// Sends `action` and copies the text of `<tag>` from its answer into `out`.
    async fn create(&mut self, action: usize, tag: &str, out: Which) -> anyhow::Result<()> {
        if let Some(body) = self.send(action).await? {
            match first_tag(&body, tag) {
                Some(id) if !id.is_empty() => {
                    let slot = self.slot(out);
                    slot.clear();
                    slot.push_str(id);
                }
                _ => {
                    self.rec.mismatches += 1;
                    show_first_failure(|| {
                        format!(
                            "{}: no <{tag}> in the answer:\n{}",
                            ACTIONS[action],
                            String::from_utf8_lossy(&body)
                        )
                    });
                }
            }
        }
        Ok(())
    }

    /// Sends `action`, expecting `want` ids (looked up after the answer) in the answer.
    async fn describe(&mut self, action: usize, want: &[Which]) -> anyhow::Result<()> {
        if want.iter().any(|&w| self.slot(w).is_empty()) {
            self.rec.skipped += 1;
            return Ok(());
        }
        if let Some(body) = self.send(action).await? {
            if !want.iter().all(|&w| contains(&body, self.slot(w))) {
                self.rec.mismatches += 1;
            }
        }
        Ok(())
    }

    fn slot(&mut self, w: Which) -> &mut String {
        match w {
            Which::Vpc(i) => &mut self.ids.vpc[i],
            Which::Subnet(i) => &mut self.ids.subnet[i],
            Which::Rtb(i) => &mut self.ids.rtb[i],
            Which::Assoc(i) => &mut self.ids.assoc[i],
            Which::Pcx => &mut self.ids.pcx,
        }
    }

    /// Runs one iteration in the blocks of `c`.
    pub async fn iteration(&mut self, kind: Kind, c: &Cidrs) -> anyhow::Result<()> {
        if kind == Kind::Gcp {
            return self.gcp_iteration(c).await;
        }
        let full = kind == Kind::Full;
        self.ids.clear();
        for s in 0..2 {
            self.form.start("CreateVpc").param("CidrBlock", &c.vpc[s]);
            self.create(CREATE_VPC, "vpcId", Which::Vpc(s)).await?;
        }
        if full {
            for s in self.rec.sides([0, 1].map(|s| self.ids.vpc[s].is_empty())) {
                self.form
                    .start("CreateSubnet")
                    .param("VpcId", &self.ids.vpc[s])
                    .param("CidrBlock", &c.subnet[s]);
                self.create(CREATE_SUBNET, "subnetId", Which::Subnet(s))
                    .await?;
            }
            for s in self.rec.sides([0, 1].map(|s| self.ids.vpc[s].is_empty())) {
                self.form
                    .start("CreateRouteTable")
                    .param("VpcId", &self.ids.vpc[s]);
                self.create(CREATE_ROUTE_TABLE, "routeTableId", Which::Rtb(s))
                    .await?;
            }
            for s in self
                .rec
                .sides([0, 1].map(|s| self.ids.rtb[s].is_empty() || self.ids.subnet[s].is_empty()))
            {
                self.form
                    .start("AssociateRouteTable")
                    .param("RouteTableId", &self.ids.rtb[s])
                    .param("SubnetId", &self.ids.subnet[s]);
                self.create(ASSOCIATE_ROUTE_TABLE, "associationId", Which::Assoc(s))
                    .await?;
            }
        }
        if self
            .rec
            .ready(self.ids.vpc.iter().all(|v| !v.is_empty()), 1)
        {
            self.form
                .start("CreateVpcPeeringConnection")
                .param("VpcId", &self.ids.vpc[0])
                .param("PeerVpcId", &self.ids.vpc[1]);
            self.create(CREATE_PCX, "vpcPeeringConnectionId", Which::Pcx)
                .await?;
        }
        self.peering_request(ACCEPT_PCX).await?;
        if full {
            for s in self
                .rec
                .sides([0, 1].map(|s| self.ids.rtb[s].is_empty() || self.ids.pcx.is_empty()))
            {
                self.form
                    .start("CreateRoute")
                    .param("RouteTableId", &self.ids.rtb[s])
                    .param("DestinationCidrBlock", &c.vpc[1 - s])
                    .param("VpcPeeringConnectionId", &self.ids.pcx);
                self.ids.route[s] = self.send(CREATE_ROUTE).await?.is_some();
            }
        }

        // Describes with filters: each must list what this iteration made.
        self.form
            .start("DescribeVpcs")
            .param("Filter.1.Name", "vpc-id")
            .param("Filter.1.Value.1", &self.ids.vpc[0])
            .param("Filter.1.Value.2", &self.ids.vpc[1]);
        self.describe(DESCRIBE_VPCS, &[Which::Vpc(0), Which::Vpc(1)])
            .await?;
        if full {
            self.form
                .start("DescribeRouteTables")
                .param("Filter.1.Name", "route.vpc-peering-connection-id")
                .param("Filter.1.Value.1", &self.ids.pcx);
            self.describe(DESCRIBE_ROUTE_TABLES, &[Which::Rtb(0), Which::Rtb(1)])
                .await?;
        }
        self.form
            .start("DescribeVpcPeeringConnections")
            .param("Filter.1.Name", "status-code")
            .param("Filter.1.Value.1", "active")
            .param("Filter.2.Name", "vpc-peering-connection-id")
            .param("Filter.2.Value.1", &self.ids.pcx);
        self.describe(DESCRIBE_PCX, &[Which::Pcx]).await?;

        // Teardown, in dependency order.
        if full {
            for s in self.rec.sides([0, 1].map(|s| !self.ids.route[s])) {
                self.form
                    .start("DeleteRoute")
                    .param("RouteTableId", &self.ids.rtb[s])
                    .param("DestinationCidrBlock", &c.vpc[1 - s]);
                self.send(DELETE_ROUTE).await?;
            }
            self.delete_sides(DISASSOCIATE_ROUTE_TABLE, "AssociationId", |ids| &ids.assoc)
                .await?;
            self.delete_sides(DELETE_ROUTE_TABLE, "RouteTableId", |ids| &ids.rtb)
                .await?;
        }
        self.peering_request(DELETE_PCX).await?;
        if full {
            self.delete_sides(DELETE_SUBNET, "SubnetId", |ids| &ids.subnet)
                .await?;
        }
        self.delete_sides(DELETE_VPC, "VpcId", |ids| &ids.vpc).await
    }

    /// Sends `action` for this iteration's peering connection, if it was made (else counts a skip).
    async fn peering_request(&mut self, action: usize) -> anyhow::Result<()> {
        if self.rec.ready(!self.ids.pcx.is_empty(), 1) {
            self.form
                .start(ACTIONS[action])
                .param("VpcPeeringConnectionId", &self.ids.pcx);
            self.send(action).await?;
        }
        Ok(())
    }

    /// Sends `action` once for each side's id in `slot` (as parameter `param`); a side whose id
    /// is empty (never made) counts as skipped.
    async fn delete_sides(
        &mut self,
        action: usize,
        param: &str,
        slot: fn(&Ids) -> &[String; 2],
    ) -> anyhow::Result<()> {
        for s in self
            .rec
            .sides(slot(&self.ids).each_ref().map(|id| id.is_empty()))
        {
            self.form
                .start(ACTIONS[action])
                .param(param, &slot(&self.ids)[s]);
            self.send(action).await?;
        }
        Ok(())
    }
}

/// Names one of the id slots of an iteration.
#[derive(Clone, Copy)]
enum Which {
    Vpc(usize),
    Subnet(usize),
    Rtb(usize),
    Assoc(usize),
    Pcx,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_counts_match_the_steps() {
        // 2 VPCs + 2 subnets + 2 tables + 2 associations + create/accept + 2 routes + 3 describes
        // + 2 route deletes + 2 disassociations + 2 table deletes + pcx delete + 2 subnet deletes
        // + 2 VPC deletes.
        assert_eq!(
            Kind::Full.requests_per_iteration(),
            2 + 2 + 2 + 2 + 2 + 2 + 3 + 2 + 2 + 2 + 1 + 2 + 2
        );
        assert_eq!(
            Kind::PeeringOnly.requests_per_iteration(),
            2 + 2 + 2 + 1 + 2
        );
        // 2 networks + 2 subnetworks + 2 addPeering + 2 operation gets + get + listPeeringRoutes
        // + 2 removePeering + 2 operation gets + 2 subnetwork deletes + 2 network deletes.
        assert_eq!(
            Kind::Gcp.requests_per_iteration(),
            2 + 2 + 2 + 2 + 1 + 1 + 2 + 2 + 2 + 2
        );
    }
}
