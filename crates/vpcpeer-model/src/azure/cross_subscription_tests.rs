//! Cross-subscription and cross-region references (issue 8, item 8): a NIC and its subnet's
//! VNet, a subnet or NIC and its NSG, a subnet and its route table, a VM and its NICs, a gateway
//! and its VNet must share a subscription (and a region); VNet peering may cross both.

use super::ops::{
    self, IpConfigSpec, PutGateway, PutNic, PutNsg, PutPeering, PutRouteTable, PutVm, PutVnet,
    SubnetSpec, Target,
};
use super::*;
use crate::testkit::TestEnv;
use crate::Scope;

const SA: &str = "00000000-0000-0000-0000-00000000000a";
const SB: &str = "00000000-0000-0000-0000-00000000000b";

fn run<T>(
    env: &mut TestEnv,
    sub: &str,
    f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<T, AzureError>,
) -> Result<T, AzureError> {
    env.transact(&Scope::new(sub, ""), f)
}

fn net_id(sub: &str, kind: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/{kind}/{name}")
}

/// In each subscription: resource group `rg` (eastus), NSG `nsg`, route table `rt`, VNet `v`
/// (10.x.0.0/16) with subnets `s` and `GatewaySubnet`, and NIC `nic` on `s`; plus an NSG `nsg-west`
/// in westus in subscription A.
fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    for (i, sub) in [SA, SB].into_iter().enumerate() {
        run(&mut env, sub, |tx| {
            ops::put_resource_group(tx, sub, "rg", Some("eastus"), AzTags::new())
        })
        .unwrap();
        let t = |name: &str| Target::new(sub, "rg", name);
        run(&mut env, sub, |tx| {
            ops::put_nsg(
                tx,
                &t("nsg"),
                PutNsg {
                    location: Some("eastus".into()),
                    rules: vec![],
                    tags: AzTags::new(),
                },
            )
        })
        .unwrap();
        run(&mut env, sub, |tx| {
            ops::put_route_table(
                tx,
                &t("rt"),
                PutRouteTable {
                    location: Some("eastus".into()),
                    routes: vec![],
                    disable_bgp_route_propagation: false,
                    tags: AzTags::new(),
                },
            )
        })
        .unwrap();
        let subnets = vec![
            SubnetSpec {
                name: "s".into(),
                prefix: Some(format!("10.{i}.1.0/24").into()),
                ..Default::default()
            },
            SubnetSpec {
                name: "GatewaySubnet".into(),
                prefix: Some(format!("10.{i}.255.0/27").into()),
                ..Default::default()
            },
        ];
        run(&mut env, sub, |tx| {
            ops::put_vnet(
                tx,
                &t("v"),
                PutVnet {
                    location: Some("eastus".into()),
                    prefixes: vec![format!("10.{i}.0.0/16").into()],
                    subnets: Some(subnets),
                    tags: AzTags::new(),
                },
            )
        })
        .unwrap();
        let subnet = format!("{}/subnets/s", net_id(sub, "virtualNetworks", "v"));
        run(&mut env, sub, |tx| {
            ops::put_nic(tx, &t("nic"), nic_req(&subnet, None, "eastus"))
        })
        .unwrap();
    }
    run(&mut env, SA, |tx| {
        ops::put_nsg(
            tx,
            &Target::new(SA, "rg", "nsg-west"),
            PutNsg {
                location: Some("westus".into()),
                rules: vec![],
                tags: AzTags::new(),
            },
        )
    })
    .unwrap();
    env
}

fn nic_req(subnet: &str, nsg: Option<String>, location: &str) -> PutNic {
    PutNic {
        location: Some(location.into()),
        ip_configs: vec![IpConfigSpec {
            name: "ip".into(),
            subnet_id: Some(subnet.into()),
            ..Default::default()
        }],
        nsg,
        ip_forwarding: false,
        tags: AzTags::new(),
    }
}

/// The kind of refusal (the variant's name), or what was accepted.
fn code<T: std::fmt::Debug>(r: Result<T, AzureError>) -> String {
    match r {
        Ok(v) => format!("accepted: {v:?}"),
        Err(e) => super::tests::kind(&e),
    }
}

#[test]
fn references_across_subscriptions_or_regions_are_refused() {
    let mut env = setup();
    let a_subnet = format!("{}/subnets/s", net_id(SA, "virtualNetworks", "v"));
    let a_ghost = format!("{}/subnets/ghost", net_id(SA, "virtualNetworks", "nothere"));
    let a_nsg = net_id(SA, "networkSecurityGroups", "nsg");
    let a_rt = net_id(SA, "routeTables", "rt");
    let a_nic = net_id(SA, "networkInterfaces", "nic");
    let a_gw_subnet = format!(
        "{}/subnets/GatewaySubnet",
        net_id(SA, "virtualNetworks", "v")
    );
    let b = |name: &str| Target::new(SB, "rg", name);
    let b_subnet = format!("{}/subnets/s", net_id(SB, "virtualNetworks", "v"));
    let before = env.world.len();
    type Case = (
        &'static str,
        Box<dyn FnOnce(&mut crate::Tx<'_, '_>) -> Result<(), AzureError>>,
    );
    let cases: Vec<Case> = vec![
        ("NIC of B on a subnet of A (the issue's reproduction)", {
            let s = a_subnet.clone();
            Box::new(move |tx| {
                ops::put_nic(tx, &b("nic2"), nic_req(&s, None, "eastus")).map(|_| ())
            })
        }),
        (
            "NIC of B on a subnet of A that does not exist (no existence leak)",
            {
                let s = a_ghost.clone();
                Box::new(move |tx| {
                    ops::put_nic(tx, &b("nic2"), nic_req(&s, None, "eastus")).map(|_| ())
                })
            },
        ),
        ("NIC of B with the NSG of A", {
            let (s, n) = (b_subnet.clone(), a_nsg.clone());
            Box::new(move |tx| {
                ops::put_nic(tx, &b("nic2"), nic_req(&s, Some(n), "eastus")).map(|_| ())
            })
        }),
        ("subnet of B with the NSG of A", {
            let n = a_nsg.clone();
            Box::new(move |tx| {
                ops::put_subnet(
                    tx,
                    &b("v"),
                    SubnetSpec {
                        name: "s2".into(),
                        prefix: Some("10.1.2.0/24".into()),
                        nsg: Some(n),
                        route_table: None,
                    },
                )
                .map(|_| ())
            })
        }),
        ("subnet of B with the route table of A", {
            let r = a_rt.clone();
            Box::new(move |tx| {
                ops::put_subnet(
                    tx,
                    &b("v"),
                    SubnetSpec {
                        name: "s2".into(),
                        prefix: Some("10.1.2.0/24".into()),
                        nsg: None,
                        route_table: Some(r),
                    },
                )
                .map(|_| ())
            })
        }),
        ("VM of B with the NIC of A", {
            let n = a_nic.clone();
            Box::new(move |tx| {
                ops::put_vm(
                    tx,
                    &b("vm"),
                    PutVm {
                        location: Some("eastus".into()),
                        nics: vec![n],
                        size: None,
                        tags: AzTags::new(),
                    },
                )
                .map(|_| ())
            })
        }),
        ("gateway of B in the GatewaySubnet of A", {
            let s = a_gw_subnet.clone();
            Box::new(move |tx| {
                ops::put_gateway(
                    tx,
                    &b("gw"),
                    PutGateway {
                        location: Some("eastus".into()),
                        subnet_id: Some(s),
                        gateway_type: AzGatewayType::Vpn,
                        vpn_type: None,
                        sku: None,
                        tags: AzTags::new(),
                    },
                )
                .map(|_| ())
            })
        }),
    ];
    for (what, f) in cases {
        let got = code(run(&mut env, SB, f));
        assert_eq!(got, "ForeignReference", "{what}");
    }
    // Same subscription, other region: an NSG in westus on an eastus subnet or NIC.
    let west = net_id(SA, "networkSecurityGroups", "nsg-west");
    let got = code(run(&mut env, SA, |tx| {
        ops::put_subnet(
            tx,
            &Target::new(SA, "rg", "v"),
            SubnetSpec {
                name: "s2".into(),
                prefix: Some("10.0.2.0/24".into()),
                nsg: Some(west.clone()),
                route_table: None,
            },
        )
    }));
    assert_eq!(got, "ForeignReference");
    let got = code(run(&mut env, SA, |tx| {
        ops::put_nic(
            tx,
            &Target::new(SA, "rg", "nic2"),
            nic_req(&a_subnet, Some(west.clone()), "eastus"),
        )
    }));
    assert_eq!(got, "ForeignReference");
    assert_eq!(env.world.len(), before, "nothing was created");
    // The refusal names both resources (the wire words ARM's message from them).
    let e = run(&mut env, SB, |tx| {
        ops::put_nic(tx, &b("nic2"), nic_req(&a_subnet, None, "eastus"))
    })
    .unwrap_err();
    assert_eq!(
        e,
        AzureError::ForeignReference {
            referrer: net_id(SB, "networkInterfaces", "nic2"),
            referenced: a_subnet.clone(),
        }
    );
}

#[test]
fn same_subscription_references_and_cross_subscription_peering_still_work() {
    let mut env = setup();
    let b = |name: &str| Target::new(SB, "rg", name);
    let b_subnet = format!("{}/subnets/s", net_id(SB, "virtualNetworks", "v"));
    run(&mut env, SB, |tx| {
        ops::put_nic(
            tx,
            &b("nic2"),
            nic_req(
                &b_subnet,
                Some(net_id(SB, "networkSecurityGroups", "nsg")),
                "eastus",
            ),
        )
    })
    .unwrap();
    run(&mut env, SB, |tx| {
        ops::put_subnet(
            tx,
            &b("v"),
            SubnetSpec {
                name: "s2".into(),
                prefix: Some("10.1.2.0/24".into()),
                nsg: Some(net_id(SB, "networkSecurityGroups", "nsg")),
                route_table: Some(net_id(SB, "routeTables", "rt")),
            },
        )
    })
    .unwrap();
    run(&mut env, SB, |tx| {
        ops::put_vm(
            tx,
            &b("vm"),
            PutVm {
                location: Some("eastus".into()),
                nics: vec![net_id(SB, "networkInterfaces", "nic2")],
                size: None,
                tags: AzTags::new(),
            },
        )
    })
    .unwrap();
    for (sub, remote) in [(SA, SB), (SB, SA)] {
        run(&mut env, sub, |tx| {
            ops::put_peering(
                tx,
                &Target::new(sub, "rg", "v"),
                "p",
                PutPeering {
                    remote_vnet_id: Some(net_id(remote, "virtualNetworks", "v")),
                    allow_vnet_access: true,
                    allow_forwarded_traffic: false,
                    allow_gateway_transit: false,
                    use_remote_gateways: false,
                    do_not_verify_remote_gateways: false,
                    sync_remote_address_space: false,
                },
            )
        })
        .expect("cross-subscription peering");
    }
}
