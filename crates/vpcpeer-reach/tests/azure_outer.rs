//! Unit tests of the Azure outer-path accessors (`vpcpeer_reach::azure_outer`) a tunnel engine
//! reads: a gateway VM's public IPv4 through its public IP resource, IP forwarding, power state,
//! decoded custom data, its NSGs for the tunnel's UDP both ways, and its route to a peer.

mod common;

use std::net::Ipv4Addr;

use common::azure::{eastus_nic, subnet_id};
use vpcpeer_model::azure::ops::{
    self as az, IpConfigSpec, PutNic, PutNsg, PutPublicIp, PutRouteTable, PutVm, PutVnet,
    RouteSpec, SubnetSpec, Target, VmPowerAction,
};
use vpcpeer_model::azure::{
    AzAccess, AzDirection, AzNextHop, AzNic, AzPublicIpSku, AzSecurityRule, AzTags, AzureError,
};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_reach::azure_outer::{self as outer, AzPowerState, NsgLevel};

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";
const PEER: Ipv4Addr = Ipv4Addr::new(34, 1, 2, 3);
const PORT: u16 = 51820;

fn t(name: &str) -> Target {
    Target::new(SUB, "rg", name)
}

struct Az {
    env: TestEnv,
}

impl Az {
    fn run<T>(
        &mut self,
        f: impl FnOnce(&mut vpcpeer_model::Tx<'_, '_>) -> Result<T, AzureError>,
    ) -> T {
        common::azure::run_in(&mut self.env, SUB, f)
    }

    /// VNet `hub` (10.50.0.0/16, subnet `gw` 10.50.1.0/24, with `subnet_nsg` and `table`), the
    /// public IP `gw-ip` (`sku`), NIC `gw-nic` (IP forwarding, the public IP, `nic_nsg`) and VM
    /// `gw` with custom data.
    fn gateway(
        &mut self,
        sku: AzPublicIpSku,
        nic_nsg: Option<String>,
        subnet_nsg: Option<String>,
        table: Option<String>,
    ) {
        let vnet = PutVnet {
            location: Some("eastus".into()),
            prefixes: vec!["10.50.0.0/16".into()],
            subnets: Some(vec![SubnetSpec {
                name: "gw".into(),
                prefix: Some("10.50.1.0/24".into()),
                nsg: subnet_nsg,
                route_table: table,
            }]),
            tags: AzTags::new(),
        };
        self.run(|tx| az::put_vnet(tx, &t("hub"), vnet));
        let pip = PutPublicIp {
            location: Some("eastus".into()),
            sku: Some(sku),
            ..Default::default()
        };
        self.run(|tx| az::put_public_ip(tx, &t("gw-ip"), pip));
        let public_ip = Some(az::public_ip_id(&t("gw-ip")));
        let nic = eastus_nic(subnet_id(&t("hub"), "gw"), public_ip, true, nic_nsg);
        self.run(|tx| az::put_nic(tx, &t("gw-nic"), nic));
        let vm = PutVm {
            location: Some("eastus".into()),
            nics: vec![t("gw-nic").network_id("networkInterfaces")],
            // "#vpcpeer-gateway v1\n"
            custom_data: Some("I3ZwY3BlZXItZ2F0ZXdheSB2MQo=".into()),
            ..Default::default()
        };
        self.run(|tx| az::put_vm(tx, &t("gw"), vm));
    }

    fn nsg(&mut self, name: &str, rules: Vec<AzSecurityRule>) -> String {
        let req = PutNsg {
            location: Some("eastus".into()),
            rules,
            tags: AzTags::new(),
        };
        self.run(|tx| az::put_nsg(tx, &t(name), req)).0.display_id
    }

    fn nic(&self) -> &AzNic {
        outer::nic(
            &self.env.world,
            &t("gw-nic").network_id("networkInterfaces").to_uppercase(),
        )
        .expect("the NIC, by an id in any case")
    }
}

fn rule(
    name: &str,
    priority: u32,
    dir: AzDirection,
    access: AzAccess,
    src: &str,
    dst: &str,
) -> AzSecurityRule {
    AzSecurityRule {
        name: name.into(),
        priority,
        direction: dir,
        access,
        protocol: "Udp".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec![PORT.to_string().as_str().into()],
        source_prefixes: vec![src.into()],
        destination_prefixes: vec![dst.into()],
        description: None,
    }
}

fn new() -> Az {
    let mut z = Az {
        env: TestEnv::with_seed(7),
    };
    z.run(|tx| az::put_resource_group(tx, SUB, "rg", Some("eastus"), AzTags::new()));
    z
}

#[test]
fn public_address_forwarding_power_and_custom_data() {
    let mut z = new();
    z.gateway(AzPublicIpSku::Basic, None, None, None);
    let w = &z.env.world;
    let nic = z.nic();
    let addr = outer::public_ipv4(w, nic).expect("a Dynamic address while running");
    assert_eq!(addr, Ipv4Addr::new(20, 40, 0, 1));
    assert_eq!(
        outer::public_ip(w, nic).map(|p| p.name.as_str()),
        Some("gw-ip")
    );
    assert_eq!(
        outer::nic_with_public_ipv4(w, addr).map(|n| n.name.as_str()),
        Some("gw-nic")
    );
    assert_eq!(outer::private_ipv4(nic), Some(Ipv4Addr::new(10, 50, 1, 4)));
    assert!(outer::ip_forwarding(nic));
    assert_eq!(outer::power_state(w, nic), Some(AzPowerState::Running));
    let vm = outer::vm_of_nic(w, nic).expect("its VM");
    assert_eq!(
        outer::primary_nic(w, vm).map(|n| n.name.as_str()),
        Some("gw-nic")
    );
    assert_eq!(
        outer::custom_data(vm).as_deref(),
        Some("#vpcpeer-gateway v1\n")
    );

    // Deallocated: no Dynamic address, and the state says so.
    z.run(|tx| az::vm_power(tx, &t("gw"), VmPowerAction::Deallocate));
    let (w, nic) = (&z.env.world, z.nic());
    assert_eq!(outer::power_state(w, nic), Some(AzPowerState::Deallocated));
    assert_eq!(outer::public_ipv4(w, nic), None);
    assert_eq!(outer::nic_with_public_ipv4(w, addr), None);
}

#[test]
fn a_static_address_outlives_deallocation_and_a_plain_nic_has_none() {
    let mut z = new();
    z.gateway(AzPublicIpSku::Standard, None, None, None);
    z.run(|tx| az::vm_power(tx, &t("gw"), VmPowerAction::Deallocate));
    assert_eq!(
        outer::public_ipv4(&z.env.world, z.nic()),
        Some(Ipv4Addr::new(20, 40, 0, 1))
    );
    let plain = PutNic {
        location: Some("eastus".into()),
        ip_configs: vec![IpConfigSpec {
            name: "c".into(),
            subnet_id: Some(subnet_id(&t("hub"), "gw")),
            ..Default::default()
        }],
        ..Default::default()
    };
    let nic = z.run(|tx| az::put_nic(tx, &t("plain"), plain)).0;
    assert_eq!(outer::public_ipv4(&z.env.world, &nic), None);
    assert!(!outer::ip_forwarding(&nic));
    assert_eq!(outer::power_state(&z.env.world, &nic), None);
}

#[test]
fn nsgs_for_the_tunnel_udp_both_ways() {
    // No NSG: everything passes.
    let mut z = new();
    z.gateway(AzPublicIpSku::Standard, None, None, None);
    assert_eq!(
        outer::admits_udp_from(&z.env.world, z.nic(), PORT, PEER),
        Ok(())
    );
    assert_eq!(
        outer::admits_udp_to(&z.env.world, z.nic(), PORT, PEER),
        Ok(())
    );

    // An NSG of default rules on the NIC: inbound from the internet is denied, outbound to it
    // allowed.
    let mut z = new();
    let nsg = z.nsg("gw-nsg", Vec::new());
    z.gateway(AzPublicIpSku::Standard, Some(nsg.clone()), None, None);
    let denied = outer::admits_udp_from(&z.env.world, z.nic(), PORT, PEER).expect_err("denied");
    assert_eq!(
        (
            denied.nsg.as_str(),
            denied.level,
            denied.rule.as_str(),
            denied.priority
        ),
        (nsg.as_str(), NsgLevel::Nic, "DenyAllInBound", 65500)
    );
    assert_eq!(
        outer::admits_udp_to(&z.env.world, z.nic(), PORT, PEER),
        Ok(())
    );

    // A rule admitting the peer's address only.
    let mut z = new();
    let nsg = z.nsg(
        "gw-nsg",
        vec![rule(
            "tunnel-in",
            100,
            AzDirection::Inbound,
            AzAccess::Allow,
            "34.1.2.3",
            "*",
        )],
    );
    z.gateway(AzPublicIpSku::Standard, Some(nsg), None, None);
    assert_eq!(
        outer::admits_udp_from(&z.env.world, z.nic(), PORT, PEER),
        Ok(())
    );
    let other = outer::admits_udp_from(&z.env.world, z.nic(), PORT, Ipv4Addr::new(34, 9, 9, 9))
        .expect_err("another address");
    assert_eq!(other.rule, "DenyAllInBound");
    assert_eq!(
        outer::admits_udp_from(&z.env.world, z.nic(), PORT + 1, PEER).map_err(|d| d.rule),
        Err("DenyAllInBound".to_owned())
    );

    // The subnet's NSG decides first inbound (and last outbound).
    let mut z = new();
    let sub = z.nsg(
        "sub-nsg",
        vec![
            rule(
                "no-tunnel-in",
                100,
                AzDirection::Inbound,
                AzAccess::Deny,
                "*",
                "*",
            ),
            rule(
                "no-tunnel-out",
                100,
                AzDirection::Outbound,
                AzAccess::Deny,
                "*",
                "Internet",
            ),
        ],
    );
    let own = z.nsg(
        "gw-nsg",
        vec![rule(
            "tunnel-in",
            100,
            AzDirection::Inbound,
            AzAccess::Allow,
            "*",
            "*",
        )],
    );
    z.gateway(AzPublicIpSku::Standard, Some(own), Some(sub.clone()), None);
    let d = outer::admits_udp_from(&z.env.world, z.nic(), PORT, PEER).expect_err("subnet denies");
    assert_eq!(
        (d.nsg_name.as_str(), d.level, d.rule.as_str()),
        ("sub-nsg", NsgLevel::Subnet, "no-tunnel-in")
    );
    let d = outer::admits_udp_to(&z.env.world, z.nic(), PORT, PEER).expect_err("subnet denies out");
    assert_eq!(
        (d.nsg.as_str(), d.rule.as_str()),
        (sub.as_str(), "no-tunnel-out")
    );
}

#[test]
fn the_route_to_a_peer() {
    let mut z = new();
    z.gateway(AzPublicIpSku::Standard, None, None, None);
    let r = outer::route_for(&z.env.world, z.nic(), PEER).expect("a route");
    assert_eq!(
        (r.next_hop, r.name, r.route_table),
        (AzNextHop::Internet, None, None)
    );
    assert_eq!(r.prefix.to_string(), "0.0.0.0/0");
    assert!(outer::has_internet_route(&z.env.world, z.nic(), PEER));
    // Inside the VNet the route is VnetLocal, not the internet.
    assert!(!outer::has_internet_route(
        &z.env.world,
        z.nic(),
        Ipv4Addr::new(10, 50, 1, 9)
    ));

    // A user route sending everything to None takes the internet away, and names itself.
    let mut z = new();
    let table = PutRouteTable {
        location: Some("eastus".into()),
        routes: vec![RouteSpec {
            name: "no-internet".into(),
            prefix: "0.0.0.0/0".into(),
            next_hop: AzNextHop::None,
            next_hop_ip: None,
        }],
        ..Default::default()
    };
    let rt = z
        .run(|tx| az::put_route_table(tx, &t("rt"), table))
        .0
        .display_id;
    z.gateway(AzPublicIpSku::Standard, None, None, Some(rt.clone()));
    let r = outer::route_for(&z.env.world, z.nic(), PEER).expect("a route");
    assert_eq!(
        (r.next_hop, r.name.as_deref(), r.route_table.as_deref()),
        (AzNextHop::None, Some("no-internet"), Some(rt.as_str()))
    );
    assert!(!outer::has_internet_route(&z.env.world, z.nic(), PEER));
}
