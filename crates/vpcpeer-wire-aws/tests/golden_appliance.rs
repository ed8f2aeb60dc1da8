//! Golden wire tests of the appliance actions: StopInstances, StartInstances,
//! DescribeInstanceStatus, Describe{NetworkInterface,Instance}Attribute, a DescribeRouteTables
//! with an instance route (active, then blackhole once the instance is stopped) and the
//! `IncorrectInstanceState` error document. Driven in-process with a fixed clock, seeded ids and
//! a fixed request id, like `golden.rs`.

use vpcpeer_model::testkit::{TestEnv, A};
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_wire_aws::{error_document, handler, success_envelope, Ec2Error, Params, Xml};

const REQUEST_ID: &str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE";
/// 2026-01-02T03:04:05.678Z
const NOW: Timestamp = Timestamp(1_767_323_045_678);

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

fn first(doc: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = doc
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"))
        + open.len();
    let end = doc[start..].find('<').expect("closing tag") + start;
    doc[start..end].to_owned()
}

/// A VPC with one subnet, a second (private) route table whose default route goes to an
/// instance, and that instance (the appliance). Returns (instance, its interface, route table).
fn layout(env: &mut TestEnv) -> (String, String, String) {
    let vpc = first(&ok(env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    let subnet = first(
        &ok(
            env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24&AvailabilityZone=us-east-1a"),
        ),
        "subnetId",
    );
    let run = ok(
        env,
        "RunInstances",
        &format!(
            "ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&InstanceType=t3.micro"
        ),
    );
    let instance = first(&run, "instanceId");
    let eni = first(&run, "networkInterfaceId");
    let rtb = first(
        &ok(env, "CreateRouteTable", &format!("VpcId={vpc}")),
        "routeTableId",
    );
    ok(
        env,
        "CreateRoute",
        &format!("RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&InstanceId={instance}"),
    );
    (instance, eni, rtb)
}

fn env() -> TestEnv {
    let mut env = TestEnv::with_seed(1);
    env.now = NOW;
    env
}

#[test]
fn stop_and_start_instances() {
    let mut env = env();
    let (i, _, _) = layout(&mut env);
    insta::assert_snapshot!(
        "stop_instances",
        ok(
            &mut env,
            "StopInstances",
            &format!("InstanceId.1={i}&Force=true")
        )
    );
    insta::assert_snapshot!(
        "stop_instances_again",
        ok(&mut env, "StopInstances", &format!("InstanceId.1={i}"))
    );
    insta::assert_snapshot!(
        "start_instances",
        ok(&mut env, "StartInstances", &format!("InstanceId.1={i}"))
    );
    ok(&mut env, "TerminateInstances", &format!("InstanceId.1={i}"));
    let e = call(&mut env, "StopInstances", &format!("InstanceId.1={i}")).unwrap_err();
    assert_eq!(e.status, 400);
    insta::assert_snapshot!("stop_instances_terminated", error_document(&e, REQUEST_ID));
}

#[test]
fn describe_instance_status() {
    let mut env = env();
    let (i, _, _) = layout(&mut env);
    insta::assert_snapshot!(
        "describe_instance_status_running",
        ok(&mut env, "DescribeInstanceStatus", "")
    );
    ok(&mut env, "StopInstances", &format!("InstanceId.1={i}"));
    let hidden = ok(&mut env, "DescribeInstanceStatus", "");
    assert!(
        !hidden.contains(&i),
        "a stopped instance is listed only with IncludeAllInstances"
    );
    insta::assert_snapshot!(
        "describe_instance_status_all",
        ok(
            &mut env,
            "DescribeInstanceStatus",
            "IncludeAllInstances=true&Filter.1.Name=instance-state-name&Filter.1.Value.1=stopped"
        )
    );
}

#[test]
fn interface_and_instance_attributes() {
    let mut env = env();
    let (i, eni, _) = layout(&mut env);
    ok(
        &mut env,
        "ModifyNetworkInterfaceAttribute",
        &format!("NetworkInterfaceId={eni}&SourceDestCheck.Value=false"),
    );
    for attr in ["sourceDestCheck", "attachment", "groupSet", "description"] {
        insta::assert_snapshot!(
            format!("describe_network_interface_attribute_{attr}"),
            ok(
                &mut env,
                "DescribeNetworkInterfaceAttribute",
                &format!("NetworkInterfaceId={eni}&Attribute={attr}")
            )
        );
    }
    insta::assert_snapshot!(
        "describe_instance_attribute_source_dest_check",
        ok(
            &mut env,
            "DescribeInstanceAttribute",
            &format!("InstanceId={i}&Attribute=sourceDestCheck")
        )
    );
    ok(
        &mut env,
        "ResetNetworkInterfaceAttribute",
        &format!("NetworkInterfaceId={eni}&SourceDestCheck=sourceDestCheck"),
    );
    let doc = ok(
        &mut env,
        "DescribeInstanceAttribute",
        &format!("InstanceId={i}&Attribute=sourceDestCheck"),
    );
    assert!(
        doc.contains("<sourceDestCheck><value>true</value></sourceDestCheck>"),
        "{doc}"
    );
    ok(
        &mut env,
        "ModifyInstanceAttribute",
        &format!("InstanceId={i}&SourceDestCheck.Value=false"),
    );
    let doc = ok(
        &mut env,
        "DescribeNetworkInterfaceAttribute",
        &format!("NetworkInterfaceId={eni}&Attribute=sourceDestCheck"),
    );
    assert!(doc.contains("<value>false</value>"), "{doc}");
}

#[test]
fn route_table_with_an_instance_route() {
    let mut env = env();
    let (i, _, rtb) = layout(&mut env);
    insta::assert_snapshot!(
        "describe_route_tables_instance_route",
        ok(
            &mut env,
            "DescribeRouteTables",
            &format!("RouteTableId.1={rtb}")
        )
    );
    ok(&mut env, "StopInstances", &format!("InstanceId.1={i}"));
    let doc = ok(
        &mut env,
        "DescribeRouteTables",
        &format!("RouteTableId.1={rtb}"),
    );
    insta::assert_snapshot!("describe_route_tables_instance_route_stopped", doc);
    let by_state = ok(
        &mut env,
        "DescribeRouteTables",
        "Filter.1.Name=route.state&Filter.1.Value.1=blackhole",
    );
    assert!(by_state.contains(&rtb), "{by_state}");
}
