//! DescribeRegions, DescribeAvailabilityZones and DescribeAccountAttributes.
//!
//! Every account has every region enabled: the EC2 edge serves all 34 commercial regions to
//! every caller, so DescribeRegions lists them all, the opt-in regions (those launched after
//! March 2019) as `opted-in` and the others as `opt-in-not-required`. `AllRegions=true` (which on
//! AWS adds the regions the account has not enabled, as `not-opted-in`) therefore lists the same
//! regions: no region is ever `not-opted-in` here (a region listed as disabled would contradict
//! the edge, which accepts requests in it) [choice]. `AllAvailabilityZones=true` (AWS: also the
//! Local and Wavelength Zones not opted into) lists the same zones: those zones are out of scope.

use vpcpeer_model::aws::regions;
use vpcpeer_model::{Tags, Tx};

use super::Action;
use crate::filter::{self, matches};
use crate::{Ec2Error, Params, Xml};

/// `opted-in` for the regions an account must enable (the emulator has them all enabled),
/// `opt-in-not-required` for the others.
fn opt_in_status(region: &str) -> &'static str {
    if regions::is_opt_in(region) {
        "opted-in"
    } else {
        "opt-in-not-required"
    }
}

/// The region and zone actions (reads).
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "DescribeRegions" => Action::Read(describe_regions),
        "DescribeAvailabilityZones" => Action::Read(describe_availability_zones),
        "DescribeAccountAttributes" => Action::Read(describe_account_attributes),
        _ => return None,
    })
}

fn describe_regions(_tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, &["endpoint", "region-name", "opt-in-status"])?;
    // Checked as a boolean; every region is enabled, so it adds none (see the module doc).
    p.bool("AllRegions")?;
    let names = p.list("RegionName");
    for n in &names {
        if !regions::is_region(n) {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("Invalid region: {n}"),
            ));
        }
    }
    let no_tags = Tags::new();
    let list: Vec<&str> = regions::regions()
        .filter(|r| names.is_empty() || names.iter().any(|n| n == r))
        .filter(|r| {
            matches(&filters, &no_tags, |f| match f {
                "endpoint" => vec![format!("ec2.{r}.amazonaws.com")],
                "region-name" => vec![r.to_string()],
                "opt-in-status" => vec![opt_in_status(r).into()],
                _ => Vec::new(),
            })
        })
        .collect();
    x.list("regionInfo", list, |x, r| {
        x.leaf("regionName", r)
            .leaf("regionEndpoint", format!("ec2.{r}.amazonaws.com"))
            .leaf("optInStatus", opt_in_status(r));
    });
    Ok(())
}

fn describe_availability_zones(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(
        p,
        &[
            "region-name",
            "zone-name",
            "zone-id",
            "state",
            "zone-type",
            "opt-in-status",
            "group-name",
        ],
    )?;
    // Checked as a boolean; Local and Wavelength Zones are out of scope, so it adds none.
    p.bool("AllAvailabilityZones")?;
    let region = tx.scope().region.clone();
    let names = p.list("ZoneName");
    let ids = p.list("ZoneId");
    let zones = regions::zones(&region);
    for n in names.iter().chain(ids.iter()) {
        if !zones.iter().any(|z| &z.name == n || &z.id == n) {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("The zone '{n}' does not exist."),
            ));
        }
    }
    let no_tags = Tags::new();
    let list: Vec<_> = zones
        .into_iter()
        .filter(|z| names.is_empty() || names.contains(&z.name))
        .filter(|z| ids.is_empty() || ids.contains(&z.id))
        .filter(|z| {
            matches(&filters, &no_tags, |f| match f {
                "region-name" => vec![region.clone()],
                "zone-name" => vec![z.name.clone()],
                "zone-id" => vec![z.id.clone()],
                "state" => vec!["available".into()],
                "zone-type" => vec!["availability-zone".into()],
                "opt-in-status" => vec!["opt-in-not-required".into()],
                "group-name" => vec![region.clone()],
                _ => Vec::new(),
            })
        })
        .collect();
    x.list("availabilityZoneInfo", list, |x, z| {
        x.leaf("zoneName", &z.name)
            .leaf("zoneId", &z.id)
            .leaf("zoneState", "available")
            .leaf("regionName", &region)
            .leaf("groupName", &region)
            .leaf("networkBorderGroup", &region)
            .leaf("optInStatus", "opt-in-not-required")
            .leaf("zoneType", "availability-zone")
            .node("messageSet", |_| {});
    });
    Ok(())
}

/// The account attributes and their values: `default-vpc` is the region's default VPC (or
/// `none`); the others are AWS's defaults for a new account [UNVERIFIED values; the emulator
/// enforces none of these quotas].
const ACCOUNT_ATTRIBUTES: &[&str] = &[
    "supported-platforms",
    "default-vpc",
    "max-instances",
    "vpc-max-security-groups-per-interface",
    "max-elastic-ips",
    "vpc-max-elastic-ips",
];

fn describe_account_attributes(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let asked = p.list("AttributeName");
    for a in &asked {
        if !ACCOUNT_ATTRIBUTES.contains(&a.as_str()) {
            return Err(Ec2Error::invalid_value("attributeName", a));
        }
    }
    let default_vpc = tx
        .default_vpc()
        .map(|v| v.id.clone())
        .unwrap_or_else(|| "none".into());
    let shown = ACCOUNT_ATTRIBUTES
        .iter()
        .filter(|a| asked.is_empty() || asked.iter().any(|n| n == *a));
    x.list("accountAttributeSet", shown, |x, a| {
        let value = match *a {
            "supported-platforms" => "VPC".to_owned(),
            "default-vpc" => default_vpc.clone(),
            "max-instances" => "20".to_owned(),
            "vpc-max-security-groups-per-interface" => "5".to_owned(),
            _ => "5".to_owned(),
        };
        x.leaf("attributeName", a)
            .list("attributeValueSet", [value], |x, v| {
                x.leaf("attributeValue", v);
            });
    });
    Ok(())
}
