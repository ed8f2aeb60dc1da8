//! The three-cloud layout the crossing scenario rows and the crossing benchmark share: a
//! `vpcpeer-gateway` VM in each cloud (AWS: an instance of the gateway AMI with an Elastic IP;
//! GCP: an instance booted from `projects/vpcpeer/global/images/vpcpeer-gateway` with a static
//! external address and `canIpForward`; Azure: a VM of the `vpcpeer`/`vpcpeer-gateway` image on
//! a NIC with IP forwarding and a Standard public IP), each configuration rendered by
//! `vpcpeer-gateway` with real keys into the VM's user data, metadata or custom data; each
//! workload network routes the other two clouds to its gateway. [`build`] makes it in a fresh
//! [`TestEnv`], [`build_in`] in one that already holds other networks. Included with `#[path]`
//! next to `common` (it uses `crate::common`).

#![allow(dead_code)]

use std::net::Ipv4Addr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use vpcpeer_gateway::{GatewayConfig, DEFAULT_PORT};
use vpcpeer_model::aws::catalog::gateway_image_id;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::azure::ops::{
    self as az, PutNsg, PutPublicIp, PutRouteTable, PutVm, PutVnet, RouteSpec as AzRouteSpec,
    SubnetSpec as AzSubnetSpec, Target, VmPowerAction,
};
use vpcpeer_model::azure::{
    AzAccess, AzDirection, AzImageReference, AzNextHop, AzPublicIpSku, AzSecurityRule, AzTags,
    AzureError,
};
use vpcpeer_model::gcp::{
    self, AddressSpec, Command, GcpNextHop, InstanceSpec, MetadataItem, NicSpec, GATEWAY_IMAGE,
};
use vpcpeer_model::testkit::{a, TestEnv};
use vpcpeer_model::RouteTarget;
use vpcpeer_reach::Endpoint;

use crate::common::azure::{eastus_nic, subnet_id};
use crate::common::gateways::{
    associate_eip, config, gateway_vpc, launch_gateway, peer, udp, GatewayVpc,
};
use crate::common::gcp as cmd;
use crate::common::{from_cidr, web_instance, Build};

pub const P: &str = "proj-g";
pub const ZONE: &str = "us-central1-a";
pub const SUB: &str = "00000000-0000-0000-0000-0000000000cc";

/// What a row changes from the working layout.
#[derive(Clone, Copy)]
pub struct Knobs {
    pub edit_aws: fn(&mut GatewayConfig),
    pub gcp_external_ip: bool,
    pub gcp_admits_aws: bool,
    pub gcp_forwards: bool,
    pub gcp_routes_aws: bool,
    pub stop_gcp: bool,
    /// The AWS gateway is stopped (its route in the workload table turns blackhole).
    pub stop_aws: bool,
    pub deallocate_azure: bool,
    /// The Azure gateway's NIC gets an NSG whose one rule denies udp/51820 from the internet.
    pub azure_nsg_denies: bool,
    /// The Azure gateway's NIC gets an NSG whose one rule admits udp/51820 from the other two
    /// gateways: the forwarded workload traffic relies on the default rules (`AllowVnetInBound`
    /// / `AllowVnetOutBound`, whose `VirtualNetwork` tag takes in the UDR prefixes).
    pub azure_nsg_tunnel_only: bool,
    /// The Azure workload subnet's route table routes GCP (10.30.0.0/16) to the gateway.
    pub azure_routes_gcp: bool,
}

pub const WORKING: Knobs = Knobs {
    edit_aws: |_| {},
    gcp_external_ip: true,
    gcp_admits_aws: true,
    gcp_forwards: true,
    gcp_routes_aws: true,
    stop_gcp: false,
    stop_aws: false,
    deallocate_azure: false,
    azure_nsg_denies: false,
    azure_nsg_tunnel_only: false,
    azure_routes_gcp: true,
};

/// The layout's ids.
pub struct World3 {
    pub env: TestEnv,
    pub aws_app: String,
    pub aws_gw: String,
    pub gcp_gw: String,
    pub azure_gw: String,
    pub gcp_ip: Ipv4Addr,
    pub aws_ip: Ipv4Addr,
    pub azure_ip: Ipv4Addr,
}

pub fn gcp_run(env: &mut TestEnv, c: Command) {
    cmd::run_in(env, P, c);
}

pub fn az_run<T>(
    env: &mut TestEnv,
    f: impl FnOnce(&mut vpcpeer_model::Tx<'_, '_>) -> Result<T, AzureError>,
) -> T {
    crate::common::azure::run_in(env, SUB, f)
}

pub fn t(name: &str) -> Target {
    Target::new(SUB, "rg", name)
}

pub fn gcp_vm(name: &str) -> String {
    gcp::instance_path(P, ZONE, name)
}

/// Firewall rule `name` of `net` allowing `proto`/`port` in from `ranges`.
pub fn gcp_firewall(env: &mut TestEnv, name: &str, proto: &str, port: &str, ranges: &[String]) {
    let c = cmd::firewall(name, "net", gcp::Direction::Ingress, proto, port, ranges);
    gcp_run(env, c);
}

/// Route `name` of `net` for `dest` to `hop`.
pub fn gcp_route(env: &mut TestEnv, name: &str, dest: &str, hop: GcpNextHop) {
    gcp_run(env, cmd::route(name, "net", dest, hop));
}

pub fn gcp_instance(env: &mut TestEnv, spec: InstanceSpec) {
    let zone = ZONE.into();
    gcp_run(env, Command::InsertInstance { zone, spec });
}

pub fn gcp_nic(ip: &str, nat: Option<Ipv4Addr>) -> NicSpec {
    cmd::nic("s", ip, nat)
}

/// AWS 10.10.0.0/16 (us-east-1: a public subnet routed to an internet gateway holding the
/// gateway, a workload subnet holding `app`); GCP network `net` 10.30.0.0/24 (`gw` at
/// 10.30.0.2, `app` at 10.30.0.10); Azure VNet `hub` 10.40.0.0/16 (`gw` in subnet `gw`
/// 10.40.1.0/24 at 10.40.1.4, `app` in subnet `app` 10.40.2.0/24 at 10.40.2.4). Every workload
/// admits tcp/443 from 10.0.0.0/8.
pub fn build(k: Knobs) -> World3 {
    build_in(TestEnv::with_seed(31), k)
}

/// [`build`] in `env`, which may already hold other networks (none in the layout's ranges, and
/// no GCP network `net` or Azure resource group `rg`).
pub fn build_in(mut env: TestEnv, k: Knobs) -> World3 {
    // Public addresses first: each configuration names the others'.
    let s = a();
    let eip = env
        .run(&s, |tx| tx.allocate_address(Default::default()))
        .expect("eip");
    let aws_ip = eip.public_ip;
    gcp_run(
        &mut env,
        Command::InsertAddress {
            region: "us-central1".into(),
            spec: AddressSpec {
                name: "gw-ip".into(),
                ..Default::default()
            },
        },
    );
    let gcp_ip = env.world.gcp.addresses()[&gcp::address_path(P, "us-central1", "gw-ip")].address;
    az_run(&mut env, |tx| {
        az::put_resource_group(tx, SUB, "rg", Some("eastus"), AzTags::new())
    });
    let pip = PutPublicIp {
        location: Some("eastus".into()),
        sku: Some(AzPublicIpSku::Standard),
        ..Default::default()
    };
    let azure_ip = az_run(&mut env, |tx| az::put_public_ip(tx, &t("gw-ip"), pip))
        .0
        .address
        .expect("a Standard public IP has its address at once");

    let mut aws_cfg = config(
        "aws-gw",
        1,
        vec![
            peer("gcp-gw", 2, gcp_ip, "10.30.0.0/16"),
            peer("azure-gw", 3, azure_ip, "10.40.0.0/16"),
        ],
    );
    (k.edit_aws)(&mut aws_cfg);
    let gcp_cfg = config(
        "gcp-gw",
        2,
        vec![
            peer("aws-gw", 1, aws_ip, "10.10.0.0/16"),
            peer("azure-gw", 3, azure_ip, "10.40.0.0/16"),
        ],
    );
    let azure_cfg = config(
        "azure-gw",
        3,
        vec![
            peer("aws-gw", 1, aws_ip, "10.10.0.0/16"),
            peer("gcp-gw", 2, gcp_ip, "10.30.0.0/16"),
        ],
    );

    // AWS.
    let GatewayVpc {
        vpc,
        public,
        workload,
        workload_rtb,
        sg: gw_sg,
        ..
    } = gateway_vpc(&mut env, &s, "10.10", "gw-sg");
    for ip in [gcp_ip, azure_ip] {
        env.allow(
            &s,
            &gw_sg,
            SgDir::Ingress,
            from_cidr(udp(DEFAULT_PORT), &format!("{ip}/32")),
        );
    }
    let image = gateway_image_id("us-east-1");
    let text = aws_cfg.render();
    let (aws_gw, _) = launch_gateway(&mut env, &s, &public, &gw_sg, image, &text, true);
    associate_eip(&mut env, &s, &eip.id, &aws_gw);
    for other in ["10.30.0.0/16", "10.40.0.0/16"] {
        env.route(
            &s,
            &workload_rtb,
            other,
            RouteTarget::Instance(aws_gw.clone()),
        );
    }
    let aws_app = web_instance(&mut env, &s, &vpc, &workload, "app-sg", "10.0.0.0/8");

    // GCP.
    gcp_run(&mut env, cmd::network("net"));
    gcp_run(&mut env, cmd::subnetwork("s", "net", "10.30.0.0/24"));
    gcp_instance(
        &mut env,
        InstanceSpec {
            name: "gw".into(),
            machine_type: "e2-small".into(),
            nics: vec![gcp_nic("10.30.0.2", k.gcp_external_ip.then_some(gcp_ip))],
            can_ip_forward: k.gcp_forwards,
            metadata: vec![MetadataItem {
                key: "user-data".into(),
                value: gcp_cfg.render(),
            }],
            source_image: Some(GATEWAY_IMAGE.into()),
            ..Default::default()
        },
    );
    gcp_instance(
        &mut env,
        InstanceSpec {
            name: "app".into(),
            machine_type: "e2-small".into(),
            nics: vec![gcp_nic("10.30.0.10", None)],
            ..Default::default()
        },
    );
    gcp_firewall(&mut env, "allow-443", "tcp", "443", &["10.0.0.0/8".into()]);
    let mut tunnel_from = vec![format!("{azure_ip}/32")];
    if k.gcp_admits_aws {
        tunnel_from.push(format!("{aws_ip}/32"));
    }
    gcp_firewall(&mut env, "allow-tunnel", "udp", "51820", &tunnel_from);
    if k.gcp_routes_aws {
        gcp_route(
            &mut env,
            "to-aws",
            "10.10.0.0/16",
            GcpNextHop::Instance(gcp_vm("gw")),
        );
    }
    gcp_route(
        &mut env,
        "to-azure",
        "10.40.0.0/16",
        GcpNextHop::Instance(gcp_vm("gw")),
    );

    // Azure.
    let table = PutRouteTable {
        location: Some("eastus".into()),
        routes: ["10.10.0.0/16", "10.30.0.0/16"]
            .iter()
            .filter(|p| k.azure_routes_gcp || **p != "10.30.0.0/16")
            .enumerate()
            .map(|(i, p)| AzRouteSpec {
                name: format!("via-gw-{i}"),
                prefix: (*p).into(),
                next_hop: AzNextHop::VirtualAppliance,
                next_hop_ip: Some("10.40.1.4".into()),
            })
            .collect(),
        ..Default::default()
    };
    let rt = az_run(&mut env, |tx| az::put_route_table(tx, &t("app-rt"), table))
        .0
        .display_id;
    let udp_in = |name: &str, access: AzAccess, from: Vec<String>| AzSecurityRule {
        name: name.into(),
        priority: 100,
        direction: AzDirection::Inbound,
        access,
        protocol: "Udp".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec![DEFAULT_PORT.to_string().into()],
        source_prefixes: from.iter().map(|s| s.as_str().into()).collect(),
        destination_prefixes: vec!["*".into()],
        description: None,
    };
    let rules = if k.azure_nsg_denies {
        Some(vec![udp_in(
            "deny-tunnel",
            AzAccess::Deny,
            vec!["Internet".into()],
        )])
    } else if k.azure_nsg_tunnel_only {
        let peers = vec![format!("{aws_ip}/32"), format!("{gcp_ip}/32")];
        Some(vec![udp_in("allow-tunnel", AzAccess::Allow, peers)])
    } else {
        None
    };
    let nsg = rules.map(|rules| {
        let req = PutNsg {
            location: Some("eastus".into()),
            rules,
            tags: AzTags::new(),
        };
        az_run(&mut env, |tx| az::put_nsg(tx, &t("gw-nsg"), req))
            .0
            .display_id
    });
    let vnet = PutVnet {
        location: Some("eastus".into()),
        prefixes: vec!["10.40.0.0/16".into()],
        subnets: Some(vec![
            AzSubnetSpec {
                name: "gw".into(),
                prefix: Some("10.40.1.0/24".into()),
                nsg: None,
                route_table: None,
            },
            AzSubnetSpec {
                name: "app".into(),
                prefix: Some("10.40.2.0/24".into()),
                nsg: None,
                route_table: Some(rt),
            },
        ]),
        tags: AzTags::new(),
    };
    az_run(&mut env, |tx| az::put_vnet(tx, &t("hub"), vnet));
    let subnet = |name: &str| subnet_id(&t("hub"), name);
    for (name, sub, public_ip, forwarding, nsg) in [
        (
            "gw-nic",
            "gw",
            Some(az::public_ip_id(&t("gw-ip"))),
            true,
            nsg,
        ),
        ("app-nic", "app", None, false, None),
    ] {
        let nic = eastus_nic(subnet(sub), public_ip, forwarding, nsg);
        az_run(&mut env, |tx| az::put_nic(tx, &t(name), nic));
    }
    let gw_vm = PutVm {
        location: Some("eastus".into()),
        nics: vec![t("gw-nic").network_id("networkInterfaces")],
        custom_data: Some(STANDARD.encode(azure_cfg.render())),
        image: Some(AzImageReference::gateway()),
        ..Default::default()
    };
    let azure_gw = az_run(&mut env, |tx| az::put_vm(tx, &t("gw"), gw_vm))
        .0
        .display_id;
    let app_vm = PutVm {
        location: Some("eastus".into()),
        nics: vec![t("app-nic").network_id("networkInterfaces")],
        ..Default::default()
    };
    az_run(&mut env, |tx| az::put_vm(tx, &t("app"), app_vm));

    if k.stop_gcp {
        let (zone, name) = (ZONE.into(), "gw".into());
        gcp_run(&mut env, Command::StopInstance { zone, name });
    }
    if k.stop_aws {
        env.run(&a(), |tx| tx.stop_instances(std::slice::from_ref(&aws_gw)))
            .expect("stop");
    }
    if k.deallocate_azure {
        az_run(&mut env, |tx| {
            az::vm_power(tx, &t("gw"), VmPowerAction::Deallocate)
        });
    }
    World3 {
        env,
        aws_app,
        aws_gw,
        gcp_gw: gcp_vm("gw"),
        azure_gw,
        gcp_ip,
        aws_ip,
        azure_ip,
    }
}

/// The endpoints of the three workloads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    Aws,
    Gcp,
    Azure,
}

pub fn endpoint(w: &World3, e: End) -> Endpoint {
    match e {
        End::Aws => Endpoint::Instance(w.aws_app.clone()),
        End::Gcp => Endpoint::parse(&gcp_vm("app")).expect("gcp"),
        End::Azure => Endpoint::parse(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app"
        ))
        .expect("azure"),
    }
}
