//! Golden wire tests of instance user data: RunInstances `UserData`, a launch template's
//! `UserData`, DescribeInstanceAttribute `userData` (with a value, and the empty element of an
//! instance without any), ModifyInstanceAttribute `UserData.Value` (refused while running,
//! accepted once stopped) and the refusals of text that is not base64 or is over 16 KB.

use vpcpeer_model::testkit::{TestEnv, A};
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_wire_aws::{error_document, handler, success_envelope, Ec2Error, Params, Xml};

const REQUEST_ID: &str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE";
/// 2026-01-02T03:04:05.678Z
const NOW: Timestamp = Timestamp(1_767_323_045_678);

/// `#!/bin/sh\necho hi\n` in base64.
const SCRIPT: &str = "IyEvYmluL3NoCmVjaG8gaGkK";

fn call(env: &mut TestEnv, action: &str, body: &str) -> Result<String, Ec2Error> {
    let h = handler(action).unwrap_or_else(|| panic!("no handler for {action}"));
    let mut x = Xml::new();
    let params = Params::parse(
        "",
        format!("Action={action}&Version=2016-11-15&{body}").as_bytes(),
    );
    env.transact(&Scope::new(A, "us-east-1"), |tx| h.run(tx, &params, &mut x))?;
    Ok(success_envelope(action, REQUEST_ID, &x.finish()))
}

fn ok(env: &mut TestEnv, action: &str, body: &str) -> String {
    call(env, action, body).unwrap_or_else(|e| panic!("{action} failed: {e:?}"))
}

fn err(env: &mut TestEnv, action: &str, body: &str) -> String {
    match call(env, action, body) {
        Ok(doc) => panic!("{action} succeeded: {doc}"),
        Err(e) => error_document(&e, REQUEST_ID),
    }
}

fn first(doc: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = doc
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"))
        + open.len();
    let end = doc[start..].find('<').expect("closing tag") + start;
    doc[start..end].to_owned()
}

fn env() -> TestEnv {
    let mut env = TestEnv::with_seed(1);
    env.now = NOW;
    env
}

fn subnet(env: &mut TestEnv) -> String {
    let vpc = first(&ok(env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    first(
        &ok(
            env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24&AvailabilityZone=us-east-1a"),
        ),
        "subnetId",
    )
}

fn run(env: &mut TestEnv, subnet: &str, extra: &str) -> String {
    first(
        &ok(
            env,
            "RunInstances",
            &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}{extra}"),
        ),
        "instanceId",
    )
}

fn attribute(env: &mut TestEnv, instance: &str) -> String {
    ok(
        env,
        "DescribeInstanceAttribute",
        &format!("InstanceId={instance}&Attribute=userData"),
    )
}

#[test]
fn user_data_from_launch_to_attribute() {
    let mut env = env();
    let subnet = subnet(&mut env);
    let with = run(&mut env, &subnet, &format!("&UserData={SCRIPT}"));
    insta::assert_snapshot!(
        "describe_instance_attribute_user_data",
        attribute(&mut env, &with)
    );
    let without = run(&mut env, &subnet, "");
    insta::assert_snapshot!(
        "describe_instance_attribute_user_data_none",
        attribute(&mut env, &without)
    );
    insta::assert_snapshot!(
        "modify_instance_attribute_user_data_running",
        err(
            &mut env,
            "ModifyInstanceAttribute",
            &format!("InstanceId={with}&UserData.Value=bmV3"),
        )
    );
    ok(&mut env, "StopInstances", &format!("InstanceId.1={with}"));
    insta::assert_snapshot!(
        "modify_instance_attribute_user_data_stopped",
        ok(
            &mut env,
            "ModifyInstanceAttribute",
            &format!("InstanceId={with}&UserData.Value=bmV3"),
        )
    );
    assert_eq!(first(&attribute(&mut env, &with), "value"), "bmV3");
}

#[test]
fn user_data_from_a_launch_template() {
    let mut env = env();
    let subnet = subnet(&mut env);
    let created = ok(
        &mut env,
        "CreateLaunchTemplate",
        &format!(
            "LaunchTemplateName=gateway&LaunchTemplateData.ImageId=ami-12345678&LaunchTemplateData.UserData={SCRIPT}"
        ),
    );
    let lt = first(&created, "launchTemplateId");
    insta::assert_snapshot!(
        "describe_launch_template_versions_user_data",
        ok(
            &mut env,
            "DescribeLaunchTemplateVersions",
            &format!("LaunchTemplateId={lt}"),
        )
    );
    let from_template = first(
        &ok(
            &mut env,
            "RunInstances",
            &format!(
                "MinCount=1&MaxCount=1&SubnetId={subnet}&LaunchTemplate.LaunchTemplateId={lt}"
            ),
        ),
        "instanceId",
    );
    assert_eq!(first(&attribute(&mut env, &from_template), "value"), SCRIPT);
    let own = run(
        &mut env,
        &subnet,
        &format!("&UserData=b3du&LaunchTemplate.LaunchTemplateId={lt}"),
    );
    assert_eq!(first(&attribute(&mut env, &own), "value"), "b3du");
}

#[test]
fn user_data_refusals() {
    let mut env = env();
    let subnet = subnet(&mut env);
    insta::assert_snapshot!(
        "run_instances_user_data_not_base64",
        err(
            &mut env,
            "RunInstances",
            &format!(
                "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&UserData=%21%21%21"
            ),
        )
    );
    let over = "YWFh".repeat(16 * 1024 / 3 + 1);
    insta::assert_snapshot!(
        "run_instances_user_data_over_16k",
        err(
            &mut env,
            "RunInstances",
            &format!(
                "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&UserData={over}"
            ),
        )
    );
    // Exactly 16 KB decoded is accepted.
    let at_limit = format!("{}YQ==", "YWFh".repeat(16 * 1024 / 3));
    run(
        &mut env,
        &subnet,
        &format!("&UserData={}", at_limit.replace('=', "%3D")),
    );
}
