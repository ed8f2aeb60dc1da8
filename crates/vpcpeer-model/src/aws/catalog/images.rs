//! The illustrative public images of every region (see the [catalogue](super)): Amazon Linux
//! 2023 (x86_64 and arm64), Ubuntu 22.04 and 24.04 (x86_64), Windows Server 2022 (x86_64) and
//! the built-in `vpcpeer-gateway` image (owner alias `vpcpeer`, account [`VPCPEER_OWNER`]: the
//! gateway VM a controller launches, see [`is_gateway_image`]), with ids derived from the region
//! and the image name.

/// The account that owns Amazon's public images (owner alias `amazon`).
pub const AMAZON_OWNER: &str = "137112412989";
/// Canonical's account, owner of the Ubuntu images (no owner alias).
pub const CANONICAL_OWNER: &str = "099720109477";
/// The account that owns Amazon's Windows images (owner alias `amazon`).
const WINDOWS_OWNER: &str = "801119661308";
/// The account that owns the built-in `vpcpeer-gateway` image, owner alias [`VPCPEER_ALIAS`]
/// (this emulator's own; no real AWS account).
pub const VPCPEER_OWNER: &str = "740774077407";
/// The owner alias of the `vpcpeer-gateway` image.
pub const VPCPEER_ALIAS: &str = "vpcpeer";
/// The gateway image's name (the same on every cloud: `vpcpeer_gateway::IMAGE_NAME`).
pub const GATEWAY_IMAGE_NAME: &str = "vpcpeer-gateway";

/// One public image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `ami-…`, derived from the region and the name.
    pub id: String,
    /// Region.
    pub region: String,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Owner account.
    pub owner_id: &'static str,
    /// Owner alias (`amazon`), if any.
    pub owner_alias: Option<&'static str>,
    /// `x86_64` or `arm64`.
    pub architecture: &'static str,
    /// `windows` for Windows images.
    pub platform: Option<&'static str>,
    /// `Linux/UNIX` or `Windows`.
    pub platform_details: &'static str,
    /// Creation date (ISO 8601).
    pub creation_date: &'static str,
    /// Root device name.
    pub root_device_name: &'static str,
    /// Boot mode (`uefi-preferred`, `uefi`, …), if set.
    pub boot_mode: Option<&'static str>,
}

/// `(name, description, owner, alias, architecture, platform, creation date, root device)`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

const ROWS: &[Row] = &[
    (
        "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
        "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1",
        AMAZON_OWNER,
        Some("amazon"),
        "x86_64",
        None,
        "2024-12-12T19:55:21.000Z",
        "/dev/xvda",
    ),
    (
        "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
        "Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1",
        AMAZON_OWNER,
        Some("amazon"),
        "arm64",
        None,
        "2024-12-12T19:55:24.000Z",
        "/dev/xvda",
    ),
    (
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241206",
        "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-12-06",
        CANONICAL_OWNER,
        None,
        "x86_64",
        None,
        "2024-12-06T07:12:44.000Z",
        "/dev/sda1",
    ),
    (
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206",
        "Canonical, Ubuntu, 24.04, amd64 noble image",
        CANONICAL_OWNER,
        None,
        "x86_64",
        None,
        "2024-12-06T07:20:13.000Z",
        "/dev/sda1",
    ),
    (
        "Windows_Server-2022-English-Full-Base-2024.12.11",
        "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon",
        WINDOWS_OWNER,
        Some("amazon"),
        "x86_64",
        Some("windows"),
        "2024-12-11T21:47:09.000Z",
        "/dev/sda1",
    ),
    (
        GATEWAY_IMAGE_NAME,
        "vpcpeer gateway: brings up the WireGuard-style tunnels its user data configures",
        VPCPEER_OWNER,
        Some(VPCPEER_ALIAS),
        "x86_64",
        None,
        "2026-01-01T00:00:00.000Z",
        "/dev/xvda",
    ),
];

/// FNV-1a (stable across releases, unlike `std`'s hasher).
fn fnv1a(bytes: impl IntoIterator<Item = u8>, seed: u64) -> u64 {
    bytes.into_iter().fold(seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The id of image `name` in `region`: `ami-` and 17 hex digits of a digest of both.
fn image_id(region: &str, name: &str) -> String {
    let text = format!("{region}/{name}");
    let a = fnv1a(text.bytes(), 0xcbf2_9ce4_8422_2325);
    let b = fnv1a(text.bytes().rev(), a);
    format!("ami-0{:016x}", a ^ b.rotate_left(17))
}

fn of_row(region: &str, r: &Row) -> Image {
    let (name, description, owner_id, owner_alias, architecture, platform, creation_date, root) =
        *r;
    Image {
        id: image_id(region, name),
        region: region.to_owned(),
        name,
        description,
        owner_id,
        owner_alias,
        architecture,
        platform,
        platform_details: if platform.is_some() {
            "Windows"
        } else {
            "Linux/UNIX"
        },
        creation_date,
        root_device_name: root,
        boot_mode: match (platform, architecture) {
            (_, "arm64") => Some("uefi"),
            (None, _) if owner_alias.is_some() => Some("uefi-preferred"),
            _ => None,
        },
    }
}

/// The public images of `region`, in id order.
pub fn images(region: &str) -> Vec<Image> {
    let mut out: Vec<Image> = ROWS.iter().map(|r| of_row(region, r)).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The public image `id` of `region`.
pub fn image(region: &str, id: &str) -> Option<Image> {
    images(region).into_iter().find(|i| i.id == id)
}

/// The id of the `vpcpeer-gateway` image in `region`.
pub fn gateway_image_id(region: &str) -> String {
    image_id(region, GATEWAY_IMAGE_NAME)
}

/// Whether `image_id` is the `vpcpeer-gateway` image of `region` (an instance launched from it
/// is a tunnel endpoint configured by its user data). Pure: no catalogue scan.
pub fn is_gateway_image(region: &str, image_id: &str) -> bool {
    image_id == gateway_image_id(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_ids_are_well_formed_stable_and_differ_per_region() {
        let east = images("us-east-1");
        let west = images("us-west-2");
        assert_eq!(east.len(), ROWS.len());
        for i in &east {
            assert!(crate::aws::has_id_shape(&i.id, "ami"), "{}", i.id);
            assert!(
                !west.iter().any(|w| w.id == i.id),
                "{} in two regions",
                i.id
            );
            assert_eq!(image("us-east-1", &i.id).as_ref(), Some(i));
        }
        assert_eq!(images("us-east-1"), east, "stable");
        let mut ids: Vec<&str> = east.iter().map(|i| i.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), east.len());
        assert!(image("us-west-2", &east[0].id).is_none());
    }

    #[test]
    fn each_region_has_one_gateway_image_owned_by_vpcpeer() {
        for region in ["us-east-1", "eu-west-1"] {
            let gw: Vec<Image> = images(region)
                .into_iter()
                .filter(|i| i.name == GATEWAY_IMAGE_NAME)
                .collect();
            assert_eq!(gw.len(), 1, "{region}");
            assert_eq!(gw[0].owner_alias, Some(VPCPEER_ALIAS));
            assert_eq!(gw[0].owner_id, VPCPEER_OWNER);
            assert!(is_gateway_image(region, &gw[0].id));
            assert_eq!(gateway_image_id(region), gw[0].id);
        }
        let east = gateway_image_id("us-east-1");
        assert!(!is_gateway_image("eu-west-1", &east), "another region's");
        let other = images("us-east-1")
            .into_iter()
            .find(|i| i.name != GATEWAY_IMAGE_NAME)
            .expect("an image");
        assert!(!is_gateway_image("us-east-1", &other.id));
        assert!(!is_gateway_image("us-east-1", "ami-12345678"));
    }
}
