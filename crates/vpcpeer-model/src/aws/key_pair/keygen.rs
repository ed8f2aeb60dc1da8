//! Key material for CreateKeyPair and the fingerprints of every key pair, derived without
//! entropy of its own: the key is a pure function of a 32-byte seed the model draws from the
//! transaction's id generator, so a replay of the command log makes the same key (the house rule:
//! entropy is an input). The keys are real: an RSA-2048 key (PKCS#1 `RSA PRIVATE KEY` PEM, as
//! AWS returns it) or an Ed25519 key (OpenSSH `OPENSSH PRIVATE KEY` format, as AWS returns it),
//! usable by `ssh` and `ssh-keygen -y`. They are only as secret as the seed: an emulator's keys
//! must never guard anything real.
//!
//! Fingerprints, as AWS computes them: a created RSA key, the SHA-1 digest of its PKCS#8 DER
//! private key; an imported RSA key, the MD5 digest of its public key blob (RFC 4716 §4); both in
//! colon-separated hex. An Ed25519 key (created or imported), the SHA-256 digest of its public
//! key blob in base64 (padded, as AWS shows it).

use md5::Digest as _;
use num_bigint::BigUint;
use ring::digest;

/// A deterministic byte stream: SHA-256 of the seed and a block counter.
struct Stream {
    seed: [u8; 32],
    counter: u64,
    buf: Vec<u8>,
}

impl Stream {
    fn new(seed: [u8; 32]) -> Self {
        Stream {
            seed,
            counter: 0,
            buf: Vec::new(),
        }
    }

    fn fill(&mut self, out: &mut [u8]) {
        for b in out.iter_mut() {
            if self.buf.is_empty() {
                let mut ctx = digest::Context::new(&digest::SHA256);
                ctx.update(&self.seed);
                ctx.update(&self.counter.to_be_bytes());
                self.counter += 1;
                self.buf = ctx.finish().as_ref().to_vec();
            }
            *b = self.buf.pop().expect("refilled above");
        }
    }
}

/// Base64 (standard alphabet, padded).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64 (standard alphabet; padding optional; no whitespace), or `None`.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

/// `bytes` in PEM armour with `label`, 64 characters a line (no final newline, as AWS's
/// `keyMaterial`).
fn pem(label: &str, bytes: &[u8], width: usize) -> String {
    let body = base64(bytes);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----"));
    out
}

/// An SSH wire `string`.
fn ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// An SSH wire `mpint` of an unsigned number.
fn ssh_mpint(out: &mut Vec<u8>, n: &BigUint) {
    let mut b = n.to_bytes_be();
    if b == [0] {
        b.clear();
    } else if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    ssh_string(out, &b);
}

/// A DER length.
fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// A DER element of `tag` around `body`.
fn der(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// A DER INTEGER of an unsigned number.
fn der_uint(n: &BigUint) -> Vec<u8> {
    let mut b = n.to_bytes_be();
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    der(0x02, &b)
}

/// Colon-separated lowercase hex.
fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The SHA-256 fingerprint of an SSH public key blob, as AWS shows an Ed25519 key's.
pub fn sha256_fingerprint(blob: &[u8]) -> String {
    base64(digest::digest(&digest::SHA256, blob).as_ref())
}

/// The MD5 fingerprint of an SSH public key blob (RFC 4716), as AWS shows an imported RSA key's.
pub fn md5_fingerprint(blob: &[u8]) -> String {
    colon_hex(&md5::Md5::digest(blob))
}

/// A generated key: its private key text, its OpenSSH public key blob and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The private key as `keyMaterial` (PEM or OpenSSH armour).
    pub material: String,
    /// The SSH public key blob.
    pub public_blob: Vec<u8>,
    /// The fingerprint AWS shows for a created key of this type.
    pub fingerprint: String,
}

/// An Ed25519 key from `seed`, in OpenSSH's private key format (comment `name`).
pub fn ed25519(seed: [u8; 32], name: &str) -> Generated {
    use ring::signature::KeyPair as _;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
        .expect("any 32 bytes are an Ed25519 seed");
    let public = pair.public_key().as_ref().to_vec();
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-ed25519");
    ssh_string(&mut blob, &public);
    let check = u32::from_be_bytes([seed[0], seed[1], seed[2], seed[3]]);
    let mut private = Vec::new();
    private.extend_from_slice(&check.to_be_bytes());
    private.extend_from_slice(&check.to_be_bytes());
    ssh_string(&mut private, b"ssh-ed25519");
    ssh_string(&mut private, &public);
    let mut secret = seed.to_vec();
    secret.extend_from_slice(&public);
    ssh_string(&mut private, &secret);
    ssh_string(&mut private, name.as_bytes());
    let mut pad = 1u8;
    while private.len() % 8 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut body = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut body, b"none");
    ssh_string(&mut body, b"none");
    ssh_string(&mut body, b"");
    body.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut body, &blob);
    ssh_string(&mut body, &private);
    Generated {
        material: pem("OPENSSH PRIVATE KEY", &body, 70),
        fingerprint: sha256_fingerprint(&blob),
        public_blob: blob,
    }
}

/// Small odd primes for trial division.
fn small_primes() -> Vec<u32> {
    (3u32..2000)
        .step_by(2)
        .filter(|n| {
            (3..)
                .step_by(2)
                .take_while(|d| d * d <= *n)
                .all(|d| n % d != 0)
        })
        .collect()
}

/// Miller–Rabin with `rounds` bases drawn from `stream`.
fn probably_prime(n: &BigUint, rounds: usize, stream: &mut Stream) -> bool {
    let one = BigUint::from(1u32);
    let two = BigUint::from(2u32);
    let n1 = n - &one;
    let s = n1.trailing_zeros().unwrap_or(0);
    let d = &n1 >> s;
    let bytes = n.bits().div_ceil(8) as usize;
    'round: for _ in 0..rounds {
        let mut b = vec![0u8; bytes];
        stream.fill(&mut b);
        let a = BigUint::from_bytes_be(&b) % (&n1 - &one) + &two;
        let mut x = a.modpow(&d, n);
        if x == one || x == n1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n1 {
                continue 'round;
            }
        }
        return false;
    }
    true
}

/// A prime of exactly `bits` bits (top two bits set, so a product of two has `2 * bits`), with
/// `p - 1` prime to 65537.
fn prime(bits: usize, stream: &mut Stream, small: &[u32]) -> BigUint {
    let e = 65537u32;
    loop {
        let mut b = vec![0u8; bits / 8];
        stream.fill(&mut b);
        b[0] |= 0xc0;
        *b.last_mut().expect("bits > 0") |= 1;
        let n = BigUint::from_bytes_be(&b);
        if small.iter().any(|p| (&n % *p).is_zero_u32()) {
            continue;
        }
        if ((&n - 1u32) % e).is_zero_u32() {
            continue;
        }
        if probably_prime(&n, 1, stream) && probably_prime(&n, 24, stream) {
            return n;
        }
    }
}

/// Zero test without pulling in `num-traits`.
trait IsZero {
    fn is_zero_u32(&self) -> bool;
}

impl IsZero for BigUint {
    fn is_zero_u32(&self) -> bool {
        self.bits() == 0
    }
}

/// An RSA-2048 key from `seed`: PKCS#1 PEM, fingerprinted as AWS fingerprints a created key.
pub fn rsa(seed: [u8; 32]) -> Generated {
    let mut stream = Stream::new(seed);
    let small = small_primes();
    let e = BigUint::from(65537u32);
    let (p, q) = loop {
        let p = prime(1024, &mut stream, &small);
        let q = prime(1024, &mut stream, &small);
        if p != q {
            break if p > q { (p, q) } else { (q, p) };
        }
    };
    let n = &p * &q;
    let p1 = &p - 1u32;
    let q1 = &q - 1u32;
    let phi = &p1 * &q1;
    let d = e.modinv(&phi).expect("e is prime to p-1 and q-1");
    let dp = &d % &p1;
    let dq = &d % &q1;
    let qinv = q.modinv(&p).expect("p and q are distinct primes");
    let mut seq = der_uint(&BigUint::from(0u32));
    for x in [&n, &e, &d, &p, &q, &dp, &dq, &qinv] {
        seq.extend(der_uint(x));
    }
    let pkcs1 = der(0x30, &seq);
    // PKCS#8: version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING (PKCS#1).
    let mut p8 = der_uint(&BigUint::from(0u32));
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let mut alg = oid.to_vec();
    alg.extend_from_slice(&[0x05, 0x00]);
    p8.extend(der(0x30, &alg));
    p8.extend(der(0x04, &pkcs1));
    let pkcs8 = der(0x30, &p8);
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-rsa");
    ssh_mpint(&mut blob, &e);
    ssh_mpint(&mut blob, &n);
    Generated {
        material: pem("RSA PRIVATE KEY", &pkcs1, 64),
        fingerprint: colon_hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &pkcs8).as_ref()),
        public_blob: blob,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_matches_known_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
            assert_eq!(unbase64(enc).as_deref(), Some(raw.as_bytes()));
        }
        assert_eq!(unbase64("Zm9v!"), None);
        assert_eq!(unbase64("Z"), None);
    }

    #[test]
    fn ed25519_keys_are_deterministic_and_well_formed() {
        let a = ed25519([7; 32], "k");
        assert_eq!(a, ed25519([7; 32], "k"));
        assert_ne!(a.public_blob, ed25519([8; 32], "k").public_blob);
        assert!(a
            .material
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        assert!(a.material.ends_with("\n-----END OPENSSH PRIVATE KEY-----"));
        assert_eq!(a.public_blob.len(), 4 + 11 + 4 + 32);
        assert_eq!(a.fingerprint.len(), 44, "base64 of 32 bytes, padded");
        // RFC 8032 test 1: the public key of the all-zero-but-known seed.
        let seed: [u8; 32] = [
            0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec,
            0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,
            0x1c, 0xae, 0x7f, 0x60,
        ];
        let k = ed25519(seed, "");
        assert_eq!(
            &k.public_blob[19..23],
            &[0xd7, 0x5a, 0x98, 0x01],
            "RFC 8032 public key prefix"
        );
    }

    #[test]
    fn rsa_keys_are_deterministic_and_consistent() {
        let k = rsa([3; 32]);
        assert_eq!(k, rsa([3; 32]));
        assert!(k
            .material
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\nMIIE"));
        assert!(k.material.ends_with("\n-----END RSA PRIVATE KEY-----"));
        assert_eq!(k.fingerprint.len(), 20 * 3 - 1, "SHA-1 in colon hex");
        // The public blob's modulus is 2048 bits (257 bytes with the sign byte).
        let n_len = u32::from_be_bytes(k.public_blob[18..22].try_into().expect("4 bytes"));
        assert_eq!(n_len, 257);
        assert_eq!(md5_fingerprint(b"").len(), 16 * 3 - 1);
        assert_eq!(
            md5_fingerprint(b"abc"),
            "90:01:50:98:3c:d2:4f:b0:d6:96:3f:7d:28:e1:7f:72"
        );
    }
}
