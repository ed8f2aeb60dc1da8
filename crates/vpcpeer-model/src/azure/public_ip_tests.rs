//! Table tests of public IP addresses and VM power: PUT Static and Dynamic (and the Standard
//! rule), association with a NIC (once, twice, twice in one NIC, across locations and
//! subscriptions), DELETE while in use, deallocate / powerOff / start (and each twice) with what
//! they do to Dynamic and Static addresses, custom data kept and never changed, and the pool.
//! Every refusal also checks that the world is left untouched.

use std::net::Ipv4Addr;

use super::ops::{
    self, IpConfigSpec, PutNic, PutPublicIp, PutVm, PutVnet, Tagged, Target, VmPowerAction,
};
use super::tests::{kind, subnet};
use super::*;
use crate::command::Apply;
use crate::testkit::TestEnv;
use crate::Scope;

const S: &str = "00000000-0000-0000-0000-0000000000aa";
const OTHER: &str = "00000000-0000-0000-0000-0000000000bb";

struct Az {
    env: TestEnv,
}

fn t(name: &str) -> Target {
    Target::new(S, "rg", name)
}

fn pip_id(name: &str) -> String {
    ops::public_ip_id(&t(name))
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("an address")
}

/// The subnet `default` of VNet `v`.
fn default_subnet() -> String {
    format!("{}/subnets/default", t("v").network_id("virtualNetworks"))
}

/// A NIC in eastus with one IP configuration in [`default_subnet`] per (name, public IP id).
fn nic_request(configs: &[(&str, String)]) -> PutNic {
    PutNic {
        location: Some("eastus".into()),
        ip_configs: configs
            .iter()
            .map(|(name, public_ip)| IpConfigSpec {
                name: (*name).into(),
                subnet_id: Some(default_subnet()),
                public_ip: Some(public_ip.clone()),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

impl Az {
    /// A resource group `rg` (eastus) with VNets `v` (eastus, subnet `default`) and `w`
    /// (westus, subnet `default`).
    fn new() -> Self {
        let mut az = Az {
            env: TestEnv::new(),
        };
        az.run(|tx| ops::put_resource_group(tx, S, "rg", Some("eastus"), AzTags::new()))
            .expect("group");
        for (name, loc, prefix) in [("v", "eastus", "10.0"), ("w", "westus", "10.1")] {
            let req = PutVnet {
                location: Some(loc.into()),
                prefixes: vec![format!("{prefix}.0.0/16").as_str().into()],
                subnets: Some(vec![subnet("default", &format!("{prefix}.1.0/24"))]),
                tags: AzTags::new(),
            };
            az.run(|tx| ops::put_vnet(tx, &t(name), req)).expect("vnet");
        }
        az
    }

    fn run<T>(
        &mut self,
        f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<T, AzureError>,
    ) -> Result<T, AzureError> {
        self.env.transact(&Scope::new(S, ""), f)
    }

    fn apply(&mut self, c: Command) -> Result<Outcome, AzureError> {
        self.run(|tx| c.apply(tx))
    }

    /// Runs `f`, which must be refused with `code`, and checks that nothing changed.
    fn refused(
        &mut self,
        code: &str,
        f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<(), AzureError>,
    ) {
        let before = self.env.world.clone();
        let err = self.run(f).expect_err("must be refused");
        assert_eq!(kind(&err), code, "{err:?}");
        assert_eq!(self.env.world, before, "a refused command left a trace");
    }

    fn put_pip(
        &mut self,
        name: &str,
        sku: Option<AzPublicIpSku>,
        is_static: Option<bool>,
    ) -> Result<AzPublicIp, AzureError> {
        let req = PutPublicIp {
            location: Some("eastus".into()),
            sku,
            is_static,
            ..Default::default()
        };
        self.run(|tx| ops::put_public_ip(tx, &t(name), req))
            .map(|(p, _)| p)
    }

    fn pip(&self, name: &str) -> AzPublicIp {
        self.env.world.azure.public_ips()[&key(&pip_id(name))].clone()
    }

    fn address(&self, name: &str) -> Option<Ipv4Addr> {
        self.pip(name).address
    }

    /// PUTs NIC `name` in VNet `vnet` (eastus) whose configurations use `pips` (one
    /// configuration each, or one without a public IP when `pips` is empty).
    fn put_nic(&mut self, name: &str, pips: &[&str]) -> Result<AzNic, AzureError> {
        let subnet_id = default_subnet();
        let configs = if pips.is_empty() {
            vec![None]
        } else {
            pips.iter().map(|p| Some(pip_id(p))).collect()
        };
        let req = PutNic {
            location: Some("eastus".into()),
            ip_configs: configs
                .into_iter()
                .enumerate()
                .map(|(i, p)| IpConfigSpec {
                    name: format!("ipconfig{}", i + 1),
                    subnet_id: Some(subnet_id.clone()),
                    public_ip: p,
                    ..Default::default()
                })
                .collect(),
            ip_forwarding: true,
            ..Default::default()
        };
        self.run(|tx| ops::put_nic(tx, &t(name), req))
            .map(|(n, _)| n)
    }

    fn put_vm(
        &mut self,
        name: &str,
        nic: &str,
        custom_data: Option<&str>,
    ) -> Result<AzVm, AzureError> {
        let req = PutVm {
            location: Some("eastus".into()),
            nics: vec![t(nic).network_id("networkInterfaces")],
            custom_data: custom_data.map(str::to_owned),
            ..Default::default()
        };
        self.run(|tx| ops::put_vm(tx, &t(name), req))
            .map(|(v, _)| v)
    }

    fn power(&mut self, vm: &str, action: VmPowerAction) -> Result<Outcome, AzureError> {
        self.apply(Command::VmPower {
            target: t(vm),
            action,
        })
    }

    fn state(&self, vm: &str) -> AzPowerState {
        self.env.world.azure.vms()[&key(&ops::vm_id(&t(vm)))].power
    }

    /// A gateway-shaped VM: `gw` on NIC `gw-nic` (IP forwarding) with the Dynamic public IP
    /// `dyn` and the NIC `gw2-nic` of VM `gw2` with the Static one `fixed`.
    fn gateways() -> Az {
        let mut az = Az::new();
        az.put_pip("dyn", None, None).expect("dynamic");
        az.put_pip("fixed", Some(AzPublicIpSku::Standard), None)
            .expect("static");
        az.put_nic("gw-nic", &["dyn"]).expect("nic");
        az.put_nic("gw2-nic", &["fixed"]).expect("nic");
        az.put_vm("gw", "gw-nic", Some("I3ZwY3BlZXItZ2F0ZXdheSB2MQo="))
            .expect("vm");
        az.put_vm("gw2", "gw2-nic", None).expect("vm");
        az
    }
}

#[test]
fn put_static_and_dynamic() {
    let mut az = Az::new();
    // Basic defaults to Dynamic: no address until associated.
    let p = az.put_pip("basic", None, None).expect("basic");
    assert_eq!(
        (p.sku, p.is_static, p.address),
        (AzPublicIpSku::Basic, false, None)
    );
    // Standard defaults to Static; the address is drawn at the PUT from the pool.
    let p = az
        .put_pip("std", Some(AzPublicIpSku::Standard), None)
        .expect("standard");
    assert_eq!((p.is_static, p.address), (true, Some(ip("20.40.0.1"))));
    assert!(ops::PUBLIC_IP_POOL.contains(&ip("20.40.0.1")));
    // A Basic Static one takes the next; a re-PUT keeps its address and guid.
    let b = az.put_pip("bs", None, Some(true)).expect("basic static");
    assert_eq!(b.address, Some(ip("20.40.0.2")));
    let again = az.put_pip("bs", None, Some(true)).expect("again");
    assert_eq!((again.address, again.guid), (b.address, b.guid));
    // Static → Dynamic while unassociated releases the address; back to Static draws the lowest.
    assert_eq!(
        az.put_pip("bs", None, Some(false))
            .expect("dynamic")
            .address,
        None
    );
    assert_eq!(
        az.put_pip("bs", None, Some(true)).expect("static").address,
        Some(ip("20.40.0.2"))
    );
    // Standard must be Static, as ARM refuses.
    az.refused("StandardSkuMustBeStatic", |tx| {
        let req = PutPublicIp {
            location: Some("eastus".into()),
            sku: Some(AzPublicIpSku::Standard),
            is_static: Some(false),
            ..Default::default()
        };
        ops::put_public_ip(tx, &t("bad"), req).map(|_| ())
    });
    // Tags replace, as on every top-level resource; the list holds all three.
    let tags = AzTags::from([("role".to_owned(), "gateway".to_owned())]);
    az.run(|tx| ops::update_tags(tx, Tagged::PublicIp, &t("std"), tags.clone()))
        .expect("tags");
    assert_eq!(az.pip("std").tags, tags);
    assert_eq!(az.env.world.azure.public_ips().len(), 3);
}

#[test]
fn associate_once_twice_and_across_places() {
    let mut az = Az::new();
    az.put_pip("p", None, None).expect("pip");
    let nic = az.put_nic("n1", &["p"]).expect("nic");
    // A Dynamic address is allocated once associated (the NIC has no VM: counts as running).
    assert_eq!(az.address("p"), Some(ip("20.40.0.1")));
    assert_eq!(
        nic.ip_configs[0].public_ip.as_deref(),
        Some(pip_id("p").as_str())
    );
    let (user, config) = ops::public_ip_user(&az.env.world, &key(&pip_id("p"))).expect("user");
    assert_eq!(
        ops::ip_config_id(user, config),
        format!(
            "{}/ipConfigurations/ipconfig1",
            t("n1").network_id("networkInterfaces")
        )
    );
    // Re-PUT of the same NIC keeps it (no second association).
    az.put_nic("n1", &["p"]).expect("same nic again");
    assert_eq!(az.address("p"), Some(ip("20.40.0.1")));
    // Another NIC cannot take it.
    az.refused("PublicIpInUse", |tx| {
        let req = nic_request(&[("c", pip_id("p"))]);
        ops::put_nic(tx, &t("n2"), req).map(|_| ())
    });
    // Nor may two configurations of one NIC.
    az.put_pip("q", None, None).expect("q");
    az.refused("PublicIpReferencedTwice", |tx| {
        let req = nic_request(&[("a", pip_id("q")), ("b", pip_id("q"))]);
        ops::put_nic(tx, &t("n3"), req).map(|_| ())
    });
    // A public IP of another location, of another subscription, or one that is not there.
    let west = PutPublicIp {
        location: Some("westus".into()),
        ..Default::default()
    };
    az.run(|tx| ops::put_public_ip(tx, &t("west"), west))
        .expect("west");
    for (code, id) in [
        ("ForeignReference", pip_id("west")),
        (
            "ForeignReference",
            Target::new(OTHER, "rg", "p").network_id("publicIPAddresses"),
        ),
        ("MissingReference", pip_id("ghost")),
        (
            "MissingReference",
            t("p").network_id("networkSecurityGroups"),
        ),
    ] {
        az.refused(code, |tx| {
            ops::put_nic(tx, &t("n4"), nic_request(&[("c", id)])).map(|_| ())
        });
    }
    // Letting it go releases the Dynamic address; the address then goes to whoever is next.
    az.put_nic("n1", &[]).expect("disassociate");
    assert_eq!(az.address("p"), None);
    assert!(ops::public_ip_user(&az.env.world, &key(&pip_id("p"))).is_none());
}

#[test]
fn delete_in_use_is_refused_until_released() {
    let mut az = Az::new();
    az.put_pip("p", Some(AzPublicIpSku::Standard), None)
        .expect("pip");
    az.put_nic("n1", &["p"]).expect("nic");
    az.refused("PublicIpCannotBeDeleted", |tx| {
        ops::delete_public_ip(tx, &t("p")).map(|_| ())
    });
    // Deleting the NIC lets it go; then the address can be deleted (and a second DELETE finds
    // nothing).
    assert_eq!(az.run(|tx| ops::delete_nic(tx, &t("n1"))), Ok(true));
    assert_eq!(
        az.address("p"),
        Some(ip("20.40.0.1")),
        "a Static address stays"
    );
    assert!(matches!(
        az.apply(Command::DeletePublicIp { target: t("p") }),
        Ok(Outcome::Deleted(Some(_)))
    ));
    assert!(matches!(
        az.apply(Command::DeletePublicIp { target: t("p") }),
        Ok(Outcome::Deleted(None))
    ));
    // A resource group holding a public IP a NIC of another group uses cannot go.
    az.run(|tx| ops::put_resource_group(tx, S, "rg2", Some("eastus"), AzTags::new()))
        .expect("rg2");
    let other = PutPublicIp {
        location: Some("eastus".into()),
        ..Default::default()
    };
    let in_rg2 = Target::new(S, "rg2", "p2");
    az.run(|tx| ops::put_public_ip(tx, &in_rg2, other))
        .expect("p2");
    let req = nic_request(&[("c", in_rg2.network_id("publicIPAddresses"))]);
    az.run(|tx| ops::put_nic(tx, &t("n5"), req))
        .expect("nic using rg2's address");
    az.refused("PublicIpCannotBeDeleted", |tx| {
        ops::delete_resource_group(tx, S, "rg2").map(|_| ())
    });
    // Deleting the NIC's own group releases the address it held in rg2.
    assert_eq!(
        az.run(|tx| ops::delete_resource_group(tx, S, "rg")),
        Ok(true)
    );
    let p2 = &az.env.world.azure.public_ips()[&key(&in_rg2.network_id("publicIPAddresses"))];
    assert_eq!(p2.address, None);
}

#[test]
fn deallocate_power_off_and_start() {
    let mut az = Az::gateways();
    let (dyn_ip, fixed_ip) = (az.address("dyn"), az.address("fixed"));
    assert!(dyn_ip.is_some() && fixed_ip.is_some());
    assert_eq!(az.state("gw"), AzPowerState::Running);
    // powerOff keeps every address.
    assert!(matches!(
        az.power("gw", VmPowerAction::PowerOff),
        Ok(Outcome::Started(_))
    ));
    assert_eq!(
        (az.state("gw"), az.address("dyn")),
        (AzPowerState::Stopped, dyn_ip)
    );
    // deallocate releases the Dynamic address…
    az.power("gw", VmPowerAction::Deallocate)
        .expect("deallocate");
    assert_eq!(
        (az.state("gw"), az.address("dyn")),
        (AzPowerState::Deallocated, None)
    );
    // …and again changes nothing (but still answers an operation).
    let before = az.env.world.azure.public_ips().clone();
    assert!(matches!(
        az.power("gw", VmPowerAction::Deallocate),
        Ok(Outcome::Started(_))
    ));
    assert_eq!(az.state("gw"), AzPowerState::Deallocated);
    assert_eq!(az.env.world.azure.public_ips(), &before);
    // powerOff of a deallocated VM is refused.
    az.refused("VmOperationNotAllowed", |tx| {
        ops::vm_power(tx, &t("gw"), VmPowerAction::PowerOff).map(|_| ())
    });
    // A Static address survives deallocation.
    az.power("gw2", VmPowerAction::Deallocate)
        .expect("deallocate gw2");
    assert_eq!(az.address("fixed"), fixed_ip);
    // start runs it again with a fresh Dynamic address (the lowest free one); twice is fine.
    az.power("gw", VmPowerAction::Start).expect("start");
    az.power("gw", VmPowerAction::Start).expect("start again");
    assert_eq!(az.state("gw"), AzPowerState::Running);
    assert!(az.address("dyn").is_some());
    // A VM that is not there.
    az.refused("NotFound", |tx| {
        ops::vm_power(tx, &t("ghost"), VmPowerAction::Start).map(|_| ())
    });
    // Deleting a deallocated VM frees its NIC, whose Dynamic address comes back.
    az.power("gw", VmPowerAction::Deallocate)
        .expect("deallocate");
    assert_eq!(az.run(|tx| ops::delete_vm(tx, &t("gw"))), Ok(true));
    assert!(az.address("dyn").is_some());
}

/// The end of a VM's last operation through creation, power operations (a refused one and a
/// repeated one) and an update, each step one second after the last: `(step, accepted, power
/// state, last operation)`, the times in seconds after the test clock's start.
#[test]
fn each_operation_on_a_vm_records_when_it_ended() {
    use crate::testkit::NOW;
    type Step = Box<dyn Fn(&mut Az) -> Result<(), AzureError>>;
    let mut az = Az::gateways();
    let at = |s: i64| Some(NOW.plus_millis(s * 1_000));
    let last =
        |az: &Az, vm: &str| az.env.world.azure.vms()[&key(&ops::vm_id(&t(vm)))].last_operation;
    assert_eq!(last(&az, "gw"), Some(NOW), "created at the clock's time");
    let power =
        |action| -> Step { Box::new(move |az: &mut Az| az.power("gw", action).map(|_| ())) };
    let update: Step = Box::new(|az: &mut Az| az.put_vm("gw", "gw-nic", None).map(|_| ()));
    use AzPowerState::{Deallocated, Running, Stopped};
    use VmPowerAction::{Deallocate, PowerOff, Start};
    let steps: [(Step, bool, AzPowerState, Option<_>); 6] = [
        (power(Deallocate), true, Deallocated, at(1)),
        (power(PowerOff), false, Deallocated, at(1)),
        (power(Deallocate), true, Deallocated, at(3)),
        (update, true, Deallocated, at(4)),
        (power(Start), true, Running, at(5)),
        (power(PowerOff), true, Stopped, at(6)),
    ];
    for (i, (step, accepted, state, want)) in steps.iter().enumerate() {
        az.env.now = NOW.plus_millis((i as i64 + 1) * 1_000);
        assert_eq!(step(&mut az).is_ok(), *accepted, "step {i}");
        assert_eq!(
            (az.state("gw"), last(&az, "gw")),
            (*state, *want),
            "step {i}"
        );
    }
    assert_eq!(
        last(&az, "gw2"),
        Some(NOW),
        "the other VM's time is its own"
    );

    // A VM stored before the time was kept reads without one and is written back as it was.
    let mut old = az.env.world.azure.vms()[&key(&ops::vm_id(&t("gw2")))].clone();
    old.last_operation = None;
    let row = serde_json::to_string(&old).expect("row");
    assert!(!row.contains("last_operation"), "{row}");
    assert_eq!(serde_json::from_str::<AzVm>(&row).expect("read"), old);
}

#[test]
fn custom_data_is_kept_and_never_changed() {
    let mut az = Az::gateways();
    let stored = |az: &Az| {
        az.env.world.azure.vms()[&key(&ops::vm_id(&t("gw")))]
            .custom_data
            .clone()
    };
    assert_eq!(stored(&az).as_deref(), Some("I3ZwY3BlZXItZ2F0ZXdheSB2MQo="));
    // An update without customData (a read-modify-write: GET never shows it) keeps it, and
    // keeps the power state.
    az.power("gw", VmPowerAction::PowerOff).expect("power off");
    az.put_vm("gw", "gw-nic", None).expect("update");
    assert_eq!(stored(&az).as_deref(), Some("I3ZwY3BlZXItZ2F0ZXdheSB2MQo="));
    assert_eq!(az.state("gw"), AzPowerState::Stopped);
    // The same text again is fine; another is refused.
    az.put_vm("gw", "gw-nic", Some("I3ZwY3BlZXItZ2F0ZXdheSB2MQo="))
        .expect("same");
    az.refused("CustomDataChanged", |tx| {
        let req = PutVm {
            location: Some("eastus".into()),
            nics: vec![t("gw-nic").network_id("networkInterfaces")],
            custom_data: Some("b3RoZXI=".into()),
            ..Default::default()
        };
        ops::put_vm(tx, &t("gw"), req).map(|_| ())
    });
}

#[test]
fn the_pool_hands_out_the_lowest_free_address_once() {
    let mut az = Az::new();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..300 {
        let p = az
            .put_pip(&format!("p{i}"), None, Some(true))
            .expect("static");
        let a = p.address.expect("an address");
        assert!(ops::PUBLIC_IP_POOL.contains(&a));
        assert!(!matches!(a.octets()[3], 0 | 255), "{a}");
        assert!(seen.insert(a), "{a} twice");
    }
    // 300 addresses skip 20.40.0.255 and 20.40.1.0.
    assert_eq!(az.address("p299"), Some(ip("20.40.1.46")));
    az.run(|tx| ops::delete_public_ip(tx, &t("p7")))
        .expect("delete");
    assert_eq!(
        az.put_pip("again", None, Some(true))
            .expect("again")
            .address,
        Some(ip("20.40.0.8"))
    );
}
