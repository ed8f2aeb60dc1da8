//! The AWS driver's gateways against a vpcpeer server, through EC2 only: an AWS↔AWS encrypted
//! link (two accounts, two regions). What the clouds must hold: an Elastic IP per gateway, each
//! gateway's security group admitting udp/51820 from exactly the peer's Elastic IP, a public
//! subnet per gateway (its route table sends 0.0.0.0/0 to an internet gateway); an instance of
//! the emulator's `vpcpeer-gateway` image per gateway with its configuration as user data, source/dest check off, its Elastic IP attached,
//! and each side's tables routing the remote block to it; then `destroy` leaves nothing.

mod common;

use common::{assert_running, converged, down, launch, policy, up, with_secret, AWS_ACCOUNTS};
use vpcpeer_controller::apply::{apply, ApplyError, Clouds};
use vpcpeer_controller::observed::GatewayTableRoute;
use vpcpeer_controller::{plan, Action, Desired};

fn pair() -> Desired {
    with_secret(
        &format!(
            "{AWS_ACCOUNTS}  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.3.0.0/16] }}
gateways:
  app-gw: {{ network: app, subnet: 10.1.255.0/28, zone: us-east-1a }}
  db-gw: {{ network: db, subnet: 10.3.255.0/28 }}
links:
  - {{ between: [app, db], type: encrypted }}
"
        ),
        5,
    )
}

/// The pieces before the launch: addresses, firewalls and public subnets, each as it should be
/// (a region without the `vpcpeer-gateway` image would stop the run at the first launch, with
/// everything before it in the clouds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_firewalls_and_public_subnets_come_first() {
    let d = pair();
    let (_, mut dr) = launch(&d).await;
    match up(&mut dr, &d).await {
        Ok(_) => {} // the emulator has the gateway image: the test below checks the rest
        Err(ApplyError::Step { step, error, .. }) => {
            assert!(
                matches!(step.action, Action::LaunchGateway { .. }),
                "{step:?}: {error}"
            );
            assert_eq!(error.code, "InvalidAMIName.NotFound", "{error}");
        }
        Err(e) => panic!("{e}"),
    }
    let seen = dr.observe(&d).await.expect("observe");
    let ip = |vm: &str| {
        seen.gateways[vm]
            .address
            .as_ref()
            .expect("an Elastic IP")
            .ip
    };
    for (vm, peer) in [("app-gw", "db-gw"), ("db-gw", "app-gw")] {
        let g = &seen.gateways[vm];
        assert_eq!(g.firewall.as_deref(), Some(&[ip(peer)][..]), "{vm}");
        let s = g.subnet.as_ref().expect("its subnet");
        assert!(s.public && s.created, "{vm}: {s:?}");
    }
    assert_ne!(ip("app-gw"), ip("db-gw"));
    // Nothing of the first part is planned again.
    let p = plan(&seen, &d);
    assert!(
        p.steps.iter().all(|s| matches!(
            s.action,
            Action::LaunchGateway { .. } | Action::CreateGatewayRoute { .. }
        )),
        "{p}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_pair_converges_with_instances_routes_and_destroys() {
    let d = pair();
    let (_, mut dr, seen) = converged(&d).await;
    for vm in ["app-gw", "db-gw"] {
        assert_running(&seen, vm);
    }
    for (net, vm, remote) in [
        ("app", "app-gw", "10.3.0.0/16"),
        ("db", "db-gw", "10.1.0.0/16"),
    ] {
        let tables = &seen.gateway_tables[net];
        assert_eq!(tables.len(), 1, "{net}: the main table only: {tables:?}");
        let to_gw: Vec<&GatewayTableRoute> = tables[0]
            .routes
            .iter()
            .filter(|r| r.gateway.as_deref() == Some(vm))
            .collect();
        assert_eq!(to_gw.len(), 1, "{net}: {tables:?}");
        assert_eq!(to_gw[0].destination.to_string(), remote);
        assert!(!to_gw[0].blackhole);
    }
    let again = apply(&mut dr, &d, &policy(), &mut |_| {})
        .await
        .expect("again");
    assert_eq!((again.rounds, again.steps), (1, 0));
    down(&mut dr, &d).await.expect("destroy");
    let after = dr.observe(&d).await.expect("observe");
    assert!(after.gateways.is_empty(), "{:?}", after.gateways);
    assert!(after.networks.is_empty());
}
