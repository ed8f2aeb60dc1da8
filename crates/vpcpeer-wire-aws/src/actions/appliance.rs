//! The appliance actions: ModifyNetworkInterfaceAttribute, DescribeNetworkInterfaceAttribute,
//! ResetNetworkInterfaceAttribute, ModifyInstanceAttribute, DescribeInstanceAttribute,
//! StopInstances, StartInstances and DescribeInstanceStatus.
//!
//! Emulator choices (AWS unverified or deliberately narrower):
//! - ModifyNetworkInterfaceAttribute takes exactly one of `SourceDestCheck.Value`,
//!   `Description.Value`, `SecurityGroupId.N`, `Attachment.AttachmentId` (with
//!   `Attachment.DeleteOnTermination`); none is `MissingParameter`, several
//!   `InvalidParameterCombination`. The other members of the shape (ENA, connection tracking,
//!   public address, primary IPv6) are refused with `UnsupportedOperation` [UNVERIFIED code].
//! - ModifyInstanceAttribute supports `SourceDestCheck.Value`, `GroupId.N`,
//!   `InstanceType.Value`, `UserData.Value` (base64; only while the instance is stopped, else
//!   `IncorrectInstanceState`, as AWS documents) and the old form `Attribute` + `Value` for
//!   `sourceDestCheck`, `instanceType` and `userData`; any other attribute is
//!   `UnsupportedOperation` [UNVERIFIED code]: the emulator models no kernel, block devices or
//!   API-termination flags.
//! - DescribeInstanceAttribute answers `sourceDestCheck`, `instanceType`, `groupSet` and
//!   `userData` (`<userData><value>base64</value></userData>`, an empty `<userData/>` when the
//!   instance has none); the
//!   other names of the `InstanceAttributeName` enumeration are `UnsupportedOperation`, and a
//!   name outside it `InvalidParameterValue`.
//! - DescribeInstanceStatus shows `ok` (reachability `passed`) for a running instance, and
//!   `not-applicable` for any other state (listed only with `IncludeAllInstances=true`); it has
//!   no scheduled events. Filters: `availability-zone`, `instance-state-code`,
//!   `instance-state-name`, `instance-status.status`, `instance-status.reachability`,
//!   `system-status.status`, `system-status.reachability`.
//! - Error texts for `IncorrectInstanceState` follow AWS's answers as commonly quoted; the
//!   attachment and group-count texts are [UNVERIFIED].

use vpcpeer_model::aws::appliance::{
    ApplianceCommand, ApplianceOutcome, InstanceChange, InterfaceChange,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{ApplianceProblem, Instance, InstanceAction, InstanceState, Tx};

use super::instance::{group_set, state_code_name, state_xml};
use super::{change, domain, only_one_attribute, render_done, unexpected, Action};
use crate::filter::{self, matches, paginate};
use crate::messages::Words;
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The appliance actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "ModifyNetworkInterfaceAttribute" => change(parse_modify_eni, render_done),
        "ResetNetworkInterfaceAttribute" => change(parse_reset_eni, render_done),
        "DescribeNetworkInterfaceAttribute" => Action::Read(describe_eni_attribute),
        "ModifyInstanceAttribute" => change(parse_modify_instance, render_done),
        "DescribeInstanceAttribute" => Action::Read(describe_instance_attribute),
        "StopInstances" => change(
            |p| {
                p.bool("Force")?;
                p.bool("Hibernate")?;
                Ok(appliance(ApplianceCommand::Stop {
                    ids: required_ids(p)?,
                }))
            },
            render_state_changes,
        ),
        "StartInstances" => change(
            |p| {
                Ok(appliance(ApplianceCommand::Start {
                    ids: required_ids(p)?,
                }))
            },
            render_state_changes,
        ),
        "DescribeInstanceStatus" => Action::Read(describe_instance_status),
        _ => return None,
    })
}

fn appliance(c: ApplianceCommand) -> Command {
    Command::Appliance(c)
}

fn required_ids(p: &Params) -> Result<Vec<String>, Ec2Error> {
    let ids = p.list("InstanceId");
    if ids.is_empty() {
        return Err(Ec2Error::missing("InstanceId"));
    }
    Ok(ids)
}

fn unsupported(what: &str) -> Ec2Error {
    Ec2Error::new(
        "UnsupportedOperation",
        format!("The attribute '{what}' is not supported by this emulator."),
    )
}

/// `Name.Value` as a boolean, required when `Name.Value` is named at all.
fn bool_value(p: &Params, name: &str) -> Result<Option<bool>, Ec2Error> {
    p.bool(&format!("{name}.Value"))
}

/// Parameters of the shape this emulator does not model: present → `UnsupportedOperation`.
const ENI_UNMODELLED: &[&str] = &[
    "EnaSrdSpecification.",
    "EnablePrimaryIpv6",
    "ConnectionTrackingSpecification.",
    "AssociatePublicIpAddress",
    "AssociatedSubnetId.",
    "Attachment.DefaultEnaQueueCount",
    "Attachment.EnaQueueCount",
];

fn parse_modify_eni(p: &Params) -> Result<Command, Ec2Error> {
    let interface_id = p.id("NetworkInterfaceId")?;
    for prefix in ENI_UNMODELLED {
        if p.keys().any(|k| k.starts_with(prefix)) {
            return Err(unsupported(prefix.trim_end_matches('.')));
        }
    }
    let mut given = Vec::new();
    if let Some(v) = bool_value(p, "SourceDestCheck")? {
        given.push(InterfaceChange::SourceDestCheck(v));
    }
    if let Some(d) = p.string("Description.Value") {
        given.push(InterfaceChange::Description(d));
    }
    let groups = p.list("SecurityGroupId");
    if !groups.is_empty() {
        given.push(InterfaceChange::Groups(groups));
    }
    if let Some(id) = p.string("Attachment.AttachmentId") {
        let value = p
            .bool("Attachment.DeleteOnTermination")?
            .ok_or_else(|| Ec2Error::missing("Attachment.DeleteOnTermination"))?;
        given.push(InterfaceChange::DeleteOnTermination {
            attachment_id: id,
            value,
        });
    } else if p.get("Attachment.DeleteOnTermination").is_some() {
        return Err(Ec2Error::missing("Attachment.AttachmentId"));
    }
    let change = only_one_attribute(given, "SourceDestCheck")?;
    Ok(appliance(ApplianceCommand::ModifyInterface {
        interface_id,
        change,
    }))
}

fn parse_reset_eni(p: &Params) -> Result<Command, Ec2Error> {
    let interface_id = p.id("NetworkInterfaceId")?;
    match p.get("SourceDestCheck") {
        Some("sourceDestCheck") | Some("SourceDestCheck") | Some("true") => {}
        Some(other) => return Err(Ec2Error::invalid_value("SourceDestCheck", other)),
        None => return Err(Ec2Error::missing("SourceDestCheck")),
    }
    Ok(appliance(ApplianceCommand::ResetSourceDestCheck {
        interface_id,
    }))
}

/// Attributes of ModifyInstanceAttribute that the emulator does not model (the `X.Value`
/// members and lists of the shape).
const INSTANCE_UNMODELLED: &[&str] = &[
    "DisableApiStop",
    "DisableApiTermination",
    "Kernel",
    "Ramdisk",
    "InstanceInitiatedShutdownBehavior",
    "EbsOptimized",
    "SriovNetSupport",
    "EnaSupport",
    "EnclaveOptions",
    "BlockDeviceMapping",
];

fn parse_modify_instance(p: &Params) -> Result<Command, Ec2Error> {
    let instance_id = p.id("InstanceId")?;
    for name in INSTANCE_UNMODELLED {
        let prefix = format!("{name}.");
        if p.keys().any(|k| k.starts_with(&prefix)) {
            return Err(unsupported(name));
        }
    }
    let mut given = Vec::new();
    if let Some(v) = bool_value(p, "SourceDestCheck")? {
        given.push(InstanceChange::SourceDestCheck(v));
    }
    let groups = p.list("GroupId");
    if !groups.is_empty() {
        given.push(InstanceChange::Groups(groups));
    }
    if let Some(t) = p.string("InstanceType.Value") {
        given.push(InstanceChange::InstanceType(t));
    }
    if let Some(d) = p.get("UserData.Value") {
        given.push(InstanceChange::UserData(
            super::user_data::value(d)?.unwrap_or_default(),
        ));
    }
    if let Some(attr) = p.get("Attribute") {
        let value = p.required("Value")?;
        given.push(match attr {
            "sourceDestCheck" => InstanceChange::SourceDestCheck(match value {
                v if v.eq_ignore_ascii_case("true") => true,
                v if v.eq_ignore_ascii_case("false") => false,
                v => return Err(Ec2Error::invalid_value("Value", v)),
            }),
            "instanceType" => InstanceChange::InstanceType(value.to_owned()),
            "userData" => {
                InstanceChange::UserData(super::user_data::value(value)?.unwrap_or_default())
            }
            a if INSTANCE_ATTRIBUTES.contains(&a) => return Err(unsupported(a)),
            a => return Err(Ec2Error::invalid_value("Attribute", a)),
        });
    }
    let change = only_one_attribute(given, "Attribute")?;
    Ok(appliance(ApplianceCommand::ModifyInstance {
        instance_id,
        change,
    }))
}

/// The `InstanceAttributeName` enumeration.
const INSTANCE_ATTRIBUTES: &[&str] = &[
    "instanceType",
    "kernel",
    "ramdisk",
    "userData",
    "disableApiTermination",
    "instanceInitiatedShutdownBehavior",
    "rootDeviceName",
    "blockDeviceMapping",
    "productCodes",
    "sourceDestCheck",
    "groupSet",
    "ebsOptimized",
    "sriovNetSupport",
    "enaSupport",
    "enclaveOptions",
    "disableApiStop",
];

fn describe_eni_attribute(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let id = p.required("NetworkInterfaceId")?;
    let attr = p.get("Attribute");
    if let Some(a) = attr {
        if ![
            "description",
            "groupSet",
            "sourceDestCheck",
            "attachment",
            "associatePublicIpAddress",
        ]
        .contains(&a)
        {
            return Err(Ec2Error::invalid_value("Attribute", a));
        }
    }
    let e = domain(tx.network_interface(id))?;
    x.leaf("networkInterfaceId", &e.id);
    match attr {
        Some("description") => {
            x.node("description", |x| {
                x.leaf("value", &e.description);
            });
        }
        Some("groupSet") => group_set(tx, x, &e.groups),
        Some("sourceDestCheck") => {
            x.node("sourceDestCheck", |x| {
                x.leaf("value", e.source_dest_check);
            });
        }
        Some("attachment") => {
            if let Some(a) = &e.attachment {
                x.node("attachment", |x| {
                    x.leaf("attachmentId", &a.id)
                        .leaf("instanceId", &a.instance_id)
                        .leaf("instanceOwnerId", &e.scope.account)
                        .leaf("deviceIndex", a.device_index)
                        .leaf("status", "attached")
                        .leaf("attachTime", iso(a.attach_time))
                        .leaf("deleteOnTermination", a.delete_on_termination)
                        .leaf("networkCardIndex", 0);
                });
            }
        }
        Some(_) => {
            // associatePublicIpAddress: public addresses are not modelled.
            x.leaf("associatePublicIpAddress", false);
        }
        // [UNVERIFIED] AWS requires `Attribute` in practice; without one, the emulator answers
        // the four attributes it keeps.
        None => {
            x.node("description", |x| {
                x.leaf("value", &e.description);
            });
            group_set(tx, x, &e.groups);
            x.node("sourceDestCheck", |x| {
                x.leaf("value", e.source_dest_check);
            });
        }
    }
    Ok(())
}

fn describe_instance_attribute(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let id = p.required("InstanceId")?;
    let attr = p.required("Attribute")?;
    if !INSTANCE_ATTRIBUTES.contains(&attr) {
        return Err(Ec2Error::invalid_value("Attribute", attr));
    }
    let i = domain(tx.visible_instance(id))?;
    let primary = i.eni_ids.first().and_then(|e| tx.network_interface(e).ok());
    x.leaf("instanceId", &i.id);
    match attr {
        "instanceType" => {
            x.node("instanceType", |x| {
                x.leaf("value", &i.instance_type);
            });
        }
        "sourceDestCheck" => {
            x.node("sourceDestCheck", |x| {
                x.opt_leaf("value", primary.map(|e| e.source_dest_check));
            });
        }
        "groupSet" => {
            let groups = primary.map(|e| e.groups.clone()).unwrap_or_default();
            group_set(tx, x, &groups);
        }
        // An empty element when the instance has none, as AWS answers.
        "userData" => {
            x.node("userData", |x| {
                x.opt_leaf("value", i.user_data.as_deref());
            });
        }
        other => return Err(unsupported(other)),
    }
    Ok(())
}

fn render_state_changes(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let changes = match outcome {
        Outcome::Appliance(ApplianceOutcome::Stopped(c) | ApplianceOutcome::Started(c)) => c,
        other => return unexpected(&other, x),
    };
    x.list("instancesSet", changes, |x, (id, previous, current)| {
        x.leaf("instanceId", id);
        state_xml(x, "currentState", current);
        state_xml(x, "previousState", previous);
    });
}

const STATUS_FILTERS: &[&str] = &[
    "availability-zone",
    "instance-state-code",
    "instance-state-name",
    "instance-status.reachability",
    "instance-status.status",
    "system-status.reachability",
    "system-status.status",
];

/// `ok`/`passed` for a running instance, `not-applicable` otherwise.
fn status_of(i: &Instance) -> (&'static str, &'static str) {
    if i.state == InstanceState::Running {
        ("ok", "passed")
    } else {
        ("not-applicable", "not-applicable")
    }
}

fn status_field(i: &Instance, name: &str) -> Vec<String> {
    let (code, state) = state_code_name(i.state);
    let (status, reach) = status_of(i);
    let v = match name {
        "availability-zone" => i.availability_zone.clone(),
        "instance-state-code" => code.to_string(),
        "instance-state-name" => state.to_owned(),
        "instance-status.status" | "system-status.status" => status.to_owned(),
        "instance-status.reachability" | "system-status.reachability" => reach.to_owned(),
        _ => return Vec::new(),
    };
    vec![v]
}

fn describe_instance_status(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, STATUS_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let all = p.bool("IncludeAllInstances")?.unwrap_or(false);
    let ids = p.list("InstanceId");
    if !ids.is_empty() && limit.is_some() {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    let mut items: Vec<&Instance> = if ids.is_empty() {
        tx.visible_instances().collect()
    } else {
        super::explicit(&ids, |id| tx.visible_instance(id))?
    };
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items.retain(|i| {
        (all || i.state == InstanceState::Running)
            && matches(&filters, &vpcpeer_model::Tags::new(), |n| {
                status_field(i, n)
            })
    });
    let (page, next) = paginate(items, |i| &i.id, limit, token.as_deref());
    x.list("instanceStatusSet", page, |x, i| {
        let (status, reach) = status_of(i);
        let summary = |x: &mut Xml| {
            x.leaf("status", status).node("details", |x| {
                x.node("item", |x| {
                    x.leaf("name", "reachability").leaf("status", reach);
                });
            });
        };
        x.leaf("instanceId", &i.id)
            .leaf("availabilityZone", &i.availability_zone)
            .node("eventsSet", |_| {});
        state_xml(x, "instanceState", i.state);
        x.node("systemStatus", summary)
            .node("instanceStatus", summary);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

/// EC2's words for an appliance refusal.
pub(crate) fn words(p: &ApplianceProblem) -> Words {
    match p {
        ApplianceProblem::IncorrectInstanceState {
            instance_id,
            action,
            ..
        } => (
            "IncorrectInstanceState",
            match action {
                InstanceAction::Stop => format!(
                    "This instance '{instance_id}' is not in a state from which it can be stopped."
                ),
                InstanceAction::Start => format!(
                    "The instance '{instance_id}' is not in a state from which it can be started."
                ),
                InstanceAction::Modify => {
                    format!("The instance '{instance_id}' is not in the 'stopped' state.")
                }
            },
        ),
        ApplianceProblem::AttachmentNotFound { attachment_id } => (
            "InvalidAttachmentID.NotFound",
            format!("The attachment ID '{attachment_id}' does not exist"),
        ),
        ApplianceProblem::TooManyGroups { .. } => (
            "SecurityGroupsPerInterfaceLimitExceeded",
            "The maximum number of security groups per interface has been reached.".into(),
        ),
        ApplianceProblem::NoGroups => (
            "MissingParameter",
            "The request must contain the parameter SecurityGroupId".into(),
        ),
        ApplianceProblem::DescriptionTooLong { max } => (
            "InvalidParameterValue",
            format!(
                "Value for parameter description is invalid. It must be at most {max} characters."
            ),
        ),
        ApplianceProblem::NoPrimaryInterface { instance_id } => (
            "IncorrectInstanceState",
            format!("The instance '{instance_id}' has no network interface."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str, f: fn(&Params) -> Result<Command, Ec2Error>) -> Result<Command, String> {
        f(&Params::parse(q, b"")).map_err(|e| e.code)
    }

    #[test]
    fn modify_interface_parameters() {
        let eni = |c| {
            Ok(appliance(ApplianceCommand::ModifyInterface {
                interface_id: "eni-1".into(),
                change: c,
            }))
        };
        let cases: Vec<(&str, Result<Command, String>)> = vec![
            (
                "NetworkInterfaceId=eni-1&SourceDestCheck.Value=false",
                eni(InterfaceChange::SourceDestCheck(false)),
            ),
            (
                "NetworkInterfaceId=eni-1&Description.Value=fw",
                eni(InterfaceChange::Description("fw".into())),
            ),
            (
                "NetworkInterfaceId=eni-1&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2",
                eni(InterfaceChange::Groups(vec!["sg-1".into(), "sg-2".into()])),
            ),
            (
                "NetworkInterfaceId=eni-1&Attachment.AttachmentId=eni-attach-1&Attachment.DeleteOnTermination=false",
                eni(InterfaceChange::DeleteOnTermination {
                    attachment_id: "eni-attach-1".into(),
                    value: false,
                }),
            ),
            ("SourceDestCheck.Value=false", Err("MissingParameter".into())),
            ("NetworkInterfaceId=eni-1", Err("MissingParameter".into())),
            (
                "NetworkInterfaceId=eni-1&SourceDestCheck.Value=maybe",
                Err("InvalidParameterValue".into()),
            ),
            (
                "NetworkInterfaceId=eni-1&SourceDestCheck.Value=false&Description.Value=x",
                Err("InvalidParameterCombination".into()),
            ),
            (
                "NetworkInterfaceId=eni-1&Attachment.AttachmentId=eni-attach-1",
                Err("MissingParameter".into()),
            ),
            (
                "NetworkInterfaceId=eni-1&EnablePrimaryIpv6=true",
                Err("UnsupportedOperation".into()),
            ),
        ];
        for (q, want) in cases {
            assert_eq!(parsed(q, parse_modify_eni), want, "{q}");
        }
    }

    #[test]
    fn modify_instance_parameters() {
        let inst = |c| {
            Ok(appliance(ApplianceCommand::ModifyInstance {
                instance_id: "i-1".into(),
                change: c,
            }))
        };
        let cases: Vec<(&str, Result<Command, String>)> = vec![
            (
                "InstanceId=i-1&SourceDestCheck.Value=false",
                inst(InstanceChange::SourceDestCheck(false)),
            ),
            (
                "InstanceId=i-1&Attribute=sourceDestCheck&Value=true",
                inst(InstanceChange::SourceDestCheck(true)),
            ),
            (
                "InstanceId=i-1&InstanceType.Value=t3.micro",
                inst(InstanceChange::InstanceType("t3.micro".into())),
            ),
            (
                "InstanceId=i-1&GroupId.1=sg-1",
                inst(InstanceChange::Groups(vec!["sg-1".into()])),
            ),
            ("InstanceId=i-1", Err("MissingParameter".into())),
            (
                "InstanceId=i-1&DisableApiTermination.Value=true",
                Err("UnsupportedOperation".into()),
            ),
            (
                "InstanceId=i-1&Attribute=userData&Value=x",
                Err("InvalidParameterValue".into()),
            ),
            (
                "InstanceId=i-1&Attribute=userData&Value=aGVsbG8%3D",
                inst(InstanceChange::UserData("aGVsbG8=".into())),
            ),
            (
                "InstanceId=i-1&UserData.Value=aGVsbG8%3D",
                inst(InstanceChange::UserData("aGVsbG8=".into())),
            ),
            (
                "InstanceId=i-1&UserData.Value=",
                inst(InstanceChange::UserData(String::new())),
            ),
            (
                "InstanceId=i-1&UserData.Value=%21%21",
                Err("InvalidParameterValue".into()),
            ),
            (
                "InstanceId=i-1&Kernel.Value=aki-1",
                Err("UnsupportedOperation".into()),
            ),
            (
                "InstanceId=i-1&Attribute=colour&Value=x",
                Err("InvalidParameterValue".into()),
            ),
            (
                "InstanceId=i-1&SourceDestCheck.Value=false&InstanceType.Value=t3.micro",
                Err("InvalidParameterCombination".into()),
            ),
        ];
        for (q, want) in cases {
            assert_eq!(parsed(q, parse_modify_instance), want, "{q}");
        }
    }
}
