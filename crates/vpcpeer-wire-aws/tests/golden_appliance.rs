//! Golden wire tests of the appliance actions: StopInstances, StartInstances,
//! DescribeInstanceStatus, Describe{NetworkInterface,Instance}Attribute, a DescribeRouteTables
//! with an instance route (active, then blackhole once the instance is stopped), a stopped
//! instance's `StateTransitionReason` (`reason`: `User initiated (… GMT)`) and the
//! `IncorrectInstanceState` error document. Driven in-process with a fixed clock, seeded ids and
//! a fixed request id, like `golden.rs`.

mod common;

use common::first;
use common::golden::{env, ok, refused};
use vpcpeer_model::testkit::TestEnv;

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
    let (e, doc) = refused(&mut env, "StopInstances", &format!("InstanceId.1={i}"));
    assert_eq!(e.status, 400);
    insta::assert_snapshot!("stop_instances_terminated", doc);
}

#[test]
fn a_stopped_instance_says_when_in_its_state_transition_reason() {
    let mut env = env();
    let (i, _, _) = layout(&mut env);
    ok(&mut env, "StopInstances", &format!("InstanceId.1={i}"));
    let stopped = ok(&mut env, "DescribeInstances", &format!("InstanceId.1={i}"));
    insta::assert_snapshot!("describe_instances_stopped", stopped);
    assert!(
        stopped.contains("<reason>User initiated (") && stopped.contains(" GMT)</reason>"),
        "{stopped}"
    );
    ok(&mut env, "StartInstances", &format!("InstanceId.1={i}"));
    let started = ok(&mut env, "DescribeInstances", &format!("InstanceId.1={i}"));
    assert!(started.contains("<reason></reason>"), "{started}");
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
