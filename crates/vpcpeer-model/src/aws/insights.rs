//! Network insights paths and analyses (EC2's Reachability Analyzer): the stored questions and
//! answers. The analysis itself is computed outside the model (the reach engine depends on the
//! model, not the other way round); [`Tx::create_insights_analysis`] stores a finished answer.
//!
//! Choices of this emulator, where AWS documents no rule or offers more:
//! - Sources and destinations are the caller's instances (`i-…`) or network interfaces
//!   (`eni-…`); a destination may be omitted when a destination address is given. Other AWS
//!   resource kinds (gateways, endpoints, …) are refused with `InvalidParameterValue`.
//! - Protocol is `tcp` or `udp` (required) and a destination port is required, since the engine
//!   checks one concrete port.
//! - The destination may belong to another account of the same region (AWS analyses paths
//!   across the accounts of an Organization; this emulator treats all accounts as one), so a
//!   cross-account peering path can be asked about by id; the source must be the caller's.
//! - When a source or destination resource is given, its primary address is used;
//!   `SourceIp`/`DestinationIp` are stored and shown but only `DestinationIp` without a
//!   destination resource takes part in the analysis.
//! - A path with analyses cannot be deleted: `DependencyViolation` until its analyses are
//!   deleted.

use std::net::IpAddr;

use super::check_id;
use crate::aws::error::Field;
use crate::aws::instance::instance_visible;
use crate::{
    AnalysisStatus, Conflict, Dependent, DomainError, ExplanationRecord, Instance, Kind,
    NetworkInsightsAnalysis, NetworkInsightsPath, NetworkInterface, PathComponentRecord, Tags, Tx,
};

/// CreateNetworkInsightsPath as a request gives it (text). The face turns it into a
/// [`PathInput`] with [`CreatePath::parse`] before building a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreatePath {
    /// Source resource id.
    pub source: Option<String>,
    /// Destination resource id.
    pub destination: Option<String>,
    /// Source address.
    pub source_ip: Option<String>,
    /// Destination address.
    pub destination_ip: Option<String>,
    /// Protocol as given.
    pub protocol: Option<String>,
    /// Destination port as given.
    pub destination_port: Option<i64>,
    /// Tags from TagSpecification.
    pub tags: Tags,
}

/// The protocol of a path: the engine checks one concrete TCP or UDP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PathProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl PathProtocol {
    /// The protocol as a path stores it.
    pub fn stored(self) -> &'static str {
        match self {
            PathProtocol::Tcp => "tcp",
            PathProtocol::Udp => "udp",
        }
    }
}

/// A checked CreateNetworkInsightsPath, as its command carries it: the ends stay ids (found
/// when the command runs), the rest are domain values.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathInput {
    /// Source resource id.
    pub source: String,
    /// Destination resource id.
    pub destination: Option<String>,
    /// Source address.
    pub source_ip: Option<IpAddr>,
    /// Destination address.
    pub destination_ip: Option<IpAddr>,
    /// Protocol.
    pub protocol: PathProtocol,
    /// Destination port.
    pub destination_port: u16,
    /// Tags from TagSpecification (checked).
    pub tags: Tags,
}

impl CreatePath {
    /// Checks what needs no world, in this order: a source is given, the protocol (given, `tcp`
    /// or `udp` in any case), the destination port (given, 0–65535), the source and destination
    /// addresses, and a destination resource or address is given. The ends are checked when the
    /// command runs.
    pub fn parse(self) -> Result<PathInput, DomainError> {
        let source = self.source.ok_or(DomainError::Missing(Field::PathSource))?;
        let protocol = self
            .protocol
            .ok_or(DomainError::Missing(Field::PathProtocol))?
            .to_ascii_lowercase();
        let protocol = match protocol.as_str() {
            "tcp" => PathProtocol::Tcp,
            "udp" => PathProtocol::Udp,
            _ => {
                return Err(DomainError::Invalid {
                    field: Field::PathProtocol,
                    value: protocol,
                })
            }
        };
        let destination_port = match self.destination_port {
            None => return Err(DomainError::Missing(Field::PathDestinationPort)),
            Some(p) => u16::try_from(p).map_err(|_| DomainError::Invalid {
                field: Field::PathDestinationPort,
                value: p.to_string(),
            })?,
        };
        let source_ip = parse_ip(Field::PathSourceIp, &self.source_ip)?;
        let destination_ip = parse_ip(Field::PathDestinationIp, &self.destination_ip)?;
        if self.destination.is_none() && destination_ip.is_none() {
            return Err(DomainError::Missing(Field::PathDestination));
        }
        Ok(PathInput {
            source,
            destination: self.destination,
            source_ip,
            destination_ip,
            protocol,
            destination_port,
            tags: self.tags,
        })
    }
}

/// A finished analysis to store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewAnalysis {
    /// The path analysed.
    pub path_id: String,
    /// Succeeded or failed.
    pub status: AnalysisStatus,
    /// Why it failed.
    pub status_message: Option<String>,
    /// Whether a path was found.
    pub path_found: bool,
    /// Forward path.
    pub forward: Vec<PathComponentRecord>,
    /// Return path.
    pub ret: Vec<PathComponentRecord>,
    /// Blockers.
    pub explanations: Vec<ExplanationRecord>,
    /// Tags from TagSpecification.
    pub tags: Tags,
}

fn parse_ip(field: Field, v: &Option<String>) -> Result<Option<IpAddr>, DomainError> {
    match v {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<IpAddr>()
            .map(Some)
            .map_err(|_| DomainError::Invalid {
                field,
                value: s.clone(),
            }),
    }
}

impl Tx<'_, '_> {
    /// Checks that `id` names an endpoint the caller owns: a visible instance or an interface.
    fn insights_endpoint(&self, field: Field, id: &str) -> Result<(), DomainError> {
        if id.starts_with("i-") {
            self.visible_instance(id).map(|_| ())
        } else if id.starts_with("eni-") {
            self.network_interface(id).map(|_| ())
        } else {
            Err(DomainError::Invalid {
                field,
                value: id.to_owned(),
            })
        }
    }

    /// Checks that `id` names an instance or interface of any account in the caller's region.
    fn insights_destination(&self, id: &str) -> Result<(), DomainError> {
        let region = &self.scope().region;
        let found = if id.starts_with("i-") {
            check_id(Kind::Instance, id)?;
            let now = self.now();
            self.get::<Instance>(id)
                .is_some_and(|i| i.scope.region == *region && instance_visible(i, now))
                .then_some(Kind::Instance)
                .ok_or(Kind::Instance)
        } else if id.starts_with("eni-") {
            check_id(Kind::NetworkInterface, id)?;
            self.get::<NetworkInterface>(id)
                .is_some_and(|e| e.scope.region == *region)
                .then_some(Kind::NetworkInterface)
                .ok_or(Kind::NetworkInterface)
        } else {
            return self.insights_endpoint(Field::PathDestination, id);
        };
        found
            .map(|_| ())
            .map_err(|kind| DomainError::not_found(kind, id))
    }

    /// CreateNetworkInsightsPath from a request's text: [`CreatePath::parse`], then
    /// [`Tx::create_path`].
    pub fn create_insights_path(&mut self, input: CreatePath) -> Result<String, DomainError> {
        self.create_path(input.parse()?)
    }

    /// The command behind CreateNetworkInsightsPath: the source must be the caller's instance
    /// or interface, the destination (if given) an instance or interface of the region, and
    /// the two different.
    pub fn create_path(&mut self, input: PathInput) -> Result<String, DomainError> {
        self.insights_endpoint(Field::PathSource, &input.source)?;
        if let Some(d) = &input.destination {
            self.insights_destination(d)?;
            if *d == input.source {
                return Err(DomainError::Conflict(Conflict::SameSourceAndDestination));
            }
        }
        let id = self.new_id("nip");
        let path = NetworkInsightsPath {
            id: id.clone(),
            scope: self.scope().clone(),
            source: input.source,
            destination: input.destination,
            source_ip: input.source_ip.map(|ip| ip.to_string()),
            destination_ip: input.destination_ip.map(|ip| ip.to_string()),
            protocol: input.protocol.stored().to_owned(),
            destination_port: Some(input.destination_port),
            created: self.now(),
            tags: input.tags,
        };
        self.put(path);
        Ok(id)
    }

    /// DeleteNetworkInsightsPath: refused while analyses of the path exist.
    pub fn delete_insights_path(&mut self, id: &str) -> Result<(), DomainError> {
        self.owned::<NetworkInsightsPath>(id)?;
        if self
            .list_owned::<NetworkInsightsAnalysis>()
            .any(|a| a.path_id == id)
        {
            return Err(DomainError::DependencyViolation {
                kind: Kind::NetworkInsightsPath,
                id: id.to_owned(),
                dependent: Some(Dependent::Analyses),
            });
        }
        self.remove::<NetworkInsightsPath>(id);
        Ok(())
    }

    /// Stores a finished analysis of one of the caller's paths (StartNetworkInsightsAnalysis).
    pub fn create_insights_analysis(&mut self, input: NewAnalysis) -> Result<String, DomainError> {
        self.owned::<NetworkInsightsPath>(&input.path_id)?;
        let id = self.new_id("nia");
        let analysis = NetworkInsightsAnalysis {
            id: id.clone(),
            scope: self.scope().clone(),
            path_id: input.path_id,
            started: self.now(),
            status: input.status,
            status_message: input.status_message,
            path_found: input.path_found,
            forward: input.forward,
            ret: input.ret,
            explanations: input.explanations,
            tags: input.tags,
        };
        self.put(analysis);
        Ok(id)
    }

    /// DeleteNetworkInsightsAnalysis.
    pub fn delete_insights_analysis(&mut self, id: &str) -> Result<(), DomainError> {
        self.owned::<NetworkInsightsAnalysis>(id)?;
        self.remove::<NetworkInsightsAnalysis>(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::instance::RunInstances;
    use crate::testkit::{a, b, code, subnet as new_subnet, TestEnv};

    struct Fx {
        env: TestEnv,
        i1: String,
        i2: String,
        eni1: String,
        foreign: String,
    }

    fn launch(env: &mut TestEnv, scope: &crate::Scope, cidr: &str, subnet: &str) -> Vec<String> {
        let vpc = env.vpc(scope, cidr);
        env.run(scope, |tx| {
            let s = tx.create_subnet(new_subnet(&vpc, subnet))?;
            tx.run_instances(RunInstances {
                min_count: 2,
                max_count: 2,
                image_id: "ami-12345678".into(),
                subnet_id: Some(s),
                ..Default::default()
            })
        })
        .expect("launch")
        .instance_ids
    }

    fn fixture() -> Fx {
        let mut env = TestEnv::new();
        let ids = launch(&mut env, &a(), "10.0.0.0/16", "10.0.1.0/24");
        let foreign = launch(&mut env, &b(), "10.1.0.0/16", "10.1.1.0/24").remove(0);
        let eni1 = env.world.aws.instances[&ids[0]].eni_ids[0].clone();
        Fx {
            i1: ids[0].clone(),
            i2: ids[1].clone(),
            eni1,
            foreign,
            env,
        }
    }

    fn path(src: &str, dst: Option<&str>) -> CreatePath {
        CreatePath {
            source: Some(src.into()),
            destination: dst.map(Into::into),
            protocol: Some("tcp".into()),
            destination_port: Some(443),
            ..Default::default()
        }
    }

    #[test]
    fn create_path_table() {
        let mut f = fixture();
        let (i1, i2, eni1, foreign) = (
            f.i1.clone(),
            f.i2.clone(),
            f.eni1.clone(),
            f.foreign.clone(),
        );
        let cases: Vec<(&str, CreatePath, &str)> = vec![
            ("instance to instance", path(&i1, Some(&i2)), "ok"),
            ("eni to instance", path(&eni1, Some(&i2)), "ok"),
            (
                "to address",
                CreatePath {
                    destination_ip: Some("10.0.1.9".into()),
                    ..path(&i1, None)
                },
                "ok",
            ),
            (
                "no source",
                CreatePath {
                    source: None,
                    ..path(&i1, Some(&i2))
                },
                "MissingParameter",
            ),
            ("no destination", path(&i1, None), "MissingParameter"),
            (
                "foreign source",
                path(&foreign, Some(&i2)),
                "NotFound(Instance)",
            ),
            (
                "malformed source",
                path("i-zz", Some(&i2)),
                "Malformed(Instance)",
            ),
            (
                "unsupported source",
                path("igw-12345678", Some(&i2)),
                "InvalidParameterValue",
            ),
            (
                "same ends",
                path(&i1, Some(&i1)),
                "InvalidParameterCombination",
            ),
            (
                "icmp",
                CreatePath {
                    protocol: Some("icmp".into()),
                    ..path(&i1, Some(&i2))
                },
                "InvalidParameterValue",
            ),
            (
                "no protocol",
                CreatePath {
                    protocol: None,
                    ..path(&i1, Some(&i2))
                },
                "MissingParameter",
            ),
            (
                "no port",
                CreatePath {
                    destination_port: None,
                    ..path(&i1, Some(&i2))
                },
                "MissingParameter",
            ),
            (
                "port out of range",
                CreatePath {
                    destination_port: Some(70000),
                    ..path(&i1, Some(&i2))
                },
                "InvalidParameterValue",
            ),
            (
                "bad ip",
                CreatePath {
                    source_ip: Some("10.0.1.300".into()),
                    ..path(&i1, Some(&i2))
                },
                "InvalidParameterValue",
            ),
        ];
        for (name, input, want) in cases {
            let got = f.env.probe(&a(), |tx| tx.create_insights_path(input));
            let got = match got {
                Ok(id) => {
                    assert!(id.starts_with("nip-"), "{name}: {id}");
                    "ok".to_owned()
                }
                Err(e) => code(&e),
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn analyses_scope_and_block_path_deletion() {
        let mut f = fixture();
        let (i1, i2) = (f.i1.clone(), f.i2.clone());
        let p = f
            .env
            .run(&a(), |tx| tx.create_insights_path(path(&i1, Some(&i2))))
            .unwrap();
        let new = |path_id: &str| NewAnalysis {
            path_id: path_id.into(),
            status: AnalysisStatus::Succeeded,
            status_message: None,
            path_found: true,
            forward: vec![],
            ret: vec![],
            explanations: vec![],
            tags: Tags::new(),
        };
        // Another account sees neither the path nor can analyse it.
        let e = f
            .env
            .run(&b(), |tx| tx.create_insights_analysis(new(&p)))
            .unwrap_err();
        assert_eq!(code(&e), "NotFound(NetworkInsightsPath)");
        let e = f
            .env
            .run(&b(), |tx| tx.delete_insights_path(&p))
            .unwrap_err();
        assert_eq!(code(&e), "NotFound(NetworkInsightsPath)");
        let nia = f
            .env
            .run(&a(), |tx| tx.create_insights_analysis(new(&p)))
            .unwrap();
        assert!(nia.starts_with("nia-"));
        assert_eq!(f.env.world.aws.insights_analyses[&nia].started, f.env.now);
        let e = f
            .env
            .run(&a(), |tx| tx.delete_insights_path(&p))
            .unwrap_err();
        assert!(
            matches!(e, DomainError::DependencyViolation { .. }),
            "{e:?}"
        );
        let e = f
            .env
            .run(&b(), |tx| tx.delete_insights_analysis(&nia))
            .unwrap_err();
        assert_eq!(code(&e), "NotFound(NetworkInsightsAnalysis)");
        f.env
            .run(&a(), |tx| tx.delete_insights_analysis(&nia))
            .unwrap();
        f.env.run(&a(), |tx| tx.delete_insights_path(&p)).unwrap();
        assert!(f.env.world.aws.insights_paths.is_empty());
        let e = f
            .env
            .run(&a(), |tx| tx.delete_insights_path(&p))
            .unwrap_err();
        assert_eq!(code(&e), "NotFound(NetworkInsightsPath)");
        let e = f
            .env
            .run(&a(), |tx| tx.delete_insights_analysis("nia-bad"))
            .unwrap_err();
        assert_eq!(code(&e), "Malformed(NetworkInsightsAnalysis)");
    }
}
