//! CreateLaunchTemplate, CreateLaunchTemplateVersion, DeleteLaunchTemplate,
//! DescribeLaunchTemplates and DescribeLaunchTemplateVersions, and RunInstances'
//! `LaunchTemplate` parameter (see the model's
//! [`launch_template`](vpcpeer_model::aws::launch_template) for the merge rule).
//!
//! `LaunchTemplateData` is read in the subset a launch here uses (`ImageId`, `InstanceType`,
//! `KeyName`, `SecurityGroupId.N`, `SecurityGroup.N`, `NetworkInterface.N` as RunInstances reads
//! its own, `Placement.AvailabilityZone`, `UserData` (checked as RunInstances checks it),
//! `TagSpecification.N` of `instance` and `network-interface`); its other members are accepted and not kept. DescribeLaunchTemplateVersions
//! without a template lists the versions of every template of the caller [choice].

use vpcpeer_model::aws::catalog_command::{CatalogCommand, CatalogOutcome};
use vpcpeer_model::aws::instance::NicSpec;
use vpcpeer_model::aws::launch_template::{
    LaunchTemplateCommand, TemplateData, TemplateRef, TemplateVersion,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{LaunchTemplate, Tx};

use super::instance::{launch_tags, nic_spec};
use super::template_spec::template_ref;
use super::{change, domain, unexpected, Action};
use crate::filter::{self, matches, paginate};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The launch template actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateLaunchTemplate" => change(parse_create, render_template),
        "CreateLaunchTemplateVersion" => change(parse_create_version, render_version_created),
        "DeleteLaunchTemplate" => change(parse_delete, render_template),
        "DescribeLaunchTemplates" => Action::Read(describe_launch_templates),
        "DescribeLaunchTemplateVersions" => Action::Read(describe_launch_template_versions),
        _ => return None,
    })
}

fn command(c: LaunchTemplateCommand) -> Command {
    Command::Catalog(CatalogCommand::LaunchTemplate(Box::new(c)))
}

/// `LaunchTemplateData` in the subset kept.
fn template_data(d: &Params) -> Result<TemplateData, Ec2Error> {
    let image_id = d.string("ImageId").filter(|s| !s.is_empty());
    if let Some(i) = &image_id {
        let ok = i
            .strip_prefix("ami-")
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !ok {
            return Err(Ec2Error::new(
                "InvalidAMIID.Malformed",
                format!("Invalid id: \"{i}\" (expecting \"ami-...\")"),
            ));
        }
    }
    let network_interfaces = d
        .structs("NetworkInterface")
        .iter()
        .map(nic_spec)
        .collect::<Result<Vec<NicSpec>, _>>()?;
    let (instance_tags, eni_tags) = launch_tags(d)?;
    Ok(TemplateData {
        image_id,
        instance_type: d.string("InstanceType").filter(|s| !s.is_empty()),
        key_name: d.string("KeyName").filter(|s| !s.is_empty()),
        security_group_ids: d.list("SecurityGroupId"),
        security_group_names: d.list("SecurityGroup"),
        network_interfaces,
        availability_zone: d
            .string("Placement.AvailabilityZone")
            .filter(|s| !s.is_empty()),
        instance_tags,
        eni_tags,
        user_data: super::user_data::param(d, "UserData")?,
    })
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let name = p.id("LaunchTemplateName")?;
    let data = p
        .nested("LaunchTemplateData")
        .ok_or_else(|| Ec2Error::missing("LaunchTemplateData"))?;
    Ok(command(LaunchTemplateCommand::Create {
        name,
        description: p.string("VersionDescription"),
        data: template_data(&data)?,
        tags: p.spec_tags_of("launch-template")?,
    }))
}

fn parse_create_version(p: &Params) -> Result<Command, Ec2Error> {
    let data = p
        .nested("LaunchTemplateData")
        .ok_or_else(|| Ec2Error::missing("LaunchTemplateData"))?;
    Ok(command(LaunchTemplateCommand::CreateVersion {
        template: template_ref(p),
        source_version: p.string("SourceVersion").filter(|s| !s.is_empty()),
        description: p.string("VersionDescription"),
        data: template_data(&data)?,
    }))
}

fn parse_delete(p: &Params) -> Result<Command, Ec2Error> {
    Ok(command(LaunchTemplateCommand::Delete {
        template: template_ref(p),
    }))
}

fn created_by(t: &LaunchTemplate) -> String {
    format!("arn:aws:iam::{}:root", t.scope.account)
}

fn write_template(x: &mut Xml, t: &LaunchTemplate) {
    x.leaf("launchTemplateId", &t.id)
        .leaf("launchTemplateName", &t.name)
        .leaf("createTime", iso(t.created))
        .leaf("createdBy", created_by(t))
        .leaf("defaultVersionNumber", t.default_version)
        .leaf("latestVersionNumber", t.latest_version())
        .tags(&t.tags);
}

fn write_tag_spec(x: &mut Xml, data: &TemplateData) {
    let specs = [
        ("instance", &data.instance_tags),
        ("network-interface", &data.eni_tags),
    ];
    let specs: Vec<_> = specs.into_iter().filter(|(_, t)| !t.is_empty()).collect();
    if !specs.is_empty() {
        x.list("tagSpecificationSet", specs, |x, (rt, tags)| {
            x.leaf("resourceType", rt).tags(tags);
        });
    }
}

fn write_data(x: &mut Xml, d: &TemplateData) {
    x.node("launchTemplateData", |x| {
        if !d.network_interfaces.is_empty() {
            x.list("networkInterfaceSet", &d.network_interfaces, |x, n| {
                x.opt_leaf("associatePublicIpAddress", n.associate_public_ip)
                    .leaf("deleteOnTermination", n.delete_on_termination)
                    .opt_leaf("description", n.description.as_deref())
                    .leaf("deviceIndex", n.device_index);
                if !n.security_group_ids.is_empty() {
                    x.scalar_list("groupSet", &n.security_group_ids);
                }
                x.opt_leaf("privateIpAddress", n.private_ip);
                if n.secondary_count > 0 {
                    x.leaf("secondaryPrivateIpAddressCount", n.secondary_count);
                }
                x.opt_leaf("subnetId", n.subnet_id.as_deref());
            });
        }
        x.opt_leaf("imageId", d.image_id.as_deref())
            .opt_leaf("instanceType", d.instance_type.as_deref())
            .opt_leaf("keyName", d.key_name.as_deref());
        if let Some(z) = &d.availability_zone {
            x.node("placement", |x| {
                x.leaf("availabilityZone", z);
            });
        }
        write_tag_spec(x, d);
        if !d.security_group_ids.is_empty() {
            x.scalar_list("securityGroupIdSet", &d.security_group_ids);
        }
        if !d.security_group_names.is_empty() {
            x.scalar_list("securityGroupSet", &d.security_group_names);
        }
        x.opt_leaf("userData", d.user_data.as_deref());
    });
}

fn write_version(x: &mut Xml, t: &LaunchTemplate, v: &TemplateVersion) {
    x.leaf("launchTemplateId", &t.id)
        .leaf("launchTemplateName", &t.name)
        .leaf("versionNumber", v.number)
        .opt_leaf("versionDescription", v.description.as_deref())
        .leaf("createTime", iso(v.created))
        .leaf("createdBy", created_by(t))
        .leaf("defaultVersion", v.number == t.default_version);
    write_data(x, &v.data);
}

fn template_outcome(outcome: &Outcome) -> Option<(&LaunchTemplate, u32)> {
    match outcome {
        Outcome::Catalog(CatalogOutcome::LaunchTemplate { template, version }) => {
            Some((template, *version))
        }
        _ => None,
    }
}

fn render_template(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Some((t, _)) = template_outcome(&outcome) else {
        return unexpected(&outcome, x);
    };
    x.node("launchTemplate", |x| write_template(x, t));
}

fn render_version_created(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Some((t, number)) = template_outcome(&outcome) else {
        return unexpected(&outcome, x);
    };
    match t.versions.iter().find(|v| v.number == number) {
        Some(v) => {
            x.node("launchTemplateVersion", |x| write_version(x, t, v));
        }
        None => unexpected(&outcome, x),
    }
}

fn describe_launch_templates(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, &["create-time", "launch-template-name"])?;
    let (limit, token) = filter::paging(p, 1, 200)?;
    let ids = p.list("LaunchTemplateId");
    let names = p.list("LaunchTemplateName");
    for id in &ids {
        domain(tx.launch_template(&TemplateRef {
            id: Some(id.clone()),
            name: None,
        }))?;
    }
    for name in &names {
        domain(tx.launch_template(&TemplateRef {
            id: None,
            name: Some(name.clone()),
        }))?;
    }
    let items: Vec<&LaunchTemplate> = tx
        .launch_templates()
        .filter(|t| ids.is_empty() || ids.contains(&t.id))
        .filter(|t| names.is_empty() || names.contains(&t.name))
        .filter(|t| {
            matches(&filters, &t.tags, |f| match f {
                "create-time" => vec![iso(t.created)],
                "launch-template-name" => vec![t.name.clone()],
                _ => Vec::new(),
            })
        })
        .collect();
    let (page, next) = paginate(items, |t| &t.id, limit, token.as_deref());
    x.list("launchTemplates", page, write_template);
    x.opt_leaf("nextToken", next);
    Ok(())
}

/// A version number bound (`MinVersion`/`MaxVersion`), or `InvalidParameterValue`.
fn bound(p: &Params, name: &str) -> Result<Option<u32>, Ec2Error> {
    match p.get(name).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| Ec2Error::invalid_value(name, v)),
    }
}

fn describe_launch_template_versions(
    tx: &Tx<'_, '_>,
    p: &Params,
    x: &mut Xml,
) -> Result<(), Ec2Error> {
    let filters = filter::parse(
        p,
        &[
            "is-default-version",
            "image-id",
            "instance-type",
            "key-name",
            "create-time",
        ],
    )?;
    let (limit, token) = filter::paging(p, 1, 200)?;
    let r = template_ref(p);
    let templates: Vec<&LaunchTemplate> = if r.id.is_none() && r.name.is_none() {
        tx.launch_templates().collect()
    } else {
        vec![domain(tx.launch_template(&r))?]
    };
    let asked = p.list("LaunchTemplateVersion");
    let (min, max) = (bound(p, "MinVersion")?, bound(p, "MaxVersion")?);
    let mut items: Vec<(String, &LaunchTemplate, &TemplateVersion)> = Vec::new();
    for t in templates {
        let chosen: Vec<&TemplateVersion> = if asked.is_empty() {
            t.versions.iter().collect()
        } else {
            let mut out = Vec::new();
            for a in &asked {
                out.push(domain(t.version(Some(a)))?);
            }
            out.sort_by_key(|v| v.number);
            out.dedup_by_key(|v| v.number);
            out
        };
        for v in chosen {
            if min.is_some_and(|m| v.number < m) || max.is_some_and(|m| v.number > m) {
                continue;
            }
            let keep = matches(&filters, &t.tags, |f| match f {
                "is-default-version" => vec![(v.number == t.default_version).to_string()],
                "image-id" => v.data.image_id.clone().into_iter().collect(),
                "instance-type" => v.data.instance_type.clone().into_iter().collect(),
                "key-name" => v.data.key_name.clone().into_iter().collect(),
                "create-time" => vec![iso(v.created)],
                _ => Vec::new(),
            });
            if keep {
                items.push((format!("{}/{:010}", t.id, v.number), t, v));
            }
        }
    }
    let (page, next) = paginate(items, |i| &i.0, limit, token.as_deref());
    x.list("launchTemplateVersionSet", page, |x, (_, t, v)| {
        write_version(x, t, v)
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}
