//! Table tests of [`Command`]: every command family applied through the one `apply` (its outcome
//! on success, and a refusal that leaves the world untouched), and a replay of the whole run
//! from its log (commands, times, drawn ids) on an empty world giving the same records.

use super::ops::{
    IpConfigSpec, PutNic, PutPeering, PutPublicIp, PutRouteTable, PutVm, PutVnet, RouteSpec,
    Tagged, Target, VmPowerAction,
};
use super::tests::{gateway_req, kind, nsg_req, rule, subnet};
use super::*;
use crate::command::Apply;
use crate::{Ctx, Limits, RecordingIds, Scope, ScriptedIds, SeededIds, Timestamp, Tx, World};

const S: &str = "00000000-0000-0000-0000-0000000000aa";

fn t(name: &str) -> Target {
    Target::new(S, "rg", name)
}

fn net_id(kind: &str, name: &str) -> String {
    t(name).network_id(kind)
}

fn subnet_id(vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", net_id("virtualNetworks", vnet))
}

fn vnet(name: &str, prefix: &str, subnets: &[(&str, &str)]) -> Command {
    Command::PutVnet {
        target: t(name),
        vnet: PutVnet {
            location: Some("eastus".into()),
            prefixes: vec![prefix.into()],
            subnets: Some(subnets.iter().map(|(n, p)| subnet(n, p)).collect()),
            tags: AzTags::new(),
        },
    }
}

fn peering(from: &str, name: &str, to: &str) -> Command {
    Command::PutPeering {
        vnet: t(from),
        name: name.into(),
        peering: PutPeering {
            remote_vnet_id: Some(net_id("virtualNetworks", to)),
            ..Default::default()
        },
    }
}

fn route(name: &str, prefix: &str) -> RouteSpec {
    RouteSpec {
        name: name.into(),
        prefix: prefix.into(),
        next_hop: AzNextHop::Internet,
        next_hop_ip: None,
    }
}

fn nic(name: &str, vnet: &str) -> Command {
    Command::PutNic {
        target: t(name),
        nic: PutNic {
            location: Some("eastus".into()),
            ip_configs: vec![IpConfigSpec {
                name: "ipconfig1".into(),
                subnet_id: Some(subnet_id(vnet, "default")),
                ..Default::default()
            }],
            ..Default::default()
        },
    }
}

/// The world, clock and id source a run of commands goes through; each applied command is
/// logged with its time and the ids it drew, as the service's command log does.
struct Run {
    world: World,
    ids: SeededIds,
    limits: Limits,
    now: Timestamp,
    log: Vec<(Command, Timestamp, Vec<String>)>,
    /// The world after each logged command.
    after: Vec<World>,
}

impl Run {
    fn new() -> Self {
        Run {
            world: World::default(),
            ids: SeededIds::new(7),
            limits: Limits::default(),
            now: crate::testkit::NOW,
            log: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Applies `c`, committing (and logging) on success, rolling back on a refusal.
    fn apply(&mut self, c: Command) -> Result<Outcome, AzureError> {
        self.now = self.now.plus_millis(1000);
        let mut ids = RecordingIds::new(&mut self.ids);
        let ctx = Ctx {
            scope: Scope::new(S, ""),
            now: self.now,
            ids: &mut ids,
            limits: &self.limits,
        };
        let mut tx = Tx::new(&mut self.world, ctx);
        let out = c.clone().apply(&mut tx);
        if out.is_ok() {
            tx.commit();
        } else {
            tx.rollback();
        }
        let drawn = ids.into_drawn();
        if out.is_ok() {
            self.log.push((c, self.now, drawn));
            self.after.push(self.world.clone());
        }
        out
    }

    fn ok(&mut self, c: Command) -> Outcome {
        let what = format!("{c:?}");
        self.apply(c)
            .unwrap_or_else(|e| panic!("{what} refused: {e:?}"))
    }

    /// Applies `c`, which must be refused with `want` (a variant's name) and change nothing.
    fn refused(&mut self, want: &str, c: Command) {
        let before = self.world.clone();
        let e = self.apply(c).expect_err("must be refused");
        assert_eq!(kind(&e), want, "{e:?}");
        assert_eq!(self.world, before, "a refused command left a trace");
    }
}

fn created(o: &Outcome) -> bool {
    match o {
        Outcome::ResourceGroup { created, .. } | Outcome::Written { created, .. } => *created,
        other => panic!("not a write: {other:?}"),
    }
}

/// Builds a small world through every PUT family, then tags, effective reads and every DELETE
/// family; refusals are tried along the way.
fn scenario(r: &mut Run) {
    let group = |location: &str| Command::PutResourceGroup {
        subscription: S.into(),
        name: "rg".into(),
        location: Some(location.into()),
        tags: AzTags::new(),
    };
    r.refused("GroupNotFound", vnet("v0", "10.9.0.0/16", &[]));
    assert!(created(&r.ok(group("eastus"))));
    assert!(!created(&r.ok(group("East US"))), "an update");
    r.refused("GroupLocationChanged", group("westus"));

    // VNets and subnets.
    assert!(created(&r.ok(vnet(
        "va",
        "10.0.0.0/16",
        &[("default", "10.0.1.0/24")]
    ))));
    r.ok(vnet("vb", "10.1.0.0/16", &[("default", "10.1.1.0/24")]));
    r.refused("InvalidPrefix", vnet("vx", "10.2.0.1/16", &[]));
    r.refused(
        "SubnetOutsideVnet",
        vnet("vx", "10.2.0.0/16", &[("s", "10.3.0.0/24")]),
    );
    let put_subnet = |name: &str, prefix: &str| Command::PutSubnet {
        vnet: t("va"),
        subnet: subnet(name, prefix),
    };
    let o = r.ok(put_subnet("GatewaySubnet", "10.0.255.0/27"));
    assert!(
        matches!(&o, Outcome::Written { record, created: true, .. } if matches!(**record, Written::Subnet { ref name, .. } if name == "GatewaySubnet"))
    );
    r.refused("SubnetsOverlap", put_subnet("other", "10.0.1.128/25"));

    // Peerings.
    let o = r.ok(peering("va", "a-to-b", "vb"));
    assert!(
        matches!(&o, Outcome::Written { record, .. } if matches!(**record, Written::Peering(_)))
    );
    r.ok(peering("vb", "b-to-a", "va"));
    r.refused("PeerWithItself", peering("va", "self", "va"));
    r.refused("RemoteAlreadyPeered", peering("va", "again", "vb"));

    // NSGs and rules.
    let nsg = Command::PutNsg {
        target: t("nsg"),
        nsg: nsg_req("eastus", vec![rule("https", 100)]),
    };
    assert!(created(&r.ok(nsg)));
    let put_rule = |rule: AzSecurityRule| Command::PutSecurityRule {
        nsg: t("nsg"),
        rule,
    };
    assert!(created(&r.ok(put_rule(rule("ssh", 110)))));
    r.refused("RuleConflict", put_rule(rule("dup", 100)));
    r.refused("RulePriority", put_rule(rule("low", 99)));

    // Route tables and routes.
    let table = Command::PutRouteTable {
        target: t("rt"),
        table: PutRouteTable {
            location: Some("eastus".into()),
            routes: vec![route("r1", "0.0.0.0/0")],
            ..Default::default()
        },
    };
    assert!(created(&r.ok(table)));
    let put_route = |spec: RouteSpec| Command::PutRoute {
        table: t("rt"),
        route: spec,
    };
    assert!(created(&r.ok(put_route(route("r2", "192.168.0.0/16")))));
    r.refused("RoutePrefixTaken", put_route(route("r3", "192.168.0.0/16")));
    r.refused(
        "NextHopIpRequired",
        put_route(RouteSpec {
            next_hop: AzNextHop::VirtualAppliance,
            ..route("r4", "172.16.0.0/12")
        }),
    );

    // NICs and VMs.
    assert!(created(&r.ok(nic("nic-a", "va"))));
    r.refused("MissingReference", nic("nic-x", "nowhere"));
    let vm = |nics: Vec<String>| Command::PutVm {
        target: t("vm-a"),
        vm: PutVm {
            location: Some("eastus".into()),
            nics,
            ..Default::default()
        },
    };
    r.refused("VmNeedsNic", vm(vec![]));
    assert!(created(
        &r.ok(vm(vec![net_id("networkInterfaces", "nic-a")]))
    ));

    // Public IPs (attached by a NIC re-PUT) and the VM's power.
    let pip =
        |name: &str, sku: Option<AzPublicIpSku>, is_static: Option<bool>| Command::PutPublicIp {
            target: t(name),
            ip: PutPublicIp {
                location: Some("eastus".into()),
                sku,
                is_static,
                ..Default::default()
            },
        };
    assert!(created(&r.ok(pip("pip-a", None, None))));
    let std = Some(AzPublicIpSku::Standard);
    r.refused("StandardSkuMustBeStatic", pip("pip-x", std, Some(false)));
    let with_pip = Command::PutNic {
        target: t("nic-a"),
        nic: PutNic {
            location: Some("eastus".into()),
            ip_configs: vec![IpConfigSpec {
                name: "ipconfig1".into(),
                subnet_id: Some(subnet_id("va", "default")),
                public_ip: Some(net_id("publicIPAddresses", "pip-a")),
                ..Default::default()
            }],
            ip_forwarding: true,
            ..Default::default()
        },
    };
    assert!(!created(&r.ok(with_pip)));
    r.refused(
        "PublicIpCannotBeDeleted",
        Command::DeletePublicIp { target: t("pip-a") },
    );
    let power = |action| Command::VmPower {
        target: t("vm-a"),
        action,
    };
    assert!(matches!(
        r.ok(power(VmPowerAction::Deallocate)),
        Outcome::Started(_)
    ));
    r.refused("VmOperationNotAllowed", power(VmPowerAction::PowerOff));
    r.ok(power(VmPowerAction::Start));
    r.ok(power(VmPowerAction::PowerOff));

    // Gateways.
    let gw = |subnet: &str| Command::PutGateway {
        target: t("gw"),
        gateway: gateway_req(subnet_id("va", subnet)),
    };
    r.refused("NotGatewaySubnet", gw("default"));
    assert!(created(&r.ok(gw("GatewaySubnet"))));

    // Tags.
    let tags: AzTags = [("env".to_owned(), "prod".to_owned())].into();
    let retag = |kind: Tagged, name: &str| Command::UpdateTags {
        kind,
        target: t(name),
        tags: tags.clone(),
    };
    assert_eq!(r.ok(retag(Tagged::Vnet, "va")), Outcome::Retagged);
    assert_eq!(r.ok(retag(Tagged::ResourceGroup, "rg")), Outcome::Retagged);
    assert_eq!(r.ok(retag(Tagged::PublicIp, "pip-a")), Outcome::Retagged);
    r.refused("NotFound", retag(Tagged::Nic, "ghost"));

    // Effective reads are operations with their result.
    match r.ok(Command::EffectiveRouteTable { nic: t("nic-a") }) {
        Outcome::Started(op) => assert!(matches!(
            op.result,
            AzOperationResult::EffectiveRoutes(ref routes) if !routes.is_empty()
        )),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.ok(Command::EffectiveNsgs { nic: t("nic-a") }),
        Outcome::Started(_)
    ));
    r.refused("NotFound", Command::EffectiveNsgs { nic: t("ghost") });

    // Deletes: refused while in use, an operation when something went, none when nothing was.
    let deleted = |o: Outcome| match o {
        Outcome::Deleted(op) => op.is_some(),
        other => panic!("{other:?}"),
    };
    r.refused("NicAttached", Command::DeleteNic { target: t("nic-a") });
    r.refused(
        "SubnetInUse",
        Command::DeleteSubnet {
            vnet: t("va"),
            name: "default".into(),
        },
    );
    assert!(deleted(r.ok(Command::DeleteVm { target: t("vm-a") })));
    assert!(!deleted(r.ok(Command::DeleteVm { target: t("vm-a") })));
    assert!(deleted(r.ok(Command::DeleteNic { target: t("nic-a") })));
    assert!(deleted(
        r.ok(Command::DeletePublicIp { target: t("pip-a") })
    ));
    assert!(deleted(r.ok(Command::DeleteSecurityRule {
        nsg: t("nsg"),
        name: "SSH".into(),
    })));
    assert!(deleted(r.ok(Command::DeleteNsg { target: t("nsg") })));
    assert!(deleted(r.ok(Command::DeleteRoute {
        table: t("rt"),
        name: "r2".into(),
    })));
    assert!(deleted(r.ok(Command::DeleteRouteTable { target: t("rt") })));
    assert!(deleted(r.ok(Command::DeleteGateway { target: t("gw") })));
    assert!(deleted(r.ok(Command::DeletePeering {
        vnet: t("va"),
        name: "a-to-b".into(),
    })));
    assert!(!deleted(r.ok(Command::DeletePeering {
        vnet: t("va"),
        name: "a-to-b".into(),
    })));
    assert!(deleted(r.ok(Command::DeleteSubnet {
        vnet: t("va"),
        name: "GatewaySubnet".into(),
    })));
    assert!(deleted(r.ok(Command::DeleteVnet { target: t("va") })));
    // vb stays (its link to va is now Disconnected) until the group goes.
    assert!(deleted(r.ok(Command::DeleteResourceGroup {
        subscription: S.into(),
        name: "rg".into(),
    })));
    assert!(!deleted(r.ok(Command::DeleteResourceGroup {
        subscription: S.into(),
        name: "rg".into(),
    })));
}

#[test]
fn every_command_family_through_one_apply() {
    let mut r = Run::new();
    scenario(&mut r);
    assert!(r.world.azure.vnets.is_empty() && r.world.azure.resource_groups.is_empty());
    // Every PUT of a network resource, every DELETE that removed something and every
    // effective read left a finished operation.
    assert!(!r.world.azure.operations.is_empty());
}

#[test]
fn replaying_the_log_gives_the_same_world() {
    let mut r = Run::new();
    scenario(&mut r);
    // Replay the log on an empty world, with each command's time and ids, and compare after
    // every command (refused commands are not in the log, yet may have drawn ids in the run).
    let mut replayed = World::default();
    let limits = Limits::default();
    for ((c, at, ids), want) in r.log.iter().zip(&r.after) {
        let mut script = ScriptedIds::new(ids.clone());
        let ctx = Ctx {
            scope: Scope::new(S, ""),
            now: *at,
            ids: &mut script,
            limits: &limits,
        };
        let mut tx = Tx::new(&mut replayed, ctx);
        c.clone().apply(&mut tx).expect("the replay succeeds too");
        tx.commit();
        assert_eq!(script.remaining(), 0, "{c:?} drew fewer ids on replay");
        assert_eq!(&replayed, want, "after {c:?}");
    }
    assert!(r.log.len() > 30, "{}", r.log.len());
}
