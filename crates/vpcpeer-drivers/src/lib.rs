//! The controller's drivers: one client per cloud, each speaking only that cloud's public API —
//! EC2 Query through the official `aws-sdk-ec2` (`aws`), Compute Engine v1 through Google's
//! official `google-cloud-compute-v1` (`gcp`), Azure Resource Manager through a small typed
//! client of this crate (`azure`: Microsoft keeps no Rust crate for ARM networking) — so the
//! same code manages the real clouds (given their endpoints and credentials) and the local
//! emulator (its default). [`Drivers`] is the `vpcpeer_controller::apply::Clouds` the apply loop runs on:
//! `observe` reads every declared network into an `Observed`, `execute` carries out one step.
//!
//! Ids: a step names networks and links by their topology names. The drivers resolve them from
//! what the last `observe` found and from what earlier steps of the same round returned (a new
//! VPC's id and main route table, a new peering's id), kept in [`Found`].
//!
//! This crate does network I/O and nothing else: credentials, endpoints and the clock for
//! request signing come from the caller (the composition root). One exception, for real GCP:
//! a GCP account given no token whose endpoint is Google's is reached with Application Default
//! Credentials, which Google's SDK finds itself (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's ADC
//! file, the metadata server).
//!
//! The SDKs bring their own HTTP clients (smithy's on rustls with `ring` for AWS, reqwest for
//! GCP); the Azure driver uses this crate's small hyper client ([`Http`]).

mod aws;
mod azure;
mod clock;
pub mod error;
mod gcp;
pub mod http;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, SystemTime};

use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::desired::{Account, Desired, Network};
use vpcpeer_controller::gateway::{config, GatewayConfig, Tunnel};
use vpcpeer_controller::observed::ObservedGateway;
use vpcpeer_controller::{Cloud, Observed, Step};

pub use error::DriverError;
pub use http::Http;

/// How to reach one account (project, subscription).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The API's base URL, `http://127.0.0.1:4650` for the local server. `{region}` in it is
    /// replaced by the network's region (AWS: `https://ec2.{region}.amazonaws.com`).
    pub endpoint: String,
    /// AWS: access key id and secret.
    pub aws_keys: Option<(String, String)>,
    /// GCP and Azure: a bearer token. GCP without one: no credentials on a local endpoint,
    /// Application Default Credentials on Google's (`*.googleapis.com`).
    pub token: Option<String>,
}

/// Ids learned while applying.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// What the last observe read.
    pub observed: Observed,
    /// AWS: network name → VPC id, including VPCs created this round.
    pub vpcs: BTreeMap<String, String>,
    /// AWS: network name → main route table id.
    pub main_tables: BTreeMap<String, String>,
    /// AWS: network name → default security group id.
    pub default_groups: BTreeMap<String, String>,
    /// AWS: link name → peering id, including peerings requested this round.
    pub peerings: BTreeMap<String, String>,
    /// Every cloud: gateway VM → its public address, including those allocated this round (a
    /// gateway's firewall and configuration name its peers' addresses, on any cloud).
    pub gateway_addresses: BTreeMap<String, std::net::Ipv4Addr>,
    /// Gateway VM → its instance id (AWS `i-…`, GCP `projects/p/zones/z/instances/n`, Azure the
    /// VM's ARM id), including those launched this round.
    pub gateway_instances: BTreeMap<String, String>,
    /// Gateway VM → (account name, region) where its pieces were found (Azure: region empty),
    /// so that a VM the file no longer declares is reached.
    pub gateway_places: BTreeMap<String, (String, String)>,
    /// Orphans of every cloud: network name → (account name, region) where it was found, so
    /// that the steps on a network the file no longer declares reach its account (AWS: the
    /// VPC's region; GCP: the region of its first subnetwork, empty when it has none; Azure:
    /// the VNet's location).
    pub places: BTreeMap<String, (String, String)>,
}

/// The drivers of the three clouds.
pub struct Drivers {
    pub(crate) http: Http,
    pub(crate) access: BTreeMap<String, Access>,
    pub(crate) found: Found,
    /// The wait between two polls of a long-running operation.
    pub(crate) poll: Duration,
    /// The clock request signatures use.
    pub(crate) now: aws::Now,
    /// The GCP driver's clients (Google's SDK), built once per endpoint and credentials.
    pub(crate) gcp: gcp::Cache,
    /// The EC2 clients made so far, one per (endpoint, region, keys).
    pub(crate) aws: aws::Clients,
    /// The clouds' clock, fed by the EC2 and ARM answers' `Date` headers.
    pub(crate) clock: clock::CloudClock,
}

impl Drivers {
    /// Drivers reaching each account (by its name in the topology) as `access` says.
    pub fn new(
        access: BTreeMap<String, Access>,
        now: Box<dyn Fn() -> SystemTime + Send + Sync>,
    ) -> Self {
        let clock = clock::CloudClock::default();
        Drivers {
            http: Http::new(),
            access,
            found: Found::default(),
            poll: Duration::from_millis(200),
            now: std::sync::Arc::from(now),
            gcp: gcp::Cache::default(),
            aws: aws::Clients::with_clock(clock.clone()),
            clock,
        }
    }

    /// The time on the clouds' clock: the newest `Date` header their answers carried (the
    /// emulator sends its own clock's), `None` before any answer. EC2 and ARM answers count,
    /// and on GCP one plain `GET` of the Compute endpoint per observation (`clock.rs`: Google's
    /// SDK does not show answers' headers).
    pub fn cloud_now(&self) -> Option<SystemTime> {
        self.clock.now()
    }

    /// The wait between two polls of a long-running operation (GCP operations, Azure async
    /// operations, an AWS peering on its way to active).
    pub fn with_poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// A network's declaration, its account and how to reach it.
    pub(crate) fn network<'d>(
        &self,
        desired: &'d Desired,
        cloud: Cloud,
        call: &str,
        network: &str,
    ) -> Result<(&'d Network, &'d Account, Access), DriverError> {
        let n = desired
            .networks
            .get(network)
            .ok_or_else(|| DriverError::transport(cloud, call, format!("no network {network}")))?;
        let account = &desired.accounts[&n.account];
        let access = self.access.get(&n.account).cloned().ok_or_else(|| {
            DriverError::transport(cloud, call, format!("no access for account {}", n.account))
        })?;
        Ok((n, account, access))
    }

    /// The public addresses of the gateways `peers`, as the drivers know them; `missing` words,
    /// in its cloud's terms, the error (given its message) for one that has none yet.
    pub(crate) fn peer_addresses(
        &self,
        peers: &[String],
        missing: impl Fn(String) -> DriverError,
    ) -> Result<BTreeSet<Ipv4Addr>, DriverError> {
        peers
            .iter()
            .map(|p| {
                let ip = self.found.gateway_addresses.get(p).copied();
                ip.ok_or_else(|| missing(format!("gateway {p} has no public address yet")))
            })
            .collect()
    }

    /// The configuration of the gateway VM `vm` with `tunnels`, from the topology's secret and
    /// the peers' addresses as the drivers know them; `missing` as for
    /// [`Drivers::peer_addresses`].
    pub(crate) fn gateway_config(
        &self,
        desired: &Desired,
        (cloud, call): (Cloud, &str),
        vm: &str,
        tunnels: &[Tunnel],
        missing: impl Fn(String) -> DriverError,
    ) -> Result<GatewayConfig, DriverError> {
        let secret = desired
            .gateway_secret
            .as_ref()
            .ok_or_else(|| DriverError::transport(cloud, call, "no gateway secret".to_string()))?;
        let addresses = &self.found.gateway_addresses;
        config(secret, &desired.name, vm, tunnels, addresses)
            .map_err(|peer| missing(format!("gateway {peer} has no public address yet")))
    }
}

/// The observed gateway VM `vm` of `network` on `cloud`, added with nothing found yet if it is
/// not there.
pub(crate) fn gateway_entry<'o>(
    out: &'o mut Observed,
    cloud: Cloud,
    vm: &str,
    network: &str,
) -> &'o mut ObservedGateway {
    out.gateways
        .entry(vm.to_string())
        .or_insert_with(|| ObservedGateway {
            network: network.to_string(),
            cloud,
            address: None,
            subnet: None,
            firewall: None,
            inner: Vec::new(),
            instance: None,
        })
}

/// An instance (AWS), VM (GCP) or network interface (Azure) in a network: the id `vpcpeer
/// reach` takes, and its private address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `i-…`, `projects/P/zones/Z/instances/N`, or a NIC's ARM id.
    pub id: String,
    /// Its (first) private IPv4 address.
    pub ip: String,
}

impl Drivers {
    /// The instances (AWS), VMs (GCP) and network interfaces (Azure) in each network the last
    /// `observe` found, for `apply --verify`.
    pub async fn endpoints(
        &mut self,
        desired: &Desired,
    ) -> Result<BTreeMap<String, Vec<Endpoint>>, DriverError> {
        let mut out = BTreeMap::new();
        aws::instances(self, desired, &mut out).await?;
        gcp::instances(self, desired, &mut out).await?;
        azure::instances(self, desired, &mut out).await?;
        Ok(out)
    }
}

impl Clouds for Drivers {
    type Error = DriverError;

    async fn observe(&mut self, desired: &Desired) -> Result<Observed, DriverError> {
        let mut out = Observed::default();
        self.found = Found::default();
        aws::observe(self, desired, &mut out).await?;
        gcp::observe(self, desired, &mut out).await?;
        azure::observe(self, desired, &mut out).await?;
        for (vm, g) in &out.gateways {
            if let Some(a) = &g.address {
                self.found.gateway_addresses.insert(vm.clone(), a.ip);
            }
        }
        self.found.observed = out.clone();
        Ok(out)
    }

    async fn execute(&mut self, desired: &Desired, step: &Step) -> Result<(), DriverError> {
        match step.action.cloud() {
            Cloud::Aws => aws::execute(self, desired, &step.action).await,
            Cloud::Gcp => gcp::execute(self, desired, &step.action).await,
            Cloud::Azure => azure::execute(self, desired, &step.action).await,
        }
    }

    async fn sleep(&mut self, wait: Duration) {
        tokio::time::sleep(wait).await;
    }
}
