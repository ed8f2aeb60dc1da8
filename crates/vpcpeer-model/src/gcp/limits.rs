//! Bounds on what one Compute Engine request may carry, so that no list or text a caller sends
//! is unbounded (issue 8). Each is refused with 400 `invalid` naming the field.
//!
//! GCP's documented limits (VPC and Cloud NGFW quotas pages, "Add network tags"): 64 network
//! tags per instance, 8 network interfaces per instance, 30 source tags and 70 target tags per
//! VPC firewall rule. \[UNVERIFIED\] emulator's choices where no documented number was at hand:
//! 170 secondary ranges per subnetwork (the newest figure recalled; older docs say 30), 5,000
//! source or destination ranges per firewall rule, 256 `allowed`/`denied` entries and 256 ports
//! per entry, 64 tags per route, and descriptions of at most 2,048 characters. Metadata (the
//! "About VM metadata" page): keys of 1–128 characters of `[a-zA-Z0-9-_]`, values of at most
//! 256 KB, 512 KB in all. The wording of the
//! messages (in `vpcpeer-wire-gcp`) is the emulator's.

use super::{Field, GcpError};

/// Network tags per instance.
pub const MAX_INSTANCE_TAGS: usize = 64;
/// Network interfaces per instance.
pub const MAX_NICS: usize = 8;
/// Source tags per firewall rule.
pub const MAX_SOURCE_TAGS: usize = 30;
/// Target tags per firewall rule.
pub const MAX_TARGET_TAGS: usize = 70;
/// Source (or destination) ranges per firewall rule.
pub const MAX_FIREWALL_RANGES: usize = 5000;
/// `allowed[]` or `denied[]` entries of a firewall rule, and ports per entry.
pub const MAX_FIREWALL_ENTRIES: usize = 256;
/// Secondary ranges per subnetwork.
pub const MAX_SECONDARY_RANGES: usize = 170;
/// Instance tags a route applies to.
pub const MAX_ROUTE_TAGS: usize = 64;
/// Characters of a description.
pub const MAX_DESCRIPTION: usize = 2048;
/// Access configs per network interface (GCP: "At most one access config currently supported").
pub const MAX_ACCESS_CONFIGS: usize = 1;
/// Characters of a metadata key (`[a-zA-Z0-9-_]{1,128}`).
pub const MAX_METADATA_KEY: usize = 128;
/// Bytes of one metadata value (256 KB).
pub const MAX_METADATA_VALUE: usize = 256 * 1024;
/// Bytes of an instance's metadata, keys and values together (512 KB).
pub const MAX_METADATA_TOTAL: usize = 512 * 1024;

/// Refuses `n` items in `field` when more than `max` are allowed.
pub fn check_count(field: Field, n: usize, max: usize) -> Result<(), GcpError> {
    if n > max {
        return Err(GcpError::TooMany {
            field,
            count: n,
            max,
        });
    }
    Ok(())
}

/// Refuses a description longer than [`MAX_DESCRIPTION`] characters.
pub fn check_description(description: &str) -> Result<(), GcpError> {
    let n = description.chars().count();
    if n > MAX_DESCRIPTION {
        return Err(GcpError::DescriptionTooLong { chars: n });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(check_count(Field::InstanceTags, 64, MAX_INSTANCE_TAGS).is_ok());
        let e = check_count(Field::InstanceTags, 65, MAX_INSTANCE_TAGS).unwrap_err();
        assert_eq!(
            e,
            GcpError::TooMany {
                field: Field::InstanceTags,
                count: 65,
                max: MAX_INSTANCE_TAGS
            }
        );
        assert!(check_description(&"é".repeat(2048)).is_ok());
        assert!(check_description(&"d".repeat(1 << 20)).is_err());
    }
}
