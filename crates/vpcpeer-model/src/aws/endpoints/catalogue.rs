//! The built-in catalogue of AWS services a VPC endpoint can reach, per region
//! (DescribeVpcEndpointServices).
//!
//! A small, fixed catalogue [UNVERIFIED as to completeness: AWS lists hundreds]: `s3` (Gateway and
//! Interface), `dynamodb` (Gateway), and the Interface services `ec2`, `ec2messages`, `ecr.api`,
//! `ecr.dkr`, `kms`, `logs`, `secretsmanager`, `sns`, `sqs`, `ssm`, `ssmmessages` and `sts`,
//! each named `com.amazonaws.<region>.<service>` and offered in every zone of the region.

/// An endpoint type a service offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EndpointType {
    /// Routes in route tables to the service's prefix list.
    Gateway,
    /// Network interfaces in subnets.
    Interface,
}

impl EndpointType {
    /// EC2's spelling (`Gateway`, `Interface`).
    pub fn name(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
        }
    }
}

/// One service of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `com.amazonaws.<region>.<short>`.
    pub name: String,
    /// The short name (`s3`).
    pub short: &'static str,
    /// The types it offers.
    pub types: &'static [EndpointType],
    /// Whether its endpoints take a policy.
    pub policy_supported: bool,
}

const G: EndpointType = EndpointType::Gateway;
const I: EndpointType = EndpointType::Interface;

/// Short name and types of every service, in name order.
const SERVICES: &[(&str, &[EndpointType])] = &[
    ("dynamodb", &[G]),
    ("ec2", &[I]),
    ("ec2messages", &[I]),
    ("ecr.api", &[I]),
    ("ecr.dkr", &[I]),
    ("kms", &[I]),
    ("logs", &[I]),
    ("s3", &[G, I]),
    ("secretsmanager", &[I]),
    ("sns", &[I]),
    ("sqs", &[I]),
    ("ssm", &[I]),
    ("ssmmessages", &[I]),
    ("sts", &[I]),
];

/// The catalogue of `region`, in name order.
pub fn services(region: &str) -> Vec<Service> {
    SERVICES
        .iter()
        .map(|(short, types)| Service {
            name: format!("com.amazonaws.{region}.{short}"),
            short,
            types,
            policy_supported: !matches!(*short, "ec2messages" | "ssmmessages"),
        })
        .collect()
}

/// The service `name` in `region`'s catalogue.
pub fn service(region: &str, name: &str) -> Option<Service> {
    services(region).into_iter().find(|s| s.name == name)
}
