//! Google's Rust client (`google-cloud-compute-v1`, feature `instances`) launching a gateway
//! instance the way the controller's GCP driver will: `canIpForward`, an `ONE_TO_ONE_NAT`
//! access config, `user-data` metadata; then reading them back, stopping it (`TERMINATED`, the
//! ephemeral address released), starting it, and `setMetadata` with the fingerprint the SDK
//! read (and 412 `conditionNotMet` with a stale one). Probes that the emulator accepts the
//! SDK's request shapes and that the SDK reads the emulator's (its fingerprint is URL-safe
//! base64 bytes).

mod common;

use common::{sdk_network, server};
use google_cloud_compute_v1::client::Instances;
use google_cloud_compute_v1::model::access_config::Type as AccessType;
use google_cloud_compute_v1::model::{
    instance, metadata, AccessConfig, Instance, Metadata, NetworkInterface,
};
use google_cloud_lro::Poller;

const P: &str = "gw-probe";
const ZONE: &str = "us-central1-a";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_launches_stops_starts_and_reconfigures_a_gateway_instance() {
    let url = server().await;
    sdk_network(&url, P, "net", "s", "10.7.0.0/24").await;

    let vms = gcp_client!(Instances, &url);
    let body = Instance::new()
        .set_name("gw")
        .set_machine_type(format!("zones/{ZONE}/machineTypes/e2-small"))
        .set_can_ip_forward(true)
        .set_network_interfaces([NetworkInterface::new()
            .set_subnetwork("regions/us-central1/subnetworks/s")
            .set_access_configs([AccessConfig::new()
                .set_type(AccessType::OneToOneNat)
                .set_name("External NAT")])])
        .set_metadata(
            Metadata::new().set_items([metadata::Items::new()
                .set_key("user-data")
                .set_value("#vpcpeer-gateway\n")]),
        );
    let op = vms
        .insert()
        .set_project(P)
        .set_zone(ZONE)
        .set_body(body)
        .poller()
        .until_done()
        .await
        .expect("inserted");
    assert!(op.error.is_none(), "{op:?}");
    let get = || {
        vms.get()
            .set_project(P)
            .set_zone(ZONE)
            .set_instance("gw")
            .send()
    };
    let gw = get().await.expect("read back");
    assert_eq!(gw.can_ip_forward, Some(true));
    assert_eq!(gw.status, Some(instance::Status::Running));
    let ac = &gw.network_interfaces[0].access_configs[0];
    let nat = ac.nat_ip.clone().expect("an external address");
    assert!(nat.starts_with("35."), "{nat}");
    let md = gw.metadata.clone().expect("metadata");
    assert_eq!(md.items[0].value.as_deref(), Some("#vpcpeer-gateway\n"));
    let fingerprint = md.fingerprint.clone().expect("a fingerprint");
    assert_eq!(fingerprint.len(), 8, "eight bytes, decoded from base64");

    vms.stop()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("gw")
        .poller()
        .until_done()
        .await
        .expect("stopped");
    let stopped = get().await.expect("read back");
    assert_eq!(stopped.status, Some(instance::Status::Terminated));
    assert_eq!(stopped.network_interfaces[0].access_configs[0].nat_ip, None);
    vms.start()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("gw")
        .poller()
        .until_done()
        .await
        .expect("started");
    assert_eq!(
        get().await.expect("read").status,
        Some(instance::Status::Running)
    );

    let items = [metadata::Items::new().set_key("user-data").set_value("v2")];
    vms.set_metadata()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("gw")
        .set_body(
            Metadata::new()
                .set_fingerprint(fingerprint.clone())
                .set_items(items.clone()),
        )
        .poller()
        .until_done()
        .await
        .expect("metadata replaced");
    let now = get().await.expect("read").metadata.expect("metadata");
    assert_ne!(now.fingerprint.as_ref(), Some(&fingerprint));
    assert_eq!(now.items[0].value.as_deref(), Some("v2"));
    let e = vms
        .set_metadata()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("gw")
        .set_body(
            Metadata::new()
                .set_fingerprint(fingerprint)
                .set_items(items),
        )
        .poller()
        .until_done()
        .await
        .expect_err("a stale fingerprint");
    assert_eq!(e.http_status_code(), Some(412), "{e:?}");
}
