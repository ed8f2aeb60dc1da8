//! The GCP workload, through the Compute v1 JSON face (vpcpeer only; moto has none). One iteration,
//! in project `bench`: two custom-mode networks with a /24 subnetwork each, `addPeering` from each
//! side (each operation polled once with `globalOperations.get`: with the server's default
//! `gcp_peering_op_secs` = 0 the operation is already `DONE` and the get reads it back; with N > 0
//! the get completes the `RUNNING` operation), `get` of the
//! first network (must show `ACTIVE`), `listPeeringRoutes` INCOMING on it (must list the peer's
//! subnetwork), `removePeering` on both sides (each polled), and the teardown.

use bytes::Bytes;
use hyper::Method;

use super::{Client, ACTIONS};
use crate::cidrs::Cidrs;
use crate::scan::contains;
use crate::stats::Answer;

const NET_INSERT: usize = 16;
const SUBNET_INSERT: usize = 17;
const ADD_PEERING: usize = 18;
const OP_GET: usize = 19;
const NET_GET: usize = 20;
const LIST_PEERING_ROUTES: usize = 21;
const REMOVE_PEERING: usize = 22;
const SUBNET_DELETE: usize = 23;
const NET_DELETE: usize = 24;

const PROJECT: &str = "/compute/v1/projects/bench";
const REGION: &str = "us-central1";

/// A network name unique to the block (`10.1.16.0/20` → `n10-1-16-0-20`).
fn net_name(block: &str) -> String {
    let mut s = String::from("n");
    s.extend(
        block
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { '-' }),
    );
    s
}

/// The string value of the first `"key":"…"` in a compact JSON body.
fn json_str<'a>(body: &'a [u8], key: &str) -> Option<&'a str> {
    let text = std::str::from_utf8(body).ok()?;
    let pat = format!("\"{key}\":\"");
    let start = text.find(&pat)? + pat.len();
    let end = text[start..].find('"')? + start;
    Some(&text[start..end])
}

impl Client {
    /// Sends a JSON request; the body of a 200 answer, or `None` after counting the failure.
    async fn gcp_send(&mut self, action: usize, method: Method, path: &str, body: &str) -> Answer {
        let reply = self.conn.json(method.clone(), path, body).await;
        let request = || format!("{method} {path} {body}");
        self.rec
            .counted(&mut self.conn, (action, ACTIONS[action]), request, reply)
            .await
    }

    /// Deletes (`action`) the resource at `path(s)` of each side `s` that was `made`; a side that
    /// was not counts as skipped.
    async fn gcp_delete_sides(
        &mut self,
        action: usize,
        made: [bool; 2],
        path: impl Fn(usize) -> String,
    ) -> anyhow::Result<()> {
        for s in self.rec.sides(made.map(|ok| !ok)) {
            self.gcp_send(action, Method::DELETE, &path(s), "").await?;
        }
        Ok(())
    }

    /// Counts a 200 answer without `needle` as a mismatch.
    fn expect(&mut self, action: usize, body: &Option<Bytes>, needle: &str) {
        self.rec.expect(body.as_ref(), needle, ACTIONS[action]);
    }

    /// Sends a peering call and polls its operation once; the operation must end DONE without
    /// an error.
    async fn gcp_peering_op(
        &mut self,
        action: usize,
        path: &str,
        body: &str,
    ) -> anyhow::Result<()> {
        let Some(reply) = self.gcp_send(action, Method::POST, path, body).await? else {
            self.rec.skipped += 1;
            return Ok(());
        };
        let Some(op) = json_str(&reply, "name").map(str::to_owned) else {
            self.rec.mismatches += 1;
            self.rec.skipped += 1;
            return Ok(());
        };
        let done = self
            .gcp_send(
                OP_GET,
                Method::GET,
                &format!("{PROJECT}/global/operations/{op}"),
                "",
            )
            .await?;
        self.expect(OP_GET, &done, "\"status\":\"DONE\"");
        if done.as_ref().is_some_and(|b| contains(b, "\"error\":")) {
            self.rec.mismatches += 1;
        }
        Ok(())
    }

    pub(super) async fn gcp_iteration(&mut self, c: &Cidrs) -> anyhow::Result<()> {
        let names = [net_name(&c.vpc[0]), net_name(&c.vpc[1])];
        let mut made = [false; 2];
        for s in 0..2 {
            let body = format!(r#"{{"name":"{}","autoCreateSubnetworks":false}}"#, names[s]);
            made[s] = self
                .gcp_send(
                    NET_INSERT,
                    Method::POST,
                    &format!("{PROJECT}/global/networks"),
                    &body,
                )
                .await?
                .is_some();
        }
        let mut subnets = [false; 2];
        for s in self.rec.sides(made.map(|ok| !ok)) {
            let body = format!(
                r#"{{"name":"{0}","network":"global/networks/{0}","ipCidrRange":"{1}"}}"#,
                names[s], c.subnet[s]
            );
            subnets[s] = self
                .gcp_send(
                    SUBNET_INSERT,
                    Method::POST,
                    &format!("{PROJECT}/regions/{REGION}/subnetworks"),
                    &body,
                )
                .await?
                .is_some();
        }
        let both = made[0] && made[1];
        for s in 0..2 {
            if !both {
                self.rec.skipped += 2;
                continue;
            }
            let body = format!(
                r#"{{"networkPeering":{{"name":"to-{}","network":"projects/bench/global/networks/{}","exchangeSubnetRoutes":true}}}}"#,
                names[1 - s],
                names[1 - s]
            );
            let path = format!("{PROJECT}/global/networks/{}/addPeering", names[s]);
            self.gcp_peering_op(ADD_PEERING, &path, &body).await?;
        }
        if self.rec.ready(both, 6) {
            let got = self
                .gcp_send(
                    NET_GET,
                    Method::GET,
                    &format!("{PROJECT}/global/networks/{}", names[0]),
                    "",
                )
                .await?;
            self.expect(NET_GET, &got, "\"state\":\"ACTIVE\"");
            let routes = self
                .gcp_send(
                    LIST_PEERING_ROUTES,
                    Method::GET,
                    &format!(
                        "{PROJECT}/global/networks/{}/listPeeringRoutes?peeringName=to-{}&direction=INCOMING&region={REGION}",
                        names[0], names[1]
                    ),
                    "",
                )
                .await?;
            if subnets[1] {
                self.expect(LIST_PEERING_ROUTES, &routes, &c.subnet[1]);
            }
            for s in 0..2 {
                let body = format!(r#"{{"name":"to-{}"}}"#, names[1 - s]);
                let path = format!("{PROJECT}/global/networks/{}/removePeering", names[s]);
                self.gcp_peering_op(REMOVE_PEERING, &path, &body).await?;
            }
        }
        let subnet = |s: usize| format!("{PROJECT}/regions/{REGION}/subnetworks/{}", names[s]);
        self.gcp_delete_sides(SUBNET_DELETE, subnets, subnet)
            .await?;
        let network = |s: usize| format!("{PROJECT}/global/networks/{}", names[s]);
        self.gcp_delete_sides(NET_DELETE, made, network).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_indices() {
        assert_eq!(net_name("10.1.16.0/20"), "n10-1-16-0-20");
        assert_eq!(ACTIONS[NET_INSERT], "networks.insert");
        assert_eq!(ACTIONS[NET_DELETE], "networks.delete");
        assert_eq!(ACTIONS.len(), NET_DELETE + 1);
        assert_eq!(
            json_str(
                br#"{"kind":"compute#operation","name":"operation-1"}"#,
                "name"
            ),
            Some("operation-1")
        );
    }
}
