//! The address blocks the workloads use: each iteration takes two non-overlapping /20s of
//! 10.0.0.0/8 and a /24 inside each, shared by the AWS, GCP and Azure workloads.

/// How many /20 blocks of 10.0.0.0/8 there are; each iteration takes two.
const BLOCKS: u32 = 4096;

/// The address blocks of one iteration: two non-overlapping VPC CIDRs (/20s of 10.0.0.0/8) and a
/// /24 subnet inside each.
#[derive(Debug, PartialEq, Eq)]
pub struct Cidrs {
    /// The two VPCs' blocks.
    pub vpc: [String; 2],
    /// A subnet in each.
    pub subnet: [String; 2],
}

/// The blocks of iteration `slot`. Slots wrap around after 2,048; at any moment client `c` of
/// `clients` is in a slot ≡ `c` (mod `clients`), so live iterations never share blocks as long as
/// there are at most 2,048 clients.
pub fn cidrs(slot: u64) -> Cidrs {
    let pair = (slot % u64::from(BLOCKS / 2)) as u32;
    let block = |i: u32| {
        let b = pair * 2 + i;
        // A /20 is 16 consecutive /24s: second octet = b / 16, third = (b % 16) * 16.
        ((b / 16) as u8, ((b % 16) * 16) as u8)
    };
    let (a0, a1) = block(0);
    let (b0, b1) = block(1);
    Cidrs {
        vpc: [format!("10.{a0}.{a1}.0/20"), format!("10.{b0}.{b1}.0/20")],
        subnet: [format!("10.{a0}.{a1}.0/24"), format!("10.{b0}.{b1}.0/24")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: &str, b: &str) -> bool {
        let parse = |s: &str| {
            let (ip, len) = s.split_once('/').unwrap();
            let o: Vec<u32> = ip.split('.').map(|x| x.parse().unwrap()).collect();
            let base = (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3];
            let len: u32 = len.parse().unwrap();
            (base, base + (1u32 << (32 - len)) - 1)
        };
        let (a0, a1) = parse(a);
        let (b0, b1) = parse(b);
        a0 <= b1 && b0 <= a1
    }

    #[test]
    fn first_slots() {
        assert_eq!(
            cidrs(0),
            Cidrs {
                vpc: ["10.0.0.0/20".into(), "10.0.16.0/20".into()],
                subnet: ["10.0.0.0/24".into(), "10.0.16.0/24".into()],
            }
        );
        assert_eq!(cidrs(8).vpc, ["10.1.0.0/20", "10.1.16.0/20"]);
        assert_eq!(cidrs(2047).vpc, ["10.255.224.0/20", "10.255.240.0/20"]);
        assert_eq!(cidrs(2048), cidrs(0), "wraps");
    }

    #[test]
    fn slots_do_not_overlap_and_subnets_sit_inside() {
        let all: Vec<Cidrs> = (0..2048).map(cidrs).collect();
        let mut blocks: Vec<&String> = all.iter().flat_map(|c| c.vpc.iter()).collect();
        blocks.sort();
        blocks.dedup();
        assert_eq!(blocks.len(), 4096);
        for c in all.iter().step_by(97) {
            assert!(!overlap(&c.vpc[0], &c.vpc[1]));
            assert!(overlap(&c.vpc[0], &c.subnet[0]) && overlap(&c.vpc[1], &c.subnet[1]));
        }
        for (i, a) in all.iter().enumerate().step_by(61) {
            for b in all.iter().skip(i + 1).step_by(7) {
                assert!(!overlap(&a.vpc[0], &b.vpc[0]) && !overlap(&a.vpc[1], &b.vpc[1]));
                assert!(!overlap(&a.vpc[0], &b.vpc[1]) && !overlap(&a.vpc[1], &b.vpc[0]));
            }
        }
    }
}
