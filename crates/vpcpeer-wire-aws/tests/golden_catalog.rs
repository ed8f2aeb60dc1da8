//! Golden wire tests of the catalogue area (issue 11, points 2–4): key pairs, launch templates,
//! instance types, images, regions and zones, and the error-fidelity answers (exact code, HTTP
//! status and message), driven in-process with a fixed clock, seeded ids and a fixed request id.
//!
//! Review a changed snapshot with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! vpcpeer-wire-aws --test golden_catalog`) before accepting it.

mod common;

use common::golden::{env, ok, ok_in, refused_in, A_EAST};
use common::{first, form_encode};
use vpcpeer_model::testkit::{TestEnv, A, B};

/// A failed call as `who`: (HTTP status, code, message), as its error document words them.
fn err_in(env: &mut TestEnv, who: (&str, &str), action: &str, body: &str) -> (u16, String, String) {
    let (e, doc) = refused_in(env, who, action, body);
    (e.status, first(&doc, "Code"), first(&doc, "Message"))
}

/// A failed call as account A in us-east-1.
fn err(env: &mut TestEnv, action: &str, body: &str) -> (u16, String, String) {
    err_in(env, A_EAST, action, body)
}

/// The element `<tag>…</tag>` (first one, whole) in `doc`.
fn element(doc: &str, tag: &str) -> String {
    let start = doc
        .find(&format!("<{tag}>"))
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"));
    let close = format!("</{tag}>");
    let end = doc[start..].find(&close).expect("closing tag") + start + close.len();
    doc[start..end].to_owned()
}

/// A VPC 10.0.0.0/16 of account A with a subnet 10.0.1.0/24: (vpc, subnet).
fn vpc_and_subnet(env: &mut TestEnv) -> (String, String) {
    let vpc = first(&ok(env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    let subnet = first(
        &ok(
            env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        ),
        "subnetId",
    );
    (vpc, subnet)
}

// --- Point 3: error fidelity ---------------------------------------------------------------------

#[test]
fn cidr_limit_exceeded_names_the_vpc_unquoted() {
    let mut env = env();
    let vpc = first(&ok(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    for n in 1..5 {
        ok(
            &mut env,
            "AssociateVpcCidrBlock",
            &format!("VpcId={vpc}&CidrBlock=10.{n}.0.0/16"),
        );
    }
    let got = err(
        &mut env,
        "AssociateVpcCidrBlock",
        &format!("VpcId={vpc}&CidrBlock=10.9.0.0/16"),
    );
    assert_eq!(
        got,
        (
            400,
            "CidrLimitExceeded".into(),
            format!("This network {vpc} has met its maximum number of allowed CIDRs: 5")
        )
    );
}

#[test]
fn a_malformed_group_id_filter_is_invalid_group_id_malformed() {
    let mut env = env();
    for bad in ["bogus", "sg-xyz", "sg-123"] {
        let got = err(
            &mut env,
            "DescribeSecurityGroupRules",
            &format!("Filter.1.Name=group-id&Filter.1.Value.1={bad}"),
        );
        assert_eq!(
            got,
            (
                400,
                "InvalidGroupId.Malformed".into(),
                format!("Invalid id: \"{bad}\"")
            ),
            "{bad}"
        );
    }
    // A well-formed id that names nothing, or a wildcard, matches nothing.
    for fine in ["sg-0123456789abcdef0", "sg-*"] {
        let doc = ok(
            &mut env,
            "DescribeSecurityGroupRules",
            &format!("Filter.1.Name=group-id&Filter.1.Value.1={fine}"),
        );
        assert!(
            doc.contains("<securityGroupRuleSet></securityGroupRuleSet>")
                || doc.contains("<securityGroupRuleSet/>"),
            "{doc}"
        );
    }
}

#[test]
fn a_reject_in_the_wrong_region_answers_incorrect_region() {
    let mut env = env();
    let a_vpc = first(&ok(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    let b_vpc = first(
        &ok_in(
            &mut env,
            (B, "us-west-2"),
            "CreateVpc",
            "CidrBlock=10.1.0.0/16",
        ),
        "vpcId",
    );
    let pcx = first(
        &ok(
            &mut env,
            "CreateVpcPeeringConnection",
            &format!("VpcId={a_vpc}&PeerVpcId={b_vpc}&PeerOwnerId={B}&PeerRegion=us-west-2"),
        ),
        "vpcPeeringConnectionId",
    );
    let body = format!("VpcPeeringConnectionId={pcx}");
    let got = err_in(
        &mut env,
        (B, "us-east-1"),
        "RejectVpcPeeringConnection",
        &body,
    );
    assert_eq!(
        got,
        (
            400,
            "OperationNotPermitted".into(),
            format!("Incorrect region (us-east-1) specified for this request. VPC peering connection {pcx} must be rejected in region us-west-2")
        )
    );
    ok_in(
        &mut env,
        (B, "us-west-2"),
        "RejectVpcPeeringConnection",
        &body,
    );
}

#[test]
fn an_insights_security_group_blocker_names_the_groups() {
    let mut env = env();
    let (vpc, subnet) = vpc_and_subnet(&mut env);
    let mut group = |name: &str| {
        first(
            &ok(
                &mut env,
                "CreateSecurityGroup",
                &format!("GroupName={name}&GroupDescription=closed&VpcId={vpc}"),
            ),
            "groupId",
        )
    };
    let (g1, g2) = (group("closed1"), group("closed2"));
    let launch = |env: &mut TestEnv, groups: &str| {
        first(
            &ok(
                env,
                "RunInstances",
                &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}{groups}"),
            ),
            "instanceId",
        )
    };
    let src = launch(&mut env, "");
    let dst = launch(
        &mut env,
        &format!("&SecurityGroupId.1={g1}&SecurityGroupId.2={g2}"),
    );
    let path = first(
        &ok(
            &mut env,
            "CreateNetworkInsightsPath",
            &format!("Source={src}&Destination={dst}&Protocol=tcp&DestinationPort=22"),
        ),
        "networkInsightsPathId",
    );
    let doc = ok(
        &mut env,
        "StartNetworkInsightsAnalysis",
        &format!("NetworkInsightsPathId={path}"),
    );
    assert_eq!(first(&doc, "networkPathFound"), "false");
    let explanations = element(&doc, "explanationSet");
    assert!(
        explanations.contains(&format!("<id>{g1}</id>")),
        "{explanations}"
    );
    assert!(
        explanations.contains(&format!("<id>{g2}</id>")),
        "{explanations}"
    );
    insta::assert_snapshot!("insights_sg_blocker_explanation", explanations);
    // DescribeNetworkInsightsAnalyses shows the same stored explanation.
    let described = ok(&mut env, "DescribeNetworkInsightsAnalyses", "");
    assert_eq!(element(&described, "explanationSet"), explanations);
}

// --- Regions and zones ---------------------------------------------------------------------------

#[test]
fn describe_regions_all_regions() {
    let mut env = env();
    let all = ok(&mut env, "DescribeRegions", "AllRegions=true");
    insta::assert_snapshot!("describe_regions_all_regions", all);
    assert_eq!(all.matches("<regionName>").count(), 34);
    // Every region is enabled here: AllRegions adds none, and none is not-opted-in.
    let enabled = ok(&mut env, "DescribeRegions", "");
    assert_eq!(
        enabled.matches("<regionName>").count(),
        all.matches("<regionName>").count()
    );
    assert!(!all.contains("not-opted-in"));
    let opted = ok(
        &mut env,
        "DescribeRegions",
        "AllRegions=true&Filter.1.Name=opt-in-status&Filter.1.Value.1=opted-in",
    );
    assert!(opted.contains("<regionName>mx-central-1</regionName>"));
    assert!(!opted.contains("<regionName>us-east-1</regionName>"));
    let (status, code, _) = err(&mut env, "DescribeRegions", "AllRegions=maybe");
    assert_eq!((status, code.as_str()), (400, "InvalidParameterValue"));
}

#[test]
fn describe_availability_zones_names_and_ids() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "DescribeAvailabilityZones",
        "AllAvailabilityZones=true",
    );
    insta::assert_snapshot!("describe_availability_zones_us_east_1", doc);
    assert_eq!(doc.matches("<zoneName>").count(), 6);
    let tokyo = ok_in(
        &mut env,
        (A, "ap-northeast-1"),
        "DescribeAvailabilityZones",
        "",
    );
    let pairs: Vec<(String, String)> = tokyo
        .split("<item>")
        .skip(1)
        .map(|i| (first(i, "zoneName"), first(i, "zoneId")))
        .collect();
    let want = [
        ("ap-northeast-1a", "apne1-az4"),
        ("ap-northeast-1c", "apne1-az1"),
        ("ap-northeast-1d", "apne1-az2"),
    ];
    assert_eq!(
        pairs,
        want.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    let by_id = ok(&mut env, "DescribeAvailabilityZones", "ZoneId.1=use1-az6");
    assert_eq!(first(&by_id, "zoneName"), "us-east-1f");
}

// --- Instance types and images -------------------------------------------------------------------

#[test]
fn describe_instance_types_page() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "DescribeInstanceTypes",
        "Filter.1.Name=instance-type&Filter.1.Value.1=t3.*&MaxResults=5",
    );
    insta::assert_snapshot!("describe_instance_types_page", doc);
    assert_eq!(doc.matches("<instanceType>").count(), 5);
    let token = first(&doc, "nextToken");
    let rest = ok(
        &mut env,
        "DescribeInstanceTypes",
        &format!(
            "Filter.1.Name=instance-type&Filter.1.Value.1=t3.*&MaxResults=5&NextToken={token}"
        ),
    );
    assert_eq!(rest.matches("<instanceType>").count(), 2, "{rest}");
    assert!(!rest.contains("<nextToken>"));
    let x86 = ok(
        &mut env,
        "DescribeInstanceTypes",
        "InstanceType.1=t2.micro&InstanceType.2=m5.large&Filter.1.Name=current-generation&Filter.1.Value.1=true",
    );
    assert_eq!(x86.matches("<instanceType>").count(), 2);
    assert!(x86.contains("<sizeInMiB>1024</sizeInMiB>"));
    let (status, code, message) = err(
        &mut env,
        "DescribeInstanceTypes",
        "InstanceType.1=t2.micro&InstanceType.2=t9.huge",
    );
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (
            400,
            "InvalidInstanceType",
            "The following supplied instance types do not exist: [t9.huge]"
        )
    );
    let (_, code, _) = err(&mut env, "DescribeInstanceTypes", "MaxResults=1000");
    assert_eq!(code, "InvalidParameterValue");
}

#[test]
fn describe_instance_type_offerings_by_location_type() {
    let mut env = env();
    let region = ok(
        &mut env,
        "DescribeInstanceTypeOfferings",
        "Filter.1.Name=instance-type&Filter.1.Value.1=t3.micro",
    );
    assert_eq!(first(&region, "locationType"), "region");
    assert_eq!(first(&region, "location"), "us-east-1");
    let zones = ok(
        &mut env,
        "DescribeInstanceTypeOfferings",
        "LocationType=availability-zone-id&Filter.1.Name=instance-type&Filter.1.Value.1=t3.micro",
    );
    insta::assert_snapshot!("describe_instance_type_offerings_zone_ids", zones);
    assert_eq!(zones.matches("<location>").count(), 6);
    let one = ok(
        &mut env,
        "DescribeInstanceTypeOfferings",
        "LocationType=availability-zone&Filter.1.Name=location&Filter.1.Value.1=us-east-1b&Filter.2.Name=instance-type&Filter.2.Value.1=m5.large",
    );
    assert_eq!(one.matches("<location>us-east-1b</location>").count(), 1);
    let (_, code, _) = err(
        &mut env,
        "DescribeInstanceTypeOfferings",
        "LocationType=planet",
    );
    assert_eq!(code, "InvalidParameterValue");
}

#[test]
fn describe_images_catalogue() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "DescribeImages",
        "Owner.1=amazon&Filter.1.Name=name&Filter.1.Value.1=al2023-ami-*&Filter.2.Name=architecture&Filter.2.Value.1=x86_64",
    );
    insta::assert_snapshot!("describe_images_al2023", doc);
    assert_eq!(doc.matches("<imageId>").count(), 1);
    let id = first(&doc, "imageId");
    let again = ok(&mut env, "DescribeImages", &format!("ImageId.1={id}"));
    assert_eq!(first(&again, "name"), first(&doc, "name"));
    let west = ok_in(
        &mut env,
        (A, "us-west-2"),
        "DescribeImages",
        "Owner.1=amazon",
    );
    assert!(!west.contains(&id), "image ids differ per region");
    let ubuntu = ok(&mut env, "DescribeImages", "Owner.1=099720109477");
    assert_eq!(ubuntu.matches("<imageId>").count(), 2);
    let own = ok(&mut env, "DescribeImages", "Owner.1=self");
    assert_eq!(own.matches("<imageId>").count(), 0);
    let windows = ok(
        &mut env,
        "DescribeImages",
        "Filter.1.Name=platform&Filter.1.Value.1=windows&Filter.2.Name=owner-alias&Filter.2.Value.1=amazon&Filter.3.Name=state&Filter.3.Value.1=available",
    );
    assert_eq!(windows.matches("<imageId>").count(), 1);
    assert_eq!(
        err(
            &mut env,
            "DescribeImages",
            "ImageId.1=ami-0123456789abcdef0"
        ),
        (
            400,
            "InvalidAMIID.NotFound".into(),
            "The image id '[ami-0123456789abcdef0]' does not exist".into()
        )
    );
    assert_eq!(
        err(&mut env, "DescribeImages", "ImageId.1=img-1"),
        (
            400,
            "InvalidAMIID.Malformed".into(),
            "Invalid id: \"img-1\" (expecting \"ami-...\")".into()
        )
    );
    let (_, code, _) = err(&mut env, "DescribeImages", "Owner.1=nobody");
    assert_eq!(code, "InvalidUserID.Malformed");
}

#[test]
fn run_instances_refuses_an_unknown_instance_type() {
    let mut env = env();
    let (_, subnet) = vpc_and_subnet(&mut env);
    let run = |t: &str| {
        format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&InstanceType={t}")
    };
    assert_eq!(
        err(&mut env, "RunInstances", &run("t2.micr")),
        (
            400,
            "InvalidParameterValue".into(),
            "Invalid value 't2.micr' for InstanceType.".into()
        )
    );
    // A real type outside the illustrative catalogue still launches.
    for t in ["t3.micro", "c6i.large", "m7g.xlarge"] {
        ok(&mut env, "RunInstances", &run(t));
    }
}

// --- Key pairs -----------------------------------------------------------------------------------

#[test]
fn key_pairs_create_import_describe_delete() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "CreateKeyPair",
        "KeyName=deploy&KeyType=ed25519&TagSpecification.1.ResourceType=key-pair&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=net",
    );
    insta::assert_snapshot!("create_key_pair_ed25519", doc);
    assert!(first(&doc, "keyMaterial").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    let rsa = ok(&mut env, "CreateKeyPair", "KeyName=legacy");
    assert!(first(&rsa, "keyMaterial").starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(first(&rsa, "keyFingerprint").len(), 59);
    assert_eq!(
        err(&mut env, "CreateKeyPair", "KeyName=deploy"),
        (
            400,
            "InvalidKeyPair.Duplicate".into(),
            "The keypair 'deploy' already exists.".into()
        )
    );
    let (_, code, _) = err(&mut env, "CreateKeyPair", "KeyName=x&KeyType=dsa");
    assert_eq!(code, "InvalidParameterValue");
    let (_, code, _) = err(&mut env, "CreateKeyPair", "KeyName=x&KeyFormat=ppk");
    assert_eq!(code, "InvalidParameterValue");
    // ImportKeyPair takes the base64 of an OpenSSH public key line.
    let line =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea me@host";
    let material = vpcpeer_model::aws::key_pair::keygen::base64(line.as_bytes());
    let imported = ok(
        &mut env,
        "ImportKeyPair",
        &format!(
            "KeyName=laptop&PublicKeyMaterial={}",
            form_encode(&material)
        ),
    );
    insta::assert_snapshot!("import_key_pair", imported);
    let bad = vpcpeer_model::aws::key_pair::keygen::base64(b"ssh-dss AAAA");
    assert_eq!(
        err(
            &mut env,
            "ImportKeyPair",
            &format!("KeyName=bad&PublicKeyMaterial={}", form_encode(&bad))
        ),
        (
            400,
            "InvalidKey.Format".into(),
            "Key is not in valid OpenSSH public key format".into()
        )
    );
    let described = ok(&mut env, "DescribeKeyPairs", "IncludePublicKey=true");
    insta::assert_snapshot!("describe_key_pairs", described);
    assert_eq!(described.matches("<keyName>").count(), 3);
    let by_filter = ok(
        &mut env,
        "DescribeKeyPairs",
        "Filter.1.Name=tag:team&Filter.1.Value.1=net",
    );
    assert_eq!(first(&by_filter, "keyName"), "deploy");
    assert!(!by_filter.contains("<publicKey>"));
    assert_eq!(
        err(&mut env, "DescribeKeyPairs", "KeyName.1=nope"),
        (
            400,
            "InvalidKeyPair.NotFound".into(),
            "The key pair 'nope' does not exist".into()
        )
    );
    // Tags on key pairs through CreateTags and DescribeTags.
    let id = first(&doc, "keyPairId");
    ok(
        &mut env,
        "CreateTags",
        &format!("ResourceId.1={id}&Tag.1.Key=env&Tag.1.Value=dev"),
    );
    let tags = ok(
        &mut env,
        "DescribeTags",
        &format!("Filter.1.Name=resource-id&Filter.1.Value.1={id}"),
    );
    assert!(
        tags.contains("<resourceType>key-pair</resourceType>"),
        "{tags}"
    );
    assert_eq!(tags.matches("<key>").count(), 2);
    // Delete is idempotent, by name or id.
    let deleted = ok(&mut env, "DeleteKeyPair", "KeyName=deploy");
    assert_eq!(first(&deleted, "keyPairId"), id);
    let again = ok(&mut env, "DeleteKeyPair", "KeyName=deploy");
    assert!(again.contains("<return>true</return>") && !again.contains("keyPairId"));
    let (_, code, _) = err(&mut env, "DeleteKeyPair", "");
    assert_eq!(code, "MissingParameter");
}

#[test]
fn run_instances_key_name_must_exist_and_shows() {
    let mut env = env();
    let (_, subnet) = vpc_and_subnet(&mut env);
    let run = format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&KeyName=ops");
    assert_eq!(
        err(&mut env, "RunInstances", &run),
        (
            400,
            "InvalidKeyPair.NotFound".into(),
            "The key pair 'ops' does not exist".into()
        )
    );
    ok(&mut env, "CreateKeyPair", "KeyName=ops&KeyType=ed25519");
    let launched = ok(&mut env, "RunInstances", &run);
    assert_eq!(first(&launched, "keyName"), "ops");
    let described = ok(
        &mut env,
        "DescribeInstances",
        "Filter.1.Name=key-name&Filter.1.Value.1=ops",
    );
    assert_eq!(first(&described, "keyName"), "ops");
}

// --- Launch templates ----------------------------------------------------------------------------

#[test]
fn launch_templates_and_launching_from_one() {
    let mut env = env();
    let (vpc, subnet) = vpc_and_subnet(&mut env);
    let sg = first(
        &ok(
            &mut env,
            "CreateSecurityGroup",
            &format!("GroupName=web&GroupDescription=web&VpcId={vpc}"),
        ),
        "groupId",
    );
    ok(&mut env, "CreateKeyPair", "KeyName=ops&KeyType=ed25519");
    let created = ok(
        &mut env,
        "CreateLaunchTemplate",
        &format!(
            "LaunchTemplateName=web&VersionDescription=first\
             &LaunchTemplateData.ImageId=ami-0abcdef1234567890&LaunchTemplateData.InstanceType=t3.small\
             &LaunchTemplateData.KeyName=ops\
             &LaunchTemplateData.NetworkInterface.1.DeviceIndex=0&LaunchTemplateData.NetworkInterface.1.SubnetId={subnet}\
             &LaunchTemplateData.NetworkInterface.1.SecurityGroupId.1={sg}\
             &LaunchTemplateData.TagSpecification.1.ResourceType=instance\
             &LaunchTemplateData.TagSpecification.1.Tag.1.Key=role&LaunchTemplateData.TagSpecification.1.Tag.1.Value=web\
             &TagSpecification.1.ResourceType=launch-template&TagSpecification.1.Tag.1.Key=owner&TagSpecification.1.Tag.1.Value=net"
        ),
    );
    insta::assert_snapshot!("create_launch_template", created);
    let lt = first(&created, "launchTemplateId");
    assert_eq!(
        err(
            &mut env,
            "CreateLaunchTemplate",
            "LaunchTemplateName=web&LaunchTemplateData.ImageId=ami-12345678"
        ),
        (
            400,
            "InvalidLaunchTemplateName.AlreadyExistsException".into(),
            "Launch template name already in use: web".into()
        )
    );
    let v2 = ok(
        &mut env,
        "CreateLaunchTemplateVersion",
        &format!("LaunchTemplateId={lt}&SourceVersion=1&LaunchTemplateData.InstanceType=t3.large"),
    );
    assert_eq!(first(&v2, "versionNumber"), "2");
    assert_eq!(
        first(&v2, "imageId"),
        "ami-0abcdef1234567890",
        "from the source version"
    );
    let versions = ok(
        &mut env,
        "DescribeLaunchTemplateVersions",
        "LaunchTemplateName=web",
    );
    insta::assert_snapshot!("describe_launch_template_versions", versions);
    let templates = ok(&mut env, "DescribeLaunchTemplates", "");
    assert_eq!(first(&templates, "latestVersionNumber"), "2");
    assert_eq!(first(&templates, "defaultVersionNumber"), "1");

    // From the template (default version): its type, key, interface, groups and tags.
    let doc = ok(
        &mut env,
        "RunInstances",
        &format!("MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateId={lt}"),
    );
    assert_eq!(first(&doc, "instanceType"), "t3.small");
    assert_eq!(first(&doc, "imageId"), "ami-0abcdef1234567890");
    assert_eq!(first(&doc, "keyName"), "ops");
    assert_eq!(first(&doc, "subnetId"), subnet);
    assert!(doc.contains(&format!("<groupId>{sg}</groupId>")), "{doc}");
    assert!(doc.contains("<key>role</key><value>web</value>"), "{doc}");
    // The request wins member by member: $Latest's t3.large, overridden by the request's type.
    let doc = ok(
        &mut env,
        "RunInstances",
        "MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateName=web&LaunchTemplate.Version=$Latest&InstanceType=m5.large&ImageId=ami-11111111",
    );
    assert_eq!(first(&doc, "instanceType"), "m5.large");
    assert_eq!(first(&doc, "imageId"), "ami-11111111");
    let doc = ok(
        &mut env,
        "RunInstances",
        "MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateName=web&LaunchTemplate.Version=2",
    );
    assert_eq!(first(&doc, "instanceType"), "t3.large");
    // Errors: unknown template, version, both id and name.
    assert_eq!(
        err(
            &mut env,
            "RunInstances",
            "MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateName=nope"
        ),
        (
            400,
            "InvalidLaunchTemplateName.NotFoundException".into(),
            "The specified launch template, with template name nope, does not exist.".into()
        )
    );
    assert_eq!(
        err(
            &mut env,
            "RunInstances",
            &format!("MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateId={lt}&LaunchTemplate.Version=9")
        ),
        (
            400,
            "InvalidLaunchTemplateId.VersionNotFound".into(),
            format!("Could not find launch template version 9 for launch template {lt}")
        )
    );
    let (_, code, _) = err(
        &mut env,
        "RunInstances",
        &format!("MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateId={lt}&LaunchTemplate.LaunchTemplateName=web"),
    );
    assert_eq!(code, "MissingParameter");
    let (_, code, _) = err(&mut env, "RunInstances", "MinCount=1&MaxCount=1");
    assert_eq!(code, "MissingParameter", "no image and no template");

    let deleted = ok(&mut env, "DeleteLaunchTemplate", "LaunchTemplateName=web");
    assert_eq!(first(&deleted, "launchTemplateId"), lt);
    assert_eq!(
        err(
            &mut env,
            "DeleteLaunchTemplate",
            &format!("LaunchTemplateId={lt}")
        ),
        (
            400,
            "InvalidLaunchTemplateId.NotFound".into(),
            format!("The specified launch template, with template ID {lt}, does not exist.")
        )
    );
    let (_, code, _) = err(&mut env, "DeleteLaunchTemplate", "LaunchTemplateId=lt-zz");
    assert_eq!(code, "InvalidLaunchTemplateId.Malformed");
}

// --- Point 4: non-canonical CIDRs ----------------------------------------------------------------

/// Every action that takes an IPv4 block canonicalises one with host bits set, as AWS's API
/// reference says of each ("We modify the specified CIDR block to its canonical form; for
/// example, if you specify 100.68.0.18/18, we modify it to 100.68.0.0/18"): the reply and every
/// later Describe show the canonical block.
#[test]
fn non_canonical_blocks_are_canonicalised_by_every_action() {
    let mut env = env();
    let doc = ok(&mut env, "CreateVpc", "CidrBlock=42.17.88.3/16");
    assert_eq!(first(&doc, "cidrBlock"), "42.17.0.0/16");
    let vpc = first(&doc, "vpcId");
    let doc = ok(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=42.17.1.77/24"),
    );
    assert_eq!(first(&doc, "cidrBlock"), "42.17.1.0/24");
    let doc = ok(
        &mut env,
        "AssociateVpcCidrBlock",
        &format!("VpcId={vpc}&CidrBlock=100.68.0.18/18"),
    );
    assert_eq!(first(&doc, "cidrBlock"), "100.68.0.0/18");
    let described = ok(&mut env, "DescribeVpcs", &format!("VpcId.1={vpc}"));
    assert!(
        described.contains("<cidrBlock>100.68.0.0/18</cidrBlock>"),
        "{described}"
    );
    let rtb = first(
        &ok(&mut env, "CreateRouteTable", &format!("VpcId={vpc}")),
        "routeTableId",
    );
    let igw = first(
        &ok(&mut env, "CreateInternetGateway", ""),
        "internetGatewayId",
    );
    ok(
        &mut env,
        "AttachInternetGateway",
        &format!("InternetGatewayId={igw}&VpcId={vpc}"),
    );
    ok(
        &mut env,
        "CreateRoute",
        &format!("RouteTableId={rtb}&DestinationCidrBlock=192.168.1.1/24&GatewayId={igw}"),
    );
    let routes = ok(
        &mut env,
        "DescribeRouteTables",
        &format!("RouteTableId.1={rtb}"),
    );
    assert!(
        routes.contains("<destinationCidrBlock>192.168.1.0/24</destinationCidrBlock>"),
        "{routes}"
    );
    let sg = first(
        &ok(
            &mut env,
            "CreateSecurityGroup",
            &format!("GroupName=g&GroupDescription=g&VpcId={vpc}"),
        ),
        "groupId",
    );
    ok(
        &mut env,
        "AuthorizeSecurityGroupIngress",
        &format!("GroupId={sg}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.9/24"),
    );
    let groups = ok(
        &mut env,
        "DescribeSecurityGroups",
        &format!("GroupId.1={sg}"),
    );
    assert!(
        groups.contains("<cidrIp>203.0.113.0/24</cidrIp>"),
        "{groups}"
    );
    let acl = first(
        &ok(&mut env, "CreateNetworkAcl", &format!("VpcId={vpc}")),
        "networkAclId",
    );
    ok(
        &mut env,
        "CreateNetworkAclEntry",
        &format!("NetworkAclId={acl}&RuleNumber=100&Protocol=-1&RuleAction=allow&Egress=false&CidrBlock=198.51.100.7/24"),
    );
    let acls = ok(
        &mut env,
        "DescribeNetworkAcls",
        &format!("NetworkAclId.1={acl}"),
    );
    assert!(
        acls.contains("<cidrBlock>198.51.100.0/24</cidrBlock>"),
        "{acls}"
    );
    // A block that is not a block at all is refused in AWS's words.
    assert_eq!(
        err(&mut env, "CreateVpc", "CidrBlock=42.17.88.3/33"),
        (
            400,
            "InvalidParameterValue".into(),
            "Value (42.17.88.3/33) for parameter cidrBlock is invalid. This is not a valid CIDR block.".into()
        )
    );
}
