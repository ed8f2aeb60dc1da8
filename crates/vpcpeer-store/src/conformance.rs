//! A conformance suite every [`Store`] backend must pass: call [`run`] from the backend's tests.

use vpcpeer_model::{Change, Record, World};

use crate::Store;

/// A world of `n` VPCs (10.0.0.0/16, 10.1.0.0/16, …) of account 111111111111 in us-east-1, made
/// with seeded ids: sample records for the suite and for a backend's own tests.
pub fn world_with_vpcs(n: usize) -> World {
    use vpcpeer_model::{aws::vpc::NewVpc, Ctx, Limits, Scope, SeededIds, Timestamp, Tx};
    let mut w = World::default();
    let mut ids = SeededIds::new(1);
    let limits = Limits::default();
    for i in 0..n {
        let ctx = Ctx {
            scope: Scope::new("111111111111", "us-east-1"),
            now: Timestamp(0),
            ids: &mut ids,
            limits: &limits,
        };
        let mut tx = Tx::new(&mut w, ctx);
        let block = format!("10.{i}.0.0/16").parse().expect("block");
        tx.create_vpc(NewVpc::new(block)).expect("valid vpc");
        tx.commit();
    }
    w
}

fn sample_world() -> World {
    world_with_vpcs(1)
}

/// A change that writes `r`.
fn upsert(r: Record) -> Change {
    Change {
        key: r.key(),
        value: Some(r),
    }
}

/// Changes that write every record of `w`.
pub fn upserts(w: &World) -> Vec<Change> {
    w.records().into_iter().map(upsert).collect()
}

/// Runs every check against a fresh, empty store made by `make`.
pub fn run(make: &dyn Fn() -> Box<dyn Store>) {
    empty_store_loads_nothing(make());
    commits_are_visible_and_ordered(make());
    deletes_remove(make());
    meta_round_trips(make());
    clear_empties(make());
    ping_changes_nothing(make());
}

fn empty_store_loads_nothing(s: Box<dyn Store>) {
    let snap = s.load().expect("load");
    assert!(snap.records.is_empty());
    assert!(snap.meta.is_empty());
}

fn commits_are_visible_and_ordered(s: Box<dyn Store>) {
    let w = sample_world();
    let changes = upserts(&w);
    let seq1 = s.commit(&[&changes]).expect("commit");
    let mut snap = s.load().expect("load");
    assert_eq!(World::from_records(snap.records.drain(..)), w);
    // A later batch in the same commit wins over an earlier one.
    let mut vpc = w.aws.vpcs().values().next().expect("one vpc").clone();
    vpc.dns_hostnames = true;
    let a = vec![upsert(Record::Vpc(vpc.clone()))];
    vpc.dns_support = false;
    let b = vec![upsert(Record::Vpc(vpc.clone()))];
    let seq2 = s.commit(&[&a, &b]).expect("commit");
    assert!(seq2 > seq1);
    let snap = s.load().expect("load");
    let got = World::from_records(snap.records);
    assert_eq!(got.aws.vpcs().get(&vpc.id), Some(&vpc));
    assert_eq!(snap.seq, seq2);
}

fn deletes_remove(s: Box<dyn Store>) {
    let w = sample_world();
    let changes = upserts(&w);
    s.commit(&[&changes]).expect("commit");
    let del: Vec<Change> = changes
        .iter()
        .map(|c| Change {
            key: c.key.clone(),
            value: None,
        })
        .collect();
    s.commit(&[&del]).expect("commit");
    assert!(s.load().expect("load").records.is_empty());
}

fn meta_round_trips(s: Box<dyn Store>) {
    s.put_meta("clock_offset_ms", "42").expect("meta");
    s.put_meta("clock_offset_ms", "43").expect("meta");
    let snap = s.load().expect("load");
    assert_eq!(
        snap.meta.get("clock_offset_ms").map(String::as_str),
        Some("43")
    );
}

fn clear_empties(s: Box<dyn Store>) {
    let w = sample_world();
    let changes = upserts(&w);
    s.commit(&[&changes]).expect("commit");
    s.put_meta("k", "v").expect("meta");
    s.clear().expect("clear");
    let snap = s.load().expect("load");
    assert!(snap.records.is_empty() && snap.meta.is_empty());
    // Commits go on after a clear, and a load reports the last one's number.
    let seq = s.commit(&[&changes]).expect("commit after clear");
    assert_eq!(s.load().expect("load").seq, seq);
}

fn ping_changes_nothing(s: Box<dyn Store>) {
    s.ping().expect("ping an empty store");
    let w = sample_world();
    let seq = s.commit(&[&upserts(&w)]).expect("commit");
    s.put_meta("k", "v").expect("meta");
    let before = s.load().expect("load");
    s.ping().expect("ping");
    s.ping().expect("ping again");
    let after = s.load().expect("load");
    assert_eq!(after.seq, seq);
    assert_eq!(after.meta, before.meta);
    assert_eq!(
        World::from_records(after.records),
        World::from_records(before.records)
    );
    // Writes go on as before.
    assert!(s.commit(&[&upserts(&w)]).expect("commit") > seq);
}

#[cfg(test)]
mod tests {
    #[test]
    fn mem_store_conforms() {
        super::run(&|| Box::new(crate::MemStore::new()));
    }
}
