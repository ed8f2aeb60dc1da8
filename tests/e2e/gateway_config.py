"""The `vpcpeer-gateway` configuration, rendered in Python for the end-to-end tests (the format
is `crates/vpcpeer-gateway`: a marker line, `[Interface]` with `Name`, `PrivateKey`,
`ListenPort`, and one `[Peer]` per tunnel with `Name`, `PublicKey`, `Endpoint`, `AllowedIPs`),
with X25519 public keys computed by a short pure-Python RFC 7748 Montgomery ladder (no package
needed; checked against the RFC's Alice/Bob vectors by `test_x25519_rfc7748_vectors`)."""

import base64

P = 2**255 - 19
A24 = 121665
MARKER = "#vpcpeer-gateway v1"
DEFAULT_PORT = 51820


def _clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return int.from_bytes(k, "little")


def x25519(scalar, u):
    """RFC 7748 §5: the X25519 function of a 32-byte scalar and a 32-byte u-coordinate."""
    k = _clamp(scalar)
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def public_key(private):
    """The X25519 public key of a 32-byte private key (base point u = 9)."""
    return x25519(private, (9).to_bytes(32, "little"))


def b64(raw):
    return base64.b64encode(raw).decode()


def render(name, private, peers, listen_port=DEFAULT_PORT):
    """The configuration text; `peers` are dicts with name, public (raw bytes), endpoint
    ("ip:port") and allowed (a list of CIDRs)."""
    lines = [MARKER, "[Interface]", f"Name = {name}", f"PrivateKey = {b64(private)}",
             f"ListenPort = {listen_port}"]
    for p in peers:
        lines += ["", "[Peer]", f"Name = {p['name']}", f"PublicKey = {b64(p['public'])}",
                  f"Endpoint = {p['endpoint']}", f"AllowedIPs = {', '.join(p['allowed'])}"]
    return "\n".join(lines) + "\n"


def test_x25519_rfc7748_vectors():
    alice = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    bob = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    assert public_key(alice).hex() == (
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    assert public_key(bob).hex() == (
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    assert x25519(alice, public_key(bob)).hex() == shared
    assert x25519(bob, public_key(alice)).hex() == shared
    # RFC 7748 §5.2, the first single-step vector.
    k = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    assert x25519(k, u).hex() == (
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
