//! The Azure workload: over the ARM face, one iteration creates two VNets (a subnet each), peers
//! them from both sides (the second PUT must answer `Connected`), reads the link and lists the
//! VNet's peerings, then deletes both links and both VNets. Each client works in a resource group
//! of its own, created before its first iteration.

use bytes::Bytes;
use hyper::Method;

use crate::cidrs::Cidrs;
use crate::http::Conn;
use crate::stats::{Answer, Recorder};

/// Every request kind the workload sends; the index is the recorder's action index.
pub const ACTIONS: [&str; 7] = [
    "PUT virtualNetworks",
    "PUT virtualNetworkPeerings",
    "GET virtualNetworkPeerings/{name}",
    "GET virtualNetworkPeerings",
    "DELETE virtualNetworkPeerings",
    "DELETE virtualNetworks",
    "PUT resourcegroups",
];
const PUT_VNET: usize = 0;
const PUT_PEERING: usize = 1;
const GET_PEERING: usize = 2;
const LIST_PEERINGS: usize = 3;
const DELETE_PEERING: usize = 4;
const DELETE_VNET: usize = 5;
const PUT_GROUP: usize = 6;

/// Requests in one iteration when every step succeeds.
pub const REQUESTS_PER_ITERATION: usize = 10;

const SUBSCRIPTION: &str = "11111111-1111-1111-1111-111111111111";
const API: &str = "api-version=2024-05-01";

/// One client of the Azure workload.
pub struct AzClient {
    conn: Conn,
    /// What this client measured.
    pub rec: Recorder,
    group: String,
    group_ready: bool,
}

impl AzClient {
    /// Client `id` on `conn`.
    pub fn new(conn: Conn, id: usize, iterations: usize) -> Self {
        AzClient {
            conn,
            rec: Recorder::new(ACTIONS.len(), iterations * 2),
            group: format!("bench-{id}"),
            group_ready: false,
        }
    }

    fn vnet_path(&self, vnet: &str) -> String {
        format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{vnet}",
            self.group
        )
    }

    /// Sends one request; the body of a 2xx answer, or `None` after counting the failure.
    async fn send(&mut self, action: usize, method: Method, path: &str, body: &str) -> Answer {
        let url = format!("{path}?{API}");
        let reply = self.conn.arm(method.clone(), &url, body).await;
        let request = || format!("{method} {url} {body}");
        self.rec
            .counted(&mut self.conn, (action, ACTIONS[action]), request, reply)
            .await
    }

    fn expect(&mut self, body: Option<&Bytes>, needle: &str, what: &str) {
        self.rec.expect(body, needle, what);
    }

    /// Runs iteration `slot` in the blocks `c`.
    pub async fn iteration(&mut self, slot: u64, c: &Cidrs) -> anyhow::Result<()> {
        if !self.group_ready {
            let path = format!(
                "/subscriptions/{SUBSCRIPTION}/resourcegroups/{}",
                self.group
            );
            self.group_ready = self
                .send(PUT_GROUP, Method::PUT, &path, r#"{"location":"eastus"}"#)
                .await?
                .is_some();
        }
        let names = [format!("v{slot}-a"), format!("v{slot}-b")];
        let mut made = [false; 2];
        for s in 0..2 {
            let body = format!(
                r#"{{"location":"eastus","properties":{{"addressSpace":{{"addressPrefixes":["{}"]}},"subnets":[{{"name":"default","properties":{{"addressPrefix":"{}"}}}}]}}}}"#,
                c.vpc[s], c.subnet[s]
            );
            let path = self.vnet_path(&names[s]);
            made[s] = self
                .send(PUT_VNET, Method::PUT, &path, &body)
                .await?
                .is_some();
        }
        let mut linked = [false; 2];
        if self.rec.ready(made == [true, true], 2) {
            for s in 0..2 {
                let remote = self.vnet_path(&names[1 - s]);
                let body = format!(
                    r#"{{"properties":{{"remoteVirtualNetwork":{{"id":"{remote}"}},"allowVirtualNetworkAccess":true}}}}"#
                );
                let path = format!("{}/virtualNetworkPeerings/link", self.vnet_path(&names[s]));
                let reply = self.send(PUT_PEERING, Method::PUT, &path, &body).await?;
                linked[s] = reply.is_some();
                if s == 1 {
                    self.expect(
                        reply.as_ref(),
                        "\"Connected\"",
                        "the second side of a peering",
                    );
                }
            }
        }
        if self.rec.ready(linked[0], 2) {
            let path = format!("{}/virtualNetworkPeerings/link", self.vnet_path(&names[0]));
            let reply = self.send(GET_PEERING, Method::GET, &path, "").await?;
            self.expect(reply.as_ref(), "\"Connected\"", "a peering read back");
            let path = format!("{}/virtualNetworkPeerings", self.vnet_path(&names[0]));
            let reply = self.send(LIST_PEERINGS, Method::GET, &path, "").await?;
            self.expect(
                reply.as_ref(),
                "/virtualNetworkPeerings/link",
                "the peering list",
            );
        }
        for s in self.rec.sides(linked.map(|ok| !ok)) {
            let path = format!("{}/virtualNetworkPeerings/link", self.vnet_path(&names[s]));
            self.send(DELETE_PEERING, Method::DELETE, &path, "").await?;
        }
        for s in self.rec.sides(made.map(|ok| !ok)) {
            let path = self.vnet_path(&names[s]);
            self.send(DELETE_VNET, Method::DELETE, &path, "").await?;
        }
        Ok(())
    }
}
