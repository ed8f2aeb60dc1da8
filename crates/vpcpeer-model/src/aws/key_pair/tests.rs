//! Table tests of key pairs: every transition and every refusal.

use super::*;
use crate::testkit::{TestEnv, A, B};
use crate::Scope;

fn a() -> Scope {
    Scope::new(A, "us-east-1")
}

fn create(
    env: &mut TestEnv,
    scope: &Scope,
    name: &str,
    key_type: KeyType,
) -> Result<KeyPairOutcome, DomainError> {
    env.run(scope, |tx| {
        tx.key_pair_command(KeyPairCommand::Create {
            name: name.into(),
            key_type,
            tags: Tags::new(),
        })
    })
}

fn import(env: &mut TestEnv, name: &str, key: &str) -> Result<KeyPairOutcome, DomainError> {
    env.run(&a(), |tx| {
        tx.key_pair_command(KeyPairCommand::Import {
            name: name.into(),
            public_key: key.as_bytes().to_vec(),
            tags: Tags::new(),
        })
    })
}

fn delete(
    env: &mut TestEnv,
    name: Option<&str>,
    id: Option<&str>,
) -> Result<KeyPairOutcome, DomainError> {
    env.run(&a(), |tx| {
        tx.key_pair_command(KeyPairCommand::Delete {
            name: name.map(Into::into),
            id: id.map(Into::into),
        })
    })
}

fn problem(r: Result<KeyPairOutcome, DomainError>) -> CatalogProblem {
    match r {
        Err(DomainError::Catalog(p)) => p,
        other => panic!("expected a catalogue refusal, got {other:?}"),
    }
}

/// A real Ed25519 public key line (RFC 8032 test 1's key).
const ED_LINE: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea test";

#[test]
fn create_both_types_then_describe_and_delete() {
    let mut env = TestEnv::with_seed(5);
    let KeyPairOutcome::Created { pair, material } =
        create(&mut env, &a(), "ed", KeyType::Ed25519).expect("ed25519")
    else {
        panic!("created")
    };
    assert!(pair.id.starts_with("key-") && crate::aws::has_id_shape(&pair.id, "key"));
    assert!(material.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    assert!(pair
        .public_key
        .starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
    assert!(pair.fingerprint.ends_with('='));
    let KeyPairOutcome::Created {
        pair: rsa,
        material,
    } = create(&mut env, &a(), "rsa", KeyType::Rsa).expect("rsa")
    else {
        panic!("created")
    };
    assert!(material.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(rsa.fingerprint.matches(':').count(), 19);
    // The same name in another account or region is another pair.
    create(
        &mut env,
        &Scope::new(B, "us-east-1"),
        "ed",
        KeyType::Ed25519,
    )
    .expect("other account");
    create(
        &mut env,
        &Scope::new(A, "us-west-2"),
        "ed",
        KeyType::Ed25519,
    )
    .expect("other region");
    assert_eq!(
        problem(create(&mut env, &a(), "ed", KeyType::Rsa)),
        CatalogProblem::KeyPairDuplicate { name: "ed".into() }
    );
    let names: Vec<String> = env
        .run(&a(), |tx| {
            Ok::<_, DomainError>(tx.key_pairs().map(|k| k.name.clone()).collect::<Vec<_>>())
        })
        .expect("list");
    assert_eq!(names.len(), 2);
    // Delete by name, then by id; deleting again (or what never was) succeeds and deletes nothing.
    assert_eq!(
        delete(&mut env, Some("ed"), None).expect("delete"),
        KeyPairOutcome::Deleted(Some(pair.id.clone()))
    );
    assert_eq!(
        delete(&mut env, Some("ed"), None).expect("again"),
        KeyPairOutcome::Deleted(None)
    );
    assert_eq!(
        delete(&mut env, None, Some(&rsa.id)).expect("by id"),
        KeyPairOutcome::Deleted(Some(rsa.id.clone()))
    );
    assert_eq!(
        problem(delete(&mut env, None, None)),
        CatalogProblem::KeyNameMissing
    );
}

#[test]
fn created_keys_follow_the_id_generator() {
    let key = |seed| {
        let mut env = TestEnv::with_seed(seed);
        match create(&mut env, &a(), "k", KeyType::Ed25519).expect("create") {
            KeyPairOutcome::Created { material, .. } => material,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(key(1), key(1), "the same seed makes the same key");
    assert_ne!(key(1), key(2));
}

#[test]
fn import_checks_the_public_key() {
    let mut env = TestEnv::with_seed(6);
    let KeyPairOutcome::Imported(pair) = import(&mut env, "mine", ED_LINE).expect("import") else {
        panic!("imported")
    };
    assert_eq!(pair.key_type, KeyType::Ed25519);
    assert!(pair.public_key.ends_with(" mine"));
    // The RSA public half of a created key imports, fingerprinted by MD5.
    let KeyPairOutcome::Created { pair: made, .. } =
        create(&mut env, &a(), "made", KeyType::Rsa).expect("rsa")
    else {
        panic!("created")
    };
    let KeyPairOutcome::Imported(rsa) =
        import(&mut env, "rsa", &made.public_key).expect("rsa import")
    else {
        panic!("imported")
    };
    assert_eq!(rsa.key_type, KeyType::Rsa);
    assert_eq!(rsa.fingerprint.matches(':').count(), 15, "MD5 in colon hex");
    for bad in [
        "",
        "ssh-rsa",
        "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
        "ssh-ed25519 !!!!",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv",
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea",
        "-----BEGIN RSA PRIVATE KEY-----",
    ] {
        assert_eq!(
            problem(import(&mut env, "bad", bad)),
            CatalogProblem::KeyFormat,
            "{bad:?}"
        );
    }
    assert_eq!(
        problem(import(&mut env, "mine", ED_LINE)),
        CatalogProblem::KeyPairDuplicate {
            name: "mine".into()
        }
    );
    for name in ["", &"x".repeat(256), "é"] {
        assert!(matches!(
            problem(import(&mut env, name, ED_LINE)),
            CatalogProblem::KeyNameInvalid { .. }
        ));
    }
}
