//! Tunnel fixtures the tunnel tests, the three-cloud layout
//! (`crates/vpcpeer-reach/tests/common/world3.rs`) and the crossing benchmark share: gateway
//! keys and configurations, an AWS VPC a gateway serves, and a gateway instance of the gateway
//! image with its Elastic IP, each built through the model's operations.

use std::net::{Ipv4Addr, SocketAddrV4};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use vpcpeer_gateway::{GatewayConfig, Peer, PrivateKey, DEFAULT_PORT};
use vpcpeer_model::aws::address::{AssociateAddress, AssociationTarget};
use vpcpeer_model::aws::appliance::InterfaceChange;
use vpcpeer_model::aws::instance::RunInstances;
use vpcpeer_model::aws::route::AssocRequest;
use vpcpeer_model::aws::security_group::{Direction, RulePermission, RuleProtocol};
use vpcpeer_model::testkit::{self, TestEnv};
use vpcpeer_model::{RouteTarget, Scope};

use super::{from_cidr, tcp, Build};

/// Gateway private key `n` (every byte `n`).
pub fn key(n: u8) -> PrivateKey {
    PrivateKey::from_bytes([n; 32])
}

/// A `[Peer]` entry: `name` of key `k` at `ip` on the default port, allowing `allowed`.
pub fn peer(name: &str, k: u8, ip: Ipv4Addr, allowed: &str) -> Peer {
    Peer {
        name: name.into(),
        public_key: key(k).public(),
        endpoint: SocketAddrV4::new(ip, DEFAULT_PORT),
        allowed_ips: vec![allowed.parse().expect("net")],
    }
}

/// A gateway configuration: `name` of key `k` listening on the default port, with `peers`.
pub fn config(name: &str, k: u8, peers: Vec<Peer>) -> GatewayConfig {
    GatewayConfig {
        name: name.into(),
        private_key: key(k),
        listen_port: DEFAULT_PORT,
        peers,
    }
}

/// A UDP permission for one port.
pub fn udp(port: u16) -> RulePermission {
    testkit::permission(RuleProtocol::Udp, Some(port.into()), Some(port.into()))
}

/// An AWS VPC a tunnel gateway serves.
pub struct GatewayVpc {
    pub vpc: String,
    /// The gateway's subnet, on the main table.
    pub public: String,
    /// The workloads' subnet, on `workload_rtb`.
    pub workload: String,
    /// The main table: 0.0.0.0/0 → `igw`.
    pub public_rtb: String,
    pub igw: String,
    pub workload_rtb: String,
    /// The gateway's group: tcp/443 from 10.0.0.0/8.
    pub sg: String,
}

/// VPC `net`.0.0/16 (`net` as `10.10`) with a public subnet `net`.1.0/24 on the main table
/// (0.0.0.0/0 → an internet gateway) and a workload subnet `net`.2.0/24 on a table of its own;
/// the gateway's group `sg_name` admits tcp/443 from 10.0.0.0/8.
pub fn gateway_vpc(env: &mut TestEnv, s: &Scope, net: &str, sg_name: &str) -> GatewayVpc {
    let vpc = env.vpc(s, &format!("{net}.0.0/16"));
    let public = env.subnet(s, &vpc, &format!("{net}.1.0/24"));
    let workload = env.subnet(s, &vpc, &format!("{net}.2.0/24"));
    let public_rtb = env.main_rtb(&vpc);
    let igw = env.igw(s, &vpc);
    env.route(
        s,
        &public_rtb,
        "0.0.0.0/0",
        RouteTarget::Gateway(igw.clone()),
    );
    let workload_rtb = env
        .run(s, |tx| tx.create_route_table(&vpc, Default::default()))
        .expect("table");
    env.run(s, |tx| {
        tx.associate_route_table(&workload_rtb, AssocRequest::Subnet(workload.clone()))
    })
    .expect("associate");
    let sg = env.sg(s, &vpc, sg_name);
    env.allow(
        s,
        &sg,
        Direction::Ingress,
        from_cidr(tcp(Some(443)), "10.0.0.0/8"),
    );
    GatewayVpc {
        vpc,
        public,
        workload,
        public_rtb,
        igw,
        workload_rtb,
        sg,
    }
}

/// An instance of `image` in `subnet` with group `sg` and user data `text`, its primary
/// interface's source/destination check turned off when `forwards`: its id and interface.
pub fn launch_gateway(
    env: &mut TestEnv,
    s: &Scope,
    subnet: &str,
    sg: &str,
    image: String,
    text: &str,
    forwards: bool,
) -> (String, String) {
    let id = env
        .run(s, |tx| {
            tx.run_instances(RunInstances {
                min_count: 1,
                max_count: 1,
                image_id: image,
                subnet_id: Some(subnet.into()),
                security_group_ids: vec![sg.to_owned()],
                user_data: Some(STANDARD.encode(text)),
                ..Default::default()
            })
        })
        .expect("gateway")
        .instance_ids[0]
        .clone();
    let eni = env.world.aws.instances()[&id].eni_ids[0].clone();
    if forwards {
        env.run(s, |tx| {
            tx.modify_interface(&eni, InterfaceChange::SourceDestCheck(false))
        })
        .expect("check off");
    }
    (id, eni)
}

/// Associates Elastic IP `allocation` with `instance`.
pub fn associate_eip(env: &mut TestEnv, s: &Scope, allocation: &str, instance: &str) {
    env.run(s, |tx| {
        tx.associate_address(AssociateAddress {
            allocation_id: allocation.into(),
            target: AssociationTarget::Instance(instance.into()),
            private_ip: None,
            allow_reassociation: false,
        })
    })
    .expect("associate");
}
