//! DHCP option sets: Create/Delete/Describe/AssociateDhcpOptions.
//!
//! `DhcpConfiguration.N.Key` with `DhcpConfiguration.N.Value.M` in; `dhcpOptions` with
//! `dhcpConfigurationSet/item{key, valueSet/item{value}}` out (botocore EC2 model). A
//! configuration without `Key` is `MissingParameter`; the values are checked by the model.

use vpcpeer_model::aws::dhcp::{DhcpCommand, DhcpConfiguration, DhcpOutcome};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::DhcpOptions;

use super::{describe_owned, render_done, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::{Ec2Error, Params, Xml};

/// The DHCP option actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateDhcpOptions" => Action::Change {
            parse: parse_create,
            render: |_, o, x| match o {
                Outcome::Dhcp(DhcpOutcome::Created(d)) => {
                    x.node("dhcpOptions", |x| render_dopt(x, &d));
                }
                other => unexpected(&other, x),
            },
        },
        "DeleteDhcpOptions" => Action::Change {
            parse: |p| {
                Ok(Command::Dhcp(DhcpCommand::Delete {
                    id: p.id("DhcpOptionsId")?,
                }))
            },
            render: render_done,
        },
        "AssociateDhcpOptions" => Action::Change {
            parse: |p| {
                Ok(Command::Dhcp(DhcpCommand::Associate {
                    id: p.id("DhcpOptionsId")?,
                    vpc_id: p.id("VpcId")?,
                }))
            },
            render: render_done,
        },
        "DescribeDhcpOptions" => Action::Read(describe),
        _ => return None,
    })
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let mut configurations = Vec::new();
    for c in p.structs("DhcpConfiguration") {
        let key = c
            .get("Key")
            .ok_or_else(|| Ec2Error::missing("DhcpConfiguration.N.Key"))?;
        configurations.push(DhcpConfiguration {
            key: key.to_owned(),
            values: c.list("Value"),
        });
    }
    if configurations.is_empty() {
        return Err(Ec2Error::missing("DhcpConfiguration"));
    }
    Ok(Command::Dhcp(DhcpCommand::Create {
        configurations,
        tags: p.spec_tags_of("dhcp-options")?,
    }))
}

/// The `dhcpOptions` shape (inner elements).
fn render_dopt(x: &mut Xml, d: &DhcpOptions) {
    x.leaf("dhcpOptionsId", &d.id)
        .list("dhcpConfigurationSet", &d.configurations, |x, c| {
            x.leaf("key", &c.key).list("valueSet", &c.values, |x, v| {
                x.leaf("value", v);
            });
        })
        .leaf("ownerId", &d.scope.account)
        .tags(&d.tags);
}

const FILTERS: &[&str] = &["dhcp-options-id", "key", "value", "owner-id"];

fn field(d: &DhcpOptions, name: &str) -> Vec<String> {
    match name {
        "dhcp-options-id" => vec![d.id.clone()],
        "key" => d.configurations.iter().map(|c| c.key.clone()).collect(),
        "value" => d
            .configurations
            .iter()
            .flat_map(|c| c.values.iter().cloned())
            .collect(),
        "owner-id" => vec![d.scope.account.clone()],
        _ => Vec::new(),
    }
}

fn describe(tx: &vpcpeer_model::Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("DhcpOptionsId", FILTERS, "dhcpOptionsSet");
    let keep = |f: &[Filter], d: &DhcpOptions| matches(f, &d.tags, |n| field(d, n));
    describe_owned(tx, p, page, keep, x, render_dopt)
}
