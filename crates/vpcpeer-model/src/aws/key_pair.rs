//! EC2 key pairs: CreateKeyPair, ImportKeyPair, DeleteKeyPair and the lookups of
//! DescribeKeyPairs and RunInstances' `KeyName`.
//!
//! A key pair is a record (`key-…`) of the caller's account and region with its name, type,
//! fingerprint and public key; the private key of a created pair is in the reply only (AWS
//! keeps no copy either). Created keys are real keys derived from the id generator
//! ([`keygen`]), so a replay of the command log recreates the same key.
//!
//! Choices where AWS is unverified [UNVERIFIED]:
//! - A key name is 1–255 ASCII characters (AWS's documented limit); other text is
//!   `InvalidParameterValue`.
//! - DeleteKeyPair of a name or id that does not exist succeeds and deletes nothing (AWS is
//!   idempotent here); a malformed `KeyPairId` is still refused as not found.
//! - ImportKeyPair takes an OpenSSH public key line (`ssh-rsa AAAA… comment` or
//!   `ssh-ed25519 AAAA…`), its blob checked for the named type; RSA keys of 1024 to 4096 bits.
//!   Other formats (RFC 4716, DER) and key types are `InvalidKey.Format`.
//! - `KeyFormat=ppk` is refused as unsupported (PuTTY's format is not generated here).

pub mod keygen;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Tags, Timestamp, Tx};

pub use crate::aws::error::CatalogProblem;

/// The type of a key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyType {
    /// RSA (2048 bits when created).
    Rsa,
    /// Ed25519.
    Ed25519,
}

impl KeyType {
    /// The name EC2 shows (`rsa`, `ed25519`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// A key pair record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPair {
    /// `key-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: crate::Scope,
    /// The name (unique in the account and region).
    pub name: String,
    /// Its type.
    pub key_type: KeyType,
    /// The fingerprint AWS shows.
    pub fingerprint: String,
    /// The public key as an OpenSSH line (`ssh-ed25519 AAAA… name`).
    pub public_key: String,
    /// When it was created or imported.
    pub created: Timestamp,
    /// Tags.
    pub tags: Tags,
}

/// The key pair commands (one variant of [`Command`](crate::aws::Command)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPairCommand {
    /// CreateKeyPair.
    Create {
        /// The name.
        name: String,
        /// The type.
        key_type: KeyType,
        /// Tags (TagSpecification `key-pair`).
        tags: Tags,
    },
    /// ImportKeyPair.
    Import {
        /// The name.
        name: String,
        /// The public key material as given (decoded from base64 by the face; may be any bytes).
        public_key: Vec<u8>,
        /// Tags.
        tags: Tags,
    },
    /// DeleteKeyPair, by name or by id.
    Delete {
        /// `KeyName`.
        name: Option<String>,
        /// `KeyPairId`.
        id: Option<String>,
    },
}

/// What a key pair command hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPairOutcome {
    /// A created pair and its private key.
    Created {
        /// The record.
        pair: KeyPair,
        /// The private key (the reply's `keyMaterial`).
        material: String,
    },
    /// An imported pair.
    Imported(KeyPair),
    /// A delete: the id of the pair deleted, if there was one.
    Deleted(Option<String>),
}

/// Longest key name.
pub const MAX_KEY_NAME: usize = 255;

/// Parses an OpenSSH public key line into its type and blob.
fn parse_public_key(material: &[u8]) -> Result<(KeyType, Vec<u8>), DomainError> {
    let bad = || DomainError::Catalog(CatalogProblem::KeyFormat);
    let text = std::str::from_utf8(material).map_err(|_| bad())?;
    let mut words = text.split_whitespace();
    let (kind, b64) = (words.next().ok_or_else(bad)?, words.next().ok_or_else(bad)?);
    let key_type = match kind {
        "ssh-rsa" => KeyType::Rsa,
        "ssh-ed25519" => KeyType::Ed25519,
        _ => return Err(bad()),
    };
    let blob = keygen::unbase64(b64).ok_or_else(bad)?;
    let mut fields = Vec::new();
    let mut rest = blob.as_slice();
    while !rest.is_empty() {
        let len = rest
            .get(..4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(bad)?;
        let field = rest.get(4..4 + len).ok_or_else(bad)?;
        fields.push(field);
        rest = &rest[4 + len..];
    }
    let ok = match (key_type, fields.as_slice()) {
        (KeyType::Rsa, [name, e, n]) => {
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            *name == b"ssh-rsa" && !e.is_empty() && (1024..=4096 + 8).contains(&bits)
        }
        (KeyType::Ed25519, [name, key]) => *name == b"ssh-ed25519" && key.len() == 32,
        _ => false,
    };
    if ok {
        Ok((key_type, blob))
    } else {
        Err(bad())
    }
}

/// The OpenSSH line of a public key blob.
fn public_line(key_type: KeyType, blob: &[u8], name: &str) -> String {
    let kind = match key_type {
        KeyType::Rsa => "ssh-rsa",
        KeyType::Ed25519 => "ssh-ed25519",
    };
    format!("{kind} {} {name}", keygen::base64(blob))
}

impl Tx<'_, '_> {
    /// The caller's key pair named `name`.
    pub fn key_pair_named(&self, name: &str) -> Option<&KeyPair> {
        let scope = self.scope();
        self.world()
            .aws
            .key_pairs()
            .values()
            .find(|k| k.name == name && &k.scope == scope)
    }

    /// The caller's key pair `id`.
    pub fn key_pair_by_id(&self, id: &str) -> Option<&KeyPair> {
        self.get::<KeyPair>(id).filter(|k| &k.scope == self.scope())
    }

    /// The caller's key pairs, in id order.
    pub fn key_pairs(&self) -> impl Iterator<Item = &KeyPair> {
        let scope = self.scope().clone();
        self.world()
            .aws
            .key_pairs()
            .values()
            .filter(move |k| k.scope == scope)
    }

    /// The caller's key pair named `name`, or `InvalidKeyPair.NotFound` (RunInstances'
    /// `KeyName`).
    pub fn require_key_pair(&self, name: &str) -> Result<&KeyPair, DomainError> {
        self.key_pair_named(name).ok_or_else(|| {
            DomainError::Catalog(CatalogProblem::KeyPairNotFound {
                name: Some(name.to_owned()),
                id: None,
            })
        })
    }

    fn check_new_key_name(&self, name: &str) -> Result<(), DomainError> {
        if name.is_empty() || name.len() > MAX_KEY_NAME || !name.is_ascii() {
            return Err(DomainError::Catalog(CatalogProblem::KeyNameInvalid {
                name: name.to_owned(),
            }));
        }
        if self.key_pair_named(name).is_some() {
            return Err(DomainError::Catalog(CatalogProblem::KeyPairDuplicate {
                name: name.to_owned(),
            }));
        }
        Ok(())
    }

    /// Applies a key pair command.
    pub fn key_pair_command(&mut self, c: KeyPairCommand) -> Result<KeyPairOutcome, DomainError> {
        match c {
            KeyPairCommand::Create {
                name,
                key_type,
                tags,
            } => {
                self.check_new_key_name(&name)?;
                self.check_tag_count(&Tags::new(), &tags, None)?;
                let id = self.new_id("key");
                let mut seed = [0u8; 32];
                let hex: String = (0..4).map(|_| self.ctx.ids.hex17()).collect();
                for (i, b) in seed.iter_mut().enumerate() {
                    *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0);
                }
                let key = match key_type {
                    KeyType::Rsa => keygen::rsa(seed),
                    KeyType::Ed25519 => keygen::ed25519(seed, &name),
                };
                let pair = KeyPair {
                    public_key: public_line(key_type, &key.public_blob, &name),
                    id,
                    scope: self.scope().clone(),
                    name,
                    key_type,
                    fingerprint: key.fingerprint,
                    created: self.now(),
                    tags,
                };
                self.put(pair.clone());
                Ok(KeyPairOutcome::Created {
                    pair,
                    material: key.material,
                })
            }
            KeyPairCommand::Import {
                name,
                public_key,
                tags,
            } => {
                self.check_new_key_name(&name)?;
                let (key_type, blob) = parse_public_key(&public_key)?;
                self.check_tag_count(&Tags::new(), &tags, None)?;
                let fingerprint = match key_type {
                    KeyType::Rsa => keygen::md5_fingerprint(&blob),
                    KeyType::Ed25519 => keygen::sha256_fingerprint(&blob),
                };
                let pair = KeyPair {
                    id: self.new_id("key"),
                    scope: self.scope().clone(),
                    public_key: public_line(key_type, &blob, &name),
                    name,
                    key_type,
                    fingerprint,
                    created: self.now(),
                    tags,
                };
                self.put(pair.clone());
                Ok(KeyPairOutcome::Imported(pair))
            }
            KeyPairCommand::Delete { name, id } => {
                let found = match (&name, &id) {
                    (_, Some(id)) => self.key_pair_by_id(id),
                    (Some(name), None) => self.key_pair_named(name),
                    (None, None) => {
                        return Err(DomainError::Catalog(CatalogProblem::KeyNameMissing))
                    }
                };
                let found = found.map(|k| k.id.clone());
                if let Some(id) = &found {
                    self.remove::<KeyPair>(id);
                }
                Ok(KeyPairOutcome::Deleted(found))
            }
        }
    }
}

#[cfg(test)]
mod tests;
