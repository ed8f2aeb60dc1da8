//! Cross-subscription and cross-region references (issue 8, item 8): a NIC and its subnet's
//! VNet, a subnet or NIC and its NSG, a subnet and its route table, a VM and its NICs, a gateway
//! and its VNet must share a subscription (and a region); VNet peering may cross both.

use super::ops::{
    IpConfigSpec, PutNic, PutPeering, PutRouteTable, PutVm, PutVnet, SubnetSpec, Target,
};
use super::tests::{gateway_req, kind, nsg_req, subnet};
use super::*;
use crate::command::Apply;
use crate::testkit::TestEnv;
use crate::Scope;

const SA: &str = "00000000-0000-0000-0000-00000000000a";
const SB: &str = "00000000-0000-0000-0000-00000000000b";

/// Applies `c` as the subscription it names; commits on success, rolls back on a refusal.
fn apply(env: &mut TestEnv, c: Command) -> Result<Outcome, AzureError> {
    let scope = Scope::new(c.subscription(), "");
    env.transact(&scope, |tx| c.apply(tx))
}

fn net_id(sub: &str, kind: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/{kind}/{name}")
}

fn subnet_id(sub: &str, name: &str) -> String {
    format!("{}/subnets/{name}", net_id(sub, "virtualNetworks", "v"))
}

/// In each subscription: resource group `rg` (eastus), NSG `nsg`, route table `rt`, VNet `v`
/// (10.x.0.0/16) with subnets `s` and `GatewaySubnet`, and NIC `nic` on `s`; plus an NSG `nsg-west`
/// in westus in subscription A.
fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    for (i, sub) in [SA, SB].into_iter().enumerate() {
        let t = |name: &str| Target::new(sub, "rg", name);
        let vnet = PutVnet {
            location: Some("eastus".into()),
            prefixes: vec![format!("10.{i}.0.0/16").into()],
            subnets: Some(vec![
                subnet("s", &format!("10.{i}.1.0/24")),
                subnet("GatewaySubnet", &format!("10.{i}.255.0/27")),
            ]),
            tags: AzTags::new(),
        };
        let table = PutRouteTable {
            location: Some("eastus".into()),
            ..Default::default()
        };
        for c in [
            Command::PutResourceGroup {
                subscription: sub.into(),
                name: "rg".into(),
                location: Some("eastus".into()),
                tags: AzTags::new(),
            },
            Command::PutNsg {
                target: t("nsg"),
                nsg: nsg_req("eastus", vec![]),
            },
            Command::PutRouteTable {
                target: t("rt"),
                table,
            },
            Command::PutVnet {
                target: t("v"),
                vnet,
            },
            put_nic(&t("nic"), &subnet_id(sub, "s"), None, "eastus"),
        ] {
            apply(&mut env, c).unwrap();
        }
    }
    let west = Command::PutNsg {
        target: Target::new(SA, "rg", "nsg-west"),
        nsg: nsg_req("westus", vec![]),
    };
    apply(&mut env, west).unwrap();
    env
}

/// A PUT of the NIC `t` in `location` on `subnet`, with `nsg`.
fn put_nic(t: &Target, subnet: &str, nsg: Option<String>, location: &str) -> Command {
    Command::PutNic {
        target: t.clone(),
        nic: PutNic {
            location: Some(location.into()),
            ip_configs: vec![IpConfigSpec {
                name: "ip".into(),
                subnet_id: Some(subnet.into()),
                ..Default::default()
            }],
            nsg,
            ip_forwarding: false,
            tags: AzTags::new(),
        },
    }
}

/// A PUT of the subnet `s2` (`prefix`) of the VNet `vnet`, with `nsg` and `route_table`.
fn put_subnet(
    vnet: Target,
    prefix: &str,
    nsg: Option<String>,
    route_table: Option<String>,
) -> Command {
    Command::PutSubnet {
        vnet,
        subnet: SubnetSpec {
            nsg,
            route_table,
            ..subnet("s2", prefix)
        },
    }
}

/// A PUT of the VM `t` in eastus with `nics`.
fn put_vm(t: Target, nics: Vec<String>) -> Command {
    Command::PutVm {
        target: t,
        vm: PutVm {
            location: Some("eastus".into()),
            nics,
            size: None,
            tags: AzTags::new(),
            custom_data: None,
            image: None,
        },
    }
}

/// The kind of refusal (the variant's name), or what was accepted.
fn code<T: std::fmt::Debug>(r: Result<T, AzureError>) -> String {
    match r {
        Ok(v) => format!("accepted: {v:?}"),
        Err(e) => kind(&e),
    }
}

#[test]
fn references_across_subscriptions_or_regions_are_refused() {
    let mut env = setup();
    let a_subnet = subnet_id(SA, "s");
    let a_ghost = format!("{}/subnets/ghost", net_id(SA, "virtualNetworks", "nothere"));
    let a_nsg = net_id(SA, "networkSecurityGroups", "nsg");
    let a_rt = net_id(SA, "routeTables", "rt");
    let a_nic = net_id(SA, "networkInterfaces", "nic");
    let b = |name: &str| Target::new(SB, "rg", name);
    let b_subnet = subnet_id(SB, "s");
    let nic2 = b("nic2");
    let before = env.world.len();
    let cases: Vec<(&str, Command)> = vec![
        (
            "NIC of B on a subnet of A (the issue's reproduction)",
            put_nic(&nic2, &a_subnet, None, "eastus"),
        ),
        (
            "NIC of B on a subnet of A that does not exist (no existence leak)",
            put_nic(&nic2, &a_ghost, None, "eastus"),
        ),
        (
            "NIC of B with the NSG of A",
            put_nic(&nic2, &b_subnet, Some(a_nsg.clone()), "eastus"),
        ),
        (
            "subnet of B with the NSG of A",
            put_subnet(b("v"), "10.1.2.0/24", Some(a_nsg), None),
        ),
        (
            "subnet of B with the route table of A",
            put_subnet(b("v"), "10.1.2.0/24", None, Some(a_rt)),
        ),
        ("VM of B with the NIC of A", put_vm(b("vm"), vec![a_nic])),
        (
            "gateway of B in the GatewaySubnet of A",
            Command::PutGateway {
                target: b("gw"),
                gateway: gateway_req(subnet_id(SA, "GatewaySubnet")),
            },
        ),
        // Same subscription, other region: an NSG in westus on an eastus subnet or NIC.
        (
            "subnet of A with an NSG of A in another region",
            put_subnet(
                Target::new(SA, "rg", "v"),
                "10.0.2.0/24",
                Some(net_id(SA, "networkSecurityGroups", "nsg-west")),
                None,
            ),
        ),
        (
            "NIC of A with an NSG of A in another region",
            put_nic(
                &Target::new(SA, "rg", "nic2"),
                &a_subnet,
                Some(net_id(SA, "networkSecurityGroups", "nsg-west")),
                "eastus",
            ),
        ),
    ];
    for (what, c) in cases {
        let got = code(apply(&mut env, c));
        assert_eq!(got, "ForeignReference", "{what}");
    }
    assert_eq!(env.world.len(), before, "nothing was created");
    // The refusal names both resources (the wire words ARM's message from them).
    let e = apply(&mut env, put_nic(&nic2, &a_subnet, None, "eastus")).unwrap_err();
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
    let b_nsg = net_id(SB, "networkSecurityGroups", "nsg");
    let b_rt = net_id(SB, "routeTables", "rt");
    let nic2 = put_nic(
        &b("nic2"),
        &subnet_id(SB, "s"),
        Some(b_nsg.clone()),
        "eastus",
    );
    let s2 = put_subnet(b("v"), "10.1.2.0/24", Some(b_nsg), Some(b_rt));
    let vm = put_vm(b("vm"), vec![net_id(SB, "networkInterfaces", "nic2")]);
    for c in [nic2, s2, vm] {
        let what = format!("{c:?}");
        apply(&mut env, c).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    }
    for (sub, remote) in [(SA, SB), (SB, SA)] {
        let link = Command::PutPeering {
            vnet: Target::new(sub, "rg", "v"),
            name: "p".into(),
            peering: PutPeering {
                remote_vnet_id: Some(net_id(remote, "virtualNetworks", "v")),
                ..Default::default()
            },
        };
        apply(&mut env, link).expect("cross-subscription peering");
    }
}
