//! What the drivers' tests share: a vpcpeer server of their own on 127.0.0.1 (a port the system
//! picks), which the drivers reach only over HTTP like any client, and drivers for a topology
//! whose every account is on it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use vpcpeer_controller::apply::{apply, destroy, ApplyError, Outcome, Policy};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{validate, Cloud, Desired};
use vpcpeer_drivers::{Access, DriverError, Drivers};
use vpcpeer_model::Timestamp;
use vpcpeer_server::{AppState, ServeOptions};
use vpcpeer_service::Emulator;

/// Starts a server on 127.0.0.1 and returns its base URL. It stops with the test's runtime.
pub async fn server() -> String {
    let emu = Emulator::reproducible(Timestamp(1_760_000_000_000), 7).expect("emulator");
    let state = AppState::new(emu, 1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(vpcpeer_server::serve(
        listener,
        None,
        state,
        ServeOptions::default(),
    ));
    format!("http://{addr}")
}

/// Reads and validates a topology file's text.
pub fn topology(text: &str) -> Desired {
    let file = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    validate(&file).unwrap_or_else(|e| panic!("{e}"))
}

/// Drivers reaching every account of `desired` on the server at `url` (AWS: the account id as
/// the access key id, which the server reads as the account).
pub fn drivers(url: &str, desired: &Desired) -> Drivers {
    let access: BTreeMap<String, Access> = desired
        .accounts
        .iter()
        .map(|(name, a)| {
            let aws_keys = (a.cloud == Cloud::Aws).then(|| (a.id.clone(), "secret".to_string()));
            (
                name.clone(),
                Access {
                    endpoint: url.to_string(),
                    aws_keys,
                    token: None,
                },
            )
        })
        .collect();
    Drivers::new(access, Box::new(SystemTime::now)).with_poll(Duration::from_millis(5))
}

/// Short waits, so retries do not slow the tests down.
pub fn policy() -> Policy {
    Policy {
        first_wait: Duration::from_millis(5),
        ..Policy::default()
    }
}

/// Applies `desired` through `d`, printing each step.
pub async fn up(d: &mut Drivers, desired: &Desired) -> Result<Outcome, ApplyError<DriverError>> {
    apply(d, desired, &policy(), &mut |e| eprintln!("{e:?}")).await
}

/// Destroys `desired` through `d`.
pub async fn down(d: &mut Drivers, desired: &Desired) -> Result<Outcome, ApplyError<DriverError>> {
    destroy(d, desired, &policy(), &mut |e| eprintln!("{e:?}")).await
}
