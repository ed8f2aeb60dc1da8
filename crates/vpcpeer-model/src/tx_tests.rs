//! Tests of the transaction's drop guard (a `Tx` dropped or unwound through without a commit
//! restores the world, records and indexes) and of [`Undo`] (a committed change set taken back).

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::aws::peering::CreatePeering;
use crate::testkit::{self, a, b, TestEnv};
use crate::{PeeringConnection, Tags, Tx, World};

/// Account A's VPCs `va` and `vb` peered (active), account B's `vc`: (env, va, vb, vc, pcx).
fn peered() -> (TestEnv, String, String, String, String) {
    let (mut env, va, vb, vc) = testkit::three_vpcs();
    let pcx = env.peer(&a(), &va, &a(), &vb, true);
    (env, va, vb, vc, pcx)
}

/// Mutations that touch records and both kinds of change to the peering index: a new peering
/// (added to the index), a removed one (taken out), a new VPC and a changed one.
fn mutate(tx: &mut Tx<'_, '_>, vb: &str, vc: &str, pcx: &str) -> String {
    let new = tx
        .create_peering(CreatePeering {
            vpc_id: vb.into(),
            peer_vpc_id: vc.into(),
            peer_owner_id: Some(b().account),
            peer_region: None,
            tags: Tags::new(),
        })
        .expect("request")
        .connection
        .id;
    assert!(tx.remove::<PeeringConnection>(pcx).is_some());
    tx.create_vpc(testkit::vpc("10.9.0.0/16")).expect("vpc");
    tx.get_mut::<crate::Vpc>(vb).expect("vb").dns_hostnames = true;
    new
}

fn assert_restored(world: &World, before: &World, va: &str, pcx: &str) {
    assert!(world.indexes_consistent());
    assert_eq!(world, before, "records and indexes as before");
    let of_a: Vec<&str> = world
        .aws
        .peerings_of_vpc(va)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(of_a, vec![pcx], "the index lists the removed peering again");
}

#[test]
fn a_tx_dropped_mid_way_restores_the_world_and_its_indexes() {
    let (mut env, va, vb, vc, pcx) = peered();
    let before = env.world.clone();
    {
        let mut tx = env.tx(&a());
        let new = mutate(&mut tx, &vb, &vc, &pcx);
        // Half way: the changes are visible inside the transaction, indexes included.
        assert!(tx.world().aws.peerings.contains_key(&new));
        assert_eq!(tx.world().aws.peerings_of_vpc(&va).count(), 0);
        assert!(tx.is_dirty());
        // Dropped here, neither committed nor rolled back.
    }
    assert_restored(&env.world, &before, &va, &pcx);
}

#[test]
fn a_panic_unwinding_through_a_tx_rolls_it_back() {
    let (mut env, va, vb, vc, pcx) = peered();
    let before = env.world.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut tx = env.tx(&a());
        mutate(&mut tx, &vb, &vc, &pcx);
        panic!("a bug half way through a command");
    }));
    assert!(outcome.is_err());
    assert_restored(&env.world, &before, &va, &pcx);
}

#[test]
fn a_committed_tx_stays_committed_after_the_guard_runs() {
    let (mut env, _va, vb, vc, pcx) = peered();
    let mut tx = env.tx(&a());
    let new = mutate(&mut tx, &vb, &vc, &pcx);
    let changes = tx.commit();
    assert!(changes.iter().any(|c| c.key.id == new));
    assert!(env.world.aws.peerings.contains_key(&new));
    assert!(!env.world.aws.peerings.contains_key(&pcx));
    assert!(env.world.indexes_consistent());
}

/// Two committed change sets taken back in reverse order give the world from before both, even
/// when the second one changed records the first one had changed.
#[test]
fn undo_takes_committed_change_sets_back_in_reverse_order() {
    let (mut env, va, vb, vc, pcx) = peered();
    let before = env.world.clone();
    let mut t1 = env.tx(&a());
    let new = mutate(&mut t1, &vb, &vc, &pcx);
    let (c1, u1) = t1.commit_with_undo();
    let after_first = env.world.clone();
    let mut t2 = env.tx(&a());
    t2.delete_peering(&new).expect("delete the new request");
    t2.get_mut::<crate::Vpc>(&vb).expect("vb").dns_support = false;
    let (c2, u2) = t2.commit_with_undo();
    assert!(!c1.is_empty() && !c2.is_empty());
    assert_eq!(
        u1.keys().count(),
        c1.len(),
        "one old value per changed record"
    );
    assert!(u2.keys().any(|k| k.id == vb));

    u2.apply(&mut env.world);
    assert_eq!(env.world, after_first);
    assert!(env.world.indexes_consistent());
    u1.apply(&mut env.world);
    assert_restored(&env.world, &before, &va, &pcx);
}

/// The index of route tables by the peering connections they route to follows routes that
/// commands change in place ([`Tx::get_mut`]): added, replaced by another target, deleted, and
/// a change rolled back; `indexes_consistent` holds after each step.
#[test]
fn the_route_table_index_follows_routes_changed_in_place() {
    use crate::{RouteTable, RouteTarget};
    let (mut env, va, vb, vc, pcx) = peered();
    let table = testkit::main_table(&env, &va);
    let route = |target: RouteTarget| testkit::route(&table, "10.1.0.0/16", target);
    let tables_to = |world: &World, pcx: &str| -> Vec<String> {
        assert!(world.indexes_consistent());
        world
            .aws
            .route_tables_to_peering(pcx)
            .map(|t: &RouteTable| t.id.clone())
            .collect()
    };
    assert!(tables_to(&env.world, &pcx).is_empty());

    let mut t = env.tx(&a());
    t.create_route(route(RouteTarget::Peering(pcx.clone())))
        .expect("route to the peering");
    t.commit();
    assert_eq!(tables_to(&env.world, &pcx), vec![table.clone()]);

    // A second peering from va (to account B's vc), and the route moved to it.
    let other = env.peer(&a(), &va, &b(), &vc, true);
    let mut t = env.tx(&a());
    t.replace_route(route(RouteTarget::Peering(other.clone())))
        .expect("replace");
    t.rollback();
    assert_eq!(tables_to(&env.world, &pcx), vec![table.clone()]);
    assert!(tables_to(&env.world, &other).is_empty());

    let mut t = env.tx(&a());
    t.replace_route(route(RouteTarget::Peering(other.clone())))
        .expect("replace");
    t.commit();
    assert!(tables_to(&env.world, &pcx).is_empty());
    assert_eq!(tables_to(&env.world, &other), vec![table.clone()]);

    let mut t = env.tx(&a());
    t.delete_route(&table, testkit::dest("10.1.0.0/16"))
        .expect("delete");
    t.commit();
    assert!(tables_to(&env.world, &other).is_empty());
    let _ = vb;
}
