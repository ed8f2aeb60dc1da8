//! Azure driver: a client of Azure Resource Manager (`Microsoft.Network`, api-version
//! `2024-05-01`), the same calls against the real cloud and the local server.
//!
//! - `observe`: one `GET` of each VNet of the topology (declared ones by name in the account's
//!   resource group, existing ones by their id: a full ARM id, or a name in that resource group).
//!   The VNet's body carries its address space and, inline, its peerings
//!   (`properties.virtualNetworkPeerings`), so one call per network reads everything the plan
//!   needs. A 404 means the VNet is not there (its resource group missing included). Only IPv4
//!   prefixes are read (a dual-stack VNet's IPv6 prefixes play no part in the plan).
//! - `execute`: a `PUT` of the VNet (`CreateNetwork`, with the declared address space, in the
//!   network's region, tagged `vpcpeer:topology` and `vpcpeer:network`; when ARM answers
//!   `ResourceGroupNotFound` the resource group is created in that region first — it is left in
//!   place by `destroy`, which cannot know who else uses it), a `DELETE` of it (`DeleteNetwork`),
//!   a `PUT` of a peering half (`AzureCreatePeering`), a `GET` then `PUT` of it as it is with
//!   `allowForwardedTraffic` changed (`AzureUpdatePeering`: ARM has no PATCH for peerings, and
//!   what someone set by hand, gateway transit for one, is kept) or with
//!   `&syncRemoteAddressSpace=true` (`AzureSyncPeering`), a `DELETE` of it
//!   (`AzureDeletePeering`).
//! - Long-running operations: every write waits for its operation, as `azure-mgmt-core` does: the
//!   `Azure-AsyncOperation` URL until its `status` is terminal (`Failed` and `Canceled` are
//!   errors with the operation's own `error.code`), else the `Location` URL until it stops
//!   answering 202, else the resource's `provisioningState`. Polls are `Drivers::poll` apart
//!   (`Retry-After` is not read: the caller chooses the pace) and give up, retryable, after
//!   [`MAX_POLLS`].
//! - Errors: ARM's `{"error": {"code", "message"}}` with the HTTP status. 429 and
//!   `TooManyRequests` are throttling; `AnotherOperationInProgress`,
//!   `ReferencedResourceNotProvisioned` and 5xx mean busy; a 404 on a peering's `PUT` is "not
//!   visible yet" (its VNet, or the remote one, may have been created by an earlier step of the
//!   same apply, in another region or subscription whose ARM replica has not seen it);
//!   everything else is final.

use std::time::Duration;

use hyper::Method;
use ipnet::Ipv4Net;
use serde_json::{json, Value};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::desired::Source;
use vpcpeer_controller::names::{azure_vnet_id, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::{AzurePeering, AzureState, Detail, ObservedNetwork};
use vpcpeer_controller::{Action, Cloud, Desired, Observed};

use crate::error::retry_of_status;
use crate::http::Answer;
use crate::{Access, DriverError, Drivers, Http};

/// The Microsoft.Network api-version every call sends.
const API: &str = "api-version=2024-05-01";
/// The Microsoft.Resources api-version (resource groups).
const API_RESOURCES: &str = "api-version=2021-04-01";
/// Polls of one long-running operation before giving up (retryable: the loop tries the step
/// again, and the PUT or DELETE is idempotent).
pub(crate) const MAX_POLLS: u32 = 3000;

/// Reads the topology's Azure networks into `out`.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    for (name, n) in &desired.networks {
        if n.cloud != Cloud::Azure {
            continue;
        }
        let call = format!("GET virtualNetworks {name}");
        let arm = Arm::of(d, desired, &call, name)?;
        let id = declared_id(desired, name);
        let Some(vnet) = arm.get(&call, &format!("{id}?{API}")).await? else {
            continue;
        };
        out.networks.insert(name.clone(), read_vnet(&call, &vnet)?);
    }
    Ok(())
}

/// Carries out one Azure step.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<(), DriverError> {
    match action {
        Action::CreateNetwork { network, cidrs, .. } => {
            let call = format!("PUT virtualNetworks {network}");
            let arm = Arm::of(d, desired, &call, network)?;
            let n = &desired.networks[network];
            let region = n.region.clone().ok_or_else(|| {
                DriverError::transport(Cloud::Azure, &call, "the network has no region")
            })?;
            let body = json!({
                "location": region,
                "tags": {TAG_TOPOLOGY: desired.name, TAG_NETWORK: network},
                "properties": {"addressSpace": {
                    "addressPrefixes": cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                }},
            });
            let path = format!("{}?{API}", declared_id(desired, network));
            match arm.write(&call, Method::PUT, &path, Some(&body)).await {
                Err(e) if e.code.eq_ignore_ascii_case("ResourceGroupNotFound") => {
                    let account = &desired.accounts[&n.account];
                    let group = format!(
                        "/subscriptions/{}/resourcegroups/{}?{API_RESOURCES}",
                        account.id,
                        account.resource_group.as_deref().unwrap_or_default()
                    );
                    let rg_call = format!("PUT resourceGroups {}", group_name(desired, network));
                    arm.write(
                        &rg_call,
                        Method::PUT,
                        &group,
                        Some(&json!({"location": region})),
                    )
                    .await?;
                    arm.write(&call, Method::PUT, &path, Some(&body)).await
                }
                other => other,
            }
        }
        Action::DeleteNetwork { network, id, .. } => {
            let call = format!("DELETE virtualNetworks {network}");
            let arm = Arm::of(d, desired, &call, network)?;
            arm.write(&call, Method::DELETE, &format!("{id}?{API}"), None)
                .await
        }
        Action::AzureCreatePeering {
            network,
            name,
            remote,
            allow_forwarded_traffic,
        } => {
            let call = format!("PUT virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let body = json!({"properties": {
                "remoteVirtualNetwork": {"id": remote},
                "allowVirtualNetworkAccess": true,
                "allowForwardedTraffic": allow_forwarded_traffic,
                "allowGatewayTransit": false,
                "useRemoteGateways": false,
            }});
            let path = format!("{}?{API}", peering_path(d, desired, network, name));
            arm.write(&call, Method::PUT, &path, Some(&body))
                .await
                .map_err(not_visible_on_404)
        }
        Action::AzureUpdatePeering {
            network,
            name,
            allow_forwarded_traffic,
            ..
        } => {
            let call = format!("PUT virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = peering_path(d, desired, network, name);
            let mut body = arm.peering_as_it_is(&call, &path).await?;
            body["properties"]["allowForwardedTraffic"] = json!(allow_forwarded_traffic);
            arm.write(&call, Method::PUT, &format!("{path}?{API}"), Some(&body))
                .await
        }
        Action::AzureSyncPeering { network, name } => {
            let call = format!("PUT virtualNetworkPeerings {network}/{name} (sync)");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = peering_path(d, desired, network, name);
            let body = arm.peering_as_it_is(&call, &path).await?;
            let url = format!("{path}?{API}&syncRemoteAddressSpace=true");
            arm.write(&call, Method::PUT, &url, Some(&body)).await
        }
        Action::AzureDeletePeering { network, name } => {
            let call = format!("DELETE virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = format!("{}?{API}", peering_path(d, desired, network, name));
            arm.write(&call, Method::DELETE, &path, None).await
        }
        other => Err(DriverError::transport(
            Cloud::Azure,
            &other.to_string(),
            "not an Azure step",
        )),
    }
}

/// The ARM id a network has or will have: its declared id (a full ARM id, or a VNet name in the
/// account's resource group), or its topology name in that resource group.
fn declared_id(desired: &Desired, network: &str) -> String {
    let n = &desired.networks[network];
    let account = &desired.accounts[&n.account];
    let name = match &n.source {
        Source::Existing(id) => id.as_str(),
        Source::Declared(_) => network,
    };
    azure_vnet_id(
        &account.id,
        account.resource_group.as_deref().unwrap_or_default(),
        name,
    )
}

/// `<subscription>/<resource group>` of a network's account, for messages.
fn group_name(desired: &Desired, network: &str) -> String {
    let account = &desired.accounts[&desired.networks[network].account];
    format!(
        "{}/{}",
        account.id,
        account.resource_group.as_deref().unwrap_or_default()
    )
}

/// The path of a peering of `network`: under the VNet's id as the last observe found it (ARM
/// ids are case-insensitive, the found one is as ARM spells it), else as declared.
fn peering_path(d: &Drivers, desired: &Desired, network: &str, name: &str) -> String {
    let vnet = match d.found.observed.networks.get(network) {
        Some(n) => n.id.clone(),
        None => declared_id(desired, network),
    };
    format!("{vnet}/virtualNetworkPeerings/{name}")
}

/// A 404 on a peering's PUT: its VNet or the remote one may be too new to be seen yet.
fn not_visible_on_404(e: DriverError) -> DriverError {
    match e.status {
        Some(404) => DriverError {
            retry: Retry::NotVisibleYet,
            ..e
        },
        _ => e,
    }
}

/// One VNet's body as the plan reads it.
fn read_vnet(call: &str, v: &Value) -> Result<ObservedNetwork, DriverError> {
    let bad = |what: &str| DriverError::unreadable(Cloud::Azure, call, 200, what.to_string());
    let id = v["id"]
        .as_str()
        .ok_or_else(|| bad("the virtual network has no id"))?
        .to_string();
    let cidrs = ipv4_prefixes(&v["properties"]["addressSpace"]["addressPrefixes"]);
    let mut peerings = Vec::new();
    for p in v["properties"]["virtualNetworkPeerings"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let props = &p["properties"];
        let name = p["name"]
            .as_str()
            .ok_or_else(|| bad("a peering has no name"))?;
        let state = match props["peeringState"].as_str().unwrap_or_default() {
            s if s.eq_ignore_ascii_case("Initiated") => AzureState::Initiated,
            s if s.eq_ignore_ascii_case("Connected") => AzureState::Connected,
            s if s.eq_ignore_ascii_case("Disconnected") => AzureState::Disconnected,
            s => return Err(bad(&format!("peering {name} has peeringState {s:?}"))),
        };
        peerings.push(AzurePeering {
            name: name.to_string(),
            remote: props["remoteVirtualNetwork"]["id"]
                .as_str()
                .ok_or_else(|| bad(&format!("peering {name} has no remoteVirtualNetwork.id")))?
                .to_string(),
            state,
            in_sync: props["peeringSyncLevel"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("FullyInSync")),
            allow_forwarded_traffic: props["allowForwardedTraffic"].as_bool().unwrap_or(false),
        });
    }
    Ok(ObservedNetwork {
        id,
        cidrs,
        detail: Detail::Azure { peerings },
    })
}

/// The IPv4 prefixes of an `addressPrefixes` array (IPv6 ones are left out).
fn ipv4_prefixes(v: &Value) -> Vec<Ipv4Net> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str()?.parse::<Ipv4Net>().ok())
        .collect()
}

/// How one account is reached.
struct Arm {
    http: Http,
    endpoint: String,
    token: Option<String>,
    poll: Duration,
}

impl Arm {
    /// The client for `network`'s account.
    fn of(d: &Drivers, desired: &Desired, call: &str, network: &str) -> Result<Arm, DriverError> {
        let (
            n,
            _,
            Access {
                endpoint, token, ..
            },
        ) = d.network(desired, Cloud::Azure, call, network)?;
        let endpoint = match &n.region {
            Some(r) => endpoint.replace("{region}", r),
            None => endpoint,
        };
        Ok(Arm {
            http: d.http.clone(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token,
            poll: d.poll,
        })
    }

    /// One request; an error status is the cloud's error. `target` is a path (under the
    /// endpoint) or a full URL (an operation's).
    async fn send(
        &self,
        call: &str,
        method: Method,
        target: &str,
        body: Option<&Value>,
    ) -> Result<Answer, DriverError> {
        let url = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{}{target}", self.endpoint)
        };
        let mut headers = vec![("accept", "application/json".to_string())];
        if let Some(t) = &self.token {
            headers.push(("authorization", format!("Bearer {t}")));
        }
        let bytes = match body {
            Some(b) => {
                headers.push(("content-type", "application/json".to_string()));
                b.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let answer = self
            .http
            .send(Cloud::Azure, call, method, &url, &headers, bytes)
            .await?;
        if answer.status >= 400 {
            return Err(arm_error(call, answer.status, &answer.body));
        }
        Ok(answer)
    }

    /// A resource's body, or `None` when ARM answers 404.
    async fn get(&self, call: &str, path: &str) -> Result<Option<Value>, DriverError> {
        match self.send(call, Method::GET, path, None).await {
            Ok(a) => json_of(call, &a).map(Some),
            Err(e) if e.status == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A peering's body as a PUT takes it back: its writable properties as they are.
    async fn peering_as_it_is(&self, call: &str, path: &str) -> Result<Value, DriverError> {
        let a = self
            .send(call, Method::GET, &format!("{path}?{API}"), None)
            .await?;
        let p = json_of(call, &a)?;
        let mut props = serde_json::Map::new();
        for k in [
            "remoteVirtualNetwork",
            "allowVirtualNetworkAccess",
            "allowForwardedTraffic",
            "allowGatewayTransit",
            "useRemoteGateways",
            "doNotVerifyRemoteGateways",
        ] {
            if let Some(v) = p["properties"].get(k) {
                props.insert(k.to_string(), v.clone());
            }
        }
        Ok(json!({ "properties": props }))
    }

    /// A PUT or DELETE, and its long-running operation to the end.
    async fn write(
        &self,
        call: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), DriverError> {
        let a = self.send(call, method.clone(), path, body).await?;
        let header = |h: &str| {
            a.headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if let Some(op) = header("azure-asyncoperation") {
            return self.await_operation(call, &op).await;
        }
        if a.status == 202 {
            if let Some(loc) = header("location") {
                return self.await_location(call, &loc).await;
            }
        }
        if method == Method::PUT {
            let mut state = provisioning_state(&json_of(call, &a)?);
            let mut polls = 0;
            while !terminal(&state) {
                polls = self.next_poll(call, polls).await?;
                let Some(v) = self.get(call, path).await? else {
                    return Err(DriverError {
                        retry: Retry::NotVisibleYet,
                        ..DriverError::unreadable(
                            Cloud::Azure,
                            call,
                            404,
                            "the resource written is not found",
                        )
                    });
                };
                state = provisioning_state(&v);
            }
            if !state.eq_ignore_ascii_case("Succeeded") {
                return Err(operation_error(call, &state, &Value::Null));
            }
        }
        Ok(())
    }

    /// Waits `poll`, counting polls; a retryable error past [`MAX_POLLS`].
    async fn next_poll(&self, call: &str, polls: u32) -> Result<u32, DriverError> {
        if polls >= MAX_POLLS {
            return Err(DriverError {
                code: "OperationTimedOut".into(),
                retry: Retry::Busy,
                ..DriverError::transport(
                    Cloud::Azure,
                    call,
                    format!("the operation is still running after {MAX_POLLS} polls"),
                )
            });
        }
        tokio::time::sleep(self.poll).await;
        Ok(polls + 1)
    }

    /// Polls an `Azure-AsyncOperation` URL until its `status` is terminal.
    async fn await_operation(&self, call: &str, url: &str) -> Result<(), DriverError> {
        let mut polls = 0;
        loop {
            let a = self.send(call, Method::GET, url, None).await?;
            let op = json_of(call, &a)?;
            let status = op["status"].as_str().unwrap_or_default().to_string();
            if status.eq_ignore_ascii_case("Succeeded") {
                return Ok(());
            }
            if terminal(&status) {
                return Err(operation_error(call, &status, &op["error"]));
            }
            polls = self.next_poll(call, polls).await?;
        }
    }

    /// Polls a `Location` URL while it answers 202.
    async fn await_location(&self, call: &str, url: &str) -> Result<(), DriverError> {
        let mut polls = 0;
        loop {
            let a = self.send(call, Method::GET, url, None).await?;
            if a.status != 202 {
                return Ok(());
            }
            polls = self.next_poll(call, polls).await?;
        }
    }
}

/// `properties.provisioningState`; `Succeeded` when absent (nothing to wait for).
fn provisioning_state(v: &Value) -> String {
    v["properties"]["provisioningState"]
        .as_str()
        .unwrap_or("Succeeded")
        .to_string()
}

/// Whether an operation status or provisioning state is final.
fn terminal(s: &str) -> bool {
    ["Succeeded", "Failed", "Canceled"]
        .iter()
        .any(|t| s.eq_ignore_ascii_case(t))
}

/// An answer's JSON body.
fn json_of(call: &str, a: &Answer) -> Result<Value, DriverError> {
    serde_json::from_slice(&a.body).map_err(|e| {
        DriverError::unreadable(Cloud::Azure, call, a.status, format!("not JSON: {e}"))
    })
}

/// The retry class of an ARM error.
fn retry_of(status: u16, code: &str) -> Retry {
    let is = |c: &str| code.eq_ignore_ascii_case(c);
    if status == 429 || is("TooManyRequests") {
        Retry::Throttled
    } else if is("AnotherOperationInProgress")
        || is("ReferencedResourceNotProvisioned")
        || status >= 500
    {
        Retry::Busy
    } else {
        retry_of_status(status)
    }
}

/// ARM's error document, `{"error": {"code", "message"}}`, as a `DriverError`.
pub(crate) fn arm_error(call: &str, status: u16, body: &[u8]) -> DriverError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let e = &v["error"];
    let code = e["code"].as_str().map(str::to_string).unwrap_or_else(|| {
        hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("HttpError")
            .replace(' ', "")
    });
    let message = e["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(500).collect());
    DriverError {
        cloud: Cloud::Azure,
        call: call.to_string(),
        status: Some(status),
        retry: retry_of(status, &code),
        code,
        message,
    }
}

/// A long-running operation that ended `Failed` or `Canceled`, with the operation's error.
fn operation_error(call: &str, status: &str, error: &Value) -> DriverError {
    let code = error["code"].as_str().unwrap_or(status).to_string();
    DriverError {
        cloud: Cloud::Azure,
        call: call.to_string(),
        status: None,
        retry: retry_of(0, &code),
        message: error["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("the operation ended {status}")),
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_errors_keep_the_clouds_words_and_class() {
        for (status, code, retry) in [
            (429, "TooManyRequests", Retry::Throttled),
            (409, "AnotherOperationInProgress", Retry::Busy),
            (400, "VnetAddressSpacesOverlap", Retry::Never),
            (503, "ServiceUnavailable", Retry::Busy),
            (404, "ResourceNotFound", Retry::Never),
        ] {
            let body = json!({"error": {"code": code, "message": "words"}}).to_string();
            let e = arm_error("PUT virtualNetworkPeerings a/b", status, body.as_bytes());
            assert_eq!(
                (e.code.as_str(), e.message.as_str(), e.status, e.retry),
                (code, "words", Some(status), retry)
            );
        }
        let e = arm_error("GET virtualNetworks a", 502, b"<html>bad gateway</html>");
        assert_eq!((e.code.as_str(), e.retry), ("BadGateway", Retry::Busy));
        assert!(e.message.contains("bad gateway"));
    }

    #[test]
    fn a_vnet_body_reads_into_what_the_plan_needs() {
        let v = json!({
            "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/a",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16", "fd00::/48", "10.9.0.0/24"]},
                "virtualNetworkPeerings": [{
                    "name": "t--a-b",
                    "properties": {
                        "peeringState": "Disconnected",
                        "peeringSyncLevel": "RemoteNotInSync",
                        "remoteVirtualNetwork": {"id": "/subscriptions/s2/x"},
                        "allowForwardedTraffic": true,
                    },
                }],
            },
        });
        let n = read_vnet("GET", &v).expect("readable");
        assert_eq!(
            n.cidrs,
            vec![
                "10.0.0.0/16".parse::<Ipv4Net>().unwrap(),
                "10.9.0.0/24".parse().unwrap()
            ]
        );
        assert_eq!(
            n.detail,
            Detail::Azure {
                peerings: vec![AzurePeering {
                    name: "t--a-b".into(),
                    remote: "/subscriptions/s2/x".into(),
                    state: AzureState::Disconnected,
                    in_sync: false,
                    allow_forwarded_traffic: true,
                }]
            }
        );
        let mut odd = v.clone();
        odd["properties"]["virtualNetworkPeerings"][0]["properties"]["peeringState"] =
            json!("Weird");
        assert_eq!(
            read_vnet("GET", &odd).expect_err("unknown state").code,
            "unreadable-answer"
        );
    }
}
