//! Which cloud a network reference names, so that every face can refuse native peering between
//! networks of different clouds with the same explanation.
//!
//! Native peering (AWS VPC peering, GCP VPC Network Peering, Azure VNet peering) only joins
//! networks of one cloud. Links between clouds need encrypted peering through gateways (an
//! Aviatrix-style controller), which the clouds' own peering APIs cannot create.

/// A cloud provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Amazon Web Services (`vpc-…` ids, `arn:aws:…`).
    Aws,
    /// Google Cloud (`projects/P/global/networks/N`, compute URLs).
    Gcp,
    /// Microsoft Azure (`/subscriptions/…` ARM ids).
    Azure,
}

impl Cloud {
    /// The indefinite article before [`Cloud::display_name`].
    pub fn article(self) -> &'static str {
        match self {
            Cloud::Aws | Cloud::Azure => "an",
            Cloud::Gcp => "a",
        }
    }

    /// The cloud's display name.
    pub fn display_name(self) -> &'static str {
        match self {
            Cloud::Aws => "AWS",
            Cloud::Gcp => "Google Cloud",
            Cloud::Azure => "Azure",
        }
    }
}

fn is_hex_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|h| {
        (h.len() == 8 || h.len() == 17)
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The cloud whose network `reference` names, judged from its shape alone, or `None` when it
/// does not look like any cloud's network reference (a bare name, say).
pub fn cloud_of(reference: &str) -> Option<Cloud> {
    let r = reference.trim();
    let lower = r.to_ascii_lowercase();
    if is_hex_id(&lower, "vpc-") || lower.starts_with("arn:aws:") {
        Some(Cloud::Aws)
    } else if lower.starts_with("/subscriptions/") || lower.contains("management.azure.com/") {
        Some(Cloud::Azure)
    } else if lower.contains("/global/networks/") || lower.starts_with("projects/") {
        Some(Cloud::Gcp)
    } else {
        None
    }
}

/// The explanation given when native peering is asked to join a network of `here` with
/// `reference`, which names a network of another cloud (or of no cloud at all).
pub fn cross_cloud_message(here: Cloud, reference: &str) -> String {
    let other = match cloud_of(reference) {
        Some(c) if c != here => format!("{} {} network", c.article(), c.display_name()),
        _ => format!("not a {} network", here.display_name()),
    };
    format!(
        "Native peering cannot join networks of different clouds: '{reference}' is {other}. \
         Cross-cloud links need encrypted peering through gateways (one gateway in each network, \
         joined by an IPsec tunnel), not {} native peering.",
        here.display_name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_classified_by_shape() {
        let cases = [
            ("vpc-0a1b2c3d4e5f60718", Some(Cloud::Aws)),
            ("vpc-1a2b3c4d", Some(Cloud::Aws)),
            ("vpc-main", None),
            (
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
                Some(Cloud::Azure),
            ),
            ("projects/p/global/networks/n", Some(Cloud::Gcp)),
            (
                "https://www.googleapis.com/compute/v1/projects/p/global/networks/n",
                Some(Cloud::Gcp),
            ),
            ("net-b", None),
        ];
        for (r, want) in cases {
            assert_eq!(cloud_of(r), want, "{r}");
        }
    }

    #[test]
    fn the_message_names_the_other_cloud_and_gateways() {
        let m = cross_cloud_message(Cloud::Gcp, "vpc-0a1b2c3d4e5f60718");
        assert!(m.contains("is an AWS network"), "{m}");
        assert!(m.contains("encrypted peering through gateways"), "{m}");
        let m = cross_cloud_message(Cloud::Aws, "projects/p/global/networks/n");
        assert!(m.contains("Google Cloud network"), "{m}");
    }
}
