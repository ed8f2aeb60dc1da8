//! CreateKeyPair, ImportKeyPair, DeleteKeyPair and DescribeKeyPairs (see the model's
//! [`key_pair`](vpcpeer_model::aws::key_pair) for the rules and choices).
//!
//! Choices where AWS is unverified:
//! - `PublicKeyMaterial` is the base64 of the key file (SDKs encode the blob); text that is not
//!   base64 is `InvalidKey.Format`, like a key of an unknown format.
//! - `KeyFormat=ppk` is refused (`InvalidParameterValue`): PuTTY's format is not generated.
//! - DescribeKeyPairs shows `publicKey` only with `IncludePublicKey=true`, as AWS does.

use vpcpeer_model::aws::catalog_command::{CatalogCommand, CatalogOutcome};
use vpcpeer_model::aws::key_pair::{keygen, KeyPair, KeyPairCommand, KeyPairOutcome, KeyType};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{CatalogProblem, DomainError, Tx};

use super::{change, domain, unexpected, Action};
use crate::filter::{self, matches};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The key pair actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateKeyPair" => change(parse_create, render_created),
        "ImportKeyPair" => change(parse_import, render_imported),
        "DeleteKeyPair" => change(parse_delete, render_deleted),
        "DescribeKeyPairs" => Action::Read(describe_key_pairs),
        _ => return None,
    })
}

fn command(c: KeyPairCommand) -> Command {
    Command::Catalog(CatalogCommand::KeyPair(c))
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let name = p.id("KeyName")?;
    let key_type = match p.get("KeyType").unwrap_or("rsa") {
        "rsa" => KeyType::Rsa,
        "ed25519" => KeyType::Ed25519,
        other => return Err(Ec2Error::invalid_value("KeyType", other)),
    };
    match p.get("KeyFormat").unwrap_or("pem") {
        "pem" => {}
        "ppk" => {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                "KeyFormat ppk is not supported by this emulator; use pem.",
            ))
        }
        other => return Err(Ec2Error::invalid_value("KeyFormat", other)),
    }
    let tags = p.spec_tags_of("key-pair")?;
    Ok(command(KeyPairCommand::Create {
        name,
        key_type,
        tags,
    }))
}

fn parse_import(p: &Params) -> Result<Command, Ec2Error> {
    let name = p.id("KeyName")?;
    let material = p.required("PublicKeyMaterial")?;
    let public_key = keygen::unbase64(material.trim())
        .ok_or_else(|| Ec2Error::from(DomainError::Catalog(CatalogProblem::KeyFormat)))?;
    let tags = p.spec_tags_of("key-pair")?;
    Ok(command(KeyPairCommand::Import {
        name,
        public_key,
        tags,
    }))
}

fn parse_delete(p: &Params) -> Result<Command, Ec2Error> {
    Ok(command(KeyPairCommand::Delete {
        name: p.string("KeyName").filter(|s| !s.is_empty()),
        id: p.string("KeyPairId").filter(|s| !s.is_empty()),
    }))
}

fn key_outcome(outcome: &Outcome) -> Option<&KeyPairOutcome> {
    match outcome {
        Outcome::Catalog(CatalogOutcome::KeyPair(k)) => Some(k),
        _ => None,
    }
}

fn render_created(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Some(KeyPairOutcome::Created { pair, material }) = key_outcome(&outcome) else {
        return unexpected(&outcome, x);
    };
    x.leaf("keyName", &pair.name)
        .leaf("keyFingerprint", &pair.fingerprint)
        .leaf("keyMaterial", material)
        .leaf("keyPairId", &pair.id)
        .tags(&pair.tags);
}

fn render_imported(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Some(KeyPairOutcome::Imported(pair)) = key_outcome(&outcome) else {
        return unexpected(&outcome, x);
    };
    x.leaf("keyFingerprint", &pair.fingerprint)
        .leaf("keyName", &pair.name)
        .leaf("keyPairId", &pair.id)
        .tags(&pair.tags);
}

fn render_deleted(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Some(KeyPairOutcome::Deleted(id)) = key_outcome(&outcome) else {
        return unexpected(&outcome, x);
    };
    x.leaf("return", "true")
        .opt_leaf("keyPairId", id.as_deref());
}

const FILTERS: &[&str] = &["key-pair-id", "key-name", "fingerprint", "key-type"];

fn describe_key_pairs(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, FILTERS)?;
    let with_public = p.bool("IncludePublicKey")?.unwrap_or(false);
    let names = p.list("KeyName");
    let ids = p.list("KeyPairId");
    for n in &names {
        if tx.key_pair_named(n).is_none() {
            return Err(Ec2Error::from(DomainError::Catalog(
                CatalogProblem::KeyPairNotFound {
                    name: Some(n.clone()),
                    id: None,
                },
            )));
        }
    }
    for id in &ids {
        if tx.key_pair_by_id(id).is_none() {
            return domain(Err(DomainError::Catalog(CatalogProblem::KeyPairNotFound {
                name: None,
                id: Some(id.clone()),
            })));
        }
    }
    let list: Vec<&KeyPair> = tx
        .key_pairs()
        .filter(|k| names.is_empty() || names.contains(&k.name))
        .filter(|k| ids.is_empty() || ids.contains(&k.id))
        .filter(|k| {
            matches(&filters, &k.tags, |f| match f {
                "key-pair-id" => vec![k.id.clone()],
                "key-name" => vec![k.name.clone()],
                "fingerprint" => vec![k.fingerprint.clone()],
                "key-type" => vec![k.key_type.name().to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    x.list("keySet", list, |x, k| {
        x.leaf("keyPairId", &k.id)
            .leaf("keyType", k.key_type.name())
            .tags(&k.tags);
        if with_public {
            x.leaf("publicKey", &k.public_key);
        }
        x.leaf("createTime", iso(k.created))
            .leaf("keyName", &k.name)
            .leaf("keyFingerprint", &k.fingerprint);
    });
    Ok(())
}
