//! Table tests of launch templates: every transition and refusal, and the merge under a launch.

use super::*;
use crate::testkit::{TestEnv, A};
use crate::Scope;

fn a() -> Scope {
    Scope::new(A, "us-east-1")
}

fn data(image: &str, instance_type: &str) -> TemplateData {
    TemplateData {
        image_id: Some(image.into()),
        instance_type: Some(instance_type.into()),
        ..TemplateData::default()
    }
}

fn run(env: &mut TestEnv, c: LaunchTemplateCommand) -> Result<(LaunchTemplate, u32), DomainError> {
    env.run(&a(), |tx| tx.launch_template_command(c))
}

fn create(env: &mut TestEnv, name: &str) -> Result<(LaunchTemplate, u32), DomainError> {
    run(
        env,
        LaunchTemplateCommand::Create {
            name: name.into(),
            description: None,
            data: data("ami-11111111", "t3.micro"),
            tags: Tags::new(),
        },
    )
}

fn by_name(name: &str) -> TemplateRef {
    TemplateRef {
        id: None,
        name: Some(name.into()),
    }
}

fn problem<T: std::fmt::Debug>(r: Result<T, DomainError>) -> CatalogProblem {
    match r {
        Err(DomainError::Catalog(p)) => p,
        other => panic!("expected a catalogue refusal, got {other:?}"),
    }
}

#[test]
fn create_version_describe_and_delete() {
    let mut env = TestEnv::with_seed(4);
    let (t, v) = create(&mut env, "web").expect("create");
    assert_eq!((v, t.default_version, t.latest_version()), (1, 1, 1));
    assert!(crate::aws::has_id_shape(&t.id, "lt"));
    assert_eq!(
        problem(create(&mut env, "web")),
        CatalogProblem::TemplateDuplicate { name: "web".into() }
    );
    for bad in ["ab", "has space", &"x".repeat(129)] {
        assert!(matches!(
            problem(create(&mut env, bad)),
            CatalogProblem::TemplateNameInvalid { .. }
        ));
    }
    // A new version from version 1: its own members win, the rest comes from the source.
    let (t, v) = run(
        &mut env,
        LaunchTemplateCommand::CreateVersion {
            template: by_name("web"),
            source_version: Some("1".into()),
            description: Some("bigger".into()),
            data: TemplateData {
                instance_type: Some("t3.large".into()),
                ..TemplateData::default()
            },
        },
    )
    .expect("version");
    assert_eq!(v, 2);
    let latest = t.version(Some("$Latest")).expect("latest");
    assert_eq!(latest.data.image_id.as_deref(), Some("ami-11111111"));
    assert_eq!(latest.data.instance_type.as_deref(), Some("t3.large"));
    assert_eq!(t.version(None).expect("default").number, 1);
    assert_eq!(t.version(Some("$Default")).expect("default").number, 1);
    assert_eq!(t.version(Some("2")).expect("2").number, 2);
    assert!(matches!(
        problem(t.version(Some("3"))),
        CatalogProblem::TemplateVersionNotFound { .. }
    ));
    assert!(matches!(
        problem(t.version(Some("x"))),
        CatalogProblem::TemplateVersionInvalid { .. }
    ));
    // Lookups and delete.
    let id_ref = TemplateRef {
        id: Some(t.id.clone()),
        name: None,
    };
    run(
        &mut env,
        LaunchTemplateCommand::Delete {
            template: id_ref.clone(),
        },
    )
    .expect("delete");
    assert_eq!(
        problem(run(
            &mut env,
            LaunchTemplateCommand::Delete { template: id_ref }
        )),
        CatalogProblem::TemplateIdNotFound { id: t.id.clone() }
    );
    assert_eq!(
        problem(run(
            &mut env,
            LaunchTemplateCommand::Delete {
                template: by_name("web")
            }
        )),
        CatalogProblem::TemplateNameNotFound { name: "web".into() }
    );
    let malformed = TemplateRef {
        id: Some("lt-zz".into()),
        name: None,
    };
    assert_eq!(
        problem(run(
            &mut env,
            LaunchTemplateCommand::Delete {
                template: malformed
            }
        )),
        CatalogProblem::TemplateIdMalformed { id: "lt-zz".into() }
    );
    assert_eq!(
        problem(run(
            &mut env,
            LaunchTemplateCommand::Delete {
                template: TemplateRef::default()
            }
        )),
        CatalogProblem::TemplateNotNamed
    );
}

#[test]
fn the_request_wins_member_by_member() {
    let tag = |k: &str, v: &str| -> Tags { [(k.to_owned(), v.to_owned())].into_iter().collect() };
    let under = TemplateData {
        image_id: Some("ami-11111111".into()),
        instance_type: Some("t3.micro".into()),
        key_name: Some("ops".into()),
        security_group_ids: vec!["sg-11111111".into()],
        instance_tags: tag("role", "web"),
        ..TemplateData::default()
    };
    let over = TemplateData {
        instance_type: Some("m5.large".into()),
        instance_tags: tag("env", "dev"),
        ..TemplateData::default()
    };
    let m = merge(&over, &under);
    assert_eq!(m.instance_type.as_deref(), Some("m5.large"));
    assert_eq!(m.image_id.as_deref(), Some("ami-11111111"));
    assert_eq!(m.key_name.as_deref(), Some("ops"));
    assert_eq!(m.security_group_ids, ["sg-11111111"]);
    assert_eq!(m.instance_tags.len(), 2);
    let same_key = merge(
        &TemplateData {
            instance_tags: tag("role", "db"),
            ..TemplateData::default()
        },
        &under,
    );
    assert_eq!(same_key.instance_tags, tag("role", "db"));
}

#[test]
fn launching_from_a_template_into_a_subnet() {
    let mut env = TestEnv::with_seed(8);
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let subnet = env.subnet(&a(), &vpc, "10.0.1.0/24");
    create(&mut env, "web").expect("create");
    let launch = |env: &mut TestEnv, version: Option<&str>, instance_type: Option<&str>| {
        env.run(&a(), |tx| {
            let l = tx.run_instances(RunInstances {
                min_count: 1,
                max_count: 1,
                subnet_id: Some(subnet.clone()),
                instance_type: instance_type.map(Into::into),
                launch_template: Some(TemplateSpec {
                    template: by_name("web"),
                    version: version.map(Into::into),
                }),
                ..RunInstances::default()
            })?;
            let i = tx.visible_instance(&l.instance_ids[0])?;
            Ok::<_, DomainError>((i.image_id.clone(), i.instance_type.clone()))
        })
    };
    assert_eq!(
        launch(&mut env, None, None).expect("launch"),
        ("ami-11111111".into(), "t3.micro".into())
    );
    assert_eq!(
        launch(&mut env, Some("$Latest"), Some("c5.large")).expect("launch"),
        ("ami-11111111".into(), "c5.large".into())
    );
    assert!(matches!(
        problem(launch(&mut env, Some("7"), None)),
        CatalogProblem::TemplateVersionNotFound { .. }
    ));
}
